//! Our native values equal the circomlibjs vectors in `test-vectors/` bit for bit.
//!
//! The vectors are produced by `test-vectors/generate.js` (circomlibjs, an independent
//! implementation); this test needs only the committed JSON, not Node.

use serde_json::Value;
use zkcred_core::credential::{leaf_commitment, Attributes, HolderSecret};
use zkcred_core::encoding::parse_fr;
use zkcred_core::tree::{position, MerklePath, SparseTree, DEPTH};
use zkcred_core::{name, nullifier, poseidon, scope, tree, Fr};

fn load(file: &str) -> Value {
    let path = format!("{}/../test-vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fr(v: &Value) -> Fr {
    parse_fr(v.as_str().unwrap()).unwrap()
}

fn frs(v: &Value) -> Vec<Fr> {
    v.as_array().unwrap().iter().map(fr).collect()
}

#[test]
fn poseidon_every_width() {
    let v = load("poseidon.json");
    let mut widths = std::collections::BTreeSet::new();
    for case in v["vectors"].as_array().unwrap() {
        let inputs = frs(&case["inputs"]);
        widths.insert(inputs.len());
        assert_eq!(poseidon::hash_slice(&inputs).unwrap(), fr(&case["output"]));
    }
    assert_eq!(widths, (1..=12).collect());
}

#[test]
fn tree_roots_and_paths() {
    let v = load("tree.json");
    assert_eq!(frs(&v["zero_hashes"]), tree::zero_hashes().to_vec());
    let mut paths_checked = 0;
    for t in v["trees"].as_array().unwrap() {
        let mut ours = SparseTree::new();
        for leaf in t["leaves"].as_array().unwrap() {
            ours.set(leaf["index"].as_u64().unwrap() as u32, fr(&leaf["value"]));
        }
        let root = fr(&t["root"]);
        assert_eq!(ours.root(), root, "tree {}", t["name"]);
        for p in t["paths"].as_array().unwrap() {
            let index = p["index"].as_u64().unwrap() as u32;
            let positions: Vec<usize> = p["positions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(
                positions,
                (0..DEPTH).map(|l| position(index, l)).collect::<Vec<_>>()
            );
            let theirs = MerklePath {
                index,
                siblings: std::array::from_fn(|l| {
                    let s = frs(&p["siblings"][l]);
                    [s[0], s[1], s[2]]
                }),
            };
            assert_eq!(ours.path(index), theirs);
            assert_eq!(theirs.root(fr(&p["leaf"])), fr(&p["root"]));
            assert_eq!(fr(&p["root"]), root);
            paths_checked += 1;
        }
    }
    assert!(paths_checked >= 10);
}

#[test]
fn credential_model() {
    let v = load("credential.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    let mut nfd_cases = 0;
    for c in cases {
        let secret = HolderSecret::from_fr(fr(&c["secret"]));
        assert_eq!(secret.public_key(), fr(&c["hpk"]));
        let scope = scope::scope_hash(c["scope_string"].as_str().unwrap());
        assert_eq!(scope, fr(&c["scope"]));
        assert_eq!(nullifier::nullifier(&secret, scope), fr(&c["nullifier"]));
        let n = c["name"].as_str().unwrap();
        // JavaScript's String.prototype.normalize("NFC") and ours agree.
        assert_eq!(name::normalize(n).unwrap(), c["name_nfc"].as_str().unwrap());
        assert_eq!(name::pack(n).unwrap(), fr(&c["name_pack"]), "{n}");
        assert_eq!(
            name::name_commitment(n, fr(&c["name_salt"])).unwrap(),
            fr(&c["name_commitment"])
        );
        // The name disclosure H(pack, t), through the opening a holder hands a verifier.
        let opening = name::NameOpening::new(n, fr(&c["name_t"])).unwrap();
        assert_eq!(opening.disclosure(), fr(&c["name_disclosure"]), "{n}");
        assert_eq!(
            name::disclosure(fr(&c["name_pack"]), fr(&c["name_t"])),
            fr(&c["name_disclosure"])
        );
        nfd_cases += usize::from(c["name"] != c["name_nfc"]);
        let attrs = frs(&c["attributes"]);
        let attrs = Attributes::new(attrs.try_into().unwrap()).unwrap();
        assert_eq!(
            leaf_commitment(secret.public_key(), &attrs, fr(&c["salt"])),
            fr(&c["leaf"])
        );
    }
    assert!(nfd_cases >= 1, "no case packs a name given in NFD");
}
