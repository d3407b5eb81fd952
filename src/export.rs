//! Graph-shaped JSON of each tenant's own view (`mtosim run FILE --out DIR`): the MTO object,
//! its member list, the join request record, both policy templates and the partner
//! configurations, with the property names and enum values of Microsoft Graph (mto-rules.md
//! section 11). The engine's types are not serializable; this module is the one place where
//! they are converted, by hand, so that the output contract lives in one file.

use mtosim_engine::directory::{account_flags, Attr, User};
use mtosim_engine::mto::{MemberEntry, Transition};
use mtosim_engine::tenant::Tenant;
use mtosim_engine::xtap::{Access, PartnerConfig};
use mtosim_engine::{Guid, RuleSetKind, SimTime, TenantIdx, World};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Version of the files' layout, written into `manifest.json`.
pub const SCHEMA_VERSION: u32 = 1;

fn base(world: &World) -> &'static str {
    match world.rules.kind {
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
    Guid::derive(
        world.seed,
        &[b"graph-id", what.as_bytes(), world.name(t).as_bytes()],
    )
    .to_string()
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
    let ga = world.rules.kind == RuleSetKind::Ga;
    let ctx = format!(
        "{}tenantRelationships/multiTenantOrganization/$entity",
        base(world)
    );
    let mut v = match world.mto_view(t).mto {
        Some(m) => {
            let mto = &world.mtos[m.ix()];
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
            world.mtos[m.ix()]
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
    for (i, rec) in world.prov_log.iter().enumerate() {
        let cfg = &world.configs[rec.config.ix()];
        if cfg.source != t {
            continue;
        }
        let src = world.tenant(cfg.source);
        let user = &src.dir.users[rec.user.ix()];
        let display = |u: &mtosim_engine::directory::User| {
            let d = u.attr(mtosim_engine::directory::Attr::DisplayName);
            if d.is_none() {
                u.upn.to_string()
            } else {
                world.strings.resolve(d).to_string()
            }
        };
        let job_id = format!(
            "Azure2Azure.{}",
            Guid::derive(
                world.seed,
                &[b"job", cfg.name.as_bytes(), world.name(t).as_bytes()]
            )
            .simple()
        );
        let target_identity = if rec.account == mtosim_engine::directory::NO_ACCOUNT {
            Value::Null
        } else {
            json!({
                "id": Guid::derive(world.seed, &[b"account", world.name(cfg.target).as_bytes(), &rec.account.to_le_bytes()]).to_string(),
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
            "id": Guid::derive(world.seed, &[b"prov", &(i as u64).to_le_bytes()]).to_string(),
            "activityDateTime": ts(rec.at),
            "cycleId": if rec.cycle == 0 { "ondemand".to_string() } else { format!("{}-{}", job_id, rec.cycle) },
            "changeId": Guid::derive(world.seed, &[b"change", &(i as u64).to_le_bytes()]).to_string(),
            "jobId": job_id,
            "provisioningAction": rec.action.as_str(),
            "provisioningStatusInfo": { "status": rec.status.as_str(), "errorInformation": error },
            "statusReason": if rec.reason.is_empty() { Value::Null } else { Value::String(rec.reason.to_string()) },
            "initiatedBy": { "displayName": "Azure AD Provisioning Service", "initiatorType": "system" },
            "servicePrincipal": { "displayName": cfg.name },
            "sourceSystem": { "displayName": "Azure Active Directory" },
            "targetSystem": { "displayName": "Azure Active Directory (target tenant)", "details": { "tenantId": tid(world, cfg.target) } },
            "sourceIdentity": {
                "id": Guid::derive(world.seed, &[b"user", world.name(t).as_bytes(), &rec.user.0.to_le_bytes()]).to_string(),
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

/// The header of the "Download users" CSV as observed in a real export (CTS-73).
pub const DOWNLOAD_USERS_HEADER: &[&str] = &[
    "userPrincipalName",
    "displayName",
    "surname",
    "mail",
    "givenName",
    "id",
    "userType",
    "jobTitle",
    "department",
    "accountEnabled",
    "usageLocation",
    "streetAddress",
    "state",
    "country",
    "officeLocation",
    "city",
    "postalCode",
    "telephoneNumber",
    "mobilePhone",
    "alternateEmailAddress",
    "ageGroup",
    "consentProvidedForMinor",
    "legalAgeGroupClassification",
    "companyName",
    "creationType",
    "directorySynced",
    "invitationState",
    "identityIssuer",
    "createdDateTime",
];

/// A user as the exports show it: internal, or an external account standing for another
/// tenant's user.
struct Row<'a> {
    id: String,
    upn: String,
    source: &'a User,
    user_type: &'static str,
    enabled: bool,
    external: Option<(Option<TenantIdx>, bool)>, // home tenant (if simulated), pending acceptance
    overrides: Option<&'a Vec<(Attr, mtosim_engine::strings::Sym)>>,
    created: SimTime,
}

impl Row<'_> {
    fn attr(&self, world: &World, a: Attr) -> String {
        match self
            .overrides
            .and_then(|o| o.iter().find(|(x, _)| *x == a).map(|(_, v)| *v))
        {
            Some(edited) => world.strings.resolve(edited).to_string(),
            None => self.source.text(a, &world.strings).to_string(),
        }
    }
}

/// Every non-deleted user object of tenant `t`, internal users first, then external accounts.
fn rows(world: &World, t: TenantIdx) -> Vec<Row<'_>> {
    let ten = world.tenant(t);
    let mut out = Vec::new();
    for (i, u) in ten.dir.users.iter().enumerate() {
        if u.deleted_at.is_some() {
            continue;
        }
        out.push(Row {
            id: Guid::derive(
                world.seed,
                &[b"user", world.name(t).as_bytes(), &(i as u32).to_le_bytes()],
            )
            .to_string(),
            upn: u.upn.to_string(),
            source: u,
            user_type: u.user_type.as_str(),
            enabled: u.account_enabled,
            // an imported B2B user (#EXT# UPN) whose home tenant is not simulated
            external: u.external.then_some((None, false)),
            overrides: None,
            created: world.start,
        });
    }
    for (ai, a) in ten.dir.externals.iter().enumerate() {
        if a.is_soft_deleted() || a.is_purged() {
            continue;
        }
        let ai = ai as u32;
        out.push(Row {
            id: Guid::derive(
                world.seed,
                &[b"account", world.name(t).as_bytes(), &ai.to_le_bytes()],
            )
            .to_string(),
            upn: world.external_upn(t, ai),
            source: &world.tenant(a.source_tenant).dir.users[a.source_user.ix()],
            user_type: a.user_type.as_str(),
            enabled: a.is_enabled(),
            external: Some((
                Some(a.source_tenant),
                a.flags & account_flags::PENDING_ACCEPTANCE != 0,
            )),
            overrides: ten.dir.attr_override.get(&ai),
            created: a.created_at,
        });
    }
    out
}

/// Neutralises a CSV cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, and
/// the tab and carriage return that some spreadsheets also honour) by prefixing a quote.
pub fn csv_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// `8/19/2021 1:25:31 PM`, the portal's (US locale) format seen in CTS-73.
fn portal_time(t: SimTime) -> String {
    let (y, mo, d, h, mi, s) = t.civil();
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo}/{d}/{y} {h12}:{mi:02}:{s:02} {ampm}")
}

/// Tenant `t`'s users as the Entra admin center's "Download users" CSV (CTS-73's header), with
/// formula cells neutralised.
pub fn users_csv(world: &World, t: TenantIdx) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(DOWNLOAD_USERS_HEADER).expect("in memory");
    let domain = &world.tenant(t).spec.initial_domain;
    for r in rows(world, t) {
        let a = |x: Attr| r.attr(world, x);
        let (creation, state, issuer) = match r.external {
            None => (String::new(), String::new(), domain.clone()),
            Some((home, pending)) => (
                "Invitation".to_string(),
                if pending { "PendingAcceptance" } else { "Accepted" }.to_string(),
                home.map_or_else(
                    || "ExternalAzureAD".to_string(),
                    |h| world.tenant(h).spec.initial_domain.clone(),
                ),
            ),
        };
        let record = [
            r.upn.clone(),
            a(Attr::DisplayName),
            a(Attr::Surname),
            a(Attr::Mail),
            a(Attr::GivenName),
            r.id.clone(),
            r.user_type.to_string(),
            a(Attr::JobTitle),
            a(Attr::Department),
            if r.enabled { "True" } else { "False" }.to_string(),
            a(Attr::UsageLocation),
            a(Attr::StreetAddress),
            a(Attr::State),
            a(Attr::Country),
            a(Attr::OfficeLocation),
            a(Attr::City),
            a(Attr::PostalCode),
            a(Attr::TelephoneNumber),
            a(Attr::MobilePhone),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            a(Attr::CompanyName),
            creation,
            String::new(),
            state,
            issuer,
            portal_time(r.created),
        ];
        w.write_record(record.iter().map(|c| csv_safe(c)))
            .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

/// Tenant `t`'s users as `GET /users` would list them (CTS-74): synchronized accounts carry
/// `creationType` Invitation, `externalUserState` and an identity issued by their home
/// tenant's initial domain (a documented choice, CTS-38).
pub fn users_json(world: &World, t: TenantIdx) -> Value {
    let domain = &world.tenant(t).spec.initial_domain;
    let users: Vec<Value> = rows(world, t)
        .into_iter()
        .map(|r| {
            let mut v = serde_json::Map::new();
            v.insert("id".into(), Value::String(r.id.clone()));
            v.insert("userPrincipalName".into(), Value::String(r.upn.clone()));
            for a in Attr::ALL {
                let x = r.attr(world, *a);
                v.insert(a.graph_name().into(), if x.is_empty() { Value::Null } else { Value::String(x) });
            }
            v.insert("userType".into(), Value::String(r.user_type.into()));
            v.insert("accountEnabled".into(), Value::Bool(r.enabled));
            v.insert("createdDateTime".into(), ts(r.created));
            match r.external {
                None => {
                    v.insert("creationType".into(), Value::Null);
                    v.insert("externalUserState".into(), Value::Null);
                    v.insert("showInAddressList".into(), Value::Null);
                    v.insert(
                        "identities".into(),
                        json!([{ "signInType": "userPrincipalName", "issuer": domain, "issuerAssignedId": r.upn }]),
                    );
                }
                Some((home, pending)) => {
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

/// Every event as one JSON object per line, with a schema version.
pub fn events_jsonl(world: &World) -> String {
    let mut out = String::new();
    for ev in world.events() {
        out.push_str(&serde_json::to_string(&event_json(world, ev)).expect("JSON values serialize"));
        out.push('\n');
    }
    out
}

/// One event as JSON: `schemaVersion`, `at`, `tenant`, `event`, `rules`, `text`.
pub fn event_json(world: &World, ev: &mtosim_engine::event::Event) -> Value {
    json!({
        "schemaVersion": SCHEMA_VERSION,
        "at": ts(ev.at),
        "tenant": world.name(ev.tenant),
        "tenantId": tid(world, ev.tenant),
        "event": crate::narrate::kind_name(&ev.kind),
        "rules": ev.rules.iter().map(|r| r.0).collect::<Vec<_>>(),
        "text": crate::narrate::describe(world, ev),
    })
}

/// The tenants and their sync configurations as a Graphviz digraph (built with petgraph):
/// owners as double octagons, members as boxes, pending tenants dashed, tenants outside any
/// MTO grey; one edge per live configuration, labelled with its name and account count.
pub fn topology_dot(world: &World) -> String {
    use petgraph::dot::{Config, Dot};
    use petgraph::graph::Graph;
    let mut g: Graph<(String, String), (String, String)> = Graph::new();
    let mut nodes = Vec::new();
    for (i, ten) in world.tenants.iter().enumerate() {
        let ti = TenantIdx(i as u16);
        let (shape, style, what) = match world.mto_view(ti).mto {
            Some(m) => {
                let e = world.mtos[m.ix()].entry(ti).expect("listed");
                let shape = if e.role == mtosim_engine::mto::Role::Owner {
                    "doubleoctagon"
                } else {
                    "box"
                };
                (
                    shape,
                    "solid",
                    format!("{} ({})", e.role.as_str(), e.state.as_str()),
                )
            }
            None if world.listed_mto(ti).is_some() => ("box", "dashed", "pending".to_string()),
            None => ("box", "filled", "not in an MTO".to_string()),
        };
        let label = format!("{}\\n{}", dot_escape(&ten.spec.display_name), what);
        let attrs = format!(
            "label=\"{label}\" shape={shape} style={style}{}",
            if style == "filled" {
                " fillcolor=lightgrey"
            } else {
                ""
            }
        );
        nodes.push(g.add_node((ten.name().to_string(), attrs)));
    }
    for c in world.configs.iter().filter(|c| !c.deleted) {
        let n = world
            .tenant(c.target)
            .dir
            .externals
            .iter()
            .filter(|a| a.source_tenant == c.source && !a.is_soft_deleted() && !a.is_purged())
            .filter(|a| {
                world
                    .configs
                    .get(a.config.ix())
                    .is_some_and(|x| x.name == c.name && x.source == c.source)
            })
            .count();
        let label = format!(
            "{}\\n{} account{} ({})",
            dot_escape(&c.name),
            n,
            if n == 1 { "" } else { "s" },
            c.job.status.as_str()
        );
        let style = if c.job.scheduled { "solid" } else { "dashed" };
        g.add_edge(
            nodes[c.source.ix()],
            nodes[c.target.ix()],
            (c.name.clone(), format!("label=\"{label}\" style={style}")),
        );
    }
    let edge_attrs = |_, e: petgraph::graph::EdgeReference<'_, (String, String)>| e.weight().1.clone();
    let node_attrs = |_, n: (petgraph::graph::NodeIndex, &(String, String))| n.1 .1.clone();
    let dot = Dot::with_attr_getters(
        &g,
        &[Config::EdgeNoLabel, Config::NodeNoLabel],
        &edge_attrs,
        &node_attrs,
    );
    format!("{dot:?}")
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Every file of the export, as (relative path, contents), in a stable order.
pub fn files(world: &World) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let pretty = |v: &Value| serde_json::to_string_pretty(v).expect("JSON values serialize") + "\n";
    for i in 0..world.tenants.len() {
        let t = TenantIdx(i as u16);
        let dir = PathBuf::from(world.name(t));
        for (name, v) in [
            (
                "multiTenantOrganization.json",
                multi_tenant_organization(world, t),
            ),
            ("tenants.json", tenants(world, t)),
            ("joinRequest.json", join_request(world, t)),
            (
                "multiTenantOrganizationPartnerConfiguration.json",
                partner_template(world, t),
            ),
            (
                "multiTenantOrganizationIdentitySynchronization.json",
                identity_template(world, t),
            ),
            ("partners.json", partners(world, t)),
        ] {
            out.push((dir.join(name), pretty(&v)));
        }
        if world.log_provisioning {
            out.push((dir.join("provisioning.jsonl"), provisioning_jsonl(world, t)));
        }
        out.push((dir.join("users.csv"), users_csv(world, t)));
        out.push((dir.join("users.json"), pretty(&users_json(world, t))));
    }
    let manifest = json!({
        "schemaVersion": SCHEMA_VERSION,
        "generator": format!("mtosim {}", env!("CARGO_PKG_VERSION")),
        "rules": world.rules.kind.name(),
        "seed": world.seed,
        "simulatedTime": ts(world.now),
        "tenants": world.tenants.iter().map(|t| json!({
            "name": t.name(),
            "tenantId": t.spec.tenant_id.to_string(),
            "displayName": t.spec.display_name,
        })).collect::<Vec<_>>(),
    });
    out.push((PathBuf::from("manifest.json"), pretty(&manifest)));
    out.push((PathBuf::from("events.jsonl"), events_jsonl(world)));
    out.push((PathBuf::from("topology.dot"), topology_dot(world)));
    out
}

/// Writes `files` below `dir`: each file to a temporary name first, then renamed, so no reader
/// ever sees a half-written file. A non-empty `dir` is refused unless `force`.
pub fn write(dir: &Path, files: &[(PathBuf, String)], force: bool) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{} is a file, not a directory; name a directory for --out",
            dir.display()
        ));
    }
    // find every conflict before writing anything, so that a refusal leaves no partial set
    for (rel, _) in files {
        let path = dir.join(rel);
        let mut p = path.parent();
        while let Some(d) = p.filter(|d| d.starts_with(dir) && *d != dir) {
            if d.exists() && !d.is_dir() {
                return Err(format!(
                    "{} is a file where mtosim writes a directory; remove it or choose another --out",
                    d.display()
                ));
            }
            p = d.parent();
        }
        if path.is_dir() {
            return Err(format!(
                "{} is a directory where mtosim writes a file; remove it or choose another --out",
                path.display()
            ));
        }
    }
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() && !force {
            return Err(format!(
                "{} is not empty; choose an empty or new directory, or pass --force to overwrite the files mtosim writes there",
                dir.display()
            ));
        }
    }
    // two phases: every file to a temporary name, then every rename
    let mut written = Vec::with_capacity(files.len());
    for (rel, contents) in files {
        let path = dir.join(rel);
        let parent = path.parent().expect("files live in a directory");
        let mut tmp_name = path.file_name().expect("files have names").to_os_string();
        tmp_name.push(".mtosim.tmp");
        let tmp = path.with_file_name(tmp_name);
        let res = std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))
            .and_then(|_| {
                std::fs::write(&tmp, contents).map_err(|e| format!("cannot write {}: {e}", tmp.display()))
            });
        if let Err(e) = res {
            for (t, _) in &written {
                let _ = std::fs::remove_file(t);
            }
            return Err(e);
        }
        written.push((tmp, path));
    }
    for (tmp, path) in &written {
        std::fs::rename(tmp, path).map_err(|e| format!("cannot rename {}: {e}", tmp.display()))?;
    }
    Ok(())
}
