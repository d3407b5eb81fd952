//! Graph request bodies of the multitenant organization API, read into the engine's
//! [`Action`]s: `PUT` and `PATCH /tenantRelationships/multiTenantOrganization`, `POST
//! .../tenants`, `PATCH .../tenants/{tenantId}` and `PATCH .../joinRequest` (the zero GUID resets
//! a failed join, MTO-29). A body that cannot be used is a [`Problem`]: Graph's status, code and
//! a message naming the JSON position or property path. Tenant ids are resolved against the
//! world's tenants; nothing here decides what the engine decides.

use mtosim_engine::action::Via;
use mtosim_engine::mto::Role;
use mtosim_engine::{Action, Guid, TenantIdx, World};
use serde_json::{Map, Value};

/// Why a request could not be turned into an action: Graph's HTTP status, error code and
/// message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The HTTP status, e.g. 400.
    pub status: u16,
    /// Graph's error code, e.g. `BadRequest`.
    pub code: &'static str,
    /// One sentence.
    pub message: String,
}

impl Problem {
    /// 400 `BadRequest`: a body or parameter Graph cannot read.
    pub fn bad_request(message: impl Into<String>) -> Problem {
        Problem {
            status: 400,
            code: "BadRequest",
            message: message.into(),
        }
    }

    /// 404 `Directory_ObjectNotFound`, as Graph answers for a tenant that is not (or no
    /// longer) in the multitenant organization.
    pub fn tenant_not_found() -> Problem {
        Problem {
            status: 404,
            code: "Directory_ObjectNotFound",
            message: "Unable to read the company information from the directory.".to_string(),
        }
    }
}

/// The zero GUID: `addedByTenantId` that resets a failed join request (MTO-29).
pub const RESET_JOIN_TENANT_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Parses a request body as one JSON object; an empty body reads as `{}`. Syntax errors name
/// the line and column.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(Problem::bad_request(format!(
            "The request body must be a JSON object, not {} (at $).",
            kind(&other)
        ))),
        Err(e) => Err(Problem::bad_request(format!(
            "Invalid JSON in the request body at line {}, column {}: {}.",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        ))),
    }
}

/// serde_json's message without its own " at line L column C" suffix.
fn strip_position(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

/// 400 `BadRequest` ending with the path.
pub(crate) fn bad(path: &str, message: impl std::fmt::Display) -> Problem {
    Problem::bad_request(format!("{message} (at {path})."))
}

/// Every property of `m` (but `@odata.*` annotations) must be one of `known`, as OData
/// requires of a type's properties.
pub(crate) fn check_keys(
    m: &Map<String, Value>,
    path: &str,
    ty: &str,
    known: &[&str],
) -> Result<(), Problem> {
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

/// The JSON kind of `v`, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The string property `name` of `body` (`None` when absent or null).
fn string(body: &Map<String, Value>, name: &str) -> Result<Option<String>, Problem> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Problem::bad_request(format!(
            "The property '{name}' must be a string, not {} (at $.{name}).",
            kind(other)
        ))),
    }
}

/// A required string property.
fn required(body: &Map<String, Value>, name: &str) -> Result<String, Problem> {
    string(body, name)?.ok_or_else(|| {
        Problem::bad_request(format!(
            "The property '{name}' is required in the request body (at $.{name})."
        ))
    })
}

/// A `multiTenantOrganizationMemberRole` property (`owner` or `member`).
fn role(body: &Map<String, Value>) -> Result<Option<Role>, Problem> {
    match string(body, "role")?.as_deref() {
        None => Ok(None),
        Some(r) if r.eq_ignore_ascii_case("owner") => Ok(Some(Role::Owner)),
        Some(r) if r.eq_ignore_ascii_case("member") => Ok(Some(Role::Member)),
        Some(r) => Err(Problem::bad_request(format!(
            "The property 'role' has the value '{r}'; the possible values are 'owner' and 'member' (at $.role)."
        ))),
    }
}

/// The tenant of the world whose tenant id is `id`.
pub fn tenant_by_id(world: &World, id: &str) -> Option<TenantIdx> {
    let g = Guid::parse(id.trim())?;
    world.tenant_ids().find(|&t| world.tenant(t).spec.tenant_id == g)
}

/// A tenant id property resolved to a tenant of the world.
fn tenant(world: &World, body: &Map<String, Value>, name: &str) -> Result<TenantIdx, Problem> {
    let id = required(body, name)?;
    if Guid::parse(id.trim()).is_none() {
        return Err(Problem::bad_request(format!(
            "The property '{name}' has the value '{id}', which is not a GUID (at $.{name})."
        )));
    }
    tenant_by_id(world, &id).ok_or_else(|| {
        Problem::bad_request(format!(
            "The property '{name}' names the tenant '{id}', which does not exist (at $.{name})."
        ))
    })
}

/// `PUT /tenantRelationships/multiTenantOrganization`: `displayName` (required) and
/// `description`.
pub fn create_mto(body: &Map<String, Value>) -> Result<Action, Problem> {
    Ok(Action::CreateMto {
        display_name: required(body, "displayName")?,
        description: string(body, "description")?.unwrap_or_default(),
        via: Via::Graph,
    })
}

/// `PATCH /tenantRelationships/multiTenantOrganization`: `displayName`, `description`.
pub fn update_mto(body: &Map<String, Value>) -> Result<Action, Problem> {
    Ok(Action::UpdateMto {
        display_name: string(body, "displayName")?,
        description: string(body, "description")?,
    })
}

/// `POST .../multiTenantOrganization/tenants`: `tenantId` (required), `role` (default
/// `member`); `displayName` is read but the member's name is its organization's.
pub fn add_tenant(world: &World, body: &Map<String, Value>) -> Result<Action, Problem> {
    let target = tenant(world, body, "tenantId")?;
    string(body, "displayName")?;
    Ok(Action::AddTenant {
        target,
        role: role(body)?.unwrap_or(Role::Member),
        via: Via::Graph,
    })
}

/// `PATCH .../multiTenantOrganization/tenants/{tenantId}`: `role`; `None` when the body
/// changes nothing.
pub fn set_role(target: TenantIdx, body: &Map<String, Value>) -> Result<Option<Action>, Problem> {
    Ok(role(body)?.map(|role| Action::SetRole { target, role }))
}

/// `PATCH .../multiTenantOrganization/joinRequest`: `addedByTenantId` (required); the zero
/// GUID resets a failed join request.
pub fn join_request(world: &World, body: &Map<String, Value>) -> Result<Action, Problem> {
    let id = required(body, "addedByTenantId")?;
    if Guid::parse(id.trim()) == Some(Guid(0)) {
        return Ok(Action::ResetJoin);
    }
    Ok(Action::Join {
        added_by: tenant(world, body, "addedByTenantId")?,
        via: Via::Graph,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_position() {
        let e = parse_object(b"{\n  \"displayName\": }").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("line 2, column"), "{}", e.message);
        let e = parse_object(b"[1]").unwrap_err();
        assert!(e.message.contains("not an array"), "{}", e.message);
        assert!(parse_object(b"  ").unwrap().is_empty());
    }

    #[test]
    fn properties_are_checked_by_path() {
        let body = parse_object(br#"{"displayName": 3}"#).unwrap();
        let e = create_mto(&body).unwrap_err();
        assert!(e.message.contains("$.displayName"), "{}", e.message);
        let e = create_mto(&Map::new()).unwrap_err();
        assert!(e.message.contains("required"), "{}", e.message);
        let body = parse_object(br#"{"role": "boss"}"#).unwrap();
        let e = set_role(TenantIdx(0), &body).unwrap_err();
        assert!(e.message.contains("$.role"), "{}", e.message);
        assert_eq!(set_role(TenantIdx(0), &Map::new()).unwrap(), None);
    }
}
