//! The prover's five multi-scalar multiplications on their real inputs (the credential circuit's
//! key, an honest witness), zkcred's MSM against arkworks' `VariableBaseMSM`, in one run: each
//! MSM, the five together (ours as the prover schedules them, arkworks' one after another as
//! ark-groth16 runs them), and the Groth16 assembly (witness map + MSMs) ours against
//! `Groth16::create_proof_with_reduction_and_matrices`.

use ark_bn254::{g1, g2, Bn254, Fr, G1Affine, G1Projective, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::PrimeField;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::Groth16;
use ark_poly::GeneralEvaluationDomain;
use ark_snark::SNARK;
use ark_std::UniformRand;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_benches::Fixture;
use zkcred_circuits::CredentialCircuit;
use zkcred_prover::msm::{msm, msm_prepared, GlvScalars};
use zkcred_prover::{groth16, Prover};

fn g1_pair(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    bases: &[G1Affine],
    scalars: &[Fr],
) {
    let bigints: Vec<_> = scalars.iter().map(|x| x.into_bigint()).collect();
    c.bench_function(format!("{name}/arkworks"), |b| {
        b.iter(|| G1Projective::msm_bigint(bases, &bigints))
    });
    c.bench_function(format!("{name}/zkcred"), |b| {
        b.iter(|| msm::<g1::Config>(bases, scalars).expect("lengths"))
    });
}

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (pk, _) = Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), &mut rng)
        .expect("setup");
    let f = Fixture::new();
    let vk = zkcred_setup::keys::verifying_key(&pk.vk).expect("vk");
    let prover = Prover::new(pk.clone(), &vk).expect("prover");
    let full = prover
        .full_assignment(&f.public, &f.witness)
        .expect("witness");
    let n_inst = prover.num_instance_variables();
    let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
        prover.matrices(),
        n_inst,
        prover.num_constraints(),
        &full,
    )
    .expect("witness map");
    let h = &h[..pk.h_query.len()];
    let all = &full[1..];
    let aux = &full[n_inst..];

    let mut g = c.benchmark_group("msm");
    g.sample_size(20);
    g1_pair(&mut g, "a_g1", &pk.a_query[1..], all);
    g1_pair(&mut g, "b_g1", &pk.b_g1_query[1..], all);
    g1_pair(&mut g, "h_g1", &pk.h_query, h);
    g1_pair(&mut g, "l_g1", &pk.l_query, aux);
    let bigints: Vec<_> = all.iter().map(|x| x.into_bigint()).collect();
    g.bench_function("b_g2/arkworks", |b| {
        b.iter(|| G2Projective::msm_bigint(&pk.b_g2_query[1..], &bigints))
    });
    g.bench_function("b_g2/zkcred", |b| {
        b.iter(|| msm::<g2::Config>(&pk.b_g2_query[1..], all).expect("lengths"))
    });

    // The five together.
    let h_big: Vec<_> = h.iter().map(|x| x.into_bigint()).collect();
    let aux_big = &bigints[n_inst - 1..];
    g.bench_function("five/arkworks", |b| {
        b.iter(|| {
            (
                G1Projective::msm_bigint(&pk.h_query, &h_big),
                G1Projective::msm_bigint(&pk.l_query, aux_big),
                G1Projective::msm_bigint(&pk.a_query[1..], &bigints),
                G1Projective::msm_bigint(&pk.b_g1_query[1..], &bigints),
                G2Projective::msm_bigint(&pk.b_g2_query[1..], &bigints),
            )
        })
    });
    g.bench_function("five/zkcred", |b| {
        b.iter(|| {
            rayon::join(
                || {
                    msm_prepared(
                        &pk.b_g2_query[1..],
                        GlvScalars::<g2::Config>::new(all).all(),
                    )
                },
                || {
                    let s1 = GlvScalars::<g1::Config>::new(all);
                    let l = s1.tail(n_inst - 1..).expect("aux");
                    rayon::join(
                        || {
                            rayon::join(
                                || msm_prepared(&pk.a_query[1..], s1.all()),
                                || msm_prepared(&pk.b_g1_query[1..], s1.all()),
                            )
                        },
                        || {
                            rayon::join(
                                || msm_prepared(&pk.l_query, l),
                                || msm::<g1::Config>(&pk.h_query, h),
                            )
                        },
                    )
                },
            )
        })
    });
    g.finish();

    // Witness map plus the five MSMs, fixed r and s.
    let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
    let mut g = c.benchmark_group("groth16");
    g.sample_size(20);
    g.bench_function("arkworks", |b| {
        b.iter(|| {
            Groth16::<Bn254>::create_proof_with_reduction_and_matrices(
                &pk,
                r,
                s,
                prover.matrices(),
                n_inst,
                prover.num_constraints(),
                &full,
            )
            .expect("proof")
        })
    });
    g.bench_function("zkcred", |b| {
        b.iter(|| {
            groth16::create_proof(
                &pk,
                r,
                s,
                prover.matrices(),
                n_inst,
                prover.num_constraints(),
                &full,
            )
            .expect("proof")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
