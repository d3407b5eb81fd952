//! The checks of `expect` steps, evaluated against what the viewing tenant sees: each gives a
//! typed [`Fact`] when it holds, or a [`CheckFailure`] saying what was expected and what was
//! seen. Their `Display` is the scenario contract's wording.

use crate::model::{Check, StateCheck};
use mtosim_engine::directory::Attr;
use mtosim_engine::mto::MemberState;
use mtosim_engine::{TenantIdx, World};
use std::fmt;

/// What a check looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The viewer's MTO state.
    MtoState,
    /// Active tenants in the viewer's MTO.
    MtoTenants,
    /// A listed tenant's state.
    MemberState(String),
    /// A listed tenant's role.
    MemberRole(String),
    /// Accounts in the viewer synchronized from a tenant.
    SyncedFrom(String),
    /// An account's `userType`.
    UserType(String),
    /// An account's `accountEnabled`.
    UserEnabled(String),
    /// An account's attribute.
    UserAttr(String, Attr),
    /// An account's manager.
    UserManager(String),
    /// An account's sparse property, by name.
    UserExtra(String, String),
    /// A configuration's job status.
    SyncStatus(String),
    /// The join request's `transitionDetails.status`.
    JoinStatus,
    /// The join request's `memberState`.
    JoinMemberState,
    /// The join request's `role`.
    JoinRole,
    /// The join request's `addedByTenantId`.
    JoinAddedBy,
    /// A value of the viewer's partner configuration for a tenant, by scenario key.
    Partner(String, &'static str),
    /// A group's members, by userPrincipalName.
    GroupMembers(String),
    /// B2B users of the viewer that are MTO members (MTO-33).
    MtoMembers,
    /// A group's description.
    GroupDescription(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::MtoState => f.write_str("MTO state"),
            Subject::MtoTenants => f.write_str("active tenants in the MTO"),
            Subject::MemberState(t) => write!(f, "member {t} state"),
            Subject::MemberRole(t) => write!(f, "member {t} role"),
            Subject::SyncedFrom(t) => write!(f, "accounts synced from {t}"),
            Subject::UserType(u) => write!(f, "{u} userType"),
            Subject::UserEnabled(u) => write!(f, "{u} accountEnabled"),
            Subject::UserAttr(u, a) => write!(f, "{u} {}", a.graph_name()),
            Subject::UserManager(u) => write!(f, "{u} manager"),
            Subject::UserExtra(u, p) => write!(f, "{u} {p}"),
            Subject::SyncStatus(n) => write!(f, "sync {n} status"),
            Subject::GroupMembers(g) => write!(f, "group {g} members"),
            Subject::MtoMembers => f.write_str("B2B users that are MTO members"),
            Subject::GroupDescription(g) => write!(f, "group {g} description"),
            Subject::JoinStatus => f.write_str("join request status"),
            Subject::JoinMemberState => f.write_str("join request memberState"),
            Subject::JoinRole => f.write_str("join request role"),
            Subject::JoinAddedBy => f.write_str("join request addedBy"),
            Subject::Partner(t, k) => write!(f, "partner {t} {k}"),
        }
    }
}

/// What a check that held saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// One value, as expected.
    Is {
        /// What.
        what: Subject,
        /// Its value.
        value: String,
    },
    /// A listed tenant's state and role (`state` is `absent` when it is not listed).
    Member {
        /// The tenant's name.
        tenant: String,
        /// Its state.
        state: &'static str,
        /// Its role, when listed.
        role: Option<&'static str>,
    },
    /// An active account exists.
    User {
        /// Its UPN.
        upn: String,
        /// Its `userType`.
        user_type: &'static str,
        /// Its `accountEnabled`.
        enabled: bool,
        /// The attribute values checked: (name, value).
        attrs: Vec<(String, String)>,
    },
    /// No active account has this UPN.
    NoUser(String),
    /// A group exists, with this many members.
    Group {
        /// Its name.
        name: String,
        /// How many direct members it has.
        members: usize,
    },
    /// No group has this name.
    NoGroup(String),
    /// A configuration exists.
    Sync {
        /// Its name.
        name: String,
        /// Its job status.
        status: &'static str,
    },
    /// The join request record.
    JoinRequest {
        /// `transitionDetails.status`, or `none`.
        status: &'static str,
        /// `memberState`, or `none`.
        member_state: &'static str,
        /// `role`, or `none`.
        role: &'static str,
    },
    /// A partner configuration and the values checked.
    Partner {
        /// The partner's name.
        tenant: String,
        /// The values checked, by scenario key.
        shown: Vec<(&'static str, bool)>,
    },
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fact::Is { what, value } => write!(f, "{what} = {value}"),
            Fact::Member { tenant, state, role } => {
                write!(f, "member {tenant} is {state}")?;
                match role {
                    Some(r) => write!(f, ", role {r}"),
                    None => Ok(()),
                }
            }
            Fact::User {
                upn,
                user_type,
                enabled,
                attrs,
            } => {
                write!(f, "{upn} exists, userType {user_type}, accountEnabled {enabled}")?;
                for (name, value) in attrs {
                    write!(f, ", {name} {value:?}")?;
                }
                Ok(())
            }
            Fact::NoUser(upn) => write!(f, "no active account {upn}"),
            Fact::Group { name, members } => write!(f, "group {name} exists with {members} members"),
            Fact::NoGroup(name) => write!(f, "no group {name}"),
            Fact::Sync { name, status } => write!(f, "sync {name} exists, status {status}"),
            Fact::JoinRequest {
                status,
                member_state,
                role,
            } => write!(
                f,
                "join request: status {status}, memberState {member_state}, role {role}"
            ),
            Fact::Partner { tenant, shown } if shown.is_empty() => {
                write!(f, "partner {tenant}: exists")
            }
            Fact::Partner { tenant, shown } => {
                write!(f, "partner {tenant}: ")?;
                for (i, (k, v)) in shown.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} {v}")?;
                }
                Ok(())
            }
        }
    }
}

/// How a check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckFailure {
    /// A value differs.
    Mismatch {
        /// What.
        what: Subject,
        /// The value the check asked for.
        want: String,
        /// The value seen.
        got: String,
        /// Why it may differ for now: a join or removal still pending, and when it completes.
        pending: Option<String>,
    },
    /// `user`: no active account has the UPN.
    UserMissing(String),
    /// `no_user`: an active account has the UPN.
    UserPresent(String),
    /// `group`: no group has the name.
    GroupMissing(String),
    /// `no_group`: a group has the name.
    GroupPresent(String),
    /// `sync`: the viewer has no live configuration of that name.
    NoSuchSync {
        /// The name checked.
        name: String,
        /// The viewer's name.
        tenant: String,
    },
    /// `partner`: the viewer has no partner configuration for the tenant.
    NoPartner {
        /// The partner's name.
        partner: String,
        /// The viewer's name.
        tenant: String,
    },
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckFailure::Mismatch {
                what,
                want,
                got,
                pending,
            } => {
                write!(f, "{what}: expected {want}, actual {got}")?;
                match pending {
                    Some(p) => write!(f, " ({p})"),
                    None => Ok(()),
                }
            }
            CheckFailure::UserMissing(upn) => write!(
                f,
                "user {upn}: expected to exist, but there is no active account with that UPN"
            ),
            CheckFailure::UserPresent(upn) => {
                write!(f, "no_user {upn}: expected no active account, but one exists")
            }
            CheckFailure::GroupMissing(g) => write!(
                f,
                "group {g}: expected to exist, but there is no group with that name"
            ),
            CheckFailure::GroupPresent(g) => write!(f, "no_group {g}: expected no group, but one exists"),
            CheckFailure::NoSuchSync { name, tenant } => {
                write!(f, "sync {name}: no such configuration in {tenant}")
            }
            CheckFailure::NoPartner { partner, tenant } => write!(
                f,
                "partner {partner}: {tenant} has no partner configuration for it"
            ),
        }
    }
}

/// `Ok` with the value when `want == got`, else the mismatch.
fn same(what: Subject, want: String, got: String) -> Result<Fact, CheckFailure> {
    if want == got {
        Ok(Fact::Is { what, value: got })
    } else {
        Err(CheckFailure::Mismatch {
            what,
            want,
            got,
            pending: None,
        })
    }
}

/// A mismatch of an MTO check, with the joins and removals of `tenants` still pending and when
/// each completes: an `expect` placed before a join completes says when it would hold.
fn while_pending(
    w: &World,
    tenants: impl IntoIterator<Item = TenantIdx>,
    res: Result<Fact, CheckFailure>,
) -> Result<Fact, CheckFailure> {
    res.map_err(|e| match e {
        CheckFailure::Mismatch {
            what,
            want,
            got,
            pending: None,
        } => {
            let notes: Vec<String> = tenants
                .into_iter()
                .filter_map(|t| {
                    let (kind, at) = w.pending_op_of(t)?;
                    let what = match kind {
                        mtosim_engine::world::OpKind::Join => "join",
                        mtosim_engine::world::OpKind::Removal => "removal",
                    };
                    Some(format!("{}'s {what} is pending until {at}", w.name(t)))
                })
                .collect();
            CheckFailure::Mismatch {
                what,
                want,
                got,
                pending: (!notes.is_empty()).then(|| notes.join("; ")),
            }
        }
        other => other,
    })
}

/// Evaluates one check as tenant `viewer` sees the world.
pub fn evaluate(w: &World, viewer: TenantIdx, c: &Check) -> Result<Fact, CheckFailure> {
    let n = |t: TenantIdx| w.name(t).to_string();
    match c {
        Check::Mto(active) => {
            let got = if w.mto_view(viewer).mto.is_some() {
                "active"
            } else {
                "inactive"
            };
            let want = if *active { "active" } else { "inactive" };
            while_pending(w, [viewer], same(Subject::MtoState, want.into(), got.into()))
        }
        Check::MtoTenants(k) => {
            let listed: Vec<TenantIdx> = w
                .listed_mto(viewer)
                .map(|m| w.mto(m).members.iter().map(|e| e.tenant).collect())
                .unwrap_or_default();
            while_pending(
                w,
                listed,
                same(
                    Subject::MtoTenants,
                    k.to_string(),
                    w.mto_view(viewer).active_tenants.to_string(),
                ),
            )
        }
        Check::Member { tenant, role, state } => {
            let entry = w.listed_mto(viewer).and_then(|m| w.mto(m).entry(*tenant));
            let got_state = entry.map_or("absent", |e| e.state.as_str());
            if let Some(st) = state {
                let want = match st {
                    StateCheck::Pending => MemberState::Pending.as_str(),
                    StateCheck::Active => MemberState::Active.as_str(),
                    StateCheck::Removed => MemberState::Removed.as_str(),
                    StateCheck::Absent => "absent",
                };
                while_pending(
                    w,
                    [*tenant],
                    same(Subject::MemberState(n(*tenant)), want.into(), got_state.into()),
                )?;
            }
            if let Some(role) = role {
                let got = entry.map_or("absent", |e| e.role.as_str());
                same(Subject::MemberRole(n(*tenant)), role.as_str().into(), got.into())?;
            }
            Ok(Fact::Member {
                tenant: n(*tenant),
                state: got_state,
                role: entry.map(|e| e.role.as_str()),
            })
        }
        Check::SyncedFrom { tenant, count } => same(
            Subject::SyncedFrom(n(*tenant)),
            count.to_string(),
            w.synced_from(viewer, *tenant).to_string(),
        ),
        Check::User {
            upn,
            user_type,
            account_enabled,
            attrs,
            manager,
            extra,
        } => {
            let Some(user) = w.view(viewer).user_by_upn(upn) else {
                return Err(CheckFailure::UserMissing(upn.clone()));
            };
            let ut = user.user_type.as_str();
            if let Some(t) = user_type {
                same(Subject::UserType(upn.clone()), t.as_str().into(), ut.into())?;
            }
            if let Some(e) = account_enabled {
                same(
                    Subject::UserEnabled(upn.clone()),
                    e.to_string(),
                    user.account_enabled.to_string(),
                )?;
            }
            for (a, want) in attrs {
                let got = user.attr(*a).unwrap_or("");
                same(
                    Subject::UserAttr(upn.clone(), *a),
                    format!("{want:?}"),
                    format!("{got:?}"),
                )?;
            }
            let mut shown: Vec<(String, String)> = attrs
                .iter()
                .map(|(a, v)| (a.graph_name().to_string(), v.clone()))
                .collect();
            if let Some(want) = manager {
                let got = user.manager.as_ref().map_or("", |(_, upn)| upn.as_str());
                if !got.eq_ignore_ascii_case(want) {
                    same(
                        Subject::UserManager(upn.clone()),
                        format!("{want:?}"),
                        format!("{got:?}"),
                    )?;
                }
                shown.push(("manager".to_string(), want.clone()));
            }
            let has = user.extras();
            for (p, want) in extra {
                let got: Vec<String> = has
                    .iter()
                    .find(|(x, _)| *x == p)
                    .map_or_else(Vec::new, |(_, v)| v.iter().map(|s| s.to_string()).collect());
                let want: Vec<String> = want.iter().filter(|v| !v.is_empty()).cloned().collect();
                same(
                    Subject::UserExtra(upn.clone(), p.name()),
                    format!("{want:?}"),
                    format!("{got:?}"),
                )?;
            }
            Ok(Fact::User {
                upn: upn.clone(),
                user_type: ut,
                enabled: user.account_enabled,
                attrs: shown,
            })
        }
        Check::NoUser(upn) => match w.view(viewer).user_by_upn(upn) {
            None => Ok(Fact::NoUser(upn.clone())),
            Some(_) => Err(CheckFailure::UserPresent(upn.clone())),
        },
        Check::Group {
            name,
            members,
            description,
        } => {
            let Some(g) = w.view(viewer).group_by_name(name) else {
                return Err(CheckFailure::GroupMissing(name.clone()));
            };
            if let Some(want) = members {
                let mut want = want.clone();
                want.sort_unstable();
                let mut got = g.member_upns.clone();
                got.sort_unstable();
                same(
                    Subject::GroupMembers(name.clone()),
                    format!("{want:?}"),
                    format!("{got:?}"),
                )?;
            }
            if let Some(want) = description {
                same(
                    Subject::GroupDescription(name.clone()),
                    format!("{want:?}"),
                    format!("{:?}", g.description.unwrap_or("")),
                )?;
            }
            Ok(Fact::Group {
                name: name.clone(),
                members: g.members.len(),
            })
        }
        Check::MtoMembers(n) => same(
            Subject::MtoMembers,
            n.to_string(),
            w.view(viewer).mto_members().to_string(),
        ),
        Check::NoGroup(name) => match w.view(viewer).group_by_name(name) {
            None => Ok(Fact::NoGroup(name.clone())),
            Some(_) => Err(CheckFailure::GroupPresent(name.clone())),
        },
        Check::Sync { name, status } => {
            let Some(c) = w.config_by_name(viewer, name) else {
                return Err(CheckFailure::NoSuchSync {
                    name: name.clone(),
                    tenant: n(viewer),
                });
            };
            let got = w.config(c).job.status.as_str();
            match status {
                Some(s) => same(Subject::SyncStatus(name.clone()), s.clone(), got.into()),
                None => Ok(Fact::Sync {
                    name: name.clone(),
                    status: got,
                }),
            }
        }
        Check::JoinRequest {
            status,
            member_state,
            role,
            added_by,
        } => {
            let j = &w.tenant(viewer).join;
            let got_status = j.transition.as_ref().map_or("none", |(s, _)| s.as_str());
            let got_state = j.member_state.map_or("none", |s| s.as_str());
            let got_role = j.role.map_or("none", |r| r.as_str());
            if let Some(s) = status {
                same(Subject::JoinStatus, s.clone(), got_status.into())?;
            }
            if let Some(s) = member_state {
                same(Subject::JoinMemberState, s.clone(), got_state.into())?;
            }
            if let Some(r) = role {
                same(Subject::JoinRole, r.clone(), got_role.into())?;
            }
            if let Some(a) = added_by {
                let name = |t: Option<TenantIdx>| t.map_or("none".to_string(), &n);
                same(Subject::JoinAddedBy, name(*a), name(j.added_by))?;
            }
            Ok(Fact::JoinRequest {
                status: got_status,
                member_state: got_state,
                role: got_role,
            })
        }
        Check::Partner {
            tenant,
            auto_redeem_inbound,
            auto_redeem_outbound,
            sync_inbound,
            in_mto,
        } => {
            let Some(p) = w.tenant(viewer).partners.get(tenant) else {
                return Err(CheckFailure::NoPartner {
                    partner: n(*tenant),
                    tenant: n(viewer),
                });
            };
            let mut shown = Vec::new();
            for (k, want, got) in [
                (
                    "auto_redeem_inbound",
                    auto_redeem_inbound,
                    p.eff_auto_redeem_inbound(),
                ),
                (
                    "auto_redeem_outbound",
                    auto_redeem_outbound,
                    p.eff_auto_redeem_outbound(),
                ),
                ("sync_inbound", sync_inbound, p.eff_sync_inbound()),
                ("in_mto", in_mto, p.in_mto),
            ] {
                if let Some(want) = want {
                    same(Subject::Partner(n(*tenant), k), want.to_string(), got.to_string())?;
                    shown.push((k, got));
                }
            }
            Ok(Fact::Partner {
                tenant: n(*tenant),
                shown,
            })
        }
    }
}
