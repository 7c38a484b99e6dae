//! The ceremony from the command line, on a Powers of Tau made by real snarkjs
//! (`setup/tests/ptau/make-ptau.sh`): init, contributions, beacon, verify, finalize, then a
//! credential proved and verified with the ceremony's keys.

mod common;

use common::{issue_and_prove, zkcred, zkcred_code};
use std::path::{Path, PathBuf};

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

#[test]
fn ceremony_keys_prove_and_verify() {
    let ptau = ptau();
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_str().unwrap().to_string();
    let pt = ptau.to_str().unwrap();
    zkcred(&[
        "setup",
        "ceremony",
        "init",
        "--ptau",
        pt,
        "--out",
        &p("ceremony"),
    ]);
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
