//! snarkjs-compatible JSON: `verification_key.json`, `proof.json` and `public.json`
//! (docs/formats.md), so `snarkjs groth16 verify verification_key.json public.json proof.json`
//! accepts what we write, and we read what snarkjs writes.
//!
//! Numbers are canonical decimal strings ([`crate::decimal`]). A G1 point is affine
//! `[x, y, "1"]`; a G2 point is `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` (`c0 + c1·u` in
//! `Fq2 = Fq[u]/(u² + 1)`). The points at infinity are snarkjs's `["0", "1", "0"]` and
//! `[["0", "0"], ["1", "0"], ["0", "0"]]`; any other third coordinate is refused (we read affine
//! points only, as snarkjs writes them). `vk_alphabeta_12` is `e(α, β)` in
//! `Fq12 = Fq6[w]/(w² - v)`, `Fq6 = Fq2[v]/(v³ - (9 + u))`, written
//! `[[c0.c0, c0.c1, c0.c2], [c1.c0, c1.c1, c1.c2]]` with each `Fq2` as `[c0, c1]`; arkworks and
//! snarkjs (ffjavascript) use the same tower and the same pairing, pinned by a test against
//! ffjavascript's `e(G, H)`.
//!
//! Reading validates everything: canonical coordinates below `q`, each point on its curve and
//! in the prime-order subgroup, `protocol == "groth16"`, `curve == "bn128"`, the expected number
//! of public inputs (`nPublic` and `IC.len() == nPublic + 1`), and `vk_alphabeta_12`, when
//! present, equal to `e(α, β)`. Proof points at infinity are refused (see [`Proof::new`]).
//! Fields we do not use are ignored, as snarkjs itself does.

use crate::decimal::{fq_to_string, fr_to_string, parse_fq, parse_fr};
use crate::error::{Error, Result};
use crate::groth16::Proof;
use crate::key::VerifyingKey;
use ark_bn254::{Bn254, Fq, Fq12, Fq2, Fq6, Fr, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::AffineRepr;
use serde::{Deserialize, Serialize};

/// The `protocol` of every file.
pub const PROTOCOL: &str = "groth16";
/// The `curve` of every file: snarkjs's name for BN254.
pub const CURVE: &str = "bn128";

/// A G1 point as snarkjs writes it: `[x, y, z]`.
pub type G1Json = [String; 3];
/// A G2 point as snarkjs writes it: `[[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]`.
pub type G2Json = [[String; 2]; 3];
/// An `Fq12` element as snarkjs writes it.
pub type Fq12Json = [[[String; 2]; 3]; 2];

/// `proof.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofJson {
    /// `A`.
    pub pi_a: G1Json,
    /// `B`.
    pub pi_b: G2Json,
    /// `C`.
    pub pi_c: G1Json,
    /// `"groth16"`.
    pub protocol: String,
    /// `"bn128"`.
    pub curve: String,
}

/// `verification_key.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyingKeyJson {
    /// `"groth16"`.
    pub protocol: String,
    /// `"bn128"`.
    pub curve: String,
    /// Number of public inputs.
    #[serde(rename = "nPublic")]
    pub n_public: usize,
    /// `α·G`.
    pub vk_alpha_1: G1Json,
    /// `β·H`.
    pub vk_beta_2: G2Json,
    /// `γ·H`.
    pub vk_gamma_2: G2Json,
    /// `δ·H`.
    pub vk_delta_2: G2Json,
    /// `e(α·G, β·H)`; always written, checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vk_alphabeta_12: Option<Fq12Json>,
    /// `IC_0..=IC_n`.
    #[serde(rename = "IC")]
    pub ic: Vec<G1Json>,
}

fn s(x: &Fq) -> String {
    fq_to_string(x)
}

fn fq2_to_json(x: &Fq2) -> [String; 2] {
    [s(&x.c0), s(&x.c1)]
}

fn fq2_from_json(j: &[String; 2], what: &str) -> Result<Fq2> {
    Ok(Fq2::new(
        parse_fq(&j[0], &format!("{what}.c0"))?,
        parse_fq(&j[1], &format!("{what}.c1"))?,
    ))
}

/// A G1 point as `[x, y, "1"]` (infinity: `["0", "1", "0"]`).
pub fn g1_to_json(p: &G1Affine) -> G1Json {
    match p.xy() {
        None => ["0".into(), "1".into(), "0".into()],
        Some((x, y)) => [s(&x), s(&y), "1".into()],
    }
}

/// Reads and validates a G1 point (canonical, on the curve; G1's cofactor is 1).
pub fn g1_from_json(j: &G1Json, what: &str) -> Result<G1Affine> {
    match j[2].as_str() {
        "1" => {
            let x = parse_fq(&j[0], &format!("{what}.x"))?;
            let y = parse_fq(&j[1], &format!("{what}.y"))?;
            let p = G1Affine::new_unchecked(x, y);
            // arkworks represents infinity as (0, 0); as an affine point it is off the curve.
            if p.is_zero() {
                return Err(Error::NotOnCurve { what: what.into() });
            }
            crate::point::check_g1(&p, || what.to_string())?;
            Ok(p)
        }
        "0" if j[0] == "0" && j[1] == "1" => Ok(G1Affine::identity()),
        _ => Err(Error::PointEncoding {
            what: what.to_string(),
            detail: r#"expected an affine G1 point [x, y, "1"] or infinity ["0", "1", "0"]"#.into(),
        }),
    }
}

/// A G2 point as `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`.
pub fn g2_to_json(p: &G2Affine) -> G2Json {
    let (one, zero) = (|| "1".to_string(), || "0".to_string());
    match p.xy() {
        None => [[zero(), zero()], [one(), zero()], [zero(), zero()]],
        Some((x, y)) => [fq2_to_json(&x), fq2_to_json(&y), [one(), zero()]],
    }
}

/// Reads and validates a G2 point: canonical, on the twist, and in the prime-order subgroup.
pub fn g2_from_json(j: &G2Json, what: &str) -> Result<G2Affine> {
    let is = |k: usize, a: &str, b: &str| j[k][0] == a && j[k][1] == b;
    if is(2, "1", "0") {
        let x = fq2_from_json(&j[0], &format!("{what}.x"))?;
        let y = fq2_from_json(&j[1], &format!("{what}.y"))?;
        let p = G2Affine::new_unchecked(x, y);
        if p.is_zero() {
            return Err(Error::NotOnCurve { what: what.into() });
        }
        crate::point::check_g2(&p, || what.to_string())?;
        Ok(p)
    } else if is(2, "0", "0") && is(0, "0", "0") && is(1, "1", "0") {
        Ok(G2Affine::identity())
    } else {
        Err(Error::PointEncoding {
            what: what.to_string(),
            detail: r#"expected an affine G2 point [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]"#
                .into(),
        })
    }
}

/// An `Fq12` element in snarkjs's nesting.
pub fn fq12_to_json(x: &Fq12) -> Fq12Json {
    let fq6 = |y: &Fq6| [fq2_to_json(&y.c0), fq2_to_json(&y.c1), fq2_to_json(&y.c2)];
    [fq6(&x.c0), fq6(&x.c1)]
}

/// Reads an `Fq12` element in snarkjs's nesting (canonical coefficients).
pub fn fq12_from_json(j: &Fq12Json, what: &str) -> Result<Fq12> {
    let fq6 = |k: usize| -> Result<Fq6> {
        let c = |i: usize| fq2_from_json(&j[k][i], &format!("{what}[{k}][{i}]"));
        Ok(Fq6::new(c(0)?, c(1)?, c(2)?))
    };
    Ok(Fq12::new(fq6(0)?, fq6(1)?))
}

fn expect_str(what: &str, expected: &str, found: &str) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::unexpected(
            what,
            format!("{expected:?}"),
            format!("{found:?}"),
        ))
    }
}

impl ProofJson {
    /// The snarkjs form of a proof.
    pub fn from_proof(p: &Proof) -> Self {
        Self {
            pi_a: g1_to_json(&p.a()),
            pi_b: g2_to_json(&p.b()),
            pi_c: g1_to_json(&p.c()),
            protocol: PROTOCOL.into(),
            curve: CURVE.into(),
        }
    }

    /// Validates and converts to a proof.
    pub fn to_proof(&self) -> Result<Proof> {
        expect_str("proof protocol", PROTOCOL, &self.protocol)?;
        expect_str("proof curve", CURVE, &self.curve)?;
        // Each point is checked (on the curve, in the subgroup) as it is read.
        Proof::from_checked_points(
            g1_from_json(&self.pi_a, "pi_a")?,
            g2_from_json(&self.pi_b, "pi_b")?,
            g1_from_json(&self.pi_c, "pi_c")?,
        )
    }
}

impl VerifyingKeyJson {
    /// The snarkjs form of a verifying key, including `vk_alphabeta_12 = e(α, β)`.
    pub fn from_key(vk: &VerifyingKey) -> Self {
        let alpha_beta = Bn254::pairing(vk.alpha_g1(), vk.beta_g2()).0;
        Self {
            protocol: PROTOCOL.into(),
            curve: CURVE.into(),
            n_public: vk.num_public_inputs(),
            vk_alpha_1: g1_to_json(vk.alpha_g1()),
            vk_beta_2: g2_to_json(vk.beta_g2()),
            vk_gamma_2: g2_to_json(vk.gamma_g2()),
            vk_delta_2: g2_to_json(vk.delta_g2()),
            vk_alphabeta_12: Some(fq12_to_json(&alpha_beta)),
            ic: vk.ic().iter().map(g1_to_json).collect(),
        }
    }

    /// Validates and converts to a verifying key for exactly `n_public` public inputs.
    pub fn to_key(&self, n_public: usize) -> Result<VerifyingKey> {
        expect_str("verification key protocol", PROTOCOL, &self.protocol)?;
        expect_str("verification key curve", CURVE, &self.curve)?;
        if self.n_public != n_public {
            return Err(Error::PublicInputCount {
                what: "the verification key (nPublic)",
                expected: n_public,
                found: self.n_public,
            });
        }
        if self.ic.len() != n_public + 1 {
            return Err(Error::unexpected(
                "verification key IC length",
                format!("nPublic + 1 = {}", n_public + 1),
                self.ic.len(),
            ));
        }
        let alpha = g1_from_json(&self.vk_alpha_1, "vk_alpha_1")?;
        let beta = g2_from_json(&self.vk_beta_2, "vk_beta_2")?;
        let gamma = g2_from_json(&self.vk_gamma_2, "vk_gamma_2")?;
        let delta = g2_from_json(&self.vk_delta_2, "vk_delta_2")?;
        let ic = (self.ic.iter().enumerate())
            .map(|(i, p)| g1_from_json(p, &format!("IC[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let vk = VerifyingKey::new(alpha, beta, gamma, delta, ic)?;
        if let Some(j) = &self.vk_alphabeta_12 {
            let stated = fq12_from_json(j, "vk_alphabeta_12")?;
            if stated != Bn254::pairing(alpha, beta).0 {
                return Err(Error::unexpected(
                    "vk_alphabeta_12",
                    "e(vk_alpha_1, vk_beta_2)",
                    "another value",
                ));
            }
        }
        Ok(vk)
    }
}

/// `proof.json` text for a proof.
pub fn proof_to_json(p: &Proof) -> String {
    to_pretty(&ProofJson::from_proof(p))
}

/// Reads and validates `proof.json` text.
pub fn proof_from_json(text: &str) -> Result<Proof> {
    serde_json::from_str::<ProofJson>(text)
        .map_err(|e| Error::json("proof.json", e))?
        .to_proof()
}

/// `verification_key.json` text for a key.
pub fn verifying_key_to_json(vk: &VerifyingKey) -> String {
    to_pretty(&VerifyingKeyJson::from_key(vk))
}

/// Reads and validates `verification_key.json` text for a circuit with `n_public` inputs.
pub fn verifying_key_from_json(text: &str, n_public: usize) -> Result<VerifyingKey> {
    serde_json::from_str::<VerifyingKeyJson>(text)
        .map_err(|e| Error::json("verification_key.json", e))?
        .to_key(n_public)
}

/// `public.json` text: the inputs as decimal strings, in circuit order.
pub fn public_inputs_to_json(inputs: &[Fr]) -> String {
    to_pretty(&inputs.iter().map(fr_to_string).collect::<Vec<_>>())
}

/// Reads `public.json` text holding exactly `n` canonical decimal inputs.
pub fn public_inputs_from_json(text: &str, n: usize) -> Result<Vec<Fr>> {
    let v: Vec<String> = serde_json::from_str(text).map_err(|e| Error::json("public.json", e))?;
    parse_public_inputs(&v, n)
}

/// Parses `n` public inputs given as canonical decimal strings.
pub fn parse_public_inputs(v: &[String], n: usize) -> Result<Vec<Fr>> {
    if v.len() != n {
        return Err(Error::PublicInputCount {
            what: "the public input list",
            expected: n,
            found: v.len(),
        });
    }
    (v.iter().enumerate())
        .map(|(i, x)| parse_fr(x, &format!("public input #{i}")))
        .collect()
}

fn to_pretty<T: Serialize>(v: &T) -> String {
    // Our serializable types hold only strings, numbers and arrays: this cannot fail.
    serde_json::to_string_pretty(v).unwrap_or_default()
}
