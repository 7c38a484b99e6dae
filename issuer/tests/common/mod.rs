//! Helpers shared by the issuer's integration tests.
#![allow(dead_code)]

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use tempfile::TempDir;
use zkcred_core::Fr;
use zkcred_issuer::IssuerDb;

/// A fresh issuer database in a temporary directory (kept alive by the returned `TempDir`).
pub fn fresh_db() -> (TempDir, IssuerDb) {
    let dir = tempfile::tempdir().unwrap();
    let db = IssuerDb::init(dir.path().join("issuer.redb")).unwrap();
    (dir, db)
}

/// A seeded RNG.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Valid identity-v1 attributes for person `i`.
pub fn attrs(i: u64) -> Value {
    json!({"name": format!("张伟 {i}"), "real_name_verified": true, "birth_date": "2008-02-29",
        "expiry_date": "2031-01-01", "nationality": 156, "region": 110105 + (i % 7),
        "document_type": 1})
}

/// A holder public key for person `i`.
pub fn hpk(i: u64) -> Fr {
    zkcred_core::poseidon::hash(&[Fr::from(1_000_000 + i)])
}

/// One bulk input line for person `i`.
pub fn bulk_line(i: u64) -> String {
    let mut v = attrs(i);
    v["hpk"] = json!(zkcred_core::encoding::fr_to_string(&hpk(i)));
    v.to_string()
}
