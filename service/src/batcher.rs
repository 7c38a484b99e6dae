//! Micro-batching: presentations that arrive together are verified together.
//!
//! The batcher takes the first waiting presentation, then collects more until it has
//! `max_batch` or `max_wait` has passed since it took the first, whichever comes first, so a
//! lone presentation waits at most `max_wait` for company. The batch is verified on a blocking
//! thread with [`zkcred_verifier::verify_many`] (one multi-pairing for all proofs; an invalid
//! proof is found by bisection and answered on its own, the others are unaffected), then the
//! verified ones are settled in the store in one transaction ([`crate::store::Store::settle`]).
//! At most `workers` batches are in flight, each on its own verification thread; while all are
//! busy, waiting presentations are added to the next batch, so batches grow with the load.
//!
//! Shutting down: when every sender is gone (the HTTP server has stopped taking
//! presentations), the batcher verifies and answers what is queued and in flight, then ends.

use crate::metrics::StoreOp;
use crate::store::{Settle, Settlement, Store};
use crate::Shared;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use zkcred_core::date::Date;
use zkcred_core::encoding::fr_to_be_bytes;
use zkcred_verifier::{Context, ProofEnvelope, Request, Verified};

/// What a holder is told when the store failed around a settlement (a commit can fail after its
/// data is durable, so nothing more is known).
pub(crate) const OUTCOME_UNKNOWN: &str =
    "the store failed: the outcome is unknown; retry (a `duplicate` answer then means it was recorded)";

/// How presentations are grouped.
#[derive(Clone, Copy, Debug)]
pub struct BatchConfig {
    /// The most presentations in one batch.
    pub max_batch: usize,
    /// The longest a presentation waits for others before its batch is verified.
    pub max_wait: Duration,
    /// Batches verified at the same time (one core each).
    pub workers: usize,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            max_batch: 256,
            max_wait: Duration::from_millis(2),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// One presentation waiting for its verdict.
pub struct Job {
    /// The request it answers (the service's own copy).
    pub request: Arc<Request>,
    /// The holder's proof envelope.
    pub envelope: ProofEnvelope,
    /// When it arrived.
    pub arrived: Instant,
    /// Where the verdict goes.
    pub reply: oneshot::Sender<Verdict>,
}

/// The answer to one presentation.
#[derive(Debug)]
pub enum Verdict {
    /// Verified, and its nullifier recorded.
    Accepted(Verified),
    /// Refused, with a reason code and a message.
    Rejected {
        /// The machine-readable reason.
        code: &'static str,
        /// What is wrong, for people.
        message: String,
        /// Whether the presentation was malformed (rather than a refused statement).
        malformed: bool,
    },
    /// The store failed or the batch was lost: the outcome is unknown (a commit can fail after
    /// its data is durable); a retry is answered `duplicate` if it was recorded.
    Unavailable(String),
}

/// Starts the batcher; presentations are sent to the returned sender.
pub(crate) fn spawn<S: Store>(
    config: BatchConfig,
    shared: Arc<Shared<S>>,
    queue: usize,
) -> (mpsc::Sender<Job>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(queue.max(1));
    (tx, tokio::spawn(run(rx, config, shared)))
}

/// One verification thread: a single-thread rayon pool, so that the verifier's parallel code
/// (when the `parallel` feature is on) runs on it alone instead of on a global pool that every
/// batch and the HTTP threads would contend for.
type Worker = Arc<rayon::ThreadPool>;

async fn run<S: Store>(mut rx: mpsc::Receiver<Job>, config: BatchConfig, shared: Arc<Shared<S>>) {
    let workers = config.workers.max(1);
    let (free_tx, mut free) = mpsc::channel::<Worker>(workers);
    let mut started = 0;
    for i in 0..workers {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .stack_size(32 << 20)
            .thread_name(move |_| format!("zkcred-verify-{i}"))
            .build();
        match pool {
            Ok(p) => {
                let _ = free_tx.send(Arc::new(p)).await;
                started += 1;
            }
            Err(e) => eprintln!("zkcred serve: starting verification thread {i}: {e}"),
        }
    }
    if started == 0 {
        // No thread to verify on: answer every presentation, never hang.
        while let Some(job) = rx.recv().await {
            let verdict = Verdict::Unavailable("the service has no verification thread".into());
            answer(&shared, job.arrived, job.reply, verdict);
        }
        return;
    }
    let max_batch = config.max_batch.max(1);
    let mut in_flight = JoinSet::new();
    while let Some(first) = rx.recv().await {
        let deadline = tokio::time::Instant::now() + config.max_wait;
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(job)) => batch.push(job),
                Ok(None) | Err(_) => break,
            }
        }
        let Some(worker) = free.recv().await else {
            break;
        };
        // What arrived while every worker was busy joins this batch.
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (shared, free_tx) = (shared.clone(), free_tx.clone());
        in_flight.spawn(async move {
            process(batch, &shared, worker, &free_tx).await;
        });
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
}

/// Verifies `batch` on `worker`, hands the worker back (so the next batch verifies while this
/// one is written), settles the verified presentations and answers each.
async fn process<S: Store>(
    batch: Vec<Job>,
    shared: &Shared<S>,
    worker: Worker,
    free: &mpsc::Sender<Worker>,
) {
    shared.metrics.batch_size.observe(batch.len() as f64);
    let anchors = shared.anchors.current();
    let now_unix = zkcred_core::clock::now_unix();
    let now_date = Date::today_utc();
    let window = shared.window;
    let pvk = shared.pvk.clone();
    let (items, rest): (Vec<(Request, ProofEnvelope)>, Vec<_>) = batch
        .into_iter()
        .map(|j| (((*j.request).clone(), j.envelope), (j.arrived, j.reply)))
        .unzip();
    let started = Instant::now();
    let (done, verified) = oneshot::channel();
    worker.spawn(move || {
        let ctx = Context {
            anchors: &anchors,
            now_date,
            now_unix,
            window,
        };
        // A panic must not take the thread (and the process) down: the batch is then
        // answered as unavailable, nothing recorded.
        let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            zkcred_verifier::verify_many(&items, &pvk, &ctx)
        }));
        if let Ok(results) = results {
            let _ = done.send((items, results));
        }
    });
    let verified = verified.await;
    let _ = free.send(worker).await;
    shared
        .metrics
        .verify_seconds
        .observe_duration(started.elapsed());
    let (items, results) = match verified {
        Ok(v) => v,
        Err(e) => {
            for (arrived, reply) in rest {
                answer(
                    shared,
                    arrived,
                    reply,
                    Verdict::Unavailable(format!("verification failed: {e}")),
                );
            }
            return;
        }
    };
    let settle: Vec<Settle> = results
        .iter()
        .zip(&items)
        .filter_map(|(r, (request, _))| {
            r.as_ref().ok().map(|v| Settle {
                request_id: request.id().to_string(),
                scope: v.scope.clone(),
                nullifier: fr_to_be_bytes(&v.nullifier),
            })
        })
        .collect();
    let started = Instant::now();
    let settled = shared.store.settle(&settle, now_unix).await;
    shared
        .metrics
        .store(StoreOp::Settle)
        .observe_duration(started.elapsed());
    let mut settled = match settled {
        Ok(s) => Some(s.into_iter()),
        Err(e) => {
            eprintln!("zkcred serve: settling a batch of {}: {e}", settle.len());
            None
        }
    };
    for (result, (arrived, reply)) in results.into_iter().zip(rest) {
        let verdict = match result {
            Err(e) => Verdict::Rejected {
                code: e.code(),
                message: e.to_string(),
                malformed: e.is_malformed(),
            },
            Ok(v) => match settled.as_mut().map(|s| s.next()) {
                Some(Some(Settlement::Accepted)) => Verdict::Accepted(v),
                Some(Some(s)) => Verdict::Rejected {
                    code: s.code(),
                    message: settlement_message(s, &v.scope),
                    malformed: false,
                },
                Some(None) | None => Verdict::Unavailable(OUTCOME_UNKNOWN.into()),
            },
        };
        answer(shared, arrived, reply, verdict);
    }
}

fn settlement_message(s: Settlement, scope: &str) -> String {
    match s {
        Settlement::Accepted => "accepted".into(),
        Settlement::Duplicate => {
            format!("this holder has already been verified in scope {scope:?} (nullifier used)")
        }
        Settlement::RequestUsed => "the request has already been answered".into(),
        Settlement::RequestExpired => "the request has expired".into(),
        Settlement::UnknownRequest => "no such request".into(),
    }
}

fn answer<S: Store>(
    shared: &Shared<S>,
    arrived: Instant,
    reply: oneshot::Sender<Verdict>,
    verdict: Verdict,
) {
    let (outcome, reason) = match &verdict {
        Verdict::Accepted(_) => ("accepted", "accepted"),
        Verdict::Rejected {
            code,
            malformed: true,
            ..
        } => ("malformed", *code),
        Verdict::Rejected { code, .. } => ("rejected", *code),
        Verdict::Unavailable(_) => ("unavailable", "store_unavailable"),
    };
    shared.metrics.outcome(outcome, reason);
    shared
        .metrics
        .presentation_seconds
        .observe_duration(arrived.elapsed());
    // The client may have gone away; its verdict is recorded all the same.
    let _ = reply.send(verdict);
}
