//! The page of one run: a [`RunPage`] is an [`Observer`] that writes a row of compact JSON per
//! trace entry as the runner reports it, and the samples the topology, timeline and charts
//! need, each written only when it changed:
//!
//! - `["e", t, tenant, kind, text, rules, style, extra]`: an engine event (`extra` names the
//!   other tenant, the due time of a join or removal, a cycle's target);
//! - `["s", t, step, line, verb, tenant]`, `["n", t, text]`: a step begins, time moved;
//! - `["k", t, tenant, text]`, `["x", t, step, text, rule]`, `["f", t, step, text]`: a check
//!   held, a refusal was expected, a check or expectation failed;
//! - `["m", t, tenant, state, role]`: a tenant's MTO membership (0 not in one, 1 pending,
//!   2 active, 3 being removed, 4 left; role 0 member, 1 owner), from the events that change it
//!   and checked against the views at every step;
//! - `["c", t, config, source, target, accounts, status, live]`: a sync configuration;
//! - `["q", t, tenant, synced, escrows, headroom]`: a tenant's synced-in accounts, escrowed
//!   objects toward it and object quota headroom (CTS-61).
//!
//! `t` is seconds since the scenario's start. Counts are read from the views at the steps and
//! at the end, for the tenants events touched since the last sample; memory holds one sample
//! per tenant and configuration, never the rows.

use super::{begin, data_block, end, escape, script_json};
use crate::narrate::{self, Style};
use crate::summary;
use mtosim_engine::event::EventKind;
use mtosim_engine::mto::{MemberState, Role};
use mtosim_engine::{ConfigIdx, SimTime, TenantIdx, World};
use mtosim_scenario::runner::Run;
use mtosim_scenario::trace::{Entry, Failure, Observer, Timed};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{self, Write};

/// Not in an MTO.
const NONE: u8 = 0;
/// Listed as pending.
const PENDING: u8 = 1;
/// Active.
const ACTIVE: u8 = 2;
/// Being removed (the transitional `removed` state).
const REMOVING: u8 = 3;
/// Was in an MTO, is not any more.
const LEFT: u8 = 4;

/// What the page says about the scenario before it runs.
pub struct Meta<'a> {
    /// `[scenario] name`.
    pub name: &'a str,
    /// The file as named on the command line.
    pub file: &'a str,
    /// What the page is (`run`, or a counterexample of `explore`), shown under the title.
    pub subtitle: &'a str,
}

/// A configuration as last written.
#[derive(Clone, PartialEq, Eq)]
struct ConfigSample {
    accounts: u64,
    status: &'static str,
    live: bool,
}

/// Writes a run's page as the run goes (see the module's documentation).
pub struct RunPage<'w> {
    w: &'w mut dyn Write,
    /// The first write error; nothing is written after it.
    error: Option<io::Error>,
    start: SimTime,
    /// Membership as last written, per tenant: (state, role).
    members: Vec<(u8, u8)>,
    /// Counts as last written, per tenant.
    counts: Vec<Option<(u64, u64, i64)>>,
    /// Configurations as last written.
    configs: Vec<Option<ConfigSample>>,
    /// Tenants whose counts may have changed since the last sample.
    dirty: Vec<bool>,
    /// Rule ids cited by the rows, for the page's rule texts.
    rules: BTreeSet<&'static str>,
}

fn role_code(r: Role) -> u8 {
    match r {
        Role::Owner => 1,
        Role::Member => 0,
    }
}

impl<'w> RunPage<'w> {
    /// Writes the page's head and the scenario's description from `world` (the world before the
    /// first step), and the first samples.
    pub fn begin(w: &'w mut dyn Write, world: &World, meta: &Meta) -> io::Result<RunPage<'w>> {
        let n = world.tenants().len();
        begin(w, &format!("{} — mtosim report", meta.name), "run")?;
        let delays = match world.delays() {
            mtosim_engine::DelayMode::Max => "max",
            mtosim_engine::DelayMode::Random => "random",
        };
        let tenants: Vec<Value> = world
            .tenants()
            .iter()
            .map(|t| json!([t.name(), t.spec.display_name]))
            .collect();
        writeln!(
            w,
            "<header class=\"top\"><h1>{}</h1><p class=\"sub\">{} · <code>{}</code> · rules {} · seed {} · delays {} · starts {} UTC</p></header>",
            escape(meta.name),
            escape(meta.subtitle),
            escape(meta.file),
            escape(world.rules().kind.name()),
            world.seed(),
            delays,
            escape(&narrate::time(world.start()))
        )?;
        data_block(
            w,
            "d-meta",
            &json!({
                "name": meta.name,
                "file": meta.file,
                "start": world.start().0,
                "tenants": tenants,
            }),
        )?;
        w.write_all(b"<script type=\"text/plain\" id=\"d-rows\">\n")?;
        let mut page = RunPage {
            w,
            error: None,
            start: world.start(),
            members: vec![(NONE, 0); n],
            counts: vec![None; n],
            configs: Vec::new(),
            dirty: vec![true; n],
            rules: BTreeSet::new(),
        };
        page.sample(world);
        page.error.take().map_or(Ok(page), Err)
    }

    fn t(&self, at: SimTime) -> i64 {
        (at - self.start).0
    }

    fn row(&mut self, v: Value) {
        if self.error.is_some() {
            return;
        }
        let res = self
            .w
            .write_all(script_json(&v).as_bytes())
            .and_then(|_| self.w.write_all(b"\n"));
        if let Err(e) = res {
            self.error = Some(e);
        }
    }

    fn member(&mut self, at: SimTime, t: TenantIdx, state: u8, role: Option<u8>) {
        let old = self.members[t.ix()];
        let new = (state, role.unwrap_or(old.1));
        if new != old {
            self.members[t.ix()] = new;
            let t0 = self.t(at);
            self.row(json!(["m", t0, t.0, new.0, new.1]));
        }
    }

    /// The membership an engine event implies (the views correct it at the next step).
    fn membership_of(&mut self, at: SimTime, tenant: TenantIdx, kind: &EventKind) {
        match kind {
            EventKind::MtoCreated { .. } => self.member(at, tenant, ACTIVE, Some(1)),
            EventKind::TenantAdded { target, role } => {
                self.member(at, *target, PENDING, Some(role_code(*role)))
            }
            EventKind::JoinSucceeded { role, .. } => self.member(at, tenant, ACTIVE, Some(role_code(*role))),
            EventKind::RoleChanged {
                target,
                role,
                queued: false,
            } => {
                let state = self.members[target.ix()].0;
                self.member(at, *target, state, Some(role_code(*role)))
            }
            EventKind::RemovalRequested { target, .. } if self.members[target.ix()].0 == ACTIVE => {
                self.member(at, *target, REMOVING, None)
            }
            EventKind::RemovalCompleted {
                target, was_active, ..
            } => {
                let state = if *was_active { LEFT } else { NONE };
                self.member(at, *target, state, None)
            }
            _ => {}
        }
    }

    /// Marks the tenants whose counts an event may change.
    fn touch(&mut self, world: &World, tenant: TenantIdx, kind: &EventKind) {
        self.dirty[tenant.ix()] = true;
        let config: Option<ConfigIdx> = match kind {
            EventKind::CycleFinished { config, .. }
            | EventKind::OnDemand { config, .. }
            | EventKind::DeletesReleased { config, .. }
            | EventKind::EscrowsPruned { config, .. }
            | EventKind::SyncDeleted { config }
            | EventKind::SyncStarted { config }
            | EventKind::SyncPaused { config }
            | EventKind::SyncConfigCreated { config }
            | EventKind::QuarantineEntered { config, .. }
            | EventKind::QuarantineLeft { config }
            | EventKind::JobDisabled { config } => Some(*config),
            _ => None,
        };
        if let Some(c) = config {
            self.dirty[world.config(c).target.ix()] = true;
        }
    }

    /// Samples membership from the views (every tenant), and counts and configurations for the
    /// tenants marked since the last sample.
    fn sample(&mut self, world: &World) {
        let now = world.now();
        for (i, _) in world.tenants().iter().enumerate() {
            let ti = TenantIdx(i as u16);
            let seen = world
                .listed_mto(ti)
                .and_then(|m| world.mtos()[m.ix()].entry(ti))
                .map(|e| {
                    let state = match e.state {
                        MemberState::Pending => PENDING,
                        MemberState::Active => ACTIVE,
                        MemberState::Removed => REMOVING,
                    };
                    (state, Some(role_code(e.role)))
                });
            let (state, role) = match (seen, self.members[i].0) {
                (Some(s), _) => s,
                (None, ACTIVE | REMOVING | LEFT) => (LEFT, None),
                (None, _) => (NONE, None),
            };
            self.member(now, ti, state, role);
        }
        let t0 = self.t(now);
        for (i, ten) in world.tenants().iter().enumerate() {
            if !std::mem::take(&mut self.dirty[i]) {
                continue;
            }
            let ti = TenantIdx(i as u16);
            let synced: u64 = ten.dir.source_tenants().map(|s| world.synced_from(ti, s)).sum();
            let escrows: usize = world
                .configs()
                .iter()
                .filter(|c| c.target == ti && !c.deleted)
                .map(|c| c.job.escrows.len())
                .sum();
            let headroom = ten.spec.object_quota as i64 - ten.dir.object_count() as i64;
            let now_counts = Some((synced, escrows as u64, headroom));
            if self.counts[i] != now_counts {
                self.counts[i] = now_counts;
                self.row(json!(["q", t0, i, synced, escrows, headroom]));
            }
            for (ci, c) in world.configs().iter().enumerate() {
                if c.target != ti {
                    continue;
                }
                let s = ConfigSample {
                    accounts: world.synced_from(c.target, c.source),
                    status: c.job.status.as_str(),
                    live: !c.deleted,
                };
                if self.configs.len() <= ci {
                    self.configs.resize(ci + 1, None);
                }
                if self.configs[ci].as_ref() != Some(&s) {
                    self.row(json!([
                        "c",
                        t0,
                        ci,
                        c.source.0,
                        c.target.0,
                        s.accounts,
                        s.status,
                        s.live as u8
                    ]));
                    self.configs[ci] = Some(s);
                }
            }
        }
    }

    fn event(&mut self, world: &World, i: usize) {
        let ev = &world.events()[i];
        self.membership_of(ev.at, ev.tenant, &ev.kind);
        self.touch(world, ev.tenant, &ev.kind);
        for r in &ev.rules {
            self.rules.insert(r.0);
        }
        let mut extra = serde_json::Map::new();
        match &ev.kind {
            EventKind::JoinSubmitted { due, added_by, .. } => {
                extra.insert("due".into(), json!(self.t(*due)));
                extra.insert("other".into(), json!(added_by.0));
            }
            EventKind::RemovalRequested { due, target, .. } => {
                extra.insert("due".into(), json!(self.t(*due)));
                extra.insert("other".into(), json!(target.0));
            }
            EventKind::TenantAdded { target, .. }
            | EventKind::RoleChanged { target, .. }
            | EventKind::RemovalCompleted { target, .. } => {
                extra.insert("other".into(), json!(target.0));
            }
            EventKind::CycleFinished { config, .. } | EventKind::CycleStarted { config, .. } => {
                extra.insert("other".into(), json!(world.config(*config).target.0));
            }
            _ => {}
        }
        let style = style_code(narrate::style(world, &Entry::Event(i)));
        let rules: Vec<&str> = ev.rules.iter().map(|r| r.0).collect();
        let row = json!([
            "e",
            self.t(ev.at),
            ev.tenant.0,
            narrate::kind_name(&ev.kind),
            narrate::describe(world, ev),
            rules,
            style,
            extra
        ]);
        self.row(row);
    }

    /// Writes the last samples, the rule texts the rows cite, the scenario's source, the
    /// result and the summary of every tenant, then the script; returns the first write error.
    /// `note` is a preformatted text shown above the result (explore's report).
    pub fn finish(mut self, run: &Run, source: Option<&str>, note: Option<&str>) -> io::Result<()> {
        self.sample(&run.world);
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.w.write_all(b"</script>\n")?;
        let catalogue = mtosim_engine::catalog::all();
        let mut rules = serde_json::Map::new();
        for info in catalogue.iter().filter(|r| self.rules.contains(r.id.as_str())) {
            rules.insert(
                info.id.clone(),
                json!({
                    "title": info.title,
                    "tag": info.tag,
                    "status": info.status,
                    "notes": info.notes,
                    "sources": info.sources,
                }),
            );
        }
        let result = match &run.limit {
            Some((step, _, hit)) => format!("Result: stopped at step {step}: {}.", hit.name),
            None if run.ok() => summary::result_ok(&run.world, run.checks_passed),
            None => format!(
                "Result: {} failure{} ({} check{} held).",
                run.failures.len(),
                if run.failures.len() == 1 { "" } else { "s" },
                run.checks_passed,
                if run.checks_passed == 1 { "" } else { "s" }
            ),
        };
        let end_t = self.t(run.world.now());
        data_block(
            self.w,
            "d-end",
            &json!({
                "end": end_t,
                "ok": run.ok(),
                "result": result,
                "checksPassed": run.checks_passed,
                "failures": run.failures.len(),
                "summary": summary::tenants_json(&run.world),
                "rules": rules,
                "source": source,
                "note": note,
            }),
        )?;
        end(self.w)
    }
}

/// The style of a row: 0 plain, 1 step, 2 ok, 3 refused, 4 warning, 5 failed.
fn style_code(s: Style) -> u8 {
    match s {
        Style::Plain => 0,
        Style::Step => 1,
        Style::Ok => 2,
        Style::Refused => 3,
        Style::Warning => 4,
        Style::Fail => 5,
    }
}

/// The step a failure belongs to.
fn failure_step(f: &Failure) -> usize {
    match f {
        Failure::StepInPast { step, .. }
        | Failure::NotSettled { step, .. }
        | Failure::Check { step, .. }
        | Failure::Refused { step, .. }
        | Failure::Accepted { step, .. }
        | Failure::FailedLater { step, .. }
        | Failure::SucceededLater { step, .. }
        | Failure::Unfinished { step, .. } => *step,
    }
}

impl Observer for RunPage<'_> {
    fn entry(&mut self, world: &World, e: &Timed) {
        let t = self.t(e.at);
        match &e.entry {
            Entry::Event(i) => self.event(world, *i),
            Entry::Step {
                number,
                line,
                verb,
                tenant,
            } => {
                self.sample(world);
                let ti = tenant
                    .as_deref()
                    .and_then(|n| world.tenant_by_name(n))
                    .map(|t| t.0);
                self.row(json!(["s", t, number, line, verb, ti]));
            }
            Entry::Waited(_) | Entry::Settled { .. } => {
                let text = e.entry.to_string();
                self.row(json!(["n", t, text]));
            }
            Entry::CheckOk { tenant, fact } => {
                let ti = world.tenant_by_name(tenant).map(|t| t.0);
                self.row(json!(["k", t, ti, fact.to_string()]));
            }
            Entry::Expected { step, rule, .. } => {
                self.rules.insert(rule.0);
                let text = e.entry.to_string();
                self.row(json!(["x", t, step, text, rule.0]));
            }
            Entry::Fail(f) => {
                if let Failure::Refused { rule, .. } = f {
                    self.rules.insert(rule.0);
                }
                self.row(json!(["f", t, failure_step(f), f.to_string()]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtosim_scenario::{load, runner};

    const TWO: &str = r#"
[scenario]
name = "two tenants"
rules = "ga"

[[tenant]]
name = "a"
domains = ["a.com"]
users = { generate = 2 }

[[tenant]]
name = "b"
domains = ["b.com"]
users = { generate = 1 }

[[step]]
do = "create-mto"
tenant = "a"
display_name = "Org"

[[step]]
do = "add-tenant"
tenant = "a"
target = "b"

[[step]]
do = "join"
tenant = "b"
added_by = "a"

[[step]]
do = "settle"

[[step]]
do = "expect"
tenant = "a"
mto_tenants = 2
"#;

    fn write_page(w: &mut dyn Write, text: &str) -> io::Result<()> {
        let sc = load::load("two.toml", text).unwrap();
        let name = sc.name.clone();
        let meta = Meta {
            name: &name,
            file: "two.toml",
            subtitle: "run",
        };
        let mut p = RunPage::begin(w, &sc.world, &meta)?;
        let run = runner::run_observed(sc, &mut p);
        p.finish(&run, Some(text), None)
    }

    fn page(text: &str) -> String {
        let mut out = Vec::new();
        write_page(&mut out, text).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn rows(page: &str) -> Vec<Value> {
        let start = page.find("id=\"d-rows\">\n").unwrap() + 13;
        let len = page[start..].find("</script>").unwrap();
        page[start..start + len]
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn membership_rows_follow_the_join_from_pending_to_active() {
        let p = page(TWO);
        let m: Vec<(i64, i64)> = rows(&p)
            .iter()
            .filter(|r| r[0] == "m" && r[2] == 1)
            .map(|r| (r[1].as_i64().unwrap(), r[3].as_i64().unwrap()))
            .collect();
        assert_eq!(m.first().map(|x| x.1), Some(PENDING as i64), "{m:?}");
        assert_eq!(m.last().map(|x| x.1), Some(ACTIVE as i64), "{m:?}");
        // the join completes after its asynchronous delay, not at the step that asked for it
        assert!(m.last().unwrap().0 > m.first().unwrap().0);
    }

    #[test]
    fn every_step_has_a_row_and_every_cited_rule_its_text() {
        let p = page(TWO);
        let rs = rows(&p);
        let steps: Vec<i64> = rs
            .iter()
            .filter(|r| r[0] == "s")
            .map(|r| r[2].as_i64().unwrap())
            .collect();
        assert_eq!(steps, [1, 2, 3, 4, 5]);
        assert!(rs.iter().any(|r| r[0] == "k"), "the check's row");
        let end_at = p.find("id=\"d-end\">").unwrap() + 11;
        let end_len = p[end_at..].find("</script>").unwrap();
        let end: Value = serde_json::from_str(&p[end_at..end_at + end_len]).unwrap();
        assert_eq!(end["ok"], true);
        for r in rs.iter().filter(|r| r[0] == "e") {
            for id in r[5].as_array().unwrap() {
                let id = id.as_str().unwrap();
                assert!(end["rules"][id]["title"].is_string(), "no text for {id}");
            }
        }
    }

    #[test]
    fn the_same_run_gives_the_same_bytes() {
        assert_eq!(page(TWO), page(TWO));
    }

    #[test]
    fn a_failed_write_is_reported() {
        struct Full(usize);
        impl Write for Full {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                if self.0 < b.len() {
                    return Err(io::Error::other("disk full"));
                }
                self.0 -= b.len();
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        // room for all but the end of the page
        let whole = page(TWO).len();
        let err = write_page(&mut Full(whole - 100), TWO).unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }
}
