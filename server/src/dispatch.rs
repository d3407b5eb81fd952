//! One request, start to end, with the world locked (shared by reads of the directory,
//! [`handle_read`]; held alone by every other request, [`handle`]): its ids, the caller its token names, the
//! route (`/{v1.0|beta}/...` for tenants, `/mtosim/...` for the operator), the method, and the
//! endpoint's answer. Errors answer as Graph does: 401 `InvalidAuthenticationToken`, 400
//! `BadRequest` "Resource not found for the segment '...'.", 405 with `Allow`.

use crate::auth::{self, Caller, Tokens};
use crate::call::{self, Call, Fail};
use crate::reply::{self, Ids, Reply};
use crate::{directory_api, graph_api, operator, policy_api, sync_api};
use mtosim_engine::{TenantIdx, World};
use mtosim_graph::entity::Version;

/// What the dispatcher reads of a request.
pub struct Request<'a> {
    /// The method, upper case.
    pub method: &'a str,
    /// The path, from its leading `/`.
    pub path: &'a str,
    /// The query string, without `?`.
    pub query: &'a str,
    /// The `Authorization` header.
    pub authorization: Option<&'a [u8]>,
    /// The body.
    pub body: &'a [u8],
    /// The request sent `ConsistencyLevel: eventual` (Graph's advanced queries: `$count`).
    pub consistency_eventual: bool,
}

/// The ids of a request: a fresh `request-id`, and the client's `client-request-id` (or the
/// request id, when it sent none).
pub fn ids(client_request_id: Option<&str>) -> Ids {
    let request_id = auth::random_guid();
    let client_request_id = client_request_id
        .filter(|c| !c.is_empty() && c.len() <= 128)
        .map(str::to_string)
        .unwrap_or_else(|| request_id.clone());
    Ids {
        request_id,
        client_request_id,
    }
}

/// "Resource not found for the segment '...'."
fn no_segment(world: &World, ids: &Ids, seg: &str) -> Reply {
    reply::error(
        world,
        ids,
        400,
        "BadRequest",
        &format!("Resource not found for the segment '{seg}'."),
    )
}

/// 405 with the methods the resource takes.
fn wrong_method(world: &World, ids: &Ids, allowed: &[&str]) -> Reply {
    reply::problem(world, ids, &graph_api::method_not_allowed()).with_header("allow", allowed.join(", "))
}

/// 401, as Graph answers a missing or foreign token.
fn unauthenticated(world: &World, ids: &Ids, caller: Caller) -> Reply {
    let message = match caller {
        Caller::Missing => "Access token is empty.",
        _ => "Access token validation failure: this server did not issue the token.",
    };
    reply::error(world, ids, 401, "InvalidAuthenticationToken", message)
        .with_header("www-authenticate", "Bearer")
}

/// The calling tenant and the version of a Graph call (its first segment `first`), or the
/// error reply for a foreign token or an unknown version.
fn tenant_call(world: &World, ids: &Ids, caller: Caller, first: &str) -> Result<(TenantIdx, Version), Reply> {
    let Some(version) = Version::from_segment(first) else {
        return Err(no_segment(world, ids, first));
    };
    match caller {
        Caller::Tenant(t) => Ok((t, version)),
        Caller::Operator => Err(reply::error(
            world,
            ids,
            403,
            "Authorization_RequestDenied",
            "The operator token does not act as a tenant; call Graph with a tenant's token.",
        )),
        other => Err(unauthenticated(world, ids, other)),
    }
}

/// `req`'s path segments, without the leading and trailing `/`.
fn segments<'r>(req: &Request<'r>) -> Vec<&'r str> {
    let path = req.path.trim_start_matches('/');
    let path = path.strip_suffix('/').unwrap_or(path);
    path.split('/').collect()
}

/// Answers `req` if it is a read of the directory (`GET` of users and groups) by a tenant,
/// with the world shared with other readers; `None` for every other request (and for one
/// that fails before its call), which [`handle`] answers with the world held alone. Both
/// answer a read alike: `handle` runs the same call.
pub fn handle_read(
    world: &World,
    tokens: &Tokens,
    caches: &call::Caches,
    ids: &Ids,
    req: &Request,
) -> Option<Reply> {
    if req.method != "GET" {
        return None;
    }
    let segments = segments(req);
    let (tenant, version) = tenant_call(world, ids, tokens.caller(req.authorization), segments[0]).ok()?;
    let rest = &segments[1..];
    let area = rest.first().copied().unwrap_or("");
    if !["users", "groups"].iter().any(|a| area.eq_ignore_ascii_case(a)) {
        return None;
    }
    let resource = directory_api::resource(rest).ok()?;
    if !resource.allowed().contains(&"GET") {
        return None;
    }
    let c = Call {
        tenant,
        version,
        method: req.method,
        resource,
        query: req.query,
        body: req.body,
        ids,
        consistency_eventual: req.consistency_eventual,
        caches,
    };
    let result = directory_api::read(world, &c)?;
    Some(call::answer(world, ids, result))
}

/// Answers `req`; `recorder` writes the session on `POST /mtosim/record` (`--record`).
pub fn handle(
    world: &mut World,
    tokens: &Tokens,
    recorder: Option<&operator::Recorder>,
    caches: &call::Caches,
    ids: &Ids,
    req: &Request,
) -> Reply {
    let segments = segments(req);
    let caller = tokens.caller(req.authorization);
    let first = segments[0];
    if first == "mtosim" {
        match caller {
            Caller::Operator => {}
            Caller::Tenant(_) => {
                return reply::error(
                    world,
                    ids,
                    403,
                    "Authorization_RequestDenied",
                    "Only the operator token can call the /mtosim endpoints.",
                )
            }
            other => return unauthenticated(world, ids, other),
        }
        let res = match operator::resource(&segments[1..]) {
            Ok(r) => r,
            Err(seg) => return no_segment(world, ids, seg),
        };
        if !res.allowed().contains(&req.method) {
            return wrong_method(world, ids, res.allowed());
        }
        return match operator::handle(world, recorder, res, req.query, req.body) {
            Ok(r) => r,
            Err(p) => reply::problem(world, ids, &p),
        };
    }
    let (tenant, version) = match tenant_call(world, ids, caller, first) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let rest = &segments[1..];
    let area = rest.first().copied().unwrap_or("");
    let is = |names: &[&str]| names.iter().any(|a| area.eq_ignore_ascii_case(a));
    // each area of Graph is one module: the multitenant organization, the cross-tenant access
    // policy, cross-tenant synchronization, the directory (users, groups, invitations)
    let at = Target {
        tenant,
        version,
        rest,
        req,
        ids,
        caches,
    };
    // an area module's resource parser, its resources' methods, and its calls
    macro_rules! route {
        ($area:ident) => {
            route(
                world,
                &at,
                Area {
                    resource: $area::resource,
                    allowed: |r| r.allowed(),
                    run: $area::run,
                },
            )
        };
    }
    if is(&["policies"]) {
        route!(policy_api)
    } else if is(&["applicationTemplates", "servicePrincipals", "auditLogs"]) {
        route!(sync_api)
    } else if is(&["users", "groups", "invitations"]) {
        route!(directory_api)
    } else {
        route!(graph_api)
    }
}

/// A tenant's request, its path after the version.
struct Target<'a, 'r> {
    tenant: TenantIdx,
    version: Version,
    rest: &'a [&'r str],
    req: &'a Request<'r>,
    ids: &'a Ids,
    caches: &'a call::Caches,
}

/// An area of Graph: the resource its paths name (or the first segment that names none), the
/// methods a resource answers, and how it answers a call.
struct Area<'r, R> {
    resource: fn(&[&'r str]) -> Result<R, &'r str>,
    allowed: fn(&R) -> &'static [&'static str],
    run: fn(&mut World, &Call<R>) -> Result<Reply, Fail>,
}

/// Answers a tenant's request with `area`: the resource, the method, the call.
fn route<'r, R>(world: &mut World, at: &Target<'_, 'r>, area: Area<'r, R>) -> Reply {
    let resource = match (area.resource)(at.rest) {
        Ok(r) => r,
        Err(seg) => return no_segment(world, at.ids, seg),
    };
    let allowed = (area.allowed)(&resource);
    if !allowed.contains(&at.req.method) {
        return wrong_method(world, at.ids, allowed);
    }
    let result = (area.run)(
        world,
        &Call {
            tenant: at.tenant,
            version: at.version,
            method: at.req.method,
            resource,
            query: at.req.query,
            body: at.req.body,
            ids: at.ids,
            consistency_eventual: at.req.consistency_eventual,
            caches: at.caches,
        },
    );
    call::answer(world, at.ids, result)
}
