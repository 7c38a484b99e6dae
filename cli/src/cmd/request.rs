//! `zkcred request`: what a platform sends to a holder.

use crate::exit::malformed;
use crate::files;
use anyhow::Result;
use clap::Args as ClapArgs;
use std::path::PathBuf;
use zkcred_core::date::Date;
use zkcred_verifier::Request;

/// Arguments of `zkcred request`.
#[derive(ClapArgs)]
pub struct Args {
    /// A preset (over18, realname, adult-realname, influencer-disclose-name) or a policy JSON file.
    #[arg(long)]
    pub policy: String,
    /// The platform's scope (one pseudonym per holder per scope).
    #[arg(long)]
    pub scope: String,
    /// A nonce or account handle the proof is bound to.
    #[arg(long)]
    pub message: String,
    /// The request date (default: today, UTC).
    #[arg(long)]
    pub date: Option<String>,
    /// Pin the request to the keys in this directory (their circuit_id).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Where to write the request.
    #[arg(long)]
    pub out: PathBuf,
}

/// Reads a policy: a preset name or a JSON file.
pub fn read_policy(arg: &str) -> Result<serde_json::Value> {
    if let Some(p) = zkcred_core::policy::preset(arg) {
        return Ok(p);
    }
    let path = std::path::Path::new(arg);
    if !path.exists() {
        return Err(malformed(anyhow::anyhow!(
            "--policy {arg:?} is neither a preset ({}) nor a file",
            zkcred_core::policy::PRESETS.join(", ")
        )));
    }
    let text = files::read_text(path, "policy")?;
    zkcred_core::policy::parse(&text)
        .map_err(|e| malformed(anyhow::anyhow!("policy {}: {e}", path.display())))
}

/// Builds a request.
pub fn build(
    policy: &str,
    scope: &str,
    message: &str,
    date: Option<&str>,
    keys: Option<&std::path::Path>,
) -> Result<Request> {
    let policy = read_policy(policy)?;
    let date = match date {
        Some(d) => Date::parse(d).map_err(|e| malformed(anyhow::anyhow!("--date: {e}")))?,
        None => Date::today_utc(),
    };
    let circuit_id = match keys {
        Some(dir) => Some(zkcred_verifier::keys::read_circuit_id(dir).map_err(malformed)?),
        None => None,
    };
    Request::new(policy, scope, message, date, circuit_id).map_err(malformed)
}

/// Runs `zkcred request`.
pub fn run(a: Args) -> Result<()> {
    let r = build(
        &a.policy,
        &a.scope,
        &a.message,
        a.date.as_deref(),
        a.keys.as_deref(),
    )?;
    files::write_public(&a.out, &r.to_json())?;
    println!("request {} written to {}", r.id(), a.out.display());
    Ok(())
}
