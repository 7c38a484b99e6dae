//! What the issuer keeps about each issued credential.
//!
//! A record holds the holder's public key, the leaf, the schema id and the issuance and
//! revocation times. It holds neither the attributes nor the salts (those go to the holder in
//! the credential file), and no holder secret ever exists on the issuer's side.
//!
//! Binary form (version 1): `1u8 | hpk (32, big-endian) | leaf (32, big-endian) |
//! issued_at (u64 LE) | revoked_at (u64 LE, 0 = not revoked) | schema id (UTF-8, the rest)`.

use crate::error::{IssuerError, Result};
use crate::tables::{fr_from_bytes, fr_to_bytes};
use zkcred_core::Fr;

const RECORD_VERSION: u8 = 1;
const FIXED_LEN: usize = 1 + 32 + 32 + 8 + 8;

/// The issuer's record of one issued credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialRecord {
    /// The holder's public key `hpk = H(s)`.
    pub hpk: Fr,
    /// The leaf as issued (the tree holds 0 at this index once revoked).
    pub leaf: Fr,
    /// The schema id the attributes were encoded with.
    pub schema: String,
    /// Issuance time, Unix seconds.
    pub issued_at: u64,
    /// Revocation time, Unix seconds, if revoked.
    pub revoked_at: Option<u64>,
}

impl CredentialRecord {
    /// Whether the credential was revoked.
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// The binary form stored in the database.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FIXED_LEN + self.schema.len());
        out.push(RECORD_VERSION);
        out.extend_from_slice(&fr_to_bytes(&self.hpk));
        out.extend_from_slice(&fr_to_bytes(&self.leaf));
        out.extend_from_slice(&self.issued_at.to_le_bytes());
        // Revocation at time 0 is stored as 1 so that 0 keeps meaning "not revoked".
        let revoked = self.revoked_at.map_or(0, |t| t.max(1));
        out.extend_from_slice(&revoked.to_le_bytes());
        out.extend_from_slice(self.schema.as_bytes());
        out
    }

    /// Parses the binary form, refusing anything malformed.
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        let corrupt = |what: &str| IssuerError::Corrupt(format!("credential record: {what}"));
        if b.len() < FIXED_LEN {
            return Err(corrupt("too short"));
        }
        if b[0] != RECORD_VERSION {
            return Err(corrupt(&format!("unknown record version {}", b[0])));
        }
        let fr_at = |at: usize| -> Result<Fr> {
            let mut a = [0u8; 32];
            a.copy_from_slice(&b[at..at + 32]);
            fr_from_bytes(&a)
        };
        let u64_at = |at: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[at..at + 8]);
            u64::from_le_bytes(a)
        };
        let schema = std::str::from_utf8(&b[FIXED_LEN..])
            .map_err(|_| corrupt("schema id is not UTF-8"))?
            .to_string();
        let revoked = u64_at(73);
        Ok(Self {
            hpk: fr_at(1)?,
            leaf: fr_at(33)?,
            issued_at: u64_at(65),
            revoked_at: (revoked != 0).then_some(revoked),
            schema,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_round_trip() {
        let mut r = CredentialRecord {
            hpk: Fr::from(3u64),
            leaf: -Fr::from(1u64),
            schema: "identity-v1".into(),
            issued_at: 1_795_478_400,
            revoked_at: None,
        };
        assert_eq!(CredentialRecord::from_bytes(&r.to_bytes()).unwrap(), r);
        r.revoked_at = Some(1_795_478_500);
        assert_eq!(CredentialRecord::from_bytes(&r.to_bytes()).unwrap(), r);
        let b = r.to_bytes();
        assert!(CredentialRecord::from_bytes(&b[..40]).is_err());
        let mut v2 = b.clone();
        v2[0] = 2;
        assert!(CredentialRecord::from_bytes(&v2).is_err());
    }
}
