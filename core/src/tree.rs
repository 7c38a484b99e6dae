//! The issuer's 4-ary Poseidon Merkle tree.
//!
//! Depth [`DEPTH`] = 16 and arity 4 give `4^16 = 2^32` leaves. A node is
//! `H(c0, c1, c2, c3)`; an empty leaf is `0`, and an empty subtree of height `l` is the zero hash
//! `Z_l` with `Z_0 = 0`, `Z_{l+1} = H(Z_l, Z_l, Z_l, Z_l)`.
//!
//! Leaf `i` sits at position `pos_l = (i >> 2l) & 3` among its siblings at level `l` (level 0 is
//! the leaf level). A [`MerklePath`] stores, per level, the three siblings in child order with
//! the current node's position left out; the position itself comes from the leaf index.

use crate::error::{Error, Result};
use crate::poseidon;
use crate::Fr;
use ark_ff::Zero;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Number of levels between a leaf and the root.
pub const DEPTH: usize = 16;
/// Children per node.
pub const ARITY: usize = 4;
/// Number of leaves, `4^16`.
pub const CAPACITY: u64 = 1 << (2 * DEPTH);

/// A leaf's index in the tree (`0 .. 2^32`).
pub type LeafIndex = u32;

/// `H(c0, c1, c2, c3)`.
pub fn hash_node(children: &[Fr; ARITY]) -> Fr {
    poseidon::hash(children)
}

/// The zero hashes `Z_0 ..= Z_16`; `Z_16` is the root of the empty tree.
pub fn zero_hashes() -> &'static [Fr; DEPTH + 1] {
    static Z: OnceLock<[Fr; DEPTH + 1]> = OnceLock::new();
    Z.get_or_init(|| {
        let mut z = [Fr::zero(); DEPTH + 1];
        for l in 0..DEPTH {
            z[l + 1] = hash_node(&[z[l]; ARITY]);
        }
        z
    })
}

/// The position (0..4) of leaf `index`'s ancestor at `level` among its siblings.
pub fn position(index: LeafIndex, level: usize) -> usize {
    ((index >> (2 * level)) & 3) as usize
}

/// Places `current` at `pos` among the three `siblings` (in child order), giving all 4 children.
pub fn place(pos: usize, current: Fr, siblings: &[Fr; 3]) -> [Fr; ARITY] {
    let mut out = [Fr::zero(); ARITY];
    let mut s = siblings.iter();
    for (j, o) in out.iter_mut().enumerate() {
        *o = if j == pos {
            current
        } else {
            *s.next()
                .expect("three siblings fill the other three places")
        };
    }
    out
}

/// The authentication path of one leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerklePath {
    /// The leaf's index; its base-4 digits are the positions per level.
    pub index: LeafIndex,
    /// Per level (leaf level first), the three siblings in child order without the current node.
    #[serde(with = "siblings_serde")]
    pub siblings: [[Fr; 3]; DEPTH],
}

impl MerklePath {
    /// The root obtained by hashing `leaf` up this path.
    pub fn root(&self, leaf: Fr) -> Fr {
        let mut cur = leaf;
        for (level, sibs) in self.siblings.iter().enumerate() {
            cur = hash_node(&place(position(self.index, level), cur, sibs));
        }
        cur
    }

    /// Whether `leaf` hashes up this path to `root`.
    pub fn verify(&self, leaf: Fr, root: Fr) -> bool {
        self.root(leaf) == root
    }
}

mod siblings_serde {
    use super::*;
    use crate::encoding::{fr_to_string, parse_fr};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        v: &[[Fr; 3]; DEPTH],
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let strings: Vec<[String; 3]> = v.iter().map(|l| l.each_ref().map(fr_to_string)).collect();
        strings.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<[[Fr; 3]; DEPTH], D::Error> {
        let v = Vec::<[String; 3]>::deserialize(d)?;
        if v.len() != DEPTH {
            return Err(serde::de::Error::custom(format!(
                "a Merkle path has {DEPTH} levels, got {}",
                v.len()
            )));
        }
        let mut out = [[Fr::zero(); 3]; DEPTH];
        for (o, l) in out.iter_mut().zip(&v) {
            for (x, s) in o.iter_mut().zip(l) {
                *x = parse_fr(s).map_err(serde::de::Error::custom)?;
            }
        }
        Ok(out)
    }
}

/// An in-memory sparse tree: only non-empty nodes are stored.
///
/// Updating a leaf costs `DEPTH` hashes. The issuer's durable tree keeps the same node layout in
/// its database; this one serves tests, the demo and tools.
#[derive(Clone, Debug, Default)]
pub struct SparseTree {
    /// `levels[l]` maps a node's index at level `l` to its value, if not the zero hash.
    levels: Vec<HashMap<u64, Fr>>,
}

impl SparseTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self {
            levels: vec![HashMap::new(); DEPTH + 1],
        }
    }

    /// The node at `level` and `index` (level 0 = leaves).
    pub fn node(&self, level: usize, index: u64) -> Fr {
        self.levels[level]
            .get(&index)
            .copied()
            .unwrap_or(zero_hashes()[level])
    }

    /// The current root.
    pub fn root(&self) -> Fr {
        self.node(DEPTH, 0)
    }

    /// Sets leaf `index` to `leaf` and updates its ancestors.
    pub fn set(&mut self, index: LeafIndex, leaf: Fr) {
        let mut idx = index as u64;
        let mut cur = leaf;
        for level in 0..=DEPTH {
            if cur == zero_hashes()[level] {
                self.levels[level].remove(&idx);
            } else {
                self.levels[level].insert(idx, cur);
            }
            if level == DEPTH {
                break;
            }
            let first = idx & !3;
            let children: [Fr; ARITY] = std::array::from_fn(|j| self.node(level, first + j as u64));
            cur = hash_node(&children);
            idx >>= 2;
        }
    }

    /// The authentication path of leaf `index`.
    pub fn path(&self, index: LeafIndex) -> MerklePath {
        let mut siblings = [[Fr::zero(); 3]; DEPTH];
        let mut idx = index as u64;
        for (level, sibs) in siblings.iter_mut().enumerate() {
            let first = idx & !3;
            let mut k = 0;
            for j in 0..ARITY as u64 {
                if first + j != idx {
                    sibs[k] = self.node(level, first + j);
                    k += 1;
                }
            }
            idx >>= 2;
        }
        MerklePath { index, siblings }
    }
}

/// Checks that a leaf index fits the tree.
pub fn check_index(index: u64) -> Result<LeafIndex> {
    LeafIndex::try_from(index).map_err(|_| {
        Error::Tree(format!(
            "leaf index {index} is beyond the tree's {CAPACITY} leaves"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn empty_tree_root_is_top_zero_hash() {
        assert_eq!(SparseTree::new().root(), zero_hashes()[DEPTH]);
    }

    #[test]
    fn paths_hash_to_the_root_and_not_elsewhere() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let mut t = SparseTree::new();
        let idx = [0u32, 1, 5, 4095, 65536, u32::MAX];
        let leaves: Vec<Fr> = idx.iter().map(|_| Fr::rand(&mut rng)).collect();
        for (i, l) in idx.iter().zip(&leaves) {
            t.set(*i, *l);
        }
        for (i, l) in idx.iter().zip(&leaves) {
            let p = t.path(*i);
            assert!(p.verify(*l, t.root()));
            assert!(!p.verify(*l + Fr::from(1u64), t.root()));
            let mut wrong_index = p.clone();
            wrong_index.index ^= 1;
            assert!(!wrong_index.verify(*l, t.root()));
        }
        // An empty slot proves the zero leaf.
        assert!(t.path(2).verify(Fr::zero(), t.root()));
        // Revoking (setting back to zero) restores the previous root.
        let before = t.root();
        t.set(7, Fr::from(9u64));
        assert_ne!(t.root(), before);
        t.set(7, Fr::zero());
        assert_eq!(t.root(), before);
    }

    #[test]
    fn path_json_round_trip() {
        let mut t = SparseTree::new();
        t.set(17, Fr::from(5u64));
        let p = t.path(17);
        let s = serde_json::to_string(&p).unwrap();
        let q: MerklePath = serde_json::from_str(&s).unwrap();
        assert_eq!(p, q);
    }
}
