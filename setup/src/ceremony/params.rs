//! Params files: `params_NNNN.bin` holds the full proving key after contribution `NNNN`, in
//! ark-serialize's compressed form — exactly `ProvingKey::<Bn254>::serialize_compressed`, so
//! `ProvingKey::deserialize_compressed` reads it too.
//!
//! This module decodes the same layout with the points decompressed in parallel. Decompression
//! puts every point on its curve (`y` is computed from `x`) and BN254's G1 has cofactor 1; G2
//! points other than `δ·G2` are never used unchecked: verification compares them with
//! contribution 0, computed from the validated ptau. [`read`] checks `δ·G2`'s subgroup.

use super::error::CeremonyError;
use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bytes of a compressed G1 point.
const G1_BYTES: usize = 32;
/// Bytes of a compressed G2 point.
const G2_BYTES: usize = 64;
/// No vector in a key for this circuit comes near this length.
const MAX_LEN: u64 = 1 << 26;

/// The file name of contribution `index`'s params.
pub fn file_name(index: u32) -> String {
    format!("params_{index:04}.bin")
}

/// The path of contribution `index`'s params in `dir`.
pub fn path(dir: &Path, index: u32) -> PathBuf {
    dir.join(file_name(index))
}

/// Serializes a key (compressed).
pub fn encode(pk: &ProvingKey<Bn254>) -> Vec<u8> {
    let mut out = Vec::with_capacity(pk.compressed_size());
    // Writing to a Vec cannot fail.
    let _ = pk.serialize_compressed(&mut out);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| format!("truncated at byte {}", self.bytes.len()))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn point<T: CanonicalDeserialize>(&mut self, size: usize) -> Result<T, String> {
        decode_point(self.take(size)?)
    }

    fn points<T: CanonicalDeserialize + Send>(&mut self, size: usize) -> Result<Vec<T>, String> {
        let mut len = [0u8; 8];
        len.copy_from_slice(self.take(8)?);
        let len = u64::from_le_bytes(len);
        if len > MAX_LEN {
            return Err(format!("vector of {len} points"));
        }
        let bytes = self.take(len as usize * size)?;
        bytes.par_chunks(size).map(decode_point).collect()
    }
}

fn decode_point<T: CanonicalDeserialize>(b: &[u8]) -> Result<T, String> {
    T::deserialize_with_mode(b, Compress::Yes, Validate::No).map_err(|e| e.to_string())
}

/// Parses a params file's bytes (see the module docs for what is validated).
pub fn decode(bytes: &[u8]) -> Result<ProvingKey<Bn254>, String> {
    let mut r = Reader { bytes, pos: 0 };
    let vk = VerifyingKey::<Bn254> {
        alpha_g1: r.point::<G1Affine>(G1_BYTES)?,
        beta_g2: r.point::<G2Affine>(G2_BYTES)?,
        gamma_g2: r.point::<G2Affine>(G2_BYTES)?,
        delta_g2: r.point::<G2Affine>(G2_BYTES)?,
        gamma_abc_g1: r.points(G1_BYTES)?,
    };
    let pk = ProvingKey {
        vk,
        beta_g1: r.point(G1_BYTES)?,
        delta_g1: r.point(G1_BYTES)?,
        a_query: r.points(G1_BYTES)?,
        b_g1_query: r.points(G1_BYTES)?,
        b_g2_query: r.points(G2_BYTES)?,
        h_query: r.points(G1_BYTES)?,
        l_query: r.points(G1_BYTES)?,
    };
    if r.pos != bytes.len() {
        return Err(format!("{} trailing bytes", bytes.len() - r.pos));
    }
    if !pk.vk.delta_g2.is_in_correct_subgroup_assuming_on_curve() {
        return Err("δ·G2 is not in the prime-order subgroup".into());
    }
    Ok(pk)
}

/// Reads contribution `index`'s params; returns the key and the SHA-256 of the file.
pub fn read(dir: &Path, index: u32) -> Result<(ProvingKey<Bn254>, [u8; 32]), CeremonyError> {
    let p = path(dir, index);
    let bytes = std::fs::read(&p).map_err(CeremonyError::io(&p))?;
    let pk = decode(&bytes).map_err(|reason| CeremonyError::InvalidParams { index, reason })?;
    Ok((pk, Sha256::digest(&bytes).into()))
}

/// Writes contribution `index`'s params atomically; returns the SHA-256 of the file.
pub fn write(dir: &Path, index: u32, pk: &ProvingKey<Bn254>) -> Result<[u8; 32], CeremonyError> {
    let bytes = encode(pk);
    crate::keys::write_file(&path(dir, index), &bytes, 0o644)?;
    Ok(Sha256::digest(&bytes).into())
}
