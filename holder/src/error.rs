//! The holder's one error type.
//!
//! Every variant is one of the three [`ErrorKind`]s: *malformed* input (a file that is not what
//! it claims, pieces that do not belong together, a wallet that is not there), a *rejected*
//! request or claim (an unsigned request not allowed, a scope of another platform, a pinned
//! platform's key that changed, a claim the credential does not satisfy, a revoked credential),
//! and an *unavailable* resource (a file system or tree server that failed). No variant carries
//! the holder secret.

use std::path::PathBuf;
use thiserror::Error;
use zkcred_core::error::{Classify, ErrorKind};

/// Shorthand for results of this crate.
pub type Result<T, E = HolderError> = std::result::Result<T, E>;

/// What can go wrong in the wallet.
#[derive(Debug, Error)]
pub enum HolderError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file (credential, path, key, pins, cache) is malformed; names it and why.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// There is no wallet where one was expected.
    #[error("no wallet at {0} (create one with `zkcred holder init`)")]
    NoWallet(PathBuf),
    /// `init` found a wallet already there.
    #[error("{0} already holds a wallet secret; refusing to overwrite it")]
    WalletExists(PathBuf),
    /// Credential, secret, path and keys do not belong together; says which.
    #[error("{0}")]
    Mismatch(String),
    /// The wallet lacks something the request needs (a credential, keys, a synced path).
    #[error("{0}")]
    Missing(String),
    /// The keys directory could not be used.
    #[error(transparent)]
    Keys(#[from] zkcred_prover::keys::KeysError),
    /// A request, platform key or proof document was refused by the verifier's rules.
    #[error(transparent)]
    Verifier(#[from] zkcred_verifier::Error),
    /// A value refused by the native model.
    #[error(transparent)]
    Core(#[from] zkcred_core::Error),
    /// The credential does not satisfy the request; the message names the claim and attribute.
    #[error("cannot prove: {0}")]
    Unsatisfied(String),
    /// Proving failed for another reason than an unsatisfied claim (a broken key).
    #[error(transparent)]
    Prove(zkcred_prover::ProveError),
    /// An unsigned request, without the holder's explicit permission.
    #[error(
        "the request is not signed by its platform: anyone could have written it, for any \
         platform's scope; refusing it (pass --allow-unsigned to prove it anyway)"
    )]
    Unsigned,
    /// The platform's key differs from the one pinned for its id on first use.
    #[error(
        "platform {platform:?} signed this request with {presented}, but you pinned {pinned} for \
         it on {since}: refusing it (someone may be impersonating the platform; if it really \
         changed its key, remove the pin with `zkcred holder forget {platform}`)"
    )]
    PinMismatch {
        /// The platform id.
        platform: String,
        /// The pinned key.
        pinned: String,
        /// The key on the request.
        presented: String,
        /// When it was pinned (YYYY-MM-DD).
        since: String,
    },
    /// The holder did not confirm.
    #[error("{0}")]
    NotConfirmed(String),
    /// A tree server could not be reached or answered with an error.
    #[error("fetching {url}: {reason}")]
    Fetch {
        /// What was fetched.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// A published tree is inconsistent, not anchored, or no longer holds the credential.
    #[error("sync: {0}")]
    Sync(String),
}

impl HolderError {
    /// A closure naming `path` in an I/O error.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| HolderError::Io { path, source }
    }

    /// A malformed-file error.
    pub fn file(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        HolderError::File {
            path: path.into(),
            reason: reason.to_string(),
        }
    }
}

impl Classify for HolderError {
    fn kind(&self) -> ErrorKind {
        use HolderError::*;
        match self {
            Io { source, .. } if source.kind() != std::io::ErrorKind::NotFound => {
                ErrorKind::Unavailable
            }
            Io { .. } | File { .. } | NoWallet(_) | WalletExists(_) | Mismatch(_) | Missing(_) => {
                ErrorKind::Malformed
            }
            Keys(e) => e.kind(),
            Verifier(e) => e.kind(),
            Core(e) => e.kind(),
            Prove(e) => e.kind(),
            Unsatisfied(_) | Unsigned | PinMismatch { .. } | NotConfirmed(_) => ErrorKind::Rejected,
            Fetch { .. } => ErrorKind::Unavailable,
            Sync(_) => ErrorKind::Rejected,
        }
    }
}
