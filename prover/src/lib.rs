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
pub mod keys;

use ark_bn254::{Bn254, Fr};
use ark_groth16::ProvingKey;
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
use zkcred_core::error::{Classify, ErrorKind};
use zkcred_core::statement::{check_satisfaction, PublicInputs, Violation, Witness};
use zkcred_verifier::{Proof, VerifyingKey};

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

impl Classify for ProveError {
    /// A claim the credential does not satisfy is a rejection; everything else is a key (or
    /// a circuit) that cannot be proved with: malformed input.
    fn kind(&self) -> ErrorKind {
        match self {
            ProveError::Unsatisfied(_) => ErrorKind::Rejected,
            _ => ErrorKind::Malformed,
        }
    }
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

/// The credential circuit's constraint system: its matrices and its shape.
pub struct CircuitShape {
    /// `[A, B, C]`, one row per constraint, columns indexing `[1, instance.., witness..]`.
    pub matrices: Vec<Matrix<Fr>>,
    /// Instance variables, including the constant 1.
    pub num_instance: usize,
    /// Witness variables.
    pub num_witness: usize,
    /// Constraints.
    pub num_constraints: usize,
}

impl CircuitShape {
    /// Synthesizes the credential circuit in setup mode and builds its matrices.
    pub fn synthesize() -> Result<Self, ProveError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        CredentialCircuit::blank()
            .generate_constraints(cs.clone())
            .map_err(|e| ProveError::Synthesis(e.to_string()))?;
        cs.finalize();
        let matrices = cs
            .to_matrices()
            .map_err(|e| ProveError::Synthesis(e.to_string()))?
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or_else(|| ProveError::Synthesis("no R1CS matrices".into()))?;
        Ok(Self {
            matrices,
            num_instance: cs.num_instance_variables(),
            num_witness: cs.num_witness_variables(),
            num_constraints: cs.num_constraints(),
        })
    }
}

/// A prover for the credential circuit with its matrices cached.
pub struct Prover {
    pk: ProvingKey<Bn254>,
    vk: VerifyingKey,
    shape: CircuitShape,
}

impl Prover {
    /// Synthesizes the circuit once and checks that `pk` fits it, is safe, and belongs to `vk`
    /// (the verifying key verifiers use, e.g. the keys directory's `verification_key.json`).
    /// [`keys::open`] does the same from a keys directory, without the synthesis once sealed.
    pub fn new(pk: ProvingKey<Bn254>, vk: &VerifyingKey) -> Result<Self, ProveError> {
        Self::from_parts(pk, vk, CircuitShape::synthesize()?)
    }

    /// [`Prover::new`] with the circuit's matrices already built (or read from a sealed keys
    /// directory): the same checks of `pk` against `shape` and `vk`.
    pub fn from_parts(
        pk: ProvingKey<Bn254>,
        vk: &VerifyingKey,
        shape: CircuitShape,
    ) -> Result<Self, ProveError> {
        let vk = key_check::check_key(&pk, vk, &shape)?;
        Ok(Self { pk, vk, shape })
    }

    /// The proving key.
    pub fn proving_key(&self) -> &ProvingKey<Bn254> {
        &self.pk
    }

    /// The verifying key the proving key is paired with.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.vk
    }

    /// The cached constraint matrices `[A, B, C]`.
    pub fn matrices(&self) -> &[Matrix<Fr>] {
        &self.shape.matrices
    }

    /// Number of instance variables (public inputs plus the constant 1).
    pub fn num_instance_variables(&self) -> usize {
        self.shape.num_instance
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.shape.num_constraints
    }

    /// Proves the statement, or names the claim the witness fails. The proof is returned only
    /// once it verifies against the paired verifying key ([`ProveError::ProofDoesNotVerify`]).
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        public: &PublicInputs,
        witness: &Witness,
        rng: &mut R,
    ) -> Result<Proof, ProveError> {
        self.prove_timed(public, witness, rng).map(|(p, _)| p)
    }

    /// [`Prover::prove`], also returning the time spent per phase.
    pub fn prove_timed<R: RngCore + CryptoRng>(
        &self,
        public: &PublicInputs,
        witness: &Witness,
        rng: &mut R,
    ) -> Result<(Proof, ProveTimings), ProveError> {
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
            &self.shape.matrices,
            self.shape.num_instance,
            self.shape.num_constraints,
            &assignment,
        )?;
        t.groth16 = start.elapsed();

        let start = Instant::now();
        let proof = key_check::verify_own(&self.vk, public, &proof)?;
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
