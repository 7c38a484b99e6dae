//! A prover's keys directory: validated in full once, then loaded from a sealed cache.
//!
//! A keys directory holds `proving_key.bin` (compressed, as distributed),
//! `verification_key.json` and `circuit_id` (see `zkcred_verifier::keys`). Decompressing and
//! checking every point of the proving key and synthesizing the circuit's constraint matrices
//! takes about a second; a proof takes a tenth of that. So the full validation runs once —
//! when keys are made, finalized or imported, or the first time a directory without a seal is
//! used — and [`seal`] records its result beside the keys:
//!
//! - `prover_cache.bin`: the validated proving key uncompressed (no square roots to decompress)
//!   and the circuit's constraint matrices with its shape;
//! - `manifest.json`: the SHA-256 of `circuit_id`, `proving_key.bin`, `verification_key.json`
//!   and `prover_cache.bin`, the circuit id they belong to, and the cache format and prover
//!   version that validated them.
//!
//! [`open`] then checks the four hashes (about 4 MB of SHA-256) and reads the cache without
//! re-validating its points. A file whose hash differs from the manifest is refused
//! ([`KeysError::Changed`]); `revalidate` validates the directory in full instead and seals it
//! again. A manifest from another cache format or prover version is stale, not tampered: the
//! directory is validated in full and sealed again. [`Prover::new`]'s cheap checks (the key
//! against the verifying key and the circuit's shape, one pairing) and the self-verification of
//! every proof run on either path. `docs/decisions.md` ("Keys are validated once") says why this
//! is as safe as validating every time.

use crate::{ProveError, Prover};
use ark_bn254::{Bn254, Fr};
use ark_groth16::ProvingKey;
use ark_relations::utils::matrix::Matrix;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use thiserror::Error;
use zkcred_core::error::{Classify, ErrorKind};
use zkcred_verifier::keys::{
    check_circuit_id, parse_circuit_id, parse_verifying_key, text_of, CIRCUIT_ID, PROVING_KEY,
    VERIFICATION_KEY,
};

pub use zkcred_verifier::keys::KeysError as PublicKeysError;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The sealed prover cache's file name.
pub const PROVER_CACHE: &str = "prover_cache.bin";

/// The manifest's `format`.
const MANIFEST_FORMAT: &str = "zkcred-keys-manifest-v1";
/// The first bytes of `prover_cache.bin`.
const CACHE_MAGIC: &[u8; 24] = b"zkcred prover cache v1\n\0";
/// The software that validated a sealed directory; a seal by another version is re-validated.
const VALIDATED_BY: &str = concat!("zkcred-prover ", env!("CARGO_PKG_VERSION"));
/// The files the manifest covers, in its order.
const SEALED_FILES: [&str; 4] = [CIRCUIT_ID, PROVING_KEY, VERIFICATION_KEY, PROVER_CACHE];

/// What can go wrong opening, validating or sealing a keys directory.
#[derive(Debug, Error)]
pub enum KeysError {
    /// The public half of the directory (`circuit_id`, `verification_key.json`) is unreadable,
    /// invalid, or names another circuit.
    #[error(transparent)]
    Public(#[from] PublicKeysError),
    /// `proving_key.bin` is truncated, malformed, or a point fails validation.
    #[error("{path}: invalid proving key: {reason}")]
    InvalidProvingKey {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The proving key is unsafe, does not fit the circuit or does not belong to the verifying
    /// key.
    #[error(transparent)]
    Prover(#[from] ProveError),
    /// A sealed file changed after the directory was validated.
    #[error(
        "{path} changed after the keys were validated (its SHA-256 differs from {manifest}); \
         refusing to use it — run with --revalidate to validate the directory in full again"
    )]
    Changed {
        /// The changed (or missing) file.
        path: PathBuf,
        /// The manifest.
        manifest: PathBuf,
    },
    /// `manifest.json` or `prover_cache.bin` is malformed.
    #[error("{path}: {reason}")]
    Seal {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Classify for KeysError {
    /// A missing, changed or invalid key file (or keys already where an import would put
    /// them) is malformed input; another failure reading or writing a file is the file
    /// system's: unavailable.
    fn kind(&self) -> ErrorKind {
        match self {
            KeysError::Public(e) => e.kind(),
            KeysError::Prover(e) => e.kind(),
            KeysError::Io { source, .. }
                if !matches!(
                    source.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::AlreadyExists
                ) =>
            {
                ErrorKind::Unavailable
            }
            _ => ErrorKind::Malformed,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeysError + '_ {
    move |source| KeysError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How [`open`] obtained its prover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// From the sealed cache: every hash matched the manifest.
    Sealed,
    /// Validated in full, then sealed for the next load.
    ValidatedAndSealed,
    /// Validated in full; the seal could not be written (the reason), so the next load
    /// validates again.
    ValidatedNotSealed(String),
}

/// What [`open`] did and how long it took.
#[derive(Clone, Debug)]
pub struct OpenReport {
    /// The keys' circuit id.
    pub circuit_id: String,
    /// Sealed cache or full validation.
    pub provenance: Provenance,
    /// Reading, hashing and decoding (or validating) the files.
    pub load: Duration,
    /// Building the constraint matrices (zero from the seal).
    pub matrices: Duration,
    /// `Prover`'s checks of the key against the verifying key and the circuit.
    pub check: Duration,
}

/// The manifest: the validated files' SHA-256, bound to the circuit id.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: String,
    circuit_id: String,
    validated_by: String,
    sha256: BTreeMap<String, String>,
}

/// Opens the keys directory `dir` for proving: from its seal when every hash matches, otherwise
/// (no seal yet, a seal by another version, or `revalidate`) validated in full and sealed
/// again. A sealed file whose hash differs is refused unless `revalidate`.
pub fn open(dir: &Path, revalidate: bool) -> Result<(Prover, OpenReport), KeysError> {
    let manifest_path = dir.join(MANIFEST);
    if !revalidate && manifest_path.exists() {
        if let Some(opened) = open_sealed(dir)? {
            return Ok(opened);
        }
    }
    let (prover, mut report, validated) = validate(dir)?;
    report.provenance = match write_seal(dir, &prover, &report.circuit_id, validated) {
        Ok(()) => Provenance::ValidatedAndSealed,
        Err(e) => Provenance::ValidatedNotSealed(e.to_string()),
    };
    Ok((prover, report))
}

/// Validates `dir` in full and seals it; fails if the seal cannot be written.
pub fn seal(dir: &Path) -> Result<(Prover, String), KeysError> {
    let (prover, report, validated) = validate(dir)?;
    write_seal(dir, &prover, &report.circuit_id, validated)?;
    Ok((prover, report.circuit_id))
}

/// Copies the keys in `src` (from outside: a ceremony's publication, another machine) into the
/// directory `dst`, validates the copies in full and seals `dst`; keys that fail validation are
/// removed again. Whatever seal `src` carries is ignored. Returns the circuit id. `dst` must not
/// hold keys yet.
pub fn import(src: &Path, dst: &Path) -> Result<String, KeysError> {
    if dst.join(PROVING_KEY).exists() {
        return Err(KeysError::Io {
            path: dst.join(PROVING_KEY),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the directory already holds keys; refusing to overwrite them",
            ),
        });
    }
    std::fs::create_dir_all(dst).map_err(io(dst))?;
    // The derived files a failed seal may leave, unless they were there before.
    let mut created: Vec<PathBuf> = [PROVER_CACHE, MANIFEST]
        .iter()
        .map(|name| dst.join(name))
        .filter(|p| !p.exists())
        .collect();
    let imported = copy_keys(src, dst, &mut created).and_then(|()| seal(dst).map(|(_, id)| id));
    if imported.is_err() {
        // Keys that fail validation are not left behind half-imported; only what this import
        // created is removed.
        for path in &created {
            let _ = std::fs::remove_file(path);
        }
    }
    imported
}

/// Copies the three key files from `src` into `dst`, refusing to overwrite any, recording each
/// file it creates; the id file last, since a directory is keys only once it names its circuit.
fn copy_keys(src: &Path, dst: &Path, created: &mut Vec<PathBuf>) -> Result<(), KeysError> {
    for (name, mode) in [
        (PROVING_KEY, 0o600),
        (VERIFICATION_KEY, 0o644),
        (CIRCUIT_ID, 0o644),
    ] {
        let (from, to) = (src.join(name), dst.join(name));
        let bytes = std::fs::read(&from).map_err(io(&from))?;
        zkcred_core::atomic_file::create_new(&to, &bytes, mode).map_err(io(&to))?;
        created.push(to);
    }
    Ok(())
}

/// Reads and validates `dir/proving_key.bin` in full; returns it with its circuit id (checked
/// against `dir/circuit_id`).
pub fn read_proving_key(dir: &Path) -> Result<(ProvingKey<Bn254>, String), KeysError> {
    let path = dir.join(PROVING_KEY);
    let bytes = std::fs::read(&path).map_err(io(&path))?;
    let (pk, id) = proving_key_and_id(&bytes, &path)?;
    check_circuit_id(dir, &id)?;
    Ok((pk, id))
}

/// [`decode_proving_key`] with the key's circuit id; `path` names the file in errors.
fn proving_key_and_id(bytes: &[u8], path: &Path) -> Result<(ProvingKey<Bn254>, String), KeysError> {
    let pk = decode_proving_key(bytes).map_err(|reason| KeysError::InvalidProvingKey {
        path: path.to_path_buf(),
        reason,
    })?;
    let id = own_verifying_key(&pk)?.circuit_id();
    Ok((pk, id))
}

/// The verifying key inside `pk`, with every check of `zkcred_verifier::VerifyingKey::new`.
fn own_verifying_key(pk: &ProvingKey<Bn254>) -> Result<zkcred_verifier::VerifyingKey, ProveError> {
    let v = &pk.vk;
    zkcred_verifier::VerifyingKey::new(
        v.alpha_g1,
        v.beta_g2,
        v.gamma_g2,
        v.delta_g2,
        v.gamma_abc_g1.clone(),
    )
    .map_err(|e| ProveError::UnsafeKey(e.to_string()))
}

/// Decodes `proving_key.bin` bytes: the compressed key, every point on the curve and in the
/// prime-order subgroup, no trailing bytes. The error says what is wrong.
pub fn decode_proving_key(bytes: &[u8]) -> Result<ProvingKey<Bn254>, String> {
    // Decode without checks, then check every point (on the curve, in the prime-order subgroup)
    // in parallel: the same validation as `deserialize_compressed`, on all cores.
    let pk = ProvingKey::<Bn254>::deserialize_compressed_unchecked(bytes)
        .map_err(|e| format!("{e} (truncated, corrupt or not a zkcred proving key)"))?;
    check_points(&pk).map_err(|what| {
        format!("{what}: a point is not on the curve or not in the prime-order subgroup")
    })?;
    if pk.compressed_size() != bytes.len() {
        return Err("trailing bytes after the key".into());
    }
    Ok(pk)
}

/// Checks every point of `pk` (in parallel); names the first part that fails.
fn check_points(pk: &ProvingKey<Bn254>) -> Result<(), &'static str> {
    use ark_serialize::Valid;
    use rayon::prelude::*;
    fn all<T: Valid + Sync>(xs: &[T], what: &'static str) -> Result<(), &'static str> {
        xs.par_iter().try_for_each(|x| x.check()).map_err(|_| what)
    }
    let vk = &pk.vk;
    all(
        &[vk.alpha_g1, pk.beta_g1, pk.delta_g1],
        "alpha/beta/delta in G1",
    )?;
    all(
        &[vk.beta_g2, vk.gamma_g2, vk.delta_g2],
        "beta/gamma/delta in G2",
    )?;
    all(&vk.gamma_abc_g1, "gamma_abc_g1")?;
    all(&pk.a_query, "a_query")?;
    all(&pk.b_g1_query, "b_g1_query")?;
    all(&pk.b_g2_query, "b_g2_query")?;
    all(&pk.h_query, "h_query")?;
    all(&pk.l_query, "l_query")
}

/// Full validation: every point of the proving key, the verifying key, the circuit's matrices
/// synthesized afresh, and `Prover::new`'s checks. Each file is read once, and the SHA-256 of
/// the bytes validated is returned with the prover: the seal covers exactly what was checked,
/// even if a file is replaced while this runs.
fn validate(dir: &Path) -> Result<(Prover, OpenReport, BTreeMap<String, String>), KeysError> {
    let start = Instant::now();
    let mut sha256 = BTreeMap::new();
    let mut read = |name: &str| -> Result<(PathBuf, Vec<u8>), KeysError> {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        sha256.insert(name.to_string(), sha256_hex(&bytes));
        Ok((path, bytes))
    };
    let (id_path, id_bytes) = read(CIRCUIT_ID)?;
    let (pk_path, pk_bytes) = read(PROVING_KEY)?;
    let (vk_path, vk_bytes) = read(VERIFICATION_KEY)?;
    let named = parse_circuit_id(&text_of(&id_bytes, &id_path)?, &id_path)?;
    let (pk, circuit_id) = proving_key_and_id(&pk_bytes, &pk_path)?;
    drop(pk_bytes);
    let vk = parse_verifying_key(&text_of(&vk_bytes, &vk_path)?, &vk_path)?;
    for (what, id) in [
        (PROVING_KEY, &circuit_id),
        (VERIFICATION_KEY, &vk.circuit_id()),
    ] {
        if *id != named {
            return Err(PublicKeysError::Mismatch(format!(
                "{} names circuit {named} but {what} is circuit {id}",
                id_path.display()
            ))
            .into());
        }
    }
    let load = start.elapsed();
    let start = Instant::now();
    let shape = crate::CircuitShape::synthesize()?;
    let matrices = start.elapsed();
    let start = Instant::now();
    let prover = Prover::from_parts(pk, &vk, shape)?;
    let report = OpenReport {
        circuit_id,
        provenance: Provenance::ValidatedNotSealed(String::new()),
        load,
        matrices,
        check: start.elapsed(),
    };
    Ok((prover, report, sha256))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes `prover_cache.bin`, then `manifest.json` over it and `sha256`, the hashes of the bytes
/// [`validate`] checked.
fn write_seal(
    dir: &Path,
    prover: &Prover,
    circuit_id: &str,
    mut sha256: BTreeMap<String, String>,
) -> Result<(), KeysError> {
    let cache_path = dir.join(PROVER_CACHE);
    let cache = encode_cache(&prover.pk, &prover.shape).map_err(|e| KeysError::Seal {
        path: cache_path.clone(),
        reason: e.to_string(),
    })?;
    zkcred_core::atomic_file::write(&cache_path, &cache, 0o644).map_err(io(&cache_path))?;
    sha256.insert(PROVER_CACHE.to_string(), sha256_hex(&cache));
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        circuit_id: circuit_id.into(),
        validated_by: VALIDATED_BY.into(),
        sha256,
    };
    let path = dir.join(MANIFEST);
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| KeysError::Seal {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    text.push('\n');
    zkcred_core::atomic_file::write(&path, text.as_bytes(), 0o644).map_err(io(&path))
}

/// The sealed path of [`open`]: `None` when the seal is stale (another format or version).
fn open_sealed(dir: &Path) -> Result<Option<(Prover, OpenReport)>, KeysError> {
    let start = Instant::now();
    let manifest_path = dir.join(MANIFEST);
    let seal_error = |path: &Path, reason: String| KeysError::Seal {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| seal_error(&manifest_path, format!("not a keys manifest: {e}")))?;
    if manifest.format != MANIFEST_FORMAT || manifest.validated_by != VALIDATED_BY {
        return Ok(None);
    }
    let listed: Vec<&str> = manifest.sha256.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = SEALED_FILES.to_vec();
    expected.sort_unstable();
    if listed != expected {
        return Err(seal_error(
            &manifest_path,
            format!("lists {listed:?}, expected {expected:?}"),
        ));
    }
    let mut cache = Vec::new();
    for name in SEALED_FILES {
        let path = dir.join(name);
        let changed = || KeysError::Changed {
            path: path.clone(),
            manifest: manifest_path.clone(),
        };
        let bytes = std::fs::read(&path).map_err(|_| changed())?;
        if sha256_hex(&bytes) != manifest.sha256[name] {
            return Err(changed());
        }
        if name == PROVER_CACHE {
            cache = bytes;
        }
    }
    let cache_path = dir.join(PROVER_CACHE);
    let (pk, shape) = decode_cache(&cache).map_err(|reason| seal_error(&cache_path, reason))?;
    // `verification_key.json` is, by its hash, the file that matched this key when it was
    // validated: the verifying key is the cached key's own, and must be the manifest's circuit.
    let vk = own_verifying_key(&pk)?;
    if vk.circuit_id() != manifest.circuit_id {
        return Err(seal_error(
            &manifest_path,
            format!(
                "names circuit {}, the keys are circuit {}",
                manifest.circuit_id,
                vk.circuit_id()
            ),
        ));
    }
    let load = start.elapsed();
    let start = Instant::now();
    let prover = Prover::from_parts(pk, &vk, shape)?;
    Ok(Some((
        prover,
        OpenReport {
            circuit_id: manifest.circuit_id,
            provenance: Provenance::Sealed,
            load,
            matrices: Duration::ZERO,
            check: start.elapsed(),
        },
    )))
}

/// `prover_cache.bin`: the magic, the proving key uncompressed (ark-serialize), the matrices'
/// distinct coefficients (uncompressed field elements), then per matrix its rows, each row's
/// entries as `(column, coefficient index)` pairs of little-endian `u32`s, and finally the
/// instance, witness and constraint counts. The circuit has ~185k matrix entries but only a few
/// thousand distinct coefficients: 8 bytes an entry instead of 40.
fn encode_cache(
    pk: &ProvingKey<Bn254>,
    shape: &crate::CircuitShape,
) -> Result<Vec<u8>, ark_serialize::SerializationError> {
    let mut out = CACHE_MAGIC.to_vec();
    pk.serialize_uncompressed(&mut out)?;
    let mut index: std::collections::HashMap<Fr, u32> = Default::default();
    let mut coefficients = Vec::new();
    for &(c, _) in shape.matrices.iter().flatten().flatten() {
        index.entry(c).or_insert_with(|| {
            coefficients.push(c);
            (coefficients.len() - 1) as u32
        });
    }
    let u32_of =
        |n: usize| u32::try_from(n).map_err(|_| ark_serialize::SerializationError::InvalidData);
    out.extend(u32_of(coefficients.len())?.to_le_bytes());
    for c in &coefficients {
        c.serialize_uncompressed(&mut out)?;
    }
    out.extend(u32_of(shape.matrices.len())?.to_le_bytes());
    for m in &shape.matrices {
        out.extend(u32_of(m.len())?.to_le_bytes());
        for row in m {
            out.extend(u32_of(row.len())?.to_le_bytes());
            for (c, j) in row {
                out.extend(u32_of(*j)?.to_le_bytes());
                out.extend(index[c].to_le_bytes());
            }
        }
    }
    for n in [shape.num_instance, shape.num_witness, shape.num_constraints] {
        out.extend((n as u64).to_le_bytes());
    }
    Ok(out)
}

/// A bounds-checked reader over the cache's bytes.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if self.0.len() < n {
            return Err("truncated".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u32(&mut self) -> Result<usize, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    fn u64(&mut self) -> Result<usize, String> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        usize::try_from(u64::from_le_bytes(b))
            .map_err(|_| "a count does not fit this machine".into())
    }
    /// A length, refused when fewer than `len * min_bytes` bytes remain (no allocation bomb).
    fn len(&mut self, min_bytes: usize) -> Result<usize, String> {
        let n = self.u32()?;
        if n.saturating_mul(min_bytes) > self.0.len() {
            return Err("truncated (a length beyond the file)".into());
        }
        Ok(n)
    }
}

/// Decodes `prover_cache.bin` without validating its points: its bytes are the ones [`seal`]
/// wrote after validating them, as the manifest's hash has just shown. Every length and index
/// is still bounds-checked, so even a corrupt cache is an error, not a panic.
fn decode_cache(bytes: &[u8]) -> Result<(ProvingKey<Bn254>, crate::CircuitShape), String> {
    let mut rest = bytes
        .strip_prefix(CACHE_MAGIC.as_slice())
        .ok_or("not a zkcred prover cache")?;
    let err = |e: ark_serialize::SerializationError| format!("truncated or corrupt: {e}");
    let pk = ProvingKey::<Bn254>::deserialize_uncompressed_unchecked(&mut rest).map_err(err)?;
    let mut r = Reader(rest);
    let n = r.len(32)?;
    let mut coefficients = Vec::with_capacity(n);
    for _ in 0..n {
        let mut b = r.take(32)?;
        coefficients.push(Fr::deserialize_uncompressed_unchecked(&mut b).map_err(err)?);
    }
    let mut matrices = Vec::new();
    for _ in 0..r.len(4)? {
        let rows = r.len(4)?;
        let mut m: Matrix<Fr> = Vec::with_capacity(rows);
        for _ in 0..rows {
            let len = r.len(8)?;
            let mut row = Vec::with_capacity(len);
            for _ in 0..len {
                let (j, c) = (r.u32()?, r.u32()?);
                let c = *coefficients
                    .get(c)
                    .ok_or("a coefficient index out of range")?;
                row.push((c, j));
            }
            m.push(row);
        }
        matrices.push(m);
    }
    let (num_instance, num_witness, num_constraints) = (r.u64()?, r.u64()?, r.u64()?);
    if !r.0.is_empty() {
        return Err("trailing bytes".into());
    }
    Ok((
        pk,
        crate::CircuitShape {
            matrices,
            num_instance,
            num_witness,
            num_constraints,
        },
    ))
}
