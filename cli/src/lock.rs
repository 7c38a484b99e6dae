//! How long a command waits for a store (issuer database, nullifier store) that another process
//! holds open: `ZKCRED_LOCK_TIMEOUT` seconds (a decimal, e.g. `0.5`; `0` fails at once), by
//! default `zkcred_core::lock_wait::DEFAULT_LOCK_TIMEOUT` (10 s). A store still locked after that
//! is an operational failure, exit code 3.

use crate::exit::malformed;
use anyhow::Result;
use std::time::Duration;
use zkcred_core::lock_wait::DEFAULT_LOCK_TIMEOUT;

/// The environment variable that sets the wait.
pub const LOCK_TIMEOUT_VAR: &str = "ZKCRED_LOCK_TIMEOUT";

/// The configured wait for a locked store.
pub fn timeout() -> Result<Duration> {
    let Some(value) = std::env::var_os(LOCK_TIMEOUT_VAR) else {
        return Ok(DEFAULT_LOCK_TIMEOUT);
    };
    value
        .to_str()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| {
            malformed(anyhow::anyhow!(
                "{LOCK_TIMEOUT_VAR}={value:?}: expected a number of seconds such as 10 or 0.5"
            ))
        })
}
