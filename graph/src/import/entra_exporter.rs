//! The folders Microsoft's EntraExporter writes (`Export-Entra -Path DIR -Type Users, Groups,
//! ...`): one object per file, `<Kind>/<id>/<id>.json`, with `Organization/Organization.json`,
//! `Users/`, `Groups/` (each group's members in `Groups/<id>/Members/<id>/<id>.json`),
//! `ServicePrincipals/` and `Policies/CrossTenantAccessPolicy/` (`Default/`, `Partners/`). Users, groups and policies come from Graph's
//! beta endpoint; files are `ConvertTo-Json | Out-File` output: UTF-8 from PowerShell 7,
//! UTF-16 LE with a byte-order mark from Windows PowerShell 5.1, CRLF or LF (decoding is
//! [`super::json::decode`]'s).
//!
//! EntraExporter exports no MTO, no identity synchronization policies and no sync jobs (a
//! cross-tenant synchronization service principal is found, and the import names the job
//! files it lacks), and a
//! partner configuration has no `id`, so every partner is written to the one file
//! `Partners/Partners/Partners.json` and only the last survives: the import says so. A file of
//! the endpoint layout in the same folder (`partners.json`, `tenants.json`, ...) is read instead
//! of, or besides, what EntraExporter wrote.

use super::json::Problem;
use super::{read_json, Folder, Item};
use serde_json::Value;

/// Where EntraExporter keeps the organization object.
pub(crate) const ORGANIZATION: &str = "Organization/Organization.json";
/// Where EntraExporter keeps the default cross-tenant access configuration (it has no `id`, so
/// its one folder is named after the path's last part).
const DEFAULT_POLICY: &str = "Policies/CrossTenantAccessPolicy/Default";

/// EntraExporter's equivalent of the singleton endpoint file `endpoint`, if it has one.
pub(crate) fn value(f: &Folder<'_>, endpoint: &str) -> Result<Option<Value>, Problem> {
    match endpoint {
        "organization.json" => read_json(f.src, &f.rel_of(ORGANIZATION), &f.file(ORGANIZATION)),
        "crossTenantAccessPolicyDefault.json"
            if f.src.dirs(&f.rel_of(DEFAULT_POLICY)).is_ok_and(|v| !v.is_empty()) =>
        {
            Ok(objects(f, DEFAULT_POLICY)?.into_iter().next().map(|(_, _, v)| v))
        }
        _ => Ok(None),
    }
}

/// The folder of each endpoint file EntraExporter has an equivalent of.
fn folder_of(endpoint: &str) -> Option<&'static str> {
    match endpoint {
        "users.json" => Some("Users"),
        "groups.json" => Some("Groups"),
        "partners.json" => Some("Policies/CrossTenantAccessPolicy/Partners"),
        "servicePrincipals.json" => Some("ServicePrincipals"),
        _ => None,
    }
}

/// The file or folder that holds `endpoint`'s objects, as the user would name it.
pub(crate) fn shown(f: &Folder<'_>, endpoint: &str) -> String {
    match folder_of(endpoint) {
        Some(d) if f.src.read(&f.rel_of(endpoint)).ok().flatten().is_none() && has(f, endpoint) => f.file(d),
        _ => f.file(endpoint),
    }
}

/// Whether the folder holds EntraExporter's equivalent of `endpoint`.
pub(crate) fn has(f: &Folder<'_>, endpoint: &str) -> bool {
    match endpoint {
        "organization.json" => f.src.read(&f.rel_of(ORGANIZATION)).ok().flatten().is_some(),
        "crossTenantAccessPolicyDefault.json" => {
            f.src.dirs(&f.rel_of(DEFAULT_POLICY)).is_ok_and(|v| !v.is_empty())
        }
        _ => folder_of(endpoint).is_some_and(|d| f.src.dirs(&f.rel_of(d)).is_ok_and(|v| !v.is_empty())),
    }
}

/// The objects of the one-object-per-file folder `dir`: `<dir>/<id>/<id>.json` (a file holding
/// a collection gives each of its items), sorted by folder name.
fn objects(f: &Folder<'_>, dir: &str) -> Result<Vec<Item>, Problem> {
    let names = f.src.dirs(&f.rel_of(dir)).map_err(|e| Problem {
        file: f.file(dir),
        path: "$".into(),
        message: format!("cannot list the folder: {e}"),
    })?;
    if names.len() > super::IMPORT_OBJECT_FILES_MAX {
        return Err(Problem {
            file: f.file(dir),
            path: "$".into(),
            message: format!(
                "{} object folders, over {} (IMPORT_OBJECT_FILES_MAX)",
                names.len(),
                super::IMPORT_OBJECT_FILES_MAX
            ),
        });
    }
    let mut out = Vec::new();
    for n in names {
        let rel = format!("{dir}/{n}/{n}.json");
        let file = f.file(&rel);
        let Some(v) = read_json(f.src, &f.rel_of(&rel), &file)? else {
            continue;
        };
        match v {
            Value::Object(ref m) if m.get("value").is_some_and(Value::is_array) => {
                let (items, _) = super::json::page(&file, &v)?;
                for (i, item) in items.iter().enumerate() {
                    out.push((file.clone(), format!("$.value[{i}]"), item.clone()));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.into_iter().enumerate() {
                    out.push((file.clone(), format!("$[{i}]"), item));
                }
            }
            v => out.push((file, "$".into(), v)),
        }
    }
    Ok(out)
}

/// EntraExporter's objects for `endpoint`, `None` when it has none; groups with their
/// `members` from their `Members/` folders.
pub(crate) fn collection(
    f: &Folder<'_>,
    endpoint: &str,
    warnings: &mut Vec<Problem>,
) -> Result<Option<Vec<Item>>, Problem> {
    let Some(dir) = folder_of(endpoint) else {
        return Ok(None);
    };
    if !has(f, endpoint) {
        return Ok(None);
    }
    let mut items = objects(f, dir)?;
    match endpoint {
        "groups.json" => {
            for (_, _, g) in items.iter_mut() {
                let Some(id) = g.get("id").and_then(Value::as_str).map(str::to_string) else {
                    continue;
                };
                let Value::Object(map) = g else { continue };
                if map.contains_key("members") {
                    continue;
                }
                let members_dir = format!("{dir}/{id}/Members");
                let members = if f.src.dirs(&f.rel_of(&members_dir)).is_ok_and(|v| !v.is_empty()) {
                    objects(f, &members_dir)?.into_iter().map(|(_, _, m)| m).collect()
                } else {
                    Vec::new()
                };
                map.insert("members".into(), Value::Array(members));
            }
        }
        "partners.json" => warnings.push(Problem {
            file: f.file(dir),
            path: "$".into(),
            message: "EntraExporter exports partner configurations without their identity synchronization policies, and writes them all to one file (they have no id), so only the last one is here; save GET /policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization as partners.json in this folder to import them all".into(),
        }),
        _ => {}
    }
    Ok(Some(items))
}
