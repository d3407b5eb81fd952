//! Provisioning scoping filters of a cross-tenant synchronization configuration's user mapping.
//!
//! Scoping filters narrow the users that group or "all users" assignment put in scope (CTS-15):
//! a filter is a list of clauses combined with AND, several filters are combined with OR, and
//! with no filter every user passes (CTS-16). Clauses are `attribute OPERATOR value`, with the
//! operators of CTS-17; attributes that CTS-18 rules out are refused when the filter is parsed.
//! Saving a filter triggers a full re-evaluation (CTS-19), which is the caller's business: this
//! module only parses and evaluates. [`ScopingFilter::evaluate`] gives the per-clause results a
//! provisioning log records (CTS-23).
//!
//! Properties, user views and positioned errors are shared with [`crate::membership`]: a
//! clause reads any single-valued, non-date property a membership rule can (by its rule or
//! Graph name, e.g. `mobile` or `mobilePhone`, `objectId`, `dirSyncEnabled`,
//! `extensionAttribute1`..`15`, directory extensions), and its canonical text writes the Graph
//! name of stored attributes.

use crate::extra::ExtraProp;
use crate::membership::{unknown_property_message, ExprError, Property, UserView};
use regex::Regex;

/// A scoping operator (CTS-17).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `&`: the clause value contains the attribute value (see [`ScopingFilter`]).
    ValueContains,
    /// `!&`: the negation of `&`.
    ValueLacks,
    EndsWith,
    Equals,
    NotEquals,
    GreaterThan,
    GreaterThanOrEquals,
    Includes,
    IsTrue,
    IsFalse,
    IsNull,
    IsNotNull,
    RegexMatch,
    NotRegexMatch,
}

/// Every operator with its canonical spelling (words separated by single spaces).
const OPS: [(Op, &str); 14] = [
    (Op::ValueContains, "&"),
    (Op::ValueLacks, "!&"),
    (Op::EndsWith, "ENDS_WITH"),
    (Op::Equals, "EQUALS"),
    (Op::NotEquals, "NOT EQUALS"),
    (Op::GreaterThan, "Greater_Than"),
    (Op::GreaterThanOrEquals, "Greater_Than_OR_EQUALS"),
    (Op::Includes, "Includes"),
    (Op::IsTrue, "IS TRUE"),
    (Op::IsFalse, "IS FALSE"),
    (Op::IsNull, "IS NULL"),
    (Op::IsNotNull, "IS NOT NULL"),
    (Op::RegexMatch, "REGEX MATCH"),
    (Op::NotRegexMatch, "NOT REGEX MATCH"),
];

impl Op {
    fn name(self) -> &'static str {
        OPS.iter().find(|o| o.0 == self).map_or("EQUALS", |o| o.1)
    }
    fn takes_value(self) -> bool {
        !matches!(self, Op::IsTrue | Op::IsFalse | Op::IsNull | Op::IsNotNull)
    }
}

fn op_list() -> String {
    OPS.iter().map(|o| o.1).collect::<Vec<_>>().join(", ")
}

/// A clause's value, prepared for evaluation.
#[derive(Clone, Debug)]
enum Operand {
    /// `IS TRUE`, `IS FALSE`, `IS NULL`, `IS NOT NULL`.
    None,
    /// A string, quotes stripped.
    Text(String),
    /// `Greater_Than` / `Greater_Than_OR_EQUALS`.
    Int(i64),
    /// `REGEX MATCH` / `NOT REGEX MATCH`, compiled case-sensitively.
    Pattern(Regex),
}

/// One parsed clause, with its canonical text.
#[derive(Clone, Debug)]
struct Clause {
    prop: Property,
    op: Op,
    operand: Operand,
    text: String,
}

impl Clause {
    /// CTS-17: `IS NULL` is true on a null or empty attribute, and every other operator
    /// (`NOT REGEX MATCH` and `!&` included) is false on one.
    fn eval(&self, u: &dyn UserView) -> bool {
        let value = u.get(&self.prop);
        let Some(v) = value.as_deref().filter(|s| !s.is_empty()) else {
            return self.op == Op::IsNull;
        };
        match (self.op, &self.operand) {
            (Op::IsNull, _) => false,
            (Op::IsNotNull, _) => true,
            (Op::IsTrue, _) => v.eq_ignore_ascii_case("true"),
            (Op::IsFalse, _) => v.eq_ignore_ascii_case("false"),
            (Op::Equals, Operand::Text(t)) => v == t,
            (Op::NotEquals, Operand::Text(t)) => v != t,
            (Op::Includes, Operand::Text(t)) => v.contains(t.as_str()),
            (Op::EndsWith, Operand::Text(t)) => v.ends_with(t.as_str()),
            (Op::ValueContains, Operand::Text(t)) => t.contains(v),
            (Op::ValueLacks, Operand::Text(t)) => !t.contains(v),
            (Op::GreaterThan, Operand::Int(n)) => v.parse::<i64>().is_ok_and(|a| a > *n),
            (Op::GreaterThanOrEquals, Operand::Int(n)) => v.parse::<i64>().is_ok_and(|a| a >= *n),
            (Op::RegexMatch, Operand::Pattern(re)) => re.is_match(v),
            (Op::NotRegexMatch, Operand::Pattern(re)) => !re.is_match(v),
            _ => false,
        }
    }
}

/// The properties [`cts18_refusal`] rules out, left out of "valid properties" lists.
const REFUSED: [Property; 6] = [
    Property::UserType,
    Property::MemberOf,
    Property::AssignedPlans,
    Property::Extra(ExtraProp::OtherMails),
    Property::Extra(ExtraProp::ProxyAddresses),
    Property::Extra(ExtraProp::EmployeeHireDate),
];

/// Why CTS-18 rules attribute `name` out of scoping filters, if it does.
fn cts18_refusal(name: &str) -> Option<String> {
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    let lower = name.to_ascii_lowercase();
    let reason = if is("userType") {
        "userType cannot be used in a scoping filter (CTS-18); only internal members are synchronized anyway (CTS-20)"
            .to_string()
    } else if is("manager") {
        "manager is a reference attribute, and scoping filters cannot use it (CTS-18)".to_string()
    } else if is("memberOf") || is("IsMemberOf") {
        format!(
            "group membership ({name}) cannot be used in a scoping filter (CTS-18); assign the group to the \
             configuration instead (CTS-15)"
        )
    } else if is("members") {
        "a group's members cannot be used in a scoping filter (CTS-18); assign the group to the configuration \
         instead (CTS-15)"
            .to_string()
    } else if [
        "appRoleAssignments",
        "assignedPlans",
        "proxyAddresses",
        "otherMails",
        "businessPhones",
        "imAddresses",
    ]
    .iter()
    .any(|m| is(m))
    {
        format!(
            "{name} is multi-valued, and multi-valued attributes cannot be used in a scoping filter (CTS-18)"
        )
    } else if lower.ends_with("datetime") || is("employeeHireDate") || is("birthday") {
        format!("{name} is date-typed, and date attributes cannot be used in a scoping filter (CTS-18)")
    } else {
        return None;
    };
    Some(reason)
}

/// Byte spans of the whitespace-separated words of `s`.
fn word_spans(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

const CLAUSE_EXAMPLE: &str = "attribute OPERATOR value, as in department EQUALS Sales";

/// Parses one clause; error offsets are within `text`.
fn parse_clause(text: &str) -> Result<Clause, ExprError> {
    let words = word_spans(text);
    let Some(&(a0, a1)) = words.first() else {
        return Err(ExprError::new(
            0,
            text.len(),
            format!("the clause is empty; expected {CLAUSE_EXAMPLE}"),
        ));
    };
    let attr = &text[a0..a1];
    if let Some(reason) = cts18_refusal(attr) {
        return Err(ExprError::new(a0, a1 - a0, reason));
    }
    let prop = Property::parse(attr).ok_or_else(|| {
        ExprError::new(
            a0,
            a1 - a0,
            unknown_property_message(attr, "", &REFUSED, Property::graph_name),
        )
    })?;
    let Some(&(o0, o1)) = words.get(1) else {
        return Err(ExprError::new(
            text.len(),
            0,
            format!("expected an operator after {attr}: one of {}", op_list()),
        ));
    };
    let found = OPS.iter().find_map(|&(op, name)| {
        let parts: Vec<&str> = name.split(' ').collect();
        let spans = words.get(1..1 + parts.len())?;
        let all = parts
            .iter()
            .zip(spans)
            .all(|(p, &(s, e))| text[s..e].eq_ignore_ascii_case(p));
        all.then(|| (op, spans[spans.len() - 1].1))
    });
    let Some((op, op_end)) = found else {
        // operators are case-insensitive: compare upper case with upper case
        let word = text[o0..o1].to_ascii_uppercase();
        let upper: Vec<String> = OPS.iter().map(|o| o.1.to_ascii_uppercase()).collect();
        let hint = crate::membership::closest(&word, upper.iter().map(String::as_str))
            .and_then(|m| OPS.iter().map(|o| o.1).find(|n| n.eq_ignore_ascii_case(m)))
            .map_or(String::new(), |m| format!("did you mean {m}? "));
        return Err(ExprError::new(
            o0,
            o1 - o0,
            format!(
                "unknown operator {}; {hint}valid operators are {}",
                &text[o0..o1],
                op_list()
            ),
        ));
    };
    let rest = &text[op_end..];
    let raw = rest.trim();
    let v0 = op_end + (rest.len() - rest.trim_start().len());
    let canonical_head = format!("{} {}", prop.graph_name(), op.name());
    if !op.takes_value() {
        if !raw.is_empty() {
            return Err(ExprError::new(
                v0,
                raw.len(),
                format!("{} takes no value; remove this", op.name()),
            ));
        }
        return Ok(Clause {
            prop,
            op,
            operand: Operand::None,
            text: canonical_head,
        });
    }
    if raw.is_empty() {
        return Err(ExprError::new(
            text.len(),
            0,
            format!(
                "expected a value after {}, as in department {} Sales",
                op.name(),
                op.name()
            ),
        ));
    }
    let value = match raw.chars().next() {
        Some(q @ ('\'' | '"')) => {
            if raw.len() < 2 || !raw.ends_with(q) {
                return Err(ExprError::new(
                    v0,
                    raw.len(),
                    format!("the value opens a {q} quote it never closes; end it with {q} or drop the quote"),
                ));
            }
            &raw[1..raw.len() - 1]
        }
        _ => raw,
    };
    let bad_value = |message: String| ExprError::new(v0, raw.len(), message);
    let operand = match op {
        Op::GreaterThan | Op::GreaterThanOrEquals => {
            value.parse::<i64>().map(Operand::Int).map_err(|_| {
                bad_value(format!(
                    "{} compares integers only (CTS-17), and {value:?} is not one",
                    op.name()
                ))
            })?
        }
        Op::RegexMatch | Op::NotRegexMatch => Regex::new(value).map(Operand::Pattern).map_err(|e| {
            let reason = e.to_string();
            let reason = reason
                .lines()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or("the pattern does not compile")
                .to_string();
            bad_value(format!(
                "{} needs a valid regular expression, but this one fails: {reason}",
                op.name()
            ))
        })?,
        _ => Operand::Text(value.to_string()),
    };
    let shown = match &operand {
        Operand::Int(n) => n.to_string(),
        _ => value.to_string(),
    };
    Ok(Clause {
        prop,
        op,
        operand,
        text: format!("{canonical_head} '{shown}'"),
    })
}

/// The scoping filters of one object mapping: the OR of filters, each the AND of its clauses
/// (CTS-16).
///
/// Operator semantics (CTS-17): `EQUALS`, `NOT EQUALS`, `Includes` and `ENDS_WITH` are exact and
/// case-sensitive; `Greater_Than` and `Greater_Than_OR_EQUALS` compare integers, and an
/// attribute value that is not an integer fails them; `IS TRUE` / `IS FALSE` read `true` /
/// `false` (case-insensitively); `REGEX MATCH` / `NOT REGEX MATCH` search with a case-sensitive,
/// unanchored regular expression (like .NET `Regex.IsMatch`). `IS NULL` is true on a null or
/// empty attribute, and every other operator false (CTS-17's proposal).
///
/// Design choice for `&` and `!&` (OQ-7, the docs are unclear): `&` is true when the clause
/// value contains the attribute value as a case-sensitive substring (the attribute "exists in
/// the input string value"), e.g. `department & 'Sales,Marketing'`; `!&` is its negation, but
/// like every operator other than `IS NULL` it is false on a null or empty attribute.
#[derive(Clone, Debug, Default)]
pub struct ScopingFilter {
    filters: Vec<Vec<Clause>>,
}

impl ScopingFilter {
    /// The filters (OR of them), each as the canonical texts of its clauses (AND of them), in
    /// order: what Graph's `filter.groups[].clauses` lists.
    pub fn groups(&self) -> Vec<Vec<String>> {
        self.filters
            .iter()
            .map(|f| f.iter().map(|c| c.text.to_string()).collect())
            .collect()
    }
}

/// Two filters are equal when they have the same filters with the same clauses, in order, compared
/// by canonical text (compiled regexes have no equality of their own).
impl PartialEq for ScopingFilter {
    fn eq(&self, other: &ScopingFilter) -> bool {
        self.filters.len() == other.filters.len()
            && self
                .filters
                .iter()
                .zip(&other.filters)
                .all(|(a, b)| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.text == y.text))
    }
}

impl Eq for ScopingFilter {}

impl ScopingFilter {
    /// Parses `groups` (outer list: filters combined with OR; inner list: clauses combined with
    /// AND). On error returns (filter index, clause index, error positioned within that clause
    /// string). A filter with no clauses is refused at clause index 0, offset 0. Clauses on
    /// attributes that CTS-18 rules out are refused with the reason.
    pub fn parse(groups: &[Vec<String>]) -> Result<ScopingFilter, (usize, usize, ExprError)> {
        let mut filters = Vec::with_capacity(groups.len());
        for (fi, group) in groups.iter().enumerate() {
            if group.is_empty() {
                return Err((
                    fi,
                    0,
                    ExprError::new(
                        0,
                        0,
                        format!("a scoping filter needs at least one clause, such as {CLAUSE_EXAMPLE}"),
                    ),
                ));
            }
            let clauses = group
                .iter()
                .enumerate()
                .map(|(ci, text)| parse_clause(text).map_err(|e| (fi, ci, e)))
                .collect::<Result<Vec<_>, _>>()?;
            filters.push(clauses);
        }
        Ok(ScopingFilter { filters })
    }

    /// Whether there are no filters (so every user passes).
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// Whether user `u` is in scope: no filters, or every clause of at least one filter holds.
    pub fn passes(&self, u: &dyn UserView) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| f.iter().all(|c| c.eval(u)))
    }

    /// The properties the clauses read, each once, in order of first appearance.
    pub fn properties(&self) -> Vec<Property> {
        let mut out = Vec::new();
        for c in self.filters.iter().flatten() {
            if !out.contains(&c.prop) {
                out.push(c.prop.clone());
            }
        }
        out
    }

    /// Every clause, filter by filter, as its canonical text (`department EQUALS 'Sales'`,
    /// `mail IS NOT NULL`) with its result for `u`, for a provisioning log's scoping step
    /// (CTS-23).
    pub fn evaluate(&self, u: &dyn UserView) -> Vec<(String, bool)> {
        self.filters
            .iter()
            .flatten()
            .map(|c| (c.text.clone(), c.eval(u)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Attr;
    use crate::membership::test_user::{user, TestUser};

    fn filter(groups: &[&[&str]]) -> ScopingFilter {
        let groups: Vec<Vec<String>> = groups
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect();
        ScopingFilter::parse(&groups).unwrap_or_else(|e| panic!("{groups:?}: {e:?}"))
    }

    /// Evaluates a single clause.
    fn clause(text: &str, u: &TestUser) -> bool {
        filter(&[&[text]]).passes(u)
    }

    /// The error for a single clause, checked to be at filter 0, clause 0.
    fn err(text: &str) -> ExprError {
        match ScopingFilter::parse(&[vec![text.to_string()]]) {
            Ok(f) => panic!("{text} parsed: {:?}", f.evaluate(&TestUser::default())),
            Err((0, 0, e)) => e,
            Err(other) => panic!("{text}: wrong position {other:?}"),
        }
    }

    fn span(text: &str, e: &ExprError) -> String {
        text[e.offset..e.offset + e.len].to_string()
    }

    #[test]
    fn cts_16_no_filters_pass_everyone() {
        let f = ScopingFilter::parse(&[]).unwrap();
        assert!(f.is_empty());
        assert!(f.passes(&TestUser::default()));
        assert!(f.evaluate(&TestUser::default()).is_empty());
    }

    #[test]
    fn cts_16_clauses_and_filters_combine_as_or_of_ands() {
        let f = filter(&[
            &["department EQUALS Sales", "country EQUALS US"],
            &["jobTitle EQUALS CEO"],
        ]);
        assert!(!f.is_empty());
        assert!(f.passes(&user(&[("department", "Sales"), ("country", "US")])));
        assert!(!f.passes(&user(&[("department", "Sales"), ("country", "NO")])));
        assert!(f.passes(&user(&[("department", "Board"), ("jobTitle", "CEO")])));
        assert!(!f.passes(&TestUser::default()));
    }

    #[test]
    fn cts_17_equals_is_case_sensitive() {
        let u = user(&[("department", "Sales")]);
        assert!(clause("department EQUALS Sales", &u));
        assert!(!clause("department EQUALS sales", &u));
        assert!(!clause("department EQUALS Sale", &u));
        assert!(clause("department equals 'Sales'", &u));
    }

    #[test]
    fn cts_17_not_equals_is_case_sensitive() {
        let u = user(&[("jobTitle", "Intern")]);
        assert!(!clause("jobTitle NOT EQUALS Intern", &u));
        assert!(clause("jobTitle NOT EQUALS intern", &u));
        assert!(clause("jobTitle not   equals \"Manager\"", &u));
    }

    #[test]
    fn cts_17_includes_is_a_case_sensitive_substring() {
        let u = user(&[("department", "Inside Sales")]);
        assert!(clause("department Includes Sal", &u));
        assert!(!clause("department Includes sal", &u));
        assert!(clause("department INCLUDES 'e S'", &u));
    }

    #[test]
    fn cts_17_ends_with_is_case_sensitive() {
        let u = user(&[("userPrincipalName", "alex@contoso.com")]);
        assert!(clause("userPrincipalName ENDS_WITH @contoso.com", &u));
        assert!(!clause("userPrincipalName ENDS_WITH @Contoso.com", &u));
        assert!(!clause("userPrincipalName ends_with @fabrikam.com", &u));
    }

    #[test]
    fn cts_17_greater_than_compares_integers() {
        let u = user(&[("employeeId", "1500")]);
        assert!(clause("employeeId Greater_Than 1000", &u));
        assert!(!clause("employeeId Greater_Than 1500", &u));
        assert!(clause("employeeId Greater_Than_OR_EQUALS 1500", &u));
        assert!(!clause("employeeId GREATER_THAN_OR_EQUALS '1501'", &u));
        assert!(clause("employeeId Greater_Than -5", &u));
        // "999" > "1000" as text, but not as integers.
        assert!(!clause(
            "employeeId Greater_Than 1000",
            &user(&[("employeeId", "999")])
        ));
    }

    #[test]
    fn cts_17_greater_than_fails_on_a_non_integer_attribute() {
        let u = user(&[("employeeId", "E-1500")]);
        assert!(!clause("employeeId Greater_Than 1000", &u));
        assert!(!clause("employeeId Greater_Than_OR_EQUALS -99999", &u));
        assert!(!clause(
            "employeeId Greater_Than 1",
            &user(&[("employeeId", "1.5")])
        ));
    }

    #[test]
    fn cts_17_greater_than_value_must_be_an_integer() {
        let text = "employeeId Greater_Than 10.5";
        let e = err(text);
        assert_eq!(span(text, &e), "10.5");
        assert!(e.message.contains("integers only"), "{}", e.message);
        let text = "employeeId Greater_Than_OR_EQUALS 'abc'";
        assert_eq!(span(text, &err(text)), "'abc'");
    }

    #[test]
    fn cts_17_is_true_and_is_false() {
        let on = user(&[("accountEnabled", "true")]);
        let off = user(&[("accountEnabled", "false")]);
        assert!(clause("accountEnabled IS TRUE", &on));
        assert!(!clause("accountEnabled IS TRUE", &off));
        assert!(clause("accountEnabled is false", &off));
        assert!(!clause("accountEnabled IS FALSE", &on));
        assert!(!clause("department IS TRUE", &user(&[("department", "Sales")])));
    }

    #[test]
    fn cts_17_is_null_is_true_on_null_or_empty() {
        let none = TestUser::default();
        let empty = user(&[("mail", "")]);
        let some = user(&[("mail", "a@contoso.com")]);
        assert!(clause("mail IS NULL", &none));
        assert!(clause("mail IS NULL", &empty));
        assert!(!clause("mail IS NULL", &some));
        assert!(!clause("mail IS NOT NULL", &none));
        assert!(!clause("mail IS NOT NULL", &empty));
        assert!(clause("mail is not null", &some));
    }

    #[test]
    fn cts_17_every_other_operator_is_false_on_null_or_empty() {
        for u in [TestUser::default(), user(&[("department", "")])] {
            for text in [
                "department EQUALS Sales",
                "department NOT EQUALS Sales",
                "department Includes S",
                "department ENDS_WITH s",
                "department Greater_Than 0",
                "department Greater_Than_OR_EQUALS 0",
                "department IS TRUE",
                "department IS FALSE",
                "department IS NOT NULL",
                "department REGEX MATCH .*",
                "department NOT REGEX MATCH ^Sales$",
                "department & Sales",
                "department !& Sales",
            ] {
                assert!(!clause(text, &u), "{text}");
            }
        }
    }

    #[test]
    fn cts_17_regex_match_is_case_sensitive_and_unanchored() {
        let u = user(&[("displayName", "Alex Wilber")]);
        assert!(clause("displayName REGEX MATCH ^A.*", &u));
        assert!(clause("displayName REGEX MATCH Wil", &u));
        assert!(!clause("displayName REGEX MATCH ^a.*", &u));
        assert!(!clause("displayName NOT REGEX MATCH ^A.*", &u));
        assert!(clause("displayName not regex match '^B'", &u));
    }

    #[test]
    fn cts_17_invalid_regex_is_refused_at_the_value() {
        let text = "displayName REGEX MATCH  [a-  ";
        let e = err(text);
        assert_eq!(span(text, &e), "[a-");
        assert!(e.message.contains("regular expression"), "{}", e.message);
        assert!(!e.message.contains('\n'), "{}", e.message);
    }

    #[test]
    fn cts_17_ampersand_means_value_contains_attribute() {
        let u = user(&[("department", "Sales")]);
        assert!(clause("department & 'Sales,Marketing'", &u));
        assert!(!clause("department & 'Marketing,Finance'", &u));
        assert!(!clause("department & 'sales,marketing'", &u));
        assert!(!clause("department !& 'Sales,Marketing'", &u));
        assert!(clause("department !& Marketing", &u));
        // The direction matters: the attribute inside the value, not the other way round.
        assert!(!clause("department & Sal", &u));
    }

    #[test]
    fn values_may_be_bare_or_quoted() {
        let u = user(&[("department", "Inside Sales"), ("jobTitle", "'quoted'")]);
        assert!(clause("department EQUALS Inside Sales", &u));
        assert!(clause("department EQUALS 'Inside Sales'", &u));
        assert!(clause("department EQUALS \"Inside Sales\"", &u));
        assert!(clause("jobTitle EQUALS \"'quoted'\"", &u));
        assert!(clause("  department   EQUALS   Inside Sales  ", &u));
    }

    #[test]
    fn cts_18_user_type_is_refused() {
        let text = "  userType EQUALS Member";
        let e = err(text);
        assert_eq!((e.offset, e.len), (2, 8));
        assert!(e.message.contains("CTS-18"), "{}", e.message);
    }

    #[test]
    fn cts_18_manager_membership_multi_valued_and_dates_are_refused() {
        for (text, needle) in [
            ("manager IS NOT NULL", "reference"),
            ("memberOf EQUALS x", "group membership"),
            ("IsMemberOf EQUALS x", "group membership"),
            ("members Includes x", "members"),
            ("appRoleAssignments IS NOT NULL", "multi-valued"),
            ("proxyAddresses Includes smtp", "multi-valued"),
            ("createdDateTime Greater_Than 1", "date"),
            ("employeeHireDate IS NULL", "date"),
        ] {
            let e = err(text);
            assert_eq!(e.offset, 0, "{text}");
            assert_eq!(e.len, text.find(' ').unwrap(), "{text}");
            assert!(
                e.message.contains("CTS-18") && e.message.contains(needle),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn membership_rule_properties_can_be_filtered_on() {
        let u = user(&[
            ("mobilePhone", "+47 1"),
            ("dirSyncEnabled", "true"),
            ("extensionAttribute3", "Blue"),
            ("extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber", "123"),
            ("objectId", "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"),
        ]);
        assert!(clause("mobile ENDS_WITH ' 1'", &u));
        assert!(clause("dirSyncEnabled IS TRUE", &u));
        assert!(!clause("dirSyncEnabled IS TRUE", &TestUser::default()));
        assert!(clause("extensionAttribute3 EQUALS Blue", &u));
        assert!(!clause("extensionAttribute4 IS NOT NULL", &u));
        assert!(clause(
            "extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber Greater_Than 100",
            &u
        ));
        assert!(clause("objectId EQUALS aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb", &u));
        assert_eq!(
            filter(&[&["mobile IS NOT NULL"]]).evaluate(&u),
            vec![("mobilePhone IS NOT NULL".to_string(), true)]
        );
        for text in [
            "otherMails IS NOT NULL",
            "assignedPlans IS NOT NULL",
            "memberOf EQUALS x",
        ] {
            let e = err(text);
            assert!(e.message.contains("CTS-18"), "{}", e.message);
        }
    }

    #[test]
    fn unknown_attribute_suggests_the_closest() {
        let text = "departmnt EQUALS Sales";
        let e = err(text);
        assert_eq!(span(text, &e), "departmnt");
        assert!(e.message.contains("did you mean \"department\""), "{}", e.message);
        let e = err("department EQUAL Sales");
        assert!(e.message.contains("did you mean EQUALS?"), "{}", e.message);
        // userType is refused by CTS-18, so it is neither suggested nor listed as valid.
        let e = err("usrType EQUALS Member");
        assert!(!e.message.contains("userType"), "{}", e.message);
        assert!(e.message.contains("userPrincipalName"), "{}", e.message);
        // Nor are the other properties CTS-18 refuses.
        let e = err("proxyAdresses EQUALS x");
        assert!(!e.message.contains("proxyAddresses"), "{}", e.message);
        assert!(!e.message.contains("memberOf"), "{}", e.message);
    }

    #[test]
    fn unknown_or_missing_operator_is_positioned() {
        let text = "department LIKE Sales";
        let e = err(text);
        assert_eq!(span(text, &e), "LIKE");
        assert!(e.message.contains("NOT REGEX MATCH"), "{}", e.message);
        let text = "department NOT Sales";
        assert_eq!(span(text, &err(text)), "NOT");
        let text = "department ";
        let e = err(text);
        assert_eq!((e.offset, e.len), (text.len(), 0));
        assert!(e.message.contains("expected an operator"), "{}", e.message);
    }

    #[test]
    fn missing_or_extra_values_are_positioned() {
        let text = "department EQUALS  ";
        let e = err(text);
        assert_eq!((e.offset, e.len), (text.len(), 0));
        assert!(e.message.contains("expected a value"), "{}", e.message);
        let text = "mail IS NULL  yes ";
        let e = err(text);
        assert_eq!(span(text, &e), "yes");
        assert!(e.message.contains("takes no value"), "{}", e.message);
        let text = "department EQUALS 'Sales";
        assert_eq!(span(text, &err(text)), "'Sales");
        let text = "department EQUALS \"";
        assert_eq!(span(text, &err(text)), "\"");
    }

    #[test]
    fn empty_clause_and_empty_filter_are_refused() {
        let e = err("   ");
        assert_eq!((e.offset, e.len), (0, 3));
        let groups = vec![vec!["department EQUALS Sales".to_string()], vec![]];
        let (fi, ci, e) = ScopingFilter::parse(&groups).unwrap_err();
        assert_eq!((fi, ci, e.offset, e.len), (1, 0, 0, 0));
    }

    #[test]
    fn errors_name_the_filter_and_clause() {
        let groups = vec![
            vec!["department EQUALS Sales".to_string()],
            vec![
                "country EQUALS US".to_string(),
                "userType EQUALS Member".to_string(),
            ],
        ];
        let (fi, ci, e) = ScopingFilter::parse(&groups).unwrap_err();
        assert_eq!((fi, ci, e.offset, e.len), (1, 1, 0, 8));
    }

    #[test]
    fn evaluate_reports_each_clause_canonically() {
        let f = filter(&[
            &["department equals \"Sales\"", "mail is not null"],
            &[
                "employeeId greater_than '0042'",
                "accountEnabled IS TRUE",
                "jobTitle not regex match ^Int",
            ],
        ]);
        let u = user(&[
            ("department", "Sales"),
            ("employeeId", "7"),
            ("accountEnabled", "true"),
        ]);
        assert_eq!(
            f.evaluate(&u),
            vec![
                ("department EQUALS 'Sales'".to_string(), true),
                ("mail IS NOT NULL".to_string(), false),
                ("employeeId Greater_Than '42'".to_string(), false),
                ("accountEnabled IS TRUE".to_string(), true),
                ("jobTitle NOT REGEX MATCH '^Int'".to_string(), false),
            ]
        );
        assert!(!f.passes(&u));
    }

    #[test]
    fn properties_are_deduplicated_in_order() {
        let f = filter(&[
            &["department EQUALS Sales", "mail IS NOT NULL"],
            &["Department EQUALS HR", "userPrincipalName ENDS_WITH @x.com"],
        ]);
        assert_eq!(
            f.properties(),
            vec![
                Property::Attr(Attr::Department),
                Property::Attr(Attr::Mail),
                Property::UserPrincipalName
            ]
        );
    }
}
