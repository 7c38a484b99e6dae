//! Bulk issuance into the durable tree and Merkle path lookups from the issuer database.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rand::SeedableRng;
use zkcred_core::encoding::fr_to_string;
use zkcred_core::schema::Schema;
use zkcred_core::Fr;
use zkcred_issuer::IssuerDb;

/// `n` issuance lines (attributes plus `hpk`).
fn input(n: u64) -> String {
    (0..n)
        .map(|i| {
            let hpk = fr_to_string(&zkcred_core::poseidon::hash(&[Fr::from(i)]));
            format!(
                "{{\"name\":\"Person {i}\",\"real_name_verified\":true,\"birth_date\":\"1990-01-01\",\
                 \"expiry_date\":\"2031-01-01\",\"nationality\":156,\"region\":110105,\
                 \"document_type\":1,\"hpk\":\"{hpk}\"}}\n"
            )
        })
        .collect()
}

fn issuer(c: &mut Criterion) {
    let n = 10_000;
    let lines = input(n);
    let schema = Schema::identity_v1();
    let mut g = c.benchmark_group("issuer");
    g.sample_size(10);
    g.bench_function("bulk_issue_10000", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let db = IssuerDb::init(dir.path().join("db")).expect("init");
                (dir, db)
            },
            |(dir, mut db)| {
                let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
                let mut sink = |_: &zkcred_issuer::Credential| Ok(());
                db.issue_bulk(lines.as_bytes(), &schema, &mut rng, &mut sink, |_| {})
                    .expect("bulk");
                drop(dir);
            },
            BatchSize::PerIteration,
        )
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = IssuerDb::init(dir.path().join("db")).expect("init");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
    let mut sink = |_: &zkcred_issuer::Credential| Ok(());
    db.issue_bulk(lines.as_bytes(), &schema, &mut rng, &mut sink, |_| {})
        .expect("bulk");
    let mut k = 0u64;
    g.bench_function("path_lookup", |b| {
        b.iter(|| {
            k = (k + 7919) % n;
            db.path_json(k).expect("path")
        })
    });
    g.finish();
}

criterion_group!(benches, issuer);
criterion_main!(benches);
