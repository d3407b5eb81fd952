//! `mtosim`: the command-line entry point. `main` parses the arguments and hands them to
//! [`run`], which dispatches to one subcommand (`cmd/`), and maps its outcome to an exit code:
//! 0 ok, 1 a check or expectation failed, 2 the input could not be used (see [`exit`]).

mod args;
mod atomic;
mod cmd;
mod exit;
mod import_fs;
mod out;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    exit::report(run(cli))
}

/// Runs one subcommand.
fn run(cli: args::Cli) -> Result<exit::Exit, exit::Error> {
    let mut out = out::Out::stdout();
    let exit = match cli.command {
        args::Command::Run(a) => cmd::run::run(a, &mut out)?,
        args::Command::Report(a) => cmd::run::report(a, &mut out)?,
        args::Command::Check(a) => cmd::check::run(a, &mut out)?,
        args::Command::Rules(a) => cmd::rules::run(a, &mut out)?,
        args::Command::Explain(a) => cmd::explain::run(a, &mut out)?,
        args::Command::Expr(a) => cmd::expr::run(a, &mut out)?,
        args::Command::New(a) => cmd::new::run(a, &mut out)?,
        args::Command::Whatif(a) => cmd::whatif::run(a, &mut out)?,
        args::Command::Explore(a) => cmd::explore::run(a, &mut out)?,
        args::Command::Import(a) => cmd::import::run(a, &mut out)?,
        args::Command::Doctor(a) => cmd::doctor::run(a, &mut out)?,
        args::Command::Serve(a) => cmd::serve::run(a, &mut out)?,
        args::Command::Completions(a) => cmd::completions::run(a, &mut out)?,
    };
    out.flush()?;
    Ok(exit)
}
