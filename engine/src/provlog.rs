//! The provisioning log (CTS-62): its records as a cycle writes them ([`ProvRecord`]), and the
//! log as a world keeps them: one compact record per object a cycle or
//! on-demand request processed, for as long as the run lasts. A cycle hands over its records in
//! the rich form ([`ProvRecord`]); the log stores each in about a tenth of that: fixed fields in
//! one row, the modified properties in one shared table, and every value as four bytes that name
//! a string the world already holds (an interned attribute value), one of a few constants, or a
//! string kept once in the log's own text. Reading a record borrows everything from the world
//! ([`ProvRecordRef`]), so rendering a million records allocates nothing per value.
//!
//! Measured on `out_stream render 5 50000` (1M create records): the rich form kept 1.95 GiB, this
//! one about 0.2 GiB.

use crate::ids::ConfigIdx;
use crate::strings::{Interner, Sym};
use crate::time::SimTime;
use crate::UserIdx;

/// `provisioningAction` (CTS-62).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProvAction {
    /// `create`.
    Create,
    /// `update`.
    Update,
    /// `delete` (a soft delete in the target).
    Delete,
    /// `stagedDelete`: held by the accidental-deletion threshold.
    StagedDelete,
    /// `disable`.
    Disable,
    /// `other` (skips, restores).
    Other,
}

impl ProvAction {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProvAction::Create => "create",
            ProvAction::Update => "update",
            ProvAction::Delete => "delete",
            ProvAction::StagedDelete => "stagedDelete",
            ProvAction::Disable => "disable",
            ProvAction::Other => "other",
        }
    }
}

/// `provisioningStatusInfo.status` (CTS-62).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProvStatus {
    /// `success`.
    Success,
    /// `warning`.
    Warning,
    /// `failure`.
    Failure,
    /// `skipped`.
    Skipped,
}

impl ProvStatus {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProvStatus::Success => "success",
            ProvStatus::Warning => "warning",
            ProvStatus::Failure => "failure",
            ProvStatus::Skipped => "skipped",
        }
    }
}

/// One property a provisioning action changed (`modifiedProperty`): the target attribute's
/// schema name and its value before and after (`None` for null).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modified {
    /// `displayName`: the target attribute, e.g. `department`.
    pub name: std::borrow::Cow<'static, str>,
    /// `oldValue`.
    pub old: Option<Box<str>>,
    /// `newValue`.
    pub new: Option<Box<str>>,
}

impl Modified {
    pub(crate) fn new(
        name: impl Into<std::borrow::Cow<'static, str>>,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Modified {
        Modified {
            name: name.into(),
            old: old.map(Into::into),
            new: new.map(Into::into),
        }
    }
}

/// The target account as a provisioning record shows it, at the time of the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedAccount {
    /// The account.
    pub account: u32,
    /// Its `displayName` then (its UPN when it had none).
    pub display_name: Box<str>,
    /// Its `userPrincipalName` then.
    pub upn: Box<str>,
}

/// One provisioning-log record (`provisioningObjectSummary`, CTS-62): what one cycle (or
/// on-demand request) did with one source user, with the names and values as they were then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvRecord {
    /// When the cycle (or on-demand request) applied it.
    pub at: SimTime,
    /// The configuration (its job is `jobId`).
    pub config: ConfigIdx,
    /// The cycle number (`cycleId`); 0 for on-demand provisioning.
    pub cycle: u32,
    /// The source user.
    pub user: UserIdx,
    /// The source user's version then (its display name and UPN at the time).
    pub version: u32,
    /// The target account, where there is one.
    pub account: u32,
    /// The target account's names right after the write (the names the log shows).
    pub target: Option<RecordedAccount>,
    /// The properties a create or update wrote (`modifiedProperties`).
    pub modified: Vec<Modified>,
    /// What.
    pub action: ProvAction,
    /// How it went.
    pub status: ProvStatus,
    /// Error code or skip reason (e.g. `AzureActiveDirectoryQuotaLimitExceeded`,
    /// `NotEffectivelyEntitled`, `RedundantExport`).
    pub reason: &'static str,
    /// What went wrong, when there is more to say than the code (the attribute and message of
    /// a failed expression).
    pub detail: Option<Box<str>>,
}

/// Strings most records write, kept as constants rather than in the text.
const CONSTANTS: [&str; 6] = ["True", "False", "Member", "Guest", "[Redact]", ""];

/// A value: `NONE`, an interned string, a constant or an offset in the log's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Val(u32);

impl Default for Val {
    fn default() -> Val {
        Val::NONE
    }
}

impl Val {
    const NONE: Val = Val(u32::MAX);
    const KIND: u32 = 3 << 30;
    const SYM: u32 = 0;
    const CONST: u32 = 1 << 30;
    const TEXT: u32 = 2 << 30;
    const INDEX: u32 = (1 << 30) - 1;
}

/// One record's fixed fields.
#[derive(Clone, Debug)]
struct Row {
    at: SimTime,
    config: ConfigIdx,
    cycle: u32,
    user: UserIdx,
    version: u32,
    account: u32,
    /// The target account's display name and UPN then, or `NONE` when there is no target.
    target: (Val, Val),
    /// Its modified properties: `mods[first..first + count]`.
    first: u32,
    count: u16,
    action: ProvAction,
    status: ProvStatus,
    reason: &'static str,
    detail: Val,
}

/// One modified property: its name (an index in `names`), old and new value.
#[derive(Clone, Copy, Debug)]
struct Mod {
    name: u16,
    old: Val,
    new: Val,
}

/// The log.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProvLog {
    rows: Vec<Row>,
    mods: Vec<Mod>,
    /// Length-prefixed (u32, little endian) strings.
    text: Vec<u8>,
    /// Property names, in first-seen order.
    names: Vec<std::borrow::Cow<'static, str>>,
    /// The last few strings put in `text`, to keep a repeated one once (a create's UPN is both
    /// a modified property and the target's name).
    recent: [Val; 4],
    /// Modified properties added to a record after later ones were kept (a cycle's reference
    /// pass adds `manager`), by record, in record order.
    appendix: Vec<(u32, Mod)>,
    /// Why the log stopped keeping records, if it did.
    full: Option<Full>,
    /// A smaller text cap, for tests.
    #[cfg(test)]
    text_max: Option<usize>,
}

/// Why a record could not be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// The log holds [`crate::limits::PROV_LOG_RECORDS_MAX`] records.
    Records,
    /// The text reached [`crate::limits::PROV_LOG_TEXT_BYTES_MAX`].
    Text,
    /// The modified-property table reached `u32::MAX` entries, or 65,536 names.
    Table,
}

impl Full {
    /// The cap's name and value, as a [`crate::state::LimitHit`] names it.
    pub(crate) fn cap(self) -> (&'static str, u64) {
        match self {
            Full::Records | Full::Table => {
                ("PROV_LOG_RECORDS_MAX", crate::limits::PROV_LOG_RECORDS_MAX as u64)
            }
            Full::Text => (
                "PROV_LOG_TEXT_BYTES_MAX",
                crate::limits::PROV_LOG_TEXT_BYTES_MAX as u64,
            ),
        }
    }
}

impl ProvLog {
    /// Records kept.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Why the log stopped keeping records, if it did: the first record that did not fit, and
    /// every later one, were dropped.
    pub(crate) fn full(&self) -> Option<Full> {
        self.full
    }

    /// Keeps `rec` (unless the log is full, see [`ProvLog::full`]); its strings are looked up
    /// in `strings`, never added to it.
    pub(crate) fn keep(&mut self, rec: &ProvRecord, strings: &Interner) {
        if self.full.is_none() {
            if let Err(e) = self.push(rec, strings) {
                self.full = Some(e);
            }
        }
    }

    /// Sets record `i`'s outcome.
    pub(crate) fn set_outcome(
        &mut self,
        i: usize,
        action: ProvAction,
        status: ProvStatus,
        reason: &'static str,
    ) {
        if let Some(r) = self.rows.get_mut(i) {
            r.action = action;
            r.status = status;
            r.reason = reason;
        }
    }

    /// Adds a modified property to record `i` (records are given in increasing order).
    pub(crate) fn add_modified(&mut self, i: usize, m: &Modified, strings: &Interner) {
        if self.full.is_some() || i >= self.rows.len() {
            return;
        }
        let res = (|| {
            let name = self.name(&m.name)?;
            let old = self.val(m.old.as_deref(), strings)?;
            let new = self.val(m.new.as_deref(), strings)?;
            Ok(Mod { name, old, new })
        })();
        match res {
            Ok(m) => self.appendix.push((i as u32, m)),
            Err(e) => self.full = Some(e),
        }
    }

    fn push(&mut self, rec: &ProvRecord, strings: &Interner) -> Result<(), Full> {
        if self.rows.len() >= crate::limits::PROV_LOG_RECORDS_MAX {
            return Err(Full::Records);
        }
        let first = u32::try_from(self.mods.len()).map_err(|_| Full::Table)?;
        if self.mods.len() + rec.modified.len() >= u32::MAX as usize {
            return Err(Full::Table);
        }
        let count = u16::try_from(rec.modified.len()).map_err(|_| Full::Table)?;
        let text_before = self.text.len();
        let mods_before = self.mods.len();
        let res = (|| {
            for m in &rec.modified {
                let name = self.name(&m.name)?;
                let old = self.val(m.old.as_deref(), strings)?;
                let new = self.val(m.new.as_deref(), strings)?;
                self.mods.push(Mod { name, old, new });
            }
            let target = match &rec.target {
                Some(t) => (
                    self.val(Some(&t.display_name), strings)?,
                    self.val(Some(&t.upn), strings)?,
                ),
                None => (Val::NONE, Val::NONE),
            };
            let detail = self.val(rec.detail.as_deref(), strings)?;
            Ok((target, detail))
        })();
        let (target, detail) = match res {
            Ok(x) => x,
            Err(e) => {
                // nothing of a record that does not fit stays
                self.text.truncate(text_before);
                self.mods.truncate(mods_before);
                self.recent = [Val::NONE; 4];
                return Err(e);
            }
        };
        self.rows.push(Row {
            at: rec.at,
            config: rec.config,
            cycle: rec.cycle,
            user: rec.user,
            version: rec.version,
            account: rec.account,
            target,
            first,
            count,
            action: rec.action,
            status: rec.status,
            reason: rec.reason,
            detail,
        });
        Ok(())
    }

    // a Cow, not a str: a static name is kept borrowed, without allocating
    #[allow(clippy::ptr_arg)]
    fn name(&mut self, name: &std::borrow::Cow<'static, str>) -> Result<u16, Full> {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return Ok(i as u16);
        }
        let i = u16::try_from(self.names.len()).map_err(|_| Full::Table)?;
        self.names.push(name.clone());
        Ok(i)
    }

    fn val(&mut self, s: Option<&str>, strings: &Interner) -> Result<Val, Full> {
        let Some(s) = s else {
            return Ok(Val::NONE);
        };
        if let Some(i) = CONSTANTS.iter().position(|c| *c == s) {
            return Ok(Val(Val::CONST | i as u32));
        }
        if let Some(sym) = strings.get(s).filter(|sym| sym.0 <= Val::INDEX) {
            return Ok(Val(Val::SYM | sym.0));
        }
        if let Some(v) = self
            .recent
            .iter()
            .find(|v| **v != Val::NONE && self.text_of(**v) == s)
        {
            return Ok(*v);
        }
        let at = self.text.len();
        #[cfg(test)]
        let max = self.text_max.unwrap_or(crate::limits::PROV_LOG_TEXT_BYTES_MAX);
        #[cfg(not(test))]
        let max = crate::limits::PROV_LOG_TEXT_BYTES_MAX;
        if at + 4 + s.len() > max {
            return Err(Full::Text);
        }
        self.text.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.text.extend_from_slice(s.as_bytes());
        let v = Val(Val::TEXT | at as u32);
        self.recent.rotate_right(1);
        self.recent[0] = v;
        Ok(v)
    }

    fn text_of(&self, v: Val) -> &str {
        let at = (v.0 & Val::INDEX) as usize;
        let len = u32::from_le_bytes(self.text[at..at + 4].try_into().expect("4 bytes")) as usize;
        std::str::from_utf8(&self.text[at + 4..at + 4 + len]).expect("kept from a str")
    }

    fn resolve<'a>(&'a self, v: Val, strings: &'a Interner) -> Option<&'a str> {
        if v == Val::NONE {
            return None;
        }
        Some(match v.0 & Val::KIND {
            Val::SYM => strings.resolve(Sym(v.0 & Val::INDEX)),
            Val::CONST => CONSTANTS[(v.0 & Val::INDEX) as usize],
            _ => self.text_of(v),
        })
    }

    /// The properties added to record `i` later.
    fn appended(&self, i: usize) -> impl Iterator<Item = &Mod> {
        let i = i as u32;
        let from = self.appendix.partition_point(|(r, _)| *r < i);
        self.appendix[from..]
            .iter()
            .take_while(move |(r, _)| *r == i)
            .map(|(_, m)| m)
    }

    /// The configuration of record `i`, without decoding the record.
    pub(crate) fn config_of(&self, i: usize) -> ConfigIdx {
        self.rows[i].config
    }

    /// Record `i`, borrowed.
    pub(crate) fn get<'a>(&'a self, i: usize, strings: &'a Interner) -> ProvRecordRef<'a> {
        let r = &self.rows[i];
        let mods = &self.mods[r.first as usize..r.first as usize + r.count as usize];
        ProvRecordRef {
            at: r.at,
            config: r.config,
            cycle: r.cycle,
            user: r.user,
            version: r.version,
            account: r.account,
            target: match (
                self.resolve(r.target.0, strings),
                self.resolve(r.target.1, strings),
            ) {
                (Some(d), Some(u)) => Some((d, u)),
                _ => None,
            },
            modified: mods
                .iter()
                .chain(self.appended(i))
                .map(|m| ModifiedRef {
                    name: &self.names[m.name as usize],
                    old: self.resolve(m.old, strings),
                    new: self.resolve(m.new, strings),
                })
                .collect(),
            action: r.action,
            status: r.status,
            reason: r.reason,
            detail: self.resolve(r.detail, strings),
        }
    }
}

/// A modified property as the log keeps it (`modifiedProperties`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModifiedRef<'a> {
    /// `displayName`: the target attribute.
    pub name: &'a str,
    /// `oldValue`.
    pub old: Option<&'a str>,
    /// `newValue`.
    pub new: Option<&'a str>,
}

impl ModifiedRef<'_> {
    /// The same, owned.
    pub fn to_owned(&self) -> Modified {
        Modified {
            name: self.name.to_string().into(),
            old: self.old.map(Into::into),
            new: self.new.map(Into::into),
        }
    }
}

/// One record as the log keeps it: [`ProvRecord`]'s fields, borrowed from the world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvRecordRef<'a> {
    /// When the cycle (or on-demand request) applied it.
    pub at: SimTime,
    /// The configuration.
    pub config: ConfigIdx,
    /// The cycle number; 0 for on-demand provisioning.
    pub cycle: u32,
    /// The source user.
    pub user: UserIdx,
    /// The source user's version then.
    pub version: u32,
    /// The target account, where there is one.
    pub account: u32,
    /// The target account's display name and UPN then.
    pub target: Option<(&'a str, &'a str)>,
    /// The properties a create or update wrote.
    pub modified: Vec<ModifiedRef<'a>>,
    /// What.
    pub action: ProvAction,
    /// How it went.
    pub status: ProvStatus,
    /// Error code or skip reason.
    pub reason: &'static str,
    /// What went wrong, when there is more to say than the code.
    pub detail: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(strings: &mut Interner) -> ProvRecord {
        strings.intern("Ada Lovelace");
        ProvRecord {
            at: SimTime(60),
            config: ConfigIdx(2),
            cycle: 3,
            user: UserIdx(4),
            version: 5,
            account: 6,
            target: Some(RecordedAccount {
                account: 6,
                display_name: "Ada Lovelace".into(),
                upn: "ada_a.com#EXT#@b.onmicrosoft.com".into(),
            }),
            modified: vec![
                Modified {
                    name: "accountEnabled".into(),
                    old: None,
                    new: Some("True".into()),
                },
                Modified {
                    name: "userPrincipalName".into(),
                    old: Some("".into()),
                    new: Some("ada_a.com#EXT#@b.onmicrosoft.com".into()),
                },
                Modified {
                    name: "extension_abc_costCenter".to_string().into(),
                    old: Some("Ada Lovelace".into()),
                    new: Some("ünïcode ✓".into()),
                },
            ],
            action: ProvAction::Create,
            status: ProvStatus::Failure,
            reason: "AzureActiveDirectoryQuotaLimitExceeded",
            detail: Some("why".into()),
        }
    }

    #[test]
    fn a_record_reads_back_as_it_was_kept() {
        let mut strings = Interner::default();
        let rec = record(&mut strings);
        let mut log = ProvLog::default();
        log.keep(&rec, &strings);
        log.keep(&rec, &strings);
        assert_eq!(log.full(), None);
        for i in 0..2 {
            let r = log.get(i, &strings);
            assert_eq!(
                (r.at, r.config, r.cycle, r.user, r.version, r.account),
                (SimTime(60), ConfigIdx(2), 3, UserIdx(4), 5, 6)
            );
            assert_eq!(
                r.target,
                Some(("Ada Lovelace", "ada_a.com#EXT#@b.onmicrosoft.com"))
            );
            let owned: Vec<Modified> = r.modified.iter().map(ModifiedRef::to_owned).collect();
            assert_eq!(owned, rec.modified);
            assert_eq!(
                (r.action, r.status, r.reason, r.detail),
                (rec.action, rec.status, rec.reason, Some("why"))
            );
        }
        // the UPN is kept once (modified property and target, and again in the next record),
        // the interned display name and the constants not at all
        let upn = "ada_a.com#EXT#@b.onmicrosoft.com".len() + 4;
        let other = "ünïcode ✓".len() + 4 + "why".len() + 4;
        assert_eq!(log.text.len(), upn + other);
        assert_eq!(log.names.len(), 3);
    }

    #[test]
    fn properties_added_later_read_with_their_record() {
        let mut strings = Interner::default();
        let rec = record(&mut strings);
        let mut log = ProvLog::default();
        for _ in 0..3 {
            log.keep(&rec, &strings);
        }
        let manager = Modified {
            name: "manager".into(),
            old: None,
            new: Some("00000000-0000-0000-0000-000000000001".into()),
        };
        log.add_modified(1, &manager, &strings);
        log.set_outcome(1, ProvAction::Update, ProvStatus::Success, "");
        let names = |i| {
            log.get(i, &strings)
                .modified
                .iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(0).len(), 3);
        assert_eq!(names(1).last(), Some(&"manager"));
        assert_eq!(names(2).len(), 3);
        let r = log.get(1, &strings);
        assert_eq!(
            (r.action, r.status, r.reason),
            (ProvAction::Update, ProvStatus::Success, "")
        );
    }

    #[test]
    fn a_record_that_does_not_fit_leaves_nothing() {
        let mut strings = Interner::default();
        let rec = record(&mut strings);
        let mut log = ProvLog::default();
        log.push(&rec, &strings).unwrap();
        log.text_max = Some(log.text.len() + 10);
        log.recent = [Val::NONE; 4];
        let (text, mods) = (log.text.len(), log.mods.len());
        log.keep(&rec, &strings);
        assert_eq!(log.full(), Some(Full::Text));
        assert_eq!((log.len(), log.text.len(), log.mods.len()), (1, text, mods));
        log.text_max = None;
        log.keep(&rec, &strings);
        assert_eq!(log.len(), 1, "a full log keeps nothing more");
        assert_eq!(log.get(0, &strings).target.unwrap().0, "Ada Lovelace");
    }
}
