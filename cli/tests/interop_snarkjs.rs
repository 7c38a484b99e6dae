//! Interop with real snarkjs (pinned in `interop/package.json`, installed by `interop/install.sh`):
//! `snarkjs groth16 verify verification_key.json public.json proof.json` accepts a proof made by
//! `zkcred prove` and rejects a tampered one.

mod common;

use common::{issue_and_prove, zkcred};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

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
    let keys = d.path().join("keys");
    zkcred(&["setup", "dev", "--out", keys.to_str().unwrap()]);
    let out = issue_and_prove(d.path(), &keys, "influencer-disclose-name");

    let vk = keys.join("verification_key.json");
    let (public, proof) = (out.join("public.json"), out.join("proof.json"));
    let (ok, text) = snarkjs_verify(&snarkjs, &vk, &public, &proof);
    assert!(ok, "snarkjs rejected our proof: {text}");

    // Tamper with one public input: snarkjs must refuse.
    let inputs: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&public).unwrap()).unwrap();
    // 34 inputs, the last the name disclosure H(pack(name), t): the name itself and t are not
    // among them.
    assert_eq!(inputs.len(), 34);
    assert_ne!(inputs[33], "0");
    let text = std::fs::read_to_string(&public).unwrap();
    assert!(!text.contains("Alice"));
    for i in [3, 33] {
        let mut changed = inputs.clone();
        changed[i] = "1".into();
        let tampered = d.path().join("tampered-public.json");
        std::fs::write(&tampered, serde_json::to_string(&changed).unwrap()).unwrap();
        let (ok, text) = snarkjs_verify(&snarkjs, &vk, &tampered, &proof);
        assert!(
            !ok,
            "snarkjs accepted a statement with input {i} changed: {text}"
        );
    }
}
