//! The whole `zkcred prove` process, as a holder waits for it: spawn the release binary, load the
//! sealed keys (hashes checked), read the request, credential, secret and path, prove, verify the
//! proof, write the three files, exit. Beside it, the same process told to `--revalidate` (every
//! point of the proving key checked and the matrices synthesized, as every run did before keys
//! were sealed), and `zkcred verify` of the proof made.
//!
//! The fixture (dev keys, one issued and anchored credential, a request) is made with the same
//! binary in a temporary directory before measuring.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use std::process::Command;

const ZKCRED: &str = env!("CARGO_BIN_EXE_zkcred");

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(ZKCRED)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn zkcred");
    assert!(
        out.status.success(),
        "zkcred {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn fixture(dir: &Path) {
    run(dir, &["setup", "dev", "--out", "keys"]);
    let hpk = run(dir, &["holder", "new", "--out", "holder.key"]);
    let hpk = hpk.split_whitespace().next().expect("hpk").to_string();
    std::fs::write(
        dir.join("attrs.json"),
        r#"{"name": "张伟", "real_name_verified": true, "birth_date": "2000-02-29",
            "expiry_date": "2031-01-01", "nationality": 156, "region": 110105,
            "document_type": 1}"#,
    )
    .expect("write attrs");
    run(dir, &["issuer", "init", "--db", "issuer.db"]);
    #[rustfmt::skip]
    run(dir, &["issuer", "issue", "--db", "issuer.db", "--hpk", &hpk, "--attrs", "attrs.json",
               "--out", "credential.json"]);
    run(
        dir,
        &[
            "issuer",
            "anchor",
            "--db",
            "issuer.db",
            "--ledger",
            "anchors.jsonl",
        ],
    );
    #[rustfmt::skip]
    run(dir, &["issuer", "path", "--db", "issuer.db", "--index", "0", "--out", "path.json"]);
    #[rustfmt::skip]
    run(dir, &["request", "--policy", "adult-realname", "--scope", "bench.example/signup",
               "--message", "account:1", "--keys", "keys", "--out", "request.json"]);
}

#[rustfmt::skip]
const PROVE: [&str; 13] = ["prove", "--keys", "keys", "--credential", "credential.json",
    "--secret", "holder.key", "--path", "path.json", "--request", "request.json", "--out", "proof"];

fn process(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let dir = dir.path();
    fixture(dir);
    run(dir, &PROVE);

    let mut g = c.benchmark_group("process");
    g.sample_size(20);
    g.bench_function("zkcred_prove", |b| b.iter(|| run(dir, &PROVE)));
    let mut revalidate = PROVE.to_vec();
    revalidate.push("--revalidate");
    g.sample_size(10);
    g.bench_function("zkcred_prove_revalidate", |b| {
        b.iter(|| run(dir, &revalidate))
    });
    g.sample_size(20);
    #[rustfmt::skip]
    let verify = ["verify", "--keys", "keys", "--request", "request.json", "--proof",
                  "proof/zkcred-proof.json", "--ledger", "anchors.jsonl"];
    g.bench_function("zkcred_verify", |b| b.iter(|| run(dir, &verify)));
    g.finish();
}

criterion_group!(benches, process);
criterion_main!(benches);
