//! The ceremony from the command line, on a Powers of Tau made by real snarkjs
//! (`setup/tests/ptau/make-ptau.sh`): init, contributions, beacon, verify, finalize, then a
//! credential proved and verified with the ceremony's keys.

mod common;

use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use ark_serialize::CanonicalSerialize;
use common::{issue_and_prove, zkcred, zkcred_code};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zkcred_setup::ceremony::params;
use zkcred_verifier::snarkjs::{g1_to_json, g2_to_json, VerifyingKeyJson};

fn ptau() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../setup/tests/ptau/make-ptau.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make-ptau.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .trim(),
    )
}

/// `zkcred setup ceremony init --ptau <ptau> --out <dir>`.
fn init(ptau: &str, dir: &str) {
    zkcred(&["setup", "ceremony", "init", "--ptau", ptau, "--out", dir]);
}

#[test]
fn ceremony_keys_prove_and_verify() {
    let ptau = ptau();
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_str().unwrap().to_string();
    let pt = ptau.to_str().unwrap();
    init(pt, &p("ceremony"));
    let first = zkcred(&[
        "setup",
        "ceremony",
        "contribute",
        "--dir",
        &p("ceremony"),
        "--name",
        "alice",
        "--entropy",
        "dice 3 5 1",
    ]);
    zkcred(&[
        "setup",
        "ceremony",
        "contribute",
        "--dir",
        &p("ceremony"),
        "--name",
        "bob",
    ]);
    let hash = first
        .lines()
        .find_map(|l| l.strip_prefix("hash "))
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    // Out of order: finalize before the beacon is refused.
    let finalize = [
        "setup",
        "ceremony",
        "finalize",
        "--ptau",
        pt,
        "--dir",
        &p("ceremony"),
        "--out",
        &p("keys"),
    ];
    assert_eq!(zkcred_code(&finalize), Some(2));
    zkcred(&[
        "setup",
        "ceremony",
        "beacon",
        "--dir",
        &p("ceremony"),
        "--beacon",
        "00112233445566778899aabbccddeeff",
        "--iterations",
        "4",
    ]);
    // Sealed: no more contributions.
    assert_eq!(
        zkcred_code(&[
            "setup",
            "ceremony",
            "contribute",
            "--dir",
            &p("ceremony"),
            "--name",
            "late"
        ]),
        Some(2)
    );
    let report = zkcred(&[
        "setup",
        "ceremony",
        "verify",
        "--ptau",
        pt,
        "--dir",
        &p("ceremony"),
    ]);
    assert!(
        report.contains("alice") && report.contains("bob") && report.contains(&hash),
        "{report}"
    );
    assert!(report.contains("sealed"));
    zkcred(&finalize);

    // The ceremony's keys work for the whole flow.
    let keys = d.path().join("keys");
    let out = issue_and_prove(d.path(), &keys, "adult-realname");
    let proof = out.join("zkcred-proof.json");
    let v = zkcred(&[
        "verify",
        "--keys",
        &p("keys"),
        "--request",
        &p("r.json"),
        "--proof",
        proof.to_str().unwrap(),
        "--ledger",
        &p("ledger"),
        "--now",
        "2026-11-24",
    ]);
    assert!(v.starts_with("valid"));
}

/// Writes `pk` as a keys directory with a consistent `circuit_id`, whatever its δ (what
/// `setup::keys::write_keys` refuses to do for a key anyone can forge with).
fn write_keys_unchecked(dir: &Path, pk: &ProvingKey<Bn254>) {
    std::fs::create_dir_all(dir).unwrap();
    let mut bytes = Vec::new();
    pk.serialize_compressed(&mut bytes).unwrap();
    std::fs::write(dir.join("proving_key.bin"), bytes).unwrap();
    let vk = &pk.vk;
    let json = VerifyingKeyJson {
        protocol: "groth16".into(),
        curve: "bn128".into(),
        n_public: vk.gamma_abc_g1.len() - 1,
        vk_alpha_1: g1_to_json(&vk.alpha_g1),
        vk_beta_2: g2_to_json(&vk.beta_g2),
        vk_gamma_2: g2_to_json(&vk.gamma_g2),
        vk_delta_2: g2_to_json(&vk.delta_g2),
        vk_alphabeta_12: None,
        ic: vk.gamma_abc_g1.iter().map(g1_to_json).collect(),
    };
    let json = serde_json::to_string_pretty(&json).unwrap();
    std::fs::write(dir.join("verification_key.json"), json).unwrap();
    let mut bytes = Vec::new();
    vk.serialize_compressed(&mut bytes).unwrap();
    let id = format!("{:x}\n", Sha256::digest(&bytes));
    std::fs::write(dir.join("circuit_id"), id).unwrap();
}

/// Runs `zkcred` with `args`, expects exit code 2 with `needle` in stderr.
fn refused(args: &[&str], needle: &str) {
    let out = assert_cmd::Command::cargo_bin("zkcred")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "zkcred {args:?}: {stderr}");
    assert!(stderr.contains(needle), "zkcred {args:?}: {stderr}");
}

#[test]
fn a_ceremony_without_contributions_writes_no_keys_and_forged_keys_are_refused() {
    let ptau = ptau();
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_str().unwrap().to_string();
    let pt = ptau.to_str().unwrap();
    init(pt, &p("ceremony"));
    // init && beacon && finalize, with no contribution in between.
    let ceremony = p("ceremony");
    let beacon = [
        "setup",
        "ceremony",
        "beacon",
        "--dir",
        &ceremony,
        "--beacon",
        "00aa",
        "--iterations",
        "2",
    ];
    refused(&beacon, "no secret contribution");
    let finalize = [
        "setup",
        "ceremony",
        "finalize",
        "--ptau",
        pt,
        "--dir",
        &ceremony,
        "--out",
        &p("keys"),
    ];
    assert_ne!(zkcred_code(&finalize), Some(0));
    assert!(!d.path().join("keys").exists());
    let verify = [
        "setup", "ceremony", "verify", "--ptau", pt, "--dir", &ceremony,
    ];
    assert_ne!(zkcred_code(&verify), Some(0));

    // Contribution 0's key (δ = γ = the G2 generator) as a keys directory.
    let (pk0, _) = params::read(&d.path().join("ceremony"), 0).unwrap();
    write_keys_unchecked(&d.path().join("forged"), &pk0);
    // An honest credential, request and proof, with dev keys.
    zkcred(&["setup", "dev", "--out", &p("dev")]);
    let proof = issue_and_prove(d.path(), &d.path().join("dev"), "adult-realname");
    let proof = proof.join("zkcred-proof.json");
    // `prove` and `verify` refuse the forged keys.
    let forge = "anyone can forge proofs";
    refused(
        &[
            "prove",
            "--yes",
            "--allow-unsigned",
            "--keys",
            &p("forged"),
            "--credential",
            &p("c.json"),
            "--secret",
            &p("h.key"),
            "--path",
            &p("path.json"),
            "--request",
            &p("r.json"),
            "--out",
            &p("forged-out"),
        ],
        forge,
    );
    assert!(!d.path().join("forged-out").exists());
    let (request, ledger) = (p("r.json"), p("ledger"));
    let verify = |flag: &str, keys: &str| {
        let args = [
            "verify",
            flag,
            keys,
            "--request",
            &request,
            "--proof",
            proof.to_str().unwrap(),
            "--ledger",
            &ledger,
            "--now",
            "2026-11-24",
        ];
        refused(&args, forge);
    };
    verify("--keys", &p("forged"));
    verify("--vk", &p("forged/verification_key.json"));
}
