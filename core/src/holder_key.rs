//! The holder key file (`holder.key`, docs/formats.md), mode 0600:
//!
//! ```json
//! {"type": "zkcred-holder-secret", "version": 1, "secret": "<decimal>", "hpk": "<decimal>"}
//! ```
//!
//! Reading refuses unknown fields, another `type` or `version`, a non-canonical secret or
//! `hpk`, and an `hpk` that is not `H(secret)`. No error carries the secret.

use crate::credential::HolderSecret;
use crate::encoding::{fr_to_string, parse_fr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The `type` of a holder key file.
pub const KEY_TYPE: &str = "zkcred-holder-secret";
/// The holder key format version.
pub const KEY_VERSION: u32 = 1;

/// Why a holder key file was refused. No variant carries the secret.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum HolderKeyError {
    /// Not JSON, or not the key file's shape (missing or unknown fields, wrong types).
    #[error("not a zkcred holder key file")]
    Malformed,
    /// Another `type` or `version`.
    #[error("not a zkcred holder key file (type/version)")]
    Kind,
    /// The secret is not a canonical field element.
    #[error("the secret is not a canonical field element")]
    Secret,
    /// `hpk` is not a canonical field element.
    #[error("`hpk` is not a canonical field element")]
    PublicKey,
    /// `hpk` is not `H(secret)`.
    #[error("`hpk` does not match the secret")]
    Mismatch,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: String,
    version: u32,
    secret: String,
    hpk: String,
}

/// The key file text for `secret` (indented JSON).
pub fn to_json(secret: &HolderSecret) -> String {
    let file = KeyFile {
        kind: KEY_TYPE.into(),
        version: KEY_VERSION,
        secret: fr_to_string(&secret.expose()),
        hpk: fr_to_string(&secret.public_key()),
    };
    // Four strings and a number: this cannot fail.
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Reads key file text (see the module docs for what is refused).
pub fn from_json(text: &str) -> Result<HolderSecret, HolderKeyError> {
    // serde's message could quote the secret: drop it.
    let file: KeyFile = serde_json::from_str(text).map_err(|_| HolderKeyError::Malformed)?;
    if file.kind != KEY_TYPE || file.version != KEY_VERSION {
        return Err(HolderKeyError::Kind);
    }
    let secret = HolderSecret::from_decimal(&file.secret).map_err(|_| HolderKeyError::Secret)?;
    let hpk = parse_fr(&file.hpk).map_err(|_| HolderKeyError::PublicKey)?;
    if secret.public_key() != hpk {
        return Err(HolderKeyError::Mismatch);
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fr;

    #[test]
    fn round_trip_and_refusals_without_the_secret() {
        let s = HolderSecret::from_fr(Fr::from(123456789u64));
        let text = to_json(&s);
        assert_eq!(from_json(&text), Ok(s.clone()));
        let other = to_json(&HolderSecret::from_fr(Fr::from(5u64)));
        let hpk_of_other = &other[other.find("\"hpk\"").unwrap()..];
        let swapped = format!("{}{hpk_of_other}", &text[..text.find("\"hpk\"").unwrap()]);
        assert_eq!(from_json(&swapped), Err(HolderKeyError::Mismatch));
        let wrong_type = text.replace(KEY_TYPE, "zkcred-holder-public");
        assert_eq!(from_json(&wrong_type), Err(HolderKeyError::Kind));
        let extra = text.replacen('{', "{\"x\": 1,", 1);
        assert_eq!(from_json(&extra), Err(HolderKeyError::Malformed));
        for bad in [&swapped, &wrong_type, &extra] {
            let e = from_json(bad).unwrap_err().to_string();
            assert!(!e.contains("123456789"), "{e}");
        }
    }
}
