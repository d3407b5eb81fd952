//! Cross-tenant synchronization (CTS-n): configurations, their jobs, and the provisioning
//! cycle that turns in-scope source users into external accounts in the target.
//!
//! A cycle is evaluated against the state at the moment it finishes, on a candidate set fixed
//! when it starts: every in-scope user plus every linked account for an initial cycle (CTS-40),
//! only the source's changes since the watermark for an incremental one (CTS-41), so an
//! incremental cycle costs what changed, not what exists.

use crate::directory::{account_flags, ExternalAccount, User, UserType};
use crate::event::CycleStats;
use crate::ids::{ConfigIdx, GroupIdx, TenantIdx, UserIdx};
use crate::refusal::Refusal;
use crate::rules::{self, RuleSet};
use crate::tenant::Tenant;
use crate::time::{Duration, SimTime};

/// The fixed cadence at which cycles start (CTS-41).
pub const CYCLE_INTERVAL: Duration = Duration::mins(40);
/// Soft-deleted accounts are purged after this (CTS-46, MTO-81).
pub const SOFT_DELETE_RETENTION: Duration = Duration::days(30);
/// Slowest documented initial-cycle rate, 0.08 minutes per object (CTS-59), in milliseconds.
pub const OBJECT_MS_MAX: i64 = 4_800;
/// Fastest documented rate, 0.01 minutes per object (CTS-59), in milliseconds.
pub const OBJECT_MS_MIN: i64 = 600;

/// `status.code` of a job (CTS-56).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// `Paused`: created, or paused by an admin (CTS-4).
    Paused,
    /// `NotRun`: started, no cycle finished yet.
    NotRun,
    /// `Active`.
    Active,
    /// `Quarantine`.
    Quarantine,
}

impl JobStatus {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Paused => "Paused",
            JobStatus::NotRun => "NotRun",
            JobStatus::Active => "Active",
            JobStatus::Quarantine => "Quarantine",
        }
    }
}

/// A cycle in progress.
#[derive(Clone, Debug)]
pub struct RunningCycle {
    /// Whether it is an initial (full) cycle.
    pub initial: bool,
    /// When it started.
    pub started_at: SimTime,
    /// The objects it evaluates, sorted and unique.
    pub candidates: Vec<UserIdx>,
    /// The source change log position it will have read up to.
    pub watermark: usize,
}

/// The synchronization job of a configuration.
#[derive(Clone, Debug)]
pub struct Job {
    /// `status.code`.
    pub status: JobStatus,
    /// Whether the schedule is active (started).
    pub scheduled: bool,
    /// Whether an initial cycle has completed since the last (re)start.
    pub initial_done: bool,
    /// Next cycle start, when scheduled.
    pub next_start: Option<SimTime>,
    /// The cycle in progress.
    pub running: Option<RunningCycle>,
    /// Position in the source's change log already read.
    pub watermark: usize,
    /// Users whose scope changed through an assignment change, to evaluate next cycle.
    pub pending: Vec<UserIdx>,
    /// Users whose export failed, retried next cycle (CTS-55).
    pub escrows: Vec<UserIdx>,
    /// Stats of the last finished cycle.
    pub last: Option<CycleStats>,
    /// Cycles finished.
    pub cycles: u64,
    /// Totals across cycles ("statistics to date", CTS-60).
    pub totals: CycleStats,
}

impl Default for Job {
    fn default() -> Self {
        Job {
            status: JobStatus::Paused,
            scheduled: false,
            initial_done: false,
            next_start: None,
            running: None,
            watermark: 0,
            pending: Vec::new(),
            escrows: Vec::new(),
            last: None,
            cycles: 0,
            totals: CycleStats::default(),
        }
    }
}

/// A configuration from `source` to `target`.
#[derive(Clone, Debug)]
pub struct SyncConfig {
    /// Name shown in the source tenant, e.g. `MTO_Sync_<targetTenantId>`.
    pub name: String,
    /// The tenant users come from.
    pub source: TenantIdx,
    /// The tenant accounts are created in.
    pub target: TenantIdx,
    /// Created by the Microsoft 365 admin center (MTO-70).
    pub m365: bool,
    /// "Sync all users and groups" (CTS-14).
    pub scope_all: bool,
    /// Assigned groups, sorted.
    pub groups: Vec<GroupIdx>,
    /// Directly assigned users, sorted.
    pub users: Vec<UserIdx>,
    /// The constant `userType` mapping (CTS-28).
    pub user_type: UserType,
    /// Whether the userType mapping applies always (else only on create).
    pub apply_always: bool,
    /// Whether the Delete target-object action is enabled (CTS-43).
    pub delete_action: bool,
    /// The job.
    pub job: Job,
}

impl SyncConfig {
    /// A stopped configuration with the defaults of the spec (`assigned`, `Member`,
    /// on-create, delete action on).
    pub fn new(name: String, source: TenantIdx, target: TenantIdx, m365: bool) -> SyncConfig {
        SyncConfig {
            name,
            source,
            target,
            m365,
            scope_all: false,
            groups: Vec::new(),
            users: Vec::new(),
            user_type: UserType::Member,
            apply_always: false,
            delete_action: true,
            job: Job::default(),
        }
    }

    /// Whether `u` is assigned: scope all, directly assigned, or a direct member of an
    /// assigned group (CTS-14, CTS-15). Costs a binary search per assigned group.
    pub fn is_assigned(&self, source: &Tenant, u: UserIdx) -> bool {
        self.scope_all
            || self.users.binary_search(&u).is_ok()
            || self
                .groups
                .iter()
                .any(|g| source.dir.groups[g.ix()].members.binary_search(&u).is_ok())
    }

    /// Whether some internal user is assigned: CTS-5's fourth prerequisite.
    pub fn has_assigned_internal_user(&self, source: &Tenant) -> bool {
        let ok = |u: &UserIdx| source.dir.users[u.ix()].is_internal_member();
        if self.scope_all {
            return source.dir.users.iter().any(|u| u.is_internal_member());
        }
        self.users.iter().any(ok)
            || self
                .groups
                .iter()
                .any(|g| source.dir.groups[g.ix()].members.iter().any(ok))
    }

    /// N of CTS-59: assigned users + groups + group members (or every user for scope all).
    pub fn initial_object_count(&self, source: &Tenant) -> u64 {
        if self.scope_all {
            return (source.dir.users.len() + source.dir.groups.len()) as u64;
        }
        let members: usize = self
            .groups
            .iter()
            .map(|g| source.dir.groups[g.ix()].members.len())
            .sum();
        (self.users.len() + self.groups.len() + members) as u64
    }
}

/// Checks the policies CTS-5 requires, giving the test-connection error of CTS-6.
pub fn check_prerequisites(
    source: &Tenant,
    s: TenantIdx,
    target: &Tenant,
    t: TenantIdx,
) -> Result<(), Refusal> {
    const OUTER: &str = "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account.";
    const CODE: &str = "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure";
    let out_ok = source
        .partners
        .get(&t)
        .is_some_and(|p| p.eff_auto_redeem_outbound());
    if !out_ok {
        return Err(Refusal::with_code(
            rules::CTS_6,
            CODE,
            format!(
                "{OUTER} The source tenant has not enabled automatic user consent with the target tenant. Please enable the outbound cross-tenant access policy for automatic user consent in the source tenant. aka.ms/TroubleshootingCrossTenantSyncPolicyCheck ({} would be allowed once its partner configuration for {} sets automatic redemption outbound, CTS-5 item 3.)",
                source.name(),
                target.name()
            ),
        ));
    }
    let in_ok = target
        .partners
        .get(&s)
        .is_some_and(|p| p.eff_sync_inbound() && p.eff_auto_redeem_inbound());
    if !in_ok {
        return Err(Refusal::with_code(
            rules::CTS_6,
            CODE,
            format!(
                "{OUTER} The target tenant has not enabled inbound synchronization with this tenant. Please request the target tenant admin to enable the inbound synchronization on their cross-tenant access policy. Learn more: aka.ms/TroubleshootingCrossTenantSyncPolicyCheck ({} would accept the configuration once its partner configuration for {} allows user sync inbound and automatic redemption inbound, CTS-5 items 1 and 2.)",
                target.name(),
                source.name()
            ),
        ));
    }
    Ok(())
}

/// Candidates of an initial cycle: every assigned user plus every user linked by this
/// configuration (so that those out of scope are deprovisioned), sorted and unique.
pub fn initial_candidates(
    cfg: &SyncConfig,
    cfg_idx: ConfigIdx,
    source: &Tenant,
    target: &Tenant,
) -> Vec<UserIdx> {
    let mut c: Vec<UserIdx> = if cfg.scope_all {
        (0..source.dir.users.len() as u32).map(UserIdx).collect()
    } else {
        let mut v = cfg.users.clone();
        for g in &cfg.groups {
            v.extend_from_slice(&source.dir.groups[g.ix()].members);
        }
        v
    };
    for acc in &target.dir.externals {
        if acc.source_tenant == cfg.source && acc.config == cfg_idx && !acc.is_purged() {
            c.push(acc.source_user);
        }
    }
    c.sort_unstable();
    c.dedup();
    c
}

/// Where a cycle may create accounts: the target's object quota (CTS-61) and, in the
/// preview, the per-pair cap of the seed article (SEED-2).
pub struct Caps {
    /// The target's directory object quota.
    pub object_quota: u64,
    /// Users synchronized from this source into this target, at most.
    pub pair_max: Option<u64>,
}

/// Evaluates and applies one cycle's candidates. Returns the counters and the accounts it
/// soft-deleted (whose purge the caller schedules, CTS-46).
#[allow(clippy::too_many_arguments)]
pub fn run_cycle(
    cfg: &mut SyncConfig,
    cfg_idx: ConfigIdx,
    source: &Tenant,
    target: &mut Tenant,
    candidates: &[UserIdx],
    now: SimTime,
    rules: &RuleSet,
) -> (CycleStats, Vec<u32>) {
    let caps = Caps {
        object_quota: target.spec.object_quota,
        pair_max: rules.pair_synced_users_max,
    };
    let mut stats = CycleStats::default();
    let mut escrows = Vec::new();
    let mut soft_deleted = Vec::new();
    let mut pair_count: Option<u64> = None;
    let source_users = source.dir.users.len();
    for &u in candidates {
        stats.evaluated += 1;
        let user = &source.dir.users[u.ix()];
        let in_scope = eligible(user) && cfg.is_assigned(source, u);
        let acc = target.dir.account_of(cfg.source, u);
        match (in_scope, acc) {
            (true, None) => {
                if !user.account_enabled {
                    stats.skipped += 1; // CTS-24: never-provisioned disabled users are skipped
                    continue;
                }
                if target.dir.object_count() >= caps.object_quota {
                    stats.failed += 1; // CTS-61: AzureActiveDirectoryQuotaLimitExceeded
                    escrows.push(u);
                    continue;
                }
                if let Some(max) = caps.pair_max {
                    let n = *pair_count.get_or_insert_with(|| target.dir.active_accounts_from(cfg.source));
                    if n >= max {
                        stats.failed += 1; // SEED-2
                        escrows.push(u);
                        continue;
                    }
                    pair_count = Some(n + 1);
                }
                target.dir.add_external(
                    ExternalAccount {
                        source_user: u,
                        config: cfg_idx,
                        source_tenant: cfg.source,
                        user_type: cfg.user_type,
                        flags: account_flags::ENABLED | account_flags::BY_SYNC,
                        created_at: now,
                    },
                    source_users,
                );
                stats.created += 1;
            }
            (true, Some(ai)) => {
                let a = &mut target.dir.externals[ai as usize];
                let mut restored = false;
                if a.is_soft_deleted() {
                    if a.flags & account_flags::SYNC_DELETED == 0 {
                        stats.skipped += 1; // CTS-47: deleted in the target, not restored
                        continue;
                    }
                    a.flags &= !(account_flags::SOFT_DELETED | account_flags::SYNC_DELETED);
                    target.dir.external_deleted_at.remove(&ai);
                    restored = true; // CTS-46
                }
                let a = &mut target.dir.externals[ai as usize];
                a.config = cfg_idx;
                let mut changed = false;
                if a.is_enabled() != user.account_enabled {
                    a.flags ^= account_flags::ENABLED; // CTS-44
                    changed = true;
                }
                if cfg.apply_always && a.user_type != cfg.user_type {
                    a.user_type = cfg.user_type; // CTS-28
                    changed = true;
                }
                if restored {
                    stats.restored += 1;
                } else if changed {
                    stats.updated += 1;
                } else {
                    stats.skipped += 1; // RedundantExport (CTS-23)
                }
            }
            (false, Some(ai)) => {
                let a = &mut target.dir.externals[ai as usize];
                let mine = a.config == cfg_idx;
                if !mine || a.is_soft_deleted() || !cfg.delete_action {
                    stats.skipped += 1;
                    continue;
                }
                if !user.account_enabled && !a.is_enabled() && user.deleted_at.is_none() {
                    stats.skipped += 1; // CTS-45: disabled first, then removed from scope
                    continue;
                }
                a.flags |= account_flags::SOFT_DELETED | account_flags::SYNC_DELETED; // CTS-42
                target.dir.external_deleted_at.insert(ai, now);
                soft_deleted.push(ai);
                stats.deleted += 1;
            }
            (false, None) => stats.skipped += 1,
        }
    }
    cfg.job.escrows = escrows;
    (stats, soft_deleted)
}

/// Only internal members that are not soft-deleted are eligible (CTS-20, CTS-22).
#[inline]
pub fn eligible(u: &User) -> bool {
    u.is_internal_member() && u.deleted_at.is_none()
}

/// How long a cycle over `objects` takes at `ms_per_object` (CTS-59).
pub fn cycle_duration(objects: u64, ms_per_object: i64) -> Duration {
    let ms = (objects as i64).saturating_mul(ms_per_object);
    Duration((ms + 999) / 1000)
}
