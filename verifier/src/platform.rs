//! The platform's identity: a platform id, an Ed25519 key named by a `did:key`, and the
//! signature on every request the platform sends (docs/consent.md).
//!
//! A signed request's scope is `<platform id>/<label>`, so a platform can only ask for
//! nullifiers in its own scopes: a holder checks the signature, that the scope starts with the
//! signer's id, and that the id's key is the one it pinned on first use. The platform id is a
//! name (`social.example`) or the platform's own `did:key`; it is made of ASCII letters, digits
//! and `.:_-` (no `/`, no spaces), 1 to 200 characters.
//!
//! `did:key` for Ed25519 is `did:key:z` followed by base58btc of the multicodec prefix
//! `0xed 0x01` and the 32-byte public key (the W3C did:key method, [`zkcred_core::did`]). Signatures are checked with
//! `verify_strict` (small-order keys and non-canonical signatures are refused).
//!
//! The platform's key file, mode 0600 (`zkcred platform init`):
//!
//! ```json
//! {"type": "zkcred-platform-key", "version": 1, "id": "social.example",
//!  "did": "did:key:z6Mk...", "secret": "<64 hex digits>"}
//! ```
//!
//! Its `Debug` output and every error leave the secret out.

use crate::error::{Error, Result};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

/// The `type` of a platform key file.
pub const PLATFORM_KEY_TYPE: &str = "zkcred-platform-key";
/// The platform key file format version.
pub const PLATFORM_KEY_VERSION: u64 = 1;
pub use zkcred_core::did::DID_KEY_PREFIX;
/// The longest platform id.
pub const MAX_PLATFORM_ID: usize = 200;
/// What a request signature signs, before the request id and circuit id.
pub const SIGNATURE_DOMAIN: &[u8] = b"zkcred-request-signature-v1\n";

/// Checks a platform id: 1 to 200 ASCII letters, digits or `.:_-`.
pub fn check_platform_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= MAX_PLATFORM_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".:_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::PlatformIdentity(format!(
            "platform id {:?} is not 1 to {MAX_PLATFORM_ID} ASCII letters, digits or .:_-",
            id.chars().take(MAX_PLATFORM_ID + 1).collect::<String>()
        )))
    }
}

pub use zkcred_core::did::did_key;

/// The Ed25519 public key a `did:key` names ([`zkcred_core::did::parse_did_key`]): refuses
/// another method, another key type, a wrong length, bytes that are not a curve point, a
/// small-order key and a non-canonical encoding.
pub fn parse_did_key(did: &str) -> Result<VerifyingKey> {
    zkcred_core::did::parse_did_key(did).map_err(|e| Error::PlatformIdentity(e.to_string()))
}

/// A platform as a request names it: its id and its key.
#[derive(Clone, PartialEq, Eq)]
pub struct Platform {
    id: String,
    did: String,
    key: VerifyingKey,
}

impl fmt::Debug for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Platform")
            .field("id", &self.id)
            .field("did", &self.did)
            .finish()
    }
}

impl Platform {
    /// A platform from its id and its `did:key`, both validated.
    pub fn new(id: &str, did: &str) -> Result<Self> {
        check_platform_id(id)?;
        let key = parse_did_key(did)?;
        // An id that is itself a did:key must be this key: nobody else can claim it.
        if id.starts_with("did:") && id != did {
            return Err(Error::PlatformIdentity(format!(
                "platform id {id:?} is a DID other than the platform's key {did}"
            )));
        }
        Ok(Self {
            id: id.into(),
            did: did.into(),
            key,
        })
    }

    /// The platform id (the first part of its scopes).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The platform's key as a `did:key`.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// Whether `scope` is one of this platform's: `<id>/<label>` with a non-empty label.
    pub fn owns_scope(&self, scope: &str) -> bool {
        scope
            .strip_prefix(self.id.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|label| !label.is_empty())
    }

    /// Checks a signature made by [`PlatformKey::sign`] over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> Result<()> {
        self.key
            .verify_strict(message, &Signature::from_bytes(signature))
            .map_err(|_| Error::RequestSignature {
                platform: self.id.clone(),
            })
    }
}

/// A platform's signing key with its id (see the module docs for the file).
pub struct PlatformKey {
    id: String,
    signing: SigningKey,
}

impl fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformKey")
            .field("id", &self.id)
            .field("did", &self.did())
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformKeyJson {
    #[serde(rename = "type")]
    kind: String,
    version: u64,
    id: String,
    did: String,
    secret: String,
}

impl PlatformKey {
    /// A new random key for platform `id`.
    pub fn generate<R: RngCore + CryptoRng>(id: &str, rng: &mut R) -> Result<Self> {
        check_platform_id(id)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut());
        Ok(Self {
            id: id.into(),
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// The platform id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The public key as a `did:key`.
    pub fn did(&self) -> String {
        did_key(&self.signing.verifying_key())
    }

    /// The platform as its requests name it.
    pub fn platform(&self) -> Platform {
        Platform {
            id: self.id.clone(),
            did: self.did(),
            key: self.signing.verifying_key(),
        }
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The key file's text (holds the secret: write it mode 0600).
    pub fn to_json(&self) -> String {
        let secret = Zeroizing::new(hex::encode(self.signing.to_bytes()));
        let j = PlatformKeyJson {
            kind: PLATFORM_KEY_TYPE.into(),
            version: PLATFORM_KEY_VERSION,
            id: self.id.clone(),
            did: self.did(),
            secret: secret.to_string(),
        };
        // Strings and a number: this cannot fail.
        serde_json::to_string_pretty(&j).unwrap_or_default()
    }

    /// Reads a key file; refuses another type or version, a secret that is not 64 hex digits
    /// and a `did` that is not the secret's. No error carries the secret.
    pub fn from_json(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::PlatformIdentity(format!("platform key file: {why}"));
        let j: PlatformKeyJson =
            serde_json::from_str(text).map_err(|_| bad("not a zkcred platform key file"))?;
        let j = Zeroizing::new(j);
        if j.kind != PLATFORM_KEY_TYPE || j.version != PLATFORM_KEY_VERSION {
            return Err(bad("not a zkcred platform key file (type/version)"));
        }
        check_platform_id(&j.id)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        if j.secret.len() != 64 || hex::decode_to_slice(&j.secret, seed.as_mut()).is_err() {
            return Err(bad("the secret is not 64 hex digits"));
        }
        let key = Self {
            id: j.id.clone(),
            signing: SigningKey::from_bytes(&seed),
        };
        if key.did() != j.did {
            return Err(bad("`did` is not the secret's public key"));
        }
        Ok(key)
    }
}

impl zeroize::Zeroize for PlatformKeyJson {
    fn zeroize(&mut self) {
        self.secret.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn key(id: &str) -> PlatformKey {
        PlatformKey::generate(id, &mut rand_chacha::ChaCha20Rng::seed_from_u64(7)).unwrap()
    }

    #[test]
    fn did_key_round_trips_and_refuses_other_encodings() {
        let k = key("social.example");
        let did = k.did();
        assert!(did.starts_with("did:key:z6Mk"), "{did}");
        assert_eq!(parse_did_key(&did).unwrap(), k.signing.verifying_key());
        for bad in [
            "did:web:social.example".to_string(),
            did.replacen("did:key:z", "did:key:m", 1),
            format!("{did}1"),
            did[..did.len() - 1].to_string(),
            "did:key:z0OIl".to_string(),
        ] {
            assert!(parse_did_key(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_files_round_trip_without_showing_the_secret() {
        let k = key("social.example");
        let text = k.to_json();
        let back = PlatformKey::from_json(&text).unwrap();
        assert_eq!(back.did(), k.did());
        let secret = hex::encode(k.signing.to_bytes());
        assert!(!format!("{k:?}").contains(&secret));
        let other = PlatformKey::generate("o", &mut rand::rngs::OsRng)
            .unwrap()
            .did();
        let forged = text.replace(&k.did(), &other);
        let e = PlatformKey::from_json(&forged).unwrap_err().to_string();
        assert!(e.contains("did") && !e.contains(&secret), "{e}");
        let cut = &text[..text.len() / 2];
        assert!(!PlatformKey::from_json(cut)
            .unwrap_err()
            .to_string()
            .contains(&secret));
    }

    #[test]
    fn ids_and_scopes() {
        for bad in ["", "a/b", "a b", "ünï", &"x".repeat(201)] {
            assert!(check_platform_id(bad).is_err(), "{bad:?}");
        }
        let p = key("social.example").platform();
        assert!(p.owns_scope("social.example/signup"));
        for s in [
            "social.example",
            "social.example/",
            "social.examplex/a",
            "other/a",
        ] {
            assert!(!p.owns_scope(s), "{s}");
        }
        let k = key("x");
        assert!(Platform::new("did:key:z6Mkfake", &k.did()).is_err());
        assert!(Platform::new(&k.did(), &k.did()).is_ok());
    }

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let k = key("social.example");
        let sig = k.sign(b"m");
        let p = k.platform();
        assert!(p.verify(b"m", &sig).is_ok());
        assert!(p.verify(b"n", &sig).is_err());
        let mut flipped = sig;
        flipped[3] ^= 1;
        assert!(p.verify(b"m", &flipped).is_err());
        let other = PlatformKey::generate("social.example", &mut rand::rngs::OsRng).unwrap();
        assert!(other.platform().verify(b"m", &sig).is_err());
    }
}
