//! A `user` written straight to JSON bytes, without building a [`crate::users::User`] or a
//! `serde_json::Value`: the bytes `serde_json` gives for `to_value(&User::of(..))` (compact,
//! in [`USER_PROPERTIES`]' order, then the directory extensions by name, then `manager`),
//! optionally projected by a `$select` list (its properties in the list's order, as a server
//! projects a map). Pages of a large directory are answered this way: the `Value` route
//! allocates every property name and value of every user of the page (issue 19).

use mtosim_engine::directory::Attr;
use mtosim_engine::extra::ExtraProp;
use mtosim_engine::view::{UserObject, UserOrigin};
use mtosim_engine::{Guid, SimTime, TenantIdx, World};
use std::io::Write;

/// [`USER_PROPERTIES`] and [`USER_KEYS`] from one list.
macro_rules! properties {
    ($($name:literal),* $(,)?) => {
        /// The properties of [`crate::users::User`] in the order it serializes them, before
        /// its directory extensions and `manager`.
        pub const USER_PROPERTIES: [&str; 38] = [$($name),*];
        /// [`USER_PROPERTIES`] as JSON keys, quoted and followed by `:`.
        const USER_KEYS: [&str; 38] = [$(concat!("\"", $name, "\":")),*];
    };
}

properties!(
    "id",
    "userPrincipalName",
    "givenName",
    "surname",
    "displayName",
    "mail",
    "mailNickname",
    "department",
    "jobTitle",
    "companyName",
    "country",
    "city",
    "state",
    "streetAddress",
    "postalCode",
    "usageLocation",
    "officeLocation",
    "employeeId",
    "employeeType",
    "businessPhones",
    "mobilePhone",
    "preferredLanguage",
    "userType",
    "accountEnabled",
    "createdDateTime",
    "creationType",
    "externalUserState",
    "showInAddressList",
    "identities",
    "faxNumber",
    "employeeHireDate",
    "onPremisesDistinguishedName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "passwordPolicies",
    "otherMails",
    "proxyAddresses",
    "onPremisesExtensionAttributes",
);

/// The directory attributes behind the plain string properties, by index in
/// [`USER_PROPERTIES`] (2 to 21, `businessPhones` at 19 being a collection).
const ATTRS: [Attr; 20] = [
    Attr::GivenName,
    Attr::Surname,
    Attr::DisplayName,
    Attr::Mail,
    Attr::MailNickname,
    Attr::Department,
    Attr::JobTitle,
    Attr::CompanyName,
    Attr::Country,
    Attr::City,
    Attr::State,
    Attr::StreetAddress,
    Attr::PostalCode,
    Attr::UsageLocation,
    Attr::OfficeLocation,
    Attr::EmployeeId,
    Attr::EmployeeType,
    Attr::TelephoneNumber,
    Attr::MobilePhone,
    Attr::PreferredLanguage,
];

/// The properties of `onPremisesExtensionAttributes`, in order.
const EXTENSION_ATTRIBUTES: [&str; 15] = [
    "extensionAttribute1",
    "extensionAttribute2",
    "extensionAttribute3",
    "extensionAttribute4",
    "extensionAttribute5",
    "extensionAttribute6",
    "extensionAttribute7",
    "extensionAttribute8",
    "extensionAttribute9",
    "extensionAttribute10",
    "extensionAttribute11",
    "extensionAttribute12",
    "extensionAttribute13",
    "extensionAttribute14",
    "extensionAttribute15",
];

/// Writes `id` as a JSON string, in its text form (`8-4-4-4-12` lower-case hex digits).
fn write_guid(out: &mut Vec<u8>, id: Guid) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push(b'-');
        }
        out.push(HEX[((id.0 >> (124 - 4 * i)) & 0xf) as usize]);
    }
    out.push(b'"');
}

/// Writes `at` as a JSON string, as its text form (`2023-08-30T08:00:00Z`, which needs no
/// escaping); the digits are written directly for the years 0 to 9999.
fn write_time(out: &mut Vec<u8>, at: SimTime) {
    let (y, mo, d, h, mi, s) = at.civil();
    if !(0..=9999).contains(&y) {
        out.push(b'"');
        let _ = write!(out, "{at}");
        out.push(b'"');
        return;
    }
    let two = |n: i64| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    let (hi, lo) = (two(y / 100), two(y % 100));
    let (mo, d, h, mi, s) = (two(mo), two(d), two(h), two(mi), two(s));
    out.extend_from_slice(&[
        b'"', hi[0], hi[1], lo[0], lo[1], b'-', mo[0], mo[1], b'-', d[0], d[1], b'T', h[0], h[1], b':',
        mi[0], mi[1], b':', s[0], s[1], b'Z', b'"',
    ]);
}

/// Whether any of the eight bytes of `w` needs escaping in a JSON string (a control
/// character, `"` or `\`): the "has a byte less than n" and "has a zero byte" tricks on one
/// word, so that text without escapes is passed over eight bytes at a time.
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    (control | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))) != 0
}

/// Writes `s` as a JSON string, escaped exactly as `serde_json` escapes it (`"`, `\`, and the
/// control characters: `\b`, `\t`, `\n`, `\f`, `\r`, else `\u00xx` in lower-case hex).
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        // eight bytes at a time while none needs escaping
        while let Some(w) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            if needs_escape(u64::from_ne_bytes(word)) {
                break;
            }
            i += 8;
        }
        let end = (i + 8).min(bytes.len());
        while i < end {
            let b = bytes[i];
            i += 1;
            let esc: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                0x08 => b"\\b",
                0x09 => b"\\t",
                0x0a => b"\\n",
                0x0c => b"\\f",
                0x0d => b"\\r",
                0x00..=0x1f => &[],
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..i - 1]);
            if esc.is_empty() {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            } else {
                out.extend_from_slice(esc);
            }
            start = i;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A JSON object being written: its properties are separated by commas.
pub struct Obj<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Obj<'o> {
    /// Opens an object on `out` (its `{` is written with its first property).
    pub fn open(out: &'o mut Vec<u8>) -> Obj<'o> {
        Obj { out, first: true }
    }

    /// Starts the property `name`, a name of Graph's that needs no escaping (no `"`, `\\` or
    /// control character): what is written next is its value.
    pub fn key(&mut self, name: &str) -> &mut Vec<u8> {
        debug_assert!(!name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20));
        self.out.push(if self.first { b'{' } else { b',' });
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    /// Starts a property by its key already quoted and followed by `:` (from [`USER_KEYS`]).
    fn quoted_key(&mut self, quoted: &str) -> &mut Vec<u8> {
        self.out.push(if self.first { b'{' } else { b',' });
        self.first = false;
        self.out.extend_from_slice(quoted.as_bytes());
        self.out
    }

    /// Starts the property `name`, escaped: what is written next is its value.
    pub fn key_escaped(&mut self, name: &str) -> &mut Vec<u8> {
        self.out.push(if self.first { b'{' } else { b',' });
        self.first = false;
        write_str(self.out, name);
        self.out.push(b':');
        self.out
    }

    /// Closes the object.
    pub fn close(self) {
        if self.first {
            self.out.push(b'{');
        }
        self.out.push(b'}');
    }
}

/// `Some(s)` as a string, `None` as `null`.
fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A boolean.
fn bool_(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// A collection of strings.
fn strs<'s>(out: &mut Vec<u8>, items: impl IntoIterator<Item = &'s str>) {
    out.push(b'[');
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, s);
    }
    out.push(b']');
}

/// What one user's JSON is written from: the object and what follows from its origin.
struct Fields<'a, 'w> {
    u: &'a UserObject<'w>,
    extras: Vec<(&'w ExtraProp, Vec<&'w str>)>,
    /// `creationType`, `externalUserState`, `showInAddressList`.
    invited: (Option<&'static str>, Option<&'static str>, Option<bool>),
    /// `identities[0]`: `signInType`, `issuer`, `issuerAssignedId`.
    identity: (&'static str, &'w str, Option<&'a str>),
}

impl<'a, 'w> Fields<'a, 'w> {
    fn of(world: &'w World, t: TenantIdx, u: &'a UserObject<'w>) -> Fields<'a, 'w> {
        let (invited, identity) = match u.origin {
            UserOrigin::Internal => (
                (None, None, None),
                (
                    "userPrincipalName",
                    world.tenant(t).spec.initial_domain.as_str(),
                    Some(u.upn.as_str()),
                ),
            ),
            UserOrigin::ImportedExternal => (
                (Some("Invitation"), Some("Accepted"), Some(true)),
                ("federated", "ExternalAzureAD", None),
            ),
            UserOrigin::Account {
                home,
                pending_acceptance,
            } => (
                (
                    Some("Invitation"),
                    Some(if pending_acceptance {
                        "PendingAcceptance"
                    } else {
                        "Accepted"
                    }),
                    u.show_in_address_list,
                ),
                ("federated", world.tenant(home).spec.initial_domain.as_str(), None),
            ),
        };
        Fields {
            u,
            extras: u.extras(),
            invited,
            identity,
        }
    }

    /// The values of the sparse property `p` (empty when it has none).
    fn many(&self, p: &ExtraProp) -> &[&'w str] {
        self.extras
            .iter()
            .find(|(x, _)| *x == p)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The first value of the sparse property `p`.
    fn one(&self, p: &ExtraProp) -> Option<&'w str> {
        self.many(p).first().copied()
    }

    /// Writes property `i` of [`USER_PROPERTIES`], unless the user has none
    /// (`onPremisesExtensionAttributes` when all fifteen are null).
    fn write(&self, i: usize, o: &mut Obj<'_>) {
        let u = self.u;
        match i {
            0 => write_guid(o.quoted_key(USER_KEYS[0]), u.id),
            1 => write_str(o.quoted_key(USER_KEYS[1]), &u.upn),
            19 => strs(o.quoted_key(USER_KEYS[19]), u.attr(Attr::TelephoneNumber)),
            2..=21 => opt_str(o.quoted_key(USER_KEYS[i]), u.attr(ATTRS[i - 2])),
            22 => write_str(o.quoted_key(USER_KEYS[22]), u.user_type.as_str()),
            23 => bool_(o.quoted_key(USER_KEYS[23]), u.account_enabled),
            24 => write_time(o.quoted_key(USER_KEYS[24]), u.created),
            25 => opt_str(o.quoted_key(USER_KEYS[25]), self.invited.0),
            26 => opt_str(o.quoted_key(USER_KEYS[26]), self.invited.1),
            27 => match self.invited.2 {
                Some(b) => bool_(o.quoted_key(USER_KEYS[27]), b),
                None => o.quoted_key(USER_KEYS[27]).extend_from_slice(b"null"),
            },
            28 => {
                let out = o.quoted_key(USER_KEYS[28]);
                out.push(b'[');
                let mut id = Obj::open(out);
                write_str(id.key("signInType"), self.identity.0);
                write_str(id.key("issuer"), self.identity.1);
                opt_str(id.key("issuerAssignedId"), self.identity.2);
                id.close();
                out.push(b']');
            }
            29 => opt_str(
                o.quoted_key(USER_KEYS[29]),
                self.one(&ExtraProp::FacsimileTelephoneNumber),
            ),
            30 => opt_str(
                o.quoted_key(USER_KEYS[30]),
                self.one(&ExtraProp::EmployeeHireDate),
            ),
            31 => opt_str(
                o.quoted_key(USER_KEYS[31]),
                self.one(&ExtraProp::OnPremisesDistinguishedName),
            ),
            32 => opt_str(
                o.quoted_key(USER_KEYS[32]),
                self.one(&ExtraProp::OnPremisesSecurityIdentifier),
            ),
            33 => match self.one(&ExtraProp::DirSyncEnabled) {
                Some(v) => bool_(o.quoted_key(USER_KEYS[33]), v.eq_ignore_ascii_case("true")),
                None => o.quoted_key(USER_KEYS[33]).extend_from_slice(b"null"),
            },
            34 => opt_str(
                o.quoted_key(USER_KEYS[34]),
                self.one(&ExtraProp::PasswordPolicies),
            ),
            35 => strs(
                o.quoted_key(USER_KEYS[35]),
                self.many(&ExtraProp::OtherMails).iter().copied(),
            ),
            36 => strs(
                o.quoted_key(USER_KEYS[36]),
                self.many(&ExtraProp::ProxyAddresses).iter().copied(),
            ),
            37 => {
                let attr = |n: u8| self.one(&ExtraProp::ExtensionAttribute(n));
                if !self.extras.is_empty() && (1..=15).any(|n| attr(n).is_some()) {
                    let mut e = Obj::open(o.quoted_key(USER_KEYS[37]));
                    for (n, name) in EXTENSION_ATTRIBUTES.iter().enumerate() {
                        opt_str(e.key(name), attr(n as u8 + 1));
                    }
                    e.close();
                }
            }
            _ => {}
        }
    }

    /// The directory extensions with a value, by name (the last one set of a name, as a map
    /// collecting them keeps it).
    fn extensions(&self) -> std::collections::BTreeMap<&'w str, &'w str> {
        self.extras
            .iter()
            .filter_map(|(p, v)| match p {
                ExtraProp::Extension(name) => Some((&**name, *v.first()?)),
                _ => None,
            })
            .collect()
    }
}

/// Writes user `u` of tenant `t` to `out` as one JSON object: the bytes of
/// `serde_json::to_vec(&to_value(&User::of(world, t, u)))` without `manager`, projected by
/// `select` (canonical names: only those properties, in that order; a name the user has no
/// value for is left out, as projecting its map leaves it out) and preceded by the annotation
/// `lead` (`@odata.context`) when given.
pub fn write_user(
    out: &mut Vec<u8>,
    world: &World,
    t: TenantIdx,
    u: &UserObject<'_>,
    select: Option<&[String]>,
    lead: Option<(&str, &str)>,
) {
    let f = Fields::of(world, t, u);
    let mut o = Obj::open(out);
    if let Some((k, v)) = lead {
        write_str(o.key(k), v);
    }
    match select {
        None => {
            for i in 0..USER_PROPERTIES.len() {
                f.write(i, &mut o);
            }
            for (k, v) in f.extensions() {
                write_str(o.key_escaped(k), v);
            }
        }
        Some(names) => {
            let mut ext = None;
            for name in names {
                if let Some(i) = USER_PROPERTIES.iter().position(|p| p == name) {
                    f.write(i, &mut o);
                } else if name.starts_with("extension_") {
                    let all = ext.get_or_insert_with(|| f.extensions());
                    if let Some(v) = all.get(name.as_str()) {
                        write_str(o.key_escaped(name), v);
                    }
                }
            }
        }
    }
    o.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_their_text() {
        for t in [
            0,
            1,
            59,
            86_399,
            951_782_400,
            1_700_000_000,
            253_402_300_799,
            -1,
            -62_167_219_201,
        ] {
            let at = SimTime(t);
            let mut out = Vec::new();
            write_time(&mut out, at);
            assert_eq!(String::from_utf8(out).unwrap(), format!("\"{at}\""), "{t}");
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all: String = (0u8..128).map(char::from).collect();
        all.push_str("é€😀\u{2028}/");
        let long = format!("{all}{all} abcdefgh\"ijklmnop\\qrstuvwx\n");
        let mut cases = vec![
            all.clone(),
            long,
            String::new(),
            "plain".into(),
            "\u{1f}\u{7f}".into(),
        ];
        // each escape at each position of a word
        for at in 0..17 {
            for c in ['"', '\\', '\n', '\u{0}', '\u{1f}', ' ', 'é'] {
                let mut x = "abcdefghijklmnopq".to_string();
                x.insert(at, c);
                cases.push(x);
            }
        }
        for s in &cases {
            let mut out = Vec::new();
            write_str(&mut out, s);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(s).unwrap());
        }
    }
}
