//! `mtosim`: the command-line entry point. Parses arguments, reads files, and maps outcomes
//! to exit codes (0 ok, 1 a check or expectation failed, 2 the input could not be used).

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use mtosim::{catalog, diag::Diagnostic, explore, export, narrate, runner, scenario, summary};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mtosim",
    version,
    about = "Offline simulator for Microsoft Entra multitenant organizations and cross-tenant synchronization",
    long_about = "Plays a scenario file (tenants, their users and policies, and a timeline of admin actions and checks) \
on a simulated clock, and narrates every outcome with the documented rule behind it. No tenant, no credentials, no network.",
    after_help = "Examples:\n  mtosim new my-scenario\n  mtosim run scenarios/seed-walkthrough.toml\n  mtosim run scenarios/cts-full-mesh.toml --out views/\n  mtosim explain MTO-37\n  mtosim explore scenarios/explore-owner-handover.toml\n\nExit codes: 0 every check held; 1 a check or expect_error failed, or a step was refused unexpectedly; 2 the input could not be used."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum SetArg {
    /// Today's documented behaviour.
    Ga,
    /// The 2023 preview (the seed article).
    #[value(name = "preview-2023")]
    Preview2023,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and narrate what happens, then summarise every tenant.
    #[command(
        after_help = "Examples:\n  mtosim run scenarios/seed-walkthrough.toml\n  mtosim run scenarios/seed-walkthrough-ga.toml --out /tmp/ga-views\n  mtosim run scenarios/cts-quarantine.toml --json > events.jsonl\n  mtosim run my.toml --lenient        # skip unusable CSV rows instead of stopping"
    )]
    Run {
        /// The scenario file (TOML, see spec/scenario-format.md).
        file: String,
        /// Print only failures and the summary.
        #[arg(long, short)]
        quiet: bool,
        /// Print events and check results as JSON lines (with a schema version) instead of text.
        #[arg(long)]
        json: bool,
        /// Write each tenant's views below this directory when the run ends: Graph JSON (MTO,
        /// member list, join request, templates, partners, users), users.csv in the Download-users
        /// format, provisioning.jsonl, and events.jsonl and topology.dot for the whole run.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Allow --out to write into a non-empty directory.
        #[arg(long, requires = "out")]
        force: bool,
        /// Report unusable rows of imported CSV files and go on without them (default: exit 2).
        #[arg(long)]
        lenient: bool,
    },
    /// Validate a scenario file without running it.
    #[command(after_help = "Example:\n  mtosim check scenarios/seed-walkthrough.toml")]
    Check {
        /// The scenario file.
        file: String,
        /// Report unusable rows of imported CSV files instead of failing.
        #[arg(long)]
        lenient: bool,
    },
    /// List the documented rules mtosim cites, with their status in the simulator.
    #[command(after_help = "Examples:\n  mtosim rules\n  mtosim rules --set preview-2023")]
    Rules {
        /// Only the rules that apply under this rule set.
        #[arg(long, value_enum)]
        set: Option<SetArg>,
    },
    /// Explain one rule: what it says, where it is documented, how mtosim models it, and which
    /// scenarios show it.
    #[command(after_help = "Examples:\n  mtosim explain MTO-37\n  mtosim explain cts-30")]
    Explain {
        /// A rule id such as MTO-37, CTS-30, XTAP-5, SEED-3.
        rule: String,
    },
    /// Write a commented starter scenario to NAME.toml.
    #[command(after_help = "Example:\n  mtosim new acquisition && mtosim run acquisition.toml")]
    New {
        /// The scenario's name; the file is NAME.toml (or NAME itself if it ends in .toml).
        name: String,
    },
    /// Count how many accounts would land where, against quotas and caps, with P1 licences and
    /// timing, without provisioning anything: from a scenario, or from the quick form.
    #[command(
        after_help = "A sweep writes sweep.csv and sweep.svg (accounts in the busiest tenant and the smallest quota\nheadroom against the swept value) to --out, and prints the table.\n\nExamples:\n  mtosim whatif scenarios/cts-full-mesh.toml\n  mtosim whatif scenarios/cts-full-mesh.toml --at 12 --json\n  mtosim whatif --tenants 100 --users 3000 --share 1 --topology mesh\n  mtosim whatif --tenants 5 --users 100000 --share 0.5 --rules preview-2023\n  mtosim whatif --users 3000 --topology mesh --sweep tenants=2..100 --out sweep/"
    )]
    Whatif {
        /// A scenario: the forecast starts from its state after all steps (or after --at).
        file: Option<String>,
        /// Stop the scenario after this many steps before counting.
        #[arg(long, value_name = "STEP", requires = "file")]
        at: Option<usize>,
        /// Quick form: number of tenants (the first is the hub for hub and spoke).
        #[arg(long, conflicts_with = "file")]
        tenants: Option<u32>,
        /// Quick form: internal users per tenant.
        #[arg(long, conflicts_with = "file")]
        users: Option<u64>,
        /// Quick form: the fraction of each tenant's users that is shared.
        #[arg(long, conflicts_with = "file")]
        share: Option<f64>,
        /// Quick form: who shares with whom (CTS-68).
        #[arg(long, value_parser = ["mesh", "hub", "spoke"], conflicts_with = "file")]
        topology: Option<String>,
        /// Quick form: the rule set.
        #[arg(long, value_enum, conflicts_with = "file")]
        rules: Option<SetArg>,
        /// Quick form: every tenant's directory object quota (CTS-61).
        #[arg(long, default_value_t = 300_000, conflicts_with = "file")]
        quota: u64,
        /// Quick form: vary one parameter, e.g. tenants=2..100, users=1000..300000:1000, share=0.1..1:0.1.
        #[arg(long, conflicts_with = "file")]
        sweep: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Print CSV instead of a table.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// Where a sweep writes sweep.csv and sweep.svg.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Allow --out to write into a non-empty directory.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Search every order of a small scenario's action steps (at most 4 tenants) for a broken
    /// model invariant or a failing check, breadth-first; print the shortest counterexample as a
    /// runnable scenario.
    #[command(
        after_help = "Action steps are every step but wait, settle and expect; between any two, \"let pending\noperations complete\" (settle) and \"wait for the next pending event\" (next) are moves of their\nown. The steps after the last action step run at the end of every complete order. Exit codes:\n0 no violation; 1 a violation (its shortest counterexample is shown); 2 the input could not be used.\n\nExamples:\n  mtosim explore scenarios/explore-owner-handover.toml\n  mtosim explore my.toml --depth 4 --max-states 20000\n  mtosim explore my.toml --out cx.toml; mtosim run cx.toml"
    )]
    Explore {
        /// The scenario file (at most 4 tenants).
        file: String,
        /// Apply at most this many action steps along a path (default: all of them; at most 12).
        #[arg(long, value_name = "N")]
        depth: Option<usize>,
        /// Stop after this many distinct states (default and at most 100000).
        #[arg(long, value_name = "N")]
        max_states: Option<usize>,
        /// Write the counterexample, if any, to this file (atomically) instead of printing it.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace the --out file if it exists (never the scenario itself).
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  mtosim completions bash > ~/.local/share/bash-completion/completions/mtosim"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

fn load(file: &str, lenient: bool) -> Result<(scenario::Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    scenario::load_path(file, lenient)
}

/// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
fn colour_on(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn paint(line: &str, on: bool) -> String {
    if !on {
        return line.to_string();
    }
    let code = if line.contains("FAIL:") {
        "1;31"
    } else if line.contains(" REFUSED") || line.contains("join FAILED") {
        "33"
    } else if line.contains("WARNING:") {
        "35"
    } else if line.contains("check ok:") || line.contains("expected:") {
        "32"
    } else if line.contains("-- step ") {
        "1"
    } else {
        return line.to_string();
    };
    format!("\x1b[{code}m{line}\x1b[0m")
}

/// Prints diagnostics to stderr: as errors, or as warnings for CSV rows `--lenient` skipped.
fn print_diags(ds: &[Diagnostic], skipped: bool) {
    let on = colour_on(std::io::stderr().is_terminal());
    for d in ds {
        let mut text = d.to_string();
        if skipped {
            text = text.replacen("error:", "warning: row skipped:", 1);
        }
        if on {
            text = text.replacen("error:", "\x1b[1;31merror:\x1b[0m", 1).replacen(
                "warning:",
                "\x1b[33mwarning:\x1b[0m",
                1,
            );
        }
        eprint!("{text}");
    }
    match (ds.len(), skipped) {
        (0, _) => {}
        (n, true) => eprintln!(
            "{n} CSV row{} skipped (--lenient).",
            if n == 1 { "" } else { "s" }
        ),
        (1, false) => {}
        (n, false) => eprintln!("{n} problems. Unusable CSV rows can be skipped with --lenient."),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Check { file, lenient } => match load(&file, lenient) {
            Ok((sc, warnings)) => {
                print_diags(&warnings, true);
                let _ = writeln!(
                    out,
                    "{file}: ok: \"{}\", {} tenant{}, {} step{}, rules {}",
                    sc.name,
                    sc.world.tenants.len(),
                    if sc.world.tenants.len() == 1 { "" } else { "s" },
                    sc.steps.len(),
                    if sc.steps.len() == 1 { "" } else { "s" },
                    sc.world.rules.kind.name()
                );
                0
            }
            Err(ds) => {
                print_diags(&ds, false);
                2
            }
        },
        Command::Run {
            file,
            quiet,
            json,
            out: out_dir,
            force,
            lenient,
        } => {
            if let Some(d) = out_dir.as_ref().filter(|d| d.exists() && !d.is_dir()) {
                eprintln!(
                    "error: {} is a file, not a directory; name a directory for --out",
                    d.display()
                );
                return ExitCode::from(2);
            }
            if let Some(d) = out_dir.as_ref().filter(|d| !force && dir_not_empty(d)) {
                eprintln!(
                    "error: {} is not empty; choose an empty or new directory, or pass --force",
                    d.display()
                );
                return ExitCode::from(2);
            }
            match load(&file, lenient) {
                Err(ds) => {
                    print_diags(&ds, false);
                    2
                }
                Ok((mut sc, warnings)) => {
                    print_diags(&warnings, true);
                    sc.world.log_provisioning = out_dir.is_some();
                    run(&mut out, sc, quiet, json, out_dir, force)
                }
            }
        }
        Command::Rules { set } => {
            let set = set.map(|s| match s {
                SetArg::Ga => mtosim_engine::RuleSetKind::Ga,
                SetArg::Preview2023 => mtosim_engine::RuleSetKind::Preview2023,
            });
            for r in catalog::all()
                .iter()
                .filter(|r| set.is_none_or(|k| catalog::applies(r, k)))
            {
                let status = if r.status.is_empty() { "-" } else { &r.status };
                let _ = writeln!(out, "{:<8} {:<8} {:<16} {}", r.id, r.tag, status, r.title);
            }
            let _ = writeln!(
                out,
                "\nTags: MTO rules say when a rule holds (BOTH, GA, PREVIEW) or how sure the docs are (AMBIGUOUS, SILENT, INFERRED, 3P);\nCTS and XTAP rules say doc (stated), infer, conflict or silent; SEED rules are the seed article's preview claims;\nSIM is the simulator's own. `mtosim explain ID` tells more."
            );
            0
        }
        Command::Explain { rule } => match catalog::find(&rule) {
            Some(r) => {
                let _ = writeln!(out, "{} [{}]\n  {}\n", r.id, r.tag, r.title);
                let _ = writeln!(
                    out,
                    "In mtosim: {}{}",
                    r.status,
                    if r.notes.is_empty() {
                        String::new()
                    } else {
                        format!(". {}", r.notes)
                    }
                );
                if !r.sources.is_empty() {
                    let _ = writeln!(out, "\nSources:");
                    for s in &r.sources {
                        let shown = match s.as_str() {
                            "seed-article" => "the seed article, \"Exploring Multi-Tenant Organization\" (2023-08-30), a third-party preview write-up",
                            "mtosim" => "mtosim itself (not a Microsoft rule)",
                            other => other,
                        };
                        let _ = writeln!(out, "  {shown}");
                    }
                }
                if !r.scenarios.is_empty() {
                    let _ = writeln!(
                        out,
                        "\nScenarios that show it (in scenarios/): {}",
                        r.scenarios.join(", ")
                    );
                }
                if !r.tests.is_empty() {
                    let _ = writeln!(out, "Tests that pin it: {}", r.tests.join(", "));
                }
                0
            }
            None => {
                let ids: Vec<String> = catalog::all().into_iter().map(|r| r.id).collect();
                let hint =
                    mtosim::diag::did_you_mean(&rule.to_ascii_uppercase(), ids.iter().map(String::as_str))
                        .map(|s| format!(" Did you mean {s}?"))
                        .unwrap_or_default();
                eprintln!("error: unknown rule id \"{rule}\".{hint} `mtosim rules` lists them all.");
                2
            }
        },
        Command::New { name } => {
            let path = if name.ends_with(".toml") {
                PathBuf::from(&name)
            } else {
                PathBuf::from(format!("{name}.toml"))
            };
            let title = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("starter")
                .to_string();
            let plain = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ');
            if title.is_empty() || title.starts_with('.') || !title.chars().all(plain) {
                eprintln!(
                    "error: \"{name}\" cannot name a scenario; use letters, digits, spaces, '-', '_' and '.', e.g. mtosim new acquisition"
                );
                2
            } else if path.exists() {
                eprintln!("error: {} already exists; choose another name", path.display());
                2
            } else {
                let text = include_str!("starter.toml").replace("NAME", &title);
                match export::write(Path::new("."), &[(path.clone(), text)], true) {
                    Ok(()) => {
                        let _ = writeln!(
                            out,
                            "Wrote {}. Run it with: mtosim run {}",
                            path.display(),
                            path.display()
                        );
                        0
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        2
                    }
                }
            }
        }
        Command::Whatif {
            file,
            at,
            tenants,
            users,
            share,
            topology,
            rules,
            quota,
            sweep,
            json,
            csv,
            out: out_dir,
            force,
        } => {
            let forecast = match file {
                Some(file) => match load(&file, false) {
                    Err(ds) => {
                        print_diags(&ds, false);
                        return ExitCode::from(2);
                    }
                    Ok((sc, _)) => {
                        let upto = at.unwrap_or(sc.steps.len());
                        if upto > sc.steps.len() {
                            eprintln!(
                                "error: --at {upto}: {file} has {} steps; name one of 0 to {}",
                                sc.steps.len(),
                                sc.steps.len()
                            );
                            return ExitCode::from(2);
                        }
                        let run = runner::run_steps(sc, upto);
                        mtosim_engine::whatif::forecast(&run.world)
                    }
                },
                None => {
                    let kind = match rules {
                        Some(SetArg::Preview2023) => mtosim_engine::RuleSetKind::Preview2023,
                        _ => mtosim_engine::RuleSetKind::Ga,
                    };
                    let params = mtosim_engine::whatif::QuickParams {
                        tenants: tenants.unwrap_or(2),
                        users: users.unwrap_or(1_000),
                        share: share.unwrap_or(1.0),
                        topology: mtosim_engine::whatif::Topology::parse(
                            topology.as_deref().unwrap_or("mesh"),
                        )
                        .expect("clap checks the value"),
                        rules: mtosim_engine::RuleSet::new(kind),
                        object_quota: quota,
                    };
                    let checked = mtosim::whatif_cli::check_quick_tenants(params.tenants as f64)
                        .and_then(|_| mtosim::whatif_cli::check_quick_users(params.users as f64))
                        .and_then(|_| mtosim::whatif_cli::check_share(params.share));
                    if let Err(e) = checked {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                    if let Some(sw) = sweep {
                        let sw = match mtosim::whatif_cli::Sweep::parse(&sw) {
                            Ok(sw) => sw,
                            Err(e) => {
                                eprintln!("error: {e}");
                                return ExitCode::from(2);
                            }
                        };
                        let rows = mtosim::whatif_cli::sweep(&params, &sw);
                        let csv_text = mtosim::whatif_cli::sweep_csv(&sw, &rows);
                        let _ = write!(out, "{csv_text}");
                        if let Some(dir) = out_dir {
                            let svg = match mtosim::whatif_cli::sweep_svg(&params, &sw, &rows) {
                                Ok(svg) => svg,
                                Err(e) => {
                                    eprintln!("error: drawing the chart: {e}");
                                    return ExitCode::from(2);
                                }
                            };
                            let files = [
                                (PathBuf::from("sweep.csv"), csv_text),
                                (PathBuf::from("sweep.svg"), svg),
                            ];
                            if let Err(e) = export::write(&dir, &files, force) {
                                eprintln!("error: {e}");
                                return ExitCode::from(2);
                            }
                            let _ = writeln!(out, "Wrote sweep.csv and sweep.svg to {}", dir.display());
                        }
                        let _ = out.flush();
                        return ExitCode::SUCCESS;
                    }
                    mtosim_engine::whatif::quick(&params)
                }
            };
            if json {
                let _ = writeln!(out, "{}", mtosim::whatif_cli::to_json(&forecast));
            } else if csv {
                let _ = write!(out, "{}", mtosim::whatif_cli::to_csv(&forecast));
            } else {
                let _ = write!(out, "{}", mtosim::whatif_cli::table(&forecast));
            }
            0
        }
        Command::Explore {
            file,
            depth,
            max_states,
            out: out_file,
            force,
        } => {
            if let Some(path) = &out_file {
                let same = std::fs::canonicalize(path)
                    .ok()
                    .zip(std::fs::canonicalize(&file).ok())
                    .is_some_and(|(a, b)| a == b);
                if same {
                    eprintln!(
                        "error: --out {} is the scenario being explored; name another file",
                        path.display()
                    );
                    return ExitCode::from(2);
                }
                if path.exists() && !force {
                    eprintln!(
                        "error: {} exists; add --force to replace it, or name another file",
                        path.display()
                    );
                    return ExitCode::from(2);
                }
            }
            let opts = explore::Options {
                depth,
                max_states,
                out: out_file.clone(),
            };
            match explore::explore_path(&file, &opts) {
                Err(explore::Error::Load(ds)) => {
                    print_diags(&ds, false);
                    2
                }
                Err(explore::Error::Usage(m)) => {
                    eprintln!("error: {m}");
                    2
                }
                Ok(report) => {
                    let _ = write!(out, "{}", report.text(out_file.is_none()));
                    match (&out_file, &report.violation) {
                        (Some(path), Some(cx)) => match explore::write_atomically(path, &cx.toml) {
                            Ok(()) => {
                                let _ = writeln!(
                                    out,
                                    "Wrote the counterexample to {}; replay it with: mtosim run {}",
                                    path.display(),
                                    path.display()
                                );
                                report.exit_code()
                            }
                            Err(e) => {
                                let _ = out.flush();
                                eprintln!("error: {e}");
                                2
                            }
                        },
                        (Some(path), None) => {
                            let _ = writeln!(out, "No counterexample: {} was not written.", path.display());
                            report.exit_code()
                        }
                        (None, _) => report.exit_code(),
                    }
                }
            }
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "mtosim", &mut out);
            0
        }
    };
    let _ = out.flush();
    ExitCode::from(code as u8)
}

fn run(
    out: &mut impl Write,
    sc: scenario::Scenario,
    quiet: bool,
    json: bool,
    out_dir: Option<PathBuf>,
    force: bool,
) -> u8 {
    let header = format!(
        "mtosim {} | {} | rules {} | seed {} | delays {}",
        env!("CARGO_PKG_VERSION"),
        sc.name,
        sc.world.rules.kind.name(),
        sc.world.seed,
        match sc.world.delays {
            mtosim_engine::DelayMode::Max => "max",
            mtosim_engine::DelayMode::Random => "random",
        }
    );
    let w = narrate::tenant_width(&sc.world);
    let steps = sc.steps.len() as u64;
    let bar = if std::io::stderr().is_terminal() && steps >= 50 {
        let b = indicatif::ProgressBar::new(steps);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} steps {msg}")
                .expect("a valid template"),
        );
        Some(b)
    } else {
        None
    };
    let run = runner::run_opts(
        sc,
        &mut |done, _| {
            if let Some(b) = &bar {
                b.set_position(done as u64);
            }
        },
        json,
    );
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let colour = colour_on(std::io::stdout().is_terminal());
    if json {
        for v in &run.json {
            let _ = writeln!(out, "{v}");
        }
        let result = serde_json::json!({
            "schemaVersion": export::SCHEMA_VERSION,
            "event": "result",
            "ok": run.failures.is_empty(),
            "checksPassed": run.checks_passed,
            "failures": run.failures,
        });
        let _ = writeln!(out, "{result}");
    } else {
        let _ = writeln!(out, "{header}");
        if !quiet {
            let _ = writeln!(
                out,
                "{:<19}  {:<w$}  what happened  [rules]",
                "time (UTC)", "tenant"
            );
            for l in &run.lines {
                let _ = writeln!(out, "{}", paint(l, colour));
            }
        }
        let _ = writeln!(out);
        for l in summary::tenants(&run.world) {
            let _ = writeln!(out, "{l}");
        }
        let _ = writeln!(out);
        if run.failures.is_empty() {
            let n = run.checks_passed;
            let _ = writeln!(
                out,
                "Result: ok, {n} check{} held.",
                if n == 1 { "" } else { "s" }
            );
        } else {
            let n = run.failures.len();
            let _ = writeln!(
                out,
                "Result: {n} failure{} ({} checks held):",
                if n == 1 { "" } else { "s" },
                run.checks_passed
            );
            for f in &run.failures {
                let _ = writeln!(out, "{}", paint(&format!("  - FAIL: {f}"), colour));
            }
        }
    }
    match out_dir {
        Some(dir) => match export::write(&dir, &export::files(&run.world), force) {
            Ok(()) => {
                if !json {
                    let _ = writeln!(out, "Wrote each tenant's views to {}", dir.display());
                }
                run.exit_code() as u8
            }
            Err(e) => {
                let _ = out.flush();
                eprintln!("error: {e}");
                2
            }
        },
        None => run.exit_code() as u8,
    }
}

fn dir_not_empty(d: &Path) -> bool {
    std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some())
}
