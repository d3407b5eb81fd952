//! `mtosim completions SHELL`: a shell completion script.

use crate::args::{Cli, CompletionsArgs};
use crate::exit::{Error, Exit};
use crate::out::Out;
use clap::CommandFactory;

/// Runs the command.
pub fn run(a: CompletionsArgs, out: &mut Out) -> Result<Exit, Error> {
    clap_complete::generate(a.shell, &mut Cli::command(), "mtosim", out.writer());
    Ok(Exit::Ok)
}
