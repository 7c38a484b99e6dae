//! `transcript.json`: the public record of a ceremony, a hash chain of contributions.
//!
//! Each record's `hash` is SHA-256 over a fixed binary encoding of the record
//! (see [`Record::digest`]): the index, kind, name, previous hash, the SHA-256 of its params file,
//! its proof of knowledge and beacon. Each record names the previous hash, and the proof of
//! knowledge is bound to it, so no record can be removed, reordered or replaced without breaking
//! the chain or a proof.

use super::circuit::Qap;
use super::error::CeremonyError;
use super::pok::ProofOfKnowledge;
use ark_bn254::G1Affine;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The transcript's file name.
pub const FILE: &str = "transcript.json";
/// The `type` field.
pub const TYPE: &str = "zkcred-ceremony";
/// The format version.
pub const VERSION: u32 = 1;

/// What kind of step made a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Contribution 0, derived from phase 1 (`δ = 1`).
    Init,
    /// A participant's secret contribution.
    Contribution,
    /// The final, public contribution derived from a random beacon.
    Beacon,
}

/// The circuit the ceremony is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitRecord {
    /// Constraints.
    pub constraints: usize,
    /// Instance variables, including the constant one.
    pub instance_variables: usize,
    /// Witness variables.
    pub witness_variables: usize,
    /// `log2` of the QAP domain.
    pub domain_log2: u32,
    /// SHA-256 of the constraint matrices, hex.
    pub digest: String,
}

impl CircuitRecord {
    /// The record for `qap`.
    pub fn of(qap: &Qap) -> Self {
        CircuitRecord {
            constraints: qap.num_constraints,
            instance_variables: qap.num_instance,
            witness_variables: qap.num_witness,
            domain_log2: qap.log_domain(),
            digest: hex::encode(qap.digest),
        }
    }
}

/// The phase-1 file the ceremony started from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase1Record {
    /// The ptau's power.
    pub power: u32,
    /// The ptau's ceremony power.
    pub ceremony_power: u32,
}

/// A proof of knowledge as recorded: compressed points, hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PokRecord {
    /// `s`.
    pub s: String,
    /// `s·d`.
    pub s_d: String,
}

/// A beacon as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeaconRecord {
    /// The beacon value, hex.
    pub value: String,
    /// `2^iterations_exp` SHA-256 rounds.
    pub iterations_exp: u32,
}

/// One contribution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Its index (0 for init).
    pub index: u32,
    /// What made it.
    pub kind: Kind,
    /// The contributor's name.
    pub name: String,
    /// The previous record's hash (64 zeros for contribution 0), hex.
    pub prev: String,
    /// SHA-256 of `params_NNNN.bin`, hex.
    pub params_sha256: String,
    /// The new `δ·G1` (compressed, hex), for reading; the params file is authoritative.
    pub delta_g1: String,
    /// The proof of knowledge (none for contribution 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pok: Option<PokRecord>,
    /// The beacon (beacon contributions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon: Option<BeaconRecord>,
    /// This record's hash, hex: what a participant publishes.
    pub hash: String,
}

/// The whole transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// Always [`TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The circuit.
    pub circuit: CircuitRecord,
    /// The phase-1 file.
    pub phase1: Phase1Record,
    /// The contributions, in order.
    pub contributions: Vec<Record>,
}

/// Decodes 64 hex digits.
pub fn hash_from_hex(s: &str) -> Option<[u8; 32]> {
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

/// Hex of a compressed point.
pub fn point_hex<T: CanonicalSerialize>(p: &T) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = p.serialize_compressed(&mut out);
    hex::encode(out)
}

/// Parses a compressed point, validated.
pub fn point_from_hex<T: CanonicalDeserialize>(s: &str) -> Option<T> {
    T::deserialize_compressed(&hex::decode(s).ok()?[..]).ok()
}

impl Record {
    /// The record's hash: SHA-256 over the domain tag, the index, kind, name, previous hash,
    /// params hash, `δ·G1`, proof of knowledge and beacon, each length-prefixed.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        let mut field = |b: &[u8]| {
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        };
        field(b"zkcred-ceremony/record/v1");
        field(&self.index.to_le_bytes());
        field(&[self.kind as u8]);
        field(self.name.as_bytes());
        field(self.prev.as_bytes());
        field(self.params_sha256.as_bytes());
        field(self.delta_g1.as_bytes());
        if let Some(p) = &self.pok {
            field(p.s.as_bytes());
            field(p.s_d.as_bytes());
        }
        if let Some(b) = &self.beacon {
            field(b.value.as_bytes());
            field(&b.iterations_exp.to_le_bytes());
        }
        h.finalize().into()
    }

    /// Sets `hash` to [`Self::digest`].
    pub fn seal(&mut self) {
        self.hash = hex::encode(self.digest());
    }

    /// The parsed proof of knowledge.
    pub fn proof(&self) -> Result<ProofOfKnowledge, CeremonyError> {
        let bad = |reason: &str| CeremonyError::MalformedRecord {
            index: self.index,
            reason: reason.into(),
        };
        let p = self
            .pok
            .as_ref()
            .ok_or_else(|| bad("no proof of knowledge"))?;
        Ok(ProofOfKnowledge {
            s: point_from_hex::<G1Affine>(&p.s).ok_or_else(|| bad("bad point s"))?,
            s_d: point_from_hex::<G1Affine>(&p.s_d).ok_or_else(|| bad("bad point s·d"))?,
        })
    }
}

impl Transcript {
    /// The transcript's path in `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(FILE)
    }

    /// Reads `dir/transcript.json`.
    pub fn load(dir: &Path) -> Result<Self, CeremonyError> {
        let p = Self::path(dir);
        let bytes = std::fs::read(&p).map_err(CeremonyError::io(&p))?;
        Self::from_json(&bytes)
    }

    /// Parses transcript text: the fixed `type` and `version`, at least one contribution.
    pub fn from_json(bytes: &[u8]) -> Result<Self, CeremonyError> {
        let t: Transcript = serde_json::from_slice(bytes)
            .map_err(|e| CeremonyError::InvalidTranscript(e.to_string()))?;
        if t.kind != TYPE || t.version != VERSION {
            return Err(CeremonyError::InvalidTranscript(format!(
                "expected type {TYPE:?} version {VERSION}"
            )));
        }
        if t.contributions.is_empty() {
            return Err(CeremonyError::InvalidTranscript("no contributions".into()));
        }
        Ok(t)
    }

    /// The transcript text (indented JSON, ending with a newline).
    pub fn to_json(&self) -> Result<String, CeremonyError> {
        let mut json = serde_json::to_string_pretty(self)
            .map_err(|e| CeremonyError::InvalidTranscript(e.to_string()))?;
        json.push('\n');
        Ok(json)
    }

    /// Writes `dir/transcript.json` atomically.
    pub fn save(&self, dir: &Path) -> Result<(), CeremonyError> {
        crate::keys::write_file(&Self::path(dir), self.to_json()?.as_bytes(), 0o644)?;
        Ok(())
    }

    /// The last record.
    pub fn last(&self) -> Result<&Record, CeremonyError> {
        self.contributions
            .last()
            .ok_or_else(|| CeremonyError::InvalidTranscript("no contributions".into()))
    }

    /// Whether a beacon has sealed the ceremony.
    pub fn is_sealed(&self) -> bool {
        self.contributions
            .last()
            .is_some_and(|r| r.kind == Kind::Beacon)
    }

    /// The number of participants' secret contributions (neither init nor the beacon, whose
    /// secrets are public).
    pub fn secret_contributions(&self) -> usize {
        self.contributions
            .iter()
            .filter(|r| r.kind == Kind::Contribution)
            .count()
    }

    /// Fails with [`CeremonyError::NoSecretContribution`] unless some participant contributed a
    /// secret: without one, the key's `δ` is derived from public values only.
    pub fn expect_secret_contribution(&self) -> Result<(), CeremonyError> {
        if self.secret_contributions() == 0 {
            return Err(CeremonyError::NoSecretContribution);
        }
        Ok(())
    }

    /// Checks the transcript is for `qap`.
    pub fn check_circuit(&self, qap: &Qap) -> Result<(), CeremonyError> {
        let ours = CircuitRecord::of(qap);
        if self.circuit != ours {
            return Err(CeremonyError::CircuitMismatch(format!(
                "transcript has {:?}, this build has {:?}",
                self.circuit, ours
            )));
        }
        Ok(())
    }
}
