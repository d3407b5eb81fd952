//! `mtosim new NAME`: a commented starter scenario.

use crate::args::NewArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;
use std::path::PathBuf;

/// Runs the command.
pub fn run(a: NewArgs, out: &mut Out) -> Result<Exit, Error> {
    let name = a.name;
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
        return Err(Error::Usage(format!(
            "\"{name}\" cannot name a scenario; use letters, digits, spaces, '-', '_' and '.', e.g. mtosim new acquisition"
        )));
    }
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; choose another name",
            path.display()
        )));
    }
    let text = include_str!("../starter.toml").replace("NAME", &title);
    crate::atomic::write_one(&path, &text).map_err(Error::Usage)?;
    out.line(&format!(
        "Wrote {}. Run it with: mtosim run {}",
        path.display(),
        shell_word(&path.display().to_string())
    ))?;
    Ok(Exit::Ok)
}

/// `s` as one POSIX shell word: as it is when it holds only safe characters, else in single
/// quotes (a single quote inside as `'\''`).
fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./+,:@%=".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_with_spaces_or_quotes_are_quoted_for_the_shell() {
        assert_eq!(super::shell_word("my-lab.toml"), "my-lab.toml");
        assert_eq!(super::shell_word("my lab.toml"), "'my lab.toml'");
        assert_eq!(super::shell_word("it's.toml"), "'it'\\''s.toml'");
    }
}
