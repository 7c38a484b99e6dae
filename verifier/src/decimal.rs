//! Canonical decimal field elements, the number format of every JSON file we read.
//!
//! A canonical decimal has only ASCII digits, no sign, no leading zeros (except `"0"` itself)
//! and a value below the field's modulus. Anything else is rejected, never reduced, so every
//! number has exactly one spelling. Base-field (`Fq`, modulus `q`) numbers are point
//! coordinates; scalar-field (`Fr`, modulus `p`) numbers are public inputs and attributes.

use crate::error::{Error, Result};
use ark_bn254::{Fq, Fr};
use ark_ff::PrimeField;
use num_bigint::BigUint;

/// Longest decimal below either BN254 modulus (both have 77 digits).
const MAX_DIGITS: usize = 77;

/// The value of `s` if it is a canonical decimal below `modulus`.
fn canonical<F: PrimeField>(s: &str) -> Option<F>
where
    BigUint: From<F::BigInt>,
{
    let digits_only = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || s.len() > MAX_DIGITS || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    let n = BigUint::parse_bytes(s.as_bytes(), 10)?;
    if n >= BigUint::from(F::MODULUS) {
        return None;
    }
    Some(F::from_le_bytes_mod_order(&n.to_bytes_le()))
}

fn non_canonical(what: &str, s: &str, field: &'static str) -> Error {
    Error::NonCanonical {
        what: what.to_string(),
        value: s.chars().take(80).collect(),
        field,
    }
}

/// Parses a canonical decimal below the base-field modulus `q` (a point coordinate).
pub fn parse_fq(s: &str, what: &str) -> Result<Fq> {
    canonical(s).ok_or_else(|| non_canonical(what, s, "base field (q)"))
}

/// Parses a canonical decimal below the scalar-field modulus `p` (a public input).
pub fn parse_fr(s: &str, what: &str) -> Result<Fr> {
    canonical(s).ok_or_else(|| non_canonical(what, s, "scalar field (p)"))
}

/// The canonical decimal of a base-field element.
pub fn fq_to_string(x: &Fq) -> String {
    x.into_bigint().to_string()
}

/// The canonical decimal of a scalar-field element.
pub fn fr_to_string(x: &Fr) -> String {
    x.into_bigint().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: &str = "21888242871839275222246405745257275088696311157297823662689037894645226208583";
    const P: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";

    #[test]
    fn moduli_and_edges() {
        assert_eq!(BigUint::from(Fq::MODULUS).to_string(), Q);
        assert_eq!(BigUint::from(Fr::MODULUS).to_string(), P);
        let q_minus_1 =
            "21888242871839275222246405745257275088696311157297823662689037894645226208582";
        assert_eq!(parse_fq(q_minus_1, "x").unwrap(), -Fq::from(1u64));
        assert_eq!(fq_to_string(&-Fq::from(1u64)), q_minus_1);
        assert!(parse_fq(Q, "x").is_err());
        // p <= x < q is a valid coordinate but not a valid scalar.
        assert!(parse_fq(P, "x").is_ok());
        assert!(parse_fr(P, "x").is_err());
        assert_eq!(parse_fr("0", "x").unwrap(), Fr::from(0u64));
        assert_eq!(fr_to_string(&Fr::from(110105u64)), "110105");
    }

    #[test]
    fn non_canonical_spellings_are_rejected() {
        let too_long = "1".repeat(78);
        for bad in [
            "", "-1", "+1", "01", "00", "1.0", " 1", "1 ", "0x10", "1e3", "١", &too_long,
        ] {
            let e = parse_fq(bad, "vk_alpha_1[0]").unwrap_err();
            assert!(matches!(e, Error::NonCanonical { .. }), "{bad:?}: {e}");
            assert!(e.is_malformed());
            assert!(parse_fr(bad, "public[0]").is_err(), "{bad:?}");
        }
    }
}
