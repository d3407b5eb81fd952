//! Every scenario in `scenarios/` must load, run, and hold every check; two runs must produce
//! byte-identical narration.

use mtosim_scenario::{load as scenario, model::Scenario, runner};
use std::path::{Path, PathBuf};

/// The `.toml` files of `dir` (relative to the repository root), sorted: shared by the test
/// modules of this binary.
pub(crate) fn toml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

/// Every scenario in `scenarios/`, sorted.
pub(crate) fn scenario_files() -> Vec<PathBuf> {
    toml_files("scenarios")
}

/// A finished run with its narration and failures as text.
pub(crate) struct Ran {
    /// The world after the last step.
    pub world: mtosim_engine::World,
    /// Narration lines, as `mtosim run` prints them.
    pub lines: Vec<String>,
    /// Failures, one sentence each.
    pub failures: Vec<String>,
    /// Checks that held.
    pub checks_passed: usize,
}

/// Runs `sc`, keeping its narration.
pub(crate) fn run_sc(sc: Scenario) -> Ran {
    let (r, trace) = runner::run_collect(sc);
    let lines = trace
        .iter()
        .map(|e| mtosim_render::narrate::entry_line(&r.world, e))
        .collect();
    Ran {
        lines,
        failures: r.failures.iter().map(|f| f.to_string()).collect(),
        checks_passed: r.checks_passed,
        world: r.world,
    }
}

/// Loads and runs `path`, panicking on a load error.
pub(crate) fn run(path: &Path) -> Ran {
    let (sc, _) =
        scenario::load_path(&path.display().to_string(), false).unwrap_or_else(|d| panic!("{}", d[0]));
    run_sc(sc)
}

#[test]
fn every_scenario_runs_and_holds_its_checks() {
    let files = scenario_files();
    assert!(files.len() >= 2, "scenarios/ holds the seed walkthroughs");
    for f in files {
        let r = run(&f);
        assert!(
            r.failures.is_empty(),
            "{}:\n{}\n{:#?}",
            f.display(),
            r.lines.join("\n"),
            r.failures
        );
        assert!(r.checks_passed > 0, "{} checks nothing", f.display());
    }
}

#[test]
fn every_scenario_is_deterministic() {
    for f in scenario_files() {
        assert_eq!(run(&f).lines, run(&f).lines, "{}", f.display());
    }
}

#[test]
fn seed_walkthrough_is_the_spec_example_unchanged() {
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/scenario-format.md"),
    );
    let Ok(spec) = spec else { return }; // shared/ sits beside the checkout in CI and sessions
    let start = spec.find("## Example: the seed article's walkthrough").unwrap();
    let body = &spec[start..];
    let from = body.find("```toml\n").unwrap() + 8;
    let to = from + body[from..].find("```").unwrap();
    let file = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-walkthrough.toml"),
    )
    .unwrap();
    assert_eq!(file, &body[from..to]);
}

#[test]
fn seed_walkthrough_narrates_the_preview_story() {
    let r = run(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-walkthrough.toml"));
    let text = r.lines.join("\n");
    for needle in [
        "created the multitenant organization \"Contoso Group\"",
        "processing takes until 2024-01-01 06:00:00  [MTO-26, MTO-27, MTO-28]",
        "1 created as Member in fabrikam  [CTS-40, CTS-28, CTS-30]",
        "in the 2023 preview this dissolves the MTO for every tenant",
        "[SEED-3, MTO-82]",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert_eq!(
        r.world
            .synced_from(mtosim_engine::TenantIdx(1), mtosim_engine::TenantIdx(0)),
        1,
        "MTO-79: the synced user stays"
    );
}

#[test]
fn ga_walkthrough_refuses_the_owner_exit_then_deletes_the_mto() {
    let r = run(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-walkthrough-ga.toml"));
    let text = r.lines.join("\n");
    assert!(
        text.contains(
            "remove-tenant REFUSED (Request_BadRequest): contoso is the only active owner while 1 other tenant is active"
        ),
        "{text}"
    );
    assert!(text.contains("which deletes the MTO.  [MTO-37]"), "{text}");
    assert!(
        text.contains("expected: step 10 (remove-tenant) was refused for MTO-37"),
        "{text}"
    );
    assert!(
        text.contains("the last active tenant, is leaving: this deletes the MTO"),
        "{text}"
    );
}

/// `events.jsonl`, written when a run ends, tells each event as it was narrated when it
/// happened: events carry the values they describe, not a view of the end state.
#[test]
fn the_event_log_written_at_the_end_matches_the_narration_as_it_happened() {
    use mtosim_scenario::trace::Entry;
    for f in scenario_files() {
        let (sc, _) = scenario::load_path(&f.display().to_string(), false).unwrap();
        let mut live = Vec::new();
        struct Keep<'a>(&'a mut Vec<String>);
        impl mtosim_scenario::trace::Observer for Keep<'_> {
            fn entry(&mut self, w: &mtosim_engine::World, e: &mtosim_scenario::trace::Timed) {
                if let Entry::Event(i) = e.entry {
                    self.0.push(mtosim_render::narrate::describe(w, &w.events()[i]));
                }
            }
        }
        let r = runner::run_observed(sc, &mut Keep(&mut live));
        let at_end: Vec<String> = r
            .world
            .events()
            .iter()
            .map(|ev| mtosim_render::narrate::describe(&r.world, ev))
            .collect();
        assert_eq!(live, at_end, "{}", f.display());
    }
}
