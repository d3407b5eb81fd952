//! A tenant's cross-tenant synchronization objects as Graph's `GET`s answer them, for
//! `mtosim run --out` and `mtosim serve`: the service principals of the cross-tenant
//! synchronization template, each one's jobs, schema and app role assignments, and the body
//! of `PUT .../synchronization/secrets` that saved its credentials (Graph has no `GET` for
//! secrets, so the export keeps the body a script sends). The import reads these files back
//! (`import::sync`).

use crate::odata::context;
use crate::request_sync as rs;
use mtosim_engine::directory::Attr;
use mtosim_engine::{ConfigIdx, Guid, TenantIdx, World};
use serde_json::{Map, Value};

/// The live configurations whose source is `t`, in world order, with their names.
pub fn configs(world: &World, t: TenantIdx) -> Vec<(ConfigIdx, &str)> {
    world.view(t).sync_jobs().map(|j| (j.config, j.name)).collect()
}

/// A collection answer: `@odata.context` of `path`, then `value` (`mtosim serve` adds its
/// `@odata.nextLink` between them).
pub fn collection(world: &World, path: &str, value: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert("@odata.context".into(), Value::String(context(world, path)));
    m.insert("value".into(), Value::Array(value));
    Value::Object(m)
}

/// `GET /servicePrincipals?$filter=applicationTemplateId eq '518e5f48-...'` in `t`: the service
/// principals of its configurations.
pub fn service_principals(world: &World, t: TenantIdx) -> Value {
    let value = configs(world, t)
        .into_iter()
        .map(|(_, name)| rs::service_principal(world, t, name))
        .collect();
    collection(world, "servicePrincipals", value)
}

/// `servicePrincipals('{id}')/...`, the context path of something below configuration `c`'s
/// service principal.
pub fn below(world: &World, t: TenantIdx, c: ConfigIdx, rest: &str) -> String {
    let sp = rs::sp_id(world, t, &world.config(c).name);
    format!("servicePrincipals('{sp}')/{rest}")
}

/// `GET /servicePrincipals/{id}/synchronization/jobs` of configuration `c` (its one job).
pub fn jobs(world: &World, t: TenantIdx, c: ConfigIdx) -> Value {
    let value = world
        .view(t)
        .sync_jobs()
        .filter(|j| j.config == c)
        .map(|j| rs::job(&j))
        .collect();
    collection(world, &below(world, t, c, "synchronization/jobs"), value)
}

/// `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}/schema` of configuration `c`.
pub fn schema(world: &World, t: TenantIdx, c: ConfigIdx) -> Value {
    let mut v = rs::schema(&world.job_id(c), world.config(c));
    let path = below(
        world,
        t,
        c,
        &format!("synchronization/jobs('{}')/schema/$entity", world.job_id(c)),
    );
    if let Value::Object(o) = &mut v {
        o.shift_insert(0, "@odata.context".into(), Value::String(context(world, &path)));
    }
    v
}

/// The principals assigned to configuration `c` of `t`: object id, display name (a user's
/// UPN when it has none) and `principalType`, users then groups.
pub fn principals(world: &World, t: TenantIdx, c: ConfigIdx) -> Vec<(Guid, String, &'static str)> {
    let cfg = world.config(c);
    let dir = &world.tenant(t).dir;
    let mut out: Vec<(Guid, String, &'static str)> = Vec::new();
    for &u in &cfg.users {
        let id = world.user_id(t, u);
        let name = world
            .view(t)
            .own_user(u)
            .map(|x| match x.attr(Attr::DisplayName) {
                Some(d) if !d.is_empty() => d.to_string(),
                _ => x.upn.clone(),
            })
            .unwrap_or_default();
        out.push((id, name, "User"));
    }
    for &g in &cfg.groups {
        out.push((
            world.group_id(t, g),
            dir.groups()[g.ix()].name.to_string(),
            "Group",
        ));
    }
    out
}

/// `GET /servicePrincipals/{id}/appRoleAssignedTo` of configuration `c`.
pub fn assignments(world: &World, t: TenantIdx, c: ConfigIdx) -> Value {
    let name = &world.config(c).name;
    let value = principals(world, t, c)
        .iter()
        .map(|(id, n, ty)| rs::app_role_assignment_entity(world, t, name, (*id, n, ty)))
        .collect();
    collection(world, &below(world, t, c, "appRoleAssignedTo"), value)
}

/// The `PUT /servicePrincipals/{id}/synchronization/secrets` body of configuration `c`, when
/// its credentials are saved (Provisioning Mode Automatic, CTS-75).
pub fn secrets(world: &World, c: ConfigIdx) -> Option<Value> {
    let cfg = world.config(c);
    cfg.automatic.then(|| rs::secrets_body(world, cfg))
}
