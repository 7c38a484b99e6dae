//! The issuer database: one redb file holding the tree, the credential records and the meta data.
//!
//! Every change (an issuance, a bulk batch, a revocation) is one redb write transaction that
//! writes the changed leaves, all their changed ancestors, the records and the counters together.
//! redb commits a transaction atomically and durably (`Durability::Immediate`: the commit returns
//! after the data is on disk), so after a crash the file holds exactly the transactions that had
//! committed: no issued credential whose transaction committed is lost, and the tree is never
//! half-updated. Opening reads the stored root; nothing is recomputed.

use crate::draft::{Draft, IssueContext};
use crate::error::{IssuerError, Result};
use crate::record::CredentialRecord;
use crate::sink::CredentialSink;
use crate::tables::{
    read_node, read_u64, CREDENTIALS, FORMAT_MARKER, FORMAT_VERSION, META, META_DID, META_FORMAT,
    META_ISSUED, META_NEXT_INDEX, META_REVOKED, META_SIGNING_KEY, META_VERSION, NODES,
};
use crate::tree::{read_path, set_run};
use rand::{CryptoRng, RngCore};
use redb::{Database, ReadableDatabase, ReadableTable, TableError, WriteTransaction};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zkcred_core::anchor::{AnchorEntry, Ledger};
use zkcred_core::clock::now_unix;
use zkcred_core::credential::random_salt;
use zkcred_core::credential::{validate_schema, Credential};
use zkcred_core::did::{EntrySigner, IssuerDid, IssuerKey};
use zkcred_core::lock_wait::retry_while_busy;
use zkcred_core::path_document::PathDocument;
use zkcred_core::schema::Schema;
use zkcred_core::tree::{check_index, LeafIndex, MerklePath, CAPACITY, DEPTH};
use zkcred_core::Fr;

/// The issuer's durable state (see the module docs).
///
/// The file is locked while open: a second `open` of the same file, from this process or another,
/// fails (or, with [`IssuerDb::open_waiting`], waits) instead of interleaving writes.
#[derive(Debug)]
pub struct IssuerDb {
    pub(crate) db: Database,
    path: PathBuf,
    key: IssuerKey,
    did: String,
    next_index: u64,
    issued: u64,
    revoked: u64,
    root: Fr,
}

/// The result of one issuance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCredential {
    /// The credential to hand to the holder.
    pub credential: Credential,
    /// The tree root right after the issuance (anchor it before the holder proves against it).
    pub root: Fr,
}

/// The first bytes of every redb file (redb's file-format magic number).
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];

/// Whether the file starts like a redb database (checked before handing it to redb).
fn has_redb_magic(path: &Path) -> Result<bool> {
    let mut head = [0u8; REDB_MAGIC.len()];
    let mut f = std::fs::File::open(path)?;
    match f.read_exact(&mut head) {
        Ok(()) => Ok(head == REDB_MAGIC),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The counters kept in the meta table, as they will be after a transaction commits.
#[derive(Clone, Copy)]
struct Counters {
    next_index: u64,
    issued: u64,
    revoked: u64,
}

impl IssuerDb {
    /// Creates a new issuer database at `path` with a fresh Ed25519 signing key; the issuer's
    /// DID is that key's `did:key` (a ledger issuer).
    ///
    /// Fails with [`IssuerError::AlreadyExists`] if anything exists at `path`. The file is
    /// mode 0600: it holds the signing key and the holders' attributes.
    pub fn init(path: impl AsRef<Path>) -> Result<Self> {
        Self::init_with(path.as_ref(), None)
    }

    /// Creates a new issuer database like [`IssuerDb::init`] for a chain issuer: its
    /// credentials name `did` (`did:pkh:eip155:<chain id>:<address>`, the account that anchors
    /// in the chain's registry). Refuses any other DID: a `did:key` is always the database's
    /// own key's.
    pub fn init_chain_issuer(path: impl AsRef<Path>, did: &str) -> Result<Self> {
        match IssuerDid::parse(did).map_err(|e| IssuerError::Did(e.to_string()))? {
            IssuerDid::Pkh { .. } => Self::init_with(path.as_ref(), Some(did)),
            IssuerDid::Key(_) => Err(IssuerError::Did(format!(
                "{did} is a did:key; a ledger issuer's did:key is made by `init` from its own key"
            ))),
        }
    }

    fn init_with(path: &Path, did: Option<&str>) -> Result<Self> {
        // The database is made under a temporary name and linked into place only when complete,
        // so a crash during `init` never leaves a half-initialized file at `path`.
        let build = |tmp: &Path| Self::create_tables(tmp, did).map_err(std::io::Error::other);
        zkcred_core::atomic_file::create_new_with(path, 0o600, build).map_err(|e| {
            match e.kind() {
                std::io::ErrorKind::AlreadyExists => IssuerError::AlreadyExists(path.into()),
                _ => IssuerError::Io(e),
            }
        })?;
        Self::open(path)
    }

    fn create_tables(path: &Path, did: Option<&str>) -> Result<()> {
        let db = Database::create(path)?;
        let key = IssuerKey::generate(&mut rand::rngs::OsRng);
        let did = did.map_or_else(|| key.did(), str::to_string);
        let txn = db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            meta.insert(META_FORMAT, FORMAT_MARKER)?;
            meta.insert(META_VERSION, FORMAT_VERSION.to_le_bytes().as_slice())?;
            meta.insert(META_SIGNING_KEY, key.seed().as_slice())?;
            meta.insert(META_DID, did.as_bytes())?;
            for key in [META_NEXT_INDEX, META_ISSUED, META_REVOKED] {
                meta.insert(key, 0u64.to_le_bytes().as_slice())?;
            }
            txn.open_table(NODES)?;
            txn.open_table(CREDENTIALS)?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Opens an existing issuer database.
    ///
    /// Fails with [`IssuerError::NotFound`] if there is no file, [`IssuerError::NotAnIssuerDb`]
    /// if the file is not one, and [`IssuerError::UnsupportedVersion`] for another format version.
    /// A database that another process has open fails at once with [`IssuerError::Locked`];
    /// [`IssuerDb::open_waiting`] waits for it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_waiting(path, Duration::ZERO)
    }

    /// Opens an existing issuer database like [`IssuerDb::open`], waiting up to `lock_timeout`
    /// for another process to close it (see `zkcred_core::lock_wait`); fails with
    /// [`IssuerError::Locked`] if it is still open after that.
    pub fn open_waiting(path: impl AsRef<Path>, lock_timeout: Duration) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let not_issuer = |reason: &str| IssuerError::NotAnIssuerDb {
            path: path.clone(),
            reason: reason.into(),
        };
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(IssuerError::NotFound(path))
            }
            Err(e) => return Err(e.into()),
            Ok(m) if !m.is_file() => return Err(not_issuer("not a regular file")),
            Ok(_) => {}
        }
        if !has_redb_magic(&path)? {
            return Err(not_issuer("not a redb database file"));
        }
        let start = Instant::now();
        let db = retry_while_busy(
            lock_timeout,
            || Database::open(&path),
            |e| matches!(e, redb::DatabaseError::DatabaseAlreadyOpen),
        )
        .map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => IssuerError::Locked {
                path: path.clone(),
                waited_ms: start.elapsed().as_millis(),
            },
            redb::DatabaseError::Storage(redb::StorageError::Corrupted(m)) => not_issuer(&m),
            redb::DatabaseError::Storage(redb::StorageError::Io(e))
                if e.kind() == std::io::ErrorKind::InvalidData =>
            {
                not_issuer(&e.to_string())
            }
            e => e.into(),
        })?;
        let txn = db.begin_read()?;
        let meta = txn.open_table(META).map_err(|e| match e {
            TableError::TableDoesNotExist(_) => not_issuer("it has no meta table"),
            e => e.into(),
        })?;
        let get = |key: &str| -> Result<Option<Vec<u8>>> {
            Ok(meta.get(key)?.map(|v| v.value().to_vec()))
        };
        if get(META_FORMAT)?.as_deref() != Some(FORMAT_MARKER) {
            return Err(not_issuer("the format marker is missing"));
        }
        let version = get(META_VERSION)?
            .and_then(|v| <[u8; 4]>::try_from(v).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| IssuerError::Corrupt("the format version is malformed".into()))?;
        if version != FORMAT_VERSION {
            return Err(IssuerError::UnsupportedVersion {
                path,
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let seed = zeroize::Zeroizing::new(get(META_SIGNING_KEY)?.unwrap_or_default());
        let key = <&[u8; 32]>::try_from(seed.as_slice())
            .map(IssuerKey::from_seed)
            .map_err(|_| IssuerError::Corrupt("the signing key is malformed".into()))?;
        let did = get(META_DID)?
            .and_then(|v| String::from_utf8(v).ok())
            .filter(|d| match IssuerDid::parse(d) {
                Ok(IssuerDid::Key(_)) => *d == key.did(),
                Ok(IssuerDid::Pkh { .. }) => true,
                Err(_) => false,
            })
            .ok_or_else(|| {
                IssuerError::Corrupt("the issuer DID is malformed or not the key's".into())
            })?;
        let next_index = read_u64(&meta, META_NEXT_INDEX)?;
        let issued = read_u64(&meta, META_ISSUED)?;
        let revoked = read_u64(&meta, META_REVOKED)?;
        if next_index > CAPACITY || issued > next_index || revoked > issued {
            return Err(IssuerError::Corrupt(format!(
                "inconsistent counters: next index {next_index}, issued {issued}, revoked {revoked}"
            )));
        }
        let root = read_node(&txn.open_table(NODES)?, DEPTH, 0)?;
        drop(meta);
        drop(txn);
        Ok(Self {
            db,
            path,
            key,
            did,
            next_index,
            issued,
            revoked,
            root,
        })
    }

    /// The database file.
    pub fn file(&self) -> &Path {
        &self.path
    }

    /// The issuer's DID, its credentials' `issuer` field: the signing key's `did:key`, or
    /// the `did:pkh` given to [`IssuerDb::init_chain_issuer`].
    pub fn issuer(&self) -> &str {
        &self.did
    }

    /// Whether the issuer anchors on a chain (its DID is a `did:pkh`).
    pub fn is_chain_issuer(&self) -> bool {
        self.did != self.key.did()
    }

    /// The current tree root.
    pub fn root(&self) -> Fr {
        self.root
    }

    /// The number of credentials issued (revoked ones included).
    pub fn len(&self) -> u64 {
        self.issued
    }

    /// Whether no credential was ever issued.
    pub fn is_empty(&self) -> bool {
        self.issued == 0
    }

    /// The number of credentials revoked.
    pub fn revoked_count(&self) -> u64 {
        self.revoked
    }

    /// The leaf index the next credential gets.
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// Issues one credential now (see [`IssuerDb::issue_at`]).
    pub fn issue<R: RngCore + CryptoRng>(
        &mut self,
        hpk: Fr,
        attrs: &Value,
        schema: &Schema,
        rng: &mut R,
    ) -> Result<IssuedCredential> {
        self.issue_at(hpk, attrs, schema, rng, now_unix())
    }

    /// Issues one credential with issuance time `now_unix`.
    ///
    /// Encodes `attrs` with `schema` (fresh random name salt and leaf salt from `rng`), computes
    /// the leaf, and appends it at the next index with its 16 ancestors and its record, in one
    /// transaction. The credential is returned only after the transaction committed: a caller
    /// that must not lose it to a crash delivers it with [`IssuerDb::issue_to`] instead.
    pub fn issue_at<R: RngCore + CryptoRng>(
        &mut self,
        hpk: Fr,
        attrs: &Value,
        schema: &Schema,
        rng: &mut R,
        now_unix: u64,
    ) -> Result<IssuedCredential> {
        self.issue_to(hpk, attrs, schema, rng, now_unix, &mut |_: &Credential| {
            Ok::<(), std::io::Error>(())
        })
    }

    /// Issues one credential like [`IssuerDb::issue_at`], handing it to `sink` **before** its
    /// transaction commits, as bulk issuance does (see [`crate::sink`]).
    ///
    /// If the sink fails, nothing is committed and the error is [`IssuerError::Io`]. If the sink
    /// succeeded and the commit then fails (or the process dies before it), the sink holds a
    /// credential that was never issued: its `leafIndex` is not below the reopened database's
    /// `next_index()`, or the leaf stored there differs, and the index will be issued again.
    /// [`crate::sink::CredentialFile`] is the sink for one durable credential file.
    pub fn issue_to<R, S>(
        &mut self,
        hpk: Fr,
        attrs: &Value,
        schema: &Schema,
        rng: &mut R,
        now_unix: u64,
        sink: &mut S,
    ) -> Result<IssuedCredential>
    where
        R: RngCore + CryptoRng,
        S: CredentialSink + ?Sized,
    {
        validate_schema(schema)?;
        let name_salt = random_salt(rng);
        let salt = random_salt(rng);
        let draft = Draft::new(schema, hpk, attrs, name_salt, salt)?;
        let ctx = IssueContext::new(schema, &self.did, now_unix);
        let credential = ctx.credential(draft, self.check_room(1)?);
        let batch = std::slice::from_ref(&credential);
        sink.batch(batch)?;
        self.append(batch)?;
        Ok(IssuedCredential {
            credential,
            root: self.root,
        })
    }

    /// The index of the first of `n` new leaves, if they fit.
    pub(crate) fn check_room(&self, n: u64) -> Result<LeafIndex> {
        if n > CAPACITY - self.next_index {
            return Err(IssuerError::TreeFull {
                next: self.next_index,
                requested: n,
            });
        }
        // In range: `next_index < CAPACITY = 2^32` since `n >= 1` fits.
        LeafIndex::try_from(self.next_index).map_err(|_| IssuerError::TreeFull {
            next: self.next_index,
            requested: n,
        })
    }

    /// Appends credentials issued at consecutive indices from `next_index`, in one transaction.
    pub(crate) fn append(&mut self, creds: &[Credential]) -> Result<()> {
        let Some(first) = creds.first() else {
            return Ok(());
        };
        let start = u64::from(first.leaf_index());
        let n = creds.len() as u64;
        debug_assert_eq!(start, self.next_index);
        let counters = Counters {
            next_index: start + n,
            issued: self.issued + n,
            revoked: self.revoked,
        };
        let txn = self.db.begin_write()?;
        let root = {
            let mut records = txn.open_table(CREDENTIALS)?;
            for c in creds {
                let record = CredentialRecord {
                    hpk: c.hpk(),
                    leaf: c.leaf(),
                    schema: c.schema_id().to_string(),
                    issued_at: c.issued_at(),
                    revoked_at: None,
                };
                records.insert(u64::from(c.leaf_index()), record.to_bytes().as_slice())?;
            }
            let leaves = creds.iter().map(Credential::leaf).collect();
            set_run(&mut txn.open_table(NODES)?, start, leaves)?
        };
        self.commit(txn, counters, root)
    }

    /// Writes the counters, commits, and only then updates the cached state.
    fn commit(&mut self, txn: WriteTransaction, c: Counters, root: Fr) -> Result<()> {
        {
            let mut meta = txn.open_table(META)?;
            meta.insert(META_NEXT_INDEX, c.next_index.to_le_bytes().as_slice())?;
            meta.insert(META_ISSUED, c.issued.to_le_bytes().as_slice())?;
            meta.insert(META_REVOKED, c.revoked.to_le_bytes().as_slice())?;
        }
        txn.commit()?;
        self.next_index = c.next_index;
        self.issued = c.issued;
        self.revoked = c.revoked;
        self.root = root;
        Ok(())
    }

    /// Revokes the credential at `index` now (see [`IssuerDb::revoke_at`]).
    pub fn revoke(&mut self, index: u64) -> Result<Fr> {
        self.revoke_at(index, now_unix())
    }

    /// Revokes the credential at `index`: sets its leaf back to 0, updates the ancestors and marks
    /// the record revoked at `now_unix`, in one transaction. Returns the new root.
    pub fn revoke_at(&mut self, index: u64, now_unix: u64) -> Result<Fr> {
        let leaf_index = check_index(index).map_err(|_| IssuerError::IndexOutOfRange(index))?;
        let txn = self.db.begin_write()?;
        let root = {
            let mut records = txn.open_table(CREDENTIALS)?;
            let mut record = match records.get(index)? {
                None => return Err(IssuerError::NeverIssued(index)),
                Some(bytes) => CredentialRecord::from_bytes(bytes.value())?,
            };
            if record.is_revoked() {
                return Err(IssuerError::AlreadyRevoked(index));
            }
            record.revoked_at = Some(now_unix);
            records.insert(index, record.to_bytes().as_slice())?;
            set_run(
                &mut txn.open_table(NODES)?,
                u64::from(leaf_index),
                vec![Fr::from(0u64)],
            )?
        };
        let counters = Counters {
            next_index: self.next_index,
            issued: self.issued,
            revoked: self.revoked + 1,
        };
        self.commit(txn, counters, root)?;
        Ok(root)
    }

    /// The record of the credential at `index`, if one was issued there.
    pub fn record(&self, index: u64) -> Result<Option<CredentialRecord>> {
        let txn = self.db.begin_read()?;
        let records = txn.open_table(CREDENTIALS)?;
        let bytes = records.get(index)?;
        bytes
            .map(|b| CredentialRecord::from_bytes(b.value()))
            .transpose()
    }

    /// The leaf currently at `index` (0 if never issued or revoked).
    pub fn leaf(&self, index: u64) -> Result<Fr> {
        let index = u64::from(check_index(index).map_err(|_| IssuerError::IndexOutOfRange(index))?);
        let txn = self.db.begin_read()?;
        read_node(&txn.open_table(NODES)?, 0, index)
    }

    /// The authentication path of leaf `index` against the current root (48 point reads).
    pub fn path(&self, index: u64) -> Result<MerklePath> {
        Ok(self.path_json(index)?.path)
    }

    /// The path of leaf `index` with its leaf and the root, read in one consistent snapshot, as
    /// written to a path file (`docs/formats.md`, "Merkle path").
    pub fn path_json(&self, index: u64) -> Result<PathDocument> {
        let leaf_index = check_index(index).map_err(|_| IssuerError::IndexOutOfRange(index))?;
        let txn = self.db.begin_read()?;
        let nodes = txn.open_table(NODES)?;
        Ok(PathDocument {
            index: leaf_index,
            root: read_node(&nodes, DEPTH, 0)?,
            leaf: read_node(&nodes, 0, index)?,
            path: read_path(&nodes, leaf_index)?,
        })
    }

    /// Appends the current root to `ledger` at time `now_unix`, signed with the issuer's key.
    /// A chain issuer is refused ([`IssuerError::ChainIssuer`]): its entries are signed by its
    /// account key ([`IssuerDb::anchor_signed`]).
    pub fn anchor(&self, ledger: &Ledger, now_unix: u64) -> Result<AnchorEntry> {
        if self.is_chain_issuer() {
            return Err(IssuerError::ChainIssuer(self.did.clone()));
        }
        self.anchor_signed(ledger, now_unix, &self.key)
    }

    /// Appends the current root to `ledger` at time `now_unix`, signed by `signer`, which must
    /// sign under this issuer's DID ([`IssuerError::SignerMismatch`] otherwise): a chain issuer's
    /// account key keeps a ledger copy of its anchors that any reader can check offline.
    pub fn anchor_signed(
        &self,
        ledger: &Ledger,
        now_unix: u64,
        signer: &dyn EntrySigner,
    ) -> Result<AnchorEntry> {
        let did = signer.did();
        if did != self.did {
            return Err(IssuerError::SignerMismatch {
                issuer: self.did.clone(),
                signer: did,
            });
        }
        Ok(ledger.append(self.root, now_unix, signer)?)
    }

    /// Moves the next index forward to `index`, leaving the leaves in between empty.
    ///
    /// Only for tests of high indices and of a full tree; an issuer never skips leaves.
    #[doc(hidden)]
    pub fn skip_to_index(&mut self, index: u64) -> Result<()> {
        if index < self.next_index || index > CAPACITY {
            return Err(IssuerError::IndexOutOfRange(index));
        }
        let txn = self.db.begin_write()?;
        let counters = Counters {
            next_index: index,
            ..self.counters()
        };
        self.commit(txn, counters, self.root)
    }

    /// Appends `leaves` as raw leaf values (no credential records) from the next index, in one
    /// transaction; returns the new root.
    ///
    /// Only for tests that need a large tree quickly (a million leaves hashes in seconds where
    /// issuing a million credentials takes a minute); an issuer never writes a leaf it did not
    /// issue. The leaves are not counted as issued, and `verify_tree` reports them as leaves without a record.
    #[doc(hidden)]
    pub fn append_raw_leaves(&mut self, leaves: Vec<Fr>) -> Result<Fr> {
        let start = u64::from(self.check_room(leaves.len() as u64)?);
        let counters = Counters {
            next_index: start + leaves.len() as u64,
            ..self.counters()
        };
        let txn = self.db.begin_write()?;
        let root = set_run(&mut txn.open_table(NODES)?, start, leaves)?;
        self.commit(txn, counters, root)?;
        Ok(root)
    }

    fn counters(&self) -> Counters {
        Counters {
            next_index: self.next_index,
            issued: self.issued,
            revoked: self.revoked,
        }
    }
}
