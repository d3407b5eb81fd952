//! The Graph endpoints of cross-tenant synchronization as Microsoft's Graph tutorial configures it:
//! `/{version}/applicationTemplates/{id}/instantiate`, `servicePrincipals` with their
//! `synchronization` (jobs, schema, secrets), `appRoleAssignedTo`, and `auditLogs/provisioning`, for the tenant a token names. Each request becomes an engine
//! `Action` applied as that tenant; the answer is the tenant's view in Graph's JSON.
//! (Being built: until a route is added here, its paths answer "Resource not found for the
//! segment", as Graph does for a path it does not serve.)

use crate::reply::{Ids, Reply};
use mtosim_engine::{TenantIdx, World};
use mtosim_graph::entity::Version;

/// The resources of this area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {}

impl Resource {
    /// The methods the resource answers.
    pub fn allowed(self) -> &'static [&'static str] {
        match self {}
    }
}

/// The resource `segments` (after the version) name, or the first segment that names none.
pub fn resource<'p>(segments: &[&'p str]) -> Result<Resource, &'p str> {
    Err(segments.first().copied().unwrap_or(""))
}

/// One request of tenant `tenant` on `resource`.
pub struct Call<'a> {
    /// The calling tenant.
    pub tenant: TenantIdx,
    /// The version called.
    pub version: Version,
    /// The HTTP method.
    pub method: &'a str,
    /// The resource.
    pub resource: Resource,
    /// The query string, without `?`.
    pub query: &'a str,
    /// The request body.
    pub body: &'a [u8],
    /// The request's ids, for error bodies.
    pub ids: &'a Ids,
}

/// Answers `c` (the method is one `c.resource` allows).
pub fn handle(world: &mut World, c: &Call) -> Reply {
    let _ = world;
    match c.resource {}
}
