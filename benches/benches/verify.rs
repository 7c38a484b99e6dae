//! Single verification (34 public inputs) and batch verification of 16, 64 and 256 proofs.
//!
//! Batch throughput against single verification is `n * t(single) / t(batch n)`;
//! `benches/summary.py` prints it.

use ark_bn254::Bn254;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_benches::Fixture;
use zkcred_circuits::CredentialCircuit;
use zkcred_prover::Prover;
use zkcred_verifier::{groth16, verify_batch, Proof};

fn verify(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let (pk, _) = Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), &mut rng)
        .expect("setup");
    let vk = zkcred_setup::keys::verifying_key(&pk.vk).expect("vk");
    let pvk = vk.prepare();
    let f = Fixture::new();
    let prover = Prover::new(pk, &vk).expect("prover");
    let inputs = f.public.to_field_elements();
    // Distinct proofs of one statement (fresh randomness each), as a platform would receive.
    let proofs: Vec<(Proof, Vec<_>)> = (0..256)
        .map(|_| {
            let p = prover
                .prove(&f.public, &f.witness, &mut rng)
                .expect("proof");
            (p, inputs.clone())
        })
        .collect();

    let mut g = c.benchmark_group("verify");
    g.bench_function("single", |b| {
        b.iter(|| groth16::verify(&pvk, &proofs[0].0, &inputs).expect("valid"))
    });
    g.sample_size(10);
    for n in [16usize, 64, 256] {
        g.bench_with_input(BenchmarkId::new("batch", n), &n, |b, &n| {
            b.iter(|| {
                let outcome = verify_batch(&pvk, &proofs[..n]).expect("batch");
                assert!(outcome.all_valid());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
