//! `mtosim import DIR... [-o FILE]`: imports Graph exports (checking every file, as a run
//! would) and writes a scenario that starts from them, naming the folders relative to it.

use crate::args::ImportArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_engine::build::Builder;
use mtosim_engine::{DelayMode, RuleSet, RuleSetKind, SimTime};
use mtosim_scenario::record::{import_toml, ImportScenario};
use std::path::{Component, Path, PathBuf};

/// Runs `mtosim import`.
pub fn run(a: ImportArgs, out: &mut Out) -> Result<Exit, Error> {
    let mut b = Builder::new(
        RuleSet::new(RuleSetKind::Ga),
        0,
        SimTime::DEFAULT_START,
        DelayMode::Max,
    );
    let summary =
        crate::import_fs::import_dirs(&a.dirs, &mut b, a.quiet, true).map_err(Error::Diagnostics)?;
    let rules = summary.rules.clone().unwrap_or_else(|| "ga".to_string());
    if RuleSetKind::parse(&rules).is_none() {
        return Err(Error::Usage(format!(
            "the export's manifest names rule set \"{rules}\", which mtosim does not know"
        )));
    }
    let base = a
        .output
        .as_ref()
        .and_then(|o| o.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let import: Vec<String> = a.dirs.iter().map(|d| relative(Path::new(d), &base)).collect();
    let mut comments = vec![format!(
        "Written by mtosim import from {}: {}.",
        a.dirs.join(", "),
        count(summary.tenants.len(), "tenant")
    )];
    for t in &summary.tenants {
        comments.push(format!(
            "{} ({}): {}, {} of other tenants' users, {}, {}, {}",
            t.name,
            t.folder,
            count(t.users, "user"),
            count(t.accounts, "account"),
            count(t.groups, "group"),
            count(t.partners, "partner configuration"),
            count(t.configs, "sync configuration")
        ));
        if !t.missing.is_empty() {
            comments.push(format!(
                "  not in the export (not imported, not checked): {}",
                t.missing.join(", ")
            ));
        }
    }
    let name = format!("Imported from {}", a.dirs.join(", "));
    let text = import_toml(&ImportScenario {
        name: &name,
        rules: &rules,
        seed: summary.seed.unwrap_or(0),
        start: summary.time.unwrap_or(SimTime::DEFAULT_START),
        import: &import,
        comments: &comments,
    });
    match &a.output {
        Some(path) => {
            crate::atomic::write_one(path, &text).map_err(Error::Usage)?;
            out.line(&format!(
                "wrote {}: {} imported, {}",
                path.display(),
                count(summary.tenants.len(), "tenant"),
                count(summary.warnings.len(), "warning")
            ))?;
        }
        None => out.text(&text)?,
    }
    Ok(Exit::Ok)
}

/// `n` and `what`, plural unless `n` is 1.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// `dir` as a path relative to `base` (both taken from the current folder), `/`-separated.
fn relative(dir: &Path, base: &Path) -> String {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    out.pop();
                }
                c => out.push(c),
            }
        }
        out
    };
    let (d, b) = (abs(dir), abs(base));
    let dc: Vec<_> = d.components().collect();
    let bc: Vec<_> = b.components().collect();
    let common = dc.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), bc.len() - common).collect();
    parts.extend(
        dc[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}
