//! The Graph endpoints of cross-tenant synchronization as Microsoft's Graph tutorial configures
//! it, for the tenant a token names: `applicationTemplates/{id}/instantiate`,
//! `servicePrincipals` with `appRoleAssignedTo` and `synchronization` (jobs, their `start`,
//! `pause`, `restart`, `provisionOnDemand` and `validateCredentials`, and `secrets`), and
//! `auditLogs/provisioning`. Each request becomes an engine `Action`
//! (`mtosim_graph::request_sync` reads the bodies) applied as that tenant's Global
//! Administrator; the answer is the tenant's view in Graph's JSON, with the status codes of the
//! Graph v1.0 reference pages.
//!
//! The engine has no service principal objects: one sync configuration is the application, its
//! service principal and its one job, with ids derived from the seed, the tenant and the
//! configuration's name (so a replayed journal finds them again). `instantiate` creates the
//! configuration, in Provisioning Mode Manual, toward the target the tenant's partner
//! configurations name (the engine needs a target at creation; Graph learns it only with the
//! credentials): see [`bound_target`]. `PUT .../secrets` turns the mode to Automatic (the test
//! connection). The job's `schema` shows and changes the configuration's user mapping (its
//! attribute mappings and scoping filters; see [`put_schema`]), and `schema/parseExpression`
//! parses and evaluates an expression with the engine's expression language.

use crate::call::{self, apply, is_action, Fail};
use crate::odata;
use crate::reply::Reply;
use mtosim_engine::action::{CreateSync, UserRef};
use mtosim_engine::directory::UserType;
use mtosim_engine::scoping::ScopingFilter;
use mtosim_engine::{Action, ConfigIdx, GroupIdx, Guid, TenantIdx, UserIdx, World};
use mtosim_graph::entity::at_version;
use mtosim_graph::provisioning::ProvisioningObjectSummary;
use mtosim_graph::request::{self as rq, Problem};
use mtosim_graph::request_sync as rs;
use mtosim_graph::sync_objects::{self, principals};
use serde_json::{json, Map, Value};

/// A job action of `.../jobs/{jobId}/...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobAction {
    /// `start`.
    Start,
    /// `pause`.
    Pause,
    /// `restart`.
    Restart,
    /// `provisionOnDemand`.
    ProvisionOnDemand,
    /// `validateCredentials`.
    ValidateCredentials,
}

/// The resources of this area; ids as the path gave them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'p> {
    /// `applicationTemplates/{id}/instantiate`.
    Instantiate(&'p str),
    /// `servicePrincipals`.
    ServicePrincipals,
    /// `servicePrincipals/{id}`.
    ServicePrincipal(&'p str),
    /// `servicePrincipals/{id}/appRoleAssignedTo`.
    Assignments(&'p str),
    /// `servicePrincipals/{id}/appRoleAssignedTo/{id}`.
    Assignment(&'p str, &'p str),
    /// `servicePrincipals/{id}/synchronization/jobs`.
    Jobs(&'p str),
    /// `servicePrincipals/{id}/synchronization/jobs/validateCredentials`.
    ValidateCredentials(&'p str),
    /// `servicePrincipals/{id}/synchronization/jobs/{jobId}`.
    Job(&'p str, &'p str),
    /// `servicePrincipals/{id}/synchronization/jobs/{jobId}/{action}`.
    JobAction(&'p str, &'p str, JobAction),
    /// `servicePrincipals/{id}/synchronization/jobs/{jobId}/schema`.
    Schema(&'p str, &'p str),
    /// `servicePrincipals/{id}/synchronization/jobs/{jobId}/schema/parseExpression`.
    ParseExpression(&'p str, &'p str),
    /// `servicePrincipals/{id}/synchronization/secrets`.
    Secrets(&'p str),
    /// `auditLogs/provisioning`.
    Provisioning,
}

impl Resource<'_> {
    /// The methods the resource answers.
    pub fn allowed(self) -> &'static [&'static str] {
        match self {
            Resource::Instantiate(_)
            | Resource::ValidateCredentials(_)
            | Resource::JobAction(..)
            | Resource::ParseExpression(..) => &["POST"],
            Resource::Schema(..) => &["GET", "PUT"],
            Resource::ServicePrincipals | Resource::Provisioning => &["GET"],
            Resource::ServicePrincipal(_) | Resource::Job(..) => &["GET", "DELETE"],
            Resource::Assignments(_) | Resource::Jobs(_) => &["GET", "POST"],
            Resource::Assignment(..) => &["DELETE"],
            Resource::Secrets(_) => &["PUT"],
        }
    }
}

/// The resource `segments` (after the version) name, or the first segment that names none.
pub fn resource<'p>(segments: &[&'p str]) -> Result<Resource<'p>, &'p str> {
    let is = |i: usize, name: &str| segments.get(i).is_some_and(|s| s.eq_ignore_ascii_case(name));
    let seg = |i: usize| segments.get(i).copied().unwrap_or("");
    let end = |n: usize, r: Resource<'p>| if segments.len() == n { Ok(r) } else { Err(seg(n)) };
    if is(0, "applicationTemplates") {
        // the gallery itself is not served, only the instantiation of one application
        if segments.len() >= 3 && is_action(seg(2), "instantiate") {
            return end(3, Resource::Instantiate(segments[1]));
        }
        return Err(seg(if segments.len() <= 2 { 0 } else { 2 }));
    }
    if is(0, "auditLogs") {
        if is(1, "provisioning") {
            return end(2, Resource::Provisioning);
        }
        return Err(seg(if segments.len() == 1 { 0 } else { 1 }));
    }
    if !is(0, "servicePrincipals") {
        return Err(seg(0));
    }
    if segments.len() == 1 {
        return Ok(Resource::ServicePrincipals);
    }
    let sp = segments[1];
    if segments.len() == 2 {
        return Ok(Resource::ServicePrincipal(sp));
    }
    if is(2, "appRoleAssignedTo") {
        return match segments.len() {
            3 => Ok(Resource::Assignments(sp)),
            4 => Ok(Resource::Assignment(sp, segments[3])),
            _ => Err(seg(4)),
        };
    }
    if !is(2, "synchronization") {
        return Err(seg(2));
    }
    if is(3, "secrets") {
        return end(4, Resource::Secrets(sp));
    }
    if !is(3, "jobs") {
        // `synchronization` itself and its templates are not served
        return Err(seg(if segments.len() == 3 { 2 } else { 3 }));
    }
    if segments.len() == 4 {
        return Ok(Resource::Jobs(sp));
    }
    if is_action(seg(4), "validateCredentials") {
        return end(5, Resource::ValidateCredentials(sp));
    }
    let job = segments[4];
    if segments.len() == 5 {
        return Ok(Resource::Job(sp, job));
    }
    if is(5, "schema") {
        return match segments.len() {
            6 => Ok(Resource::Schema(sp, job)),
            7 if is_action(seg(6), "parseExpression") => Ok(Resource::ParseExpression(sp, job)),
            _ => Err(seg(6)),
        };
    }
    let action = [
        ("start", JobAction::Start),
        ("pause", JobAction::Pause),
        ("restart", JobAction::Restart),
        ("provisionOnDemand", JobAction::ProvisionOnDemand),
        ("validateCredentials", JobAction::ValidateCredentials),
    ]
    .into_iter()
    .find(|(n, _)| is_action(seg(5), n));
    match action {
        // everything else under a job is not served
        Some((_, a)) => end(6, Resource::JobAction(sp, job, a)),
        None => Err(seg(5)),
    }
}

/// One request of this area.
pub type Call<'a, 'p> = call::Call<'a, Resource<'p>>;

/// 404 `Request_ResourceNotFound`, as Graph answers an object id that names nothing.
fn not_found(id: &str) -> Problem {
    Problem {
        status: 404,
        code: "Request_ResourceNotFound",
        message: format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    }
}

/// The live configuration of `t` whose service principal id is `id`, with its name.
fn config_of(world: &World, t: TenantIdx, id: &str) -> Result<(ConfigIdx, String), Problem> {
    let g = Guid::parse(id).ok_or_else(|| Problem {
        status: 400,
        code: "Request_BadRequest",
        message: format!("Invalid object identifier '{id}'."),
    })?;
    world
        .view(t)
        .sync_jobs()
        .find(|j| rs::sp_id(world, t, j.name) == g)
        .map(|j| (j.config, j.name.to_string()))
        .ok_or_else(|| not_found(id))
}

/// Checks that `job` is the job of configuration `c`.
fn job_of(world: &World, c: ConfigIdx, sp: &str, job: &str) -> Result<(), Problem> {
    if world.job_id(c).eq_ignore_ascii_case(job) {
        Ok(())
    } else {
        Err(Problem {
            status: 404,
            code: "Request_ResourceNotFound",
            message: format!(
                "The synchronization job '{job}' does not exist on the service principal '{sp}'."
            ),
        })
    }
}

/// The target `instantiate` binds a new configuration of `t` to: the engine needs it at
/// creation, Graph reads it only with the credentials. Among `t`'s partner configurations for
/// tenants it has no configuration toward yet, the one that allows automatic redemption
/// outbound (the tutorial's step 5), else the only one; anything else is a 400 saying why.
pub fn bound_target(world: &World, t: TenantIdx) -> Result<TenantIdx, Problem> {
    let tenant = world.tenant(t);
    let taken: Vec<TenantIdx> = world.view(t).sync_jobs().map(|j| j.target).collect();
    let free: Vec<TenantIdx> = tenant
        .partners
        .keys()
        .copied()
        .filter(|p| !taken.contains(p))
        .collect();
    let redeeming: Vec<TenantIdx> = free
        .iter()
        .copied()
        .filter(|p| tenant.partners[p].auto_redeem_outbound == Some(true))
        .collect();
    match (redeeming.as_slice(), free.as_slice()) {
        ([one], _) | ([], [one]) => Ok(*one),
        _ => Err(Problem::bad_request(format!(
            "mtosim serve creates the configuration when the application is instantiated, and needs its target tenant then: it takes the one partner configuration (POST /policies/crossTenantAccessPolicy/partners) with automaticUserConsentSettings.outboundAllowed true that no configuration syncs to yet. This tenant has {} such partner configuration(s) ({} without a configuration); create exactly one first.",
            redeeming.len(),
            free.len()
        ))),
    }
}

/// The tenant a `CompanyId` names, which must be the configuration's target.
fn check_company(world: &World, c: ConfigIdx, company: &str, path: &str) -> Result<(), Problem> {
    let target = world.config(c).target;
    match rq::tenant_by_id(world, company) {
        Some(x) if x == target => Ok(()),
        Some(_) => Err(Problem::bad_request(format!(
            "CompanyId '{company}' is not the target of this configuration: mtosim serve bound it to the tenant {} (the partner configuration it had when the application was instantiated), and a configuration's target does not change (at {path}).",
            world.tenant(target).spec.tenant_id
        ))),
        None => Err(Problem::bad_request(format!(
            "CompanyId '{company}' names no tenant of this world (at {path})."
        ))),
    }
}

/// The user of tenant `t` (internal, not deleted) whose object id is `id`.
fn user_by_id(world: &World, t: TenantIdx, id: Guid) -> Option<UserIdx> {
    let dir = &world.tenant(t).dir;
    (0..dir.users().len())
        .map(|i| UserIdx(i as u32))
        .find(|&u| dir.users()[u.ix()].deleted_at.is_none() && world.user_id(t, u) == id)
}

/// The group of tenant `t` whose object id is `id`.
fn group_by_id(world: &World, t: TenantIdx, id: Guid) -> Option<GroupIdx> {
    (0..world.tenant(t).dir.groups().len())
        .map(|i| GroupIdx(i as u32))
        .find(|&g| world.group_id(t, g) == id)
}

/// The query options of a collection: `$filter` terms (`path eq 'value'`, joined by `and`),
/// `$top` and `$skiptoken`.
#[derive(Default)]
struct Query {
    filter: Vec<(String, String)>,
    top: Option<usize>,
    skip: usize,
    /// `$orderby=activityDateTime desc` (the log is kept in time order, ascending).
    newest_first: bool,
}

/// The largest `$top`.
const TOP_MAX: usize = 1000;

/// Reads `query`: `$filter` over the properties `filterable` (JSON paths with `/`), `$top`,
/// `$orderby` and `$skiptoken` where `paged`; any other option is a 400, never ignored.
fn query(query: &str, filterable: &[&str], paged: bool) -> Result<Query, Problem> {
    let mut q = Query::default();
    for o in odata::options(query)? {
        let v = o.value.as_str();
        match o.name.as_str() {
            "$filter" if !filterable.is_empty() => q.filter = filter(v, filterable)?,
            "$top" if paged => {
                let n: usize = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=TOP_MAX).contains(n))
                    .ok_or_else(|| {
                        Problem::bad_request(format!(
                            "Invalid value '{v}' for $top: a whole number from 1 to {TOP_MAX}."
                        ))
                    })?;
                q.top = Some(n);
            }
            "$orderby" if paged => {
                let v = v.trim();
                let (prop, dir) = v
                    .split_once(' ')
                    .map_or((v, "asc"), |(p, d)| (p.trim(), d.trim()));
                if !prop.eq_ignore_ascii_case("activityDateTime")
                    || !["asc", "desc"].iter().any(|d| d.eq_ignore_ascii_case(dir))
                {
                    return Err(Problem::bad_request(format!(
                        "Invalid $orderby '{v}': mtosim serve orders the provisioning log by activityDateTime, asc or desc."
                    )));
                }
                q.newest_first = dir.eq_ignore_ascii_case("desc");
            }
            "$skiptoken" if paged => q.skip = odata::decode_skiptoken(v)?,
            _ => {
                let takes = match (filterable.is_empty(), paged) {
                    (true, _) => "no query options".to_string(),
                    (false, false) => format!("$filter with eq on {}", filterable.join(", ")),
                    (false, true) => format!(
                        "$filter with eq on {}, $top, $orderby=activityDateTime and $skiptoken",
                        filterable.join(", ")
                    ),
                };
                return Err(odata::not_taken(&o, &takes));
            }
        }
    }
    Ok(q)
}

/// `a eq 'x' and b eq 'y'`.
fn filter(v: &str, filterable: &[&str]) -> Result<Vec<(String, String)>, Problem> {
    let unsupported = || {
        Problem::bad_request(format!(
            "Invalid filter clause '{v}': mtosim serve reads here only '<property> eq '<value>'' terms joined by 'and', on {}.",
            filterable.join(", ")
        ))
    };
    let mut out = Vec::new();
    for term in v.split(" and ") {
        let term = term.trim();
        let (prop, rest) = term.split_once(' ').ok_or_else(unsupported)?;
        let rest = rest.trim_start();
        let value = rest
            .strip_prefix("eq ")
            .map(str::trim)
            .and_then(|x| x.strip_prefix('\'')?.strip_suffix('\''))
            .ok_or_else(unsupported)?;
        let prop = filterable
            .iter()
            .find(|f| f.eq_ignore_ascii_case(prop))
            .ok_or_else(unsupported)?;
        out.push((prop.to_string(), value.replace("''", "'")));
    }
    Ok(out)
}

impl Query {
    /// Whether `v` passes every term (values compared case-insensitively, as Graph compares
    /// strings).
    fn keeps(&self, v: &Value) -> bool {
        self.filter.iter().all(|(path, want)| {
            let mut x = v;
            for p in path.split('/') {
                x = &x[p];
            }
            x.as_str().is_some_and(|s| s.eq_ignore_ascii_case(want))
        })
    }
}

/// A collection answer: [`sync_objects::collection`], with `@odata.nextLink` (after
/// `@odata.context`) when there is a next page.
fn collection(c: &Call, world: &World, context: &str, value: Vec<Value>, next: Option<String>) -> Reply {
    let mut v = sync_objects::collection(world, context, value);
    if let (Some(n), Value::Object(m)) = (next, &mut v) {
        m.shift_insert(1, "@odata.nextLink".into(), Value::String(n));
    }
    Reply::json(200, at_version(v, c.version))
}

/// `v` with `@odata.context` first.
fn entity(c: &Call, world: &World, context: &str, mut v: Value, status: u16) -> Reply {
    if let Value::Object(o) = &mut v {
        o.shift_insert(
            0,
            "@odata.context".into(),
            Value::String(mtosim_graph::odata::context(world, context)),
        );
    }
    Reply::json(status, at_version(v, c.version))
}

/// `validateCredentials`: the test connection (CTS-5, CTS-6), which changes nothing.
fn validate(world: &World, t: TenantIdx, c: ConfigIdx, body: &Map<String, Value>) -> Result<(), Fail> {
    match rs::validate_credentials(body)? {
        Some(creds) => {
            let company = creds.company_id.as_deref().unwrap_or_default();
            check_company(world, c, company, "$.credentials")?;
        }
        None if !world.config(c).automatic => {
            return Err(Problem::bad_request(
                "useSavedCredentials is true, and no credentials are saved yet (PUT .../synchronization/secrets).",
            )
            .into())
        }
        None => {}
    }
    let cfg = world.config(c);
    let target = cfg.target;
    let (source_t, target_t) = (world.tenant(t), world.tenant(target));
    mtosim_engine::sync::check_clouds(source_t, t, target_t, cfg.cross_cloud)
        .and_then(|_| mtosim_engine::sync::check_prerequisites(source_t, t, target_t, target))
        .map_err(|r| Fail::Refused(Box::new(r)))
}

/// `PUT .../jobs/{jobId}/schema`: the body against the schema shown now, each attribute mapping
/// that differs (changed, added or left out) an `EditMapping` and a changed scope a
/// `SetScopingFilter`, in that order. With more than one action they are applied to a copy of
/// the world first, so that a refused one leaves the schema as it was.
fn put_schema(
    world: &mut World,
    t: TenantIdx,
    cfg: ConfigIdx,
    name: &str,
    body: &Map<String, Value>,
) -> Result<(), Fail> {
    let config = world.config(cfg);
    let current = rs::schema(&world.job_id(cfg), config);
    let update = rs::schema_update(body, &current)?;
    let mut actions = Vec::new();
    for m in &update.mappings {
        let now = config.schema.mapping(&m.target).map(rs::attribute_mapping);
        if now != Some(rs::attribute_mapping(m)) {
            actions.push(Action::EditMapping {
                sync: name.to_string(),
                target: m.target.clone(),
                mapping: Some(m.clone()),
            });
        }
    }
    for m in config.schema.mappings() {
        if !update.mappings.iter().any(|x| x.target == m.target) {
            actions.push(Action::EditMapping {
                sync: name.to_string(),
                target: m.target.clone(),
                mapping: None,
            });
        }
    }
    let filter = if update.filters.is_empty() {
        None
    } else {
        let f = ScopingFilter::parse(&update.filters).map_err(|(fi, ci, e)| {
            Problem::bad_request(format!(
                "The scoping filter clause '{}' is refused: {} (at $.synchronizationRules[0].objectMappings[0].scope.groups[{fi}].clauses[{ci}]).",
                update.filters[fi].get(ci).map_or("", String::as_str),
                e.message
            ))
        })?;
        Some(f)
    };
    if config.filter.as_ref().filter(|f| !f.is_empty()) != filter.as_ref() {
        actions.push(Action::SetScopingFilter {
            sync: name.to_string(),
            filters: update.filters.len(),
            filter,
        });
    }
    if let Some(enabled) = update.provision_groups.filter(|&e| e != config.provision_groups) {
        actions.push(Action::SetGroupProvisioning {
            sync: name.to_string(),
            enabled,
        });
    }
    if actions.len() <= 1 {
        for a in actions {
            apply(world, t, a)?;
        }
        return Ok(());
    }
    let mut scratch = world.clone();
    for a in actions {
        apply(&mut scratch, t, a)?;
    }
    *world = scratch;
    Ok(())
}

/// Answers `c` (its method is one `c.resource` allows), or says why it failed.
pub fn run(world: &mut World, c: &Call) -> Result<Reply, Fail> {
    let t = c.tenant;
    let body = || rq::parse_object(c.body);
    let filterable: &[&str] = match (c.resource, c.method) {
        (Resource::ServicePrincipals, _) => &["displayName", "appId", "id", "applicationTemplateId"],
        (Resource::Provisioning, _) => &[
            "jobId",
            "cycleId",
            "changeId",
            "id",
            "servicePrincipal/displayName",
        ],
        _ => &[],
    };
    let q = query(c.query, filterable, c.resource == Resource::Provisioning)?;
    let sp_context = |sp: &str, rest: &str| format!("servicePrincipals('{sp}')/{rest}");
    Ok(match (c.resource, c.method) {
        (Resource::Instantiate(template), "POST") => {
            if !template.eq_ignore_ascii_case(rs::TEMPLATE_ID) {
                return Err(not_found(template).into());
            }
            let name = rs::instantiate(&body()?)?;
            let target = bound_target(world, t)?;
            let spec = CreateSync {
                target,
                name: name.clone(),
                scope_all: false,
                user_type: UserType::Member,
                apply_always: false,
                delete_action: true,
                delete_threshold: None,
                provision_groups: false,
                cross_cloud: false,
                manual: true,
            };
            apply(world, t, Action::CreateSync(Box::new(spec)))?;
            let created = world.now().to_string();
            let v = rs::application_service_principal(world, t, &name, &created);
            Reply::json(201, at_version(v, c.version))
        }
        (Resource::ServicePrincipals, "GET") => {
            let names: Vec<String> = world.view(t).sync_jobs().map(|j| j.name.to_string()).collect();
            let value = names
                .iter()
                .map(|n| rs::service_principal(world, t, n))
                .filter(|v| q.keeps(v))
                .collect();
            collection(c, world, "servicePrincipals", value, None)
        }
        (Resource::ServicePrincipal(sp), "GET") => {
            let (_, name) = config_of(world, t, sp)?;
            entity(
                c,
                world,
                "servicePrincipals/$entity",
                rs::service_principal(world, t, &name),
                200,
            )
        }
        (Resource::ServicePrincipal(sp), "DELETE") => {
            let (_, name) = config_of(world, t, sp)?;
            apply(world, t, Action::DeleteSync { sync: name })?;
            Reply::no_content()
        }
        (Resource::Assignments(sp), "GET") => {
            let (cfg, name) = config_of(world, t, sp)?;
            let value = principals(world, t, cfg)
                .iter()
                .map(|(id, n, ty)| rs::app_role_assignment_entity(world, t, &name, (*id, n, ty)))
                .collect();
            collection(c, world, &sp_context(sp, "appRoleAssignedTo"), value, None)
        }
        (Resource::Assignments(sp), "POST") => {
            let b = body()?;
            let (cfg, name) = config_of(world, t, sp)?;
            let (principal, resource, role) = rs::app_role_assignment(&b)?;
            if resource != rs::sp_id(world, t, &name) {
                return Err(Problem::bad_request(format!(
                    "resourceId '{resource}' is not the service principal of the path, '{sp}' (at $.resourceId)."
                ))
                .into());
            }
            if role != rs::app_role_id(world, t, &name) && role != Guid::ZERO {
                return Err(Problem::bad_request(format!(
                    "Permission '{role}' does not exist on the service principal '{sp}'; its app role is msiam_access, {} (at $.appRoleId).",
                    rs::app_role_id(world, t, &name)
                ))
                .into());
            }
            let (users, groups) = if let Some(u) = user_by_id(world, t, principal) {
                (vec![UserRef::Idx(u)], Vec::new())
            } else if let Some(g) = group_by_id(world, t, principal) {
                (Vec::new(), vec![g])
            } else {
                return Err(Problem::bad_request(format!(
                    "principalId '{principal}' names no user or group of this tenant (at $.principalId)."
                ))
                .into());
            };
            let config = world.config(cfg);
            let exists = users
                .iter()
                .any(|u| matches!(u, UserRef::Idx(u) if config.users.contains(u)))
                || groups.iter().any(|g| config.groups.contains(g));
            if exists {
                return Err(Fail::Problem(Problem {
                    status: 400,
                    code: "Request_BadRequest",
                    message: "Permission being assigned already exists on the object".to_string(),
                }));
            }
            apply(
                world,
                t,
                Action::Assign {
                    sync: name.clone(),
                    groups,
                    users,
                },
            )?;
            let p = principals(world, t, cfg)
                .into_iter()
                .find(|p| p.0 == principal)
                .unwrap_or((principal, String::new(), "User"));
            let v = rs::app_role_assignment_entity(world, t, &name, (p.0, &p.1, p.2));
            entity(c, world, &sp_context(sp, "appRoleAssignedTo/$entity"), v, 201)
        }
        (Resource::Assignment(sp, id), "DELETE") => {
            let (cfg, name) = config_of(world, t, sp)?;
            let p = principals(world, t, cfg)
                .into_iter()
                .find(|p| rs::assignment_id(world, t, &name, p.0).eq_ignore_ascii_case(id))
                .ok_or_else(|| not_found(id))?;
            let (users, groups) = match user_by_id(world, t, p.0) {
                Some(u) => (vec![UserRef::Idx(u)], Vec::new()),
                None => (Vec::new(), group_by_id(world, t, p.0).into_iter().collect()),
            };
            apply(
                world,
                t,
                Action::Unassign {
                    sync: name,
                    groups,
                    users,
                },
            )?;
            Reply::no_content()
        }
        (Resource::Jobs(sp), "GET") => {
            let (cfg, _) = config_of(world, t, sp)?;
            let value = world
                .view(t)
                .sync_jobs()
                .filter(|j| j.config == cfg)
                .map(|j| rs::job(&j))
                .collect();
            collection(c, world, &sp_context(sp, "synchronization/jobs"), value, None)
        }
        (Resource::Jobs(sp), "POST") => {
            let b = body()?;
            let (cfg, _) = config_of(world, t, sp)?;
            rs::create_job(&b)?;
            // a configuration has exactly one job, made with it: this answers that job
            let j = world
                .view(t)
                .sync_jobs()
                .find(|j| j.config == cfg)
                .map(|j| rs::job(&j));
            let j = j.ok_or_else(|| not_found(sp))?;
            entity(c, world, &sp_context(sp, "synchronization/jobs/$entity"), j, 201)
        }
        (Resource::ValidateCredentials(sp), "POST") => {
            let b = body()?;
            let (cfg, _) = config_of(world, t, sp)?;
            validate(world, t, cfg, &b)?;
            Reply::no_content()
        }
        (Resource::Job(sp, job), "GET") => {
            let (cfg, _) = config_of(world, t, sp)?;
            job_of(world, cfg, sp, job)?;
            let j = world
                .view(t)
                .sync_jobs()
                .find(|j| j.config == cfg)
                .map(|j| rs::job(&j));
            let j = j.ok_or_else(|| not_found(job))?;
            entity(c, world, &sp_context(sp, "synchronization/jobs/$entity"), j, 200)
        }
        (Resource::Job(sp, job), "DELETE") => {
            let (cfg, name) = config_of(world, t, sp)?;
            job_of(world, cfg, sp, job)?;
            apply(world, t, Action::DeleteSync { sync: name })?;
            Reply::no_content()
        }
        (Resource::JobAction(sp, job, action), "POST") => {
            let b = body()?;
            let (cfg, name) = config_of(world, t, sp)?;
            job_of(world, cfg, sp, job)?;
            let no_body = |b: &Map<String, Value>, what: &str| -> Result<(), Problem> {
                match b.keys().find(|k| !k.starts_with("@odata.")) {
                    Some(k) => Err(Problem::bad_request(format!(
                        "{what} takes no request body; the property '{k}' is not read (at $.{k})."
                    ))),
                    None => Ok(()),
                }
            };
            match action {
                JobAction::Start => {
                    no_body(&b, "start")?;
                    apply(world, t, Action::StartSync { sync: name })?;
                    Reply::no_content()
                }
                JobAction::Pause => {
                    no_body(&b, "pause")?;
                    apply(world, t, Action::PauseSync { sync: name })?;
                    Reply::no_content()
                }
                JobAction::Restart => {
                    let reset = rs::restart(&b)?;
                    apply(world, t, Action::RestartSync { sync: name, reset })?;
                    Reply::no_content()
                }
                JobAction::ValidateCredentials => {
                    validate(world, t, cfg, &b)?;
                    Reply::no_content()
                }
                JobAction::ProvisionOnDemand => {
                    let id = rs::provision_on_demand(&b)?;
                    let u = user_by_id(world, t, id).ok_or_else(|| {
                        Problem::bad_request(format!(
                            "objectId '{id}' names no user of this tenant (at $.parameters[0].subjects[0].objectId)."
                        ))
                    })?;
                    let before = world.view(t).provisioning().count();
                    apply(
                        world,
                        t,
                        Action::ProvisionOnDemand {
                            sync: name,
                            user: UserRef::Idx(u),
                        },
                    )?;
                    let records: Vec<Value> = world
                        .view(t)
                        .provisioning()
                        .skip(before)
                        .map(|p| mtosim_graph::to_value(&ProvisioningObjectSummary::of(&p)))
                        .collect();
                    let v = json!({
                        "key": rs::ON_DEMAND_KEY,
                        "value": Value::Array(records).to_string(),
                    });
                    entity(c, world, "microsoft.graph.stringKeyStringValuePair", v, 200)
                }
            }
        }
        (Resource::Schema(sp, job), "GET") => {
            let (cfg, _) = config_of(world, t, sp)?;
            job_of(world, cfg, sp, job)?;
            let v = rs::schema(&world.job_id(cfg), world.config(cfg));
            let context = sp_context(sp, &format!("synchronization/jobs('{job}')/schema/$entity"));
            entity(c, world, &context, v, 200)
        }
        (Resource::Schema(sp, job), "PUT") => {
            let b = body()?;
            let (cfg, name) = config_of(world, t, sp)?;
            job_of(world, cfg, sp, job)?;
            put_schema(world, t, cfg, &name, &b)?;
            Reply::no_content()
        }
        (Resource::ParseExpression(sp, job), "POST") => {
            let b = body()?;
            let (cfg, _) = config_of(world, t, sp)?;
            job_of(world, cfg, sp, job)?;
            let req = rs::parse_expression(&b)?;
            // Guid() and RandomString() draw from a stream of the world's seed
            let seed = mtosim_engine::hash::mix64(world.seed() ^ 0x7061_7273_6545_7870);
            let v = rs::parse_expression_response(&req, world.now().0, seed);
            entity(c, world, "microsoft.graph.parseExpressionResponse", v, 200)
        }
        (Resource::Secrets(sp), "PUT") => {
            let b = body()?;
            let (cfg, name) = config_of(world, t, sp)?;
            let s = rs::secrets(&b)?;
            check_company(world, cfg, s.company_id.as_deref().unwrap_or_default(), "$.value")?;
            let config = world.config(cfg);
            if let Some(on) = s.delete_threshold_enabled {
                if on != config.delete_threshold.is_some() {
                    return Err(Problem::bad_request(format!(
                        "SyncNotificationSettings' DeleteThresholdEnabled {on} would change the accidental-deletion threshold, which mtosim serve cannot change on an existing configuration; only {} is accepted (at $.value).",
                        config.delete_threshold.is_some()
                    ))
                    .into());
                }
            }
            if let Some(n) = s
                .delete_threshold_value
                .filter(|&n| Some(n) != config.delete_threshold)
            {
                return Err(Problem::bad_request(format!(
                    "SyncNotificationSettings' DeleteThresholdValue {n} would change the accidental-deletion threshold, which mtosim serve cannot change on an existing configuration; only {} is accepted (at $.value).",
                    config.delete_threshold.map_or_else(|| "leaving it out".to_string(), |t| t.to_string())
                ))
                .into());
            }
            let scope = s.sync_all.filter(|&all| all != config.scope_all);
            if scope == Some(true) && config.provision_groups {
                // checked first, so that the mode is not saved by a request answered 400
                return Err(Problem::bad_request(
                    "SyncAll true isn't supported while the configuration provisions groups; keep \"false\" (at $.value).",
                )
                .into());
            }
            apply(
                world,
                t,
                Action::SetProvisioningMode {
                    sync: name.clone(),
                    automatic: true,
                },
            )?;
            if let Some(all) = scope {
                apply(world, t, Action::SetScope { sync: name, all })?;
            }
            Reply::no_content()
        }
        (Resource::Provisioning, "GET") => {
            let size = q.top.unwrap_or(TOP_MAX);
            let mut value = Vec::new();
            let mut matched = 0usize;
            let mut more = false;
            if q.newest_first {
                // the last skip + size + 1 matches, newest first: a window, not the whole log
                let window = q.skip.saturating_add(size).saturating_add(1);
                let mut last: std::collections::VecDeque<Value> = std::collections::VecDeque::new();
                for p in world.view(t).provisioning() {
                    let v = mtosim_graph::to_value(&ProvisioningObjectSummary::of(&p));
                    if !q.keeps(&v) {
                        continue;
                    }
                    if last.len() == window {
                        last.pop_front();
                    }
                    last.push_back(v);
                }
                let newest: Vec<Value> = last.into_iter().rev().skip(q.skip).collect();
                more = newest.len() > size;
                value.extend(newest.into_iter().take(size));
            } else {
                for p in world.view(t).provisioning() {
                    let v = mtosim_graph::to_value(&ProvisioningObjectSummary::of(&p));
                    if !q.keeps(&v) {
                        continue;
                    }
                    matched += 1;
                    if matched <= q.skip {
                        continue;
                    }
                    if value.len() == size {
                        more = true;
                        break;
                    }
                    value.push(v);
                }
            }
            let next = more.then(|| {
                format!(
                    "/{}/auditLogs/provisioning?{}",
                    c.version.as_str(),
                    odata::next_query(c.query, q.skip + value.len())
                )
            });
            collection(c, world, "auditLogs/provisioning", value, next)
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
        assert_eq!(
            r("applicationTemplates/x/instantiate"),
            Ok("Instantiate(\"x\")".into())
        );
        assert_eq!(r("applicationTemplates"), Err("applicationTemplates".into()));
        assert_eq!(r("applicationTemplates/x"), Err("applicationTemplates".into()));
        assert_eq!(r("applicationTemplates/x/y"), Err("y".into()));
        assert_eq!(r("servicePrincipals"), Ok("ServicePrincipals".into()));
        assert_eq!(r("servicePrincipals/a"), Ok("ServicePrincipal(\"a\")".into()));
        assert_eq!(
            r("servicePrincipals/a/appRoleAssignedTo/b"),
            Ok("Assignment(\"a\", \"b\")".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization/jobs"),
            Ok("Jobs(\"a\")".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization/jobs/validateCredentials"),
            Ok("ValidateCredentials(\"a\")".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization/jobs/j/microsoft.graph.start"),
            Ok("JobAction(\"a\", \"j\", Start)".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization/secrets"),
            Ok("Secrets(\"a\")".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization/jobs/j/schema"),
            Ok("Schema(\"a\", \"j\")".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization/jobs/j/schema/parseExpression"),
            Ok("ParseExpression(\"a\", \"j\")".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization/jobs/j/schema/directories"),
            Err("directories".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization"),
            Err("synchronization".into())
        );
        assert_eq!(
            r("servicePrincipals/a/synchronization/templates"),
            Err("templates".into())
        );
        assert_eq!(r("servicePrincipals/a/owners"), Err("owners".into()));
        assert_eq!(r("auditLogs/provisioning"), Ok("Provisioning".into()));
        assert_eq!(r("auditLogs/directoryAudits"), Err("directoryAudits".into()));
        assert_eq!(r("auditLogs"), Err("auditLogs".into()));
    }

    #[test]
    fn filters_read_eq_terms_only() {
        let q = query("$filter=displayName%20eq%20'Fab''s'", &["displayName"], false).unwrap();
        assert_eq!(q.filter, vec![("displayName".to_string(), "Fab's".to_string())]);
        assert!(q.keeps(&json!({"displayName": "fab's"})));
        assert!(query("$filter=startswith(displayName,'F')", &["displayName"], false).is_err());
        assert!(query("$top=5", &["displayName"], false).is_err());
        assert!(query("$select=id", &["jobId"], true).is_err());
        let q = query("%24top=2&$filter=jobId eq 'x'", &["jobId"], true).unwrap();
        assert_eq!(q.top, Some(2));
    }
}
