//! Helpers shared by the CLI's integration tests.
// Each test binary uses a subset of these helpers.
#![allow(dead_code)]

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

/// In `dir`: a holder, an issuer with that holder's credential (anchored), a request for
/// `policy`, and a proof with the keys in `keys`. Returns the proof directory.
pub fn issue_and_prove(dir: &Path, keys: &Path, policy: &str) -> PathBuf {
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let hpk = zkcred(&["holder", "new", "--out", &p("h.key")]);
    std::fs::write(
        p("attrs.json"),
        r#"{"name": "Alice", "real_name_verified": true, "birth_date": "1990-01-01", "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1}"#,
    )
    .unwrap();
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
    zkcred(&[
        "request",
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
