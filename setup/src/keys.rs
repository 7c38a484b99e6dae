//! Keys directories: `proving_key.bin`, `verification_key.json` and `circuit_id`.
//!
//! Keys are content-addressed: `circuit_id` is the hex SHA-256 of the compressed verifying key.
//! Reading recomputes it and refuses a key whose id differs from the `circuit_id` file. The
//! proving key is read with full validation (every point on the curve and in the subgroup).

use crate::error::SetupError;
use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use std::fs;
use std::path::{Path, PathBuf};
use zkcred_verifier::snarkjs::{verifying_key_from_json, verifying_key_to_json};
use zkcred_verifier::VerifyingKey;

/// The proving key's file name.
pub const PROVING_KEY: &str = "proving_key.bin";
/// The snarkjs verifying key's file name.
pub const VERIFICATION_KEY: &str = "verification_key.json";
/// The circuit id's file name.
pub const CIRCUIT_ID: &str = "circuit_id";

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

fn read(path: PathBuf) -> Result<Vec<u8>, SetupError> {
    fs::read(&path).map_err(SetupError::io(path))
}

/// Reads the `circuit_id` file.
pub fn read_circuit_id(dir: &Path) -> Result<String, SetupError> {
    let path = dir.join(CIRCUIT_ID);
    let text = String::from_utf8(read(path.clone())?).map_err(|_| SetupError::InvalidKey {
        path: path.clone(),
        reason: "not UTF-8".into(),
    })?;
    let id = text.trim();
    if id.len() != 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(SetupError::InvalidKey {
            path,
            reason: "expected 64 lowercase hex digits".into(),
        });
    }
    Ok(id.to_string())
}

fn check_id(dir: &Path, actual: &str) -> Result<(), SetupError> {
    let named = read_circuit_id(dir)?;
    if named != actual {
        return Err(SetupError::KeyMismatch(format!(
            "{} names circuit {named} but the key is circuit {actual}",
            dir.join(CIRCUIT_ID).display()
        )));
    }
    Ok(())
}

/// Reads and validates the proving key; returns it with its circuit id.
pub fn read_proving_key(dir: &Path) -> Result<(ProvingKey<Bn254>, String), SetupError> {
    let path = dir.join(PROVING_KEY);
    let bytes = read(path.clone())?;
    let pk = decode_proving_key(&bytes).map_err(|reason| SetupError::InvalidKey {
        path: path.clone(),
        reason,
    })?;
    let id = verifying_key(&pk.vk)
        .map_err(|e| SetupError::InvalidKey {
            path,
            reason: e.to_string(),
        })?
        .circuit_id();
    check_id(dir, &id)?;
    Ok((pk, id))
}

/// Decodes `proving_key.bin` bytes: the compressed key, every point on the curve and in the
/// prime-order subgroup, no trailing bytes. The error says what is wrong.
pub fn decode_proving_key(bytes: &[u8]) -> Result<ProvingKey<Bn254>, String> {
    // Decode without checks, then check every point (on the curve, in the prime-order subgroup)
    // in parallel: the same validation as `deserialize_compressed`, on all cores.
    let pk = ProvingKey::<Bn254>::deserialize_compressed_unchecked(bytes)
        .map_err(|e| format!("{e} (truncated, corrupt or not a zkcred proving key)"))?;
    validate(&pk).map_err(|what| {
        format!("{what}: a point is not on the curve or not in the prime-order subgroup")
    })?;
    if pk.compressed_size() != bytes.len() {
        return Err("trailing bytes after the key".into());
    }
    Ok(pk)
}

/// Checks every point of `pk` (in parallel); names the first part that fails.
fn validate(pk: &ProvingKey<Bn254>) -> Result<(), &'static str> {
    use ark_serialize::Valid;
    use rayon::prelude::*;
    fn all<T: Valid + Sync>(xs: &[T], what: &'static str) -> Result<(), &'static str> {
        xs.par_iter().try_for_each(|x| x.check()).map_err(|_| what)
    }
    let vk = &pk.vk;
    all(
        &[vk.alpha_g1, pk.beta_g1, pk.delta_g1],
        "alpha/beta/delta in G1",
    )?;
    all(
        &[vk.beta_g2, vk.gamma_g2, vk.delta_g2],
        "beta/gamma/delta in G2",
    )?;
    all(&vk.gamma_abc_g1, "gamma_abc_g1")?;
    all(&pk.a_query, "a_query")?;
    all(&pk.b_g1_query, "b_g1_query")?;
    all(&pk.b_g2_query, "b_g2_query")?;
    all(&pk.h_query, "h_query")?;
    all(&pk.l_query, "l_query")
}

/// Reads and validates `verification_key.json` against the directory's `circuit_id`.
pub fn read_verifying_key(dir: &Path) -> Result<VerifyingKey, SetupError> {
    let path = dir.join(VERIFICATION_KEY);
    let bytes = read(path.clone())?;
    let text = String::from_utf8(bytes).map_err(|_| SetupError::InvalidKey {
        path: path.clone(),
        reason: "not UTF-8".into(),
    })?;
    let vk =
        verifying_key_from_json(&text, zkcred_core::statement::NUM_PUBLIC_INPUTS).map_err(|e| {
            SetupError::InvalidKey {
                path,
                reason: e.to_string(),
            }
        })?;
    check_id(dir, &vk.circuit_id())?;
    Ok(vk)
}
