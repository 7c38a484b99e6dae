//! One test suite, run on both stores: the embedded redb store and PostgreSQL (a real server,
//! started in a temporary directory; skipped, saying so, only where none is installed and
//! `ZKCRED_REQUIRE_POSTGRES` is unset).

use std::collections::HashMap;
use std::sync::Arc;
use zkcred_service::store::{
    PgStore, RedbStore, RequestState, Settle, Settlement, Store, StoredRequest,
};
use zkcred_service::temp_postgres;

const NOW: u64 = 1_800_000_000;

fn request(n: u64, expires_at: u64) -> StoredRequest {
    StoredRequest {
        id: format!("{n:064x}"),
        document: format!("{{\"n\": {n}}}"),
        created_at: NOW - 10,
        expires_at,
        state: RequestState::Open,
    }
}

fn item(req: u64, scope: &str, nf: u8) -> Settle {
    Settle {
        request_id: format!("{req:064x}"),
        scope: scope.to_string(),
        nullifier: [nf; 32],
    }
}

async fn suite<S: Store>(s: &S) {
    use Settlement::*;
    s.ping().await.unwrap();
    // Requests: stored, read back, idempotent by id, unknown is None.
    for n in 1..=9 {
        let r = request(n, NOW + 600);
        assert_eq!(s.put_request(r.clone()).await.unwrap(), (r, true));
    }
    s.put_request(request(10, NOW)).await.unwrap(); // expires exactly now
    assert_eq!(
        s.get_request(&format!("{:064x}", 1)).await.unwrap(),
        Some(request(1, NOW + 600))
    );
    assert_eq!(s.get_request(&format!("{:064x}", 99)).await.unwrap(), None);
    let mut again = request(1, NOW + 9999);
    again.document = "{\"other\": true}".into();
    assert_eq!(
        s.put_request(again).await.unwrap(),
        (request(1, NOW + 600), false),
        "a second put of an id returns the stored request unchanged"
    );

    // One batch, decided in order.
    let got = s
        .settle(
            &[
                item(1, "a/x", 1),  // accepted
                item(2, "a/x", 1),  // same nullifier, same scope, in the same batch: duplicate
                item(2, "a/y", 1),  // same nullifier in another scope: accepted
                item(1, "a/x", 2),  // request 1 is consumed by the first item: request_used
                item(10, "a/x", 3), // expired
                item(99, "a/x", 4), // unknown request
            ],
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        got,
        vec![
            Accepted,
            Duplicate,
            Accepted,
            RequestUsed,
            RequestExpired,
            UnknownRequest
        ]
    );
    assert!(s.has_nullifier("a/x", &[1; 32]).await.unwrap());
    assert!(s.has_nullifier("a/y", &[1; 32]).await.unwrap());
    for (scope, nf) in [("a/x", 2), ("a/x", 3), ("a/x", 4)] {
        assert!(
            !s.has_nullifier(scope, &[nf; 32]).await.unwrap(),
            "refused items record nothing"
        );
    }
    let r1 = s
        .get_request(&format!("{:064x}", 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r1.state, RequestState::Consumed);
    let r10 = s
        .get_request(&format!("{:064x}", 10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        r10.state,
        RequestState::Open,
        "an expired request is not consumed"
    );

    // Later batches see earlier ones: a used nullifier is a duplicate whatever the request,
    // and a duplicate does not use up its request.
    let got = s
        .settle(
            &[item(3, "a/x", 1), item(1, "a/x", 5), item(3, "a/x", 6)],
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(got, vec![Duplicate, RequestUsed, Accepted]);
    assert!(s.settle(&[], NOW).await.unwrap().is_empty());
}

/// Many tasks (on as many connections, for PostgreSQL: as replicas would) settle overlapping
/// batches at once: each nullifier is accepted exactly once, every other attempt is a duplicate
/// or finds its request used.
async fn race<S: Store>(stores: Vec<Arc<S>>) {
    let s = &stores[0];
    let requests = 400u64;
    for n in 1000..1000 + requests {
        s.put_request(request(n, NOW + 600)).await.unwrap();
    }
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..8usize {
        let store = stores[t % stores.len()].clone();
        tasks.spawn(async move {
            let mut out = Vec::new();
            // Every task tries every request, in its own order and batch size, with the
            // nullifier that belongs to the request (as the same holder's retries would).
            let mut order: Vec<u64> = (0..requests).collect();
            order.rotate_left(t * 37 % requests as usize);
            if t % 2 == 1 {
                order.reverse();
            }
            for chunk in order.chunks(5 + t * 3) {
                let items: Vec<Settle> = chunk
                    .iter()
                    .map(|n| {
                        let mut s = item(1000 + n, "race/x", 0);
                        s.nullifier[..8].copy_from_slice(&n.to_be_bytes());
                        s
                    })
                    .collect();
                let got = store.settle(&items, NOW).await.unwrap();
                out.extend(items.into_iter().zip(got));
            }
            out
        });
    }
    let mut accepted: HashMap<[u8; 32], usize> = HashMap::new();
    let mut others = 0;
    while let Some(r) = tasks.join_next().await {
        for (item, settlement) in r.unwrap() {
            match settlement {
                Settlement::Accepted => *accepted.entry(item.nullifier).or_default() += 1,
                Settlement::Duplicate => others += 1,
                s => panic!("unexpected {s:?}"),
            }
        }
    }
    assert_eq!(
        accepted.len(),
        requests as usize,
        "every nullifier accepted"
    );
    assert!(
        accepted.values().all(|n| *n == 1),
        "no nullifier accepted twice"
    );
    assert_eq!(others, 7 * requests as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redb_store_passes_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let s = RedbStore::open(&dir.path().join("s.redb")).unwrap();
    suite(&s).await;
    let s = Arc::new(s);
    race(vec![s]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redb_store_survives_reopening_and_refuses_a_second_opener() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.redb");
    {
        let s = RedbStore::open(&path).unwrap();
        s.put_request(request(1, NOW + 600)).await.unwrap();
        assert_eq!(
            s.settle(&[item(1, "a/x", 7)], NOW).await.unwrap(),
            vec![Settlement::Accepted]
        );
        let e = RedbStore::open(&path)
            .err()
            .expect("a second opener is refused");
        assert!(e.to_string().contains("another process"), "{e}");
    }
    let s = RedbStore::open(&path).unwrap();
    assert!(s.has_nullifier("a/x", &[7; 32]).await.unwrap());
    assert_eq!(
        s.settle(&[item(1, "a/x", 7)], NOW).await.unwrap(),
        vec![Settlement::Duplicate]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_store_passes_the_suite_and_replicas_accept_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pg) =
        temp_postgres::start_or_skip(dir.path(), "the_postgres_store_passes_the_suite").unwrap()
    else {
        return;
    };
    let url = pg.create_database("suite").await.unwrap();
    let s = PgStore::connect(&url, 4).await.unwrap();
    suite(&s).await;
    // Migrations run once: connecting again (another replica) changes nothing.
    let again = PgStore::connect(&url, 4).await.unwrap();
    assert!(again.has_nullifier("a/x", &[1; 32]).await.unwrap());
    // Two "replicas" (separate pools) racing on one database.
    let race_url = pg.create_database("race").await.unwrap();
    let a = Arc::new(PgStore::connect(&race_url, 4).await.unwrap());
    let b = Arc::new(PgStore::connect(&race_url, 4).await.unwrap());
    race(vec![a, b]).await;
    // A URL that does not parse, and a server that is not there, are named.
    let e = PgStore::connect("postgres://zkcred@127.0.0.1:notaport/x", 1)
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("URL"), "{e}");
    let port = pg.port();
    drop(pg);
    let e = PgStore::connect(&format!("postgres://zkcred@127.0.0.1:{port}/suite"), 1)
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("PostgreSQL"), "{e}");
}
