//! The optimized prover's proofs verify with ark-groth16's verifier, false statements are named
//! before proving, and a key for another circuit is refused.

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, ProvingKey};
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
use zkcred_setup::keys::verifying_key;

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
    let prover = Prover::new(pk, &verifying_key(&vk).unwrap()).unwrap();
    let (public, witness) = statement(20080229, "2026-11-24", &mut rng);
    let (proof, timings) = prover.prove_timed(&public, &witness, &mut rng).unwrap();
    assert!(timings.groth16 > timings.check);
    let inputs = public.to_field_elements();
    assert!(Groth16::<Bn254>::verify(&vk, &inputs, &ark(&proof)).unwrap());
    // Two proofs of one statement differ (fresh r, s) and both verify.
    let again = prover.prove(&public, &witness, &mut rng).unwrap();
    assert_ne!(proof, again);
    assert!(Groth16::<Bn254>::verify(&vk, &inputs, &ark(&again)).unwrap());

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
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(Tiny, &mut rng).unwrap();
    let vk = verifying_key(&vk).unwrap();
    assert!(matches!(
        Prover::new(pk, &vk),
        Err(ProveError::KeyMismatch(_))
    ));
}

/// A Groth16 proof at fixed `r`, `s` by zkcred's assembly, or by arkworks' when `!ours`.
fn assemble(
    prover: &Prover,
    pk: &ProvingKey<Bn254>,
    z: &[Fr],
    (r, s): (Fr, Fr),
    ours: bool,
) -> Result<Proof<Bn254>, ProveError> {
    let (m, n_inst, n_cons) = (
        prover.matrices(),
        prover.num_instance_variables(),
        prover.num_constraints(),
    );
    if ours {
        zkcred_prover::groth16::create_proof(pk, r, s, m, n_inst, n_cons, z)
    } else {
        Groth16::<Bn254>::create_proof_with_reduction_and_matrices(pk, r, s, m, n_inst, n_cons, z)
            .map_err(|e| ProveError::Synthesis(e.to_string()))
    }
}

#[test]
fn our_groth16_assembly_equals_arkworks_bit_for_bit_and_verifies() {
    use ark_ff::{AdditiveGroup, Field};
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let (pk, vk) =
        Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), &mut rng).unwrap();
    let prover = Prover::new(pk.clone(), &verifying_key(&pk.vk).unwrap()).unwrap();
    let (public, witness) = statement(20000101, "2026-11-24", &mut rng);
    let z = prover.full_assignment(&public, &witness).unwrap();
    let inputs = public.to_field_elements();
    let blinding = [
        (Fr::rand(&mut rng), Fr::rand(&mut rng)),
        (Fr::ZERO, Fr::rand(&mut rng)),
        (Fr::ZERO, Fr::ZERO),
        (-Fr::ONE, Fr::ONE),
    ];
    for rs in blinding {
        let ours = assemble(&prover, &pk, &z, rs, true).unwrap();
        assert_eq!(
            ours,
            assemble(&prover, &pk, &z, rs, false).unwrap(),
            "{rs:?}"
        );
        assert!(Groth16::<Bn254>::verify(&vk, &inputs, &ours).unwrap());
    }
    // A witness variable changed: the proof no longer verifies.
    let mut wrong = z.clone();
    let last = wrong.len() - 1;
    wrong[last] += Fr::ONE;
    let bad = assemble(&prover, &pk, &wrong, blinding[0], true).unwrap();
    assert!(!Groth16::<Bn254>::verify(&vk, &inputs, &bad).unwrap());
}

#[test]
fn a_key_with_a_short_query_is_refused_by_the_assembly() {
    use ark_ff::Field;
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let (pk, _) =
        Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), &mut rng).unwrap();
    let prover = Prover::new(pk.clone(), &verifying_key(&pk.vk).unwrap()).unwrap();
    let (public, witness) = statement(20000101, "2026-11-24", &mut rng);
    let z = prover.full_assignment(&public, &witness).unwrap();
    for cut in 0..3 {
        let mut short = pk.clone();
        match cut {
            0 => short.b_g1_query.truncate(pk.b_g1_query.len() - 1),
            1 => short.b_g2_query.truncate(pk.b_g2_query.len() - 1),
            _ => short.h_query.extend([pk.h_query[0]; 2]),
        }
        let r = assemble(&prover, &short, &z, (Fr::ONE, Fr::ONE), true);
        assert!(matches!(r, Err(ProveError::KeyMismatch(_))), "{cut}: {r:?}");
    }
}

/// A keys directory for a fresh dev key: `(dir, its path)`.
fn keys_dir(pk: &ProvingKey<Bn254>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys");
    zkcred_setup::keys::write_keys(&path, pk).unwrap();
    (dir, path)
}

fn flip_first_byte(path: &std::path::Path) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[0] ^= 1;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn keys_are_validated_once_then_opened_from_their_seal() {
    use zkcred_prover::keys::{self, KeysError, Provenance, MANIFEST, PROVER_CACHE};
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let pk = zkcred_setup::dev::generate(&mut rng).unwrap();
    let (_tmp, dir) = keys_dir(&pk);

    // No seal yet: validated in full and sealed; the next open uses the seal.
    let (_, first) = keys::open(&dir, false).unwrap();
    assert_eq!(first.provenance, Provenance::ValidatedAndSealed);
    assert!(dir.join(MANIFEST).exists() && dir.join(PROVER_CACHE).exists());
    let (prover, second) = keys::open(&dir, false).unwrap();
    assert_eq!(second.provenance, Provenance::Sealed);
    assert_eq!(second.circuit_id, first.circuit_id);
    // The prover from the seal proves, and its proof verifies with ark-groth16.
    let (public, witness) = statement(20080229, "2026-11-24", &mut rng);
    let proof = prover.prove(&public, &witness, &mut rng).unwrap();
    let inputs = public.to_field_elements();
    assert!(Groth16::<Bn254>::verify(&pk.vk, &inputs, &ark(&proof)).unwrap());
    assert_eq!(
        prover.matrices(),
        Prover::new(pk.clone(), prover.verifying_key())
            .unwrap()
            .matrices()
    );

    // Any sealed file changed afterwards is refused, naming it...
    for name in [
        "circuit_id",
        "proving_key.bin",
        "verification_key.json",
        PROVER_CACHE,
    ] {
        let (_tmp, dir) = keys_dir(&pk);
        keys::seal(&dir).unwrap();
        let file = dir.join(name);
        let original = std::fs::read(&file).unwrap();
        flip_first_byte(&file);
        match keys::open(&dir, false) {
            Err(KeysError::Changed { path, .. }) => assert_eq!(path, file),
            other => panic!(
                "{name} changed: expected a refusal, got {:?}",
                other.map(|p| p.1)
            ),
        }
        // ... and `revalidate` validates the directory as it is now.
        let revalidated = keys::open(&dir, true).map(|(_, r)| r.provenance);
        if name == PROVER_CACHE {
            // The cache is derived: validating the keys again rebuilds it.
            assert_eq!(revalidated.unwrap(), Provenance::ValidatedAndSealed);
            assert_eq!(
                keys::open(&dir, false).unwrap().1.provenance,
                Provenance::Sealed
            );
        } else {
            assert!(
                revalidated.is_err(),
                "{name} changed: the keys are invalid now"
            );
            std::fs::write(&file, original).unwrap();
            assert_eq!(
                keys::open(&dir, false).unwrap().1.provenance,
                Provenance::Sealed
            );
        }
    }

    // A seal whose manifest was rewritten to match a corrupt cache: an error, not a panic.
    let (_tmp, dir) = keys_dir(&pk);
    keys::seal(&dir).unwrap();
    let cache = std::fs::read(dir.join(PROVER_CACHE)).unwrap();
    let truncated = &cache[..cache.len() - 100];
    std::fs::write(dir.join(PROVER_CACHE), truncated).unwrap();
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).unwrap();
    let (old, new) = (hex_sha256(&cache), hex_sha256(truncated));
    std::fs::write(dir.join(MANIFEST), manifest.replace(&old, &new)).unwrap();
    assert!(matches!(
        keys::open(&dir, false),
        Err(KeysError::Seal { .. })
    ));

    // A seal made by another version is stale, not tampered: validated in full again.
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).unwrap();
    std::fs::write(dir.join(PROVER_CACHE), &cache).unwrap();
    let other = manifest
        .replace(&new, &old)
        .replace("zkcred-prover ", "zkcred-prover 0.0.0-");
    std::fs::write(dir.join(MANIFEST), other).unwrap();
    assert_eq!(
        keys::open(&dir, false).unwrap().1.provenance,
        Provenance::ValidatedAndSealed
    );

    // A malformed manifest is named.
    std::fs::write(dir.join(MANIFEST), "{\"format\": 1}").unwrap();
    assert!(matches!(
        keys::open(&dir, false),
        Err(KeysError::Seal { .. })
    ));

    // A seal that cannot be written: the keys are still validated and used.
    let (_tmp, dir) = keys_dir(&pk);
    std::fs::create_dir(dir.join(PROVER_CACHE)).unwrap();
    match keys::open(&dir, false).unwrap().1.provenance {
        Provenance::ValidatedNotSealed(why) => assert!(!why.is_empty()),
        other => panic!("expected an unsealed validation, got {other:?}"),
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn imported_keys_are_validated_whatever_seal_they_carry() {
    use zkcred_prover::keys::{self, KeysError, Provenance, MANIFEST, PROVER_CACHE};
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let pk = zkcred_setup::dev::generate(&mut rng).unwrap();
    let (_tmp, src) = keys_dir(&pk);
    keys::seal(&src).unwrap();
    let dst_root = tempfile::tempdir().unwrap();

    // A source whose proving key is corrupt but whose seal was rewritten to match it: import
    // ignores the seal, validates, refuses, and writes nothing.
    let pk_file = src.join("proving_key.bin");
    let good = std::fs::read(&pk_file).unwrap();
    let mut bad = good.clone();
    bad[good.len() / 2] ^= 0xff;
    std::fs::write(&pk_file, &bad).unwrap();
    let manifest = std::fs::read_to_string(src.join(MANIFEST)).unwrap();
    let forged = manifest.replace(&hex_sha256(&good), &hex_sha256(&bad));
    std::fs::write(src.join(MANIFEST), forged).unwrap();
    let dst = dst_root.path().join("a");
    match keys::import(&src, &dst) {
        Err(KeysError::InvalidProvingKey { .. }) => {}
        other => panic!("expected the corrupt key to be refused, got {other:?}"),
    }
    assert!(!dst.join("proving_key.bin").exists());

    // A good source: copied, validated, sealed (its own seal not copied).
    std::fs::write(&pk_file, &good).unwrap();
    let id = keys::import(&src, &dst).unwrap();
    assert_eq!(id, zkcred_verifier::keys::read_circuit_id(&src).unwrap());
    assert!(dst.join(MANIFEST).exists() && dst.join(PROVER_CACHE).exists());
    assert_eq!(
        keys::open(&dst, false).unwrap().1.provenance,
        Provenance::Sealed
    );
    // Importing over keys is refused.
    assert!(matches!(
        keys::import(&src, &dst),
        Err(KeysError::Io { .. })
    ));
}

#[test]
fn a_truncated_key_or_a_wrong_circuit_id_is_refused() {
    use zkcred_prover::keys::{self, KeysError};
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let pk = zkcred_setup::dev::generate(&mut rng).unwrap();
    let (_tmp, dir) = keys_dir(&pk);
    let (read, _) = keys::read_proving_key(&dir).unwrap();
    assert_eq!(read.vk, pk.vk);
    let file = dir.join("proving_key.bin");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        keys::open(&dir, false),
        Err(KeysError::InvalidProvingKey { .. })
    ));
    std::fs::write(&file, &bytes).unwrap();
    std::fs::write(dir.join("circuit_id"), format!("{}\n", "0".repeat(64))).unwrap();
    assert!(matches!(
        keys::open(&dir, false),
        Err(KeysError::Public(
            zkcred_verifier::keys::KeysError::Mismatch(_)
        ))
    ));
}

/// The prover's proof in ark-groth16's type, for its verifier.
fn ark(p: &zkcred_verifier::Proof) -> ark_groth16::Proof<Bn254> {
    ark_groth16::Proof {
        a: p.a(),
        b: p.b(),
        c: p.c(),
    }
}
