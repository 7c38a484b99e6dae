//! Revocation: the root changes, the revoked index proves leaf 0, and misuse is refused.

mod common;

use common::{attrs, fresh_db, hpk, rng};
use zkcred_core::anchor::Ledger;
use zkcred_core::schema::Schema;
use zkcred_core::Fr;
use zkcred_issuer::{IssuerError, PathDocument};

const T: u64 = 1_795_478_400;

#[test]
fn revocation_changes_the_root_and_the_path_proves_zero() {
    let (_dir, mut db) = fresh_db();
    let schema = Schema::identity_v1();
    let mut r = rng(3);
    let creds: Vec<_> = (0..6)
        .map(|i| {
            db.issue_at(hpk(i), &attrs(i), &schema, &mut r, T)
                .unwrap()
                .credential
        })
        .collect();
    let before = db.root();
    let p = db.path_json(4).unwrap();
    assert_eq!(p.leaf, creds[4].leaf());
    assert!(p.verify());

    let after = db.revoke_at(4, T + 60).unwrap();
    assert_ne!(after, before);
    assert_eq!(db.root(), after);
    let q = db.path_json(4).unwrap();
    assert_eq!((q.root, q.leaf), (after, Fr::from(0u64)));
    assert!(q.verify());
    // The old leaf no longer reaches the new root; its siblings did not change.
    assert!(!q.path.verify(creds[4].leaf(), after));
    assert_eq!(q.path, p.path);
    // The other holders' paths still work against the new root.
    for (i, c) in creds.iter().enumerate().filter(|(i, _)| *i != 4) {
        assert!(db.path(i as u64).unwrap().verify(c.leaf(), after));
    }

    let rec = db.record(4).unwrap().unwrap();
    assert_eq!(rec.revoked_at, Some(T + 60));
    assert_eq!(rec.leaf, creds[4].leaf());
    assert_eq!(rec.hpk, hpk(4));
    assert!(!db.record(3).unwrap().unwrap().is_revoked());
    assert_eq!(db.record(6).unwrap(), None);

    assert!(matches!(
        db.revoke_at(4, T),
        Err(IssuerError::AlreadyRevoked(4))
    ));
    assert!(matches!(
        db.revoke_at(6, T),
        Err(IssuerError::NeverIssued(6))
    ));
    assert_eq!(db.root(), after);
    assert_eq!((db.len(), db.revoked_count()), (6, 1));
}

#[test]
fn path_files_round_trip_and_refuse_tampering() {
    let (_dir, mut db) = fresh_db();
    let schema = Schema::identity_v1();
    let mut r = rng(4);
    for i in 0..5 {
        db.issue_at(hpk(i), &attrs(i), &schema, &mut r, T).unwrap();
    }
    let doc = db.path_json(2).unwrap();
    let json = doc.to_json_pretty();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["index"], 2);
    assert_eq!(v["siblings"].as_array().unwrap().len(), 16);
    assert_eq!(v["siblings"][0].as_array().unwrap().len(), 3);
    assert_eq!(PathDocument::from_json(&json).unwrap(), doc);

    let mut bad = v.clone();
    bad["siblings"][0][1] = serde_json::json!("12345");
    assert!(PathDocument::from_json(&bad.to_string()).is_err());
    let mut bad = v.clone();
    bad["index"] = serde_json::json!(3);
    assert!(PathDocument::from_json(&bad.to_string()).is_err());
    let mut bad = v.clone();
    bad["siblings"].as_array_mut().unwrap().pop();
    assert!(PathDocument::from_json(&bad.to_string()).is_err());
    let mut bad = v;
    bad["root"] = serde_json::json!("0123");
    assert!(PathDocument::from_json(&bad.to_string()).is_err());
}

#[test]
fn anchoring_appends_the_current_root() {
    let (dir, mut db) = fresh_db();
    let ledger = Ledger::new(dir.path().join("ledger.jsonl"));
    let schema = Schema::identity_v1();
    let mut r = rng(5);
    let first = db.anchor(&ledger, T).unwrap();
    assert_eq!((first.seq, first.root), (0, db.root()));
    db.issue_at(hpk(0), &attrs(0), &schema, &mut r, T).unwrap();
    let second = db.anchor(&ledger, T + 10).unwrap();
    assert_eq!((second.seq, second.root), (1, db.root()));
    assert_eq!(ledger.latest().unwrap(), second);
    ledger
        .check_root(db.issuer(), db.root(), T + 20, 3600)
        .unwrap();
}
