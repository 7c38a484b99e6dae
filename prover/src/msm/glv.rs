//! The GLV decomposition `k = k1 + λ·k2 (mod r)` with `|k1|, |k2| < 2^127`.
//!
//! BN254 has an efficient endomorphism `φ(x, y) = (ω·x, y)` (`ω` a cube root of unity in the
//! base field) acting on G1 and on G2 as multiplication by a scalar `λ`. Splitting a full-size
//! scalar into two halves of ~127 bits lets an MSM over `n` points of 254-bit scalars run as one
//! over `2n` points of 127-bit scalars: the same number of bucket additions, but half as many
//! windows, hence half the bucket-reduction work.
//!
//! The lattice basis, `λ` and `φ` are ark-bn254's `GLVConfig` constants for each group (they
//! differ between G1 and G2). The rounding of Babai's nearest-plane step uses fixed-width
//! integers: `β = ⌊k·g + 2^319⌋ / 2^320` with `g = ⌊2^320·|n|/r⌋`, off from the exact quotient
//! by less than `2^-66`; all other arithmetic is exact modulo `2^256` on values whose true
//! magnitude is below `2^255`, so the halves are exact.

use ark_bn254::Fr;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ff::{BigInt, BigInteger, PrimeField};

type U256 = BigInt<4>;

/// Bits of precision of the rounding constants beyond the scalar's 256.
const SHIFT: u32 = 320;

/// One half of a decomposed scalar: its magnitude, and whether the point is to be negated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Half {
    /// The scalar is `-mag` rather than `mag`.
    pub neg: bool,
    /// The absolute value.
    pub mag: u128,
}

/// One curve's lattice basis and the precomputed rounding constants of Babai's step.
pub struct Decomposer {
    basis: [(bool, U256); 4],
    g22: U256,
    g12: U256,
}

impl Decomposer {
    /// Rounding constants for the curve `C`'s GLV lattice.
    pub fn new<C: GLVConfig<ScalarField = Fr>>() -> Self {
        let basis = C::SCALAR_DECOMP_COEFFS;
        Self {
            basis,
            g22: shifted_quotient(&basis[3].1),
            g12: shifted_quotient(&basis[1].1),
        }
    }

    /// `(k1, k2)` with `k ≡ k1 + λ·k2 (mod r)`, or `None` if a half does not fit in 128 bits
    /// (which the lattice bound rules out for `k < r`; callers fall back to a plain product).
    pub fn decompose(&self, k: &U256) -> Option<(Half, Half)> {
        let [(s11, n11), (s12, n12), (s21, n21), (s22, n22)] = self.basis;
        // β = (k, 0)·N⁻¹ = (k·n22, −k·n12)/r, rounded; N = [[n11, n12], [n21, n22]].
        let beta1 = signed(s22, round_shifted(k, &self.g22));
        let beta2 = signed(!s12, round_shifted(k, &self.g12));
        // (k1, k2) = (k, 0) − β·N.
        let b1 = add(
            beta1.mul_low(&signed(s11, n11)),
            beta2.mul_low(&signed(s21, n21)),
        );
        let b2 = add(
            beta1.mul_low(&signed(s12, n12)),
            beta2.mul_low(&signed(s22, n22)),
        );
        Some((half(sub(*k, b1))?, half(neg(b2))?))
    }
}

/// `⌊2^SHIFT · m / r⌋` by binary long division.
fn shifted_quotient(m: &U256) -> U256 {
    let r = Fr::MODULUS;
    let mut rem = U256::zero();
    let mut quotient = U256::zero();
    let top = m.num_bits() + SHIFT;
    for i in (0..top).rev() {
        rem.mul2();
        if i >= SHIFT && m.get_bit((i - SHIFT) as usize) {
            rem.add_with_carry(&U256::one());
        }
        if rem >= r {
            rem.sub_with_borrow(&r);
            quotient.add_with_carry(&(U256::one() << i));
        }
    }
    quotient
}

/// `⌊(k·g + 2^(SHIFT−1)) / 2^SHIFT⌋` for `k < 2^256`, `k·g < 2^511`.
fn round_shifted(k: &U256, g: &U256) -> U256 {
    let (_, mut hi) = k.mul(g);
    // 2^(SHIFT-1) = 2^319 is bit 63 of the high half's first limb.
    hi.add_with_carry(&BigInt([1 << 63, 0, 0, 0]));
    hi >> (SHIFT - 256)
}

fn add(mut a: U256, b: U256) -> U256 {
    a.add_with_carry(&b);
    a
}

fn sub(mut a: U256, b: U256) -> U256 {
    a.sub_with_borrow(&b);
    a
}

fn neg(a: U256) -> U256 {
    sub(U256::zero(), a)
}

fn signed(positive: bool, a: U256) -> U256 {
    if positive {
        a
    } else {
        neg(a)
    }
}

/// Sign and magnitude of a two's-complement 256-bit value, if the magnitude fits in 128 bits.
fn half(a: U256) -> Option<Half> {
    let is_neg = a.get_bit(255);
    let mag = if is_neg { neg(a) } else { a };
    let [lo, hi, 0, 0] = mag.0 else {
        return None;
    };
    Some(Half {
        neg: is_neg,
        mag: (u128::from(hi) << 64) | u128::from(lo),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{g1, g2, G1Affine, G2Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{AdditiveGroup, Field, UniformRand};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn value(h: Half) -> Fr {
        let v = Fr::from(h.mag);
        if h.neg {
            -v
        } else {
            v
        }
    }

    fn edge_scalars() -> Vec<Fr> {
        let half_r = Fr::from(Fr::MODULUS_MINUS_ONE_DIV_TWO);
        let mut v = vec![
            Fr::ZERO,
            Fr::ONE,
            -Fr::ONE,
            half_r,
            half_r + Fr::ONE,
            Fr::from(u128::MAX),
            -Fr::from(u128::MAX),
            Fr::from(2u8).pow([253]),
        ];
        for c in [g1::Config::LAMBDA, g2::Config::LAMBDA] {
            v.extend([c, -c, c + Fr::ONE, c - Fr::ONE]);
        }
        v
    }

    fn check<C: GLVConfig<ScalarField = Fr>>() {
        let d = Decomposer::new::<C>();
        let mut rng = ChaCha20Rng::seed_from_u64(10);
        let scalars = edge_scalars()
            .into_iter()
            .chain((0..2000).map(|_| Fr::rand(&mut rng)));
        for k in scalars {
            let (k1, k2) = d.decompose(&k.into_bigint()).expect("halves fit");
            assert_eq!(value(k1) + C::LAMBDA * value(k2), k, "k = {k}");
            assert!(k1.mag < 1 << 127 && k2.mag < 1 << 127, "k = {k}");
        }
    }

    #[test]
    fn halves_recombine_and_are_short_in_g1() {
        check::<g1::Config>();
    }

    #[test]
    fn halves_recombine_and_are_short_in_g2() {
        check::<g2::Config>();
    }

    #[test]
    fn the_endomorphism_is_multiplication_by_lambda() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        for _ in 0..4 {
            let p = G1Affine::rand(&mut rng);
            let phi = <g1::Config as GLVConfig>::endomorphism_affine(&p);
            assert_eq!(phi, (p * g1::Config::LAMBDA).into_affine());
            let q = G2Affine::rand(&mut rng);
            let phi = <g2::Config as GLVConfig>::endomorphism_affine(&q);
            assert_eq!(phi, (q * g2::Config::LAMBDA).into_affine());
            assert!(!phi.is_zero());
        }
    }

    #[test]
    fn rounding_constants_are_floor_quotients() {
        // g·r ≤ 2^320·m < (g + 1)·r, checked in 512-bit arithmetic.
        let d = Decomposer::new::<g1::Config>();
        for (g, m) in [(d.g22, d.basis[3].1), (d.g12, d.basis[1].1)] {
            let r = Fr::MODULUS;
            let (lo, hi) = g.mul(&r);
            let (lo1, hi1) = add(g, U256::one()).mul(&r);
            let target = (U256::zero(), m << (SHIFT - 256));
            assert!((hi, lo) <= (target.1, target.0));
            assert!((hi1, lo1) > (target.1, target.0));
        }
    }
}
