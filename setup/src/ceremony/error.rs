//! Errors of the ceremony: bad input (files, arguments) and failed checks, each naming what is
//! wrong and, for a contribution, its index.

use crate::ptau::PtauError;
use crate::SetupError;
use std::fmt;
use std::path::PathBuf;
use thiserror::Error;

/// One of the two queries a contribution rescales.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Query {
    /// `h_query`: `τ^i·Z(τ)/δ · G1`.
    H,
    /// `l_query`: `(β·u_j(τ) + α·v_j(τ) + w_j(τ))/δ · G1` for each witness variable `j`.
    L,
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Query::H => "H",
            Query::L => "L",
        })
    }
}

/// What can go wrong running or verifying a ceremony.
#[derive(Debug, Error)]
pub enum CeremonyError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The Powers of Tau file is malformed, too small or inconsistent.
    #[error("phase 1: {0}")]
    Ptau(#[from] PtauError),
    /// Writing the final keys failed.
    #[error(transparent)]
    Keys(#[from] SetupError),
    /// Constraint synthesis of the circuit failed.
    #[error("constraint synthesis failed: {0}")]
    Synthesis(String),
    /// An argument is invalid (name, beacon, iterations).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// `init` was pointed at a directory that already holds a ceremony.
    #[error("{0} already holds a ceremony")]
    AlreadyInitialized(PathBuf),
    /// The transcript file is missing, not JSON or not of this version.
    #[error("transcript: {0}")]
    InvalidTranscript(String),
    /// The transcript is for another circuit than the one this build proves.
    #[error("the ceremony is for another circuit: {0}")]
    CircuitMismatch(String),
    /// A step that needs an open ceremony found it sealed by a beacon.
    #[error("the ceremony is sealed by a beacon: no contribution can follow")]
    Sealed,
    /// A step that needs a sealed ceremony found no beacon.
    #[error("the ceremony is not sealed: run the beacon step first")]
    NotSealed,
    /// The transcript has no participant's contribution, only init (and perhaps the beacon): the
    /// key's `δ` would be `1` times the beacon's public scalar, so anyone could forge proofs.
    #[error(
        "no secret contribution: δ would be derived only from public values (init's δ = 1, the \
         beacon's public secret), so anyone could forge proofs with these keys; at least one \
         participant must contribute before the beacon"
    )]
    NoSecretContribution,
    /// A params file is truncated, malformed or holds an invalid point.
    #[error("params of contribution {index}: {reason}")]
    InvalidParams {
        /// The contribution index.
        index: u32,
        /// What is wrong.
        reason: String,
    },
    /// The transcript's contributions are not in order.
    #[error(
        "contribution {found} is recorded at position {position}: contributions are out of order"
    )]
    OutOfOrder {
        /// The position in the transcript.
        position: usize,
        /// The index recorded there.
        found: u32,
    },
    /// A contribution is missing from the transcript.
    #[error("contribution {index} is missing from the transcript")]
    MissingContribution {
        /// The missing index.
        index: u32,
    },
    /// A contribution does not name its predecessor's hash.
    #[error("contribution {index} does not follow contribution {}: hash chain broken", index - 1)]
    HashChainBroken {
        /// The contribution index.
        index: u32,
    },
    /// A contribution's recorded hash is not the hash of its record.
    #[error("contribution {index}: recorded hash differs from the hash of its record")]
    ContributionHashMismatch {
        /// The contribution index.
        index: u32,
    },
    /// A params file is not the one the transcript records.
    #[error("contribution {index}: params file differs from the one recorded in the transcript")]
    ParamsHashMismatch {
        /// The contribution index.
        index: u32,
    },
    /// A transcript record is malformed or of the wrong kind at its place.
    #[error("contribution {index}: malformed record: {reason}")]
    MalformedRecord {
        /// The contribution index.
        index: u32,
        /// What is wrong.
        reason: String,
    },
    /// Contribution 0 is not what the ptau and the circuit give.
    #[error("contribution 0 differs from the key derived from the ptau and the circuit ({part})")]
    InitialMismatch {
        /// The first part that differs.
        part: &'static str,
    },
    /// A contribution changed a part of the key that only contribution 0 may set.
    #[error("contribution {index} changed {part}, which contributions must leave alone")]
    FixedPartChanged {
        /// The contribution index.
        index: u32,
        /// The part that changed.
        part: &'static str,
    },
    /// A contribution's δ is the point at infinity.
    #[error("contribution {index}: δ is zero")]
    DegenerateDelta {
        /// The contribution index.
        index: u32,
    },
    /// `δ·G1` and `δ·G2` have different discrete logarithms.
    #[error("contribution {index}: δ·G1 and δ·G2 do not match")]
    DeltaInconsistent {
        /// The contribution index.
        index: u32,
    },
    /// The proof of knowledge of the contribution's secret does not verify.
    #[error("contribution {index} ({name}): invalid proof of knowledge of its secret")]
    InvalidProofOfKnowledge {
        /// The contribution index.
        index: u32,
        /// The contributor's name.
        name: String,
    },
    /// The beacon contribution does not use the secret derived from the beacon.
    #[error("contribution {index}: the beacon's secret does not match its δ")]
    BeaconMismatch {
        /// The contribution index.
        index: u32,
    },
    /// Neither H nor L is the previous query rescaled by the change of δ.
    #[error("contribution {index}: δ does not match the H and L queries")]
    DeltaDoesNotMatchQueries {
        /// The contribution index.
        index: u32,
    },
    /// One query is rescaled consistently with δ except for the point named.
    #[error("contribution {index}: {query} query point {position} was altered or moved")]
    QueryPointAltered {
        /// The contribution index.
        index: u32,
        /// The query.
        query: Query,
        /// The first point that is wrong.
        position: usize,
    },
}

impl zkcred_core::error::Classify for CeremonyError {
    /// Every ceremony error names bad or tampered input (files, transcript, arguments, order).
    fn kind(&self) -> zkcred_core::error::ErrorKind {
        zkcred_core::error::ErrorKind::Malformed
    }
}

impl CeremonyError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| CeremonyError::Io { path, source }
    }
}
