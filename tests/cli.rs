//! The `mtosim` binary: exit codes 0/1/2 and diagnostics that name file, line and column.

use std::path::Path;
use std::process::Command;

/// Runs the binary from the repository root: (exit code, stdout, stderr).
pub(crate) fn mtosim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mtosim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn with_file(name: &str, body: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

const TWO_TENANTS: &str =
    "[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"contoso\"\n\n[[tenant]]\nname = \"fabrikam\"\n";

#[test]
fn run_exits_0_on_the_seed_walkthrough() {
    let (code, out, err) = mtosim(&["run", "scenarios/seed-walkthrough.toml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Result: ok, 5 checks held."), "{out}");
}

#[test]
fn run_exits_1_when_a_check_fails() {
    let f = with_file(
        "failing.toml",
        &format!("{TWO_TENANTS}\n[[step]]\ndo = \"create-mto\"\ntenant = \"contoso\"\ndisplay_name = \"X\"\n\n[[step]]\ndo = \"expect\"\ntenant = \"contoso\"\nmto_tenants = 2\n"),
    );
    let (code, out, _) = mtosim(&["run", &f]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("active tenants in the MTO: expected 2, actual 1"),
        "{out}"
    );
}

#[test]
fn run_exits_1_when_a_step_is_refused_without_expect_error() {
    let f = with_file(
        "refused.toml",
        &format!(
            "{TWO_TENANTS}\n[[step]]\ndo = \"add-tenant\"\ntenant = \"contoso\"\ntarget = \"fabrikam\"\n"
        ),
    );
    let (code, out, _) = mtosim(&["run", &f]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("add-tenant REFUSED (Authorization_RequestDenied): contoso is not in any MTO"),
        "{out}"
    );
    assert!(out.contains("[MTO-14]"), "{out}");
}

#[test]
fn an_asynchronous_join_failure_meets_expect_error() {
    let f = with_file(
        "join-fails.toml",
        &format!("{TWO_TENANTS}\n[[step]]\ndo = \"create-mto\"\ntenant = \"contoso\"\ndisplay_name = \"X\"\n\n[[step]]\ndo = \"join\"\ntenant = \"fabrikam\"\nadded_by = \"contoso\"\nexpect_error = \"MTO-30\"\n\n[[step]]\ndo = \"settle\"\n"),
    );
    let (code, out, _) = mtosim(&["run", &f]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("expected: step 2 (join) failed for MTO-30"), "{out}");
}

#[test]
fn unknown_verb_exits_2_with_line_column_and_suggestion() {
    let f = with_file(
        "verb.toml",
        &format!("{TWO_TENANTS}\n[[step]]\ndo = \"create-mt\"\ntenant = \"contoso\"\n"),
    );
    let (code, out, err) = mtosim(&["run", &f]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "no partial output: {out}");
    assert!(err.contains("verb.toml:11:6"), "{err}");
    assert!(err.contains("did you mean \"create-mto\"?"), "{err}");
}

#[test]
fn unknown_key_and_tenant_exit_2_with_suggestions() {
    let f = with_file(
        "key.toml",
        &format!("{TWO_TENANTS}\n[[step]]\ndo = \"create-mto\"\ntenant = \"contoso\"\ndisplayname = \"X\"\n"),
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(
        err.contains("key.toml:13:1") && err.contains("did you mean `display_name`?"),
        "{err}"
    );
    let f = with_file(
        "tenant.toml",
        &format!(
            "{TWO_TENANTS}\n[[step]]\ndo = \"add-tenant\"\ntenant = \"contoso\"\ntarget = \"fabrikan\"\n"
        ),
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(
        err.contains("tenant.toml:13:10") && err.contains("did you mean \"fabrikam\"?"),
        "{err}"
    );
}

#[test]
fn toml_syntax_errors_exit_2_with_a_caret() {
    let f = with_file("syntax.toml", "[scenario]\nname = \"x\n");
    let (code, _, err) = mtosim(&["run", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("syntax.toml:2:"), "{err}");
    assert!(err.contains('^'), "{err}");
}

#[test]
fn missing_files_exit_2() {
    let (code, _, err) = mtosim(&["run", "does-not-exist.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("does-not-exist.toml:1:1") && err.contains("cannot read the file"),
        "{err}"
    );
}

#[test]
fn check_validates_without_running() {
    let (code, out, _) = mtosim(&["check", "scenarios/seed-walkthrough-ga.toml"]);
    assert_eq!(code, 0);
    assert!(out.contains("ok: \"Seed walkthrough under GA"), "{out}");
}

#[test]
fn out_writes_identical_views_and_refuses_a_non_empty_directory() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-out");
    let _ = std::fs::remove_dir_all(&base);
    let (a, b) = (base.join("a"), base.join("b"));
    let file = "scenarios/templates-at-join.toml";
    let (code, out, err) = mtosim(&["run", "-q", file, "--out", a.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Wrote each tenant's views"), "{out}");
    let (code, _, _) = mtosim(&["run", "-q", file, "--out", b.to_str().unwrap()]);
    assert_eq!(code, 0);
    for f in [
        "manifest.json",
        "contoso/partners.json",
        "northwind/multiTenantOrganization.json",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let (code, out, err) = mtosim(&["run", "-q", file, "--out", a.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty(), "nothing is printed before refusing: {out}");
    assert!(err.contains("is not empty") && err.contains("--force"), "{err}");
    let (code, _, _) = mtosim(&["run", "-q", file, "--out", a.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0);
}

#[test]
fn rule_errors_point_inside_escaped_strings() {
    let f = with_file(
        "rule.toml",
        "[scenario]\nname = \"x\"\n[[tenant]]\nname = \"c\"\n[[tenant.group]]\nname = \"g\"\nrule = \"(user.department -eq \\\"Sales\\\") -or (user.countri -eq \\\"US\\\")\"\n",
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("rule.toml:7:51"), "{err}");
    assert!(err.contains("did you mean \"user.country\"?"), "{err}");
}

#[test]
fn scoping_filter_errors_cite_cts_18_at_the_clause() {
    let f = with_file(
        "filter.toml",
        "[scenario]\nname = \"x\"\n[[tenant]]\nname = \"a\"\n[[tenant]]\nname = \"b\"\n[[step]]\ndo = \"set-scoping-filter\"\ntenant = \"a\"\nsync = \"MTO_Sync_<b>\"\nfilters = [[\"department EQUALS Sales\", \"userType EQUALS Member\"]]\n",
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(
        err.contains("filter.toml:11:41") && err.contains("CTS-18"),
        "{err}"
    );
}

#[test]
fn unknown_sync_configurations_are_caught_before_running() {
    let f = with_file(
        "sync.toml",
        &format!("{TWO_TENANTS}\n[[step]]\ndo = \"create-sync\"\ntenant = \"contoso\"\ntarget = \"fabrikam\"\nname = \"To Fabrikam\"\nexpect_error = true\n\n[[step]]\ndo = \"start-sync\"\ntenant = \"contoso\"\nsync = \"To Fabrikan\"\n"),
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean \"To Fabrikam\"?"), "{err}");
}

#[test]
fn out_writes_a_provisioning_log_in_the_cts_62_shape() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-prov");
    let _ = std::fs::remove_dir_all(&dir);
    let (code, out, err) = mtosim(&[
        "run",
        "-q",
        "scenarios/cts-deletion-threshold.toml",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let log = std::fs::read_to_string(dir.join("contoso/provisioning.jsonl")).unwrap();
    let mut actions = std::collections::BTreeMap::new();
    for line in log.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for k in [
            "id",
            "activityDateTime",
            "cycleId",
            "changeId",
            "jobId",
            "provisioningAction",
            "provisioningStatusInfo",
            "sourceIdentity",
        ] {
            assert!(v.get(k).is_some(), "no {k} in {line}");
        }
        *actions
            .entry(v["provisioningAction"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(actions.get("create"), Some(&12));
    assert_eq!(actions.get("stagedDelete"), Some(&12), "{actions:?}");
    assert_eq!(actions.get("delete"), Some(&12), "{actions:?}");
    assert!(std::fs::read_to_string(dir.join("fabrikam/provisioning.jsonl"))
        .unwrap()
        .is_empty());
}

#[test]
fn malformed_csv_rows_exit_2_with_lines_unless_lenient() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/csv");
    let f = with_file(
        "csv.toml",
        &format!(
            "[scenario]\nname = \"x\"\n[[tenant]]\nname = \"c\"\ndomains = [\"contoso.com\"]\nusers = {{ csv = \"{}\" }}\n",
            dir.join("malformed.csv").display()
        ),
    );
    let (code, out, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2, "{out}{err}");
    for at in [
        "malformed.csv:5:1",
        "malformed.csv:9:48",
        "malformed.csv:11:99",
        "malformed.csv:14:1",
    ] {
        assert!(err.contains(at), "{at} missing in {err}");
    }
    assert!(
        err.contains("9 problems. Unusable CSV rows can be skipped with --lenient."),
        "{err}"
    );
    let (code, out, err) = mtosim(&["check", "--lenient", &f]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("malformed.csv:5:1") && out.contains("ok:"), "{err}");
    assert!(
        err.contains("warning: row skipped:") && err.contains("9 CSV rows skipped (--lenient)."),
        "{err}"
    );
}

#[test]
fn rules_explain_new_and_completions_work() {
    let (code, out, _) = mtosim(&["explain", "mto-37"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("MTO-37 [BOTH]") && out.contains("https://learn.microsoft.com/"),
        "{out}"
    );
    assert!(out.contains("ga-removal-cases.toml"), "{out}");
    let (code, _, err) = mtosim(&["explain", "MTO-370"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule id"), "{err}");
    let (code, out, _) = mtosim(&["rules", "--set", "preview-2023"]);
    assert_eq!(code, 0);
    assert!(out.contains("SEED-3") && !out.contains("MTO-19 "), "{out}");
    let (code, out, _) = mtosim(&["rules", "--set", "ga"]);
    assert_eq!(code, 0);
    assert!(out.contains("MTO-19 ") && !out.contains("SEED-3"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-new");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mtosim"))
        .args(["new", "acquisition"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let run = Command::new(env!("CARGO_BIN_EXE_mtosim"))
        .args(["run", "acquisition.toml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let again = Command::new(env!("CARGO_BIN_EXE_mtosim"))
        .args(["new", "acquisition"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let (code, out, _) = mtosim(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("mtosim"), "bash completion script");
}

#[test]
fn json_output_is_one_object_per_line_with_a_schema_version() {
    let (code, out, _) = mtosim(&["run", "--json", "scenarios/seed-walkthrough.toml"]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().all(|v| v["schemaVersion"] == 1));
    assert_eq!(lines.last().unwrap()["event"], "result");
    assert_eq!(lines.last().unwrap()["ok"], true);
    assert!(lines.iter().any(|v| v["event"] == "mtoCreated"));
}

#[test]
fn no_colour_when_not_a_terminal() {
    let (_, out, _) = mtosim(&["run", "scenarios/seed-walkthrough-ga.toml"]);
    assert!(!out.contains('\x1b'), "escape codes in piped output");
}

#[test]
fn whatif_runs_on_every_scenario_and_the_quick_form() {
    for f in crate::scenarios::scenario_files() {
        let (code, out, err) = mtosim(&["whatif", "--json", f.to_str().unwrap()]);
        assert_eq!(code, 0, "{}: {err}", f.display());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["schemaVersion"], 1);
    }
    let (code, out, _) = mtosim(&["whatif", "--tenants", "3", "--users", "100", "--share", "0.5"]);
    assert_eq!(code, 0);
    assert!(out.contains("Every account exists within"), "{out}");
    let (code, out, _) = mtosim(&[
        "whatif",
        "--users",
        "3000",
        "--sweep",
        "tenants=2..100:7",
        "--csv",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("tenants,accounts_per_tenant_max"), "{out}");
    let (code, _, err) = mtosim(&["whatif", "--share", "1.5"]);
    assert_eq!(code, 2);
    assert!(err.contains("fraction"), "{err}");
}

#[test]
fn out_of_range_and_clobbering_inputs_exit_2_before_any_output_file() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-refusals");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let base_s = base.to_str().unwrap().to_string();
    // the quick what-if: sizes past the named caps
    for args in [
        &["whatif", "--tenants", "3", "--users", "18446744073709551615"][..],
        &["whatif", "--tenants", "0"][..],
        &["whatif", "--sweep", "users=1..99999999999:1000000000"][..],
        &["whatif", "scenarios/seed-walkthrough.toml", "--at", "99"][..],
    ] {
        let (code, _, err) = mtosim(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
    // explore never overwrites silently, and never its own input
    let keep = base.join("keep.toml");
    std::fs::write(&keep, "precious").unwrap();
    let (code, _, err) = mtosim(&[
        "explore",
        "scenarios/explore-owner-handover.toml",
        "--out",
        keep.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "precious");
    let own = std::fs::canonicalize("scenarios/explore-owner-handover.toml").unwrap();
    let (code, _, err) = mtosim(&[
        "explore",
        own.to_str().unwrap(),
        "--out",
        own.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is the scenario being explored"), "{err}");
    // run --out onto a file
    let (code, _, err) = mtosim(&[
        "run",
        "-q",
        "scenarios/seed-walkthrough.toml",
        "--out",
        keep.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a file, not a directory"), "{err}");
    // a starter name that would not load
    let (code, _, err) = mtosim(&["new", &format!("{base_s}/we\"ird")]);
    assert_eq!(code, 2, "{err}");
    // a step before the scenario starts is a load error with its position
    let early = base.join("early.toml");
    std::fs::write(
        &early,
        "[scenario]\nname = \"a\"\nstart = \"2024-01-01T00:00:00Z\"\n\n[[tenant]]\nname = \"a\"\n\n[[step]]\ndo = \"create-mto\"\ntenant = \"a\"\ndisplay_name = \"A\"\nat = \"2000-01-01T00:00:00Z\"\n",
    )
    .unwrap();
    let (code, _, err) = mtosim(&["check", early.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("early.toml:12:6") && err.contains("before the scenario's start"),
        "{err}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly_with_0_and_a_full_disk_exits_2() {
    use std::io::Read;
    use std::process::Stdio;
    // a reader that takes a few bytes of an 8 MB answer and closes the pipe (as `| head -1` does)
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtosim"))
        .args([
            "whatif",
            "--tenants",
            "300",
            "--users",
            "10",
            "--topology",
            "mesh",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "a closed pipe is not an error: {err}");
    // every other write error exits 2: streaming::every_stdout_write_error_but_a_closed_pipe_exits_2
}

#[test]
fn expr_evaluates_one_expression_against_the_attributes_given() {
    let (code, out, err) = mtosim(&[
        "expr",
        r#"Join(" ", NormalizeDiacritics([givenName]), ToUpper([surname]))"#,
        "--attr",
        "givenName=Zoë",
        "--attr",
        "surname=Durand",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v, serde_json::json!({"value": "Zoe DURAND", "flows": true}));
    // NAME alone is null; the same NAME again adds a value; = splits at the first =
    let (_, out, _) = mtosim(&["expr", "IsNull([mail])", "--attr", "mail", "--json"]);
    assert_eq!(out.trim(), r#"{"value":"True","flows":true}"#);
    let (_, out, _) = mtosim(&[
        "expr",
        "[proxyAddresses]",
        "--attr",
        "proxyAddresses=smtp:a=b@c.com",
        "--attr",
        "proxyAddresses=SMTP:d@c.com",
        "--json",
    ]);
    assert_eq!(
        out.trim(),
        r#"{"value":["smtp:a=b@c.com","SMTP:d@c.com"],"flows":true}"#
    );
    // Now() reads --now, in the page's M/d/yyyy h:mm:ss tt form
    let (_, out, _) = mtosim(&["expr", "Now()", "--now", "2026-12-01T10:00:00Z"]);
    assert_eq!(out.lines().next(), Some("\"12/1/2026 10:00:00 AM\""), "{out}");
}

#[test]
fn expr_exits_2_with_the_position_of_an_invalid_expression() {
    let (code, _, err) = mtosim(&["expr", r#"Join(",", [a], Appnd([b], "x"))"#]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean Append?"), "{err}");
    assert!(err.contains("expression:1:16"), "{err}");
    let (code, _, err) = mtosim(&["expr", "Mid([a], 0, 1)", "--attr", "a=xyz"]);
    assert_eq!(code, 2, "an evaluation failure is input that cannot be used");
    assert!(err.contains("1-based"), "{err}");
}

#[test]
fn inputs_that_never_end_or_block_are_refused_not_read() {
    let (code, _, err) = mtosim(&["check", "/dev/zero"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a regular file"), "{err}");
    let fifo = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join("fifo.toml");
    let _ = std::fs::remove_file(&fifo);
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if made {
        let (code, _, err) = mtosim(&["check", fifo.to_str().unwrap()]);
        assert_eq!(code, 2, "a FIFO is refused, never waited on: {err}");
    }
}

#[test]
fn long_strings_and_deep_keys_are_located_errors() {
    let long = "x".repeat(mtosim_engine::limits::TEXT_LEN_MAX + 1);
    let f = with_file(
        "long.toml",
        &format!("[scenario]\nname = \"{long}\"\n\n[[tenant]]\nname = \"a\"\n"),
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(
        err.contains("TEXT_LEN_MAX") && err.contains("long.toml:2:8"),
        "{err}"
    );
    assert!(
        err.lines().all(|l| l.chars().count() < 400),
        "the line is not echoed whole"
    );
    let deep = vec!["x"; 100].join(".");
    let f = with_file(
        "deep.toml",
        &format!("[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"a\"\n{deep} = 1\n"),
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("deep.toml:6:1"), "{err}");
}

#[test]
fn a_domain_is_verified_in_one_tenant_only() {
    let f = with_file(
        "dom.toml",
        "[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"a\"\ndomains = [\"x.com\"]\n\n[[tenant]]\nname = \"b\"\ndomains = [\"X.com\"]\n",
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(
        err.contains("already verified in tenant a") && err.contains("dom.toml:10:12"),
        "{err}"
    );
    let f = with_file(
        "upn.toml",
        "[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"a\"\ndomains = [\"a.com\"]\n[[tenant.user]]\nupn = \"ann@b.com\"\n",
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("SIM-4"), "{err}");
}

#[test]
fn whatif_refuses_values_it_would_wrap_or_take_hours_over() {
    let (code, _, err) = mtosim(&["whatif", "--quota", "10000000000000000000"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = mtosim(&["whatif", "--sweep", "share=0..1:1e-300"]);
    assert_eq!(code, 2);
    assert!(err.contains("SWEEP_POINTS_MAX"), "{err}");
    let (code, _, err) = mtosim(&["whatif", "--sweep", "tenants=2..1000", "--topology", "mesh"]);
    assert_eq!(code, 2);
    assert!(err.contains("SWEEP_PAIRS_MAX"), "{err}");
    let (code, out, _) = mtosim(&[
        "whatif",
        "--tenants",
        "300",
        "--topology",
        "mesh",
        "--users",
        "10",
        "--pairs",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.len() < 1_000_000,
        "the table lists at most TABLE_PAIRS_MAX pairs: {} bytes",
        out.len()
    );
    assert!(out.contains("more pairs (TABLE_PAIRS_MAX)"));
}

#[test]
fn expression_errors_point_at_the_column_through_escapes_and_line_continuations() {
    let base = "[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"a\"\ndomains = [\"a.com\"]\n[[tenant.partner]]\ntenant = \"b\"\nauto_redeem_outbound = true\n\n[[tenant]]\nname = \"b\"\n\n[[step]]\ndo = \"create-sync\"\ntenant = \"a\"\ntarget = \"b\"\nname = \"c\"\n\n[[step]]\ndo = \"set-mapping\"\ntenant = \"a\"\nsync = \"c\"\ntarget = \"displayName\"\n";
    let f = with_file(
        "esc.toml",
        &format!("{base}expression = \"Join(\\\"\\U0001F600\\\", Jion([givenName]))\"\n"),
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(
        err.contains("esc.toml:25:36") && err.contains("did you mean Join?"),
        "{err}"
    );
    let f = with_file(
        "ml.toml",
        &format!("{base}expression = \"\"\"\nJoin(\\\" \\\", \\\n  [givenName], Jion([a]))\"\"\"\n"),
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("ml.toml:27:16"), "{err}");
    let f = with_file(
        "typo.toml",
        &format!("{base}expression = 'Join(\" \", [givenNmae])'\n"),
    );
    let (_, _, err) = mtosim(&["check", &f]);
    assert!(
        err.contains("typo.toml:25:25") && err.contains("did you mean [givenName]?"),
        "{err}"
    );
}

#[test]
fn a_run_stopped_by_a_cap_exits_2_at_its_step() {
    // SIM-3: waiting past the last instant RFC 3339 can write stops the world there
    let f = with_file(
        "late.toml",
        "[scenario]\nname = \"late\"\nstart = \"9999-12-30T00:00:00Z\"\n\n[[tenant]]\nname = \"a\"\n\n[[step]]\nat = \"+1d\"\ndo = \"wait\"\nfor = \"3d\"\n\n[[step]]\nat = \"+1h\"\ndo = \"settle\"\n",
    );
    let (code, out, err) = mtosim(&["run", &f]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("late.toml:10: step 1:"), "{err}");
    assert!(err.contains("SIM_TIME_MAX"), "{err}");
    assert!(out.contains("Result: stopped at step 1: SIM_TIME_MAX."), "{out}");
    assert!(!out.contains("waited 3d"), "{out}");
    let (code, out, _) = mtosim(&["run", "--json", &f]);
    assert_eq!(code, 2);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["ok"], false);
    assert_eq!(last["limit"]["name"], "SIM_TIME_MAX");
    assert_eq!(last["limit"]["line"], 10);
}

#[test]
fn explore_stopped_before_any_complete_order_is_inconclusive() {
    let (code, out, _) = mtosim(&[
        "explore",
        "scenarios/explore-owner-handover.toml",
        "--max-states",
        "3",
    ]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("Result: inconclusive"), "{out}");
    assert!(!out.contains("no violation"), "{out}");
}

#[test]
fn a_run_over_failed_objects_does_not_say_a_bare_ok() {
    // 6,000 users against a 500-object quota: the initial cycle prunes its escrows (CTS-54)
    let (code, out, _) = mtosim(&["run", "scenarios/cts-quarantine.toml"]);
    assert_eq!(code, 0, "checks decide the exit code");
    let result = out.lines().last().unwrap();
    assert!(
        result.starts_with("Result: ok, 7 checks held, with 5501 objects failing"),
        "{result}"
    );
    assert!(
        out.contains("5501 failed in the initial cycle (escrows pruned, the job paused: CTS-54)"),
        "{out}"
    );
    // the JSON ends with the summary and a result that counts them too
    let (_, out, _) = mtosim(&["run", "--json", "scenarios/cts-quarantine.toml"]);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (summary, result) = (&lines[lines.len() - 2], &lines[lines.len() - 1]);
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["tenants"][0]["sync"][0]["failing"], 5501);
    assert_eq!(summary["tenants"][0]["sync"][0]["escrowsPruned"], true);
    assert_eq!(result["failing"], 5501);
    // a settle that leaves escrowed objects says what still waits
    let (_, out, _) = mtosim(&["run", "scenarios/cts-quota-overrun.toml"]);
    assert!(
        out.contains("still held back: sync Contoso to Fabrikam (contoso to fabrikam): 5 objects failing, escrowed for retry"),
        "{out}"
    );
}

#[test]
fn a_cycle_outcome_is_narrated_once_without_contradiction() {
    let (_, out, _) = mtosim(&["run", "scenarios/cts-quarantine.toml"]);
    let lines: Vec<&str> = out.lines().collect();
    let pruned = lines
        .iter()
        .position(|l| l.contains("escrows pruned and the job paused"))
        .unwrap();
    assert!(
        lines[pruned - 1].contains("too many to retry"),
        "{}",
        lines[pruned - 1]
    );
    assert!(
        !lines[pruned - 1].contains("will be retried"),
        "{}",
        lines[pruned - 1]
    );
    let quarantine = lines.iter().position(|l| l.contains("is in quarantine")).unwrap();
    assert!(
        !lines[quarantine - 1].contains("will be retried"),
        "{}",
        lines[quarantine - 1]
    );
}

#[test]
fn an_expect_before_a_join_completes_says_when_it_would() {
    let walk = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-walkthrough.toml"),
    )
    .unwrap();
    let early = walk.replacen(
        "at = \"+2h\"\n",
        "at = \"+2h\"\n\n[[step]]\ndo = \"expect\"\ntenant = \"contoso\"\nmember = { tenant = \"fabrikam\", state = \"active\" }\n",
        1,
    );
    assert_ne!(early, walk);
    let f = with_file("early.toml", &early);
    let (code, out, _) = mtosim(&["run", &f]);
    assert_eq!(code, 1);
    assert!(
        out.contains("member fabrikam state: expected active, actual pending (fabrikam's join is pending until 2024-01-01T06:00:00Z)"),
        "{out}"
    );
}

#[test]
fn an_unwritable_stderr_is_no_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux
    };
    let status = Command::new(env!("CARGO_BIN_EXE_mtosim"))
        .args(["check", "/dev/zero"])
        .stderr(full)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

#[test]
fn skipped_and_problem_counts_include_the_rows_not_listed() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let mut csv = String::from("userPrincipalName\n");
    for _ in 0..250 {
        csv.push_str("not-a-upn\n");
    }
    csv.push_str("ann@a.com\n");
    std::fs::write(dir.join("many-bad.csv"), csv).unwrap();
    let f = with_file(
        "many-bad.toml",
        "[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"a\"\ndomains = [\"a.com\"]\nusers = { csv = \"many-bad.csv\" }\n",
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("250 problems."), "{}", err.lines().last().unwrap());
    let (code, _, err) = mtosim(&["check", "--lenient", &f]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("250 CSV rows skipped (--lenient)."),
        "{}",
        err.lines().last().unwrap()
    );
}

#[test]
fn names_hold_no_control_characters_that_could_forge_narration() {
    for (what, body) in [
        (
            "scenario name",
            "[scenario]\nname = \"x\\nResult: ok, 99 checks held.\"\n\n[[tenant]]\nname = \"a\"\n",
        ),
        (
            "tenant display name",
            "[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"a\"\ndisplay_name = \"x\\nResult: ok, 99 checks held.\"\n",
        ),
    ] {
        let f = with_file("forge.toml", body);
        let (code, out, err) = mtosim(&["run", &f]);
        assert_eq!(code, 2, "{what}: {out}{err}");
        assert!(err.contains("control character U+000A"), "{what}: {err}");
        assert!(!out.contains("99 checks held"), "{what}: {out}");
    }
    // a rule may span lines
    let f = with_file(
        "multi.toml",
        "[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"a\"\n[[tenant.group]]\nname = \"g\"\nrule = '''\nuser.accountEnabled -eq true\n'''\n",
    );
    let (code, _, err) = mtosim(&["check", &f]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn domains_are_dns_names_listed_once() {
    for (domains, want) in [
        ("\"con toso.com\"", "holds a character other than"),
        ("\"a\"", "at least two labels"),
        ("\"x.com\", \"X.com\"", "is listed twice"),
        ("\"-a.com\"", "starts or ends with '-'"),
        ("\"a..com\"", "empty label"),
    ] {
        let f = with_file(
            "domains.toml",
            &format!("[scenario]\nname = \"t\"\n\n[[tenant]]\nname = \"a\"\ndomains = [{domains}]\n"),
        );
        let (code, _, err) = mtosim(&["check", &f]);
        assert_eq!(code, 2, "{domains}");
        assert!(
            err.contains(want) && err.contains("domains.toml:6:"),
            "{domains}: {err}"
        );
    }
}

/// The files of `dir` ending in `.toml`, in its subfolders too, sorted.
fn toml_files(dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p.display().to_string());
        }
    }
}

#[test]
fn check_and_run_agree_on_errors() {
    // a user generation makes, named by the files below
    let gen = "[scenario]\nname = \"g\"\nseed = 3\n\n[[tenant]]\nname = \"contoso\"\ndomains = [\"contoso.com\"]\nusers = { generate = 300 }\n";
    let sc = mtosim_scenario::load::load("g.toml", gen).unwrap();
    let generated = sc
        .world
        .view(mtosim_engine::TenantIdx(0))
        .users()
        .last()
        .unwrap()
        .upn;
    let typo = generated.replacen('@', "x@", 1);
    let step = |s: &str| format!("{gen}\n[[step]]\n{s}\n");
    let group = |m: &str| format!("{gen}[[tenant.group]]\nname = \"G\"\nmembers = [\"{m}\"]\n");
    let files = [
        ("gen-ok.toml", gen.to_string()),
        ("gen-group.toml", group(&generated)),
        ("gen-group-typo.toml", group(&typo)),
        (
            "gen-add-user.toml",
            step(&format!(
                "do = \"add-user\"\ntenant = \"contoso\"\nupn = \"{generated}\""
            )),
        ),
        (
            "gen-add-new.toml",
            step("do = \"add-user\"\ntenant = \"contoso\"\nupn = \"ada@contoso.com\""),
        ),
        (
            "gen-update.toml",
            step(&format!(
                "do = \"update-user\"\ntenant = \"contoso\"\nuser = \"{typo}\"\ndepartment = \"X\""
            )),
        ),
        (
            "gen-over.toml",
            gen.replace("generate = 300", "generate = 2000001"),
        ),
    ];
    let mut all = Vec::new();
    for (name, body) in &files {
        all.push(with_file(name, body));
    }
    toml_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")),
        &mut all,
    );
    toml_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
        &mut all,
    );
    let mut refused = 0;
    for f in &all {
        let (check, _, check_err) = mtosim(&["check", f]);
        let (run, _, run_err) = mtosim(&["run", "--quiet", f]);
        // a file check refuses, run refuses with the same words; one it takes, run loads
        assert_eq!(
            check == 2,
            run == 2,
            "{f}: check {check} {check_err}, run {run} {run_err}"
        );
        if check == 2 {
            assert_eq!(check_err, run_err, "{f}");
            refused += 1;
        } else {
            assert_eq!(check, 0, "{f}: {check_err}");
        }
    }
    assert!(refused >= 4 && all.len() > 40, "{refused} of {}", all.len());
}
