//! Full credential proof: zkcred's prover (cached matrices, witness-only synthesis) against the
//! straightforward arkworks baseline (`Groth16::prove`, synthesizing on every call), same run.

use ark_bn254::Bn254;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_benches::Fixture;
use zkcred_circuits::CredentialCircuit;
use zkcred_prover::Prover;

fn prove(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), &mut rng)
        .expect("setup");
    let f = Fixture::new();
    let prover = Prover::new(pk.clone()).expect("prover");
    let inputs = f.public.to_field_elements();
    let proof = prover
        .prove(&f.public, &f.witness, &mut rng)
        .expect("proof");
    assert!(Groth16::<Bn254>::verify(&vk, &inputs, &proof).expect("verify"));

    let mut g = c.benchmark_group("prove");
    g.sample_size(20);
    g.bench_function("zkcred", |b| {
        b.iter(|| {
            prover
                .prove(&f.public, &f.witness, &mut rng)
                .expect("proof")
        })
    });
    g.bench_function("baseline_groth16_prove", |b| {
        b.iter(|| {
            let circuit = CredentialCircuit {
                public: f.public.clone(),
                witness: f.witness.clone(),
            };
            Groth16::<Bn254>::prove(&pk, circuit, &mut rng).expect("proof")
        })
    });
    g.finish();
}

criterion_group!(benches, prove);
criterion_main!(benches);
