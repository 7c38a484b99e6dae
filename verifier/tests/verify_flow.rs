//! The verifier's decision end to end, on ark-groth16 proofs of 34-input statements (made with
//! the `Echo` toy circuit, which accepts any inputs, so each test controls the statement), and
//! the durable nullifier store.

mod common;

use ark_bn254::Fr;
use common::*;
use serde_json::json;
use std::collections::BTreeMap;
use zkcred_core::anchor::{AnchorEntry, AnchorError, Ledger};
use zkcred_core::date::Date;
use zkcred_core::did::IssuerKey;
use zkcred_core::name::NameOpening;
use zkcred_verifier::{
    verify, verify_and_record, verify_many, verify_many_and_record, Context, Error, NullifierStore,
    PreparedVerifyingKey, ProofEnvelope, Request,
};

const T0: u64 = 1_800_000_000;
const WINDOW: u64 = 3600;

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn fr(x: u64) -> Fr {
    Fr::from(x)
}

/// The issuer whose ledger the fixture's request accepts.
static ISSUER_KEY: std::sync::LazyLock<IssuerKey> =
    std::sync::LazyLock::new(|| IssuerKey::from_seed(&[5; 32]));

struct Fixture {
    request: Request,
    pk: ArkProvingKey,
    pvk: PreparedVerifyingKey,
    anchors: Vec<AnchorEntry>,
    root: Fr,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let request = Request::new(
            json!({"real_name_verified": {"$eq": 1}, "birth_date": {"$lte": "today-18y"},
                   "nationality": {"$in": [156, 344]}, "disclose": ["region", "name"]}),
            "x.com/verified-creators",
            "account:alice-7731",
            date("2026-11-24"),
            ISSUER_KEY.did(),
            None,
        )
        .unwrap();
        let (pk, vk) = setup(Echo::blank(34), 1);
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(dir.path().join("anchors.jsonl"));
        ledger.append(fr(1000), T0 - 7200, &*ISSUER_KEY).unwrap();
        ledger.append(fr(2000), T0 - 100, &*ISSUER_KEY).unwrap();
        Self {
            request,
            pk,
            pvk: our_key(&vk).prepare(),
            anchors: ledger.entries().unwrap(),
            root: fr(2000),
            _dir: dir,
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            anchors: &self.anchors,
            now_date: date("2026-11-24"),
            now_unix: T0,
            window: WINDOW,
        }
    }

    fn disclosed() -> BTreeMap<String, Fr> {
        BTreeMap::from([("region".to_string(), fr(110105))])
    }

    /// The holder's name opening.
    fn opening() -> NameOpening {
        NameOpening::new("张伟", -fr(4242)).unwrap()
    }

    /// An honest envelope for this request with `root`, `nullifier` and `disclosed`.
    fn envelope_with(
        &self,
        root: Fr,
        nullifier: Fr,
        disclosed: BTreeMap<String, Fr>,
    ) -> ProofEnvelope {
        self.envelope_for(&self.request, root, nullifier, disclosed)
    }

    /// An honest envelope for `request` (with the name opening if it asks for the name).
    fn envelope_for(
        &self,
        request: &Request,
        root: Fr,
        nullifier: Fr,
        disclosed: BTreeMap<String, Fr>,
    ) -> ProofEnvelope {
        let opening = request.discloses_name().then(Self::opening);
        let mut slots = [fr(0); 8];
        let names = zkcred_core::schema::Schema::identity_v1();
        for (name, v) in &disclosed {
            if let Ok((i, _)) = names.slot(name) {
                slots[i] = *v;
            }
        }
        let name_disclosure = opening.as_ref().map_or(fr(0), NameOpening::disclosure);
        let inputs = request
            .public_inputs(root, nullifier, slots, name_disclosure)
            .to_field_elements();
        let proof = our_proof(&prove(&self.pk, Echo::of(&inputs), 42));
        ProofEnvelope::new(
            request,
            self.pvk.circuit_id(),
            root,
            nullifier,
            disclosed,
            opening,
            inputs,
            proof,
        )
        .unwrap()
    }

    fn envelope(&self) -> ProofEnvelope {
        self.envelope_with(self.root, fr(777), Self::disclosed())
    }

    fn check(&self, e: &ProofEnvelope) -> Result<zkcred_verifier::Verified, Error> {
        verify(&self.request, e, &self.pvk, &self.ctx())
    }

    /// [`Fixture::check`] of the honest envelope against `anchors` instead of the fixture's.
    fn check_against(&self, anchors: &[AnchorEntry]) -> Result<zkcred_verifier::Verified, Error> {
        let ctx = Context {
            anchors,
            ..self.ctx()
        };
        verify(&self.request, &self.envelope(), &self.pvk, &ctx)
    }
}

fn rejected(r: Result<zkcred_verifier::Verified, Error>, check: fn(&Error) -> bool) {
    let e = r.unwrap_err();
    assert!(check(&e), "unexpected error: {e:?}");
    assert!(e.is_rejected() && !e.is_malformed(), "{e}");
}

fn malformed(r: Result<zkcred_verifier::Verified, Error>, check: fn(&Error) -> bool) {
    let e = r.unwrap_err();
    assert!(check(&e), "unexpected error: {e:?}");
    assert!(e.is_malformed(), "{e}");
}

#[test]
fn an_honest_proof_verifies() {
    let f = Fixture::new();
    let e = f.envelope();
    // Through the file format, as the CLI reads it.
    let e = ProofEnvelope::from_json(&e.to_json()).unwrap();
    let v = f.check(&e).unwrap();
    assert_eq!(v.nullifier, fr(777));
    assert_eq!(v.root, f.root);
    assert_eq!(v.scope, "x.com/verified-creators");
    assert_eq!(
        v.disclosed,
        BTreeMap::from([("region".to_string(), "110105".to_string())])
    );
    assert_eq!(v.name.as_deref(), Some("张伟"));
}

#[test]
fn the_root_window_rule_applies() {
    let mut f = Fixture::new();
    let old = f.envelope_with(fr(1000), fr(777), Fixture::disclosed());
    // fr(1000) was superseded at T0 - 100: accepted until T0 - 100 + WINDOW.
    f.check(&old).unwrap();
    f.anchors[1].time = T0 - WINDOW;
    rejected(f.check(&old), |e| {
        matches!(e, Error::Root(AnchorError::Expired { .. }))
    });
    let unknown = f.envelope_with(fr(3000), fr(777), Fixture::disclosed());
    rejected(f.check(&unknown), |e| {
        matches!(e, Error::Root(AnchorError::NotAnchored(_)))
    });
    rejected(f.check_against(&[]), |e| matches!(e, Error::Root(_)));
}

/// A proof is checked only against the anchors of the issuer its request names: the same roots
/// anchored (and signed) by another key, or a request naming another issuer, verify nothing.
#[test]
fn only_the_request_issuers_anchors_count() {
    let f = Fixture::new();
    f.check(&f.envelope()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let eve = IssuerKey::from_seed(&[6; 32]);
    let ledger = Ledger::new(dir.path().join("eve.jsonl"));
    ledger.append(fr(1000), T0 - 7200, &eve).unwrap();
    ledger.append(fr(2000), T0 - 100, &eve).unwrap();
    let eves = ledger.entries().unwrap();
    let foreign = |e: &Error| matches!(e, Error::Root(AnchorError::ForeignIssuer { .. }));
    rejected(f.check_against(&eves), foreign);
    let for_eve = Request::new(
        f.request.policy().clone(),
        f.request.scope(),
        f.request.message(),
        f.request.date(),
        eve.did(),
        None,
    )
    .unwrap();
    // A proof for a request naming Eve, against the ledger of the fixture's issuer.
    let eves_envelope = f.envelope_for(&for_eve, f.root, fr(777), Fixture::disclosed());
    rejected(verify(&for_eve, &eves_envelope, &f.pvk, &f.ctx()), foreign);
}

#[test]
fn the_request_date_must_be_within_a_day() {
    let f = Fixture::new();
    let e = f.envelope();
    for (today, ok) in [
        ("2026-11-23", true),
        ("2026-11-25", true),
        ("2026-11-22", false),
        ("2026-11-26", false),
        ("2027-11-24", false),
    ] {
        let ctx = Context {
            now_date: date(today),
            ..f.ctx()
        };
        let r = verify(&f.request, &e, &f.pvk, &ctx);
        if ok {
            r.unwrap();
        } else {
            rejected(r, |e| matches!(e, Error::DateOutOfWindow { .. }));
        }
    }
    let future = verify(
        &f.request,
        &e,
        &f.pvk,
        &Context {
            now_date: date("2026-11-20"),
            ..f.ctx()
        },
    );
    assert!(matches!(
        future,
        Err(Error::DateOutOfWindow {
            direction: "after",
            ..
        })
    ));
}

#[test]
fn the_key_must_be_the_one_named() {
    let f = Fixture::new();
    let e = f.envelope();
    // Another setup of the same circuit.
    let other = our_key(&setup(Echo::blank(34), 2).1).prepare();
    malformed(verify(&f.request, &e, &other, &f.ctx()), |e| {
        matches!(
            e,
            Error::WrongKey {
                named_by: "the proof envelope",
                ..
            }
        )
    });
    // An envelope that names the other key still fails: its proof was made with ours.
    let mut renamed = e.clone();
    renamed.circuit_id = other.circuit_id().to_string();
    rejected(verify(&f.request, &renamed, &other, &f.ctx()), |e| {
        matches!(e, Error::InvalidProof)
    });
    // A request that pins another circuit.
    let pinned = Request::new(
        f.request.policy().clone(),
        f.request.scope(),
        f.request.message(),
        f.request.date(),
        f.request.issuer(),
        Some(other.circuit_id().to_string()),
    )
    .unwrap();
    let mut e2 = e.clone();
    e2.request_id = pinned.id().to_string();
    malformed(verify(&pinned, &e2, &f.pvk, &f.ctx()), |e| {
        matches!(
            e,
            Error::WrongKey {
                named_by: "the request",
                ..
            }
        )
    });
    // A key for another number of public inputs.
    let small = our_key(&setup(Cubic::default(), 3).1).prepare();
    let mut e3 = e;
    e3.circuit_id = small.circuit_id().to_string();
    malformed(verify(&f.request, &e3, &small, &f.ctx()), |e| {
        matches!(
            e,
            Error::PublicInputCount {
                expected: 34,
                found: 3,
                ..
            }
        )
    });
}

#[test]
fn the_proof_must_answer_this_request() {
    let f = Fixture::new();
    let e = f.envelope();
    let other = Request::new(
        f.request.policy().clone(),
        f.request.scope(),
        "account:mallory",
        f.request.date(),
        f.request.issuer(),
        None,
    )
    .unwrap();
    rejected(verify(&other, &e, &f.pvk, &f.ctx()), |e| {
        matches!(e, Error::WrongRequest { .. })
    });
    for field in ["scope", "message", "date"] {
        let mut bad = e.clone();
        match field {
            "scope" => bad.scope = "x.com/other".into(),
            "message" => bad.message = "account:bob".into(),
            _ => bad.date = date("2026-11-23"),
        }
        let r = f.check(&bad);
        assert!(
            matches!(&r, Err(Error::RequestFieldMismatch { field: got, .. }) if *got == field),
            "{r:?}"
        );
        rejected(r, |_| true);
    }
    // A proof made for a weaker policy, relabelled as answering ours: the recomputed inputs
    // differ from the prover's.
    let weak = Request::new(
        json!({"disclose": ["region", "name"]}),
        f.request.scope(),
        f.request.message(),
        f.request.date(),
        f.request.issuer(),
        None,
    )
    .unwrap();
    let weak_inputs = weak
        .public_inputs(
            f.root,
            fr(777),
            {
                let mut s = [fr(0); 8];
                s[4] = fr(110105);
                s
            },
            e.public[33],
        )
        .to_field_elements();
    let mut relabelled = e.clone();
    relabelled.public = weak_inputs.clone();
    relabelled.proof = our_proof(&prove(&f.pk, Echo::of(&weak_inputs), 5));
    rejected(f.check(&relabelled), |e| {
        matches!(e, Error::PublicInputsMismatch { index: 4 })
    });
    // ... and with `public` "fixed" to match our request, the proof no longer verifies.
    relabelled.public = e.public.clone();
    rejected(f.check(&relabelled), |e| matches!(e, Error::InvalidProof));
}

#[test]
fn disclosed_values_must_answer_the_disclosure_list() {
    let f = Fixture::new();
    let mut missing = Fixture::disclosed();
    missing.remove("region");
    let e = f.envelope_with(f.root, fr(777), missing);
    rejected(f.check(&e), |e| matches!(e, Error::Disclosure(_)));

    let mut extra = Fixture::disclosed();
    extra.insert("nationality".into(), fr(156));
    let e = f.envelope_with(f.root, fr(777), extra);
    rejected(f.check(&e), |e| matches!(e, Error::Disclosure(_)));

    let mut unknown = Fixture::disclosed();
    unknown.insert("height".into(), fr(180));
    let e = f.envelope_with(f.root, fr(777), unknown);
    malformed(f.check(&e), |e| matches!(e, Error::DisclosedValue { .. }));

    // A numeric attribute of 2^64 cannot be a credential value.
    let mut wide = Fixture::disclosed();
    wide.insert("region".into(), fr(u64::MAX) + fr(1));
    let e = f.envelope_with(f.root, fr(777), wide);
    malformed(
        f.check(&e),
        |e| matches!(e, Error::DisclosedValue { name, .. } if name == "region"),
    );

    // A disclosed value changed after proving (with `public` patched to match).
    let mut e = f.envelope();
    e.disclosed.insert("region".into(), fr(110106));
    rejected(f.check(&e), |e| {
        matches!(e, Error::PublicInputsMismatch { index: 29 })
    });
    e.public[29] = fr(110106);
    rejected(f.check(&e), |e| matches!(e, Error::InvalidProof));
}

#[test]
fn public_inputs_are_recomputed_never_trusted() {
    let f = Fixture::new();
    for i in [0usize, 1, 2, 3, 4, 10, 17, 32] {
        let mut e = f.envelope();
        e.public[i] += fr(1);
        rejected(f.check(&e), |e| {
            matches!(e, Error::PublicInputsMismatch { .. })
        });
    }
    // The name disclosure is recomputed from the opening.
    let mut e = f.envelope();
    e.public[33] += fr(1);
    rejected(f.check(&e), |e| matches!(e, Error::NameOpeningMismatch));
    let mut e = f.envelope();
    e.public.push(fr(0));
    rejected(f.check(&e), |e| {
        matches!(e, Error::PublicInputsMismatch { index: 34 })
    });
    // A changed nullifier, consistently patched, fails the pairing check.
    let mut e = f.envelope();
    e.nullifier = fr(778);
    e.public[1] = fr(778);
    rejected(f.check(&e), |e| matches!(e, Error::InvalidProof));
}

#[test]
fn nullifiers_are_recorded_once_per_scope_durably() {
    let f = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nullifiers.redb");
    let e = f.envelope();
    {
        let store = NullifierStore::open(&path).unwrap();
        verify_and_record(&f.request, &e, &f.pvk, &f.ctx(), &store).unwrap();
        assert!(store.contains(f.request.scope(), fr(777)).unwrap());
        rejected(
            verify_and_record(&f.request, &e, &f.pvk, &f.ctx(), &store),
            |e| matches!(e, Error::NullifierReused { .. }),
        );
        // A rejected proof does not use up a nullifier.
        let mut bad = f.envelope_with(f.root, fr(888), Fixture::disclosed());
        bad.public[1] = fr(0);
        assert!(verify_and_record(&f.request, &bad, &f.pvk, &f.ctx(), &store).is_err());
        assert!(!store.contains(f.request.scope(), fr(888)).unwrap());
        // The same nullifier value in another scope is another key.
        store.record("y.com/other", fr(777)).unwrap();
    }
    // Reopened: the records survived.
    let store = NullifierStore::open(&path).unwrap();
    assert!(store.contains(f.request.scope(), fr(777)).unwrap());
    assert!(matches!(
        store.record(f.request.scope(), fr(777)),
        Err(Error::NullifierReused { .. })
    ));
    assert!(matches!(
        store.record("y.com/other", fr(777)),
        Err(Error::NullifierReused { .. })
    ));
    store.record(f.request.scope(), fr(778)).unwrap();
}

#[test]
fn concurrent_records_of_one_nullifier_succeed_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = NullifierStore::open(dir.path().join("n.redb")).unwrap();
    let results: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| store.record("scope", fr(5)).is_ok()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|ok| **ok).count(), 1);
}

#[test]
fn a_store_that_is_not_a_database_is_an_internal_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-db");
    std::fs::write(
        &path,
        b"this is not a redb file, just some text that is long enough",
    )
    .unwrap();
    let e = NullifierStore::open(&path).unwrap_err();
    assert!(matches!(e, Error::Store(_)));
    assert!(!e.is_malformed() && !e.is_rejected());
}

/// `verify_many` on a mix of honest and bad envelopes returns, item by item, what `verify`
/// returns.
#[test]
fn verify_many_reports_each_item_as_verify_does() {
    let f = Fixture::new();
    let honest = |n: u64| f.envelope_with(f.root, fr(n), Fixture::disclosed());
    let other = Request::new(
        f.request.policy().clone(),
        f.request.scope(),
        "account:mallory",
        f.request.date(),
        f.request.issuer(),
        None,
    )
    .unwrap();
    // A proof whose statement checks pass but whose pairing check fails.
    let mut forged = honest(3);
    forged.proof = honest(4).proof;
    // Public inputs patched to a value the proof was not made for.
    let mut patched = honest(5);
    patched.disclosed.insert("region".into(), fr(110106));
    patched.public[29] = fr(110106);
    let mut old_root = f.envelope_with(fr(1000), fr(6), Fixture::disclosed());
    old_root.proof = honest(7).proof; // invalid too, but the root is checked first
    let mut unknown = Fixture::disclosed();
    unknown.insert("height".into(), fr(180));
    let mut renamed = honest(12);
    renamed.name_opening = Some(NameOpening::new("李娜", Fixture::opening().t()).unwrap());
    let items: Vec<(Request, ProofEnvelope)> = vec![
        (f.request.clone(), honest(1)),
        (f.request.clone(), forged),
        (other, honest(2)),
        (f.request.clone(), honest(8)),
        (f.request.clone(), patched),
        (f.request.clone(), f.envelope_with(f.root, fr(9), unknown)),
        (f.request.clone(), honest(10)),
        (f.request.clone(), old_root),
        (f.request.clone(), honest(11)),
        (f.request.clone(), renamed),
    ];
    let mut ctx = f.ctx();
    // fr(1000) was superseded at T0 - 100: expired from T0 - 100 + WINDOW.
    ctx.now_unix = T0 - 100 + WINDOW + 1;
    let many = verify_many(&items, &f.pvk, &ctx);
    assert_eq!(many.len(), items.len());
    for ((request, envelope), got) in items.iter().zip(&many) {
        let want = verify(request, envelope, &f.pvk, &ctx);
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }
    let summary: Vec<&str> = (many.iter())
        .map(|r| match r {
            Ok(_) => "ok",
            Err(Error::InvalidProof) => "invalid proof",
            Err(Error::WrongRequest { .. }) => "wrong request",
            Err(Error::Root(_)) => "root",
            Err(Error::NameOpeningMismatch) => "name",
            Err(e) if e.is_malformed() => "malformed",
            Err(_) => "other",
        })
        .collect();
    assert_eq!(
        summary,
        [
            "ok",
            "invalid proof",
            "wrong request",
            "ok",
            "invalid proof",
            "malformed",
            "ok",
            "root",
            "ok",
            "name"
        ]
    );
    assert_eq!(many[3].as_ref().unwrap().nullifier, fr(8));

    assert!(verify_many(&[], &f.pvk, &ctx).is_empty());
    let one = verify_many(&items[..1], &f.pvk, &ctx);
    assert_eq!(one[0].as_ref().unwrap(), &f.check(&items[0].1).unwrap());
}

#[test]
fn verify_many_and_record_records_only_verified_nullifiers_in_order() {
    let f = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let store = NullifierStore::open(dir.path().join("nullifiers.redb")).unwrap();
    let honest = |n: u64| f.envelope_with(f.root, fr(n), Fixture::disclosed());
    let mut forged = honest(2);
    forged.proof = honest(3).proof;
    let items: Vec<(Request, ProofEnvelope)> = [honest(1), forged, honest(4), honest(1)]
        .into_iter()
        .map(|e| (f.request.clone(), e))
        .collect();
    let results = verify_many_and_record(&items, &f.pvk, &f.ctx(), &store);
    assert!(results[0].is_ok() && results[2].is_ok());
    assert!(matches!(results[1], Err(Error::InvalidProof)));
    // The same holder twice in one batch: the second is a reused nullifier.
    assert!(matches!(results[3], Err(Error::NullifierReused { .. })));
    let scope = f.request.scope();
    assert!(store.contains(scope, fr(1)).unwrap());
    assert!(store.contains(scope, fr(4)).unwrap());
    assert!(!store.contains(scope, fr(2)).unwrap());
    // A second run finds them all used (except the forged one, still invalid).
    let again = verify_many_and_record(&items, &f.pvk, &f.ctx(), &store);
    assert!(matches!(again[1], Err(Error::InvalidProof)));
    for i in [0, 2, 3] {
        assert!(
            matches!(again[i], Err(Error::NullifierReused { .. })),
            "{i}"
        );
    }
}

#[test]
fn the_name_opening_must_open_the_name_disclosure() {
    let f = Fixture::new();
    let honest = f.envelope();
    assert!(honest.name_opening.is_some());
    // The opening travels in the envelope only, never among the public inputs.
    let json: serde_json::Value = serde_json::from_str(&honest.to_json()).unwrap();
    assert_eq!(json["name_opening"]["name"], "张伟");
    assert!(!honest.public.contains(&Fixture::opening().t()));

    // Another name, or another t: the opening no longer opens the proof's disclosure.
    let t = Fixture::opening().t();
    for opening in [
        NameOpening::new("李娜", t).unwrap(),
        NameOpening::new("张伟", t + fr(1)).unwrap(),
    ] {
        let mut e = honest.clone();
        e.name_opening = Some(opening.clone());
        rejected(f.check(&e), |e| matches!(e, Error::NameOpeningMismatch));
        assert_eq!(
            Error::NameOpeningMismatch.to_string(),
            "the name opening does not open the proof's name disclosure: the name or t was changed"
        );
        // With the public input patched to match, the proof no longer verifies.
        e.public[33] = opening.disclosure();
        rejected(f.check(&e), |e| matches!(e, Error::InvalidProof));
    }

    // Missing when asked.
    let mut e = honest.clone();
    e.name_opening = None;
    rejected(f.check(&e), |e| matches!(e, Error::NameOpeningMissing));
    let mut text: serde_json::Value = serde_json::from_str(&honest.to_json()).unwrap();
    text.as_object_mut().unwrap().remove("name_opening");
    let e = ProofEnvelope::from_json(&text.to_string()).unwrap();
    rejected(f.check(&e), |e| matches!(e, Error::NameOpeningMissing));
}

#[test]
fn a_name_opening_is_never_attached_unasked() {
    let f = Fixture::new();
    let plain = Request::new(
        json!({"disclose": ["region"]}),
        f.request.scope(),
        f.request.message(),
        f.request.date(),
        f.request.issuer(),
        None,
    )
    .unwrap();
    assert!(!plain.discloses_name() && f.request.discloses_name());
    let e = f.envelope_for(&plain, f.root, fr(777), Fixture::disclosed());
    assert_eq!(e.public[33], fr(0));
    assert_eq!(verify(&plain, &e, &f.pvk, &f.ctx()).unwrap().name, None);
    // The holder refuses to attach a name the request does not ask for ...
    let r = ProofEnvelope::new(
        &plain,
        e.circuit_id.clone(),
        e.root,
        e.nullifier,
        e.disclosed.clone(),
        Some(Fixture::opening()),
        e.public.clone(),
        e.proof,
    );
    assert!(matches!(r, Err(Error::NameOpeningNotAsked)), "{r:?}");
    // ... and refuses to leave it out when it does.
    let r = ProofEnvelope::new(
        &f.request,
        e.circuit_id.clone(),
        e.root,
        e.nullifier,
        e.disclosed.clone(),
        None,
        e.public.clone(),
        e.proof,
    );
    assert!(matches!(r, Err(Error::NameOpeningMissing)), "{r:?}");
    // An envelope edited to carry one is refused by the verifier.
    let mut edited = e.clone();
    edited.name_opening = Some(Fixture::opening());
    rejected(verify(&plain, &edited, &f.pvk, &f.ctx()), |e| {
        matches!(e, Error::NameOpeningNotAsked)
    });
}

#[test]
fn name_openings_are_normalized_and_validated_when_read() {
    let f = Fixture::new();
    let honest = f.envelope();
    let mut v: serde_json::Value = serde_json::from_str(&honest.to_json()).unwrap();
    // A name written in NFD reads as its NFC form.
    v["name_opening"]["name"] = json!("Jose\u{301}");
    let e = ProofEnvelope::from_json(&v.to_string()).unwrap();
    assert_eq!(e.name_opening.as_ref().unwrap().name(), "Jos\u{e9}");
    for (name, t) in [
        (json!("Zhang\nWei"), json!("1")),
        (json!(""), json!("1")),
        (json!("张伟"), json!("01")),
        (json!("张伟"), json!(7)),
    ] {
        let mut bad = v.clone();
        bad["name_opening"] = json!({"name": name, "t": t});
        let e = ProofEnvelope::from_json(&bad.to_string()).unwrap_err();
        assert!(e.is_malformed(), "{e}");
    }
    let mut extra = v.clone();
    extra["name_opening"]["salt"] = json!("1");
    assert!(ProofEnvelope::from_json(&extra.to_string())
        .unwrap_err()
        .is_malformed());
}
