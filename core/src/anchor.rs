//! Anchoring tree roots: the local hash-chained ledger and the root-window rule.
//!
//! The ledger is a file of JSON lines, one [`AnchorEntry`] per line:
//! `{"seq":0,"root":"<decimal>","time":<unix seconds>,"prev":"<hex>","issuer":"did:…","sig":"<hex>"}`,
//! where `prev` is the SHA-256 of the previous line's exact bytes (without its newline), and 64
//! zeros for the first. Rewriting or dropping any entry breaks the chain of every later one.
//!
//! **Signed entries.** A ledger belongs to one issuer, named by its DID ([`crate::did`]). Every
//! entry names that issuer and carries its signature over [`ENTRY_SIGNATURE_DOMAIN`] ‖
//! `seq \n root \n time \n prev \n issuer`: an Ed25519 signature by the key of a `did:key`,
//! or an EIP-191 signature by the account of a `did:pkh` (a chain issuer's offline copy of its
//! anchors, signed by the same account that anchors in the registry). An entry appended by
//! anyone without the key, or naming another issuer, makes the ledger unreadable, and a verifier
//! accepts roots only from the issuer its request names ([`check_root`]).
//!
//! A crash in the middle of an append leaves a last line without its newline: readers ignore
//! it (it was never acknowledged), and the next append cuts it off before writing.
//!
//! **Root window.** At time `now` a verifier accepts root `R` if `R` is the latest anchored root,
//! or if some entry anchoring `R` was superseded (by the next entry) less than `window` seconds
//! ago: `now - time(next) < window`. A proof made just before a new issuance still verifies,
//! and a revocation takes effect within one window.

use crate::did::{EntrySigner, IssuerDid};
use crate::encoding::fr_to_string;
use crate::Fr;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The default root window: one hour.
pub const DEFAULT_WINDOW_SECS: u64 = 3600;
/// What an entry's signature signs, before the entry's fields.
pub const ENTRY_SIGNATURE_DOMAIN: &[u8] = b"zkcred-ledger-entry-v1\n";

/// Errors of the anchor ledger.
#[derive(Debug, Error)]
pub enum AnchorError {
    /// The ledger file could not be read or written.
    #[error("ledger {path}: {source}")]
    Io {
        /// The ledger's path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line is not a valid entry, or the hash chain is broken.
    #[error("ledger {path} is corrupt at line {line}: {reason}")]
    Corrupt {
        /// The ledger's path.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The root was never anchored.
    #[error("root {0} was never anchored in this ledger")]
    NotAnchored(String),
    /// The root was anchored but superseded longer ago than the window.
    #[error("root {root} was superseded {age}s ago, outside the {window}s window")]
    Expired {
        /// The root.
        root: String,
        /// Seconds since it was superseded.
        age: u64,
        /// The window.
        window: u64,
    },
    /// The ledger has no entries.
    #[error("ledger {0} has no anchored root")]
    Empty(PathBuf),
    /// The anchors are another issuer's than the one expected.
    #[error("the roots are anchored by {found}, not by the expected issuer {expected}")]
    ForeignIssuer {
        /// The issuer expected (a request's, or the appending key's).
        expected: String,
        /// The issuer the anchors name.
        found: String,
    },
}

impl crate::error::Classify for AnchorError {
    /// An unreadable or unwritable ledger is unavailable; a corrupt or empty one is malformed
    /// input; a root it does not accept is a rejection.
    fn kind(&self) -> crate::error::ErrorKind {
        use crate::error::ErrorKind;
        match self {
            AnchorError::Io { .. } => ErrorKind::Unavailable,
            AnchorError::Corrupt { .. } | AnchorError::Empty(_) => ErrorKind::Malformed,
            AnchorError::NotAnchored(_)
            | AnchorError::Expired { .. }
            | AnchorError::ForeignIssuer { .. } => ErrorKind::Rejected,
        }
    }
}

/// One anchored root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorEntry {
    /// Position in the ledger, from 0.
    pub seq: u64,
    /// The root.
    #[serde(with = "crate::encoding::fr_dec")]
    pub root: Fr,
    /// When it was anchored (Unix seconds).
    pub time: u64,
    /// SHA-256 (hex) of the previous line (empty for an entry read from a chain).
    pub prev: String,
    /// The issuer's DID: the ledger's `did:key`, or a chain issuer's `did:pkh`.
    pub issuer: String,
    /// The issuer's signature (lowercase hex) over [`AnchorEntry::signed_message`]: Ed25519 for
    /// a `did:key`, EIP-191 (`r ‖ s ‖ v`) for a `did:pkh` (empty for an
    /// entry read from a chain, where the registry is the authority).
    pub sig: String,
}

impl AnchorEntry {
    /// What the issuer signs: [`ENTRY_SIGNATURE_DOMAIN`] then seq, root, time, prev and issuer,
    /// one per line.
    pub fn signed_message(&self) -> Vec<u8> {
        let mut m = ENTRY_SIGNATURE_DOMAIN.to_vec();
        let fields = format!(
            "{}\n{}\n{}\n{}\n{}",
            self.seq,
            fr_to_string(&self.root),
            self.time,
            self.prev,
            self.issuer
        );
        m.extend_from_slice(fields.as_bytes());
        m
    }
}

/// A local append-only ledger file.
#[derive(Clone, Debug)]
pub struct Ledger {
    path: PathBuf,
}

fn line_hash(line: &[u8]) -> String {
    hex::encode(Sha256::digest(line))
}

impl Ledger {
    /// The ledger at `path` (created on first append).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
        }
    }

    /// The ledger's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> AnchorError {
        AnchorError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Reads and checks every complete entry; returns them with the length of the complete part.
    fn read(&self) -> Result<(Vec<AnchorEntry>, u64), AnchorError> {
        let mut bytes = Vec::new();
        match File::open(&self.path) {
            Ok(mut f) => f.read_to_end(&mut bytes).map_err(|e| self.io(e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(self.io(e)),
        };
        parse_ledger(&self.path, &bytes)
    }

    /// All anchored entries, after checking the whole chain.
    pub fn entries(&self) -> Result<Vec<AnchorEntry>, AnchorError> {
        Ok(self.read()?.0)
    }

    /// The latest anchored root.
    pub fn latest(&self) -> Result<AnchorEntry, AnchorError> {
        self.entries()?
            .pop()
            .ok_or_else(|| AnchorError::Empty(self.path.clone()))
    }

    /// Appends `root` anchored at `time` (clamped to be no earlier than the last entry), signed
    /// by `key`, durably. Refuses a ledger whose entries are another issuer's.
    pub fn append(
        &self,
        root: Fr,
        time: u64,
        key: &dyn EntrySigner,
    ) -> Result<AnchorEntry, AnchorError> {
        let (entries, complete) = self.read()?;
        let issuer = key.did();
        if let Some(first) = entries.first() {
            if first.issuer != issuer {
                return Err(AnchorError::ForeignIssuer {
                    expected: issuer,
                    found: first.issuer.clone(),
                });
            }
        }
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&self.path)
            .map_err(|e| self.io(e))?;
        // Cut off a torn last line left by a crash.
        f.set_len(complete).map_err(|e| self.io(e))?;
        f.seek(SeekFrom::End(0)).map_err(|e| self.io(e))?;
        let prev = match entries.last() {
            None => "0".repeat(64),
            Some(last) => line_hash(&serde_json::to_vec(last).expect("entries serialize")),
        };
        let mut entry = AnchorEntry {
            seq: entries.len() as u64,
            root,
            time: time.max(entries.last().map_or(0, |e| e.time)),
            prev,
            issuer,
            sig: String::new(),
        };
        entry.sig = hex::encode(key.sign_entry(&entry.signed_message()));
        let mut line = serde_json::to_vec(&entry).expect("entries serialize");
        line.push(b'\n');
        f.write_all(&line).map_err(|e| self.io(e))?;
        f.sync_all().map_err(|e| self.io(e))?;
        if entries.is_empty() {
            // The file may be new: make its name durable too.
            crate::atomic_file::sync_dir(&self.path).map_err(|e| self.io(e))?;
        }
        Ok(entry)
    }

    /// Applies the root-window rule (see the module docs) to `root` of `issuer` at time `now`.
    pub fn check_root(
        &self,
        issuer: &str,
        root: Fr,
        now: u64,
        window: u64,
    ) -> Result<(), AnchorError> {
        check_root(&self.entries()?, issuer, root, now, window)
    }
}

/// Checks the contents of a ledger file (`path` only names it in errors): every complete line
/// is an entry written exactly as [`Ledger::append`] writes it, with the next sequence number,
/// chained to the previous line, not earlier than it, naming the same issuer as the
/// first line and signed by that key. Returns the entries and the length of the complete part;
/// a torn last line is ignored.
pub fn parse_ledger(path: &Path, bytes: &[u8]) -> Result<(Vec<AnchorEntry>, u64), AnchorError> {
    let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let mut entries: Vec<AnchorEntry> = Vec::new();
    let mut prev = "0".repeat(64);
    let mut issuer: Option<IssuerDid> = None;
    // Every complete line ends with '\n'; drop the last one so `split` yields no empty tail.
    let body = &bytes[..complete.saturating_sub(1)];
    let lines = body.split(|b| *b == b'\n').filter(|_| complete > 0);
    for (i, line) in lines.enumerate() {
        let corrupt = |reason: String| AnchorError::Corrupt {
            path: path.to_path_buf(),
            line: i + 1,
            reason,
        };
        let e: AnchorEntry = serde_json::from_slice(line).map_err(|e| corrupt(e.to_string()))?;
        // The next line chains the hash of these bytes, and `append` hashes the entry as it
        // writes it: only lines in exactly that form keep the chain appendable.
        if serde_json::to_vec(&e).ok().as_deref() != Some(line) {
            return Err(corrupt(
                "not in the ledger's form (compact JSON, fields seq, root, time, prev, issuer, sig)"
                    .into(),
            ));
        }
        if e.seq != i as u64 {
            return Err(corrupt(format!(
                "sequence number {} where {i} was expected",
                e.seq
            )));
        }
        if e.prev != prev {
            return Err(corrupt(
                "hash chain broken: `prev` is not the hash of the previous line".into(),
            ));
        }
        if let Some(last) = entries.last() {
            if e.time < last.time {
                return Err(corrupt("time goes backwards".into()));
            }
        }
        match entries.first() {
            None => {
                let did =
                    IssuerDid::parse(&e.issuer).map_err(|err| corrupt(format!("issuer: {err}")))?;
                issuer = Some(did);
            }
            Some(first) if first.issuer != e.issuer => {
                return Err(corrupt(format!(
                    "the entry names issuer {}, but this ledger is {}'s",
                    e.issuer, first.issuer
                )))
            }
            Some(_) => {}
        }
        let Some(issuer) = issuer.as_ref() else {
            return Err(corrupt("no issuer".into()));
        };
        // One spelling per signature: lowercase hex, as `append` writes it.
        let signed = e
            .sig
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && hex::decode(&e.sig).is_ok_and(|sig| issuer.verifies(&e.signed_message(), &sig));
        if !signed {
            return Err(corrupt(
                "the signature is not the issuer's over this entry".into(),
            ));
        }
        prev = line_hash(line);
        entries.push(e);
    }
    Ok((entries, complete as u64))
}

/// The root-window rule over the entries of one issuer: refuses entries of any issuer other
/// than `issuer` ([`AnchorError::ForeignIssuer`]) before looking at roots.
pub fn check_root(
    entries: &[AnchorEntry],
    issuer: &str,
    root: Fr,
    now: u64,
    window: u64,
) -> Result<(), AnchorError> {
    if let Some(e) = entries.iter().find(|e| e.issuer != issuer) {
        return Err(AnchorError::ForeignIssuer {
            expected: issuer.into(),
            found: e.issuer.clone(),
        });
    }
    let mut best_age: Option<u64> = None;
    for (i, e) in entries.iter().enumerate() {
        if e.root != root {
            continue;
        }
        match entries.get(i + 1) {
            None => return Ok(()),
            Some(next) => {
                let age = now.saturating_sub(next.time);
                if age < window {
                    return Ok(());
                }
                best_age = Some(best_age.map_or(age, |a| a.min(age)));
            }
        }
    }
    match best_age {
        Some(age) => Err(AnchorError::Expired {
            root: fr_to_string(&root),
            age,
            window,
        }),
        None => Err(AnchorError::NotAnchored(fr_to_string(&root))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::IssuerKey;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zkcred-anchor-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        dir
    }

    /// `hex` with its first digit changed.
    fn flip_first(hex: &str) -> String {
        let first = if hex.starts_with('0') { "1" } else { "0" };
        format!("{first}{}", &hex[1..])
    }

    fn key() -> IssuerKey {
        IssuerKey::from_seed(&[1; 32])
    }

    #[test]
    fn window_rule() {
        let l = Ledger::new(tmp("window"));
        let k = key();
        let did = k.did();
        let (a, b, c) = (Fr::from(1u64), Fr::from(2u64), Fr::from(3u64));
        l.append(a, 1000, &k).unwrap();
        l.append(b, 2000, &k).unwrap();
        // `a` was superseded at 2000.
        assert!(l.check_root(&did, a, 2000 + 3599, 3600).is_ok());
        assert!(matches!(
            l.check_root(&did, a, 2000 + 3600, 3600),
            Err(AnchorError::Expired { .. })
        ));
        // The latest root never expires.
        assert!(l.check_root(&did, b, 1_000_000, 3600).is_ok());
        assert!(matches!(
            l.check_root(&did, c, 2000, 3600),
            Err(AnchorError::NotAnchored(_))
        ));
        // A window of 0 accepts only the latest root.
        assert!(l.check_root(&did, a, 2000, 0).is_err());
        // A root anchored again is current again.
        l.append(a, 9000, &k).unwrap();
        assert!(l.check_root(&did, a, 100_000, 3600).is_ok());
        assert!(l.check_root(&did, b, 100_000, 3600).is_err());
    }

    #[test]
    fn tampering_and_torn_lines() {
        let path = tmp("tamper");
        let l = Ledger::new(&path);
        let k = key();
        for i in 0..3 {
            l.append(Fr::from(i), 10 + i, &k).unwrap();
        }
        let good = std::fs::read_to_string(&path).unwrap();
        // A torn final line is ignored by readers and cut off by the next append.
        std::fs::write(&path, format!("{good}{{\"seq\":3,\"ro")).unwrap();
        assert_eq!(l.entries().unwrap().len(), 3);
        l.append(Fr::from(7u64), 20, &k).unwrap();
        assert_eq!(l.entries().unwrap().len(), 4);
        // Rewriting an earlier root breaks its signature (and the chain after it).
        let tampered = good.replacen("\"root\":\"1\"", "\"root\":\"5\"", 1);
        std::fs::write(&path, tampered).unwrap();
        assert!(matches!(
            l.entries(),
            Err(AnchorError::Corrupt { line: 2, .. })
        ));
        // Dropping a line breaks it too.
        let dropped: Vec<&str> = good
            .lines()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, s)| s)
            .collect();
        std::fs::write(&path, dropped.join("\n") + "\n").unwrap();
        assert!(l.entries().is_err());
        std::fs::write(&path, "not json\n").unwrap();
        assert!(matches!(
            l.entries(),
            Err(AnchorError::Corrupt { line: 1, .. })
        ));
        let _ = std::fs::remove_file(&path);
    }

    /// Found by the `anchor_ledger` fuzz target: a line in another JSON form (here indented)
    /// was accepted, but `append` chained the hash of its compact form, so the ledger it wrote
    /// no longer read back.
    #[test]
    fn a_line_in_another_form_is_refused_before_anything_is_appended() {
        let path = tmp("form");
        let l = Ledger::new(&path);
        let k = key();
        l.append(Fr::from(1u64), 10, &k).unwrap();
        let good = std::fs::read_to_string(&path).unwrap();
        for variant in [
            format!("\t{good}"),
            good.replace(",", ", "),
            good.replace("\"seq\":0,\"root\":\"1\"", "\"root\":\"1\",\"seq\":0"),
        ] {
            std::fs::write(&path, &variant).unwrap();
            assert!(
                matches!(l.entries(), Err(AnchorError::Corrupt { line: 1, .. })),
                "{variant:?}"
            );
            assert!(l.append(Fr::from(2u64), 20, &k).is_err());
            assert_eq!(std::fs::read_to_string(&path).unwrap(), variant);
        }
        let _ = std::fs::remove_file(&path);
    }

    /// Only the issuer's key writes its ledger: an entry someone else signed, an entry naming
    /// another issuer and a changed signature are refused, an append with another key changes
    /// nothing, and a whole ledger of another issuer answers no root of the expected one.
    #[test]
    fn entries_of_anyone_but_the_issuer_are_refused() {
        let path = tmp("foreign");
        let l = Ledger::new(&path);
        let (k, mallory) = (key(), IssuerKey::from_seed(&[2; 32]));
        l.append(Fr::from(1u64), 10, &k).unwrap();
        let good = std::fs::read_to_string(&path).unwrap();
        assert!(matches!(
            l.append(Fr::from(2u64), 20, &mallory),
            Err(AnchorError::ForeignIssuer { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), good);

        // Mallory writes a well-formed, chained second line: under the issuer's name with her
        // signature, and under her own name.
        let first: AnchorEntry = serde_json::from_str(good.trim_end()).unwrap();
        let forged = |issuer: String| {
            let mut e = AnchorEntry {
                seq: 1,
                root: Fr::from(66u64),
                time: 20,
                prev: line_hash(good.trim_end().as_bytes()),
                issuer,
                sig: String::new(),
            };
            e.sig = hex::encode(mallory.sign(&e.signed_message()));
            format!("{good}{}\n", serde_json::to_string(&e).unwrap())
        };
        for (ledger, why) in [
            (forged(k.did()), "signature"),
            (forged(mallory.did()), "names issuer"),
            (
                good.replace(&first.sig, &flip_first(&first.sig)),
                "signature",
            ),
        ] {
            std::fs::write(&path, &ledger).unwrap();
            match l.entries() {
                Err(AnchorError::Corrupt { reason, .. }) => {
                    assert!(reason.contains(why), "{reason}")
                }
                other => panic!("{other:?}"),
            }
        }

        // Mallory's own ledger reads, but it anchors nothing for the issuer.
        let _ = std::fs::remove_file(&path);
        l.append(Fr::from(1u64), 10, &mallory).unwrap();
        assert!(l
            .check_root(&mallory.did(), Fr::from(1u64), 10, 3600)
            .is_ok());
        assert!(matches!(
            l.check_root(&k.did(), Fr::from(1u64), 10, 3600),
            Err(AnchorError::ForeignIssuer { .. })
        ));
        let _ = std::fs::remove_file(&path);
    }
}
