//! The operator's endpoints under `/mtosim`, for the operator token only: the simulated clock
//! (`GET /mtosim/clock`, `POST /mtosim/clock/advance` with `{"by": "PT2H"}`), `POST
//! /mtosim/settle` (optionally `{"max": "P30D"}`), and `GET /mtosim/events?after=N`: the
//! narrated events after sequence number N as JSON lines (mtosim-render's `event_json` with a
//! `seq`), at most [`EVENTS_PAGE_MAX`] per request; and `POST /mtosim/record`, which writes the
//! session so far through the [`Recorder`] the server was started with (`mtosim serve --record`).

use crate::duration;
use crate::reply::{Body, Reply};
use mtosim_engine::{Duration, World};
use mtosim_graph::request::{self as rq, Problem};
use serde_json::{json, Value};
use std::sync::Arc;

/// What writes a served world's recorded session (`mtosim serve --record`): called with the
/// world, it answers where it wrote the session and how many steps, or why it could not.
pub type RecordFn = dyn Fn(&World) -> Result<(String, usize), String> + Send + Sync;

/// A [`RecordFn`] to hand to [`crate::Config`].
#[derive(Clone)]
pub struct Recorder(pub Arc<RecordFn>);

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recorder")
    }
}

/// The most events one `GET /mtosim/events` returns; the client asks again with the last
/// `seq` it read.
pub const EVENTS_PAGE_MAX: usize = 10_000;

/// How long `POST /mtosim/settle` lets simulated time run when the body names no `max` (as a
/// scenario's `settle`).
pub const SETTLE_MAX_DEFAULT: Duration = Duration::days(30);

/// The operator's resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// `/mtosim/clock`.
    Clock,
    /// `/mtosim/clock/advance`.
    Advance,
    /// `/mtosim/settle`.
    Settle,
    /// `/mtosim/events`.
    Events,
    /// `/mtosim/record`.
    Record,
}

impl Resource {
    /// The one method each answers.
    pub fn allowed(self) -> &'static [&'static str] {
        match self {
            Resource::Clock | Resource::Events => &["GET"],
            Resource::Advance | Resource::Settle | Resource::Record => &["POST"],
        }
    }
}

/// The resource `segments` (after `mtosim`) name, or the first segment that names none.
pub fn resource<'p>(segments: &[&'p str]) -> Result<Resource, &'p str> {
    match segments {
        ["clock"] => Ok(Resource::Clock),
        ["clock", "advance"] => Ok(Resource::Advance),
        ["clock", other, ..] => Err(other),
        ["settle"] => Ok(Resource::Settle),
        ["events"] => Ok(Resource::Events),
        ["record"] => Ok(Resource::Record),
        ["settle" | "events" | "record", other, ..] => Err(other),
        [other, ..] => Err(other),
        [] => Err(""),
    }
}

/// `{"now": ...}`, with `limit` when a per-run cap has stopped the world (SIM-3).
fn now(world: &World) -> Value {
    let mut v = json!({ "now": world.now().to_string() });
    if let Some(l) = world.limit() {
        v["limit"] = Value::String(l.to_string());
    }
    v
}

/// A duration property of an operator request body.
fn duration_of(body: &serde_json::Map<String, Value>, name: &str) -> Result<Option<Duration>, Problem> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => duration::parse(s)
            .map(Some)
            .map_err(|e| Problem::bad_request(format!("{e} (at $.{name})."))),
        Some(_) => Err(Problem::bad_request(format!(
            "The property '{name}' must be an ISO 8601 duration string such as \"PT2H\" (at $.{name})."
        ))),
    }
}

/// The `after` query parameter (default 0).
fn after(query: &str) -> Result<usize, Problem> {
    let mut after = 0;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "after" {
            after = v.parse::<usize>().map_err(|_| {
                Problem::bad_request(format!(
                    "The query parameter 'after' must be a sequence number (0 or more), not '{v}'."
                ))
            })?;
        }
    }
    Ok(after)
}

/// Answers one operator request (the method is one `res` allows); `recorder` writes the
/// session (`--record`).
pub fn handle(
    world: &mut World,
    recorder: Option<&Recorder>,
    res: Resource,
    query: &str,
    body: &[u8],
) -> Result<Reply, Problem> {
    Ok(match res {
        Resource::Clock => Reply::json(200, now(world)),
        Resource::Advance => {
            let b = rq::parse_object(body)?;
            let by = duration_of(&b, "by")?.ok_or_else(|| {
                Problem::bad_request("The property 'by' is required, e.g. {\"by\": \"PT2H\"} (at $.by).")
            })?;
            let to = world.now() + by;
            world.advance_to(to);
            Reply::json(200, now(world))
        }
        Resource::Settle => {
            let b = rq::parse_object(body)?;
            let max = duration_of(&b, "max")?.unwrap_or(SETTLE_MAX_DEFAULT);
            let settled = world.settle(max).is_ok();
            let mut v = now(world);
            v["settled"] = Value::Bool(settled);
            Reply::json(200, v)
        }
        Resource::Record => {
            let Some(r) = recorder else {
                return Err(Problem {
                    status: 404,
                    code: "Request_ResourceNotFound",
                    message: "This server records no session; start it with mtosim serve --record PATH."
                        .to_string(),
                });
            };
            match (r.0)(world) {
                Ok((path, steps)) => Reply::json(200, json!({ "path": path, "steps": steps })),
                Err(e) => {
                    return Err(Problem {
                        status: 409,
                        code: "Request_UnsupportedQuery",
                        message: format!("The session cannot be written as a scenario: {e}"),
                    })
                }
            }
        }
        Resource::Events => {
            let after = after(query)?;
            let mut out = String::new();
            for (i, ev) in world
                .events()
                .iter()
                .enumerate()
                .skip(after)
                .take(EVENTS_PAGE_MAX)
            {
                let mut v = mtosim_render::jsonl::event_json(world, ev);
                if let Value::Object(o) = &mut v {
                    o.shift_insert(0, "seq".to_string(), json!(i + 1));
                }
                out.push_str(&v.to_string());
                out.push('\n');
            }
            Reply {
                status: 200,
                body: Body::Lines(out),
                headers: Vec::new(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_paths_and_queries() {
        assert_eq!(resource(&["clock"]), Ok(Resource::Clock));
        assert_eq!(resource(&["clock", "advance"]), Ok(Resource::Advance));
        assert_eq!(resource(&["clock", "back"]), Err("back"));
        assert_eq!(resource(&["events", "x"]), Err("x"));
        assert_eq!(resource(&["nope"]), Err("nope"));
        assert_eq!(resource(&["record"]), Ok(Resource::Record));
        assert_eq!(resource(&["record", "x"]), Err("x"));
        assert_eq!(after("after=12").unwrap(), 12);
        assert_eq!(after("").unwrap(), 0);
        assert!(after("after=-1").unwrap_err().message.contains("'-1'"));
    }
}
