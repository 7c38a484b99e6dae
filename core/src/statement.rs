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
//! | 4 | `flags = mask + 2^8 * set_slot + 2^11 * set_mode + 2^13 * disclose_name` |
//! | 5..11 | `lo[0..6]` |
//! | 11..17 | `hi[0..6]` |
//! | 17..25 | `set[0..8]` |
//! | 25..33 | `disclosed[0..8]` |
//! | 33 | `name_disclosure = H(pack(name), t)`, or 0 when the name is not disclosed |
//!
//! `set_mode` is 0 (off), 1 (in) or 2 (not in); when off, `set_slot` and `set` are 0. Bit
//! [`NAME_SLOT`] of the mask is always 0: the name commitment is never disclosed, the name is
//! disclosed through `name_disclosure` instead (docs/circuit.md).

use crate::credential::{leaf_commitment, Attributes, HolderSecret};
use crate::encoding::fr_to_u64;
use crate::name::{self, NameOpening};
use crate::nullifier::nullifier;
use crate::policy::{CompiledPolicy, SetMode, SetPredicate, SET_SIZE};
use crate::poseidon;
use crate::schema::{NAME_SLOT, NUMERIC_SLOTS, SLOTS};
use crate::tree::MerklePath;
use crate::Fr;
use ark_ff::Zero;
use thiserror::Error;

/// Number of public inputs.
pub const NUM_PUBLIC_INPUTS: usize = 34;
/// Bits of the packed `flags` input.
pub const FLAG_BITS: usize = 14;
/// The `flags` bit that asks for the name disclosure.
pub const DISCLOSE_NAME_BIT: usize = 13;

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
    /// `name_disclosure`.
    pub const NAME_DISCLOSURE: usize = 33;
}

/// Packs the disclosure mask, the set predicate's slot and mode, and the name-disclosure bit.
pub fn pack_flags(mask: u8, set: Option<&SetPredicate>, disclose_name: bool) -> u64 {
    let (slot, mode) = set.map_or((0, 0), |s| (s.slot() as u64, s.mode().code()));
    mask as u64 | slot << 8 | mode << 11 | u64::from(disclose_name) << DISCLOSE_NAME_BIT
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
    /// `H(pack(name), t)` when the policy discloses the name, else 0.
    pub name_disclosure: Fr,
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
        pack_flags(
            self.policy.disclose_mask,
            self.policy.set.as_ref(),
            self.policy.disclose_name,
        )
    }

    /// The 34 public inputs in circuit order.
    pub fn to_field_elements(&self) -> Vec<Fr> {
        let mut v = Vec::with_capacity(NUM_PUBLIC_INPUTS);
        v.extend([self.root, self.nullifier, self.scope, self.message]);
        v.push(Fr::from(self.flags()));
        v.extend(self.policy.lo.iter().map(|x| Fr::from(*x)));
        v.extend(self.policy.hi.iter().map(|x| Fr::from(*x)));
        v.extend(self.set_values());
        v.extend(self.disclosed);
        v.push(self.name_disclosure);
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
    /// The name's witness, present exactly when the policy discloses the name.
    pub name: Option<NameWitness>,
}

/// The private part of a name disclosure: `pack(name)`, the commitment's salt and the
/// per-presentation blinding value `t`.
#[derive(Clone, PartialEq, Eq)]
pub struct NameWitness {
    /// `pack(name)`.
    pub pack: Fr,
    /// The name commitment's salt: `a_6 = H(pack, salt)`.
    pub salt: Fr,
    /// The blinding value: `name_disclosure = H(pack, t)`.
    pub t: Fr,
}

impl std::fmt::Debug for NameWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pack` identifies the name and `salt` opens the credential's name commitment.
        f.write_str("NameWitness { .. }")
    }
}

impl NameWitness {
    /// The witness of `opening` for a credential whose name commitment has salt `salt`.
    pub fn new(opening: &NameOpening, salt: Fr) -> Self {
        Self {
            pack: opening.pack(),
            salt,
            t: opening.t(),
        }
    }

    /// `H(pack, salt)`, the commitment this witness opens.
    pub fn commitment(&self) -> Fr {
        poseidon::hash(&[self.pack, self.salt])
    }

    /// `H(pack, t)`, the name disclosure it proves.
    pub fn disclosure(&self) -> Fr {
        name::disclosure(self.pack, self.t)
    }
}

impl Witness {
    /// `H(H(s), a, r)`.
    pub fn leaf(&self) -> Fr {
        leaf_commitment(self.secret.public_key(), &self.attributes, self.salt)
    }

    /// The public inputs this witness proves for `root`, `scope`, `message` and `policy`: the
    /// nullifier `H(s, scope)`, the values disclosed under the policy's mask and, if the policy
    /// discloses the name, the name disclosure `H(pack, t)`.
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
            name_disclosure: self.name_disclosure(&policy),
            policy,
        }
    }

    /// `H(pack, t)` if `policy` discloses the name (0 without a name witness), else 0.
    pub fn name_disclosure(&self, policy: &CompiledPolicy) -> Fr {
        match (&self.name, policy.disclose_name) {
            (Some(n), true) => n.disclosure(),
            _ => Fr::zero(),
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
    /// The policy discloses the name commitment (slot 6), which is never allowed.
    #[error("disclosure: the name commitment (attribute {NAME_SLOT}) is never disclosed")]
    NameCommitmentDisclosed,
    /// The policy discloses the name but the witness has no name.
    #[error("name: the request asks for the name, and no name opening was given")]
    NameMissing,
    /// The witness carries a name the policy does not ask for.
    #[error("name: the request does not ask for the name, so no name opening may be given")]
    NameNotAsked,
    /// The name witness does not open the credential's name commitment.
    #[error("name: H(pack, name_salt) is not the credential's name commitment")]
    NameCommitment,
    /// The public name disclosure is not `H(pack, t)` (or not 0 when the name is not asked).
    #[error("name: the public name disclosure is not H(pack(name), t)")]
    NameDisclosure,
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
    if public.policy.disclose_mask & (1 << NAME_SLOT) != 0 {
        return Err(Violation::NameCommitmentDisclosed);
    }
    let expected = w.disclosed(public.policy.disclose_mask);
    if let Some(slot) = (0..SLOTS).find(|i| expected[*i] != public.disclosed[*i]) {
        return Err(Violation::Disclosure { slot });
    }
    // Name disclosure.
    match (&w.name, public.policy.disclose_name) {
        (None, true) => return Err(Violation::NameMissing),
        (Some(_), false) => return Err(Violation::NameNotAsked),
        (Some(n), true) => {
            if n.commitment() != a[NAME_SLOT] {
                return Err(Violation::NameCommitment);
            }
            if n.disclosure() != public.name_disclosure {
                return Err(Violation::NameDisclosure);
            }
        }
        (None, false) => {
            if !public.name_disclosure.is_zero() {
                return Err(Violation::NameDisclosure);
            }
        }
    }
    Ok(())
}
