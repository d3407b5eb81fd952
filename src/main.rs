//! `mtosim`: the command-line entry point. Parses arguments, reads files, and maps outcomes
//! to exit codes (0 ok, 1 a check or expectation failed, 2 the input could not be used).

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use mtosim::{catalog, diag::Diagnostic, export, narrate, runner, scenario, summary};
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
    after_help = "Examples:\n  mtosim new my-scenario\n  mtosim run scenarios/seed-walkthrough.toml\n  mtosim run scenarios/cts-full-mesh.toml --out views/\n  mtosim explain MTO-37\n\nExit codes: 0 every check held; 1 a check or expect_error failed, or a step was refused unexpectedly; 2 the input could not be used."
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

fn print_diags(ds: &[Diagnostic]) {
    let on = colour_on(std::io::stderr().is_terminal());
    for d in ds {
        let text = d.to_string();
        if on {
            eprint!("{}", text.replacen("error:", "\x1b[1;31merror:\x1b[0m", 1));
        } else {
            eprint!("{text}");
        }
    }
    if ds.len() > 1 {
        eprintln!("{} problems.", ds.len());
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Check { file, lenient } => match load(&file, lenient) {
            Ok((sc, warnings)) => {
                print_diags(&warnings);
                let _ = writeln!(
                    out,
                    "{file}: ok: \"{}\", {} tenants, {} steps, rules {}",
                    sc.name,
                    sc.world.tenants.len(),
                    sc.steps.len(),
                    sc.world.rules.kind.name()
                );
                0
            }
            Err(ds) => {
                print_diags(&ds);
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
            if let Some(d) = out_dir.as_ref().filter(|d| !force && dir_not_empty(d)) {
                eprintln!(
                    "error: {} is not empty; choose an empty or new directory, or pass --force",
                    d.display()
                );
                return ExitCode::from(2);
            }
            match load(&file, lenient) {
                Err(ds) => {
                    print_diags(&ds);
                    2
                }
                Ok((mut sc, warnings)) => {
                    print_diags(&warnings);
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
                        let _ = writeln!(out, "  {s}");
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
            if path.exists() {
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
    let run = runner::run_with(sc, &mut |done, _| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    });
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
