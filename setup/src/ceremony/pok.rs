//! Proof of knowledge of a contribution's secret `d` (BGM17 §3, as in snarkjs's phase 2).
//!
//! A merlin transcript binds the ceremony's circuit, the previous contribution's hash, the
//! contribution's index and name and its new `δ·G1`, `δ·G2`. It is hashed to a point
//! `s ∈ G1` whose discrete logarithm nobody knows. The contributor publishes `(s, s·d)`; a
//! verifier recomputes `s` and checks
//!
//! ```text
//! e(s, δ'·G2) = e(s·d, δ·G2)
//! ```
//!
//! i.e. `δ' = d·δ` for the `d` with which `s·d` was made. Under the knowledge-of-exponent
//! assumption in the random-oracle model only someone who knows `d` can make `s·d` for a fresh
//! `s`, so each contribution's secret is known to (and only to) its contributor, and the proof
//! cannot be replayed in another ceremony or at another place in the chain.
//!
//! Hash to G1 is try-and-increment (the inputs are public): `x = challenge mod q` for counter
//! `0, 1, …` until `x³ + 3` is a square, `y` the larger root. BN254's G1 has cofactor 1.

use super::secret::Secret;
use ark_bn254::{Fq, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::PrimeField;
use ark_serialize::CanonicalSerialize;
use merlin::Transcript;

/// What a proof of knowledge is bound to.
pub struct PokContext<'a> {
    /// The circuit digest.
    pub circuit: &'a [u8; 32],
    /// The previous contribution's hash.
    pub prev_hash: &'a [u8; 32],
    /// This contribution's index.
    pub index: u32,
    /// The contributor's name.
    pub name: &'a str,
    /// The new `δ·G1`.
    pub delta_g1: &'a G1Affine,
    /// The new `δ·G2`.
    pub delta_g2: &'a G2Affine,
}

/// A proof of knowledge: `s` (recomputable from the context) and `s·d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofOfKnowledge {
    /// `s = hash_to_g1(context)`.
    pub s: G1Affine,
    /// `s·d`.
    pub s_d: G1Affine,
}

impl PokContext<'_> {
    /// `s`: the context hashed to G1.
    pub fn base(&self) -> G1Affine {
        let mut t = Transcript::new(b"zkcred-ceremony/pok/v1");
        t.append_message(b"circuit", self.circuit);
        t.append_message(b"prev", self.prev_hash);
        t.append_u64(b"index", u64::from(self.index));
        t.append_message(b"name", self.name.as_bytes());
        t.append_message(b"delta_g1", &compressed(self.delta_g1));
        t.append_message(b"delta_g2", &compressed(self.delta_g2));
        hash_to_g1(&mut t)
    }

    /// Proves knowledge of `d`.
    pub fn prove(&self, d: &Secret) -> ProofOfKnowledge {
        let s = self.base();
        ProofOfKnowledge {
            s,
            s_d: (s * d.scalar()).into_affine(),
        }
    }

    /// Checks a proof against the previous `δ·G2` (the new one is in the context).
    pub fn verify(&self, pok: &ProofOfKnowledge, prev_delta_g2: &G2Affine) -> bool {
        let s = self.base();
        pok.s == s
            && !pok.s_d.is_zero()
            && super::ratio::same_ratio(s, *self.delta_g2, pok.s_d, *prev_delta_g2)
    }
}

fn compressed<T: CanonicalSerialize>(p: &T) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = p.serialize_compressed(&mut out);
    out
}

fn hash_to_g1(t: &mut Transcript) -> G1Affine {
    for counter in 0u64.. {
        let mut c = t.clone();
        c.append_u64(b"counter", counter);
        let mut bytes = [0u8; 64];
        c.challenge_bytes(b"x", &mut bytes);
        let x = Fq::from_le_bytes_mod_order(&bytes);
        if let Some(p) = G1Affine::get_point_from_x_unchecked(x, true) {
            return p;
        }
    }
    unreachable!("about half of all x give a point")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_verifies_only_for_its_context_and_secret() {
        let d = Secret::from_beacon(b"t", 1, &[0; 32]);
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        let new1 = (g1 * d.scalar()).into_affine();
        let new2 = (g2 * d.scalar()).into_affine();
        let ctx = PokContext {
            circuit: &[1; 32],
            prev_hash: &[2; 32],
            index: 1,
            name: "alice",
            delta_g1: &new1,
            delta_g2: &new2,
        };
        let pok = ctx.prove(&d);
        assert!(pok.s.is_on_curve());
        assert!(ctx.verify(&pok, &g2));
        let other = PokContext { index: 2, ..ctx };
        assert!(!other.verify(&pok, &g2));
        let wrong = ProofOfKnowledge {
            s: pok.s,
            s_d: (pok.s_d + g1).into_affine(),
        };
        let ctx = PokContext { index: 1, ..other };
        assert!(!ctx.verify(&wrong, &g2));
    }
}
