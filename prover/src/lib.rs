//! The zkcred prover.
//!
//! [`Prover::new`] synthesizes the credential circuit once, in setup mode, and keeps its
//! constraint matrices beside the proving key. Each [`Prover::prove`] then only checks the
//! statement natively (so a false claim is named before any proving work), generates the witness
//! (`SynthesisMode::Prove { construct_matrices: false }`) and assembles the proof with
//! [`groth16::create_proof`] (ark-groth16's algebra on zkcred's own [`msm`], `docs/msm.md`): no
//! re-synthesis of matrices, no re-inlining of linear combinations per proof. Proving is
//! rayon-parallel: the five MSMs share the cores.
//!
//! The prover does not trust its proving key (`key_check.rs`): [`Prover::new`] takes
//! the verifying key the proving key is paired with and refuses an unsafe or inconsistent pair,
//! and every proof is verified against that verifying key before it is returned.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod key_check;

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Proof, ProvingKey};
use ark_relations::gr1cs::{
    predicate::polynomial_constraint::R1CS_PREDICATE_LABEL, ConstraintSynthesizer,
    ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use ark_relations::utils::matrix::Matrix;
use ark_std::UniformRand;
use rand::{CryptoRng, RngCore};
use std::time::{Duration, Instant};
use thiserror::Error;
use zkcred_circuits::CredentialCircuit;
use zkcred_core::statement::{check_satisfaction, PublicInputs, Violation, Witness};
use zkcred_verifier::{PreparedVerifyingKey, VerifyingKey};

pub mod groth16;
pub mod msm;

/// Why a proof could not be made.
#[derive(Debug, Error)]
pub enum ProveError {
    /// The credential does not satisfy the statement; names the failing claim.
    #[error("the credential does not satisfy the request: {0}")]
    Unsatisfied(#[from] Violation),
    /// The proving key does not fit the credential circuit.
    #[error("the proving key does not fit the credential circuit: {0}")]
    KeyMismatch(String),
    /// The proving key is unsafe to prove with (forgeable, degenerate or inconsistent); names
    /// the part.
    #[error("unsafe proving key: {0}")]
    UnsafeKey(String),
    /// The proving key's verifying key differs from the one it is paired with.
    #[error("the proving key does not belong to the verifying key: {0} differs")]
    KeyPairMismatch(&'static str),
    /// The proof just made does not verify against the verifying key; it is discarded.
    #[error(
        "the proof made with this proving key does not verify against the verifying key \
         (a broken or hostile key); it was discarded"
    )]
    ProofDoesNotVerify,
    /// Constraint synthesis or proving failed.
    #[error("proving failed: {0}")]
    Synthesis(String),
}

/// Time spent in each phase of one proof.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProveTimings {
    /// Native check of every claim.
    pub check: Duration,
    /// Witness generation (synthesis without matrices).
    pub witness: Duration,
    /// The Groth16 prover proper (QAP witness map and MSMs).
    pub groth16: Duration,
    /// Verification of the proof against the verifying key.
    pub verify: Duration,
}

/// A prover for the credential circuit with its matrices cached.
pub struct Prover {
    pk: ProvingKey<Bn254>,
    pvk: PreparedVerifyingKey,
    matrices: Vec<Matrix<Fr>>,
    num_instance_variables: usize,
    num_constraints: usize,
}

impl Prover {
    /// Synthesizes the circuit once and checks that `pk` fits it, is safe, and belongs to `vk`
    /// (the verifying key verifiers use, e.g. the keys directory's `verification_key.json`).
    pub fn new(pk: ProvingKey<Bn254>, vk: &VerifyingKey) -> Result<Self, ProveError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        CredentialCircuit::blank()
            .generate_constraints(cs.clone())
            .map_err(|e| ProveError::Synthesis(e.to_string()))?;
        cs.finalize();
        let num_instance_variables = cs.num_instance_variables();
        let num_constraints = cs.num_constraints();
        let num_witness = cs.num_witness_variables();
        let matrices = cs
            .to_matrices()
            .map_err(|e| ProveError::Synthesis(e.to_string()))?
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or_else(|| ProveError::Synthesis("no R1CS matrices".into()))?;
        let shape = key_check::Shape {
            matrices: &matrices,
            num_instance: num_instance_variables,
            num_witness,
            num_constraints,
        };
        let pvk = key_check::check_key(&pk, vk, &shape)?;
        Ok(Self {
            pk,
            pvk,
            matrices,
            num_instance_variables,
            num_constraints,
        })
    }

    /// The proving key.
    pub fn proving_key(&self) -> &ProvingKey<Bn254> {
        &self.pk
    }

    /// The verifying key the proving key is paired with, prepared.
    pub fn verifying_key(&self) -> &PreparedVerifyingKey {
        &self.pvk
    }

    /// The cached constraint matrices `[A, B, C]`.
    pub fn matrices(&self) -> &[Matrix<Fr>] {
        &self.matrices
    }

    /// Number of instance variables (public inputs plus the constant 1).
    pub fn num_instance_variables(&self) -> usize {
        self.num_instance_variables
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.num_constraints
    }

    /// Proves the statement, or names the claim the witness fails. The proof is returned only
    /// once it verifies against the paired verifying key ([`ProveError::ProofDoesNotVerify`]).
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        public: &PublicInputs,
        witness: &Witness,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, ProveError> {
        self.prove_timed(public, witness, rng).map(|(p, _)| p)
    }

    /// [`Prover::prove`], also returning the time spent per phase.
    pub fn prove_timed<R: RngCore + CryptoRng>(
        &self,
        public: &PublicInputs,
        witness: &Witness,
        rng: &mut R,
    ) -> Result<(Proof<Bn254>, ProveTimings), ProveError> {
        let mut t = ProveTimings::default();
        let start = Instant::now();
        check_satisfaction(public, witness)?;
        t.check = start.elapsed();

        let start = Instant::now();
        let assignment = self.full_assignment(public, witness)?;
        t.witness = start.elapsed();

        let start = Instant::now();
        let (r, s) = (Fr::rand(rng), Fr::rand(rng));
        let proof = groth16::create_proof(
            &self.pk,
            r,
            s,
            &self.matrices,
            self.num_instance_variables,
            self.num_constraints,
            &assignment,
        )?;
        t.groth16 = start.elapsed();

        let start = Instant::now();
        key_check::verify_own(&self.pvk, public, &proof)?;
        t.verify = start.elapsed();
        Ok((proof, t))
    }

    /// `[1, public inputs.., witness..]` by synthesis without matrices.
    pub fn full_assignment(
        &self,
        public: &PublicInputs,
        witness: &Witness,
    ) -> Result<Vec<Fr>, ProveError> {
        let err = |e: ark_relations::gr1cs::SynthesisError| ProveError::Synthesis(e.to_string());
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
            generate_lc_assignments: false,
        });
        CredentialCircuit {
            public: public.clone(),
            witness: witness.clone(),
        }
        .generate_constraints(cs.clone())
        .map_err(err)?;
        let mut assignment = cs.instance_assignment().map_err(err)?;
        assignment.extend(cs.witness_assignment().map_err(err)?);
        Ok(assignment)
    }
}
