//! The HTTP API (axum): routes, request parsing, answers and error bodies.

use crate::batcher::{self, BatchConfig, Job, Verdict, OUTCOME_UNKNOWN};
use crate::metrics::StoreOp;
use crate::store::{RequestState, Store, StoredRequest};
use crate::{Limits, Shared, MAX_TTL_SECS, OPENAPI};
use axum::error_handling::HandleErrorLayer;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{BoxError, Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tower::ServiceBuilder;
use zkcred_core::date::Date;
use zkcred_core::encoding::fr_to_string as decimal_of;
use zkcred_verifier::{ProofEnvelope, Request};

/// The longest label and message a request may have, in bytes.
const MAX_LABEL: usize = 100;
const MAX_MESSAGE: usize = 1024;

/// An error answer: `{"error": {"code", "message"}}` (and `"outcome": "rejected"` on the
/// presentation endpoint).
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    presentation: bool,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            presentation: false,
        }
    }

    fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            message,
        )
    }

    fn on_presentation(mut self) -> Self {
        self.presentation = true;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": {"code": self.code, "message": self.message}});
        if self.presentation {
            body["outcome"] = json!("rejected");
        }
        let mut r = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        r
    }
}

type ApiResult<T> = Result<T, ApiError>;

struct AppState<S> {
    shared: Arc<Shared<S>>,
    jobs: mpsc::Sender<Job>,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
            jobs: self.jobs.clone(),
        }
    }
}

/// Serves `listener` until `shutdown`, then drains the batcher.
pub(crate) async fn run<S: Store>(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared<S>>,
    batch: BatchConfig,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (jobs, batcher) = batcher::spawn(batch, shared.clone(), limits.queue);
    let refresher = tokio::spawn(refresh(shared.clone()));
    let app = router(AppState { shared, jobs }, limits);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    // Every handler (and its sender) is gone: the batcher answers what it holds, then ends.
    let _ = batcher.await;
    refresher.abort();
    served
}

async fn refresh<S: Store>(shared: Arc<Shared<S>>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let s = shared.clone();
        let _ = tokio::task::spawn_blocking(move || s.anchors.refresh()).await;
    }
}

fn router<S: Store>(state: AppState<S>, limits: Limits) -> Router {
    let guard = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|e: BoxError| async move {
            if e.is::<tower::timeout::error::Elapsed>() {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "timeout",
                    "the request took longer than the service allows",
                )
            } else {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "overloaded",
                    "try again later",
                )
            }
        }))
        .timeout(limits.timeout)
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            limits.concurrency.max(1),
        ));
    Router::new()
        .route("/v1/requests", post(create_request::<S>))
        .route("/v1/requests/{id}", get(get_request::<S>))
        .route("/v1/requests/{id}/qr.png", get(qr_png::<S>))
        .route("/v1/presentations", post(present::<S>))
        .route("/v1/roots", get(roots::<S>))
        .route("/v1/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz::<S>))
        .route("/metrics", get(metrics::<S>))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(guard)
        .with_state(state)
}

/// The body as UTF-8 text, or a JSON error naming what is wrong with it.
fn body_text(body: Result<Bytes, BytesRejection>) -> ApiResult<String> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is larger than the service accepts",
            )
        } else {
            ApiError::bad("bad_body", "the request body could not be read")
        }
    })?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad("bad_body", "the body is not UTF-8"))
}

fn check_request_id(id: &str) -> ApiResult<()> {
    zkcred_verifier::key::check_hex_id("request id", id)
        .map_err(|_| ApiError::bad("bad_request_id", "a request id is 64 lowercase hex digits"))
}

async fn load_request<S: Store>(shared: &Shared<S>, id: &str) -> ApiResult<Option<StoredRequest>> {
    let started = Instant::now();
    let r = shared.store.get_request(id).await;
    (shared.metrics.store(StoreOp::GetRequest)).observe_duration(started.elapsed());
    r.map_err(|e| {
        eprintln!("zkcred serve: reading request {id}: {e}");
        ApiError::unavailable("the store is unavailable; retry later")
    })
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The link a wallet opens: `zkcred://request?url=<the request's URL, percent-encoded>`.
fn request_uri(public_url: &str, id: &str) -> String {
    format!(
        "zkcred://request?url={}",
        percent_encode(&format!("{public_url}/v1/requests/{id}"))
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    #[serde(default)]
    preset: Option<String>,
    #[serde(default)]
    policy: Option<Value>,
    label: String,
    message: String,
    #[serde(default)]
    ttl_secs: Option<u64>,
}

fn created_body(shared_url: &str, stored: &StoredRequest) -> ApiResult<Value> {
    let document: Value = serde_json::from_str(&stored.document)
        .map_err(|_| ApiError::unavailable("a stored request is unreadable"))?;
    Ok(json!({
        "id": stored.id,
        "request": document,
        "uri": request_uri(shared_url, &stored.id),
        "qr": format!("{shared_url}/v1/requests/{}/qr.png", stored.id),
        "state": if stored.state == RequestState::Open && stored.expires_at <= zkcred_core::clock::now_unix() {
            "expired"
        } else {
            stored.state.as_str()
        },
        "expires_at": stored.expires_at,
    }))
}

/// Whether `headers` carry `Authorization: Bearer <token>` (compared in constant time).
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = (headers.get(header::AUTHORIZATION))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    given.len() == token.len()
        && (given.bytes().zip(token.bytes())).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

async fn create_request<S: Store>(
    State(st): State<AppState<S>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    if let Some(token) = &st.shared.admin_token {
        if !authorized(&headers, token) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "creating requests needs the platform's bearer token",
            ));
        }
    }
    let text = body_text(body)?;
    let c: CreateRequest = serde_json::from_str(&text)
        .map_err(|e| ApiError::bad("malformed_json", format!("the request body: {e}")))?;
    let policy = match (c.preset, c.policy) {
        (Some(name), None) => zkcred_core::policy::preset(&name).ok_or_else(|| {
            ApiError::bad(
                "unknown_preset",
                format!(
                    "unknown preset {:?}; presets: {}",
                    name.chars().take(64).collect::<String>(),
                    zkcred_core::policy::PRESETS.join(", ")
                ),
            )
        })?,
        (None, Some(p)) => p,
        _ => {
            return Err(ApiError::bad(
                "bad_policy",
                "give exactly one of \"preset\" and \"policy\"",
            ))
        }
    };
    if c.label.is_empty() || c.label.len() > MAX_LABEL || c.label.chars().any(char::is_control) {
        return Err(ApiError::bad(
            "bad_label",
            format!("the label must be 1 to {MAX_LABEL} bytes without control characters"),
        ));
    }
    if c.message.len() > MAX_MESSAGE {
        return Err(ApiError::bad(
            "bad_message",
            format!("the message is longer than {MAX_MESSAGE} bytes"),
        ));
    }
    let ttl = c.ttl_secs.unwrap_or(st.shared.request_ttl.as_secs());
    if ttl == 0 || ttl > MAX_TTL_SECS {
        return Err(ApiError::bad(
            "bad_ttl",
            format!("ttl_secs must be 1 to {MAX_TTL_SECS}"),
        ));
    }
    let key = &st.shared.platform_key;
    let scope = format!("{}/{}", key.id(), c.label);
    let circuit_id = st.shared.pvk.circuit_id().to_string();
    let request = Request::new(
        policy,
        scope,
        c.message,
        Date::today_utc(),
        st.shared.anchors.issuer(),
        Some(circuit_id),
    )
    .and_then(|r| r.sign(key))
    .map_err(|e| ApiError::bad(e.code(), e.to_string()))?;
    let now = zkcred_core::clock::now_unix();
    let new = StoredRequest {
        id: request.id().to_string(),
        document: request.to_json(),
        created_at: now,
        expires_at: now.saturating_add(ttl),
        state: RequestState::Open,
    };
    let started = Instant::now();
    let stored = st.shared.store.put_request(new).await;
    (st.shared.metrics.store(StoreOp::PutRequest)).observe_duration(started.elapsed());
    let (stored, fresh) = stored.map_err(|e| {
        eprintln!("zkcred serve: storing a request: {e}");
        ApiError::unavailable("the store is unavailable; retry later")
    })?;
    if fresh {
        st.shared.metrics.request_created();
        st.shared.remember(Arc::new(request), stored.expires_at);
    }
    let status = if fresh {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(created_body(&st.shared.public_url, &stored)?)).into_response())
}

/// The stored request `id` if it is still answerable.
async fn open_request<S: Store>(shared: &Shared<S>, id: &str) -> ApiResult<StoredRequest> {
    check_request_id(id)?;
    let Some(stored) = load_request(shared, id).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_request",
            "no such request",
        ));
    };
    if stored.state == RequestState::Consumed {
        return Err(ApiError::new(
            StatusCode::GONE,
            "request_used",
            "the request has already been answered",
        ));
    }
    if stored.expires_at <= zkcred_core::clock::now_unix() {
        return Err(ApiError::new(
            StatusCode::GONE,
            "request_expired",
            "the request has expired",
        ));
    }
    Ok(stored)
}

async fn get_request<S: Store>(
    State(st): State<AppState<S>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let stored = open_request(&st.shared, &id).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        stored.document,
    )
        .into_response())
}

async fn qr_png<S: Store>(
    State(st): State<AppState<S>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let stored = open_request(&st.shared, &id).await?;
    let uri = request_uri(&st.shared.public_url, &stored.id);
    let png = crate::qr::png(&uri)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "qr_failed", e))?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// The service's copy of request `id`, parsed once.
async fn request_for<S: Store>(shared: &Shared<S>, id: &str) -> ApiResult<Arc<Request>> {
    if let Some(r) = shared.cached(id) {
        return Ok(r);
    }
    let unknown = || {
        ApiError::new(StatusCode::NOT_FOUND, "unknown_request", "no such request").on_presentation()
    };
    check_request_id(id).map_err(|_| unknown())?;
    let stored = load_request(shared, id)
        .await
        .map_err(ApiError::on_presentation)?
        .ok_or_else(unknown)?;
    let request = Request::from_json(&stored.document)
        .map_err(|_| ApiError::unavailable("a stored request is unreadable").on_presentation())?;
    let request = Arc::new(request);
    shared.remember(request.clone(), stored.expires_at);
    Ok(request)
}

fn status_of(code: &str, malformed: bool) -> StatusCode {
    match code {
        "duplicate" | "request_used" => StatusCode::CONFLICT,
        "request_expired" => StatusCode::GONE,
        "unknown_request" => StatusCode::NOT_FOUND,
        _ if malformed => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

async fn present<S: Store>(
    State(st): State<AppState<S>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let arrived = Instant::now();
    let shared = &st.shared;
    let malformed = |code: &'static str, message: String| {
        shared.metrics.outcome("malformed", code);
        ApiError::bad(code, message).on_presentation()
    };
    let text = body_text(body).map_err(|e| {
        shared.metrics.outcome("malformed", e.code);
        e.on_presentation()
    })?;
    let envelope =
        ProofEnvelope::from_json(&text).map_err(|e| malformed(e.code(), e.to_string()))?;
    let request = request_for(shared, &envelope.request_id)
        .await
        .inspect_err(|e| {
            shared.metrics.outcome("rejected", e.code);
        })?;
    let request_id = envelope.request_id.clone();
    let (reply, verdict) = oneshot::channel();
    let job = Job {
        request,
        envelope,
        arrived,
        reply,
    };
    if st.jobs.send(job).await.is_err() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the service is shutting down",
        )
        .on_presentation());
    }
    match verdict.await {
        Ok(Verdict::Accepted(v)) => Ok(Json(json!({
            "outcome": "accepted",
            "request_id": request_id,
            "scope": v.scope,
            "nullifier": decimal_of(&v.nullifier),
            "root": decimal_of(&v.root),
            "disclosed": v.disclosed,
            "name": v.name,
        }))
        .into_response()),
        Ok(Verdict::Rejected {
            code,
            message,
            malformed,
        }) => Err(ApiError::new(status_of(code, malformed), code, message).on_presentation()),
        Ok(Verdict::Unavailable(message)) => Err(ApiError::unavailable(message).on_presentation()),
        Err(_) => Err(ApiError::unavailable(OUTCOME_UNKNOWN).on_presentation()),
    }
}

async fn roots<S: Store>(State(st): State<AppState<S>>) -> Json<Value> {
    let entries = st.shared.anchors.current();
    let issuer = st.shared.anchors.issuer();
    let now = zkcred_core::clock::now_unix();
    let window = st.shared.window;
    let roots: Vec<Value> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let replaced = entries.get(i + 1).map(|n| n.time);
            json!({
                "seq": e.seq,
                "root": decimal_of(&e.root),
                "anchored_at": e.time,
                "replaced_at": replaced,
                "valid_until": replaced.map(|t| t + window),
                "valid": zkcred_core::anchor::check_root(&entries[..], issuer, e.root, now, window).is_ok(),
            })
        })
        .collect();
    Json(json!({"window_secs": window, "roots": roots}))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz<S: Store>(State(st): State<AppState<S>>) -> Response {
    let mut problems = Vec::new();
    if let Err(e) = st.shared.store.ping().await {
        eprintln!("zkcred serve: readiness: {e}");
        problems.push("the store does not answer".to_string());
    }
    if let Some(p) = st.shared.anchors.problem() {
        eprintln!("zkcred serve: readiness: {p}");
        problems.push("the anchor ledger cannot be read; the last good roots are in use".into());
    }
    let store = st.shared.store.kind();
    if problems.is_empty() {
        Json(json!({"status": "ready", "store": store})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not_ready", "store": store, "problems": problems})),
        )
            .into_response()
    }
}

async fn metrics<S: Store>(State(st): State<AppState<S>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.shared.metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_uris_percent_encode_the_url() {
        assert_eq!(
            request_uri("http://127.0.0.1:8080", "ab"),
            "zkcred://request?url=http%3A%2F%2F127.0.0.1%3A8080%2Fv1%2Frequests%2Fab"
        );
    }

    #[test]
    fn request_ids_are_checked_before_any_lookup() {
        assert!(check_request_id(&"a".repeat(64)).is_ok());
        for bad in [
            "",
            "A".repeat(64).as_str(),
            "../../etc/passwd",
            &"a".repeat(65),
        ] {
            assert!(check_request_id(bad).is_err(), "{bad}");
        }
    }
}
