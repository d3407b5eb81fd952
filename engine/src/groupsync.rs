//! Group provisioning in cross-tenant synchronization (CTS-63, CTS-64, CTS-65, XTAP-11): after
//! a cycle has written the users, the groups assigned to its configuration become static
//! security groups in the target, whose members are the accounts standing for the source
//! group's direct members that are in scope.
//!
//! What Microsoft documents, and so what this pass does:
//! - only with the scope "Sync only assigned users and groups" and the "Provision Microsoft
//!   Entra ID Groups" mapping enabled; with the mapping off an assigned group is skipped with
//!   `EntityTypeNotSupported` (CTS-64);
//! - only while the target's identity sync policy allows group sync inbound; `false` stops it
//!   and leaves groups already synchronized alone (XTAP-11);
//! - security groups (static or dynamic) and Microsoft 365 groups, never mail-enabled security
//!   groups, distribution groups or role-assignable groups; nested groups are not followed
//!   (CTS-63);
//! - a target-side edit persists until the source group changes (CTS-65); groups the target
//!   created itself are never touched, since only groups this pass created are linked.
//!
//! What the pages leave open, and the reading taken: an unassigned group's target group is
//! deleted when the configuration's Delete action is on (CTS-43), permanently, since Entra
//! restores only Microsoft 365 groups and the target group is a security group.

use crate::directory::{GroupKind, SyncedGroup};
use crate::ids::{ConfigIdx, GroupIdx, TenantIdx};
use crate::tenant::Tenant;

/// What the group pass reads of a configuration, and the skips it already reported.
pub struct Pass<'a> {
    /// The configuration.
    pub config: ConfigIdx,
    /// Its source tenant.
    pub source: TenantIdx,
    /// "Sync all users and groups" (groups are never provisioned then, CTS-64).
    pub scope_all: bool,
    /// Assigned groups, sorted.
    pub groups: &'a [GroupIdx],
    /// The group mapping is enabled (CTS-64).
    pub provision: bool,
    /// The Delete target-object action (CTS-43).
    pub delete_action: bool,
    /// Skips already reported, each once.
    pub skipped: &'a mut Vec<(GroupIdx, GroupSkip)>,
}

/// Why an assigned group was not provisioned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupSkip {
    /// The configuration's group mapping is not enabled (CTS-64): Microsoft's skip reason
    /// `EntityTypeNotSupported`.
    MappingDisabled,
    /// The group's kind is not one cross-tenant synchronization provisions (CTS-63).
    Kind(GroupKind),
    /// A role-assignable group (CTS-63).
    RoleAssignable,
}

impl GroupSkip {
    /// The provisioning log's skip reason, where Microsoft documents one.
    pub fn code(self) -> Option<&'static str> {
        match self {
            GroupSkip::MappingDisabled => Some("EntityTypeNotSupported"),
            _ => None,
        }
    }
}

/// What happened to one group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupChange {
    /// Created in the target, with this many members.
    Created { group: GroupIdx, members: u32 },
    /// Its values or members were rewritten (members added, removed).
    Updated {
        group: GroupIdx,
        added: u32,
        removed: u32,
    },
    /// Deleted in the target (unassigned in the source, Delete action on).
    Deleted { group: GroupIdx },
    /// Not provisioned.
    Skipped { group: GroupIdx, why: GroupSkip },
    /// Its creation failed on the target's object quota (CTS-61).
    QuotaExceeded { group: GroupIdx },
}

/// What a cycle's group pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupOutcome {
    /// Per group, in assignment order.
    pub changes: Vec<GroupChange>,
    /// The target does not allow group sync inbound, so nothing was written (XTAP-11).
    pub blocked: bool,
    /// Member groups left out because nesting is not supported (CTS-63).
    pub nested_ignored: u32,
}

/// Runs the group pass of configuration `c` after its cycle. `full`: an initial cycle (every
/// group is looked at, skips are reported again); otherwise only groups whose source group
/// changed, or all of them when the cycle created, restored or deleted accounts.
pub fn run(
    cfg: Pass<'_>,
    source: &Tenant,
    target: &mut Tenant,
    full: bool,
    accounts_changed: bool,
) -> GroupOutcome {
    let c = cfg.config;
    let mut out = GroupOutcome::default();
    if cfg.scope_all || (cfg.groups.is_empty() && !has_synced(target, c)) {
        return out;
    }
    let allowed = target
        .partners
        .get(&cfg.source)
        .is_some_and(|p| p.eff_group_sync_inbound());
    if cfg.provision && !allowed {
        out.blocked = true;
        return out;
    }
    for &g in cfg.groups {
        let src = &source.dir.groups()[g.ix()];
        let existing = target.dir.synced_group_of(c, g);
        let skip = if !cfg.provision {
            Some(GroupSkip::MappingDisabled)
        } else if !src.kind.syncable() {
            Some(GroupSkip::Kind(src.kind))
        } else if src.role_assignable {
            Some(GroupSkip::RoleAssignable)
        } else {
            None
        };
        if let Some(why) = skip {
            // reported once per group and reason, and again by each initial cycle
            let seen = cfg.skipped.contains(&(g, why));
            if existing.is_none() && (full || !seen) {
                out.changes.push(GroupChange::Skipped { group: g, why });
            }
            continue;
        }
        match existing {
            None => {
                let members = member_accounts(&cfg, source, target, g);
                out.nested_ignored += src.member_groups.len() as u32;
                if target.dir.object_count() >= target.spec.object_quota {
                    out.changes.push(GroupChange::QuotaExceeded { group: g });
                    continue;
                }
                let n = members.len() as u32;
                target.dir.add_synced_group(SyncedGroup {
                    name: src.name.clone(),
                    description: src.description.clone(),
                    config: c,
                    source: cfg.source,
                    source_group: g,
                    written_version: src.version,
                    members,
                    deleted: false,
                });
                out.changes.push(GroupChange::Created { group: g, members: n });
            }
            Some(i) => {
                let changed = target.dir.synced_groups()[i].written_version != src.version;
                if !(full || changed || accounts_changed) {
                    continue;
                }
                let members = member_accounts(&cfg, source, target, g);
                if full {
                    out.nested_ignored += src.member_groups.len() as u32;
                }
                let tg = target.dir.synced_group_mut(i);
                let (added, removed) = diff(&tg.members, &members);
                if changed {
                    // the source changed: its values overwrite a target-side edit (CTS-65)
                    tg.name = src.name.clone();
                    tg.description = src.description.clone();
                    tg.written_version = src.version;
                }
                tg.members = members;
                if added + removed > 0 || changed {
                    out.changes.push(GroupChange::Updated {
                        group: g,
                        added,
                        removed,
                    });
                }
            }
        }
    }
    // groups no longer assigned: deleted with the Delete action on (CTS-43)
    if cfg.delete_action {
        let gone: Vec<usize> = target
            .dir
            .synced_groups()
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                !s.deleted && s.config == c && cfg.groups.binary_search(&s.source_group).is_err()
            })
            .map(|(i, _)| i)
            .collect();
        for i in gone {
            let tg = target.dir.synced_group_mut(i);
            tg.deleted = true;
            tg.members.clear();
            out.changes.push(GroupChange::Deleted {
                group: tg.source_group,
            });
        }
    }
    for ch in &out.changes {
        if let GroupChange::Skipped { group, why } = *ch {
            if !cfg.skipped.contains(&(group, why)) {
                cfg.skipped.push((group, why));
            }
        }
    }
    out
}

fn has_synced(target: &Tenant, c: ConfigIdx) -> bool {
    target
        .dir
        .synced_groups()
        .iter()
        .any(|s| !s.deleted && s.config == c)
}

/// The accounts standing for source group `g`'s direct user members that this configuration
/// keeps in the target (linked, not soft-deleted), sorted.
fn member_accounts(cfg: &Pass<'_>, source: &Tenant, target: &Tenant, g: GroupIdx) -> Vec<u32> {
    let mut out: Vec<u32> = source.dir.groups()[g.ix()]
        .members
        .iter()
        .filter_map(|&u| target.dir.account_of(cfg.source, u))
        .filter(|&ai| !target.dir.externals()[ai as usize].is_soft_deleted())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// How many of `new` are not in `old`, and of `old` not in `new` (both sorted).
fn diff(old: &[u32], new: &[u32]) -> (u32, u32) {
    let added = new.iter().filter(|a| old.binary_search(a).is_err()).count() as u32;
    let removed = old.iter().filter(|a| new.binary_search(a).is_err()).count() as u32;
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_counts_both_ways() {
        assert_eq!(diff(&[1, 2, 3], &[2, 3, 4, 5]), (2, 1));
        assert_eq!(diff(&[], &[]), (0, 0));
    }

    #[test]
    fn cts_63_kinds_that_can_be_provisioned() {
        assert!(GroupKind::Security.syncable());
        assert!(GroupKind::Microsoft365.syncable());
        assert!(!GroupKind::MailEnabledSecurity.syncable());
        assert!(!GroupKind::Distribution.syncable());
        assert_eq!(GroupSkip::MappingDisabled.code(), Some("EntityTypeNotSupported"));
        assert_eq!(GroupSkip::RoleAssignable.code(), None);
    }
}
