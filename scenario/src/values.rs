//! Values of the scenario format that several tables share, each parsed with its position:
//! durations, application levels, Graph attribute keys, users, scoping filters, `via` and
//! `role`.

use crate::diag::Diagnostic;
use crate::toml_read::{Src, Tbl};
use mtosim_engine::directory::{Attr, NewUser, UserType};
use mtosim_engine::extra::ExtraProp;
use mtosim_engine::mto::Role;
use mtosim_engine::xtap::AppLevel;
use mtosim_engine::{limits, Duration, Via};
use std::ops::Range;

pub(crate) type R<T> = Result<T, Diagnostic>;

pub(crate) fn duration(t: &Tbl<'_, '_>, key: &str) -> R<Option<Duration>> {
    match t.str(key)? {
        None => Ok(None),
        Some((s, span)) => Duration::parse(&s).map(Some).map_err(|e| t.src.err(span, e)),
    }
}

pub(crate) fn app_level(t: &Tbl<'_, '_>) -> R<Option<AppLevel>> {
    let Some(list) = t.str_list("application")? else {
        return Ok(None);
    };
    let mut level = AppLevel::NONE;
    for (s, span) in list {
        let l = AppLevel::parse_flag(&s).ok_or_else(|| {
            t.src
                .err(span, format!("unknown application level \"{s}\""))
                .help("use \"newPartners\", \"existingPartners\" or \"none\" (MTO-61)")
        })?;
        level = AppLevel(level.0 | l.0);
    }
    Ok(Some(level))
}

pub(crate) const USER_KEYS_FIXED: &[&str] = &["upn", "user_type", "account_enabled", "display_name"];

/// Graph attribute keys of a table (`department = "Sales"`), skipping `fixed` keys and refusing
/// any other key with a suggestion; `display_name` is accepted for `displayName`.
pub(crate) fn attr_values(src: Src<'_>, t: &Tbl<'_, '_>, fixed: &[&str]) -> R<Vec<(Attr, String)>> {
    let mut allowed: Vec<&str> = fixed.to_vec();
    allowed.push("display_name");
    allowed.extend(Attr::ALL.iter().map(|a| a.graph_name()));
    let mut out = Vec::new();
    for (k, v) in t.t.iter() {
        let key: &str = k.get_ref();
        if fixed.contains(&key) {
            continue;
        }
        let attr = if key == "display_name" {
            Some(Attr::DisplayName)
        } else {
            // Graph's names (officeLocation) and the directory's (physicalDeliveryOfficeName)
            Attr::from_graph_name(key).or_else(|| Attr::from_schema_name(key))
        };
        if attr.is_none() && ExtraProp::parse(key).is_some() {
            continue; // read by `extra_values`
        }
        let Some(attr) = attr else {
            if let Some(why) = key
                .starts_with("extension_")
                .then(|| mtosim_engine::extra::extension_problem(key))
                .flatten()
            {
                return Err(src.err(k.span(), format!("`{key}` is not a directory extension name: it {why}")).help(
                    "write extension_<the owning application's id as 32 hex digits, without dashes>_<name>, e.g. extension_c272a57b722d4eb29bfe327874ae79cb_CostCenter",
                ));
            }
            // the valid keys: attributes (Graph or schema names), sparse properties, and the
            // directory extensions this table already names
            let names: Vec<String> = ExtraProp::names().collect();
            let mut allowed = allowed.clone();
            allowed.extend(names.iter().map(String::as_str));
            allowed.extend(Attr::ALL.iter().map(|a| a.schema_name()));
            let keys: Vec<String> = t.t.iter().map(|(k, _)| k.get_ref().to_string()).collect();
            allowed.extend(
                keys.iter()
                    .map(String::as_str)
                    .filter(|k| ExtraProp::parse(k).is_some()),
            );
            t.allow_only(&allowed)?;
            unreachable!("allow_only refuses unknown keys");
        };
        let Some(s) = v.get_ref().as_str() else {
            return Err(src.err(v.span(), format!("`{key}` must be a string (\"\" clears it)")));
        };
        if s.len() > limits::TEXT_LEN_MAX {
            return Err(src.err(
                v.span(),
                format!(
                    "`{key}` is longer than {} bytes (TEXT_LEN_MAX)",
                    limits::TEXT_LEN_MAX
                ),
            ));
        }
        out.retain(|(a, _)| *a != attr);
        out.push((attr, s.to_string()));
    }
    Ok(out)
}

/// The sparse user properties of a table (`otherMails = ["a@b.com"]`,
/// `extensionAttribute3 = "Marketing"`, `extension_<appId>_<name> = "..."`): a string, or a
/// list of strings for a collection; `""` or `[]` clears.
pub(crate) fn extra_values(src: Src<'_>, t: &Tbl<'_, '_>) -> R<Vec<(ExtraProp, Vec<String>)>> {
    let mut out = Vec::new();
    for (k, v) in t.t.iter() {
        let key: &str = k.get_ref();
        if Attr::from_graph_name(key)
            .or_else(|| Attr::from_schema_name(key))
            .is_some()
        {
            continue;
        }
        let Some(p) = ExtraProp::parse(key) else { continue };
        let values: Vec<String> = match v.get_ref() {
            toml::de::DeValue::String(s) => vec![s.to_string()],
            toml::de::DeValue::Boolean(b) if p.is_bool() => vec![b.to_string()],
            toml::de::DeValue::Array(items) if p.is_collection() => {
                let mut vals = Vec::new();
                for i in items.iter() {
                    let Some(s) = i.get_ref().as_str() else {
                        return Err(src.err(i.span(), format!("`{key}` lists strings")));
                    };
                    vals.push(s.to_string());
                }
                vals
            }
            _ => {
                let want = if p.is_collection() {
                    "a list of strings"
                } else if p.is_bool() {
                    "true or false"
                } else {
                    "a string"
                };
                return Err(src.err(v.span(), format!("`{key}` must be {want}")));
            }
        };
        if let Some(why) = mtosim_engine::extra::value_problem(&p, &values) {
            return Err(src.err(v.span(), why));
        }
        out.push((p, values));
    }
    if out
        .iter()
        .filter(|(p, _)| matches!(p, ExtraProp::Extension(_)))
        .count()
        > mtosim_engine::extra::EXTENSION_VALUES_MAX
    {
        return Err(src.err(
            t.span.clone(),
            format!(
                "an object holds at most {} extension values (CTS-36)",
                mtosim_engine::extra::EXTENSION_VALUES_MAX
            ),
        ));
    }
    Ok(out)
}

/// A `[[tenant.user]]` entry (`step` false) or an `add-user` step.
pub(crate) fn inline_user_spec(src: Src<'_>, u: &Tbl<'_, '_>, step: bool) -> R<NewUser> {
    let (upn, span) = u.req_str("upn")?;
    if let Some(why) = mtosim_engine::user::upn_problem(&upn) {
        return Err(src
            .err(span, format!("\"{upn}\" is not a userPrincipalName: it {why}"))
            .help(format!(
                "write it as alias@domain (at most {} characters)",
                limits::UPN_CHARS_MAX
            )));
    }
    let mut fixed: Vec<&str> = USER_KEYS_FIXED.to_vec();
    fixed.retain(|k| *k != "display_name");
    if !step {
        fixed.push("manager"); // resolved once every user of the tenant exists
        fixed.push("sms_sign_in");
    }
    if step {
        fixed.extend(["do", "at", "tenant", "expect_error", "as"]);
    }
    let attrs = attr_values(src, u, &fixed)?;
    let user_type = match u.str("user_type")? {
        None => UserType::Member,
        Some((s, span)) => UserType::parse(&s).ok_or_else(|| {
            src.err(span, format!("unknown user_type \"{s}\""))
                .help("\"Member\" (default) or \"Guest\"")
        })?,
    };
    Ok(NewUser {
        upn,
        attrs,
        extra: extra_values(src, u)?,
        user_type,
        account_enabled: u.bool("account_enabled")?.unwrap_or(true),
    })
}

/// The byte position in the file of byte `decoded` of a TOML string value spanning `span`:
/// skips the opening quote(s) and counts escape sequences of basic strings as what they decode
/// to, so errors inside a value point at the right column.
pub(crate) fn raw_offset(text: &str, span: Range<usize>, decoded: usize) -> usize {
    let raw = &text[span.clone()];
    let basic = raw.starts_with('"');
    let open = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    let body = &raw[open.min(raw.len())..];
    let bytes = body.as_bytes();
    let (mut i, mut d) = (0usize, 0usize);
    // a newline right after an opening triple quote is not part of the string
    if open == 3 {
        if bytes.starts_with(b"\r\n") {
            i = 2;
        } else if bytes.starts_with(b"\n") {
            i = 1;
        }
    }
    while d < decoded && i < bytes.len() {
        if basic && bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                // \uXXXX and \UXXXXXXXX decode to one character of 1 to 4 bytes
                c @ (b'u' | b'U') => {
                    let n = if c == b'u' { 4 } else { 8 };
                    let hex = body.get(i + 2..i + 2 + n).unwrap_or("");
                    let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                    i += 2 + n;
                    d += ch.map_or(1, char::len_utf8);
                }
                // a line-ending backslash (multi-line strings) drops the newline and the
                // whitespace after it: nothing decoded
                b'\n' | b'\r' | b' ' | b'\t' if open == 3 => {
                    i += 1;
                    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
                        i += 1;
                    }
                }
                _ => {
                    i += 2;
                    d += 1; // the other escapes decode to one ASCII character
                }
            }
        } else {
            let ch = body[i..].chars().next().map_or(1, char::len_utf8);
            i += ch;
            d += ch;
        }
    }
    span.start + open + i
}

/// An attribute-mapping expression (CTS-29); errors point inside the string.
pub(crate) fn expression(src: Src<'_>, text: &str, span: Range<usize>) -> R<mtosim_engine::expr::Expr> {
    mtosim_engine::expr::Expr::parse(text).map_err(|e| {
        let at = raw_offset(src.text, span, e.offset);
        src.err(at..at + e.len.max(1), format!("expression: {}", e.message))
            .help("mtosim expr 'EXPRESSION' --attr NAME=VALUE evaluates an expression on its own")
    })
}

/// What an expression mapping of a cross-tenant synchronization configuration may hold: every
/// attribute it names must be one a source user has (a typo would read null silently), and
/// SelectUniqueValue, which Microsoft supports only for Workday, SuccessFactors and API-driven
/// provisioning to Active Directory, is refused (CTS-29).
pub(crate) fn check_expression_for_sync(
    src: Src<'_>,
    e: &mtosim_engine::expr::Expr,
    text: &str,
    span: Range<usize>,
) -> R<()> {
    use mtosim_engine::schema::SchemaAttr;
    let at = |needle: &str| {
        let i = text.find(needle).unwrap_or(0);
        let o = raw_offset(src.text, span.clone(), i);
        o..o + needle.len().max(1)
    };
    for a in e.attributes() {
        if SchemaAttr::parse(&a).is_none() {
            let names: Vec<String> = SchemaAttr::names().collect();
            let d = src.err(
                at(&format!("[{a}")),
                format!("expression: the source has no attribute [{a}]"),
            );
            return Err(match crate::diag::did_you_mean(&a, names.iter().map(String::as_str)) {
                Some(m) => d.help(format!("did you mean [{m}]?")),
                None => d.help("an attribute of the source user: givenName, department, userPrincipalName, extensionAttribute1..15, extension_<appId>_<name>, ..."),
            });
        }
    }
    if e.functions().contains(&"SelectUniqueValue") {
        return Err(src
            .err(at("SelectUniqueValue"), "expression: SelectUniqueValue is not supported for cross-tenant synchronization")
            .help("Microsoft supports it only for Workday, SuccessFactors and API-driven provisioning to Active Directory (CTS-29); use Coalesce or IIF"));
    }
    Ok(())
}

/// `filters = [["department EQUALS Sales", "accountEnabled IS TRUE"], [...]]` (CTS-16):
/// positioned errors point inside the offending clause.
pub(crate) fn scoping_filters(
    src: Src<'_>,
    st: &Tbl<'_, '_>,
) -> R<(Option<mtosim_engine::scoping::ScopingFilter>, usize)> {
    let Some(v) = st.get("filters") else {
        return Err(src
            .err(st.span.clone(), format!("{} needs `filters`", st.what))
            .help("e.g. filters = [[\"department EQUALS Sales\"]]; [] removes every filter"));
    };
    let bad = |span: Range<usize>| {
        src.err(span, "`filters` must be a list of lists of clauses").help("e.g. filters = [[\"department EQUALS Sales\", \"accountEnabled IS TRUE\"], [\"country EQUALS US\"]]")
    };
    let outer = v.get_ref().as_array().ok_or_else(|| bad(v.span()))?;
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut spans: Vec<Vec<Range<usize>>> = Vec::new();
    for f in outer.iter() {
        let inner = f.get_ref().as_array().ok_or_else(|| bad(f.span()))?;
        let mut g = Vec::new();
        let mut sp = Vec::new();
        for c in inner.iter() {
            let text = c.get_ref().as_str().ok_or_else(|| bad(c.span()))?;
            g.push(text.to_string());
            sp.push(c.span());
        }
        groups.push(g);
        spans.push(sp);
    }
    if groups.is_empty() {
        return Ok((None, 0));
    }
    match mtosim_engine::scoping::ScopingFilter::parse(&groups) {
        Ok(f) => Ok((Some(f), groups.len())),
        Err((fi, ci, e)) => {
            let span = spans.get(fi).and_then(|s| s.get(ci)).cloned().unwrap_or(v.span());
            let at = raw_offset(src.text, span, e.offset);
            Err(src.err(
                at..at + e.len.max(1),
                format!("scoping filter {} clause {}: {}", fi + 1, ci + 1, e.message),
            ))
        }
    }
}

pub(crate) fn via(t: &Tbl<'_, '_>) -> R<Via> {
    match t.str("via")? {
        None => Ok(Via::Graph),
        Some((s, span)) => match s.as_str() {
            "graph" => Ok(Via::Graph),
            "m365" => Ok(Via::M365),
            _ => Err(t
                .src
                .err(span, format!("unknown via \"{s}\""))
                .help("via is \"graph\" (default) or \"m365\"")),
        },
    }
}

pub(crate) fn role(t: &Tbl<'_, '_>, required: bool) -> R<Role> {
    match t.str("role")? {
        None if !required => Ok(Role::Member),
        None => Err(t
            .src
            .err(t.span.clone(), format!("{} needs `role`", t.what))
            .help("role = \"owner\" or \"member\"")),
        Some((s, span)) => Role::parse(&s).ok_or_else(|| {
            t.src
                .err(span, format!("unknown role \"{s}\""))
                .help("role is \"owner\" or \"member\"")
        }),
    }
}
