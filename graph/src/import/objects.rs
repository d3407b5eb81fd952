//! The objects of the tenant folders, in the order their references need: every tenant's own
//! users (and their managers), then the accounts standing for users of other imported tenants
//! (linked to their home users by the `#EXT#` UPN, CTS-30), then groups (a group whose
//! members are such accounts is one cross-tenant synchronization created, CTS-63), partner
//! configurations, the default configuration, templates, the MTO and its members, and the join
//! request records.

use super::json::{Obj, Problem, Unread};
use super::{guid, time, Folder, Summary, TenantSummary};
use mtosim_engine::action::{PartnerPatch, TemplatesPatch};
use mtosim_engine::build::{Builder, ImportedAccount, ImportedMember};
use mtosim_engine::directory::{Attr, GroupKind, ObjectKind, UserType};
use mtosim_engine::extra::ExtraProp;
use mtosim_engine::membership::MembershipRule;
use mtosim_engine::mto::{MemberState, ProcessingStatus, Role, Transition};
use mtosim_engine::tenant::JoinRecord;
use mtosim_engine::user::NewUser;
use mtosim_engine::xtap::{Access, AppLevel, AppTarget, B2bSetting, UserTarget};
use mtosim_engine::{GroupIdx, Guid, SimTime, TenantIdx, UserIdx};
use serde_json::Value;
use std::collections::HashMap;

type R<T> = Result<T, Problem>;

/// The user properties the import reads (the rest are reported once per name).
const USER_PROPS: &[&str] = &[
    "id",
    "userPrincipalName",
    "userType",
    "accountEnabled",
    "createdDateTime",
    "creationType",
    "externalUserState",
    "showInAddressList",
    "identities",
    "businessPhones",
    "faxNumber",
    "employeeHireDate",
    "onPremisesDistinguishedName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "passwordPolicies",
    "otherMails",
    "proxyAddresses",
    "onPremisesExtensionAttributes",
    "manager",
    "extension_*",
];

const GROUP_PROPS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "groupTypes",
    "mailEnabled",
    "securityEnabled",
    "isAssignableToRole",
    "membershipRule",
    "membershipRuleProcessingState",
    "members",
];

const PARTNER_PROPS: &[&str] = &[
    "tenantId",
    "isServiceProvider",
    "isInMultiTenantOrganization",
    "inboundTrust",
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "automaticUserConsentSettings",
    "identitySynchronization",
];

/// Ids the export gave, per tenant: users, accounts, groups (own), synced groups.
#[derive(Default)]
pub(super) struct Ids {
    pub users: HashMap<Guid, UserIdx>,
    pub accounts: HashMap<Guid, u32>,
    pub groups: HashMap<Guid, GroupIdx>,
}

/// An account waiting for every tenant's users: its tenant, file, path and object.
struct Pending {
    folder: usize,
    file: String,
    path: String,
    value: Value,
}

pub(super) fn import_objects(folders: &mut [Folder<'_>], b: &mut Builder, summary: &mut Summary) -> R<()> {
    let initial: HashMap<String, TenantIdx> = folders
        .iter()
        .map(|f| {
            (
                b.world()
                    .tenant(f.tenant)
                    .spec
                    .initial_domain
                    .to_ascii_lowercase(),
                f.tenant,
            )
        })
        .collect();
    let mut ids: Vec<Ids> = folders.iter().map(|_| Ids::default()).collect();
    let mut accounts = Vec::new();
    let mut latest = SimTime::DEFAULT_START;
    for (fi, f) in folders.iter().enumerate() {
        let mut s = TenantSummary {
            name: f.name.clone(),
            tenant: f.tenant,
            folder: if f.rel.is_empty() {
                f.label.clone()
            } else {
                format!("{}/{}", f.label, f.rel)
            },
            users: 0,
            accounts: 0,
            groups: 0,
            partners: 0,
            configs: 0,
            quota_known: f.quota_known,
            missing: Vec::new(),
        };
        for (name, _) in super::ENDPOINT_FILES {
            if !f.has(name) {
                s.missing.push(name);
            }
        }
        let mut unread = Unread::default();
        let mut managers = Vec::new();
        for (file, path, v) in f
            .collection("users.json", &mut summary.warnings)?
            .unwrap_or_default()
        {
            let o = Obj::new(&file, path.clone(), &v)?;
            o.count_unread(&user_props(), &mut unread);
            let upn = o.req_str("userPrincipalName")?;
            let issuer = issuer(&o)?;
            let external = o.str("creationType")? == Some("Invitation") || upn.contains("#EXT#");
            if external
                && issuer.is_some_and(|i| {
                    initial
                        .get(&i.to_ascii_lowercase())
                        .is_some_and(|&h| h != f.tenant)
                })
            {
                accounts.push(Pending {
                    folder: fi,
                    file,
                    path,
                    value: v.clone(),
                });
                continue;
            }
            let (id, created) = identity(&o)?;
            if let Some(t) = created {
                latest = latest.max(t);
            }
            let user = NewUser {
                upn: upn.to_string(),
                attrs: attrs(&o)?,
                user_type: user_type(&o)?,
                account_enabled: o.bool("accountEnabled")?.unwrap_or(true),
                extra: extras(&o)?.into_iter().chain(extensions(&v)).fold(
                    Vec::new(),
                    |mut acc: Vec<(ExtraProp, Vec<String>)>, (p, v)| {
                        match acc.iter_mut().find(|(q, _)| *q == p) {
                            Some((_, vs)) => vs.push(v.to_string()),
                            None => acc.push((p, vec![v.to_string()])),
                        }
                        acc
                    },
                ),
            };
            let u = b
                .add_user(f.tenant, &user)
                .map_err(|e| o.err("userPrincipalName", e.to_string()))?;
            if ids[fi].users.insert(id, u).is_some() {
                return Err(o.err("id", format!("id {id} is used by two users")));
            }
            b.set_object_id(f.tenant, ObjectKind::User, u.0, id);
            if let Some(t) = created {
                b.set_user_created(f.tenant, u, t);
            }
            if let Some(m) = o.obj("manager")? {
                managers.push((u, guid(&m, "id")?, o.err("manager", "")));
            }
            s.users += 1;
        }
        for (u, m, at) in managers {
            let Some(m) = m.and_then(|m| ids[fi].users.get(&m).copied()) else {
                summary.warnings.push(Problem {
                    message: "the manager is not a user of this export; the user has none here".into(),
                    ..at
                });
                continue;
            };
            b.set_manager(f.tenant, u, m).map_err(|e| Problem {
                message: e.to_string(),
                ..at.clone()
            })?;
        }
        summary
            .warnings
            .extend(unread.warnings(&f.shown("users.json"), "user"));
        summary.tenants.push(s);
    }
    import_accounts(folders, b, summary, &initial, &mut ids, accounts, &mut latest)?;
    for (fi, f) in folders.iter().enumerate() {
        summary.tenants[fi].groups = import_groups(f, b, summary, &mut ids, fi)?;
    }
    for (fi, f) in folders.iter().enumerate() {
        summary.tenants[fi].partners = import_partners(f, folders, b, summary, &ids)?;
        import_default(f, b, summary, &ids[fi])?;
        import_templates(f, b)?;
    }
    import_mtos(folders, b, &mut latest)?;
    for f in folders.iter() {
        import_join_request(f, folders, b)?;
        partner_flags(f, folders, b)?;
    }
    if summary.time.is_none() {
        summary.time = Some(latest);
    }
    super::sync::import_configs(folders, b, summary, &ids)?;
    Ok(())
}

fn user_props() -> Vec<&'static str> {
    let mut v = USER_PROPS.to_vec();
    v.extend(Attr::ALL.iter().map(|a| a.graph_name()));
    v
}

/// The issuer of the first identity, if any.
fn issuer<'a>(o: &Obj<'a>) -> R<Option<&'a str>> {
    match o.arr("identities")?.first() {
        None => Ok(None),
        Some(v) => Obj::new(o.file, format!("{}.identities[0]", o.path), v)?.str("issuer"),
    }
}

fn identity(o: &Obj<'_>) -> R<(Guid, Option<SimTime>)> {
    let id = guid(o, "id")?.ok_or_else(|| o.err("id", "\"id\" is missing"))?;
    Ok((id, time(o, "createdDateTime")?))
}

fn user_type(o: &Obj<'_>) -> R<UserType> {
    match o.str("userType")? {
        None => Ok(UserType::Member),
        Some(s) => {
            UserType::parse(s).ok_or_else(|| o.err("userType", format!("\"{s}\" is not Member or Guest")))
        }
    }
}

/// The stored attributes: Graph's names, `businessPhones[0]` as `telephoneNumber`.
fn attrs(o: &Obj<'_>) -> R<Vec<(Attr, String)>> {
    let mut out = Vec::new();
    for &a in Attr::ALL {
        let v = if a == Attr::TelephoneNumber {
            o.strs("businessPhones")?.first().copied()
        } else {
            o.str(a.graph_name())?
        };
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.push((a, v.to_string()));
        }
    }
    Ok(out)
}

/// The sparse properties, one value per entry (collections give several entries).
fn extras(o: &Obj<'_>) -> R<Vec<(ExtraProp, String)>> {
    let mut out = Vec::new();
    let one = |name: &str, p: ExtraProp, out: &mut Vec<(ExtraProp, String)>| -> R<()> {
        if let Some(v) = o.str(name)? {
            out.push((p, v.to_string()));
        }
        Ok(())
    };
    one("faxNumber", ExtraProp::FacsimileTelephoneNumber, &mut out)?;
    one("employeeHireDate", ExtraProp::EmployeeHireDate, &mut out)?;
    one(
        "onPremisesDistinguishedName",
        ExtraProp::OnPremisesDistinguishedName,
        &mut out,
    )?;
    one(
        "onPremisesSecurityIdentifier",
        ExtraProp::OnPremisesSecurityIdentifier,
        &mut out,
    )?;
    if let Some(v) = o.bool("onPremisesSyncEnabled")? {
        out.push((ExtraProp::DirSyncEnabled, v.to_string()));
    }
    one("passwordPolicies", ExtraProp::PasswordPolicies, &mut out)?;
    for (name, p) in [
        ("otherMails", ExtraProp::OtherMails),
        ("proxyAddresses", ExtraProp::ProxyAddresses),
    ] {
        out.extend(o.strs(name)?.into_iter().map(|v| (p.clone(), v.to_string())));
    }
    if let Some(ext) = o.obj("onPremisesExtensionAttributes")? {
        for n in 1..=15u8 {
            if let Some(v) = ext.str(&format!("extensionAttribute{n}"))? {
                out.push((ExtraProp::ExtensionAttribute(n), v.to_string()));
            }
        }
    }
    Ok(out)
}

/// Directory extensions (`extension_<appId>_<name>`), read from the object's own keys.
fn extensions(v: &Value) -> Vec<(ExtraProp, String)> {
    let Value::Object(map) = v else { return Vec::new() };
    map.iter()
        .filter_map(|(k, v)| match (ExtraProp::parse(k), v) {
            (Some(p @ ExtraProp::Extension(_)), Value::String(s)) => Some((p, s.clone())),
            _ => None,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn import_accounts(
    folders: &[Folder<'_>],
    b: &mut Builder,
    summary: &mut Summary,
    initial: &HashMap<String, TenantIdx>,
    ids: &mut [Ids],
    accounts: Vec<Pending>,
    latest: &mut SimTime,
) -> R<()> {
    let mut managers = Vec::new();
    for p in &accounts {
        let f = &folders[p.folder];
        let o = Obj::new(&p.file, p.path.clone(), &p.value)?;
        let upn = o.req_str("userPrincipalName")?;
        let home = issuer(&o)?
            .and_then(|i| initial.get(&i.to_ascii_lowercase()))
            .copied()
            .expect("accounts are chosen by their home tenant's domain");
        let Some(home_user) = home_user(b, home, upn, o.str("mail")?) else {
            summary.warnings.push(o.err(
                "userPrincipalName",
                format!(
                    "no user of {} has the UPN this account's #EXT# form names (CTS-30), nor its mail; the account is not imported",
                    b.world().name(home)
                ),
            ));
            continue;
        };
        let (id, created) = identity(&o)?;
        let created = created.unwrap_or(b.world().start());
        *latest = (*latest).max(created);
        let mut extra: Vec<(ExtraProp, Box<str>)> = Vec::new();
        for (p, v) in extras(&o)?.into_iter().chain(extensions(&p.value)) {
            // an account holds one value per property (what its mapping wrote)
            if !extra.iter().any(|(q, _)| *q == p) {
                extra.push((p, v.into()));
            }
        }
        let account = ImportedAccount {
            id,
            home,
            home_user,
            upn: upn.to_string(),
            user_type: user_type(&o)?,
            enabled: o.bool("accountEnabled")?.unwrap_or(true),
            pending_acceptance: o.str("externalUserState")? == Some("PendingAcceptance"),
            created,
            values: attrs(&o)?,
            extra,
            show_in_address_list: o.bool("showInAddressList")?,
        };
        let ai = b
            .add_account(f.tenant, &account)
            .map_err(|e| o.err("userPrincipalName", e.to_string()))?;
        if ids[p.folder].accounts.insert(id, ai).is_some() || ids[p.folder].users.contains_key(&id) {
            return Err(o.err("id", format!("id {id} is used by two users")));
        }
        if let Some(m) = o.obj("manager")? {
            managers.push((p.folder, ai, guid(&m, "id")?, o.err("manager", "")));
        }
        summary.tenants[p.folder].accounts += 1;
    }
    for (fi, ai, m, at) in managers {
        match m.and_then(|m| ids[fi].accounts.get(&m).copied()) {
            Some(m) => b.set_account_manager(folders[fi].tenant, ai, m),
            None => summary.warnings.push(Problem {
                message: "the manager is not an account of this export; the account has none here".into(),
                ..at
            }),
        }
    }
    Ok(())
}

/// The home user an account's UPN names: `alias_domain#EXT#@...` is `alias@domain` (CTS-30);
/// else the user whose UPN is the account's mail.
fn home_user(b: &Builder, home: TenantIdx, upn: &str, mail: Option<&str>) -> Option<UserIdx> {
    let dir = &b.world().tenant(home).dir;
    let local = upn.split("#EXT#").next().unwrap_or("");
    let from_upn = local
        .rsplit_once('_')
        .map(|(alias, domain)| format!("{alias}@{domain}"))
        .and_then(|u| dir.user_by_upn(&u));
    from_upn.or_else(|| mail.and_then(|m| dir.user_by_upn(m)))
}

fn import_groups(
    f: &Folder<'_>,
    b: &mut Builder,
    summary: &mut Summary,
    ids: &mut [Ids],
    fi: usize,
) -> R<usize> {
    let items = f
        .collection("groups.json", &mut summary.warnings)?
        .unwrap_or_default();
    let mut unread = Unread::default();
    let mut nested = Vec::new();
    let mut n = 0;
    for (file, path, v) in &items {
        let o = Obj::new(file, path.clone(), v)?;
        o.count_unread(GROUP_PROPS, &mut unread);
        let id = guid(&o, "id")?.ok_or_else(|| o.err("id", "\"id\" is missing"))?;
        let name = o.req_str("displayName")?;
        let description = o.str("description")?;
        let mut users = Vec::new();
        let mut accounts = Vec::new();
        let mut groups = Vec::new();
        // $expand=members lists at most 20 members: a group's own members file, when saved
        // (GET /groups/{id}/members, paged), lists them all
        let member_file = format!("groups/{id}/members.json");
        let members: Vec<(String, String, Value)> = match f.collection(&member_file, &mut summary.warnings)? {
            Some(items) => items,
            None => o
                .arr("members")?
                .iter()
                .enumerate()
                .map(|(i, m)| (file.clone(), format!("{path}.members[{i}]"), m.clone()))
                .collect(),
        };
        for (mfile, mpath, m) in &members {
            let m = Obj::new(mfile, mpath.clone(), m)?;
            let mid = guid(&m, "id")?.ok_or_else(|| m.err("id", "\"id\" is missing"))?;
            if let Some(&u) = ids[fi].users.get(&mid) {
                users.push(u);
            } else if let Some(&a) = ids[fi].accounts.get(&mid) {
                accounts.push(a);
            } else if m.str("@odata.type")? == Some("#microsoft.graph.group") {
                groups.push((mid, m.err("id", "")));
            } else {
                summary
                    .warnings
                    .push(m.err("id", "this member is not a user of the export; left out"));
            }
        }
        let types = o.strs("groupTypes")?;
        let has = |t: &str| types.iter().any(|x| x.eq_ignore_ascii_case(t));
        if !accounts.is_empty() && users.is_empty() {
            let source = b.world().tenant(f.tenant).dir.externals()[accounts[0] as usize].source_tenant;
            let i = b
                .add_synced_group(f.tenant, source, name, description, accounts)
                .map_err(|e| o.err("displayName", e.to_string()))?;
            b.set_object_id(f.tenant, ObjectKind::SyncedGroup, i as u32, id);
            n += 1;
            continue;
        }
        if !accounts.is_empty() {
            summary
                .warnings
                .push(o.err("members", "members that are accounts of other tenants' users are left out (a group holds the tenant's own users)"));
        }
        let g = match o.str("membershipRule")? {
            Some(rule) => {
                let rule = MembershipRule::parse(rule).map_err(|e| o.err("membershipRule", e.to_string()))?;
                b.add_dynamic_group(f.tenant, name, rule)
            }
            None => {
                if has("DynamicMembership") {
                    summary.warnings.push(o.err(
                        "membershipRule",
                        "a dynamic group without its membershipRule: imported with the members listed, as a static group; add membershipRule to the $select",
                    ));
                }
                b.add_group(f.tenant, name, users)
            }
        }
        .map_err(|e| o.err("displayName", e.to_string()))?;
        let mail = o.bool("mailEnabled")?.unwrap_or(false);
        let security = o.bool("securityEnabled")?.unwrap_or(true);
        let kind = if has("Unified") {
            GroupKind::Microsoft365
        } else {
            match (mail, security) {
                (true, true) => GroupKind::MailEnabledSecurity,
                (true, false) => GroupKind::Distribution,
                _ => GroupKind::Security,
            }
        };
        ids[fi].groups.insert(id, g);
        b.set_object_id(f.tenant, ObjectKind::Group, g.0, id);
        nested.push((
            g,
            kind,
            o.bool("isAssignableToRole")?.unwrap_or(false),
            groups,
            description.map(str::to_string),
        ));
        n += 1;
    }
    for (g, kind, role_assignable, groups, description) in nested {
        let mut inner = Vec::new();
        for (gid, at) in groups {
            match ids[fi].groups.get(&gid) {
                Some(&x) => inner.push(x),
                None => summary.warnings.push(Problem {
                    message: "this member group is not a group of the export; left out".into(),
                    ..at
                }),
            }
        }
        b.set_group_shape(f.tenant, g, kind, role_assignable, inner, description);
    }
    summary
        .warnings
        .extend(unread.warnings(&f.shown("groups.json"), "group"));
    Ok(n)
}

/// The imported tenant with tenant id `id`, or an error naming the missing folder.
fn tenant_of(b: &Builder, folders: &[Folder<'_>], o: &Obj<'_>, name: &str, id: Guid) -> R<TenantIdx> {
    folders
        .iter()
        .map(|f| f.tenant)
        .find(|&t| b.world().tenant(t).spec.tenant_id == id)
        .ok_or_else(|| {
            o.err(
                name,
                format!("tenant {id} is not among the imported tenants; import its folder too (each tenant a folder with organization.json)"),
            )
        })
}

fn import_partners(
    f: &Folder<'_>,
    folders: &[Folder<'_>],
    b: &mut Builder,
    summary: &mut Summary,
    ids: &[Ids],
) -> R<usize> {
    let items = f
        .collection("partners.json", &mut summary.warnings)?
        .unwrap_or_default();
    let mut unread = Unread::default();
    let idx = |t: TenantIdx| folders.iter().position(|x| x.tenant == t).expect("imported");
    for (file, path, v) in &items {
        let o = Obj::new(file, path.clone(), v)?;
        o.count_unread(PARTNER_PROPS, &mut unread);
        let id = guid(&o, "tenantId")?.ok_or_else(|| o.err("tenantId", "\"tenantId\" is missing"))?;
        let p = tenant_of(b, folders, &o, "tenantId", id)?;
        let trust = o.obj("inboundTrust")?;
        let consent = o.obj("automaticUserConsentSettings")?;
        let sync = o.obj("identitySynchronization")?;
        let sync_inbound = match &sync {
            Some(s) => s
                .obj("userSyncInbound")?
                .map(|u| u.bool("isSyncAllowed"))
                .transpose()?
                .flatten(),
            None => None,
        };
        let patch = PartnerPatch {
            auto_redeem_inbound: consent
                .as_ref()
                .map(|c| c.bool("inboundAllowed"))
                .transpose()?
                .flatten(),
            auto_redeem_outbound: consent
                .as_ref()
                .map(|c| c.bool("outboundAllowed"))
                .transpose()?
                .flatten(),
            sync_inbound,
            // beta only (XTAP-11): a /beta export shows it
            group_sync_inbound: match &sync {
                Some(s) => s
                    .obj("groupSyncInbound")?
                    .map(|g| g.bool("isSyncAllowed"))
                    .transpose()?
                    .flatten(),
                None => None,
            },
            cross_cloud_sync: None,
            mfa_trust: trust
                .as_ref()
                .map(|t| t.bool("isMfaAccepted"))
                .transpose()?
                .flatten(),
            b2b_inbound: b2b(&o, "b2bCollaborationInbound", &ids[idx(p)], summary)?,
            b2b_outbound: b2b(&o, "b2bCollaborationOutbound", &ids[idx(f.tenant)], summary)?,
        };
        b.add_partner(f.tenant, p, patch)
            .map_err(|e| o.err("tenantId", e.to_string()))?;
        if o.bool("isServiceProvider")? == Some(true) {
            b.set_csp_of(p, f.tenant)
                .map_err(|e| o.err("isServiceProvider", e.to_string()))?;
        }
    }
    summary
        .warnings
        .extend(unread.warnings(&f.shown("partners.json"), "partner configuration"));
    Ok(items.len())
}

/// The targets of a B2B setting: each as written, and where it is (for a warning).
type Targets = Vec<(String, Problem)>;

/// A B2B collaboration setting; its user and group targets are objects of the tenant `ids`
/// holds (the partner's for inbound, the tenant's own for outbound).
fn b2b(o: &Obj<'_>, name: &str, ids: &Ids, summary: &mut Summary) -> R<Option<B2bSetting>> {
    let Some(s) = o.obj(name)? else { return Ok(None) };
    let access = |c: &Obj<'_>| -> R<(Access, Targets)> {
        let a = match c.str("accessType")? {
            Some("blocked") => Access::Blocked,
            Some("allowed") | None => Access::Allowed,
            Some(x) => return Err(c.err("accessType", format!("\"{x}\" is not allowed or blocked"))),
        };
        let mut targets = Vec::new();
        for (i, t) in c.arr("targets")?.iter().enumerate() {
            let t = Obj::new(c.file, format!("{}.targets[{i}]", c.path), t)?;
            targets.push((t.req_str("target")?.to_string(), t.err("target", "")));
        }
        Ok((a, targets))
    };
    let (users_access, users) = match s.obj("usersAndGroups")? {
        Some(c) => access(&c)?,
        None => (Access::Allowed, Vec::new()),
    };
    let (apps_access, apps) = match s.obj("applications")? {
        Some(c) => access(&c)?,
        None => (Access::Allowed, Vec::new()),
    };
    let mut user_targets = Vec::new();
    for (t, at) in users {
        if t.eq_ignore_ascii_case("AllUsers") {
            user_targets.push(UserTarget::AllUsers);
            continue;
        }
        let target = Guid::parse(&t).and_then(|g| {
            ids.users
                .get(&g)
                .map(|&u| UserTarget::User(u))
                .or_else(|| ids.groups.get(&g).map(|&x| UserTarget::Group(x)))
        });
        match target {
            Some(x) => user_targets.push(x),
            None => summary.warnings.push(Problem {
                message: format!(
                    "target {t} is not a user or group of the tenant it names in this export; left out"
                ),
                ..at
            }),
        }
    }
    let app_targets = apps
        .into_iter()
        .map(|(t, _)| match t.as_str() {
            x if x.eq_ignore_ascii_case("AllApplications") => AppTarget::AllApplications,
            x if x.eq_ignore_ascii_case("Office365") => AppTarget::Office365,
            _ => AppTarget::App(t),
        })
        .collect();
    Ok(Some(B2bSetting {
        users_access,
        users: user_targets,
        apps_access,
        apps: app_targets,
    }))
}

/// The default configuration's B2B collaboration settings (XTAP-2): what partner
/// configurations with null settings inherit; its user and group targets are the tenant's own.
fn import_default(f: &Folder<'_>, b: &mut Builder, summary: &mut Summary, ids: &Ids) -> R<()> {
    let name = "crossTenantAccessPolicyDefault.json";
    let Some(v) = f.value(name)? else { return Ok(()) };
    let file = f.file(name);
    let o = Obj::new(&file, "$".into(), &v)?;
    let inbound = b2b(&o, "b2bCollaborationInbound", ids, summary)?;
    let outbound = b2b(&o, "b2bCollaborationOutbound", ids, summary)?;
    b.set_default_b2b(f.tenant, inbound, outbound);
    Ok(())
}

fn level(o: &Obj<'_>) -> R<AppLevel> {
    let Some(s) = o.str("templateApplicationLevel")? else {
        return Ok(AppLevel::DEFAULT);
    };
    let mut l = AppLevel::NONE;
    for part in s.split(',').map(str::trim) {
        let f = AppLevel::parse_flag(part).ok_or_else(|| {
            o.err(
                "templateApplicationLevel",
                format!("\"{part}\" is not newPartners, existingPartners or none"),
            )
        })?;
        l = AppLevel(l.0 | f.0);
    }
    Ok(l)
}

fn import_templates(f: &Folder<'_>, b: &mut Builder) -> R<()> {
    let pf = f.file("multiTenantOrganizationPartnerConfiguration.json");
    let idf = f.file("multiTenantOrganizationIdentitySynchronization.json");
    let pv = f.value("multiTenantOrganizationPartnerConfiguration.json")?;
    let iv = f.value("multiTenantOrganizationIdentitySynchronization.json")?;
    let mut patch = TemplatesPatch::default();
    let mut levels = (AppLevel::DEFAULT, AppLevel::DEFAULT);
    if let Some(v) = &pv {
        let o = Obj::new(&pf, "$".into(), v)?;
        levels.0 = level(&o)?;
        patch.mfa_trust = o
            .obj("inboundTrust")?
            .map(|t| t.bool("isMfaAccepted"))
            .transpose()?
            .flatten();
        if let Some(c) = o.obj("automaticUserConsentSettings")? {
            patch.auto_redeem_inbound = c.bool("inboundAllowed")?;
            patch.auto_redeem_outbound = c.bool("outboundAllowed")?;
        }
        if let Some(id) = guid(&o, "id")? {
            b.set_singleton_id(f.tenant, "partnerTemplate", id);
        }
    }
    if let Some(v) = &iv {
        let o = Obj::new(&idf, "$".into(), v)?;
        levels.1 = level(&o)?;
        patch.sync_inbound = o
            .obj("userSyncInbound")?
            .map(|u| u.bool("isSyncAllowed"))
            .transpose()?
            .flatten();
        if let Some(id) = guid(&o, "id")? {
            b.set_singleton_id(f.tenant, "identityTemplate", id);
        }
    }
    b.set_templates(f.tenant, patch);
    b.set_template_levels(f.tenant, levels.0, levels.1);
    Ok(())
}

fn role(o: &Obj<'_>, name: &str) -> R<Option<Role>> {
    o.str(name)?
        .map(|s| Role::parse(s).ok_or_else(|| o.err(name, format!("\"{s}\" is not owner or member"))))
        .transpose()
}

fn member_state(o: &Obj<'_>, name: &str) -> R<Option<MemberState>> {
    o.str(name)?
        .map(|s| match s {
            "pending" => Ok(MemberState::Pending),
            "active" => Ok(MemberState::Active),
            "removed" => Ok(MemberState::Removed),
            _ => Err(o.err(name, format!("\"{s}\" is not pending, active or removed"))),
        })
        .transpose()
}

fn status(o: &Obj<'_>, name: &str) -> R<ProcessingStatus> {
    match o.str(name)? {
        Some("notStarted") => Ok(ProcessingStatus::NotStarted),
        Some("running") => Ok(ProcessingStatus::Running),
        Some("succeeded") => Ok(ProcessingStatus::Succeeded),
        Some("failed") | None => Ok(ProcessingStatus::Failed),
        Some(s) => Err(o.err(
            name,
            format!("\"{s}\" is not notStarted, running, succeeded or failed"),
        )),
    }
}

/// Each MTO the member lists show, once: its members with their times and states, each
/// tenant's local id of it.
fn import_mtos(folders: &[Folder<'_>], b: &mut Builder, latest: &mut SimTime) -> R<()> {
    let mut done: Vec<TenantIdx> = Vec::new();
    for f in folders {
        if done.contains(&f.tenant) {
            continue;
        }
        let file = f.file("tenants.json");
        let Some(v) = f.value("tenants.json")? else {
            continue;
        };
        let (items, _) = super::json::page(&file, &v)?;
        if items.is_empty() {
            continue;
        }
        let mut members = Vec::new();
        for (i, m) in items.iter().enumerate() {
            let o = Obj::new(&file, format!("$.value[{i}]"), m)?;
            let id = guid(&o, "tenantId")?.ok_or_else(|| o.err("tenantId", "\"tenantId\" is missing"))?;
            let t = tenant_of(b, folders, &o, "tenantId", id)?;
            let state = member_state(&o, "state")?.unwrap_or(MemberState::Active);
            if state == MemberState::Removed {
                return Err(o.err(
                    "state",
                    "a removal in progress cannot be imported (its completion is not in the export); export again once it completed",
                ));
            }
            let added_by_id = guid(&o, "addedByTenantId")?.unwrap_or(id);
            let added_at = time(&o, "addedDateTime")?.unwrap_or(b.world().start());
            *latest = (*latest).max(added_at);
            let transition = match o.obj("transitionDetails")? {
                Some(td) => Some(Transition {
                    desired_state: member_state(&td, "desiredState")?.unwrap_or(MemberState::Active),
                    desired_role: role(&td, "desiredRole")?.unwrap_or(Role::Member),
                    status: status(&td, "status")?,
                    details: td.str("details")?.map(|d| d.to_string().into()),
                }),
                None => None,
            };
            let local_id = local_mto_id(folders, t)?;
            members.push(ImportedMember {
                tenant: t,
                role: role(&o, "role")?.unwrap_or(Role::Member),
                state,
                added_by: tenant_of(b, folders, &o, "addedByTenantId", added_by_id)?,
                added_at,
                joined_at: time(&o, "joinedDateTime")?,
                transition,
                local_id,
            });
        }
        let Some(seen_by) = members
            .iter()
            .find(|m| m.state == MemberState::Active)
            .and_then(|m| folders.iter().find(|x| x.tenant == m.tenant))
        else {
            continue;
        };
        let mfile = seen_by.file("multiTenantOrganization.json");
        let mv = seen_by
            .value("multiTenantOrganization.json")?
            .unwrap_or(Value::Null);
        let mo = Obj::new(&mfile, "$".into(), &mv)?;
        let created = time(&mo, "createdDateTime")?.unwrap_or(b.world().start());
        let display = mo.str("displayName")?.unwrap_or("");
        let description = mo.str("description")?.unwrap_or("");
        b.add_imported_mto(display, description, created, &members)
            .map_err(|e| Problem {
                file: file.clone(),
                path: "$.value".into(),
                message: e.to_string(),
            })?;
        done.extend(members.iter().map(|m| m.tenant));
    }
    Ok(())
}

/// Tenant `t`'s local id of its MTO, from its `multiTenantOrganization.json`.
fn local_mto_id(folders: &[Folder<'_>], t: TenantIdx) -> R<Option<Guid>> {
    let Some(f) = folders.iter().find(|f| f.tenant == t) else {
        return Ok(None);
    };
    let file = f.file("multiTenantOrganization.json");
    match f.value("multiTenantOrganization.json")? {
        Some(v) => guid(&Obj::new(&file, "$".into(), &v)?, "id"),
        None => Ok(None),
    }
}

fn import_join_request(f: &Folder<'_>, folders: &[Folder<'_>], b: &mut Builder) -> R<()> {
    let file = f.file("joinRequest.json");
    let Some(v) = f.value("joinRequest.json")? else {
        return Ok(());
    };
    let o = Obj::new(&file, "$".into(), &v)?;
    if let Some(id) = guid(&o, "id")? {
        b.set_singleton_id(f.tenant, "joinRequest", id);
    }
    let added_by = match guid(&o, "addedByTenantId")? {
        None => None,
        Some(Guid::ZERO) => None,
        Some(g) => Some(tenant_of(b, folders, &o, "addedByTenantId", g)?),
    };
    let transition = match o.obj("transitionDetails")? {
        Some(td) => Some((
            status(&td, "status")?,
            td.str("details")?.unwrap_or("").to_string().into(),
        )),
        None => None,
    };
    b.set_join_record(
        f.tenant,
        JoinRecord {
            added_by,
            member_state: member_state(&o, "memberState")?,
            role: role(&o, "role")?,
            transition,
        },
    );
    Ok(())
}

/// `isInMultiTenantOrganization` and whether the identity synchronization policy exists, as
/// each partner configuration shows them (after the MTO, which flags its pairs).
fn partner_flags(f: &Folder<'_>, folders: &[Folder<'_>], b: &mut Builder) -> R<()> {
    let mut ignore = Vec::new();
    for (file, path, v) in f.collection("partners.json", &mut ignore)?.unwrap_or_default() {
        let o = Obj::new(&file, path, &v)?;
        let Some(id) = guid(&o, "tenantId")? else { continue };
        let p = tenant_of(b, folders, &o, "tenantId", id)?;
        let in_mto = o.bool("isInMultiTenantOrganization")?.unwrap_or(false);
        let sync = o.obj("identitySynchronization")?.is_some();
        b.set_partner_flags(f.tenant, p, in_mto, sync);
    }
    Ok(())
}
