//! Interop with real snarkjs (pinned in `interop/package.json`, installed by `interop/install.sh`):
//! `snarkjs groth16 verify verification_key.json public.json proof.json` accepts a proof made by
//! `zkcred prove` and rejects a tampered one.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

fn zkcred(args: &[&str]) {
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
}

fn snarkjs() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/install.sh");
    let out = Process::new("bash")
        .arg(&script)
        .output()
        .expect("bash runs interop/install.sh");
    assert!(
        out.status.success(),
        "installing snarkjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn snarkjs_verify(snarkjs: &Path, vk: &Path, public: &Path, proof: &Path) -> (bool, String) {
    let out = Process::new(snarkjs)
        .args(["groth16", "verify"])
        .args([vk, public, proof])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && text.contains("OK"), text)
}

#[test]
fn snarkjs_accepts_our_proofs_and_rejects_tampered_ones() {
    let snarkjs = snarkjs();
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    let s = |n: &str| p(n).to_str().unwrap().to_string();
    zkcred(&["setup", "dev", "--out", &s("keys")]);
    let hpk = Command::cargo_bin("zkcred")
        .unwrap()
        .args(["holder", "new", "--out", &s("h.key")])
        .output()
        .unwrap();
    let hpk = String::from_utf8(hpk.stdout).unwrap();
    std::fs::write(
        p("attrs.json"),
        r#"{"name": "Alice", "real_name_verified": true, "birth_date": "1990-01-01", "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1}"#,
    )
    .unwrap();
    zkcred(&["issuer", "init", "--db", &s("db")]);
    zkcred(&[
        "issuer",
        "issue",
        "--db",
        &s("db"),
        "--hpk",
        hpk.trim(),
        "--attrs",
        &s("attrs.json"),
        "--out",
        &s("c.json"),
    ]);
    zkcred(&[
        "issuer",
        "path",
        "--db",
        &s("db"),
        "--index",
        "0",
        "--out",
        &s("path.json"),
    ]);
    zkcred(&[
        "request",
        "--policy",
        "influencer-disclose-name",
        "--scope",
        "s",
        "--message",
        "m",
        "--date",
        "2026-11-24",
        "--out",
        &s("r.json"),
    ]);
    zkcred(&[
        "prove",
        "--keys",
        &s("keys"),
        "--credential",
        &s("c.json"),
        "--secret",
        &s("h.key"),
        "--path",
        &s("path.json"),
        "--request",
        &s("r.json"),
        "--out",
        &s("out"),
    ]);

    let vk = p("keys").join("verification_key.json");
    let (public, proof) = (p("out").join("public.json"), p("out").join("proof.json"));
    let (ok, text) = snarkjs_verify(&snarkjs, &vk, &public, &proof);
    assert!(ok, "snarkjs rejected our proof: {text}");

    // Tamper with one public input: snarkjs must refuse.
    let mut inputs: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&public).unwrap()).unwrap();
    inputs[3] = "1".into();
    let tampered = p("tampered-public.json");
    std::fs::write(&tampered, serde_json::to_string(&inputs).unwrap()).unwrap();
    let (ok, text) = snarkjs_verify(&snarkjs, &vk, &tampered, &proof);
    assert!(!ok, "snarkjs accepted a tampered statement: {text}");
}
