//! What issuance computes for each credential before it is committed: the encoded attributes
//! and the leaf ([`Draft`]), and the fields shared by one issuance call ([`IssueContext`]).

use serde_json::Value;
use std::sync::Arc;
use zkcred_core::credential::{
    has_name_commitment, leaf_commitment, Attributes, Credential, Layout,
};
use zkcred_core::schema::Schema;
use zkcred_core::tree::LeafIndex;
use zkcred_core::Fr;

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

/// The fields shared by every credential of one issuance call.
#[derive(Clone, Debug)]
pub(crate) struct IssueContext {
    pub issuer: Arc<str>,
    pub issued_at: u64,
    pub layout: Arc<Layout>,
}

impl IssueContext {
    /// The context of one issuance call.
    pub fn new(schema: &Schema, issuer: &str, issued_at: u64) -> Self {
        Self {
            issuer: issuer.into(),
            issued_at,
            layout: Arc::new(Layout::new(schema)),
        }
    }

    /// The credential of `draft` at `leaf_index`.
    pub fn credential(&self, draft: Draft, leaf_index: LeafIndex) -> Credential {
        Credential::from_issuance(
            self.issuer.clone(),
            self.issued_at,
            self.layout.clone(),
            draft.hpk,
            draft.attributes,
            draft.name,
            draft.name_salt,
            draft.salt,
            leaf_index,
            draft.leaf,
        )
    }
}
