//! The verifier's request (`request.json`, docs/formats.md): what a platform asks a holder to
//! prove, and the only source of the policy part of the public inputs at verification.
//!
//! ```json
//! {"type": "zkcred-request", "version": 2, "id": "<hex>", "schema": "identity-v1",
//!  "policy": { ... }, "scope": "x.com/verified-creators", "message": "account:alice-7731",
//!  "date": "2026-11-24", "issuer": "did:key:z6Mk... or did:pkh:eip155:...",
//!  "circuit_id": "<hex, optional>",
//!  "platform": {"id": "x.com", "did": "did:key:z6Mk..."}, "signature": "<128 hex digits>"}
//! ```
//!
//! `issuer` is the DID of the one issuer whose anchored roots the platform accepts
//! ([`zkcred_core::did`]); a proof is checked against that issuer's anchors only.
//!
//! `id` = lowercase hex SHA-256 of the compact JSON of
//! `[schema, policy, scope, message, date, issuer]`,
//! with `platform.id` and `platform.did` appended for a signed request, and object keys sorted
//! (serde_json's default order, made explicit so that a feature flag elsewhere in a build
//! cannot change an id). A signed request carries the platform that made it and an Ed25519
//! signature over `"zkcred-request-signature-v1\n" ‖ id ‖ "\n" ‖ circuit_id` (empty if none),
//! and its scope must be `<platform id>/<label>` ([`crate::platform`]); reading one checks both. A request is valid when its policy compiles
//! against the `identity-v1` schema on its date, its scope is not empty, its date is written
//! `YYYY-MM-DD`, its `circuit_id` (if any) is 64 lowercase hex digits, its `id` matches, and,
//! its issuer is a DID in canonical form, and, if it names a platform, the signature verifies
//! and the scope is the platform's.
//! Unknown fields are refused.

use crate::error::{Error, Result};
use crate::key::check_hex_id;
use crate::platform::{Platform, PlatformKey, SIGNATURE_DOMAIN};
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
/// The request format version (2: requests name their issuer).
pub const REQUEST_VERSION: u64 = 2;
/// The one schema requests use.
pub const SCHEMA_ID: &str = zkcred_core::schema::IDENTITY_V1_ID;

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
    issuer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    circuit_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    platform: Option<PlatformJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformJson {
    id: String,
    did: String,
}

/// A validated request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    id: String,
    policy: Value,
    scope: String,
    message: String,
    date: Date,
    issuer: String,
    circuit_id: Option<String>,
    compiled: CompiledPolicy,
    /// The signing platform and its signature, for a signed request.
    signed: Option<(Platform, [u8; 64])>,
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
/// `[schema, policy, scope, message, date, issuer]`, followed by the platform's id and `did:key` for a
/// signed request (keys sorted).
pub fn request_id(
    schema: &str,
    policy: &Value,
    scope: &str,
    message: &str,
    date: Date,
    issuer: &str,
    platform: Option<&Platform>,
) -> String {
    let mut content = vec![
        schema.into(),
        sorted(policy),
        scope.into(),
        message.into(),
        date.to_string().into(),
        issuer.into(),
    ];
    if let Some(p) = platform {
        content.extend([p.id().into(), p.did().into()]);
    }
    hex::encode(Sha256::digest(Value::Array(content).to_string().as_bytes()))
}

/// What a request's signature signs: the domain, the id and the circuit id.
fn signed_message(id: &str, circuit_id: Option<&str>) -> Vec<u8> {
    let mut m = SIGNATURE_DOMAIN.to_vec();
    m.extend_from_slice(id.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(circuit_id.unwrap_or("").as_bytes());
    m
}

impl Request {
    /// A new request for credentials of `issuer` (a DID). The policy is validated by compiling
    /// it against `identity-v1` on `date`.
    pub fn new(
        policy: Value,
        scope: impl Into<String>,
        message: impl Into<String>,
        date: Date,
        issuer: impl Into<String>,
        circuit_id: Option<String>,
    ) -> Result<Self> {
        let (scope, message, issuer) = (scope.into(), message.into(), issuer.into());
        if scope.is_empty() {
            return Err(Error::InvalidRequest("the scope is empty".into()));
        }
        zkcred_core::did::IssuerDid::parse(&issuer)
            .map_err(|e| Error::InvalidRequest(format!("issuer: {e}")))?;
        if let Some(c) = &circuit_id {
            check_hex_id("request circuit_id", c)?;
        }
        let compiled =
            policy::compile(&policy, Self::schema_of(), date).map_err(|e| Error::Core {
                what: "request policy",
                source: e,
            })?;
        Ok(Self {
            id: request_id(SCHEMA_ID, &policy, &scope, &message, date, &issuer, None),
            policy,
            scope,
            message,
            date,
            issuer,
            circuit_id,
            compiled,
            signed: None,
        })
    }

    /// This request signed by `key`'s platform: its id now covers the platform, and its scope
    /// must be one of the platform's (`<platform id>/<label>`).
    pub fn sign(mut self, key: &PlatformKey) -> Result<Self> {
        let platform = key.platform();
        if !platform.owns_scope(&self.scope) {
            return Err(Error::ScopeNotOwned {
                platform: platform.id().into(),
                scope: self.scope,
            });
        }
        self.id = self.id_signed_by(&platform);
        let signature = key.sign(&signed_message(&self.id, self.circuit_id()));
        self.signed = Some((platform, signature));
        Ok(self)
    }

    /// Reads `request.json`, re-validating everything and refusing an `id` that does not match.
    pub fn from_json(text: &str) -> Result<Self> {
        // Type and version first: a request of another version (version 1 had no `issuer`) is
        // named as such, not as a missing field.
        #[derive(Deserialize)]
        struct Header {
            #[serde(rename = "type")]
            kind: Option<String>,
            version: Option<u64>,
        }
        if let Ok(Header {
            kind: Some(kind),
            version: Some(version),
        }) = serde_json::from_str::<Header>(text)
        {
            if kind == REQUEST_TYPE && version != REQUEST_VERSION {
                return Err(Error::unexpected(
                    "request version",
                    REQUEST_VERSION,
                    version,
                ));
            }
        }
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
        let mut r = Self::new(j.policy, j.scope, j.message, date, j.issuer, j.circuit_id)?;
        match (j.platform, j.signature) {
            (None, None) => {}
            (Some(p), Some(sig)) => {
                let platform = Platform::new(&p.id, &p.did)?;
                let mut signature = [0u8; 64];
                if sig.len() != 128 || hex::decode_to_slice(&sig, &mut signature).is_err() {
                    return Err(Error::InvalidRequest(
                        "the signature is not 128 hex digits".into(),
                    ));
                }
                if !platform.owns_scope(&r.scope) {
                    return Err(Error::ScopeNotOwned {
                        platform: platform.id().into(),
                        scope: r.scope,
                    });
                }
                r.id = r.id_signed_by(&platform);
                // The id is checked first: a changed field is named as such, not as a bad
                // signature.
                if r.id != j.id {
                    return Err(Error::RequestId {
                        stated: j.id.chars().take(80).collect(),
                        computed: r.id,
                    });
                }
                platform.verify(&signed_message(&r.id, r.circuit_id()), &signature)?;
                r.signed = Some((platform, signature));
            }
            (Some(_), None) => {
                return Err(Error::InvalidRequest(
                    "the request names a platform but has no signature".into(),
                ))
            }
            (None, Some(_)) => {
                return Err(Error::InvalidRequest(
                    "the request has a signature but names no platform".into(),
                ))
            }
        }
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
            issuer: self.issuer.clone(),
            circuit_id: self.circuit_id.clone(),
            platform: self.signed.as_ref().map(|(p, _)| PlatformJson {
                id: p.id().into(),
                did: p.did().into(),
            }),
            signature: self.signed.as_ref().map(|(_, s)| hex::encode(s)),
        };
        // Strings, numbers and a JSON value: this cannot fail.
        serde_json::to_string_pretty(&j).unwrap_or_default()
    }

    /// The id of this request's content signed by `platform`.
    fn id_signed_by(&self, platform: &Platform) -> String {
        request_id(
            SCHEMA_ID,
            &self.policy,
            &self.scope,
            &self.message,
            self.date,
            &self.issuer,
            Some(platform),
        )
    }

    /// The request id (lowercase hex).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The DID of the issuer whose roots this request accepts.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The schema id, `identity-v1`.
    pub fn schema(&self) -> &str {
        SCHEMA_ID
    }

    /// The schema the policy is compiled against and disclosed slots are named by.
    pub fn schema_definition(&self) -> &'static Schema {
        Self::schema_of()
    }

    fn schema_of() -> &'static Schema {
        Schema::builtin(SCHEMA_ID).expect("requests use a built-in schema")
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

    /// The platform that signed the request (its signature and scope were checked), or `None`
    /// for an unsigned request.
    pub fn platform(&self) -> Option<&Platform> {
        self.signed.as_ref().map(|(p, _)| p)
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
