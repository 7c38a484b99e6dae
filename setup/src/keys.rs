//! Writing keys directories: `proving_key.bin`, `verification_key.json` and `circuit_id`.
//!
//! Keys are content-addressed: `circuit_id` is the hex SHA-256 of the compressed verifying key.
//! The verifier crate reads the public half (`zkcred_verifier::keys`), the prover crate the
//! proving key, with full validation once, then from its sealed cache (`zkcred_prover::keys`).

use crate::error::SetupError;
use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use ark_serialize::CanonicalSerialize;
use std::fs;
use std::path::Path;
use zkcred_verifier::snarkjs::verifying_key_to_json;
use zkcred_verifier::VerifyingKey;

pub use zkcred_verifier::keys::{
    read_circuit_id, read_verifying_key, CIRCUIT_ID, PROVING_KEY, VERIFICATION_KEY,
};

/// Converts ark-groth16's verifying key to the verifier crate's, with every check of
/// `zkcred_verifier::VerifyingKey::new` (so a key anyone can forge with is refused here, when it
/// is written and when it is read).
pub fn verifying_key(vk: &ark_groth16::VerifyingKey<Bn254>) -> Result<VerifyingKey, SetupError> {
    VerifyingKey::new(
        vk.alpha_g1,
        vk.beta_g2,
        vk.gamma_g2,
        vk.delta_g2,
        vk.gamma_abc_g1.clone(),
    )
    .map_err(SetupError::InvalidVerifyingKey)
}

/// Writes `contents` to `path` atomically with Unix `mode` (see `zkcred_core::atomic_file`).
pub fn write_file(path: &Path, contents: &[u8], mode: u32) -> Result<(), SetupError> {
    zkcred_core::atomic_file::write(path, contents, mode).map_err(SetupError::io(path))
}

/// Writes a keys directory for `pk`; returns the circuit id.
pub fn write_keys(dir: &Path, pk: &ProvingKey<Bn254>) -> Result<String, SetupError> {
    let vk = verifying_key(&pk.vk)?;
    fs::create_dir_all(dir).map_err(SetupError::io(dir))?;
    let id = vk.circuit_id();
    let mut bytes = Vec::with_capacity(pk.compressed_size());
    pk.serialize_compressed(&mut bytes)
        .map_err(|e| SetupError::Synthesis(e.to_string()))?;
    write_file(&dir.join(PROVING_KEY), &bytes, 0o600)?;
    write_file(
        &dir.join(VERIFICATION_KEY),
        verifying_key_to_json(&vk).as_bytes(),
        0o644,
    )?;
    write_file(&dir.join(CIRCUIT_ID), format!("{id}\n").as_bytes(), 0o644)?;
    Ok(id)
}
