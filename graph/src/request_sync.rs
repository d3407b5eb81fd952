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

use crate::key_values::Pairs;
use crate::request::Problem;
use crate::request::{bad, check_keys, kind};
use mtosim_engine::expr::{Context, Expr, Value as ExprValue, FUNCTIONS};
use mtosim_engine::schema::{AttributeMapping, FlowType, MappingSource, SchemaAttr};
use mtosim_engine::scoping::ScopingFilter;
use mtosim_engine::sync::{ConfigIds, ResetScope, SyncConfig};
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

/// The ids an export gave `t`'s configuration `name`, if it was imported.
fn given<'w>(world: &'w World, t: TenantIdx, name: &str) -> Option<&'w ConfigIds> {
    let c = world.config_by_name(t, name)?;
    world.config(c).given_ids.as_deref()
}

/// The service principal id of `t`'s configuration `name`.
pub fn sp_id(world: &World, t: TenantIdx, name: &str) -> Guid {
    given(world, t, name).map_or_else(|| derive(world, b"sp", t, name), |g| g.service_principal)
}

/// The `appId` of `t`'s configuration `name`.
pub fn app_id(world: &World, t: TenantIdx, name: &str) -> Guid {
    given(world, t, name).map_or_else(|| derive(world, b"app", t, name), |g| g.app)
}

/// The application object id of `t`'s configuration `name`.
pub fn application_id(world: &World, t: TenantIdx, name: &str) -> Guid {
    derive(world, b"application", t, name)
}

/// The id of the `msiam_access` app role of `t`'s configuration `name`.
pub fn app_role_id(world: &World, t: TenantIdx, name: &str) -> Guid {
    given(world, t, name).map_or_else(|| derive(world, b"approle", t, name), |g| g.app_role)
}

/// The id of the app role assignment of `principal` to `t`'s configuration `name` (Graph's
/// assignment ids are strings; derived ones are GUIDs, imported ones are kept as given).
pub fn assignment_id(world: &World, t: TenantIdx, name: &str, principal: Guid) -> String {
    let imported = given(world, t, name)
        .and_then(|g| g.assignments.iter().find(|(p, _)| *p == principal))
        .map(|(_, id)| id.clone());
    imported.unwrap_or_else(|| {
        Guid::derive(
            world.seed(),
            &[
                b"assignment",
                world.name(t).as_bytes(),
                name.as_bytes(),
                principal.to_string().as_bytes(),
            ],
        )
        .to_string()
    })
}

// ----- reading bodies ---------------------------------------------------------------------

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

pub use crate::key_values::Credentials;

/// Reads the `synchronizationSecretKeyStringValuePair`s at `path`, as `pairs` says (refusing
/// what is not modelled).
fn key_values(v: &Value, path: &str, pairs: Pairs) -> Result<Credentials, Problem> {
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
        let value = match o.get("value") {
            None | Some(Value::Null) => "",
            Some(v) => string(v, &format!("{p}.value"))?,
        };
        c.read_pair(key, value, pairs)
            .map_err(|e| bad(&format!("{p}.{}", e.at), e.message))?;
    }
    Ok(c)
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
            let c = key_values(v, "$.credentials", Pairs::Credentials)?;
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
    let c = key_values(required(body, "value", "$")?, "$.value", Pairs::Secrets)?;
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
            "countExported": j.exports,
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
        "id": assignment_id(world, t, name, principal.0),
        "deletedDateTime": null,
        "appRoleId": app_role_id(world, t, name).to_string(),
        "principalDisplayName": principal.1,
        "principalId": principal.0.to_string(),
        "principalType": principal.2,
        "resourceDisplayName": name,
        "resourceId": sp_id(world, t, name).to_string(),
    })
}

/// The body of `PUT .../synchronization/secrets` that saves configuration `cfg`'s credentials
/// as they stand: `CompanyId` (the target), `SyncAll` (the scope) and the accidental-deletion
/// threshold in `SyncNotificationSettings`. Graph has no GET for secrets; `--out` writes this
/// body as `secrets.json` for Automatic configurations (CTS-75), and the import reads it back.
pub fn secrets_body(world: &World, cfg: &SyncConfig) -> Value {
    let mut notify = json!({
        "Enabled": false,
        "DeleteThresholdEnabled": cfg.delete_threshold.is_some(),
    });
    if let Some(n) = cfg.delete_threshold {
        notify["DeleteThresholdValue"] = json!(n);
    }
    json!({
        "value": [
            {"key": "CompanyId", "value": world.tenant(cfg.target).spec.tenant_id.to_string()},
            {"key": "SyncAll", "value": if cfg.scope_all { "true" } else { "false" }},
            {"key": "SyncNotificationSettings", "value": notify.to_string()},
        ]
    })
}

// ----- the job's synchronization schema -----------------------------------------------------

/// The id of the user rule of the schema (`synchronizationRule.id`).
pub const USER_RULE_ID: &str = "USER_INBOUND_USER";
/// The name of the user object mapping.
const USER_MAPPING_NAME: &str = "Provision Microsoft Entra ID Users";
/// The name of the group object mapping (CTS-64).
const GROUP_MAPPING_NAME: &str = "Provision Microsoft Entra ID Groups";
/// The directory both ends of the rule are.
const DIRECTORY: &str = "Azure Active Directory";

/// The parameter names of each function of [`FUNCTIONS`], in its order (the syntax of the
/// expressions reference; past the end, the last name repeats).
const PARAMS: [&[&str]; 44] = [
    &["source", "suffix"],
    &["source"],
    &["value1", "value2"],
    &["Expression"],
    &["expression"],
    &["source"],
    &["source"],
    &["source"],
    &["attribute"],
    &["value"],
    &["interval", "value", "dateTime"],
    &["interval", "date1", "date2"],
    &["value"],
    &["source", "dateTimeStyles", "inputFormat", "outputFormat"],
    &[],
    &["expression"],
    &["condition", "valueIfTrue", "valueIfFalse"],
    &["value1", "value2", "start", "compareType"],
    &["Expression"],
    &["Expression"],
    &["Expression"],
    &["Expression"],
    &["attribute", "index"],
    &["separator", "source"],
    &["String", "NumChars"],
    &["source", "start", "length"],
    &["source"],
    &["source"],
    &[],
    &["value"],
    &["source", "wordSeparators"],
    &[
        "Length",
        "MinimumNumbers",
        "MinimumSpecialCharacters",
        "MinimumCapital",
        "MinimumLowerCase",
        "CharactersToAvoid",
    ],
    &["attribute/value"],
    &["attribute"],
    &[
        "source",
        "oldValue",
        "regexPattern",
        "regexGroupName",
        "replacementValue",
        "replacementAttributeName",
        "template",
    ],
    &["uniqueValueRule"],
    &["source"],
    &["source", "delimiter"],
    &["source"],
    &["source", "defaultValue"],
    &["source", "culture"],
    &["source", "culture"],
    &["String", "WordNumber", "Delimiters"],
    &["source"],
];

/// The key of the argument at 0-based position `i` of function `f`.
fn param_key(f: &str, i: usize) -> String {
    if f == "Switch" && i >= 2 {
        return if i.is_multiple_of(2) { "key" } else { "value" }.to_string();
    }
    let ix = FUNCTIONS.iter().position(|n| n.eq_ignore_ascii_case(f));
    let params = ix.and_then(|ix| PARAMS.get(ix)).copied().unwrap_or(&[]);
    match params.get(i).or(params.last()) {
        Some(p) => p.to_string(),
        None => format!("argument{}", i + 1),
    }
}

/// An `attributeMappingSource`.
fn source_value(expression: &str, name: &str, parameters: Vec<Value>, ty: &str) -> Value {
    json!({
        "expression": expression,
        "name": name,
        "parameters": parameters,
        "type": ty,
    })
}

/// Reads the canonical text of an expression (as `Expr`'s `Display` writes it) into the tree of
/// `attributeMappingSource` objects Graph shows: attributes, constants (strings, numbers and
/// InStr's compare modes) and functions, whose left-out arguments are not listed. A
/// comparison is a function named by its operator, of parameters `left` and `right`.
struct Tree<'a> {
    s: &'a str,
    i: usize,
}

impl Tree<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn spaces(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    /// One operand, or two joined by a comparison.
    fn node(&mut self) -> Option<Value> {
        let start = self.i;
        let left = self.operand()?;
        let save = self.i;
        self.spaces();
        let rest = &self.s[self.i..];
        let op = ["<>", ">=", "<=", "=", ">", "<"]
            .into_iter()
            .find(|o| rest.starts_with(o));
        let Some(op) = op else {
            self.i = save;
            return Some(left);
        };
        self.i += op.len();
        self.spaces();
        let right = self.operand()?;
        let params = vec![
            json!({"key": "left", "value": left}),
            json!({"key": "right", "value": right}),
        ];
        Some(source_value(&self.s[start..self.i], op, params, "Function"))
    }

    fn operand(&mut self) -> Option<Value> {
        self.spaces();
        let start = self.i;
        match self.peek()? {
            b'[' => {
                let end = self.s[self.i..].find(']')? + self.i;
                let name = self.s[self.i + 1..end].trim().to_string();
                self.i = end + 1;
                Some(source_value(
                    &self.s[start..self.i],
                    &name,
                    Vec::new(),
                    "Attribute",
                ))
            }
            b'"' => {
                let mut out = String::new();
                let mut chars = self.s[self.i + 1..].char_indices();
                loop {
                    let (k, c) = chars.next()?;
                    match c {
                        '\\' => out.push(chars.next()?.1),
                        '"' => {
                            self.i += k + 2;
                            break;
                        }
                        c => out.push(c),
                    }
                }
                Some(source_value(&self.s[start..self.i], &out, Vec::new(), "Constant"))
            }
            _ => {
                let len = self.s[self.i..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '&' || c == '_'))
                    .unwrap_or(self.s.len() - self.i);
                if len == 0 {
                    return None;
                }
                let word = &self.s[self.i..self.i + len];
                self.i += len;
                if self.peek() != Some(b'(') {
                    // a number (written quoted, as Graph shows constants) or a compare mode
                    let expression = if word.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                        format!("\"{word}\"")
                    } else {
                        word.to_string()
                    };
                    return Some(source_value(&expression, word, Vec::new(), "Constant"));
                }
                self.i += 1;
                let mut params = Vec::new();
                let mut pos = 0;
                loop {
                    self.spaces();
                    match self.peek()? {
                        b')' => {
                            self.i += 1;
                            break;
                        }
                        b',' => {
                            self.i += 1;
                            pos += 1;
                            continue;
                        }
                        _ => {}
                    }
                    let v = self.node()?;
                    params.push(json!({"key": param_key(word, pos), "value": v}));
                }
                Some(source_value(&self.s[start..self.i], word, params, "Function"))
            }
        }
    }
}

/// The `attributeMappingSource` tree of expression `e`.
pub fn expression_source(e: &Expr) -> Value {
    let text = e.to_string();
    let mut t = Tree { s: &text, i: 0 };
    // the canonical text always reads; should it not, the text alone still says it all
    t.node()
        .filter(|_| t.i == text.len())
        .unwrap_or_else(|| source_value(&text, "", Vec::new(), "Function"))
}

/// The matching mapping's source as the engine keeps it: the netId through AltSecIdFromNetId.
const MATCHING_SOURCE: &str = "AltSecIdFromNetId([netId])";

/// The `source` of mapping `m` (null for a mapping with no source).
fn mapping_source(m: &AttributeMapping) -> Value {
    match &m.source {
        MappingSource::Attribute(SchemaAttr::NetId) if m.target == SchemaAttr::AlternativeSecurityIds => {
            match Expr::parse(MATCHING_SOURCE) {
                Ok(e) => expression_source(&e),
                Err(_) => Value::Null,
            }
        }
        MappingSource::Attribute(a) => {
            let n = a.name();
            source_value(&format!("[{n}]"), &n, Vec::new(), "Attribute")
        }
        MappingSource::Constant(c) => {
            let quoted = format!("\"{}\"", c.replace('\\', "\\\\").replace('"', "\\\""));
            source_value(&quoted, c, Vec::new(), "Constant")
        }
        MappingSource::None => Value::Null,
        MappingSource::Expression(e) => expression_source(e),
    }
}

/// One `attributeMapping`.
pub fn attribute_mapping(m: &AttributeMapping) -> Value {
    json!({
        "defaultValue": m.default_value,
        "exportMissingReferences": false,
        "flowBehavior": "FlowWhenChanged",
        "flowType": m.flow.graph_value(),
        "matchingPriority": m.matching_priority,
        "source": mapping_source(m),
        "targetAttributeName": m.target.name(),
    })
}

/// The clause texts of each filter group of `f` (OR of groups, AND within one).
pub fn filter_groups(f: &ScopingFilter) -> Vec<Vec<String>> {
    f.groups()
}

/// The scoping operators, in the engine's spelling and Graph's `operatorName`.
const OPERATORS: [(&str, &str); 14] = [
    ("&", "&"),
    ("!&", "!&"),
    ("ENDS_WITH", "ENDS_WITH"),
    ("EQUALS", "EQUALS"),
    ("NOT EQUALS", "NOT_EQUALS"),
    ("Greater_Than", "Greater_Than"),
    ("Greater_Than_OR_EQUALS", "Greater_Than_OR_EQUALS"),
    ("Includes", "Includes"),
    ("IS TRUE", "IS_TRUE"),
    ("IS FALSE", "IS_FALSE"),
    ("IS NULL", "IS_NULL"),
    ("IS NOT NULL", "IS_NOT_NULL"),
    ("REGEX MATCH", "REGEX_MATCH"),
    ("NOT REGEX MATCH", "NOT_REGEX_MATCH"),
];

/// A `filterClause` of a clause's canonical text (`department EQUALS 'Sales'`).
fn filter_clause(text: &str) -> Value {
    let (attr, rest) = text.split_once(' ').unwrap_or((text, ""));
    let (op, values) = match rest.find('\'') {
        Some(q) => {
            let v = rest[q + 1..].strip_suffix('\'').unwrap_or(&rest[q + 1..]);
            (rest[..q].trim(), vec![v.to_string()])
        }
        None => (rest.trim(), Vec::new()),
    };
    let op = OPERATORS
        .iter()
        .find(|o| o.0.eq_ignore_ascii_case(op))
        .map_or(op.replace(' ', "_"), |o| o.1.to_string());
    json!({
        "operatorName": op,
        "sourceOperandName": attr,
        "targetOperand": {"values": values},
    })
}

/// The `filter` of `f` (null when there is none).
fn scope(f: Option<&ScopingFilter>) -> Value {
    let groups = f.map(filter_groups).unwrap_or_default();
    if groups.is_empty() {
        return Value::Null;
    }
    let groups: Vec<Value> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            json!({
                "clauses": g.iter().map(|c| filter_clause(c)).collect::<Vec<_>>(),
                "name": format!("Group {}", i + 1),
            })
        })
        .collect();
    json!({
        "categoryFilterGroups": [],
        "groups": groups,
        "inputFilterGroups": [],
    })
}

/// The `synchronizationSchema` of configuration `cfg`, whose job is `job_id`: one rule, with
/// the user object mapping (its attribute mappings and scoping filters).
pub fn schema(job_id: &str, cfg: &SyncConfig) -> Value {
    let mappings: Vec<Value> = cfg.schema.mappings().iter().map(attribute_mapping).collect();
    json!({
        "id": job_id,
        "version": format!(
            "Date:{}~Customized:{}",
            cfg.created_at,
            cfg.schema.customized || cfg.filter.as_ref().is_some_and(|f| !f.is_empty())
        ),
        "synchronizationRules": [{
            "editable": true,
            "id": USER_RULE_ID,
            "metadata": [],
            "name": USER_RULE_ID,
            "objectMappings": [{
                "attributeMappings": mappings,
                "enabled": true,
                "flowTypes": if cfg.delete_action { "Add, Update, Delete" } else { "Add, Update" },
                "metadata": [],
                "name": USER_MAPPING_NAME,
                "scope": scope(cfg.filter.as_ref()),
                "sourceObjectName": "User",
                "targetObjectName": "User",
            }, group_mapping(cfg)],
            "priority": 1,
            "sourceDirectoryName": DIRECTORY,
            "targetDirectoryName": DIRECTORY,
        }],
    })
}

/// The group object mapping of `cfg`: enabled when the configuration provisions groups
/// (CTS-64; off by default), with the attributes the group pass writes.
fn group_mapping(cfg: &SyncConfig) -> Value {
    let direct = |name: &str| {
        json!({
            "defaultValue": null,
            "exportMissingReferences": false,
            "flowBehavior": "FlowWhenChanged",
            "flowType": "Always",
            "matchingPriority": if name == "displayName" { 1 } else { 0 },
            "source": source_value(&format!("[{name}]"), name, Vec::new(), "Attribute"),
            "targetAttributeName": name,
        })
    };
    json!({
        "attributeMappings": [direct("displayName"), direct("description"), direct("members")],
        "enabled": cfg.provision_groups,
        "flowTypes": if cfg.delete_action { "Add, Update, Delete" } else { "Add, Update" },
        "metadata": [],
        "name": GROUP_MAPPING_NAME,
        "scope": null,
        "sourceObjectName": "Group",
        "targetObjectName": "Group",
    })
}

/// What a `PUT .../schema` body asks for: the user mapping's attribute mappings, in order,
/// and its scoping filters (clause texts, filter by filter; none passes every user).
#[derive(Debug)]
pub struct SchemaUpdate {
    /// The attribute mappings.
    pub mappings: Vec<AttributeMapping>,
    /// The scoping filters.
    pub filters: Vec<Vec<String>>,
    /// The group mapping's `enabled`, when the body gives the group mapping (CTS-64).
    pub provision_groups: Option<bool>,
}

/// Checks that property `k` of `m`, where given, equals its value in `current` (what the
/// engine keeps and cannot change).
fn fixed(m: &Map<String, Value>, current: &Value, k: &str, path: &str) -> Result<(), Problem> {
    match m.get(k) {
        Some(v) if *v != current[k] => Err(bad(
            &format!("{path}.{k}"),
            format!(
                "mtosim serve cannot change '{k}' (it is {}); only the user mapping's attributeMappings and scope, and whether the group mapping is enabled, can be changed",
                current[k]
            ),
        )),
        _ => Ok(()),
    }
}

/// An `attributeMappingSource` as an expression's text.
fn source_text(v: &Value, path: &str) -> Result<String, Problem> {
    let m = object(v, path)?;
    check_keys(
        m,
        path,
        "attributeMappingSource",
        &["expression", "name", "parameters", "type"],
    )?;
    if let Some(e) = m.get("expression").filter(|e| !e.is_null()) {
        return Ok(string(e, &format!("{path}.expression"))?.to_string());
    }
    let name = string(required(m, "name", path)?, &format!("{path}.name"))?;
    let ty = match m.get("type") {
        None | Some(Value::Null) => "Attribute",
        Some(t) => string(t, &format!("{path}.type"))?,
    };
    match ty {
        "Attribute" => Ok(format!("[{name}]")),
        "Constant" => Ok(format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))),
        "Function" => {
            let mut args = Vec::new();
            if let Some(p) = m.get("parameters").filter(|p| !p.is_null()) {
                for (i, p) in array(p, &format!("{path}.parameters"))?.iter().enumerate() {
                    let pp = format!("{path}.parameters[{i}]");
                    let pm = object(p, &pp)?;
                    check_keys(
                        pm,
                        &pp,
                        "stringKeyAttributeMappingSourceValuePair",
                        &["key", "value"],
                    )?;
                    args.push(source_text(required(pm, "value", &pp)?, &format!("{pp}.value"))?);
                }
            }
            match args.as_slice() {
                [l, r] if ["=", "<>", ">", ">=", "<", "<="].contains(&name) => Ok(format!("{l} {name} {r}")),
                _ => Ok(format!("{name}({})", args.join(", "))),
            }
        }
        other => Err(bad(
            &format!("{path}.type"),
            format!("'{other}' is not an attributeMappingSourceType; use Attribute, Constant or Function"),
        )),
    }
}

/// The source of a mapping.
fn read_source(v: &Value, target: &SchemaAttr, path: &str) -> Result<MappingSource, Problem> {
    if v.is_null() {
        return Ok(MappingSource::None);
    }
    let m = object(v, path)?;
    let ty = m.get("type").and_then(Value::as_str).unwrap_or("Attribute");
    let name = m.get("name").and_then(Value::as_str);
    let plain = m
        .get("parameters")
        .is_none_or(|p| p.is_null() || p.as_array().is_some_and(Vec::is_empty));
    match (ty, name) {
        ("Attribute", Some(n)) if plain => {
            check_keys(
                m,
                path,
                "attributeMappingSource",
                &["expression", "name", "parameters", "type"],
            )?;
            return SchemaAttr::parse(n).map(MappingSource::Attribute).ok_or_else(|| {
                bad(
                    &format!("{path}.name"),
                    format!("'{n}' is no attribute of a user that mtosim knows"),
                )
            });
        }
        ("Constant", Some(n)) if plain => {
            check_keys(
                m,
                path,
                "attributeMappingSource",
                &["expression", "name", "parameters", "type"],
            )?;
            return Ok(MappingSource::Constant(n.to_string()));
        }
        _ => {}
    }
    let text = source_text(v, path)?;
    let e = Expr::parse(&text).map_err(|e| {
        bad(
            &format!("{path}.expression"),
            format!("The expression '{text}' does not parse: {e}"),
        )
    })?;
    if *target == SchemaAttr::AlternativeSecurityIds && e.to_string() == MATCHING_SOURCE {
        return Ok(MappingSource::Attribute(SchemaAttr::NetId));
    }
    Ok(MappingSource::Expression(std::sync::Arc::new(e)))
}

/// One `attributeMapping`.
pub(crate) fn read_mapping(v: &Value, path: &str) -> Result<AttributeMapping, Problem> {
    let m = object(v, path)?;
    check_keys(
        m,
        path,
        "attributeMapping",
        &[
            "defaultValue",
            "exportMissingReferences",
            "flowBehavior",
            "flowType",
            "matchingPriority",
            "source",
            "targetAttributeName",
        ],
    )?;
    let tp = format!("{path}.targetAttributeName");
    let tname = string(required(m, "targetAttributeName", path)?, &tp)?;
    let target = SchemaAttr::parse(tname).ok_or_else(|| {
        bad(
            &tp,
            format!("'{tname}' is no attribute of a user that mtosim knows"),
        )
    })?;
    let flow = match m.get("flowType") {
        None | Some(Value::Null) => FlowType::Always,
        Some(v) => match string(v, &format!("{path}.flowType"))? {
            "Always" => FlowType::Always,
            "ObjectAddOnly" => FlowType::ObjectAddOnly,
            other => {
                return Err(bad(
                    &format!("{path}.flowType"),
                    format!("mtosim serve applies a mapping Always or ObjectAddOnly only, not '{other}'"),
                ))
            }
        },
    };
    match m.get("flowBehavior") {
        None | Some(Value::Null) => {}
        Some(v) if v == "FlowWhenChanged" => {}
        Some(v) => {
            return Err(bad(
                &format!("{path}.flowBehavior"),
                format!("mtosim serve writes an attribute when it changed only (FlowWhenChanged), not {v}"),
            ))
        }
    }
    match m.get("exportMissingReferences") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => {}
        Some(v) => {
            return Err(bad(
                &format!("{path}.exportMissingReferences"),
                format!("mtosim serve does not export missing references; only false is accepted, not {v}"),
            ))
        }
    }
    let matching_priority = match m.get("matchingPriority") {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
            bad(
                &format!("{path}.matchingPriority"),
                format!("The value must be a whole number from 0, not {v}"),
            )
        })?,
    };
    let default_value = match m.get("defaultValue") {
        None | Some(Value::Null) => None,
        Some(v) => Some(string(v, &format!("{path}.defaultValue"))?.to_string()),
    };
    let source = read_source(
        m.get("source").unwrap_or(&Value::Null),
        &target,
        &format!("{path}.source"),
    )?;
    Ok(AttributeMapping {
        target,
        source,
        default_value,
        flow,
        matching_priority,
    })
}

/// Graph's `operatorName` in the engine's spelling.
fn engine_operator(op: &str, path: &str) -> Result<&'static str, Problem> {
    OPERATORS
        .iter()
        .find(|o| o.1.eq_ignore_ascii_case(op) || o.0.eq_ignore_ascii_case(op))
        .map(|o| o.0)
        .ok_or_else(|| {
            bad(
                path,
                format!(
                    "'{op}' is not a scoping operator; use one of {}",
                    OPERATORS.iter().map(|o| o.1).collect::<Vec<_>>().join(", ")
                ),
            )
        })
}

/// The scoping filters of a `filter` (null: none), as clause texts.
pub(crate) fn read_scope(v: &Value, path: &str) -> Result<Vec<Vec<String>>, Problem> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    let m = object(v, path)?;
    check_keys(
        m,
        path,
        "filter",
        &["categoryFilterGroups", "groups", "inputFilterGroups"],
    )?;
    for k in ["categoryFilterGroups", "inputFilterGroups"] {
        if m.get(k)
            .is_some_and(|g| !g.is_null() && g.as_array().is_none_or(|a| !a.is_empty()))
        {
            return Err(bad(
                &format!("{path}.{k}"),
                format!("mtosim serve models scoping filters as 'groups' only; '{k}' must be empty"),
            ));
        }
    }
    let mut out = Vec::new();
    let Some(groups) = m.get("groups").filter(|g| !g.is_null()) else {
        return Ok(out);
    };
    for (gi, g) in array(groups, &format!("{path}.groups"))?.iter().enumerate() {
        let gp = format!("{path}.groups[{gi}]");
        let gm = object(g, &gp)?;
        check_keys(gm, &gp, "filterGroup", &["clauses", "name"])?;
        let mut clauses = Vec::new();
        let cs = match gm.get("clauses").filter(|c| !c.is_null()) {
            Some(c) => array(c, &format!("{gp}.clauses"))?.as_slice(),
            None => &[],
        };
        for (ci, c) in cs.iter().enumerate() {
            let cp = format!("{gp}.clauses[{ci}]");
            let cm = object(c, &cp)?;
            check_keys(
                cm,
                &cp,
                "filterClause",
                &["operatorName", "sourceOperandName", "targetOperand"],
            )?;
            let attr = string(
                required(cm, "sourceOperandName", &cp)?,
                &format!("{cp}.sourceOperandName"),
            )?;
            let op_path = format!("{cp}.operatorName");
            let op = engine_operator(string(required(cm, "operatorName", &cp)?, &op_path)?, &op_path)?;
            let mut values = Vec::new();
            if let Some(t) = cm.get("targetOperand").filter(|t| !t.is_null()) {
                let tp = format!("{cp}.targetOperand");
                let tm = object(t, &tp)?;
                check_keys(tm, &tp, "filterOperand", &["values"])?;
                if let Some(vs) = tm.get("values").filter(|v| !v.is_null()) {
                    for (vi, x) in array(vs, &format!("{tp}.values"))?.iter().enumerate() {
                        values.push(string(x, &format!("{tp}.values[{vi}]"))?.to_string());
                    }
                }
            }
            let text = match values.as_slice() {
                [] => format!("{attr} {op}"),
                [one] => format!("{attr} {op} '{one}'"),
                _ => {
                    return Err(bad(
                        &format!("{cp}.targetOperand.values"),
                        "mtosim serve compares a clause with one value; write one clause per value, in separate groups for OR",
                    ))
                }
            };
            clauses.push(text);
        }
        out.push(clauses);
    }
    Ok(out)
}

/// The properties of an `objectMapping` (the user mapping's and the group mapping's) that a
/// [`schema_update`] body may hold.
const OBJECT_MAPPING_KEYS: &[&str] = &[
    "attributeMappings",
    "enabled",
    "flowTypes",
    "metadata",
    "name",
    "scope",
    "sourceObjectName",
    "targetObjectName",
];

/// `PUT .../jobs/{id}/schema`: a whole `synchronizationSchema`, as [`schema`] shows it, of which
/// only the user mapping's `attributeMappings` and `scope` may differ from `current` (what
/// [`schema`] shows now); any other difference is refused, never dropped.
pub fn schema_update(body: &Map<String, Value>, current: &Value) -> Result<SchemaUpdate, Problem> {
    check_keys(
        body,
        "$",
        "synchronizationSchema",
        &["id", "synchronizationRules", "version", "directories"],
    )?;
    fixed(body, current, "id", "$")?;
    if let Some(d) = body.get("directories") {
        if !d.is_null() && d.as_array().is_none_or(|a| !a.is_empty()) {
            return Err(bad(
                "$.directories",
                "mtosim serve does not model directory definitions; leave 'directories' out",
            ));
        }
    }
    let rules = array(
        required(body, "synchronizationRules", "$")?,
        "$.synchronizationRules",
    )?;
    let [rule] = rules.as_slice() else {
        return Err(bad(
            "$.synchronizationRules",
            format!(
                "The schema has one rule, {USER_RULE_ID}; give exactly it, not {} rules",
                rules.len()
            ),
        ));
    };
    let rp = "$.synchronizationRules[0]";
    let rule = object(rule, rp)?;
    let crule = &current["synchronizationRules"][0];
    check_keys(
        rule,
        rp,
        "synchronizationRule",
        &[
            "editable",
            "id",
            "metadata",
            "name",
            "objectMappings",
            "priority",
            "sourceDirectoryName",
            "targetDirectoryName",
        ],
    )?;
    for k in [
        "editable",
        "id",
        "metadata",
        "name",
        "priority",
        "sourceDirectoryName",
        "targetDirectoryName",
    ] {
        fixed(rule, crule, k, rp)?;
    }
    let op = format!("{rp}.objectMappings");
    let maps = array(required(rule, "objectMappings", rp)?, &op)?;
    let (user, group) = match maps.as_slice() {
        [user] => (user, None),
        [user, group] => (user, Some(group)),
        _ => {
            return Err(bad(
                &op,
                format!(
                    "The rule has two object mappings, '{USER_MAPPING_NAME}' and '{GROUP_MAPPING_NAME}'; give them in that order (or the first alone), not {} mappings",
                    maps.len()
                ),
            ))
        }
    };
    let provision_groups = match group {
        None => None,
        Some(g) => {
            let gp = format!("{op}[1]");
            let g = object(g, &gp)?;
            let cgroup = &crule["objectMappings"][1];
            check_keys(g, &gp, "objectMapping", OBJECT_MAPPING_KEYS)?;
            // of the group mapping, only `enabled` may change
            for k in OBJECT_MAPPING_KEYS.iter().filter(|&&k| k != "enabled") {
                fixed(g, cgroup, k, &gp)?;
            }
            match g.get("enabled") {
                None | Some(Value::Null) => None,
                Some(Value::Bool(b)) => Some(*b),
                Some(v) => {
                    return Err(bad(
                        &format!("{gp}.enabled"),
                        format!("The value must be a boolean, not {}", kind(v)),
                    ))
                }
            }
        }
    };
    let up = format!("{op}[0]");
    let user = object(user, &up)?;
    let cuser = &crule["objectMappings"][0];
    check_keys(user, &up, "objectMapping", OBJECT_MAPPING_KEYS)?;
    // of the user mapping, only `attributeMappings` and `scope` may change
    for k in OBJECT_MAPPING_KEYS
        .iter()
        .filter(|&&k| k != "attributeMappings" && k != "scope")
    {
        fixed(user, cuser, k, &up)?;
    }
    let ap = format!("{up}.attributeMappings");
    let mut mappings: Vec<AttributeMapping> = Vec::new();
    for (i, m) in array(required(user, "attributeMappings", &up)?, &ap)?
        .iter()
        .enumerate()
    {
        let path = format!("{ap}[{i}]");
        let m = read_mapping(m, &path)?;
        if mappings.iter().any(|x| x.target == m.target) {
            return Err(bad(
                &format!("{path}.targetAttributeName"),
                format!(
                    "'{}' is mapped twice; a target attribute has one mapping",
                    m.target
                ),
            ));
        }
        mappings.push(m);
    }
    let filters = read_scope(user.get("scope").unwrap_or(&Value::Null), &format!("{up}.scope"))?;
    Ok(SchemaUpdate {
        mappings,
        filters,
        provision_groups,
    })
}

/// `POST .../schema/parseExpression`: the expression, and the test object's properties (name,
/// values; none for null) when one is given.
#[derive(Debug)]
pub struct ParseExpression {
    /// The expression's text.
    pub expression: String,
    /// `testInputObject.properties`.
    pub input: Option<Vec<(String, Vec<String>)>>,
}

/// Reads a `parseExpression` body. `targetAttributeDefinition` may be given (null or an
/// `attributeDefinition`); nothing of it changes how the expression evaluates.
pub fn parse_expression(body: &Map<String, Value>) -> Result<ParseExpression, Problem> {
    check_keys(
        body,
        "$",
        "synchronizationSchema.parseExpression",
        &["expression", "testInputObject", "targetAttributeDefinition"],
    )?;
    let expression = string(required(body, "expression", "$")?, "$.expression")?.to_string();
    if let Some(t) = body.get("targetAttributeDefinition").filter(|t| !t.is_null()) {
        object(t, "$.targetAttributeDefinition")?;
    }
    let input = match body.get("testInputObject").filter(|t| !t.is_null()) {
        None => None,
        Some(t) => {
            let m = object(t, "$.testInputObject")?;
            check_keys(
                m,
                "$.testInputObject",
                "expressionInputObject",
                &["definition", "properties"],
            )?;
            let mut props = Vec::new();
            if let Some(p) = m.get("properties").filter(|p| !p.is_null()) {
                for (i, kv) in array(p, "$.testInputObject.properties")?.iter().enumerate() {
                    let path = format!("$.testInputObject.properties[{i}]");
                    let kv = object(kv, &path)?;
                    check_keys(
                        kv,
                        &path,
                        "stringKeyObjectValuePair",
                        &["key", "value", "value@odata.type"],
                    )?;
                    let key = string(required(kv, "key", &path)?, &format!("{path}.key"))?;
                    let vp = format!("{path}.value");
                    let values = match kv.get("value") {
                        None | Some(Value::Null) => Vec::new(),
                        Some(Value::Array(a)) => a
                            .iter()
                            .enumerate()
                            .map(|(j, x)| string(x, &format!("{vp}[{j}]")).map(str::to_string))
                            .collect::<Result<_, _>>()?,
                        Some(Value::Bool(b)) => vec![b.to_string()],
                        Some(Value::Number(n)) => vec![n.to_string()],
                        Some(v) => vec![string(v, &vp)?.to_string()],
                    };
                    props.push((key.to_string(), values));
                }
            }
            Some(props)
        }
    };
    Ok(ParseExpression { expression, input })
}

/// The test object of `parseExpression`, the clock and a seeded stream.
struct TestObject<'a> {
    props: &'a [(String, Vec<String>)],
    now: i64,
    state: u64,
}

impl Context for TestObject<'_> {
    fn attribute(&self, name: &str) -> Option<ExprValue> {
        let (_, v) = self.props.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        match v.as_slice() {
            [] => None,
            [one] if !one.is_empty() => Some(ExprValue::Str(one.clone())),
            [_] => None,
            many => Some(ExprValue::Multi(many.to_vec())),
        }
    }
    fn now(&self) -> i64 {
        self.now
    }
    fn random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mtosim_engine::hash::mix64(self.state)
    }
}

/// A `publicError` of `parseExpression`'s answer.
fn public_error(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message, "target": "expression", "details": [], "innerError": null})
}

/// The `parseExpressionResponse` of `req`, evaluated at `now` (seconds since the epoch) with a
/// stream seeded by `seed` (Guid, RandomString).
pub fn parse_expression_response(req: &ParseExpression, now: i64, seed: u64) -> Value {
    let e = match Expr::parse(&req.expression) {
        Ok(e) => e,
        Err(err) => {
            return json!({
                "error": public_error("ExpressionParseError", &err.to_string()),
                "evaluationResult": null,
                "evaluationSucceeded": false,
                "parsedExpression": null,
                "parsingSucceeded": false,
            })
        }
    };
    let parsed = expression_source(&e);
    let Some(props) = &req.input else {
        return json!({
            "error": null,
            "evaluationResult": null,
            "evaluationSucceeded": false,
            "parsedExpression": parsed,
            "parsingSucceeded": true,
        });
    };
    let mut ctx = TestObject {
        props,
        now,
        state: mtosim_engine::hash::mix64(seed),
    };
    match e.eval(&mut ctx) {
        Ok(out) => json!({
            "error": null,
            "evaluationResult": out.value.strings(),
            "evaluationSucceeded": true,
            "parsedExpression": parsed,
            "parsingSucceeded": true,
        }),
        Err(err) => json!({
            "error": public_error("ExpressionEvaluationError", &err.message),
            "evaluationResult": null,
            "evaluationSucceeded": false,
            "parsedExpression": parsed,
            "parsingSucceeded": true,
        }),
    }
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

    #[test]
    fn scoping_filters_keep_their_groups_and_clauses() {
        let groups = vec![
            vec![
                "department EQUALS 'Sa\"les'".to_string(),
                "mail REGEX MATCH '^[a-z]+\\]x'".to_string(),
            ],
            vec!["accountEnabled IS TRUE".to_string()],
        ];
        let f = ScopingFilter::parse(&groups).unwrap();
        let read = filter_groups(&f);
        assert_eq!(read.len(), 2, "{read:?}");
        assert_eq!(read[0].len(), 2, "{read:?}");
        assert_eq!(ScopingFilter::parse(&read).unwrap(), f);
        let v = scope(Some(&f));
        let c = &v["groups"][0]["clauses"][1];
        assert_eq!(c["operatorName"], "REGEX_MATCH");
        assert_eq!(c["targetOperand"]["values"], json!(["^[a-z]+\\]x"]));
        assert_eq!(v["groups"][1]["clauses"][0]["operatorName"], "IS_TRUE");
        assert_eq!(v["groups"][1]["clauses"][0]["targetOperand"]["values"], json!([]));
        let back = read_scope(&v, "$").unwrap();
        assert_eq!(ScopingFilter::parse(&back).unwrap(), f);
    }

    #[test]
    fn expressions_read_into_source_trees_and_back() {
        let e = Expr::parse(r#"IIF([a] = "x", Mid([b], 1, 2), Coalesce([c], , "d\"e"))"#).unwrap();
        let v = expression_source(&e);
        assert_eq!(v["name"], "IIF");
        assert_eq!(v["parameters"][0]["key"], "condition");
        assert_eq!(v["parameters"][0]["value"]["name"], "=");
        assert_eq!(
            v["parameters"][1]["value"]["parameters"][1]["value"]["expression"],
            "\"1\""
        );
        let co = &v["parameters"][2]["value"];
        assert_eq!(co["parameters"].as_array().unwrap().len(), 2, "{co}");
        assert_eq!(co["parameters"][1]["value"]["name"], "d\"e");
        fn strip(v: &mut Value) {
            if let Some(o) = v.as_object_mut() {
                o.remove("expression");
                for p in o
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    strip(&mut p["value"]);
                }
            }
        }
        let mut without = v.clone();
        strip(&mut without);
        let text = source_text(&without, "$").unwrap();
        assert_eq!(
            Expr::parse(&text).unwrap().to_string(),
            // numbers come back as the string constants Graph shows them as
            r#"IIF([a] = "x", Mid([b], "1", "2"), Coalesce([c], "d\"e"))"#
        );
    }
}
