//! `mtosim whatif`: counted forecasts from a scenario's state, or from the quick form, and
//! sweeps of the quick form over one parameter. `--json` and `--csv` are written pair by pair
//! and finding by finding; the quick form generates each pair as it is written, so a
//! 1,000-tenant mesh's 999,000 pairs never sit in memory. `--html FILE` also writes the
//! forecast or the sweep as one self-contained page (`render::html::whatif`), atomically.

use crate::args::{SetArg, WhatifArgs};
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_engine::whatif::{self, Org, QuickForm, QuickParams, Topology};
use mtosim_engine::{RuleSet, RuleSetKind};
use mtosim_render::html::whatif as page;
use mtosim_render::whatif as show;
use mtosim_scenario::runner;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The files a sweep writes to `--out`.
const SWEEP_FILES: [&str; 2] = ["sweep.csv", "sweep.svg"];

/// Bytes a [`Checked`] writer passes on between two checks for a write error.
const CHECK_EVERY_BYTES: usize = 1 << 20;

/// [`Out::writer`] for a long listing: every [`CHECK_EVERY_BYTES`] it flushes, so that a write
/// error (a full disk, a closed pipe) ends the listing there instead of after all of it.
struct Checked<'o> {
    out: &'o mut Out,
    unchecked: usize,
}

impl Write for Checked<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.writer().write_all(buf)?;
        self.unchecked += buf.len();
        if self.unchecked >= CHECK_EVERY_BYTES {
            self.unchecked = 0;
            self.out.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes a listing through a [`Checked`] writer, its many small writes (a JSON serializer's)
/// gathered in a buffer first, and reports its first write error.
fn listing(
    out: &mut Out,
    write: impl FnOnce(&mut io::BufWriter<Checked>) -> io::Result<()>,
) -> Result<(), Error> {
    let mut w = io::BufWriter::with_capacity(1 << 16, Checked { out, unchecked: 0 });
    write(&mut w)?;
    w.flush()?;
    Ok(())
}

/// Runs the command.
pub fn run(a: WhatifArgs, out: &mut Out) -> Result<Exit, Error> {
    if let (true, Some(sw)) = (a.json, &a.sweep) {
        return Err(Error::Usage(format!(
            "--json with --sweep {sw}: a sweep prints CSV, one row per value (and --out DIR also \
             writes sweep.csv and sweep.svg); leave out --json, or drop --sweep to print one \
             forecast as JSON"
        )));
    }
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
    if let Some(path) = &a.html {
        super::check_html(path, a.file.as_deref())?;
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
            if let Some((step, line, hit)) = &run.limit {
                // a world a cap stopped midway is not the state its steps describe: no forecast,
                // the cap is an error of the input (exit 2) at its step, as `run` reports it
                return Err(Error::Usage(format!(
                    "{file}:{line}: step {step}: {hit}; no forecast from a world stopped midway \
                     (--at {} forecasts from before that step)",
                    step.saturating_sub(1)
                )));
            }
            let f = whatif::forecast(&run.world);
            write_page(a.html.as_deref(), |w| page::forecast_page(w, file, &f))?;
            f
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
            if let Some(path) = &a.html {
                let f = whatif::quick_with(&params, org);
                let title = format!(
                    "{} tenants × {} users, share {}, {}{}",
                    params.tenants,
                    params.users,
                    params.share,
                    params.topology.name(),
                    if a.no_mto { ", no MTO" } else { "" }
                );
                write_page(Some(path), |w| page::forecast_page(w, &title, &f))?;
            }
            if a.json || a.csv {
                // every pair and finding, generated as they are written
                let q = QuickForm::new(&params, org);
                listing(out, |w| {
                    if a.json {
                        show::write_quick_json(w, &q)
                    } else {
                        show::write_quick_csv(w, &q)
                    }
                })?;
                return Ok(Exit::Ok);
            }
            whatif::quick_with(&params, org)
        }
    };
    if a.json {
        listing(out, |w| show::write_json(w, &forecast))?;
    } else if a.csv {
        listing(out, |w| show::write_csv(w, &forecast))?;
    } else {
        out.text(&show::summary(&forecast))?;
        if a.pairs {
            out.text("\nPairs:\n")?;
            out.text(&show::pair_table(&forecast))?;
        }
    }
    Ok(Exit::Ok)
}

/// Writes an HTML page to `path`, if one is asked for, atomically.
fn write_page(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    match path {
        Some(p) => crate::atomic::write_streamed(p, |w| write(w), |_| true).map_err(Error::Usage),
        None => Ok(()),
    }
}

fn sweep(a: &WhatifArgs, params: &QuickParams, sw: &str, out: &mut Out) -> Result<Exit, Error> {
    let sw = show::Sweep::parse(sw).map_err(|e| Error::Usage(format!("--sweep {sw}: {e}")))?;
    show::check_sweep_work(params, &sw).map_err(Error::Usage)?;
    let rows = show::sweep(params, &sw);
    let csv_text = show::sweep_csv(&sw, &rows);
    write_page(a.html.as_deref(), |w| page::sweep_page(w, params, &sw, &rows))?;
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
