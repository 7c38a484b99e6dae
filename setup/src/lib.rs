//! Trusted setup for the credential circuit.
//!
//! [`dev`] makes single-party keys: whoever runs it knows the toxic waste and can forge proofs.
//! [`keys`] writes and reads a keys directory (see `docs/formats.md`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod dev;
pub mod error;
pub mod keys;

pub use error::SetupError;
