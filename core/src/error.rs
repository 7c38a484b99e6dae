//! Errors of the native model.

use thiserror::Error;

/// What an error says about its input, the same for every zkcred library: callers (the CLI's
/// exit codes, the service's HTTP statuses) map this, never the variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input cannot be read as what it claims to be (bad JSON, a truncated key, a point
    /// not on the curve, a value out of range, wrong usage).
    Malformed,
    /// The input is well formed, but its statement is false or was refused (an invalid proof,
    /// an unsatisfied claim, a reused nullifier, a scope the holder did not consent to).
    Rejected,
    /// A store or a resource could not be used (locked past the wait, storage failure);
    /// nothing is known about the input, and retrying later may succeed.
    Unavailable,
}

/// An error that knows its [`ErrorKind`].
pub trait Classify {
    /// What this error says about the input.
    fn kind(&self) -> ErrorKind;
}

/// Everything that can be wrong with an input to the native model.
///
/// Each variant names the problem; none of them carries secret material.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// A field element was not a canonical decimal string below the BN254 scalar modulus.
    #[error("invalid field element {0:?}: expected a decimal integer below the BN254 scalar field modulus")]
    FieldElement(String),
    /// A numeric attribute was not below 2^64.
    #[error("attribute `{name}` must be an integer below 2^64, got {value}")]
    NumericOutOfRange {
        /// The attribute's name.
        name: String,
        /// The offending value, in decimal.
        value: String,
    },
    /// An attribute was given a value that does not fit its schema encoding.
    #[error("attribute `{name}`: {reason}")]
    AttributeValue {
        /// The attribute's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An attribute name that the schema does not define.
    #[error("unknown attribute `{0}` (not in the schema)")]
    UnknownAttribute(String),
    /// A date that is not a valid calendar date or relative date expression.
    #[error("invalid date {0:?}: expected YYYY-MM-DD, YYYYMMDD, `today` or `today-18y`-style")]
    Date(String),
    /// A name that cannot be committed to.
    #[error("invalid name: {0}")]
    Name(String),
    /// A schema that is malformed or inconsistent.
    #[error("invalid schema: {0}")]
    Schema(String),
    /// A policy that is malformed, impossible or ambiguous.
    #[error("invalid policy: {0}")]
    Policy(String),
    /// A set predicate on a slot the circuit's 3 slot bits cannot name.
    #[error("set predicate on slot {0}: the slots are 0 to 7")]
    SetSlot(usize),
    /// A set predicate with no values or more than the circuit's 8 set inputs.
    #[error("a set predicate takes 1 to 8 values, got {0}")]
    SetSize(usize),
    /// A set mode code other than 0 (off), 1 (in) and 2 (not in).
    #[error("set mode {0}: expected 0 (off), 1 (in) or 2 (not in)")]
    SetMode(u64),
    /// A Merkle path or leaf index that does not fit the tree.
    #[error("invalid tree input: {0}")]
    Tree(String),
    /// A Merkle path file that is malformed or does not lead from its leaf to its root.
    #[error("invalid Merkle path file: {0}")]
    PathDocument(String),
    /// A published-tree file (manifest, top, chunk) that is malformed or inconsistent.
    #[error("published tree: {0}")]
    PublishedTree(String),
    /// Poseidon was asked for an arity it does not have.
    #[error("Poseidon takes 1 to 12 inputs, not {0}")]
    PoseidonArity(usize),
    /// Malformed JSON.
    #[error("malformed JSON: {0}")]
    Json(String),
}

impl Classify for Error {
    /// Every native-model error is about its input.
    fn kind(&self) -> ErrorKind {
        ErrorKind::Malformed
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
