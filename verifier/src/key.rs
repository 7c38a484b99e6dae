//! The Groth16 verifying key, its content address (`circuit_id`) and its prepared form.
//!
//! With `G` and `H` the generators of G1 and G2, a verifying key is
//! `(α·G, β·H, γ·H, δ·H, IC)` where `IC_i = γ⁻¹·(β·a_i(τ) + α·b_i(τ) + c_i(τ))·G` for the
//! constant `i = 0` and each public input `i = 1..=n`.
//!
//! **Binary form and `circuit_id`.** [`VerifyingKey::to_bytes`] is the ark-serialize
//! *compressed* encoding in exactly the layout of `ark_groth16::VerifyingKey<Bn254>`: `alpha_g1`
//! (32 bytes), `beta_g2`, `gamma_g2`, `delta_g2` (64 bytes each), then `gamma_abc_g1` as a
//! vector (a little-endian `u64` length, then 32 bytes per point). The circuit id is the
//! lowercase hex SHA-256 of those bytes, so the setup crate, which holds the ark-groth16 key,
//! computes the same id (cross-tested in `tests/groth16_cross.rs`).

use crate::error::{Error, Result};
use crate::ic_table::FixedBaseTables;
use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::AffineRepr;
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Validate,
};
use sha2::{Digest, Sha256};

/// A Groth16 verifying key over BN254. Every point is on the curve and in the prime-order
/// subgroup; `alpha`, `beta`, `gamma`, `delta` and every `IC` point are not the point at
/// infinity; `IC` is not empty; `δ` is neither `±γ` nor `±` the G2 generator (see
/// [`VerifyingKey::new`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyingKey {
    alpha_g1: G1Affine,
    beta_g2: G2Affine,
    gamma_g2: G2Affine,
    delta_g2: G2Affine,
    ic: Vec<G1Affine>,
}

impl VerifyingKey {
    /// A key from its points, after checking each one (see the type's docs).
    ///
    /// Refused as [`Error::UnsafeKey`], although every point is valid:
    ///
    /// - `δ·H = ±γ·H`: then `A = α, B = β, C = ∓vk_x` satisfies
    ///   `e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)` for every statement;
    /// - `δ·H = ±H`: `δ = ±1` is public, the key of a setup without any secret contribution
    ///   (a ceremony's contribution 0 has `γ = δ = 1`); with `γ = 1`, `C = −δ⁻¹·vk_x` forges;
    /// - an `IC_i` at infinity: public input `i` would not enter `vk_x`, so a proof for one value
    ///   of it would verify for every value. An honest `IC_i` is
    ///   `γ⁻¹·(β·u_i + α·v_i + w_i)(τ)·G`, never zero (each public input has its own row in `A`).
    pub fn new(
        alpha_g1: G1Affine,
        beta_g2: G2Affine,
        gamma_g2: G2Affine,
        delta_g2: G2Affine,
        ic: Vec<G1Affine>,
    ) -> Result<Self> {
        let nonzero = |zero: bool, what: &str| {
            if zero {
                Err(Error::PointEncoding {
                    what: what.to_string(),
                    detail: "the point at infinity is not a valid key element".into(),
                })
            } else {
                Ok(())
            }
        };
        nonzero(alpha_g1.is_zero(), "vk_alpha_1")?;
        nonzero(beta_g2.is_zero(), "vk_beta_2")?;
        nonzero(gamma_g2.is_zero(), "vk_gamma_2")?;
        nonzero(delta_g2.is_zero(), "vk_delta_2")?;
        crate::point::check_g1(&alpha_g1, || "vk_alpha_1".into())?;
        crate::point::check_g2(&beta_g2, || "vk_beta_2".into())?;
        crate::point::check_g2(&gamma_g2, || "vk_gamma_2".into())?;
        crate::point::check_g2(&delta_g2, || "vk_delta_2".into())?;
        for (i, p) in ic.iter().enumerate() {
            crate::point::check_g1(p, || format!("IC[{i}]"))?;
            if p.is_zero() {
                return Err(Error::UnsafeKey(format!(
                    "IC[{i}] is the point at infinity: the proof would not bind public input {i}"
                )));
            }
        }
        if ic.is_empty() {
            return Err(Error::PointEncoding {
                what: "IC".into(),
                detail: "a verifying key needs at least the constant term IC[0]".into(),
            });
        }
        check_delta(&gamma_g2, &delta_g2)?;
        Ok(Self {
            alpha_g1,
            beta_g2,
            gamma_g2,
            delta_g2,
            ic,
        })
    }

    /// `α·G`.
    pub fn alpha_g1(&self) -> &G1Affine {
        &self.alpha_g1
    }

    /// `β·H`.
    pub fn beta_g2(&self) -> &G2Affine {
        &self.beta_g2
    }

    /// `γ·H`.
    pub fn gamma_g2(&self) -> &G2Affine {
        &self.gamma_g2
    }

    /// `δ·H`.
    pub fn delta_g2(&self) -> &G2Affine {
        &self.delta_g2
    }

    /// `IC_0..=IC_n` (ark-groth16's `gamma_abc_g1`).
    pub fn ic(&self) -> &[G1Affine] {
        &self.ic
    }

    /// The number of public inputs `n` (one less than the number of `IC` points).
    pub fn num_public_inputs(&self) -> usize {
        self.ic.len() - 1
    }

    /// Fails unless the key takes exactly `n` public inputs.
    pub fn expect_public_inputs(&self, n: usize) -> Result<()> {
        if self.num_public_inputs() == n {
            Ok(())
        } else {
            Err(Error::PublicInputCount {
                what: "the verifying key",
                expected: n,
                found: self.num_public_inputs(),
            })
        }
    }

    /// The compressed encoding, byte for byte `ark_groth16::VerifyingKey::serialize_compressed`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + 3 * 64 + 8 + 32 * self.ic.len());
        let mut write = || -> std::result::Result<(), SerializationError> {
            self.alpha_g1.serialize_compressed(&mut out)?;
            self.beta_g2.serialize_compressed(&mut out)?;
            self.gamma_g2.serialize_compressed(&mut out)?;
            self.delta_g2.serialize_compressed(&mut out)?;
            self.ic.serialize_compressed(&mut out)
        };
        // Writing to a Vec cannot fail.
        let _ = write();
        out
    }

    /// Reads the compressed encoding with full validation (canonical coordinates, on the curve,
    /// in the subgroup) and no trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = bytes;
        let bin = |e: SerializationError| Error::Binary {
            what: "verifying key",
            detail: format!("not a compressed BN254 Groth16 verifying key ({e})"),
        };
        let (c, v) = (Compress::Yes, Validate::Yes);
        let alpha_g1 = G1Affine::deserialize_with_mode(&mut r, c, v).map_err(bin)?;
        let beta_g2 = G2Affine::deserialize_with_mode(&mut r, c, v).map_err(bin)?;
        let gamma_g2 = G2Affine::deserialize_with_mode(&mut r, c, v).map_err(bin)?;
        let delta_g2 = G2Affine::deserialize_with_mode(&mut r, c, v).map_err(bin)?;
        let ic = Vec::<G1Affine>::deserialize_with_mode(&mut r, c, v).map_err(bin)?;
        if !r.is_empty() {
            return Err(Error::Binary {
                what: "verifying key",
                detail: format!("{} trailing bytes after the key", r.len()),
            });
        }
        Self::new(alpha_g1, beta_g2, gamma_g2, delta_g2, ic)
    }

    /// The content address: lowercase hex SHA-256 of [`Self::to_bytes`].
    pub fn circuit_id(&self) -> String {
        hex::encode(Sha256::digest(self.to_bytes()))
    }

    /// Precomputes the pairing data used by every verification.
    pub fn prepare(&self) -> PreparedVerifyingKey {
        PreparedVerifyingKey {
            circuit_id: self.circuit_id(),
            alpha_beta: Bn254::pairing(self.alpha_g1, self.beta_g2),
            neg_gamma: (-self.gamma_g2).into(),
            neg_delta: (-self.delta_g2).into(),
            ic_tables: FixedBaseTables::new(&self.ic[1..]),
            vk: self.clone(),
        }
    }
}

/// Fails unless `δ·H` is safe next to `γ·H`: not `±γ·H`, not `±H` (see [`VerifyingKey::new`]).
fn check_delta(gamma_g2: &G2Affine, delta_g2: &G2Affine) -> Result<()> {
    let forgeable = |why: &str| {
        Err(Error::UnsafeKey(format!(
            "vk_delta_2 {why}: anyone can forge proofs with this key"
        )))
    };
    if delta_g2 == gamma_g2 || *delta_g2 == -*gamma_g2 {
        return forgeable("equals ±vk_gamma_2");
    }
    let h = G2Affine::generator();
    if *delta_g2 == h || *delta_g2 == -h {
        return forgeable("is ± the G2 generator, so δ is public (no secret contribution)");
    }
    Ok(())
}

/// A verifying key with the pairing data every verification reuses: `e(α, β)` and the G2
/// line coefficients of `-γ` and `-δ`, plus the key's circuit id.
#[derive(Clone, Debug)]
pub struct PreparedVerifyingKey {
    vk: VerifyingKey,
    circuit_id: String,
    alpha_beta: PairingOutput<Bn254>,
    neg_gamma: <Bn254 as Pairing>::G2Prepared,
    neg_delta: <Bn254 as Pairing>::G2Prepared,
    ic_tables: FixedBaseTables,
}

impl PreparedVerifyingKey {
    /// The key it was prepared from.
    pub fn vk(&self) -> &VerifyingKey {
        &self.vk
    }

    /// The key's circuit id (see [`VerifyingKey::circuit_id`]).
    pub fn circuit_id(&self) -> &str {
        &self.circuit_id
    }

    /// Fails with [`Error::WrongKey`] unless `named` (from a `circuit_id` file, a request or a
    /// proof envelope, described by `named_by`) is this key's circuit id.
    pub fn expect_circuit_id(&self, named: &str, named_by: &'static str) -> Result<()> {
        if named == self.circuit_id {
            Ok(())
        } else {
            Err(Error::WrongKey {
                key: self.circuit_id.clone(),
                named_by,
                named: named.chars().take(80).collect(),
            })
        }
    }

    /// `e(α·G, β·H)` in the target group.
    pub fn alpha_beta(&self) -> &PairingOutput<Bn254> {
        &self.alpha_beta
    }

    /// `-γ·H`, prepared for the Miller loop.
    pub fn neg_gamma(&self) -> &<Bn254 as Pairing>::G2Prepared {
        &self.neg_gamma
    }

    /// `-δ·H`, prepared for the Miller loop.
    pub fn neg_delta(&self) -> &<Bn254 as Pairing>::G2Prepared {
        &self.neg_delta
    }

    /// Fixed-base tables of `IC_1..IC_n`.
    pub fn ic_tables(&self) -> &FixedBaseTables {
        &self.ic_tables
    }
}

impl From<&VerifyingKey> for PreparedVerifyingKey {
    fn from(vk: &VerifyingKey) -> Self {
        vk.prepare()
    }
}

/// Fails unless `s` is an id as we write them: 64 lowercase hex digits (a SHA-256).
pub fn check_hex_id(what: &str, s: &str) -> Result<()> {
    let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(Error::unexpected(
            what,
            "64 lowercase hex digits",
            format!("{:?}", s.chars().take(80).collect::<String>()),
        ))
    }
}
