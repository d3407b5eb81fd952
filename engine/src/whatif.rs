//! What-if analysis of synchronization counts (`mtosim whatif`): how many accounts land in
//! each tenant, against which quota, with how many P1 licences and how long until they all
//! exist, computed by counting rather than provisioning.
//!
//! Two forms share one result type, [`Forecast`]:
//! - [`forecast`] reads a world (a scenario at some step) and counts what every live
//!   configuration would do if it ran until nothing changes, with the same per-user decisions as
//!   a cycle ([`crate::sync::forecast_config`]); the property test in `tests/` checks that it
//!   equals a simulation settled from the same state, pair by pair.
//! - [`quick`] needs no users at all: N tenants of U users sharing a fraction F in a mesh, a
//!   hub or a spoke topology, in closed form, so 100 tenants x 300,000 users take microseconds;
//!   in one MTO ([`Org::Mto`], its tenant and join caps apply) or with cross-tenant
//!   synchronization alone ([`Org::SyncOnly`], [`quick_with`]). [`QuickForm`] is the same
//!   forecast with its pairs and findings generated one at a time, for listings of every pair
//!   (a 1,000-tenant mesh has 999,000) in memory that does not grow with them.
//!
//! Creations that fail are escrowed and retried; from [`sync::ESCROW_EVALUATION_MIN`] failures
//! in a cycle the escrow thresholds stop the job ([`EscrowOutcome`], CTS-52..CTS-54), as a run
//! does.

use crate::directory::{SourceUser, UserType};
use crate::ids::{ConfigIdx, TenantIdx};
use crate::rules::{self as r, RuleId, RuleSet, RuleSetKind};
use crate::sync::{self, ConfigForecast, Idle, QuarantineReason};
use crate::time::Duration;
use crate::world::World;
use std::collections::{BTreeMap, BTreeSet};

/// Accounts from one source tenant in one target tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairForecast {
    /// Source tenant (index into [`Forecast::tenants`]).
    pub source: usize,
    /// Target tenant.
    pub target: usize,
    /// Active accounts from the source in the target now.
    pub now: u64,
    /// Active accounts once sync has converged.
    pub after: u64,
    /// Users in scope of the configurations of this pair.
    pub in_scope: u64,
    /// Users in scope whose account this pair's configurations already provisioned.
    pub existing: u64,
    /// Accounts to create.
    pub create: u64,
    /// Existing B2B accounts to take over (CTS-26).
    pub matched: u64,
    /// Soft-deleted accounts to restore.
    pub restore: u64,
    /// Accounts to soft-delete.
    pub delete: u64,
    /// Deletions and disables held by a threshold (CTS-51).
    pub held: u64,
    /// Creations that would fail, with their codes.
    pub failures: Vec<(&'static str, u64)>,
    /// New accounts by userType: (Member, Guest).
    pub created_types: (u64, u64),
    /// Configurations of this pair that would do nothing, by name, and why.
    pub idle: Vec<(String, Idle)>,
    /// Configurations of this pair whose creations fail, and what the failures do to the job.
    pub escrows: Vec<EscrowForecast>,
}

impl PairForecast {
    /// Creations that would fail, all codes together.
    pub fn failed(&self) -> u64 {
        self.failures.iter().map(|x| x.1).sum()
    }
}

/// What a job's failed creations do to it (CTS-52..CTS-54): each failed object is escrowed and
/// retried every cycle; from [`sync::ESCROW_EVALUATION_MIN`] failures in one cycle the escrow
/// thresholds apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscrowOutcome {
    /// Fewer failures than escrow thresholds look at: the job keeps running and retries them.
    Retried,
    /// The initial cycle passes a threshold: its escrows are pruned and the job pauses for the
    /// admin (CTS-54).
    Paused(QuarantineReason),
    /// A cycle passes a threshold and the job enters quarantine (CTS-52, retried on CTS-53's
    /// schedule); `at_retry`: not the next cycle, but the first retry of its escrows, which
    /// evaluates only the failed objects.
    Quarantined {
        /// The threshold.
        reason: QuarantineReason,
        /// Whether it happens at the first retry.
        at_retry: bool,
    },
}

impl EscrowOutcome {
    /// The rule behind it.
    pub fn rule(self) -> RuleId {
        match self {
            EscrowOutcome::Retried | EscrowOutcome::Quarantined { .. } => r::CTS_52,
            EscrowOutcome::Paused(_) => r::CTS_54,
        }
    }
    /// Whether the job stops (pauses or enters quarantine).
    pub fn stops(self) -> bool {
        self != EscrowOutcome::Retried
    }
}

/// One configuration whose creations fail: how many, out of how many objects its next cycle
/// evaluates, and what that does to the job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscrowForecast {
    /// The configuration's name (empty in the quick form).
    pub config: String,
    /// Creations that fail.
    pub failed: u64,
    /// Objects the cycle evaluates (the escrow proportion's base).
    pub evaluated: u64,
    /// Whether that cycle is the initial one.
    pub initial: bool,
    /// What happens to the job.
    pub outcome: EscrowOutcome,
}

pub use crate::sync::escrow_threshold;

/// What `failed` failures of `evaluated` objects do to a job whose next cycle is `initial` or
/// not: a threshold in the initial cycle pauses it (CTS-54), in a later one quarantines it
/// (CTS-52); under the thresholds, from [`sync::ESCROW_EVALUATION_MIN`] failures, the first
/// retry evaluates only the escrows, all of which fail again, and quarantines it.
pub fn escrow_outcome(failed: u64, evaluated: u64, initial: bool) -> EscrowOutcome {
    match escrow_threshold(failed, evaluated) {
        Some(reason) if initial => EscrowOutcome::Paused(reason),
        Some(reason) => EscrowOutcome::Quarantined {
            reason,
            at_retry: false,
        },
        None => match escrow_threshold(failed, failed) {
            Some(reason) => EscrowOutcome::Quarantined {
                reason,
                at_retry: true,
            },
            None => EscrowOutcome::Retried,
        },
    }
}

/// One tenant after convergence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenantForecast {
    /// Handle.
    pub name: String,
    /// Internal users (members and guests).
    pub internal_users: u64,
    /// Directory objects now.
    pub objects_now: u64,
    /// Directory objects after convergence.
    pub objects_after: u64,
    /// The object quota (CTS-61).
    pub quota: u64,
    /// Synchronized accounts from other tenants after convergence.
    pub accounts_in: u64,
    /// Of those, userType Member (Teams' MTO experience and people search need it, MTO-77).
    pub accounts_in_members: u64,
    /// Users of this tenant that sync shares: synchronized to at least one other tenant after
    /// convergence, or in scope of a running configuration whose creation fails. Each needs a
    /// P1 here (MTO-52, CTS-11), whether or not its account can be created.
    pub p1_needed: u64,
    /// P1 licences the tenant has (`None`: not limited in the scenario).
    pub p1_have: Option<u64>,
}

impl TenantForecast {
    /// Objects still available under the quota after convergence (negative: over quota).
    pub fn headroom(&self) -> i64 {
        self.quota as i64 - self.objects_after as i64
    }
}

/// A problem a forecast finds. Tenants are indexes into [`Forecast::tenants`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// An MTO would have more active tenants than the cap (MTO-45, MTO-46).
    OverTenantCap {
        /// The rule of the cap.
        rule: RuleId,
        /// Active tenants.
        active: usize,
        /// The cap.
        cap: u32,
    },
    /// A tenant would need more directory objects than its quota (CTS-61).
    OverQuota {
        /// The tenant.
        tenant: usize,
    },
    /// A tenant has more internal users than a join allows (MTO-45, MTO-47).
    TooManyUsersAtJoin {
        /// The rule of the cap.
        rule: RuleId,
        /// The tenant.
        tenant: usize,
        /// The cap.
        max: u64,
    },
    /// A tenant has fewer P1 licences than its synchronized users need (MTO-52).
    P1Short {
        /// The tenant.
        tenant: usize,
    },
    /// Creations from `source` in `target` would fail with `code`.
    Failures {
        /// The source tenant.
        source: usize,
        /// The target tenant.
        target: usize,
        /// The error code.
        code: &'static str,
        /// How many.
        count: u64,
    },
    /// Deletions and disables from `source` in `target` would be held (CTS-51).
    Held {
        /// The source tenant.
        source: usize,
        /// The target tenant.
        target: usize,
        /// How many.
        count: u64,
    },
    /// A job from `source` to `target` would pause (CTS-54) or enter quarantine (CTS-52) over
    /// its failed creations.
    JobStops {
        /// The source tenant.
        source: usize,
        /// The target tenant.
        target: usize,
        /// The configuration's name (empty in the quick form).
        config: String,
        /// Failed creations.
        failed: u64,
        /// Objects the cycle evaluates.
        evaluated: u64,
        /// Pause or quarantine.
        outcome: EscrowOutcome,
    },
}

impl Finding {
    /// The rule behind the finding.
    pub fn rule(&self) -> RuleId {
        match self {
            Finding::OverTenantCap { rule, .. } | Finding::TooManyUsersAtJoin { rule, .. } => *rule,
            Finding::OverQuota { .. } => r::CTS_61,
            Finding::P1Short { .. } => r::MTO_52,
            Finding::Failures { code, .. } => sync::failure_rule(code),
            Finding::Held { .. } => r::CTS_51,
            Finding::JobStops { outcome, .. } => outcome.rule(),
        }
    }
}

/// The result of a what-if analysis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Forecast {
    /// Rule set.
    pub rules: String,
    /// Tenants.
    pub tenants: Vec<TenantForecast>,
    /// Source -> target pairs with accounts now or after.
    pub pairs: Vec<PairForecast>,
    /// Shortest and longest time until every account exists, from now (CTS-59, CTS-41).
    pub time_to_all: (Duration, Duration),
    /// Findings: caps, quotas, licences, failures.
    pub findings: Vec<Finding>,
    /// Active tenants of each live MTO (empty: cross-tenant synchronization alone).
    pub mtos: Vec<usize>,
}

/// A forecast's counts summed over every pair, or over the pairs toward one tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Users in scope: accounts that would arrive or exist.
    pub in_scope: u64,
    /// Accounts now.
    pub now: u64,
    /// Accounts after convergence.
    pub after: u64,
    /// In scope with an account their configuration made.
    pub existing: u64,
    /// Accounts to create.
    pub create: u64,
    /// Existing accounts to take over (CTS-26).
    pub matched: u64,
    /// Accounts to restore.
    pub restore: u64,
    /// Accounts to soft-delete.
    pub delete: u64,
    /// Deletions and disables held (CTS-51).
    pub held: u64,
    /// Creations that fail.
    pub failed: u64,
    /// Of those, by error code, in the order the codes first appear.
    pub failures: Vec<(&'static str, u64)>,
    /// New accounts created as Guest.
    pub created_guests: u64,
}

impl Totals {
    fn add(&mut self, p: &PairForecast) {
        self.in_scope += p.in_scope;
        self.now += p.now;
        self.after += p.after;
        self.existing += p.existing;
        self.create += p.create;
        self.matched += p.matched;
        self.restore += p.restore;
        self.delete += p.delete;
        self.held += p.held;
        self.failed += p.failed();
        add_failures(&mut self.failures, &p.failures);
        self.created_guests += p.created_types.1;
    }
}

impl Forecast {
    /// Accounts after convergence for the pair (source, target), 0 if none.
    pub fn after(&self, source: usize, target: usize) -> u64 {
        self.pairs
            .iter()
            .find(|p| p.source == source && p.target == target)
            .map_or(0, |p| p.after)
    }
    /// The counts of every pair, summed.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for p in &self.pairs {
            t.add(p);
        }
        t
    }
    /// The counts of the pairs toward each tenant, summed: one [`Totals`] per tenant, in one
    /// pass over the pairs.
    pub fn totals_by_target(&self) -> Vec<Totals> {
        let mut v = vec![Totals::default(); self.tenants.len()];
        for p in &self.pairs {
            v[p.target].add(p);
        }
        v
    }
}

fn add_failures(into: &mut Vec<(&'static str, u64)>, from: &[(&'static str, u64)]) {
    for (code, n) in from {
        match into.iter_mut().find(|(c, _)| c == code) {
            Some((_, m)) => *m += n,
            None => into.push((code, *n)),
        }
    }
}

/// Counts what every live configuration of `world` would do if it ran until nothing changes.
pub fn forecast(world: &World) -> Forecast {
    let n = world.tenants.len();
    let mut pairs: BTreeMap<(usize, usize), PairForecast> = BTreeMap::new();
    let mut objects_added = vec![0u64; n];
    let mut created: BTreeMap<(usize, usize), BTreeSet<crate::ids::UserIdx>> = BTreeMap::new();
    let (mut t_min, mut t_max) = (Duration::ZERO, Duration::ZERO);
    // per tenant, its users in scope of a running configuration (empty: none yet)
    let mut shared: Vec<Vec<bool>> = vec![Vec::new(); n];
    for (ci, cfg) in world.configs.iter().enumerate() {
        let (s, t) = (cfg.source, cfg.target);
        let f: ConfigForecast = sync::forecast_config(
            cfg,
            ConfigIdx(ci as u32),
            world.tenant(s),
            s,
            world.tenant(t),
            t,
            &world.strings,
            &world.rules,
            &mut objects_added[t.ix()],
            created.entry((s.ix(), t.ix())).or_default(),
        );
        let p = pairs.entry((s.ix(), t.ix())).or_insert_with(|| PairForecast {
            source: s.ix(),
            target: t.ix(),
            ..Default::default()
        });
        p.in_scope += f.in_scope;
        p.existing += f.existing;
        p.create += f.to_create;
        p.matched += f.matched;
        p.restore += f.to_restore;
        p.delete += f.to_delete;
        p.held += f.held;
        p.created_types.0 += f.created_types.0;
        p.created_types.1 += f.created_types.1;
        add_failures(&mut p.failures, &f.failures);
        if let Some(why) = f.idle {
            p.idle.push((cfg.name.clone(), why));
        }
        let failed: u64 = f.failures.iter().map(|x| x.1).sum();
        if f.idle.is_none() && (f.in_scope > 0 || failed > 0) {
            let (source, target) = (world.tenant(s), world.tenant(t));
            let candidates = sync::initial_candidates(cfg, ConfigIdx(ci as u32), source, target);
            // the users this configuration shares need a P1 at home, created or not (MTO-52)
            let home = &mut shared[s.ix()];
            if home.is_empty() {
                home.resize(source.dir.users().len(), false);
            }
            let mut in_scope = 0u64;
            for &u in &candidates {
                if sync::eligible(&source.dir.users()[u.ix()], &world.rules)
                    && !source.dir.has_sms_sign_in(u)
                    && cfg.is_assigned(source, u)
                    && cfg
                        .filter
                        .as_ref()
                        .is_none_or(|x| x.passes(&SourceUser::new(&source.dir, u, &world.strings)))
                {
                    home[u.ix()] = true;
                    in_scope += 1;
                }
            }
            debug_assert_eq!(in_scope, f.in_scope, "the scope sync::forecast_config counted");
            // a cycle with deletions held stops there, before the escrow thresholds (CTS-51)
            if failed > 0 && f.held == 0 {
                let initial = !cfg.job.initial_done;
                // the initial cycle evaluates every candidate; a later one the changes
                let evaluated = if initial {
                    candidates.len() as u64
                } else {
                    failed + f.to_create + f.to_restore + f.to_delete + f.matched
                };
                p.escrows.push(EscrowForecast {
                    config: cfg.name.clone(),
                    failed,
                    evaluated,
                    initial,
                    outcome: escrow_outcome(failed, evaluated, initial),
                });
            }
        }
        // timing: the initial cycle over N objects (or one incremental cycle over the changes
        // and the failures), for configurations that change something
        let changes = f.to_create + f.to_restore + f.to_delete + f.matched;
        let work = if f.objects > 0 {
            f.objects
        } else {
            changes + failed
        };
        if work > 0 && changes > 0 {
            let wait = cfg
                .job
                .next_start
                .map_or(Duration::ZERO, |ns| Duration((ns - world.now).0.max(0)));
            let lo = wait + sync::cycle_duration(work, sync::OBJECT_MS_MIN);
            let hi = wait + sync::cycle_duration(work, sync::OBJECT_MS_MAX);
            t_min = t_min.max(lo);
            t_max = t_max.max(hi);
        }
    }
    // accounts now, for every pair that has some (also from deleted configurations, CTS-50)
    for t in 0..n {
        for s in world.tenant(TenantIdx(t as u16)).dir.source_tenants() {
            pairs.entry((s.ix(), t)).or_insert_with(|| PairForecast {
                source: s.ix(),
                target: t,
                ..Default::default()
            });
        }
    }
    for ((s, t), p) in pairs.iter_mut() {
        p.now = world.synced_from(TenantIdx(*t as u16), TenantIdx(*s as u16));
        p.after = (p.now + p.create + p.restore).saturating_sub(p.delete);
    }
    let mut tenants: Vec<TenantForecast> = world
        .tenants
        .iter()
        .enumerate()
        .map(|(i, ten)| TenantForecast {
            name: ten.name().to_string(),
            internal_users: ten.dir.internal_user_count(),
            objects_now: ten.dir.object_count(),
            objects_after: ten.dir.object_count() + objects_added[i],
            quota: ten.spec.object_quota,
            p1_have: ten.spec.p1_licenses,
            ..Default::default()
        })
        .collect();
    for p in pairs.values() {
        tenants[p.target].accounts_in += p.after;
    }
    // userType of the accounts after: today's Members, plus the new ones
    for (t, ten) in world.tenants.iter().enumerate() {
        let members_now = ten
            .dir
            .externals()
            .iter()
            .filter(|a| !a.is_soft_deleted() && !a.is_purged() && a.user_type == UserType::Member)
            .count() as u64;
        let new_members: u64 = pairs
            .values()
            .filter(|p| p.target == t)
            .map(|p| p.created_types.0)
            .sum();
        tenants[t].accounts_in_members = members_now + new_members;
    }
    // P1 per synchronized user in its home tenant (MTO-52): distinct users with an account elsewhere
    for (s, ten) in world.tenants.iter().enumerate() {
        let mut synced = vec![false; ten.dir.users().len()];
        for (t, other) in world.tenants.iter().enumerate() {
            if t == s {
                continue;
            }
            for a in other
                .dir
                .externals()
                .iter()
                .filter(|a| a.source_tenant.ix() == s && !a.is_soft_deleted() && !a.is_purged())
            {
                synced[a.source_user.ix()] = true;
            }
        }
        for ((ps, _), set) in &created {
            if *ps == s {
                for u in set {
                    synced[u.ix()] = true;
                }
            }
        }
        for (u, &b) in shared[s].iter().enumerate() {
            synced[u] |= b;
        }
        tenants[s].p1_needed = synced.iter().filter(|&&b| b).count() as u64;
    }
    let mut f = Forecast {
        rules: world.rules.kind.name().to_string(),
        tenants,
        pairs: pairs.into_values().collect(),
        time_to_all: (t_min, t_max),
        findings: Vec::new(),
        mtos: mto_active(world),
    };
    findings(&mut f, &world.rules, true);
    f
}

fn mto_active(world: &World) -> Vec<usize> {
    world
        .mtos
        .iter()
        .filter(|m| !m.deleted)
        .map(|m| m.active_count())
        .collect()
}

/// Adds the caps, quotas, licences, failures and job findings shared by both forms; `join_caps`:
/// whether the MTO's caps on users at join apply (MTO-45, MTO-47).
fn findings(f: &mut Forecast, rules: &RuleSet, join_caps: bool) {
    f.findings = head_findings(&f.mtos, &f.tenants, rules, join_caps);
    for p in &f.pairs {
        f.findings.extend(pair_findings(p));
    }
}

/// The findings of the MTOs and the tenants, in that order: every finding but the pairs'.
fn head_findings(
    mtos: &[usize],
    tenants: &[TenantForecast],
    rules: &RuleSet,
    join_caps: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for &n in mtos {
        if n as u32 > rules.active_tenants_max {
            out.push(Finding::OverTenantCap {
                rule: rules.tenant_cap_rule(),
                active: n,
                cap: rules.active_tenants_max,
            });
        }
    }
    for (i, t) in tenants.iter().enumerate() {
        if t.headroom() < 0 {
            out.push(Finding::OverQuota { tenant: i });
        }
        if let Some(max) = rules.internal_users_at_join_max.filter(|_| join_caps) {
            if t.internal_users > max {
                let rule = if rules.kind == RuleSetKind::Preview2023 {
                    r::MTO_45
                } else {
                    r::MTO_47
                };
                out.push(Finding::TooManyUsersAtJoin { rule, tenant: i, max });
            }
        }
        if t.p1_have.is_some_and(|have| t.p1_needed > have) {
            out.push(Finding::P1Short { tenant: i });
        }
    }
    out
}

/// The findings of one pair: its failures by code, its held deletions, its jobs that stop.
fn pair_findings(p: &PairForecast) -> impl Iterator<Item = Finding> + '_ {
    let failures = p.failures.iter().map(|&(code, count)| Finding::Failures {
        source: p.source,
        target: p.target,
        code,
        count,
    });
    let held = (p.held > 0).then_some(Finding::Held {
        source: p.source,
        target: p.target,
        count: p.held,
    });
    let stops = p
        .escrows
        .iter()
        .filter(|e| e.outcome.stops())
        .map(|e| Finding::JobStops {
            source: p.source,
            target: p.target,
            config: e.config.clone(),
            failed: e.failed,
            evaluated: e.evaluated,
            outcome: e.outcome,
        });
    failures.chain(held).chain(stops)
}

/// The topology of the quick form (CTS-68).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    /// Every tenant shares with every other.
    Mesh,
    /// One hub shares its users with every other tenant (a user hub).
    Hub,
    /// Every other tenant shares its users with the hub (an application hub).
    Spoke,
}

impl Topology {
    /// Parses `mesh`, `hub` or `spoke`.
    pub fn parse(s: &str) -> Option<Topology> {
        match s {
            "mesh" => Some(Topology::Mesh),
            "hub" => Some(Topology::Hub),
            "spoke" => Some(Topology::Spoke),
            _ => None,
        }
    }
    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            Topology::Mesh => "mesh",
            Topology::Hub => "hub",
            Topology::Spoke => "spoke",
        }
    }
}

/// Whether the quick form's tenants form a multitenant organization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Org {
    /// One MTO of every tenant: its tenant cap (MTO-45, MTO-46) and, in the preview, its cap on
    /// internal users at join (MTO-45, MTO-47) apply.
    #[default]
    Mto,
    /// Cross-tenant synchronization alone, without an MTO: no MTO cap applies, every
    /// cross-tenant sync rule does (quota CTS-61, escrows CTS-52..CTS-54, the preview's per-pair
    /// cap SEED-2, P1 MTO-52).
    SyncOnly,
}

/// The quick form's inputs.
#[derive(Clone, Debug)]
pub struct QuickParams {
    /// Tenants (the first is the hub).
    pub tenants: u32,
    /// Internal member users per tenant.
    pub users: u64,
    /// Fraction of each tenant's users that are shared.
    pub share: f64,
    /// Who shares with whom.
    pub topology: Topology,
    /// Rule set.
    pub rules: RuleSet,
    /// Directory object quota of every tenant (CTS-61).
    pub object_quota: u64,
}

/// Tenants the quick form accepts (the simulator's input cap).
pub const QUICK_TENANTS_MAX: u32 = crate::limits::TENANTS_COUNT_MAX as u32;

/// The closed-form what-if of tenants in one MTO: [`quick_with`] and [`Org::Mto`].
pub fn quick(p: &QuickParams) -> Forecast {
    quick_with(p, Org::Mto)
}

/// The closed-form what-if: no users, no accounts, O(tenants^2) arithmetic. Every configuration
/// shares `round(users x share)` users, all created as Members; the quota and the preview's
/// per-pair cap limit what can be created, in tenant order. Each configuration's initial cycle
/// evaluates its shared users, so its failures pause it past an escrow threshold (CTS-54).
/// [`QuickForm`] is the same forecast with its pairs and findings generated on demand.
pub fn quick_with(p: &QuickParams, org: Org) -> Forecast {
    QuickForm::new(p, org).into_forecast()
}

/// The quick form's forecast without its pairs and findings held: its tenants, time and MTOs
/// (memory in the number of tenants), and its pairs ([`QuickForm::pairs`]) and findings
/// ([`QuickForm::findings`]) generated one at a time, in the order of [`quick_with`]'s, so that
/// a 1,000-tenant mesh's 999,000 pairs can be written out without being kept.
#[derive(Clone, Debug)]
pub struct QuickForm {
    /// Rule set.
    pub rules: String,
    /// Tenants, after convergence.
    pub tenants: Vec<TenantForecast>,
    /// Shortest and longest time until every account exists (CTS-59, CTS-41).
    pub time_to_all: (Duration, Duration),
    /// Active tenants of the MTO (empty: cross-tenant synchronization alone).
    pub mtos: Vec<usize>,
    /// The findings of the MTO and the tenants (the pairs' come from the pairs).
    head: Vec<Finding>,
    topology: Topology,
    /// Internal users per tenant: every tenant's objects before any account arrives.
    users: u64,
    quota: u64,
    /// Users each configuration shares.
    shared: u64,
    /// Of those, within the per-pair cap (SEED-2).
    per_pair: u64,
}

impl QuickForm {
    /// Counts the tenants, the time and the findings of the MTO and the tenants: one pass over
    /// the pairs, none of them kept.
    pub fn new(p: &QuickParams, org: Org) -> QuickForm {
        let n = p.tenants.clamp(1, QUICK_TENANTS_MAX) as usize;
        let shared = ((p.users as f64) * p.share.clamp(0.0, 1.0)).round() as u64;
        let per_pair = p
            .rules
            .pair_synced_users_max
            .map_or(shared, |max| shared.min(max));
        let tenants: Vec<TenantForecast> = (0..n)
            .map(|i| TenantForecast {
                name: if i == 0 && p.topology != Topology::Mesh {
                    "hub".to_string()
                } else {
                    format!("tenant{:03}", i + 1)
                },
                internal_users: p.users,
                objects_now: p.users,
                objects_after: p.users,
                quota: p.object_quota,
                ..Default::default()
            })
            .collect();
        let mut q = QuickForm {
            rules: p.rules.kind.name().to_string(),
            tenants,
            time_to_all: (Duration::ZERO, Duration::ZERO),
            mtos: match org {
                Org::Mto => vec![n],
                Org::SyncOnly => Vec::new(),
            },
            head: Vec::new(),
            topology: p.topology,
            users: p.users,
            quota: p.object_quota,
            shared,
            per_pair,
        };
        let mut sources_sharing = vec![false; n];
        let mut creating = false;
        for (s, t) in q.edges() {
            let create = q.create(q.tenants[t].objects_after);
            let to = &mut q.tenants[t];
            to.objects_after += create;
            to.accounts_in += create;
            to.accounts_in_members += create;
            sources_sharing[s] = sources_sharing[s] || shared > 0;
            creating = creating || create > 0;
        }
        for (i, t) in q.tenants.iter_mut().enumerate() {
            // the same people are shared to every target, so a source needs one P1 per shared
            // user, also for those whose accounts cannot be created
            t.p1_needed = if sources_sharing[i] { shared } else { 0 };
        }
        // every configuration's initial cycle runs at once, over its shared users and one group
        let objects = if creating { shared + 1 } else { 0 };
        q.time_to_all = (
            sync::cycle_duration(objects, sync::OBJECT_MS_MIN),
            sync::cycle_duration(objects, sync::OBJECT_MS_MAX),
        );
        q.head = head_findings(&q.mtos, &q.tenants, &p.rules, org == Org::Mto);
        q
    }

    /// Source -> target pairs: every ordered pair in a mesh, hub -> each other tenant in a hub,
    /// each other tenant -> hub in a spoke; in source order, then target order.
    fn edges(&self) -> impl Iterator<Item = (usize, usize)> {
        let (n, topology) = (self.tenants.len(), self.topology);
        let count = self.pair_count();
        (0..count).map(move |k| match topology {
            Topology::Mesh => {
                let (s, j) = (k / (n - 1), k % (n - 1));
                (s, if j < s { j } else { j + 1 })
            }
            Topology::Hub => (0, k + 1),
            Topology::Spoke => (k + 1, 0),
        })
    }

    /// The number of pairs [`QuickForm::pairs`] yields.
    pub fn pair_count(&self) -> usize {
        let n = self.tenants.len();
        match self.topology {
            Topology::Mesh => n * (n - 1),
            Topology::Hub | Topology::Spoke => n - 1,
        }
    }

    /// Accounts a configuration creates in a target with `objects` directory objects: its
    /// shared users within the per-pair cap, as many as the quota has room for.
    fn create(&self, objects: u64) -> u64 {
        self.per_pair.min(self.quota.saturating_sub(objects))
    }

    /// The pairs, one at a time, as [`quick_with`] lists them.
    pub fn pairs(&self) -> impl Iterator<Item = PairForecast> + '_ {
        let mut objects_after = vec![self.users; self.tenants.len()];
        let (shared, per_pair) = (self.shared, self.per_pair);
        let capped = shared - per_pair;
        self.edges().map(move |(s, t)| {
            let create = self.create(objects_after[t]);
            objects_after[t] += create;
            let mut failures = Vec::new();
            if per_pair > create {
                failures.push(("AzureActiveDirectoryQuotaLimitExceeded", per_pair - create));
            }
            if capped > 0 {
                failures.push(("SyncedUsersPerTenantPairLimitExceeded", capped));
            }
            let failed = shared - create;
            let escrows = if failed > 0 {
                // the initial cycle evaluates the shared users (the members of one assigned group)
                vec![EscrowForecast {
                    config: String::new(),
                    failed,
                    evaluated: shared,
                    initial: true,
                    outcome: escrow_outcome(failed, shared, true),
                }]
            } else {
                Vec::new()
            };
            PairForecast {
                source: s,
                target: t,
                after: create,
                in_scope: shared,
                create,
                created_types: (create, 0),
                failures,
                escrows,
                ..Default::default()
            }
        })
    }

    /// The findings, one at a time, as [`quick_with`] lists them: the MTO's and the tenants',
    /// then each pair's.
    pub fn findings(&self) -> impl Iterator<Item = Finding> + '_ {
        let pairs = self.pairs().flat_map(|p| pair_findings(&p).collect::<Vec<_>>());
        self.head.iter().cloned().chain(pairs)
    }

    /// The whole forecast, every pair and finding kept.
    pub fn into_forecast(self) -> Forecast {
        Forecast {
            pairs: self.pairs().collect(),
            findings: self.findings().collect(),
            rules: self.rules,
            tenants: self.tenants,
            time_to_all: self.time_to_all,
            mtos: self.mtos,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(tenants: u32, users: u64, share: f64, topology: Topology, kind: RuleSetKind) -> QuickParams {
        QuickParams {
            tenants,
            users,
            share,
            topology,
            rules: RuleSet::new(kind),
            object_quota: 300_000,
        }
    }

    /// The quick form as it was computed before its pairs were generated on demand: every
    /// pair kept in a list, then the findings.
    fn kept_quick(p: &QuickParams, org: Org) -> Forecast {
        let n = p.tenants.clamp(1, QUICK_TENANTS_MAX) as usize;
        let shared = ((p.users as f64) * p.share.clamp(0.0, 1.0)).round() as u64;
        let per_pair = p
            .rules
            .pair_synced_users_max
            .map_or(shared, |max| shared.min(max));
        let capped = shared - per_pair;
        let edges: Vec<(usize, usize)> = match p.topology {
            Topology::Mesh => (0..n)
                .flat_map(|s| (0..n).filter(move |&t| t != s).map(move |t| (s, t)))
                .collect(),
            Topology::Hub => (1..n).map(|t| (0, t)).collect(),
            Topology::Spoke => (1..n).map(|s| (s, 0)).collect(),
        };
        let mut tenants: Vec<TenantForecast> = (0..n)
            .map(|i| TenantForecast {
                name: if i == 0 && p.topology != Topology::Mesh {
                    "hub".to_string()
                } else {
                    format!("tenant{:03}", i + 1)
                },
                internal_users: p.users,
                objects_now: p.users,
                objects_after: p.users,
                quota: p.object_quota,
                ..Default::default()
            })
            .collect();
        let mut pairs = Vec::with_capacity(edges.len());
        let mut sources_sharing = vec![false; n];
        let mut creating = false;
        for (s, t) in edges {
            let room = p.object_quota.saturating_sub(tenants[t].objects_after);
            let create = per_pair.min(room);
            let mut failures = Vec::new();
            if per_pair > create {
                failures.push(("AzureActiveDirectoryQuotaLimitExceeded", per_pair - create));
            }
            if capped > 0 {
                failures.push(("SyncedUsersPerTenantPairLimitExceeded", capped));
            }
            tenants[t].objects_after += create;
            tenants[t].accounts_in += create;
            tenants[t].accounts_in_members += create;
            sources_sharing[s] = sources_sharing[s] || shared > 0;
            creating = creating || create > 0;
            let failed = shared - create;
            let escrows = if failed > 0 {
                // the initial cycle evaluates the shared users (the members of one assigned group)
                vec![EscrowForecast {
                    config: String::new(),
                    failed,
                    evaluated: shared,
                    initial: true,
                    outcome: escrow_outcome(failed, shared, true),
                }]
            } else {
                Vec::new()
            };
            pairs.push(PairForecast {
                source: s,
                target: t,
                after: create,
                in_scope: shared,
                create,
                created_types: (create, 0),
                failures,
                escrows,
                ..Default::default()
            });
        }
        for (i, t) in tenants.iter_mut().enumerate() {
            // the same people are shared to every target, so a source needs one P1 per shared user,
            // also for those whose accounts cannot be created
            t.p1_needed = if sources_sharing[i] { shared } else { 0 };
        }
        // every configuration's initial cycle runs at once, over its shared users and one group
        let objects = if creating { shared + 1 } else { 0 };
        let time = (
            sync::cycle_duration(objects, sync::OBJECT_MS_MIN),
            sync::cycle_duration(objects, sync::OBJECT_MS_MAX),
        );
        let mut f = Forecast {
            rules: p.rules.kind.name().to_string(),
            tenants,
            pairs,
            time_to_all: time,
            findings: Vec::new(),
            mtos: match org {
                Org::Mto => vec![n],
                Org::SyncOnly => Vec::new(),
            },
        };
        kept_findings(&mut f, &p.rules, org == Org::Mto);
        f
    }

    fn kept_findings(f: &mut Forecast, rules: &RuleSet, join_caps: bool) {
        for n in f.mtos.clone() {
            if n as u32 > rules.active_tenants_max {
                f.findings.push(Finding::OverTenantCap {
                    rule: rules.tenant_cap_rule(),
                    active: n,
                    cap: rules.active_tenants_max,
                });
            }
        }
        for (i, t) in f.tenants.iter().enumerate() {
            if t.headroom() < 0 {
                f.findings.push(Finding::OverQuota { tenant: i });
            }
            if let Some(max) = rules.internal_users_at_join_max.filter(|_| join_caps) {
                if t.internal_users > max {
                    let rule = if rules.kind == RuleSetKind::Preview2023 {
                        r::MTO_45
                    } else {
                        r::MTO_47
                    };
                    f.findings
                        .push(Finding::TooManyUsersAtJoin { rule, tenant: i, max });
                }
            }
            if t.p1_have.is_some_and(|have| t.p1_needed > have) {
                f.findings.push(Finding::P1Short { tenant: i });
            }
        }
        for p in &f.pairs {
            for &(code, count) in &p.failures {
                f.findings.push(Finding::Failures {
                    source: p.source,
                    target: p.target,
                    code,
                    count,
                });
            }
            if p.held > 0 {
                f.findings.push(Finding::Held {
                    source: p.source,
                    target: p.target,
                    count: p.held,
                });
            }
            for e in p.escrows.iter().filter(|e| e.outcome.stops()) {
                f.findings.push(Finding::JobStops {
                    source: p.source,
                    target: p.target,
                    config: e.config.clone(),
                    failed: e.failed,
                    evaluated: e.evaluated,
                    outcome: e.outcome,
                });
            }
        }
    }

    #[test]
    fn the_quick_form_generates_the_pairs_and_findings_it_used_to_keep() {
        for topology in [Topology::Mesh, Topology::Hub, Topology::Spoke] {
            for tenants in [1, 2, 3, 7, 40, 101] {
                for (users, share, quota, kind) in [
                    (1_000, 1.0, 300_000, RuleSetKind::Ga),
                    (3_000, 1.0, 300_000, RuleSetKind::Ga),
                    (300_000, 0.1, 300_000, RuleSetKind::Ga),
                    (300_000, 0.01, 300_000, RuleSetKind::Ga),
                    (20_000, 0.5, 50_000, RuleSetKind::Ga),
                    (150_000, 1.0, 300_000, RuleSetKind::Preview2023),
                    (250_000, 0.3, 1_000_000, RuleSetKind::Preview2023),
                    (0, 0.0, 0, RuleSetKind::Ga),
                ] {
                    for org in [Org::Mto, Org::SyncOnly] {
                        let p = QuickParams {
                            object_quota: quota,
                            ..params(tenants, users, share, topology, kind)
                        };
                        let what = format!(
                            "{tenants} x {users} x {share}, quota {quota}, {topology:?} {kind:?} {org:?}"
                        );
                        let kept = kept_quick(&p, org);
                        let q = QuickForm::new(&p, org);
                        assert_eq!(q.pair_count(), kept.pairs.len(), "{what}");
                        assert_eq!(q.pairs().collect::<Vec<_>>(), kept.pairs, "{what}");
                        assert_eq!(q.findings().collect::<Vec<_>>(), kept.findings, "{what}");
                        assert_eq!(quick_with(&p, org), kept, "{what}");
                    }
                }
            }
        }
    }

    #[test]
    fn quick_mesh_counts_every_pair() {
        let f = quick(&params(5, 100_000, 1.0, Topology::Mesh, RuleSetKind::Ga));
        assert_eq!(f.pairs.len(), 20);
        // 4 sources x 100,000 want in, but the quota of 300,000 leaves room for 200,000
        assert_eq!(f.tenants[0].accounts_in, 200_000);
        assert_eq!(f.tenants[0].objects_after, 300_000);
        let failed: u64 = f
            .pairs
            .iter()
            .filter(|p| p.target == 0)
            .flat_map(|p| p.failures.iter().map(|x| x.1))
            .sum();
        assert_eq!(failed, 200_000);
        assert!(f.findings.iter().any(|x| x.rule() == r::CTS_61
            && matches!(
                x,
                Finding::Failures {
                    code: "AzureActiveDirectoryQuotaLimitExceeded",
                    ..
                }
            )));
    }

    #[test]
    fn quick_forms_agree_on_small_numbers() {
        let f = quick(&params(4, 1_000, 0.5, Topology::Mesh, RuleSetKind::Ga));
        for t in &f.tenants {
            assert_eq!(t.accounts_in, 3 * 500);
            assert_eq!(t.objects_after, 1_000 + 1_500);
            assert_eq!(t.p1_needed, 500);
        }
        assert_eq!(f.time_to_all.1, sync::cycle_duration(501, sync::OBJECT_MS_MAX));
        let hub = quick(&params(4, 1_000, 0.5, Topology::Hub, RuleSetKind::Ga));
        assert_eq!(hub.tenants[0].accounts_in, 0);
        assert_eq!(hub.tenants[1].accounts_in, 500);
        let spoke = quick(&params(4, 1_000, 0.5, Topology::Spoke, RuleSetKind::Ga));
        assert_eq!(spoke.tenants[0].accounts_in, 1_500);
        assert_eq!(spoke.tenants[0].p1_needed, 0);
    }

    #[test]
    fn escrow_outcomes_follow_the_run_thresholds() {
        let min = sync::ESCROW_EVALUATION_MIN;
        // under the evaluation minimum: retried, whatever the proportion
        assert_eq!(escrow_outcome(min - 1, min - 1, true), EscrowOutcome::Retried);
        assert_eq!(escrow_outcome(min - 1, min - 1, false), EscrowOutcome::Retried);
        // over 40 % of the initial cycle: pruned and paused (CTS-54)
        assert_eq!(
            escrow_outcome(min, min, true),
            EscrowOutcome::Paused(QuarantineReason::EncounteredEscrowProportionThreshold)
        );
        // exactly 40 % is not over: the first retry, over the escrows alone, quarantines
        let at = min * 100 / sync::ESCROW_PROPORTION_MAX_PCT;
        assert_eq!(
            escrow_outcome(min, at, true),
            EscrowOutcome::Quarantined {
                reason: QuarantineReason::EncounteredEscrowProportionThreshold,
                at_retry: true
            }
        );
        assert_eq!(
            escrow_outcome(min, min, false),
            EscrowOutcome::Quarantined {
                reason: QuarantineReason::EncounteredEscrowProportionThreshold,
                at_retry: false
            }
        );
        let big = 10_000_000;
        assert_eq!(
            escrow_threshold(sync::ESCROW_TOTAL_MAX + 1, big),
            Some(QuarantineReason::EncounteredTotalEscrowThreshold)
        );
        assert_eq!(
            escrow_threshold(sync::ESCROW_BASE_MAX + 1, big),
            Some(QuarantineReason::EncounteredBaseEscrowThreshold)
        );
        assert_eq!(escrow_outcome(min - 1, 0, true).rule(), r::CTS_52);
        assert_eq!(escrow_outcome(min, min, true).rule(), r::CTS_54);
    }

    #[test]
    fn quick_jobs_pause_only_past_the_escrow_thresholds() {
        // 100 full tenants sharing 3,000 each: every creation fails, under 5,000 a job
        let f = quick(&params(100, 300_000, 0.01, Topology::Mesh, RuleSetKind::Ga));
        assert!(f.pairs.iter().all(|p| p.create == 0 && p.failed() == 3_000));
        assert!(f
            .pairs
            .iter()
            .all(|p| p.escrows.len() == 1 && p.escrows[0].outcome == EscrowOutcome::Retried));
        assert!(!f.findings.iter().any(|x| matches!(x, Finding::JobStops { .. })));
        // 30,000 each: every initial cycle passes the proportion and pauses
        let f = quick(&params(3, 300_000, 0.1, Topology::Mesh, RuleSetKind::Ga));
        assert!(f
            .pairs
            .iter()
            .all(|p| matches!(p.escrows[0].outcome, EscrowOutcome::Paused(_))
                && p.escrows[0].evaluated == 30_000));
        assert_eq!(f.findings.iter().filter(|x| x.rule() == r::CTS_54).count(), 6);
        // nothing fails: no escrow
        let f = quick(&params(3, 1_000, 1.0, Topology::Mesh, RuleSetKind::Ga));
        assert!(f.pairs.iter().all(|p| p.escrows.is_empty()));
    }

    #[test]
    fn shared_users_need_p1_and_no_time_passes_when_every_creation_fails() {
        let f = quick(&params(100, 300_000, 0.01, Topology::Mesh, RuleSetKind::Ga));
        assert!(f
            .tenants
            .iter()
            .all(|t| t.p1_needed == 3_000 && t.accounts_in == 0));
        assert_eq!(f.time_to_all, (Duration::ZERO, Duration::ZERO));
        let t = f.totals();
        assert_eq!((t.in_scope, t.create, t.failed), (29_700_000, 0, 29_700_000));
        assert_eq!(
            t.failures,
            vec![("AzureActiveDirectoryQuotaLimitExceeded", 29_700_000)]
        );
        let by = f.totals_by_target();
        assert!(by.iter().all(|x| x.in_scope == 297_000 && x.failed == 297_000));
        // the preview's per-pair cap: users past it are shared (and licensed) all the same
        let f = quick(&params(2, 300_000, 0.5, Topology::Mesh, RuleSetKind::Preview2023));
        assert!(f.tenants.iter().all(|t| t.p1_needed == 150_000));
    }

    #[test]
    fn sync_only_has_no_mto_caps_and_every_sync_rule() {
        let mto = quick(&params(101, 3_000, 1.0, Topology::Mesh, RuleSetKind::Ga));
        assert!(mto.findings.iter().any(|x| x.rule() == r::MTO_46));
        assert_eq!(mto.mtos, vec![101]);
        let sync_only = quick_with(
            &params(101, 3_000, 1.0, Topology::Mesh, RuleSetKind::Ga),
            Org::SyncOnly,
        );
        assert!(sync_only.mtos.is_empty());
        assert!(!sync_only.findings.iter().any(|x| x.rule() == r::MTO_46));
        assert!(
            sync_only.findings.iter().any(|x| x.rule() == r::CTS_61),
            "the quota holds"
        );
        assert_eq!(sync_only.pairs, mto.pairs, "the same accounts either way");
        let pv = quick_with(
            &params(6, 150_000, 1.0, Topology::Mesh, RuleSetKind::Preview2023),
            Org::SyncOnly,
        );
        assert!(!pv
            .findings
            .iter()
            .any(|x| x.rule() == r::MTO_45 || x.rule() == r::MTO_47));
        assert!(pv.findings.iter().any(|x| x.rule() == r::SEED_2));
    }

    #[test]
    fn mto_45_seed_2_the_preview_caps_tenants_and_pairs() {
        let f = quick(&params(6, 150_000, 1.0, Topology::Mesh, RuleSetKind::Preview2023));
        assert!(
            f.findings.iter().any(|x| x.rule() == r::MTO_45),
            "{:?}",
            f.findings
        );
        assert!(f.pairs.iter().all(|p| p.after <= 100_000));
        assert!(f.findings.iter().any(|x| x.rule() == r::SEED_2));
    }
}
