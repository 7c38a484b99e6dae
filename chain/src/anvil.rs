//! A throwaway local chain: anvil (pinned in `contracts/package.json`) on a free loopback port,
//! stopped when dropped. For tests and `zkcred demo --chain`.

use crate::error::{ChainError, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where anvil is looked for: `$ZKCRED_ANVIL`, then `contracts/node_modules/.bin/anvil` of
/// this source tree, then `anvil` on `PATH`.
pub fn find_anvil() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ZKCRED_ANVIL") {
        return Some(PathBuf::from(p));
    }
    let local = crate::artifact::contracts_dir()
        .map(|d| d.join("node_modules/.bin/anvil"))
        .filter(|p| p.exists());
    if local.is_some() {
        return local;
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("anvil"))
            .find(|p| p.is_file())
    })
}

/// A running anvil.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    endpoint: String,
}

impl Anvil {
    /// Starts anvil on `127.0.0.1` at a port it picks, with the pinned hardfork.
    pub fn start() -> Result<Self> {
        let program = find_anvil().ok_or_else(|| {
            ChainError::Anvil(
                "not found: run contracts/install.sh, or set ZKCRED_ANVIL to an anvil binary"
                    .into(),
            )
        })?;
        let mut child = Command::new(&program)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--hardfork",
                crate::HARDFORK,
            ])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| ChainError::Anvil(format!("{}: {e}", program.display())))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut reader = BufReader::new(stdout);
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut line = String::new();
        let endpoint = loop {
            line.clear();
            let n = reader.read_line(&mut line).unwrap_or(0);
            if n == 0 || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ChainError::Anvil("exited before listening".into()));
            }
            if let Some(addr) = line.trim().strip_prefix("Listening on ") {
                break format!("http://{addr}");
            }
        };
        // Keep draining its log so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = [0u8; 4096];
            let mut r = reader.into_inner();
            while matches!(r.read(&mut sink), Ok(n) if n > 0) {}
        });
        Ok(Self { child, endpoint })
    }

    /// Starts anvil, or returns `None` after printing `SKIPPED: <what>` when it is not
    /// installed — unless `ZKCRED_REQUIRE_ANVIL=1` (CI), where a missing anvil fails.
    pub fn start_or_skip(what: &str) -> Option<Self> {
        if find_anvil().is_none() && std::env::var("ZKCRED_REQUIRE_ANVIL").as_deref() != Ok("1") {
            eprintln!("SKIPPED: {what}: anvil is not installed (run contracts/install.sh)");
            return None;
        }
        Some(Self::start().unwrap_or_else(|e| panic!("{what}: {e}")))
    }

    /// The JSON-RPC endpoint, `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
