//! Fixed-base tables for the verifying key's input points `IC_i`.
//!
//! `vk_x = IC_0 + Σ x_i·IC_i` is computed on every verification with the same bases, so the
//! prepared key keeps, for every `IC_i` (`i ≥ 1`) and every 4-bit window `w` of a scalar, the
//! multiples `d·2^(4w)·IC_i` for `d = 1..15` (affine). A scalar then costs one mixed addition per
//! non-zero 4-bit digit: ~63 for a full-size field element, ~7 for a date, 1 for a flag bit —
//! instead of a generic multi-scalar multiplication's per-call setup and doublings. The tables
//! take ~15 ms to build and ~2 MB for 33 inputs.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField, Zero};

/// Bits per window.
const WINDOW: usize = 4;
/// Windows per scalar (254-bit field, rounded up).
const WINDOWS: usize = 256 / WINDOW;
/// Non-zero digits per window.
const DIGITS: usize = (1 << WINDOW) - 1;

/// Window tables for a list of fixed bases.
#[derive(Clone, Debug)]
pub struct FixedBaseTables {
    /// `points[(i * WINDOWS + w) * DIGITS + (d - 1)] = d·2^(4w)·base_i`.
    points: Vec<G1Affine>,
    bases: usize,
}

impl FixedBaseTables {
    /// Builds the tables of `bases`.
    pub fn new(bases: &[G1Affine]) -> Self {
        let mut proj = Vec::with_capacity(bases.len() * WINDOWS * DIGITS);
        for base in bases {
            let mut p = base.into_group();
            for _ in 0..WINDOWS {
                let mut acc = G1Projective::zero();
                for _ in 0..DIGITS {
                    acc += p;
                    proj.push(acc);
                }
                // Next window: 2^4·p = 16·p = acc + p.
                p = acc + p;
            }
        }
        Self {
            points: G1Projective::normalize_batch(&proj),
            bases: bases.len(),
        }
    }

    /// `Σ scalars_i·base_i`; `scalars.len()` must equal the number of bases.
    pub fn msm(&self, scalars: &[Fr]) -> G1Projective {
        debug_assert_eq!(scalars.len(), self.bases);
        let mut acc = G1Projective::zero();
        for (i, s) in scalars.iter().enumerate() {
            let bits = s.into_bigint();
            let limbs = bits.as_ref();
            let top = bits.num_bits() as usize;
            for w in 0..top.div_ceil(WINDOW) {
                let bit = w * WINDOW;
                let digit = ((limbs[bit / 64] >> (bit % 64)) & DIGITS as u64) as usize;
                if digit != 0 {
                    acc += self.points[(i * WINDOWS + w) * DIGITS + digit - 1];
                }
            }
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::VariableBaseMSM;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn equals_generic_msm() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let bases: Vec<G1Affine> = (0..5)
            .map(|_| G1Projective::rand(&mut rng).into_affine())
            .collect();
        let t = FixedBaseTables::new(&bases);
        for scalars in [
            vec![Fr::from(0u64); 5],
            vec![
                Fr::from(1u64),
                Fr::from(15u64),
                Fr::from(16u64),
                Fr::from(20261124u64),
                -Fr::from(1u64),
            ],
            (0..5).map(|_| Fr::rand(&mut rng)).collect(),
        ] {
            assert_eq!(
                t.msm(&scalars),
                G1Projective::msm(&bases, &scalars).unwrap()
            );
        }
    }
}
