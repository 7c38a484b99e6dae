//! The name commitment stored in the `name_commitment` slot.
//!
//! `pack(name)`: the UTF-8 bytes `b` (1 to 341 bytes, no NUL) are split into `k = ceil(len/31)`
//! chunks of 31 bytes, the last one right-padded with zero bytes; each chunk is read as a
//! big-endian integer (below 2^248, hence a field element); `pack = H(len, c_1, .., c_k)`. The
//! length makes the padding unambiguous, and `1 + k <= 12` fits one Poseidon call.
//! The commitment is `H(pack(name), name_salt)`. The bytes are committed exactly as given (no
//! Unicode normalization), so the issuer and the holder must use the same spelling.

use crate::error::{Error, Result};
use crate::poseidon;
use crate::Fr;
use ark_ff::PrimeField;

/// Bytes per packed chunk.
pub const CHUNK: usize = 31;
/// Longest name, in UTF-8 bytes.
pub const MAX_NAME_BYTES: usize = CHUNK * (poseidon::MAX_INPUTS - 1);

/// `pack(name)`, see the module docs.
pub fn pack(name: &str) -> Result<Fr> {
    let b = name.as_bytes();
    if b.is_empty() {
        return Err(Error::Name("the name is empty".into()));
    }
    if b.len() > MAX_NAME_BYTES {
        return Err(Error::Name(format!(
            "the name is {} bytes of UTF-8; at most {MAX_NAME_BYTES} are supported",
            b.len()
        )));
    }
    if b.contains(&0) {
        return Err(Error::Name("the name contains a NUL character".into()));
    }
    let mut inputs = vec![Fr::from(b.len() as u64)];
    for chunk in b.chunks(CHUNK) {
        let mut padded = [0u8; CHUNK];
        padded[..chunk.len()].copy_from_slice(chunk);
        inputs.push(Fr::from_be_bytes_mod_order(&padded));
    }
    poseidon::hash_slice(&inputs)
}

/// `H(pack(name), salt)`.
pub fn name_commitment(name: &str, salt: Fr) -> Result<Fr> {
    Ok(poseidon::hash(&[pack(name)?, salt]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(pack("").is_err());
        assert!(pack("a\0b").is_err());
        assert!(pack(&"x".repeat(MAX_NAME_BYTES)).is_ok());
        assert!(pack(&"x".repeat(MAX_NAME_BYTES + 1)).is_err());
        // Trailing padding is not confused with content.
        assert_ne!(pack("ab").unwrap(), pack("ab ").unwrap());
    }
}
