//! HTTP with axum: one fallback handler takes every request (routing is Graph's, in
//! `dispatch`, case-insensitive and with Graph's error bodies), reads the body up to
//! [`crate::REQUEST_BODY_BYTES_MAX`] (413 beyond), and runs the request on a blocking thread
//! with the world's lock held, so that a long settle never stalls the sockets: reads of the
//! directory (pages of users, a user) share it, every other request holds it alone and so is
//! serialized with all others. tower-http's timeout bounds every request ([`crate::REQUEST_TIMEOUT`]).

use crate::auth::Tokens;
use crate::dispatch::{self, Request};
use crate::reply::{self, Body, Ids, Reply};
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use mtosim_engine::World;
use std::sync::{Arc, Mutex, RwLock};

/// The content type of Graph's JSON responses.
const GRAPH_JSON: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// What every request shares: the world, behind one lock, and the tokens.
pub struct Shared {
    /// The world; held for the whole of one request: shared by reads of the directory, alone
    /// by every other request. Private: a write goes through [`Shared::world_mut`], which
    /// drops what the caches kept of the world before it.
    world: RwLock<World>,
    /// Every token.
    pub tokens: Tokens,
    /// The journal of accepted writes (`--state`), locked after the world.
    pub journal: Mutex<Option<crate::journal::Journal>>,
    /// What writes the session (`--record`), set once before serving.
    pub recorder: std::sync::OnceLock<crate::operator::Recorder>,
    /// Indexes kept beside the world, locked after it.
    pub caches: crate::call::Caches,
}

impl Shared {
    /// What every request shares, around `world`.
    pub fn new(world: World, tokens: Tokens) -> Shared {
        Shared {
            world: RwLock::new(world),
            tokens,
            journal: Mutex::new(None),
            recorder: std::sync::OnceLock::new(),
            caches: crate::call::Caches::default(),
        }
    }

    /// The world, shared with other readers.
    pub fn world(&self) -> std::sync::LockResult<std::sync::RwLockReadGuard<'_, World>> {
        self.world.read()
    }

    /// The world, alone, to write it: what the caches kept of it is dropped first.
    pub fn world_mut(&self) -> std::sync::LockResult<std::sync::RwLockWriteGuard<'_, World>> {
        let w = self.world.write();
        self.caches.world_written();
        w
    }
}

/// The service: every request goes to [`handle`], within the timeout.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared).layer(
        tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            crate::REQUEST_TIMEOUT,
        ),
    )
}

/// Why the body could not be read.
enum BodyError {
    /// Over [`crate::REQUEST_BODY_BYTES_MAX`].
    TooLarge,
    /// The connection failed while reading it.
    Broken,
}

/// How much of a body over the cap is still read (and dropped) before the 413 is sent, so
/// that a client which writes its whole body before reading gets the answer instead of a
/// reset connection; a larger one is answered at once.
const DRAIN_BYTES_MAX: u64 = 8 << 20;

/// Reads the body, keeping at most [`crate::REQUEST_BODY_BYTES_MAX`] bytes.
async fn read_body(parts: &axum::http::request::Parts, body: axum::body::Body) -> Result<Vec<u8>, BodyError> {
    use http_body_util::BodyExt;
    let cap = crate::REQUEST_BODY_BYTES_MAX as u64;
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_BYTES_MAX) {
        return Err(BodyError::TooLarge);
    }
    let mut over = declared.is_some_and(|n| n > cap);
    let mut body = body;
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        if let Ok(data) = frame.into_data() {
            total = total.saturating_add(data.len() as u64);
            if total > cap {
                over = true;
                buf = Vec::new();
            } else if !over {
                buf.extend_from_slice(&data);
            }
            if total > DRAIN_BYTES_MAX {
                break;
            }
        }
    }
    if over {
        Err(BodyError::TooLarge)
    } else {
        Ok(buf)
    }
}

/// Answers one request.
async fn handle(State(shared): State<Arc<Shared>>, req: axum::extract::Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = read_body(&parts, body).await;
    let client_id = parts
        .headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let ids = dispatch::ids(client_id.as_deref());
    let task_ids = Ids {
        request_id: ids.request_id.clone(),
        client_request_id: ids.client_request_id.clone(),
    };
    let done = tokio::task::spawn_blocking(move || {
        // a read of the directory shares the world with other reads
        if let (Ok(bytes), Ok(world)) = (&body, shared.world()) {
            let request = request(&parts, bytes);
            if let Some(reply) = dispatch::handle_read(&world, &shared.tokens, &shared.caches, &task_ids, &request) {
                return reply;
            }
        }
        let mut world = match shared.world_mut() {
            Ok(w) => w,
            Err(poisoned) => {
                let w = poisoned.into_inner();
                return reply::error(
                    &w,
                    &task_ids,
                    500,
                    "InternalServerError",
                    "The simulation stopped after an internal error; restart mtosim serve.",
                );
            }
        };
        match body {
            Err(BodyError::TooLarge) => reply::error(
                &world,
                &task_ids,
                413,
                "RequestEntityTooLarge",
                &format!(
                    "The request body is larger than {} bytes (REQUEST_BODY_BYTES_MAX).",
                    crate::REQUEST_BODY_BYTES_MAX
                ),
            ),
            Err(BodyError::Broken) => reply::error(
                &world,
                &task_ids,
                400,
                "BadRequest",
                "The request body could not be read.",
            ),
            Ok(bytes) => {
                let request = request(&parts, &bytes);
                let before = world.now();
                let reply = dispatch::handle(
                    &mut world,
                    &shared.tokens,
                    shared.recorder.get(),
                    &shared.caches,
                    &task_ids,
                    &request,
                );
                // a recording request writes a file and changes no world: not journaled
                let record = request.path.trim_end_matches('/').eq_ignore_ascii_case("/mtosim/record");
                if reply.status < 300 && request.method != "GET" && !record {
                    if let Err(e) = journal(&shared, &world, &request, before) {
                        return reply::error(
                            &world,
                            &task_ids,
                            503,
                            "ServiceUnavailable",
                            &format!("The write was applied but could not be journaled ({e}); restart mtosim serve with its --state directory to return to the last acknowledged write."),
                        );
                    }
                }
                reply
            }
        }
    })
    .await;
    let reply = done.unwrap_or_else(|_| Reply {
        status: 500,
        body: Body::Json(serde_json::json!({"error": {
            "code": "InternalServerError",
            "message": "The request failed inside the simulator; restart mtosim serve.",
            "innerError": {"request-id": ids.request_id, "client-request-id": ids.client_request_id},
        }})),
        headers: Vec::new(),
    });
    response(reply, &ids)
}

/// What the dispatcher reads of a request: its head `parts` and its `body`.
fn request<'a>(parts: &'a axum::http::request::Parts, body: &'a [u8]) -> Request<'a> {
    Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        authorization: parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .map(HeaderValue::as_bytes),
        body,
        consistency_eventual: parts
            .headers
            .get("consistencylevel")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual")),
    }
}

/// Appends an accepted write to the journal, if there is one (`--state`), before it is answered.
fn journal(
    shared: &Shared,
    world: &World,
    request: &Request<'_>,
    at: mtosim_engine::SimTime,
) -> Result<(), String> {
    let mut j = shared
        .journal
        .lock()
        .map_err(|_| "the journal's lock is poisoned".to_string())?;
    let Some(j) = j.as_mut() else {
        return Ok(());
    };
    let caller = crate::journal::caller_name(world, shared.tokens.caller(request.authorization))
        .ok_or_else(|| "no caller".to_string())?;
    let body = std::str::from_utf8(request.body).map_err(|_| "the body is not UTF-8".to_string())?;
    j.append(&crate::journal::Entry {
        caller,
        method: request.method.to_string(),
        path: request.path.to_string(),
        query: request.query.to_string(),
        body: body.to_string(),
        at,
    })
}

/// A reply as an HTTP response, with Graph's `request-id` and `client-request-id` headers.
fn response(reply: Reply, ids: &Ids) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = match reply.body {
        Body::Empty => status.into_response(),
        Body::Json(v) => (status, [("content-type", GRAPH_JSON)], v.to_string()).into_response(),
        Body::JsonBytes(bytes) => (status, [("content-type", GRAPH_JSON)], bytes).into_response(),
        Body::Lines(text) => (status, [("content-type", "application/x-ndjson")], text).into_response(),
    };
    let h = res.headers_mut();
    let mut put = |name: &str, value: &str| {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(value)) {
            h.insert(n, v);
        }
    };
    put("request-id", &ids.request_id);
    put("client-request-id", &ids.client_request_id);
    for (name, value) in &reply.headers {
        put(name, value);
    }
    res
}
