//! Errors of the issuer.

use std::path::PathBuf;
use thiserror::Error;
use zkcred_core::anchor::AnchorError;
use zkcred_core::error::{Classify, ErrorKind};

/// Everything that can go wrong in the issuer.
///
/// Bad input (attributes, bulk lines, credential files) is kept apart from problems of the
/// database itself; no variant carries secret material.
#[derive(Debug, Error)]
pub enum IssuerError {
    /// The embedded database failed (I/O, locking, storage).
    #[error("issuer database: {0}")]
    Database(#[source] Box<redb::Error>),
    /// Another process kept the database open (locked) for longer than the wait allowed.
    #[error(
        "issuer database {path} is in use by another process (gave up waiting for its lock after {waited_ms} ms)"
    )]
    Locked {
        /// The file.
        path: PathBuf,
        /// How long this process waited, in milliseconds.
        waited_ms: u128,
    },
    /// `init` was asked to create a database where a file already exists.
    #[error("{0} already exists; refusing to overwrite it (open it instead)")]
    AlreadyExists(PathBuf),
    /// `open` was asked for a database that does not exist.
    #[error("issuer database {0} does not exist (create it with init)")]
    NotFound(PathBuf),
    /// The file exists but is not a zkcred issuer database.
    #[error("{path} is not a zkcred issuer database: {reason}")]
    NotAnIssuerDb {
        /// The file.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
    /// The database was written by an incompatible version of this crate.
    #[error(
        "issuer database {path} has format version {found}; this build reads version {supported}"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// A value stored in the database is malformed (the file was damaged or edited).
    #[error("issuer database is corrupt: {0}")]
    Corrupt(String),
    /// A leaf index that was never issued.
    #[error("leaf index {0} was never issued")]
    NeverIssued(u64),
    /// A credential that is already revoked.
    #[error("the credential at leaf index {0} is already revoked")]
    AlreadyRevoked(u64),
    /// A leaf index beyond the tree's capacity.
    #[error("leaf index {0} is beyond the tree's 4^16 leaves")]
    IndexOutOfRange(u64),
    /// The tree has no room for the credentials to issue.
    #[error(
        "the tree is full: {requested} more leaves requested at index {next}, capacity is 4^16"
    )]
    TreeFull {
        /// The next free index.
        next: u64,
        /// How many leaves were to be appended.
        requested: u64,
    },
    /// The attributes do not fit the schema (from the native model).
    #[error("attributes: {0}")]
    Attributes(#[from] zkcred_core::Error),
    /// A bulk input line is not valid JSON or not an object with a valid `hpk`.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// A bulk input line was rejected; nothing of its batch was committed.
    #[error("line {line}: {source}")]
    BulkLine {
        /// 1-based line number in the input.
        line: u64,
        /// What is wrong with the line.
        #[source]
        source: Box<IssuerError>,
    },
    /// A bulk issuance stopped; the batches committed before it remain.
    #[error("bulk issuance stopped after committing {committed} credentials: {source}")]
    BulkStopped {
        /// Credentials durably committed by this call before it stopped.
        committed: u64,
        /// Why it stopped.
        #[source]
        source: Box<IssuerError>,
    },
    /// Reading the bulk input or writing to the credential sink failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A credential file was refused.
    #[error("credential: {0}")]
    Credential(#[from] zkcred_core::credential::CredentialError),
    /// The tree cannot be published as it is.
    #[error("publish: {0}")]
    Publish(String),
    /// The anchor ledger failed.
    #[error("anchor: {0}")]
    Anchor(#[from] AnchorError),
    /// The issuer DID given at `init` is not one this database can stand for.
    #[error("issuer DID: {0}")]
    Did(String),
    /// A chain issuer (`did:pkh`) was asked to anchor in a ledger file without its account key:
    /// only that account signs its ledger entries.
    #[error("issuer {0} is a chain account: its ledger entries are signed with the account key (--signer)")]
    ChainIssuer(String),
    /// A ledger entry was to be signed by a key that is not the issuer's.
    #[error("the signing key is {signer}, not issuer {issuer}")]
    SignerMismatch {
        /// The issuer's DID.
        issuer: String,
        /// The DID of the key given.
        signer: String,
    },
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for IssuerError {
            fn from(e: $t) -> Self {
                IssuerError::Database(Box::new(e.into()))
            }
        }
    )*};
}

from_redb!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

impl Classify for IssuerError {
    /// Bad input (attributes, bulk lines, a missing or foreign database file, an index out of
    /// range) is malformed; a locked or failing database is unavailable; the rest (never
    /// issued, already revoked, a full tree, a refused anchor, a failed write) is a refusal.
    fn kind(&self) -> ErrorKind {
        use IssuerError::*;
        match self {
            Attributes(_)
            | Json(_)
            | BulkLine { .. }
            | NotAnIssuerDb { .. }
            | NotFound(_)
            | AlreadyExists(_)
            | IndexOutOfRange(_)
            | UnsupportedVersion { .. }
            | Did(_)
            | ChainIssuer(_)
            | SignerMismatch { .. }
            | Credential(_) => ErrorKind::Malformed,
            BulkStopped { source, .. } if matches!(**source, BulkLine { .. }) => {
                ErrorKind::Malformed
            }
            Locked { .. } | Database(_) => ErrorKind::Unavailable,
            _ => ErrorKind::Rejected,
        }
    }
}

impl IssuerError {
    /// For a stopped bulk issuance, how many credentials it committed; `None` for other errors.
    pub fn committed(&self) -> Option<u64> {
        match self {
            IssuerError::BulkStopped { committed, .. } => Some(*committed),
            _ => None,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = IssuerError> = std::result::Result<T, E>;
