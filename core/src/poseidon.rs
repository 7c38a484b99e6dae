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

/// The textbook permutation: every round adds its constants, applies the S-box and the dense
/// MDS matrix. Kept as the reference the optimized form is tested against.
fn permute_reference(p: &PoseidonParams, state: &mut [Fr]) {
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

fn dense_mul(m: &[Vec<Fr>], state: &mut [Fr]) {
    let mut next = [Fr::zero(); MAX_INPUTS + 1];
    for (n, row) in next.iter_mut().zip(m) {
        *n = row
            .iter()
            .zip(state.iter())
            .fold(Fr::zero(), |acc, (a, b)| acc + *a * b);
    }
    state.copy_from_slice(&next[..state.len()]);
}

/// `A * B` for square matrices.
fn mat_mul(a: &[Vec<Fr>], b: &[Vec<Fr>]) -> Vec<Vec<Fr>> {
    let n = a.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| (0..n).map(|k| a[i][k] * b[k][j]).sum())
                .collect()
        })
        .collect()
}

/// The inverse of a square matrix by Gauss-Jordan elimination (MDS submatrices are invertible).
fn mat_inv(m: &[Vec<Fr>]) -> Vec<Vec<Fr>> {
    let n = m.len();
    let mut a: Vec<Vec<Fr>> = m.to_vec();
    let mut inv: Vec<Vec<Fr>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| if i == j { Fr::from(1u64) } else { Fr::zero() })
                .collect()
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n)
            .find(|r| !a[*r][col].is_zero())
            .expect("MDS submatrices are invertible");
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let f = a[col][col].inverse().expect("non-zero pivot");
        for j in 0..n {
            a[col][j] *= f;
            inv[col][j] *= f;
        }
        for r in 0..n {
            if r != col && !a[r][col].is_zero() {
                let g = a[r][col];
                for j in 0..n {
                    let (ac, ic) = (a[col][j], inv[col][j]);
                    a[r][j] -= g * ac;
                    inv[r][j] -= g * ic;
                }
            }
        }
    }
    inv
}

/// A sparse matrix `[[a00, row], [col, I]]`.
#[derive(Debug)]
struct Sparse {
    a00: Fr,
    row: Vec<Fr>,
    col: Vec<Fr>,
}

/// The permutation rewritten for speed, equal to the textbook one (Poseidon paper, appendix B):
///
/// 1. In a partial round only `state[0]` goes through the S-box, so the constants of the other
///    elements are pushed forward through the (linear) MDS layer into the next round; partial
///    rounds then add one scalar.
/// 2. Each partial round's matrix `A` is factored as `A = A'' * A'` with
///    `A' = diag(1, Â)` and `A'' = [[a00, a_row Â^-1], [a_col, I]]` sparse. `A'` fixes
///    `state[0]`, so it commutes with the partial S-box and the scalar constant, and is merged
///    into the previous round's matrix (`A_prev = A' * M`); going backwards, the first partial
///    round's `A'` lands in the last full round before them, which stays dense.
///
/// A partial round then costs `2t` multiplications instead of `t^2`.
#[derive(Debug)]
struct Optimized {
    width: usize,
    /// Full rounds before the partial rounds: constants and dense matrix.
    first: Vec<(Vec<Fr>, Vec<Vec<Fr>>)>,
    /// Partial rounds: scalar constant and sparse matrix.
    partial: Vec<(Fr, Sparse)>,
    /// Full rounds after the partial rounds.
    last: Vec<(Vec<Fr>, Vec<Vec<Fr>>)>,
}

impl Optimized {
    fn new(p: &PoseidonParams) -> Self {
        let t = p.width;
        let half = p.full_rounds / 2;
        let mut consts: Vec<Vec<Fr>> = (0..p.rounds())
            .map(|r| p.round_constants(r).to_vec())
            .collect();
        // 1. Push the non-first constants of partial rounds forward.
        for r in half..half + p.partial_rounds {
            let mut rest = consts[r].clone();
            rest[0] = Fr::zero();
            for c in consts[r][1..].iter_mut() {
                *c = Fr::zero();
            }
            let pushed: Vec<Fr> = (0..t)
                .map(|i| (0..t).map(|j| p.mds[i][j] * rest[j]).sum())
                .collect();
            for (c, x) in consts[r + 1].iter_mut().zip(pushed) {
                *c += x;
            }
        }
        // 2. Factor the partial rounds' matrices, last to first.
        let mut partial = Vec::with_capacity(p.partial_rounds);
        let mut a = p.mds.clone();
        for _ in 0..p.partial_rounds {
            let hat: Vec<Vec<Fr>> = a[1..].iter().map(|row| row[1..].to_vec()).collect();
            let hat_inv = mat_inv(&hat);
            let row: Vec<Fr> = (0..t - 1)
                .map(|j| (0..t - 1).map(|k| a[0][k + 1] * hat_inv[k][j]).sum())
                .collect();
            let col: Vec<Fr> = (1..t).map(|i| a[i][0]).collect();
            partial.push(Sparse {
                a00: a[0][0],
                row,
                col,
            });
            let mut a_prime = vec![vec![Fr::zero(); t]; t];
            a_prime[0][0] = Fr::from(1u64);
            for i in 1..t {
                a_prime[i][1..].copy_from_slice(&hat[i - 1]);
            }
            a = mat_mul(&a_prime, &p.mds);
        }
        partial.reverse();
        let first = (0..half)
            .map(|r| {
                (
                    consts[r].clone(),
                    if r + 1 == half {
                        a.clone()
                    } else {
                        p.mds.clone()
                    },
                )
            })
            .collect();
        let partial = partial
            .into_iter()
            .enumerate()
            .map(|(i, m)| (consts[half + i][0], m))
            .collect();
        let last = (half + p.partial_rounds..p.rounds())
            .map(|r| (consts[r].clone(), p.mds.clone()))
            .collect();
        Self {
            width: t,
            first,
            partial,
            last,
        }
    }

    fn permute(&self, state: &mut [Fr]) {
        debug_assert_eq!(state.len(), self.width);
        let full = |state: &mut [Fr], rounds: &[(Vec<Fr>, Vec<Vec<Fr>>)]| {
            for (c, m) in rounds {
                for (s, c) in state.iter_mut().zip(c) {
                    *s += c;
                    sbox(s);
                }
                dense_mul(m, state);
            }
        };
        full(state, &self.first);
        for (k, m) in &self.partial {
            state[0] += k;
            sbox(&mut state[0]);
            let x0 = state[0];
            let mut y0 = m.a00 * x0;
            for (s, (r, c)) in state[1..].iter_mut().zip(m.row.iter().zip(&m.col)) {
                y0 += *r * *s;
                *s += *c * x0;
            }
            state[0] = y0;
        }
        full(state, &self.last);
    }
}

fn optimized(n_inputs: usize) -> Result<&'static Optimized> {
    static CACHE: [OnceLock<Optimized>; MAX_INPUTS] = [const { OnceLock::new() }; MAX_INPUTS];
    let p = params(n_inputs)?;
    Ok(CACHE[n_inputs - 1].get_or_init(|| Optimized::new(p)))
}

/// `H(x1..xN)` for a fixed arity `N` in `1..=12` (checked at compile time).
pub fn hash<const N: usize>(inputs: &[Fr; N]) -> Fr {
    const { assert!(N >= 1 && N <= MAX_INPUTS, "Poseidon takes 1..=12 inputs") };
    hash_slice(inputs).expect("arity checked at compile time")
}

/// `H(x1..xn)` for a runtime arity; fails unless `1 <= n <= 12`.
pub fn hash_slice(inputs: &[Fr]) -> Result<Fr> {
    let opt = optimized(inputs.len())?;
    let mut state = [Fr::zero(); MAX_INPUTS + 1];
    state[1..=inputs.len()].copy_from_slice(inputs);
    opt.permute(&mut state[..opt.width]);
    Ok(state[0])
}

/// `H(x1..xn)` by the textbook permutation; slower, for cross-checking.
pub fn hash_reference(inputs: &[Fr]) -> Result<Fr> {
    let p = params(inputs.len())?;
    let mut state = [Fr::zero(); MAX_INPUTS + 1];
    state[1..=inputs.len()].copy_from_slice(inputs);
    permute_reference(p, &mut state[..p.width]);
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
                let expected = reference.hash(&xs).unwrap();
                assert_eq!(hash_slice(&xs).unwrap(), expected, "optimized, n={n}");
                assert_eq!(hash_reference(&xs).unwrap(), expected, "textbook, n={n}");
            }
        }
    }

    #[test]
    fn rejects_bad_arity() {
        assert!(hash_slice(&[]).is_err());
        assert!(hash_slice(&[Fr::from(0u64); 13]).is_err());
    }
}
