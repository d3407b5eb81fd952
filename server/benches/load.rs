//! The load test of `mtosim serve` (issue 16): 16 concurrent clients send 10,000 mixed requests
//! (reads of the MTO, its members and the directory; user creations; description edits of one
//! group) to one server on a loopback port, each on a fresh connection. It checks that none
//! errs and that no update is lost (every created user exists, with its client's department),
//! and prints latency percentiles and the throughput. `cargo bench -p mtosim-server --bench load`
//! (the figures in README.md's Benchmarks table come from it); `LOAD_REQUESTS` and
//! `LOAD_CLIENTS` change the size.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const SCENARIO: &str = r#"
[scenario]
name = "load"
rules = "ga"
seed = 16

[[tenant]]
name = "contoso"
domains = ["contoso.com"]
users = { generate = 200 }
[[tenant.group]]
name = "Shared"

[[tenant]]
name = "fabrikam"
users = { generate = 50 }

[[step]]
do = "create-mto"
tenant = "contoso"
display_name = "Contoso Group"

[[step]]
do = "add-tenant"
tenant = "contoso"
target = "fabrikam"
"#;

/// One request: (status, body).
fn send(host: &str, method: &str, path: &str, token: &str, body: Option<&Value>) -> (u16, String) {
    let mut s = TcpStream::connect(host).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let text = body.map(|b| b.to_string());
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n"
    );
    if let Some(t) = &text {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            t.len()
        ));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    if let Some(t) = &text {
        s.write_all(t.as_bytes()).unwrap();
    }
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
    let status = String::from_utf8_lossy(&raw[..split])
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status");
    (status, String::from_utf8_lossy(&raw[split + 4..]).into_owned())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let requests: usize = std::env::var("LOAD_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let clients: usize = std::env::var("LOAD_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let sc = mtosim_scenario::load::load("load.toml", SCENARIO).expect("the load scenario loads");
    let world = mtosim_scenario::runner::run(sc).world;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = mtosim_server::start(world, listener, mtosim_server::Config::default()).unwrap();
    let host = server.url().trim_start_matches("http://").to_string();
    let contoso = server.tenants()[0].token.clone();
    let group = {
        let (s, b) = send(
            &host,
            "GET",
            "/v1.0/groups?$filter=displayName%20eq%20'Shared'",
            &contoso,
            None,
        );
        assert_eq!(s, 200, "{b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        v["value"][0]["id"].as_str().unwrap().to_string()
    };
    let per = requests / clients;
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (host, token, group) = (host.clone(), contoso.clone(), group.clone());
            std::thread::spawn(move || {
                let mut lat = Vec::with_capacity(per);
                let mut created = Vec::new();
                for i in 0..per {
                    let t0 = Instant::now();
                    let (status, body) = match i % 8 {
                        0 => {
                            let upn = format!("load{c}x{i}@contoso.com");
                            let body = json!({
                                "accountEnabled": true,
                                "displayName": format!("Load {c} {i}"),
                                "mailNickname": format!("load{c}x{i}"),
                                "userPrincipalName": upn,
                                "department": format!("client{c}"),
                                "passwordProfile": {"password": "p@ss-W0rd!"},
                            });
                            created.push(upn);
                            send(&host, "POST", "/v1.0/users", &token, Some(&body))
                        }
                        1 => send(
                            &host,
                            "PATCH",
                            &format!("/v1.0/groups/{group}"),
                            &token,
                            Some(&json!({"description": format!("edited by {c} at {i}")})),
                        ),
                        2 => send(
                            &host,
                            "GET",
                            "/v1.0/tenantRelationships/multiTenantOrganization/tenants",
                            &token,
                            None,
                        ),
                        3 => send(
                            &host,
                            "GET",
                            "/v1.0/users?$top=50&$select=id,userPrincipalName",
                            &token,
                            None,
                        ),
                        4 => send(
                            &host,
                            "GET",
                            "/v1.0/policies/crossTenantAccessPolicy/partners",
                            &token,
                            None,
                        ),
                        5 => send(
                            &host,
                            "GET",
                            "/v1.0/users?$filter=startswith(userPrincipalName,'load')&$top=10",
                            &token,
                            None,
                        ),
                        _ => send(
                            &host,
                            "GET",
                            "/v1.0/tenantRelationships/multiTenantOrganization",
                            &token,
                            None,
                        ),
                    };
                    lat.push(t0.elapsed());
                    assert!(status < 300, "client {c} request {i}: {status} {body}");
                }
                (lat, created)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut created = Vec::new();
    for t in threads {
        let (lat, c) = t.join().expect("a client thread");
        all.extend(lat);
        created.extend(c);
    }
    let wall = started.elapsed();
    // no lost update: every user created is there, once
    for upn in &created {
        let (s, b) = send(&host, "GET", &format!("/v1.0/users/{upn}"), &contoso, None);
        assert_eq!(s, 200, "{upn} was created but is gone: {b}");
    }
    all.sort();
    println!(
        "load: {} clients, {} requests ({} users created, all present) in {:.2} s: {:.0} requests/s; latency p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        clients,
        all.len(),
        created.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.95).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3,
    );
    server.stop().unwrap();
}
