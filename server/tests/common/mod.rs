//! What the server's tests share: a small HTTP/1.1 client over a loopback `TcpStream`
//! (`Connection: close`, bodies by `Content-Length`), and the scenario of Microsoft's tutorial
//! "Configure a multitenant organization using the Microsoft Graph API" (Cairo owns, Berlin and
//! Athens are added; Denver stays outside).

#![allow(dead_code)]

#[path = "../../../tests/support/csdl.rs"]
pub mod csdl;

use mtosim_server::{Config, Running, TenantAccess};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The tutorial's tenants, under GA rules with the documented longest delays (a Graph join
/// completes in 2 hours, MTO-27).
pub const TUTORIAL: &str = r#"
[scenario]
name = "Configure a multitenant organization using the Microsoft Graph API"
rules = "ga"
seed = 11
start = "2024-06-03T09:00:00Z"
delays = "max"

[[tenant]]
name = "cairo"

[[tenant]]
name = "berlin"

[[tenant]]
name = "athens"

[[tenant]]
name = "denver"
"#;

/// An HTTP response.
#[derive(Debug)]
pub struct Resp {
    /// The status code.
    pub status: u16,
    /// The headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Resp {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The Graph error code of an error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Sends one request to `url` (`http://HOST:PORT`) and reads the whole response.
pub fn send(url: &str, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>) -> Resp {
    send_with(url, method, path, token, body, &[])
}

/// [`send`] with extra request headers (name, value).
pub fn send_with(
    url: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&[u8]>,
    extra: &[(&str, &str)],
) -> Resp {
    let host = url.strip_prefix("http://").expect("an http URL");
    let mut s = TcpStream::connect(host).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    if let Some(b) = body {
        s.write_all(b).unwrap();
    }
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if let Some(n) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(n);
    }
    Resp {
        status,
        headers,
        body: String::from_utf8(body).expect("a UTF-8 body"),
    }
}

/// `GET`.
pub fn get(url: &str, path: &str, token: &str) -> Resp {
    send(url, "GET", path, Some(token), None)
}

/// A request with a JSON body.
pub fn with_json(url: &str, method: &str, path: &str, token: &str, body: &Value) -> Resp {
    send(url, method, path, Some(token), Some(body.to_string().as_bytes()))
}

/// `DELETE`.
pub fn delete(url: &str, path: &str, token: &str) -> Resp {
    send(url, "DELETE", path, Some(token), None)
}

/// `POST` with no body.
pub fn post_empty(url: &str, path: &str, token: &str) -> Resp {
    send(url, "POST", path, Some(token), None)
}

/// The world scenario `text` (named `name`) reaches once its steps have run.
pub fn world(name: &str, text: &str) -> mtosim_engine::World {
    let sc = mtosim_scenario::load::load(name, text).expect("the scenario loads");
    mtosim_scenario::runner::run(sc).world
}

/// `world` served on a free loopback port with `config`.
pub fn start(world: mtosim_engine::World, config: Config) -> std::io::Result<Running> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    mtosim_server::start(world, listener, config)
}

/// The tutorial's world, served with the default configuration.
pub fn serve_tutorial() -> Running {
    start(world("tutorial.toml", TUTORIAL), Config::default()).expect("the server starts")
}

/// How a tenant of the served world is reached.
pub fn access<'s>(s: &'s Running, name: &str) -> &'s TenantAccess {
    s.tenants()
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} is not a tenant of the scenario"))
}

/// A tenant's (id, token).
pub fn tenant(s: &Running, name: &str) -> (String, String) {
    let t = access(s, name);
    (t.tenant_id.clone(), t.token.clone())
}

/// Asserts that `r` is Graph's error body with `status` and `code`: a message, and
/// `innerError` with the date and both request ids, the request id also in its header.
pub fn assert_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let v = r.json();
    assert_eq!(v["error"]["code"], code, "{}", r.body);
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    let inner = &v["error"]["innerError"];
    for k in ["date", "request-id", "client-request-id"] {
        assert!(inner[k].is_string(), "innerError.{k} missing: {}", r.body);
    }
    assert_eq!(r.header("request-id"), inner["request-id"].as_str());
}

/// The message of an error body.
pub fn message(r: &Resp) -> String {
    r.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Moves the simulated clock by `by` (an ISO 8601 duration) with the operator token.
pub fn advance(s: &Running, by: &str) -> Value {
    let r = with_json(
        s.url(),
        "POST",
        "/mtosim/clock/advance",
        s.operator_token(),
        &json!({ "by": by }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}
