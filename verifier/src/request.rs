//! The verifier's request (`request.json`, docs/formats.md): what a platform asks a holder to
//! prove, and the only source of the policy part of the public inputs at verification.
//!
//! ```json
//! {"type": "zkcred-request", "version": 1, "id": "<hex>", "schema": "identity-v1",
//!  "policy": { ... }, "scope": "x.com/verified-creators", "message": "account:alice-7731",
//!  "date": "2026-11-24", "circuit_id": "<hex, optional>"}
//! ```
//!
//! `id` = lowercase hex SHA-256 of the compact JSON of `[schema, policy, scope, message, date]`,
//! with object keys sorted (serde_json's default order, made explicit so that a feature flag
//! elsewhere in a build cannot change an id). A request is valid when its policy compiles
//! against the `identity-v1` schema on its date, its scope is not empty, its date is written
//! `YYYY-MM-DD`, its `circuit_id` (if any) is 64 lowercase hex digits and its `id` matches.
//! Unknown fields are refused.

use crate::error::{Error, Result};
use crate::key::check_hex_id;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zkcred_core::date::Date;
use zkcred_core::policy::{self, CompiledPolicy};
use zkcred_core::schema::{Schema, SLOTS};
use zkcred_core::statement::PublicInputs;
use zkcred_core::Fr;

/// The `type` of a request file.
pub const REQUEST_TYPE: &str = "zkcred-request";
/// The request format version.
pub const REQUEST_VERSION: u64 = 1;
/// The one schema requests use.
pub const SCHEMA_ID: &str = "identity-v1";

/// The file form of a request.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestJson {
    #[serde(rename = "type")]
    kind: String,
    version: u64,
    id: String,
    schema: String,
    policy: Value,
    scope: String,
    message: String,
    date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    circuit_id: Option<String>,
}

/// A validated request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    id: String,
    policy: Value,
    scope: String,
    message: String,
    date: Date,
    circuit_id: Option<String>,
    compiled: CompiledPolicy,
}

/// `value` with every object's keys in sorted order, whatever the map implementation.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The request id of its content: hex SHA-256 of the compact JSON of
/// `[schema, policy, scope, message, date]` (keys sorted).
pub fn request_id(schema: &str, policy: &Value, scope: &str, message: &str, date: Date) -> String {
    let content = Value::Array(vec![
        schema.into(),
        sorted(policy),
        scope.into(),
        message.into(),
        date.to_string().into(),
    ]);
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

impl Request {
    /// A new request. The policy is validated by compiling it against `identity-v1` on `date`.
    pub fn new(
        policy: Value,
        scope: impl Into<String>,
        message: impl Into<String>,
        date: Date,
        circuit_id: Option<String>,
    ) -> Result<Self> {
        let (scope, message) = (scope.into(), message.into());
        if scope.is_empty() {
            return Err(Error::InvalidRequest("the scope is empty".into()));
        }
        if let Some(c) = &circuit_id {
            check_hex_id("request circuit_id", c)?;
        }
        let compiled =
            policy::compile(&policy, &Schema::identity_v1(), date).map_err(|e| Error::Core {
                what: "request policy",
                source: e,
            })?;
        Ok(Self {
            id: request_id(SCHEMA_ID, &policy, &scope, &message, date),
            policy,
            scope,
            message,
            date,
            circuit_id,
            compiled,
        })
    }

    /// Reads `request.json`, re-validating everything and refusing an `id` that does not match.
    pub fn from_json(text: &str) -> Result<Self> {
        let j: RequestJson =
            serde_json::from_str(text).map_err(|e| Error::json("request.json", e))?;
        if j.kind != REQUEST_TYPE {
            return Err(Error::unexpected(
                "request type",
                format!("{REQUEST_TYPE:?}"),
                format!("{:?}", j.kind),
            ));
        }
        if j.version != REQUEST_VERSION {
            return Err(Error::unexpected(
                "request version",
                REQUEST_VERSION,
                j.version,
            ));
        }
        if j.schema != SCHEMA_ID {
            return Err(Error::unexpected(
                "request schema",
                format!("{SCHEMA_ID:?}"),
                format!("{:?}", j.schema),
            ));
        }
        let date = parse_date("request date", &j.date)?;
        let r = Self::new(j.policy, j.scope, j.message, date, j.circuit_id)?;
        if r.id != j.id {
            return Err(Error::RequestId {
                stated: j.id.chars().take(80).collect(),
                computed: r.id,
            });
        }
        Ok(r)
    }

    /// The `request.json` text.
    pub fn to_json(&self) -> String {
        let j = RequestJson {
            kind: REQUEST_TYPE.into(),
            version: REQUEST_VERSION,
            id: self.id.clone(),
            schema: SCHEMA_ID.into(),
            policy: self.policy.clone(),
            scope: self.scope.clone(),
            message: self.message.clone(),
            date: self.date.to_string(),
            circuit_id: self.circuit_id.clone(),
        };
        // Strings, numbers and a JSON value: this cannot fail.
        serde_json::to_string_pretty(&j).unwrap_or_default()
    }

    /// The request id (lowercase hex).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The schema id, `identity-v1`.
    pub fn schema(&self) -> &str {
        SCHEMA_ID
    }

    /// The policy JSON.
    pub fn policy(&self) -> &Value {
        &self.policy
    }

    /// The platform's scope string.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The message (nonce or account handle).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request date.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The circuit id the request pins, if any.
    pub fn circuit_id(&self) -> Option<&str> {
        self.circuit_id.as_deref()
    }

    /// The policy compiled against the request date.
    pub fn compile(&self) -> CompiledPolicy {
        self.compiled.clone()
    }

    /// Whether the request asks for the holder's real name (`"disclose": ["name"]`).
    ///
    /// Such a request is for a platform that displays the name, never for on-chain use: a gate
    /// contract must never receive a name, so any on-chain path must refuse these requests
    /// (docs/decisions.md, "Names never go on chain").
    pub fn discloses_name(&self) -> bool {
        self.compiled.discloses_name()
    }

    /// The scope's field element (`keccak256(scope) >> 8`).
    pub fn scope_hash(&self) -> Fr {
        zkcred_core::scope::scope_hash(&self.scope)
    }

    /// The message's field element.
    pub fn message_hash(&self) -> Fr {
        zkcred_core::scope::message_hash(&self.message)
    }

    /// The public inputs of a proof answering this request, given the prover's root, nullifier,
    /// disclosed values (0 outside the disclosure mask) and name disclosure (0 unless the request
    /// asks for the name).
    pub fn public_inputs(
        &self,
        root: Fr,
        nullifier: Fr,
        disclosed: [Fr; SLOTS],
        name_disclosure: Fr,
    ) -> PublicInputs {
        PublicInputs {
            root,
            nullifier,
            scope: self.scope_hash(),
            message: self.message_hash(),
            policy: self.compile(),
            disclosed,
            name_disclosure,
        }
    }
}

/// Parses a date written exactly `YYYY-MM-DD`.
pub(crate) fn parse_date(what: &'static str, s: &str) -> Result<Date> {
    let d = Date::parse(s).map_err(|e| Error::Core { what, source: e })?;
    if d.to_string() != s {
        return Err(Error::unexpected(
            what,
            "a date written YYYY-MM-DD",
            format!("{s:?}"),
        ));
    }
    Ok(d)
}
