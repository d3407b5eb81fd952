//! Request bodies of the directory endpoints read into the engine's [`Action`]s: `POST /users`,
//! `PATCH /users/{id}`, `POST /groups` (with `members@odata.bind`), `PATCH /groups/{id}`, `POST
//! /groups/{id}/members/$ref` and `POST /invitations`. A body that cannot be used is a
//! [`Problem`] naming the property's JSON path (`$.passwordProfile.password`), as in
//! [`crate::request`]. Object ids are resolved by the caller (the server reads the tenant's
//! view); the invited user of `POST /invitations` is looked up among the world's other
//! tenants. Nothing here decides what the engine decides.
//!
//! What mtosim does not model is refused, never dropped: a property of Graph's `user` or
//! `group` that mtosim does not store is a 400 that says so, one Graph does not have is Graph's
//! "Invalid property". The one exception is `passwordProfile`, required by Graph: it is read
//! and checked, and not stored (mtosim has no sign-ins).

use crate::request::kind;
use crate::request::Problem;
use mtosim_engine::action::UserRef;
use mtosim_engine::directory::{Attr, GroupKind, NewUser, UserType};
use mtosim_engine::extra::ExtraProp;
use mtosim_engine::{Action, TenantIdx, World};
use serde_json::{Map, Value};

/// Most `members@odata.bind` references one `POST /groups` may carry (Graph's limit: 20).
pub const MEMBERS_BIND_MAX: usize = 20;

/// Longest string property value read, in characters (the simulator's cap; Graph's own limits
/// are lower for most properties).
pub const VALUE_CHARS_MAX: usize = 1024;

/// Most values of a string collection property (`otherMails`) read.
pub const COLLECTION_VALUES_MAX: usize = mtosim_engine::extra::COLLECTION_VALUES_MAX;

/// 400 for the value at `path` not being `want`.
fn wrong_type(path: &str, want: &str, got: &Value) -> Problem {
    let name = path.rsplit('.').next().unwrap_or(path);
    Problem::bad_request(format!(
        "The property '{name}' must be {want}, not {} (at {path}).",
        kind(got)
    ))
}

/// A string value at `path` (`None` for null), at most [`VALUE_CHARS_MAX`] characters.
fn as_string(v: &Value, path: &str) -> Result<Option<String>, Problem> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.chars().count() > VALUE_CHARS_MAX => Err(Problem::bad_request(format!(
            "The value at {path} is {} characters long, over the simulator's cap of {VALUE_CHARS_MAX}.",
            s.chars().count()
        ))),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(wrong_type(path, "a string", other)),
    }
}

/// The string property `name` of `body` (`None` when absent or null).
fn string(body: &Map<String, Value>, name: &str) -> Result<Option<String>, Problem> {
    body.get(name)
        .map_or(Ok(None), |v| as_string(v, &format!("$.{name}")))
}

/// A required string property that is not empty.
fn required(body: &Map<String, Value>, name: &str) -> Result<String, Problem> {
    match string(body, name)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(Problem::bad_request(format!(
            "The property '{name}' is required in the request body (at $.{name})."
        ))),
    }
}

/// The Boolean property `name` (`None` when absent or null).
fn boolean(body: &Map<String, Value>, name: &str) -> Result<Option<bool>, Problem> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(&format!("$.{name}"), "a boolean", other)),
    }
}

/// A required Boolean property.
fn required_bool(body: &Map<String, Value>, name: &str) -> Result<bool, Problem> {
    boolean(body, name)?.ok_or_else(|| {
        Problem::bad_request(format!(
            "The property '{name}' is required in the request body (at $.{name})."
        ))
    })
}

/// A collection of strings at `path` (null reads as empty), at most `max` values.
fn strings(v: &Value, path: &str, max: usize) -> Result<Vec<String>, Problem> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => {
            if items.len() > max {
                return Err(Problem::bad_request(format!(
                    "The collection at {path} has {} values, over the limit of {max}.",
                    items.len()
                )));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let p = format!("{path}[{i}]");
                    as_string(x, &p)?.ok_or_else(|| {
                        Problem::bad_request(format!("The value at {p} must be a string, not null."))
                    })
                })
                .collect()
        }
        other => Err(wrong_type(path, "an array of strings", other)),
    }
}

/// 400 for property `name` of a `ty` body: one Graph has that mtosim does not store or
/// cannot set, or one Graph does not have.
fn not_settable(name: &str, ty: &str, graph: &[&str]) -> Problem {
    if graph.contains(&name) {
        Problem::bad_request(format!(
            "mtosim serve does not model the {ty} property '{name}', so it cannot be set (at $.{name}); leave it out."
        ))
    } else {
        Problem::bad_request(format!("Invalid property '{name}'."))
    }
}

/// Whether `name` is an annotation the body may carry: `@odata.type` naming `ty`.
fn annotation(body: &Map<String, Value>, name: &str, ty: &str) -> Result<bool, Problem> {
    if name != "@odata.type" {
        return Ok(false);
    }
    match body.get(name) {
        Some(Value::String(s)) if s.trim_start_matches('#').eq_ignore_ascii_case(ty) => Ok(true),
        _ => Err(Problem::bad_request(format!(
            "The property '@odata.type' must be '#{ty}' here (at $.@odata.type)."
        ))),
    }
}

/// `passwordProfile`: an object with `password` (a string) and the Boolean
/// `forceChangePasswordNextSignIn` and `forceChangePasswordNextSignInWithMfa`. It is checked and
/// not stored: mtosim has no sign-ins.
fn password_profile(v: &Value, required_password: bool) -> Result<(), Problem> {
    let Value::Object(p) = v else {
        return Err(wrong_type("$.passwordProfile", "an object", v));
    };
    for (k, x) in p {
        match k.as_str() {
            "password" => {
                as_string(x, "$.passwordProfile.password")?;
            }
            "forceChangePasswordNextSignIn" | "forceChangePasswordNextSignInWithMfa" => {
                if !x.is_boolean() && !x.is_null() {
                    return Err(wrong_type(&format!("$.passwordProfile.{k}"), "a boolean", x));
                }
            }
            other => {
                return Err(Problem::bad_request(format!(
                    "Invalid property '{other}' (at $.passwordProfile.{other})."
                )))
            }
        }
    }
    let has_password = p
        .get("password")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    if required_password && !has_password {
        return Err(Problem::bad_request(
            "The property 'password' is required in passwordProfile (at $.passwordProfile.password).",
        ));
    }
    Ok(())
}

/// The user properties of a `POST` or `PATCH` body that mtosim stores.
#[derive(Default)]
struct UserFields {
    attrs: Vec<(Attr, String)>,
    extra: Vec<(ExtraProp, Vec<String>)>,
    user_type: Option<UserType>,
}

/// Reads the stored properties of a user body; `skip` are handled by the caller.
fn user_fields(body: &Map<String, Value>, skip: &[&str]) -> Result<UserFields, Problem> {
    let mut f = UserFields::default();
    for (k, v) in body {
        let k = k.as_str();
        let path = format!("$.{k}");
        if skip.contains(&k) || annotation(body, k, "microsoft.graph.user")? {
            continue;
        }
        if k == "passwordProfile" {
            password_profile(v, false)?;
            continue;
        }
        if let Some(a) =
            Attr::from_graph_name(k).filter(|a| a.graph_name() == k && *a != Attr::TelephoneNumber)
        {
            f.attrs.push((a, as_string(v, &path)?.unwrap_or_default()));
            continue;
        }
        match k {
            "businessPhones" => {
                let phones = strings(v, &path, 1)?;
                f.attrs.push((
                    Attr::TelephoneNumber,
                    phones.into_iter().next().unwrap_or_default(),
                ));
            }
            "userType" => {
                let s = as_string(v, &path)?.unwrap_or_default();
                f.user_type = Some(UserType::parse(&s).ok_or_else(|| {
                    Problem::bad_request(format!(
                        "The property 'userType' has the value '{s}'; the possible values are 'Member' and 'Guest' (at $.userType)."
                    ))
                })?);
            }
            "faxNumber" | "employeeHireDate" | "passwordPolicies" => {
                let p = match k {
                    "faxNumber" => ExtraProp::FacsimileTelephoneNumber,
                    "employeeHireDate" => ExtraProp::EmployeeHireDate,
                    _ => ExtraProp::PasswordPolicies,
                };
                f.extra.push((p, as_string(v, &path)?.into_iter().collect()));
            }
            "otherMails" => f
                .extra
                .push((ExtraProp::OtherMails, strings(v, &path, COLLECTION_VALUES_MAX)?)),
            "onPremisesExtensionAttributes" => {
                let Value::Object(o) = v else {
                    return Err(wrong_type(&path, "an object", v));
                };
                for (n, x) in o {
                    let p = format!("{path}.{n}");
                    match ExtraProp::parse(n) {
                        Some(e @ ExtraProp::ExtensionAttribute(_)) if e.name() == *n => {
                            f.extra.push((e, as_string(x, &p)?.into_iter().collect()));
                        }
                        _ => return Err(Problem::bad_request(format!("Invalid property '{n}' (at {p})."))),
                    }
                }
            }
            _ if k.starts_with("extension_") => match ExtraProp::parse(k) {
                Some(e @ ExtraProp::Extension(_)) => {
                    f.extra.push((e, as_string(v, &path)?.into_iter().collect()));
                }
                _ => {
                    return Err(Problem::bad_request(format!(
                        "'{k}' is not a directory extension name: it {} (at {path}).",
                        mtosim_engine::extra::extension_problem(k).unwrap_or("is not valid")
                    )))
                }
            },
            _ => return Err(not_settable(k, "user", GRAPH_USER_PROPERTIES)),
        }
    }
    Ok(f)
}

/// `POST /users`: `accountEnabled`, `displayName`, `mailNickname`, `userPrincipalName` and
/// `passwordProfile` (required, as Graph requires them; the password is checked, not stored),
/// and any other property mtosim stores (the attributes of [`Attr`], `businessPhones` with at
/// most one number, `userType`, `faxNumber`, `employeeHireDate`, `passwordPolicies`,
/// `otherMails`, `onPremisesExtensionAttributes`, `extension_<appId>_<name>`).
pub fn new_user(body: &Map<String, Value>) -> Result<NewUser, Problem> {
    let account_enabled = required_bool(body, "accountEnabled")?;
    required(body, "displayName")?;
    required(body, "mailNickname")?;
    let upn = required(body, "userPrincipalName")?;
    if let Some(why) = mtosim_engine::user::upn_problem(&upn) {
        return Err(Problem::bad_request(format!(
            "The property 'userPrincipalName' has the value '{upn}', which {why} (at $.userPrincipalName)."
        )));
    }
    match body.get("passwordProfile") {
        None | Some(Value::Null) => {
            return Err(Problem::bad_request(
                "The property 'passwordProfile' is required in the request body (at $.passwordProfile).",
            ))
        }
        Some(p) => password_profile(p, true)?,
    }
    let f = user_fields(body, &["accountEnabled", "userPrincipalName"])?;
    Ok(NewUser {
        upn,
        attrs: f.attrs.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        user_type: f.user_type.unwrap_or(UserType::Member),
        account_enabled,
        extra: f.extra.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
    })
}

/// `PATCH /users/{id}` on `user`: the actions it takes, in order: an `UpdateUser` for the
/// stored properties and `userPrincipalName` (null clears a property), then a `SetEnabled`
/// for `accountEnabled`. An empty body takes none.
pub fn update_user(user: UserRef, body: &Map<String, Value>) -> Result<Vec<Action>, Problem> {
    let upn = match body.get("userPrincipalName") {
        None => None,
        Some(v) => {
            let upn = as_string(v, "$.userPrincipalName")?.unwrap_or_default();
            if let Some(why) = mtosim_engine::user::upn_problem(&upn) {
                return Err(Problem::bad_request(format!(
                    "The property 'userPrincipalName' has the value '{upn}', which {why} (at $.userPrincipalName)."
                )));
            }
            Some(upn)
        }
    };
    let enabled = boolean(body, "accountEnabled")?;
    if body.get("accountEnabled").is_some_and(Value::is_null) {
        return Err(wrong_type("$.accountEnabled", "a boolean", &Value::Null));
    }
    let f = user_fields(body, &["accountEnabled", "userPrincipalName"])?;
    let mut out = Vec::new();
    if !f.attrs.is_empty() || !f.extra.is_empty() || f.user_type.is_some() || upn.is_some() {
        out.push(Action::UpdateUser {
            user: user.clone(),
            attrs: f.attrs,
            user_type: f.user_type,
            extra: f.extra,
            upn,
            manager: None,
        });
    }
    if let Some(enabled) = enabled {
        out.push(Action::SetEnabled { user, enabled });
    }
    Ok(out)
}

/// The object id at the end of a `@odata.id` or `members@odata.bind` URL
/// (`https://graph.microsoft.com/v1.0/directoryObjects/{id}`, also `/users/{id}` and
/// `/groups/{id}`, or the bare id), with the collection it names (`directoryObjects` when bare).
pub fn reference(url: &str, path: &str) -> Result<(String, String), Problem> {
    let trimmed = url.trim().trim_end_matches('/');
    let mut parts = trimmed.rsplit('/');
    let id = parts.next().unwrap_or("");
    let coll = parts.next().unwrap_or("directoryObjects");
    let known = ["directoryObjects", "users", "groups"];
    let coll = if trimmed.contains('/') {
        known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(coll))
            .copied()
            .ok_or_else(|| {
                Problem::bad_request(format!(
                    "'{url}' is not a reference to a directory object; write https://graph.microsoft.com/v1.0/directoryObjects/{{id}} (at {path})."
                ))
            })?
    } else {
        "directoryObjects"
    };
    if id.is_empty() {
        return Err(Problem::bad_request(format!(
            "'{url}' names no object id (at {path})."
        )));
    }
    Ok((coll.to_string(), id.to_string()))
}

/// `POST /groups/{id}/members/$ref`: `@odata.id` (required), the member's (collection, id).
pub fn member_ref(body: &Map<String, Value>) -> Result<(String, String), Problem> {
    for k in body.keys() {
        if k != "@odata.id" {
            return Err(Problem::bad_request(format!("Invalid property '{k}'.")));
        }
    }
    let url = required(body, "@odata.id")?;
    reference(&url, "$.@odata.id")
}

/// `POST /groups`: `displayName`, `mailNickname` (read, not stored: mtosim's groups have no
/// mail), `mailEnabled` and `securityEnabled` (required, as Graph requires them), `groupTypes`
/// (`Unified` for a Microsoft 365 group), `description`, `isAssignableToRole` (only false) and
/// `members@odata.bind` (at most [`MEMBERS_BIND_MAX`]), whose ids `member` resolves.
pub fn new_group(
    body: &Map<String, Value>,
    mut member: impl FnMut(&str, &str, &str) -> Result<UserRef, Problem>,
) -> Result<Action, Problem> {
    let name = required(body, "displayName")?;
    required(body, "mailNickname")?;
    let mail = required_bool(body, "mailEnabled")?;
    let security = required_bool(body, "securityEnabled")?;
    let types = match body.get("groupTypes") {
        None => Vec::new(),
        Some(v) => strings(v, "$.groupTypes", 8)?,
    };
    let mut unified = false;
    for (i, t) in types.iter().enumerate() {
        if t.eq_ignore_ascii_case("Unified") {
            unified = true;
        } else if t.eq_ignore_ascii_case("DynamicMembership") {
            return Err(Problem::bad_request(format!(
                "mtosim serve creates static groups only; a dynamic group (groupTypes DynamicMembership) is declared in the scenario file (at $.groupTypes[{i}])."
            )));
        } else {
            return Err(Problem::bad_request(format!(
                "The value '{t}' is not a group type; the possible values are 'Unified' and 'DynamicMembership' (at $.groupTypes[{i}])."
            )));
        }
    }
    let kind = match (unified, mail, security) {
        (true, true, _) => GroupKind::Microsoft365,
        (true, false, _) => {
            return Err(Problem::bad_request(
                "A Microsoft 365 group (groupTypes Unified) must have mailEnabled true (at $.mailEnabled).",
            ))
        }
        (false, false, true) => GroupKind::Security,
        (false, true, _) => {
            return Err(Problem::bad_request(
                "The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset or is set to false.",
            ))
        }
        (false, false, false) => {
            return Err(Problem::bad_request(
                "A group that is neither a Microsoft 365 group nor securityEnabled cannot be created (at $.securityEnabled).",
            ))
        }
    };
    if boolean(body, "isAssignableToRole")? == Some(true) {
        return Err(Problem::bad_request(
            "mtosim serve does not create role-assignable groups; isAssignableToRole true is declared in the scenario file (at $.isAssignableToRole).",
        ));
    }
    let mut members = Vec::new();
    for (k, v) in body {
        match k.as_str() {
            "displayName" | "mailNickname" | "mailEnabled" | "securityEnabled" | "groupTypes"
            | "description" | "isAssignableToRole" => {}
            "members@odata.bind" => {
                let urls = strings(v, "$.members@odata.bind", MEMBERS_BIND_MAX)?;
                for (i, u) in urls.iter().enumerate() {
                    let path = format!("$.members@odata.bind[{i}]");
                    let (coll, id) = reference(u, &path)?;
                    members.push(member(&coll, &id, &path)?);
                }
            }
            other if annotation(body, other, "microsoft.graph.group")? => {}
            other => return Err(not_settable(other, "group", GRAPH_GROUP_PROPERTIES)),
        }
    }
    Ok(Action::CreateGroup {
        name,
        description: string(body, "description")?.filter(|d| !d.is_empty()),
        kind,
        members,
    })
}

/// `PATCH /groups/{id}` on the group named `name`: `description` (null clears it); `None` when
/// the body changes nothing. `displayName` may be given only unchanged (mtosim finds groups by
/// name and does not rename them).
pub fn update_group(name: &str, body: &Map<String, Value>) -> Result<Option<Action>, Problem> {
    for k in body.keys() {
        match k.as_str() {
            "description" => {}
            "displayName" => {
                if string(body, "displayName")?.as_deref() != Some(name) {
                    return Err(Problem::bad_request(
                        "mtosim serve does not rename groups (it finds them by name); leave displayName out or unchanged (at $.displayName).",
                    ));
                }
            }
            other if annotation(body, other, "microsoft.graph.group")? => {}
            other => return Err(not_settable(other, "group", GRAPH_GROUP_PROPERTIES)),
        }
    }
    if !body.contains_key("description") {
        return Ok(None);
    }
    Ok(Some(Action::UpdateGroup {
        group: name.to_string(),
        description: string(body, "description")?.filter(|d| !d.is_empty()),
    }))
}

/// A `POST /invitations` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// `invitedUserEmailAddress`.
    pub email: String,
    /// `inviteRedirectUrl`.
    pub redirect_url: String,
    /// `invitedUserType`: `Guest` by default.
    pub user_type: UserType,
    /// `sendInvitationMessage` (read; mtosim sends no mail).
    pub send_message: bool,
    /// `invitedUserDisplayName` (read; the account shows the home user's display name).
    pub display_name: Option<String>,
    /// `invitedUserMessageInfo`, as given (read; mtosim sends no mail).
    pub message_info: Option<Map<String, Value>>,
    /// `resetRedemption`.
    pub reset_redemption: bool,
    /// `invitedUser.id`, for a reset of redemption.
    pub invited_user_id: Option<String>,
}

/// Reads a `POST /invitations` body: `invitedUserEmailAddress` and `inviteRedirectUrl`
/// (required), `invitedUserType`, `sendInvitationMessage`, `invitedUserDisplayName`,
/// `invitedUserMessageInfo`, `resetRedemption` and `invitedUser` (`{"id"}`, with
/// `resetRedemption`).
pub fn invitation(body: &Map<String, Value>) -> Result<Invitation, Problem> {
    for k in body.keys() {
        match k.as_str() {
            "invitedUserEmailAddress"
            | "inviteRedirectUrl"
            | "invitedUserType"
            | "sendInvitationMessage"
            | "invitedUserDisplayName"
            | "invitedUserMessageInfo"
            | "resetRedemption"
            | "invitedUser" => {}
            other if annotation(body, other, "microsoft.graph.invitation")? => {}
            other => return Err(Problem::bad_request(format!("Invalid property '{other}'."))),
        }
    }
    let user_type = match string(body, "invitedUserType")? {
        None => UserType::Guest,
        Some(s) => UserType::parse(&s).ok_or_else(|| {
            Problem::bad_request(format!(
                "The property 'invitedUserType' has the value '{s}'; the possible values are 'Guest' and 'Member' (at $.invitedUserType)."
            ))
        })?,
    };
    let message_info = match body.get("invitedUserMessageInfo") {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => {
            for (k, v) in o {
                let p = format!("$.invitedUserMessageInfo.{k}");
                match k.as_str() {
                    "messageLanguage" | "customizedMessageBody" => {
                        as_string(v, &p)?;
                    }
                    "ccRecipients" => {
                        if !v.is_array() && !v.is_null() {
                            return Err(wrong_type(&p, "an array", v));
                        }
                    }
                    other => {
                        return Err(Problem::bad_request(format!(
                            "Invalid property '{other}' (at {p})."
                        )))
                    }
                }
            }
            Some(o.clone())
        }
        Some(other) => return Err(wrong_type("$.invitedUserMessageInfo", "an object", other)),
    };
    let invited_user_id = match body.get("invitedUser") {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => o
            .get("id")
            .map(|v| as_string(v, "$.invitedUser.id"))
            .transpose()?
            .flatten(),
        Some(other) => return Err(wrong_type("$.invitedUser", "an object", other)),
    };
    let reset_redemption = boolean(body, "resetRedemption")?.unwrap_or(false);
    if reset_redemption && invited_user_id.is_none() {
        return Err(Problem::bad_request(
            "resetRedemption true needs the account to reset in invitedUser.id (at $.invitedUser.id).",
        ));
    }
    Ok(Invitation {
        email: required(body, "invitedUserEmailAddress")?,
        redirect_url: required(body, "inviteRedirectUrl")?,
        user_type,
        send_message: boolean(body, "sendInvitationMessage")?.unwrap_or(false),
        display_name: string(body, "invitedUserDisplayName")?,
        message_info,
        reset_redemption,
        invited_user_id,
    })
}

/// The user of another tenant of the world an invitation's address names: a user whose
/// `mail` or `userPrincipalName` is `email` (case-insensitive), in the first tenant that has
/// one, other tenants before the inviting one (whose own user the engine refuses to invite).
pub fn invited_user(world: &World, actor: TenantIdx, email: &str) -> Option<(TenantIdx, String)> {
    let others = world.tenant_ids().filter(|&t| t != actor);
    for t in others.chain(std::iter::once(actor)) {
        let view = world.view(t);
        let found = view.users().find(|u| {
            matches!(u.origin, mtosim_engine::view::UserOrigin::Internal)
                && (u.upn.eq_ignore_ascii_case(email)
                    || u.attr(Attr::Mail).is_some_and(|m| m.eq_ignore_ascii_case(email)))
        });
        if let Some(u) = found {
            return Some((t, u.upn));
        }
    }
    None
}

/// `POST /invitations` as an action of `actor`: `InviteGuest` of the user the address names,
/// not redeemed (a fresh invitation is PendingAcceptance). An address no tenant of the world
/// holds is a 400: mtosim invites only users of its tenants.
pub fn invite_guest(world: &World, actor: TenantIdx, inv: &Invitation) -> Result<Action, Problem> {
    let (home, upn) = invited_user(world, actor, inv.email.trim()).ok_or_else(|| {
        Problem::bad_request(format!(
            "No tenant of this world has a user with the address '{}'; mtosim serve invites only users of the world's tenants (at $.invitedUserEmailAddress).",
            inv.email
        ))
    })?;
    Ok(Action::InviteGuest {
        home,
        user: UserRef::Upn(upn),
        user_type: inv.user_type,
        redeemed: false,
    })
}
/// Every structural property of `user` (with `directoryObject`'s and `entity`'s) in Graph's v1.0
/// metadata (`fixtures/csdl/graph-v1.0-extract.json`), for telling a property Graph has but mtosim does
/// not model from one Graph does not have.
pub const GRAPH_USER_PROPERTIES: &[&str] = &[
    "aboutMe",
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "authorizationInfo",
    "birthday",
    "businessPhones",
    "city",
    "companyName",
    "consentProvidedForMinor",
    "country",
    "createdDateTime",
    "creationType",
    "customSecurityAttributes",
    "deletedDateTime",
    "department",
    "deviceEnrollmentLimit",
    "displayName",
    "employeeHireDate",
    "employeeId",
    "employeeLeaveDateTime",
    "employeeOrgData",
    "employeeType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "faxNumber",
    "givenName",
    "hireDate",
    "id",
    "identities",
    "identityParentId",
    "imAddresses",
    "interests",
    "isManagementRestricted",
    "isResourceAccount",
    "jobTitle",
    "lastPasswordChangeDateTime",
    "legalAgeGroupClassification",
    "licenseAssignmentStates",
    "mail",
    "mailboxSettings",
    "mailNickname",
    "mobilePhone",
    "mySite",
    "officeLocation",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "passwordProfile",
    "pastProjects",
    "postalCode",
    "preferredDataLocation",
    "preferredLanguage",
    "preferredName",
    "print",
    "provisionedPlans",
    "proxyAddresses",
    "responsibilities",
    "schools",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "showInAddressList",
    "signInActivity",
    "signInSessionsValidFromDateTime",
    "skills",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
];

/// Every structural property of `group` (with `directoryObject`'s and `entity`'s) in Graph's v1.0
/// metadata (`fixtures/csdl/graph-v1.0-extract.json`), for telling a property Graph has but mtosim does
/// not model from one Graph does not have.
pub const GRAPH_GROUP_PROPERTIES: &[&str] = &[
    "accessType",
    "allowExternalSenders",
    "assignedLabels",
    "assignedLicenses",
    "autoSubscribeNewMembers",
    "classification",
    "createdDateTime",
    "deletedDateTime",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "hasMembersWithLicenseErrors",
    "hideFromAddressLists",
    "hideFromOutlookClients",
    "id",
    "infoCatalogs",
    "isArchived",
    "isAssignableToRole",
    "isFavorite",
    "isManagementRestricted",
    "isSubscribedByMail",
    "licenseProcessingState",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesLastSyncDateTime",
    "onPremisesNetBiosName",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "organizationId",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "renewedDateTime",
    "resourceBehaviorOptions",
    "resourceProvisioningOptions",
    "securityEnabled",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "theme",
    "uniqueName",
    "unseenConversationsCount",
    "unseenCount",
    "unseenMessagesCount",
    "visibility",
    "welcomeMessageEnabled",
];
