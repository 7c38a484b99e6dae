//! The zkcred verification service: what a platform runs next to its backend.
//!
//! `zkcred serve` ([`Server`]) answers, over HTTP/JSON (`docs/service.md`, the OpenAPI
//! document in `service/openapi.json`):
//!
//! - `POST /v1/requests`: the platform asks for a new request; the service builds it from a
//!   preset or a policy, signs it with the platform key and stores it, single use, with a TTL;
//! - `GET /v1/requests/{id}` (what a wallet fetches) and `GET /v1/requests/{id}/qr.png`;
//! - `POST /v1/presentations`: a holder's proof envelope, verified in a micro-batch
//!   ([`batcher`]) and settled in the store ([`store`]): accepted once per nullifier per scope;
//! - `GET /v1/roots`, `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /v1/openapi.json`.
//!
//! Hostile clients meet a body size limit, a per-request timeout and a bound on concurrent
//! requests; every error is a JSON `{"error": {"code", "message"}}` with a 4xx status (503
//! when the store is down), never a panic and never an internal detail.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod anchors;
mod api;
pub mod batcher;
pub mod load;
pub mod metrics;
mod qr;
pub mod store;
pub mod temp_postgres;

use crate::anchors::Anchors;
use crate::batcher::BatchConfig;
use crate::metrics::Metrics;
use crate::store::{PgStore, RedbStore, Store, StoreError};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use thiserror::Error;
use zkcred_core::anchor::AnchorError;
use zkcred_verifier::keys::KeysError;
use zkcred_verifier::{PlatformKey, PreparedVerifyingKey, Request};

/// The committed OpenAPI 3.1 document of the service's API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Why the service could not start or stopped.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// The verifying key could not be read.
    #[error("keys: {0}")]
    Keys(#[from] KeysError),
    /// The anchor ledger could not be read.
    #[error("anchors: {0}")]
    Anchors(#[from] AnchorError),
    /// The platform key file could not be read.
    #[error("platform key {path}: {reason}")]
    PlatformKey {
        /// The file.
        path: PathBuf,
        /// What is wrong (never the key).
        reason: String,
    },
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The listening socket could not be opened or served.
    #[error("listening on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A setting is invalid.
    #[error("invalid setting: {0}")]
    Config(String),
}

impl zkcred_core::Classify for ServiceError {
    fn kind(&self) -> zkcred_core::ErrorKind {
        use zkcred_core::ErrorKind;
        match self {
            ServiceError::Store(_) | ServiceError::Listen { .. } => ErrorKind::Unavailable,
            _ => ErrorKind::Malformed,
        }
    }
}

/// Where requests and nullifiers are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// An embedded redb file (one service per file).
    Redb(PathBuf),
    /// A PostgreSQL URL (`postgres://…`), shared by replicas, with a connection count.
    Postgres {
        /// The connection URL.
        url: String,
        /// Pool size.
        connections: usize,
    },
}

impl StoreConfig {
    /// `postgres://…` or `postgresql://…` is PostgreSQL (with `connections` connections);
    /// anything else is a redb file path.
    pub fn parse(s: &str, connections: usize) -> Self {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            StoreConfig::Postgres {
                url: s.to_string(),
                connections,
            }
        } else {
            StoreConfig::Redb(PathBuf::from(s))
        }
    }
}

/// Limits that protect the service from hostile or broken clients.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest request body accepted, in bytes.
    pub body_bytes: usize,
    /// The longest one HTTP request may take, body included.
    pub timeout: Duration,
    /// HTTP requests handled at once; more wait (until their timeout).
    pub concurrency: usize,
    /// Presentations queued for the batcher at most; more wait.
    pub queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 64 * 1024,
            timeout: Duration::from_secs(10),
            concurrency: 1024,
            queue: 8192,
        }
    }
}

/// Everything `zkcred serve` needs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The keys directory (its `verification_key.json` and `circuit_id`).
    pub keys: PathBuf,
    /// The issuer's anchor ledger.
    pub ledger: PathBuf,
    /// The issuer's DID (a `did:key`, or a chain issuer's `did:pkh`; its key signs every ledger
    /// line): the one issuer whose credentials the service accepts.
    pub issuer: String,
    /// The platform key file that signs requests (secret; from `zkcred platform init`).
    pub platform_key: PathBuf,
    /// The listening address (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The URL wallets reach the service at, for request URIs [default: `http://<listen>`].
    pub public_url: Option<String>,
    /// The store.
    pub store: StoreConfig,
    /// Micro-batching.
    pub batch: BatchConfig,
    /// Client limits.
    pub limits: Limits,
    /// How long a request stays answerable by default.
    pub request_ttl: Duration,
    /// The root window, seconds.
    pub window: u64,
    /// A file holding the bearer token `POST /v1/requests` requires (the platform's backend
    /// has it; wallets do not need it). Without one, anyone who can reach the service can have
    /// requests signed with the platform key: keep it on a private address then.
    pub admin_token_file: Option<PathBuf>,
}

/// The longest TTL a request may have: one day.
pub const MAX_TTL_SECS: u64 = 86_400;

/// State shared by the HTTP handlers and the batcher.
pub(crate) struct Shared<S> {
    pub(crate) store: S,
    pub(crate) pvk: Arc<PreparedVerifyingKey>,
    pub(crate) platform_key: PlatformKey,
    pub(crate) anchors: Anchors,
    pub(crate) metrics: Metrics,
    pub(crate) window: u64,
    pub(crate) request_ttl: Duration,
    pub(crate) public_url: String,
    /// The bearer token for `POST /v1/requests`, if one is required.
    pub(crate) admin_token: Option<zeroize::Zeroizing<String>>,
    /// Parsed requests by id (requests never change; their state is the store's).
    pub(crate) requests: Mutex<HashMap<String, (Arc<Request>, u64)>>,
}

/// The most parsed requests kept in memory.
const REQUEST_CACHE: usize = 200_000;

impl<S: Store> Shared<S> {
    pub(crate) fn remember(&self, request: Arc<Request>, expires_at: u64) {
        let mut m = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= REQUEST_CACHE {
            let now = zkcred_core::clock::now_unix();
            m.retain(|_, (_, exp)| *exp > now);
            if m.len() >= REQUEST_CACHE {
                m.clear();
            }
        }
        m.insert(request.id().to_string(), (request, expires_at));
    }

    pub(crate) fn cached(&self, id: &str) -> Option<Arc<Request>> {
        let m = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        m.get(id).map(|(r, _)| r.clone())
    }
}

/// A bound service, ready to run.
pub struct Server {
    listener: tokio::net::TcpListener,
    inner: Inner,
    batch: BatchConfig,
    limits: Limits,
}

enum Inner {
    Redb(Arc<Shared<RedbStore>>),
    Postgres(Arc<Shared<PgStore>>),
}

impl Server {
    /// Reads the keys, the ledger and the platform key, opens (and migrates) the store and
    /// binds the listening socket.
    pub async fn bind(config: Config) -> Result<Self, ServiceError> {
        let vk = zkcred_verifier::keys::read_verifying_key(&config.keys)?;
        vk.expect_public_inputs(zkcred_core::statement::NUM_PUBLIC_INPUTS)
            .map_err(|e| ServiceError::Config(format!("{}: {e}", config.keys.display())))?;
        let pvk = Arc::new(vk.prepare());
        let anchors = Anchors::load(&config.ledger, &config.issuer)?;
        let platform_key = read_platform_key(&config.platform_key)?;
        if config.request_ttl.is_zero() || config.request_ttl.as_secs() > MAX_TTL_SECS {
            return Err(ServiceError::Config(format!(
                "the request TTL must be 1 to {MAX_TTL_SECS} seconds"
            )));
        }
        let admin_token = config
            .admin_token_file
            .as_deref()
            .map(read_admin_token)
            .transpose()?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServiceError::Listen {
                addr: config.listen,
                source,
            })?;
        let local = listener
            .local_addr()
            .map_err(|source| ServiceError::Listen {
                addr: config.listen,
                source,
            })?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}"))
            .trim_end_matches('/')
            .to_string();
        macro_rules! shared {
            ($store:expr) => {
                Arc::new(Shared {
                    store: $store,
                    pvk,
                    platform_key,
                    anchors,
                    metrics: Metrics::default(),
                    window: config.window,
                    request_ttl: config.request_ttl,
                    public_url,
                    admin_token,
                    requests: Mutex::new(HashMap::new()),
                })
            };
        }
        let inner = match &config.store {
            StoreConfig::Redb(path) => Inner::Redb(shared!(RedbStore::open(path)?)),
            StoreConfig::Postgres { url, connections } => {
                Inner::Postgres(shared!(PgStore::connect(url, *connections).await?))
            }
        };
        Ok(Self {
            listener,
            inner,
            batch: config.batch,
            limits: config.limits,
        })
    }

    /// The address the service listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then stops taking connections, finishes the
    /// requests and batches in flight, and returns.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServiceError> {
        let addr = self.local_addr().map_err(|source| ServiceError::Listen {
            addr: ([127, 0, 0, 1], 0).into(),
            source,
        })?;
        let result = match self.inner {
            Inner::Redb(s) => api::run(self.listener, s, self.batch, self.limits, shutdown).await,
            Inner::Postgres(s) => {
                api::run(self.listener, s, self.batch, self.limits, shutdown).await
            }
        };
        result.map_err(|source| ServiceError::Listen { addr, source })
    }
}

fn read_admin_token(path: &std::path::Path) -> Result<zeroize::Zeroizing<String>, ServiceError> {
    let text =
        zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            ServiceError::Config(format!("admin token file {}: {e}", path.display()))
        })?);
    let token = zeroize::Zeroizing::new(text.trim().to_string());
    if token.len() < 16 || token.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err(ServiceError::Config(format!(
            "admin token file {}: the token must be at least 16 printable ASCII characters",
            path.display()
        )));
    }
    Ok(token)
}

fn read_platform_key(path: &std::path::Path) -> Result<PlatformKey, ServiceError> {
    let bad = |reason: String| ServiceError::PlatformKey {
        path: path.to_path_buf(),
        reason,
    };
    let text =
        zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?);
    PlatformKey::from_json(&text).map_err(|e| bad(e.to_string()))
}
