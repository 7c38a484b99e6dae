//! Everything the ptau reader can return from a file, and a writer of the same, so that the
//! `.ptau` target can check a round trip (zkcred itself never writes ptau files).

use ark_bn254::{Fq, G1Affine, G2Affine};
use ark_ff::{BigInteger, PrimeField};
use zkcred_setup::ptau::{encode_g1, encode_g2, PtauError, PtauFile, Section};

/// The sections the reader knows, in file order.
const SECTIONS: [Section; 9] = [
    Section::TauG1,
    Section::TauG2,
    Section::AlphaTauG1,
    Section::BetaTauG1,
    Section::BetaG2,
    Section::LagrangeTauG1,
    Section::LagrangeTauG2,
    Section::LagrangeAlphaTauG1,
    Section::LagrangeBetaTauG1,
];

/// The points of one section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Points {
    /// A G1 section.
    G1(Vec<G1Affine>),
    /// A G2 section.
    G2(Vec<G2Affine>),
}

/// What a ptau file holds, as read and validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PtauContents {
    /// The power.
    pub power: u32,
    /// The ceremony power.
    pub ceremony_power: u32,
    /// Each section the file has, with its points.
    pub sections: Vec<(Section, Points)>,
}

/// Reads every point of every known section of `ptau` (absent sections are skipped).
pub fn read_all(ptau: &mut PtauFile) -> Result<PtauContents, PtauError> {
    let power = ptau.power();
    let mut sections = Vec::new();
    for s in SECTIONS {
        let n = s.points(power);
        let points = if matches!(s, Section::TauG2 | Section::BetaG2 | Section::LagrangeTauG2) {
            ptau.read_g2(s, 0, n).map(Points::G2)
        } else {
            ptau.read_g1(s, 0, n).map(Points::G1)
        };
        match points {
            Ok(p) => sections.push((s, p)),
            Err(PtauError::MissingSection { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(PtauContents {
        power,
        ceremony_power: ptau.ceremony_power(),
        sections,
    })
}

/// A ptau file holding `c`: the header section, then each section in the order given.
pub fn write_ptau(c: &PtauContents) -> Vec<u8> {
    let mut header = Vec::new();
    header.extend(32u32.to_le_bytes());
    header.extend(Fq::MODULUS.to_bytes_le());
    header.extend(c.power.to_le_bytes());
    header.extend(c.ceremony_power.to_le_bytes());
    let mut sections = vec![(1u32, header)];
    for (s, points) in &c.sections {
        let body = match points {
            Points::G1(p) => p.iter().flat_map(encode_g1).collect(),
            Points::G2(p) => p.iter().flat_map(encode_g2).collect(),
        };
        sections.push((s.id(), body));
    }
    let mut out = b"ptau".to_vec();
    out.extend(1u32.to_le_bytes());
    out.extend((sections.len() as u32).to_le_bytes());
    for (id, body) in sections {
        out.extend(id.to_le_bytes());
        out.extend((body.len() as u64).to_le_bytes());
        out.extend(body);
    }
    out
}
