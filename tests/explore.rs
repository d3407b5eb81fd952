//! `mtosim explore`: pinned state counts of canonical small models, the shortest counterexample
//! (which must itself load and replay the same failures), the caps and the exit codes.

use crate::cli::mtosim;
use crate::scenarios::run_sc;
use mtosim_scenario::explore::{self, Move, Options, Report, Violation};
use mtosim_scenario::load as scenario;
use std::path::{Path, PathBuf};

const TWO_TENANTS_CREATE_ADD_JOIN: &str = r#"
[scenario]
name = "two tenants: create, add, join"

[[tenant]]
name = "contoso"

[[tenant]]
name = "fabrikam"

[[step]]
do = "create-mto"
tenant = "contoso"
display_name = "Contoso Group"

[[step]]
do = "add-tenant"
tenant = "contoso"
target = "fabrikam"

[[step]]
do = "join"
tenant = "fabrikam"
added_by = "contoso"

[[step]]
do = "settle"

[[step]]
do = "expect"
tenant = "contoso"
mto = "active"
"#;

/// Three tenants: contoso creates the MTO and adds the other two, which join.
const THREE_TENANTS_JOIN: &str = r#"
[scenario]
name = "three tenants: two join, one leaves"

[[tenant]]
name = "contoso"

[[tenant]]
name = "fabrikam"

[[tenant]]
name = "northwind"

[[step]]
do = "create-mto"
tenant = "contoso"
display_name = "Contoso Group"

[[step]]
do = "add-tenant"
tenant = "contoso"
target = "fabrikam"

[[step]]
do = "add-tenant"
tenant = "contoso"
target = "northwind"

[[step]]
do = "join"
tenant = "fabrikam"
added_by = "contoso"

[[step]]
do = "join"
tenant = "northwind"
added_by = "contoso"

"#;

/// The same, then fabrikam leaves and contoso checks its MTO is still active.
const THEN_FABRIKAM_LEAVES: &str = r#"
[[step]]
do = "remove-tenant"
tenant = "fabrikam"

[[step]]
do = "settle"

[[step]]
do = "expect"
tenant = "contoso"
mto = "active"
"#;

fn three_tenants_join_and_leave() -> String {
    format!("{THREE_TENANTS_JOIN}{THEN_FABRIKAM_LEAVES}")
}

/// The preview's owner exit dissolves the MTO (SEED-3); no checks, invariants only.
const PREVIEW_OWNER_EXIT: &str = r#"
[scenario]
name = "preview: the owner leaves while a member joins"
rules = "preview-2023"

[[tenant]]
name = "contoso"
targeted_release = true

[[tenant]]
name = "fabrikam"
targeted_release = true

[[step]]
do = "create-mto"
tenant = "contoso"
display_name = "Contoso Group"

[[step]]
do = "add-tenant"
tenant = "contoso"
target = "fabrikam"

[[step]]
do = "join"
tenant = "fabrikam"
added_by = "contoso"

[[step]]
do = "remove-tenant"
tenant = "contoso"
"#;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn explore_text(name: &str, text: &str, opts: Options) -> Report {
    let sc = scenario::load(name, text).unwrap_or_else(|d| panic!("{d}"));
    explore::explore(name, text, sc, &opts).unwrap_or_else(|e| panic!("{e:?}"))
}

fn explore_file(rel: &str) -> Report {
    let path = root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    explore_text(rel, &text, Options::default())
}

fn tmp_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("explore");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A failure sentence without its step number, which differs between the file and its
/// counterexample.
fn without_step_number(f: &str) -> String {
    match f.split_once(") ") {
        Some((head, rest)) if head.starts_with("step ") => {
            format!("{}) {rest}", head.split_once(" (").map_or(head, |(_, v)| v))
        }
        _ => f.to_string(),
    }
}

#[test]
fn explore_pins_state_count_of_two_tenants_create_add_join() {
    let r = explore_text("two.toml", TWO_TENANTS_CREATE_ADD_JOIN, Options::default());
    assert!(r.violation.is_none(), "{}", r.text(true));
    assert_eq!(
        (r.states, r.transitions, r.max_moves, r.max_depth, r.complete),
        (23, 45, 4, 3, 9),
        "{}",
        r.text(false)
    );
    assert!(!r.truncated);
    assert!(r.violation.is_none());
    assert!(r.text(false).contains("Result: no violation in any order."));
}

#[test]
fn explore_pins_state_count_of_three_tenants_with_a_leave() {
    let r = explore_text("three.toml", &three_tenants_join_and_leave(), Options::default());
    assert!(r.violation.is_none(), "{}", r.text(true));
    assert_eq!(
        (r.states, r.transitions, r.max_moves, r.max_depth, r.complete),
        // a removal takes up to 2 h, as long as a join (MTO-40), so they can complete together
        (798, 2509, 9, 6, 164),
        "{}",
        r.text(false)
    );
}

#[test]
fn explore_pins_state_count_of_preview_owner_exit_race() {
    let r = explore_text("preview.toml", PREVIEW_OWNER_EXIT, Options::default());
    assert!(r.violation.is_none(), "{}", r.text(true));
    assert!(r.epilogue.is_empty());
    assert_eq!(
        (r.states, r.transitions, r.max_moves, r.max_depth, r.complete),
        (76, 178, 6, 4, 26),
        "{}",
        r.text(false)
    );
}

#[test]
fn explore_finds_the_shortest_counterexample_and_it_replays_the_same_failures() {
    let r = explore_file("scenarios/explore-owner-handover.toml");
    assert!(r.violation.is_some());
    let cx = r.violation.as_ref().expect("a violation");
    // the file's own order without waiting for the join: five moves, no settle
    assert_eq!(cx.path.len(), 5, "{}", r.text(false));
    assert!(!cx.path.contains(&Move::Settle));
    let Violation::Checks(failures) = &cx.violation else {
        panic!("expected failing checks, got {:?}", cx.violation)
    };
    assert!(
        failures[0].contains("MTO state: expected active, actual inactive"),
        "{failures:?}"
    );

    // the counterexample is a runnable scenario that fails exactly those checks, and nothing else
    let sc = scenario::load("cx.toml", &cx.toml).unwrap_or_else(|d| panic!("{d}\n{}", cx.toml));
    let run = run_sc(sc);
    assert!(!run.failures.is_empty());
    let replayed: Vec<String> = run.failures.iter().map(|f| without_step_number(f)).collect();
    let found: Vec<String> = failures.iter().map(|f| without_step_number(f)).collect();
    assert_eq!(replayed, found, "{}", cx.toml);
    // the join that fails in this order carries expect_error, so the replay reports only the checks
    assert!(cx.toml.contains("expect_error = \"MTO-30\""), "{}", cx.toml);
    // same header and tenants as the input
    assert!(cx
        .toml
        .contains("name = \"Hand the MTO over, then leave: does the order matter?\""));
    assert!(cx.toml.contains("[[tenant]]\nname = \"fabrikam\""));
}

#[test]
fn explore_output_is_deterministic() {
    let a = explore_file("scenarios/explore-owner-handover.toml").text(true);
    let b = explore_file("scenarios/explore-owner-handover.toml").text(true);
    assert_eq!(a, b);
}

#[test]
fn explore_state_cap_stops_the_search_and_says_it_is_not_exhaustive() {
    let opts = Options {
        max_states: Some(10),
        ..Options::default()
    };
    let r = explore_text("three.toml", &three_tenants_join_and_leave(), opts);
    assert!(r.truncated);
    assert_eq!(r.states, 10);
    assert!(r.violation.is_none());
    // no complete order was reached: nothing is proved, and it says so (exit 3)
    assert!(r.proved_nothing());
    assert!(r.text(false).contains("nothing is proved"), "{}", r.text(false));
    // one state short of the whole search: stopped, and "not exhaustive" once complete orders
    // were checked
    let full = explore_text("three.toml", &three_tenants_join_and_leave(), Options::default());
    let opts = Options {
        max_states: Some(full.states - 1),
        ..Options::default()
    };
    let r = explore_text("three.toml", &three_tenants_join_and_leave(), opts);
    assert!(r.truncated && r.violation.is_none());
    assert_eq!(r.proved_nothing(), r.complete == 0);
    let want = if r.complete > 0 {
        "not exhaustive"
    } else {
        "nothing is proved"
    };
    assert!(r.text(false).contains(want), "{}", r.text(false));
}

#[test]
fn explore_depth_limits_the_action_steps_per_path() {
    let opts = Options {
        depth: Some(2),
        ..Options::default()
    };
    let r = explore_text("three.toml", &three_tenants_join_and_leave(), opts);
    assert_eq!(r.max_depth, 2);
    assert_eq!(r.complete, 0);
    assert!(
        r.text(false).contains("complete orders were not reached"),
        "{}",
        r.text(false)
    );
}

#[test]
fn explore_cli_exit_codes_and_counterexample_file_written_atomically() {
    let (code, out, err) = mtosim(&["explore", "scenarios/explore-owner-handover.toml"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("Result: VIOLATION after 5 moves:"), "{out}");
    assert!(out.contains("# Counterexample found by `mtosim explore"), "{out}");

    let dir = tmp_dir();
    let cx = dir.join("counterexample.toml");
    let _ = std::fs::remove_file(&cx);
    let (code, out, err) = mtosim(&[
        "explore",
        "scenarios/explore-owner-handover.toml",
        "--out",
        cx.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("Wrote the counterexample to"), "{out}");
    assert!(
        !out.contains("[[tenant]]"),
        "the file is written, not printed: {out}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let (code, out, _) = mtosim(&["run", cx.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL: step 7 (expect) fabrikam: MTO state: expected active, actual inactive"),
        "{out}"
    );

    let ok = dir.join("two.toml");
    std::fs::write(&ok, TWO_TENANTS_CREATE_ADD_JOIN).unwrap();
    let (code, out, err) = mtosim(&["explore", ok.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("explored: 23 distinct states, 45 transitions"),
        "{out}"
    );

    for (args, needle) in [
        (vec!["--depth", "13"], "at most 12"),
        (vec!["--max-states", "0"], "between 1 and 100000"),
        (vec!["--max-states", "100001"], "between 1 and 100000"),
    ] {
        let mut all = vec!["explore", ok.to_str().unwrap()];
        all.extend(args);
        let (code, _, err) = mtosim(&all);
        assert_eq!(code, 2, "{all:?}");
        assert!(err.contains(needle), "{all:?}: {err}");
    }
    let (code, _, err) = mtosim(&["explore", "no-such-file.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read the file"), "{err}");
}

#[test]
fn explore_refuses_more_than_four_tenants_with_exit_code_2() {
    let mut text = String::from("[scenario]\nname = \"five\"\n");
    for t in ["a", "b", "c", "d", "e"] {
        text.push_str(&format!("\n[[tenant]]\nname = \"{t}\"\n"));
    }
    text.push_str("\n[[step]]\ndo = \"create-mto\"\ntenant = \"a\"\ndisplay_name = \"A\"\n");
    let sc = scenario::load("five.toml", &text).unwrap();
    match explore::explore("five.toml", &text, sc, &Options::default()) {
        Err(explore::Error::Usage(m)) => assert!(m.contains("at most 4 tenants"), "{m}"),
        other => panic!("expected a usage error, got {other:?}"),
    }
    let file = tmp_dir().join("five.toml");
    std::fs::write(&file, &text).unwrap();
    let (code, out, err) = mtosim(&["explore", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("has 5 tenants") && err.contains("EXPLORE_TENANTS_MAX"),
        "{err}"
    );
}

#[test]
fn explore_refuses_more_users_than_explore_users_max() {
    let text = "[scenario]\nname = \"big\"\n\n[[tenant]]\nname = \"a\"\nusers = { generate = 2001 }\n\n[[step]]\ndo = \"create-mto\"\ntenant = \"a\"\ndisplay_name = \"A\"\n";
    let sc = scenario::load("big.toml", text).unwrap();
    match explore::explore("big.toml", text, sc, &Options::default()) {
        Err(explore::Error::Usage(m)) => {
            assert!(
                m.contains("has 2001 users") && m.contains("EXPLORE_USERS_MAX"),
                "{m}"
            )
        }
        other => panic!("expected a usage error, got {other:?}"),
    }
}

#[test]
fn explore_counterexample_keeps_non_step_tables_of_any_layout() {
    // steps as an inline array before the tables, and steps as [[step]] tables with a tenant
    // written after them: either way the counterexample keeps every non-step table
    let inline = r#"step = [
  { do = "create-mto", tenant = "contoso", display_name = "C" },
  { do = "remove-tenant", tenant = "contoso" },
  { do = "settle" },
  { do = "expect", tenant = "contoso", mto = "active" },
]

[scenario]
name = "inline steps"

[[tenant]]
name = "contoso"
"#;
    let blocks = r#"[scenario]
name = "tenants after the steps"

[[step]]
do = "create-mto"   # the owner creates it
tenant = "contoso"
display_name = "C"

# a comment between steps
[[step]]
do = "remove-tenant"
tenant = "contoso"

[[step]]
do = "settle"

[[step]]
do = "expect"
tenant = "contoso"
mto = "active"

[[tenant]]
name = "contoso"
"#;
    for (name, text) in [("inline.toml", inline), ("blocks.toml", blocks)] {
        let r = explore_text(name, text, Options::default());
        let cx = r
            .violation
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: {}", r.text(false)));
        assert_eq!(cx.path, vec![Move::Step(0), Move::Step(1)], "{name}");
        let sc = scenario::load(name, &cx.toml).unwrap_or_else(|d| panic!("{name}: {d}\n{}", cx.toml));
        assert_eq!(sc.world.tenants().len(), 1, "{name}");
        assert_eq!(sc.steps.len(), 4, "{name}: {}", cx.toml);
        let run = run_sc(sc);
        assert_eq!(run.failures.len(), 1, "{name}: {:?}", run.failures);
        assert!(run.failures[0].contains("MTO state: expected active, actual inactive"));
        assert!(!cx.toml.contains("a comment between steps"), "{}", cx.toml);
    }
}

#[test]
fn explore_never_names_a_configuration_before_its_create_sync() {
    // start-sync and assign name a configuration that create-sync makes: orders putting them
    // first would not load, so they are not explored and every counterexample loads
    let rel = "scenarios/cts-scoping-filters.toml";
    let path = root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let (sc, _) = scenario::load_path(path.to_str().unwrap(), false).unwrap();
    let create = sc
        .steps
        .iter()
        .position(|s| s.verb == "create-sync")
        .expect("the scenario creates a configuration");
    let r = explore::explore(rel, &text, sc.clone(), &Options::default()).unwrap();
    let cx = r.violation.as_ref().expect("a violation");
    let at = |i: usize| cx.path.iter().position(|m| *m == Move::Step(i));
    for (i, s) in sc.steps.iter().enumerate() {
        if matches!(s.verb, "start-sync" | "assign" | "set-scoping-filter") {
            assert!(at(create) < at(i), "{} before create-sync: {:?}", s.verb, cx.path);
        }
    }
    let replay = scenario::load(rel, &cx.toml).unwrap_or_else(|d| panic!("{d}\n{}", cx.toml));
    let Violation::Checks(failures) = &cx.violation else {
        panic!("{:?}", cx.violation)
    };
    let replayed: Vec<String> = run_sc(replay)
        .failures
        .iter()
        .map(|f| without_step_number(f))
        .collect();
    let found: Vec<String> = failures.iter().map(|f| without_step_number(f)).collect();
    assert_eq!(replayed, found, "{}", cx.toml);
}

#[test]
fn explore_finds_a_broken_invariant_when_joins_pass_the_tenant_cap() {
    // RuleSet::fault (test-only) lets joins pass the cap: the search must find INV-3 on the
    // shortest path, which is every step in file order and one settle
    let text = THREE_TENANTS_JOIN.replace(
        "name = \"three tenants: two join, one leaves\"",
        "name = \"a cap of two active tenants\"\nmax_active_tenants = 2",
    );
    let text = text.as_str();
    let clean = explore_text("cap.toml", text, Options::default());
    assert!(clean.violation.is_none(), "{}", clean.text(true));

    let mut sc = scenario::load("cap.toml", text).unwrap();
    sc.world
        .inject_fault(Some(mtosim_engine::rules::Fault::JoinPastCap));
    let r = explore::explore("cap.toml", text, sc, &Options::default()).unwrap();
    assert!(r.violation.is_some());
    let cx = r.violation.as_ref().expect("INV-3 broken");
    let Violation::Invariant(m) = &cx.violation else {
        panic!("{:?}", cx.violation)
    };
    assert!(m.contains("INV-3"), "{m}");
    assert_eq!(
        cx.path,
        vec![
            Move::Step(0),
            Move::Step(1),
            Move::Step(2),
            Move::Step(3),
            Move::Step(4),
            Move::Settle
        ]
    );
    assert!(
        r.text(false).contains("invariant broken: INV-3"),
        "{}",
        r.text(false)
    );
    // the counterexample replays the same break under the same fault
    let mut replay = scenario::load("cx.toml", &cx.toml).unwrap_or_else(|d| panic!("{d}\n{}", cx.toml));
    replay
        .world
        .inject_fault(Some(mtosim_engine::rules::Fault::JoinPastCap));
    let run = run_sc(replay);
    let err = run.world.check_invariants().expect_err("INV-3 again");
    assert_eq!(&err, m);
}

#[test]
fn explore_counterexample_with_a_csv_import_replays_from_another_directory() {
    let base = tmp_dir().join("csv-elsewhere");
    let _ = std::fs::remove_dir_all(&base);
    let (sc_dir, out_dir) = (base.join("sc"), base.join("other"));
    std::fs::create_dir_all(&sc_dir).unwrap();
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::copy("fixtures/csv/contoso-observed.csv", sc_dir.join("f.csv")).unwrap();
    let text = std::fs::read_to_string("scenarios/explore-owner-handover.toml")
        .unwrap()
        .replacen(
            "name = \"contoso\"\n",
            "name = \"contoso\"\ndomains = [\"contoso.com\"]\nusers = { csv = \"f.csv\" }\n",
            1,
        );
    let file = sc_dir.join("h.toml");
    std::fs::write(&file, text).unwrap();
    let cx = out_dir.join("cx.toml");
    let (code, out, err) = mtosim(&["explore", file.to_str().unwrap(), "--out", cx.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    let (code, out, err) = mtosim(&["run", "--quiet", cx.to_str().unwrap()]);
    assert_eq!(code, 1, "the violation replays: {out}{err}");
    assert!(out.contains("FAIL: step 7 (expect) fabrikam"), "{out}{err}");
}

/// A scenario of `adds` add-user steps in tenant a (each order is a distinct complete state:
/// object ids follow the order), starting at `start`, then `tail`.
fn add_users_then(start: &str, adds: usize, tail: &str) -> String {
    let mut text = format!("[scenario]\nname = \"adds\"\nstart = \"{start}\"\n\n[[tenant]]\nname = \"a\"\n");
    for i in 0..adds {
        text.push_str(&format!(
            "\n[[step]]\ndo = \"add-user\"\ntenant = \"a\"\nupn = \"n{i}@a.onmicrosoft.com\"\ndisplay_name = \"N{i}\"\n"
        ));
    }
    text.push_str(tail);
    text
}

/// `n` steps waiting `d` each.
fn waits(n: usize, d: &str) -> String {
    format!("\n[[step]]\ndo = \"wait\"\nfor = \"{d}\"\n").repeat(n)
}

/// The line of the `do` key of step `n` (1-based) in `text`.
fn line_of_step(text: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("do = "))
        .nth(n - 1)
        .map(|(i, _)| i + 1)
        .expect("that many steps")
}

/// Explores `text` and runs it with the CLI: (explore's code, stdout, stderr), run's stderr.
fn explore_and_run_cli(name: &str, text: &str) -> ((i32, String, String), String) {
    let file = tmp_dir().join(name);
    std::fs::write(&file, text).unwrap();
    let explored = mtosim(&["explore", file.to_str().unwrap()]);
    let (code, out, run_err) = mtosim(&["run", "--quiet", file.to_str().unwrap()]);
    assert_eq!(code, 2, "mtosim run stops at the cap: {out}{run_err}");
    (explored, run_err)
}

#[test]
fn explore_reports_a_per_run_cap_reached_after_the_last_action_step_as_an_error() {
    // the wait after the two action steps passes the last instant (SIM_TIME_MAX) in every
    // order: the world stops, as in `mtosim run`, which is neither "no violation" nor exit 0
    let text = add_users_then("9999-12-01T00:00:00Z", 2, &waits(2, "3650d"));
    let line = line_of_step(&text, 3);
    let r = explore_text("late.toml", &text, Options::default());
    assert!(r.violation.is_none(), "{}", r.text(false));
    assert!(!r.proved_nothing());
    let l = r.limit.as_ref().unwrap_or_else(|| panic!("{}", r.text(false)));
    assert_eq!(l.hit.name, "SIM_TIME_MAX");
    assert_eq!(l.step, Some((3, line)));
    assert_eq!(l.path, vec![Move::Step(0), Move::Step(1)]);
    let text_out = r.text(false);
    assert!(!text_out.contains("no violation"), "{text_out}");
    assert!(
        text_out.contains("Result: stopped: on the path below the world reached the engine's per-run cap SIM_TIME_MAX during step 3 (wait, line"),
        "{text_out}"
    );
    assert!(text_out.contains("up to step 3 (wait"), "{text_out}");

    let ((code, out, err), run_err) = explore_and_run_cli("late.toml", &text);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains("no violation"), "{out}");
    // the same error as `mtosim run`'s (file, line, step, cap), then the path
    let run_err = run_err.trim_end();
    assert!(run_err.contains(&format!(":{line}: step 3: ")), "{run_err}");
    assert!(err.starts_with(run_err), "explore: {err}\nrun: {run_err}");
    assert!(
        err.contains("(step 1 (add-user), step 2 (add-user), the steps after the last action step)"),
        "{err}"
    );
}

#[test]
fn explore_reports_a_per_run_cap_reached_in_an_action_step_as_an_error() {
    // the first action step's `at` passes the last instant: the first transition stops
    let mut text = add_users_then("9999-12-31T23:00:00Z", 2, "");
    text = text.replacen(
        "display_name = \"N0\"\n",
        "display_name = \"N0\"\nat = \"+2h\"\n",
        1,
    );
    let line = line_of_step(&text, 1);
    let r = explore_text("at.toml", &text, Options::default());
    let l = r.limit.as_ref().unwrap_or_else(|| panic!("{}", r.text(false)));
    assert_eq!((l.hit.name, l.step), ("SIM_TIME_MAX", Some((1, line))));
    assert_eq!(l.path, vec![Move::Step(0)]);
    assert_eq!(r.complete, 0);
    assert!(!r.proved_nothing() && r.violation.is_none());
    assert!(
        l.narration[0].contains("the world stopped here: it reached SIM_TIME_MAX"),
        "{:?}",
        l.narration
    );

    let dir = tmp_dir();
    let cx = dir.join("at-cx.toml");
    let _ = std::fs::remove_file(&cx);
    let file = dir.join("at.toml");
    std::fs::write(&file, &text).unwrap();
    let (code, out, err) = mtosim(&["explore", file.to_str().unwrap(), "--out", cx.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!cx.exists(), "nothing is written when a cap stopped the world");
    let ((code, out, err), run_err) = explore_and_run_cli("at.toml", &text);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains("no violation"), "{out}");
    assert!(
        err.starts_with(run_err.trim_end()),
        "explore: {err}\nrun: {run_err}"
    );
    assert!(
        err.contains("SIM_TIME_MAX") && err.contains(&format!(":{line}: step 1: ")),
        "{err}"
    );
}

#[test]
fn explore_reports_a_per_run_cap_reached_while_waiting_for_a_pending_event_as_an_error() {
    // a join pending a minute before the last instant: waiting for it passes that instant
    let text = TWO_TENANTS_CREATE_ADD_JOIN.replacen(
        "name = \"two tenants: create, add, join\"",
        "name = \"late join\"\nstart = \"9999-12-31T23:59:00Z\"",
        1,
    );
    let r = explore_text("late-join.toml", &text, Options::default());
    let l = r.limit.as_ref().unwrap_or_else(|| panic!("{}", r.text(false)));
    assert_eq!(l.hit.name, "SIM_TIME_MAX");
    assert!(
        matches!(l.path.last(), Some(Move::Settle | Move::Next)),
        "{:?}",
        l.path
    );
    assert_eq!(l.step, None);
    assert!(l.place.starts_with("explore's "), "{}", l.place);
    let msg = l.message("late-join.toml");
    assert!(msg.starts_with("late-join.toml: explore's "), "{msg}");
    assert!(msg.contains("SIM_TIME_MAX"), "{msg}");
}

#[test]
fn explore_work_budget_bounds_the_epilogue_run_once_per_complete_order() {
    // 4 add-users: 24 distinct complete states, each running the 300 waits after them
    let text = add_users_then("2025-01-01T00:00:00Z", 4, &waits(300, "29d"));
    let full = explore_text("long.toml", &text, Options::default());
    assert!(!full.truncated && full.violation.is_none() && full.limit.is_none());
    assert_eq!(full.complete, 24);
    assert_eq!(full.max_work, explore::EXPLORE_WORK_MAX);
    // every epilogue step is counted, and every move
    assert!(
        full.work >= (24 * 300 + full.transitions) as u64,
        "{}",
        full.text(false)
    );
    assert!(full.text(false).contains("units of work"), "{}", full.text(false));

    // a budget of a few epilogues: stopped, not exhaustive, and the budget is named
    let opts = Options {
        max_work: Some(1_000),
        ..Options::default()
    };
    let r = explore_text("long.toml", &text, opts);
    assert!(r.truncated && r.work_capped, "{}", r.text(false));
    assert!(r.complete > 0 && r.complete < 24, "{}", r.text(false));
    // it stops before the epilogue that would pass the budget: at most one epilogue over
    assert!(r.work < 1_000 + 300 + 1, "{}", r.text(false));
    assert!(!r.proved_nothing());
    let t = r.text(false);
    assert!(
        t.contains(
            "the search stopped at the work budget, EXPLORE_WORK_MAX = 1000 units; it is not exhaustive"
        ),
        "{t}"
    );

    // a budget smaller than the moves to the first complete order: nothing is proved (exit 3)
    let opts = Options {
        max_work: Some(3),
        ..Options::default()
    };
    let r = explore_text("long.toml", &text, opts);
    assert!(
        r.truncated && r.work_capped && r.complete == 0,
        "{}",
        r.text(false)
    );
    assert!(r.proved_nothing());
    let t = r.text(false);
    assert!(
        t.contains("Result: inconclusive: the work budget (EXPLORE_WORK_MAX, 3 units) stopped the search before any complete order was checked, so nothing is proved"),
        "{t}"
    );

    // the budget cannot be raised
    let sc = scenario::load("long.toml", &text).unwrap();
    let opts = Options {
        max_work: Some(explore::EXPLORE_WORK_MAX + 1),
        ..Options::default()
    };
    match explore::explore("long.toml", &text, sc, &opts) {
        Err(explore::Error::Usage(m)) => assert!(m.contains("EXPLORE_WORK_MAX"), "{m}"),
        other => panic!("expected a usage error, got {other:?}"),
    }
}
