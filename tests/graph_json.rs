//! The Graph JSON export: byte-for-byte against golden files (regenerate with
//! `MTOSIM_UPDATE_FIXTURES=1 cargo test --workspace`), and, for every scenario, the property names
//! and enum values of mto-rules.md section 11.

use crate::scenarios::{run, toml_files};
use mtosim_render::views as export;
use mtosim_scenario::{load as scenario, runner};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn export_matches_the_golden_files() {
    let r = run(&root().join("fixtures/graph/mto-views.toml"));
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    let files = export::files(&r.world);
    let golden = root().join("fixtures/graph/mto-views");
    if std::env::var_os("MTOSIM_UPDATE_FIXTURES").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
        for (rel, contents) in &files {
            let p = golden.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, contents).unwrap();
        }
    }
    for (rel, contents) in &files {
        let want = std::fs::read_to_string(golden.join(rel)).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; set MTOSIM_UPDATE_FIXTURES=1 to create it",
                rel.display()
            )
        });
        assert_eq!(contents, &want, "{} differs from the golden file", rel.display());
    }
    let on_disk = walk(&golden).len();
    assert_eq!(on_disk, files.len(), "golden directory holds stale files");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn one_of(v: &Value, allowed: &[&str], what: &str) {
    if v.is_null() {
        return;
    }
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"));
    assert!(allowed.contains(&s), "{what} = {s:?}, not one of {allowed:?}");
}

fn guid(v: &Value, what: &str) {
    let s = v.as_str().unwrap_or_else(|| panic!("{what} is not a string"));
    assert!(
        mtosim_engine::Guid::parse(s).is_some(),
        "{what} = {s:?} is not a GUID"
    );
}

const MEMBER_STATES: &[&str] = &["pending", "active", "removed"];
const ROLES: &[&str] = &["owner", "member"];
const STATUS: &[&str] = &["notStarted", "running", "succeeded", "failed"];
const LEVELS: &[&str] = &[
    "none",
    "newPartners",
    "existingPartners",
    "newPartners,existingPartners",
];

fn check_tenant_files(files: &[(PathBuf, String)], ga: bool) {
    for (rel, text) in files {
        let name = rel.file_name().unwrap().to_str().unwrap();
        if name == "users.csv" {
            let mut r = csv::Reader::from_reader(text.as_bytes());
            assert_eq!(
                r.headers().unwrap().iter().collect::<Vec<_>>(),
                export::DOWNLOAD_USERS_HEADER
            );
            for rec in r.records() {
                let rec = rec.unwrap();
                assert!(["True", "False"].contains(&&rec[9]), "{rec:?}");
                for cell in rec.iter() {
                    assert!(!cell.starts_with(['=', '+', '-', '@']), "formula cell {cell:?}");
                }
            }
            continue;
        }
        if name == "topology.dot" {
            assert!(
                text.starts_with("digraph {") && text.trim_end().ends_with('}'),
                "{text}"
            );
            continue;
        }
        if name == "events.jsonl" {
            for line in text.lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                assert_eq!(v["schemaVersion"], mtosim_render::jsonl::SCHEMA_VERSION);
            }
            continue;
        }
        if name == "provisioning.jsonl" {
            for line in text.lines() {
                let v: Value =
                    serde_json::from_str(line).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
                one_of(
                    &v["provisioningAction"],
                    &["create", "update", "delete", "stagedDelete", "disable", "other"],
                    "provisioningAction",
                );
                one_of(
                    &v["provisioningStatusInfo"]["status"],
                    &["success", "warning", "failure", "skipped"],
                    "status",
                );
            }
            continue;
        }
        let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
        match name {
            "multiTenantOrganization.json" => {
                for k in ["createdDateTime", "displayName", "description"] {
                    assert!(v.get(k).is_some(), "{}: no {k}", rel.display());
                }
                if ga {
                    one_of(&v["state"], &["active", "inactive"], "state");
                } else {
                    assert!(v.get("state").is_none(), "MTO-11: no state in the preview");
                }
            }
            "tenants.json" => {
                for m in v["value"].as_array().unwrap() {
                    assert_eq!(m["id"], m["tenantId"], "a member's id is its tenant id");
                    assert_eq!(
                        keys(m),
                        [
                            "id",
                            "tenantId",
                            "displayName",
                            "addedDateTime",
                            "joinedDateTime",
                            "addedByTenantId",
                            "role",
                            "state",
                            "transitionDetails"
                        ]
                    );
                    guid(&m["tenantId"], "tenantId");
                    guid(&m["addedByTenantId"], "addedByTenantId");
                    one_of(&m["role"], ROLES, "role");
                    one_of(&m["state"], MEMBER_STATES, "state");
                    if let Some(t) = m["transitionDetails"].as_object() {
                        one_of(&t["desiredState"], MEMBER_STATES, "desiredState");
                        one_of(&t["desiredRole"], ROLES, "desiredRole");
                        one_of(&t["status"], STATUS, "status");
                    }
                }
            }
            "joinRequest.json" => {
                assert_eq!(
                    keys(&v),
                    [
                        "@odata.context",
                        "id",
                        "addedByTenantId",
                        "memberState",
                        "role",
                        "transitionDetails"
                    ]
                );
                guid(&v["addedByTenantId"], "addedByTenantId");
                one_of(&v["memberState"], MEMBER_STATES, "memberState");
                one_of(&v["role"], ROLES, "role");
                if let Some(t) = v["transitionDetails"].as_object() {
                    assert_eq!(t["desiredMemberState"], "active");
                    one_of(&t["status"], STATUS, "status");
                }
            }
            "multiTenantOrganizationPartnerConfiguration.json" => {
                one_of(&v["templateApplicationLevel"], LEVELS, "templateApplicationLevel");
                let c = &v["automaticUserConsentSettings"];
                assert!(c.get("inboundAllowed").is_some() && c.get("outboundAllowed").is_some());
                for k in [
                    "inboundTrust",
                    "b2bCollaborationInbound",
                    "b2bCollaborationOutbound",
                    "b2bDirectConnectInbound",
                    "b2bDirectConnectOutbound",
                ] {
                    assert!(v.get(k).is_some(), "{}: no {k}", rel.display());
                }
            }
            "multiTenantOrganizationIdentitySynchronization.json" => {
                one_of(&v["templateApplicationLevel"], LEVELS, "templateApplicationLevel");
                assert!(v["userSyncInbound"].get("isSyncAllowed").is_some());
            }
            "partners.json" => {
                for p in v["value"].as_array().unwrap() {
                    guid(&p["tenantId"], "tenantId");
                    assert!(p["isInMultiTenantOrganization"].is_boolean());
                    assert!(p["isServiceProvider"].is_boolean());
                    if let Some(s) = p["identitySynchronization"].as_object() {
                        assert!(s["userSyncInbound"].get("isSyncAllowed").is_some());
                    }
                }
            }
            "manifest.json" => assert_eq!(v["schemaVersion"], mtosim_render::jsonl::SCHEMA_VERSION),
            "users.json" => {
                for u in v["value"].as_array().unwrap() {
                    guid(&u["id"], "id");
                    one_of(&u["userType"], &["Member", "Guest"], "userType");
                    one_of(&u["creationType"], &["Invitation"], "creationType");
                    one_of(
                        &u["externalUserState"],
                        &["Accepted", "PendingAcceptance"],
                        "externalUserState",
                    );
                    assert!(u["accountEnabled"].is_boolean());
                    let upn = u["userPrincipalName"].as_str().unwrap();
                    assert_eq!(upn.contains("#EXT#"), u["creationType"] == "Invitation", "{upn}");
                }
            }
            "groups.json" => {
                for g in v["value"].as_array().unwrap() {
                    guid(&g["id"], "id");
                    assert!(g["displayName"].is_string());
                    assert!(g["mailEnabled"].is_boolean() && g["securityEnabled"].is_boolean());
                    assert!(g["isAssignableToRole"].is_boolean());
                    for t in g["groupTypes"].as_array().unwrap() {
                        one_of(t, &["Unified", "DynamicMembership"], "groupTypes");
                    }
                    for m in g["members"].as_array().unwrap() {
                        guid(&m["id"], "members.id");
                        one_of(
                            &m["@odata.type"],
                            &["#microsoft.graph.user", "#microsoft.graph.group"],
                            "members.@odata.type",
                        );
                    }
                }
            }
            "crossTenantAccessPolicyDefault.json" => {
                assert!(v["isServiceDefault"].is_boolean());
                for k in ["b2bCollaborationInbound", "b2bCollaborationOutbound"] {
                    one_of(&v[k]["usersAndGroups"]["accessType"], &["allowed", "blocked"], k);
                }
            }
            "organization.json" => {
                let orgs = v["value"].as_array().unwrap();
                assert_eq!(orgs.len(), 1, "GET /organization lists the one tenant");
                guid(&orgs[0]["id"], "id");
                let domains = orgs[0]["verifiedDomains"].as_array().unwrap();
                assert_eq!(domains.iter().filter(|d| d["isInitial"] == true).count(), 1);
                assert_eq!(domains.iter().filter(|d| d["isDefault"] == true).count(), 1);
            }
            "servicePrincipals.json" => {
                for sp in v["value"].as_array().unwrap() {
                    guid(&sp["id"], "id");
                    assert_eq!(
                        sp["applicationTemplateId"],
                        "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7"
                    );
                    assert_eq!(sp["appRoles"].as_array().unwrap().len(), 1, "msiam_access");
                    let dir = rel
                        .parent()
                        .unwrap()
                        .join("servicePrincipals")
                        .join(sp["id"].as_str().unwrap());
                    for f in ["jobs.json", "schema.json", "appRoleAssignedTo.json"] {
                        assert!(
                            files.iter().any(|(p, _)| *p == dir.join(f)),
                            "{} has {f}",
                            dir.display()
                        );
                    }
                }
            }
            "jobs.json" => {
                let jobs = v["value"].as_array().unwrap();
                assert_eq!(jobs.len(), 1, "a configuration has one job");
                assert_eq!(jobs[0]["templateId"], "Azure2Azure");
                assert!(jobs[0]["id"].as_str().unwrap().starts_with("Azure2Azure."));
                one_of(
                    &jobs[0]["schedule"]["state"],
                    &["Active", "Disabled"],
                    "schedule.state",
                );
                one_of(
                    &jobs[0]["status"]["code"],
                    &["Paused", "NotRun", "Active", "Quarantine"],
                    "status.code",
                );
            }
            "schema.json" => {
                let rules = v["synchronizationRules"].as_array().unwrap();
                assert_eq!(rules.len(), 1);
                let maps = rules[0]["objectMappings"].as_array().unwrap();
                assert_eq!(maps[0]["sourceObjectName"], "User");
                assert_eq!(maps[1]["sourceObjectName"], "Group");
                assert!(maps[1]["enabled"].is_boolean());
            }
            "appRoleAssignedTo.json" => {
                let sp = rel.parent().unwrap().file_name().unwrap().to_str().unwrap();
                for a in v["value"].as_array().unwrap() {
                    assert_eq!(a["resourceId"], sp);
                    one_of(&a["principalType"], &["User", "Group"], "principalType");
                    guid(&a["principalId"], "principalId");
                }
            }
            "secrets.json" => {
                let kv = v["value"].as_array().unwrap();
                assert_eq!(kv[0]["key"], "CompanyId");
                guid(&kv[0]["value"], "CompanyId");
            }
            other => panic!("unexpected file {other}"),
        }
    }
}

#[test]
fn every_scenario_exports_graph_shapes() {
    for p in toml_files("scenarios")
        .into_iter()
        .chain(toml_files("fixtures/graph"))
    {
        let (mut sc, _) = scenario::load_path(&p.display().to_string(), false).unwrap();
        sc.world.set_log_provisioning(true);
        let r = runner::run(sc);
        let ga = r.world.rules().kind == mtosim_engine::RuleSetKind::Ga;
        check_tenant_files(&export::files(&r.world), ga);
    }
}

/// Every refusal and failure that any scenario meets, rendered for a Graph client, names
/// Graph requests and properties, never a scenario verb or key.
#[test]
fn refusals_speak_graph_to_graph_clients() {
    use mtosim_engine::event::EventKind;
    let verbs: Vec<&str> = mtosim_scenario::verbs::VERBS
        .iter()
        .map(|v| v.name)
        .filter(|v| v.contains('-'))
        .collect();
    let scenario_keys = [
        "via = ",
        "targeted_release",
        "guest_invites",
        "b2b_inbound =",
        "auto_redeem_",
        "sync_inbound =",
        "scope = ",
    ];
    let mut seen = 0;
    let mut hinted = 0;
    for p in toml_files("scenarios") {
        let r = crate::scenarios::run(&p);
        for ev in r.world.events() {
            let refusal = match &ev.kind {
                EventKind::Refused { refusal, .. }
                | EventKind::JoinFailed { refusal, .. }
                | EventKind::CycleBlocked { refusal, .. } => refusal,
                _ => continue,
            };
            seen += 1;
            let scenario = mtosim_scenario::words::Message(refusal).to_string();
            let body = mtosim_graph::ErrorBody::from_refusal(refusal, "2024-01-01T00:00:00Z", "r", "c");
            let m = &body.error.message;
            if scenario != refusal.message.render(|_| String::new()) {
                hinted += 1;
            }
            for w in verbs.iter().chain(scenario_keys.iter()) {
                assert!(!m.contains(w), "{}: Graph is told {w:?}: {m}", p.display());
            }
            let json = serde_json::to_value(&body).unwrap();
            assert_eq!(keys(&json), ["error"]);
            assert_eq!(keys(&json["error"]), ["code", "message", "innerError"]);
            assert_eq!(
                keys(&json["error"]["innerError"]),
                ["date", "request-id", "client-request-id"]
            );
        }
    }
    assert!(seen > 20 && hinted > 3, "{seen} refusals, {hinted} with hints");
}
