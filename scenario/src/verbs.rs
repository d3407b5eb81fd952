//! Every verb of the scenario contract in one place: its name, the keys it takes (besides
//! `do`, `tenant`, `at` and `expect_error`), the engine action it stands for, and its parser.
//! Loading a step, narrating a refusal and writing a counterexample all read this table.

use crate::checks_load::load_checks;
use crate::diag::did_you_mean;
use crate::model::{At, ExpectError, Step, StepKind};
use crate::refs::{account_ref, group_ref, sync_ref, tenant_ref, user_ref_any, Names};
use crate::toml_read::{Src, Tbl};
use crate::values::{
    app_level, attr_values, duration, expression, extra_values, inline_user_spec, role, scoping_filters, via,
    R,
};
use mtosim_engine::directory::UserType;
use mtosim_engine::schema::{AttributeMapping, FlowType, MappingSource, SchemaAttr};
use mtosim_engine::sync::ResetScope;
use mtosim_engine::world::{CreateSync, PartnerPatch, TemplatesPatch, UserRef};
use mtosim_engine::{limits, Action, ActionKind, Duration, GroupIdx, SimTime, TenantIdx, World};

/// What a verb does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Does {
    /// An administrator action of this kind.
    Act(ActionKind),
    /// `wait`: time passes.
    Wait,
    /// `settle`: pending operations complete.
    Settle,
    /// `expect`: checks.
    Expect,
}

/// One verb of the contract.
pub struct Verb {
    /// The verb as written in `do = "..."`.
    pub name: &'static str,
    /// The keys it takes besides `do`, `tenant`, `at` and `expect_error`.
    pub keys: &'static [&'static str],
    /// What it does.
    pub does: Does,
    parse: fn(&mut Ctx<'_, '_, '_>) -> R<StepKind>,
}

/// Every verb, in the order the contract lists them.
pub const VERBS: &[Verb] = &[
    verb(
        "create-mto",
        &["display_name", "description", "via"],
        Does::Act(ActionKind::CreateMto),
        create_mto,
    ),
    verb(
        "update-mto",
        &["display_name", "description"],
        Does::Act(ActionKind::UpdateMto),
        update_mto,
    ),
    verb(
        "add-tenant",
        &["target", "role", "via"],
        Does::Act(ActionKind::AddTenant),
        add_tenant,
    ),
    verb(
        "set-role",
        &["target", "role"],
        Does::Act(ActionKind::SetRole),
        set_role,
    ),
    verb("join", &["added_by", "via"], Does::Act(ActionKind::Join), join),
    verb("reset-join", &[], Does::Act(ActionKind::ResetJoin), |_| {
        Ok(StepKind::Action(Action::ResetJoin))
    }),
    verb(
        "remove-tenant",
        &["target"],
        Does::Act(ActionKind::RemoveTenant),
        remove_tenant,
    ),
    verb(
        "share-users",
        &["groups", "users"],
        Does::Act(ActionKind::ShareUsers),
        share_users,
    ),
    verb(
        "unshare-users",
        &["groups", "users"],
        Does::Act(ActionKind::UnshareUsers),
        share_users,
    ),
    verb("wait", &["for"], Does::Wait, wait),
    verb("settle", &["max"], Does::Settle, |c| {
        Ok(StepKind::Settle(
            duration(&c.st, "max")?.unwrap_or(Duration::days(30)),
        ))
    }),
    verb(
        "expect",
        &[
            "mto",
            "mto_tenants",
            "mto_members",
            "member",
            "synced_from",
            "user",
            "no_user",
            "group",
            "no_group",
            "sync",
            "partner",
            "join_request",
        ],
        Does::Expect,
        |c| Ok(StepKind::Expect(load_checks(c.world, c.src, &c.st, c.actor)?)),
    ),
    verb(
        "set-partner",
        &[
            "partner",
            "auto_redeem_inbound",
            "auto_redeem_outbound",
            "sync_inbound",
            "mfa_trust",
            "b2b_inbound",
            "b2b_inbound_users",
            "b2b_inbound_apps",
            "b2b_outbound",
            "b2b_outbound_users",
            "b2b_outbound_apps",
            "group_sync_inbound",
            "cross_cloud_sync",
        ],
        Does::Act(ActionKind::SetPartner),
        set_partner,
    ),
    verb(
        "delete-partner",
        &["partner", "sync_policy_too"],
        Does::Act(ActionKind::DeletePartner),
        delete_partner,
    ),
    verb(
        "delete-sync-policy",
        &["partner"],
        Does::Act(ActionKind::DeleteSyncPolicy),
        |c| {
            let (pn, span) = c.st.req_str("partner")?;
            Ok(StepKind::Action(Action::DeleteSyncPolicy {
                partner: tenant_ref(c.world, c.src, &pn, span)?,
            }))
        },
    ),
    verb(
        "set-default-access",
        &[
            "reset",
            "b2b_inbound",
            "b2b_inbound_users",
            "b2b_inbound_apps",
            "b2b_outbound",
            "b2b_outbound_users",
            "b2b_outbound_apps",
        ],
        Does::Act(ActionKind::SetDefaultAccess),
        |c| {
            let inbound = crate::refs::b2b_setting(c.world, c.src, &c.st, "b2b_inbound", None)?;
            let outbound = crate::refs::b2b_setting(c.world, c.src, &c.st, "b2b_outbound", Some(c.actor))?;
            Ok(StepKind::Action(Action::SetDefaultAccess {
                inbound,
                outbound,
                reset: c.st.bool("reset")?.unwrap_or(false),
            }))
        },
    ),
    verb(
        "set-templates",
        &[
            "auto_redeem_inbound",
            "auto_redeem_outbound",
            "sync_inbound",
            "mfa_trust",
            "application",
        ],
        Does::Act(ActionKind::SetTemplates),
        set_templates,
    ),
    verb(
        "reset-templates",
        &[],
        Does::Act(ActionKind::ResetTemplates),
        |_| Ok(StepKind::Action(Action::ResetTemplates)),
    ),
    verb(
        "create-sync",
        &[
            "target",
            "name",
            "scope",
            "user_type",
            "apply",
            "delete_action",
            "delete_threshold",
            "provision_groups",
            "cross_cloud",
            "mode",
        ],
        Does::Act(ActionKind::CreateSync),
        create_sync,
    ),
    verb(
        "assign",
        &["sync", "groups", "users"],
        Does::Act(ActionKind::Assign),
        assign,
    ),
    verb(
        "unassign",
        &["sync", "groups", "users"],
        Does::Act(ActionKind::Unassign),
        assign,
    ),
    verb(
        "set-scope",
        &["sync", "scope"],
        Does::Act(ActionKind::SetScope),
        |c| {
            let sync = c.sync()?;
            let all = match c.st.req_str("scope")? {
                (v, _) if v == "all" => true,
                (v, _) if v == "assigned" => false,
                (v, span) => {
                    return Err(c
                        .src
                        .err(span, format!("unknown scope \"{v}\""))
                        .help("\"assigned\" or \"all\""))
                }
            };
            Ok(StepKind::Action(Action::SetScope { sync, all }))
        },
    ),
    verb(
        "set-provisioning-mode",
        &["sync", "mode"],
        Does::Act(ActionKind::SetProvisioningMode),
        |c| {
            let sync = c.sync()?;
            let automatic = match c.st.req_str("mode")? {
                (v, _) if v == "automatic" => true,
                (v, _) if v == "manual" => false,
                (v, span) => {
                    return Err(c
                        .src
                        .err(span, format!("unknown mode \"{v}\""))
                        .help("\"automatic\" (runs the test connection) or \"manual\""))
                }
            };
            Ok(StepKind::Action(Action::SetProvisioningMode { sync, automatic }))
        },
    ),
    verb(
        "set-group-provisioning",
        &["sync", "enabled"],
        Does::Act(ActionKind::SetGroupProvisioning),
        |c| {
            let sync = c.sync()?;
            let enabled = c.st.bool("enabled")?.ok_or_else(|| {
                c.src
                    .err(c.st.span.clone(), "set-group-provisioning needs `enabled`")
                    .help("enabled = true turns the \"Provision Microsoft Entra ID Groups\" mapping on")
            })?;
            Ok(StepKind::Action(Action::SetGroupProvisioning { sync, enabled }))
        },
    ),
    verb(
        "set-scoping-filter",
        &["sync", "filters"],
        Does::Act(ActionKind::SetScopingFilter),
        set_scoping_filter,
    ),
    verb(
        "set-mapping",
        &[
            "sync",
            "target",
            "type",
            "source",
            "constant",
            "expression",
            "default",
            "apply",
        ],
        Does::Act(ActionKind::SetMapping),
        set_mapping,
    ),
    verb(
        "delete-mapping",
        &["sync", "target"],
        Does::Act(ActionKind::DeleteMapping),
        |c| {
            let sync = c.sync()?;
            let target = schema_attr(c, "target")?;
            Ok(StepKind::Action(Action::EditMapping {
                sync,
                target,
                mapping: None,
            }))
        },
    ),
    verb("start-sync", &["sync"], Does::Act(ActionKind::StartSync), |c| {
        Ok(StepKind::Action(Action::StartSync { sync: c.sync()? }))
    }),
    verb("pause-sync", &["sync"], Does::Act(ActionKind::PauseSync), |c| {
        Ok(StepKind::Action(Action::PauseSync { sync: c.sync()? }))
    }),
    verb(
        "restart-sync",
        &["sync", "reset"],
        Does::Act(ActionKind::RestartSync),
        restart_sync,
    ),
    verb(
        "allow-deletes",
        &["sync"],
        Does::Act(ActionKind::AllowDeletes),
        |c| Ok(StepKind::Action(Action::AllowDeletes { sync: c.sync()? })),
    ),
    verb(
        "provision-on-demand",
        &["sync", "user"],
        Does::Act(ActionKind::ProvisionOnDemand),
        provision_on_demand,
    ),
    verb("delete-sync", &["sync"], Does::Act(ActionKind::DeleteSync), |c| {
        Ok(StepKind::Action(Action::DeleteSync { sync: c.sync()? }))
    }),
    verb("add-user", &[], Does::Act(ActionKind::AddUser), add_user),
    verb("update-user", &[], Does::Act(ActionKind::UpdateUser), update_user),
    verb(
        "disable-user",
        &["user"],
        Does::Act(ActionKind::DisableUser),
        |c| {
            Ok(StepKind::Action(Action::SetEnabled {
                user: c.account()?,
                enabled: false,
            }))
        },
    ),
    verb("enable-user", &["user"], Does::Act(ActionKind::EnableUser), |c| {
        Ok(StepKind::Action(Action::SetEnabled {
            user: c.account()?,
            enabled: true,
        }))
    }),
    verb("delete-user", &["user"], Does::Act(ActionKind::DeleteUser), |c| {
        Ok(StepKind::Action(Action::DeleteUser { user: c.account()? }))
    }),
    verb(
        "restore-user",
        &["user"],
        Does::Act(ActionKind::RestoreUser),
        |c| Ok(StepKind::Action(Action::RestoreUser { user: c.account()? })),
    ),
    verb(
        "add-to-group",
        &["group", "users"],
        Does::Act(ActionKind::AddToGroup),
        group_members,
    ),
    verb(
        "remove-from-group",
        &["group", "users"],
        Does::Act(ActionKind::RemoveFromGroup),
        group_members,
    ),
    verb(
        "create-group",
        &["group", "description", "type", "members"],
        Does::Act(ActionKind::CreateGroup),
        |c| {
            let (name, _) = c.st.req_str("group")?;
            let kind = match c.st.str("type")? {
                None => mtosim_engine::directory::GroupKind::Security,
                Some((v, span)) => mtosim_engine::directory::GroupKind::parse(&v).ok_or_else(|| {
                    c.src
                        .err(span, format!("unknown group type \"{v}\""))
                        .help("one of: security, microsoft365, mail-enabled-security, distribution")
                })?,
            };
            let members = c.users("members")?;
            Ok(StepKind::Action(Action::CreateGroup {
                name,
                description: c.st.str("description")?.map(|(d, _)| d),
                kind,
                members,
            }))
        },
    ),
    verb(
        "delete-group",
        &["group"],
        Does::Act(ActionKind::DeleteGroup),
        |c| {
            let (gname, gspan) = c.st.req_str("group")?;
            crate::refs::group_ref(c.world, c.src, c.actor, &gname, gspan)?;
            Ok(StepKind::Action(Action::DeleteGroup { group: gname }))
        },
    ),
    verb(
        "update-group",
        &["group", "description"],
        Does::Act(ActionKind::UpdateGroup),
        |c| {
            let (group, _) = c.st.req_str("group")?;
            let description = c.st.str("description")?.map(|(d, _)| d);
            Ok(StepKind::Action(Action::UpdateGroup { group, description }))
        },
    ),
    verb(
        "leave-organization",
        &["user"],
        Does::Act(ActionKind::LeaveOrganization),
        |c| Ok(StepKind::Action(Action::LeaveOrganization { user: c.account()? })),
    ),
    verb(
        "reset-redemption",
        &["user"],
        Does::Act(ActionKind::ResetRedemption),
        |c| Ok(StepKind::Action(Action::ResetRedemption { user: c.account()? })),
    ),
    verb(
        "invite-guest",
        &["user", "user_type", "redeemed"],
        Does::Act(ActionKind::InviteGuest),
        invite_guest,
    ),
];

const fn verb(
    name: &'static str,
    keys: &'static [&'static str],
    does: Does,
    parse: fn(&mut Ctx<'_, '_, '_>) -> R<StepKind>,
) -> Verb {
    Verb {
        name,
        keys,
        does,
        parse,
    }
}

/// The verb named `name`.
pub fn find(name: &str) -> Option<&'static Verb> {
    VERBS.iter().find(|v| v.name == name)
}

/// The verb that performs actions of `kind`.
pub fn of(kind: ActionKind) -> &'static str {
    VERBS
        .iter()
        .find(|v| v.does == Does::Act(kind))
        .map(|v| v.name)
        .expect("every action kind has a verb")
}

/// What a verb's parser reads: the step's table and what it names.
struct Ctx<'w, 'n, 'a> {
    world: &'w World,
    src: Src<'a>,
    st: Tbl<'a, 'a>,
    names: &'n mut Names,
    /// The acting tenant (tenant 0 for `wait` and `settle`, which name none).
    actor: TenantIdx,
    /// The step's own `tenant`, if it names one.
    tenant: Option<TenantIdx>,
    verb: &'static str,
}

impl Ctx<'_, '_, '_> {
    fn groups(&self, key: &str) -> R<Vec<GroupIdx>> {
        self.st
            .str_list(key)?
            .unwrap_or_default()
            .into_iter()
            .map(|(g, span)| group_ref(self.world, self.src, self.actor, &g, span))
            .collect()
    }

    fn users(&self, key: &str) -> R<Vec<UserRef>> {
        self.st
            .str_list(key)?
            .unwrap_or_default()
            .into_iter()
            .map(|(u, span)| user_ref_any(self.world, self.names, self.src, self.actor, &u, span))
            .collect()
    }

    fn sync(&self) -> R<String> {
        let (n, span) = self.st.req_str("sync")?;
        sync_ref(self.world, self.names, self.src, self.actor, &n, span)
    }

    fn account(&self) -> R<UserRef> {
        let (u, span) = self.st.req_str("user")?;
        account_ref(self.world, self.names, self.src, self.actor, &u, span)
    }

    fn target(&self, key: &str, default: Option<TenantIdx>) -> R<TenantIdx> {
        match self.st.str(key)? {
            Some((n, span)) => tenant_ref(self.world, self.src, &n, span),
            None => default.ok_or_else(|| {
                self.src
                    .err(self.st.span.clone(), format!("{} needs `{key}`", self.st.what))
                    .help(format!("add {key} = \"<tenant name>\""))
            }),
        }
    }

    fn text(&self, key: &str) -> R<Option<String>> {
        match self.st.str(key)? {
            Some((s, span)) if s.len() > limits::TEXT_LEN_MAX => Err(self.src.err(
                span,
                format!(
                    "`{key}` is longer than {} bytes (TEXT_LEN_MAX)",
                    limits::TEXT_LEN_MAX
                ),
            )),
            other => Ok(other.map(|(s, _)| s)),
        }
    }

    /// `groups` and `users`, at least one of them.
    fn scope(&self, example: &str) -> R<(Vec<GroupIdx>, Vec<UserRef>)> {
        let (g, u) = (self.groups("groups")?, self.users("users")?);
        if g.is_empty() && u.is_empty() {
            return Err(self
                .src
                .err(
                    self.st.span.clone(),
                    format!("{} needs `groups` or `users`", self.st.what),
                )
                .help(format!("e.g. groups = [\"{example}\"]")));
        }
        Ok((g, u))
    }
}

fn create_mto(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    Ok(StepKind::Action(Action::CreateMto {
        display_name: c.text("display_name")?.ok_or_else(|| {
            c.src
                .err(c.st.span.clone(), format!("{} needs `display_name`", c.st.what))
                .help("add display_name = \"...\" (MTO-8: required)")
        })?,
        description: c.text("description")?.unwrap_or_default(),
        via: via(&c.st)?,
    }))
}

fn update_mto(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    Ok(StepKind::Action(Action::UpdateMto {
        display_name: c.text("display_name")?,
        description: c.text("description")?,
    }))
}

fn add_tenant(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    Ok(StepKind::Action(Action::AddTenant {
        target: c.target("target", None)?,
        role: role(&c.st, false)?,
        via: via(&c.st)?,
    }))
}

fn set_role(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    Ok(StepKind::Action(Action::SetRole {
        target: c.target("target", None)?,
        role: role(&c.st, true)?,
    }))
}

fn join(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    Ok(StepKind::Action(Action::Join {
        added_by: c.target("added_by", None)?,
        via: via(&c.st)?,
    }))
}

fn remove_tenant(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    Ok(StepKind::Action(Action::RemoveTenant {
        target: c.target("target", c.tenant)?,
    }))
}

fn share_users(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let (groups, users) = c.scope("MTO Shared")?;
    Ok(StepKind::Action(if c.verb == "share-users" {
        Action::ShareUsers { groups, users }
    } else {
        Action::UnshareUsers { groups, users }
    }))
}

fn wait(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    Ok(StepKind::Wait(duration(&c.st, "for")?.ok_or_else(|| {
        c.src
            .err(c.st.span.clone(), format!("{} needs `for`", c.st.what))
            .help("e.g. for = \"2h\"")
    })?))
}

fn set_partner(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let (pn, span) = c.st.req_str("partner")?;
    let partner = tenant_ref(c.world, c.src, &pn, span)?;
    let b2b_inbound = crate::refs::b2b_setting(c.world, c.src, &c.st, "b2b_inbound", Some(partner))?;
    let b2b_outbound = crate::refs::b2b_setting(c.world, c.src, &c.st, "b2b_outbound", Some(c.actor))?;
    let st = &c.st;
    Ok(StepKind::Action(Action::SetPartner {
        partner,
        patch: PartnerPatch {
            auto_redeem_inbound: st.bool("auto_redeem_inbound")?,
            auto_redeem_outbound: st.bool("auto_redeem_outbound")?,
            sync_inbound: st.bool("sync_inbound")?,
            mfa_trust: st.bool("mfa_trust")?,
            b2b_inbound,
            b2b_outbound,
            group_sync_inbound: st.bool("group_sync_inbound")?,
            cross_cloud_sync: st.bool("cross_cloud_sync")?,
        },
    }))
}

fn delete_partner(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let (pn, span) = c.st.req_str("partner")?;
    Ok(StepKind::Action(Action::DeletePartner {
        partner: tenant_ref(c.world, c.src, &pn, span)?,
        sync_policy_too: c.st.bool("sync_policy_too")?.unwrap_or(true),
    }))
}

fn set_templates(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let st = &c.st;
    Ok(StepKind::Action(Action::SetTemplates {
        patch: TemplatesPatch {
            auto_redeem_inbound: st.bool("auto_redeem_inbound")?,
            auto_redeem_outbound: st.bool("auto_redeem_outbound")?,
            mfa_trust: st.bool("mfa_trust")?,
            sync_inbound: st.bool("sync_inbound")?,
            application: app_level(st)?,
        },
    }))
}

fn create_sync(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let target = c.target("target", None)?;
    let (src, st, actor) = (c.src, &c.st, c.actor);
    if target == actor {
        return Err(src
            .err(st.span_of("target"), "a configuration syncs to another tenant")
            .help("name a target other than the acting tenant (CTS-66)"));
    }
    let (name, nspan) = st.req_str("name")?;
    if name.trim().is_empty() {
        return Err(src.err(nspan, "a configuration needs a non-empty name"));
    }
    if !c.names.syncs[actor.ix()].contains(&name) {
        c.names.syncs[actor.ix()].push(name.clone());
    }
    let pick = |key: &str, opts: &[&str], default: &str| -> R<String> {
        match st.str(key)? {
            None => Ok(default.to_string()),
            Some((v, _)) if opts.contains(&v.as_str()) => Ok(v),
            Some((v, span)) => Err(src
                .err(span, format!("unknown {key} \"{v}\""))
                .help(format!("one of: {}", opts.join(", ")))),
        }
    };
    let delete_threshold = match st.get("delete_threshold").map(|v| v.get_ref()) {
        None | Some(toml::de::DeValue::Boolean(false)) => None,
        Some(toml::de::DeValue::Boolean(true)) => Some(mtosim_engine::sync::DELETE_THRESHOLD_DEFAULT),
        Some(_) => Some(st.uint("delete_threshold", u32::MAX as u64)?.expect("present") as u32),
    };
    Ok(StepKind::Action(Action::CreateSync(Box::new(CreateSync {
        target,
        name,
        scope_all: pick("scope", &["assigned", "all"], "assigned")? == "all",
        user_type: if pick("user_type", &["Member", "Guest"], "Member")? == "Guest" {
            UserType::Guest
        } else {
            UserType::Member
        },
        apply_always: pick("apply", &["always", "on-create"], "on-create")? == "always",
        delete_action: st.bool("delete_action")?.unwrap_or(true),
        delete_threshold,
        provision_groups: st.bool("provision_groups")?.unwrap_or(false),
        cross_cloud: st.bool("cross_cloud")?.unwrap_or(false),
        manual: pick("mode", &["automatic", "manual"], "automatic")? == "manual",
    }))))
}

/// An attribute of the provisioning schema, by its schema or Graph name.
fn schema_attr(c: &Ctx<'_, '_, '_>, key: &str) -> R<SchemaAttr> {
    let (name, span) = c.st.req_str(key)?;
    SchemaAttr::parse(&name).ok_or_else(|| {
        let e = c
            .src
            .err(span, format!("unknown attribute \"{name}\" for `{key}`"));
        let names: Vec<String> = SchemaAttr::names().collect();
        match did_you_mean(&name, names.iter().map(String::as_str)) {
            Some(m) => e.help(format!("did you mean \"{m}\"?")),
            None => e.help(format!(
                "one of: {}, or a directory extension extension_<appId>_<name>",
                names.join(", ")
            )),
        }
    })
}

/// `set-mapping`: the portal's "Edit attribute" form (CTS-29). The mapping type is `type`, or
/// follows from the one key of `source`, `constant`, `expression` given.
fn set_mapping(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let sync = c.sync()?;
    let target = schema_attr(c, "target")?;
    let (src, st) = (c.src, &c.st);
    let given: Vec<&str> = ["source", "constant", "expression"]
        .into_iter()
        .filter(|k| st.get(k).is_some())
        .collect();
    let kind = match st.str("type")? {
        Some((t, span)) => match t.as_str() {
            "direct" | "constant" | "expression" | "none" => t,
            _ => {
                return Err(src
                    .err(span, format!("unknown mapping type \"{t}\""))
                    .help("one of: direct, constant, expression, none (CTS-29)"))
            }
        },
        None => match given.as_slice() {
            ["source"] => "direct".to_string(),
            [k] => k.to_string(),
            [_, second, ..] => {
                return Err(src
                    .err(st.span_of(second), format!("a mapping takes one of `source`, `constant` and `expression`, and this one gives {}", given.join(" and ")))
                    .help("keep the one the mapping should use (type = \"...\" names it explicitly)"))
            }
            _ => {
                return Err(src
                    .err(st.span.clone(), format!("{} needs one of `source`, `constant`, `expression`, or type = \"none\"", st.what))
                    .help("e.g. source = \"department\" (direct), constant = \"Contoso\", or expression = 'Join(\" \", [givenName], [surname])'"))
            }
        },
    };
    let want = match kind.as_str() {
        "direct" => Some("source"),
        "constant" => Some("constant"),
        "expression" => Some("expression"),
        _ => None,
    };
    if let Some(extra) = given.iter().find(|k| Some(**k) != want) {
        return Err(src
            .err(st.span_of(extra), format!("a {kind} mapping takes no `{extra}`"))
            .help(match want {
                Some(w) => format!("give `{w}` only"),
                None => "a none mapping leaves the target attribute as it is; drop the key".to_string(),
            }));
    }
    let source = match kind.as_str() {
        "direct" => MappingSource::Attribute(schema_attr(c, "source")?),
        "constant" => MappingSource::Constant(c.text("constant")?.unwrap_or_default()),
        "expression" => {
            let (text, span) = c.st.req_str("expression")?;
            let e = expression(c.src, &text, span.clone())?;
            crate::values::check_expression_for_sync(c.src, &e, &text, span)?;
            MappingSource::Expression(std::sync::Arc::new(e))
        }
        _ => MappingSource::None,
    };
    let flow = match c.st.str("apply")? {
        None => FlowType::Always,
        Some((a, _)) if a == "always" => FlowType::Always,
        Some((a, _)) if a == "on-create" => FlowType::ObjectAddOnly,
        Some((a, span)) => {
            return Err(c.src.err(span, format!("unknown apply \"{a}\"")).help(
                "one of: always, on-create (\"Apply this mapping\": Always, Only during object creation)",
            ))
        }
    };
    Ok(StepKind::Action(Action::EditMapping {
        sync,
        mapping: Some(AttributeMapping {
            target: target.clone(),
            source,
            default_value: c.text("default")?,
            flow,
            matching_priority: 0,
        }),
        target,
    }))
}

fn assign(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let sync = c.sync()?;
    let (groups, users) = c.scope("Sales")?;
    Ok(StepKind::Action(if c.verb == "assign" {
        Action::Assign { sync, groups, users }
    } else {
        Action::Unassign { sync, groups, users }
    }))
}

fn set_scoping_filter(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let sync = c.sync()?;
    let (filter, filters) = scoping_filters(c.src, &c.st)?;
    Ok(StepKind::Action(Action::SetScopingFilter {
        sync,
        filter,
        filters,
    }))
}

fn restart_sync(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let sync = c.sync()?;
    let reset = match c.st.str("reset")? {
        None => ResetScope::portal(),
        Some((v, span)) => ResetScope::parse(&v).map_err(|e| c.src.err(span, e))?,
    };
    Ok(StepKind::Action(Action::RestartSync { sync, reset }))
}

fn provision_on_demand(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let sync = c.sync()?;
    let (u, span) = c.st.req_str("user")?;
    Ok(StepKind::Action(Action::ProvisionOnDemand {
        sync,
        user: user_ref_any(c.world, c.names, c.src, c.actor, &u, span)?,
    }))
}

fn add_user(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let user = inline_user_spec(c.src, &c.st, true)?;
    let upn = user.upn.clone();
    if c.names.knows_upn(c.world, c.actor, &upn).is_some() {
        return Err(c
            .src
            .err(
                c.st.span_of("upn"),
                format!("tenant {} already has a user {upn}", c.world.name(c.actor)),
            )
            .help("UPNs are unique in a directory"));
    }
    c.names.added_upns[c.actor.ix()].push(upn);
    Ok(StepKind::Action(Action::AddUser(Box::new(user))))
}

fn update_user(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let user = c.account()?;
    let upn = match c.st.str("userPrincipalName")? {
        None => None,
        Some((n, span)) => {
            if let Some(why) = mtosim_engine::user::upn_problem(&n) {
                return Err(c
                    .src
                    .err(span, format!("\"{n}\" is not a userPrincipalName: it {why}"))
                    .help("write it as alias@domain"));
            }
            if c.names.knows_upn(c.world, c.actor, &n).is_some() {
                return Err(c
                    .src
                    .err(
                        span,
                        format!("tenant {} already has a user {n}", c.world.name(c.actor)),
                    )
                    .help("UPNs are unique in a directory"));
            }
            c.names.added_upns[c.actor.ix()].push(n.clone());
            Some(n)
        }
    };
    let manager = match c.st.str("manager")? {
        None => None,
        Some((m, _)) if m.is_empty() => Some(None),
        Some((m, span)) => {
            let (who, _) = c.st.req_str("user")?;
            if who.eq_ignore_ascii_case(&m) {
                return Err(c
                    .src
                    .err(span, format!("{m} cannot be its own manager"))
                    .help("name another user of the tenant, or manager = \"\" to clear it"));
            }
            Some(Some(user_ref_any(c.world, c.names, c.src, c.actor, &m, span)?))
        }
    };
    Ok(StepKind::Action(Action::UpdateUser {
        user,
        attrs: attr_values(
            c.src,
            &c.st,
            &[
                "do",
                "at",
                "tenant",
                "expect_error",
                "user",
                "user_type",
                "userPrincipalName",
                "manager",
            ],
        )?,
        user_type: match c.st.str("user_type")? {
            None => None,
            Some((v, span)) => Some(UserType::parse(&v).ok_or_else(|| {
                c.src
                    .err(span, format!("unknown user_type \"{v}\""))
                    .help("\"Member\" or \"Guest\"")
            })?),
        },
        extra: extra_values(c.src, &c.st)?,
        upn,
        manager,
    }))
}

fn group_members(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let (gname, gspan) = c.st.req_str("group")?;
    let group = group_ref(c.world, c.src, c.actor, &gname, gspan.clone())?;
    if c.world.tenant(c.actor).dir.groups()[group.ix()].rule.is_some() {
        return Err(c
            .src
            .err(
                gspan,
                format!("\"{gname}\" is a dynamic group: its members follow its rule"),
            )
            .help("change the users' attributes instead, or use a static group (CTS-15)"));
    }
    let users = c.users("users")?;
    if users.is_empty() {
        return Err(c
            .src
            .err(c.st.span.clone(), format!("{} needs `users`", c.st.what)));
    }
    Ok(StepKind::Action(if c.verb == "add-to-group" {
        Action::AddToGroup { group, users }
    } else {
        Action::RemoveFromGroup { group, users }
    }))
}

fn invite_guest(c: &mut Ctx<'_, '_, '_>) -> R<StepKind> {
    let (upn, span) = c.st.req_str("user")?;
    let (world, names, actor) = (c.world, &*c.names, c.actor);
    let home = world
        .tenant_ids()
        .find(|&t| t != actor && names.knows_upn(world, t, &upn).is_some())
        .ok_or_else(|| {
            c.src
                .err(span.clone(), format!("no other tenant has a user {upn}"))
                .help("invite-guest names a user of another tenant by its userPrincipalName")
        })?;
    let user = names.knows_upn(world, home, &upn).expect("found above");
    let user_type = match c.st.str("user_type")? {
        None => UserType::Guest,
        Some((v, span)) => UserType::parse(&v).ok_or_else(|| {
            c.src
                .err(span, format!("unknown user_type \"{v}\""))
                .help("\"Guest\" (default) or \"Member\"")
        })?,
    };
    Ok(StepKind::Action(Action::InviteGuest {
        home,
        user,
        user_type,
        redeemed: c.st.bool("redeemed")?.unwrap_or(true),
    }))
}

fn valid_rule_id(s: &str) -> bool {
    s.rsplit_once('-').is_some_and(|(p, n)| {
        ["MTO", "CTS", "XTAP", "SEED", "SIM"].contains(&p)
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Loads step `number` of the file: its verb, tenant, time, expectation and arguments, every
/// name resolved.
pub(crate) fn load_step(
    world: &World,
    src: Src<'_>,
    st: Tbl<'_, '_>,
    number: usize,
    names: &mut Names,
) -> R<Step> {
    let (name, vspan) = st.req_str("do")?;
    let line = src.line_of(vspan.start);
    let Some(v) = find(&name) else {
        let d = src.err(vspan, format!("unknown verb \"{name}\" in [[step]] {number}"));
        let verbs: Vec<&str> = VERBS.iter().map(|v| v.name).collect();
        return Err(match did_you_mean(&name, verbs.iter().copied()) {
            Some(s) => d.help(format!("did you mean \"{s}\"?")),
            None => d.help(format!("verbs: {}", verbs.join(", "))),
        });
    };
    let st = Tbl {
        what: format!("[[step]] {number} ({})", v.name),
        ..st
    };
    let time_verb = matches!(v.does, Does::Wait | Does::Settle);
    let mut allowed: Vec<&str> = vec!["do", "at"];
    if !time_verb {
        allowed.push("tenant");
    }
    if !time_verb && v.does != Does::Expect {
        allowed.push("expect_error");
        allowed.push("as");
    }
    allowed.extend_from_slice(v.keys);
    if !matches!(v.does, Does::Act(ActionKind::AddUser | ActionKind::UpdateUser)) {
        st.allow_only(&allowed)?; // those two take Graph attribute keys, checked by attr_values
    }
    let tenant = if time_verb {
        None
    } else {
        let (n, span) = st.req_str("tenant")?;
        Some(tenant_ref(world, src, &n, span)?)
    };
    let at = match st.str("at")? {
        None => None,
        Some((s, span)) => Some(if s.starts_with('+') {
            At::Offset(Duration::parse(&s).map_err(|e| src.err(span, e))?)
        } else {
            At::Absolute(
                SimTime::parse_rfc3339(&s)
                    .map_err(|e| {
                        let hint = if Duration::parse(&s).is_ok() {
                            format!("an offset from the previous step starts with '+': at = \"+{s}\"")
                        } else {
                            "write a time as \"2023-08-30T12:00:00Z\" or an offset as \"+2h\"".to_string()
                        };
                        src.err(span.clone(), e).help(hint)
                    })
                    .and_then(|t| {
                        if t < world.start() {
                            Err(src.err(
                                span,
                                format!(
                                    "at = \"{s}\" is before the scenario's start ({}); time only moves forward",
                                    world.start()
                                ),
                            ))
                        } else {
                            Ok(t)
                        }
                    })?,
            )
        }),
    };
    let expect_error = match st.get("expect_error") {
        None => None,
        Some(e) => match e.get_ref() {
            toml::de::DeValue::Boolean(true) => Some(ExpectError::Any),
            toml::de::DeValue::String(s) if valid_rule_id(s) => {
                if mtosim_engine::catalog::find(s).is_none() {
                    let ids: Vec<String> = mtosim_engine::catalog::all().into_iter().map(|r| r.id).collect();
                    let d = src.err(
                        e.span(),
                        format!("expect_error names {s}, which is not a documented rule id"),
                    );
                    return Err(match did_you_mean(s, ids.iter().map(String::as_str)) {
                        Some(m) => d.help(format!("did you mean \"{m}\"? `mtosim rules` lists them")),
                        None => d.help("`mtosim rules` lists the rule ids"),
                    });
                }
                Some(ExpectError::Rule(s.to_string()))
            }
            _ => {
                return Err(src.err(
                    e.span(),
                    "expect_error must be a rule id such as \"MTO-37\", or true for any rule",
                ))
            }
        },
    };
    let mut c = Ctx {
        world,
        src,
        st,
        names,
        actor: tenant.unwrap_or(TenantIdx(0)),
        tenant,
        verb: v.name,
    };
    let kind = (v.parse)(&mut c)?;
    let admin = match c.st.str("as")? {
        None => None,
        Some((upn, span)) => {
            let t = tenant.expect("action steps name a tenant");
            let admins = &world.tenant(t).admins;
            Some(admins.iter().position(|a| a.upn.eq_ignore_ascii_case(&upn)).ok_or_else(|| {
                let d = src.err(span, format!("{} has no administrator {upn}", world.name(t)));
                if admins.is_empty() {
                    d.help("declare one with [[tenant.admin]] upn = \"...\" roles = [\"Security Administrator\"]")
                } else {
                    d.help(format!(
                        "its administrators: {}",
                        admins.iter().map(|a| a.upn.as_str()).collect::<Vec<_>>().join(", ")
                    ))
                }
            })?)
        }
    };
    Ok(Step {
        number,
        line,
        verb: v.name,
        tenant,
        at,
        expect_error,
        admin,
        kind,
    })
}
