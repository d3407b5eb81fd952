//! `$count=true` on a directory list needs `ConsistencyLevel: eventual`, as Graph's advanced
//! queries do: with the header the list carries `@odata.count`; without it, Graph's 400.

use std::io::{Read, Write};
use std::net::TcpStream;

const SCENARIO: &str = r#"
[scenario]
name = "count"
rules = "ga"
seed = 3

[[tenant]]
name = "contoso"
users = { generate = 7 }
"#;

fn get(url: &str, path: &str, token: &str, consistency: bool) -> (u16, serde_json::Value) {
    let host = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(host).unwrap();
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n"
    );
    if consistency {
        head.push_str("ConsistencyLevel: eventual\r\n");
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&raw[..split])
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    (status, serde_json::from_slice(&raw[split + 4..]).unwrap())
}

#[test]
fn count_needs_consistency_level_eventual() {
    let sc = mtosim_scenario::load::load("count.toml", SCENARIO).unwrap();
    let world = mtosim_scenario::runner::run(sc).world;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let s = mtosim_server::start(world, listener, mtosim_server::Config::default()).unwrap();
    let token = s.tenants()[0].token.clone();
    let (status, v) = get(s.url(), "/v1.0/users?$count=true&$top=2", &token, true);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["@odata.count"], 7, "{v}");
    assert_eq!(v["value"].as_array().unwrap().len(), 2);
    let (status, v) = get(s.url(), "/v1.0/users?$count=true", &token, false);
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ConsistencyLevel: eventual"),
        "{v}"
    );
    s.stop().unwrap();
}

#[test]
fn any_filters_on_identities_like_graph() {
    let sc = mtosim_scenario::load::load("count.toml", SCENARIO).unwrap();
    let world = mtosim_scenario::runner::run(sc).world;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let s = mtosim_server::start(world, listener, mtosim_server::Config::default()).unwrap();
    let token = s.tenants()[0].token.clone();
    let (_, all) = get(s.url(), "/v1.0/users?$top=1", &token, false);
    let first = &all["value"][0];
    let id = &first["identities"][0];
    let filter = format!(
        "identities/any(c:c/issuerAssignedId%20eq%20'{}'%20and%20c/issuer%20eq%20'{}')",
        id["issuerAssignedId"].as_str().unwrap(),
        id["issuer"].as_str().unwrap()
    );
    let (status, v) = get(s.url(), &format!("/v1.0/users?$filter={filter}"), &token, false);
    assert_eq!(status, 200, "{v}");
    let found: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(found, [first["id"].as_str().unwrap()], "{v}");
    s.stop().unwrap();
}
