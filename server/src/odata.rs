//! OData query options as Graph reads them. [`options`] splits any query string: percent
//! escapes decoded, the system options' `$` optional, each at most once, the string capped at
//! [`QUERY_BYTES_MAX`]; every area reads its options from it and refuses the ones it does not
//! take with Graph's error, never a silent full answer. [`parse`] reads the directory's
//! collections: `$select`, `$filter` (`eq`, `ne`, `startswith`, `and`, `or`, parentheses,
//! `tolower`, `any` on collections), `$top` with `@odata.nextLink` paging by a `$skiptoken`
//! this server encodes ([`encode_skiptoken`], [`next_query`]), and `$count=true` (which Graph
//! answers for directory objects only with the `ConsistencyLevel: eventual` header).
//!
//! Strings compare case-insensitively, as the directory's do (so `tolower` changes nothing).
//! Filters and projections run on the JSON mtosim-graph renders, so what a client filters on
//! is exactly what it reads.

use mtosim_graph::request::Problem;
use serde_json::{Map, Value};

/// Longest query string read, in bytes.
pub const QUERY_BYTES_MAX: usize = 4096;
/// Page size when `$top` is not given (Graph's default for users and groups).
pub const PAGE_SIZE_DEFAULT: usize = 100;
/// Largest `$top` (Graph's limit for directory objects).
pub const PAGE_SIZE_MAX: usize = 999;
/// Most comparisons in one `$filter`.
pub const FILTER_TERMS_MAX: usize = 64;
/// Deepest nesting of parentheses in one `$filter`.
pub const FILTER_DEPTH_MAX: usize = 16;
/// Most properties in one `$select`.
pub const SELECT_MAX: usize = 128;

/// What a collection's objects are, for `$select` and `$filter`.
pub struct EntityType {
    /// The type's name, `microsoft.graph.user`.
    pub name: &'static str,
    /// The resource name in Graph's filter errors, `User`.
    pub resource: &'static str,
    /// Every structural property Graph's v1.0 metadata declares on it.
    pub graph: &'static [&'static str],
    /// The properties mtosim renders (a subset of `graph`), with their JSON kind.
    pub modelled: &'static [(&'static str, Kind)],
    /// Whether directory extensions (`extension_<appId>_<name>`) are properties of it.
    pub extensions: bool,
    /// The properties `$orderby` takes without Graph's advanced query parameters
    /// (`displayName`, and `userPrincipalName` on users); any string property it models with
    /// them (`ConsistencyLevel: eventual` and `$count=true`).
    pub sortable: &'static [&'static str],
}

/// The JSON kind of a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Edm.String` (and dates, rendered as strings).
    Str,
    /// `Edm.Boolean`.
    Bool,
    /// A collection of strings (`otherMails`, `proxyAddresses`, `businessPhones`, `groupTypes`):
    /// filtered with `any`.
    StrColl,
    /// A collection of objects (`identities`): filtered with `any` on their properties.
    ObjColl,
    /// A complex value: not filterable here.
    Other,
}

impl EntityType {
    /// The canonical name and kind of property `name` (case-insensitive), or Graph's error.
    fn property(&self, name: &str, option: &str) -> Result<(String, Kind), Problem> {
        if let Some((n, k)) = self.modelled.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Ok((n.to_string(), *k));
        }
        if self.extensions
            && name.starts_with("extension_")
            && mtosim_engine::extra::extension_problem(name).is_none()
        {
            return Ok((name.to_string(), Kind::Str));
        }
        if let Some(n) = self.graph.iter().find(|n| n.eq_ignore_ascii_case(name)) {
            return Err(Problem::bad_request(format!(
                "mtosim serve does not model the property '{n}' of {}, so {option} cannot name it.",
                self.name
            )));
        }
        Err(Problem::bad_request(format!(
            "Could not find a property named '{name}' on type '{}'.",
            self.name
        )))
    }
}

/// 400 `Request_BadRequest`.
fn request_bad(message: impl Into<String>) -> Problem {
    Problem {
        status: 400,
        code: "Request_BadRequest",
        message: message.into(),
    }
}

/// 400 `Request_UnsupportedQuery`.
fn unsupported(message: impl Into<String>) -> Problem {
    Problem {
        status: 400,
        code: "Request_UnsupportedQuery",
        message: message.into(),
    }
}

/// Whether the request is a collection or one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A collection: every option of this module.
    List,
    /// One object: `$select` only.
    Single,
}

/// A `$filter` expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `p eq v` (`ne` when `negate`); `None` is `null`.
    Eq {
        /// The property.
        prop: String,
        /// The literal.
        value: Literal,
        /// `ne`.
        negate: bool,
    },
    /// `startswith(p, 'v')`.
    StartsWith {
        /// The property.
        prop: String,
        /// The prefix.
        prefix: String,
    },
    /// `p/any(x: ...)`: some item of collection `p` meets every condition.
    Any {
        /// The collection property.
        prop: String,
        /// The lambda's conditions, all of which one item must meet.
        conds: Vec<ItemCond>,
    },
}

/// One condition of an `any` lambda: `x eq 'v'`, `startswith(x,'v')`, or on an object item's
/// property, `x/issuer eq 'v'`.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemCond {
    /// The item's property, for a collection of objects.
    pub sub: Option<String>,
    /// The value compared with.
    pub value: String,
    /// `startswith` rather than `eq`.
    pub starts: bool,
}

/// A literal of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `'text'`.
    Str(String),
    /// `true`, `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// The query options of one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// `$select`: canonical names, in the order given (`None`: every property).
    pub select: Option<Vec<String>>,
    /// `$filter`.
    pub filter: Option<Expr>,
    /// `$top` (else [`PAGE_SIZE_DEFAULT`]).
    pub top: Option<usize>,
    /// Where the page starts among the matching objects (from `$skiptoken`).
    pub skip: usize,
    /// `$count=true`.
    pub count: bool,
    /// `$orderby`: the property and whether descending.
    pub orderby: Option<(String, bool)>,
    /// `$search`: clauses (property, term), an OR of ANDs.
    pub search: Option<Vec<Vec<(String, String)>>>,
}

/// Decodes `%XX` escapes, and `+` as a space when `plus_is_space` (form-encoded query
/// strings write a space so; paths do not); the byte offset of a malformed escape, or of the
/// end when the result is not UTF-8.
pub fn unescape(s: &str, plus_is_space: bool) -> Result<String, usize> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                out.push(hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or(i)?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| b.len())
}

/// One option of a query string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryOption {
    /// The name as the client wrote it, decoded (`$top`, `top`).
    pub key: String,
    /// The name in canonical form: lower case, with its `$` (`$top`).
    pub name: String,
    /// The value, decoded.
    pub value: String,
}

/// The options of query string `raw`, in order; 400 for a string over [`QUERY_BYTES_MAX`], a
/// malformed escape, or an option given twice.
pub fn options(raw: &str) -> Result<Vec<QueryOption>, Problem> {
    if raw.len() > QUERY_BYTES_MAX {
        return Err(Problem::bad_request(format!(
            "The query string is {} bytes long, over the server's limit of {QUERY_BYTES_MAX}.",
            raw.len()
        )));
    }
    let decode = |s: &str| {
        unescape(s, true).map_err(|i| {
            Problem::bad_request(format!(
                "The query string has a malformed escape or is not UTF-8 once decoded (at byte {i} of '{s}')."
            ))
        })
    };
    let mut out: Vec<QueryOption> = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(k)?;
        // Graph reads the system query options with or without their `$`
        let name = format!("${}", key.trim_start_matches('$').to_ascii_lowercase());
        if out.iter().any(|o| o.name == name) {
            return Err(Problem::bad_request(format!(
                "Query option '{name}' was specified more than once, but it must be specified at most once."
            )));
        }
        out.push(QueryOption {
            key,
            name,
            value: decode(v)?,
        });
    }
    Ok(out)
}

/// 400 for option `o`, which the resource does not take; `takes` says what it does take.
pub fn not_taken(o: &QueryOption, takes: &str) -> Problem {
    Problem::bad_request(format!(
        "The query parameter '{}' is not supported on this resource by mtosim serve; it takes {takes}.",
        o.key
    ))
}

/// The options Graph has that this server does not read yet.
const NOT_YET: &[&str] = &["$expand", "$skip", "$format", "$levels"];

/// Reads the query string `raw` of a request on `ty` objects. `eventual`: the request carried
/// `ConsistencyLevel: eventual`.
pub fn parse(raw: &str, ty: &EntityType, shape: Shape, eventual: bool) -> Result<Options, Problem> {
    let mut o = Options::default();
    for QueryOption {
        key: k,
        name,
        value: v,
    } in options(raw)?
    {
        let single_ok = name == "$select";
        if shape == Shape::Single && !single_ok && !NOT_YET.contains(&name.as_str()) {
            return Err(Problem::bad_request(format!(
                "The query parameter '{k}' is not supported on a single object; only $select is."
            )));
        }
        match name.as_str() {
            "$select" => o.select = Some(select(&v, ty)?),
            "$filter" => o.filter = Some(Parser::new(&v, ty).parse()?),
            "$top" => {
                let n = v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=PAGE_SIZE_MAX).contains(n));
                o.top = Some(n.ok_or_else(|| {
                    request_bad(format!(
                        "Invalid page size specified: '{v}'. Must be between 1 and {PAGE_SIZE_MAX} inclusive."
                    ))
                })?);
            }
            "$skiptoken" => o.skip = decode_skiptoken(&v)?,
            "$orderby" => o.orderby = Some(orderby(&v, ty)?),
            "$search" => {
                if !eventual {
                    return Err(request_bad(
                        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
                    ));
                }
                o.search = Some(search(&v, ty)?);
            }
            "$count" => match v.trim() {
                "true" => {
                    if !eventual {
                        return Err(request_bad(
                            "$count on directory objects needs the request header ConsistencyLevel: eventual.",
                        ));
                    }
                    o.count = true;
                }
                "false" => {}
                other => {
                    return Err(Problem::bad_request(format!(
                        "The value '{other}' is not valid for $count; use true or false."
                    )))
                }
            },
            n if NOT_YET.contains(&n) => {
                return Err(Problem::bad_request(format!(
                    "The query parameter '{k}' is not supported by mtosim serve yet."
                )))
            }
            _ => {
                return Err(Problem::bad_request(format!(
                    "The query parameter '{k}' is not supported."
                )))
            }
        }
    }
    if let Some((prop, _)) = &o.orderby {
        // Graph sorts a filtered or searched list, or on other properties, only as an advanced
        // query: `ConsistencyLevel: eventual` and `$count=true`
        let advanced = eventual && o.count;
        let plain = ty.sortable.contains(&prop.as_str()) && o.filter.is_none() && o.search.is_none();
        if !plain && !advanced {
            return Err(unsupported("Sorting not supported for current query."));
        }
    }
    Ok(o)
}

/// Most clauses in one `$search`.
pub const SEARCH_CLAUSES_MAX: usize = 16;

/// `$orderby=prop [asc|desc]`: one string property of `ty`.
fn orderby(v: &str, ty: &EntityType) -> Result<(String, bool), Problem> {
    let v = v.trim();
    let (prop, dir) = v.split_once(' ').map_or((v, ""), |(p, d)| (p.trim(), d.trim()));
    let desc = match dir.to_ascii_lowercase().as_str() {
        "" | "asc" => false,
        "desc" => true,
        _ => {
            return Err(Problem::bad_request(format!(
                "Syntax error: '{v}' is not a valid $orderby; use a property, then asc or desc."
            )))
        }
    };
    if prop.contains(',') {
        return Err(unsupported(
            "Sorting by more than one property is not supported by mtosim serve.",
        ));
    }
    match ty.property(prop, "$orderby")? {
        (name, Kind::Str) => Ok((name, desc)),
        (name, _) => Err(unsupported(format!(
            "Sorting on '{name}' is not supported for current query."
        ))),
    }
}

/// `$search="prop:term" AND "prop:term" OR ...`: quoted clauses joined by `AND` (binding
/// tighter) and `OR`.
fn search(v: &str, ty: &EntityType) -> Result<Vec<Vec<(String, String)>>, Problem> {
    let syntax = |why: &str| {
        Problem::bad_request(format!(
            "Syntax error in $search '{v}': {why}; write \"property:term\" clauses joined by AND or OR."
        ))
    };
    let mut any: Vec<Vec<(String, String)>> = vec![Vec::new()];
    let mut rest = v.trim();
    let mut clauses = 0;
    loop {
        let body = rest
            .strip_prefix('"')
            .ok_or_else(|| syntax("a clause is not quoted"))?;
        let end = body.find('"').ok_or_else(|| syntax("a quote is not closed"))?;
        let (prop, term) = body[..end]
            .split_once(':')
            .ok_or_else(|| syntax("a clause names no property"))?;
        let (name, kind) = ty.property(prop.trim(), "$search")?;
        if kind != Kind::Str {
            return Err(syntax(&format!("'{name}' is not a string property")));
        }
        clauses += 1;
        if clauses > SEARCH_CLAUSES_MAX {
            return Err(syntax(&format!("more than {SEARCH_CLAUSES_MAX} clauses")));
        }
        any.last_mut()
            .expect("one group at least")
            .push((name, term.to_string()));
        rest = body[end + 1..].trim_start();
        if rest.is_empty() {
            return Ok(any);
        }
        let (op, after) = rest
            .split_once(' ')
            .ok_or_else(|| syntax("a clause follows another without AND or OR"))?;
        match op {
            "AND" => {}
            "OR" => any.push(Vec::new()),
            _ => return Err(syntax(&format!("'{op}' is not AND or OR"))),
        }
        rest = after.trim_start();
    }
}

/// The words of `s` as Graph's `$search` tokenizes `displayName` and `description`: split at
/// spaces and symbols and where lower case turns to upper case, compared in lower case.
fn tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in s.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether `value` of property `prop` matches search term `term`: on `displayName` and
/// `description` every word of the term starts a word of the value; on other properties the
/// value starts with the term (Graph's `startsWith` semantics), case-insensitively.
fn search_matches(prop: &str, value: &str, term: &str) -> bool {
    if prop == "displayName" || prop == "description" {
        let words = tokens(value);
        tokens(term)
            .iter()
            .all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
    } else {
        fold(value).starts_with(&fold(term))
    }
}

/// A `$select` list.
fn select(v: &str, ty: &EntityType) -> Result<Vec<String>, Problem> {
    let names: Vec<&str> = v.split(',').map(str::trim).collect();
    if names.len() > SELECT_MAX {
        return Err(Problem::bad_request(format!(
            "$select names {} properties, over the server's limit of {SELECT_MAX}.",
            names.len()
        )));
    }
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if n.is_empty() {
            return Err(Problem::bad_request(format!(
                "Syntax error: $select '{v}' has an empty property name."
            )));
        }
        if n == "*" {
            return Ok(ty.modelled.iter().map(|(n, _)| n.to_string()).collect());
        }
        let (name, _) = ty.property(n, "$select")?;
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// The `$skiptoken` of the page starting at `offset`.
pub fn encode_skiptoken(offset: usize) -> String {
    format!("mtosim1.{offset:x}")
}

/// The offset a `$skiptoken` of [`encode_skiptoken`] names; 400 for any other.
pub fn decode_skiptoken(v: &str) -> Result<usize, Problem> {
    v.strip_prefix("mtosim1.")
        .and_then(|h| usize::from_str_radix(h, 16).ok())
        .ok_or_else(|| request_bad(format!("The $skiptoken '{v}' is not one this server issued.")))
}

/// A token of a `$filter`.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Open,
    Close,
    Comma,
    Colon,
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<(usize, Tok)>,
    pos: usize,
    ty: &'a EntityType,
    terms: usize,
    depth: usize,
    error: Option<Problem>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, ty: &'a EntityType) -> Parser<'a> {
        let mut p = Parser {
            text,
            toks: Vec::new(),
            pos: 0,
            ty,
            terms: 0,
            depth: 0,
            error: None,
        };
        if let Err(e) = p.lex() {
            p.error = Some(e);
        }
        p
    }

    fn syntax(&self, at: usize) -> Problem {
        Problem::bad_request(format!(
            "Invalid filter clause: Syntax error at position {at} in '{}'.",
            self.text
        ))
    }

    fn lex(&mut self) -> Result<(), Problem> {
        let s = self.text;
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            match c {
                b' ' | b'\t' => i += 1,
                b'(' => {
                    self.toks.push((i, Tok::Open));
                    i += 1;
                }
                b')' => {
                    self.toks.push((i, Tok::Close));
                    i += 1;
                }
                b',' => {
                    self.toks.push((i, Tok::Comma));
                    i += 1;
                }
                b':' => {
                    self.toks.push((i, Tok::Colon));
                    i += 1;
                }
                b'\'' => {
                    let start = i;
                    let mut v = String::new();
                    i += 1;
                    loop {
                        match s[i..].find('\'') {
                            None => return Err(self.syntax(start)),
                            Some(j) => {
                                v.push_str(&s[i..i + j]);
                                i += j + 1;
                                if b.get(i) == Some(&b'\'') {
                                    v.push('\'');
                                    i += 1;
                                } else {
                                    break;
                                }
                            }
                        }
                    }
                    self.toks.push((start, Tok::Str(v)));
                }
                c if c.is_ascii_digit() || c == b'-' => {
                    let start = i;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b"-.:".contains(&b[i])) {
                        i += 1;
                    }
                    self.toks.push((start, Tok::Num(s[start..i].to_string())));
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c == b'@' || c == b'$' => {
                    let start = i;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_/.@$".contains(&b[i])) {
                        i += 1;
                    }
                    self.toks.push((start, Tok::Ident(s[start..i].to_string())));
                }
                _ => return Err(self.syntax(i)),
            }
        }
        Ok(())
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.text.len(), |(i, _)| *i)
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(k))
    }

    fn expect(&mut self, t: Tok) -> Result<(), Problem> {
        if self.peek() == Some(&t) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(self.at()))
        }
    }

    fn parse(mut self) -> Result<Expr, Problem> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.toks.is_empty() {
            return Err(Problem::bad_request(
                "Invalid filter clause: the $filter is empty.",
            ));
        }
        let e = self.or()?;
        if self.pos != self.toks.len() {
            return Err(self.syntax(self.at()));
        }
        Ok(e)
    }

    fn or(&mut self) -> Result<Expr, Problem> {
        let mut e = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, Problem> {
        let mut e = self.primary()?;
        while self.keyword("and") {
            self.pos += 1;
            e = Expr::And(Box::new(e), Box::new(self.primary()?));
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, Problem> {
        if self.peek() == Some(&Tok::Open) {
            self.depth += 1;
            if self.depth > FILTER_DEPTH_MAX {
                return Err(Problem::bad_request(format!(
                    "Invalid filter clause: parentheses nest deeper than the server's limit of {FILTER_DEPTH_MAX}."
                )));
            }
            self.pos += 1;
            let e = self.or()?;
            self.expect(Tok::Close)?;
            self.depth -= 1;
            return Ok(e);
        }
        self.terms += 1;
        if self.terms > FILTER_TERMS_MAX {
            return Err(Problem::bad_request(format!(
                "Invalid filter clause: more than the server's limit of {FILTER_TERMS_MAX} comparisons."
            )));
        }
        let Some(Tok::Ident(word)) = self.peek().cloned() else {
            return Err(self.syntax(self.at()));
        };
        let next_open = matches!(self.toks.get(self.pos + 1), Some((_, Tok::Open)));
        if let Some((coll, lambda)) = word.rsplit_once('/') {
            if next_open && (lambda.eq_ignore_ascii_case("any") || lambda.eq_ignore_ascii_case("all")) {
                return self.any(coll, lambda);
            }
        }
        if word.eq_ignore_ascii_case("startswith") && next_open {
            self.pos += 2;
            let (prop, kind) = self.operand()?;
            self.expect(Tok::Comma)?;
            let Some(Tok::Str(prefix)) = self.peek().cloned() else {
                return Err(self.syntax(self.at()));
            };
            self.pos += 1;
            self.expect(Tok::Close)?;
            if kind != Kind::Str {
                return Err(self.property_unsupported(&prop));
            }
            return Ok(Expr::StartsWith { prop, prefix });
        }
        if word.eq_ignore_ascii_case("not") {
            return Err(unsupported(
                "Unsupported Query. mtosim serve reads eq, ne, startswith, and, or and parentheses in $filter; not is an advanced query.",
            ));
        }
        if next_open && !word.eq_ignore_ascii_case("tolower") {
            return Err(unsupported(format!(
                "Unsupported Query. mtosim serve reads eq, ne, startswith, and, or and parentheses in $filter, not the function '{word}'."
            )));
        }
        let (prop, kind) = self.operand()?;
        let op = match self.peek() {
            Some(Tok::Ident(op)) => op.to_ascii_lowercase(),
            _ => return Err(self.syntax(self.at())),
        };
        let negate = match op.as_str() {
            "eq" => false,
            "ne" => true,
            "gt" | "ge" | "lt" | "le" | "in" | "has" => {
                return Err(unsupported(format!(
                    "Unsupported Query. mtosim serve reads eq, ne, startswith, and, or and parentheses in $filter, not the operator '{op}'."
                )))
            }
            "any" | "all" => return Err(self.property_unsupported(&prop)),
            _ => return Err(self.syntax(self.at())),
        };
        self.pos += 1;
        let value = match self.peek().cloned() {
            Some(Tok::Str(s)) => Literal::Str(s),
            Some(Tok::Ident(w)) if w == "true" => Literal::Bool(true),
            Some(Tok::Ident(w)) if w == "false" => Literal::Bool(false),
            Some(Tok::Ident(w)) if w == "null" => Literal::Null,
            Some(Tok::Num(_)) => return Err(incompatible(kind, "Edm.Int32", negate)),
            _ => return Err(self.syntax(self.at())),
        };
        self.pos += 1;
        match (&value, kind) {
            (_, Kind::Other | Kind::StrColl | Kind::ObjColl) => return Err(self.property_unsupported(&prop)),
            (Literal::Str(_), Kind::Bool) => return Err(incompatible(kind, "Edm.String", negate)),
            (Literal::Bool(_), Kind::Str) => return Err(incompatible(kind, "Edm.Boolean", negate)),
            _ => {}
        }
        Ok(Expr::Eq { prop, value, negate })
    }

    /// A property, or `tolower(property)`.
    fn operand(&mut self) -> Result<(String, Kind), Problem> {
        let Some(Tok::Ident(word)) = self.peek().cloned() else {
            return Err(self.syntax(self.at()));
        };
        self.pos += 1;
        if word.eq_ignore_ascii_case("tolower") && self.peek() == Some(&Tok::Open) {
            self.pos += 1;
            let (p, k) = self.operand()?;
            self.expect(Tok::Close)?;
            if k != Kind::Str {
                return Err(self.property_unsupported(&p));
            }
            return Ok((p, k));
        }
        if word.contains('/') {
            return Err(unsupported(format!(
                "Unsupported Query. mtosim serve does not filter on the path '{word}'."
            )));
        }
        self.ty.property(&word, "$filter")
    }

    /// `coll/any(x: cond and cond ...)`, after the `coll/any` word.
    fn any(&mut self, coll: &str, lambda: &str) -> Result<Expr, Problem> {
        let (prop, kind) = self.ty.property(coll, "$filter")?;
        if lambda.eq_ignore_ascii_case("all") || !matches!(kind, Kind::StrColl | Kind::ObjColl) {
            return Err(self.property_unsupported(&prop));
        }
        self.pos += 2; // the word and its '('
        let Some(Tok::Ident(var)) = self.peek().cloned() else {
            return Err(self.syntax(self.at()));
        };
        self.pos += 1;
        self.expect(Tok::Colon)?;
        let mut conds = Vec::new();
        loop {
            if conds.len() >= FILTER_TERMS_MAX {
                return Err(Problem::bad_request(format!(
                    "Invalid filter clause: more than the server's limit of {FILTER_TERMS_MAX} comparisons."
                )));
            }
            conds.push(self.item_cond(&var, &prop, kind)?);
            if self.keyword("and") {
                self.pos += 1;
                continue;
            }
            break;
        }
        self.expect(Tok::Close)?;
        Ok(Expr::Any { prop, conds })
    }

    /// One condition of an `any` lambda on variable `var`.
    fn item_cond(&mut self, var: &str, prop: &str, kind: Kind) -> Result<ItemCond, Problem> {
        let Some(Tok::Ident(word)) = self.peek().cloned() else {
            return Err(self.syntax(self.at()));
        };
        // the item (or its property) that `target` names, if it is the lambda's variable
        let item = |target: &str| -> Result<Option<String>, Problem> {
            match target.split_once('/') {
                None if target == var && kind == Kind::StrColl => Ok(None),
                Some((v, sub)) if v == var && kind == Kind::ObjColl => {
                    match ["issuer", "issuerAssignedId", "signInType"].iter().find(|s| s.eq_ignore_ascii_case(sub)) {
                        Some(s) => Ok(Some(s.to_string())),
                        None => Err(unsupported(format!(
                            "Unsupported or invalid query filter clause specified for property '{prop}' of resource '{}'.",
                            self.ty.resource
                        ))),
                    }
                }
                _ => Err(unsupported(format!(
                    "Unsupported or invalid query filter clause specified for property '{prop}' of resource '{}'.",
                    self.ty.resource
                ))),
            }
        };
        if word.eq_ignore_ascii_case("startswith")
            && matches!(self.toks.get(self.pos + 1), Some((_, Tok::Open)))
        {
            self.pos += 2;
            let Some(Tok::Ident(target)) = self.peek().cloned() else {
                return Err(self.syntax(self.at()));
            };
            self.pos += 1;
            let sub = item(&target)?;
            self.expect(Tok::Comma)?;
            let Some(Tok::Str(value)) = self.peek().cloned() else {
                return Err(self.syntax(self.at()));
            };
            self.pos += 1;
            self.expect(Tok::Close)?;
            return Ok(ItemCond {
                sub,
                value,
                starts: true,
            });
        }
        self.pos += 1;
        let sub = item(&word)?;
        if !self.keyword("eq") {
            return Err(unsupported(
                "Unsupported Query. Inside any(), mtosim serve reads eq and startswith.",
            ));
        }
        self.pos += 1;
        let Some(Tok::Str(value)) = self.peek().cloned() else {
            return Err(self.syntax(self.at()));
        };
        self.pos += 1;
        Ok(ItemCond {
            sub,
            value,
            starts: false,
        })
    }

    fn property_unsupported(&self, prop: &str) -> Problem {
        unsupported(format!(
            "Unsupported or invalid query filter clause specified for property '{prop}' of resource '{}'.",
            self.ty.resource
        ))
    }
}

/// OData's error for a comparison of a property and a literal of another type.
fn incompatible(kind: Kind, literal: &str, negate: bool) -> Problem {
    let left = match kind {
        Kind::Str => "Edm.String",
        Kind::Bool => "Edm.Boolean",
        Kind::StrColl => "Collection(Edm.String)",
        Kind::ObjColl | Kind::Other => "Edm.ComplexType",
    };
    let op = if negate { "NotEqual" } else { "Equal" };
    Problem::bad_request(format!(
        "A binary operator with incompatible types was detected. Found operand types '{left}' and '{literal}' for operator kind '{op}'."
    ))
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

impl Expr {
    /// Whether object `v` matches.
    pub fn matches(&self, v: &Map<String, Value>) -> bool {
        match self {
            Expr::And(a, b) => a.matches(v) && b.matches(v),
            Expr::Or(a, b) => a.matches(v) || b.matches(v),
            Expr::Eq { prop, value, negate } => {
                let x = v.get(prop).unwrap_or(&Value::Null);
                let eq = match (value, x) {
                    (Literal::Null, x) => x.is_null(),
                    (Literal::Str(s), Value::String(x)) => fold(s) == fold(x),
                    (Literal::Bool(b), Value::Bool(x)) => b == x,
                    _ => false,
                };
                eq != *negate
            }
            Expr::StartsWith { prop, prefix } => match v.get(prop) {
                Some(Value::String(x)) => fold(x).starts_with(&fold(prefix)),
                _ => false,
            },
            Expr::Any { prop, conds } => match v.get(prop) {
                Some(Value::Array(items)) => items.iter().any(|item| {
                    conds.iter().all(|c| {
                        let x = match &c.sub {
                            None => item.as_str(),
                            Some(sub) => item.get(sub.as_str()).and_then(Value::as_str),
                        };
                        match x {
                            Some(x) if c.starts => fold(x).starts_with(&fold(&c.value)),
                            Some(x) => fold(x) == fold(&c.value),
                            None => false,
                        }
                    })
                }),
                _ => false,
            },
        }
    }
}

impl Options {
    /// Whether `v` passes `$filter`.
    pub fn keeps(&self, v: &Map<String, Value>) -> bool {
        let searched = self.search.as_ref().is_none_or(|any| {
            any.iter().any(|all| {
                all.iter().all(|(p, term)| {
                    v.get(p)
                        .and_then(Value::as_str)
                        .is_some_and(|x| search_matches(p, x, term))
                })
            })
        });
        searched && self.filter.as_ref().is_none_or(|f| f.matches(v))
    }

    /// Whether every object must be read before the first is answered (a filter, a search or
    /// a sort), rather than only up to the page.
    pub fn reads_all(&self) -> bool {
        self.filter.is_some() || self.search.is_some() || self.orderby.is_some()
    }

    /// The sort key of `v` under `$orderby` (case-insensitive; a missing value sorts first).
    pub fn sort_key(&self, v: &Map<String, Value>) -> Option<String> {
        let (p, _) = self.orderby.as_ref()?;
        v.get(p).and_then(Value::as_str).map(fold)
    }

    /// `v` with only the `$select`ed properties (and its annotations, `@odata.type`).
    pub fn project(&self, v: Map<String, Value>) -> Map<String, Value> {
        let Some(sel) = &self.select else { return v };
        let mut out = Map::new();
        for (k, x) in &v {
            if k.starts_with('@') {
                out.insert(k.clone(), x.clone());
            }
        }
        for s in sel {
            if let Some(x) = v.get(s) {
                out.insert(s.clone(), x.clone());
            }
        }
        out
    }

    /// The `@odata.context` path of a collection at `path` (`users(id,displayName)`).
    pub fn context(&self, path: &str) -> String {
        match &self.select {
            Some(s) => format!("{path}({})", s.join(",")),
            None => path.to_string(),
        }
    }

    /// The page size.
    pub fn page_size(&self) -> usize {
        self.top.unwrap_or(PAGE_SIZE_DEFAULT)
    }
}

/// `raw` without its `$skiptoken`, then with the one for `offset`.
pub fn next_query(raw: &str, offset: usize) -> String {
    let mut parts: Vec<&str> = raw
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let k = p.split('=').next().unwrap_or("");
            !k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken")
                && !k.trim_start_matches("%24").eq_ignore_ascii_case("skiptoken")
        })
        .collect();
    let token = format!("$skiptoken={}", encode_skiptoken(offset));
    parts.push(&token);
    parts.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderby_and_search_follow_graphs_advanced_query_rules() {
        let p = |q: &str, eventual: bool| parse(q, &TY, Shape::List, eventual);
        assert_eq!(
            p("$orderby=displayName desc", false).unwrap().orderby,
            Some(("displayName".into(), true))
        );
        assert_eq!(
            p("$orderby=DISPLAYNAME", false).unwrap().orderby,
            Some(("displayName".into(), false))
        );
        // with a filter, or on a property outside the default set, only as an advanced query
        let filtered = "$orderby=displayName&$filter=startswith(displayName,'a')";
        assert_eq!(p(filtered, false).unwrap_err().code, "Request_UnsupportedQuery");
        assert_eq!(p(filtered, true).unwrap_err().code, "Request_UnsupportedQuery");
        assert!(p(&format!("{filtered}&$count=true"), true).is_ok());
        assert!(p("$orderby=displayName sideways", false).is_err());
        assert!(p("$orderby=accountEnabled", true).is_err(), "not a string");
        assert!(p("$orderby=nope", false).is_err());
        // $search needs ConsistencyLevel: eventual, and quoted property:term clauses
        assert!(p("$search=\"displayName:ad\"", false).is_err());
        let o = p(
            "$search=\"displayName:ad\" AND \"displayName:va\" OR \"displayName:zz\"",
            true,
        )
        .unwrap();
        assert_eq!(
            o.search,
            Some(vec![
                vec![
                    ("displayName".into(), "ad".into()),
                    ("displayName".into(), "va".into())
                ],
                vec![("displayName".into(), "zz".into())],
            ])
        );
        for bad in [
            "displayName:ad",
            "\"displayName:ad",
            "\"ad\"",
            "\"a:b\" \"c:d\"",
            "\"displayName:a\" NOT \"displayName:b\"",
        ] {
            assert!(p(&format!("$search={bad}"), true).is_err(), "{bad}");
        }
        let user = |name: &str| {
            let mut m = Map::new();
            m.insert("displayName".into(), Value::String(name.into()));
            m
        };
        assert!(o.keeps(&user("Adele Vance")));
        assert!(o.keeps(&user("AdeleVance")), "a case change splits words");
        assert!(!o.keeps(&user("Adele Smith")));
        assert!(o.keeps(&user("zz-top")));
        assert_eq!(
            tokens("Sales-Team_EMEA2 fooBar"),
            ["sales", "team", "emea2", "foo", "bar"]
        );
        assert!(search_matches("mail", "adele@contoso.com", "ADELE@"));
        assert!(!search_matches("mail", "adele@contoso.com", "contoso"));
    }

    #[test]
    fn query_strings_split_into_decoded_options() {
        let o = options("%24top=2&filter=a%20eq%20'b+c'&&$Count=true").unwrap();
        let names: Vec<&str> = o.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["$top", "$filter", "$count"]);
        assert_eq!(o[0].key, "$top");
        assert_eq!(o[1].key, "filter");
        assert_eq!(o[1].value, "a eq 'b c'");
        assert!(options("$top=1&top=2").is_err(), "one option twice");
        assert!(options("$filter=%zz").is_err(), "a malformed escape");
        assert!(options("$filter=%ff").is_err(), "not UTF-8");
        assert!(options(&"a".repeat(QUERY_BYTES_MAX + 1)).is_err(), "too long");
        assert_eq!(unescape("a+b%23EXT%23", false), Ok("a+b#EXT#".to_string()));
        assert_eq!(unescape("%2", false), Err(0));
    }

    const TY: EntityType = EntityType {
        name: "microsoft.graph.user",
        resource: "User",
        graph: &["displayName", "accountEnabled", "aboutMe", "otherMails"],
        modelled: &[
            ("displayName", Kind::Str),
            ("accountEnabled", Kind::Bool),
            ("otherMails", Kind::Other),
        ],
        extensions: true,
        sortable: &["displayName"],
    };

    fn f(s: &str) -> Result<Expr, Problem> {
        Parser::new(s, &TY).parse()
    }

    #[test]
    fn filters_parse_and_match() {
        let o: Map<String, Value> =
            serde_json::from_str(r#"{"displayName": "Adele Vance", "accountEnabled": true}"#).unwrap();
        let m = |s: &str| f(s).unwrap().matches(&o);
        assert!(m("displayName eq 'adele vance'"));
        assert!(m("startswith(displayName,'Ad') and accountEnabled eq true"));
        assert!(m("displayname ne 'x' or accountEnabled eq false"));
        assert!(m("(tolower(displayName) eq 'adele vance')"));
        assert!(!m("displayName eq null"));
        assert!(m("extension_0123456789abcdef0123456789abcdef_x eq null"));
        assert!(f("displayName eq 'O''Neil'").is_ok());
    }

    #[test]
    fn any_reads_string_and_object_collections() {
        const T: EntityType = EntityType {
            name: "microsoft.graph.user",
            resource: "User",
            graph: &["otherMails", "identities", "displayName"],
            modelled: &[
                ("otherMails", Kind::StrColl),
                ("identities", Kind::ObjColl),
                ("displayName", Kind::Str),
            ],
            extensions: false,
            sortable: &[],
        };
        let f = |s: &str| Parser::new(s, &T).parse();
        let v: Map<String, Value> = serde_json::from_str(
            r#"{"otherMails": ["Adele@Contoso.com"], "identities": [{"signInType": "userPrincipalName", "issuer": "contoso.onmicrosoft.com", "issuerAssignedId": "adele@contoso.com"}]}"#,
        )
        .unwrap();
        assert!(f("otherMails/any(x:x eq 'adele@contoso.com')")
            .unwrap()
            .matches(&v));
        assert!(f("otherMails/any(m: startswith(m,'adele'))").unwrap().matches(&v));
        assert!(!f("otherMails/any(x:x eq 'ben@contoso.com')").unwrap().matches(&v));
        let both = "identities/any(c:c/issuerAssignedId eq 'adele@contoso.com' and c/issuer eq 'contoso.onmicrosoft.com')";
        assert!(f(both).unwrap().matches(&v));
        assert!(!f("identities/any(c:c/issuer eq 'fabrikam.onmicrosoft.com')")
            .unwrap()
            .matches(&v));
        assert_eq!(
            f("otherMails/all(x:x eq 'a')").unwrap_err().code,
            "Request_UnsupportedQuery"
        );
        assert_eq!(
            f("displayName/any(x:x eq 'a')").unwrap_err().code,
            "Request_UnsupportedQuery"
        );
        assert_eq!(
            f("identities/any(c:c/nope eq 'a')").unwrap_err().code,
            "Request_UnsupportedQuery"
        );
        assert_eq!(
            f("otherMails/any(x:y eq 'a')").unwrap_err().code,
            "Request_UnsupportedQuery"
        );
    }

    #[test]
    fn bad_filters_are_graph_errors() {
        let code = |s: &str| f(s).unwrap_err();
        assert_eq!(code("displayName gt 'a'").code, "Request_UnsupportedQuery");
        assert_eq!(code("endswith(displayName,'a')").code, "Request_UnsupportedQuery");
        assert_eq!(code("otherMails eq 'a'").code, "Request_UnsupportedQuery");
        assert_eq!(code("displayName eq").code, "BadRequest");
        assert_eq!(code("displayName eq 'a").code, "BadRequest");
        assert!(code("foo eq 'a'")
            .message
            .contains("Could not find a property named 'foo'"));
        assert!(code("aboutMe eq 'a'").message.contains("does not model"));
        assert!(code("accountEnabled eq 'true'")
            .message
            .contains("incompatible types"));
        let deep = format!("{}displayName eq 'a'{}", "(".repeat(20), ")".repeat(20));
        assert!(code(&deep).message.contains("nest deeper"));
    }

    #[test]
    fn options_are_checked() {
        let p = |q: &str| parse(q, &TY, Shape::List, false);
        assert_eq!(p("$top=5&$skiptoken=mtosim1.a").unwrap().skip, 10);
        assert!(p("$top=0").is_err());
        assert!(p("$top=1000").is_err());
        assert!(p("$expand=memberOf").is_err());
        assert!(p("$count=true").is_err());
        assert!(parse("$count=true", &TY, Shape::List, true).unwrap().count);
        assert!(p("foo=bar").is_err());
        assert!(p("$top=1&top=2").is_err());
        assert_eq!(
            p("select=displayName,ACCOUNTENABLED").unwrap().select,
            Some(vec!["displayName".to_string(), "accountEnabled".to_string()])
        );
        assert!(parse("$filter=x", &TY, Shape::Single, false).is_err());
        assert_eq!(
            next_query("$top=2&$skiptoken=mtosim1.2", 4),
            "$top=2&$skiptoken=mtosim1.4"
        );
    }
}
