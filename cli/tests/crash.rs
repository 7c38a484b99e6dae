//! Killing zkcred with SIGKILL wherever it writes state loses nothing that was committed or
//! reported, and never leaves a store half-updated.
//!
//! - `issuer bulk`, killed mid-run: the database opens, every stored node equals the hash of its
//!   children (`issuer check`), and every committed credential is in the output.
//! - `issuer issue`, `issuer revoke`, `issuer anchor` and `verify --nullifiers`, each killed at
//!   random points (seeded; set `ZKCRED_CRASH_SEED` to replay another seed) in a bounded loop:
//!   after every kill `issuer check` passes and the anchor ledger parses and chains; every leaf
//!   in the database has a credential file holding that leaf, and every issuance that exited 0
//!   has its leaf in the database; every revocation that exited 0 is in the database, and a leaf
//!   is 0 exactly when its record is revoked; every anchor entry a run reported is in the ledger;
//!   and a verification that exited 0 or printed "valid" finds its nullifier recorded (a second
//!   verification says "already used"), so no nullifier is both accepted and unrecorded.

mod common;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use zkcred_core::anchor::Ledger;
use zkcred_core::encoding::fr_to_string;
use zkcred_issuer::IssuerDb;

fn zkcred() -> Command {
    Command::cargo_bin("zkcred").unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    common::zkcred(args)
}

/// A small seeded generator (xorshift64*), so that a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn from_env(default: u64) -> Self {
        let seed = std::env::var("ZKCRED_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        println!("crash seed {seed}");
        Rng(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }

    /// A kill delay uniform in [0, 1.2 × `typical`].
    fn delay(&mut self, typical: Duration) -> Duration {
        let max = (typical.as_micros() as u64 * 6 / 5).max(1);
        Duration::from_micros(self.below(max))
    }
}

/// How a run ended.
struct Ended {
    /// `None` if it was killed before it finished.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `c`, sending SIGKILL after `delay` unless it has finished by then.
fn run_or_kill(mut c: Command, delay: Duration) -> Ended {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < delay {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let _ = child.kill(); // SIGKILL: no destructor, no flush; a no-op if it has exited
    let out: Output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Ended {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

/// How long `make()` takes when not killed (it must succeed).
fn typical(make: impl Fn() -> Command) -> Duration {
    let start = Instant::now();
    let out = make().output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn kill_mid_bulk_loses_nothing_committed() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_str().unwrap().to_string();
    stdout_of(&["issuer", "init", "--db", &p("db")]);
    let n = 60_000;
    let mut input = std::io::BufWriter::new(std::fs::File::create(p("people.jsonl")).unwrap());
    for i in 0..n {
        writeln!(
            input,
            r#"{{"hpk": "{}", "name": "Person {i}", "real_name_verified": true, "birth_date": "1990-01-01", "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1}}"#,
            i + 1
        )
        .unwrap();
    }
    input.flush().unwrap();
    drop(input);

    let mut killed_mid_run = 0;
    for (round, wait_lines) in [1_500usize, 4_000, 9_000].into_iter().enumerate() {
        let out = p(&format!("creds-{round}.jsonl"));
        let mut child = zkcred()
            .args([
                "issuer",
                "bulk",
                "--db",
                &p("db"),
                "--input",
                &p("people.jsonl"),
                "--out",
                &out,
                "--batch",
                "1000",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        loop {
            let lines = std::fs::read_to_string(&out)
                .map(|t| t.lines().count())
                .unwrap_or(0);
            if lines >= wait_lines || start.elapsed() > Duration::from_secs(120) {
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL: no destructor, no flush
            killed_mid_run += 1;
        }
        child.wait().unwrap();

        // The tree is consistent and opens without recomputation.
        let check = stdout_of(&["issuer", "check", "--db", &p("db")]);
        assert!(check.starts_with("tree consistent"), "{check}");
        let next: u64 = check
            .split("next index ")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(next % 1000, 0, "only whole batches commit");

        // Every credential committed by this run is in its output, and matches the tree.
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let committed: Vec<Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|c| c["credentialSubject"]["leafIndex"].as_u64().unwrap() < next)
            .collect();
        let first = committed
            .first()
            .map(|c| c["credentialSubject"]["leafIndex"].as_u64().unwrap());
        if let Some(first) = first {
            assert_eq!(
                committed.len() as u64,
                next - first,
                "round {round}: a committed credential is missing"
            );
            let last = committed.last().unwrap();
            let index = last["credentialSubject"]["leafIndex"]
                .as_u64()
                .unwrap()
                .to_string();
            stdout_of(&[
                "issuer",
                "path",
                "--db",
                &p("db"),
                "--index",
                &index,
                "--out",
                &p("path.json"),
            ]);
            let path: Value =
                serde_json::from_str(&std::fs::read_to_string(p("path.json")).unwrap()).unwrap();
            assert_eq!(path["leaf"], last["credentialSubject"]["leaf"]);
        }
    }
    assert!(
        killed_mid_run >= 2,
        "bulk finished too fast to be interrupted"
    );
}

/// The credential files in `dir` named `c-*.json`, by leaf index: every one must be complete.
fn credential_files(dir: &Path) -> HashMap<u64, Vec<String>> {
    let mut by_index: HashMap<u64, Vec<String>> = HashMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !(name.starts_with("c-") && name.ends_with(".json")) {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        let c: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name} is torn ({e}): {text:?}"));
        let subject = &c["credentialSubject"];
        by_index
            .entry(subject["leafIndex"].as_u64().unwrap())
            .or_default()
            .push(subject["leaf"].as_str().unwrap().to_string());
    }
    by_index
}

#[test]
fn kill_mid_issue_orphans_no_leaf() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    std::fs::write(d.path().join("attrs.json"), common::ATTRS).unwrap();
    stdout_of(&["issuer", "init", "--db", s(&db)]);
    let issue = |out: &str| {
        let mut c = zkcred();
        c.args(["issuer", "issue", "--db", s(&db), "--hpk", "7"])
            .args(["--attrs", s(&d.path().join("attrs.json"))])
            .args(["--out", s(&d.path().join(out))]);
        c
    };
    let typical = typical(|| issue("c-first.json"));
    let mut rng = Rng::from_env(0x1550e);
    let mut finished = Vec::new();
    let mut killed = 0;
    for round in 0..24 {
        let out = format!("c-{round}.json");
        let ended = run_or_kill(issue(&out), rng.delay(typical));
        match ended.code {
            Some(0) => finished.push(out),
            Some(code) => panic!("issue failed ({code}): {}", ended.stderr),
            None => killed += 1,
        }
        common::checked_next_index(&db);
    }
    println!("issue: {killed} of 24 runs killed");

    let files = credential_files(d.path());
    let db = IssuerDb::open(&db).unwrap();
    for index in 0..db.next_index() {
        let leaf = fr_to_string(&db.leaf(index).unwrap());
        assert!(
            files.get(&index).is_some_and(|l| l.contains(&leaf)),
            "leaf {index} is in the database but no credential file holds it"
        );
    }
    for out in finished.iter().chain([&"c-first.json".to_string()]) {
        let c: Value =
            serde_json::from_str(&std::fs::read_to_string(d.path().join(out)).unwrap()).unwrap();
        let index = c["credentialSubject"]["leafIndex"].as_u64().unwrap();
        assert_eq!(
            c["credentialSubject"]["leaf"].as_str().unwrap(),
            fr_to_string(&db.leaf(index).unwrap()),
            "{out} was reported issued but its leaf is not in the database"
        );
    }
}

#[test]
fn kill_mid_revoke_and_anchor_keeps_the_tree_and_the_ledger() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let ledger = d.path().join("ledger");
    stdout_of(&["issuer", "init", "--db", s(&db)]);
    let n = 16u64;
    let input = d.path().join("people.jsonl");
    let line = common::ATTRS.trim_end_matches('}');
    let lines: String = (1..=n)
        .map(|i| format!("{line}, \"hpk\": \"{i}\"}}\n"))
        .collect();
    std::fs::write(&input, lines).unwrap();
    let out = d.path().join("creds.jsonl");
    stdout_of(&[
        "issuer",
        "bulk",
        "--db",
        s(&db),
        "--input",
        s(&input),
        "--out",
        s(&out),
    ]);
    let revoke = |i: u64| {
        let mut c = zkcred();
        c.args([
            "issuer",
            "revoke",
            "--db",
            s(&db),
            "--index",
            &i.to_string(),
        ]);
        c
    };
    let anchor = || {
        let mut c = zkcred();
        c.args(["issuer", "anchor", "--db", s(&db), "--ledger", s(&ledger)]);
        c
    };
    let t_anchor = typical(anchor);
    let t_revoke = typical(|| revoke(n - 1));
    let mut rng = Rng::from_env(0x5e7);
    let mut revoked = vec![n - 1];
    let mut reported: Vec<(u64, String)> = Vec::new();
    let mut killed = 0;
    for i in 0..n - 1 {
        let ended = run_or_kill(revoke(i), rng.delay(t_revoke));
        match ended.code {
            Some(0) => revoked.push(i),
            Some(code) => panic!("revoke failed ({code}): {}", ended.stderr),
            None => killed += 1,
        }
        common::checked_next_index(&db);
        let ended = run_or_kill(anchor(), rng.delay(t_anchor));
        match ended.code {
            Some(0) => {
                // "anchored root <root> as entry <seq> of <ledger>"
                let words: Vec<&str> = ended.stdout.split_whitespace().collect();
                reported.push((words[5].parse().unwrap(), words[2].to_string()));
            }
            Some(code) => panic!("anchor failed ({code}): {}", ended.stderr),
            None => killed += 1,
        }
        let entries = Ledger::new(&ledger)
            .entries()
            .unwrap_or_else(|e| panic!("after anchoring: {e}"));
        for (seq, root) in &reported {
            let entry = entries
                .get(*seq as usize)
                .expect("a reported entry is gone");
            assert_eq!(&fr_to_string(&entry.root), root);
        }
    }
    println!("revoke/anchor: {killed} of {} runs killed", 2 * (n - 1));

    let db = IssuerDb::open(&db).unwrap();
    let mut revoked_records = 0;
    for i in 0..n {
        let record = db.record(i).unwrap().expect("issued");
        let zero = db.leaf(i).unwrap() == zkcred_core::Fr::from(0u64);
        assert_eq!(
            zero,
            record.is_revoked(),
            "leaf {i} and its record disagree"
        );
        if revoked.contains(&i) {
            assert!(
                record.is_revoked(),
                "revocation of {i} was reported but is lost"
            );
        }
        revoked_records += u64::from(record.is_revoked());
    }
    assert_eq!(db.revoked_count(), revoked_records);
    // The ledger takes a new entry after the kills, chained to the last complete one.
    let seq = db.anchor(&Ledger::new(&ledger), u64::MAX / 2).unwrap().seq;
    assert_eq!(
        Ledger::new(&ledger).entries().unwrap().len() as u64,
        seq + 1
    );
}

#[test]
fn kill_mid_verify_never_accepts_an_unrecorded_nullifier() {
    let keys_dir = tempfile::tempdir().unwrap();
    let keys = keys_dir.path().join("keys");
    stdout_of(&["setup", "dev", "--out", s(&keys)]);
    let d = tempfile::tempdir().unwrap();
    common::issue_and_prove(d.path(), &keys, "adult-realname");
    let verify = |store: &str| common::verify_command(d.path(), &keys, &d.path().join(store));
    let typical = typical(|| verify("seen-first.db"));
    let mut rng = Rng::from_env(0x2011);
    let mut killed = 0;
    for round in 0..16 {
        let store = format!("seen-{round}.db");
        let first = run_or_kill(verify(&store), rng.delay(typical));
        let accepted = first.code == Some(0) || first.stdout.contains("valid:");
        match first.code {
            Some(0) => {}
            Some(code) => panic!("verify failed ({code}): {}", first.stderr),
            None => killed += 1,
        }
        let again = verify(&store).output().unwrap();
        let stderr = String::from_utf8_lossy(&again.stderr);
        if again.status.success() {
            assert!(
                !accepted,
                "round {round}: the nullifier was accepted but not recorded"
            );
        } else {
            assert_eq!(again.status.code(), Some(1), "{stderr}");
            assert!(stderr.contains("already used"), "{stderr}");
        }
    }
    println!("verify: {killed} of 16 runs killed");
}
