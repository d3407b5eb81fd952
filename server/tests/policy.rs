//! The cross-tenant access policy endpoints, in-process on a free loopback port: the steps of
//! Microsoft's tutorial "Configure cross-tenant synchronization using PowerShell or Microsoft
//! Graph API" with its own request bodies (partner configurations in the target and the source,
//! the identity synchronization policy, automatic redemption), deleting a configuration with and
//! without its policy, the default configuration and its reset, the MTO templates, B2B
//! collaboration targets, errors (404, 400 with JSON paths, 405, 409) and tenant isolation.

mod common;

use common::{assert_error, delete, get, message, post_empty, send, tenant, with_json};
use mtosim_engine::{GroupIdx, TenantIdx, UserIdx};
use mtosim_server::{Config, Running};
use serde_json::{json, Value};

const XTAP: &str = "/v1.0/policies/crossTenantAccessPolicy";

/// The tutorial's target (Contoso) and source (Fabrikam, with users and a group), and an
/// outsider (Northwind) that also has a user.
const SCENARIO: &str = r#"
[scenario]
name = "Configure cross-tenant synchronization using the Microsoft Graph API"
rules = "ga"
seed = 23
start = "2024-06-03T09:00:00Z"
delays = "max"

[[tenant]]
name = "contoso"
domains = ["contoso.com"]
[[tenant.user]]
upn = "cara@contoso.com"

[[tenant]]
name = "fabrikam"
display_name = "Fabrikam"
domains = ["fabrikam.com"]
[[tenant.user]]
upn = "ann@fabrikam.com"
[[tenant.user]]
upn = "bo@fabrikam.com"
[[tenant.group]]
name = "Partner Desk"
members = ["ann@fabrikam.com"]

[[tenant]]
name = "northwind"
domains = ["northwind.com"]
[[tenant.user]]
upn = "nia@northwind.com"
"#;

/// The served world, with object ids read from it before it is served.
struct World {
    s: Running,
    /// `ann@fabrikam.com`'s object id.
    ann: String,
    /// Fabrikam's group "Partner Desk".
    desk: String,
    /// `cara@contoso.com`'s object id.
    cara: String,
}

fn serve() -> World {
    let world = common::world("xtap.toml", SCENARIO);
    let by_name = |n: &str| {
        world
            .tenant_ids()
            .find(|&t| world.tenant(t).spec.name == n)
            .expect("a tenant of the scenario")
    };
    let (contoso, fabrikam): (TenantIdx, TenantIdx) = (by_name("contoso"), by_name("fabrikam"));
    let ann = world.user_id(fabrikam, UserIdx(0)).to_string();
    let desk = world.group_id(fabrikam, GroupIdx(0)).to_string();
    let cara = world.user_id(contoso, UserIdx(0)).to_string();
    let s = common::start(world, Config::default()).expect("the server starts");
    World { s, ann, desk, cara }
}

/// What no Graph message may say: the scenario file's verbs and keys.
fn assert_graph_words(m: &str) {
    for w in [
        "set-partner",
        "delete-partner",
        "delete-sync-policy",
        "sync_policy",
        "sync_inbound",
        "auto_redeem",
        "[[step]]",
    ] {
        assert!(!m.contains(w), "'{w}' in {m}");
    }
}

/// Steps 2, 3 and 5 of the tutorial, in the target (Contoso) and the source (Fabrikam).
fn tutorial(w: &World) {
    let url = w.s.url();
    let (contoso_id, contoso) = tenant(&w.s, "contoso");
    let (fabrikam_id, fabrikam) = tenant(&w.s, "fabrikam");

    // Step 2 (target): a partner configuration for the source              -> 201
    let r = with_json(
        url,
        "POST",
        &format!("{XTAP}/partners"),
        &contoso,
        &json!({ "tenantId": fabrikam_id }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let p = r.json();
    assert_eq!(
        p["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity"
    );
    assert_eq!(p["tenantId"], fabrikam_id.as_str());
    assert!(p["inboundTrust"].is_null(), "{p}");
    assert!(p["b2bCollaborationInbound"].is_null(), "{p}");
    assert!(
        p["automaticUserConsentSettings"]["inboundAllowed"].is_null(),
        "{p}"
    );
    assert!(p.get("identitySynchronization").is_none(), "{p}");
    // Step 2 (target): user synchronization inbound                        -> 204
    let r = with_json(
        url,
        "PUT",
        &format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
        &contoso,
        &json!({ "displayName": "Fabrikam", "userSyncInbound": { "isSyncAllowed": true } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(r.body.is_empty());
    // Step 3 (target): redeem invitations automatically                     -> 204
    let r = with_json(
        url,
        "PATCH",
        &format!("{XTAP}/partners/{fabrikam_id}"),
        &contoso,
        &json!({ "inboundTrust": null, "automaticUserConsentSettings": { "inboundAllowed": true } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    // Step 5 (source): a partner configuration for the target, then outbound redemption
    let r = with_json(
        url,
        "POST",
        &format!("{XTAP}/partners"),
        &fabrikam,
        &json!({ "tenantId": contoso_id }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = with_json(
        url,
        "PATCH",
        &format!("{XTAP}/partners/{contoso_id}"),
        &fabrikam,
        &json!({ "automaticUserConsentSettings": { "outboundAllowed": true } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
}

#[test]
fn the_tutorial_configures_both_sides() {
    let w = serve();
    let url = w.s.url();
    let (contoso_id, contoso) = tenant(&w.s, "contoso");
    let (fabrikam_id, fabrikam) = tenant(&w.s, "fabrikam");
    tutorial(&w);

    // the target reads back what it set
    let r = get(
        url,
        &format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
        &contoso,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json();
    assert_eq!(s["userSyncInbound"]["isSyncAllowed"], true, "{s}");
    assert_eq!(s["tenantId"], fabrikam_id.as_str());
    assert_eq!(s["displayName"], "Fabrikam");
    assert!(s["@odata.context"].as_str().unwrap().ends_with(&format!(
        "partners('{fabrikam_id}')/identitySynchronization/$entity"
    )));
    let p = get(url, &format!("{XTAP}/partners/{fabrikam_id}"), &contoso).json();
    assert_eq!(p["automaticUserConsentSettings"]["inboundAllowed"], true, "{p}");
    assert!(
        p["automaticUserConsentSettings"]["outboundAllowed"].is_null(),
        "{p}"
    );
    assert!(p.get("identitySynchronization").is_none(), "{p}");
    let p = get(
        url,
        &format!("{XTAP}/partners/{fabrikam_id}?$expand=identitySynchronization"),
        &contoso,
    )
    .json();
    assert_eq!(
        p["identitySynchronization"]["userSyncInbound"]["isSyncAllowed"], true,
        "{p}"
    );
    let list = get(url, &format!("{XTAP}/partners"), &contoso).json();
    assert_eq!(list["value"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["value"][0]["tenantId"], fabrikam_id.as_str());
    assert!(list["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#policies/crossTenantAccessPolicy/partners"));

    // the source reads back its outbound redemption
    let p = get(url, &format!("{XTAP}/partners/{contoso_id}"), &fabrikam).json();
    assert_eq!(p["automaticUserConsentSettings"]["outboundAllowed"], true, "{p}");
    assert!(
        p["automaticUserConsentSettings"]["inboundAllowed"].is_null(),
        "{p}"
    );
    // the source has no identity synchronization policy
    let r = get(
        url,
        &format!("{XTAP}/partners/{contoso_id}/identitySynchronization"),
        &fabrikam,
    );
    assert_error(&r, 404, "Request_ResourceNotFound");

    // creating again is Graph's conflict, as the tutorial's troubleshooting shows
    let r = with_json(
        url,
        "POST",
        &format!("{XTAP}/partners"),
        &contoso,
        &json!({ "tenantId": fabrikam_id }),
    );
    assert_error(&r, 409, "Request_MultipleObjectsWithSameKeyValue");
    assert_eq!(
        message(&r),
        "Another object with the same value for property tenantId already exists."
    );
    let r = with_json(
        url,
        "PUT",
        &format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
        &contoso,
        &json!({ "userSyncInbound": { "isSyncAllowed": true } }),
    );
    assert_error(&r, 409, "Request_MultipleObjectsWithSameKeyValue");
    // ... and the update is a PATCH
    let r = with_json(
        url,
        "PATCH",
        &format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
        &contoso,
        &json!({ "userSyncInbound": { "isSyncAllowed": false } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let s = get(
        url,
        &format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
        &contoso,
    )
    .json();
    assert_eq!(s["userSyncInbound"]["isSyncAllowed"], false, "{s}");

    // beta answers the same with its own context
    let p = get(
        url,
        &format!("/beta/policies/crossTenantAccessPolicy/partners/{fabrikam_id}"),
        &contoso,
    )
    .json();
    assert!(p["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with("https://graph.microsoft.com/beta/$metadata#"));
}

#[test]
fn a_partner_with_a_policy_is_deleted_after_its_policy() {
    let w = serve();
    let url = w.s.url();
    let (fabrikam_id, _) = tenant(&w.s, "fabrikam");
    let (_, contoso) = tenant(&w.s, "contoso");
    tutorial(&w);
    let partner = format!("{XTAP}/partners/{fabrikam_id}");

    let r = delete(url, &partner, &contoso);
    assert_error(&r, 400, "Request_BadRequest");
    let m = message(&r);
    assert!(m.contains("identity sync policy"), "{m}");
    assert!(
        m.contains("DELETE /policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization"),
        "{m}"
    );
    assert!(m.ends_with("(XTAP-9)"), "{m}");
    assert_graph_words(&m);
    assert_eq!(get(url, &partner, &contoso).status, 200);

    let r = delete(url, &format!("{partner}/identitySynchronization"), &contoso);
    assert_eq!(r.status, 204, "{}", r.body);
    assert_error(
        &get(url, &format!("{partner}/identitySynchronization"), &contoso),
        404,
        "Request_ResourceNotFound",
    );
    // a second delete of the policy, and a PATCH of one that does not exist, are not found
    assert_error(
        &delete(url, &format!("{partner}/identitySynchronization"), &contoso),
        404,
        "Request_ResourceNotFound",
    );
    let r = with_json(
        url,
        "PATCH",
        &format!("{partner}/identitySynchronization"),
        &contoso,
        &json!({ "userSyncInbound": { "isSyncAllowed": true } }),
    );
    assert_error(&r, 404, "Directory_ObjectNotFound");

    let r = delete(url, &partner, &contoso);
    assert_eq!(r.status, 204, "{}", r.body);
    let r = get(url, &partner, &contoso);
    assert_error(&r, 404, "Directory_ObjectNotFound");
    assert_eq!(
        get(url, &format!("{XTAP}/partners"), &contoso).json()["value"],
        json!([])
    );
    assert_error(&delete(url, &partner, &contoso), 404, "Directory_ObjectNotFound");
}

#[test]
fn two_active_members_keep_their_partner_configurations() {
    let w = serve();
    let url = w.s.url();
    let (contoso_id, contoso) = tenant(&w.s, "contoso");
    let (fabrikam_id, fabrikam) = tenant(&w.s, "fabrikam");
    let mto = "/v1.0/tenantRelationships/multiTenantOrganization";
    assert_eq!(
        with_json(url, "PUT", mto, &contoso, &json!({ "displayName": "Contoso" })).status,
        201
    );
    let r = with_json(
        url,
        "POST",
        &format!("{mto}/tenants"),
        &contoso,
        &json!({ "tenantId": fabrikam_id }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = with_json(
        url,
        "PATCH",
        &format!("{mto}/joinRequest"),
        &fabrikam,
        &json!({ "addedByTenantId": contoso_id }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = with_json(
        url,
        "POST",
        "/mtosim/clock/advance",
        w.s.operator_token(),
        &json!({ "by": "PT2H" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    let p = get(url, &format!("{XTAP}/partners/{fabrikam_id}"), &contoso);
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.json()["isInMultiTenantOrganization"], true, "{}", p.body);
    let r = delete(url, &format!("{XTAP}/partners/{fabrikam_id}"), &contoso);
    assert_error(&r, 400, "Request_BadRequest");
    let m = message(&r);
    assert!(m.ends_with("(MTO-56)"), "{m}");
    assert!(
        m.contains("DELETE /tenantRelationships/multiTenantOrganization/tenants/{tenantId}"),
        "{m}"
    );
    assert_graph_words(&m);
    // the read-only membership flag cannot be patched away
    let r = with_json(
        url,
        "PATCH",
        &format!("{XTAP}/partners/{fabrikam_id}"),
        &contoso,
        &json!({ "isInMultiTenantOrganization": false }),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(message(&r).contains("$.isInMultiTenantOrganization"));
}

#[test]
fn the_default_configuration_is_patched_and_reset() {
    let w = serve();
    let url = w.s.url();
    let (_, contoso) = tenant(&w.s, "contoso");
    let d = format!("{XTAP}/default");

    let v = get(url, &d, &contoso).json();
    assert_eq!(
        v["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity"
    );
    assert_eq!(v["isServiceDefault"], true, "{v}");
    assert_eq!(
        v["automaticUserConsentSettings"],
        json!({ "inboundAllowed": false, "outboundAllowed": false })
    );
    for side in ["b2bCollaborationInbound", "b2bCollaborationOutbound"] {
        assert_eq!(v[side]["usersAndGroups"]["accessType"], "allowed", "{v}");
        assert_eq!(
            v[side]["usersAndGroups"]["targets"],
            json!([{ "target": "AllUsers", "targetType": "user" }])
        );
        assert_eq!(
            v[side]["applications"]["targets"],
            json!([{ "target": "AllApplications", "targetType": "application" }])
        );
    }

    // only Cara may collaborate outbound; applications keep the value in effect
    let r = with_json(
        url,
        "PATCH",
        &d,
        &contoso,
        &json!({ "b2bCollaborationOutbound": { "usersAndGroups": {
            "accessType": "allowed",
            "targets": [{ "target": w.cara, "targetType": "user" }]
        } } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let v = get(url, &d, &contoso).json();
    assert_eq!(v["isServiceDefault"], false, "{v}");
    assert_eq!(
        v["b2bCollaborationOutbound"]["usersAndGroups"]["targets"],
        json!([{ "target": w.cara, "targetType": "user" }])
    );
    assert_eq!(
        v["b2bCollaborationOutbound"]["applications"]["accessType"],
        "allowed"
    );
    assert_eq!(
        v["b2bCollaborationInbound"]["usersAndGroups"]["targets"][0]["target"],
        "AllUsers"
    );

    // the inbound default names no partner's users; consent is always false (XTAP-3)
    let r = with_json(
        url,
        "PATCH",
        &d,
        &contoso,
        &json!({ "b2bCollaborationInbound": { "usersAndGroups": {
            "accessType": "blocked", "targets": [{ "target": w.ann, "targetType": "user" }]
        } } }),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(
        message(&r).contains("$.b2bCollaborationInbound.usersAndGroups.targets[0].target"),
        "{}",
        r.body
    );
    let r = with_json(
        url,
        "PATCH",
        &d,
        &contoso,
        &json!({ "automaticUserConsentSettings": { "inboundAllowed": true } }),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(
        message(&r).contains("$.automaticUserConsentSettings.inboundAllowed"),
        "{}",
        r.body
    );
    // blocking everyone inbound is a setting
    let r = with_json(
        url,
        "PATCH",
        &d,
        &contoso,
        &json!({ "b2bCollaborationInbound": {
            "usersAndGroups": { "accessType": "blocked", "targets": [{ "target": "AllUsers", "targetType": "user" }] },
            "applications": { "accessType": "blocked", "targets": [{ "target": "AllApplications", "targetType": "application" }] }
        } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        get(url, &d, &contoso).json()["b2bCollaborationInbound"]["usersAndGroups"]["accessType"],
        "blocked"
    );

    let r = post_empty(url, &format!("{d}/resetToSystemDefault"), &contoso);
    assert_eq!(r.status, 204, "{}", r.body);
    let v = get(url, &d, &contoso).json();
    assert_eq!(v["isServiceDefault"], true, "{v}");
    assert_eq!(
        v["b2bCollaborationInbound"]["usersAndGroups"]["accessType"],
        "allowed"
    );
}

#[test]
fn partner_b2b_targets_name_the_right_tenant() {
    let w = serve();
    let url = w.s.url();
    let (fabrikam_id, _) = tenant(&w.s, "fabrikam");
    let (_, contoso) = tenant(&w.s, "contoso");
    // created with settings in the body: inbound names Fabrikam's group, outbound Contoso's user
    let r = with_json(
        url,
        "POST",
        &format!("{XTAP}/partners"),
        &contoso,
        &json!({
            "tenantId": fabrikam_id,
            "inboundTrust": { "isMfaAccepted": true, "isCompliantDeviceAccepted": false },
            "b2bCollaborationInbound": {
                "usersAndGroups": { "accessType": "allowed", "targets": [{ "target": w.desk, "targetType": "group" }] },
                "applications": { "accessType": "allowed", "targets": [{ "target": "Office365", "targetType": "application" }] }
            },
            "b2bCollaborationOutbound": {
                "usersAndGroups": { "accessType": "allowed", "targets": [{ "target": w.cara, "targetType": "user" }] }
            },
            "b2bDirectConnectInbound": null
        }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let p = r.json();
    assert_eq!(p["inboundTrust"]["isMfaAccepted"], true, "{p}");
    assert_eq!(
        p["b2bCollaborationInbound"]["usersAndGroups"]["targets"],
        json!([{ "target": w.desk, "targetType": "group" }])
    );
    assert_eq!(
        p["b2bCollaborationInbound"]["applications"]["targets"],
        json!([{ "target": "Office365", "targetType": "application" }])
    );
    assert_eq!(
        p["b2bCollaborationOutbound"]["usersAndGroups"]["targets"],
        json!([{ "target": w.cara, "targetType": "user" }])
    );
    assert_eq!(
        get(url, &format!("{XTAP}/partners/{fabrikam_id}"), &contoso).json(),
        p
    );

    // outbound targets are the caller's own users: Fabrikam's Ann is unknown there
    let r = with_json(
        url,
        "PATCH",
        &format!("{XTAP}/partners/{fabrikam_id}"),
        &contoso,
        &json!({ "b2bCollaborationOutbound": { "usersAndGroups": {
            "accessType": "allowed", "targets": [{ "target": w.ann, "targetType": "user" }]
        } } }),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(
        message(&r).contains("$.b2bCollaborationOutbound.usersAndGroups.targets[0].target"),
        "{}",
        r.body
    );
    // what mtosim does not model is refused, never dropped
    for body in [
        json!({ "b2bDirectConnectOutbound": { "usersAndGroups": { "accessType": "blocked", "targets": [] } } }),
        json!({ "inboundTrust": { "isHybridAzureADJoinedDeviceAccepted": true } }),
        json!({ "inboundTrust": null }),
    ] {
        let r = with_json(
            url,
            "PATCH",
            &format!("{XTAP}/partners/{fabrikam_id}"),
            &contoso,
            &body,
        );
        assert_error(&r, 400, "BadRequest");
        assert!(message(&r).contains("(at $."), "{}", r.body);
    }
}

#[test]
fn the_templates_are_patched_and_reset_one_at_a_time() {
    let w = serve();
    let url = w.s.url();
    let (_, contoso) = tenant(&w.s, "contoso");
    let pt = format!("{XTAP}/templates/multiTenantOrganizationPartnerConfiguration");
    let it = format!("{XTAP}/templates/multiTenantOrganizationIdentitySynchronization");

    let v = get(url, &pt, &contoso).json();
    assert_eq!(
        v["templateApplicationLevel"], "newPartners,existingPartners",
        "{v}"
    );
    assert!(
        v["automaticUserConsentSettings"]["inboundAllowed"].is_null(),
        "{v}"
    );
    assert!(v["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with("https://graph.microsoft.com/v1.0/"));
    let v = get(url, &it, &contoso).json();
    assert!(v["userSyncInbound"]["isSyncAllowed"].is_null(), "{v}");

    let r = with_json(
        url,
        "PATCH",
        &pt,
        &contoso,
        &json!({
            "inboundTrust": { "isMfaAccepted": true },
            "automaticUserConsentSettings": { "inboundAllowed": true, "outboundAllowed": true }
        }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = with_json(
        url,
        "PATCH",
        &it,
        &contoso,
        &json!({ "userSyncInbound": { "isSyncAllowed": true } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let v = get(url, &pt, &contoso).json();
    assert_eq!(v["inboundTrust"]["isMfaAccepted"], true, "{v}");
    assert_eq!(v["automaticUserConsentSettings"]["outboundAllowed"], true, "{v}");
    assert_eq!(
        get(url, &it, &contoso).json()["userSyncInbound"]["isSyncAllowed"],
        true
    );

    let r = with_json(
        url,
        "PATCH",
        &pt,
        &contoso,
        &json!({ "templateApplicationLevel": "sometimes" }),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(message(&r).contains("$.templateApplicationLevel"), "{}", r.body);

    // resetting the partner template leaves the identity template's value
    let r = post_empty(url, &format!("{pt}/resetToDefaultSettings"), &contoso);
    assert_eq!(r.status, 204, "{}", r.body);
    let v = get(url, &pt, &contoso).json();
    assert!(v["inboundTrust"].is_null(), "{v}");
    assert!(
        v["automaticUserConsentSettings"]["inboundAllowed"].is_null(),
        "{v}"
    );
    assert_eq!(
        get(url, &it, &contoso).json()["userSyncInbound"]["isSyncAllowed"],
        true
    );
    let r = post_empty(
        url,
        &format!("{it}/microsoft.graph.resetToDefaultSettings"),
        &contoso,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(get(url, &it, &contoso).json()["userSyncInbound"]["isSyncAllowed"].is_null());
}

#[test]
fn the_policy_answers_what_is_modelled() {
    let w = serve();
    let url = w.s.url();
    let (_, contoso) = tenant(&w.s, "contoso");
    let v = get(url, XTAP, &contoso).json();
    assert_eq!(
        v["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/$entity"
    );
    assert_eq!(v["displayName"], "CrossTenantAccessPolicy");
    assert_eq!(v["allowedCloudEndpoints"], json!([]));
    assert!(v["id"].is_string());
    let r = with_json(
        url,
        "PATCH",
        XTAP,
        &contoso,
        &json!({ "displayName": "CrossTenantAccessPolicy" }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = with_json(
        url,
        "PATCH",
        XTAP,
        &contoso,
        &json!({ "allowedCloudEndpoints": ["microsoftonline.us"] }),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(message(&r).contains("not supported"), "{}", r.body);
}

#[test]
fn bad_requests_name_the_segment_the_path_or_the_method() {
    let w = serve();
    let url = w.s.url();
    let (fabrikam_id, _) = tenant(&w.s, "fabrikam");
    let (_, contoso) = tenant(&w.s, "contoso");
    let unknown = "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad";

    assert_error(
        &get(url, &format!("{XTAP}/partners/{unknown}"), &contoso),
        404,
        "Directory_ObjectNotFound",
    );
    assert_error(
        &get(url, &format!("{XTAP}/partners/{fabrikam_id}"), &contoso),
        404,
        "Directory_ObjectNotFound",
    );
    assert_error(
        &get(
            url,
            &format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
            &contoso,
        ),
        404,
        "Directory_ObjectNotFound",
    );
    assert_error(
        &get(url, &format!("{XTAP}/partners/not-a-guid"), &contoso),
        400,
        "BadRequest",
    );
    // a PATCH does not create
    let r = with_json(
        url,
        "PATCH",
        &format!("{XTAP}/partners/{fabrikam_id}"),
        &contoso,
        &json!({ "automaticUserConsentSettings": { "inboundAllowed": true } }),
    );
    assert_error(&r, 404, "Directory_ObjectNotFound");

    let post = |body: Value| with_json(url, "POST", &format!("{XTAP}/partners"), &contoso, &body);
    for (body, path) in [
        (json!({}), "$.tenantId"),
        (json!({ "tenantId": unknown }), "$.tenantId"),
        (json!({ "tenantId": "nope" }), "$.tenantId"),
        (json!({ "tenantId": fabrikam_id, "foo": 1 }), "$.foo"),
        (
            json!({ "tenantId": fabrikam_id, "automaticUserConsentSettings": { "inboundAllowed": "yes" } }),
            "$.automaticUserConsentSettings.inboundAllowed",
        ),
        (
            json!({ "tenantId": fabrikam_id, "b2bCollaborationInbound": { "usersAndGroups": { "accessType": "maybe", "targets": [] } } }),
            "$.b2bCollaborationInbound.usersAndGroups.accessType",
        ),
    ] {
        let r = post(body);
        assert_error(&r, 400, "BadRequest");
        assert!(
            message(&r).contains(&format!("(at {path})")),
            "{path}: {}",
            r.body
        );
    }
    let r = send(
        url,
        "POST",
        &format!("{XTAP}/partners"),
        Some(&contoso),
        Some(b"{\"tenantId\": "),
    );
    assert_error(&r, 400, "BadRequest");
    // nothing was created by the refused requests
    assert_eq!(
        get(url, &format!("{XTAP}/partners"), &contoso).json()["value"],
        json!([])
    );
    // a partner configuration for oneself is the engine's refusal
    let (contoso_id, _) = tenant(&w.s, "contoso");
    let r = post(json!({ "tenantId": contoso_id }));
    assert_error(&r, 400, "Request_BadRequest");
    assert_graph_words(&message(&r));

    // unknown segments and methods
    let r = get(url, &format!("{XTAP}/nothing"), &contoso);
    assert_error(&r, 400, "BadRequest");
    assert_eq!(message(&r), "Resource not found for the segment 'nothing'.");
    let r = delete(url, XTAP, &contoso);
    assert_error(&r, 405, "BadRequest");
    assert_eq!(r.header("allow"), Some("GET, PATCH"));
    let r = send(
        url,
        "PUT",
        &format!("{XTAP}/partners"),
        Some(&contoso),
        Some(b"{}"),
    );
    assert_eq!(r.status, 405, "{}", r.body);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    let r = get(url, &format!("{XTAP}/default/resetToSystemDefault"), &contoso);
    assert_eq!(r.status, 405, "{}", r.body);
    assert_eq!(r.header("allow"), Some("POST"));
}

#[test]
fn each_tenant_sees_its_own_configurations_only() {
    let w = serve();
    let url = w.s.url();
    let (fabrikam_id, _) = tenant(&w.s, "fabrikam");
    let (_, contoso) = tenant(&w.s, "contoso");
    let (_, northwind) = tenant(&w.s, "northwind");
    tutorial(&w);
    assert_eq!(
        get(url, &format!("{XTAP}/partners"), &northwind).json()["value"],
        json!([])
    );
    assert_error(
        &get(url, &format!("{XTAP}/partners/{fabrikam_id}"), &northwind),
        404,
        "Directory_ObjectNotFound",
    );
    assert_error(
        &delete(
            url,
            &format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
            &northwind,
        ),
        404,
        "Directory_ObjectNotFound",
    );
    // Northwind's templates and default are its own
    let pt = format!("{XTAP}/templates/multiTenantOrganizationPartnerConfiguration");
    let r = with_json(
        url,
        "PATCH",
        &pt,
        &northwind,
        &json!({ "automaticUserConsentSettings": { "inboundAllowed": true } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(get(url, &pt, &contoso).json()["automaticUserConsentSettings"]["inboundAllowed"].is_null());
    assert_ne!(
        get(url, &pt, &contoso).json()["id"],
        get(url, &pt, &northwind).json()["id"]
    );
    // Contoso's configuration is untouched
    let s = get(
        url,
        &format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
        &contoso,
    )
    .json();
    assert_eq!(s["userSyncInbound"]["isSyncAllowed"], true, "{s}");
}

#[test]
fn every_property_is_in_graphs_v1_metadata() {
    let w = serve();
    let url = w.s.url();
    let (fabrikam_id, contoso) = (tenant(&w.s, "fabrikam").0, tenant(&w.s, "contoso").1);
    tutorial(&w);
    let r = with_json(
        url,
        "PATCH",
        &format!("{XTAP}/partners/{fabrikam_id}"),
        &contoso,
        &json!({ "inboundTrust": { "isMfaAccepted": true }, "b2bCollaborationInbound": {
            "usersAndGroups": { "accessType": "allowed", "targets": [{ "target": w.desk, "targetType": "group" }] }
        } }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let c = common::csdl::Csdl::load();
    let mut errors = Vec::new();
    c.check(
        "$",
        "crossTenantIdentitySyncPolicyPartner",
        &json!({ "bogus": 1 }),
        &mut errors,
    );
    assert_eq!(errors.len(), 1, "the checker finds undeclared properties");
    errors.clear();
    let partner = "crossTenantAccessPolicyConfigurationPartner";
    for (path, ty) in [
        (
            format!("{XTAP}/partners/{fabrikam_id}?$expand=identitySynchronization"),
            partner,
        ),
        (
            format!("{XTAP}/partners/{fabrikam_id}/identitySynchronization"),
            "crossTenantIdentitySyncPolicyPartner",
        ),
        (
            format!("{XTAP}/templates/multiTenantOrganizationPartnerConfiguration"),
            "multiTenantOrganizationPartnerConfigurationTemplate",
        ),
        (
            format!("{XTAP}/templates/multiTenantOrganizationIdentitySynchronization"),
            "multiTenantOrganizationIdentitySyncPolicyTemplate",
        ),
    ] {
        let r = get(url, &path, &contoso);
        assert_eq!(r.status, 200, "{}", r.body);
        c.check(&path, ty, &r.json(), &mut errors);
    }
    let list = get(
        url,
        &format!("{XTAP}/partners?$expand=identitySynchronization"),
        &contoso,
    )
    .json();
    c.check(
        "partners",
        &format!("Collection({partner})"),
        &list["value"],
        &mut errors,
    );
    // the default configuration and the policy itself
    let d = get(url, &format!("{XTAP}/default"), &contoso).json();
    c.check(
        "default",
        "crossTenantAccessPolicyConfigurationDefault",
        &d,
        &mut errors,
    );
    assert_eq!(d["isServiceDefault"], true, "{d}");
    let p = get(url, XTAP, &contoso).json();
    c.check("policy", "crossTenantAccessPolicy", &p, &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Group synchronization inbound (XTAP-11) is Graph's beta: `/beta` reads and writes
/// `groupSyncInbound` on identity synchronization policies; v1.0 has no such property.
#[test]
fn group_sync_inbound_is_a_beta_property() {
    let w = serve();
    let url = w.s.url();
    let (fabrikam_id, contoso) = (tenant(&w.s, "fabrikam").0, tenant(&w.s, "contoso").1);
    tutorial(&w);
    let beta = format!("/beta/policies/crossTenantAccessPolicy/partners/{fabrikam_id}");
    let sync = format!("{beta}/identitySynchronization");
    let v1 = sync.replacen("/beta/", "/v1.0/", 1);
    // the tutorial's policy: users sync in, groups not set
    let got = get(url, &sync, &contoso).json();
    assert_eq!(got["userSyncInbound"]["isSyncAllowed"], true, "{got}");
    assert!(
        got["groupSyncInbound"].is_null() && got.get("groupSyncInbound").is_some(),
        "{got}"
    );
    // v1.0 refuses it and does not show it
    let body = json!({ "groupSyncInbound": { "isSyncAllowed": true } });
    let r = with_json(url, "PATCH", &v1, &contoso, &body);
    assert_error(&r, 400, "BadRequest");
    assert!(message(&r).contains("beta"), "{}", r.body);
    // beta sets it, and the v1.0 view stays v1.0
    let r = with_json(url, "PATCH", &sync, &contoso, &body);
    assert_eq!(r.status, 204, "{}", r.body);
    let got = get(url, &sync, &contoso).json();
    assert_eq!(got["groupSyncInbound"]["isSyncAllowed"], true, "{got}");
    assert_eq!(
        got["userSyncInbound"]["isSyncAllowed"], true,
        "a PATCH keeps what it omits"
    );
    assert!(get(url, &v1, &contoso).json().get("groupSyncInbound").is_none());
    let expanded = get(url, &format!("{beta}?$expand=identitySynchronization"), &contoso).json();
    assert_eq!(
        expanded["identitySynchronization"]["groupSyncInbound"]["isSyncAllowed"], true,
        "{expanded}"
    );
    let list = get(
        url,
        "/beta/policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization",
        &contoso,
    )
    .json();
    let listed = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["tenantId"] == fabrikam_id.as_str())
        .expect("fabrikam's configuration");
    assert_eq!(
        listed["identitySynchronization"]["groupSyncInbound"]["isSyncAllowed"],
        true
    );
    // values outside the type are refused
    let r = with_json(
        url,
        "PATCH",
        &sync,
        &contoso,
        &json!({ "groupSyncInbound": { "isSyncAllowed": "yes" } }),
    );
    assert_error(&r, 400, "BadRequest");
    let r = with_json(
        url,
        "PATCH",
        &sync,
        &contoso,
        &json!({ "groupSyncInbound": { "isSyncAllowed": true, "x": 1 } }),
    );
    assert_error(&r, 400, "BadRequest");
}
