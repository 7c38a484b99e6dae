//! `zkcred verify`: the platform checks proofs against its own request.
//!
//! Exit 0: every proof is valid (and, with `--nullifiers`, recorded); 1: a proof is invalid or
//! rejected (the reason is printed; a nullifier already used is a rejection); 2: malformed input
//! or usage; 3: the nullifier store could not be used (another verifier kept it locked past the
//! wait, see `ZKCRED_LOCK_TIMEOUT`, or its storage failed).

use crate::exit::{classify, malformed};
use crate::files;
use anyhow::Result;
use clap::Args as ClapArgs;
use std::path::{Path, PathBuf};
use zkcred_core::anchor::{Ledger, DEFAULT_WINDOW_SECS};
use zkcred_core::date::Date;
use zkcred_core::encoding::fr_to_string;
use zkcred_verifier::snarkjs::verifying_key_from_json;
use zkcred_verifier::{
    Context, Error, NullifierStore, PreparedVerifyingKey, ProofEnvelope, Verified,
};

/// Arguments of `zkcred verify`.
#[derive(ClapArgs)]
pub struct Args {
    /// A keys directory (verification_key.json and circuit_id).
    #[arg(long, conflicts_with = "vk", required_unless_present = "vk")]
    pub keys: Option<PathBuf>,
    /// A snarkjs verification_key.json.
    #[arg(long)]
    pub vk: Option<PathBuf>,
    /// The platform's own request.
    #[arg(long)]
    pub request: PathBuf,
    /// One or more zkcred-proof.json files.
    #[arg(long, required = true, num_args = 1..)]
    pub proof: Vec<PathBuf>,
    /// The anchor ledger.
    #[arg(long, required_unless_present = "rpc", conflicts_with = "rpc")]
    pub ledger: Option<PathBuf>,
    /// Read the anchored roots from a chain's registry instead.
    #[command(flatten)]
    pub chain: crate::cmd::chain::ChainAnchors,
    /// Record nullifiers here and reject a second use in the same scope.
    #[arg(long)]
    pub nullifiers: Option<PathBuf>,
    /// Today's date (default: the clock, UTC).
    #[arg(long)]
    pub now: Option<String>,
    /// Root window in seconds: how long a superseded root stays acceptable [default: 3600, or
    /// the registry's window with --rpc].
    #[arg(long)]
    pub window: Option<u64>,
}

/// Reads a request file (checking its signature and scope if it is signed).
pub fn read_request(path: &Path) -> Result<zkcred_verifier::Request> {
    let text = files::read_text(path, "request")?;
    zkcred_verifier::Request::from_json(&text)
        .map_err(|e| classify(e).context(format!("request {}", path.display())))
}

/// Loads the prepared verifying key from `--keys` or `--vk`.
pub fn load_key(keys: Option<&Path>, vk: Option<&Path>) -> Result<PreparedVerifyingKey> {
    match (keys, vk) {
        (Some(dir), _) => Ok(zkcred_verifier::keys::read_verifying_key(dir)
            .map_err(malformed)?
            .prepare()),
        (None, Some(path)) => {
            let text = files::read_text(path, "verification key")?;
            let vk = verifying_key_from_json(&text, zkcred_core::statement::NUM_PUBLIC_INPUTS)
                .map_err(|e| malformed(anyhow::anyhow!("{}: {e}", path.display())))?;
            Ok(vk.prepare())
        }
        (None, None) => Err(malformed(anyhow::anyhow!("give --keys or --vk"))),
    }
}

/// Verifies one envelope (and records its nullifier if a store is given).
pub fn verify_one(
    request: &zkcred_verifier::Request,
    envelope: &ProofEnvelope,
    pvk: &PreparedVerifyingKey,
    ctx: &Context<'_>,
    store: Option<&NullifierStore>,
) -> Result<Verified> {
    match store {
        Some(s) => zkcred_verifier::verify_and_record(request, envelope, pvk, ctx, s),
        None => zkcred_verifier::verify(request, envelope, pvk, ctx),
    }
    .map_err(classify)
}

/// Prints what a valid proof establishes.
pub fn report(v: &Verified) {
    println!(
        "valid: nullifier {} in scope {:?}",
        fr_to_string(&v.nullifier),
        v.scope
    );
    if let Some(name) = &v.name {
        println!("  real name: {name} (verified)");
    }
    for (k, val) in &v.disclosed {
        println!("  disclosed {k} = {val}");
    }
}

/// Runs `zkcred verify`.
pub fn run(a: Args) -> Result<()> {
    let pvk = load_key(a.keys.as_deref(), a.vk.as_deref())?;
    let request = read_request(&a.request)?;
    // With a chain, its registry's history is the ledger, its window the default, and its
    // clock counts when it runs ahead of ours (as the registry itself would judge).
    let (anchors, window, now_unix) = match (&a.ledger, a.chain.entries(Some(request.issuer()))?) {
        (Some(l), _) => (
            Ledger::new(l).entries().map_err(malformed)?,
            a.window.unwrap_or(DEFAULT_WINDOW_SECS),
            zkcred_core::clock::now_unix(),
        ),
        (None, Some(entries)) => {
            let window = match a.window {
                Some(w) => w,
                None => a.chain.window()?,
            };
            let head = a.chain.head_time()?.unwrap_or(0);
            (entries, window, zkcred_core::clock::now_unix().max(head))
        }
        (None, None) => return Err(malformed(anyhow::anyhow!("give --ledger or --rpc"))),
    };
    let now_date = match &a.now {
        Some(d) => Date::parse(d).map_err(|e| malformed(anyhow::anyhow!("--now: {e}")))?,
        None => Date::today_utc(),
    };
    let ctx = Context {
        anchors: &anchors,
        now_date,
        now_unix,
        window,
    };
    let store = match &a.nullifiers {
        Some(p) => {
            Some(NullifierStore::open_waiting(p, crate::lock::timeout()?).map_err(classify)?)
        }
        None => None,
    };
    let mut envelopes = Vec::with_capacity(a.proof.len());
    for p in &a.proof {
        let text = files::read_text(p, "proof")?;
        envelopes.push(ProofEnvelope::from_json(&text).map_err(|e| classify_at(p, e))?);
    }
    // All proofs answer the same request; with several, one batch check covers them all.
    let items: Vec<_> = envelopes
        .into_iter()
        .map(|e| (request.clone(), e))
        .collect();
    let results = match &store {
        Some(s) => zkcred_verifier::verify_many_and_record(&items, &pvk, &ctx, s),
        None => zkcred_verifier::verify_many(&items, &pvk, &ctx),
    };
    let mut first_failure: Option<anyhow::Error> = None;
    let several = a.proof.len() > 1;
    for (p, result) in a.proof.iter().zip(results) {
        match result {
            Ok(v) => {
                if several {
                    print!("{}: ", p.display());
                }
                report(&v);
            }
            Err(e) => {
                let e = classify(e).context(format!("{}", p.display()));
                if several {
                    println!("{}: invalid: {e:#}", p.display());
                }
                first_failure.get_or_insert(e);
            }
        }
    }
    match first_failure {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

fn classify_at(path: &Path, e: Error) -> anyhow::Error {
    classify(e).context(path.display().to_string())
}
