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

#[test]
fn orderby_sorts_and_search_finds_words_as_graph_does() {
    let s = serve();
    let token = s.tenants()[0].token.clone();
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["displayName"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, v) = get(s.url(), "/v1.0/users?$orderby=displayName%20desc", &token, false);
    assert_eq!(status, 200, "{v}");
    let sorted = names(&v);
    assert_eq!(sorted.len(), 7, "{v}");
    let mut want = sorted.clone();
    want.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(sorted, want);
    // pages of a sorted list follow the order
    let (_, first) = get(s.url(), "/v1.0/users?$orderby=displayName&$top=4", &token, false);
    let next = first["@odata.nextLink"]
        .as_str()
        .expect("a next page")
        .to_string();
    let (_, second) = get(s.url(), &next, &token, false);
    let paged: Vec<String> = names(&first).into_iter().chain(names(&second)).collect();
    want.reverse();
    assert_eq!(paged, want);
    // a filtered sort is an advanced query: ConsistencyLevel and $count
    let q = "/v1.0/users?$orderby=displayName&$filter=accountEnabled%20eq%20true";
    assert_eq!(get(s.url(), q, &token, true).0, 400);
    let (status, v) = get(s.url(), &format!("{q}&$count=true"), &token, true);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["@odata.count"], 7, "{v}");
    // $search on a word's beginning
    let word: String = sorted[0].split(' ').next().unwrap().chars().take(3).collect();
    let q = format!("/v1.0/users?$search=%22displayName:{word}%22");
    assert_eq!(
        get(s.url(), &q, &token, false).0,
        400,
        "$search needs ConsistencyLevel"
    );
    let (status, v) = get(s.url(), &q, &token, true);
    assert_eq!(status, 200, "{v}");
    let found = names(&v);
    assert!(found.contains(&sorted[0]), "{word}: {found:?}");
    for n in &found {
        assert!(
            n.to_lowercase()
                .split(' ')
                .any(|w| w.starts_with(&word.to_lowercase())),
            "{n} does not match {word}"
        );
    }
    s.stop().unwrap();
}
