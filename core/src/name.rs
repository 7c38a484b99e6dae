//! Names: their normal form, the name commitment stored in the `name_commitment` slot, and the
//! per-presentation name disclosure.
//!
//! **Normal form.** A name is committed and opened in Unicode NFC ([`normalize`]): the issuer
//! commits `NFC(name)` and stores it in the credential, and a verifier normalizes an opening the
//! same way before packing, so a name typed in NFD (decomposed accents, Hangul jamo) proves and
//! verifies like its NFC form. Names with control characters (Unicode category Cc, which
//! includes NUL, tabs and line breaks) or bidirectional formatting characters (U+061C, U+200E,
//! U+200F, U+202A–U+202E, U+2066–U+2069: they make a name display as another one, e.g. a
//! right-to-left override reversing the letters after it) are refused. The joiners U+200C and
//! U+200D stay allowed: Persian and Indic names need them.
//!
//! `pack(name)`: the UTF-8 bytes `b` of `NFC(name)` (1 to 341 bytes) are split into
//! `k = ceil(len/31)` chunks of 31 bytes, the last one right-padded with zero bytes; each chunk is
//! read as a big-endian integer (below 2^248, hence a field element); `pack = H(len, c_1, .., c_k)`.
//! The length makes the padding unambiguous, and `1 + k <= 12` fits one Poseidon call.
//!
//! The commitment is `H(pack(name), name_salt)`: fixed per credential, so it is never disclosed.
//! A proof that discloses the name instead outputs [`disclosure`] `H(pack(name), t)` for a fresh
//! random `t` per presentation, and the holder hands `(name, t)` ([`NameOpening`]) to the
//! verifier beside the proof (docs/circuit.md, "Name disclosure").

use crate::error::{Error, Result};
use crate::poseidon;
use crate::Fr;
use ark_ff::{PrimeField, UniformRand};
use rand::{CryptoRng, RngCore};
use unicode_normalization::UnicodeNormalization;

/// Bytes per packed chunk.
pub const CHUNK: usize = 31;
/// Longest name, in UTF-8 bytes of its NFC form.
pub const MAX_NAME_BYTES: usize = CHUNK * (poseidon::MAX_INPUTS - 1);

/// Bidirectional formatting characters (Unicode `Bidi_Control`).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The normal form of a name: NFC, 1 to [`MAX_NAME_BYTES`] bytes of UTF-8, no control or
/// bidirectional formatting characters.
pub fn normalize(name: &str) -> Result<String> {
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(Error::Name(format!(
            "the name contains the control character U+{:04X}",
            u32::from(c)
        )));
    }
    if let Some(c) = name.chars().find(|&c| is_bidi_control(c)) {
        return Err(Error::Name(format!(
            "the name contains the bidirectional formatting character U+{:04X}, which changes \
             how the name is displayed",
            u32::from(c)
        )));
    }
    let nfc: String = name.nfc().collect();
    if nfc.is_empty() {
        return Err(Error::Name("the name is empty".into()));
    }
    if nfc.len() > MAX_NAME_BYTES {
        return Err(Error::Name(format!(
            "the name is {} bytes of UTF-8 in NFC; at most {MAX_NAME_BYTES} are supported",
            nfc.len()
        )));
    }
    Ok(nfc)
}

/// `pack(NFC(name))`, see the module docs.
pub fn pack(name: &str) -> Result<Fr> {
    let b = normalize(name)?.into_bytes();
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

/// The name disclosure `H(pack, t)` of a packed name under the blinding value `t`.
pub fn disclosure(pack: Fr, t: Fr) -> Fr {
    poseidon::hash(&[pack, t])
}

/// What the holder hands the verifier beside a proof that discloses the name: the name (in NFC)
/// and the per-presentation blinding value `t` with `name_disclosure = H(pack(name), t)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameOpening {
    name: String,
    pack: Fr,
    t: Fr,
}

impl NameOpening {
    /// An opening of `name` (normalized here) under `t`.
    pub fn new(name: &str, t: Fr) -> Result<Self> {
        let name = normalize(name)?;
        Ok(Self {
            pack: pack(&name)?,
            name,
            t,
        })
    }

    /// An opening of `name` under a fresh `t` from a cryptographic RNG.
    pub fn random<R: RngCore + CryptoRng>(name: &str, rng: &mut R) -> Result<Self> {
        Self::new(name, Fr::rand(rng))
    }

    /// The name, in NFC.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The blinding value `t`.
    pub fn t(&self) -> Fr {
        self.t
    }

    /// `pack(name)`.
    pub fn pack(&self) -> Fr {
        self.pack
    }

    /// The name disclosure this opening opens: `H(pack(name), t)`.
    pub fn disclosure(&self) -> Fr {
        disclosure(self.pack, self.t)
    }
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

    #[test]
    fn control_characters_are_refused() {
        for bad in [
            "Zhang\nWei",
            "Zhang\tWei",
            "\u{7f}Wei",
            "Wei\u{85}",
            "\u{9f}",
            "Wei\u{202E}gnahZ",
            "\u{2067}张伟",
            "Zhang\u{200F}Wei",
            "\u{061C}",
        ] {
            assert!(
                matches!(normalize(bad), Err(Error::Name(_))),
                "{bad:?} accepted"
            );
        }
        // Ordinary spaces and non-ASCII letters are names, and so are names with joiners.
        assert_eq!(normalize("Zhang Wei").unwrap(), "Zhang Wei");
        assert!(normalize("\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}").is_ok());
    }

    #[test]
    fn nfd_and_nfc_pack_alike() {
        let nfc = "Fern\u{e1}ndez \u{d55c}";
        let nfd = "Ferna\u{301}ndez \u{1112}\u{1161}\u{11ab}";
        assert_ne!(nfc, nfd);
        assert_eq!(normalize(nfd).unwrap(), nfc);
        assert_eq!(pack(nfd).unwrap(), pack(nfc).unwrap());
        // The length limit applies to the NFC form: 171 NFD "é" (3 bytes each, 513 bytes) are
        // 171 NFC "é" (2 bytes each, 342 bytes): one too many.
        assert!(pack(&"e\u{301}".repeat(170)).is_ok());
        assert!(pack(&"e\u{301}".repeat(171)).is_err());
        // Two different names stay different.
        assert_ne!(pack("Fernandez").unwrap(), pack(nfc).unwrap());
    }

    #[test]
    fn openings_are_normalized_and_open_their_disclosure() {
        let t = Fr::from(7u64);
        let o = NameOpening::new("Ferna\u{301}ndez", t).unwrap();
        assert_eq!(o.name(), "Fern\u{e1}ndez");
        assert_eq!(
            o.disclosure(),
            disclosure(pack("Fern\u{e1}ndez").unwrap(), t)
        );
        assert_ne!(
            o.disclosure(),
            NameOpening::new("Fernandez", t).unwrap().disclosure()
        );
        assert_ne!(
            o.disclosure(),
            NameOpening::new(o.name(), t + Fr::from(1u64))
                .unwrap()
                .disclosure()
        );
        assert!(NameOpening::new("", t).is_err());
    }
}
