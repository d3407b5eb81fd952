//! One call to one area of Graph, as every area module reads it: the calling tenant, the
//! version, the method, the resource the area parsed from the path, the query string, the body
//! and the request's ids; why a call failed ([`Fail`]: a request the server could not use, or an
//! engine refusal), and the one way an area applies an engine action and answers a failure.
//! Each area (the multitenant organization, the cross-tenant access policy, cross-tenant
//! synchronization, the directory) parses its resources and runs its calls; `dispatch`
//! routes to it.

use crate::reply::{self, Ids, Reply};
use mtosim_engine::view::{UserIdIndex, UserObject};
use mtosim_engine::{Action, Guid, Refusal, TenantIdx, World};
use mtosim_graph::entity::Version;
use mtosim_graph::request::Problem;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// One request of a tenant on a resource of an area.
pub struct Call<'a, R> {
    /// The calling tenant.
    pub tenant: TenantIdx,
    /// The version called.
    pub version: Version,
    /// The HTTP method, upper case.
    pub method: &'a str,
    /// The resource.
    pub resource: R,
    /// The query string, without `?`.
    pub query: &'a str,
    /// The request body.
    pub body: &'a [u8],
    /// The request's ids, for error bodies.
    pub ids: &'a Ids,
    /// The request sent `ConsistencyLevel: eventual` (Graph's advanced queries: `$count`).
    pub consistency_eventual: bool,
    /// What the server keeps beside the world to answer quickly.
    pub caches: &'a Caches,
}

/// What the server keeps beside the world to answer quickly, locked after it: per tenant, the
/// index of its users' object ids (`GET /users/{id}` in constant time), brought up to date
/// with the directory before each use; and the JSON of whole users as pages in the
/// directory's order write them, dropped whenever the world is written
/// ([`crate::http::Shared::world_mut`] calls [`Caches::world_written`]).
#[derive(Default)]
pub struct Caches {
    user_ids: Mutex<Vec<Option<UserIdIndex>>>,
    /// How many times the world was written: the state [`Self::pages`] was written in.
    writes: AtomicU64,
    pages: Mutex<PageCache>,
    /// Bytes of JSON held in [`Self::pages`] (at most [`USER_JSON_CACHE_BYTES_MAX`]).
    page_bytes: AtomicUsize,
}

/// The most bytes of user JSON [`Caches`] keeps (USER_JSON_CACHE_BYTES_MAX): past it, users
/// are written for each page again.
pub const USER_JSON_CACHE_BYTES_MAX: usize = 256 << 20;

/// Whole users' JSON by tenant and position in the directory's order, as of world write
/// `written`.
#[derive(Default)]
struct PageCache {
    written: u64,
    tenants: Vec<Option<Arc<UserSlots>>>,
}

/// One tenant's kept users' JSON, by position in the directory's order.
type UserSlots = Vec<OnceLock<Box<[u8]>>>;

/// One tenant's kept users' JSON, as one page reads and fills it ([`Caches::kept_users`]).
pub struct KeptUsers<'c> {
    slots: Arc<UserSlots>,
    /// The caches' count of bytes kept.
    bytes: &'c AtomicUsize,
}

impl KeptUsers<'_> {
    /// Appends the JSON of the whole user at position `at`, as `write` writes it: kept the
    /// first time, copied after, until the world is written.
    pub fn write(&self, at: usize, out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
        let Some(slot) = self.slots.get(at) else {
            return write(out);
        };
        if let Some(json) = slot.get() {
            out.extend_from_slice(json);
            return;
        }
        let start = out.len();
        write(out);
        let json = &out[start..];
        if self.bytes.fetch_add(json.len(), Ordering::SeqCst) + json.len() <= USER_JSON_CACHE_BYTES_MAX {
            // another reader may have kept the same bytes first
            let _ = slot.set(json.into());
        } else {
            self.bytes.fetch_sub(json.len(), Ordering::SeqCst);
        }
    }
}

impl Caches {
    /// Drops what was kept of the world before a write (called with the world locked for it).
    pub fn world_written(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
    }

    /// The whole users' JSON kept for tenant `t` since the world was last written, taken
    /// once per page.
    pub fn kept_users(&self, world: &World, t: TenantIdx) -> KeptUsers<'_> {
        let mut c = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let now = self.writes.load(Ordering::SeqCst);
        if c.written != now {
            c.written = now;
            c.tenants.clear();
            self.page_bytes.store(0, Ordering::SeqCst);
        }
        if c.tenants.len() <= t.ix() {
            c.tenants.resize(t.ix() + 1, None);
        }
        let slots = c.tenants[t.ix()]
            .get_or_insert_with(|| {
                let dir = &world.tenant(t).dir;
                let users = dir.users().len() + dir.externals().len();
                Arc::new((0..users).map(|_| OnceLock::new()).collect())
            })
            .clone();
        KeptUsers {
            slots,
            bytes: &self.page_bytes,
        }
    }

    /// Tenant `t`'s user object (not deleted) with object id `id`.
    pub fn user_by_id<'w>(&self, world: &'w World, t: TenantIdx, id: Guid) -> Option<UserObject<'w>> {
        let mut all = self.user_ids.lock().unwrap_or_else(|p| p.into_inner());
        if all.len() <= t.ix() {
            all.resize(t.ix() + 1, None);
        }
        let index = all[t.ix()].get_or_insert_with(|| UserIdIndex::build(world, t));
        if !index.fresh(world, t) {
            index.refresh(world, t);
        }
        world.view(t).user_by_id(index, id)
    }
}

/// Why a call failed.
pub enum Fail {
    /// The request could not be used.
    Problem(Problem),
    /// The engine refused the action.
    Refused(Box<Refusal>),
}

impl From<Problem> for Fail {
    fn from(p: Problem) -> Fail {
        Fail::Problem(p)
    }
}

/// Whether `seg` names the bound action `name`, bare or as `microsoft.graph.{name}`.
pub fn is_action(seg: &str, name: &str) -> bool {
    seg.eq_ignore_ascii_case(name)
        || seg
            .get(..16)
            .is_some_and(|p| p.eq_ignore_ascii_case("microsoft.graph."))
            && seg[16..].eq_ignore_ascii_case(name)
}

/// Applies `action` as `t`'s Global Administrator; a refusal becomes [`Fail::Refused`].
pub fn apply(world: &mut World, t: TenantIdx, action: Action) -> Result<(), Fail> {
    world
        .apply(t, action)
        .map(|_| ())
        .map_err(|r| Fail::Refused(Box::new(r)))
}

/// The reply to a call that ran (`result`): its answer, or its failure in Graph's error body.
pub fn answer(world: &World, ids: &Ids, result: Result<Reply, Fail>) -> Reply {
    match result {
        Ok(r) => r,
        Err(Fail::Problem(p)) => reply::problem(world, ids, &p),
        Err(Fail::Refused(r)) => reply::refusal(world, ids, &r),
    }
}
