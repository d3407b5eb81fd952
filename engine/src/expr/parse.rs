//! The lexer and recursive-descent parser, and the checks made on each call once its
//! arguments are known (counts, empty positions, Replace's combination, literal regexes,
//! intervals, date formats).

use super::{date, eval, CompareMode, ExprError, Func, Node, Op, EXPRESSION_CHARS_MAX, EXPRESSION_DEPTH_MAX};
use regex::Regex;

/// Longest name for which a "did you mean" is computed, in bytes.
const SUGGEST_NAME_BYTES_MAX: usize = 64;

/// Names people reach for that the language spells differently.
const ALIASES: &[(&str, &str)] = &[
    ("concat", "Join"),
    ("concatenate", "Join"),
    ("substring", "Mid"),
    ("substr", "Mid"),
    ("lcase", "ToLower"),
    ("lower", "ToLower"),
    ("ucase", "ToUpper"),
    ("upper", "ToUpper"),
    ("if", "IIF"),
    ("trim", "StripSpaces"),
    ("newguid", "Guid"),
    ("isempty", "IsNullOrEmpty"),
    ("isnotnull", "IsPresent"),
    ("proper", "PCase"),
    ("titlecase", "PCase"),
];

/// The tree, and the regexes compiled from string-constant patterns on the way.
pub(crate) fn parse(text: &str) -> Result<(Node, Vec<(String, Regex)>), ExprError> {
    if let Some((at, _)) = text.char_indices().nth(EXPRESSION_CHARS_MAX) {
        return Err(ExprError {
            offset: at,
            len: text.len() - at,
            message: format!(
                "the expression is longer than {EXPRESSION_CHARS_MAX} characters, the most an attribute mapping can have"
            ),
        });
    }
    let mut p = Parser {
        text,
        pos: 0,
        peeked: None,
        regexes: Vec::new(),
    };
    if p.peek()?.tok == Tok::End {
        return Err(err(
            0,
            text.len(),
            "the expression is empty; write a function call, an attribute such as [mail] or a \"string\"",
        ));
    }
    let (node, span) = p.expr(0, true)?;
    reject_mode(&node, span)?;
    let t = p.next()?;
    if t.tok != Tok::End {
        let what = describe(&t.tok);
        let hint = if t.tok == Tok::RParen {
            ": this ')' closes nothing"
        } else {
            ""
        };
        return Err(err(
            t.start,
            t.end - t.start,
            &format!("unexpected {what} after the end of the expression{hint}"),
        ));
    }
    Ok((node, p.regexes))
}

fn err(offset: usize, len: usize, message: &str) -> ExprError {
    ExprError {
        offset,
        len,
        message: message.to_string(),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Str(String),
    Num(i64),
    Attr(String),
    Ident(String),
    Op(Op),
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

/// Byte span `(start, end)` of a parsed part.
type Span = (usize, usize);

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::Str(_) => "a string".into(),
        Tok::Num(_) => "a number".into(),
        Tok::Attr(a) => format!("the attribute [{a}]"),
        Tok::Ident(i) => format!("'{i}'"),
        Tok::Op(o) => format!("'{}'", o.text()),
        Tok::End => "the end of the expression".into(),
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    peeked: Option<Token>,
    regexes: Vec<(String, Regex)>,
}

impl Parser<'_> {
    fn peek(&mut self) -> Result<&Token, ExprError> {
        if self.peeked.is_none() {
            let t = self.lex()?;
            self.peeked = Some(t);
        }
        match &self.peeked {
            Some(t) => Ok(t),
            None => Err(err(self.pos, 0, "internal: no token")),
        }
    }

    fn next(&mut self) -> Result<Token, ExprError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn lex(&mut self) -> Result<Token, ExprError> {
        let skipped = self.rest().len() - self.rest().trim_start().len();
        self.pos += skipped;
        let start = self.pos;
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            return Ok(Token {
                tok: Tok::End,
                start,
                end: start,
            });
        };
        let next = rest[c.len_utf8()..].chars().next();
        let single = |tok: Tok, n: usize| (tok, n);
        let (tok, n) = match c {
            '(' => single(Tok::LParen, 1),
            ')' => single(Tok::RParen, 1),
            ',' => single(Tok::Comma, 1),
            '"' => return self.string(),
            '[' => return self.attribute(),
            ']' => return Err(err(start, 1, "']' without a '[' before it")),
            '=' if next == Some('=') => {
                return Err(err(start, 2, "'==' is not an operator; equality is a single '='"))
            }
            '=' => single(Tok::Op(Op::Eq), 1),
            '<' if next == Some('>') => single(Tok::Op(Op::Ne), 2),
            '<' if next == Some('=') => single(Tok::Op(Op::Le), 2),
            '<' => single(Tok::Op(Op::Lt), 1),
            '>' if next == Some('=') => single(Tok::Op(Op::Ge), 2),
            '>' => single(Tok::Op(Op::Gt), 1),
            '!' if next == Some('=') => {
                return Err(err(
                    start,
                    2,
                    "'!=' is not an operator; 'not equal to' is written '<>'",
                ))
            }
            '&' => return self.hex(),
            '-' | '0'..='9' => return self.number(),
            c if c.is_ascii_alphabetic() || c == '_' => {
                let n = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                (Tok::Ident(rest[..n].to_string()), n)
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => {
                return Err(err(
                    start,
                    c.len_utf8(),
                    &format!(
                    "'{c}' is a typographic quotation mark; string constants use straight double quotes (\")"
                ),
                ))
            }
            '\'' | '\u{2018}' | '\u{2019}' => {
                return Err(err(
                    start,
                    c.len_utf8(),
                    "string constants are enclosed in double quotes (\"), not single quotes",
                ))
            }
            c => {
                let what = if c.is_control() {
                    format!("U+{:04X}", c as u32)
                } else {
                    format!("'{c}'")
                };
                return Err(err(
                    start,
                    c.len_utf8(),
                    &format!(
                        "unexpected character {what}; arguments are function calls, [attributes], \"strings\" and numbers"
                    ),
                ));
            }
        };
        self.pos += n;
        Ok(Token {
            tok,
            start,
            end: self.pos,
        })
    }

    fn string(&mut self) -> Result<Token, ExprError> {
        let start = self.pos;
        let mut out = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos = start + i + 1;
                    return Ok(Token { tok: Tok::Str(out), start, end: self.pos });
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('"' | '\\'))) => out.push(e),
                    Some((_, e)) => {
                        return Err(err(
                            start + i,
                            1 + e.len_utf8(),
                            &format!(
                                "'\\{e}' is not an escape: in a string constant a backslash must itself be escaped (\\\\) and only \\\" and \\\\ are escapes, so a regex \\d is written \"\\\\d\""
                            ),
                        ))
                    }
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(err(
            start,
            self.text.len() - start,
            "this string constant is never closed with a double quote (\")",
        ))
    }

    fn attribute(&mut self) -> Result<Token, ExprError> {
        let start = self.pos;
        let rest = self.rest();
        let body = &rest[1..];
        let end = body.find([']', '[', '"', '\n', '\r']);
        match end.and_then(|e| body[e..].chars().next().map(|c| (e, c))) {
            Some((e, ']')) => {
                let name = body[..e].trim();
                if name.is_empty() {
                    return Err(err(
                        start,
                        e + 2,
                        "an attribute needs a name between the brackets, e.g. [mail]",
                    ));
                }
                if let Some(bad) = name.chars().find(|c| c.is_control()) {
                    return Err(err(
                        start,
                        e + 2,
                        &format!("an attribute name cannot contain U+{:04X}", bad as u32),
                    ));
                }
                let name = name.to_string();
                self.pos = start + e + 2;
                Ok(Token {
                    tok: Tok::Attr(name),
                    start,
                    end: self.pos,
                })
            }
            _ => {
                let len = end.map(|e| e + 1).unwrap_or(rest.len());
                Err(err(
                    start,
                    len,
                    "this '[' is not closed: an attribute is written [name]",
                ))
            }
        }
    }

    fn number(&mut self) -> Result<Token, ExprError> {
        let start = self.pos;
        let rest = self.rest();
        let negative = rest.starts_with('-');
        let digits_at = usize::from(negative);
        let body = &rest[digits_at..];
        let n = body.find(|c: char| !c.is_ascii_digit()).unwrap_or(body.len());
        if n == 0 {
            return Err(err(
                start,
                1,
                "'-' must be followed directly by digits, as in -10; there are no arithmetic operators",
            ));
        }
        let end = digits_at + n;
        if let Some(c) = rest[end..].chars().next() {
            if c == '.' || c.is_alphanumeric() || c == '_' {
                let tail = rest[end..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '_'))
                    .unwrap_or(rest.len() - end);
                let hint = if c == '.' {
                    "numbers are whole numbers; write a decimal as a string, e.g. \"1.5\""
                } else {
                    "a number must not run into letters; put text in double quotes"
                };
                return Err(err(start, end + tail, hint));
            }
        }
        let text = &rest[..end];
        let value: i64 = text.parse().map_err(|_| {
            err(
                start,
                end,
                &format!("the number {text} is too large (at most 9223372036854775807)"),
            )
        })?;
        self.pos = start + end;
        Ok(Token {
            tok: Tok::Num(value),
            start,
            end: self.pos,
        })
    }

    fn hex(&mut self) -> Result<Token, ExprError> {
        let start = self.pos;
        let rest = self.rest();
        let bytes = rest.as_bytes();
        if !matches!(bytes.get(1), Some(b'H' | b'h')) {
            return Err(err(
                start,
                1,
                "'&' starts a VB hex number such as &HF7; there is no '&' operator (use Join or Append)",
            ));
        }
        let body = &rest[2..];
        let n = body.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(body.len());
        if n == 0 {
            return Err(err(start, 2, "&H must be followed by hex digits, as in &HF7"));
        }
        if let Some(c) = body[n..].chars().next() {
            if c.is_alphanumeric() || c == '_' {
                return Err(err(
                    start,
                    2 + n + c.len_utf8(),
                    &format!("'{c}' is not a hex digit"),
                ));
            }
        }
        let value = i64::from_str_radix(&body[..n], 16).map_err(|_| {
            err(
                start,
                2 + n,
                "this hex number is too large (at most &H7FFFFFFFFFFFFFFF)",
            )
        })?;
        self.pos = start + 2 + n;
        Ok(Token {
            tok: Tok::Num(value),
            start,
            end: self.pos,
        })
    }

    // The recursive descent keeps its frames small (each nesting level costs one `expr`,
    // `operand`, `call` and `args` frame): error messages are built in the functions below it.

    /// `operand [op operand]`.
    fn expr(&mut self, depth: usize, top: bool) -> Result<(Node, Span), ExprError> {
        let (lhs, lspan) = self.operand(depth, top)?;
        if matches!(self.peek()?.tok, Tok::Op(_)) {
            return self.comparison(lhs, lspan, depth);
        }
        Ok((lhs, lspan))
    }

    /// The operator and right operand of a comparison.
    fn comparison(&mut self, lhs: Node, lspan: Span, depth: usize) -> Result<(Node, Span), ExprError> {
        let op_tok = self.next()?;
        let Tok::Op(op) = op_tok.tok else {
            return Err(not_a_value(&op_tok.tok, (op_tok.start, op_tok.end)));
        };
        check_comparable(&lhs, lspan)?;
        if matches!(self.peek()?.tok, Tok::Comma | Tok::RParen | Tok::End) {
            return Err(missing_right(op, &op_tok));
        }
        let (rhs, rspan) = self.operand(depth, false)?;
        reject_mode(&rhs, rspan)?;
        if let Some(e) = chained(self.peek()?) {
            return Err(e);
        }
        Ok((Node::Cmp(op, Box::new(lhs), Box::new(rhs)), (lspan.0, rspan.1)))
    }

    fn operand(&mut self, depth: usize, top: bool) -> Result<(Node, Span), ExprError> {
        let t = self.next()?;
        let span = (t.start, t.end);
        match t.tok {
            Tok::Str(s) => Ok((Node::Str(s), span)),
            Tok::Num(n) => Ok((Node::Num(n), span)),
            Tok::Attr(a) => Ok((Node::Attr(a), span)),
            Tok::Ident(name) => {
                if self.peek()?.tok == Tok::LParen {
                    return self.call(&name, span, depth, top);
                }
                bare_word(&name, span)
            }
            other => Err(not_a_value(&other, span)),
        }
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        depth: usize,
        top: bool,
    ) -> Result<(Node, Span), ExprError> {
        let func = Func::from_name(name).ok_or_else(|| unknown_function(name, name_span))?;
        if depth >= EXPRESSION_DEPTH_MAX {
            return Err(too_deep(name_span));
        }
        let open = self.next()?.start; // the '(' peeked by the caller
        let (args, spans) = self.args(func, open, depth)?;
        let whole = (name_span.0, self.pos);
        check_call(func, &args, &spans, whole, top, &mut self.regexes)?;
        Ok((Node::Call(func, args), whole))
    }

    /// The arguments after a call's `(`, through its `)`.
    fn args(&mut self, func: Func, open: usize, depth: usize) -> Result<(Vec<Node>, Vec<Span>), ExprError> {
        let mut args: Vec<Node> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        if self.peek()?.tok == Tok::RParen {
            self.next()?;
            return Ok((args, spans));
        }
        loop {
            let t = self.peek()?;
            match t.tok {
                Tok::Comma | Tok::RParen => {
                    let at = t.start;
                    args.push(Node::Empty);
                    spans.push((at, at));
                }
                Tok::End => return Err(unclosed(func, open)),
                _ => {
                    let (a, s) = self.expr(depth + 1, false)?;
                    args.push(a);
                    spans.push(s);
                }
            }
            let t = self.next()?;
            match t.tok {
                Tok::Comma => {}
                Tok::RParen => return Ok((args, spans)),
                Tok::End => return Err(unclosed(func, open)),
                _ => return Err(expected_comma(func, args.len(), &t)),
            }
        }
    }
}

/// What a name without `(` after it is: InStr's compare mode, or an error that says how
/// attributes, strings and functions are written.
#[inline(never)]
fn bare_word(name: &str, span: Span) -> Result<(Node, Span), ExprError> {
    if name.eq_ignore_ascii_case("vbTextCompare") {
        return Ok((Node::Mode(CompareMode::Text), span));
    }
    if name.eq_ignore_ascii_case("vbBinaryCompare") {
        return Ok((Node::Mode(CompareMode::Binary), span));
    }
    let len = span.1 - span.0;
    if let Some(f) = Func::from_name(name) {
        return Err(err(
            span.0,
            len,
            &format!(
                "{} is a function: call it with parentheses, {}",
                f.name(),
                f.spec().syntax
            ),
        ));
    }
    let mut msg = format!(
        "'{name}' is not something an expression knows: write an attribute as [{name}] and a string constant as \"{name}\""
    );
    if let Some(s) = suggest(name) {
        msg.push_str(&format!(", or did you mean the function {s}?"));
    }
    Err(err(span.0, len, &msg))
}

#[inline(never)]
fn not_a_value(t: &Tok, span: Span) -> ExprError {
    if *t == Tok::End {
        return err(span.0, 0, "the expression ends where a value was expected");
    }
    err(
        span.0,
        span.1 - span.0,
        &format!(
            "expected a value (a function call, [attribute], \"string\" or number), found {}",
            describe(t)
        ),
    )
}

#[inline(never)]
fn unknown_function(name: &str, span: Span) -> ExprError {
    let mut msg = format!("unknown function {name}");
    if let Some(s) = suggest(name) {
        msg.push_str(&format!("; did you mean {s}?"));
    }
    err(span.0, span.1 - span.0, &msg)
}

#[inline(never)]
fn too_deep(span: Span) -> ExprError {
    err(
        span.0,
        span.1 - span.0,
        &format!("functions are nested more than {EXPRESSION_DEPTH_MAX} deep"),
    )
}

#[inline(never)]
fn unclosed(func: Func, open: usize) -> ExprError {
    err(
        open,
        1,
        &format!("this '(' of {} is never closed with ')'", func.name()),
    )
}

#[inline(never)]
fn expected_comma(func: Func, n: usize, t: &Token) -> ExprError {
    err(
        t.start,
        t.end - t.start,
        &format!(
            "expected ',' or ')' after argument {n} of {}, found {}",
            func.name(),
            describe(&t.tok)
        ),
    )
}

#[inline(never)]
fn missing_right(op: Op, t: &Token) -> ExprError {
    err(
        t.start,
        t.end - t.start,
        &format!("'{}' needs a value on its right", op.text()),
    )
}

#[inline(never)]
fn chained(t: &Token) -> Option<ExprError> {
    let Tok::Op(o2) = t.tok else { return None };
    Some(err(
        t.start,
        t.end - t.start,
        &format!(
            "comparisons don't chain: '{}' follows a comparison; nest IIF calls instead (the page: AND and OR aren't supported either)",
            o2.text()
        ),
    ))
}

/// The left side of a comparison: not SelectUniqueValue, not a compare mode.
#[inline(never)]
fn check_comparable(lhs: &Node, span: Span) -> Result<(), ExprError> {
    if let Node::Call(Func::SelectUniqueValue, _) = lhs {
        return Err(err(
            span.0,
            span.1 - span.0,
            "SelectUniqueValue must be the whole expression; it can't be compared or nested",
        ));
    }
    reject_mode(lhs, span)
}

/// A bare vbTextCompare/vbBinaryCompare is only InStr's fourth argument.
fn reject_mode(node: &Node, span: Span) -> Result<(), ExprError> {
    if let Node::Mode(m) = node {
        return Err(err(
            span.0,
            span.1 - span.0,
            &format!("{} is only InStr's compareType, its fourth argument", m.name()),
        ));
    }
    Ok(())
}

fn count_words(n: usize) -> String {
    match n {
        1 => "1 argument".into(),
        n => format!("{n} arguments"),
    }
}

fn check_call(
    func: Func,
    args: &[Node],
    spans: &[Span],
    whole: Span,
    top: bool,
    regexes: &mut Vec<(String, Regex)>,
) -> Result<(), ExprError> {
    let spec = func.spec();
    let name = func.name();
    let n = args.len();
    let whole_len = whole.1 - whole.0;
    let expected = if spec.max == usize::MAX {
        format!("at least {}", count_words(spec.min))
    } else if spec.min == spec.max {
        count_words(spec.min)
    } else {
        format!("{} to {} arguments", spec.min, spec.max)
    };
    if n < spec.min || n > spec.max {
        let mut msg = format!("{name} takes {expected}, not {n}: {}", spec.syntax);
        if func == Func::FormatDateTime && n == 3 {
            msg.push_str(
                " (leave dateTimeStyles empty: FormatDateTime(source, , inputFormat, outputFormat))",
            );
        }
        if func == Func::Redact && n == 0 {
            msg.push_str(
                " (the page's syntax line shows Redact(), but its parameter table and examples pass one)",
            );
        }
        return Err(err(whole.0, whole_len, &msg));
    }
    if func == Func::Switch && n % 2 == 1 {
        return Err(err(
            whole.0,
            whole_len,
            &format!(
                "Switch takes an even number of arguments (source, defaultValue, then key/value pairs), not {n}: {}",
                spec.syntax
            ),
        ));
    }
    if func == Func::SelectUniqueValue && !top {
        return Err(err(
            whole.0,
            whole_len,
            "SelectUniqueValue must be the whole expression; it can't be nested",
        ));
    }
    for (i, a) in args.iter().enumerate() {
        let pos = i + 1;
        let span = spans.get(i).copied().unwrap_or(whole);
        if *a == Node::Empty && !spec.may_be_empty(pos) {
            return Err(err(
                span.0,
                1,
                &format!(
                    "argument {pos} ({}) of {name} is required and can't be left empty: {}",
                    spec.param(pos),
                    spec.syntax
                ),
            ));
        }
        if let Node::Mode(m) = a {
            if !(func == Func::InStr && pos == 4) {
                return Err(err(
                    span.0,
                    span.1 - span.0,
                    &format!("{} is only InStr's compareType, its fourth argument", m.name()),
                ));
            }
        }
    }
    let arg = |i: usize| args.get(i);
    let span_of = |i: usize| spans.get(i).copied().unwrap_or(whole);
    let literal_error = |i: usize, msg: String| {
        let s = span_of(i);
        err(s.0, s.1 - s.0, &msg)
    };
    match func {
        Func::SingleAppRoleAssignment | Func::AppRoleAssignmentsComplex => match arg(0) {
            Some(Node::Attr(a)) if a.eq_ignore_ascii_case("appRoleAssignments") => {}
            _ => {
                return Err(literal_error(
                    0,
                    format!("{name} takes the [appRoleAssignments] attribute: {}", spec.syntax),
                ))
            }
        },
        Func::Replace => {
            let given = |i: usize| matches!(arg(i), Some(a) if *a != Node::Empty);
            if eval::replace_mode(&given).is_none() {
                return Err(err(
                    whole.0,
                    whole_len,
                    "Replace needs one of its documented parameter combinations: oldValue and replacementValue, oldValue and template, regexPattern and replacementValue, regexPattern, regexGroupName and replacementValue, or regexPattern, regexGroupName and replacementAttributeName (positions: Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template))",
                ));
            }
            if !given(1) {
                if let Some(Node::Str(p)) = arg(2) {
                    let re = eval::compile_regex(p).map_err(|m| literal_error(2, m))?;
                    if let Some(Node::Str(g)) = arg(3) {
                        if eval::find_group(&re, g).is_none() {
                            return Err(literal_error(
                                3,
                                format!("the regexPattern has no group named \"{g}\""),
                            ));
                        }
                    }
                    if !regexes.iter().any(|(q, _)| q == p) {
                        regexes.push((p.clone(), re));
                    }
                }
            }
        }
        Func::DateAdd | Func::DateDiff => {
            if let Some(Node::Str(s)) = arg(0) {
                date::Interval::parse(s).map_err(|m| literal_error(0, format!("{name}: {m}")))?;
            }
        }
        Func::FormatDateTime => {
            if let Some(Node::Str(s)) = arg(1) {
                date::Styles::parse(s).map_err(|m| literal_error(1, m))?;
            }
            for i in [2, 3] {
                if let Some(Node::Str(s)) = arg(i) {
                    date::check_format(s, i == 2).map_err(|m| {
                        literal_error(i, format!("FormatDateTime's {}: {m}", spec.param(i + 1)))
                    })?;
                }
            }
        }
        Func::InStr => {
            if let Some(Node::Str(s)) = arg(3) {
                eval::compare_mode(s).map_err(|m| literal_error(3, m))?;
            }
        }
        Func::RandomString => {
            if let Some(Node::Num(len)) = arg(0) {
                if *len > super::RANDOM_STRING_CHARS_MAX as i64 || *len < 0 {
                    return Err(literal_error(
                        0,
                        format!(
                            "RandomString's Length must be 0 to {} (the page: 256 characters max.)",
                            super::RANDOM_STRING_CHARS_MAX
                        ),
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The function a mistyped name most likely meant.
fn suggest(name: &str) -> Option<&'static str> {
    if name.len() > SUGGEST_NAME_BYTES_MAX || !name.is_ascii() {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if let Some((_, f)) = ALIASES.iter().find(|(a, _)| *a == lower) {
        return Some(f);
    }
    let mut best: Option<(usize, &'static str)> = None;
    for f in super::FUNCTIONS {
        let d = edit_distance(lower.as_bytes(), f.to_ascii_lowercase().as_bytes());
        if best.is_none_or(|(b, _)| d < b) {
            best = Some((d, f));
        }
    }
    let (d, f) = best?;
    let allowed = match f.len().min(name.len()) {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    (d <= allowed).then_some(f)
}

/// Levenshtein distance between two short byte strings (both at most
/// [`SUGGEST_NAME_BYTES_MAX`] bytes, or a function name).
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(text: &str) -> ExprError {
        parse(text).expect_err(text)
    }

    fn tree(text: &str) -> Node {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}")).0
    }

    fn at(text: &str) -> (usize, usize, String) {
        let x = e(text);
        (x.offset, x.len, x.message)
    }

    #[test]
    fn literals_and_escapes() {
        assert_eq!(
            tree(r#""Company name: \"Contoso\"""#),
            Node::Str("Company name: \"Contoso\"".into())
        );
        assert_eq!(tree(r#""a\\b""#), Node::Str("a\\b".into()));
        assert_eq!(tree("-10"), Node::Num(-10));
        assert_eq!(tree("&HF7"), Node::Num(247));
        assert_eq!(tree("&hf"), Node::Num(15));
        assert_eq!(tree(" [ givenName ] "), Node::Attr("givenName".into()));
        assert_eq!(tree("-9223372036854775808"), Node::Num(i64::MIN));
    }

    #[test]
    fn empty_and_trailing_arguments() {
        let n = tree(r#"Replace([mail], "@contoso.com", , ,"", ,)"#);
        let Node::Call(Func::Replace, args) = n else {
            panic!()
        };
        assert_eq!(args.len(), 7);
        assert_eq!(args[2], Node::Empty);
        assert_eq!(args[6], Node::Empty);
        assert_eq!(tree("Guid( )"), Node::Call(Func::Guid, vec![]));
    }

    #[test]
    fn function_names_are_case_insensitive() {
        let n = tree(r#"switch([companyName], "External", "Company A", "A")"#);
        assert!(matches!(n, Node::Call(Func::Switch, _)));
        assert!(matches!(
            tree("isnullorempty([x])"),
            Node::Call(Func::IsNullOrEmpty, _)
        ));
    }

    #[test]
    fn unknown_functions_get_a_suggestion_at_their_name() {
        assert_eq!(at("Appendd([a], \"b\")").0, 0);
        assert_eq!(at("Appendd([a], \"b\")").1, 7);
        assert!(at("Appendd([a], \"b\")").2.contains("did you mean Append?"));
        let (o, l, m) = at("Join(\",\", Lenght([a]))");
        assert_eq!((o, l), (10, 6));
        assert!(m.starts_with("unknown function Lenght"), "{m}");
        assert!(at("Concat([a], [b])").2.contains("did you mean Join?"));
        assert!(at("NormaliseDiacritics([a])").2.contains("NormalizeDiacritics"));
        assert!(at("Substring([a], 1, 2)").2.contains("Mid"));
        assert!(!at("Xyzzy([a])").2.contains("did you mean"));
    }

    #[test]
    fn bare_words_explain_brackets_and_quotes() {
        let (o, l, m) = at("AltSecIdFromNetId(netId)");
        assert_eq!((o, l), (18, 5));
        assert!(m.contains("[netId]"), "{m}");
        assert!(at("Now").2.contains("Now()"));
        assert!(at("IIF([a] = True, \"x\", \"y\")").2.contains("\"True\""));
    }

    #[test]
    fn argument_counts_name_the_syntax_line() {
        let (o, l, m) = at("Append([a])");
        assert_eq!((o, l), (0, 11));
        assert_eq!(m, "Append takes 2 arguments, not 1: Append(source, suffix)");
        assert!(at("Mid([a], 1)").2.contains("Mid(source, start, length)"));
        assert!(at("Join(\",\")").2.contains("at least 2 arguments"));
        assert!(at("InStr([a])").2.contains("2 to 4 arguments"));
        assert!(at("Switch([a], \"d\", \"k\")").2.contains("takes at least 4"));
        assert!(at("Switch([a], \"d\", \"k\", \"v\", \"k2\")")
            .2
            .contains("even number"));
        assert!(at("SelectUniqueValue([a])").2.contains("at least 2"));
        assert!(at("Redact()").2.contains("parameter table"));
        assert!(at("FormatDateTime([d], \"yyyy\", \"yy\")")
            .2
            .contains("leave dateTimeStyles empty"));
        assert!(at("Guid(1)").2.contains("Guid()"));
    }

    #[test]
    fn required_arguments_cannot_be_empty() {
        let (o, _, m) = at("Append( , \".test\")");
        assert_eq!(o, 8);
        assert!(m.contains("argument 1 (source) of Append is required"), "{m}");
        assert!(at("Switch([a], , , \"v\")").2.contains("argument 3 (key)"));
        assert!(parse("Switch([a], , \"k\", \"v\")").is_ok());
        assert!(parse("FormatDateTime([d], , \"yyyy\", \"yy\")").is_ok());
    }

    #[test]
    fn syntax_errors_are_positioned() {
        assert_eq!(
            at("Append([a], \"b\""),
            (6, 1, "this '(' of Append is never closed with ')'".into())
        );
        assert_eq!(at("\"abc").0, 0);
        assert!(at("\"abc").2.contains("never closed"));
        let (o, l, m) = at(r#"Replace([p], , "\d", , "", , )"#);
        assert_eq!((o, l), (16, 2));
        assert!(m.contains("\\\\d"), "{m}");
        assert_eq!(at("[mail").0, 0);
        assert_eq!(
            at("[]").2,
            "an attribute needs a name between the brackets, e.g. [mail]"
        );
        assert_eq!(at("Append([a], \"b\"))").0, 16);
        assert!(at("Append([a] \"b\")")
            .2
            .contains("expected ',' or ')' after argument 1 of Append"));
        assert!(at("IIF([a] == \"b\", 1, 2)").2.contains("'=='"));
        assert!(at("IIF([a] != \"b\", 1, 2)").2.contains("<>"));
        assert!(at("[a] = [b] = [c]").2.contains("don't chain"));
        assert!(at("Append([a], “b”)").2.contains("typographic"));
        assert!(at("Append([a], 'b')").2.contains("double quotes"));
        assert!(at("Left([a], 1.5)").2.contains("whole numbers"));
        assert!(at("Left([a], - 1)").2.contains("'-'"));
        assert!(at("BitAnd(&HZ, 1)").2.contains("hex digits"));
        assert!(at("Append([a] & \"b\")").2.contains("'&'"));
        assert!(at("").2.contains("empty"));
        assert!(at("   ").2.contains("empty"));
        assert!(at("Left([a], 99999999999999999999)").2.contains("too large"));
        assert!(at("Append([a], )").2.contains("argument 2 (suffix)"));
        assert!(at("IIF([a] =, \"x\", \"y\")")
            .2
            .contains("needs a value on its right"));
    }

    #[test]
    fn limits() {
        let long = format!("\"{}\"", "a".repeat(EXPRESSION_CHARS_MAX));
        let (o, l, m) = at(&long);
        assert_eq!((o, l), (EXPRESSION_CHARS_MAX, 2));
        assert!(m.contains("10000 characters"));
        let ok = format!("\"{}\"", "a".repeat(EXPRESSION_CHARS_MAX - 2));
        assert!(parse(&ok).is_ok());
        let deep = |n: usize| format!("{}[a]{}", "ToLower(".repeat(n), ")".repeat(n));
        assert!(parse(&deep(EXPRESSION_DEPTH_MAX)).is_ok());
        let (o, _, m) = at(&deep(EXPRESSION_DEPTH_MAX + 1));
        assert_eq!(o, 8 * EXPRESSION_DEPTH_MAX);
        assert!(m.contains("nested more than 100"));
    }

    #[test]
    fn placement_rules() {
        assert!(at("Join(\",\", SelectUniqueValue([a], [b]))")
            .2
            .contains("whole expression"));
        assert!(at("SelectUniqueValue([a], [b]) = \"x\"")
            .2
            .contains("whole expression"));
        assert!(parse("SelectUniqueValue([a], [b])").is_ok());
        assert!(parse("InStr([a], \"e\", 3, vbTextCompare)").is_ok());
        assert!(at("InStr([a], vbTextCompare)").2.contains("compareType"));
        assert!(at("vbTextCompare").2.contains("compareType"));
        assert!(at("SingleAppRoleAssignment([roles])")
            .2
            .contains("[appRoleAssignments]"));
        assert!(parse("SingleAppRoleAssignment([appRoleAssignments])").is_ok());
    }

    #[test]
    fn literal_arguments_are_checked() {
        assert!(at("Replace([a], , , , \"x\", , )")
            .2
            .contains("documented parameter combinations"));
        assert!(at("Replace([a])").2.contains("documented parameter combinations"));
        let (o, _, m) = at("Replace([a], , \"(\", , \"x\", , )");
        assert_eq!(o, 15);
        assert!(m.contains("regexPattern"), "{m}");
        assert!(at("Replace([a], , \"(?<n>x)\", \"m\", \"y\", , )")
            .2
            .contains("no group named \"m\""));
        assert!(at("Replace([a], , \"(?=x)\", , \"y\", , )")
            .2
            .contains("regexPattern"));
        assert!(at("DateAdd(\"q\", 1, Now())").2.contains("yyyy"));
        assert!(at("FormatDateTime([d], \"Sometimes\", \"yyyy\", \"yy\")")
            .2
            .contains("DateTimeStyles"));
        assert!(at("FormatDateTime([d], , \"yyyy'\", \"yy\")")
            .2
            .contains("inputFormat"));
        assert!(at("InStr([a], \"b\", 1, \"vbFuzzy\")")
            .2
            .contains("vbTextCompare"));
        assert!(at("RandomString(257, 0, 0, 0, 0)").2.contains("256"));
    }

    #[test]
    fn suggestions_use_edit_distance() {
        assert_eq!(edit_distance(b"kitten", b"sitting"), 3);
        assert_eq!(edit_distance(b"", b"abc"), 3);
        assert_eq!(suggest("Jion"), Some("Join"));
        assert_eq!(suggest("tolowr"), Some("ToLower"));
        assert_eq!(suggest("x"), None);
        assert_eq!(suggest(&"a".repeat(100)), None);
    }
}
