//! `zkcred holder`: the holder's secret key file.
//!
//! `{"type": "zkcred-holder-secret", "version": 1, "secret": "<decimal>", "hpk": "<decimal>"}`,
//! mode 0600. Only `hpk` is ever printed.

use crate::exit::malformed;
use crate::files;
use anyhow::Result;
use clap::Subcommand;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zkcred_core::credential::HolderSecret;
use zkcred_core::encoding::{fr_to_string, parse_fr};

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

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: String,
    version: u32,
    secret: String,
    hpk: String,
}

const KIND: &str = "zkcred-holder-secret";

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
    let file = KeyFile {
        kind: KIND.into(),
        version: 1,
        secret: fr_to_string(&secret.expose()),
        hpk: fr_to_string(&secret.public_key()),
    };
    let text = serde_json::to_string_pretty(&file)?;
    files::create(path, &text, 0o600)?;
    Ok(secret)
}

/// Reads a key file; errors never contain the secret.
pub fn read_key(path: &Path) -> Result<HolderSecret> {
    let text = files::read_text(path, "holder key")?;
    let bad = |why: &str| malformed(anyhow::anyhow!("holder key {}: {why}", path.display()));
    let file: KeyFile =
        serde_json::from_str(&text).map_err(|_| bad("not a zkcred holder key file"))?;
    if file.kind != KIND || file.version != 1 {
        return Err(bad("not a zkcred holder key file (type/version)"));
    }
    let secret = HolderSecret::from_decimal(&file.secret)
        .map_err(|_| bad("the secret is not a canonical field element"))?;
    let hpk = parse_fr(&file.hpk).map_err(|_| bad("`hpk` is not a canonical field element"))?;
    if secret.public_key() != hpk {
        return Err(bad("`hpk` does not match the secret"));
    }
    Ok(secret)
}
