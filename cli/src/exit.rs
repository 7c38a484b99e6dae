//! Exit codes and how errors map to them.
//!
//! `0` success (for `verify`: the proof is valid); `1` a false or rejected statement (invalid
//! proof, claim not satisfied, nullifier reused, root outside the window) or an operation that
//! failed; `2` malformed input or usage (bad JSON, truncated key, point not on the curve,
//! unknown policy attribute, wrong key for the circuit).

use std::fmt;

/// The statement is false or was rejected.
pub const REJECTED: u8 = 1;
/// The input is malformed, or the command was misused.
pub const MALFORMED: u8 = 2;

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

/// The exit code for an error: the innermost [`Failure`]'s, else 1.
pub fn code(error: &anyhow::Error) -> u8 {
    error
        .chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map_or(REJECTED, |f| f.code)
}
