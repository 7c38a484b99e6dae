//! The holder's secret and the credential commitment.
//!
//! - holder secret `s`: a random field element, kept by the holder only;
//! - holder public key `hpk = H(s)`;
//! - attributes `a_0..a_7` (see [`crate::schema`]); numeric slots are below 2^64;
//! - salt `r`: random, known to issuer and holder, so a published leaf reveals nothing;
//! - leaf `= H(hpk, a_0, .., a_7, r)` (10 inputs).
//!
//! [`Credential`] is the document that carries all of this (but the secret) from issuer to
//! holder; [`json`] is its file form.

use crate::encoding::parse_fr;
use crate::error::{Error, Result};
use crate::poseidon;
use crate::Fr;
use ark_ff::UniformRand;
use rand::{CryptoRng, RngCore};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

mod document;
pub mod json;

pub use crate::schema::Attributes;
pub use document::{
    has_name_commitment, validate_schema, Credential, Layout, EXPIRY_SLOT, VC_CONTEXT, VC_TYPES,
};
pub use json::CredentialError;

/// The holder's secret `s`. Its `Debug` output is redacted and it is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct HolderSecret(Fr);

impl Zeroize for HolderSecret {
    fn zeroize(&mut self) {
        self.0 = Fr::from(0u64);
    }
}

impl Drop for HolderSecret {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for HolderSecret {}

impl HolderSecret {
    /// A fresh secret from a cryptographic RNG.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        Self(Fr::rand(rng))
    }

    /// A secret from its field element.
    pub fn from_fr(s: Fr) -> Self {
        Self(s)
    }

    /// Parses a secret from its decimal string.
    pub fn from_decimal(s: &str) -> Result<Self> {
        // The error must not echo the secret.
        parse_fr(s)
            .map(Self)
            .map_err(|_| Error::FieldElement("<holder secret>".into()))
    }

    /// The secret's field element; only for hashing and witness building.
    pub fn expose(&self) -> Fr {
        self.0
    }

    /// `hpk = H(s)`.
    pub fn public_key(&self) -> Fr {
        poseidon::hash(&[self.0])
    }
}

impl fmt::Debug for HolderSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HolderSecret(<redacted>)")
    }
}

/// `leaf = H(hpk, a_0, .., a_7, r)`.
pub fn leaf_commitment(hpk: Fr, attributes: &Attributes, salt: Fr) -> Fr {
    let a = attributes.values();
    poseidon::hash(&[hpk, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], salt])
}

/// A random salt (for the leaf or the name commitment).
pub fn random_salt<R: RngCore + CryptoRng>(rng: &mut R) -> Fr {
    Fr::rand(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SLOTS;

    #[test]
    fn secret_is_redacted_and_parse_errors_do_not_echo_it() {
        let s = HolderSecret::from_fr(Fr::from(123456789u64));
        assert!(!format!("{s:?}").contains("123456789"));
        let e = HolderSecret::from_decimal(
            "99999999999999999999999999999999999999999999999999999999999999999999999999999",
        )
        .unwrap_err();
        assert!(!e.to_string().contains("9999"));
    }

    #[test]
    fn numeric_slots_are_bounded() {
        let mut v = [Fr::from(0u64); SLOTS];
        v[5] = Fr::from(u64::MAX);
        assert!(Attributes::new(v).is_ok());
        v[5] += Fr::from(1u64);
        assert!(Attributes::new(v).is_err());
        v[5] = Fr::from(0u64);
        v[7] = -Fr::from(1u64); // opaque slots take any field element
        assert!(Attributes::new(v).is_ok());
    }
}
