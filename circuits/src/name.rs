//! The name-disclosure gadget, mirroring [`zkcred_core::statement::NameWitness`] and
//! [`zkcred_core::name::disclosure`]: when asked, `H(pack, name_salt) = a_6` and
//! `name_disclosure = H(pack, t)`; when not asked, `name_disclosure = 0` and nothing else.

use crate::poseidon;
use crate::FrVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::SynthesisError;

/// `H(pack, salt)`: the name commitment.
pub fn commitment(pack: &FrVar, salt: &FrVar) -> Result<FrVar, SynthesisError> {
    poseidon::hash(&[pack.clone(), salt.clone()])
}

/// `H(pack, t)`: the name disclosure.
pub fn disclosure(pack: &FrVar, t: &FrVar) -> Result<FrVar, SynthesisError> {
    poseidon::hash(&[pack.clone(), t.clone()])
}

/// `asked · (commitment − name_commitment) = 0`: one constraint.
pub fn enforce_opens(
    asked: &Boolean<zkcred_core::Fr>,
    commitment: &FrVar,
    name_commitment: &FrVar,
) -> Result<(), SynthesisError> {
    let opened = commitment - name_commitment;
    crate::enforce_product(&FrVar::from(asked.clone()), &opened, &FrVar::zero())
}

/// `name_disclosure = asked · disclosure`: one constraint.
pub fn enforce_disclosed(
    asked: &Boolean<zkcred_core::Fr>,
    disclosure: &FrVar,
    name_disclosure: &FrVar,
) -> Result<(), SynthesisError> {
    crate::enforce_product(&FrVar::from(asked.clone()), disclosure, name_disclosure)
}

/// Enforces `asked · (H(pack, salt) − name_commitment) = 0` and
/// `name_disclosure = asked · H(pack, t)`: two Poseidon(2) calls and two constraints. The
/// credential circuit makes the same four steps, each in its own layout section.
pub fn enforce_name_disclosure(
    asked: &Boolean<zkcred_core::Fr>,
    pack: &FrVar,
    salt: &FrVar,
    t: &FrVar,
    name_commitment: &FrVar,
    name_disclosure: &FrVar,
) -> Result<(), SynthesisError> {
    enforce_opens(asked, &commitment(pack, salt)?, name_commitment)?;
    enforce_disclosed(asked, &disclosure(pack, t)?, name_disclosure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::test_util::*;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use ark_std::UniformRand;
    use rand::SeedableRng;
    use zkcred_core::name::{name_commitment, NameOpening};
    use zkcred_core::statement::NameWitness;
    use zkcred_core::Fr;

    #[test]
    fn native_equals_gadget_in_every_mode() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
        for mode in MODES {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let opening = NameOpening::random("张伟", &mut rng).unwrap();
            let w = NameWitness::new(&opening, Fr::rand(&mut rng));
            let (pack, salt, t) = (
                alloc(&cs, w.pack, mode),
                alloc(&cs, w.salt, mode),
                alloc(&cs, w.t, mode),
            );
            let c = commitment(&pack, &salt).unwrap();
            assert_eq!(c.value().unwrap(), name_commitment("张伟", w.salt).unwrap());
            assert_eq!(c.value().unwrap(), w.commitment());
            let d = disclosure(&pack, &t).unwrap();
            assert_eq!(d.value().unwrap(), opening.disclosure());
            assert_eq!(d.value().unwrap(), w.disclosure());
            assert!(cs.is_satisfied().unwrap());
        }
    }

    /// The gadget's verdict on `(asked, a_6, name_disclosure)` for the witness of "张伟".
    fn accepts(asked: bool, a6: Fr, public: Fr, w: &NameWitness) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let v = |x: Fr| FrVar::new_witness(cs.clone(), || Ok(x)).unwrap();
        let asked = Boolean::new_witness(cs.clone(), || Ok(asked)).unwrap();
        let public = FrVar::new_input(cs.clone(), || Ok(public)).unwrap();
        enforce_name_disclosure(&asked, &v(w.pack), &v(w.salt), &v(w.t), &v(a6), &public).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn asked_opens_the_commitment_and_outputs_the_disclosure() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(14);
        let opening = NameOpening::random("张伟", &mut rng).unwrap();
        let w = NameWitness::new(&opening, Fr::rand(&mut rng));
        let a6 = w.commitment();
        let d = w.disclosure();
        assert!(accepts(true, a6, d, &w));
        // Another commitment, another disclosure, or 0 while asked: refused.
        assert!(!accepts(true, a6 + Fr::from(1u64), d, &w));
        assert!(!accepts(true, a6, d + Fr::from(1u64), &w));
        assert!(!accepts(true, a6, Fr::from(0u64), &w));
        let other = NameOpening::new("李娜", opening.t()).unwrap().disclosure();
        assert!(!accepts(true, a6, other, &w));
        // Not asked: the disclosure must be 0, and the commitment is not looked at.
        assert!(accepts(false, a6 + Fr::from(1u64), Fr::from(0u64), &w));
        assert!(!accepts(false, a6, d, &w));
    }

    #[test]
    fn cost() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let v = |x: u64| FrVar::new_witness(cs.clone(), || Ok(Fr::from(x))).unwrap();
        let asked = Boolean::new_witness(cs.clone(), || Ok(false)).unwrap();
        let before = cs.num_constraints();
        enforce_name_disclosure(&asked, &v(1), &v(2), &v(3), &v(4), &v(0)).unwrap();
        assert_eq!(cs.num_constraints() - before, 2 * 240 + 2);
    }
}
