//! A contribution's secret `d` ("toxic waste"): drawn, used and wiped in memory.
//!
//! [`Secret`] never reaches disk, logs or `Debug` output, and its scalar is zeroized on drop
//! (so are the seed bytes it came from).
//!
//! - **Contribution:** `seed = SHA-256("zkcred-ceremony/entropy/v1" ‖ 64 bytes from the OS ‖
//!   len ‖ participant entropy ‖ previous contribution hash)`, `d` = the first non-zero
//!   `Fr::rand` of `ChaCha20Rng::from_seed(seed)`. The OS randomness alone suffices; the
//!   participant's entropy (keyboard noise, dice) protects against a broken OS RNG.
//! - **Beacon:** `h_0 = beacon bytes`, `h_{k+1} = SHA-256(h_k)` for `2^iterations_exp` rounds,
//!   `seed = SHA-256("zkcred-ceremony/beacon/v1" ‖ h_final ‖ previous contribution hash)`, then as
//!   above. Anyone can recompute it; the iterated hash delays who could bias the beacon.

use ark_bn254::Fr;
use ark_ff::{Field, Zero};
use ark_std::UniformRand;
use rand::rngs::OsRng;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// The largest accepted beacon exponent (`2^63` SHA-256 rounds is already far beyond use).
pub const MAX_BEACON_EXP: u32 = 63;

/// A contribution's secret scalar `d ≠ 0`.
pub struct Secret(Fr);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Secret {
    /// A fresh secret from the OS RNG mixed with the participant's `entropy`, bound to the
    /// previous contribution hash.
    pub fn generate(entropy: Option<&str>, prev_hash: &[u8; 32]) -> Self {
        let mut os = Zeroizing::new([0u8; 64]);
        OsRng.fill_bytes(&mut os[..]);
        let extra = entropy.unwrap_or("").as_bytes();
        let mut h = Sha256::new();
        h.update(b"zkcred-ceremony/entropy/v1");
        h.update(&os[..]);
        h.update((extra.len() as u64).to_le_bytes());
        h.update(extra);
        h.update(prev_hash);
        Self::from_seed(Zeroizing::new(h.finalize().into()))
    }

    /// The public secret of a beacon contribution (see the module docs).
    pub fn from_beacon(beacon: &[u8], iterations_exp: u32, prev_hash: &[u8; 32]) -> Self {
        let mut cur: [u8; 32] = Sha256::digest(beacon).into();
        // h_1 = SHA-256(beacon) is the first round.
        let rounds = 1u64 << iterations_exp.min(MAX_BEACON_EXP);
        for _ in 1..rounds {
            cur = Sha256::digest(cur).into();
        }
        let mut h = Sha256::new();
        h.update(b"zkcred-ceremony/beacon/v1");
        h.update(cur);
        h.update(prev_hash);
        Self::from_seed(Zeroizing::new(h.finalize().into()))
    }

    fn from_seed(seed: Zeroizing<[u8; 32]>) -> Self {
        let mut rng = ChaCha20Rng::from_seed(*seed);
        let mut d = Fr::rand(&mut rng);
        while d.is_zero() {
            d = Fr::rand(&mut rng);
        }
        // Overwrite the generator's state before it is dropped.
        rng = ChaCha20Rng::from_seed([0u8; 32]);
        let _ = rng.next_u32();
        Secret(d)
    }

    /// `d`.
    pub fn scalar(&self) -> &Fr {
        &self.0
    }

    /// `d⁻¹` (zeroized when dropped).
    pub fn inverse(&self) -> Zeroizing<Fr> {
        // d ≠ 0 by construction.
        Zeroizing::new(self.0.inverse().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beacon_is_deterministic_and_debug_hides_the_secret() {
        let a = Secret::from_beacon(b"block 123", 4, &[1; 32]);
        let b = Secret::from_beacon(b"block 123", 4, &[1; 32]);
        let c = Secret::from_beacon(b"block 123", 5, &[1; 32]);
        assert_eq!(a.scalar(), b.scalar());
        assert_ne!(a.scalar(), c.scalar());
        assert_eq!(format!("{a:?}"), "Secret(<redacted>)");
        let g = Secret::generate(Some("x"), &[0; 32]);
        let h = Secret::generate(Some("x"), &[0; 32]);
        assert_ne!(g.scalar(), h.scalar());
        assert_eq!(*g.inverse() * g.scalar(), Fr::from(1u64));
    }
}
