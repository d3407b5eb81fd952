//! Request bodies of the cross-tenant synchronization endpoints (instantiate, synchronization
//! jobs, secrets, app role assignments, restart, provision on demand) read into what the engine
//! needs, each problem with its JSON path; and the single entities those endpoints answer with
//! (`applicationServicePrincipal`, `servicePrincipal`, `synchronizationJob`,
//! `appRoleAssignment`).
//!
//! The engine has no application or service principal objects: a configuration (`SyncConfig`)
//! is both. Their ids are derived from the world's seed, the source tenant's name and the
//! configuration's name ([`sp_id`], [`app_id`], [`application_id`], [`app_role_id`]), so they
//! are the same at every replay. Only what the engine models is accepted; a credential, a
//! secret or a property it does not model is refused as not supported, never dropped.

use crate::request::Problem;
use mtosim_engine::sync::ResetScope;
use mtosim_engine::view::SyncJobObject;
use mtosim_engine::{Guid, TenantIdx, World};
use serde_json::{json, Map, Value};

/// The id of the gallery application "Azure AD Cross-Tenant Synchronization"
/// (`applicationTemplate`), as the tutorial instantiates it.
pub const TEMPLATE_ID: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
/// The synchronization template of cross-tenant synchronization.
pub const JOB_TEMPLATE: &str = "Azure2Azure";
/// The gallery application's home page (`homepage`, `web.homePageUrl`).
const HOMEPAGE: &str = "https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=aad2aadsync|ISV9.1|primary|z";
/// `provisionOnDemand`'s answer key.
pub const ON_DEMAND_KEY: &str = "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo";

fn derive(world: &World, label: &[u8], t: TenantIdx, name: &str) -> Guid {
    Guid::derive(world.seed(), &[label, world.name(t).as_bytes(), name.as_bytes()])
}

/// The service principal id of `t`'s configuration `name`.
pub fn sp_id(world: &World, t: TenantIdx, name: &str) -> Guid {
    derive(world, b"sp", t, name)
}

/// The `appId` of `t`'s configuration `name`.
pub fn app_id(world: &World, t: TenantIdx, name: &str) -> Guid {
    derive(world, b"app", t, name)
}

/// The application object id of `t`'s configuration `name`.
pub fn application_id(world: &World, t: TenantIdx, name: &str) -> Guid {
    derive(world, b"application", t, name)
}

/// The id of the `msiam_access` app role of `t`'s configuration `name`.
pub fn app_role_id(world: &World, t: TenantIdx, name: &str) -> Guid {
    derive(world, b"approle", t, name)
}

/// The id of the app role assignment of `principal` to `t`'s configuration `name`.
pub fn assignment_id(world: &World, t: TenantIdx, name: &str, principal: Guid) -> Guid {
    Guid::derive(
        world.seed(),
        &[
            b"assignment",
            world.name(t).as_bytes(),
            name.as_bytes(),
            principal.to_string().as_bytes(),
        ],
    )
}

// ----- reading bodies ---------------------------------------------------------------------

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// 400 `BadRequest` ending with the path.
fn bad(path: &str, message: impl std::fmt::Display) -> Problem {
    Problem::bad_request(format!("{message} (at {path})."))
}

/// Every property of `m` (but `@odata.*` annotations) must be one of `known`.
fn check_keys(m: &Map<String, Value>, path: &str, ty: &str, known: &[&str]) -> Result<(), Problem> {
    match m
        .keys()
        .find(|k| !k.starts_with("@odata.") && !known.contains(&k.as_str()))
    {
        Some(k) => Err(bad(
            &format!("{path}.{k}"),
            format!(
                "The property '{k}' does not exist on type 'microsoft.graph.{ty}'. Make sure to only use property names that are defined by the type"
            ),
        )),
        None => Ok(()),
    }
}

fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, Problem> {
    v.as_str()
        .ok_or_else(|| bad(path, format!("The value must be a string, not {}", kind(v))))
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Problem> {
    v.as_object()
        .ok_or_else(|| bad(path, format!("The value must be an object, not {}", kind(v))))
}

fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, Problem> {
    v.as_array()
        .ok_or_else(|| bad(path, format!("The value must be an array, not {}", kind(v))))
}

fn guid(v: &Value, path: &str) -> Result<Guid, Problem> {
    let s = string(v, path)?;
    Guid::parse(s.trim()).ok_or_else(|| bad(path, format!("'{s}' is not a GUID")))
}

/// A required property.
fn required<'a>(m: &'a Map<String, Value>, name: &str, path: &str) -> Result<&'a Value, Problem> {
    match m.get(name) {
        None | Some(Value::Null) => Err(bad(
            &format!("{path}.{name}"),
            format!("The property '{name}' is required"),
        )),
        Some(v) => Ok(v),
    }
}

/// `POST /applicationTemplates/{id}/instantiate`: `displayName` (required), the name of the
/// configuration.
pub fn instantiate(body: &Map<String, Value>) -> Result<String, Problem> {
    check_keys(body, "$", "applicationTemplate.instantiate", &["displayName"])?;
    let name = string(required(body, "displayName", "$")?, "$.displayName")?.trim();
    if name.is_empty() {
        return Err(bad("$.displayName", "The display name must not be empty"));
    }
    Ok(name.to_string())
}

/// `templateId`, when given, must be `Azure2Azure`.
fn template(body: &Map<String, Value>, need: bool) -> Result<(), Problem> {
    match body.get("templateId") {
        None | Some(Value::Null) if !need => Ok(()),
        None | Some(Value::Null) => Err(bad("$.templateId", "The property 'templateId' is required")),
        Some(v) => {
            let s = string(v, "$.templateId")?;
            if s == JOB_TEMPLATE {
                Ok(())
            } else {
                Err(bad(
                    "$.templateId",
                    format!("The synchronization template '{s}' is not served by this simulated Graph; cross-tenant synchronization uses '{JOB_TEMPLATE}'"),
                ))
            }
        }
    }
}

/// `POST .../synchronization/jobs`: `templateId` (`Azure2Azure`).
pub fn create_job(body: &Map<String, Value>) -> Result<(), Problem> {
    check_keys(body, "$", "synchronizationJob", &["templateId"])?;
    template(body, true)
}

/// The credentials of `validateCredentials` and the secrets of `PUT .../secrets`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `CompanyId`: the target tenant id.
    pub company_id: Option<String>,
    /// `SyncAll`: "Sync all users and groups".
    pub sync_all: Option<bool>,
    /// `SyncNotificationSettings`' `DeleteThresholdEnabled`.
    pub delete_threshold_enabled: Option<bool>,
}

/// Reads `synchronizationSecretKeyStringValuePair`s at `path`.
fn key_values(v: &Value, path: &str, secrets: bool) -> Result<Credentials, Problem> {
    let mut c = Credentials::default();
    for (i, kv) in array(v, path)?.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let o = object(kv, &p)?;
        check_keys(
            o,
            &p,
            "synchronizationSecretKeyStringValuePair",
            &["key", "value"],
        )?;
        let key = string(required(o, "key", &p)?, &format!("{p}.key"))?;
        let vp = format!("{p}.value");
        let value = match o.get("value") {
            None | Some(Value::Null) => "",
            Some(v) => string(v, &vp)?,
        };
        match key {
            "CompanyId" => {
                if Guid::parse(value.trim()).is_none() {
                    return Err(bad(
                        &vp,
                        format!("CompanyId must be the target tenant id, a GUID, not '{value}'"),
                    ));
                }
                c.company_id = Some(value.trim().to_string());
            }
            "AuthenticationType" if value == "SyncPolicy" => {}
            "AuthenticationType" => {
                return Err(bad(&vp, format!("The authentication type '{value}' is not supported by this simulated Graph; cross-tenant synchronization authenticates with 'SyncPolicy' (the cross-tenant synchronization policy)")));
            }
            "SyncAll" if secrets => {
                c.sync_all = Some(match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(bad(
                            &vp,
                            format!("SyncAll must be \"true\" or \"false\", not '{value}'"),
                        ))
                    }
                });
            }
            "SyncNotificationSettings" if secrets => {
                c.delete_threshold_enabled = notification_settings(value, &vp)?;
            }
            _ => {
                return Err(bad(
                    &format!("{p}.key"),
                    format!("The key '{key}' is not supported by this simulated Graph here; it reads CompanyId, AuthenticationType{}", if secrets { ", SyncAll and SyncNotificationSettings" } else { "" }),
                ));
            }
        }
    }
    Ok(c)
}

/// `SyncNotificationSettings`, a JSON string: notification e-mails are not modelled (only
/// `Enabled: false`), `HumanResourcesLookaheadQueryEnabled` only false; `DeleteThresholdEnabled`
/// is returned for the caller to compare with the configuration's threshold.
fn notification_settings(value: &str, path: &str) -> Result<Option<bool>, Problem> {
    let v: Value = serde_json::from_str(value).map_err(|e| {
        bad(
            path,
            format!("SyncNotificationSettings must be a JSON object in a string ({e})"),
        )
    })?;
    let o = object(&v, path)?;
    let mut threshold = None;
    for (k, x) in o {
        let on = x
            .as_bool()
            .ok_or_else(|| bad(path, format!("SyncNotificationSettings' {k} must be a boolean")))?;
        match k.as_str() {
            "DeleteThresholdEnabled" => threshold = Some(on),
            "Enabled" | "HumanResourcesLookaheadQueryEnabled" if !on => {}
            _ => {
                return Err(bad(path, format!("SyncNotificationSettings' {k} = {on} is not supported by this simulated Graph (notification e-mails are not modelled); only false is accepted")));
            }
        }
    }
    Ok(threshold)
}

/// `POST .../jobs/validateCredentials`: `useSavedCredentials`, `templateId`, `credentials`
/// (`applicationIdentifier` is not read: only null). `None` when the saved credentials are
/// to be used.
pub fn validate_credentials(body: &Map<String, Value>) -> Result<Option<Credentials>, Problem> {
    check_keys(
        body,
        "$",
        "synchronizationJob.validateCredentials",
        &[
            "useSavedCredentials",
            "templateId",
            "credentials",
            "applicationIdentifier",
        ],
    )?;
    if !matches!(body.get("applicationIdentifier"), None | Some(Value::Null)) {
        return Err(bad("$.applicationIdentifier", "applicationIdentifier is not supported by this simulated Graph; the job's service principal is the application"));
    }
    template(body, false)?;
    let saved = match body.get("useSavedCredentials") {
        None | Some(Value::Null) => false,
        Some(v) => v.as_bool().ok_or_else(|| {
            bad(
                "$.useSavedCredentials",
                format!("The value must be a boolean, not {}", kind(v)),
            )
        })?,
    };
    match body.get("credentials") {
        None | Some(Value::Null) if saved => Ok(None),
        None | Some(Value::Null) => Err(bad(
            "$.credentials",
            "The property 'credentials' is required unless useSavedCredentials is true",
        )),
        Some(v) => {
            let c = key_values(v, "$.credentials", false)?;
            if saved {
                return Err(bad(
                    "$.credentials",
                    "credentials are not read when useSavedCredentials is true; send one or the other",
                ));
            }
            if c.company_id.is_none() {
                return Err(bad(
                    "$.credentials",
                    "The credentials need the key CompanyId, the target tenant id",
                ));
            }
            Ok(Some(c))
        }
    }
}

/// `PUT .../synchronization/secrets`: `value`, the secrets.
pub fn secrets(body: &Map<String, Value>) -> Result<Credentials, Problem> {
    check_keys(
        body,
        "$",
        "synchronizationSecretKeyStringValuePair collection",
        &["value"],
    )?;
    let c = key_values(required(body, "value", "$")?, "$.value", true)?;
    if c.company_id.is_none() {
        return Err(bad(
            "$.value",
            "The secrets need the key CompanyId, the target tenant id",
        ));
    }
    Ok(c)
}

/// `POST .../appRoleAssignedTo`: `principalId`, `resourceId`, `appRoleId` (all required).
pub fn app_role_assignment(body: &Map<String, Value>) -> Result<(Guid, Guid, Guid), Problem> {
    check_keys(
        body,
        "$",
        "appRoleAssignment",
        &[
            "principalId",
            "resourceId",
            "appRoleId",
            "principalType",
            "principalDisplayName",
            "resourceDisplayName",
        ],
    )?;
    for ro in ["principalType", "principalDisplayName", "resourceDisplayName"] {
        if !matches!(body.get(ro), None | Some(Value::Null)) {
            return Err(bad(
                &format!("$.{ro}"),
                format!("The property '{ro}' is read-only"),
            ));
        }
    }
    let g = |name: &str| guid(required(body, name, "$")?, &format!("$.{name}"));
    Ok((g("principalId")?, g("resourceId")?, g("appRoleId")?))
}

/// `POST .../jobs/{id}/restart`: `criteria.resetScope` (absent: the portal's restart).
pub fn restart(body: &Map<String, Value>) -> Result<ResetScope, Problem> {
    check_keys(body, "$", "synchronizationJob.restart", &["criteria"])?;
    let scope = match body.get("criteria") {
        None | Some(Value::Null) => return Ok(ResetScope::portal()),
        Some(v) => {
            let o = object(v, "$.criteria")?;
            check_keys(
                o,
                "$.criteria",
                "synchronizationJobRestartCriteria",
                &["resetScope"],
            )?;
            match o.get("resetScope") {
                None | Some(Value::Null) => "",
                Some(v) => string(v, "$.criteria.resetScope")?,
            }
        }
    };
    ResetScope::parse(scope).map_err(|e| bad("$.criteria.resetScope", e))
}

/// `POST .../jobs/{id}/provisionOnDemand`: one parameter (its `ruleId` is read, not checked:
/// mtosim has one user rule) with one subject, a user: its object id.
pub fn provision_on_demand(body: &Map<String, Value>) -> Result<Guid, Problem> {
    check_keys(body, "$", "synchronizationJob.provisionOnDemand", &["parameters"])?;
    let params = array(required(body, "parameters", "$")?, "$.parameters")?;
    if params.len() != 1 {
        return Err(bad(
            "$.parameters",
            "mtosim provisions one user on demand: give exactly one parameter",
        ));
    }
    let p = object(&params[0], "$.parameters[0]")?;
    check_keys(
        p,
        "$.parameters[0]",
        "synchronizationJobApplicationParameters",
        &["ruleId", "subjects"],
    )?;
    string(
        required(p, "ruleId", "$.parameters[0]")?,
        "$.parameters[0].ruleId",
    )?;
    let subjects = array(
        required(p, "subjects", "$.parameters[0]")?,
        "$.parameters[0].subjects",
    )?;
    if subjects.len() != 1 {
        return Err(bad(
            "$.parameters[0].subjects",
            "mtosim provisions one user on demand: give exactly one subject",
        ));
    }
    let sp = "$.parameters[0].subjects[0]";
    let s = object(&subjects[0], sp)?;
    check_keys(
        s,
        sp,
        "synchronizationJobSubject",
        &["objectId", "objectTypeName", "links"],
    )?;
    if !matches!(s.get("links"), None | Some(Value::Null)) {
        return Err(bad(
            &format!("{sp}.links"),
            "links (group members on demand) are not supported by this simulated Graph",
        ));
    }
    let ty = string(
        required(s, "objectTypeName", sp)?,
        &format!("{sp}.objectTypeName"),
    )?;
    if !ty.eq_ignore_ascii_case("User") {
        return Err(bad(
            &format!("{sp}.objectTypeName"),
            format!(
                "On-demand provisioning of '{ty}' is not supported by this simulated Graph; only User is"
            ),
        ));
    }
    guid(required(s, "objectId", sp)?, &format!("{sp}.objectId"))
}

// ----- entities ---------------------------------------------------------------------------

fn app_roles(world: &World, t: TenantIdx, name: &str) -> Value {
    json!([{
        "allowedMemberTypes": ["User"],
        "description": "msiam_access",
        "displayName": "msiam_access",
        "id": app_role_id(world, t, name).to_string(),
        "isEnabled": true,
        "origin": "Application",
        "value": null,
    }])
}

/// The `servicePrincipal` of `t`'s configuration `name`.
pub fn service_principal(world: &World, t: TenantIdx, name: &str) -> Value {
    let app = app_id(world, t, name).to_string();
    json!({
        "id": sp_id(world, t, name).to_string(),
        "deletedDateTime": null,
        "accountEnabled": true,
        "appId": app,
        "applicationTemplateId": TEMPLATE_ID,
        "appDisplayName": name,
        "appOwnerOrganizationId": world.tenant(t).spec.tenant_id.to_string(),
        "appRoleAssignmentRequired": true,
        "appRoles": app_roles(world, t, name),
        "displayName": name,
        "homepage": HOMEPAGE,
        "servicePrincipalNames": [app],
        "servicePrincipalType": "Application",
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
    })
}

/// The `application` of `t`'s configuration `name`, created at `created`.
pub fn application(world: &World, t: TenantIdx, name: &str, created: &str) -> Value {
    json!({
        "id": application_id(world, t, name).to_string(),
        "appId": app_id(world, t, name).to_string(),
        "applicationTemplateId": TEMPLATE_ID,
        "createdDateTime": created,
        "deletedDateTime": null,
        "displayName": name,
        "signInAudience": "AzureADMyOrg",
        "appRoles": app_roles(world, t, name),
        "web": {"homePageUrl": HOMEPAGE, "redirectUris": [], "logoutUrl": null},
    })
}

/// `applicationServicePrincipal`: what `instantiate` answers.
pub fn application_service_principal(world: &World, t: TenantIdx, name: &str, created: &str) -> Value {
    json!({
        "@odata.context": crate::odata::context(world, "microsoft.graph.applicationServicePrincipal"),
        "application": application(world, t, name, created),
        "servicePrincipal": service_principal(world, t, name),
    })
}

/// The `synchronizationJob` `j`.
pub fn job(j: &SyncJobObject<'_>) -> Value {
    let quarantine = j.quarantine.map(|q| {
        json!({
            "currentBegan": q.current_began.to_string(),
            "nextAttempt": q.next_attempt.map(|n| n.to_string()),
            "reason": q.reason.as_str(),
            "seriesBegan": q.series_began.to_string(),
            "seriesCount": q.series_count,
        })
    });
    let last = j.last_finished.map(|at| {
        json!({
            "countExported": j.totals.exports(),
            "timeEnded": at.to_string(),
        })
    });
    json!({
        "id": j.id,
        "templateId": JOB_TEMPLATE,
        "schedule": {
            "expiration": null,
            "interval": "PT40M",
            "state": if j.scheduled { "Active" } else { "Disabled" },
        },
        "status": {
            "code": j.status.as_str(),
            "lastExecution": last,
            "quarantine": quarantine,
        },
        "synchronizationJobSettings": [
            {"name": "AzureIngestionAttributeOptimization", "value": "False"},
            {"name": "LookaheadQueryEnabled", "value": "False"},
        ],
    })
}

/// One `appRoleAssignment` of `principal` (a user or group, `principal_type`) to `t`'s
/// configuration `name`.
pub fn app_role_assignment_entity(
    world: &World,
    t: TenantIdx,
    name: &str,
    principal: (Guid, &str, &str),
) -> Value {
    json!({
        "id": assignment_id(world, t, name, principal.0).to_string(),
        "deletedDateTime": null,
        "appRoleId": app_role_id(world, t, name).to_string(),
        "principalDisplayName": principal.1,
        "principalId": principal.0.to_string(),
        "principalType": principal.2,
        "resourceDisplayName": name,
        "resourceId": sp_id(world, t, name).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_tutorial_bodies_read() {
        assert_eq!(
            instantiate(&obj(json!({"displayName": "Fabrikam"}))).unwrap(),
            "Fabrikam"
        );
        assert!(create_job(&obj(json!({"templateId": "Azure2Azure"}))).is_ok());
        let v = validate_credentials(&obj(json!({
            "useSavedCredentials": false,
            "templateId": "Azure2Azure",
            "credentials": [
                {"key": "CompanyId", "value": "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad"},
                {"key": "AuthenticationType", "value": "SyncPolicy"}
            ]
        })))
        .unwrap()
        .unwrap();
        assert_eq!(
            v.company_id.as_deref(),
            Some("4a12efe6-aa14-4d03-8dff-88fc89e2e2ad")
        );
        let s = secrets(&obj(json!({"value": [
            {"key": "AuthenticationType", "value": "SyncPolicy"},
            {"key": "CompanyId", "value": "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad"},
            {"key": "SyncNotificationSettings", "value": "{\"Enabled\":false,\"DeleteThresholdEnabled\":false,\"HumanResourcesLookaheadQueryEnabled\":false}"},
            {"key": "SyncAll", "value": "false"}
        ]})))
        .unwrap();
        assert_eq!(s.sync_all, Some(false));
        assert_eq!(s.delete_threshold_enabled, Some(false));
        assert!(
            restart(&obj(json!({"criteria": {"resetScope": "Full"}})))
                .unwrap()
                .full
        );
    }

    #[test]
    fn problems_name_their_path() {
        let e = instantiate(&obj(json!({"displayName": 3}))).unwrap_err();
        assert!(e.message.contains("$.displayName"), "{}", e.message);
        let e = create_job(&obj(json!({"templateId": "AWS"}))).unwrap_err();
        assert!(e.message.contains("$.templateId"), "{}", e.message);
        let e = secrets(&obj(json!({"value": [{"key": "Nope", "value": "x"}]}))).unwrap_err();
        assert!(e.message.contains("$.value[0].key"), "{}", e.message);
        let e = validate_credentials(&obj(json!({"credentials": [
            {"key": "AuthenticationType", "value": "OAuth2"}
        ]})))
        .unwrap_err();
        assert!(e.message.contains("$.credentials[0].value"), "{}", e.message);
        let e = provision_on_demand(&obj(json!({"parameters": [{"ruleId": "r", "subjects": [
            {"objectId": "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad", "objectTypeName": "Group"}
        ]}]})))
        .unwrap_err();
        assert!(e.message.contains("objectTypeName"), "{}", e.message);
        let e = app_role_assignment(&obj(json!({"principalId": "x"}))).unwrap_err();
        assert!(e.message.contains("$.principalId"), "{}", e.message);
    }
}
