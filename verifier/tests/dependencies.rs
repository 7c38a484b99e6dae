//! The verifier's dependency promise (docs/verifier.md), checked with
//! `cargo tree` on the crate's normal (non-dev) dependencies: no R1CS crates and no
//! ark-groth16, no rayon unless the `parallel` feature is on, and ark-poly only because ark-ec
//! 0.6 depends on it unconditionally.

use std::collections::BTreeSet;
use std::process::Command;

/// Crates that must never be normal dependencies of the verifier.
const FORBIDDEN: [&str; 6] = [
    "ark-relations",
    "ark-r1cs-std",
    "ark-crypto-primitives",
    "ark-groth16",
    "ark-snark",
    "zkcred-circuits",
];

/// `cargo tree` for this crate's normal dependencies, or its stderr if it fails.
fn cargo_tree(args: &[&str]) -> Result<String, String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "-p", "zkcred-verifier", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"])
        .args(args)
        .output()
        .expect("cargo runs");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    if out.status.success() {
        Ok(text(out.stdout))
    } else {
        Err(text(out.stderr))
    }
}

/// The crate names in `cargo tree` output.
fn names(tree: &str) -> BTreeSet<String> {
    (tree.lines())
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn dependencies(features: &[&str]) -> BTreeSet<String> {
    names(&cargo_tree(features).unwrap_or_else(|e| panic!("cargo tree failed: {e}")))
}

#[test]
fn no_r1cs_crates_and_no_rayon_by_default() {
    let deps = dependencies(&[]);
    assert!(
        deps.contains("ark-ec"),
        "unexpected cargo tree output: {deps:?}"
    );
    for name in FORBIDDEN.iter().chain(&["rayon", "rayon-core"]) {
        assert!(
            !deps.contains(*name),
            "{name} is a dependency of the verifier"
        );
    }
}

#[test]
fn the_parallel_feature_adds_rayon_and_nothing_forbidden() {
    let deps = dependencies(&["--features", "parallel"]);
    assert!(deps.contains("rayon"));
    for name in FORBIDDEN {
        assert!(
            !deps.contains(name),
            "{name} is a dependency of the verifier"
        );
    }
}

#[test]
fn ark_poly_enters_only_through_ark_ec() {
    // `-i ark-poly --depth 1`: ark-poly, then the crates that depend on it directly.
    for features in [&[][..], &["--features", "parallel"]] {
        let args = [features, &["-i", "ark-poly", "--depth", "1"]].concat();
        match cargo_tree(&args) {
            Ok(tree) => {
                let mut dependents = names(&tree);
                assert!(dependents.remove("ark-poly"), "{tree}");
                assert_eq!(dependents, BTreeSet::from(["ark-ec".to_string()]));
            }
            // A later arkworks without the dependency keeps the original promise.
            Err(e) => assert!(e.contains("did not match any packages"), "{e}"),
        }
    }
}
