//! 64-bit range checks, mirroring the native bound checks of
//! [`zkcred_core::statement::check_satisfaction`].
//!
//! `v < 2^64` is enforced by a decomposition into 64 witness bits `b_i` (one booleanity
//! constraint each) and one constraint `sum b_i 2^i = v`: 65 constraints. A numeric attribute
//! `a` lies in `[lo, hi]` when both `a - lo` and `hi - a` are below 2^64; given `lo, hi < 2^64`
//! (the verifier builds them from `u64`s), this means `lo <= a <= hi` over the integers, and in
//! particular `a < 2^64`.

use crate::FrVar;
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::SynthesisError;
use zkcred_core::Fr;

/// Constraints of one [`enforce_u64`] on a non-constant value.
pub const U64_CONSTRAINTS: usize = 65;

/// Enforces `v < 2^64`.
pub fn enforce_u64(v: &FrVar) -> Result<(), SynthesisError> {
    let cs = v.cs();
    if cs.is_none() {
        // A constant: check it directly.
        return match zkcred_core::encoding::fr_to_u64(&v.value()?) {
            Some(_) => Ok(()),
            None => Err(SynthesisError::Unsatisfiable),
        };
    }
    let mut sum = FrVar::zero();
    let mut coeff = Fr::from(1u64);
    for i in 0..64 {
        // For an out-of-range value the low 64 bits are assigned and the sum check fails.
        let bit =
            Boolean::new_witness(cs.clone(), || v.value().map(|x| x.into_bigint().get_bit(i)))?;
        sum += FrVar::from(bit) * coeff;
        coeff += coeff;
    }
    crate::enforce_equal(&sum, v)
}

/// Enforces `lo <= a <= hi` for `lo, hi < 2^64` (two decompositions).
pub fn enforce_in_range(a: &FrVar, lo: &FrVar, hi: &FrVar) -> Result<(), SynthesisError> {
    enforce_u64(&(a - lo))?;
    enforce_u64(&(hi - a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::test_util::*;
    use ark_r1cs_std::alloc::AllocationMode;
    use ark_relations::gr1cs::ConstraintSystem;

    fn holds(a: Fr, lo: u64, hi: u64, mode: AllocationMode) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = alloc(&cs, a, mode);
        let lo = alloc(&cs, Fr::from(lo), mode);
        let hi = alloc(&cs, Fr::from(hi), mode);
        match enforce_in_range(&a, &lo, &hi) {
            Ok(()) => cs.is_satisfied().unwrap(),
            Err(_) => false,
        }
    }

    #[test]
    fn native_equals_gadget_on_edges_in_every_mode() {
        let max = u64::MAX;
        let cases: &[(u64, u64, u64)] = &[
            (0, 0, max),
            (max, 0, max),
            (5, 5, 5),
            (18, 18, 100),
            (100, 18, 100),
            (17, 18, 100),
            (101, 18, 100),
            (0, 1, max),
            (max, 0, max - 1),
            (20081124, 0, 20081124),
            (20081125, 0, 20081124),
        ];
        for mode in MODES {
            for &(a, lo, hi) in cases {
                let native = lo <= a && a <= hi;
                assert_eq!(
                    holds(Fr::from(a), lo, hi, mode),
                    native,
                    "{a} in [{lo},{hi}] {mode:?}"
                );
            }
            // Field elements at or above 2^64 never pass, even with the widest bounds.
            for big in [
                Fr::from(max) + Fr::from(1u64),
                -Fr::from(1u64),
                -Fr::from(max),
            ] {
                assert!(!holds(big, 0, max, mode), "{mode:?}");
            }
        }
    }

    #[test]
    fn decomposition_costs_65() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let v = alloc(&cs, Fr::from(7u64), AllocationMode::Witness);
        enforce_u64(&v).unwrap();
        assert_eq!(cs.num_constraints(), U64_CONSTRAINTS);
    }
}
