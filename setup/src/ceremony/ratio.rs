//! Randomized "same ratio" checks: many pairing equations folded into one.
//!
//! To check `P'_i = c·P_i` for all `i` without knowing `c`, draw random 128-bit `r_i` and check
//! one pairing equation on `Σ r_i P_i` and `Σ r_i P'_i`. If some `P'_i ≠ c·P_i`, the check passes
//! with probability at most `2^-128` over the verifier's `r` (drawn from the OS, unknown to
//! whoever made the points).

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::One;
use rand::rngs::OsRng;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

/// A fast RNG seeded from the OS, for verification scalars.
pub fn verifier_rng() -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    ChaCha20Rng::from_seed(seed)
}

/// `n` random scalars below `2^128`.
pub fn random_scalars(n: usize, rng: &mut impl Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::from(rng.gen::<u128>())).collect()
}

/// `Σ s_i·P_i` in G1, split across threads.
pub fn msm_g1(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
    let n = bases.len().min(scalars.len());
    let chunk = n.div_ceil(rayon::current_num_threads().max(1)).max(1024);
    bases[..n]
        .par_chunks(chunk)
        .zip(scalars[..n].par_chunks(chunk))
        .map(|(b, s)| G1Projective::msm_unchecked(b, s))
        .sum()
}

/// `Σ s_i·P_i` in G2, split across threads.
pub fn msm_g2(bases: &[G2Affine], scalars: &[Fr]) -> G2Projective {
    let n = bases.len().min(scalars.len());
    let chunk = n.div_ceil(rayon::current_num_threads().max(1)).max(256);
    bases[..n]
        .par_chunks(chunk)
        .zip(scalars[..n].par_chunks(chunk))
        .map(|(b, s)| G2Projective::msm_unchecked(b, s))
        .sum()
}

/// Whether `e(a1, a2) = e(b1, b2)`, i.e. `log a1 · log a2 = log b1 · log b2`.
pub fn same_ratio(a1: G1Affine, a2: G2Affine, b1: G1Affine, b2: G2Affine) -> bool {
    let out = Bn254::multi_pairing([a1, (-b1.into_group()).into_affine()], [a2, b2]);
    out.0.is_one()
}

/// Whether `P'_i = c·P_i` for every `i`, where `c = log x2 / log y2`, i.e.
/// `e(P'_i, y2) = e(P_i, x2)`, checked with one random combination.
pub fn scaled_by(
    before: &[G1Affine],
    after: &[G1Affine],
    x2: G2Affine,
    y2: G2Affine,
    rng: &mut impl Rng,
) -> bool {
    if before.len() != after.len() {
        return false;
    }
    if before.is_empty() {
        return true;
    }
    let r = random_scalars(before.len(), rng);
    let (lhs, rhs) = rayon::join(|| msm_g1(after, &r), || msm_g1(before, &r));
    same_ratio(lhs.into_affine(), y2, rhs.into_affine(), x2)
}

/// The first `i` with `e(P'_i, y2) ≠ e(P_i, x2)`, found by bisection with [`scaled_by`]
/// (about twice the cost of one check). `None` if all agree.
pub fn first_unscaled(
    before: &[G1Affine],
    after: &[G1Affine],
    x2: G2Affine,
    y2: G2Affine,
    rng: &mut impl Rng,
) -> Option<usize> {
    let n = before.len().min(after.len());
    let (mut lo, mut hi) = (0, n);
    if scaled_by(&before[..n], &after[..n], x2, y2, rng) {
        return (before.len() != after.len()).then_some(n);
    }
    // Invariant: [lo, hi) holds a bad point.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if scaled_by(&before[lo..mid], &after[lo..mid], x2, y2, rng) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}
