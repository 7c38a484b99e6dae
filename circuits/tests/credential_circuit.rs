//! The credential circuit, claim by claim: every false statement is rejected by both the native
//! `check_satisfaction` and the constraint system; the count and input order are pinned; a
//! Groth16 round trip works and rejects any changed public input.

mod common;

use ark_bn254::Bn254;
use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use ark_snark::SNARK;
use common::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use zkcred_circuits::circuit::NUM_CONSTRAINTS;
use zkcred_circuits::CredentialCircuit;
use zkcred_core::credential::HolderSecret;
use zkcred_core::name::NameOpening;
use zkcred_core::policy::CompiledPolicy;
use zkcred_core::statement::{index, DISCLOSE_NAME_BIT, NUM_PUBLIC_INPUTS};
use zkcred_core::{scope::scope_hash, Fr};

#[test]
fn valid_credential_is_accepted() {
    let f = fixture();
    let p = statement(&f, full_policy(), "x.com/verified-creators");
    assert!(verdict(&p, &f.witness));
    assert_eq!(p.disclosed[4], Fr::from(110105u64));
}

#[test]
fn constraint_count_is_pinned_and_fits_the_domain() {
    let cs = ConstraintSystem::<Fr>::new_ref();
    CredentialCircuit::blank()
        .generate_constraints(cs.clone())
        .unwrap();
    assert_eq!(cs.num_constraints(), NUM_CONSTRAINTS);
    const { assert!(NUM_CONSTRAINTS <= 8150) };
    // Groth16's QAP domain holds the constraints plus one row per instance variable.
    assert!(NUM_CONSTRAINTS + cs.num_instance_variables() <= 1 << 13);
    assert_eq!(cs.num_instance_variables(), NUM_PUBLIC_INPUTS + 1);
}

#[test]
fn public_input_order_is_pinned() {
    let f = fixture();
    let p = statement(&f, full_policy(), "x.com/verified-creators");
    let cs = ConstraintSystem::<Fr>::new_ref();
    CredentialCircuit {
        public: p.clone(),
        witness: f.witness.clone(),
    }
    .generate_constraints(cs.clone())
    .unwrap();
    let instance = cs.instance_assignment().unwrap();
    let inputs = p.to_field_elements();
    assert_eq!(&instance[1..], &inputs[..]);
    assert_eq!(inputs[index::ROOT], p.root);
    assert_eq!(inputs[index::NULLIFIER], p.nullifier);
    assert_eq!(inputs[index::SCOPE], scope_hash("x.com/verified-creators"));
    assert_eq!(inputs[index::MESSAGE], scope_hash("account:alice"));
    // mask = region (bit 4); set on nationality (slot 3) in "in" mode.
    assert_eq!(
        inputs[index::FLAGS],
        Fr::from((1u64 << 4) | (3 << 8) | (1 << 11))
    );
    assert_eq!(inputs[index::LO], Fr::from(1u64));
    assert_eq!(inputs[index::HI + 1], Fr::from(20081124u64));
    assert_eq!(inputs[index::LO + 2], Fr::from(20261124u64));
    assert_eq!(
        inputs[index::SET..index::SET + 4],
        [156u64, 344, 446, 156].map(Fr::from)
    );
    assert_eq!(inputs[index::DISCLOSED + 4], Fr::from(110105u64));
    assert_eq!(index::DISCLOSED + 8, index::NAME_DISCLOSURE);
    assert_eq!(inputs[index::NAME_DISCLOSURE], Fr::from(0u64));
    assert_eq!(index::NAME_DISCLOSURE + 1, NUM_PUBLIC_INPUTS);
    // With the name disclosed: flags bit 13, and H(pack, t) last.
    let w = named(&f, NAME, Fr::from(9u64));
    let p = statement_of(&f, &w, name_policy(), "s");
    let inputs = p.to_field_elements();
    assert_eq!(
        inputs[index::FLAGS],
        Fr::from((1u64 << DISCLOSE_NAME_BIT) | (1 << 4))
    );
    assert_eq!(
        inputs[index::NAME_DISCLOSURE],
        NameOpening::new(NAME, Fr::from(9u64)).unwrap().disclosure()
    );
}

#[test]
fn wrong_secret_is_rejected() {
    let f = fixture();
    let p = statement(&f, full_policy(), "s");
    let mut w = f.witness.clone();
    w.secret = HolderSecret::random(&mut rng());
    assert!(!verdict(&p, &w));
}

#[test]
fn wrong_path_bit_and_wrong_sibling_are_rejected() {
    let f = fixture();
    let p = statement(&f, full_policy(), "s");
    for flip in [1u32, 2, 1 << 8, 1 << 31] {
        let mut w = f.witness.clone();
        w.path.index ^= flip;
        assert!(!verdict(&p, &w), "index bit {flip}");
    }
    for (level, k) in [(0, 0), (0, 2), (7, 1), (15, 2)] {
        let mut w = f.witness.clone();
        w.path.siblings[level][k] += Fr::from(1u64);
        assert!(!verdict(&p, &w), "sibling {level}/{k}");
    }
}

#[test]
fn leaf_not_in_tree_is_rejected() {
    let f = fixture();
    let p = statement(&f, full_policy(), "s");
    let mut w = f.witness.clone();
    w.salt += Fr::from(1u64);
    assert!(!verdict(&p, &w));
    // A credential under another root (e.g. after revocation) is rejected too.
    let mut revoked = f.tree.clone();
    revoked.set(5, Fr::from(0u64));
    let mut p2 = p.clone();
    p2.root = revoked.root();
    assert!(!verdict(&p2, &f.witness));
}

#[test]
fn nullifier_for_another_scope_is_rejected() {
    let f = fixture();
    let p = statement(&f, full_policy(), "platform-a");
    let mut other = p.clone();
    other.scope = scope_hash("platform-b");
    assert!(!verdict(&other, &f.witness));
    let mut forged = p.clone();
    forged.nullifier += Fr::from(1u64);
    assert!(!verdict(&forged, &f.witness));
}

#[test]
fn attribute_one_outside_each_bound_is_rejected() {
    let f = fixture();
    for slot in 0..6 {
        let value = zkcred_core::encoding::fr_to_u64(&f.witness.attributes.values()[slot]).unwrap();
        let mut base = CompiledPolicy::default();
        base.lo[slot] = value;
        base.hi[slot] = value;
        assert!(
            verdict(&statement(&f, base.clone(), "s"), &f.witness),
            "slot {slot} exact"
        );
        let mut above = base.clone();
        above.lo[slot] = value + 1; // attribute = lo - 1
        above.hi[slot] = value + 1;
        assert!(
            !verdict(&statement(&f, above, "s"), &f.witness),
            "slot {slot} lo-1"
        );
        let mut below = base.clone();
        below.lo[slot] = value - 1;
        below.hi[slot] = value - 1; // attribute = hi + 1
        assert!(
            !verdict(&statement(&f, below, "s"), &f.witness),
            "slot {slot} hi+1"
        );
    }
}

#[test]
fn sixty_four_bit_edges() {
    for (value, lo, hi, ok) in [
        (0u64, 0u64, 0u64, true),
        (0, 1, u64::MAX, false),
        (u64::MAX, 0, u64::MAX, true),
        (u64::MAX, u64::MAX, u64::MAX, true),
        (u64::MAX, 0, u64::MAX - 1, false),
    ] {
        let mut a = attrs(20080229, 20310101, 110105);
        a[5] = Fr::from(value);
        let f = fixture_with(a);
        let mut pol = CompiledPolicy::default();
        pol.lo[5] = lo;
        pol.hi[5] = hi;
        assert_eq!(
            verdict(&statement(&f, pol, "s"), &f.witness),
            ok,
            "{value} in [{lo}, {hi}]"
        );
    }
}

#[test]
fn field_element_of_64_bits_or_more_in_a_numeric_slot_is_rejected() {
    for big in [
        Fr::from(u64::MAX) + Fr::from(1u64),
        -Fr::from(1u64),
        -Fr::from(20080229u64),
    ] {
        let mut a = attrs(20080229, 20310101, 110105);
        a[1] = big;
        let f = fixture_with(a);
        // Even the policy that asks nothing still bounds every numeric slot to [0, 2^64 - 1].
        assert!(!verdict(
            &statement(&f, CompiledPolicy::default(), "s"),
            &f.witness
        ));
    }
}

#[test]
fn set_membership_and_non_membership_violations_are_rejected() {
    let f = fixture(); // nationality 156
    let in_set =
        |vals: serde_json::Value| policy(json!({"nationality": {"$in": vals}}), "2026-11-24");
    let not_in =
        |vals: serde_json::Value| policy(json!({"nationality": {"$nin": vals}}), "2026-11-24");
    assert!(verdict(
        &statement(&f, in_set(json!([156])), "s"),
        &f.witness
    ));
    assert!(verdict(
        &statement(&f, in_set(json!([1, 2, 3, 4, 5, 6, 7, 156])), "s"),
        &f.witness
    ));
    assert!(!verdict(
        &statement(&f, in_set(json!([344, 446])), "s"),
        &f.witness
    ));
    assert!(verdict(
        &statement(&f, not_in(json!([344, 446])), "s"),
        &f.witness
    ));
    assert!(!verdict(
        &statement(&f, not_in(json!([344, 156])), "s"),
        &f.witness
    ));
    let ne = policy(json!({"nationality": {"$ne": 156}}), "2026-11-24");
    assert!(!verdict(&statement(&f, ne, "s"), &f.witness));
    // On an opaque slot.
    let nc = zkcred_core::encoding::fr_to_string(&f.witness.attributes.values()[6]);
    let opaque = policy(json!({"name_commitment": {"$in": [nc]}}), "2026-11-24");
    assert!(verdict(&statement(&f, opaque, "s"), &f.witness));
}

#[test]
fn disclosed_value_that_differs_is_rejected() {
    let f = fixture();
    let p = statement(&f, full_policy(), "s");
    let mut lie = p.clone();
    lie.disclosed[4] += Fr::from(1u64);
    assert!(!verdict(&lie, &f.witness));
    // A value outside the mask must stay 0.
    let mut leak = p.clone();
    leak.disclosed[1] = f.witness.attributes.values()[1];
    assert!(!verdict(&leak, &f.witness));
}

#[test]
fn birthday_rule_edges() {
    let over18 = |today: &str| policy(json!({"birth_date": {"$lte": "today-18y"}}), today);
    let f = fixture_with(attrs(20081125, 20310101, 110105));
    assert!(!verdict(
        &statement(&f, over18("2026-11-24"), "s"),
        &f.witness
    ));
    assert!(verdict(
        &statement(&f, over18("2026-11-25"), "s"),
        &f.witness
    ));
    let leap = fixture_with(attrs(20080229, 20310101, 110105));
    assert!(!verdict(
        &statement(&leap, over18("2026-02-28"), "s"),
        &leap.witness
    ));
    assert!(verdict(
        &statement(&leap, over18("2026-03-01"), "s"),
        &leap.witness
    ));
}

#[test]
fn expired_credential_is_rejected() {
    let f = fixture_with(attrs(20080229, 20261123, 110105));
    let p = policy(json!({"expiry_date": {"$gte": "today"}}), "2026-11-24");
    assert!(!verdict(&statement(&f, p, "s"), &f.witness));
}

#[test]
fn groth16_round_trip_rejects_any_changed_public_input() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (pk, vk) =
        Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), &mut rng).unwrap();
    let f = fixture();
    let public = statement(&f, full_policy(), "x.com/verified-creators");
    let proof = Groth16::<Bn254>::prove(
        &pk,
        CredentialCircuit {
            public: public.clone(),
            witness: f.witness.clone(),
        },
        &mut rng,
    )
    .unwrap();
    let inputs = public.to_field_elements();
    let pvk = Groth16::<Bn254>::process_vk(&vk).unwrap();
    assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &inputs, &proof).unwrap());
    for i in 0..NUM_PUBLIC_INPUTS {
        let mut changed = inputs.clone();
        changed[i] += Fr::from(1u64);
        assert!(
            !Groth16::<Bn254>::verify_with_processed_vk(&pvk, &changed, &proof).unwrap(),
            "public input {i} changed but the proof still verifies"
        );
    }
}
