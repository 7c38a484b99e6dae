//! Creating and opening the database: durability, reopening without recomputation, refusals.

mod common;

use common::{attrs, hpk, rng};
use redb::Database;
use zkcred_core::did::EntrySigner;
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
        (db.root(), db.issuer().to_string(), leaf3)
    };
    let db = IssuerDb::open(&file).unwrap();
    assert_eq!(db.root(), root);
    assert_eq!(db.issuer(), id);
    assert!(id.starts_with("did:key:z6Mk"), "{id}");
    assert!(!db.is_chain_issuer());
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
    let id = db.issuer().to_string();
    drop(db);
    assert!(matches!(
        IssuerDb::init(&file),
        Err(IssuerError::AlreadyExists(_))
    ));
    // The existing database is untouched.
    assert_eq!(IssuerDb::open(&file).unwrap().issuer(), id);
    // Two databases get different keys.
    let other = IssuerDb::init(dir.path().join("other.redb")).unwrap();
    assert_ne!(other.issuer(), id);
}

/// The database holds the issuer's signing key: it is written mode 0600, and its `Debug` form
/// does not show the key.
#[cfg(unix)]
#[test]
fn the_database_is_private_and_its_key_never_printed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("issuer.redb");
    let db = IssuerDb::init(&file).unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let shown = format!("{db:?}");
    assert!(
        shown.contains("<redacted>") && shown.contains(db.issuer()),
        "{shown}"
    );
}

/// An EVM account key, signing ledger entries as a wallet's `personal_sign` does.
struct Account(k256::ecdsa::SigningKey);

impl Account {
    fn address(&self) -> [u8; 20] {
        use sha3::{Digest, Keccak256};
        let point = self.0.verifying_key().to_encoded_point(false);
        Keccak256::digest(&point.as_bytes()[1..])[12..]
            .try_into()
            .unwrap()
    }
}

impl EntrySigner for Account {
    fn did(&self) -> String {
        zkcred_core::did::did_pkh(31337, &self.address())
    }

    fn sign_entry(&self, message: &[u8]) -> Vec<u8> {
        let digest = zkcred_core::did::eip191_digest(message);
        let (sig, id) = self.0.sign_prehash_recoverable(&digest).unwrap();
        let mut bytes = sig.to_vec();
        bytes.push(27 + id.to_byte());
        bytes
    }
}

/// A chain issuer is named by its account's did:pkh; its ledger entries are signed by that
/// account, never by the database's own key or another account; a did:key it does not hold,
/// or a malformed DID, is refused at init.
#[test]
fn a_chain_issuer_is_named_by_its_account() {
    let dir = tempfile::tempdir().unwrap();
    let account = Account(k256::ecdsa::SigningKey::from_slice(&[5; 32]).unwrap());
    let did = account.did();
    let db = IssuerDb::init_chain_issuer(dir.path().join("chain.redb"), &did).unwrap();
    assert_eq!(db.issuer(), did);
    assert!(db.is_chain_issuer());
    let ledger = zkcred_core::anchor::Ledger::new(dir.path().join("ledger.jsonl"));
    assert!(matches!(
        db.anchor(&ledger, T),
        Err(IssuerError::ChainIssuer(_))
    ));
    let other = Account(k256::ecdsa::SigningKey::from_slice(&[6; 32]).unwrap());
    assert!(matches!(
        db.anchor_signed(&ledger, T, &other),
        Err(IssuerError::SignerMismatch { .. })
    ));
    assert!(!ledger.path().exists());
    // The account's signed copy reads back, and counts for this issuer only.
    let entry = db.anchor_signed(&ledger, T, &account).unwrap();
    assert_eq!(ledger.entries().unwrap(), vec![entry]);
    ledger.check_root(&did, db.root(), T, 3600).unwrap();
    assert!(ledger.check_root(&other.did(), db.root(), T, 3600).is_err());
    drop(db);
    assert_eq!(
        IssuerDb::open(dir.path().join("chain.redb"))
            .unwrap()
            .issuer(),
        did
    );
    let key_did = IssuerDb::init(dir.path().join("k.redb"))
        .unwrap()
        .issuer()
        .to_string();
    for bad in [
        key_did.as_str(),
        "did:pkh:eip155:1:0xAB",
        "zkcred:issuer:00",
    ] {
        assert!(matches!(
            IssuerDb::init_chain_issuer(dir.path().join("bad.redb"), bad),
            Err(IssuerError::Did(_))
        ));
        assert!(!dir.path().join("bad.redb").exists());
    }
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

    // An issuer database of a future format version, and one of version 1 (before issuer
    // DIDs and signed ledgers).
    for version in [3u32, 1] {
        let file = dir.path().join(format!("v{version}.redb"));
        drop(IssuerDb::init(&file).unwrap());
        {
            let db = Database::open(&file).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(META)
                .unwrap()
                .insert(META_VERSION, version.to_le_bytes().as_slice())
                .unwrap();
            txn.commit().unwrap();
        }
        let e = IssuerDb::open(&file).unwrap_err();
        assert!(
            matches!(e, IssuerError::UnsupportedVersion { found, supported: 2, .. } if found == version),
            "{e}"
        );
    }
}
