//! Cross-tenant synchronization inside the world: Microsoft 365 "Share users", job control,
//! and the provisioning cycle's scheduling around [`crate::sync::run_cycle`].

use super::*;
use crate::event::{OnDemandOutcome, Warning};
use crate::msg;
use crate::refusal::{Message, Setting};
use crate::schema::{AttributeMapping, MappingSource, SchemaAttr};
use crate::strings::Sym;
use crate::sync::{Job, ResetScope};

impl World {
    /// Takes the provisioning log back from a cycle that appended to it; a log that filled up
    /// stops the world (PROV_LOG_RECORDS_MAX, PROV_LOG_TEXT_BYTES_MAX).
    fn log_records(&mut self, records: &mut crate::provlog::ProvLog) {
        self.prov_log = std::mem::take(records);
        if let Some(full) = self.prov_log.full() {
            if self.limit.is_none() {
                let (name, max) = full.cap();
                self.limit = Some(crate::state::LimitHit {
                    name,
                    max,
                    what: "the provisioning log".to_string(),
                    at: self.now,
                });
            }
        }
    }

    pub(super) fn share_targets(&self, actor: TenantIdx, what: &str) -> Result<Vec<TenantIdx>, Refusal> {
        let Some(m) = self.mto_view(actor).mto else {
            return Err(Refusal::new(
                r::MTO_74,
                msg![
                    format!("{} is not an active tenant of an MTO, and {what} syncs to the MTO's other active tenants; it would be allowed after creating or joining one, or use an Entra configuration (", self.name(actor)),
                    ActionKind::CreateSync,
                    ").",
                ],
            ));
        };
        Ok(self.mtos[m.ix()]
            .active()
            .map(|e| e.tenant)
            .filter(|&t| t != actor)
            .collect())
    }

    pub(super) fn ensure_mto_sync(&mut self, source: TenantIdx, target: TenantIdx) -> Option<ConfigIdx> {
        let name = mto_sync_name(&self.tenants[target.ix()]);
        if let Some(c) = self.config_by_name(source, &name) {
            return Some(c);
        }
        if self.configs_room(1).is_err() {
            self.emit(source, EventKind::MtoSyncNotCreated { target }, &[r::SIM_1]);
            return None;
        }
        let c = ConfigIdx(self.configs.len() as u32);
        let mut cfg = SyncConfig::new(name, source, target, true, self.now);
        // named option: the seed saw some Microsoft 365 configurations in Manual mode (SEED-5)
        cfg.automatic = !self.tenants[target.ix()].spec.m365_sync_manual;
        self.configs.push(cfg);
        self.emit(
            source,
            EventKind::SyncConfigCreated { config: c },
            &[r::MTO_70, r::CTS_4],
        );
        Some(c)
    }

    /// Whether `more` configurations fit in the world ([`limits::CONFIGS_COUNT_MAX`]).
    fn configs_room(&self, more: usize) -> Result<(), Refusal> {
        if self.configs.len() + more > limits::CONFIGS_COUNT_MAX {
            return Err(Refusal::bad_request(
                r::SIM_1,
                format!(
                    "the world already holds {} sync configurations and this needs {more} more, past the simulator's cap of {} (CONFIGS_COUNT_MAX); a smaller world would be allowed.",
                    self.configs.len(),
                    limits::CONFIGS_COUNT_MAX
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn share_users(
        &mut self,
        actor: TenantIdx,
        groups: Vec<GroupIdx>,
        users: Vec<UserRef>,
    ) -> Result<Option<OpId>, Refusal> {
        let users = self.resolve_users(actor, &users)?;
        let targets = self.share_targets(actor, "Share users")?;
        if targets.is_empty() {
            return Err(Refusal::new(r::MTO_74, format!("{} is the only active tenant of its MTO, so there is no tenant to share users with; share once another tenant has joined.", self.name(actor))));
        }
        for &t in &targets {
            sync::check_prerequisites(&self.tenants[actor.ix()], actor, &self.tenants[t.ix()], t)?;
        }
        let mut probe = SyncConfig::new(String::new(), actor, actor, true, self.now);
        probe.groups = groups.clone();
        probe.users = users.clone();
        probe.groups.sort_unstable();
        probe.users.sort_unstable();
        if !probe.has_assigned_internal_user(&self.tenants[actor.ix()]) {
            return Err(Refusal::new(r::CTS_5, format!("the shared scope holds no internal member user of {}, and a configuration needs at least one assigned internal user; share a group with internal members, or such users directly.", self.name(actor))));
        }
        let missing = targets
            .iter()
            .filter(|&&t| {
                self.config_by_name(actor, &mto_sync_name(&self.tenants[t.ix()]))
                    .is_none()
            })
            .count();
        self.configs_room(missing)?;
        self.record_shared(actor, &groups, &users, true);
        for t in targets {
            let c = self.ensure_mto_sync(actor, t).expect("room checked above");
            self.apply_shared_scope(actor, c, &groups, &users, true);
            self.emit_scope_set(actor, c, &[r::MTO_74]);
            if self.configs[c.ix()].automatic {
                self.start_job(c);
            } else {
                // the seed's "change the synchronization setting from Manual to Automatic for
                // certain tenants" (SEED-5)
                self.configs[c.ix()].job.waiting_for_mode = true;
                self.emit(actor, EventKind::ShareIdle { config: c }, &[r::SEED_5, r::CTS_75]);
            }
        }
        Ok(None)
    }

    /// Records configuration `c`'s shared scope after a share or unshare (MTO-74).
    fn emit_scope_set(&mut self, actor: TenantIdx, c: ConfigIdx, rules: &[crate::rules::RuleId]) {
        let cfg = &self.configs[c.ix()];
        let (groups, users) = (cfg.groups.len(), cfg.users.len());
        self.emit(
            actor,
            EventKind::SyncScopeSet {
                config: c,
                groups,
                users,
            },
            rules,
        );
    }

    pub(super) fn unshare_users(
        &mut self,
        actor: TenantIdx,
        groups: Vec<GroupIdx>,
        users: Vec<UserRef>,
    ) -> Result<Option<OpId>, Refusal> {
        let users = self.resolve_users(actor, &users)?;
        self.share_targets(actor, "Edit shared users")?;
        // "Edit shared users" rewrites every MTO_Sync_* configuration the console recognizes
        // (MTO-71, MTO-74), including those toward tenants that have left (MTO-80).
        let configs: Vec<ConfigIdx> = (0..self.configs.len())
            .map(|i| ConfigIdx(i as u32))
            .filter(|c| {
                let cfg = &self.configs[c.ix()];
                cfg.source == actor && cfg.name.starts_with("MTO_Sync_")
            })
            .collect();
        if configs.is_empty() {
            return Err(Refusal::new(
                r::MTO_74,
                msg![
                    format!(
                        "{} has no MTO_Sync configuration, so nothing is shared to unshare; ",
                        self.name(actor)
                    ),
                    ActionKind::ShareUsers,
                    " creates them.",
                ],
            ));
        }
        self.record_shared(actor, &groups, &users, false);
        for c in configs {
            self.apply_shared_scope(actor, c, &groups, &users, false);
            self.emit_scope_set(actor, c, &[r::MTO_74, r::CTS_42]);
        }
        Ok(None)
    }

    pub(super) fn scope_delta(&self, c: ConfigIdx, groups: &[GroupIdx], users: &[UserIdx]) -> Vec<UserIdx> {
        let src = &self.tenants[self.configs[c.ix()].source.ix()];
        let mut v = users.to_vec();
        for g in groups {
            v.extend_from_slice(&src.dir.groups()[g.ix()].members);
        }
        v
    }

    pub(super) fn add_scope(&mut self, c: ConfigIdx, groups: &[GroupIdx], users: &[UserIdx]) {
        let delta = self.scope_delta(c, groups, users);
        let cfg = &mut self.configs[c.ix()];
        cfg.groups.extend_from_slice(groups);
        cfg.groups.sort_unstable();
        cfg.groups.dedup();
        cfg.users.extend_from_slice(users);
        cfg.users.sort_unstable();
        cfg.users.dedup();
        cfg.job.pending.extend(delta);
    }

    /// Sets configuration `c`'s assignments to exactly `groups` and `users` (sorted), queuing
    /// everyone whose assignment changes: "Share users" and "Edit shared users" give every
    /// `MTO_Sync` configuration the console's one scope (MTO-74).
    fn overwrite_scope(&mut self, c: ConfigIdx, groups: &[GroupIdx], users: &[UserIdx]) {
        let cfg = &self.configs[c.ix()];
        let gone_g: Vec<GroupIdx> = cfg
            .groups
            .iter()
            .copied()
            .filter(|g| !groups.contains(g))
            .collect();
        let gone_u: Vec<UserIdx> = cfg.users.iter().copied().filter(|u| !users.contains(u)).collect();
        let mut delta = self.scope_delta(c, &gone_g, &gone_u);
        delta.extend(self.scope_delta(c, groups, users));
        let cfg = &mut self.configs[c.ix()];
        cfg.groups = groups.to_vec();
        cfg.users = users.to_vec();
        cfg.job.pending.extend(delta);
    }

    /// Applies a share or an unshare to `MTO_Sync` configuration `c`: the console's scope over
    /// whatever was edited in the Entra admin center (MTO-74), or, with the named option
    /// `m365_keeps_tenant_edits`, only the groups and users named.
    fn apply_shared_scope(
        &mut self,
        actor: TenantIdx,
        c: ConfigIdx,
        groups: &[GroupIdx],
        users: &[UserIdx],
        add: bool,
    ) {
        if self.rules.m365_keeps_tenant_edits {
            if add {
                self.add_scope(c, groups, users);
            } else {
                self.remove_scope(c, groups, users);
            }
        } else {
            let (g, u) = self.tenants[actor.ix()].m365_shared.clone();
            self.overwrite_scope(c, &g, &u);
        }
    }

    /// Records what the console shares after a share or an unshare (MTO-74).
    fn record_shared(&mut self, actor: TenantIdx, groups: &[GroupIdx], users: &[UserIdx], add: bool) {
        let (g, u) = &mut self.tenants[actor.ix()].m365_shared;
        if add {
            g.extend_from_slice(groups);
            u.extend_from_slice(users);
        } else {
            g.retain(|x| !groups.contains(x));
            u.retain(|x| !users.contains(x));
        }
        g.sort_unstable();
        g.dedup();
        u.sort_unstable();
        u.dedup();
    }

    pub(super) fn remove_scope(&mut self, c: ConfigIdx, groups: &[GroupIdx], users: &[UserIdx]) {
        let delta = self.scope_delta(c, groups, users);
        let cfg = &mut self.configs[c.ix()];
        cfg.groups.retain(|g| !groups.contains(g));
        cfg.users.retain(|u| !users.contains(u));
        cfg.job.pending.extend(delta);
    }

    pub(super) fn start_job(&mut self, c: ConfigIdx) {
        let cfg = &mut self.configs[c.ix()];
        if cfg.job.scheduled {
            return;
        }
        cfg.job.scheduled = true;
        if cfg.job.status == JobStatus::Paused {
            cfg.job.status = if cfg.job.initial_done {
                JobStatus::Active
            } else {
                JobStatus::NotRun
            };
        }
        let source = cfg.source;
        self.emit(
            source,
            EventKind::SyncStarted { config: c },
            &[r::CTS_4, r::CTS_41],
        );
        self.configs[c.ix()].job.next_start = Some(self.now);
        self.push(self.now, Pending::CycleStart(c));
    }

    pub(super) fn ms_per_object(&mut self) -> i64 {
        match self.delays {
            DelayMode::Max => sync::OBJECT_MS_MAX,
            DelayMode::Random => self.rng.random_range(sync::OBJECT_MS_MIN..=sync::OBJECT_MS_MAX),
        }
    }

    pub(super) fn cycle_start(&mut self, c: ConfigIdx) {
        let cfg = &self.configs[c.ix()];
        // a start that no longer matches the job's schedule is stale (restart, pause, retry)
        if cfg.deleted
            || !cfg.job.scheduled
            || cfg.job.running.is_some()
            || cfg.job.next_start != Some(self.now)
        {
            return;
        }
        let (s, t) = (cfg.source, cfg.target);
        if let Some((_, missing)) = sync::prerequisite_gap(&self.tenants[s.ix()], s, &self.tenants[t.ix()], t)
        {
            self.policy_failure(c, missing);
            return;
        }
        let cfg = &self.configs[c.ix()];
        let initial = !cfg.job.initial_done;
        let watermark = self.tenants[s.ix()].dir.changes().len();
        let (candidates, objects) = if initial {
            let cand = sync::initial_candidates(cfg, c, &self.tenants[s.ix()], &self.tenants[t.ix()]);
            let n = cfg
                .initial_object_count(&self.tenants[s.ix()])
                .max(cand.len() as u64);
            (cand, n)
        } else {
            let mut v: Vec<UserIdx> =
                self.tenants[s.ix()].dir.changes()[cfg.job.watermark..watermark].to_vec();
            v.extend_from_slice(&cfg.job.pending);
            v.extend_from_slice(&cfg.job.escrows);
            v.sort_unstable();
            v.dedup();
            let n = v.len() as u64;
            (v, n)
        };
        let rate = self.ms_per_object();
        let duration = sync::cycle_duration(objects, rate);
        let cfg = &mut self.configs[c.ix()];
        cfg.job.pending.clear();
        cfg.job.escrows.clear();
        if initial {
            cfg.job.scope_narrowed = false; // an initial cycle reads everyone
        }
        cfg.job.running = Some(RunningCycle {
            initial,
            started_at: self.now,
            candidates,
            watermark,
        });
        // incremental cycles are narrated when they finish, if they changed something
        if initial {
            let started = EventKind::CycleStarted {
                config: c,
                initial,
                objects,
                duration,
            };
            self.emit(s, started, &[r::CTS_40, r::CTS_59]);
        }
        self.push(self.now + duration, Pending::CycleEnd(c));
    }

    /// Whether configuration `c`'s next cycle, due at `at`, would have nothing to do: an
    /// incremental cycle with no change since its watermark, no pending or escrowed object,
    /// not quarantined, its last cycle without failures.
    fn idle_at(&self, c: ConfigIdx, at: SimTime) -> bool {
        let cfg = &self.configs[c.ix()];
        let job = &cfg.job;
        !cfg.deleted
            && job.scheduled
            && job.initial_done
            && job.running.is_none()
            && job.next_start == Some(at)
            && job.status == JobStatus::Active
            && job.quarantine.is_none()
            && job.last_failures.is_empty()
            && job.pending.is_empty()
            && job.escrows.is_empty()
            && self.tenants[cfg.source.ix()].dir.changes().len() == job.watermark
            && sync::prerequisite_gap(
                &self.tenants[cfg.source.ix()],
                cfg.source,
                &self.tenants[cfg.target.ix()],
                cfg.target,
            )
            .is_none()
    }

    /// When every queued event is the next cycle of an idle configuration (nothing changes
    /// until `t` but the jobs' counters), counts every idle cycle due by `t` at once, as if
    /// each had run (CTS-41's 40-minute cadence): a long wait costs what changed, not its
    /// length. Returns whether it did.
    pub(super) fn skip_idle_cycles(&mut self, t: SimTime) -> bool {
        let mut due = Vec::with_capacity(self.queue.len());
        for std::cmp::Reverse((at, _, p)) in self.queue.iter() {
            match p {
                Pending::CycleStart(c) if self.idle_at(*c, *at) => due.push((*at, *c)),
                _ => return false,
            }
        }
        if due.iter().all(|&(at, _)| at + sync::CYCLE_INTERVAL > t) {
            return false; // at most one cycle each: nothing to save
        }
        self.queue.clear();
        due.sort_unstable();
        let period = sync::CYCLE_INTERVAL.0;
        for (at, c) in due {
            if at > t {
                self.push(at, Pending::CycleStart(c));
                continue;
            }
            let k = (t - at).0 / period + 1;
            let last = at + Duration(period * (k - 1));
            let next = at + Duration(period * k);
            let job = &mut self.configs[c.ix()].job;
            job.cycles += k as u64;
            job.last = Some(sync::CycleStats::default());
            job.last_finished_at = Some(last);
            job.next_start = Some(next);
            self.push(next, Pending::CycleStart(c));
        }
        true
    }

    /// Every call of the cycle would fail the policy check (CTS-9's
    /// `AzureDirectoryB2BManagementPolicyCheckFailure`): the job is quarantined with
    /// `EncounteredQuarantineException` and retried on CTS-53's schedule (XTAP-10, CTS-52).
    fn policy_failure(&mut self, c: ConfigIdx, missing: Message) {
        let s = self.configs[c.ix()].source;
        let now = self.now;
        let first = self.configs[c.ix()].job.quarantine.is_none();
        let q = {
            let job = &mut self.configs[c.ix()].job;
            let mut q = job.quarantine.unwrap_or(Quarantine {
                reason: QuarantineReason::EncounteredQuarantineException,
                series_began: now,
                current_began: now,
                next_attempt: None,
                series_count: 0,
            });
            q.reason = QuarantineReason::EncounteredQuarantineException;
            q.current_began = now;
            q.series_count += 1;
            q.next_attempt = Some(Quarantine::retry_after(q.series_began, q.series_count));
            job.quarantine = Some(q);
            job.status = JobStatus::Quarantine;
            q
        };
        if first {
            // at run time the same gap surfaces per object as CTS-9's policy-check failure
            let refusal = Refusal::with_code(
                r::CTS_9,
                "AzureDirectoryB2BManagementPolicyCheckFailure",
                Message::from("Policy permitting auto-redemption of invitations not configured. ")
                    .then(missing),
            );
            self.emit(
                s,
                EventKind::CycleBlocked { config: c, refusal },
                &[r::CTS_5, r::CTS_9, r::XTAP_10],
            );
            self.emit(
                s,
                EventKind::QuarantineEntered {
                    config: c,
                    reason: q.reason,
                    next: q.next_attempt,
                },
                &[r::CTS_52, r::CTS_53],
            );
        }
        self.schedule_retry_or_give_up(c, q);
    }

    /// Schedules the next quarantine retry, or disables the job after 28 days (CTS-53).
    fn schedule_retry_or_give_up(&mut self, c: ConfigIdx, q: Quarantine) {
        let s = self.configs[c.ix()].source;
        match q.next_attempt {
            Some(next) if next - q.series_began <= sync::QUARANTINE_GIVE_UP => {
                // a retry whose time passed while the previous attempt ran starts at once
                let next = next.max(self.now);
                self.configs[c.ix()].job.next_start = Some(next);
                self.push(next, Pending::CycleStart(c));
            }
            Some(_) => {
                let job = &mut self.configs[c.ix()].job;
                job.scheduled = false;
                job.next_start = None;
                job.escrows.clear();
                job.status = JobStatus::Paused;
                self.emit(s, EventKind::JobDisabled { config: c }, &[r::CTS_53]);
            }
            None => {}
        }
    }

    pub(super) fn cycle_end(&mut self, c: ConfigIdx) {
        let Some(run) = self.configs[c.ix()].job.running.take() else {
            return;
        };
        let n = run.candidates.len() as u64;
        // counted when the idle cycle is over, so the queue then holds only next starts
        if !run.initial && n == 0 {
            self.idle_streak += 1;
        } else {
            self.idle_streak = 0;
        }
        let name = self.configs[c.ix()].name.clone();
        if !self.spend(crate::state::WorkKind::CycleObjects, n, || {
            format!("a cycle of {name} over {n} objects")
        }) {
            return;
        }
        let (s, t) = (self.configs[c.ix()].source, self.configs[c.ix()].target);
        let mode = sync::CycleMode {
            seed: self.seed,
            full: run.initial,
            log: self.log_provisioning,
            on_demand: false,
        };
        #[cfg(debug_assertions)]
        let own_before = crate::invariants::own_users_hash(self);
        let mut outcome = {
            let (src, tgt) = two(&mut self.tenants, s, t);
            sync::run_cycle(
                &mut self.configs,
                c,
                src,
                tgt,
                &mut self.strings,
                &run.candidates,
                self.now,
                &self.rules,
                mode,
                std::mem::take(&mut self.prov_log),
            )
        };
        self.log_records(&mut outcome.records);
        #[cfg(debug_assertions)]
        assert_eq!(
            own_before,
            crate::invariants::own_users_hash(self),
            "{} ({}): a sync cycle changed a tenant's own users",
            crate::invariants::OWN_USERS.id,
            crate::invariants::OWN_USERS.rules.join(", ")
        );
        for &ai in &outcome.soft_deleted {
            self.push(self.now + sync::SOFT_DELETE_RETENTION, Pending::Purge(t, ai));
        }
        let stats = outcome.stats;
        let now = self.now;
        let job = &mut self.configs[c.ix()].job;
        job.watermark = run.watermark;
        job.initial_done = true;
        job.cycles += 1;
        job.last = Some(stats);
        job.last_finished_at = Some(now);
        add_stats(&mut job.totals, &stats);
        if job.status == JobStatus::NotRun {
            job.status = JobStatus::Active;
        }
        // next start on the fixed 40-minute cadence after the previous start (CTS-41)
        let mut next = run.started_at + sync::CYCLE_INTERVAL;
        while next < now {
            next = next + sync::CYCLE_INTERVAL;
        }
        let repeat = stats.exports() == 0
            && !run.initial
            && self.configs[c.ix()].job.last_failures == outcome.failures;
        self.configs[c.ix()].job.last_failures = outcome.failures.clone();
        if (stats.exports() > 0 || stats.failed > 0 || run.initial) && !repeat {
            let mut rules = vec![if run.initial { r::CTS_40 } else { r::CTS_41 }];
            if stats.created > 0 {
                rules.extend([r::CTS_28, r::CTS_30]);
            }
            if stats.deleted > 0 {
                rules.push(r::CTS_42);
            }
            if stats.restored > 0 {
                rules.push(r::CTS_46);
            }
            for (code, _) in &outcome.failures {
                let rule = sync::failure_rule(code);
                if !rules.contains(&rule) {
                    rules.push(rule);
                }
            }
            if stats.failed > 0 {
                rules.push(r::CTS_55);
            }
            for (reason, _) in &outcome.skips {
                if let Some(rule) = sync::skip_rule(reason) {
                    if !rules.contains(&rule) {
                        rules.push(rule);
                    }
                }
            }
            let failures = outcome.failures.clone();
            let skips = outcome.skips.clone();
            let then = if !outcome.staged.is_empty() {
                crate::event::CycleThen::HoldDeletes
            } else if sync::escrow_threshold(stats.failed, stats.evaluated).is_some() {
                if run.initial {
                    crate::event::CycleThen::PruneEscrows
                } else {
                    crate::event::CycleThen::Quarantine
                }
            } else {
                crate::event::CycleThen::Retry
            };
            if then == crate::event::CycleThen::PruneEscrows {
                // not retried: the initial cycle prunes its escrows (CTS-54)
                for r in rules.iter_mut().filter(|r| **r == r::CTS_55) {
                    *r = r::CTS_54;
                }
            }
            self.emit(
                s,
                EventKind::CycleFinished {
                    config: c,
                    initial: run.initial,
                    stats,
                    failures,
                    skips,
                    created_as: self.configs[c.ix()].user_type(),
                    then,
                },
                &rules,
            );
        }
        if stats.created > 0 {
            self.check_p1_for_sync(s);
        }
        if !outcome.staged.is_empty() {
            self.hold_deletions(c, outcome.staged);
            return;
        }
        if let Some(reason) = sync::escrow_threshold(stats.failed, stats.evaluated) {
            if run.initial {
                // CTS-54: the initial cycle prunes escrows instead, then the job pauses
                let job = &mut self.configs[c.ix()].job;
                job.escrows.clear();
                job.escrows_pruned = true;
                job.scheduled = false;
                job.next_start = None;
                job.status = JobStatus::Paused;
                self.emit(
                    s,
                    EventKind::EscrowsPruned {
                        config: c,
                        failed: stats.failed,
                    },
                    &[r::CTS_54],
                );
                return;
            }
            let job = &mut self.configs[c.ix()].job;
            let first = job.quarantine.is_none();
            let mut q = job.quarantine.unwrap_or(Quarantine {
                reason,
                series_began: now,
                current_began: now,
                next_attempt: None,
                series_count: 0,
            });
            q.reason = reason;
            q.current_began = now;
            q.series_count += 1;
            q.next_attempt = Some(Quarantine::retry_after(q.series_began, q.series_count));
            job.quarantine = Some(q);
            job.status = JobStatus::Quarantine;
            if first {
                let entered = EventKind::QuarantineEntered {
                    config: c,
                    reason,
                    next: q.next_attempt,
                };
                self.emit(s, entered, &[r::CTS_52, r::CTS_53]);
            } else {
                let next = q.next_attempt.map(|n| n.max(now));
                self.emit(
                    s,
                    EventKind::QuarantineRetry {
                        config: c,
                        attempt: q.series_count,
                        next,
                    },
                    &[r::CTS_53],
                );
            }
            if self.configs[c.ix()].job.scheduled {
                self.schedule_retry_or_give_up(c, q);
            }
            return;
        }
        let job = &mut self.configs[c.ix()].job;
        if job.quarantine.is_some() {
            job.quarantine = None;
            job.status = JobStatus::Active;
            self.emit(s, EventKind::QuarantineLeft { config: c }, &[r::CTS_53]);
        }
        // groups follow a cycle that completed (not one whose deletions are held or that failed
        // into quarantine)
        self.group_pass(c, run.initial, stats.created + stats.deleted + stats.restored > 0);
        let job = &mut self.configs[c.ix()].job;
        if job.scheduled {
            job.next_start = Some(next);
            self.push(next, Pending::CycleStart(c));
        } else {
            job.next_start = None;
        }
    }

    /// CTS-51: the cycle planned more deletions and disables than the threshold allows; they are
    /// held (StagedDelete) and the job waits in quarantine for allow-deletes or a restart.
    fn hold_deletions(&mut self, c: ConfigIdx, staged: Vec<UserIdx>) {
        let s = self.configs[c.ix()].source;
        let now = self.now;
        let count = staged.len() as u64;
        let job = &mut self.configs[c.ix()].job;
        job.staged = staged;
        job.next_start = None;
        job.status = JobStatus::Quarantine;
        job.quarantine = Some(Quarantine {
            reason: QuarantineReason::TooManyDeletes,
            series_began: now,
            current_began: now,
            next_attempt: None,
            series_count: 1,
        });
        let threshold = self.configs[c.ix()]
            .delete_threshold
            .unwrap_or(sync::DELETE_THRESHOLD_DEFAULT);
        self.emit(
            s,
            EventKind::DeletesHeld {
                config: c,
                count,
                threshold,
            },
            &[r::CTS_51],
        );
    }

    /// Users of `s` synchronized to at least one other tenant (each needs a P1 in `s`, MTO-52).
    pub fn users_synced_out(&self, s: TenantIdx) -> u64 {
        let n = self.tenants[s.ix()].dir.users().len();
        let mut seen = vec![false; n];
        for (ti, t) in self.tenants.iter().enumerate() {
            if ti == s.ix() {
                continue;
            }
            for a in t
                .dir
                .externals()
                .iter()
                .filter(|a| a.source_tenant == s && !a.is_soft_deleted() && !a.is_purged())
            {
                seen[a.source_user.ix()] = true;
            }
        }
        seen.iter().filter(|&&b| b).count() as u64
    }

    fn check_p1_for_sync(&mut self, s: TenantIdx) {
        let Some(p1) = self.tenants[s.ix()].spec.p1_licenses else {
            return;
        };
        if self.tenants[s.ix()].p1_sync_warned {
            return;
        }
        let synced = self.users_synced_out(s);
        if synced > p1 {
            self.tenants[s.ix()].p1_sync_warned = true;
            self.emit(
                s,
                EventKind::Warning(Warning::P1ShortForSync { synced, licences: p1 }),
                &[r::MTO_52, r::CTS_11],
            );
        }
    }

    pub(super) fn purge_batch(&mut self, t: TenantIdx) {
        // consecutive purges at one instant are narrated as one line
        if let Some(Event {
            at,
            tenant,
            kind: EventKind::AccountsPurged { count },
            ..
        }) = self.log.last_mut()
        {
            if *at == self.now && *tenant == t {
                *count += 1;
                return;
            }
        }
        self.emit(t, EventKind::AccountsPurged { count: 1 }, &[r::CTS_46, r::MTO_81]);
    }

    // ----- Entra admin center configurations ------------------------------------------------

    /// The live configuration named `name` whose source is `source`, or a refusal naming the
    /// configurations that exist.
    pub(super) fn config_ref(&self, source: TenantIdx, name: &str) -> Result<ConfigIdx, Refusal> {
        self.config_by_name(source, name).ok_or_else(|| {
            let names: Vec<&str> = self
                .configs
                .iter()
                .filter(|c| c.source == source && !c.deleted)
                .map(|c| c.name.as_str())
                .collect();
            Refusal::new(
                r::SIM_1,
                format!(
                    "{} has no sync configuration named \"{name}\" at this point; it would be allowed once one exists (configurations now: {}).",
                    self.name(source),
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                ),
            )
        })
    }

    /// Turns the "Provision Microsoft Entra ID Groups" mapping on or off (CTS-64): groups need
    /// the scope "Sync only assigned users and groups".
    pub(super) fn set_group_provisioning(
        &mut self,
        actor: TenantIdx,
        sync: &str,
        enabled: bool,
    ) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        if enabled && self.configs[c.ix()].cross_cloud {
            return Err(Refusal::bad_request(
                r::CTS_63,
                format!("{sync} synchronizes across clouds, and synchronizing groups across cloud environments isn't supported; group provisioning would be allowed on a configuration within one cloud."),
            ));
        }
        if enabled && self.configs[c.ix()].scope_all {
            return Err(Refusal::bad_request(
                r::CTS_64,
                msg![
                    format!("{sync} syncs all users and groups, and group provisioning needs the scope \"Sync only assigned users and groups\"; it would be allowed with "),
                    Setting::ScopeAssigned,
                    " (",
                    ActionKind::SetScope,
                    ") and the groups assigned.",
                ],
            ));
        }
        self.configs[c.ix()].provision_groups = enabled;
        self.emit(
            actor,
            EventKind::GroupProvisioningSet { config: c, enabled },
            &[r::CTS_64],
        );
        Ok(None)
    }

    /// CTS-75: provisioning can be turned on only in Provisioning Mode Automatic.
    fn manual_refusal(&self, c: ConfigIdx) -> Refusal {
        let cfg = &self.configs[c.ix()];
        let mut r = Refusal::bad_request(
            r::CTS_75,
            msg![
                format!(
                    "{} is in Provisioning Mode Manual, so provisioning cannot be turned on; it would be allowed after setting the mode to Automatic with the cross-tenant synchronization policy as the authentication method, a test connection and Save (",
                    cfg.name
                ),
                ActionKind::SetProvisioningMode,
                ").",
            ],
        );
        if cfg.m365 {
            r.also.push(r::SEED_5);
        }
        r
    }

    /// Sets the Provisioning Mode (CTS-75). Automatic runs the test connection with its
    /// documented errors (CTS-6, CTS-8) and saves; Manual is refused while the job runs.
    pub(super) fn set_provisioning_mode(
        &mut self,
        actor: TenantIdx,
        sync: &str,
        automatic: bool,
    ) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        let (t, cross_cloud) = (self.configs[c.ix()].target, self.configs[c.ix()].cross_cloud);
        if automatic {
            sync::check_clouds(
                &self.tenants[actor.ix()],
                actor,
                &self.tenants[t.ix()],
                cross_cloud,
            )?;
            sync::check_prerequisites(&self.tenants[actor.ix()], actor, &self.tenants[t.ix()], t)?;
        } else if self.configs[c.ix()].job.scheduled {
            return Err(Refusal::bad_request(
                r::CTS_75,
                msg![
                    format!("{sync} is provisioning, and its mode can go back to Manual only while provisioning is off; it would be allowed after "),
                    ActionKind::PauseSync,
                    ".",
                ],
            ));
        }
        self.configs[c.ix()].automatic = automatic;
        let was_waiting = automatic && self.configs[c.ix()].job.waiting_for_mode;
        self.emit(
            actor,
            EventKind::ProvisioningModeSet { config: c, automatic },
            &[r::CTS_75, r::CTS_6],
        );
        if was_waiting {
            // a share-users asked to start it (SEED-5): provisioning turns on now
            self.configs[c.ix()].job.waiting_for_mode = false;
            self.start_job(c);
        }
        Ok(None)
    }

    /// Changes a configuration's scope (CTS-14). A change from all to assigned takes effect only
    /// after a restart, as the provisioning known issues say: the running job keeps the users it
    /// has until a restart re-evaluates them (CTS-57).
    pub(super) fn set_scope(
        &mut self,
        actor: TenantIdx,
        sync: &str,
        all: bool,
    ) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        let cfg = &self.configs[c.ix()];
        if all && cfg.provision_groups {
            return Err(Refusal::bad_request(
                r::CTS_64,
                msg![
                    format!("{sync} provisions groups, and \"Sync all users and groups\" isn't supported with group synchronization; keep "),
                    Setting::ScopeAssigned,
                    ", or turn group provisioning off first (",
                    ActionKind::SetGroupProvisioning,
                    ").",
                ],
            ));
        }
        let was_all = cfg.scope_all;
        let needs_restart = was_all && !all && cfg.job.initial_done;
        self.configs[c.ix()].scope_all = all;
        if needs_restart {
            self.configs[c.ix()].job.scope_narrowed = true;
        }
        if all && !was_all {
            // every user of the source is now a candidate: the next cycle reads them all
            self.configs[c.ix()].job.initial_done = false;
        }
        self.emit(
            actor,
            EventKind::ScopeSet {
                config: c,
                all,
                needs_restart,
            },
            &[r::CTS_14, r::CTS_57],
        );
        Ok(None)
    }

    pub(super) fn create_sync(
        &mut self,
        actor: TenantIdx,
        spec: CreateSync,
    ) -> Result<Option<OpId>, Refusal> {
        let t = spec.target;
        if t == actor {
            return Err(Refusal::bad_request(
                r::CTS_66,
                "a configuration syncs from one tenant to another; name a different target tenant.",
            ));
        }
        if self.config_by_name(actor, &spec.name).is_some() {
            return Err(Refusal::bad_request(r::SIM_1, format!("{} already has a configuration named \"{}\"; mtosim refers to configurations by name, so choose another one.", self.name(actor), spec.name)));
        }
        if spec.provision_groups && spec.scope_all {
            return Err(Refusal::bad_request(
                r::CTS_64,
                msg![
                    "group provisioning needs the scope \"Sync only assigned users and groups\"; it would be allowed with ",
                    Setting::ScopeAssigned,
                    ".",
                ],
            ));
        }
        if spec.provision_groups && spec.cross_cloud {
            return Err(Refusal::bad_request(
                r::CTS_63,
                "synchronizing groups across cloud environments isn't supported; a configuration across clouds would be allowed without group provisioning.",
            ));
        }
        sync::check_clouds(
            &self.tenants[actor.ix()],
            actor,
            &self.tenants[t.ix()],
            spec.cross_cloud,
        )?;
        // saving in Automatic mode runs the test connection (CTS-5 items 1-3, CTS-6); in Manual
        // mode there is nothing to test yet (CTS-75)
        if !spec.manual {
            sync::check_prerequisites(&self.tenants[actor.ix()], actor, &self.tenants[t.ix()], t)?;
        }
        let same_pair = self
            .configs
            .iter()
            .filter(|c| !c.deleted && c.source == actor && c.target == t)
            .count();
        if same_pair > 0 && self.rules.one_config_per_pair {
            return Err(Refusal::bad_request(r::CTS_67, format!("{} already has a configuration syncing to {}, and only one sync instance can exist between a source and a target; assigning more users and groups to the existing one would be allowed instead.", self.name(actor), self.name(t))));
        }
        self.configs_room(1)?;
        let c = ConfigIdx(self.configs.len() as u32);
        let mut cfg = SyncConfig::new(spec.name, actor, t, false, self.now);
        cfg.scope_all = spec.scope_all;
        cfg.set_user_type_mapping(spec.user_type, spec.apply_always);
        cfg.delete_action = spec.delete_action;
        cfg.delete_threshold = spec.delete_threshold;
        cfg.provision_groups = spec.provision_groups;
        cfg.cross_cloud = spec.cross_cloud;
        cfg.automatic = !spec.manual;
        self.configs.push(cfg);
        self.emit(
            actor,
            EventKind::SyncConfigCreated { config: c },
            &[r::CTS_4, r::CTS_5, r::MTO_73],
        );
        if same_pair > 0 {
            self.emit(
                actor,
                EventKind::Warning(Warning::SeveralConfigsPerPair {
                    target: t,
                    count: same_pair + 1,
                }),
                &[r::CTS_67],
            );
        }
        Ok(None)
    }

    pub(super) fn assign(
        &mut self,
        actor: TenantIdx,
        sync: &str,
        groups: Vec<GroupIdx>,
        users: Vec<UserRef>,
        add: bool,
    ) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        let users = self.resolve_users(actor, &users)?;
        if add {
            self.add_scope(c, &groups, &users);
        } else {
            self.remove_scope(c, &groups, &users);
        }
        let cfg = &self.configs[c.ix()];
        let (g, u, all) = (cfg.groups.len(), cfg.users.len(), cfg.scope_all);
        let rules: &[RuleId] = if add {
            &[r::CTS_14, r::CTS_15]
        } else {
            &[r::CTS_14, r::CTS_42]
        };
        self.emit(
            actor,
            EventKind::SyncAssigned {
                config: c,
                groups: g,
                users: u,
                scope_all: all,
            },
            rules,
        );
        Ok(None)
    }

    pub(super) fn set_scoping_filter(
        &mut self,
        actor: TenantIdx,
        sync: &str,
        filter: Option<crate::scoping::ScopingFilter>,
        n: usize,
    ) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        let cfg = &mut self.configs[c.ix()];
        cfg.filter = filter;
        // CTS-19: saving a scoping filter clears the watermark: the next cycle is an initial one
        cfg.job.initial_done = false;
        self.emit(
            actor,
            EventKind::ScopingFilterSet {
                config: c,
                filters: n,
            },
            &[r::CTS_16, r::CTS_19],
        );
        Ok(None)
    }

    /// Adds, changes or deletes the mapping of `target` (CTS-29). The matching attribute
    /// cannot change (CTS-26, `schemaInvalid`); accounts the configuration wrote keep what
    /// they show until a cycle writes them again; the next cycle is an initial one (CTS-19).
    pub(super) fn edit_mapping(
        &mut self,
        actor: TenantIdx,
        sync: &str,
        target: SchemaAttr,
        mapping: Option<AttributeMapping>,
    ) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        check_mapping(&target, mapping.as_ref())?;
        if mapping.is_none() && self.configs[c.ix()].schema.mapping(&target).is_none() {
            let mapped: Vec<String> = self.configs[c.ix()]
                .schema
                .mappings()
                .iter()
                .map(|m| m.target.name().into_owned())
                .collect();
            return Err(Refusal::new(
                r::CTS_29,
                format!(
                    "{sync} maps no {target}, so there is no mapping to delete; deleting one of its mappings would be allowed ({}).",
                    mapped.join(", ")
                ),
            ));
        }
        let t = self.configs[c.ix()].target;
        // what each account shows now stays until a cycle writes it with the new mapping
        let accounts: Vec<u32> = self.tenants[t.ix()]
            .dir
            .externals()
            .iter()
            .enumerate()
            .filter(|(_, a)| a.config == c && !a.is_purged())
            .map(|(i, _)| i as u32)
            .collect();
        for ai in accounts {
            match &target {
                SchemaAttr::Attr(a) => {
                    let v = self.shown(t, ai).attr(*a).map(str::to_string);
                    let sym = v.map_or(Sym::NONE, |v| self.strings.intern(&v));
                    self.tenants[t.ix()].dir.keep_account_value(ai, *a, sym);
                }
                SchemaAttr::UserPrincipalName => {
                    let upn = self.external_upn(t, ai);
                    self.tenants[t.ix()].dir.set_upn_override(ai, &upn);
                }
                SchemaAttr::ShowInAddressList => {
                    let v = self.shown(t, ai).show_in_address_list();
                    self.tenants[t.ix()]
                        .dir
                        .update_account_extra(ai, |e| e.show_in_address_list = v);
                }
                // stored on the account itself (userType, accountEnabled, the manager reference)
                _ => {}
            }
        }
        let cfg = &mut self.configs[c.ix()];
        let schema = std::sync::Arc::make_mut(&mut cfg.schema);
        let shown = mapping.as_ref().map(|m| m.to_string());
        match mapping {
            Some(m) => schema.set_mapping(m),
            None => schema.remove_mapping(&target),
        }
        cfg.job.initial_done = false;
        self.emit(
            actor,
            EventKind::MappingEdited {
                config: c,
                target: target.name().into_owned(),
                mapping: shown,
            },
            &[r::CTS_29, r::CTS_19],
        );
        Ok(None)
    }

    pub(super) fn start_sync(&mut self, actor: TenantIdx, sync: &str) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        if !self.configs[c.ix()].automatic {
            return Err(self.manual_refusal(c));
        }
        if !self.configs[c.ix()].has_assigned_internal_user(&self.tenants[actor.ix()]) {
            return Err(Refusal::bad_request(
                r::CTS_5,
                msg![
                    format!("no internal member user of {} is assigned to {}, and provisioning needs at least one (CTS-5 item 4); assign a user or a group with internal members, or create it with ", self.name(actor), sync),
                    Setting::ScopeAll,
                    ".",
                ],
            ));
        }
        let job = &mut self.configs[c.ix()].job;
        // CTS-56: Start resumes a paused job and clears quarantine
        if job.quarantine.take().is_some() {
            job.status = JobStatus::Paused;
            self.emit(actor, EventKind::QuarantineLeft { config: c }, &[r::CTS_56]);
        }
        self.start_job(c);
        Ok(None)
    }

    pub(super) fn pause_sync(&mut self, actor: TenantIdx, sync: &str) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        let job = &mut self.configs[c.ix()].job;
        job.scheduled = false;
        job.next_start = None;
        job.status = JobStatus::Paused;
        self.emit(
            actor,
            EventKind::SyncPaused { config: c },
            &[r::CTS_41, r::CTS_56],
        );
        Ok(None)
    }

    pub(super) fn restart_sync(
        &mut self,
        actor: TenantIdx,
        sync: &str,
        reset: ResetScope,
    ) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        if !self.configs[c.ix()].automatic {
            return Err(self.manual_refusal(c));
        }
        let t = self.configs[c.ix()].target;
        let job = &mut self.configs[c.ix()].job;
        if reset.watermark {
            job.initial_done = false;
        }
        if reset.escrows {
            job.escrows.clear();
            job.escrows_pruned = false;
        }
        if reset.quarantine {
            job.quarantine = None;
        }
        if reset.connector_data_store {
            job.totals = CycleStats::default();
        }
        let released = job.staged.len() as u64;
        if reset.force_deletes {
            job.force_deletes = true;
            let staged = std::mem::take(&mut job.staged);
            job.pending.extend(staged);
            job.quarantine = None;
        }
        if job.status == JobStatus::Quarantine && job.quarantine.is_none() {
            job.status = if job.scheduled {
                JobStatus::Active
            } else {
                JobStatus::Paused
            };
        }
        if reset.full {
            // the connector data store forgets which accounts it provisioned (CTS-57)
            for a in self.tenants[t.ix()]
                .dir
                .externals_mut()
                .iter_mut()
                .filter(|a| a.config == c)
            {
                a.config = crate::directory::NO_CONFIG;
            }
        }
        self.emit(actor, EventKind::SyncRestarted { config: c, reset }, &[r::CTS_57]);
        if reset.force_deletes && released > 0 {
            self.emit(
                actor,
                EventKind::DeletesReleased {
                    config: c,
                    count: released,
                },
                &[r::CTS_51, r::CTS_57],
            );
        }
        if self.configs[c.ix()].job.scheduled && self.configs[c.ix()].job.running.is_none() {
            self.configs[c.ix()].job.next_start = Some(self.now);
            self.push(self.now, Pending::CycleStart(c));
        }
        Ok(None)
    }

    pub(super) fn allow_deletes(&mut self, actor: TenantIdx, sync: &str) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        let job = &mut self.configs[c.ix()].job;
        if job.staged.is_empty() {
            return Err(Refusal::bad_request(
                r::CTS_51,
                msg![
                    format!("{sync} holds no deletions: "),
                    ActionKind::AllowDeletes,
                    " releases deletions held by the accidental-deletion threshold, which has not tripped.",
                ],
            ));
        }
        let staged = std::mem::take(&mut job.staged);
        let count = staged.len() as u64;
        job.pending.extend(staged);
        job.force_deletes = true;
        job.quarantine = None;
        job.status = if job.initial_done {
            JobStatus::Active
        } else {
            JobStatus::NotRun
        };
        self.emit(
            actor,
            EventKind::DeletesReleased { config: c, count },
            &[r::CTS_51],
        );
        if self.configs[c.ix()].job.scheduled && self.configs[c.ix()].job.running.is_none() {
            self.configs[c.ix()].job.next_start = Some(self.now);
            self.push(self.now, Pending::CycleStart(c));
        }
        Ok(None)
    }

    pub(super) fn provision_on_demand(
        &mut self,
        actor: TenantIdx,
        sync: &str,
        user: UserRef,
    ) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        let u = self.resolve_user(actor, &user)?;
        let t = self.configs[c.ix()].target;
        let src = &self.tenants[actor.ix()].dir.users()[u.ix()];
        if !src.account_enabled || src.deleted_at.is_some() {
            return Err(Refusal::bad_request(r::CTS_58, format!("{} is disabled or deleted in {}, and on-demand provisioning cannot find such users; the next cycle processes it instead.", src.upn, self.name(actor))));
        }
        // the test connection runs first and is shown only on failure (CTS-58)
        sync::check_prerequisites(&self.tenants[actor.ix()], actor, &self.tenants[t.ix()], t)?;
        let mode = sync::CycleMode {
            seed: self.seed,
            full: true,
            log: self.log_provisioning,
            on_demand: true,
        };
        let before_link = self.tenants[t.ix()].dir.account_of(actor, u);
        let mut outcome = {
            let (src, tgt) = two(&mut self.tenants, actor, t);
            let job_escrows = std::mem::take(&mut self.configs[c.ix()].job.escrows);
            let out = sync::run_cycle(
                &mut self.configs,
                c,
                src,
                tgt,
                &mut self.strings,
                &[u],
                self.now,
                &self.rules,
                mode,
                std::mem::take(&mut self.prov_log),
            );
            // on demand neither consumes nor adds to the job's escrows
            self.configs[c.ix()].job.escrows = job_escrows;
            out
        };
        self.log_records(&mut outcome.records);
        for &ai in &outcome.soft_deleted {
            self.push(self.now + sync::SOFT_DELETE_RETENTION, Pending::Purge(t, ai));
        }
        let st = outcome.stats;
        let duplicate = st.created > 0 && before_link.is_some();
        let outcome = if duplicate {
            OnDemandOutcome::Duplicate
        } else if st.created > 0 {
            OnDemandOutcome::Created
        } else if st.restored > 0 {
            OnDemandOutcome::Restored
        } else if st.updated > 0 {
            OnDemandOutcome::Updated
        } else if st.deleted > 0 {
            OnDemandOutcome::SoftDeleted
        } else if st.failed > 0 {
            OnDemandOutcome::Failed
        } else {
            OnDemandOutcome::Skipped
        };
        let mut rules = vec![r::CTS_58];
        if duplicate {
            rules.push(r::CTS_47);
        }
        self.emit(
            actor,
            EventKind::OnDemand {
                config: c,
                user: u,
                outcome,
            },
            &rules,
        );
        if st.created > 0 {
            self.check_p1_for_sync(actor);
        }
        Ok(None)
    }

    pub(super) fn delete_sync(&mut self, actor: TenantIdx, sync: &str) -> Result<Option<OpId>, Refusal> {
        let c = self.config_ref(actor, sync)?;
        let cfg = &mut self.configs[c.ix()];
        cfg.deleted = true;
        cfg.job = Job::default();
        self.emit(
            actor,
            EventKind::SyncDeleted { config: c },
            &[r::CTS_50, r::CTS_56],
        );
        Ok(None)
    }
}

/// The name the Microsoft 365 admin center gives the configuration toward `target` (MTO-70).
fn mto_sync_name(target: &Tenant) -> String {
    format!("MTO_Sync_{}", target.spec.tenant_id)
}

/// Whether `mapping` (or deleting the mapping of `target`) is one a configuration accepts.
fn check_mapping(target: &SchemaAttr, mapping: Option<&AttributeMapping>) -> Result<(), Refusal> {
    let changes = |what: &str| {
        Refusal::with_code(
            r::CTS_26,
            "schemaInvalid",
            format!("{what}: matching is on alternativeSecurityIds through AltSecIdFromNetId([netId]) only, and cannot be changed; every other mapping may be added, changed or deleted."),
        )
    };
    if *target == SchemaAttr::AlternativeSecurityIds {
        return Err(changes("the matching attribute cannot be changed or deleted"));
    }
    if mapping.is_some_and(|m| m.matching_priority > 0) {
        return Err(changes(&format!("{target} cannot become a matching attribute")));
    }
    if let SchemaAttr::Extra(p) = target {
        use crate::extra::ExtraProp;
        match p {
            ExtraProp::ProxyAddresses => {
                return Err(Refusal::new(
                    r::CTS_33,
                    "proxyAddresses is read-only in the target (it can be a source); map another attribute.",
                ))
            }
            ExtraProp::Extension(_)
            | ExtraProp::ExtensionAttribute(_)
            | ExtraProp::FacsimileTelephoneNumber
            | ExtraProp::EmployeeHireDate => {}
            other => {
                return Err(Refusal::new(
                    r::SIM_2,
                    format!("mtosim does not write {other} into targets; a directory extension, extensionAttribute1..15, facsimileTelephoneNumber, employeeHireDate or any user attribute can be a target."),
                ))
            }
        }
    }
    if *target == SchemaAttr::IsSoftDeleted {
        return Err(Refusal::new(
            r::SIM_2,
            "mtosim keeps the IsSoftDeleted mapping as Microsoft ships it (deprovisioning follows the configuration's delete action, CTS-43); every other mapping may be edited.",
        ));
    }
    let Some(m) = mapping else { return Ok(()) };
    let source = match &m.source {
        MappingSource::Attribute(s) => Some(s),
        _ => None,
    };
    if let Some(
        s @ (SchemaAttr::ObjectId
        | SchemaAttr::NetId
        | SchemaAttr::IsSoftDeleted
        | SchemaAttr::AlternativeSecurityIds
        | SchemaAttr::ShowInAddressList),
    ) = source
    {
        return Err(Refusal::new(
            r::SIM_2,
            format!("mtosim does not read {s} as a direct source; a direct mapping may read any user attribute, userPrincipalName, userType, accountEnabled or (into manager) manager."),
        ));
    }
    match target {
        SchemaAttr::Manager if !matches!(source, Some(SchemaAttr::Manager)) => Err(Refusal::new(
            r::CTS_37,
            "manager is a reference: it is mapped directly from the source's manager attribute, or not at all.",
        )),
        _ if *target != SchemaAttr::Manager && matches!(source, Some(SchemaAttr::Manager)) => Err(Refusal::new(
            r::CTS_37,
            format!("manager is a reference and maps only to the target's manager, not to {target}; map another attribute into {target}."),
        )),
        SchemaAttr::UserType => match &m.source {
            MappingSource::Constant(c) if crate::directory::UserType::parse(c).is_some() => Ok(()),
            _ => Err(Refusal::new(
                r::CTS_28,
                "userType is mapped as a constant, Member or Guest; set constant = \"Member\" or \"Guest\".",
            )),
        },
        SchemaAttr::AccountEnabled | SchemaAttr::ShowInAddressList => match &m.source {
            MappingSource::Constant(c) if !c.eq_ignore_ascii_case("true") && !c.eq_ignore_ascii_case("false") => {
                Err(Refusal::new(
                    r::CTS_29,
                    format!("{target} is a Boolean: a constant of True or False, not {c:?}."),
                ))
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

impl World {
    /// The group pass after a cycle of configuration `c` (CTS-63..65, XTAP-11), narrated when it
    /// wrote or skipped something, and once when the target starts refusing group sync.
    fn group_pass(&mut self, c: ConfigIdx, full: bool, accounts_changed: bool) {
        let (s, t) = (self.configs[c.ix()].source, self.configs[c.ix()].target);
        let outcome = {
            let (src, tgt) = two(&mut self.tenants, s, t);
            let cfg = &mut self.configs[c.ix()];
            let pass = crate::groupsync::Pass {
                config: c,
                source: cfg.source,
                scope_all: cfg.scope_all,
                groups: &cfg.groups,
                provision: cfg.provision_groups,
                delete_action: cfg.delete_action,
                skipped: &mut cfg.groups_skipped,
            };
            crate::groupsync::run(pass, src, tgt, full, accounts_changed)
        };
        let cfg = &mut self.configs[c.ix()];
        let newly_blocked = outcome.blocked && !cfg.groups_blocked;
        cfg.groups_blocked = outcome.blocked;
        if outcome.changes.is_empty() && !newly_blocked {
            return;
        }
        let mut rules = vec![r::CTS_63];
        if outcome.blocked {
            rules = vec![r::XTAP_11];
        }
        if outcome.changes.iter().any(|ch| {
            matches!(
                ch,
                crate::groupsync::GroupChange::Skipped {
                    why: crate::groupsync::GroupSkip::MappingDisabled,
                    ..
                }
            )
        }) {
            rules.push(r::CTS_64);
        }
        if outcome
            .changes
            .iter()
            .any(|ch| matches!(ch, crate::groupsync::GroupChange::Updated { .. }))
        {
            rules.push(r::CTS_65);
        }
        if outcome
            .changes
            .iter()
            .any(|ch| matches!(ch, crate::groupsync::GroupChange::Deleted { .. }))
        {
            rules.push(r::CTS_43);
        }
        self.emit(s, EventKind::GroupsProvisioned { config: c, outcome }, &rules);
    }
}
