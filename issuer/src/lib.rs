//! The zkcred issuer: a durable 4-ary Poseidon Merkle tree of credentials.
//!
//! The issuer (the identity authority) keeps its tree in one [redb] file ([`IssuerDb`]), issues
//! credentials into it one at a time ([`IssuerDb::issue`]; [`IssuerDb::issue_to`] delivers the
//! credential durably before its leaf commits) or in bulk from JSON lines
//! ([`IssuerDb::issue_bulk`]), revokes them ([`IssuerDb::revoke`]), serves Merkle paths
//! ([`IssuerDb::path_json`]), anchors roots ([`IssuerDb::anchor`]) and publishes the tree as
//! static files from which holders compute their own paths ([`IssuerDb::publish`]). The tree is
//! `zkcred_core::tree`'s: depth 16, node `H(c0, c1, c2, c3)`, empty subtrees as zero hashes.
//!
//! Every change is one write transaction covering the leaves, their ancestors, the records and
//! the counters, so a crash never loses a committed credential or leaves a half-updated tree, and
//! opening recomputes nothing (see [`db`] and [`bulk`]); [`IssuerDb::verify_tree`] checks the
//! whole stored tree. The file layout is in [`tables`] and [`record`]; the credential and path
//! files it writes are `zkcred_core`'s ([`Credential`], [`PathDocument`]), shared with the holder.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bulk;
mod check;
pub mod db;
mod draft;
pub mod error;
pub mod publish;
pub mod record;
pub mod sink;
pub mod tables;
pub mod tree;

pub use bulk::{BulkOptions, BulkReport};
pub use db::{IssuedCredential, IssuerDb};
pub use error::{IssuerError, Result};
pub use publish::PublishReport;
pub use record::CredentialRecord;
pub use sink::{CredentialFile, CredentialSink, FileSink, JsonLinesSink};
pub use zkcred_core::credential::{Credential, CredentialError};
pub use zkcred_core::path_document::PathDocument;
