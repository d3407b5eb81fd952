//! `mtosim doctor INPUT... [--json]`: the world of a scenario (after its steps) or of Graph
//! exports, checked against every documented prerequisite (`mtosim_engine::doctor`); exit 0
//! when clean, 1 when it finds problems, 2 when an input cannot be used.

use crate::args::DoctorArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_engine::build::Builder;
use mtosim_engine::{DelayMode, RuleSet, RuleSetKind, SimTime, World};
use mtosim_render::doctor as report;
use std::path::Path;

/// Runs `mtosim doctor`.
pub fn run(a: DoctorArgs, out: &mut Out) -> Result<Exit, Error> {
    let (world, not_checked) = match a.inputs.as_slice() {
        [one] if Path::new(one).is_file() => {
            let sc = super::load(one, false)?;
            let r = mtosim_scenario::runner::run(sc);
            if let Some(hit) = r.world.limit() {
                return Err(Error::Usage(format!(
                    "{one}: the run stopped at a per-run cap: {hit}"
                )));
            }
            (r.world, Vec::new())
        }
        dirs => import(dirs)?,
    };
    let r = mtosim_engine::doctor::diagnose(&world);
    if a.json {
        let v = report::json(&world, &r, &not_checked);
        out.line(&serde_json::to_string_pretty(&v).expect("JSON values serialize"))?;
    } else {
        out.text(&report::text(&world, &r, &not_checked))?;
    }
    Ok(Exit::failed_if(!r.findings.is_empty()))
}

/// The world of the exports in `dirs`, under the rule set their manifest names, and what they
/// lack.
fn import(dirs: &[String]) -> Result<(World, Vec<String>), Error> {
    let builder = |kind| {
        let mut b = Builder::new(RuleSet::new(kind), 0, SimTime::DEFAULT_START, DelayMode::Max);
        b.start_follows_import();
        b
    };
    let mut b = builder(RuleSetKind::Ga);
    let mut summary = crate::import_fs::import_dirs(dirs, &mut b, true, false).map_err(Error::Diagnostics)?;
    if let Some(kind) = summary.rules.as_deref().and_then(RuleSetKind::parse) {
        if kind != RuleSetKind::Ga {
            b = builder(kind);
            summary = crate::import_fs::import_dirs(dirs, &mut b, true, false).map_err(Error::Diagnostics)?;
        }
    }
    let mut not_checked = Vec::new();
    let unknown: Vec<&str> = summary
        .tenants
        .iter()
        .filter(|t| !t.quota_known)
        .map(|t| t.name.as_str())
        .collect();
    if !unknown.is_empty() {
        not_checked.push(format!(
            "directory object quotas of {}: GET /organization shows directorySizeQuota only on /beta, so the default quota is assumed (save the beta organization to check them)",
            unknown.join(", ")
        ));
    }
    for t in &summary.tenants {
        if !t.missing.is_empty() {
            not_checked.push(format!("{}: the folder lacks {}", t.name, t.missing.join(", ")));
        }
    }
    if let Some(why) = &summary.broken {
        not_checked.push(format!(
            "what a run would do: the world breaks a rule the simulation relies on ({why}), so mtosim run and import refuse it"
        ));
    }
    not_checked.extend(summary.warnings.iter().map(|w| format!("(import warning) {w}")));
    Ok((b.finish(), not_checked))
}
