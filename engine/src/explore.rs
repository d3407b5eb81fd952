//! Model checking: a breadth-first search over every order of a set of actions and of the
//! ways time can move between them, checking the model's invariants after every transition
//! and a caller's checks at the end of every complete order.
//!
//! **Moves.** From a state, a successor applies one action that has not been applied yet (each
//! at most once, in any order, when the [`Model`] says it is ready), or lets every pending
//! asynchronous operation complete ([`Move::Settle`]), or advances the clock to the next due
//! event and processes it ([`Move::Next`]); both time moves are offered only while something
//! is pending. A refused action is an outcome, not an error.
//!
//! **States.** A state is a world plus the set of actions still to apply. Two states are one
//! when their fingerprints match: a 64-bit FNV hash of the remaining set and of every state
//! type's time-free rendering ([`crate::hash::Canonical`], beside each type), so the same
//! state reached at different instants merges. The event log is not part of it.
//!
//! **Search.** Breadth-first from the start, successors in action order with the time moves
//! last, so the first violation found is on a shortest path (fewest moves). INV-9 (time never
//! changes a tenant's own users) is checked on every time move, in release builds too.
//!
//! **Caps.** A depth (actions applied along a path), a number of distinct states and a budget of
//! work for the whole search ([`work_of`]: engine events, sync-cycle source objects and dynamic
//! rule evaluations, plus one per move and per end-of-order step run, across every state and
//! every complete order's checks); a search stopped by either of the last two says so
//! ([`Stats::truncated`], [`Stats::cap`]). The budget is checked before each transition and
//! before each complete order's checks, so a search overshoots it by one of those at most.
//!
//! **Per-run caps.** A world that reaches one of the engine's per-run caps
//! ([`World::limit`]) has stopped: it is neither a violation nor a pass, and the search stops
//! there with the (shortest) path that reached it ([`Outcome::Limit`]).

use crate::hash::{Canonical, Fnv64};
use crate::ids::TenantIdx;
use crate::state::{LimitHit, World};
use crate::time::Duration;
use std::collections::{HashMap, VecDeque};

/// Actions in one search, at most: the remaining set is a 64-bit mask.
pub const ACTIONS_MAX: usize = 64;

/// How long a settle move lets pending operations run, at most.
pub const SETTLE_MAX: Duration = Duration::days(30);

/// What a search explores.
pub trait Model {
    /// What a failed end-of-order check reports.
    type Failure;
    /// How many actions there are (at most [`ACTIONS_MAX`]).
    fn actions(&self) -> usize;
    /// Applies action `k` to `w`.
    fn apply(&self, w: &mut World, k: usize);
    /// Whether action `k` may be applied once the actions in the mask `done` have been.
    fn ready(&self, k: usize, done: u64) -> bool;
    /// The checks at the end of a complete order (every action applied), on a copy of `w`.
    fn complete(&self, w: &World) -> Checked<Self::Failure>;
}

/// What the end-of-order checks of one complete state found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked<F> {
    /// Their failures (none: they held).
    pub failures: Vec<F>,
    /// The work they did, in [`work_of`]'s units plus one per step they ran: it counts against
    /// the search's work budget.
    pub work: u64,
    /// The per-run cap their world reached, if any, with the index of the check (in the
    /// model's own numbering) during which: the search stops there.
    pub limit: Option<(usize, LimitHit)>,
}

/// The work `w` has done in all, in the units of the search's work budget: queued events,
/// source objects evaluated by sync cycles and dynamic membership rule evaluations
/// ([`World::work`]).
pub fn work_of(w: &World) -> u64 {
    let x = w.work();
    x.events
        .saturating_add(x.cycle_objects)
        .saturating_add(x.rule_evaluations)
}

/// One move of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Apply action `k`.
    Action(usize),
    /// Let every pending asynchronous operation complete (at most [`SETTLE_MAX`]).
    Settle,
    /// Advance the clock to the next due event and process it.
    Next,
}

/// Which of a search's caps stopped it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    /// The number of distinct states.
    States,
    /// The work budget for the whole search.
    Work,
}

/// What went wrong on a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation<F> {
    /// A model invariant broke after the last move.
    Invariant(String),
    /// The end-of-order checks failed.
    Checks(Vec<F>),
}

/// How far a search went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct states found.
    pub states: usize,
    /// Transitions taken (moves tried, including those reaching a known state).
    pub transitions: usize,
    /// The longest path to a distinct state, in moves.
    pub max_moves: usize,
    /// The most actions applied along a path.
    pub max_depth: usize,
    /// Distinct complete states checked.
    pub complete: usize,
    /// Work done in all: [`work_of`] over every transition and every complete order's checks,
    /// plus one per move and per end-of-order step.
    pub work: u64,
    /// Whether a cap (the state cap or the work budget) stopped the search.
    pub truncated: bool,
    /// Which one, when [`Stats::truncated`].
    pub cap: Option<Cap>,
}

/// A per-run cap of the world reached on a path: where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limited {
    /// The cap, as the world names it.
    pub hit: LimitHit,
    /// `None`: during the path's last move; `Some(i)`: during the end-of-order check `i` (the
    /// model's numbering) after it.
    pub check: Option<usize>,
}

/// How a search ended (with [`Stats`] saying how far it went).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<F> {
    /// No violation in what was explored, and no per-run cap reached.
    Clean,
    /// The shortest violating path.
    Violation(Vec<Move>, Violation<F>),
    /// The shortest path on which the world reached one of its per-run caps: the search
    /// stopped there, proving nothing (a stopped world is neither a violation nor a pass).
    Limit(Vec<Move>, Limited),
}

/// What never changes across states: each tenant's change-log length at the start, so that a
/// fingerprint renders only the users changed since.
#[derive(Clone, Debug)]
pub struct Baseline {
    changes: Vec<usize>,
}

impl Baseline {
    /// The baseline of the start state `w`.
    pub fn of(w: &World) -> Baseline {
        Baseline {
            changes: w.tenants().iter().map(|t| t.dir.changes().len()).collect(),
        }
    }
}

/// The fingerprint of state `w` with the actions in mask `remaining` still to apply.
pub fn fingerprint(w: &World, base: &Baseline, remaining: u64) -> u64 {
    use std::fmt::Write;
    let mut s = String::with_capacity(2048);
    let _ = write!(s, "R{remaining:x}|");
    for (i, t) in w.tenants().iter().enumerate() {
        let v = w.mto_view(TenantIdx(i as u16));
        let _ = write!(
            s,
            "T{i} mto {:?} view {:?}/{} local {} m365 {} created {} p1w {} ",
            t.mto.map(|m| m.0),
            v.mto.map(|m| m.0),
            v.active_tenants,
            t.local_mto_id.is_some(),
            t.m365_managed,
            t.created_mto_at.is_some(),
            t.p1_sync_warned,
        );
        t.join.canonical(&mut s);
        s.push_str(" tpl ");
        t.templates.canonical(&mut s);
        s.push('|');
        for (p, c) in &t.partners {
            let _ = write!(s, "P{} ", p.0);
            c.canonical(&mut s);
            s.push('|');
        }
        t.dir
            .canonical_since(base.changes.get(i).copied().unwrap_or(0), w.strings(), &mut s);
    }
    for (m, mto) in w.mtos().iter().enumerate() {
        let _ = write!(s, "M{m} ");
        mto.canonical(&mut s);
        s.push('|');
    }
    for (c, cfg) in w.configs().iter().enumerate() {
        let _ = write!(s, "C{c} ");
        cfg.canonical(&mut s);
        s.push('|');
    }
    for op in w.ops().iter().filter(|o| o.outcome.is_none()) {
        op.canonical(&mut s);
    }
    let mut h = Fnv64::new(0x6578_706c_6f72_6521); // "explore!"
    h.write(s.as_bytes());
    h.finish()
}

/// Performs a time move on `w` (an action move is the model's to apply); returns whether a
/// settle move settled.
pub fn time_move(w: &mut World, mv: Move) -> bool {
    match mv {
        Move::Settle => w.settle(SETTLE_MAX).is_ok(),
        Move::Next => {
            if let Some(at) = w.next_due() {
                w.advance_to(at.max(w.now()));
            }
            true
        }
        Move::Action(_) => true,
    }
}

/// A distinct state: how it was first reached.
struct Node {
    parent: usize,
    mv: Move,
    moves: usize,
}

const ROOT: usize = usize::MAX;

/// Searches every order of `model`'s actions from `start`, applying at most `depth` of them
/// along a path, visiting at most `max_states` distinct states and doing at most about
/// `max_work` work ([`Stats::work`]); returns how far it went and how it ended.
pub fn search<M: Model>(
    start: &World,
    model: &M,
    depth: usize,
    max_states: usize,
    max_work: u64,
) -> (Stats, Outcome<M::Failure>) {
    let mut stats = Stats::default();
    let k = model.actions().min(ACTIONS_MAX);
    let all: u64 = if k == 64 { u64::MAX } else { (1u64 << k) - 1 };
    let base = Baseline::of(start);
    let mut nodes: Vec<Node> = Vec::new();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut queue: VecDeque<(usize, World, u64)> = VecDeque::new();
    let path_to = |nodes: &[Node], mut id: usize, last: Option<Move>| {
        let mut p: Vec<Move> = last.into_iter().collect();
        while nodes[id].parent != ROOT {
            p.push(nodes[id].mv);
            id = nodes[id].parent;
        }
        p.reverse();
        p
    };
    // the end-of-order checks of a complete state: their outcome, if it ends the search
    let check = |stats: &mut Stats, w: &World, path: &dyn Fn() -> Vec<Move>| {
        stats.complete += 1;
        let c = model.complete(w);
        stats.work = stats.work.saturating_add(c.work);
        if let Some((i, hit)) = c.limit {
            return Some(Outcome::Limit(path(), Limited { hit, check: Some(i) }));
        }
        (!c.failures.is_empty()).then(|| Outcome::Violation(path(), Violation::Checks(c.failures)))
    };
    let stop = |stats: &mut Stats, cap: Cap, states: usize| {
        stats.truncated = true;
        stats.cap = Some(cap);
        stats.states = states;
    };

    let w0 = start.clone();
    stats.states = 1;
    if let Some(hit) = w0.limit() {
        let hit = hit.clone();
        return (stats, Outcome::Limit(Vec::new(), Limited { hit, check: None }));
    }
    if let Err(e) = w0.check_invariants() {
        return (stats, Outcome::Violation(Vec::new(), Violation::Invariant(e)));
    }
    seen.insert(fingerprint(&w0, &base, all), 0);
    nodes.push(Node {
        parent: ROOT,
        mv: Move::Settle,
        moves: 0,
    });
    if k == 0 {
        if let Some(end) = check(&mut stats, &w0, &Vec::new) {
            return (stats, end);
        }
    }
    queue.push_back((0, w0, all));

    while let Some((id, w, rem)) = queue.pop_front() {
        // the own-users hash of this state, taken once for all its time moves (INV-9)
        let own_before = std::cell::OnceCell::new();
        let applied = k - rem.count_ones() as usize;
        let mut succ: Vec<Move> = Vec::new();
        if applied < depth {
            let done = all & !rem;
            succ.extend(
                (0..k)
                    .filter(|&b| rem & (1 << b) != 0 && model.ready(b, done))
                    .map(Move::Action),
            );
        }
        if !w.is_settled() {
            if w.next_due().is_some() {
                succ.push(Move::Next);
            }
            succ.push(Move::Settle);
        }
        let work_before = work_of(&w);
        for mv in succ {
            if stats.work >= max_work {
                stop(&mut stats, Cap::Work, nodes.len());
                return (stats, Outcome::Clean);
            }
            let mut next = w.clone();
            let rem2 = match mv {
                Move::Action(b) => {
                    model.apply(&mut next, b);
                    rem & !(1 << b)
                }
                time => {
                    time_move(&mut next, time);
                    rem
                }
            };
            stats.transitions += 1;
            stats.work = stats
                .work
                .saturating_add(1 + work_of(&next).saturating_sub(work_before));
            // a world stopped by a per-run cap did not do what the move asked: nothing more
            // can be said about it, or about the search
            if let Some(hit) = next.limit() {
                stats.states = nodes.len();
                let hit = hit.clone();
                let path = path_to(&nodes, id, Some(mv));
                return (stats, Outcome::Limit(path, Limited { hit, check: None }));
            }
            // INV-9 in release builds too: letting time pass runs only joins, removals, sync
            // cycles and purges, none of which may touch a tenant's own users
            let own = crate::invariants::OWN_USERS;
            let inv9 = (!matches!(mv, Move::Action(_))
                && *own_before.get_or_init(|| crate::invariants::own_users_hash(&w))
                    != crate::invariants::own_users_hash(&next))
            .then(|| {
                format!(
                    "{} ({}) violated: letting time pass changed a tenant's own users [{}]",
                    own.id,
                    own.rules.join(", "),
                    own.text
                )
            });
            if let Some(e) = inv9.map(Err).unwrap_or_else(|| next.check_invariants()).err() {
                stats.states = nodes.len();
                let path = path_to(&nodes, id, Some(mv));
                return (stats, Outcome::Violation(path, Violation::Invariant(e)));
            }
            let fp = fingerprint(&next, &base, rem2);
            if seen.contains_key(&fp) {
                continue;
            }
            if nodes.len() >= max_states {
                stop(&mut stats, Cap::States, nodes.len());
                return (stats, Outcome::Clean);
            }
            if rem2 == 0 && stats.work >= max_work {
                stop(&mut stats, Cap::Work, nodes.len());
                return (stats, Outcome::Clean);
            }
            let moves = nodes[id].moves + 1;
            let nid = nodes.len();
            nodes.push(Node {
                parent: id,
                mv,
                moves,
            });
            seen.insert(fp, nid);
            stats.max_moves = stats.max_moves.max(moves);
            stats.max_depth = stats.max_depth.max(k - rem2.count_ones() as usize);
            if rem2 == 0 {
                if let Some(end) = check(&mut stats, &next, &|| path_to(&nodes, nid, None)) {
                    stats.states = nodes.len();
                    return (stats, end);
                }
            }
            queue.push_back((nid, next, rem2));
        }
    }
    stats.states = nodes.len();
    (stats, Outcome::Clean)
}
