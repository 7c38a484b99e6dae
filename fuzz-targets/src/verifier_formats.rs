//! The verifier's formats: the request, the proof envelope and snarkjs's three files.

use crate::{assert_round_trip, text};
use zkcred_core::statement::NUM_PUBLIC_INPUTS;
use zkcred_verifier::snarkjs::{
    proof_from_json, proof_to_json, public_inputs_from_json, public_inputs_to_json,
    verifying_key_from_json, verifying_key_to_json,
};
use zkcred_verifier::{ProofEnvelope, Request};

/// `request.json`: [`Request::from_json`], round trip through [`Request::to_json`].
pub fn target_request(data: &[u8]) {
    let Some(Ok(r)) = text(data).map(Request::from_json) else {
        return;
    };
    let again = Request::from_json(&r.to_json());
    assert_round_trip("request", again, &r);
}

/// `zkcred-proof.json`: [`ProofEnvelope::from_json`], round trip through `to_json`.
pub fn target_envelope(data: &[u8]) {
    let Some(Ok(e)) = text(data).map(ProofEnvelope::from_json) else {
        return;
    };
    let again = ProofEnvelope::from_json(&e.to_json());
    assert_round_trip("proof envelope", again, &e);
}

/// snarkjs `proof.json`.
pub fn target_proof_json(data: &[u8]) {
    let Some(Ok(p)) = text(data).map(proof_from_json) else {
        return;
    };
    let again = proof_from_json(&proof_to_json(&p));
    assert_round_trip("proof.json", again, &p);
}

/// snarkjs `public.json` with the credential circuit's public inputs.
pub fn target_public_json(data: &[u8]) {
    let Some(Ok(x)) = text(data).map(|t| public_inputs_from_json(t, NUM_PUBLIC_INPUTS)) else {
        return;
    };
    let again = public_inputs_from_json(&public_inputs_to_json(&x), NUM_PUBLIC_INPUTS);
    assert_round_trip("public.json", again, &x);
}

/// snarkjs `verification_key.json` for the credential circuit; also the binary form whose
/// SHA-256 is the circuit id.
pub fn target_verification_key(data: &[u8]) {
    let Some(Ok(vk)) = text(data).map(|t| verifying_key_from_json(t, NUM_PUBLIC_INPUTS)) else {
        return;
    };
    let again = verifying_key_from_json(&verifying_key_to_json(&vk), NUM_PUBLIC_INPUTS);
    assert_round_trip("verification_key.json", again, &vk);
    let binary = zkcred_verifier::VerifyingKey::from_bytes(&vk.to_bytes());
    assert_round_trip("verifying key (binary)", binary, &vk);
}
