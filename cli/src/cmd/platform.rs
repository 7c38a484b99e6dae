//! `zkcred platform`: the platform's signing key (`zkcred_verifier::platform`).

use crate::exit::classify;
use crate::files;
use anyhow::Result;
use clap::Subcommand;
use rand::rngs::OsRng;
use std::path::PathBuf;
use zkcred_verifier::PlatformKey;

/// Platform subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Create a platform signing key (mode 0600) and print its did:key.
    Init {
        /// The platform id its scopes start with (`social.example`): ASCII letters, digits,
        /// `.:_-`.
        #[arg(long)]
        id: String,
        /// Where to write the key file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a platform subcommand.
pub fn run(c: Command) -> Result<()> {
    match c {
        Command::Init { id, out } => {
            files::ensure_absent(&out)?;
            let key = PlatformKey::generate(&id, &mut OsRng).map_err(classify)?;
            files::create(&out, &key.to_json(), 0o600)?;
            eprintln!("platform key for {id} written to {}", out.display());
            println!("{}", key.did());
        }
    }
    Ok(())
}
