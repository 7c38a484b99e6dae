//! The zkcred holder: the wallet every front end (the `zkcred` CLI, a mobile or WASM wallet)
//! builds on.
//!
//! - [`wallet`]: the wallet directory — the secret, imported credentials and keys, synced
//!   paths, pinned platforms — and choosing the credential and keys for a request;
//! - [`consent`]: whose a request is (signature, scope, pinned platform key) and what it
//!   reveals, shown to the holder before proving;
//! - [`sync`] and [`fetch`]: the credential's Merkle path computed from the issuer's published
//!   tree, reading only the top and the one chunk of 65,536 leaves that holds it;
//! - [`prove`]: the witness, the proof and the envelope for a request, and an unsatisfied claim
//!   explained by attribute name.
//!
//! Errors ([`HolderError`]) say whether the input was malformed, the request or claim was
//! refused, or a resource was unavailable ([`zkcred_core::Classify`]). The crate needs the
//! prover, the verifier's formats and the native model; never the issuer's database, the
//! trusted-setup crate or a server (docs/architecture.md).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod consent;
pub mod error;
pub mod fetch;
mod files;
pub mod prove;
pub mod sync;
pub mod wallet;

pub use consent::{PinStatus, Pins, Summary};
pub use error::{HolderError, Result};
pub use fetch::Source;
pub use prove::{prove, write_proof, Material};
pub use sync::{sync, Anchors, SyncReport};
pub use wallet::Wallet;
