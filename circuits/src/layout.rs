//! Where the credential circuit puts each claim, for the soundness tests.
//!
//! [`CredentialCircuit::synthesize`](crate::CredentialCircuit::synthesize) records, per claim
//! block ("section"), the range of witness variables it allocated and the range of constraints
//! it added. The dishonest-witness tests use it to overwrite chosen witness variables of an
//! honest assignment (a path bit, a range bit, the non-membership inverse, an S-box output) and
//! to name the section of every constraint that then fails. Synthesis wraps each block in
//! [`Layout::section`], so a new gadget or public input is one more section.

use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use std::ops::Range;
use zkcred_core::Fr;

/// One claim block of the circuit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// What the block proves, e.g. `"range"`.
    pub name: &'static str,
    /// Which one of its kind (a slot, a tree level), 0 for a block that occurs once.
    pub item: usize,
    /// Indices of the witness variables it allocated.
    pub witnesses: Range<usize>,
    /// Indices of the constraints it added.
    pub constraints: Range<usize>,
}

/// The sections of one synthesis, in order.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Every section, in synthesis order.
    pub sections: Vec<Section>,
}

impl Layout {
    /// Runs `block` and records what it allocated in `cs` as section `name`/`item`.
    pub fn section<T>(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        name: &'static str,
        item: usize,
        block: impl FnOnce() -> Result<T, SynthesisError>,
    ) -> Result<T, SynthesisError> {
        let (w, c) = (cs.num_witness_variables(), cs.num_constraints());
        let out = block()?;
        self.sections.push(Section {
            name,
            item,
            witnesses: w..cs.num_witness_variables(),
            constraints: c..cs.num_constraints(),
        });
        Ok(out)
    }

    /// The section `name`/`item`.
    pub fn get(&self, name: &str, item: usize) -> Option<&Section> {
        (self.sections.iter()).find(|s| s.name == name && s.item == item)
    }

    /// The section that added constraint `index`.
    pub fn of_constraint(&self, index: usize) -> Option<&Section> {
        (self.sections.iter()).find(|s| s.constraints.contains(&index))
    }
}
