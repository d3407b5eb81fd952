//! Plays a loaded scenario on the engine: moves the clock to each step, applies actions,
//! follows asynchronous outcomes against `expect_error`, evaluates checks, and narrates it
//! all. The exit code follows the contract: 0 all held, 1 a check or expectation failed.

use crate::narrate;
use crate::scenario::{At, Check, ExpectError, Scenario, StateCheck, Step, StepKind};
use mtosim_engine::mto::MemberState;
use mtosim_engine::world::OpKind;
use mtosim_engine::Action;
use mtosim_engine::{OpId, Refusal, TenantIdx, World};

/// What one run produced.
pub struct Run {
    /// The world after the last step.
    pub world: World,
    /// Narration lines, in order.
    pub lines: Vec<String>,
    /// The same, as JSON objects (engine events and the runner's own notes), when asked for
    /// (`--json`, [`run_opts`]).
    pub json: Vec<serde_json::Value>,
    /// Failed checks and unmet expectations, one sentence each.
    pub failures: Vec<String>,
    /// Checks that held.
    pub checks_passed: usize,
}

impl Run {
    /// 0 when every check and expectation held, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(!self.failures.is_empty())
    }
}

struct Tracked {
    op: OpId,
    step: usize,
    verb: String,
    expect: Option<ExpectError>,
}

/// Runs every step of `sc`.
pub fn run(sc: Scenario) -> Run {
    run_with(sc, &mut |_, _| {})
}

/// Runs the first `upto` steps of `sc` (all of them if there are fewer).
pub fn run_steps(mut sc: Scenario, upto: usize) -> Run {
    sc.steps.truncate(upto);
    run(sc)
}

/// Runs every step of `sc`, calling `progress(steps done, steps)` after each.
pub fn run_with(sc: Scenario, progress: &mut dyn FnMut(usize, usize)) -> Run {
    run_opts(sc, progress, false)
}

/// Runs every step of `sc`; `json` also collects every line as JSON (for `--json`).
pub fn run_opts(sc: Scenario, progress: &mut dyn FnMut(usize, usize), json: bool) -> Run {
    let Scenario { world, steps, .. } = sc;
    let mut r = Runner {
        world,
        want_json: json,
        lines: Vec::new(),
        json: Vec::new(),
        failures: Vec::new(),
        checks_passed: 0,
        seen: 0,
        tracked: Vec::new(),
    };
    for (i, step) in steps.iter().enumerate() {
        r.step(step);
        progress(i + 1, steps.len());
    }
    r.flush();
    for t in std::mem::take(&mut r.tracked) {
        if let Some(e) = &t.expect {
            r.fail(format!(
                "step {} ({}): expected it to fail{}, but it had not completed when the scenario ended; add a settle step",
                t.step,
                t.verb,
                expect_text(e)
            ));
        }
    }
    Run {
        world: r.world,
        lines: r.lines,
        json: r.json,
        failures: r.failures,
        checks_passed: r.checks_passed,
    }
}

struct Runner {
    world: World,
    lines: Vec<String>,
    want_json: bool,
    json: Vec<serde_json::Value>,
    failures: Vec<String>,
    checks_passed: usize,
    seen: usize,
    tracked: Vec<Tracked>,
}

fn expect_text(e: &ExpectError) -> String {
    match e {
        ExpectError::Any => String::new(),
        ExpectError::Rule(r) => format!(" with {r}"),
    }
}

fn matches(e: &ExpectError, refusal: &Refusal) -> bool {
    match e {
        ExpectError::Any => true,
        ExpectError::Rule(r) => refusal.cites(r),
    }
}

impl Runner {
    fn note(&mut self, text: String) {
        self.note_kind("note", text);
    }

    /// A runner line of `kind`: `step`, `checkOk`, `fail`, `expected`, `note`.
    fn note_kind(&mut self, kind: &'static str, text: String) {
        let w = narrate::tenant_width(&self.world);
        self.lines
            .push(format!("{}  {:<w$}  {}", narrate::time(self.world.now), "", text));
        if !self.want_json {
            return;
        }
        self.json.push(serde_json::json!({
            "schemaVersion": crate::export::SCHEMA_VERSION,
            "at": self.world.now.to_string(),
            "event": kind,
            "text": text,
        }));
    }

    fn fail(&mut self, text: String) {
        self.note_kind("fail", format!("FAIL: {text}"));
        self.failures.push(text);
    }

    /// Narrates new engine events and resolves completed asynchronous operations.
    fn flush(&mut self) {
        let events = self.world.events();
        for ev in &events[self.seen..] {
            self.lines.push(narrate::line(&self.world, ev));
            if self.want_json {
                self.json.push(crate::export::event_json(&self.world, ev));
            }
        }
        self.seen = events.len();
        let mut still = Vec::new();
        for t in std::mem::take(&mut self.tracked) {
            let outcome = self.world.op(t.op).outcome.clone();
            match (outcome, &t.expect) {
                (None, _) => still.push(t),
                (Some(Ok(())), None) => {}
                (Some(Ok(())), Some(e)) => self.fail(format!(
                    "step {} ({}): expected it to fail{}, but it succeeded",
                    t.step,
                    t.verb,
                    expect_text(e)
                )),
                (Some(Err(f)), None) => self.fail(format!(
                    "step {} ({}) failed without expect_error: {f}",
                    t.step, t.verb
                )),
                (Some(Err(f)), Some(e)) if matches(e, &f) => self.note_kind(
                    "expected",
                    format!("expected: step {} ({}) failed for {}", t.step, t.verb, f.rule),
                ),
                (Some(Err(f)), Some(e)) => self.fail(format!(
                    "step {} ({}): expected failure{}, but it failed for {}: {}",
                    t.step,
                    t.verb,
                    expect_text(e),
                    f.rule,
                    f.message
                )),
            }
        }
        self.tracked = still;
    }

    fn step(&mut self, s: &Step) {
        if let Some(at) = &s.at {
            let t = match at {
                At::Offset(d) => self.world.now + *d,
                At::Absolute(t) => *t,
            };
            if t < self.world.now {
                self.fail(format!(
                    "step {} ({}) is set at {}, which is before the current simulated time {}; steps run in order and time never goes back",
                    s.number, s.verb, t, self.world.now
                ));
                return;
            }
            self.world.advance_to(t);
            self.flush();
        }
        let who = s
            .tenant
            .map(|t| self.world.name(t).to_string())
            .unwrap_or_default();
        self.note_kind(
            "step",
            format!(
                "-- step {} (line {}): {}{}",
                s.number,
                s.line,
                s.verb,
                if who.is_empty() {
                    String::new()
                } else {
                    format!(" by {who}")
                }
            ),
        );
        match &s.kind {
            StepKind::AddUser(spec) => {
                let user = spec.build(&mut self.world.strings);
                self.act(s, &who, Action::AddUser(Box::new(user)));
            }
            StepKind::UpdateUser {
                user,
                attrs,
                user_type,
            } => {
                let attrs = attrs
                    .iter()
                    .map(|(a, v)| (*a, self.world.strings.intern(v)))
                    .collect();
                self.act(
                    s,
                    &who,
                    Action::UpdateUser {
                        user: user.clone(),
                        attrs,
                        user_type: *user_type,
                    },
                );
            }
            StepKind::Action(action) => self.act(s, &who, action.clone()),
            StepKind::Wait(d) => {
                let t = self.world.now + *d;
                self.world.advance_to(t);
                self.flush();
                self.note(format!("waited {d}"));
            }
            StepKind::Settle(max) => {
                let from = self.world.now;
                let res = self.world.settle(*max);
                self.flush();
                match res {
                    Ok(t) => self.note(format!(
                        "settled after {} (nothing pending, every running sync job idle)",
                        t - from
                    )),
                    Err(_) => {
                        let pending = self.world.pending_summary().join("; ");
                        self.fail(format!(
                            "step {} (settle): still not settled after {max}; pending: {pending}",
                            s.number
                        ))
                    }
                }
            }
            StepKind::Expect(checks) => {
                let viewer = s.tenant.expect("expect steps name a tenant");
                for c in checks {
                    match self.check(viewer, c) {
                        Ok(text) => {
                            self.checks_passed += 1;
                            self.note_kind("checkOk", format!("check ok: {who}: {text}"));
                        }
                        Err(text) => self.fail(format!("step {} (expect) {who}: {text}", s.number)),
                    }
                }
            }
        }
    }

    fn act(&mut self, s: &Step, who: &str, action: Action) {
        let actor = s.tenant.expect("action steps name a tenant");
        match (self.world.apply(actor, action), &s.expect_error) {
            (Ok(op), expect) => {
                self.flush();
                match op {
                    Some(op) if self.world.op(op).kind == OpKind::Join || expect.is_some() => {
                        self.tracked.push(Tracked {
                            op,
                            step: s.number,
                            verb: s.verb.clone(),
                            expect: expect.clone(),
                        });
                        self.flush();
                    }
                    _ if expect.is_some() => self.fail(format!(
                        "step {} ({} by {who}): expected a refusal{}, but it was accepted",
                        s.number,
                        s.verb,
                        expect_text(expect.as_ref().expect("checked"))
                    )),
                    _ => {}
                }
            }
            (Err(refusal), Some(e)) if matches(e, &refusal) => {
                self.flush();
                self.note_kind(
                    "expected",
                    format!(
                        "expected: step {} ({}) was refused for {}",
                        s.number, s.verb, refusal.rule
                    ),
                );
            }
            (Err(refusal), Some(e)) => {
                self.flush();
                self.fail(format!(
                    "step {} ({} by {who}): expected refusal{}, but it was refused for {}",
                    s.number,
                    s.verb,
                    expect_text(e),
                    refusal.rule
                ));
            }
            (Err(refusal), None) => {
                self.flush();
                self.fail(format!(
                    "step {} ({} by {who}) was refused for {} and has no expect_error",
                    s.number, s.verb, refusal.rule
                ));
            }
        }
    }

    fn check(&self, viewer: TenantIdx, c: &Check) -> Result<String, String> {
        let w = &self.world;
        let n = |t: TenantIdx| w.name(t).to_string();
        let eq = |what: String, want: String, got: String| {
            if want == got {
                Ok(format!("{what} = {got}"))
            } else {
                Err(format!("{what}: expected {want}, actual {got}"))
            }
        };
        match c {
            Check::Mto(active) => {
                let got = if w.mto_view(viewer).mto.is_some() {
                    "active"
                } else {
                    "inactive"
                };
                eq(
                    "MTO state".into(),
                    (if *active { "active" } else { "inactive" }).into(),
                    got.into(),
                )
            }
            Check::MtoTenants(k) => eq(
                "active tenants in the MTO".into(),
                k.to_string(),
                w.mto_view(viewer).active_tenants.to_string(),
            ),
            Check::Member { tenant, role, state } => {
                let entry = w.listed_mto(viewer).and_then(|m| w.mtos[m.ix()].entry(*tenant));
                let what = format!("member {}", n(*tenant));
                let got_state = entry.map_or("absent", |e| e.state.as_str());
                if let Some(st) = state {
                    let want = match st {
                        StateCheck::Pending => MemberState::Pending.as_str(),
                        StateCheck::Active => MemberState::Active.as_str(),
                        StateCheck::Removed => MemberState::Removed.as_str(),
                        StateCheck::Absent => "absent",
                    };
                    eq(format!("{what} state"), want.into(), got_state.into())?;
                }
                if let Some(role) = role {
                    let got = entry.map_or("absent", |e| e.role.as_str());
                    eq(format!("{what} role"), role.as_str().into(), got.into())?;
                }
                Ok(format!(
                    "{what} is {}{}",
                    got_state,
                    entry.map_or(String::new(), |e| format!(", role {}", e.role.as_str()))
                ))
            }
            Check::SyncedFrom { tenant, count } => eq(
                format!("accounts synced from {}", n(*tenant)),
                count.to_string(),
                w.synced_from(viewer, *tenant).to_string(),
            ),
            Check::User {
                upn,
                user_type,
                account_enabled,
                attrs,
            } => {
                let found = find_user(w, viewer, upn);
                let Some((ut, enabled)) = found else {
                    return Err(format!(
                        "user {upn}: expected to exist, but there is no active account with that UPN"
                    ));
                };
                if let Some(t) = user_type {
                    eq(format!("{upn} userType"), t.as_str().into(), ut.as_str().into())?;
                }
                if let Some(e) = account_enabled {
                    eq(
                        format!("{upn} accountEnabled"),
                        e.to_string(),
                        enabled.to_string(),
                    )?;
                }
                for (a, want) in attrs {
                    let got = visible_attr(w, viewer, upn, *a);
                    eq(
                        format!("{upn} {}", a.graph_name()),
                        format!("{want:?}"),
                        format!("{got:?}"),
                    )?;
                }
                Ok(format!("{upn} exists, userType {ut}, accountEnabled {enabled}"))
            }
            Check::NoUser(upn) => match find_user(w, viewer, upn) {
                None => Ok(format!("no active account {upn}")),
                Some(_) => Err(format!(
                    "no_user {upn}: expected no active account, but one exists"
                )),
            },
            Check::Sync { name, status } => {
                let Some(c) = w.config_by_name(viewer, name) else {
                    return Err(format!("sync {name}: no such configuration in {}", n(viewer)));
                };
                let got = w.configs[c.ix()].job.status.as_str();
                match status {
                    Some(s) => eq(format!("sync {name} status"), s.clone(), got.into()),
                    None => Ok(format!("sync {name} exists, status {got}")),
                }
            }
            Check::JoinRequest {
                status,
                member_state,
                role,
                added_by,
            } => {
                let j = &w.tenant(viewer).join;
                let got_status = j.transition.as_ref().map_or("none", |(s, _)| s.as_str());
                let got_state = j.member_state.map_or("none", |s| s.as_str());
                let got_role = j.role.map_or("none", |r| r.as_str());
                if let Some(s) = status {
                    eq("join request status".into(), s.clone(), got_status.into())?;
                }
                if let Some(s) = member_state {
                    eq("join request memberState".into(), s.clone(), got_state.into())?;
                }
                if let Some(r) = role {
                    eq("join request role".into(), r.clone(), got_role.into())?;
                }
                if let Some(a) = added_by {
                    let name = |t: Option<TenantIdx>| t.map_or("none".to_string(), &n);
                    eq("join request addedBy".into(), name(*a), name(j.added_by))?;
                }
                Ok(format!(
                    "join request: status {got_status}, memberState {got_state}, role {got_role}"
                ))
            }
            Check::Partner {
                tenant,
                auto_redeem_inbound,
                auto_redeem_outbound,
                sync_inbound,
                in_mto,
            } => {
                let Some(p) = w.tenant(viewer).partners.get(tenant) else {
                    return Err(format!(
                        "partner {}: {} has no partner configuration for it",
                        n(*tenant),
                        n(viewer)
                    ));
                };
                let what = format!("partner {}", n(*tenant));
                let mut shown = Vec::new();
                for (k, want, got) in [
                    (
                        "auto_redeem_inbound",
                        auto_redeem_inbound,
                        p.eff_auto_redeem_inbound(),
                    ),
                    (
                        "auto_redeem_outbound",
                        auto_redeem_outbound,
                        p.eff_auto_redeem_outbound(),
                    ),
                    ("sync_inbound", sync_inbound, p.eff_sync_inbound()),
                    ("in_mto", in_mto, p.in_mto),
                ] {
                    if let Some(want) = want {
                        eq(format!("{what} {k}"), want.to_string(), got.to_string())?;
                        shown.push(format!("{k} {got}"));
                    }
                }
                Ok(format!(
                    "{what}: {}",
                    if shown.is_empty() {
                        "exists".into()
                    } else {
                        shown.join(", ")
                    }
                ))
            }
        }
    }
}

/// An active account with this UPN in `t`: (userType, accountEnabled).
fn find_user(w: &World, t: TenantIdx, upn: &str) -> Option<(mtosim_engine::directory::UserType, bool)> {
    if let Some(ai) = w.external_by_upn(t, upn) {
        let a = &w.tenant(t).dir.externals[ai as usize];
        return (!a.is_soft_deleted()).then_some((a.user_type, a.is_enabled()));
    }
    let dir = &w.tenant(t).dir;
    let u = &dir.users[dir.user_by_upn(upn)?.ix()];
    u.deleted_at.is_none().then_some((u.user_type, u.account_enabled))
}

/// The value of `a` on the account `upn` of tenant `t` as Graph would show it: a synchronized
/// account's target-side edit (CTS-48), else its source user's value; `""` for null.
fn visible_attr(w: &World, t: TenantIdx, upn: &str, a: mtosim_engine::directory::Attr) -> String {
    let dir = &w.tenant(t).dir;
    if let Some(ai) = w.external_by_upn(t, upn) {
        if let Some(edited) = dir
            .attr_override
            .get(&ai)
            .and_then(|v| v.iter().find(|(x, _)| *x == a))
            .map(|(_, s)| *s)
        {
            return w.strings.resolve(edited).to_string();
        }
        let acc = &dir.externals[ai as usize];
        return w.tenant(acc.source_tenant).dir.users[acc.source_user.ix()]
            .text(a, &w.strings)
            .to_string();
    }
    match dir.user_by_upn(upn) {
        Some(u) => dir.users[u.ix()].text(a, &w.strings).to_string(),
        None => String::new(),
    }
}
