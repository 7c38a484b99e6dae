//! Groth16 proofs and their verification over a prepared key.
//!
//! A proof `(A, B, C)` for public inputs `x_1..x_n` is valid when
//!
//! ```text
//! e(A, B) = e(α, β) · e(vk_x, γ) · e(C, δ),    vk_x = IC_0 + Σ x_i·IC_i
//! ```
//!
//! which we check as one product of three pairings against the cached `e(α, β)`:
//!
//! ```text
//! e(A, B) · e(vk_x, -γ) · e(C, -δ) = e(α, β)
//! ```
//!
//! i.e. one multi-Miller loop over `[A, vk_x, C] × [B, -γ, -δ]` and one final exponentiation.
//! `vk_x` is a multi-scalar multiplication over the `IC` points; our public inputs are mostly
//! small integers, for which arkworks' MSM is cheap.
//!
//! Batch verification ([`crate::batch`]) is the same check over a random linear combination
//! of proofs: the G1 side becomes `[r_1·A_1, .., r_k·A_k, Σ r_j·vk_x_j, Σ r_j·C_j]`, the G2
//! side `[B_1, .., B_k, -γ, -δ]` and the target `e(α, β)^(Σ r_j)`, through the same
//! `pairing_product_is`.

use crate::error::{Error, Result};
use crate::key::{PreparedVerifyingKey, VerifyingKey};
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Validate,
};

/// A Groth16 proof: `A` and `C` in G1, `B` in G2.
///
/// Its points are private: the only ways to make one are [`Proof::new`], [`Proof::from_bytes`]
/// and the snarkjs reader, which all validate every point (on the curve, in the subgroup, not at
/// infinity). Batch verification's soundness rests on that: it pairs `B` without checking it
/// again, and a `B` outside the prime-order subgroup breaks the random linear combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proof {
    a: G1Affine,
    b: G2Affine,
    c: G1Affine,
}

impl Proof {
    /// A proof from its points, after checking each one.
    ///
    /// A point at infinity is rejected: an honest prover's `A = α + r·δ + …` and `C` are
    /// uniformly distributed (randomised by `r, s`), so one is at infinity with probability
    /// about 2⁻²⁵⁴, and refusing them removes degenerate cases (`e(O, ·) = 1`) from every
    /// argument about the check.
    pub fn new(a: G1Affine, b: G2Affine, c: G1Affine) -> Result<Self> {
        for (p, name) in [(a, "pi_a"), (c, "pi_c")] {
            crate::point::check_g1(&p, || name.into())?;
        }
        crate::point::check_g2(&b, || "pi_b".into())?;
        Self::from_checked_points(a, b, c)
    }

    /// A proof from points already checked on the curve and in the subgroup (as
    /// [`crate::snarkjs::g1_from_json`] and [`crate::snarkjs::g2_from_json`] do): only the
    /// points at infinity are refused here. The G2 subgroup check is the most expensive part of
    /// reading a proof (about 150 µs), so it is done once.
    pub(crate) fn from_checked_points(a: G1Affine, b: G2Affine, c: G1Affine) -> Result<Self> {
        for (p, name) in [(a, "pi_a"), (c, "pi_c")] {
            if p.is_zero() {
                return Err(Error::ProofPointAtInfinity(name));
            }
        }
        if b.is_zero() {
            return Err(Error::ProofPointAtInfinity("pi_b"));
        }
        Ok(Self { a, b, c })
    }

    /// `A` (snarkjs `pi_a`).
    pub fn a(&self) -> G1Affine {
        self.a
    }

    /// `B` (snarkjs `pi_b`).
    pub fn b(&self) -> G2Affine {
        self.b
    }

    /// `C` (snarkjs `pi_c`).
    pub fn c(&self) -> G1Affine {
        self.c
    }

    /// The 128-byte compressed encoding, as `ark_groth16::Proof::serialize_compressed`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        let mut write = || -> std::result::Result<(), SerializationError> {
            self.a.serialize_compressed(&mut out)?;
            self.b.serialize_compressed(&mut out)?;
            self.c.serialize_compressed(&mut out)
        };
        // Writing to a Vec cannot fail.
        let _ = write();
        out
    }

    /// Reads the compressed encoding with full validation and no trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = bytes;
        let bin = |e: SerializationError| Error::Binary {
            what: "proof",
            detail: format!("not a compressed BN254 Groth16 proof ({e})"),
        };
        let (c, v) = (Compress::Yes, Validate::Yes);
        let a = G1Affine::deserialize_with_mode(&mut r, c, v).map_err(bin)?;
        let b = G2Affine::deserialize_with_mode(&mut r, c, v).map_err(bin)?;
        let c = G1Affine::deserialize_with_mode(&mut r, c, v).map_err(bin)?;
        if !r.is_empty() {
            return Err(Error::Binary {
                what: "proof",
                detail: format!("{} trailing bytes after the proof", r.len()),
            });
        }
        Self::new(a, b, c)
    }
}

/// `vk_x = IC_0 + Σ x_i·IC_i`, after checking that there is one input per `IC_i`, `i ≥ 1`.
pub fn prepare_inputs(vk: &VerifyingKey, inputs: &[Fr]) -> Result<G1Projective> {
    if inputs.len() != vk.num_public_inputs() {
        return Err(Error::PublicInputCount {
            what: "the public input list",
            expected: vk.num_public_inputs(),
            found: inputs.len(),
        });
    }
    let (ic0, rest) = (vk.ic()[0], &vk.ic()[1..]);
    // The lengths are equal, so `msm` cannot fail; fall back to the naive sum regardless.
    let sum = G1Projective::msm(rest, inputs).unwrap_or_else(|_| {
        rest.iter()
            .zip(inputs)
            .map(|(p, x)| *p * x)
            .sum::<G1Projective>()
    });
    Ok(sum + ic0)
}

/// [`prepare_inputs`] with the prepared key's fixed-base tables (see [`crate::ic_table`]).
pub fn prepare_inputs_with_tables(
    pvk: &PreparedVerifyingKey,
    inputs: &[Fr],
) -> Result<G1Projective> {
    let vk = pvk.vk();
    if inputs.len() != vk.num_public_inputs() {
        return Err(Error::PublicInputCount {
            what: "the public input list",
            expected: vk.num_public_inputs(),
            found: inputs.len(),
        });
    }
    Ok(pvk.ic_tables().msm(inputs) + vk.ic()[0])
}

/// Whether `Π e(g1_i, g2_i)` equals `target`: one multi-Miller loop, one final exponentiation.
///
/// The shared core of single and batch verification.
pub(crate) fn pairing_product_is(
    g1: impl IntoIterator<Item = G1Affine>,
    g2: impl IntoIterator<Item = <Bn254 as Pairing>::G2Prepared>,
    target: &PairingOutput<Bn254>,
) -> bool {
    let ml = Bn254::multi_miller_loop(g1, g2);
    // The final exponentiation fails only on a zero Miller-loop value, which no pairing of
    // valid points yields; treat it as a failed check rather than panicking.
    Bn254::final_exponentiation(ml).is_some_and(|out| out == *target)
}

/// [`verify`] without a prepared key: for one verification with a key used once (a prover
/// checking its own proof), where preparing the key (the fixed-base tables alone take tens of
/// milliseconds) would cost more than the verification. Four Miller loops, one final
/// exponentiation; the same checks and errors as [`verify`].
pub fn verify_unprepared(vk: &VerifyingKey, proof: &Proof, inputs: &[Fr]) -> Result<()> {
    let vk_x = prepare_inputs(vk, inputs)?.into_affine();
    let one = PairingOutput::<Bn254>::default();
    let ok = pairing_product_is(
        [proof.a, vk_x, proof.c, -*vk.alpha_g1()],
        [
            proof.b.into(),
            (-*vk.gamma_g2()).into(),
            (-*vk.delta_g2()).into(),
            (*vk.beta_g2()).into(),
        ],
        &one,
    );
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidProof)
    }
}

/// Verifies `proof` for `inputs` (in circuit order, without the leading constant 1).
///
/// Returns [`Error::PublicInputCount`] if the number of inputs is not the key's, and
/// [`Error::InvalidProof`] if the pairing check fails.
pub fn verify(pvk: &PreparedVerifyingKey, proof: &Proof, inputs: &[Fr]) -> Result<()> {
    let vk_x = prepare_inputs_with_tables(pvk, inputs)?.into_affine();
    let ok = pairing_product_is(
        [proof.a, vk_x, proof.c],
        [
            proof.b.into(),
            pvk.neg_gamma().clone(),
            pvk.neg_delta().clone(),
        ],
        pvk.alpha_beta(),
    );
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidProof)
    }
}
