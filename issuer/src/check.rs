//! A full consistency check of the stored tree (for operators and tests).
//!
//! Every stored node must be a canonical field element other than its level's zero hash, and
//! every parent of a stored node, and every stored node above the leaves, must equal the hash of
//! its four children. Together this says the stored nodes are exactly the sparse tree of the
//! stored leaves. The root must also be the one the handle has cached, each record's leaf must be
//! in the tree (0 if revoked), there must be no leaf without a record, and the counters must
//! match the records. Cost: one hash per non-empty internal node (about a third of the number of
//! leaves) and one read per record.

use crate::db::IssuerDb;
use crate::error::{IssuerError, Result};
use crate::record::CredentialRecord;
use crate::tables::{fr_from_bytes, read_node, CREDENTIALS, NODES};
use rayon::prelude::*;
use redb::{ReadableDatabase, ReadableTable};
use std::collections::BTreeSet;
use zkcred_core::tree::{hash_node, zero_hashes, ARITY, DEPTH};
use zkcred_core::Fr;

impl IssuerDb {
    /// Recomputes every non-empty internal node from its children and compares it with the
    /// stored one; fails with [`IssuerError::Corrupt`] naming the first bad node.
    pub fn verify_tree(&self) -> Result<()> {
        let txn = self.db.begin_read()?;
        let nodes = txn.open_table(NODES)?;
        let mut below: BTreeSet<u64> = BTreeSet::new();
        for level in 0..=DEPTH {
            // The nodes stored at this level, each checked to be canonical and not a zero hash.
            let mut here = BTreeSet::new();
            for entry in nodes.range((level as u8, 0u64)..=(level as u8, u64::MAX))? {
                let (k, v) = entry?;
                let index = k.value().1;
                if fr_from_bytes(&v.value())? == zero_hashes()[level] {
                    return Err(corrupt(level, index, "a zero hash is stored"));
                }
                here.insert(index);
            }
            if level > 0 {
                // Parents of stored children, and stored nodes whose children are all empty.
                let parents: BTreeSet<u64> = below
                    .iter()
                    .map(|i| i >> 2)
                    .chain(here.iter().copied())
                    .collect();
                let mut groups = Vec::with_capacity(parents.len());
                for &p in &parents {
                    let mut children = [Fr::from(0u64); ARITY];
                    for (j, c) in children.iter_mut().enumerate() {
                        *c = read_node(&nodes, level - 1, 4 * p + j as u64)?;
                    }
                    groups.push((p, children, read_node(&nodes, level, p)?));
                }
                if let Some((p, _, _)) = groups
                    .par_iter()
                    .find_first(|(_, children, stored)| hash_node(children) != *stored)
                {
                    return Err(corrupt(level, *p, "it is not the hash of its children"));
                }
            }
            below = here;
        }
        if read_node(&nodes, DEPTH, 0)? != self.root() {
            return Err(IssuerError::Corrupt(
                "the stored root changed under this handle".into(),
            ));
        }
        let records = txn.open_table(CREDENTIALS)?;
        let (mut issued, mut revoked) = (0u64, 0u64);
        for entry in records.iter()? {
            let (k, v) = entry?;
            let (index, record) = (k.value(), CredentialRecord::from_bytes(v.value())?);
            let expected = if record.is_revoked() {
                revoked += 1;
                Fr::from(0u64)
            } else {
                record.leaf
            };
            if index >= self.next_index() || read_node(&nodes, 0, index)? != expected {
                return Err(corrupt(0, index, "the leaf does not match its record"));
            }
            issued += 1;
        }
        let stored_leaves = nodes.range((0u8, 0u64)..=(0u8, u64::MAX))?.count() as u64;
        if (issued, revoked, stored_leaves) != (self.len(), self.revoked_count(), issued - revoked)
        {
            return Err(IssuerError::Corrupt(format!(
                "{issued} records ({revoked} revoked) and {stored_leaves} leaves, but the counters \
                 say {} issued and {} revoked",
                self.len(),
                self.revoked_count()
            )));
        }
        Ok(())
    }
}

fn corrupt(level: usize, index: u64, what: &str) -> IssuerError {
    IssuerError::Corrupt(format!("tree node (level {level}, index {index}): {what}"))
}
