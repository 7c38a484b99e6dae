//! Bulk issuance: batches, bad lines, sinks and equivalence with single issuance.

mod common;

use common::{attrs, bulk_line, fresh_db, hpk, rng};
use std::io;
use zkcred_core::schema::Schema;
use zkcred_core::tree::SparseTree;
use zkcred_issuer::{BulkOptions, Credential, IssuerDb, IssuerError, JsonLinesSink};

const T: u64 = 1_795_478_400;

fn options(batch_size: usize) -> BulkOptions {
    BulkOptions {
        batch_size,
        issued_at: Some(T),
    }
}

fn input(n: u64) -> Vec<String> {
    (0..n).map(bulk_line).collect()
}

#[test]
fn bulk_equals_one_by_one_issuance() {
    let schema = Schema::identity_v1();
    let (_d1, mut one) = fresh_db();
    let mut r = rng(7);
    let singles: Vec<Credential> = (0..25)
        .map(|i| {
            one.issue_at(hpk(i), &attrs(i), &schema, &mut r, T)
                .unwrap()
                .credential
        })
        .collect();

    let (_d2, mut bulk) = fresh_db();
    let text = input(25).join("\n") + "\n";
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let report = bulk
        .issue_bulk_with(
            text.as_bytes(),
            &schema,
            &mut rng(7),
            &mut |c: &Credential| -> io::Result<()> {
                out.push(c.clone());
                Ok(())
            },
            |n| seen.push(n),
            &options(10),
        )
        .unwrap();
    assert_eq!(
        (
            report.issued,
            report.first_index,
            report.lines,
            report.batches
        ),
        (25, 0, 25, 3)
    );
    assert_eq!(seen, [10, 20, 25]);
    // Same seed, same salts in the same order: the same leaves and the same root.
    assert_eq!(report.root, one.root());
    assert_eq!(bulk.root(), one.root());
    let leaves: Vec<_> = out.iter().map(Credential::leaf).collect();
    let single_leaves: Vec<_> = singles.iter().map(Credential::leaf).collect();
    assert_eq!(leaves, single_leaves);
    let mut t = SparseTree::new();
    for c in &out {
        t.set(c.leaf_index(), c.leaf());
        assert!(bulk
            .path(c.leaf_index().into())
            .unwrap()
            .verify(c.leaf(), bulk.root()));
        assert_eq!(
            bulk.record(c.leaf_index().into()).unwrap().unwrap().hpk,
            c.hpk()
        );
    }
    assert_eq!(t.root(), bulk.root());
    assert_eq!(bulk.len(), 25);
    bulk.verify_tree().unwrap();
}

#[test]
fn a_bad_line_commits_exactly_the_earlier_batches() {
    let schema = Schema::identity_v1();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("issuer.redb");
    let mut db = IssuerDb::init(&file).unwrap();
    let mut lines = input(35);
    lines[16] = lines[16].replace("2008-02-29", "2008-02-30"); // line 17, in the 2nd batch
    let text = lines.join("\n");
    let mut sink = JsonLinesSink::new(Vec::new());
    let err = db
        .issue_bulk_with(
            text.as_bytes(),
            &schema,
            &mut rng(8),
            &mut sink,
            |_| {},
            &options(10),
        )
        .unwrap_err();
    assert_eq!(err.committed(), Some(10));
    match &err {
        IssuerError::BulkStopped { source, .. } => match source.as_ref() {
            IssuerError::BulkLine { line: 17, source } => {
                assert!(matches!(**source, IssuerError::Attributes(_)), "{source:?}")
            }
            other => panic!("unexpected cause {other:?}"),
        },
        other => panic!("unexpected error {other:?}"),
    }
    assert!(err.to_string().contains("line 17"), "{err}");
    // The sink got exactly the committed batch, and the database holds exactly it.
    let written = String::from_utf8(sink.into_inner()).unwrap();
    let creds: Vec<Credential> = written
        .lines()
        .map(|l| Credential::from_json(l).unwrap())
        .collect();
    assert_eq!(creds.len(), 10);
    let mut t = SparseTree::new();
    for c in &creds {
        t.set(c.leaf_index(), c.leaf());
    }
    assert_eq!((db.len(), db.next_index(), db.root()), (10, 10, t.root()));
    assert_eq!(db.record(10).unwrap(), None);
    db.verify_tree().unwrap();
    drop(db);
    let db = IssuerDb::open(&file).unwrap();
    assert_eq!((db.len(), db.root()), (10, t.root()));
}

#[test]
fn each_kind_of_bad_line_is_named_with_its_number() {
    let schema = Schema::identity_v1();
    let good = bulk_line(0);
    let bad_lines = [
        "not json".to_string(),
        "[1, 2]".to_string(),
        good.replace("\"hpk\"", "\"hpk_\""),
        serde_json::to_string(&attrs(0)).unwrap(),
        {
            let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
            v["hpk"] = serde_json::json!("0123");
            v.to_string()
        },
        {
            let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
            v["hpk"] = serde_json::json!(5);
            v.to_string()
        },
        good.replace("\"nationality\"", "\"height\""),
        good.replace("\"document_type\":1", "\"document_type\":256"),
    ];
    for bad in &bad_lines {
        let (_dir, mut db) = fresh_db();
        // Line 4 after a blank line: blank lines count but are skipped.
        let text = format!("{good}\n{good}\n\n{bad}\n{good}\n");
        let err = db
            .issue_bulk_with(
                text.as_bytes(),
                &schema,
                &mut rng(9),
                &mut JsonLinesSink::new(io::sink()),
                |_| {},
                &options(100),
            )
            .unwrap_err();
        match err {
            IssuerError::BulkStopped {
                committed: 0,
                source,
            } => {
                assert!(
                    matches!(*source, IssuerError::BulkLine { line: 4, .. }),
                    "{bad}: {source}"
                )
            }
            other => panic!("{bad}: {other:?}"),
        }
        assert!(db.is_empty());
    }
    // Invalid UTF-8.
    let (_dir, mut db) = fresh_db();
    let mut bytes = format!("{good}\n").into_bytes();
    bytes.extend_from_slice(b"{\"name\": \"\xff\"}\n");
    let err = db
        .issue_bulk_with(
            bytes.as_slice(),
            &schema,
            &mut rng(9),
            &mut JsonLinesSink::new(io::sink()),
            |_| {},
            &options(1),
        )
        .unwrap_err();
    assert_eq!(err.committed(), Some(1));
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn a_failing_sink_stops_before_the_batch_commits() {
    let schema = Schema::identity_v1();
    let (_dir, mut db) = fresh_db();
    let text = input(12).join("\n");
    let mut delivered = 0;
    let mut sink = |_: &Credential| -> io::Result<()> {
        delivered += 1;
        if delivered > 7 {
            Err(io::Error::other("disk full"))
        } else {
            Ok(())
        }
    };
    let err = db
        .issue_bulk_with(
            text.as_bytes(),
            &schema,
            &mut rng(10),
            &mut sink,
            |_| {},
            &options(5),
        )
        .unwrap_err();
    assert_eq!(err.committed(), Some(5));
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(db.len(), 5);
    db.verify_tree().unwrap();
}

#[test]
fn empty_input_issues_nothing() {
    let schema = Schema::identity_v1();
    let (_dir, mut db) = fresh_db();
    let root = db.root();
    let report = db
        .issue_bulk(
            &b"\n  \n"[..],
            &schema,
            &mut rng(11),
            &mut JsonLinesSink::new(io::sink()),
            |_| {},
        )
        .unwrap();
    assert_eq!(
        (report.issued, report.lines, report.batches, report.root),
        (0, 2, 0, root)
    );
}

/// Yields `good` bytes, then fails.
struct FailingReader {
    data: io::Cursor<Vec<u8>>,
}

impl io::Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match io::Read::read(&mut self.data, buf)? {
            0 => Err(io::Error::other("the input device failed")),
            n => Ok(n),
        }
    }
}

#[test]
fn a_read_error_keeps_the_batches_before_it() {
    let schema = Schema::identity_v1();
    let (_dir, mut db) = fresh_db();
    // 12 complete lines, then the reader fails: batches of 5 commit lines 1..=10.
    let text = input(12).join("\n") + "\n";
    let reader = io::BufReader::new(FailingReader {
        data: io::Cursor::new(text.into_bytes()),
    });
    let mut count = 0;
    let err = db
        .issue_bulk_with(
            reader,
            &schema,
            &mut rng(14),
            &mut |_: &Credential| -> io::Result<()> {
                count += 1;
                Ok(())
            },
            |_| {},
            &options(5),
        )
        .unwrap_err();
    assert_eq!(err.committed(), Some(10));
    assert!(err.to_string().contains("input device failed"), "{err}");
    assert_eq!((db.len(), count), (10, 10));
    db.verify_tree().unwrap();
}
