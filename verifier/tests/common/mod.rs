//! Toy circuits proved with ark-groth16, to cross-test the verifier (dev-dependencies only).
#![allow(dead_code)]

use ark_bn254::{Bn254, Fr};
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_serialize::CanonicalSerialize;
use ark_snark::SNARK;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_verifier::{Proof, VerifyingKey};

pub type ArkGroth16 = ark_groth16::Groth16<Bn254>;
pub type ArkProvingKey = ark_groth16::ProvingKey<Bn254>;
pub type ArkVerifyingKey = ark_groth16::VerifyingKey<Bn254>;
pub type ArkProof = ark_groth16::Proof<Bn254>;

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn get(v: Option<Fr>) -> Result<Fr, SynthesisError> {
    v.ok_or(SynthesisError::AssignmentMissing)
}

/// Knowledge of `x` with `x^3 + x + 5 = y` and `k * x = z`; public inputs `[y, k, z]`.
#[derive(Clone, Copy, Default)]
pub struct Cubic {
    pub x: Option<Fr>,
    pub k: Option<Fr>,
}

impl Cubic {
    pub fn witness(x: u64, k: u64) -> Self {
        Self {
            x: Some(Fr::from(x)),
            k: Some(Fr::from(k)),
        }
    }

    /// The public inputs `[y, k, z]` of an assigned circuit.
    pub fn inputs(&self) -> Vec<Fr> {
        let (x, k) = (self.x.unwrap(), self.k.unwrap());
        vec![x * x * x + x + Fr::from(5u64), k, k * x]
    }
}

impl ConstraintSynthesizer<Fr> for Cubic {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = FpVar::new_witness(cs.clone(), || get(self.x))?;
        let y = FpVar::new_input(cs.clone(), || {
            let x = get(self.x)?;
            Ok(x * x * x + x + Fr::from(5u64))
        })?;
        let k = FpVar::new_input(cs.clone(), || get(self.k))?;
        let z = FpVar::new_input(cs.clone(), || Ok(get(self.k)? * get(self.x)?))?;
        (x.square()? * &x + &x + FpVar::constant(Fr::from(5u64))).enforce_equal(&y)?;
        (&k * &x).enforce_equal(&z)?;
        Ok(())
    }
}

/// Proves knowledge of nothing: each public input equals a witness copy of itself. A proof
/// exists for any input vector, which lets tests make valid proofs for chosen 33-input
/// statements.
#[derive(Clone)]
pub struct Echo {
    pub inputs: Vec<Option<Fr>>,
}

impl Echo {
    pub fn blank(n: usize) -> Self {
        Self {
            inputs: vec![None; n],
        }
    }

    pub fn of(inputs: &[Fr]) -> Self {
        Self {
            inputs: inputs.iter().copied().map(Some).collect(),
        }
    }
}

impl ConstraintSynthesizer<Fr> for Echo {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        for v in self.inputs {
            let public = FpVar::new_input(cs.clone(), || get(v))?;
            let private = FpVar::new_witness(cs.clone(), || get(v))?;
            public.enforce_equal(&private)?;
        }
        Ok(())
    }
}

pub fn setup<C: ConstraintSynthesizer<Fr>>(c: C, seed: u64) -> (ArkProvingKey, ArkVerifyingKey) {
    ArkGroth16::circuit_specific_setup(c, &mut rng(seed)).unwrap()
}

pub fn prove<C: ConstraintSynthesizer<Fr>>(pk: &ArkProvingKey, c: C, seed: u64) -> ArkProof {
    ArkGroth16::prove(pk, c, &mut rng(seed)).unwrap()
}

/// Our key, read from ark-groth16's compressed bytes.
pub fn our_key(vk: &ArkVerifyingKey) -> VerifyingKey {
    let mut bytes = Vec::new();
    vk.serialize_compressed(&mut bytes).unwrap();
    VerifyingKey::from_bytes(&bytes).unwrap()
}

pub fn our_proof(p: &ArkProof) -> Proof {
    Proof::new(p.a, p.b, p.c).unwrap()
}

pub fn ark_verifies(vk: &ArkVerifyingKey, proof: &ArkProof, inputs: &[Fr]) -> bool {
    let pvk = ark_groth16::prepare_verifying_key(vk);
    ArkGroth16::verify_with_processed_vk(&pvk, inputs, proof).unwrap()
}
