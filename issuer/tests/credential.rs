//! The credential file: its shape, its round trip, and the refusal of every tampering.

mod common;

use common::{attrs, fresh_db, hpk, rng};
use serde_json::{json, Value};
use zkcred_core::encoding::fr_to_string;
use zkcred_core::schema::Schema;
use zkcred_core::Fr;
use zkcred_issuer::{Credential, CredentialError, IssuerDb};

const T: u64 = 1_795_478_400 + 13 * 3600 + 7 * 60 + 9; // 2026-11-24T13:07:09Z

fn issued() -> (tempfile::TempDir, IssuerDb, Credential) {
    let (dir, mut db) = fresh_db();
    let schema = Schema::identity_v1();
    let mut r = rng(12);
    db.issue_at(hpk(0), &attrs(0), &schema, &mut r, T).unwrap();
    let c = db
        .issue_at(hpk(1), &attrs(1), &schema, &mut r, T)
        .unwrap()
        .credential;
    (dir, db, c)
}

#[test]
fn the_json_has_the_documented_shape() {
    let (_dir, db, c) = issued();
    let json = c.to_json_pretty();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["@context"],
        json!(["https://www.w3.org/ns/credentials/v2"])
    );
    assert_eq!(
        v["type"],
        json!(["VerifiableCredential", "ZkcredCredential"])
    );
    assert_eq!(v["issuer"], json!(db.issuer()));
    assert_eq!(v["validFrom"], "2026-11-24T13:07:09Z");
    assert_eq!(v["validUntil"], "2031-01-01T00:00:00Z");
    let s = &v["credentialSubject"];
    assert_eq!(s["hpk"], json!(fr_to_string(&hpk(1))));
    assert_eq!(s["schema"], "identity-v1");
    assert_eq!(s["name"], "张伟 1");
    assert_eq!(s["leafIndex"], 1);
    assert_eq!(s["leaf"], json!(fr_to_string(&c.leaf())));
    let a = &s["attributes"];
    assert_eq!(a["real_name_verified"], "1");
    assert_eq!(a["birth_date"], "20080229");
    assert_eq!(a["expiry_date"], "20310101");
    assert_eq!(a["nationality"], "156");
    assert_eq!(a["region"], "110106");
    assert_eq!(a["document_type"], "1");
    assert_eq!(a["issuer_data"], "0");
    // Attributes are written in schema order.
    let names: Vec<usize> = Schema::identity_v1()
        .slots
        .iter()
        .map(|slot| json.find(&format!("\"{}\"", slot.name)).unwrap())
        .collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{json}");
    assert!(!json.to_lowercase().contains("secret"));
    // The record agrees.
    let rec = db.record(1).unwrap().unwrap();
    assert_eq!((rec.hpk, rec.leaf, rec.issued_at), (c.hpk(), c.leaf(), T));
}

#[test]
fn round_trip() {
    let (_dir, db, c) = issued();
    for json in [c.to_json(), c.to_json_pretty()] {
        let back = Credential::from_json(&json).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.to_json(), c.to_json());
    }
    let expected = Schema::identity_v1()
        .encode_attributes(&attrs(1), c.name_salt().unwrap())
        .unwrap();
    assert_eq!(c.attributes(), expected);
    assert_eq!(c.attribute("region"), Some(Fr::from(110106u64)));
    assert_eq!(c.issuer(), db.issuer());
    assert_eq!(c.issued_at(), T);
    assert!(db
        .path(c.leaf_index().into())
        .unwrap()
        .verify(c.leaf(), db.root()));
}

/// Applies `edit` to the credential's JSON and returns the reader's verdict.
fn tampered(c: &Credential, edit: impl FnOnce(&mut Value)) -> CredentialError {
    let mut v: Value = serde_json::from_str(&c.to_json()).unwrap();
    edit(&mut v);
    Credential::from_json(&v.to_string()).unwrap_err()
}

#[test]
fn every_tampering_is_refused_with_its_own_error() {
    use CredentialError as E;
    fn sub(v: &mut Value) -> &mut Value {
        &mut v["credentialSubject"]
    }
    let (_dir, _db, c) = issued();
    let other = fr_to_string(&(c.salt() + Fr::from(1u64)));

    let e = tampered(&c, |v| sub(v)["attributes"]["region"] = json!("110107"));
    assert_eq!(e, E::LeafMismatch);
    let e = tampered(&c, |v| {
        sub(v)["attributes"]["birth_date"] = json!("20000101")
    });
    assert_eq!(e, E::LeafMismatch);
    let e = tampered(&c, |v| sub(v)["name"] = json!("李娜"));
    assert_eq!(e, E::NameCommitmentMismatch);
    // A name written in another normal form than NFC is refused before its commitment is
    // looked at (an NFD name in a file could only come from a tool other than the issuer).
    let e = tampered(&c, |v| sub(v)["name"] = json!("Jose\u{301}"));
    assert!(matches!(e, E::Name(ref m) if m.contains("NFC")), "{e}");
    let o = other.clone();
    let e = tampered(&c, |v| sub(v)["nameSalt"] = json!(o));
    assert_eq!(e, E::NameCommitmentMismatch);
    let o = other.clone();
    let e = tampered(&c, |v| sub(v)["attributes"]["name_commitment"] = json!(o));
    assert_eq!(e, E::NameCommitmentMismatch);
    let o = other.clone();
    let e = tampered(&c, |v| sub(v)["salt"] = json!(o));
    assert_eq!(e, E::LeafMismatch);
    let h = fr_to_string(&hpk(2));
    let e = tampered(&c, |v| sub(v)["hpk"] = json!(h));
    assert_eq!(e, E::LeafMismatch);
    let o = other.clone();
    let e = tampered(&c, |v| sub(v)["leaf"] = json!(o));
    assert_eq!(e, E::LeafMismatch);

    // Non-canonical field elements are refused, never reduced.
    let salt = fr_to_string(&c.salt());
    let s = salt.clone();
    let e = tampered(&c, |v| sub(v)["salt"] = json!(format!("0{s}")));
    assert!(
        matches!(e, E::FieldElement { ref field, .. } if field == "salt"),
        "{e}"
    );
    let p = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    let e = tampered(&c, |v| sub(v)["hpk"] = json!(p));
    assert!(
        matches!(e, E::FieldElement { ref field, .. } if field == "hpk"),
        "{e}"
    );
    let e = tampered(&c, |v| sub(v)["attributes"]["issuer_data"] = json!("-1"));
    assert!(matches!(e, E::FieldElement { .. }), "{e}");

    // Attribute sets and values.
    let e = tampered(&c, |v| {
        sub(v)["attributes"]
            .as_object_mut()
            .unwrap()
            .remove("region");
    });
    assert_eq!(e, E::MissingAttribute("region".into()));
    let e = tampered(&c, |v| sub(v)["attributes"]["height"] = json!("180"));
    assert_eq!(e, E::UnknownAttribute("height".into()));
    let e = tampered(&c, |v| {
        sub(v)["attributes"]["real_name_verified"] = json!("2")
    });
    assert!(matches!(e, E::AttributeValue(_)), "{e}");
    let e = tampered(&c, |v| {
        sub(v)["attributes"]["nationality"] = json!("18446744073709551616")
    });
    assert!(matches!(e, E::AttributeValue(_)), "{e}");
    let e = tampered(&c, |v| {
        sub(v)["attributes"]["expiry_date"] = json!("20310231")
    });
    assert!(matches!(e, E::AttributeValue(_)), "{e}");
    let json = c.to_json().replacen(
        "\"region\":\"110106\"",
        "\"region\":\"110106\",\"region\":\"110106\"",
        1,
    );
    assert_eq!(
        Credential::from_json(&json).unwrap_err(),
        E::DuplicateAttribute("region".into())
    );

    // The envelope.
    let e = tampered(&c, |v| v["validUntil"] = json!("2032-01-01T00:00:00Z"));
    assert!(matches!(e, E::ValidUntil { .. }), "{e}");
    let e = tampered(&c, |v| {
        v.as_object_mut().unwrap().remove("validUntil");
    });
    assert!(matches!(e, E::ValidUntil { .. }), "{e}");
    let e = tampered(&c, |v| v["validFrom"] = json!("2026-11-24"));
    assert!(matches!(e, E::ValidFrom(_)), "{e}");
    let e = tampered(&c, |v| v["@context"] = json!(["https://example.com"]));
    assert!(matches!(e, E::Context(_)), "{e}");
    let e = tampered(&c, |v| v["type"] = json!(["VerifiableCredential"]));
    assert!(matches!(e, E::Type(_)), "{e}");
    // The issuer must be a DID in its one form: not the pre-DID form, not another method, not
    // an altered key.
    let did = c.issuer().to_string();
    for wrong in [
        "zkcred:issuer:00112233445566778899aabbccddeeff".to_string(),
        did.replace("did:key:", "did:web:"),
        format!("{did}x"),
        did[..did.len() - 1].to_string(),
    ] {
        let e = tampered(&c, |v| v["issuer"] = json!(wrong));
        assert!(matches!(e, E::Issuer(_)), "{wrong}: {e}");
    }
    let e = tampered(&c, |v| sub(v)["schema"] = json!("identity-v2"));
    assert_eq!(e, E::UnknownSchema("identity-v2".into()));
    let e = tampered(&c, |v| sub(v)["leafIndex"] = json!(4294967296u64));
    assert_eq!(e, E::LeafIndex(4294967296));
    let e = tampered(&c, |v| sub(v)["secret"] = json!("1"));
    assert!(matches!(e, E::Json(_)), "{e}");
    let e = tampered(&c, |v| {
        sub(v).as_object_mut().unwrap().remove("nameSalt");
    });
    assert!(matches!(e, E::Name(_)), "{e}");
    assert!(matches!(Credential::from_json("{"), Err(E::Json(_))));
}

#[test]
fn custom_schemas_are_read_with_their_json() {
    // A schema without an expiry date slot and without a name commitment.
    let mut v: Value = serde_json::from_str(zkcred_core::schema::IDENTITY_V1_JSON).unwrap();
    v["id"] = json!("membership-v1");
    v["slots"][2]["name"] = json!("joined");
    v["slots"][6] = json!({"name": "club", "kind": "opaque", "encoding": "field"});
    let schema = Schema::from_json(&v.to_string()).unwrap();
    let (_dir, mut db) = fresh_db();
    let a = json!({"real_name_verified": 1, "birth_date": "1990-05-01", "joined": "2020-01-01",
        "nationality": 344, "region": 810000, "document_type": 2, "club": "77"});
    let c = db
        .issue_at(hpk(5), &a, &schema, &mut rng(13), T)
        .unwrap()
        .credential;
    let json = c.to_json();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(v.get("validUntil").is_none());
    assert!(v["credentialSubject"].get("name").is_none());
    assert_eq!(c.expiry(), None);
    assert_eq!(
        Credential::from_json(&json).unwrap_err(),
        CredentialError::UnknownSchema("membership-v1".into())
    );
    assert_eq!(
        Credential::from_json_with_schema(&json, &schema).unwrap(),
        c
    );
    assert!(matches!(
        Credential::from_json_with_schema(&json, &Schema::identity_v1()),
        Err(CredentialError::SchemaMismatch { .. })
    ));
    // A schema built in code is validated before use.
    let mut nine = schema.clone();
    nine.slots.push(nine.slots[7].clone());
    nine.slots[8].name = "extra".into();
    assert!(matches!(
        Credential::from_json_with_schema(&json, &nine),
        Err(CredentialError::Schema(_))
    ));
    assert!(matches!(
        db.issue_at(hpk(6), &a, &nine, &mut rng(13), T),
        Err(zkcred_issuer::IssuerError::Attributes(_))
    ));
    let mut v = v;
    v["credentialSubject"]["name"] = json!("x");
    assert!(matches!(
        Credential::from_json_with_schema(&v.to_string(), &schema),
        Err(CredentialError::Name(_))
    ));
}

#[test]
fn names_are_stored_and_committed_in_nfc() {
    let schema = Schema::identity_v1();
    let (_dir, mut db) = fresh_db();
    let mut r = rng(13);
    let nfc = "Jos\u{e9} Mu\u{f1}oz \u{d55c}";
    let nfd = "Jose\u{301} Mun\u{303}oz \u{1112}\u{1161}\u{11ab}";
    let mut a = attrs(0);
    a["name"] = json!(nfd);
    let c = db
        .issue_at(hpk(0), &a, &schema, &mut r, T)
        .unwrap()
        .credential;
    assert_eq!(c.name(), Some(nfc));
    let salt = c.name_salt().unwrap();
    assert_eq!(
        c.attribute("name_commitment"),
        Some(zkcred_core::name::name_commitment(nfc, salt).unwrap())
    );
    assert_eq!(Credential::from_json(&c.to_json()).unwrap(), c);
    // Control characters are refused at issuance.
    for bad in ["Zhang\nWei", "Zhang\u{0}Wei", "\u{1b}[31mWei"] {
        let mut a = attrs(1);
        a["name"] = json!(bad);
        assert!(
            db.issue_at(hpk(1), &a, &schema, &mut r, T).is_err(),
            "{bad:?} issued"
        );
    }
}
