//! The per-platform pseudonym.
//!
//! `nullifier = H(s, scope)`: stable for one holder in one scope, so a platform sees one account
//! per person; unlinkable across scopes without the secret `s`.

use crate::credential::HolderSecret;
use crate::poseidon;
use crate::Fr;

/// `H(s, scope)`.
pub fn nullifier(secret: &HolderSecret, scope: Fr) -> Fr {
    poseidon::hash(&[secret.expose(), scope])
}
