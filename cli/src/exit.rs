//! Exit codes and how errors map to them.
//!
//! `0` success (for `verify`: the proof is valid); `1` a false or rejected statement (invalid
//! proof, claim not satisfied, nullifier reused, root outside the window) or an operation that
//! failed; `2` malformed input or usage (bad JSON, truncated key, point not on the curve,
//! unknown policy attribute, wrong key for the circuit); `3` a store (issuer database, nullifier
//! store) could not be used: another process kept it locked past the wait (see [`crate::lock`])
//! or its storage failed. Nothing is known about the input then; retrying later may succeed.

use std::fmt;
use zkcred_core::{Classify, ErrorKind};

/// The statement is false or was rejected.
pub const REJECTED: u8 = 1;
/// The input is malformed, or the command was misused.
pub const MALFORMED: u8 = 2;
/// A store could not be opened or used (locked past the wait, storage failure).
pub const UNAVAILABLE: u8 = 3;

/// An error with the exit code it should produce.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// What went wrong.
    pub error: anyhow::Error,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for Failure {}

/// Marks an error as malformed input (exit 2).
pub fn malformed(error: impl Into<anyhow::Error>) -> anyhow::Error {
    Failure {
        code: MALFORMED,
        error: error.into(),
    }
    .into()
}

/// Marks an error as a rejected statement (exit 1).
pub fn rejected(error: impl Into<anyhow::Error>) -> anyhow::Error {
    Failure {
        code: REJECTED,
        error: error.into(),
    }
    .into()
}

/// Marks an error as an unavailable store (exit 3).
pub fn unavailable(error: impl Into<anyhow::Error>) -> anyhow::Error {
    Failure {
        code: UNAVAILABLE,
        error: error.into(),
    }
    .into()
}

/// Marks a library error by its kind: malformed 2, rejected 1, unavailable 3.
pub fn classify<E>(e: E) -> anyhow::Error
where
    E: Classify + std::error::Error + Send + Sync + 'static,
{
    match e.kind() {
        ErrorKind::Malformed => malformed(e),
        ErrorKind::Rejected => rejected(e),
        ErrorKind::Unavailable => unavailable(e),
    }
}

/// The exit code for an error: the innermost [`Failure`]'s, else 1.
pub fn code(error: &anyhow::Error) -> u8 {
    error
        .chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map_or(REJECTED, |f| f.code)
}
