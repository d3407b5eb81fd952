//! Narration: turns the engine's structured events into one line each, for people.
//!
//! Line legend: `TIME  TENANT  WHAT HAPPENED  [RULES]`, where TIME is the simulated UTC time,
//! TENANT is the tenant in which it happened (the acting tenant for requests), and RULES are
//! the rule ids behind it (see `mtosim explain` and `docs/rules.md`).

use mtosim_engine::event::{DirChange, Event, EventKind, OnDemandOutcome, RemovalCase, Warning};
use mtosim_engine::mto::Role;
use mtosim_engine::{SimTime, World};
use mtosim_scenario::trace::{Entry, Timed};
use mtosim_scenario::{verbs, words};

/// `2023-08-30 08:00:00`.
pub fn time(t: SimTime) -> String {
    let (y, mo, d, h, mi, s) = t.civil();
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// Width of the tenant column.
pub fn tenant_width(world: &World) -> usize {
    world
        .tenants()
        .iter()
        .map(|t| t.name().len())
        .max()
        .unwrap_or(6)
        .max(6)
}

/// One narrated line: time, tenant, text, rules.
pub fn line(world: &World, ev: &Event) -> String {
    let w = tenant_width(world);
    let rules: Vec<&str> = ev.rules.iter().map(|r| r.0).collect();
    let rules = if rules.is_empty() {
        String::new()
    } else {
        format!("  [{}]", rules.join(", "))
    };
    format!(
        "{}  {:<w$}  {}{}",
        time(ev.at),
        world.name(ev.tenant),
        describe(world, ev),
        rules
    )
}

/// How a line should stand out on a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Nothing special.
    Plain,
    /// A step header.
    Step,
    /// A check that held, or a refusal that `expect_error` asked for.
    Ok,
    /// A refusal or a failed join.
    Refused,
    /// A warning.
    Warning,
    /// A failed check or expectation.
    Fail,
}

impl Style {
    /// The ANSI SGR code of the style, if it has one.
    pub fn sgr(self) -> Option<&'static str> {
        match self {
            Style::Plain => None,
            Style::Step => Some("1"),
            Style::Ok => Some("32"),
            Style::Refused => Some("33"),
            Style::Warning => Some("35"),
            Style::Fail => Some("1;31"),
        }
    }
}

/// The style of a trace entry, from its kind (never from its text).
pub fn style(world: &World, e: &Entry) -> Style {
    match e {
        Entry::Event(i) => match &world.events()[*i].kind {
            EventKind::Refused { .. } | EventKind::JoinFailed { .. } => Style::Refused,
            EventKind::Warning(_) => Style::Warning,
            _ => Style::Plain,
        },
        Entry::Step { .. } => Style::Step,
        Entry::CheckOk { .. } | Entry::Expected { .. } => Style::Ok,
        Entry::Fail(_) => Style::Fail,
        Entry::Waited(_) | Entry::Settled { .. } => Style::Plain,
    }
}

/// One narrated line of a trace entry: an engine event as [`line()`], a runner entry with an
/// empty tenant column.
pub fn entry_line(world: &World, e: &Timed) -> String {
    match &e.entry {
        Entry::Event(i) => line(world, &world.events()[*i]),
        other => {
            let w = tenant_width(world);
            format!("{}  {:<w$}  {}", time(e.at), "", other)
        }
    }
}

fn cfg_label(world: &World, c: mtosim_engine::ConfigIdx) -> String {
    let cfg = &world.configs()[c.ix()];
    format!("{} (to {})", cfg.name, world.name(cfg.target))
}

fn role_word(r: Role) -> &'static str {
    match r {
        Role::Owner => "an owner",
        Role::Member => "a member",
    }
}

/// The text of an event, without time, tenant or rules.
pub fn describe(world: &World, ev: &Event) -> String {
    let n = |t: mtosim_engine::TenantIdx| world.name(t).to_string();
    let me = n(ev.tenant);
    match &ev.kind {
        EventKind::MtoCreated { name, .. } => {
            format!("created the multitenant organization \"{name}\"; {me} is its first active owner")
        }
        EventKind::MtoUpdated { name } => format!("updated the MTO; it is now called \"{name}\""),
        EventKind::TenantAdded { target, role } => format!(
            "added {} to the MTO as {}; it stays pending until its own admin joins",
            n(*target),
            role_word(*role)
        ),
        EventKind::RoleChanged { target, role, queued: true } => format!(
            "asked for {} to become {}; it is pending, so the role applies when it joins",
            n(*target),
            role_word(*role)
        ),
        EventKind::RoleChanged { target, role, queued: false } => {
            format!("made {} {}", n(*target), role_word(*role))
        }
        EventKind::JoinSubmitted { added_by, due, .. } => format!(
            "submitted a join request naming {} as the adder; processing takes until {}",
            n(*added_by),
            time(*due)
        ),
        EventKind::JoinSucceeded { role, active, .. } => format!(
            "join completed: {me} is an active {} of the MTO, which now has {active} active tenant{}",
            role.as_str(),
            if *active == 1 { "" } else { "s" }
        ),
        EventKind::JoinFailed { refusal, .. } => format!("join FAILED: {}", words::Message(refusal)),
        EventKind::JoinReset => "reset the failed join request (addedByTenantId set to the all-zero GUID)".into(),
        EventKind::RemovalRequested { target, case, due, .. } => {
            let what = match case {
                RemovalCase::MemberLeaves => format!("{me} is leaving the MTO"),
                RemovalCase::OwnerRemovesOther => format!("removing {} from the MTO", n(*target)),
                RemovalCase::OwnerLeavesOtherOwnerRemains => {
                    format!("{me} is leaving the MTO; another active owner remains")
                }
                RemovalCase::LastTenantDeletesMto => {
                    format!("{me}, the last active tenant, is leaving: this deletes the MTO")
                }
                RemovalCase::OwnerExitDissolves => {
                    format!("{me}, the owner, is leaving: in the 2023 preview this dissolves the MTO for every tenant")
                }
            };
            format!("{what}; removal completes by {}", time(*due))
        }
        EventKind::RemovalCompleted { was_active: false, .. } => {
            format!("{me} is no longer listed in the MTO (it had never joined)")
        }
        EventKind::RemovalCompleted { .. } => format!(
            "{me} is no longer in the MTO; its access settings, sync configurations and synced users stay as they were"
        ),
        EventKind::MtoDeleted { dropped_pending } if *dropped_pending > 0 => format!(
            "the MTO no longer exists; {dropped_pending} pending tenant entr{} went with it",
            if *dropped_pending == 1 { "y" } else { "ies" }
        ),
        EventKind::MtoDeleted { .. } => {
            "the MTO no longer exists; no tenant is listed in it any more (a Graph GET of it reads state inactive)".into()
        }
        EventKind::TemplatesSetByM365 => "Microsoft 365 admin center set the MTO templates: automatic redemption inbound and outbound, user sync inbound allowed".into(),
        EventKind::PartnerCreated { partner } => format!(
            "created cross-tenant access settings for {} (unconfigured: defaults apply)",
            n(*partner)
        ),
        EventKind::TemplatesApplied {
            partner,
            new_partner,
            values: p,
        } => {
            let b = |v: Option<bool>| match v {
                Some(true) => "yes",
                Some(false) => "no",
                None => "default",
            };
            format!(
                "applied its MTO templates to its settings for {} ({} partner): auto-redeem in {}, out {}; user sync in {}",
                n(*partner),
                if *new_partner { "new" } else { "existing" },
                b(p.auto_redeem_inbound),
                b(p.auto_redeem_outbound),
                b(p.sync_inbound)
            )
        }
        EventKind::InMtoFlag { partner, value } => format!(
            "isInMultiTenantOrganization for {} is now {value}",
            n(*partner)
        ),
        EventKind::SyncConfigCreated { config } => {
            format!("cross-tenant sync configuration {} created, not running yet", cfg_label(world, *config))
        }
        EventKind::SyncScopeSet { config, groups, users } => format!(
            "shared users: {} now syncs {groups} group{} and {users} user{} directly assigned",
            cfg_label(world, *config),
            if *groups == 1 { "" } else { "s" },
            if *users == 1 { "" } else { "s" }
        ),
        EventKind::SyncStarted { config } => format!(
            "started provisioning for {}; cycles run every 40 minutes",
            cfg_label(world, *config)
        ),
        EventKind::CycleStarted { config, initial, objects, duration } => format!(
            "{} cycle of {} started over {objects} object{}; it takes {duration}",
            if *initial { "initial" } else { "incremental" },
            cfg_label(world, *config),
            if *objects == 1 { "" } else { "s" }
        ),
        EventKind::CycleFinished {
            config,
            initial,
            stats,
            failures,
            skips,
            created_as,
            then,
        } => {
            use mtosim_engine::event::CycleThen;
            let cfg = &world.configs()[config.ix()];
            let mut parts = Vec::new();
            if stats.created > 0 {
                parts.push(format!("{} created as {created_as} in {}", stats.created, n(cfg.target)));
            }
            for (k, v) in [("updated", stats.updated), ("soft-deleted", stats.deleted), ("restored", stats.restored)] {
                if v > 0 {
                    parts.push(format!("{v} {k}"));
                }
            }
            for (code, n) in failures {
                parts.push(match then {
                    CycleThen::Retry | CycleThen::HoldDeletes => {
                        format!("{n} failed with {code} and will be retried")
                    }
                    // the next event says what becomes of them (CTS-54)
                    CycleThen::PruneEscrows => format!("{n} failed with {code}, too many to retry"),
                    CycleThen::Quarantine => {
                        format!("{n} failed with {code}, over the escrow threshold")
                    }
                });
            }
            for (reason, n) in skips {
                let what = match *reason {
                    "ExternalUser" => "external (B2B) users skipped: never a sync source",
                    "InternalGuest" => "internal guests skipped: not eligible",
                    "SmsSignIn" => "users with SMS sign-in skipped: they fail the Filter external users clause (alternativeSecurityIds EQUALS 'None')",
                    "DisabledNeverProvisioned" => "disabled users skipped: never provisioned while disabled",
                    "DeleteActionDisabled" => "left scope but kept: the Delete action is off",
                    "DisabledBeforeRemoval" => "left scope but kept, disabled: they were disabled first",
                    "DeletedInTarget" => "deleted in the target and not restored by sync",
                    other => other,
                };
                parts.push(format!("{n} {what}"));
            }
            if parts.is_empty() {
                parts.push(match then {
                    CycleThen::HoldDeletes => "nothing applied, its deletions are held".into(),
                    _ => "nothing to change".into(),
                });
            }
            format!(
                "{} cycle of {} finished: {}",
                if *initial { "initial" } else { "incremental" },
                cfg.name,
                parts.join(", ")
            )
        }
        EventKind::CycleBlocked { config, refusal } => format!(
            "provisioning for {} stopped ({}): {}",
            cfg_label(world, *config),
            refusal.code.unwrap_or("policy check"),
            words::Message(refusal)
        ),
        EventKind::JoinRunning { .. } => "the join request is being processed (status running)".into(),
        EventKind::Warning(w) => format!("WARNING: {}", warning(world, ev, w)),
        EventKind::PartnerUpdated {
            partner,
            created,
            sync_policy_created,
            values: p,
        } => {
            let b = |v: Option<bool>| match v {
                Some(true) => "yes",
                Some(false) => "no",
                None => "default (no)",
            };
            format!(
                "{} its cross-tenant access settings for {}{}: auto-redeem in {}, out {}; user sync in {}{}",
                if *created { "created" } else { "updated" },
                n(*partner),
                if *sync_policy_created { " with an identity sync policy" } else { "" },
                b(p.auto_redeem_inbound),
                b(p.auto_redeem_outbound),
                if p.sync_policy { b(p.sync_inbound) } else { "no policy (no)" },
                match p.group_sync_inbound {
                    Some(v) if p.sync_policy => format!("; group sync in {}", b(Some(v))),
                    _ => String::new(),
                }
            )
        }
        EventKind::PartnerDeleted { partner, had_sync_policy: true } => format!(
            "deleted its identity sync policy for {p}, then its partner configuration for {p}; defaults apply again",
            p = n(*partner)
        ),
        EventKind::PartnerDeleted { partner, .. } => {
            format!("deleted its partner configuration for {}; defaults apply again", n(*partner))
        }
        EventKind::TemplatesUpdated { values: t } => {
            let b = |v: Option<bool>| match v {
                Some(true) => "true",
                Some(false) => "false",
                None => "null",
            };
            format!(
                "updated its MTO templates: auto-redeem in {}, out {}, user sync in {}; applied at {}. They act only on future join events",
                b(t.auto_redeem_inbound),
                b(t.auto_redeem_outbound),
                b(t.sync_inbound),
                t.level.graph_value()
            )
        }
        EventKind::TemplatesReset => "reset both MTO templates to their defaults: every value null, so they change nothing at the next join".into(),
        EventKind::MtoSyncNotCreated { target } => format!(
            "the Microsoft 365 configuration toward {} was not created: the world holds {} sync configurations, the simulator's cap (CONFIGS_COUNT_MAX)",
            n(*target),
            mtosim_engine::limits::CONFIGS_COUNT_MAX
        ),
        EventKind::AccountsPurged { count } => format!(
            "{count} soft-deleted synchronized account{} purged 30 days after deletion; {} can no longer be restored",
            if *count == 1 { " was" } else { "s were" },
            if *count == 1 { "it" } else { "they" }
        ),
        EventKind::QuarantineEntered { config, reason, next } => format!(
            "{} is in quarantine ({}){}",
            cfg_label(world, *config),
            reason.as_str(),
            match next {
                Some(t) => format!("; next attempt {}", time(*t)),
                None => "; it waits for allow-deletes or a restart".into(),
            }
        ),
        EventKind::QuarantineRetry { config, attempt, next } => format!(
            "retry {attempt} of {} failed the same way; {}",
            cfg_label(world, *config),
            match next {
                Some(t) => format!("next attempt {}", time(*t)),
                None => "no automatic retry".into(),
            }
        ),
        EventKind::QuarantineLeft { config } => format!("{} left quarantine", cfg_label(world, *config)),
        EventKind::JobDisabled { config } => format!(
            "{} stayed in quarantine for 28 days: escrows dropped, job disabled; start-sync after fixing the cause",
            cfg_label(world, *config)
        ),
        EventKind::EscrowsPruned { config, failed } => format!(
            "the initial cycle of {} had {failed} failures, over the escrow threshold: escrows pruned and the job paused for the admin",
            cfg_label(world, *config)
        ),
        EventKind::DeletesHeld { config, count, threshold } => format!(
            "{count} deletions and disables held by {}: more than the accidental-deletion threshold of {threshold}; allow-deletes releases them",
            cfg_label(world, *config)
        ),
        EventKind::DeletesReleased { config, count } => format!(
            "released {count} held deletion{} of {}; the next cycle applies {}",
            if *count == 1 { "" } else { "s" },
            cfg_label(world, *config),
            if *count == 1 { "it" } else { "them" }
        ),
        EventKind::SyncPaused { config } => format!("paused provisioning for {}", cfg_label(world, *config)),
        EventKind::SyncRestarted { config, reset } => format!(
            "restarted provisioning for {} (reset: {}); the next cycle is an initial one",
            cfg_label(world, *config),
            reset.graph_value()
        ),
        EventKind::SyncDeleted { config } => format!(
            "deleted the configuration {}; the accounts it created stay in {}",
            cfg_label(world, *config),
            n(world.configs()[config.ix()].target)
        ),
        EventKind::SyncAssigned { config, groups, users, scope_all } => {
            if *scope_all {
                format!("{} syncs all users; assignments: {groups} group(s), {users} user(s)", cfg_label(world, *config))
            } else {
                format!(
                    "{} now has {groups} group{} and {users} user{} assigned",
                    cfg_label(world, *config),
                    if *groups == 1 { "" } else { "s" },
                    if *users == 1 { "" } else { "s" }
                )
            }
        }
        EventKind::GroupProvisioningSet { config, enabled } => format!(
            "\"Provision Microsoft Entra ID Groups\" turned {} on {}{}",
            if *enabled { "on" } else { "off" },
            cfg_label(world, *config),
            if *enabled {
                "; assigned groups become static security groups in the target from the next cycle"
            } else {
                "; groups already synchronized stay as they are, and assigned groups are skipped (EntityTypeNotSupported)"
            }
        ),
        EventKind::ScopeSet { config, all, needs_restart } => format!(
            "scope of {} set to {}{}",
            cfg_label(world, *config),
            if *all { "\"Sync all users and groups\"; the next cycle reads every user (initial cycle)" } else { "\"Sync only assigned users and groups\"" },
            if *needs_restart {
                "; accounts of users no longer in scope stay until a restart re-evaluates everyone, so restart the job for the change to take effect"
            } else {
                ""
            }
        ),
        EventKind::GroupUpdated { name, synced: true } => format!(
            "changed the description of \"{name}\", a group cross-tenant sync created here; the edit lasts until the source group changes"
        ),
        EventKind::GroupUpdated { name, synced: false } => format!("changed the description of group \"{name}\""),
        EventKind::ProvisioningModeSet { config, automatic: true } => format!(
            "Provisioning Mode of {} set to Automatic: the test connection with the cross-tenant synchronization policy succeeded and the credentials are saved",
            cfg_label(world, *config)
        ),
        EventKind::ProvisioningModeSet { config, automatic: false } => format!(
            "Provisioning Mode of {} set to Manual: provisioning cannot be turned on until it is Automatic again",
            cfg_label(world, *config)
        ),
        EventKind::ShareIdle { config } => format!(
            "{} is in Provisioning Mode Manual, so it stays idle with the shared scope until its mode is switched to Automatic",
            cfg_label(world, *config)
        ),
        EventKind::DefaultAccessSet { reset } => format!(
            "{} its default cross-tenant access settings for B2B collaboration; partner configurations whose settings are null inherit them",
            if *reset { "reset, then updated," } else { "updated" }
        ),
        EventKind::AccountLeft { upn, requeued } => match requeued {
            Some(c) => format!(
                "{upn} left the organization (self-service): the account is soft-deleted, and {} evaluates the user again at its next cycle, so a user still in scope gets a new account",
                cfg_label(world, *c)
            ),
            None => format!("{upn} left the organization (self-service): the account is soft-deleted"),
        },
        EventKind::RedemptionReset { upn } => {
            format!("reset the redemption of {upn}: it is PendingAcceptance until the user redeems again")
        }
        EventKind::SyncPolicyDeleted { partner } => format!(
            "deleted its identity sync policy for {}; user and group sync inbound from it are not allowed any more",
            n(*partner)
        ),
        EventKind::GroupsProvisioned { config, outcome } => group_pass(world, *config, outcome),
        EventKind::ScopingFilterSet { config, filters } => format!(
            "{} scoping filter{} saved on {}; the next cycle re-evaluates everyone (initial cycle)",
            filters,
            if *filters == 1 { "" } else { "s" },
            cfg_label(world, *config)
        ),
        EventKind::MappingEdited {
            config,
            target,
            mapping,
        } => match mapping {
            Some(m) => format!(
                "mapping of {target} on {} set to {m}; accounts keep what they show until a cycle writes them, and the next cycle re-evaluates everyone (initial cycle)",
                cfg_label(world, *config)
            ),
            None => format!(
                "mapping of {target} deleted from {}; accounts keep the value they have, and the next cycle re-evaluates everyone (initial cycle)",
                cfg_label(world, *config)
            ),
        },
        EventKind::OnDemand { config, user, outcome } => {
            let cfg = &world.configs()[config.ix()];
            let what = match outcome {
                OnDemandOutcome::Duplicate => "created a second account, because the first was deleted in the target (CTS-47); restore the first and delete one of them",
                OnDemandOutcome::Created => "created",
                OnDemandOutcome::Restored => "restored",
                OnDemandOutcome::Updated => "updated",
                OnDemandOutcome::SoftDeleted => "soft-deleted (out of scope)",
                OnDemandOutcome::Failed => "failed and was not retried",
                OnDemandOutcome::Skipped => "skipped: nothing to change or not in scope",
            };
            format!(
                "provisioned {} on demand with {}: {what}",
                world.tenant(cfg.source).dir.users()[user.ix()].upn,
                cfg.name
            )
        }
        EventKind::DirectoryChanged(c) => directory_change(world, ev, c),
        EventKind::GuestInvited { home, user, redeemed } => format!(
            "invited {} from {} as a B2B user ({})",
            world.tenant(*home).dir.users()[user.ix()].upn,
            n(*home),
            if *redeemed { "redeemed" } else { "PendingAcceptance" }
        ),
        EventKind::Refused { action, refusal } => match refusal.code {
            Some(code) => format!("{} REFUSED ({code}): {}", verbs::of(*action), words::Message(refusal)),
            None => format!("{} REFUSED: {}", verbs::of(*action), words::Message(refusal)),
        },
    }
}

fn warning(world: &World, ev: &Event, w: &Warning) -> String {
    let me = world.name(ev.tenant);
    match w {
        Warning::NoP1Licence { tenant } => format!(
            "{} has no Entra ID P1 licence, and every tenant of an MTO needs at least one; the MTO works in the simulation, but the tenant is out of licence terms.",
            world.name(*tenant)
        ),
        Warning::P1ShortForSync { synced, licences } => format!(
            "{synced} users of {me} are now synchronized to other tenants but it has {licences} Entra ID P1 licences; each synchronized user needs one in the source tenant (the target needs none). Sync is not blocked."
        ),
        Warning::SeveralConfigsPerPair { target, count } => format!(
            "{me} now has {count} configurations toward {}; the docs disagree on whether that is supported and recommend one (named option one_config_per_pair refuses it).",
            world.name(*target)
        ),
    }
}

/// `department = "Sales", mail cleared, userType = Guest`, or `nothing`.
fn attribute_changes(
    world: &World,
    attrs: &[(mtosim_engine::directory::Attr, mtosim_engine::strings::Sym)],
    user_type: Option<mtosim_engine::directory::UserType>,
) -> String {
    let mut parts: Vec<String> = attrs
        .iter()
        .map(|(a, v)| {
            if v.is_none() {
                format!("{} cleared", a.graph_name())
            } else {
                format!("{} = \"{}\"", a.graph_name(), world.strings().resolve(*v))
            }
        })
        .collect();
    if let Some(ut) = user_type {
        parts.push(format!("userType = {ut}"));
    }
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join(", ")
    }
}

fn directory_change(world: &World, ev: &Event, c: &DirChange) -> String {
    let sign_in = |enabled: bool| {
        if enabled {
            "allowed sign-in for"
        } else {
            "blocked sign-in for"
        }
    };
    match c {
        DirChange::UserCreated { upn } => format!("created user {upn}"),
        DirChange::GroupDeleted { name, members } => format!(
            "deleted group \"{name}\" ({members} member{}); configurations it was assigned to drop it, and members in scope only through it leave at the next cycle",
            if *members == 1 { "" } else { "s" }
        ),
        DirChange::GroupCreated { name, members } => format!(
            "created group \"{name}\" with {members} member{}",
            if *members == 1 { "" } else { "s" }
        ),
        DirChange::UserUpdated {
            upn,
            attrs,
            extra,
            user_type,
            renamed_from,
            manager,
        } => {
            let mut what = Vec::new();
            if let Some(old) = renamed_from {
                what.push(format!("renamed from {old}"));
            }
            if !attrs.is_empty()
                || user_type.is_some()
                || (renamed_from.is_none() && manager.is_none() && extra.is_empty())
            {
                what.push(attribute_changes(world, attrs, *user_type));
            }
            for (name, values) in extra {
                what.push(if values.is_empty() {
                    format!("{name} cleared")
                } else {
                    format!("{name} = {values}")
                });
            }
            match manager {
                Some(Some(m)) => what.push(format!("manager = {m}")),
                Some(None) => what.push("manager cleared".into()),
                None => {}
            }
            format!("updated {upn}: {}", what.join(", "))
        }
        DirChange::AccountEdited {
            upn,
            attrs,
            user_type,
        } => format!(
            "edited the synchronized account {upn} in the target: {}; sync does not read target edits, and the next source change overwrites them",
            attribute_changes(world, attrs, *user_type)
        ),
        DirChange::SignIn { upn, enabled } => {
            format!("{} {upn} (accountEnabled {enabled})", sign_in(*enabled))
        }
        DirChange::AccountSignIn { upn, enabled } => format!(
            "{} the synchronized account {upn} in the target; it lasts until the source user changes",
            sign_in(*enabled)
        ),
        DirChange::UserDeleted { upn } => {
            format!("deleted {upn} (soft delete: restorable for 30 days)")
        }
        DirChange::AccountDeleted { upn } => format!(
            "deleted the synchronized account {upn} in the target; sync will not restore it, only a manual restore will"
        ),
        DirChange::UserRestored { upn } => format!("restored {upn}"),
        DirChange::AccountRestored { upn } => {
            format!("restored the synchronized account {upn} in the target")
        }
        DirChange::GroupMembers {
            group,
            users,
            added,
        } => {
            let dir = &world.tenant(ev.tenant).dir;
            let who = if users.len() <= 3 {
                users
                    .iter()
                    .map(|u| dir.user(*u).upn.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                format!("{} users", users.len())
            };
            format!(
                "{} {who} {} group \"{}\"",
                if *added { "added" } else { "removed" },
                if *added { "to" } else { "from" },
                dir.groups()[group.ix()].name
            )
        }
    }
}

/// A stable, machine-readable name for an event kind (for `--json` and `events.jsonl`).
pub fn kind_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::MtoCreated { .. } => "mtoCreated",
        EventKind::MtoUpdated { .. } => "mtoUpdated",
        EventKind::TenantAdded { .. } => "tenantAdded",
        EventKind::RoleChanged { .. } => "roleChanged",
        EventKind::JoinSubmitted { .. } => "joinSubmitted",
        EventKind::JoinSucceeded { .. } => "joinSucceeded",
        EventKind::JoinFailed { .. } => "joinFailed",
        EventKind::JoinReset => "joinReset",
        EventKind::RemovalRequested { .. } => "removalRequested",
        EventKind::RemovalCompleted { .. } => "removalCompleted",
        EventKind::MtoDeleted { .. } => "mtoDeleted",
        EventKind::TemplatesSetByM365 => "templatesSetByM365",
        EventKind::PartnerCreated { .. } => "partnerCreated",
        EventKind::TemplatesApplied { .. } => "templatesApplied",
        EventKind::InMtoFlag { .. } => "inMtoFlag",
        EventKind::SyncConfigCreated { .. } => "syncConfigCreated",
        EventKind::SyncScopeSet { .. } => "syncScopeSet",
        EventKind::SyncStarted { .. } => "syncStarted",
        EventKind::CycleStarted { .. } => "cycleStarted",
        EventKind::CycleFinished { .. } => "cycleFinished",
        EventKind::CycleBlocked { .. } => "cycleBlocked",
        EventKind::Refused { .. } => "refused",
        EventKind::JoinRunning { .. } => "joinRunning",
        EventKind::Warning(_) => "warning",
        EventKind::PartnerUpdated { .. } => "partnerUpdated",
        EventKind::PartnerDeleted { .. } => "partnerDeleted",
        EventKind::TemplatesUpdated { .. } => "templatesUpdated",
        EventKind::TemplatesReset => "templatesReset",
        EventKind::QuarantineEntered { .. } => "quarantineEntered",
        EventKind::QuarantineLeft { .. } => "quarantineLeft",
        EventKind::QuarantineRetry { .. } => "quarantineRetry",
        EventKind::JobDisabled { .. } => "jobDisabled",
        EventKind::EscrowsPruned { .. } => "escrowsPruned",
        EventKind::DeletesHeld { .. } => "deletesHeld",
        EventKind::DeletesReleased { .. } => "deletesReleased",
        EventKind::SyncPaused { .. } => "syncPaused",
        EventKind::SyncRestarted { .. } => "syncRestarted",
        EventKind::SyncDeleted { .. } => "syncDeleted",
        EventKind::SyncAssigned { .. } => "syncAssigned",
        EventKind::ScopingFilterSet { .. } => "scopingFilterSet",
        EventKind::MappingEdited { .. } => "mappingEdited",
        EventKind::OnDemand { .. } => "onDemand",
        EventKind::DirectoryChanged(_) => "directoryChanged",
        EventKind::GuestInvited { .. } => "guestInvited",
        EventKind::AccountsPurged { .. } => "accountsPurged",
        EventKind::MtoSyncNotCreated { .. } => "mtoSyncNotCreated",
        EventKind::GroupProvisioningSet { .. } => "groupProvisioningSet",
        EventKind::ScopeSet { .. } => "scopeSet",
        EventKind::GroupUpdated { .. } => "groupUpdated",
        EventKind::GroupsProvisioned { .. } => "groupsProvisioned",
        EventKind::SyncPolicyDeleted { .. } => "syncPolicyDeleted",
        EventKind::AccountLeft { .. } => "accountLeft",
        EventKind::DefaultAccessSet { .. } => "defaultAccessSet",
        EventKind::ProvisioningModeSet { .. } => "provisioningModeSet",
        EventKind::ShareIdle { .. } => "shareIdle",
        EventKind::RedemptionReset { .. } => "redemptionReset",
    }
}

/// The group pass after a cycle, in one sentence (CTS-63..65, XTAP-11).
fn group_pass(
    world: &World,
    c: mtosim_engine::ConfigIdx,
    o: &mtosim_engine::groupsync::GroupOutcome,
) -> String {
    use mtosim_engine::groupsync::{GroupChange, GroupSkip};
    let cfg = &world.configs()[c.ix()];
    if o.blocked {
        return format!(
            "groups of {} not provisioned: {} does not allow group synchronization into it (groupSyncInbound); groups synchronized earlier stay as they are",
            cfg_label(world, c),
            world.name(cfg.target)
        );
    }
    let name = |g: mtosim_engine::GroupIdx| world.tenant(cfg.source).dir.groups()[g.ix()].name.to_string();
    let unmapped: Vec<String> = o
        .changes
        .iter()
        .filter_map(|ch| match ch {
            GroupChange::Skipped {
                group,
                why: GroupSkip::MappingDisabled,
            } => Some(format!("\"{}\"", name(*group))),
            _ => None,
        })
        .collect();
    let mut parts: Vec<String> = Vec::new();
    if !unmapped.is_empty() {
        parts.push(format!(
            "skipped {} (EntityTypeNotSupported): the \"Provision Microsoft Entra ID Groups\" mapping is not enabled",
            unmapped.join(", ")
        ));
    }
    parts.extend(o.changes.iter().filter_map(|ch| {
        Some(match ch {
            GroupChange::Created { group, members } => format!(
                "created \"{}\" in {} as a static security group with {members} member{}",
                name(*group),
                world.name(cfg.target),
                if *members == 1 { "" } else { "s" }
            ),
            GroupChange::Updated { group, added, removed } => {
                format!("updated \"{}\" (+{added} / -{removed} members)", name(*group))
            }
            GroupChange::Deleted { group } => format!(
                "deleted \"{}\" in {}: no longer assigned (security groups are deleted permanently)",
                name(*group),
                world.name(cfg.target)
            ),
            GroupChange::QuotaExceeded { group } => format!(
                "\"{}\" not created: {} has reached its directory object quota (AzureActiveDirectoryQuotaLimitExceeded)",
                name(*group),
                world.name(cfg.target)
            ),
            GroupChange::Skipped { group, why } => match why {
                GroupSkip::MappingDisabled => return None,
                GroupSkip::Kind(k) => format!(
                    "skipped \"{}\": a {} group, and only security and Microsoft 365 groups are synchronized",
                    name(*group),
                    k.as_str()
                ),
                GroupSkip::RoleAssignable => format!(
                    "skipped \"{}\": role-assignable groups are not synchronized",
                    name(*group)
                ),
            },
        })
    }));
    let mut s = format!("groups of {}: {}", cfg_label(world, c), parts.join("; "));
    if o.nested_ignored > 0 {
        s.push_str(&format!(
            "; {} nested group{} not followed (nested groups aren't supported)",
            o.nested_ignored,
            if o.nested_ignored == 1 { "" } else { "s" }
        ));
    }
    s
}
