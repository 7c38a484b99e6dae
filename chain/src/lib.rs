//! zkcred on an EVM chain: the Solidity verifier renderer, bindings to the `RootRegistry` and
//! `ZkcredGate` contracts (`contracts/`), anchoring, root histories and gate submissions.
//!
//! The design and the gas figures are in `docs/chain.md`.
#![deny(missing_docs)]

pub mod anvil;
pub mod artifact;
pub mod bindings;
pub mod client;
pub mod did;
pub mod error;
pub mod gate;
pub mod key;
pub mod render;
pub mod words;

pub use artifact::Artifact;
pub use client::{Chain, GateCall};
pub use error::{ChainError, GateRefusal, Result};
pub use key::EthKey;

/// The EVM hardfork the contracts are compiled for and tests run anvil at.
pub const HARDFORK: &str = "prague";

/// The default root window of a new registry: one hour, as the ledger's.
pub const DEFAULT_WINDOW_SECS: u64 = zkcred_core::anchor::DEFAULT_WINDOW_SECS;

/// alloy's primitive types (addresses, words), for callers of this crate.
pub use alloy::primitives as alloy_primitives;
