//! The issuer's tree as static files, so that a holder computes its own Merkle path without
//! telling anyone which leaf it holds (docs/privacy.md, docs/formats.md "Published tree").
//!
//! The tree of [`crate::tree`] (depth 16, arity 4) is cut at level [`CHUNK_LEVELS`] = 8: each
//! of its `4^8` nodes there is the root of a *chunk* of `4^8 = 65,536` leaves. A publication is
//!
//! - `manifest.json` — the only file that changes in place: the issuer, the root, the number of
//!   leaves and of chunks, the anchor entry of that root, and the name of the top file (a few
//!   hundred bytes, whatever the tree's size: the chunk files' names follow from the top);
//! - `top/<root hex>.bin` — the chunk roots `c_0 .. c_{n-1}` of the `n` non-empty chunks (every
//!   later chunk is empty: its root is `Z_8`); hashing them up 8 levels gives the root;
//! - `chunks/<i>/<chunk root hex>.bin` — the leaves of chunk `i` up to its last issued one (the
//!   rest are 0); hashing them up 8 levels gives `c_i`.
//!
//! Files other than the manifest are named by their content, so they never change once
//! written: a CDN may cache them forever, a holder reading while the issuer publishes never
//! sees a mixed state, and a holder that already has chunk `i` under root `c_i` re-fetches it
//! only if the new top says `c_i` changed. Binary files are a 16-byte header (8-byte magic, two
//! big-endian `u32`) and then 32-byte big-endian canonical field elements.
//!
//! Nothing here is trusted: [`Top::parse`] and [`Chunk::parse`] refuse a wrong magic, a count
//! beyond the tree, a length that does not match, a non-canonical element, and
//! [`Top::root`] / [`Chunk::root`] are what the holder compares against the anchored root and
//! the top.

use crate::encoding::{fr_from_be_bytes, fr_to_be_bytes, fr_to_string, parse_fr};
use crate::error::{Error, Result};
use crate::tree::{hash_node, zero_hashes, LeafIndex, MerklePath, ARITY, DEPTH};
use crate::Fr;
use serde::{Deserialize, Serialize};

/// Levels inside a chunk: a chunk is the subtree under one node of level 8.
pub const CHUNK_LEVELS: usize = 8;
/// Leaves per chunk, `4^8`.
pub const CHUNK_LEAVES: u64 = 1 << (2 * CHUNK_LEVELS);
/// Chunks in the whole tree, `4^8`.
pub const CHUNKS: u64 = 1 << (2 * (DEPTH - CHUNK_LEVELS));
/// The `type` of a manifest.
pub const MANIFEST_TYPE: &str = "zkcred-published-tree";
/// The manifest format version.
pub const MANIFEST_VERSION: u64 = 1;
/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The copy of the anchor ledger the issuer publishes beside the tree.
pub const ANCHORS_FILE: &str = "anchors.jsonl";
const TOP_MAGIC: &[u8; 8] = b"zkcTOP\x00\x01";
const CHUNK_MAGIC: &[u8; 8] = b"zkcCHK\x00\x01";
const HEADER: usize = 16;

fn bad(why: String) -> Error {
    Error::PublishedTree(why)
}

/// The chunk that holds leaf `index`.
pub fn chunk_of(index: LeafIndex) -> u32 {
    index >> (2 * CHUNK_LEVELS)
}

/// The file name of the top under `root`.
pub fn top_file(root: &Fr) -> String {
    format!("top/{}.bin", hex::encode(fr_to_be_bytes(root)))
}

/// The file name of chunk `index` with root `chunk_root`.
pub fn chunk_file(index: u32, chunk_root: &Fr) -> String {
    format!(
        "chunks/{index}/{}.bin",
        hex::encode(fr_to_be_bytes(chunk_root))
    )
}

fn read_fr(b: &[u8], what: &str, i: usize) -> Result<Fr> {
    let bytes: &[u8; 32] = b
        .try_into()
        .map_err(|_| bad(format!("{what} {i} is not 32 bytes")))?;
    fr_from_be_bytes(bytes)
        .ok_or_else(|| bad(format!("{what} {i} is not a canonical field element")))
}

fn encode(magic: &[u8; 8], a: u32, b: u32, values: &[Fr]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + 32 * values.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&a.to_be_bytes());
    out.extend_from_slice(&b.to_be_bytes());
    for v in values {
        out.extend_from_slice(&fr_to_be_bytes(v));
    }
    out
}

/// Parses a header and `count` elements; returns the header's two numbers and the elements.
fn decode(bytes: &[u8], magic: &[u8; 8], what: &str) -> Result<(u32, u32, Vec<Fr>)> {
    if bytes.len() < HEADER || &bytes[..8] != magic {
        return Err(bad(format!("not a zkcred {what} file (magic)")));
    }
    let word = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let (a, b) = (word(8), word(12));
    let body = &bytes[HEADER..];
    if !body.len().is_multiple_of(32) {
        return Err(bad(format!(
            "{what} file: {} bytes after the header, not a multiple of 32",
            body.len()
        )));
    }
    let values = (body.chunks_exact(32).enumerate())
        .map(|(i, c)| read_fr(c, what, i))
        .collect::<Result<Vec<_>>>()?;
    Ok((a, b, values))
}

/// The levels of a subtree of `height` whose first leaves are `leaves` (the rest empty):
/// `levels[0] = leaves`, `levels[height] = [root]`, each level only as long as it has
/// non-empty nodes (at least one node).
fn levels(leaves: Vec<Fr>, height: usize, base: usize) -> Vec<Vec<Fr>> {
    let z = zero_hashes();
    let mut out = vec![leaves];
    for l in 0..height {
        let below = &out[l];
        let n = below.len().div_ceil(ARITY).max(1);
        let next = (0..n)
            .map(|i| {
                let mut c = [z[base + l]; ARITY];
                for (j, slot) in c.iter_mut().enumerate() {
                    if let Some(x) = below.get(i * ARITY + j) {
                        *slot = *x;
                    }
                }
                hash_node(&c)
            })
            .collect();
        out.push(next);
    }
    out
}

/// The siblings of position `index` at each of `levels`' levels but the last.
fn siblings(levels: &[Vec<Fr>], index: u64, base: usize) -> Vec<[Fr; 3]> {
    let z = zero_hashes();
    let mut idx = index as usize;
    let mut out = Vec::with_capacity(levels.len() - 1);
    for (l, nodes) in levels[..levels.len() - 1].iter().enumerate() {
        let first = idx & !3;
        let mut s = [z[base + l]; 3];
        let mut k = 0;
        for i in first..first + ARITY {
            if i != idx {
                if let Some(x) = nodes.get(i) {
                    s[k] = *x;
                }
                k += 1;
            }
        }
        out.push(s);
        idx >>= 2;
    }
    out
}

/// A top or a chunk with its levels hashed, once: its root, and the siblings of any of its
/// positions. A sync hashes a chunk once to check it against the top and to compute the path
/// of the holder's leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subtree {
    levels: Vec<Vec<Fr>>,
    base: usize,
}

impl Subtree {
    fn new(leaves: Vec<Fr>, height: usize, base: usize) -> Self {
        Self {
            levels: levels(leaves, height, base),
            base,
        }
    }

    /// The subtree's root.
    pub fn root(&self) -> Fr {
        self.levels[self.levels.len() - 1][0]
    }

    fn siblings(&self, index: u64) -> Vec<[Fr; 3]> {
        siblings(&self.levels, index, self.base)
    }
}

/// The chunk roots of a publication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Top {
    /// The roots of chunks `0 .. len` (every later chunk is empty).
    pub chunk_roots: Vec<Fr>,
}

impl Top {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(
            TOP_MAGIC,
            self.chunk_roots.len() as u32,
            0,
            &self.chunk_roots,
        )
    }

    /// Reads a top file: at most `4^8` chunk roots, each canonical.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let (n, zero, chunk_roots) = decode(bytes, TOP_MAGIC, "top")?;
        if zero != 0 || u64::from(n) > CHUNKS || n as usize != chunk_roots.len() {
            return Err(bad(format!(
                "top file: header says {n} chunk roots, the file has {}",
                chunk_roots.len()
            )));
        }
        Ok(Self { chunk_roots })
    }

    /// The root of chunk `index` (`Z_8` past the end).
    pub fn chunk_root(&self, index: u32) -> Fr {
        (self.chunk_roots.get(index as usize).copied()).unwrap_or(zero_hashes()[CHUNK_LEVELS])
    }

    /// The top levels of the tree, hashed from these chunk roots.
    pub fn subtree(&self) -> Subtree {
        Subtree::new(self.chunk_roots.clone(), DEPTH - CHUNK_LEVELS, CHUNK_LEVELS)
    }

    /// The tree root these chunk roots hash up to.
    pub fn root(&self) -> Fr {
        self.subtree().root()
    }
}

/// The leaves of one chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// The chunk's index (`0 .. 4^8`).
    pub index: u32,
    /// Its leaves from the first up to the last non-empty one (the rest are 0).
    pub leaves: Vec<Fr>,
}

impl Chunk {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(
            CHUNK_MAGIC,
            self.index,
            self.leaves.len() as u32,
            &self.leaves,
        )
    }

    /// Reads a chunk file: an index below `4^8`, at most `4^8` leaves, each canonical.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let (index, n, leaves) = decode(bytes, CHUNK_MAGIC, "chunk")?;
        if u64::from(index) >= CHUNKS || u64::from(n) > CHUNK_LEAVES || n as usize != leaves.len() {
            return Err(bad(format!(
                "chunk file: index {index} with {n} leaves stated, {} present",
                leaves.len()
            )));
        }
        Ok(Self { index, leaves })
    }

    /// The chunk's levels, hashed from its leaves.
    pub fn subtree(&self) -> Subtree {
        Subtree::new(self.leaves.clone(), CHUNK_LEVELS, 0)
    }

    /// The chunk's root.
    pub fn root(&self) -> Fr {
        self.subtree().root()
    }

    /// The leaf at tree index `index` and its path under `top` (whose entry for this chunk the
    /// caller has compared with [`Chunk::root`]); `None` if `index` is not in this chunk.
    pub fn path(&self, top: &Top, index: LeafIndex) -> Option<(Fr, MerklePath)> {
        self.path_in(&self.subtree(), &top.subtree(), index)
    }

    /// [`Chunk::path`] from levels already hashed: `own` is this chunk's
    /// [`Chunk::subtree`], `top` the top's [`Top::subtree`].
    pub fn path_in(
        &self,
        own: &Subtree,
        top: &Subtree,
        index: LeafIndex,
    ) -> Option<(Fr, MerklePath)> {
        if chunk_of(index) != self.index || own.base != 0 || top.base != CHUNK_LEVELS {
            return None;
        }
        let offset = u64::from(index) % CHUNK_LEAVES;
        let mut all = own.siblings(offset);
        all.extend(top.siblings(u64::from(self.index)));
        let leaf = self
            .leaves
            .get(offset as usize)
            .copied()
            .unwrap_or_default();
        let siblings: [[Fr; 3]; DEPTH] = all.try_into().ok()?;
        Some((leaf, MerklePath { index, siblings }))
    }
}

/// `manifest.json`: what a publication holds and which anchor it is bound to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// [`MANIFEST_VERSION`].
    pub version: u64,
    /// The issuer's DID, as in its credentials.
    pub issuer: String,
    /// The tree root (decimal).
    pub root: String,
    /// Leaves issued so far (the next index).
    pub leaves: u64,
    /// The sequence number of the anchor entry of `root`.
    pub anchor_seq: u64,
    /// When `root` was anchored (Unix seconds).
    pub anchored_at: u64,
    /// The top file.
    pub top: String,
    /// The number of non-empty chunks (`ceil(leaves / 4^8)`), one root each in the top.
    pub chunks: u64,
}

impl Manifest {
    /// The manifest of a publication.
    pub fn new(
        issuer: String,
        root: Fr,
        leaves: u64,
        anchor_seq: u64,
        anchored_at: u64,
        top: &Top,
    ) -> Self {
        Self {
            kind: MANIFEST_TYPE.into(),
            version: MANIFEST_VERSION,
            issuer,
            root: fr_to_string(&root),
            leaves,
            anchor_seq,
            anchored_at,
            top: top_file(&root),
            chunks: top.chunk_roots.len() as u64,
        }
    }

    /// Reads a manifest; refuses another type or version, a non-canonical root, more leaves
    /// than the tree holds and file names other than the ones its content implies.
    pub fn parse(text: &str) -> Result<Self> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| bad(format!("manifest: {e}")))?;
        if m.kind != MANIFEST_TYPE || m.version != MANIFEST_VERSION {
            return Err(bad(
                "manifest: not a zkcred published tree (type/version)".into()
            ));
        }
        crate::did::IssuerDid::parse(&m.issuer).map_err(|e| bad(format!("manifest: {e}")))?;
        let root = m.root()?;
        let chunks = m.leaves.div_ceil(CHUNK_LEAVES);
        if m.leaves > crate::tree::CAPACITY || m.chunks != chunks {
            return Err(bad(format!(
                "manifest: {} leaves make {chunks} chunks, it says {}",
                m.leaves, m.chunks
            )));
        }
        if m.top != top_file(&root) {
            return Err(bad(format!(
                "manifest: the top file is not named by the root: {:?}",
                m.top
            )));
        }
        Ok(m)
    }

    /// The root as a field element.
    pub fn root(&self) -> Result<Fr> {
        parse_fr(&self.root)
            .map_err(|_| bad("manifest: the root is not a canonical field element".into()))
    }

    /// The manifest's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks that `top` is this manifest's: it hashes up to the root, and it has exactly one
    /// chunk root per chunk file.
    pub fn check_top(&self, top: &Top) -> Result<()> {
        self.check_top_in(top, &top.subtree())
    }

    /// [`Manifest::check_top`] with the top's levels already hashed (`hashed` is
    /// [`Top::subtree`] of `top`).
    pub fn check_top_in(&self, top: &Top, hashed: &Subtree) -> Result<()> {
        if top.chunk_roots.len() as u64 != self.chunks {
            return Err(bad(format!(
                "top: {} chunk roots for {} chunks",
                top.chunk_roots.len(),
                self.chunks
            )));
        }
        if hashed.root() != self.root()? {
            return Err(bad(
                "top: its chunk roots do not hash up to the manifest's root".into(),
            ));
        }
        Ok(())
    }

    /// The file of chunk `index` under `top` (checked with [`Manifest::check_top`]); `None`
    /// for an empty chunk, which has no file.
    pub fn chunk_file(&self, top: &Top, index: u32) -> Option<String> {
        let root = top.chunk_roots.get(index as usize)?;
        Some(chunk_file(index, root))
    }

    /// Every chunk file of this publication under `top`.
    pub fn chunk_files(&self, top: &Top) -> Vec<String> {
        (top.chunk_roots.iter().enumerate())
            .map(|(i, c)| chunk_file(i as u32, c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::SparseTree;

    /// A tree with leaves at the given indices, and its publication.
    fn published(indices: &[u32]) -> (SparseTree, Top, Vec<Chunk>) {
        let mut tree = SparseTree::new();
        let mut chunks: Vec<Chunk> = Vec::new();
        let last = indices.iter().max().copied().unwrap_or(0);
        for c in 0..=chunk_of(last) {
            chunks.push(Chunk {
                index: c,
                leaves: Vec::new(),
            });
        }
        for &i in indices {
            let leaf = Fr::from(u64::from(i) * 7 + 1);
            tree.set(i, leaf);
            let ch = &mut chunks[chunk_of(i) as usize];
            let off = (u64::from(i) % CHUNK_LEAVES) as usize;
            if ch.leaves.len() <= off {
                ch.leaves.resize(off + 1, Fr::from(0u64));
            }
            ch.leaves[off] = leaf;
        }
        let top = Top {
            chunk_roots: chunks.iter().map(Chunk::root).collect(),
        };
        (tree, top, chunks)
    }

    #[test]
    fn paths_from_the_files_are_the_tree_paths() {
        let indices = [0u32, 1, 5, 65_535, 65_536, 70_000, 3 * 65_536 + 17];
        let (tree, top, chunks) = published(&indices);
        assert_eq!(top.root(), tree.root());
        for &i in &indices {
            let chunk = &chunks[chunk_of(i) as usize];
            let (leaf, path) = chunk.path(&top, i).unwrap();
            assert_eq!(path, tree.path(i), "index {i}");
            assert!(path.verify(leaf, tree.root()));
        }
        // An index in the chunk that was never issued gets leaf 0 and a true path.
        let (leaf, path) = chunks[0].path(&top, 9).unwrap();
        assert_eq!((leaf, path), (Fr::from(0u64), tree.path(9)));
        assert!(chunks[0].path(&top, 65_536).is_none());
        // The empty tree's top is empty and hashes to the empty root.
        assert_eq!(
            Top {
                chunk_roots: vec![]
            }
            .root(),
            zero_hashes()[DEPTH]
        );
    }

    #[test]
    fn files_round_trip_and_malformed_ones_are_refused() {
        let (tree, top, chunks) = published(&[3, 65_540]);
        assert_eq!(Top::parse(&top.to_bytes()).unwrap(), top);
        assert_eq!(Chunk::parse(&chunks[1].to_bytes()).unwrap(), chunks[1]);
        let t = top.to_bytes();
        let mut non_canonical = t.clone();
        non_canonical[HEADER..HEADER + 32].fill(0xff);
        let mut wrong_count = t.clone();
        wrong_count[11] = 9;
        for bad in [
            &t[..HEADER + 31],
            &t[..7],
            &non_canonical[..],
            &wrong_count[..],
            &chunks[0].to_bytes()[..],
        ] {
            assert!(Top::parse(bad).is_err());
        }
        let c = chunks[0].to_bytes();
        let mut far = c.clone();
        far[8..12].copy_from_slice(&(CHUNKS as u32).to_be_bytes());
        for bad in [&c[..c.len() - 1], &far[..], &t[..]] {
            assert!(Chunk::parse(bad).is_err());
        }
        let issuer = crate::did::did_pkh(1, &[0xab; 20]);
        let old_name = Manifest::new("zkcred:issuer:00".into(), tree.root(), 65_541, 0, 1, &top);
        assert!(Manifest::parse(&old_name.to_json()).is_err());
        let m = Manifest::new(issuer, tree.root(), 65_541, 0, 1, &top);
        let back = Manifest::parse(&m.to_json()).unwrap();
        assert_eq!(back, m);
        back.check_top(&top).unwrap();
        assert_eq!(
            back.chunk_file(&top, 1).unwrap(),
            chunk_file(1, &chunks[1].root())
        );
        let other = Top {
            chunk_roots: vec![top.chunk_roots[0], Fr::from(1u64)],
        };
        assert!(back.check_top(&other).is_err());
        assert!(back.chunk_file(&top, 2).is_none());
        let mut short = m.clone();
        short.chunks -= 1;
        assert!(Manifest::parse(&short.to_json()).is_err());
        let mut renamed = m;
        renamed.top = "top/x.bin".into();
        assert!(Manifest::parse(&renamed.to_json()).is_err());
    }
}
