//! The durable nullifier store: one verified account per holder per scope.
//!
//! A redb database with one table whose keys are `scope_hash ‖ nullifier` (two 32-byte
//! big-endian field elements). [`NullifierStore::record`] looks the key up and inserts it in
//! the same write transaction, and redb serialises write transactions, so two verifications of
//! the same nullifier cannot both succeed; a committed record survives a crash (redb commits
//! are durable by default). The file is locked while open; [`NullifierStore::open_waiting`] lets
//! concurrent verifiers take turns instead of failing.

use crate::error::{Error, Result};
use redb::{Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;
use std::time::{Duration, Instant};
use zkcred_core::encoding::fr_to_be_bytes;
use zkcred_core::lock_wait::retry_while_busy;
use zkcred_core::scope::scope_hash;
use zkcred_core::Fr;

const NULLIFIERS: TableDefinition<&[u8; 64], ()> = TableDefinition::new("nullifiers");

fn store_err(e: impl Into<redb::Error>) -> Error {
    Error::from(e.into())
}

fn key(scope: &str, nullifier: Fr) -> [u8; 64] {
    let mut k = [0u8; 64];
    k[..32].copy_from_slice(&fr_to_be_bytes(&scope_hash(scope)));
    k[32..].copy_from_slice(&fr_to_be_bytes(&nullifier));
    k
}

/// Creates an empty store at `path`: initialized under a temporary name and linked into place
/// only when complete (`zkcred_core::atomic_file::create_new_with`), so a crash during creation
/// never leaves a file that is not a store. If another verifier created it first, that one wins.
fn create(path: &Path) -> Result<()> {
    let init = |tmp: &Path| -> std::io::Result<()> {
        let db = Database::create(tmp).map_err(std::io::Error::other)?;
        let txn = db.begin_write().map_err(std::io::Error::other)?;
        txn.open_table(NULLIFIERS).map_err(std::io::Error::other)?;
        txn.commit().map_err(std::io::Error::other)
    };
    match zkcred_core::atomic_file::create_new_with(path, 0o644, init) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::Store(format!("creating {}: {e}", path.display()))),
    }
}

/// Nullifiers already used, per scope, on disk.
#[derive(Debug)]
pub struct NullifierStore {
    db: Database,
}

impl NullifierStore {
    /// Opens the store at `path`, creating it if the file does not exist. A store that another
    /// process has open fails at once with [`Error::StoreBusy`]; [`NullifierStore::open_waiting`]
    /// waits for it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_waiting(path, Duration::ZERO)
    }

    /// Opens (or creates) the store at `path` like [`NullifierStore::open`], waiting up to
    /// `lock_timeout` for another process to close it (see `zkcred_core::lock_wait`); fails with
    /// [`Error::StoreBusy`] if it is still open after that.
    pub fn open_waiting(path: impl AsRef<Path>, lock_timeout: Duration) -> Result<Self> {
        let path = path.as_ref();
        if std::fs::symlink_metadata(path).is_err() {
            create(path)?;
        }
        let start = Instant::now();
        let db = retry_while_busy(
            lock_timeout,
            || Database::open(path),
            |e| matches!(e, DatabaseError::DatabaseAlreadyOpen),
        )
        .map_err(|e| match e {
            DatabaseError::DatabaseAlreadyOpen => Error::StoreBusy {
                path: path.display().to_string(),
                waited_ms: start.elapsed().as_millis(),
            },
            e => store_err(e),
        })?;
        // A store made elsewhere may lack the table: create it so that readers never miss it.
        let txn = db.begin_write().map_err(store_err)?;
        txn.open_table(NULLIFIERS).map_err(store_err)?;
        txn.commit().map_err(store_err)?;
        Ok(Self { db })
    }

    /// Records `nullifier` as used in `scope`, atomically: fails with
    /// [`Error::NullifierReused`] (and changes nothing) if it already is.
    pub fn record(&self, scope: &str, nullifier: Fr) -> Result<()> {
        let k = key(scope, nullifier);
        let txn = self.db.begin_write().map_err(store_err)?;
        let used = {
            let mut table = txn.open_table(NULLIFIERS).map_err(store_err)?;
            let used = table.get(&k).map_err(store_err)?.is_some();
            if !used {
                table.insert(&k, ()).map_err(store_err)?;
            }
            used
        };
        if used {
            txn.abort().map_err(store_err)?;
            return Err(Error::NullifierReused {
                scope: scope.to_string(),
            });
        }
        txn.commit().map_err(store_err)
    }

    /// Whether `nullifier` is already used in `scope`.
    pub fn contains(&self, scope: &str, nullifier: Fr) -> Result<bool> {
        let txn = self.db.begin_read().map_err(store_err)?;
        let table = txn.open_table(NULLIFIERS).map_err(store_err)?;
        let found = table.get(&key(scope, nullifier)).map_err(store_err)?;
        Ok(found.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn a_locked_store_is_waited_for_then_reported_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seen.redb");
        let held = NullifierStore::open(&path).unwrap();
        held.record("s", Fr::from(7u64)).unwrap();
        let e = NullifierStore::open_waiting(&path, Duration::from_millis(50)).unwrap_err();
        assert!(matches!(e, Error::StoreBusy { .. }), "{e}");
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        assert!(e.to_string().contains("seen.redb"), "{e}");
        let closer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            drop(held);
        });
        let store = NullifierStore::open_waiting(&path, Duration::from_secs(60)).unwrap();
        closer.join().unwrap();
        assert!(store.contains("s", Fr::from(7u64)).unwrap());
    }
}
