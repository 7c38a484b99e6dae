//! Hashing strings (scopes and messages) into the field.
//!
//! `hash_string(s) = keccak256(utf8(s)) >> 8`, read as a big-endian integer: Semaphore's
//! `hash`, computable in Solidity as `uint256(keccak256(bytes(s))) >> 8`. The shift keeps the
//! value below 2^248 < p, so it is a field element without reduction.

use crate::Fr;
use ark_ff::PrimeField;
use sha3::{Digest, Keccak256};

/// `keccak256(utf8(s)) >> 8` as a field element.
pub fn hash_string(s: &str) -> Fr {
    let digest = Keccak256::digest(s.as_bytes());
    // Dropping the last byte of the big-endian digest is the right shift by 8 bits.
    Fr::from_be_bytes_mod_order(&digest[..31])
}

/// The field element of a platform's scope string.
pub fn scope_hash(scope: &str) -> Fr {
    hash_string(scope)
}

/// The field element of a request's message (a nonce or account handle).
pub fn message_hash(message: &str) -> Fr {
    hash_string(message)
}
