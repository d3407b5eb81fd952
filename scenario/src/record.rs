//! A recorded session written back as scenario steps (`mtosim serve --record`): every action
//! the engine recorded as the verb that loads back to it, every clock move as a `wait`, every
//! operator settle as a `settle`. What the scenario format cannot express is an error naming
//! it: a file that would not replay is never written.

use crate::verbs;
use mtosim_engine::state::Recorded;
use mtosim_engine::world::UserRef;
use mtosim_engine::xtap::{Access, AppTarget, B2bSetting, UserTarget};
use mtosim_engine::{Action, Duration, GroupIdx, SimTime, TenantIdx, World};
use std::fmt::Write;

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        q(k)
    }
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    let v: Vec<String> = items.iter().map(|s| q(s.as_ref())).collect();
    format!("[{}]", v.join(", "))
}

/// One `[[step]]` table being written.
struct Table {
    lines: Vec<String>,
}

impl Table {
    fn new(verb: &str) -> Table {
        Table {
            lines: vec![format!("do = {}", q(verb))],
        }
    }
    fn raw(&mut self, k: &str, v: String) {
        self.lines.push(format!("{} = {v}", key(k)));
    }
    fn s(&mut self, k: &str, v: &str) {
        self.raw(k, q(v));
    }
    fn b(&mut self, k: &str, v: bool) {
        self.raw(k, v.to_string());
    }
    fn ob(&mut self, k: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.b(k, v);
        }
    }
    fn l<S: AsRef<str>>(&mut self, k: &str, v: &[S]) {
        self.raw(k, list(v));
    }
}

struct Ctx<'w> {
    world: &'w World,
    /// Groups created during the session, by tenant and name: a later step cannot name them
    /// (the loader resolves group names before anything runs).
    created_groups: Vec<(TenantIdx, String)>,
}

impl Ctx<'_> {
    fn tenant(&self, t: TenantIdx) -> Result<&str, String> {
        (t.ix() < self.world.tenants().len())
            .then(|| self.world.name(t))
            .ok_or_else(|| format!("no tenant {}", t.0))
    }

    fn upn(&self, t: TenantIdx, u: &UserRef) -> Result<String, String> {
        match u {
            UserRef::Upn(s) => Ok(s.clone()),
            UserRef::Idx(i) => self
                .world
                .tenant(t)
                .dir
                .users()
                .get(i.ix())
                .map(|u| u.upn.to_string())
                .ok_or_else(|| format!("no user {} in tenant {}", i.0, self.world.name(t))),
        }
    }

    fn upns(&self, t: TenantIdx, us: &[UserRef]) -> Result<Vec<String>, String> {
        us.iter().map(|u| self.upn(t, u)).collect()
    }

    fn group(&self, t: TenantIdx, g: GroupIdx) -> Result<String, String> {
        let dir = &self.world.tenant(t).dir;
        let name = dir
            .groups()
            .get(g.ix())
            .map(|g| g.name.to_string())
            .ok_or_else(|| format!("no group {} in tenant {}", g.0, self.world.name(t)))?;
        if self.created_groups.iter().any(|(ct, n)| *ct == t && *n == name) {
            return Err(format!(
                "the group \"{name}\" of tenant {} was created during the session, and a scenario can name only groups that exist before its steps run",
                self.world.name(t)
            ));
        }
        if dir.group_by_name(&name) != Some(g) {
            return Err(format!(
                "the group \"{name}\" of tenant {} does not name one group",
                self.world.name(t)
            ));
        }
        Ok(name)
    }

    fn groups(&self, t: TenantIdx, gs: &[GroupIdx]) -> Result<Vec<String>, String> {
        gs.iter().map(|g| self.group(t, *g)).collect()
    }

    /// The `PREFIX`, `PREFIX_users` and `PREFIX_apps` keys of a B2B collaboration setting
    /// whose user and group targets are of tenant `of` (none: only `AllUsers`).
    fn b2b(&self, t: &mut Table, prefix: &str, s: &B2bSetting, of: Option<TenantIdx>) -> Result<(), String> {
        if s.users_access != s.apps_access {
            return Err(format!(
                "{prefix}: users and applications have different access types, which a scenario cannot write"
            ));
        }
        if s.users.is_empty() || s.apps.is_empty() {
            return Err(format!(
                "{prefix}: a setting without targets, which a scenario cannot write"
            ));
        }
        t.s(
            prefix,
            match s.users_access {
                Access::Allowed => "allowed",
                Access::Blocked => "blocked",
            },
        );
        let mut users = Vec::new();
        for u in &s.users {
            users.push(match (u, of) {
                (UserTarget::AllUsers, _) => "AllUsers".to_string(),
                (_, None) => {
                    return Err(format!(
                        "{prefix}: the default settings target only AllUsers in a scenario"
                    ))
                }
                (UserTarget::User(i), Some(of)) => {
                    let upn = self.upn(of, &UserRef::Idx(*i))?;
                    if self.world.tenant(of).dir.user_by_upn(&upn) != Some(*i) {
                        return Err(format!("{prefix}: the user {upn} cannot be named"));
                    }
                    upn
                }
                (UserTarget::Group(g), Some(of)) => {
                    let name = self.group(of, *g)?;
                    if self.world.tenant(of).dir.user_by_upn(&name).is_some() {
                        return Err(format!(
                            "{prefix}: the group \"{name}\" has a user's UPN as its name"
                        ));
                    }
                    name
                }
            });
        }
        t.l(&format!("{prefix}_users"), &users);
        let apps: Vec<String> = s
            .apps
            .iter()
            .map(|a| match a {
                AppTarget::AllApplications => "AllApplications".to_string(),
                AppTarget::Office365 => "Office365".to_string(),
                AppTarget::App(id) => id.clone(),
            })
            .collect();
        t.l(&format!("{prefix}_apps"), &apps);
        Ok(())
    }

    /// The keys of `action` by `actor`.
    fn action(&mut self, t: &mut Table, actor: TenantIdx, action: &Action) -> Result<(), String> {
        use mtosim_engine::Via;
        let via = |t: &mut Table, v: &Via| {
            if *v == Via::M365 {
                t.s("via", "m365");
            }
        };
        match action {
            Action::CreateMto {
                display_name,
                description,
                via: v,
            } => {
                t.s("display_name", display_name);
                t.s("description", description);
                via(t, v);
            }
            Action::UpdateMto {
                display_name,
                description,
            } => {
                if let Some(d) = display_name {
                    t.s("display_name", d);
                }
                if let Some(d) = description {
                    t.s("description", d);
                }
            }
            Action::AddTenant { target, role, via: v } => {
                t.s("target", self.tenant(*target)?);
                t.s("role", role.as_str());
                via(t, v);
            }
            Action::SetRole { target, role } => {
                t.s("target", self.tenant(*target)?);
                t.s("role", role.as_str());
            }
            Action::Join { added_by, via: v } => {
                t.s("added_by", self.tenant(*added_by)?);
                via(t, v);
            }
            Action::ResetJoin | Action::ResetTemplates => {}
            Action::RemoveTenant { target } => t.s("target", self.tenant(*target)?),
            Action::ShareUsers { groups, users } | Action::UnshareUsers { groups, users } => {
                self.scope(t, actor, groups, users)?
            }
            Action::SetPartner { partner, patch } => {
                t.s("partner", self.tenant(*partner)?);
                t.ob("auto_redeem_inbound", patch.auto_redeem_inbound);
                t.ob("auto_redeem_outbound", patch.auto_redeem_outbound);
                t.ob("sync_inbound", patch.sync_inbound);
                t.ob("mfa_trust", patch.mfa_trust);
                if let Some(s) = &patch.b2b_inbound {
                    self.b2b(t, "b2b_inbound", s, Some(*partner))?;
                }
                if let Some(s) = &patch.b2b_outbound {
                    self.b2b(t, "b2b_outbound", s, Some(actor))?;
                }
                t.ob("group_sync_inbound", patch.group_sync_inbound);
                t.ob("cross_cloud_sync", patch.cross_cloud_sync);
            }
            Action::DeletePartner {
                partner,
                sync_policy_too,
            } => {
                t.s("partner", self.tenant(*partner)?);
                t.b("sync_policy_too", *sync_policy_too);
            }
            Action::DeleteSyncPolicy { partner } => t.s("partner", self.tenant(*partner)?),
            Action::SetTemplates { patch } => {
                t.ob("auto_redeem_inbound", patch.auto_redeem_inbound);
                t.ob("auto_redeem_outbound", patch.auto_redeem_outbound);
                t.ob("sync_inbound", patch.sync_inbound);
                t.ob("mfa_trust", patch.mfa_trust);
                if let Some(a) = patch.application {
                    let flags: &[&str] = match a.0 {
                        0 => &["none"],
                        1 => &["newPartners"],
                        2 => &["existingPartners"],
                        3 => &["newPartners", "existingPartners"],
                        n => return Err(format!("set-templates: application level {n}")),
                    };
                    t.l("application", flags);
                }
            }
            Action::CreateSync(cs) => {
                if cs.name.trim().is_empty() {
                    return Err("create-sync: a configuration without a name".to_string());
                }
                t.s("target", self.tenant(cs.target)?);
                t.s("name", &cs.name);
                t.s("scope", if cs.scope_all { "all" } else { "assigned" });
                t.s("user_type", cs.user_type.as_str());
                t.s("apply", if cs.apply_always { "always" } else { "on-create" });
                t.b("delete_action", cs.delete_action);
                match cs.delete_threshold {
                    None => t.b("delete_threshold", false),
                    Some(n) => t.raw("delete_threshold", n.to_string()),
                }
                t.b("provision_groups", cs.provision_groups);
                t.b("cross_cloud", cs.cross_cloud);
                t.s("mode", if cs.manual { "manual" } else { "automatic" });
            }
            Action::Assign { sync, groups, users } | Action::Unassign { sync, groups, users } => {
                t.s("sync", sync);
                self.scope(t, actor, groups, users)?;
            }
            Action::SetScopingFilter { .. } => {
                return Err("set-scoping-filter is not written back yet".to_string())
            }
            Action::EditMapping { .. } => {
                return Err("an attribute mapping edit is not written back yet".to_string())
            }
            Action::StartSync { sync }
            | Action::PauseSync { sync }
            | Action::AllowDeletes { sync }
            | Action::DeleteSync { sync } => t.s("sync", sync),
            Action::RestartSync { sync, reset } => {
                t.s("sync", sync);
                let v = reset.graph_value();
                let back = mtosim_engine::sync::ResetScope::parse(&v);
                if back.as_ref() != Ok(reset) {
                    return Err(format!("restart-sync: the reset scope {v} does not read back"));
                }
                t.s("reset", &v);
            }
            Action::ProvisionOnDemand { sync, user } => {
                t.s("sync", sync);
                t.s("user", &self.upn(actor, user)?);
            }
            Action::AddUser(u) => {
                t.s("upn", &u.upn);
                t.s("user_type", u.user_type.as_str());
                t.b("account_enabled", u.account_enabled);
                for (a, v) in &u.attrs {
                    t.s(a.graph_name(), v);
                }
                self.extra(t, &u.extra);
            }
            Action::UpdateUser {
                user,
                attrs,
                user_type,
                extra,
                upn,
                manager,
            } => {
                let who = self.upn(actor, user)?;
                t.s("user", &who);
                if let Some(ut) = user_type {
                    t.s("user_type", ut.as_str());
                }
                if let Some(n) = upn {
                    t.s("userPrincipalName", n);
                }
                match manager {
                    None => {}
                    Some(None) => t.s("manager", ""),
                    Some(Some(m)) => {
                        let m = self.upn(actor, m)?;
                        if m.eq_ignore_ascii_case(&who) {
                            return Err(format!("update-user: {who} as its own manager"));
                        }
                        t.s("manager", &m);
                    }
                }
                for (a, v) in attrs {
                    t.s(a.graph_name(), v);
                }
                self.extra(t, extra);
            }
            Action::SetEnabled { user, .. }
            | Action::DeleteUser { user }
            | Action::RestoreUser { user }
            | Action::LeaveOrganization { user }
            | Action::ResetRedemption { user } => t.s("user", &self.upn(actor, user)?),
            Action::AddToGroup { group, users } | Action::RemoveFromGroup { group, users } => {
                t.s("group", &self.group(actor, *group)?);
                if users.is_empty() {
                    return Err("a group membership change without users".to_string());
                }
                t.l("users", &self.upns(actor, users)?);
            }
            Action::SetGroupProvisioning { sync, enabled } => {
                t.s("sync", sync);
                t.b("enabled", *enabled);
            }
            Action::SetProvisioningMode { sync, automatic } => {
                t.s("sync", sync);
                t.s("mode", if *automatic { "automatic" } else { "manual" });
            }
            Action::SetScope { sync, all } => {
                t.s("sync", sync);
                t.s("scope", if *all { "all" } else { "assigned" });
            }
            Action::DeleteGroup { group } => {
                if self
                    .created_groups
                    .iter()
                    .any(|(ct, n)| *ct == actor && n == group)
                {
                    return Err(format!(
                        "the group \"{group}\" was created during the session, and a scenario can name only groups that exist before its steps run"
                    ));
                }
                t.s("group", group);
            }
            Action::UpdateGroup { group, description } => {
                t.s("group", group);
                if let Some(d) = description {
                    t.s("description", d);
                }
            }
            Action::SetDefaultAccess {
                inbound,
                outbound,
                reset,
            } => {
                t.b("reset", *reset);
                if let Some(s) = inbound {
                    self.b2b(t, "b2b_inbound", s, None)?;
                }
                if let Some(s) = outbound {
                    self.b2b(t, "b2b_outbound", s, Some(actor))?;
                }
            }
            Action::CreateGroup {
                name,
                description,
                kind,
                members,
            } => {
                t.s("group", name);
                if let Some(d) = description {
                    t.s("description", d);
                }
                t.s("type", kind.as_str());
                t.l("members", &self.upns(actor, members)?);
            }
            Action::InviteGuest {
                home,
                user,
                user_type,
                redeemed,
            } => {
                let upn = self.upn(*home, user)?;
                // the loader finds the home tenant as the first other one with the user
                let first = self
                    .world
                    .tenant_ids()
                    .find(|&x| x != actor && self.world.tenant(x).dir.user_by_upn(&upn).is_some());
                if matches!(user, UserRef::Idx(_)) && first != Some(*home) {
                    return Err(format!(
                        "invite-guest: {upn} does not name a user of {} alone",
                        self.tenant(*home)?
                    ));
                }
                t.s("user", &upn);
                t.s("user_type", user_type.as_str());
                t.b("redeemed", *redeemed);
            }
        }
        Ok(())
    }

    fn scope(
        &self,
        t: &mut Table,
        actor: TenantIdx,
        groups: &[GroupIdx],
        users: &[UserRef],
    ) -> Result<(), String> {
        if groups.is_empty() && users.is_empty() {
            return Err("an assignment without groups or users".to_string());
        }
        if !groups.is_empty() {
            t.l("groups", &self.groups(actor, groups)?);
        }
        if !users.is_empty() {
            t.l("users", &self.upns(actor, users)?);
        }
        Ok(())
    }

    fn extra(&self, t: &mut Table, extra: &[(mtosim_engine::extra::ExtraProp, Vec<String>)]) {
        for (p, values) in extra {
            let k = p.name();
            if p.is_collection() {
                t.l(&k, values);
            } else {
                t.s(&k, values.first().map_or("", String::as_str));
            }
        }
    }
}

/// The recorded session as `[[step]]` tables, each an action at its absolute time (as its
/// administrator, expecting its refusal), a `wait` or a `settle`; an error names the first
/// entry a scenario cannot express.
pub fn steps_toml(world: &World, recorded: &[Recorded]) -> Result<String, String> {
    if recorded.len() >= mtosim_engine::limits::RECORDED_MAX {
        return Err(format!(
            "the session recorded {} entries (RECORDED_MAX): the rest were not kept",
            recorded.len()
        ));
    }
    let mut c = Ctx {
        world,
        created_groups: Vec::new(),
    };
    let mut out = String::new();
    // the clock before the entry, while known (a settle moves it to a time not recorded)
    let mut clock: Option<SimTime> = None;
    for (i, r) in recorded.iter().enumerate() {
        let n = i + 1;
        let t = match r {
            Recorded::Action {
                at,
                actor,
                admin,
                action,
                refused,
            } => {
                let verb = verbs::of(action.kind());
                let mut t = Table::new(verb);
                t.s(
                    "tenant",
                    c.tenant(*actor).map_err(|e| format!("entry {n} ({verb}): {e}"))?,
                );
                t.s("at", &at.to_string());
                if let Some(a) = admin {
                    let upn = world
                        .tenant(*actor)
                        .admins
                        .get(*a)
                        .map(|a| a.upn.clone())
                        .ok_or_else(|| format!("entry {n} ({verb}): no administrator {a}"))?;
                    t.s("as", &upn);
                }
                if let Some(rule) = refused {
                    t.s("expect_error", rule.0);
                }
                c.action(&mut t, *actor, action)
                    .map_err(|e| format!("entry {n} ({verb}): {e}"))?;
                if let Action::CreateGroup { name, .. } = action {
                    c.created_groups.push((*actor, name.clone()));
                }
                clock = Some(*at);
                t
            }
            Recorded::AdvanceTo(to) => {
                let mut t = Table::new("wait");
                match clock {
                    Some(from) if *to >= from => t.s("for", &(*to - from).to_string()),
                    _ => {
                        t.s("at", &to.to_string());
                        t.s("for", &Duration::secs(0).to_string());
                    }
                }
                clock = Some(*to);
                t
            }
            Recorded::Settle(max) => {
                let mut t = Table::new("settle");
                t.s("max", &max.to_string());
                clock = None;
                t
            }
        };
        out.push_str("\n[[step]]\n");
        for l in t.lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    Ok(out)
}

/// What a scenario that starts from Graph exports says (`mtosim import -o`).
pub struct ImportScenario<'a> {
    /// `name`.
    pub name: &'a str,
    /// `rules`.
    pub rules: &'a str,
    /// `seed`.
    pub seed: u64,
    /// `start`: the export's time.
    pub start: SimTime,
    /// `import`: the folders, relative to the scenario's folder.
    pub import: &'a [String],
    /// Comment lines put first (what was imported, what is missing).
    pub comments: &'a [String],
}

/// The scenario file of an import: its comments, the `[scenario]` table naming the exports,
/// and a commented first step to extend it with.
pub fn import_toml(s: &ImportScenario<'_>) -> String {
    let mut out = String::new();
    for c in s.comments {
        let _ = writeln!(out, "# {c}");
    }
    let _ = writeln!(out, "\n[scenario]");
    let _ = writeln!(out, "name = {}", q(s.name));
    let _ = writeln!(out, "rules = {}", q(s.rules));
    let _ = writeln!(out, "seed = {}", s.seed);
    let _ = writeln!(out, "start = {}", q(&s.start.to_string()));
    let _ = writeln!(out, "import = {}", list(s.import));
    out.push_str(
        "\n# The imported tenants are named after their folders. Add steps, e.g.:\n# [[step]]\n# do = \"settle\"\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StepKind;
    use mtosim_engine::directory::UserType;
    use mtosim_engine::mto::Role;
    use mtosim_engine::world::{PartnerPatch, TemplatesPatch};
    use mtosim_engine::Via;

    const BASE: &str = r#"
[scenario]
name = "record"
start = "2024-01-01T00:00:00Z"

[[tenant]]
name = "contoso"
[[tenant.user]]
upn = "ada@contoso.onmicrosoft.com"
[[tenant.group]]
name = "Sales"
members = ["ada@contoso.onmicrosoft.com"]
[[tenant.admin]]
upn = "sec@contoso.onmicrosoft.com"
roles = ["Security Administrator"]

[[tenant]]
name = "fabrikam"
[[tenant.user]]
upn = "bob@fabrikam.onmicrosoft.com"
"#;

    fn actions(sc: &crate::model::Scenario) -> Vec<(Option<TenantIdx>, Option<usize>, Action)> {
        sc.steps
            .iter()
            .filter_map(|s| match &s.kind {
                StepKind::Action(a) => Some((s.tenant, s.admin, a.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn recorded_actions_load_back_as_the_same_actions() {
        let sc = crate::load::load("base.toml", BASE).expect("loads");
        let w = sc.world;
        let (c, f) = (TenantIdx(0), TenantIdx(1));
        let ada = w
            .tenant(c)
            .dir
            .user_by_upn("ada@contoso.onmicrosoft.com")
            .unwrap();
        let sales = w.tenant(c).dir.group_by_name("Sales").unwrap();
        let t0 = w.start();
        let act = |at: i64, actor, admin, action, refused| Recorded::Action {
            at: t0 + Duration::secs(at),
            actor,
            admin,
            action,
            refused,
        };
        let list = vec![
            act(
                0,
                c,
                Some(0),
                Action::CreateMto {
                    display_name: "Contoso \"Group\"".into(),
                    description: "a\nb".into(),
                    via: Via::Graph,
                },
                None,
            ),
            act(
                60,
                c,
                None,
                Action::AddTenant {
                    target: f,
                    role: Role::Owner,
                    via: Via::Graph,
                },
                None,
            ),
            Recorded::AdvanceTo(t0 + Duration::hours(2)),
            act(
                7200,
                f,
                None,
                Action::Join {
                    added_by: c,
                    via: Via::Graph,
                },
                Some(mtosim_engine::rules::MTO_53),
            ),
            Recorded::Settle(Duration::days(1)),
            act(
                90_000,
                c,
                None,
                Action::SetPartner {
                    partner: f,
                    patch: PartnerPatch {
                        sync_inbound: Some(true),
                        b2b_outbound: Some(B2bSetting {
                            users_access: Access::Blocked,
                            users: vec![UserTarget::Group(sales), UserTarget::User(ada)],
                            apps_access: Access::Blocked,
                            apps: vec![AppTarget::Office365],
                        }),
                        ..PartnerPatch::default()
                    },
                },
                None,
            ),
            act(
                90_000,
                c,
                None,
                Action::SetTemplates {
                    patch: TemplatesPatch {
                        mfa_trust: Some(false),
                        application: Some(mtosim_engine::xtap::AppLevel::DEFAULT),
                        ..TemplatesPatch::default()
                    },
                },
                None,
            ),
            act(
                90_000,
                c,
                None,
                Action::AddUser(Box::new(mtosim_engine::directory::NewUser {
                    upn: "new@contoso.onmicrosoft.com".into(),
                    attrs: vec![(mtosim_engine::directory::Attr::Department, "Sales".into())],
                    user_type: UserType::Member,
                    account_enabled: true,
                    extra: Vec::new(),
                })),
                None,
            ),
            act(
                90_000,
                c,
                None,
                Action::AddToGroup {
                    group: sales,
                    users: vec![UserRef::Upn("new@contoso.onmicrosoft.com".into())],
                },
                None,
            ),
            act(
                90_000,
                c,
                None,
                Action::SetEnabled {
                    user: UserRef::Idx(ada),
                    enabled: false,
                },
                None,
            ),
            act(
                90_000,
                f,
                None,
                Action::InviteGuest {
                    home: c,
                    user: UserRef::Idx(ada),
                    user_type: UserType::Guest,
                    redeemed: true,
                },
                None,
            ),
            Recorded::AdvanceTo(t0 + Duration::days(2)),
        ];
        let steps = steps_toml(&w, &list).expect("renders");
        let text = format!("{BASE}\n# recorded\n{steps}");
        let back = crate::load::load("back.toml", &text).unwrap_or_else(|d| panic!("{d:?}\n{text}"));
        let got = actions(&back);
        let mut want: Vec<_> = list
            .iter()
            .filter_map(|r| match r {
                Recorded::Action {
                    actor, admin, action, ..
                } => Some((Some(*actor), *admin, action.clone())),
                _ => None,
            })
            .collect();
        // the loader sorts B2B targets
        if let Action::SetPartner { patch, .. } = &mut want[3].2 {
            patch.b2b_outbound.as_mut().unwrap().users.sort_unstable();
        }
        assert_eq!(got, want, "{text}");
        assert!(back
            .steps
            .iter()
            .any(|s| matches!(s.kind, StepKind::Settle(d) if d == Duration::days(1))));
        assert!(back
            .steps
            .iter()
            .any(|s| matches!(s.kind, StepKind::Wait(d) if d == Duration::secs(7140))));
        assert!(text.contains("expect_error = \"MTO-53\""), "{text}");
    }

    #[test]
    fn a_group_created_in_the_session_and_named_later_is_an_error() {
        let sc = crate::load::load("base.toml", BASE).expect("loads");
        let mut w = sc.world;
        w.start_recording();
        let c = TenantIdx(0);
        let _ = w.apply(
            c,
            Action::CreateGroup {
                name: "New".into(),
                description: None,
                kind: mtosim_engine::directory::GroupKind::Security,
                members: vec![],
            },
        );
        let g = w.tenant(c).dir.group_by_name("New").expect("created");
        let ada = w
            .tenant(c)
            .dir
            .user_by_upn("ada@contoso.onmicrosoft.com")
            .unwrap();
        let _ = w.apply(
            c,
            Action::AddToGroup {
                group: g,
                users: vec![UserRef::Idx(ada)],
            },
        );
        let e = steps_toml(&w, w.recorded()).unwrap_err();
        assert!(
            e.contains("entry 2 (add-to-group)") && e.contains("\"New\""),
            "{e}"
        );
    }
}
