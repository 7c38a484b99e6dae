//! `zkcred holder`: the holder's secret key file.
//!
//! `{"type": "zkcred-holder-secret", "version": 1, "secret": "<decimal>", "hpk": "<decimal>"}`,
//! mode 0600. Only `hpk` is ever printed.

use crate::exit::malformed;
use crate::files;
use anyhow::Result;
use clap::Subcommand;
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use zkcred_core::credential::HolderSecret;
use zkcred_core::encoding::fr_to_string;
use zkcred_core::holder_key;

/// Holder subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Create a new holder secret (mode 0600) and print its public key `hpk`.
    New {
        /// Where to write the key file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a holder subcommand.
pub fn run(c: Command) -> Result<()> {
    match c {
        Command::New { out } => {
            let secret = new_key(&out)?;
            println!("{}", fr_to_string(&secret.public_key()));
            Ok(())
        }
    }
}

/// Creates a key file at `path` (refusing to overwrite one).
pub fn new_key(path: &Path) -> Result<HolderSecret> {
    files::ensure_absent(path)?;
    let secret = HolderSecret::random(&mut OsRng);
    files::create(path, &holder_key::to_json(&secret), 0o600)?;
    Ok(secret)
}

/// Reads a key file; errors never contain the secret.
pub fn read_key(path: &Path) -> Result<HolderSecret> {
    let text = files::read_text(path, "holder key")?;
    holder_key::from_json(&text)
        .map_err(|e| malformed(anyhow::anyhow!("holder key {}: {e}", path.display())))
}
