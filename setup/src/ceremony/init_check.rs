//! Checking a stored contribution 0 against phase 1 without recomputing it.
//!
//! Recomputing contribution 0 costs one small multi-scalar multiplication per variable and
//! query (about 330,000 G1 and 105,000 G2 terms for the credential circuit: ten seconds on two
//! cores). A verifier instead checks every query with one random linear combination: for fresh
//! random `r_j`,
//!
//! ```text
//! Σ_j r_j·a_query[j] = Σ_i s_i·L_i(τ)·G1   where s_i = Σ_j A[i][j]·r_j (+ the instance rows)
//! ```
//!
//! and likewise `b_g1_query` and `b_g2_query` against `L_i(τ)·G1`, `L_i(τ)·G2` with `s = B·r`,
//! `gamma_abc_g1 ‖ l_query` against `β·L_i`, `α·L_i`, `L_i` with `A·r`, `B·r`, `C·r`, and
//! `h_query` against `τ^(n+i)·G1 − τ^i·G1`. The `s_i` are field arithmetic over the sparse
//! matrices. If any stored point differs from its definition, a check fails except with
//! probability `2^-128`: the same guarantee as recomputing, in a fraction of the time. The
//! `b_g2_query` points are also checked one by one to lie in G2's prime-order subgroup (a
//! random combination alone would miss a small-order component with probability `1/10069`).

use super::circuit::{Column, Qap};
use super::error::CeremonyError;
use super::phase1::Phase1;
use super::ratio::{msm_g1, msm_g2, random_scalars, verifier_rng};
use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::Zero;
use ark_groth16::ProvingKey;
use ark_poly::EvaluationDomain;
use rayon::prelude::*;

/// `s_i = Σ_j M[i][j]·r_j` over the columns of `M`, with `n` rows.
fn combine_rows(columns: &[Column], r: &[Fr], n: usize) -> Vec<Fr> {
    let mut s = vec![Fr::zero(); n];
    for (col, rj) in columns.iter().zip(r) {
        for &(row, coeff) in col {
            s[row] += coeff * rj;
        }
    }
    s
}

/// Checks that `pk` is contribution 0 for `qap` from `p1` (see the module docs).
pub fn check_initial_key(
    qap: &Qap,
    p1: &Phase1,
    pk: &ProvingKey<Bn254>,
) -> Result<(), CeremonyError> {
    let bad = |part| Err(CeremonyError::InitialMismatch { part });
    let n = qap.domain.size();
    let (m, inst) = (qap.num_constraints, qap.num_instance);
    let vars = inst + qap.num_witness;
    let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
    let fixed = [
        ("alpha_g1", pk.vk.alpha_g1 == p1.alpha_g1),
        ("beta_g1", pk.beta_g1 == p1.beta_g1),
        ("beta_g2", pk.vk.beta_g2 == p1.beta_g2),
        ("gamma_g2", pk.vk.gamma_g2 == g2),
        ("delta_g2", pk.vk.delta_g2 == g2),
        ("delta_g1", pk.delta_g1 == g1),
        ("a_query length", pk.a_query.len() == vars),
        ("b_g1_query length", pk.b_g1_query.len() == vars),
        ("b_g2_query length", pk.b_g2_query.len() == vars),
        ("gamma_abc_g1 length", pk.vk.gamma_abc_g1.len() == inst),
        ("l_query length", pk.l_query.len() == qap.num_witness),
        ("h_query length", pk.h_query.len() == n - 1),
    ];
    if let Some((part, _)) = fixed.iter().find(|(_, ok)| !ok) {
        return bad(part);
    }
    if !pk
        .b_g2_query
        .par_iter()
        .all(|p| p.is_in_correct_subgroup_assuming_on_curve())
    {
        return bad("b_g2_query subgroup");
    }

    let mut rng = verifier_rng();
    let r = random_scalars(vars, &mut rng);
    let [a, b, c] = &qap.columns;
    let mut s_a = combine_rows(a, &r, n);
    // LibsnarkReduction's extra A row m + j for each instance variable j.
    for j in 0..inst {
        s_a[m + j] += r[j];
    }
    let s_b = combine_rows(b, &r, n);
    let s_c = combine_rows(c, &r, n);

    let lt = &p1.l_tau_g1;
    if msm_g1(&pk.a_query, &r) != msm_g1(lt, &s_a) {
        return bad("a_query");
    }
    if msm_g1(&pk.b_g1_query, &r) != msm_g1(lt, &s_b) {
        return bad("b_g1_query");
    }
    if msm_g2(&pk.b_g2_query, &r) != msm_g2(&p1.l_tau_g2, &s_b) {
        return bad("b_g2_query");
    }
    let abc = msm_g1(&pk.vk.gamma_abc_g1, &r[..inst]) + msm_g1(&pk.l_query, &r[inst..]);
    let expected = msm_g1(&p1.l_beta_g1, &s_a) + msm_g1(&p1.l_alpha_g1, &s_b) + msm_g1(lt, &s_c);
    if abc != expected {
        return bad("gamma_abc_g1 or l_query");
    }
    let rh = random_scalars(n - 1, &mut rng);
    let h = msm_g1(&p1.tau_g1[n..2 * n - 1], &rh) - msm_g1(&p1.tau_g1[..n - 1], &rh);
    if msm_g1(&pk.h_query, &rh) != h {
        return bad("h_query");
    }
    Ok(())
}
