//! `mtosim explore FILE`: search every order of a small scenario's action steps for a broken
//! invariant or a failing check, and print (or save) the shortest counterexample.

use crate::args::ExploreArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_scenario::explore;

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
    let opts = explore::Options {
        depth: a.depth,
        max_states: a.max_states,
        max_work: None,
        out: a.out.clone(),
    };
    let report = match explore::explore_path(&a.file, &opts) {
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
