//! The expression language of Microsoft Entra attribute mappings: a parser with positioned
//! errors, a canonical printer and an evaluator for all of its functions.
//!
//! Source: Microsoft's "Reference for writing expressions for attribute mappings in Microsoft
//! Entra ID", `MicrosoftDocs/entra-docs`,
//! `docs/identity/app-provisioning/functions-for-customizing-application-data.md` at commit
//! `dda85497b0408a40cef3f92aed14fa64872ccfbb` ("the page"), and the 10,000-character limit of
//! `docs/identity/app-provisioning/known-issues.md`. Every example of the page is checked by
//! `engine/tests/expressions.rs` against `engine/tests/expression-examples.tsv`.
//!
//! ```
//! use mtosim_engine::expr::{Context, Expr, Value};
//!
//! struct User;
//! impl Context for User {
//!     fn attribute(&self, name: &str) -> Option<Value> {
//!         match name {
//!             "givenName" => Some(Value::Str("Zoë".into())),
//!             "surname" => Some(Value::Str("Doe".into())),
//!             _ => None,
//!         }
//!     }
//!     fn now(&self) -> i64 {
//!         1_625_240_018 // 2021-07-02T15:33:38Z
//!     }
//!     fn random(&mut self) -> u64 {
//!         4 // a seeded stream in the engine
//!     }
//! }
//!
//! let e = Expr::parse(r#"ToLower(Join(".", NormalizeDiacritics([givenName]), [surname]))"#).unwrap();
//! let out = e.eval(&mut User).unwrap();
//! assert_eq!(out.value, Value::Str("zoe.doe".into()));
//! assert!(out.flows);
//! assert_eq!(e.attributes(), ["givenName", "surname"]);
//! assert_eq!(Expr::parse(&e.to_string()).unwrap(), e);
//!
//! let err = Expr::parse("Jion(\",\", [a])").unwrap_err();
//! assert_eq!((err.offset, err.len), (0, 4));
//! assert!(err.message.contains("did you mean Join?"));
//! ```
//!
//! # Grammar
//!
//! An expression is one operand, or two operands joined by a comparison operator (`=`, `<>`,
//! `>`, `>=`, `<`, `<=`; the page lists them for IIF conditions and uses one inside CBool, so
//! they are accepted wherever an argument is; comparisons do not chain). An operand is a
//! function call `Name(arg, …)`, an attribute `[name]` (surrounding spaces trimmed), a string
//! constant in double quotes whose only escapes are `\"` and `\\` (any other backslash is an
//! error, as the page says both "must be escaped"), a whole number (`7`, `-10`), a VB hex
//! number (`&HF7`), or, only as InStr's compareType, the bare names `vbTextCompare` and
//! `vbBinaryCompare`. An argument may be left empty between commas or before `)` to omit an
//! optional parameter (`Replace([mail], "@contoso.com", , , "", , )`); `F()` has no
//! arguments. Whitespace, newlines included, may stand between any two tokens.
//!
//! Function names are matched **case-insensitively** and reported in their canonical
//! spelling ([`FUNCTIONS`]): the page's own Switch caution writes `switch([companyName], …)`
//! in lower case, its IsNullOrEmpty heading is spelled `IsNullorEmpty`, and the CTS matching
//! mapping appears as both `AltSecIdFromNetId` and `AltSecidFromNetid`. The page's "the syntax
//! is case-sensitive" sentence is about strings, which are compared case-sensitively
//! (Switch, Replace, comparisons, InStr's default vbBinaryCompare). An unknown name gets a
//! "did you mean …?" from an edit distance.
//!
//! Parse errors carry a byte offset and length into the text. Besides syntax they report:
//! wrong argument counts (naming the function's syntax line), a required argument left
//! empty, SelectUniqueValue anywhere but as the whole expression, fewer than two
//! SelectUniqueValue rules, Switch with an odd argument count, a Replace call that matches
//! none of its five documented parameter combinations, and, when they are string constants,
//! a regex that does not compile or lacks the named group, a DateAdd/DateDiff interval, a
//! dateTimeStyles list, a date format or an InStr compareType the evaluator would refuse,
//! and a RandomString Length over 256. The arguments of SingleAppRoleAssignment and
//! AppRoleAssignmentsComplex must be the attribute `[appRoleAssignments]`.
//!
//! # Values
//!
//! A value is null, one string or a multi-valued list of strings ([`Value`]); numbers,
//! booleans (`True`/`False`) and dates are strings, as the page's outputs are. A date is
//! written in the page's format **M/d/yyyy h:mm:ss tt** in UTC (CDate, DateAdd, DateFromNum,
//! Now), so sub-second precision does not survive CDate. Any function that reads a date
//! (DateAdd, DateDiff, NumFromDate, and CDate itself) accepts what CDate accepts: ISO 8601
//! (`2009-06-15T01:45:30-07:00`, `2021-08-24`, the Workday form `2020-03-16-07:00`), US dates
//! (`8/25/2021 5:41:18 PM`) and month names (`January 1, 2012 11:00 PM`,
//! `Mon, 01 Jan 2012 23:00:00 GMT`); a value with an offset is converted to UTC and one
//! without is read as UTC (the service's local time zone). An empty multi-valued list is null.
//!
//! # Documented behaviour implemented
//!
//! - Null never flows ([`Outcome::flows`] is false for a null value): known-issues.md, "Microsoft
//!   Entra ID currently can't provision null attributes".
//! - IgnoreFlowIfNullOrEmpty drops the attribute (flows = false) when its argument is null or
//!   empty, wherever it stands in the expression.
//! - IIF: "if the source attribute used within the IIF function is empty or null, the
//!   condition check fails". Read as: when any attribute referenced anywhere in the condition
//!   is null or empty, IIF returns null (so the attribute does not flow), whatever the
//!   condition says; this is why the page lists `IIF(IsPresent([country]), …)` as unsupported.
//!   Attributes in the two branches do not count, and only the chosen branch is evaluated.
//! - Switch compares case-sensitively; a null source matches the key `""` (the page's
//!   workaround `Switch([country],[country],"","Other")`); the default is the second argument
//!   and may be left empty (null).
//! - Join skips null and empty sources (the page's `Join(", ", "", [surname], [givenName])` is
//!   "Doe, John") and expands multi-valued ones; numbers are accepted as sources.
//! - Left: 0 gives "", a negative count gives the input, a null string gives "".
//! - Word: the third argument is a set of delimiter characters; a run of them is one
//!   separator; word numbers are 1-based; < 1, a null string or too few words give "".
//! - Mid and InStr positions are 1-based; InStr gives 0 when not found, vbBinaryCompare is
//!   the default and vbTextCompare ignores case.
//! - Item is 1-based; index 0 "shouldn't be used" and is an error.
//! - Replace's five documented parameter combinations; `${name}` and the other .NET
//!   substitutions in replacement values, with .NET's group numbering (unnamed groups first).
//! - CDate/DateAdd/Now render M/d/yyyy h:mm:ss tt in UTC; DateAdd and DateDiff take the
//!   intervals yyyy, m, d, ww, h, n, s (`m` is month, `n` is minute, as in VB).
//! - DateDiff follows Visual Basic: yyyy and m count calendar boundaries (2021-08 to 2012-03
//!   is -113 months), ww counts Sunday week boundaries (the page's -493, where days/7 would
//!   be -492), and d, h, n, s truncate the elapsed time toward zero.
//! - DateFromNum/NumFromDate use AD's format, Windows FILETIME (100 ns ticks since
//!   1601-01-01 UTC).
//! - FormatDateTime parses with .NET custom (and one-letter standard, en-US) date and time
//!   format strings and formats with another; the default dateTimeStyles is RoundtripKind,
//!   AllowLeadingWhite, AllowTrailingWhite.
//! - ConvertToBase64 encodes UTF-16LE ("Unicode"); ConvertToUTF8Hex is upper-case hex.
//! - NormalizeDiacritics applies the page's table exactly, longest sequence first (so
//!   `ā́`, a macron a with a combining acute, is one entry); characters not in the table,
//!   such as plain `œ`, `đ` or `þ`, are left unchanged; input is not Unicode-normalized.
//! - PCase lower-cases first (the page's "PABLO GONSALVES (SECOND)" gives "Pablo Gonsalves
//!   (Second)", which plain ToTitleCase, keeping all-caps words, would not) and then
//!   upper-cases the first letter of each word, words being separated as .NET ToTitleCase
//!   separates them, or only by the characters given.
//! - RandomString: at most 256 characters, the four minimums, CharactersToAvoid; special
//!   characters are those of Windows' password complexity page,
//!   ``~!@#$%^&*_-+=`|\(){}[]:;"'<>,.?/``.
//! - SelectUniqueValue: top level only, at least two rules, the first value that
//!   [`Context::exists`] says is not in the target; when all exist it is an [`EvalError`]
//!   (the page: "the entry is escrowed"). A rule that gives null or "" is skipped (our
//!   reading).
//! - Redact flows its argument unchanged (only the provisioning logs show `[Redact]`; see
//!   [`Expr::redacts`]). The page's syntax line `Redact()` contradicts its one-parameter
//!   table; one argument is required.
//!
//! # Readings where the page is silent
//!
//! - Null inputs: functions that transform a string (Append's source, CDate, CStr,
//!   ConvertToBase64, ConvertToUTF8Hex, DateFromNum, FormatDateTime, Mid,
//!   NormalizeDiacritics, NumFromDate, PCase, Replace, Split, StripSpaces, ToLower, ToUpper,
//!   AltSecIdFromNetId) return null for a null source, and DateAdd/DateDiff for a null date;
//!   a null suffix, separator, key or search string counts as "". A null number argument is
//!   an error. Not, CBool and IIF read null as false.
//! - Multi-valued inputs: the string transforms above apply to each value; Count, Item, Join,
//!   RemoveDuplicates, Coalesce, IsNull/IsNullOrEmpty/IsPresent/IsString, Redact, CStr and the
//!   app-role functions take lists; anywhere else a list of one value is that value and a
//!   longer list is an error.
//! - Truth: a value is true when it is `True` in any case or a non-zero number (CBool's
//!   "non-zero"); IIF, Not and CBool share this.
//! - Comparisons: two numbers compare as numbers, two dates (as CDate reads them) as
//!   instants, anything else as strings, case-sensitively in code-point order; null compares
//!   as "".
//! - Coalesce returns the first argument that is not null: the optional trailing defaultValue
//!   needs no special case, and "" counts as a value.
//! - Split splits on the whole delimiter string, trims each element and drops empty ones,
//!   so "PermissionSetOne, PermissionSetTwo" gives the page's two unpadded elements.
//! - Replace takes the first combination that its given (non-empty) arguments satisfy, in
//!   this order: (oldValue, replacementValue), (oldValue, template), (regexPattern,
//!   regexGroupName, replacementValue), (regexPattern, regexGroupName,
//!   replacementAttributeName), (regexPattern, replacementValue); other arguments given are
//!   ignored, and a call matching none is a parse error. An empty oldValue replaces nothing. The group form with a replacement value replaces the group's
//!   span in each match; the replacementAttributeName form returns the source when it is
//!   neither null nor empty, else the group's text in the first match in the other value
//!   (null without a match). Regexes are Rust's `regex` syntax, which shares .NET's named
//!   groups, classes and quantifiers but has no lookaround or backreferences.
//! - RemoveDuplicates compares exactly and keeps first occurrences in order.
//! - IsString is true for any single value (numbers and booleans are strings here).
//! - Mid: start < 1 or length < 0 is an error; InStr: start < 1 is an error, an empty search
//!   string is found at start. Positions count Unicode scalar values.
//! - PCase with an empty wordSeparators string uses the default separators. Its default
//!   separators approximate .NET's categories without a Unicode category table: every
//!   character that is not alphanumeric, a combining mark or private use (so unassigned
//!   code points separate); an apostrophe inside a word does not (as in ToTitleCase).
//! - ToLower, ToUpper and PCase map each character to one character, invariantly (`ß` stays
//!   `ß` in upper case); a culture, when given, must look like an RFC 4646 name and is
//!   otherwise unused.
//! - RandomString fills the characters beyond the minimums from all four classes, and its
//!   Length must cover all four minimums (the page's note leaves out MinimumLowerCase).
//!   Guid is an RFC 4122 version 4 GUID from two draws of [`Context::random`].
//! - SingleAppRoleAssignment and AppRoleAssignmentsComplex take the attribute
//!   `[appRoleAssignments]` (a parse error otherwise), read as a list of role names: the
//!   first, and all of them.
//! - `AltSecIdFromNetId([netId])`, the cross-tenant synchronization matching expression, is
//!   not on the page: it returns the netId value, standing for the alternative security id.
//! - FormatDateTime: a parsed offset converts the value to UTC (the service's local time);
//!   `z`, `zz`, `zzz` print that local offset (`+00:00`) and `K` prints `Z`, `+00:00` or
//!   nothing for UTC, offset and unzoned inputs; a format without a date takes the date of
//!   [`Context::now`], as .NET takes today's. Literal characters match exactly.
//! - Evaluation order is left to right, and only IIF's chosen branch, Switch's keys up to the
//!   match and its chosen value, Coalesce's arguments up to the first non-null one and
//!   SelectUniqueValue's rules up to the first unique one are evaluated, so the order of
//!   [`Context::random`] calls is fixed by the expression and the inputs.
//! - [`Expr::is_pure`] is false for Guid, RandomString and Now; SelectUniqueValue depends on
//!   the target, and a FormatDateTime input format without a date on the clock, but both are
//!   called pure.
//!
//! # Limits
//!
//! [`EXPRESSION_CHARS_MAX`] characters of text, [`EXPRESSION_DEPTH_MAX`] levels of nested
//! calls, [`VALUE_BYTES_MAX`] bytes and [`VALUE_ITEMS_MAX`] values in any value (an attribute
//! or a function result), [`RANDOM_STRING_CHARS_MAX`] characters of RandomString, and
//! [`REGEX_COMPILED_BYTES_MAX`] for a compiled regex. Every loop runs over the text, a value
//! or a list bounded by these; going past one is an error, never a panic. Parsing and
//! evaluation recurse once per nesting level: at the limit they need about half a mebibyte
//! of stack in unoptimized builds and a fraction of that in optimized ones (a unit test
//! checks that the deepest shapes fit in 1 MiB).

mod date;
mod eval;
mod parse;
mod text;

use std::fmt;

/// Characters in an expression, at most (known-issues.md: "Attribute-mapping expressions can
/// have a maximum of 10,000 characters").
pub const EXPRESSION_CHARS_MAX: usize = 10_000;
/// Levels of function calls nested inside one another, at most.
pub const EXPRESSION_DEPTH_MAX: usize = 100;
/// Bytes of text in one value (all of a multi-valued value's strings together), at most.
pub const VALUE_BYTES_MAX: usize = 1 << 20;
/// Strings in one multi-valued value, at most.
pub const VALUE_ITEMS_MAX: usize = 10_000;
/// Characters RandomString generates, at most (the page: "256 characters max.").
pub const RANDOM_STRING_CHARS_MAX: usize = 256;
/// Size of one compiled regular expression, in bytes, at most.
pub const REGEX_COMPILED_BYTES_MAX: usize = 1 << 21;

/// The canonical names of every function: the page's 43, in the page's order ("List of
/// Functions"), then the cross-tenant synchronization matching function AltSecIdFromNetId.
pub const FUNCTIONS: &[&str] = &[
    "Append",
    "AppRoleAssignmentsComplex",
    "BitAnd",
    "CBool",
    "CDate",
    "Coalesce",
    "ConvertToBase64",
    "ConvertToUTF8Hex",
    "Count",
    "CStr",
    "DateAdd",
    "DateDiff",
    "DateFromNum",
    "FormatDateTime",
    "Guid",
    "IgnoreFlowIfNullOrEmpty",
    "IIF",
    "InStr",
    "IsNull",
    "IsNullOrEmpty",
    "IsPresent",
    "IsString",
    "Item",
    "Join",
    "Left",
    "Mid",
    "NormalizeDiacritics",
    "Not",
    "Now",
    "NumFromDate",
    "PCase",
    "RandomString",
    "Redact",
    "RemoveDuplicates",
    "Replace",
    "SelectUniqueValue",
    "SingleAppRoleAssignment",
    "Split",
    "StripSpaces",
    "Switch",
    "ToLower",
    "ToUpper",
    "Word",
    "AltSecIdFromNetId",
];

/// A parsed attribute-mapping expression. Its [`Display`](fmt::Display) is a canonical
/// rendering that parses back to an equal `Expr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    root: Node,
    regexes: RegexCache,
}

/// The regexes of an expression's string-constant patterns, compiled when it was parsed;
/// they follow from the tree, so they play no part in equality.
#[derive(Clone, Debug, Default)]
struct RegexCache(Vec<(String, regex::Regex)>);

impl PartialEq for RegexCache {
    fn eq(&self, _other: &RegexCache) -> bool {
        true
    }
}

impl Eq for RegexCache {}

/// Why a text is not an expression: a message about the bytes `offset..offset + len` of the
/// text (`len` may be 0 at the end of the text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset into the text.
    pub offset: usize,
    /// Length in bytes of the offending part.
    pub len: usize,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for ExprError {}

/// Why an expression could not be evaluated for one object: a regex that does not compile,
/// a date that does not parse, a number that is not one, SelectUniqueValue with no unique
/// value, a value over a limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong, naming the function.
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// A value: null (an absent attribute), one string, or a multi-valued attribute's strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// No value.
    Null,
    /// One string (numbers, booleans and dates are strings too).
    Str(String),
    /// The values of a multi-valued attribute, in order.
    Multi(Vec<String>),
}

impl Value {
    /// Whether this is null (an empty multi-valued list counts as null).
    pub fn is_null(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Str(_) => false,
            Value::Multi(v) => v.is_empty(),
        }
    }

    /// Whether this is null or the empty string.
    pub fn is_null_or_empty(&self) -> bool {
        match self {
            Value::Str(s) => s.is_empty(),
            _ => self.is_null(),
        }
    }

    /// The strings of the value: none, one or all of a multi-valued one.
    pub fn strings(&self) -> &[String] {
        match self {
            Value::Null => &[],
            Value::Str(s) => std::slice::from_ref(s),
            Value::Multi(v) => v,
        }
    }
}

/// What evaluating an expression for one object gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The value computed.
    pub value: Value,
    /// Whether the attribute flows to the target: false when IgnoreFlowIfNullOrEmpty dropped
    /// it or the value is null (null never flows in Entra provisioning).
    pub flows: bool,
}

/// What an expression reads from the world while it is evaluated.
pub trait Context {
    /// The value of attribute `name` (as written between the brackets, e.g. "givenName",
    /// "extensionAttribute5", "proxyAddresses"); None if the attribute is absent/null.
    fn attribute(&self, name: &str) -> Option<Value>;
    /// The current simulated time, seconds since the Unix epoch, UTC (for Now()).
    fn now(&self) -> i64;
    /// A random u64 from the scenario's seeded stream (for Guid() and RandomString()); called
    /// in evaluation order, so results are deterministic.
    fn random(&mut self) -> u64;
    /// Whether `value` already exists in the target for the attribute being mapped
    /// (SelectUniqueValue); default false.
    fn exists(&self, _value: &str) -> bool {
        false
    }
}

impl Expr {
    /// Parses an expression; see the module documentation for the grammar and the checks.
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        parse::parse(text).map(|(root, regexes)| Expr {
            root,
            regexes: RegexCache(regexes),
        })
    }

    /// Evaluates the expression for one object.
    pub fn eval(&self, ctx: &mut dyn Context) -> Result<Outcome, EvalError> {
        eval::eval(&self.root, &self.regexes.0, ctx)
    }

    /// The attribute names referenced, in order of first appearance, without repeats.
    pub fn attributes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        self.root.walk(&mut |n| {
            if let Node::Attr(a) = n {
                if !out.iter().any(|o| o == a) {
                    out.push(a.clone());
                }
            }
        });
        out
    }

    /// False if the expression calls Guid, RandomString or Now, whose results change from one
    /// evaluation to the next (so a written result must be stored, not recomputed).
    pub fn is_pure(&self) -> bool {
        let mut pure = true;
        self.root.walk(&mut |n| {
            if let Node::Call(Func::Guid | Func::RandomString | Func::Now, _) = n {
                pure = false;
            }
        });
        pure
    }

    /// The functions called, in canonical spelling, in order of first appearance, without
    /// repeats.
    pub fn functions(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        self.root.walk(&mut |n| {
            if let Node::Call(f, _) = n {
                if !out.contains(&f.name()) {
                    out.push(f.name());
                }
            }
        });
        out
    }

    /// Whether the expression calls Redact, so that provisioning logs show `[Redact]` in place
    /// of the value.
    pub fn redacts(&self) -> bool {
        let mut found = false;
        self.root.walk(&mut |n| {
            if let Node::Call(Func::Redact, _) = n {
                found = true;
            }
        });
        found
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.render(f)
    }
}

// ----- the tree --------------------------------------------------------------------------

/// A function, by its index in [`FUNCTIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    Append,
    AppRoleAssignmentsComplex,
    BitAnd,
    CBool,
    CDate,
    Coalesce,
    ConvertToBase64,
    ConvertToUtf8Hex,
    Count,
    CStr,
    DateAdd,
    DateDiff,
    DateFromNum,
    FormatDateTime,
    Guid,
    IgnoreFlowIfNullOrEmpty,
    Iif,
    InStr,
    IsNull,
    IsNullOrEmpty,
    IsPresent,
    IsString,
    Item,
    Join,
    Left,
    Mid,
    NormalizeDiacritics,
    Not,
    Now,
    NumFromDate,
    PCase,
    RandomString,
    Redact,
    RemoveDuplicates,
    Replace,
    SelectUniqueValue,
    SingleAppRoleAssignment,
    Split,
    StripSpaces,
    Switch,
    ToLower,
    ToUpper,
    Word,
    AltSecIdFromNetId,
}

impl Func {
    /// Every function, in the order of [`FUNCTIONS`].
    pub(crate) const ALL: [Func; 44] = [
        Func::Append,
        Func::AppRoleAssignmentsComplex,
        Func::BitAnd,
        Func::CBool,
        Func::CDate,
        Func::Coalesce,
        Func::ConvertToBase64,
        Func::ConvertToUtf8Hex,
        Func::Count,
        Func::CStr,
        Func::DateAdd,
        Func::DateDiff,
        Func::DateFromNum,
        Func::FormatDateTime,
        Func::Guid,
        Func::IgnoreFlowIfNullOrEmpty,
        Func::Iif,
        Func::InStr,
        Func::IsNull,
        Func::IsNullOrEmpty,
        Func::IsPresent,
        Func::IsString,
        Func::Item,
        Func::Join,
        Func::Left,
        Func::Mid,
        Func::NormalizeDiacritics,
        Func::Not,
        Func::Now,
        Func::NumFromDate,
        Func::PCase,
        Func::RandomString,
        Func::Redact,
        Func::RemoveDuplicates,
        Func::Replace,
        Func::SelectUniqueValue,
        Func::SingleAppRoleAssignment,
        Func::Split,
        Func::StripSpaces,
        Func::Switch,
        Func::ToLower,
        Func::ToUpper,
        Func::Word,
        Func::AltSecIdFromNetId,
    ];

    /// The canonical name.
    pub(crate) fn name(self) -> &'static str {
        FUNCTIONS.get(self as usize).copied().unwrap_or("?")
    }

    /// The function of a name, in any case.
    pub(crate) fn from_name(name: &str) -> Option<Func> {
        FUNCTIONS
            .iter()
            .position(|f| f.eq_ignore_ascii_case(name))
            .and_then(|i| Func::ALL.get(i).copied())
    }

    /// What the function accepts.
    pub(crate) fn spec(self) -> &'static Spec {
        // SPECS is in the order of Func::ALL (a unit test checks it), so this never falls back.
        SPECS.get(self as usize).unwrap_or(&SPECS[0])
    }
}

/// The argument rules of one function.
pub(crate) struct Spec {
    /// The syntax line, as on the page (Redact's corrected to its parameter table).
    pub(crate) syntax: &'static str,
    /// Parameter names by position; past the end, the last one repeats (Switch: key, value).
    pub(crate) params: &'static [&'static str],
    /// Fewest arguments.
    pub(crate) min: usize,
    /// Most arguments (`usize::MAX`: no bound).
    pub(crate) max: usize,
    /// 1-based positions that may be left empty.
    pub(crate) optional: &'static [usize],
    /// Whether positions past `params` (the repeated one) may be left empty.
    pub(crate) repeats_optional: bool,
}

impl Spec {
    /// The name of the parameter at 1-based position `pos`.
    pub(crate) fn param(&self, pos: usize) -> &'static str {
        if self.syntax.starts_with("Switch(") && pos > 2 {
            return if pos % 2 == 1 { "key" } else { "value" };
        }
        match self.params.get(pos.wrapping_sub(1)) {
            Some(p) => p,
            None => self.params.last().copied().unwrap_or("argument"),
        }
    }

    /// Whether position `pos` (1-based) may be left empty.
    pub(crate) fn may_be_empty(&self, pos: usize) -> bool {
        self.optional.contains(&pos) || (self.repeats_optional && pos > self.params.len())
    }
}

const fn spec(
    syntax: &'static str,
    params: &'static [&'static str],
    min: usize,
    max: usize,
    optional: &'static [usize],
) -> Spec {
    Spec {
        syntax,
        params,
        min,
        max,
        optional,
        repeats_optional: false,
    }
}

const MANY: usize = usize::MAX;

static SPECS: [Spec; 44] = [
    spec("Append(source, suffix)", &["source", "suffix"], 2, 2, &[]),
    spec("AppRoleAssignmentsComplex([appRoleAssignments])", &["[appRoleAssignments]"], 1, 1, &[]),
    spec("BitAnd(value1, value2)", &["value1", "value2"], 2, 2, &[]),
    spec("CBool(Expression)", &["Expression"], 1, 1, &[]),
    spec("CDate(expression)", &["expression"], 1, 1, &[]),
    Spec {
        syntax: "Coalesce(source1, source2, ..., defaultValue)",
        params: &["source"],
        min: 1,
        max: MANY,
        optional: &[],
        repeats_optional: true,
    },
    spec("ConvertToBase64(source)", &["source"], 1, 1, &[]),
    spec("ConvertToUTF8Hex(source)", &["source"], 1, 1, &[]),
    spec("Count(attribute)", &["attribute"], 1, 1, &[]),
    spec("CStr(value)", &["value"], 1, 1, &[]),
    spec("DateAdd(interval, value, dateTime)", &["interval", "value", "dateTime"], 3, 3, &[]),
    spec("DateDiff(interval, date1, date2)", &["interval", "date1", "date2"], 3, 3, &[]),
    spec("DateFromNum(value)", &["value"], 1, 1, &[]),
    spec(
        "FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)",
        &["source", "dateTimeStyles", "inputFormat", "outputFormat"],
        4,
        4,
        &[2],
    ),
    spec("Guid()", &[], 0, 0, &[]),
    spec("IgnoreFlowIfNullOrEmpty(expression)", &["expression"], 1, 1, &[]),
    spec("IIF(condition,valueIfTrue,valueIfFalse)", &["condition", "valueIfTrue", "valueIfFalse"], 3, 3, &[]),
    spec(
        "InStr(value1, value2, start, compareType)",
        &["value1", "value2", "start", "compareType"],
        2,
        4,
        &[3, 4],
    ),
    spec("IsNull(Expression)", &["Expression"], 1, 1, &[]),
    spec("IsNullOrEmpty(Expression)", &["Expression"], 1, 1, &[]),
    spec("IsPresent(Expression)", &["Expression"], 1, 1, &[]),
    spec("IsString(Expression)", &["Expression"], 1, 1, &[]),
    spec("Item(attribute, index)", &["attribute", "index"], 2, 2, &[]),
    Spec {
        syntax: "Join(separator, source1, source2, …)",
        params: &["separator", "source"],
        min: 2,
        max: MANY,
        optional: &[2],
        repeats_optional: true,
    },
    spec("Left(String, NumChars)", &["String", "NumChars"], 2, 2, &[]),
    spec("Mid(source, start, length)", &["source", "start", "length"], 3, 3, &[]),
    spec("NormalizeDiacritics(source)", &["source"], 1, 1, &[]),
    spec("Not(source)", &["source"], 1, 1, &[]),
    spec("Now()", &[], 0, 0, &[]),
    spec("NumFromDate(value)", &["value"], 1, 1, &[]),
    spec("PCase(source, wordSeparators)", &["source", "wordSeparators"], 1, 2, &[2]),
    spec(
        "RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital, MinimumLowerCase, CharactersToAvoid)",
        &[
            "Length",
            "MinimumNumbers",
            "MinimumSpecialCharacters",
            "MinimumCapital",
            "MinimumLowerCase",
            "CharactersToAvoid",
        ],
        5,
        6,
        &[6],
    ),
    spec("Redact(attribute/value)", &["attribute/value"], 1, 1, &[]),
    spec("RemoveDuplicates(attribute)", &["attribute"], 1, 1, &[]),
    spec(
        "Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)",
        &[
            "source",
            "oldValue",
            "regexPattern",
            "regexGroupName",
            "replacementValue",
            "replacementAttributeName",
            "template",
        ],
        1,
        7,
        &[2, 3, 4, 5, 6, 7],
    ),
    spec(
        "SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, uniqueValueRule3, …)",
        &["uniqueValueRule"],
        2,
        MANY,
        &[],
    ),
    spec("SingleAppRoleAssignment([appRoleAssignments])", &["[appRoleAssignments]"], 1, 1, &[]),
    spec("Split(source, delimiter)", &["source", "delimiter"], 2, 2, &[]),
    spec("StripSpaces(source)", &["source"], 1, 1, &[]),
    spec(
        "Switch(source, defaultValue, key1, value1, key2, value2, …)",
        &["source", "defaultValue"],
        4,
        MANY,
        &[2],
    ),
    spec("ToLower(source, culture)", &["source", "culture"], 1, 2, &[2]),
    spec("ToUpper(source, culture)", &["source", "culture"], 1, 2, &[2]),
    spec("Word(String,WordNumber,Delimiters)", &["String", "WordNumber", "Delimiters"], 3, 3, &[]),
    spec("AltSecIdFromNetId([netId])", &["[netId]"], 1, 1, &[]),
];

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub(crate) fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

/// InStr's compareType, written as a bare name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompareMode {
    Binary,
    Text,
}

impl CompareMode {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CompareMode::Binary => "vbBinaryCompare",
            CompareMode::Text => "vbTextCompare",
        }
    }
}

/// One node of a parsed expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// A string constant, unescaped.
    Str(String),
    /// A whole number (decimal or `&H` hex in the text).
    Num(i64),
    /// An attribute, by name.
    Attr(String),
    /// vbTextCompare or vbBinaryCompare.
    Mode(CompareMode),
    /// An argument left empty.
    Empty,
    /// A function call.
    Call(Func, Vec<Node>),
    /// A comparison.
    Cmp(Op, Box<Node>, Box<Node>),
}

impl Node {
    /// Calls `f` on this node and every node below it, in text order. Recursion is bounded by
    /// [`EXPRESSION_DEPTH_MAX`], which the parser enforces.
    pub(crate) fn walk(&self, f: &mut dyn FnMut(&Node)) {
        f(self);
        match self {
            Node::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
            Node::Cmp(_, l, r) => {
                l.walk(f);
                r.walk(f);
            }
            _ => {}
        }
    }

    fn render(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Str(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")
            }
            Node::Num(n) => write!(f, "{n}"),
            Node::Attr(a) => write!(f, "[{a}]"),
            Node::Mode(m) => f.write_str(m.name()),
            Node::Empty => Ok(()),
            Node::Call(func, args) => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    a.render(f)?;
                }
                f.write_str(")")
            }
            Node::Cmp(op, l, r) => {
                l.render(f)?;
                write!(f, " {} ", op.text())?;
                r.render(f)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_and_names_follow_the_function_list() {
        assert_eq!(FUNCTIONS.len(), 44);
        assert_eq!(
            FUNCTIONS.iter().position(|f| *f == "Word"),
            Some(42),
            "the page's 43 come first"
        );
        for (i, f) in Func::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(Func::from_name(FUNCTIONS[i]), Some(*f));
            let spec = f.spec();
            assert!(
                spec.syntax
                    .to_ascii_lowercase()
                    .starts_with(&format!("{}(", FUNCTIONS[i].to_ascii_lowercase())),
                "{} has the syntax line {}",
                FUNCTIONS[i],
                spec.syntax
            );
            assert!(spec.min <= spec.max);
        }
        assert_eq!(Func::from_name("iif"), Some(Func::Iif));
        assert_eq!(Func::from_name("IsNullorEmpty"), Some(Func::IsNullOrEmpty));
        assert_eq!(
            Func::from_name("AltSecidFromNetid"),
            Some(Func::AltSecIdFromNetId)
        );
        assert_eq!(Func::from_name("Concat"), None);
    }

    #[test]
    fn switch_parameters_alternate_key_and_value() {
        let s = Func::Switch.spec();
        assert_eq!(
            [s.param(1), s.param(2), s.param(3), s.param(4), s.param(5)],
            ["source", "defaultValue", "key", "value", "key"]
        );
        assert!(s.may_be_empty(2) && !s.may_be_empty(3));
        let j = Func::Join.spec();
        assert_eq!(j.param(7), "source");
        assert!(j.may_be_empty(7) && !j.may_be_empty(1));
    }

    /// Stack needed at the nesting limit: every shape below must parse, render, evaluate and
    /// drop on a 1 MiB thread (unoptimized builds need about half of that; optimized builds
    /// an eighth).
    #[test]
    fn the_nesting_limit_fits_in_one_mebibyte_of_stack() {
        struct C;
        impl Context for C {
            fn attribute(&self, _: &str) -> Option<Value> {
                Some(Value::Str("2021-08-24".into()))
            }
            fn now(&self) -> i64 {
                0
            }
            fn random(&mut self) -> u64 {
                0
            }
        }
        let n = EXPRESSION_DEPTH_MAX;
        let nest = |open: &str, leaf: &str, close: &str, times: usize| {
            format!("{}{leaf}{}", open.repeat(times), close.repeat(times))
        };
        let shapes = [
            nest("ToLower(", "[a]", ")", n),
            nest("IIF(\"x\" = ", "[a]", ", \"t\", \"f\")", n),
            nest("Replace(", "[a]", ", , \"(?<y>\\\\d+)\", \"y\", \"1\", , )", n),
            nest("DateAdd(\"d\", 1, ", "[a]", ")", n),
            nest("Join(\",\", [a], ", "[a]", ", \"x\")", n),
            nest(
                "IIF(IsPresent([a]), Switch(",
                "[a]",
                ", \"d\", \"k\", \"v\"), \"z\")",
                n / 2,
            ),
            nest("FormatDateTime(", "[a]", ", , \"yyyy-MM-dd\", \"yyyy-MM-dd\")", n),
        ];
        for text in shapes {
            let ok = std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || {
                    let e = Expr::parse(&text).unwrap_or_else(|err| panic!("{err}"));
                    let again = Expr::parse(&e.to_string()).unwrap();
                    assert_eq!(again, e);
                    assert!(e.eval(&mut C).is_ok());
                    e.attributes().len()
                })
                .unwrap()
                .join();
            assert_eq!(ok.ok(), Some(1));
        }
    }

    #[test]
    fn value_helpers() {
        assert!(Value::Multi(vec![]).is_null());
        assert!(Value::Str(String::new()).is_null_or_empty());
        assert!(!Value::Str("x".into()).is_null_or_empty());
        assert_eq!(Value::Str("a".into()).strings(), ["a"]);
    }
}
