//! Fuzz targets for every zkcred parser that reads outside bytes.
//!
//! Each `target_*` function takes arbitrary bytes, feeds them to the real parser and, when they
//! parse, re-serializes the value, parses that again and asserts the same value comes back. A
//! target panics only on a round-trip mismatch or a bug in the parser (a panic, an overflow);
//! refusing the input is the expected outcome for almost every input. The cargo-fuzz crate in
//! `fuzz/` calls these functions from libFuzzer; `tests/replay.rs` replays the committed corpora
//! and crash regressions through them on stable Rust. See `docs/fuzzing.md`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod core_formats;
mod issuer_formats;
mod ptau_writer;
mod setup_formats;
mod verifier_formats;

pub use core_formats::{target_anchor_ledger, target_attributes, target_holder_key, target_policy};
pub use issuer_formats::{target_credential, target_merkle_path};
pub use setup_formats::{target_proving_key, target_ptau, target_transcript};
pub use verifier_formats::{
    target_envelope, target_proof_json, target_public_json, target_request, target_verification_key,
};

/// A fuzz target: arbitrary bytes in, a panic on a bug.
pub type Target = fn(&[u8]);

/// Every target by the name of its cargo-fuzz binary and corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("request", target_request),
    ("envelope", target_envelope),
    ("proof_json", target_proof_json),
    ("public_json", target_public_json),
    ("verification_key", target_verification_key),
    ("proving_key", target_proving_key),
    ("ptau", target_ptau),
    ("credential", target_credential),
    ("merkle_path", target_merkle_path),
    ("holder_key", target_holder_key),
    ("policy", target_policy),
    ("attributes", target_attributes),
    ("anchor_ledger", target_anchor_ledger),
    ("transcript", target_transcript),
];

/// The input as text, or `None` for bytes that are not UTF-8 (every text parser takes `&str`).
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Asserts that re-parsing the re-serialized value gave the value back.
fn assert_round_trip<T: PartialEq + std::fmt::Debug, E: std::fmt::Display>(
    what: &str,
    again: Result<T, E>,
    original: &T,
) {
    match again {
        Ok(v) => assert_eq!(&v, original, "{what}: round trip changed the value"),
        Err(e) => panic!("{what}: the re-serialized value does not parse: {e}"),
    }
}
