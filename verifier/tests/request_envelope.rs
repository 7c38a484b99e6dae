//! Requests and proof envelopes: round trips, the request id, and typed errors for malformed
//! files.

mod common;

use ark_bn254::Fr;
use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use zkcred_core::date::Date;
use zkcred_core::policy::{compile, preset};
use zkcred_core::schema::Schema;
use zkcred_verifier::request::request_id;
use zkcred_verifier::{Error, ProofEnvelope, Request};

/// The issuer the requests accept.
const ISSUER: &str = "did:pkh:eip155:1:0x00000000000000000000000000000000000000aa";

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn request() -> Request {
    Request::new(
        json!({"birth_date": {"$lte": "today-18y"}, "disclose": ["region"]}),
        "x.com/verified-creators",
        "account:alice-7731",
        date("2026-11-24"),
        ISSUER,
        None,
    )
    .unwrap()
}

fn malformed<T: std::fmt::Debug>(r: Result<T, Error>, check: fn(&Error) -> bool) {
    let e = r.unwrap_err();
    assert!(check(&e), "unexpected error: {e:?}");
    assert!(e.is_malformed(), "{e}");
}

#[test]
fn request_id_is_the_hash_of_the_compact_content() {
    let r = request();
    // Written out by hand, keys sorted, no spaces.
    let content = format!(
        r#"["identity-v1",{{"birth_date":{{"$lte":"today-18y"}},"disclose":["region"]}},"x.com/verified-creators","account:alice-7731","2026-11-24","{ISSUER}"]"#
    );
    assert_eq!(r.id(), hex::encode(Sha256::digest(content.as_bytes())));
    // Key order in the policy text does not matter.
    let reordered: Value =
        serde_json::from_str(r#"{"disclose": ["region"], "birth_date": {"$lte": "today-18y"}}"#)
            .unwrap();
    assert_eq!(
        request_id(
            "identity-v1",
            &reordered,
            r.scope(),
            r.message(),
            r.date(),
            ISSUER,
            None
        ),
        r.id()
    );
    // Every part of the content changes it.
    let other_of = |p: Value, s: &str, m: &str, d: &str, issuer: &str| {
        Request::new(p, s, m, date(d), issuer, None)
            .unwrap()
            .id()
            .to_string()
    };
    let other = |p: Value, s: &str, m: &str, d: &str| {
        Request::new(p, s, m, date(d), ISSUER, None)
            .unwrap()
            .id()
            .to_string()
    };
    let p = r.policy().clone();
    for id in [
        other(
            preset("over18").unwrap(),
            r.scope(),
            r.message(),
            "2026-11-24",
        ),
        other(p.clone(), "x.com/other", r.message(), "2026-11-24"),
        other(p.clone(), r.scope(), "account:bob", "2026-11-24"),
        other(p.clone(), r.scope(), r.message(), "2026-11-25"),
        other_of(
            p,
            r.scope(),
            r.message(),
            "2026-11-24",
            "did:pkh:eip155:1:0x00000000000000000000000000000000000000bb",
        ),
    ] {
        assert_ne!(id, r.id());
    }
}

#[test]
fn request_accessors_follow_core() {
    let r = request();
    let compiled = compile(r.policy(), &Schema::identity_v1(), r.date()).unwrap();
    assert_eq!(r.compile(), compiled);
    assert_eq!(r.compile().disclose_mask, 1 << 4);
    assert_eq!(
        r.scope_hash(),
        zkcred_core::scope::scope_hash("x.com/verified-creators")
    );
    assert_eq!(
        r.message_hash(),
        zkcred_core::scope::message_hash("account:alice-7731")
    );
    assert_eq!(r.schema(), "identity-v1");
    assert_eq!(r.circuit_id(), None);
    let inputs = r.public_inputs(
        Fr::from(1u64),
        Fr::from(2u64),
        [Fr::from(0u64); 8],
        Fr::from(0u64),
    );
    assert_eq!(inputs.policy, compiled);
    assert_eq!(inputs.to_field_elements().len(), 34);
    assert!(!r.discloses_name());
}

#[test]
fn request_round_trips() {
    let id = "ab".repeat(32);
    for r in [
        request(),
        Request::new(
            preset("adult-realname").unwrap(),
            "s",
            "",
            date("2030-01-01"),
            ISSUER,
            Some(id.clone()),
        )
        .unwrap(),
    ] {
        let text = r.to_json();
        assert_eq!(Request::from_json(&text).unwrap(), r);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["type"], "zkcred-request");
        assert_eq!(v["version"], 2);
        assert_eq!(v["schema"], "identity-v1");
        assert_eq!(v["id"], r.id());
        assert_eq!(v.get("circuit_id").is_some(), r.circuit_id().is_some());
    }
}

#[test]
fn malformed_requests() {
    let good: Value = serde_json::from_str(&request().to_json()).unwrap();
    let with = |k: &str, v: Value| {
        let mut j = good.clone();
        j[k] = v;
        Request::from_json(&j.to_string())
    };
    malformed(with("id", json!("00".repeat(32))), |e| {
        matches!(e, Error::RequestId { .. })
    });
    // Changing the content without recomputing the id.
    malformed(with("policy", preset("over18").unwrap()), |e| {
        matches!(e, Error::RequestId { .. })
    });
    malformed(with("scope", json!("x.com/other")), |e| {
        matches!(e, Error::RequestId { .. })
    });
    malformed(with("policy", json!({"height": {"$gte": 180}})), |e| {
        matches!(e, Error::Core { .. })
    });
    malformed(with("date", json!("20261124")), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    malformed(with("date", json!("2026-02-30")), |e| {
        matches!(e, Error::Core { .. })
    });
    malformed(with("type", json!("zkcred-proof")), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    // Version 1 requests named no issuer: refused by their version, with or without one.
    malformed(with("version", json!(1)), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    let mut v1 = good.clone();
    v1["version"] = json!(1);
    v1.as_object_mut().unwrap().remove("issuer");
    malformed(
        Request::from_json(&v1.to_string()),
        |e| matches!(e, Error::UnexpectedValue { what, .. } if what.contains("version")),
    );
    malformed(with("schema", json!("identity-v2")), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    malformed(with("circuit_id", json!("AB".repeat(32))), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    malformed(with("scope", json!("")), |e| {
        matches!(e, Error::InvalidRequest(_))
    });
    // The issuer: changed (the id no longer matches), not a DID, or absent.
    malformed(
        with(
            "issuer",
            json!("did:pkh:eip155:1:0x00000000000000000000000000000000000000bb"),
        ),
        |e| matches!(e, Error::RequestId { .. }),
    );
    for wrong in ["zkcred:issuer:00", "did:pkh:eip155:1:0xAA", ""] {
        malformed(
            with("issuer", json!(wrong)),
            |e| matches!(e, Error::InvalidRequest(m) if m.contains("issuer")),
        );
    }
    let mut no_issuer = good.clone();
    no_issuer.as_object_mut().unwrap().remove("issuer");
    malformed(Request::from_json(&no_issuer.to_string()), |e| {
        matches!(e, Error::Json { .. })
    });
    malformed(with("unexpected", json!(1)), |e| {
        matches!(e, Error::Json { .. })
    });
    let text = good.to_string();
    malformed(Request::from_json(&text[..text.len() - 3]), |e| {
        matches!(e, Error::Json { .. })
    });
    malformed(
        Request::new(json!([1]), "s", "m", date("2026-11-24"), ISSUER, None),
        |e| matches!(e, Error::Core { .. }),
    );
}

fn envelope() -> ProofEnvelope {
    let r = request();
    let (pk, vk) = setup(Echo::blank(34), 4);
    let mut disclosed = BTreeMap::new();
    disclosed.insert("region".to_string(), Fr::from(110105u64));
    let mut slots = [Fr::from(0u64); 8];
    slots[4] = Fr::from(110105u64);
    let inputs = r
        .public_inputs(Fr::from(11u64), Fr::from(22u64), slots, Fr::from(0u64))
        .to_field_elements();
    let proof = our_proof(&prove(&pk, Echo::of(&inputs), 8));
    ProofEnvelope::new(
        &r,
        our_key(&vk).circuit_id(),
        Fr::from(11u64),
        Fr::from(22u64),
        disclosed,
        None,
        inputs,
        proof,
    )
    .unwrap()
}

#[test]
fn envelope_round_trips() {
    let e = envelope();
    let text = e.to_json();
    assert_eq!(ProofEnvelope::from_json(&text).unwrap(), e);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["type"], "zkcred-proof");
    assert_eq!(v["version"], 1);
    assert_eq!(v["root"], "11");
    assert_eq!(v["disclosed"], json!({"region": "110105"}));
    assert_eq!(v["public"].as_array().unwrap().len(), 34);
    // No name opening unless the request asks for the name.
    assert!(v.get("name_opening").is_none());
    assert_eq!(v["proof"]["protocol"], "groth16");
    assert_eq!(v["date"], "2026-11-24");
}

#[test]
fn malformed_envelopes() {
    let good: Value = serde_json::from_str(&envelope().to_json()).unwrap();
    let with = |path: &[&str], v: Value| {
        let mut j = good.clone();
        let mut at = &mut j;
        for p in path {
            at = match p.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*p],
            };
        }
        *at = v;
        ProofEnvelope::from_json(&j.to_string())
    };
    malformed(with(&["type"], json!("zkcred-request")), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    malformed(with(&["version"], json!(0)), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    malformed(with(&["circuit_id"], json!("abc")), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    malformed(with(&["request_id"], json!("G".repeat(64))), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    malformed(with(&["root"], json!("011")), |e| {
        matches!(e, Error::NonCanonical { .. })
    });
    malformed(with(&["nullifier"], json!(22)), |e| {
        matches!(e, Error::Json { .. })
    });
    malformed(with(&["disclosed", "region"], json!("-1")), |e| {
        matches!(e, Error::NonCanonical { .. })
    });
    malformed(with(&["date"], json!("2026-11-24T00:00:00Z")), |e| {
        matches!(e, Error::Core { .. })
    });
    let mut short = good["public"].as_array().unwrap().clone();
    short.pop();
    malformed(with(&["public"], json!(short)), |e| {
        matches!(
            e,
            Error::PublicInputCount {
                expected: 34,
                found: 33,
                ..
            }
        )
    });
    malformed(with(&["proof", "pi_a", "2"], json!("0")), |e| {
        matches!(e, Error::PointEncoding { .. })
    });
    malformed(with(&["proof", "curve"], json!("bls12-381")), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    malformed(with(&["extra"], json!(null)), |e| {
        matches!(e, Error::Json { .. })
    });
    let text = good.to_string();
    malformed(ProofEnvelope::from_json(&text[..100]), |e| {
        matches!(e, Error::Json { .. })
    });
}
