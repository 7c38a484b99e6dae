//! The nullifier gadget, mirroring [`zkcred_core::nullifier`]: `H(s, scope)`.

use crate::poseidon;
use crate::FrVar;
use ark_relations::gr1cs::SynthesisError;

/// `H(s, scope)`.
pub fn nullifier(secret: &FrVar, scope: &FrVar) -> Result<FrVar, SynthesisError> {
    poseidon::hash(&[secret.clone(), scope.clone()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::test_util::*;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::SeedableRng;
    use zkcred_core::credential::HolderSecret;
    use zkcred_core::scope::scope_hash;
    use zkcred_core::Fr;

    #[test]
    fn native_equals_gadget_in_every_mode() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        for mode in MODES {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let secret = HolderSecret::random(&mut rng);
            let scope = scope_hash("platform-a");
            let n =
                nullifier(&alloc(&cs, secret.expose(), mode), &alloc(&cs, scope, mode)).unwrap();
            assert_eq!(
                n.value().unwrap(),
                zkcred_core::nullifier::nullifier(&secret, scope)
            );
            assert!(cs.is_satisfied().unwrap());
        }
    }
}
