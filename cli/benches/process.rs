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
        .env("ZKCRED_HOME", dir.join("wallet"))
        .output()
        .expect("spawn zkcred");
    assert!(
        out.status.success(),
        "zkcred {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A wallet with keys, a credential and its synced path, and a signed request: the short form
/// a holder runs.
fn fixture(dir: &Path) {
    run(dir, &["setup", "dev", "--out", "keys"]);
    let hpk = run(dir, &["holder", "init"]);
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
    run(dir, &["issuer", "publish", "--db", "issuer.db", "--ledger", "anchors.jsonl",
               "--out", "tree"]);
    run(dir, &["holder", "import-keys", "keys"]);
    run(dir, &["holder", "import", "credential.json"]);
    run(dir, &["holder", "sync", "--tree", "tree"]);
    #[rustfmt::skip]
    run(dir, &["platform", "init", "--id", "bench.example", "--out", "platform.key"]);
    let issuer = run(dir, &["issuer", "did", "--db", "issuer.db"]);
    #[rustfmt::skip]
    run(dir, &["request", "--issuer", issuer.trim(), "--policy", "adult-realname",
               "--signer", "platform.key", "--label", "signup", "--message", "account:1",
               "--keys", "keys", "--out", "request.json"]);
}

/// The short form: the wallet picks keys, credential and path; consent given with --yes.
const PROVE: [&str; 6] = [
    "prove",
    "--yes",
    "--request",
    "request.json",
    "--out",
    "proof",
];

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
