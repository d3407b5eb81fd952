//! What the server's tests share: a small HTTP/1.1 client over a loopback `TcpStream`
//! (`Connection: close`, bodies by `Content-Length`), and the scenario of Microsoft's tutorial
//! "Configure a multitenant organization using the Microsoft Graph API" (Cairo owns, Berlin and
//! Athens are added; Denver stays outside).

#![allow(dead_code)]

use serde_json::Value;
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
