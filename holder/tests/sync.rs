//! `holder sync` against a published tree: it reads only the top and its own chunk, re-reads
//! only what changed, refuses a tree that does not hash to an anchored root, and notices a
//! revoked credential.

mod common;

use common::{names, wallet, FileServer, Issuer};
use zkcred_core::published_tree::{CHUNK_LEAVES, MANIFEST_FILE};
use zkcred_core::{Classify, ErrorKind, Fr};
use zkcred_holder::sync::Outcome;
use zkcred_holder::{sync, Anchors, HolderError};

/// An issuer whose tree has two chunks: someone else's credential at leaf 0, filler leaves,
/// and the wallet's credential as the first leaf of chunk 1.
fn two_chunks() -> (Issuer, tempfile::TempDir, zkcred_holder::Wallet, u32) {
    let mut issuer = Issuer::new();
    let (dir, w) = wallet();
    let (_other_dir, other) = wallet();
    assert_eq!(issuer.issue_into(&other), 0);
    let filler = (1..CHUNK_LEAVES).map(|i| Fr::from(i + 1_000)).collect();
    issuer.db.append_raw_leaves(filler).unwrap();
    let index = issuer.issue_into(&w);
    assert_eq!(u64::from(index), CHUNK_LEAVES);
    issuer.anchor_and_publish();
    (issuer, dir, w, index)
}

#[test]
fn a_sync_reads_the_top_and_one_chunk_and_a_resync_only_what_changed() {
    let (mut issuer, _dir, w, index) = two_chunks();
    let server = FileServer::start(&issuer.tree);

    let first = sync(&w, &server.source(), Anchors::Published).unwrap();
    let log = server.take_log();
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(log[0], "/tree/manifest.json");
    assert_eq!(log[1], "/tree/anchors.jsonl");
    assert!(log[2].starts_with("/tree/top/"), "{log:?}");
    assert!(log[3].starts_with("/tree/chunks/1/"), "{log:?}");
    assert_eq!(names(&first.fetched).len(), 4);
    assert_eq!(
        first.credentials.values().collect::<Vec<_>>(),
        [&Outcome::Synced(index)]
    );
    assert!(first.latest);
    let stored = w.credentials().unwrap().remove(0);
    assert_eq!(
        w.synced_path(&stored.credential).unwrap(),
        stored.path.clone().unwrap()
    );
    let stored = stored.path.unwrap();
    assert_eq!(stored, issuer.db.path_json(u64::from(index)).unwrap());

    // Nothing changed: the manifest and the ledger copy only.
    let again = sync(&w, &server.source(), Anchors::Published).unwrap();
    assert_eq!(
        server.take_log(),
        ["/tree/manifest.json", "/tree/anchors.jsonl"]
    );
    assert_eq!(again.root, first.root);

    // Chunk 0 changes (leaf 0 revoked): the new top, but not chunk 1, whose root is the same.
    issuer.db.revoke(0).unwrap();
    issuer.anchor_and_publish();
    let third = sync(&w, &server.source(), Anchors::Published).unwrap();
    let log = server.take_log();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(log[2].starts_with("/tree/top/"), "{log:?}");
    assert_ne!(third.root, first.root);
    let stored = w.credentials().unwrap().remove(0).path.unwrap();
    assert_eq!(stored.root, third.root);
    assert_eq!(stored, issuer.db.path_json(u64::from(index)).unwrap());
}

#[test]
fn a_tampered_chunk_or_top_is_refused_and_the_stored_path_kept() {
    let (issuer, _dir, w, _) = two_chunks();
    let source = issuer.source();
    sync(&w, &source, Anchors::Published).unwrap();
    let before = w.credentials().unwrap();

    // Every published .bin file, with one bit changed in turn.
    let mut bins = Vec::new();
    for dir in ["top", "chunks/0", "chunks/1"] {
        for e in std::fs::read_dir(issuer.tree.join(dir)).unwrap() {
            bins.push(e.unwrap().path());
        }
    }
    assert_eq!(bins.len(), 3);
    for bin in bins {
        let honest = std::fs::read(&bin).unwrap();
        let mut bad = honest.clone();
        let at = bad.len() - 7;
        bad[at] ^= 0x01;
        std::fs::write(&bin, &bad).unwrap();
        // Without its cache the wallet must read the tampered file, if it is one it needs
        // (chunk 0 is someone else's), and refuse it.
        std::fs::remove_dir_all(w.home().join("trees")).unwrap();
        let needed = !bin.to_string_lossy().contains("chunks/0");
        match sync(&w, &source, Anchors::Published) {
            Err(e) => {
                assert!(needed, "{}: {e}", bin.display());
                assert!(
                    matches!(e, HolderError::Sync(_) | HolderError::Core(_)),
                    "{}: {e}",
                    bin.display()
                );
                assert_ne!(e.kind(), ErrorKind::Unavailable);
            }
            Ok(_) => assert!(!needed, "{} was tampered with", bin.display()),
        }
        assert_eq!(w.credentials().unwrap(), before, "{}", bin.display());
        std::fs::write(&bin, honest).unwrap();
    }
}

#[test]
fn a_root_that_is_not_anchored_is_refused() {
    let (issuer, _dir, w, _) = two_chunks();
    // The anchors the verifier trusts do not hold the published root.
    let err = sync(&w, &issuer.source(), Anchors::Given(Vec::new())).unwrap_err();
    assert!(
        matches!(err, HolderError::Sync(ref m) if m.contains("not anchored")),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Rejected);
    // A manifest naming a root the ledger does not hold.
    let manifest = issuer.tree.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut j: serde_json::Value = serde_json::from_str(&text).unwrap();
    j["anchor_seq"] = 7.into();
    std::fs::write(&manifest, j.to_string()).unwrap();
    let err = sync(&w, &issuer.source(), Anchors::Published).unwrap_err();
    assert!(
        matches!(err, HolderError::Sync(_) | HolderError::Core(_)),
        "{err}"
    );
    assert!(w.credentials().unwrap()[0].path.is_none());
}

#[test]
fn a_revoked_credential_is_marked_not_in_tree() {
    let (mut issuer, _dir, w, index) = two_chunks();
    sync(&w, &issuer.source(), Anchors::Published).unwrap();
    assert!(w.credentials().unwrap()[0].path.is_some());
    issuer.db.revoke(u64::from(index)).unwrap();
    issuer.anchor_and_publish();
    let r = sync(&w, &issuer.source(), Anchors::Published).unwrap();
    assert_eq!(
        r.credentials.values().collect::<Vec<_>>(),
        [&Outcome::NotInTree(index)]
    );
    let stored = w.credentials().unwrap().remove(0);
    assert!(stored.path.is_none() && stored.not_in_tree);
    let err = w.synced_path(&stored.credential).unwrap_err();
    assert!(matches!(err, HolderError::Missing(_)), "{err}");
}

#[test]
fn a_server_that_is_down_or_answers_404_is_named() {
    let (issuer, _dir, w, _) = two_chunks();
    let server = FileServer::start(&issuer.dir.path().join("nothing-here"));
    let err = sync(&w, &server.source(), Anchors::Published).unwrap_err();
    assert!(
        matches!(err, HolderError::Fetch { ref reason, .. } if reason.contains("404")),
        "{err}"
    );
    let port = server.port;
    drop(server);
    let down = zkcred_holder::Source::parse(&format!("http://127.0.0.1:{port}/tree")).unwrap();
    let err = sync(&w, &down, Anchors::Published).unwrap_err();
    assert!(matches!(err, HolderError::Fetch { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Unavailable);
}
