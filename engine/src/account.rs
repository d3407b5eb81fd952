//! What a synchronized (or invited) account shows: an object of its own in the target. Its
//! values are what its mapping wrote at the last cycle that processed it: the mapping applied
//! to its home user's values *at the version it was written from* (the directory keeps
//! earlier versions), overlaid by the values stored on the account itself (target-side edits,
//! CTS-48; values kept when the source became null, CTS-34; values written only at creation,
//! `ObjectAddOnly`; an invitation's own values). A source change shows only after a cycle (or
//! on-demand provisioning) processes the account: never while the job is paused, quarantined
//! or blocked, and never after the configuration is deleted.

use crate::directory::{account_flags, ExternalAccount, Values};
use crate::schema::{FlowType, MappingSource, Schema, SchemaAttr};
use crate::strings::{Interner, Sym};
use crate::user::Attr;

/// Everything the value of one account attribute depends on.
#[derive(Clone, Copy, Debug)]
pub struct Shown<'a> {
    /// The mappings the account was written with (`None`: no configuration wrote it).
    pub schema: Option<&'a Schema>,
    /// The home user at the account's version.
    pub source: Values<'a>,
    /// The values stored on the account.
    pub stored: &'a [(Attr, Sym)],
    /// Whether only the stored values count ([`account_flags::FROZEN`]).
    pub frozen: bool,
    /// The interner.
    pub strings: &'a Interner,
}

impl<'a> Shown<'a> {
    /// The view of account `a` written with `schema` from `source`.
    pub fn of(
        a: &ExternalAccount,
        schema: Option<&'a Schema>,
        source: Values<'a>,
        stored: Option<&'a [(Attr, Sym)]>,
        strings: &'a Interner,
    ) -> Shown<'a> {
        Shown {
            schema,
            source,
            stored: stored.unwrap_or(&[]),
            frozen: a.flags & account_flags::FROZEN != 0 || schema.is_none(),
            strings,
        }
    }

    /// The value attribute `a` shows (`None` for null).
    pub fn attr(&self, a: Attr) -> Option<&'a str> {
        if let Some(&(_, v)) = self.stored.iter().find(|(x, _)| *x == a) {
            return self.text(v);
        }
        if self.frozen {
            return None;
        }
        derive(self.schema?, self.source, a, self.strings)
    }

    /// The value the userPrincipalName mapping gives, before the `#EXT#` form (CTS-30).
    pub fn upn_source(&self) -> &'a str {
        match self
            .schema
            .and_then(|s| s.mapping(&SchemaAttr::UserPrincipalName))
        {
            Some(m) if !self.frozen => match &m.source {
                MappingSource::Attribute(s) => {
                    value_of(s, self.source, self.strings).unwrap_or(self.source.upn)
                }
                MappingSource::Constant(c) => c,
                MappingSource::None => self.source.upn,
            },
            _ => self.source.upn,
        }
    }

    /// `showInAddressList`, when a mapping writes it.
    pub fn show_in_address_list(&self) -> Option<bool> {
        let m = self.schema?.mapping(&SchemaAttr::ShowInAddressList)?;
        let v = match &m.source {
            MappingSource::Constant(c) => Some(c.as_str()),
            MappingSource::Attribute(s) => value_of(s, self.source, self.strings),
            MappingSource::None => None,
        }?;
        Some(v.eq_ignore_ascii_case("true"))
    }

    fn text(&self, v: Sym) -> Option<&'a str> {
        let t = self.strings.resolve(v);
        (!t.is_empty()).then_some(t)
    }
}

/// The value a source attribute has in `source` (`None` for null).
fn value_of<'a>(s: &SchemaAttr, source: Values<'a>, strings: &'a Interner) -> Option<&'a str> {
    match s {
        SchemaAttr::Attr(b) => {
            let t = source.text(*b, strings);
            (!t.is_empty()).then_some(t)
        }
        SchemaAttr::UserPrincipalName => Some(source.upn),
        SchemaAttr::UserType => Some(source.user_type.as_str()),
        SchemaAttr::AccountEnabled => Some(if source.account_enabled { "True" } else { "False" }),
        _ => None,
    }
}

/// The value `schema`'s mapping for `a` derives from `source` (`None`: not mapped, or null).
pub fn derive<'a>(schema: &'a Schema, source: Values<'a>, a: Attr, strings: &'a Interner) -> Option<&'a str> {
    let m = schema.for_attr(a)?;
    match &m.source {
        MappingSource::Attribute(s) => value_of(s, source, strings),
        MappingSource::Constant(c) => Some(c),
        MappingSource::None => None,
    }
}

/// What writing `source` with `schema` into an account that shows `old` changes: the values
/// the account then stores, and each attribute whose shown value changes (old, new).
pub struct Written {
    /// The values the account stores after the write.
    pub stored: Vec<(Attr, Sym)>,
    /// Attributes whose shown value changed: (attribute, old, new).
    pub modified: Vec<(Attr, Option<String>, Option<String>)>,
}

/// Writes `source` with `schema` into a new account: the values it must store (a mapping's
/// default value where the source is null).
pub fn write(schema: &Schema, source: Values<'_>, strings: &mut Interner) -> Written {
    let mut stored = Vec::new();
    for &a in Attr::ALL {
        let derived = derive(schema, source, a, strings).is_some();
        if let (false, Some(d)) = (derived, schema.for_attr(a).and_then(|m| m.default_value.clone())) {
            stored.push((a, strings.intern(&d)));
        }
    }
    Written {
        stored,
        modified: Vec::new(),
    }
}

/// An account's shown values, resolved to owned strings (so that the interner can be written
/// while they are compared).
pub struct Frozen {
    /// Each stored attribute and the value the account shows.
    pub values: Vec<(Attr, Option<String>)>,
}

/// [`write`] over an existing account whose shown values are `old`.
pub fn write_over(schema: &Schema, source: Values<'_>, old: &Frozen, strings: &mut Interner) -> Written {
    let mut stored = Vec::new();
    let mut modified = Vec::new();
    for (a, was) in &old.values {
        let a = *a;
        let derived = derive(schema, source, a, strings).map(str::to_string);
        let now = match schema.for_attr(a) {
            Some(m) if m.flow == FlowType::ObjectAddOnly => was.clone(),
            _ => derived.clone().or_else(|| was.clone()),
        };
        if now != derived {
            if let Some(v) = &now {
                stored.push((a, strings.intern(v)));
            }
        }
        if now != *was {
            modified.push((a, was.clone(), now));
        }
    }
    Written { stored, modified }
}
