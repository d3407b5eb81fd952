//! The evaluator: one method per function, the value helpers they share, and Replace's
//! regex machinery (.NET substitutions and group numbering over the `regex` crate).

use super::{
    date, text, CompareMode, Context, EvalError, Func, Node, Op, Outcome, Value, REGEX_COMPILED_BYTES_MAX,
    VALUE_BYTES_MAX, VALUE_ITEMS_MAX,
};
use regex::{Captures, Regex, RegexBuilder};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Characters of a value quoted in an error message, at most.
const QUOTED_CHARS_MAX: usize = 60;
/// Values listed in SelectUniqueValue's error, at most.
const LISTED_VALUES_MAX: usize = 5;
/// Digits read after `$` in a replacement value, at most.
const GROUP_DIGITS_MAX: usize = 9;

/// Regexes compiled once, when they were string constants of the parsed text.
pub(crate) type Regexes = [(String, Regex)];

pub(crate) fn eval(root: &Node, regexes: &Regexes, ctx: &mut dyn Context) -> Result<Outcome, EvalError> {
    let mut ev = Evaluator {
        ctx,
        regexes,
        dropped: false,
    };
    let value = normalize(ev.node(root)?);
    let flows = !ev.dropped && !value.is_null();
    Ok(Outcome { value, flows })
}

fn fail<T>(message: String) -> Result<T, EvalError> {
    Err(EvalError { message })
}

fn error(message: String) -> EvalError {
    EvalError { message }
}

/// A value for an error message: quoted, and cut at [`QUOTED_CHARS_MAX`] characters.
pub(crate) fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTED_CHARS_MAX) {
        Some((i, _)) => format!("\"{}…\"", &s[..i]),
        None => format!("\"{s}\""),
    }
}

fn normalize(v: Value) -> Value {
    match v {
        Value::Multi(v) if v.is_empty() => Value::Null,
        v => v,
    }
}

fn boolean(b: bool) -> Value {
    Value::Str(if b { "True" } else { "False" }.to_string())
}

fn check_size(v: &Value, what: &dyn Fn() -> String) -> Result<(), EvalError> {
    let items = v.strings();
    if items.len() > VALUE_ITEMS_MAX {
        return fail(format!(
            "{} has {} values, more than the {VALUE_ITEMS_MAX} a value may have",
            what(),
            items.len()
        ));
    }
    let bytes: usize = items.iter().map(String::len).sum();
    if bytes > VALUE_BYTES_MAX {
        return fail(format!(
            "{} is {bytes} bytes long, more than the {VALUE_BYTES_MAX} a value may have",
            what()
        ));
    }
    Ok(())
}

/// Appends `s` to `out` unless that would pass [`VALUE_BYTES_MAX`].
fn push(out: &mut String, s: &str, what: &str) -> Result<(), EvalError> {
    if out.len().saturating_add(s.len()) > VALUE_BYTES_MAX {
        return fail(format!(
            "{what} would make a value longer than {VALUE_BYTES_MAX} bytes"
        ));
    }
    out.push_str(s);
    Ok(())
}

/// Applies `f` to each string of a value; null stays null.
fn map(v: Value, mut f: impl FnMut(&str) -> Result<String, EvalError>) -> Result<Value, EvalError> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Str(s) => Value::Str(f(&s)?),
        Value::Multi(vs) => {
            let mut out = Vec::with_capacity(vs.len());
            let mut total = 0usize;
            for s in &vs {
                let r = f(s)?;
                total = total.saturating_add(r.len());
                if total > VALUE_BYTES_MAX {
                    return fail(format!(
                        "a multi-valued result would be longer than {VALUE_BYTES_MAX} bytes"
                    ));
                }
                out.push(r);
            }
            Value::Multi(out)
        }
    })
}

/// A value that must be one string: a list of one is that string, a longer list is `Err`
/// with its length.
fn single(v: Value) -> Result<Option<String>, usize> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => Ok(Some(s)),
        Value::Multi(mut v) => match v.len() {
            0 => Ok(None),
            1 => Ok(v.pop()),
            n => Err(n),
        },
    }
}

fn given(args: &[Node], i: usize) -> bool {
    matches!(args.get(i), Some(n) if *n != Node::Empty)
}

fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A whole number: decimal with an optional sign, or VB hex `&H…`; surrounding whitespace is
/// ignored.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(h) = t.strip_prefix("&H").or_else(|| t.strip_prefix("&h")) {
        if h.is_empty() || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return i64::from_str_radix(h, 16).ok();
    }
    t.parse().ok()
}

/// A decimal number without exponent (`-1.5`, `.5`, `3.`).
fn parse_decimal(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Truth as IIF, Not and CBool read it: `True` in any case, or a non-zero number.
pub(crate) fn truthy(s: &str) -> bool {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        return true;
    }
    if let Some(n) = parse_int(t) {
        return n != 0;
    }
    parse_decimal(t).is_some_and(|d| d != 0.0)
}

/// How two strings order in a comparison: as numbers, as dates, or as strings.
fn order(a: &str, b: &str) -> Ordering {
    if let (Some(x), Some(y)) = (parse_int(a), parse_int(b)) {
        return x.cmp(&y);
    }
    if let (Some(x), Some(y)) = (parse_decimal(a), parse_decimal(b)) {
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    if let (Ok(x), Ok(y)) = (date::parse_loose(a), date::parse_loose(b)) {
        return x.cmp(&y);
    }
    a.cmp(b)
}

/// InStr's compareType given as a string.
pub(crate) fn compare_mode(s: &str) -> Result<CompareMode, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("vbTextCompare") || t == "1" {
        Ok(CompareMode::Text)
    } else if t.eq_ignore_ascii_case("vbBinaryCompare") || t == "0" {
        Ok(CompareMode::Binary)
    } else {
        Err(format!(
            "InStr's compareType is vbTextCompare or vbBinaryCompare (or 1 or 0), not {}",
            quote(s)
        ))
    }
}

/// Which of Replace's documented parameter combinations a call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReplaceMode {
    /// oldValue + replacementValue.
    Old,
    /// oldValue + template.
    Template,
    /// regexPattern + regexGroupName + replacementValue.
    Group,
    /// regexPattern + regexGroupName + replacementAttributeName.
    GroupFromAttribute,
    /// regexPattern + replacementValue.
    Regex,
}

/// The first combination the given arguments (0-based positions) satisfy, in the order of
/// [`ReplaceMode`]'s variants.
pub(crate) fn replace_mode(given: &dyn Fn(usize) -> bool) -> Option<ReplaceMode> {
    let (old, pattern, group, value, attribute, template) =
        (given(1), given(2), given(3), given(4), given(5), given(6));
    if old && value {
        Some(ReplaceMode::Old)
    } else if old && template {
        Some(ReplaceMode::Template)
    } else if pattern && group && value {
        Some(ReplaceMode::Group)
    } else if pattern && group && attribute {
        Some(ReplaceMode::GroupFromAttribute)
    } else if pattern && value {
        Some(ReplaceMode::Regex)
    } else {
        None
    }
}

impl ReplaceMode {
    /// Whether the combination reads the argument at 0-based position `i`.
    fn uses(self, i: usize) -> bool {
        let used: &[usize] = match self {
            ReplaceMode::Old => &[1, 4],
            ReplaceMode::Template => &[1, 6],
            ReplaceMode::Group => &[2, 3, 4],
            ReplaceMode::GroupFromAttribute => &[2, 3, 5],
            ReplaceMode::Regex => &[2, 4],
        };
        used.contains(&i)
    }
}

/// Replace on evaluated arguments (`values[i]` for position `i`; the source apart).
fn replace_values(
    mode: ReplaceMode,
    src: Value,
    values: &[Option<String>; 7],
    regexes: &Regexes,
) -> Result<Value, EvalError> {
    let text = |i: usize| values[i].as_deref().unwrap_or("");
    let regex = || -> Result<Regex, EvalError> {
        let Some(p) = values[2].as_deref() else {
            return fail("Replace's regexPattern is null".into());
        };
        match regexes.iter().find(|(q, _)| q == p) {
            Some((_, re)) => Ok(re.clone()),
            None => compile_regex(p).map_err(error),
        }
    };
    let group = |re: &Regex| {
        find_group(re, text(3)).ok_or_else(|| {
            error(format!(
                "Replace's regexPattern has no group named {}",
                quote(text(3))
            ))
        })
    };
    match mode {
        ReplaceMode::Old => map(src, |s| replace_all(s, text(1), text(4))),
        ReplaceMode::Template => map(src, |s| replace_all(text(6), text(1), s)),
        ReplaceMode::Regex => {
            let re = regex()?;
            map(src, |s| regex_replace(&re, s, text(4), None))
        }
        ReplaceMode::Group => {
            let re = regex()?;
            let g = group(&re)?;
            map(src, |s| regex_replace(&re, s, text(4), Some(g)))
        }
        ReplaceMode::GroupFromAttribute => {
            let re = regex()?;
            let g = group(&re)?;
            let found = values[5]
                .as_deref()
                .and_then(|o| re.captures(o))
                .and_then(|c| c.get(g));
            Ok(found.map_or(Value::Null, |m| Value::Str(m.as_str().to_string())))
        }
    }
}

/// Compiles a Replace regexPattern within [`REGEX_COMPILED_BYTES_MAX`].
pub(crate) fn compile_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_COMPILED_BYTES_MAX)
        .dfa_size_limit(REGEX_COMPILED_BYTES_MAX)
        .build()
        .map_err(|e| {
            let msg = e.to_string();
            let last = msg
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim();
            let last = last.strip_prefix("error: ").unwrap_or(last);
            format!(
                "Replace's regexPattern {} is not a regular expression this engine runs: {last}",
                quote(pattern)
            )
        })
}

/// Group indexes in .NET's numbering: `[0]` is the whole match, then unnamed groups in
/// order, then named groups in order; each entry is the `regex` crate's index.
fn dotnet_groups(re: &Regex) -> Vec<usize> {
    let names: Vec<Option<&str>> = re.capture_names().collect();
    let mut out = vec![0];
    out.extend((1..names.len()).filter(|&i| names[i].is_none()));
    out.extend((1..names.len()).filter(|&i| names[i].is_some()));
    out
}

/// The `regex` index of a group given by name or by .NET number.
pub(crate) fn find_group(re: &Regex, key: &str) -> Option<usize> {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        let k: usize = key.parse().ok()?;
        return dotnet_groups(re).get(k).copied();
    }
    re.capture_names().position(|n| n == Some(key))
}

/// Appends a .NET replacement pattern expanded for one match: `$$`, `${name}`, `${n}`, `$n`
/// (the longest digit run that names a group), `$&`, `` $` ``, `$'`, `$+` and `$_`; any
/// other `$` is literal.
fn expand(
    rep: &str,
    caps: &Captures<'_>,
    re: &Regex,
    groups: &[usize],
    input: &str,
    out: &mut String,
) -> Result<(), EvalError> {
    let whole = caps.get(0).map_or((0, 0), |m| (m.start(), m.end()));
    let text_of = |idx: usize| caps.get(idx).map_or("", |m| m.as_str());
    let mut i = 0;
    while i < rep.len() {
        let rest = &rep[i..];
        let Some(dollar) = rest.find('$') else {
            return push(out, rest, "Replace's replacement");
        };
        push(out, &rest[..dollar], "Replace's replacement")?;
        i += dollar;
        let after = &rep[i + 1..];
        let (piece, used): (&str, usize) = match after.as_bytes().first() {
            Some(b'$') => ("$", 2),
            Some(b'&') => (text_of(0), 2),
            Some(b'`') => (input.get(..whole.0).unwrap_or(""), 2),
            Some(b'\'') => (input.get(whole.1..).unwrap_or(""), 2),
            Some(b'+') => (text_of(groups.last().copied().unwrap_or(0)), 2),
            Some(b'_') => (input, 2),
            Some(b'{') => match after
                .find('}')
                .and_then(|c| find_group(re, &after[1..c]).map(|g| (c, g)))
            {
                Some((c, g)) => (text_of(g), c + 2),
                None => ("$", 1),
            },
            Some(d) if d.is_ascii_digit() => {
                let run = after
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count()
                    .min(GROUP_DIGITS_MAX);
                let best = (1..=run).rev().find_map(|n| {
                    after[..n]
                        .parse::<usize>()
                        .ok()
                        .filter(|k| *k < groups.len())
                        .map(|k| (n, k))
                });
                match best {
                    Some((n, k)) => (text_of(groups[k]), n + 1),
                    None => ("$", 1),
                }
            }
            _ => ("$", 1),
        };
        push(out, piece, "Replace's replacement")?;
        i += used;
    }
    Ok(())
}

/// .NET `Regex.Replace`: every match, or with `group` only that group's span in each match,
/// replaced by the expanded replacement.
fn regex_replace(re: &Regex, s: &str, rep: &str, group: Option<usize>) -> Result<String, EvalError> {
    let groups = dotnet_groups(re);
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let target = match group {
            None => caps.get(0),
            Some(g) => caps.get(g),
        };
        let Some(m) = target else { continue };
        if m.start() < last {
            continue;
        }
        push(&mut out, &s[last..m.start()], "Replace")?;
        expand(rep, &caps, re, &groups, s, &mut out)?;
        last = m.end();
    }
    push(&mut out, &s[last..], "Replace")?;
    Ok(out)
}

/// String.Replace: every occurrence of `old` in `s` by `new` (an empty `old` replaces
/// nothing).
fn replace_all(s: &str, old: &str, new: &str) -> Result<String, EvalError> {
    if old.is_empty() {
        return Ok(s.to_string());
    }
    let count = s.matches(old).count();
    let len = (s.len() - count * old.len()).saturating_add(count.saturating_mul(new.len()));
    if len > VALUE_BYTES_MAX {
        return fail(format!(
            "Replace would make a value of {len} bytes, more than {VALUE_BYTES_MAX}"
        ));
    }
    Ok(s.replace(old, new))
}

fn instr(s1: &str, s2: &str, start: i64, mode: CompareMode) -> i64 {
    let (hay, needle) = match mode {
        CompareMode::Text => (text::fold_case(s1), text::fold_case(s2)),
        CompareMode::Binary => (s1.to_string(), s2.to_string()),
    };
    let len = i64::try_from(hay.chars().count()).unwrap_or(i64::MAX);
    if hay.is_empty() || start > len {
        return 0;
    }
    if needle.is_empty() {
        return start;
    }
    let from = hay
        .char_indices()
        .nth(to_usize(start - 1))
        .map_or(hay.len(), |(b, _)| b);
    match hay[from..].find(&needle) {
        Some(p) => start + i64::try_from(hay[from..from + p].chars().count()).unwrap_or(0),
        None => 0,
    }
}

fn word(s: Option<&str>, n: i64, delimiters: &str) -> String {
    let Some(s) = s else { return String::new() };
    if n < 1 {
        return String::new();
    }
    let set = text::char_set(delimiters);
    s.split(|c: char| set.binary_search(&c).is_ok())
        .filter(|w| !w.is_empty())
        .nth(to_usize(n - 1))
        .unwrap_or("")
        .to_string()
}

struct Evaluator<'a> {
    ctx: &'a mut dyn Context,
    regexes: &'a Regexes,
    dropped: bool,
}

impl Evaluator<'_> {
    fn node(&mut self, n: &Node) -> Result<Value, EvalError> {
        match n {
            Node::Str(s) => Ok(Value::Str(s.clone())),
            Node::Num(v) => Ok(Value::Str(v.to_string())),
            Node::Attr(a) => self.attr(a),
            Node::Mode(m) => Ok(Value::Str(m.name().to_string())),
            Node::Empty => Ok(Value::Null),
            Node::Cmp(op, l, r) => self.compare(*op, l, r),
            Node::Call(f, args) => {
                let v = normalize(self.call(*f, args)?);
                check_size(&v, &|| format!("the value of {}", f.name()))?;
                Ok(v)
            }
        }
    }

    fn attr(&mut self, name: &str) -> Result<Value, EvalError> {
        let v = normalize(self.ctx.attribute(name).unwrap_or(Value::Null));
        check_size(&v, &|| format!("the attribute [{name}]"))?;
        Ok(v)
    }

    fn arg(&mut self, args: &[Node], i: usize) -> Result<Value, EvalError> {
        match args.get(i) {
            Some(n) => self.node(n),
            None => Ok(Value::Null),
        }
    }

    /// Argument `i` as one string (None for null).
    fn scalar(&mut self, f: Func, args: &[Node], i: usize) -> Result<Option<String>, EvalError> {
        let v = self.arg(args, i)?;
        single(v).map_err(|n| {
            error(format!(
                "{} takes one value for {}, not a multi-valued value of {n} values",
                f.name(),
                f.spec().param(i + 1)
            ))
        })
    }

    /// Argument `i` as a string, null being "".
    fn text(&mut self, f: Func, args: &[Node], i: usize) -> Result<String, EvalError> {
        Ok(self.scalar(f, args, i)?.unwrap_or_default())
    }

    /// Argument `i`, which must not be null.
    fn required(&mut self, f: Func, args: &[Node], i: usize) -> Result<String, EvalError> {
        match self.scalar(f, args, i)? {
            Some(s) => Ok(s),
            None => fail(format!("{}'s {} is null", f.name(), f.spec().param(i + 1))),
        }
    }

    /// Argument `i` as a whole number.
    fn int(&mut self, f: Func, args: &[Node], i: usize) -> Result<i64, EvalError> {
        let s = self.scalar(f, args, i)?;
        match s.as_deref().and_then(parse_int) {
            Some(n) => Ok(n),
            None => fail(format!(
                "{} needs a whole number for {}, not {}",
                f.name(),
                f.spec().param(i + 1),
                s.as_deref().map_or_else(|| "null".to_string(), quote)
            )),
        }
    }

    /// Argument `i` as a number, truncated toward zero (VB's Fix), for DateAdd.
    fn number(&mut self, f: Func, args: &[Node], i: usize) -> Result<i64, EvalError> {
        let s = self.required(f, args, i)?;
        if let Some(n) = parse_int(&s) {
            return Ok(n);
        }
        match parse_decimal(&s).map(f64::trunc) {
            Some(d) if d.abs() < 9.0e18 => Ok(d as i64),
            _ => fail(format!(
                "{} needs a number for {}, not {}",
                f.name(),
                f.spec().param(i + 1),
                quote(&s)
            )),
        }
    }

    fn date(&self, f: Func, s: &str) -> Result<i64, EvalError> {
        date::parse_loose(s).map_err(|m| error(format!("{}: {m}", f.name())))
    }

    /// IIF's documented limitation: the condition fails when an attribute it reads is null or
    /// empty.
    fn condition_fails(&mut self, cond: Option<&Node>) -> Result<bool, EvalError> {
        let mut names: Vec<String> = Vec::new();
        if let Some(c) = cond {
            c.walk(&mut |n| {
                if let Node::Attr(a) = n {
                    names.push(a.clone());
                }
            });
        }
        for a in &names {
            if self.attr(a)?.is_null_or_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn compare(&mut self, op: Op, l: &Node, r: &Node) -> Result<Value, EvalError> {
        let mut side = |n: &Node| -> Result<String, EvalError> {
            let v = self.node(n)?;
            single(v).map(Option::unwrap_or_default).map_err(|k| {
                error(format!(
                    "'{}' compares single values, not a multi-valued value of {k} values",
                    op.text()
                ))
            })
        };
        let a = side(l)?;
        let b = side(r)?;
        let o = order(&a, &b);
        Ok(boolean(match op {
            Op::Eq => o == Ordering::Equal,
            Op::Ne => o != Ordering::Equal,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
        }))
    }

    /// Dispatches to one method per function, so that each level of nesting costs only the
    /// frames of the functions on its path.
    fn call(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        match f {
            Func::Append => self.f_append(f, args),
            Func::AppRoleAssignmentsComplex => self.f_app_role_assignments_complex(f, args),
            Func::SingleAppRoleAssignment => self.f_single_app_role_assignment(f, args),
            Func::BitAnd => self.f_bit_and(f, args),
            Func::CBool => self.f_cbool(f, args),
            Func::CDate => self.f_cdate(f, args),
            Func::Coalesce => self.f_coalesce(f, args),
            Func::ConvertToBase64 => self.f_convert_to_base64(f, args),
            Func::ConvertToUtf8Hex => self.f_convert_to_utf8_hex(f, args),
            Func::Count => self.f_count(f, args),
            Func::CStr | Func::Redact => self.f_identity(f, args),
            Func::DateAdd => self.f_date_add(f, args),
            Func::DateDiff => self.f_date_diff(f, args),
            Func::DateFromNum => self.f_date_from_num(f, args),
            Func::FormatDateTime => self.f_format_date_time(f, args),
            Func::Guid => self.f_guid(f, args),
            Func::IgnoreFlowIfNullOrEmpty => self.f_ignore_flow_if_null_or_empty(f, args),
            Func::Iif => self.f_iif(f, args),
            Func::InStr => self.f_instr(f, args),
            Func::IsNull => self.f_is_null(f, args),
            Func::IsNullOrEmpty => self.f_is_null_or_empty(f, args),
            Func::IsPresent => self.f_is_present(f, args),
            Func::IsString => self.f_is_string(f, args),
            Func::Item => self.f_item(f, args),
            Func::Join => self.f_join(f, args),
            Func::Left => self.f_left(f, args),
            Func::Mid => self.f_mid(f, args),
            Func::NormalizeDiacritics => self.f_normalize_diacritics(f, args),
            Func::Not => self.f_not(f, args),
            Func::Now => self.f_now(f, args),
            Func::NumFromDate => self.f_num_from_date(f, args),
            Func::PCase => self.f_pcase(f, args),
            Func::RandomString => self.f_random_string(f, args),
            Func::RemoveDuplicates => self.f_remove_duplicates(f, args),
            Func::Replace => self.replace(args),
            Func::SelectUniqueValue => self.f_select_unique_value(f, args),
            Func::Split => self.f_split(f, args),
            Func::StripSpaces => self.f_strip_spaces(f, args),
            Func::Switch => self.f_switch(f, args),
            Func::ToLower | Func::ToUpper => self.f_casing(f, args),
            Func::Word => self.f_word(f, args),
            Func::AltSecIdFromNetId => self.f_alt_sec_id_from_net_id(f, args),
        }
    }

    fn f_append(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let name = f.name();
        let src = self.arg(args, 0)?;
        let suffix = self.text(f, args, 1)?;
        map(src, |s| {
            let mut out = s.to_string();
            push(&mut out, &suffix, name)?;
            Ok(out)
        })
    }

    fn f_app_role_assignments_complex(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(match self.arg(args, 0)? {
            Value::Str(s) => Value::Multi(vec![s]),
            v => v,
        })
    }

    fn f_single_app_role_assignment(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(match self.arg(args, 0)? {
            Value::Multi(v) => v.into_iter().next().map_or(Value::Null, Value::Str),
            v => v,
        })
    }

    fn f_bit_and(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let a = self.int(f, args, 0)?;
        let b = self.int(f, args, 1)?;
        Ok(Value::Str((a & b).to_string()))
    }

    fn f_cbool(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(boolean(self.scalar(f, args, 0)?.as_deref().is_some_and(truthy)))
    }

    fn f_cdate(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let v = self.arg(args, 0)?;
        map(v, |s| Ok(date::format_general(self.date(f, s)?)))
    }

    fn f_coalesce(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        for a in args {
            let v = self.node(a)?;
            if !v.is_null() {
                return Ok(v);
            }
        }
        Ok(Value::Null)
    }

    fn f_convert_to_base64(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        map(self.arg(args, 0)?, |s| Ok(text::base64_utf16le(s)))
    }

    fn f_convert_to_utf8_hex(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        map(self.arg(args, 0)?, |s| Ok(text::utf8_hex(s)))
    }

    fn f_count(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(Value::Str(self.arg(args, 0)?.strings().len().to_string()))
    }

    fn f_identity(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        self.arg(args, 0)
    }

    fn f_date_add(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let interval = self.required(f, args, 0)?;
        let interval = date::Interval::parse(&interval).map_err(|m| error(format!("DateAdd: {m}")))?;
        let n = self.number(f, args, 1)?;
        let Some(d) = self.scalar(f, args, 2)? else {
            return Ok(Value::Null);
        };
        let t = self.date(f, &d)?;
        match date::add(interval, n, t) {
            Some(r) => Ok(Value::Str(date::format_general(r))),
            None => fail(format!(
                "DateAdd: adding {n} {} to {} leaves the years 1 to 9999",
                interval.unit(),
                quote(&d)
            )),
        }
    }

    fn f_date_diff(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let interval = self.required(f, args, 0)?;
        let interval = date::Interval::parse(&interval).map_err(|m| error(format!("DateDiff: {m}")))?;
        let d1 = self.scalar(f, args, 1)?;
        let d2 = self.scalar(f, args, 2)?;
        let (Some(d1), Some(d2)) = (d1, d2) else {
            return Ok(Value::Null);
        };
        let (t1, t2) = (self.date(f, &d1)?, self.date(f, &d2)?);
        Ok(Value::Str(date::diff(interval, t1, t2).to_string()))
    }

    fn f_date_from_num(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        map(self.arg(args, 0)?, |s| {
            let n = parse_int(s)
                .ok_or_else(|| error(format!("DateFromNum needs an AD date number, not {}", quote(s))))?;
            match date::from_filetime(n) {
                Some(t) => Ok(date::format_general(t)),
                None => fail(format!(
                    "DateFromNum: {n} is not an AD date between the years 1601 and 9999"
                )),
            }
        })
    }

    fn f_format_date_time(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let src = self.arg(args, 0)?;
        let styles = match self.scalar(f, args, 1)? {
            Some(s) if !s.trim().is_empty() => {
                date::Styles::parse(&s).map_err(|m| error(format!("FormatDateTime: {m}")))?
            }
            _ => date::Styles::default(),
        };
        let input = self.required(f, args, 2)?;
        let output = self.required(f, args, 3)?;
        let now = date::from_unix(self.ctx.now());
        map(src, |s| {
            let dt = date::parse_exact(s, &input, styles, now)
                .map_err(|m| error(format!("FormatDateTime: {m}")))?;
            date::format(dt, &output).map_err(|m| error(format!("FormatDateTime's outputFormat: {m}")))
        })
    }

    fn f_guid(&mut self, _f: Func, _args: &[Node]) -> Result<Value, EvalError> {
        let (a, b) = (self.ctx.random(), self.ctx.random());
        Ok(Value::Str(text::guid(a, b)))
    }

    fn f_ignore_flow_if_null_or_empty(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let v = self.arg(args, 0)?;
        if v.is_null_or_empty() {
            self.dropped = true;
        }
        Ok(v)
    }

    fn f_iif(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        if self.condition_fails(args.first())? {
            return Ok(Value::Null);
        }
        let c = self.scalar(f, args, 0)?;
        let branch = if c.as_deref().is_some_and(truthy) { 1 } else { 2 };
        self.arg(args, branch)
    }

    fn f_instr(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let s1 = self.text(f, args, 0)?;
        let s2 = self.text(f, args, 1)?;
        let start = if given(args, 2) { self.int(f, args, 2)? } else { 1 };
        let mode = match args.get(3) {
            Some(Node::Mode(m)) => *m,
            Some(n) if *n != Node::Empty => match self.scalar(f, args, 3)? {
                Some(s) => compare_mode(&s).map_err(error)?,
                None => CompareMode::Binary,
            },
            _ => CompareMode::Binary,
        };
        if start < 1 {
            return fail(format!(
                "InStr's start is 1-based and must be at least 1, not {start}"
            ));
        }
        Ok(Value::Str(instr(&s1, &s2, start, mode).to_string()))
    }

    fn f_is_null(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(boolean(self.arg(args, 0)?.is_null()))
    }

    fn f_is_null_or_empty(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(boolean(self.arg(args, 0)?.is_null_or_empty()))
    }

    fn f_is_present(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(boolean(!self.arg(args, 0)?.is_null_or_empty()))
    }

    fn f_is_string(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(boolean(matches!(self.arg(args, 0)?, Value::Str(_))))
    }

    fn f_item(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let v = self.arg(args, 0)?;
        let index = self.int(f, args, 1)?;
        if index < 1 {
            return fail(format!(
                "Item's index starts at 1 (the page: \"Index 0 shouldn't be used\"), not {index}"
            ));
        }
        Ok(v.strings()
            .get(to_usize(index - 1))
            .cloned()
            .map_or(Value::Null, Value::Str))
    }

    fn f_join(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let name = f.name();
        let sep = self.text(f, args, 0)?;
        let mut out = String::new();
        let mut first = true;
        for a in args.get(1..).unwrap_or(&[]) {
            let v = self.node(a)?;
            for s in v.strings().iter().filter(|s| !s.is_empty()) {
                if !first {
                    push(&mut out, &sep, name)?;
                }
                push(&mut out, s, name)?;
                first = false;
            }
        }
        Ok(Value::Str(out))
    }

    fn f_left(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let v = self.arg(args, 0)?;
        let n = self.int(f, args, 1)?;
        if v.is_null() {
            return Ok(Value::Str(String::new()));
        }
        map(v, |s| {
            Ok(match n {
                0 => String::new(),
                n if n < 0 => s.to_string(),
                n => s.chars().take(to_usize(n)).collect(),
            })
        })
    }

    fn f_mid(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let v = self.arg(args, 0)?;
        let start = self.int(f, args, 1)?;
        let len = self.int(f, args, 2)?;
        if start < 1 {
            return fail(format!(
                "Mid's start is 1-based (the first character is 1), not {start}"
            ));
        }
        if len < 0 {
            return fail(format!("Mid's length can't be negative, as {len} is"));
        }
        map(v, |s| {
            Ok(s.chars().skip(to_usize(start - 1)).take(to_usize(len)).collect())
        })
    }

    fn f_normalize_diacritics(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        map(self.arg(args, 0)?, |s| Ok(text::normalize_diacritics(s)))
    }

    fn f_not(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(boolean(!self.scalar(f, args, 0)?.as_deref().is_some_and(truthy)))
    }

    fn f_now(&mut self, _f: Func, _args: &[Node]) -> Result<Value, EvalError> {
        match date::from_unix(self.ctx.now()) {
            Some(t) => Ok(Value::Str(date::format_general(t))),
            None => fail("Now: the simulated clock is outside the years 1 to 9999".into()),
        }
    }

    fn f_num_from_date(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        map(self.arg(args, 0)?, |s| {
            let t = self.date(f, s)?;
            match date::to_filetime(t) {
                Some(n) => Ok(n.to_string()),
                None => fail(format!(
                    "NumFromDate: {} is before 1601, the start of AD's dates",
                    quote(s)
                )),
            }
        })
    }

    fn f_pcase(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let v = self.arg(args, 0)?;
        let seps = if given(args, 1) {
            self.scalar(f, args, 1)?.filter(|s| !s.is_empty())
        } else {
            None
        };
        map(v, |s| Ok(text::pcase(s, seps.as_deref())))
    }

    fn f_random_string(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let mut n = [0i64; 5];
        for (i, slot) in n.iter_mut().enumerate() {
            *slot = self.int(f, args, i)?;
        }
        let avoid = if given(args, 5) {
            self.text(f, args, 5)?
        } else {
            String::new()
        };
        let ctx = &mut *self.ctx;
        text::random_string(n, &avoid, &mut || ctx.random())
            .map(Value::Str)
            .map_err(|m| error(format!("RandomString: {m}")))
    }

    fn f_remove_duplicates(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(match self.arg(args, 0)? {
            Value::Multi(vs) => {
                let mut seen: BTreeSet<String> = BTreeSet::new();
                Value::Multi(vs.into_iter().filter(|s| seen.insert(s.clone())).collect())
            }
            v => v,
        })
    }

    fn f_select_unique_value(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let mut tried: Vec<String> = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let v = self.node(a)?;
            let s = single(v).map_err(|n| {
                error(format!(
                    "SelectUniqueValue's rule {} gave a multi-valued value of {n} values",
                    i + 1
                ))
            })?;
            let Some(s) = s.filter(|s| !s.is_empty()) else {
                continue;
            };
            if !self.ctx.exists(&s) {
                return Ok(Value::Str(s));
            }
            tried.push(s);
        }
        let listed: Vec<String> = tried.iter().take(LISTED_VALUES_MAX).map(|s| quote(s)).collect();
        let more = if tried.len() > LISTED_VALUES_MAX {
            ", …"
        } else {
            ""
        };
        fail(format!(
                "SelectUniqueValue found no unique value: {} already exist{} in the target{more}, so the entry is escrowed",
                if listed.is_empty() { "no rule gave a value and nothing".to_string() } else { listed.join(", ") },
                if tried.len() == 1 { "s" } else { "" }
            ))
    }

    fn f_split(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let v = self.arg(args, 0)?;
        let delim = self.text(f, args, 1)?;
        let mut out: Vec<String> = Vec::new();
        for s in v.strings() {
            let parts: Box<dyn Iterator<Item = &str>> = if delim.is_empty() {
                Box::new(std::iter::once(s.as_str()))
            } else {
                Box::new(s.split(delim.as_str()))
            };
            for p in parts.map(str::trim).filter(|p| !p.is_empty()) {
                if out.len() >= VALUE_ITEMS_MAX {
                    return fail(format!("Split would make more than {VALUE_ITEMS_MAX} values"));
                }
                out.push(p.to_string());
            }
        }
        Ok(Value::Multi(out))
    }

    fn f_strip_spaces(&mut self, _f: Func, args: &[Node]) -> Result<Value, EvalError> {
        map(self.arg(args, 0)?, |s| Ok(s.replace(' ', "")))
    }

    fn f_switch(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let src = self.text(f, args, 0)?;
        let mut i = 2;
        while i + 1 < args.len() {
            if self.text(f, args, i)? == src {
                return self.arg(args, i + 1);
            }
            i += 2;
        }
        self.arg(args, 1)
    }

    fn f_casing(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let name = f.name();
        let v = self.arg(args, 0)?;
        if given(args, 1) {
            if let Some(c) = self.scalar(f, args, 1)? {
                text::check_culture(&c).map_err(|m| error(format!("{name}: {m}")))?;
            }
        }
        let lower = f == Func::ToLower;
        map(v, |s| {
            Ok(if lower {
                text::to_lower(s)
            } else {
                text::to_upper(s)
            })
        })
    }

    fn f_word(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        let s = self.scalar(f, args, 0)?;
        let n = self.int(f, args, 1)?;
        let delimiters = self.text(f, args, 2)?;
        Ok(Value::Str(word(s.as_deref(), n, &delimiters)))
    }

    fn f_alt_sec_id_from_net_id(&mut self, f: Func, args: &[Node]) -> Result<Value, EvalError> {
        Ok(self.scalar(f, args, 0)?.map_or(Value::Null, Value::Str))
    }

    /// Replace: the source, then the arguments its combination uses, in order; the work is
    /// done by [`replace_values`].
    fn replace(&mut self, args: &[Node]) -> Result<Value, EvalError> {
        let Some(mode) = replace_mode(&|i| given(args, i)) else {
            return fail("Replace: no documented parameter combination is given".into());
        };
        let src = self.arg(args, 0)?;
        if mode == ReplaceMode::GroupFromAttribute && !src.is_null_or_empty() {
            return Ok(src);
        }
        let mut values: [Option<String>; 7] = Default::default();
        for (i, slot) in values.iter_mut().enumerate().skip(1) {
            if mode.uses(i) {
                *slot = self.scalar(Func::Replace, args, i)?;
            }
        }
        replace_values(mode, src, &values, self.regexes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Expr;

    struct Ctx {
        attrs: Vec<(&'static str, Value)>,
        now: i64,
        draws: u64,
        existing: Vec<&'static str>,
    }

    impl Context for Ctx {
        fn attribute(&self, name: &str) -> Option<Value> {
            self.attrs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        }
        fn now(&self) -> i64 {
            self.now
        }
        fn random(&mut self) -> u64 {
            self.draws += 1;
            self.draws.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        }
        fn exists(&self, value: &str) -> bool {
            self.existing.contains(&value)
        }
    }

    fn ctx(attrs: &[(&'static str, &str)]) -> Ctx {
        Ctx {
            attrs: attrs
                .iter()
                .map(|(n, v)| (*n, Value::Str(v.to_string())))
                .collect(),
            now: 1_625_240_018,
            draws: 0,
            existing: vec![],
        }
    }

    fn run(text: &str, c: &mut Ctx) -> Result<Outcome, EvalError> {
        Expr::parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .eval(c)
    }

    fn s(text: &str, attrs: &[(&'static str, &str)]) -> String {
        match run(text, &mut ctx(attrs))
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .value
        {
            Value::Str(s) => s,
            other => panic!("{text} gave {other:?}"),
        }
    }

    fn v(text: &str, attrs: &[(&'static str, &str)]) -> Value {
        run(text, &mut ctx(attrs))
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .value
    }

    fn fails(text: &str, attrs: &[(&'static str, &str)]) -> String {
        run(text, &mut ctx(attrs)).expect_err(text).message
    }

    fn multi(items: &[&str]) -> Value {
        Value::Multi(items.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn numbers_and_truth() {
        assert_eq!(parse_int(" -12 "), Some(-12));
        assert_eq!(parse_int("&HF7"), Some(247));
        assert_eq!(parse_int("1.5"), None);
        assert_eq!(parse_decimal("-1.5"), Some(-1.5));
        assert_eq!(parse_decimal("."), None);
        assert!(truthy("TRUE") && truthy("1") && truthy("-2") && truthy("0.5"));
        assert!(!truthy("False") && !truthy("0") && !truthy("") && !truthy("yes"));
    }

    #[test]
    fn comparisons() {
        assert_eq!(s("CBool([a] = [b])", &[("a", "x"), ("b", "x")]), "True");
        assert_eq!(s("CBool([a] = [b])", &[("a", "x"), ("b", "X")]), "False");
        assert_eq!(s("CBool(\"10\" > \"9\")", &[]), "True");
        assert_eq!(s("CBool(\"b\" > \"a\")", &[]), "True");
        assert_eq!(s("CBool(\"1.50\" = \"1.5\")", &[]), "True");
        assert_eq!(
            s("CBool(\"3/16/2020 7:00:00 AM\" = \"2020-03-16T07:00:00Z\")", &[]),
            "True"
        );
        assert_eq!(s("CBool([missing] = \"\")", &[]), "True");
        assert_eq!(s("CBool(5 <> 5)", &[]), "False");
        assert_eq!(s("CBool(5 >= 5)", &[]), "True");
        assert_eq!(s("CBool(4 <= 3)", &[]), "False");
        assert_eq!(s("CBool(-4 < 3)", &[]), "True");
    }

    #[test]
    fn iif_fails_on_null_or_empty_condition_attributes() {
        let e = "IIF([country]=\"USA\",[country],[department])";
        assert_eq!(s(e, &[("country", "USA")]), "USA");
        assert_eq!(s(e, &[("country", "NL"), ("department", "Sales")]), "Sales");
        let out = run(e, &mut ctx(&[("country", ""), ("department", "Sales")])).unwrap();
        assert_eq!(
            out,
            Outcome {
                value: Value::Null,
                flows: false
            }
        );
        assert_eq!(
            v("IIF(IsPresent([country]),[country],\"Other\")", &[]),
            Value::Null
        );
        assert_eq!(v("IIF(\"1\", \"yes\", [boom])", &[]), Value::Str("yes".into()));
        assert_eq!(
            s(
                "IIF(DateDiff(\"d\", Now(), CDate(\"2021-07-10\")) > 5, \"far\", \"near\")",
                &[]
            ),
            "far"
        );
    }

    #[test]
    fn only_the_chosen_branch_draws_randomness() {
        let mut c = ctx(&[]);
        run("IIF(\"True\", \"x\", Guid())", &mut c).unwrap();
        assert_eq!(c.draws, 0);
        run("IIF(\"False\", \"x\", Guid())", &mut c).unwrap();
        assert_eq!(c.draws, 2);
    }

    #[test]
    fn switch_rules() {
        let e = "Switch([country],[country],\"\",\"Other\")";
        assert_eq!(s(e, &[("country", "")]), "Other");
        assert_eq!(s(e, &[]), "Other");
        assert_eq!(s(e, &[("country", "NL")]), "NL");
        assert_eq!(v("Switch([a], , \"1\", \"x\")", &[("a", "2")]), Value::Null);
        assert_eq!(s("Switch([a], \"d\", \"k\", \"v\")", &[("a", "K")]), "d");
    }

    #[test]
    fn ignore_flow_drops_anywhere() {
        let out = run("Join(\",\", IgnoreFlowIfNullOrEmpty([a]), \"x\")", &mut ctx(&[])).unwrap();
        assert_eq!(
            out,
            Outcome {
                value: Value::Str("x".into()),
                flows: false
            }
        );
        let out = run("IgnoreFlowIfNullOrEmpty([a])", &mut ctx(&[("a", "v")])).unwrap();
        assert!(out.flows);
    }

    #[test]
    fn null_never_flows_and_empty_does() {
        assert!(!run("[a]", &mut ctx(&[])).unwrap().flows);
        assert!(run("[a]", &mut ctx(&[("a", "")])).unwrap().flows);
    }

    #[test]
    fn string_functions_edge_rules() {
        assert_eq!(s("Left([a], 0)", &[("a", "John")]), "");
        assert_eq!(s("Left([a], -1)", &[("a", "John")]), "John");
        assert_eq!(s("Left([a], 3)", &[]), "");
        assert_eq!(s("Left([a], 10)", &[("a", "John")]), "John");
        assert_eq!(s("Left([a], 2)", &[("a", "Zoë")]), "Zo");
        assert_eq!(s("Mid([a], 2, 2)", &[("a", "Zoëy")]), "oë");
        assert_eq!(s("Mid([a], 9, 2)", &[("a", "abc")]), "");
        assert!(fails("Mid([a], 0, 2)", &[("a", "abc")]).contains("1-based"));
        assert!(fails("Mid([a], 1, -2)", &[("a", "abc")]).contains("negative"));
        assert_eq!(v("Mid([a], 1, 2)", &[]), Value::Null);
        assert_eq!(s("Append([a], [b])", &[("a", "x")]), "x");
        assert_eq!(v("Append([a], \"x\")", &[]), Value::Null);
        assert_eq!(s("StripSpaces([a])", &[("a", " a b\tc ")]), "ab\tc");
        assert!(fails("Left([a], \"x\")", &[("a", "abc")]).contains("whole number"));
        assert!(fails("Left([a], [n])", &[("a", "abc")]).contains("not null"));
    }

    #[test]
    fn word_rules() {
        assert_eq!(s("Word(\"a,,b\", 2, \",\")", &[]), "b");
        assert_eq!(s("Word(\",a\", 1, \",\")", &[]), "a");
        assert_eq!(s("Word(\"a b\", 0, \" \")", &[]), "");
        assert_eq!(s("Word(\"a b\", 3, \" \")", &[]), "");
        assert_eq!(s("Word([x], 1, \" \")", &[]), "");
        assert_eq!(s("Word(\"a b\", 1, \"\")", &[]), "a b");
    }

    #[test]
    fn instr_rules() {
        assert_eq!(s("InStr(\"repEated\",\"e\",3,vbBinaryCompare)", &[]), "7");
        assert_eq!(s("InStr(\"repEated\",\"e\",3,vbTextCompare)", &[]), "4");
        assert_eq!(s("InStr(\"repEated\",\"E\")", &[]), "4");
        assert_eq!(s("InStr(\"abc\",\"z\")", &[]), "0");
        assert_eq!(s("InStr(\"abc\",\"\", 2)", &[]), "2");
        assert_eq!(s("InStr(\"\",\"a\")", &[]), "0");
        assert_eq!(s("InStr(\"abc\",\"c\", 9)", &[]), "0");
        assert_eq!(s("InStr(\"zoë zoë\",\"ë\", 4)", &[]), "7");
        assert_eq!(s("InStr(\"ABC\",\"b\", , \"1\")", &[]), "2");
        assert!(fails("InStr(\"abc\",\"a\", 0)", &[]).contains("at least 1"));
    }

    #[test]
    fn multi_valued_inputs() {
        let mut c = ctx(&[]);
        c.attrs
            .push(("proxy", multi(&["SMTP:a@x", "smtp:b@x", "SMTP:a@x"])));
        c.attrs.push(("roles", multi(&["Admin", "User"])));
        let mut val = |t: &str| run(t, &mut c).unwrap().value;
        assert_eq!(val("Count([proxy])"), Value::Str("3".into()));
        assert_eq!(val("Count([none])"), Value::Str("0".into()));
        assert_eq!(val("Item([proxy], 2)"), Value::Str("smtp:b@x".into()));
        assert_eq!(val("Item([proxy], 4)"), Value::Null);
        assert_eq!(val("RemoveDuplicates([proxy])"), multi(&["SMTP:a@x", "smtp:b@x"]));
        assert_eq!(
            val("ToLower([proxy])"),
            multi(&["smtp:a@x", "smtp:b@x", "smtp:a@x"])
        );
        assert_eq!(
            val("Join(\";\", [proxy], \"\", [none], \"z\")"),
            Value::Str("SMTP:a@x;smtp:b@x;SMTP:a@x;z".into())
        );
        assert_eq!(val("SingleAppRoleAssignment([appRoleAssignments])"), Value::Null);
        assert_eq!(val("IsString([proxy])"), Value::Str("False".into()));
        assert_eq!(val("IsNullOrEmpty([proxy])"), Value::Str("False".into()));
        let err = run("Word([proxy], 1, \" \")", &mut c).unwrap_err();
        assert!(
            err.message.contains("not a multi-valued value of 3 values"),
            "{err}"
        );
        assert!(run("Item([proxy], 0)", &mut c)
            .unwrap_err()
            .message
            .contains("starts at 1"));
        let mut c = ctx(&[]);
        c.attrs.push(("appRoleAssignments", multi(&["Admin", "User"])));
        assert_eq!(
            run("SingleAppRoleAssignment([appRoleAssignments])", &mut c)
                .unwrap()
                .value,
            Value::Str("Admin".into())
        );
        assert_eq!(
            run("AppRoleAssignmentsComplex([appRoleAssignments])", &mut c)
                .unwrap()
                .value,
            multi(&["Admin", "User"])
        );
        c.attrs.push(("empty", Value::Multi(vec![])));
        assert_eq!(
            run("IsNull([empty])", &mut c).unwrap().value,
            Value::Str("True".into())
        );
    }

    #[test]
    fn split_trims_and_drops_empties() {
        assert_eq!(v("Split(\"a, b,,c ,\", \",\")", &[]), multi(&["a", "b", "c"]));
        assert_eq!(v("Split(\"a::b\", \"::\")", &[]), multi(&["a", "b"]));
        assert_eq!(v("Split(\"\", \",\")", &[]), Value::Null);
        assert_eq!(v("Split([x], \",\")", &[]), Value::Null);
    }

    #[test]
    fn default_value_if_null_expression_of_customize_application_attributes() {
        // customize-application-attributes.md: Switch(IsPresent([jobTitle]), "DefaultValue",
        // "True", [jobTitle]) provisions the title when present and the default otherwise.
        let e = "Switch(IsPresent([jobTitle]), \"DefaultValue\", \"True\", [jobTitle])";
        assert_eq!(s(e, &[("jobTitle", "Engineer")]), "Engineer");
        assert_eq!(s(e, &[]), "DefaultValue");
        assert_eq!(s(e, &[("jobTitle", "")]), "DefaultValue");
    }

    #[test]
    fn coalesce_takes_the_first_non_null() {
        assert_eq!(s("Coalesce([a], [b], \"d\")", &[("b", "B")]), "B");
        assert_eq!(s("Coalesce([a], [b], \"d\")", &[]), "d");
        assert_eq!(s("Coalesce([a], \"d\")", &[("a", "")]), "");
        assert_eq!(v("Coalesce([a], [b])", &[]), Value::Null);
    }

    #[test]
    fn replace_modes_and_precedence() {
        assert_eq!(s("Replace([a], \"o\", , , \"0\", , )", &[("a", "foo")]), "f00");
        assert_eq!(s("Replace([a], \"\", , , \"0\", , )", &[("a", "foo")]), "foo");
        assert_eq!(
            s("Replace([a], \"<u>\", , , , , \"<u>@x <u>\")", &[("a", "js")]),
            "js@x js"
        );
        assert_eq!(
            s("Replace([a], \"o\", \"f\", , \"0\", , \"t\")", &[("a", "foo")]),
            "f00",
            "oldValue first"
        );
        assert_eq!(
            s(
                "Replace([a], , \"(\\\\w)(\\\\w)\", , \"$2$1\", , )",
                &[("a", "abcd")]
            ),
            "badc"
        );
        assert_eq!(
            s(
                "Replace([a], , \"(?<x>b)\", , \"[${x}|$&|$$|$9|${nope}]\", , )",
                &[("a", "abc")]
            ),
            "a[b|b|$|$9|${nope}]c"
        );
        assert_eq!(
            s("Replace([a], , \"b\", , \"<$`|$'|$_>\", , )", &[("a", "abc")]),
            "a<a|c|abc>c"
        );
        assert_eq!(
            s("Replace([a], , \"(?<n>a)(b)\", , \"$1$2\", , )", &[("a", "ab")]),
            "ba",
            ".NET numbers unnamed groups first"
        );
        assert_eq!(
            s("Replace([a], , \"(?<n>a)(b)\", \"2\", \"X\", , )", &[("a", "ab")]),
            "Xb"
        );
        assert_eq!(
            s("Replace([a], , \"x*\", , \"-\", , )", &[("a", "abc")]),
            "-a-b-c-"
        );
        assert_eq!(
            s(
                "Replace([a], , \"(?<d>\\\\d+)\", \"d\", \"#\", , )",
                &[("a", "a1b22")]
            ),
            "a#b#"
        );
        assert_eq!(
            v(
                "Replace([t], , \"(?<d>\\\\d+)\", \"d\", , [m], )",
                &[("m", "no digits")]
            ),
            Value::Null
        );
        assert_eq!(
            s(
                "Replace([t], , \"(?<d>\\\\d+)\", \"d\", , [m], )",
                &[("t", "kept"), ("m", "7")]
            ),
            "kept"
        );
        assert_eq!(v("Replace([a], \"o\", , , \"0\", , )", &[]), Value::Null);
        assert!(
            fails("Replace([a], , [p], , \"x\", , )", &[("a", "b"), ("p", "(")]).contains("unclosed group")
        );
        assert!(
            fails("Replace([a], , [p], \"g\", \"x\", , )", &[("a", "b"), ("p", "b")])
                .contains("no group named")
        );
    }

    #[test]
    fn replace_growth_is_capped() {
        let big = "a".repeat(1100);
        let mut c = ctx(&[]);
        c.attrs.push(("a", Value::Str(big.clone())));
        c.attrs.push(("b", Value::Str(big)));
        c.attrs.push(("c", Value::Str("c".repeat(4000))));
        let e = "Replace([a], \"a\", , , [b], , )";
        assert!(run(e, &mut c).unwrap_err().message.contains("more than"));
        let e = "Replace([a], , \"a\", , [b], , )";
        assert!(run(e, &mut c).unwrap_err().message.contains("longer than"));
        let mut deep = "[c]".to_string();
        for _ in 0..30 {
            deep = format!("Join(\"\", {deep}, {deep})");
            if deep.len() > 5_000 {
                break;
            }
        }
        let e = Expr::parse(&deep).unwrap();
        assert!(e.eval(&mut c).is_err());
    }

    #[test]
    fn select_unique_value_uses_exists() {
        let e = "SelectUniqueValue([a], Append([a], \"1\"), Append([a], \"2\"))";
        let mut c = ctx(&[("a", "x")]);
        assert_eq!(run(e, &mut c).unwrap().value, Value::Str("x".into()));
        c.existing = vec!["x", "x1"];
        assert_eq!(run(e, &mut c).unwrap().value, Value::Str("x2".into()));
        c.existing = vec!["x", "x1", "x2"];
        let err = run(e, &mut c).unwrap_err().message;
        assert!(
            err.contains("\"x\", \"x1\", \"x2\" already exist in the target"),
            "{err}"
        );
        assert!(err.contains("escrowed"));
    }

    #[test]
    fn random_functions() {
        let mut c = ctx(&[]);
        let g = run("Guid()", &mut c).unwrap().value;
        let Value::Str(g) = g else { panic!() };
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
        let Value::Str(r) = run("RandomString(12, 3, 2, 2, 2, \"aeiou\")", &mut c)
            .unwrap()
            .value
        else {
            panic!()
        };
        assert_eq!(r.chars().count(), 12);
        assert!(r.chars().filter(char::is_ascii_digit).count() >= 3);
        assert!(!r.contains(['a', 'e', 'i', 'o', 'u']));
        assert!(fails("RandomString(3, 2, 2, 0, 0)", &[]).contains("Length"));
        assert!(fails("RandomString(3, 1, 0, 0, 0, \"0123456789\")", &[]).contains("digit"));
        assert!(fails("RandomString([n], 0, 0, 0, 0)", &[("n", "-1")]).contains("negative"));
        assert!(fails("RandomString([n], 0, 0, 0, 0)", &[("n", "300")]).contains("256"));
        assert!(!Expr::parse("Join(\"\", Guid())").unwrap().is_pure());
        assert!(Expr::parse("Join(\"\", [a])").unwrap().is_pure());
    }

    #[test]
    fn date_functions() {
        assert_eq!(
            s("CDate(\"2009-06-15T01:45:30-07:00\")", &[]),
            "6/15/2009 8:45:30 AM"
        );
        assert_eq!(
            s("DateAdd(\"m\", 1, \"2012-01-31\")", &[]),
            "2/29/2012 12:00:00 AM"
        );
        assert_eq!(
            s("DateAdd(\"yyyy\", 1, \"2012-02-29\")", &[]),
            "2/28/2013 12:00:00 AM"
        );
        assert_eq!(
            s("DateAdd(\"n\", 90, \"2012-02-29\")", &[]),
            "2/29/2012 1:30:00 AM"
        );
        assert_eq!(
            s("DateAdd(\"d\", \"1.9\", \"2012-02-29\")", &[]),
            "3/1/2012 12:00:00 AM"
        );
        assert_eq!(v("DateAdd(\"d\", 1, [none])", &[]), Value::Null);
        assert!(fails("DateAdd(\"d\", 1, \"not a date\")", &[]).contains("DateAdd"));
        assert!(fails("DateAdd(\"yyyy\", 9000, \"2012-01-01\")", &[]).contains("9999"));
        assert!(fails("DateAdd([i], 1, \"2012-01-01\")", &[("i", "q")]).contains("interval"));
        assert_eq!(
            s("DateDiff(\"ww\", \"2021-08-21\", \"2021-08-22\")", &[]),
            "1",
            "Saturday to Sunday crosses a week"
        );
        assert_eq!(
            s(
                "DateDiff(\"d\", \"2021-08-24T23:00:00Z\", \"2021-08-25T01:00:00Z\")",
                &[]
            ),
            "0"
        );
        assert_eq!(s("Now()", &[]), "7/2/2021 3:33:38 PM");
        assert_eq!(
            s("NumFromDate(\"2012-01-01T23:00:00Z\")", &[]),
            "129699324000000000"
        );
        assert_eq!(
            s("DateFromNum(NumFromDate(\"1601-01-01\"))", &[]),
            "1/1/1601 12:00:00 AM"
        );
        assert!(fails("NumFromDate(\"1600-12-31\")", &[]).contains("1601"));
        assert!(fails("DateFromNum(\"x\")", &[]).contains("AD date number"));
        assert_eq!(
            s(
                "NumFromDate(Join(\"\", FormatDateTime([d], ,\"yyyy-MM-ddzzz\", \"yyyy-MM-dd\"), \" 23:59:59-08:00\"))",
                &[("d", "2020-12-31-08:00")]
            ),
            "132539615990000000"
        );
        assert_eq!(
            s(
                "NumFromDate(Join(\"\",FormatDateTime([endDate], ,\"M/d/yyyy hh:mm:ss tt\",\"yyyy-MM-dd\"),\" 23:59:59-08:00\"))",
                &[("endDate", "12/31/2020 08:00:00 AM")]
            ),
            "132539615990000000"
        );
        assert!(fails("FormatDateTime(\"2015\", , \"yyyyMM\", \"yyyy\")", &[]).contains("FormatDateTime"));
    }

    #[test]
    fn text_conversions() {
        assert_eq!(
            s("ConvertToBase64(\"Hello world!\")", &[]),
            "SABlAGwAbABvACAAdwBvAHIAbABkACEA"
        );
        assert_eq!(s("ConvertToUTF8Hex(\"Zoë\")", &[]), "5A6FC3AB");
        assert_eq!(s("ToUpper([a], \"en-US\")", &[("a", "straße")]), "STRAßE");
        assert!(fails("ToUpper([a], \"not a culture!\")", &[("a", "x")]).contains("culture"));
        assert_eq!(s("PCase([a], \"\")", &[("a", "JOHN SMITH")]), "John Smith");
        assert_eq!(s("Not([a])", &[]), "True");
        assert_eq!(s("Not(\"TRUE\")", &[]), "False");
        assert_eq!(s("CBool(\"0\")", &[]), "False");
        assert_eq!(s("BitAnd(&HF, \"&HF7\")", &[]), "7");
        assert_eq!(s("CStr(42)", &[]), "42");
        assert_eq!(s("IsString(42)", &[]), "True");
        assert_eq!(
            s("AltSecIdFromNetId([netId])", &[("netId", "10032000ABCDEF")]),
            "10032000ABCDEF"
        );
    }

    #[test]
    fn attributes_over_the_limit_are_errors() {
        let mut c = ctx(&[]);
        c.attrs.push(("big", Value::Str("x".repeat(VALUE_BYTES_MAX + 1))));
        c.attrs
            .push(("many", Value::Multi(vec!["x".into(); VALUE_ITEMS_MAX + 1])));
        assert!(run("[big]", &mut c).unwrap_err().message.contains("[big]"));
        assert!(run("Count([many])", &mut c)
            .unwrap_err()
            .message
            .contains("values"));
    }
}
