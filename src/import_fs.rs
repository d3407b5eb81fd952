//! Graph exports on disk: the [`Source`] the importer reads (regular files only, each at most
//! `IMPORT_FILE_BYTES_MAX` bytes; folders listed by name), and the importer the scenario
//! loader calls for `[scenario] import`, its problems as diagnostics.

use mtosim_engine::build::Builder;
use mtosim_graph::import::{self, Problem, Source, Summary, IMPORT_FILE_BYTES_MAX};
use mtosim_scenario::diag::Diagnostic;
use mtosim_scenario::load;
use std::path::{Path, PathBuf};

/// A folder on disk.
pub struct Dir(pub PathBuf);

impl Source for Dir {
    fn read(&self, rel: &str) -> std::io::Result<Option<Vec<u8>>> {
        let p = self.0.join(rel);
        match std::fs::symlink_metadata(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
            Ok(_) => load::read_capped(&p, IMPORT_FILE_BYTES_MAX, "IMPORT_FILE_BYTES_MAX").map(Some),
        }
    }

    fn dirs(&self, rel: &str) -> std::io::Result<Vec<String>> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(self.0.join(rel))? {
            let e = e?;
            if e.file_type()?.is_dir() {
                out.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        out.sort();
        Ok(out)
    }
}

/// A problem as a diagnostic: the file, and the JSON path in the message.
pub fn diagnostic(p: &Problem) -> Diagnostic {
    Diagnostic::file_level(&p.file, format!("{}: {}", p.path, p.message))
}

/// Imports the folders `dirs` into `b`; warnings are printed to stderr unless `quiet`. With
/// `strict`, a world that breaks a model invariant is refused (a run starts from it).
pub fn import_dirs(
    dirs: &[String],
    b: &mut Builder,
    quiet: bool,
    strict: bool,
) -> Result<Summary, Vec<Diagnostic>> {
    let sources: Vec<Dir> = dirs.iter().map(|d| Dir(PathBuf::from(d))).collect();
    for (d, s) in dirs.iter().zip(&sources) {
        if !Path::new(&s.0).is_dir() {
            return Err(vec![Diagnostic::file_level(
                d,
                "not a folder (give an export's folder, or a tenant's)",
            )]);
        }
    }
    let roots: Vec<(&str, &dyn Source)> = dirs
        .iter()
        .map(String::as_str)
        .zip(sources.iter().map(|s| s as &dyn Source))
        .collect();
    let run = if strict {
        import::import
    } else {
        import::import_unchecked
    };
    let summary = run(&roots, b).map_err(|ps| ps.iter().map(diagnostic).collect::<Vec<_>>())?;
    if !quiet {
        for w in &summary.warnings {
            eprintln!("warning: {}", w);
        }
    }
    Ok(summary)
}

/// The loader's importer: the folders a scenario names, warnings printed.
pub fn loader_import(dirs: &[String], b: &mut Builder) -> Result<(), Vec<Diagnostic>> {
    import_dirs(dirs, b, false, true).map(|_| ())
}
