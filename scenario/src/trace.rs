//! What a run produced, as data: the runner emits one [`Timed`] entry per engine event, step
//! header, time move, check result, expected refusal and failure, in order. Renderers (text,
//! JSON lines, HTML) turn entries into their own output; nothing here is laid out for a
//! terminal. The sentences of the scenario contract's own results (checks, failures) are their
//! `Display`, in the contract's words (step numbers and verbs).

use crate::checks::{CheckFailure, Fact};
use crate::model::ExpectError;
use mtosim_engine::{Duration, Refusal, RuleId, SimTime};
use std::fmt;

/// One entry of a run's trace, with the simulated time at which it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timed {
    /// When.
    pub at: SimTime,
    /// What.
    pub entry: Entry,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// The engine event at this index of `World::events()`.
    Event(usize),
    /// A step begins.
    Step {
        /// 1-based position in the file.
        number: usize,
        /// Line of its `do` key.
        line: usize,
        /// Its verb.
        verb: &'static str,
        /// The acting (or viewing) tenant's name, if the step names one.
        tenant: Option<String>,
    },
    /// A `wait` step moved the clock.
    Waited(Duration),
    /// A `settle` step settled after this long.
    Settled {
        /// How long it took.
        after: Duration,
        /// What still holds objects back (see [`crate::words::held_back`]).
        held_back: Vec<String>,
    },
    /// A check held.
    CheckOk {
        /// The viewing tenant's name.
        tenant: String,
        /// What was seen.
        fact: Fact,
    },
    /// A refusal or later failure that `expect_error` asked for.
    Expected {
        /// The step.
        step: usize,
        /// Its verb.
        verb: &'static str,
        /// The rule that decided it.
        rule: RuleId,
        /// Refused at once (`true`) or failed later, asynchronously (`false`).
        at_once: bool,
    },
    /// A check or expectation failed.
    Fail(Failure),
}

impl Entry {
    /// A stable, machine-readable name of the entry's kind (JSON lines use it for runner
    /// entries; engine events have their own).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Entry::Event(_) => "event",
            Entry::Step { .. } => "step",
            Entry::Waited(_) | Entry::Settled { .. } => "note",
            Entry::CheckOk { .. } => "checkOk",
            Entry::Expected { .. } => "expected",
            Entry::Fail(_) => "fail",
        }
    }
}

/// The text of a runner entry (every entry but [`Entry::Event`], which renderers narrate from
/// the engine's event).
impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Event(i) => write!(f, "engine event {i}"),
            Entry::Step {
                number,
                line,
                verb,
                tenant,
            } => {
                write!(f, "-- step {number} (line {line}): {verb}")?;
                match tenant {
                    Some(t) => write!(f, " by {t}"),
                    None => Ok(()),
                }
            }
            Entry::Waited(d) => write!(f, "waited {d}"),
            Entry::Settled { after, held_back } if held_back.is_empty() => write!(
                f,
                "settled after {after} (nothing pending, every running sync job idle)"
            ),
            Entry::Settled { after, held_back } => write!(
                f,
                "settled after {after} (no join or removal pending, no sync job with work it can do now), still held back: {}",
                held_back.join("; ")
            ),
            Entry::CheckOk { tenant, fact } => write!(f, "check ok: {tenant}: {fact}"),
            Entry::Expected {
                step,
                verb,
                rule,
                at_once: true,
            } => write!(f, "expected: step {step} ({verb}) was refused for {rule}"),
            Entry::Expected { step, verb, rule, .. } => {
                write!(f, "expected: step {step} ({verb}) failed for {rule}")
            }
            Entry::Fail(x) => write!(f, "FAIL: {x}"),
        }
    }
}

/// A failed check or expectation: what makes a run exit 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// A step's absolute `at` lies before the current simulated time.
    StepInPast {
        /// The step.
        step: usize,
        /// Its verb.
        verb: &'static str,
        /// Its time.
        at: SimTime,
        /// The current time.
        now: SimTime,
    },
    /// A `settle` step gave up at its `max`.
    NotSettled {
        /// The step.
        step: usize,
        /// Its `max`.
        max: Duration,
        /// What was still pending, one phrase each.
        pending: Vec<String>,
    },
    /// A check of an `expect` step failed.
    Check {
        /// The step.
        step: usize,
        /// The viewing tenant's name.
        tenant: String,
        /// How it failed.
        failure: CheckFailure,
    },
    /// A step was refused, and `expect_error` did not ask for it (or asked for another rule).
    Refused {
        /// The step.
        step: usize,
        /// Its verb.
        verb: &'static str,
        /// The acting tenant's name.
        tenant: String,
        /// The rule that refused it.
        rule: RuleId,
        /// What `expect_error` asked for, if anything.
        expected: Option<ExpectError>,
    },
    /// A step with `expect_error` was accepted and started nothing that could fail later.
    Accepted {
        /// The step.
        step: usize,
        /// Its verb.
        verb: &'static str,
        /// The acting tenant's name.
        tenant: String,
        /// What `expect_error` asked for.
        expected: ExpectError,
    },
    /// An asynchronous operation a step started failed later.
    FailedLater {
        /// The step.
        step: usize,
        /// Its verb.
        verb: &'static str,
        /// Why it failed.
        refusal: Refusal,
        /// What `expect_error` asked for, if anything.
        expected: Option<ExpectError>,
    },
    /// An asynchronous operation that `expect_error` expected to fail succeeded.
    SucceededLater {
        /// The step.
        step: usize,
        /// Its verb.
        verb: &'static str,
        /// What `expect_error` asked for.
        expected: ExpectError,
    },
    /// An asynchronous operation that `expect_error` expected to fail had not completed when
    /// the scenario ended.
    Unfinished {
        /// The step.
        step: usize,
        /// Its verb.
        verb: &'static str,
        /// What `expect_error` asked for.
        expected: ExpectError,
    },
}

/// ` with MTO-37`, or nothing for `expect_error = true`.
struct With<'a>(&'a ExpectError);

impl fmt::Display for With<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ExpectError::Any => Ok(()),
            ExpectError::Rule(r) => write!(f, " with {r}"),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::StepInPast { step, verb, at, now } => write!(
                f,
                "step {step} ({verb}) is set at {at}, which is before the current simulated time {now}; steps run in order and time never goes back"
            ),
            Failure::NotSettled { step, max, pending } => write!(
                f,
                "step {step} (settle): still not settled after {max}; pending: {}",
                pending.join("; ")
            ),
            Failure::Check {
                step,
                tenant,
                failure,
            } => write!(f, "step {step} (expect) {tenant}: {failure}"),
            Failure::Refused {
                step,
                verb,
                tenant,
                rule,
                expected: None,
            } => write!(
                f,
                "step {step} ({verb} by {tenant}) was refused for {rule} and has no expect_error"
            ),
            Failure::Refused {
                step,
                verb,
                tenant,
                rule,
                expected: Some(e),
            } => write!(
                f,
                "step {step} ({verb} by {tenant}): expected refusal{}, but it was refused for {rule}",
                With(e)
            ),
            Failure::Accepted {
                step,
                verb,
                tenant,
                expected,
            } => write!(
                f,
                "step {step} ({verb} by {tenant}): expected a refusal{}, but it was accepted",
                With(expected)
            ),
            Failure::FailedLater {
                step,
                verb,
                refusal,
                expected: None,
            } => write!(
                f,
                "step {step} ({verb}) failed without expect_error: {}",
                crate::words::Refusal(refusal)
            ),
            Failure::FailedLater {
                step,
                verb,
                refusal,
                expected: Some(e),
            } => write!(
                f,
                "step {step} ({verb}): expected failure{}, but it failed for {}: {}",
                With(e),
                refusal.rule,
                crate::words::Message(refusal)
            ),
            Failure::SucceededLater {
                step,
                verb,
                expected,
            } => write!(
                f,
                "step {step} ({verb}): expected it to fail{}, but it succeeded",
                With(expected)
            ),
            Failure::Unfinished {
                step,
                verb,
                expected,
            } => write!(
                f,
                "step {step} ({verb}): expected it to fail{}, but it had not completed when the scenario ended; add a settle step",
                With(expected)
            ),
        }
    }
}

/// What the runner reports as it goes: every entry, and progress after each step. Renderers
/// implement it to stream output instead of collecting the whole trace.
pub trait Observer {
    /// One entry, with the world as it is right after it.
    fn entry(&mut self, world: &mtosim_engine::World, entry: &Timed);
    /// `done` of `total` steps have run.
    fn progress(&mut self, _done: usize, _total: usize) {}
}

/// An observer that keeps every entry.
#[derive(Clone, Debug, Default)]
pub struct Collect {
    /// The entries, in order.
    pub entries: Vec<Timed>,
}

impl Observer for Collect {
    fn entry(&mut self, _world: &mtosim_engine::World, entry: &Timed) {
        self.entries.push(entry.clone());
    }
}

/// An observer that keeps nothing (the run's failures and counts are in its result).
pub struct Discard;

impl Observer for Discard {
    fn entry(&mut self, _world: &mtosim_engine::World, _entry: &Timed) {}
}

/// An observer that passes every entry and progress report to two others, in order (the
/// narration on standard output and an HTML report written as the run goes).
pub struct Tee<'a, 'b>(pub &'a mut dyn Observer, pub &'b mut dyn Observer);

impl Observer for Tee<'_, '_> {
    fn entry(&mut self, world: &mtosim_engine::World, entry: &Timed) {
        self.0.entry(world, entry);
        self.1.entry(world, entry);
    }
    fn progress(&mut self, done: usize, total: usize) {
        self.0.progress(done, total);
        self.1.progress(done, total);
    }
}
