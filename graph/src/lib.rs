//! # mtosim-graph
//!
//! The only crate that knows Microsoft Graph's JSON: each tenant's own view as Graph would
//! return it (the MTO object, its member list, the join request record, both policy templates,
//! the partner configurations, users and provisioning records), with Graph's property names
//! and enum values. The engine's types are not serializable; this crate converts the engine's
//! views, so that the output contract lives in one place.
//!
//! It must not: decide anything the engine decides (it renders views, it computes nothing
//! about tenants), or speak the scenario file's words.

use mtosim_engine::directory::Attr;
use mtosim_engine::mto::{MemberEntry, Transition};
use mtosim_engine::tenant::Tenant;
use mtosim_engine::view::UserOrigin;
use mtosim_engine::xtap::{Access, PartnerConfig};
use mtosim_engine::{Guid, RuleSetKind, SimTime, TenantIdx, World};
use serde_json::{json, Value};

fn base(world: &World) -> &'static str {
    match world.rules().kind {
        RuleSetKind::Ga => "https://graph.microsoft.com/v1.0/$metadata#",
        RuleSetKind::Preview2023 => "https://graph.microsoft.com/beta/$metadata#",
    }
}

fn ts(t: SimTime) -> Value {
    Value::String(t.to_string())
}

fn opt_ts(t: Option<SimTime>) -> Value {
    t.map_or(Value::Null, ts)
}

fn tid(world: &World, t: TenantIdx) -> String {
    world.tenant(t).spec.tenant_id.to_string()
}

fn local_id(world: &World, t: TenantIdx, what: &str) -> String {
    world.singleton_id(t, what).to_string()
}

fn transition(t: &Option<Transition>) -> Value {
    match t {
        None => Value::Null,
        Some(t) => json!({
            "desiredState": t.desired_state.as_str(),
            "desiredRole": t.desired_role.as_str(),
            "status": t.status.as_str(),
            "details": t.details,
        }),
    }
}

fn member(world: &World, e: &MemberEntry) -> Value {
    json!({
        "tenantId": tid(world, e.tenant),
        "displayName": world.tenant(e.tenant).spec.display_name,
        "addedDateTime": ts(e.added_at),
        "joinedDateTime": opt_ts(e.joined_at),
        "addedByTenantId": tid(world, e.added_by),
        "role": e.role.as_str(),
        "state": e.state.as_str(),
        "transitionDetails": transition(&e.transition),
    })
}

/// `GET /tenantRelationships/multiTenantOrganization` as `t` sees it (MTO-2, MTO-11).
pub fn multi_tenant_organization(world: &World, t: TenantIdx) -> Value {
    let ga = world.rules().kind == RuleSetKind::Ga;
    let ctx = format!(
        "{}tenantRelationships/multiTenantOrganization/$entity",
        base(world)
    );
    let mut v = match world.mto_view(t).mto {
        Some(m) => {
            let mto = &world.mtos()[m.ix()];
            json!({
                "@odata.context": ctx,
                "id": world.tenant(t).local_mto_id.map(|g| g.to_string()),
                "createdDateTime": ts(mto.created_at),
                "displayName": mto.display_name,
                "description": mto.description,
                "state": "active",
            })
        }
        None => json!({
            "@odata.context": ctx,
            "createdDateTime": null,
            "displayName": null,
            "description": null,
            "state": "inactive",
        }),
    };
    if !ga {
        // the 2023 beta resource had no state property (MTO-11)
        v.as_object_mut().expect("an object").remove("state");
    }
    v
}

/// `GET .../multiTenantOrganization/tenants`: the member list `t` can read.
pub fn tenants(world: &World, t: TenantIdx) -> Value {
    let members: Vec<Value> = world
        .listed_mto(t)
        .map(|m| {
            world.mtos()[m.ix()]
                .members
                .iter()
                .map(|e| member(world, e))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "@odata.context": format!("{}tenantRelationships/multiTenantOrganization/tenants", base(world)),
        "value": members,
    })
}

/// `GET .../multiTenantOrganization/joinRequest` (MTO-28).
pub fn join_request(world: &World, t: TenantIdx) -> Value {
    let j = &world.tenant(t).join;
    json!({
        "@odata.context": format!("{}tenantRelationships/multiTenantOrganization/joinRequest/$entity", base(world)),
        "id": local_id(world, t, "joinRequest"),
        "addedByTenantId": j.added_by.map_or(Guid::ZERO.to_string(), |a| tid(world, a)),
        "memberState": j.member_state.map(|s| s.as_str()),
        "role": j.role.map(|r| r.as_str()),
        "transitionDetails": j.transition.as_ref().map(|(status, details)| json!({
            "desiredMemberState": "active",
            "status": status.as_str(),
            "details": details,
        })),
    })
}

fn inbound_trust(mfa: Option<bool>) -> Value {
    match mfa {
        None => Value::Null,
        Some(v) => json!({
            "isMfaAccepted": v,
            "isCompliantDeviceAccepted": false,
            "isHybridAzureADJoinedDeviceAccepted": false,
        }),
    }
}

/// The partner configuration template (MTO-59, section 11.6).
pub fn partner_template(world: &World, t: TenantIdx) -> Value {
    let tp = &world.tenant(t).templates;
    json!({
        "@odata.context": format!("{}policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration/$entity", base(world)),
        "id": local_id(world, t, "partnerTemplate"),
        "templateApplicationLevel": tp.partner_level.graph_value(),
        "inboundTrust": inbound_trust(tp.mfa_trust),
        "b2bCollaborationInbound": null,
        "b2bCollaborationOutbound": null,
        "b2bDirectConnectInbound": null,
        "b2bDirectConnectOutbound": null,
        "automaticUserConsentSettings": {
            "inboundAllowed": tp.auto_redeem_inbound,
            "outboundAllowed": tp.auto_redeem_outbound,
        },
    })
}

/// The identity synchronization template (MTO-60, section 11.7).
pub fn identity_template(world: &World, t: TenantIdx) -> Value {
    let tp = &world.tenant(t).templates;
    json!({
        "@odata.context": format!("{}policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization/$entity", base(world)),
        "id": local_id(world, t, "identityTemplate"),
        "templateApplicationLevel": tp.identity_level.graph_value(),
        "userSyncInbound": { "isSyncAllowed": tp.sync_inbound },
    })
}

fn b2b(access: Option<Access>) -> Value {
    match access {
        None => Value::Null,
        Some(a) => {
            let at = match a {
                Access::Allowed => "allowed",
                Access::Blocked => "blocked",
            };
            json!({
                "usersAndGroups": { "accessType": at, "targets": [{ "target": "AllUsers", "targetType": "user" }] },
                "applications": { "accessType": at, "targets": [{ "target": "AllApplications", "targetType": "application" }] },
            })
        }
    }
}

fn partner(world: &World, me: &Tenant, other: TenantIdx, p: &PartnerConfig) -> Value {
    let other_t = world.tenant(other);
    let me_idx = world.tenant_by_name(me.name()).expect("a tenant of this world");
    json!({
        "tenantId": tid(world, other),
        "isServiceProvider": other_t.spec.csp_of.contains(&me_idx),
        "isInMultiTenantOrganization": p.in_mto,
        "inboundTrust": inbound_trust(p.mfa_trust),
        "b2bCollaborationInbound": b2b(p.b2b_inbound),
        "b2bCollaborationOutbound": null,
        "b2bDirectConnectInbound": null,
        "b2bDirectConnectOutbound": null,
        "automaticUserConsentSettings": {
            "inboundAllowed": p.auto_redeem_inbound,
            "outboundAllowed": p.auto_redeem_outbound,
        },
        "identitySynchronization": if p.has_sync_policy {
            json!({
                "tenantId": tid(world, other),
                "displayName": other_t.spec.display_name,
                "userSyncInbound": { "isSyncAllowed": p.sync_inbound },
            })
        } else {
            Value::Null
        },
    })
}

/// `GET /policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization`.
pub fn partners(world: &World, t: TenantIdx) -> Value {
    let me = world.tenant(t);
    let value: Vec<Value> = me
        .partners
        .iter()
        .map(|(&o, p)| partner(world, me, o, p))
        .collect();
    json!({
        "@odata.context": format!("{}policies/crossTenantAccessPolicy/partners(identitySynchronization())", base(world)),
        "value": value,
    })
}

/// The provisioning log of configurations whose source is `t`, one JSON object per line in the
/// `provisioningObjectSummary` shape (CTS-62). Needs `World::log_provisioning`.
pub fn provisioning_jsonl(world: &World, t: TenantIdx) -> String {
    let mut out = String::new();
    for (i, rec) in world.provisioning_log().iter().enumerate() {
        let cfg = &world.configs()[rec.config.ix()];
        if cfg.source != t {
            continue;
        }
        let src = world.tenant(cfg.source);
        let user = &src.dir.users()[rec.user.ix()];
        let display = |u: &mtosim_engine::directory::User| {
            let d = u.attr(mtosim_engine::directory::Attr::DisplayName);
            if d.is_none() {
                u.upn.to_string()
            } else {
                world.strings().resolve(d).to_string()
            }
        };
        let job_id = format!(
            "Azure2Azure.{}",
            Guid::derive(
                world.seed(),
                &[b"job", cfg.name.as_bytes(), world.name(t).as_bytes()]
            )
            .simple()
        );
        let target_identity = if rec.account == mtosim_engine::directory::NO_ACCOUNT {
            Value::Null
        } else {
            json!({
                "id": Guid::derive(world.seed(), &[b"account", world.name(cfg.target).as_bytes(), &rec.account.to_le_bytes()]).to_string(),
                "displayName": display(user),
                "identityType": "User",
                "details": { "userPrincipalName": world.external_upn(cfg.target, rec.account) },
            })
        };
        let error = if rec.status == mtosim_engine::sync::ProvStatus::Failure {
            json!({ "errorCode": rec.reason, "reason": rec.reason })
        } else {
            Value::Null
        };
        let v = json!({
            "id": Guid::derive(world.seed(), &[b"prov", &(i as u64).to_le_bytes()]).to_string(),
            "activityDateTime": ts(rec.at),
            "cycleId": if rec.cycle == 0 { "ondemand".to_string() } else { format!("{}-{}", job_id, rec.cycle) },
            "changeId": Guid::derive(world.seed(), &[b"change", &(i as u64).to_le_bytes()]).to_string(),
            "jobId": job_id,
            "provisioningAction": rec.action.as_str(),
            "provisioningStatusInfo": { "status": rec.status.as_str(), "errorInformation": error },
            "statusReason": if rec.reason.is_empty() { Value::Null } else { Value::String(rec.reason.to_string()) },
            "initiatedBy": { "displayName": "Azure AD Provisioning Service", "initiatorType": "system" },
            "servicePrincipal": { "displayName": cfg.name },
            "sourceSystem": { "displayName": "Azure Active Directory" },
            "targetSystem": { "displayName": "Azure Active Directory (target tenant)", "details": { "tenantId": tid(world, cfg.target) } },
            "sourceIdentity": {
                "id": Guid::derive(world.seed(), &[b"user", world.name(t).as_bytes(), &rec.user.0.to_le_bytes()]).to_string(),
                "displayName": display(user),
                "identityType": "User",
                "details": { "userPrincipalName": user.upn.to_string() },
            },
            "targetIdentity": target_identity,
        });
        out.push_str(&serde_json::to_string(&v).expect("JSON values serialize"));
        out.push('\n');
    }
    out
}

/// Tenant `t`'s users as `GET /users` would list them (CTS-74): synchronized accounts carry
/// `creationType` Invitation, `externalUserState` and an identity issued by their home
/// tenant's initial domain (a documented choice, CTS-38).
pub fn users_json(world: &World, t: TenantIdx) -> Value {
    let domain = &world.tenant(t).spec.initial_domain;
    let users: Vec<Value> = world
        .view(t)
        .users()
        .map(|u| {
            let mut v = serde_json::Map::new();
            v.insert("id".into(), Value::String(u.id.to_string()));
            v.insert("userPrincipalName".into(), Value::String(u.upn.clone()));
            for a in Attr::ALL {
                v.insert(
                    a.graph_name().into(),
                    u.attr(*a).map_or(Value::Null, |x| Value::String(x.to_string())),
                );
            }
            v.insert("userType".into(), Value::String(u.user_type.as_str().into()));
            v.insert("accountEnabled".into(), Value::Bool(u.account_enabled));
            v.insert("createdDateTime".into(), ts(u.created));
            match u.origin {
                UserOrigin::Internal => {
                    v.insert("creationType".into(), Value::Null);
                    v.insert("externalUserState".into(), Value::Null);
                    v.insert("showInAddressList".into(), Value::Null);
                    v.insert(
                        "identities".into(),
                        json!([{ "signInType": "userPrincipalName", "issuer": domain, "issuerAssignedId": u.upn }]),
                    );
                }
                UserOrigin::ImportedExternal | UserOrigin::Account { .. } => {
                    let (home, pending) = match u.origin {
                        UserOrigin::Account {
                            home,
                            pending_acceptance,
                        } => (Some(home), pending_acceptance),
                        _ => (None, false),
                    };
                    v.insert("creationType".into(), Value::String("Invitation".into()));
                    v.insert(
                        "externalUserState".into(),
                        Value::String(if pending { "PendingAcceptance" } else { "Accepted" }.into()),
                    );
                    v.insert("showInAddressList".into(), Value::Bool(true));
                    v.insert(
                        "identities".into(),
                        json!([{
                            "signInType": "federated",
                            "issuer": home.map_or_else(|| "ExternalAzureAD".to_string(), |h| world.tenant(h).spec.initial_domain.clone()),
                            "issuerAssignedId": null,
                        }]),
                    );
                }
            }
            Value::Object(v)
        })
        .collect();
    json!({ "@odata.context": format!("{}users", base(world)), "value": users })
}
