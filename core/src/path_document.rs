//! The Merkle path file a holder receives (`docs/formats.md`, "Merkle path").
//!
//! `{"index": 0, "root": "<decimal>", "leaf": "<decimal>", "siblings": [["a","b","c"], ...]}`:
//! `siblings[l]` are the three siblings at level `l` (leaf level first) in child order without
//! the node on the path; `root` is the root the path was taken against.

use crate::encoding::{fr_to_string, parse_fr};
use crate::error::{Error, Result};
use crate::tree::{LeafIndex, MerklePath, DEPTH};
use crate::Fr;
use serde::{Deserialize, Serialize};

/// A Merkle path with the leaf and root it connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathDocument {
    /// The leaf's index.
    pub index: LeafIndex,
    /// The root the path was taken against.
    pub root: Fr,
    /// The leaf at `index` when the path was taken (0 for a revoked or never-issued index).
    pub leaf: Fr,
    /// The path itself.
    pub path: MerklePath,
}

impl Serialize for PathDocument {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_wire().serialize(s)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathJson {
    index: LeafIndex,
    root: String,
    leaf: String,
    siblings: Vec<[String; 3]>,
}

impl PathDocument {
    /// Whether `leaf` hashes up `path` to `root`.
    pub fn verify(&self) -> bool {
        self.path.index == self.index && self.path.verify(self.leaf, self.root)
    }

    /// The document as indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a path always serializes")
    }

    fn to_wire(&self) -> PathJson {
        PathJson {
            index: self.index,
            root: fr_to_string(&self.root),
            leaf: fr_to_string(&self.leaf),
            siblings: self
                .path
                .siblings
                .iter()
                .map(|l| l.each_ref().map(fr_to_string))
                .collect(),
        }
    }

    /// Reads a path file, refusing non-canonical numbers, a wrong number of levels, and a path
    /// that does not lead from `leaf` to `root`.
    pub fn from_json(json: &str) -> Result<Self> {
        let bad = Error::PathDocument;
        let w: PathJson = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        let fr = |s: &str| parse_fr(s).map_err(|e| bad(e.to_string()));
        if w.siblings.len() != DEPTH {
            return Err(bad(format!(
                "{} levels of siblings, expected {DEPTH}",
                w.siblings.len()
            )));
        }
        let mut siblings = [[Fr::from(0u64); 3]; DEPTH];
        for (out, level) in siblings.iter_mut().zip(&w.siblings) {
            for (o, s) in out.iter_mut().zip(level) {
                *o = fr(s)?;
            }
        }
        let doc = Self {
            index: w.index,
            root: fr(&w.root)?,
            leaf: fr(&w.leaf)?,
            path: MerklePath {
                index: w.index,
                siblings,
            },
        };
        if !doc.verify() {
            return Err(bad("the path does not lead from leaf to root".into()));
        }
        Ok(doc)
    }
}
