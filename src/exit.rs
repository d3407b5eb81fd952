//! Exit codes and the errors that end a command: every way out of `mtosim` goes through
//! [`report`], so codes are typed and messages are printed in one place.

use mtosim_scenario::diag::Diagnostic;
use std::io::IsTerminal;
use std::process::ExitCode;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: every check held (or nothing was checked).
    Ok,
    /// 1: a check or `expect_error` failed, a step was refused unexpectedly, or `explore`
    /// found a violation.
    Failed,
    /// 3: `explore` stopped at its state cap or work budget before checking any complete order: it proved
    /// nothing.
    Inconclusive,
}

impl Exit {
    /// [`Exit::Failed`] when `failed`, else [`Exit::Ok`].
    pub fn failed_if(failed: bool) -> Exit {
        if failed {
            Exit::Failed
        } else {
            Exit::Ok
        }
    }
}

/// Why a command could not do its work: all exit 2, except a closed output pipe.
#[derive(Debug)]
pub enum Error {
    /// The input could not be used: a message (printed as `error: ...`).
    Usage(String),
    /// The input could not be used: positioned diagnostics, printed as they are.
    Diagnostics(Vec<Diagnostic>),
    /// Standard output could not be written.
    Output(std::io::Error),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Output(e)
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set (<https://no-color.org>).
pub fn colour_on(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints diagnostics to stderr: as errors, or as warnings for CSV rows `--lenient` skipped.
pub fn print_diags(ds: &[Diagnostic], skipped: bool) {
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
        to_stderr(&text);
    }
    // a summary diagnostic stands for the rows it did not list (CSV_PROBLEMS_MAX)
    match (ds.iter().map(Diagnostic::count).sum::<usize>(), skipped) {
        (0, _) => {}
        (n, true) => to_stderr(&format!(
            "{n} CSV row{} skipped (--lenient).\n",
            if n == 1 { "" } else { "s" }
        )),
        (1, false) => {}
        (n, false) => to_stderr(&format!(
            "{n} problems. Unusable CSV rows can be skipped with --lenient.\n"
        )),
    }
}

/// Writes `text` to standard error; a standard error that cannot be written (`2>/dev/full`)
/// is not a reason to panic: the exit code still tells.
pub fn to_stderr(text: &str) {
    use std::io::Write;
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(text.as_bytes());
    let _ = e.flush();
}

/// The process exit code of a command's outcome, printing its error if any. A reader that
/// closed the pipe (`mtosim run x | head`) ends the command quietly with 0, as ripgrep does.
pub fn report(res: Result<Exit, Error>) -> ExitCode {
    match res {
        Ok(Exit::Ok) => ExitCode::SUCCESS,
        Ok(Exit::Failed) => ExitCode::from(1),
        Ok(Exit::Inconclusive) => ExitCode::from(3),
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Error::Output(e)) => {
            to_stderr(&format!("error: cannot write the output: {e}\n"));
            ExitCode::from(2)
        }
        Err(Error::Usage(m)) => {
            to_stderr(&format!("error: {m}\n"));
            ExitCode::from(2)
        }
        Err(Error::Diagnostics(ds)) => {
            print_diags(&ds, false);
            ExitCode::from(2)
        }
    }
}
