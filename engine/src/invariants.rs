//! The model's invariants: properties every reachable world state must have, each named
//! (`INV-n`) and tied to the rules it follows from. [`check`] runs them all; the world runs it
//! after every action and every queue step in debug builds and tests, the property tests after
//! every step of random timelines, and `mtosim explore` after every transition.
//!
//! Two properties are about transitions rather than states and are checked where the
//! transition happens: INV-9 (sync never changes a tenant's own users, see [`own_users_hash`],
//! asserted around every sync cycle in debug builds) and INV-11 (the same scenario and seed
//! give the same event log, asserted by the property and scenario tests).
//!
//! Costs stay linear in the world's size: account UPNs are never rendered except for the few
//! accounts whose UPN is stored (invitations), since CTS-30's form is injective.

use crate::directory::{account_flags, UserType, NO_CONFIG};
use crate::ids::{ConfigIdx, MtoIdx, TenantIdx};
use crate::mto::{MemberState, Role};
use crate::state::{OpKind, World};

/// One named invariant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invariant {
    /// `INV-n`.
    pub id: &'static str,
    /// What must hold, in one sentence.
    pub text: &'static str,
    /// The rules it follows from.
    pub rules: &'static [&'static str],
}

macro_rules! invariants {
    ($($name:ident = $id:literal, [$($rule:literal),*], $text:literal;)*) => {
        $(
            #[doc = $text]
            pub const $name: Invariant = Invariant { id: $id, text: $text, rules: &[$($rule),*] };
        )*
        /// Every invariant, in order.
        pub const ALL: &[Invariant] = &[$($name),*];
    };
}

invariants! {
    ONE_MTO = "INV-1", ["MTO-3"],
        "A tenant is active in at most one MTO, and the MTO it sees itself in lists it.";
    ACTIVE_OWNER = "INV-2", ["MTO-25", "MTO-37", "SEED-3"],
        "While any tenant of an MTO is active, at least one active tenant is an owner.";
    TENANT_CAP = "INV-3", ["MTO-30", "MTO-45", "MTO-46"],
        "An MTO never has more active tenants than the rule set's cap.";
    OWN_JOIN = "INV-4", ["MTO-26", "MTO-28"],
        "A tenant is active in an MTO only if it created it, its own join request completed, or it was imported active in it.";
    VIEWS_AGREE = "INV-5", ["MTO-2", "MTO-40", "MTO-41"],
        "Once no join or removal is pending, every active tenant of an MTO sees that MTO and the same active tenants.";
    ACCOUNT_SHAPE = "INV-6", ["CTS-28", "CTS-30", "CTS-31"],
        "An account created by synchronization is a Member unless a configuration maps Guest (an invitation taken over keeps its type), and its UPN is the #EXT# form in the target's initial domain.";
    ONE_ACCOUNT = "INV-7", ["CTS-26", "CTS-30", "CTS-47"],
        "A person has at most one account that is not soft-deleted in any tenant, its UPN unique there.";
    NOT_ONWARD = "INV-8", ["CTS-20", "CTS-22"],
        "An account never lives in its home tenant and its home user is an internal user: accounts are never synchronized onward.";
    OWN_USERS = "INV-9", ["CTS-42", "CTS-48"],
        "Synchronization never changes or deletes a tenant's own users (checked around every cycle).";
    PAIR_CAP = "INV-10", ["SEED-2"],
        "Under the preview, a target holds at most the per-pair cap of synchronized accounts from one source.";
    PAIR_SETTINGS = "INV-13", ["MTO-56"],
        "Every active tenant of an MTO has a partner configuration with an identity sync policy for every other active tenant of it.";
    SETTLED_SCOPE = "INV-12", ["CTS-14", "CTS-15", "CTS-16", "CTS-42", "CTS-46", "CTS-55"],
        "Once settled, every running configuration has nothing left to create, restore or delete: its linked set is its eligible scope, less documented failures, escrowed retries and held deletions.";
}

/// The event log of a scenario run with a seed is a function of the two (checked by tests,
/// not by [`check`]).
pub const DETERMINISTIC: Invariant = Invariant {
    id: "INV-11",
    text: "The same scenario and seed give the same event log.",
    rules: &["SIM-1"],
};

/// A broken invariant and what broke it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant.
    pub invariant: Invariant,
    /// The offending objects, named.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) violated: {} [{}]",
            self.invariant.id,
            self.invariant.rules.join(", "),
            self.detail,
            self.invariant.text
        )
    }
}

fn fail(invariant: Invariant, detail: String) -> Result<(), Violation> {
    Err(Violation { invariant, detail })
}

/// Checks every state invariant of `w`; returns the first violation.
pub fn check(w: &World) -> Result<(), Violation> {
    mto_invariants(w)?;
    account_invariants(w)?;
    settled_scope(w)
}

fn mto_invariants(w: &World) -> Result<(), Violation> {
    for (i, t) in w.tenants.iter().enumerate() {
        let ti = TenantIdx(i as u16);
        let listed_in = w
            .mtos
            .iter()
            .filter(|m| !m.deleted && m.entry(ti).is_some_and(|e| e.state == MemberState::Active))
            .count();
        if listed_in > 1 {
            return fail(ONE_MTO, format!("{} is active in {listed_in} MTOs", t.name()));
        }
        if let Some(m) = t.mto {
            if !w.mtos[m.ix()].deleted && w.mtos[m.ix()].entry(ti).is_none() {
                return fail(ONE_MTO, format!("{} sees an MTO that does not list it", t.name()));
            }
        }
    }
    let nothing_pending = w.ops.iter().all(|o| o.outcome.is_some());
    for (mi, m) in w.mtos.iter().enumerate().filter(|(_, m)| !m.deleted) {
        let active = m.active_count();
        if active > 0 && !m.active().any(|e| e.role == Role::Owner) {
            return fail(
                ACTIVE_OWNER,
                format!(
                    "\"{}\" has {active} active tenants and no active owner",
                    m.display_name
                ),
            );
        }
        if active > w.rules.active_tenants_max as usize {
            return fail(
                TENANT_CAP,
                format!(
                    "\"{}\" has {active} active tenants, more than the cap of {}",
                    m.display_name, w.rules.active_tenants_max
                ),
            );
        }
        for e in m.active() {
            let t = &w.tenants[e.tenant.ix()];
            // the tenant's own join request for this MTO succeeded since it was (last) added;
            // its join request record shows only the latest request, which may be a later,
            // failed one (MTO-30 reason d)
            let joined = w.ops.iter().any(|o| {
                o.kind == OpKind::Join
                    && o.subject == e.tenant
                    && o.mto == Some(MtoIdx(mi as u32))
                    && o.submitted_at >= e.added_at
                    && matches!(o.outcome, Some(Ok(())))
            });
            if e.tenant != m.creator && !joined && !e.imported {
                return fail(
                    OWN_JOIN,
                    format!(
                        "{} is active in \"{}\" without a completed join request",
                        t.name(),
                        m.display_name
                    ),
                );
            }
            for o in m.active().filter(|o| o.tenant != e.tenant) {
                if !t.partners.get(&o.tenant).is_some_and(|p| p.has_sync_policy) {
                    return fail(
                        PAIR_SETTINGS,
                        format!(
                            "{} is active in \"{}\" with {} but has no partner configuration with an identity sync policy for it",
                            t.name(),
                            m.display_name,
                            w.tenants[o.tenant.ix()].name()
                        ),
                    );
                }
            }
            if nothing_pending {
                let view = w.mto_view(e.tenant);
                if view.active_tenants != active || view.mto.is_none_or(|v| !std::ptr::eq(&w.mtos[v.ix()], m))
                {
                    return fail(
                        VIEWS_AGREE,
                        format!(
                            "{} is active in \"{}\" ({active} active tenants) but sees {:?}",
                            t.name(),
                            m.display_name,
                            view
                        ),
                    );
                }
            }
        }
    }
    Ok(())
}

fn account_invariants(w: &World) -> Result<(), Violation> {
    for (i, t) in w.tenants.iter().enumerate() {
        let ti = TenantIdx(i as u16);
        let dir = &t.dir;
        let mut from_source: Vec<u64> = vec![0; w.tenants.len()];
        for (ai, a) in dir.externals().iter().enumerate() {
            if a.flags & account_flags::PURGED != 0 {
                continue;
            }
            let ai = ai as u32;
            let home = &w.tenants[a.source_tenant.ix()];
            let name = || format!("account {ai} of {} (home {})", t.name(), home.name());
            if a.source_tenant == ti {
                return fail(NOT_ONWARD, format!("{} lives in its home tenant", name()));
            }
            let Some(src) = home.dir.users().get(a.source_user.ix()) else {
                return fail(NOT_ONWARD, format!("{} has no home user", name()));
            };
            if src.external {
                return fail(
                    NOT_ONWARD,
                    format!("{} was synchronized from an external user {}", name(), src.upn),
                );
            }
            if a.config != NO_CONFIG {
                let Some(cfg) = w.configs.get(a.config.ix()) else {
                    return fail(
                        ACCOUNT_SHAPE,
                        format!(
                            "{} names configuration {} that does not exist",
                            name(),
                            a.config.0
                        ),
                    );
                };
                if cfg.source != a.source_tenant || cfg.target != ti {
                    return fail(
                        ACCOUNT_SHAPE,
                        format!(
                            "{} was provisioned by {}, which syncs {} to {}",
                            name(),
                            cfg.name,
                            w.name(cfg.source),
                            w.name(cfg.target)
                        ),
                    );
                }
                if a.flags & account_flags::BY_SYNC != 0
                    && a.user_type == UserType::Guest
                    && !guest_mapping_seen(w, a.source_tenant, ti)
                {
                    return fail(
                        ACCOUNT_SHAPE,
                        format!(
                            "{} is a Guest but no configuration from {} maps Guest",
                            name(),
                            home.name()
                        ),
                    );
                }
            }
            match dir.upn_override(ai) {
                Some(upn) => {
                    if !upn.contains("#EXT#@") {
                        return fail(
                            ACCOUNT_SHAPE,
                            format!("{} has UPN {upn}, not an #EXT# form", name()),
                        );
                    }
                    if dir.user_by_upn(upn).is_some() || w.external_by_upn(ti, upn) != Some(ai) {
                        return fail(ONE_ACCOUNT, format!("{}'s UPN {upn} is not unique", name()));
                    }
                }
                None if dir.ext_form_users() > 0 => {
                    let upn = w.external_upn(ti, ai);
                    if dir.user_by_upn(&upn).is_some() {
                        return fail(ONE_ACCOUNT, format!("{}'s UPN {upn} is also a user's", name()));
                    }
                }
                None => {}
            }
            if !a.is_soft_deleted() {
                if dir.account_of(a.source_tenant, a.source_user) != Some(ai) {
                    return fail(
                        ONE_ACCOUNT,
                        format!(
                            "{} is not the account linked to {} there: the person has two",
                            name(),
                            src.upn
                        ),
                    );
                }
                if a.config != NO_CONFIG {
                    from_source[a.source_tenant.ix()] += 1;
                }
            }
        }
        if let Some(max) = w.rules.pair_synced_users_max {
            if let Some((s, n)) = from_source.iter().enumerate().find(|(_, &n)| n > max) {
                return fail(
                    PAIR_CAP,
                    format!(
                        "{} holds {n} synchronized accounts from {}, more than {max}",
                        t.name(),
                        w.tenants[s].name()
                    ),
                );
            }
        }
    }
    Ok(())
}

/// Whether any configuration from `s` to `t` maps (or mapped at creation) userType Guest.
fn guest_mapping_seen(w: &World, s: TenantIdx, t: TenantIdx) -> bool {
    w.configs
        .iter()
        .any(|c| c.source == s && c.target == t && c.user_type() == UserType::Guest)
}

fn settled_scope(w: &World) -> Result<(), Violation> {
    if !w.is_settled() {
        return Ok(());
    }
    for (i, cfg) in w.configs.iter().enumerate() {
        if cfg.deleted || !cfg.job.scheduled || cfg.job.quarantine.is_some() {
            continue;
        }
        let (s, t) = (cfg.source, cfg.target);
        let mut added = 0;
        let mut created = std::collections::BTreeSet::new();
        let f = crate::sync::forecast_config(
            cfg,
            ConfigIdx(i as u32),
            w.tenant(s),
            s,
            w.tenant(t),
            t,
            &w.strings,
            &w.rules,
            &mut added,
            &mut created,
        );
        // escrowed users (CTS-55) failed at the last cycle and are retried at the next: a purge
        // or a quota change since may let them in, which settling does not wait for
        let retrying = cfg.job.escrows.len() as u64;
        if f.idle.is_none() && (f.to_create > retrying || f.to_restore > 0 || f.to_delete > f.held) {
            return fail(
                SETTLED_SCOPE,
                format!(
                    "settled, yet {} ({} to {}) would still create {}, restore {} and delete {} accounts",
                    cfg.name,
                    w.name(s),
                    w.name(t),
                    f.to_create,
                    f.to_restore,
                    f.to_delete - f.held
                ),
            );
        }
    }
    Ok(())
}

/// A hash of every tenant's own users (UPN, attributes, type, enabled, deletion): equal
/// before and after a sync cycle (INV-9).
pub fn own_users_hash(w: &World) -> u64 {
    let mut h = crate::hash::Fnv64::new(0);
    for t in &w.tenants {
        for u in t.dir.users() {
            h.write(u.upn.as_bytes());
            for a in u.attrs {
                h.write(&a.0.to_le_bytes());
            }
            h.write(&[u.user_type as u8, u.account_enabled as u8, u.external as u8]);
            h.write(&u.deleted_at.get().map_or(i64::MIN, |d| d.0).to_le_bytes());
        }
    }
    h.finish()
}

impl World {
    /// Checks the model's invariants (see [`crate::invariants`]); returns the first violation,
    /// rendered. Run after every action and queue step in debug builds and tests.
    pub fn check_invariants(&self) -> Result<(), String> {
        check(self).map_err(|v| v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invariant_ids_are_unique_and_cite_known_rules() {
        let mut ids: Vec<&str> = ALL.iter().map(|i| i.id).collect();
        ids.push(DETERMINISTIC.id);
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for inv in ALL {
            for r in inv.rules {
                assert!(
                    crate::rules::CITED.iter().any(|c| c.0 == *r),
                    "{} cites {r}, which the engine does not",
                    inv.id
                );
            }
        }
    }
}
