//! Ethereum account key files: what signs anchoring, deployments and gate submissions.
//!
//! `{"type": "zkcred-eth-key", "version": 1, "address": "0x…", "private_key": "0x…"}`, written
//! with mode 0600 and refused when readable by group or others. The private key never appears
//! in output, errors or `Debug`.

use crate::error::{ChainError, Result};
use alloy::primitives::{Address, B256};
use alloy::signers::local::PrivateKeySigner;
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroizing;

/// The `type` field of a key file.
pub const KEY_TYPE: &str = "zkcred-eth-key";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyJson {
    #[serde(rename = "type")]
    kind: String,
    version: u64,
    address: String,
    private_key: String,
}

/// A secp256k1 account key.
pub struct EthKey {
    signer: PrivateKeySigner,
}

impl std::fmt::Debug for EthKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EthKey({:#x})", self.address())
    }
}

fn bad(path: &Path, reason: impl Into<String>) -> ChainError {
    ChainError::Key {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

impl EthKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        Self {
            signer: PrivateKeySigner::random(),
        }
    }

    /// The account address.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    pub(crate) fn signer(&self) -> PrivateKeySigner {
        self.signer.clone()
    }

    /// Writes a new key file (mode 0600; refuses to replace an existing file).
    pub fn write_new(&self, path: &Path) -> Result<()> {
        let secret = Zeroizing::new(format!("0x{}", hex::encode(self.signer.to_bytes())));
        let json = Zeroizing::new(
            serde_json::to_string_pretty(&KeyJson {
                kind: KEY_TYPE.into(),
                version: 1,
                address: format!("{:#x}", self.address()),
                private_key: secret.to_string(),
            })
            .expect("key JSON serializes")
                + "\n",
        );
        zkcred_core::atomic_file::create_new(path, json.as_bytes(), 0o600)
            .map_err(|e| bad(path, e.to_string()))
    }

    /// Reads a key file, refusing one readable by group or others.
    pub fn read(path: &Path) -> Result<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|e| bad(path, e.to_string()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(bad(
                    path,
                    format!(
                        "mode {:o} lets others read the key; chmod 600 it",
                        mode & 0o777
                    ),
                ));
            }
        }
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| bad(path, e.to_string()))?);
        let json: KeyJson = serde_json::from_str(&text).map_err(|e| {
            bad(
                path,
                format!("not a {KEY_TYPE} file ({})", e.classify_name()),
            )
        })?;
        let json = Zeroizing::new(json);
        if json.kind != KEY_TYPE || json.version != 1 {
            return Err(bad(path, format!("not a {KEY_TYPE} version 1 file")));
        }
        let hexkey = json
            .private_key
            .strip_prefix("0x")
            .unwrap_or(&json.private_key);
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(hexkey, bytes.as_mut())
            .map_err(|_| bad(path, "private_key is not 32 bytes of hex"))?;
        let signer = PrivateKeySigner::from_bytes(&B256::from(*bytes))
            .map_err(|_| bad(path, "private_key is not a valid secp256k1 key"))?;
        let named: Address = json
            .address
            .parse()
            .map_err(|_| bad(path, "address is not an address"))?;
        if named != signer.address() {
            return Err(bad(path, "address does not match private_key"));
        }
        Ok(Self { signer })
    }
}

impl zeroize::Zeroize for KeyJson {
    fn zeroize(&mut self) {
        self.private_key.zeroize();
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "unexpected fields or values",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

/// An account key signing ledger entries under its `did:pkh` on chain `chain_id`: EIP-191
/// (`personal_sign`) signatures, `r ‖ s ‖ v` with `v` 27 or 28, that
/// [`zkcred_core::did::IssuerDid::verifies`] checks without a chain.
pub struct AccountEntrySigner<'a> {
    key: &'a EthKey,
    chain_id: u64,
}

impl EthKey {
    /// This account as the signer of a chain issuer's ledger entries on chain `chain_id`.
    pub fn entry_signer(&self, chain_id: u64) -> AccountEntrySigner<'_> {
        AccountEntrySigner {
            key: self,
            chain_id,
        }
    }
}

impl zkcred_core::did::EntrySigner for AccountEntrySigner<'_> {
    fn did(&self) -> String {
        crate::did::pkh(self.chain_id, self.key.address())
    }

    fn sign_entry(&self, message: &[u8]) -> Vec<u8> {
        use alloy::signers::SignerSync;
        self.key
            .signer
            .sign_message_sync(message)
            .expect("a local secp256k1 key signs any message")
            .as_bytes()
            .to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_signatures_verify_under_the_accounts_did_pkh() {
        use zkcred_core::did::{EntrySigner, IssuerDid};
        let k = EthKey::generate();
        let signer = k.entry_signer(31337);
        let did = IssuerDid::parse(&signer.did()).unwrap();
        let sig = signer.sign_entry(b"an entry");
        assert_eq!(sig.len(), 65);
        assert!(did.verifies(b"an entry", &sig));
        assert!(!did.verifies(b"another entry", &sig));
        let other = EthKey::generate()
            .entry_signer(31337)
            .sign_entry(b"an entry");
        assert!(!did.verifies(b"an entry", &other));
        let mut flipped = sig.clone();
        flipped[10] ^= 1;
        assert!(!did.verifies(b"an entry", &flipped));
        // v as 0/1 (the raw recovery id) is not the form written: one spelling per signature.
        let mut raw_v = sig.clone();
        raw_v[64] -= 27;
        assert!(!did.verifies(b"an entry", &raw_v));
    }

    #[test]
    fn write_read_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        let k = EthKey::generate();
        k.write_new(&path).unwrap();
        assert_eq!(EthKey::read(&path).unwrap().address(), k.address());
        assert!(k.write_new(&path).is_err(), "never replaces a key");
        let text = std::fs::read_to_string(&path).unwrap();
        let secret = text.split("\"private_key\": \"").nth(1).unwrap()[..66].to_string();
        assert!(!format!("{k:?}").contains(&secret[2..]));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = EthKey::read(&path).unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        for (mangled, want) in [
            (text.replace(&secret[2..6], "zzzz"), "hex"),
            (text[..text.len() / 2].to_string(), "truncated"),
            (
                text.replace("\"address\": \"0x", "\"address\": \"0x1"),
                "address",
            ),
        ] {
            let p = dir.path().join(format!("m{}.json", want));
            zkcred_core::atomic_file::create_new(&p, mangled.as_bytes(), 0o600).unwrap();
            let e = EthKey::read(&p).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
            assert!(!e.contains(&secret[2..]), "the key leaked into {e}");
        }
    }
}
