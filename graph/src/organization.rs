//! `organization` as `GET /organization` returns it: the tenant's id, display name and
//! verified domains (the initial `*.onmicrosoft.com` domain first, marked `isInitial`; the
//! tenant's first other domain `isDefault`). An import reads a tenant's identity from it.

use crate::odata::{context, Collection};
use mtosim_engine::{TenantIdx, World};
use serde::Serialize;

/// One `verifiedDomain`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    /// `name`.
    pub name: String,
    /// `isDefault`.
    pub is_default: bool,
    /// `isInitial`.
    pub is_initial: bool,
    /// `type`: always `Managed`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// One `organization`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// `id`: the tenant id.
    pub id: String,
    /// `displayName`.
    pub display_name: String,
    /// `verifiedDomains`.
    pub verified_domains: Vec<VerifiedDomain>,
}

impl Organization {
    /// Tenant `t`'s organization object.
    pub fn of(world: &World, t: TenantIdx) -> Organization {
        let spec = &world.tenant(t).spec;
        let initial = &spec.initial_domain;
        let default = spec
            .domains
            .iter()
            .find(|d| !d.eq_ignore_ascii_case(initial))
            .unwrap_or(initial);
        let mut verified_domains = vec![VerifiedDomain {
            name: initial.clone(),
            is_default: default == initial,
            is_initial: true,
            kind: "Managed",
        }];
        verified_domains.extend(
            spec.domains
                .iter()
                .filter(|d| !d.eq_ignore_ascii_case(initial))
                .map(|d| VerifiedDomain {
                    name: d.clone(),
                    is_default: d == default,
                    is_initial: false,
                    kind: "Managed",
                }),
        );
        Organization {
            id: spec.tenant_id.to_string(),
            display_name: spec.display_name.clone(),
            verified_domains,
        }
    }
}

/// `GET /organization`: a collection of the one organization `t` is.
pub fn organization(world: &World, t: TenantIdx) -> Collection<Organization> {
    Collection {
        context: context(world, "organization"),
        value: vec![Organization::of(world, t)],
    }
}
