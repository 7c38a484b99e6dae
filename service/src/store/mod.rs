//! Where the service keeps its requests and the nullifiers it has accepted.
//!
//! One trait, [`Store`], two implementations: [`RedbStore`] (one machine, embedded, the
//! default) and [`PgStore`] (PostgreSQL, shared by replicas). Both pass the same test suite
//! (`tests/store.rs`).
//!
//! The one operation that decides anything is [`Store::settle`]: for a batch of verified
//! presentations it records, atomically, each nullifier that is new in its scope together with
//! the consumption of its request, and says for each item what happened. Of any number of
//! presentations with the same `(scope, nullifier)`, on any number of replicas, at most one is
//! ever [`Settlement::Accepted`]; the others are [`Settlement::Duplicate`]. A request is
//! consumed by its first accepted presentation and by nothing else, so a presentation that is
//! refused never uses up a request.

mod postgres;
mod redb;

pub use self::postgres::PgStore;
pub use self::redb::RedbStore;

use std::future::Future;
use thiserror::Error;

/// A store failure: the store could not be reached or failed. Nothing is known about the
/// operation's effect beyond what the store's atomicity promises (a failed [`Store::settle`]
/// records nothing).
#[derive(Debug, Error)]
pub enum StoreError {
    /// The store could not be opened, created or migrated.
    #[error("opening the store: {0}")]
    Open(String),
    /// A read or a write failed.
    #[error("store failure: {0}")]
    Failed(String),
    /// A stored record cannot be read back (the store was edited by something else).
    #[error("corrupt store record: {0}")]
    Corrupt(String),
}

/// The state of a stored request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestState {
    /// Waiting for its presentation.
    Open,
    /// A presentation was accepted for it.
    Consumed,
}

impl RequestState {
    /// The state's name in the store and in answers: `open` or `consumed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Open => "open",
            RequestState::Consumed => "consumed",
        }
    }

    /// The state named `s`.
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "open" => Ok(RequestState::Open),
            "consumed" => Ok(RequestState::Consumed),
            other => Err(StoreError::Corrupt(format!("request state {other:?}"))),
        }
    }
}

/// A request as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRequest {
    /// The request id (64 lowercase hex digits).
    pub id: String,
    /// The signed request document (`zkcred-request` JSON).
    pub document: String,
    /// When it was created, Unix seconds.
    pub created_at: u64,
    /// When it stops being answerable, Unix seconds.
    pub expires_at: u64,
    /// Open or consumed.
    pub state: RequestState,
}

/// One verified presentation to settle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settle {
    /// The request it answers.
    pub request_id: String,
    /// The request's scope.
    pub scope: String,
    /// The nullifier, 32 bytes big-endian.
    pub nullifier: [u8; 32],
}

/// What [`Store::settle`] did with one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// The nullifier was new in its scope: recorded, and the request consumed.
    Accepted,
    /// The nullifier was already recorded in this scope (by this batch, an earlier one, or
    /// another replica). Nothing changed.
    Duplicate,
    /// The request was already consumed by another presentation with another nullifier.
    RequestUsed,
    /// The request expired before the presentation was settled.
    RequestExpired,
    /// No such request.
    UnknownRequest,
}

impl Settlement {
    /// The reason code of a settlement that is not an acceptance.
    pub fn code(self) -> &'static str {
        match self {
            Settlement::Accepted => "accepted",
            Settlement::Duplicate => "duplicate",
            Settlement::RequestUsed => "request_used",
            Settlement::RequestExpired => "request_expired",
            Settlement::UnknownRequest => "unknown_request",
        }
    }
}

/// The service's storage: requests and accepted nullifiers (see the module docs).
pub trait Store: Send + Sync + 'static {
    /// Stores a new open request and returns it with `true`. Creating a request whose id is
    /// already stored changes nothing (the id is the hash of its content, so it is the same
    /// request) and returns the stored one, whatever its state, with `false`.
    fn put_request(
        &self,
        request: StoredRequest,
    ) -> impl Future<Output = Result<(StoredRequest, bool), StoreError>> + Send;

    /// The stored request `id`, if any.
    fn get_request(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<StoredRequest>, StoreError>> + Send;

    /// Settles a batch of verified presentations at time `now` (Unix seconds), atomically: one
    /// [`Settlement`] per item, in order, as if the items were settled one after the other.
    /// For each item: a nullifier already recorded in its scope is [`Settlement::Duplicate`];
    /// otherwise an unknown, consumed or expired (`expires_at <= now`) request gives
    /// [`Settlement::UnknownRequest`], [`Settlement::RequestUsed`] or
    /// [`Settlement::RequestExpired`]; otherwise the nullifier is recorded and the request
    /// consumed ([`Settlement::Accepted`]). On an error nothing is recorded.
    fn settle(
        &self,
        items: &[Settle],
        now: u64,
    ) -> impl Future<Output = Result<Vec<Settlement>, StoreError>> + Send;

    /// Whether `(scope, nullifier)` is recorded.
    fn has_nullifier(
        &self,
        scope: &str,
        nullifier: &[u8; 32],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A cheap round trip, for readiness checks.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The store's kind, for logs and metrics: `redb` or `postgres`.
    fn kind(&self) -> &'static str;
}

/// Settles `items` one after the other against a view of the store, as [`Store::settle`]
/// specifies. `nullifier_known` and `request` read the store as the batch has changed it so far;
/// the caller applies the returned writes. Both stores use it, so they decide alike.
pub(crate) fn decide<N, R>(
    items: &[Settle],
    now: u64,
    mut nullifier_known: N,
    mut request: R,
) -> Result<Vec<Settlement>, StoreError>
where
    N: FnMut(&Settle) -> Result<bool, StoreError>,
    R: FnMut(&str) -> Result<Option<(RequestState, u64)>, StoreError>,
{
    let mut out = Vec::with_capacity(items.len());
    let mut recorded = std::collections::HashSet::new();
    let mut consumed = std::collections::HashSet::new();
    for item in items {
        let key = (item.scope.as_str(), item.nullifier);
        if recorded.contains(&key) || nullifier_known(item)? {
            out.push(Settlement::Duplicate);
            continue;
        }
        let settlement = match request(&item.request_id)? {
            None => Settlement::UnknownRequest,
            Some(_) if consumed.contains(item.request_id.as_str()) => Settlement::RequestUsed,
            Some((RequestState::Consumed, _)) => Settlement::RequestUsed,
            Some((RequestState::Open, expires_at)) if expires_at <= now => {
                Settlement::RequestExpired
            }
            Some((RequestState::Open, _)) => {
                recorded.insert(key);
                consumed.insert(item.request_id.as_str());
                Settlement::Accepted
            }
        };
        out.push(settlement);
    }
    Ok(out)
}
