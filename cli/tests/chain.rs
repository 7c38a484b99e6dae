//! The chain side on a real local chain (anvil): the registry's root window and key transfer,
//! the rendered verifier, and gates that accept each honest proof once and refuse every
//! dishonest call with its named reason — driven through `zkcred` as a platform, an issuer and
//! holders would, and through the library where a call must be forged.
//!
//! Each test starts its own anvil on a free loopback port, installing the pinned solcjs and
//! anvil from npm on first use (`contracts/install.sh`). Where that is impossible the tests
//! print `SKIPPED` and pass, unless `ZKCRED_REQUIRE_ANVIL=1` (CI), where they fail.

mod common;

use common::zkcred_expect as run;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use zkcred_chain::alloy_primitives::{Address, U256};
use zkcred_chain::anvil::Anvil;
use zkcred_chain::gate::{compiled_inputs, GatePolicy};
use zkcred_chain::{words, Artifact, Chain, ChainError, EthKey, GateCall};
use zkcred_core::date::Date;
use zkcred_core::statement::{index, NUM_PUBLIC_INPUTS};
use zkcred_verifier::{ProofEnvelope, Request};

/// The base field order of BN254 (coordinates), for negating a proof point.
const BASE_FIELD: &str =
    "21888242871839275222246405745257275088696311157297823662689037894645226208583";

/// Installs the contracts' tools once, then starts anvil (or skips, see the module docs).
fn start_anvil(what: &str) -> Option<Anvil> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/install.sh");
        match std::process::Command::new("bash").arg(&script).output() {
            Ok(o) if o.status.success() => {}
            Ok(o) => eprintln!(
                "note: contracts/install.sh failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => eprintln!("note: cannot run contracts/install.sh: {e}"),
        }
    });
    Anvil::start_or_skip(what)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Dev keys and the verifier compiled from them (`zkcred export solidity`, then the pinned
/// solcjs), made once per test binary.
struct Shared {
    keys: PathBuf,
    verifier: PathBuf,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let keys = dir.join("keys");
        common::zkcred(&["setup", "dev", "--out", s(&keys)]);
        let sol = dir.join("ZkcredVerifier.sol");
        common::zkcred(&["export", "solidity", "--keys", s(&keys), "--out", s(&sol)]);
        let verifier = dir.join("ZkcredVerifier.json");
        let build = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/build.mjs");
        let out = std::process::Command::new("node")
            .arg(build)
            .args(["--verifier", s(&sol), "--out", s(&verifier)])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "compiling the verifier: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Shared { keys, verifier }
    })
}

/// An account: its key file (written by `zkcred chain key`), address and a signing connection.
struct Account {
    key: PathBuf,
    address: Address,
    chain: Chain,
}

impl Account {
    fn new(anvil: &Anvil, dir: &Path, name: &str) -> Self {
        let key = dir.join(format!("{name}.ethkey"));
        let address: Address = common::zkcred(&["chain", "key", "--out", s(&key)])
            .trim()
            .parse()
            .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}'s key file is mode {mode:o}");
        }
        let chain = Chain::connect(anvil.endpoint(), Some(&EthKey::read(&key).unwrap())).unwrap();
        assert_eq!(chain.sender(), Some(address));
        chain
            .set_balance(address, U256::from(10u128.pow(20)))
            .unwrap();
        Account {
            key,
            address,
            chain,
        }
    }

    fn key(&self) -> &str {
        s(&self.key)
    }

    fn hex(&self) -> String {
        format!("{:#x}", self.address)
    }
}

/// The custom error a contract call reverted with.
fn refusal<T: std::fmt::Debug>(r: zkcred_chain::Result<T>) -> String {
    match r {
        Err(ChainError::Reverted { reason, .. }) => reason.name().to_string(),
        other => panic!("expected a revert, got {other:?}"),
    }
}

/// The gas figure of a `zkcred chain submit` or `issuer anchor` line: `… (N gas)`.
fn gas_of(stdout: &str) -> u64 {
    stdout
        .rsplit_once(" gas)")
        .and_then(|(head, _)| head.rsplit_once('(').map(|(_, n)| n.parse().ok()))
        .flatten()
        .unwrap_or_else(|| panic!("no gas figure in {stdout:?}"))
}

fn read_envelope(dir: &Path) -> ProofEnvelope {
    ProofEnvelope::from_json(&std::fs::read_to_string(dir.join("zkcred-proof.json")).unwrap())
        .unwrap()
}

/// One issuer's database in `dir`, with helpers that drive `zkcred issuer …`.
struct Issuer {
    db: PathBuf,
    dir: PathBuf,
    next: u64,
}

/// A holder: secret key file, credential and path, as `zkcred prove` takes them.
struct Holder {
    secret: PathBuf,
    credential: PathBuf,
    path: PathBuf,
    index: u64,
}

impl Issuer {
    /// A chain issuer named `did` (the did:pkh of the account that anchors for it).
    fn new(dir: &Path, name: &str, did: &str) -> Self {
        let db = dir.join(format!("{name}.db"));
        common::zkcred(&["issuer", "init", "--db", s(&db), "--did", did]);
        Issuer {
            db,
            dir: dir.to_path_buf(),
            next: 0,
        }
    }

    /// A new holder with a credential from this issuer (path written later, by `paths`).
    fn issue(&mut self, who: &str, name: &str, birth: &str, region: u64) -> Holder {
        let p = |n: &str| self.dir.join(format!("{who}.{n}"));
        let hpk = common::zkcred(&["holder", "new", "--out", s(&p("secret"))]);
        let attrs = json!({"name": name, "real_name_verified": true, "birth_date": birth,
            "expiry_date": "2099-01-01", "nationality": 156, "region": region,
            "document_type": 1});
        std::fs::write(p("attrs.json"), attrs.to_string()).unwrap();
        common::zkcred(&[
            "issuer",
            "issue",
            "--db",
            s(&self.db),
            "--hpk",
            hpk.trim(),
            "--attrs",
            s(&p("attrs.json")),
            "--out",
            s(&p("credential.json")),
        ]);
        self.next += 1;
        Holder {
            secret: p("secret"),
            credential: p("credential.json"),
            path: p("path.json"),
            index: self.next - 1,
        }
    }

    /// Anchors the current root on the chain; returns the command's output.
    fn anchor_on(&self, anvil: &Anvil, registry: &str, signer: &Account) -> String {
        common::zkcred(&[
            "issuer",
            "anchor",
            "--db",
            s(&self.db),
            "--rpc",
            anvil.endpoint(),
            "--registry",
            registry,
            "--signer",
            signer.key(),
        ])
    }

    /// Writes each holder's path against the current root.
    fn paths(&self, holders: &[&Holder]) {
        for h in holders {
            common::zkcred(&[
                "issuer",
                "path",
                "--db",
                s(&self.db),
                "--index",
                &h.index.to_string(),
                "--out",
                s(&h.path),
            ]);
        }
    }
}

impl Holder {
    /// `zkcred prove` of the request file `request`, into directory `out`.
    fn prove(&self, request: &Path, out: &Path) {
        let args = self.prove_args(request, out);
        common::zkcred(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// The arguments of `zkcred prove` of `request` into `out`.
    fn prove_args(&self, request: &Path, out: &Path) -> Vec<String> {
        [
            "prove",
            "--yes",
            "--allow-unsigned",
            "--keys",
            s(&shared().keys),
            "--credential",
            s(&self.credential),
            "--secret",
            s(&self.secret),
            "--path",
            s(&self.path),
            "--request",
            s(request),
            "--out",
            s(out),
        ]
        .map(String::from)
        .to_vec()
    }
}

/// `zkcred chain request` for `gate` and the account that will submit, dated `date`.
fn gate_request(anvil: &Anvil, gate: &str, account: &Account, date: &str, out: &Path) {
    common::zkcred(&[
        "chain",
        "request",
        "--rpc",
        anvil.endpoint(),
        "--gate",
        gate,
        "--account",
        &account.hex(),
        "--date",
        date,
        "--out",
        s(out),
    ]);
}

/// `zkcred chain submit` from `signer`, expecting exit `code`.
fn submit(
    anvil: &Anvil,
    signer: &Account,
    gate: &str,
    proof: &Path,
    code: i32,
) -> (String, String) {
    run(
        &[
            "chain",
            "submit",
            "--rpc",
            anvil.endpoint(),
            "--signer",
            signer.key(),
            "--gate",
            gate,
            "--proof",
            s(proof),
        ],
        code,
    )
}

/// [`submit`] that the gate refuses with `reason` (exit 1, the reason named).
fn refused(anvil: &Anvil, signer: &Account, gate: &str, proof: &Path, reason: &str) {
    let (_, err) = submit(anvil, signer, gate, proof, 1);
    assert!(err.contains(reason), "expected {reason}: {err}");
}

/// `zkcred chain deploy` from `signer` with `extra` arguments; returns its JSON report.
fn deploy(anvil: &Anvil, signer: &Account, extra: &[&str]) -> Value {
    let sh = shared();
    let mut args = vec![
        "chain",
        "deploy",
        "--rpc",
        anvil.endpoint(),
        "--signer",
        signer.key(),
        "--keys",
        s(&sh.keys),
        "--verifier-artifact",
        s(&sh.verifier),
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&common::zkcred(&args)).unwrap()
}

fn field(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no {k} in {v}"))
        .to_string()
}

#[test]
fn gates_accept_each_honest_proof_once_and_name_every_refusal() {
    let Some(anvil) = start_anvil("chain gate test") else {
        return;
    };
    let sh = shared();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let rpc = anvil.endpoint();
    let [platform, issuer_acct, alice, bob, carol, dan, mallory, eve] = [
        "platform", "issuer", "alice", "bob", "carol", "dan", "mallory", "eve",
    ]
    .map(|n| Account::new(&anvil, dir, n));
    let chain_id = alice.chain.chain_id();
    let issuer_did = format!("did:pkh:eip155:{chain_id}:{}", issuer_acct.hex());

    // The platform deploys registry, verifier and a gate; then two more gates on them.
    let report = deploy(
        &anvil,
        &platform,
        &[
            "--policy",
            "adult-realname",
            "--label",
            "creators",
            "--issuer",
            &issuer_did,
        ],
    );
    let (registry, verifier, gate) = (
        field(&report, "registry"),
        field(&report, "verifier"),
        field(&report, "gate"),
    );
    assert_eq!(
        field(&report, "scope"),
        format!("did:pkh:eip155:{chain_id}:{}/creators", platform.hex())
    );
    let existing = [
        "--registry",
        registry.as_str(),
        "--verifier",
        verifier.as_str(),
    ];
    let with_existing = |policy: &str, label: &str| {
        let mut a = existing.to_vec();
        a.extend([
            "--policy",
            policy,
            "--label",
            label,
            "--issuer",
            issuer_did.as_str(),
        ]);
        let r = deploy(&anvil, &platform, &a);
        assert!(r.get("registry_gas").is_none() && r.get("verifier_gas").is_none());
        field(&r, "gate")
    };
    // Same label, another policy: the same scope, so only the policy tells the gates apart.
    let gate_over18 = with_existing("over18", "creators");
    let regional = dir.join("regional.json");
    std::fs::write(
        &regional,
        json!({"nationality": {"$in": [156, 344]}, "birth_date": {"$lte": "today-18y"},
            "disclose": ["region"]})
        .to_string(),
    )
    .unwrap();
    let gate_regional = with_existing(s(&regional), "regional");
    // A gate that would put a name on a public chain is refused before anything is sent.
    let mut named_gate = vec![
        "chain",
        "deploy",
        "--rpc",
        rpc,
        "--signer",
        platform.key(),
        "--keys",
        s(&sh.keys),
    ];
    named_gate.extend(existing);
    named_gate.extend([
        "--policy",
        "influencer-disclose-name",
        "--label",
        "x",
        "--issuer",
        issuer_did.as_str(),
    ]);
    let (_, err) = run(&named_gate, 2);
    assert!(err.contains("name"), "{err}");

    // The issuer issues four people and anchors on chain (and, for comparison, in a ledger).
    let mut iss = Issuer::new(dir, "issuer", &issuer_did);
    let ha = iss.issue("alice", "张伟", "1990-01-01", 110105);
    let hb = iss.issue("bob", "李娜", "2001-05-20", 310101);
    let hc = iss.issue("carol", "Carol Example", "1985-07-04", 110105);
    let hd = iss.issue("dan", "Dan Example", "1979-12-31", 110105);
    let out = iss.anchor_on(&anvil, &registry, &issuer_acct);
    assert!(out.contains(&issuer_did), "{out}");
    // Its ledger copy is signed by the same account (EIP-191), never by another or by none.
    let ledger = dir.join("ledger");
    let ledger_anchor = |signer: Option<&Account>, code| {
        let mut a = vec![
            "issuer",
            "anchor",
            "--db",
            s(&iss.db),
            "--ledger",
            s(&ledger),
        ];
        if let Some(acct) = signer {
            a.extend(["--signer", acct.key()]);
        }
        run(&a, code).1
    };
    let err = ledger_anchor(None, 2);
    assert!(err.contains("account key"), "{err}");
    let err = ledger_anchor(Some(&eve), 2);
    assert!(err.contains("not issuer"), "{err}");
    assert!(!ledger.exists());
    ledger_anchor(Some(&issuer_acct), 0);
    iss.paths(&[&ha, &hb, &hc, &hd]);
    // Another account cannot anchor this issuer's root on chain either: nothing is sent.
    let (_, err) = run(
        &[
            "issuer",
            "anchor",
            "--db",
            s(&iss.db),
            "--rpc",
            rpc,
            "--registry",
            &registry,
            "--signer",
            eve.key(),
        ],
        2,
    );
    assert!(err.contains("anchors for issuer"), "{err}");

    // Eve is an issuer too (any account may be): her root is valid for her, not for the gate.
    let eve_did = format!("did:pkh:eip155:{chain_id}:{}", eve.hex());
    let mut eve_iss = Issuer::new(dir, "eve", &eve_did);
    let hf = eve_iss.issue("frank", "Frank Example", "1990-01-01", 110105);
    eve_iss.anchor_on(&anvil, &registry, &eve);
    eve_iss.paths(&[&hf]);

    let date = alice.chain.head_date().unwrap();
    let day = date.to_string();
    let request = |gate: &str, account: &Account, name: &str| {
        let p = dir.join(format!("{name}.request.json"));
        gate_request(&anvil, gate, account, &day, &p);
        p
    };
    let proof_dir = |name: &str| dir.join(format!("{name}.proof"));

    // Alice proves for her own account.
    let alice_req = request(&gate, &alice, "alice");
    ha.prove(&alice_req, &proof_dir("alice"));
    let envelope = read_envelope(&proof_dir("alice"));
    let call = GateCall::from_envelope(&envelope).unwrap();
    let gate_addr: Address = gate.parse().unwrap();

    // Mallory copies it from the mempool: the message binds it to Alice's account.
    refused(&anvil, &mallory, &gate, &proof_dir("alice"), "ProofInvalid");

    // Every forged variant of Alice's call, from Alice's own account, is refused by name.
    let r = words::field_order();
    let forged = |f: &dyn Fn(&mut GateCall)| {
        let mut c = call.clone();
        f(&mut c);
        refusal(alice.chain.submit(gate_addr, &c))
    };
    assert_eq!(forged(&|c| c.root += r), "InputNotInField");
    assert_eq!(forged(&|c| c.nullifier += r), "InputNotInField");
    for days in [2i64, -2, 365] {
        let other = date.add_days(days).unwrap().yyyymmdd();
        assert_eq!(
            forged(&|c| c.date = U256::from(other)),
            "DateNotCurrent",
            "{days}"
        );
    }
    assert_eq!(
        forged(&|c| c.date = U256::from(20260231u64)),
        "DateNotCurrent"
    );
    // Off the curve: the precompile fails and the gate fails closed.
    assert_eq!(forged(&|c| c.proof[0] += U256::from(1)), "PrecompileFailed");
    let p: U256 = BASE_FIELD.parse().unwrap();
    assert_eq!(forged(&|c| c.proof[7] = p - c.proof[7]), "ProofInvalid");
    assert_eq!(forged(&|c| c.proof[1] = p), "PrecompileFailed");
    assert_eq!(forged(&|c| c.nullifier += U256::from(1)), "ProofInvalid");
    assert_eq!(
        forged(&|c| c.disclosed = vec![U256::from(1)]),
        "WrongDisclosedCount"
    );
    assert_eq!(forged(&|c| c.root = U256::from(12345)), "RootNotValid");
    // The same scope and message but another policy's gate: the folded inputs differ.
    assert_eq!(
        refusal(alice.chain.submit(gate_over18.parse().unwrap(), &call)),
        "ProofInvalid"
    );
    assert!(alice
        .chain
        .gate_account_of(gate_addr, envelope.nullifier)
        .unwrap()
        .is_none());

    // Alice is accepted once (the first proof of the day and root folds its inputs).
    let (out, _) = submit(&anvil, &alice, &gate, &proof_dir("alice"), 0);
    let first_gas = gas_of(&out);
    assert_eq!(
        alice
            .chain
            .gate_account_of(gate_addr, envelope.nullifier)
            .unwrap(),
        Some(alice.address)
    );
    refused(&anvil, &alice, &gate, &proof_dir("alice"), "NullifierUsed");

    // Alice proves again for Mallory's account: one person, one account per gate.
    let second = request(&gate, &mallory, "alice-for-mallory");
    ha.prove(&second, &proof_dir("alice-for-mallory"));
    refused(
        &anvil,
        &mallory,
        &gate,
        &proof_dir("alice-for-mallory"),
        "NullifierUsed",
    );

    // Bob: a later proof of the same day and root pays for nullifier and message only.
    let bob_req = request(&gate, &bob, "bob");
    hb.prove(&bob_req, &proof_dir("bob"));
    let (out, _) = submit(&anvil, &bob, &gate, &proof_dir("bob"), 0);
    let later_gas = gas_of(&out);
    assert!(later_gas < first_gas, "{later_gas} vs {first_gas}");
    assert!(
        later_gas <= 260_000,
        "a later verification took {later_gas} gas"
    );
    assert!(
        first_gas < 384_000,
        "a first verification took {first_gas} gas"
    );
    println!("gate verify gas: first of the day {first_gas}, later {later_gas}");

    // Frank's credential is under Eve's root: valid in the registry for Eve, not this gate.
    // His wallet refuses the gate's request, which names the gate's issuer...
    let frank_req = request(&gate, &alice, "frank");
    let args = hf.prove_args(&frank_req, &proof_dir("frank"));
    let (_, err) = run(&args.iter().map(String::as_str).collect::<Vec<_>>(), 2);
    assert!(err.contains(&eve_did), "{err}");
    // ...so a dishonest prover renames the issuer in its copy: the gate still refuses.
    let gate_req = Request::from_json(&std::fs::read_to_string(&frank_req).unwrap()).unwrap();
    let renamed = Request::new(
        gate_req.policy().clone(),
        gate_req.scope(),
        gate_req.message(),
        gate_req.date(),
        eve_did.as_str(),
        gate_req.circuit_id().map(String::from),
    )
    .unwrap();
    let frank_req = dir.join("frank-as-eve.request.json");
    std::fs::write(&frank_req, renamed.to_json()).unwrap();
    hf.prove(&frank_req, &proof_dir("frank"));
    refused(&anvil, &alice, &gate, &proof_dir("frank"), "RootNotValid");

    // The disclosing gate records the disclosed region; a changed value is refused.
    let regional_req = request(&gate_regional, &bob, "bob-regional");
    hb.prove(&regional_req, &proof_dir("bob-regional"));
    let bob_regional = GateCall::from_envelope(&read_envelope(&proof_dir("bob-regional"))).unwrap();
    assert_eq!(bob_regional.disclosed, vec![U256::from(310101u64)]);
    let regional_addr: Address = gate_regional.parse().unwrap();
    let mut changed = bob_regional.clone();
    changed.disclosed[0] = U256::from(110105u64);
    assert_eq!(
        refusal(bob.chain.submit(regional_addr, &changed)),
        "ProofInvalid"
    );
    changed.disclosed[0] = bob_regional.disclosed[0] + r;
    assert_eq!(
        refusal(bob.chain.submit(regional_addr, &changed)),
        "InputNotInField"
    );
    assert_eq!(
        refusal(bob.chain.submit(regional_addr, &call)),
        "WrongDisclosedCount"
    );
    bob.chain.submit(regional_addr, &bob_regional).unwrap();

    // The rendered verifier on its own: all 34 inputs, each checked below the field order.
    let verifier_addr: Address = verifier.parse().unwrap();
    let inputs: [U256; NUM_PUBLIC_INPUTS] = std::array::from_fn(|i| words::fr(&envelope.public[i]));
    assert!(alice
        .chain
        .verifier_check(verifier_addr, call.proof, inputs)
        .unwrap());
    for i in [
        index::ROOT,
        index::NULLIFIER,
        index::FLAGS,
        NUM_PUBLIC_INPUTS - 1,
    ] {
        let mut bad = inputs;
        bad[i] += r;
        assert_eq!(
            refusal(alice.chain.verifier_check(verifier_addr, call.proof, bad)),
            "InputNotInField",
            "input {i}"
        );
    }
    let mut bad = inputs;
    bad[index::NULLIFIER] += U256::from(1);
    assert!(!alice
        .chain
        .verifier_check(verifier_addr, call.proof, bad)
        .unwrap());
    let mut bad_proof = call.proof;
    bad_proof[0] += U256::from(1);
    assert_eq!(
        refusal(alice.chain.verifier_check(verifier_addr, bad_proof, inputs)),
        "PrecompileFailed"
    );

    // An off-chain verifier reading the registry agrees with one reading the ledger.
    let over18_req = request(&gate_over18, &alice, "alice-over18");
    let verify = |request: &Path, proof: &str, source: &[&str]| {
        let mut a = vec![
            "verify",
            "--keys",
            s(&sh.keys),
            "--request",
            s(request),
            "--proof",
            proof,
            "--now",
            &day,
        ];
        a.extend_from_slice(source);
        let out = std::process::Command::cargo_bin("zkcred")
            .unwrap()
            .args(&a)
            .output()
            .unwrap();
        out.status.code().unwrap()
    };
    let on_chain = [
        "--rpc",
        rpc,
        "--registry",
        registry.as_str(),
        "--issuer",
        issuer_did.as_str(),
    ];
    let on_ledger = ["--ledger", s(&ledger)];
    let alice_proof = proof_dir("alice").join("zkcred-proof.json");
    let frank_proof = proof_dir("frank").join("zkcred-proof.json");
    for (request, proof, expected) in [
        (&alice_req, &alice_proof, 0),
        (&frank_req, &frank_proof, 1),
        (&over18_req, &alice_proof, 1),
    ] {
        assert_eq!(
            verify(request, s(proof), &on_chain),
            expected,
            "{proof:?} on chain"
        );
        assert_eq!(
            verify(request, s(proof), &on_ledger),
            expected,
            "{proof:?} in the ledger"
        );
    }
    // Frank's proof is valid against Eve's roots, read from the same registry: named by
    // --issuer, or (without it) by the request his prover renamed.
    let eve_chain = [
        "--rpc",
        rpc,
        "--registry",
        registry.as_str(),
        "--issuer",
        eve_did.as_str(),
    ];
    let request_issuer = ["--rpc", rpc, "--registry", registry.as_str()];
    assert_eq!(verify(&frank_req, s(&frank_proof), &request_issuer), 0);
    assert_eq!(verify(&alice_req, s(&alice_proof), &request_issuer), 0);
    assert_eq!(verify(&frank_req, s(&frank_proof), &eve_chain), 0);

    // Carol and Dan prove against the first root; then the issuer issues again and re-anchors.
    let carol_req = request(&gate, &carol, "carol");
    hc.prove(&carol_req, &proof_dir("carol"));
    let dan_req = request(&gate, &dan, "dan");
    hd.prove(&dan_req, &proof_dir("dan"));
    iss.issue("erin", "Erin Example", "1995-03-03", 110105);
    let out = iss.anchor_on(&anvil, &registry, &issuer_acct);
    let later_anchor = gas_of(&out);
    println!("later anchor gas: {later_anchor}");
    // Within the window the replaced root still verifies.
    submit(&anvil, &carol, &gate, &proof_dir("carol"), 0);
    // One window later it does not, on chain and off.
    carol
        .chain
        .advance_time(zkcred_chain::DEFAULT_WINDOW_SECS + 1)
        .unwrap();
    refused(&anvil, &dan, &gate, &proof_dir("dan"), "RootNotValid");
    let dan_proof = proof_dir("dan").join("zkcred-proof.json");
    assert_eq!(verify(&dan_req, s(&dan_proof), &on_chain), 1);

    // A wallet syncs the tree published against the chain: the root is checked in the
    // registry, for the issuer its credential names, and another issuer's history is refused.
    let home = dir.join("wallet");
    let holder = |args: &[&str], code: i32| {
        let mut c = assert_cmd::Command::cargo_bin("zkcred").unwrap();
        c.env("ZKCRED_HOME", &home);
        common::run_cmd(c, args, code)
    };
    let hpk = holder(&["holder", "init"], 0).0;
    let attrs = json!({"name": "Gina Example", "real_name_verified": true,
        "birth_date": "1992-02-02", "expiry_date": "2099-01-01", "nationality": 156,
        "region": 110105, "document_type": 1});
    std::fs::write(dir.join("gina.attrs.json"), attrs.to_string()).unwrap();
    let gina = dir.join("gina.credential.json");
    common::zkcred(&[
        "issuer",
        "issue",
        "--db",
        s(&iss.db),
        "--hpk",
        hpk.trim(),
        "--attrs",
        s(&dir.join("gina.attrs.json")),
        "--out",
        s(&gina),
    ]);
    iss.anchor_on(&anvil, &registry, &issuer_acct);
    let tree = dir.join("tree");
    let on_registry = ["--rpc", rpc, "--registry", registry.as_str()];
    let mut publish = vec!["issuer", "publish", "--db", s(&iss.db), "--out", s(&tree)];
    publish.extend(on_registry);
    common::zkcred(&publish);
    holder(&["holder", "import", s(&gina)], 0);
    let mut sync = vec!["holder", "sync", "--tree", s(&tree)];
    sync.extend(on_registry);
    let (out, _) = holder(&sync, 0);
    assert!(
        out.contains(&issuer_did) && out.contains("path of leaf"),
        "{out}"
    );
    sync.extend(["--issuer", eve_did.as_str()]);
    let (_, err) = holder(&sync, 1);
    assert!(err.contains(&eve_did), "{err}");
}

#[test]
fn the_gate_computes_date_bounds_and_messages_as_zkcred_does() {
    let Some(anvil) = start_anvil("chain date arithmetic test") else {
        return;
    };
    let sh = shared();
    let tmp = tempfile::tempdir().unwrap();
    let platform = Account::new(&anvil, tmp.path(), "platform");
    let c = &platform.chain;
    let registry = c.deploy_registry(3600).unwrap().address;
    let circuit_id = zkcred_verifier::keys::read_verifying_key(&sh.keys)
        .unwrap()
        .circuit_id();
    let artifact = Artifact::read(&sh.verifier).unwrap();
    let verifier = c.deploy_verifier(&artifact, &circuit_id).unwrap().address;
    // A verifier for other keys is refused by its circuit id.
    assert!(matches!(
        c.deploy_verifier(&artifact, "00"),
        Err(ChainError::WrongVerifier { .. })
    ));
    let issuer = platform.address;

    let mut dates = Vec::new();
    for s in [
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
        "2025-02-28",
        "2025-03-01",
        "2025-12-31",
        "2026-01-01",
        "2026-01-31",
        "2026-03-31",
        "2026-12-31",
        "2028-02-29",
        "2000-02-29",
        "2100-02-28",
        "2100-03-01",
    ] {
        dates.push(Date::parse(s).unwrap());
    }
    let mut d = Date::parse("2025-11-15").unwrap();
    for _ in 0..24 {
        dates.push(d);
        d = d.add_days(37).unwrap();
    }
    for policy in [
        zkcred_core::policy::preset("adult-realname").unwrap(),
        json!({"birth_date": {"$lt": "today-21y", "$gt": "1900-01-01"},
            "expiry_date": {"$gte": "today+30d", "$lte": "today+10y"}}),
        json!({"expiry_date": {"$between": ["today-1m", "2099-12-31"]},
            "birth_date": {"$gt": "today-65y", "$lte": "2010-06-15"}}),
        json!({"birth_date": {"$eq": "today-18y"}}),
    ] {
        let gp = GatePolicy::new(&policy).unwrap();
        let gate = c
            .deploy_gate(registry, verifier, issuer, "dates", &gp)
            .unwrap()
            .address;
        for &d in &dates {
            let on_chain = c.gate_date_bounds(gate, d).unwrap();
            assert_eq!(on_chain.len(), gp.date_inputs.len());
            let Ok(expected) = compiled_inputs(&policy, d) else {
                continue;
            };
            for (i, v) in on_chain {
                assert_eq!(v, expected[i], "{policy} on {d}: input {i}");
            }
        }
    }

    // The gate's message is the hash zkcred gives the account's lowercase hex string.
    let gate = c
        .deploy_gate(
            registry,
            verifier,
            issuer,
            "messages",
            &GatePolicy::new(&zkcred_core::policy::preset("over18").unwrap()).unwrap(),
        )
        .unwrap()
        .address;
    for a in [
        Address::ZERO,
        platform.address,
        Address::repeat_byte(0xff),
        EthKey::generate().address(),
    ] {
        let m = zkcred_core::scope::message_hash(&zkcred_chain::client::gate_message(a));
        assert_eq!(
            c.gate_message_for(gate, a).unwrap(),
            words::fr(&m),
            "{a:#x}"
        );
    }
    let info = c.gate_info(gate).unwrap();
    assert_eq!(info.circuit_id, circuit_id);
    assert_eq!((info.registry, info.verifier), (registry, verifier));

    // A gate's constructor refuses what the compiler would never produce.
    let base = GatePolicy::new(&zkcred_core::policy::preset("adult-realname").unwrap()).unwrap();
    let mut named = base.clone();
    named.constants[index::FLAGS] |= zkcred_core::statement::pack_flags(0, None, true);
    let deploy = |gp: &GatePolicy| refusal(c.deploy_gate(registry, verifier, issuer, "x", gp));
    assert_eq!(deploy(&named), "NameDisclosureNotOnChain");
    let mut clamp = base.clone();
    clamp.date_inputs[0].1 += 1;
    assert_eq!(deploy(&clamp), "InvalidDateTerm");
    let mut at_root = base.clone();
    at_root.constants[index::ROOT] = 1;
    assert_eq!(deploy(&at_root), "ConstantAtVariableInput");
}

#[test]
fn the_registry_keeps_a_window_and_moves_keys_in_two_steps() {
    let Some(anvil) = start_anvil("chain registry test") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let [deployer, issuer, next, mallory, other] =
        ["deployer", "issuer", "next", "mallory", "other"].map(|n| Account::new(&anvil, dir, n));
    let window = 600;
    let registry = deployer.chain.deploy_registry(window).unwrap().address;
    let reg = registry.to_string();
    assert_eq!(deployer.chain.window(registry).unwrap(), window);
    let root = |n: u64| zkcred_core::Fr::from(n);
    let c = &issuer.chain;

    assert_eq!(refusal(c.anchor_word(registry, U256::ZERO)), "InvalidRoot");
    assert_eq!(
        refusal(c.anchor_word(registry, words::field_order())),
        "InvalidRoot"
    );
    assert!(c.history(registry, issuer.address).unwrap().is_empty());
    let first = c.anchor(registry, root(1)).unwrap();
    assert_eq!(refusal(c.anchor(registry, root(1))), "RootAlreadyCurrent");
    assert!(c.is_valid_root(registry, issuer.address, root(1)).unwrap());
    // Roots belong to their issuer: another account's registry entry is empty.
    assert!(!c.is_valid_root(registry, other.address, root(1)).unwrap());
    let later = c.anchor(registry, root(2)).unwrap();
    println!("anchor gas: first {first}, later {later}");
    assert!(c.is_valid_root(registry, issuer.address, root(1)).unwrap());
    c.advance_time(window - 120).unwrap();
    assert!(c.is_valid_root(registry, issuer.address, root(1)).unwrap());
    c.advance_time(240).unwrap();
    assert!(!c.is_valid_root(registry, issuer.address, root(1)).unwrap());
    assert!(c.is_valid_root(registry, issuer.address, root(2)).unwrap());
    // Re-anchoring an old root makes it current again.
    c.anchor(registry, root(1)).unwrap();
    assert!(c.is_valid_root(registry, issuer.address, root(1)).unwrap());
    let h = c.history(registry, issuer.address).unwrap();
    assert_eq!(
        h.iter().map(|e| e.root).collect::<Vec<_>>(),
        vec![root(1), root(2), root(1)]
    );
    assert!(h
        .windows(2)
        .all(|w| w[0].time <= w[1].time && w[1].seq == w[0].seq + 1));

    // Two-step key transfer through the CLI.
    let rpc = anvil.endpoint();
    let issuer_did = format!("did:pkh:eip155:{}:{}", c.chain_id(), issuer.hex());
    let transfer = |signer: &Account, to: &Account, code| {
        run(
            &[
                "chain",
                "transfer-issuer",
                "--rpc",
                rpc,
                "--registry",
                &reg,
                "--signer",
                signer.key(),
                "--to",
                &to.hex(),
            ],
            code,
        )
    };
    let accept = |signer: &Account, code| {
        run(
            &[
                "chain",
                "accept-issuer",
                "--rpc",
                rpc,
                "--registry",
                &reg,
                "--signer",
                signer.key(),
                "--issuer",
                &issuer_did,
            ],
            code,
        )
    };
    let (_, err) = transfer(&issuer, &issuer, 1);
    assert!(err.contains("InvalidTransfer"), "{err}");
    let (out, _) = transfer(&issuer, &next, 0);
    assert!(out.contains(&issuer_did), "{out}");
    let (_, err) = accept(&mallory, 1);
    assert!(err.contains("NoPendingTransfer"), "{err}");
    // Nothing moved yet: the old key still anchors.
    c.anchor(registry, root(3)).unwrap();
    let (out, _) = accept(&next, 0);
    assert!(out.contains(&issuer_did), "{out}");
    assert_eq!(refusal(c.anchor(registry, root(4))), "NotController");
    assert_eq!(
        next.chain.issuer_of(registry, next.address).unwrap(),
        issuer.address
    );
    next.chain.anchor(registry, root(4)).unwrap();
    assert!(c.is_valid_root(registry, issuer.address, root(4)).unwrap());
    assert!(!c.is_valid_root(registry, next.address, root(4)).unwrap());
    assert_eq!(c.history(registry, issuer.address).unwrap().len(), 5);
    // An account that anchors for its own issuer cannot take over another.
    other.chain.anchor(registry, root(9)).unwrap();
    next.chain.transfer_issuer(registry, other.address).unwrap();
    assert_eq!(
        refusal(other.chain.accept_issuer(registry, issuer.address)),
        "AccountInUse"
    );
    // Malformed arguments are usage errors, not chain calls.
    let (_, err) = run(
        &[
            "chain",
            "accept-issuer",
            "--rpc",
            rpc,
            "--registry",
            "0x12",
            "--signer",
            next.key(),
            "--issuer",
            &issuer_did,
        ],
        2,
    );
    assert!(err.contains("--registry"), "{err}");
    let (_, err) = run(
        &[
            "chain",
            "accept-issuer",
            "--rpc",
            rpc,
            "--registry",
            &reg,
            "--signer",
            next.key(),
            "--issuer",
            "did:pkh:eip155:1:0x0000000000000000000000000000000000000001",
        ],
        2,
    );
    assert!(err.contains("chain"), "{err}");
}

#[test]
fn the_chain_demo_runs_end_to_end() {
    // The demo starts its own anvil; this one only proves anvil is there (or skips).
    let Some(anvil) = start_anvil("chain demo test") else {
        return;
    };
    drop(anvil);
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = run(&["demo", "--chain", "--dir", s(tmp.path())], 0);
    for expected in [
        "refused by the gate: ProofInvalid",
        "refused by the gate: NullifierUsed",
        "refused by the gate: RootNotValid",
        "valid: nullifier",
        "chain demo complete",
    ] {
        assert!(out.contains(expected), "{expected:?} missing from:\n{out}");
    }
}
