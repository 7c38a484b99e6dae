//! Generated invalid statements, one generator per claim (membership, range, set, disclosure,
//! nullifier, name disclosure): each case is rejected by the native `check_satisfaction`, with the violation of
//! that claim, and by the constraint system.
//!
//! 16 cases per generator unless `PROPTEST_CASES` says otherwise, from a fixed seed unless
//! `PROPTEST_RNG_SEED` says otherwise; failures are not persisted to files.

mod common;

use ark_std::UniformRand;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_core::credential::HolderSecret;
use zkcred_core::name::NameOpening;
use zkcred_core::policy::{CompiledPolicy, SetMode, SetPredicate};
use zkcred_core::schema::SLOTS;
use zkcred_core::statement::{check_satisfaction, PublicInputs, Violation, Witness};
use zkcred_core::{nullifier::nullifier, scope::scope_hash, Fr};

fn config() -> ProptestConfig {
    let mut c = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 16;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(2026);
    }
    c
}

fn fr(seed: u64) -> Fr {
    Fr::rand(&mut ChaCha20Rng::seed_from_u64(seed))
}

/// Asserts that both the native check and the circuit reject; returns the native violation.
fn rejected(public: &PublicInputs, witness: &Witness) -> Violation {
    let v = check_satisfaction(public, witness).expect_err("the native check accepts");
    assert!(
        !circuit_accepts(public, witness),
        "the circuit accepts ({v})"
    );
    v
}

prop_compose! {
    /// A leaf that is not under the root: another root, another salt or another leaf index.
    fn arb_invalid_membership_statement()(kind in 0..3u8, seed in any::<u64>(), index in any::<u32>())
        -> (PublicInputs, Witness) {
        let f = fixture();
        let (mut p, mut w) = (statement(&f, full_policy(), "s"), f.witness.clone());
        match kind {
            0 => p.root = fr(seed),
            1 => w.salt += fr(seed),
            _ => w.path.index = if index == INDEX { index ^ 1 } else { index },
        }
        (p, w)
    }
}

prop_compose! {
    /// A numeric attribute below `lo` or above `hi` by a random distance.
    fn arb_invalid_range_statement()(
        slot in 0..6usize,
        value in any::<u64>(),
        gap in prop_oneof![0..4u64, any::<u64>()],
        width in any::<u64>(),
        below in any::<bool>(),
    ) -> (PublicInputs, Witness, usize) {
        let mut a = attrs(20080229, 20310101, 110105);
        a[slot] = Fr::from(value);
        let f = fixture_with(a);
        let mut pol = CompiledPolicy::default();
        if (below && value < u64::MAX) || value == 0 {
            let lo = value + 1 + gap % (u64::MAX - value);
            pol.lo[slot] = lo;
            pol.hi[slot] = lo + width % (u64::MAX - lo + 1);
        } else {
            let hi = value - 1 - gap % value;
            pol.hi[slot] = hi;
            pol.lo[slot] = hi - width % (hi + 1);
        }
        (statement(&f, pol, "s"), f.witness.clone(), slot)
    }
}

prop_compose! {
    /// "In" with the attribute outside the values, or "not in" with it among them.
    fn arb_invalid_set_statement()(
        slot in 0..SLOTS,
        member in any::<bool>(),
        others in proptest::collection::vec(any::<u64>(), 0..8),
        at in any::<usize>(),
    ) -> (PublicInputs, Witness, usize, bool) {
        let f = fixture();
        let x = f.witness.attributes.values()[slot];
        let mut values: Vec<Fr> = others.into_iter().map(Fr::from).filter(|v| *v != x).collect();
        let mode = if member {
            values.insert(at % (values.len() + 1), x);
            SetMode::NotIn
        } else {
            if values.is_empty() {
                values.push(x + Fr::from(1u64));
            }
            SetMode::In
        };
        let pol = CompiledPolicy {
            set: Some(SetPredicate::new(slot, mode, values).unwrap()),
            ..CompiledPolicy::default()
        };
        (statement(&f, pol, "s"), f.witness.clone(), slot, member)
    }
}

prop_compose! {
    /// A disclosed value that differs from the attribute, or a value outside the mask (whose
    /// bit 6 is never set: disclosing the name commitment is refused before, see
    /// `name_disclosure.rs`).
    fn arb_invalid_disclosure_statement()(
        mask in any::<u8>().prop_map(|m| m & !(1 << 6)),
        pick in any::<usize>(),
        delta in any::<u64>(),
        leak in any::<bool>(),
    ) -> (PublicInputs, Witness, usize) {
        let f = fixture();
        let pol = CompiledPolicy {
            disclose_mask: mask,
            ..CompiledPolicy::default()
        };
        let mut p = statement(&f, pol, "s");
        let leak = (leak || mask == 0) && mask != u8::MAX;
        let candidates: Vec<usize> =
            (0..SLOTS).filter(|i| (mask >> i & 1 == 1) != leak).collect();
        let slot = candidates[pick % candidates.len()];
        let nonzero = Fr::from(delta) + Fr::from(1u64);
        let attribute = f.witness.attributes.values()[slot];
        if !leak {
            p.disclosed[slot] += nonzero;
        } else if delta % 2 == 0 && attribute != Fr::from(0u64) {
            p.disclosed[slot] = attribute; // the true value, outside the mask
        } else {
            p.disclosed[slot] = nonzero;
        }
        (p, f.witness.clone(), slot)
    }
}

prop_compose! {
    /// A nullifier for another scope, or of another secret.
    fn arb_invalid_nullifier_statement()(other_scope in any::<bool>(), seed in any::<u64>())
        -> (PublicInputs, Witness) {
        let f = fixture();
        let mut p = statement(&f, full_policy(), "platform-a");
        if other_scope {
            p.scope = scope_hash(&format!("platform-{seed}"));
        } else {
            let other = HolderSecret::random(&mut ChaCha20Rng::seed_from_u64(seed));
            p.nullifier = nullifier(&other, p.scope);
        }
        (p, f.witness.clone())
    }
}

prop_compose! {
    /// A name disclosure that does not open the credential's name commitment: another name's
    /// witness (consistent with its own disclosure), the holder's witness with another
    /// name's or another t's disclosure, or a non-zero disclosure the request does not ask for.
    fn arb_invalid_name_statement()(
        kind in 0..4u8,
        other in "[a-zA-Z\u{4e00}-\u{4e20}]{1,12}",
        t in any::<u64>(),
    ) -> (PublicInputs, Witness, Violation) {
        let f = fixture();
        let other = if other == NAME { format!("{other}x") } else { other };
        let t = Fr::from(t);
        let other_disclosure = NameOpening::new(&other, t).unwrap().disclosure();
        match kind {
            0 => {
                let w = named(&f, &other, t);
                (statement_of(&f, &w, name_policy(), "s"), w, Violation::NameCommitment)
            }
            1 | 2 => {
                let w = named(&f, NAME, t);
                let mut p = statement_of(&f, &w, name_policy(), "s");
                p.name_disclosure = if kind == 1 {
                    other_disclosure
                } else {
                    NameOpening::new(NAME, t + Fr::from(1u64)).unwrap().disclosure()
                };
                (p, w, Violation::NameDisclosure)
            }
            _ => {
                let mut p = statement(&f, full_policy(), "s");
                p.name_disclosure = other_disclosure;
                (p, f.witness.clone(), Violation::NameDisclosure)
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn name_disclosure((p, w, violation) in arb_invalid_name_statement()) {
        prop_assert_eq!(rejected(&p, &w), violation);
    }

    #[test]
    fn membership((p, w) in arb_invalid_membership_statement()) {
        prop_assert!(matches!(rejected(&p, &w), Violation::NotInTree(_)));
    }

    #[test]
    fn range((p, w, slot) in arb_invalid_range_statement()) {
        let v = rejected(&p, &w);
        prop_assert!(matches!(v, Violation::OutOfRange { slot: s, .. } if s == slot), "{v}");
    }

    #[test]
    fn set((p, w, slot, member) in arb_invalid_set_statement()) {
        prop_assert_eq!(rejected(&p, &w), Violation::Set { slot, member });
    }

    #[test]
    fn disclosure((p, w, slot) in arb_invalid_disclosure_statement()) {
        prop_assert_eq!(rejected(&p, &w), Violation::Disclosure { slot });
    }

    #[test]
    fn nullifier_claim((p, w) in arb_invalid_nullifier_statement()) {
        prop_assert_eq!(rejected(&p, &w), Violation::Nullifier);
    }
}

#[test]
fn set_predicate_with_the_attribute_eighth_agrees() {
    // The native check and the circuit read the same 8 values: with the attribute last of
    // eight, "in" holds and "not in" fails in both. (A ninth value, on which they used to
    // disagree, can no longer be built.)
    let f = fixture();
    for slot in 0..SLOTS {
        let x = f.witness.attributes.values()[slot];
        let mut values: Vec<Fr> = (1..8u64).map(|k| x + Fr::from(k)).collect();
        values.push(x);
        for (mode, holds) in [(SetMode::In, true), (SetMode::NotIn, false)] {
            let pol = CompiledPolicy {
                set: Some(SetPredicate::new(slot, mode, values.clone()).unwrap()),
                ..CompiledPolicy::default()
            };
            assert_eq!(
                verdict(&statement(&f, pol, "s"), &f.witness),
                holds,
                "slot {slot} {mode:?}"
            );
        }
    }
}
