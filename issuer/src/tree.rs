//! The durable tree: updating a run of consecutive leaves and reading paths.
//!
//! The layout is `core::tree`'s: node `(l+1, i) = H((l, 4i), (l, 4i+1), (l, 4i+2), (l, 4i+3))`,
//! with absent nodes standing for the zero hash `Z_l`. Setting the leaves `first .. first + n`
//! recomputes, level by level, only the ancestors of those leaves: at level `l` the changed
//! nodes are again one run, `first >> 2l ..= (first + n - 1) >> 2l`, and each parent is hashed
//! once however many of its children changed. Only the children at the two ends of a run can lie
//! outside it, so a level costs at most 6 point reads. For one leaf this is 16 hashes and at most
//! 17 node writes; for a batch of `n` consecutive leaves about `n/3` hashes and `4n/3` writes.

use crate::error::Result;
use crate::tables::{fr_to_bytes, read_node};
use rayon::prelude::*;
use redb::{ReadableTable, Table};
use zkcred_core::tree::{hash_node, zero_hashes, MerklePath, ARITY, DEPTH};
use zkcred_core::Fr;

/// Below this many parents a level is hashed on the calling thread.
const PARALLEL_MIN: usize = 64;

/// Sets leaves `first .. first + leaves.len()` and every ancestor; returns the new root.
///
/// The caller checks that the run fits the tree (`first + leaves.len() <= 4^16`). Nodes equal to their level's zero hash are
/// removed rather than stored.
pub fn set_run(nodes: &mut Table<(u8, u64), [u8; 32]>, first: u64, leaves: Vec<Fr>) -> Result<Fr> {
    if leaves.is_empty() {
        return read_node(nodes, DEPTH, 0);
    }
    let mut lo = first;
    let mut run = leaves;
    for (level, zero) in zero_hashes().iter().enumerate() {
        for (k, v) in run.iter().enumerate() {
            let key = (level as u8, lo + k as u64);
            if v == zero {
                nodes.remove(key)?;
            } else {
                nodes.insert(key, fr_to_bytes(v))?;
            }
        }
        if level == DEPTH {
            break;
        }
        let hi = lo + run.len() as u64; // exclusive
        let (plo, phi) = (lo >> 2, (hi - 1) >> 2);
        let mut groups = Vec::with_capacity((phi - plo + 1) as usize);
        for p in plo..=phi {
            let mut children = [Fr::from(0u64); ARITY];
            for (j, c) in children.iter_mut().enumerate() {
                let i = 4 * p + j as u64;
                *c = if (lo..hi).contains(&i) {
                    run[(i - lo) as usize]
                } else {
                    read_node(nodes, level, i)?
                };
            }
            groups.push(children);
        }
        run = if groups.len() < PARALLEL_MIN {
            groups.iter().map(hash_node).collect()
        } else {
            groups.par_iter().map(hash_node).collect()
        };
        lo = plo;
    }
    Ok(run[0])
}

/// The authentication path of leaf `index` (48 point reads).
pub fn read_path(
    nodes: &impl ReadableTable<(u8, u64), [u8; 32]>,
    index: u32,
) -> Result<MerklePath> {
    let mut siblings = [[Fr::from(0u64); 3]; DEPTH];
    let mut idx = u64::from(index);
    for (level, sibs) in siblings.iter_mut().enumerate() {
        let first = idx & !3;
        let mut k = 0;
        for i in first..first + ARITY as u64 {
            if i != idx {
                sibs[k] = read_node(nodes, level, i)?;
                k += 1;
            }
        }
        idx >>= 2;
    }
    Ok(MerklePath { index, siblings })
}
