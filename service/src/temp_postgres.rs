//! A throwaway PostgreSQL cluster on loopback, for tests and load runs: `initdb` into a
//! temporary directory, `pg_ctl start` on a free port, `pg_ctl stop` when dropped.
//!
//! The server binaries are looked up in `$ZKCRED_PG_BIN`, then Debian's
//! `/usr/lib/postgresql/<version>/bin` (newest first), then `PATH`. PostgreSQL refuses to run
//! as root; as root the cluster is run as the `postgres` user (Debian's package creates it)
//! with `runuser`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A running temporary cluster (stopped and deleted on drop).
pub struct TempPostgres {
    bin: PathBuf,
    dir: PathBuf,
    as_postgres: bool,
    port: u16,
}

/// Where the server binaries are, if installed.
pub fn find_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ZKCRED_PG_BIN") {
        let p = PathBuf::from(p);
        return p.join("initdb").exists().then_some(p);
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .collect();
    debian.sort_by_key(|b| {
        let v = b
            .parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .unwrap_or("");
        std::cmp::Reverse(v.parse::<u32>().unwrap_or(0))
    });
    if let Some(b) = debian.into_iter().next() {
        return Some(b);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl TempPostgres {
    /// Starts a cluster under a new directory in `parent`; `Err` says why it could not.
    pub fn start(parent: &Path) -> Result<Self, String> {
        let bin =
            find_bin().ok_or("no PostgreSQL server binaries (initdb, pg_ctl) are installed")?;
        let dir = parent.join(format!(
            "pg-{}-{:x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(dir.join("sock")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let as_postgres = is_root();
        let mut pg = TempPostgres {
            bin,
            dir,
            as_postgres,
            port: 0,
        };
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&pg.dir)
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !ok.success() {
                return Err("running as root needs a `postgres` user to run the cluster".into());
            }
        }
        let data = pg.dir.join("data");
        pg.run(
            "initdb",
            &[
                "-D",
                path_str(&data)?,
                "-U",
                "zkcred",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        // A free port can be taken between the check and the start: try a few.
        let mut last = String::new();
        for _ in 0..5 {
            pg.port = free_port().map_err(|e| e.to_string())?;
            let opts = format!(
                "-c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections=200",
                pg.port,
                path_str(&pg.dir.join("sock"))?
            );
            let log = pg.dir.join("server.log");
            match pg.run(
                "pg_ctl",
                &[
                    "-D",
                    path_str(&data)?,
                    "-l",
                    path_str(&log)?,
                    "-o",
                    &opts,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            ) {
                Ok(()) => return Ok(pg),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for database `db` (the cluster has `postgres`; see
    /// [`TempPostgres::create_database`]).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://zkcred@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates an empty database `name`.
    pub async fn create_database(&self, name: &str) -> Result<String, String> {
        let (client, conn) = tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
            .await
            .map_err(|e| e.to_string())?;
        let task = tokio::spawn(conn);
        let r = client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(|e| e.to_string());
        drop(client);
        let _ = task.await;
        r.map(|()| self.url(name))
    }
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", p.display()))
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        if let Ok(data) = path_str(&self.dir.join("data")).map(str::to_string) {
            let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts a cluster, or says why not: `Ok(None)` (with a line on stderr saying the caller's
/// test is SKIPPED) when no PostgreSQL is installed and `ZKCRED_REQUIRE_POSTGRES` is unset;
/// with it set (CI), a missing PostgreSQL is an error.
pub fn start_or_skip(parent: &Path, test: &str) -> Result<Option<TempPostgres>, String> {
    if find_bin().is_none() && std::env::var_os("ZKCRED_REQUIRE_POSTGRES").is_none() {
        eprintln!(
            "SKIPPED {test}: no PostgreSQL server is installed (apt-get install postgresql; \
             CI sets ZKCRED_REQUIRE_POSTGRES=1 and never skips)"
        );
        return Ok(None);
    }
    TempPostgres::start(parent).map(Some)
}
