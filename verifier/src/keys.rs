//! Reading a keys directory's public half: `verification_key.json` and `circuit_id`.
//!
//! A keys directory (written by `zkcred setup` or a ceremony's `finalize`) is content-addressed:
//! `circuit_id` is the hex SHA-256 of the compressed verifying key. [`read_verifying_key`]
//! recomputes it and refuses a key whose id differs from the `circuit_id` file. The proving half
//! (`proving_key.bin` and the prover's sealed cache) is read by the prover crate.

use crate::snarkjs::verifying_key_from_json;
use crate::VerifyingKey;
use std::path::{Path, PathBuf};
use thiserror::Error;
use zkcred_core::error::{Classify, ErrorKind};

/// The proving key's file name.
pub const PROVING_KEY: &str = "proving_key.bin";
/// The snarkjs verifying key's file name.
pub const VERIFICATION_KEY: &str = "verification_key.json";
/// The circuit id's file name.
pub const CIRCUIT_ID: &str = "circuit_id";

/// What can go wrong reading a keys directory.
#[derive(Debug, Error)]
pub enum KeysError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A key file is truncated, malformed or fails validation.
    #[error("{path}: invalid key: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A key does not belong to the circuit the directory names.
    #[error("key mismatch: {0}")]
    Mismatch(String),
}

impl Classify for KeysError {
    /// Every key problem is malformed input (a missing file is a usage error).
    fn kind(&self) -> ErrorKind {
        ErrorKind::Malformed
    }
}

impl KeysError {
    /// A closure naming `path` in an I/O error.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| KeysError::Io { path, source }
    }
}

fn read_text(path: &Path) -> Result<String, KeysError> {
    text_of(&std::fs::read(path).map_err(KeysError::io(path))?, path)
}

/// Reads the `circuit_id` file: 64 lowercase hex digits and a newline.
pub fn read_circuit_id(dir: &Path) -> Result<String, KeysError> {
    let path = dir.join(CIRCUIT_ID);
    parse_circuit_id(&read_text(&path)?, &path)
}

/// Parses the text of a `circuit_id` file (read from `path`, for the error).
pub fn parse_circuit_id(text: &str, path: &Path) -> Result<String, KeysError> {
    let id = text.trim();
    if id.len() != 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(KeysError::Invalid {
            path: path.to_path_buf(),
            reason: "expected 64 lowercase hex digits".into(),
        });
    }
    Ok(id.to_string())
}

/// Refuses a key whose circuit id `actual` differs from the one `dir/circuit_id` names.
pub fn check_circuit_id(dir: &Path, actual: &str) -> Result<(), KeysError> {
    let named = read_circuit_id(dir)?;
    if named != actual {
        return Err(KeysError::Mismatch(format!(
            "{} names circuit {named} but the key is circuit {actual}",
            dir.join(CIRCUIT_ID).display()
        )));
    }
    Ok(())
}

/// Reads and validates `verification_key.json` against the directory's `circuit_id`.
pub fn read_verifying_key(dir: &Path) -> Result<VerifyingKey, KeysError> {
    let path = dir.join(VERIFICATION_KEY);
    let vk = parse_verifying_key(&read_text(&path)?, &path)?;
    check_circuit_id(dir, &vk.circuit_id())?;
    Ok(vk)
}

/// Parses and validates the text of a `verification_key.json` (read from `path`, for the
/// error), with zkcred's number of public inputs.
pub fn parse_verifying_key(text: &str, path: &Path) -> Result<VerifyingKey, KeysError> {
    verifying_key_from_json(text, zkcred_core::statement::NUM_PUBLIC_INPUTS).map_err(|e| {
        KeysError::Invalid {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })
}

/// The text of a key file, refused if it is not UTF-8.
pub fn text_of(bytes: &[u8], path: &Path) -> Result<String, KeysError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| KeysError::Invalid {
        path: path.to_path_buf(),
        reason: "not UTF-8".into(),
    })
}
