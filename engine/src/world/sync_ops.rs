//! Cross-tenant synchronization inside the world: Microsoft 365 "Share users", job control,
//! and the provisioning cycle's scheduling around [`crate::sync::run_cycle`].

use super::*;

impl World {
    pub(super) fn share_targets(&self, actor: TenantIdx, what: &str) -> Result<Vec<TenantIdx>, Refusal> {
        let Some(m) = self.mto_view(actor).mto else {
            return Err(Refusal::new(r::MTO_74, format!("{} is not an active tenant of an MTO, and {what} syncs to the MTO's other active tenants; it would be allowed after creating or joining one, or use an Entra configuration (create-sync).", self.name(actor))));
        };
        Ok(self.mtos[m.ix()]
            .active()
            .map(|e| e.tenant)
            .filter(|&t| t != actor)
            .collect())
    }

    pub(super) fn ensure_mto_sync(&mut self, source: TenantIdx, target: TenantIdx) -> ConfigIdx {
        let name = format!("MTO_Sync_{}", self.tenants[target.ix()].spec.tenant_id);
        if let Some(c) = self.config_by_name(source, &name) {
            return c;
        }
        let c = ConfigIdx(self.configs.len() as u32);
        self.configs.push(SyncConfig::new(name, source, target, true));
        self.emit(
            source,
            EventKind::SyncConfigCreated { config: c },
            &[r::MTO_70, r::CTS_4],
        );
        c
    }

    pub(super) fn share_users(
        &mut self,
        actor: TenantIdx,
        groups: Vec<GroupIdx>,
        users: Vec<UserIdx>,
    ) -> Result<Option<OpId>, Refusal> {
        let targets = self.share_targets(actor, "Share users")?;
        if targets.is_empty() {
            return Err(Refusal::new(r::MTO_74, format!("{} is the only active tenant of its MTO, so there is no tenant to share users with; share once another tenant has joined.", self.name(actor))));
        }
        for &t in &targets {
            sync::check_prerequisites(&self.tenants[actor.ix()], actor, &self.tenants[t.ix()], t)?;
        }
        let mut probe = SyncConfig::new(String::new(), actor, actor, true);
        probe.groups = groups.clone();
        probe.users = users.clone();
        probe.groups.sort_unstable();
        probe.users.sort_unstable();
        if !probe.has_assigned_internal_user(&self.tenants[actor.ix()]) {
            return Err(Refusal::new(r::CTS_5, format!("the shared scope holds no internal member user of {}, and a configuration needs at least one assigned internal user; share a group with internal members, or such users directly.", self.name(actor))));
        }
        for t in targets {
            let c = self.ensure_mto_sync(actor, t);
            self.add_scope(c, &groups, &users);
            let (g, u) = (
                self.configs[c.ix()].groups.len(),
                self.configs[c.ix()].users.len(),
            );
            self.emit(
                actor,
                EventKind::SyncScopeSet {
                    config: c,
                    groups: g,
                    users: u,
                },
                &[r::MTO_74],
            );
            self.start_job(c);
        }
        Ok(None)
    }

    pub(super) fn unshare_users(
        &mut self,
        actor: TenantIdx,
        groups: Vec<GroupIdx>,
        users: Vec<UserIdx>,
    ) -> Result<Option<OpId>, Refusal> {
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
                format!(
                    "{} has no MTO_Sync configuration, so nothing is shared to unshare; share-users creates them.",
                    self.name(actor)
                ),
            ));
        }
        for c in configs {
            self.remove_scope(c, &groups, &users);
            let (g, u) = (
                self.configs[c.ix()].groups.len(),
                self.configs[c.ix()].users.len(),
            );
            self.emit(
                actor,
                EventKind::SyncScopeSet {
                    config: c,
                    groups: g,
                    users: u,
                },
                &[r::MTO_74, r::CTS_42],
            );
        }
        Ok(None)
    }

    pub(super) fn scope_delta(&self, c: ConfigIdx, groups: &[GroupIdx], users: &[UserIdx]) -> Vec<UserIdx> {
        let src = &self.tenants[self.configs[c.ix()].source.ix()];
        let mut v = users.to_vec();
        for g in groups {
            v.extend_from_slice(&src.dir.groups[g.ix()].members);
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
        if !cfg.job.scheduled || cfg.job.running.is_some() {
            return;
        }
        let (s, t) = (cfg.source, cfg.target);
        if let Err(refusal) = sync::check_prerequisites(&self.tenants[s.ix()], s, &self.tenants[t.ix()], t) {
            self.emit(
                s,
                EventKind::CycleBlocked { config: c, refusal },
                &[r::CTS_5, r::XTAP_7],
            );
            let next = self.now + sync::CYCLE_INTERVAL;
            self.configs[c.ix()].job.next_start = Some(next);
            // a blocked job waits for a configuration change (start-sync) rather than spinning
            self.configs[c.ix()].job.scheduled = false;
            self.configs[c.ix()].job.status = JobStatus::Paused;
            return;
        }
        let initial = !cfg.job.initial_done;
        let watermark = self.tenants[s.ix()].dir.changes.len();
        let (candidates, objects) = if initial {
            let cand = sync::initial_candidates(cfg, c, &self.tenants[s.ix()], &self.tenants[t.ix()]);
            (cand, cfg.initial_object_count(&self.tenants[s.ix()]))
        } else {
            let mut v: Vec<UserIdx> = self.tenants[s.ix()].dir.changes[cfg.job.watermark..watermark].to_vec();
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
        cfg.job.running = Some(RunningCycle {
            initial,
            started_at: self.now,
            candidates,
            watermark,
        });
        if initial || objects > 0 {
            self.emit(
                s,
                EventKind::CycleStarted {
                    config: c,
                    initial,
                    objects,
                    duration,
                },
                if initial {
                    &[r::CTS_40, r::CTS_59]
                } else {
                    &[r::CTS_41, r::CTS_59]
                },
            );
        }
        self.push(self.now + duration, Pending::CycleEnd(c));
    }

    pub(super) fn cycle_end(&mut self, c: ConfigIdx) {
        let Some(run) = self.configs[c.ix()].job.running.take() else {
            return;
        };
        let (s, t) = (self.configs[c.ix()].source, self.configs[c.ix()].target);
        let stats = {
            let (src, tgt) = two(&mut self.tenants, s, t);
            sync::run_cycle(
                &mut self.configs[c.ix()],
                c,
                src,
                tgt,
                &run.candidates,
                self.now,
                &self.rules,
            )
        };
        let (stats, soft_deleted) = stats;
        for ai in soft_deleted {
            self.push(self.now + sync::SOFT_DELETE_RETENTION, Pending::Purge(t, ai));
        }
        let job = &mut self.configs[c.ix()].job;
        job.watermark = run.watermark;
        job.initial_done = true;
        job.cycles += 1;
        job.last = Some(stats);
        add_stats(&mut job.totals, &stats);
        if job.status == JobStatus::NotRun {
            job.status = JobStatus::Active;
        }
        // next start on the fixed 40-minute cadence after the previous start (CTS-41)
        let mut next = run.started_at + sync::CYCLE_INTERVAL;
        while next < self.now {
            next = next + sync::CYCLE_INTERVAL;
        }
        let scheduled = job.scheduled;
        job.next_start = scheduled.then_some(next);
        if stats.exports() > 0 || stats.failed > 0 || run.initial {
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
            if stats.failed > 0 {
                rules.push(if self.rules.pair_synced_users_max.is_some() {
                    r::SEED_2
                } else {
                    r::CTS_61
                });
            }
            self.emit(
                s,
                EventKind::CycleFinished {
                    config: c,
                    initial: run.initial,
                    stats,
                },
                &rules,
            );
        }
        if scheduled {
            self.push(next, Pending::CycleStart(c));
        }
        if stats.created > 0 {
            self.check_p1_for_sync(s);
        }
    }

    /// Users of `s` synchronized to at least one other tenant (each needs a P1 in `s`, MTO-52).
    pub fn users_synced_out(&self, s: TenantIdx) -> u64 {
        let n = self.tenants[s.ix()].dir.users.len();
        let mut seen = vec![false; n];
        for (ti, t) in self.tenants.iter().enumerate() {
            if ti == s.ix() {
                continue;
            }
            for a in t
                .dir
                .externals
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
            let msg = format!(
                "{synced} users of {} are now synchronized to other tenants but it has {p1} Entra ID P1 licences; each synchronized user needs one in the source tenant (the target needs none). Sync is not blocked.",
                self.name(s)
            );
            self.emit(s, EventKind::Warning { message: msg }, &[r::MTO_52, r::CTS_11]);
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
}
