//! Issues N synthetic credentials in bulk into a fresh database and prints how long it took.
//!
//! `cargo run -p zkcred-issuer --example bulk_issue -- 100000`. No assertion: a measuring tool.

use rand::SeedableRng;
use std::fs::File;
use std::time::Instant;
use zkcred_core::encoding::fr_to_string;
use zkcred_core::schema::Schema;
use zkcred_core::Fr;
use zkcred_issuer::{FileSink, IssuerDb};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args().nth(1).map_or(Ok(100_000), |s| s.parse())?;
    let mut input = String::new();
    for i in 0..n {
        let hpk = fr_to_string(&zkcred_core::poseidon::hash(&[Fr::from(i)]));
        input.push_str(&format!(
            "{{\"name\":\"Person {i}\",\"real_name_verified\":true,\"birth_date\":\"1990-01-01\",\
             \"expiry_date\":\"2031-01-01\",\"nationality\":156,\"region\":110105,\
             \"document_type\":1,\"hpk\":\"{hpk}\"}}\n"
        ));
    }
    let dir = tempfile::tempdir()?;
    let mut db = IssuerDb::init(dir.path().join("issuer.redb"))?;
    let mut sink = FileSink::new(File::create(dir.path().join("credentials.jsonl"))?);
    let mut rng = rand_chacha::ChaCha20Rng::from_entropy();
    let start = Instant::now();
    let report = db.issue_bulk(
        input.as_bytes(),
        &Schema::identity_v1(),
        &mut rng,
        &mut sink,
        |k| {
            if k % 100_000 == 0 {
                eprintln!("{k} committed after {:.1?}", start.elapsed());
            }
        },
    )?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "issued {} credentials in {} batches in {secs:.2} s ({:.0}/s); root {}",
        report.issued,
        report.batches,
        report.issued as f64 / secs,
        fr_to_string(&report.root)
    );
    let start = Instant::now();
    let lookups = 1000u64;
    for k in 0..lookups {
        let doc = db.path_json(k * 7919 % n.max(1))?;
        std::hint::black_box(doc);
    }
    println!(
        "path lookup: {:.1} us on average",
        start.elapsed().as_secs_f64() * 1e6 / lookups as f64
    );
    Ok(())
}
