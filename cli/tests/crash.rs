//! Killing `zkcred issuer bulk` at arbitrary points loses no committed credential and never
//! leaves a half-updated tree: after each SIGKILL the database opens, every stored node equals
//! the hash of its children (`issuer check`), and every committed credential is in the output.

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn zkcred() -> Command {
    Command::cargo_bin("zkcred").unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let out = zkcred().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "zkcred {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
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
