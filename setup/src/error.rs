//! Errors of the setup crate.

use std::path::PathBuf;
use thiserror::Error;
use zkcred_core::error::{Classify, ErrorKind};

/// What can go wrong making, writing or reading keys.
#[derive(Debug, Error)]
pub enum SetupError {
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
    InvalidKey {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A verifying key the verifier refuses (a point at infinity, or a `δ` anyone can forge
    /// with: `±γ` or `±` the G2 generator).
    #[error(transparent)]
    InvalidVerifyingKey(zkcred_verifier::Error),
    /// A keys directory could not be read or does not hold valid keys.
    #[error(transparent)]
    Keys(#[from] zkcred_verifier::keys::KeysError),
    /// A key does not belong to the expected circuit.
    #[error("key mismatch: {0}")]
    KeyMismatch(String),
    /// Constraint synthesis failed.
    #[error("constraint synthesis failed: {0}")]
    Synthesis(String),
}

impl Classify for SetupError {
    /// Every setup error names bad input (a file, a key, the circuit).
    fn kind(&self) -> ErrorKind {
        match self {
            SetupError::Keys(e) => e.kind(),
            SetupError::InvalidVerifyingKey(e) => e.kind(),
            _ => ErrorKind::Malformed,
        }
    }
}

impl SetupError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| SetupError::Io { path, source }
    }
}
