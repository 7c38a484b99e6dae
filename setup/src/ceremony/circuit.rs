//! The credential circuit's R1CS, column by column, as ark-groth16's generator sees it.
//!
//! Synthesis mirrors `Groth16::generate_parameters_with_qap`: a fresh constraint system with
//! `OptimizationGoal::Constraints`, `SynthesisMode::Setup`, `finalize()` (which inlines linear
//! combinations), then the matrices of the R1CS predicate. Variable `j < num_instance` is an
//! instance variable (`0` is the constant one), the rest are witness variables, in ark's order.

use super::error::CeremonyError;
use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode, R1CS_PREDICATE_LABEL,
};
use sha2::{Digest, Sha256};
use zkcred_circuits::CredentialCircuit;

/// The non-zero entries of one variable's column: `(row, coefficient)`.
pub type Column = Vec<(usize, Fr)>;

/// The R1CS of the credential circuit by columns, with its QAP domain.
pub struct Qap {
    /// Constraints `m`.
    pub num_constraints: usize,
    /// Instance variables including the constant one (`ℓ + 1`).
    pub num_instance: usize,
    /// Witness variables.
    pub num_witness: usize,
    /// The evaluation domain: the smallest power of two `≥ m + ℓ + 1` (ark-groth16's
    /// `LibsnarkReduction` appends one row per instance variable).
    pub domain: GeneralEvaluationDomain<Fr>,
    /// Columns of `A`, `B`, `C`, one per variable.
    pub columns: [Vec<Column>; 3],
    /// SHA-256 of the matrices (identifies the circuit in the transcript).
    pub digest: [u8; 32],
}

impl Qap {
    /// Synthesizes [`CredentialCircuit::blank`].
    pub fn credential() -> Result<Self, CeremonyError> {
        Self::from_circuit(CredentialCircuit::blank())
    }

    /// Synthesizes any circuit the way ark-groth16's generator does.
    pub fn from_circuit<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Self, CeremonyError> {
        let synth =
            |e: ark_relations::gr1cs::SynthesisError| CeremonyError::Synthesis(e.to_string());
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        circuit.generate_constraints(cs.clone()).map_err(synth)?;
        cs.finalize();
        let num_constraints = cs.num_constraints();
        let num_instance = cs.num_instance_variables();
        let num_witness = cs.num_witness_variables();
        let matrices = cs.to_matrices().map_err(synth)?;
        let matrices = matrices
            .get(R1CS_PREDICATE_LABEL)
            .filter(|m| m.len() == 3)
            .ok_or_else(|| CeremonyError::Synthesis("no R1CS predicate".into()))?;
        let domain = GeneralEvaluationDomain::<Fr>::new(num_constraints + num_instance)
            .ok_or_else(|| CeremonyError::Synthesis("circuit too large for BN254".into()))?;
        let num_vars = num_instance + num_witness;
        let mut hasher = Sha256::new();
        hasher.update(b"zkcred-ceremony/r1cs/v1");
        for n in [num_constraints, num_instance, num_witness] {
            hasher.update((n as u64).to_le_bytes());
        }
        let mut columns: [Vec<Column>; 3] = Default::default();
        for (k, matrix) in matrices.iter().enumerate() {
            columns[k] = vec![Vec::new(); num_vars];
            for (row, terms) in matrix.iter().enumerate() {
                for &(coeff, var) in terms {
                    if var >= num_vars {
                        return Err(CeremonyError::Synthesis(format!(
                            "variable {var} out of range"
                        )));
                    }
                    columns[k][var].push((row, coeff));
                    hasher.update([k as u8]);
                    hasher.update((row as u64).to_le_bytes());
                    hasher.update((var as u64).to_le_bytes());
                    hasher.update(coeff.into_bigint().to_bytes_le());
                }
            }
        }
        Ok(Qap {
            num_constraints,
            num_instance,
            num_witness,
            domain,
            columns,
            digest: hasher.finalize().into(),
        })
    }

    /// `log2` of the domain size.
    pub fn log_domain(&self) -> u32 {
        self.domain.log_size_of_group() as u32
    }
}
