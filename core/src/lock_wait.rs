//! Waiting for a store that another process holds open.
//!
//! zkcred's stores (the issuer database, the nullifier store) are redb files, which a process
//! locks exclusively while it has them open. A second process that finds the file locked does not
//! give up: it retries with exponential backoff (1 ms doubling to at most 100 ms between
//! attempts) until the lock is free or `timeout` has passed, and only then reports the store as
//! busy. The commands that open a store use [`DEFAULT_LOCK_TIMEOUT`] unless told otherwise.

use std::time::{Duration, Instant};

/// How long a command waits for a locked store by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

const FIRST_PAUSE: Duration = Duration::from_millis(1);
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// Calls `attempt` until it succeeds, fails with an error that `busy` does not recognize, or
/// `timeout` has passed since the first call; returns the last result. With a zero timeout
/// `attempt` runs once.
pub fn retry_while_busy<T, E>(
    timeout: Duration,
    mut attempt: impl FnMut() -> Result<T, E>,
    busy: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let start = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        match attempt() {
            Err(e) if busy(&e) => {
                let left = timeout.saturating_sub(start.elapsed());
                if left.is_zero() {
                    return Err(e);
                }
                std::thread::sleep(pause.min(left));
                pause = (pause * 2).min(MAX_PAUSE);
            }
            done => return done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_only_while_busy() {
        let mut calls = 0;
        let r: Result<u32, &str> = retry_while_busy(
            Duration::from_secs(60),
            || {
                calls += 1;
                if calls < 4 {
                    Err("busy")
                } else {
                    Ok(calls)
                }
            },
            |e| *e == "busy",
        );
        assert_eq!(r, Ok(4));

        let mut calls = 0;
        let r: Result<(), &str> = retry_while_busy(
            Duration::from_secs(60),
            || {
                calls += 1;
                Err("broken")
            },
            |e| *e == "busy",
        );
        assert_eq!((r, calls), (Err("broken"), 1));
    }

    #[test]
    fn zero_timeout_tries_once() {
        let mut calls = 0;
        let r: Result<(), &str> = retry_while_busy(
            Duration::ZERO,
            || {
                calls += 1;
                Err("busy")
            },
            |_| true,
        );
        assert_eq!((r, calls), (Err("busy"), 1));
    }
}
