//! The server in-process on a free loopback port, driven over HTTP: tokens, the tutorial
//! "Configure a multitenant organization using the Microsoft Graph API" with its own request
//! bodies, removal, tenant isolation, refusals in Graph's words, the operator's clock and
//! events, and the limits on bodies and routes.

mod common;

use common::{advance, assert_error, get, send, serve_tutorial as serve, tenant, with_json};

use serde_json::{json, Value};

const MTO: &str = "/beta/tenantRelationships/multiTenantOrganization";

/// The member `id` in a member list.
fn member<'v>(list: &'v Value, id: &str) -> &'v Value {
    list["value"]
        .as_array()
        .and_then(|v| v.iter().find(|m| m["tenantId"] == id))
        .unwrap_or_else(|| panic!("{id} is not listed: {list}"))
}

#[test]
fn missing_or_foreign_tokens_are_401() {
    let s = serve();
    let r = send(s.url(), "GET", MTO, None, None);
    assert_error(&r, 401, "InvalidAuthenticationToken");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let r = get(s.url(), MTO, "0123456789abcdef");
    assert_error(&r, 401, "InvalidAuthenticationToken");
    let r = send(s.url(), "GET", "/mtosim/clock", None, None);
    assert_error(&r, 401, "InvalidAuthenticationToken");
    // a tenant is no operator, and the operator is no tenant
    let (_, cairo) = tenant(&s, "cairo");
    assert_error(
        &get(s.url(), "/mtosim/clock", &cairo),
        403,
        "Authorization_RequestDenied",
    );
    assert_error(
        &get(s.url(), MTO, s.operator_token()),
        403,
        "Authorization_RequestDenied",
    );
}

#[test]
fn the_tutorial_owner_adds_a_member_who_joins_within_two_hours() {
    let s = serve();
    let url = s.url();
    let (cairo_id, cairo) = tenant(&s, "cairo");
    let (berlin_id, berlin) = tenant(&s, "berlin");
    let (athens_id, _) = tenant(&s, "athens");

    // Step 2: create the MTO, then check it
    let r = with_json(url, "PUT", MTO, &cairo, &json!({ "displayName": "Cairo" }));
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    assert_eq!(created["displayName"], "Cairo");
    assert_eq!(created["state"], "active");
    let r = get(url, MTO, &cairo);
    assert_eq!(r.status, 200);
    let mto = r.json();
    assert_eq!(
        mto["@odata.context"],
        "https://graph.microsoft.com/beta/$metadata#tenantRelationships/multiTenantOrganization/$entity"
    );
    assert_eq!(mto["id"], created["id"]);
    let v1 = get(url, "/v1.0/tenantRelationships/multiTenantOrganization", &cairo).json();
    assert!(v1["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with("https://graph.microsoft.com/v1.0/"));

    // Step 3: add Berlin and Athens
    let r = with_json(
        url,
        "POST",
        &format!("{MTO}/tenants"),
        &cairo,
        &json!({ "tenantId": berlin_id, "displayName": "Berlin" }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let added = r.json();
    assert_eq!(added["tenantId"], berlin_id.as_str());
    assert_eq!(added["role"], "member");
    assert_eq!(added["state"], "pending");
    assert_eq!(added["addedByTenantId"], cairo_id.as_str());
    assert!(added["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("tenants/$entity"));
    let r = with_json(
        url,
        "POST",
        &format!("{MTO}/tenants"),
        &cairo,
        &json!({ "tenantId": athens_id, "displayName": "Athens" }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let list = get(url, &format!("{MTO}/tenants"), &cairo).json();
    assert_eq!(list["value"].as_array().unwrap().len(), 3);
    assert_eq!(member(&list, &cairo_id)["role"], "owner");
    assert_eq!(member(&list, &berlin_id)["state"], "pending");

    // Step 4: make Berlin an owner and back
    let path = format!("{MTO}/tenants/{berlin_id}");
    let r = with_json(url, "PATCH", &path, &cairo, &json!({ "role": "owner" }));
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(r.body.is_empty());
    let b = get(url, &path, &cairo).json();
    assert!(
        b["role"] == "owner" || b["transitionDetails"]["desiredRole"] == "owner",
        "{b}"
    );
    let r = with_json(url, "PATCH", &path, &cairo, &json!({ "role": "member" }));
    assert_eq!(r.status, 204, "{}", r.body);

    // Step 8: Berlin joins
    let r = with_json(
        url,
        "PATCH",
        &format!("{MTO}/joinRequest"),
        &berlin,
        &json!({ "addedByTenantId": cairo_id }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let j = get(url, &format!("{MTO}/joinRequest"), &berlin).json();
    assert_eq!(j["addedByTenantId"], cairo_id.as_str());
    assert_eq!(j["memberState"], "pending");
    assert_eq!(j["transitionDetails"]["desiredMemberState"], "active");

    // the operator lets two hours pass
    let before = get(url, "/mtosim/clock", s.operator_token()).json();
    assert_eq!(before["now"], "2024-06-03T09:00:00Z");
    assert_eq!(advance(&s, "PT2H")["now"], "2024-06-03T11:00:00Z");

    let j = get(url, &format!("{MTO}/joinRequest"), &berlin).json();
    assert_eq!(j["memberState"], "active", "{j}");
    assert_eq!(j["role"], "member");
    assert!(j["transitionDetails"].is_null());
    for token in [&cairo, &berlin] {
        let list = get(url, &format!("{MTO}/tenants"), token).json();
        let b = member(&list, &berlin_id);
        assert_eq!(b["state"], "active", "{list}");
        assert!(b["joinedDateTime"].is_string());
    }
    let bm = get(url, MTO, &berlin).json();
    assert_eq!(bm["displayName"], "Cairo");
    assert_eq!(bm["state"], "active");

    // the narrated events carry sequence numbers and read from `after`
    let r = get(url, "/mtosim/events", s.operator_token());
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let events: Vec<Value> = r.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(events.len() >= 4, "{}", r.body);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i + 1);
        assert!(e["text"].as_str().is_some_and(|t| !t.is_empty()));
    }
    assert!(r.body.contains("join completed"), "{}", r.body);
    let later = get(
        url,
        &format!("/mtosim/events?after={}", events.len() - 1),
        s.operator_token(),
    );
    assert_eq!(later.body.lines().count(), 1);
    let bad = get(url, "/mtosim/events?after=x", s.operator_token());
    assert_error(&bad, 400, "BadRequest");
}

#[test]
fn a_removed_member_is_pending_removal_then_not_found() {
    let s = serve();
    let url = s.url();
    let (_, cairo) = tenant(&s, "cairo");
    let (athens_id, _) = tenant(&s, "athens");
    assert_eq!(
        with_json(url, "PUT", MTO, &cairo, &json!({ "displayName": "Cairo" })).status,
        201
    );
    let add = with_json(
        url,
        "POST",
        &format!("{MTO}/tenants"),
        &cairo,
        &json!({ "tenantId": athens_id, "displayName": "Athens" }),
    );
    assert_eq!(add.status, 201, "{}", add.body);

    // Step 5: remove it; right after, it still shows, on its way out
    let path = format!("{MTO}/tenants/{athens_id}");
    let r = send(url, "DELETE", &path, Some(&cairo), None);
    assert_eq!(r.status, 204, "{}", r.body);
    let r = get(url, &path, &cairo);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["transitionDetails"]["desiredState"],
        "removed",
        "{}",
        r.body
    );

    let settled = with_json(url, "POST", "/mtosim/settle", s.operator_token(), &json!({}));
    assert_eq!(settled.status, 200, "{}", settled.body);
    assert_eq!(settled.json()["settled"], true);
    let r = get(url, &path, &cairo);
    assert_error(&r, 404, "Directory_ObjectNotFound");
    assert_eq!(
        r.json()["error"]["message"],
        "Unable to read the company information from the directory."
    );
}

#[test]
fn each_token_sees_its_own_tenant_only() {
    let s = serve();
    let url = s.url();
    let (_, cairo) = tenant(&s, "cairo");
    let (berlin_id, berlin) = tenant(&s, "berlin");
    let (_, denver) = tenant(&s, "denver");
    assert_eq!(
        with_json(
            url,
            "PUT",
            MTO,
            &cairo,
            &json!({ "displayName": "Cairo", "description": "Cairo and friends" })
        )
        .status,
        201
    );
    let add = with_json(
        url,
        "POST",
        &format!("{MTO}/tenants"),
        &cairo,
        &json!({ "tenantId": berlin_id }),
    );
    assert_eq!(add.status, 201, "{}", add.body);

    assert_eq!(get(url, MTO, &cairo).json()["description"], "Cairo and friends");
    // a pending tenant is in no MTO yet
    let m = get(url, MTO, &berlin).json();
    assert_eq!(m["state"], "inactive", "{m}");
    // an outsider sees nothing of Cairo's
    let m = get(url, MTO, &denver).json();
    assert_eq!(m["state"], "inactive", "{m}");
    assert!(m["displayName"].is_null());
    assert!(m.get("id").is_none());
    let list = get(url, &format!("{MTO}/tenants"), &denver).json();
    assert_eq!(list["value"], json!([]));
    // the outsider cannot see or remove Cairo's members
    assert_error(
        &get(url, &format!("{MTO}/tenants/{berlin_id}"), &denver),
        404,
        "Directory_ObjectNotFound",
    );
    let r = send(
        url,
        "DELETE",
        &format!("{MTO}/tenants/{berlin_id}"),
        Some(&denver),
        None,
    );
    assert!(
        r.status == 400 || r.status == 403 || r.status == 404,
        "{}",
        r.body
    );
    assert_eq!(
        get(url, &format!("{MTO}/tenants"), &cairo).json()["value"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn refusals_speak_graph_not_the_scenario_file() {
    let s = serve();
    let url = s.url();
    let (cairo_id, cairo) = tenant(&s, "cairo");
    let (berlin_id, berlin) = tenant(&s, "berlin");
    assert_eq!(
        with_json(url, "PUT", MTO, &cairo, &json!({ "displayName": "Cairo" })).status,
        201
    );
    assert_eq!(
        with_json(
            url,
            "POST",
            &format!("{MTO}/tenants"),
            &cairo,
            &json!({ "tenantId": berlin_id })
        )
        .status,
        201
    );
    assert_eq!(
        with_json(
            url,
            "PATCH",
            &format!("{MTO}/joinRequest"),
            &berlin,
            &json!({ "addedByTenantId": cairo_id })
        )
        .status,
        204
    );
    advance(&s, "PT2H");

    let mut refusals = Vec::new();
    // the only owner cannot leave while Berlin is active (MTO-37)
    refusals.push(send(
        url,
        "DELETE",
        &format!("{MTO}/tenants/{cairo_id}"),
        Some(&cairo),
        None,
    ));
    // Berlin is already in
    refusals.push(with_json(
        url,
        "POST",
        &format!("{MTO}/tenants"),
        &cairo,
        &json!({ "tenantId": berlin_id }),
    ));
    // a member cannot add tenants
    let (athens_id, _) = tenant(&s, "athens");
    refusals.push(with_json(
        url,
        "POST",
        &format!("{MTO}/tenants"),
        &berlin,
        &json!({ "tenantId": athens_id }),
    ));
    for r in &refusals {
        assert!(r.status == 400 || r.status == 403, "{}", r.body);
        let code = r.code();
        assert!(
            code == "Request_BadRequest" || code == "Authorization_RequestDenied",
            "{}",
            r.body
        );
        assert_eq!(r.status, mtosim_graph::error::status(&code));
        let m = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(m.contains("MTO-"), "the rule is named: {m}");
        for scenario_word in [
            "add-tenant",
            "remove-tenant",
            "set-role",
            "create-mto",
            "reset-join",
            "via =",
            "via=",
            "expect_error",
            "[[step]]",
        ] {
            assert!(
                !m.contains(scenario_word),
                "{scenario_word:?} in a Graph message: {m}"
            );
        }
    }
    let m = refusals[0].json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(m.contains("MTO-37"), "{m}");
    assert!(
        m.contains("PATCH /tenantRelationships/multiTenantOrganization/tenants/{tenantId}"),
        "{m}"
    );
}

#[test]
fn bad_requests_get_graphs_answers() {
    let s = serve();
    let url = s.url();
    let (_, cairo) = tenant(&s, "cairo");
    // an unknown segment
    let r = get(url, "/v1.0/devices", &cairo);
    assert_error(&r, 400, "BadRequest");
    assert_eq!(
        r.json()["error"]["message"],
        "Resource not found for the segment 'devices'."
    );
    let r = get(
        url,
        "/v1.0/tenantRelationships/multiTenantOrganization/partners",
        &cairo,
    );
    assert_eq!(
        r.json()["error"]["message"],
        "Resource not found for the segment 'partners'."
    );
    assert_error(&get(url, "/v2.0/tenantRelationships", &cairo), 400, "BadRequest");
    // a query option these endpoints do not take is refused, not ignored
    let r = get(url, &format!("{MTO}?$select=displayName"), &cairo);
    assert_error(&r, 400, "BadRequest");
    assert!(common::message(&r).contains("'$select'"), "{}", r.body);
    // Graph's paths are case-insensitive
    assert_eq!(
        get(url, "/V1.0/tenantrelationships/multitenantorganization", &cairo).status,
        200
    );
    // a method the resource does not take
    let r = send(
        url,
        "POST",
        &format!("{MTO}/joinRequest"),
        Some(&cairo),
        Some(b"{}"),
    );
    assert_error(&r, 405, "BadRequest");
    assert_eq!(r.header("allow"), Some("GET, PATCH"));
    // bodies: syntax, types, required properties
    let r = send(url, "PUT", MTO, Some(&cairo), Some(b"{\"displayName\": }"));
    assert_error(&r, 400, "BadRequest");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1, column"),
        "{}",
        r.body
    );
    let r = with_json(url, "PUT", MTO, &cairo, &json!({ "displayName": 7 }));
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("$.displayName"),
        "{}",
        r.body
    );
    let r = with_json(url, "PUT", MTO, &cairo, &json!({}));
    assert_error(&r, 400, "BadRequest");
    let r = with_json(
        url,
        "POST",
        &format!("{MTO}/tenants"),
        &cairo,
        &json!({ "tenantId": "not-a-guid" }),
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("$.tenantId"),
        "{}",
        r.body
    );
    let r = with_json(
        url,
        "POST",
        "/mtosim/clock/advance",
        s.operator_token(),
        &json!({ "by": "2h" }),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(r.body.contains("PT2H"), "{}", r.body);
    // nothing above changed the world
    assert_eq!(get(url, MTO, &cairo).json()["state"], "inactive");
}

#[test]
fn a_body_over_the_cap_is_413() {
    let s = serve();
    let (_, cairo) = tenant(&s, "cairo");
    let big = vec![b' '; mtosim_server::REQUEST_BODY_BYTES_MAX + 1];
    let r = send(s.url(), "PUT", MTO, Some(&cairo), Some(&big));
    assert_error(&r, 413, "RequestEntityTooLarge");
    assert!(r.body.contains("REQUEST_BODY_BYTES_MAX"));
    // the server goes on
    assert_eq!(get(s.url(), MTO, &cairo).status, 200);
}

#[test]
fn the_ready_file_names_the_url_and_every_token() {
    let s = serve();
    let v = s.ready_json();
    assert_eq!(v["url"], s.url());
    assert!(v["url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert_eq!(v["operatorToken"].as_str().unwrap().len(), 64);
    let tenants = v["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 4);
    assert_eq!(tenants[0]["name"], "cairo");
    assert_eq!(tenants[0]["domain"], "cairo.onmicrosoft.com");
    let keys: Vec<&str> = tenants[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["name", "tenantId", "domain", "token"]);
    let tokens: std::collections::BTreeSet<&str> =
        tenants.iter().map(|t| t["token"].as_str().unwrap()).collect();
    assert_eq!(tokens.len(), 4, "every token differs");
    assert!(!tokens.contains(v["operatorToken"].as_str().unwrap()));
}

#[test]
fn no_request_breaks_the_server() {
    let s = serve();
    let url = s.url();
    let (cairo_id, cairo) = tenant(&s, "cairo");
    let (berlin_id, berlin) = tenant(&s, "berlin");
    let zero = "00000000-0000-0000-0000-000000000000";
    let paths = [
        "/".to_string(),
        "//".to_string(),
        "/v1.0".to_string(),
        "/beta/".to_string(),
        MTO.to_string(),
        format!("{MTO}/"),
        format!("{MTO}/tenants"),
        format!("{MTO}/tenants/{cairo_id}"),
        format!("{MTO}/tenants/{berlin_id}"),
        format!("{MTO}/tenants/{zero}"),
        format!("{MTO}/tenants/%00%ff"),
        format!("{MTO}/joinRequest"),
        "/mtosim".to_string(),
        "/mtosim/clock/advance".to_string(),
        "/mtosim/settle".to_string(),
        "/mtosim/events?after=18446744073709551616".to_string(),
    ];
    let bodies: Vec<Option<Vec<u8>>> = vec![
        None,
        Some(b"".to_vec()),
        Some(b"null".to_vec()),
        Some(b"{\"displayName\": \"x\", \"role\": \"owner\"}".to_vec()),
        Some(
            json!({ "tenantId": berlin_id, "role": "owner", "addedByTenantId": cairo_id })
                .to_string()
                .into_bytes(),
        ),
        Some(
            json!({ "tenantId": cairo_id, "addedByTenantId": zero, "by": "PT1H" })
                .to_string()
                .into_bytes(),
        ),
        Some(
            json!({ "tenantId": 1, "role": [], "addedByTenantId": {}, "by": "P99999D", "max": "PT0S" })
                .to_string()
                .into_bytes(),
        ),
        Some(vec![0xff, 0xfe, b'{']),
    ];
    let tokens = [cairo.as_str(), berlin.as_str(), s.operator_token()];
    let mut n = 0;
    for method in ["GET", "PUT", "PATCH", "POST", "DELETE", "OPTIONS"] {
        for path in &paths {
            for body in &bodies {
                let token = tokens[n % tokens.len()];
                n += 1;
                let r = send(url, method, path, Some(token), body.as_deref());
                assert!(r.status < 500, "{method} {path}: {} {}", r.status, r.body);
                if r.status >= 400 {
                    assert!(!r.code().is_empty(), "{method} {path}: {}", r.body);
                }
            }
        }
    }
    assert_eq!(get(url, "/mtosim/clock", s.operator_token()).status, 200);
}
