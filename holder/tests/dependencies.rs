//! The holder's dependency promise (docs/architecture.md), checked with `cargo tree` on the
//! crate's normal (non-dev) dependencies: a wallet proves with the prover and reads the
//! verifier's formats, and never links the issuer's database code, the trusted-setup crate, or
//! an HTTP server or database client stack.

use std::collections::BTreeSet;
use std::process::Command;

/// Crates that must never be normal dependencies of the holder.
const FORBIDDEN: [&str; 9] = [
    "zkcred-issuer",
    "zkcred-setup",
    "zkcred-cli",
    "tokio",
    "hyper",
    "axum",
    "sqlx",
    "tokio-postgres",
    "alloy",
];

#[test]
fn no_issuer_setup_or_server_crates() {
    let out = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "-p", "zkcred-holder", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deps: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    for needed in ["zkcred-prover", "zkcred-verifier", "zkcred-core"] {
        assert!(
            deps.contains(needed),
            "unexpected cargo tree output: {deps:?}"
        );
    }
    for name in FORBIDDEN {
        assert!(!deps.contains(name), "{name} is a dependency of the holder");
    }
}
