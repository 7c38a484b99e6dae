//! What the holder's integration tests share: an issuer that issues into wallets, anchors and
//! publishes, and a static file server on loopback that logs what it is asked for.

#![allow(dead_code)] // each test file uses its own part of this

use rand::rngs::OsRng;
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tempfile::TempDir;
use zkcred_core::anchor::Ledger;
use zkcred_core::schema::{Schema, IDENTITY_V1_ID};
use zkcred_holder::{Source, Wallet};
use zkcred_issuer::{IssuerDb, PublishReport};

/// An issuer with its database, ledger and published tree in one temporary directory.
pub struct Issuer {
    pub dir: TempDir,
    pub db: IssuerDb,
    pub ledger: Ledger,
    pub tree: PathBuf,
}

impl Issuer {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = IssuerDb::init(dir.path().join("issuer.db")).unwrap();
        let ledger = Ledger::new(dir.path().join("anchors.jsonl"));
        let tree = dir.path().join("tree");
        Self {
            dir,
            db,
            ledger,
            tree,
        }
    }

    /// Issues a credential to `wallet`'s holder key (born 1990-05-17, real name verified) and
    /// imports it; returns its leaf index.
    pub fn issue_into(&mut self, wallet: &Wallet) -> u32 {
        let hpk = wallet.secret().unwrap().public_key();
        let attrs = json!({"name": "张伟", "real_name_verified": true,
            "birth_date": "1990-05-17", "expiry_date": "2035-01-01", "nationality": 156,
            "region": 110105, "document_type": 1});
        let schema = Schema::builtin(IDENTITY_V1_ID).unwrap();
        let issued = self.db.issue(hpk, &attrs, schema, &mut OsRng).unwrap();
        let index = issued.credential.leaf_index();
        let file = self.dir.path().join(format!("credential-{index}.json"));
        std::fs::write(&file, issued.credential.to_json_pretty()).unwrap();
        wallet.import_credential(&file).unwrap();
        index
    }

    /// Anchors the current root now and publishes the tree.
    pub fn anchor_and_publish(&mut self) -> PublishReport {
        self.db
            .anchor(&self.ledger, zkcred_core::clock::now_unix())
            .unwrap();
        self.db.publish(&self.ledger, &self.tree).unwrap()
    }

    pub fn source(&self) -> Source {
        Source::Dir(self.tree.clone())
    }
}

/// A fresh wallet in its own temporary directory.
pub fn wallet() -> (TempDir, Wallet) {
    let dir = tempfile::tempdir().unwrap();
    let (wallet, _) = Wallet::init(&dir.path().join("wallet"), &mut OsRng).unwrap();
    (dir, wallet)
}

/// The names of the files a sync read, in order.
pub fn names(fetched: &[(String, usize)]) -> Vec<String> {
    fetched.iter().map(|(n, _)| n.clone()).collect()
}

/// A static file server on 127.0.0.1 (a free port) serving `root`, one connection at a time,
/// that logs the path of every request it receives: the issuer-side access log.
pub struct FileServer {
    pub port: u16,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FileServer {
    pub fn start(root: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, log2, stop2) = (root.to_path_buf(), log.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(s) = stream {
                    serve(&root, s, &log2);
                }
            }
        });
        Self {
            port,
            log,
            stop,
            thread: Some(thread),
        }
    }

    pub fn source(&self) -> Source {
        Source::parse(&format!("http://127.0.0.1:{}/tree", self.port)).unwrap()
    }

    /// The request paths received so far, and clears the log.
    pub fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(root: &Path, stream: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = line.split(' ').nth(1).unwrap_or("").to_string();
    log.lock().unwrap().push(path.clone());
    let file = path
        .strip_prefix("/tree/")
        .filter(|p| !p.split('/').any(|s| s == ".." || s.is_empty()))
        .map(|p| root.join(p));
    let mut stream = reader.into_inner();
    let _ = match file.and_then(|f| std::fs::read(f).ok()) {
        Some(body) => stream
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            )
            .and_then(|_| stream.write_all(&body)),
        None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    };
}
