//! Trusted setup for the credential circuit.
//!
//! [`dev`] makes single-party keys: whoever runs it knows the toxic waste and can forge proofs.
//! [`keys`] writes and reads a keys directory (see `docs/formats.md`).
//! [`ceremony`] runs a multi-party phase-2 ceremony on a snarkjs Powers of Tau read by [`ptau`]
//! (see `docs/ceremony.md`): its keys are safe if any one participant was honest.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ceremony;
pub mod dev;
pub mod error;
pub mod keys;
pub mod ptau;

pub use error::SetupError;
