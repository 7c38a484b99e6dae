//! The ceremony from the command line, on a Powers of Tau made by real snarkjs
//! (`setup/tests/ptau/make-ptau.sh`): init, contributions, beacon, verify, finalize, then a
//! credential proved and verified with the ceremony's keys.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn zkcred(args: &[&str]) -> String {
    let out = Command::cargo_bin("zkcred")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zkcred {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

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
    let out = Command::cargo_bin("zkcred")
        .unwrap()
        .args([
            "setup",
            "ceremony",
            "finalize",
            "--ptau",
            pt,
            "--dir",
            &p("ceremony"),
            "--out",
            &p("keys"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
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
    let out = Command::cargo_bin("zkcred")
        .unwrap()
        .args([
            "setup",
            "ceremony",
            "contribute",
            "--dir",
            &p("ceremony"),
            "--name",
            "late",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
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
    zkcred(&[
        "setup",
        "ceremony",
        "finalize",
        "--ptau",
        pt,
        "--dir",
        &p("ceremony"),
        "--out",
        &p("keys"),
    ]);

    // The ceremony's keys work for the whole flow.
    let hpk = zkcred(&["holder", "new", "--out", &p("h.key")]);
    std::fs::write(
        p("attrs.json"),
        r#"{"name": "Alice", "real_name_verified": true, "birth_date": "1990-01-01", "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1}"#,
    )
    .unwrap();
    zkcred(&["issuer", "init", "--db", &p("db")]);
    zkcred(&[
        "issuer",
        "issue",
        "--db",
        &p("db"),
        "--hpk",
        hpk.trim(),
        "--attrs",
        &p("attrs.json"),
        "--out",
        &p("c.json"),
    ]);
    zkcred(&[
        "issuer",
        "anchor",
        "--db",
        &p("db"),
        "--ledger",
        &p("ledger"),
    ]);
    zkcred(&[
        "issuer",
        "path",
        "--db",
        &p("db"),
        "--index",
        "0",
        "--out",
        &p("path.json"),
    ]);
    zkcred(&[
        "request",
        "--policy",
        "adult-realname",
        "--scope",
        "s",
        "--message",
        "m",
        "--date",
        "2026-11-24",
        "--keys",
        &p("keys"),
        "--out",
        &p("r.json"),
    ]);
    zkcred(&[
        "prove",
        "--keys",
        &p("keys"),
        "--credential",
        &p("c.json"),
        "--secret",
        &p("h.key"),
        "--path",
        &p("path.json"),
        "--request",
        &p("r.json"),
        "--out",
        &p("out"),
    ]);
    let proof = d.path().join("out/zkcred-proof.json");
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
