//! Entra dynamic membership rules for user groups, e.g.
//! `(user.department -eq "Sales") -or (user.country -eq "US")`.
//!
//! A dynamic group can be assigned to a cross-tenant synchronization configuration like a static
//! one, and only its direct members are in scope (CTS-15); this module decides who those members
//! are. It also defines what the provisioning scoping filters of [`crate::scoping`] (CTS-16..19)
//! share with it: the [`Property`] a condition reads, the [`UserView`] it reads it from, and the
//! positioned [`ExprError`] a malformed condition is refused with.
//!
//! # Source
//!
//! Microsoft's "Dynamic membership rules for groups", `MicrosoftDocs/entra-docs`
//! `docs/identity/users/groups-dynamic-membership.md` at commit 11d44a5c ("the page"), user
//! rules only (device rules, and rules mixing users and devices, are not modelled).
//!
//! # Properties
//!
//! Rules read `user.<property>` (the `user.` prefix and property names are matched
//! case-insensitively, although the page calls names case sensitive; [`fmt::Display`] writes
//! the page's spelling):
//!
//! - Booleans: `accountEnabled`, `dirSyncEnabled`: `-eq` / `-ne` with `true`, `false` (quoted
//!   or not) or `null`.
//! - Date-time: `employeeHireDate`: `-eq`, `-ne`, `-le`, `-ge` with an RFC 3339 date-time
//!   (quoted or bare, e.g. `2020-06-10T18:13:20Z`; a bare date means midnight UTC), `null`, or
//!   `system.now`, optionally `-plus` / `-minus` an ISO 8601 duration such as `P1D` or `PT12H`
//!   (`Y` counts as 365 days and `M` before `T` as 30 days, as .NET's `XmlConvert` does).
//!   `system.now` is [`UserView::now`], the simulated clock.
//! - Strings, with all twelve string operators: the stored attributes ([`Attr`], by the
//!   page's name, e.g. `physicalDeliveryOfficeName` and `mobile`, or by their Graph name,
//!   `officeLocation` and `mobilePhone`, accepted for compatibility), `userPrincipalName`,
//!   `userType`, `objectId` (never null), `facsimileTelephoneNumber`,
//!   `onPremisesDistinguishedName`, `onPremisesSecurityIdentifier`, `passwordPolicies`,
//!   `sipProxyAddress`, `extensionAttribute1`..`15` and directory extensions
//!   `extension_<app id>_<name>`. `employeeType` is a stored attribute the page does not list;
//!   it is kept as a string property.
//! - String collections: `otherMails`, `proxyAddresses`. A string operator means "some item
//!   matches" and its negation "no item matches" (so `-contains` is a substring test on each
//!   item; the page's "not matches for items in a collection"); `-eq null` means the collection
//!   is empty. `-any` / `-all` take a condition on each item written `_`:
//!   `user.proxyAddresses -any (_ -startsWith "contoso")`.
//! - Multi-value, only with `-any` / `-all`: `memberOf`, whose items expose `group.objectId`
//!   (the ids of the groups the user is a direct member of, [`UserView::values`]), e.g.
//!   `user.memberOf -any (group.objectId -in ['…'])`; and `assignedPlans`, whose items expose
//!   `assignedPlan.capabilityStatus`, `assignedPlan.service` and `assignedPlan.servicePlanId`.
//!   The simulator assigns no licenses, so `assignedPlans` is always empty: `-any` is false and
//!   `-all` true for every user.
//!
//! `-any` over an empty collection is false and `-all` true.
//!
//! # Operators and values
//!
//! Operators are written with or without the hyphen (`-eq` or `eq`, `-and` or `and`, `-not` or
//! `not`), in any case. Precedence, tightest first (the page's list): comparisons (including
//! `-any` / `-all`, whose condition is always parenthesized), `-not`, `-and`, `-or`.
//! `-not` negates a condition; used as a comparison operator (`user.mail -not null`) it is
//! refused, as the page says Entra refuses it.
//!
//! Values are double- or single-quoted strings (`\"` escapes a double quote, `''` or `\'` a
//! single quote), bare numbers, `true`, `false`, `null` (quoted `"null"` is the literal text),
//! bracketed lists of strings or numbers after `-in` / `-notIn`, date-times and `system.now`
//! for `employeeHireDate`. String comparisons and `-match` regexes are case-insensitive.
//! Null handling is documented on the comparison evaluator: a positive operator is false on a
//! null property, its negation true.
//!
//! # Direct reports
//!
//! `Direct Reports for "<manager object id>"` is a whole rule: the members are the users whose
//! manager has that object id ([`UserView::manager_id`]). It cannot be combined with anything
//! else.
//!
//! # Not modelled
//!
//! The rule builder's five-expression limit (a portal limit; the text box has none), the
//! 15,000 dynamic groups per tenant, device rules, and whether the referenced groups and
//! extensions exist in the tenant.
//!
//! # Bounds
//!
//! The parser is a small tokenizer plus a recursive-descent parser. Rules are capped at
//! [`RULE_LEN_MAX_CHARS`] characters (Entra's documented maximum) and [`RULE_DEPTH_MAX`] levels
//! of nesting, so no input can make parsing or evaluation recurse without bound; evaluation
//! loops over a user's collections, which the directory bounds.

use crate::extra::ExtraProp;
use crate::ids::Guid;
use crate::user::Attr;
use regex::{Regex, RegexBuilder};
use std::borrow::Cow;
use std::fmt;

/// Longest rule accepted, in characters (Entra's documented maximum for a membership rule).
pub const RULE_LEN_MAX_CHARS: usize = 3072;
/// Deepest nesting accepted: each `(` and each `-not` is one level.
pub const RULE_DEPTH_MAX: usize = 64;

/// A user property a rule can read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Property {
    /// A stored attribute such as `department`.
    Attr(Attr),
    /// `userPrincipalName`.
    UserPrincipalName,
    /// `userType` (`Member` or `Guest`).
    UserType,
    /// `accountEnabled` (`true` or `false`).
    AccountEnabled,
    /// `objectId`, the user's object id (never null).
    ObjectId,
    /// A sparse property (see [`crate::extra`]).
    Extra(ExtraProp),
    /// `memberOf`: the groups the user is a direct member of (only with `-any` / `-all`).
    MemberOf,
    /// `assignedPlans`: the user's service plans (only with `-any` / `-all`; always empty in
    /// the simulator).
    AssignedPlans,
}

/// The kind of value a [`Property`] holds, which decides the operators and values it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyType {
    /// A string: the twelve string operators.
    String,
    /// `true` / `false`: `-eq` and `-ne`.
    Boolean,
    /// A date-time: `-eq`, `-ne`, `-le`, `-ge`.
    DateTime,
    /// Several strings: the string operators (some item matches) and `-any` / `-all`.
    StringCollection,
    /// Several objects: `-any` / `-all` only.
    MultiValue,
}

impl Property {
    /// The dedicated properties that are neither stored attributes nor sparse.
    const FIELDS: [Property; 6] = [
        Property::UserPrincipalName,
        Property::UserType,
        Property::AccountEnabled,
        Property::ObjectId,
        Property::MemberOf,
        Property::AssignedPlans,
    ];

    /// Looks a property up by name, case-insensitively: a stored attribute by its rule (schema)
    /// name or its Graph name (`physicalDeliveryOfficeName` or `officeLocation`), a dedicated
    /// property, or a sparse one ([`ExtraProp::parse`], whose directory extension names are
    /// exact).
    pub fn parse(name: &str) -> Option<Property> {
        if let Some(a) = Attr::from_schema_name(name).or_else(|| Attr::from_graph_name(name)) {
            return Some(Property::Attr(a));
        }
        if let Some(p) = Property::FIELDS
            .iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
        {
            return Some(p.clone());
        }
        ExtraProp::parse(name).map(Property::Extra)
    }

    /// The name rules write, as the page spells it, e.g. `"jobTitle"`,
    /// `"physicalDeliveryOfficeName"` or `"extensionAttribute3"`.
    pub fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Property::Attr(a) => a.schema_name(),
            Property::UserPrincipalName => "userPrincipalName",
            Property::UserType => "userType",
            Property::AccountEnabled => "accountEnabled",
            Property::ObjectId => "objectId",
            Property::MemberOf => "memberOf",
            Property::AssignedPlans => "assignedPlans",
            Property::Extra(x) => return Cow::Owned(x.name()),
        })
    }

    /// The Graph name of a stored attribute (`"officeLocation"`), else [`Property::name`].
    pub fn graph_name(&self) -> Cow<'static, str> {
        match self {
            Property::Attr(a) => Cow::Borrowed(a.graph_name()),
            p => p.name(),
        }
    }

    /// The kind of value the property holds.
    pub fn value_type(&self) -> PropertyType {
        match self {
            Property::AccountEnabled | Property::Extra(ExtraProp::DirSyncEnabled) => PropertyType::Boolean,
            Property::Extra(ExtraProp::EmployeeHireDate) => PropertyType::DateTime,
            Property::Extra(ExtraProp::OtherMails | ExtraProp::ProxyAddresses) => {
                PropertyType::StringCollection
            }
            Property::MemberOf | Property::AssignedPlans => PropertyType::MultiValue,
            _ => PropertyType::String,
        }
    }

    /// Every property with a fixed name (directory extensions excepted): stored attributes
    /// first, then the dedicated fields, then the sparse properties.
    pub fn all() -> impl Iterator<Item = Property> {
        Attr::ALL
            .iter()
            .map(|&a| Property::Attr(a))
            .chain(Property::FIELDS)
            .chain(
                ExtraProp::names()
                    .filter_map(|n| ExtraProp::parse(&n))
                    .map(Property::Extra),
            )
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Read access to one user's properties. `None` means null. `accountEnabled` reads
/// `"true"`/`"false"`, `userType` `"Member"`/`"Guest"`, `employeeHireDate` an RFC 3339
/// date-time.
pub trait UserView {
    /// The value of `p` for this user (the first one of a collection), or `None` when it is
    /// null.
    fn get(&self, p: &Property) -> Option<Cow<'_, str>>;

    /// Every value of `p`: the items of a string collection, the object ids of the groups the
    /// user is a direct member of for [`Property::MemberOf`], and the single value (or none) of
    /// any other property. The default reads [`UserView::get`].
    fn values(&self, p: &Property) -> Vec<Cow<'_, str>> {
        self.get(p).into_iter().collect()
    }

    /// The object id of the user's manager, if it has one (for `Direct Reports for`).
    fn manager_id(&self) -> Option<String> {
        None
    }

    /// The time `system.now` stands for, in seconds since the Unix epoch.
    fn now(&self) -> i64 {
        0
    }
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

/// The closest of `candidates` to `name`, if one is close enough to be a plausible typo (the
/// first of equally close ones).
pub(crate) fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// The message for an unknown property name: a "did you mean" when one is close, then the list
/// of valid names in `spelling` (e.g. [`Property::name`]), leaving out `excluded` (`prefix` is
/// written before each, e.g. `"user."`). Malformed extension names get their specific problem.
pub(crate) fn unknown_property_message(
    name: &str,
    prefix: &str,
    excluded: &[Property],
    spelling: fn(&Property) -> Cow<'static, str>,
) -> String {
    if name.to_ascii_lowercase().starts_with("extension_") {
        let problem = match crate::extra::extension_problem(name) {
            _ if !name.starts_with("extension_") => "needs extension_ in lowercase",
            Some(problem) => problem,
            None => "is not known",
        };
        return format!(
            "\"{prefix}{name}\" is not a directory extension name: it {problem}, as in \
             {prefix}extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber"
        );
    }
    if name.to_ascii_lowercase().starts_with("extensionattribute") {
        return format!(
            "\"{prefix}{name}\" is not an extension attribute; they are {prefix}extensionAttribute1 to \
             {prefix}extensionAttribute15"
        );
    }
    let candidates: Vec<Property> = Property::all().filter(|p| !excluded.contains(p)).collect();
    let mut spellings: Vec<String> = Vec::with_capacity(candidates.len() * 2);
    for p in &candidates {
        for s in [p.name(), p.graph_name()] {
            if !spellings.iter().any(|x| *x == s) {
                spellings.push(s.into_owned());
            }
        }
    }
    let valid: Vec<String> = candidates
        .iter()
        .filter(|p| !matches!(p, Property::Extra(ExtraProp::ExtensionAttribute(_))))
        .map(|p| format!("{prefix}{}", spelling(p)))
        .collect();
    let valid = format!(
        "valid properties are {}, {prefix}extensionAttribute1 to {prefix}extensionAttribute15 and directory \
         extensions {prefix}extension_<app id without dashes>_<name>",
        valid.join(", ")
    );
    match closest(name, spellings.iter().map(String::as_str)) {
        Some(s) => format!("unknown property \"{prefix}{name}\" (did you mean \"{prefix}{s}\"?); {valid}"),
        None => format!("unknown property \"{prefix}{name}\"; {valid}"),
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
    /// `-le`, for `employeeHireDate` only.
    Le,
    /// `-ge`, for `employeeHireDate` only.
    Ge,
}

/// Comparison operator spellings: (lowercase name without the dash, canonical name, kind,
/// negated). The first twelve are the page's operator table.
const OPERATORS: [(&str, &str, Kind, bool); 14] = [
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
    ("le", "-le", Kind::Le, false),
    ("ge", "-ge", Kind::Ge, false),
];

/// The string operators, for messages.
fn operator_list() -> String {
    OPERATORS[..12].iter().map(|o| o.1).collect::<Vec<_>>().join(", ")
}

fn operator_name(kind: Kind, negated: bool) -> &'static str {
    OPERATORS
        .iter()
        .find(|o| o.2 == kind && o.3 == negated)
        .map_or("-eq", |o| o.1)
}

/// Every operator word (comparisons, quantifiers, logical), lowercase without the dash.
fn is_operator_word(w: &str) -> bool {
    OPERATORS.iter().any(|o| o.0.eq_ignore_ascii_case(w))
        || ["any", "all", "and", "or", "not", "plus", "minus"]
            .iter()
            .any(|o| o.eq_ignore_ascii_case(w))
}

/// A shift of `system.now` by an ISO 8601 duration.
#[derive(Clone, Debug)]
struct Shift {
    /// `-minus` rather than `-plus`.
    minus: bool,
    /// The duration, uppercased (`P1D`).
    text: String,
    /// The duration in seconds.
    secs: i64,
}

/// The right-hand side of a comparison, prepared for evaluation.
#[derive(Clone, Debug)]
enum Operand {
    /// `null`.
    Null,
    /// `true` / `false` (only for Boolean properties).
    Bool(bool),
    /// A string, as written and lowercased for case-insensitive comparison.
    Text { raw: String, lower: String },
    /// A `-in` / `-notIn` list, each value as written and lowercased.
    List(Vec<(String, String)>),
    /// A `-match` / `-notMatch` pattern, compiled case-insensitively.
    Pattern(Regex),
    /// A fixed instant, in seconds since the epoch (only for `employeeHireDate`).
    Time(i64),
    /// `system.now`, possibly shifted (only for `employeeHireDate`).
    Now(Option<Shift>),
}

/// Which item property a condition inside `-any` / `-all` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ItemProp {
    /// `_`: the item of a string collection.
    Value,
    /// `group.objectId`: the object id of one of the user's groups.
    GroupObjectId,
    /// `assignedPlan.<name>`: a property of one of the user's service plans.
    Plan(&'static str),
}

/// The properties of an `assignedPlans` item.
const PLAN_PROPERTIES: [&str; 3] = ["capabilityStatus", "service", "servicePlanId"];

/// What a comparison reads.
#[derive(Clone, Debug, PartialEq)]
enum Subject {
    /// `user.<property>`.
    User(Property),
    /// A property of the current item of `-any` / `-all`.
    Item(ItemProp),
}

impl Subject {
    fn value_type(&self) -> PropertyType {
        match self {
            Subject::User(p) => p.value_type(),
            Subject::Item(_) => PropertyType::String,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::User(p) => write!(f, "user.{}", p.name()),
            Subject::Item(ItemProp::Value) => f.write_str("_"),
            Subject::Item(ItemProp::GroupObjectId) => f.write_str("group.objectId"),
            Subject::Item(ItemProp::Plan(name)) => write!(f, "assignedPlan.{name}"),
        }
    }
}

/// One `<subject> <operator> <value>` condition.
#[derive(Clone, Debug)]
struct Comparison {
    subject: Subject,
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
            Kind::Match | Kind::Le | Kind::Ge => false,
        };
    }
    let s = s.to_lowercase();
    match kind {
        Kind::Eq | Kind::In => s == lower,
        Kind::StartsWith => s.starts_with(lower),
        Kind::EndsWith => s.ends_with(lower),
        Kind::Contains => s.contains(lower),
        Kind::Match | Kind::Le | Kind::Ge => false,
    }
}

/// Parses an RFC 3339 date-time, or a bare `YYYY-MM-DD` date as midnight UTC, to seconds since
/// the epoch.
fn parse_date_time(s: &str) -> Option<i64> {
    if s.len() == 10 {
        return crate::time::SimTime::parse_rfc3339(&format!("{s}T00:00:00Z"))
            .ok()
            .map(|t| t.0);
    }
    crate::time::SimTime::parse_rfc3339(s).ok().map(|t| t.0)
}

/// Parses an ISO 8601 duration (`P1D`, `PT12H`, `P1DT2H30M`, `P2W`, case-insensitive) to
/// seconds: `Y` is 365 days and `M` (before `T`) 30 days; no fractions; at most
/// [`crate::time::MAX_DURATION_SECS`].
fn parse_iso_duration(text: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "\"{text}\" is not an ISO 8601 duration; write e.g. P1D (one day), PT12H (12 hours) or P1DT30M"
        )
    };
    let upper = text.to_ascii_uppercase();
    let rest = upper.strip_prefix('P').ok_or_else(bad)?;
    let (mut total, mut num, mut in_time, mut parts) = (0i64, None::<i64>, false, 0);
    // Units must come in this order; `rank` is the position of the last one seen.
    let mut rank = 0;
    for c in rest.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(d)))
                    .ok_or_else(bad)?,
            );
            continue;
        }
        if c == 'T' && !in_time && num.is_none() {
            in_time = true;
            rank = 4;
            continue;
        }
        let (r, unit) = match (in_time, c) {
            (false, 'Y') => (1, 365 * 86_400),
            (false, 'M') => (2, 30 * 86_400),
            (false, 'W') => (3, 7 * 86_400),
            (false, 'D') => (4, 86_400),
            (true, 'H') => (5, 3600),
            (true, 'M') => (6, 60),
            (true, 'S') => (7, 1),
            _ => return Err(bad()),
        };
        let n = num.take().ok_or_else(bad)?;
        if r <= rank {
            return Err(bad());
        }
        rank = r;
        parts += 1;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    if parts == 0 || num.is_some() || (in_time && rank == 4) {
        return Err(bad());
    }
    if total > crate::time::MAX_DURATION_SECS {
        return Err(format!("the duration \"{text}\" is longer than 10 years"));
    }
    Ok(total)
}

impl Comparison {
    /// Null handling (a documented choice; Entra's docs only show `-eq null` / `-ne null`):
    /// every negated operator (`-ne`, `-notStartsWith`, `-notEndsWith`, `-notContains`,
    /// `-notMatch`, `-notIn`) is evaluated as the negation of its positive form, and a positive
    /// comparison of a null attribute with anything but `null` is false. So a user without a
    /// department is in `user.department -ne "Sales"`, which is why Entra's guidance adds
    /// `-and user.department -ne null` to exclude such users. An empty string counts as null,
    /// as it does in the directory (an interned empty string is the null value).
    ///
    /// On a string collection the positive form holds when some item satisfies it (`null`:
    /// when there is no item). Inside `-any` / `-all`, `item` is the current item; plan
    /// properties are null (the simulator's plans carry no values).
    fn eval(&self, u: &dyn UserView, item: Option<&str>) -> bool {
        let positive = match &self.subject {
            Subject::User(p) if p.value_type() == PropertyType::StringCollection => {
                let values = u.values(p);
                let mut items = values.iter().map(|v| &**v).filter(|s| !s.is_empty()).peekable();
                match self.operand {
                    Operand::Null => items.peek().is_none(),
                    _ => items.any(|s| self.holds(s, u)),
                }
            }
            Subject::User(p) => {
                let v = u.get(p);
                self.positive(v.as_deref(), u)
            }
            Subject::Item(ItemProp::Plan(_)) => self.positive(None, u),
            Subject::Item(_) => self.positive(item, u),
        };
        positive != self.negated
    }

    /// The positive form on one value (`None`: null).
    fn positive(&self, value: Option<&str>, u: &dyn UserView) -> bool {
        match (value.filter(|s| !s.is_empty()), &self.operand) {
            (None, Operand::Null) => true,
            (None, _) | (Some(_), Operand::Null) => false,
            (Some(s), _) => self.holds(s, u),
        }
    }

    /// The positive form on non-null value `s`.
    fn holds(&self, s: &str, u: &dyn UserView) -> bool {
        let at = |t: i64| {
            parse_date_time(s).is_some_and(|v| match self.kind {
                Kind::Le => v <= t,
                Kind::Ge => v >= t,
                _ => v == t,
            })
        };
        match &self.operand {
            Operand::Null => false,
            Operand::Bool(b) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            Operand::Text { lower, .. } => compare_ci(self.kind, s, lower),
            Operand::List(items) => items.iter().any(|(_, l)| compare_ci(Kind::In, s, l)),
            Operand::Pattern(re) => re.is_match(s),
            Operand::Time(t) => at(*t),
            Operand::Now(shift) => {
                let d = shift
                    .as_ref()
                    .map_or(0, |s| if s.minus { -s.secs } else { s.secs });
                at(u.now().saturating_add(d))
            }
        }
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
        write!(f, "{} {} ", self.subject, operator_name(self.kind, self.negated))?;
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
            Operand::Time(t) => write!(f, "\"{}\"", crate::time::SimTime(*t)),
            Operand::Now(None) => f.write_str("system.now"),
            Operand::Now(Some(s)) => {
                write!(
                    f,
                    "system.now {} {}",
                    if s.minus { "-minus" } else { "-plus" },
                    s.text
                )
            }
        }
    }
}

/// A parsed condition. `-and` / `-or` chains are flattened, so a node never has a child of its
/// own kind.
#[derive(Clone, Debug)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(Comparison),
    /// `user.<collection> -any (<cond>)` or `-all`.
    Quant {
        prop: Property,
        all: bool,
        cond: Box<Expr>,
    },
}

impl Expr {
    /// Evaluates for user `u`; `item` is the current item inside `-any` / `-all`.
    fn eval(&self, u: &dyn UserView, item: Option<&str>) -> bool {
        match self {
            Expr::Or(items) => items.iter().any(|e| e.eval(u, item)),
            Expr::And(items) => items.iter().all(|e| e.eval(u, item)),
            Expr::Not(e) => !e.eval(u, item),
            Expr::Cmp(c) => c.eval(u, item),
            Expr::Quant { prop, all, cond } => {
                // The simulator assigns no service plans.
                let values = if *prop == Property::AssignedPlans {
                    Vec::new()
                } else {
                    u.values(prop)
                };
                let mut items = values.iter().map(|v| &**v).filter(|s| !s.is_empty());
                if *all {
                    items.all(|i| cond.eval(u, Some(i)))
                } else {
                    items.any(|i| cond.eval(u, Some(i)))
                }
            }
        }
    }

    fn collect_properties(&self, out: &mut Vec<Property>) {
        let p = match self {
            Expr::Or(items) | Expr::And(items) => {
                return items.iter().for_each(|e| e.collect_properties(out))
            }
            Expr::Not(e) => return e.collect_properties(out),
            Expr::Cmp(Comparison {
                subject: Subject::User(p),
                ..
            }) => p,
            Expr::Cmp(_) => return,
            Expr::Quant { prop, .. } => prop,
        };
        if !out.contains(p) {
            out.push(p.clone());
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
/// properties and operators in the page's spelling, values double-quoted.
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
            Expr::Quant { prop, all, cond } => {
                write!(
                    f,
                    "user.{} {} ({cond})",
                    prop.name(),
                    if *all { "-all" } else { "-any" }
                )
            }
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
    /// A bare word: `user.department`, `true`, `null`, `and`, `_`, a number or a date-time.
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
    /// Whether this is operator `word`, with or without the dash.
    fn is_op(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Dash(w) | Tok::Word(w) if w.eq_ignore_ascii_case(word))
    }

    /// The word of a `Dash` or `Word` token.
    fn word(&self) -> Option<&str> {
        match &self.tok {
            Tok::Dash(w) | Tok::Word(w) => Some(w),
            _ => None,
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// The length of the date-time starting `s` (`YYYY-MM-DD`, optionally followed by `T` and a
/// time with offset), if `s` starts with one.
fn date_time_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if !(digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7) && b.get(7) == Some(&b'-') && digits(8..10))
    {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't')) {
        return Some(10);
    }
    let rest = b[11..]
        .iter()
        .take_while(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'Z' | b'z' | b'+' | b'-'))
        .count();
    Some(11 + rest)
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
                    // '' inside a single-quoted string is one single quote.
                    if c == '\'' && it.peek().is_some_and(|&(_, n)| n == '\'') {
                        it.next();
                        s.push('\'');
                        continue;
                    }
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
        if let Some(n) = c
            .is_ascii_digit()
            .then(|| date_time_len(&text[start..]))
            .flatten()
        {
            while it.peek().is_some_and(|&(i, _)| i < start + n) {
                it.next();
            }
            out.push(Token {
                tok: Tok::Word(text[start..start + n].to_string()),
                offset: start,
                len: n,
            });
            continue;
        }
        if c == '-' || c == '$' || is_word_char(c) {
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

/// Whether `w` is a bare number (`12`, `1.5`).
fn is_number(w: &str) -> bool {
    let (whole, frac) = match w.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (w, None),
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The text of a bare number token (`12`, or `-12` lexed as an operator-like word).
fn number_text(t: &Token) -> Option<String> {
    match &t.tok {
        Tok::Word(w) if is_number(w) => Some(w.clone()),
        Tok::Dash(w) if is_number(w) => Some(format!("-{w}")),
        _ => None,
    }
}

/// The items a `-any` / `-all` condition reads.
#[derive(Clone, Debug)]
enum Scope {
    /// `_`, over the string collection `user.<name>`.
    Strings(Property),
    /// `group.objectId`, over `user.memberOf`.
    Groups,
    /// `assignedPlan.<name>`, over `user.assignedPlans`.
    Plans,
}

impl Scope {
    fn of(p: &Property) -> Scope {
        match p {
            Property::MemberOf => Scope::Groups,
            Property::AssignedPlans => Scope::Plans,
            p => Scope::Strings(p.clone()),
        }
    }

    /// An example condition on the items, for messages.
    fn example(&self) -> &'static str {
        match self {
            Scope::Strings(_) => "_ -startsWith \"contoso\"",
            Scope::Groups => "group.objectId -in ['<group object id>']",
            Scope::Plans => "assignedPlan.capabilityStatus -eq \"Enabled\"",
        }
    }

    /// The collection, as a rule writes it.
    fn collection(&self) -> String {
        match self {
            Scope::Strings(p) => format!("user.{}", p.name()),
            Scope::Groups => "user.memberOf".into(),
            Scope::Plans => "user.assignedPlans".into(),
        }
    }
}

/// An example of a `-any` condition on multi-value property `p`, for messages.
fn quantifier_example(p: &Property) -> String {
    let scope = Scope::of(p);
    format!("{} -any ({})", scope.collection(), scope.example())
}

/// Recursive-descent parser over the token list.
struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    /// The items conditions read, inside `-any` / `-all`.
    scope: Option<Scope>,
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
        while self.peek().is_some_and(|t| t.is_op("or")) {
            self.pos += 1;
            items.push(self.parse_and()?);
        }
        Ok(Expr::join(items, false))
    }

    fn parse_and(&mut self) -> Result<Expr, ExprError> {
        let mut items = vec![self.parse_unary()?];
        while self.peek().is_some_and(|t| t.is_op("and")) {
            self.pos += 1;
            items.push(self.parse_unary()?);
        }
        Ok(Expr::join(items, true))
    }

    fn parse_unary(&mut self) -> Result<Expr, ExprError> {
        let Some(t) = self.peek().cloned() else {
            return self.parse_primary();
        };
        if t.is_op("not") {
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

    /// Parses `( <condition> )` starting at the current `(`, `open`.
    fn parse_parenthesized(&mut self, open: &Token) -> Result<Expr, ExprError> {
        self.enter(open)?;
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
                    open.offset,
                    1,
                    "unbalanced parentheses: this ( is never closed; add a matching )",
                ))
            }
        }
        self.depth -= 1;
        Ok(e)
    }

    fn parse_primary(&mut self) -> Result<Expr, ExprError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.missing_here(format!("the rule ends where {EXAMPLE} was expected")));
        };
        match &t.tok {
            Tok::LParen => self.parse_parenthesized(&t),
            Tok::Word(w) if w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or") => Err(ExprError::new(
                t.offset,
                t.len,
                format!("expected {EXAMPLE} before the logical operator {w}"),
            )),
            Tok::Word(w)
                if w.eq_ignore_ascii_case("direct")
                    && self.toks.get(self.pos + 1).is_some_and(|n| n.is_op("reports")) =>
            {
                Err(ExprError::new(
                    t.offset,
                    t.len,
                    "Direct Reports for \"<manager object id>\" must be the whole rule; it can't be combined \
                     with any other condition or put in parentheses",
                ))
            }
            Tok::Word(w) => {
                let subject = self.resolve_subject(w, &t)?;
                self.parse_comparison(subject)
            }
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

    /// Resolves the word a condition starts with: `user.<name>` outside `-any` / `-all`, the
    /// item property inside.
    fn resolve_subject(&self, w: &str, t: &Token) -> Result<Subject, ExprError> {
        let prefixed = |prefix: &str| {
            (w.len() >= prefix.len()
                && w.is_char_boundary(prefix.len())
                && w[..prefix.len()].eq_ignore_ascii_case(prefix))
            .then(|| &w[prefix.len()..])
        };
        let Some(scope) = &self.scope else {
            if w == "_" || prefixed("group.").is_some() || prefixed("assignedPlan.").is_some() {
                return Err(ExprError::new(
                    t.offset,
                    t.len,
                    format!(
                        "{w} can only be used inside -any or -all, as in {} or {}",
                        quantifier_example(&Property::Extra(ExtraProp::ProxyAddresses)),
                        quantifier_example(&Property::MemberOf)
                    ),
                ));
            }
            return self.resolve_property(w, t).map(Subject::User);
        };
        let inside = format!(
            "inside -any or -all on {}, conditions read each item, as in {}",
            scope.collection(),
            scope.example()
        );
        match scope {
            Scope::Strings(_) if w == "_" => Ok(Subject::Item(ItemProp::Value)),
            Scope::Groups if w.eq_ignore_ascii_case("group.objectId") => {
                Ok(Subject::Item(ItemProp::GroupObjectId))
            }
            Scope::Groups if prefixed("group.").is_some() => Err(ExprError::new(
                t.offset + 6,
                t.len - 6,
                format!("a group in user.memberOf only exposes group.objectId, not {w}"),
            )),
            Scope::Plans => {
                let Some(name) = prefixed("assignedPlan.") else {
                    return Err(ExprError::new(t.offset, t.len, inside));
                };
                if let Some(&p) = PLAN_PROPERTIES.iter().find(|p| p.eq_ignore_ascii_case(name)) {
                    return Ok(Subject::Item(ItemProp::Plan(p)));
                }
                let valid = PLAN_PROPERTIES.map(|p| format!("assignedPlan.{p}")).join(", ");
                let message = match closest(name, PLAN_PROPERTIES) {
                    Some(p) => format!(
                        "unknown plan property \"{w}\" (did you mean \"assignedPlan.{p}\"?); valid ones are {valid}"
                    ),
                    None => format!("unknown plan property \"{w}\"; valid ones are {valid}"),
                };
                Err(ExprError::new(t.offset + 13, t.len - 13, message))
            }
            _ => Err(ExprError::new(t.offset, t.len, inside)),
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
                    unknown_property_message(name, "user.", &[], Property::name),
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
                format!("properties need the user. prefix; write user.{}", p.name()),
            ));
        }
        Err(ExprError::new(
            t.offset,
            t.len,
            format!("expected {EXAMPLE} but found \"{w}\""),
        ))
    }

    fn parse_comparison(&mut self, subject: Subject) -> Result<Expr, ExprError> {
        self.pos += 1;
        let after_prop = format!("expected an operator ({}) after {subject}", operator_list());
        let Some(op_tok) = self.peek().cloned() else {
            return Err(self.missing_here(after_prop));
        };
        let Some(op_word) = op_tok.word().map(str::to_string) else {
            return Err(self.missing_here(after_prop));
        };
        let op_err = |m: String| Err(ExprError::new(op_tok.offset, op_tok.len, m));
        if op_word.eq_ignore_ascii_case("not") {
            let null_next = self
                .toks
                .get(self.pos + 1)
                .and_then(Token::word)
                .is_some_and(|w| w.eq_ignore_ascii_case("null") || w.eq_ignore_ascii_case("$null"));
            return op_err(if null_next {
                format!(
                    "-not can't compare a property with null; write {subject} -eq null or {subject} -ne null"
                )
            } else {
                format!(
                    "-not negates a whole condition and is not a comparison operator; write -not ({subject} -eq \
                     \"value\") or use -ne"
                )
            });
        }
        let vt = subject.value_type();
        if op_word.eq_ignore_ascii_case("any") || op_word.eq_ignore_ascii_case("all") {
            let all = op_word.eq_ignore_ascii_case("all");
            let prop = match &subject {
                Subject::User(p)
                    if matches!(vt, PropertyType::StringCollection | PropertyType::MultiValue) =>
                {
                    p.clone()
                }
                _ => {
                    return op_err(format!(
                        "-{} only applies to the multi-value properties user.memberOf, user.assignedPlans, \
                         user.otherMails and user.proxyAddresses, not {subject}",
                        op_word.to_ascii_lowercase()
                    ))
                }
            };
            self.pos += 1;
            return self.parse_quantifier(prop, all);
        }
        let Some(&(_, op_name, kind, negated)) =
            OPERATORS.iter().find(|o| o.0.eq_ignore_ascii_case(&op_word))
        else {
            if is_operator_word(&op_word) {
                let written = &self.text[op_tok.offset..op_tok.offset + op_tok.len];
                return op_err(format!("{after_prop}, not {written}"));
            }
            if matches!(op_tok.tok, Tok::Word(_)) {
                return op_err(format!("{after_prop}, not \"{op_word}\""));
            }
            let canonical = OPERATORS.iter().map(|o| o.1).chain(["-any", "-all"]);
            let hint = closest(&op_word, canonical.map(|n| &n[1..]))
                .map_or_else(String::new, |n| format!(" (did you mean -{n}?)"));
            return op_err(format!(
                "unknown operator -{op_word}{hint}; valid operators are {} (-le and -ge for \
                 user.employeeHireDate, -any and -all for multi-value properties)",
                operator_list()
            ));
        };
        match (vt, kind) {
            (PropertyType::MultiValue, _) => {
                let example = match &subject {
                    Subject::User(p) => quantifier_example(p),
                    Subject::Item(_) => quantifier_example(&Property::MemberOf),
                };
                return op_err(format!(
                    "{subject} is a multi-value property, so it only takes -any or -all, as in {example}"
                ));
            }
            (PropertyType::Boolean, k) if k != Kind::Eq => {
                return op_err(format!("{subject} is a boolean, so only -eq and -ne apply to it"))
            }
            (PropertyType::DateTime, Kind::Eq | Kind::Le | Kind::Ge) => {}
            (PropertyType::DateTime, _) => {
                return op_err(format!(
                    "{subject} is a date-time, so only -eq, -ne, -le and -ge apply to it"
                ))
            }
            (_, Kind::Le | Kind::Ge) => {
                return op_err(format!(
                    "{op_name} only applies to user.employeeHireDate; {subject} is compared with {}",
                    operator_list()
                ))
            }
            _ => {}
        }
        self.pos += 1;
        let operand = self.parse_operand(&subject, vt, op_name, kind)?;
        Ok(Expr::Cmp(Comparison {
            subject,
            kind,
            negated,
            operand,
        }))
    }

    /// Parses the parenthesized condition of `user.<prop> -any` / `-all` (the operator is
    /// consumed).
    fn parse_quantifier(&mut self, prop: Property, all: bool) -> Result<Expr, ExprError> {
        let scope = Scope::of(&prop);
        let name = if all { "-all" } else { "-any" };
        let open = match self.peek() {
            Some(t) if t.tok == Tok::LParen => t.clone(),
            _ => {
                return Err(self.missing_here(format!(
                    "{name} takes a condition on each item in parentheses, as in {} {name} ({})",
                    scope.collection(),
                    scope.example()
                )))
            }
        };
        // Conditions inside read only item properties, so -any / -all never nest.
        self.scope = Some(scope);
        let cond = self.parse_parenthesized(&open);
        self.scope = None;
        Ok(Expr::Quant {
            prop,
            all,
            cond: Box::new(cond?),
        })
    }

    fn parse_operand(
        &mut self,
        subject: &Subject,
        vt: PropertyType,
        op_name: &str,
        kind: Kind,
    ) -> Result<Operand, ExprError> {
        let missing =
            format!("expected a value after {op_name}: a quoted string, a number, true, false or null");
        let Some(v) = self.peek().cloned() else {
            return Err(self.missing_here(missing));
        };
        let err = |m: String| Err(ExprError::new(v.offset, v.len, m));
        match &v.tok {
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => {
                self.pos += 1;
                return if kind == Kind::Eq {
                    Ok(Operand::Null)
                } else {
                    err("null can only be compared with -eq or -ne".into())
                };
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("$null") => {
                return err(format!("write null without the $, as in {subject} -eq null"))
            }
            Tok::Word(w) | Tok::Dash(w) if is_operator_word(w) && !is_number(w) => {
                return err(format!("{missing}, not the operator {w}"))
            }
            _ => {}
        }
        if kind == Kind::In {
            return self.parse_list(op_name, &v);
        }
        match vt {
            PropertyType::Boolean => {
                let b = match &v.tok {
                    Tok::Word(w) | Tok::Str(w) if w.eq_ignore_ascii_case("true") => true,
                    Tok::Word(w) | Tok::Str(w) if w.eq_ignore_ascii_case("false") => false,
                    Tok::Str(_) => return err(format!("{subject} can only be compared with true or false")),
                    Tok::Word(w) | Tok::Dash(w) => {
                        return err(format!(
                            "{subject} is true or false, not {w}; write -eq true or -eq false"
                        ))
                    }
                    _ => return err(missing),
                };
                self.pos += 1;
                Ok(Operand::Bool(b))
            }
            PropertyType::DateTime => self.parse_date_operand(subject, &v),
            _ => {
                let raw = match &v.tok {
                    Tok::Str(s) => s.clone(),
                    _ if number_text(&v).is_some() => number_text(&v).unwrap_or_default(),
                    Tok::Word(w) | Tok::Dash(w) if w.eq_ignore_ascii_case("true") || w.eq_ignore_ascii_case("false") => {
                        return err(
                            "true and false only apply to the boolean properties user.accountEnabled and \
                             user.dirSyncEnabled; quote the value to compare text"
                                .into(),
                        )
                    }
                    Tok::Word(w) if w.eq_ignore_ascii_case("system.now") => {
                        return err("system.now only applies to user.employeeHireDate".into())
                    }
                    Tok::Word(w) | Tok::Dash(w) => {
                        return err(format!(
                            "the value {w} must be quoted, as in \"{w}\" (only numbers, true, false and null are bare)"
                        ))
                    }
                    Tok::LBracket => {
                        return err(format!("a bracketed list only follows -in or -notIn, not {op_name}"))
                    }
                    _ => return err(missing),
                };
                self.pos += 1;
                if kind != Kind::Match {
                    let lower = raw.to_lowercase();
                    return Ok(Operand::Text { raw, lower });
                }
                RegexBuilder::new(&raw)
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
                            format!(
                                "{op_name} needs a valid regular expression, but this one fails: {reason}"
                            ),
                        )
                    })
            }
        }
    }

    /// Parses a date-time, or `system.now` with an optional `-plus` / `-minus` duration, at
    /// token `v` (not yet consumed).
    fn parse_date_operand(&mut self, subject: &Subject, v: &Token) -> Result<Operand, ExprError> {
        let expected = format!(
            "{subject} is compared with a date-time such as 2020-06-10T18:13:20Z, system.now or null"
        );
        let text = match &v.tok {
            Tok::Word(w) if w.eq_ignore_ascii_case("system.now") => None,
            Tok::Word(w) | Tok::Str(w) => Some(w.clone()),
            _ => return Err(ExprError::new(v.offset, v.len, expected)),
        };
        self.pos += 1;
        if let Some(text) = text {
            return parse_date_time(text.trim())
                .map(Operand::Time)
                .ok_or_else(|| ExprError::new(v.offset, v.len, expected));
        }
        let Some(sign) = self
            .peek()
            .filter(|t| t.is_op("plus") || t.is_op("minus"))
            .cloned()
        else {
            return Ok(Operand::Now(None));
        };
        self.pos += 1;
        let minus = sign.is_op("minus");
        let dur = self.peek().cloned();
        let Some((dur, Tok::Word(w) | Tok::Str(w))) = dur.map(|d| (d.clone(), d.tok)) else {
            return Err(self.missing_here(format!(
                "expected an ISO 8601 duration such as P1D after system.now -{}",
                if minus { "minus" } else { "plus" }
            )));
        };
        let secs = parse_iso_duration(&w).map_err(|m| ExprError::new(dur.offset, dur.len, m))?;
        self.pos += 1;
        Ok(Operand::Now(Some(Shift {
            minus,
            text: w.to_ascii_uppercase(),
            secs,
        })))
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
        let unclosed = || ExprError::new(open.offset, 1, "this [ is never closed; end the list with ]");
        loop {
            match self.peek().cloned() {
                Some(t) if t.tok == Tok::RBracket && items.is_empty() => {
                    return Err(ExprError::new(
                        open.offset,
                        t.offset + 1 - open.offset,
                        format!("the {op_name} list is empty; give at least one quoted value"),
                    ))
                }
                Some(t) => {
                    let value = match &t.tok {
                        Tok::Str(s) => s.clone(),
                        _ => number_text(&t).ok_or_else(|| {
                            ExprError::new(
                                t.offset,
                                t.len,
                                "expected a quoted value or a number in the list, as in [\"Sales\", \"Marketing\"]",
                            )
                        })?,
                    };
                    self.pos += 1;
                    let lower = value.to_lowercase();
                    items.push((value, lower));
                }
                None => return Err(unclosed()),
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
                None => return Err(unclosed()),
            }
        }
    }
}

/// What a rule is.
#[derive(Clone, Debug)]
enum Body {
    /// Conditions on user properties.
    Expr(Expr),
    /// `Direct Reports for "<id>"`: the users whose manager has this object id.
    DirectReports(Guid),
}

/// A parsed Entra dynamic membership rule for users.
#[derive(Clone, Debug)]
pub struct MembershipRule {
    body: Body,
    /// What one evaluation costs against RULE_EVALUATIONS_PER_RUN_MAX (see [`MembershipRule::cost`]).
    cost: u32,
}

/// Characters of rule text that count as one more unit of evaluation work: matching a
/// 3,000-character `-match` rule costs about 500 times a short `-eq` (measured), so the units
/// follow the text's length.
pub const RULE_CHARS_PER_UNIT: usize = 8;

/// Parses `Direct Reports for "<id>"` from `toks`, which starts with `Direct`.
fn parse_direct_reports(text: &str, toks: &[Token]) -> Result<Guid, ExprError> {
    let form = "Direct Reports for \"<manager object id>\"";
    let at = |i: usize, m: String| match toks.get(i) {
        Some(t) => ExprError::new(t.offset, t.len, m),
        None => ExprError::new(text.len(), 0, m),
    };
    for (i, word) in [(1, "Reports"), (2, "for")] {
        if !toks
            .get(i)
            .is_some_and(|t| matches!(&t.tok, Tok::Word(w) if w.eq_ignore_ascii_case(word)))
        {
            return Err(at(
                i,
                format!("expected {word} here: a direct reports rule reads {form}"),
            ));
        }
    }
    let id = match toks.get(3).map(|t| &t.tok) {
        Some(Tok::Str(s)) => Guid::parse(s.trim()),
        _ => None,
    };
    let Some(id) = id else {
        return Err(at(
            3,
            "expected the manager's object id as a quoted GUID, as in Direct Reports for \
             \"62e19b97-8b3d-4d4a-a106-4ce66896a863\""
                .into(),
        ));
    };
    if let Some(t) = toks.get(4) {
        return Err(ExprError::new(
            t.offset,
            text.len() - t.offset,
            "a Direct Reports rule can't be combined with any other membership rule; remove this or use a \
             separate group",
        ));
    }
    Ok(id)
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
        let Some(first) = toks.first() else {
            return Err(ExprError::new(
                0,
                text.len(),
                format!("the rule is empty; expected {EXAMPLE}"),
            ));
        };
        if first.is_op("direct") && matches!(first.tok, Tok::Word(_)) {
            return parse_direct_reports(text, &toks).map(|id| MembershipRule {
                body: Body::DirectReports(id),
                cost: 1,
            });
        }
        let mut p = Parser {
            text,
            toks,
            pos: 0,
            depth: 0,
            scope: None,
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
        Ok(MembershipRule {
            body: Body::Expr(expr),
            cost: (1 + text.len() / RULE_CHARS_PER_UNIT) as u32,
        })
    }

    /// Units of work one evaluation of the rule counts against
    /// [`crate::limits::RULE_EVALUATIONS_PER_RUN_MAX`]: 1, plus one per
    /// [`RULE_CHARS_PER_UNIT`] characters of its text.
    pub fn cost(&self) -> u64 {
        self.cost as u64
    }

    /// Whether user `u` is a member under this rule.
    pub fn matches(&self, u: &dyn UserView) -> bool {
        match &self.body {
            Body::Expr(e) => e.eval(u, None),
            Body::DirectReports(id) => u.manager_id().is_some_and(|m| Guid::parse(&m) == Some(*id)),
        }
    }

    /// The properties the rule reads, each once, in order of first appearance (`-any` / `-all`
    /// count as reading their collection; a direct reports rule reads none, only the manager
    /// reference).
    pub fn properties(&self) -> Vec<Property> {
        let mut out = Vec::new();
        if let Body::Expr(e) = &self.body {
            e.collect_properties(&mut out);
        }
        out
    }

    /// The manager's object id of a `Direct Reports for` rule.
    pub fn direct_reports_of(&self) -> Option<Guid> {
        match self.body {
            Body::DirectReports(id) => Some(id),
            Body::Expr(_) => None,
        }
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

/// The canonical form: minimal parentheses under `-not` > `-and` > `-or`, the page's spellings
/// of properties and hyphenated operators, double-quoted values, `Direct Reports for "<id>"`
/// with a lowercase id. Parsing it gives back an equivalent rule with the same canonical form.
impl fmt::Display for MembershipRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.body {
            Body::Expr(e) => write!(f, "{e}"),
            Body::DirectReports(id) => write!(f, "Direct Reports for \"{id}\""),
        }
    }
}

/// A user for tests of rules and filters (here and in `scoping`).
#[cfg(test)]
pub(crate) mod test_user {
    use super::{Property, UserView};
    use std::borrow::Cow;

    /// A user as (property name, value) pairs, by the rule name or the Graph name; a name may
    /// repeat for a collection (`memberOf` holds group ids), `manager` is the manager's object
    /// id and `now` an RFC 3339 time for `system.now`. Absent names are null.
    #[derive(Default)]
    pub(crate) struct TestUser(Vec<(&'static str, &'static str)>);

    impl TestUser {
        fn find(&self, name: &str) -> impl Iterator<Item = &'static str> + '_ {
            let name = name.to_string();
            self.0.iter().filter(move |(k, _)| *k == name).map(|(_, v)| *v)
        }
    }

    impl UserView for TestUser {
        fn get(&self, p: &Property) -> Option<Cow<'_, str>> {
            self.values(p).into_iter().next()
        }

        fn values(&self, p: &Property) -> Vec<Cow<'_, str>> {
            let (name, graph) = (p.name(), p.graph_name());
            let mut v: Vec<Cow<'_, str>> = self.find(&name).map(Cow::Borrowed).collect();
            if v.is_empty() && graph != name {
                v = self.find(&graph).map(Cow::Borrowed).collect();
            }
            v
        }

        fn manager_id(&self) -> Option<String> {
            self.find("manager").next().map(str::to_string)
        }

        fn now(&self) -> i64 {
            self.find("now")
                .next()
                .and_then(|t| crate::time::SimTime::parse_rfc3339(t).ok())
                .map_or(0, |t| t.0)
        }
    }

    /// A user with these (property name, value) pairs.
    pub(crate) fn user(pairs: &[(&'static str, &'static str)]) -> TestUser {
        TestUser(pairs.to_vec())
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
    fn property_parse_is_case_insensitive_on_rule_and_graph_names() {
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
        assert_eq!(Property::parse("objectid"), Some(Property::ObjectId));
        assert_eq!(Property::parse("memberOf"), Some(Property::MemberOf));
        assert_eq!(Property::parse("assignedPlans"), Some(Property::AssignedPlans));
        assert_eq!(
            Property::parse("DirSyncEnabled"),
            Some(Property::Extra(ExtraProp::DirSyncEnabled))
        );
        assert_eq!(Property::parse("manager"), None);
        assert_eq!(Property::parse("faxNumber"), None);
        for p in Property::all() {
            assert_eq!(Property::parse(&p.name()), Some(p.clone()));
            assert_eq!(Property::parse(&p.graph_name()), Some(p));
        }
        // 20 stored attributes, 6 dedicated properties, 9 named sparse ones, 15 extension
        // attributes.
        assert_eq!(Property::all().count(), Attr::ALL.len() + 6 + 9 + 15);
    }

    #[test]
    fn stored_attributes_answer_to_the_page_name_and_the_graph_name() {
        let office = Property::Attr(Attr::OfficeLocation);
        assert_eq!(
            Property::parse("physicalDeliveryOfficeName"),
            Some(office.clone())
        );
        assert_eq!(Property::parse("officeLocation"), Some(office.clone()));
        assert_eq!(office.name(), "physicalDeliveryOfficeName");
        assert_eq!(office.graph_name(), "officeLocation");
        let mobile = Property::Attr(Attr::MobilePhone);
        assert_eq!(Property::parse("mobile"), Some(mobile.clone()));
        assert_eq!(Property::parse("MobilePhone"), Some(mobile));
        assert_eq!(
            Property::parse("mailNickName"),
            Some(Property::Attr(Attr::MailNickname))
        );
        let u = user(&[("officeLocation", "B40"), ("mobilePhone", "+47 1")]);
        let r = rule(r#"user.officeLocation -eq "b40" -and user.MOBILEPHONE -startsWith "+47""#);
        assert!(r.matches(&u));
        assert!(!r.matches(&user(&[("officeLocation", "B41"), ("mobilePhone", "+47 1")])));
        assert_eq!(
            r.to_string(),
            r#"user.physicalDeliveryOfficeName -eq "b40" -and user.mobile -startsWith "+47""#
        );
        assert_eq!(rule(&r.to_string()), r);
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

    /// Asserts that `text` parses, round-trips through its canonical form, admits `member` and
    /// refuses `other`.
    fn admits(text: &str, member: &[(&'static str, &'static str)], other: &[(&'static str, &'static str)]) {
        let r = rule(text);
        assert!(r.matches(&user(member)), "{text} should admit {member:?}");
        assert!(!r.matches(&user(other)), "{text} should refuse {other:?}");
        let canonical = r.to_string();
        assert_eq!(rule(&canonical), r, "{text}");
        assert_eq!(rule(&canonical).to_string(), canonical, "{text}");
    }

    #[test]
    fn page_boolean_usage_examples() {
        admits(
            "user.accountEnabled -eq true",
            &[("accountEnabled", "true")],
            &[("accountEnabled", "false")],
        );
        admits(
            "user.dirSyncEnabled -eq true",
            &[("dirSyncEnabled", "true")],
            &[("dirSyncEnabled", "false")],
        );
        // A cloud-only user has no dirSyncEnabled: a positive comparison fails, -ne passes.
        assert!(!rule("user.dirSyncEnabled -eq false").matches(&TestUser::default()));
        assert!(rule("user.dirSyncEnabled -ne true").matches(&TestUser::default()));
        assert!(rule("user.dirSyncEnabled -eq null").matches(&TestUser::default()));
    }

    #[test]
    fn page_date_time_usage_example_with_a_date_for_the_placeholder() {
        // The page's `user.employeeHireDate -eq "value"` with a DateTimeOffset for "value".
        admits(
            r#"user.employeeHireDate -eq "2024-06-01T09:00:00Z""#,
            &[("employeeHireDate", "2024-06-01T09:00:00Z")],
            &[("employeeHireDate", "2024-06-01T09:00:01Z")],
        );
        // The placeholder itself is not a date-time.
        let text = r#"user.employeeHireDate -eq "value""#;
        let e = err(text);
        assert_eq!(span(text, &e), r#""value""#);
        assert!(e.message.contains("date-time"), "{}", e.message);
    }

    #[test]
    fn page_string_usage_examples() {
        for name in [
            "city",
            "country",
            "companyName",
            "department",
            "displayName",
            "employeeId",
            "facsimileTelephoneNumber",
            "givenName",
            "jobTitle",
            "mail",
            "mailNickName",
            "mobile",
            "onPremisesDistinguishedName",
            "physicalDeliveryOfficeName",
            "postalCode",
            "sipProxyAddress",
            "state",
            "streetAddress",
            "surname",
            "telephoneNumber",
        ] {
            let text = format!(r#"user.{name} -eq "value""#);
            let r = rule(&text);
            let p = Property::parse(name).unwrap();
            let key: &'static str = Box::leak(p.name().into_owned().into_boxed_str());
            assert!(r.matches(&user(&[(key, "VALUE")])), "{text}");
            assert!(!r.matches(&user(&[(key, "other")])), "{text}");
            assert!(!r.matches(&TestUser::default()), "{text}");
            assert_eq!(r.to_string(), format!(r#"user.{} -eq "value""#, p.name()));
        }
        admits(
            r#"user.employeeId -ne "null""#,
            &[("employeeId", "E1")],
            &[("employeeId", "null")],
        );
        // Quoted "null" is the literal text, so a user without an employee id is admitted too.
        assert!(rule(r#"user.employeeId -ne "null""#).matches(&TestUser::default()));
        admits(
            r#"user.mail -notEndsWith "@Contoso.com""#,
            &[("mail", "a@fabrikam.com")],
            &[("mail", "a@contoso.com")],
        );
        admits(
            r#"user.mailNickname -endsWith "-vendor""#,
            &[("mailNickname", "ann-VENDOR")],
            &[("mailNickname", "ann")],
        );
        admits(
            r#"user.memberOf -any (group.objectId -in ['value'])"#,
            &[("memberOf", "other"), ("memberOf", "value")],
            &[("memberOf", "other")],
        );
        admits(
            r#"user.objectId -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb""#,
            &[("objectId", "AAAAAAAA-0000-1111-2222-BBBBBBBBBBBB")],
            &[("objectId", "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbc")],
        );
        admits(
            r#"user.onPremisesSecurityIdentifier -eq "S-1-1-11-1111111111-1111111111-1111111111-1111111""#,
            &[(
                "onPremisesSecurityIdentifier",
                "S-1-1-11-1111111111-1111111111-1111111111-1111111",
            )],
            &[("onPremisesSecurityIdentifier", "S-1-1-11-1")],
        );
        admits(
            r#"user.passwordPolicies -eq "DisableStrongPassword""#,
            &[("passwordPolicies", "DisableStrongPassword")],
            &[("passwordPolicies", "None")],
        );
        admits(
            r#"user.preferredLanguage -eq "en-US""#,
            &[("preferredLanguage", "en-us")],
            &[("preferredLanguage", "nb-NO")],
        );
        admits(
            r#"user.usageLocation -eq "US""#,
            &[("usageLocation", "US")],
            &[("usageLocation", "NO")],
        );
        admits(
            r#"user.userPrincipalName -eq "alias@domain""#,
            &[("userPrincipalName", "Alias@Domain")],
            &[("userPrincipalName", "other@domain")],
        );
        admits(
            r#"user.userType -eq "Member""#,
            &[("userType", "Member")],
            &[("userType", "Guest")],
        );
    }

    #[test]
    fn page_string_collection_usage_examples() {
        admits(
            r#"user.otherMails -startsWith "alias@domain""#,
            &[("otherMails", "x@y"), ("otherMails", "alias@domain.com")],
            &[("otherMails", "x@alias@domain")],
        );
        // No space between the operator and the value, as the page writes it.
        admits(
            r#"user.otherMails -endsWith"@contoso.com""#,
            &[("otherMails", "a@contoso.com")],
            &[("otherMails", "a@contoso.com.au")],
        );
        admits(
            r#"user.proxyAddresses -startsWith "SMTP: alias@domain""#,
            &[("proxyAddresses", "smtp: alias@domain")],
            &[("proxyAddresses", "SMTP:alias@domain")],
        );
        admits(
            r#"user.proxyAddresses -notEndsWith "@outlook.com""#,
            &[("proxyAddresses", "SMTP:a@contoso.com")],
            &[
                ("proxyAddresses", "SMTP:a@contoso.com"),
                ("proxyAddresses", "smtp:a@outlook.com"),
            ],
        );
    }

    #[test]
    fn page_multi_value_usage_examples() {
        let plans = r#"user.assignedPlans -any (assignedPlan.servicePlanId -eq "aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e" -and assignedPlan.capabilityStatus -eq "Enabled")"#;
        let r = rule(plans);
        assert_eq!(r.to_string(), plans);
        // The simulator assigns no plans, even to a view claiming some.
        assert!(!r.matches(&user(&[("assignedPlans", "x")])));
        let none = rule("user.assignedPlans -all (assignedPlan.servicePlanId -eq null)");
        assert!(none.matches(&TestUser::default()));
        admits(
            r#"(user.proxyAddresses -any (_ -startsWith "contoso"))"#,
            &[
                ("proxyAddresses", "smtp:a@x.com"),
                ("proxyAddresses", "Contoso:a"),
            ],
            &[("proxyAddresses", "smtp:a@contoso.com")],
        );
        assert!(!rule(r#"user.proxyAddresses -any (_ -startsWith "contoso")"#).matches(&TestUser::default()));
    }

    #[test]
    fn page_extension_examples() {
        admits(
            r#"(user.extensionAttribute15 -eq "Marketing")"#,
            &[("extensionAttribute15", "marketing")],
            &[("extensionAttribute14", "Marketing")],
        );
        admits(
            r#"user.extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber -eq "123""#,
            &[("extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber", "123")],
            &[("extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber", "1234")],
        );
        assert_eq!(
            rule("user.EXTENSIONATTRIBUTE3 -ne null").to_string(),
            "user.extensionAttribute3 -ne null"
        );
    }

    #[test]
    fn page_operator_examples() {
        admits(
            r#"user.department -in ["50001","50002"]"#,
            &[("department", "50002")],
            &[("department", "50003")],
        );
        let r = rule(r#"user.displayName -match "^Da.*""#);
        for name in ["Da", "Dav", "David"] {
            let u = user(&[("displayName", Box::leak(name.to_string().into_boxed_str()))]);
            assert!(r.matches(&u), "{name}");
        }
        assert!(!r.matches(&user(&[("displayName", "aDa")])));
        admits(
            "user.employeehiredate -le 2020-06-10T18:13:20Z",
            &[("employeeHireDate", "2020-06-10T18:13:20Z")],
            &[("employeeHireDate", "2020-06-10T18:13:21Z")],
        );
        admits(
            "user.employeehiredate -ge system.now -plus p1d",
            &[
                ("now", "2024-06-01T00:00:00Z"),
                ("employeeHireDate", "2024-06-02T00:00:00Z"),
            ],
            &[
                ("now", "2024-06-01T00:00:00Z"),
                ("employeeHireDate", "2024-06-01T23:59:59Z"),
            ],
        );
        admits("user.department -eq null", &[], &[("department", "Sales")]);
    }

    #[test]
    fn page_special_rules() {
        let all = rule("user.objectId -ne null");
        assert!(all.matches(&user(&[("objectId", "x"), ("userType", "Guest")])));
        assert!(all.matches(&user(&[("objectId", "x"), ("userType", "Member")])));
        let members = rule(r#"(user.objectId -ne null) -and (user.userType -eq "Member")"#);
        assert!(members.matches(&user(&[("objectId", "x"), ("userType", "Member")])));
        assert!(!members.matches(&user(&[("objectId", "x"), ("userType", "Guest")])));
        assert_eq!(
            members.to_string(),
            r#"user.objectId -ne null -and user.userType -eq "Member""#
        );
        let reports = rule(r#"Direct Reports for "62e19b97-8b3d-4d4a-a106-4ce66896a863""#);
        assert!(reports.matches(&user(&[("manager", "62e19b97-8b3d-4d4a-a106-4ce66896a863")])));
        assert!(!reports.matches(&user(&[("manager", "62e19b97-8b3d-4d4a-a106-4ce66896a864")])));
        assert!(!reports.matches(&TestUser::default()));
    }

    #[test]
    fn operators_work_with_and_without_the_hyphen() {
        let u = sales();
        for (bare, hyphen) in [
            (r#"user.department eq "Sales""#, r#"user.department -eq "Sales""#),
            (r#"user.department NE "HR""#, r#"user.department -ne "HR""#),
            (
                r#"user.jobTitle startsWith "Acc""#,
                r#"user.jobTitle -startsWith "Acc""#,
            ),
            (
                r#"user.jobTitle notEndsWith "x""#,
                r#"user.jobTitle -notEndsWith "x""#,
            ),
            (r#"user.jobTitle match "^acc""#, r#"user.jobTitle -match "^acc""#),
            (
                r#"user.country in ["US", "NO"]"#,
                r#"user.country -in ["US", "NO"]"#,
            ),
            (
                r#"user.country eq "US" and not user.department eq "HR" or user.city eq "Oslo""#,
                r#"user.country -eq "US" -and -not user.department -eq "HR" -or user.city -eq "Oslo""#,
            ),
        ] {
            let (a, b) = (rule(bare), rule(hyphen));
            assert_eq!(a, b, "{bare}");
            assert!(a.matches(&u), "{bare}");
            assert_eq!(a.to_string(), b.to_string());
        }
        let r = rule(r#"user.department eq "HR" or user.department eq "IT""#);
        assert!(!r.matches(&u));
        assert!(r.matches(&user(&[("department", "it")])));
        assert!(rule(r#"user.proxyAddresses any (_ startsWith "smtp")"#)
            .matches(&user(&[("proxyAddresses", "SMTP:a@b")])));
    }

    #[test]
    fn bare_logical_words_where_a_value_property_or_operator_belongs_are_refused() {
        let text = r#"user.department -eq and user.city -eq "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "and");
        assert!(e.message.contains("expected a value after -eq"), "{}", e.message);
        let text = r#"and user.city -eq "x""#;
        let e = err(text);
        assert_eq!((e.offset, e.len), (0, 3));
        assert!(e.message.contains("logical operator and"), "{}", e.message);
        let text = r#"user.city -eq "x" or or user.city -eq "y""#;
        assert_eq!((err(text).offset, err(text).len), (21, 2));
        let text = r#"user.department and "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "and");
        assert!(e.message.contains("expected an operator"), "{}", e.message);
        let text = r#"user.department -and "x""#;
        assert_eq!(span(text, &err(text)), "-and");
        let text = r#"user.city -eq "x" and"#;
        assert_eq!((err(text).offset, err(text).len), (text.len(), 0));
        let text = r#"not"#;
        assert_eq!((err(text).offset, err(text).len), (3, 0));
    }

    #[test]
    fn not_as_a_comparison_with_null_is_refused() {
        for text in [
            "user.department -not null",
            "user.department not null",
            "user.department -not $null",
            "user.department -NOT NULL",
        ] {
            let e = err(text);
            assert_eq!((e.offset, e.len), (16, text[16..].find(' ').unwrap()), "{text}");
            assert!(e.message.contains("user.department -eq null"), "{}", e.message);
            assert!(e.message.contains("user.department -ne null"), "{}", e.message);
        }
        let text = r#"user.department -not "Sales""#;
        let e = err(text);
        assert_eq!(span(text, &e), "-not");
        assert!(e.message.contains("not a comparison operator"), "{}", e.message);
        let text = "user.department -eq $null";
        let e = err(text);
        assert_eq!(span(text, &e), "$null");
        assert!(e.message.contains("without the $"), "{}", e.message);
        // -not negating a null check is a logical -not, and stays valid.
        let r = rule("-not (user.department -eq null)");
        assert!(r.matches(&sales()));
        assert!(!r.matches(&TestUser::default()));
    }

    #[test]
    fn booleans_take_only_eq_and_ne_with_true_false_or_null() {
        let synced = user(&[("dirSyncEnabled", "True")]);
        assert!(rule("user.dirSyncEnabled -eq TRUE").matches(&synced));
        assert!(rule(r#"user.dirSyncEnabled -ne "false""#).matches(&synced));
        assert!(!rule("user.dirSyncEnabled -eq false").matches(&synced));
        let text = r#"user.dirSyncEnabled -startsWith "t""#;
        let e = err(text);
        assert_eq!(span(text, &e), "-startsWith");
        assert!(e.message.contains("boolean"), "{}", e.message);
        let text = "user.dirSyncEnabled -eq yes";
        assert_eq!(span(text, &err(text)), "yes");
        let text = "user.dirSyncEnabled -eq 1";
        assert_eq!(span(text, &err(text)), "1");
        let text = r#"user.dirSyncEnabled -in ["true"]"#;
        assert_eq!(span(text, &err(text)), "-in");
        let text = "user.department -eq false";
        let e = err(text);
        assert_eq!(span(text, &e), "false");
        assert!(e.message.contains("user.dirSyncEnabled"), "{}", e.message);
    }

    #[test]
    fn le_and_ge_apply_only_to_employee_hire_date() {
        let text = r#"user.department -le "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "-le");
        assert!(
            e.message.contains("only applies to user.employeeHireDate"),
            "{}",
            e.message
        );
        let text = "user.accountEnabled -ge true";
        assert_eq!(span(text, &err(text)), "-ge");
        let text = r#"user.employeeHireDate -contains "2020""#;
        let e = err(text);
        assert_eq!(span(text, &e), "-contains");
        assert!(e.message.contains("-eq, -ne, -le and -ge"), "{}", e.message);
        let text = r#"user.employeeHireDate -le null"#;
        assert_eq!(span(text, &err(text)), "null");
        let text = r#"user.department -eq system.now"#;
        assert_eq!(span(text, &err(text)), "system.now");
        let text = "user.department -lt 5";
        let e = err(text);
        assert!(e.message.contains("did you mean -le?"), "{}", e.message);
    }

    #[test]
    fn employee_hire_date_compares_instants() {
        let hired = user(&[("employeeHireDate", "2020-06-10T18:13:20Z")]);
        // Offsets, quotes and a bare date are all instants.
        assert!(rule("user.employeeHireDate -eq 2020-06-10T20:13:20+02:00").matches(&hired));
        assert!(rule(r#"user.employeeHireDate -eq "2020-06-10T18:13:20.000Z""#).matches(&hired));
        assert!(rule("user.employeeHireDate -ge 2020-06-10").matches(&hired));
        assert!(!rule("user.employeeHireDate -le 2020-06-10").matches(&hired));
        assert!(rule(r#"user.employeeHireDate -ne "2020-06-10T18:13:21Z""#).matches(&hired));
        // A user without a hire date fails -eq, -le and -ge, and passes -ne.
        let none = TestUser::default();
        assert!(!rule("user.employeeHireDate -le 2100-01-01T00:00:00Z").matches(&none));
        assert!(!rule("user.employeeHireDate -ge 1900-01-01T00:00:00Z").matches(&none));
        assert!(rule("user.employeeHireDate -ne 2020-06-10T18:13:20Z").matches(&none));
        assert_eq!(
            rule("user.employeeHireDate -le 2020-06-10T20:13:20+02:00").to_string(),
            r#"user.employeeHireDate -le "2020-06-10T18:13:20Z""#
        );
        let text = "user.employeeHireDate -le 2020-13-10T18:13:20Z";
        assert_eq!(span(text, &err(text)), "2020-13-10T18:13:20Z");
    }

    #[test]
    fn employee_hire_date_against_system_now() {
        let at = |hired: &'static str| user(&[("now", "2024-06-01T00:00:00Z"), ("employeeHireDate", hired)]);
        let future = rule("user.employeeHireDate -ge system.now -plus p1d");
        assert!(future.matches(&at("2024-06-05T00:00:00Z")));
        assert!(!future.matches(&at("2024-06-01T12:00:00Z")));
        let recent = rule("user.employeeHireDate -ge system.now minus P30D");
        assert!(recent.matches(&at("2024-05-10T00:00:00Z")));
        assert!(!recent.matches(&at("2024-04-30T00:00:00Z")));
        let hired = rule("user.employeeHireDate -le system.now");
        assert!(hired.matches(&at("2024-06-01T00:00:00Z")));
        assert!(!hired.matches(&at("2024-06-01T00:00:01Z")));
        let shift = rule("user.employeeHireDate -le system.now -minus pt36h");
        assert!(shift.matches(&at("2024-05-30T12:00:00Z")));
        assert!(!shift.matches(&at("2024-05-30T12:00:01Z")));
        assert_eq!(
            future.to_string(),
            "user.employeeHireDate -ge system.now -plus P1D"
        );
        assert_eq!(rule(&shift.to_string()), shift);
        let text = "user.employeeHireDate -ge system.now -plus 1d";
        let e = err(text);
        assert_eq!(span(text, &e), "1d");
        assert!(e.message.contains("ISO 8601"), "{}", e.message);
        let text = "user.employeeHireDate -ge system.now -plus";
        assert_eq!((err(text).offset, err(text).len), (text.len(), 0));
    }

    #[test]
    fn iso_durations() {
        for (text, secs) in [
            ("P1D", 86_400),
            ("p1d", 86_400),
            ("PT12H", 43_200),
            ("P1DT2H30M", 86_400 + 9_000),
            ("P2W", 14 * 86_400),
            ("P1Y", 365 * 86_400),
            ("P1M", 30 * 86_400),
            ("PT90S", 90),
            ("P1W1D", 8 * 86_400),
        ] {
            assert_eq!(parse_iso_duration(text), Ok(secs), "{text}");
        }
        for text in [
            "1D", "P", "PT", "P1H", "PD", "P1D2Y", "P1DT", "PT1D", "P1", "P1DT1H1H", "P11Y",
        ] {
            assert!(parse_iso_duration(text).is_err(), "{text}");
        }
    }

    #[test]
    fn string_collections_match_when_any_item_does_and_negations_when_none_does() {
        let u = user(&[("otherMails", "a@contoso.com"), ("otherMails", "b@Fabrikam.com")]);
        assert!(rule(r#"user.otherMails -endsWith "@fabrikam.com""#).matches(&u));
        assert!(!rule(r#"user.otherMails -notEndsWith "@fabrikam.com""#).matches(&u));
        assert!(rule(r#"user.otherMails -notEndsWith "@outlook.com""#).matches(&u));
        assert!(rule(r#"user.otherMails -contains "fabri""#).matches(&u));
        assert!(rule(r#"user.otherMails -eq "A@CONTOSO.COM""#).matches(&u));
        assert!(rule(r#"user.otherMails -in ["x", "b@fabrikam.com"]"#).matches(&u));
        assert!(rule(r#"user.otherMails -match "^b@""#).matches(&u));
        assert!(!rule(r#"user.otherMails -notMatch "^b@""#).matches(&u));
        assert!(!rule("user.otherMails -eq null").matches(&u));
        let none = TestUser::default();
        assert!(rule("user.otherMails -eq null").matches(&none));
        assert!(!rule(r#"user.otherMails -contains """#).matches(&none));
        assert!(rule(r#"user.otherMails -notContains "x""#).matches(&none));
    }

    #[test]
    fn any_and_all_over_string_collections_read_each_item_as_underscore() {
        let u = user(&[
            ("proxyAddresses", "SMTP:alex@contoso.com"),
            ("proxyAddresses", "smtp:alex@fabrikam.com"),
        ]);
        assert!(rule(r#"user.proxyAddresses -any (_ -eq "smtp:ALEX@contoso.com")"#).matches(&u));
        assert!(rule(r#"user.proxyAddresses -all (_ -startsWith "smtp:")"#).matches(&u));
        assert!(!rule(r#"user.proxyAddresses -all (_ -endsWith "contoso.com")"#).matches(&u));
        let both = rule(
            r#"user.proxyAddresses -any (_ -startsWith "smtp" -and -not (_ -contains "contoso" -or _ -contains "tailspin"))"#,
        );
        assert!(both.matches(&u));
        assert!(!both.matches(&user(&[("proxyAddresses", "smtp:a@contoso.com")])));
        assert_eq!(
            both.to_string(),
            r#"user.proxyAddresses -any (_ -startsWith "smtp" -and -not (_ -contains "contoso" -or _ -contains "tailspin"))"#
        );
        let none = TestUser::default();
        assert!(!rule(r#"user.otherMails -any (_ -ne "x")"#).matches(&none));
        assert!(rule(r#"user.otherMails -all (_ -eq "x")"#).matches(&none));
        assert!(rule(r#"-not user.otherMails -any (_ -eq "x")"#).matches(&none));
        assert_eq!(
            rule(r#"not (user.otherMails any (_ eq "x"))"#).to_string(),
            r#"-not user.otherMails -any (_ -eq "x")"#
        );
        assert_eq!(
            rule(r#"user.otherMails -any (_ -eq "x")"#).properties(),
            vec![Property::Extra(ExtraProp::OtherMails)]
        );
    }

    #[test]
    fn member_of_reads_the_object_ids_of_direct_groups() {
        let u = user(&[
            ("memberOf", "11111111-1111-4111-8111-111111111111"),
            ("memberOf", "22222222-2222-4222-8222-222222222222"),
        ]);
        let any = rule(
            "user.memberOf -any (group.objectId -in ['33333333-3333-4333-8333-333333333333', \
             '22222222-2222-4222-8222-222222222222'])",
        );
        assert!(any.matches(&u));
        assert!(!any.matches(&user(&[("memberOf", "11111111-1111-4111-8111-111111111111")])));
        assert!(!any.matches(&TestUser::default()));
        assert!(
            rule(r#"user.memberOf -any (group.objectId -eq "11111111-1111-4111-8111-111111111111")"#)
                .matches(&u)
        );
        assert!(
            rule(r#"user.memberOf -all (group.objectId -ne "33333333-3333-4333-8333-333333333333")"#)
                .matches(&u)
        );
        assert!(
            !rule(r#"user.memberOf -all (group.objectId -ne "11111111-1111-4111-8111-111111111111")"#)
                .matches(&u)
        );
        assert_eq!(
            any.to_string(),
            r#"user.memberOf -any (group.objectId -in ["33333333-3333-4333-8333-333333333333", "22222222-2222-4222-8222-222222222222"])"#
        );
        assert_eq!(any.properties(), vec![Property::MemberOf]);
    }

    #[test]
    fn multi_value_and_item_errors_are_positioned() {
        let text = r#"user.memberOf -eq "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "-eq");
        assert!(
            e.message.contains("user.memberOf -any (group.objectId"),
            "{}",
            e.message
        );
        let text = r#"user.assignedPlans -contains "x""#;
        assert!(err(text).message.contains("assignedPlan.capabilityStatus"));
        let text = r#"user.department -any (_ -eq "x")"#;
        let e = err(text);
        assert_eq!(span(text, &e), "-any");
        assert!(e.message.contains("user.proxyAddresses"), "{}", e.message);
        let text = r#"user.proxyAddresses -any _ -eq "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "_");
        assert!(e.message.contains("in parentheses"), "{}", e.message);
        let text = r#"user.proxyAddresses -any (user.department -eq "x")"#;
        let e = err(text);
        assert_eq!(span(text, &e), "user.department");
        assert!(e.message.contains("_ -startsWith"), "{}", e.message);
        let text = r#"user.memberOf -any (_ -eq "x")"#;
        assert!(err(text).message.contains("group.objectId"));
        let text = r#"user.memberOf -any (group.displayName -eq "x")"#;
        let e = err(text);
        assert_eq!(span(text, &e), "displayName");
        assert!(e.message.contains("only exposes group.objectId"), "{}", e.message);
        let text = r#"user.assignedPlans -any (assignedPlan.servicePlan -eq "x")"#;
        let e = err(text);
        assert_eq!(span(text, &e), "servicePlan");
        assert!(
            e.message.contains("did you mean \"assignedPlan.servicePlanId\""),
            "{}",
            e.message
        );
        assert!(
            rule(r#"user.assignedPlans -any (assignedPlan.SERVICE -eq "exchange")"#)
                .to_string()
                .contains("assignedPlan.service -eq")
        );
        let text = r#"_ -startsWith "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "_");
        assert!(
            e.message.contains("only be used inside -any or -all"),
            "{}",
            e.message
        );
        let text = r#"user.proxyAddresses -any (_ -any (_ -eq "x"))"#;
        assert_eq!(span(text, &err(text)), "-any");
        let text = r#"user.proxyAddresses -any (_ -eq "x""#;
        assert!(err(text).message.contains("never closed"));
    }

    #[test]
    fn direct_reports_is_a_whole_rule() {
        let id = "62E19B97-8B3D-4D4A-A106-4CE66896A863";
        let r = rule(&format!(r#"direct reports FOR "{id}""#));
        assert_eq!(
            r.to_string(),
            r#"Direct Reports for "62e19b97-8b3d-4d4a-a106-4ce66896a863""#
        );
        assert_eq!(rule(&r.to_string()), r);
        assert!(r.matches(&user(&[("manager", "62e19b97-8b3d-4d4a-a106-4ce66896a863")])));
        assert!(r.properties().is_empty());
        assert_eq!(
            r.direct_reports_of(),
            Guid::parse("62e19b97-8b3d-4d4a-a106-4ce66896a863")
        );
        let text = format!(r#"Direct Reports for "{id}" -and user.department -eq "Sales""#);
        let e = err(&text);
        assert_eq!(span(&text, &e), r#"-and user.department -eq "Sales""#);
        assert!(e.message.contains("can't be combined"), "{}", e.message);
        let text = format!(r#"user.department -eq "Sales" -or Direct Reports for "{id}""#);
        let e = err(&text);
        assert_eq!(span(&text, &e), "Direct");
        assert!(e.message.contains("must be the whole rule"), "{}", e.message);
        let text = format!(r#"(Direct Reports for "{id}")"#);
        assert_eq!(span(&text, &err(&text)), "Direct");
        let text = r#"Direct Reports for "bob""#;
        let e = err(text);
        assert_eq!(span(text, &e), r#""bob""#);
        assert!(e.message.contains("GUID"), "{}", e.message);
        let text = r#"Direct Reports of "x""#;
        assert_eq!(span(text, &err(text)), "of");
        let text = "Direct Reports for";
        assert_eq!((err(text).offset, err(text).len), (text.len(), 0));
    }

    #[test]
    fn values_may_be_single_quoted_with_doubled_quotes_or_bare_numbers() {
        let u = user(&[("surname", "O'Brien"), ("employeeId", "12345")]);
        assert!(rule("user.surname -eq 'O''Brien'").matches(&u));
        assert!(rule(r#"user.surname -eq "O'Brien""#).matches(&u));
        assert!(!rule("user.surname -eq 'O''''Brien'").matches(&u));
        assert_eq!(
            rule("user.surname -eq 'O''Brien'").to_string(),
            r#"user.surname -eq "O'Brien""#
        );
        assert!(rule("user.employeeId -eq 12345").matches(&u));
        assert!(rule("user.employeeId -in [1, 12345]").matches(&u));
        assert!(!rule("user.employeeId -eq 1234.5").matches(&u));
        assert!(rule("user.employeeId -eq -5").matches(&user(&[("employeeId", "-5")])));
        assert_eq!(
            rule("user.employeeId -in [1, -2.5]").to_string(),
            r#"user.employeeId -in ["1", "-2.5"]"#
        );
        let text = "user.employeeId -eq 12a";
        assert!(err(text).message.contains("quoted"));
    }

    #[test]
    fn error_unknown_properties_and_operators_suggest_the_closest() {
        let text = r#"user.physicalDeliveryOfficeNme -eq "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "physicalDeliveryOfficeNme");
        assert!(
            e.message
                .contains("did you mean \"user.physicalDeliveryOfficeName\""),
            "{}",
            e.message
        );
        assert!(
            e.message
                .contains("user.extensionAttribute1 to user.extensionAttribute15"),
            "{}",
            e.message
        );
        let e = err(r#"user.proxyAdresses -any (_ -eq "x")"#);
        assert!(
            e.message.contains("did you mean \"user.proxyAddresses\""),
            "{}",
            e.message
        );
        let e = err(r#"user.officeLocaton -eq "x""#);
        assert!(
            e.message.contains("did you mean \"user.officeLocation\""),
            "{}",
            e.message
        );
        let text = r#"user.extensionAttribute16 -eq "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "extensionAttribute16");
        assert!(e.message.contains("extensionAttribute1 to"), "{}", e.message);
        let text = r#"user.extension_c272_OfficeNumber -eq "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "extension_c272_OfficeNumber");
        assert!(e.message.contains("32 hexadecimal digits"), "{}", e.message);
        let text = r#"user.department -startwith "x""#;
        let e = err(text);
        assert_eq!(span(text, &e), "-startwith");
        assert!(e.message.contains("did you mean -startsWith?"), "{}", e.message);
        let text = r#"user.department -al (_ -eq "x")"#;
        assert!(err(text).message.contains("did you mean -all?"));
    }

    #[test]
    fn precedence_is_comparisons_not_and_or() {
        // not a or b and c == (not a) or (b and c)
        let r = rule(r#"not user.country eq "US" or user.city eq "Oslo" and user.department eq "HR""#);
        assert!(r.matches(&user(&[("country", "NO")])));
        assert!(!r.matches(&user(&[("country", "US"), ("city", "Oslo")])));
        assert!(r.matches(&user(&[
            ("country", "US"),
            ("city", "Oslo"),
            ("department", "HR")
        ])));
        assert_eq!(
            r.to_string(),
            r#"-not user.country -eq "US" -or user.city -eq "Oslo" -and user.department -eq "HR""#
        );
    }

    /// A directory with a manager, a report in a group, and a user with sparse properties.
    fn directory() -> (crate::directory::Directory, crate::strings::Interner) {
        use crate::user::{NewUser, UserType};
        let mut strings = crate::strings::Interner::default();
        let mut dir = crate::directory::Directory::default();
        dir.set_identity(7, "contoso");
        let mut add = |upn: &str, attrs: Vec<(Attr, String)>, extra: Vec<(ExtraProp, Vec<String>)>| {
            let u = NewUser {
                upn: upn.into(),
                attrs,
                user_type: UserType::Member,
                account_enabled: true,
                extra,
            };
            dir.add_user(u.build(&mut strings)).unwrap()
        };
        let boss = add("boss@contoso.com", vec![], vec![]);
        let ann = add(
            "ann@contoso.com",
            vec![(Attr::OfficeLocation, "B40".into())],
            vec![
                (
                    ExtraProp::OtherMails,
                    vec!["ann@fabrikam.com".into(), "ann@tailspin.com".into()],
                ),
                (ExtraProp::DirSyncEnabled, vec!["true".into()]),
                (ExtraProp::EmployeeHireDate, vec!["2024-06-10T00:00:00Z".into()]),
            ],
        );
        let _bob = add("bob@contoso.com", vec![], vec![]);
        dir.set_manager(ann, Some(boss));
        dir.add_group("Others", vec![boss]).unwrap();
        dir.add_group("Sales", vec![ann]).unwrap();
        (dir, strings)
    }

    #[test]
    fn source_user_reads_object_ids_groups_managers_and_sparse_properties() {
        use crate::ids::{GroupIdx, UserIdx};
        let (dir, strings) = directory();
        let view = |i: u32| crate::directory::SourceUser::new(&dir, UserIdx(i), &strings);
        let members = |r: &MembershipRule| (0..3).filter(|&i| r.matches(&view(i))).collect::<Vec<_>>();
        assert_eq!(members(&rule("user.objectId -ne null")), vec![0, 1, 2]);
        let ann_id = dir.user_object_id(UserIdx(1));
        assert_eq!(
            members(&rule(&format!(r#"user.objectId -eq "{ann_id}""#))),
            vec![1]
        );
        let boss_id = dir.user_object_id(UserIdx(0));
        assert_eq!(
            members(&rule(&format!(r#"Direct Reports for "{boss_id}""#))),
            vec![1]
        );
        assert_eq!(
            members(&rule(&format!(r#"Direct Reports for "{ann_id}""#))),
            Vec::<u32>::new()
        );
        let sales = dir.group_object_id(GroupIdx(1));
        assert_eq!(
            members(&rule(&format!(
                "user.memberOf -any (group.objectId -in ['{sales}'])"
            ))),
            vec![1]
        );
        assert_eq!(
            members(&rule(&format!(
                r#"user.memberOf -all (group.objectId -eq "{sales}")"#
            ))),
            vec![1, 2]
        );
        assert_eq!(
            members(&rule(r#"user.physicalDeliveryOfficeName -eq "b40""#)),
            vec![1]
        );
        assert_eq!(
            members(&rule(r#"user.otherMails -endsWith "@tailspin.com""#)),
            vec![1]
        );
        assert_eq!(
            members(&rule(r#"user.otherMails -any (_ -contains "fabrikam")"#)),
            vec![1]
        );
        assert_eq!(members(&rule("user.dirSyncEnabled -eq true")), vec![1]);
        assert_eq!(members(&rule("user.dirSyncEnabled -ne true")), vec![0, 2]);
        assert_eq!(
            members(&rule(
                "user.assignedPlans -all (assignedPlan.servicePlanId -eq null)"
            )),
            vec![0, 1, 2]
        );
        // system.now reads the view's clock.
        let future = rule("user.employeeHireDate -ge system.now -plus P1D");
        let mut at = view(1);
        at.now = crate::time::SimTime::parse_rfc3339("2024-06-01T00:00:00Z")
            .unwrap()
            .0;
        assert!(future.matches(&at));
        at.now = crate::time::SimTime::parse_rfc3339("2024-06-09T00:00:01Z")
            .unwrap()
            .0;
        assert!(!future.matches(&at));
    }
}
