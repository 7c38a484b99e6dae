//! The `zkcred` binary driven as a user would: every subcommand, the happy path and the unhappy
//! ones, each with its documented exit code (0 ok, 1 rejected, 2 malformed) and a one-line error.

mod common;

use assert_cmd::Command;
use common::run_cmd;
use predicates::prelude::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn zkcred() -> Command {
    Command::cargo_bin("zkcred").unwrap()
}

/// Runs zkcred with `args`, expecting exit `code`; returns stdout.
fn run(args: &[&str], code: i32) -> String {
    common::zkcred_expect(args, code).0
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Keys made once for the whole test binary.
fn keys() -> &'static Path {
    static KEYS: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = KEYS.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("keys");
        let out = zkcred()
            .args(["setup", "dev", "--out", s(&p)])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("WARNING"));
        (d, p)
    });
    p
}

/// An issuer with one holder's credential, anchored, and a request from a platform.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn ps(&self, name: &str) -> String {
        s(&self.p(name)).to_string()
    }

    fn new(birth: &str) -> Self {
        Self::named(birth, "张伟")
    }

    /// A world whose holder's name is given to the issuer as `name`.
    fn named(birth: &str, name: &str) -> Self {
        let w = World {
            dir: tempfile::tempdir().unwrap(),
        };
        let hpk = run(&["holder", "new", "--out", &w.ps("holder.key")], 0);
        let hpk = hpk.trim().to_string();
        let secret: Value =
            serde_json::from_str(&std::fs::read_to_string(w.p("holder.key")).unwrap()).unwrap();
        assert!(
            !hpk.contains(secret["secret"].as_str().unwrap()),
            "the secret was printed"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(w.p("holder.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        run(&["issuer", "init", "--db", &w.ps("issuer.db")], 0);
        w.issue(&hpk, birth, name, "credential.json");
        run(
            &[
                "issuer",
                "anchor",
                "--db",
                &w.ps("issuer.db"),
                "--ledger",
                &w.ps("ledger"),
            ],
            0,
        );
        run(
            &[
                "issuer",
                "path",
                "--db",
                &w.ps("issuer.db"),
                "--index",
                "0",
                "--out",
                &w.ps("path.json"),
            ],
            0,
        );
        w.request("adult-realname", "platform-a", "2026-11-24", "request.json");
        w
    }

    fn issue(&self, hpk: &str, birth: &str, name: &str, out: &str) -> String {
        let attrs = json!({"name": name, "real_name_verified": true, "birth_date": birth,
            "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1});
        std::fs::write(self.p("attrs.json"), attrs.to_string()).unwrap();
        run(
            &[
                "issuer",
                "issue",
                "--db",
                &self.ps("issuer.db"),
                "--hpk",
                hpk,
                "--attrs",
                &self.ps("attrs.json"),
                "--out",
                &self.ps(out),
            ],
            0,
        )
    }

    fn request(&self, policy: &str, scope: &str, date: &str, out: &str) {
        let issuer = run(&["issuer", "did", "--db", &self.ps("issuer.db")], 0);
        run(
            &[
                "request",
                "--issuer",
                issuer.trim(),
                "--policy",
                policy,
                "--scope",
                scope,
                "--message",
                "account:1",
                "--date",
                date,
                "--out",
                &self.ps(out),
            ],
            0,
        );
    }

    /// A request for the holder's name ("influencer-disclose-name") from platform `scope`.
    fn request_name(&self, scope: &str, out: &str) {
        self.request("influencer-disclose-name", scope, "2026-11-24", out);
    }

    fn prove_args(&self, request: &str, out: &str) -> Vec<String> {
        [
            "prove",
            "--yes",
            "--allow-unsigned",
            "--keys",
            s(keys()),
            "--credential",
            &self.ps("credential.json"),
            "--secret",
            &self.ps("holder.key"),
            "--path",
            &self.ps("path.json"),
            "--request",
            &self.ps(request),
            "--out",
            &self.ps(out),
        ]
        .map(String::from)
        .to_vec()
    }

    fn prove(&self, request: &str, out: &str, code: i32) {
        let args = self.prove_args(request, out);
        run(&args.iter().map(String::as_str).collect::<Vec<_>>(), code);
    }

    fn verify(&self, request: &str, proof: &str, extra: &[&str], code: i32) -> String {
        let proof = self.p(proof).join("zkcred-proof.json");
        let mut args = vec!["verify", "--keys", s(keys()), "--request"];
        let (r, l) = (self.ps(request), self.ps("ledger"));
        args.extend([
            r.as_str(),
            "--proof",
            s(&proof),
            "--ledger",
            l.as_str(),
            "--now",
            "2026-11-24",
        ]);
        args.extend(extra);
        run(&args, code)
    }
}

#[test]
fn full_flow_and_nullifier_reuse() {
    let w = World::new("2000-01-01");
    w.prove("request.json", "proof", 0);
    for f in ["zkcred-proof.json", "proof.json", "public.json"] {
        assert!(w.p("proof").join(f).exists(), "{f}");
    }
    let root = run(&["issuer", "root", "--db", &w.ps("issuer.db")], 0);
    let public: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(w.p("proof/public.json")).unwrap()).unwrap();
    assert_eq!(public.len(), 34);
    assert_eq!(public[33], "0", "adult-realname does not disclose the name");
    assert_eq!(public[0], root.trim());
    let nulls = w.ps("nullifiers.db");
    let out = w.verify("request.json", "proof", &["--nullifiers", &nulls], 0);
    assert!(out.starts_with("valid"));
    // A second proof in the same scope is refused.
    w.prove("request.json", "proof2", 0);
    w.verify("request.json", "proof2", &["--nullifiers", &nulls], 1);
    // Verifying with --vk works the same.
    let vk = keys().join("verification_key.json");
    let (r, p, l) = (
        w.ps("request.json"),
        w.p("proof").join("zkcred-proof.json"),
        w.ps("ledger"),
    );
    run(
        &[
            "verify",
            "--vk",
            s(&vk),
            "--request",
            &r,
            "--proof",
            s(&p),
            "--ledger",
            &l,
            "--now",
            "2026-11-24",
        ],
        0,
    );
}

/// The proof envelope in directory `dir` of `w`, as JSON.
fn envelope_json(w: &World, dir: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(w.p(dir).join("zkcred-proof.json")).unwrap())
        .unwrap()
}

/// Writes `v` as the envelope of directory `dir` of `w`.
fn write_envelope(w: &World, dir: &str, v: &Value) {
    std::fs::create_dir_all(w.p(dir)).unwrap();
    std::fs::write(w.p(dir).join("zkcred-proof.json"), v.to_string()).unwrap();
}

#[test]
fn real_names_are_verified_per_presentation() {
    let w = World::new("2000-01-01");
    w.request_name("platform-a", "name-a.json");
    w.request_name("platform-b", "name-b.json");
    w.prove("name-a.json", "pa", 0);
    w.prove("name-b.json", "pb", 0);
    for dir in ["pa", "pb"] {
        let out = w.verify(&format!("name-{}.json", &dir[1..]), dir, &[], 0);
        assert!(out.contains("real name: 张伟 (verified)"), "{out}");
    }
    // Two platforms receive unrelated name disclosures; neither public.json holds the name,
    // t or the name commitment.
    let public = |dir: &str| -> Vec<String> {
        serde_json::from_str(&std::fs::read_to_string(w.p(dir).join("public.json")).unwrap())
            .unwrap()
    };
    let (a, b) = (public("pa"), public("pb"));
    assert_ne!(a[33], b[33]);
    let credential: Value =
        serde_json::from_str(&std::fs::read_to_string(w.p("credential.json")).unwrap()).unwrap();
    let commitment = &credential["credentialSubject"]["attributes"]["name_commitment"];
    for (dir, inputs) in [("pa", &a), ("pb", &b)] {
        let e = envelope_json(&w, dir);
        let t = e["name_opening"]["t"].as_str().unwrap();
        assert_eq!(e["name_opening"]["name"], "张伟");
        assert!(!inputs.iter().any(|x| x == t || x == commitment));
        let text = std::fs::read_to_string(w.p(dir).join("public.json")).unwrap();
        assert!(!text.contains("张伟"));
        // The envelope holds the real name: written for its owner only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(w.p(dir).join("zkcred-proof.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    assert_ne!(
        envelope_json(&w, "pa")["name_opening"]["t"],
        envelope_json(&w, "pb")["name_opening"]["t"]
    );

    // An ordinary request gets no name and no opening.
    w.prove("request.json", "plain", 0);
    assert!(envelope_json(&w, "plain").get("name_opening").is_none());
    let out = w.verify("request.json", "plain", &[], 0);
    assert!(!out.contains("real name"), "{out}");
}

#[test]
fn tampered_name_openings_are_rejected() {
    let w = World::new("2000-01-01");
    w.request_name("platform-a", "name.json");
    w.prove("name.json", "p", 0);
    let honest = envelope_json(&w, "p");
    let verify_err_for = |request: &str, dir: &str, code: i32| {
        let proof = w.p(dir).join("zkcred-proof.json");
        let out = zkcred()
            .args(["verify", "--keys", s(keys()), "--request", &w.ps(request)])
            .args(["--proof", s(&proof), "--ledger", &w.ps("ledger")])
            .args(["--now", "2026-11-24"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code));
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let verify_err = |dir: &str, code: i32| verify_err_for("name.json", dir, code);
    let mut renamed = honest.clone();
    renamed["name_opening"]["name"] = json!("李娜");
    write_envelope(&w, "renamed", &renamed);
    assert!(verify_err("renamed", 1).contains("the name or t was changed"));
    let mut other_t = honest.clone();
    other_t["name_opening"]["t"] = json!("12345");
    write_envelope(&w, "other-t", &other_t);
    assert!(verify_err("other-t", 1).contains("the name or t was changed"));
    let mut missing = honest.clone();
    missing.as_object_mut().unwrap().remove("name_opening");
    write_envelope(&w, "missing", &missing);
    assert!(verify_err("missing", 1).contains("no name opening"));
    let mut control = honest.clone();
    control["name_opening"]["name"] = json!("张\n伟");
    write_envelope(&w, "control", &control);
    assert!(verify_err("control", 2).contains("control character"));
    // An opening attached to a proof for a request that does not ask for the name.
    w.prove("request.json", "plain", 0);
    let mut plain = envelope_json(&w, "plain");
    plain["name_opening"] = honest["name_opening"].clone();
    write_envelope(&w, "plain-named", &plain);
    assert!(verify_err_for("request.json", "plain-named", 1)
        .contains("the request does not ask for the name"));
}

#[test]
fn a_name_given_in_nfd_proves_and_verifies_as_nfc() {
    let w = World::named("2000-01-01", "Jose\u{301} Mun\u{303}oz");
    let credential = std::fs::read_to_string(w.p("credential.json")).unwrap();
    assert!(credential.contains("Jos\u{e9} Mu\u{f1}oz"));
    w.request_name("platform-a", "name.json");
    w.prove("name.json", "p", 0);
    let out = w.verify("name.json", "p", &[], 0);
    assert!(
        out.contains("real name: Jos\u{e9} Mu\u{f1}oz (verified)"),
        "{out}"
    );
    // The holder's opening written in NFD verifies to the same name.
    let mut e = envelope_json(&w, "p");
    e["name_opening"]["name"] = json!("Jose\u{301} Mun\u{303}oz");
    write_envelope(&w, "nfd", &e);
    let out = w.verify("name.json", "nfd", &[], 0);
    assert!(
        out.contains("real name: Jos\u{e9} Mu\u{f1}oz (verified)"),
        "{out}"
    );
}

#[test]
fn several_proofs_report_each() {
    let w = World::new("2000-01-01");
    w.prove("request.json", "a", 0);
    w.prove("request.json", "b", 0);
    let (r, l) = (w.ps("request.json"), w.ps("ledger"));
    let (a, b) = (
        w.p("a").join("zkcred-proof.json"),
        w.p("b").join("zkcred-proof.json"),
    );
    let out = run(
        &[
            "verify",
            "--keys",
            s(keys()),
            "--request",
            &r,
            "--proof",
            s(&a),
            s(&b),
            "--ledger",
            &l,
            "--now",
            "2026-11-24",
        ],
        0,
    );
    assert_eq!(out.matches("valid").count(), 2);
}

#[test]
fn unsatisfied_claims_are_named_and_write_no_proof() {
    let w = World::new("2008-11-25"); // not 18 on 2026-11-24
    let args = w.prove_args("request.json", "proof");
    zkcred()
        .args(&args)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("birth_date"));
    assert!(!w.p("proof").exists());
    // On the birthday itself it works.
    w.request(
        "adult-realname",
        "platform-a",
        "2026-11-25",
        "request-25.json",
    );
    w.prove("request-25.json", "proof", 0);
}

#[test]
fn malformed_inputs_exit_2() {
    let w = World::new("2000-01-01");
    w.prove("request.json", "proof", 0);
    let proof = w.p("proof").join("zkcred-proof.json");
    let text = std::fs::read_to_string(&proof).unwrap();

    // Malformed and truncated JSON.
    std::fs::write(w.p("bad-request.json"), "{not json").unwrap();
    w.verify("bad-request.json", "proof", &[], 2);
    std::fs::create_dir_all(w.p("trunc")).unwrap();
    std::fs::write(
        w.p("trunc").join("zkcred-proof.json"),
        &text[..text.len() / 2],
    )
    .unwrap();
    w.verify("request.json", "trunc", &[], 2);

    // A point not on the curve: change pi_a's y coordinate.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["proof"]["pi_a"][1] = json!("5");
    std::fs::create_dir_all(w.p("offcurve")).unwrap();
    std::fs::write(w.p("offcurve").join("zkcred-proof.json"), v.to_string()).unwrap();
    w.verify("request.json", "offcurve", &[], 2);

    // An unknown policy attribute.
    std::fs::write(w.p("policy.json"), r#"{"height": {"$gte": 180}}"#).unwrap();
    zkcred()
        .args([
            "request",
            "--issuer",
            run(&["issuer", "did", "--db", &w.ps("issuer.db")], 0).trim(),
            "--policy",
            &w.ps("policy.json"),
            "--scope",
            "x",
            "--message",
            "m",
            "--out",
            &w.ps("r.json"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("height"));

    // A truncated proving key.
    let bad_keys = w.p("badkeys");
    std::fs::create_dir_all(&bad_keys).unwrap();
    for f in ["verification_key.json", "circuit_id"] {
        std::fs::copy(keys().join(f), bad_keys.join(f)).unwrap();
    }
    let pk = std::fs::read(keys().join("proving_key.bin")).unwrap();
    std::fs::write(bad_keys.join("proving_key.bin"), &pk[..pk.len() - 100]).unwrap();
    let mut args = w.prove_args("request.json", "p2");
    args[4] = s(&bad_keys).to_string();
    zkcred()
        .args(&args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("proving_key.bin"));

    // A verification key with a point off the curve.
    let mut vk: Value = serde_json::from_str(
        &std::fs::read_to_string(keys().join("verification_key.json")).unwrap(),
    )
    .unwrap();
    vk["IC"][3][0] = json!("7");
    std::fs::write(w.p("vk.json"), vk.to_string()).unwrap();
    let (r, l) = (w.ps("request.json"), w.ps("ledger"));
    run(
        &[
            "verify",
            "--vk",
            &w.ps("vk.json"),
            "--request",
            &r,
            "--proof",
            s(&proof),
            "--ledger",
            &l,
            "--now",
            "2026-11-24",
        ],
        2,
    );

    // Missing files and bad arguments.
    run(&["issuer", "root", "--db", &w.ps("missing.db")], 2);
    run(
        &[
            "issuer",
            "issue",
            "--db",
            &w.ps("issuer.db"),
            "--hpk",
            "12x",
            "--attrs",
            &w.ps("attrs.json"),
            "--out",
            &w.ps("c2.json"),
        ],
        2,
    );
}

#[test]
fn key_from_another_circuit_is_refused() {
    let w = World::new("2000-01-01");
    w.prove("request.json", "proof", 0);
    let other = w.p("other-keys");
    run(&["setup", "dev", "--out", s(&other)], 0);
    let (r, l, p) = (
        w.ps("request.json"),
        w.ps("ledger"),
        w.p("proof").join("zkcred-proof.json"),
    );
    let out = zkcred()
        .args([
            "verify",
            "--keys",
            s(&other),
            "--request",
            &r,
            "--proof",
            s(&p),
            "--ledger",
            &l,
            "--now",
            "2026-11-24",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("circuit"));
}

#[test]
fn tampered_proofs_and_wrong_context_are_rejected() {
    let w = World::new("2000-01-01");
    w.prove("request.json", "proof", 0);
    let text = std::fs::read_to_string(w.p("proof").join("zkcred-proof.json")).unwrap();

    // A valid point that is the wrong one: negate pi_a (y -> q - y).
    let q = num_q();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let y: num_bigint_dig::BigUint = v["proof"]["pi_a"][1].as_str().unwrap().parse().unwrap();
    v["proof"]["pi_a"][1] = json!((q - y).to_string());
    std::fs::create_dir_all(w.p("neg")).unwrap();
    std::fs::write(w.p("neg").join("zkcred-proof.json"), v.to_string()).unwrap();
    w.verify("request.json", "neg", &[], 1);

    // A changed nullifier (claimed pseudonym).
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["nullifier"] = json!("12345");
    std::fs::create_dir_all(w.p("nf")).unwrap();
    std::fs::write(w.p("nf").join("zkcred-proof.json"), v.to_string()).unwrap();
    w.verify("request.json", "nf", &[], 1);

    // A request for another scope.
    w.request(
        "adult-realname",
        "platform-b",
        "2026-11-24",
        "request-b.json",
    );
    w.verify("request-b.json", "proof", &[], 1);

    // A future date: the request is dated two days after the verifier's clock.
    w.request(
        "adult-realname",
        "platform-a",
        "2026-11-26",
        "request-future.json",
    );
    w.prove("request-future.json", "future", 0);
    w.verify("request-future.json", "future", &[], 1);

    // A root never anchored.
    std::fs::write(w.p("ledger"), "").unwrap();
    w.verify("request.json", "proof", &[], 1);
}

#[test]
fn revocation_takes_effect_after_the_window() {
    let w = World::new("2000-01-01");
    w.prove("request.json", "old", 0);
    run(
        &[
            "issuer",
            "revoke",
            "--db",
            &w.ps("issuer.db"),
            "--index",
            "0",
        ],
        0,
    );
    run(
        &[
            "issuer",
            "revoke",
            "--db",
            &w.ps("issuer.db"),
            "--index",
            "0",
        ],
        1,
    );
    run(
        &[
            "issuer",
            "anchor",
            "--db",
            &w.ps("issuer.db"),
            "--ledger",
            &w.ps("ledger"),
        ],
        0,
    );
    // Within the window the old proof verifies; with the window closed it is rejected.
    w.verify("request.json", "old", &[], 0);
    w.verify("request.json", "old", &["--window", "0"], 1);
    // A new proof cannot be made: the new path proves leaf 0.
    run(
        &[
            "issuer",
            "path",
            "--db",
            &w.ps("issuer.db"),
            "--index",
            "0",
            "--out",
            &w.ps("path.json"),
        ],
        0,
    );
    let args = w.prove_args("request.json", "new");
    zkcred()
        .args(&args)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not in the tree"));
}

#[test]
fn bad_attributes_leave_the_database_unchanged() {
    let w = World::new("2000-01-01");
    let root = run(&["issuer", "root", "--db", &w.ps("issuer.db")], 0);
    let hpk = run(&["holder", "new", "--out", &w.ps("h2.key")], 0);
    for (k, v) in [
        ("birth_date", json!("2000-02-30")),
        ("nationality", json!(-1)),
        ("region", json!("18446744073709551616")),
        ("height", json!(1)),
    ] {
        let mut attrs = json!({"name": "A", "real_name_verified": true, "birth_date": "2000-01-01",
            "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1});
        attrs[k] = v;
        std::fs::write(w.p("bad.json"), attrs.to_string()).unwrap();
        run(
            &[
                "issuer",
                "issue",
                "--db",
                &w.ps("issuer.db"),
                "--hpk",
                hpk.trim(),
                "--attrs",
                &w.ps("bad.json"),
                "--out",
                &w.ps("c.json"),
            ],
            2,
        );
        assert!(!w.p("c.json").exists());
    }
    assert_eq!(
        run(&["issuer", "root", "--db", &w.ps("issuer.db")], 0),
        root
    );
}

fn num_q() -> num_bigint_dig::BigUint {
    "21888242871839275222246405745257275088696311157297823662689037894645226208583"
        .parse()
        .unwrap()
}

#[test]
fn the_demo_shows_a_verified_name_and_an_anonymous_adult() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["demo", "--dir", s(dir.path())], 0);
    let influencer = out.find("influencer-disclose-name").unwrap();
    let ordinary = out.find("\"over18\" only").unwrap();
    assert!(
        out[influencer..ordinary].contains("real name: 张伟 (verified)"),
        "{out}"
    );
    let next = out[ordinary..]
        .find("\n[")
        .map_or(out.len(), |i| ordinary + i);
    assert!(!out[ordinary..next].contains("real name"), "{out}");
    assert!(out.contains("demo complete"));
}

#[test]
fn imported_keys_are_sealed_and_a_changed_key_file_is_refused() {
    let w = World::new("2000-01-01");
    let imported = w.p("imported-keys");
    let import = |from: &Path, out: &Path, code: i32| {
        run(
            &["setup", "import", "--from", s(from), "--out", s(out)],
            code,
        )
    };
    import(keys(), &imported, 0);
    assert!(imported.join("manifest.json").exists());
    // Importing over keys, or from a directory without keys, is refused.
    import(keys(), &imported, 2);
    let empty = w.p("empty");
    std::fs::create_dir(&empty).unwrap();
    run(
        &["setup", "import", "--from", s(&empty), "--out", &w.ps("k2")],
        2,
    );

    let mut args = w.prove_args("request.json", "proof-imported");
    let at = args.iter().position(|a| a == "--keys").unwrap() + 1;
    args[at] = s(&imported).to_string();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args, 0);

    // One byte of the sealed proving key changed: refused, naming the file, nothing written.
    let file = imported.join("proving_key.bin");
    let original = std::fs::read(&file).unwrap();
    let mut changed = original.clone();
    changed[original.len() / 2] ^= 0x01;
    std::fs::write(&file, &changed).unwrap();
    std::fs::remove_dir_all(w.p("proof-imported")).unwrap();
    let out = zkcred().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("proving_key.bin changed after the keys were validated"),
        "{stderr}"
    );
    assert!(!w.p("proof-imported").exists());
    // Validated in full on request, the changed key is refused too (an invalid point, or a
    // proof that does not verify), and no proof is written.
    let mut revalidate = args.clone();
    revalidate.push("--revalidate");
    run(&revalidate, 2);
    assert!(!w.p("proof-imported").join("zkcred-proof.json").exists());
    // Restored and validated again (a changed key that passed validation was re-sealed), the
    // keys prove from their seal.
    std::fs::write(&file, &original).unwrap();
    run(&revalidate, 0);
    run(&args, 0);
}

/// The README's short form: a wallet in `$ZKCRED_HOME`, the tree synced from its published
/// files, a signed request proved with `--yes`; then what the wallet refuses.
#[test]
fn the_wallet_short_form_proves_a_signed_request() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| s(&dir.path().join(n)).to_string();
    let home = dir.path().join("wallet");
    let holder = |args: &[&str], code: i32| {
        let mut c = zkcred();
        c.env("ZKCRED_HOME", &home).current_dir(dir.path());
        run_cmd(c, args, code)
    };
    let hpk = holder(&["holder", "init"], 0).0;
    let hpk = hpk.lines().last().unwrap().trim().to_string();
    holder(&["holder", "import-keys", s(keys())], 0);
    let w = World {
        dir: tempfile::tempdir().unwrap(),
    };
    run(&["issuer", "init", "--db", &w.ps("issuer.db")], 0);
    w.issue(&hpk, "1990-05-17", "张伟", "credential.json");
    let (db, ledger) = (w.ps("issuer.db"), w.ps("anchors.jsonl"));
    run(&["issuer", "anchor", "--db", &db, "--ledger", &ledger], 0);
    let tree = w.ps("tree");
    run(
        &[
            "issuer", "publish", "--db", &db, "--ledger", &ledger, "--out", &tree,
        ],
        0,
    );
    holder(&["holder", "import", &w.ps("credential.json")], 0);
    holder(&["holder", "sync", "--tree", &tree], 0);
    let list = holder(&["holder", "list"], 0).0;
    assert!(list.contains("path synced at root"), "{list}");

    let platform_key = |out: &str| {
        run(
            &[
                "platform",
                "init",
                "--id",
                "weibo.example",
                "--out",
                &p(out),
            ],
            0,
        )
    };
    platform_key("platform.key");
    let issuer = run(&["issuer", "did", "--db", &db], 0);
    let signed = |key: &str, out: &str| {
        run(
            &[
                "request",
                "--issuer",
                issuer.trim(),
                "--policy",
                "adult-realname",
                "--signer",
                key,
                "--label",
                "signup",
                "--message",
                "account:1",
                "--keys",
                s(keys()),
                "--out",
                out,
            ],
            0,
        )
    };
    signed(&p("platform.key"), &p("request.json"));

    // Without a terminal and without --yes: nothing is proved.
    let (_, err) = holder(&["prove", "--request", &p("request.json")], 1);
    assert!(err.contains("not confirmed"), "{err}");
    assert!(!dir.path().join("proof").exists());
    let (out, _) = holder(
        &[
            "prove",
            "--request",
            &p("request.json"),
            "--out",
            &p("proof"),
            "--yes",
        ],
        0,
    );
    assert!(
        out.contains("weibo.example"),
        "the consent summary names the platform: {out}"
    );
    let proof = p("proof/zkcred-proof.json");
    let verified = run(
        &[
            "verify",
            "--keys",
            s(keys()),
            "--request",
            &p("request.json"),
            "--proof",
            &proof,
            "--ledger",
            &ledger,
        ],
        0,
    );
    assert!(verified.starts_with("valid"), "{verified}");

    // Another key claiming the pinned platform id is refused, naming the pin.
    platform_key("impostor.key");
    signed(&p("impostor.key"), &p("impostor.json"));
    let (_, err) = holder(&["prove", "--request", &p("impostor.json"), "--yes"], 1);
    assert!(err.contains("pinned"), "{err}");

    // An unsigned request needs --allow-unsigned.
    w.request(
        "adult-realname",
        "weibo.example/signup",
        "2026-11-24",
        "unsigned.json",
    );
    let (_, err) = holder(&["prove", "--request", &w.ps("unsigned.json"), "--yes"], 1);
    assert!(err.contains("--allow-unsigned"), "{err}");
}
