//! Creating and opening the database: durability, reopening without recomputation, refusals.

mod common;

use common::{attrs, hpk, rng};
use redb::Database;
use zkcred_core::schema::Schema;
use zkcred_core::Fr;
use zkcred_issuer::tables::{fr_to_bytes, META, META_VERSION, NODES};
use zkcred_issuer::{IssuerDb, IssuerError};

const T: u64 = 1_795_478_400;

#[test]
fn reopening_gives_the_same_state_without_recomputing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("issuer.redb");
    let schema = Schema::identity_v1();
    let mut r = rng(6);
    let (root, id, leaf3) = {
        let mut db = IssuerDb::init(&file).unwrap();
        let mut leaf3 = Fr::from(0u64);
        for i in 0..10 {
            let c = db.issue_at(hpk(i), &attrs(i), &schema, &mut r, T).unwrap();
            if i == 3 {
                leaf3 = c.credential.leaf();
            }
        }
        db.revoke_at(7, T).unwrap();
        (db.root(), db.issuer_id(), leaf3)
    };
    let db = IssuerDb::open(&file).unwrap();
    assert_eq!(db.root(), root);
    assert_eq!(db.issuer_id(), id);
    assert_eq!(db.issuer(), format!("zkcred:issuer:{}", hex::encode(id)));
    assert_eq!((db.len(), db.revoked_count(), db.next_index()), (10, 1, 10));
    assert!(db.path(3).unwrap().verify(leaf3, root));
    assert!(db.record(7).unwrap().unwrap().is_revoked());
    db.verify_tree().unwrap();
    drop(db);

    // Overwrite a stored leaf behind the issuer's back: the root on open is the stored one, not
    // one recomputed from the leaves.
    {
        let raw = Database::open(&file).unwrap();
        let txn = raw.begin_write().unwrap();
        txn.open_table(NODES)
            .unwrap()
            .insert((0u8, 3u64), fr_to_bytes(&Fr::from(99u64)))
            .unwrap();
        txn.commit().unwrap();
    }
    let db = IssuerDb::open(&file).unwrap();
    assert_eq!(db.root(), root);
    assert_eq!(db.leaf(3).unwrap(), Fr::from(99u64));
    assert!(!db.path_json(3).unwrap().verify());
    // The full check finds the damage.
    let err = db.verify_tree().unwrap_err();
    assert!(err.to_string().contains("level 1, index 0"), "{err}");
}

#[test]
fn init_refuses_an_existing_file_and_open_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("issuer.redb");
    assert!(matches!(
        IssuerDb::open(&file),
        Err(IssuerError::NotFound(_))
    ));
    let db = IssuerDb::init(&file).unwrap();
    let id = db.issuer_id();
    drop(db);
    assert!(matches!(
        IssuerDb::init(&file),
        Err(IssuerError::AlreadyExists(_))
    ));
    // The existing database is untouched.
    assert_eq!(IssuerDb::open(&file).unwrap().issuer_id(), id);
    // Two databases get different ids.
    let other = IssuerDb::init(dir.path().join("other.redb")).unwrap();
    assert_ne!(other.issuer_id(), id);
}

#[test]
fn a_second_open_of_the_same_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("issuer.redb");
    let db = IssuerDb::init(&file).unwrap();
    assert!(matches!(
        IssuerDb::open(&file),
        Err(IssuerError::Locked { .. })
    ));
    // Waiting gives up after the timeout with the same error, naming the file.
    let e = IssuerDb::open_waiting(&file, std::time::Duration::from_millis(50)).unwrap_err();
    assert!(matches!(e, IssuerError::Locked { .. }), "{e}");
    assert!(e.to_string().contains("issuer.redb"), "{e}");
    // Once the holder closes it, a waiting open gets it.
    let closer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        drop(db);
    });
    IssuerDb::open_waiting(&file, std::time::Duration::from_secs(60)).unwrap();
    closer.join().unwrap();
}

#[test]
fn files_that_are_not_issuer_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let not_issuer = |p: &std::path::Path| {
        let r = IssuerDb::open(p);
        assert!(
            matches!(r, Err(IssuerError::NotAnIssuerDb { .. })),
            "{}: {r:?}",
            p.display()
        );
    };
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, this is not a database\n".repeat(1000)).unwrap();
    not_issuer(&text);
    let short = dir.path().join("short");
    std::fs::write(&short, "hi").unwrap();
    not_issuer(&short);
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    not_issuer(&empty);
    not_issuer(dir.path());

    // A redb database of something else.
    let other = dir.path().join("other.redb");
    {
        let db = Database::create(&other).unwrap();
        let txn = db.begin_write().unwrap();
        let t: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("stuff");
        txn.open_table(t).unwrap().insert(1, 2).unwrap();
        txn.commit().unwrap();
    }
    not_issuer(&other);

    // An issuer database of a future format version.
    let future = dir.path().join("future.redb");
    drop(IssuerDb::init(&future).unwrap());
    {
        let db = Database::open(&future).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert(META_VERSION, 2u32.to_le_bytes().as_slice())
            .unwrap();
        txn.commit().unwrap();
    }
    assert!(matches!(
        IssuerDb::open(&future),
        Err(IssuerError::UnsupportedVersion {
            found: 2,
            supported: 1,
            ..
        })
    ));
}
