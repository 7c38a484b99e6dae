//! The set predicate: one attribute, chosen by a 3-bit slot index, is (or is not) in a public
//! list of 8 values.
//!
//! - selection: an 8-to-1 multiplexer over the attributes, 7 constraints;
//! - `d = prod_j (x - set_j)`, 7 constraints; `d = 0` iff `x` is in the set;
//! - membership: `in * d = 0`, 1 constraint;
//! - non-membership: `d * w = not_in` for a witness `w` (`1/d`, or 0 when `not_in = 0`), 1
//!   constraint: when `not_in = 1` it forces `d != 0`.
//!
//! With both mode bits 0 the predicate is off and any assignment satisfies it; both bits 1 is
//! unsatisfiable, so no policy can encode it usefully.

use crate::FrVar;
use ark_ff::Field;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::SynthesisError;
use zkcred_core::policy::SET_SIZE;
use zkcred_core::schema::SLOTS;
use zkcred_core::Fr;

/// Constraints of [`enforce_set_predicate`] with non-constant inputs.
pub const SET_CONSTRAINTS: usize = 16;

/// `values[b0 + 2 b1 + 4 b2]`, 7 constraints.
pub fn select(values: &[FrVar; SLOTS], bits: &[Boolean<Fr>; 3]) -> Result<FrVar, SynthesisError> {
    let mut layer: Vec<FrVar> = values.to_vec();
    for bit in bits {
        let b = FrVar::from(bit.clone());
        layer = layer
            .chunks(2)
            .map(|p| &p[0] + &b * (&p[1] - &p[0]))
            .collect();
    }
    Ok(layer.swap_remove(0))
}

/// Enforces the set predicate on `attributes[slot]` under the mode bits.
pub fn enforce_set_predicate(
    attributes: &[FrVar; SLOTS],
    slot_bits: &[Boolean<Fr>; 3],
    is_in: &Boolean<Fr>,
    is_not_in: &Boolean<Fr>,
    set: &[FrVar; SET_SIZE],
) -> Result<(), SynthesisError> {
    let x = select(attributes, slot_bits)?;
    let mut d = &x - &set[0];
    for s in &set[1..] {
        d *= &x - s;
    }
    // Membership.
    crate::enforce_product(&d, &FrVar::from(is_in.clone()), &FrVar::zero())?;
    // Non-membership.
    let w_value = || -> Result<Fr, SynthesisError> {
        Ok(match is_not_in.value()? {
            true => d.value()?.inverse().unwrap_or(Fr::from(0u64)),
            false => Fr::from(0u64),
        })
    };
    let cs = d.cs().or(is_not_in.cs());
    let w = if cs.is_none() {
        FrVar::constant(w_value()?)
    } else {
        FrVar::new_witness(cs, w_value)?
    };
    crate::enforce_product(&d, &w, &FrVar::from(is_not_in.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::test_util::*;
    use ark_r1cs_std::alloc::AllocationMode;
    use ark_relations::gr1cs::ConstraintSystem;

    fn holds(attrs: [u64; 8], slot: usize, mode: u8, set: [u64; 8], m: AllocationMode) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = attrs.map(|x| alloc(&cs, Fr::from(x), m));
        let bits = [0, 1, 2]
            .map(|i| Boolean::new_variable(cs.clone(), || Ok(slot >> i & 1 == 1), m).unwrap());
        let is_in = Boolean::new_variable(cs.clone(), || Ok(mode & 1 == 1), m).unwrap();
        let is_not_in = Boolean::new_variable(cs.clone(), || Ok(mode & 2 == 2), m).unwrap();
        let s = set.map(|x| alloc(&cs, Fr::from(x), m));
        match enforce_set_predicate(&a, &bits, &is_in, &is_not_in, &s) {
            Ok(()) => cs.is_satisfied().unwrap(),
            Err(_) => false,
        }
    }

    #[test]
    fn native_equals_gadget_in_every_mode() {
        let attrs = [1, 20080229, 20310101, 156, 110105, 1, 77, 0];
        let set = [156, 344, 446, 156, 156, 156, 156, 156];
        for m in MODES {
            for slot in 0..8 {
                let member = set.contains(&attrs[slot]);
                assert!(holds(attrs, slot, 0, set, m), "off always holds");
                assert_eq!(
                    holds(attrs, slot, 1, set, m),
                    member,
                    "in, slot {slot} {m:?}"
                );
                assert_eq!(
                    holds(attrs, slot, 2, set, m),
                    !member,
                    "not in, slot {slot} {m:?}"
                );
                assert!(!holds(attrs, slot, 3, set, m), "both modes never hold");
            }
        }
    }

    #[test]
    fn cost() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let m = AllocationMode::Witness;
        let a = [0u64; 8].map(|x| alloc(&cs, Fr::from(x), m));
        let bits = [0, 1, 2].map(|_| Boolean::new_witness(cs.clone(), || Ok(false)).unwrap());
        let b = Boolean::new_witness(cs.clone(), || Ok(false)).unwrap();
        let s = [1u64; 8].map(|x| alloc(&cs, Fr::from(x), m));
        let before = cs.num_constraints();
        enforce_set_predicate(&a, &bits, &b, &b, &s).unwrap();
        assert_eq!(cs.num_constraints() - before, SET_CONSTRAINTS);
    }
}
