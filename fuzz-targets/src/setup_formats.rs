//! The setup's formats: `proving_key.bin` (and the ceremony's params files, the same layout),
//! snarkjs `.ptau` files and the ceremony transcript.

use crate::ptau_writer::{read_all, write_ptau};
use crate::{assert_round_trip, text};
use ark_serialize::CanonicalSerialize;
use std::io::Write;
use zkcred_prover::keys::decode_proving_key;
use zkcred_setup::ceremony::phase1::Phase1;
use zkcred_setup::ceremony::{params, transcript::Transcript};
use zkcred_setup::ptau::PtauFile;

/// `proving_key.bin` read by [`decode_proving_key`] (fully validated) and by the ceremony's
/// `params_NNNN.bin` reader [`params::decode`] (the same layout, fewer checks): whatever the
/// first accepts, the second accepts as the same key, and both round-trip.
pub fn target_proving_key(data: &[u8]) {
    let lax = params::decode(data);
    if let Ok(pk) = &lax {
        assert_round_trip("params file", params::decode(&params::encode(pk)), pk);
    }
    let Ok(pk) = decode_proving_key(data) else {
        return;
    };
    assert_round_trip("params reader on a valid proving key", lax, &pk);
    let mut bytes = Vec::new();
    pk.serialize_compressed(&mut bytes)
        .expect("writing to a Vec cannot fail");
    assert_round_trip("proving key", decode_proving_key(&bytes), &pk);
}

/// A `.ptau` file: opened (header and section table), every section's points read and
/// validated, written back and read again; then phase 1 is loaded from it for a domain of up
/// to 2^2 points (its consistency checks included).
pub fn target_ptau(data: &[u8]) {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(data).expect("writing the temporary file");
    let Ok(mut ptau) = PtauFile::open(file.path()) else {
        return;
    };
    if let Ok(contents) = read_all(&mut ptau) {
        let mut copy = tempfile::NamedTempFile::new().expect("a temporary file");
        copy.write_all(&write_ptau(&contents))
            .expect("writing the temporary file");
        let again = PtauFile::open(copy.path())
            .map_err(|e| e.to_string())
            .and_then(|mut p| read_all(&mut p).map_err(|e| e.to_string()));
        assert_round_trip("ptau", again, &contents);
    }
    let _ = Phase1::load(file.path(), ptau.power().min(2));
}

/// `transcript.json`, with each record's hash and proof of knowledge decoded.
pub fn target_transcript(data: &[u8]) {
    let Some(Ok(t)) = text(data).map(|t| Transcript::from_json(t.as_bytes())) else {
        return;
    };
    for r in &t.contributions {
        let _ = (r.digest(), r.proof());
    }
    let json = t.to_json().expect("a parsed transcript serializes");
    assert_round_trip("transcript", Transcript::from_json(json.as_bytes()), &t);
}
