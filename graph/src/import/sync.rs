//! Cross-tenant synchronization configurations of the tenant folders: the service principals of
//! the cross-tenant synchronization template (`servicePrincipals.json`), and below each one's
//! folder (`servicePrincipals/{id}/`) its job (`jobs.json`), its schema (`schema.json`: the
//! scoping filters, the attribute mappings, the Delete action and the group mapping), its
//! assignments (`appRoleAssignedTo.json`) and the `PUT .../synchronization/secrets` body that
//! saved its credentials (`secrets.json`: the target, the scope, the deletion threshold).
//!
//! Graph has no `GET` for secrets, so a configuration's target is known only from the body a
//! script sent, or from the name the Microsoft 365 admin center gives (`MTO_Sync_<target
//! tenant id>`, MTO-70). A configuration whose target is not known is not imported, and the
//! import says so rather than guessing. Ids are kept: service principal, `appId`, app role,
//! job and assignments.

use super::json::{Obj, Problem, Unread};
use super::objects::Ids;
use super::{guid, time_or_empty, Folder, Summary};
use crate::key_values::{Credentials, Pairs};
use crate::request as rs_problem;
use crate::request_sync as rs;
use mtosim_engine::build::{Builder, ImportedConfig};
use mtosim_engine::schema::AttributeMapping;
use mtosim_engine::scoping::ScopingFilter;
use mtosim_engine::sync::{ConfigIds, JobStatus, Quarantine, QuarantineReason, SyncConfig};
use mtosim_engine::{Guid, SimTime};
use serde_json::Value;

type R<T> = Result<T, Problem>;

/// The service principal properties the import reads.
const SP_PROPS: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "applicationTemplateId",
    "appRoles",
    "accountEnabled",
    "appDisplayName",
    "appOwnerOrganizationId",
    "appRoleAssignmentRequired",
    "deletedDateTime",
    "homepage",
    "servicePrincipalNames",
    "servicePrincipalType",
    "tags",
];

/// The job properties the import reads.
const JOB_PROPS: &[&str] = &[
    "id",
    "templateId",
    "schedule",
    "status",
    "synchronizationJobSettings",
];

/// Imports the configurations of every folder (after its users, groups and partners). The
/// world's time is the export's (`summary.time`), or else the latest its jobs show.
pub(super) fn import_configs(
    folders: &[Folder<'_>],
    b: &mut Builder,
    summary: &mut Summary,
    ids: &[Ids],
) -> R<()> {
    let mut found = Vec::new();
    for (fi, f) in folders.iter().enumerate() {
        let Some(sps) = f.collection("servicePrincipals.json", &mut summary.warnings)? else {
            continue;
        };
        let mut unread = Unread::default();
        for (file, path, v) in sps {
            let o = Obj::new(&file, path, &v)?;
            let template = o.str("applicationTemplateId")?.unwrap_or_default();
            if !template.eq_ignore_ascii_case(rs::TEMPLATE_ID) {
                continue; // another application: not a configuration
            }
            o.count_unread(SP_PROPS, &mut unread);
            if let Some(c) = config(f, folders, b, summary, &ids[fi], &o)? {
                found.push((fi, o.err("displayName", ""), c));
            }
        }
        summary
            .warnings
            .extend(unread.warnings(&f.shown("servicePrincipals.json"), "service principal"));
    }
    if let Some(latest) = found.iter().filter_map(|(_, _, c)| c.last_finished).max() {
        if summary.time.is_none_or(|t| t < latest) && summary.rules.is_none() {
            summary.time = Some(latest);
        }
    }
    if let Some(t) = summary.time {
        b.imported_up_to(t);
    }
    for (fi, at, c) in found {
        b.add_config(c).map_err(|e| Problem {
            message: e.to_string(),
            ..at
        })?;
        summary.tenants[fi].configs += 1;
    }
    Ok(())
}

/// A warning at `o`'s property `name`.
fn warn(summary: &mut Summary, o: &Obj<'_>, name: &str, message: String) {
    summary.warnings.push(o.err(name, message));
}

/// The configuration of service principal `sp`, `None` (with a warning) when its job or
/// target is not in the export.
fn config(
    f: &Folder<'_>,
    folders: &[Folder<'_>],
    b: &Builder,
    summary: &mut Summary,
    ids: &Ids,
    sp: &Obj<'_>,
) -> R<Option<ImportedConfig>> {
    let id = guid(sp, "id")?.ok_or_else(|| sp.err("id", "\"id\" is missing"))?;
    let app = guid(sp, "appId")?.ok_or_else(|| sp.err("appId", "\"appId\" is missing"))?;
    let name = sp.req_str("displayName")?.to_string();
    let mut app_role = None;
    for (i, r) in sp.arr("appRoles")?.iter().enumerate() {
        let r = Obj::new(sp.file, format!("{}.appRoles[{i}]", sp.path), r)?;
        if app_role.is_none() {
            app_role = guid(&r, "id")?;
        }
    }
    let dir = format!("servicePrincipals/{id}");
    let jobs_file = format!("{dir}/jobs.json");
    let Some(jobs) = f.collection(&jobs_file, &mut summary.warnings)? else {
        warn(summary, sp, "id", format!("{} has no {jobs_file} (GET /servicePrincipals/{id}/synchronization/jobs): the configuration \"{name}\" is not imported", f.name));
        return Ok(None);
    };
    let mut job = None;
    for (file, path, v) in &jobs {
        let o = Obj::new(file, path.clone(), v)?;
        if o.str("templateId")?.is_some_and(|t| t != rs::JOB_TEMPLATE) {
            continue;
        }
        if job.is_some() {
            warn(
                summary,
                &o,
                "id",
                format!(
                    "a second {} job: a configuration has one; only the first is imported",
                    rs::JOB_TEMPLATE
                ),
            );
            continue;
        }
        job = Some((file.clone(), path.clone(), v.clone()));
    }
    let Some((jfile, jpath, jv)) = job else {
        warn(summary, sp, "id", format!("{} holds no {} job: the configuration \"{name}\" is not imported (create its job, or save the job list)", f.file(&jobs_file), rs::JOB_TEMPLATE));
        return Ok(None);
    };
    let jo = Obj::new(&jfile, jpath, &jv)?;
    let mut unread = Unread::default();
    jo.count_unread(JOB_PROPS, &mut unread);
    summary.warnings.extend(unread.warnings(&jfile, "job"));
    let job_id = jo.req_str("id")?.to_string();
    let secrets_file = format!("{dir}/secrets.json");
    let secrets = f.value(&secrets_file)?;
    let secrets = match &secrets {
        Some(v) => Some(read_secrets(&f.file(&secrets_file), v)?),
        None => None,
    };
    let (source, tenant_of) = (f.tenant, |id: &str| {
        Guid::parse(id.trim()).and_then(|g| {
            folders
                .iter()
                .map(|x| x.tenant)
                .find(|&t| b.world().tenant(t).spec.tenant_id == g)
        })
    });
    let by_name = name
        .strip_prefix("MTO_Sync_")
        .and_then(tenant_of)
        .filter(|&t| t != source);
    let target = match &secrets {
        Some(s) => match tenant_of(&s.company_id) {
            Some(t) => t,
            None => {
                return Err(Problem {
                    file: f.file(&secrets_file),
                    path: "$.value".into(),
                    message: format!(
                    "CompanyId {} is not among the imported tenants; import the target tenant's folder too",
                    s.company_id
                ),
                })
            }
        },
        None => match by_name {
            Some(t) => t,
            None => {
                warn(summary, sp, "displayName", format!("the target of \"{name}\" is not in the export: Graph has no GET for a job's credentials, so save the body of PUT /servicePrincipals/{id}/synchronization/secrets (with CompanyId) as {}; the configuration is not imported", f.file(&secrets_file)));
                return Ok(None);
            }
        },
    };
    let world = b.world();
    let target_id = world.tenant(target).spec.tenant_id;
    let m365 = name.eq_ignore_ascii_case(&format!("MTO_Sync_{target_id}"));
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let assigned_file = format!("{dir}/appRoleAssignedTo.json");
    let mut assignments = Vec::new();
    match f.collection(&assigned_file, &mut summary.warnings)? {
        None => warn(summary, sp, "id", format!("{} has no {assigned_file} (GET /servicePrincipals/{id}/appRoleAssignedTo): \"{name}\" is imported with nobody assigned", f.name)),
        Some(items) => {
            for (file, path, v) in &items {
                let o = Obj::new(file, path.clone(), v)?;
                let principal = guid(&o, "principalId")?.ok_or_else(|| o.err("principalId", "\"principalId\" is missing"))?;
                match o.str("principalType")? {
                    Some("User") => match ids.users.get(&principal) {
                        Some(&u) => users.push(u),
                        None => {
                            warn(summary, &o, "principalId", format!("user {principal} is not a user of {}; the assignment is not imported", f.name));
                            continue;
                        }
                    },
                    Some("Group") => match ids.groups.get(&principal) {
                        Some(&g) => groups.push(g),
                        None => {
                            warn(summary, &o, "principalId", format!("group {principal} is not a group of {}; the assignment is not imported", f.name));
                            continue;
                        }
                    },
                    other => {
                        warn(summary, &o, "principalType", format!("principalType {other:?} is not User or Group; the assignment is not imported"));
                        continue;
                    }
                }
                if let Some(aid) = o.str("id")? {
                    assignments.push((principal, aid.to_string()));
                }
            }
        }
    }
    let schema_file = format!("{dir}/schema.json");
    let created_fallback = world.now();
    let mut c = ImportedConfig {
        name: name.clone(),
        source,
        target,
        m365,
        scope_all: secrets.as_ref().is_some_and(|s| s.sync_all),
        users,
        groups,
        filter: None,
        mappings: None,
        created_at: created_fallback,
        delete_action: true,
        delete_threshold: None,
        provision_groups: false,
        automatic: secrets.is_some(),
        cross_cloud: world.tenant(source).spec.cloud != world.tenant(target).spec.cloud,
        status: JobStatus::Paused,
        scheduled: false,
        quarantine: None,
        last_finished: None,
        exports: 0,
        ids: ConfigIds {
            service_principal: id,
            app,
            app_role: app_role
                .unwrap_or_else(|| Guid::derive(world.seed(), &[b"approle", id.to_string().as_bytes()])),
            job: job_id.clone(),
            assignments,
        },
    };
    match f.value(&schema_file)? {
        Some(v) => read_schema(&f.file(&schema_file), &v, &mut c, summary)?,
        None => warn(summary, sp, "id", format!("{} has no {schema_file} (GET /servicePrincipals/{id}/synchronization/jobs/{job_id}/schema): \"{name}\" is imported with the default mappings and no scoping filter", f.name)),
    }
    read_job(&jo, &mut c)?;
    if let Some(Some(given)) = secrets.as_ref().map(|s| s.threshold) {
        // the threshold is on: its value is the secrets' own, else the job's setting
        c.delete_threshold = match given.or(job_threshold(&jo)?) {
            Some(n) => Some(n),
            None => return Err(Problem {
                file: f.file(&secrets_file),
                path: "$.value".into(),
                message: "SyncNotificationSettings turns the deletion threshold on (DeleteThresholdEnabled), but neither it (DeleteThresholdValue) nor the job (QuarantineTooManyDeletesThreshold) gives the number".into(),
            }),
        };
    }
    Ok(Some(c))
}

/// What a saved secrets body holds.
struct Secrets {
    company_id: String,
    sync_all: bool,
    /// `DeleteThresholdEnabled`, and `DeleteThresholdValue` when given.
    threshold: Option<Option<u32>>,
}

/// Reads a `PUT .../synchronization/secrets` body (or its `value` array alone), ignoring the
/// secrets the simulation does not model.
fn read_secrets(file: &str, v: &Value) -> R<Secrets> {
    let (items, base) = match v {
        Value::Array(a) => (a.as_slice(), "$".to_string()),
        _ => (
            Obj::new(file, "$".into(), v)?.arr("value")?,
            "$.value".to_string(),
        ),
    };
    let mut c = Credentials::default();
    for (i, kv) in items.iter().enumerate() {
        let o = Obj::new(file, format!("{base}[{i}]"), kv)?;
        let value = o.str("value")?.unwrap_or_default();
        c.read_pair(o.req_str("key")?, value, Pairs::Imported)
            .map_err(|e| o.err(e.at, e.message))?;
    }
    let s = Secrets {
        company_id: c.company_id.unwrap_or_default(),
        sync_all: c.sync_all == Some(true),
        threshold: (c.delete_threshold_enabled == Some(true)).then_some(c.delete_threshold_value),
    };
    if s.company_id.is_empty() {
        return Err(Problem {
            file: file.to_string(),
            path: base,
            message:
                "no CompanyId: the secrets that save a configuration's credentials name its target tenant"
                    .into(),
        });
    }
    Ok(s)
}

/// Reads a `synchronizationSchema` into `c`: its version's date and customization, and from
/// its object mappings the user mapping's attribute mappings, scoping filters and Delete
/// action, and whether the group mapping is enabled. Directory definitions and other rules
/// say nothing a configuration keeps; a mapping of an attribute mtosim does not model is
/// reported and left out.
fn read_schema(file: &str, v: &Value, c: &mut ImportedConfig, summary: &mut Summary) -> R<()> {
    let o = Obj::new(file, "$".into(), v)?;
    let mut customized = false;
    if let Some(version) = o.str("version")? {
        for part in version.split('~') {
            if let Some(d) = part.strip_prefix("Date:") {
                if let Ok(t) = SimTime::parse_rfc3339(d.trim()) {
                    c.created_at = t;
                }
            } else if let Some(x) = part.strip_prefix("Customized:") {
                customized = x.trim().eq_ignore_ascii_case("true");
            }
        }
    }
    let problem = |p: rs_problem::Problem| Problem {
        file: file.to_string(),
        path: "$".into(),
        message: p.message,
    };
    let mut user_mapping = None;
    for (ri, rule) in o.arr("synchronizationRules")?.iter().enumerate() {
        let r = Obj::new(file, format!("$.synchronizationRules[{ri}]"), rule)?;
        for (mi, m) in r.arr("objectMappings")?.iter().enumerate() {
            let m = Obj::new(file, format!("{}.objectMappings[{mi}]", r.path), m)?;
            match m.str("sourceObjectName")? {
                Some(x) if x.eq_ignore_ascii_case("User") && user_mapping.is_none() => user_mapping = Some(m),
                Some(x) if x.eq_ignore_ascii_case("Group") => {
                    c.provision_groups = m.bool("enabled")? == Some(true)
                }
                _ => {}
            }
        }
    }
    let Some(user) = user_mapping else {
        summary.warnings.push(o.err(
            "synchronizationRules",
            "no object mapping of users: the configuration keeps the default mappings",
        ));
        return Ok(());
    };
    c.delete_action = user.str("flowTypes")?.is_none_or(|f| f.contains("Delete"));
    let mut mappings = Vec::new();
    for (i, m) in user.arr("attributeMappings")?.iter().enumerate() {
        let path = format!("{}.attributeMappings[{i}]", user.path);
        match rs::read_mapping(m, &path) {
            Ok(m) if mappings.iter().any(|x: &AttributeMapping| x.target == m.target) => {
                return Err(Problem {
                    file: file.to_string(),
                    path: format!("{path}.targetAttributeName"),
                    message: format!(
                        "{} is mapped twice; a target attribute has one mapping",
                        m.target.name()
                    ),
                })
            }
            Ok(m) => mappings.push(m),
            Err(p) => summary.warnings.push(Problem {
                file: file.to_string(),
                path,
                message: format!(
                    "{}; this mapping is not imported",
                    p.message.trim_end_matches('.')
                ),
            }),
        }
    }
    let scope = user.get("scope").cloned().unwrap_or(Value::Null);
    let filters = rs::read_scope(&scope, &format!("{}.scope", user.path)).map_err(problem)?;
    if !filters.is_empty() {
        let f = ScopingFilter::parse(&filters).map_err(|(fi, ci, e)| Problem {
            file: file.to_string(),
            path: format!("{}.scope.groups[{fi}].clauses[{ci}]", user.path),
            message: format!("the scoping filter clause is refused: {}", e.message),
        })?;
        c.filter = Some(f);
    }
    let fresh = SyncConfig::new(c.name.clone(), c.source, c.target, c.m365, c.created_at);
    let same = mappings.as_slice() == fresh.schema.mappings();
    c.mappings = Some((mappings, customized && !(same && c.filter.is_some())));
    Ok(())
}

/// The job's `QuarantineTooManyDeletesThreshold` setting, if any.
fn job_threshold(o: &Obj<'_>) -> R<Option<u32>> {
    for (i, x) in o.arr("synchronizationJobSettings")?.iter().enumerate() {
        let kv = Obj::new(o.file, format!("{}.synchronizationJobSettings[{i}]", o.path), x)?;
        if kv.str("name")? == Some("QuarantineTooManyDeletesThreshold") {
            let v = kv.str("value")?.unwrap_or_default();
            return match v.trim().parse::<u32>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(kv.err("value", format!("\"{v}\" is not a positive whole number"))),
            };
        }
    }
    Ok(None)
}

/// Reads the job's schedule and status into `c`.
fn read_job(o: &Obj<'_>, c: &mut ImportedConfig) -> R<()> {
    if let Some(s) = o.obj("schedule")? {
        c.scheduled = s.str("state")?.is_some_and(|x| x.eq_ignore_ascii_case("Active"));
    }
    let Some(st) = o.obj("status")? else {
        return Ok(());
    };
    c.status = match st.str("code")? {
        None | Some("Paused") => JobStatus::Paused,
        Some("NotRun") | Some("NotConfigured") => JobStatus::NotRun,
        Some("Active") => JobStatus::Active,
        Some("Quarantine") => JobStatus::Quarantine,
        Some(other) => {
            return Err(st.err(
                "code",
                format!("\"{other}\" is not a job status: Paused, NotRun, Active or Quarantine"),
            ))
        }
    };
    if let Some(last) = st.obj("lastExecution")? {
        c.last_finished = time_or_empty(&last, "timeEnded")?;
        c.exports = last.get("countExported").and_then(Value::as_u64).unwrap_or(0);
    }
    // a quarantine object shows only what a job in quarantine is going through
    if let Some(q) = st
        .obj("quarantine")?
        .filter(|_| c.status == JobStatus::Quarantine)
    {
        let reason = q.str("reason")?.unwrap_or_default();
        let reason = QuarantineReason::parse(reason)
            .ok_or_else(|| q.err("reason", format!("\"{reason}\" is not a quarantine reason")))?;
        let began = time_or_empty(&q, "seriesBegan")?
            .or(c.last_finished)
            .unwrap_or(SimTime::DEFAULT_START);
        c.quarantine = Some(Quarantine {
            reason,
            series_began: began,
            current_began: time_or_empty(&q, "currentBegan")?.unwrap_or(began),
            next_attempt: time_or_empty(&q, "nextAttempt")?,
            series_count: q
                .get("seriesCount")
                .and_then(Value::as_u64)
                .map_or(1, |n| n.min(u32::MAX as u64) as u32),
        });
    }
    Ok(())
}
