//! The optimized prover's proofs verify with ark-groth16's verifier, false statements are named
//! before proving, and a key for another circuit is refused.

use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use ark_snark::SNARK;
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_circuits::CredentialCircuit;
use zkcred_core::credential::{leaf_commitment, Attributes, HolderSecret};
use zkcred_core::date::Date;
use zkcred_core::name::NameOpening;
use zkcred_core::policy::{compile, preset};
use zkcred_core::schema::Schema;
use zkcred_core::scope::scope_hash;
use zkcred_core::statement::{NameWitness, PublicInputs, Violation, Witness};
use zkcred_core::tree::SparseTree;
use zkcred_prover::{ProveError, Prover};

fn statement(birth: u64, today: &str, rng: &mut ChaCha20Rng) -> (PublicInputs, Witness) {
    let secret = HolderSecret::random(rng);
    let attributes =
        Attributes::new([1, birth, 20310101, 156, 110105, 1, 7, 0].map(Fr::from)).unwrap();
    let salt = Fr::rand(rng);
    let mut tree = SparseTree::new();
    tree.set(0, Fr::rand(rng));
    tree.set(1, leaf_commitment(secret.public_key(), &attributes, salt));
    let policy = compile(
        &preset("adult-realname").unwrap(),
        &Schema::identity_v1(),
        Date::parse(today).unwrap(),
    )
    .unwrap();
    let scope = scope_hash("platform");
    let w = Witness {
        path: tree.path(1),
        secret,
        attributes,
        salt,
        name: None,
    };
    let public = w.public_inputs(tree.root(), scope, scope_hash("nonce"), policy);
    (public, w)
}

#[test]
fn proofs_verify_with_ark_groth16_and_false_claims_are_named() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let (pk, vk) =
        Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), &mut rng).unwrap();
    let prover = Prover::new(pk).unwrap();
    let (public, witness) = statement(20080229, "2026-11-24", &mut rng);
    let (proof, timings) = prover.prove_timed(&public, &witness, &mut rng).unwrap();
    assert!(timings.groth16 > timings.check);
    let inputs = public.to_field_elements();
    assert!(Groth16::<Bn254>::verify(&vk, &inputs, &proof).unwrap());
    // Two proofs of one statement differ (fresh r, s) and both verify.
    let again = prover.prove(&public, &witness, &mut rng).unwrap();
    assert_ne!(proof, again);
    assert!(Groth16::<Bn254>::verify(&vk, &inputs, &again).unwrap());

    let (minor, w) = statement(20081125, "2026-11-24", &mut rng);
    match prover.prove(&minor, &w, &mut rng) {
        Err(ProveError::Unsatisfied(Violation::OutOfRange { slot: 1, .. })) => {}
        other => panic!("expected an out-of-range birth date, got {other:?}"),
    }
    // A name opening for a request that does not ask for the name is refused before proving.
    let mut named = witness.clone();
    let opening = NameOpening::random("张伟", &mut rng).unwrap();
    named.name = Some(NameWitness::new(&opening, Fr::from(1u64)));
    match prover.prove(&public, &named, &mut rng) {
        Err(ProveError::Unsatisfied(Violation::NameNotAsked)) => {}
        other => panic!("expected the unasked name to be refused, got {other:?}"),
    }
}

#[test]
fn key_for_another_circuit_is_refused() {
    use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
    struct Tiny;
    impl ConstraintSynthesizer<Fr> for Tiny {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let x = cs.new_input_variable(|| Ok(Fr::from(1u64)))?;
            cs.enforce_r1cs_constraint(|| x.into(), || x.into(), || x.into())
        }
    }
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let (pk, _) = Groth16::<Bn254>::circuit_specific_setup(Tiny, &mut rng).unwrap();
    assert!(matches!(Prover::new(pk), Err(ProveError::KeyMismatch(_))));
}
