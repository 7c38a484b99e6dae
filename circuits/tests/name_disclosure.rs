//! The name disclosure, claim by claim: fresh per presentation, opening to the committed name,
//! unconstrained when not asked, and every dishonest witness (another pack, another name's
//! disclosure, a changed variable of the honest assignment) rejected, in the section it aims at.

mod common;

use ark_relations::gr1cs::ConstraintSystem;
use ark_std::UniformRand;
use common::mutate::Honest;
use common::*;
use zkcred_circuits::CredentialCircuit;
use zkcred_core::name::{self, NameOpening};
use zkcred_core::policy::CompiledPolicy;
use zkcred_core::statement::{check_satisfaction, PublicInputs, Violation, Witness};
use zkcred_core::Fr;

#[test]
fn name_disclosure_is_fresh_per_presentation_and_opens_to_the_name() {
    let f = fixture();
    let mut rng = rng();
    let (t1, t2) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
    let (w1, w2) = (named(&f, NAME, t1), named(&f, NAME, t2));
    let p1 = statement_of(&f, &w1, name_policy(), "platform-a");
    let p2 = statement_of(&f, &w2, name_policy(), "platform-b");
    assert!(verdict(&p1, &w1));
    assert!(verdict(&p2, &w2));
    // Two platforms see two unrelated values, each opening to the same name.
    assert_ne!(p1.name_disclosure, p2.name_disclosure);
    assert_eq!(
        p1.name_disclosure,
        NameOpening::new(NAME, t1).unwrap().disclosure()
    );
    assert_eq!(
        p2.name_disclosure,
        NameOpening::new(NAME, t2).unwrap().disclosure()
    );
    // Neither carries the name commitment anywhere.
    let nc = f.witness.attributes.values()[6];
    for p in [&p1, &p2] {
        assert!(!p.to_field_elements().contains(&nc));
    }
}

#[test]
fn name_is_not_constrained_when_not_asked() {
    let f = fixture();
    let p = statement(&f, full_policy(), "s");
    assert_eq!(p.name_disclosure, Fr::from(0u64));
    assert!(verdict(&p, &f.witness));
    // Whatever sits in the name witness, the circuit does not look at it ...
    let stray = named(&f, "李娜", Fr::from(5u64));
    assert!(circuit_accepts(&p, &stray));
    // ... but the holder refuses to prove with a name the request does not ask for.
    assert_eq!(check_satisfaction(&p, &stray), Err(Violation::NameNotAsked));
    // A non-zero name disclosure without the name bit is refused by both.
    let mut leak = p.clone();
    leak.name_disclosure = NameOpening::new(NAME, Fr::from(5u64)).unwrap().disclosure();
    assert!(!verdict(&leak, &f.witness));
}

#[test]
fn name_asked_without_a_name_witness_is_rejected() {
    let f = fixture();
    let p = statement(&f, name_policy(), "s");
    assert_eq!(p.name_disclosure, Fr::from(0u64));
    assert_eq!(
        check_satisfaction(&p, &f.witness),
        Err(Violation::NameMissing)
    );
    assert!(!circuit_accepts(&p, &f.witness));
}

#[test]
fn pack_that_does_not_match_the_name_commitment_is_rejected() {
    let f = fixture();
    // Another name, with its disclosure computed honestly: only H(pack, name_salt) = a_6 fails.
    let w = named(&f, "李娜", Fr::from(5u64));
    let p = statement_of(&f, &w, name_policy(), "s");
    assert_eq!(check_satisfaction(&p, &w), Err(Violation::NameCommitment));
    assert!(!circuit_accepts(&p, &w));
    // The right name under a wrong salt.
    let mut w = named(&f, NAME, Fr::from(5u64));
    if let Some(n) = w.name.as_mut() {
        n.salt += Fr::from(1u64);
    }
    let p = statement_of(&f, &w, name_policy(), "s");
    assert!(!verdict(&p, &w));
}

#[test]
fn name_disclosure_computed_from_another_name_is_rejected() {
    let f = fixture();
    let t = Fr::from(5u64);
    let w = named(&f, NAME, t);
    let mut p = statement_of(&f, &w, name_policy(), "s");
    p.name_disclosure = NameOpening::new("李娜", t).unwrap().disclosure();
    assert_eq!(check_satisfaction(&p, &w), Err(Violation::NameDisclosure));
    assert!(!circuit_accepts(&p, &w));
    // The right name under another t is another disclosure, refused as well.
    p.name_disclosure = NameOpening::new(NAME, t + Fr::from(1u64))
        .unwrap()
        .disclosure();
    assert!(!verdict(&p, &w));
}

#[test]
fn disclosing_the_name_commitment_is_unsatisfiable() {
    let f = fixture();
    let pol = CompiledPolicy {
        disclose_mask: 1 << 6,
        ..Default::default()
    };
    let p = statement(&f, pol, "s");
    assert_eq!(p.disclosed[6], f.witness.attributes.values()[6]);
    assert_eq!(
        check_satisfaction(&p, &f.witness),
        Err(Violation::NameCommitmentDisclosed)
    );
    // Bit 6 of flags is the constant 0 in the circuit: no decomposition exists.
    assert!(!circuit_accepts(&p, &f.witness));
    let mut hidden = p.clone();
    hidden.disclosed[6] = Fr::from(0u64);
    assert!(!circuit_accepts(&hidden, &f.witness));
}

/// Synthesizes a (dishonest but internally consistent) statement and returns the section of
/// its first unsatisfied constraint: every claim synthesized before it holds.
fn first_failing_section(public: &PublicInputs, witness: &Witness) -> String {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let layout = CredentialCircuit {
        public: public.clone(),
        witness: witness.clone(),
    }
    .synthesize(cs.clone())
    .unwrap();
    assert!(!cs.is_satisfied().unwrap());
    let first = cs.which_is_unsatisfied().unwrap().unwrap();
    let k: usize = first.rsplit(" - ").next().unwrap().parse().unwrap();
    let s = layout.of_constraint(k).unwrap();
    format!("{}/{}", s.name, s.item)
}

#[test]
fn a_consistent_witness_for_another_name_fails_exactly_at_the_commitment() {
    let f = fixture();
    // Every Poseidon state computed honestly from pack("李娜"): only H(pack, name_salt) = a_6
    // fails, and with it nothing before.
    let liar = named(&f, "李娜", Fr::from(5u64));
    let lie = statement_of(&f, &liar, name_policy(), "s");
    assert_eq!(first_failing_section(&lie, &liar), "name commitment/0");
    // The right pack, and the public disclosure of another name: the last claim fails.
    let w = named(&f, NAME, Fr::from(5u64));
    let mut p = statement_of(&f, &w, name_policy(), "s");
    p.name_disclosure = NameOpening::new("李娜", Fr::from(5u64))
        .unwrap()
        .disclosure();
    assert_eq!(first_failing_section(&p, &w), "name disclosure/0");
}

#[test]
fn changed_name_variables_of_the_honest_assignment_break_their_section() {
    let f = fixture();
    let w = named(&f, NAME, Fr::from(5u64));
    let h = Honest::new(&statement_of(&f, &w, name_policy(), "s"), &w);
    let (pack, salt, t) = (
        h.var("name", 0, 0),
        h.var("name", 0, 1),
        h.var("name", 0, 2),
    );
    assert_eq!(h.witness[pack], name::pack(NAME).unwrap());
    // The salt and t each enter one hash only.
    h.assert_breaks_only(&[(salt, Fr::from(43u64))], "name commitment hash", 0);
    h.assert_breaks_only(&[(t, Fr::from(6u64))], "name disclosure hash", 0);
    // pack(李娜) in place of pack(张伟) breaks both hashes.
    let out = h.check(&[(pack, name::pack("李娜").unwrap())]);
    assert!(!out.satisfied);
    assert_eq!(
        out.sections,
        ["name commitment hash/0", "name disclosure hash/0"]
    );
    // The name bit cleared (flags unchanged): the packing and N = n·H(pack, t) both fail.
    // Bits 0..5 and 7..13 are witnesses: bit 13 is the 13th.
    let n = h.var("flag bits", 0, 12);
    assert_eq!(h.witness[n], Fr::from(1u64));
    let out = h.check(&[(n, Fr::from(0u64))]);
    assert!(!out.satisfied);
    assert_eq!(out.sections, ["flag packing/0", "name disclosure/0"]);
}

#[test]
fn without_the_name_bit_no_name_claim_is_made() {
    let f = fixture();
    let h = Honest::new(&statement(&f, full_policy(), "s"), &f.witness);
    // The name witness is 0 and bound only by the hash rounds computed from it: changing it
    // never reaches the two name claims.
    for k in 0..3 {
        let out = h.check(&[(h.var("name", 0, k), Fr::from(7u64))]);
        assert!(!out.satisfied);
        assert!(
            (out.sections.iter()).all(|s| s.ends_with("hash/0")),
            "{:?}",
            out.sections
        );
    }
}
