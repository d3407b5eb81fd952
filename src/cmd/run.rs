//! `mtosim run FILE`: play a scenario, streaming its narration (or JSON lines) as it runs,
//! then the summary of every tenant and the result; `--out` writes every tenant's views, each
//! file streamed from the views to a temporary name and renamed (`atomic`), after the paths
//! were checked before the run; `--html` writes the run's report page as the run goes (to a
//! temporary name, renamed when the run ends; nothing is left if a cap stops it). `mtosim
//! report` is `run --quiet --html`.

use crate::args::{ReportArgs, RunArgs};
use crate::exit::{colour_on, Error, Exit};
use crate::out::Out;
use mtosim_engine::World;
use mtosim_render::html::run::{Meta, RunPage};
use mtosim_render::narrate::{self, Style};
use mtosim_render::{jsonl, summary, views};
use mtosim_scenario::runner::{self, Run};
use mtosim_scenario::trace::{Observer, Tee, Timed};
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;

/// How entries reach standard output while the scenario runs.
struct Printer<'o> {
    out: &'o mut Out,
    json: bool,
    quiet: bool,
    colour: bool,
    bar: Option<indicatif::ProgressBar>,
    /// The first write error; later entries are not written.
    error: Option<std::io::Error>,
}

impl Printer<'_> {
    fn write(&mut self, text: &str) {
        if self.error.is_some() {
            return;
        }
        let out = &mut *self.out;
        let res = match &self.bar {
            Some(b) => b.suspend(|| out.line(text)),
            None => out.line(text),
        };
        if let Err(e) = res {
            self.error = Some(e);
        }
    }
}

impl Observer for Printer<'_> {
    fn entry(&mut self, world: &World, e: &Timed) {
        if self.json {
            let v = jsonl::entry_json(world, e);
            self.write(&v.to_string());
        } else if !self.quiet {
            let line = narrate::entry_line(world, e);
            let style = narrate::style(world, &e.entry);
            let text = paint(&line, style, self.colour);
            self.write(&text);
        }
    }

    fn progress(&mut self, done: usize, _total: usize) {
        if let Some(b) = &self.bar {
            b.set_position(done as u64);
        }
    }
}

/// `line` in the ANSI colour of `style`, when colour is on.
fn paint(line: &str, style: Style, on: bool) -> String {
    match style.sgr() {
        Some(code) if on => format!("\x1b[{code}m{line}\x1b[0m"),
        _ => line.to_string(),
    }
}

/// Runs the command.
pub fn run(a: RunArgs, out: &mut Out) -> Result<Exit, Error> {
    if let Some(d) = a.out.as_ref().filter(|d| d.exists() && !d.is_dir()) {
        return Err(Error::Usage(format!(
            "{} is a file, not a directory; name a directory for --out",
            d.display()
        )));
    }
    if let Some(d) = a.out.as_ref().filter(|d| !a.force && dir_not_empty(d)) {
        return Err(Error::Usage(format!(
            "{} is not empty; choose an empty or new directory, or pass --force",
            d.display()
        )));
    }
    if let Some(path) = &a.html {
        super::check_html(path, Some(&a.file))?;
    }
    let mut sc = super::load(&a.file, a.lenient)?;
    sc.world.set_log_provisioning(a.out.is_some());
    if let Some(dir) = &a.out {
        // every file the run will write is named by now: find conflicts and links before running
        let files = views::export(&sc.world);
        crate::atomic::check_set(dir, files.iter().map(|f| f.path()), a.force).map_err(Error::Usage)?;
    }
    let colour = colour_on(std::io::stdout().is_terminal());
    if !a.json {
        out.line(&format!(
            "mtosim {} | {} | rules {} | seed {} | delays {}",
            env!("CARGO_PKG_VERSION"),
            sc.name,
            sc.world.rules().kind.name(),
            sc.world.seed(),
            match sc.world.delays() {
                mtosim_engine::DelayMode::Max => "max",
                mtosim_engine::DelayMode::Random => "random",
            }
        ))?;
        if !a.quiet {
            let w = narrate::tenant_width(&sc.world);
            out.line(&format!(
                "{:<19}  {:<w$}  what happened  [rules]",
                "time (UTC)", "tenant"
            ))?;
        }
    }
    let steps = sc.steps.len() as u64;
    let bar = (std::io::stderr().is_terminal() && steps >= 50).then(|| {
        let b = indicatif::ProgressBar::new(steps);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} steps {msg}")
                .expect("a valid template"),
        );
        b
    });
    let mut printer = Printer {
        out,
        json: a.json,
        quiet: a.quiet,
        colour,
        bar,
        error: None,
    };
    let run = match &a.html {
        None => runner::run_observed(sc, &mut printer),
        Some(path) => with_report(path, &a.file, sc, &mut printer)?,
    };
    if let Some(b) = printer.bar.take() {
        b.finish_and_clear();
    }
    if let Some(e) = printer.error {
        return Err(Error::Output(e));
    }
    if a.json {
        out.line(&summary::tenants_json(&run.world).to_string())?;
        let (failing, held) = summary::outstanding(&run.world);
        let result = serde_json::json!({
            "schemaVersion": jsonl::SCHEMA_VERSION,
            "event": "result",
            "ok": run.ok(),
            "checksPassed": run.checks_passed,
            "failures": run.failures.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
            "failing": failing,
            "deletionsHeld": held,
            "limit": run.limit.as_ref().map(|(step, line, hit)| serde_json::json!({
                "name": hit.name,
                "max": hit.max,
                "step": step,
                "line": line,
                "message": hit.to_string(),
            })),
        });
        out.line(&result.to_string())?;
    } else {
        out.line("")?;
        for l in summary::tenants(&run.world) {
            out.line(&l)?;
        }
        out.line("")?;
        if let Some((step, _, hit)) = &run.limit {
            out.line(&paint(
                &format!("Result: stopped at step {step}: {}.", hit.name),
                Style::Fail,
                colour,
            ))?;
        } else if run.ok() {
            out.line(&summary::result_ok(&run.world, run.checks_passed))?;
        } else {
            let n = run.failures.len();
            out.line(&format!(
                "Result: {n} failure{} ({} check{} held):",
                if n == 1 { "" } else { "s" },
                run.checks_passed,
                if run.checks_passed == 1 { "" } else { "s" }
            ))?;
            for f in &run.failures {
                out.line(&paint(&format!("  - FAIL: {f}"), Style::Fail, colour))?;
            }
        }
    }
    if let (Some(path), None, false) = (&a.html, &run.limit, a.json) {
        out.line(&format!("Wrote the report to {}", path.display()))?;
    }
    if let Some((step, line, hit)) = run.limit {
        // nothing is written to --out or --html: the views would be those of a world stopped midway
        // a cap is an error of the input (exit 2) with its location, never a silent result
        out.flush()?;
        return Err(Error::Usage(format!("{}:{line}: step {step}: {hit}", a.file)));
    }
    if let Some(dir) = a.out {
        out.flush()?;
        let files = views::export(&run.world);
        // what an earlier export wrote here and this one does not (a tenant gone) is removed
        // after this one is in place; nothing else in the folder is touched
        let names: BTreeSet<PathBuf> = files.iter().map(|f| f.path().to_path_buf()).collect();
        let per_tenant: Vec<String> = names
            .iter()
            .filter(|p| p.components().count() == 2)
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let previous = if a.force {
            crate::atomic::previous_files(&dir, &per_tenant)
        } else {
            Vec::new()
        };
        crate::atomic::write_set(&dir, &files, a.force).map_err(Error::Usage)?;
        crate::atomic::remove_stale(&dir, &previous, &names).map_err(Error::Usage)?;
        if !a.json {
            out.line(&format!("Wrote each tenant's views to {}", dir.display()))?;
        }
    }
    let exit = Exit::failed_if(!run.ok());
    // the process ends next and the system takes its memory back at once: freeing a large
    // world object by object only costs time (4 % of B1's run)
    std::mem::forget(run.world);
    Ok(exit)
}

/// Runs `sc`, narrating to `printer` and writing its report page to `path` as it goes; no file
/// is left when a cap stops the run.
fn with_report(
    path: &std::path::Path,
    file: &str,
    sc: mtosim_scenario::model::Scenario,
    printer: &mut Printer,
) -> Result<Run, Error> {
    let source = mtosim_scenario::load::read_source(file).map_err(Error::Diagnostics)?;
    let name = sc.name.clone();
    let meta = Meta {
        name: &name,
        file,
        subtitle: "a run of mtosim",
    };
    crate::atomic::write_streamed(
        path,
        |w| {
            let mut page = RunPage::begin(w, &sc.world, &meta)?;
            let run = runner::run_observed(sc, &mut Tee(printer, &mut page));
            if run.limit.is_none() {
                page.finish(&run, Some(&source), None)?;
            }
            Ok(run)
        },
        |run| run.limit.is_none(),
    )
    .map_err(Error::Usage)
}

/// `mtosim report FILE -o OUT`: the run's page, with the summary and result on standard output.
pub fn report(a: ReportArgs, out: &mut Out) -> Result<Exit, Error> {
    let args = RunArgs {
        file: a.file,
        quiet: true,
        json: false,
        out: None,
        force: false,
        lenient: a.lenient,
        html: Some(a.output),
    };
    run(args, out)
}

fn dir_not_empty(d: &std::path::Path) -> bool {
    std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some())
}
