//! Prometheus metrics, in the text exposition format (`GET /metrics`).
//!
//! - `zkcred_presentations_total{outcome, reason}`: presentations answered, by outcome
//!   (`accepted`, `rejected`, `malformed`) and reason code;
//! - `zkcred_batch_size`: presentations per verified batch;
//! - `zkcred_presentation_seconds`: from a presentation's arrival to its answer;
//! - `zkcred_verify_seconds`: one batch's verification;
//! - `zkcred_store_seconds{op}`: store operations (`put_request`, `get_request`, `settle`);
//! - `zkcred_requests_created_total`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// A histogram with fixed bucket bounds.
pub struct Histogram {
    bounds: Vec<f64>,
    counts: Vec<AtomicU64>,
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new(bounds: &[f64]) -> Self {
        Self {
            bounds: bounds.to_vec(),
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    /// Records one observation.
    pub fn observe(&self, value: f64) {
        if let Some(i) = self.bounds.iter().position(|b| value <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.sum_micros
            .fetch_add((value * 1e6) as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a duration in seconds.
    pub fn observe_duration(&self, d: Duration) {
        self.observe(d.as_secs_f64());
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (b, c) in self.bounds.iter().zip(&self.counts) {
            cumulative += c.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {sum}", braces(labels));
        let _ = writeln!(out, "{name}_count{} {count}", braces(labels));
    }
}

const LATENCY: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const SIZES: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
];

/// The service's metrics.
pub struct Metrics {
    outcomes: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    /// Presentations per batch.
    pub batch_size: Histogram,
    /// Arrival to answer, per presentation.
    pub presentation_seconds: Histogram,
    /// Verification time per batch.
    pub verify_seconds: Histogram,
    store: [Histogram; 3],
    requests_created: AtomicU64,
}

/// A store operation, for [`Metrics::store`].
#[derive(Clone, Copy, Debug)]
pub enum StoreOp {
    /// Creating a request.
    PutRequest = 0,
    /// Reading a request.
    GetRequest = 1,
    /// Settling a batch.
    Settle = 2,
}

const STORE_OPS: [&str; 3] = ["put_request", "get_request", "settle"];

impl Default for Metrics {
    fn default() -> Self {
        Self {
            outcomes: Mutex::new(BTreeMap::new()),
            batch_size: Histogram::new(SIZES),
            presentation_seconds: Histogram::new(LATENCY),
            verify_seconds: Histogram::new(LATENCY),
            store: [
                Histogram::new(LATENCY),
                Histogram::new(LATENCY),
                Histogram::new(LATENCY),
            ],
            requests_created: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts one answered presentation.
    pub fn outcome(&self, outcome: &'static str, reason: &'static str) {
        let mut m = self.outcomes.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry((outcome, reason)).or_default() += 1;
    }

    /// The histogram of one store operation.
    pub fn store(&self, op: StoreOp) -> &Histogram {
        &self.store[op as usize]
    }

    /// Counts one created request.
    pub fn request_created(&self) {
        self.requests_created.fetch_add(1, Ordering::Relaxed);
    }

    /// The number of presentations answered with `outcome` and `reason` so far.
    pub fn count(&self, outcome: &str, reason: &str) -> u64 {
        let m = self.outcomes.lock().unwrap_or_else(|e| e.into_inner());
        m.iter()
            .filter(|((o, r), _)| *o == outcome && *r == reason)
            .map(|(_, n)| *n)
            .sum()
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP zkcred_presentations_total Presentations answered, by outcome and reason.\n",
        );
        out.push_str("# TYPE zkcred_presentations_total counter\n");
        {
            let m = self.outcomes.lock().unwrap_or_else(|e| e.into_inner());
            for ((o, r), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "zkcred_presentations_total{{outcome=\"{o}\",reason=\"{r}\"}} {n}"
                );
            }
        }
        let sections: [(&str, &str, &Histogram); 3] = [
            (
                "zkcred_batch_size",
                "Presentations per verified batch.",
                &self.batch_size,
            ),
            (
                "zkcred_presentation_seconds",
                "Time from a presentation's arrival to its answer.",
                &self.presentation_seconds,
            ),
            (
                "zkcred_verify_seconds",
                "Verification time of one batch.",
                &self.verify_seconds,
            ),
        ];
        for (name, help, h) in sections {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
            h.render(&mut out, name, "");
        }
        out.push_str("# HELP zkcred_store_seconds Store operation latency.\n");
        out.push_str("# TYPE zkcred_store_seconds histogram\n");
        for (op, h) in STORE_OPS.iter().zip(&self.store) {
            h.render(&mut out, "zkcred_store_seconds", &format!("op=\"{op}\""));
        }
        out.push_str("# HELP zkcred_requests_created_total Requests created.\n");
        out.push_str("# TYPE zkcred_requests_created_total counter\n");
        let _ = writeln!(
            out,
            "zkcred_requests_created_total {}",
            self.requests_created.load(Ordering::Relaxed)
        );
        out
    }
}
