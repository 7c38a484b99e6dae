//! The attack on a ceremony without a secret contribution: init (δ = 1), then a beacon (δ = b,
//! b public) gives keys with which `A = α₁, B = β₂, C = −b⁻¹·vk_x` proves any statement. The
//! ceremony refuses to beacon, verify or finalize such a transcript; keys with `δ = γ = 1`
//! (contribution 0 itself) are refused when written.

mod common;

use ark_bn254::{Bn254, Fr, G1Projective, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Field;
use ark_groth16::{Groth16, Proof as ArkProof, ProvingKey};
use ark_snark::SNARK;
use common::ptau;
use std::path::Path;
use zkcred_setup::ceremony::pok::PokContext;
use zkcred_setup::ceremony::secret::Secret;
use zkcred_setup::ceremony::transcript::{
    hash_from_hex, point_hex, BeaconRecord, Kind, PokRecord, Record, Transcript,
};
use zkcred_setup::ceremony::{self, params, update, CeremonyError, Stage};
use zkcred_setup::keys::{verifying_key, write_keys};
use zkcred_setup::SetupError;

const BEACON: &[u8] = b"block 19000000 hash";

/// Seals the just-initialized ceremony in `dir` with a beacon, as `beacon` did before it
/// refused to: a transcript valid record by record. Returns the sealed key and the beacon's
/// (public) scalar.
fn seal_without_contribution(dir: &Path) -> (ProvingKey<Bn254>, Fr) {
    let mut t = Transcript::load(dir).unwrap();
    let init = t.contributions[0].clone();
    let prev = hash_from_hex(&init.hash).unwrap();
    let d = Secret::from_beacon(BEACON, 2, &prev);
    let (mut pk, _) = params::read(dir, 0).unwrap();
    update::apply(&mut pk, &d);
    let pok = PokContext {
        circuit: &hash_from_hex(&t.circuit.digest).unwrap(),
        prev_hash: &prev,
        index: 1,
        name: "beacon",
        delta_g1: &pk.delta_g1,
        delta_g2: &pk.vk.delta_g2,
    }
    .prove(&d);
    let mut record = Record {
        index: 1,
        kind: Kind::Beacon,
        name: "beacon".into(),
        prev: init.hash.clone(),
        params_sha256: hex::encode(params::write(dir, 1, &pk).unwrap()),
        delta_g1: point_hex(&pk.delta_g1),
        pok: Some(PokRecord {
            s: point_hex(&pok.s),
            s_d: point_hex(&pok.s_d),
        }),
        beacon: Some(BeaconRecord {
            value: hex::encode(BEACON),
            iterations_exp: 2,
        }),
        hash: String::new(),
    };
    record.seal();
    t.contributions.push(record);
    t.save(dir).unwrap();
    (pk, *d.scalar())
}

/// `A = α₁, B = β₂, C = −(γ/δ)·vk_x` for keys whose `γ = 1` and `δ = delta` are known.
fn forge(pk: &ProvingKey<Bn254>, delta: Fr, inputs: &[Fr]) -> ArkProof<Bn254> {
    let ic = &pk.vk.gamma_abc_g1;
    let vk_x: G1Projective = ic[1..]
        .iter()
        .zip(inputs)
        .map(|(p, x)| *p * x)
        .sum::<G1Projective>()
        + ic[0];
    ArkProof {
        a: pk.vk.alpha_g1,
        b: pk.vk.beta_g2,
        c: (vk_x * -delta.inverse().unwrap()).into_affine(),
    }
}

fn no_secret(r: Result<impl std::fmt::Debug, CeremonyError>, step: &str) {
    match r {
        Err(e @ CeremonyError::NoSecretContribution) => {
            assert!(e.to_string().contains("forge"), "{step}: {e}")
        }
        other => panic!("{step}: expected NoSecretContribution, got {other:?}"),
    }
}

#[test]
fn a_ceremony_without_a_secret_contribution_is_refused_at_every_step() {
    let ptau = ptau();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    ceremony::init(ptau, dir).unwrap();

    // Nothing to seal yet: the beacon is refused and changes nothing.
    no_secret(ceremony::beacon(dir, &hex::encode(BEACON), 2), "beacon");
    assert_eq!(Transcript::load(dir).unwrap().contributions.len(), 1);
    assert!(!params::path(dir, 1).exists());
    // Nor does an open ceremony of init alone verify.
    no_secret(ceremony::verify(ptau, dir), "verify (open)");

    // A transcript sealed anyway, as the code used to allow.
    let (pk, b) = seal_without_contribution(dir);
    assert_eq!(pk.vk.gamma_g2, G2Affine::generator());
    // Its keys prove anything: arbitrary public inputs satisfy the raw pairing equation.
    let inputs: Vec<Fr> = (1..=33u64).map(|i| Fr::from(i * 1_000_003)).collect();
    let proof = forge(&pk, b, &inputs);
    assert!(Groth16::<Bn254>::verify(&pk.vk, &inputs, &proof).unwrap());
    // δ = b·H is a valid-looking point: only the ceremony can tell that b is public.
    assert!(verifying_key(&pk.vk).is_ok());

    // Every step refuses the transcript, and no keys are written.
    no_secret(ceremony::verify(ptau, dir), "verify (sealed)");
    let out = dir.join("keys");
    no_secret(ceremony::finalize(ptau, dir, &out), "finalize");
    assert!(!out.exists());
    let Stage::Sealed(sealed) = Stage::open(dir).unwrap() else {
        panic!("the transcript is sealed")
    };
    no_secret(sealed.verify(ptau).map(|_| ()), "Ceremony<Sealed>::verify");

    // Contribution 0 itself (δ = γ = 1) is refused as keys: C = −vk_x forges with it.
    let (pk0, _) = params::read(dir, 0).unwrap();
    let proof = forge(&pk0, Fr::ONE, &inputs);
    assert!(Groth16::<Bn254>::verify(&pk0.vk, &inputs, &proof).unwrap());
    assert!(matches!(
        write_keys(&out, &pk0),
        Err(SetupError::InvalidVerifyingKey(_))
    ));
    assert!(!out.exists());
}
