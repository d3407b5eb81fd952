//! The state of a simulated world and everything that reads it: tenants, MTOs, sync
//! configurations, asynchronous operations and the queue, the event log, and the questions
//! every surface asks of them (a tenant's MTO view, the accounts synced into it, whether
//! anything is pending). The transitions that change the state live in [`crate::world`]; the
//! model invariants read it from [`crate::invariants`].

use crate::event::{Event, RemovalCase};
use crate::ids::{ConfigIdx, MtoIdx, OpId, TenantIdx};
use crate::mto::Mto;
use crate::refusal::Refusal;
use crate::rules::RuleSet;
use crate::strings::Interner;
use crate::sync::SyncConfig;
use crate::tenant::Tenant;
use crate::time::SimTime;
use crate::vocab::Via;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Something that keeps the world from settling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// This tenant's join request has not completed.
    Join(TenantIdx),
    /// The removal of this tenant has not completed.
    Removal(TenantIdx),
    /// This configuration's job has not finished a cycle that wrote nothing.
    Sync(ConfigIdx, SyncWait),
}

/// Why a configuration's job is not idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncWait {
    /// A cycle is still running.
    CycleRunning,
    /// Its initial cycle has not run.
    InitialNotRun,
    /// Its last cycle still changed accounts, or changes are unread.
    StillChanging,
}

/// How long asynchronous steps take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DelayMode {
    /// Every step takes its documented maximum.
    Max,
    /// Drawn from the seeded RNG within documented bounds.
    Random,
}

/// Kind of an asynchronous operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// A join request.
    Join,
    /// A removal, leave or deletion.
    Removal,
}

/// An asynchronous operation and, once it completed, its outcome.
#[derive(Clone, Debug)]
pub struct Op {
    /// Join or removal.
    pub kind: OpKind,
    /// The tenant that submitted it.
    pub actor: TenantIdx,
    /// The tenant it is about (the joiner, the removed tenant).
    pub subject: TenantIdx,
    /// The MTO it concerns (None for a join naming an adder that added no one).
    pub mto: Option<MtoIdx>,
    /// The tenant named as adder (joins).
    pub added_by: Option<TenantIdx>,
    /// Admin surface.
    pub via: Via,
    /// When it was submitted.
    pub submitted_at: SimTime,
    /// For removals, how the request was classified.
    pub case: Option<RemovalCase>,
    /// `None` while pending.
    pub outcome: Option<Result<(), Refusal>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Pending {
    JoinRunning(OpId),
    Purge(TenantIdx, u32),
    JoinDone(OpId),
    RemovalDone(OpId),
    CycleStart(ConfigIdx),
    CycleEnd(ConfigIdx),
}

/// A tenant's view of its MTO, as `mto` and `mto_tenants` checks read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MtoView {
    /// The MTO the tenant created or joined, if it still exists.
    pub mto: Option<MtoIdx>,
    /// Active tenants in it.
    pub active_tenants: usize,
}

/// The whole simulated world.
#[derive(Clone, Debug)]
pub struct World {
    /// Limits, delays and options in force.
    pub(crate) rules: RuleSet,
    /// How asynchronous delays are chosen.
    pub(crate) delays: DelayMode,
    /// The scenario seed.
    pub(crate) seed: u64,
    /// The current simulated time.
    pub(crate) now: SimTime,
    /// When the scenario started (users that exist before the timeline were created then).
    pub(crate) start: SimTime,
    /// Tenants, in scenario order.
    pub(crate) tenants: Vec<Tenant>,
    /// MTOs ever created (deleted ones stay, flagged).
    pub(crate) mtos: Vec<Mto>,
    /// Sync configurations (deleted ones stay, unscheduled).
    pub(crate) configs: Vec<SyncConfig>,
    /// Interned attribute values.
    pub(crate) strings: Interner,
    /// Asynchronous operations.
    pub(crate) ops: Vec<Op>,
    /// Whether cycles record one provisioning-log entry per object (CTS-62); off by default
    /// to keep large runs lean.
    pub(crate) log_provisioning: bool,
    /// The provisioning log, when recorded.
    pub(crate) prov_log: crate::provlog::ProvLog,
    /// What happened to the world from outside since recording started (`mtosim serve
    /// --record`): actions tried, and the clock's moves; `None` when not recording.
    pub(crate) recorded: Option<Vec<Recorded>>,
    pub(crate) queue: BinaryHeap<Reverse<(SimTime, u64, Pending)>>,
    pub(crate) seq: u64,
    pub(crate) async_pending: usize,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) log: Vec<Event>,
    /// The work done so far, against the per-run caps of [`crate::limits`].
    pub(crate) work: Work,
    /// The first per-run cap reached, if any: the world has stopped.
    pub(crate) limit: Option<LimitHit>,
    /// Consecutive idle sync cycles processed (see `skip_idle_cycles`).
    pub(crate) idle_streak: usize,
}

/// The work a world has done, counted against [`crate::limits`]' per-run caps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Queued events processed.
    pub events: u64,
    /// Source objects sync cycles evaluated.
    pub cycle_objects: u64,
    /// Dynamic membership rule evaluations.
    pub rule_evaluations: u64,
}

/// A per-run cap that was reached: its name, its value and what reached it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitHit {
    /// The constant's name in [`crate::limits`], e.g. `EVENTS_PER_RUN_MAX`.
    pub name: &'static str,
    /// Its value.
    pub max: u64,
    /// What reached it, in one sentence.
    pub what: String,
    /// When.
    pub at: SimTime,
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let within = match self.name {
            "SIM_TIME_MAX" => "waits and times that end by 9999-12-31T23:59:59Z stay within it",
            "EVENTS_PER_RUN_MAX" | "EVENTS_PER_ADVANCE_MAX" => {
                "fewer steps, shorter waits or fewer configurations stay within it"
            }
            "RULE_EVALUATIONS_PER_RUN_MAX" => {
                "fewer or shorter dynamic membership rules, or fewer users, stay within it"
            }
            "PROV_LOG_RECORDS_MAX" | "PROV_LOG_TEXT_BYTES_MAX" => {
                "a run without --out keeps no provisioning log; fewer users or cycles stay within it"
            }
            "INTERNED_STRINGS_MAX" => "fewer distinct attribute values stay within it",
            _ => "smaller tenants, fewer steps or shorter waits stay within it",
        };
        write!(
            f,
            "{} reached {} ({}) at {}; the simulation stops here ({within})",
            self.what, self.name, self.max, self.at
        )
    }
}

impl World {
    /// The work done so far.
    pub fn work(&self) -> Work {
        self.work
    }

    /// The per-run cap reached, if any: the world stopped there and refuses every later step.
    pub fn limit(&self) -> Option<&LimitHit> {
        self.limit.as_ref()
    }

    /// Counts `n` more units of work of one kind against its cap; false (and the world stops)
    /// when the cap is passed.
    pub(crate) fn spend(&mut self, kind: WorkKind, n: u64, what: impl FnOnce() -> String) -> bool {
        if self.limit.is_some() {
            return false;
        }
        let (used, max, name) = match kind {
            WorkKind::Events => (
                &mut self.work.events,
                crate::limits::EVENTS_PER_RUN_MAX,
                "EVENTS_PER_RUN_MAX",
            ),
            WorkKind::CycleObjects => (
                &mut self.work.cycle_objects,
                crate::limits::CYCLE_OBJECTS_PER_RUN_MAX,
                "CYCLE_OBJECTS_PER_RUN_MAX",
            ),
            WorkKind::RuleEvaluations => (
                &mut self.work.rule_evaluations,
                crate::limits::RULE_EVALUATIONS_PER_RUN_MAX,
                "RULE_EVALUATIONS_PER_RUN_MAX",
            ),
        };
        *used = used.saturating_add(n);
        if *used > max {
            self.limit = Some(LimitHit {
                name,
                max,
                what: what(),
                at: self.now,
            });
            return false;
        }
        true
    }
}

/// The kinds of work a per-run cap counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WorkKind {
    Events,
    CycleObjects,
    RuleEvaluations,
}

impl World {
    /// The limits, delays and named options in force.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// How asynchronous delays are chosen.
    pub fn delays(&self) -> DelayMode {
        self.delays
    }

    /// The scenario seed, from which every object id and random draw derives.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// When the scenario started (users that exist before the timeline were created then).
    pub fn start(&self) -> SimTime {
        self.start
    }

    /// Every tenant, in scenario order (a tenant's index is its [`TenantIdx`]).
    pub fn tenants(&self) -> &[Tenant] {
        &self.tenants
    }

    /// Every tenant's index, in scenario order.
    pub fn tenant_ids(&self) -> impl Iterator<Item = TenantIdx> + '_ {
        (0..self.tenants.len()).map(|i| TenantIdx(i as u16))
    }

    /// Every MTO ever created (deleted ones stay, flagged).
    pub fn mtos(&self) -> &[Mto] {
        &self.mtos
    }

    /// Every sync configuration (deleted ones stay, unscheduled).
    pub fn configs(&self) -> &[SyncConfig] {
        &self.configs
    }

    /// The interned attribute values.
    pub fn strings(&self) -> &Interner {
        &self.strings
    }

    /// Every asynchronous operation, in submission order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Breaks one rule on purpose, for the tests of the checkers that must catch it (never set
    /// by a scenario; see [`crate::rules::Fault`]).
    pub fn inject_fault(&mut self, fault: Option<crate::rules::Fault>) {
        self.rules.fault = fault;
    }

    /// Whether cycles record one provisioning-log entry per object (CTS-62).
    pub fn log_provisioning(&self) -> bool {
        self.log_provisioning
    }

    /// Records (or stops recording) one provisioning-log entry per object (CTS-62); off by
    /// default to keep large runs lean.
    pub fn set_log_provisioning(&mut self, on: bool) {
        self.log_provisioning = on;
    }

    /// Starts recording what is done to the world from outside (see [`Recorded`]).
    pub fn start_recording(&mut self) {
        self.recorded.get_or_insert_with(Vec::new);
    }

    /// What was recorded since [`World::start_recording`], in order (empty when not recording).
    pub fn recorded(&self) -> &[Recorded] {
        self.recorded.as_deref().unwrap_or(&[])
    }

    /// Records `r`, merging consecutive clock moves (a `--speed` tick is one each), up to
    /// [`crate::limits::RECORDED_MAX`] entries.
    pub(crate) fn record(&mut self, r: Recorded) {
        let Some(v) = self.recorded.as_mut() else {
            return;
        };
        if let (Recorded::AdvanceTo(to), Some(Recorded::AdvanceTo(last))) = (&r, v.last_mut()) {
            *last = *to;
            return;
        }
        if v.len() < crate::limits::RECORDED_MAX {
            v.push(r);
        }
    }

    /// The provisioning log, when recorded, in order, each record borrowed from the world.
    pub fn provisioning_log(&self) -> impl ExactSizeIterator<Item = crate::provlog::ProvRecordRef<'_>> + '_ {
        (0..self.prov_log.len()).map(move |i| self.prov_log.get(i, &self.strings))
    }

    /// An empty world under `rules`, starting at `start`.
    pub fn new(rules: RuleSet, seed: u64, start: SimTime, delays: DelayMode) -> World {
        let mut h = crate::hash::Fnv64::new(seed);
        h.write(b"world-delays");
        World {
            rules,
            delays,
            seed,
            now: start,
            start,
            tenants: Vec::new(),
            mtos: Vec::new(),
            configs: Vec::new(),
            strings: Interner::default(),
            ops: Vec::new(),
            log_provisioning: false,
            recorded: None,
            prov_log: Default::default(),
            queue: BinaryHeap::new(),
            seq: 0,
            async_pending: 0,
            rng: ChaCha8Rng::seed_from_u64(h.finish()),
            log: Vec::new(),
            work: Work::default(),
            limit: None,
            idle_streak: 0,
        }
    }

    /// Finds a tenant by handle.
    pub fn tenant_by_name(&self, name: &str) -> Option<TenantIdx> {
        self.tenants
            .iter()
            .position(|t| t.spec.name == name)
            .map(|i| TenantIdx(i as u16))
    }

    /// The tenant at `t`.
    pub fn tenant(&self, t: TenantIdx) -> &Tenant {
        &self.tenants[t.ix()]
    }

    /// The handle of `t`.
    pub fn name(&self, t: TenantIdx) -> &str {
        self.tenants[t.ix()].name()
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The MTO at `m`.
    pub fn mto(&self, m: MtoIdx) -> &Mto {
        &self.mtos[m.ix()]
    }

    /// The sync configuration at `c`.
    pub fn config(&self, c: ConfigIdx) -> &SyncConfig {
        &self.configs[c.ix()]
    }

    /// The event log so far.
    pub fn events(&self) -> &[Event] {
        &self.log
    }

    /// The operation `op`.
    pub fn op(&self, op: OpId) -> &Op {
        &self.ops[op.0 as usize]
    }

    /// The MTO a tenant sees itself in: the one it created or joined, while it exists.
    pub fn mto_view(&self, t: TenantIdx) -> MtoView {
        match self.tenants[t.ix()].mto {
            Some(m) if !self.mtos[m.ix()].deleted => MtoView {
                mto: Some(m),
                active_tenants: self.mtos[m.ix()].active_count(),
            },
            _ => MtoView {
                mto: None,
                active_tenants: 0,
            },
        }
    }

    /// The MTO whose member list `t` can read: its own, else the latest one listing it as
    /// pending (a pending tenant reads the list to find its adder).
    pub fn listed_mto(&self, t: TenantIdx) -> Option<MtoIdx> {
        self.mto_view(t).mto.or_else(|| {
            (0..self.mtos.len())
                .rev()
                .map(|i| MtoIdx(i as u32))
                .find(|m| !self.mtos[m.ix()].deleted && self.mtos[m.ix()].entry(t).is_some())
        })
    }

    /// Accounts in `target` linked to users of `source`, not soft-deleted.
    pub fn synced_from(&self, target: TenantIdx, source: TenantIdx) -> u64 {
        self.tenants[target.ix()].dir.active_accounts_from(source)
    }

    /// The live (not deleted) configuration named `name` whose source is `source`.
    pub fn config_by_name(&self, source: TenantIdx, name: &str) -> Option<ConfigIdx> {
        self.configs
            .iter()
            .position(|c| c.source == source && c.name == name && !c.deleted)
            .map(|i| ConfigIdx(i as u32))
    }

    /// The UPN of external account `ai` of tenant `t`: CTS-30's form, or an invitation's
    /// own UPN until sync rewrites it (CTS-31).
    pub fn external_upn(&self, t: TenantIdx, ai: u32) -> String {
        self.tenants[t.ix()].account_upn(ai, &self.shown(t, ai))
    }

    /// What external account `ai` of tenant `t` shows (see [`crate::account`]).
    pub fn shown(&self, t: TenantIdx, ai: u32) -> crate::account::Shown<'_> {
        let tenant = &self.tenants[t.ix()];
        let acc = &tenant.dir.externals()[ai as usize];
        let home = &self.tenants[acc.source_tenant.ix()].dir;
        let schema = self.configs.get(acc.config.ix()).map(|c| &*c.schema);
        tenant.account_shown(ai, home, schema, &self.strings)
    }

    /// Finds an external account of `t` by its UPN, without a string index: the UPN names the
    /// home user (by its current UPN, or a former one after a rename), whose account is then a
    /// table lookup; the account must show that UPN.
    pub fn external_by_upn(&self, t: TenantIdx, upn: &str) -> Option<u32> {
        let tenant = &self.tenants[t.ix()];
        if let Some((ai, _)) = tenant
            .dir
            .upn_overrides()
            .find(|(_, u)| u.eq_ignore_ascii_case(upn))
        {
            return Some(ai);
        }
        let (local, domain) = upn.rsplit_once("#EXT#@")?;
        if !domain.eq_ignore_ascii_case(&tenant.spec.initial_domain) {
            return None;
        }
        // the home UPN is `local` with its last '_' turned back into '@'
        let pos = local.rfind('_')?;
        let home = format!("{}@{}", &local[..pos], &local[pos + 1..]);
        for s in tenant.dir.source_tenants() {
            let sdir = &self.tenants[s.ix()].dir;
            for u in [sdir.user_by_upn(&home), sdir.user_by_former_upn(&home)]
                .into_iter()
                .flatten()
            {
                if let Some(a) = tenant.dir.account_of(s, u) {
                    if tenant.dir.upn_override(a).is_none()
                        && self.external_upn(t, a).eq_ignore_ascii_case(upn)
                    {
                        return Some(a);
                    }
                }
            }
        }
        None
    }

    /// When the next queued event (a join or removal completing, a sync cycle starting or
    /// ending, a purge) is due, if any.
    pub fn next_due(&self) -> Option<SimTime> {
        self.queue.peek().map(|Reverse((at, _, _))| *at)
    }

    /// The pending join or removal of tenant `t`, if any, and when it completes (both are
    /// scheduled when the request is submitted).
    pub fn pending_op_of(&self, t: TenantIdx) -> Option<(OpKind, SimTime)> {
        self.queue
            .iter()
            .filter_map(|Reverse((at, _, p))| match p {
                Pending::JoinDone(op) | Pending::RemovalDone(op) => Some((*at, *op)),
                _ => None,
            })
            .filter(|(_, op)| {
                let o = &self.ops[op.0 as usize];
                o.subject == t && o.outcome.is_none()
            })
            .min_by_key(|(at, _)| *at)
            .map(|(at, op)| (self.ops[op.0 as usize].kind, at))
    }

    /// What keeps the world from settling.
    pub fn pending(&self) -> Vec<Waiting> {
        let mut out = Vec::new();
        for op in self.ops.iter().filter(|o| o.outcome.is_none()) {
            out.push(match op.kind {
                OpKind::Join => Waiting::Join(op.subject),
                OpKind::Removal => Waiting::Removal(op.subject),
            });
        }
        for (i, c) in self.configs.iter().enumerate() {
            let ci = ConfigIdx(i as u32);
            if !self.config_settled(ci) {
                let why = if c.job.running.is_some() {
                    SyncWait::CycleRunning
                } else if !c.job.initial_done {
                    SyncWait::InitialNotRun
                } else {
                    SyncWait::StillChanging
                };
                out.push(Waiting::Sync(ci, why));
            }
        }
        out
    }

    /// Whether nothing is pending (see [`World::settle`]).
    pub fn is_settled(&self) -> bool {
        self.async_pending == 0 && (0..self.configs.len()).all(|c| self.config_settled(ConfigIdx(c as u32)))
    }

    /// [`World::is_settled`], searching for an unsettled configuration from `*from` on
    /// (wrapping) and leaving there the one it found: a settle loop asks after every event,
    /// and the configuration that was unsettled last time mostly still is (with 9,900
    /// configurations the search from the first was 12 % of B3).
    pub(crate) fn is_settled_from(&self, from: &mut usize) -> bool {
        if self.async_pending != 0 {
            return false;
        }
        let n = self.configs.len();
        let start = (*from).min(n);
        for c in (start..n).chain(0..start) {
            if !self.config_settled(ConfigIdx(c as u32)) {
                *from = c;
                return false;
            }
        }
        true
    }

    pub(crate) fn config_settled(&self, c: ConfigIdx) -> bool {
        let cfg = &self.configs[c.ix()];
        let j = &cfg.job;
        !j.scheduled
            || (j.running.is_none()
                && j.initial_done
                && j.pending.is_empty()
                && j.watermark == self.tenants[cfg.source.ix()].dir.changes().len()
                && j.last.is_some_and(|s| s.exports() == 0))
    }
}

impl crate::hash::Canonical for Op {
    fn canonical(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(
            out,
            "O {:?} {}>{} {:?} {:?} {:?}|",
            self.kind,
            self.actor.0,
            self.subject.0,
            self.added_by.map(|a| a.0),
            self.via,
            self.case
        );
    }
}

/// One thing done to a world from outside, as `mtosim serve --record` writes it back as a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// An action tried at `at` by `actor` (as its admin `admin`, or a Global Administrator),
    /// with the rule of its refusal, if it was refused.
    Action {
        at: SimTime,
        actor: TenantIdx,
        admin: Option<usize>,
        action: crate::action::Action,
        refused: Option<crate::rules::RuleId>,
    },
    /// The clock moved to this time (an operator's advance, or `--speed`).
    AdvanceTo(SimTime),
    /// An operator's settle, at most this long.
    Settle(crate::time::Duration),
}
