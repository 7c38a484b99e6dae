//! `zkcred demo`: the whole flow on embedded defaults, in a temporary directory.
//!
//! setup → a platform key → issue three people into their wallets → anchor and publish the
//! tree → each wallet syncs its path from the published files → the platform's signed request
//! "adult-realname" → consent and proof → verify → a second proof in the same scope is refused
//! → a request naming the platform's scope under another platform, and an impersonator's key,
//! are refused by the wallet → an influencer account shows its verified real name while an
//! ordinary account proves 18+ and reveals nothing about its name → a minor cannot prove →
//! revoke → re-anchor, re-publish, re-sync → the revoked credential can no longer prove, and
//! its old proof is rejected once its root leaves the window.

use crate::cmd::{issuer, prove, request, setup, verify};
use crate::files;
use anyhow::{bail, Context as _, Result};
use clap::Args as ClapArgs;
use rand::rngs::OsRng;
use serde_json::json;
use std::path::{Path, PathBuf};
use zkcred_core::anchor::{Ledger, DEFAULT_WINDOW_SECS};
use zkcred_core::date::Date;
use zkcred_core::encoding::fr_to_string;
use zkcred_holder::{Anchors, Material, Source, Summary, Wallet};
use zkcred_issuer::IssuerDb;
use zkcred_verifier::{Context, NullifierStore, PlatformKey, ProofEnvelope, Request};

/// Arguments of `zkcred demo`.
#[derive(ClapArgs)]
pub struct Args {
    /// Keep the files in this directory instead of a temporary one.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Run the on-chain flow instead, on a local anvil chain (registry, verifier, gate).
    #[arg(long)]
    pub chain: bool,
}

/// Prints a numbered step.
pub(crate) fn step(n: u32, text: &str) {
    println!("\n[{n}] {text}");
}

struct Person {
    label: &'static str,
    wallet: Wallet,
    index: u32,
}

/// The date `years` years and `extra_days` days before `today`.
pub(crate) fn date_years_ago(today: Date, years: u64, extra_days: i64) -> String {
    let d = Date::from_yyyymmdd(today.yyyymmdd() - years * 10000)
        .or_else(|| Date::from_yyyymmdd(today.yyyymmdd() - years * 10000 - 1))
        .and_then(|d| d.add_days(extra_days));
    d.map(|d| d.to_string())
        .unwrap_or_else(|| "2000-01-01".into())
}

/// Issues a credential for `name` (born `birth`) into a new wallet `dir/wallet-<short>`, which
/// also gets the keys; returns the wallet and the credential's leaf.
pub(crate) fn issue_into_wallet(
    db: &mut IssuerDb,
    dir: &Path,
    short: &str,
    name: &str,
    birth: &str,
    expiry: &str,
    keys: &Path,
) -> Result<(Wallet, u32)> {
    let (wallet, secret) = Wallet::init(&dir.join(format!("wallet-{short}")), &mut OsRng)?;
    let attrs = json!({"name": name, "real_name_verified": true, "birth_date": birth,
        "expiry_date": expiry, "nationality": 156, "region": 110105, "document_type": 1});
    let credential = dir.join(format!("credential-{short}.json"));
    let index = issuer::issue(db, &fr_to_string(&secret.public_key()), &attrs, &credential)?;
    wallet.import_credential(&credential)?;
    wallet.import_keys(keys)?;
    Ok((wallet, index))
}

/// Proves `req` with the wallet's credential that satisfies it (no consent prompt, no pins).
pub(crate) fn prove_from(
    wallet: &Wallet,
    prover: &zkcred_prover::Prover,
    circuit_id: &str,
    req: &Request,
) -> Result<ProofEnvelope> {
    let secret = wallet.secret()?;
    let (_, credential, path) = wallet.select(req, prover, circuit_id, &secret)?;
    let m = Material {
        prover,
        circuit_id,
        credential: &credential,
        secret: &secret,
        path: &path,
    };
    Ok(zkcred_holder::prove(&m, req, &mut OsRng)?.0)
}

/// Runs the demo.
pub fn run(a: Args) -> Result<()> {
    let tmp;
    let dir: &Path = match &a.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            d
        }
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path()
        }
    };
    if a.chain {
        println!("zkcred demo --chain in {}", dir.display());
        return crate::cmd::demo_chain::run(dir);
    }
    let today = Date::today_utc();
    println!("zkcred demo in {} (date {today})", dir.display());

    step(1, "Trusted setup (single-party dev keys)");
    let keys = dir.join("keys");
    let id = setup::dev(&keys)?;
    println!("    circuit_id {id}");

    step(2, "Platform weibo.example: create its signing key");
    let platform = PlatformKey::generate("weibo.example", &mut OsRng)?;
    files::create(&dir.join("platform.key"), &platform.to_json(), 0o600)?;
    println!("    {} is {}", platform.id(), platform.did());

    step(
        3,
        "Issuer: issue three credentials into the holders' wallets",
    );
    let db_path = dir.join("issuer.db");
    let mut db = IssuerDb::init(&db_path)?;
    let issuer_did = &db.issuer().to_string();
    println!("    the issuer is {issuer_did}: its key signs every ledger entry");
    let expiry = today
        .add_days(5 * 365)
        .map(|d| d.to_string())
        .unwrap_or_else(|| "2099-01-01".into());
    let people = [
        (
            "Alice (34, verified real name)",
            "alice",
            "张伟",
            date_years_ago(today, 34, 0),
        ),
        (
            "Bob (turns 18 tomorrow)",
            "bob",
            "李娜",
            date_years_ago(today, 18, 1),
        ),
        (
            "Carol (40, verified real name)",
            "carol",
            "Carol Example",
            date_years_ago(today, 40, 0),
        ),
    ];
    let mut holders = Vec::new();
    for (label, short, name, birth) in &people {
        let (wallet, index) = issue_into_wallet(&mut db, dir, short, name, birth, &expiry, &keys)?;
        println!(
            "    {label}: leaf {index}, born {birth}, in {}",
            wallet.home().display()
        );
        holders.push(Person {
            label,
            wallet,
            index,
        });
    }

    step(
        4,
        "Issuer: anchor the root and publish the tree as static files",
    );
    let ledger = dir.join("anchors.jsonl");
    let tree = dir.join("tree");
    issuer::anchor(&db, &ledger, None)?;
    let r = issuer::publish(&db, &ledger, &tree)?;
    println!(
        "    root {}; {} chunk file(s) in {}",
        r.manifest.root,
        r.manifest.chunks,
        tree.display()
    );

    step(5, "Holders: sync their paths from the published tree");
    let source = Source::Dir(tree.clone());
    for p in &holders {
        let r = zkcred_holder::sync(&p.wallet, &source, Anchors::Published)?;
        println!(
            "    {}: read {} files, {} bytes (the top and its chunk: nothing says which leaf)",
            p.label,
            r.fetched.len(),
            r.bytes()
        );
    }

    let (prover, circuit_id) = prove::load_prover(&keys)?;
    let prove_with = |p: &Person, req: &Request| -> Result<ProofEnvelope> {
        let mut pins = p.wallet.pins()?;
        let status = pins.check(req, false)?;
        let envelope = prove_from(&p.wallet, &prover, &circuit_id, req)?;
        if status.is_some() {
            pins.record(req, today)?;
        }
        Ok(envelope)
    };
    let signed = |policy: &str, label: &str, message: &str| {
        request::build(
            policy,
            &format!("{}/{label}", platform.id()),
            message,
            issuer_did,
            Some(&today.to_string()),
            Some(&keys),
            Some(&platform),
        )
    };

    step(
        6,
        "Platform: a signed request \"adult-realname\" for its scope",
    );
    let req = signed("adult-realname", "verified-creators", "account:alice-7731")?;
    files::write_public(&dir.join("request.json"), &req.to_json())?;
    println!("    request {}", req.id());

    step(
        7,
        &format!(
            "Holder {}: sees what is asked, consents, proves locally",
            holders[0].label
        ),
    );
    let pins = holders[0].wallet.pins()?;
    let status = pins.check(&req, false)?;
    for line in Summary::of(&req, status.as_ref()).to_string().lines() {
        println!("    | {line}");
    }
    let start = std::time::Instant::now();
    let envelope = prove_with(&holders[0], &req)?;
    zkcred_holder::write_proof(&dir.join("proof-alice"), &envelope)?;
    println!(
        "    proof made in {:.0?}; the platform sees only the root, a pseudonym and the claims",
        start.elapsed()
    );

    step(8, "Platform: verify and record the nullifier");
    let pvk = verify::load_key(Some(&keys), None)?;
    let store = NullifierStore::open(dir.join("nullifiers.db"))?;
    let now = zkcred_core::clock::now_unix();
    let anchors = Ledger::new(&ledger).entries()?;
    let ctx = Context {
        anchors: &anchors,
        now_date: today,
        now_unix: now,
        window: DEFAULT_WINDOW_SECS,
    };
    let v = verify::verify_one(&req, &envelope, &pvk, &ctx, Some(&store))?;
    verify::report(&v);

    step(9, "Holder tries a second account in the same scope");
    let again = prove_with(&holders[0], &req)?;
    match verify::verify_one(&req, &again, &pvk, &ctx, Some(&store)) {
        Err(e) => println!("    refused: {e:#}"),
        Ok(_) => bail!("a second proof in the same scope was accepted"),
    }

    step(
        10,
        "Another platform asks for weibo.example's scope, then impersonates it",
    );
    let evil = PlatformKey::generate("tracker.example", &mut OsRng)?;
    let own = request::build(
        "over18",
        "tracker.example/x",
        "m",
        issuer_did,
        Some(&today.to_string()),
        Some(&keys),
        Some(&evil),
    )?;
    let foreign = own
        .to_json()
        .replace("tracker.example/x", "weibo.example/verified-creators");
    match Request::from_json(&foreign) {
        Err(e) => println!("    foreign scope refused: {e}"),
        Ok(_) => bail!("a request for another platform's scope was accepted"),
    }
    let impostor = PlatformKey::generate("weibo.example", &mut OsRng)?;
    let fake = request::build(
        "over18",
        "weibo.example/verified-creators",
        "m",
        issuer_did,
        Some(&today.to_string()),
        Some(&keys),
        Some(&impostor),
    )?;
    match prove_with(&holders[0], &fake) {
        Err(e) => println!("    impostor refused: {e:#}"),
        Ok(_) => bail!("a request signed by another key for a pinned platform was proved"),
    }

    step(
        11,
        &format!(
            "Influencer program: {} proves \"influencer-disclose-name\" for her account",
            holders[0].label
        ),
    );
    let influencer = signed(
        "influencer-disclose-name",
        "influencers",
        "account:zhangwei-official",
    )?;
    let named = prove_with(&holders[0], &influencer)?;
    zkcred_holder::write_proof(&dir.join("proof-influencer"), &named)?;
    let v = verify::verify_one(&influencer, &named, &pvk, &ctx, Some(&store))?;
    println!("    the platform displays:");
    verify::report(&v);
    if v.name.as_deref() != Some("张伟") {
        bail!("the influencer's name was not verified");
    }
    println!(
        "    (a fresh name disclosure per presentation: another platform cannot link it to this one)"
    );

    step(
        12,
        &format!(
            "An ordinary account: {} proves \"over18\" only",
            holders[2].label
        ),
    );
    let ordinary = signed("over18", "accounts", "account:carol-42")?;
    let plain = prove_with(&holders[2], &ordinary)?;
    let v = verify::verify_one(&ordinary, &plain, &pvk, &ctx, Some(&store))?;
    verify::report(&v);
    if v.name.is_some() || plain.name_opening.is_some() {
        bail!("an over18 proof revealed a name");
    }
    println!("    nothing about the name is revealed: no name opening, name disclosure 0");

    step(
        13,
        &format!(
            "Holder {} tries the \"adult-realname\" request",
            holders[1].label
        ),
    );
    match prove_with(&holders[1], &req) {
        Err(e) => println!("    refused before proving: {e:#}"),
        Ok(_) => bail!("a minor could prove adult-realname"),
    }

    step(
        14,
        &format!(
            "Issuer revokes {}, re-anchors and re-publishes",
            holders[2].label
        ),
    );
    let old_envelope = prove_with(&holders[2], &req)?;
    let root = db.revoke(holders[2].index as u64)?;
    issuer::anchor(&db, &ledger, None)?;
    let r = issuer::publish(&db, &ledger, &tree)?;
    println!(
        "    new root {}; {} chunk(s) rewritten",
        fr_to_string(&root),
        r.chunks_written
    );

    step(15, "The revoked credential can no longer prove");
    let resync = zkcred_holder::sync(&holders[2].wallet, &source, Anchors::Published)?;
    println!("    sync: {:?}", resync.credentials);
    match prove_with(&holders[2], &req) {
        Err(e) => println!("    refused: {e:#}"),
        Ok(_) => bail!("a revoked credential could prove"),
    }
    let anchors = Ledger::new(&ledger).entries()?;
    let within = Context {
        anchors: &anchors,
        now_date: today,
        now_unix: now,
        window: DEFAULT_WINDOW_SECS,
    };
    let superseded_at = anchors.last().map_or(now, |e| e.time);
    let after = Context {
        now_unix: superseded_at + DEFAULT_WINDOW_SECS,
        ..within
    };
    let fresh_store = NullifierStore::open(dir.join("nullifiers-other.db"))?;
    match verify::verify_one(&req, &old_envelope, &pvk, &within, Some(&fresh_store)) {
        Ok(_) => println!("    its proof made before revocation still verifies within the {DEFAULT_WINDOW_SECS}s root window"),
        Err(e) => println!("    its old proof: {e:#}"),
    }
    match verify::verify_one(&req, &old_envelope, &pvk, &after, None) {
        Err(e) => println!("    one window later it is rejected: {e:#}"),
        Ok(_) => bail!("a proof against a superseded root was accepted after the window"),
    }
    println!("\ndemo complete: files in {}", dir.display());
    if a.dir.is_none() {
        println!("(temporary directory; pass --dir DIR to keep them)");
    }
    Ok(())
}
