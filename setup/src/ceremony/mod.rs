//! The multi-party trusted setup ceremony for the credential circuit (Groth16 phase 2,
//! Bowe–Gabizon–Miers 2017), on a snarkjs Powers of Tau (phase 1).
//!
//! The five steps, each on a ceremony directory (layout and guarantees in `docs/ceremony.md`):
//!
//! | step | function | typestate |
//! | --- | --- | --- |
//! | init | [`init()`] | [`Ceremony::<Open>::init`] |
//! | contribute | [`contribute`] | [`Ceremony::<Open>::contribute`] |
//! | beacon | [`beacon`] | [`Ceremony::<Open>::beacon`] → [`Ceremony<Sealed>`] |
//! | verify | [`verify()`] | [`Ceremony::<Sealed>::verify`] → [`Ceremony<Verified>`] |
//! | finalize | [`finalize`] | [`Ceremony::<Verified>::finalize`] |
//!
//! Contribution 0 is the proving key with `δ = γ = 1`, computed in the group from phase 1
//! ([`init`](mod@init)); each contribution multiplies `δ` by a secret `d` and the H and L
//! queries by `d⁻¹` ([`update`]) and proves knowledge of `d` ([`pok`]). The final key is an
//! ordinary `ark_groth16::ProvingKey<Bn254>` for `Groth16::<Bn254>` (`LibsnarkReduction`).
//! As long as one contributor destroyed their `d`, nobody knows the final `δ`'s logarithm,
//! and without it nobody can forge proofs. Hence `beacon`, `verify` and `finalize` refuse a
//! transcript without any participant's contribution
//! ([`CeremonyError::NoSecretContribution`]): its `δ` is the beacon's public scalar.

pub mod circuit;
pub mod error;
pub mod init;
pub mod init_check;
pub mod params;
pub mod phase1;
pub mod pok;
pub mod ratio;
pub mod secret;
pub mod state;
pub mod transcript;
pub mod update;
pub mod verify;

pub use circuit::Qap;
pub use error::{CeremonyError, Query};
pub use state::{Ceremony, Open, Receipt, Sealed, Stage, Verified};
pub use verify::{Contributor, Report};

use std::path::Path;

/// `init`: starts a ceremony in `dir` from the ptau (power ≥ 13, prepared for phase 2).
pub fn init(ptau: &Path, dir: &Path) -> Result<Receipt, CeremonyError> {
    Ok(Ceremony::<Open>::init(ptau, dir)?.1)
}

fn open(dir: &Path) -> Result<Ceremony<Open>, CeremonyError> {
    match Stage::open(dir)? {
        Stage::Open(c) => Ok(c),
        Stage::Sealed(_) => Err(CeremonyError::Sealed),
    }
}

/// `contribute`: adds `name`'s contribution to the open ceremony in `dir`, with a secret from
/// the OS RNG mixed with the optional `entropy`. Returns the hash to publish.
pub fn contribute(dir: &Path, name: &str, entropy: Option<&str>) -> Result<Receipt, CeremonyError> {
    Ok(open(dir)?.contribute(name, entropy)?.1)
}

/// `beacon`: seals the ceremony in `dir` with the public beacon `beacon_hex` (hex bytes, e.g. a
/// future block hash announced in advance) hashed `2^iterations_exp` times. Refused before the
/// first participant's contribution.
pub fn beacon(dir: &Path, beacon_hex: &str, iterations_exp: u32) -> Result<Receipt, CeremonyError> {
    let value = hex::decode(beacon_hex.trim())
        .map_err(|e| CeremonyError::InvalidArgument(format!("beacon is not hex: {e}")))?;
    Ok(open(dir)?.beacon(&value, iterations_exp)?.1)
}

/// `verify`: checks the whole ceremony in `dir` from scratch against the ptau, open or sealed;
/// returns the contributors with their hashes. Refused without a participant's contribution.
pub fn verify(ptau: &Path, dir: &Path) -> Result<Report, CeremonyError> {
    match Stage::open(dir)? {
        Stage::Open(c) => c.check(ptau),
        Stage::Sealed(c) => c.check(ptau),
    }
}

/// `finalize`: verifies the sealed ceremony in `dir` against the ptau and writes the verified
/// key to `out_keys_dir` as `setup dev` does. Returns the circuit id. Refuses an open ceremony.
pub fn finalize(ptau: &Path, dir: &Path, out_keys_dir: &Path) -> Result<String, CeremonyError> {
    match Stage::open(dir)? {
        Stage::Open(_) => Err(CeremonyError::NotSealed),
        Stage::Sealed(c) => c.verify(ptau)?.finalize(out_keys_dir),
    }
}
