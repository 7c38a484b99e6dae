//! Dishonest witnesses: each test takes the honest full assignment of a valid statement,
//! overwrites chosen witness variables directly (not through `Witness`), and shows that the
//! constraint system is unsatisfied, and that every violated constraint belongs to the claim
//! under test while all the others still hold. Deleting the constraint a test aims at (say, the
//! booleanity of a range bit) turns that test red.

mod common;

use ark_ff::{AdditiveGroup, Field};
use ark_std::UniformRand;
use common::mutate::Honest;
use common::*;
use serde_json::json;
use zkcred_core::policy::CompiledPolicy;
use zkcred_core::schema::NUMERIC_SLOTS;
use zkcred_core::Fr;

const ZERO: Fr = Fr::ZERO;
const ONE: Fr = Fr::ONE;

fn two() -> Fr {
    Fr::from(2u64)
}

/// Position bit `bit` (0 or 1) of the path at `level`: the path section holds, per level, b0,
/// b1, then the three siblings.
fn path_bit(h: &Honest, level: usize, bit: usize) -> usize {
    h.var("path", 0, 5 * level + bit)
}

/// Flags bit `bit` in the "flag bits" section: bit 6 (the name commitment's mask bit) is a
/// constant, so bits 7.. sit one place lower.
fn flag_bit(h: &Honest, bit: usize) -> usize {
    assert_ne!(bit, 6, "flags bit 6 is the constant 0");
    h.var("flag bits", 0, bit - usize::from(bit > 6))
}

fn honest(f: &Fixture, policy: CompiledPolicy) -> Honest {
    Honest::new(&statement(f, policy, "s"), &f.witness)
}

/// The 64 bits of `v`, as field elements.
fn bits(v: u64) -> [Fr; 64] {
    std::array::from_fn(|i| Fr::from(v >> i & 1))
}

#[test]
fn path_bit_set_to_two() {
    // With the three level-0 siblings equal to the leaf, the placement products are 0 whatever
    // the bits: a non-boolean bit then breaks its booleanity constraint and nothing else.
    let f = twin_fixture();
    let h = honest(&f, CompiledPolicy::default());
    // Leaf 5 sits at position 1 of its group.
    let (b0, b1) = (path_bit(&h, 0, 0), path_bit(&h, 0, 1));
    assert_eq!((h.witness[b0], h.witness[b1]), (ONE, ZERO));
    h.assert_breaks_only(&[(b0, two())], "path", 0);
    h.assert_breaks_only(&[(b1, two())], "path", 0);
    h.assert_breaks_only(&[(b1, -ONE)], "path", 0);
}

#[test]
fn path_bit_flipped_breaks_the_placement() {
    // A boolean but wrong position bit moves the leaf to another child: the placement products
    // no longer match.
    let f = fixture();
    let h = honest(&f, CompiledPolicy::default());
    let b0 = path_bit(&h, 3, 0);
    let flipped = ONE - h.witness[b0];
    h.assert_breaks_only(&[(b0, flipped)], "placement", 3);
}

#[test]
fn range_bit_set_to_two_with_the_sum_compensated() {
    // b_i = 2 and b_{i+1} = 0 where the honest bits are 0 and 1 (or, for a value with no such
    // pair, such as 1: b_i = -1 and b_{i+1} = 1 where they are 1 and 0): the sum is unchanged,
    // only b_i's booleanity fails.
    let f = fixture();
    let h = honest(&f, CompiledPolicy::default());
    let values = f.witness.attributes.values();
    for (slot, value) in values.iter().enumerate().take(NUMERIC_SLOTS) {
        let a = zkcred_core::encoding::fr_to_u64(value).unwrap();
        // The section holds the bits of a - lo (lo = 0), then those of hi - a (hi = 2^64 - 1).
        for (half, v) in [(0, a), (64, u64::MAX - a)] {
            let var = |i: usize| h.var("range", slot, half + i);
            assert_eq!(bits(v), std::array::from_fn(|i| h.witness[var(i)]));
            let changes = match (0..63).find(|&i| v >> i & 3 == 2) {
                Some(i) => [(var(i), two()), (var(i + 1), ZERO)],
                None => {
                    let i = (0..63)
                        .find(|&i| v >> i & 3 == 1)
                        .expect("a 1 bit below a 0 bit");
                    [(var(i), -ONE), (var(i + 1), ONE)]
                }
            };
            h.assert_breaks_only(&changes, "range", slot);
        }
    }
}

#[test]
fn wrong_inverse_in_the_non_membership_product() {
    let f = fixture(); // nationality 156
    let pol = policy(json!({"nationality": {"$nin": [344, 446]}}), "2026-11-24");
    let h = honest(&f, pol);
    let set = h.section("set", 0);
    let w = set.witnesses.end - 1; // the inverse is the last witness of the set predicate
                                   // The set [344, 446] is padded to 8 by repeating 344.
    let x = Fr::from(156u64);
    let d = (x - Fr::from(344u64)).pow([7u64]) * (x - Fr::from(446u64));
    assert_eq!(h.witness[w], d.inverse().unwrap());
    h.assert_breaks_only(&[(w, h.witness[w] + ONE)], "set", 0);
    h.assert_breaks_only(&[(w, ZERO)], "set", 0);
}

#[test]
fn flag_bit_flipped_breaks_the_packing() {
    // Mask bit 7 flipped 0 -> 1 (issuer_data is 0, so the disclosure product still holds).
    let f = fixture();
    let h = honest(&f, CompiledPolicy::default());
    let bit7 = flag_bit(&h, 7);
    assert_eq!(h.witness[bit7], ZERO);
    h.assert_breaks_only(&[(bit7, ONE)], "flag packing", 0);
}

#[test]
fn flag_bit_set_to_two_with_the_packing_compensated() {
    // Disclose slot 7; with attributes 5 and 7 both 0, bit 5 = 4, bit 7 = 0 packs the same
    // flags (4·2^5 = 2^7; bit 6 is the constant 0) and keeps both disclosure products: only
    // bit 5's booleanity fails.
    let mut a = attrs(20080229, 20310101, 110105);
    a[5] = ZERO;
    let f = fixture_with(a);
    let h = honest(
        &f,
        policy(json!({"disclose": ["issuer_data"]}), "2026-11-24"),
    );
    let (bit5, bit7) = (flag_bit(&h, 5), flag_bit(&h, 7));
    assert_eq!((h.witness[bit5], h.witness[bit7]), (ZERO, ONE));
    h.assert_breaks_only(&[(bit5, Fr::from(4u64)), (bit7, ZERO)], "flag bits", 0);
}

#[test]
fn leaf_slot_swapped() {
    // Swap birth and expiry date in the witness and recompute their range bits: every claim but
    // the leaf commitment still holds; the leaf hash binds each attribute to its slot.
    let f = fixture();
    let h = honest(&f, CompiledPolicy::default());
    let (birth, expiry) = (h.var("attributes", 0, 1), h.var("attributes", 0, 2));
    let (b, e) = (h.witness[birth], h.witness[expiry]);
    let mut changes = vec![(birth, e), (expiry, b)];
    for (slot, value) in [(1, e), (2, b)] {
        let v = zkcred_core::encoding::fr_to_u64(&value).unwrap();
        let (lo_bits, hi_bits) = (bits(v), bits(u64::MAX - v));
        for i in 0..64 {
            changes.push((h.var("range", slot, i), lo_bits[i]));
            changes.push((h.var("range", slot, 64 + i), hi_bits[i]));
        }
    }
    h.assert_breaks_only(&changes, "leaf", 0);
}

#[test]
fn every_poseidon_state_is_bound() {
    // One S-box output in the middle of each hash: the round that makes it and the next one
    // break, inside that hash.
    let f = fixture();
    let h = honest(&f, CompiledPolicy::default());
    let mut hashes = vec![("holder key", 0), ("leaf", 0), ("nullifier hash", 0)];
    hashes.extend((0..zkcred_core::tree::DEPTH).map(|level| ("node hash", level)));
    for (name, item) in hashes {
        let w = h.section(name, item).witnesses.clone();
        for k in [w.start, w.start + w.len() / 2] {
            h.assert_breaks_only(&[(k, h.witness[k] + ONE)], name, item);
        }
    }
}

#[test]
fn another_secret_breaks_the_holder_key_and_the_nullifier() {
    let f = fixture();
    let h = honest(&f, CompiledPolicy::default());
    let s = h.var("secret", 0, 0);
    let out = h.check(&[(s, h.witness[s] + ONE)]);
    assert!(!out.satisfied);
    assert_eq!(out.sections, ["holder key/0", "nullifier hash/0"]);
}

#[test]
fn no_witness_variable_is_free() {
    // Every witness variable, changed alone to a random value, breaks some constraint. (Under
    // an "in" predicate that holds, d = 0 and the non-membership inverse is free, harmlessly:
    // it only matters for "not in". So the sweep runs a "not in" statement.)
    let f = fixture();
    let pol = json!({"real_name_verified": {"$eq": 1}, "birth_date": {"$lte": "today-18y"},
        "nationality": {"$nin": [344, 446]}, "disclose": ["region", "name"]});
    let w = named(&f, NAME, Fr::from(5u64));
    let h = Honest::new(&statement_of(&f, &w, policy(pol, "2026-11-24"), "s"), &w);
    let mut rng = rng();
    let free = h.free_variables(|_| Fr::rand(&mut rng));
    assert_eq!(free, Vec::<usize>::new(), "witness variables nothing binds");
    // The sections cover every constraint and every witness.
    let (mut c, mut w) = (0, 0);
    for s in &h.layout.sections {
        assert_eq!((s.constraints.start, s.witnesses.start), (c, w), "{s:?}");
        (c, w) = (s.constraints.end, s.witnesses.end);
    }
    assert_eq!(c, zkcred_circuits::circuit::NUM_CONSTRAINTS);
    assert_eq!(w, h.witness.len());
}
