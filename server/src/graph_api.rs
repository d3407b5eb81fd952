//! The Graph endpoints of this slice, `/{version}/tenantRelationships/multiTenantOrganization`
//! with `/tenants`, `/tenants/{tenantId}` and `/joinRequest`, for the tenant a token names.
//! Each request body becomes an engine [`Action`] (`mtosim_graph::request`), applied with
//! `World::apply` as that tenant's Global Administrator; what it answers is the tenant's view
//! as mtosim-graph renders it, with the status codes of the Graph v1.0 reference pages.

use crate::call::{self, apply, Fail};
use crate::odata;
use crate::reply::Reply;
use mtosim_engine::{Action, Guid, TenantIdx, World};
use mtosim_graph::entity;
use mtosim_graph::request::{self as rq, Problem};
use serde_json::Value;

/// The resources of this slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'p> {
    /// `tenantRelationships/multiTenantOrganization`.
    Mto,
    /// `.../tenants`.
    Tenants,
    /// `.../tenants/{tenantId}`.
    Tenant(&'p str),
    /// `.../joinRequest`.
    JoinRequest,
}

impl Resource<'_> {
    /// The methods the resource answers.
    pub fn allowed(self) -> &'static [&'static str] {
        match self {
            Resource::Mto => &["GET", "PUT", "PATCH"],
            Resource::Tenants => &["GET", "POST"],
            Resource::Tenant(_) => &["GET", "PATCH", "DELETE"],
            Resource::JoinRequest => &["GET", "PATCH"],
        }
    }
}

/// The resource `segments` (after the version) name, or the first segment that names none.
pub fn resource<'p>(segments: &[&'p str]) -> Result<Resource<'p>, &'p str> {
    let is = |i: usize, name: &str| segments.get(i).is_some_and(|s| s.eq_ignore_ascii_case(name));
    let seg = |i: usize| segments.get(i).copied().unwrap_or("");
    if !is(0, "tenantRelationships") {
        return Err(seg(0));
    }
    if !is(1, "multiTenantOrganization") {
        return Err(seg(1));
    }
    if segments.len() == 2 {
        Ok(Resource::Mto)
    } else if is(2, "tenants") {
        match segments.len() {
            3 => Ok(Resource::Tenants),
            4 => Ok(Resource::Tenant(segments[3])),
            _ => Err(seg(4)),
        }
    } else if is(2, "joinRequest") {
        match segments.len() {
            3 => Ok(Resource::JoinRequest),
            _ => Err(seg(3)),
        }
    } else {
        Err(seg(2))
    }
}

/// One request of this area.
pub type Call<'a, 'p> = call::Call<'a, Resource<'p>>;

/// A `{tenantId}` segment as a GUID.
fn tenant_id(id: &str) -> Result<Guid, Problem> {
    Guid::parse(id).ok_or_else(|| {
        Problem::bad_request(format!(
            "'{id}' is not a tenant id; a tenant id is a GUID such as 4a12efe6-aa14-4d03-8dff-88fc89e2e2ad."
        ))
    })
}

/// A tenant of the world by `{tenantId}`; one the world does not know is not found.
fn known(world: &World, id: &str) -> Result<TenantIdx, Problem> {
    let g = tenant_id(id)?;
    rq::tenant_by_id(world, &g.to_string()).ok_or_else(Problem::tenant_not_found)
}

/// 405, as Graph answers a method a resource does not take.
pub fn method_not_allowed() -> Problem {
    Problem {
        status: 405,
        code: "BadRequest",
        message: "Specified HTTP method is not allowed for the request uri.".to_string(),
    }
}

/// Answers `c` (its method is one `c.resource` allows), or says why it failed.
pub fn run(world: &mut World, c: &Call) -> Result<Reply, Fail> {
    if let Some(o) = odata::options(c.query)?.first() {
        return Err(odata::not_taken(o, "no query options").into());
    }
    let t = c.tenant;
    let ok = |v: Value, status: u16| Reply::json(status, entity::at_version(v, c.version));
    Ok(match (c.resource, c.method) {
        (Resource::Mto, "GET") => ok(mtosim_graph::multi_tenant_organization(world, t), 200),
        (Resource::Mto, "PUT") => {
            let action = rq::create_mto(&rq::parse_object(c.body)?)?;
            apply(world, t, action)?;
            ok(mtosim_graph::multi_tenant_organization(world, t), 201)
        }
        (Resource::Mto, "PATCH") => {
            let action = rq::update_mto(&rq::parse_object(c.body)?)?;
            apply(world, t, action)?;
            Reply::no_content()
        }
        (Resource::Tenants, "GET") => ok(mtosim_graph::tenants(world, t), 200),
        (Resource::Tenants, "POST") => {
            let body = rq::parse_object(c.body)?;
            let action = rq::add_tenant(world, &body)?;
            let target = match &action {
                Action::AddTenant { target, .. } => Some(*target),
                _ => None,
            };
            apply(world, t, action)?;
            let id = target.map(|x| world.tenant(x).spec.tenant_id);
            match id.and_then(|id| entity::member(world, t, id)) {
                Some(v) => ok(v, 201),
                None => Reply::no_content(),
            }
        }
        (Resource::Tenant(id), "GET") => {
            let g = tenant_id(id)?;
            let v = entity::member(world, t, g).ok_or_else(Problem::tenant_not_found)?;
            ok(v, 200)
        }
        (Resource::Tenant(id), "PATCH") => {
            let body = rq::parse_object(c.body)?;
            let target = known(world, id)?;
            if let Some(action) = rq::set_role(target, &body)? {
                apply(world, t, action)?;
            }
            Reply::no_content()
        }
        (Resource::Tenant(id), "DELETE") => {
            let target = known(world, id)?;
            apply(world, t, Action::RemoveTenant { target })?;
            Reply::no_content()
        }
        (Resource::JoinRequest, "GET") => ok(mtosim_graph::join_request(world, t), 200),
        (Resource::JoinRequest, "PATCH") => {
            let action = rq::join_request(world, &rq::parse_object(c.body)?)?;
            apply(world, t, action)?;
            Reply::no_content()
        }
        // the dispatcher checks the method against `Resource::allowed` first
        _ => return Err(Fail::Problem(method_not_allowed())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_resources_or_the_first_unknown_segment() {
        let r = |p: &str| {
            let s: Vec<&str> = p.split('/').collect();
            resource(&s).map(|r| format!("{r:?}")).map_err(|e| e.to_string())
        };
        assert_eq!(r("tenantRelationships/multiTenantOrganization"), Ok("Mto".into()));
        assert_eq!(
            r("tenantrelationships/MULTITENANTORGANIZATION/tenants"),
            Ok("Tenants".into())
        );
        assert_eq!(
            r("tenantRelationships/multiTenantOrganization/tenants/x"),
            Ok("Tenant(\"x\")".into())
        );
        assert_eq!(
            r("tenantRelationships/multiTenantOrganization/joinRequest"),
            Ok("JoinRequest".into())
        );
        assert_eq!(r("users"), Err("users".into()));
        assert_eq!(r("tenantRelationships/foo"), Err("foo".into()));
        assert_eq!(
            r("tenantRelationships/multiTenantOrganization/bar"),
            Err("bar".into())
        );
        assert_eq!(
            r("tenantRelationships/multiTenantOrganization/tenants/x/y"),
            Err("y".into())
        );
        assert_eq!(
            r("tenantRelationships/multiTenantOrganization/joinRequest/z"),
            Err("z".into())
        );
    }
}
