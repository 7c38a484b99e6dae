//! Batch verification: many Groth16 proofs under one key, checked with one multi-pairing.
//!
//! Proof `i` (`A_i, B_i, C_i` for inputs `x_i`) is valid when `D_i = 1`, where
//!
//! ```text
//! D_i = e(A_i, B_i) · e(vk_x_i, -γ) · e(C_i, -δ) · e(α, β)⁻¹,    vk_x_i = IC_0 + Σ_j x_ij·IC_j
//! ```
//!
//! A batch draws a random 128-bit `r_i` per proof and checks `Π D_i^(r_i) = 1`, i.e.
//!
//! ```text
//! Π e(r_i·A_i, B_i) · e(Σ r_i·vk_x_i, -γ) · e(Σ r_i·C_i, -δ) = e(α, β)^(Σ r_i)
//! ```
//!
//! one multi-Miller loop over `n + 2` pairs, one final exponentiation and one exponentiation in
//! the target group by a ~136-bit exponent (about the cost of one more Miller-loop pair;
//! folding `α` in as an `(n + 3)`-th pair `(-(Σ r_i)·α, β)` measured the same, so we keep the
//! cached `e(α, β)`). `Σ r_i·vk_x_i` is one MSM over the key's `IC` points with the
//! aggregated scalars `(Σ r_i, Σ r_i·x_i1, .., Σ r_i·x_in)`, so the batch never computes a
//! `vk_x_i`; `Σ r_i·C_i` is one `n`-point MSM. What each proof adds is its share of the Miller
//! loop (the line coefficients of `B_i` and their evaluation at `r_i·A_i`), one 128-bit scalar
//! multiplication in G1, and `n_inputs` field multiplications; a single verification pays three
//! Miller-loop pairs, a final exponentiation and an input MSM.
//!
//! **Soundness.** The target group has prime order `p`; write `D_i = g^(d_i)`. Bilinearity on
//! G1 × G2 (which is why every `B_i` must be in G2's prime-order subgroup, as [`Proof::new`]
//! checks) makes the left side above equal to `e(α, β)^(Σ r_i) · Π D_i^(r_i)`, so the batch
//! passes iff `Σ r_i·d_i = 0 (mod p)`. If some `d_j ≠ 0`, then for every choice of the other
//! coefficients exactly one residue of `r_j` passes, and `r_j` is uniform on `[0, 2^128)`
//! independently of the proofs, so a batch with an invalid proof passes with probability at
//! most `2^-128`. This needs the `r_i` to be unpredictable to whoever made the proofs: with
//! fixed coefficients (all 1, say) two invalid proofs can cancel (`C_1 + P` and `C_2 - P`;
//! `tests/batch.rs` shows four such pairs). The coefficients come from a merlin transcript of
//! the whole batch (a label, the circuit id, the batch size, every proof's bytes, every public
//! input) finalised with 32 bytes of OS randomness. The OS randomness makes them unpredictable;
//! the transcript means that even with a broken OS generator they are a hash of the batch,
//! so a cheating prover would have to find proofs that cancel under coefficients derived from
//! those very proofs. A verifier holds no secret, so there are no witness bytes to rekey with.
//! Completeness is exact: valid proofs pass for every choice of coefficients.
//!
//! **Finding the invalid proofs.** When a batch fails, it is split in halves, recursively:
//! a half that passes is done; a half that fails is split again; when the left half passes, the
//! right half is known to fail and is split without being checked. A single proof is always
//! decided by the single verifier ([`crate::groth16::verify`]), so a proof is named invalid
//! only if it fails on its own, never because of a random draw. The coefficients are drawn
//! once and reused by every sub-batch (each check is still sound on its own, and the union
//! bound over the at most `2n` checks keeps the chance of missing an invalid proof below
//! `2n·2^-128`). With `k` invalid proofs among `n`, bisection costs about `2k·log2(n/k)`
//! sub-batch checks, each over fewer proofs. When most proofs are invalid that is a few times
//! the cost of verifying them one by one, so the search has a budget (the estimated cost of
//! verifying the whole batch singly); once it is spent, the unresolved proofs are verified
//! singly. A batch full of invalid proofs then costs about 2.4 times single verification
//! (4 times without the budget).
//!
//! With the crate's `parallel` feature, the per-proof preparation (scalar multiplications,
//! G2 line coefficients, the input aggregation) runs on rayon, as do arkworks' MSM and Miller
//! loop.

use crate::error::{Error, Result};
use crate::groth16::{self, pairing_product_is, Proof};
use crate::key::PreparedVerifyingKey;
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{BigInteger, PrimeField, Zero};
use merlin::Transcript;
use rand::rngs::OsRng;
use rand::{CryptoRng, RngCore};
#[cfg(feature = "parallel")]
use rayon::prelude::*;
use std::ops::Range;

/// The bit length of the random coefficients: a batch containing an invalid proof passes with
/// probability at most `2^-COEFFICIENT_BITS`.
pub const COEFFICIENT_BITS: u32 = 128;

/// The merlin transcript's label (domain separation for the coefficient derivation).
const TRANSCRIPT_LABEL: &[u8] = b"zkcred groth16 batch verification v1";

/// G2 line coefficients for the Miller loop.
type G2Prepared = <Bn254 as Pairing>::G2Prepared;

/// The result of checking a batch: which proofs (by position) are invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchOutcome {
    len: usize,
    invalid: Vec<usize>,
}

impl BatchOutcome {
    /// The number of proofs checked.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch was empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether every proof verified (true for an empty batch).
    pub fn all_valid(&self) -> bool {
        self.invalid.is_empty()
    }

    /// The positions of the invalid proofs, ascending. Each one failed the single verifier.
    pub fn invalid(&self) -> &[usize] {
        &self.invalid
    }

    /// Whether proof `i` verified (`false` for positions outside the batch).
    pub fn is_valid(&self, i: usize) -> bool {
        i < self.len && self.invalid.binary_search(&i).is_err()
    }

    /// One result per proof, in batch order: `Ok(())` or [`Error::InvalidProof`], exactly what
    /// [`groth16::verify`] would return for each.
    pub fn results(&self) -> Vec<Result<()>> {
        (0..self.len)
            .map(|i| {
                if self.is_valid(i) {
                    Ok(())
                } else {
                    Err(Error::InvalidProof)
                }
            })
            .collect()
    }

    /// `Ok(())` if every proof verified, else the invalid positions.
    pub fn into_result(self) -> std::result::Result<(), BatchError> {
        if self.invalid.is_empty() {
            Ok(())
        } else {
            Err(BatchError {
                len: self.len,
                invalid: self.invalid,
            })
        }
    }
}

/// A batch in which some proofs are invalid (a rejected statement, like
/// [`Error::InvalidProof`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} of {len} proofs are invalid (positions {invalid:?})", invalid.len())]
pub struct BatchError {
    /// The number of proofs in the batch.
    pub len: usize,
    /// The positions of the invalid proofs, ascending.
    pub invalid: Vec<usize>,
}

/// Checks every `(proof, public inputs)` pair against `pvk` with one random linear combination
/// (see the module docs), and names exactly the invalid proofs if the combination fails.
///
/// The result agrees with calling [`groth16::verify`] on each item: a proof is reported invalid
/// only after the single verifier rejected it, and an invalid proof goes unreported with
/// probability below `2n·2^-128`. An empty batch is all valid; a batch of one is checked by
/// the single verifier.
///
/// Fails with [`Error::BatchItem`] (wrapping [`Error::PublicInputCount`], malformed) if any
/// item has a number of public inputs other than the key's; nothing is checked then.
pub fn verify_batch(
    pvk: &PreparedVerifyingKey,
    items: &[(Proof, Vec<Fr>)],
) -> Result<BatchOutcome> {
    verify_batch_with_rng(pvk, items, &mut OsRng)
}

/// [`verify_batch`] with the transcript finalised by `rng` instead of the OS generator.
pub(crate) fn verify_batch_with_rng<R: RngCore + CryptoRng>(
    pvk: &PreparedVerifyingKey,
    items: &[(Proof, Vec<Fr>)],
    rng: &mut R,
) -> Result<BatchOutcome> {
    let expected = pvk.vk().num_public_inputs();
    if let Some((index, (_, inputs))) =
        (items.iter().enumerate()).find(|(_, (_, x))| x.len() != expected)
    {
        return Err(Error::BatchItem {
            index,
            source: Box::new(Error::PublicInputCount {
                what: "the public input list",
                expected,
                found: inputs.len(),
            }),
        });
    }
    let invalid = match items {
        [] => Vec::new(),
        [(proof, inputs)] => match groth16::verify(pvk, proof, inputs) {
            Ok(()) => Vec::new(),
            Err(_) => vec![0],
        },
        _ => {
            let batch = Batch::new(pvk, items, coefficients(pvk, items, rng));
            let all = 0..items.len();
            if batch.equation_holds(all.clone()) {
                Vec::new()
            } else {
                let mut search = Search::new(items.len());
                batch.bisect(all, true, &mut search);
                search.invalid
            }
        }
    };
    Ok(BatchOutcome {
        len: items.len(),
        invalid,
    })
}

/// The coefficients `r_i`: 128-bit integers from a merlin transcript of the whole batch,
/// finalised with `rng`.
fn coefficients<R: RngCore + CryptoRng>(
    pvk: &PreparedVerifyingKey,
    items: &[(Proof, Vec<Fr>)],
    rng: &mut R,
) -> Vec<Fr> {
    let mut t = Transcript::new(TRANSCRIPT_LABEL);
    t.append_message(b"circuit_id", pvk.circuit_id().as_bytes());
    t.append_u64(b"batch_size", items.len() as u64);
    let mut buf = Vec::new();
    for (proof, inputs) in items {
        t.append_message(b"proof", &proof.to_bytes());
        buf.clear();
        for x in inputs {
            buf.extend_from_slice(&x.into_bigint().to_bytes_le());
        }
        t.append_message(b"public_inputs", &buf);
    }
    // No `rekey_with_witness_bytes`: a verifier has no secret to rekey with (module docs).
    let mut coins = t.build_rng().finalize(rng);
    (0..items.len())
        .map(|_| {
            let mut r = [0u8; (COEFFICIENT_BITS / 8) as usize];
            coins.fill_bytes(&mut r);
            Fr::from(u128::from_le_bytes(r))
        })
        .collect()
}

/// The cost of a sub-batch check over `m` proofs is `m + CHECK_OVERHEAD` units, one unit being
/// one proof's share of the Miller loop (about 0.35 ms in the dev profile on the 2-core
/// machine). The fixed part is the final exponentiation, the exponentiation of `e(α, β)`, the
/// `-γ` and `-δ` pairs and the full-width MSM over `IC` (measured: about 7.5 units).
const CHECK_OVERHEAD: usize = 8;

/// The cost of a single verification in the same units (measured: about 5.5).
const SINGLE_COST: usize = 6;

/// One search for the invalid proofs of a failed batch.
///
/// Bisection pays off when few proofs are invalid; when most are, it costs a few times more
/// than verifying each proof. So the search has a budget: the cost of verifying the whole batch
/// singly. Once it is spent, every range not yet resolved is decided one proof at a time, which
/// bounds the whole search by about twice the cost of single verification.
struct Search {
    /// Work done so far, in the units above.
    spent: usize,
    /// The work after which bisection stops.
    budget: usize,
    /// The invalid positions found, ascending (ranges are searched left to right).
    invalid: Vec<usize>,
}

impl Search {
    fn new(n: usize) -> Self {
        Self {
            spent: 0,
            budget: n * SINGLE_COST,
            invalid: Vec::new(),
        }
    }
}

/// A batch with its per-proof data computed once and shared by every sub-batch check.
struct Batch<'a> {
    pvk: &'a PreparedVerifyingKey,
    items: &'a [(Proof, Vec<Fr>)],
    /// `r_i`.
    r: Vec<Fr>,
    /// `r_i·A_i`.
    r_a: Vec<G1Affine>,
    /// `B_i`, prepared for the Miller loop.
    b: Vec<G2Prepared>,
}

impl<'a> Batch<'a> {
    fn new(pvk: &'a PreparedVerifyingKey, items: &'a [(Proof, Vec<Fr>)], r: Vec<Fr>) -> Self {
        #[cfg(feature = "parallel")]
        let (r_a, b): (Vec<G1Projective>, Vec<G2Prepared>) = (items.par_iter().zip(&r))
            .map(|((p, _), r)| (p.a() * r, p.b().into()))
            .unzip();
        #[cfg(not(feature = "parallel"))]
        let (r_a, b): (Vec<G1Projective>, Vec<G2Prepared>) = (items.iter().zip(&r))
            .map(|((p, _), r)| (p.a() * r, p.b().into()))
            .unzip();
        Self {
            pvk,
            items,
            r,
            r_a: G1Projective::normalize_batch(&r_a),
            b,
        }
    }

    /// Whether the proofs in `range` pass: the single verifier for one proof, the batch
    /// equation for more. Charges the work to `search`.
    fn passes(&self, range: Range<usize>, search: &mut Search) -> bool {
        if range.len() == 1 {
            search.spent += SINGLE_COST;
            let (proof, inputs) = &self.items[range.start];
            groth16::verify(self.pvk, proof, inputs).is_ok()
        } else {
            search.spent += range.len() + CHECK_OVERHEAD;
            self.equation_holds(range)
        }
    }

    /// `Π e(r_i·A_i, B_i) · e(Σ r_i·vk_x_i, -γ) · e(Σ r_i·C_i, -δ) = e(α, β)^(Σ r_i)` over
    /// `range`.
    fn equation_holds(&self, range: Range<usize>) -> bool {
        let scalars = self.input_scalars(range.clone());
        let r_sum = scalars[0];
        // `Σ r_i·vk_x_i = (Σ r_i)·IC_0 + Σ_j (Σ_i r_i·x_ij)·IC_j`, the latter on the fixed-base
        // tables; the C sum has one scalar per base by construction.
        let vk_x = self.pvk.vk().ic()[0] * r_sum + self.pvk.ic_tables().msm(&scalars[1..]);
        let c: Vec<G1Affine> = self.items[range.clone()]
            .iter()
            .map(|(p, _)| p.c())
            .collect();
        let c = G1Projective::msm_unchecked(&c, &self.r[range.clone()]);
        let sums = G1Projective::normalize_batch(&[vk_x, c]);
        let g1 = (self.r_a[range.clone()].iter().copied()).chain(sums);
        let g2 = (self.b[range].iter().cloned())
            .chain([self.pvk.neg_gamma().clone(), self.pvk.neg_delta().clone()]);
        pairing_product_is(g1, g2, &(*self.pvk.alpha_beta() * r_sum))
    }

    /// `(Σ r_i, Σ r_i·x_i1, .., Σ r_i·x_in)` over `range`: the scalars of `Σ r_i·vk_x_i` on
    /// `IC_0..=IC_n`.
    fn input_scalars(&self, range: Range<usize>) -> Vec<Fr> {
        let width = self.pvk.vk().ic().len();
        let add = |mut acc: Vec<Fr>, i: usize| {
            let r = self.r[i];
            acc[0] += r;
            for (a, x) in acc[1..].iter_mut().zip(&self.items[i].1) {
                *a += r * x;
            }
            acc
        };
        #[cfg(feature = "parallel")]
        let scalars = range
            .into_par_iter()
            .fold(|| vec![Fr::zero(); width], add)
            .reduce(
                || vec![Fr::zero(); width],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
                    a
                },
            );
        #[cfg(not(feature = "parallel"))]
        let scalars = range.fold(vec![Fr::zero(); width], add);
        scalars
    }

    /// Adds to `search` the invalid proofs in `range`, which is known to contain one:
    /// `checked` says its own check failed (rather than being inferred from its sibling's).
    fn bisect(&self, range: Range<usize>, checked: bool, search: &mut Search) {
        if range.len() == 1 {
            // A singleton is named only on the single verifier's word.
            if checked || !self.passes(range.clone(), search) {
                search.invalid.push(range.start);
            }
            return;
        }
        if search.spent >= search.budget {
            // Too many invalid proofs for bisection to pay: one at a time.
            for i in range {
                if !self.passes(i..i + 1, search) {
                    search.invalid.push(i);
                }
            }
            return;
        }
        let mid = range.start + range.len() / 2;
        let (left, right) = (range.start..mid, mid..range.end);
        if self.passes(left.clone(), search) {
            // The whole failed, so the right half fails; no need to check it.
            self.bisect(right, false, search);
        } else {
            self.bisect(left, true, search);
            if !self.passes(right.clone(), search) {
                self.bisect(right, true, search);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::G2Affine;
    use ark_ec::AffineRepr;
    use ark_ff::{Field, UniformRand};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn seeded(seed: u64) -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(seed)
    }

    /// A key whose trapdoor we know, so that valid proofs can be made without a circuit:
    /// with `A = a·G`, `B = b·H`, `(A, B, c·G)` is valid for inputs `x` iff
    /// `c·δ = a·b - α·β - γ·v`, `v = ic_0 + Σ x_i·ic_i`.
    struct Trapdoor {
        alpha: Fr,
        beta: Fr,
        gamma: Fr,
        delta: Fr,
        ic: Vec<Fr>,
        pvk: PreparedVerifyingKey,
    }

    impl Trapdoor {
        fn new(n_inputs: usize, rng: &mut ChaCha20Rng) -> Self {
            let mut r = || Fr::rand(rng);
            let (alpha, beta, gamma, delta) = (r(), r(), r(), r());
            let ic: Vec<Fr> = (0..=n_inputs).map(|_| r()).collect();
            let (g, h) = (G1Affine::generator(), G2Affine::generator());
            let pvk = crate::VerifyingKey::new(
                (g * alpha).into_affine(),
                (h * beta).into_affine(),
                (h * gamma).into_affine(),
                (h * delta).into_affine(),
                ic.iter().map(|s| (g * s).into_affine()).collect(),
            )
            .unwrap()
            .prepare();
            Self {
                alpha,
                beta,
                gamma,
                delta,
                ic,
                pvk,
            }
        }

        fn proof(&self, inputs: &[Fr], rng: &mut ChaCha20Rng) -> Proof {
            let (a, b) = (Fr::rand(rng), Fr::rand(rng));
            let v = self.ic[0]
                + (self.ic[1..].iter().zip(inputs))
                    .map(|(s, x)| *s * x)
                    .sum::<Fr>();
            let c =
                (a * b - self.alpha * self.beta - self.gamma * v) * self.delta.inverse().unwrap();
            let (g, h) = (G1Affine::generator(), G2Affine::generator());
            Proof::new(
                (g * a).into_affine(),
                (h * b).into_affine(),
                (g * c).into_affine(),
            )
            .unwrap()
        }

        /// `n` items, valid except at `bad`.
        fn items(&self, n: usize, bad: &[usize], rng: &mut ChaCha20Rng) -> Vec<(Proof, Vec<Fr>)> {
            (0..n)
                .map(|i| {
                    let mut x = vec![Fr::from(i as u64); self.ic.len() - 1];
                    let proof = self.proof(&x, rng);
                    if bad.contains(&i) {
                        x[0] += Fr::ONE;
                    }
                    (proof, x)
                })
                .collect()
        }

        /// Runs the search on a failed batch and returns it.
        fn search(&self, items: &[(Proof, Vec<Fr>)], budget: Option<usize>) -> Search {
            let batch = Batch::new(&self.pvk, items, coefficients(&self.pvk, items, &mut OsRng));
            assert!(!batch.equation_holds(0..items.len()));
            let mut search = Search::new(items.len());
            if let Some(b) = budget {
                search.budget = b;
            }
            batch.bisect(0..items.len(), true, &mut search);
            search
        }
    }

    #[test]
    fn trapdoor_proofs_verify() {
        let mut rng = seeded(1);
        let t = Trapdoor::new(3, &mut rng);
        let x = [Fr::from(5u64), Fr::from(0u64), -Fr::from(1u64)];
        let p = t.proof(&x, &mut rng);
        groth16::verify(&t.pvk, &p, &x).unwrap();
        assert!(groth16::verify(&t.pvk, &p, &[x[1], x[0], x[2]]).is_err());
        let items = t.items(5, &[3], &mut rng);
        assert_eq!(verify_batch(&t.pvk, &items).unwrap().invalid(), [3]);
    }

    #[test]
    fn the_search_stays_within_its_budget() {
        let mut rng = seeded(2);
        let t = Trapdoor::new(1, &mut rng);
        let n = 64;
        // One invalid proof: bisection finds it well within the budget (about 2n units).
        let search = t.search(&t.items(n, &[37], &mut rng), None);
        assert_eq!(search.invalid, [37]);
        assert!(
            search.spent < 2 * n + 6 * CHECK_OVERHEAD + 2 * SINGLE_COST,
            "{}",
            search.spent
        );
        // All invalid: the budget runs out and the rest is decided singly, so the search costs at
        // most the budget, one more check, and n single verifications.
        let all: Vec<usize> = (0..n).collect();
        let items = t.items(n, &all, &mut rng);
        let bounded = t.search(&items, None);
        assert_eq!(bounded.invalid, all);
        assert!(bounded.spent >= bounded.budget);
        assert!(bounded.spent <= bounded.budget + n + CHECK_OVERHEAD + n * SINGLE_COST);
        // Without a budget, bisection would cost much more.
        let unbounded = t.search(&items, Some(usize::MAX));
        assert_eq!(unbounded.invalid, all);
        assert!(
            unbounded.spent > bounded.spent + n * SINGLE_COST / 2,
            "{}",
            unbounded.spent
        );
    }

    #[test]
    fn coefficients_are_128_bit_and_depend_on_the_rng_and_the_batch() {
        let (g, h) = (G1Affine::generator(), G2Affine::generator());
        let pvk = crate::VerifyingKey::new(g, h, h, (h * Fr::from(2u64)).into_affine(), vec![g; 2])
            .unwrap()
            .prepare();
        let proof = Proof::new(g, h, g).unwrap();
        let items = vec![(proof, vec![Fr::from(1u64)]), (proof, vec![Fr::from(2u64)])];
        let r = coefficients(&pvk, &items, &mut seeded(1));
        assert_eq!(r.len(), 2);
        for x in &r {
            assert!(x.into_bigint().num_bits() <= COEFFICIENT_BITS);
        }
        assert_ne!(r[0], r[1]);
        // Same transcript, same coins: same coefficients; change either and they change.
        assert_eq!(coefficients(&pvk, &items, &mut seeded(1)), r);
        assert_ne!(coefficients(&pvk, &items, &mut seeded(2)), r);
        let mut other = items.clone();
        other[1].1[0] = Fr::from(3u64);
        assert_ne!(coefficients(&pvk, &other, &mut seeded(1)), r);
        // From the OS: fresh every time.
        assert_ne!(
            coefficients(&pvk, &items, &mut OsRng),
            coefficients(&pvk, &items, &mut OsRng)
        );
    }
}
