//! `zkcred serve` as a platform runs it: the real binary on a loopback port, driven over HTTP.
//!
//! Real proofs (dev keys, an issued and anchored credential, `zkcred prove` fetching the
//! request from the service) show the whole integration; presentations made with a load key
//! (`zkcred_service::load`) show micro-batching, hostile clients, the stores, two replicas on
//! one PostgreSQL and a replica killed with SIGKILL mid-load. PostgreSQL tests start a real
//! server in a temporary directory; without one installed they say SKIPPED (CI sets
//! `ZKCRED_REQUIRE_POSTGRES=1` and installs it, so there they never skip).

use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use zkcred_service::load::{self, Fixture, Http, Plan};
use zkcred_service::store::{PgStore, RedbStore, Store};
use zkcred_service::temp_postgres::{self, TempPostgres};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Runtime::new().unwrap())
}

/// A running `zkcred serve`, killed when dropped.
struct Service {
    child: Child,
    url: String,
    args: Vec<String>,
}

impl Service {
    fn start(args: &[String]) -> Self {
        Self::start_at(args, "127.0.0.1:0")
    }

    fn start_at(args: &[String], listen: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zkcred"))
            .arg("serve")
            .args(args)
            .args(["--listen", listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        // Keep draining stdout so the service never blocks on it.
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = out.read_to_string(&mut rest);
        });
        Self {
            child,
            url,
            args: args.to_vec(),
        }
    }

    fn http(&self) -> Http {
        Http::new(&self.url, 64)
    }

    fn call(&self, method: &str, path: &str, body: Option<String>) -> (u16, Value) {
        runtime()
            .block_on(self.http().json(method, path, body))
            .unwrap()
    }

    fn kill9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit status.
    fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        self.child.wait().unwrap()
    }

    /// A new process with the same arguments, on the same port.
    fn restart(&mut self) -> Self {
        self.kill9();
        let listen = self.url.trim_start_matches("http://").to_string();
        Self::start_at(&self.args.clone(), &listen)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn fixture(dir: &Path) -> Fixture {
    Fixture::create(&dir.join("load"), &mut rand::rngs::OsRng).unwrap()
}

fn service_args(f: &Fixture, store: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--keys",
        s(&f.keys()),
        "--ledger",
        s(&f.ledger()),
        "--issuer",
        &f.issuer().unwrap(),
        "--platform-key",
        s(&f.platform_key()),
        "--store",
        store,
    ]
    .map(String::from)
    .to_vec();
    a.extend(extra.iter().map(|x| x.to_string()));
    a
}

fn plan(url: &str, valid: usize, invalid: usize, duplicates: usize) -> Plan {
    Plan {
        url: url.to_string(),
        valid,
        invalid,
        duplicates,
        concurrency: 32,
        rate: None,
        max_time: Duration::from_secs(120),
        preset: "adult-realname".into(),
    }
}

fn nullifier_bytes(decimal: &str) -> [u8; 32] {
    let fr = zkcred_verifier::decimal::parse_fr(decimal, "nullifier").unwrap();
    zkcred_core::encoding::fr_to_be_bytes(&fr)
}

// ----- real proofs -----

struct Issued {
    dir: tempfile::TempDir,
}

impl Issued {
    fn p(&self, n: &str) -> String {
        s(&self.dir.path().join(n)).to_string()
    }
}

fn zkcred(args: &[&str], home: &Path) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_zkcred"))
        .args(args)
        .env("ZKCRED_HOME", home)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    out
}

fn ok(args: &[&str], home: &Path) -> String {
    let out = zkcred(args, home);
    assert!(
        out.status.success(),
        "zkcred {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Dev keys, a holder, an issuer with the holder's credential anchored, a platform key.
fn issued() -> Issued {
    let w = Issued {
        dir: tempfile::tempdir().unwrap(),
    };
    let home = w.dir.path().join("home");
    ok(&["setup", "dev", "--out", &w.p("keys")], &home);
    let hpk = ok(&["holder", "new", "--out", &w.p("holder.key")], &home);
    let attrs = json!({"name": "张伟", "real_name_verified": true, "birth_date": "1990-05-17",
        "expiry_date": "2031-01-01", "nationality": 156, "region": 110105, "document_type": 1});
    std::fs::write(w.p("attrs.json"), attrs.to_string()).unwrap();
    ok(&["issuer", "init", "--db", &w.p("issuer.db")], &home);
    ok(
        &[
            "issuer",
            "issue",
            "--db",
            &w.p("issuer.db"),
            "--hpk",
            hpk.trim(),
            "--attrs",
            &w.p("attrs.json"),
            "--out",
            &w.p("credential.json"),
        ],
        &home,
    );
    ok(
        &[
            "issuer",
            "anchor",
            "--db",
            &w.p("issuer.db"),
            "--ledger",
            &w.p("ledger"),
        ],
        &home,
    );
    ok(
        &[
            "issuer",
            "path",
            "--db",
            &w.p("issuer.db"),
            "--index",
            "0",
            "--out",
            &w.p("path.json"),
        ],
        &home,
    );
    ok(
        &[
            "platform",
            "init",
            "--id",
            "weibo.example",
            "--out",
            &w.p("platform.key"),
        ],
        &home,
    );
    w
}

#[test]
fn a_platform_verifies_real_proofs_once_per_holder_per_scope() {
    let w = issued();
    let home = w.dir.path().join("home");
    let issuer = ok(&["issuer", "did", "--db", &w.p("issuer.db")], &home);
    let svc = Service::start(
        &[
            "--keys",
            &w.p("keys"),
            "--ledger",
            &w.p("ledger"),
            "--issuer",
            issuer.trim(),
            "--platform-key",
            &w.p("platform.key"),
            "--store",
            &w.p("service.redb"),
        ]
        .map(String::from),
    );
    let create = |body: Value| {
        let (status, v) = svc.call("POST", "/v1/requests", Some(body.to_string()));
        assert_eq!(status, 201, "{v}");
        v
    };
    // The holder proves from the link the platform shows (zkcred prove fetches the request).
    let prove = |created: &Value, out: &str| -> String {
        let uri = created["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("zkcred://request?url=http%3A%2F%2F127.0.0.1"),
            "{uri}"
        );
        ok(
            &[
                "prove",
                "--yes",
                "--keys",
                &w.p("keys"),
                "--credential",
                &w.p("credential.json"),
                "--secret",
                &w.p("holder.key"),
                "--path",
                &w.p("path.json"),
                "--request",
                uri,
                "--out",
                &w.p(out),
            ],
            &home,
        );
        std::fs::read_to_string(w.p(&format!("{out}/zkcred-proof.json"))).unwrap()
    };
    let present = |envelope: &str| svc.call("POST", "/v1/presentations", Some(envelope.into()));

    let first =
        create(json!({"preset": "adult-realname", "label": "signup", "message": "account:1"}));
    assert_eq!(first["request"]["platform"]["id"], "weibo.example");
    assert_eq!(first["request"]["scope"], "weibo.example/signup");
    let (status, doc) = svc.call(
        "GET",
        &format!("/v1/requests/{}", first["id"].as_str().unwrap()),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(doc, first["request"]);
    let envelope = prove(&first, "p1");
    let (status, v) = present(&envelope);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["scope"], "weibo.example/signup");
    assert_eq!(
        v["name"],
        Value::Null,
        "the name is not asked for, so not revealed"
    );
    let nullifier = v["nullifier"].as_str().unwrap().to_string();

    // The same presentation again, and the same holder through a new request in the same
    // scope: one account per holder per scope.
    let (status, v) = present(&envelope);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (409, Some("duplicate")),
        "{v}"
    );
    let (status, _) = svc.call(
        "GET",
        &format!("/v1/requests/{}", first["id"].as_str().unwrap()),
        None,
    );
    assert_eq!(status, 410, "an answered request is gone");
    let second =
        create(json!({"preset": "adult-realname", "label": "signup", "message": "account:2"}));
    let (status, v) = present(&prove(&second, "p2"));
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (409, Some("duplicate")),
        "{v}"
    );

    // Another scope gives another, unlinkable pseudonym; a name request reveals the name.
    let named = create(
        json!({"preset": "influencer-disclose-name", "label": "creators", "message": "account:1"}),
    );
    let named_envelope = prove(&named, "p3");
    let (status, v) = present(&named_envelope);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["name"], "张伟");
    assert_ne!(v["nullifier"].as_str().unwrap(), nullifier);

    // Dishonest presentations, each refused with its reason.
    let third =
        create(json!({"preset": "adult-realname", "label": "signup-2", "message": "account:3"}));
    let good: Value = serde_json::from_str(&prove(&third, "p4")).unwrap();
    let refused = |edit: &dyn Fn(&mut Value), status: u16, code: &str| {
        let mut e = good.clone();
        edit(&mut e);
        let (st, v) = present(&e.to_string());
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{v}"
        );
        assert_eq!(v["outcome"], "rejected");
    };
    refused(
        &|e| e["public"][9] = json!("12345"),
        422,
        "public_inputs_mismatch",
    );
    refused(
        &|e| e["message"] = json!("account:999"),
        422,
        "request_field_mismatch",
    );
    refused(&|e| e["root"] = json!("7"), 422, "root_rejected");
    refused(
        &|e| e["proof"]["pi_a"][1] = json!("5"),
        400,
        "point_not_on_curve",
    );
    refused(
        &|e| {
            e["public"][0] = json!(zkcred_core::encoding::fr_to_string(
                &(-ark_bn254::Fr::from(1u64))
            ))
        },
        422,
        "public_inputs_mismatch",
    );
    // A proof for another request (another scope) presented as this one.
    refused(
        &|e| e["request_id"] = named["id"].clone(),
        422,
        "request_field_mismatch",
    );
    // A proof whose C is moved: only the pairing check can tell.
    let mut c = good.clone();
    c["proof"]["pi_c"] = good["proof"]["pi_a"].clone();
    let (st, v) = present(&c.to_string());
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (422, Some("invalid_proof")),
        "{v}"
    );
    // None of these used up the request: the honest presentation is still accepted.
    let (status, v) = present(&good.to_string());
    assert_eq!(status, 200, "{v}");

    // `zkcred verify` with the platform's ledger agrees with the service.
    let doc = w.p("named-request.json");
    std::fs::write(&doc, named["request"].to_string()).unwrap();
    let out = zkcred(
        &[
            "verify",
            "--keys",
            &w.p("keys"),
            "--request",
            &doc,
            "--ledger",
            &w.p("ledger"),
            "--proof",
            &w.p("p3/zkcred-proof.json"),
        ],
        &home,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ----- load-key presentations -----

#[test]
fn micro_batches_answer_every_presentation_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path());
    let store = dir.path().join("s.redb");
    let svc = Service::start(&service_args(&f, s(&store), &["--batch-wait-ms", "5"]));
    let p = plan(&svc.url, 300, 40, 40);
    let presentations = runtime().block_on(load::prepare(&p, &f, "t")).unwrap();
    let report = runtime().block_on(load::drive(p.clone(), presentations));
    eprintln!("{}", report.summary());
    assert_eq!(report.with_reason("accepted"), 300);
    assert_eq!(report.with_reason("invalid_proof"), 40);
    assert_eq!(report.with_reason("duplicate"), 40);
    assert_eq!(
        (
            report.server_errors(),
            report.transport_errors,
            report.double_accepted
        ),
        (0, 0, 0)
    );
    assert_eq!(
        report.with_status(200) + report.with_status(409) + report.with_status(422),
        380
    );
    let metrics = runtime()
        .block_on(svc.http().call("GET", "/metrics", None))
        .unwrap()
        .1;
    let metrics = String::from_utf8(metrics.to_vec()).unwrap();
    let value = |name: &str| -> f64 {
        let line = metrics
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let (sum, count) = (
        value("zkcred_batch_size_sum"),
        value("zkcred_batch_size_count"),
    );
    assert_eq!(sum, 380.0);
    assert!(
        count < 380.0,
        "presentations were verified together ({count} batches)"
    );
    assert_eq!(
        value("zkcred_presentations_total{outcome=\"accepted\",reason=\"accepted\"}"),
        300.0
    );

    // A lone presentation is answered after at most the batch wait (here 300 ms) and its
    // verification, not held for company.
    drop(svc);
    let svc = Service::start(&service_args(&f, s(&store), &["--batch-wait-ms", "300"]));
    let one = plan(&svc.url, 1, 0, 0);
    let presentations = runtime().block_on(load::prepare(&one, &f, "lone")).unwrap();
    let t = Instant::now();
    let report = runtime().block_on(load::drive(one.clone(), presentations));
    assert_eq!(report.with_reason("accepted"), 1, "{}", report.summary());
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "a lone presentation waited {:?}",
        t.elapsed()
    );
}

fn raw(url: &str, request: &[u8], wait: Duration) -> String {
    let addr = url.trim_start_matches("http://");
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(wait)).unwrap();
    c.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    String::from_utf8_lossy(&out).to_string()
}

#[test]
fn hostile_clients_get_json_errors_and_the_service_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path());
    let store = dir.path().join("s.redb");
    let svc = Service::start(&service_args(
        &f,
        s(&store),
        &["--body-limit", "8192", "--timeout-ms", "700"],
    ));
    let expect = |method: &str, path: &str, body: Option<String>, status: u16, code: &str| {
        let (st, v) = svc.call(method, path, body);
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{method} {path}: {v}"
        );
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            !message.contains("src/") && !message.contains("panicked"),
            "{message}"
        );
    };
    expect(
        "POST",
        "/v1/presentations",
        Some("{not json".into()),
        400,
        "malformed_json",
    );
    expect(
        "POST",
        "/v1/presentations",
        Some("[]".into()),
        400,
        "malformed_json",
    );
    expect(
        "POST",
        "/v1/presentations",
        Some("x".repeat(9000)),
        413,
        "body_too_large",
    );
    expect(
        "POST",
        "/v1/requests",
        Some("{\"preset\": \"adult-realname\"}".into()),
        400,
        "malformed_json",
    );
    expect(
        "POST",
        "/v1/requests",
        Some(
            json!({"preset": "adult-realname", "label": "a", "message": "m", "extra": 1})
                .to_string(),
        ),
        400,
        "malformed_json",
    );
    expect(
        "POST",
        "/v1/requests",
        Some(json!({"preset": "nope", "label": "a", "message": "m"}).to_string()),
        400,
        "unknown_preset",
    );
    expect(
        "POST",
        "/v1/requests",
        Some(json!({"preset": "over18", "policy": {}, "label": "a", "message": "m"}).to_string()),
        400,
        "bad_policy",
    );
    expect(
        "POST",
        "/v1/requests",
        Some(
            json!({"policy": {"birth_date": {"$lte": 5}}, "label": "a", "message": "m"})
                .to_string(),
        ),
        400,
        "invalid_value",
    );
    expect(
        "POST",
        "/v1/requests",
        Some(json!({"preset": "over18", "label": "", "message": "m"}).to_string()),
        400,
        "bad_label",
    );
    expect(
        "POST",
        "/v1/requests",
        Some(json!({"preset": "over18", "label": "a", "message": "m", "ttl_secs": 0}).to_string()),
        400,
        "bad_ttl",
    );
    expect(
        "GET",
        "/v1/requests/..%2F..%2Fetc",
        None,
        400,
        "bad_request_id",
    );
    expect(
        "GET",
        &format!("/v1/requests/{}", "a".repeat(64)),
        None,
        404,
        "unknown_request",
    );
    expect("GET", "/v1/nothing", None, 404, "not_found");
    expect(
        "DELETE",
        "/v1/presentations",
        None,
        405,
        "method_not_allowed",
    );
    // An envelope for a request the service never made.
    let other = tempfile::tempdir().unwrap();
    let foreign = fixture(other.path());
    let foreign_svc = Service::start(&service_args(
        &foreign,
        s(&other.path().join("s.redb")),
        &[],
    ));
    let p = plan(&foreign_svc.url, 1, 0, 0);
    let envelope = runtime()
        .block_on(load::prepare(&p, &foreign, "f"))
        .unwrap()
        .remove(0);
    expect(
        "POST",
        "/v1/presentations",
        Some(envelope),
        404,
        "unknown_request",
    );

    // A client that sends half a body and stalls is cut off by the timeout with a JSON 408.
    let answer = raw(
        &svc.url,
        b"POST /v1/presentations HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"a\":",
        Duration::from_secs(10),
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"timeout\""), "{answer}");
    // Not HTTP at all.
    let answer = raw(
        &svc.url,
        b"\x16\x03\x01\x02\x00garbage\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(!answer.contains("500"), "{answer}");

    // A flood of bad bodies on many connections: all 4xx, none 5xx, and the service still
    // serves.
    let statuses = runtime().block_on(async {
        let http = svc.http();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..300 {
            let http = http.clone();
            tasks.spawn(async move {
                let body = if i % 2 == 0 {
                    "{".repeat(i)
                } else {
                    format!("{{\"type\": {i}}}")
                };
                http.call("POST", "/v1/presentations", Some(body))
                    .await
                    .map(|r| r.0)
            });
        }
        let mut out = Vec::new();
        while let Some(r) = tasks.join_next().await {
            out.push(r.unwrap().unwrap());
        }
        out
    });
    assert!(
        statuses.iter().all(|s| (400..500).contains(s)),
        "{statuses:?}"
    );
    assert_eq!(
        svc.call("GET", "/healthz", None),
        (200, json!({"status": "ok"}))
    );
    assert_eq!(svc.call("GET", "/readyz", None).0, 200);
}

#[test]
fn request_creation_needs_the_bearer_token_when_one_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path());
    let token_file = dir.path().join("admin.token");
    std::fs::write(&token_file, "s3cr3t-token-0123456789\n").unwrap();
    let svc = Service::start(&service_args(
        &f,
        s(&dir.path().join("s.redb")),
        &["--admin-token-file", s(&token_file)],
    ));
    let body = json!({"preset": "over18", "label": "signup", "message": "m"}).to_string();
    let post = |auth: Option<&str>| {
        let header = auth.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        let request = format!(
            "POST /v1/requests HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{header}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        raw(&svc.url, request.as_bytes(), Duration::from_secs(10))
    };
    for auth in [None, Some("wrong"), Some("s3cr3t-token-012345678X")] {
        let answer = post(auth);
        assert!(answer.starts_with("HTTP/1.1 401"), "{auth:?}: {answer}");
        assert!(answer.contains("\"unauthorized\""), "{answer}");
        assert!(!answer.contains("s3cr3t"), "the token is never echoed");
    }
    assert!(post(Some("s3cr3t-token-0123456789")).starts_with("HTTP/1.1 201"));
    // Wallets need no token.
    let (status, _) = svc.call("GET", &format!("/v1/requests/{}", "a".repeat(64)), None);
    assert_eq!(status, 404);
    // A token that is too short is refused at start.
    std::fs::write(&token_file, "short").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zkcred"))
        .arg("serve")
        .args(service_args(
            &f,
            s(&dir.path().join("t.redb")),
            &["--admin-token-file", s(&token_file)],
        ))
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16"));
}

#[test]
fn requests_are_single_use_expire_and_come_as_qr_codes() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path());
    let store = dir.path().join("s.redb");
    let svc = Service::start(&service_args(&f, s(&store), &[]));
    let body = json!({"preset": "over18", "label": "signup", "message": "acct-9", "ttl_secs": 1});
    let (status, created) = svc.call("POST", "/v1/requests", Some(body.to_string()));
    assert_eq!(status, 201, "{created}");
    // The same content is the same request: answered with the stored one, not a new one.
    let (status, again) = svc.call("POST", "/v1/requests", Some(body.to_string()));
    assert_eq!((status, &again["id"]), (200, &created["id"]));
    let id = created["id"].as_str().unwrap();
    let (status, png) = runtime()
        .block_on(
            svc.http()
                .call("GET", &format!("/v1/requests/{id}/qr.png"), None),
        )
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    std::thread::sleep(Duration::from_millis(2100));
    let (status, v) = svc.call("GET", &format!("/v1/requests/{id}"), None);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (410, Some("request_expired"))
    );
    let (status, again) = svc.call("POST", "/v1/requests", Some(body.to_string()));
    assert_eq!(
        (status, again["state"].as_str()),
        (200, Some("expired")),
        "{again}"
    );
    // A valid proof for the expired request is refused as expired and records nothing.
    let request = zkcred_verifier::Request::from_json(&created["request"].to_string()).unwrap();
    let key = f.load_key().unwrap();
    let nf = ark_bn254::Fr::from(42u64);
    let envelope = load::presentation(
        &key,
        &request,
        f.root().unwrap(),
        nf,
        true,
        &mut rand::rngs::OsRng,
    );
    let (status, v) = svc.call("POST", "/v1/presentations", Some(envelope));
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (410, Some("request_expired")),
        "{v}"
    );

    // The OpenAPI document served is the committed one and names every route.
    let (status, doc) = svc.call("GET", "/v1/openapi.json", None);
    assert_eq!(status, 200);
    let committed: Value = serde_json::from_str(zkcred_service::OPENAPI).unwrap();
    assert_eq!(doc, committed);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/v1/requests",
        "/v1/requests/{id}",
        "/v1/requests/{id}/qr.png",
        "/v1/presentations",
        "/v1/roots",
        "/v1/openapi.json",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
    assert_eq!(
        doc["paths"].as_object().unwrap().len(),
        9,
        "a documented route that does not exist"
    );
}

#[test]
fn a_new_anchor_is_picked_up_and_a_corrupt_ledger_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path());
    let svc = Service::start(&service_args(&f, s(&dir.path().join("s.redb")), &[]));
    let (_, roots) = svc.call("GET", "/v1/roots", None);
    assert_eq!(roots["roots"].as_array().unwrap().len(), 1);
    zkcred_core::anchor::Ledger::new(f.ledger())
        .append(
            ark_bn254::Fr::from(77u64),
            zkcred_core::clock::now_unix(),
            &f.issuer_key().unwrap(),
        )
        .unwrap();
    eventually("the new anchor is picked up", || {
        svc.call("GET", "/v1/roots", None).1["roots"]
            .as_array()
            .unwrap()
            .len()
            == 2
    });
    let (_, roots) = svc.call("GET", "/v1/roots", None);
    assert_eq!(roots["roots"][1]["root"], "77");
    assert_eq!(
        roots["roots"][0]["valid"], true,
        "the replaced root is inside its window"
    );
    let good = std::fs::read(f.ledger()).unwrap();
    let mut bad = good.clone();
    bad[20] ^= 1;
    std::fs::write(f.ledger(), &bad).unwrap();
    eventually("a corrupt ledger is reported", || {
        svc.call("GET", "/readyz", None).0 == 503
    });
    // Good again, then cut back to its first entry (an old backup restored): the replaced root
    // must not come back as the latest, so the cut ledger is refused like a corrupt one.
    std::fs::write(f.ledger(), &good).unwrap();
    eventually("a repaired ledger is ready again", || {
        svc.call("GET", "/readyz", None).0 == 200
    });
    let first_line = good.iter().position(|b| *b == b'\n').unwrap() + 1;
    std::fs::write(f.ledger(), &good[..first_line]).unwrap();
    eventually("a truncated ledger is reported", || {
        svc.call("GET", "/readyz", None).0 == 503
    });
    let (_, roots) = svc.call("GET", "/v1/roots", None);
    assert_eq!(
        roots["roots"].as_array().unwrap().len(),
        2,
        "the last good roots stay in use"
    );
}

/// Waits up to 10 s for `done`.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

// ----- crash, shutdown and replicas -----

#[test]
fn sigterm_finishes_in_flight_batches_and_sigkill_loses_no_accepted_nullifier() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path());
    let store = dir.path().join("s.redb");
    let args = service_args(&f, s(&store), &["--batch-wait-ms", "20"]);
    let mut svc = Service::start(&args);
    let p = plan(&svc.url, 1500, 0, 0);
    let presentations = runtime().block_on(load::prepare(&p, &f, "k")).unwrap();

    // SIGKILL mid-load, then a restart on the same store: every presentation answered
    // "accepted" is recorded, and sending everything again accepts only the rest.
    let (first, _) = runtime().block_on(async {
        let drive = tokio::spawn(load::drive(p.clone(), presentations.clone()));
        tokio::time::sleep(Duration::from_millis(400)).await;
        svc.kill9();
        (drive.await.unwrap(), ())
    });
    assert!(
        first.transport_errors > 0,
        "the kill came too late: {}",
        first.summary()
    );
    let svc2 = svc.restart();
    let second = runtime().block_on(load::drive(
        plan(&svc2.url, 1500, 0, 0),
        presentations.clone(),
    ));
    let mut accepted: HashMap<(String, String), usize> = HashMap::new();
    for a in first.accepted.iter().chain(&second.accepted) {
        *accepted.entry(a.clone()).or_default() += 1;
    }
    assert!(
        accepted.values().all(|n| *n == 1),
        "a nullifier was accepted twice"
    );
    assert_eq!(
        second.server_errors() + second.transport_errors,
        0,
        "{}",
        second.summary()
    );
    assert_eq!(
        second.with_reason("accepted") + second.with_reason("duplicate"),
        1500,
        "{}",
        second.summary()
    );
    // SIGTERM in the middle of another load: the batches in flight are verified, written and
    // answered, the process exits 0, and every presentation answered "accepted" is stored. What
    // was not yet received is refused (503 shutting_down) or never connects.
    let mut svc2 = svc2;
    let more = plan(&svc2.url, 1500, 0, 0);
    let late = runtime()
        .block_on(load::prepare(&more, &f, "term"))
        .unwrap();
    let (third, status) = runtime().block_on(async {
        let drive = tokio::spawn(load::drive(more.clone(), late));
        tokio::time::sleep(Duration::from_millis(300)).await;
        let status = tokio::task::spawn_blocking(move || svc2.terminate())
            .await
            .unwrap();
        (drive.await.unwrap(), status)
    });
    eprintln!("during SIGTERM: {}", third.summary());
    assert!(status.success(), "{status:?}");
    assert!(third.with_reason("accepted") > 0, "SIGTERM came too early");
    for ((status, reason), n) in &third.answers {
        assert!(
            *status < 500 || (*status == 503 && reason == "shutting_down"),
            "{n} answers {status} {reason}"
        );
    }
    for a in &third.accepted {
        *accepted.entry(a.clone()).or_default() += 1;
    }
    let store = RedbStore::open(&store).unwrap();
    runtime().block_on(async {
        for (scope, nf) in accepted.keys() {
            assert!(store
                .has_nullifier(scope, &nullifier_bytes(nf))
                .await
                .unwrap());
        }
    });
    // A presentation recorded just before the kill, whose answer was lost, is a duplicate
    // when sent again, never accepted twice; and after the second round every one of the
    // first 1,500 nullifiers is recorded.
    assert!(accepted.len() <= 3000);
    runtime().block_on(async {
        for (scope, nf) in nullifiers_of(&presentations) {
            assert!(
                store.has_nullifier(&scope, &nf).await.unwrap(),
                "a nullifier is missing"
            );
        }
    });
}

/// The `(scope, nullifier)` each presentation carries.
fn nullifiers_of(presentations: &[String]) -> Vec<(String, [u8; 32])> {
    presentations
        .iter()
        .map(|p| {
            let v: Value = serde_json::from_str(p).unwrap();
            (
                v["scope"].as_str().unwrap().to_string(),
                nullifier_bytes(v["nullifier"].as_str().unwrap()),
            )
        })
        .collect()
}

fn postgres(dir: &Path, test: &str) -> Option<(TempPostgres, String)> {
    let pg = temp_postgres::start_or_skip(dir, test).unwrap()?;
    let url = runtime().block_on(pg.create_database("zkcred")).unwrap();
    Some((pg, url))
}

#[test]
fn two_replicas_on_postgres_accept_each_nullifier_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some((_pg, url)) = postgres(
        dir.path(),
        "two_replicas_on_postgres_accept_each_nullifier_exactly_once",
    ) else {
        return;
    };
    let f = fixture(dir.path());
    let a = Service::start(&service_args(&f, &url, &["--pg-connections", "8"]));
    let b = Service::start(&service_args(&f, &url, &["--pg-connections", "8"]));
    // Requests made through replica A are answerable through B (one shared store).
    let p = plan(&a.url, 800, 50, 50);
    let presentations = runtime().block_on(load::prepare(&p, &f, "r")).unwrap();
    // Every presentation goes to both replicas at the same time.
    let (ra, rb) = runtime().block_on(async {
        let ta = tokio::spawn(load::drive(plan(&a.url, 0, 0, 0), presentations.clone()));
        let tb = tokio::spawn(load::drive(plan(&b.url, 0, 0, 0), presentations.clone()));
        (ta.await.unwrap(), tb.await.unwrap())
    });
    eprintln!("replica A: {}\nreplica B: {}", ra.summary(), rb.summary());
    let mut accepted: HashSet<(String, String)> = HashSet::new();
    for x in ra.accepted.iter().chain(&rb.accepted) {
        assert!(accepted.insert(x.clone()), "{x:?} accepted twice");
    }
    assert_eq!(accepted.len(), 800, "each valid nullifier accepted once");
    let total = |r: &str| ra.with_reason(r) + rb.with_reason(r);
    assert_eq!(
        total("duplicate"),
        800 + 2 * 50,
        "every other copy is a duplicate"
    );
    assert_eq!(total("invalid_proof"), 100);
    assert_eq!(
        ra.server_errors() + rb.server_errors() + ra.transport_errors + rb.transport_errors,
        0
    );
    let store = runtime().block_on(PgStore::connect(&url, 2)).unwrap();
    runtime().block_on(async {
        for (scope, nf) in &accepted {
            assert!(store
                .has_nullifier(scope, &nullifier_bytes(nf))
                .await
                .unwrap());
        }
    });
}

#[test]
fn a_replica_killed_mid_load_on_postgres_loses_nothing_and_accepts_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let Some((_pg, url)) = postgres(dir.path(), "a_replica_killed_mid_load_on_postgres") else {
        return;
    };
    let f = fixture(dir.path());
    let args = service_args(
        &f,
        &url,
        &["--pg-connections", "8", "--batch-wait-ms", "20"],
    );
    let mut a = Service::start(&args);
    let b = Service::start(&args);
    let n = 1200;
    let p = plan(&a.url, n, 0, 0);
    let presentations = runtime().block_on(load::prepare(&p, &f, "kill")).unwrap();
    let (ra, rb) = runtime().block_on(async {
        let ta = tokio::spawn(load::drive(plan(&a.url, 0, 0, 0), presentations.clone()));
        let tb = tokio::spawn(load::drive(plan(&b.url, 0, 0, 0), presentations.clone()));
        tokio::time::sleep(Duration::from_millis(400)).await;
        a.kill9();
        (ta.await.unwrap(), tb.await.unwrap())
    });
    eprintln!("killed A: {}\nreplica B: {}", ra.summary(), rb.summary());
    assert!(ra.transport_errors > 0, "the kill came too late");
    assert_eq!(
        rb.server_errors() + rb.transport_errors,
        0,
        "B is unaffected"
    );
    let a2 = a.restart();
    let again = runtime().block_on(load::drive(plan(&a2.url, 0, 0, 0), presentations.clone()));
    assert_eq!(
        again.server_errors() + again.transport_errors,
        0,
        "{}",
        again.summary()
    );
    let mut accepted: HashSet<(String, String)> = HashSet::new();
    for x in ra
        .accepted
        .iter()
        .chain(&rb.accepted)
        .chain(&again.accepted)
    {
        assert!(accepted.insert(x.clone()), "{x:?} accepted twice");
    }
    assert!(accepted.len() <= n);
    let store = runtime().block_on(PgStore::connect(&url, 2)).unwrap();
    runtime().block_on(async {
        for (scope, nf) in &accepted {
            assert!(
                store
                    .has_nullifier(scope, &nullifier_bytes(nf))
                    .await
                    .unwrap(),
                "accepted but not stored"
            );
        }
        for (scope, nf) in nullifiers_of(&presentations) {
            assert!(
                store.has_nullifier(&scope, &nf).await.unwrap(),
                "a nullifier is missing"
            );
        }
    });
}
