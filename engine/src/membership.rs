//! Entra dynamic membership rules for user groups, e.g.
//! `(user.department -eq "Sales") -or (user.country -eq "US")`.
//!
//! A dynamic group can be assigned to a cross-tenant synchronization configuration like a static
//! one, and only its direct members are in scope (CTS-15); this module decides who those members
//! are. It also defines what the provisioning scoping filters of [`crate::scoping`] (CTS-16..19)
//! share with it: the [`Property`] a condition reads, the [`UserView`] it reads it from, and the
//! positioned [`ExprError`] a malformed condition is refused with.
//!
//! The parser is a small tokenizer plus a recursive-descent parser with precedence
//! `-not` > `-and` > `-or`. Rules are capped at [`RULE_LEN_MAX_CHARS`] characters (Entra's
//! documented maximum) and [`RULE_DEPTH_MAX`] levels of nesting, so no input can make parsing or
//! evaluation recurse without bound.

use crate::user::Attr;
use regex::{Regex, RegexBuilder};
use std::fmt;

/// Longest rule accepted, in characters (Entra's documented maximum for a membership rule).
pub const RULE_LEN_MAX_CHARS: usize = 3072;
/// Deepest nesting accepted: each `(` and each `-not` is one level.
pub const RULE_DEPTH_MAX: usize = 64;

/// A user property a rule can read: a stored attribute, or one of the dedicated fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Property {
    /// A stored attribute such as `department`.
    Attr(Attr),
    /// `userPrincipalName`.
    UserPrincipalName,
    /// `userType` (`Member` or `Guest`).
    UserType,
    /// `accountEnabled` (`true` or `false`).
    AccountEnabled,
}

impl Property {
    /// The dedicated (non-[`Attr`]) properties.
    const FIELDS: [Property; 3] = [
        Property::UserPrincipalName,
        Property::UserType,
        Property::AccountEnabled,
    ];

    /// Looks a property up by its Graph name, case-insensitively (`"Department"` and
    /// `"department"` are the same property).
    pub fn parse(name: &str) -> Option<Property> {
        if let Some(a) = Attr::from_graph_name(name) {
            return Some(Property::Attr(a));
        }
        Property::FIELDS
            .into_iter()
            .find(|p| p.graph_name().eq_ignore_ascii_case(name))
    }

    /// The Graph property name, e.g. `"jobTitle"` or `"accountEnabled"`.
    pub fn graph_name(self) -> &'static str {
        match self {
            Property::Attr(a) => a.graph_name(),
            Property::UserPrincipalName => "userPrincipalName",
            Property::UserType => "userType",
            Property::AccountEnabled => "accountEnabled",
        }
    }

    /// Every property, stored attributes first.
    pub fn all() -> impl Iterator<Item = Property> {
        Attr::ALL
            .iter()
            .map(|&a| Property::Attr(a))
            .chain(Property::FIELDS)
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.graph_name())
    }
}

/// Read access to one user's properties. `None` means null. AccountEnabled reads "true"/"false",
/// UserType "Member"/"Guest".
pub trait UserView {
    /// The value of `p` for this user, or `None` when it is null.
    fn get(&self, p: Property) -> Option<&str>;
}

/// A parse error: byte offset and length within the rule text, and a one-sentence message saying
/// what would be valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset of the offending text.
    pub offset: usize,
    /// Byte length of the offending text (0 for something missing at `offset`).
    pub len: usize,
    /// What is wrong and what would be valid, in one sentence.
    pub message: String,
}

impl ExprError {
    pub(crate) fn new(offset: usize, len: usize, message: impl Into<String>) -> ExprError {
        ExprError {
            offset,
            len,
            message: message.into(),
        }
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for ExprError {}

/// Levenshtein distance over ASCII-lowercased characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest property name to `name` among `candidates`, if one is close enough to be a
/// plausible typo.
fn closest_property(name: &str, candidates: &[Property]) -> Option<Property> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .iter()
        .map(|&p| (edit_distance(name, p.graph_name()), p))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, p)| p)
}

/// The message for an unknown property name: a "did you mean" when one is close, then the list
/// of valid names, leaving out `excluded` (`prefix` is written before each, e.g. `"user."`).
pub(crate) fn unknown_property_message(name: &str, prefix: &str, excluded: &[Property]) -> String {
    let candidates: Vec<Property> = Property::all().filter(|p| !excluded.contains(p)).collect();
    let valid: Vec<String> = candidates
        .iter()
        .map(|p| format!("{prefix}{}", p.graph_name()))
        .collect();
    match closest_property(name, &candidates) {
        Some(p) => format!(
            "unknown property \"{prefix}{name}\" (did you mean \"{prefix}{}\"?); valid properties are {}",
            p.graph_name(),
            valid.join(", ")
        ),
        None => format!(
            "unknown property \"{prefix}{name}\"; valid properties are {}",
            valid.join(", ")
        ),
    }
}

/// The kind of a comparison, before negation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Eq,
    StartsWith,
    EndsWith,
    Contains,
    Match,
    In,
}

/// Operator spellings: (lowercase name without the dash, canonical name, kind, negated).
const OPERATORS: [(&str, &str, Kind, bool); 12] = [
    ("eq", "-eq", Kind::Eq, false),
    ("ne", "-ne", Kind::Eq, true),
    ("startswith", "-startsWith", Kind::StartsWith, false),
    ("notstartswith", "-notStartsWith", Kind::StartsWith, true),
    ("endswith", "-endsWith", Kind::EndsWith, false),
    ("notendswith", "-notEndsWith", Kind::EndsWith, true),
    ("contains", "-contains", Kind::Contains, false),
    ("notcontains", "-notContains", Kind::Contains, true),
    ("match", "-match", Kind::Match, false),
    ("notmatch", "-notMatch", Kind::Match, true),
    ("in", "-in", Kind::In, false),
    ("notin", "-notIn", Kind::In, true),
];

fn operator_list() -> String {
    OPERATORS.iter().map(|o| o.1).collect::<Vec<_>>().join(", ")
}

fn operator_name(kind: Kind, negated: bool) -> &'static str {
    OPERATORS
        .iter()
        .find(|o| o.2 == kind && o.3 == negated)
        .map_or("-eq", |o| o.1)
}

/// The right-hand side of a comparison, prepared for evaluation.
#[derive(Clone, Debug)]
enum Operand {
    /// `null`.
    Null,
    /// `true` / `false` (only for `accountEnabled`).
    Bool(bool),
    /// A string, as written and lowercased for case-insensitive comparison.
    Text { raw: String, lower: String },
    /// A `-in` / `-notIn` list, each value as written and lowercased.
    List(Vec<(String, String)>),
    /// A `-match` / `-notMatch` pattern, compiled case-insensitively.
    Pattern(Regex),
}

/// One `user.<property> <operator> <value>` condition.
#[derive(Clone, Debug)]
struct Comparison {
    prop: Property,
    kind: Kind,
    negated: bool,
    operand: Operand,
}

/// Case-insensitive string comparison of attribute value `s` against `lower` (already
/// lowercased), without allocating when both are ASCII.
fn compare_ci(kind: Kind, s: &str, lower: &str) -> bool {
    if s.is_ascii() && lower.is_ascii() {
        let (s, l) = (s.as_bytes(), lower.as_bytes());
        return match kind {
            Kind::Eq | Kind::In => s.eq_ignore_ascii_case(l),
            Kind::StartsWith => s.len() >= l.len() && s[..l.len()].eq_ignore_ascii_case(l),
            Kind::EndsWith => s.len() >= l.len() && s[s.len() - l.len()..].eq_ignore_ascii_case(l),
            Kind::Contains => l.is_empty() || s.windows(l.len()).any(|w| w.eq_ignore_ascii_case(l)),
            Kind::Match => false,
        };
    }
    let s = s.to_lowercase();
    match kind {
        Kind::Eq | Kind::In => s == lower,
        Kind::StartsWith => s.starts_with(lower),
        Kind::EndsWith => s.ends_with(lower),
        Kind::Contains => s.contains(lower),
        Kind::Match => false,
    }
}

impl Comparison {
    /// Null handling (a documented choice; Entra's docs only show `-eq null` / `-ne null`):
    /// every negated operator (`-ne`, `-notStartsWith`, `-notEndsWith`, `-notContains`,
    /// `-notMatch`, `-notIn`) is evaluated as the negation of its positive form, and a positive
    /// comparison of a null attribute with anything but `null` is false. So a user without a
    /// department is in `user.department -ne "Sales"`, which is why Entra's guidance adds
    /// `-and user.department -ne null` to exclude such users. An empty string counts as null,
    /// as it does in the directory (an interned empty string is the null value).
    fn eval(&self, u: &dyn UserView) -> bool {
        let value = u.get(self.prop).filter(|s| !s.is_empty());
        let positive = match (value, &self.operand) {
            (None, Operand::Null) => true,
            (None, _) | (Some(_), Operand::Null) => false,
            (Some(s), Operand::Bool(b)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            (Some(s), Operand::Text { lower, .. }) => compare_ci(self.kind, s, lower),
            (Some(s), Operand::List(items)) => items.iter().any(|(_, l)| compare_ci(Kind::In, s, l)),
            (Some(s), Operand::Pattern(re)) => re.is_match(s),
        };
        positive != self.negated
    }
}

/// Writes `s` as a double-quoted rule string that [`MembershipRule::parse`] reads back as `s`.
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => f.write_str("\\\"")?,
            // A backslash is only an escape before a quote or a backslash (so regexes like
            // `\d` need no doubling); elsewhere it is written as is.
            '\\' if matches!(chars.peek(), None | Some('"' | '\'' | '\\')) => f.write_str("\\\\")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "user.{} {} ",
            self.prop.graph_name(),
            operator_name(self.kind, self.negated)
        )?;
        match &self.operand {
            Operand::Null => f.write_str("null"),
            Operand::Bool(b) => write!(f, "{b}"),
            Operand::Text { raw, .. } => write_quoted(f, raw),
            Operand::Pattern(re) => write_quoted(f, re.as_str()),
            Operand::List(items) => {
                f.write_str("[")?;
                for (i, (raw, _)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_quoted(f, raw)?;
                }
                f.write_str("]")
            }
        }
    }
}

/// A parsed rule. `-and` / `-or` chains are flattened, so a node never has a child of its own
/// kind.
#[derive(Clone, Debug)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(Comparison),
}

impl Expr {
    fn eval(&self, u: &dyn UserView) -> bool {
        match self {
            Expr::Or(items) => items.iter().any(|e| e.eval(u)),
            Expr::And(items) => items.iter().all(|e| e.eval(u)),
            Expr::Not(e) => !e.eval(u),
            Expr::Cmp(c) => c.eval(u),
        }
    }

    fn collect_properties(&self, out: &mut Vec<Property>) {
        match self {
            Expr::Or(items) | Expr::And(items) => items.iter().for_each(|e| e.collect_properties(out)),
            Expr::Not(e) => e.collect_properties(out),
            Expr::Cmp(c) => {
                if !out.contains(&c.prop) {
                    out.push(c.prop);
                }
            }
        }
    }

    /// Builds an n-ary node, splicing children of the same kind (from parentheses) into it.
    fn join(items: Vec<Expr>, and: bool) -> Expr {
        if items.len() == 1 {
            return items.into_iter().next().unwrap_or(Expr::And(Vec::new()));
        }
        let mut flat = Vec::with_capacity(items.len());
        for e in items {
            match e {
                Expr::And(inner) if and => flat.extend(inner),
                Expr::Or(inner) if !and => flat.extend(inner),
                e => flat.push(e),
            }
        }
        if and {
            Expr::And(flat)
        } else {
            Expr::Or(flat)
        }
    }
}

/// Canonical form: minimal parentheses under `-not` > `-and` > `-or`, `-not` always with a dash,
/// properties and operators in their Graph spelling, values double-quoted.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(items) => {
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" -or ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Expr::And(items) => {
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" -and ")?;
                    }
                    match e {
                        Expr::Or(_) => write!(f, "({e})")?,
                        e => write!(f, "{e}")?,
                    }
                }
                Ok(())
            }
            Expr::Not(e) => match **e {
                Expr::Or(_) | Expr::And(_) => write!(f, "-not ({e})"),
                _ => write!(f, "-not {e}"),
            },
            Expr::Cmp(c) => write!(f, "{c}"),
        }
    }
}

/// A token of the rule language.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// `-word`: an operator; holds the word without the dash.
    Dash(String),
    /// A bare word: `user.department`, `true`, `null`, `not`.
    Word(String),
    /// A quoted string, escapes resolved.
    Str(String),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    offset: usize,
    len: usize,
}

impl Token {
    fn is_dash(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Dash(w) if w.eq_ignore_ascii_case(word))
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Splits `text` into tokens.
fn lex(text: &str) -> Result<Vec<Token>, ExprError> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some(&(start, c)) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = single {
            it.next();
            out.push(Token {
                tok,
                offset: start,
                len: 1,
            });
            continue;
        }
        if c == '"' || c == '\'' {
            it.next();
            let mut s = String::new();
            let mut end = None;
            while let Some((i, ch)) = it.next() {
                if ch == c {
                    end = Some(i + 1);
                    break;
                }
                if ch == '\\' {
                    if let Some(&(_, next @ ('"' | '\'' | '\\'))) = it.peek() {
                        s.push(next);
                        it.next();
                        continue;
                    }
                }
                s.push(ch);
            }
            let Some(end) = end else {
                return Err(ExprError::new(
                    start,
                    text.len() - start,
                    format!("this string is never closed; end it with a matching {c}"),
                ));
            };
            out.push(Token {
                tok: Tok::Str(s),
                offset: start,
                len: end - start,
            });
            continue;
        }
        if c == '-' || is_word_char(c) {
            it.next();
            let mut end = start + c.len_utf8();
            while let Some(&(i, ch)) = it.peek() {
                if !is_word_char(ch) {
                    break;
                }
                end = i + ch.len_utf8();
                it.next();
            }
            let tok = if c == '-' {
                if end == start + 1 {
                    return Err(ExprError::new(
                        start,
                        1,
                        format!(
                            "a lone - is not valid; expected an operator such as {}",
                            operator_list()
                        ),
                    ));
                }
                Tok::Dash(text[start + 1..end].to_string())
            } else {
                Tok::Word(text[start..end].to_string())
            };
            out.push(Token {
                tok,
                offset: start,
                len: end - start,
            });
            continue;
        }
        return Err(ExprError::new(
            start,
            c.len_utf8(),
            format!(
                "unexpected character '{c}'; expected a condition such as user.department -eq \"Sales\", \
                 parentheses, -and, -or or -not"
            ),
        ));
    }
    Ok(out)
}

/// Recursive-descent parser over the token list.
struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

const EXAMPLE: &str = "a condition such as user.department -eq \"Sales\"";

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    /// An error about something missing at the current token (or at the end of the rule).
    fn missing_here(&self, message: String) -> ExprError {
        match self.peek() {
            Some(t) => ExprError::new(t.offset, t.len, message),
            None => ExprError::new(self.text.len(), 0, message),
        }
    }

    /// Enters one level of nesting at token `at`.
    fn enter(&mut self, at: &Token) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > RULE_DEPTH_MAX {
            return Err(ExprError::new(
                at.offset,
                at.len,
                format!(
                    "the rule nests deeper than {RULE_DEPTH_MAX} levels of parentheses and -not; \
                     flatten it with -and, -or and -in"
                ),
            ));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Expr, ExprError> {
        let mut items = vec![self.parse_and()?];
        while self.peek().is_some_and(|t| t.is_dash("or")) {
            self.pos += 1;
            items.push(self.parse_and()?);
        }
        Ok(Expr::join(items, false))
    }

    fn parse_and(&mut self) -> Result<Expr, ExprError> {
        let mut items = vec![self.parse_unary()?];
        while self.peek().is_some_and(|t| t.is_dash("and")) {
            self.pos += 1;
            items.push(self.parse_unary()?);
        }
        Ok(Expr::join(items, true))
    }

    fn parse_unary(&mut self) -> Result<Expr, ExprError> {
        let Some(t) = self.peek().cloned() else {
            return self.parse_primary();
        };
        let bare_not = matches!(&t.tok, Tok::Word(w) if w.eq_ignore_ascii_case("not"))
            && self.toks.get(self.pos + 1).is_some_and(|n| n.tok == Tok::LParen);
        if t.is_dash("not") || bare_not {
            self.enter(&t)?;
            self.pos += 1;
            let inner = self.parse_unary()?;
            self.depth -= 1;
            return Ok(match inner {
                Expr::Not(e) => *e,
                e => Expr::Not(Box::new(e)),
            });
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> Result<Expr, ExprError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.missing_here(format!("the rule ends where {EXAMPLE} was expected")));
        };
        match &t.tok {
            Tok::LParen => {
                self.enter(&t)?;
                self.pos += 1;
                let e = self.parse_or()?;
                match self.peek() {
                    Some(c) if c.tok == Tok::RParen => self.pos += 1,
                    Some(other) => {
                        return Err(ExprError::new(
                            other.offset,
                            other.len,
                            "expected -and, -or or a closing ) here",
                        ))
                    }
                    None => {
                        return Err(ExprError::new(
                            t.offset,
                            1,
                            "unbalanced parentheses: this ( is never closed; add a matching )",
                        ))
                    }
                }
                self.depth -= 1;
                Ok(e)
            }
            Tok::Word(w) => self.parse_comparison(w, &t),
            Tok::RParen => Err(ExprError::new(
                t.offset,
                t.len,
                format!("expected {EXAMPLE} before this )"),
            )),
            Tok::Dash(_) => Err(ExprError::new(
                t.offset,
                t.len,
                format!("expected {EXAMPLE} before this operator"),
            )),
            Tok::Str(_) => Err(ExprError::new(
                t.offset,
                t.len,
                "a value needs a property and an operator before it, as in user.department -eq \"Sales\"",
            )),
            Tok::LBracket | Tok::RBracket | Tok::Comma => Err(ExprError::new(
                t.offset,
                t.len,
                format!("expected {EXAMPLE} here; lists only follow -in or -notIn"),
            )),
        }
    }

    /// Resolves a `user.<name>` word to a property.
    fn resolve_property(&self, w: &str, t: &Token) -> Result<Property, ExprError> {
        let has_prefix = w.len() >= 5 && w.is_char_boundary(5) && w[..5].eq_ignore_ascii_case("user.");
        if has_prefix {
            let name = &w[5..];
            if name.is_empty() {
                return Err(ExprError::new(
                    t.offset,
                    t.len,
                    "expected a property name after user., as in user.department",
                ));
            }
            return Property::parse(name).ok_or_else(|| {
                ExprError::new(
                    t.offset + 5,
                    name.len(),
                    unknown_property_message(name, "user.", &[]),
                )
            });
        }
        if let Some(dot) = w.find('.') {
            return Err(ExprError::new(
                t.offset,
                dot,
                format!("only user properties can be used; write user.<property> instead of {w}"),
            ));
        }
        if let Some(p) = Property::parse(w) {
            return Err(ExprError::new(
                t.offset,
                t.len,
                format!("properties need the user. prefix; write user.{}", p.graph_name()),
            ));
        }
        Err(ExprError::new(
            t.offset,
            t.len,
            format!("expected {EXAMPLE} but found \"{w}\""),
        ))
    }

    fn parse_comparison(&mut self, w: &str, t: &Token) -> Result<Expr, ExprError> {
        let prop = self.resolve_property(w, t)?;
        self.pos += 1;
        let after_prop = format!(
            "expected an operator ({}) after user.{}",
            operator_list(),
            prop.graph_name()
        );
        let op_tok = match self.peek() {
            Some(o) if matches!(o.tok, Tok::Dash(_)) => o.clone(),
            _ => return Err(self.missing_here(after_prop)),
        };
        let Tok::Dash(op_word) = &op_tok.tok else {
            return Err(self.missing_here(after_prop));
        };
        let Some(&(_, op_name, kind, negated)) = OPERATORS.iter().find(|o| o.0.eq_ignore_ascii_case(op_word))
        else {
            return Err(ExprError::new(
                op_tok.offset,
                op_tok.len,
                format!(
                    "unknown operator -{op_word}; valid operators are {}",
                    operator_list()
                ),
            ));
        };
        self.pos += 1;
        if prop == Property::AccountEnabled && kind != Kind::Eq {
            return Err(ExprError::new(
                op_tok.offset,
                op_tok.len,
                "user.accountEnabled is a boolean, so only -eq and -ne apply to it",
            ));
        }
        let operand = self.parse_operand(prop, op_name, kind)?;
        Ok(Expr::Cmp(Comparison {
            prop,
            kind,
            negated,
            operand,
        }))
    }

    fn parse_operand(&mut self, prop: Property, op_name: &str, kind: Kind) -> Result<Operand, ExprError> {
        let missing = format!("expected a value after {op_name}: a quoted string, true, false or null");
        let Some(v) = self.peek().cloned() else {
            return Err(self.missing_here(missing));
        };
        if kind == Kind::In {
            return self.parse_list(op_name, &v);
        }
        let operand = match &v.tok {
            Tok::Str(s) => Operand::Text {
                raw: s.clone(),
                lower: s.to_lowercase(),
            },
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => Operand::Null,
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Operand::Bool(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Operand::Bool(false),
            Tok::Word(w) if prop == Property::AccountEnabled => {
                return Err(ExprError::new(
                    v.offset,
                    v.len,
                    format!("user.accountEnabled is true or false, not {w}; write -eq true or -eq false"),
                ))
            }
            Tok::Word(w) => {
                return Err(ExprError::new(
                    v.offset,
                    v.len,
                    format!(
                        "the value {w} must be quoted, as in \"{w}\" (only true, false and null are bare)"
                    ),
                ))
            }
            Tok::LBracket => {
                return Err(ExprError::new(
                    v.offset,
                    v.len,
                    format!("a bracketed list only follows -in or -notIn, not {op_name}"),
                ))
            }
            _ => return Err(ExprError::new(v.offset, v.len, missing)),
        };
        self.pos += 1;
        let err = |m: &str| Err(ExprError::new(v.offset, v.len, m));
        match operand {
            Operand::Null if kind != Kind::Eq => err("null can only be compared with -eq or -ne"),
            Operand::Bool(_) if prop != Property::AccountEnabled => {
                err("true and false only apply to user.accountEnabled; quote the value to compare text")
            }
            Operand::Text { raw, .. } if prop == Property::AccountEnabled => {
                if raw.eq_ignore_ascii_case("true") {
                    Ok(Operand::Bool(true))
                } else if raw.eq_ignore_ascii_case("false") {
                    Ok(Operand::Bool(false))
                } else {
                    err("user.accountEnabled can only be compared with true or false")
                }
            }
            Operand::Text { raw, .. } if kind == Kind::Match => RegexBuilder::new(&raw)
                .case_insensitive(true)
                .build()
                .map(Operand::Pattern)
                .map_err(|e| {
                    let reason = e.to_string();
                    let reason = reason
                        .lines()
                        .find_map(|l| l.strip_prefix("error: "))
                        .unwrap_or("the pattern does not compile")
                        .to_string();
                    ExprError::new(
                        v.offset,
                        v.len,
                        format!("{op_name} needs a valid regular expression, but this one fails: {reason}"),
                    )
                }),
            operand => Ok(operand),
        }
    }

    fn parse_list(&mut self, op_name: &str, open: &Token) -> Result<Operand, ExprError> {
        if open.tok != Tok::LBracket {
            return Err(ExprError::new(
                open.offset,
                open.len,
                format!(
                    "{op_name} takes a bracketed list of quoted values, as in [\"Sales\", \"Marketing\"]"
                ),
            ));
        }
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            match self.peek().cloned() {
                Some(Token { tok: Tok::Str(s), .. }) => {
                    self.pos += 1;
                    let lower = s.to_lowercase();
                    items.push((s, lower));
                }
                Some(t) if t.tok == Tok::RBracket && items.is_empty() => {
                    return Err(ExprError::new(
                        open.offset,
                        t.offset + 1 - open.offset,
                        format!("the {op_name} list is empty; give at least one quoted value"),
                    ))
                }
                Some(t) => {
                    return Err(ExprError::new(
                        t.offset,
                        t.len,
                        "expected a quoted value in the list, as in [\"Sales\", \"Marketing\"]",
                    ))
                }
                None => {
                    return Err(ExprError::new(
                        open.offset,
                        1,
                        "this [ is never closed; end the list with ]",
                    ))
                }
            }
            match self.peek().cloned() {
                Some(t) if t.tok == Tok::Comma => self.pos += 1,
                Some(t) if t.tok == Tok::RBracket => {
                    self.pos += 1;
                    return Ok(Operand::List(items));
                }
                Some(t) => {
                    return Err(ExprError::new(
                        t.offset,
                        t.len,
                        "expected , or ] after a list value",
                    ))
                }
                None => {
                    return Err(ExprError::new(
                        open.offset,
                        1,
                        "this [ is never closed; end the list with ]",
                    ))
                }
            }
        }
    }
}

/// A parsed Entra dynamic membership rule for users.
#[derive(Clone, Debug)]
pub struct MembershipRule {
    expr: Expr,
}

impl MembershipRule {
    /// Parses `text`, refusing it with a positioned [`ExprError`] when it is malformed, longer
    /// than [`RULE_LEN_MAX_CHARS`] or nested deeper than [`RULE_DEPTH_MAX`].
    pub fn parse(text: &str) -> Result<MembershipRule, ExprError> {
        if let Some((cut, _)) = text.char_indices().nth(RULE_LEN_MAX_CHARS) {
            return Err(ExprError::new(
                cut,
                text.len() - cut,
                format!(
                    "the rule is {} characters long, and Entra accepts at most {RULE_LEN_MAX_CHARS}",
                    text.chars().count()
                ),
            ));
        }
        let toks = lex(text)?;
        if toks.is_empty() {
            return Err(ExprError::new(
                0,
                text.len(),
                format!("the rule is empty; expected {EXAMPLE}"),
            ));
        }
        let mut p = Parser {
            text,
            toks,
            pos: 0,
            depth: 0,
        };
        let expr = p.parse_or()?;
        if let Some(t) = p.peek() {
            let message = if t.tok == Tok::RParen {
                "unbalanced parentheses: this ) has no matching ("
            } else {
                "unexpected text after a complete condition; join conditions with -and or -or"
            };
            return Err(ExprError::new(t.offset, t.len, message));
        }
        Ok(MembershipRule { expr })
    }

    /// Whether user `u` is a member under this rule.
    pub fn matches(&self, u: &dyn UserView) -> bool {
        self.expr.eval(u)
    }

    /// The properties the rule reads, each once, in order of first appearance.
    pub fn properties(&self) -> Vec<Property> {
        let mut out = Vec::new();
        self.expr.collect_properties(&mut out);
        out
    }
}

/// Two rules are equal when their canonical forms are (compiled regexes have no equality of their
/// own); `(user.city -eq "a")` equals `user.CITY -EQ 'a'`.
impl PartialEq for MembershipRule {
    fn eq(&self, other: &MembershipRule) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for MembershipRule {}

/// The canonical form: minimal parentheses under `-not` > `-and` > `-or`, Graph spellings of
/// properties and operators, double-quoted values. Parsing it gives back an equivalent rule with
/// the same canonical form.
impl fmt::Display for MembershipRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)
    }
}

/// A user for tests of rules and filters (here and in `scoping`).
/// A stored user seen through [`UserView`], for membership rules and scoping filters.
pub struct SourceUser<'a> {
    /// The user.
    pub user: &'a crate::user::User,
    /// The world's interner.
    pub strings: &'a crate::strings::Interner,
}

impl UserView for SourceUser<'_> {
    fn get(&self, p: crate::membership::Property) -> Option<&str> {
        match p {
            Property::Attr(a) => {
                let v = self.user.text(a, self.strings);
                (!v.is_empty()).then_some(v)
            }
            Property::UserPrincipalName => Some(&self.user.upn),
            Property::UserType => Some(self.user.user_type.as_str()),
            Property::AccountEnabled => Some(if self.user.account_enabled {
                "true"
            } else {
                "false"
            }),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_user {
    use super::{Property, UserView};
    use std::collections::HashMap;

    /// A user as a map from Graph property name to value; absent names are null.
    #[derive(Default)]
    pub(crate) struct TestUser(HashMap<&'static str, &'static str>);

    impl UserView for TestUser {
        fn get(&self, p: Property) -> Option<&str> {
            self.0.get(p.graph_name()).copied()
        }
    }

    /// A user with these (Graph property name, value) pairs.
    pub(crate) fn user(pairs: &[(&'static str, &'static str)]) -> TestUser {
        TestUser(pairs.iter().copied().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::test_user::{user, TestUser};
    use super::*;

    fn rule(text: &str) -> MembershipRule {
        MembershipRule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> ExprError {
        match MembershipRule::parse(text) {
            Ok(r) => panic!("{text} parsed as {r}"),
            Err(e) => e,
        }
    }

    /// The text an error points at.
    fn span(text: &str, e: &ExprError) -> String {
        text[e.offset..e.offset + e.len].to_string()
    }

    fn sales() -> TestUser {
        user(&[
            ("department", "Sales"),
            ("country", "US"),
            ("jobTitle", "Account Manager"),
            ("userPrincipalName", "alex@contoso.com"),
            ("userType", "Member"),
            ("accountEnabled", "true"),
        ])
    }

    #[test]
    fn property_parse_is_case_insensitive_on_graph_names() {
        assert_eq!(
            Property::parse("department"),
            Some(Property::Attr(Attr::Department))
        );
        assert_eq!(Property::parse("JOBTITLE"), Some(Property::Attr(Attr::JobTitle)));
        assert_eq!(
            Property::parse("userprincipalname"),
            Some(Property::UserPrincipalName)
        );
        assert_eq!(Property::parse("UserType"), Some(Property::UserType));
        assert_eq!(Property::parse("accountEnabled"), Some(Property::AccountEnabled));
        assert_eq!(Property::parse("manager"), None);
        for p in Property::all() {
            assert_eq!(Property::parse(p.graph_name()), Some(p));
        }
        assert_eq!(Property::all().count(), Attr::ALL.len() + 3);
    }

    #[test]
    fn eq_and_ne_are_case_insensitive() {
        let u = sales();
        assert!(rule(r#"user.department -eq "sales""#).matches(&u));
        assert!(rule(r#"user.department -EQ "SALES""#).matches(&u));
        assert!(!rule(r#"user.department -eq "Sale""#).matches(&u));
        assert!(!rule(r#"user.department -ne "sAlEs""#).matches(&u));
        assert!(rule(r#"user.department -ne "Marketing""#).matches(&u));
    }

    #[test]
    fn eq_is_case_insensitive_beyond_ascii() {
        let u = user(&[("city", "MÜNCHEN")]);
        assert!(rule(r#"user.city -eq "München""#).matches(&u));
        assert!(rule(r#"user.city -startsWith "mün""#).matches(&u));
        assert!(!rule(r#"user.city -eq "Munchen""#).matches(&u));
    }

    #[test]
    fn starts_with_and_not_starts_with() {
        let u = sales();
        assert!(rule(r#"user.jobTitle -startsWith "account""#).matches(&u));
        assert!(!rule(r#"user.jobTitle -startswith "Manager""#).matches(&u));
        assert!(!rule(r#"user.jobTitle -notStartsWith "ACC""#).matches(&u));
        assert!(rule(r#"user.jobTitle -notStartsWith "Man""#).matches(&u));
    }

    #[test]
    fn ends_with_and_not_ends_with() {
        let u = sales();
        assert!(rule(r#"user.userPrincipalName -endsWith "@CONTOSO.com""#).matches(&u));
        assert!(!rule(r#"user.userPrincipalName -endsWith "@fabrikam.com""#).matches(&u));
        assert!(!rule(r#"user.userPrincipalName -notEndsWith "contoso.com""#).matches(&u));
        assert!(rule(r#"user.userPrincipalName -notEndsWith "fabrikam.com""#).matches(&u));
    }

    #[test]
    fn contains_and_not_contains() {
        let u = sales();
        assert!(rule(r#"user.jobTitle -contains "unt man""#).matches(&u));
        assert!(!rule(r#"user.jobTitle -contains "engineer""#).matches(&u));
        assert!(!rule(r#"user.jobTitle -notContains "MANAGER""#).matches(&u));
        assert!(rule(r#"user.jobTitle -notContains "Engineer""#).matches(&u));
    }

    #[test]
    fn match_is_an_unanchored_case_insensitive_regex() {
        let u = sales();
        assert!(rule(r#"user.jobTitle -match "^account\s+m""#).matches(&u));
        assert!(rule(r#"user.jobTitle -match "MANAGER""#).matches(&u));
        assert!(!rule(r#"user.jobTitle -match "^manager""#).matches(&u));
        assert!(!rule(r#"user.jobTitle -notMatch "acc.*ger$""#).matches(&u));
        assert!(rule(r#"user.jobTitle -notMatch "^Engineer""#).matches(&u));
    }

    #[test]
    fn in_and_not_in_compare_each_value_case_insensitively() {
        let u = sales();
        assert!(rule(r#"user.department -in ["Marketing", "SALES"]"#).matches(&u));
        assert!(!rule(r#"user.department -in ["Marketing","Finance"]"#).matches(&u));
        assert!(!rule(r#"user.department -notIn ["sales"]"#).matches(&u));
        assert!(rule(r#"user.department -notin ["Marketing", "Finance"]"#).matches(&u));
    }

    #[test]
    fn account_enabled_and_user_type_compare_their_fields() {
        let enabled = sales();
        let disabled = user(&[("accountEnabled", "false"), ("userType", "Guest")]);
        let r = rule("user.accountEnabled -eq true");
        assert!(r.matches(&enabled) && !r.matches(&disabled));
        assert!(rule("user.accountEnabled -ne TRUE").matches(&disabled));
        assert!(rule(r#"user.accountEnabled -eq "False""#).matches(&disabled));
        assert!(rule(r#"user.userType -eq "guest""#).matches(&disabled));
        assert!(!rule(r#"user.userType -eq "Guest""#).matches(&enabled));
    }

    #[test]
    fn null_comparisons() {
        let none = TestUser::default();
        let empty = user(&[("department", "")]);
        let some = sales();
        for u in [&none, &empty] {
            assert!(rule("user.department -eq null").matches(u));
            assert!(!rule("user.department -ne null").matches(u));
        }
        assert!(!rule("user.department -eq NULL").matches(&some));
        assert!(rule("user.department -ne null").matches(&some));
    }

    #[test]
    fn null_attribute_fails_positive_and_passes_negated_operators() {
        let u = TestUser::default();
        for positive in [
            r#"user.department -eq "Sales""#,
            r#"user.department -startsWith "S""#,
            r#"user.department -endsWith "s""#,
            r#"user.department -contains "a""#,
            r#"user.department -contains """#,
            r#"user.department -match ".*""#,
            r#"user.department -in ["Sales"]"#,
        ] {
            assert!(!rule(positive).matches(&u), "{positive}");
        }
        for negated in [
            r#"user.department -ne "Sales""#,
            r#"user.department -notStartsWith "S""#,
            r#"user.department -notEndsWith "s""#,
            r#"user.department -notContains "a""#,
            r#"user.department -notMatch ".*""#,
            r#"user.department -notIn ["Sales"]"#,
        ] {
            assert!(rule(negated).matches(&u), "{negated}");
        }
    }

    #[test]
    fn dynamic_rule_precedence_not_and_or() {
        // a -or b -and c parses as a -or (b -and c).
        let r = rule(r#"user.country -eq "US" -or user.department -eq "HR" -and user.city -eq "Oslo""#);
        assert!(r.matches(&user(&[("country", "US")])));
        assert!(!r.matches(&user(&[("department", "HR")])));
        assert!(r.matches(&user(&[("department", "HR"), ("city", "Oslo")])));
        // -not binds tighter than -and: (-not a) -and b.
        let r = rule(r#"-not user.country -eq "US" -and user.department -eq "HR""#);
        assert!(r.matches(&user(&[("department", "HR"), ("country", "NO")])));
        assert!(!r.matches(&user(&[("department", "IT"), ("country", "NO")])));
        assert!(!r.matches(&user(&[("department", "HR"), ("country", "US")])));
    }

    #[test]
    fn parentheses_override_precedence_and_nest() {
        let r = rule(r#"(user.country -eq "US" -or user.department -eq "HR") -and ((user.city -eq "Oslo"))"#);
        assert!(!r.matches(&user(&[("country", "US")])));
        assert!(r.matches(&user(&[("country", "US"), ("city", "Oslo")])));
        assert!(r.matches(&user(&[("department", "HR"), ("city", "oslo")])));
        let r = rule(r#"not (user.country -eq "US" -or -not (user.city -eq "Oslo"))"#);
        assert!(r.matches(&user(&[("country", "NO"), ("city", "Oslo")])));
        assert!(!r.matches(&user(&[("country", "NO"), ("city", "Bergen")])));
        assert!(!r.matches(&user(&[("country", "US"), ("city", "Oslo")])));
    }

    #[test]
    fn double_negation_cancels() {
        let r = rule(r#"-not -not user.country -eq "US""#);
        assert!(r.matches(&sales()));
        assert_eq!(r.to_string(), r#"user.country -eq "US""#);
    }

    #[test]
    fn strings_accept_both_quotes_and_escapes() {
        let u = user(&[("department", r#"R"D's \d"#)]);
        assert!(rule(r#"user.department -eq "R\"D's \d""#).matches(&u));
        assert!(rule(r#"user.department -eq 'R"D\'s \\d'"#).matches(&u));
    }

    #[test]
    fn canonical_form_round_trips() {
        let cases = [
            (
                r#"(user.department -EQ 'Sales') -or (USER.Country -eq "US")"#,
                r#"user.department -eq "Sales" -or user.country -eq "US""#,
            ),
            (r#"((user.jobtitle -eq "x"))"#, r#"user.jobTitle -eq "x""#),
            (
                r#"user.city -in ['a','b'] -and (user.country -startswith "N" -or not (user.mail -ne null))"#,
                r#"user.city -in ["a", "b"] -and (user.country -startsWith "N" -or -not user.mail -ne null)"#,
            ),
            (
                r#"-not (user.accountEnabled -eq 'TRUE' -and user.jobTitle -notmatch "a\"b\\.")"#,
                r#"-not (user.accountEnabled -eq true -and user.jobTitle -notMatch "a\"b\.")"#,
            ),
            (
                r#"(user.city -eq "a" -and user.city -eq "b") -and user.city -eq "c""#,
                r#"user.city -eq "a" -and user.city -eq "b" -and user.city -eq "c""#,
            ),
        ];
        for (input, canonical) in cases {
            let r = rule(input);
            assert_eq!(r.to_string(), canonical, "{input}");
            assert_eq!(rule(canonical).to_string(), canonical);
        }
    }

    #[test]
    fn properties_are_deduplicated_in_order() {
        let r = rule(
            r#"user.city -eq "a" -or (user.department -eq "b" -and user.CITY -ne null) -or user.accountEnabled -eq true"#,
        );
        assert_eq!(
            r.properties(),
            vec![
                Property::Attr(Attr::City),
                Property::Attr(Attr::Department),
                Property::AccountEnabled
            ]
        );
    }

    #[test]
    fn error_unknown_property_suggests_the_closest() {
        let text = r#"user.departmnt -eq "Sales""#;
        let e = err(text);
        assert_eq!((e.offset, e.len), (5, 9));
        assert_eq!(span(text, &e), "departmnt");
        assert!(
            e.message.contains("did you mean \"user.department\""),
            "{}",
            e.message
        );
        assert!(e.message.contains("user.jobTitle"), "{}", e.message);
        let e = err(r#"user.zzzzzzzzzzzz -eq "x""#);
        assert!(!e.message.contains("did you mean"), "{}", e.message);
    }

    #[test]
    fn error_property_without_user_prefix() {
        let text = r#"(department -eq "Sales")"#;
        let e = err(text);
        assert_eq!((e.offset, e.len), (1, 10));
        assert!(e.message.contains("user.department"), "{}", e.message);
        let text = r#"device.deviceOSType -eq "iPad""#;
        let e = err(text);
        assert_eq!(span(text, &e), "device");
        let text = r#"user. -eq "x""#;
        assert_eq!(span(text, &err(text)), "user.");
    }

    #[test]
    fn error_unknown_or_missing_operator() {
        let text = r#"user.department -equals "Sales""#;
        let e = err(text);
        assert_eq!(span(text, &e), "-equals");
        assert!(e.message.contains("-startsWith"), "{}", e.message);
        let text = r#"user.department "Sales""#;
        let e = err(text);
        assert_eq!((e.offset, e.len), (16, 7));
        assert!(e.message.contains("expected an operator"), "{}", e.message);
        let text = "user.department";
        assert_eq!((err(text).offset, err(text).len), (15, 0));
        let text = r#"user.department - "x""#;
        assert_eq!((err(text).offset, err(text).len), (16, 1));
    }

    #[test]
    fn error_missing_value() {
        let text = "user.department -eq";
        let e = err(text);
        assert_eq!((e.offset, e.len), (19, 0));
        assert!(e.message.contains("expected a value after -eq"), "{}", e.message);
        let text = r#"(user.department -eq) -or user.city -eq "x""#;
        assert_eq!(span(text, &err(text)), ")");
        let text = r#"user.department -eq -and user.city -eq "x""#;
        assert_eq!(span(text, &err(text)), "-and");
        let text = "user.department -eq Sales";
        let e = err(text);
        assert_eq!(span(text, &e), "Sales");
        assert!(e.message.contains("quoted"), "{}", e.message);
    }

    #[test]
    fn error_unbalanced_parentheses() {
        let text = r#"((user.city -eq "a") -or user.city -eq "b""#;
        let e = err(text);
        assert_eq!((e.offset, e.len), (0, 1));
        assert!(e.message.contains("never closed"), "{}", e.message);
        let text = r#"(user.city -eq "a")) -or user.city -eq "b""#;
        let e = err(text);
        assert_eq!((e.offset, e.len), (19, 1));
        assert!(e.message.contains("no matching ("), "{}", e.message);
        let text = r#"(user.city -eq "a" user.city -eq "b")"#;
        assert_eq!(span(text, &err(text)), "user.city");
        assert_eq!(span("()", &err("()")), ")");
    }

    #[test]
    fn error_trailing_input() {
        let text = r#"user.city -eq "a" user.city -eq "b""#;
        let e = err(text);
        assert_eq!((e.offset, e.len), (18, 9));
        assert!(e.message.contains("-and or -or"), "{}", e.message);
        let text = r#"user.city -eq "a" -or"#;
        assert_eq!((err(text).offset, err(text).len), (text.len(), 0));
    }

    #[test]
    fn error_lexical() {
        let text = r#"user.city -eq "Oslo"#;
        let e = err(text);
        assert_eq!((e.offset, e.len), (14, 5));
        assert!(e.message.contains("never closed"), "{}", e.message);
        let text = r#"user.city == "Oslo""#;
        assert_eq!((err(text).offset, err(text).len), (10, 1));
        let e = err("   ");
        assert_eq!((e.offset, e.len), (0, 3));
        assert!(e.message.contains("empty"), "{}", e.message);
    }

    #[test]
    fn error_invalid_regex_points_at_the_value() {
        let text = r#"user.city -match "(Oslo" -or user.city -eq "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), r#""(Oslo""#);
        assert!(e.message.contains("regular expression"), "{}", e.message);
        assert!(!e.message.contains('\n'), "{}", e.message);
    }

    #[test]
    fn error_value_types() {
        let text = r#"user.city -startsWith null"#;
        assert_eq!(span(text, &err(text)), "null");
        let text = "user.city -eq true";
        assert_eq!(span(text, &err(text)), "true");
        let text = r#"user.accountEnabled -eq "yes""#;
        assert_eq!(span(text, &err(text)), r#""yes""#);
        let text = r#"user.accountEnabled -contains "t""#;
        assert_eq!(span(text, &err(text)), "-contains");
        let text = r#"user.city -eq ["a"]"#;
        assert_eq!(span(text, &err(text)), "[");
    }

    #[test]
    fn error_in_lists() {
        let text = r#"user.city -in "Oslo""#;
        assert_eq!(span(text, &err(text)), r#""Oslo""#);
        let text = "user.city -in []";
        assert_eq!(span(text, &err(text)), "[]");
        let text = r#"user.city -in ["a" "b"]"#;
        assert_eq!(span(text, &err(text)), r#""b""#);
        let text = r#"user.city -in ["a", null]"#;
        assert_eq!(span(text, &err(text)), "null");
        let text = r#"user.city -in ["a","#;
        assert_eq!((err(text).offset, err(text).len), (14, 1));
    }

    #[test]
    fn rule_length_is_capped_at_3072_characters() {
        let base = r#"user.city -eq """#;
        let fill = |n: usize| format!(r#"user.city -eq "{}""#, "é".repeat(n - base.chars().count()));
        let at_cap = fill(RULE_LEN_MAX_CHARS);
        assert_eq!(at_cap.chars().count(), RULE_LEN_MAX_CHARS);
        assert!(MembershipRule::parse(&at_cap).is_ok());
        let over = fill(RULE_LEN_MAX_CHARS + 1);
        let e = err(&over);
        let cut = over.char_indices().nth(RULE_LEN_MAX_CHARS).map(|(i, _)| i);
        assert_eq!(Some(e.offset), cut);
        assert_eq!(e.offset + e.len, over.len());
        assert!(e.message.contains("3072"), "{}", e.message);
    }

    #[test]
    fn nesting_depth_is_capped_at_64() {
        let nest = |n: usize| format!(r#"{}user.city -eq "a"{}"#, "(".repeat(n), ")".repeat(n));
        assert!(rule(&nest(RULE_DEPTH_MAX)).matches(&user(&[("city", "A")])));
        let e = err(&nest(RULE_DEPTH_MAX + 1));
        assert_eq!((e.offset, e.len), (RULE_DEPTH_MAX, 1));
        assert!(e.message.contains("64"), "{}", e.message);
        let nots = |n: usize| format!(r#"{}user.city -eq "a""#, "-not ".repeat(n));
        assert!(MembershipRule::parse(&nots(RULE_DEPTH_MAX)).is_ok());
        let e = err(&nots(RULE_DEPTH_MAX + 1));
        assert_eq!((e.offset, e.len), (5 * RULE_DEPTH_MAX, 4));
    }

    #[test]
    fn long_flat_chains_do_not_count_as_nesting() {
        let text = vec![r#"user.city -eq "a""#; 100].join(" -or ");
        assert!(text.len() < RULE_LEN_MAX_CHARS);
        assert!(rule(&text).matches(&user(&[("city", "a")])));
    }
}
