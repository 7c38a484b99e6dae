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
    /// Import keys from outside (a ceremony's publication, another machine): copy them into
    /// a new keys directory, validate them in full and seal them (manifest.json).
    Import {
        /// The keys directory to import from (any seal it carries is ignored).
        #[arg(long)]
        from: PathBuf,
        /// The new keys directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Multi-party ceremony (Groth16 phase 2 on a snarkjs Powers of Tau); see docs/ceremony.md.
    #[command(subcommand)]
    Ceremony(Ceremony),
}

/// Ceremony steps, in the only order they can run.
#[derive(Subcommand)]
pub enum Ceremony {
    /// Start a ceremony: contribution 0 from a phase-2-prepared .ptau (power >= 13).
    Init {
        /// The snarkjs Powers of Tau file.
        #[arg(long)]
        ptau: PathBuf,
        /// The ceremony directory to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add your contribution; prints the hash to publish.
    Contribute {
        /// The ceremony directory.
        #[arg(long)]
        dir: PathBuf,
        /// Your name, as it will appear in the transcript.
        #[arg(long)]
        name: String,
        /// Extra entropy mixed with the OS randomness (never stored).
        #[arg(long)]
        entropy: Option<String>,
    },
    /// Seal the ceremony with a public random beacon (no contribution can follow).
    Beacon {
        /// The ceremony directory.
        #[arg(long)]
        dir: PathBuf,
        /// The beacon value, hex (e.g. a block hash announced in advance).
        #[arg(long)]
        beacon: String,
        /// The beacon is hashed 2^ITERATIONS times with SHA-256.
        #[arg(long, default_value_t = 10)]
        iterations: u32,
    },
    /// Check the whole transcript from scratch and list the contributors.
    Verify {
        /// The snarkjs Powers of Tau file the ceremony started from.
        #[arg(long)]
        ptau: PathBuf,
        /// The ceremony directory.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Verify the sealed ceremony and write its keys (same layout as `setup dev`).
    Finalize {
        /// The snarkjs Powers of Tau file the ceremony started from (finalize re-verifies).
        #[arg(long)]
        ptau: PathBuf,
        /// The ceremony directory.
        #[arg(long)]
        dir: PathBuf,
        /// The keys directory to write.
        #[arg(long)]
        out: PathBuf,
    },
}

fn ceremony_error(e: zkcred_setup::ceremony::CeremonyError) -> anyhow::Error {
    crate::exit::classify(e)
}

fn run_ceremony(c: Ceremony) -> Result<()> {
    use zkcred_setup::ceremony as cer;
    match c {
        Ceremony::Init { ptau, out } => {
            let r = cer::init(&ptau, &out).map_err(ceremony_error)?;
            println!(
                "ceremony started in {}: contribution {} hash {}",
                out.display(),
                r.index,
                r.hash
            );
        }
        Ceremony::Contribute { dir, name, entropy } => {
            let r = cer::contribute(&dir, &name, entropy.as_deref()).map_err(ceremony_error)?;
            println!("contribution {} by {:?}", r.index, r.name);
            println!("hash {} (publish it)", r.hash);
        }
        Ceremony::Beacon {
            dir,
            beacon,
            iterations,
        } => {
            let r = cer::beacon(&dir, &beacon, iterations).map_err(ceremony_error)?;
            println!(
                "sealed with beacon: contribution {} hash {}",
                r.index, r.hash
            );
        }
        Ceremony::Verify { ptau, dir } => {
            let report = cer::verify(&ptau, &dir).map_err(crate::exit::rejected)?;
            for c in &report.contributions {
                println!(
                    "{:>4} {:<12} {:<32} {}",
                    c.index,
                    format!("{:?}", c.kind),
                    c.name,
                    c.hash
                );
            }
            println!(
                "transcript valid ({} contributions{})",
                report.contributions.len(),
                if report.sealed {
                    ", sealed by a beacon"
                } else {
                    ", open"
                }
            );
        }
        Ceremony::Finalize { ptau, dir, out } => {
            if out.join(zkcred_setup::keys::PROVING_KEY).exists() {
                return Err(malformed(anyhow::anyhow!(
                    "{} already holds keys; refusing to overwrite them",
                    out.display()
                )));
            }
            let id = cer::finalize(&ptau, &dir, &out).map_err(ceremony_error)?;
            seal(&out)?;
            println!("circuit_id {id}");
            println!("keys written to {}", out.display());
        }
    }
    Ok(())
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
        Command::Import { from, out } => {
            let id = zkcred_prover::keys::import(&from, &out).map_err(crate::exit::classify)?;
            println!("circuit_id {id}");
            println!("keys validated and written to {}", out.display());
            Ok(())
        }
        Command::Ceremony(c) => run_ceremony(c),
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
    let id = zkcred_setup::keys::write_keys(out, &pk)?;
    seal(out)?;
    Ok(id)
}

/// Validates freshly written keys in full and seals them, so that proving starts fast.
fn seal(out: &std::path::Path) -> Result<()> {
    zkcred_prover::keys::seal(out).map_err(crate::exit::classify)?;
    Ok(())
}
