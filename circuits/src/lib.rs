//! R1CS gadgets of zkcred and the one credential circuit.
//!
//! Each gadget mirrors a native item of `zkcred-core` and is tested to agree with it:
//! [`poseidon`] (circomlib Poseidon), [`tree`] (the 4-ary path), [`commitment`] (holder key and
//! leaf), [`nullifier`], [`range`] (64-bit bounds), [`set`] (membership / non-membership),
//! [`name`] (the per-presentation name disclosure), and
//! [`circuit::CredentialCircuit`], which proves the statement of `docs/circuit.md`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod circuit;
pub mod commitment;
#[doc(hidden)]
pub mod layout;
pub mod name;
pub mod nullifier;
pub mod poseidon;
pub mod range;
pub mod set;
pub mod tree;

pub use circuit::CredentialCircuit;

/// The field variable type used throughout.
pub type FrVar = ark_r1cs_std::fields::fp::FpVar<zkcred_core::Fr>;

use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::SynthesisError;

/// `a == b`. Unlike `EqGadget::enforce_equal`, which accepts two unequal constants without a
/// word, a false statement between constants is an error here.
pub fn enforce_equal(a: &FrVar, b: &FrVar) -> Result<(), SynthesisError> {
    if a.is_constant() && b.is_constant() {
        return if a.value()? == b.value()? {
            Ok(())
        } else {
            Err(SynthesisError::Unsatisfiable)
        };
    }
    a.enforce_equal(b)
}

/// `a * b == c`, with the same treatment of constants as [`enforce_equal`].
pub fn enforce_product(a: &FrVar, b: &FrVar, c: &FrVar) -> Result<(), SynthesisError> {
    if a.is_constant() && b.is_constant() && c.is_constant() {
        return if a.value()? * b.value()? == c.value()? {
            Ok(())
        } else {
            Err(SynthesisError::Unsatisfiable)
        };
    }
    a.mul_equals(b, c)
}
