//! The verifier's decision: does this proof envelope answer *our* request?
//!
//! The verifier trusts nothing in the envelope but the values only the prover can supply: the
//! root, the nullifier, the disclosed attribute values and the name opening. Everything else in
//! the public inputs is recomputed from the verifier's own [`Request`]. In order:
//!
//! 1. **Key.** The key takes 34 public inputs; its circuit id equals the envelope's and, if
//!    the request pins one, the request's (otherwise: wrong key, malformed).
//! 2. **Request.** The envelope's `request_id`, `scope`, `message` and `date` equal the
//!    request's.
//! 3. **Date.** The request date is within ±1 day of the verifier's date.
//! 4. **Root.** The anchors are those of the request's issuer, and the root passes the
//!    root-window rule over them ([`zkcred_core::anchor::check_root`]).
//! 5. **Disclosure.** Every attribute in the request's `disclose` list has a value in the
//!    envelope, and no other attribute does; values are canonical field elements, and numeric
//!    attributes are below 2^64.
//! 6. **Name.** If the request asks for the name, the envelope carries a name opening
//!    `(name, t)` (its name already in NFC, see [`zkcred_core::name`]) and the name disclosure is
//!    `H(pack(name), t)`; if it does not, there is no opening and the name disclosure is 0.
//! 7. **Public inputs.** Rebuilt from the request, root, nullifier, disclosed values and name
//!    disclosure. If the envelope's `public` array differs, the proof was made for another
//!    statement: rejected with "public inputs do not match the request", or, where only the
//!    name disclosure differs, with "the name opening does not open the proof's name
//!    disclosure" (the name or `t` was changed after proving).
//! 8. **Proof.** The Groth16 check on the rebuilt inputs. Only then is the name verified: the
//!    circuit proved that the name disclosure opens the name committed in the credential.
//!
//! Recording the nullifier (one account per holder per scope) is a separate, durable step:
//! [`verify_and_record`] does both, in that order, so a rejected proof never uses up a
//! nullifier.
//!
//! **Many proofs.** [`verify_many`] runs steps 1–7 on every item, then step 8 on the survivors
//! at once with [`crate::batch::verify_batch`], and returns one result per item, each equal to
//! what [`verify`] returns for that item. [`verify_many_and_record`] then records the verified
//! nullifiers in item order.

use crate::batch;
use crate::decimal::fr_to_string;
use crate::envelope::ProofEnvelope;
use crate::error::{Error, Result};
use crate::groth16::{self, Proof};
use crate::key::PreparedVerifyingKey;
use crate::nullifiers::NullifierStore;
use crate::request::Request;
use ark_ff::Zero;
use std::collections::BTreeMap;
use zkcred_core::anchor::{check_root, AnchorEntry};
use zkcred_core::date::Date;
use zkcred_core::encoding::fr_to_u64;
use zkcred_core::schema::{SlotKind, SLOTS};
use zkcred_core::statement::{index, NUM_PUBLIC_INPUTS};
use zkcred_core::Fr;

/// How far (in days) the request date may be from the verifier's date.
pub const DATE_TOLERANCE_DAYS: i64 = 1;

/// The verifier's view of the world at verification time.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The anchored roots (e.g. [`zkcred_core::anchor::Ledger::entries`]).
    pub anchors: &'a [AnchorEntry],
    /// The verifier's current date.
    pub now_date: Date,
    /// The current time, Unix seconds.
    pub now_unix: u64,
    /// The root window in seconds ([`zkcred_core::anchor::DEFAULT_WINDOW_SECS`] by default).
    pub window: u64,
}

/// What a verified proof establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The holder's pseudonym in this scope.
    pub nullifier: Fr,
    /// The anchored root the credential is under.
    pub root: Fr,
    /// Disclosed attribute values (canonical decimals) by name.
    pub disclosed: BTreeMap<String, String>,
    /// The holder's verified real name (in NFC), when the request asks for it.
    pub name: Option<String>,
    /// The scope string.
    pub scope: String,
}

fn same(field: &'static str, expected: &str, found: &str) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::RequestFieldMismatch {
            field,
            expected: expected.to_string(),
            found: found.to_string(),
        })
    }
}

fn check_key(
    request: &Request,
    envelope: &ProofEnvelope,
    pvk: &PreparedVerifyingKey,
) -> Result<()> {
    pvk.vk().expect_public_inputs(NUM_PUBLIC_INPUTS)?;
    pvk.expect_circuit_id(&envelope.circuit_id, "the proof envelope")?;
    match request.circuit_id() {
        Some(id) => pvk.expect_circuit_id(id, "the request"),
        None => Ok(()),
    }
}

fn check_request(request: &Request, envelope: &ProofEnvelope) -> Result<()> {
    if envelope.request_id != request.id() {
        return Err(Error::WrongRequest {
            expected: request.id().to_string(),
            found: envelope.request_id.clone(),
        });
    }
    same("scope", request.scope(), &envelope.scope)?;
    same("message", request.message(), &envelope.message)?;
    same(
        "date",
        &request.date().to_string(),
        &envelope.date.to_string(),
    )
}

fn check_date(date: Date, today: Date) -> Result<()> {
    let offset = date.to_days() - today.to_days();
    let direction = if offset > DATE_TOLERANCE_DAYS {
        "after"
    } else if offset < -DATE_TOLERANCE_DAYS {
        "before"
    } else {
        return Ok(());
    };
    Err(Error::DateOutOfWindow {
        date: date.to_string(),
        today: today.to_string(),
        direction,
    })
}

/// The disclosed values in slot order (0 outside the mask) and by name.
fn disclosed_values(
    request: &Request,
    envelope: &ProofEnvelope,
) -> Result<([Fr; SLOTS], BTreeMap<String, String>)> {
    let schema = request.schema_definition();
    if let Some(name) = (envelope.disclosed.keys()).find(|n| schema.slot(n).is_err()) {
        return Err(Error::DisclosedValue {
            name: name.clone(),
            reason: format!("not an attribute of {}", schema.id),
        });
    }
    let mask = request.compile().disclose_mask;
    let mut values = [Fr::zero(); SLOTS];
    let mut by_name = BTreeMap::new();
    for (i, slot) in schema.slots.iter().enumerate() {
        let asked = mask & (1 << i) != 0;
        match (asked, envelope.disclosed.get(&slot.name)) {
            (true, Some(v)) => {
                if slot.kind == SlotKind::Numeric && fr_to_u64(v).is_none() {
                    return Err(Error::DisclosedValue {
                        name: slot.name.clone(),
                        reason: "a numeric attribute must be below 2^64".into(),
                    });
                }
                values[i] = *v;
                by_name.insert(slot.name.clone(), fr_to_string(v));
            }
            (true, None) => {
                return Err(Error::Disclosure(format!(
                    "the request asks for `{}`, the proof does not disclose it",
                    slot.name
                )))
            }
            (false, Some(_)) => {
                return Err(Error::Disclosure(format!(
                    "the proof discloses `{}`, which the request does not ask for",
                    slot.name
                )))
            }
            (false, None) => {}
        }
    }
    Ok((values, by_name))
}

/// Step 6: the name disclosure the proof must carry, and the name it opens to.
fn name_disclosure(request: &Request, envelope: &ProofEnvelope) -> Result<(Fr, Option<String>)> {
    match (&envelope.name_opening, request.discloses_name()) {
        (Some(o), true) => Ok((o.disclosure(), Some(o.name().to_string()))),
        (None, false) => Ok((Fr::zero(), None)),
        (None, true) => Err(Error::NameOpeningMissing),
        (Some(_), false) => Err(Error::NameOpeningNotAsked),
    }
}

/// Steps 1–7 (see the module docs): everything but the pairing check. Returns the public
/// inputs rebuilt from the request and what the proof will establish if it verifies.
fn check_statement(
    request: &Request,
    envelope: &ProofEnvelope,
    pvk: &PreparedVerifyingKey,
    ctx: &Context<'_>,
) -> Result<(Vec<Fr>, Verified)> {
    check_key(request, envelope, pvk)?;
    check_request(request, envelope)?;
    check_date(request.date(), ctx.now_date)?;
    check_root(
        ctx.anchors,
        request.issuer(),
        envelope.root,
        ctx.now_unix,
        ctx.window,
    )
    .map_err(Error::Root)?;
    let (disclosed, by_name) = disclosed_values(request, envelope)?;
    let (name_disclosure, name) = name_disclosure(request, envelope)?;
    let inputs = request
        .public_inputs(
            envelope.root,
            envelope.nullifier,
            disclosed,
            name_disclosure,
        )
        .to_field_elements();
    let len = inputs.len().max(envelope.public.len());
    if let Some(i) = (0..len).find(|i| envelope.public.get(*i) != inputs.get(*i)) {
        return Err(if i == index::NAME_DISCLOSURE && name.is_some() {
            Error::NameOpeningMismatch
        } else {
            Error::PublicInputsMismatch { index: i }
        });
    }
    let verified = Verified {
        nullifier: envelope.nullifier,
        root: envelope.root,
        disclosed: by_name,
        name,
        scope: request.scope().to_string(),
    };
    Ok((inputs, verified))
}

/// Checks `envelope` against the verifier's own `request` (see the module docs).
pub fn verify(
    request: &Request,
    envelope: &ProofEnvelope,
    pvk: &PreparedVerifyingKey,
    ctx: &Context<'_>,
) -> Result<Verified> {
    let (inputs, verified) = check_statement(request, envelope, pvk, ctx)?;
    groth16::verify(pvk, &envelope.proof, &inputs)?;
    Ok(verified)
}

/// Checks every `(request, envelope)` pair as [`verify`] does, with the Groth16 checks of the
/// items that pass steps 1–7 done as one batch ([`crate::batch::verify_batch`]).
///
/// Returns one result per item, in order, equal to [`verify`]'s for that item (an invalid proof
/// in the batch is named by the single verifier, so it gets [`Error::InvalidProof`] and the
/// others are unaffected; an invalid proof slips through only with the batch's `2n·2^-128`
/// probability). Nothing is recorded; see [`verify_many_and_record`].
pub fn verify_many(
    items: &[(Request, ProofEnvelope)],
    pvk: &PreparedVerifyingKey,
    ctx: &Context<'_>,
) -> Vec<Result<Verified>> {
    let mut results = Vec::with_capacity(items.len());
    // The survivors of steps 1–7: their proofs and inputs, and their positions in `items`.
    let mut proofs: Vec<(Proof, Vec<Fr>)> = Vec::new();
    let mut positions = Vec::new();
    for (i, (request, envelope)) in items.iter().enumerate() {
        results.push(
            check_statement(request, envelope, pvk, ctx).map(|(inputs, verified)| {
                proofs.push((envelope.proof, inputs));
                positions.push(i);
                verified
            }),
        );
    }
    match batch::verify_batch(pvk, &proofs) {
        Ok(outcome) => {
            for &j in outcome.invalid() {
                results[positions[j]] = Err(Error::InvalidProof);
            }
        }
        // Not reached: step 1 checked the key's input count and step 7 rebuilt the inputs to
        // it. Should it happen, decide each survivor on its own.
        Err(_) => {
            for ((proof, inputs), &i) in proofs.iter().zip(&positions) {
                if let Err(e) = groth16::verify(pvk, proof, inputs) {
                    results[i] = Err(e);
                }
            }
        }
    }
    results
}

/// [`verify`], then record the nullifier in `store` (failing with
/// [`Error::NullifierReused`] if this holder already answered a request in this scope).
pub fn verify_and_record(
    request: &Request,
    envelope: &ProofEnvelope,
    pvk: &PreparedVerifyingKey,
    ctx: &Context<'_>,
    store: &NullifierStore,
) -> Result<Verified> {
    let verified = verify(request, envelope, pvk, ctx)?;
    store.record(&verified.scope, verified.nullifier)?;
    Ok(verified)
}

/// [`verify_many`], then record each verified nullifier in `store`, in item order: of several
/// items with the same nullifier in one scope, the first is recorded and the others fail with
/// [`Error::NullifierReused`]. Rejected items record nothing.
pub fn verify_many_and_record(
    items: &[(Request, ProofEnvelope)],
    pvk: &PreparedVerifyingKey,
    ctx: &Context<'_>,
    store: &NullifierStore,
) -> Vec<Result<Verified>> {
    let mut results = verify_many(items, pvk, ctx);
    for result in &mut results {
        if let Ok(verified) = result {
            if let Err(e) = store.record(&verified.scope, verified.nullifier) {
                *result = Err(e);
            }
        }
    }
    results
}
