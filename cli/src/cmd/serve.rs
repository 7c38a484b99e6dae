//! `zkcred serve`: the platform's verification service (the `zkcred-service` crate).

use crate::exit::{classify, malformed, unavailable};
use anyhow::Result;
use clap::Args as ClapArgs;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use zkcred_service::batcher::BatchConfig;
use zkcred_service::{Config, Limits, Server, StoreConfig};

/// Arguments of `zkcred serve`.
#[derive(ClapArgs)]
pub struct Args {
    /// The keys directory (its verification_key.json and circuit_id are used).
    #[arg(long)]
    pub keys: PathBuf,
    /// The issuer's anchor ledger (re-read when it changes).
    #[arg(long)]
    pub ledger: PathBuf,
    /// The issuer whose credentials are accepted: its DID, whose key signs every ledger line
    /// (`zkcred issuer did --db` prints it).
    #[arg(long, value_parser = parse_issuer)]
    pub issuer: String,
    /// The platform key file (from `zkcred platform init`) that signs the requests.
    #[arg(long)]
    pub platform_key: PathBuf,
    /// The address to listen on (port 0: a free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A redb file (one service) or a postgres:// URL (replicas share it).
    #[arg(long, default_value = "zkcred-service.redb")]
    pub store: String,
    /// PostgreSQL connections per replica.
    #[arg(long, default_value_t = 16)]
    pub pg_connections: usize,
    /// The URL wallets reach this service at, for request URIs [default: http://<listen>].
    #[arg(long)]
    pub public_url: Option<String>,
    /// The most presentations verified in one batch.
    #[arg(long, default_value_t = 256)]
    pub batch_max: usize,
    /// The longest a presentation waits for others, in milliseconds.
    #[arg(long, default_value_t = 2)]
    pub batch_wait_ms: u64,
    /// Batches verified at the same time [default: the number of cores].
    #[arg(long)]
    pub workers: Option<usize>,
    /// How long a request stays answerable, in seconds (a caller may ask for less or more, up
    /// to a day).
    #[arg(long, default_value_t = 600)]
    pub request_ttl: u64,
    /// The root window in seconds.
    #[arg(long, default_value_t = zkcred_core::anchor::DEFAULT_WINDOW_SECS)]
    pub window: u64,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    pub body_limit: usize,
    /// The longest one HTTP request may take, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// HTTP requests handled at once (more wait).
    #[arg(long, default_value_t = 1024)]
    pub concurrency: usize,
    /// A file holding the bearer token that `POST /v1/requests` requires (the platform's
    /// backend sends `Authorization: Bearer <token>`; wallets need no token).
    #[arg(long)]
    pub admin_token_file: Option<PathBuf>,
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs `zkcred serve` until SIGINT or SIGTERM.
pub fn run(a: Args) -> Result<()> {
    if a.batch_max == 0 || a.concurrency == 0 || a.body_limit == 0 || a.timeout_ms == 0 {
        return Err(malformed(anyhow::anyhow!(
            "--batch-max, --concurrency, --body-limit and --timeout-ms must be positive"
        )));
    }
    let defaults = BatchConfig::default();
    let config = Config {
        keys: a.keys,
        ledger: a.ledger,
        issuer: a.issuer,
        platform_key: a.platform_key,
        listen: a.listen,
        public_url: a.public_url,
        store: StoreConfig::parse(&a.store, a.pg_connections),
        batch: BatchConfig {
            max_batch: a.batch_max,
            max_wait: Duration::from_millis(a.batch_wait_ms),
            workers: a.workers.unwrap_or(defaults.workers).max(1),
        },
        limits: Limits {
            body_bytes: a.body_limit,
            timeout: Duration::from_millis(a.timeout_ms),
            concurrency: a.concurrency,
            ..Limits::default()
        },
        request_ttl: Duration::from_secs(a.request_ttl),
        window: a.window,
        admin_token_file: a.admin_token_file,
    };
    let open_creation = config.admin_token_file.is_none();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| unavailable(anyhow::anyhow!("starting the runtime: {e}")))?;
    runtime.block_on(async move {
        let store = match &config.store {
            StoreConfig::Redb(p) => format!("redb {}", p.display()),
            StoreConfig::Postgres { .. } => "postgres".to_string(),
        };
        let batch = config.batch;
        let server = Server::bind(config).await.map_err(classify)?;
        let addr = server.local_addr().map_err(|e| unavailable(anyhow::anyhow!(e)))?;
        println!(
            "zkcred serve: listening on http://{addr} (store {store}; batches of up to {} or {} ms, {} at once)",
            batch.max_batch,
            batch.max_wait.as_millis(),
            batch.workers
        );
        if open_creation {
            eprintln!(
                "zkcred serve: warning: POST /v1/requests needs no token (--admin-token-file): \
                 anyone who can reach {addr} can have requests signed with the platform key"
            );
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        server.run(shutdown_signal()).await.map_err(classify)?;
        println!("zkcred serve: stopped");
        Ok(())
    })
}

/// `--issuer`: an issuer DID in its one canonical form.
fn parse_issuer(s: &str) -> Result<String, String> {
    zkcred_core::did::IssuerDid::parse(s)
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}
