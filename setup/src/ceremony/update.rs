//! Applying a contribution's secret `d` to the key: `δ ← d·δ`, and every `H` and `L` query
//! point (each has `1/δ` in its exponent) multiplied by `d⁻¹`. Nothing else changes.

use super::secret::Secret;
use ark_bn254::{Bn254, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::ProvingKey;
use rayon::prelude::*;

/// Rescales `pk` by `d` in place.
pub fn apply(pk: &mut ProvingKey<Bn254>, d: &Secret) {
    let d_inv = d.inverse();
    pk.delta_g1 = (pk.delta_g1 * d.scalar()).into_affine();
    pk.vk.delta_g2 = (pk.vk.delta_g2 * d.scalar()).into_affine();
    let scale = |points: &[G1Affine]| -> Vec<G1Affine> {
        // Projective multiplication uses BN254's GLV endomorphism.
        let scaled: Vec<G1Projective> =
            points.par_iter().map(|p| p.into_group() * *d_inv).collect();
        G1Projective::normalize_batch(&scaled)
    };
    pk.h_query = scale(&pk.h_query);
    pk.l_query = scale(&pk.l_query);
}
