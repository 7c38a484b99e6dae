//! Canonical encodings of field elements.
//!
//! At every trust boundary a field element is a decimal string with no sign, no leading zeros
//! and a value below the BN254 scalar modulus `p`; anything else is rejected rather than reduced
//! modulo `p`, so one number has exactly one spelling.

use crate::error::{Error, Result};
use ark_ff::{BigInteger, PrimeField};
use num_bigint::BigUint;

use crate::Fr;

/// Parses a canonical decimal field element.
pub fn parse_fr(s: &str) -> Result<Fr> {
    let bad = || Error::FieldElement(s.chars().take(100).collect());
    if s.is_empty() || s.len() > 78 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(bad());
    }
    let n = BigUint::parse_bytes(s.as_bytes(), 10).ok_or_else(bad)?;
    if n >= BigUint::from(Fr::MODULUS) {
        return Err(bad());
    }
    Ok(Fr::from_le_bytes_mod_order(&n.to_bytes_le()))
}

/// Formats a field element as its canonical decimal string.
pub fn fr_to_string(x: &Fr) -> String {
    x.into_bigint().to_string()
}

/// The value of `x` as a `u64`, if it is below 2^64.
pub fn fr_to_u64(x: &Fr) -> Option<u64> {
    let b = x.into_bigint();
    if b.0[1..].iter().all(|l| *l == 0) {
        Some(b.0[0])
    } else {
        None
    }
}

/// The 32-byte big-endian encoding of a field element.
pub fn fr_to_be_bytes(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

/// Reads the 32-byte big-endian encoding of a field element; `None` unless the value is below
/// the modulus (one element, one encoding: nothing is reduced).
pub fn fr_from_be_bytes(b: &[u8; 32]) -> Option<Fr> {
    // Limbs are little-endian; the bytes are big-endian.
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().rev().zip(b.chunks_exact(8)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        *limb = u64::from_be_bytes(w);
    }
    Fr::from_bigint(ark_ff::BigInt::new(limbs))
}

/// Serde adapter: one field element as a canonical decimal string.
pub mod fr_dec {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes `x` as a decimal string.
    pub fn serialize<S: Serializer>(x: &Fr, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&fr_to_string(x))
    }

    /// Deserializes a canonical decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Fr, D::Error> {
        let s = String::deserialize(d)?;
        parse_fr(&s).map_err(serde::de::Error::custom)
    }
}

/// Serde adapter: a fixed-size array of field elements as decimal strings.
pub mod fr_dec_array {
    use super::*;
    use serde::{ser::SerializeSeq, Deserialize, Deserializer, Serializer};

    /// Serializes the array as a list of decimal strings.
    pub fn serialize<S: Serializer, const N: usize>(
        xs: &[Fr; N],
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(N))?;
        for x in xs {
            seq.serialize_element(&fr_to_string(x))?;
        }
        seq.end()
    }

    /// Deserializes exactly `N` canonical decimal strings.
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> std::result::Result<[Fr; N], D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        if v.len() != N {
            return Err(serde::de::Error::custom(format!(
                "expected {N} field elements, got {}",
                v.len()
            )));
        }
        let mut out = [Fr::from(0u64); N];
        for (o, s) in out.iter_mut().zip(&v) {
            *o = parse_fr(s).map_err(serde::de::Error::custom)?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_bytes_round_trip_and_the_modulus_is_refused() {
        for x in [Fr::from(0u64), Fr::from(7u64), -Fr::from(1u64)] {
            assert_eq!(fr_from_be_bytes(&fr_to_be_bytes(&x)), Some(x));
        }
        // p itself, and the all-ones value, are not canonical encodings.
        let mut p = fr_to_be_bytes(&-Fr::from(1u64));
        p[31] += 1;
        assert_eq!(fr_from_be_bytes(&p), None);
        assert_eq!(fr_from_be_bytes(&[0xff; 32]), None);
    }

    #[test]
    fn decimal_round_trip_and_rejections() {
        let p_minus_1 =
            "21888242871839275222246405745257275088548364400416034343698204186575808495616";
        let x = parse_fr(p_minus_1).unwrap();
        assert_eq!(x, -Fr::from(1u64));
        assert_eq!(fr_to_string(&x), p_minus_1);
        assert_eq!(parse_fr("0").unwrap(), Fr::from(0u64));
        for bad in [
            "",
            "-1",
            "+1",
            "01",
            "1.0",
            " 1",
            "0x10",
            "21888242871839275222246405745257275088548364400416034343698204186575808495617",
        ] {
            assert!(parse_fr(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn u64_conversion_edges() {
        assert_eq!(fr_to_u64(&Fr::from(u64::MAX)), Some(u64::MAX));
        assert_eq!(fr_to_u64(&(Fr::from(u64::MAX) + Fr::from(1u64))), None);
        assert_eq!(fr_to_u64(&-Fr::from(1u64)), None);
    }
}
