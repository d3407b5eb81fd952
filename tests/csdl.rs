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

#[path = "support/csdl.rs"]
mod support;
use support::Csdl;

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
        "organization.json" => "Collection(organization)",
        "crossTenantAccessPolicyDefault.json" => "crossTenantAccessPolicyConfigurationDefault",
        "provisioning.jsonl" => "provisioningObjectSummary",
        "servicePrincipals.json" => "Collection(servicePrincipal)",
        "jobs.json" => "Collection(synchronizationJob)",
        "schema.json" => "synchronizationSchema",
        "appRoleAssignedTo.json" => "Collection(appRoleAssignment)",
        "secrets.json" => "Collection(synchronizationSecretKeyStringValuePair)",
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
