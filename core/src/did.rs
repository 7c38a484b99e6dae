//! Decentralized identifiers of issuers and platforms, and the issuer's signing key.
//!
//! An issuer is named by one of two DIDs, written in exactly one way so that they compare as
//! strings:
//!
//! - `did:key:z6Mk…` — an Ed25519 public key (the W3C did:key method: `z` then base58btc of the
//!   multicodec prefix `0xed 0x01` and the 32 key bytes). A ledger issuer signs every entry of
//!   its anchor ledger with this key ([`crate::anchor`]), so an entry that someone else appended
//!   is refused by every reader.
//! - `did:pkh:eip155:<chain id>:0x<40 lowercase hex digits>` — an account on an EVM chain (the
//!   did:pkh method with a CAIP-10 account id). A chain issuer anchors its roots from that
//!   account in the chain's root registry, which only that account can write.
//!
//! The same `did:key` form names a platform's request-signing key.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand::{CryptoRng, RngCore};
use std::fmt;
use thiserror::Error;
use zeroize::Zeroizing;

/// The prefix of an Ed25519 `did:key` (`z` = base58btc).
pub const DID_KEY_PREFIX: &str = "did:key:z";
/// The prefix of an EVM account's `did:pkh`.
pub const DID_PKH_PREFIX: &str = "did:pkh:eip155:";
/// The multicodec prefix of an Ed25519 public key.
const ED25519_MULTICODEC: [u8; 2] = [0xed, 0x01];

/// A DID that zkcred does not accept, and why.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{did:?} is not {expected}: {why}")]
pub struct DidError {
    /// The DID as given (at most 100 characters).
    pub did: String,
    /// What was expected.
    pub expected: &'static str,
    /// What is wrong.
    pub why: &'static str,
}

fn bad(did: &str, expected: &'static str, why: &'static str) -> DidError {
    DidError {
        did: did.chars().take(100).collect(),
        expected,
        why,
    }
}

/// The `did:key` of an Ed25519 public key.
pub fn did_key(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_MULTICODEC.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    format!("{DID_KEY_PREFIX}{}", bs58::encode(bytes).into_string())
}

/// The Ed25519 public key a `did:key` names; refuses another method, another key type, a wrong
/// length, bytes that are not a curve point, a small-order key and a non-canonical encoding.
pub fn parse_did_key(did: &str) -> Result<VerifyingKey, DidError> {
    const WHAT: &str = "an Ed25519 did:key";
    let encoded = did
        .strip_prefix(DID_KEY_PREFIX)
        .ok_or_else(|| bad(did, WHAT, "it does not start with did:key:z"))?;
    let bytes = bs58::decode(encoded)
        .into_vec()
        .map_err(|_| bad(did, WHAT, "not base58btc"))?;
    let key: [u8; 32] = match bytes.strip_prefix(&ED25519_MULTICODEC) {
        Some(k) => k
            .try_into()
            .map_err(|_| bad(did, WHAT, "not 32 key bytes"))?,
        None => return Err(bad(did, WHAT, "not an Ed25519 key (multicodec 0xed01)")),
    };
    let key = VerifyingKey::from_bytes(&key).map_err(|_| bad(did, WHAT, "not a curve point"))?;
    if key.is_weak() {
        return Err(bad(did, WHAT, "a small-order key"));
    }
    // One encoding per key: base58 has no other, but callers compare DIDs as strings.
    if did_key(&key) != did {
        return Err(bad(did, WHAT, "not the canonical encoding"));
    }
    Ok(key)
}

/// The `did:pkh` of an account on EVM chain `chain_id`.
pub fn did_pkh(chain_id: u64, address: &[u8; 20]) -> String {
    format!("{DID_PKH_PREFIX}{chain_id}:0x{}", hex::encode(address))
}

/// The chain id and account a `did:pkh:eip155:…` names; refuses another form, a chain id that
/// is 0 or has leading zeros, and an address that is not `0x` and 40 lowercase hex digits.
pub fn parse_did_pkh(did: &str) -> Result<(u64, [u8; 20]), DidError> {
    const WHAT: &str = "an EVM did:pkh (did:pkh:eip155:<chain id>:0x<40 lowercase hex>)";
    let rest = did
        .strip_prefix(DID_PKH_PREFIX)
        .ok_or_else(|| bad(did, WHAT, "it does not start with did:pkh:eip155:"))?;
    let (chain, account) = rest
        .split_once(':')
        .ok_or_else(|| bad(did, WHAT, "no account after the chain id"))?;
    let chain_id: u64 = chain
        .parse()
        .ok()
        .filter(|c: &u64| *c != 0 && c.to_string() == chain)
        .ok_or_else(|| bad(did, WHAT, "the chain id is not a decimal number from 1"))?;
    let hex_part = account
        .strip_prefix("0x")
        .filter(|h| h.len() == 40 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .ok_or_else(|| {
            bad(
                did,
                WHAT,
                "the account is not 0x and 40 lowercase hex digits",
            )
        })?;
    let mut address = [0u8; 20];
    hex::decode_to_slice(hex_part, &mut address)
        .map_err(|_| bad(did, WHAT, "the account is not hex"))?;
    Ok((chain_id, address))
}

/// An issuer as a DID names it (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuerDid {
    /// A ledger issuer: its Ed25519 key signs every ledger entry.
    Key(VerifyingKey),
    /// A chain issuer: the account that anchors in the chain's registry.
    Pkh {
        /// The EVM chain id.
        chain_id: u64,
        /// The account's address.
        address: [u8; 20],
    },
}

impl IssuerDid {
    /// Parses an issuer DID written in its one canonical form.
    pub fn parse(did: &str) -> Result<Self, DidError> {
        if did.starts_with("did:key:") {
            parse_did_key(did).map(IssuerDid::Key)
        } else if did.starts_with("did:pkh:") {
            parse_did_pkh(did).map(|(chain_id, address)| IssuerDid::Pkh { chain_id, address })
        } else {
            Err(bad(
                did,
                "an issuer DID",
                "expected did:key:z… (a ledger issuer) or did:pkh:eip155:… (a chain issuer)",
            ))
        }
    }
}

impl fmt::Display for IssuerDid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssuerDid::Key(k) => f.write_str(&did_key(k)),
            IssuerDid::Pkh { chain_id, address } => f.write_str(&did_pkh(*chain_id, address)),
        }
    }
}

/// A short file-name-safe tag of an issuer DID: the first 16 bytes of its SHA-256, in hex.
pub fn issuer_tag(did: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(did.as_bytes())[..16])
}

/// What signs ledger entries under an issuer DID: an [`IssuerKey`] for a `did:key`, or the
/// account key of a chain issuer for its `did:pkh` (an EIP-191 `personal_sign` signature).
pub trait EntrySigner {
    /// The DID the signatures verify under.
    fn did(&self) -> String;
    /// The signature over `message`, as [`verify_signature`] takes it.
    fn sign_entry(&self, message: &[u8]) -> Vec<u8>;
}

impl EntrySigner for IssuerKey {
    fn did(&self) -> String {
        IssuerKey::did(self)
    }

    fn sign_entry(&self, message: &[u8]) -> Vec<u8> {
        self.sign(message).to_vec()
    }
}

/// The EIP-191 (`personal_sign`) digest of `message`: Keccak-256 of
/// `"\x19Ethereum Signed Message:\n"`, the message length in decimal, and the message.
pub fn eip191_digest(message: &[u8]) -> [u8; 32] {
    use sha3::{Digest, Keccak256};
    let mut h = Keccak256::new();
    h.update(b"\x19Ethereum Signed Message:\n");
    h.update(message.len().to_string().as_bytes());
    h.update(message);
    h.finalize().into()
}

/// The account that made the 65-byte `r ‖ s ‖ v` EIP-191 signature over `message`; `None` for a
/// malformed signature, a high `s` (EIP-2: each signature has one form) or `v` not 27 or 28.
pub fn recover_eip191(message: &[u8], sig: &[u8]) -> Option<[u8; 20]> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    use sha3::{Digest, Keccak256};
    let (rs, v) = match sig {
        [rs @ .., v] if rs.len() == 64 => (rs, *v),
        _ => return None,
    };
    let signature = Signature::from_slice(rs).ok()?;
    if signature.normalize_s().is_some() {
        return None;
    }
    let id = RecoveryId::from_byte(v.checked_sub(27).filter(|v| *v < 2)?)?;
    let key = VerifyingKey::recover_from_prehash(&eip191_digest(message), &signature, id).ok()?;
    let point = key.to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    hash[12..].try_into().ok()
}

impl IssuerDid {
    /// Whether `sig` is this issuer's signature over `message`: a strict Ed25519 signature
    /// (64 bytes) by a `did:key`, or an EIP-191 signature (65 bytes) by a `did:pkh` account.
    pub fn verifies(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            IssuerDid::Key(key) => <[u8; 64]>::try_from(sig).is_ok_and(|sig| {
                key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&sig))
                    .is_ok()
            }),
            IssuerDid::Pkh { address, .. } => recover_eip191(message, sig) == Some(*address),
        }
    }
}

/// An issuer's Ed25519 signing key: its `did:key` is the issuer's ledger identity.
///
/// `Debug` shows the DID only; the secret is never printed.
#[derive(Clone)]
pub struct IssuerKey {
    signing: SigningKey,
}

impl fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKey")
            .field("did", &self.did())
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl IssuerKey {
    /// A new random key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut());
        Self::from_seed(&seed)
    }

    /// The key of a 32-byte seed (as stored by the issuer database).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The 32-byte seed, to store (a secret).
    pub fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    /// The public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The key's `did:key`.
    pub fn did(&self) -> String {
        did_key(&self.verifying_key())
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip191_recovers_the_signing_account() {
        // web3.js's documented example: accounts.sign("Some data", <key>).
        let sig = hex::decode(
            "b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd\
             6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c",
        )
        .unwrap();
        assert_eq!(
            hex::encode(eip191_digest(b"Some data")),
            "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
        );
        let account = recover_eip191(b"Some data", &sig).unwrap();
        assert_eq!(
            hex::encode(account),
            "2c7536e3605d9c16a7a3d7b1898e529396a65c23"
        );
        let did = IssuerDid::parse(&did_pkh(1, &account)).unwrap();
        assert!(did.verifies(b"Some data", &sig));
        assert!(!did.verifies(b"Some other data", &sig));
        assert!(!did.verifies(b"Some data", &sig[..64]));
    }

    #[test]
    fn eip191_signatures_have_one_form() {
        use k256::ecdsa::{RecoveryId, Signature, SigningKey};
        let key = SigningKey::from_slice(&[3u8; 32]).unwrap();
        let digest = eip191_digest(b"entry");
        let (sig, id) = key.sign_prehash_recoverable(&digest).unwrap();
        let mut bytes = sig.to_vec();
        bytes.push(27 + id.to_byte());
        let account = recover_eip191(b"entry", &bytes).unwrap();
        // The high-s twin (s -> n - s, the other recovery id) is the same signature to
        // secp256k1...
        let (r, s) = sig.split_scalars();
        let high = Signature::from_scalars(r.to_bytes(), (-*s.as_ref()).to_bytes()).unwrap();
        let twin = RecoveryId::from_byte(id.to_byte() ^ 1).unwrap();
        assert!(high.normalize_s().is_some_and(|low| low == sig));
        // ...but only the low-s form is accepted, and v only as 27 or 28.
        let mut twin_bytes = high.to_vec();
        twin_bytes.push(27 + twin.to_byte());
        assert_eq!(recover_eip191(b"entry", &twin_bytes), None);
        let mut raw_v = bytes.clone();
        raw_v[64] = id.to_byte();
        assert_eq!(recover_eip191(b"entry", &raw_v), None);
        assert_eq!(recover_eip191(b"entry", &bytes), Some(account));
    }

    #[test]
    fn issuer_dids_have_one_form() {
        let key = IssuerKey::from_seed(&[7; 32]);
        let did = key.did();
        assert_eq!(IssuerDid::parse(&did).unwrap().to_string(), did);
        let pkh = did_pkh(31337, &[0xab; 20]);
        assert_eq!(pkh, format!("did:pkh:eip155:31337:0x{}", "ab".repeat(20)));
        assert_eq!(IssuerDid::parse(&pkh).unwrap().to_string(), pkh);
        for wrong in [
            "zkcred:issuer:00112233445566778899aabbccddeeff".to_string(),
            pkh.replace("0xab", "0xAB"),
            pkh.replace(":31337:", ":031337:"),
            pkh.replace(":31337:", ":0:"),
            pkh.replace(":31337:", "::"),
            pkh[..pkh.len() - 2].to_string(),
            format!("{pkh}00"),
            did.replace("did:key:z", "did:key:f"),
            format!("{did}1"),
            did[..did.len() - 1].to_string(),
            "did:key:z11111111111111111111111111111111111111111111".into(),
            "did:web:issuer.example".into(),
        ] {
            assert!(IssuerDid::parse(&wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_debug_form_hides_the_secret() {
        let key = IssuerKey::from_seed(&[9; 32]);
        let shown = format!("{key:?}");
        assert!(!shown.contains(&hex::encode([9u8; 32])));
        assert!(shown.contains(&key.did()));
    }
}
