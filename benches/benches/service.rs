//! The verification service end to end: `POST /v1/presentations` over loopback to an
//! in-process `zkcred serve` (redb store, micro-batching on), 256 presentations in flight at
//! once, each answered `accepted`. The figure the service targets are stated in is accepted
//! presentations per second, `256 / median`; `benches/summary.py` prints it.
//!
//! Each iteration needs 256 fresh requests and nullifiers, so they are made (untimed) before
//! the iteration's clock starts; the proofs come from a load key (`zkcred_service::load`).

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};
use zkcred_service::batcher::BatchConfig;
use zkcred_service::load::{self, Fixture, Plan};
use zkcred_service::{Config, Limits, Server, StoreConfig};

const IN_FLIGHT: usize = 256;

fn service(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture =
        Fixture::create(&dir.path().join("load"), &mut rand::rngs::OsRng).expect("fixture");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let config = Config {
        keys: fixture.keys(),
        ledger: fixture.ledger(),
        issuer: fixture.issuer().expect("fixture issuer"),
        platform_key: fixture.platform_key(),
        listen: "127.0.0.1:0".parse().expect("address"),
        public_url: None,
        store: StoreConfig::Redb(dir.path().join("service.redb")),
        batch: BatchConfig::default(),
        limits: Limits::default(),
        request_ttl: Duration::from_secs(3600),
        window: 3600,
        admin_token_file: None,
    };
    let server = runtime.block_on(Server::bind(config)).expect("bind");
    let url = format!("http://{}", server.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = runtime.spawn(server.run(async {
        let _ = stopped.await;
    }));
    let plan = Plan {
        url,
        valid: IN_FLIGHT,
        invalid: 0,
        duplicates: 0,
        concurrency: IN_FLIGHT,
        rate: None,
        max_time: Duration::from_secs(60),
        preset: "adult-realname".into(),
    };
    let mut round = 0u64;
    let mut group = c.benchmark_group("service");
    group.sample_size(10);
    group.bench_function("presentations_256", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                round += 1;
                let presentations = runtime
                    .block_on(load::prepare(&plan, &fixture, &format!("bench-{round}")))
                    .expect("prepare");
                let t = Instant::now();
                let report = runtime.block_on(load::drive(plan.clone(), presentations));
                total += t.elapsed();
                assert_eq!(
                    report.with_reason("accepted"),
                    IN_FLIGHT,
                    "{}",
                    report.summary()
                );
            }
            total
        })
    });
    group.finish();
    let _ = stop.send(());
    let _ = runtime.block_on(serving);
}

criterion_group!(benches, service);
criterion_main!(benches);
