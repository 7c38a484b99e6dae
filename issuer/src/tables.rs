//! The database layout: table definitions, meta keys and the node encoding.
//!
//! | table | key | value |
//! | --- | --- | --- |
//! | `meta` | `&str` | bytes, see the `META_*` keys |
//! | `nodes` | `(level: u8, index: u64)` | 32-byte big-endian canonical field element |
//! | `credentials` | leaf index `u64` | a [`crate::record::CredentialRecord`] in its binary form |
//!
//! `nodes` holds only nodes that differ from the zero hash of their level; an absent key reads
//! as `Z_level`. Level 0 holds the leaves, level 16 the root (index 0).

use crate::error::{IssuerError, Result};
use redb::{ReadableTable, TableDefinition};
use zkcred_core::tree::zero_hashes;
use zkcred_core::Fr;

/// Metadata: format marker, version, issuer key and DID, and counters.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Tree nodes by `(level, index)`; only nodes that are not the zero hash of their level.
pub const NODES: TableDefinition<(u8, u64), [u8; 32]> = TableDefinition::new("nodes");
/// Credential records by leaf index.
pub const CREDENTIALS: TableDefinition<u64, &[u8]> = TableDefinition::new("credentials");

/// Meta key of the format marker; its value is [`FORMAT_MARKER`].
pub const META_FORMAT: &str = "format";
/// Meta key of the format version (`u32` little-endian); the value is [`FORMAT_VERSION`].
pub const META_VERSION: &str = "version";
/// Meta key of the issuer's 32-byte Ed25519 seed (a secret: it signs the ledger entries).
pub const META_SIGNING_KEY: &str = "signing_key";
/// Meta key of the issuer's DID (UTF-8): the signing key's `did:key`, or a chain issuer's
/// `did:pkh` given at `init`.
pub const META_DID: &str = "did";
/// Meta key of the next leaf index to issue (`u64` little-endian).
pub const META_NEXT_INDEX: &str = "next_index";
/// Meta key of the number of credentials issued (`u64` little-endian).
pub const META_ISSUED: &str = "issued";
/// Meta key of the number of credentials revoked (`u64` little-endian).
pub const META_REVOKED: &str = "revoked";

/// The bytes that mark a zkcred issuer database.
pub const FORMAT_MARKER: &[u8] = b"zkcred-issuer-db";
/// The on-disk format version this build writes and reads.
///
/// Version 1 named the issuer by a random id and left ledger entries unsigned; its credentials'
/// `issuer` fields are not DIDs, so nothing it issued can be read by this build: it is refused.
pub const FORMAT_VERSION: u32 = 2;

/// A node value as stored: 32 bytes, big-endian.
pub fn fr_to_bytes(x: &Fr) -> [u8; 32] {
    zkcred_core::encoding::fr_to_be_bytes(x)
}

/// Reads a stored node value, refusing non-canonical bytes.
pub fn fr_from_bytes(b: &[u8; 32]) -> Result<Fr> {
    zkcred_core::encoding::fr_from_be_bytes(b).ok_or_else(|| {
        IssuerError::Corrupt(format!(
            "stored value {} is not a field element",
            hex::encode(b)
        ))
    })
}

/// Reads a `u64` counter from the meta table (0 if absent).
pub fn read_u64(meta: &impl ReadableTable<&'static str, &'static [u8]>, key: &str) -> Result<u64> {
    match meta.get(key)? {
        None => Ok(0),
        Some(v) => {
            let b: [u8; 8] = v.value().try_into().map_err(|_| {
                IssuerError::Corrupt(format!("meta `{key}` is not an 8-byte counter"))
            })?;
            Ok(u64::from_le_bytes(b))
        }
    }
}

/// The node at `(level, index)`, or the zero hash of `level` if it is not stored.
pub fn read_node(
    nodes: &impl ReadableTable<(u8, u64), [u8; 32]>,
    level: usize,
    index: u64,
) -> Result<Fr> {
    match nodes.get((level as u8, index))? {
        Some(v) => fr_from_bytes(&v.value()),
        None => Ok(zero_hashes()[level]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_bytes_round_trip_and_reject_non_canonical() {
        for x in [Fr::from(0u64), Fr::from(7u64), -Fr::from(1u64)] {
            assert_eq!(fr_from_bytes(&fr_to_bytes(&x)).unwrap(), x);
        }
        assert!(fr_from_bytes(&[0xff; 32]).is_err());
    }
}
