//! Typed reading of a spanned TOML tree, so that every error can name the line and column of
//! the offending key or value and say what would be valid.

use crate::diag::{did_you_mean, Diagnostic};
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Keys whose text may span lines (a rule, an expression or a description written with
/// TOML's multi-line strings): they may hold newlines and tabs, no other control character.
pub const MULTI_LINE_KEYS: &[&str] = &["rule", "expression", "description", "filters"];

/// The file being read: its name (as given) and text.
#[derive(Clone, Copy)]
pub struct Src<'a> {
    /// File name for messages.
    pub file: &'a str,
    /// Full text.
    pub text: &'a str,
    /// Byte offset of the start of every line, for line numbers without rescanning.
    pub line_starts: &'a [usize],
}

/// The byte offsets at which the lines of `text` start.
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

impl<'a> Src<'a> {
    /// The 1-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    /// A diagnostic at `span`.
    pub fn err(&self, span: Range<usize>, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.file, self.text, span, msg)
    }
}

/// A table being read, with the context needed for messages.
pub struct Tbl<'a, 'i> {
    /// The source.
    pub src: Src<'a>,
    /// The table.
    pub t: &'a DeTable<'i>,
    /// Span of the whole table.
    pub span: Range<usize>,
    /// How to name it in messages, e.g. `[[step]] 3 (create-mto)`.
    pub what: String,
}

type R<T> = Result<T, Diagnostic>;

/// A string value with the span it came from.
pub type SpannedStr = (String, Range<usize>);

impl<'a, 'i> Tbl<'a, 'i> {
    /// Wraps a spanned table.
    pub fn new(src: Src<'a>, v: &'a Spanned<DeTable<'i>>, what: impl Into<String>) -> Self {
        Tbl {
            src,
            t: v.get_ref(),
            span: v.span(),
            what: what.into(),
        }
    }

    /// Wraps a spanned value that must be a table.
    pub fn from_value(src: Src<'a>, v: &'a Spanned<DeValue<'i>>, what: impl Into<String>) -> R<Self> {
        let what = what.into();
        match v.get_ref() {
            DeValue::Table(t) => Ok(Tbl {
                src,
                t,
                span: v.span(),
                what,
            }),
            other => Err(src
                .err(
                    v.span(),
                    format!("{what} must be a table, not {}", type_name(other)),
                )
                .help("write it as { key = value, ... } or as a [section]")),
        }
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.t.get(key)
    }

    /// The span of `key`'s value, or of the table when absent.
    pub fn span_of(&self, key: &str) -> Range<usize> {
        self.get(key).map_or(self.span.clone(), |v| v.span())
    }

    /// Refuses keys outside `allowed`, suggesting the closest one.
    pub fn allow_only(&self, allowed: &[&str]) -> R<()> {
        for (k, _) in self.t.iter() {
            if !allowed.contains(&k.get_ref().as_ref()) {
                let key: &str = k.get_ref();
                let mut d = self
                    .src
                    .err(k.span(), format!("unknown key `{key}` in {}", self.what));
                d = match did_you_mean(key, allowed.iter().copied()) {
                    Some(s) => d.help(format!(
                        "did you mean `{s}`? valid keys here: {}",
                        allowed.join(", ")
                    )),
                    None => d.help(format!("valid keys here: {}", allowed.join(", "))),
                };
                return Err(d);
            }
        }
        Ok(())
    }

    fn wrong(&self, key: &str, v: &Spanned<DeValue<'_>>, want: &str) -> Diagnostic {
        self.src.err(
            v.span(),
            format!(
                "`{key}` in {} must be {want}, not {}",
                self.what,
                type_name(v.get_ref())
            ),
        )
    }

    /// An optional string, with its span. No string holds a control character (a newline or tab
    /// only in [`MULTI_LINE_KEYS`]). Every string the format reads is at most
    /// `TEXT_LEN_MAX` bytes, except an `expression` (the mapping limit of 10,000 characters).
    pub fn str(&self, key: &str) -> R<Option<SpannedStr>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => {
                    self.short(key, s, v.span())?;
                    Ok(Some((s.to_string(), v.span())))
                }
                _ => Err(self.wrong(key, v, "a string")),
            },
        }
    }

    /// Refuses a string over its key's length cap.
    fn short(&self, key: &str, s: &str, span: Range<usize>) -> R<()> {
        let (max, name) = if key == "expression" {
            (
                4 * mtosim_engine::expr::EXPRESSION_CHARS_MAX,
                "EXPRESSION_CHARS_MAX",
            )
        } else {
            (mtosim_engine::limits::TEXT_LEN_MAX, "TEXT_LEN_MAX")
        };
        if s.len() > max {
            return Err(self.src.err(
                span,
                format!(
                    "`{key}` in {} is {} bytes, over {max} ({name})",
                    self.what,
                    s.len()
                ),
            ));
        }
        // names are printed on lines of their own kind: a newline or other control character
        // in one could forge narration ("Result: ok ..."); only texts that may span lines
        // keep newlines and tabs
        let multi_line = MULTI_LINE_KEYS.contains(&key);
        if let Some(c) = s.chars().find(|&c| {
            (c.is_control() && !(multi_line && matches!(c, '\n' | '\r' | '\t')))
                || matches!(c, '\u{2028}' | '\u{2029}')
        }) {
            return Err(self
                .src
                .err(
                    span,
                    format!(
                        "`{key}` in {} holds the control character U+{:04X}",
                        self.what, c as u32
                    ),
                )
                .help(if multi_line {
                    "only newlines and tabs may appear in it; remove the character"
                } else {
                    "write it on one line, without control characters"
                }));
        }
        Ok(())
    }

    /// A required string.
    pub fn req_str(&self, key: &str) -> R<SpannedStr> {
        self.str(key)?.ok_or_else(|| {
            self.src
                .err(self.span.clone(), format!("{} needs `{key}`", self.what))
                .help(format!("add {key} = \"...\""))
        })
    }

    /// An optional boolean.
    pub fn bool(&self, key: &str) -> R<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .get_ref()
                .as_bool()
                .map(Some)
                .ok_or_else(|| self.wrong(key, v, "true or false")),
        }
    }

    /// An optional non-negative integer, at most `max`.
    pub fn uint(&self, key: &str, max: u64) -> R<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                let n = match v.get_ref() {
                    DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
                    _ => return Err(self.wrong(key, v, "a whole number")),
                };
                match n {
                    Some(n) if n >= 0 && (n as u64) <= max => Ok(Some(n as u64)),
                    _ => Err(self.src.err(
                        v.span(),
                        format!("`{key}` in {} must be between 0 and {max}", self.what),
                    )),
                }
            }
        }
    }

    /// An optional fraction in [0, 1].
    pub fn fraction(&self, key: &str) -> R<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                let f = match v.get_ref() {
                    DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
                    DeValue::Integer(i) => i.as_str().parse::<f64>().ok(),
                    _ => return Err(self.wrong(key, v, "a number between 0 and 1")),
                };
                match f {
                    Some(f) if (0.0..=1.0).contains(&f) => Ok(Some(f)),
                    _ => Err(self.src.err(
                        v.span(),
                        format!("`{key}` in {} must be a fraction between 0 and 1", self.what),
                    )),
                }
            }
        }
    }

    /// An optional list of strings (a single string is accepted as a one-item list).
    pub fn str_list(&self, key: &str) -> R<Option<Vec<SpannedStr>>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => {
                    self.short(key, s, v.span())?;
                    Ok(Some(vec![(s.to_string(), v.span())]))
                }
                DeValue::Array(a) => {
                    let mut out = Vec::new();
                    for item in a.iter() {
                        match item.get_ref() {
                            DeValue::String(s) => {
                                self.short(key, s, item.span())?;
                                out.push((s.to_string(), item.span()))
                            }
                            _ => return Err(self.wrong(key, item, "a list of strings")),
                        }
                    }
                    Ok(Some(out))
                }
                _ => Err(self.wrong(key, v, "a list of strings")),
            },
        }
    }

    /// An optional array of tables (a single table is accepted as a one-item array).
    pub fn tables(&self, key: &str) -> R<Vec<Tbl<'a, 'i>>> {
        let what = |i: usize| {
            if self.what == "the file" {
                format!("[[{key}]] {}", i + 1)
            } else {
                format!("`{key}` entry {} of {}", i + 1, self.what)
            }
        };
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(v) => match v.get_ref() {
                DeValue::Table(_) => Ok(vec![Tbl::from_value(self.src, v, what(0))?]),
                DeValue::Array(a) => a
                    .iter()
                    .enumerate()
                    .map(|(i, item)| Tbl::from_value(self.src, item, what(i)))
                    .collect(),
                _ => Err(self.wrong(key, v, "a table or an array of tables")),
            },
        }
    }

    /// An optional sub-table.
    pub fn table(&self, key: &str) -> R<Option<Tbl<'a, 'i>>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => Tbl::from_value(self.src, v, format!("`{key}` of {}", self.what)).map(Some),
        }
    }
}

/// A human name for a TOML value's type.
pub fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}
