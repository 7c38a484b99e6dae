//! The embedded store: one redb file, for a service on one machine.
//!
//! Writes go through one writer thread that takes every write waiting when it is free, applies
//! them in arrival order in one write transaction and commits once (group commit): the cost of
//! a durable commit is shared by everything that arrived meanwhile, and the writes are
//! serialised, so [`super::decide`] sees each earlier write of the same transaction. If a group
//! fails, its writes are retried one transaction each, so one bad write cannot fail others.
//! Reads use their own read transactions and never wait for the writer.

use super::{decide, RequestState, Settle, Settlement, Store, StoreError, StoredRequest};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use std::path::Path;
use std::sync::{mpsc, Arc};
use tokio::sync::oneshot;

/// Request id → (document, created_at, expires_at, state: 0 open, 1 consumed).
const REQUESTS: TableDefinition<&str, (&str, u64, u64, u8)> = TableDefinition::new("requests");
/// (scope, nullifier) → the id of the request it was accepted for.
const NULLIFIERS: TableDefinition<(&str, &[u8; 32]), &str> = TableDefinition::new("nullifiers");

/// The most writes one group commit takes.
const MAX_GROUP: usize = 4096;

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(e.to_string())
}

fn state_code(s: RequestState) -> u8 {
    match s {
        RequestState::Open => 0,
        RequestState::Consumed => 1,
    }
}

fn state_of(code: u8) -> Result<RequestState, StoreError> {
    match code {
        0 => Ok(RequestState::Open),
        1 => Ok(RequestState::Consumed),
        c => Err(StoreError::Corrupt(format!("request state code {c}"))),
    }
}

enum Write {
    Put(
        StoredRequest,
        oneshot::Sender<Result<(StoredRequest, bool), StoreError>>,
    ),
    Settle(
        Vec<Settle>,
        u64,
        oneshot::Sender<Result<Vec<Settlement>, StoreError>>,
    ),
}

/// What one write did, before its transaction commits.
enum Done {
    Put((StoredRequest, bool)),
    Settle(Vec<Settlement>),
}

/// The redb store (see the module docs).
pub struct RedbStore {
    db: Arc<Database>,
    /// `None` only while dropping.
    writes: Option<mpsc::Sender<Write>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for RedbStore {
    /// Stops the writer after the writes already sent, and waits for it, so that the file is
    /// closed (and can be opened again) once the store is dropped.
    fn drop(&mut self) {
        drop(self.writes.take());
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

impl RedbStore {
    /// Opens the store at `path`, creating it if needed. Fails if another process has it open
    /// (redb locks the file): replicas need [`super::PgStore`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Open(format!(
                "{} is open in another process (one service per redb file; use PostgreSQL for replicas)",
                path.display()
            )),
            e => StoreError::Open(format!("{}: {e}", path.display())),
        })?;
        let txn = db.begin_write().map_err(failed)?;
        txn.open_table(REQUESTS).map_err(failed)?;
        txn.open_table(NULLIFIERS).map_err(failed)?;
        txn.commit().map_err(failed)?;
        let db = Arc::new(db);
        let (writes, queue) = mpsc::channel();
        let writer_db = db.clone();
        let writer = std::thread::Builder::new()
            .name("zkcred-redb-writer".into())
            .spawn(move || writer(&writer_db, queue))
            .map_err(|e| StoreError::Open(format!("starting the writer thread: {e}")))?;
        Ok(Self {
            db,
            writes: Some(writes),
            writer: Some(writer),
        })
    }

    async fn write<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> Write,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        (self.writes.as_ref())
            .ok_or_else(|| failed("the store is closing"))?
            .send(make(tx))
            .map_err(|_| failed("the writer thread has stopped"))?;
        rx.await
            .map_err(|_| failed("the writer thread has stopped"))?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(failed)?
    }
}

fn writer(db: &Database, queue: mpsc::Receiver<Write>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(w) => group.push(w),
                Err(_) => break,
            }
        }
        match apply_all(db, &group) {
            Ok(done) => {
                for (w, d) in group.into_iter().zip(done) {
                    answer(w, Ok(d));
                }
            }
            // One transaction per write, so that a failing write fails alone.
            Err(_) if group.len() > 1 => {
                for w in group {
                    let r = apply_all(db, std::slice::from_ref(&w)).map(|mut d| d.remove(0));
                    answer(w, r);
                }
            }
            Err(e) => {
                for w in group {
                    answer(w, Err(StoreError::Failed(e.to_string())));
                }
            }
        }
    }
}

fn answer(w: Write, r: Result<Done, StoreError>) {
    // A dropped receiver is a caller that went away: nothing to tell.
    match (w, r) {
        (Write::Put(_, tx), Ok(Done::Put(s))) => drop(tx.send(Ok(s))),
        (Write::Settle(_, _, tx), Ok(Done::Settle(s))) => drop(tx.send(Ok(s))),
        (Write::Put(_, tx), Err(e)) => drop(tx.send(Err(e))),
        (Write::Settle(_, _, tx), Err(e)) => drop(tx.send(Err(e))),
        (Write::Put(_, tx), Ok(_)) => drop(tx.send(Err(failed("internal: mismatched answer")))),
        (Write::Settle(_, _, tx), Ok(_)) => {
            drop(tx.send(Err(failed("internal: mismatched answer"))))
        }
    }
}

fn apply_all(db: &Database, group: &[Write]) -> Result<Vec<Done>, StoreError> {
    let txn = db.begin_write().map_err(failed)?;
    let mut done = Vec::with_capacity(group.len());
    for w in group {
        done.push(match w {
            Write::Put(r, _) => Done::Put(put(&txn, r)?),
            Write::Settle(items, now, _) => Done::Settle(settle(&txn, items, *now)?),
        });
    }
    txn.commit().map_err(failed)?;
    Ok(done)
}

fn read_request(
    table: &impl ReadableTable<&'static str, (&'static str, u64, u64, u8)>,
    id: &str,
) -> Result<Option<StoredRequest>, StoreError> {
    let Some(v) = table.get(id).map_err(failed)? else {
        return Ok(None);
    };
    let (document, created_at, expires_at, state) = v.value();
    Ok(Some(StoredRequest {
        id: id.to_string(),
        document: document.to_string(),
        created_at,
        expires_at,
        state: state_of(state)?,
    }))
}

fn put(txn: &WriteTransaction, r: &StoredRequest) -> Result<(StoredRequest, bool), StoreError> {
    let mut table = txn.open_table(REQUESTS).map_err(failed)?;
    if let Some(existing) = read_request(&table, &r.id)? {
        return Ok((existing, false));
    }
    let value = (
        r.document.as_str(),
        r.created_at,
        r.expires_at,
        state_code(r.state),
    );
    table.insert(r.id.as_str(), value).map_err(failed)?;
    Ok((r.clone(), true))
}

fn settle(
    txn: &WriteTransaction,
    items: &[Settle],
    now: u64,
) -> Result<Vec<Settlement>, StoreError> {
    let mut requests = txn.open_table(REQUESTS).map_err(failed)?;
    let mut nullifiers = txn.open_table(NULLIFIERS).map_err(failed)?;
    let decided = decide(
        items,
        now,
        |s| {
            Ok(nullifiers
                .get((s.scope.as_str(), &s.nullifier))
                .map_err(failed)?
                .is_some())
        },
        |id| Ok(read_request(&requests, id)?.map(|r| (r.state, r.expires_at))),
    )?;
    for (item, d) in items.iter().zip(&decided) {
        if *d != Settlement::Accepted {
            continue;
        }
        nullifiers
            .insert(
                (item.scope.as_str(), &item.nullifier),
                item.request_id.as_str(),
            )
            .map_err(failed)?;
        let r = read_request(&requests, &item.request_id)?
            .ok_or_else(|| failed("internal: an accepted request vanished"))?;
        let value = (
            r.document.as_str(),
            r.created_at,
            r.expires_at,
            state_code(RequestState::Consumed),
        );
        requests
            .insert(item.request_id.as_str(), value)
            .map_err(failed)?;
    }
    Ok(decided)
}

impl Store for RedbStore {
    async fn put_request(
        &self,
        request: StoredRequest,
    ) -> Result<(StoredRequest, bool), StoreError> {
        self.write(|tx| Write::Put(request, tx)).await
    }

    async fn get_request(&self, id: &str) -> Result<Option<StoredRequest>, StoreError> {
        let id = id.to_string();
        self.read(move |db| {
            let txn = db.begin_read().map_err(failed)?;
            read_request(&txn.open_table(REQUESTS).map_err(failed)?, &id)
        })
        .await
    }

    async fn settle(&self, items: &[Settle], now: u64) -> Result<Vec<Settlement>, StoreError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let items = items.to_vec();
        self.write(|tx| Write::Settle(items, now, tx)).await
    }

    async fn has_nullifier(&self, scope: &str, nullifier: &[u8; 32]) -> Result<bool, StoreError> {
        let (scope, nullifier) = (scope.to_string(), *nullifier);
        self.read(move |db| {
            let txn = db.begin_read().map_err(failed)?;
            let table = txn.open_table(NULLIFIERS).map_err(failed)?;
            let found = table.get((scope.as_str(), &nullifier)).map_err(failed)?;
            Ok(found.is_some())
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|db| db.begin_read().map(drop).map_err(failed))
            .await
    }

    fn kind(&self) -> &'static str {
        "redb"
    }
}
