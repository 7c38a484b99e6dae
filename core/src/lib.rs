//! The native model of zkcred.
//!
//! Everything the credential circuit proves is first defined here, in plain Rust over the BN254
//! scalar field: circomlib-compatible [`poseidon`], the 4-ary issuer [`tree`], the holder
//! [`credential`] and its [`schema`], [`policy`] compilation to [`statement::PublicInputs`], and
//! [`statement::check_satisfaction`], which restates every constraint of the circuit natively.
//! [`atomic_file`] is the one way every zkcred file is written. This crate has no R1CS
//! dependencies.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod anchor;
pub mod atomic_file;
pub mod clock;
pub mod credential;
pub mod date;
pub mod did;
pub mod encoding;
pub mod error;
pub mod holder_key;
pub mod lock_wait;
pub mod name;
pub mod nullifier;
pub mod path_document;
pub mod policy;
pub mod poseidon;
pub mod published_tree;
pub mod schema;
pub mod scope;
pub mod statement;
pub mod tree;

pub use ark_bn254::Fr;
pub use error::{Classify, Error, ErrorKind};
