//! The Poseidon gadget, with circomlib's constants (the same as [`zkcred_core::poseidon`]).
//!
//! Cost for `n` inputs (width `t = n + 1`, `R_P` partial rounds): `3 * (8t + R_P)` constraints
//! for the S-boxes (`x^2`, `x^4`, `x^5`), minus 3 because the first S-box of `state[0]` acts on a
//! constant; round constants and the MDS layer are linear and free.

use crate::FrVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::SynthesisError;
use zkcred_core::poseidon::params;

fn sbox(x: &FrVar) -> Result<FrVar, SynthesisError> {
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

/// `H(inputs)` in the circuit; `inputs.len()` must be `1..=12`.
pub fn hash(inputs: &[FrVar]) -> Result<FrVar, SynthesisError> {
    let p = params(inputs.len()).map_err(|_| SynthesisError::Unsatisfiable)?;
    let mut state: Vec<FrVar> = Vec::with_capacity(p.width);
    state.push(FrVar::zero());
    state.extend_from_slice(inputs);
    for r in 0..p.rounds() {
        for (s, c) in state.iter_mut().zip(p.round_constants(r)) {
            *s += *c;
        }
        if p.is_full_round(r) {
            for s in state.iter_mut() {
                *s = sbox(s)?;
            }
        } else {
            state[0] = sbox(&state[0])?;
        }
        state = p
            .mds
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&state)
                    .fold(FrVar::zero(), |acc, (m, s)| acc + s * *m)
            })
            .collect();
    }
    Ok(state.swap_remove(0))
}

/// The constraint count of [`hash`] on `n` non-constant inputs.
pub fn constraint_count(n: usize) -> usize {
    let p = params(n).expect("1..=12 inputs");
    3 * (p.full_rounds * p.width + p.partial_rounds) - 3
}

/// Allocation helpers shared by the gadget tests.
#[cfg(test)]
pub(crate) mod test_util {
    use super::*;
    use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
    use ark_relations::gr1cs::ConstraintSystemRef;
    use zkcred_core::Fr;

    pub const MODES: [AllocationMode; 3] = [
        AllocationMode::Constant,
        AllocationMode::Input,
        AllocationMode::Witness,
    ];

    pub fn alloc(cs: &ConstraintSystemRef<Fr>, x: Fr, mode: AllocationMode) -> FrVar {
        FrVar::new_variable(cs.clone(), || Ok(x), mode).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use ark_std::UniformRand;
    use rand::SeedableRng;
    use zkcred_core::Fr;

    #[test]
    fn native_equals_gadget_at_every_width_and_mode() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        for n in 1..=12 {
            for mode in MODES {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let xs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
                let vars: Vec<FrVar> = xs.iter().map(|x| alloc(&cs, *x, mode)).collect();
                let out = hash(&vars).unwrap();
                assert_eq!(
                    out.value().unwrap(),
                    zkcred_core::poseidon::hash_slice(&xs).unwrap()
                );
                assert!(cs.is_satisfied().unwrap());
                let expected = if mode == ark_r1cs_std::alloc::AllocationMode::Constant {
                    0
                } else {
                    constraint_count(n)
                };
                assert_eq!(cs.num_constraints(), expected, "n={n} {mode:?}");
            }
        }
    }

    #[test]
    fn pinned_counts() {
        // Width 2 (hpk), 3 (nullifier), 5 (tree node), 11 (leaf).
        assert_eq!(constraint_count(1), 213);
        assert_eq!(constraint_count(2), 240);
        assert_eq!(constraint_count(4), 297);
        assert_eq!(constraint_count(10), 459);
    }
}
