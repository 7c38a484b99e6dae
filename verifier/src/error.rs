//! The verifier's one error type.
//!
//! Every variant is one of three [`ErrorKind`]s, so a caller can tell *malformed input* (the
//! files cannot be read as what they claim to be: bad JSON, a non-canonical number, a point off
//! the curve or outside the subgroup, truncated bytes, the wrong key) from *a rejected
//! statement* (well-formed input whose claim is false or does not answer this verifier's
//! request: an invalid proof, a root that is not anchored or has expired, a date out of the
//! window, the wrong scope or request, a reused nullifier), and both from an *unavailable* store
//! (the verifier's own storage failed, or another process kept it locked past the wait).
//! The CLI maps malformed input to exit code 2, a rejected statement to exit code 1 and an
//! unavailable store to exit code 3.

use thiserror::Error;
use zkcred_core::anchor::AnchorError;
pub use zkcred_core::error::{Classify, ErrorKind};

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong while reading or verifying.
///
/// Messages are one line, name the problem, and never contain secret material (a verifier has
/// none).
#[derive(Debug, Error)]
pub enum Error {
    // ----- Malformed input -----
    /// Text that is not valid JSON of the expected shape.
    #[error("malformed {what}: {detail}")]
    Json {
        /// What was being read (e.g. `verification_key.json`).
        what: &'static str,
        /// serde_json's description, with line and column.
        detail: String,
    },
    /// A number that is not a canonical decimal below its field's modulus.
    #[error("{what}: {value:?} is not a canonical decimal below the BN254 {field} modulus")]
    NonCanonical {
        /// Where the number was.
        what: String,
        /// The offending text (truncated to 80 characters).
        value: String,
        /// `base field (q)` or `scalar field (p)`.
        field: &'static str,
    },
    /// A point whose JSON does not have the affine shape `[x, y, "1"]` (or the point at
    /// infinity's canonical form).
    #[error("{what}: {detail}")]
    PointEncoding {
        /// Which point.
        what: String,
        /// What is wrong with its encoding.
        detail: String,
    },
    /// A point that is not on the curve.
    #[error("{what}: the point is not on the curve")]
    NotOnCurve {
        /// Which point.
        what: String,
    },
    /// A point on the curve but outside the prime-order subgroup.
    #[error("{what}: the point is not in the prime-order subgroup")]
    NotInSubgroup {
        /// Which point.
        what: String,
    },
    /// A proof element at infinity, which an honest prover never produces.
    #[error("proof element {0} is the point at infinity")]
    ProofPointAtInfinity(&'static str),
    /// A verifying key whose points are valid but unsafe: `δ = ±γ`, `δ = ±` the G2 generator
    /// (a `δ` anyone knows), or an `IC` point at infinity (a public input the proof does not
    /// bind).
    #[error("unsafe verifying key: {0}")]
    UnsafeKey(String),
    /// Binary data that does not decode (truncated, trailing bytes, invalid point).
    #[error("{what}: {detail}")]
    Binary {
        /// What was being decoded.
        what: &'static str,
        /// ark-serialize's description.
        detail: String,
    },
    /// A field with a fixed value (`protocol`, `curve`, `type`, `version`, ...) had another.
    #[error("{what}: expected {expected}, found {found}")]
    UnexpectedValue {
        /// Which field.
        what: String,
        /// The value required.
        expected: String,
        /// The value found.
        found: String,
    },
    /// A verifying key or input list for a different number of public inputs.
    #[error("{what} has {found} public inputs, expected {expected}")]
    PublicInputCount {
        /// What was counted.
        what: &'static str,
        /// The number required.
        expected: usize,
        /// The number found.
        found: usize,
    },
    /// A key whose circuit id is not the one named by a file, the request or the proof.
    #[error("wrong key: the verifying key's circuit id is {key}, but {named_by} names {named}")]
    WrongKey {
        /// The id of the key in hand.
        key: String,
        /// What named another id.
        named_by: &'static str,
        /// The id it names.
        named: String,
    },
    /// A request whose `id` is not the hash of its content.
    #[error("request id {stated} does not match its content (expected {computed})")]
    RequestId {
        /// The id in the file.
        stated: String,
        /// The id recomputed from the content.
        computed: String,
    },
    /// A request field (policy, date, scope, ...) that is invalid.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A platform id, `did:key` or platform key file that is malformed.
    #[error("platform identity: {0}")]
    PlatformIdentity(String),
    /// A request's signature does not verify under the key it names.
    #[error("the request's signature does not verify under the key of platform {platform:?}")]
    RequestSignature {
        /// The platform id the request names.
        platform: String,
    },
    /// A signed request asks for a scope of another platform.
    #[error(
        "the request is signed by platform {platform:?} but asks for scope {scope:?}, which is \
         not one of its scopes ({platform}/<label>): refusing it (a nullifier in another \
         platform's scope would link you across platforms)"
    )]
    ScopeNotOwned {
        /// The signing platform's id.
        platform: String,
        /// The scope asked for.
        scope: String,
    },
    /// A policy that does not compile, or another input the core model rejects.
    #[error("{what}: {source}")]
    Core {
        /// What was being read.
        what: &'static str,
        /// The core model's error.
        source: zkcred_core::Error,
    },
    /// A disclosed value that is not a valid value of its attribute.
    #[error("disclosed `{name}`: {reason}")]
    DisclosedValue {
        /// The attribute.
        name: String,
        /// What is wrong with the value.
        reason: String,
    },
    /// The envelope's name opening is not a valid name (control characters, empty, too long).
    #[error("name opening: {0}")]
    NameOpeningMalformed(String),
    /// The anchor ledger could not be read or is corrupt.
    #[error("anchor ledger: {0}")]
    Anchors(AnchorError),
    /// One item of a batch cannot be checked at all (e.g. it has the wrong number of public
    /// inputs). Its class is the class of `source`.
    #[error("batch item #{index}: {source}")]
    BatchItem {
        /// The item's position in the batch.
        index: usize,
        /// What is wrong with it.
        source: Box<Error>,
    },

    // ----- Rejected statements -----
    /// The Groth16 proof does not verify.
    #[error("invalid proof: the Groth16 pairing check fails for the request's public inputs")]
    InvalidProof,
    /// The envelope's `public` array differs from the inputs recomputed from the request.
    #[error("public inputs do not match the request (first difference at input #{index})")]
    PublicInputsMismatch {
        /// The first differing input's index.
        index: usize,
    },
    /// The proof answers another request.
    #[error("wrong request: the proof answers request {found}, this request is {expected}")]
    WrongRequest {
        /// This verifier's request id.
        expected: String,
        /// The envelope's request id.
        found: String,
    },
    /// The proof is for another scope, message or date than the request's.
    #[error("wrong {field}: the request has {expected:?}, the proof has {found:?}")]
    RequestFieldMismatch {
        /// `scope`, `message` or `date`.
        field: &'static str,
        /// The request's value.
        expected: String,
        /// The envelope's value.
        found: String,
    },
    /// The request date is more than one day from the verifier's date.
    #[error("request date {date} is {direction} the verifier's date {today} by more than 1 day")]
    DateOutOfWindow {
        /// The request's date.
        date: String,
        /// The verifier's date.
        today: String,
        /// `after` (in the future) or `before` (too old).
        direction: &'static str,
    },
    /// The root is not anchored, or was superseded longer ago than the window.
    #[error("root rejected: {0}")]
    Root(AnchorError),
    /// The disclosed values do not answer the request's disclosure list.
    #[error("disclosure does not match the request: {0}")]
    Disclosure(String),
    /// The request asks for the name, and the envelope carries no name opening.
    #[error("the request asks for the holder's name, and the proof carries no name opening")]
    NameOpeningMissing,
    /// The envelope carries a name opening the request does not ask for.
    #[error("the proof carries a name opening, and the request does not ask for the name")]
    NameOpeningNotAsked,
    /// `H(pack(name), t)` is not the proof's name disclosure: the name or `t` was changed.
    #[error(
        "the name opening does not open the proof's name disclosure: the name or t was changed"
    )]
    NameOpeningMismatch,
    /// The nullifier was already used in this scope.
    #[error("nullifier already used in scope {scope:?}")]
    NullifierReused {
        /// The scope string.
        scope: String,
    },

    // ----- Internal -----
    /// The nullifier store failed.
    #[error("nullifier store: {0}")]
    Store(String),
    /// Another process kept the nullifier store open (locked) for longer than the wait allowed.
    #[error(
        "nullifier store {path} is in use by another process (gave up waiting for its lock after {waited_ms} ms)"
    )]
    StoreBusy {
        /// The store's file.
        path: String,
        /// How long this process waited, in milliseconds.
        waited_ms: u128,
    },
}

impl Classify for Error {
    fn kind(&self) -> ErrorKind {
        Error::kind(self)
    }
}

impl Error {
    /// Which of the three classes this error belongs to.
    pub fn kind(&self) -> ErrorKind {
        use Error::*;
        match self {
            Json { .. }
            | NonCanonical { .. }
            | PointEncoding { .. }
            | NotOnCurve { .. }
            | NotInSubgroup { .. }
            | ProofPointAtInfinity(_)
            | UnsafeKey(_)
            | Binary { .. }
            | UnexpectedValue { .. }
            | PublicInputCount { .. }
            | WrongKey { .. }
            | RequestId { .. }
            | InvalidRequest(_)
            | PlatformIdentity(_)
            | Core { .. }
            | DisclosedValue { .. }
            | NameOpeningMalformed(_)
            | Anchors(_) => ErrorKind::Malformed,
            InvalidProof
            | PublicInputsMismatch { .. }
            | WrongRequest { .. }
            | RequestFieldMismatch { .. }
            | DateOutOfWindow { .. }
            | Root(_)
            | Disclosure(_)
            | NameOpeningMissing
            | NameOpeningNotAsked
            | NameOpeningMismatch
            | NullifierReused { .. }
            | RequestSignature { .. }
            | ScopeNotOwned { .. } => ErrorKind::Rejected,
            Store(_) | StoreBusy { .. } => ErrorKind::Unavailable,
            BatchItem { source, .. } => source.kind(),
        }
    }

    /// A stable, machine-readable name for this error (snake case), for services and scripts
    /// that answer or branch on the reason: `invalid_proof`, `duplicate`, `root_rejected`, ...
    /// (the full list is in docs/service.md). A [`Error::BatchItem`] has its item's code.
    pub fn code(&self) -> &'static str {
        use Error::*;
        match self {
            Json { .. } => "malformed_json",
            NonCanonical { .. } => "non_canonical_value",
            PointEncoding { .. } => "bad_point_encoding",
            NotOnCurve { .. } => "point_not_on_curve",
            NotInSubgroup { .. } => "point_not_in_subgroup",
            ProofPointAtInfinity(_) => "point_at_infinity",
            UnsafeKey(_) => "unsafe_key",
            Binary { .. } => "bad_binary",
            UnexpectedValue { .. } => "unexpected_value",
            PublicInputCount { .. } => "public_input_count",
            WrongKey { .. } => "wrong_key",
            RequestId { .. } => "request_id_mismatch",
            InvalidRequest(_) => "invalid_request",
            PlatformIdentity(_) => "platform_identity",
            Core { .. } => "invalid_value",
            DisclosedValue { .. } => "bad_disclosed_value",
            NameOpeningMalformed(_) => "bad_name_opening",
            Anchors(_) => "anchor_ledger",
            InvalidProof => "invalid_proof",
            PublicInputsMismatch { .. } => "public_inputs_mismatch",
            WrongRequest { .. } => "wrong_request",
            RequestFieldMismatch { .. } => "request_field_mismatch",
            DateOutOfWindow { .. } => "date_out_of_window",
            Root(_) => "root_rejected",
            Disclosure(_) => "disclosure_mismatch",
            NameOpeningMissing => "name_opening_missing",
            NameOpeningNotAsked => "name_opening_not_asked",
            NameOpeningMismatch => "name_opening_mismatch",
            NullifierReused { .. } => "duplicate",
            RequestSignature { .. } => "bad_request_signature",
            ScopeNotOwned { .. } => "scope_not_owned",
            Store(_) => "store_failure",
            StoreBusy { .. } => "store_busy",
            BatchItem { source, .. } => source.code(),
        }
    }

    /// Whether the input was malformed (CLI exit code 2), as opposed to a well-formed statement
    /// that is false or rejected (exit code 1) or an internal failure.
    pub fn is_malformed(&self) -> bool {
        self.kind() == ErrorKind::Malformed
    }

    /// Whether a well-formed statement was rejected (CLI exit code 1).
    pub fn is_rejected(&self) -> bool {
        self.kind() == ErrorKind::Rejected
    }

    pub(crate) fn json(what: &'static str, e: serde_json::Error) -> Self {
        Error::Json {
            what,
            detail: e.to_string(),
        }
    }

    pub(crate) fn unexpected(
        what: impl Into<String>,
        expected: impl std::fmt::Display,
        found: impl std::fmt::Display,
    ) -> Self {
        Error::UnexpectedValue {
            what: what.into(),
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }
}

impl From<redb::Error> for Error {
    fn from(e: redb::Error) -> Self {
        Error::Store(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_class_and_a_one_line_message() {
        let s = || "x".to_string();
        let malformed = [
            Error::Json {
                what: "proof.json",
                detail: s(),
            },
            Error::NonCanonical {
                what: s(),
                value: s(),
                field: "base field (q)",
            },
            Error::PointEncoding {
                what: s(),
                detail: s(),
            },
            Error::NotOnCurve { what: s() },
            Error::NotInSubgroup { what: s() },
            Error::ProofPointAtInfinity("pi_a"),
            Error::UnsafeKey(s()),
            Error::Binary {
                what: "proof",
                detail: s(),
            },
            Error::unexpected("curve", "bn128", "bls"),
            Error::PublicInputCount {
                what: "key",
                expected: 34,
                found: 3,
            },
            Error::WrongKey {
                key: s(),
                named_by: "the request",
                named: s(),
            },
            Error::RequestId {
                stated: s(),
                computed: s(),
            },
            Error::InvalidRequest(s()),
            Error::Core {
                what: "policy",
                source: zkcred_core::Error::Policy(s()),
            },
            Error::DisclosedValue {
                name: s(),
                reason: s(),
            },
            Error::NameOpeningMalformed(s()),
            Error::Anchors(AnchorError::NotAnchored(s())),
        ];
        let rejected = [
            Error::InvalidProof,
            Error::PublicInputsMismatch { index: 3 },
            Error::WrongRequest {
                expected: s(),
                found: s(),
            },
            Error::RequestFieldMismatch {
                field: "scope",
                expected: s(),
                found: s(),
            },
            Error::DateOutOfWindow {
                date: s(),
                today: s(),
                direction: "after",
            },
            Error::Root(AnchorError::NotAnchored(s())),
            Error::Disclosure(s()),
            Error::NameOpeningMissing,
            Error::NameOpeningNotAsked,
            Error::NameOpeningMismatch,
            Error::NullifierReused { scope: s() },
        ];
        for e in &malformed {
            assert!(e.is_malformed() && !e.is_rejected(), "{e}");
        }
        for e in &rejected {
            assert!(e.is_rejected() && !e.is_malformed(), "{e}");
        }
        let internal = Error::Store(s());
        assert_eq!(internal.kind(), ErrorKind::Unavailable);
        let busy = Error::StoreBusy {
            path: s(),
            waited_ms: 10_000,
        };
        assert_eq!(busy.kind(), ErrorKind::Unavailable);
        let item = |source| Error::BatchItem {
            index: 4,
            source: Box::new(source),
        };
        assert!(item(Error::PublicInputCount {
            what: "key",
            expected: 34,
            found: 3,
        })
        .is_malformed());
        assert!(item(Error::InvalidProof).is_rejected());
        assert_eq!(item(Error::Store(s())).kind(), ErrorKind::Unavailable);
        for e in malformed.iter().chain(&rejected).chain([&internal, &busy]) {
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        assert_eq!(
            Error::PublicInputsMismatch { index: 3 }.to_string(),
            "public inputs do not match the request (first difference at input #3)"
        );
    }
}
