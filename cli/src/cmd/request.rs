//! `zkcred request`: what a platform sends to a holder, signed with its platform key.

use crate::exit::{classify, malformed};
use crate::files;
use anyhow::Result;
use clap::Args as ClapArgs;
use std::path::{Path, PathBuf};
use zkcred_core::date::Date;
use zkcred_verifier::{PlatformKey, Request};

/// Arguments of `zkcred request`.
#[derive(ClapArgs)]
pub struct Args {
    /// A preset (over18, realname, adult-realname, influencer-disclose-name) or a policy JSON file.
    #[arg(long)]
    pub policy: String,
    /// The platform key file (from `zkcred platform init`) that signs the request.
    #[arg(long, required_unless_present = "scope")]
    pub signer: Option<PathBuf>,
    /// The scope's label: the scope becomes `<platform id>/<label>` (one pseudonym per holder
    /// per scope).
    #[arg(long, requires = "signer", conflicts_with = "scope")]
    pub label: Option<String>,
    /// The full scope; with --signer it must be `<platform id>/<label>`. Without --signer the
    /// request is unsigned, and holders prove it only with --allow-unsigned.
    #[arg(long)]
    pub scope: Option<String>,
    /// A nonce or account handle the proof is bound to.
    #[arg(long)]
    pub message: String,
    /// The issuer whose credentials are accepted: its DID (`zkcred issuer did` prints a ledger
    /// issuer's `did:key`; a chain issuer is `did:pkh:eip155:<chain id>:<address>`).
    #[arg(long)]
    pub issuer: String,
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

/// Reads a platform key file.
pub fn read_signer(path: &Path) -> Result<PlatformKey> {
    let text = files::read_text(path, "platform key")?;
    PlatformKey::from_json(&text).map_err(|e| classify(e).context(path.display().to_string()))
}

/// Builds a request, signed by `signer` if given.
pub fn build(
    policy: &str,
    scope: &str,
    message: &str,
    issuer: &str,
    date: Option<&str>,
    keys: Option<&Path>,
    signer: Option<&PlatformKey>,
) -> Result<Request> {
    let policy = read_policy(policy)?;
    let date = match date {
        Some(d) => Date::parse(d).map_err(|e| malformed(anyhow::anyhow!("--date: {e}")))?,
        None => Date::today_utc(),
    };
    let circuit_id = match keys {
        Some(dir) => Some(zkcred_verifier::keys::read_circuit_id(dir).map_err(classify)?),
        None => None,
    };
    let request =
        Request::new(policy, scope, message, date, issuer, circuit_id).map_err(classify)?;
    match signer {
        Some(key) => request.sign(key).map_err(classify),
        None => Ok(request),
    }
}

/// Runs `zkcred request`.
pub fn run(a: Args) -> Result<()> {
    let signer = a.signer.as_deref().map(read_signer).transpose()?;
    let scope = match (&signer, &a.label, &a.scope) {
        (Some(k), Some(label), _) => format!("{}/{label}", k.id()),
        (_, _, Some(scope)) => scope.clone(),
        _ => {
            return Err(malformed(anyhow::anyhow!(
                "give --label (with --signer) or --scope"
            )))
        }
    };
    let r = build(
        &a.policy,
        &scope,
        &a.message,
        &a.issuer,
        a.date.as_deref(),
        a.keys.as_deref(),
        signer.as_ref(),
    )?;
    files::write_public(&a.out, &r.to_json())?;
    let how = match r.platform() {
        Some(p) => format!("signed by {} ({})", p.id(), p.did()),
        None => "UNSIGNED".into(),
    };
    println!(
        "request {} for scope {:?}, credentials of {}, {how}, written to {}",
        r.id(),
        r.scope(),
        r.issuer(),
        a.out.display()
    );
    Ok(())
}
