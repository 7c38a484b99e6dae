//! The proof envelope (`zkcred-proof.json`, docs/formats.md): a snarkjs proof with the context
//! a verifier needs to check it against its own request.
//!
//! ```json
//! {"type": "zkcred-proof", "version": 1, "circuit_id": "<hex>", "request_id": "<hex>",
//!  "scope": "...", "message": "...", "date": "2026-11-24", "policy": { ... },
//!  "root": "<decimal>", "nullifier": "<decimal>", "disclosed": {"region": "110105"},
//!  "name_opening": {"name": "张伟", "t": "<decimal>"},
//!  "public": ["<decimal>", ... 34], "proof": { ... proof.json ... }}
//! ```
//!
//! `name_opening` is present exactly when the request asks for the name: it opens the public
//! input `name_disclosure = H(pack(name), t)`, and it is never written to `public.json`.
//!
//! Parsing validates the *form* of every field: the fixed `type` and `version`, ids of 64
//! lowercase hex digits, a `YYYY-MM-DD` date, canonical decimals for the root, the nullifier,
//! the disclosed values, `t` and the 34 public inputs, a name that has a normal form (which it is
//! converted to, see [`zkcred_core::name`]), and a valid snarkjs proof. Unknown fields are
//! refused. Whether the envelope answers a request is [`crate::verify()`]'s business: it takes
//! only the root, the nullifier, the disclosed values and the name opening from here, and
//! recomputes the rest.

use crate::decimal::{fr_to_string, parse_fr};
use crate::error::{Error, Result};
use crate::groth16::Proof;
use crate::key::check_hex_id;
use crate::request::{parse_date, Request};
use crate::snarkjs::{parse_public_inputs, ProofJson};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use zkcred_core::date::Date;
use zkcred_core::name::NameOpening;
use zkcred_core::statement::NUM_PUBLIC_INPUTS;
use zkcred_core::Fr;

/// The `type` of a proof envelope.
pub const ENVELOPE_TYPE: &str = "zkcred-proof";
/// The envelope format version.
pub const ENVELOPE_VERSION: u64 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeJson {
    #[serde(rename = "type")]
    kind: String,
    version: u64,
    circuit_id: String,
    request_id: String,
    scope: String,
    message: String,
    date: String,
    policy: Value,
    root: String,
    nullifier: String,
    disclosed: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name_opening: Option<NameOpeningJson>,
    public: Vec<String>,
    proof: ProofJson,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NameOpeningJson {
    name: String,
    t: String,
}

/// A proof envelope whose fields are well formed (not yet checked against any request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofEnvelope {
    /// The circuit id of the key the proof was made with.
    pub circuit_id: String,
    /// The id of the request it answers.
    pub request_id: String,
    /// The request's scope string.
    pub scope: String,
    /// The request's message.
    pub message: String,
    /// The request's date.
    pub date: Date,
    /// The request's policy, as the prover saw it (informative; never trusted).
    pub policy: Value,
    /// The tree root the proof is made against.
    pub root: Fr,
    /// The holder's nullifier in this scope.
    pub nullifier: Fr,
    /// Disclosed attribute values by attribute name.
    pub disclosed: BTreeMap<String, Fr>,
    /// The name and `t` opening the name disclosure, when the request asks for the name.
    pub name_opening: Option<NameOpening>,
    /// The 34 public inputs, as the prover computed them (checked, never trusted).
    pub public: Vec<Fr>,
    /// The Groth16 proof.
    pub proof: Proof,
}

impl ProofEnvelope {
    /// An envelope answering `request`, as the prover writes it.
    ///
    /// The holder attaches a name opening exactly when the request asks for the name: with an
    /// opening for a request that does not ask for it this fails with
    /// [`Error::NameOpeningNotAsked`] (the name is never handed out unasked), and without one
    /// for a request that does, with [`Error::NameOpeningMissing`].
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        request: &Request,
        circuit_id: impl Into<String>,
        root: Fr,
        nullifier: Fr,
        disclosed: BTreeMap<String, Fr>,
        name_opening: Option<NameOpening>,
        public: Vec<Fr>,
        proof: Proof,
    ) -> Result<Self> {
        match (&name_opening, request.discloses_name()) {
            (Some(_), false) => return Err(Error::NameOpeningNotAsked),
            (None, true) => return Err(Error::NameOpeningMissing),
            _ => {}
        }
        Ok(Self {
            circuit_id: circuit_id.into(),
            request_id: request.id().to_string(),
            scope: request.scope().to_string(),
            message: request.message().to_string(),
            date: request.date(),
            policy: request.policy().clone(),
            root,
            nullifier,
            disclosed,
            name_opening,
            public,
            proof,
        })
    }

    /// Reads and validates `zkcred-proof.json` text.
    pub fn from_json(text: &str) -> Result<Self> {
        let j: EnvelopeJson =
            serde_json::from_str(text).map_err(|e| Error::json("zkcred-proof.json", e))?;
        if j.kind != ENVELOPE_TYPE {
            return Err(Error::unexpected(
                "proof envelope type",
                format!("{ENVELOPE_TYPE:?}"),
                format!("{:?}", j.kind),
            ));
        }
        if j.version != ENVELOPE_VERSION {
            return Err(Error::unexpected(
                "proof envelope version",
                ENVELOPE_VERSION,
                j.version,
            ));
        }
        check_hex_id("proof envelope circuit_id", &j.circuit_id)?;
        check_hex_id("proof envelope request_id", &j.request_id)?;
        let disclosed = (j.disclosed.iter())
            .map(|(k, v)| Ok((k.clone(), parse_fr(v, &format!("disclosed `{k}`"))?)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        let name_opening = (j.name_opening.as_ref())
            .map(|o| {
                let t = parse_fr(&o.t, "name opening t")?;
                NameOpening::new(&o.name, t).map_err(|e| Error::NameOpeningMalformed(e.to_string()))
            })
            .transpose()?;
        Ok(Self {
            date: parse_date("proof envelope date", &j.date)?,
            root: parse_fr(&j.root, "proof envelope root")?,
            nullifier: parse_fr(&j.nullifier, "proof envelope nullifier")?,
            public: parse_public_inputs(&j.public, NUM_PUBLIC_INPUTS)?,
            proof: j.proof.to_proof()?,
            disclosed,
            name_opening,
            circuit_id: j.circuit_id,
            request_id: j.request_id,
            scope: j.scope,
            message: j.message,
            policy: j.policy,
        })
    }

    /// The `zkcred-proof.json` text.
    pub fn to_json(&self) -> String {
        let j = EnvelopeJson {
            kind: ENVELOPE_TYPE.into(),
            version: ENVELOPE_VERSION,
            circuit_id: self.circuit_id.clone(),
            request_id: self.request_id.clone(),
            scope: self.scope.clone(),
            message: self.message.clone(),
            date: self.date.to_string(),
            policy: self.policy.clone(),
            root: fr_to_string(&self.root),
            nullifier: fr_to_string(&self.nullifier),
            disclosed: (self.disclosed.iter())
                .map(|(k, v)| (k.clone(), fr_to_string(v)))
                .collect(),
            name_opening: self.name_opening.as_ref().map(|o| NameOpeningJson {
                name: o.name().to_string(),
                t: fr_to_string(&o.t()),
            }),
            public: self.public.iter().map(fr_to_string).collect(),
            proof: ProofJson::from_proof(&self.proof),
        };
        // Strings, numbers and a JSON value: this cannot fail.
        serde_json::to_string_pretty(&j).unwrap_or_default()
    }
}
