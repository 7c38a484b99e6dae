//! Validation of curve points that come from outside.
//!
//! BN254's G1 has cofactor 1, so every point on the curve is in the prime-order subgroup. G2
//! lives on a twist whose group has order `h·r` with a large cofactor `h`: a point on the twist
//! can lie outside the order-`r` subgroup, and pairing it breaks Groth16's soundness argument.
//! Every point read from a file is therefore checked for both properties; arkworks' G2 check uses
//! the `ψ` endomorphism and costs about as much as a scalar multiplication.

use crate::error::{Error, Result};
use ark_bn254::{G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};

fn check<C: SWCurveConfig>(p: &Affine<C>, what: impl FnOnce() -> String) -> Result<()> {
    if !p.is_on_curve() {
        return Err(Error::NotOnCurve { what: what() });
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(Error::NotInSubgroup { what: what() });
    }
    Ok(())
}

/// Fails unless `p` is on the G1 curve (and so, with cofactor 1, in the subgroup).
pub(crate) fn check_g1(p: &G1Affine, what: impl FnOnce() -> String) -> Result<()> {
    check(p, what)
}

/// Fails unless `p` is on the G2 twist and in its prime-order subgroup.
pub(crate) fn check_g2(p: &G2Affine, what: impl FnOnce() -> String) -> Result<()> {
    check(p, what)
}
