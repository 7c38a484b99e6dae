//! A streaming reader of snarkjs Powers of Tau files (`.ptau`), BN254 only.
//!
//! The format (snarkjs `powersoftau_*.js`, iden3 `binfileutils`): the magic `ptau`, a `u32`
//! version (1), a `u32` section count, then sections, each a `u32` id, a `u64` byte length and
//! the bytes. All integers are little-endian. Section 1 is the header: `n8q: u32` (32), the base
//! field modulus `q` (`n8q` bytes), `power: u32` and `ceremonyPower: u32`. With `N = 2^power`:
//!
//! | id | content | points |
//! | --- | --- | --- |
//! | 2 | `τ^i·G1` | `2N − 1` |
//! | 3 | `τ^i·G2` | `N` |
//! | 4 | `α·τ^i·G1` | `N` |
//! | 5 | `β·τ^i·G1` | `N` |
//! | 6 | `β·G2` | 1 |
//! | 7 | contributions (not read) | |
//! | 12 | `L_i(τ)·G1` for the domains `2^0, 2^1, …, 2^(power+1)`, one after the other | `4N − 1` |
//! | 13 | `L_i(τ)·G2` for `2^0 … 2^power` | `2N − 1` |
//! | 14 | `α·L_i(τ)·G1` for `2^0 … 2^power` | `2N − 1` |
//! | 15 | `β·L_i(τ)·G1` for `2^0 … 2^power` | `2N − 1` |
//!
//! Sections 12–15 exist only after `snarkjs powersoftau prepare phase2`. The Lagrange points of
//! the domain of size `2^k` start at point `2^k − 1` of their section.
//!
//! Points are affine and uncompressed in ffjavascript's "LEM" form: each base-field coordinate
//! is its Montgomery representation `x·R mod q` (`R = 2^256`) as 32 little-endian bytes; an
//! `Fq2` element is `c0` then `c1`; the point at infinity is all zeros. [`PtauFile`] reads only
//! the ranges asked for and validates every point it returns: canonical coordinates (below `q`),
//! on the curve, in the prime-order subgroup (BN254's G2 has a cofactor). Whether the powers are
//! *consistent* (all powers of one `τ`) is checked by the ceremony (`ceremony::phase1`).

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, Field, PrimeField};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use thiserror::Error;

/// Bytes of one base-field element.
const N8: usize = 32;
/// Bytes of an uncompressed G1 point.
const G1_SIZE: usize = 2 * N8;
/// Bytes of an uncompressed G2 point.
const G2_SIZE: usize = 4 * N8;
/// The largest power a BN254 ptau can have (the two-adicity of the scalar field).
const MAX_POWER: u32 = 28;

/// A section of a ptau file that this reader knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// 2: `τ^i·G1`, `i < 2^(power+1) − 1`.
    TauG1,
    /// 3: `τ^i·G2`, `i < 2^power`.
    TauG2,
    /// 4: `α·τ^i·G1`, `i < 2^power`.
    AlphaTauG1,
    /// 5: `β·τ^i·G1`, `i < 2^power`.
    BetaTauG1,
    /// 6: `β·G2`.
    BetaG2,
    /// 12: `L_i(τ)·G1` for every domain `2^0 … 2^(power+1)`.
    LagrangeTauG1,
    /// 13: `L_i(τ)·G2` for every domain `2^0 … 2^power`.
    LagrangeTauG2,
    /// 14: `α·L_i(τ)·G1` for every domain `2^0 … 2^power`.
    LagrangeAlphaTauG1,
    /// 15: `β·L_i(τ)·G1` for every domain `2^0 … 2^power`.
    LagrangeBetaTauG1,
}

impl Section {
    /// The section id in the file.
    pub fn id(self) -> u32 {
        match self {
            Section::TauG1 => 2,
            Section::TauG2 => 3,
            Section::AlphaTauG1 => 4,
            Section::BetaTauG1 => 5,
            Section::BetaG2 => 6,
            Section::LagrangeTauG1 => 12,
            Section::LagrangeTauG2 => 13,
            Section::LagrangeAlphaTauG1 => 14,
            Section::LagrangeBetaTauG1 => 15,
        }
    }

    /// snarkjs's name for the section.
    pub fn name(self) -> &'static str {
        match self {
            Section::TauG1 => "tauG1",
            Section::TauG2 => "tauG2",
            Section::AlphaTauG1 => "alphaTauG1",
            Section::BetaTauG1 => "betaTauG1",
            Section::BetaG2 => "betaG2",
            Section::LagrangeTauG1 => "lTauG1",
            Section::LagrangeTauG2 => "lTauG2",
            Section::LagrangeAlphaTauG1 => "lAlphaTauG1",
            Section::LagrangeBetaTauG1 => "lBetaTauG1",
        }
    }

    fn is_g2(self) -> bool {
        matches!(
            self,
            Section::TauG2 | Section::BetaG2 | Section::LagrangeTauG2
        )
    }

    /// The number of points the section holds in a file of this `power`.
    pub fn points(self, power: u32) -> u64 {
        let n = 1u64 << power;
        match self {
            Section::TauG1 => 2 * n - 1,
            Section::TauG2 | Section::AlphaTauG1 | Section::BetaTauG1 => n,
            Section::BetaG2 => 1,
            Section::LagrangeTauG1 => 4 * n - 1,
            Section::LagrangeTauG2 | Section::LagrangeAlphaTauG1 | Section::LagrangeBetaTauG1 => {
                2 * n - 1
            }
        }
    }

    fn point_size(self) -> u64 {
        if self.is_g2() {
            G2_SIZE as u64
        } else {
            G1_SIZE as u64
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "section {} ({})", self.id(), self.name())
    }
}

/// Why a point was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointFault {
    /// A coordinate is not below the base-field modulus.
    NonCanonical,
    /// The point is not on the curve.
    NotOnCurve,
    /// The point is on the curve but not in the prime-order subgroup.
    NotInSubgroup,
}

impl fmt::Display for PointFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PointFault::NonCanonical => "non-canonical coordinate",
            PointFault::NotOnCurve => "not on the curve",
            PointFault::NotInSubgroup => "not in the prime-order subgroup",
        })
    }
}

/// What can be wrong with a ptau file.
#[derive(Debug, Error)]
pub enum PtauError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file does not start with the magic `ptau`.
    #[error("not a ptau file (bad magic)")]
    NotPtau,
    /// A format version this reader does not know.
    #[error("unsupported ptau version {0}")]
    UnsupportedVersion(u32),
    /// The file ends before the data it declares.
    #[error("truncated ptau file: {0}")]
    Truncated(String),
    /// The header is malformed or not for BN254.
    #[error("bad ptau header: {0}")]
    BadHeader(String),
    /// A section the reader needs is absent.
    #[error("ptau file has no section {id} ({name}){hint}")]
    MissingSection {
        /// The section id.
        id: u32,
        /// snarkjs's name for it.
        name: &'static str,
        /// A hint on how to produce it.
        hint: &'static str,
    },
    /// A section appears more than once.
    #[error("ptau section {0} appears more than once")]
    DuplicateSection(u32),
    /// A section's length differs from what its power implies.
    #[error("{section}: {found} bytes, expected {expected}")]
    SectionSize {
        /// The section.
        section: Section,
        /// Its expected length in bytes.
        expected: u64,
        /// Its declared length.
        found: u64,
    },
    /// The file's power is too small for what is asked.
    #[error("ptau power {power} is too small: {needed} needed")]
    PowerTooSmall {
        /// The file's power.
        power: u32,
        /// The power needed.
        needed: u32,
    },
    /// A range beyond the end of a section was asked for (a caller bug).
    #[error("{section}: points {start}..{end} asked for, {len} present")]
    OutOfRange {
        /// The section.
        section: Section,
        /// The first point asked for.
        start: u64,
        /// One past the last point asked for.
        end: u64,
        /// The points present.
        len: u64,
    },
    /// A point fails validation.
    #[error("{section}, point {index}: {fault}")]
    InvalidPoint {
        /// The section.
        section: Section,
        /// The point's index within the section.
        index: u64,
        /// What is wrong.
        fault: PointFault,
    },
    /// The powers are not all powers of one secret (a randomized pairing check failed).
    #[error("inconsistent powers of tau: {0}")]
    InconsistentPowers(&'static str),
}

/// An open ptau file: the header and the section table, read without reading the points.
pub struct PtauFile {
    file: File,
    path: PathBuf,
    power: u32,
    ceremony_power: u32,
    /// Section id → (offset of its first byte, length in bytes).
    sections: BTreeMap<u32, (u64, u64)>,
}

impl fmt::Debug for PtauFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PtauFile")
            .field("path", &self.path)
            .field("power", &self.power)
            .field("ceremony_power", &self.ceremony_power)
            .finish_non_exhaustive()
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(w)
}

impl PtauFile {
    /// Opens `path`, reads the header and the section table and checks every known section's
    /// length against the power. Fails on a truncated file.
    pub fn open(path: &Path) -> Result<Self, PtauError> {
        let io = |source| PtauError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(io)?;
        let file_len = file.metadata().map_err(io)?.len();
        let mut head = [0u8; 12];
        read_exact_or_truncated(&mut file, &mut head, "file header")?;
        if &head[..4] != b"ptau" {
            return Err(PtauError::NotPtau);
        }
        let version = u32_at(&head, 4);
        if version != 1 {
            return Err(PtauError::UnsupportedVersion(version));
        }
        let count = u32_at(&head, 8);
        let mut sections = BTreeMap::new();
        let mut pos = 12u64;
        for _ in 0..count {
            let mut sh = [0u8; 12];
            read_exact_or_truncated(&mut file, &mut sh, "section table")?;
            let id = u32_at(&sh, 0);
            let mut len = [0u8; 8];
            len.copy_from_slice(&sh[4..]);
            let len = u64::from_le_bytes(len);
            let start = pos + 12;
            let end = start
                .checked_add(len)
                .filter(|&e| e <= file_len)
                .ok_or_else(|| {
                    PtauError::Truncated(format!(
                    "section {id} declares {len} bytes from offset {start}, the file has {file_len}"
                ))
                })?;
            if sections.insert(id, (start, len)).is_some() {
                return Err(PtauError::DuplicateSection(id));
            }
            file.seek(SeekFrom::Start(end)).map_err(io)?;
            pos = end;
        }
        let (power, ceremony_power) = read_header(&mut file, &sections, path)?;
        let ptau = PtauFile {
            file,
            path: path.to_path_buf(),
            power,
            ceremony_power,
            sections,
        };
        for section in [
            Section::TauG1,
            Section::TauG2,
            Section::AlphaTauG1,
            Section::BetaTauG1,
            Section::BetaG2,
            Section::LagrangeTauG1,
            Section::LagrangeTauG2,
            Section::LagrangeAlphaTauG1,
            Section::LagrangeBetaTauG1,
        ] {
            if let Some(&(_, found)) = ptau.sections.get(&section.id()) {
                let expected = section.points(power) * section.point_size();
                if found != expected {
                    return Err(PtauError::SectionSize {
                        section,
                        expected,
                        found,
                    });
                }
            }
        }
        Ok(ptau)
    }

    /// The file's power: it holds `2^power` powers of `τ` in G2 (twice as many in G1).
    pub fn power(&self) -> u32 {
        self.power
    }

    /// The power of the ceremony the file was made in (at least [`Self::power`]).
    pub fn ceremony_power(&self) -> u32 {
        self.ceremony_power
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `snarkjs powersoftau prepare phase2` has run (sections 12–15 are present).
    pub fn is_prepared(&self) -> bool {
        [12, 13, 14, 15]
            .iter()
            .all(|id| self.sections.contains_key(id))
    }

    fn range_bytes(
        &mut self,
        section: Section,
        start: u64,
        count: u64,
    ) -> Result<Vec<u8>, PtauError> {
        let &(offset, _) = self
            .sections
            .get(&section.id())
            .ok_or(PtauError::MissingSection {
                id: section.id(),
                name: section.name(),
                hint: if section.id() >= 12 {
                    ": run `snarkjs powersoftau prepare phase2` on it"
                } else {
                    ""
                },
            })?;
        let len = section.points(self.power);
        let end = start.saturating_add(count);
        if end > len {
            return Err(PtauError::OutOfRange {
                section,
                start,
                end,
                len,
            });
        }
        let size = section.point_size();
        let io = |source| PtauError::Io {
            path: self.path.clone(),
            source,
        };
        self.file
            .seek(SeekFrom::Start(offset + start * size))
            .map_err(io)?;
        let bytes = usize::try_from(count * size)
            .map_err(|_| PtauError::Truncated(format!("{section}: range too large")))?;
        let mut buf = vec![0u8; bytes];
        read_exact_or_truncated(&mut self.file, &mut buf, section.name())?;
        Ok(buf)
    }

    /// Reads and validates the G1 points `start..start + count` of `section`.
    pub fn read_g1(
        &mut self,
        section: Section,
        start: u64,
        count: u64,
    ) -> Result<Vec<G1Affine>, PtauError> {
        debug_assert!(!section.is_g2());
        let buf = self.range_bytes(section, start, count)?;
        buf.par_chunks(G1_SIZE)
            .enumerate()
            .map(|(i, b)| {
                decode_g1(b).map_err(|fault| PtauError::InvalidPoint {
                    section,
                    index: start + i as u64,
                    fault,
                })
            })
            .collect()
    }

    /// Reads and validates the G2 points `start..start + count` of `section`.
    pub fn read_g2(
        &mut self,
        section: Section,
        start: u64,
        count: u64,
    ) -> Result<Vec<G2Affine>, PtauError> {
        debug_assert!(section.is_g2());
        let buf = self.range_bytes(section, start, count)?;
        buf.par_chunks(G2_SIZE)
            .enumerate()
            .map(|(i, b)| {
                decode_g2(b).map_err(|fault| PtauError::InvalidPoint {
                    section,
                    index: start + i as u64,
                    fault,
                })
            })
            .collect()
    }
}

fn read_exact_or_truncated(file: &mut File, buf: &mut [u8], what: &str) -> Result<(), PtauError> {
    file.read_exact(buf)
        .map_err(|e| PtauError::Truncated(format!("{what}: {e}")))
}

fn read_header(
    file: &mut File,
    sections: &BTreeMap<u32, (u64, u64)>,
    path: &Path,
) -> Result<(u32, u32), PtauError> {
    let &(offset, len) = sections.get(&1).ok_or(PtauError::MissingSection {
        id: 1,
        name: "header",
        hint: "",
    })?;
    if len != 4 + N8 as u64 + 8 {
        return Err(PtauError::BadHeader(format!(
            "{len} bytes, expected {}",
            N8 + 12
        )));
    }
    let mut h = [0u8; N8 + 12];
    file.seek(SeekFrom::Start(offset))
        .map_err(|source| PtauError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    read_exact_or_truncated(file, &mut h, "header")?;
    let n8 = u32_at(&h, 0);
    if n8 as usize != N8 {
        return Err(PtauError::BadHeader(format!(
            "n8q = {n8}, expected 32 (BN254)"
        )));
    }
    let q = BigInt::<4>(limbs(&h[4..4 + N8]));
    if q != Fq::MODULUS {
        return Err(PtauError::BadHeader(
            "the base field is not BN254's (bn128)".into(),
        ));
    }
    let power = u32_at(&h, 4 + N8);
    let ceremony_power = u32_at(&h, 8 + N8);
    if power == 0 || power > MAX_POWER {
        return Err(PtauError::BadHeader(format!(
            "power {power} outside 1..={MAX_POWER}"
        )));
    }
    if ceremony_power < power {
        return Err(PtauError::BadHeader(format!(
            "ceremony power {ceremony_power} below power {power}"
        )));
    }
    Ok((power, ceremony_power))
}

fn limbs(b: &[u8]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (i, limb) in out.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[8 * i..8 * i + 8]);
        *limb = u64::from_le_bytes(w);
    }
    out
}

/// `R = 2^256 mod q`, ffjavascript's Montgomery factor for BN254's base field.
fn montgomery_r() -> Fq {
    static R: OnceLock<Fq> = OnceLock::new();
    *R.get_or_init(|| Fq::from(2u64).pow([256u64]))
}

/// `R^{-1}`.
fn montgomery_r_inverse() -> Fq {
    static R_INV: OnceLock<Fq> = OnceLock::new();
    // R is a power of 2, invertible modulo the odd prime q.
    *R_INV.get_or_init(|| montgomery_r().inverse().unwrap_or_default())
}

/// Decodes a Montgomery-form little-endian coordinate, refusing values `≥ q`.
fn decode_fq(b: &[u8], r_inv: &Fq) -> Result<Fq, PointFault> {
    let mont = Fq::from_bigint(BigInt(limbs(b))).ok_or(PointFault::NonCanonical)?;
    Ok(mont * r_inv)
}

/// Decodes one G1 point in LEM form and validates it.
pub fn decode_g1(b: &[u8]) -> Result<G1Affine, PointFault> {
    if b.iter().all(|&x| x == 0) {
        return Ok(G1Affine::identity());
    }
    let r_inv = montgomery_r_inverse();
    let x = decode_fq(&b[..N8], &r_inv)?;
    let y = decode_fq(&b[N8..2 * N8], &r_inv)?;
    let p = G1Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(PointFault::NotOnCurve);
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(PointFault::NotInSubgroup);
    }
    Ok(p)
}

/// Decodes one G2 point in LEM form and validates it.
pub fn decode_g2(b: &[u8]) -> Result<G2Affine, PointFault> {
    if b.iter().all(|&x| x == 0) {
        return Ok(G2Affine::identity());
    }
    let r_inv = montgomery_r_inverse();
    let c = |i: usize| decode_fq(&b[i * N8..(i + 1) * N8], &r_inv);
    let x = Fq2::new(c(0)?, c(1)?);
    let y = Fq2::new(c(2)?, c(3)?);
    let p = G2Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(PointFault::NotOnCurve);
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(PointFault::NotInSubgroup);
    }
    Ok(p)
}

fn encode_fq(x: &Fq, out: &mut Vec<u8>) {
    // x·R mod q, little-endian.
    for limb in (*x * montgomery_r()).into_bigint().0 {
        out.extend_from_slice(&limb.to_le_bytes());
    }
}

/// Encodes a G1 point in LEM form (the inverse of [`decode_g1`]; used by tests that make
/// corrupt files).
pub fn encode_g1(p: &G1Affine) -> Vec<u8> {
    let mut out = Vec::with_capacity(G1_SIZE);
    if p.is_zero() {
        out.resize(G1_SIZE, 0);
    } else {
        encode_fq(&p.x, &mut out);
        encode_fq(&p.y, &mut out);
    }
    out
}

/// Encodes a G2 point in LEM form (the inverse of [`decode_g2`]).
pub fn encode_g2(p: &G2Affine) -> Vec<u8> {
    let mut out = Vec::with_capacity(G2_SIZE);
    if p.is_zero() {
        out.resize(G2_SIZE, 0);
    } else {
        for c in [&p.x.c0, &p.x.c1, &p.y.c0, &p.y.c1] {
            encode_fq(c, &mut out);
        }
    }
    out
}

/// Where point `index` of `section` starts in the file at `path` (used by tests that corrupt
/// a copy of a file).
pub fn point_offset(path: &Path, section: Section, index: u64) -> Result<u64, PtauError> {
    let ptau = PtauFile::open(path)?;
    let &(offset, _) = ptau
        .sections
        .get(&section.id())
        .ok_or(PtauError::MissingSection {
            id: section.id(),
            name: section.name(),
            hint: "",
        })?;
    Ok(offset + index * section.point_size())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn lem_round_trip_and_faults() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let p = (G1Affine::generator() * ark_bn254::Fr::rand(&mut rng)).into_affine();
        assert_eq!(decode_g1(&encode_g1(&p)), Ok(p));
        assert_eq!(
            decode_g1(&encode_g1(&G1Affine::identity())),
            Ok(G1Affine::identity())
        );
        let mut off = encode_g1(&p);
        off[N8] ^= 1;
        assert_eq!(decode_g1(&off), Err(PointFault::NotOnCurve));
        let mut big = encode_g1(&p);
        big[N8 - 8..N8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(decode_g1(&big), Err(PointFault::NonCanonical));
    }

    #[test]
    fn g2_outside_the_subgroup_is_refused() {
        // A point on the twist but outside the order-r subgroup: find one by trying x values.
        let mut x = Fq2::new(Fq::from(1u64), Fq::from(0u64));
        loop {
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, true) {
                if !p.is_in_correct_subgroup_assuming_on_curve() {
                    assert_eq!(decode_g2(&encode_g2(&p)), Err(PointFault::NotInSubgroup));
                    return;
                }
            }
            x.c0 += Fq::from(1u64);
        }
    }
}
