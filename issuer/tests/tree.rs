//! The durable tree equals `core::tree::SparseTree` under the same issue/revoke operations.

mod common;

use common::{attrs, fresh_db, hpk, rng};
use zkcred_core::schema::Schema;
use zkcred_core::tree::{SparseTree, CAPACITY};
use zkcred_core::Fr;
use zkcred_issuer::{BulkOptions, IssuerError, JsonLinesSink};

const T: u64 = 1_795_478_400;

#[test]
fn issue_and_revoke_match_the_sparse_tree() {
    let (_dir, mut db) = fresh_db();
    let schema = Schema::identity_v1();
    let mut r = rng(1);
    let mut t = SparseTree::new();
    assert_eq!(db.root(), t.root());
    // 70 leaves cross the 4, 16 and 64 boundaries.
    for i in 0..70u64 {
        let issued = db.issue_at(hpk(i), &attrs(i), &schema, &mut r, T).unwrap();
        assert_eq!(u64::from(issued.credential.leaf_index()), i);
        t.set(i as u32, issued.credential.leaf());
        assert_eq!(issued.root, t.root(), "root after issuing {i}");
        assert_eq!(db.root(), t.root());
    }
    for i in [0u64, 3, 4, 15, 16, 63, 64, 69] {
        let root = db.revoke_at(i, T + 1).unwrap();
        t.set(i as u32, Fr::from(0u64));
        assert_eq!(root, t.root(), "root after revoking {i}");
    }
    assert_eq!((db.len(), db.revoked_count(), db.next_index()), (70, 8, 70));
    for i in 0..80u64 {
        assert_eq!(db.path(i).unwrap(), t.path(i as u32), "path {i}");
        assert_eq!(db.leaf(i).unwrap(), t.node(0, i), "leaf {i}");
    }
    db.verify_tree().unwrap();
}

#[test]
fn high_indices_across_every_power_of_four_and_a_full_tree() {
    let (_dir, mut db) = fresh_db();
    let schema = Schema::identity_v1();
    let mut r = rng(2);
    let mut t = SparseTree::new();
    let mut issued = Vec::new();
    for k in 1..=16u32 {
        let boundary = 4u64.pow(k);
        db.skip_to_index(boundary - 1).unwrap();
        let count = if k == 16 { 1 } else { 2 };
        for i in boundary - 1..boundary - 1 + count {
            let c = db.issue_at(hpk(i), &attrs(i), &schema, &mut r, T).unwrap();
            assert_eq!(u64::from(c.credential.leaf_index()), i);
            t.set(i as u32, c.credential.leaf());
            assert_eq!(c.root, t.root(), "root after issuing {i}");
            issued.push(i);
        }
    }
    assert_eq!(db.next_index(), CAPACITY);
    assert_eq!(db.len(), issued.len() as u64);
    for &i in &issued {
        assert_eq!(db.path(i).unwrap(), t.path(i as u32), "path {i}");
    }
    // Never-issued indices next to issued ones prove the zero leaf.
    for i in [5u64, 4u64.pow(8) + 7, CAPACITY - 2] {
        let p = db.path_json(i).unwrap();
        assert_eq!(p.leaf, Fr::from(0u64));
        assert!(p.verify());
        assert_eq!(p.path, t.path(i as u32));
    }

    // The tree is full: nothing more fits, single or bulk, and nothing changes.
    let root = db.root();
    let err = db
        .issue_at(hpk(0), &attrs(0), &schema, &mut r, T)
        .unwrap_err();
    assert!(matches!(err, IssuerError::TreeFull { next, requested: 1 } if next == CAPACITY));
    let line = common::bulk_line(0);
    let mut sink = JsonLinesSink::new(Vec::new());
    let err = db
        .issue_bulk_with(
            line.as_bytes(),
            &schema,
            &mut r,
            &mut sink,
            |_| {},
            &BulkOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.committed(), Some(0));
    assert!(matches!(
        err,
        IssuerError::BulkStopped { source, .. } if matches!(*source, IssuerError::TreeFull { .. })
    ));
    assert!(sink.into_inner().is_empty());
    assert_eq!(db.root(), root);

    // The last leaf can be revoked; indices beyond the tree and skipped ones are refused.
    db.revoke_at(CAPACITY - 1, T).unwrap();
    t.set((CAPACITY - 1) as u32, Fr::from(0u64));
    assert_eq!(db.root(), t.root());
    db.verify_tree().unwrap();
    assert!(matches!(
        db.revoke_at(CAPACITY, T),
        Err(IssuerError::IndexOutOfRange(_))
    ));
    assert!(matches!(
        db.revoke_at(5, T),
        Err(IssuerError::NeverIssued(5))
    ));
    assert!(matches!(
        db.path(CAPACITY),
        Err(IssuerError::IndexOutOfRange(_))
    ));
    assert!(matches!(
        db.skip_to_index(CAPACITY + 1),
        Err(IssuerError::IndexOutOfRange(_))
    ));
}

#[test]
fn skipping_backwards_is_refused() {
    let (_dir, mut db) = fresh_db();
    db.skip_to_index(10).unwrap();
    assert!(matches!(
        db.skip_to_index(9),
        Err(IssuerError::IndexOutOfRange(9))
    ));
    assert_eq!(db.next_index(), 10);
    assert!(db.is_empty());
}
