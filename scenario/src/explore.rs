//! `mtosim explore`: a breadth-first search over every order of a scenario's action steps, for
//! small models, looking for a broken model invariant or a failing check.
//!
//! **Moves.** The scenario's *action steps* (steps in which a tenant does something: every
//! verb except `wait`, `settle` and `expect`) are the moves. From a state, a successor applies
//! one action step that has not been applied yet (each at most once, in any order; its
//! `at = "+offset"` advances the clock first, as in `mtosim run`), or lets every pending
//! asynchronous operation complete (`settle`), or advances the clock to the next due event
//! and processes it (`next`, a `wait` step in a counterexample); both are offered only while
//! something is pending. These moves make completion orders explorable: a join may complete
//! before or after another tenant's removal, and a step may fall between two completions. A refused action is a
//! legitimate outcome, not an error: the step is consumed and the world is unchanged but for its
//! log. `expect_error` keys are ignored while exploring, since a refusal depends on the order.
//! Orders the scenario loader would refuse are not explored: a step naming a user or a sync
//! configuration that an `add-user` or `create-sync` step creates comes after that step.
//!
//! **States.** A state is the world after a sequence of moves plus the set of action steps still
//! to apply. Two states are the same when their *fingerprints* match: a 64-bit FNV hash
//! ([`mtosim_engine::hash::Fnv64`]) of a canonical rendering of the remaining steps and of
//! everything the model decides with: every tenant's MTO view, pointer, join record, templates
//! and partner configurations; every MTO's members with roles, states and transitions; every
//! sync configuration with its job status; pending operations; the synced-in accounts; and every
//! user or group changed since the start. Simulated time is *not* part of it (the same states
//! reached at different instants merge), and neither is the event log. A hash collision would
//! merge two states; at [`EXPLORE_STATES_MAX`] states its odds are below one in a billion.
//!
//! **Search.** Breadth-first from the loaded world, successors in file order with the settle
//! move last, so the search is deterministic and the first violation found is on a shortest
//! path (fewest moves). After every transition `World::check_invariants` must hold. When every
//! action step has been applied (a *complete* order), the scenario's *epilogue* — the `wait`,
//! `settle` and `expect` steps after its last action step — runs on a copy of the state through
//! [`runner::run`], and every check it makes must hold. Non-action steps before the last action
//! step belong to the file's own order and are not explored (the settle move stands in for
//! them).
//!
//! **Caps.** At most [`EXPLORE_TENANTS_MAX`] tenants and [`EXPLORE_USERS_MAX`] users (exit 2
//! beyond), at most
//! [`EXPLORE_ACTION_STEPS_MAX`] action steps, a depth (action steps applied along a path) of at
//! most [`EXPLORE_DEPTH_MAX`], and at most [`EXPLORE_STATES_MAX`] distinct states (`--max-states`
//! lowers it, and so does the memory budget [`EXPLORE_MEMORY_BYTES_MAX`], since every queued
//! state holds a copy of the world), and at most [`EXPLORE_WORK_MAX`] units of work for the
//! whole search: engine events, source objects evaluated by sync cycles and dynamic rule
//! evaluations, plus one per move and per step run, counted across every state and every
//! complete order's epilogue (which runs once per distinct complete state, on its own copy).
//! A search stopped by the state cap or the work budget says it is not exhaustive, and that
//! it proved nothing when it stopped before checking any complete order.
//!
//! **Per-run caps.** A world that reaches one of the engine's per-run caps
//! ([`mtosim_engine::limits`]: `EVENTS_PER_RUN_MAX`, `SIM_TIME_MAX`, ...) on some path has
//! stopped, as `mtosim run` stops: that is neither a violation nor a pass. The search stops at
//! the first (shortest) such path and reports the cap, the step during which it was reached
//! and the path ([`Report::limit`]); `mtosim explore` exits 2, as `mtosim run` does.
//!
//! **Counterexample.** The shortest violating path is printed (or written with `--out`,
//! atomically) as a runnable scenario: the input's text outside its steps (scenario header,
//! tenants), then the moves in order: each action step rebuilt from its own source text (key by
//! key, in file order), with `expect_error` set to the rule that refused or failed it on this path
//! so that `mtosim run` reports only the violation, and a `settle` step for each settle move; then
//! the epilogue when the violation is a failing check.

use crate::diag::Diagnostic;
use crate::load;
use crate::model::{Scenario, Step, StepKind};
use crate::runner;
use mtosim_engine::explore as engine;
use mtosim_engine::state::LimitHit;
use mtosim_engine::world::Name;
use mtosim_engine::{Duration, OpId, World};
use std::fmt::Write as _;
use std::path::Path;
use toml::de::{DeTable, DeValue};

/// Tenants in a scenario `explore` accepts, at most: the search is for small models.
pub const EXPLORE_TENANTS_MAX: usize = 4;
/// Memory the queued worlds of one search may take, estimated with [`world_bytes_estimate`]:
/// the state cap is lowered to fit (a larger world allows fewer states).
pub const EXPLORE_MEMORY_BYTES_MAX: usize = 2 << 30;

/// A generous estimate of one world copy's size: directories, and the accounts every user
/// could have in every other tenant.
pub fn world_bytes_estimate(w: &World) -> usize {
    let users: usize = w.tenants().iter().map(|t| t.dir.users().len()).sum();
    let accounts: usize = w.tenants().iter().map(|t| t.dir.externals().len()).sum();
    let others = w.tenants().len().saturating_sub(1);
    8 * 1024 + users * (220 + 40 * others) + accounts * 40
}

/// Users in all tenants together, at most: every queued state holds a copy of the world.
pub const EXPLORE_USERS_MAX: usize = 2_000;
/// Distinct states one search visits, at most (`--max-states` may lower it).
pub const EXPLORE_STATES_MAX: usize = 100_000;
/// Action steps applied along one path, at most (`--depth` may lower it).
pub const EXPLORE_DEPTH_MAX: usize = 12;
/// Action steps in a scenario `explore` accepts, at most (the remaining set is a 64-bit mask).
pub const EXPLORE_ACTION_STEPS_MAX: usize = 64;
/// Work one search does, at most: units of engine work ([`engine::work_of`]: queued events,
/// source objects evaluated by sync cycles, dynamic rule evaluations) plus one per move and per
/// step run, across every state and every complete order's epilogue. A unit takes about 0.1 to
/// 0.2 µs in a release build (an epilogue `wait` step 0.15 µs, a sync cycle's source object
/// 0.1 µs, a simple rule evaluation 0.01 µs), so the budget is one or two seconds of the
/// search's own work; the scenarios in `scenarios/` use at most 1.3 million units.
pub const EXPLORE_WORK_MAX: u64 = 10_000_000;

/// Search options; `None` takes the default.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Action steps applied along a path, at most (default: all of them, capped).
    pub depth: Option<usize>,
    /// Distinct states, at most (default and cap [`EXPLORE_STATES_MAX`]).
    pub max_states: Option<usize>,
    /// Work for the whole search, at most (default and cap [`EXPLORE_WORK_MAX`]).
    pub max_work: Option<u64>,
    /// Where the counterexample will be saved (`--out`): its CSV imports are named relative
    /// to that file's directory. Without it, relative to the explored file's, as if saved
    /// beside it.
    pub out: Option<std::path::PathBuf>,
}

/// Why a search did not start.
#[derive(Debug)]
pub enum Error {
    /// The file could not be loaded.
    Load(Vec<Diagnostic>),
    /// The file loaded but cannot be explored, or an option is out of range.
    Usage(String),
}

/// One move of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Apply the action step at this index of the scenario's steps.
    Step(usize),
    /// Let every pending asynchronous operation complete.
    Settle,
    /// Advance the clock to the next due event (a join or removal completing, a sync cycle
    /// starting or ending) and process it: completions may then interleave with later steps.
    Next,
}

/// What went wrong on a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// `World::check_invariants` failed after the last move.
    Invariant(String),
    /// At the end of a complete order, the epilogue's checks failed (one sentence each).
    Checks(Vec<String>),
}

/// The shortest path to a violation.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// What failed.
    pub violation: Violation,
    /// The moves, in order.
    pub path: Vec<Move>,
    /// One line per move: what it did on this path.
    pub narration: Vec<String>,
    /// A runnable scenario file replaying the path.
    pub toml: String,
}

/// One of the engine's per-run caps, reached on one path: the world stopped there, and so did
/// the search.
#[derive(Clone, Debug)]
pub struct LimitReached {
    /// The cap, as the engine reports it (its `Display` is `mtosim run`'s message).
    pub hit: LimitHit,
    /// The scenario step during which it was reached, as (number, line): an action step, or
    /// one of the steps after the last action step; `None` for a settle or next move.
    pub step: Option<(usize, usize)>,
    /// Where, in words (`step 3 (wait, line 20), after the last action step`).
    pub place: String,
    /// The path that reached it, ending with the move during which (or after which, for a
    /// step after the last action step) it was reached.
    pub path: Vec<Move>,
    /// One line per move, then one for the steps after the last action step if they reached it.
    pub narration: Vec<String>,
    /// The path in short (`step 1 (add-user), settle, step 2 (add-user)`).
    pub summary: String,
}

impl LimitReached {
    /// The error `mtosim explore` ends with, in `mtosim run`'s form (`FILE:LINE: step N: ...`),
    /// then the path.
    pub fn message(&self, file: &str) -> String {
        let at = match self.step {
            Some((n, line)) => format!("{file}:{line}: step {n}"),
            None => format!("{file}: {}", self.place),
        };
        format!(
            "{at}: {}; explore stopped at the first order reaching it ({}), so nothing is proved",
            self.hit, self.summary
        )
    }
}

/// The outcome of a search.
#[derive(Clone, Debug)]
pub struct Report {
    /// The file as named on the command line.
    pub file: String,
    /// `[scenario] name`.
    pub name: String,
    /// The rule set's name.
    pub rules: &'static str,
    /// Tenants in the scenario.
    pub tenants: usize,
    /// The action steps, one label each (`step 3 (join by fabrikam, line 38)`).
    pub actions: Vec<String>,
    /// The epilogue: steps run at the end of every complete order.
    pub epilogue: Vec<String>,
    /// Non-action steps before the last action step, which are not explored.
    pub skipped: Vec<String>,
    /// The depth searched (action steps per path).
    pub depth: usize,
    /// The state cap in force.
    pub max_states: usize,
    /// Distinct states found.
    pub states: usize,
    /// Transitions taken (moves tried, including those reaching a known state).
    pub transitions: usize,
    /// The longest path to a distinct state, in moves.
    pub max_moves: usize,
    /// The most action steps applied along a path.
    pub max_depth: usize,
    /// Distinct complete states whose epilogue was run.
    pub complete: usize,
    /// Whether a cap (the state cap or the work budget) stopped the search.
    pub truncated: bool,
    /// Whether it was the work budget ([`Report::max_work`]).
    pub work_capped: bool,
    /// Whether the memory budget lowered the state cap ([`EXPLORE_MEMORY_BYTES_MAX`]).
    pub memory_bound: bool,
    /// The work budget in force ([`EXPLORE_WORK_MAX`] unless lowered).
    pub max_work: u64,
    /// Work done: engine work plus one per move and per step run, over every state and every
    /// epilogue.
    pub work: u64,
    /// The shortest violation found, if any.
    pub violation: Option<Counterexample>,
    /// The per-run cap of the engine that stopped the world on some path, if any: the search
    /// stopped there (`mtosim explore` exits 2).
    pub limit: Option<LimitReached>,
}

impl Report {
    /// Whether the search stopped at its state cap or work budget before checking any
    /// complete order, with no violation found: it proved nothing (`mtosim explore` exits 3).
    pub fn proved_nothing(&self) -> bool {
        self.violation.is_none() && self.limit.is_none() && self.truncated && self.complete == 0
    }

    /// The cap that stopped the search, in words, when one did.
    fn cap_words(&self) -> String {
        if self.work_capped {
            format!("the work budget (EXPLORE_WORK_MAX, {} units)", self.max_work)
        } else {
            format!("the state cap ({})", self.max_states)
        }
    }

    /// The report as text; `toml` appends the counterexample file, if any.
    pub fn text(&self, toml: bool) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "mtosim {} explore | {} | rules {} | {} tenant{}",
            env!("CARGO_PKG_VERSION"),
            self.name,
            self.rules,
            self.tenants,
            plural(self.tenants)
        );
        let _ = writeln!(
            s,
            "action steps ({}), tried in every order, each at most once, with, between any two, \"let pending operations complete\" (settle) or \"wait for the next pending event\" (next):",
            self.actions.len()
        );
        for a in &self.actions {
            let _ = writeln!(s, "  {a}");
        }
        if self.epilogue.is_empty() {
            let _ = writeln!(
                s,
                "checked at the end of every complete order: nothing (no steps after the last action step)"
            );
        } else {
            let _ = writeln!(
                s,
                "checked at the end of every complete order (the steps after the last action step):"
            );
            for e in &self.epilogue {
                let _ = writeln!(s, "  {e}");
            }
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(
                s,
                "not explored (they belong to the file's own order): {}",
                self.skipped.join(", ")
            );
        }
        let _ = writeln!(
            s,
            "invariants checked after every transition; depth {} action step{}, state cap {}{}, work budget {}",
            self.depth,
            plural(self.depth),
            self.max_states,
            if self.memory_bound {
                " (lowered to fit the memory budget, EXPLORE_MEMORY_BYTES_MAX: fewer users allow more states)"
            } else {
                ""
            },
            self.max_work
        );
        let _ = writeln!(
            s,
            "explored: {} distinct state{}, {} transition{}, deepest path {} move{} ({} action step{}), {} complete order{} checked, {} unit{} of work",
            self.states,
            plural(self.states),
            self.transitions,
            plural(self.transitions),
            self.max_moves,
            plural(self.max_moves),
            self.max_depth,
            plural(self.max_depth),
            self.complete,
            plural(self.complete),
            self.work,
            plural(self.work as usize)
        );
        if let Some(l) = &self.limit {
            let _ = writeln!(
                s,
                "\nResult: stopped: on the path below the world reached the engine's per-run cap {} during {}; a stopped world is neither a violation nor a pass, so the search stopped and nothing is proved (mtosim run stops there too):\n  {}",
                l.hit.name, l.place, l.hit
            );
            let _ = writeln!(s, "Path:");
            for (i, n) in l.narration.iter().enumerate() {
                let _ = writeln!(s, "  {}. {n}", i + 1);
            }
            return s;
        }
        match &self.violation {
            None if self.proved_nothing() => {
                let advice = if self.work_capped {
                    "lower --depth, or shorten the steps after the last action step (they run at the end of every complete order)"
                } else {
                    "raise --max-states or lower --depth"
                };
                let _ = writeln!(
                    s,
                    "\nResult: inconclusive: {} stopped the search before any complete order was checked, so nothing is proved; {advice}.",
                    self.cap_words()
                );
            }
            None => {
                let scope = if self.truncated && self.work_capped {
                    format!(
                        "in the first {} states (the search stopped at the work budget, EXPLORE_WORK_MAX = {} units; it is not exhaustive)",
                        self.states, self.max_work
                    )
                } else if self.truncated {
                    format!(
                        "in the first {} states (the search stopped at the state cap; it is not exhaustive)",
                        self.states
                    )
                } else if self.depth < self.actions.len() {
                    format!(
                        "in any order of up to {} of the {} action steps (complete orders were not reached)",
                        self.depth,
                        self.actions.len()
                    )
                } else {
                    "in any order".to_string()
                };
                let _ = writeln!(s, "\nResult: no violation {scope}.");
            }
            Some(cx) => {
                let _ = writeln!(
                    s,
                    "\nResult: VIOLATION after {} move{}:",
                    cx.path.len(),
                    plural(cx.path.len())
                );
                match &cx.violation {
                    Violation::Invariant(m) => {
                        let _ = writeln!(s, "  - invariant broken: {m}");
                    }
                    Violation::Checks(fs) => {
                        for f in fs {
                            let _ = writeln!(s, "  - FAIL: {f}");
                        }
                    }
                }
                let _ = writeln!(s, "Shortest counterexample:");
                for (i, n) in cx.narration.iter().enumerate() {
                    let _ = writeln!(s, "  {}. {n}", i + 1);
                }
                if toml {
                    let _ = writeln!(s, "\nAs a scenario (save it and replay it with mtosim run):\n");
                    s.push_str(&cx.toml);
                }
            }
        }
        s
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Whether a step asks a tenant to do something (a move of the search).
pub fn is_action(s: &Step) -> bool {
    !matches!(
        s.kind,
        StepKind::Wait(_) | StepKind::Settle(_) | StepKind::Expect(_)
    )
}

/// Loads `file` and explores it.
pub fn explore_path(file: &str, opts: &Options) -> Result<Report, Error> {
    let text = load::read_source(file).map_err(Error::Load)?;
    let (sc, _) = load::load_text(file, &text, false).map_err(Error::Load)?;
    explore(file, &text, sc, opts)
}

/// Explores `sc`, loaded from `text` (named `file` in messages and the counterexample).
pub fn explore(file: &str, text: &str, sc: Scenario, opts: &Options) -> Result<Report, Error> {
    let tenants = sc.world.tenants().len();
    if tenants > EXPLORE_TENANTS_MAX {
        return Err(Error::Usage(format!(
            "{file} has {tenants} tenants; explore searches small models of at most {EXPLORE_TENANTS_MAX} tenants (EXPLORE_TENANTS_MAX): keep the tenants whose interplay you want to check"
        )));
    }
    // every queued state holds a copy of the world: keep the model small
    let users: usize = sc.world.tenants().iter().map(|t| t.dir.users().len()).sum();
    if users > EXPLORE_USERS_MAX {
        return Err(Error::Usage(format!(
            "{file} has {users} users; explore keeps a copy of the world per queued state, so it takes at most {EXPLORE_USERS_MAX} (EXPLORE_USERS_MAX): a few users per tenant show the same interplay"
        )));
    }
    let actions: Vec<usize> = (0..sc.steps.len()).filter(|&i| is_action(&sc.steps[i])).collect();
    if actions.len() > EXPLORE_ACTION_STEPS_MAX {
        return Err(Error::Usage(format!(
            "{file} has {} action steps; explore takes at most {EXPLORE_ACTION_STEPS_MAX} (EXPLORE_ACTION_STEPS_MAX)",
            actions.len()
        )));
    }
    let max_work = opts.max_work.unwrap_or(EXPLORE_WORK_MAX);
    if max_work == 0 || max_work > EXPLORE_WORK_MAX {
        return Err(Error::Usage(format!(
            "max_work {max_work}: between 1 and {EXPLORE_WORK_MAX} (EXPLORE_WORK_MAX)"
        )));
    }
    let max_states = opts.max_states.unwrap_or(EXPLORE_STATES_MAX);
    if max_states == 0 || max_states > EXPLORE_STATES_MAX {
        return Err(Error::Usage(format!(
            "--max-states {max_states}: between 1 and {EXPLORE_STATES_MAX} (EXPLORE_STATES_MAX)"
        )));
    }
    // every queued state holds a world: fit the state cap into the memory budget
    let per_state = world_bytes_estimate(&sc.world);
    let budget_states = (EXPLORE_MEMORY_BYTES_MAX / per_state).max(1);
    let memory_bound = budget_states < max_states;
    let max_states = max_states.min(budget_states);
    let depth = match opts.depth {
        Some(d) if d > EXPLORE_DEPTH_MAX => {
            return Err(Error::Usage(format!(
                "--depth {d}: at most {EXPLORE_DEPTH_MAX} action steps (EXPLORE_DEPTH_MAX)"
            )))
        }
        Some(d) => d.min(actions.len()),
        None => actions.len().min(EXPLORE_DEPTH_MAX),
    };
    let sources = StepSources::parse(text)
        .ok_or_else(|| Error::Usage(format!("{file}: cannot find the [[step]] tables in the text")))?;
    if sources.steps.len() != sc.steps.len() {
        return Err(Error::Usage(format!(
            "{file}: found {} step tables in the text for {} steps",
            sources.steps.len(),
            sc.steps.len()
        )));
    }
    let last_action = actions.last().copied();
    let epilogue_from = last_action.map_or(0, |i| i + 1);
    let epilogue: Vec<Step> = sc.steps[epilogue_from..].to_vec();
    let label = |s: &Step| {
        let who = s
            .tenant
            .map(|t| format!(" by {}", sc.world.name(t)))
            .unwrap_or_default();
        format!("step {} ({}{who}, line {})", s.number, s.verb, s.line)
    };
    let mut report = Report {
        file: file.to_string(),
        name: sc.name.clone(),
        rules: sc.world.rules().kind.name(),
        tenants,
        actions: actions.iter().map(|&i| label(&sc.steps[i])).collect(),
        epilogue: epilogue.iter().map(label).collect(),
        skipped: sc.steps[..epilogue_from]
            .iter()
            .filter(|s| !is_action(s))
            .map(label)
            .collect(),
        depth,
        max_states,
        memory_bound,
        states: 0,
        transitions: 0,
        max_moves: 0,
        max_depth: 0,
        complete: 0,
        truncated: false,
        work_capped: false,
        max_work,
        work: 0,
        violation: None,
        limit: None,
    };
    let search = Search {
        sc: &sc,
        actions: &actions,
        epilogue: &epilogue,
        needs: needs(&sc.steps, &actions),
    };
    let (stats, outcome) = mtosim_engine::explore::search(&sc.world, &search, depth, max_states, max_work);
    report.states = stats.states;
    report.transitions = stats.transitions;
    report.max_moves = stats.max_moves;
    report.max_depth = stats.max_depth;
    report.complete = stats.complete;
    report.truncated = stats.truncated;
    report.work_capped = stats.cap == Some(engine::Cap::Work);
    report.work = stats.work;
    let moves = |path: Vec<engine::Move>| -> Vec<Move> {
        path.into_iter()
            .map(|m| match m {
                engine::Move::Action(b) => Move::Step(actions[b]),
                engine::Move::Settle => Move::Settle,
                engine::Move::Next => Move::Next,
            })
            .collect()
    };
    match outcome {
        engine::Outcome::Clean => {}
        engine::Outcome::Violation(path, violation) => {
            let violation = match violation {
                engine::Violation::Invariant(e) => Violation::Invariant(e),
                engine::Violation::Checks(f) => Violation::Checks(f),
            };
            report.violation = Some(search.counterexample(
                file,
                &sources,
                text,
                moves(path),
                violation,
                opts.out.as_deref(),
            ));
        }
        engine::Outcome::Limit(path, limited) => {
            report.limit = Some(search.limit_reached(moves(path), limited, &label));
        }
    }
    Ok(report)
}

/// Rewrites relative `csv = "PATH"` values in `toml`, written relative to `file`'s directory,
/// to be relative to `out`'s directory, so that the counterexample saved as `out` loads.
/// Unchanged when a directory cannot be resolved.
fn rebase_csv_paths(toml: &str, file: &str, out: &Path) -> String {
    let dir_of = |p: &Path| {
        let d = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::canonicalize(d).ok()
    };
    let (Some(from), Some(to)) = (dir_of(Path::new(file)), dir_of(out)) else {
        return toml.to_string();
    };
    let mut out_text = String::with_capacity(toml.len());
    let mut rest = toml;
    while let Some(i) = rest.find("csv") {
        let (head, tail) = rest.split_at(i + 3);
        out_text.push_str(head);
        rest = tail;
        let after_eq = rest.trim_start().strip_prefix('=').map(str::trim_start);
        let Some(quoted) = after_eq.and_then(|r| r.strip_prefix('"')) else {
            continue;
        };
        let Some(end) = quoted.find('"') else {
            continue;
        };
        let path = &quoted[..end];
        if Path::new(path).is_relative() && !path.contains('\\') {
            let lead = rest.len() - quoted.len();
            out_text.push_str(&rest[..lead]);
            out_text.push_str(&relative_path(&to, &from.join(path)));
            rest = &quoted[end..];
        }
    }
    out_text.push_str(rest);
    out_text
}

/// `target` as a path relative to directory `base` (both absolute), with `/` separators.
fn relative_path(base: &Path, target: &Path) -> String {
    let b: Vec<_> = base.components().collect();
    let t: Vec<_> = target.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

// ----- the search ----------------------------------------------------------------------------

struct Search<'a> {
    sc: &'a Scenario,
    /// Indexes into `sc.steps` of the action steps; bit `k` of a mask is `actions[k]`.
    actions: &'a [usize],
    epilogue: &'a [Step],
    /// Per action (bit): for each name it refers to that action steps create, the mask of the
    /// steps creating it; one of them must have been applied first.
    needs: Vec<Vec<u64>>,
}

/// The name `s` creates, if any (`add-user`, `create-sync`).
fn created(s: &Step) -> Option<Name> {
    match (&s.kind, s.tenant) {
        (StepKind::Action(a), Some(t)) => a.creates(t),
        _ => None,
    }
}

/// The names created during the timeline that `s` refers to.
fn referred(s: &Step) -> Vec<Name> {
    match (&s.kind, s.tenant) {
        (StepKind::Action(a), Some(t)) => a.refers_to(t),
        _ => Vec::new(),
    }
}

/// For each action step (by bit), the masks of the earlier action steps creating each name it
/// refers to: the loader refuses a file naming a user or configuration before the step that
/// creates it, so such orders are not explored (a counterexample must load).
fn needs(steps: &[Step], actions: &[usize]) -> Vec<Vec<u64>> {
    actions
        .iter()
        .map(|&j| {
            referred(&steps[j])
                .into_iter()
                .map(|name| {
                    actions
                        .iter()
                        .enumerate()
                        .filter(|&(_, &i)| i < j && created(&steps[i]).as_ref() == Some(&name))
                        .fold(0u64, |m, (b, _)| m | (1 << b))
                })
                .filter(|&m| m != 0)
                .collect()
        })
        .collect()
}

/// A path replayed from the start.
struct Replay {
    /// The world after it.
    world: World,
    /// One line per move.
    narration: Vec<String>,
    /// Per move: the op it started, its refusal, whether its absolute `at` had passed.
    outcomes: Vec<(Option<OpId>, Option<String>, bool)>,
    /// Per next move: how long it waited.
    waits: Vec<Duration>,
}

/// What applying one action step did.
enum Applied {
    Done(Option<OpId>),
    Refused(String),
}

/// The search's model: the scenario's action steps, in the order the file lists them.
impl engine::Model for Search<'_> {
    type Failure = String;

    fn actions(&self) -> usize {
        self.actions.len()
    }

    fn apply(&self, w: &mut World, k: usize) {
        Search::apply(self, w, self.actions[k]);
    }

    fn ready(&self, k: usize, done: u64) -> bool {
        self.needs[k].iter().all(|&m| done & m != 0)
    }

    fn complete(&self, w: &World) -> engine::Checked<String> {
        let run = self.run_epilogue(w);
        let steps = match &run.limit {
            Some((number, _, _)) => self.epilogue.iter().take_while(|s| s.number <= *number).count(),
            None => self.epilogue.len(),
        };
        let work =
            (steps as u64).saturating_add(engine::work_of(&run.world).saturating_sub(engine::work_of(w)));
        let limit = run.limit.as_ref().map(|(number, _, hit)| {
            let i = self
                .epilogue
                .iter()
                .position(|s| s.number == *number)
                .unwrap_or(0);
            (i, hit.clone())
        });
        engine::Checked {
            failures: Self::epilogue_failures(&run),
            work,
            limit,
        }
    }
}

impl Search<'_> {
    fn settle_max() -> Duration {
        engine::SETTLE_MAX
    }

    /// Applies the action step `steps[i]` as `mtosim run` would (its `at` first).
    fn apply(&self, w: &mut World, i: usize) -> (Applied, bool) {
        let s = &self.sc.steps[i];
        // a step whose absolute time has passed in this order runs now (the runner would
        // refuse it: the counterexample comments its `at` out)
        let mut late = false;
        if let Some(at) = &s.at {
            let t = at.resolve(w.now());
            late = t < w.now();
            if !late {
                w.advance_to(t);
            }
        }
        let actor = s.tenant.expect("action steps name a tenant");
        let StepKind::Action(action) = &s.kind else {
            unreachable!("only action steps are moves")
        };
        let action = action.clone();
        let applied = match w.apply_as(actor, s.admin, action) {
            Ok(op) => Applied::Done(op),
            Err(r) => Applied::Refused(r.rule.to_string()),
        };
        (applied, late)
    }

    /// Runs the epilogue on a copy of `w`.
    fn run_epilogue(&self, w: &World) -> runner::Run {
        runner::run(Scenario {
            name: self.sc.name.clone(),
            world: w.clone(),
            steps: self.epilogue.to_vec(),
        })
    }

    /// An epilogue run's failures: its checks', then a broken invariant's.
    fn epilogue_failures(run: &runner::Run) -> Vec<String> {
        let mut failures: Vec<String> = run.failures.iter().map(|f| f.to_string()).collect();
        if let Err(e) = run.world.check_invariants() {
            failures.push(format!(
                "after the steps that follow the last action step, an invariant broke: {e}"
            ));
        }
        failures
    }

    /// Runs the epilogue on a copy of `w`: its failures, and the world after it.
    fn epilogue(&self, w: &World) -> (Vec<String>, World) {
        let run = self.run_epilogue(w);
        (Self::epilogue_failures(&run), run.world)
    }

    /// Replays `path` from the start, narrating each move.
    fn replay(&self, path: &[Move]) -> Replay {
        let mut w = self.sc.world.clone();
        let mut narration = Vec::new();
        // per move: the op it started, its refusal, whether its absolute `at` had passed
        let mut outcomes: Vec<(Option<OpId>, Option<String>, bool)> = Vec::new();
        // per Next move: how long it waited
        let mut waits: Vec<Duration> = Vec::new();
        for mv in path {
            match *mv {
                Move::Step(i) => {
                    let s = &self.sc.steps[i];
                    let who = s.tenant.map(|t| w.name(t).to_string()).unwrap_or_default();
                    let (applied, late) = self.apply(&mut w, i);
                    let what = format!("{} by {who} (step {}, line {})", s.verb, s.number, s.line);
                    match applied {
                        Applied::Done(op) => {
                            narration.push(format!("{what}: accepted"));
                            outcomes.push((op, None, late));
                        }
                        Applied::Refused(rule) => {
                            narration.push(format!("{what}: refused for {rule}"));
                            outcomes.push((None, Some(rule), late));
                        }
                    }
                }
                Move::Settle => {
                    let from = w.now();
                    let res = w.settle(Self::settle_max());
                    narration.push(match res {
                        Ok(t) => format!("settle: pending operations complete ({} later)", t - from),
                        Err(_) => format!("settle: still not settled after {}", engine::SETTLE_MAX),
                    });
                    outcomes.push((None, None, false));
                }
                Move::Next => {
                    let from = w.now();
                    let at = w.next_due().unwrap_or(from).max(from);
                    w.advance_to(at);
                    narration.push(format!("wait {}: the next pending event is due", at - from));
                    waits.push(at - from);
                    outcomes.push((None, None, false));
                }
            }
            if let (Some(hit), Some(n)) = (w.limit(), narration.last_mut()) {
                let _ = write!(n, "; the world stopped here: it reached {}", hit.name);
                break;
            }
        }
        Replay {
            world: w,
            narration,
            outcomes,
            waits,
        }
    }

    /// Replays the path on which the world reached a per-run cap, and says where.
    fn limit_reached(
        &self,
        path: Vec<Move>,
        limited: engine::Limited,
        label: &dyn Fn(&Step) -> String,
    ) -> LimitReached {
        let Replay { mut narration, .. } = self.replay(&path);
        let (step, place) = match (limited.check, path.last()) {
            (Some(i), _) => {
                let s = &self.epilogue[i.min(self.epilogue.len().saturating_sub(1))];
                let place = format!("{}, after the last action step", label(s));
                narration.push(format!(
                    "then the steps after the last action step, up to {}: it reached {}",
                    label(s),
                    limited.hit.name
                ));
                (Some((s.number, s.line)), place)
            }
            (None, Some(&Move::Step(i))) => {
                let s = &self.sc.steps[i];
                (Some((s.number, s.line)), label(s))
            }
            (None, Some(mv)) => {
                let what = if *mv == Move::Settle {
                    "settle move (let pending operations complete)"
                } else {
                    "next move (wait for the next pending event)"
                };
                (None, format!("explore's {what}, move {} of the path", path.len()))
            }
            (None, None) => (None, "the start".to_string()),
        };
        let mut summary: Vec<String> = path
            .iter()
            .map(|mv| match *mv {
                Move::Step(i) => {
                    let s = &self.sc.steps[i];
                    format!("step {} ({})", s.number, s.verb)
                }
                Move::Settle => "settle".to_string(),
                Move::Next => "next".to_string(),
            })
            .collect();
        if limited.check.is_some() {
            summary.push("the steps after the last action step".to_string());
        }
        let summary = if summary.is_empty() {
            "at the start".to_string()
        } else {
            summary.join(", ")
        };
        LimitReached {
            hit: limited.hit,
            step,
            place,
            path,
            narration,
            summary,
        }
    }

    /// Replays `path` and renders it as narration and as a runnable scenario.
    fn counterexample(
        &self,
        file: &str,
        src: &StepSources,
        text: &str,
        path: Vec<Move>,
        violation: Violation,
        out: Option<&Path>,
    ) -> Counterexample {
        let Replay {
            world: w,
            mut narration,
            outcomes,
            waits,
        } = self.replay(&path);
        let with_epilogue = matches!(violation, Violation::Checks(_));
        let end = if with_epilogue {
            narration.push(format!(
                "then the steps after the last action step ({}), where the checks fail",
                self.epilogue
                    .iter()
                    .map(|s| s.verb)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            self.epilogue(&w).1
        } else {
            w
        };

        for ((n, mv), (op, _, _)) in narration.iter_mut().zip(&path).zip(&outcomes) {
            let outcome = op.map(|op| end.op(op).outcome.clone());
            if let (Move::Step(_), Some(o)) = (mv, outcome) {
                n.push_str(&match o {
                    None => "; still pending at the end".to_string(),
                    Some(Ok(())) => "; completed".to_string(),
                    Some(Err(f)) => format!("; failed later for {}", f.rule),
                });
            }
        }

        let mut t = String::new();
        let _ = writeln!(
            t,
            "# Counterexample found by `mtosim explore {file}`: the shortest order of its"
        );
        let _ = writeln!(
            t,
            "# action steps (and of waits for pending operations) that breaks it."
        );
        match &violation {
            Violation::Invariant(m) => {
                let _ = writeln!(t, "# After the last step, a model invariant breaks: {m}");
            }
            Violation::Checks(fs) => {
                let _ = writeln!(t, "# At the end, these checks fail (step numbers of {file}):");
                for f in fs {
                    let _ = writeln!(t, "#   {f}");
                }
            }
        }
        let _ = writeln!(
            t,
            "# Steps refused (or failed) in this order carry expect_error, so that only the"
        );
        let _ = writeln!(t, "# violation is reported.");
        // CSV imports are read relative to the scenario file: name them from where the
        // counterexample is saved
        let header = match out {
            Some(out) => rebase_csv_paths(&src.header(text), file, out),
            None => src.header(text),
        };
        t.push('\n');
        t.push_str(&header);
        let mut next_wait = 0;
        for (mv, (op, refused, late)) in path.iter().zip(&outcomes) {
            t.push('\n');
            match *mv {
                Move::Settle => {
                    let _ = writeln!(
                        t,
                        "[[step]]\ndo = \"settle\"  # explore: let pending operations complete"
                    );
                }
                Move::Next => {
                    let d = waits.get(next_wait).copied().unwrap_or_default();
                    next_wait += 1;
                    let _ = writeln!(
                        t,
                        "[[step]]\ndo = \"wait\"\nfor = \"{d}\"  # explore: until the next pending event is due"
                    );
                }
                Move::Step(i) => {
                    let failed = op
                        .and_then(|op| end.op(op).outcome.clone())
                        .and_then(Result::err)
                        .map(|f| f.rule.to_string());
                    let expect = refused.clone().or(failed);
                    t.push_str(&src.steps[i].render(&["expect_error"], *late, expect.as_deref()));
                }
            }
        }
        if with_epilogue {
            for i in self.sc.steps.len() - self.epilogue.len()..self.sc.steps.len() {
                t.push('\n');
                t.push_str(&src.steps[i].render(&[], false, None));
            }
        }
        Counterexample {
            violation,
            path,
            narration,
            toml: t,
        }
    }
}

// ----- step source text ----------------------------------------------------------------------

/// One `[[step]]` table's keys and values as written, in file order.
struct StepSource {
    /// (key as written, key name, value as written).
    keys: Vec<(String, String, String)>,
}

impl StepSource {
    /// The step as a `[[step]]` table, leaving out the keys in `drop` (and `at` when `late`),
    /// and adding `expect_error = "RULE"` when given.
    fn render(&self, drop: &[&str], late: bool, expect: Option<&str>) -> String {
        let mut s = String::from("[[step]]\n");
        for (raw, name, value) in &self.keys {
            if drop.contains(&name.as_str()) {
                continue;
            }
            if late && name == "at" {
                let _ = writeln!(
                    s,
                    "# {raw} = {value}  (explore: this time had passed in this order)"
                );
                continue;
            }
            let _ = writeln!(s, "{raw} = {value}");
        }
        if let Some(rule) = expect {
            let _ = writeln!(
                s,
                "expect_error = \"{rule}\"  # explore: refused or failed in this order"
            );
        }
        s
    }
}

/// The text's step tables, and where they sit.
struct StepSources {
    steps: Vec<StepSource>,
    /// Byte ranges of the text that are not part of any step (the header and any later
    /// non-step tables).
    rest: Vec<std::ops::Range<usize>>,
}

impl StepSources {
    fn parse(text: &str) -> Option<StepSources> {
        let doc = DeTable::parse(text).ok()?;
        let root = doc.get_ref();
        let Some((key, value)) = root.iter().find(|(k, _)| k.get_ref().as_ref() == "step") else {
            return Some(StepSources {
                steps: Vec::new(),
                rest: std::iter::once(0..text.len()).collect(),
            });
        };
        let items: Vec<&toml::Spanned<DeValue<'_>>> = match value.get_ref() {
            DeValue::Array(a) => a.iter().collect(),
            DeValue::Table(_) => vec![value],
            _ => return None,
        };
        let mut steps = Vec::new();
        let mut blocks = Vec::new();
        for it in &items {
            let DeValue::Table(t) = it.get_ref() else {
                return None;
            };
            let mut keys: Vec<_> = t.iter().collect();
            keys.sort_by_key(|(k, _)| k.span().start);
            let end = keys
                .iter()
                .map(|(_, v)| v.span().end)
                .max()
                .unwrap_or(it.span().end);
            blocks.push(it.span().start..end);
            steps.push(StepSource {
                keys: keys
                    .iter()
                    .map(|(k, v)| {
                        (
                            text[k.span()].to_string(),
                            k.get_ref().to_string(),
                            text[v.span()].to_string(),
                        )
                    })
                    .collect(),
            });
        }
        let block_form = items.first().is_some_and(|it| text[it.span()].starts_with("[["));
        let rest = if !block_form {
            // `step = [ {...}, ... ]`: everything but that key and its value
            vec![0..key.span().start, value.span().end..text.len()]
        } else {
            // the header up to the first step, then any later region holding more than
            // comments (another table written after the steps)
            let line_end = |i: usize| text[i..].find('\n').map_or(text.len(), |n| i + n + 1);
            let mut rest = Vec::new();
            rest.push(0..blocks.first().map_or(text.len(), |b| b.start));
            for (n, b) in blocks.iter().enumerate() {
                let from = line_end(b.end);
                let to = blocks.get(n + 1).map_or(text.len(), |nb| nb.start);
                if from < to
                    && text[from..to]
                        .lines()
                        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                {
                    rest.push(from..to);
                }
            }
            rest
        };
        Some(StepSources { steps, rest })
    }

    /// The text outside the steps, ending with a newline.
    fn header(&self, text: &str) -> String {
        let mut s = String::new();
        for r in &self.rest {
            s.push_str(&text[r.clone()]);
        }
        let mut s = s.trim_start_matches(['\n', '\r']).trim_end().to_string();
        s.push('\n');
        s
    }
}
