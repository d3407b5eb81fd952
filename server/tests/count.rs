//! `$count=true` on a directory list needs `ConsistencyLevel: eventual`, as Graph's advanced
//! queries do: with the header the list carries `@odata.count`; without it, Graph's 400.

mod common;

const SCENARIO: &str = r#"
[scenario]
name = "count"
rules = "ga"
seed = 3

[[tenant]]
name = "contoso"
users = { generate = 7 }
"#;

/// `GET` with `ConsistencyLevel: eventual` when `consistency`: the status and the JSON body.
fn get(url: &str, path: &str, token: &str, consistency: bool) -> (u16, serde_json::Value) {
    let extra: &[(&str, &str)] = if consistency {
        &[("ConsistencyLevel", "eventual")]
    } else {
        &[]
    };
    let r = common::send_with(url, "GET", path, Some(token), None, extra);
    (r.status, r.json())
}

/// The scenario, served.
fn serve() -> mtosim_server::Running {
    common::start(
        common::world("count.toml", SCENARIO),
        mtosim_server::Config::default(),
    )
    .unwrap()
}

#[test]
fn count_needs_consistency_level_eventual() {
    let s = serve();
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
    let s = serve();
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
