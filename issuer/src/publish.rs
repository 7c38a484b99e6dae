//! Publishing the tree as static files (`zkcred_core::published_tree` has the format): the
//! top, one file per non-empty chunk of 65,536 leaves, the anchor ledger, and the manifest last.
//!
//! Only the current root is published, and only once it is the latest anchored root: a holder
//! never computes a path against a root no verifier accepts. Files are named by their content,
//! so a publication writes only the chunks that changed since the last one (after one new
//! issuance, one chunk and the top) and never rewrites a file a holder may be reading; the
//! manifest, written last and atomically, switches to the new files. Files that neither the new
//! nor the previous manifest names are removed afterwards, so a holder that read the previous
//! manifest a moment ago still finds its files.

use crate::error::{IssuerError, Result};
use crate::tables::{read_node, NODES};
use crate::IssuerDb;
use redb::ReadableDatabase;
use std::collections::HashSet;
use std::path::Path;
use zkcred_core::anchor::{AnchorEntry, Ledger};
use zkcred_core::atomic_file;
use zkcred_core::published_tree::{
    Chunk, Manifest, Top, ANCHORS_FILE, CHUNK_LEAVES, CHUNK_LEVELS, MANIFEST_FILE,
};
use zkcred_core::Fr;

/// What one publication wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishReport {
    /// The manifest written.
    pub manifest: Manifest,
    /// Chunk files written (changed since the last publication).
    pub chunks_written: usize,
    /// Chunk files already there.
    pub chunks_kept: usize,
    /// Bytes written (top, chunks, ledger copy, manifest).
    pub bytes_written: u64,
    /// Files of older publications removed.
    pub removed: usize,
}

fn write_public(out: &Path, name: &str, bytes: &[u8]) -> Result<u64> {
    let path = out.join(name);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    atomic_file::write(&path, bytes, 0o644)?;
    Ok(bytes.len() as u64)
}

impl IssuerDb {
    /// Publishes the current tree into `out` (see the module docs). Refuses a ledger of another
    /// issuer, and a current root that is not the latest root anchored in `ledger`.
    pub fn publish(&self, ledger: &Ledger, out: &Path) -> Result<PublishReport> {
        let entries = ledger.entries()?;
        let ledger_bytes = std::fs::read(ledger.path())?;
        self.publish_anchored(&entries, Some(&ledger_bytes), out)
    }

    /// Publishes the current tree into `out` against anchors held elsewhere (an on-chain
    /// registry's history, read by the caller): no ledger copy is written, holders check the
    /// root against the same anchors themselves. Refuses if the current root is not the latest
    /// of `entries`.
    pub fn publish_on_anchors(&self, entries: &[AnchorEntry], out: &Path) -> Result<PublishReport> {
        self.publish_anchored(entries, None, out)
    }

    fn publish_anchored(
        &self,
        entries: &[AnchorEntry],
        ledger_bytes: Option<&[u8]>,
        out: &Path,
    ) -> Result<PublishReport> {
        if let Some(e) = entries.iter().find(|e| e.issuer != self.issuer()) {
            return Err(zkcred_core::anchor::AnchorError::ForeignIssuer {
                expected: self.issuer().into(),
                found: e.issuer.clone(),
            }
            .into());
        }
        let anchor = match entries.last() {
            Some(e) if e.root == self.root() => e.clone(),
            _ => {
                return Err(IssuerError::Publish(
                    "the current root is not the latest anchored root: anchor it first".into(),
                ))
            }
        };
        std::fs::create_dir_all(out)?;
        // The files of the previous publication stay for one more (see the module docs).
        let previous: Vec<String> = std::fs::read_to_string(out.join(MANIFEST_FILE))
            .ok()
            .and_then(|t| Manifest::parse(&t).ok())
            .and_then(|m| {
                let top = Top::parse(&std::fs::read(out.join(&m.top)).ok()?).ok()?;
                Some(
                    std::iter::once(m.top.clone())
                        .chain(m.chunk_files(&top))
                        .collect(),
                )
            })
            .unwrap_or_default();

        let next = self.next_index();
        let chunks = next.div_ceil(CHUNK_LEAVES);
        let txn = self.db.begin_read()?;
        let nodes = txn.open_table(NODES)?;
        let top = Top {
            chunk_roots: (0..chunks)
                .map(|i| read_node(&nodes, CHUNK_LEVELS, i))
                .collect::<Result<_>>()?,
        };
        let manifest = Manifest::new(
            self.issuer().to_string(),
            self.root(),
            next,
            anchor.seq,
            anchor.time,
            &top,
        );
        let mut report = PublishReport {
            manifest: manifest.clone(),
            chunks_written: 0,
            chunks_kept: 0,
            bytes_written: 0,
            removed: 0,
        };
        for (i, name) in manifest.chunk_files(&top).iter().enumerate() {
            if out.join(name).exists() {
                report.chunks_kept += 1;
                continue;
            }
            let first = i as u64 * CHUNK_LEAVES;
            let last = next.min(first + CHUNK_LEAVES);
            let mut leaves = vec![Fr::from(0u64); (last - first) as usize];
            for item in nodes.range((0u8, first)..(0u8, last))? {
                let (k, v) = item?;
                let index = k.value().1;
                leaves[(index - first) as usize] = crate::tables::fr_from_bytes(&v.value())?;
            }
            let chunk = Chunk {
                index: i as u32,
                leaves,
            };
            report.bytes_written += write_public(out, name, &chunk.to_bytes())?;
            report.chunks_written += 1;
        }
        drop(nodes);
        drop(txn);
        if !out.join(&manifest.top).exists() {
            report.bytes_written += write_public(out, &manifest.top, &top.to_bytes())?;
        }
        match ledger_bytes {
            Some(bytes) => report.bytes_written += write_public(out, ANCHORS_FILE, bytes)?,
            // A stale ledger copy would contradict the anchors holders are told to read.
            None => match std::fs::remove_file(out.join(ANCHORS_FILE)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            },
        }
        report.bytes_written += write_public(out, MANIFEST_FILE, manifest.to_json().as_bytes())?;

        // Remove what neither this nor the previous publication names.
        let keep: HashSet<String> = (std::iter::once(manifest.top.clone()))
            .chain(manifest.chunk_files(&top))
            .chain(previous)
            .collect();
        report.removed = remove_unnamed(out, &keep)?;
        Ok(report)
    }
}

/// Removes the `.bin` files under `out/top` and `out/chunks/*` whose names are not in `keep`.
fn remove_unnamed(out: &Path, keep: &HashSet<String>) -> Result<usize> {
    let mut removed = 0;
    let mut dirs = vec!["top".to_string()];
    if let Ok(entries) = std::fs::read_dir(out.join("chunks")) {
        for e in entries.flatten() {
            if let Some(name) = e.file_name().to_str() {
                dirs.push(format!("chunks/{name}"));
            }
        }
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(out.join(&dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let rel = format!("{dir}/{name}");
            if name.ends_with(".bin") && !keep.contains(&rel) {
                std::fs::remove_file(out.join(&rel))?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}
