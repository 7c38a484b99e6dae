//! Consent to a platform's scope: what the holder refuses before any proving work.
//!
//! Each test starts from an honest signed request and changes one thing a dishonest platform
//! (or a man in the middle) would change: the scope, the signature, the key behind a pinned
//! platform id, the absence of a signature. Each change must be refused with an error that
//! names it, and must leave the pins file as it was.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::Value;
use zkcred_core::date::Date;
use zkcred_core::policy::preset;
use zkcred_core::{Classify, ErrorKind};
use zkcred_holder::consent::{PinStatus, Pins, PINS_FILE};
use zkcred_holder::wallet::read_request;
use zkcred_holder::HolderError;
use zkcred_verifier::platform::PlatformKey;
use zkcred_verifier::{Error as VerifierError, Request};

/// The issuer the requests accept (any valid DID: these tests prove nothing).
const ISSUER: &str = "did:pkh:eip155:1:0x00000000000000000000000000000000000000aa";

fn today() -> Date {
    Date::parse("2026-12-02").unwrap()
}

fn key(id: &str, seed: u64) -> PlatformKey {
    PlatformKey::generate(id, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
}

fn unsigned(scope: &str) -> Request {
    Request::new(
        preset("adult-realname").unwrap(),
        scope,
        "account:7731",
        today(),
        ISSUER,
        None,
    )
    .unwrap()
}

/// The request as a holder receives it: a file, read with the wallet's reader.
fn receive(json: &str) -> Result<Request, HolderError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("request.json");
    std::fs::write(&path, json).unwrap();
    read_request(&path)
}

fn edited(request: &Request, field: &str, value: Value) -> String {
    let mut j: Value = serde_json::from_str(&request.to_json()).unwrap();
    j[field] = value;
    j.to_string()
}

#[test]
fn an_honest_signed_request_is_read_back_with_its_platform() {
    let a = key("a.example", 1);
    let request = unsigned("a.example/signup").sign(&a).unwrap();
    let back = receive(&request.to_json()).unwrap();
    assert_eq!(back.id(), request.id());
    assert_eq!(back.platform().unwrap().id(), "a.example");
    assert_eq!(back.platform().unwrap().did(), a.did());
}

#[test]
fn platform_b_cannot_ask_for_platform_a_scope() {
    let b = key("b.example", 2);
    // B's own library refuses to sign it...
    let err = unsigned("a.example/signup").sign(&b).unwrap_err();
    assert!(
        matches!(&err, VerifierError::ScopeNotOwned { platform, scope }
            if platform == "b.example" && scope == "a.example/signup"),
        "{err}"
    );
    // ...and a request B signed for its own scope, edited to A's scope, is refused when read.
    // The scope is checked before the id and the signature, so the refusal does not depend on
    // whether B also recomputed a valid id and signature over the edited request.
    let honest = unsigned("b.example/signup").sign(&b).unwrap();
    let forged = edited(&honest, "scope", "a.example/signup".into());
    let err = receive(&forged).unwrap_err();
    assert!(
        matches!(&err, HolderError::Verifier(VerifierError::ScopeNotOwned { platform, .. })
            if platform == "b.example"),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.to_string().contains("link you across platforms"),
        "{err}"
    );
    // A scope that only starts like B's id is not B's either.
    for scope in [
        "b.example",
        "b.example.evil/x",
        "b.exampl/x",
        "/b.example/x",
    ] {
        let err = unsigned(scope).sign(&b).unwrap_err();
        assert!(
            matches!(err, VerifierError::ScopeNotOwned { .. }),
            "{scope}: {err}"
        );
    }
}

#[test]
fn a_signature_that_does_not_verify_is_refused() {
    let a = key("a.example", 1);
    let request = unsigned("a.example/signup").sign(&a).unwrap();
    let j: Value = serde_json::from_str(&request.to_json()).unwrap();
    let sig = j["signature"].as_str().unwrap().to_string();

    // One bit of the signature flipped.
    let mut bad = sig.clone().into_bytes();
    bad[5] = if bad[5] == b'0' { b'1' } else { b'0' };
    let err = receive(&edited(
        &request,
        "signature",
        String::from_utf8(bad).unwrap().into(),
    ))
    .unwrap_err();
    assert!(
        matches!(&err, HolderError::Verifier(VerifierError::RequestSignature { platform })
            if platform == "a.example"),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Rejected);

    // The same signature presented under another key for the same platform id: the id covers
    // the platform's key, so the swap is named as a changed request.
    let other = key("a.example", 9);
    let mut j2 = j.clone();
    j2["platform"]["did"] = other.did().into();
    let err = receive(&j2.to_string()).unwrap_err();
    assert!(
        matches!(&err, HolderError::File { reason, .. } if reason.contains("does not match")),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Malformed);

    // A changed message (what the proof is bound to) changes the id: named as such.
    let err = receive(&edited(&request, "message", "account:other".into())).unwrap_err();
    assert!(
        matches!(&err, HolderError::File { reason, .. } if reason.contains("does not match")),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Malformed);

    // A signature without a platform, a platform without a signature, a short signature.
    let mut no_platform = j.clone();
    no_platform.as_object_mut().unwrap().remove("platform");
    let mut no_signature = j.clone();
    no_signature.as_object_mut().unwrap().remove("signature");
    for (what, text) in [
        ("no platform", no_platform.to_string()),
        ("no signature", no_signature.to_string()),
        ("short", edited(&request, "signature", sig[..126].into())),
        (
            "not hex",
            edited(&request, "signature", "zz".repeat(64).into()),
        ),
    ] {
        let err = receive(&text).unwrap_err();
        assert!(
            matches!(&err, HolderError::File { reason, .. } if reason.contains("invalid request")),
            "{what}: {err}"
        );
    }
}

#[test]
fn a_second_key_for_a_pinned_platform_is_refused_and_the_pin_kept() {
    let home = tempfile::tempdir().unwrap();
    let pins_file = home.path().join(PINS_FILE);
    let a = key("a.example", 1);
    let first = unsigned("a.example/signup").sign(&a).unwrap();

    let mut pins = Pins::load(&pins_file).unwrap();
    assert_eq!(pins.check(&first, false).unwrap(), Some(PinStatus::New));
    pins.record(&first, today()).unwrap();
    let saved = std::fs::read(&pins_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pins_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The same key again, for another of its scopes: known.
    let pins = Pins::load(&pins_file).unwrap();
    let again = unsigned("a.example/login").sign(&a).unwrap();
    assert!(matches!(
        pins.check(&again, false).unwrap(),
        Some(PinStatus::Known(_))
    ));

    // An impostor with its own key for the id "a.example": its request is well signed, and
    // still refused, by check and by record.
    let impostor = key("a.example", 66);
    let forged = unsigned("a.example/signup").sign(&impostor).unwrap();
    let forged = receive(&forged.to_json()).unwrap();
    let mut pins = Pins::load(&pins_file).unwrap();
    for err in [
        pins.check(&forged, false).unwrap_err(),
        pins.record(&forged, today()).unwrap_err(),
    ] {
        match &err {
            HolderError::PinMismatch {
                platform,
                pinned,
                presented,
                since,
            } => {
                assert_eq!(platform, "a.example");
                assert_eq!(pinned, &a.did());
                assert_eq!(presented, &impostor.did());
                assert_eq!(since, "2026-12-02");
            }
            other => panic!("expected a pin mismatch, got {other}"),
        }
        assert_eq!(err.kind(), ErrorKind::Rejected);
        assert!(err.to_string().contains("holder forget a.example"), "{err}");
    }
    assert_eq!(
        std::fs::read(&pins_file).unwrap(),
        saved,
        "the pins changed"
    );

    // After `forget`, the new key is new (the holder decided the platform changed its key).
    assert!(pins.forget("a.example").unwrap());
    assert_eq!(pins.check(&forged, false).unwrap(), Some(PinStatus::New));
}

#[test]
fn an_unsigned_request_needs_explicit_permission() {
    let pins = Pins::load(&tempfile::tempdir().unwrap().path().join(PINS_FILE)).unwrap();
    let request = receive(&unsigned("a.example/signup").to_json()).unwrap();
    let err = pins.check(&request, false).unwrap_err();
    assert!(matches!(err, HolderError::Unsigned), "{err}");
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(err.to_string().contains("--allow-unsigned"), "{err}");
    assert_eq!(pins.check(&request, true).unwrap(), None);
}

#[test]
fn a_malformed_pins_file_is_named_and_not_overwritten() {
    let home = tempfile::tempdir().unwrap();
    let pins_file = home.path().join(PINS_FILE);
    std::fs::write(&pins_file, b"{\"type\": \"something else\"").unwrap();
    let err = Pins::load(&pins_file).unwrap_err();
    assert!(matches!(err, HolderError::File { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert_eq!(
        std::fs::read(&pins_file).unwrap(),
        b"{\"type\": \"something else\""
    );
}
