//! `issuer issue` never leaves a committed leaf without its credential file: the file is written
//! and synced first, and the leaf commits only after that. A failed write commits nothing, and a
//! SIGKILL between the two steps leaves an unreferenced file, never an orphaned leaf.

mod common;

use assert_cmd::cargo::CommandCargoExt;
use common::{checked_next_index, zkcred, ATTRS};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const HPK: &str = "12345";

/// An issuer database with one credential already issued, and the attributes file.
fn issuer(dir: &Path) {
    std::fs::write(dir.join("attrs.json"), ATTRS).unwrap();
    zkcred(&["issuer", "init", "--db", s(&dir.join("db"))]);
    issue(dir, &dir.join("first.json")).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn issue_command(dir: &Path, out: &Path) -> Command {
    let mut c = Command::cargo_bin("zkcred").unwrap();
    c.args(["issuer", "issue", "--db", s(&dir.join("db")), "--hpk", HPK])
        .args(["--attrs", s(&dir.join("attrs.json")), "--out", s(out)]);
    c
}

/// Runs `issuer issue`; `Err(stderr)` if it failed.
fn issue(dir: &Path, out: &Path) -> Result<String, (Option<i32>, String)> {
    let o = issue_command(dir, out).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    if o.status.success() {
        Ok(String::from_utf8(o.stdout).unwrap())
    } else {
        Err((o.status.code(), stderr))
    }
}

fn leaf_of(credential: &Path) -> (u64, String) {
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(credential).unwrap()).unwrap();
    let subject = &c["credentialSubject"];
    (
        subject["leafIndex"].as_u64().unwrap(),
        subject["leaf"].as_str().unwrap().to_string(),
    )
}

fn stored_leaf(dir: &Path, index: u64) -> String {
    let path = dir.join("path.json");
    let _ = std::fs::remove_file(&path);
    let i = index.to_string();
    zkcred(&[
        "issuer",
        "path",
        "--db",
        s(&dir.join("db")),
        "--index",
        &i,
        "--out",
        s(&path),
    ]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["leaf"].as_str().unwrap().to_string()
}

#[test]
fn a_failed_write_commits_no_leaf() {
    let d = tempfile::tempdir().unwrap();
    issuer(d.path());
    assert_eq!(checked_next_index(&d.path().join("db")), 1);

    // A missing directory.
    let (code, stderr) = issue(d.path(), Path::new("/nonexistent/c.json")).unwrap_err();
    assert_ne!(code, Some(0));
    assert!(stderr.contains("/nonexistent/c.json"), "{stderr}");
    assert_eq!(
        checked_next_index(&d.path().join("db")),
        1,
        "a leaf was orphaned"
    );

    // A directory nobody may write to (root ignores permission bits: use sysfs, which refuses
    // new files to everyone).
    let ro = d.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let ro = if std::fs::write(ro.join("probe"), b"").is_ok() {
        Path::new("/sys").to_path_buf()
    } else {
        ro
    };
    let (code, _) = issue(d.path(), &ro.join("zkcred-c.json")).unwrap_err();
    assert_ne!(code, Some(0));
    assert!(!ro.join("zkcred-c.json").exists());
    assert_eq!(
        checked_next_index(&d.path().join("db")),
        1,
        "a leaf was orphaned"
    );

    // An existing file is never overwritten, and nothing is committed.
    let (code, _) = issue(d.path(), &d.path().join("first.json")).unwrap_err();
    assert_eq!(code, Some(2));
    assert_eq!(leaf_of(&d.path().join("first.json")).0, 0);
    assert_eq!(checked_next_index(&d.path().join("db")), 1);

    // The next issuance gets the next index, and its file is private.
    issue(d.path(), &d.path().join("second.json")).unwrap();
    let (index, leaf) = leaf_of(&d.path().join("second.json"));
    assert_eq!(index, 1);
    assert_eq!(stored_leaf(d.path(), 1), leaf);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.path().join("second.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the credential holds personal data");
    }
}

/// Debug builds stop at `ZKCRED_TEST_PAUSE=issue-before-commit` after the credential file is
/// durable and before the leaf commits; a SIGKILL there must leave no leaf behind.
#[test]
fn kill_between_the_file_and_the_commit_orphans_no_leaf() {
    let d = tempfile::tempdir().unwrap();
    issuer(d.path());
    let out = d.path().join("killed.json");
    let mut child = issue_command(d.path(), &out)
        .env("ZKCRED_TEST_PAUSE", "issue-before-commit")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(
        line.trim(),
        "paused: issue-before-commit",
        "the issuance did not stop between its two steps"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The file is complete; its leaf was never committed and its index is issued again.
    let (index, stale) = leaf_of(&out);
    assert_eq!(index, 1);
    assert_eq!(checked_next_index(&d.path().join("db")), 1);
    issue(d.path(), &d.path().join("again.json")).unwrap();
    let (again, leaf) = leaf_of(&d.path().join("again.json"));
    assert_eq!(again, 1);
    assert_eq!(stored_leaf(d.path(), 1), leaf);
    assert_ne!(stale, leaf, "fresh salts make a different leaf");
}
