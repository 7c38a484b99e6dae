//! Concurrent users of one store take turns: `verify --nullifiers` processes on one nullifier
//! store give one acceptance and "already used" for the rest, concurrent `issuer issue`
//! processes on one database all land, and a store held past the wait is exit 3, never 1.
//!
//! To make contention certain rather than lucky, the test itself holds the store open while it
//! starts the processes, and closes it after a moment; the outcome asserted does not depend on
//! how long that moment is.

mod common;

use assert_cmd::cargo::CommandCargoExt;
use common::{checked_next_index, issue_and_prove, verify_command, zkcred, ATTRS};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use zkcred_issuer::IssuerDb;
use zkcred_verifier::NullifierStore;

const N: usize = 6;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Starts every command while `hold` keeps the store locked, then lets them run to the end.
fn run_all_while_held<H>(hold: H, commands: Vec<Command>) -> Vec<Output> {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut c| {
            c.env("ZKCRED_LOCK_TIMEOUT", "120")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    drop(hold);
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

#[test]
fn concurrent_verifies_accept_once_and_report_reuse() {
    let keys_dir = tempfile::tempdir().unwrap();
    let keys = keys_dir.path().join("keys");
    zkcred(&["setup", "dev", "--out", s(&keys)]);
    let d = tempfile::tempdir().unwrap();
    issue_and_prove(d.path(), &keys, "adult-realname");
    let store = d.path().join("seen.db");

    // Held past a short wait: an operational failure (3), not a rejection (1).
    let held = NullifierStore::open(&store).unwrap();
    let o = verify_command(d.path(), &keys, &store)
        .env("ZKCRED_LOCK_TIMEOUT", "0.2")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("in use by another process"),
        "{}",
        stderr(&o)
    );

    let outputs = run_all_while_held(
        held,
        (0..N)
            .map(|_| verify_command(d.path(), &keys, &store))
            .collect(),
    );
    let accepted = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(accepted, 1, "exactly one verifier accepts the proof");
    for o in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
        assert!(stderr(o).contains("already used"), "{}", stderr(o));
    }
}

#[test]
fn concurrent_issuances_all_land() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    std::fs::write(d.path().join("attrs.json"), ATTRS).unwrap();
    zkcred(&["issuer", "init", "--db", s(&db)]);

    // Held past a short wait: exit 3.
    let held = IssuerDb::open(&db).unwrap();
    let o = Command::cargo_bin("zkcred")
        .unwrap()
        .args(["issuer", "check", "--db", s(&db)])
        .env("ZKCRED_LOCK_TIMEOUT", "0")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));

    let commands = (0..N)
        .map(|i| {
            let mut c = Command::cargo_bin("zkcred").unwrap();
            c.args([
                "issuer",
                "issue",
                "--db",
                s(&db),
                "--hpk",
                &(i + 1).to_string(),
            ])
            .args(["--attrs", s(&d.path().join("attrs.json"))])
            .args(["--out", s(&d.path().join(format!("c{i}.json")))]);
            c
        })
        .collect();
    let outputs = run_all_while_held(held, commands);
    for o in &outputs {
        assert!(o.status.success(), "{}", stderr(o));
    }
    let mut indices: Vec<u64> = (0..N)
        .map(|i| {
            let text = std::fs::read_to_string(d.path().join(format!("c{i}.json"))).unwrap();
            let c: serde_json::Value = serde_json::from_str(&text).unwrap();
            c["credentialSubject"]["leafIndex"].as_u64().unwrap()
        })
        .collect();
    indices.sort_unstable();
    assert_eq!(indices, (0..N as u64).collect::<Vec<_>>());
    assert_eq!(checked_next_index(&db), N as u64);
}
