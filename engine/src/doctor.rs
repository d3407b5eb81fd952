//! `mtosim doctor`: every documented prerequisite checked against a world as it stands, pair
//! by pair and configuration by configuration, with the engine's own rules (no rule is
//! re-implemented here): the test connection's checks (CTS-5, CTS-6, [`sync::prerequisite_gap`])
//! for every configuration and every pair whose target allows user sync inbound; partner settings between the
//! active tenants of an MTO (MTO-56); templates that the next join would write over existing
//! settings (MTO-62, MTO-63, through [`crate::xtap::Templates::apply_at_join`]); jobs in
//! quarantine (CTS-52, CTS-53); and the what-if forecast's findings (quotas, failures, held
//! deletions, jobs that would stop) and deprovisioning, stopped configurations counted as if
//! started, with each tenant's quota headroom.
//! Findings are typed; surfaces render them in their own words.

use crate::ids::TenantIdx;
use crate::mto::MemberState;
use crate::refusal::Message;
use crate::rules::{self as r, RuleId};
use crate::sync::{self, Quarantine};
use crate::whatif;
use crate::World;

/// One problem the doctor finds.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// The test connection from `source` to `target` would fail (CTS-5, CTS-6): for the
    /// configuration named, or, with none, for a pair whose settings show an intent to
    /// synchronize (the target allows user sync inbound from the source).
    TestConnection {
        /// The source tenant.
        source: TenantIdx,
        /// The target tenant.
        target: TenantIdx,
        /// The configuration, if one exists.
        config: Option<String>,
        /// The documented error text of the first side that fails (CTS-6), after
        /// [`sync::TEST_CONNECTION_OUTER`], with the code [`sync::TEST_CONNECTION_CODE`].
        error: &'static str,
        /// `(Missing: ...)`: every missing setting of both sides, with the tenant and what
        /// would make it pass.
        missing: Message,
    },
    /// `tenant` and `partner` are active in one MTO, but `tenant` has no partner
    /// configuration for `partner`, or no identity synchronization policy (MTO-56).
    MissingPartner {
        /// The tenant lacking the settings.
        tenant: TenantIdx,
        /// The other MTO tenant.
        partner: TenantIdx,
        /// Whether the partner configuration exists (only the sync policy is missing).
        configuration_exists: bool,
    },
    /// When `joiner` completes its join, `tenant`'s templates would write over its existing
    /// settings for `partner` (MTO-62, MTO-63).
    TemplateOverwrite {
        /// The tenant whose settings change.
        tenant: TenantIdx,
        /// The partner those settings are for.
        partner: TenantIdx,
        /// The pending tenant whose join applies the templates.
        joiner: TenantIdx,
    },
    /// A job is in quarantine (CTS-52, CTS-53).
    Quarantined {
        /// The source tenant.
        source: TenantIdx,
        /// The target tenant.
        target: TenantIdx,
        /// The configuration's name.
        config: String,
        /// Why, and when it is retried.
        quarantine: Quarantine,
    },
    /// Running every configuration until nothing changes (stopped ones as if started) would
    /// soft-delete accounts from `source` in `target` (users leave the scope: CTS-42).
    WouldDeprovision {
        /// The source tenant.
        source: TenantIdx,
        /// The target tenant.
        target: TenantIdx,
        /// Accounts.
        count: u64,
    },
    /// A what-if finding (quota, caps, licences, failures, held deletions, stopping jobs);
    /// its tenants are world indexes.
    Forecast(whatif::Finding),
}

impl Finding {
    /// The rule behind the finding.
    pub fn rule(&self) -> RuleId {
        match self {
            Finding::TestConnection { .. } => r::CTS_6,
            Finding::MissingPartner { .. } => r::MTO_56,
            Finding::TemplateOverwrite { .. } => r::MTO_63,
            Finding::Quarantined { .. } => r::CTS_52,
            Finding::WouldDeprovision { .. } => r::CTS_42,
            Finding::Forecast(f) => f.rule(),
        }
    }
}

/// A tenant's directory objects now, after every configuration converged, and its quota.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headroom {
    /// The tenant.
    pub tenant: TenantIdx,
    /// Objects now.
    pub now: u64,
    /// Objects after convergence.
    pub after: u64,
    /// The quota (CTS-61).
    pub quota: u64,
}

/// What the doctor found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Problems, in a stable order: per configuration and pair, then MTOs, jobs, forecast.
    pub findings: Vec<Finding>,
    /// Every tenant's quota headroom.
    pub headroom: Vec<Headroom>,
    /// The forecast the [`Finding::Forecast`] findings come from (for their wording).
    pub forecast: whatif::Forecast,
}

/// Checks `world` against every prerequisite the engine knows.
pub fn diagnose(world: &World) -> Report {
    let mut findings = Vec::new();
    let n = world.tenants().len();
    let tenant = |i: usize| TenantIdx(i as u16);
    // CTS-5, CTS-6: each live configuration, then each pair that shows an intent
    let mut checked = std::collections::BTreeSet::new();
    for c in world.configs().iter().filter(|c| !c.deleted) {
        checked.insert((c.source, c.target));
        if let Some((error, missing)) =
            sync::prerequisite_gap(world.tenant(c.source), c.source, world.tenant(c.target), c.target)
        {
            findings.push(Finding::TestConnection {
                source: c.source,
                target: c.target,
                config: Some(c.name.clone()),
                error,
                missing,
            });
        }
    }
    for s in (0..n).map(tenant) {
        for t in (0..n).map(tenant).filter(|&t| t != s) {
            if checked.contains(&(s, t)) {
                continue;
            }
            // the target allowing user sync inbound from the source is the intent to sync
            // (automatic redemption alone also serves B2B collaboration)
            let intent = world.tenant(t).partners.get(&s).and_then(|p| p.sync_inbound);
            if intent != Some(true) {
                continue;
            }
            if let Some((error, missing)) = sync::prerequisite_gap(world.tenant(s), s, world.tenant(t), t) {
                findings.push(Finding::TestConnection {
                    source: s,
                    target: t,
                    config: None,
                    error,
                    missing,
                });
            }
        }
    }
    // MTO-56 between active tenants; MTO-62/63 at the next join of each pending tenant
    for mto in world.mtos().iter().filter(|m| !m.deleted) {
        let active: Vec<TenantIdx> = mto.active().map(|e| e.tenant).collect();
        for &a in &active {
            for &b in active.iter().filter(|&&b| b != a) {
                let p = world.tenant(a).partners.get(&b);
                if !p.is_some_and(|p| p.has_sync_policy) {
                    findings.push(Finding::MissingPartner {
                        tenant: a,
                        partner: b,
                        configuration_exists: p.is_some(),
                    });
                }
            }
        }
        for joiner in mto
            .members
            .iter()
            .filter(|e| e.state == MemberState::Pending)
            .map(|e| e.tenant)
        {
            for &o in &active {
                for (owner, partner) in [(joiner, o), (o, joiner)] {
                    let ten = world.tenant(owner);
                    let Some(p) = ten.partners.get(&partner) else {
                        continue;
                    };
                    let mut after = p.clone();
                    if ten.templates.apply_at_join(&mut after, false, !p.has_sync_policy) {
                        findings.push(Finding::TemplateOverwrite {
                            tenant: owner,
                            partner,
                            joiner,
                        });
                    }
                }
            }
        }
    }
    // CTS-52, CTS-53: jobs in quarantine
    for s in (0..n).map(tenant) {
        for j in world.view(s).sync_jobs() {
            if let Some(q) = j.quarantine {
                findings.push(Finding::Quarantined {
                    source: s,
                    target: j.target,
                    config: j.name.to_string(),
                    quarantine: q,
                });
            }
        }
    }
    // the forecast: what every configuration would do if it ran until nothing changes, the
    // stopped ones as if started (what breaks when they go)
    let f = if world.configs.iter().any(|c| !c.deleted && !c.job.scheduled) {
        let mut started = world.clone();
        for c in started.configs.iter_mut().filter(|c| !c.deleted) {
            c.job.scheduled = true;
        }
        whatif::forecast(&started)
    } else {
        whatif::forecast(world)
    };
    for p in f.pairs.iter().filter(|p| p.delete > 0) {
        findings.push(Finding::WouldDeprovision {
            source: tenant(p.source),
            target: tenant(p.target),
            count: p.delete,
        });
    }
    findings.extend(f.findings.iter().cloned().map(Finding::Forecast));
    let headroom = f
        .tenants
        .iter()
        .enumerate()
        .map(|(i, t)| Headroom {
            tenant: tenant(i),
            now: t.objects_now,
            after: t.objects_after,
            quota: t.quota,
        })
        .collect();
    Report {
        findings,
        headroom,
        forecast: f,
    }
}
