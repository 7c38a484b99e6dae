//! Consent to a request: whose it is, what it reveals, and whether its platform is the one the
//! holder met before.
//!
//! A platform signs its requests ([`zkcred_verifier::platform`]); the verifier's parser has
//! already checked the signature and that the scope is `<platform id>/<label>`, so a platform
//! can never ask for another platform's nullifier. What the signature cannot tell is whether
//! the key is *the* platform's: the holder pins each platform id's key on first use, like SSH's
//! `known_hosts` ([`Pins`], `platforms.json` in the wallet, mode 0600), and refuses a request
//! signed for a pinned id by any other key. An unsigned request is refused unless the holder
//! allows it explicitly. [`Summary`] is what the holder is shown before proving.

use crate::error::{HolderError, Result};
use crate::files::{create_private_dir, write_private};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use zkcred_core::date::Date;
use zkcred_core::policy::DISCLOSE_NAME;
use zkcred_verifier::Request;

/// The file of pinned platforms in a wallet.
pub const PINS_FILE: &str = "platforms.json";
const PINS_TYPE: &str = "zkcred-known-platforms";
const PINS_VERSION: u64 = 1;

/// One pinned platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// The platform's key (`did:key`).
    pub did: String,
    /// When it was pinned (YYYY-MM-DD).
    pub since: String,
    /// The scopes proved in, in first-use order.
    pub scopes: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinsJson {
    #[serde(rename = "type")]
    kind: String,
    version: u64,
    platforms: BTreeMap<String, Pin>,
}

/// How a signed request's platform stands against the pins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinStatus {
    /// The platform id is pinned to this key.
    Known(Pin),
    /// The platform id was never seen: its key will be pinned.
    New,
}

/// The pinned platforms of a wallet (see the module docs).
#[derive(Clone, Debug)]
pub struct Pins {
    path: PathBuf,
    platforms: BTreeMap<String, Pin>,
}

impl Pins {
    /// The pins stored at `path` (none if the file does not exist).
    pub fn load(path: &Path) -> Result<Self> {
        let platforms = match std::fs::read(path) {
            Ok(bytes) => {
                let j: PinsJson = serde_json::from_slice(&bytes)
                    .map_err(|e| HolderError::file(path, format!("not a pins file: {e}")))?;
                if j.kind != PINS_TYPE || j.version != PINS_VERSION {
                    return Err(HolderError::file(path, "not a pins file (type/version)"));
                }
                j.platforms
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(HolderError::io(path)(e)),
        };
        Ok(Self {
            path: path.to_path_buf(),
            platforms,
        })
    }

    /// Every pinned platform by id.
    pub fn platforms(&self) -> &BTreeMap<String, Pin> {
        &self.platforms
    }

    /// How `request` stands: refused if unsigned (unless `allow_unsigned`) or if its platform
    /// id is pinned to another key; `None` for an allowed unsigned request.
    pub fn check(&self, request: &Request, allow_unsigned: bool) -> Result<Option<PinStatus>> {
        let Some(platform) = request.platform() else {
            return if allow_unsigned {
                Ok(None)
            } else {
                Err(HolderError::Unsigned)
            };
        };
        match self.platforms.get(platform.id()) {
            None => Ok(Some(PinStatus::New)),
            Some(pin) if pin.did == platform.did() => Ok(Some(PinStatus::Known(pin.clone()))),
            Some(pin) => Err(HolderError::PinMismatch {
                platform: platform.id().into(),
                pinned: pin.did.clone(),
                presented: platform.did().into(),
                since: pin.since.clone(),
            }),
        }
    }

    /// Records consent to `request` on `today`: pins its platform's key if new, adds its scope,
    /// and saves the file (mode 0600). Refuses what [`Pins::check`] refuses.
    pub fn record(&mut self, request: &Request, today: Date) -> Result<()> {
        let Some(platform) = request.platform() else {
            return Ok(());
        };
        self.check(request, false)?;
        let pin = (self.platforms)
            .entry(platform.id().into())
            .or_insert_with(|| Pin {
                did: platform.did().into(),
                since: today.to_string(),
                scopes: Vec::new(),
            });
        if !pin.scopes.iter().any(|s| s == request.scope()) {
            pin.scopes.push(request.scope().into());
        }
        self.save()
    }

    /// Removes the pin of platform `id`; whether there was one.
    pub fn forget(&mut self, id: &str) -> Result<bool> {
        let had = self.platforms.remove(id).is_some();
        if had {
            self.save()?;
        }
        Ok(had)
    }

    fn save(&self) -> Result<()> {
        let j = PinsJson {
            kind: PINS_TYPE.into(),
            version: PINS_VERSION,
            platforms: self.platforms.clone(),
        };
        let text = serde_json::to_string_pretty(&j).unwrap_or_default();
        if let Some(dir) = self.path.parent() {
            create_private_dir(dir)?;
        }
        write_private(&self.path, text.as_bytes())
    }
}

/// What a request will reveal, as shown to the holder before proving.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// `"social.example (did:key:…), pinned since 2026-12-01"` or the like.
    pub platform: String,
    /// The scope the nullifier (pseudonym) is made for.
    pub scope: String,
    /// Each claim proved, one line each (`birth_date $lte today-18y`).
    pub claims: Vec<String>,
    /// The attributes whose values the platform learns (`name` for the real name).
    pub disclosed: Vec<String>,
    /// The message the proof is bound to.
    pub message: String,
    /// The request date.
    pub date: String,
}

impl Summary {
    /// The summary of `request`, with the platform's standing against the pins.
    pub fn of(request: &Request, status: Option<&PinStatus>) -> Self {
        let platform = match (request.platform(), status) {
            (Some(p), Some(PinStatus::Known(pin))) => {
                format!("{} ({}), pinned since {}", p.id(), p.did(), pin.since)
            }
            (Some(p), _) => format!(
                "{} ({}), never seen before: its key will be pinned",
                p.id(),
                p.did()
            ),
            (None, _) => "UNSIGNED: the platform is not identified".into(),
        };
        let mut claims = Vec::new();
        let mut disclosed = Vec::new();
        if let Value::Object(m) = request.policy() {
            for (attr, cond) in m {
                if attr == "disclose" {
                    if let Value::Array(a) = cond {
                        disclosed.extend(a.iter().map(|v| match v.as_str() {
                            Some(DISCLOSE_NAME) => "name (your real name)".to_string(),
                            Some(s) => s.to_string(),
                            None => v.to_string(),
                        }));
                    }
                    continue;
                }
                match cond {
                    Value::Object(ops) => claims.extend(
                        ops.iter()
                            .map(|(op, v)| format!("{attr} {op} {}", plain(v))),
                    ),
                    other => claims.push(format!("{attr} = {}", plain(other))),
                }
            }
        }
        Self {
            platform,
            scope: request.scope().into(),
            claims,
            disclosed,
            message: request.message().into(),
            date: request.date().to_string(),
        }
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "platform:  {}", self.platform)?;
        writeln!(
            f,
            "scope:     {} (your pseudonym there is the same every time)",
            self.scope
        )?;
        writeln!(f, "proves:    {}", self.claims.join("; "))?;
        let revealed = if self.disclosed.is_empty() {
            "nothing beyond the claims".to_string()
        } else {
            self.disclosed.join(", ")
        };
        writeln!(f, "reveals:   {revealed}")?;
        writeln!(f, "bound to:  {:?} on {}", self.message, self.date)
    }
}
