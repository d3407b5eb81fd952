//! `mtosim`: the command-line entry point. Parses arguments, reads files, and maps outcomes
//! to exit codes (0 ok, 1 a check or expectation failed, 2 the input could not be used).

use clap::{Parser, Subcommand};
use mtosim::{diag::Diagnostic, narrate, runner, scenario, summary};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mtosim",
    version,
    about = "Offline simulator for Microsoft Entra multitenant organizations and cross-tenant synchronization",
    long_about = "Plays a scenario file (tenants, their users and policies, and a timeline of admin actions and checks) \
on a simulated clock, and narrates every outcome with the documented rule behind it. No tenant, no credentials, no network.",
    after_help = "Examples:\n  mtosim run scenarios/seed-walkthrough.toml\n  mtosim check scenarios/seed-walkthrough-ga.toml\n\nExit codes: 0 every check held; 1 a check or expect_error failed, or a step was refused unexpectedly; 2 the file could not be used."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and narrate what happens, then summarise every tenant.
    #[command(
        after_help = "Examples:\n  mtosim run scenarios/seed-walkthrough.toml\n  mtosim run scenarios/seed-walkthrough-ga.toml --out /tmp/ga-views"
    )]
    Run {
        /// The scenario file (TOML, see spec/scenario-format.md).
        file: String,
        /// Print only failures and the summary.
        #[arg(long, short)]
        quiet: bool,
        /// Write each tenant's Graph JSON view (MTO, member list, join request, templates,
        /// partner configurations) below this directory when the run ends.
        #[arg(long, value_name = "DIR")]
        out: Option<std::path::PathBuf>,
        /// Allow --out to write into a non-empty directory.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Validate a scenario file without running it.
    #[command(after_help = "Example:\n  mtosim check scenarios/seed-walkthrough.toml")]
    Check {
        /// The scenario file.
        file: String,
    },
}

/// Input files larger than this are refused before reading (bytes).
const INPUT_BYTES_MAX: u64 = scenario::SCENARIO_BYTES_MAX as u64;

fn read(file: &str) -> Result<String, Diagnostic> {
    let path = Path::new(file);
    let meta = std::fs::metadata(path)
        .map_err(|e| Diagnostic::file_level(file, format!("cannot read the file: {e}")))?;
    if meta.len() > INPUT_BYTES_MAX {
        return Err(Diagnostic::file_level(
            file,
            format!(
                "the file is {} bytes; at most {INPUT_BYTES_MAX} are read",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::file_level(file, format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        Diagnostic::at(
            file,
            &text,
            e.utf8_error().valid_up_to()..e.utf8_error().valid_up_to(),
            "the file is not valid UTF-8 here",
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

fn load(file: &str) -> Result<scenario::Scenario, Diagnostic> {
    scenario::load(file, &read(file)?)
}

fn dir_not_empty(d: &Path) -> bool {
    std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Check { file } => match load(&file) {
            Ok(sc) => {
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
            Err(d) => {
                let _ = out.flush();
                eprint!("{d}");
                2
            }
        },
        Command::Run {
            file,
            quiet,
            out: out_dir,
            force,
        } => match load(&file) {
            Err(d) => {
                eprint!("{d}");
                2
            }
            Ok(_) if out_dir.as_ref().is_some_and(|d| !force && dir_not_empty(d)) => {
                let d = out_dir.expect("checked");
                eprintln!(
                    "error: {} is not empty; choose an empty or new directory, or pass --force",
                    d.display()
                );
                2
            }
            Ok(mut sc) => {
                sc.world.log_provisioning = out_dir.is_some();
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
                let run = runner::run(sc);
                let _ = writeln!(out, "{header}");
                if !quiet {
                    let _ = writeln!(
                        out,
                        "{:<19}  {:<w$}  what happened  [rules]",
                        "time (UTC)", "tenant"
                    );
                    for l in &run.lines {
                        let _ = writeln!(out, "{l}");
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
                    let _ = writeln!(
                        out,
                        "Result: {} failure{} ({} checks held):",
                        run.failures.len(),
                        if run.failures.len() == 1 { "" } else { "s" },
                        run.checks_passed
                    );
                    for f in &run.failures {
                        let _ = writeln!(out, "  - {f}");
                    }
                }
                match out_dir {
                    Some(dir) => match mtosim::export::write(&dir, &mtosim::export::files(&run.world), force)
                    {
                        Ok(()) => {
                            let _ = writeln!(out, "Wrote each tenant's Graph JSON view to {}", dir.display());
                            run.exit_code()
                        }
                        Err(e) => {
                            let _ = out.flush();
                            eprintln!("error: {e}");
                            2
                        }
                    },
                    None => run.exit_code(),
                }
            }
        },
    };
    let _ = out.flush();
    ExitCode::from(code as u8)
}
