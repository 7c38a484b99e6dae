//! `zkcred prove`: the holder proves a platform's request locally.
//!
//! The short form takes everything from the wallet (`zkcred_holder::Wallet`): the request's
//! keys (or the only ones), the credential that satisfies it and its synced path. Each of
//! `--keys`, `--credential`, `--secret`, `--path` overrides the wallet's. Before proving, the
//! command shows whose request it is and what it reveals and asks for consent (`--yes` gives
//! it in scripts); an unsigned request needs `--allow-unsigned`.

use crate::cmd::holder::Home;
use crate::exit::{classify, malformed};
use anyhow::Result;
use clap::Args as ClapArgs;
use rand::rngs::OsRng;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use zkcred_core::date::Date;
use zkcred_holder::consent::{Pins, Summary, PINS_FILE};
use zkcred_holder::wallet::{read_credential, read_path, read_secret};
use zkcred_holder::{HolderError, Material, Wallet};
use zkcred_prover::Prover;

/// Arguments of `zkcred prove`.
#[derive(ClapArgs)]
pub struct Args {
    /// The platform's request: a file, an http:// URL (a service's /v1/requests/{id}) or the
    /// zkcred://request?url=… link a platform shows.
    #[arg(long)]
    pub request: String,
    /// Directory for zkcred-proof.json, proof.json and public.json [default:
    /// ./proof-<request id prefix>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The keys directory [default: the wallet's keys for the request].
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// The credential [default: the wallet's credential that satisfies the request].
    #[arg(long)]
    pub credential: Option<PathBuf>,
    /// The holder's secret key file [default: the wallet's].
    #[arg(long)]
    pub secret: Option<PathBuf>,
    /// The Merkle path [default: the credential's path from the last `holder sync`].
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// Consent without asking (for scripts): prove after printing what is revealed.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Prove a request that no platform signed.
    #[arg(long)]
    pub allow_unsigned: bool,
    #[command(flatten)]
    pub home: Home,
    /// Print the prover's own timers (key loading, matrices, witness, Groth16, self-check) to
    /// stderr.
    #[arg(long)]
    pub timings: bool,
    /// Validate the keys in full even if their seal (manifest.json) is intact, and seal them
    /// again; needed after a sealed file changed.
    #[arg(long)]
    pub revalidate: bool,
}

/// Loads a prover from a keys directory (from its seal, or validated in full and sealed);
/// returns it with the circuit id.
pub fn load_prover(keys: &Path) -> Result<(Prover, String)> {
    load_prover_timed(keys, false, false)
}

fn load_prover_timed(keys: &Path, revalidate: bool, timings: bool) -> Result<(Prover, String)> {
    use zkcred_prover::keys::Provenance;
    let (prover, report) = zkcred_prover::keys::open(keys, revalidate).map_err(classify)?;
    if let Provenance::ValidatedNotSealed(why) = &report.provenance {
        eprintln!(
            "note: the keys were validated in full, but their seal could not be written ({why}); \
             every run will validate them again"
        );
    }
    if timings {
        let how = match report.provenance {
            Provenance::Sealed => "read from its seal (hashes checked)",
            _ => "read and validated in full",
        };
        eprintln!("timing: proving key {how} in {:.1?}", report.load);
        eprintln!(
            "timing: constraint matrices built in {:.1?}",
            report.matrices
        );
        eprintln!(
            "timing: key checked against the circuit in {:.1?}",
            report.check
        );
    }
    Ok((prover, report.circuit_id))
}

/// Asks the holder on the terminal; without one, consent must come from `--yes`.
fn confirm() -> Result<()> {
    let refuse = |why: &str| classify(HolderError::NotConfirmed(why.into()));
    if !std::io::stdin().is_terminal() {
        return Err(refuse(
            "not confirmed: there is no terminal to ask on; pass --yes to consent in a script \
             (nothing was proved)",
        ));
    }
    eprint!("prove and reveal this? [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(refuse("not confirmed (nothing was proved)")),
    }
}

/// Runs `zkcred prove`.
pub fn run(a: Args) -> Result<()> {
    let request = if a.request.contains("://") {
        let text = zkcred_holder::fetch::fetch_request(&a.request).map_err(classify)?;
        zkcred_verifier::Request::from_json(&text)
            .map_err(|e| classify(e).context(format!("request {}", a.request)))?
    } else {
        crate::cmd::verify::read_request(std::path::Path::new(&a.request))?
    };
    let home = a.home.path()?;
    let wallet = || Wallet::open(&home).map_err(classify);

    // Consent: whose request, and what it reveals.
    let mut pins = Pins::load(&home.join(PINS_FILE)).map_err(classify)?;
    let status = pins.check(&request, a.allow_unsigned).map_err(classify)?;
    print!("{}", Summary::of(&request, status.as_ref()));
    if !a.yes {
        confirm()?;
    }

    let keys = match &a.keys {
        Some(k) => k.clone(),
        None => wallet()?.keys_for(&request).map_err(classify)?,
    };
    let (prover, circuit_id) = load_prover_timed(&keys, a.revalidate, a.timings)?;
    let secret = match &a.secret {
        Some(s) => read_secret(s).map_err(classify)?,
        None => wallet()?.secret().map_err(classify)?,
    };
    let (credential, path) = match (&a.credential, &a.path) {
        (Some(c), Some(p)) => (
            read_credential(c).map_err(classify)?,
            read_path(p).map_err(classify)?,
        ),
        (Some(c), None) => {
            let credential = read_credential(c).map_err(classify)?;
            let path = wallet()?.synced_path(&credential).map_err(classify)?;
            (credential, path)
        }
        (None, Some(_)) => {
            return Err(malformed(anyhow::anyhow!(
                "--path needs --credential (the path is for one credential)"
            )))
        }
        (None, None) => {
            let (name, credential, path) = wallet()?
                .select(&request, &prover, &circuit_id, &secret)
                .map_err(classify)?;
            eprintln!("using credential {name}");
            (credential, path)
        }
    };
    let material = Material {
        prover: &prover,
        circuit_id: &circuit_id,
        credential: &credential,
        secret: &secret,
        path: &path,
    };
    let (envelope, t) = zkcred_holder::prove(&material, &request, &mut OsRng).map_err(classify)?;
    if a.timings {
        eprintln!("timing: claims checked natively in {:.1?}", t.check);
        eprintln!("timing: witness generated in {:.1?}", t.witness);
        eprintln!("timing: Groth16 (QAP and MSMs) in {:.1?}", t.groth16);
        eprintln!("timing: own proof verified in {:.1?}", t.verify);
    }
    pins.record(&request, Date::today_utc()).map_err(classify)?;
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from(format!("proof-{}", &request.id()[..12])));
    zkcred_holder::write_proof(&out, &envelope).map_err(classify)?;
    println!(
        "proof written to {}",
        out.join("zkcred-proof.json").display()
    );
    println!(
        "nullifier {}",
        zkcred_core::encoding::fr_to_string(&envelope.nullifier)
    );
    Ok(())
}
