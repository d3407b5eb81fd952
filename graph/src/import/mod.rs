//! Importing Graph JSON exports into a world, through the engine's [`Builder`]: one folder
//! per tenant, one file per Graph endpoint (the layout `mtosim run --out` writes, and the one a
//! user fills with `Invoke-MgGraphRequest -OutputFilePath` or `az rest`; README, "Starting from
//! real tenants"), or the folders Microsoft's EntraExporter writes ([`entra_exporter`]), or
//! both in one folder.
//! Object ids and `createdDateTime` are kept. Every problem is a [`Problem`] with its file and
//! JSON path; an error stops the import before the world is used, warnings (properties not
//! read, pages missing, objects that cannot be linked) are returned with the summary.
//!
//! The importer reads files only through a [`Source`] the caller gives (the CLI's reads the
//! disk with size caps), so this crate does no I/O of its own.

mod entra_exporter;
pub mod json;
mod objects;
mod sync;

pub use json::Problem;
use json::{decode, page, parse, Obj};
use mtosim_engine::build::Builder;
use mtosim_engine::tenant::TenantSpec;
use mtosim_engine::{Guid, SimTime, TenantIdx};
use serde_json::Value;

/// One file of an export, at most, in bytes.
pub const IMPORT_FILE_BYTES_MAX: u64 = 512 * 1024 * 1024;
/// Pages of one endpoint (`users.json`, `users.2.json`, ...), at most.
pub const IMPORT_PAGES_MAX: usize = 10_000;
/// Object folders of one kind in an EntraExporter export (`Users/<id>/`, ...), at most.
pub const IMPORT_OBJECT_FILES_MAX: usize = mtosim_engine::limits::USERS_TOTAL_MAX;
/// Tenant folders in one import, at most (the world's own cap applies too).
pub const IMPORT_TENANTS_MAX: usize = mtosim_engine::limits::TENANTS_COUNT_MAX;

/// The files of one import root, relative to it (`/`-separated).
pub trait Source {
    /// The bytes of file `rel`, `None` when it does not exist.
    fn read(&self, rel: &str) -> std::io::Result<Option<Vec<u8>>>;
    /// The sub-folders of folder `rel` (`""` for the root), sorted by name.
    fn dirs(&self, rel: &str) -> std::io::Result<Vec<String>>;
}

/// The endpoint files of one tenant folder, in the order they are read, with the Graph call
/// each holds (README, "Import").
pub const ENDPOINT_FILES: &[(&str, &str)] = &[
    ("organization.json", "GET /organization"),
    (
        "users.json",
        "GET /users?$expand=manager($select=id,userPrincipalName)",
    ),
    (
        "groups.json",
        "GET /groups?$expand=members($select=id,userPrincipalName)",
    ),
    (
        "partners.json",
        "GET /policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization",
    ),
    (
        "crossTenantAccessPolicyDefault.json",
        "GET /policies/crossTenantAccessPolicy/default",
    ),
    (
        "multiTenantOrganizationPartnerConfiguration.json",
        "GET /policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration",
    ),
    (
        "multiTenantOrganizationIdentitySynchronization.json",
        "GET /policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization",
    ),
    (
        "multiTenantOrganization.json",
        "GET /tenantRelationships/multiTenantOrganization",
    ),
    (
        "tenants.json",
        "GET /tenantRelationships/multiTenantOrganization/tenants",
    ),
    (
        "joinRequest.json",
        "GET /tenantRelationships/multiTenantOrganization/joinRequest",
    ),
    (
        "servicePrincipals.json",
        "GET /servicePrincipals?$filter=applicationTemplateId eq '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7'",
    ),
];

/// What an import brought in, for the report and the scenario file it writes.
#[derive(Debug, Default)]
pub struct Summary {
    /// The imported tenants, in world order.
    pub tenants: Vec<TenantSummary>,
    /// Problems that did not stop the import.
    pub warnings: Vec<Problem>,
    /// The rule set an `mtosim run --out` manifest names.
    pub rules: Option<String>,
    /// The seed such a manifest names.
    pub seed: Option<u64>,
    /// The simulated time such a manifest names, or else the latest time the export shows.
    pub time: Option<SimTime>,
    /// The model invariant the imported world breaks, if any (INV-13 when MTO tenants lack
    /// settings for each other, MTO-56).
    pub broken: Option<String>,
}

/// One imported tenant.
#[derive(Debug)]
pub struct TenantSummary {
    /// Its handle in the world (the folder's name).
    pub name: String,
    /// Its index.
    pub tenant: TenantIdx,
    /// The folder, as the user named it.
    pub folder: String,
    /// Users created in the tenant (internal and external users whose home is not imported).
    pub users: usize,
    /// Accounts standing for users of other imported tenants.
    pub accounts: usize,
    /// Groups (own and synchronized).
    pub groups: usize,
    /// Partner configurations.
    pub partners: usize,
    /// Cross-tenant synchronization configurations (of which the tenant is the source).
    pub configs: usize,
    /// Whether the export showed the tenant's directory object quota (`directorySizeQuota`,
    /// beta `GET /organization`); otherwise the default quota stands.
    pub quota_known: bool,
    /// Endpoint files the folder lacks (what could not be imported, hence not checked).
    pub missing: Vec<&'static str>,
}

/// One object of a collection file: the file it is in, its JSON path and its value.
pub(crate) type Item = (String, String, Value);

/// One tenant folder being imported.
pub(crate) struct Folder<'s> {
    pub name: String,
    pub label: String,
    pub rel: String,
    pub src: &'s dyn Source,
    pub tenant: TenantIdx,
    /// Its organization showed `directorySizeQuota` (beta).
    pub quota_known: bool,
}

impl Folder<'_> {
    /// The file as the user would name it.
    pub fn file(&self, name: &str) -> String {
        if self.rel.is_empty() {
            format!("{}/{name}", self.label)
        } else {
            format!("{}/{}/{name}", self.label, self.rel)
        }
    }

    pub(crate) fn rel_of(&self, name: &str) -> String {
        if self.rel.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.rel)
        }
    }

    /// Where endpoint `name`'s objects are, as the user would name it (the endpoint file, or
    /// EntraExporter's folder).
    pub fn shown(&self, name: &str) -> String {
        entra_exporter::shown(self, name)
    }

    /// Whether the folder holds endpoint file `name`, or EntraExporter's equivalent.
    pub fn has(&self, name: &str) -> bool {
        self.src.read(&self.rel_of(name)).ok().flatten().is_some() || entra_exporter::has(self, name)
    }

    /// The parsed file `name` (when it is absent, EntraExporter's equivalent, if any),
    /// `None` when absent.
    pub fn value(&self, name: &str) -> Result<Option<Value>, Problem> {
        match read_json(self.src, &self.rel_of(name), &self.file(name))? {
            None => entra_exporter::value(self, name),
            v => Ok(v),
        }
    }

    /// Every item of collection file `name` and its pages (`name` `.2.json`, `.3.json`, ...
    /// while a page has `@odata.nextLink`), with each item's JSON path; `None` when absent.
    pub fn collection(&self, name: &str, warnings: &mut Vec<Problem>) -> Result<Option<Vec<Item>>, Problem> {
        let Some(first) = self.value(name)? else {
            return entra_exporter::collection(self, name, warnings);
        };
        let stem = name.trim_end_matches(".json");
        let mut out = Vec::new();
        let mut current = (self.file(name), first);
        for n in 2..=IMPORT_PAGES_MAX + 1 {
            let (file, v) = &current;
            let (items, next) = page(file, v)?;
            for (i, item) in items.iter().enumerate() {
                out.push((file.clone(), format!("$.value[{i}]"), item.clone()));
            }
            if next.is_none() {
                return Ok(Some(out));
            }
            if n > IMPORT_PAGES_MAX {
                return Err(Problem {
                    file: file.clone(),
                    path: "$.@odata.nextLink".into(),
                    message: format!("more than {IMPORT_PAGES_MAX} pages (IMPORT_PAGES_MAX)"),
                });
            }
            let next_name = format!("{stem}.{n}.json");
            match self.value(&next_name)? {
                Some(v) => current = (self.file(&next_name), v),
                None => {
                    warnings.push(Problem {
                        file: file.clone(),
                        path: "$.@odata.nextLink".into(),
                        message: format!(
                            "this page has a next page, but {next_name} is absent: only the first {} objects are imported; save each page (follow @odata.nextLink, or use -All) as {stem}.2.json, {stem}.3.json, ...",
                            out.len()
                        ),
                    });
                    return Ok(Some(out));
                }
            }
        }
        Ok(Some(out))
    }
}

fn read_json(src: &dyn Source, rel: &str, file: &str) -> Result<Option<Value>, Problem> {
    let bytes = src.read(rel).map_err(|e| Problem {
        file: file.to_string(),
        path: "$".into(),
        message: format!("cannot read the file: {e}"),
    })?;
    let Some(bytes) = bytes else { return Ok(None) };
    let text = decode(file, &bytes)?;
    parse(file, &text).map(Some)
}

/// A GUID property, or a wrong-value error.
pub(crate) fn guid(o: &Obj<'_>, name: &str) -> Result<Option<Guid>, Problem> {
    match o.str(name)? {
        None => Ok(None),
        Some(s) => Guid::parse(s)
            .map(Some)
            .ok_or_else(|| o.err(name, format!("\"{s}\" is not a GUID"))),
    }
}

/// A time property (RFC 3339, or `/Date(<ms>)/` as Windows PowerShell 5.1's `ConvertTo-Json`
/// writes a date), or a wrong-value error.
pub(crate) fn time(o: &Obj<'_>, name: &str) -> Result<Option<SimTime>, Problem> {
    match o.str(name)? {
        None => Ok(None),
        Some(s) => match ms_date(s) {
            Some(t) => Ok(Some(t)),
            None => SimTime::parse_rfc3339(s)
                .map(Some)
                .map_err(|e| o.err(name, format!("\"{s}\" is not a date and time: {e}"))),
        },
    }
}

/// [`time`], where an empty string means none too (Graph's samples show `""` in a
/// synchronization job's quarantine that has not begun).
pub(crate) fn time_or_empty(o: &Obj<'_>, name: &str) -> Result<Option<SimTime>, Problem> {
    match o.str(name)? {
        None | Some("") => Ok(None),
        Some(_) => time(o, name),
    }
}

/// `/Date(1685138723000)/` (milliseconds since 1970, UTC), as `ConvertTo-Json` of Windows
/// PowerShell 5.1 writes a date.
fn ms_date(s: &str) -> Option<SimTime> {
    let ms: i64 = s.strip_prefix("/Date(")?.strip_suffix(")/")?.parse().ok()?;
    let secs = ms.div_euclid(1000);
    // the range SimTime prints as four-digit years
    (-62_135_596_800..=253_402_300_799)
        .contains(&secs)
        .then_some(SimTime(secs))
}

/// Imports the tenant folders under `roots` (each root a tenant folder, holding
/// `organization.json`, or a folder of tenant folders) into `b`, in order.
/// The world must keep the model's invariants (`mtosim_engine::invariants`): a run starts from
/// it. An export that breaks one is refused, naming it.
pub fn import(roots: &[(&str, &dyn Source)], b: &mut Builder) -> Result<Summary, Vec<Problem>> {
    let summary = import_unchecked(roots, b)?;
    match &summary.broken {
        None => Ok(summary),
        Some(why) => Err(vec![Problem {
            file: roots.first().map_or_else(String::new, |r| r.0.to_string()),
            path: "$".into(),
            message: format!(
                "the exported world breaks a rule the simulation relies on: {why}; no run can start from it (mtosim doctor names what to fix)"
            ),
        }]),
    }
}

/// [`import`], keeping a world that breaks an invariant (for `mtosim doctor`, which runs
/// nothing): [`Summary::broken`] names it.
pub fn import_unchecked(roots: &[(&str, &dyn Source)], b: &mut Builder) -> Result<Summary, Vec<Problem>> {
    let mut summary = Summary::default();
    let folders = discover(roots, &mut summary).map_err(|p| vec![p])?;
    let mut folders = add_tenants(folders, b).map_err(|p| vec![p])?;
    objects::import_objects(&mut folders, b, &mut summary).map_err(|p| vec![p])?;
    summary.broken = b.world().check_invariants().err();
    Ok(summary)
}

/// The tenant folders of every root, in import order: a root holding `organization.json` is
/// one tenant; otherwise its sub-folders that hold one are, in the order of its
/// `manifest.json` (an `mtosim run --out` export) or else by name.
fn discover<'s>(roots: &[(&str, &'s dyn Source)], summary: &mut Summary) -> Result<Vec<Folder<'s>>, Problem> {
    let mut out = Vec::new();
    for &(label, src) in roots {
        let root_problem = |m: String| Problem {
            file: label.to_string(),
            path: "$".into(),
            message: m,
        };
        let has_org = |rel: &str| -> Result<bool, Problem> {
            for name in ["organization.json", entra_exporter::ORGANIZATION] {
                let p = if rel.is_empty() {
                    name.to_string()
                } else {
                    format!("{rel}/{name}")
                };
                if src
                    .read(&p)
                    .map_err(|e| root_problem(format!("cannot read {p}: {e}")))?
                    .is_some()
                {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        if has_org("")? {
            let name = label
                .trim_end_matches(['/', '\\'])
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(label)
                .to_string();
            out.push((label, String::new(), name, src));
            continue;
        }
        let manifest_file = format!("{label}/manifest.json");
        let mut names = match read_json(src, "manifest.json", &manifest_file).map_err(|p| vec![p]) {
            Ok(Some(m)) => manifest(&manifest_file, &m, summary)?,
            Ok(None) => Vec::new(),
            Err(mut p) => return Err(p.remove(0)),
        };
        if names.is_empty() {
            names = src
                .dirs("")
                .map_err(|e| root_problem(format!("cannot list the folder: {e}")))?;
        }
        let before = out.len();
        for n in names {
            if has_org(&n)? {
                out.push((label, n.clone(), n, src));
            }
        }
        if out.len() == before {
            return Err(root_problem(
                "no tenant folder here: a tenant folder holds organization.json (GET /organization), or Organization/Organization.json as EntraExporter writes it; give the folder of one tenant, or a folder of tenant folders".into(),
            ));
        }
    }
    if out.len() > IMPORT_TENANTS_MAX {
        return Err(Problem {
            file: out[0].0.to_string(),
            path: "$".into(),
            message: format!(
                "{} tenant folders, over {IMPORT_TENANTS_MAX} (IMPORT_TENANTS_MAX)",
                out.len()
            ),
        });
    }
    Ok(out
        .into_iter()
        .map(|(label, rel, name, src)| Folder {
            name,
            label: label.to_string(),
            rel,
            src,
            tenant: TenantIdx(0),
            quota_known: false,
        })
        .collect())
}

/// The tenant folder names of an `mtosim run --out` manifest, with its rule set, seed and time.
fn manifest(file: &str, v: &Value, summary: &mut Summary) -> Result<Vec<String>, Problem> {
    let o = Obj::new(file, "$".into(), v)?;
    summary.rules = o.str("rules")?.map(str::to_string);
    summary.seed = o.get("seed").and_then(Value::as_u64);
    summary.time = time(&o, "simulatedTime")?;
    o.arr("tenants")?
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Ok(Obj::new(file, format!("$.tenants[{i}]"), t)?
                .req_str("name")?
                .to_string())
        })
        .collect()
}

/// Creates each folder's tenant from its `organization.json`.
fn add_tenants<'s>(folders: Vec<Folder<'s>>, b: &mut Builder) -> Result<Vec<Folder<'s>>, Problem> {
    let mut out = Vec::new();
    for mut f in folders {
        let file = f.file("organization.json");
        let v = f.value("organization.json")?.unwrap_or(Value::Null);
        let (items, _) = match &v {
            Value::Object(m) if !m.contains_key("value") => (std::slice::from_ref(&v), None),
            _ => page(&file, &v)?,
        };
        let path = if matches!(&v, Value::Object(m) if m.contains_key("value")) {
            "$.value[0]"
        } else {
            "$"
        };
        let Some(first) = items.first() else {
            return Err(Problem {
                file,
                path: "$.value".into(),
                message: "no organization: GET /organization returns the tenant's one".into(),
            });
        };
        let o = Obj::new(&file, path.into(), first)?;
        if f.name.is_empty()
            || !f
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Problem {
                file: file.clone(),
                path: "$".into(),
                message: format!(
                    "the folder name \"{}\" is the tenant's handle in the scenario, so it must be letters, digits, '-' or '_'; rename the folder",
                    f.name
                ),
            });
        }
        let id = guid(&o, "id")?.ok_or_else(|| o.err("id", "\"id\" (the tenant id) is missing"))?;
        let display_name = o.str("displayName")?.unwrap_or(&f.name).to_string();
        let mut initial = None;
        let mut domains = Vec::new();
        for (i, d) in o.arr("verifiedDomains")?.iter().enumerate() {
            let d = Obj::new(&file, format!("{path}.verifiedDomains[{i}]"), d)?;
            let name = d.req_str("name")?.to_string();
            if d.bool("isInitial")? == Some(true) {
                initial = Some(name);
            } else {
                domains.push(name);
            }
        }
        let initial = initial.ok_or_else(|| {
            o.err(
                "verifiedDomains",
                "no domain has isInitial true: the tenant's *.onmicrosoft.com domain is needed",
            )
        })?;
        if domains.is_empty() {
            domains.push(initial.clone());
        }
        let mut spec = TenantSpec::with_identity(&f.name, &display_name, id, &initial, domains);
        // beta's organization (EntraExporter's) shows the directory object quota; v1.0's does not
        let quota = match o.obj("directorySizeQuota")? {
            Some(q) => q.get("total").and_then(Value::as_u64),
            None => None,
        };
        if let Some(total) = quota {
            spec.object_quota = total;
        }
        f.quota_known = quota.is_some();
        f.tenant = b.add_tenant(spec).map_err(|e| o.err("id", e.to_string()))?;
        out.push(f);
    }
    Ok(out)
}
