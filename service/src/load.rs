//! The load generator behind `zkcred-load`: a fixture a service can run on, pre-made
//! presentations (valid, invalid and duplicate), and a bounded driver that reports throughput
//! and latency.
//!
//! **Why the proofs are simulated.** Every accepted presentation needs its own nullifier, so
//! its own proof: a load of 3,000 accepted presentations a second for ten seconds would need
//! 30,000 real proofs, some two hours of proving on this kind of machine. The fixture therefore
//! makes a *load key*: a verifying key with 34 public inputs whose discrete logarithms the
//! generator knows (`α, β, γ, δ` and every `IC_i`), so it can make a valid Groth16 proof for
//! any public inputs with three scalar multiplications (the zero-knowledge simulator):
//! pick `r, s`, set `A = r·G₁`, `B = s·G₂`, `C = c·G₁` with
//! `c = (r·s − α·β − γ·Σ xᵢ·icᵢ) / δ`, so that `e(A, B) = e(α, β)·e(Σ xᵢ·ICᵢ, γ)·e(C, δ)`.
//! The service cannot tell: it parses, checks and verifies these presentations exactly as it
//! does real ones (same key size, same pairing work, same request, root, date and store
//! checks). A load key is for load tests only: whoever holds its trapdoor can prove anything,
//! so the fixture's keys live in the load directory and nowhere else. Real proofs go through the
//! same service in the end-to-end tests (`cli/tests/serve.rs`).

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{Field, UniformRand, Zero};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rand::{CryptoRng, RngCore};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zkcred_core::did::IssuerKey;
use zkcred_core::schema::SLOTS;
use zkcred_core::statement::NUM_PUBLIC_INPUTS;
use zkcred_verifier::{PlatformKey, Proof, ProofEnvelope, Request, VerifyingKey};

/// The trapdoor of a load key (see the module docs).
pub struct LoadKey {
    alpha: Fr,
    beta: Fr,
    gamma: Fr,
    delta_inv: Fr,
    ic: Vec<Fr>,
    vk: VerifyingKey,
}

impl std::fmt::Debug for LoadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadKey").finish_non_exhaustive()
    }
}

impl LoadKey {
    /// A fresh load key for the credential statement's 34 public inputs.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let nonzero = |rng: &mut R| loop {
            let x = Fr::rand(rng);
            if !x.is_zero() && x != Fr::from(1u64) && x != -Fr::from(1u64) {
                return x;
            }
        };
        let (alpha, beta, gamma) = (nonzero(rng), nonzero(rng), nonzero(rng));
        let delta = loop {
            let d = nonzero(rng);
            if d != gamma && d != -gamma {
                break d;
            }
        };
        let ic: Vec<Fr> = (0..=NUM_PUBLIC_INPUTS).map(|_| nonzero(rng)).collect();
        let g1 = G1Projective::generator();
        let g2 = G2Projective::generator();
        let points = G1Projective::normalize_batch(&ic.iter().map(|x| g1 * x).collect::<Vec<_>>());
        let vk = VerifyingKey::new(
            (g1 * alpha).into_affine(),
            (g2 * beta).into_affine(),
            (g2 * gamma).into_affine(),
            (g2 * delta).into_affine(),
            points,
        )
        .expect("random nonzero scalars make a safe key");
        let delta_inv = delta.inverse().expect("delta is nonzero");
        Self {
            alpha,
            beta,
            gamma,
            delta_inv,
            ic,
            vk,
        }
    }

    /// The verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.vk
    }

    /// A valid proof for `inputs` (34 public inputs), made with the trapdoor.
    pub fn prove<R: RngCore + CryptoRng>(&self, inputs: &[Fr], rng: &mut R) -> Proof {
        assert_eq!(
            inputs.len() + 1,
            self.ic.len(),
            "one scalar per public input"
        );
        let r = Fr::rand(rng);
        let s = loop {
            let s = Fr::rand(rng);
            if !s.is_zero() && !r.is_zero() {
                break s;
            }
        };
        let vk_x = self.ic[0]
            + inputs
                .iter()
                .zip(&self.ic[1..])
                .map(|(x, ic)| *x * ic)
                .sum::<Fr>();
        let c = (r * s - self.alpha * self.beta - self.gamma * vk_x) * self.delta_inv;
        let a = (G1Affine::generator() * r).into_affine();
        let b = (G2Affine::generator() * s).into_affine();
        let c = (G1Affine::generator() * c).into_affine();
        Proof::new(a, b, c).expect("nonzero scalars give points off infinity")
    }
}

/// The files of a load fixture, under one directory.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The directory.
    pub dir: PathBuf,
}

/// Where a fixture's parts are.
impl Fixture {
    /// The keys directory (`verification_key.json`, `circuit_id`).
    pub fn keys(&self) -> PathBuf {
        self.dir.join("keys")
    }
    /// The anchor ledger (one random root).
    pub fn ledger(&self) -> PathBuf {
        self.dir.join("ledger.jsonl")
    }
    /// The platform key (mode 0600).
    pub fn platform_key(&self) -> PathBuf {
        self.dir.join("platform.json")
    }
    fn trapdoor(&self) -> PathBuf {
        self.dir.join("load-trapdoor.json")
    }
    fn issuer_seed(&self) -> PathBuf {
        self.dir.join("issuer-key.hex")
    }

    /// The issuer key that signs the fixture's ledger (its seed is kept mode 0600).
    pub fn issuer_key(&self) -> Result<IssuerKey, String> {
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(self.issuer_seed()).map_err(|e| e.to_string())?,
        );
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), seed.as_mut()).map_err(|e| e.to_string())?;
        Ok(IssuerKey::from_seed(&seed))
    }

    /// The issuer's DID: `--issuer` of a service over this fixture.
    pub fn issuer(&self) -> Result<String, String> {
        Ok(self.issuer_key()?.did())
    }

    /// Writes a fresh fixture into `dir`: a load key (its trapdoor in `load-trapdoor.json`,
    /// mode 0600), a ledger anchoring one random root signed by a new issuer key (its seed in
    /// `issuer-key.hex`, mode 0600), and a platform key for `load.example`.
    pub fn create<R: RngCore + CryptoRng>(dir: &Path, rng: &mut R) -> std::io::Result<Self> {
        let f = Fixture {
            dir: dir.to_path_buf(),
        };
        std::fs::create_dir_all(f.keys())?;
        let key = LoadKey::generate(rng);
        let vk = key.verifying_key();
        let write = zkcred_core::atomic_file::write;
        write(
            &f.keys().join(zkcred_verifier::keys::VERIFICATION_KEY),
            zkcred_verifier::snarkjs::verifying_key_to_json(vk).as_bytes(),
            0o644,
        )?;
        write(
            &f.keys().join(zkcred_verifier::keys::CIRCUIT_ID),
            format!("{}\n", vk.circuit_id()).as_bytes(),
            0o644,
        )?;
        let dec = |x: &Fr| zkcred_core::encoding::fr_to_string(x);
        let trapdoor = json!({
            "alpha": dec(&key.alpha), "beta": dec(&key.beta), "gamma": dec(&key.gamma),
            "delta_inv": dec(&key.delta_inv), "ic": key.ic.iter().map(dec).collect::<Vec<_>>(),
        });
        write(&f.trapdoor(), trapdoor.to_string().as_bytes(), 0o600)?;
        let issuer = IssuerKey::generate(rng);
        write(
            &f.issuer_seed(),
            zeroize::Zeroizing::new(hex::encode(*issuer.seed())).as_bytes(),
            0o600,
        )?;
        zkcred_core::anchor::Ledger::new(f.ledger())
            .append(Fr::rand(rng), zkcred_core::clock::now_unix(), &issuer)
            .map_err(std::io::Error::other)?;
        let platform = PlatformKey::generate("load.example", rng).map_err(std::io::Error::other)?;
        write(&f.platform_key(), platform.to_json().as_bytes(), 0o600)?;
        Ok(f)
    }

    /// The fixture's load key, read back.
    pub fn load_key(&self) -> Result<LoadKey, String> {
        let text = std::fs::read_to_string(self.trapdoor()).map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let fr = |v: &Value| -> Result<Fr, String> {
            let s = v.as_str().ok_or("not a string")?;
            zkcred_verifier::decimal::parse_fr(s, "trapdoor").map_err(|e| e.to_string())
        };
        let ic = (v["ic"].as_array().ok_or("no ic")?.iter())
            .map(fr)
            .collect::<Result<Vec<_>, _>>()?;
        let vk =
            zkcred_verifier::keys::read_verifying_key(&self.keys()).map_err(|e| e.to_string())?;
        Ok(LoadKey {
            alpha: fr(&v["alpha"])?,
            beta: fr(&v["beta"])?,
            gamma: fr(&v["gamma"])?,
            delta_inv: fr(&v["delta_inv"])?,
            ic,
            vk,
        })
    }

    /// The root the fixture's ledger anchors.
    pub fn root(&self) -> Result<Fr, String> {
        let e = zkcred_core::anchor::Ledger::new(self.ledger())
            .latest()
            .map_err(|e| e.to_string())?;
        Ok(e.root)
    }
}

/// A presentation answering `request` with `nullifier` under `root`, proved with `key`;
/// `valid = false` spoils the proof (its `C` moved by the generator), so that only the pairing
/// check can refuse it.
pub fn presentation<R: RngCore + CryptoRng>(
    key: &LoadKey,
    request: &Request,
    root: Fr,
    nullifier: Fr,
    valid: bool,
    rng: &mut R,
) -> String {
    let inputs = request
        .public_inputs(root, nullifier, [Fr::zero(); SLOTS], Fr::zero())
        .to_field_elements();
    let mut proof = key.prove(&inputs, rng);
    if !valid {
        let c = (proof.c() + G1Affine::generator()).into_affine();
        proof = Proof::new(proof.a(), proof.b(), c).expect("a point off infinity");
    }
    let envelope = ProofEnvelope::new(
        request,
        key.verifying_key().circuit_id(),
        root,
        nullifier,
        BTreeMap::new(),
        None,
        inputs,
        proof,
    )
    .expect("a request without the name needs no opening");
    envelope.to_json()
}

/// What a load run sends.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The service's base URL (`http://127.0.0.1:PORT`, loopback).
    pub url: String,
    /// Valid presentations, each with its own request and nullifier.
    pub valid: usize,
    /// Presentations whose proof is spoiled.
    pub invalid: usize,
    /// Presentations that reuse the nullifier of a valid one (for another request).
    pub duplicates: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Presentations per second to aim at (`None`: as fast as the service answers).
    pub rate: Option<f64>,
    /// The run stops sending after this long, whatever is left.
    pub max_time: Duration,
    /// The preset the requests use.
    pub preset: String,
}

/// What a load run measured.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Presentations sent.
    pub sent: usize,
    /// Answers by status code and reason code.
    pub answers: BTreeMap<(u16, String), usize>,
    /// Transport failures (no HTTP answer).
    pub transport_errors: usize,
    /// Nullifiers accepted more than once (must be 0).
    pub double_accepted: usize,
    /// Wall time of the sending phase.
    pub elapsed: Duration,
    /// Latencies, sorted.
    pub latencies: Vec<Duration>,
    /// Accepted `(scope, nullifier)` pairs (the nullifier in decimal), for cross-checks
    /// against the store.
    pub accepted: Vec<(String, String)>,
}

impl Report {
    /// Answers with this status.
    pub fn with_status(&self, status: u16) -> usize {
        (self.answers.iter())
            .filter(|((s, _), _)| *s == status)
            .map(|(_, n)| n)
            .sum()
    }

    /// Answers with this reason code (`accepted` for acceptances).
    pub fn with_reason(&self, reason: &str) -> usize {
        (self.answers.iter())
            .filter(|((_, r), _)| r == reason)
            .map(|(_, n)| n)
            .sum()
    }

    /// Answers with a 5xx status.
    pub fn server_errors(&self) -> usize {
        (self.answers.iter())
            .filter(|((s, _), _)| *s >= 500)
            .map(|(_, n)| n)
            .sum()
    }

    /// The reports of runs made at the same time (on several replicas), as one.
    pub fn merge(reports: Vec<Report>) -> Report {
        let mut out = Report::default();
        for r in reports {
            out.sent += r.sent;
            for (k, n) in r.answers {
                *out.answers.entry(k).or_default() += n;
            }
            out.transport_errors += r.transport_errors;
            out.elapsed = out.elapsed.max(r.elapsed);
            out.latencies.extend(r.latencies);
            out.accepted.extend(r.accepted);
        }
        out.latencies.sort_unstable();
        let mut seen = HashSet::new();
        out.double_accepted = out.accepted.iter().filter(|a| !seen.insert(*a)).count();
        out
    }

    /// The `q` quantile of the latencies (0 if none).
    pub fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() - 1) as f64 * q).round() as usize;
        self.latencies[i]
    }

    /// Accepted presentations per second.
    pub fn accepted_per_sec(&self) -> f64 {
        self.with_reason("accepted") as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// A one-paragraph summary.
    pub fn summary(&self) -> String {
        let answered: usize = self.answers.values().sum();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        format!(
            "sent {} in {:.2} s: {:.0} answers/s, {:.0} accepted/s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
             accepted {}, duplicate {}, invalid_proof {}, other {}, 5xx {}, transport errors {}, double-accepted {}",
            self.sent,
            self.elapsed.as_secs_f64(),
            answered as f64 / self.elapsed.as_secs_f64().max(1e-9),
            self.accepted_per_sec(),
            ms(self.quantile(0.5)),
            ms(self.quantile(0.99)),
            ms(self.latencies.last().copied().unwrap_or_default()),
            self.with_reason("accepted"),
            self.with_reason("duplicate"),
            self.with_reason("invalid_proof"),
            answered
                - self.with_reason("accepted")
                - self.with_reason("duplicate")
                - self.with_reason("invalid_proof"),
            self.server_errors(),
            self.transport_errors,
            self.double_accepted,
        )
    }
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// A small HTTP/1.1 client for the service's JSON API.
#[derive(Clone)]
pub struct Http {
    client: HttpClient,
    base: String,
}

impl Http {
    /// A client for the service at `base` (`http://host:port`).
    pub fn new(base: &str, connections: usize) -> Self {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(connections.max(1))
            .build_http();
        Self {
            client,
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// Sends `method path` with `body`; returns the status and the body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, Bytes), String> {
        let req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| e.to_string())?;
        let resp = self.client.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        Ok((status, body.to_bytes()))
    }

    /// `call`, with the body parsed as JSON.
    pub async fn json(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, Value), String> {
        let (status, bytes) = self.call(method, path, body).await?;
        let v = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{method} {path}: {status}, not JSON ({e})"))?;
        Ok((status, v))
    }

    /// Creates a request with `preset`, `label` and `message`; returns it, parsed.
    pub async fn create_request(
        &self,
        preset: &str,
        label: &str,
        message: &str,
    ) -> Result<Request, String> {
        let body = json!({"preset": preset, "label": label, "message": message}).to_string();
        let (status, v) = self.json("POST", "/v1/requests", Some(body)).await?;
        if status != 201 && status != 200 {
            return Err(format!("creating a request: {status} {v}"));
        }
        Request::from_json(&v["request"].to_string()).map_err(|e| e.to_string())
    }
}

/// The presentations of a plan, in sending order (valid, invalid and duplicates shuffled
/// together), each with its request created on the service first.
pub async fn prepare(plan: &Plan, fixture: &Fixture, run_id: &str) -> Result<Vec<String>, String> {
    let http = Http::new(&plan.url, plan.concurrency);
    let key = Arc::new(fixture.load_key()?);
    let root = fixture.root()?;
    let total = plan.valid + plan.invalid + plan.duplicates;
    // Requests, created concurrently.
    let mut requests = Vec::with_capacity(total);
    let sem = Arc::new(tokio::sync::Semaphore::new(plan.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let (http, sem, preset) = (http.clone(), sem.clone(), plan.preset.clone());
        let message = format!("load-{run_id}-{i}");
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await.map_err(|e| e.to_string())?;
            http.create_request(&preset, "signup", &message)
                .await
                .map(|r| (i, r))
        });
    }
    while let Some(r) = tasks.join_next().await {
        requests.push(r.map_err(|e| e.to_string())??);
    }
    requests.sort_by_key(|(i, _)| *i);
    let requests: Vec<Request> = requests.into_iter().map(|(_, r)| r).collect();
    // Proofs, on every core.
    let plan = plan.clone();
    tokio::task::spawn_blocking(move || {
        let mut rng = rand::rngs::OsRng;
        let nullifiers: Vec<Fr> = (0..plan.valid + plan.invalid)
            .map(|_| Fr::rand(&mut rng))
            .collect();
        let kinds: Vec<(usize, bool, Fr)> = (0..total)
            .map(|i| {
                if i < plan.valid {
                    (i, true, nullifiers[i])
                } else if i < plan.valid + plan.invalid {
                    (i, false, nullifiers[i])
                } else {
                    let twin = (i - plan.valid - plan.invalid) % plan.valid.max(1);
                    (i, true, nullifiers[twin])
                }
            })
            .collect();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let chunk = total.div_ceil(threads).max(1);
        let mut out: Vec<(usize, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = kinds
                .chunks(chunk)
                .map(|part| {
                    let (key, requests) = (&key, &requests);
                    s.spawn(move || {
                        let mut rng = rand::rngs::OsRng;
                        part.iter()
                            .map(|(i, valid, nf)| {
                                (
                                    *i,
                                    presentation(key, &requests[*i], root, *nf, *valid, &mut rng),
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a proving thread"))
                .collect()
        });
        // A fixed shuffle, so duplicates are spread through the run.
        out.sort_by_key(|(i, _)| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 7, *i));
        Ok(out.into_iter().map(|(_, p)| p).collect())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// One answer: status, reason code, latency, and the accepted `(scope, nullifier)`.
type Answer = (u16, String, Duration, Option<(String, String)>);

/// Sends `presentations` to `POST /v1/presentations` as `plan` says, and reports.
pub async fn drive(plan: Plan, presentations: Vec<String>) -> Report {
    let http = Http::new(&plan.url, plan.concurrency);
    let presentations = Arc::new(presentations);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + plan.max_time;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..plan.concurrency.max(1) {
        let (http, presentations, next, rate) =
            (http.clone(), presentations.clone(), next.clone(), plan.rate);
        tasks.spawn(async move {
            let mut answers: Vec<Answer> = Vec::new();
            let mut transport = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= presentations.len() || Instant::now() >= deadline {
                    break;
                }
                // Open loop: presentation i is due at i / rate; latency counts from then, so a
                // slow answer cannot hide the queue behind it.
                let due = match rate {
                    Some(r) => {
                        let due = start + Duration::from_secs_f64(i as f64 / r);
                        tokio::time::sleep_until(due.into()).await;
                        due
                    }
                    None => Instant::now(),
                };
                match http
                    .json("POST", "/v1/presentations", Some(presentations[i].clone()))
                    .await
                {
                    Ok((status, v)) => {
                        let reason = if v["outcome"] == "accepted" {
                            "accepted".to_string()
                        } else {
                            v["error"]["code"].as_str().unwrap_or("no_code").to_string()
                        };
                        let nf = (v["outcome"] == "accepted")
                            .then(|| (v["scope"].as_str(), v["nullifier"].as_str()))
                            .and_then(|(s, n)| Some((s?.to_string(), n?.to_string())));
                        answers.push((status, reason, due.elapsed(), nf));
                    }
                    Err(_) => transport += 1,
                }
            }
            (answers, transport)
        });
    }
    let mut report = Report::default();
    let mut seen = HashSet::new();
    while let Some(Ok((answers, transport))) = tasks.join_next().await {
        report.transport_errors += transport;
        for (status, reason, latency, nf) in answers {
            report.sent += 1;
            *report.answers.entry((status, reason)).or_default() += 1;
            report.latencies.push(latency);
            if let Some(nf) = nf {
                if !seen.insert(nf.clone()) {
                    report.double_accepted += 1;
                }
                report.accepted.push(nf);
            }
        }
    }
    report.sent += report.transport_errors;
    report.elapsed = start.elapsed();
    report.latencies.sort_unstable();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_key_proves_what_the_verifier_accepts_and_a_spoiled_proof_fails() {
        let mut rng = rand::rngs::OsRng;
        let key = LoadKey::generate(&mut rng);
        let pvk = key.verifying_key().prepare();
        let inputs: Vec<Fr> = (0..NUM_PUBLIC_INPUTS).map(|_| Fr::rand(&mut rng)).collect();
        let proof = key.prove(&inputs, &mut rng);
        zkcred_verifier::groth16::verify(&pvk, &proof, &inputs).unwrap();
        let mut other = inputs.clone();
        other[3] += Fr::from(1u64);
        assert!(zkcred_verifier::groth16::verify(&pvk, &proof, &other).is_err());
    }
}
