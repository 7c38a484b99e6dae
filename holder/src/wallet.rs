//! The wallet directory: everything a holder keeps, in one place (`$ZKCRED_HOME`, by default
//! `~/.zkcred`; directories mode 0700, private files 0600).
//!
//! ```text
//! holder.key                         the secret (zkcred_core::holder_key), 0600
//! credentials/<issuer>-<leaf>.json   imported credentials, 0600 (they hold the name)
//! paths/<issuer>-<leaf>.json         the credential's Merkle path from the last sync, 0600
//! keys/<circuit id>/                 imported proving keys, validated once and sealed
//! trees/<issuer>/                    the synced top, chunks and manifest (crate::sync), 0600
//! platforms.json                     pinned platform keys (crate::consent), 0600
//! ```
//!
//! `<issuer>` is the issuer's tag (`zkcred_core::did::issuer_tag`: 32 hex digits of the SHA-256
//! of its DID), `<leaf>` the leaf index. The wallet refuses a credential
//! that is not for its secret (another `hpk`): a proof with it could never be made.

use crate::consent::{Pins, PINS_FILE};
use crate::error::{HolderError, Result};
use crate::files::{create_private_dir, list, read_text, remove_if_there, write_private};
use crate::prove::{check_claims, Material};
use std::path::{Path, PathBuf};
use zkcred_core::credential::{Credential, HolderSecret};
use zkcred_core::holder_key;
use zkcred_core::path_document::PathDocument;
use zkcred_prover::Prover;
use zkcred_verifier::Request;

/// The environment variable naming the wallet directory.
pub const HOME_VAR: &str = "ZKCRED_HOME";
/// The secret's file in the wallet.
pub const SECRET_FILE: &str = "holder.key";

/// A wallet directory (see the module docs).
#[derive(Clone, Debug)]
pub struct Wallet {
    home: PathBuf,
}

/// A credential in the wallet, with its synced path if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// `<issuer tag>-<leaf index>`.
    pub name: String,
    /// The credential.
    pub credential: Credential,
    /// Its path from the last sync.
    pub path: Option<PathDocument>,
    /// Whether the last sync found its leaf gone from the tree (revoked).
    pub not_in_tree: bool,
}

/// `$ZKCRED_HOME`, else `$HOME/.zkcred`.
pub fn default_home() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os(HOME_VAR).filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(h));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".zkcred"))
}

/// Reads a holder key file; errors never contain the secret.
pub fn read_secret(path: &Path) -> Result<HolderSecret> {
    holder_key::from_json(&read_text(path)?).map_err(|e| HolderError::file(path, e))
}

/// Reads a credential file (the built-in schema).
pub fn read_credential(path: &Path) -> Result<Credential> {
    Credential::from_json(&read_text(path)?).map_err(|e| HolderError::file(path, e))
}

/// Reads a Merkle path file.
pub fn read_path(path: &Path) -> Result<PathDocument> {
    PathDocument::from_json(&read_text(path)?).map_err(|e| HolderError::file(path, e))
}

/// Reads a request file, checking its signature and scope if it is signed.
pub fn read_request(path: &Path) -> Result<Request> {
    Request::from_json(&read_text(path)?).map_err(|e| match e.kind() {
        zkcred_core::ErrorKind::Malformed => HolderError::file(path, e),
        _ => HolderError::Verifier(e),
    })
}

/// The name a credential is stored under.
pub fn credential_name(c: &Credential) -> String {
    format!(
        "{}-{}",
        zkcred_core::did::issuer_tag(c.issuer()),
        c.leaf_index()
    )
}

impl Wallet {
    /// Creates a wallet at `home` with a new secret; refuses if `home` already has one.
    pub fn init<R: rand::RngCore + rand::CryptoRng>(
        home: &Path,
        rng: &mut R,
    ) -> Result<(Self, HolderSecret)> {
        let key = home.join(SECRET_FILE);
        if key.symlink_metadata().is_ok() {
            return Err(HolderError::WalletExists(key));
        }
        create_private_dir(home)?;
        let secret = HolderSecret::random(rng);
        zkcred_core::atomic_file::create_new(&key, holder_key::to_json(&secret).as_bytes(), 0o600)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => HolderError::WalletExists(key.clone()),
                _ => HolderError::io(&key)(e),
            })?;
        Ok((
            Self {
                home: home.to_path_buf(),
            },
            secret,
        ))
    }

    /// The wallet at `home`; refuses a directory without a secret.
    pub fn open(home: &Path) -> Result<Self> {
        if !home.join(SECRET_FILE).exists() {
            return Err(HolderError::NoWallet(home.to_path_buf()));
        }
        Ok(Self {
            home: home.to_path_buf(),
        })
    }

    /// The wallet directory.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The holder secret.
    pub fn secret(&self) -> Result<HolderSecret> {
        read_secret(&self.home.join(SECRET_FILE))
    }

    /// Imports a keys directory: validated in full once, sealed, stored under its circuit id.
    /// Keys already imported are left as they are. Returns the circuit id.
    pub fn import_keys(&self, dir: &Path) -> Result<String> {
        let id = zkcred_verifier::keys::read_circuit_id(dir)
            .map_err(|e| HolderError::Keys(zkcred_prover::keys::KeysError::Public(e)))?;
        let dst = self.home.join("keys").join(&id);
        if dst.join(zkcred_verifier::keys::CIRCUIT_ID).exists() {
            return Ok(id);
        }
        create_private_dir(&self.home.join("keys"))?;
        Ok(zkcred_prover::keys::import(dir, &dst)?)
    }

    /// The circuit ids of the imported keys.
    pub fn key_ids(&self) -> Result<Vec<String>> {
        let mut ids = list(&self.home.join("keys"))?
            .into_iter()
            .filter(|p| p.join(zkcred_verifier::keys::CIRCUIT_ID).exists())
            .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
            .collect::<Vec<_>>();
        ids.sort();
        Ok(ids)
    }

    /// The keys directory for `request`: the one it names, else the only one imported.
    pub fn keys_for(&self, request: &Request) -> Result<PathBuf> {
        let ids = self.key_ids()?;
        let id = match (request.circuit_id(), ids.as_slice()) {
            (Some(id), _) if ids.iter().any(|i| i == id) => id.to_string(),
            (Some(id), _) => {
                return Err(HolderError::Missing(format!(
                    "the request is for circuit {id}, and the wallet has no keys for it \
                     (import them with `zkcred holder import-keys DIR`)"
                )))
            }
            (None, [one]) => one.clone(),
            (None, []) => {
                return Err(HolderError::Missing(
                    "the wallet has no keys (import them with `zkcred holder import-keys DIR`)"
                        .into(),
                ))
            }
            (None, _) => {
                return Err(HolderError::Missing(format!(
                    "the request names no circuit and the wallet has keys for {}: pass --keys",
                    ids.join(", ")
                )))
            }
        };
        Ok(self.home.join("keys").join(id))
    }

    /// Imports a credential file; refuses one that is not for this wallet's secret. Returns
    /// the name it is stored under (importing the same credential again replaces it).
    pub fn import_credential(&self, file: &Path) -> Result<String> {
        let credential = read_credential(file)?;
        if credential.hpk() != self.secret()?.public_key() {
            return Err(HolderError::Mismatch(format!(
                "{} is not for this wallet's holder key (its hpk differs)",
                file.display()
            )));
        }
        let name = credential_name(&credential);
        let dir = self.home.join("credentials");
        create_private_dir(&dir)?;
        let dst = dir.join(format!("{name}.json"));
        write_private(&dst, credential.to_json_pretty().as_bytes())?;
        Ok(name)
    }

    /// Every credential in the wallet, with its synced path (if any), by name.
    pub fn credentials(&self) -> Result<Vec<Stored>> {
        let mut out = Vec::new();
        for file in list(&self.home.join("credentials"))? {
            if file.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let credential = read_credential(&file)?;
            let name = credential_name(&credential);
            let path_file = self.path_file(&name);
            let path = match path_file.exists() {
                true => Some(read_path(&path_file)?),
                false => None,
            };
            let not_in_tree = self.marker_file(&name).exists();
            out.push(Stored {
                name,
                credential,
                path,
                not_in_tree,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn path_file(&self, name: &str) -> PathBuf {
        self.home.join("paths").join(format!("{name}.json"))
    }

    fn marker_file(&self, name: &str) -> PathBuf {
        self.home.join("paths").join(format!("{name}.not-in-tree"))
    }

    /// The synced path of `credential` (which need not be stored in the wallet: a credential
    /// given by file is matched by its name).
    pub fn synced_path(&self, credential: &Credential) -> Result<PathDocument> {
        let name = credential_name(credential);
        let file = self.path_file(&name);
        if !file.exists() {
            return Err(HolderError::Missing(format!(
                "no synced path for {name}: import it and run `zkcred holder sync`, or pass --path"
            )));
        }
        read_path(&file)
    }

    /// Stores the synced path of credential `name`.
    pub fn store_path(&self, name: &str, path: &PathDocument) -> Result<()> {
        create_private_dir(&self.home.join("paths"))?;
        let file = self.path_file(name);
        write_private(&file, path.to_json_pretty().as_bytes())?;
        remove_if_there(&self.marker_file(name))
    }

    /// Records that credential `name`'s leaf is no longer in the tree (revoked): its stored
    /// path is removed, so it is never offered for a proof again.
    pub fn mark_not_in_tree(&self, name: &str) -> Result<()> {
        create_private_dir(&self.home.join("paths"))?;
        let marker = self.marker_file(name);
        write_private(&marker, b"")?;
        remove_if_there(&self.path_file(name))
    }

    /// The directory caching the published tree of the issuer tagged `issuer_tag`
    /// ([`zkcred_core::did::issuer_tag`] of its DID).
    pub fn tree_cache(&self, issuer_tag: &str) -> Result<PathBuf> {
        let dir = self.home.join("trees").join(issuer_tag);
        create_private_dir(&dir)?;
        Ok(dir)
    }

    /// The pinned platforms.
    pub fn pins(&self) -> Result<Pins> {
        Pins::load(&self.home.join(PINS_FILE))
    }

    /// The credential that proves `request`: among those with a synced path, the most
    /// recently issued one whose claims all hold. If none does, the error explains, per
    /// credential, the claim that fails.
    pub fn select(
        &self,
        request: &Request,
        prover: &Prover,
        circuit_id: &str,
        secret: &HolderSecret,
    ) -> Result<(String, Credential, PathDocument)> {
        let mut all = self.credentials()?;
        if all.is_empty() {
            return Err(HolderError::Missing(
                "the wallet has no credential (import one with `zkcred holder import FILE`)".into(),
            ));
        }
        all.sort_by_key(|s| std::cmp::Reverse(s.credential.issued_at()));
        let mut reasons = Vec::new();
        let mut any_path = false;
        for s in all {
            let Some(path) = &s.path else {
                reasons.push(format!(
                    "{}: no synced path (run `zkcred holder sync`)",
                    s.name
                ));
                continue;
            };
            any_path = true;
            let m = Material {
                prover,
                circuit_id,
                credential: &s.credential,
                secret,
                path,
            };
            match check_claims(&m, request) {
                Ok(()) => return Ok((s.name.clone(), s.credential.clone(), path.clone())),
                Err(HolderError::Unsatisfied(why)) => reasons.push(format!("{}: {why}", s.name)),
                Err(e) => reasons.push(format!("{}: {e}", s.name)),
            }
        }
        if !any_path {
            return Err(HolderError::Missing(format!(
                "no credential in the wallet has a synced path: {}",
                reasons.join("; ")
            )));
        }
        Err(HolderError::Unsatisfied(format!(
            "no credential in the wallet proves this request: {}",
            reasons.join("; ")
        )))
    }
}
