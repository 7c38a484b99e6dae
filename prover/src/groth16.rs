//! Groth16 proof assembly on zkcred's MSM.
//!
//! The algebra is ark-groth16's `create_proof_with_reduction_and_matrices`, term for term, so for
//! the same `r`, `s` the proof is the same bit for bit (a test pins this):
//!
//! - `h` = the QAP witness map (libsnark reduction) of the full assignment `z = (1, x, w)`;
//! - `A = α + Σ z_i·a_i + r·δ` (G1);
//! - `B = β + Σ z_i·b_i + s·δ` in G2, and the same in G1 (needed for `C`; skipped when `r = 0`);
//! - `C = s·A + r·B_1 − r·s·δ + Σ w_j·l_j + Σ h_k·h_k` (G1).
//!
//! The five MSMs run on both cores: the G2 MSM beside the G1 ones, `H` (which waits for the
//! witness map) beside `A`, `B_1` and `L`; the G1 scalars of `A`, `B_1` and `L` are split once.

use crate::msm::{msm_prepared, GlvScalars, LengthMismatch};
use crate::ProveError;
use ark_bn254::{g1, g2, Bn254, Fr, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::Zero;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Proof, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::utils::matrix::Matrix;

/// A Groth16 proof with blinding factors `r`, `s` for `full_assignment = (1, inputs.., witness..)`
/// of the R1CS `matrices` (`num_inputs` counts the constant 1).
pub fn create_proof(
    pk: &ProvingKey<Bn254>,
    r: Fr,
    s: Fr,
    matrices: &[Matrix<Fr>],
    num_inputs: usize,
    num_constraints: usize,
    full_assignment: &[Fr],
) -> Result<Proof<Bn254>, ProveError> {
    check_shapes(pk, num_inputs, full_assignment.len())?;
    let assignment = full_assignment.get(1..).unwrap_or_default();
    let msm_err = |e: LengthMismatch| ProveError::KeyMismatch(e.to_string());

    let h_acc = || -> Result<G1Projective, ProveError> {
        let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
            matrices,
            num_inputs,
            num_constraints,
            full_assignment,
        )
        .map_err(|e| ProveError::Synthesis(e.to_string()))?;
        // ark-groth16's key holds one point fewer than the domain: h's top coefficient is zero.
        let h = h.get(..pk.h_query.len()).ok_or_else(|| {
            ProveError::KeyMismatch(format!(
                "the key has {} H points, the QAP domain {}",
                pk.h_query.len(),
                h.len()
            ))
        })?;
        msm_prepared(&pk.h_query, GlvScalars::<g1::Config>::new(h).all()).map_err(msm_err)
    };
    let g2_acc = || {
        let scalars = GlvScalars::<g2::Config>::new(assignment);
        msm_prepared(&pk.b_g2_query[1..], scalars.all()).map_err(msm_err)
    };
    let g1_accs = || {
        let scalars = GlvScalars::<g1::Config>::new(assignment);
        let aux = scalars
            .tail(num_inputs - 1..)
            .ok_or_else(|| ProveError::KeyMismatch("no witness variables".into()))?;
        let (a, (b, l)) = rayon::join(
            || msm_prepared(&pk.a_query[1..], scalars.all()),
            || {
                rayon::join(
                    || {
                        if r.is_zero() {
                            Ok(G1Projective::zero())
                        } else {
                            msm_prepared(&pk.b_g1_query[1..], scalars.all())
                        }
                    },
                    || msm_prepared(&pk.l_query, aux),
                )
            },
        );
        Ok::<_, ProveError>((
            a.map_err(msm_err)?,
            b.map_err(msm_err)?,
            l.map_err(msm_err)?,
        ))
    };
    let (h_acc, (g2_acc, g1_accs)) = rayon::join(h_acc, || rayon::join(g2_acc, g1_accs));
    let (h_acc, g2_acc, (a_acc, b1_acc, l_acc)) = (h_acc?, g2_acc?, g1_accs?);

    let delta_g1 = pk.delta_g1;
    let g_a = delta_g1 * r + pk.a_query[0] + a_acc + pk.vk.alpha_g1;
    let g1_b = if r.is_zero() {
        G1Projective::zero()
    } else {
        delta_g1 * s + pk.b_g1_query[0] + b1_acc + pk.beta_g1
    };
    let g2_b = pk.vk.delta_g2 * s + pk.b_g2_query[0] + g2_acc + pk.vk.beta_g2;
    let g_c = g_a * s + g1_b * r - delta_g1 * (r * s) + l_acc + h_acc;
    Ok(Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    })
}

/// The key's query vectors have one point per variable (`L` one per witness variable).
fn check_shapes(
    pk: &ProvingKey<Bn254>,
    num_inputs: usize,
    num_variables: usize,
) -> Result<(), ProveError> {
    let queries = [
        ("A", pk.a_query.len(), num_variables),
        ("B (G1)", pk.b_g1_query.len(), num_variables),
        ("B (G2)", pk.b_g2_query.len(), num_variables),
        (
            "L",
            pk.l_query.len(),
            num_variables.saturating_sub(num_inputs),
        ),
    ];
    if num_inputs == 0 || num_inputs > num_variables {
        return Err(ProveError::KeyMismatch(format!(
            "{num_inputs} instance variables of {num_variables}"
        )));
    }
    for (name, len, expected) in queries {
        if len != expected {
            return Err(ProveError::KeyMismatch(format!(
                "the key's {name} query has {len} points, the circuit {expected} variables"
            )));
        }
    }
    Ok(())
}
