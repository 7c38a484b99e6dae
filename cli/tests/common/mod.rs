//! Helpers shared by the CLI's integration tests.
// Each test binary uses a subset of these helpers.
#![allow(dead_code)]

use assert_cmd::cargo::CommandCargoExt;
use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Runs `zkcred` with `args`, asserts success, returns stdout.
pub fn zkcred(args: &[&str]) -> String {
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

/// Runs `zkcred` with `args`, asserts exit `code`, no panic and, if it fails, exactly one error
/// line; returns stdout and stderr.
pub fn zkcred_expect(args: &[&str], code: i32) -> (String, String) {
    run_cmd(Command::cargo_bin("zkcred").unwrap(), args, code)
}

/// [`zkcred_expect`] for a prepared command (an environment, a working directory).
pub fn run_cmd(mut cmd: Command, args: &[&str], code: i32) -> (String, String) {
    let out = cmd.args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(code),
        "zkcred {args:?}\nstdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    if code != 0 {
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect();
        assert_eq!(errors.len(), 1, "expected one error line, got: {stderr}");
    }
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// The exit code of `zkcred` with `args`.
pub fn zkcred_code(args: &[&str]) -> Option<i32> {
    Command::cargo_bin("zkcred")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
        .status
        .code()
}

/// One holder's attributes, as `issuer issue --attrs` reads them.
pub const ATTRS: &str = r#"{"name": "Alice", "real_name_verified": true, "birth_date": "1990-01-01", "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1}"#;

/// `zkcred verify` of the proof made by [`issue_and_prove`] in `dir`, recording its nullifier in
/// `store`.
pub fn verify_command(dir: &Path, keys: &Path, store: &Path) -> std::process::Command {
    let mut c = std::process::Command::cargo_bin("zkcred").unwrap();
    c.arg("verify")
        .arg("--keys")
        .arg(keys)
        .arg("--request")
        .arg(dir.join("r.json"))
        .arg("--proof")
        .arg(dir.join("out").join("zkcred-proof.json"))
        .arg("--ledger")
        .arg(dir.join("ledger"))
        .arg("--now")
        .arg("2026-11-24")
        .arg("--nullifiers")
        .arg(store);
    c
}

/// The `next index` that `zkcred issuer check --db db` reports (after asserting the tree is
/// consistent).
pub fn checked_next_index(db: &Path) -> u64 {
    let check = zkcred(&["issuer", "check", "--db", db.to_str().unwrap()]);
    assert!(check.starts_with("tree consistent"), "{check}");
    check
        .split("next index ")
        .nth(1)
        .and_then(|t| t.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no next index in {check:?}"))
}

/// In `dir`: a holder, an issuer with that holder's credential (anchored), a request for
/// `policy`, and a proof with the keys in `keys`. Returns the proof directory.
pub fn issue_and_prove(dir: &Path, keys: &Path, policy: &str) -> PathBuf {
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let hpk = zkcred(&["holder", "new", "--out", &p("h.key")]);
    std::fs::write(p("attrs.json"), ATTRS).unwrap();
    let keys = keys.to_str().unwrap();
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
    let issuer = zkcred(&["issuer", "did", "--db", &p("db")]);
    zkcred(&[
        "request",
        "--issuer",
        issuer.trim(),
        "--policy",
        policy,
        "--scope",
        "s",
        "--message",
        "m",
        "--date",
        "2026-11-24",
        "--keys",
        keys,
        "--out",
        &p("r.json"),
    ]);
    zkcred(&[
        "prove",
        "--yes",
        "--allow-unsigned",
        "--keys",
        keys,
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
    dir.join("out")
}
