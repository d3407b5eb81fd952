//! Plays a loaded scenario on the engine: moves the clock to each step, applies actions,
//! follows asynchronous outcomes against `expect_error`, evaluates checks, and reports every
//! entry of the trace to an [`Observer`] as it happens. The exit code follows the contract: 0
//! all held, 1 a check or expectation failed.

use crate::checks;
use crate::model::{ExpectError, Scenario, Step, StepKind};
use crate::trace::{Collect, Discard, Entry, Failure, Observer, Timed};
use mtosim_engine::world::OpKind;
use mtosim_engine::{Action, OpId, Refusal, World};

/// What one run produced.
pub struct Run {
    /// The world after the last step.
    pub world: World,
    /// Failed checks and unmet expectations, in order.
    pub failures: Vec<Failure>,
    /// Checks that held.
    pub checks_passed: usize,
    /// The per-run cap the world reached, and the step (its number and line) during which:
    /// the run stopped there, and it is an error (exit 2), never a silent "ok".
    pub limit: Option<(usize, usize, mtosim_engine::state::LimitHit)>,
}

impl Run {
    /// Whether every check and expectation held (and no cap stopped the run).
    pub fn ok(&self) -> bool {
        self.failures.is_empty() && self.limit.is_none()
    }
}

/// An asynchronous operation started by a step, followed until it completes.
struct Tracked {
    op: OpId,
    step: usize,
    verb: &'static str,
    expect: Option<ExpectError>,
}

/// Runs every step of `sc`, keeping nothing but the result.
pub fn run(sc: Scenario) -> Run {
    run_observed(sc, &mut Discard)
}

/// Runs every step of `sc` and collects its trace.
pub fn run_collect(sc: Scenario) -> (Run, Vec<Timed>) {
    let mut c = Collect::default();
    let run = run_observed(sc, &mut c);
    (run, c.entries)
}

/// Runs the first `upto` steps of `sc` (all of them if there are fewer).
pub fn run_steps(mut sc: Scenario, upto: usize) -> Run {
    sc.steps.truncate(upto);
    run(sc)
}

/// Runs every step of `sc`, reporting each entry to `obs` as it happens.
pub fn run_observed(sc: Scenario, obs: &mut dyn Observer) -> Run {
    let Scenario { world, steps, .. } = sc;
    let mut r = Runner {
        world,
        obs,
        failures: Vec::new(),
        checks_passed: 0,
        seen: 0,
        tracked: Vec::new(),
    };
    let total = steps.len();
    let mut limit = None;
    for (i, step) in steps.iter().enumerate() {
        r.step(step);
        r.obs.progress(i + 1, total);
        if let Some(hit) = r.world.limit() {
            limit = Some((step.number, step.line, hit.clone()));
            break;
        }
    }
    r.flush();
    for t in std::mem::take(&mut r.tracked) {
        if let Some(expected) = t.expect {
            r.fail(Failure::Unfinished {
                step: t.step,
                verb: t.verb,
                expected,
            });
        }
    }
    Run {
        world: r.world,
        failures: r.failures,
        checks_passed: r.checks_passed,
        limit,
    }
}

struct Runner<'o> {
    world: World,
    obs: &'o mut dyn Observer,
    failures: Vec<Failure>,
    checks_passed: usize,
    seen: usize,
    tracked: Vec<Tracked>,
}

fn matches(e: &ExpectError, refusal: &Refusal) -> bool {
    match e {
        ExpectError::Any => true,
        ExpectError::Rule(r) => refusal.cites(r),
    }
}

impl Runner<'_> {
    fn emit(&mut self, entry: Entry) {
        let t = Timed {
            at: self.world.now(),
            entry,
        };
        self.obs.entry(&self.world, &t);
    }

    fn fail(&mut self, f: Failure) {
        self.emit(Entry::Fail(f.clone()));
        self.failures.push(f);
    }

    /// Reports new engine events and resolves completed asynchronous operations.
    fn flush(&mut self) {
        let n = self.world.events().len();
        for i in self.seen..n {
            let t = Timed {
                at: self.world.events()[i].at,
                entry: Entry::Event(i),
            };
            self.obs.entry(&self.world, &t);
        }
        self.seen = n;
        let mut still = Vec::new();
        for t in std::mem::take(&mut self.tracked) {
            let outcome = self.world.op(t.op).outcome.clone();
            match (outcome, t.expect) {
                (None, expect) => still.push(Tracked { expect, ..t }),
                (Some(Ok(())), None) => {}
                (Some(Ok(())), Some(expected)) => self.fail(Failure::SucceededLater {
                    step: t.step,
                    verb: t.verb,
                    expected,
                }),
                (Some(Err(f)), Some(e)) if matches(&e, &f) => self.emit(Entry::Expected {
                    step: t.step,
                    verb: t.verb,
                    rule: f.rule,
                    at_once: false,
                }),
                (Some(Err(refusal)), expected) => self.fail(Failure::FailedLater {
                    step: t.step,
                    verb: t.verb,
                    refusal,
                    expected,
                }),
            }
        }
        self.tracked = still;
    }

    fn step(&mut self, s: &Step) {
        if let Some(at) = &s.at {
            let t = at.resolve(self.world.now());
            if t < self.world.now() {
                let now = self.world.now();
                self.fail(Failure::StepInPast {
                    step: s.number,
                    verb: s.verb,
                    at: t,
                    now,
                });
                return;
            }
            self.world.advance_to(t);
            self.flush();
        }
        let who = s.tenant.map(|t| self.world.name(t).to_string());
        self.emit(Entry::Step {
            number: s.number,
            line: s.line,
            verb: s.verb,
            tenant: who.clone(),
        });
        let who = who.unwrap_or_default();
        match &s.kind {
            StepKind::Action(action) => self.act(s, &who, action.clone()),
            StepKind::Wait(d) => {
                let t = self.world.now() + *d;
                self.world.advance_to(t);
                self.flush();
                if self.world.limit().is_none() {
                    self.emit(Entry::Waited(*d));
                }
            }
            StepKind::Settle(max) => {
                let from = self.world.now();
                let res = self.world.settle(*max);
                self.flush();
                match res {
                    Ok(t) => {
                        let held_back = crate::words::held_back(&self.world);
                        self.emit(Entry::Settled {
                            after: t - from,
                            held_back,
                        })
                    }
                    // a per-run cap stopped the world: the run reports it, not a settle failure
                    Err(_) if self.world.limit().is_some() => {}
                    Err(_) => {
                        let pending = self
                            .world
                            .pending()
                            .iter()
                            .map(|p| crate::words::waiting(&self.world, p))
                            .collect();
                        self.fail(Failure::NotSettled {
                            step: s.number,
                            max: *max,
                            pending,
                        })
                    }
                }
            }
            StepKind::Expect(checks) => {
                let viewer = s.tenant.expect("expect steps name a tenant");
                for c in checks {
                    match checks::evaluate(&self.world, viewer, c) {
                        Ok(fact) => {
                            self.checks_passed += 1;
                            self.emit(Entry::CheckOk {
                                tenant: who.clone(),
                                fact,
                            });
                        }
                        Err(failure) => self.fail(Failure::Check {
                            step: s.number,
                            tenant: who.clone(),
                            failure,
                        }),
                    }
                }
            }
        }
    }

    fn act(&mut self, s: &Step, who: &str, action: Action) {
        let actor = s.tenant.expect("action steps name a tenant");
        let res = self.world.apply_as(actor, s.admin, action);
        self.flush();
        match (res, &s.expect_error) {
            (Ok(Some(op)), expect) if self.world.op(op).kind == OpKind::Join || expect.is_some() => {
                self.tracked.push(Tracked {
                    op,
                    step: s.number,
                    verb: s.verb,
                    expect: expect.clone(),
                });
                self.flush();
            }
            (Ok(_), Some(expected)) => self.fail(Failure::Accepted {
                step: s.number,
                verb: s.verb,
                tenant: who.to_string(),
                expected: expected.clone(),
            }),
            (Ok(_), None) => {}
            (Err(refusal), Some(e)) if matches(e, &refusal) => self.emit(Entry::Expected {
                step: s.number,
                verb: s.verb,
                rule: refusal.rule,
                at_once: true,
            }),
            (Err(refusal), expected) => self.fail(Failure::Refused {
                step: s.number,
                verb: s.verb,
                tenant: who.to_string(),
                rule: refusal.rule,
                expected: expected.clone(),
            }),
        }
    }
}
