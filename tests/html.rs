//! The HTML report from the command line: `run --html`, `report -o`, `whatif --html` and
//! `explore --html` write one self-contained page each, byte-identical for the same scenario
//! and seed, within the size budget; a path that cannot be written, or a run a cap stopped,
//! exits 2 and leaves no file. (The pages are drawn and checked in a real browser by
//! `tests/browser/run.sh`, which `.ci/run` calls.)

use crate::cli::mtosim;
use std::path::{Path, PathBuf};

/// The seed walkthrough's page must stay under this many bytes (issue 18's budget).
const SEED_PAGE_BYTES_MAX: u64 = 300 * 1024;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The page's data block `id` as JSON.
fn block(page: &str, id: &str) -> serde_json::Value {
    let open = format!("id=\"{id}\">");
    let at = page.find(&open).unwrap() + open.len();
    let len = page[at..].find("</script>").unwrap();
    serde_json::from_str(&page[at..at + len]).unwrap()
}

#[test]
fn the_seed_walkthrough_page_is_self_contained_deterministic_and_within_budget() {
    let dir = scratch("seed");
    let (a, b) = (dir.join("a.html"), dir.join("b.html"));
    let (code, out, err) = mtosim(&["run", "scenarios/seed-walkthrough.toml", "--html", s(&a)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Wrote the report to"), "{out}");
    // the narration still goes to standard output
    assert!(out.contains("-- step 1 (line 26): create-mto"), "{out}");
    let (code, out, err) = mtosim(&["report", "scenarios/seed-walkthrough.toml", "-o", s(&b)]);
    assert_eq!(code, 0, "{out}{err}");
    let page = std::fs::read_to_string(&a).unwrap();
    assert_eq!(
        page,
        std::fs::read_to_string(&b).unwrap(),
        "two runs, one seed: the same bytes"
    );
    let size = std::fs::metadata(&a).unwrap().len();
    assert!(
        size < SEED_PAGE_BYTES_MAX,
        "the seed walkthrough's page is {size} bytes"
    );
    for outside in ["<link", " src=", "@import", "url(http", "url(//", "@font-face"] {
        assert!(!page.contains(outside), "the page loads something: {outside}");
    }
    let meta = block(&page, "d-meta");
    assert_eq!(meta["tenants"].as_array().unwrap().len(), 2);
    let end = block(&page, "d-end");
    assert_eq!(end["ok"], true);
    assert_eq!(end["checksPassed"], 5);
    assert!(end["source"].as_str().unwrap().starts_with("[scenario]"));
    assert!(
        end["rules"]["MTO-8"]["title"].is_string(),
        "the rules cited carry their text"
    );
    // no temporary file is left beside the page
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

#[test]
fn an_unwritable_report_path_exits_2_before_running() {
    let dir = scratch("bad");
    let missing = dir.join("no/such/dir/report.html");
    let (code, out, err) = mtosim(&["report", "scenarios/seed-walkthrough.toml", "-o", s(&missing)]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(out.is_empty(), "nothing ran: {out}");
    // a directory is not a file
    let (code, _, err) = mtosim(&["run", "scenarios/seed-walkthrough.toml", "--html", s(&dir)]);
    assert_eq!(code, 2);
    assert!(err.contains("is a directory"), "{err}");
    // nor is the scenario itself
    let (code, _, err) = mtosim(&[
        "run",
        "scenarios/seed-walkthrough.toml",
        "--html",
        "scenarios/seed-walkthrough.toml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is the scenario itself"), "{err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn a_run_stopped_by_a_cap_leaves_no_page() {
    let dir = scratch("cap");
    let f = dir.join("late.toml");
    std::fs::write(
        &f,
        "[scenario]\nname = \"late\"\nstart = \"9999-12-30T00:00:00Z\"\n\n[[tenant]]\nname = \"a\"\n\n[[step]]\nat = \"+1d\"\ndo = \"wait\"\nfor = \"3d\"\n",
    )
    .unwrap();
    let page = dir.join("late.html");
    let (code, _, err) = mtosim(&["report", s(&f), "-o", s(&page)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("SIM_TIME_MAX"), "{err}");
    assert!(!page.exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "only the scenario");
}

#[test]
fn a_failing_check_is_at_the_top_of_its_page() {
    let dir = scratch("fail");
    let f = dir.join("failing.toml");
    std::fs::write(
        &f,
        "[scenario]\nname = \"f\"\n\n[[tenant]]\nname = \"a\"\n\n[[step]]\ndo = \"expect\"\ntenant = \"a\"\nmto = \"active\"\n",
    )
    .unwrap();
    let page = dir.join("f.html");
    let (code, _, _) = mtosim(&["report", s(&f), "-o", s(&page)]);
    assert_eq!(code, 1);
    let page = std::fs::read_to_string(&page).unwrap();
    assert_eq!(block(&page, "d-end")["ok"], false);
    assert!(page.contains("[\"f\","), "the failure's row");
}

#[test]
fn whatif_and_explore_write_their_pages() {
    let dir = scratch("whatif");
    let quick = dir.join("quick.html");
    let (code, out, err) = mtosim(&["whatif", "--tenants", "5", "--users", "100", "--html", s(&quick)]);
    assert_eq!(code, 0, "{out}{err}");
    let page = std::fs::read_to_string(&quick).unwrap();
    assert_eq!(block(&page, "d-whatif")["pairs"].as_array().unwrap().len(), 20);
    let sweep = dir.join("sweep.html");
    let (code, out, err) = mtosim(&[
        "whatif",
        "--users",
        "100",
        "--sweep",
        "tenants=2..5",
        "--html",
        s(&sweep),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let page = std::fs::read_to_string(&sweep).unwrap();
    assert_eq!(block(&page, "d-sweep")["rows"].as_array().unwrap().len(), 4);
    assert!(page.contains("<figure class=\"chart\""));
    let cx = dir.join("cx.html");
    let (code, out, _) = mtosim(&[
        "explore",
        "scenarios/explore-owner-handover.toml",
        "--html",
        s(&cx),
    ]);
    assert_eq!(code, 1, "a counterexample: {out}");
    let page = std::fs::read_to_string(&cx).unwrap();
    let end = block(&page, "d-end");
    assert!(
        end["note"].as_str().unwrap().contains("counterexample"),
        "{}",
        end["note"]
    );
    assert!(end["source"].as_str().unwrap().contains("[[step]]"));
}
