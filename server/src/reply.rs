//! What a request is answered with, before it becomes HTTP: a status, a body (Graph JSON, JSON
//! lines or nothing) and extra headers; and Graph's error body for the engine's refusals and
//! for the server's own errors (token, route, method, request body), with `innerError`'s
//! date (the simulated time), `request-id` and `client-request-id`.

use mtosim_engine::{Refusal, World};
use mtosim_graph::request::Problem;
use mtosim_graph::ErrorBody;
use serde_json::Value;

/// A reply's body.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// `204 No Content` and friends.
    Empty,
    /// A JSON document.
    Json(Value),
    /// A JSON document already serialized (users, written without a [`Value`]).
    JsonBytes(axum::body::Bytes),
    /// JSON lines (`application/x-ndjson`), each ending in a newline.
    Lines(String),
}

/// A reply.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Body,
    /// Extra headers (name, value).
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// `status` with a JSON body.
    pub fn json(status: u16, v: Value) -> Reply {
        Reply {
            status,
            body: Body::Json(v),
            headers: Vec::new(),
        }
    }

    /// `status` with a JSON body already serialized.
    pub fn json_bytes(status: u16, bytes: impl Into<axum::body::Bytes>) -> Reply {
        Reply {
            status,
            body: Body::JsonBytes(bytes.into()),
            headers: Vec::new(),
        }
    }

    /// `204 No Content`.
    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: Body::Empty,
            headers: Vec::new(),
        }
    }

    /// This reply with one more header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// What every error body of one request carries.
pub struct Ids {
    /// `request-id`.
    pub request_id: String,
    /// `client-request-id`: the client's own, or the request id.
    pub client_request_id: String,
}

/// `innerError.date`: the simulated time, in Graph's form (no zone letter).
fn date(world: &World) -> String {
    world.now().to_string().trim_end_matches('Z').to_string()
}

/// An error reply with `status`, `code` and `message`.
pub fn error(world: &World, ids: &Ids, status: u16, code: &str, message: &str) -> Reply {
    let body = ErrorBody::new(
        code,
        message,
        &date(world),
        &ids.request_id,
        &ids.client_request_id,
    );
    Reply::json(status, mtosim_graph::to_value(&body))
}

/// The error reply for a request the server could not use.
pub fn problem(world: &World, ids: &Ids, p: &Problem) -> Reply {
    error(world, ids, p.status, p.code, &p.message)
}

/// The error reply for an engine refusal, in Graph's words (`graph::words`), its status from
/// its code.
pub fn refusal(world: &World, ids: &Ids, r: &Refusal) -> Reply {
    let body = ErrorBody::from_refusal(r, &date(world), &ids.request_id, &ids.client_request_id);
    let status = mtosim_graph::error::status(&body.error.code);
    Reply::json(status, mtosim_graph::to_value(&body))
}
