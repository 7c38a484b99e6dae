//! The phase-2 ceremony end to end on a Powers of Tau made by real snarkjs (from npm, pinned in
//! `tests/ptau/package.json`, made by `tests/ptau/make-ptau.sh` into `target/ptau/`), and every
//! kind of tampering caught with the error that names it.

mod common;

use common::ptau;

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::{Groth16, ProvingKey};
use ark_snark::SNARK;
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;
use zkcred_circuits::CredentialCircuit;
use zkcred_core::credential::{leaf_commitment, Attributes, HolderSecret};
use zkcred_core::date::Date;
use zkcred_core::policy::compile;
use zkcred_core::schema::Schema;
use zkcred_core::statement::{NameWitness, PublicInputs, Witness};
use zkcred_core::tree::SparseTree;
use zkcred_core::{name, scope::scope_hash};
use zkcred_setup::ceremony::transcript::{point_hex, Transcript};
use zkcred_setup::ceremony::{self, params, CeremonyError, Query};

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    eprintln!("{what}: {:.2?}", start.elapsed());
    out
}

/// An honest open ceremony: init and three contributions. Tamper tests copy it.
fn honest() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        ceremony::init(ptau(), dir.path()).unwrap();
        for name in ["alice", "bob", "carol"] {
            ceremony::contribute(dir.path(), name, Some("dice: 3 1 4 1 5")).unwrap();
        }
        dir
    })
    .path()
}

fn copy_of(src: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// A just-initialized ceremony (contribution 0 only), copied from [`honest`].
fn fresh() -> tempfile::TempDir {
    let dir = copy_of(honest());
    let mut t = Transcript::load(dir.path()).unwrap();
    for r in t.contributions.drain(1..) {
        std::fs::remove_file(params::path(dir.path(), r.index)).unwrap();
    }
    t.save(dir.path()).unwrap();
    dir
}

/// A valid credential statement, as `circuits/tests/credential_circuit.rs` builds it, that
/// also discloses the name (so the ceremony's keys are exercised on every public input).
fn statement() -> (PublicInputs, Witness) {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let mut tree = SparseTree::new();
    for i in 0..5u32 {
        tree.set(i, Fr::rand(&mut rng));
    }
    let nc = name::name_commitment("张伟", Fr::from(42u64)).unwrap();
    let values: [Fr; 8] = [1u64, 20080229, 20310101, 156, 110105, 1]
        .map(Fr::from)
        .into_iter()
        .chain([nc, Fr::from(0u64)])
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let secret = HolderSecret::random(&mut rng);
    let attributes = Attributes::new_unchecked(values);
    let salt = Fr::rand(&mut rng);
    tree.set(5, leaf_commitment(secret.public_key(), &attributes, salt));
    let witness = Witness {
        path: tree.path(5),
        secret,
        attributes,
        salt,
        name: Some(NameWitness::new(
            &name::NameOpening::random("张伟", &mut rng).unwrap(),
            Fr::from(42u64),
        )),
    };
    let policy = compile(
        &json!({"real_name_verified": {"$eq": 1}, "birth_date": {"$lte": "today-18y"},
                "expiry_date": {"$gte": "today"}, "nationality": {"$in": [156, 344, 446]},
                "disclose": ["region", "name"]}),
        &Schema::identity_v1(),
        Date::parse("2026-11-24").unwrap(),
    )
    .unwrap();
    let scope = scope_hash("x.com/verified-creators");
    let public = witness.public_inputs(tree.root(), scope, scope_hash("account:alice"), policy);
    (public, witness)
}

#[test]
fn ceremony_end_to_end_with_a_snarkjs_ptau() {
    let ptau = ptau();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let init = timed("init", || ceremony::init(ptau, dir)).unwrap();
    assert_eq!(init.index, 0);
    let mut receipts = vec![init];
    for (name, entropy) in [("alice", Some("mash")), ("bob", None), ("carol", Some("x"))] {
        let r = timed("contribute", || ceremony::contribute(dir, name, entropy)).unwrap();
        assert_eq!(r.name, name);
        receipts.push(r);
    }
    // The coordinator verifies after a step; finalize refuses an open ceremony.
    let report = timed("verify (3 contributions)", || ceremony::verify(ptau, dir)).unwrap();
    assert!(!report.sealed);
    assert!(matches!(
        ceremony::finalize(ptau, dir, &dir.join("keys")),
        Err(CeremonyError::NotSealed)
    ));
    let beacon = "0000000000000000000321f5d6d3b2a3e6f1f6b6d8c3e1a0b1c2d3e4f5a6b7c8";
    receipts.push(timed("beacon 2^10", || ceremony::beacon(dir, beacon, 10)).unwrap());
    // Sealed: no more contributions.
    assert!(matches!(
        ceremony::contribute(dir, "mallory", None),
        Err(CeremonyError::Sealed)
    ));
    let report = timed("verify (sealed)", || ceremony::verify(ptau, dir)).unwrap();
    assert!(report.sealed);
    let listed: Vec<(u32, String, String)> = report
        .contributions
        .iter()
        .map(|c| (c.index, c.name.clone(), c.hash.clone()))
        .collect();
    let expected: Vec<(u32, String, String)> = receipts
        .iter()
        .map(|r| (r.index, r.name.clone(), r.hash.clone()))
        .collect();
    assert_eq!(listed, expected);

    let keys = dir.join("keys");
    let id = timed("finalize (verify + write)", || {
        ceremony::finalize(ptau, dir, &keys)
    })
    .unwrap();
    let (pk, read_id) = zkcred_prover::keys::read_proving_key(&keys).unwrap();
    assert_eq!(id, read_id);
    assert_ne!(pk.delta_g1, G1Affine::generator(), "δ was updated");

    // Prove and verify a credential with ark-groth16 (LibsnarkReduction).
    let (public, witness) = statement();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let proof = timed("prove", || {
        Groth16::<Bn254>::prove(
            &pk,
            CredentialCircuit {
                public: public.clone(),
                witness,
            },
            &mut rng,
        )
    })
    .unwrap();
    let inputs = public.to_field_elements();
    assert!(Groth16::<Bn254>::verify(&pk.vk, &inputs, &proof).unwrap());
    let mut changed = inputs.clone();
    changed[1] += Fr::from(1u64);
    assert!(!Groth16::<Bn254>::verify(&pk.vk, &changed, &proof).unwrap());
}

#[test]
fn init_refuses_an_existing_ceremony() {
    let dir = copy_of(honest());
    assert!(matches!(
        ceremony::init(ptau(), dir.path()),
        Err(CeremonyError::AlreadyInitialized(_))
    ));
}

#[test]
fn honest_open_ceremony_verifies() {
    let report = ceremony::verify(ptau(), honest()).unwrap();
    let names: Vec<&str> = report
        .contributions
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["init", "alice", "bob", "carol"]);
}

/// Replaces the last contribution's params with `f(params)`, fixing up its recorded hashes as a
/// malicious contributor would.
fn tamper_last(dir: &Path, f: impl FnOnce(&mut ProvingKey<Bn254>, &ProvingKey<Bn254>)) {
    let mut t = Transcript::load(dir).unwrap();
    let last = t.contributions.len() - 1;
    let index = t.contributions[last].index;
    let (prev, _) = params::read(dir, index - 1).unwrap();
    let (mut pk, _) = params::read(dir, index).unwrap();
    f(&mut pk, &prev);
    let sha = params::write(dir, index, &pk).unwrap();
    let r = &mut t.contributions[last];
    r.params_sha256 = hex::encode(sha);
    r.delta_g1 = point_hex(&pk.delta_g1);
    r.seal();
    t.save(dir).unwrap();
}

fn verify(dir: &tempfile::TempDir) -> Result<ceremony::Report, CeremonyError> {
    ceremony::verify(ptau(), dir.path())
}

fn g1_plus_generator(p: &G1Affine) -> G1Affine {
    (G1Projective::from(*p) + G1Affine::generator()).into_affine()
}

#[test]
fn wrong_proof_of_knowledge_is_caught() {
    let dir = copy_of(honest());
    let mut t = Transcript::load(dir.path()).unwrap();
    let r = t.contributions.last_mut().unwrap();
    let pok = r.proof().unwrap();
    r.pok.as_mut().unwrap().s_d = point_hex(&g1_plus_generator(&pok.s_d));
    r.seal();
    t.save(dir.path()).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::InvalidProofOfKnowledge { index: 3, ref name }) if name == "carol"
    ));
}

#[test]
fn proof_of_knowledge_replayed_from_another_contribution_is_caught() {
    let dir = copy_of(honest());
    let mut t = Transcript::load(dir.path()).unwrap();
    let bobs = t.contributions[2].pok.clone();
    let r = t.contributions.last_mut().unwrap();
    r.pok = bobs;
    r.seal();
    t.save(dir.path()).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::InvalidProofOfKnowledge { index: 3, .. })
    ));
}

#[test]
fn delta_not_matching_the_queries_is_caught() {
    // δ (with its valid proof of knowledge) moved on, but H and L were not rescaled.
    let dir = copy_of(honest());
    tamper_last(dir.path(), |pk, prev| {
        pk.h_query = prev.h_query.clone();
        pk.l_query = prev.l_query.clone();
    });
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::DeltaDoesNotMatchQueries { index: 3 })
    ));
}

#[test]
fn swapped_h_points_are_caught_and_located() {
    let dir = copy_of(honest());
    tamper_last(dir.path(), |pk, _| pk.h_query.swap(1000, 1001));
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::QueryPointAltered {
            index: 3,
            query: Query::H,
            position: 1000
        })
    ));
}

#[test]
fn altered_l_point_is_caught_and_located() {
    let dir = copy_of(honest());
    tamper_last(dir.path(), |pk, _| {
        pk.l_query[4321] = g1_plus_generator(&pk.l_query[4321]);
    });
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::QueryPointAltered {
            index: 3,
            query: Query::L,
            position: 4321
        })
    ));
}

#[test]
fn changed_fixed_part_is_caught() {
    let dir = copy_of(honest());
    tamper_last(dir.path(), |pk, _| {
        pk.a_query[7] = g1_plus_generator(&pk.a_query[7]);
    });
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::FixedPartChanged {
            index: 3,
            part: "a_query"
        })
    ));
}

#[test]
fn inconsistent_delta_is_caught() {
    let dir = copy_of(honest());
    tamper_last(dir.path(), |pk, _| {
        pk.delta_g1 = g1_plus_generator(&pk.delta_g1);
    });
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::DeltaInconsistent { index: 3 })
    ));
}

#[test]
fn reordered_contributions_are_caught() {
    let dir = copy_of(honest());
    let mut t = Transcript::load(dir.path()).unwrap();
    t.contributions.swap(1, 2);
    t.save(dir.path()).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::OutOfOrder {
            position: 1,
            found: 2
        })
    ));
}

#[test]
fn missing_contribution_is_caught() {
    let dir = copy_of(honest());
    let mut t = Transcript::load(dir.path()).unwrap();
    t.contributions.remove(2);
    t.save(dir.path()).unwrap();
    std::fs::remove_file(params::path(dir.path(), 2)).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::MissingContribution { index: 2 })
    ));
}

#[test]
fn removed_and_renumbered_contribution_is_caught() {
    // Drop bob, renumber carol as 2: the chain breaks; re-chained, carol's proof (bound to
    // bob's hash and index 3) fails.
    let dir = copy_of(honest());
    let mut t = Transcript::load(dir.path()).unwrap();
    t.contributions.remove(2);
    t.contributions[2].index = 2;
    t.contributions[2].seal();
    t.save(dir.path()).unwrap();
    std::fs::rename(params::path(dir.path(), 3), params::path(dir.path(), 2)).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::HashChainBroken { index: 2 })
    ));
    t.contributions[2].prev = t.contributions[1].hash.clone();
    t.contributions[2].seal();
    t.save(dir.path()).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::InvalidProofOfKnowledge { index: 2, .. })
    ));
}

#[test]
fn edited_record_and_swapped_params_file_are_caught() {
    let dir = copy_of(honest());
    let mut t = Transcript::load(dir.path()).unwrap();
    t.contributions[1].name = "alicia".into();
    t.save(dir.path()).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::ContributionHashMismatch { index: 1 })
    ));

    let dir = copy_of(honest());
    std::fs::copy(params::path(dir.path(), 1), params::path(dir.path(), 2)).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::ParamsHashMismatch { index: 2 })
    ));
}

#[test]
fn truncated_params_file_is_caught() {
    let dir = copy_of(honest());
    let path = params::path(dir.path(), 2);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::InvalidParams { index: 2, ref reason }) if reason.contains("truncated")
    ));
    // A contributor building on a truncated last key is refused too.
    let path = params::path(dir.path(), 3);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    assert!(matches!(
        ceremony::contribute(dir.path(), "dave", None),
        Err(CeremonyError::InvalidParams { index: 3, .. })
    ));
}

#[test]
fn altered_initial_params_are_caught() {
    let dir = fresh();
    let mut t = Transcript::load(dir.path()).unwrap();
    let (mut pk, _) = params::read(dir.path(), 0).unwrap();
    pk.b_g1_query[3] = g1_plus_generator(&pk.b_g1_query[3]);
    t.contributions[0].params_sha256 = hex::encode(params::write(dir.path(), 0, &pk).unwrap());
    t.contributions[0].seal();
    t.save(dir.path()).unwrap();
    assert!(matches!(
        verify(&dir),
        Err(CeremonyError::InitialMismatch { part: "b_g1_query" })
    ));
}

#[test]
fn typestate_steps_cannot_run_out_of_order() {
    use zkcred_setup::ceremony::Stage;
    let dir = fresh();
    let Stage::Open(c) = Stage::open(dir.path()).unwrap() else {
        panic!("a fresh ceremony is open")
    };
    let (c, r) = c.contribute("alice", None).unwrap();
    assert_eq!(r.index, 1);
    let (sealed, _) = c.beacon(b"beacon", 2).unwrap();
    // Sealed exposes only verify; Verified only report, key and finalize.
    let verified = sealed.verify(ptau()).unwrap();
    assert_eq!(verified.report().contributions.len(), 3);
    let id = verified.finalize(&dir.path().join("keys")).unwrap();
    assert_eq!(id.len(), 64);
    assert!(matches!(Stage::open(dir.path()).unwrap(), Stage::Sealed(_)));
}
