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
use std::sync::Mutex;

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
/// with the directory before each use.
#[derive(Default)]
pub struct Caches {
    user_ids: Mutex<Vec<Option<UserIdIndex>>>,
}

impl Caches {
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
