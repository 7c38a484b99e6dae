//! Holder public key and leaf commitment gadgets, mirroring [`zkcred_core::credential`].

use crate::poseidon;
use crate::FrVar;
use ark_relations::gr1cs::SynthesisError;
use zkcred_core::schema::SLOTS;

/// `hpk = H(s)`.
pub fn holder_public_key(secret: &FrVar) -> Result<FrVar, SynthesisError> {
    poseidon::hash(std::slice::from_ref(secret))
}

/// `leaf = H(hpk, a_0, .., a_7, r)`.
pub fn leaf_commitment(
    hpk: &FrVar,
    attributes: &[FrVar; SLOTS],
    salt: &FrVar,
) -> Result<FrVar, SynthesisError> {
    let mut inputs = Vec::with_capacity(SLOTS + 2);
    inputs.push(hpk.clone());
    inputs.extend_from_slice(attributes);
    inputs.push(salt.clone());
    poseidon::hash(&inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::test_util::*;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use ark_std::UniformRand;
    use rand::SeedableRng;
    use zkcred_core::credential::{leaf_commitment as native_leaf, Attributes, HolderSecret};
    use zkcred_core::Fr;

    #[test]
    fn native_equals_gadget_in_every_mode() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
        for mode in MODES {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let secret = HolderSecret::random(&mut rng);
            let mut a = [Fr::from(0u64); SLOTS];
            for (i, x) in a.iter_mut().enumerate() {
                *x = if i < 6 {
                    Fr::from(20080229u64 + i as u64)
                } else {
                    Fr::rand(&mut rng)
                };
            }
            let attrs = Attributes::new(a).unwrap();
            let salt = Fr::rand(&mut rng);
            let s = alloc(&cs, secret.expose(), mode);
            let hpk = holder_public_key(&s).unwrap();
            assert_eq!(hpk.value().unwrap(), secret.public_key());
            let av = a.map(|x| alloc(&cs, x, mode));
            let leaf = leaf_commitment(&hpk, &av, &alloc(&cs, salt, mode)).unwrap();
            assert_eq!(
                leaf.value().unwrap(),
                native_leaf(secret.public_key(), &attrs, salt)
            );
            assert!(cs.is_satisfied().unwrap());
        }
    }
}
