//! `zkcred issuer`: the issuer's durable tree.

use crate::exit::{classify, malformed, rejected};
use crate::files;
use anyhow::Result;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::OsRng;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use zkcred_core::anchor::Ledger;
use zkcred_core::did::IssuerDid;
use zkcred_core::encoding::{fr_to_string, parse_fr};
use zkcred_core::schema::Schema;
use zkcred_issuer::{Credential, CredentialFile, CredentialSink, FileSink, IssuerDb};

/// Issuer subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Create a new issuer database with a new signing key; prints the issuer's DID.
    Init {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// A chain issuer: its `did:pkh:eip155:<chain id>:<address>`, the account that anchors
        /// in the chain's registry [default: a ledger issuer, named by its key's did:key].
        #[arg(long)]
        did: Option<String>,
    },
    /// Issue one credential to a holder.
    Issue {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The holder's public key (decimal), from `zkcred holder new`.
        #[arg(long)]
        hpk: String,
        /// The attributes (JSON object; see docs/formats.md).
        #[arg(long)]
        attrs: PathBuf,
        /// Where to write the credential.
        #[arg(long)]
        out: PathBuf,
    },
    /// Issue many credentials from a JSON-lines file (attributes plus `hpk` per line).
    Bulk {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The JSON-lines input.
        #[arg(long)]
        input: PathBuf,
        /// Where to write the credentials, one JSON line each.
        #[arg(long)]
        out: PathBuf,
        /// Credentials per transaction.
        #[arg(long, default_value_t = zkcred_issuer::bulk::DEFAULT_BATCH_SIZE)]
        batch: usize,
    },
    /// Revoke a credential: its leaf becomes 0 (anchor afterwards).
    Revoke {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The credential's leaf index.
        #[arg(long)]
        index: u64,
    },
    /// Anchor the current root in the ledger, or on a chain's RootRegistry.
    Anchor {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The ledger file (hash-chained JSON lines, each signed by the issuer).
        #[arg(long, required_unless_present = "rpc", conflicts_with = "rpc")]
        ledger: Option<PathBuf>,
        /// Anchor on this chain instead (JSON-RPC endpoint, http://…).
        #[arg(long, requires_all = ["registry", "signer"])]
        rpc: Option<String>,
        /// The RootRegistry's address.
        #[arg(long)]
        registry: Option<String>,
        /// The issuer account's key file (`zkcred chain key`): signs the chain transaction, or,
        /// with --ledger, a chain issuer's ledger entries (a did:key issuer signs with its own
        /// key, kept in the database).
        #[arg(long)]
        signer: Option<PathBuf>,
    },
    /// Write the Merkle path of a leaf against the current root.
    Path {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The leaf index.
        #[arg(long)]
        index: u64,
        /// Where to write the path.
        #[arg(long)]
        out: PathBuf,
    },
    /// Publish the tree as static files (top, one file per 65,536-leaf chunk, manifest) from
    /// which holders compute their own paths; the current root must be anchored.
    Publish {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The ledger the root is anchored in (copied beside the tree).
        #[arg(long, required_unless_present = "rpc", conflicts_with = "rpc")]
        ledger: Option<PathBuf>,
        /// The root is anchored on a chain instead: holders check it there.
        #[command(flatten)]
        chain: crate::cmd::chain::ChainAnchors,
        /// The directory to publish into (serve it with any static file server).
        #[arg(long)]
        out: PathBuf,
    },
    /// Check the whole stored tree against its leaves (every node recomputed).
    Check {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
    },
    /// Print the current root.
    Root {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
    },
    /// Print the issuer's DID (what requests name in --issuer).
    Did {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
    },
}

/// The schema credentials are issued in (the built-in one).
fn schema() -> &'static Schema {
    Schema::builtin(zkcred_core::schema::IDENTITY_V1_ID).expect("the built-in schema exists")
}

/// Opens an existing database, waiting for another process to close it (see [`crate::lock`]).
pub fn open(db: &Path) -> Result<IssuerDb> {
    IssuerDb::open_waiting(db, crate::lock::timeout()?).map_err(classify)
}

/// Issues one credential; returns its leaf index.
///
/// The credential file (mode 0600) is written and synced before the leaf commits, so no
/// committed leaf is ever without its file. If the write fails nothing is committed; if the
/// commit fails the file is removed, unless the database shows the leaf committed anyway (a
/// commit can report an error after its data is durable); after a crash between the two the
/// file is left unreferenced (its leaf is not in the database, and the index is issued again).
pub fn issue(db: &mut IssuerDb, hpk: &str, attrs: &serde_json::Value, out: &Path) -> Result<u32> {
    let hpk = parse_fr(hpk).map_err(|e| malformed(anyhow::anyhow!("--hpk: {e}")))?;
    files::ensure_absent(out)?;
    let mut file = CredentialFile::new(out);
    // The leaf the file was written for: if the commit reports an error, the database is asked
    // whether the leaf is there anyway before the file is discarded.
    let mut written: Option<(u32, ark_bn254::Fr)> = None;
    let issued = {
        let mut sink = |c: &Credential| -> std::io::Result<()> {
            file.credential(c)?;
            written = Some((c.leaf_index(), c.leaf()));
            pause_point("issue-before-commit");
            Ok(())
        };
        let now = zkcred_core::clock::now_unix();
        db.issue_to(hpk, attrs, schema(), &mut OsRng, now, &mut sink)
    };
    match issued {
        Ok(issued) => Ok(issued.credential.leaf_index()),
        Err(e) => {
            // A commit can report an error after its data reached the disk; a committed leaf
            // must keep its credential file.
            if let Some((index, leaf)) = written {
                if db
                    .record(u64::from(index))
                    .is_ok_and(|r| r.is_some_and(|r| r.leaf == leaf))
                {
                    eprintln!(
                        "warning: the database reported an error ({e}), but leaf {index} is \
                         committed; {} is its credential",
                        out.display()
                    );
                    return Ok(index);
                }
            }
            let removed = file.discard();
            let e = classify(e);
            match removed {
                Ok(()) => Err(e),
                Err(r) => Err(e.context(format!(
                    "{} was written but its leaf did not commit, and removing it failed ({r}): discard it",
                    out.display()
                ))),
            }
        }
    }
}

/// A test hook, compiled into debug builds only: with `ZKCRED_TEST_PAUSE=<name>` the process
/// prints `paused: <name>` to stderr at the named point and sleeps until it is killed, so that
/// a test can SIGKILL it exactly there. Release builds have no such point.
#[cfg(debug_assertions)]
fn pause_point(name: &str) {
    if std::env::var_os("ZKCRED_TEST_PAUSE").is_some_and(|v| v == name) {
        eprintln!("paused: {name}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

#[cfg(not(debug_assertions))]
fn pause_point(_: &str) {}

/// Writes the path of `index` to `out`.
pub fn write_path(db: &IssuerDb, index: u64, out: &Path) -> Result<()> {
    let doc = db.path_json(index).map_err(classify)?;
    files::write_public(out, &doc.to_json_pretty())
}

/// Anchors the current root in `ledger`, signed with the issuer's own key, or for a chain
/// issuer with its account key from `signer`; returns the entry's sequence number.
pub fn anchor(db: &IssuerDb, ledger: &Path, signer: Option<&Path>) -> Result<u64> {
    let now = zkcred_core::clock::now_unix();
    let ledger = Ledger::new(ledger);
    let entry = match (signer, IssuerDid::parse(db.issuer()).map_err(malformed)?) {
        (None, _) => db.anchor(&ledger, now),
        (Some(signer), IssuerDid::Pkh { chain_id, .. }) => {
            let key = zkcred_chain::EthKey::read(signer).map_err(classify)?;
            db.anchor_signed(&ledger, now, &key.entry_signer(chain_id))
        }
        (Some(_), IssuerDid::Key(_)) => {
            return Err(malformed(anyhow::anyhow!(
                "issuer {} signs its ledger with its own key: --signer is for a chain issuer",
                db.issuer()
            )))
        }
    };
    Ok(entry.map_err(classify)?.seq)
}

/// Publishes the tree into `out`.
pub fn publish(db: &IssuerDb, ledger: &Path, out: &Path) -> Result<zkcred_issuer::PublishReport> {
    db.publish(&Ledger::new(ledger), out).map_err(classify)
}

/// Runs an issuer subcommand.
pub fn run(c: Command) -> Result<()> {
    match c {
        Command::Init { db, did } => {
            let d = match did {
                None => IssuerDb::init(&db),
                Some(did) => IssuerDb::init_chain_issuer(&db, &did),
            }
            .map_err(classify)?;
            println!("issuer {} initialized at {}", d.issuer(), db.display());
        }
        Command::Issue {
            db,
            hpk,
            attrs,
            out,
        } => {
            let text = files::read_text(&attrs, "attributes")?;
            let attrs: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                malformed(anyhow::anyhow!(
                    "attributes {}: malformed JSON: {e}",
                    attrs.display()
                ))
            })?;
            let mut d = open(&db)?;
            let index = issue(&mut d, &hpk, &attrs, &out)?;
            println!(
                "issued leaf {index}; credential written to {}",
                out.display()
            );
            println!(
                "root {} (anchor it before the holder proves)",
                fr_to_string(&d.root())
            );
        }
        Command::Bulk {
            db,
            input,
            out,
            batch,
        } => {
            let reader = std::fs::File::open(&input)
                .map_err(|e| malformed(anyhow::anyhow!("cannot read {}: {e}", input.display())))?;
            // The database first: a locked or missing one must not leave an empty output file.
            let mut d = open(&db)?;
            let mut sink = FileSink::new(files::create_private(&out)?);
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {pos} credentials issued ({per_sec}) {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            let options = zkcred_issuer::BulkOptions {
                batch_size: batch.max(1),
                issued_at: None,
            };
            let report = d
                .issue_bulk_with(
                    BufReader::new(reader),
                    schema(),
                    &mut OsRng,
                    &mut sink,
                    |n| bar.set_position(n),
                    &options,
                )
                .map_err(classify);
            bar.finish_and_clear();
            let report = report?;
            println!(
                "issued {} credentials (leaves {}..{}) in {} transactions; credentials written to {}",
                report.issued,
                report.first_index,
                report.first_index + report.issued,
                report.batches,
                out.display()
            );
            println!("root {}", fr_to_string(&report.root));
        }
        Command::Revoke { db, index } => {
            let mut d = open(&db)?;
            let root = d.revoke(index).map_err(classify)?;
            println!(
                "revoked leaf {index}; new root {} (anchor it)",
                fr_to_string(&root)
            );
        }
        Command::Anchor {
            db,
            ledger,
            rpc,
            registry,
            signer,
        } => {
            let d = open(&db)?;
            match (ledger, rpc, registry, signer) {
                (Some(ledger), None, None, signer) => {
                    let seq = anchor(&d, &ledger, signer.as_deref())?;
                    println!(
                        "anchored root {} as entry {seq} of {}",
                        fr_to_string(&d.root()),
                        ledger.display()
                    );
                }
                (None, Some(rpc), Some(registry), Some(signer)) => {
                    let chain = crate::cmd::chain::connect_signed(&rpc, &signer)?;
                    let registry = crate::cmd::chain::address("--registry", &registry)?;
                    let sender = chain.sender().unwrap_or_default();
                    let issuer = chain.issuer_of(registry, sender).map_err(classify)?;
                    // The credentials name the database's DID: anchoring its root for another
                    // issuer would make them unprovable, so nothing is sent.
                    let on_chain = zkcred_chain::did::pkh(chain.chain_id(), issuer);
                    if on_chain != d.issuer() {
                        return Err(malformed(anyhow::anyhow!(
                            "this account anchors for issuer {on_chain}, but the database is \
                             issuer {}'s",
                            d.issuer()
                        )));
                    }
                    let gas = chain.anchor(registry, d.root()).map_err(classify)?;
                    println!(
                        "anchored root {} on chain {} for issuer {} ({gas} gas)",
                        fr_to_string(&d.root()),
                        chain.chain_id(),
                        zkcred_chain::did::pkh(chain.chain_id(), issuer)
                    );
                }
                _ => {
                    return Err(malformed(anyhow::anyhow!(
                        "give --ledger, or --rpc with --registry and --signer"
                    )))
                }
            }
        }
        Command::Path { db, index, out } => {
            let d = open(&db)?;
            write_path(&d, index, &out)?;
            println!("path of leaf {index} written to {}", out.display());
        }
        Command::Publish {
            db,
            ledger,
            chain,
            out,
        } => {
            let d = open(&db)?;
            let r = match (ledger, chain.entries(Some(d.issuer()))?) {
                (Some(ledger), _) => publish(&d, &ledger, &out)?,
                (None, Some(entries)) => d.publish_on_anchors(&entries, &out).map_err(classify)?,
                (None, None) => return Err(malformed(anyhow::anyhow!("give --ledger or --rpc"))),
            };
            println!(
                "published root {} ({} leaves, {} chunks: {} written, {} unchanged; {} bytes \
                 written, {} old files removed) to {}",
                r.manifest.root,
                r.manifest.leaves,
                r.manifest.chunks,
                r.chunks_written,
                r.chunks_kept,
                r.bytes_written,
                r.removed,
                out.display()
            );
        }
        Command::Check { db } => {
            let d = open(&db)?;
            d.verify_tree().map_err(rejected)?;
            println!(
                "tree consistent: {} credentials issued, {} revoked, next index {}, root {}",
                d.len(),
                d.revoked_count(),
                d.next_index(),
                fr_to_string(&d.root())
            );
        }
        Command::Root { db } => {
            println!("{}", fr_to_string(&open(&db)?.root()));
        }
        Command::Did { db } => {
            println!("{}", open(&db)?.issuer());
        }
    }
    Ok(())
}
