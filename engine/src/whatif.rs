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
//!   hub or a spoke topology, in closed form, so 100 tenants x 300,000 users take microseconds.

use crate::directory::UserType;
use crate::ids::{ConfigIdx, TenantIdx};
use crate::rules::{self as r, RuleId, RuleSet, RuleSetKind};
use crate::sync::{self, ConfigForecast, Idle};
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
    /// Users of this tenant synchronized to at least one other tenant: each needs a P1 here
    /// (MTO-52, CTS-11).
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
}

impl Forecast {
    /// Accounts after convergence for the pair (source, target), 0 if none.
    pub fn after(&self, source: usize, target: usize) -> u64 {
        self.pairs
            .iter()
            .find(|p| p.source == source && p.target == target)
            .map_or(0, |p| p.after)
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
        // timing: the initial cycle over N objects (or one incremental cycle over the changes)
        let work = if f.objects > 0 {
            f.objects
        } else {
            f.to_create + f.to_restore + f.to_delete
        };
        if work > 0 {
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
        tenants[s].p1_needed = synced.iter().filter(|&&b| b).count() as u64;
    }
    let mut f = Forecast {
        rules: world.rules.kind.name().to_string(),
        tenants,
        pairs: pairs.into_values().collect(),
        time_to_all: (t_min, t_max),
        findings: Vec::new(),
    };
    findings(&mut f, &world.rules, mto_active(world));
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

/// Adds the caps, quotas and licences findings shared by both forms.
fn findings(f: &mut Forecast, rules: &RuleSet, mto_sizes: Vec<usize>) {
    for n in mto_sizes {
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
        if let Some(max) = rules.internal_users_at_join_max {
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
    }
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

/// The closed-form what-if: no users, no accounts, O(tenants^2) arithmetic. Every configuration
/// shares `round(users x share)` users, all created as Members; the quota and the preview's
/// per-pair cap limit what can be created, in tenant order.
pub fn quick(p: &QuickParams) -> Forecast {
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
        sources_sharing[s] = sources_sharing[s] || create > 0;
        pairs.push(PairForecast {
            source: s,
            target: t,
            after: create,
            in_scope: shared,
            create,
            created_types: (create, 0),
            failures,
            ..Default::default()
        });
    }
    for (i, t) in tenants.iter_mut().enumerate() {
        // the same people are shared to every target, so a source needs one P1 per shared user
        t.p1_needed = if sources_sharing[i] { per_pair } else { 0 };
    }
    // every configuration's initial cycle runs at once, over its shared users and one group
    let objects = if shared > 0 { shared + 1 } else { 0 };
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
    };
    findings(&mut f, &p.rules, vec![n]);
    f
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
