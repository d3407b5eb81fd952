//! A user object as the model stores it: its Graph attributes (interned), `userType`,
//! `accountEnabled` and deletion; and a new user as actions and importers describe it, with
//! plain strings. Directories hold users; membership rules and scoping filters read them.

use crate::strings::Sym;
use crate::time::SimTime;
use std::fmt;

macro_rules! attrs {
    ($($variant:ident = $graph:literal / $schema:literal,)*) => {
        /// A Graph `user` attribute the model stores (besides `userPrincipalName`,
        /// `userType` and `accountEnabled`, which are fields of their own).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Attr { $($variant),* }
        impl Attr {
            /// Every attribute, in storage order.
            pub const ALL: &'static [Attr] = &[$(Attr::$variant),*];
            /// The Graph property name.
            pub fn graph_name(self) -> &'static str {
                match self { $(Attr::$variant => $graph),* }
            }
            /// The name in Entra's provisioning schema and in dynamic membership rules (the
            /// directory's own names: `physicalDeliveryOfficeName` for Graph's
            /// `officeLocation`, `mobile` for `mobilePhone`).
            pub fn schema_name(self) -> &'static str {
                match self { $(Attr::$variant => $schema),* }
            }
            /// Looks an attribute up by its Graph name (case-insensitive, as Entra rules are).
            pub fn from_graph_name(name: &str) -> Option<Attr> {
                Attr::ALL.iter().copied().find(|a| a.graph_name().eq_ignore_ascii_case(name))
            }
            /// Looks an attribute up by its schema name (case-insensitive).
            pub fn from_schema_name(name: &str) -> Option<Attr> {
                Attr::ALL.iter().copied().find(|a| a.schema_name().eq_ignore_ascii_case(name))
            }
        }
    };
}

attrs! {
    GivenName = "givenName" / "givenName",
    Surname = "surname" / "surname",
    DisplayName = "displayName" / "displayName",
    Mail = "mail" / "mail",
    MailNickname = "mailNickname" / "mailNickname",
    Department = "department" / "department",
    JobTitle = "jobTitle" / "jobTitle",
    CompanyName = "companyName" / "companyName",
    Country = "country" / "country",
    City = "city" / "city",
    State = "state" / "state",
    StreetAddress = "streetAddress" / "streetAddress",
    PostalCode = "postalCode" / "postalCode",
    UsageLocation = "usageLocation" / "usageLocation",
    OfficeLocation = "officeLocation" / "physicalDeliveryOfficeName",
    EmployeeId = "employeeId" / "employeeId",
    EmployeeType = "employeeType" / "employeeType",
    TelephoneNumber = "telephoneNumber" / "telephoneNumber",
    MobilePhone = "mobilePhone" / "mobile",
    PreferredLanguage = "preferredLanguage" / "preferredLanguage",
}

/// Number of stored attributes.
pub const ATTR_COUNT: usize = Attr::ALL.len();

/// Graph `userType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UserType {
    /// `Member`.
    Member,
    /// `Guest`.
    Guest,
}

impl UserType {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Member => "Member",
            UserType::Guest => "Guest",
        }
    }
    /// Parses `Member` or `Guest` (case-insensitive).
    pub fn parse(s: &str) -> Option<UserType> {
        if s.eq_ignore_ascii_case("member") {
            Some(UserType::Member)
        } else if s.eq_ignore_ascii_case("guest") {
            Some(UserType::Guest)
        } else {
            None
        }
    }
}

impl fmt::Display for UserType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a user was soft-deleted, if it was: an `Option<SimTime>` in 8 bytes (a user record
/// fits 128 bytes, so the directory copies users without a `memmove` call).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeletedAt(Option<std::num::NonZeroI64>);

impl DeletedAt {
    /// Not deleted.
    pub const NONE: DeletedAt = DeletedAt(None);

    /// Whether the user is not deleted.
    #[inline]
    pub fn is_none(self) -> bool {
        self.0.is_none()
    }

    /// Whether the user is deleted.
    #[inline]
    pub fn is_some(self) -> bool {
        self.0.is_some()
    }

    /// When, if deleted.
    #[inline]
    pub fn get(self) -> Option<SimTime> {
        // stored as t ^ i64::MIN, never zero for a real instant
        self.0.map(|v| SimTime(v.get() ^ i64::MIN))
    }
}

impl From<Option<SimTime>> for DeletedAt {
    fn from(t: Option<SimTime>) -> DeletedAt {
        DeletedAt(t.and_then(|t| std::num::NonZeroI64::new(t.0 ^ i64::MIN)))
    }
}

/// A user object created in this tenant (not by cross-tenant synchronization).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// `userPrincipalName`, as written.
    pub upn: Box<str>,
    /// Interned attribute values, indexed by `Attr as usize`.
    pub attrs: [Sym; ATTR_COUNT],
    /// `userType`.
    pub user_type: UserType,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// An external (B2B) user of this tenant, e.g. one imported from a CSV with an `#EXT#`
    /// UPN; such users are never a sync source (CTS-20, CTS-22).
    pub external: bool,
    /// Soft-deleted at this time, if it is.
    pub deleted_at: DeletedAt,
    /// `manager`: another user of the same directory.
    pub manager: Option<crate::ids::UserIdx>,
    /// Sparse properties (see [`crate::extra`]); `None` for most users.
    pub extra: Option<Box<crate::extra::Extra>>,
    /// How many times the values a mapping can read (UPN, attributes, manager, `userType`,
    /// `accountEnabled`) have changed; the directory keeps the values of earlier versions, so
    /// that an account written from version `v` keeps showing them (CTS-48).
    pub version: u32,
}

impl User {
    /// The value of `a` (the null value when unset).
    #[inline]
    pub fn attr(&self, a: Attr) -> Sym {
        self.attrs[a as usize]
    }
    /// The text of attribute `a` ("" for null), resolving the per-user markers of
    /// [`Sym::SAME_AS_UPN`] and [`Sym::UPN_LOCAL_PART`].
    pub fn text<'a>(&'a self, a: Attr, strings: &'a crate::strings::Interner) -> &'a str {
        match self.attr(a) {
            Sym::SAME_AS_UPN => &self.upn,
            Sym::UPN_LOCAL_PART => self.upn.split('@').next().unwrap_or(""),
            v => strings.resolve(v),
        }
    }

    /// `displayName`, or the UPN when it has none (how logs show a user).
    pub fn display_name<'a>(&'a self, strings: &'a crate::strings::Interner) -> &'a str {
        let d = self.attr(Attr::DisplayName);
        if d.is_none() {
            &self.upn
        } else {
            strings.resolve(d)
        }
    }

    /// Whether this user is an internal member, the only kind CTS may synchronize (CTS-20).
    pub fn is_internal_member(&self) -> bool {
        !self.external && self.user_type == UserType::Member
    }
}

/// A user as an action or an importer describes it, before its strings are interned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    /// `userPrincipalName`.
    pub upn: String,
    /// Graph attributes by name; `""` is null.
    pub attrs: Vec<(Attr, String)>,
    /// `userType`.
    pub user_type: UserType,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// Sparse properties and their values (see [`crate::extra`]).
    pub extra: Vec<(crate::extra::ExtraProp, Vec<String>)>,
}

impl NewUser {
    /// The engine's user, interning attribute values.
    pub fn build(&self, strings: &mut crate::strings::Interner) -> User {
        let mut attrs = [Sym::NONE; ATTR_COUNT];
        for (a, v) in &self.attrs {
            attrs[*a as usize] = strings.intern(v);
        }
        User {
            external: self.upn.contains("#EXT#"),
            upn: self.upn.as_str().into(),
            attrs,
            user_type: self.user_type,
            account_enabled: self.account_enabled,
            deleted_at: DeletedAt::NONE,
            manager: None,
            extra: crate::extra::Extra::boxed(&self.extra),
            version: 0,
        }
    }
}

/// Why `upn` is not a userPrincipalName, if it is not: the one rule every importer and action
/// applies (empty, longer than [`crate::limits::UPN_CHARS_MAX`] characters, a space, a
/// character Entra does not allow (letters A-Z, digits and `' . - _ ! # ^ ~` only: no control
/// characters, byte-order marks or other Unicode), not exactly one `@`, no alias or domain, or
/// an `#EXT#` B2B form with its `@` in front).
pub fn upn_problem(upn: &str) -> Option<String> {
    let max = crate::limits::UPN_CHARS_MAX;
    let len = upn.chars().count();
    let ats = upn.matches('@').count();
    let ext = upn.find("#EXT#");
    if upn.is_empty() {
        Some("is empty".into())
    } else if len > max {
        Some(format!("is {len} characters long, over {max}"))
    } else if upn.contains(char::is_whitespace) {
        Some("contains a space".into())
    } else if let Some(c) = upn
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "'.-_!#^~@".contains(*c)))
    {
        // Entra: letters A-Z and a-z, digits and ' . - _ ! # ^ ~ (and the @)
        Some(format!(
            "contains {c:?} (U+{:04X}); a userPrincipalName may hold only letters A-Z, digits and ' . - _ ! # ^ ~",
            c as u32
        ))
    } else if ats != 1 {
        Some(format!("has {ats} '@' where it needs exactly one"))
    } else if upn.starts_with('@') || upn.ends_with('@') {
        Some("needs an alias before the '@' and a domain after it".into())
    } else if ext.is_some_and(|e| upn.find('@').is_some_and(|a| a < e)) {
        Some("has its '@' before #EXT#; a B2B user's '@' comes after it".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_record_fits_128_bytes_and_deleted_at_round_trips() {
        assert!(
            std::mem::size_of::<User>() <= 128,
            "{}",
            std::mem::size_of::<User>()
        );
        for t in [SimTime(0), SimTime(1_704_067_200), SimTime(-5)] {
            assert_eq!(DeletedAt::from(Some(t)).get(), Some(t));
        }
        assert_eq!(DeletedAt::from(None).get(), None);
    }
}
