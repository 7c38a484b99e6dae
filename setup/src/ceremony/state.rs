//! The ceremony as typestate: each step consumes the previous state, so steps cannot run out of
//! order.
//!
//! ```text
//! init ──► Ceremony<Open> ──contribute──► Ceremony<Open>
//!                 │
//!                 └──beacon──► Ceremony<Sealed> ──verify(ptau)──► Ceremony<Verified> ──finalize──► keys
//! ```
//!
//! Only an open ceremony accepts contributions and a beacon; only a sealed one can be verified
//! into [`Verified`], which holds the verified final key; only that can be finalized, and it
//! writes exactly the key that was verified (the params file is not read again).
//!
//! A sealed ceremony takes no contribution:
//!
//! ```compile_fail,E0599
//! # use zkcred_setup::ceremony::{Ceremony, Sealed};
//! fn more(c: Ceremony<Sealed>) {
//!     c.contribute("mallory", None);
//! }
//! ```
//!
//! and an unverified one cannot be finalized:
//!
//! ```compile_fail,E0599
//! # use zkcred_setup::ceremony::{Ceremony, Sealed};
//! fn skip(c: Ceremony<Sealed>) {
//!     c.finalize(std::path::Path::new("keys"));
//! }
//! ```
//!
//! while the steps in order compile:
//!
//! ```no_run
//! # use zkcred_setup::ceremony::{Ceremony, CeremonyError, Open};
//! # use std::path::Path;
//! # fn run(ptau: &Path, dir: &Path) -> Result<String, CeremonyError> {
//! let (c, _) = Ceremony::<Open>::init(ptau, dir)?;
//! let (c, receipt) = c.contribute("alice", Some("dice: 6 2 5"))?;
//! println!("alice publishes {}", receipt.hash);
//! let (sealed, _) = c.beacon(b"block 19000000 hash", 10)?;
//! sealed.verify(ptau)?.finalize(Path::new("keys"))
//! # }
//! ```

use super::error::CeremonyError;
use super::init::initial_key;
use super::params;
use super::phase1::Phase1;
use super::pok::PokContext;
use super::secret::{Secret, MAX_BEACON_EXP};
use super::transcript::{
    hash_from_hex, point_hex, BeaconRecord, CircuitRecord, Kind, Phase1Record, PokRecord, Record,
    Transcript, TYPE, VERSION,
};
use super::update;
use super::verify::{check_records, verify_dir, Report};
use super::Qap;
use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use std::path::{Path, PathBuf};

/// The most contributions a ceremony directory holds (`params_0000` … `params_9999`).
pub const MAX_CONTRIBUTIONS: u32 = 9999;
/// The longest contributor name, in bytes.
pub const MAX_NAME: usize = 128;

/// A ceremony directory in state `S`.
#[derive(Debug)]
pub struct Ceremony<S> {
    dir: PathBuf,
    transcript: Transcript,
    state: S,
}

/// Accepting contributions.
#[derive(Debug)]
pub struct Open(());

/// Sealed by a beacon: only verification and finalization remain.
#[derive(Debug)]
pub struct Sealed(());

/// Sealed and verified against the ptau; holds the verified final key.
pub struct Verified {
    key: ProvingKey<Bn254>,
    report: Report,
}

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

/// A ceremony directory as found on disk.
#[derive(Debug)]
pub enum Stage {
    /// Accepting contributions.
    Open(Ceremony<Open>),
    /// Sealed by a beacon.
    Sealed(Ceremony<Sealed>),
}

/// What a contributor (or the coordinator) gets back from a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The contribution's index.
    pub index: u32,
    /// The contributor's name.
    pub name: String,
    /// The contribution's hash, hex: publish it, so anyone can find it in the transcript.
    pub hash: String,
}

impl Stage {
    /// Opens the ceremony in `dir` (reads the transcript; checks nothing cryptographic).
    pub fn open(dir: &Path) -> Result<Self, CeremonyError> {
        let transcript = Transcript::load(dir)?;
        let dir = dir.to_path_buf();
        Ok(if transcript.is_sealed() {
            Stage::Sealed(Ceremony {
                dir,
                transcript,
                state: Sealed(()),
            })
        } else {
            Stage::Open(Ceremony {
                dir,
                transcript,
                state: Open(()),
            })
        })
    }
}

impl<S> Ceremony<S> {
    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The transcript.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Verifies everything in the directory so far against the ptau (any stage); fails without
    /// a participant's contribution.
    pub fn check(&self, ptau: &Path) -> Result<Report, CeremonyError> {
        Ok(verify_dir(ptau, &self.dir, &self.transcript)?.0)
    }
}

fn receipt(r: &Record) -> Receipt {
    Receipt {
        index: r.index,
        name: r.name.clone(),
        hash: r.hash.clone(),
    }
}

fn check_name(name: &str) -> Result<(), CeremonyError> {
    if name.trim().is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(CeremonyError::InvalidArgument(format!(
            "contributor name must be 1..={MAX_NAME} bytes without control characters"
        )));
    }
    Ok(())
}

impl Ceremony<Open> {
    /// Starts a ceremony in `dir` (created if absent; refused if it holds a transcript):
    /// computes contribution 0 from the ptau and writes `params_0000.bin` and the transcript.
    pub fn init(ptau: &Path, dir: &Path) -> Result<(Self, Receipt), CeremonyError> {
        if Transcript::path(dir).exists() {
            return Err(CeremonyError::AlreadyInitialized(dir.to_path_buf()));
        }
        let qap = Qap::credential()?;
        let p1 = Phase1::load(ptau, qap.log_domain())?;
        let pk = initial_key(&qap, &p1)?;
        std::fs::create_dir_all(dir).map_err(CeremonyError::io(dir))?;
        let params_sha256 = params::write(dir, 0, &pk)?;
        let mut record = Record {
            index: 0,
            kind: Kind::Init,
            name: "init".into(),
            prev: hex::encode([0u8; 32]),
            params_sha256: hex::encode(params_sha256),
            delta_g1: point_hex(&pk.delta_g1),
            pok: None,
            beacon: None,
            hash: String::new(),
        };
        record.seal();
        let transcript = Transcript {
            kind: TYPE.into(),
            version: VERSION,
            circuit: CircuitRecord::of(&qap),
            phase1: Phase1Record {
                power: p1.power,
                ceremony_power: p1.ceremony_power,
            },
            contributions: vec![record],
        };
        transcript.save(dir)?;
        let r = receipt(&transcript.contributions[0]);
        Ok((
            Ceremony {
                dir: dir.to_path_buf(),
                transcript,
                state: Open(()),
            },
            r,
        ))
    }

    /// Adds a contribution with a fresh secret from the OS RNG mixed with `entropy`.
    /// The secret is wiped before this returns.
    pub fn contribute(
        mut self,
        name: &str,
        entropy: Option<&str>,
    ) -> Result<(Self, Receipt), CeremonyError> {
        check_name(name)?;
        let prev = prev_hash(&self.transcript)?;
        let d = Secret::generate(entropy, &prev);
        let r = self.add(Kind::Contribution, name, &d, None)?;
        Ok((self, r))
    }

    /// Seals the ceremony with a contribution whose secret is derived from the public `beacon`
    /// by `2^iterations_exp` rounds of SHA-256 (see `secret`). Refused
    /// ([`CeremonyError::NoSecretContribution`]) before any participant has contributed: a
    /// beacon adds no secret, so the sealed key would be forgeable.
    pub fn beacon(
        mut self,
        beacon: &[u8],
        iterations_exp: u32,
    ) -> Result<(Ceremony<Sealed>, Receipt), CeremonyError> {
        self.transcript.expect_secret_contribution()?;
        if beacon.is_empty() || iterations_exp > MAX_BEACON_EXP {
            return Err(CeremonyError::InvalidArgument(format!(
                "the beacon must be non-empty and iterations_exp at most {MAX_BEACON_EXP}"
            )));
        }
        let prev = prev_hash(&self.transcript)?;
        let d = Secret::from_beacon(beacon, iterations_exp, &prev);
        let record = BeaconRecord {
            value: hex::encode(beacon),
            iterations_exp,
        };
        let r = self.add(Kind::Beacon, "beacon", &d, Some(record))?;
        Ok((
            Ceremony {
                dir: self.dir,
                transcript: self.transcript,
                state: Sealed(()),
            },
            r,
        ))
    }

    fn add(
        &mut self,
        kind: Kind,
        name: &str,
        d: &Secret,
        beacon: Option<BeaconRecord>,
    ) -> Result<Receipt, CeremonyError> {
        let t = &self.transcript;
        let last = t.last()?;
        let index = last.index + 1;
        if index > MAX_CONTRIBUTIONS {
            return Err(CeremonyError::InvalidArgument(
                "too many contributions".into(),
            ));
        }
        let circuit = hash_from_hex(&t.circuit.digest)
            .ok_or_else(|| CeremonyError::InvalidTranscript("bad circuit digest".into()))?;
        let prev = prev_hash(t)?;
        let (mut pk, sha) = params::read(&self.dir, last.index)?;
        if hex::encode(sha) != last.params_sha256 {
            return Err(CeremonyError::ParamsHashMismatch { index: last.index });
        }
        update::apply(&mut pk, d);
        let pok = PokContext {
            circuit: &circuit,
            prev_hash: &prev,
            index,
            name,
            delta_g1: &pk.delta_g1,
            delta_g2: &pk.vk.delta_g2,
        }
        .prove(d);
        // Refuse to write over a transcript that changed on disk since it was read.
        if Transcript::load(&self.dir)? != *t {
            return Err(CeremonyError::InvalidTranscript(
                "changed on disk during the contribution".into(),
            ));
        }
        let params_sha256 = params::write(&self.dir, index, &pk)?;
        let mut record = Record {
            index,
            kind,
            name: name.into(),
            prev: last.hash.clone(),
            params_sha256: hex::encode(params_sha256),
            delta_g1: point_hex(&pk.delta_g1),
            pok: Some(PokRecord {
                s: point_hex(&pok.s),
                s_d: point_hex(&pok.s_d),
            }),
            beacon,
            hash: String::new(),
        };
        record.seal();
        let r = receipt(&record);
        self.transcript.contributions.push(record);
        self.transcript.save(&self.dir)?;
        Ok(r)
    }
}

fn prev_hash(t: &Transcript) -> Result<[u8; 32], CeremonyError> {
    let last = t.last()?;
    check_records(t)?;
    hash_from_hex(&last.hash).ok_or(CeremonyError::ContributionHashMismatch { index: last.index })
}

impl Ceremony<Sealed> {
    /// Verifies the whole ceremony against the ptau (see `verify`).
    pub fn verify(self, ptau: &Path) -> Result<Ceremony<Verified>, CeremonyError> {
        let (report, key) = verify_dir(ptau, &self.dir, &self.transcript)?;
        Ok(Ceremony {
            dir: self.dir,
            transcript: self.transcript,
            state: Verified { key, report },
        })
    }
}

impl Ceremony<Verified> {
    /// The verification report.
    pub fn report(&self) -> &Report {
        &self.state.report
    }

    /// The verified final proving key.
    pub fn key(&self) -> &ProvingKey<Bn254> {
        &self.state.key
    }

    /// Writes the verified final key as a keys directory (`crate::keys::write_keys`); returns
    /// the circuit id.
    pub fn finalize(self, out_dir: &Path) -> Result<String, CeremonyError> {
        Ok(crate::keys::write_keys(out_dir, &self.state.key)?)
    }
}
