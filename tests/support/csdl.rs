//! Graph's v1.0 metadata as the tests read it: the extract in
//! `fixtures/csdl/graph-v1.0-extract.json` (made by `docs/gen/csdl_extract.py` from
//! msgraph-metadata's `clean_v10_metadata/cleanMetadata.xml`, commit in the file), and one
//! checker for every object mtosim writes or serves. Each property must be declared on the
//! object's type or a base type (navigation properties only where mtosim expands them), with a
//! JSON value of the declared type; enum values must be members of the enum. Shared by the
//! workspace's tests (`tests/csdl.rs`) and the server's (`server/tests/common`).

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeSet;

/// The extract's text.
const EXTRACT: &str = include_str!("../../fixtures/csdl/graph-v1.0-extract.json");

/// Graph's v1.0 metadata extract.
pub struct Csdl(pub Value);

impl Csdl {
    /// The extract, `fixtures/csdl/graph-v1.0-extract.json`.
    pub fn load() -> Csdl {
        Csdl(serde_json::from_str(EXTRACT).expect("the extract is JSON"))
    }

    /// The declared type of `prop` on `ty` or a base type, and whether it is a navigation.
    pub fn declared(&self, ty: &str, prop: &str) -> Option<(String, bool)> {
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

    /// Adds to `errors` what in `v` (at `path`) is not Graph's type `ty`: undeclared
    /// properties, values of the wrong JSON type, enum values that are not members.
    pub fn check(&self, path: &str, ty: &str, v: &Value, errors: &mut Vec<String>) {
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
            // ISO 8601, as `PT40M`
            "Edm.Duration" => v
                .as_str()
                .is_some_and(|s| s.trim_start_matches('-').starts_with('P') && s.len() > 2),
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
                                    // directory extensions are properties of users and groups
                                    None if k.starts_with("extension_")
                                        && matches!(actual.as_str(), "user" | "group") => {}
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
