//! User properties most users leave null, stored sparsely beside the fixed attribute array:
//! the rest of the properties Entra's dynamic membership rules read (Microsoft's "Dynamic
//! membership rules for groups", `MicrosoftDocs/entra-docs`
//! `docs/identity/users/groups-dynamic-membership.md` @ 11d44a5c: `facsimileTelephoneNumber`,
//! `employeeHireDate`, `dirSyncEnabled`, `onPremisesDistinguishedName`,
//! `onPremisesSecurityIdentifier`, `passwordPolicies`, `sipProxyAddress`, the string
//! collections `otherMails` and `proxyAddresses`, `extensionAttribute1`..`15`), and directory
//! extensions `extension_<appId>_<name>`, which mappings can read and write (CTS-36).
//!
//! A user without any of them costs one null pointer.

use std::fmt;

/// Longest directory extension value, in characters (Entra's limit for string extensions).
pub const EXTENSION_VALUE_CHARS_MAX: usize = 256;
/// Most extension values one object may have (Entra's limit).
pub const EXTENSION_VALUES_MAX: usize = 100;
/// Most values of one string collection (`otherMails`, `proxyAddresses`) a user may have.
pub const COLLECTION_VALUES_MAX: usize = 1_000;

/// A sparse user property.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExtraProp {
    /// `facsimileTelephoneNumber` (Graph `faxNumber`).
    FacsimileTelephoneNumber,
    /// `employeeHireDate`, an RFC 3339 date-time.
    EmployeeHireDate,
    /// `dirSyncEnabled` (Graph `onPremisesSyncEnabled`): `true` or `false`.
    DirSyncEnabled,
    /// `onPremisesDistinguishedName`.
    OnPremisesDistinguishedName,
    /// `onPremisesSecurityIdentifier`.
    OnPremisesSecurityIdentifier,
    /// `passwordPolicies`.
    PasswordPolicies,
    /// `sipProxyAddress`.
    SipProxyAddress,
    /// `otherMails`, a string collection.
    OtherMails,
    /// `proxyAddresses`, a string collection.
    ProxyAddresses,
    /// `extensionAttribute1` .. `extensionAttribute15` (Graph
    /// `onPremisesExtensionAttributes`).
    ExtensionAttribute(u8),
    /// A directory extension, `extension_<appId without dashes>_<name>` (names are
    /// case-sensitive, CTS-36).
    Extension(Box<str>),
}

impl ExtraProp {
    /// The fixed-named properties, with their names in rules and mappings.
    const NAMED: &'static [(&'static str, ExtraProp)] = &[
        ("facsimileTelephoneNumber", ExtraProp::FacsimileTelephoneNumber),
        ("employeeHireDate", ExtraProp::EmployeeHireDate),
        ("dirSyncEnabled", ExtraProp::DirSyncEnabled),
        (
            "onPremisesDistinguishedName",
            ExtraProp::OnPremisesDistinguishedName,
        ),
        (
            "onPremisesSecurityIdentifier",
            ExtraProp::OnPremisesSecurityIdentifier,
        ),
        ("passwordPolicies", ExtraProp::PasswordPolicies),
        ("sipProxyAddress", ExtraProp::SipProxyAddress),
        ("otherMails", ExtraProp::OtherMails),
        ("proxyAddresses", ExtraProp::ProxyAddresses),
    ];

    /// Looks a property up by name: the fixed names case-insensitively, `extensionAttributeN`
    /// for N in 1..=15, and `extension_<32 hex digits>_<name>` exactly as written.
    pub fn parse(name: &str) -> Option<ExtraProp> {
        if let Some((_, p)) = ExtraProp::NAMED
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            return Some(p.clone());
        }
        let lower = name.to_ascii_lowercase();
        if let Some(digits) = lower.strip_prefix("extensionattribute") {
            return match digits.parse::<u8>() {
                Ok(k @ 1..=15) if k.to_string() == digits => Some(ExtraProp::ExtensionAttribute(k)),
                _ => None,
            };
        }
        (name.starts_with("extension_") && extension_problem(name).is_none())
            .then(|| ExtraProp::Extension(name.into()))
    }

    /// The name, as rules and mappings write it.
    pub fn name(&self) -> String {
        match self {
            ExtraProp::ExtensionAttribute(n) => format!("extensionAttribute{n}"),
            ExtraProp::Extension(n) => n.to_string(),
            other => ExtraProp::NAMED
                .iter()
                .find(|(_, p)| p == other)
                .map_or_else(String::new, |(n, _)| n.to_string()),
        }
    }

    /// Whether the property holds several values.
    pub fn is_collection(&self) -> bool {
        matches!(self, ExtraProp::OtherMails | ExtraProp::ProxyAddresses)
    }

    /// Whether the property is a Boolean.
    pub fn is_bool(&self) -> bool {
        matches!(self, ExtraProp::DirSyncEnabled)
    }

    /// Every fixed name and the extension-attribute names, for suggestions.
    pub fn names() -> impl Iterator<Item = String> {
        ExtraProp::NAMED
            .iter()
            .map(|(n, _)| n.to_string())
            .chain((1..=15).map(|n| format!("extensionAttribute{n}")))
    }
}

impl fmt::Display for ExtraProp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Why `name` is not a directory extension name (`extension_` + 32 hexadecimal digits, the
/// owning application's id without dashes, + `_` + a name of letters, digits and `_`).
pub fn extension_problem(name: &str) -> Option<&'static str> {
    let Some(rest) = name.strip_prefix("extension_") else {
        return Some("starts with extension_");
    };
    let Some((app, prop)) = rest.split_once('_') else {
        return Some("needs _<name> after the application id");
    };
    if app.len() != 32 || !app.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some("needs the application id as 32 hexadecimal digits after extension_");
    }
    if prop.is_empty() || !prop.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Some("needs a name of letters, digits and _ after the application id");
    }
    None
}

/// A user's sparse properties: each present property with its values (one for a
/// single-valued property), in the order they were set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extra {
    values: Vec<(ExtraProp, Vec<Box<str>>)>,
}

impl Extra {
    /// The sparse properties `values` set, boxed, or `None` when they set none.
    pub fn boxed(values: &[(ExtraProp, Vec<String>)]) -> Option<Box<Extra>> {
        let mut e = Extra::default();
        e.set_all(values);
        (!e.is_empty()).then(|| Box::new(e))
    }

    /// Sets each property of `values` to its values (empty strings dropped; none: null).
    pub fn set_all(&mut self, values: &[(ExtraProp, Vec<String>)]) {
        for (p, v) in values {
            let v = v
                .iter()
                .filter(|x| !x.is_empty())
                .map(|x| x.as_str().into())
                .collect();
            self.set(p.clone(), v);
        }
    }

    /// The values of `p` (empty for null).
    pub fn get(&self, p: &ExtraProp) -> &[Box<str>] {
        self.values
            .iter()
            .find(|(x, _)| x == p)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// Sets `p` to `values` (none: null).
    pub fn set(&mut self, p: ExtraProp, values: Vec<Box<str>>) {
        self.values.retain(|(x, _)| *x != p);
        if !values.is_empty() {
            self.values.push((p, values));
        }
    }

    /// Every present property with its values.
    pub fn iter(&self) -> impl Iterator<Item = (&ExtraProp, &[Box<str>])> {
        self.values.iter().map(|(p, v)| (p, v.as_slice()))
    }

    /// Whether no property is present.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// How many directory extensions are present.
    pub fn extensions(&self) -> usize {
        self.values
            .iter()
            .filter(|(p, _)| matches!(p, ExtraProp::Extension(_)))
            .count()
    }
}

/// Why `values` cannot be the value of `p`, if they cannot (too many, too long, not a
/// Boolean, several for a single-valued property).
pub fn value_problem(p: &ExtraProp, values: &[String]) -> Option<String> {
    if !p.is_collection() && values.len() > 1 {
        return Some(format!("{p} holds one value, not {}", values.len()));
    }
    if values.len() > COLLECTION_VALUES_MAX {
        return Some(format!(
            "{p} holds at most {COLLECTION_VALUES_MAX} values (COLLECTION_VALUES_MAX)"
        ));
    }
    for v in values {
        if p.is_bool() && !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
            return Some(format!("{p} is true or false, not {v:?}"));
        }
        if matches!(p, ExtraProp::Extension(_)) && v.chars().count() > EXTENSION_VALUE_CHARS_MAX {
            return Some(format!(
                "a string extension holds at most {EXTENSION_VALUE_CHARS_MAX} characters (CTS-36)"
            ));
        }
        if v.len() > crate::limits::TEXT_LEN_MAX {
            return Some(format!(
                "a value of {p} is longer than {} bytes (TEXT_LEN_MAX)",
                crate::limits::TEXT_LEN_MAX
            ));
        }
        if matches!(p, ExtraProp::EmployeeHireDate) && crate::time::SimTime::parse_rfc3339(v).is_err() {
            return Some(format!("employeeHireDate is an RFC 3339 date-time, not {v:?}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_round_trip() {
        for n in ExtraProp::names() {
            assert_eq!(ExtraProp::parse(&n).unwrap().name(), n);
        }
        assert_eq!(
            ExtraProp::parse("EXTENSIONATTRIBUTE7"),
            Some(ExtraProp::ExtensionAttribute(7))
        );
        assert_eq!(ExtraProp::parse("extensionAttribute0"), None);
        assert_eq!(ExtraProp::parse("extensionAttribute16"), None);
        assert_eq!(ExtraProp::parse("extensionAttribute07"), None);
        let ext = "extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber";
        assert_eq!(ExtraProp::parse(ext), Some(ExtraProp::Extension(ext.into())));
        assert!(ExtraProp::parse("extension_c272_OfficeNumber").is_none());
        assert!(extension_problem("extension_c272_OfficeNumber").is_some());
        assert_eq!(ExtraProp::parse("account_enabled"), None);
        assert_eq!(ExtraProp::parse("department"), None);
    }

    #[test]
    fn values_are_checked() {
        assert!(value_problem(&ExtraProp::DirSyncEnabled, &["yes".into()]).is_some());
        assert!(value_problem(&ExtraProp::FacsimileTelephoneNumber, &["1".into(), "2".into()]).is_some());
        assert!(value_problem(&ExtraProp::OtherMails, &["a@b.c".into(), "d@e.f".into()]).is_none());
        assert!(value_problem(&ExtraProp::EmployeeHireDate, &["2024-06-01T00:00:00Z".into()]).is_none());
        assert!(value_problem(&ExtraProp::EmployeeHireDate, &["June".into()]).is_some());
        let long = "x".repeat(EXTENSION_VALUE_CHARS_MAX + 1);
        let ext = ExtraProp::parse("extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber").unwrap();
        assert!(value_problem(&ext, &[long]).is_some());
    }

    #[test]
    fn setting_null_removes() {
        let mut e = Extra::default();
        e.set(ExtraProp::OtherMails, vec!["a@b.c".into()]);
        assert_eq!(e.get(&ExtraProp::OtherMails).len(), 1);
        e.set(ExtraProp::OtherMails, vec![]);
        assert!(e.is_empty());
    }
}
