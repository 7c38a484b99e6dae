//! The issuer's formats: the credential and the Merkle path file.

use crate::{assert_round_trip, text};
use zkcred_issuer::{Credential, PathDocument};

/// `credential.json` (also each line of a bulk `credentials.jsonl`), both JSON forms.
pub fn target_credential(data: &[u8]) {
    let Some(Ok(c)) = text(data).map(Credential::from_json) else {
        return;
    };
    for json in [c.to_json(), c.to_json_pretty()] {
        assert_round_trip("credential", Credential::from_json(&json), &c);
    }
}

/// `path.json`.
pub fn target_merkle_path(data: &[u8]) {
    let Some(Ok(p)) = text(data).map(PathDocument::from_json) else {
        return;
    };
    let again = PathDocument::from_json(&p.to_json_pretty());
    assert_round_trip("path", again, &p);
}
