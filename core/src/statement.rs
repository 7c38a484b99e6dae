//! The credential statement: its public inputs, its private witness, and a native check of
//! every claim the circuit enforces.
//!
//! Public inputs, in this order ([`PublicInputs::to_field_elements`], pinned by a test):
//!
//! | # | input |
//! | --- | --- |
//! | 0 | `root` |
//! | 1 | `nullifier = H(s, scope)` |
//! | 2 | `scope` |
//! | 3 | `message` |
//! | 4 | `flags = mask + 2^8 * set_slot + 2^11 * set_mode` |
//! | 5..11 | `lo[0..6]` |
//! | 11..17 | `hi[0..6]` |
//! | 17..25 | `set[0..8]` |
//! | 25..33 | `disclosed[0..8]` |
//!
//! `set_mode` is 0 (off), 1 (in) or 2 (not in); when off, `set_slot` and `set` are 0.

use crate::credential::{leaf_commitment, Attributes, HolderSecret};
use crate::encoding::fr_to_u64;
use crate::nullifier::nullifier;
use crate::policy::{CompiledPolicy, SetMode, SetPredicate, SET_SIZE};
use crate::schema::{NUMERIC_SLOTS, SLOTS};
use crate::tree::MerklePath;
use crate::Fr;
use ark_ff::Zero;
use thiserror::Error;

/// Number of public inputs.
pub const NUM_PUBLIC_INPUTS: usize = 33;
/// Bits of the packed `flags` input.
pub const FLAG_BITS: usize = 13;

/// Index of each public input.
pub mod index {
    /// `root`.
    pub const ROOT: usize = 0;
    /// `nullifier`.
    pub const NULLIFIER: usize = 1;
    /// `scope`.
    pub const SCOPE: usize = 2;
    /// `message`.
    pub const MESSAGE: usize = 3;
    /// `flags`.
    pub const FLAGS: usize = 4;
    /// First `lo`.
    pub const LO: usize = 5;
    /// First `hi`.
    pub const HI: usize = 11;
    /// First set value.
    pub const SET: usize = 17;
    /// First disclosed value.
    pub const DISCLOSED: usize = 25;
}

/// Packs the disclosure mask and the set predicate's slot and mode.
pub fn pack_flags(mask: u8, set: Option<&SetPredicate>) -> u64 {
    let (slot, mode) = set.map_or((0, 0), |s| (s.slot() as u64, s.mode().code()));
    mask as u64 | slot << 8 | mode << 11
}

/// The public inputs of one credential proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicInputs {
    /// The anchored tree root.
    pub root: Fr,
    /// `H(s, scope)`.
    pub nullifier: Fr,
    /// The platform's scope hash.
    pub scope: Fr,
    /// The request's message hash.
    pub message: Fr,
    /// The compiled policy.
    pub policy: CompiledPolicy,
    /// Disclosed attribute values (0 where not disclosed).
    pub disclosed: [Fr; SLOTS],
}

impl PublicInputs {
    /// The set values padded to 8 by repeating the first (all 0 when there is no set predicate).
    pub fn set_values(&self) -> [Fr; SET_SIZE] {
        match &self.policy.set {
            None => [Fr::zero(); SET_SIZE],
            Some(s) => {
                let first = s.values().first().copied().unwrap_or_default();
                std::array::from_fn(|i| s.values().get(i).copied().unwrap_or(first))
            }
        }
    }

    /// The packed flags.
    pub fn flags(&self) -> u64 {
        pack_flags(self.policy.disclose_mask, self.policy.set.as_ref())
    }

    /// The 33 public inputs in circuit order.
    pub fn to_field_elements(&self) -> Vec<Fr> {
        let mut v = Vec::with_capacity(NUM_PUBLIC_INPUTS);
        v.extend([self.root, self.nullifier, self.scope, self.message]);
        v.push(Fr::from(self.flags()));
        v.extend(self.policy.lo.iter().map(|x| Fr::from(*x)));
        v.extend(self.policy.hi.iter().map(|x| Fr::from(*x)));
        v.extend(self.set_values());
        v.extend(self.disclosed);
        debug_assert_eq!(v.len(), NUM_PUBLIC_INPUTS);
        v
    }
}

/// The holder's private witness.
#[derive(Clone, Debug)]
pub struct Witness {
    /// The holder secret `s`.
    pub secret: HolderSecret,
    /// The attributes.
    pub attributes: Attributes,
    /// The leaf salt `r`.
    pub salt: Fr,
    /// The leaf's authentication path.
    pub path: MerklePath,
}

impl Witness {
    /// `H(H(s), a, r)`.
    pub fn leaf(&self) -> Fr {
        leaf_commitment(self.secret.public_key(), &self.attributes, self.salt)
    }

    /// The public inputs this witness proves for `root`, `scope`, `message` and `policy`: the
    /// nullifier `H(s, scope)` and the values disclosed under the policy's mask.
    pub fn public_inputs(
        &self,
        root: Fr,
        scope: Fr,
        message: Fr,
        policy: CompiledPolicy,
    ) -> PublicInputs {
        PublicInputs {
            root,
            nullifier: nullifier(&self.secret, scope),
            scope,
            message,
            disclosed: self.disclosed(policy.disclose_mask),
            policy,
        }
    }

    /// The values disclosed under `mask`.
    pub fn disclosed(&self, mask: u8) -> [Fr; SLOTS] {
        std::array::from_fn(|i| {
            if mask & (1 << i) != 0 {
                self.attributes.values()[i]
            } else {
                Fr::zero()
            }
        })
    }
}

/// A claim of the statement that a witness fails.
///
/// Shown to the holder only (it may name their own attribute values).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The credential's leaf does not hash up its path to the root.
    #[error("membership: the credential is not a leaf under root {0} (revoked, or a path for another root)")]
    NotInTree(String),
    /// The nullifier is not `H(s, scope)`.
    #[error("nullifier: the nullifier is not H(secret, scope)")]
    Nullifier,
    /// A numeric attribute is not below 2^64.
    #[error("range: attribute {slot} is not a 64-bit integer")]
    NotNumeric {
        /// The slot.
        slot: usize,
    },
    /// A numeric attribute lies outside `[lo, hi]`.
    #[error("range: attribute {slot} = {value} is outside [{lo}, {hi}]")]
    OutOfRange {
        /// The slot.
        slot: usize,
        /// The attribute's value.
        value: u64,
        /// Lower bound.
        lo: u64,
        /// Upper bound.
        hi: u64,
    },
    /// The set predicate fails.
    #[error("set: attribute {slot} is {} the requested set", if *.member { "in" } else { "not in" })]
    Set {
        /// The slot.
        slot: usize,
        /// Whether the attribute is in the set.
        member: bool,
    },
    /// A disclosed value differs from the attribute, or a hidden one is not 0.
    #[error(
        "disclosure: public value for attribute {slot} does not match the mask and credential"
    )]
    Disclosure {
        /// The slot.
        slot: usize,
    },
}

/// Checks every claim of the statement natively, in the circuit's order.
pub fn check_satisfaction(public: &PublicInputs, w: &Witness) -> Result<(), Violation> {
    // Membership.
    if !w.path.verify(w.leaf(), public.root) {
        return Err(Violation::NotInTree(crate::encoding::fr_to_string(
            &public.root,
        )));
    }
    // Nullifier integrity.
    if nullifier(&w.secret, public.scope) != public.nullifier {
        return Err(Violation::Nullifier);
    }
    // Ranges.
    let a = w.attributes.values();
    for (slot, attribute) in a.iter().enumerate().take(NUMERIC_SLOTS) {
        let value = fr_to_u64(attribute).ok_or(Violation::NotNumeric { slot })?;
        let (lo, hi) = (public.policy.lo[slot], public.policy.hi[slot]);
        if value < lo || value > hi {
            return Err(Violation::OutOfRange {
                slot,
                value,
                lo,
                hi,
            });
        }
    }
    // Set predicate.
    if let Some(s) = &public.policy.set {
        let member = (a.get(s.slot())).is_some_and(|x| s.values().contains(x));
        if member != (s.mode() == SetMode::In) {
            return Err(Violation::Set {
                slot: s.slot(),
                member,
            });
        }
    }
    // Disclosure.
    let expected = w.disclosed(public.policy.disclose_mask);
    if let Some(slot) = (0..SLOTS).find(|i| expected[*i] != public.disclosed[*i]) {
        return Err(Violation::Disclosure { slot });
    }
    Ok(())
}
