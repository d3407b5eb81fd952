//! Request bodies of the cross-tenant access policy endpoints (default, partners, identity
//! synchronization, MTO templates) read into engine actions, each problem with its JSON path;
//! and the single entities those endpoints answer with (the policy, the default configuration,
//! one partner configuration, one identity synchronization policy).
//!
//! Only what the engine models is written: `automaticUserConsentSettings`, `inboundTrust`'s
//! `isMfaAccepted`, `b2bCollaborationInbound` and `-Outbound`, `userSyncInbound` and the
//! templates' `templateApplicationLevel`. A property Graph declares that the engine does not
//! model (B2B direct connect, tenant restrictions, device claims, ...) is accepted only with
//! the value mtosim already answers with (usually `null`), else the request is refused as not
//! supported: a value mtosim would not keep is never silently dropped. A property Graph does
//! not declare is refused as OData does. Nothing here decides what the engine decides.

use crate::odata;
use crate::request::Problem;
use crate::request::{bad, check_keys, kind};
use mtosim_engine::action::{PartnerPatch, TemplatesPatch};
use mtosim_engine::xtap::{Access, AppLevel, AppTarget, B2bSetting, UserTarget};
use mtosim_engine::{Action, GroupIdx, Guid, TenantIdx, UserIdx, World};
use serde_json::{json, Map, Value};

/// The last name of a JSON path, for messages (`$.a.b` -> `b`).
fn leaf(path: &str) -> &str {
    path.rsplit(['.', '$']).next().unwrap_or(path)
}

/// 400: a property Graph declares but mtosim does not model with this value.
fn unsupported(path: &str, what: &str) -> Problem {
    bad(
        path,
        format!(
            "The property '{}' is not supported by this simulated Graph ({what}); only the value it answers with, usually null, is accepted",
            leaf(path)
        ),
    )
}

/// 400: `null` for a value that is set: the engine keeps a set value until it is changed.
fn cannot_clear(path: &str) -> Problem {
    bad(
        path,
        format!(
            "The property '{}' cannot be set back to null by this simulated Graph once it has a value; set true or false instead",
            leaf(path)
        ),
    )
}

/// 409 `Request_MultipleObjectsWithSameKeyValue`, as Graph answers a create of an object that
/// exists.
pub fn conflict(message: &str) -> Problem {
    Problem {
        status: 409,
        code: "Request_MultipleObjectsWithSameKeyValue",
        message: message.to_string(),
    }
}

/// The 409 of `POST .../partners` for a partner that already has a configuration.
pub fn partner_exists() -> Problem {
    conflict("Another object with the same value for property tenantId already exists.")
}

/// The 409 of `PUT .../identitySynchronization` for a policy that exists.
pub fn sync_policy_exists() -> Problem {
    conflict(
        "A conflicting object with one or more of the specified property values is present in the directory.",
    )
}

/// 404 for an identity synchronization policy that does not exist.
pub fn sync_policy_not_found() -> Problem {
    Problem {
        status: 404,
        code: "Request_ResourceNotFound",
        message: "The partner configuration has no identitySynchronization policy; create one with PUT /policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization.".to_string(),
    }
}

/// A property: absent, `null`, or a value.
enum Field<'a> {
    Absent,
    Null,
    Set(&'a Value),
}

fn field<'a>(m: &'a Map<String, Value>, name: &str) -> Field<'a> {
    match m.get(name) {
        None => Field::Absent,
        Some(Value::Null) => Field::Null,
        Some(v) => Field::Set(v),
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Problem> {
    v.as_object().ok_or_else(|| {
        bad(
            path,
            format!("The property '{}' must be an object, not {}", leaf(path), kind(v)),
        )
    })
}

fn boolean(v: &Value, path: &str) -> Result<bool, Problem> {
    v.as_bool().ok_or_else(|| {
        bad(
            path,
            format!("The property '{}' must be a boolean, not {}", leaf(path), kind(v)),
        )
    })
}

fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, Problem> {
    v.as_str().ok_or_else(|| {
        bad(
            path,
            format!("The property '{}' must be a string, not {}", leaf(path), kind(v)),
        )
    })
}

/// A boolean the engine stores as `Option<bool>` and only sets: absent leaves it, a value sets
/// it, `null` is accepted only while it is still null.
fn nullable_bool(
    m: &Map<String, Value>,
    name: &str,
    path: &str,
    current: Option<bool>,
) -> Result<Option<bool>, Problem> {
    let p = format!("{path}.{name}");
    match field(m, name) {
        Field::Absent => Ok(None),
        Field::Null if current.is_none() => Ok(None),
        Field::Null => Err(cannot_clear(&p)),
        Field::Set(v) => boolean(v, &p).map(Some),
    }
}

/// A property mtosim does not model: accepted when absent, null, or `false` (for booleans
/// whose unmodelled meaning is "off").
fn only_false(m: &Map<String, Value>, name: &str, path: &str, what: &str) -> Result<(), Problem> {
    let p = format!("{path}.{name}");
    match field(m, name) {
        Field::Absent | Field::Null => Ok(()),
        Field::Set(v) if !boolean(v, &p)? => Ok(()),
        Field::Set(_) => Err(unsupported(&p, what)),
    }
}

/// A property mtosim does not model and answers as null (or leaves out): only null is
/// accepted.
fn only_null(m: &Map<String, Value>, name: &str, path: &str, what: &str) -> Result<(), Problem> {
    match field(m, name) {
        Field::Absent | Field::Null => Ok(()),
        Field::Set(_) => Err(unsupported(&format!("{path}.{name}"), what)),
    }
}

/// `inboundTrust`: `isMfaAccepted` (the device claims are not modelled: only false).
fn inbound_trust(m: &Map<String, Value>, path: &str, current: Option<bool>) -> Result<Option<bool>, Problem> {
    let p = format!("{path}.inboundTrust");
    match field(m, "inboundTrust") {
        Field::Absent => Ok(None),
        Field::Null if current.is_none() => Ok(None),
        Field::Null => Err(cannot_clear(&p)),
        Field::Set(v) => {
            let o = object(v, &p)?;
            check_keys(
                o,
                &p,
                "crossTenantAccessPolicyInboundTrust",
                &[
                    "isMfaAccepted",
                    "isCompliantDeviceAccepted",
                    "isHybridAzureADJoinedDeviceAccepted",
                ],
            )?;
            let devices = "trust in device claims is not modelled";
            only_false(o, "isCompliantDeviceAccepted", &p, devices)?;
            only_false(o, "isHybridAzureADJoinedDeviceAccepted", &p, devices)?;
            nullable_bool(o, "isMfaAccepted", &p, current)
        }
    }
}

/// `automaticUserConsentSettings`: (`inboundAllowed`, `outboundAllowed`).
fn consent(
    m: &Map<String, Value>,
    path: &str,
    current: (Option<bool>, Option<bool>),
) -> Result<(Option<bool>, Option<bool>), Problem> {
    let p = format!("{path}.automaticUserConsentSettings");
    match field(m, "automaticUserConsentSettings") {
        Field::Absent => Ok((None, None)),
        Field::Null if current == (None, None) => Ok((None, None)),
        Field::Null => Err(cannot_clear(&p)),
        Field::Set(v) => {
            let o = object(v, &p)?;
            check_keys(
                o,
                &p,
                "inboundOutboundPolicyConfiguration",
                &["inboundAllowed", "outboundAllowed"],
            )?;
            Ok((
                nullable_bool(o, "inboundAllowed", &p, current.0)?,
                nullable_bool(o, "outboundAllowed", &p, current.1)?,
            ))
        }
    }
}

/// Whose users and groups a B2B setting's `usersAndGroups.targets` name.
#[derive(Clone, Copy)]
enum Targets {
    /// Only `AllUsers` (the default configuration's inbound setting: other tenants' users
    /// are not known there).
    AllOnly,
    /// `AllUsers`, or users and groups of this tenant by object id.
    Of(TenantIdx),
}

/// The user of tenant `t` (not deleted) whose object id is `id`.
fn user_by_id(world: &World, t: TenantIdx, id: Guid) -> Option<UserIdx> {
    let dir = &world.tenant(t).dir;
    (0..dir.users().len())
        .map(|i| UserIdx(i as u32))
        .find(|&u| dir.users()[u.ix()].deleted_at.is_none() && world.user_id(t, u) == id)
}

/// The group of tenant `t` whose object id is `id`.
fn group_by_id(world: &World, t: TenantIdx, id: Guid) -> Option<GroupIdx> {
    (0..world.tenant(t).dir.groups().len())
        .map(|i| GroupIdx(i as u32))
        .find(|&g| world.group_id(t, g) == id)
}

fn access(o: &Map<String, Value>, path: &str) -> Result<Access, Problem> {
    let p = format!("{path}.accessType");
    match field(o, "accessType") {
        Field::Set(v) => match string(v, &p)? {
            "allowed" => Ok(Access::Allowed),
            "blocked" => Ok(Access::Blocked),
            other => Err(bad(
                &p,
                format!("The property 'accessType' has the value '{other}'; the possible values are 'allowed' and 'blocked'"),
            )),
        },
        _ => Err(bad(&p, "The property 'accessType' is required")),
    }
}

/// One `crossTenantAccessPolicyTarget`: (`target`, `targetType`).
fn target<'a>(v: &'a Value, path: &str) -> Result<(&'a str, &'a str), Problem> {
    let o = object(v, path)?;
    check_keys(
        o,
        path,
        "crossTenantAccessPolicyTarget",
        &["target", "targetType"],
    )?;
    let get = |name: &str| match field(o, name) {
        Field::Set(v) => string(v, &format!("{path}.{name}")),
        _ => Err(bad(
            &format!("{path}.{name}"),
            format!("The property '{name}' is required"),
        )),
    };
    Ok((get("target")?, get("targetType")?))
}

fn targets<'a>(o: &'a Map<String, Value>, path: &str) -> Result<Vec<(String, &'a Value)>, Problem> {
    let p = format!("{path}.targets");
    match field(o, "targets") {
        Field::Set(Value::Array(a)) => Ok(a
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{p}[{i}]"), v))
            .collect()),
        Field::Set(v) => Err(bad(
            &p,
            format!("The property 'targets' must be an array, not {}", kind(v)),
        )),
        _ => Err(bad(&p, "The property 'targets' is required")),
    }
}

fn user_targets(
    world: &World,
    o: &Map<String, Value>,
    path: &str,
    of: Targets,
) -> Result<Vec<UserTarget>, Problem> {
    let mut out = Vec::new();
    for (p, v) in targets(o, path)? {
        let (t, ty) = target(v, &p)?;
        let found = match (ty, t) {
            ("user", "AllUsers") => Some(UserTarget::AllUsers),
            ("user" | "group", id) => {
                let Targets::Of(tenant) = of else {
                    return Err(bad(
                        &format!("{p}.target"),
                        "The default configuration's inbound setting can only target 'AllUsers'; users and groups of a partner are targeted in its partner configuration",
                    ));
                };
                let g = Guid::parse(id).ok_or_else(|| {
                    bad(
                        &format!("{p}.target"),
                        format!("The target '{id}' is neither 'AllUsers' nor an object id"),
                    )
                })?;
                if ty == "user" {
                    user_by_id(world, tenant, g).map(UserTarget::User)
                } else {
                    group_by_id(world, tenant, g).map(UserTarget::Group)
                }
                .ok_or_else(|| {
                    bad(
                        &format!("{p}.target"),
                        format!(
                            "No {ty} with the object id '{id}' exists in the tenant {}",
                            world.tenant(tenant).spec.tenant_id
                        ),
                    )
                })
                .map(Some)?
            }
            (other, _) => {
                return Err(bad(
                    &format!("{p}.targetType"),
                    format!("The property 'targetType' has the value '{other}'; the possible values for usersAndGroups are 'user' and 'group'"),
                ))
            }
        };
        out.extend(found);
    }
    Ok(out)
}

fn app_targets(o: &Map<String, Value>, path: &str) -> Result<Vec<AppTarget>, Problem> {
    let mut out = Vec::new();
    for (p, v) in targets(o, path)? {
        let (t, ty) = target(v, &p)?;
        if ty != "application" {
            return Err(bad(
                &format!("{p}.targetType"),
                format!("The property 'targetType' has the value '{ty}'; the possible value for applications is 'application'"),
            ));
        }
        out.push(match t {
            "AllApplications" => AppTarget::AllApplications,
            "Office365" => AppTarget::Office365,
            id => AppTarget::App(
                Guid::parse(id)
                    .ok_or_else(|| {
                        bad(
                            &format!("{p}.target"),
                            format!("The target '{id}' is neither 'AllApplications', 'Office365' nor an application id"),
                        )
                    })?
                    .to_string(),
            ),
        });
    }
    Ok(out)
}

/// A `crossTenantAccessPolicyTargetConfiguration` of a body, with its path.
type Conf<'a> = (&'a Map<String, Value>, String);

/// A `crossTenantAccessPolicyB2BSetting` at `path`; a half the body leaves out
/// (`usersAndGroups` or `applications`) keeps `base`'s, the value in effect.
fn b2b(world: &World, v: &Value, path: &str, of: Targets, base: &B2bSetting) -> Result<B2bSetting, Problem> {
    let o = object(v, path)?;
    check_keys(
        o,
        path,
        "crossTenantAccessPolicyB2BSetting",
        &["usersAndGroups", "applications"],
    )?;
    let mut out = base.clone();
    let conf = |name: &str| -> Result<Option<Conf<'_>>, Problem> {
        let p = format!("{path}.{name}");
        match field(o, name) {
            Field::Absent | Field::Null => Ok(None),
            Field::Set(v) => {
                let c = object(v, &p)?;
                check_keys(
                    c,
                    &p,
                    "crossTenantAccessPolicyTargetConfiguration",
                    &["accessType", "targets"],
                )?;
                Ok(Some((c, p)))
            }
        }
    };
    if let Some((c, p)) = conf("usersAndGroups")? {
        out.users_access = access(c, &p)?;
        out.users = user_targets(world, c, &p, of)?;
    }
    if let Some((c, p)) = conf("applications")? {
        out.apps_access = access(c, &p)?;
        out.apps = app_targets(c, &p)?;
    }
    Ok(out)
}

/// A partner's B2B collaboration setting: absent leaves it, `null` is accepted while it
/// inherits the default, an object sets it.
fn partner_b2b(
    world: &World,
    m: &Map<String, Value>,
    name: &str,
    of: TenantIdx,
    current: Option<&B2bSetting>,
    effective: &B2bSetting,
) -> Result<Option<B2bSetting>, Problem> {
    let p = format!("$.{name}");
    match field(m, name) {
        Field::Absent => Ok(None),
        Field::Null if current.is_none() => Ok(None),
        Field::Null => Err(bad(
            &p,
            format!("The property '{name}' cannot be set back to null (inherit the default configuration) by this simulated Graph once it is set; set its usersAndGroups and applications instead"),
        )),
        Field::Set(v) => b2b(world, v, &p, Targets::Of(of), effective).map(Some),
    }
}

/// The properties of `crossTenantAccessPolicyConfigurationPartner` mtosim does not model.
const PARTNER_UNMODELLED: [&str; 6] = [
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
    "tenantRestrictions",
    "appServiceConnectInbound",
    "m365CollaborationInbound",
    "m365CollaborationOutbound",
];

/// A `tenantId` property of a body, as a GUID (`None` when absent).
fn tenant_id_of(m: &Map<String, Value>) -> Result<Option<Guid>, Problem> {
    match field(m, "tenantId") {
        Field::Absent | Field::Null => Ok(None),
        Field::Set(v) => {
            let s = string(v, "$.tenantId")?;
            Guid::parse(s.trim()).map(Some).ok_or_else(|| {
                bad(
                    "$.tenantId",
                    format!("The property 'tenantId' has the value '{s}', which is not a GUID"),
                )
            })
        }
    }
}

/// `POST /policies/crossTenantAccessPolicy/partners`: the partner `tenantId` names (required,
/// a tenant of the world) and the settings to write.
pub fn create_partner(
    world: &World,
    t: TenantIdx,
    body: &Map<String, Value>,
) -> Result<(TenantIdx, PartnerPatch), Problem> {
    let id = tenant_id_of(body)?.ok_or_else(|| {
        bad(
            "$.tenantId",
            "The property 'tenantId' is required in the request body",
        )
    })?;
    let partner = world
        .tenant_ids()
        .find(|&x| world.tenant(x).spec.tenant_id == id)
        .ok_or_else(|| {
            bad(
                "$.tenantId",
                format!("The property 'tenantId' names the tenant '{id}', which does not exist"),
            )
        })?;
    Ok((partner, update_partner(world, t, partner, body)?))
}

/// `PATCH /policies/crossTenantAccessPolicy/partners/{tenantId}` (and the settings of a
/// create): `inboundTrust.isMfaAccepted`, `automaticUserConsentSettings`,
/// `b2bCollaborationInbound` (targets are `partner`'s users and groups) and
/// `b2bCollaborationOutbound` (targets are `t`'s own).
pub fn update_partner(
    world: &World,
    t: TenantIdx,
    partner: TenantIdx,
    body: &Map<String, Value>,
) -> Result<PartnerPatch, Problem> {
    check_keys(
        body,
        "$",
        "crossTenantAccessPolicyConfigurationPartner",
        &[
            "tenantId",
            "isServiceProvider",
            "isInMultiTenantOrganization",
            "inboundTrust",
            "automaticUserConsentSettings",
            "b2bCollaborationInbound",
            "b2bCollaborationOutbound",
            "b2bDirectConnectInbound",
            "b2bDirectConnectOutbound",
            "tenantRestrictions",
            "appServiceConnectInbound",
            "m365CollaborationInbound",
            "m365CollaborationOutbound",
            "identitySynchronization",
        ],
    )?;
    let me = world.tenant(t);
    let pid = world.tenant(partner).spec.tenant_id;
    if let Some(id) = tenant_id_of(body)? {
        if id != pid {
            return Err(bad(
                "$.tenantId",
                format!("The property 'tenantId' is '{id}', but this partner configuration is for '{pid}'; tenantId cannot be changed"),
            ));
        }
    }
    let cur = me.partners.get(&partner).cloned().unwrap_or_default();
    if let Field::Set(v) = field(body, "isServiceProvider") {
        let csp = world.tenant(partner).spec.csp_of.contains(&t);
        if boolean(v, "$.isServiceProvider")? != csp {
            return Err(unsupported(
                "$.isServiceProvider",
                "a Cloud Solution Provider relationship is part of the simulated world, not a setting",
            ));
        }
    }
    if let Field::Set(v) = field(body, "isInMultiTenantOrganization") {
        if boolean(v, "$.isInMultiTenantOrganization")? != cur.in_mto {
            return Err(bad(
                "$.isInMultiTenantOrganization",
                "The property 'isInMultiTenantOrganization' is read-only: joining or leaving a multitenant organization sets it",
            ));
        }
    }
    for name in PARTNER_UNMODELLED {
        only_null(body, name, "$", "mtosim models B2B collaboration only")?;
    }
    only_null(
        body,
        "identitySynchronization",
        "$",
        "write it with PUT .../partners/{tenantId}/identitySynchronization",
    )?;
    let mfa_trust = inbound_trust(body, "$", cur.mfa_trust)?;
    let (auto_in, auto_out) = consent(body, "$", (cur.auto_redeem_inbound, cur.auto_redeem_outbound))?;
    let b2b_inbound = partner_b2b(
        world,
        body,
        "b2bCollaborationInbound",
        partner,
        cur.b2b_inbound.as_ref(),
        me.b2b_inbound_for(partner),
    )?;
    let b2b_outbound = partner_b2b(
        world,
        body,
        "b2bCollaborationOutbound",
        t,
        cur.b2b_outbound.as_ref(),
        me.b2b_outbound_for(partner),
    )?;
    Ok(PartnerPatch {
        auto_redeem_inbound: auto_in,
        auto_redeem_outbound: auto_out,
        mfa_trust,
        b2b_inbound,
        b2b_outbound,
        ..PartnerPatch::default()
    })
}

/// `PUT` (`create: true`) and `PATCH .../partners/{tenantId}/identitySynchronization`:
/// `userSyncInbound.isSyncAllowed`, and on beta (`beta: true`) `groupSyncInbound.isSyncAllowed`
/// (XTAP-11), which v1.0 does not have. `displayName` is read but not kept: the policy is named by
/// the partner's organization. A `PUT` without `isSyncAllowed` creates the policy with sync not
/// allowed (`false`).
pub fn identity_synchronization(
    world: &World,
    t: TenantIdx,
    partner: TenantIdx,
    body: &Map<String, Value>,
    create: bool,
    beta: bool,
) -> Result<PartnerPatch, Problem> {
    check_keys(
        body,
        "$",
        "crossTenantIdentitySyncPolicyPartner",
        &["tenantId", "displayName", "userSyncInbound", "groupSyncInbound"],
    )?;
    let pid = world.tenant(partner).spec.tenant_id;
    if let Some(id) = tenant_id_of(body)? {
        if id != pid {
            return Err(bad(
                "$.tenantId",
                format!("The property 'tenantId' is '{id}', but this policy is for '{pid}'"),
            ));
        }
    }
    if let Field::Set(v) = field(body, "displayName") {
        string(v, "$.displayName")?;
    }
    if !beta {
        only_null(
            body,
            "groupSyncInbound",
            "$",
            "groupSyncInbound is a property of Graph's beta version; call /beta to set it",
        )?;
    }
    let policy = world
        .tenant(t)
        .partners
        .get(&partner)
        .filter(|p| p.has_sync_policy);
    let inbound = |name: &str, ty: &str, cur: Option<bool>| -> Result<Option<bool>, Problem> {
        let path = format!("$.{name}");
        match field(body, name) {
            Field::Absent => Ok(None),
            Field::Null if cur.is_none() => Ok(None),
            Field::Null => Err(cannot_clear(&path)),
            Field::Set(v) => {
                let o = object(v, &path)?;
                check_keys(o, &path, ty, &["isSyncAllowed"])?;
                nullable_bool(o, "isSyncAllowed", &path, cur)
            }
        }
    };
    let sync = inbound(
        "userSyncInbound",
        "crossTenantUserSyncInbound",
        policy.and_then(|p| p.sync_inbound),
    )?;
    let group_sync = if beta {
        inbound(
            "groupSyncInbound",
            "crossTenantGroupSyncInbound",
            policy.and_then(|p| p.group_sync_inbound),
        )?
    } else {
        None
    };
    Ok(PartnerPatch {
        sync_inbound: if create { Some(sync.unwrap_or(false)) } else { sync },
        group_sync_inbound: group_sync,
        ..PartnerPatch::default()
    })
}

/// `v` (a partner configuration, a list of them, or an identity synchronization policy, as
/// tenant `t` reads it) with each identity synchronization policy's beta `groupSyncInbound`
/// (XTAP-11); v1.0 has no such property.
pub fn with_group_sync(world: &World, t: TenantIdx, mut v: Value) -> Value {
    let view = world.view(t);
    let policies: Vec<(String, Option<bool>)> = view
        .partners()
        .filter_map(|p| p.identity_sync)
        .map(|s| (s.tenant_id.to_string(), s.group_sync_inbound))
        .collect();
    let add = |o: &mut Value| {
        let Some(m) = o.as_object_mut() else { return };
        let Some(id) = m.get("tenantId").and_then(Value::as_str) else {
            return;
        };
        if let Some((_, allowed)) = policies.iter().find(|(p, _)| p == id) {
            let g = allowed.map_or(Value::Null, |a| json!({ "isSyncAllowed": a }));
            m.insert("groupSyncInbound".into(), g);
        }
    };
    let partner = |p: &mut Value| {
        if let Some(s) = p.get_mut("identitySynchronization") {
            add(s);
        }
    };
    if let Some(list) = v.get_mut("value").and_then(Value::as_array_mut) {
        list.iter_mut().for_each(partner);
    } else if v.get("userSyncInbound").is_some() {
        add(&mut v);
    } else {
        partner(&mut v);
    }
    v
}

/// `PATCH /policies/crossTenantAccessPolicy/default`: `b2bCollaborationInbound` (targets only
/// `AllUsers`) and `b2bCollaborationOutbound` (the tenant's own users and groups);
/// `automaticUserConsentSettings` is always false (XTAP-3). `None` when the body changes
/// nothing.
pub fn update_default(
    world: &World,
    t: TenantIdx,
    body: &Map<String, Value>,
) -> Result<Option<Action>, Problem> {
    check_keys(
        body,
        "$",
        "crossTenantAccessPolicyConfigurationDefault",
        &[
            "id",
            "isServiceDefault",
            "inboundTrust",
            "automaticUserConsentSettings",
            "b2bCollaborationInbound",
            "b2bCollaborationOutbound",
            "b2bDirectConnectInbound",
            "b2bDirectConnectOutbound",
            "invitationRedemptionIdentityProviderConfiguration",
            "tenantRestrictions",
        ],
    )?;
    let d = &world.tenant(t).default_b2b;
    if let Field::Set(v) = field(body, "isServiceDefault") {
        if boolean(v, "$.isServiceDefault")? != is_service_default(world, t) {
            return Err(bad(
                "$.isServiceDefault",
                "The property 'isServiceDefault' is read-only; POST /policies/crossTenantAccessPolicy/default/resetToSystemDefault restores the system default",
            ));
        }
    }
    if let Field::Set(v) = field(body, "automaticUserConsentSettings") {
        let o = object(v, "$.automaticUserConsentSettings")?;
        check_keys(
            o,
            "$.automaticUserConsentSettings",
            "inboundOutboundPolicyConfiguration",
            &["inboundAllowed", "outboundAllowed"],
        )?;
        for name in ["inboundAllowed", "outboundAllowed"] {
            let p = format!("$.automaticUserConsentSettings.{name}");
            if let Field::Set(v) = field(o, name) {
                if boolean(v, &p)? {
                    return Err(bad(
                        &p,
                        "The default configuration's automaticUserConsentSettings are always false and cannot be updated (XTAP-3); set them in a partner configuration",
                    ));
                }
            }
        }
    }
    if let Field::Set(v) = field(body, "inboundTrust") {
        let o = object(v, "$.inboundTrust")?;
        check_keys(
            o,
            "$.inboundTrust",
            "crossTenantAccessPolicyInboundTrust",
            &[
                "isMfaAccepted",
                "isCompliantDeviceAccepted",
                "isHybridAzureADJoinedDeviceAccepted",
            ],
        )?;
        for name in [
            "isMfaAccepted",
            "isCompliantDeviceAccepted",
            "isHybridAzureADJoinedDeviceAccepted",
        ] {
            only_false(
                o,
                name,
                "$.inboundTrust",
                "the default configuration's inbound trust is not modelled",
            )?;
        }
    }
    for name in [
        "b2bDirectConnectInbound",
        "b2bDirectConnectOutbound",
        "invitationRedemptionIdentityProviderConfiguration",
        "tenantRestrictions",
    ] {
        only_null(body, name, "$", "mtosim models B2B collaboration only")?;
    }
    let setting = |name: &str, of: Targets, base: &B2bSetting| -> Result<Option<B2bSetting>, Problem> {
        let p = format!("$.{name}");
        match field(body, name) {
            Field::Absent => Ok(None),
            Field::Null => Err(bad(
                &p,
                format!("The property '{name}' cannot be null in the default configuration"),
            )),
            Field::Set(v) => b2b(world, v, &p, of, base).map(Some),
        }
    };
    let inbound = setting("b2bCollaborationInbound", Targets::AllOnly, &d.0)?;
    let outbound = setting("b2bCollaborationOutbound", Targets::Of(t), &d.1)?;
    Ok(
        (inbound.is_some() || outbound.is_some()).then_some(Action::SetDefaultAccess {
            inbound,
            outbound,
            reset: false,
        }),
    )
}

/// `PATCH /policies/crossTenantAccessPolicy`: nothing of it is modelled as a setting
/// (`allowedCloudEndpoints` is the scenario's Microsoft cloud settings), so a body is accepted
/// only when it repeats what `GET` answers.
pub fn update_policy(world: &World, t: TenantIdx, body: &Map<String, Value>) -> Result<(), Problem> {
    check_keys(
        body,
        "$",
        "crossTenantAccessPolicy",
        &[
            "id",
            "displayName",
            "description",
            "definition",
            "deletedDateTime",
            "allowedCloudEndpoints",
        ],
    )?;
    if let Field::Set(v) = field(body, "displayName") {
        if string(v, "$.displayName")? != POLICY_NAME {
            return Err(unsupported(
                "$.displayName",
                "the policy keeps its name, CrossTenantAccessPolicy",
            ));
        }
    }
    for name in ["description", "definition", "deletedDateTime"] {
        only_null(body, name, "$", "it is not modelled")?;
    }
    if let Field::Set(v) = field(body, "allowedCloudEndpoints") {
        let p = "$.allowedCloudEndpoints";
        let a = v.as_array().ok_or_else(|| {
            bad(
                p,
                format!(
                    "The property 'allowedCloudEndpoints' must be an array, not {}",
                    kind(v)
                ),
            )
        })?;
        let mut asked = a
            .iter()
            .enumerate()
            .map(|(i, e)| string(e, &format!("{p}[{i}]")).map(str::to_ascii_lowercase))
            .collect::<Result<Vec<_>, _>>()?;
        asked.sort();
        asked.dedup();
        let mut have = cloud_endpoints(world, t);
        have.sort();
        if asked != have {
            return Err(unsupported(
                p,
                "the Microsoft cloud settings are part of the simulated world, not changed through Graph",
            ));
        }
    }
    Ok(())
}

/// `templateApplicationLevel`: flags separated by commas.
fn app_level(v: &Value, path: &str) -> Result<AppLevel, Problem> {
    let s = string(v, path)?;
    let mut level = AppLevel::NONE;
    for flag in s.split(',').map(str::trim) {
        let f = AppLevel::parse_flag(flag).ok_or_else(|| {
            bad(
                path,
                format!("The property 'templateApplicationLevel' has the value '{s}'; the possible values are 'none', 'newPartners' and 'existingPartners', separated by commas"),
            )
        })?;
        level = AppLevel(level.0 | f.0);
    }
    Ok(level)
}

fn level(body: &Map<String, Value>) -> Result<Option<AppLevel>, Problem> {
    match field(body, "templateApplicationLevel") {
        Field::Absent => Ok(None),
        Field::Null => Err(bad(
            "$.templateApplicationLevel",
            "The property 'templateApplicationLevel' cannot be null; 'none' switches the template off",
        )),
        Field::Set(v) => app_level(v, "$.templateApplicationLevel").map(Some),
    }
}

/// `PATCH .../templates/multiTenantOrganizationPartnerConfiguration`:
/// `automaticUserConsentSettings`, `inboundTrust.isMfaAccepted`, `templateApplicationLevel`
/// (which the engine keeps one for both templates).
pub fn update_partner_template(
    world: &World,
    t: TenantIdx,
    body: &Map<String, Value>,
) -> Result<TemplatesPatch, Problem> {
    check_keys(
        body,
        "$",
        "multiTenantOrganizationPartnerConfigurationTemplate",
        &[
            "id",
            "templateApplicationLevel",
            "inboundTrust",
            "automaticUserConsentSettings",
            "b2bCollaborationInbound",
            "b2bCollaborationOutbound",
            "b2bDirectConnectInbound",
            "b2bDirectConnectOutbound",
        ],
    )?;
    let tp = &world.tenant(t).templates;
    for name in [
        "b2bCollaborationInbound",
        "b2bCollaborationOutbound",
        "b2bDirectConnectInbound",
        "b2bDirectConnectOutbound",
    ] {
        only_null(
            body,
            name,
            "$",
            "the templates model automatic redemption and MFA trust only",
        )?;
    }
    let mfa_trust = inbound_trust(body, "$", tp.mfa_trust)?;
    let (auto_in, auto_out) = consent(body, "$", (tp.auto_redeem_inbound, tp.auto_redeem_outbound))?;
    Ok(TemplatesPatch {
        auto_redeem_inbound: auto_in,
        auto_redeem_outbound: auto_out,
        mfa_trust,
        sync_inbound: None,
        application: level(body)?,
    })
}

/// `PATCH .../templates/multiTenantOrganizationIdentitySynchronization`:
/// `userSyncInbound.isSyncAllowed`, `templateApplicationLevel`.
pub fn update_identity_template(
    world: &World,
    t: TenantIdx,
    body: &Map<String, Value>,
) -> Result<TemplatesPatch, Problem> {
    check_keys(
        body,
        "$",
        "multiTenantOrganizationIdentitySyncPolicyTemplate",
        &["id", "templateApplicationLevel", "userSyncInbound"],
    )?;
    let cur = world.tenant(t).templates.sync_inbound;
    let sync = match field(body, "userSyncInbound") {
        Field::Absent => None,
        Field::Null if cur.is_none() => None,
        Field::Null => return Err(cannot_clear("$.userSyncInbound")),
        Field::Set(v) => {
            let o = object(v, "$.userSyncInbound")?;
            check_keys(
                o,
                "$.userSyncInbound",
                "crossTenantUserSyncInbound",
                &["isSyncAllowed"],
            )?;
            nullable_bool(o, "isSyncAllowed", "$.userSyncInbound", cur)?
        }
    };
    Ok(TemplatesPatch {
        sync_inbound: sync,
        application: level(body)?,
        ..TemplatesPatch::default()
    })
}

// ----- responses ---------------------------------------------------------------------------

/// The policy's `displayName`.
pub const POLICY_NAME: &str = "CrossTenantAccessPolicy";

/// `allowedCloudEndpoints`: the other Microsoft clouds enabled in the tenant's Microsoft cloud
/// settings (XTAP-18), as Graph names their sign-in endpoints.
pub fn cloud_endpoints(world: &World, t: TenantIdx) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &world.tenant(t).spec.cloud_settings {
        let e = match c.as_str() {
            "commercial" | "gcc" => "microsoftonline.com",
            "usgov" => "microsoftonline.us",
            "china" => "partner.microsoftonline.cn",
            _ => continue,
        };
        if !out.iter().any(|x| x == e) {
            out.push(e.to_string());
        }
    }
    out
}

/// `v` with `@odata.context` first.
fn with_context(mut v: Value, world: &World, path: &str) -> Value {
    if let Value::Object(o) = &mut v {
        o.shift_insert(
            0,
            "@odata.context".to_string(),
            Value::String(odata::context(world, path)),
        );
    }
    v
}

/// `GET /policies/crossTenantAccessPolicy`.
pub fn policy(world: &World, t: TenantIdx) -> Value {
    with_context(
        serde_json::json!({
            "id": world.singleton_id(t, "crossTenantAccessPolicy").to_string(),
            "displayName": POLICY_NAME,
            "allowedCloudEndpoints": cloud_endpoints(world, t),
        }),
        world,
        "policies/crossTenantAccessPolicy/$entity",
    )
}

/// Whether the default configuration's B2B collaboration settings are the system default
/// (allowed for all users and applications, both ways).
pub fn is_service_default(world: &World, t: TenantIdx) -> bool {
    let all = B2bSetting::all(Access::Allowed);
    let d = &world.tenant(t).default_b2b;
    d.0 == all && d.1 == all
}

/// `GET /policies/crossTenantAccessPolicy/default`: B2B collaboration both ways,
/// `automaticUserConsentSettings` always false (XTAP-3), no inbound trust.
pub fn default_configuration(world: &World, t: TenantIdx) -> Value {
    use mtosim_engine::view::B2bObject;
    let d = &world.tenant(t).default_b2b;
    let b2b =
        |b: &B2bSetting| crate::to_value(&crate::policy::B2bSetting::of(Some(B2bObject::of(world, t, b))));
    with_context(
        serde_json::json!({
            "isServiceDefault": is_service_default(world, t),
            "inboundTrust": crate::to_value(&crate::policy::InboundTrust::of(Some(false))),
            "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false},
            "b2bCollaborationInbound": b2b(&d.0),
            "b2bCollaborationOutbound": b2b(&d.1),
        }),
        world,
        "policies/crossTenantAccessPolicy/default/$entity",
    )
}

/// A partner configuration as Graph answers it; `identitySynchronization` only when `expand`.
fn partner_value(p: mtosim_engine::view::PartnerObject<'_>, expand: bool) -> Value {
    let mut v = crate::to_value(&crate::policy::Partner::from(p));
    if !expand {
        if let Value::Object(o) = &mut v {
            o.shift_remove("identitySynchronization");
        }
    }
    v
}

/// `GET /policies/crossTenantAccessPolicy/partners/{tenantId}`, if `t` has a configuration for
/// `partner`; with `$expand=identitySynchronization` when `expand`.
pub fn partner(world: &World, t: TenantIdx, partner: TenantIdx, expand: bool) -> Option<Value> {
    let p = world.view(t).partners().find(|p| p.partner == partner)?;
    Some(with_context(
        partner_value(p, expand),
        world,
        "policies/crossTenantAccessPolicy/partners/$entity",
    ))
}

/// `GET /policies/crossTenantAccessPolicy/partners`, expanded as [`crate::partners`] is when
/// `expand`.
pub fn partners(world: &World, t: TenantIdx, expand: bool) -> Value {
    if expand {
        return crate::partners(world, t);
    }
    let value: Vec<Value> = world
        .view(t)
        .partners()
        .map(|p| partner_value(p, false))
        .collect();
    serde_json::json!({
        "@odata.context": odata::context(world, "policies/crossTenantAccessPolicy/partners"),
        "value": value,
    })
}

/// `GET .../partners/{tenantId}/identitySynchronization`, if the policy exists.
pub fn identity_sync_policy(world: &World, t: TenantIdx, partner: TenantIdx) -> Option<Value> {
    let p = world.view(t).partners().find(|p| p.partner == partner)?;
    let id = p.tenant_id;
    let s = crate::policy::Partner::from(p).identity_synchronization?;
    Some(with_context(
        crate::to_value(&s),
        world,
        &format!("policies/crossTenantAccessPolicy/partners('{id}')/identitySynchronization/$entity"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::parse_object;

    #[test]
    fn levels_are_flags_separated_by_commas() {
        let l = |s: &str| app_level(&Value::String(s.into()), "$.x");
        assert_eq!(l("newPartners,existingPartners").unwrap(), AppLevel::DEFAULT);
        assert_eq!(l("existingPartners, newPartners").unwrap(), AppLevel::DEFAULT);
        assert_eq!(l("none").unwrap(), AppLevel::NONE);
        assert!(l("everyone").unwrap_err().message.contains("$.x"));
    }

    #[test]
    fn keys_are_checked_with_their_path() {
        let body = parse_object(br#"{"foo": 1}"#).unwrap();
        let e = check_keys(
            &body,
            "$",
            "crossTenantAccessPolicyConfigurationPartner",
            &["tenantId"],
        )
        .unwrap_err();
        assert!(e.message.contains("'foo' does not exist"), "{}", e.message);
        assert!(e.message.contains("(at $.foo)"), "{}", e.message);
        let body = parse_object(br##"{"@odata.type": "#microsoft.graph.x"}"##).unwrap();
        assert!(check_keys(&body, "$", "x", &[]).is_ok());
    }

    #[test]
    fn null_is_accepted_only_while_unset() {
        let body = parse_object(br#"{"inboundAllowed": null, "outboundAllowed": true}"#).unwrap();
        assert_eq!(nullable_bool(&body, "inboundAllowed", "$.a", None).unwrap(), None);
        let e = nullable_bool(&body, "inboundAllowed", "$.a", Some(true)).unwrap_err();
        assert!(e.message.contains("$.a.inboundAllowed"), "{}", e.message);
        assert_eq!(
            nullable_bool(&body, "outboundAllowed", "$.a", None).unwrap(),
            Some(true)
        );
    }
}
