//! What a synchronized (or invited) account shows: an object of its own in the target. Its
//! values are what its mapping wrote at the last cycle that processed it: the mapping applied
//! to its home user's values *at the version it was written from* (the directory keeps
//! earlier versions), overlaid by the values stored on the account itself (target-side edits,
//! CTS-48; values kept when the source became null, CTS-34; values written only at creation,
//! `ObjectAddOnly`; an invitation's own values). A source change shows only after a cycle (or
//! on-demand provisioning) processes the account: never while the job is paused, quarantined
//! or blocked, and never after the configuration is deleted.

use crate::directory::{account_flags, AccountExtra, ExternalAccount, Values};
use crate::schema::{AttributeMapping, FlowType, MappingSource, Schema, SchemaAttr};
use crate::strings::{Interner, Sym};
use crate::user::Attr;
use std::borrow::Cow;

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
    /// What the account holds besides attribute values.
    pub extra: Option<&'a AccountExtra>,
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
            extra: None,
            strings,
        }
    }

    /// The same view, with what the account holds besides attribute values.
    pub fn with_extra(self, extra: Option<&'a AccountExtra>) -> Shown<'a> {
        Shown { extra, ..self }
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
                // an expression's result is stored as the account's own UPN when written
                MappingSource::None | MappingSource::Expression(_) => self.source.upn,
            },
            _ => self.source.upn,
        }
    }

    /// `showInAddressList`: as kept when its mapping changed, or as the mapping writes it.
    pub fn show_in_address_list(&self) -> Option<bool> {
        if let Some(v) = self.extra.and_then(|e| e.show_in_address_list) {
            return Some(v);
        }
        if self.frozen {
            return None;
        }
        derive_flag(
            self.schema?,
            &SchemaAttr::ShowInAddressList,
            self.source,
            self.strings,
        )
    }

    /// The sparse properties a mapping wrote into the account.
    pub fn extra_values(&self) -> &'a [(crate::extra::ExtraProp, Box<str>)] {
        self.extra.map_or(&[], |e| e.values.as_slice())
    }

    /// The manager reference a cycle resolved (an account in the same tenant).
    pub fn manager(&self) -> Option<u32> {
        self.extra.and_then(|e| e.manager)
    }

    fn text(&self, v: Sym) -> Option<&'a str> {
        let t = self.strings.resolve(v);
        (!t.is_empty()).then_some(t)
    }
}

/// A boolean target attribute (`showInAddressList`, `accountEnabled`) as `schema`'s mapping
/// derives it from `source` (`None`: not mapped or an expression, so the account keeps what
/// it holds).
pub fn derive_flag(
    schema: &Schema,
    target: &SchemaAttr,
    source: Values<'_>,
    strings: &Interner,
) -> Option<bool> {
    static_value(schema.mapping(target)?, source, strings).map(|v| v.eq_ignore_ascii_case("true"))
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
        SchemaAttr::Extra(p) => source.extra(p).first().map(|v| &**v),
        _ => None,
    }
}

/// The value a direct or constant mapping gives for `source` at any time (`None`: null, or
/// a mapping whose result is stored when written: none, expression).
fn static_value<'a>(m: &'a AttributeMapping, source: Values<'a>, strings: &'a Interner) -> Option<&'a str> {
    match &m.source {
        MappingSource::Attribute(s) => value_of(s, source, strings),
        MappingSource::Constant(c) => Some(c),
        MappingSource::None | MappingSource::Expression(_) => None,
    }
}

/// The value `schema`'s mapping for `a` derives from `source` (`None`: not mapped, or null,
/// or an expression, whose results the account stores).
pub fn derive<'a>(schema: &'a Schema, source: Values<'a>, a: Attr, strings: &'a Interner) -> Option<&'a str> {
    static_value(schema.for_attr(a)?, source, strings).filter(|v| !v.is_empty())
}

/// What a write evaluates expressions against besides the source values: the simulated time
/// (`Now()`) and the key of its seeded random stream (`Guid()`, `RandomString()`).
#[derive(Clone, Copy, Debug)]
pub struct WriteCtx {
    /// When the write happens.
    pub now: crate::time::SimTime,
    /// The seeded stream's key for this write (one per source user, version and configuration).
    pub key: u64,
}

/// An expression's view of one source user.
struct Eval<'a> {
    source: Values<'a>,
    strings: &'a Interner,
    now: i64,
    state: u64,
}

impl crate::expr::Context for Eval<'_> {
    fn attribute(&self, name: &str) -> Option<crate::expr::Value> {
        let a = SchemaAttr::parse(name)?;
        if let SchemaAttr::Extra(p) = &a {
            if p.is_collection() {
                let v = self.source.extra(p);
                return (!v.is_empty())
                    .then(|| crate::expr::Value::Multi(v.iter().map(|x| x.to_string()).collect()));
            }
        }
        value_of(&a, self.source, self.strings).map(|v| crate::expr::Value::Str(v.to_string()))
    }
    fn now(&self) -> i64 {
        self.now
    }
    fn random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        crate::hash::mix64(self.state)
    }
}

/// Why a write could not be made: an expression failed for this user (the object's export
/// fails, CTS-29).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteError {
    /// The target attribute.
    pub target: String,
    /// What went wrong.
    pub message: String,
}

/// The value mapping `m` writes for `source` now (`None`: null, or it does not flow).
pub fn evaluate(
    m: &AttributeMapping,
    source: Values<'_>,
    strings: &Interner,
    ctx: WriteCtx,
) -> Result<Option<String>, WriteError> {
    Ok(evaluate_cow(m, source, strings, ctx)?.map(Cow::into_owned))
}

/// [`evaluate`], borrowing what a direct or constant mapping gives.
fn evaluate_cow<'a>(
    m: &'a AttributeMapping,
    source: Values<'a>,
    strings: &'a Interner,
    ctx: WriteCtx,
) -> Result<Option<Cow<'a, str>>, WriteError> {
    let MappingSource::Expression(e) = &m.source else {
        return Ok(static_value(m, source, strings).map(Cow::Borrowed));
    };
    let mut eval = Eval {
        source,
        strings,
        now: ctx.now.0,
        state: ctx.key ^ {
            let mut h = crate::hash::Fnv64::new(0);
            h.write(m.target.name().as_bytes());
            h.finish()
        },
    };
    let err = |message: String| WriteError {
        target: m.target.name().into_owned(),
        message,
    };
    let out = e.eval(&mut eval).map_err(|x| err(x.message))?;
    if !out.flows {
        return Ok(None);
    }
    match out.value {
        crate::expr::Value::Null => Ok(None),
        // an empty string flows (it clears the target attribute); only null does not, which is
        // why IgnoreFlowIfNullOrEmpty exists
        crate::expr::Value::Str(v) => Ok(Some(Cow::Owned(v))),
        crate::expr::Value::Multi(v) if v.len() <= 1 => Ok(v.into_iter().next().map(Cow::Owned)),
        crate::expr::Value::Multi(v) => Err(err(format!(
            "{} is single-valued and the expression gave {} values",
            m.target,
            v.len()
        ))),
    }
}

/// What writing `source` with `schema` into an account that shows `old` changes: the values
/// the account then stores, and each attribute whose shown value changes (old, new).
#[derive(Default)]
pub struct Written {
    /// The values the account stores after the write.
    pub stored: Vec<(Attr, Sym)>,
    /// Attributes whose shown value changed: (attribute, old, new).
    pub modified: Vec<(Attr, Option<String>, Option<String>)>,
}

/// Writes `source` with `schema` into a new account: the values it must store (expression
/// results; a mapping's default value where the source is null).
pub fn write(
    schema: &Schema,
    source: Values<'_>,
    strings: &mut Interner,
    ctx: WriteCtx,
) -> Result<Written, WriteError> {
    let mut stored = Vec::new();
    if !schema.stores_attrs() {
        // every mapped attribute derives from the source when shown
        return Ok(Written {
            stored,
            modified: Vec::new(),
        });
    }
    for m in schema.mappings() {
        let SchemaAttr::Attr(a) = m.target else { continue };
        let value = match &m.source {
            MappingSource::Expression(_) => evaluate(m, source, strings, ctx)?,
            _ if static_value(m, source, strings).is_some() => continue,
            _ => None,
        };
        // "Default value if null": an empty result is a value (it leaves the attribute empty)
        if let Some(v) = value
            .or_else(|| m.default_value.clone())
            .filter(|v| !v.is_empty())
        {
            stored.push((a, strings.intern(&v)));
        }
    }
    Ok(Written {
        stored,
        modified: Vec::new(),
    })
}

/// What [`write_over`] decides before anything is interned: the values the account must
/// store, and each attribute whose shown value changes (old, new).
pub struct WrittenOver {
    /// The values the account stores after the write, as text.
    pub stored: Vec<(Attr, String)>,
    /// Attributes whose shown value changed: (attribute, old, new).
    pub modified: Vec<(Attr, Option<String>, Option<String>)>,
}

/// Writes `source` with `schema` over an existing account that shows `old`: a null result
/// leaves the old value (CTS-34), a mapping applied only on creation leaves it too
/// (`ObjectAddOnly`). Borrows everything, so the common update allocates only for what
/// changed (without `detail`, the changes name their attributes only); the caller interns the
/// few values the account must store.
pub fn write_over(
    schema: &Schema,
    source: Values<'_>,
    old: &Shown<'_>,
    strings: &Interner,
    ctx: WriteCtx,
    detail: bool,
) -> Result<WrittenOver, WriteError> {
    let mut stored = Vec::new();
    let mut modified = Vec::new();
    // the same mappings wrote the account: a direct attribute whose source symbol did not
    // change between the two versions shows the same text, without resolving it
    let same_schema = old.schema.is_some_and(|o| std::ptr::eq(o, schema)) && !old.frozen;
    for &a in Attr::ALL {
        let m = schema.for_attr(a);
        if same_schema && !old.stored.iter().any(|(x, _)| *x == a) {
            if let Some(AttributeMapping {
                source: MappingSource::Attribute(SchemaAttr::Attr(b)),
                flow: FlowType::Always,
                ..
            }) = m
            {
                let (was, now) = (old.source.attr(*b), source.attr(*b));
                if was == now && (!was.is_marker() || old.source.upn == source.upn) {
                    continue;
                }
            }
        }
        let was = old.attr(a);
        let computed = match m {
            Some(m) if m.flow == FlowType::Always => evaluate_cow(m, source, strings, ctx)?,
            _ => None,
        };
        // null keeps the old value (CTS-34); an empty result clears it
        let now: Option<&str> = match computed.as_deref() {
            Some("") => None,
            Some(v) => Some(v),
            None => was,
        };
        let shows_by_itself = m.is_some_and(|m| !matches!(m.source, MappingSource::Expression(_)))
            && derive(schema, source, a, strings) == now;
        if !shows_by_itself {
            if let Some(v) = now {
                stored.push((a, v.to_string()));
            }
        }
        if now != was {
            if detail {
                modified.push((a, was.map(str::to_string), now.map(str::to_string)));
            } else {
                modified.push((a, None, None));
            }
        }
    }
    Ok(WrittenOver { stored, modified })
}

/// Writes the sparse properties `schema` maps (they are always stored on the account): each
/// mapped property's new value, a null result keeping the old one (CTS-34), a creation-only
/// mapping writing only when `creating`; and what changed.
pub fn write_extras(
    schema: &Schema,
    source: Values<'_>,
    old: &[(crate::extra::ExtraProp, Box<str>)],
    strings: &Interner,
    ctx: WriteCtx,
    creating: bool,
) -> Result<ExtrasWritten, WriteError> {
    let mut values: Vec<(crate::extra::ExtraProp, Box<str>)> = old.to_vec();
    let mut modified = Vec::new();
    for m in schema.mappings() {
        let SchemaAttr::Extra(p) = &m.target else { continue };
        if !creating && m.flow == FlowType::ObjectAddOnly {
            continue;
        }
        let value = evaluate(m, source, strings, ctx)?
            .or_else(|| creating.then(|| m.default_value.clone()).flatten());
        let Some(v) = value else { continue };
        let was = values.iter().position(|(x, _)| x == p);
        if v.is_empty() {
            // an empty result clears the property
            if let Some(i) = was {
                modified.push((p.name(), Some(values[i].1.to_string()), None));
                values.remove(i);
            }
            continue;
        }
        match was {
            Some(i) if *values[i].1 == *v => {}
            Some(i) => {
                modified.push((p.name(), Some(values[i].1.to_string()), Some(v.clone())));
                values[i].1 = v.into();
            }
            None => {
                modified.push((p.name(), None, Some(v.clone())));
                values.push((p.clone(), v.into()));
            }
        }
    }
    Ok(ExtrasWritten { values, modified })
}

/// What [`write_extras`] gives.
#[derive(Default)]
pub struct ExtrasWritten {
    /// The account's sparse properties after the write.
    pub values: Vec<(crate::extra::ExtraProp, Box<str>)>,
    /// Each that changed: (name, old, new).
    pub modified: Vec<(String, Option<String>, Option<String>)>,
}
