//! `zkcred setup`.

use crate::exit::malformed;
use anyhow::Result;
use clap::Subcommand;
use rand::rngs::OsRng;
use std::path::PathBuf;

/// Setup subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Single-party development keys (whoever runs this can forge proofs).
    Dev {
        /// Directory to write proving_key.bin, verification_key.json and circuit_id into.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a setup subcommand.
pub fn run(c: Command) -> Result<()> {
    match c {
        Command::Dev { out } => {
            let id = dev(&out)?;
            println!("circuit_id {id}");
            println!("keys written to {}", out.display());
            Ok(())
        }
    }
}

/// Writes dev keys to `out`, printing the warning; returns the circuit id.
pub fn dev(out: &std::path::Path) -> Result<String> {
    if out.join(zkcred_setup::keys::PROVING_KEY).exists() {
        return Err(malformed(anyhow::anyhow!(
            "{} already holds keys; refusing to overwrite them",
            out.display()
        )));
    }
    eprintln!("{}", zkcred_setup::dev::WARNING);
    let pk = zkcred_setup::dev::generate(&mut OsRng)?;
    Ok(zkcred_setup::keys::write_keys(out, &pk)?)
}
