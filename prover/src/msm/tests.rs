//! The MSM against arkworks' `VariableBaseMSM::msm` on random and adversarial inputs.

use super::*;
use ark_bn254::{g1, g2, G1Projective, G2Projective};
use ark_ec::{CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::Field;
use ark_std::UniformRand;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// `n` distinct points (an arithmetic progression from a random start, cheap to make).
fn points<C: GLVConfig>(n: usize, rng: &mut ChaCha20Rng) -> Vec<Affine<C>> {
    let step = Projective::<C>::generator() * C::ScalarField::rand(rng);
    let mut p = Projective::<C>::generator() * C::ScalarField::rand(rng);
    let v: Vec<Projective<C>> = (0..n)
        .map(|_| {
            p += step;
            p
        })
        .collect();
    Projective::normalize_batch(&v)
}

fn scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand(rng)).collect()
}

/// Scalars that hit every path of the split and the digit recoding.
fn adversarial_scalar(rng: &mut ChaCha20Rng) -> Fr {
    let two = Fr::from(2u8);
    match rng.gen_range(0..12) {
        0 => Fr::ZERO,
        1 => Fr::ONE,
        2 => -Fr::ONE,
        3 => Fr::from(rng.gen::<u8>()),
        4 => -Fr::from(rng.gen::<u32>()),
        5 => Fr::from(u128::MAX),
        6 => two.pow([128]),
        7 => -two.pow([128]) + Fr::ONE,
        8 => g1::Config::LAMBDA,
        9 => -Fr::from(2u8),
        10 => two.pow([253]),
        _ => Fr::rand(rng),
    }
}

fn assert_matches_arkworks<C: GLVConfig<ScalarField = Fr>>(bases: &[Affine<C>], ks: &[Fr])
where
    Projective<C>: VariableBaseMSM<MulBase = Affine<C>, ScalarField = Fr>,
{
    let expected = <Projective<C> as VariableBaseMSM>::msm(bases, ks).expect("lengths");
    let ours = msm(bases, ks).expect("lengths");
    assert_eq!(
        ours.into_affine(),
        expected.into_affine(),
        "n = {}",
        ks.len()
    );
}

fn lengths() -> Vec<usize> {
    let mut v = vec![0, 1, 2, 3];
    for k in [4, 8, 13] {
        v.extend([(1 << k) - 1, 1 << k, (1 << k) + 1]);
    }
    v
}

#[test]
fn random_msms_match_arkworks_in_g1() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for n in lengths() {
        let bases = points::<g1::Config>(n, &mut rng);
        assert_matches_arkworks(&bases, &scalars(n, &mut rng));
    }
}

#[test]
fn random_msms_match_arkworks_in_g2() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for n in lengths() {
        let bases = points::<g2::Config>(n, &mut rng);
        assert_matches_arkworks(&bases, &scalars(n, &mut rng));
    }
}

/// Few distinct points, repeated, negated and at infinity, under edge-case scalars: buckets see
/// `P + P`, `P + (−P)` and the identity.
fn adversarial<C: GLVConfig<ScalarField = Fr>>(seed: u64)
where
    Projective<C>: VariableBaseMSM<MulBase = Affine<C>, ScalarField = Fr>,
{
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let pool = points::<C>(3, &mut rng);
    for n in [1, 2, 17, 300, 1025] {
        let bases: Vec<Affine<C>> = (0..n)
            .map(|_| match rng.gen_range(0..5) {
                0 => Affine::identity(),
                1 => -pool[rng.gen_range(0..pool.len())],
                _ => pool[rng.gen_range(0..pool.len())],
            })
            .collect();
        let ks: Vec<Fr> = (0..n).map(|_| adversarial_scalar(&mut rng)).collect();
        assert_matches_arkworks(&bases, &ks);
        // Every point with the same scalar: one bucket per window takes all of them.
        let same = vec![ks[0]; n];
        assert_matches_arkworks(&bases, &same);
    }
}

#[test]
fn adversarial_msms_match_arkworks_in_g1() {
    adversarial::<g1::Config>(3);
}

#[test]
fn adversarial_msms_match_arkworks_in_g2() {
    adversarial::<g2::Config>(4);
}

#[test]
fn a_point_and_its_negation_cancel_in_one_bucket() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let p = points::<g1::Config>(1, &mut rng)[0];
    let k = Fr::rand(&mut rng);
    let sum = msm(&[p, -p, p], &[k, k, -Fr::ONE]).expect("lengths");
    assert_eq!(sum, -G1Projective::from(p));
    let q = points::<g2::Config>(1, &mut rng)[0];
    let sum = msm(&[q, -q], &[-Fr::ONE, -Fr::ONE]).expect("lengths");
    assert!(sum.is_zero());
    assert_eq!(
        msm(&[q], &[-Fr::ONE - Fr::ONE]).expect("lengths"),
        -G2Projective::from(q).double()
    );
}

#[test]
fn identity_points_and_zero_scalars_contribute_nothing() {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let p = points::<g1::Config>(2, &mut rng);
    let ks = [Fr::rand(&mut rng), Fr::ZERO];
    assert!(msm(&[Affine::identity(), p[1]], &ks)
        .expect("lengths")
        .is_zero());
    assert_eq!(msm(&p, &ks).expect("lengths"), p[0] * ks[0]);
}

#[test]
fn mismatched_lengths_are_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let p = points::<g1::Config>(2, &mut rng);
    assert_eq!(
        msm(&p, &[Fr::ONE]),
        Err(LengthMismatch {
            bases: 2,
            scalars: 1
        })
    );
}

#[test]
fn a_tail_of_prepared_scalars_is_the_msm_of_the_suffix() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let bases = points::<g1::Config>(40, &mut rng);
    let ks: Vec<Fr> = (0..50).map(|_| adversarial_scalar(&mut rng)).collect();
    let prepared = GlvScalars::<g1::Config>::new(&ks);
    let tail = prepared.tail(10..).expect("in range");
    assert_eq!(
        msm_prepared(&bases, tail).expect("lengths"),
        msm(&bases, &ks[10..]).expect("lengths")
    );
    assert!(prepared.tail(51..).is_none());
}

#[test]
fn every_scalar_has_a_short_decomposition() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let ks: Vec<Fr> = (0..2000).map(|_| adversarial_scalar(&mut rng)).collect();
    let g1s = GlvScalars::<g1::Config>::new(&ks);
    let g2s = GlvScalars::<g2::Config>::new(&ks);
    for s in g1s.splits.iter().chain(&g2s.splits) {
        assert!(!matches!(s, Split::Direct(_)), "{s:?}");
    }
}
