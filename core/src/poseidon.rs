//! Poseidon over BN254 with circomlib's parameters.
//!
//! `H(x1..xn)` is circomlib's `Poseidon(n)`: the state is `[0, x1, .., xn]` (width `t = n + 1`),
//! the S-box is `x^5`, there are 8 full rounds (4 before and 4 after the partial rounds) and
//! circomlib's number of partial rounds for the width; the output is `state[0]`. The round
//! constants and MDS matrices are circomlib's, taken from `light-poseidon`.
//!
//! Round `r` is: add the constants `C[r*t .. r*t + t]`, apply the S-box (to every element in a
//! full round, to `state[0]` only in a partial round), multiply by the MDS matrix
//! (`state'[i] = sum_j M[i][j] * state[j]`). [`hash`] is the one entry point every caller uses,
//! so a faster implementation can replace it without touching them.

use crate::error::{Error, Result};
use crate::Fr;
use ark_ff::{Field, Zero};
use std::sync::OnceLock;

/// The largest number of inputs supported (width 13).
pub const MAX_INPUTS: usize = 12;

/// Number of full rounds for every width.
pub const FULL_ROUNDS: usize = 8;

/// The constants of one Poseidon instance (one width).
#[derive(Debug)]
pub struct PoseidonParams {
    /// State width `t = inputs + 1`.
    pub width: usize,
    /// Number of full rounds (8).
    pub full_rounds: usize,
    /// Number of partial rounds.
    pub partial_rounds: usize,
    /// Round constants, `width` per round, round-major.
    pub ark: Vec<Fr>,
    /// MDS matrix, `mds[i][j]` multiplies `state[j]` into `state'[i]`.
    pub mds: Vec<Vec<Fr>>,
}

impl PoseidonParams {
    /// The round constants of round `r`.
    pub fn round_constants(&self, r: usize) -> &[Fr] {
        &self.ark[r * self.width..(r + 1) * self.width]
    }

    /// Whether round `r` is a full round.
    pub fn is_full_round(&self, r: usize) -> bool {
        let half = self.full_rounds / 2;
        r < half || r >= half + self.partial_rounds
    }

    /// Total number of rounds.
    pub fn rounds(&self) -> usize {
        self.full_rounds + self.partial_rounds
    }
}

/// The parameters for `n_inputs` inputs (`1..=12`).
pub fn params(n_inputs: usize) -> Result<&'static PoseidonParams> {
    static CACHE: [OnceLock<PoseidonParams>; MAX_INPUTS] = [const { OnceLock::new() }; MAX_INPUTS];
    if !(1..=MAX_INPUTS).contains(&n_inputs) {
        return Err(Error::PoseidonArity(n_inputs));
    }
    Ok(CACHE[n_inputs - 1].get_or_init(|| {
        let width = n_inputs + 1;
        // Widths 2..=13 are all defined by light-poseidon; the conversion cannot fail.
        let p = light_poseidon::parameters::bn254_x5::get_poseidon_parameters::<Fr>(width as u8)
            .expect("circomlib parameters exist for widths 2..=13");
        PoseidonParams {
            width,
            full_rounds: p.full_rounds,
            partial_rounds: p.partial_rounds,
            ark: p.ark,
            mds: p.mds,
        }
    }))
}

#[inline(always)]
fn sbox(x: &mut Fr) {
    let x2 = x.square();
    let x4 = x2.square();
    *x *= x4;
}

fn permute(p: &PoseidonParams, state: &mut [Fr]) {
    let t = p.width;
    let mut next = [Fr::zero(); MAX_INPUTS + 1];
    for r in 0..p.rounds() {
        for (s, c) in state.iter_mut().zip(p.round_constants(r)) {
            *s += c;
        }
        if p.is_full_round(r) {
            state.iter_mut().for_each(sbox);
        } else {
            sbox(&mut state[0]);
        }
        for (i, n) in next[..t].iter_mut().enumerate() {
            *n = state
                .iter()
                .zip(&p.mds[i])
                .fold(Fr::zero(), |acc, (s, m)| acc + *s * m);
        }
        state.copy_from_slice(&next[..t]);
    }
}

/// `H(x1..xN)` for a fixed arity `N` in `1..=12` (checked at compile time).
pub fn hash<const N: usize>(inputs: &[Fr; N]) -> Fr {
    const { assert!(N >= 1 && N <= MAX_INPUTS, "Poseidon takes 1..=12 inputs") };
    hash_slice(inputs).expect("arity checked at compile time")
}

/// `H(x1..xn)` for a runtime arity; fails unless `1 <= n <= 12`.
pub fn hash_slice(inputs: &[Fr]) -> Result<Fr> {
    let p = params(inputs.len())?;
    let mut state = [Fr::zero(); MAX_INPUTS + 1];
    state[1..=inputs.len()].copy_from_slice(inputs);
    permute(p, &mut state[..p.width]);
    Ok(state[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::parse_fr;
    use ark_std::UniformRand;
    use light_poseidon::{Poseidon, PoseidonHasher};
    use rand::SeedableRng;

    #[test]
    fn known_value_of_two_inputs() {
        let h = hash(&[Fr::from(1u64), Fr::from(2u64)]);
        let expected = parse_fr(
            "7853200120776062878684798364095072458815029376092732009249414926327459813530",
        )
        .unwrap();
        assert_eq!(h, expected);
    }

    #[test]
    fn equals_light_poseidon_reference_at_every_width() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for n in 1..=MAX_INPUTS {
            let mut reference = Poseidon::<Fr>::new_circom(n).unwrap();
            for _ in 0..4 {
                let xs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
                assert_eq!(
                    hash_slice(&xs).unwrap(),
                    reference.hash(&xs).unwrap(),
                    "n={n}"
                );
            }
        }
    }

    #[test]
    fn rejects_bad_arity() {
        assert!(hash_slice(&[]).is_err());
        assert!(hash_slice(&[Fr::from(0u64); 13]).is_err());
    }
}
