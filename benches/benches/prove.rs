//! Full credential proof: zkcred's prover (cached matrices, witness-only synthesis) against the
//! straightforward arkworks baseline (`Groth16::prove`, synthesizing on every call), same run;
//! plus the prover's phases and its five multi-scalar multiplications, so that
//! `prove / sum(MSMs)` can be read off one run.

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::PrimeField;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::Groth16;
use ark_poly::GeneralEvaluationDomain;
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
    let our_vk = zkcred_setup::keys::verifying_key(&pk.vk).expect("vk");
    let prover = Prover::new(pk.clone(), &our_vk).expect("prover");
    let inputs = f.public.to_field_elements();
    let proof = prover
        .prove(&f.public, &f.witness, &mut rng)
        .expect("proof");
    let proof = ark_groth16::Proof {
        a: proof.a(),
        b: proof.b(),
        c: proof.c(),
    };
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

    // The prover's phases.
    let assignment = prover
        .full_assignment(&f.public, &f.witness)
        .expect("witness");
    let n_inst = prover.num_instance_variables();
    let witness_map = || {
        LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
            prover.matrices(),
            n_inst,
            prover.num_constraints(),
            &assignment,
        )
        .expect("witness map")
    };
    let mut g = c.benchmark_group("prove_phase");
    g.sample_size(20);
    g.bench_function("witness_generation", |b| {
        b.iter(|| {
            prover
                .full_assignment(&f.public, &f.witness)
                .expect("witness")
        })
    });
    g.bench_function("check_satisfaction", |b| {
        b.iter(|| zkcred_core::statement::check_satisfaction(&f.public, &f.witness).expect("valid"))
    });
    g.bench_function("qap_witness_map", |b| b.iter(witness_map));
    g.finish();

    // The five MSMs of the Groth16 prover, with the scalars it uses.
    let h: Vec<_> = witness_map().iter().map(|x| x.into_bigint()).collect();
    let all: Vec<_> = assignment[1..].iter().map(|x| x.into_bigint()).collect();
    let aux = &all[n_inst - 1..];
    let mut g = c.benchmark_group("prove_msm");
    g.sample_size(20);
    g.bench_function("a_g1", |b| {
        b.iter(|| G1Projective::msm_bigint(&pk.a_query[1..], &all))
    });
    g.bench_function("b_g1", |b| {
        b.iter(|| G1Projective::msm_bigint(&pk.b_g1_query[1..], &all))
    });
    g.bench_function("b_g2", |b| {
        b.iter(|| G2Projective::msm_bigint(&pk.b_g2_query[1..], &all))
    });
    g.bench_function("h_g1", |b| {
        b.iter(|| G1Projective::msm_bigint(&pk.h_query, &h))
    });
    g.bench_function("l_g1", |b| {
        b.iter(|| G1Projective::msm_bigint(&pk.l_query, aux))
    });
    g.finish();
}

criterion_group!(benches, prove);
criterion_main!(benches);
