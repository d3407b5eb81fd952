//! `mtosim explore FILE`: search every order of a small scenario's action steps for a broken
//! invariant or a failing check, and print (or save) the shortest counterexample; `--html`
//! writes the counterexample's run as a report page (its path drawn as a timeline).

use crate::args::ExploreArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_render::html::run::{Meta, RunPage};
use mtosim_scenario::{explore, runner};

/// Runs the command.
pub fn run(a: ExploreArgs, out: &mut Out) -> Result<Exit, Error> {
    // the --out file is checked before searching, which may take long: not the input, not a
    // directory, an existing file only with --force, in a directory that takes a new file
    if let Some(path) = &a.out {
        let same = std::fs::canonicalize(path)
            .ok()
            .zip(std::fs::canonicalize(&a.file).ok())
            .is_some_and(|(x, y)| x == y);
        if same {
            return Err(Error::Usage(format!(
                "--out {} is the scenario being explored; name another file",
                path.display()
            )));
        }
        crate::atomic::check_one(path, a.force).map_err(Error::Usage)?;
    }
    if let Some(path) = &a.html {
        super::check_html(path, Some(&a.file))?;
    }
    let opts = explore::Options {
        depth: a.depth,
        max_states: a.max_states,
        max_work: None,
        out: a.out.clone(),
    };
    // loaded here, with the importer, so a scenario that imports Graph exports explores too
    let text = mtosim_scenario::load::read_source(&a.file).map_err(Error::Diagnostics)?;
    let (sc, _) =
        mtosim_scenario::load::load_text_with(&a.file, &text, false, Some(&crate::import_fs::loader_import))
            .map_err(Error::Diagnostics)?;
    let report = match explore::explore(&a.file, &text, sc, &opts) {
        Err(explore::Error::Load(ds)) => return Err(Error::Diagnostics(ds)),
        Err(explore::Error::Usage(m)) => return Err(Error::Usage(m)),
        Ok(report) => report,
    };
    out.text(&report.text(a.out.is_none()))?;
    if let Some(limit) = &report.limit {
        // a per-run cap stopped the world on some order: an error of the input (exit 2), as
        // in `mtosim run`, never "no violation"; nothing is written to --out
        out.flush()?;
        return Err(Error::Usage(limit.message(&a.file)));
    }
    let exit = if report.proved_nothing() {
        Exit::Inconclusive
    } else {
        Exit::failed_if(report.violation.is_some())
    };
    match (&a.html, &report.violation) {
        (Some(path), Some(cx)) => {
            out.flush()?;
            counterexample_page(path, &a.file, &cx.toml, &report.text(false))?;
            out.line(&format!(
                "Wrote the counterexample's report to {}",
                path.display()
            ))?;
        }
        (Some(path), None) => {
            out.line(&format!("No counterexample: {} was not written.", path.display()))?;
        }
        (None, _) => {}
    }
    match (&a.out, &report.violation) {
        (Some(path), Some(cx)) => {
            out.flush()?;
            crate::atomic::write_one(path, &cx.toml).map_err(Error::Usage)?;
            out.line(&format!(
                "Wrote the counterexample to {}; replay it with: mtosim run {}",
                path.display(),
                path.display()
            ))?;
        }
        (Some(path), None) => {
            out.line(&format!("No counterexample: {} was not written.", path.display()))?;
        }
        (None, _) => {}
    }
    Ok(exit)
}

/// Runs the counterexample `toml` (CSV imports read beside `file`) and writes its report page,
/// with the search's report `note` above it.
fn counterexample_page(path: &std::path::Path, file: &str, toml: &str, note: &str) -> Result<(), Error> {
    let (sc, _) =
        mtosim_scenario::load::load_text_with(file, toml, false, Some(&crate::import_fs::loader_import))
            .map_err(Error::Diagnostics)?;
    let name = sc.name.clone();
    let meta = Meta {
        name: &name,
        file,
        subtitle: "the shortest counterexample mtosim explore found",
    };
    crate::atomic::write_streamed(
        path,
        |w| {
            let mut page = RunPage::begin(w, &sc.world, &meta)?;
            let run = runner::run_observed(sc, &mut page);
            page.finish(&run, Some(toml), Some(note))
        },
        |_| true,
    )
    .map_err(Error::Usage)
}
