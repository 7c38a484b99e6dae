//! Path retrieval without telling anyone which leaf: `zkcred holder sync`.
//!
//! The issuer publishes its tree as static files (`zkcred_core::published_tree`). A sync reads
//! the manifest, the top (the roots of every chunk of 65,536 leaves) and, for each of the
//! wallet's credentials of that issuer, the one chunk that holds its leaf; it recomputes the
//! chunk's root and the tree root from what it read, checks that root against the anchors, and
//! computes the credential's path itself. The server learns only which chunk is read: the
//! holder hides among the 65,536 leaves of its chunk (docs/privacy.md).
//!
//! The wallet caches the manifest, top and chunks (`trees/<issuer>/`). A later sync reads the
//! manifest; if the root is unchanged it reads nothing else, and otherwise it reads the new top
//! and only the chunks whose roots the new top changed.

use crate::error::{HolderError, Result};
use crate::fetch::Source;
use crate::files::write_private;
use crate::wallet::Wallet;
use std::collections::BTreeMap;
use zkcred_core::anchor::{parse_ledger, AnchorEntry};
use zkcred_core::did::{issuer_tag, IssuerDid};
use zkcred_core::path_document::PathDocument;
use zkcred_core::published_tree::{
    chunk_of, Chunk, Manifest, Subtree, Top, ANCHORS_FILE, CHUNKS, CHUNK_LEAVES, MANIFEST_FILE,
};
use zkcred_core::Fr;

/// The largest manifest read.
const MANIFEST_LIMIT: usize = 64 * 1024;
/// The largest top file: 16 header bytes and 32 per chunk.
const TOP_LIMIT: usize = 16 + 32 * CHUNKS as usize;
/// The largest chunk file.
const CHUNK_LIMIT: usize = 16 + 32 * CHUNK_LEAVES as usize;
/// The largest anchor ledger read.
const LEDGER_LIMIT: usize = 64 << 20;

/// Where the anchored roots come from.
#[derive(Clone, Debug)]
pub enum Anchors {
    /// The ledger copy published beside the tree (`anchors.jsonl`).
    Published,
    /// Entries the caller read itself (a ledger file it trusts, or a chain).
    Given(Vec<AnchorEntry>),
}

/// What happened to one credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Its path against the synced root is stored.
    Synced(u32),
    /// Its leaf is no longer in the tree (revoked): no path is stored.
    NotInTree(u32),
}

/// What a sync did.
#[derive(Clone, Debug)]
pub struct SyncReport {
    /// The issuer's DID.
    pub issuer: String,
    /// The synced root.
    pub root: Fr,
    /// Whether the root is the latest anchored one (else it was superseded; proofs against
    /// it are accepted only inside the verifiers' window).
    pub latest: bool,
    /// The files read from the source, with their sizes, in order.
    pub fetched: Vec<(String, usize)>,
    /// Credentials of this issuer, by wallet name, and what happened to each.
    pub credentials: BTreeMap<String, Outcome>,
}

impl SyncReport {
    /// Bytes read from the source.
    pub fn bytes(&self) -> usize {
        self.fetched.iter().map(|(_, n)| n).sum()
    }
}

fn fetch(
    source: &Source,
    name: &str,
    limit: usize,
    log: &mut Vec<(String, usize)>,
) -> Result<Vec<u8>> {
    let bytes = source.get(name, limit)?;
    log.push((name.to_string(), bytes.len()));
    Ok(bytes)
}

/// Chunk `c`, with its levels hashed, from the cache if its root is the top's, else fetched,
/// checked and cached.
fn chunk(
    source: &Source,
    manifest: &Manifest,
    top: &Top,
    cache: &std::path::Path,
    c: u32,
    fetched: &mut Vec<(String, usize)>,
) -> Result<(Chunk, Subtree)> {
    let file = cache.join(format!("chunk-{c}.bin"));
    let want = top.chunk_root(c);
    let hashed = |ch: Chunk| {
        let levels = ch.subtree();
        (ch, levels)
    };
    let cached = std::fs::read(&file)
        .ok()
        .and_then(|b| Chunk::parse(&b).ok())
        .filter(|ch| ch.index == c)
        .map(hashed)
        .filter(|(_, levels)| levels.root() == want);
    if let Some(found) = cached {
        return Ok(found);
    }
    let name = manifest
        .chunk_file(top, c)
        .ok_or_else(|| HolderError::Sync(format!("chunk {c} is not published")))?;
    let bytes = fetch(source, &name, CHUNK_LIMIT, fetched)?;
    let (ch, levels) = hashed(Chunk::parse(&bytes)?);
    if ch.index != c || levels.root() != want {
        return Err(HolderError::Sync(format!(
            "chunk file {name} does not hash to the top's root of chunk {c}"
        )));
    }
    write_private(&file, &bytes)?;
    Ok((ch, levels))
}

/// Syncs the paths of the wallet's credentials of the issuer published at `source`.
pub fn sync(wallet: &Wallet, source: &Source, anchors: Anchors) -> Result<SyncReport> {
    let mut fetched = Vec::new();
    let manifest_bytes = fetch(source, MANIFEST_FILE, MANIFEST_LIMIT, &mut fetched)?;
    let manifest_text = std::str::from_utf8(&manifest_bytes)
        .map_err(|_| HolderError::Sync("the manifest is not UTF-8".into()))?;
    let manifest = Manifest::parse(manifest_text)?;
    IssuerDid::parse(&manifest.issuer)
        .map_err(|e| HolderError::Sync(format!("the manifest's issuer: {e}")))?;
    let root = manifest.root()?;

    // The root must be anchored, and be the manifest's anchor entry.
    let entries = match anchors {
        Anchors::Given(e) => e,
        Anchors::Published => {
            let bytes = fetch(source, ANCHORS_FILE, LEDGER_LIMIT, &mut fetched)?;
            parse_ledger(std::path::Path::new(ANCHORS_FILE), &bytes)
                .map_err(|e| HolderError::Sync(e.to_string()))?
                .0
        }
    };
    // Only the issuer's own anchors count: a ledger copy signed by anyone else, or a chain
    // history of another account, anchors nothing for its credentials.
    if let Some(e) = entries.iter().find(|e| e.issuer != manifest.issuer) {
        return Err(HolderError::Sync(format!(
            "the anchors are {}'s, not the manifest's issuer {}",
            e.issuer, manifest.issuer
        )));
    }
    if !entries
        .iter()
        .any(|e| e.root == root && e.seq == manifest.anchor_seq)
    {
        return Err(HolderError::Sync(format!(
            "the published root {} is not anchored (as entry {})",
            manifest.root, manifest.anchor_seq
        )));
    }
    let latest = entries.last().is_some_and(|e| e.root == root);

    let cache = wallet.tree_cache(&issuer_tag(&manifest.issuer))?;
    let mine: Vec<_> = wallet
        .credentials()?
        .into_iter()
        .filter(|s| s.credential.issuer() == manifest.issuer)
        .collect();

    // Nothing new: the same manifest as last time, and every credential of this issuer already
    // has its path against this root (or was found revoked under it). Nothing to hash.
    let same_manifest = std::fs::read(cache.join(MANIFEST_FILE)).is_ok_and(|b| b == manifest_bytes);
    let up_to_date = |s: &crate::wallet::Stored| {
        s.path.as_ref().is_some_and(|p| p.root == root) || s.not_in_tree
    };
    if same_manifest && mine.iter().all(up_to_date) {
        let credentials = (mine.iter())
            .map(|s| {
                let i = s.credential.leaf_index();
                let outcome = match s.path {
                    Some(_) => Outcome::Synced(i),
                    None => Outcome::NotInTree(i),
                };
                (s.name.clone(), outcome)
            })
            .collect();
        return Ok(SyncReport {
            issuer: manifest.issuer,
            root,
            latest,
            fetched,
            credentials,
        });
    }

    // The top: from the cache if it is this root's, else fetched; either way checked.
    let cached_top = std::fs::read(cache.join("top.bin"))
        .ok()
        .and_then(|b| Top::parse(&b).ok())
        .map(|t| {
            let levels = t.subtree();
            (t, levels)
        })
        .filter(|(t, levels)| manifest.check_top_in(t, levels).is_ok());
    let (top, top_levels) = match cached_top {
        Some(found) => found,
        None => {
            let bytes = fetch(source, &manifest.top, TOP_LIMIT, &mut fetched)?;
            let top = Top::parse(&bytes)?;
            let levels = top.subtree();
            manifest.check_top_in(&top, &levels)?;
            write_private(&cache.join("top.bin"), &bytes)?;
            (top, levels)
        }
    };

    let mut chunks: BTreeMap<u32, (Chunk, Subtree)> = BTreeMap::new();
    let mut credentials = BTreeMap::new();
    for s in mine {
        let index = s.credential.leaf_index();
        let c = chunk_of(index);
        if u64::from(index) >= manifest.leaves {
            credentials.insert(s.name.clone(), Outcome::NotInTree(index));
            wallet.mark_not_in_tree(&s.name)?;
            continue;
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = chunks.entry(c) {
            slot.insert(chunk(source, &manifest, &top, &cache, c, &mut fetched)?);
        }
        let (ch, levels) = &chunks[&c];
        let (leaf, path) = ch
            .path_in(levels, &top_levels, index)
            .ok_or_else(|| HolderError::Sync(format!("leaf {index} is outside chunk {c}")))?;
        if leaf != s.credential.leaf() {
            credentials.insert(s.name.clone(), Outcome::NotInTree(index));
            wallet.mark_not_in_tree(&s.name)?;
            continue;
        }
        let doc = PathDocument {
            index,
            root,
            leaf,
            path,
        };
        if !doc.verify() {
            return Err(HolderError::Sync(format!(
                "the path of leaf {index} does not verify"
            )));
        }
        wallet.store_path(&s.name, &doc)?;
        credentials.insert(s.name.clone(), Outcome::Synced(index));
    }
    write_private(&cache.join(MANIFEST_FILE), &manifest_bytes)?;
    write_private(&cache.join("source"), source.describe().as_bytes())?;
    Ok(SyncReport {
        issuer: manifest.issuer,
        root,
        latest,
        fetched,
        credentials,
    })
}

/// The sources of earlier syncs, by issuer tag (so `holder sync` with no source re-syncs them).
pub fn known_sources(wallet: &Wallet) -> Result<Vec<Source>> {
    let dir = wallet.home().join("trees");
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path().join("source")) {
                out.push(Source::parse(text.trim())?);
            }
        }
    }
    Ok(out)
}
