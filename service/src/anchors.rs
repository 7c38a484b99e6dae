//! The anchored roots the service accepts: the issuer's ledger file, re-read when it changes.
//!
//! The service is configured with the issuer's DID (a `did:key`, or a chain issuer's `did:pkh`
//! whose ledger copy its account signs): a ledger of any other issuer does not start it, a
//! replacement of another issuer does not extend the roots in use, and its requests name that
//! issuer.
//!
//! The ledger is read at start (a missing, unreadable or corrupt ledger stops the start) and
//! then checked once a second: when its size or modification time changed, it is parsed again
//! and, if the whole hash chain checks and it extends the roots in use (the ledger is
//! append-only), replaces them. A ledger that goes bad while the service runs (a torn or
//! truncated copy, an edit, an old backup) keeps the last good roots in use and is reported by
//! `GET /readyz` until it is good again, so a bad file never widens what is accepted.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;
use zkcred_core::anchor::{AnchorEntry, AnchorError, Ledger};

/// The roots in use and where they come from.
pub struct Anchors {
    ledger: Ledger,
    issuer: String,
    state: RwLock<State>,
}

struct State {
    entries: Arc<Vec<AnchorEntry>>,
    stamp: Option<(SystemTime, u64)>,
    problem: Option<String>,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl Anchors {
    /// Reads the ledger at `path`; it must exist, hold at least one root and be signed by
    /// `issuer`.
    pub fn load(path: &Path, issuer: &str) -> Result<Self, AnchorError> {
        let ledger = Ledger::new(path);
        let before = stamp(path);
        let entries = ledger.entries()?;
        match entries.first() {
            None => return Err(AnchorError::Empty(path.to_path_buf())),
            Some(e) if e.issuer != issuer => {
                return Err(AnchorError::ForeignIssuer {
                    expected: issuer.into(),
                    found: e.issuer.clone(),
                })
            }
            Some(_) => {}
        }
        Ok(Self {
            ledger,
            issuer: issuer.into(),
            state: RwLock::new(State {
                entries: Arc::new(entries),
                stamp: before,
                problem: None,
            }),
        })
    }

    /// The issuer whose roots these are.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The ledger's path.
    pub fn path(&self) -> PathBuf {
        self.ledger.path().to_path_buf()
    }

    /// The roots in use.
    pub fn current(&self) -> Arc<Vec<AnchorEntry>> {
        self.state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .clone()
    }

    /// What is wrong with the ledger file now, if anything (the last good roots stay in use).
    pub fn problem(&self) -> Option<String> {
        (self.state.read().unwrap_or_else(|e| e.into_inner()))
            .problem
            .clone()
    }

    /// Re-reads the ledger if it changed; returns whether the roots in use changed.
    pub fn refresh(&self) -> bool {
        let now = stamp(self.ledger.path());
        {
            let s = self.state.read().unwrap_or_else(|e| e.into_inner());
            if now == s.stamp && s.problem.is_none() {
                return false;
            }
        }
        let read = self.ledger.entries();
        let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
        s.stamp = now;
        match read {
            Ok(entries) if entries.is_empty() => {
                s.problem = Some(format!(
                    "{} has no anchored root",
                    self.ledger.path().display()
                ));
                false
            }
            // An append-only ledger only grows: a copy that lost entries (a truncated or
            // restored file) would bring back roots that were replaced, so it is refused.
            Ok(entries) if !entries.starts_with(&s.entries) => {
                s.problem = Some(format!(
                    "{} no longer starts with the {} roots in use (truncated or rewritten)",
                    self.ledger.path().display(),
                    s.entries.len()
                ));
                false
            }
            Ok(entries) => {
                s.problem = None;
                let changed = *s.entries != entries;
                s.entries = Arc::new(entries);
                changed
            }
            Err(e) => {
                s.problem = Some(e.to_string());
                false
            }
        }
    }
}
