//! The credential the issuer hands to a holder.
//!
//! Its JSON form (see `docs/formats.md`, "Credential") has the shape of a W3C Verifiable
//! Credential 2.0. It carries everything the holder needs to prove, except the holder secret:
//! `hpk`, the 8 encoded attributes, the name and its salt, the leaf salt, the leaf index and the
//! leaf. A [`Credential`] value is always consistent: it is made by issuance or read by
//! [`Credential::from_json`], which recomputes the name commitment and the leaf and refuses any
//! mismatch (see [`super::json`]).

use crate::clock::format_rfc3339;
use crate::credential::{leaf_commitment, Attributes};
use crate::date::Date;
use crate::encoding::fr_to_u64;
use crate::schema::{Encoding, Schema};
use crate::tree::LeafIndex;
use crate::Fr;
use serde::{Serialize, Serializer};
use std::sync::Arc;

/// The `@context` of every credential.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The `type` of every credential.
pub const VC_TYPES: [&str; 2] = ["VerifiableCredential", "ZkcredCredential"];
/// The attribute whose date becomes `validUntil`.
pub const EXPIRY_SLOT: &str = "expiry_date";

/// A holder's credential (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub(crate) issuer: Arc<str>,
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
    /// The `issuer` field: the issuer's DID (`did:key:z…` for a ledger issuer,
    /// `did:pkh:eip155:…` for a chain issuer; see [`crate::did`]).
    pub fn issuer(&self) -> &str {
        &self.issuer
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

impl Credential {
    /// The credential the issuer hands out for a leaf it has just computed.
    ///
    /// `leaf` must be `leaf_commitment(hpk, attributes, salt)` and `name_salt` the salt of the
    /// name commitment in `attributes` (the issuer's drafts compute both once; recomputing them
    /// here would double the cost of bulk issuance). A credential with a wrong leaf is refused by
    /// [`Credential::from_json`] and can prove nothing.
    #[allow(clippy::too_many_arguments)]
    pub fn from_issuance(
        issuer: Arc<str>,
        issued_at: u64,
        layout: Arc<Layout>,
        hpk: Fr,
        attributes: Attributes,
        name: Option<String>,
        name_salt: Option<Fr>,
        salt: Fr,
        leaf_index: LeafIndex,
        leaf: Fr,
    ) -> Self {
        debug_assert_eq!(leaf, leaf_commitment(hpk, &attributes, salt));
        Self {
            issuer,
            issued_at,
            hpk,
            layout,
            attributes,
            name,
            name_salt,
            salt,
            leaf_index,
            leaf,
        }
    }
}

impl Serialize for Credential {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_wire().serialize(s)
    }
}

/// What a credential needs to know of its schema: the id, the slot names and the expiry slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The schema id.
    pub schema_id: String,
    /// The slot names, in schema order.
    pub slot_names: Vec<String>,
    /// The slot of the expiry date, if the schema has one.
    pub expiry_slot: Option<usize>,
}

impl Layout {
    /// The layout of `schema`.
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

/// Checks a schema that may have been built in code rather than read with `Schema::from_json`
/// (its fields are public), so that slot indices are always below 8.
pub fn validate_schema(schema: &Schema) -> Result<(), crate::Error> {
    Schema::from_json(&serde_json::to_string(schema)?).map(|_| ())
}

/// Whether the schema has a name-commitment slot.
pub fn has_name_commitment(schema: &Schema) -> bool {
    schema
        .slots
        .iter()
        .any(|s| s.encoding == Encoding::NameCommitment)
}
