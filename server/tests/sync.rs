//! The cross-tenant synchronization endpoints, in-process on a free loopback port: the
//! source-tenant steps of Microsoft's tutorial "Configure cross-tenant synchronization using
//! PowerShell or Microsoft Graph API" with its own request bodies (instantiate, validate the
//! credentials, create the job, save the secrets, assign a user, start), the operator's clock,
//! the account in the target and the provisioning log; then the job's other actions, errors
//! (the test connection's CTS-6, 404, unserved segments, unsupported query options), tenant
//! isolation, and the job's schema (its attribute mappings and scoping filter, read, changed
//! and seen through a cycle) with `parseExpression`.

mod common;

use common::{assert_error, get, post_empty as post, send, tenant, with_json};
use mtosim_engine::{TenantIdx, UserIdx};
use mtosim_server::{Config, Running};
use serde_json::{json, Value};

/// The tutorial's target (Contoso, whose partner configuration for Fabrikam allows inbound
/// sync and automatic redemption), its source (Fabrikam, with outbound automatic redemption),
/// and Northwind, whose partner configuration for Contoso has no counterpart there.
const SCENARIO: &str = r#"
[scenario]
name = "Configure cross-tenant synchronization using the Microsoft Graph API"
rules = "ga"
seed = 29
start = "2024-06-03T09:00:00Z"
delays = "max"

[[tenant]]
name = "contoso"
domains = ["contoso.com"]
[[tenant.partner]]
tenant = "fabrikam"
auto_redeem_inbound = true
sync_inbound = true

[[tenant]]
name = "fabrikam"
display_name = "Fabrikam"
domains = ["fabrikam.com"]
[[tenant.user]]
upn = "ann@fabrikam.com"
[[tenant.user]]
upn = "bo@fabrikam.com"
[[tenant.partner]]
tenant = "contoso"
auto_redeem_outbound = true

[[tenant]]
name = "northwind"
domains = ["northwind.com"]
[[tenant.user]]
upn = "nia@northwind.com"
[[tenant.partner]]
tenant = "contoso"
auto_redeem_outbound = true
"#;

const TEMPLATE: &str = "/v1.0/applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate";

/// The served world and object ids read from it before it is served.
struct World {
    s: Running,
    ann: String,
    bo: String,
}

fn serve() -> World {
    serve_with(Config::default())
}

fn serve_with(config: Config) -> World {
    let world = common::world("sync.toml", SCENARIO);
    let fabrikam: TenantIdx = world
        .tenant_ids()
        .find(|&t| world.tenant(t).spec.name == "fabrikam")
        .expect("fabrikam");
    let ann = world.user_id(fabrikam, UserIdx(0)).to_string();
    let bo = world.user_id(fabrikam, UserIdx(1)).to_string();
    let s = common::start(world, config).expect("the server starts");
    World { s, ann, bo }
}

fn credentials(target_id: &str) -> Value {
    json!({
        "useSavedCredentials": false,
        "templateId": "Azure2Azure",
        "credentials": [
            {"key": "CompanyId", "value": target_id},
            {"key": "AuthenticationType", "value": "SyncPolicy"}
        ]
    })
}

fn secrets(target_id: &str) -> Value {
    json!({
        "value": [
            {"key": "AuthenticationType", "value": "SyncPolicy"},
            {"key": "CompanyId", "value": target_id},
            {"key": "SyncNotificationSettings", "value": "{\"Enabled\":false,\"DeleteThresholdEnabled\":false,\"HumanResourcesLookaheadQueryEnabled\":false}"},
            {"key": "SyncAll", "value": "false"}
        ]
    })
}

/// Steps 6 to 10 and 12 of the tutorial: (service principal id, app role id, job id).
fn configure(w: &World) -> (String, String, String) {
    let url = w.s.url();
    let (contoso_id, _) = tenant(&w.s, "contoso");
    let (_, fabrikam) = tenant(&w.s, "fabrikam");

    // Step 6: instantiate the gallery application
    let r = with_json(
        url,
        "POST",
        TEMPLATE,
        &fabrikam,
        &json!({"displayName": "Fabrikam"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    assert!(v["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#microsoft.graph.applicationServicePrincipal"));
    let sp = v["servicePrincipal"]["id"].as_str().unwrap().to_string();
    let role = v["servicePrincipal"]["appRoles"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(v["servicePrincipal"]["displayName"], "Fabrikam");
    assert_eq!(v["application"]["appId"], v["servicePrincipal"]["appId"]);
    assert_eq!(v["servicePrincipal"]["appRoleAssignmentRequired"], true);

    // Get-MgServicePrincipal -Filter "DisplayName eq 'Fabrikam'"
    let r = get(
        url,
        "/v1.0/servicePrincipals?$filter=displayName%20eq%20'Fabrikam'",
        &fabrikam,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let list = r.json()["value"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], sp);
    // the README's export call: every configuration's service principal, by its template
    let r = get(
        url,
        "/v1.0/servicePrincipals?$filter=applicationTemplateId%20eq%20'518e5f48-1fc8-4c48-9387-9fdf28b0dfe7'",
        &fabrikam,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["value"][0]["id"], sp);
    let r = get(url, &format!("/v1.0/servicePrincipals/{sp}"), &fabrikam);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["appRoles"][0]["id"], role);

    // Step 7: test the connection
    let r = with_json(
        url,
        "POST",
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/validateCredentials"),
        &fabrikam,
        &credentials(&contoso_id),
    );
    assert_eq!(r.status, 204, "{}", r.body);

    // Step 8: create the job
    let r = with_json(
        url,
        "POST",
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs"),
        &fabrikam,
        &json!({"templateId": "Azure2Azure"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let job = r.json();
    let job_id = job["id"].as_str().unwrap().to_string();
    assert!(job_id.starts_with("Azure2Azure."), "{job_id}");
    assert_eq!(job["templateId"], "Azure2Azure");
    assert_eq!(job["status"]["code"], "Paused");
    assert_eq!(job["schedule"]["state"], "Disabled");

    // provisioning cannot start before the credentials are saved (Provisioning Mode Manual)
    let r = post(
        url,
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job_id}/start"),
        &fabrikam,
    );
    assert_eq!(r.status, 400, "{}", r.body);

    // Step 9: save the credentials
    let r = with_json(
        url,
        "PUT",
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/secrets"),
        &fabrikam,
        &secrets(&contoso_id),
    );
    assert_eq!(r.status, 204, "{}", r.body);

    // Step 10: assign a user
    let r = with_json(
        url,
        "POST",
        &format!("/v1.0/servicePrincipals/{sp}/appRoleAssignedTo"),
        &fabrikam,
        &json!({"appRoleId": role, "resourceId": sp, "principalId": w.ann}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let a = r.json();
    assert_eq!(a["principalId"], w.ann);
    assert_eq!(a["principalType"], "User");
    assert_eq!(a["resourceDisplayName"], "Fabrikam");
    assert_eq!(a["resourceId"], sp);

    // Step 12: start the job
    let r = post(
        url,
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job_id}/start"),
        &fabrikam,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    (sp, role, job_id)
}

#[test]
fn the_tutorial_provisions_the_assigned_user_into_the_target() {
    let w = serve();
    let url = w.s.url();
    let (_, contoso) = tenant(&w.s, "contoso");
    let (_, fabrikam) = tenant(&w.s, "fabrikam");
    let (sp, _, job_id) = configure(&w);

    let r = get(
        url,
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job_id}"),
        &fabrikam,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["schedule"]["state"], "Active");

    let r = with_json(
        url,
        "POST",
        "/mtosim/clock/advance",
        w.s.operator_token(),
        &json!({"by": "PT1H"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // the account exists in the target
    let users = get(url, "/v1.0/users", &contoso).json();
    let upn = users["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["userPrincipalName"].as_str())
        .find(|u| u.starts_with("ann_fabrikam.com"))
        .unwrap_or_else(|| panic!("ann's account in contoso: {users}"))
        .to_string();
    let r = get(
        url,
        &format!(
            "/v1.0/users?$filter=userPrincipalName%20eq%20'{}'",
            upn.replace('#', "%23")
        ),
        &contoso,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 1, "{}", r.body);

    // the provisioning log has a record of it, which $filter and $top find
    let r = get(url, "/v1.0/auditLogs/provisioning", &fabrikam);
    assert_eq!(r.status, 200, "{}", r.body);
    let log = r.json()["value"].as_array().unwrap().clone();
    assert!(
        log.iter().any(|p| p["jobId"] == job_id
            && p["provisioningAction"] == "create"
            && p["sourceIdentity"]["details"]["userPrincipalName"] == "ann@fabrikam.com"),
        "{log:?}"
    );
    let r = get(
        url,
        &format!("/v1.0/auditLogs/provisioning?$filter=jobId%20eq%20'{job_id}'&$top=1"),
        &fabrikam,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 1);
    let r = get(
        url,
        "/v1.0/auditLogs/provisioning?$filter=jobId%20eq%20'nope'",
        &fabrikam,
    );
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 0);
    // $orderby=activityDateTime desc: newest first, paged like the rest
    let all = get(url, "/v1.0/auditLogs/provisioning", &fabrikam).json()["value"]
        .as_array()
        .unwrap()
        .clone();
    let r = get(
        url,
        "/v1.0/auditLogs/provisioning?$orderby=activityDateTime%20desc&$top=1",
        &fabrikam,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["value"][0]["id"],
        all.last().unwrap()["id"],
        "{}",
        r.body
    );
    if all.len() > 1 {
        // the next page, as the link gives it, is the record before
        let next = r.json()["@odata.nextLink"]
            .as_str()
            .expect("a next link")
            .to_string();
        let r = get(url, &next, &fabrikam);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["value"][0]["id"], all[all.len() - 2]["id"], "{}", r.body);
    }
    // an option it does not read is refused, not ignored
    let r = get(url, "/v1.0/auditLogs/provisioning?$orderby=jobId", &fabrikam);
    assert_error(&r, 400, "BadRequest");
    let r = get(url, "/v1.0/auditLogs/provisioning?$search=x", &fabrikam);
    assert_error(&r, 400, "BadRequest");
    let r = get(
        url,
        "/v1.0/auditLogs/provisioning?$filter=startswith(jobId,'A')",
        &fabrikam,
    );
    assert_error(&r, 400, "BadRequest");

    // the job's statistics moved
    let r = get(
        url,
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs"),
        &fabrikam,
    );
    let jobs = r.json()["value"].as_array().unwrap().clone();
    assert_eq!(jobs.len(), 1);
    assert!(
        jobs[0]["status"]["lastExecution"]["timeEnded"].is_string(),
        "{jobs:?}"
    );

    // tenant isolation: the target sees neither the service principal nor the log
    let r = get(url, &format!("/v1.0/servicePrincipals/{sp}"), &contoso);
    assert_error(&r, 404, "Request_ResourceNotFound");
    let r = post(
        url,
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job_id}/pause"),
        &contoso,
    );
    assert_error(&r, 404, "Request_ResourceNotFound");
    let r = get(url, "/v1.0/auditLogs/provisioning", &contoso);
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 0);
    let r = get(url, "/v1.0/servicePrincipals", &contoso);
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 0);
}

#[test]
fn the_job_pauses_restarts_provisions_on_demand_and_is_deleted() {
    let w = serve();
    let url = w.s.url();
    let (_, fabrikam) = tenant(&w.s, "fabrikam");
    let (sp, role, job_id) = configure(&w);
    let job = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job_id}");

    let r = post(url, &format!("{job}/pause"), &fabrikam);
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(get(url, &job, &fabrikam).json()["status"]["code"], "Paused");
    let r = with_json(
        url,
        "POST",
        &format!("{job}/restart"),
        &fabrikam,
        &json!({"criteria": {"resetScope": "Full"}}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = with_json(
        url,
        "POST",
        &format!("{job}/restart"),
        &fabrikam,
        &json!({"criteria": {"resetScope": "Everything"}}),
    );
    assert_error(&r, 400, "BadRequest");

    // on demand, Bo (not assigned) is provisioned now
    let r = with_json(
        url,
        "POST",
        &format!("{job}/provisionOnDemand"),
        &fabrikam,
        &json!({"parameters": [{"ruleId": "rule", "subjects": [{"objectId": w.bo, "objectTypeName": "User"}]}]}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        v["key"],
        "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"
    );
    assert!(v["value"].as_str().unwrap().contains("provisioningSteps"), "{v}");

    // assignments: list, a duplicate, delete
    let assigned = format!("/v1.0/servicePrincipals/{sp}/appRoleAssignedTo");
    let list = get(url, &assigned, &fabrikam).json()["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(list.len(), 1);
    let r = with_json(
        url,
        "POST",
        &assigned,
        &fabrikam,
        &json!({"appRoleId": role, "resourceId": sp, "principalId": w.ann}),
    );
    assert_error(&r, 400, "Request_BadRequest");
    let r = with_json(
        url,
        "POST",
        &assigned,
        &fabrikam,
        &json!({"appRoleId": role, "resourceId": sp, "principalId": "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad"}),
    );
    assert_error(&r, 400, "BadRequest");
    let id = list[0]["id"].as_str().unwrap();
    let r = send(url, "DELETE", &format!("{assigned}/{id}"), Some(&fabrikam), None);
    assert_eq!(r.status, 204, "{}", r.body);
    let r = send(url, "DELETE", &format!("{assigned}/{id}"), Some(&fabrikam), None);
    assert_error(&r, 404, "Request_ResourceNotFound");

    // unknown job, unserved segments under the schema
    let r = get(
        url,
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/Azure2Azure.0"),
        &fabrikam,
    );
    assert_error(&r, 404, "Request_ResourceNotFound");
    let r = get(
        url,
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/Azure2Azure.0/schema"),
        &fabrikam,
    );
    assert_error(&r, 404, "Request_ResourceNotFound");
    let r = get(url, &format!("{job}/schema/directories"), &fabrikam);
    assert_error(&r, 400, "BadRequest");
    assert!(
        r.body
            .contains("Resource not found for the segment 'directories'"),
        "{}",
        r.body
    );

    // deleting the job deletes the configuration (its service principal with it)
    let r = send(url, "DELETE", &job, Some(&fabrikam), None);
    assert_eq!(r.status, 204, "{}", r.body);
    let r = get(url, &format!("/v1.0/servicePrincipals/{sp}"), &fabrikam);
    assert_error(&r, 404, "Request_ResourceNotFound");
}

#[test]
fn errors_answer_as_graph_does() {
    let w = serve();
    let url = w.s.url();
    let (contoso_id, contoso) = tenant(&w.s, "contoso");
    let (_, northwind) = tenant(&w.s, "northwind");

    // Northwind's configuration targets Contoso, which has no inbound settings for it: the
    // test connection fails with its documented code (CTS-6)
    let r = with_json(
        url,
        "POST",
        TEMPLATE,
        &northwind,
        &json!({"displayName": "Northwind to Contoso"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let sp = r.json()["servicePrincipal"]["id"].as_str().unwrap().to_string();
    let validate = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/validateCredentials");
    let r = with_json(url, "POST", &validate, &northwind, &credentials(&contoso_id));
    assert_error(&r, 400, "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure");
    let r = with_json(
        url,
        "PUT",
        &format!("/v1.0/servicePrincipals/{sp}/synchronization/secrets"),
        &northwind,
        &secrets(&contoso_id),
    );
    assert_error(&r, 400, "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure");
    // credentials for another tenant than the one the configuration targets
    let (fabrikam_id, _) = tenant(&w.s, "fabrikam");
    let r = with_json(url, "POST", &validate, &northwind, &credentials(&fabrikam_id));
    assert_error(&r, 400, "BadRequest");
    // bodies: paths in the message
    let r = with_json(
        url,
        "POST",
        &validate,
        &northwind,
        &json!({"credentials": [{"key": "AuthenticationType", "value": "OAuth2"}]}),
    );
    assert_error(&r, 400, "BadRequest");
    assert!(r.body.contains("$.credentials[0].value"), "{}", r.body);

    // a second application finds no partner configuration without a configuration (mtosim
    // needs the target when it creates one)
    let r = with_json(
        url,
        "POST",
        TEMPLATE,
        &northwind,
        &json!({"displayName": "Again"}),
    );
    assert_error(&r, 400, "BadRequest");
    // a tenant whose only partner configuration does not redeem automatically targets that one
    let r = with_json(
        url,
        "POST",
        TEMPLATE,
        &contoso,
        &json!({"displayName": "Contoso"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // another gallery application
    let r = with_json(
        url,
        "POST",
        "/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
        &northwind,
        &json!({"displayName": "x"}),
    );
    assert_error(&r, 404, "Request_ResourceNotFound");
    // unknown ids, bad ids, unserved segments, methods
    let r = get(
        url,
        "/v1.0/servicePrincipals/4a12efe6-aa14-4d03-8dff-88fc89e2e2ad",
        &northwind,
    );
    assert_error(&r, 404, "Request_ResourceNotFound");
    let r = get(url, "/v1.0/servicePrincipals/nope", &northwind);
    assert_error(&r, 400, "Request_BadRequest");
    let r = get(url, "/v1.0/applicationTemplates", &northwind);
    assert_error(&r, 400, "BadRequest");
    let r = get(url, "/v1.0/servicePrincipals?$top=1", &northwind);
    assert_error(&r, 400, "BadRequest");
    let r = get(url, "/v1.0/auditLogs/directoryAudits", &northwind);
    assert!(r.body.contains("'directoryAudits'"), "{}", r.body);
    let r = send(
        url,
        "PATCH",
        &format!("/v1.0/servicePrincipals/{sp}"),
        Some(&northwind),
        Some(b"{}"),
    );
    assert_eq!(r.status, 405, "{}", r.body);
}

#[test]
fn a_replayed_journal_finds_the_same_service_principal_job_and_log() {
    let d = std::env::temp_dir().join(format!("mtosim-sync-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let config = || Config {
        state: Some((
            d.clone(),
            "Configure cross-tenant synchronization using the Microsoft Graph API".to_string(),
        )),
        ..Config::default()
    };
    let read = |w: &World, sp: &str, job: &str| {
        let (_, fabrikam) = tenant(&w.s, "fabrikam");
        let url = w.s.url();
        (
            get(
                url,
                &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}"),
                &fabrikam,
            )
            .json(),
            get(
                url,
                &format!("/v1.0/servicePrincipals/{sp}/appRoleAssignedTo"),
                &fabrikam,
            )
            .json(),
            get(url, "/v1.0/auditLogs/provisioning", &fabrikam).json(),
        )
    };
    let w = serve_with(config());
    let (sp, _, job) = configure(&w);
    let r = with_json(
        w.s.url(),
        "POST",
        "/mtosim/clock/advance",
        w.s.operator_token(),
        &json!({"by": "PT1H"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let before = read(&w, &sp, &job);
    assert!(!before.2["value"].as_array().unwrap().is_empty());
    drop(w);
    let w = serve_with(config());
    assert_eq!(read(&w, &sp, &job), before);
    drop(w);
    let _ = std::fs::remove_dir_all(&d);
}

/// ann's account in contoso, with its companyName.
fn ann_in_contoso(w: &World) -> Option<Value> {
    let (_, contoso) = tenant(&w.s, "contoso");
    let users = get(
        w.s.url(),
        "/v1.0/users?$select=userPrincipalName,companyName",
        &contoso,
    )
    .json();
    users["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["userPrincipalName"]
                .as_str()
                .is_some_and(|n| n.starts_with("ann_fabrikam.com"))
        })
        .cloned()
}

fn advance(w: &World) {
    let r = with_json(
        w.s.url(),
        "POST",
        "/mtosim/clock/advance",
        w.s.operator_token(),
        &json!({"by": "PT1H"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn the_schema_shows_and_changes_the_user_mapping_and_its_scope() {
    let w = serve();
    let url = w.s.url();
    let (_, fabrikam) = tenant(&w.s, "fabrikam");
    let (sp, _, job_id) = configure(&w);
    let schema = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job_id}/schema");
    advance(&w);
    let ann = ann_in_contoso(&w).expect("ann is provisioned");
    assert!(ann["companyName"].is_null(), "{ann}");

    // GET: the rule, the user mapping, its attribute mappings; no scoping filter yet
    let r = get(url, &schema, &fabrikam);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert!(
        v["@odata.context"].as_str().unwrap().ends_with("/schema/$entity"),
        "{v}"
    );
    assert_eq!(v["id"], job_id);
    let user = &v["synchronizationRules"][0]["objectMappings"][0];
    assert_eq!(user["sourceObjectName"], "User");
    assert_eq!(user["targetObjectName"], "User");
    assert!(user["scope"].is_null(), "{user}");
    let mappings = user["attributeMappings"].as_array().unwrap();
    let mapping = |name: &str| {
        mappings
            .iter()
            .find(|m| m["targetAttributeName"] == name)
            .unwrap_or_else(|| panic!("{name} is mapped: {user}"))
            .clone()
    };
    let matching = mapping("alternativeSecurityIds");
    assert_eq!(matching["matchingPriority"], 1);
    assert_eq!(matching["source"]["type"], "Function");
    assert_eq!(matching["source"]["name"], "AltSecIdFromNetId");
    assert_eq!(matching["source"]["expression"], "AltSecIdFromNetId([netId])");
    assert_eq!(matching["source"]["parameters"][0]["value"]["name"], "netId");
    let user_type = mapping("userType");
    assert_eq!(user_type["flowType"], "ObjectAddOnly");
    assert_eq!(user_type["source"]["type"], "Constant");
    assert_eq!(user_type["source"]["name"], "Member");
    let dept = mapping("department");
    assert_eq!(dept["flowType"], "Always");
    assert_eq!(dept["source"]["type"], "Attribute");
    assert_eq!(dept["source"]["expression"], "[department]");
    assert!(mappings.iter().all(|m| m["targetAttributeName"] != "companyName"));

    // PUT of what GET answered changes nothing
    let r = with_json(url, "PUT", &schema, &fabrikam, &v);
    assert_eq!(r.status, 204, "{}", r.body);
    let again = get(url, &schema, &fabrikam).json();
    assert_eq!(again["synchronizationRules"], v["synchronizationRules"]);

    // PUT: a constant companyName, and a scoping filter on the UPN's domain
    let mut changed = v.clone();
    let m = &mut changed["synchronizationRules"][0]["objectMappings"][0];
    m["attributeMappings"].as_array_mut().unwrap().push(json!({
        "defaultValue": null,
        "flowType": "Always",
        "matchingPriority": 0,
        "source": {"expression": "\"Fabrikam\"", "name": "Fabrikam", "parameters": [], "type": "Constant"},
        "targetAttributeName": "companyName"
    }));
    m["scope"] = json!({"groups": [{"name": "Fabrikam users", "clauses": [{
        "sourceOperandName": "userPrincipalName",
        "operatorName": "ENDS_WITH",
        "targetOperand": {"values": ["@fabrikam.com"]}
    }]}]});
    let r = with_json(url, "PUT", &schema, &fabrikam, &changed);
    assert_eq!(r.status, 204, "{}", r.body);
    let now = get(url, &schema, &fabrikam).json();
    let user = &now["synchronizationRules"][0]["objectMappings"][0];
    let clause = &user["scope"]["groups"][0]["clauses"][0];
    assert_eq!(clause["sourceOperandName"], "userPrincipalName", "{user}");
    assert_eq!(clause["operatorName"], "ENDS_WITH");
    assert_eq!(clause["targetOperand"]["values"], json!(["@fabrikam.com"]));
    let company = user["attributeMappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["targetAttributeName"] == "companyName")
        .cloned()
        .expect("companyName is mapped");
    assert_eq!(company["source"]["type"], "Constant");
    assert_eq!(company["source"]["name"], "Fabrikam");

    // the next cycle writes the constant into ann's account, who passes the filter
    advance(&w);
    let ann = ann_in_contoso(&w).expect("ann is still provisioned");
    assert_eq!(ann["companyName"], "Fabrikam", "{ann}");

    // the matching attribute cannot change: CTS-26's schemaInvalid, and nothing is applied
    let mut refused = now.clone();
    let ms = refused["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap();
    for m in ms.iter_mut() {
        if m["targetAttributeName"] == "alternativeSecurityIds" {
            m["source"] = json!({"name": "mail", "type": "Attribute", "parameters": []});
        }
        if m["targetAttributeName"] == "department" {
            m["source"] = json!({"name": "jobTitle", "type": "Attribute"});
        }
    }
    let r = with_json(url, "PUT", &schema, &fabrikam, &refused);
    assert_error(&r, 400, "schemaInvalid");
    assert_eq!(
        get(url, &schema, &fabrikam).json()["synchronizationRules"],
        now["synchronizationRules"]
    );
    // deleting the matching mapping is refused the same way
    let mut refused = now.clone();
    refused["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["targetAttributeName"] != "alternativeSecurityIds");
    let r = with_json(url, "PUT", &schema, &fabrikam, &refused);
    assert_error(&r, 400, "schemaInvalid");

    // what the engine cannot express is a 400 naming it
    let mut refused = now.clone();
    refused["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][5]["flowType"] =
        json!("MultiValueAddOnly");
    let r = with_json(url, "PUT", &schema, &fabrikam, &refused);
    assert_error(&r, 400, "BadRequest");
    assert!(r.body.contains("MultiValueAddOnly"), "{}", r.body);
    let mut refused = now.clone();
    refused["synchronizationRules"][0]["objectMappings"][0]["enabled"] = json!(false);
    let r = with_json(url, "PUT", &schema, &fabrikam, &refused);
    assert_error(&r, 400, "BadRequest");
    assert!(r.body.contains("enabled"), "{}", r.body);
    let mut refused = now.clone();
    refused["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"][0]["clauses"][0]
        ["sourceOperandName"] = json!("memberOf");
    let r = with_json(url, "PUT", &schema, &fabrikam, &refused);
    assert_error(&r, 400, "BadRequest");
    assert!(r.body.contains("scope.groups[0].clauses[0]"), "{}", r.body);

    // the group mapping (CTS-64) is off by default; enabling it is all of it that changes
    let mut groups = now.clone();
    let g = &mut groups["synchronizationRules"][0]["objectMappings"][1];
    assert_eq!(g["name"], "Provision Microsoft Entra ID Groups", "{g}");
    assert_eq!(g["sourceObjectName"], "Group");
    assert_eq!(g["enabled"], false);
    g["enabled"] = json!(true);
    let r = with_json(url, "PUT", &schema, &fabrikam, &groups);
    assert_eq!(r.status, 204, "{}", r.body);
    let on = get(url, &schema, &fabrikam).json();
    assert_eq!(
        on["synchronizationRules"][0]["objectMappings"][1]["enabled"],
        true
    );
    let mut refused = on.clone();
    refused["synchronizationRules"][0]["objectMappings"][1]["attributeMappings"] = json!([]);
    let r = with_json(url, "PUT", &schema, &fabrikam, &refused);
    assert_error(&r, 400, "BadRequest");
    assert!(
        r.body.contains("objectMappings[1].attributeMappings"),
        "{}",
        r.body
    );

    // removing the filter, the mapping and the group mapping again
    let r = with_json(url, "PUT", &schema, &fabrikam, &v);
    assert_eq!(r.status, 204, "{}", r.body);
    let back = get(url, &schema, &fabrikam).json();
    assert!(back["synchronizationRules"][0]["objectMappings"][0]["scope"].is_null());
    assert_eq!(
        back["synchronizationRules"][0]["objectMappings"][1]["enabled"],
        false
    );
}

#[test]
fn parse_expression_parses_and_evaluates_with_the_engine() {
    let w = serve();
    let url = w.s.url();
    let (_, fabrikam) = tenant(&w.s, "fabrikam");
    let (sp, _, job_id) = configure(&w);
    let path = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job_id}/schema/parseExpression");
    let r = with_json(
        url,
        "POST",
        &path,
        &fabrikam,
        &json!({
            "expression": "Join(\" \", [givenName], [surname])",
            "targetAttributeDefinition": null,
            "testInputObject": {"definition": null, "properties": [
                {"key": "givenName", "value": "John"},
                {"key": "surname", "value": "Smith"}
            ]}
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["parsingSucceeded"], true, "{v}");
    assert_eq!(v["evaluationSucceeded"], true, "{v}");
    assert_eq!(v["evaluationResult"], json!(["John Smith"]));
    assert!(v["error"].is_null());
    let p = &v["parsedExpression"];
    assert_eq!(p["type"], "Function");
    assert_eq!(p["name"], "Join");
    assert_eq!(p["expression"], "Join(\" \", [givenName], [surname])");
    let params = p["parameters"].as_array().unwrap();
    assert_eq!(params.len(), 3, "{p}");
    assert_eq!(params[0]["key"], "separator");
    assert_eq!(params[0]["value"]["type"], "Constant");
    assert_eq!(params[0]["value"]["name"], " ");
    assert_eq!(params[1]["value"]["type"], "Attribute");
    assert_eq!(params[2]["value"]["name"], "surname");

    // the reference page's example: Replace with arguments left out
    let r = with_json(
        url,
        "POST",
        &path,
        &fabrikam,
        &json!({
            "expression": "Replace([preferredLanguage], \"-\", , , \"_\", ,  )",
            "testInputObject": {"properties": [{"key": "preferredLanguage", "value": "EN-US"}]}
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["evaluationResult"], json!(["EN_US"]), "{v}");
    assert_eq!(v["parsedExpression"]["name"], "Replace");
    assert_eq!(v["parsedExpression"]["parameters"].as_array().unwrap().len(), 3);

    // a text that does not parse is answered, not refused
    let r = with_json(
        url,
        "POST",
        &path,
        &fabrikam,
        &json!({"expression": "Jion(\",\", [a])"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["parsingSucceeded"], false);
    assert!(v["error"]["message"].as_str().unwrap().contains("Join"), "{v}");
    let r = with_json(url, "POST", &path, &fabrikam, &json!({"expresion": "[a]"}));
    assert_error(&r, 400, "BadRequest");
}

/// Every object the synchronization endpoints answer is Graph's v1.0 type: names, JSON types
/// and enum members, against the metadata extract.
#[test]
fn every_answer_is_in_graphs_v1_metadata() {
    let w = serve();
    let url = w.s.url();
    let (_, fabrikam) = tenant(&w.s, "fabrikam");
    let c = common::csdl::Csdl::load();
    let mut errors = Vec::new();
    // the checker is not blind
    c.check(
        "$",
        "synchronizationJob",
        &json!({ "status": { "code": "Sleeping" } }),
        &mut errors,
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.clear();
    // instantiate's answer, on a world of its own (configure instantiates too)
    let other = serve();
    let (_, other_fabrikam) = tenant(&other.s, "fabrikam");
    let body = json!({"displayName": "Fabrikam"});
    let created = with_json(other.s.url(), "POST", TEMPLATE, &other_fabrikam, &body);
    assert_eq!(created.status, 201, "{}", created.body);
    c.check(
        "instantiate",
        "applicationServicePrincipal",
        &created.json(),
        &mut errors,
    );
    let (sp, _, job_id) = configure(&w);
    advance(&w);
    let jobs = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs");
    for (path, ty) in [
        (
            "/v1.0/servicePrincipals".to_string(),
            "Collection(servicePrincipal)",
        ),
        (format!("/v1.0/servicePrincipals/{sp}"), "servicePrincipal"),
        (jobs.clone(), "Collection(synchronizationJob)"),
        (format!("{jobs}/{job_id}"), "synchronizationJob"),
        (format!("{jobs}/{job_id}/schema"), "synchronizationSchema"),
        (
            format!("/v1.0/servicePrincipals/{sp}/appRoleAssignedTo"),
            "Collection(appRoleAssignment)",
        ),
        (
            "/v1.0/auditLogs/provisioning".to_string(),
            "Collection(provisioningObjectSummary)",
        ),
    ] {
        let r = get(url, &path, &fabrikam);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let v = r.json();
        let v = if ty.starts_with("Collection(") {
            &v["value"]
        } else {
            &v
        };
        assert!(
            !v.is_null() && v != &json!([]),
            "{path} answered nothing: {}",
            r.body
        );
        c.check(&path, ty, v, &mut errors);
    }
    let r = with_json(
        url,
        "POST",
        &format!("{jobs}/{job_id}/schema/parseExpression"),
        &fabrikam,
        &json!({
            "expression": "Join(\" \", [givenName], [surname])",
            "testInputObject": {"properties": [
                {"key": "givenName", "value": "John"},
                {"key": "surname", "value": "Smith"}
            ]}
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    c.check(
        "parseExpression",
        "parseExpressionResponse",
        &r.json(),
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:#?}");
}
