//! Proving a request: the witness from the credential, the secret and the path; the public
//! inputs from the request; the proof; and the envelope the platform receives.
//!
//! Before any proving work, [`prove`] checks that the pieces belong together (the request's
//! issuer is the credential's, its circuit is the keys' circuit, the secret is the credential's, the path is the credential's
//! leaf), opens the name only for a request that asks for it (under a fresh `t`), and names an
//! unsatisfied claim with the attribute it is about ([`explain`]).

use crate::error::{HolderError, Result};
use ark_bn254::Fr;
use rand::{CryptoRng, RngCore};
use std::collections::BTreeMap;
use std::path::Path;
use zkcred_core::credential::{Credential, HolderSecret};
use zkcred_core::name::NameOpening;
use zkcred_core::path_document::PathDocument;
use zkcred_core::schema::{Schema, SLOTS};
use zkcred_core::statement::{NameWitness, Violation, Witness};
use zkcred_prover::{ProveError, ProveTimings, Prover};
use zkcred_verifier::snarkjs::{proof_to_json, public_inputs_to_json};
use zkcred_verifier::{ProofEnvelope, Request};

/// What a holder proves with: the prover (and its keys' circuit id), the credential, the
/// secret and the credential's path.
pub struct Material<'a> {
    /// The prover, from the keys.
    pub prover: &'a Prover,
    /// The keys' circuit id.
    pub circuit_id: &'a str,
    /// The credential.
    pub credential: &'a Credential,
    /// The holder secret.
    pub secret: &'a HolderSecret,
    /// The credential's Merkle path against an anchored root.
    pub path: &'a PathDocument,
}

/// Checks that the pieces belong together and to the request (see the module docs).
pub fn check_material(m: &Material<'_>, request: &Request) -> Result<()> {
    if request.issuer() != m.credential.issuer() {
        return Err(HolderError::Mismatch(format!(
            "the request accepts credentials of {}, and this credential is from {}",
            request.issuer(),
            m.credential.issuer()
        )));
    }
    if let Some(named) = request.circuit_id() {
        if named != m.circuit_id {
            return Err(HolderError::Mismatch(format!(
                "the request names circuit {named}, but the keys are circuit {}",
                m.circuit_id
            )));
        }
    }
    if m.secret.public_key() != m.credential.hpk() {
        return Err(HolderError::Mismatch(
            "the holder key does not belong to this credential (hpk differs)".into(),
        ));
    }
    if m.path.index != m.credential.leaf_index() {
        return Err(HolderError::Mismatch(format!(
            "the path is for leaf {}, the credential is leaf {}",
            m.path.index,
            m.credential.leaf_index()
        )));
    }
    Ok(())
}

/// The witness and the public inputs of `request` for this material, and the name opening if
/// the request asks for the name.
fn statement<R: RngCore + CryptoRng>(
    m: &Material<'_>,
    request: &Request,
    rng: &mut R,
) -> Result<(
    Witness,
    zkcred_core::statement::PublicInputs,
    Option<NameOpening>,
)> {
    let opening = if request.discloses_name() {
        let (Some(name), Some(salt)) = (m.credential.name(), m.credential.name_salt()) else {
            return Err(HolderError::Unsatisfied(
                "the request asks for the name, and the credential has none".into(),
            ));
        };
        let opening = NameOpening::random(name, rng)?;
        Some((NameWitness::new(&opening, salt), opening))
    } else {
        None
    };
    let (name_witness, opening) = opening.unzip();
    let witness = Witness {
        secret: m.secret.clone(),
        attributes: m.credential.attributes(),
        salt: m.credential.salt(),
        path: m.path.path.clone(),
        name: name_witness,
    };
    let public = witness.public_inputs(
        m.path.root,
        request.scope_hash(),
        request.message_hash(),
        request.compile(),
    );
    Ok((witness, public, opening))
}

/// Whether the credential satisfies every claim of `request` (checked natively, no proving);
/// the error explains the first claim that fails.
pub fn check_claims(m: &Material<'_>, request: &Request) -> Result<()> {
    check_material(m, request)?;
    let (witness, public, _) = statement(m, request, &mut rand::rngs::OsRng)?;
    zkcred_core::statement::check_satisfaction(&public, &witness)
        .map_err(|v| HolderError::Unsatisfied(explain(&v, request.schema_definition())))
}

/// Proves `request` and returns the envelope (writes nothing), with the prover's timings.
pub fn prove<R: RngCore + CryptoRng>(
    m: &Material<'_>,
    request: &Request,
    rng: &mut R,
) -> Result<(ProofEnvelope, ProveTimings)> {
    check_material(m, request)?;
    let (witness, public, opening) = statement(m, request, rng)?;
    let schema = request.schema_definition();
    let (proof, timings) = m
        .prover
        .prove_timed(&public, &witness, rng)
        .map_err(|e| match e {
            ProveError::Unsatisfied(v) => HolderError::Unsatisfied(explain(&v, schema)),
            other => HolderError::Prove(other),
        })?;
    let disclosed = disclosed_by_name(schema, public.policy.disclose_mask, &public.disclosed);
    let envelope = ProofEnvelope::new(
        request,
        m.circuit_id,
        m.path.root,
        public.nullifier,
        disclosed,
        opening,
        public.to_field_elements(),
        proof,
    )?;
    Ok((envelope, timings))
}

/// The disclosed values by attribute name.
fn disclosed_by_name(schema: &Schema, mask: u8, values: &[Fr; SLOTS]) -> BTreeMap<String, Fr> {
    (0..SLOTS)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| (schema.slots[i].name.clone(), values[i]))
        .collect()
}

/// Explains a failed claim in the words of `schema`'s attribute names.
pub fn explain(v: &Violation, schema: &Schema) -> String {
    let name = |slot: usize| schema.slots.get(slot).map_or("?", |s| s.name.as_str());
    match v {
        Violation::NotInTree(_) => "the credential is not in the tree under the path's root \
             (revoked, or the path is for another credential)"
            .into(),
        Violation::Nullifier => "the nullifier does not match the secret".into(),
        Violation::NotNumeric { slot } => format!("`{}` is not a 64-bit integer", name(*slot)),
        Violation::OutOfRange { slot, lo, hi, .. } => {
            let bound = if *lo > 0 && *hi < u64::MAX {
                format!("[{lo}, {hi}]")
            } else if *lo > 0 {
                format!(">= {lo}")
            } else {
                format!("<= {hi}")
            };
            format!(
                "`{}` does not satisfy the request's bound {bound}",
                name(*slot)
            )
        }
        Violation::Set { slot, member } => format!(
            "`{}` is {} the requested set",
            name(*slot),
            if *member { "in" } else { "not in" }
        ),
        Violation::Disclosure { slot } => format!("disclosed `{}` does not match", name(*slot)),
        Violation::NameCommitmentDisclosed
        | Violation::NameMissing
        | Violation::NameNotAsked
        | Violation::NameCommitment
        | Violation::NameDisclosure => v.to_string(),
    }
}

/// The files a proof is delivered in, inside `out`: `zkcred-proof.json` (mode 0600 when it
/// opens the holder's name, else 0644), and the snarkjs `proof.json` and `public.json`.
pub fn write_proof(out: &Path, envelope: &ProofEnvelope) -> Result<()> {
    std::fs::create_dir_all(out).map_err(HolderError::io(out))?;
    let mode = if envelope.name_opening.is_some() {
        0o600
    } else {
        0o644
    };
    let write = |name: &str, text: &str, mode: u32| {
        let path = out.join(name);
        zkcred_core::atomic_file::write(&path, text.as_bytes(), mode).map_err(HolderError::io(path))
    };
    write("zkcred-proof.json", &envelope.to_json(), mode)?;
    write("proof.json", &proof_to_json(&envelope.proof), 0o644)?;
    write(
        "public.json",
        &public_inputs_to_json(&envelope.public),
        0o644,
    )
}
