//! zkcred's multi-scalar multiplication for BN254's G1 and G2.
//!
//! `Σ k_i·P_i` by Pippenger's bucket method with
//! - the **small-scalar split**: zero scalars and zero points are dropped, scalars `±1` are summed
//!   directly, scalars (or their negations) below `2^128` skip the GLV split;
//! - the **GLV endomorphism** ([`glv`]): every other scalar becomes two of ~127 bits, on `P` and
//!   `φ(P)`;
//! - **signed digits** ([`digits`]): `2^(c−1)` buckets per window of `c` bits;
//! - **batch-affine bucket accumulation** ([`batch_affine`]): buckets are summed in affine
//!   coordinates, one inversion per round shared by all additions of the round;
//! - a **window size** from a cost model ([`window`]);
//! - windows computed in parallel (rayon), the `±1` sum beside them.
//!
//! The algorithm and its cost model are described in `docs/msm.md`.

pub mod batch_affine;
pub mod digits;
pub mod glv;
pub mod window;

use ark_bn254::Fr;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Bucket, Projective};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, BigInteger, PrimeField};
use ark_std::Zero;
use glv::{Decomposer, Half};
use rayon::prelude::*;
use std::marker::PhantomData;
use std::ops::RangeFrom;
use thiserror::Error;

/// The bases and scalars of an MSM differ in number.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("an MSM needs one scalar per base: {bases} bases, {scalars} scalars")]
pub struct LengthMismatch {
    /// Number of bases.
    pub bases: usize,
    /// Number of scalars.
    pub scalars: usize,
}

/// How one scalar enters the MSM.
#[derive(Clone, Copy, Debug)]
enum Split {
    Zero,
    /// `±1`: summed without buckets.
    One {
        neg: bool,
    },
    /// `±m` with `m < 2^128`: one point, no endomorphism.
    Single(Half),
    /// `k1 + λ·k2`: the point and its image under `φ`.
    Pair(Half, Half),
    /// No short decomposition (never for BN254): multiplied directly.
    Direct(Fr),
}

/// Scalars recoded once for the curve `C` (G1 or G2), so that several MSMs over the same
/// scalars (the prover's `A`, `B` and `L`) share the work.
pub struct GlvScalars<C> {
    splits: Vec<Split>,
    curve: PhantomData<fn() -> C>,
}

/// A run of [`GlvScalars`].
#[derive(Clone, Copy)]
pub struct GlvSlice<'a, C> {
    splits: &'a [Split],
    curve: PhantomData<fn() -> C>,
}

impl<C: GLVConfig<ScalarField = Fr>> GlvScalars<C> {
    /// Splits every scalar (in parallel).
    pub fn new(scalars: &[Fr]) -> Self {
        let decomposer = Decomposer::new::<C>();
        let splits = scalars.par_iter().map(|k| split(&decomposer, k)).collect();
        Self {
            splits,
            curve: PhantomData,
        }
    }

    /// Number of scalars.
    pub fn len(&self) -> usize {
        self.splits.len()
    }

    /// Whether there are no scalars.
    pub fn is_empty(&self) -> bool {
        self.splits.is_empty()
    }

    /// All scalars.
    pub fn all(&self) -> GlvSlice<'_, C> {
        GlvSlice {
            splits: &self.splits,
            curve: PhantomData,
        }
    }

    /// The scalars from `range.start` on, or `None` past the end.
    pub fn tail(&self, range: RangeFrom<usize>) -> Option<GlvSlice<'_, C>> {
        Some(GlvSlice {
            splits: self.splits.get(range)?,
            curve: PhantomData,
        })
    }
}

fn split(decomposer: &Decomposer, k: &Fr) -> Split {
    let k_int = k.into_bigint();
    if k_int.is_zero() {
        return Split::Zero;
    }
    let mut neg_int = Fr::MODULUS;
    neg_int.sub_with_borrow(&k_int);
    for (neg, v) in [(false, k_int), (true, neg_int)] {
        if let [lo, hi, 0, 0] = v.0 {
            let mag = (u128::from(hi) << 64) | u128::from(lo);
            return if mag == 1 {
                Split::One { neg }
            } else {
                Split::Single(Half { neg, mag })
            };
        }
    }
    match decomposer.decompose(&k_int) {
        Some((k1, k2)) => Split::Pair(k1, k2),
        None => Split::Direct(*k),
    }
}

/// `Σ scalars[i]·bases[i]`; see [`msm_prepared`].
pub fn msm<C: GLVConfig<ScalarField = Fr>>(
    bases: &[Affine<C>],
    scalars: &[Fr],
) -> Result<Projective<C>, LengthMismatch> {
    msm_prepared(bases, GlvScalars::new(scalars).all())
}

/// `Σ scalars[i]·bases[i]` for scalars split beforehand.
pub fn msm_prepared<C: GLVConfig<ScalarField = Fr>>(
    bases: &[Affine<C>],
    scalars: GlvSlice<'_, C>,
) -> Result<Projective<C>, LengthMismatch> {
    if bases.len() != scalars.splits.len() {
        return Err(LengthMismatch {
            bases: bases.len(),
            scalars: scalars.splits.len(),
        });
    }
    let terms = Terms::collect(bases, scalars.splits);
    let bits = terms
        .mags
        .iter()
        .map(|m| 128 - m.leading_zeros())
        .max()
        .unwrap_or(0);
    let c = window::size(terms.points.len(), bits);
    let window_count = if terms.points.is_empty() {
        0
    } else {
        digits::windows(bits, c)
    };
    let mut ones = terms.ones;
    let (ones_sum, window_sums) = rayon::join(
        || batch_affine::sum(&mut ones),
        || {
            (0..window_count)
                .into_par_iter()
                .map(|w| window_sum(&terms.points, &terms.mags, w, c))
                .collect::<Vec<_>>()
        },
    );
    let mut acc = Projective::<C>::zero();
    for s in window_sums.iter().rev() {
        for _ in 0..c {
            acc.double_in_place();
        }
        acc += s;
    }
    Ok(acc + ones_sum + terms.direct)
}

/// The MSM's terms after the small-scalar split and the GLV expansion.
struct Terms<C: GLVConfig> {
    /// Points with scalar `±1`, signs applied.
    ones: Vec<Affine<C>>,
    /// Points for the buckets, signs applied, and their scalars' magnitudes.
    points: Vec<Affine<C>>,
    mags: Vec<u128>,
    /// The sum of the directly multiplied terms.
    direct: Projective<C>,
}

impl<C: GLVConfig<ScalarField = Fr>> Terms<C> {
    fn collect(bases: &[Affine<C>], splits: &[Split]) -> Self {
        let mut t = Self {
            ones: Vec::new(),
            points: Vec::with_capacity(2 * bases.len()),
            mags: Vec::with_capacity(2 * bases.len()),
            direct: Projective::zero(),
        };
        for (p, s) in bases.iter().zip(splits) {
            if p.is_zero() {
                continue;
            }
            match *s {
                Split::Zero => {}
                Split::One { neg } => t.ones.push(signed(neg, *p)),
                Split::Single(h) => t.push(h, *p),
                Split::Pair(h1, h2) => {
                    t.push(h1, *p);
                    t.push(h2, C::endomorphism_affine(p));
                }
                Split::Direct(k) => t.direct += *p * k,
            }
        }
        t
    }

    fn push(&mut self, h: Half, p: Affine<C>) {
        if h.mag != 0 {
            self.points.push(signed(h.neg, p));
            self.mags.push(h.mag);
        }
    }
}

fn signed<C: GLVConfig>(neg: bool, p: Affine<C>) -> Affine<C> {
    if neg {
        -p
    } else {
        p
    }
}

/// `Σ_j j·B_j` for the buckets `B_j` of window `w`.
fn window_sum<C: GLVConfig>(points: &[Affine<C>], mags: &[u128], w: u32, c: u32) -> Projective<C> {
    let buckets = 1usize << (c - 1);
    let digits: Vec<i32> = mags.iter().map(|&k| digits::booth(k, w, c)).collect();
    // Counting sort by bucket: bucket |d| − 1 holds sign(d)·P.
    let mut bounds = vec![0usize; buckets + 1];
    for &d in &digits {
        if d != 0 {
            bounds[d.unsigned_abs() as usize] += 1;
        }
    }
    for b in 1..=buckets {
        bounds[b] += bounds[b - 1];
    }
    let mut cursor = bounds.clone();
    let mut sorted = vec![Affine::<C>::identity(); bounds[buckets]];
    for (&d, p) in digits.iter().zip(points) {
        if d != 0 {
            let slot = &mut cursor[d.unsigned_abs() as usize - 1];
            sorted[*slot] = signed(d < 0, *p);
            *slot += 1;
        }
    }
    let sums = batch_affine::sum_groups(&mut sorted, &bounds, &mut Default::default());
    // Running sums in extended Jacobian (XYZZ) coordinates: 8M + 2S per mixed addition.
    let mut running = Bucket::<C>::ZERO;
    let mut total = Bucket::<C>::ZERO;
    for b in sums.iter().rev() {
        running += b;
        total += &running;
    }
    total.into()
}

#[cfg(test)]
mod tests;
