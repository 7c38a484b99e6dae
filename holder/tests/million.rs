//! The acceptance test of private path retrieval at scale: a published tree of 2^20 leaves,
//! served over HTTP by the test itself. `holder sync` must read only the manifest, the ledger
//! copy, the top and the one chunk of the holder's leaf (the access log says so), compute the
//! same path as the issuer's own `path`, and that path must prove a signed request that the
//! platform's verifier accepts.
//!
//! The other leaves are random field elements appended with `append_raw_leaves` (a million
//! real issuances would take a minute of hashing for nothing this test looks at; to the holder
//! and to the tree a leaf is a field element either way).

mod common;

use common::{wallet, FileServer, Issuer};
use rand::rngs::OsRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::time::Instant;
use zkcred_core::anchor::DEFAULT_WINDOW_SECS;
use zkcred_core::date::Date;
use zkcred_core::policy::preset;
use zkcred_core::published_tree::{chunk_of, CHUNK_LEAVES};
use zkcred_core::Fr;
use zkcred_holder::sync::Outcome;
use zkcred_holder::{sync, Anchors, Material};
use zkcred_verifier::platform::PlatformKey;
use zkcred_verifier::{Context, Request};

const LEAVES: u64 = 1 << 20;
const HOLDER_INDEX: u64 = 700_001;

fn random_leaves(n: u64, rng: &mut ChaCha20Rng) -> Vec<Fr> {
    use rand::Rng;
    (0..n).map(|_| Fr::from(rng.gen::<u128>())).collect()
}

#[test]
fn sync_on_a_published_million_leaf_tree_proves_and_verifies() {
    let mut rng = ChaCha20Rng::seed_from_u64(20);
    let mut issuer = Issuer::new();
    let (_home, w) = wallet();

    let t = Instant::now();
    for _ in 0..(HOLDER_INDEX / 100_000) {
        issuer
            .db
            .append_raw_leaves(random_leaves(100_000, &mut rng))
            .unwrap();
    }
    let rest = HOLDER_INDEX - issuer.db.next_index();
    issuer
        .db
        .append_raw_leaves(random_leaves(rest, &mut rng))
        .unwrap();
    assert_eq!(u64::from(issuer.issue_into(&w)), HOLDER_INDEX);
    while issuer.db.next_index() < LEAVES {
        let n = (LEAVES - issuer.db.next_index()).min(100_000);
        issuer
            .db
            .append_raw_leaves(random_leaves(n, &mut rng))
            .unwrap();
    }
    let report = issuer.anchor_and_publish();
    assert_eq!(report.manifest.leaves, LEAVES);
    assert_eq!(report.manifest.chunks, LEAVES / CHUNK_LEAVES);
    eprintln!(
        "issuer: 2^20 leaves built and published in {:.1?}",
        t.elapsed()
    );

    // The holder syncs over HTTP from the test's own server.
    let server = FileServer::start(&issuer.tree);
    let t = Instant::now();
    let r = sync(&w, &server.source(), Anchors::Published).unwrap();
    let took = t.elapsed();
    let log = server.take_log();
    let chunk = chunk_of(HOLDER_INDEX as u32);
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(log[0], "/tree/manifest.json");
    assert_eq!(log[1], "/tree/anchors.jsonl");
    assert!(log[2].starts_with("/tree/top/"), "{log:?}");
    assert!(
        log[3].starts_with(&format!("/tree/chunks/{chunk}/")),
        "{log:?}"
    );
    eprintln!(
        "holder sync of 2^20 leaves: {} files, {} bytes, {took:.1?}",
        r.fetched.len(),
        r.bytes()
    );
    assert_eq!(
        r.credentials.values().collect::<Vec<_>>(),
        [&Outcome::Synced(HOLDER_INDEX as u32)]
    );

    // The same path as the issuer's.
    let stored = w.credentials().unwrap().remove(0);
    let path = stored.path.clone().unwrap();
    assert_eq!(path, issuer.db.path_json(HOLDER_INDEX).unwrap());

    // It proves a signed request, and the platform's verifier accepts the proof.
    let keys = issuer.dir.path().join("keys");
    let pk = zkcred_setup::dev::generate(&mut rng).unwrap();
    zkcred_setup::keys::write_keys(&keys, &pk).unwrap();
    w.import_keys(&keys).unwrap();
    let platform = PlatformKey::generate("social.example", &mut rng).unwrap();
    let today = Date::today_utc();
    let request = Request::new(
        preset("adult-realname").unwrap(),
        "social.example/signup",
        "account:1",
        today,
        issuer.db.issuer(),
        None,
    )
    .unwrap()
    .sign(&platform)
    .unwrap();
    let (prover, opened) =
        zkcred_prover::keys::open(&w.keys_for(&request).unwrap(), false).unwrap();
    let secret = w.secret().unwrap();
    let (_, credential, path) = w
        .select(&request, &prover, &opened.circuit_id, &secret)
        .unwrap();
    let m = Material {
        prover: &prover,
        circuit_id: &opened.circuit_id,
        credential: &credential,
        secret: &secret,
        path: &path,
    };
    let (envelope, _) = zkcred_holder::prove(&m, &request, &mut OsRng).unwrap();

    let pvk = zkcred_verifier::keys::read_verifying_key(&keys)
        .unwrap()
        .prepare();
    let anchors = issuer.ledger.entries().unwrap();
    let ctx = Context {
        anchors: &anchors,
        now_date: today,
        now_unix: zkcred_core::clock::now_unix(),
        window: DEFAULT_WINDOW_SECS,
    };
    let verified = zkcred_verifier::verify(&request, &envelope, &pvk, &ctx).unwrap();
    assert_eq!(verified.root, issuer.db.root());
    assert_eq!(verified.scope, "social.example/signup");
}
