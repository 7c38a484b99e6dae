//! Single issuance hands the credential to its sink before the leaf commits: a failing sink
//! commits nothing, and `CredentialFile` writes one private, never-overwriting file.

mod common;

use common::{attrs, fresh_db, hpk, rng};
use std::io;
use zkcred_core::schema::Schema;
use zkcred_issuer::{Credential, CredentialFile, CredentialSink, IssuerError};

#[test]
fn the_sink_sees_the_credential_before_the_commit() {
    let (_dir, mut db) = fresh_db();
    let before = db.root();
    let mut seen = Vec::new();
    let mut sink = |c: &Credential| -> io::Result<()> {
        seen.push(c.clone());
        Err(io::Error::other("disk full"))
    };
    let e = db
        .issue_to(
            hpk(0),
            &attrs(0),
            &Schema::identity_v1(),
            &mut rng(1),
            0,
            &mut sink,
        )
        .unwrap_err();
    assert!(matches!(e, IssuerError::Io(_)), "{e}");
    assert_eq!(seen.len(), 1, "the sink was called before the commit");
    assert_eq!((db.next_index(), db.len(), db.root()), (0, 0, before));
    assert!(db.record(0).unwrap().is_none());
    // The failure left the database usable, and the index is issued again.
    let issued = db
        .issue_to(
            hpk(0),
            &attrs(0),
            &Schema::identity_v1(),
            &mut rng(2),
            0,
            &mut |_: &Credential| Ok::<(), io::Error>(()),
        )
        .unwrap();
    assert_eq!(issued.credential.leaf_index(), 0);
    assert_eq!(db.leaf(0).unwrap(), issued.credential.leaf());
}

#[test]
fn credential_file_is_private_and_never_overwrites() {
    let (dir, mut db) = fresh_db();
    let out = dir.path().join("c.json");
    let mut file = CredentialFile::new(&out);
    let issued = db
        .issue_to(
            hpk(1),
            &attrs(1),
            &Schema::identity_v1(),
            &mut rng(3),
            0,
            &mut file,
        )
        .unwrap();
    assert!(file.is_written());
    let read = Credential::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(read, issued.credential);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second issuance to the same path is refused before anything commits.
    let mut again = CredentialFile::new(&out);
    let e = db
        .issue_to(
            hpk(2),
            &attrs(2),
            &Schema::identity_v1(),
            &mut rng(4),
            0,
            &mut again,
        )
        .unwrap_err();
    assert!(
        matches!(&e, IssuerError::Io(io) if io.kind() == io::ErrorKind::AlreadyExists),
        "{e}"
    );
    assert_eq!(db.next_index(), 1);
    assert!(!again.is_written());
    // Discarding a sink that wrote nothing leaves the existing file alone.
    again.discard().unwrap();
    assert_eq!(
        Credential::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap(),
        issued.credential
    );
    // A sink that wrote its file removes it when told the commit failed.
    file.discard().unwrap();
    assert!(!out.exists());
    // One credential per file.
    let mut one = CredentialFile::new(dir.path().join("one.json"));
    one.credential(&issued.credential).unwrap();
    assert!(one.credential(&issued.credential).is_err());
}
