//! The credential's JSON form and the checks made when reading it.
//!
//! Reading refuses, each with its own [`CredentialError`]: malformed JSON or unknown fields, a
//! wrong `@context` or `type`, an `issuer` that is not an issuer DID in its canonical form ([`crate::did`]), a
//! `validFrom` that is not `YYYY-MM-DDTHH:MM:SSZ`, any field element that is not a canonical
//! decimal string, an attribute set that is not exactly the schema's slots, an attribute value
//! that does not fit its slot, a name that is not in its normal form (Unicode NFC, no control
//! characters), a name commitment that differs from `H(pack(name), nameSalt)`, a
//! leaf that differs from `H(hpk, a_0..a_7, salt)`, a leaf index beyond the tree, and a
//! `validUntil` that is not the start of the `expiry_date`.

use super::document::{validate_schema, Credential, Layout, VC_CONTEXT, VC_TYPES};
use super::{leaf_commitment, Attributes};
use crate::clock::{date_start, format_rfc3339, parse_rfc3339};
use crate::encoding::{fr_to_string, parse_fr};
use crate::name::{name_commitment, normalize};
use crate::schema::{Encoding, Schema, SLOTS};
use crate::tree::CAPACITY;
use crate::Fr;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// Why a credential file was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CredentialError {
    /// Not JSON, or not the credential's shape (missing or unknown fields, wrong types).
    #[error("malformed credential JSON: {0}")]
    Json(String),
    /// `@context` is not `["https://www.w3.org/ns/credentials/v2"]`.
    #[error("unexpected @context {0}")]
    Context(String),
    /// `type` is not `["VerifiableCredential", "ZkcredCredential"]`.
    #[error("unexpected type {0}")]
    Type(String),
    /// `issuer` is not an issuer DID (`did:key:z…` or `did:pkh:eip155:…`) in its one form.
    #[error("invalid issuer: {0}")]
    Issuer(crate::did::DidError),
    /// `validFrom` is not `YYYY-MM-DDTHH:MM:SSZ`.
    #[error("invalid validFrom {0:?}: expected YYYY-MM-DDTHH:MM:SSZ")]
    ValidFrom(String),
    /// `validUntil` is not the start of the `expiry_date` attribute (or is present without one).
    #[error(
        "validUntil {found:?} does not match the expiry_date attribute (expected {expected:?})"
    )]
    ValidUntil {
        /// What the attributes imply.
        expected: Option<String>,
        /// What the file says.
        found: Option<String>,
    },
    /// A field element that is not a canonical decimal string below the modulus.
    #[error("`{field}` is not a canonical field element: {value:?}")]
    FieldElement {
        /// The field.
        field: String,
        /// Its value (truncated).
        value: String,
    },
    /// The schema given to the reader is invalid.
    #[error("invalid schema: {0}")]
    Schema(crate::Error),
    /// The credential's schema is not one this reader knows.
    #[error("unknown schema `{0}`: read it with the schema's JSON")]
    UnknownSchema(String),
    /// The credential names another schema than the one it is read with.
    #[error("the credential uses schema `{found}`, not `{expected}`")]
    SchemaMismatch {
        /// The schema given to the reader.
        expected: String,
        /// The schema the credential names.
        found: String,
    },
    /// A schema slot is missing from `attributes`.
    #[error("attribute `{0}` is missing")]
    MissingAttribute(String),
    /// `attributes` has a key that is not a schema slot.
    #[error("attribute `{0}` is not in the schema")]
    UnknownAttribute(String),
    /// `attributes` names a slot twice.
    #[error("attribute `{0}` appears twice")]
    DuplicateAttribute(String),
    /// An attribute value does not fit its slot (range, boolean, date, maximum).
    #[error("attribute value: {0}")]
    AttributeValue(crate::Error),
    /// `name`/`nameSalt` are missing, invalid, or present for a schema without a name commitment.
    #[error("name: {0}")]
    Name(String),
    /// `H(pack(name), nameSalt)` differs from the `name_commitment` attribute.
    #[error("the name commitment does not match name and nameSalt")]
    NameCommitmentMismatch,
    /// `H(hpk, attributes, salt)` differs from `leaf`.
    #[error("the leaf does not match hpk, attributes and salt")]
    LeafMismatch,
    /// `leafIndex` is beyond the tree's capacity.
    #[error("leafIndex {0} is beyond the tree's 4^16 leaves")]
    LeafIndex(u64),
}

impl crate::error::Classify for CredentialError {
    /// A refused credential file is always malformed input.
    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Malformed
    }
}

/// The JSON document, as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialJson {
    #[serde(rename = "@context")]
    context: Vec<String>,
    #[serde(rename = "type")]
    types: Vec<String>,
    issuer: String,
    #[serde(rename = "validFrom")]
    valid_from: String,
    #[serde(
        rename = "validUntil",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    valid_until: Option<String>,
    #[serde(rename = "credentialSubject")]
    subject: SubjectJson,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SubjectJson {
    hpk: String,
    schema: String,
    attributes: AttributeList,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name_salt: Option<String>,
    salt: String,
    leaf_index: u64,
    leaf: String,
}

/// A JSON object of decimal strings, kept in document order with duplicates preserved.
struct AttributeList(Vec<(String, String)>);

impl Serialize for AttributeList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for AttributeList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AttributeList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of decimal strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<AttributeList, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = a.next_entry::<String, String>()? {
                    out.push(entry);
                }
                Ok(AttributeList(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Credential {
    pub(crate) fn to_wire(&self) -> impl Serialize {
        let names = &self.layout.slot_names;
        let attributes = names
            .iter()
            .zip(self.attributes.values())
            .map(|(n, v)| (n.clone(), fr_to_string(v)))
            .collect();
        CredentialJson {
            context: vec![VC_CONTEXT.into()],
            types: VC_TYPES.iter().map(|t| t.to_string()).collect(),
            issuer: self.issuer.to_string(),
            valid_from: format_rfc3339(self.issued_at),
            valid_until: self.expiry().map(date_start),
            subject: SubjectJson {
                hpk: fr_to_string(&self.hpk),
                schema: self.layout.schema_id.clone(),
                attributes: AttributeList(attributes),
                name: self.name.clone(),
                name_salt: self.name_salt.as_ref().map(fr_to_string),
                salt: fr_to_string(&self.salt),
                leaf_index: u64::from(self.leaf_index),
                leaf: fr_to_string(&self.leaf),
            },
        }
    }

    /// Reads and checks a credential of a built-in schema (`identity-v1`).
    ///
    /// For another schema use [`Credential::from_json_with_schema`].
    pub fn from_json(json: &str) -> Result<Self, CredentialError> {
        let wire = parse_wire(json)?;
        let builtin = Schema::identity_v1();
        if wire.subject.schema != builtin.id {
            return Err(CredentialError::UnknownSchema(truncate(
                &wire.subject.schema,
            )));
        }
        check(wire, &builtin)
    }

    /// Reads and checks a credential of `schema`.
    pub fn from_json_with_schema(json: &str, schema: &Schema) -> Result<Self, CredentialError> {
        validate_schema(schema).map_err(CredentialError::Schema)?;
        check(parse_wire(json)?, schema)
    }
}

fn parse_wire(json: &str) -> Result<CredentialJson, CredentialError> {
    serde_json::from_str(json).map_err(|e| CredentialError::Json(e.to_string()))
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}

fn fr(field: &str, s: &str) -> Result<Fr, CredentialError> {
    parse_fr(s).map_err(|_| CredentialError::FieldElement {
        field: field.into(),
        value: truncate(s),
    })
}

fn check(w: CredentialJson, schema: &Schema) -> Result<Credential, CredentialError> {
    if w.context != [VC_CONTEXT] {
        return Err(CredentialError::Context(format!("{:?}", w.context)));
    }
    if w.types != VC_TYPES {
        return Err(CredentialError::Type(format!("{:?}", w.types)));
    }
    crate::did::IssuerDid::parse(&w.issuer).map_err(CredentialError::Issuer)?;
    let issued_at = parse_rfc3339(&w.valid_from)
        .ok_or_else(|| CredentialError::ValidFrom(truncate(&w.valid_from)))?;
    let s = w.subject;
    if s.schema != schema.id {
        return Err(CredentialError::SchemaMismatch {
            expected: schema.id.clone(),
            found: truncate(&s.schema),
        });
    }
    let hpk = fr("hpk", &s.hpk)?;
    let salt = fr("salt", &s.salt)?;
    let leaf = fr("leaf", &s.leaf)?;
    let attributes = check_attributes(&s.attributes, schema)?;
    let name_salt = s
        .name_salt
        .as_deref()
        .map(|v| fr("nameSalt", v))
        .transpose()?;
    check_name(schema, &attributes, s.name.as_deref(), name_salt)?;
    if leaf_commitment(hpk, &attributes, salt) != leaf {
        return Err(CredentialError::LeafMismatch);
    }
    let leaf_index = u32::try_from(s.leaf_index)
        .ok()
        .filter(|i| u64::from(*i) < CAPACITY)
        .ok_or(CredentialError::LeafIndex(s.leaf_index))?;
    let cred = Credential {
        issuer: w.issuer.into(),
        issued_at,
        hpk,
        layout: Arc::new(Layout::new(schema)),
        attributes,
        name: s.name,
        name_salt,
        salt,
        leaf_index,
        leaf,
    };
    let expected = cred.expiry().map(date_start);
    if w.valid_until != expected {
        return Err(CredentialError::ValidUntil {
            expected,
            found: w.valid_until.as_deref().map(truncate),
        });
    }
    Ok(cred)
}

/// Checks that `list` names each slot exactly once with a value that fits it.
fn check_attributes(list: &AttributeList, schema: &Schema) -> Result<Attributes, CredentialError> {
    let mut values: [Option<Fr>; SLOTS] = [None; SLOTS];
    for (k, v) in &list.0 {
        let (i, slot) = schema
            .slot(k)
            .map_err(|_| CredentialError::UnknownAttribute(truncate(k)))?;
        if values[i].is_some() {
            return Err(CredentialError::DuplicateAttribute(k.clone()));
        }
        let x = fr(&format!("attributes.{k}"), v)?;
        if matches!(
            slot.encoding,
            Encoding::Bool | Encoding::Date | Encoding::Integer
        ) {
            // Re-encode the integer to apply the slot's rules (0/1, valid date, maximum).
            let n = crate::encoding::fr_to_u64(&x).ok_or_else(|| {
                CredentialError::AttributeValue(crate::Error::NumericOutOfRange {
                    name: k.clone(),
                    value: v.clone(),
                })
            })?;
            schema
                .encode_value(i, &Value::from(n), None)
                .map_err(CredentialError::AttributeValue)?;
        }
        values[i] = Some(x);
    }
    let mut out = [Fr::from(0u64); SLOTS];
    for ((o, v), slot) in out.iter_mut().zip(values).zip(&schema.slots) {
        *o = v.ok_or_else(|| CredentialError::MissingAttribute(slot.name.clone()))?;
    }
    Attributes::new(out).map_err(CredentialError::AttributeValue)
}

/// Checks `name` and `nameSalt` against the name-commitment slot.
fn check_name(
    schema: &Schema,
    attributes: &Attributes,
    name: Option<&str>,
    name_salt: Option<Fr>,
) -> Result<(), CredentialError> {
    let slot = schema
        .slots
        .iter()
        .position(|s| s.encoding == Encoding::NameCommitment);
    match (slot, name, name_salt) {
        (None, None, None) => Ok(()),
        (None, _, _) => Err(CredentialError::Name(
            "the schema has no name commitment, so the credential must not carry a name".into(),
        )),
        (Some(i), Some(name), Some(salt)) => {
            let normal = normalize(name).map_err(|e| CredentialError::Name(e.to_string()))?;
            if normal != name {
                return Err(CredentialError::Name(
                    "the name is not in Unicode NFC (issuers store names normalized)".into(),
                ));
            }
            let c =
                name_commitment(name, salt).map_err(|e| CredentialError::Name(e.to_string()))?;
            if c == attributes.values()[i] {
                Ok(())
            } else {
                Err(CredentialError::NameCommitmentMismatch)
            }
        }
        (Some(_), _, _) => Err(CredentialError::Name(
            "`name` and `nameSalt` are required".into(),
        )),
    }
}
