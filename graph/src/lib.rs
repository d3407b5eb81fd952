//! # mtosim-graph
//!
//! The only crate that knows Microsoft Graph's JSON: serde types for the Graph resources mtosim
//! writes (and later reads and serves), with Graph's property names and enum spellings,
//! conversions from the engine's views ([`mtosim_engine::view`]), and Graph's error body built
//! from the engine's refusals.
//!
//! It must not: decide anything the engine decides (it converts views, it computes nothing
//! about tenants), speak the scenario file's words (hints render as Graph calls and
//! properties), or read and write files.

pub mod entity;
pub mod error;
pub mod groups;
pub mod import;
mod key_values;
pub mod mto;
pub mod odata;
pub mod organization;
pub mod policy;
pub mod provisioning;
pub mod request;
pub mod request_directory;
pub mod request_policy;
pub mod request_sync;
pub mod sync_objects;
pub mod user_json;
pub mod users;
pub mod words;

pub use error::ErrorBody;
pub use odata::Collection;

use mtosim_engine::{TenantIdx, World};
use serde::Serialize;
use serde_json::Value;

/// A Graph resource as a JSON value (for callers that render or compare JSON).
pub fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("Graph types serialize")
}

/// `GET /organization`: tenant `t`'s id, display name and verified domains.
pub fn organization(world: &World, t: TenantIdx) -> Value {
    to_value(&organization::organization(world, t))
}

/// `GET /tenantRelationships/multiTenantOrganization` as `t` sees it.
pub fn multi_tenant_organization(world: &World, t: TenantIdx) -> Value {
    to_value(&mto::MultiTenantOrganization::of(world, t))
}

/// `GET .../multiTenantOrganization/tenants`: the member list `t` can read.
pub fn tenants(world: &World, t: TenantIdx) -> Value {
    to_value(&mto::members(world, t))
}

/// `GET .../multiTenantOrganization/joinRequest` (MTO-28).
pub fn join_request(world: &World, t: TenantIdx) -> Value {
    to_value(&mto::JoinRequest::of(world, t))
}

/// The partner configuration template (MTO-59).
pub fn partner_template(world: &World, t: TenantIdx) -> Value {
    to_value(&policy::PartnerTemplate::of(world, t))
}

/// The identity synchronization template (MTO-60).
pub fn identity_template(world: &World, t: TenantIdx) -> Value {
    to_value(&policy::IdentityTemplate::of(world, t))
}

/// `GET /policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization`.
pub fn partners(world: &World, t: TenantIdx) -> Value {
    to_value(&policy::partners(world, t))
}

/// `GET /users` as `t` sees them.
pub fn users_json(world: &World, t: TenantIdx) -> Value {
    to_value(&users::users(world, t))
}

/// `GET /users` as `t` sees them, pretty-printed to `w` one user at a time and ended by a
/// newline: the bytes of [`users_json`] pretty-printed, without the collection in memory.
pub fn write_users_json<W: std::io::Write + ?Sized>(
    world: &World,
    t: TenantIdx,
    w: &mut W,
) -> std::io::Result<()> {
    let users = odata::Streamed {
        context: odata::context(world, "users"),
        values: || world.view(t).users().map(move |u| users::User::of(world, t, &u)),
    };
    serde_json::to_writer_pretty(&mut *w, &users)?;
    w.write_all(b"\n")
}

/// `GET /groups?$expand=members` as tenant `t` sees them (CTS-63), written to `w`.
pub fn write_groups_json<W: std::io::Write + ?Sized>(
    world: &World,
    t: TenantIdx,
    w: &mut W,
) -> std::io::Result<()> {
    let groups = odata::Streamed {
        context: odata::context(world, "groups"),
        values: || {
            world
                .view(t)
                .groups()
                .map(move |g| groups::Group::of(world, t, &g))
        },
    };
    serde_json::to_writer_pretty(&mut *w, &groups)?;
    w.write_all(b"\n")
}

/// The provisioning log of configurations whose source is `t`, one `provisioningObjectSummary`
/// per line (CTS-62).
pub fn provisioning_jsonl(world: &World, t: TenantIdx) -> String {
    let mut out = Vec::new();
    write_provisioning_jsonl(world, t, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// [`provisioning_jsonl`] written to `w` one record at a time.
pub fn write_provisioning_jsonl<W: std::io::Write + ?Sized>(
    world: &World,
    t: TenantIdx,
    w: &mut W,
) -> std::io::Result<()> {
    for p in world.view(t).provisioning() {
        let v = provisioning::ProvisioningObjectSummary::of(&p);
        serde_json::to_writer(&mut *w, &v)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
