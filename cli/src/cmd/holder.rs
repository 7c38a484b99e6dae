//! `zkcred holder`: the wallet (`$ZKCRED_HOME`, default `~/.zkcred`) and a bare key file.
//!
//! The wallet itself is `zkcred_holder::Wallet`; these commands parse arguments and print.

use crate::exit::classify;
use crate::files;
use anyhow::Result;
use clap::{Args as ClapArgs, Subcommand};
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use zkcred_core::credential::HolderSecret;
use zkcred_core::encoding::fr_to_string;
use zkcred_core::holder_key;
use zkcred_holder::sync::{known_sources, Outcome};
use zkcred_holder::{Anchors, Source, Wallet};

/// Where the wallet is.
#[derive(ClapArgs, Clone, Debug)]
pub struct Home {
    /// The wallet directory [default: ~/.zkcred].
    #[arg(id = "home", long = "home", env = "ZKCRED_HOME", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl Home {
    /// The wallet directory.
    pub fn path(&self) -> Result<PathBuf> {
        self.dir
            .clone()
            .or_else(zkcred_holder::wallet::default_home)
            .ok_or_else(|| {
                crate::exit::malformed(anyhow::anyhow!(
                    "no wallet directory: set ZKCRED_HOME or HOME, or pass --home"
                ))
            })
    }

    /// The wallet there.
    pub fn open(&self) -> Result<Wallet> {
        Wallet::open(&self.path()?).map_err(classify)
    }
}

/// Holder subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Create a wallet with a new secret (mode 0600) and print its public key `hpk` (give it to
    /// the issuer).
    Init {
        #[command(flatten)]
        home: Home,
    },
    /// Import a keys directory (validated once, sealed, stored by circuit id).
    ImportKeys {
        /// The keys directory (from `zkcred setup`).
        dir: PathBuf,
        #[command(flatten)]
        home: Home,
    },
    /// Import a credential from the issuer (it must be for this wallet's secret).
    Import {
        /// The credential file.
        credential: PathBuf,
        #[command(flatten)]
        home: Home,
    },
    /// List the wallet's credentials, keys and pinned platforms.
    List {
        #[command(flatten)]
        home: Home,
    },
    /// Compute the credentials' paths from the issuer's published tree, reading only its top
    /// and the chunks that hold them.
    Sync {
        /// The published tree: a directory or an http:// URL [default: the sources of earlier
        /// syncs].
        #[arg(long)]
        tree: Option<String>,
        /// Check the root against this ledger instead of the copy published with the tree.
        #[arg(long, conflicts_with = "rpc")]
        ledger: Option<PathBuf>,
        /// Check the root against a chain's registry instead.
        #[command(flatten)]
        chain: crate::cmd::chain::ChainAnchors,
        #[command(flatten)]
        home: Home,
    },
    /// Remove a platform's pinned key (after it really changed its key).
    Forget {
        /// The platform id.
        platform: String,
        #[command(flatten)]
        home: Home,
    },
    /// Create a bare holder key file outside any wallet and print its `hpk`.
    New {
        /// Where to write the key file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// The one chain issuer (`did:pkh`) the wallet's credentials name, for `sync --rpc` without
/// `--issuer`; `None` if there is none, an error if there are several.
fn sole_chain_issuer(wallet: &Wallet) -> Result<Option<String>> {
    let mut issuers: Vec<String> = wallet
        .credentials()
        .map_err(classify)?
        .into_iter()
        .map(|s| s.credential.issuer().to_string())
        .filter(|i| i.starts_with(zkcred_core::did::DID_PKH_PREFIX))
        .collect();
    issuers.sort();
    issuers.dedup();
    match issuers.len() {
        0 | 1 => Ok(issuers.pop()),
        n => Err(crate::exit::malformed(anyhow::anyhow!(
            "the wallet holds credentials of {n} chain issuers: pass --issuer"
        ))),
    }
}

/// Runs a holder subcommand.
pub fn run(c: Command) -> Result<()> {
    match c {
        Command::Init { home } => {
            let dir = home.path()?;
            let (_, secret) = Wallet::init(&dir, &mut OsRng).map_err(classify)?;
            eprintln!("wallet created in {}", dir.display());
            println!("{}", fr_to_string(&secret.public_key()));
        }
        Command::ImportKeys { dir, home } => {
            let id = home.open()?.import_keys(&dir).map_err(classify)?;
            println!("keys for circuit {id} imported");
        }
        Command::Import { credential, home } => {
            let name = home
                .open()?
                .import_credential(&credential)
                .map_err(classify)?;
            println!("credential {name} imported (run `zkcred holder sync` for its path)");
        }
        Command::List { home } => list(&home.open()?)?,
        Command::Sync {
            tree,
            ledger,
            chain,
            home,
        } => {
            let wallet = home.open()?;
            let sources = match tree {
                Some(t) => vec![Source::parse(&t).map_err(classify)?],
                None => known_sources(&wallet).map_err(classify)?,
            };
            if sources.is_empty() {
                return Err(crate::exit::malformed(anyhow::anyhow!(
                    "nothing synced yet: pass --tree DIR_OR_URL"
                )));
            }
            let named = match (&chain.rpc, &chain.issuer) {
                (Some(_), None) => sole_chain_issuer(&wallet)?,
                _ => None,
            };
            let anchors = match (&ledger, chain.entries(named.as_deref())?) {
                (Some(l), _) => Anchors::Given(
                    zkcred_core::anchor::Ledger::new(l)
                        .entries()
                        .map_err(classify)?,
                ),
                (None, Some(entries)) => Anchors::Given(entries),
                (None, None) => Anchors::Published,
            };
            for source in sources {
                let start = std::time::Instant::now();
                let r = zkcred_holder::sync(&wallet, &source, anchors.clone()).map_err(classify)?;
                println!(
                    "synced {} from {}: root {}{}; {} files, {} bytes read in {:.0?}",
                    r.issuer,
                    source.describe(),
                    fr_to_string(&r.root),
                    if r.latest { "" } else { " (superseded)" },
                    r.fetched.len(),
                    r.bytes(),
                    start.elapsed()
                );
                for (name, outcome) in &r.credentials {
                    match outcome {
                        Outcome::Synced(i) => println!("  {name}: path of leaf {i} stored"),
                        Outcome::NotInTree(i) => {
                            println!("  {name}: leaf {i} is not in the tree (revoked)")
                        }
                    }
                }
            }
        }
        Command::Forget { platform, home } => {
            let mut pins = home.open()?.pins().map_err(classify)?;
            if pins.forget(&platform).map_err(classify)? {
                println!("pin of {platform} removed");
            } else {
                println!("{platform} was not pinned");
            }
        }
        Command::New { out } => {
            let secret = new_key(&out)?;
            println!("{}", fr_to_string(&secret.public_key()));
        }
    }
    Ok(())
}

fn list(wallet: &Wallet) -> Result<()> {
    let secret = wallet.secret().map_err(classify)?;
    println!("wallet {}", wallet.home().display());
    println!("hpk {}", fr_to_string(&secret.public_key()));
    let credentials = wallet.credentials().map_err(classify)?;
    println!("credentials: {}", credentials.len());
    for s in &credentials {
        let c = &s.credential;
        let expiry = c
            .expiry()
            .map_or("no expiry".into(), |d| format!("valid until {d}"));
        let path = match &s.path {
            Some(p) => format!("path synced at root {}", short(&fr_to_string(&p.root))),
            None if s.not_in_tree => "REVOKED: not in the tree at the last sync".into(),
            None => "no path (run `zkcred holder sync`)".into(),
        };
        println!(
            "  {}  {} leaf {}, {expiry}, {path}",
            s.name,
            c.issuer(),
            c.leaf_index()
        );
    }
    let keys = wallet.key_ids().map_err(classify)?;
    println!("keys: {}", keys.len());
    for k in keys {
        println!("  {k}");
    }
    let pins = wallet.pins().map_err(classify)?;
    println!("pinned platforms: {}", pins.platforms().len());
    for (id, pin) in pins.platforms() {
        println!(
            "  {id}  {} since {}, scopes {}",
            pin.did,
            pin.since,
            pin.scopes.join(", ")
        );
    }
    Ok(())
}

fn short(s: &str) -> String {
    if s.len() > 16 {
        format!("{}…", &s[..16])
    } else {
        s.into()
    }
}

/// Creates a key file at `path` (refusing to overwrite one).
pub fn new_key(path: &Path) -> Result<HolderSecret> {
    files::ensure_absent(path)?;
    let secret = HolderSecret::random(&mut OsRng);
    files::create(path, &holder_key::to_json(&secret), 0o600)?;
    Ok(secret)
}
