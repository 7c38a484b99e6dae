//! Contribution 0: the Groth16 proving key with `γ = δ = 1`, computed in the group from the
//! phase-1 points.
//!
//! It is ark-groth16's generator (`generate_parameters_with_qap` with `LibsnarkReduction`) with
//! every scalar `f(τ)` replaced by the point `f(τ)·G`. With `L_i` the Lagrange basis of the domain
//! (size `n`), `m` constraints and `u_j, v_j, w_j` the QAP polynomials of variable `j`:
//!
//! - `u_j(τ) = Σ_i A[i][j]·L_i(τ) + [j < ℓ+1]·L_{m+j}(τ)` (the reduction's extra row per
//!   instance variable), `v_j(τ) = Σ_i B[i][j]·L_i(τ)`, `w_j(τ) = Σ_i C[i][j]·L_i(τ)`;
//! - `a_query[j] = u_j(τ)·G1`, `b_g1_query[j] = v_j(τ)·G1`, `b_g2_query[j] = v_j(τ)·G2`;
//! - `(β·u_j + α·v_j + w_j)(τ)·G1`, from the `β·L_i`, `α·L_i` and `L_i` points, is
//!   `gamma_abc_g1[j]` for instance variables (`γ = 1`) and `l_query[j − ℓ − 1]` for witness
//!   variables (`δ = 1`);
//! - `h_query[i] = τ^i·Z(τ)·G1 = τ^(n+i)·G1 − τ^i·G1` for `i < n − 1`, with `Z(X) = X^n − 1`;
//! - `α·G1`, `β·G1`, `β·G2` from the ptau; `γ·G2 = δ·G2 = G2`, `δ·G1 = G1`.
//!
//! Contributions then change only `δ`, `h_query` and `l_query` (see `update`).

use super::circuit::{Column, Qap};
use super::error::CeremonyError;
use super::phase1::Phase1;
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::PrimeField;
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_poly::EvaluationDomain;
use rayon::prelude::*;

/// A column with the rows that share a coefficient merged: `(coefficient, rows)`. The
/// credential circuit's `B` has about half as many distinct (coefficient, column) pairs as
/// entries, so summing the rows' points first halves the scalar multiplications.
type Grouped = Vec<(Fr, Vec<usize>)>;

fn group(col: &Column) -> Grouped {
    let mut terms = col.clone();
    terms.sort_unstable_by_key(|(_, c)| c.into_bigint());
    let mut out: Grouped = Vec::with_capacity(terms.len());
    for (row, c) in terms {
        match out.last_mut() {
            Some((last, rows)) if *last == c => rows.push(row),
            _ => out.push((c, vec![row])),
        }
    }
    out
}

/// For each column, the bases `Σ_{rows} points[row]` of its groups (one batch normalization).
fn column_bases<G>(points: &[G::Affine], cols: &[Grouped]) -> Vec<Vec<G::Affine>>
where
    G: CurveGroup<ScalarField = Fr>,
{
    let sums: Vec<G> = cols
        .par_iter()
        .flat_map_iter(|col| {
            col.iter()
                .map(|(_, rows)| rows.iter().map(|&r| points[r]).sum::<G>())
        })
        .collect();
    let mut affine = G::normalize_batch(&sums).into_iter();
    cols.iter()
        .map(|col| affine.by_ref().take(col.len()).collect())
        .collect()
}

/// One part of a query: per-column bases (from [`column_bases`]) and the grouped columns.
type Part<'a, A> = (&'a [Vec<A>], &'a [Grouped]);

/// `Σ_k coeff_k·base_k` for each variable, over several parts.
fn combine<G>(parts: &[Part<'_, G::Affine>], vars: usize) -> Vec<G>
where
    G: CurveGroup<ScalarField = Fr> + VariableBaseMSM<MulBase = <G as CurveGroup>::Affine>,
{
    (0..vars)
        .into_par_iter()
        .map(|j| {
            let mut bases = Vec::new();
            let mut scalars = Vec::new();
            for (b, g) in parts {
                bases.extend_from_slice(&b[j]);
                scalars.extend(g[j].iter().map(|(c, _)| *c));
            }
            G::msm_unchecked(&bases, &scalars)
        })
        .collect()
}

/// Computes contribution 0 for `qap` from `phase1`.
pub fn initial_key(qap: &Qap, p1: &Phase1) -> Result<ProvingKey<Bn254>, CeremonyError> {
    let n = qap.domain.size();
    if p1.l_tau_g1.len() != n || p1.tau_g1.len() != 2 * n - 1 {
        return Err(CeremonyError::Synthesis(format!(
            "phase 1 loaded for a domain of {} points, the circuit needs {n}",
            p1.l_tau_g1.len()
        )));
    }
    let (m, inst) = (qap.num_constraints, qap.num_instance);
    let vars = inst + qap.num_witness;
    let [a, b, c]: [Vec<Grouped>; 3] = qap
        .columns
        .each_ref()
        .map(|cols| cols.par_iter().map(group).collect());

    let a_tau = column_bases::<G1Projective>(&p1.l_tau_g1, &a);
    let a_beta = column_bases::<G1Projective>(&p1.l_beta_g1, &a);
    let b_tau = column_bases::<G1Projective>(&p1.l_tau_g1, &b);
    let b_alpha = column_bases::<G1Projective>(&p1.l_alpha_g1, &b);
    let b_tau2 = column_bases::<G2Projective>(&p1.l_tau_g2, &b);
    let c_tau = column_bases::<G1Projective>(&p1.l_tau_g1, &c);

    let mut a_query = combine::<G1Projective>(&[(&a_tau, &a)], vars);
    let b_g1_query = combine::<G1Projective>(&[(&b_tau, &b)], vars);
    let b_g2_query = combine::<G2Projective>(&[(&b_tau2, &b)], vars);
    let mut abc = combine::<G1Projective>(&[(&a_beta, &a), (&b_alpha, &b), (&c_tau, &c)], vars);
    // LibsnarkReduction's extra A row m + j, coefficient 1, for each instance variable j.
    for j in 0..inst {
        a_query[j] += p1.l_tau_g1[m + j];
        abc[j] += p1.l_beta_g1[m + j];
    }
    let h_query: Vec<G1Projective> = (0..n - 1)
        .into_par_iter()
        .map(|i| p1.tau_g1[n + i].into_group() - p1.tau_g1[i])
        .collect();

    let mut abc = G1Projective::normalize_batch(&abc);
    let l_query = abc.split_off(inst);
    let vk = VerifyingKey::<Bn254> {
        alpha_g1: p1.alpha_g1,
        beta_g2: p1.beta_g2,
        gamma_g2: G2Affine::generator(),
        delta_g2: G2Affine::generator(),
        gamma_abc_g1: abc,
    };
    Ok(ProvingKey {
        vk,
        beta_g1: p1.beta_g1,
        delta_g1: G1Affine::generator(),
        a_query: G1Projective::normalize_batch(&a_query),
        b_g1_query: G1Projective::normalize_batch(&b_g1_query),
        b_g2_query: G2Projective::normalize_batch(&b_g2_query),
        h_query: G1Projective::normalize_batch(&h_query),
        l_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ceremony::init_check::check_initial_key;
    use ark_ec::scalar_mul::BatchMulPreprocessing;
    use ark_ff::{Field, One};
    use ark_groth16::Groth16;
    use ark_poly::GeneralEvaluationDomain;
    use ark_relations::gr1cs::{
        ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
    };
    use ark_std::UniformRand;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    /// Two inputs, a few witnesses, shared linear combinations, repeated coefficients.
    struct Tiny;

    impl ConstraintSynthesizer<Fr> for Tiny {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let (x, y) = (Fr::from(3u64), Fr::from(5u64));
            let xv = cs.new_input_variable(|| Ok(x))?;
            let yv = cs.new_input_variable(|| Ok(y))?;
            let w1 = cs.new_witness_variable(|| Ok(x * y))?;
            let s = x + y * Fr::from(7u64) + Fr::from(11u64);
            let w2 = cs.new_witness_variable(|| Ok(x * y * s))?;
            let w3 = cs.new_witness_variable(|| Ok(s.square()))?;
            let sum = || {
                LinearCombination::from_sum_coeff_vars(&[
                    (Fr::one(), xv),
                    (Fr::from(7u64), yv),
                    (Fr::from(11u64), Variable::One),
                ])
            };
            cs.enforce_r1cs_constraint(|| xv.into(), || yv.into(), || w1.into())?;
            cs.enforce_r1cs_constraint(|| w1.into(), sum, || w2.into())?;
            cs.enforce_r1cs_constraint(sum, sum, || w3.into())?;
            Ok(())
        }
    }

    /// Phase 1 from known `τ, α, β`.
    fn phase1(n: usize, tau: Fr, alpha: Fr, beta: Fr) -> Phase1 {
        let domain = GeneralEvaluationDomain::<Fr>::new(n).unwrap();
        let powers: Vec<Fr> = (0..2 * n - 1).map(|i| tau.pow([i as u64])).collect();
        let lagrange = domain.evaluate_all_lagrange_coefficients(tau);
        let g1 = BatchMulPreprocessing::new(G1Projective::from(G1Affine::generator()), 4 * n);
        let g2 = BatchMulPreprocessing::new(G2Projective::from(G2Affine::generator()), n);
        let times = |k: Fr| lagrange.iter().map(|l| *l * k).collect::<Vec<_>>();
        Phase1 {
            log_n: domain.log_size_of_group() as u32,
            power: 0,
            ceremony_power: 0,
            tau_g1: g1.batch_mul(&powers),
            tau_g2: (G2Affine::generator() * tau).into_affine(),
            alpha_g1: (G1Affine::generator() * alpha).into_affine(),
            beta_g1: (G1Affine::generator() * beta).into_affine(),
            beta_g2: (G2Affine::generator() * beta).into_affine(),
            l_tau_g1: g1.batch_mul(&lagrange),
            l_tau_g2: g2.batch_mul(&lagrange),
            l_alpha_g1: g1.batch_mul(&times(alpha)),
            l_beta_g1: g1.batch_mul(&times(beta)),
        }
    }

    #[test]
    fn contribution_zero_equals_ark_groth16_generator() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let (alpha, beta) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        // ark-groth16 draws the evaluation point τ as the generator's first sample.
        let tau = Fr::rand(&mut rng.clone());
        let ark = Groth16::<Bn254>::generate_parameters_with_qap(
            Tiny,
            alpha,
            beta,
            Fr::one(),
            Fr::one(),
            G1Affine::generator().into(),
            G2Affine::generator().into(),
            &mut rng,
        )
        .unwrap();
        let qap = Qap::from_circuit(Tiny).unwrap();
        let p1 = phase1(qap.domain.size(), tau, alpha, beta);
        let ours = initial_key(&qap, &p1).unwrap();
        assert!(ours == ark, "contribution 0 differs from ark-groth16's key");
        check_initial_key(&qap, &p1, &ours).unwrap();
        let mut bad = ours.clone();
        bad.l_query.swap(0, 1);
        assert!(matches!(
            check_initial_key(&qap, &p1, &bad),
            Err(CeremonyError::InitialMismatch {
                part: "gamma_abc_g1 or l_query"
            })
        ));
    }
}
