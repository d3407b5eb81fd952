//! The directory endpoints over HTTP, on the tutorial's world served in-process on a free
//! loopback port: Microsoft's "Create user" v1.0 example read back by id and by
//! userPrincipalName, changed, disabled and deleted; a group with members added and removed by
//! `$ref`; an invitation between two tenants; `$select`, `$filter` and `$top` paging; the
//! errors of bad query options; tenant isolation; refusals in Graph's words.

mod common;

use common::{access, assert_error, get, send, serve_tutorial as serve, with_json};
use mtosim_server::Running;
use serde_json::{json, Value};

/// Microsoft's "Create user" v1.0 example body, in `domain`.
fn adele(domain: &str) -> Value {
    json!({
      "accountEnabled": true,
      "displayName": "Adele Vance",
      "mailNickname": "AdeleV",
      "userPrincipalName": format!("AdeleV@{domain}"),
      "passwordProfile" : {
        "forceChangePasswordNextSignIn": true,
        "password": "xWwvJ]6NMw+bWH-d"
      }
    })
}

fn create_user(s: &Running, token: &str, domain: &str, nick: &str, dept: &str) -> Value {
    let body = json!({
        "accountEnabled": true,
        "displayName": format!("{nick} Test"),
        "mailNickname": nick,
        "userPrincipalName": format!("{nick}@{domain}"),
        "department": dept,
        "passwordProfile": {"password": "p@ss-W0rd!"}
    });
    let r = with_json(s.url(), "POST", "/v1.0/users", token, &body);
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

#[test]
fn create_read_patch_disable_delete_a_user() {
    let s = serve();
    let (cairo, domain) = {
        let a = access(&s, "cairo");
        (a.token.clone(), a.domain.clone())
    };
    let r = with_json(s.url(), "POST", "/v1.0/users", &cairo, &adele(&domain));
    assert_eq!(r.status, 201, "{}", r.body);
    let u = r.json();
    assert_eq!(
        u["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
    );
    assert_eq!(u["displayName"], "Adele Vance");
    assert_eq!(u["mailNickname"], "AdeleV");
    assert_eq!(u["accountEnabled"], true);
    assert!(
        u.get("passwordProfile").is_none(),
        "the password is not stored: {u}"
    );
    let id = u["id"].as_str().unwrap().to_string();
    let upn = format!("AdeleV@{domain}");

    let by_id = get(s.url(), &format!("/v1.0/users/{id}"), &cairo);
    assert_eq!(by_id.status, 200, "{}", by_id.body);
    let by_upn = get(s.url(), &format!("/beta/users/{upn}"), &cairo);
    assert_eq!(by_upn.status, 200, "{}", by_upn.body);
    assert_eq!(by_upn.json()["id"], id.as_str());
    assert_eq!(
        by_upn.json()["@odata.context"],
        "https://graph.microsoft.com/beta/$metadata#users/$entity"
    );
    let sel = get(
        s.url(),
        &format!("/v1.0/users/{id}?$select=displayName,id"),
        &cairo,
    )
    .json();
    assert_eq!(
        sel["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#users(displayName,id)/$entity"
    );
    assert_eq!(sel.as_object().unwrap().len(), 3, "{sel}");

    let r = with_json(
        s.url(),
        "PATCH",
        &format!("/v1.0/users/{id}"),
        &cairo,
        &json!({"jobTitle": "Product Marketing Manager", "businessPhones": ["+1 425 555 0109"], "officeLocation": "18/2111"}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(r.body.is_empty());
    let u = get(s.url(), &format!("/v1.0/users/{id}"), &cairo).json();
    assert_eq!(u["jobTitle"], "Product Marketing Manager");
    assert_eq!(u["businessPhones"], json!(["+1 425 555 0109"]));

    let r = with_json(
        s.url(),
        "PATCH",
        &format!("/v1.0/users/{upn}"),
        &cairo,
        &json!({"accountEnabled": false}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        get(s.url(), &format!("/v1.0/users/{id}"), &cairo).json()["accountEnabled"],
        false
    );

    // bodies Graph would refuse, with their JSON paths
    let r = with_json(
        s.url(),
        "PATCH",
        &format!("/v1.0/users/{id}"),
        &cairo,
        &json!({"jobTitle": 3}),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("$.jobTitle"));
    let r = with_json(
        s.url(),
        "PATCH",
        &format!("/v1.0/users/{id}"),
        &cairo,
        &json!({"aboutMe": "x"}),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("does not model"));
    let r = with_json(
        s.url(),
        "PATCH",
        &format!("/v1.0/users/{id}"),
        &cairo,
        &json!({"favouriteColour": "x"}),
    );
    assert_error(&r, 400, "BadRequest");
    let mut no_pw = adele(&domain);
    no_pw["userPrincipalName"] = json!(format!("Other@{domain}"));
    no_pw.as_object_mut().unwrap().remove("passwordProfile");
    let r = with_json(s.url(), "POST", "/v1.0/users", &cairo, &no_pw);
    assert_error(&r, 400, "BadRequest");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("$.passwordProfile"));
    // the same UPN again: the engine's refusal, in Graph's words
    let r = with_json(s.url(), "POST", "/v1.0/users", &cairo, &adele(&domain));
    assert_eq!(r.status, 400, "{}", r.body);
    // a domain the tenant does not have
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/users",
        &cairo,
        &adele("contoso.onmicrosoft.com"),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    for scenario_word in ["add-user", "[[", "toml", "upn ="] {
        assert!(!msg.contains(scenario_word), "{msg}");
    }

    let r = send(
        s.url(),
        "DELETE",
        &format!("/v1.0/users/{id}"),
        Some(&cairo),
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_error(
        &get(s.url(), &format!("/v1.0/users/{id}"), &cairo),
        404,
        "Request_ResourceNotFound",
    );
    assert_error(
        &send(
            s.url(),
            "DELETE",
            &format!("/v1.0/users/{id}"),
            Some(&cairo),
            None,
        ),
        404,
        "Request_ResourceNotFound",
    );
}

#[test]
fn groups_and_members_by_ref() {
    let s = serve();
    let (cairo, domain) = {
        let a = access(&s, "cairo");
        (a.token.clone(), a.domain.clone())
    };
    let a = create_user(&s, &cairo, &domain, "ana", "Sales");
    let b = create_user(&s, &cairo, &domain, "bo", "Sales");
    let a_id = a["id"].as_str().unwrap();
    let b_id = b["id"].as_str().unwrap();
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/groups",
        &cairo,
        &json!({
            "description": "Self help community for library",
            "displayName": "Library Assist",
            "groupTypes": [],
            "mailEnabled": false,
            "mailNickname": "library",
            "securityEnabled": true,
            "members@odata.bind": [format!("https://graph.microsoft.com/v1.0/users/{a_id}")]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let g = r.json();
    assert_eq!(
        g["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#groups/$entity"
    );
    assert_eq!(g["securityEnabled"], true);
    assert!(g.get("members").is_none());
    let gid = g["id"].as_str().unwrap().to_string();
    assert_eq!(
        get(s.url(), &format!("/v1.0/groups/{gid}"), &cairo).json()["displayName"],
        "Library Assist"
    );

    let r = with_json(
        s.url(),
        "POST",
        &format!("/v1.0/groups/{gid}/members/$ref"),
        &cairo,
        &json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{b_id}")}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    // twice: Graph's error for a reference that exists
    let r = with_json(
        s.url(),
        "POST",
        &format!("/v1.0/groups/{gid}/members/$ref"),
        &cairo,
        &json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{b_id}")}),
    );
    assert_error(&r, 400, "Request_BadRequest");
    let m = get(s.url(), &format!("/v1.0/groups/{gid}/members"), &cairo).json();
    assert_eq!(
        m["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#directoryObjects"
    );
    let ids: Vec<&str> = m["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{m}");
    assert!(ids.contains(&a_id) && ids.contains(&b_id));
    assert_eq!(m["value"][0]["@odata.type"], "#microsoft.graph.user");

    let r = send(
        s.url(),
        "DELETE",
        &format!("/v1.0/groups/{gid}/members/{a_id}/$ref"),
        Some(&cairo),
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let m = get(s.url(), &format!("/v1.0/groups/{gid}/members?$select=id"), &cairo).json();
    assert_eq!(
        m["value"],
        json!([{"@odata.type": "#microsoft.graph.user", "id": b_id}])
    );
    assert_error(
        &send(
            s.url(),
            "DELETE",
            &format!("/v1.0/groups/{gid}/members/{a_id}/$ref"),
            Some(&cairo),
            None,
        ),
        404,
        "Request_ResourceNotFound",
    );

    let r = with_json(
        s.url(),
        "PATCH",
        &format!("/v1.0/groups/{gid}"),
        &cairo,
        &json!({"description": "Library help"}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        get(s.url(), &format!("/v1.0/groups/{gid}"), &cairo).json()["description"],
        "Library help"
    );
    let list = get(
        s.url(),
        "/v1.0/groups?$filter=displayName%20eq%20'library%20assist'",
        &cairo,
    )
    .json();
    assert_eq!(list["value"].as_array().unwrap().len(), 1, "{list}");

    // a deleted group is gone (permanently) and its name free again
    let r = send(
        s.url(),
        "DELETE",
        &format!("/v1.0/groups/{gid}"),
        Some(&cairo),
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(get(s.url(), &format!("/v1.0/groups/{gid}"), &cairo).status, 404);
    let list = get(
        s.url(),
        "/v1.0/groups?$filter=displayName%20eq%20'library%20assist'",
        &cairo,
    )
    .json();
    assert_eq!(list["value"].as_array().unwrap().len(), 0, "{list}");
    // mail-enabled security groups cannot be created through Graph
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/groups",
        &cairo,
        &json!({"displayName": "Mail", "mailNickname": "m", "mailEnabled": true, "securityEnabled": true}),
    );
    assert_error(&r, 400, "BadRequest");
}

#[test]
fn an_invitation_between_two_tenants() {
    let s = serve();
    let (cairo, _) = {
        let a = access(&s, "cairo");
        (a.token.clone(), a.domain.clone())
    };
    let (berlin, berlin_domain) = {
        let a = access(&s, "berlin");
        (a.token.clone(), a.domain.clone())
    };
    let lena = create_user(&s, &berlin, &berlin_domain, "lena", "R&D");
    let address = lena["userPrincipalName"].as_str().unwrap().to_string();
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/invitations",
        &cairo,
        &json!({"invitedUserEmailAddress": address, "inviteRedirectUrl": "https://myapp.contoso.com"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let inv = r.json();
    assert_eq!(
        inv["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#invitations/$entity"
    );
    assert_eq!(inv["status"], "PendingAcceptance");
    assert_eq!(inv["invitedUserType"], "Guest");
    assert_eq!(inv["invitedUserEmailAddress"], address.as_str());
    assert_eq!(inv["sendInvitationMessage"], false);
    assert_eq!(inv["inviteRedirectUrl"], "https://myapp.contoso.com");
    let account = inv["invitedUser"]["id"].as_str().unwrap();
    let u = get(s.url(), &format!("/v1.0/users/{account}"), &cairo).json();
    assert_eq!(u["userType"], "Guest");
    assert_eq!(u["externalUserState"], "PendingAcceptance");
    assert_eq!(u["creationType"], "Invitation");
    // Berlin does not see Cairo's account; a second invitation is the engine's refusal
    assert_error(
        &get(s.url(), &format!("/v1.0/users/{account}"), &berlin),
        404,
        "Request_ResourceNotFound",
    );
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/invitations",
        &cairo,
        &json!({"invitedUserEmailAddress": address, "inviteRedirectUrl": "https://myapp.contoso.com"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    // an address no tenant of the world has
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/invitations",
        &cairo,
        &json!({"invitedUserEmailAddress": "admin@fabrikam.com", "inviteRedirectUrl": "https://myapp.contoso.com"}),
    );
    assert_error(&r, 400, "BadRequest");
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/invitations",
        &cairo,
        &json!({"inviteRedirectUrl": "https://x"}),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("$.invitedUserEmailAddress"));
}

#[test]
fn select_filter_and_paging() {
    let s = serve();
    let (cairo, domain) = {
        let a = access(&s, "cairo");
        (a.token.clone(), a.domain.clone())
    };
    for (i, dept) in ["Sales", "Sales", "Sales", "Sales", "Sales", "HR"]
        .iter()
        .enumerate()
    {
        create_user(&s, &cairo, &domain, &format!("user{i}"), dept);
    }
    let all = get(s.url(), "/v1.0/users", &cairo).json();
    assert_eq!(
        all["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#users"
    );
    assert_eq!(all["value"].as_array().unwrap().len(), 6);
    assert!(all.get("@odata.nextLink").is_none());

    // five Sales users, two a page: three pages
    let mut path = "/v1.0/users?$filter=department%20eq%20'sales'%20and%20accountEnabled%20eq%20true&$select=userPrincipalName,department&$top=2".to_string();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = get(s.url(), &path, &cairo);
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        pages += 1;
        assert_eq!(
            v["@odata.context"],
            "https://graph.microsoft.com/v1.0/$metadata#users(userPrincipalName,department)"
        );
        for u in v["value"].as_array().unwrap() {
            assert_eq!(u.as_object().unwrap().len(), 2, "{u}");
            assert_eq!(u["department"], "Sales");
            seen.push(u["userPrincipalName"].as_str().unwrap().to_string());
        }
        match v["@odata.nextLink"].as_str() {
            Some(next) => path = next.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5);
    seen.dedup();
    assert_eq!(seen.len(), 5);

    // a query longer than the room kept for a page's head: its next links still page
    let long = "x".repeat(1500);
    let mut path =
        format!("/v1.0/users?$filter=department%20eq%20'sales'%20and%20displayName%20ne%20'{long}'&$top=2");
    let mut pages = Vec::new();
    loop {
        let r = get(s.url(), &path, &cairo);
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        pages.push(v["value"].as_array().unwrap().len());
        match v["@odata.nextLink"].as_str() {
            Some(next) => path = next.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, [2, 2, 1]);

    let r = get(
        s.url(),
        "/v1.0/users?$filter=startswith(displayName,'user1')%20or%20department%20eq%20'HR'",
        &cairo,
    );
    let names: Vec<String> = r.json()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["mailNickname"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["user1", "user5"]);
    let r = get(
        s.url(),
        "/v1.0/users?$filter=department%20ne%20'Sales'&$top=5",
        &cairo,
    );
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_query_options_are_graph_errors() {
    let s = serve();
    let (cairo, _) = {
        let a = access(&s, "cairo");
        (a.token.clone(), a.domain.clone())
    };
    let err = |q: &str, status: u16, code: &str| {
        let r = get(s.url(), &format!("/v1.0/users?{q}"), &cairo);
        assert_error(&r, status, code);
        r.json()["error"]["message"].as_str().unwrap().to_string()
    };
    assert!(err("$select=nope", 400, "BadRequest").contains("Could not find a property named 'nope'"));
    assert!(err("$filter=displayName%20gt%20'a'", 400, "Request_UnsupportedQuery").contains("gt"));
    assert!(err("$filter=endsWith(mail,'@x.com')", 400, "Request_UnsupportedQuery").contains("endsWith"));
    assert!(err("$filter=displayName%20eq", 400, "BadRequest").contains("Invalid filter clause"));
    assert!(err("$filter=accountEnabled%20eq%20'yes'", 400, "BadRequest").contains("incompatible"));
    err(
        "$filter=businessPhones%20eq%20'1'",
        400,
        "Request_UnsupportedQuery",
    );
    assert!(err("$top=1000", 400, "Request_BadRequest").contains("between 1 and 999"));
    err("$top=0", 400, "Request_BadRequest");
    assert!(err("$count=true", 400, "Request_BadRequest").contains("ConsistencyLevel"));
    assert!(err(
        "$orderby=displayName&$filter=startswith(displayName,'a')",
        400,
        "Request_UnsupportedQuery"
    )
    .contains("Sorting not supported for current query."));
    assert!(err("$search=%22displayName:a%22", 400, "Request_BadRequest").contains("ConsistencyLevel"));
    assert!(err("$expand=manager", 400, "BadRequest").contains("$expand"));
    assert!(err("$foo=1", 400, "BadRequest").contains("$foo"));
    err("$skiptoken=abc", 400, "Request_BadRequest");
    err("$top=1&$top=2", 400, "BadRequest");
    err(&format!("$filter={}", "a".repeat(5000)), 400, "BadRequest");
    // one object takes $select only
    let r = get(
        s.url(),
        "/v1.0/groups/00000000-0000-0000-0000-000000000001?$top=1",
        &cairo,
    );
    assert_error(&r, 400, "BadRequest");
    // routes and methods
    assert_error(&get(s.url(), "/v1.0/users/x/manager", &cairo), 400, "BadRequest");
    let r = send(s.url(), "PUT", "/v1.0/users", Some(&cairo), Some(b"{}"));
    assert_error(&r, 405, "BadRequest");
    assert_eq!(r.header("allow"), Some("GET, POST"));
}

#[test]
fn tenants_see_only_their_own_directory() {
    let s = serve();
    let (cairo, cairo_domain) = {
        let a = access(&s, "cairo");
        (a.token.clone(), a.domain.clone())
    };
    let (berlin, _) = {
        let a = access(&s, "berlin");
        (a.token.clone(), a.domain.clone())
    };
    let u = create_user(&s, &cairo, &cairo_domain, "solo", "Ops");
    let id = u["id"].as_str().unwrap();
    assert_error(
        &get(s.url(), &format!("/v1.0/users/{id}"), &berlin),
        404,
        "Request_ResourceNotFound",
    );
    let r = with_json(
        s.url(),
        "PATCH",
        &format!("/v1.0/users/{id}"),
        &berlin,
        &json!({"jobTitle": "x"}),
    );
    assert_error(&r, 404, "Request_ResourceNotFound");
    assert_error(
        &send(
            s.url(),
            "DELETE",
            &format!("/v1.0/users/{id}"),
            Some(&berlin),
            None,
        ),
        404,
        "Request_ResourceNotFound",
    );
    let list = get(s.url(), "/v1.0/users", &berlin).json();
    assert!(
        list["value"].as_array().unwrap().iter().all(|x| x["id"] != id),
        "{list}"
    );
    // Cairo cannot create a user in Berlin's domain
    let (_, berlin_domain) = {
        let a = access(&s, "berlin");
        (a.token.clone(), a.domain.clone())
    };
    let r = with_json(s.url(), "POST", "/v1.0/users", &cairo, &adele(&berlin_domain));
    assert_eq!(r.status, 400, "{}", r.body);
    // no token, no directory
    let r = send(s.url(), "GET", "/v1.0/users", None, None);
    assert_error(&r, 401, "InvalidAuthenticationToken");
}

/// Every property the directory answers is declared on its type (or a base type) in Graph's
/// v1.0 metadata extract, `fixtures/csdl/graph-v1.0-extract.json`.
#[test]
fn every_property_is_in_graphs_v1_metadata() {
    let csdl = common::csdl::Csdl::load();
    let mut errors = Vec::new();
    let s = serve();
    let (cairo, domain) = {
        let a = access(&s, "cairo");
        (a.token.clone(), a.domain.clone())
    };
    let (berlin, berlin_domain) = {
        let a = access(&s, "berlin");
        (a.token.clone(), a.domain.clone())
    };
    create_user(&s, &cairo, &domain, "csdl", "QA");
    let lena = create_user(&s, &berlin, &berlin_domain, "lena", "QA");
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/invitations",
        &cairo,
        &json!({"invitedUserEmailAddress": lena["userPrincipalName"], "inviteRedirectUrl": "https://x"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    csdl.check("POST invitations", "invitation", &r.json(), &mut errors);
    let r = with_json(
        s.url(),
        "POST",
        "/v1.0/groups",
        &cairo,
        &json!({"displayName": "G", "mailNickname": "g", "mailEnabled": false, "securityEnabled": true}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    for (path, ty) in [("/v1.0/users", "user"), ("/v1.0/groups", "group")] {
        let v = get(s.url(), path, &cairo).json();
        let items = v["value"].as_array().unwrap();
        assert!(!items.is_empty());
        csdl.check(path, &format!("Collection({ty})"), &v["value"], &mut errors);
        let one = format!("{path}/{}", items[0]["id"].as_str().unwrap());
        csdl.check(&one, ty, &get(s.url(), &one, &cairo).json(), &mut errors);
    }
    let g = get(s.url(), "/v1.0/groups", &cairo).json()["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let members = get(s.url(), &format!("/v1.0/groups/{g}/members"), &cairo).json();
    csdl.check(
        "members",
        "Collection(directoryObject)",
        &members["value"],
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A page of whole users is kept once written and copied after (`Caches::user_json`): every
/// write drops it, so a page read again after a change shows the change, and a page with
/// `$select` or a filter, which is never kept, agrees with the kept one.
#[test]
fn a_kept_page_shows_every_write_after_it() {
    let s = serve();
    let (cairo, domain) = {
        let a = access(&s, "cairo");
        (a.token.clone(), a.domain.clone())
    };
    let page = |q: &str| get(s.url(), &format!("/v1.0/users{q}"), &cairo).json();
    let find = |p: &Value, upn: &str| {
        p["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["userPrincipalName"] == upn)
            .cloned()
    };
    let made = create_user(&s, &cairo, &domain, "KeptPage", "Sales");
    let upn = made["userPrincipalName"].as_str().unwrap().to_string();
    let first = page("");
    assert_eq!(page(""), first, "read twice, the same page");
    assert_eq!(find(&first, &upn).unwrap()["jobTitle"], Value::Null);
    let r = with_json(
        s.url(),
        "PATCH",
        &format!("/v1.0/users/{}", made["id"].as_str().unwrap()),
        &cairo,
        &json!({"jobTitle": "Kept Page Tester"}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let after = page("");
    assert_eq!(find(&after, &upn).unwrap()["jobTitle"], "Kept Page Tester");
    let filtered = page(&format!("?$filter=userPrincipalName%20eq%20'{upn}'"));
    assert_eq!(filtered["value"][0], find(&after, &upn).unwrap());
    // a new user shows in the next read of the kept page
    let other = create_user(&s, &cairo, &domain, "KeptPage2", "Sales");
    assert!(find(&page(""), other["userPrincipalName"].as_str().unwrap()).is_some());
    // and a deleted one leaves it
    let r = common::delete(
        s.url(),
        &format!("/v1.0/users/{}", made["id"].as_str().unwrap()),
        &cairo,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(find(&page(""), &upn).is_none());
}
