//! Writes the generated seeds of the fuzz corpora with zkcred's own writers: a proving key for
//! a two-constraint circuit (the real format at a size a fuzzer can mutate) and a header
//! announcing 2^40 points, a ceremony transcript, policies, holder keys, credentials issued into
//! a temporary issuer database, their Merkle paths and anchor ledger, requests, and a
//! verification key, proof and envelope with random valid points (no circuit needed: the
//! targets parse, they do not verify). The `.ptau` seeds come from real snarkjs
//! (`setup/tests/ptau/make-ptau.sh 1` and `2`).
//!
//! Usage: `cargo run -p zkcred-fuzz-targets --example seeds -- fuzz/corpus`

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::UniformRand;
use ark_groth16::Groth16;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};
use ark_serialize::CanonicalSerialize;
use ark_snark::SNARK;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use zkcred_core::anchor::Ledger;
use zkcred_core::credential::HolderSecret;
use zkcred_core::date::Date;
use zkcred_core::holder_key;
use zkcred_core::schema::Schema;
use zkcred_issuer::IssuerDb;
use zkcred_setup::ceremony::transcript::{
    point_hex, BeaconRecord, CircuitRecord, Kind, Phase1Record, PokRecord, Record, Transcript,
    TYPE, VERSION,
};
use zkcred_verifier::snarkjs::{
    proof_to_json, public_inputs_to_json, verifying_key_to_json, VerifyingKeyJson,
};
use zkcred_verifier::{Proof, ProofEnvelope, Request, VerifyingKey};

/// `x · y = z` with `z` public, and `x + y = w` with `w` public.
struct Tiny;

impl ConstraintSynthesizer<Fr> for Tiny {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = cs.new_witness_variable(|| Ok(Fr::from(3u64)))?;
        let y = cs.new_witness_variable(|| Ok(Fr::from(5u64)))?;
        let z = cs.new_input_variable(|| Ok(Fr::from(15u64)))?;
        let w = cs.new_input_variable(|| Ok(Fr::from(8u64)))?;
        let one = Fr::from(1u64);
        let sum = || LinearCombination::from_sum_coeff_vars(&[(one, x), (one, y)]);
        cs.enforce_r1cs_constraint(|| x.into(), || y.into(), || z.into())?;
        cs.enforce_r1cs_constraint(sum, || Variable::One.into(), || w.into())?;
        Ok(())
    }
}

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let d = dir.join(target);
    std::fs::create_dir_all(&d).expect("create the corpus directory");
    std::fs::write(d.join(name), bytes).expect("write a seed");
}

fn transcript() -> Transcript {
    let g = G1Affine::generator();
    let mut records = Vec::new();
    let mut prev = "0".repeat(64);
    for (index, kind) in [(0, Kind::Init), (1, Kind::Contribution), (2, Kind::Beacon)] {
        let mut r = Record {
            index,
            kind,
            name: ["init", "alice", "beacon"][index as usize].into(),
            prev: prev.clone(),
            params_sha256: format!("{:064x}", index + 1),
            delta_g1: point_hex(&g),
            pok: (index > 0).then(|| PokRecord {
                s: point_hex(&g),
                s_d: point_hex(&g),
            }),
            beacon: (kind == Kind::Beacon).then(|| BeaconRecord {
                value: "00ff".repeat(8),
                iterations_exp: 10,
            }),
            hash: String::new(),
        };
        r.seal();
        prev = r.hash.clone();
        records.push(r);
    }
    Transcript {
        kind: TYPE.into(),
        version: VERSION,
        circuit: CircuitRecord {
            constraints: 2,
            instance_variables: 3,
            witness_variables: 2,
            domain_log2: 2,
            digest: "ab".repeat(32),
        },
        phase1: Phase1Record {
            power: 2,
            ceremony_power: 2,
        },
        contributions: records,
    }
}

fn g1(rng: &mut impl rand::RngCore) -> G1Affine {
    (G1Affine::generator() * Fr::rand(rng)).into_affine()
}

fn g2(rng: &mut impl rand::RngCore) -> G2Affine {
    (G2Affine::generator() * Fr::rand(rng)).into_affine()
}

/// Holder keys, credentials, paths, the ledger, requests, a verification key, proofs and
/// envelopes.
fn flow(out: &Path, rng: &mut ChaCha20Rng) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut db = IssuerDb::init(dir.path().join("issuer.db")).expect("an issuer database");
    let ledger = Ledger::new(dir.path().join("anchors.jsonl"));
    let people = [
        json!({"name": "张伟", "real_name_verified": true, "birth_date": "2008-02-29",
               "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1}),
        json!({"name": "Alice Example", "real_name_verified": false, "birth_date": "1990-01-15",
               "expiry_date": "2030-12-31", "nationality": 840, "region": 0, "document_type": 2,
               "issuer_data": "12345"}),
    ];
    for (i, attrs) in people.iter().enumerate() {
        let secret = HolderSecret::random(rng);
        write(
            out,
            "holder_key",
            &format!("holder{i}.key"),
            holder_key::to_json(&secret).as_bytes(),
        );
        let issued = db
            .issue_at(
                secret.public_key(),
                attrs,
                &Schema::identity_v1(),
                rng,
                1_795_478_400 + i as u64,
            )
            .expect("issuance");
        let c = issued.credential;
        write(
            out,
            "credential",
            &format!("credential{i}.json"),
            c.to_json_pretty().as_bytes(),
        );
        write(
            out,
            "credential",
            &format!("credential{i}.line"),
            c.to_json().as_bytes(),
        );
        db.anchor(&ledger, 1_795_478_400 + 3600 * i as u64)
            .expect("anchor");
    }
    for i in 0..3 {
        let p = db.path_json(i).expect("a path");
        write(
            out,
            "merkle_path",
            &format!("path{i}.json"),
            p.to_json_pretty().as_bytes(),
        );
    }
    let text = std::fs::read(dir.path().join("anchors.jsonl")).expect("the ledger");
    write(out, "anchor_ledger", "issuer-anchors.jsonl", &text);

    let date = Date::parse("2026-11-24").expect("a date");
    let issuer = db.issuer().to_string();
    let ids = ["ab".repeat(32), "0f".repeat(32)];
    let mut requests = Vec::new();
    for (i, name) in ["adult-realname", "influencer-disclose-name"]
        .into_iter()
        .enumerate()
    {
        let policy = zkcred_core::policy::preset(name).expect("a preset");
        let r = Request::new(
            policy,
            "x.com/verified-creators",
            format!("account:{i}"),
            date,
            &issuer,
            (i == 0).then(|| ids[0].clone()),
        )
        .expect("a request");
        write(
            out,
            "request",
            &format!("{name}.json"),
            r.to_json().as_bytes(),
        );
        requests.push(r);
    }
    let policy = json!({"nationality": {"$in": [156, 344]}, "disclose": ["region", "birth_date"]});
    let r = Request::new(policy, "s", "", date, &issuer, None).expect("a request");
    write(
        out,
        "request",
        "set-and-disclose.json",
        r.to_json().as_bytes(),
    );
    requests.push(r);

    let vk = VerifyingKey::new(
        g1(rng),
        g2(rng),
        g2(rng),
        g2(rng),
        (0..34).map(|_| g1(rng)).collect(),
    )
    .expect("a verifying key");
    write(
        out,
        "verification_key",
        "random-points.json",
        verifying_key_to_json(&vk).as_bytes(),
    );
    let mut no_ab =
        serde_json::from_str::<serde_json::Value>(&verifying_key_to_json(&vk)).expect("json");
    no_ab
        .as_object_mut()
        .expect("an object")
        .remove("vk_alphabeta_12");
    write(
        out,
        "verification_key",
        "without-alphabeta.json",
        no_ab.to_string().as_bytes(),
    );
    let mut small = VerifyingKeyJson::from_key(&vk);
    small.ic.truncate(2);
    small.n_public = 1;
    write(
        out,
        "verification_key",
        "one-input.json",
        serde_json::to_string(&small).expect("json").as_bytes(),
    );

    for (i, r) in requests.iter().enumerate() {
        let proof = Proof::new(g1(rng), g2(rng), g1(rng)).expect("a proof");
        write(
            out,
            "proof_json",
            &format!("random{i}.json"),
            proof_to_json(&proof).as_bytes(),
        );
        let root = db.root();
        let nullifier = Fr::rand(rng);
        let mut disclosed = BTreeMap::new();
        if i > 0 {
            disclosed.insert("region".to_string(), Fr::from(110105u64));
        }
        // A request that asks for the name gets an opening, and its disclosure as input 33.
        let opening = r
            .discloses_name()
            .then(|| zkcred_core::name::NameOpening::random("张伟", rng).expect("a name"));
        let name_disclosure = opening.as_ref().map_or(Fr::from(0u64), |o| o.disclosure());
        let public = r
            .public_inputs(root, nullifier, [Fr::from(0u64); 8], name_disclosure)
            .to_field_elements();
        write(
            out,
            "public_json",
            &format!("request{i}.json"),
            public_inputs_to_json(&public).as_bytes(),
        );
        let e = ProofEnvelope::new(
            r,
            vk.circuit_id(),
            root,
            nullifier,
            disclosed,
            opening,
            public,
            proof,
        )
        .expect("a name opening exactly where the request asks for the name");
        write(
            out,
            "envelope",
            &format!("envelope{i}.json"),
            e.to_json().as_bytes(),
        );
    }
}

fn main() {
    let out = std::env::args().nth(1).expect("usage: seeds CORPUS_DIR");
    let out = Path::new(&out);
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    flow(out, &mut rng);
    let (pk, _) = Groth16::<Bn254>::circuit_specific_setup(Tiny, &mut rng).expect("setup");
    let mut bytes = Vec::new();
    pk.serialize_compressed(&mut bytes).expect("serialize");
    write(out, "proving_key", "tiny", &bytes);
    // The verifying key's points, then a vector length of 2^40 and one point.
    let mut bomb = Vec::new();
    pk.vk
        .alpha_g1
        .serialize_compressed(&mut bomb)
        .expect("serialize");
    pk.vk
        .beta_g2
        .serialize_compressed(&mut bomb)
        .expect("serialize");
    pk.vk
        .gamma_g2
        .serialize_compressed(&mut bomb)
        .expect("serialize");
    pk.vk
        .delta_g2
        .serialize_compressed(&mut bomb)
        .expect("serialize");
    bomb.extend((1u64 << 40).to_le_bytes());
    pk.vk
        .alpha_g1
        .serialize_compressed(&mut bomb)
        .expect("serialize");
    write(out, "proving_key", "announces-2-40-points", &bomb);

    let t = transcript();
    write(
        out,
        "transcript",
        "three-records",
        t.to_json().expect("json").as_bytes(),
    );

    for name in zkcred_core::policy::PRESETS {
        write(out, "policy", name, name.as_bytes());
        let v = zkcred_core::policy::preset(name).expect("a preset");
        write(
            out,
            "policy",
            &format!("{name}.json"),
            v.to_string().as_bytes(),
        );
    }
    let more = [
        r#"{"nationality": {"$in": [156, 344, 446]}, "disclose": ["region"]}"#,
        r#"{"region": {"$nin": [110105]}, "birth_date": {"$between": ["1990-01-01", "today-18y"]}}"#,
        r#"{"document_type": {"$ne": 2}, "expiry_date": {"$gt": "2030-01-01"}, "real_name_verified": {"$eq": 1}}"#,
        r#"{"nationality": {"$lt": 500, "$gte": 100}}"#,
    ];
    for (i, p) in more.iter().enumerate() {
        write(out, "policy", &format!("example{i}.json"), p.as_bytes());
    }
}
