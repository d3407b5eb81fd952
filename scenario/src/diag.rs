//! Diagnostics for unusable input: the file, line and column, the offending source line with
//! a caret under the column, and what would have been valid. Every such error makes
//! `mtosim` exit with code 2.

use std::fmt;
use std::ops::Range;

/// An error in an input file, located by byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would be valid, if there is something to say.
    pub help: Option<String>,
    /// The source line, for the caret display: at most [`SOURCE_LINE_CHARS_MAX`] characters
    /// of it around the column, `…` marking what was cut.
    pub source_line: String,
    /// Where the caret goes in `source_line`, in characters from its start.
    pub caret: u32,
    /// For a summary of problems not listed one by one (CSV_PROBLEMS_MAX), how many it stands
    /// for; 0 for a diagnostic of its own.
    pub more: u32,
}

/// The most characters of a source line a diagnostic echoes (a 2 MB line gives a short error).
pub const SOURCE_LINE_CHARS_MAX: usize = 160;

impl Diagnostic {
    /// A diagnostic at byte offset `span.start` of `text`.
    pub fn at(file: &str, text: &str, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let start = span.start.min(text.len());
        let before = &text[..floor_char_boundary(text, start)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let whole = text[line_start..line_end].trim_end_matches('\r');
        let (source_line, caret) = window(whole, column - 1);
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            help: None,
            source_line,
            caret: u32::try_from(caret).unwrap_or(u32::MAX),
            more: 0,
        }
    }

    /// A diagnostic about a whole file (line 1, column 1, no source line).
    pub fn file_level(file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: message.into(),
            help: None,
            source_line: String::new(),
            caret: 0,
            more: 0,
        }
    }

    /// A summary standing for `more` problems that are not listed one by one.
    pub fn summary(file: &str, more: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            more: u32::try_from(more).unwrap_or(u32::MAX),
            ..Diagnostic::file_level(file, message)
        }
    }

    /// How many problems this diagnostic stands for.
    pub fn count(&self) -> usize {
        if self.more > 0 {
            self.more as usize
        } else {
            1
        }
    }

    /// Adds what would have been valid.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        let help = help.into();
        self.help = Some(match self.spelling_in(&help) {
            Some(s) => format!("did you mean \"{s}\"? (spelled exactly so) {help}"),
            None => help,
        });
        self
    }

    /// For a message `unknown ... "VALUE"` whose help lists the valid values (quoted, or after
    /// "one of: "), the value the user meant when it differs only in case, `-`, `_` or spaces
    /// (`GA` for `ga`, `M365` for `m365`, `Active` for `active`).
    fn spelling_in(&self, help: &str) -> Option<String> {
        let rest = self.message.strip_prefix("unknown ")?;
        let value = rest.strip_suffix('"')?.rsplit_once('"')?.1;
        let norm = |s: &str| {
            s.chars()
                .filter(|c| !matches!(c, '-' | '_' | ' '))
                .flat_map(char::to_lowercase)
                .collect::<String>()
        };
        let quoted = help.split('"').skip(1).step_by(2);
        let listed = help
            .split_once("one of: ")
            .map(|(_, l)| l.split([',', ' ']).filter(|w| !w.is_empty()).collect::<Vec<_>>())
            .unwrap_or_default();
        let want = norm(value);
        quoted
            .chain(listed)
            .find(|c| *c != value && !want.is_empty() && norm(c) == want)
            .map(str::to_string)
    }
}

/// At most [`SOURCE_LINE_CHARS_MAX`] characters of `line` around character `col`, and where
/// `col` falls in them.
fn window(line: &str, col: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= SOURCE_LINE_CHARS_MAX {
        return (line.to_string(), col);
    }
    let from = col
        .saturating_sub(SOURCE_LINE_CHARS_MAX / 2)
        .min(n - SOURCE_LINE_CHARS_MAX);
    let mut out: String = if from > 0 {
        "…".to_string()
    } else {
        String::new()
    };
    out.extend(line.chars().skip(from).take(SOURCE_LINE_CHARS_MAX));
    if from + SOURCE_LINE_CHARS_MAX < n {
        out.push('…');
    }
    (out, col - from + usize::from(from > 0))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        writeln!(f, "  --> {}:{}:{}", self.file, self.line, self.column)?;
        if !self.source_line.is_empty() {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {}", self.source_line)?;
            let caret_pad: String = self
                .source_line
                .chars()
                .take(self.caret as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(f, "{pad} | {caret_pad}^")?;
        }
        if let Some(h) = &self.help {
            writeln!(f, "  = help: {h}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;

    #[test]
    fn a_long_line_is_echoed_around_the_column_only() {
        let line = format!("{}X{}", "a".repeat(1_000_000), "b".repeat(1_000_000));
        let d = Diagnostic::at("f", &line, 1_000_000..1_000_001, "m");
        assert_eq!(d.column, 1_000_001);
        assert!(d.source_line.chars().count() <= SOURCE_LINE_CHARS_MAX + 2);
        assert_eq!(d.source_line.chars().nth(d.caret as usize), Some('X'));
        let short = Diagnostic::at("f", "abc X", 4..5, "m");
        assert_eq!((short.source_line.as_str(), short.caret), ("abc X", 4));
    }
}

/// "did you mean" for `word` among `candidates` (Jaro-Winkler, best over 0.8).
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_spelled_in_another_case_get_the_spelling() {
        let d = |msg: &str, help: &str| {
            Diagnostic {
                file: "f.toml".into(),
                line: 1,
                column: 1,
                message: msg.into(),
                help: None,
                source_line: String::new(),
                caret: 0,
                more: 0,
            }
            .help(help)
            .help
            .unwrap()
        };
        assert_eq!(
            d(
                "unknown rule set \"GA\"",
                "rules is \"ga\" (default) or \"preview-2023\""
            ),
            "did you mean \"ga\"? (spelled exactly so) rules is \"ga\" (default) or \"preview-2023\""
        );
        assert!(
            d("unknown via \"M365\"", "via is \"graph\" (default) or \"m365\"")
                .starts_with("did you mean \"m365\"?")
        );
        assert!(d("unknown status \"Active\"", "one of: pending, active, removed")
            .starts_with("did you mean \"active\"?"));
        assert!(d(
            "unknown rule set \"Preview_2023\"",
            "rules is \"ga\" or \"preview-2023\""
        )
        .starts_with("did you mean \"preview-2023\"?"));
        // nothing to suggest: the help as it was
        assert_eq!(
            d("unknown via \"teams\"", "via is \"graph\" or \"m365\""),
            "via is \"graph\" or \"m365\""
        );
        assert_eq!(d("a tenant needs a name", "name = \"x\""), "name = \"x\"");
    }

    #[test]
    fn locates_line_and_column() {
        let text = "a = 1\nbb = \"x\"\n";
        let d = Diagnostic::at("f.toml", text, 11..12, "bad");
        assert_eq!((d.line, d.column), (2, 6));
        assert_eq!(d.source_line, "bb = \"x\"");
        let shown = d.to_string();
        assert!(shown.contains("--> f.toml:2:6"), "{shown}");
        assert!(shown.contains("2 | bb = \"x\"\n  |      ^"), "{shown}");
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(
            did_you_mean("create-mt", ["create-mto", "join"]),
            Some("create-mto")
        );
        assert_eq!(did_you_mean("zzz", ["create-mto", "join"]), None);
    }
}
