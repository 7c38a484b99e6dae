//! The credential the issuer hands to a holder.
//!
//! Its JSON form (see `docs/formats.md`, "Credential") has the shape of a W3C Verifiable
//! Credential 2.0. It carries everything the holder needs to prove, except the holder secret:
//! `hpk`, the 8 encoded attributes, the name and its salt, the leaf salt, the leaf index and the
//! leaf. A [`Credential`] value is always consistent: it is made by issuance or read by
//! [`Credential::from_json`], which recomputes the name commitment and the leaf and refuses any
//! mismatch (see [`crate::credential_json`]).

use crate::time::format_rfc3339;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::sync::Arc;
use zkcred_core::credential::{leaf_commitment, Attributes};
use zkcred_core::date::Date;
use zkcred_core::encoding::fr_to_u64;
use zkcred_core::schema::{Encoding, Schema};
use zkcred_core::tree::LeafIndex;
use zkcred_core::Fr;

pub use crate::credential_json::CredentialError;

/// The `@context` of every credential.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The `type` of every credential.
pub const VC_TYPES: [&str; 2] = ["VerifiableCredential", "ZkcredCredential"];
/// The prefix of the `issuer` field, followed by the issuer id in lowercase hex.
pub const ISSUER_PREFIX: &str = "zkcred:issuer:";
/// The attribute whose date becomes `validUntil`.
pub const EXPIRY_SLOT: &str = "expiry_date";

/// A holder's credential (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub(crate) issuer_id: [u8; 16],
    pub(crate) issued_at: u64,
    pub(crate) hpk: Fr,
    pub(crate) layout: Arc<Layout>,
    pub(crate) attributes: Attributes,
    pub(crate) name: Option<String>,
    pub(crate) name_salt: Option<Fr>,
    pub(crate) salt: Fr,
    pub(crate) leaf_index: LeafIndex,
    pub(crate) leaf: Fr,
}

impl Credential {
    /// The issuer id (random, fixed when the issuer database was created).
    pub fn issuer_id(&self) -> [u8; 16] {
        self.issuer_id
    }

    /// The `issuer` field: `zkcred:issuer:<hex id>`.
    pub fn issuer(&self) -> String {
        format!("{ISSUER_PREFIX}{}", hex::encode(self.issuer_id))
    }

    /// Issuance time, Unix seconds (`validFrom`).
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// `validFrom`: the issuance time as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn valid_from(&self) -> String {
        format_rfc3339(self.issued_at)
    }

    /// The expiry date (`validUntil`), if the schema has a date slot called `expiry_date`.
    pub fn expiry(&self) -> Option<Date> {
        self.layout.expiry(&self.attributes)
    }

    /// The holder's public key `hpk = H(s)`.
    pub fn hpk(&self) -> Fr {
        self.hpk
    }

    /// The schema id the attributes are encoded with.
    pub fn schema_id(&self) -> &str {
        &self.layout.schema_id
    }

    /// The 8 encoded attribute values, in schema order.
    pub fn attributes(&self) -> Attributes {
        self.attributes
    }

    /// The encoded value of the attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<Fr> {
        let i = self.layout.slot_names.iter().position(|n| n == name)?;
        Some(self.attributes.values()[i])
    }

    /// The holder's name, committed to in the name-commitment slot (if the schema has one).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The salt of the name commitment.
    pub fn name_salt(&self) -> Option<Fr> {
        self.name_salt
    }

    /// The leaf salt `r`.
    pub fn salt(&self) -> Fr {
        self.salt
    }

    /// The leaf's index in the issuer tree.
    pub fn leaf_index(&self) -> LeafIndex {
        self.leaf_index
    }

    /// The leaf `H(hpk, a_0..a_7, r)`.
    pub fn leaf(&self) -> Fr {
        self.leaf
    }

    /// The credential as compact JSON (one line).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.to_wire()).expect("a credential always serializes")
    }

    /// The credential as indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.to_wire()).expect("a credential always serializes")
    }
}

impl Serialize for Credential {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_wire().serialize(s)
    }
}

/// What issuance computes for one credential before it gets its leaf index.
#[derive(Clone, Debug)]
pub(crate) struct Draft {
    pub hpk: Fr,
    pub attributes: Attributes,
    pub name: Option<String>,
    pub name_salt: Option<Fr>,
    pub salt: Fr,
    pub leaf: Fr,
}

impl Draft {
    /// Encodes `attrs` with `schema` and computes the leaf.
    pub fn new(
        schema: &Schema,
        hpk: Fr,
        attrs: &Value,
        name_salt: Fr,
        salt: Fr,
    ) -> Result<Self, zkcred_core::Error> {
        let attributes = schema.encode_attributes(attrs, name_salt)?;
        let (name, name_salt) = if has_name_commitment(schema) {
            // `encode_attributes` has checked that `name` is a string and committed to its
            // normal form (NFC, no control characters); the credential stores that form.
            let name = (attrs.get("name").and_then(Value::as_str))
                .map(zkcred_core::name::normalize)
                .transpose()?;
            (name, Some(name_salt))
        } else {
            (None, None)
        };
        Ok(Self {
            hpk,
            leaf: leaf_commitment(hpk, &attributes, salt),
            attributes,
            name,
            name_salt,
            salt,
        })
    }
}

/// What a credential needs to know of its schema: the id, the slot names and the expiry slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub schema_id: String,
    pub slot_names: Vec<String>,
    pub expiry_slot: Option<usize>,
}

impl Layout {
    pub fn new(schema: &Schema) -> Self {
        Self {
            schema_id: schema.id.clone(),
            slot_names: schema.slots.iter().map(|s| s.name.clone()).collect(),
            expiry_slot: schema
                .slots
                .iter()
                .position(|s| s.name == EXPIRY_SLOT && s.encoding == Encoding::Date),
        }
    }

    /// The expiry date of `attributes`, if this schema has an expiry slot.
    pub fn expiry(&self, attributes: &Attributes) -> Option<Date> {
        let v = attributes.values()[self.expiry_slot?];
        fr_to_u64(&v).and_then(Date::from_yyyymmdd)
    }
}

/// The fields shared by every credential of one issuance call.
#[derive(Clone, Debug)]
pub(crate) struct IssueContext {
    pub issuer_id: [u8; 16],
    pub issued_at: u64,
    pub layout: Arc<Layout>,
}

impl IssueContext {
    pub fn new(schema: &Schema, issuer_id: [u8; 16], issued_at: u64) -> Self {
        Self {
            issuer_id,
            issued_at,
            layout: Arc::new(Layout::new(schema)),
        }
    }

    /// The credential of `draft` at `leaf_index`.
    pub fn credential(&self, draft: Draft, leaf_index: LeafIndex) -> Credential {
        Credential {
            issuer_id: self.issuer_id,
            issued_at: self.issued_at,
            hpk: draft.hpk,
            layout: self.layout.clone(),
            attributes: draft.attributes,
            name: draft.name,
            name_salt: draft.name_salt,
            salt: draft.salt,
            leaf_index,
            leaf: draft.leaf,
        }
    }
}

/// Checks a schema that may have been built in code rather than read with `Schema::from_json`
/// (its fields are public), so that slot indices are always below 8.
pub(crate) fn validate_schema(schema: &Schema) -> Result<(), zkcred_core::Error> {
    Schema::from_json(&serde_json::to_string(schema)?).map(|_| ())
}

/// Whether the schema has a name-commitment slot.
pub(crate) fn has_name_commitment(schema: &Schema) -> bool {
    schema
        .slots
        .iter()
        .any(|s| s.encoding == Encoding::NameCommitment)
}
