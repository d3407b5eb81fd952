//! Every object `--out` writes in Graph's shape, checked against Graph's own v1.0 metadata:
//! the extract in `fixtures/csdl/graph-v1.0-extract.json` (made by `docs/gen/csdl_extract.py`
//! from msgraph-metadata's `clean_v10_metadata/cleanMetadata.xml`, commit in the file). Each
//! property must be declared on the object's type or a base type (navigation properties only
//! where mtosim expands them), with a JSON value of the declared type; enum values must be
//! members of the enum.

use crate::scenarios::toml_files;
use mtosim_render::views as export;
use mtosim_scenario::{load as scenario, runner};
use serde_json::Value;
use std::collections::BTreeSet;

struct Csdl(Value);

impl Csdl {
    fn load() -> Csdl {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/csdl/graph-v1.0-extract.json"
        );
        Csdl(serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
    }

    /// The declared type of `prop` on `ty` or a base type, and whether it is a navigation.
    fn declared(&self, ty: &str, prop: &str) -> Option<(String, bool)> {
        let mut t = Some(ty.to_string());
        while let Some(name) = t {
            let def = &self.0["types"][&name];
            assert!(def.is_object(), "type {name} is not in the extract");
            if let Some(p) = def["properties"][prop].as_str() {
                return Some((p.to_string(), false));
            }
            if let Some(p) = def["navigation"][prop].as_str() {
                return Some((p.to_string(), true));
            }
            t = def["base"].as_str().map(str::to_string);
        }
        None
    }

    /// Whether `ty` itself is an open type (detailsInfo). Openness is not inherited here:
    /// directoryObject is open, but a property Graph does not declare on a user or a member is
    /// exactly what this test is for.
    fn is_open(&self, ty: &str) -> bool {
        self.0["types"][ty]["open"].as_bool() == Some(true)
    }

    fn check(&self, path: &str, ty: &str, v: &Value, errors: &mut Vec<String>) {
        if let Some(inner) = ty.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')')) {
            match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check(&format!("{path}[{i}]"), inner, item, errors);
                    }
                }
                None => errors.push(format!("{path}: {ty} must be an array, got {v}")),
            }
            return;
        }
        if v.is_null() {
            return;
        }
        let ok = match ty {
            "Edm.String" | "Edm.Binary" => v.is_string(),
            "Edm.Guid" => v
                .as_str()
                .is_some_and(|s| s.len() == 36 && s.matches('-').count() == 4),
            "Edm.Boolean" => v.is_boolean(),
            "Edm.Int32" | "Edm.Int64" | "Edm.Double" => v.is_number(),
            "Edm.DateTimeOffset" => v
                .as_str()
                .is_some_and(|s| s.len() >= 20 && s.as_bytes()[10] == b'T'),
            "Edm.Date" => v.as_str().is_some_and(|s| s.len() == 10),
            _ => {
                if let Some(e) = self.0["enums"].get(ty) {
                    let members: BTreeSet<&str> = e["members"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|m| m.as_str())
                        .collect();
                    let flags = e["flags"].as_bool().unwrap_or(false);
                    match v.as_str() {
                        Some(s) if flags => s.split(',').all(|p| members.contains(p.trim())),
                        Some(s) => members.contains(s),
                        None => false,
                    }
                } else if self.0["types"].get(ty).is_some() {
                    match v.as_object() {
                        Some(o) => {
                            // an expanded directoryObject says which type it is
                            let actual = o
                                .get("@odata.type")
                                .and_then(|t| t.as_str())
                                .and_then(|t| t.strip_prefix("#microsoft.graph."))
                                .filter(|t| self.0["types"].get(*t).is_some())
                                .unwrap_or(ty)
                                .to_string();
                            for (k, val) in o {
                                if k.starts_with('@') {
                                    continue;
                                }
                                match self.declared(&actual, k) {
                                    Some((t, _)) => self.check(&format!("{path}.{k}"), &t, val, errors),
                                    // an open type (detailsInfo) takes any property
                                    None if self.is_open(&actual) => {}
                                    None => errors.push(format!("{path}.{k}: not a property of {actual}")),
                                }
                            }
                            true
                        }
                        None => false,
                    }
                } else {
                    errors.push(format!("{path}: type {ty} is not in the extract"));
                    true
                }
            }
        };
        if !ok {
            errors.push(format!("{path}: {v} is not a {ty}"));
        }
    }
}

/// The Graph type of each exported file's objects (`Collection(...)` for `value` lists).
fn root_type(file: &str) -> Option<&'static str> {
    Some(match file {
        "multiTenantOrganization.json" => "multiTenantOrganization",
        "tenants.json" => "Collection(multiTenantOrganizationMember)",
        "joinRequest.json" => "multiTenantOrganizationJoinRequestRecord",
        "multiTenantOrganizationPartnerConfiguration.json" => {
            "multiTenantOrganizationPartnerConfigurationTemplate"
        }
        "multiTenantOrganizationIdentitySynchronization.json" => {
            "multiTenantOrganizationIdentitySyncPolicyTemplate"
        }
        "partners.json" => "Collection(crossTenantAccessPolicyConfigurationPartner)",
        "users.json" => "Collection(user)",
        "groups.json" => "Collection(group)",
        "provisioning.jsonl" => "provisioningObjectSummary",
        _ => return None,
    })
}

#[test]
fn every_exported_object_matches_graphs_v1_metadata() {
    let csdl = Csdl::load();
    assert!(csdl.0["source"]
        .as_str()
        .unwrap()
        .contains("cleanMetadata.xml @ "));
    let mut errors = Vec::new();
    let mut checked = 0;
    for p in toml_files("scenarios")
        .into_iter()
        .chain(toml_files("fixtures/graph"))
    {
        let (mut sc, _) = scenario::load_path(&p.display().to_string(), false).unwrap();
        sc.world.set_log_provisioning(true);
        let r = runner::run(sc);
        for (rel, contents) in export::files(&r.world) {
            let file = rel.file_name().unwrap().to_string_lossy().to_string();
            let Some(ty) = root_type(&file) else {
                continue;
            };
            let at = format!("{}:{}", p.display(), rel.display());
            if file.ends_with(".jsonl") {
                for (i, line) in contents.lines().enumerate() {
                    let v: Value = serde_json::from_str(line).unwrap();
                    csdl.check(&format!("{at}:{}", i + 1), ty, &v, &mut errors);
                    checked += 1;
                }
                continue;
            }
            let v: Value = serde_json::from_str(&contents).unwrap();
            match ty.strip_prefix("Collection(") {
                Some(_) => csdl.check(&at, ty, &v["value"], &mut errors),
                None => csdl.check(&at, ty, &v, &mut errors),
            }
            checked += 1;
        }
    }
    errors.sort();
    errors.dedup();
    assert!(
        errors.is_empty(),
        "{} mismatches with Graph's v1.0 metadata:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert!(checked > 500, "checked {checked} objects");
}

#[test]
fn the_checker_catches_a_wrong_name_type_or_enum() {
    let csdl = Csdl::load();
    let mut errors = Vec::new();
    let bad = serde_json::json!({
        "tenantId": "x",
        "role": "boss",
        "addedDateTime": 5,
        "telephoneNumber": "1",
    });
    csdl.check("m", "multiTenantOrganizationMember", &bad, &mut errors);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors
        .iter()
        .any(|e| e.contains("telephoneNumber: not a property")));
}
