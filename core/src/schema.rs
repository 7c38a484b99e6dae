//! Credential schemas: the meaning of the 8 attribute slots, as data.
//!
//! A schema is JSON (see `schemas/identity-v1.json`, the built-in default). Slots `0..6` are
//! *numeric* (integers below 2^64, range-checked in the circuit); slots `6..8` are *opaque* field
//! elements (hashes), which can be disclosed or used in a set predicate but not range-compared.

use crate::date::{self, Date};
use crate::encoding::parse_fr;
use crate::error::{Error, Result};
use crate::name;
use crate::Fr;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Number of attribute slots.
pub const SLOTS: usize = 8;
/// Number of numeric slots (the first ones).
pub const NUMERIC_SLOTS: usize = 6;
/// The one slot that may hold a name commitment; the circuit opens it for a name disclosure.
pub const NAME_SLOT: usize = 6;

/// The built-in default schema's JSON.
pub const IDENTITY_V1_JSON: &str = include_str!("../schemas/identity-v1.json");
/// The id of the built-in identity schema.
pub const IDENTITY_V1_ID: &str = "identity-v1";

/// Whether a slot holds a 64-bit integer or an opaque field element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    /// An integer below 2^64.
    Numeric,
    /// Any field element.
    Opaque,
}

/// How a slot's value is written in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// `true`/`false` or `0`/`1`.
    Bool,
    /// A date `YYYY-MM-DD` (stored as the integer `YYYYMMDD`).
    Date,
    /// A non-negative integer.
    Integer,
    /// `H(pack(name), name_salt)`, made by the issuer from the holder's name.
    NameCommitment,
    /// Any field element, as a decimal string.
    Field,
}

/// One attribute slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    /// The attribute's name.
    pub name: String,
    /// Numeric or opaque.
    pub kind: SlotKind,
    /// JSON encoding of its values.
    pub encoding: Encoding,
    /// Optional inclusive maximum for integers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
}

/// A credential schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The schema's identifier, e.g. `identity-v1`.
    pub id: String,
    /// Human-readable description.
    #[serde(default)]
    pub description: String,
    /// Exactly 8 slots: 6 numeric, then 2 opaque.
    pub slots: Vec<Slot>,
}

impl Schema {
    /// The built-in `identity-v1` schema (a fresh copy; [`Schema::builtin`] lends the one
    /// shared instance).
    pub fn identity_v1() -> Self {
        Self::from_json(IDENTITY_V1_JSON).expect("the built-in schema is valid")
    }

    /// The built-in schema called `id`, parsed once per process; `None` for an unknown id.
    /// Requests, credentials and the verifier look their schema up here by the id they carry,
    /// so every part of a proof's life uses the same definition.
    pub fn builtin(id: &str) -> Option<&'static Schema> {
        static IDENTITY_V1: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
        (id == IDENTITY_V1_ID).then(|| IDENTITY_V1.get_or_init(Self::identity_v1))
    }

    /// Parses and validates a schema.
    pub fn from_json(s: &str) -> Result<Self> {
        let schema: Schema = serde_json::from_str(s).map_err(|e| Error::Schema(e.to_string()))?;
        schema.validate()?;
        Ok(schema)
    }

    fn validate(&self) -> Result<()> {
        if self.slots.len() != SLOTS {
            return Err(Error::Schema(format!(
                "a schema has exactly {SLOTS} slots, got {}",
                self.slots.len()
            )));
        }
        for (i, s) in self.slots.iter().enumerate() {
            let want = if i < NUMERIC_SLOTS {
                SlotKind::Numeric
            } else {
                SlotKind::Opaque
            };
            if s.kind != want {
                return Err(Error::Schema(format!(
                    "slot {i} (`{}`) must be {want:?}",
                    s.name
                )));
            }
            let numeric_encoding = matches!(
                s.encoding,
                Encoding::Bool | Encoding::Date | Encoding::Integer
            );
            if numeric_encoding != (s.kind == SlotKind::Numeric) {
                return Err(Error::Schema(format!(
                    "slot `{}`: encoding {:?} does not fit a {:?} slot",
                    s.name, s.encoding, s.kind
                )));
            }
            if s.encoding == Encoding::NameCommitment && i != NAME_SLOT {
                return Err(Error::Schema(format!(
                    "slot `{}`: a name commitment can only be slot {NAME_SLOT}",
                    s.name
                )));
            }
            if s.name.is_empty() || s.name == "disclose" || s.name == "name" {
                return Err(Error::Schema(format!(
                    "slot {i} has a reserved or empty name"
                )));
            }
            if self.slots[..i].iter().any(|o| o.name == s.name) {
                return Err(Error::Schema(format!("slot name `{}` is repeated", s.name)));
            }
        }
        Ok(())
    }

    /// The index and definition of the attribute called `name`.
    pub fn slot(&self, name: &str) -> Result<(usize, &Slot)> {
        self.slots
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == name)
            .ok_or_else(|| Error::UnknownAttribute(name.chars().take(64).collect()))
    }

    /// Encodes one JSON value for slot `index`; `today` resolves relative dates.
    ///
    /// Name commitments cannot be written directly; they are made by [`Schema::encode_attributes`].
    pub fn encode_value(&self, index: usize, v: &Value, today: Option<Date>) -> Result<Fr> {
        let slot = &self.slots[index];
        let err = |reason: String| Error::AttributeValue {
            name: slot.name.clone(),
            reason,
        };
        let int = match (slot.encoding, v) {
            (Encoding::Bool, Value::Bool(b)) => u64::from(*b),
            (Encoding::Bool, Value::Number(n)) => match n.as_u64() {
                Some(x @ (0 | 1)) => x,
                _ => return Err(err(format!("expected true, false, 0 or 1, got {n}"))),
            },
            (Encoding::Date, Value::String(s)) => match today {
                Some(t) => date::resolve(s, t)?,
                None => Date::parse(s)?.yyyymmdd(),
            },
            (Encoding::Date, Value::Number(n)) => n
                .as_u64()
                .and_then(Date::from_yyyymmdd)
                .map(|d| d.yyyymmdd())
                .ok_or_else(|| err(format!("{n} is not a YYYYMMDD date")))?,
            (Encoding::Integer, Value::Number(n)) => {
                n.as_u64().ok_or_else(|| Error::NumericOutOfRange {
                    name: slot.name.clone(),
                    value: n.to_string(),
                })?
            }
            (Encoding::Integer, Value::String(s)) => {
                let x = parse_fr(s)?;
                crate::encoding::fr_to_u64(&x).ok_or_else(|| Error::NumericOutOfRange {
                    name: slot.name.clone(),
                    value: s.clone(),
                })?
            }
            (Encoding::Field | Encoding::NameCommitment, Value::String(s)) => return parse_fr(s),
            (Encoding::Field | Encoding::NameCommitment, Value::Number(n)) => {
                return n.as_u64().map(Fr::from).ok_or_else(|| {
                    err(format!(
                        "{n} is not a field element; write large values as decimal strings"
                    ))
                })
            }
            (e, v) => return Err(err(format!("{v} is not a valid {e:?} value"))),
        };
        if let Some(max) = slot.max {
            if int > max {
                return Err(err(format!("{int} exceeds the schema's maximum {max}")));
            }
        }
        Ok(Fr::from(int))
    }

    /// Builds the 8 attribute values from an issuance request.
    ///
    /// `attrs` is a JSON object with one entry per slot by name, plus `name` (the holder's
    /// name, from which the name commitment is made with `name_salt`). Opaque `field` slots
    /// default to 0; every other slot is required; unknown keys are rejected.
    pub fn encode_attributes(&self, attrs: &Value, name_salt: Fr) -> Result<Attributes> {
        let obj = attrs
            .as_object()
            .ok_or_else(|| Error::Json("attributes must be a JSON object".into()))?;
        for k in obj.keys() {
            if k != "name" {
                self.slot(k)?;
            }
        }
        let mut values = [Fr::from(0u64); SLOTS];
        for (i, slot) in self.slots.iter().enumerate() {
            values[i] = match (slot.encoding, obj.get(&slot.name)) {
                (Encoding::NameCommitment, Some(_)) => {
                    return Err(Error::AttributeValue {
                        name: slot.name.clone(),
                        reason: "is computed from `name`; do not give it".into(),
                    })
                }
                (Encoding::NameCommitment, None) => {
                    let n = obj
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| Error::Name("`name` (a string) is required".into()))?;
                    name::name_commitment(n, name_salt)?
                }
                (_, Some(v)) => self.encode_value(i, v, None)?,
                (Encoding::Field, None) => Fr::from(0u64),
                (_, None) => {
                    return Err(Error::AttributeValue {
                        name: slot.name.clone(),
                        reason: "is required".into(),
                    })
                }
            };
        }
        Attributes::new(values)
    }
}

/// The 8 attribute values, with numeric slots checked to be below 2^64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attributes([Fr; SLOTS]);

impl Attributes {
    /// Checks that slots `0..6` are below 2^64.
    pub fn new(values: [Fr; SLOTS]) -> Result<Self> {
        for (i, v) in values[..NUMERIC_SLOTS].iter().enumerate() {
            if crate::encoding::fr_to_u64(v).is_none() {
                return Err(Error::NumericOutOfRange {
                    name: format!("slot {i}"),
                    value: crate::encoding::fr_to_string(v),
                });
            }
        }
        Ok(Self(values))
    }

    /// Builds attributes without the 64-bit check: only for constructing invalid witnesses in
    /// soundness tests.
    #[doc(hidden)]
    pub fn new_unchecked(values: [Fr; SLOTS]) -> Self {
        Self(values)
    }

    /// The values.
    pub fn values(&self) -> &[Fr; SLOTS] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtin_schema_is_valid() {
        let s = Schema::identity_v1();
        assert_eq!(s.slot("birth_date").unwrap().0, 1);
        assert_eq!(s.slot("name_commitment").unwrap().1.kind, SlotKind::Opaque);
        assert!(matches!(s.slot("height"), Err(Error::UnknownAttribute(_))));
    }

    #[test]
    fn invalid_schemas_are_rejected() {
        let mut v: Value = serde_json::from_str(IDENTITY_V1_JSON).unwrap();
        v["slots"].as_array_mut().unwrap().pop();
        assert!(Schema::from_json(&v.to_string()).is_err());
        let mut v: Value = serde_json::from_str(IDENTITY_V1_JSON).unwrap();
        v["slots"][1]["name"] = json!("real_name_verified");
        assert!(Schema::from_json(&v.to_string()).is_err());
        let mut v: Value = serde_json::from_str(IDENTITY_V1_JSON).unwrap();
        v["slots"][0]["kind"] = json!("opaque");
        assert!(Schema::from_json(&v.to_string()).is_err());
        let mut v: Value = serde_json::from_str(IDENTITY_V1_JSON).unwrap();
        v["slots"][7]["encoding"] = json!("name_commitment");
        assert!(Schema::from_json(&v.to_string()).is_err());
    }

    #[test]
    fn attributes_are_encoded_and_checked() {
        let s = Schema::identity_v1();
        let ok = json!({"name": "张伟", "real_name_verified": true, "birth_date": "2008-02-29",
            "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1});
        let a = s.encode_attributes(&ok, Fr::from(5u64)).unwrap();
        assert_eq!(a.values()[1], Fr::from(20080229u64));
        assert_eq!(
            a.values()[6],
            name::name_commitment("张伟", Fr::from(5u64)).unwrap()
        );
        for (k, v) in [
            ("birth_date", json!("2008-02-30")),
            ("nationality", json!(1000)),
            ("nationality", json!(-1)),
            ("real_name_verified", json!(2)),
            ("region", json!("18446744073709551616")),
            ("height", json!(180)),
            ("name_commitment", json!("1")),
        ] {
            let mut bad = ok.clone();
            bad[k] = v;
            assert!(s.encode_attributes(&bad, Fr::from(5u64)).is_err(), "{k}");
        }
        let mut missing = ok.clone();
        missing.as_object_mut().unwrap().remove("birth_date");
        assert!(s.encode_attributes(&missing, Fr::from(5u64)).is_err());
    }
}
