//! The Graph endpoints of `/{version}/policies/crossTenantAccessPolicy`, for the tenant a token
//! names: the policy itself, the default configuration (with `resetToSystemDefault`), the
//! partner configurations with their identity synchronization policy, and the two MTO templates
//! (with `resetToDefaultSettings`). Each request body becomes an engine `Action`
//! (`mtosim_graph::request_policy`), applied with `World::apply` as that tenant's Global
//! Administrator; what it answers is the tenant's view as mtosim-graph renders it, with the
//! status codes of the Graph v1.0 reference pages (and 409
//! `Request_MultipleObjectsWithSameKeyValue` for a create of what exists, as the
//! cross-tenant synchronization tutorial shows).

use crate::call::{self, apply, is_action, Fail};
use crate::odata;
use crate::reply::Reply;
use mtosim_engine::action::TemplatesPatch;
use mtosim_engine::{Action, Guid, TenantIdx, World};
use mtosim_graph::entity::{self, Version};
use mtosim_graph::request::{self as rq, Problem};
use mtosim_graph::request_policy as rp;
use serde_json::Value;

/// The resources of this area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'p> {
    /// `policies/crossTenantAccessPolicy`.
    Policy,
    /// `.../default`.
    Default,
    /// `.../default/resetToSystemDefault`.
    ResetDefault,
    /// `.../partners`.
    Partners,
    /// `.../partners/{tenantId}`.
    Partner(&'p str),
    /// `.../partners/{tenantId}/identitySynchronization`.
    IdentitySync(&'p str),
    /// `.../templates/multiTenantOrganizationPartnerConfiguration`.
    PartnerTemplate,
    /// `.../templates/multiTenantOrganizationPartnerConfiguration/resetToDefaultSettings`.
    ResetPartnerTemplate,
    /// `.../templates/multiTenantOrganizationIdentitySynchronization`.
    IdentityTemplate,
    /// `.../templates/multiTenantOrganizationIdentitySynchronization/resetToDefaultSettings`.
    ResetIdentityTemplate,
}

impl Resource<'_> {
    /// The methods the resource answers.
    pub fn allowed(self) -> &'static [&'static str] {
        match self {
            Resource::Policy | Resource::Default => &["GET", "PATCH"],
            Resource::Partners => &["GET", "POST"],
            Resource::Partner(_) => &["GET", "PATCH", "DELETE"],
            Resource::IdentitySync(_) => &["GET", "PUT", "PATCH", "DELETE"],
            Resource::PartnerTemplate | Resource::IdentityTemplate => &["GET", "PATCH"],
            Resource::ResetDefault | Resource::ResetPartnerTemplate | Resource::ResetIdentityTemplate => {
                &["POST"]
            }
        }
    }
}

/// The resource `segments` (after the version, from `policies`) name, or the first segment
/// that names none.
pub fn resource<'p>(segments: &[&'p str]) -> Result<Resource<'p>, &'p str> {
    let is = |i: usize, name: &str| segments.get(i).is_some_and(|s| s.eq_ignore_ascii_case(name));
    let seg = |i: usize| segments.get(i).copied().unwrap_or("");
    let end = |n: usize, r: Resource<'p>| if segments.len() == n { Ok(r) } else { Err(seg(n)) };
    if !is(0, "policies") {
        return Err(seg(0));
    }
    if !is(1, "crossTenantAccessPolicy") {
        return Err(seg(1));
    }
    if segments.len() == 2 {
        return Ok(Resource::Policy);
    }
    if is(2, "default") {
        if segments.len() == 3 {
            return Ok(Resource::Default);
        }
        if is_action(seg(3), "resetToSystemDefault") {
            return end(4, Resource::ResetDefault);
        }
        return Err(seg(3));
    }
    if is(2, "partners") {
        return match segments.len() {
            3 => Ok(Resource::Partners),
            4 => Ok(Resource::Partner(segments[3])),
            _ if is(4, "identitySynchronization") => end(5, Resource::IdentitySync(segments[3])),
            _ => Err(seg(4)),
        };
    }
    if is(2, "templates") {
        if segments.len() == 3 {
            // `policyTemplate` itself is not served, only its two templates
            return Err(seg(2));
        }
        let (template, reset) = if is(3, "multiTenantOrganizationPartnerConfiguration") {
            (Resource::PartnerTemplate, Resource::ResetPartnerTemplate)
        } else if is(3, "multiTenantOrganizationIdentitySynchronization") {
            (Resource::IdentityTemplate, Resource::ResetIdentityTemplate)
        } else {
            return Err(seg(3));
        };
        if segments.len() == 4 {
            return Ok(template);
        }
        if is_action(seg(4), "resetToDefaultSettings") {
            return end(5, reset);
        }
        return Err(seg(4));
    }
    Err(seg(2))
}

/// One request of this area.
pub type Call<'a, 'p> = call::Call<'a, Resource<'p>>;

/// Whether `query` asks `$expand=identitySynchronization`, the one query option these
/// endpoints take, and only on partners when `expandable`; any other option is refused with
/// Graph's error rather than ignored.
fn expands_sync(query: &str, expandable: bool) -> Result<bool, Problem> {
    let mut expand = false;
    for o in odata::options(query)? {
        let sync_only = o
            .value
            .split(',')
            .all(|e| e.trim().eq_ignore_ascii_case("identitySynchronization"));
        if expandable && o.name == "$expand" && sync_only {
            expand = true;
            continue;
        }
        return Err(odata::not_taken(
            &o,
            "only $expand=identitySynchronization, on GET of partners",
        ));
    }
    Ok(expand)
}

/// The partner tenant a `{tenantId}` segment names: 400 for what is not a GUID, 404
/// `Directory_ObjectNotFound` when `t` has no partner configuration for it.
fn configured(world: &World, t: TenantIdx, id: &str) -> Result<TenantIdx, Problem> {
    let g = Guid::parse(id).ok_or_else(|| {
        Problem::bad_request(format!(
            "'{id}' is not a tenant id; a tenant id is a GUID such as 4a12efe6-aa14-4d03-8dff-88fc89e2e2ad."
        ))
    })?;
    rq::tenant_by_id(world, &g.to_string())
        .filter(|p| world.tenant(t).partners.contains_key(p))
        .ok_or_else(Problem::tenant_not_found)
}

/// Whether `t`'s configuration for `partner` has an identity synchronization policy.
fn has_sync_policy(world: &World, t: TenantIdx, partner: TenantIdx) -> bool {
    world
        .tenant(t)
        .partners
        .get(&partner)
        .is_some_and(|p| p.has_sync_policy)
}

/// Resets one template: the engine resets both (MTO-64), so the other template's values are
/// written back (its `templateApplicationLevel` is shared with this one's and resets too).
fn reset_one_template(world: &mut World, t: TenantIdx, partner_template: bool) -> Result<(), Fail> {
    let before = world.tenant(t).templates.clone();
    apply(world, t, Action::ResetTemplates)?;
    let restore = if partner_template {
        TemplatesPatch {
            sync_inbound: before.sync_inbound,
            ..TemplatesPatch::default()
        }
    } else {
        TemplatesPatch {
            auto_redeem_inbound: before.auto_redeem_inbound,
            auto_redeem_outbound: before.auto_redeem_outbound,
            mfa_trust: before.mfa_trust,
            ..TemplatesPatch::default()
        }
    };
    if restore != TemplatesPatch::default() {
        apply(world, t, Action::SetTemplates { patch: restore })?;
    }
    Ok(())
}

/// Answers `c` (its method is one `c.resource` allows), or says why it failed.
pub fn run(world: &mut World, c: &Call) -> Result<Reply, Fail> {
    let expandable = matches!(c.resource, Resource::Partners | Resource::Partner(_)) && c.method == "GET";
    let expand = expands_sync(c.query, expandable)?;
    let t = c.tenant;
    let ok = |v: Value, status: u16| Reply::json(status, entity::at_version(v, c.version));
    // beta's identity synchronization policies also say whether groups sync in (XTAP-11)
    let beta = c.version == Version::Beta;
    let beta_shape = |world: &World, v: Value| if beta { rp::with_group_sync(world, t, v) } else { v };
    let body = || rq::parse_object(c.body);
    Ok(match (c.resource, c.method) {
        (Resource::Policy, "GET") => ok(rp::policy(world, t), 200),
        (Resource::Policy, "PATCH") => {
            rp::update_policy(world, t, &body()?)?;
            Reply::no_content()
        }
        (Resource::Default, "GET") => ok(rp::default_configuration(world, t), 200),
        (Resource::Default, "PATCH") => {
            if let Some(action) = rp::update_default(world, t, &body()?)? {
                apply(world, t, action)?;
            }
            Reply::no_content()
        }
        (Resource::ResetDefault, "POST") => {
            let action = Action::SetDefaultAccess {
                inbound: None,
                outbound: None,
                reset: true,
            };
            apply(world, t, action)?;
            Reply::no_content()
        }
        (Resource::Partners, "GET") => ok(beta_shape(world, rp::partners(world, t, expand)), 200),
        (Resource::Partners, "POST") => {
            let (partner, patch) = rp::create_partner(world, t, &body()?)?;
            if world.tenant(t).partners.contains_key(&partner) {
                return Err(rp::partner_exists().into());
            }
            apply(world, t, Action::SetPartner { partner, patch })?;
            match rp::partner(world, t, partner, false) {
                Some(v) => ok(v, 201),
                None => Reply::no_content(),
            }
        }
        (Resource::Partner(id), "GET") => {
            let partner = configured(world, t, id)?;
            let v = rp::partner(world, t, partner, expand).ok_or_else(Problem::tenant_not_found)?;
            ok(beta_shape(world, v), 200)
        }
        (Resource::Partner(id), "PATCH") => {
            let b = body()?;
            let partner = configured(world, t, id)?;
            let patch = rp::update_partner(world, t, partner, &b)?;
            if patch != Default::default() {
                apply(world, t, Action::SetPartner { partner, patch })?;
            }
            Reply::no_content()
        }
        (Resource::Partner(id), "DELETE") => {
            let partner = configured(world, t, id)?;
            let action = Action::DeletePartner {
                partner,
                sync_policy_too: false,
            };
            apply(world, t, action)?;
            Reply::no_content()
        }
        (Resource::IdentitySync(id), "GET") => {
            let partner = configured(world, t, id)?;
            let v = rp::identity_sync_policy(world, t, partner).ok_or_else(rp::sync_policy_not_found)?;
            ok(beta_shape(world, v), 200)
        }
        (Resource::IdentitySync(id), "PUT") => {
            let b = body()?;
            let partner = configured(world, t, id)?;
            if has_sync_policy(world, t, partner) {
                return Err(rp::sync_policy_exists().into());
            }
            let patch = rp::identity_synchronization(world, t, partner, &b, true, beta)?;
            apply(world, t, Action::SetPartner { partner, patch })?;
            Reply::no_content()
        }
        (Resource::IdentitySync(id), "PATCH") => {
            let b = body()?;
            let partner = configured(world, t, id)?;
            if !has_sync_policy(world, t, partner) {
                return Err(Problem::tenant_not_found().into());
            }
            let patch = rp::identity_synchronization(world, t, partner, &b, false, beta)?;
            if patch != Default::default() {
                apply(world, t, Action::SetPartner { partner, patch })?;
            }
            Reply::no_content()
        }
        (Resource::IdentitySync(id), "DELETE") => {
            let partner = configured(world, t, id)?;
            if !has_sync_policy(world, t, partner) {
                return Err(rp::sync_policy_not_found().into());
            }
            apply(world, t, Action::DeleteSyncPolicy { partner })?;
            Reply::no_content()
        }
        (Resource::PartnerTemplate, "GET") => ok(mtosim_graph::partner_template(world, t), 200),
        (Resource::IdentityTemplate, "GET") => ok(mtosim_graph::identity_template(world, t), 200),
        (Resource::PartnerTemplate | Resource::IdentityTemplate, "PATCH") => {
            let b = body()?;
            let patch = if c.resource == Resource::PartnerTemplate {
                rp::update_partner_template(world, t, &b)?
            } else {
                rp::update_identity_template(world, t, &b)?
            };
            if patch != TemplatesPatch::default() {
                apply(world, t, Action::SetTemplates { patch })?;
            }
            Reply::no_content()
        }
        (Resource::ResetPartnerTemplate, "POST") => {
            reset_one_template(world, t, true)?;
            Reply::no_content()
        }
        (Resource::ResetIdentityTemplate, "POST") => {
            reset_one_template(world, t, false)?;
            Reply::no_content()
        }
        // the dispatcher checks the method against `Resource::allowed` first
        _ => return Err(Fail::Problem(crate::graph_api::method_not_allowed())),
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
        let x = "policies/crossTenantAccessPolicy";
        assert_eq!(r(x), Ok("Policy".into()));
        assert_eq!(
            r("POLICIES/crosstenantaccesspolicy/Default"),
            Ok("Default".into())
        );
        assert_eq!(
            r(&format!("{x}/default/resetToSystemDefault")),
            Ok("ResetDefault".into())
        );
        assert_eq!(
            r(&format!("{x}/default/microsoft.graph.resetToSystemDefault")),
            Ok("ResetDefault".into())
        );
        assert_eq!(r(&format!("{x}/partners")), Ok("Partners".into()));
        assert_eq!(r(&format!("{x}/partners/a")), Ok("Partner(\"a\")".into()));
        assert_eq!(
            r(&format!("{x}/partners/a/identitySynchronization")),
            Ok("IdentitySync(\"a\")".into())
        );
        assert_eq!(
            r(&format!(
                "{x}/templates/multiTenantOrganizationPartnerConfiguration"
            )),
            Ok("PartnerTemplate".into())
        );
        assert_eq!(
            r(&format!(
                "{x}/templates/multiTenantOrganizationIdentitySynchronization/resetToDefaultSettings"
            )),
            Ok("ResetIdentityTemplate".into())
        );
        assert_eq!(r("policies/foo"), Err("foo".into()));
        assert_eq!(r(&format!("{x}/bar")), Err("bar".into()));
        assert_eq!(r(&format!("{x}/default/x")), Err("x".into()));
        assert_eq!(r(&format!("{x}/partners/a/b")), Err("b".into()));
        assert_eq!(
            r(&format!("{x}/partners/a/identitySynchronization/c")),
            Err("c".into())
        );
        assert_eq!(r(&format!("{x}/templates")), Err("templates".into()));
        assert_eq!(r(&format!("{x}/templates/y")), Err("y".into()));
    }

    #[test]
    fn expand_is_read_from_the_query() {
        assert_eq!(expands_sync("$expand=identitySynchronization", true), Ok(true));
        assert_eq!(expands_sync("%24expand=IdentitySynchronization", true), Ok(true));
        assert_eq!(expands_sync("", true), Ok(false));
        assert!(expands_sync("$expand=identitySynchronization", false).is_err());
        assert!(expands_sync("$select=tenantId", true).is_err());
        assert!(expands_sync("$expand=identitySynchronization,foo", true).is_err());
        assert!(expands_sync(
            "$expand=identitySynchronization&expand=identitySynchronization",
            true
        )
        .is_err());
    }
}
