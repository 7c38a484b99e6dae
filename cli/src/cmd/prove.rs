//! `zkcred prove`: the holder proves a platform's request locally.

use crate::cmd::holder::read_key;
use crate::exit::{malformed, rejected};
use crate::files;
use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use rand::rngs::OsRng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zkcred_core::name::NameOpening;
use zkcred_core::schema::Schema;
use zkcred_core::statement::{NameWitness, Violation, Witness};
use zkcred_issuer::{Credential, PathDocument};
use zkcred_prover::{ProveError, Prover};
use zkcred_verifier::snarkjs::{proof_to_json, public_inputs_to_json};
use zkcred_verifier::{Proof, ProofEnvelope, Request};

/// Arguments of `zkcred prove`.
#[derive(ClapArgs)]
pub struct Args {
    /// The keys directory (from `zkcred setup`).
    #[arg(long)]
    pub keys: PathBuf,
    /// The holder's credential.
    #[arg(long)]
    pub credential: PathBuf,
    /// The holder's secret key file.
    #[arg(long)]
    pub secret: PathBuf,
    /// The Merkle path from `zkcred issuer path`.
    #[arg(long)]
    pub path: PathBuf,
    /// The platform's request.
    #[arg(long)]
    pub request: PathBuf,
    /// Directory for zkcred-proof.json, proof.json and public.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Print the prover's own timers (key loading, matrices, witness, Groth16, self-check) to
    /// stderr.
    #[arg(long)]
    pub timings: bool,
    /// Validate the keys in full even if their seal (manifest.json) is intact, and seal them
    /// again; needed after a sealed file changed.
    #[arg(long)]
    pub revalidate: bool,
}

/// Loads a prover from a keys directory (from its seal, or validated in full and sealed);
/// returns it with the circuit id.
pub fn load_prover(keys: &Path) -> Result<(Prover, String)> {
    load_prover_timed(keys, false, false)
}

fn load_prover_timed(keys: &Path, revalidate: bool, timings: bool) -> Result<(Prover, String)> {
    use zkcred_prover::keys::Provenance;
    let (prover, report) = zkcred_prover::keys::open(keys, revalidate).map_err(malformed)?;
    if let Provenance::ValidatedNotSealed(why) = &report.provenance {
        eprintln!(
            "note: the keys were validated in full, but their seal could not be written ({why}); \
             every run will validate them again"
        );
    }
    if timings {
        let how = match report.provenance {
            Provenance::Sealed => "read from its seal (hashes checked)",
            _ => "read and validated in full",
        };
        eprintln!("timing: proving key {how} in {:.1?}", report.load);
        eprintln!(
            "timing: constraint matrices built in {:.1?}",
            report.matrices
        );
        eprintln!(
            "timing: key checked against the circuit in {:.1?}",
            report.check
        );
    }
    Ok((prover, report.circuit_id))
}

/// Reads a request file.
pub fn read_request(path: &Path) -> Result<Request> {
    let text = files::read_text(path, "request")?;
    Request::from_json(&text)
        .map_err(|e| malformed(anyhow::anyhow!("request {}: {e}", path.display())))
}

/// Explains a failed claim with attribute names.
fn explain(v: &Violation) -> String {
    let schema = Schema::identity_v1();
    let name = |slot: usize| {
        schema
            .slots
            .get(slot)
            .map_or("?".to_string(), |s| s.name.clone())
    };
    match v {
        Violation::NotInTree(_) => {
            "the credential is not in the tree under the path's root (revoked, or the path is for another credential)".into()
        }
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
            format!("`{}` does not satisfy the request's bound {bound}", name(*slot))
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

/// Proves `request` and returns the envelope; writes nothing.
pub fn prove(
    prover: &Prover,
    circuit_id: &str,
    credential: &Credential,
    secret: &zkcred_core::credential::HolderSecret,
    path: &PathDocument,
    request: &Request,
    timings: bool,
) -> Result<ProofEnvelope> {
    if let Some(named) = request.circuit_id() {
        if named != circuit_id {
            return Err(malformed(anyhow::anyhow!(
                "the request names circuit {named}, but the keys are circuit {circuit_id}"
            )));
        }
    }
    if secret.public_key() != credential.hpk() {
        return Err(malformed(anyhow::anyhow!(
            "the holder key does not belong to this credential (hpk differs)"
        )));
    }
    if path.index != credential.leaf_index() {
        return Err(malformed(anyhow::anyhow!(
            "the path is for leaf {}, the credential is leaf {}",
            path.index,
            credential.leaf_index()
        )));
    }
    // The name is opened only for a request that asks for it, under a fresh t.
    let opening = if request.discloses_name() {
        let (Some(name), Some(salt)) = (credential.name(), credential.name_salt()) else {
            return Err(rejected(anyhow::anyhow!(
                "cannot prove: the request asks for the name, and the credential has none"
            )));
        };
        let opening = NameOpening::random(name, &mut OsRng).map_err(malformed)?;
        Some((NameWitness::new(&opening, salt), opening))
    } else {
        None
    };
    let (name_witness, opening) = opening.unzip();
    let witness = Witness {
        secret: secret.clone(),
        attributes: credential.attributes(),
        salt: credential.salt(),
        path: path.path.clone(),
        name: name_witness,
    };
    let public = witness.public_inputs(
        path.root,
        request.scope_hash(),
        request.message_hash(),
        request.compile(),
    );
    let (nf, disclosed) = (public.nullifier, public.disclosed);
    let (proof, t) = prover
        .prove_timed(&public, &witness, &mut OsRng)
        .map_err(|e| match e {
            ProveError::Unsatisfied(v) => {
                rejected(anyhow::anyhow!("cannot prove: {}", explain(&v)))
            }
            e @ ProveError::ProofDoesNotVerify => malformed(e),
            other => rejected(other),
        })?;
    if timings {
        eprintln!("timing: claims checked natively in {:.1?}", t.check);
        eprintln!("timing: witness generated in {:.1?}", t.witness);
        eprintln!("timing: Groth16 (QAP and MSMs) in {:.1?}", t.groth16);
        eprintln!("timing: own proof verified in {:.1?}", t.verify);
    }
    let schema = Schema::identity_v1();
    let by_name: BTreeMap<String, ark_bn254::Fr> = (0..8)
        .filter(|i| public.policy.disclose_mask & (1 << i) != 0)
        .map(|i| (schema.slots[i].name.clone(), disclosed[i]))
        .collect();
    let proof = Proof::new(proof.a, proof.b, proof.c).map_err(rejected)?;
    ProofEnvelope::new(
        request,
        circuit_id,
        path.root,
        nf,
        by_name,
        opening,
        public.to_field_elements(),
        proof,
    )
    .map_err(rejected)
}

/// Writes the envelope and the snarkjs files into `out`.
pub fn write_proof(out: &Path, envelope: &ProofEnvelope) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    // An envelope that opens the name carries the holder's real name: private until sent.
    let mode = if envelope.name_opening.is_some() {
        0o600
    } else {
        0o644
    };
    files::write(&out.join("zkcred-proof.json"), &envelope.to_json(), mode)?;
    files::write_public(&out.join("proof.json"), &proof_to_json(&envelope.proof))?;
    files::write_public(
        &out.join("public.json"),
        &public_inputs_to_json(&envelope.public),
    )?;
    Ok(())
}

/// Runs `zkcred prove`.
pub fn run(a: Args) -> Result<()> {
    let request = read_request(&a.request)?;
    let credential_text = files::read_text(&a.credential, "credential")?;
    let credential = Credential::from_json(&credential_text).map_err(|e| {
        malformed(anyhow::anyhow!(
            "credential {}: {e}",
            a.credential.display()
        ))
    })?;
    let secret = read_key(&a.secret)?;
    let path_text = files::read_text(&a.path, "path")?;
    let path = PathDocument::from_json(&path_text)
        .map_err(|e| malformed(anyhow::anyhow!("path {}: {e}", a.path.display())))?;
    let (prover, id) = load_prover_timed(&a.keys, a.revalidate, a.timings)?;
    let envelope = prove(
        &prover,
        &id,
        &credential,
        &secret,
        &path,
        &request,
        a.timings,
    )?;
    write_proof(&a.out, &envelope)?;
    println!(
        "proof written to {}",
        a.out.join("zkcred-proof.json").display()
    );
    println!(
        "nullifier {}",
        zkcred_core::encoding::fr_to_string(&envelope.nullifier)
    );
    Ok(())
}
