//! Verifying a ceremony directory from scratch.
//!
//! 1. The transcript is for this circuit; its records are numbered `0, 1, …` in order
//!    ([`CeremonyError::OutOfOrder`], [`CeremonyError::MissingContribution`]); each names the
//!    previous hash, hashes to its recorded hash and its params file to its recorded params hash;
//!    `init` comes first, a beacon only last.
//! 2. Phase 1 is read from the ptau with every check of `phase1`, and `params_0000.bin` is
//!    checked to be exactly contribution 0 derived from it and the circuit (`init_check`: each
//!    query against its definition by a random linear combination, the rest point for point).
//! 3. For each contribution `i ≥ 1`, from key `K` to key `K'`:
//!    - everything but `δ`, H and L equals contribution 0 ("nothing else changed");
//!    - `δ' ≠ 0` and `e(δ'·G1, G2) = e(G1, δ'·G2)`;
//!    - the proof of knowledge: `s` is the hash of the context and `e(s, δ'·G2) = e(s·d, δ·G2)`;
//!      for a beacon, `d` is recomputed from the beacon and `δ' = d·δ`, `s·d` checked directly;
//!    - H and L are rescaled by `δ/δ'`: `e(Σ r_i·H'_i, δ'·G2) = e(Σ r_i·H_i, δ·G2)` with fresh
//!      random `r`, and the same for L. If only one query fails, bisection names its first bad
//!      point ([`CeremonyError::QueryPointAltered`]); if both fail, δ does not match the queries
//!      ([`CeremonyError::DeltaDoesNotMatchQueries`]).
//! 4. At least one record is a participant's contribution
//!    ([`CeremonyError::NoSecretContribution`]): init's `δ` is `1` and the beacon's secret is
//!    public, so a transcript of init and beacon alone is valid step by step and yet gives keys
//!    anyone can forge with. Checked last, so that tampering is named first.

use super::circuit::Qap;
use super::error::{CeremonyError, Query};
use super::init_check::check_initial_key;
use super::params;
use super::phase1::Phase1;
use super::pok::PokContext;
use super::ratio::{first_unscaled, same_ratio, scaled_by, verifier_rng};
use super::secret::Secret;
use super::transcript::{hash_from_hex, point_hex, Kind, Record, Transcript};
use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::ProvingKey;
use std::path::Path;

/// One verified contribution, as a platform lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contributor {
    /// Its index.
    pub index: u32,
    /// What made it.
    pub kind: Kind,
    /// The contributor's name.
    pub name: String,
    /// Its hash (what the contributor published), hex.
    pub hash: String,
}

/// The outcome of a successful verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Every contribution, in order (contribution 0 first).
    pub contributions: Vec<Contributor>,
    /// Whether a beacon sealed the ceremony.
    pub sealed: bool,
}

/// Checks the records' numbering, hash chain, hashes and kinds (step 1, without params files).
pub fn check_records(t: &Transcript) -> Result<(), CeremonyError> {
    let indices: Vec<u32> = t.contributions.iter().map(|r| r.index).collect();
    for (pos, &found) in indices.iter().enumerate() {
        if found as usize != pos {
            let mut sorted = indices.clone();
            sorted.sort_unstable();
            sorted.dedup();
            // Same set of indices in another order, or a gap.
            if sorted.len() == indices.len()
                && sorted.iter().enumerate().all(|(i, &x)| x as usize == i)
            {
                return Err(CeremonyError::OutOfOrder {
                    position: pos,
                    found,
                });
            }
            if found as usize > pos && !indices[..pos].contains(&found) {
                return Err(CeremonyError::MissingContribution { index: pos as u32 });
            }
            return Err(CeremonyError::OutOfOrder {
                position: pos,
                found,
            });
        }
    }
    let mut prev = hex::encode([0u8; 32]);
    let last = t.contributions.len() - 1;
    for (pos, r) in t.contributions.iter().enumerate() {
        let bad = |reason: &str| CeremonyError::MalformedRecord {
            index: r.index,
            reason: reason.into(),
        };
        if r.prev != prev {
            return Err(CeremonyError::HashChainBroken { index: r.index });
        }
        if hash_from_hex(&r.hash) != Some(r.digest()) || r.hash != hex::encode(r.digest()) {
            return Err(CeremonyError::ContributionHashMismatch { index: r.index });
        }
        match (pos, r.kind) {
            (0, Kind::Init) => {}
            (0, _) => return Err(bad("contribution 0 must be init")),
            (_, Kind::Init) => return Err(bad("init after contribution 0")),
            (p, Kind::Beacon) if p != last => return Err(bad("a contribution follows the beacon")),
            _ => {}
        }
        if (r.kind == Kind::Init) != r.pok.is_none() {
            return Err(bad(
                "proof of knowledge present for init or absent otherwise",
            ));
        }
        if (r.kind == Kind::Beacon) != r.beacon.is_some() {
            return Err(bad("beacon record mismatch"));
        }
        prev = r.hash.clone();
    }
    Ok(())
}

fn read_checked(dir: &Path, r: &Record) -> Result<ProvingKey<Bn254>, CeremonyError> {
    let (pk, sha) = params::read(dir, r.index)?;
    if hex::encode(sha) != r.params_sha256 {
        return Err(CeremonyError::ParamsHashMismatch { index: r.index });
    }
    if point_hex(&pk.delta_g1) != r.delta_g1 {
        return Err(CeremonyError::MalformedRecord {
            index: r.index,
            reason: "recorded δ·G1 differs from the params file".into(),
        });
    }
    Ok(pk)
}

/// The first part of `k` that differs from contribution 0's `k0`, other than δ, H and L.
fn changed_part(k0: &ProvingKey<Bn254>, k: &ProvingKey<Bn254>) -> Option<&'static str> {
    let parts: [(&'static str, bool); 10] = [
        ("alpha_g1", k.vk.alpha_g1 == k0.vk.alpha_g1),
        ("beta_g2", k.vk.beta_g2 == k0.vk.beta_g2),
        ("gamma_g2", k.vk.gamma_g2 == k0.vk.gamma_g2),
        ("gamma_abc_g1", k.vk.gamma_abc_g1 == k0.vk.gamma_abc_g1),
        ("beta_g1", k.beta_g1 == k0.beta_g1),
        ("a_query", k.a_query == k0.a_query),
        ("b_g1_query", k.b_g1_query == k0.b_g1_query),
        ("b_g2_query", k.b_g2_query == k0.b_g2_query),
        ("h_query length", k.h_query.len() == k0.h_query.len()),
        ("l_query length", k.l_query.len() == k0.l_query.len()),
    ];
    parts.iter().find(|(_, same)| !same).map(|(name, _)| *name)
}

/// Checks contribution `r` from key `k` to key `k2` (step 3).
pub fn check_step(
    qap_digest: &[u8; 32],
    prev: &Record,
    r: &Record,
    k: &ProvingKey<Bn254>,
    k2: &ProvingKey<Bn254>,
) -> Result<(), CeremonyError> {
    let index = r.index;
    let (d1, d2) = (k2.delta_g1, k2.vk.delta_g2);
    if d1.is_zero() || d2.is_zero() {
        return Err(CeremonyError::DegenerateDelta { index });
    }
    if !same_ratio(d1, G2Affine::generator(), G1Affine::generator(), d2) {
        return Err(CeremonyError::DeltaInconsistent { index });
    }
    let prev_hash = hash_from_hex(&prev.hash).ok_or(CeremonyError::HashChainBroken { index })?;
    let ctx = PokContext {
        circuit: qap_digest,
        prev_hash: &prev_hash,
        index,
        name: &r.name,
        delta_g1: &d1,
        delta_g2: &d2,
    };
    let pok = r.proof()?;
    if let Some(b) = &r.beacon {
        let value = hex::decode(&b.value).map_err(|_| CeremonyError::MalformedRecord {
            index,
            reason: "beacon value is not hex".into(),
        })?;
        let d = Secret::from_beacon(&value, b.iterations_exp, &prev_hash);
        if (k.delta_g1 * d.scalar()).into_affine() != d1
            || (k.vk.delta_g2 * d.scalar()).into_affine() != d2
            || ctx.prove(&d) != pok
        {
            return Err(CeremonyError::BeaconMismatch { index });
        }
    }
    if !ctx.verify(&pok, &k.vk.delta_g2) {
        return Err(CeremonyError::InvalidProofOfKnowledge {
            index,
            name: r.name.clone(),
        });
    }
    let mut rng = verifier_rng();
    let (old2, new2) = (k.vk.delta_g2, d2);
    let h_ok = scaled_by(&k.h_query, &k2.h_query, old2, new2, &mut rng);
    let l_ok = scaled_by(&k.l_query, &k2.l_query, old2, new2, &mut rng);
    match (h_ok, l_ok) {
        (true, true) => Ok(()),
        (false, false) => Err(CeremonyError::DeltaDoesNotMatchQueries { index }),
        (false, true) => Err(CeremonyError::QueryPointAltered {
            index,
            query: Query::H,
            position: first_unscaled(&k.h_query, &k2.h_query, old2, new2, &mut rng).unwrap_or(0),
        }),
        (true, false) => Err(CeremonyError::QueryPointAltered {
            index,
            query: Query::L,
            position: first_unscaled(&k.l_query, &k2.l_query, old2, new2, &mut rng).unwrap_or(0),
        }),
    }
}

/// Verifies the ceremony in `dir` against the ptau; returns the report and the last key.
pub fn verify_dir(
    ptau: &Path,
    dir: &Path,
    t: &Transcript,
) -> Result<(Report, ProvingKey<Bn254>), CeremonyError> {
    let qap = Qap::credential()?;
    t.check_circuit(&qap)?;
    check_records(t)?;
    let p1 = Phase1::load(ptau, qap.log_domain())?;
    let k0 = read_checked(dir, &t.contributions[0])?;
    check_initial_key(&qap, &p1, &k0)?;
    drop(p1);
    let mut k = k0.clone();
    for pair in t.contributions.windows(2) {
        let (prev, r) = (&pair[0], &pair[1]);
        let k2 = read_checked(dir, r)?;
        if let Some(part) = changed_part(&k0, &k2) {
            return Err(CeremonyError::FixedPartChanged {
                index: r.index,
                part,
            });
        }
        check_step(&qap.digest, prev, r, &k, &k2)?;
        k = k2;
    }
    t.expect_secret_contribution()?;
    let report = Report {
        contributions: t
            .contributions
            .iter()
            .map(|r| Contributor {
                index: r.index,
                kind: r.kind,
                name: r.name.clone(),
                hash: r.hash.clone(),
            })
            .collect(),
        sealed: t.is_sealed(),
    };
    Ok((report, k))
}
