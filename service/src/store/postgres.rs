//! The shared store: PostgreSQL, for replicas.
//!
//! Two tables (`zkcred_requests`, `zkcred_nullifiers` with `PRIMARY KEY (scope, nullifier)`),
//! created by versioned migrations run at start under an advisory lock, so replicas starting
//! together migrate once. [`Store::settle`] is one transaction per batch:
//!
//! 1. lock the batch's request rows (`SELECT … FOR UPDATE`, in id order, so two replicas never
//!    deadlock on them);
//! 2. read which of the batch's nullifiers are already recorded;
//! 3. decide every item with [`super::decide`], as the redb store does;
//! 4. insert the accepted nullifiers, sorted, with `ON CONFLICT DO NOTHING`; a nullifier that
//!    another replica committed between steps 2 and 4 does not insert: the transaction is
//!    rolled back and the batch decided again (it is then a duplicate);
//! 5. mark the accepted requests consumed, commit.
//!
//! The `UNIQUE` key is what makes "at most one acceptance per nullifier" hold across replicas;
//! the row locks make "a request is consumed once" hold. Deadlocks and serialization failures
//! are retried.

use super::{decide, RequestState, Settle, Settlement, Store, StoreError, StoredRequest};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

/// The migrations, in order; each runs once, in its own transaction.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE zkcred_requests (
        id TEXT PRIMARY KEY,
        document TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'consumed'))
    );
    CREATE TABLE zkcred_nullifiers (
        scope TEXT NOT NULL,
        nullifier BYTEA NOT NULL CHECK (length(nullifier) = 32),
        request_id TEXT NOT NULL REFERENCES zkcred_requests (id),
        accepted_at BIGINT NOT NULL,
        PRIMARY KEY (scope, nullifier)
    );
"];

/// The advisory lock key under which migrations run ("zkcred" in ASCII).
const MIGRATION_LOCK: i64 = 0x7a6b_6372_6564;

/// How often a batch is retried after a deadlock, a serialization failure or a lost race.
const SETTLE_ATTEMPTS: usize = 8;

fn pg(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) => StoreError::Failed(format!("{}: {}", db.code().code(), db.message())),
        None => StoreError::Failed(e.to_string()),
    }
}

fn retryable(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
    )
}

fn secs(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

fn unsecs(t: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(t).map_err(|_| StoreError::Corrupt(format!("{what} {t}")))
}

/// The PostgreSQL store (see the module docs).
pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`, or `host=/path/to/socket …`) with
    /// up to `connections` connections, and runs the migrations that have not run.
    pub async fn connect(url: &str, connections: usize) -> Result<Self, StoreError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Open(format!("the PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(connections.max(1))
            .build()
            .map_err(|e| StoreError::Open(e.to_string()))?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Failed(format!("no PostgreSQL connection: {e}")))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self
            .pool
            .get()
            .await
            .map_err(|e| StoreError::Open(format!("connecting to PostgreSQL: {e}")))?;
        let open = |e: tokio_postgres::Error| StoreError::Open(format!("migrating: {}", pg(e)));
        let txn = client.transaction().await.map_err(open)?;
        txn.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(open)?;
        txn.batch_execute(
            "CREATE TABLE IF NOT EXISTS zkcred_migrations (
                version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await
        .map_err(open)?;
        let row = txn
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM zkcred_migrations",
                &[],
            )
            .await
            .map_err(open)?;
        let done: i32 = row.get(0);
        let done = usize::try_from(done)
            .map_err(|_| StoreError::Corrupt(format!("migration version {done}")))?;
        if done > MIGRATIONS.len() {
            return Err(StoreError::Open(format!(
                "the database is at migration {done}, this build knows {}: a newer zkcred made it",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
            txn.batch_execute(sql).await.map_err(open)?;
            let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
            txn.execute(
                "INSERT INTO zkcred_migrations (version) VALUES ($1)",
                &[&version],
            )
            .await
            .map_err(open)?;
        }
        txn.commit().await.map_err(open)
    }

    /// One attempt at settling a batch.
    async fn try_settle(&self, items: &[Settle], now: u64) -> Result<Vec<Settlement>, Retry> {
        let mut client = self.client().await.map_err(Retry::Fail)?;
        let txn = client.transaction().await?;
        let mut ids: Vec<&str> = items.iter().map(|i| i.request_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = txn
            .query(
                "SELECT id, state, expires_at FROM zkcred_requests WHERE id = ANY($1)
                 ORDER BY id FOR UPDATE",
                &[&ids],
            )
            .await?;
        let mut requests = HashMap::new();
        for row in rows {
            let id: String = row.get(0);
            let state: String = row.get(1);
            let expires_at: i64 = row.get(2);
            requests.insert(id, (state, expires_at));
        }
        let scopes: Vec<&str> = items.iter().map(|i| i.scope.as_str()).collect();
        let nullifiers: Vec<&[u8]> = items.iter().map(|i| &i.nullifier[..]).collect();
        let rows = txn
            .query(
                "SELECT n.scope, n.nullifier FROM zkcred_nullifiers n
                 JOIN unnest($1::text[], $2::bytea[]) AS u(scope, nullifier)
                 USING (scope, nullifier)",
                &[&scopes, &nullifiers],
            )
            .await?;
        let known: HashSet<(String, Vec<u8>)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let decided = decide(
            items,
            now,
            |s| Ok(known.contains(&(s.scope.clone(), s.nullifier.to_vec()))),
            |id| match requests.get(id) {
                None => Ok(None),
                Some((state, expires_at)) => Ok(Some((
                    RequestState::parse(state)?,
                    unsecs(*expires_at, "expires_at")?,
                ))),
            },
        )
        .map_err(Retry::Fail)?;
        let mut accepted: Vec<&Settle> = (items.iter().zip(&decided))
            .filter(|(_, d)| **d == Settlement::Accepted)
            .map(|(i, _)| i)
            .collect();
        if !accepted.is_empty() {
            accepted.sort_unstable_by(|a, b| (&a.scope, a.nullifier).cmp(&(&b.scope, b.nullifier)));
            let scopes: Vec<&str> = accepted.iter().map(|i| i.scope.as_str()).collect();
            let nullifiers: Vec<&[u8]> = accepted.iter().map(|i| &i.nullifier[..]).collect();
            let ids: Vec<&str> = accepted.iter().map(|i| i.request_id.as_str()).collect();
            let inserted = txn
                .execute(
                    "INSERT INTO zkcred_nullifiers (scope, nullifier, request_id, accepted_at)
                     SELECT u.scope, u.nullifier, u.request_id, $4
                     FROM unnest($1::text[], $2::bytea[], $3::text[])
                          WITH ORDINALITY AS u(scope, nullifier, request_id, ord)
                     ORDER BY u.ord
                     ON CONFLICT DO NOTHING",
                    &[&scopes, &nullifiers, &ids, &secs(now)],
                )
                .await?;
            if inserted != accepted.len() as u64 {
                txn.rollback().await?;
                return Err(Retry::Again("lost a race with another replica".into()));
            }
            txn.execute(
                "UPDATE zkcred_requests SET state = 'consumed' WHERE id = ANY($1)",
                &[&ids],
            )
            .await?;
        }
        txn.commit().await?;
        Ok(decided)
    }
}

/// Why a settling attempt did not finish.
enum Retry {
    /// Decide the batch again: a deadlock, a serialization failure or a lost race.
    Again(String),
    /// Give up.
    Fail(StoreError),
}

impl From<tokio_postgres::Error> for Retry {
    fn from(e: tokio_postgres::Error) -> Self {
        if retryable(&e) {
            Retry::Again(pg(e).to_string())
        } else {
            Retry::Fail(pg(e))
        }
    }
}

impl Store for PgStore {
    async fn put_request(&self, r: StoredRequest) -> Result<(StoredRequest, bool), StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "WITH ins AS (
                    INSERT INTO zkcred_requests (id, document, created_at, expires_at, state)
                    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING
                    RETURNING id, document, created_at, expires_at, state)
                 SELECT id, document, created_at, expires_at, state, true FROM ins
                 UNION ALL
                 SELECT id, document, created_at, expires_at, state, false FROM zkcred_requests
                 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM ins)",
                &[
                    &r.id,
                    &r.document,
                    &secs(r.created_at),
                    &secs(r.expires_at),
                    &r.state.as_str(),
                ],
            )
            .await
            .map_err(pg)?;
        if let Some(row) = row {
            return Ok((request_of(&row)?, row.get(5)));
        }
        // Another replica inserted the same id after this statement's snapshot was taken:
        // the row is committed now.
        let row = client
            .query_one(
                "SELECT id, document, created_at, expires_at, state FROM zkcred_requests
                 WHERE id = $1",
                &[&r.id],
            )
            .await
            .map_err(pg)?;
        Ok((request_of(&row)?, false))
    }

    async fn get_request(&self, id: &str) -> Result<Option<StoredRequest>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT id, document, created_at, expires_at, state FROM zkcred_requests
                 WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(pg)?;
        row.as_ref().map(request_of).transpose()
    }

    async fn settle(&self, items: &[Settle], now: u64) -> Result<Vec<Settlement>, StoreError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let mut last = String::from("no attempt");
        for _ in 0..SETTLE_ATTEMPTS {
            match self.try_settle(items, now).await {
                Ok(decided) => return Ok(decided),
                Err(Retry::Again(why)) => last = why,
                Err(Retry::Fail(e)) => return Err(e),
            }
        }
        Err(StoreError::Failed(format!(
            "settling a batch failed {SETTLE_ATTEMPTS} times; last: {last}"
        )))
    }

    async fn has_nullifier(&self, scope: &str, nullifier: &[u8; 32]) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT 1 FROM zkcred_nullifiers WHERE scope = $1 AND nullifier = $2",
                &[&scope, &&nullifier[..]],
            )
            .await
            .map_err(pg)?;
        Ok(row.is_some())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map_err(pg)?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }
}

fn request_of(row: &tokio_postgres::Row) -> Result<StoredRequest, StoreError> {
    let state: String = row.get(4);
    Ok(StoredRequest {
        id: row.get(0),
        document: row.get(1),
        created_at: unsecs(row.get(2), "created_at")?,
        expires_at: unsecs(row.get(3), "expires_at")?,
        state: RequestState::parse(&state)?,
    })
}
