//! Graph JSON imports: every shipped scenario's `--out` export imports into a scenario whose
//! run shows the same views byte for byte (ids and times included); through the binary, bad
//! input exits 2 naming the file and JSON path and writes nothing.

use crate::cli::mtosim;
use crate::scenarios::{run, run_sc, scenario_files};
use mtosim_engine::build::Builder;
use mtosim_graph::import::{self, Source, Summary};
use mtosim_render::views;
use mtosim_scenario::diag::Diagnostic;
use mtosim_scenario::load::{self, LoadOptions};
use mtosim_scenario::record::{import_toml, ImportScenario};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An export held in memory: relative path to bytes.
struct Memory(BTreeMap<String, Vec<u8>>);

impl Memory {
    fn of(files: &[(PathBuf, String)]) -> Memory {
        Memory(
            files
                .iter()
                .map(|(p, c)| (p.to_string_lossy().replace('\\', "/"), c.clone().into_bytes()))
                .collect(),
        )
    }
}

impl Source for Memory {
    fn read(&self, rel: &str) -> std::io::Result<Option<Vec<u8>>> {
        Ok(self.0.get(rel).cloned())
    }
    fn dirs(&self, rel: &str) -> std::io::Result<Vec<String>> {
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        let mut out: Vec<String> = self
            .0
            .keys()
            .filter_map(|k| {
                k.strip_prefix(&prefix)?
                    .split_once('/')
                    .map(|(d, _)| d.to_string())
            })
            .collect();
        out.dedup();
        Ok(out)
    }
}

/// The files of an export that show what tenants hold (not the run's logs and manifest).
fn views_of(files: Vec<(PathBuf, String)>) -> Vec<(PathBuf, String)> {
    files
        .into_iter()
        .filter(|(p, _)| {
            let name = p.file_name().unwrap().to_string_lossy();
            ![
                "provisioning.jsonl",
                "events.jsonl",
                "manifest.json",
                "topology.dot",
            ]
            .contains(&&*name)
        })
        .collect()
}

/// Imports `export` as `mtosim import A -o s.toml` does and runs the scenario it writes.
fn import_and_run(export: &Memory) -> (Summary, Vec<(PathBuf, String)>) {
    let mut probe = Builder::new(
        mtosim_engine::RuleSet::new(mtosim_engine::RuleSetKind::Ga),
        0,
        mtosim_engine::SimTime::DEFAULT_START,
        mtosim_engine::DelayMode::Max,
    );
    let summary = import::import(&[("A", export)], &mut probe).unwrap_or_else(|p| panic!("{}", p[0]));
    let text = import_toml(&ImportScenario {
        name: "imported",
        rules: summary.rules.as_deref().unwrap_or("ga"),
        seed: summary.seed.unwrap_or(0),
        start: summary.time.unwrap(),
        import: &["A".to_string()],
        comments: &[],
    });
    let importer = |dirs: &[String], b: &mut Builder| -> Result<(), Vec<Diagnostic>> {
        assert_eq!(dirs, ["A"]);
        import::import(&[("A", export)], b).map(|_| ()).map_err(|ps| {
            ps.iter()
                .map(|p| Diagnostic::file_level(&p.file, p.to_string()))
                .collect()
        })
    };
    let no_files = |_: &str| -> std::io::Result<Vec<u8>> { Err(std::io::Error::other("no files")) };
    let (sc, _) = load::load_with(
        "s.toml",
        &text,
        &LoadOptions {
            lenient: false,
            read_file: &no_files,
            import: Some(&importer),
        },
    )
    .unwrap_or_else(|d| panic!("{}\n{text}", d[0]));
    assert_eq!(
        sc.world.check_invariants(),
        Ok(()),
        "an imported world keeps the model's invariants"
    );
    let r = run_sc(sc);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    (summary, views::files(&r.world))
}

#[test]
fn every_shipped_scenario_round_trips_through_an_import_byte_for_byte() {
    let mut accounts = 0;
    for path in scenario_files() {
        let a = views::files(&run(&path).world);
        let (summary, b) = import_and_run(&Memory::of(&a));
        assert!(
            summary.warnings.is_empty(),
            "{}: {:?}",
            path.display(),
            summary.warnings
        );
        accounts += summary.tenants.iter().map(|t| t.accounts).sum::<usize>();
        let (a, b) = (views_of(a), views_of(b));
        assert_eq!(a.len(), b.len(), "{}", path.display());
        for ((pa, ca), (pb, cb)) in a.iter().zip(&b) {
            assert_eq!(pa, pb, "{}", path.display());
            assert!(
                ca == cb,
                "{}: {} differs after the round trip",
                path.display(),
                pa.display()
            );
        }
    }
    assert!(
        accounts > 100,
        "the scenarios end with synchronized accounts: {accounts}"
    );
}

fn temp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A fresh folder `name` holding `A`, the `--out` export of the full-mesh scenario.
fn mesh_export(name: &str) -> (PathBuf, PathBuf) {
    let d = temp(name);
    let a = d.join("A");
    let (code, out, err) = mtosim(&[
        "run",
        "scenarios/cts-full-mesh.toml",
        "--quiet",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    (d, a)
}

#[test]
fn the_binary_imports_an_export_and_runs_the_scenario_it_writes() {
    let (d, a) = mesh_export("cli");
    let s = d.join("s.toml");
    let (code, out, err) = mtosim(&["import", a.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("4 tenants imported, 0 warnings"), "{out}");
    let text = std::fs::read_to_string(&s).unwrap();
    assert!(
        text.contains("import = [\"A\"]"),
        "relative to the scenario: {text}"
    );
    let b = d.join("B");
    let (code, out, err) = mtosim(&[
        "run",
        s.to_str().unwrap(),
        "--quiet",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    for t in ["contoso", "fabrikam"] {
        for f in [
            "users.json",
            "partners.json",
            "tenants.json",
            "groups.json",
            "users.csv",
        ] {
            let x = std::fs::read(a.join(t).join(f)).unwrap();
            let y = std::fs::read(b.join(t).join(f)).unwrap();
            assert!(x == y, "{t}/{f} differs");
        }
    }
}

/// A minimal tenant folder: organization, and the files given.
fn tenant(root: &Path, name: &str, id: &str, files: &[(&str, &str)]) {
    write(
        &root.join(name).join("organization.json"),
        &format!(
            r#"{{"value": [{{"id": "{id}", "displayName": "{name}", "verifiedDomains": [{{"name": "{name}.onmicrosoft.com", "isInitial": true}}]}}]}}"#
        ),
    );
    for (f, text) in files {
        write(&root.join(name).join(f), text);
    }
}

const CONTOSO: &str = "a1000000-0000-4000-8000-000000000001";
const FABRIKAM: &str = "a1000000-0000-4000-8000-000000000002";

/// `mtosim import` on `root`: (exit code, stderr), and whether the scenario was written.
fn import_exit(root: &Path) -> (i32, String, bool) {
    let s = root.join("s.toml");
    let (code, _, err) = mtosim(&["import", root.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    (code, err, s.exists())
}

#[test]
fn bad_input_exits_2_with_the_file_and_json_path_and_writes_nothing() {
    let partner = |id: &str| format!(r#"{{"value": [{{"tenantId": "{id}"}}]}}"#);
    // (case, file, its text, where the error is, the JSON path, what it says)
    let cases = [
        (
            "not-json",
            "users.json",
            "{\"value\": [".to_string(),
            "contoso/users.json",
            "$: ",
            "not JSON: EOF while parsing a list at line 1 column 11",
        ),
        (
            "wrong-shape",
            "users.json",
            r#"{"value": [{"userPrincipalName": 3}]}"#.to_string(),
            "contoso/users.json",
            "$.value[0].userPrincipalName: ",
            "expected a string, found a number",
        ),
        (
            "unknown-partner",
            "partners.json",
            partner("b1000000-0000-4000-8000-000000000009"),
            "contoso/partners.json",
            "$.value[0].tenantId: ",
            "not among the imported tenants",
        ),
    ];
    for (name, f, text, file, at, what) in cases {
        let root = temp(name);
        tenant(&root, "contoso", CONTOSO, &[(f, text.as_str())]);
        tenant(&root, "fabrikam", FABRIKAM, &[]);
        let (code, err, written) = import_exit(&root);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(
            err.contains(file) && err.contains(at) && err.contains(what),
            "{name}: {err}"
        );
        assert!(!written, "{name}: nothing is written");
    }
    let root = temp("same-id");
    tenant(&root, "contoso", CONTOSO, &[]);
    tenant(&root, "fabrikam", CONTOSO, &[]);
    let (code, err, written) = import_exit(&root);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("fabrikam/organization.json")
            && err.contains("$.value[0].id: ")
            && err.contains("used twice"),
        "{err}"
    );
    assert!(!written);
    // a world no run can start from: MTO tenants without settings for each other (INV-13)
    let s = temp("broken").join("s.toml");
    let (code, _, err) = mtosim(&[
        "import",
        "fixtures/doctor/mto-missing-partner",
        "-o",
        s.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("INV-13 (MTO-56) violated") && err.contains("mtosim doctor"),
        "{err}"
    );
    assert!(!s.exists());
}

#[test]
fn pages_casing_utf16_and_unread_properties_are_accepted() {
    let root = temp("pages");
    let user = |upn: &str, id: u32| {
        format!(
            r#"{{"ID": "c1000000-0000-4000-8000-{id:012}", "UserPrincipalName": "{upn}", "surName": "X", "favouriteColour": "blue"}}"#
        )
    };
    let page1 = format!(
        r#"{{"@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=x", "value": [{}]}}"#,
        user("ada@contoso.onmicrosoft.com", 1)
    );
    let page2 = format!(r#"{{"value": [{}]}}"#, user("bo@contoso.onmicrosoft.com", 2));
    tenant(&root, "contoso", CONTOSO, &[("users.json", &page1)]);
    // the second page as Windows PowerShell 5.1's Out-File writes it: UTF-16 LE with a BOM, CRLF
    let mut utf16 = vec![0xFF, 0xFE];
    for u in page2.replace('\n', "\r\n").encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    std::fs::write(root.join("contoso/users.2.json"), utf16).unwrap();
    let s = root.join("s.toml");
    let (code, out, err) = mtosim(&["import", root.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("property \"favouriteColour\" of 2 users is not read"),
        "{err}"
    );
    let text = std::fs::read_to_string(&s).unwrap();
    assert!(text.contains("contoso (") && text.contains(": 2 users"), "{text}");
    std::fs::remove_file(root.join("contoso/users.2.json")).unwrap();
    let (code, _, err) = mtosim(&["import", root.to_str().unwrap(), "-q"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = mtosim(&["import", root.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        err.contains("users.2.json is absent: only the first 1 objects"),
        "{err}"
    );
    assert!(
        out.contains("[scenario]"),
        "without -o the scenario is printed: {out}"
    );
}

#[test]
fn entra_exporter_folders_import_alike_from_powershell_7_and_5_1() {
    let d = temp("entra-exporter");
    let mut views = Vec::new();
    for v in ["ps7", "ps51"] {
        let s = d.join(format!("{v}.toml"));
        let src = format!("fixtures/import/entra-exporter/{v}");
        let (code, out, err) = mtosim(&["import", &src, "-o", s.to_str().unwrap()]);
        assert_eq!(code, 0, "{v}: {out}{err}");
        assert!(out.contains("2 tenants imported"), "{v}: {out}");
        assert!(
            err.contains("only the last one is here"),
            "{v}: the partner file is named: {err}"
        );
        assert!(
            err.contains("contoso/Users at $..refreshTokensValidFromDateTime"),
            "{v}: {err}"
        );
        // EntraExporter writes service principals, not their jobs: the import names the file
        assert!(
            err.contains("has no servicePrincipals/8e881353-1735-45af-af21-ee1344582a4d/jobs.json")
                && err.contains("the configuration \"Fabrikam\" is not imported"),
            "{v}: {err}"
        );
        let text = std::fs::read_to_string(&s).unwrap();
        assert!(
            text.contains("contoso (")
                && text.contains(
                    "2 users, 0 accounts of other tenants' users, 1 group, 1 partner configuration"
                ),
            "{text}"
        );
        assert!(text.contains("not in the export (not imported, not checked): multiTenantOrganizationPartnerConfiguration.json"), "{text}");
        let out_dir = d.join(format!("{v}-views"));
        let (code, out, err) = mtosim(&[
            "run",
            s.to_str().unwrap(),
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{v}: {out}{err}");
        let read = |f: &str| std::fs::read_to_string(out_dir.join("contoso").join(f)).unwrap();
        views.push((read("users.json"), read("groups.json"), read("partners.json")));
    }
    assert!(
        views[0] == views[1],
        "UTF-8 LF and UTF-16 CRLF exports give the same world"
    );
    let (users, groups, partners) = &views[0];
    assert!(
        users.contains("\"id\": \"87d349ed-44d7-43e1-9a83-5f2406dee5bd\""),
        "{users}"
    );
    assert!(
        users.contains("\"createdDateTime\": \"2021-03-01T17:02:11Z\""),
        "a /Date()/ time reads as the same instant: {users}"
    );
    assert!(users.contains("\"extensionAttribute1\": \"Store 12\""), "{users}");
    assert!(
        groups.contains("AlexW@contoso.com") && groups.contains("AdeleV@contoso.com"),
        "members from Members/: {groups}"
    );
    assert!(partners.contains("\"outboundAllowed\": true"), "{partners}");
}

#[test]
fn an_imported_world_takes_more_tenants_and_steps() {
    let (d, _) = mesh_export("extend");
    // a new tenant beside the imported ones, and the imported configuration toward fabrikam
    // carrying a change at its next (incremental) cycle to the account it had made
    let text = r#"
[scenario]
name = "mesh plus woodgrove"
seed = 4
start = "2025-03-03T14:00:00Z"
import = ["A"]

[[tenant]]
name = "woodgrove"
users = { generate = 5 }
[[tenant.partner]]
tenant = "contoso"
sync_inbound = true
auto_redeem_inbound = true

[[step]]
do = "set-partner"
tenant = "contoso"
partner = "woodgrove"
auto_redeem_outbound = true

[[step]]
do = "create-sync"
tenant = "contoso"
target = "woodgrove"
name = "To Woodgrove"
scope = "all"

[[step]]
do = "start-sync"
tenant = "contoso"
sync = "To Woodgrove"

[[step]]
do = "update-user"
tenant = "contoso"
user = "jonas.torres@contoso.onmicrosoft.com"
department = "Treasury"

[[step]]
do = "settle"

[[step]]
do = "expect"
tenant = "woodgrove"
synced_from = { tenant = "contoso", count = 27 }

[[step]]
do = "expect"
tenant = "fabrikam"
synced_from = { tenant = "contoso", count = 27 }
[[step.user]]
upn = "jonas.torres_contoso.onmicrosoft.com#EXT#@fabrikam.onmicrosoft.com"
department = "Treasury"
"#;
    let s = d.join("extend.toml");
    write(&s, text);
    let (code, out, err) = mtosim(&["run", s.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Result: ok, 3 checks held."), "{out}");
    // a domain of an imported tenant is verified there already
    let clash = text.replace(
        "name = \"woodgrove\"\n",
        "name = \"woodgrove\"\ndomains = [\"contoso.onmicrosoft.com\"]\n",
    );
    write(&s, &clash);
    let (code, _, err) = mtosim(&["run", s.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already verified in tenant contoso"), "{err}");
}

#[test]
fn explore_reads_a_scenario_that_imports() {
    let (d, _) = mesh_export("explore");
    let s = d.join("explore.toml");
    write(
        &s,
        r#"
[scenario]
name = "explore an imported mesh"
import = ["A"]

[[step]]
do = "set-partner"
tenant = "contoso"
partner = "fabrikam"
mfa_trust = true

[[step]]
do = "settle"
"#,
    );
    let (code, out, err) = mtosim(&["explore", s.to_str().unwrap(), "--depth", "2"]);
    assert_eq!(code, 0, "the imported world is explored: {out}{err}");
    assert!(!err.contains("import"), "{err}");
}

/// Copies folder `from` to `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn sync_configurations_import_with_their_ids_schema_assignments_and_job() {
    let d = temp("sync-configs");
    let a = d.join("A");
    copy_dir(Path::new("fixtures/import/graph-docs"), &a);
    let s = d.join("s.toml");
    let (code, out, err) = mtosim(&["import", a.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&s).unwrap();
    assert!(
        text.contains("1 partner configuration, 1 sync configuration"),
        "{text}"
    );
    // the world starts when the job last finished, the latest the export shows
    assert!(text.contains("start = \"2024-01-08T09:00:40Z\""), "{text}");
    // a mapping of an attribute mtosim does not model is reported, not fatal
    assert!(
        err.contains("attributeMappings[22]") && err.contains("preferredDataLocation"),
        "{err}"
    );
    let b = d.join("B");
    let (code, out, err) = mtosim(&[
        "run",
        s.to_str().unwrap(),
        "--quiet",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let sp = "8e881353-1735-45af-af21-ee1344582a4d";
    let read = |rel: &str| std::fs::read_to_string(b.join("contoso").join(rel)).unwrap();
    let json = |rel: &str| -> serde_json::Value { serde_json::from_str(&read(rel)).unwrap() };
    let sps = json("servicePrincipals.json");
    assert_eq!(
        sps["value"].as_array().unwrap().len(),
        1,
        "only the template's: {sps}"
    );
    assert_eq!(sps["value"][0]["id"], sp);
    assert_eq!(sps["value"][0]["appId"], "00000000-0000-0000-0000-00000000abcd");
    assert_eq!(
        sps["value"][0]["appRoles"][0]["id"],
        "ea78d7d8-0f57-4b0c-a1d5-d2d3b6b93d6c"
    );
    let dir = format!("servicePrincipals/{sp}");
    let job = &json(&format!("{dir}/jobs.json"))["value"][0];
    assert_eq!(
        job["id"],
        "Azure2Azure.e4bbf44533ea4eabb17027f3a92e92aa.0e5b83f6-cd2c-41dc-a6d1-27bd5b5d1e97"
    );
    assert_eq!(job["schedule"]["state"], "Active");
    assert_eq!(job["status"]["lastExecution"]["countExported"], 1);
    let assigned = json(&format!("{dir}/appRoleAssignedTo.json"));
    assert_eq!(
        assigned["value"][0]["id"],
        "7sn-D9NuI0ubTeO3D7p-aBu-9e0z8cFKkL6AE2vS2Fw"
    );
    assert_eq!(assigned["value"][0]["principalDisplayName"], "Adele Vance");
    let schema = json(&format!("{dir}/schema.json"));
    let user = &schema["synchronizationRules"][0]["objectMappings"][0];
    assert_eq!(schema["version"], "Date:2024-01-08T08:50:00Z~Customized:true");
    assert_eq!(
        user["scope"]["groups"][0]["clauses"][0]["sourceOperandName"],
        "department"
    );
    let title = user["attributeMappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["targetAttributeName"] == "jobTitle")
        .unwrap();
    assert_eq!(title["source"]["type"], "Constant", "{title}");
    assert!(!read(&format!("{dir}/schema.json")).contains("preferredDataLocation"));
    let secrets = json(&format!("{dir}/secrets.json"));
    assert_eq!(
        secrets["value"][0]["value"],
        "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad"
    );

    // without the secrets body the target is unknown: the configuration is left out, saying why
    std::fs::remove_file(a.join("contoso").join(&dir).join("secrets.json")).unwrap();
    let (code, out, err) = mtosim(&["import", a.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("the target of \"Fabrikam\" is not in the export")
            && err.contains(
                "PUT /servicePrincipals/8e881353-1735-45af-af21-ee1344582a4d/synchronization/secrets"
            ),
        "{err}"
    );
    assert!(std::fs::read_to_string(&s)
        .unwrap()
        .contains("0 sync configurations"));

    // a CompanyId that names no imported tenant is an error at its file and path
    write(
        &a.join("contoso").join(&dir).join("secrets.json"),
        r#"{"value": [{"key": "CompanyId", "value": "b1000000-0000-4000-8000-000000000009"}]}"#,
    );
    std::fs::remove_file(&s).unwrap();
    let (code, err, written) = import_exit(&a);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("contoso/{dir}/secrets.json"))
            && err.contains("$.value: ")
            && err.contains("not among the imported tenants"),
        "{err}"
    );
    assert!(!written);
}

#[test]
fn a_group_of_more_than_20_members_imports_whole_from_its_members_file() {
    let root = temp("big-group");
    let user = |i: usize| {
        format!(
            r#"{{"id": "c0000000-0000-4000-8000-{i:012}", "userPrincipalName": "u{i}@contoso.onmicrosoft.com"}}"#
        )
    };
    let users: Vec<String> = (1..=25).map(user).collect();
    let gid = "d0000000-0000-4000-8000-000000000001";
    // $expand=members stops at 20; the group's own members file has all 25, in two pages
    let expanded: Vec<String> = (1..=20).map(user).collect();
    let page1: Vec<String> = (1..=15).map(user).collect();
    let page2: Vec<String> = (16..=25).map(user).collect();
    tenant(
        &root,
        "contoso",
        CONTOSO,
        &[
            ("users.json", &format!(r#"{{"value": [{}]}}"#, users.join(","))),
            (
                "groups.json",
                &format!(
                    r#"{{"value": [{{"id": "{gid}", "displayName": "Everyone", "securityEnabled": true, "mailEnabled": false, "groupTypes": [], "members": [{}]}}]}}"#,
                    expanded.join(",")
                ),
            ),
            (
                &format!("groups/{gid}/members.json"),
                &format!(
                    r#"{{"value": [{}], "@odata.nextLink": "https://graph.microsoft.com/v1.0/groups/{gid}/members?$skiptoken=x"}}"#,
                    page1.join(",")
                ),
            ),
            (
                &format!("groups/{gid}/members.2.json"),
                &format!(r#"{{"value": [{}]}}"#, page2.join(",")),
            ),
        ],
    );
    let s = root.join("s.toml");
    let (code, out, err) = mtosim(&[
        "import",
        root.join("contoso").to_str().unwrap(),
        "-o",
        s.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let b = root.join("B");
    let (code, out, err) = mtosim(&[
        "run",
        s.to_str().unwrap(),
        "--quiet",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let groups: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.join("contoso/groups.json")).unwrap()).unwrap();
    assert_eq!(
        groups["value"][0]["members"].as_array().unwrap().len(),
        25,
        "{groups}"
    );
}

#[test]
fn imported_group_provisioning_goes_on_with_the_groups_it_made() {
    let d = temp("group-sync");
    let a = d.join("A");
    let (code, out, err) = mtosim(&[
        "run",
        "scenarios/cts-group-provisioning.toml",
        "--quiet",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // groupSyncInbound is beta only: a /beta partners.json brings it (XTAP-11)
    let p = a.join("fabrikam/partners.json");
    let mut partners: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    for x in partners["value"].as_array_mut().unwrap() {
        x["identitySynchronization"]["groupSyncInbound"] = serde_json::json!({"isSyncAllowed": true});
    }
    write(&p, &partners.to_string());
    let s = d.join("s.toml");
    let (code, out, err) = mtosim(&["import", a.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let mut text = std::fs::read_to_string(&s).unwrap();
    text.push_str(
        r#"
[[step]]
do = "restart-sync"
tenant = "contoso"
sync = "Contoso to Fabrikam"

[[step]]
do = "settle"
"#,
    );
    write(&s, &text);
    let (code, out, err) = mtosim(&["run", s.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !out.contains("created \"Project Falcon\""),
        "the imported group is its: {out}"
    );
    assert!(out.contains("0 groups and 1 group synced in"), "{out}");
}
