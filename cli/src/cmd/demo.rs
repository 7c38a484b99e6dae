//! `zkcred demo`: the whole flow on embedded defaults, in a temporary directory.
//!
//! setup → issue three people → anchor → prove "adult-realname" for a platform → verify → a
//! second proof in the same scope is refused → an influencer account shows its verified real
//! name ("influencer-disclose-name") while an ordinary account proves 18+ and reveals nothing
//! about its name → a minor cannot prove → revoke → re-anchor → the revoked credential can no
//! longer prove, and its old proof is rejected once its root leaves the window.

use crate::cmd::{holder, issuer, prove, request, setup, verify};
use crate::files;
use anyhow::{bail, Context as _, Result};
use clap::Args as ClapArgs;
use serde_json::json;
use std::path::{Path, PathBuf};
use zkcred_core::anchor::{Ledger, DEFAULT_WINDOW_SECS};
use zkcred_core::date::Date;
use zkcred_core::encoding::fr_to_string;
use zkcred_issuer::{Credential, IssuerDb, PathDocument};
use zkcred_verifier::{Context, NullifierStore};

/// Arguments of `zkcred demo`.
#[derive(ClapArgs)]
pub struct Args {
    /// Keep the files in this directory instead of a temporary one.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

fn step(n: u32, text: &str) {
    println!("\n[{n}] {text}");
}

struct Person {
    label: &'static str,
    key: PathBuf,
    credential: PathBuf,
    index: u32,
}

fn date_years_ago(today: Date, years: u64, extra_days: i64) -> String {
    let d = Date::from_yyyymmdd(today.yyyymmdd() - years * 10000)
        .or_else(|| Date::from_yyyymmdd(today.yyyymmdd() - years * 10000 - 1))
        .and_then(|d| d.add_days(extra_days));
    d.map(|d| d.to_string())
        .unwrap_or_else(|| "2000-01-01".into())
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
    let today = Date::today_utc();
    println!("zkcred demo in {} (date {today})", dir.display());

    step(1, "Trusted setup (single-party dev keys)");
    let keys = dir.join("keys");
    let id = setup::dev(&keys)?;
    println!("    circuit_id {id}");

    step(2, "Issuer: create the database and issue three credentials");
    let db_path = dir.join("issuer.db");
    let mut db = IssuerDb::init(&db_path)?;
    let expiry = today
        .add_days(5 * 365)
        .map(|d| d.to_string())
        .unwrap_or_else(|| "2099-01-01".into());
    let people = [
        (
            "Alice (34, verified real name)",
            "张伟",
            date_years_ago(today, 34, 0),
        ),
        (
            "Bob (turns 18 tomorrow)",
            "李娜",
            date_years_ago(today, 18, 1),
        ),
        (
            "Carol (40, verified real name)",
            "Carol Example",
            date_years_ago(today, 40, 0),
        ),
    ];
    let mut holders = Vec::new();
    for (i, (label, name, birth)) in people.iter().enumerate() {
        let key = dir.join(format!("holder{i}.key"));
        let secret = holder::new_key(&key)?;
        let attrs = json!({"name": name, "real_name_verified": true, "birth_date": birth,
            "expiry_date": expiry, "nationality": 156, "region": 110105, "document_type": 1});
        let credential = dir.join(format!("credential{i}.json"));
        let index = issuer::issue(
            &mut db,
            &fr_to_string(&secret.public_key()),
            &attrs,
            &credential,
        )?;
        println!("    {label}: leaf {index}, born {birth}");
        holders.push(Person {
            label,
            key,
            credential,
            index,
        });
    }

    step(3, "Issuer: anchor the root in the ledger");
    let ledger = dir.join("anchors.jsonl");
    issuer::anchor(&db, &ledger)?;
    println!("    root {}", fr_to_string(&db.root()));

    step(4, "Platform: request \"adult-realname\" for its scope");
    let req = request::build(
        "adult-realname",
        "weibo.example/verified-creators",
        "account:alice-7731",
        Some(&today.to_string()),
        Some(&keys),
    )?;
    files::write_public(&dir.join("request.json"), &req.to_json())?;
    println!(
        "    request {} (policy: real name verified, 18+, not expired)",
        req.id()
    );

    let (prover, circuit_id) = prove::load_prover(&keys)?;
    let pvk = verify::load_key(Some(&keys), None)?;
    let store = NullifierStore::open(dir.join("nullifiers.db"))?;
    let now = zkcred_issuer::time::now_unix();
    let prove_to = |p: &Person,
                    db: &IssuerDb,
                    req: &zkcred_verifier::Request|
     -> Result<zkcred_verifier::ProofEnvelope> {
        let credential = Credential::from_json(&std::fs::read_to_string(&p.credential)?)?;
        let secret = holder::read_key(&p.key)?;
        let path: PathDocument = db.path_json(p.index as u64)?;
        prove::prove(
            &prover,
            &circuit_id,
            &credential,
            &secret,
            &path,
            req,
            false,
        )
    };
    let prove_for = |p: &Person, db: &IssuerDb| prove_to(p, db, &req);

    step(5, &format!("Holder {}: prove locally", holders[0].label));
    let start = std::time::Instant::now();
    let envelope = prove_for(&holders[0], &db)?;
    prove::write_proof(&dir.join("proof-alice"), &envelope)?;
    println!(
        "    proof made in {:.0?}; the platform sees only the root, a pseudonym and the claims",
        start.elapsed()
    );

    step(6, "Platform: verify and record the nullifier");
    let anchors = Ledger::new(&ledger).entries()?;
    let ctx = Context {
        anchors: &anchors,
        now_date: today,
        now_unix: now,
        window: DEFAULT_WINDOW_SECS,
    };
    let v = verify::verify_one(&req, &envelope, &pvk, &ctx, Some(&store))?;
    verify::report(&v);

    step(7, "Holder tries a second account in the same scope");
    let again = prove_for(&holders[0], &db)?;
    match verify::verify_one(&req, &again, &pvk, &ctx, Some(&store)) {
        Err(e) => println!("    refused: {e:#}"),
        Ok(_) => bail!("a second proof in the same scope was accepted"),
    }

    step(
        8,
        &format!(
            "Influencer program: {} proves \"influencer-disclose-name\" for her account",
            holders[0].label
        ),
    );
    let influencer = request::build(
        "influencer-disclose-name",
        "weibo.example/influencers",
        "account:zhangwei-official",
        Some(&today.to_string()),
        Some(&keys),
    )?;
    let named = prove_to(&holders[0], &db, &influencer)?;
    prove::write_proof(&dir.join("proof-influencer"), &named)?;
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
        9,
        &format!(
            "An ordinary account: {} proves \"over18\" only",
            holders[2].label
        ),
    );
    let ordinary = request::build(
        "over18",
        "weibo.example/accounts",
        "account:carol-42",
        Some(&today.to_string()),
        Some(&keys),
    )?;
    let plain = prove_to(&holders[2], &db, &ordinary)?;
    let v = verify::verify_one(&ordinary, &plain, &pvk, &ctx, Some(&store))?;
    verify::report(&v);
    if v.name.is_some() || plain.name_opening.is_some() {
        bail!("an over18 proof revealed a name");
    }
    println!("    nothing about the name is revealed: no name opening, name disclosure 0");

    step(
        10,
        &format!(
            "Holder {} tries the \"adult-realname\" request",
            holders[1].label
        ),
    );
    match prove_for(&holders[1], &db) {
        Err(e) => println!("    refused before proving: {e:#}"),
        Ok(_) => bail!("a minor could prove adult-realname"),
    }

    step(
        11,
        &format!("Issuer revokes {} and re-anchors", holders[2].label),
    );
    let old_envelope = prove_for(&holders[2], &db)?;
    let root = db.revoke(holders[2].index as u64)?;
    issuer::anchor(&db, &ledger)?;
    println!("    new root {}", fr_to_string(&root));

    step(12, "The revoked credential can no longer prove");
    match prove_for(&holders[2], &db) {
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
