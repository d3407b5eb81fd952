//! `mtosim whatif`: counted forecasts from a scenario's state, or from the quick form, and
//! sweeps of the quick form over one parameter.

use crate::args::{SetArg, WhatifArgs};
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_engine::whatif::{self, Org, QuickParams, Topology};
use mtosim_engine::{RuleSet, RuleSetKind};
use mtosim_render::whatif as show;
use mtosim_scenario::runner;
use std::path::{Path, PathBuf};

/// The files a sweep writes to `--out`.
const SWEEP_FILES: [&str; 2] = ["sweep.csv", "sweep.svg"];

/// Runs the command.
pub fn run(a: WhatifArgs, out: &mut Out) -> Result<Exit, Error> {
    // --out holds a sweep's files; a single forecast has none, so --out alone is an error,
    // and the directory is checked before anything is computed or printed
    if let Some(dir) = &a.out {
        if a.sweep.is_none() {
            return Err(Error::Usage(format!(
                "--out {} needs --sweep: only a sweep writes files (sweep.csv and sweep.svg); \
                 print a single forecast with --json or --csv and redirect it",
                dir.display()
            )));
        }
        crate::atomic::check_set(dir, SWEEP_FILES.iter().map(Path::new), a.force).map_err(Error::Usage)?;
    }
    let forecast = match &a.file {
        Some(file) => {
            let sc = crate::cmd::load(file, false)?;
            let upto = a.at.unwrap_or(sc.steps.len());
            if upto > sc.steps.len() {
                return Err(Error::Usage(format!(
                    "--at {upto}: {file} has {} steps; name one of 0 to {}",
                    sc.steps.len(),
                    sc.steps.len()
                )));
            }
            let run = runner::run_steps(sc, upto);
            whatif::forecast(&run.world)
        }
        None => {
            let kind = match a.rules {
                Some(SetArg::Preview2023) => RuleSetKind::Preview2023,
                _ => RuleSetKind::Ga,
            };
            let params = QuickParams {
                tenants: a.tenants,
                users: a.users,
                share: a.share,
                topology: Topology::parse(&a.topology).expect("clap checks the value"),
                rules: RuleSet::new(kind),
                object_quota: a.quota,
            };
            show::check_quick_tenants(params.tenants as f64)
                .and_then(|_| show::check_quick_users(params.users as f64))
                .and_then(|_| show::check_share(params.share))
                .map_err(Error::Usage)?;
            if let Some(sw) = &a.sweep {
                return sweep(&a, &params, sw, out);
            }
            let org = if a.no_mto { Org::SyncOnly } else { Org::Mto };
            whatif::quick_with(&params, org)
        }
    };
    if a.json {
        out.line(&show::to_json(&forecast).to_string())?;
    } else if a.csv {
        out.text(&show::to_csv(&forecast))?;
    } else {
        out.text(&show::summary(&forecast))?;
        if a.pairs {
            out.text("\nPairs:\n")?;
            out.text(&show::pair_table(&forecast))?;
        }
    }
    Ok(Exit::Ok)
}

fn sweep(a: &WhatifArgs, params: &QuickParams, sw: &str, out: &mut Out) -> Result<Exit, Error> {
    let sw = show::Sweep::parse(sw).map_err(Error::Usage)?;
    show::check_sweep_work(params, &sw).map_err(Error::Usage)?;
    let rows = show::sweep(params, &sw);
    let csv_text = show::sweep_csv(&sw, &rows);
    out.text(&csv_text)?;
    if let Some(dir) = &a.out {
        let svg = show::sweep_svg(params, &sw, &rows)
            .map_err(|e| Error::Usage(format!("drawing the chart: {e}")))?;
        let files = [
            (PathBuf::from(SWEEP_FILES[0]), csv_text),
            (PathBuf::from(SWEEP_FILES[1]), svg),
        ];
        out.flush()?;
        crate::atomic::write_set(dir, &files, a.force).map_err(Error::Usage)?;
        out.line(&format!("Wrote sweep.csv and sweep.svg to {}", dir.display()))?;
    }
    Ok(Exit::Ok)
}
