//! The native model's formats: the holder key, policy JSON, issuance attributes and the anchor
//! ledger.

use crate::{assert_round_trip, text};
use std::path::Path;
use zkcred_core::anchor::{parse_ledger, AnchorEntry};
use zkcred_core::date::Date;
use zkcred_core::schema::Schema;
use zkcred_core::{holder_key, policy, Fr};

/// The date policies are compiled against (any fixed date will do).
fn request_date() -> Date {
    Date::from_yyyymmdd(20261124).expect("a calendar date")
}

/// `holder.key`.
pub fn target_holder_key(data: &[u8]) {
    let Some(Ok(s)) = text(data).map(holder_key::from_json) else {
        return;
    };
    let again = holder_key::from_json(&holder_key::to_json(&s));
    assert_round_trip("holder key", again, &s);
}

/// A policy argument (preset name or policy JSON), compiled against `identity-v1`; the public
/// inputs it packs into are computed too.
pub fn target_policy(data: &[u8]) {
    let Some(Ok(v)) = text(data).map(policy::parse) else {
        return;
    };
    let schema = Schema::identity_v1();
    let Ok(compiled) = policy::compile(&v, &schema, request_date()) else {
        return;
    };
    let inputs = zkcred_core::statement::PublicInputs {
        root: Fr::from(1u64),
        nullifier: Fr::from(2u64),
        scope: Fr::from(3u64),
        message: Fr::from(4u64),
        policy: compiled.clone(),
        disclosed: [Fr::from(0u64); zkcred_core::schema::SLOTS],
        name_disclosure: Fr::from(0u64),
    };
    assert_eq!(
        inputs.to_field_elements().len(),
        zkcred_core::statement::NUM_PUBLIC_INPUTS
    );
    let again =
        policy::parse(&v.to_string()).and_then(|w| policy::compile(&w, &schema, request_date()));
    assert_round_trip("policy", again, &compiled);
}

/// Issuance attributes (`--attrs attrs.json`), encoded with `identity-v1`.
pub fn target_attributes(data: &[u8]) {
    let Some(Ok(v)) = text(data).map(serde_json::from_str::<serde_json::Value>) else {
        return;
    };
    let schema = Schema::identity_v1();
    let name_salt = Fr::from(7u64);
    let Ok(attributes) = schema.encode_attributes(&v, name_salt) else {
        return;
    };
    let again = serde_json::from_str::<serde_json::Value>(&v.to_string())
        .map_err(zkcred_core::Error::from)
        .and_then(|w| schema.encode_attributes(&w, name_salt));
    assert_round_trip("attributes", again, &attributes);
}

/// The anchor ledger (JSON lines, hash-chained).
pub fn target_anchor_ledger(data: &[u8]) {
    let path = Path::new("fuzz.ledger");
    let Ok((entries, complete)) = parse_ledger(path, data) else {
        return;
    };
    // Each line's hash is chained into the next one, so the entries re-serialize faithfully
    // only if they give back the very bytes that were read.
    let rewritten = ledger_bytes(&entries);
    assert!(
        data.get(..complete as usize) == Some(&rewritten[..]),
        "anchor ledger: the entries do not re-serialize to the lines they were read from"
    );
    let again = parse_ledger(path, &rewritten).map(|(e, _)| e);
    assert_round_trip("anchor ledger", again, &entries);
}

/// The ledger file holding `entries`, one compact JSON line each.
fn ledger_bytes(entries: &[AnchorEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend(serde_json::to_vec(e).unwrap_or_default());
        out.push(b'\n');
    }
    out
}
