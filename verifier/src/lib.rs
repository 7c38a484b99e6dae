//! The zkcred verifier: decode, validate and verify credential proofs.
//!
//! This crate is deliberately light. It reads snarkjs-compatible keys and proofs
//! ([`snarkjs`]) with full validation, checks Groth16 proofs itself over a prepared key
//! ([`groth16`], [`key`]) with one multi-pairing, many at once with one random linear
//! combination ([`batch`]), and decides whether a proof envelope
//! ([`envelope`]) answers the verifier's own request ([`request`], [`mod@verify`]), recording
//! nullifiers durably ([`nullifiers`]). It has no R1CS dependencies: no `ark-relations`,
//! `ark-r1cs-std`, `ark-crypto-primitives`, `zkcred-circuits`, and no `rayon` unless the
//! `parallel` feature is on. `ark-poly` is the one exception: `ark-ec` 0.6
//! depends on it unconditionally. `ark-groth16` is used only by the tests, to cross-check.
//! docs/verifier.md has the maths and the decisions.
//!
//! Errors ([`Error`]) separate malformed input from rejected statements; see [`error`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod batch;
pub mod decimal;
pub mod envelope;
pub mod error;
pub mod groth16;
pub mod ic_table;
pub mod key;
pub mod keys;
pub mod nullifiers;
pub mod platform;
mod point;
pub mod request;
pub mod snarkjs;
pub mod verify;

pub use batch::{verify_batch, BatchError, BatchOutcome};
pub use envelope::ProofEnvelope;
pub use error::{Error, ErrorKind, Result};
pub use groth16::Proof;
pub use key::{PreparedVerifyingKey, VerifyingKey};
pub use nullifiers::NullifierStore;
pub use platform::{Platform, PlatformKey};
pub use request::Request;
pub use verify::{
    verify, verify_and_record, verify_many, verify_many_and_record, Context, Verified,
};
