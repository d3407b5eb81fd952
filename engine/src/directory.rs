//! One tenant's directory: internal users, groups, and the external accounts that
//! cross-tenant synchronization (or an invitation) created in it.
//!
//! Internal users keep their UPN as a string (they are looked up by it). Synchronized accounts
//! do not: an account is fully determined by (source tenant, source user, this tenant) plus its
//! mapping, so it is a 24-byte [`ExternalAccount`] record and its `#EXT#` UPN (CTS-30) is
//! rendered on demand by [`ext_upn`]. Lookups from a source user to its account go through a
//! dense per-source table, never through a string index.

use crate::ids::{ConfigIdx, GroupIdx, TenantIdx, UserIdx};
use crate::membership::Property;
use crate::strings::Sym;
use crate::time::SimTime;

pub use crate::user::{Attr, NewUser, User, UserType, ATTR_COUNT};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// A group, static or dynamic.
#[derive(Clone, Debug)]
pub struct Group {
    /// `displayName`, unique in the tenant for scenario references.
    pub name: Box<str>,
    /// Direct members, sorted and without duplicates (nesting is never followed, CTS-15).
    pub members: Vec<UserIdx>,
    /// The membership rule of a dynamic group; its members follow the rule (CTS-15).
    pub rule: Option<crate::membership::MembershipRule>,
    /// What kind of group it is (`groupTypes`, `mailEnabled`, `securityEnabled`).
    pub kind: GroupKind,
    /// `isAssignableToRole`.
    pub role_assignable: bool,
    /// Groups that are members of this one (nested groups; never followed, CTS-15, CTS-63).
    pub member_groups: Vec<GroupIdx>,
    /// `description`.
    pub description: Option<Box<str>>,
    /// Bumped whenever the group changes (members, description): group provisioning rewrites a
    /// target group only after its source group changed (CTS-65).
    pub version: u32,
    /// Deleted (a tombstone: indexes stay stable; no members, no name in the index).
    pub deleted: bool,
}

impl Group {
    fn new(name: &str, members: Vec<UserIdx>) -> Group {
        Group {
            name: name.into(),
            members,
            rule: None,
            kind: GroupKind::Security,
            role_assignable: false,
            member_groups: Vec::new(),
            description: None,
            version: 0,
            deleted: false,
        }
    }
}

/// The kinds of group Entra has, as Graph tells them apart (`groupTypes`, `mailEnabled`,
/// `securityEnabled`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKind {
    /// A security group: securityEnabled, not mail-enabled.
    Security,
    /// A Microsoft 365 group: groupTypes `Unified`, mail-enabled.
    Microsoft365,
    /// A mail-enabled security group.
    MailEnabledSecurity,
    /// A distribution group: mail-enabled, not securityEnabled.
    Distribution,
}

impl GroupKind {
    /// The scenario spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Security => "security",
            GroupKind::Microsoft365 => "microsoft365",
            GroupKind::MailEnabledSecurity => "mail-enabled-security",
            GroupKind::Distribution => "distribution",
        }
    }
    /// Parses the scenario spelling.
    pub fn parse(s: &str) -> Option<GroupKind> {
        [
            GroupKind::Security,
            GroupKind::Microsoft365,
            GroupKind::MailEnabledSecurity,
            GroupKind::Distribution,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    /// `mailEnabled`.
    pub fn mail_enabled(self) -> bool {
        self != GroupKind::Security
    }
    /// `securityEnabled`.
    pub fn security_enabled(self) -> bool {
        matches!(self, GroupKind::Security | GroupKind::MailEnabledSecurity)
    }
    /// Whether cross-tenant synchronization can provision it: security groups (static or
    /// dynamic) and Microsoft 365 groups (CTS-63).
    pub fn syncable(self) -> bool {
        matches!(self, GroupKind::Security | GroupKind::Microsoft365)
    }
}

/// A static security group that cross-tenant synchronization created in this tenant from a
/// group of another tenant (CTS-63). Its members are the accounts standing for the source
/// group's members that are in scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncedGroup {
    /// `displayName` (Entra allows duplicates; scenarios find synced groups by it after the
    /// tenant's own groups).
    pub name: Box<str>,
    /// `description`, as written or as a target administrator edited it (CTS-65).
    pub description: Option<Box<str>>,
    /// The configuration that created it.
    pub config: ConfigIdx,
    /// The tenant its source group lives in.
    pub source: TenantIdx,
    /// The source group.
    pub source_group: GroupIdx,
    /// The source group's version at the last write.
    pub written_version: u32,
    /// Member accounts (indexes into the externals), sorted.
    pub members: Vec<u32>,
    /// Deleted by a cycle: security groups are deleted permanently (a tombstone keeps indexes).
    pub deleted: bool,
}

/// The values a mapping can read of one user, at one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// `userPrincipalName`.
    pub upn: Box<str>,
    /// Attribute values.
    pub attrs: [Sym; ATTR_COUNT],
    /// `manager`.
    pub manager: Option<UserIdx>,
    /// `userType`.
    pub user_type: UserType,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// Sparse properties.
    pub extra: Option<Box<crate::extra::Extra>>,
}

/// A user's values at one version, borrowed from the user (its current version) or from the
/// directory's history.
#[derive(Clone, Copy, Debug)]
pub struct Values<'a> {
    /// `userPrincipalName`.
    pub upn: &'a str,
    /// Attribute values.
    pub attrs: &'a [Sym; ATTR_COUNT],
    /// `manager`.
    pub manager: Option<UserIdx>,
    /// `userType`.
    pub user_type: UserType,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// Sparse properties.
    pub extra: Option<&'a crate::extra::Extra>,
}

impl<'a> Values<'a> {
    /// The values of sparse property `p` (empty for null).
    pub fn extra(&self, p: &crate::extra::ExtraProp) -> &'a [Box<str>] {
        self.extra.map_or(&[], |e| e.get(p))
    }

    /// The value of `a`.
    pub fn attr(&self, a: Attr) -> Sym {
        self.attrs[a as usize]
    }
    /// The text of `a` ("" for null), resolving the per-user markers against this version's UPN.
    pub fn text(&self, a: Attr, strings: &'a crate::strings::Interner) -> &'a str {
        match self.attr(a) {
            Sym::SAME_AS_UPN => self.upn,
            Sym::UPN_LOCAL_PART => self.upn.split('@').next().unwrap_or(""),
            v => strings.resolve(v),
        }
    }
}

/// Flags of an [`ExternalAccount`].
pub mod account_flags {
    /// `accountEnabled`.
    pub const ENABLED: u8 = 1;
    /// Soft-deleted (see the tenant's deletion times for when).
    pub const SOFT_DELETED: u8 = 2;
    /// Created by cross-tenant synchronization (otherwise by an invitation).
    pub const BY_SYNC: u8 = 4;
    /// Soft-deleted by synchronization (so a later cycle may restore it, CTS-46), as opposed
    /// to by a target administrator (CTS-47).
    pub const SYNC_DELETED: u8 = 8;
    /// Hard-deleted (purged) 30 days after a soft delete (CTS-46): a tombstone only.
    pub const PURGED: u8 = 16;
    /// An invitation not yet redeemed (`externalUserState` PendingAcceptance, CTS-31).
    pub const PENDING_ACCEPTANCE: u8 = 32;
    /// The account shows only its stored values (an invitation's, or values frozen when its
    /// configuration's mappings changed), not values derived from its home user's version.
    pub const FROZEN: u8 = 64;
}

/// `ExternalAccount::config` of an account no configuration provisioned (an invitation).
pub const NO_CONFIG: ConfigIdx = ConfigIdx(u32::MAX);

/// An external account in this tenant that stands for a user of another tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExternalAccount {
    /// The home user, in `source_tenant`'s directory.
    pub source_user: UserIdx,
    /// The configuration that last provisioned it (`u32::MAX` for an invited account).
    pub config: ConfigIdx,
    /// The home tenant.
    pub source_tenant: TenantIdx,
    /// `userType`.
    pub user_type: UserType,
    /// See [`account_flags`].
    pub flags: u8,
    /// `createdDateTime`.
    pub created_at: SimTime,
    /// The home user's version whose values the account shows: written when a cycle (or
    /// on-demand provisioning, or an invitation) last processed it.
    pub version: u32,
}

/// What an external account holds besides its attribute values (sparse: most hold nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountExtra {
    /// `manager`: the account in this tenant a cycle resolved the home user's manager to
    /// (both in scope, CTS-37); kept when the source manager is removed.
    pub manager: Option<u32>,
    /// `showInAddressList` as last written, when the mapping no longer derives it (the
    /// mapping was changed or deleted after the write).
    pub show_in_address_list: Option<bool>,
    /// Sparse properties a mapping wrote (directory extensions, `extensionAttributeN`, ...).
    pub values: Vec<(crate::extra::ExtraProp, Box<str>)>,
}

impl AccountExtra {
    fn is_empty(&self) -> bool {
        self.manager.is_none() && self.show_in_address_list.is_none() && self.values.is_empty()
    }
}

impl ExternalAccount {
    /// Whether the account is soft-deleted.
    pub fn is_soft_deleted(&self) -> bool {
        self.flags & account_flags::SOFT_DELETED != 0
    }
    /// Whether the account was purged (a tombstone).
    pub fn is_purged(&self) -> bool {
        self.flags & account_flags::PURGED != 0
    }
    /// Whether sign-in is enabled.
    pub fn is_enabled(&self) -> bool {
        self.flags & account_flags::ENABLED != 0
    }
}

/// Marker for "no account" in the dense per-source tables.
pub const NO_ACCOUNT: u32 = u32::MAX;

/// One tenant's directory.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// Users created in this tenant, in creation order; never removed (deletion is a flag), so
    /// indexes stay stable.
    users: Vec<User>,
    /// Groups, in creation order.
    groups: Vec<Group>,
    /// Groups cross-tenant synchronization created here, in creation order (CTS-63).
    synced_groups: Vec<SyncedGroup>,
    /// Users with SMS sign-in enabled, sorted: cross-tenant synchronization skips them (CTS-20).
    sms_sign_in: Vec<UserIdx>,
    /// Mail contacts (`orgContact`): display name and mail, by ASCII-lowercased mail (MTO-85).
    contacts: BTreeMap<Box<str>, Box<str>>,
    /// (hash of the lowercased UPN, user): looked up without allocating a lowercase copy.
    upn_index: hashbrown::HashTable<(u64, UserIdx)>,
    group_index: HashMap<Box<str>, GroupIdx>,
    /// External accounts that stand for users of other tenants.
    externals: Vec<ExternalAccount>,
    /// Per home tenant, per home user: the index into `externals` (or [`NO_ACCOUNT`]). This is
    /// the alternativeSecurityIds link of CTS-26: one person, one account per tenant. Indexed
    /// by the home tenant (`None` for one with no table yet): a lookup per account is an index,
    /// not a search of up to 499 tenants.
    by_source: Vec<Option<Vec<u32>>>,
    /// When each soft-deleted external account was deleted (CTS-46's 30 days).
    external_deleted_at: BTreeMap<u32, SimTime>,
    /// Purged external accounts (tombstones in `externals`).
    purged: u64,
    /// UPNs that differ from the CTS-30 form: invited guests keep the UPN of their invitation
    /// until a full cycle or on-demand provisioning rewrites it (CTS-31).
    upn_override: BTreeMap<u32, Box<str>>,
    /// Attribute values set on an external account by a target administrator, or kept when
    /// the source value became null: they persist until the source user changes (CTS-34,
    /// CTS-48).
    attr_override: BTreeMap<u32, Vec<(Attr, Sym)>>,
    /// What external accounts hold besides attribute values: the manager reference a cycle
    /// resolved (CTS-37), a `showInAddressList` kept after its mapping changed.
    account_extra: BTreeMap<u32, AccountExtra>,
    mail_index: HashMap<Sym, UserIdx>,
    /// Users created here whose UPN has the `#EXT#` form (imported B2B users): only then can a
    /// synchronized account's UPN collide with a user object (CTS-32).
    ext_form_users: u32,
    /// How many users created here are soft-deleted: with none, the `n`-th listed user is the
    /// `n`-th created (a page deep into the directory starts there without a scan).
    deleted_users: u32,
    /// Append-only change log of users whose attributes, state or group membership changed:
    /// the delta that incremental sync cycles read (CTS-41).
    changes: Vec<UserIdx>,
    /// The values users had at earlier versions (see [`User::version`]): what accounts written
    /// from those versions still show.
    history: HashMap<(UserIdx, u32), Box<Snapshot>>,
    /// Former UPNs (ASCII-lowercased) of renamed users, so accounts written before a rename
    /// are still found by the `#EXT#` UPN they show.
    former_upns: HashMap<Box<str>, UserIdx>,
    /// The world's seed and the tenant's name, from which object ids are derived (rules read
    /// `objectId`, `memberOf` and direct reports by id).
    identity: (u64, Box<str>),
    /// Object ids and creation times an import gave (Graph exports keep the customer's own).
    given: GivenIds,
}

/// Object ids and creation times an importer gave, instead of the ones derived from the seed
/// (sparse: a world built from a scenario file has none).
#[derive(Clone, Debug, Default)]
struct GivenIds {
    /// Users' object ids.
    users: BTreeMap<u32, crate::ids::Guid>,
    /// Users' `createdDateTime`.
    user_created: BTreeMap<u32, SimTime>,
    /// Groups' object ids.
    groups: BTreeMap<u32, crate::ids::Guid>,
    /// External accounts' object ids.
    accounts: BTreeMap<u32, crate::ids::Guid>,
    /// Synced groups' object ids.
    synced_groups: BTreeMap<u32, crate::ids::Guid>,
}

/// Which kind of directory object an imported id belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// A user created in the tenant.
    User,
    /// A group of the tenant.
    Group,
    /// An external account standing for another tenant's user.
    Account,
    /// A group cross-tenant synchronization created.
    SyncedGroup,
}

/// The dense per-source account table for `source` in `by_source`, grown to cover `users`
/// home users.
fn grown_table(by_source: &mut Vec<Option<Vec<u32>>>, source: TenantIdx, users: usize) -> &mut Vec<u32> {
    if by_source.len() <= source.ix() {
        by_source.resize(source.ix() + 1, None);
    }
    let t = by_source[source.ix()].get_or_insert_with(Vec::new);
    if t.len() < users {
        t.resize(users, NO_ACCOUNT);
    }
    t
}

impl Directory {
    /// Sets the seed and tenant name object ids derive from (the builder does, once).
    pub fn set_identity(&mut self, seed: u64, tenant: &str) {
        self.identity = (seed, tenant.into());
    }

    /// Gives object `i` of `kind` the id an import read (it keeps the customer's own).
    pub fn set_given_id(&mut self, kind: ObjectKind, i: u32, id: crate::ids::Guid) {
        let map = match kind {
            ObjectKind::User => &mut self.given.users,
            ObjectKind::Group => &mut self.given.groups,
            ObjectKind::Account => &mut self.given.accounts,
            ObjectKind::SyncedGroup => &mut self.given.synced_groups,
        };
        map.insert(i, id);
    }

    /// The id an import gave object `i` of `kind`, if any.
    pub fn given_id(&self, kind: ObjectKind, i: u32) -> Option<crate::ids::Guid> {
        let map = match kind {
            ObjectKind::User => &self.given.users,
            ObjectKind::Group => &self.given.groups,
            ObjectKind::Account => &self.given.accounts,
            ObjectKind::SyncedGroup => &self.given.synced_groups,
        };
        if map.is_empty() {
            return None;
        }
        map.get(&i).copied()
    }

    /// Gives user `u` the `createdDateTime` an import read.
    pub fn set_user_created(&mut self, u: UserIdx, at: SimTime) {
        self.given.user_created.insert(u.0, at);
    }

    /// The `createdDateTime` an import gave user `u`, if any.
    pub fn user_created(&self, u: UserIdx) -> Option<SimTime> {
        if self.given.user_created.is_empty() {
            return None;
        }
        self.given.user_created.get(&u.0).copied()
    }

    /// The object id of user `u` (`World::user_id`).
    pub fn user_object_id(&self, u: UserIdx) -> crate::ids::Guid {
        if let Some(id) = self.given_id(ObjectKind::User, u.0) {
            return id;
        }
        crate::ids::Guid::derive(
            self.identity.0,
            &[b"user", self.identity.1.as_bytes(), &u.0.to_le_bytes()],
        )
    }

    /// The object id of group `g` (`World::group_id`).
    pub fn group_object_id(&self, g: GroupIdx) -> crate::ids::Guid {
        if let Some(id) = self.given_id(ObjectKind::Group, g.0) {
            return id;
        }
        crate::ids::Guid::derive(
            self.identity.0,
            &[b"group", self.identity.1.as_bytes(), &g.0.to_le_bytes()],
        )
    }

    /// How many groups have a membership rule.
    pub fn dynamic_groups(&self) -> usize {
        self.groups.iter().filter(|g| g.rule.is_some()).count()
    }

    /// The work units one user's re-evaluation costs: the sum of its dynamic groups' rule costs
    /// ([`crate::membership::MembershipRule::cost`]).
    pub fn dynamic_cost(&self) -> u64 {
        self.groups
            .iter()
            .filter_map(|g| g.rule.as_ref())
            .map(|r| r.cost())
            .sum()
    }

    /// Users created in this tenant, in creation order (a user's index is its [`UserIdx`]).
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// How many of [`Self::users`] are soft-deleted.
    pub fn deleted_users(&self) -> usize {
        self.deleted_users as usize
    }

    /// The user at `u`.
    pub fn user(&self, u: UserIdx) -> &User {
        &self.users[u.ix()]
    }

    /// Groups, in creation order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// External accounts standing for users of other tenants, in creation order (purged ones
    /// stay as tombstones).
    pub fn externals(&self) -> &[ExternalAccount] {
        &self.externals
    }

    /// The append-only log of users whose attributes, state or group membership changed: the
    /// delta that incremental sync cycles read (CTS-41). Only the directory's mutators write it.
    pub fn changes(&self) -> &[UserIdx] {
        &self.changes
    }

    /// When soft-deleted external account `ai` was deleted, if it is.
    pub fn account_deleted_at(&self, ai: u32) -> Option<SimTime> {
        self.external_deleted_at.get(&ai).copied()
    }

    /// Purged external accounts.
    pub fn purged(&self) -> u64 {
        self.purged
    }

    /// The UPN of external account `ai` where it differs from the CTS-30 form (an unredeemed
    /// invitation's, CTS-31).
    pub fn upn_override(&self, ai: u32) -> Option<&str> {
        self.upn_override.get(&ai).map(|u| &**u)
    }

    /// Every external account whose UPN differs from the CTS-30 form, with that UPN.
    pub fn upn_overrides(&self) -> impl Iterator<Item = (u32, &str)> {
        self.upn_override.iter().map(|(&a, u)| (a, &**u))
    }

    /// Values a target administrator set on external account `ai` (CTS-48).
    pub fn account_edits(&self, ai: u32) -> Option<&[(Attr, Sym)]> {
        self.attr_override.get(&ai).map(Vec::as_slice)
    }

    /// Accounts that carry target-side edits.
    pub fn edited_accounts(&self) -> usize {
        self.attr_override.len()
    }

    /// Users created here whose UPN has the `#EXT#` form (imported B2B users).
    pub fn ext_form_users(&self) -> u32 {
        self.ext_form_users
    }

    /// Adds a user; refuses a UPN already present (case-insensitive).
    pub fn add_user(&mut self, user: User) -> Result<UserIdx, String> {
        let h = upn_hash(&user.upn);
        self.add_user_hashed(user, h)
    }

    /// Adds `users` in order, as [`Directory::add_user`] would one by one (their UPN hashes
    /// computed on both cores first, the records moved in at once); stops at the first whose
    /// UPN is taken, keeping those before it.
    pub fn add_users(&mut self, mut users: Vec<User>) -> Result<(), String> {
        let hashes = crate::par::map_ordered(&users, |u| upn_hash(&u.upn));
        self.reserve(users.len());
        let base = self.users.len();
        let mut result = Ok(());
        let mut n = 0;
        for (user, &h) in users.iter().zip(&hashes) {
            if let Err(e) = self.index_user(user, UserIdx((base + n) as u32), h, &users) {
                result = Err(e);
                break;
            }
            n += 1;
        }
        users.truncate(n);
        if self.users.is_empty() {
            self.users = users; // no copy
        } else {
            self.users.extend(users);
        }
        self.changes.extend((base..base + n).map(|i| UserIdx(i as u32)));
        result
    }

    fn add_user_hashed(&mut self, user: User, h: u64) -> Result<UserIdx, String> {
        let idx = UserIdx(self.users.len() as u32);
        self.index_user(&user, idx, h, &[])?;
        self.users.push(user);
        self.changes.push(idx);
        Ok(idx)
    }

    /// Indexes `user` as user `idx` (UPN hash `h`, `#EXT#` form, mail); `pending` are users
    /// being added in bulk after the directory's, not in it yet. Refuses a UPN already held.
    fn index_user(&mut self, user: &User, idx: UserIdx, h: u64, pending: &[User]) -> Result<(), String> {
        let (users, base) = (&self.users, self.users.len());
        let upn_of = |u: UserIdx| match u.ix().checked_sub(base) {
            None => &users[u.ix()].upn,
            Some(k) => &pending[k].upn,
        };
        // one probe both checks uniqueness and finds the slot
        match self.upn_index.entry(
            h,
            |&(hh, u)| hh == h && upn_of(u).eq_ignore_ascii_case(&user.upn),
            |&(hh, _)| hh,
        ) {
            hashbrown::hash_table::Entry::Occupied(_) => {
                return Err(format!("a user with UPN {} already exists", user.upn));
            }
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert((h, idx));
            }
        }
        // a byte search first: the substring search's set-up is dearer than most UPNs
        if user.upn.as_bytes().contains(&b'#') && user.upn.contains("#EXT#") {
            self.ext_form_users += 1;
        }
        if user.deleted_at.is_some() {
            self.deleted_users += 1;
        }
        let mail = user.attr(Attr::Mail);
        if !mail.is_none() && !mail.is_marker() {
            self.mail_index.entry(mail).or_insert(idx);
        }
        Ok(())
    }

    fn find_upn(&self, h: u64, upn: &str) -> Option<UserIdx> {
        self.upn_index
            .find(h, |&(hh, u)| {
                hh == h && self.users[u.ix()].upn.eq_ignore_ascii_case(upn)
            })
            .map(|&(_, u)| u)
    }

    /// Sets internal user `u`'s `userType`, logging the change. Returns whether it changed.
    pub fn set_user_type(&mut self, u: UserIdx, ut: UserType) -> bool {
        let user = &mut self.users[u.ix()];
        if user.user_type == ut {
            return false;
        }
        user.user_type = ut;
        self.changes.push(u);
        true
    }

    /// Sets internal user `u`'s `accountEnabled`, logging the change. Returns whether it
    /// changed.
    pub fn set_enabled(&mut self, u: UserIdx, enabled: bool) -> bool {
        let user = &mut self.users[u.ix()];
        if user.account_enabled == enabled {
            return false;
        }
        user.account_enabled = enabled;
        self.changes.push(u);
        true
    }

    /// Soft-deletes internal user `u` at `at` (or restores it, with `None`), logging the change.
    pub fn set_deleted(&mut self, u: UserIdx, at: Option<SimTime>) {
        let was = self.users[u.ix()].deleted_at.is_some();
        match (was, at.is_some()) {
            (false, true) => self.deleted_users += 1,
            (true, false) => self.deleted_users -= 1,
            _ => {}
        }
        self.users[u.ix()].deleted_at = at.into();
        self.changes.push(u);
    }

    /// Adds a dynamic group whose members, already evaluated, follow `rule`.
    pub fn add_dynamic_group(
        &mut self,
        name: &str,
        members: Vec<UserIdx>,
        rule: crate::membership::MembershipRule,
    ) -> Result<GroupIdx, String> {
        let g = self.add_group(name, members)?;
        self.groups[g.ix()].rule = Some(rule);
        Ok(g)
    }

    /// Re-evaluates every dynamic group for user `u` after it changed (CTS-15), logging `u`
    /// when its membership changed.
    pub fn refresh_dynamic(&mut self, u: UserIdx, strings: &crate::strings::Interner, now: SimTime) {
        let deleted = self.users[u.ix()].deleted_at.is_some();
        // evaluated against the memberships as they were before this refresh (memberOf)
        let wants: Vec<(usize, bool)> = {
            let view = SourceUser {
                now: now.0,
                ..SourceUser::new(self, u, strings)
            };
            self.groups
                .iter()
                .enumerate()
                .filter_map(|(i, g)| g.rule.as_ref().map(|r| (i, !deleted && r.matches(&view))))
                .collect()
        };
        let mut changed = false;
        for (i, want) in wants {
            let g = &mut self.groups[i];
            match (g.members.binary_search(&u), want) {
                (Ok(i), false) => {
                    g.members.remove(i);
                    g.version += 1;
                    changed = true;
                }
                (Err(i), true) => {
                    g.members.insert(i, u);
                    g.version += 1;
                    changed = true;
                }
                _ => {}
            }
        }
        if changed {
            self.changes.push(u);
        }
    }

    /// External account `ai`, mutably: accounts are never a sync source, so their changes are
    /// not logged.
    pub fn account_mut(&mut self, ai: u32) -> &mut ExternalAccount {
        &mut self.externals[ai as usize]
    }

    /// Every external account, mutably.
    pub fn externals_mut(&mut self) -> &mut [ExternalAccount] {
        &mut self.externals
    }

    /// Soft-deletes external account `ai` at `now`: by synchronization (a later cycle may
    /// restore it, CTS-46) or by a target administrator (CTS-47).
    pub fn soft_delete_account(&mut self, ai: u32, now: SimTime, by_sync: bool) {
        let a = &mut self.externals[ai as usize];
        a.flags |= account_flags::SOFT_DELETED;
        if by_sync {
            a.flags |= account_flags::SYNC_DELETED;
        } else {
            a.flags &= !account_flags::SYNC_DELETED;
        }
        self.external_deleted_at.insert(ai, now);
    }

    /// Unlinks external account `ai` from its home user (the account stays, soft-deleted): the
    /// next cycle that evaluates the home user in scope creates a new account (CTS-49).
    pub fn unlink_account(&mut self, ai: u32) {
        let a = &self.externals[ai as usize];
        let (src, user) = (a.source_tenant, a.source_user);
        if let Some(t) = self.source_table_get_mut(src) {
            if t.get(user.ix()) == Some(&ai) {
                t[user.ix()] = NO_ACCOUNT;
            }
        }
    }

    /// Sets or clears an invitation's pending acceptance (`externalUserState`, CTS-31, MTO-83).
    pub fn set_pending_acceptance(&mut self, ai: u32, pending: bool) {
        let a = &mut self.externals[ai as usize];
        if pending {
            a.flags |= account_flags::PENDING_ACCEPTANCE;
        } else {
            a.flags &= !account_flags::PENDING_ACCEPTANCE;
        }
    }

    /// Restores soft-deleted external account `ai`.
    pub fn restore_account(&mut self, ai: u32) {
        let a = &mut self.externals[ai as usize];
        a.flags &= !(account_flags::SOFT_DELETED | account_flags::SYNC_DELETED);
        self.external_deleted_at.remove(&ai);
    }

    /// Gives external account `ai` a UPN of its own (an invitation's, CTS-31).
    pub fn set_upn_override(&mut self, ai: u32, upn: &str) {
        self.upn_override.insert(ai, upn.into());
    }

    /// Drops external account `ai`'s own UPN: it takes the CTS-30 form.
    pub fn clear_upn_override(&mut self, ai: u32) {
        self.upn_override.remove(&ai);
    }

    /// Replaces every stored value of external account `ai`: the values it shows that its
    /// mapping does not derive from its home user's version (target-side edits, values kept
    /// when the source became null, values written only at creation, stored results).
    pub fn set_account_values(&mut self, ai: u32, values: Vec<(Attr, Sym)>) {
        if values.is_empty() {
            self.attr_override.remove(&ai);
        } else {
            self.attr_override.insert(ai, values);
        }
    }

    /// Keeps `v` as external account `ai`'s value of `a` unless it already stores one (its
    /// mapping changes: what it showed stays until a cycle writes it again).
    pub fn keep_account_value(&mut self, ai: u32, a: Attr, v: Sym) {
        let over = self.attr_override.entry(ai).or_default();
        if !over.iter().any(|(x, _)| *x == a) {
            over.push((a, v));
        }
    }

    /// What external account `ai` holds besides attribute values.
    pub fn account_extra(&self, ai: u32) -> Option<&AccountExtra> {
        self.account_extra.get(&ai)
    }

    /// Changes what external account `ai` holds besides attribute values.
    pub fn update_account_extra(&mut self, ai: u32, f: impl FnOnce(&mut AccountExtra)) {
        let e = self.account_extra.entry(ai).or_default();
        f(e);
        if e.is_empty() {
            self.account_extra.remove(&ai);
        }
    }

    /// Records a target administrator's edit of external account `ai` (CTS-48).
    pub fn edit_account(&mut self, ai: u32, a: Attr, v: Sym) {
        let over = self.attr_override.entry(ai).or_default();
        over.retain(|(x, _)| *x != a);
        over.push((a, v));
    }

    /// Drops every target-side edit of external account `ai`; returns whether there was one.
    pub fn clear_account_edits(&mut self, ai: u32) -> bool {
        self.attr_override.remove(&ai).is_some()
    }

    /// User `u`, mutably, bypassing the change log (unit tests' set-up only).
    #[cfg(test)]
    pub(crate) fn user_mut(&mut self, u: UserIdx) -> &mut User {
        &mut self.users[u.ix()]
    }

    /// Logs user `u` as changed without changing it (unit tests only).
    #[cfg(test)]
    pub(crate) fn log_change(&mut self, u: UserIdx) {
        self.changes.push(u);
    }

    /// Appends an account without linking it (unit tests that tamper with a state only).
    #[cfg(test)]
    pub(crate) fn push_external_raw(&mut self, acc: ExternalAccount) {
        self.externals.push(acc);
    }

    /// Makes room for `users` more users.
    pub fn reserve(&mut self, users: usize) {
        self.users.reserve(users);
        self.changes.reserve(users);
        self.upn_index.reserve(users, |&(hh, _)| hh);
    }

    /// Finds a user by UPN (case-insensitive).
    pub fn user_by_upn(&self, upn: &str) -> Option<UserIdx> {
        self.find_upn(upn_hash(upn), upn)
    }

    /// Whether any user of this directory has a `mail` of its own (not a marker).
    pub fn has_mail_index(&self) -> bool {
        !self.mail_index.is_empty()
    }

    /// A user whose `mail` is the interned value `mail`, if any.
    pub fn user_by_mail(&self, mail: Sym) -> Option<UserIdx> {
        self.mail_index.get(&mail).copied()
    }

    /// Keeps user `u`'s current values as its current version's snapshot and starts a new
    /// version: called by every mutator before it changes what a mapping reads.
    fn new_version(&mut self, u: UserIdx) {
        let user = &mut self.users[u.ix()];
        let snap = Snapshot {
            upn: user.upn.clone(),
            attrs: user.attrs,
            manager: user.manager,
            user_type: user.user_type,
            account_enabled: user.account_enabled,
            extra: user.extra.clone(),
        };
        self.history.insert((u, user.version), Box::new(snap));
        user.version += 1;
    }

    /// User `u`'s values at version `v` (its current values when `v` is its version, or an
    /// unknown one).
    pub fn values_at(&self, u: UserIdx, v: u32) -> Values<'_> {
        let user = &self.users[u.ix()];
        let old = if v == user.version {
            None
        } else {
            self.history.get(&(u, v))
        };
        match old {
            Some(s) => Values {
                upn: &s.upn,
                attrs: &s.attrs,
                manager: s.manager,
                user_type: s.user_type,
                account_enabled: s.account_enabled,
                extra: s.extra.as_deref(),
            },
            None => Values {
                upn: &user.upn,
                attrs: &user.attrs,
                manager: user.manager,
                user_type: user.user_type,
                account_enabled: user.account_enabled,
                extra: user.extra.as_deref(),
            },
        }
    }

    /// Changes internal user `u`'s attributes, sparse properties and `userType` as one new
    /// version, keeping the mail index and change log current. Returns whether anything
    /// changed.
    pub fn update_user(
        &mut self,
        u: UserIdx,
        attrs: &[(Attr, Sym)],
        extra: &[(crate::extra::ExtraProp, Vec<String>)],
        user_type: Option<UserType>,
    ) -> bool {
        let user = &self.users[u.ix()];
        let old_extra = |p: &crate::extra::ExtraProp| user.extra.as_ref().map_or(&[][..], |e| e.get(p));
        let changes = attrs.iter().any(|&(a, v)| user.attrs[a as usize] != v)
            || extra.iter().any(|(p, v)| {
                let old = old_extra(p);
                old.len() != v.len() || old.iter().zip(v).any(|(a, b)| **a != **b)
            })
            || user_type.is_some_and(|t| t != user.user_type);
        if !changes {
            return false;
        }
        self.new_version(u);
        if !extra.is_empty() {
            let user = &mut self.users[u.ix()];
            let mut e = user
                .extra
                .take()
                .map_or_else(crate::extra::Extra::default, |b| *b);
            e.set_all(extra);
            user.extra = (!e.is_empty()).then(|| Box::new(e));
        }
        for &(a, v) in attrs {
            let old = self.users[u.ix()].attrs[a as usize];
            if a == Attr::Mail && old != v {
                if self.mail_index.get(&old) == Some(&u) {
                    self.mail_index.remove(&old);
                }
                if !v.is_none() && !v.is_marker() {
                    self.mail_index.entry(v).or_insert(u);
                }
            }
            self.users[u.ix()].attrs[a as usize] = v;
        }
        if let Some(t) = user_type {
            self.users[u.ix()].user_type = t;
        }
        self.changes.push(u);
        true
    }

    /// Renames internal user `u` to `upn`; refuses a UPN another user has (case-insensitive).
    pub fn rename_user(&mut self, u: UserIdx, upn: &str) -> Result<(), String> {
        if self.users[u.ix()].upn.eq_ignore_ascii_case(upn) && *self.users[u.ix()].upn == *upn {
            return Ok(());
        }
        if self.user_by_upn(upn).is_some_and(|o| o != u) {
            return Err(format!("a user with UPN {upn} already exists"));
        }
        let old = self.users[u.ix()].upn.clone();
        let oh = upn_hash(&old);
        self.upn_index
            .find_entry(oh, |&(hh, x)| hh == oh && x == u)
            .map(|e| e.remove())
            .ok();
        self.new_version(u);
        self.former_upns.insert(old.to_ascii_lowercase().into(), u);
        let h = upn_hash(upn);
        self.upn_index.insert_unique(h, (h, u), |&(hh, _)| hh);
        let user = &mut self.users[u.ix()];
        user.upn = upn.into();
        if upn.contains("#EXT#") != old.contains("#EXT#") {
            if upn.contains("#EXT#") {
                self.ext_form_users += 1;
            } else {
                self.ext_form_users -= 1;
            }
        }
        self.changes.push(u);
        Ok(())
    }

    /// Sets internal user `u`'s manager, as a new version.
    pub fn set_manager(&mut self, u: UserIdx, manager: Option<UserIdx>) -> bool {
        if self.users[u.ix()].manager == manager {
            return false;
        }
        self.new_version(u);
        self.users[u.ix()].manager = manager;
        self.changes.push(u);
        true
    }

    /// The user that had UPN `upn` before a rename (case-insensitive), if any.
    pub fn user_by_former_upn(&self, upn: &str) -> Option<UserIdx> {
        self.former_upns.get(upn.to_ascii_lowercase().as_str()).copied()
    }

    /// Sets one attribute of internal user `u` (see [`Directory::update_user`]).
    pub fn set_attr(&mut self, u: UserIdx, a: Attr, v: Sym) {
        self.update_user(u, &[(a, v)], &[], None);
    }

    /// Replaces a group's static members, logging every user whose membership changed.
    pub fn set_members(&mut self, g: GroupIdx, mut members: Vec<UserIdx>) {
        members.sort_unstable();
        members.dedup();
        let old = std::mem::take(&mut self.groups[g.ix()].members);
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < members.len() {
            match (old.get(i), members.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a < b => {
                    self.changes.push(*a);
                    i += 1;
                }
                (Some(_), Some(b)) => {
                    self.changes.push(*b);
                    j += 1;
                }
                (Some(a), None) => {
                    self.changes.push(*a);
                    i += 1;
                }
                (None, Some(b)) => {
                    self.changes.push(*b);
                    j += 1;
                }
                (None, None) => unreachable!(),
            }
        }
        let gr = &mut self.groups[g.ix()];
        if gr.members != members {
            gr.version += 1;
        }
        gr.members = members;
    }

    /// Whether `upn` is already taken by a user of this directory.
    pub fn upn_taken(&self, upn: &str) -> bool {
        self.user_by_upn(upn).is_some()
    }

    /// Adds a group with static members; refuses a duplicate name.
    pub fn add_group(&mut self, name: &str, mut members: Vec<UserIdx>) -> Result<GroupIdx, String> {
        if self.group_index.contains_key(name) {
            return Err(format!("a group named \"{name}\" already exists"));
        }
        members.sort_unstable();
        members.dedup();
        let idx = GroupIdx(self.groups.len() as u32);
        self.group_index.insert(name.into(), idx);
        self.changes.extend_from_slice(&members);
        self.groups.push(Group::new(name, members));
        Ok(idx)
    }

    /// Finds a group by name.
    pub fn group_by_name(&self, name: &str) -> Option<GroupIdx> {
        self.group_index.get(name).copied()
    }

    /// Names of all groups, for "did you mean" suggestions.
    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().filter(|g| !g.deleted).map(|g| &*g.name)
    }

    /// The account standing for `(source, user)` here, if any.
    #[inline]
    pub fn account_of(&self, source: TenantIdx, user: UserIdx) -> Option<u32> {
        let t = self.source_table(source)?;
        match t.get(user.ix()) {
            Some(&a) if a != NO_ACCOUNT => Some(a),
            _ => None,
        }
    }

    /// The dense per-source table for `source`, grown to cover `users` home users.
    pub fn source_table_mut(&mut self, source: TenantIdx, users: usize) -> &mut Vec<u32> {
        grown_table(&mut self.by_source, source, users)
    }

    /// Makes room for `n` more external accounts.
    pub fn reserve_externals(&mut self, n: usize) {
        self.externals.reserve(n);
    }

    /// Adds an external account and links it to its home user.
    pub fn add_external(&mut self, acc: ExternalAccount, source_users: usize) -> u32 {
        let ai = self.externals.len() as u32;
        self.externals.push(acc);
        let t = self.source_table_mut(acc.source_tenant, source_users);
        t[acc.source_user.ix()] = ai;
        ai
    }

    /// Adds one external account per item of `items`, made by `account`, in the order of
    /// `items`, and links each to its home user: what [`Self::add_external`] does for each in
    /// turn, with the records written on both cores (a cycle's creates are mostly new memory).
    pub fn add_externals<T: Sync>(
        &mut self,
        items: &[T],
        account: impl Fn(&T) -> ExternalAccount + Sync + Send,
        source_users: usize,
    ) {
        let first = self.externals.len();
        crate::par::extend_ordered(&mut self.externals, items, account);
        for (k, a) in self.externals[first..].iter().enumerate() {
            let t = grown_table(&mut self.by_source, a.source_tenant, source_users);
            t[a.source_user.ix()] = (first + k) as u32;
        }
    }

    /// Number of directory objects counted against the quota (CTS-61): users, groups and
    /// external accounts, soft-deleted ones included until they are purged.
    pub fn object_count(&self) -> u64 {
        let synced = self.synced_groups.iter().filter(|g| !g.deleted).count();
        (self.users.len() + self.groups.len() + self.externals.len() + synced + self.contacts.len()) as u64
            - self.purged
    }

    /// Adds a mail contact; refuses a second contact with the same mail.
    pub fn add_contact(&mut self, display_name: &str, mail: &str) -> Result<(), String> {
        let key: Box<str> = mail.to_ascii_lowercase().into();
        if self.contacts.contains_key(&key) {
            return Err(format!("a contact with mail {mail} already exists"));
        }
        self.contacts.insert(key, display_name.into());
        Ok(())
    }

    /// Whether a mail contact has `mail` (case-insensitive).
    pub fn has_contact(&self, mail: &str) -> bool {
        !self.contacts.is_empty() && self.contacts.contains_key(mail.to_ascii_lowercase().as_str())
    }

    /// How many mail contacts there are.
    pub fn contact_count(&self) -> usize {
        self.contacts.len()
    }

    /// Whether user `u` has SMS sign-in enabled (CTS-20).
    pub fn has_sms_sign_in(&self, u: UserIdx) -> bool {
        !self.sms_sign_in.is_empty() && self.sms_sign_in.binary_search(&u).is_ok()
    }

    /// Enables SMS sign-in for user `u`.
    pub fn set_sms_sign_in(&mut self, u: UserIdx) {
        if let Err(i) = self.sms_sign_in.binary_search(&u) {
            self.sms_sign_in.insert(i, u);
            self.changes.push(u);
        }
    }

    /// Groups cross-tenant synchronization created here (deleted ones are tombstones).
    pub fn synced_groups(&self) -> &[SyncedGroup] {
        &self.synced_groups
    }

    /// The live group configuration `config` created here from `source`'s group `g`.
    pub fn synced_group_of(&self, config: ConfigIdx, g: GroupIdx) -> Option<usize> {
        self.synced_groups
            .iter()
            .position(|s| !s.deleted && s.config == config && s.source_group == g)
    }

    /// The live synced group named `name`, if any.
    pub fn synced_group_by_name(&self, name: &str) -> Option<usize> {
        self.synced_groups
            .iter()
            .position(|s| !s.deleted && &*s.name == name)
    }

    /// Adds a group that cross-tenant synchronization created; returns its index.
    pub fn add_synced_group(&mut self, g: SyncedGroup) -> usize {
        self.synced_groups.push(g);
        self.synced_groups.len() - 1
    }

    /// The synced group at `i`, mutably.
    pub fn synced_group_mut(&mut self, i: usize) -> &mut SyncedGroup {
        &mut self.synced_groups[i]
    }

    /// Deletes group `g` (Graph `DELETE /groups/{id}`): its members leave it (each queued for
    /// the next incremental cycle), its membership rule and nested groups go, and its name is
    /// free again. The group stays as a tombstone so that indexes stay stable.
    pub fn delete_group(&mut self, g: GroupIdx) {
        self.set_members(g, Vec::new());
        let gr = &mut self.groups[g.ix()];
        gr.rule = None;
        gr.member_groups.clear();
        gr.deleted = true;
        gr.version += 1;
        let name = gr.name.clone();
        if self.group_index.get(&name) == Some(&g) {
            self.group_index.remove(&name);
        }
        for other in &mut self.groups {
            other.member_groups.retain(|&n| n != g);
        }
    }

    /// Sets the description of this tenant's own group `g` (a source-side change: the group's
    /// version moves, CTS-65).
    pub fn set_group_description(&mut self, g: GroupIdx, description: Option<&str>) {
        let gr = &mut self.groups[g.ix()];
        gr.description = description.map(Into::into);
        gr.version += 1;
    }

    /// Sets the kind, role-assignability and nested member groups of group `g` (the builder).
    pub fn set_group_shape(
        &mut self,
        g: GroupIdx,
        kind: GroupKind,
        role_assignable: bool,
        nested: Vec<GroupIdx>,
    ) {
        let gr = &mut self.groups[g.ix()];
        gr.kind = kind;
        gr.role_assignable = role_assignable;
        gr.member_groups = nested;
    }

    /// Hard-deletes soft-deleted external account `ai` (CTS-46): unlinks it from its home
    /// user, so a later cycle would create a new account. Returns whether it was purged.
    pub fn purge_external(&mut self, ai: u32) -> bool {
        let a = &mut self.externals[ai as usize];
        if !a.is_soft_deleted() || a.flags & account_flags::PURGED != 0 {
            return false;
        }
        a.flags |= account_flags::PURGED;
        let (src, user) = (a.source_tenant, a.source_user);
        if let Some(t) = self.source_table_get_mut(src) {
            if t.get(user.ix()) == Some(&ai) {
                t[user.ix()] = NO_ACCOUNT;
            }
        }
        self.external_deleted_at.remove(&ai);
        self.purged += 1;
        true
    }

    /// Internal users (not external, not soft-deleted): what MTO-45's cap counts.
    pub fn internal_user_count(&self) -> u64 {
        self.users
            .iter()
            .filter(|u| !u.external && u.deleted_at.is_none())
            .count() as u64
    }

    /// Accounts here whose home is `source`, not soft-deleted.
    pub fn active_accounts_from(&self, source: TenantIdx) -> u64 {
        self.source_table(source).map_or(0, |t| {
            t.iter()
                .filter(|&&a| a != NO_ACCOUNT && !self.externals[a as usize].is_soft_deleted())
                .count() as u64
        })
    }

    /// Accounts here linked to users of `source` (one per home user at most).
    pub fn linked_accounts(&self, source: TenantIdx) -> impl Iterator<Item = u32> + '_ {
        self.source_table(source)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&a| a != NO_ACCOUNT)
    }

    /// Home tenants that have accounts here.
    pub fn source_tenants(&self) -> impl Iterator<Item = TenantIdx> + '_ {
        (self.by_source.iter().enumerate())
            .filter(|(_, t)| t.is_some())
            .map(|(i, _)| TenantIdx(i as u16))
    }

    #[inline]
    fn source_table(&self, source: TenantIdx) -> Option<&Vec<u32>> {
        self.by_source.get(source.ix())?.as_ref()
    }

    fn source_table_get_mut(&mut self, source: TenantIdx) -> Option<&mut Vec<u32>> {
        self.by_source.get_mut(source.ix())?.as_mut()
    }
}

/// A hash of the ASCII-lowercased UPN, computed without allocating: eight bytes at a time,
/// each word lowercased in one go (byte by byte it was 13 % of B1's time).
fn upn_hash(upn: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    let mut chunks = upn.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h.write_u64(lower8(u64::from_le_bytes(w)));
    }
    let rest = chunks.remainder();
    let mut w = [0u8; 8];
    w[..rest.len()].copy_from_slice(rest);
    h.write_u64(lower8(u64::from_le_bytes(w)));
    crate::hash::mix64(h.finish())
}

/// The eight bytes of `w` with ASCII `A`-`Z` lowercased and every other byte as it is.
fn lower8(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = w & !HIGH;
    // per byte, the high bit says: at least 'A', and above 'Z' (no carry crosses a byte:
    // each sum of a 7-bit value and a constant under 0x80 stays under 0x100)
    let ge_a = low7 + (0x80 - b'A' as u64) * ONES;
    let gt_z = low7 + (0x80 - b'Z' as u64 - 1) * ONES;
    let upper = ge_a & !gt_z & !w & HIGH;
    w | (upper >> 2)
}

/// Renders the UPN that CTS gives a synchronized account (CTS-30): the source UPN with `@`
/// replaced by `_`, then `#EXT#@` and the target's initial domain.
pub fn ext_upn(source_upn: &str, target_initial_domain: &str) -> String {
    let mut s = String::with_capacity(source_upn.len() + target_initial_domain.len() + 6);
    push_ext_upn(&mut s, source_upn, target_initial_domain);
    s
}

/// Appends the CTS-30 UPN to `out` without allocating a new string.
pub fn push_ext_upn(out: &mut String, source_upn: &str, target_initial_domain: &str) {
    for c in source_upn.chars() {
        out.push(if c == '@' { '_' } else { c });
    }
    out.push_str("#EXT#@");
    out.push_str(target_initial_domain);
}

impl Directory {
    /// The directory's time-free rendering for state fingerprints ([`crate::hash::Canonical`]):
    /// its sizes, every user changed since change-log position `since` (users unchanged since
    /// then are the same in every state that shares that start), group memberships, and the
    /// external accounts in a canonical order.
    pub fn canonical_since(&self, since: usize, strings: &crate::strings::Interner, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(
            out,
            "D users {} groups {} ext {} purged {} upn* {} attr* {}|",
            self.users.len(),
            self.groups.len(),
            self.externals.len(),
            self.purged,
            self.upn_override.len(),
            self.attr_override.len()
        );
        let mut changed: Vec<usize> = self.changes[since.min(self.changes.len())..]
            .iter()
            .map(|u| u.ix())
            .collect();
        changed.sort_unstable();
        changed.dedup();
        for u in changed {
            let user = &self.users[u];
            let _ = write!(
                out,
                "U{u} {} {:?} {} {} {}",
                user.upn,
                user.user_type,
                user.account_enabled,
                user.external,
                user.deleted_at.is_some()
            );
            for a in user.attrs {
                let _ = write!(out, ",{}", strings.resolve(a));
            }
            out.push('|');
        }
        for (g, group) in self.groups.iter().enumerate() {
            let _ = write!(
                out,
                "G{g} {:?}|",
                group.members.iter().map(|m| m.ix()).collect::<Vec<_>>()
            );
        }
        let mut ext: Vec<(u16, usize, u32, String, u8)> = self
            .externals
            .iter()
            .map(|a| {
                (
                    a.source_tenant.0,
                    a.source_user.ix(),
                    a.config.0,
                    format!("{:?}", a.user_type),
                    a.flags,
                )
            })
            .collect();
        ext.sort();
        let _ = write!(out, "X{ext:?}|");
    }
}

/// A stored user seen through [`crate::membership::UserView`], for membership rules and scoping filters.
pub struct SourceUser<'a> {
    /// The user.
    pub user: &'a crate::user::User,
    /// Its index in `dir`.
    pub idx: crate::ids::UserIdx,
    /// Its directory (object ids, groups, the manager).
    pub dir: &'a Directory,
    /// The world's interner.
    pub strings: &'a crate::strings::Interner,
    /// The simulated time `system.now` reads, in seconds since the epoch ([`SourceUser::new`]
    /// sets 0; set it to the world's clock for rules on `employeeHireDate`).
    pub now: i64,
}

impl<'a> SourceUser<'a> {
    /// User `u` of `dir`, at time 0.
    pub fn new(dir: &'a Directory, u: crate::ids::UserIdx, strings: &'a crate::strings::Interner) -> Self {
        SourceUser {
            user: dir.user(u),
            idx: u,
            dir,
            strings,
            now: 0,
        }
    }

    /// The values of sparse property `p` (empty for null).
    fn extra(&self, p: &crate::extra::ExtraProp) -> &'a [Box<str>] {
        self.user.extra.as_deref().map_or(&[], |e| e.get(p))
    }
}

impl crate::membership::UserView for SourceUser<'_> {
    fn get(&self, p: &Property) -> Option<std::borrow::Cow<'_, str>> {
        match p {
            Property::Attr(a) => {
                let v = self.user.text(*a, self.strings);
                (!v.is_empty()).then_some(std::borrow::Cow::Borrowed(v))
            }
            Property::UserPrincipalName => Some(std::borrow::Cow::Borrowed(&self.user.upn)),
            Property::UserType => Some(std::borrow::Cow::Borrowed(self.user.user_type.as_str())),
            Property::AccountEnabled => Some(std::borrow::Cow::Borrowed(if self.user.account_enabled {
                "true"
            } else {
                "false"
            })),
            Property::ObjectId => Some(std::borrow::Cow::Owned(
                self.dir.user_object_id(self.idx).to_string(),
            )),
            Property::Extra(x) => self.extra(x).first().map(|v| std::borrow::Cow::Borrowed(&**v)),
            Property::MemberOf | Property::AssignedPlans => None,
        }
    }

    fn values(&self, p: &Property) -> Vec<std::borrow::Cow<'_, str>> {
        match p {
            Property::Extra(x) => self
                .extra(x)
                .iter()
                .map(|v| std::borrow::Cow::Borrowed(&**v))
                .collect(),
            Property::MemberOf => self
                .dir
                .groups()
                .iter()
                .enumerate()
                .filter(|(_, g)| g.members.binary_search(&self.idx).is_ok())
                .map(|(i, _)| {
                    let g = crate::ids::GroupIdx(i as u32);
                    std::borrow::Cow::Owned(self.dir.group_object_id(g).to_string())
                })
                .collect(),
            Property::AssignedPlans => Vec::new(),
            p => self.get(p).into_iter().collect(),
        }
    }

    fn manager_id(&self) -> Option<String> {
        self.user.manager.map(|m| self.dir.user_object_id(m).to_string())
    }

    fn now(&self) -> i64 {
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(upn: &str) -> User {
        User {
            extra: None,
            upn: upn.into(),
            attrs: [Sym::NONE; ATTR_COUNT],
            user_type: UserType::Member,
            account_enabled: true,
            external: false,
            deleted_at: crate::user::DeletedAt::NONE,
            manager: None,
            version: 0,
        }
    }

    #[test]
    fn cts_30_ext_upn_matches_documented_examples() {
        assert_eq!(
            ext_upn("user.upn@otherdomain.com", "contoso.onmicrosoft.com"),
            "user.upn_otherdomain.com#EXT#@contoso.onmicrosoft.com"
        );
        assert_eq!(
            ext_upn("martin.strnad@strnaddevsro.cz", "martinstrnad.onmicrosoft.com"),
            "martin.strnad_strnaddevsro.cz#EXT#@martinstrnad.onmicrosoft.com"
        );
    }

    #[test]
    fn upns_are_unique_case_insensitively() {
        let mut d = Directory::default();
        let a = d.add_user(user("Alex.Wilber@contoso.com")).unwrap();
        assert!(d.add_user(user("alex.wilber@CONTOSO.com")).is_err());
        assert_eq!(d.user_by_upn("ALEX.WILBER@contoso.com"), Some(a));
        assert_eq!(d.user_by_upn("alex.wilber@contoso.com"), Some(a));
        assert_eq!(d.changes, vec![a]);
    }

    #[test]
    fn word_lowercasing_matches_byte_lowercasing_for_every_byte() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let w = u64::from(b) << (pos * 8) | 0x4100_7a5b_405a_6141 & !(0xff << (pos * 8));
                let want = u64::from_le_bytes(w.to_le_bytes().map(|x| x.to_ascii_lowercase()));
                assert_eq!(lower8(w), want, "byte {b:#x} at {pos}");
            }
        }
        assert_eq!(upn_hash("Ab.Cd@Contoso.COM"), upn_hash("ab.cd@contoso.com"));
        assert_ne!(upn_hash("ab.cd@contoso.com"), upn_hash("ab.ce@contoso.com"));
    }

    #[test]
    fn bulk_adds_match_one_by_one_and_stop_at_a_taken_upn() {
        let mut d = Directory::default();
        d.add_user(user("a@x.com")).unwrap();
        d.add_users(vec![user("b@x.com"), user("c@x.com")]).unwrap();
        let e = d.add_users(vec![user("d@x.com"), user("B@X.com"), user("e@x.com")]);
        assert_eq!(e, Err("a user with UPN B@X.com already exists".to_string()));
        let e = d.add_users(vec![user("f@x.com"), user("F@x.com")]);
        assert!(e.is_err(), "a duplicate within one batch");
        let upns: Vec<&str> = d.users().iter().map(|u| &*u.upn).collect();
        assert_eq!(upns, ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "f@x.com"]);
        assert_eq!(d.changes.len(), 5);
        assert_eq!(d.user_by_upn("D@x.com"), Some(UserIdx(3)));
        assert_eq!(d.user_by_upn("e@x.com"), None);
    }

    #[test]
    fn groups_keep_direct_members_sorted_and_unique() {
        let mut d = Directory::default();
        let a = d.add_user(user("a@x.com")).unwrap();
        let b = d.add_user(user("b@x.com")).unwrap();
        let g = d.add_group("G", vec![b, a, b]).unwrap();
        assert_eq!(d.groups[g.ix()].members, vec![a, b]);
        assert!(d.add_group("G", vec![]).is_err());
    }

    #[test]
    fn external_accounts_link_one_per_home_user() {
        let mut d = Directory::default();
        let acc = ExternalAccount {
            source_user: UserIdx(3),
            config: ConfigIdx(0),
            source_tenant: TenantIdx(1),
            user_type: UserType::Member,
            flags: account_flags::ENABLED | account_flags::BY_SYNC,
            created_at: SimTime(0),
            version: 0,
        };
        let ai = d.add_external(acc, 10);
        assert_eq!(d.account_of(TenantIdx(1), UserIdx(3)), Some(ai));
        assert_eq!(d.account_of(TenantIdx(1), UserIdx(4)), None);
        assert_eq!(d.account_of(TenantIdx(2), UserIdx(3)), None);
        assert_eq!(d.active_accounts_from(TenantIdx(1)), 1);
        assert!(std::mem::size_of::<ExternalAccount>() <= 24);
    }
}
