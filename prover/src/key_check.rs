//! The prover does not trust its proving key: [`check_key`] runs once in `Prover::new`,
//! [`verify_own`] after every proof. The reasoning is in `docs/decisions.md` ("The prover does
//! not trust its proving key").
//!
//! With `G`, `H` the key's generators (ark-groth16's `setup dev` draws them at random; a
//! ceremony's are the standard ones), an honest key is `α·G, β·G, δ·G, β·H, γ·H, δ·H`, the
//! queries `a_j = u_j(τ)·G`, `b_j = v_j(τ)·G` and `v_j(τ)·H`, `h_i = τ^i·Z(τ)/δ·G`,
//! `l_j = (β·u_j + α·v_j + w_j)(τ)/δ·G`, and `IC`. [`check_key`] refuses:
//!
//! - anything the verifier refuses in the verifying key (`zkcred_verifier::VerifyingKey::new`:
//!   `α, β, γ, δ` or an `IC` point at infinity, `δ·H = ±γ·H`, `δ·H = ±` the standard generator);
//! - a proving key whose verifying key differs from the one it is paired with (the keys
//!   directory's `verification_key.json`, which verifiers use);
//! - `β·G` or `δ·G` at infinity, and `e(δ·G, β·H) ≠ e(β·G, δ·H)`: the G1 and G2 halves of `δ`
//!   (and of `β`) have the same discrete logarithm. This is the generator-free form of
//!   `e(δ₁, H) = e(G, δ₂)`, which holds only for keys on the standard generators;
//! - a query point at infinity where the circuit says an honest key has none: every `h_i`
//!   (`Z(τ) ≠ 0`), `a_j` for an instance variable or a variable used in `A`, `b_j` (both groups)
//!   for a variable used in `B`, `l_j` for a variable used anywhere. A variable a matrix never
//!   uses has a zero polynomial there, and its point *is* at infinity in an honest key.
//!
//! With `δ·G` and `δ·H` not at infinity, `A = … + r·δ·G` and `B = … + s·δ·H` are uniform
//! whatever the rest of the key, and a proof that verifies has exactly one `C` for them: a
//! verified proof reveals nothing about the witness. [`verify_own`] therefore checks each proof
//! against the paired verifying key before it leaves the prover.

use crate::{CircuitShape, ProveError};
use ark_bn254::{Bn254, Fr};
use ark_ec::pairing::Pairing;
use ark_ec::AffineRepr;
use ark_ff::Zero;
use ark_groth16::ProvingKey;
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use zkcred_core::statement::PublicInputs;
use zkcred_verifier::{groth16, Proof, VerifyingKey};

impl CircuitShape {
    /// For each of `A`, `B`, `C`: whether column `j` has an entry.
    fn used(&self) -> [Vec<bool>; 3] {
        let n = self.num_instance + self.num_witness;
        let mut used = [vec![false; n], vec![false; n], vec![false; n]];
        for (m, u) in self.matrices.iter().zip(&mut used) {
            for &(_, j) in m.iter().flatten() {
                if let Some(x) = u.get_mut(j) {
                    *x = true;
                }
            }
        }
        used
    }

    /// `h_query`'s length: the QAP domain's size minus one.
    fn h_len(&self) -> Option<usize> {
        let d = GeneralEvaluationDomain::<Fr>::new(self.num_constraints + self.num_instance)?;
        Some(d.size() - 1)
    }
}

fn unsafe_key(what: impl Into<String>) -> ProveError {
    ProveError::UnsafeKey(what.into())
}

/// Checks `pk` against the circuit's `shape` and the verifying key `vk` it is paired with (see
/// the module docs); returns `vk` for [`verify_own`].
pub(crate) fn check_key(
    pk: &ProvingKey<Bn254>,
    vk: &VerifyingKey,
    shape: &CircuitShape,
) -> Result<VerifyingKey, ProveError> {
    check_sizes(pk, shape)?;
    let v = &pk.vk;
    let own = VerifyingKey::new(
        v.alpha_g1,
        v.beta_g2,
        v.gamma_g2,
        v.delta_g2,
        v.gamma_abc_g1.clone(),
    )
    .map_err(|e| unsafe_key(e.to_string()))?;
    let parts = [
        ("alpha_g1", own.alpha_g1() == vk.alpha_g1()),
        ("beta_g2", own.beta_g2() == vk.beta_g2()),
        ("gamma_g2", own.gamma_g2() == vk.gamma_g2()),
        ("delta_g2", own.delta_g2() == vk.delta_g2()),
        ("IC (gamma_abc_g1)", own.ic() == vk.ic()),
    ];
    if let Some((part, _)) = parts.iter().find(|(_, same)| !same) {
        return Err(ProveError::KeyPairMismatch(part));
    }
    for (p, what) in [(pk.beta_g1, "beta_g1"), (pk.delta_g1, "delta_g1")] {
        if p.is_zero() {
            return Err(unsafe_key(format!("{what} is the point at infinity")));
        }
    }
    // e(δ·G, β·H) = e(β·G, δ·H), as e(δ·G, β·H)·e(-β·G, δ·H) = 1.
    let ratio = Bn254::multi_pairing([pk.delta_g1, -pk.beta_g1], [v.beta_g2, v.delta_g2]);
    if !ratio.is_zero() {
        return Err(unsafe_key(
            "delta_g1 and delta_g2 (or beta_g1 and beta_g2) have different discrete logarithms",
        ));
    }
    check_queries(pk, shape)?;
    Ok(vk.clone())
}

fn check_sizes(pk: &ProvingKey<Bn254>, shape: &CircuitShape) -> Result<(), ProveError> {
    let n = shape.num_instance + shape.num_witness;
    // The matrices themselves (synthesized, or read from a sealed cache): three, one row per
    // constraint, every column a variable.
    let well_formed = shape.matrices.len() == 3
        && shape
            .matrices
            .iter()
            .all(|m| m.len() == shape.num_constraints && m.iter().flatten().all(|&(_, j)| j < n));
    if !well_formed {
        return Err(ProveError::KeyMismatch(format!(
            "the constraint matrices do not have {} rows over {n} variables",
            shape.num_constraints
        )));
    }
    let fits = pk.vk.gamma_abc_g1.len() == shape.num_instance
        && pk.a_query.len() == n
        && pk.b_g1_query.len() == n
        && pk.b_g2_query.len() == n
        && pk.l_query.len() == shape.num_witness
        && Some(pk.h_query.len()) == shape.h_len();
    if fits {
        return Ok(());
    }
    Err(ProveError::KeyMismatch(format!(
        "key has {} public inputs, {} witnesses and {} H points; the circuit has {}, {} and {}",
        pk.vk.gamma_abc_g1.len().saturating_sub(1),
        pk.l_query.len(),
        pk.h_query.len(),
        shape.num_instance.saturating_sub(1),
        shape.num_witness,
        shape.h_len().unwrap_or(0),
    )))
}

/// The first point of `points` at infinity where `expected_nonzero` says an honest key has none.
fn first_zero(
    points: &[impl AffineRepr],
    expected_nonzero: impl Fn(usize) -> bool,
) -> Option<usize> {
    (points.iter().enumerate()).find_map(|(j, p)| (p.is_zero() && expected_nonzero(j)).then_some(j))
}

fn check_queries(pk: &ProvingKey<Bn254>, shape: &CircuitShape) -> Result<(), ProveError> {
    let [a, b, c] = shape.used();
    let has = |v: &[bool], j: usize| v.get(j).copied().unwrap_or(false);
    let ni = shape.num_instance;
    let at = |query: &str, j: usize, why: &str| {
        Err(unsafe_key(format!(
            "{query}[{j}] is the point at infinity, but {why}"
        )))
    };
    if let Some(i) = first_zero(&pk.h_query, |_| true) {
        return at("h_query", i, "an honest τ^i·Z(τ)/δ never is");
    }
    if let Some(j) = first_zero(&pk.a_query, |j| j < ni || has(&a, j)) {
        return at("a_query", j, "the variable has a row in A");
    }
    if let Some(j) = first_zero(&pk.b_g1_query, |j| has(&b, j)) {
        return at("b_g1_query", j, "the variable is used in B");
    }
    if let Some(j) = first_zero(&pk.b_g2_query, |j| has(&b, j)) {
        return at("b_g2_query", j, "the variable is used in B");
    }
    let used = |j: usize| has(&a, ni + j) || has(&b, ni + j) || has(&c, ni + j);
    if let Some(j) = first_zero(&pk.l_query, used) {
        return at("l_query", j, "the witness variable is used by a constraint");
    }
    Ok(())
}

/// Verifies a proof just made against the paired verifying key, with the public inputs a
/// verifier computes from `public`; the proof is returned, as the verifier's [`Proof`] that
/// every later step (envelope, snarkjs files, batch verification) takes, only if it verifies.
pub(crate) fn verify_own(
    vk: &VerifyingKey,
    public: &PublicInputs,
    proof: &ark_groth16::Proof<Bn254>,
) -> Result<Proof, ProveError> {
    let proof =
        Proof::new(proof.a, proof.b, proof.c).map_err(|_| ProveError::ProofDoesNotVerify)?;
    groth16::verify_unprepared(vk, &proof, &public.to_field_elements())
        .map_err(|_| ProveError::ProofDoesNotVerify)?;
    Ok(proof)
}
