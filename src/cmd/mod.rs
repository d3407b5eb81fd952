//! One module per subcommand, each a `run(args, out)` returning how the command ended.

pub mod check;
pub mod completions;
pub mod doctor;
pub mod explain;
pub mod explore;
pub mod expr;
pub mod import;
pub mod new;
pub mod rules;
pub mod run;
pub mod serve;
pub mod whatif;

use crate::exit::{print_diags, Error};
use mtosim_scenario::load;
use mtosim_scenario::model::Scenario;
use std::path::Path;

/// Loads a scenario file (with the Graph exports it imports), printing the CSV rows `lenient`
/// skipped and the import's warnings.
pub fn load(file: &str, lenient: bool) -> Result<Scenario, Error> {
    let (sc, skipped) = load::load_path_with(file, lenient, Some(&crate::import_fs::loader_import))
        .map_err(Error::Diagnostics)?;
    print_diags(&skipped, true);
    Ok(sc)
}

/// Checks, before anything runs, that an `--html` report can be written to `path`: not the
/// scenario `file` itself, not a directory, in a directory that takes a new file (an existing
/// report is replaced).
pub fn check_html(path: &Path, file: Option<&str>) -> Result<(), Error> {
    let same = file.is_some_and(|f| {
        std::fs::canonicalize(path)
            .ok()
            .zip(std::fs::canonicalize(f).ok())
            .is_some_and(|(x, y)| x == y)
    });
    if same {
        return Err(Error::Usage(format!(
            "--html {} is the scenario itself; name another file",
            path.display()
        )));
    }
    crate::atomic::check_one(path, true).map_err(|e| Error::Usage(format!("--html: {e}")))
}
