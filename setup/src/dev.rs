//! Single-party development keys.
//!
//! The party that runs this samples the toxic waste `(α, β, γ, δ, τ)`; had it kept them, it
//! could forge a proof of any statement. Use it for development and tests; platforms should
//! trust only keys from a multi-party ceremony (`docs/ceremony.md`).

use crate::error::SetupError;
use ark_bn254::Bn254;
use ark_groth16::{Groth16, ProvingKey};
use ark_snark::SNARK;
use rand::{CryptoRng, RngCore};
use zkcred_circuits::CredentialCircuit;

/// The warning every caller of [`generate`] shows.
pub const WARNING: &str = "WARNING: single-party development keys. Whoever ran `setup dev` \
sampled the toxic waste and, had they kept it, can forge proofs of any statement. Do not \
trust these keys in production; use a multi-party ceremony.";

/// Generates Groth16 keys for the credential circuit. The toxic waste lives only inside
/// ark-groth16's generator and is dropped when it returns.
pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Result<ProvingKey<Bn254>, SetupError> {
    let (pk, _vk) = Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), rng)
        .map_err(|e| SetupError::Synthesis(e.to_string()))?;
    Ok(pk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys;
    use rand::SeedableRng;

    #[test]
    fn keys_are_written_and_a_wrong_circuit_id_is_refused() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let pk = generate(&mut rng).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let id = keys::write_keys(dir.path(), &pk).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(keys::PROVING_KEY))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            keys::read_verifying_key(dir.path()).unwrap().circuit_id(),
            id
        );

        // A circuit id naming another key.
        std::fs::write(
            dir.path().join(keys::CIRCUIT_ID),
            format!("{}\n", "0".repeat(64)),
        )
        .unwrap();
        assert!(matches!(
            keys::read_verifying_key(dir.path()),
            Err(zkcred_verifier::keys::KeysError::Mismatch(_))
        ));
    }
}
