//! Phase 1 from a real snarkjs ptau: read and checked; a corrupt, inconsistent, unprepared or
//! truncated copy is refused with the error naming what is wrong.

mod common;

use common::ptau;

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use zkcred_setup::ceremony::phase1::Phase1;
use zkcred_setup::ceremony::{self, CeremonyError};
use zkcred_setup::ptau::{self, PointFault, PtauError, PtauFile, Section};

fn copy(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("copy.ptau");
    std::fs::copy(ptau(), &path).unwrap();
    path
}

fn overwrite(path: &Path, offset: u64, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(bytes).unwrap();
}

/// Replaces point `index` of a G1 section by `2·P`: still on the curve and in the group, but
/// no longer the right power.
fn double_g1_point(path: &Path, section: Section, index: u64) {
    let p = PtauFile::open(path)
        .unwrap()
        .read_g1(section, index, 1)
        .unwrap()[0];
    let doubled = (p.into_group() + p).into_affine();
    assert!(doubled.is_on_curve());
    let offset = ptau::point_offset(path, section, index).unwrap();
    overwrite(path, offset, &ptau::encode_g1(&doubled));
}

#[test]
fn snarkjs_ptau_is_read_and_consistent() {
    let f = PtauFile::open(ptau()).unwrap();
    assert_eq!(f.power(), 13);
    assert!(f.is_prepared());
    let p1 = Phase1::load(ptau(), 13).unwrap();
    assert_eq!(p1.tau_g1.len(), (1 << 14) - 1);
    assert_eq!(p1.tau_g1[0], G1Affine::generator());
    assert_eq!(p1.l_tau_g2.len(), 1 << 13);
    // The Lagrange points sum to G (Σ L_i = 1).
    let sum: ark_bn254::G1Projective = p1.l_tau_g1.iter().map(|p| p.into_group()).sum();
    assert_eq!(sum.into_affine(), G1Affine::generator());
    // A ptau of power 13 cannot serve a domain of 2^14.
    assert!(matches!(
        Phase1::load(ptau(), 14),
        Err(PtauError::PowerTooSmall {
            power: 13,
            needed: 14
        })
    ));
}

#[test]
fn inconsistent_tau_power_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy(&dir);
    double_g1_point(&path, Section::TauG1, 12345);
    assert!(matches!(
        Phase1::load(&path, 13),
        Err(PtauError::InconsistentPowers("tauG1"))
    ));
    // And `init` refuses it.
    assert!(matches!(
        ceremony::init(&path, &dir.path().join("c")),
        Err(CeremonyError::Ptau(PtauError::InconsistentPowers("tauG1")))
    ));
}

#[test]
fn inconsistent_alpha_and_lagrange_points_are_caught() {
    for (section, index, what) in [
        (Section::AlphaTauG1, 77, "alphaTauG1"),
        (Section::BetaTauG1, 4000, "betaTauG1"),
        // Point 5 of the domain of size 2^13, which starts at 2^13 - 1.
        (Section::LagrangeTauG1, (1 << 13) - 1 + 5, "lTauG1"),
        (
            Section::LagrangeAlphaTauG1,
            (1 << 13) - 1 + 8000,
            "lAlphaTauG1",
        ),
        (Section::LagrangeBetaTauG1, (1 << 13) - 1, "lBetaTauG1"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = copy(&dir);
        double_g1_point(&path, section, index);
        let got = Phase1::load(&path, 13);
        assert!(
            matches!(got, Err(PtauError::InconsistentPowers(w)) if w == what),
            "{section}: {:?}",
            got.err()
        );
    }
}

#[test]
fn inconsistent_g2_points_are_caught() {
    // τ·G2 replaced by 2τ·G2 (a valid point): the G1 and G2 powers disagree.
    let dir = tempfile::tempdir().unwrap();
    let path = copy(&dir);
    let mut f = PtauFile::open(&path).unwrap();
    let p = f.read_g2(Section::TauG2, 1, 1).unwrap()[0];
    let doubled: G2Affine = (p.into_group() + p).into_affine();
    overwrite(
        &path,
        ptau::point_offset(&path, Section::TauG2, 1).unwrap(),
        &ptau::encode_g2(&doubled),
    );
    assert!(matches!(
        Phase1::load(&path, 13),
        Err(PtauError::InconsistentPowers(
            "tauG1[1] and tauG2[1] differ"
        ))
    ));
    // A Lagrange G2 point multiplied by 3.
    let dir = tempfile::tempdir().unwrap();
    let path = copy(&dir);
    let index = (1 << 13) - 1 + 100;
    let p = PtauFile::open(&path)
        .unwrap()
        .read_g2(Section::LagrangeTauG2, index, 1)
        .unwrap()[0];
    let tripled: G2Affine = (p * Fr::from(3u64)).into_affine();
    overwrite(
        &path,
        ptau::point_offset(&path, Section::LagrangeTauG2, index).unwrap(),
        &ptau::encode_g2(&tripled),
    );
    assert!(matches!(
        Phase1::load(&path, 13),
        Err(PtauError::InconsistentPowers("lTauG2"))
    ));
}

#[test]
fn point_off_the_curve_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy(&dir);
    let offset = ptau::point_offset(&path, Section::TauG1, 9).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[offset as usize + 40] ^= 0x01; // a bit of y
    std::fs::write(&path, bytes).unwrap();
    assert!(matches!(
        Phase1::load(&path, 13),
        Err(PtauError::InvalidPoint {
            section: Section::TauG1,
            index: 9,
            fault: PointFault::NotOnCurve
        })
    ));
}

#[test]
fn truncated_ptau_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy(&dir);
    let len = std::fs::metadata(&path).unwrap().len();
    for cut in [len - 1, len / 2, 100, 5] {
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(cut).unwrap();
        let err = Phase1::load(&path, 13).unwrap_err();
        assert!(
            matches!(err, PtauError::Truncated(_)),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn unprepared_ptau_is_refused_with_a_hint() {
    // Drop sections 12-15 (snarkjs writes them last) and fix the section count.
    let dir = tempfile::tempdir().unwrap();
    let path = copy(&dir);
    let start = ptau::point_offset(&path, Section::LagrangeTauG1, 0).unwrap() - 12;
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(start as usize);
    bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
    assert!(!PtauFile::open(&path).unwrap().is_prepared());
    let err = Phase1::load(&path, 13).unwrap_err();
    assert!(matches!(err, PtauError::MissingSection { id: 12, .. }));
    assert!(err.to_string().contains("prepare phase2"));
}

#[test]
fn not_a_ptau_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.ptau");
    std::fs::write(&path, b"r1cs\x01\0\0\0\0\0\0\0").unwrap();
    assert!(matches!(PtauFile::open(&path), Err(PtauError::NotPtau)));
}
