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
//! **Caps.** A depth (actions applied along a path) and a number of distinct states; a search
//! stopped by the state cap says so ([`Stats::truncated`]).

use crate::hash::{Canonical, Fnv64};
use crate::ids::TenantIdx;
use crate::state::World;
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
    /// The checks at the end of a complete order (every action applied): their failures.
    fn complete(&self, w: &World) -> Vec<Self::Failure>;
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
    /// Whether the state cap stopped the search.
    pub truncated: bool,
}

/// The shortest violating path, if any.
pub type Found<F> = Option<(Vec<Move>, Violation<F>)>;

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
/// along a path and visiting at most `max_states` distinct states; returns how far it went
/// and the shortest violation found, if any.
pub fn search<M: Model>(
    start: &World,
    model: &M,
    depth: usize,
    max_states: usize,
) -> (Stats, Found<M::Failure>) {
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

    let w0 = start.clone();
    if let Err(e) = w0.check_invariants() {
        stats.states = 1;
        return (stats, Some((Vec::new(), Violation::Invariant(e))));
    }
    seen.insert(fingerprint(&w0, &base, all), 0);
    nodes.push(Node {
        parent: ROOT,
        mv: Move::Settle,
        moves: 0,
    });
    if k == 0 {
        stats.complete += 1;
        let f = model.complete(&w0);
        if !f.is_empty() {
            stats.states = 1;
            return (stats, Some((Vec::new(), Violation::Checks(f))));
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
        for mv in succ {
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
                return (
                    stats,
                    Some((path_to(&nodes, id, Some(mv)), Violation::Invariant(e))),
                );
            }
            let fp = fingerprint(&next, &base, rem2);
            if seen.contains_key(&fp) {
                continue;
            }
            if nodes.len() >= max_states {
                stats.truncated = true;
                stats.states = nodes.len();
                return (stats, None);
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
                stats.complete += 1;
                let f = model.complete(&next);
                if !f.is_empty() {
                    stats.states = nodes.len();
                    return (stats, Some((path_to(&nodes, nid, None), Violation::Checks(f))));
                }
            }
            queue.push_back((nid, next, rem2));
        }
    }
    stats.states = nodes.len();
    (stats, None)
}
