//! The shared multitenant organization object (MTO-1..44): its member list with roles,
//! states and transition details, as Graph's `multiTenantOrganizationMember` shows them.
//! Each tenant additionally has its own local view (object id, join request record), kept in
//! [`crate::tenant::Tenant`].

use crate::ids::TenantIdx;
use crate::time::SimTime;

/// `multiTenantOrganizationMemberRole`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `owner`.
    Owner,
    /// `member`.
    Member,
}

impl Role {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
        }
    }
    /// Parses `owner` or `member`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// `multiTenantOrganizationMemberState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemberState {
    /// `pending`: added, not yet joined.
    Pending,
    /// `active`: created or joined.
    Active,
    /// `removed`: being removed (transitional, MTO-41).
    Removed,
}

impl MemberState {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Pending => "pending",
            MemberState::Active => "active",
            MemberState::Removed => "removed",
        }
    }
}

/// `multiTenantOrganizationMemberProcessingStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProcessingStatus {
    /// `notStarted`.
    NotStarted,
    /// `running`.
    Running,
    /// `succeeded`.
    Succeeded,
    /// `failed`.
    Failed,
}

impl ProcessingStatus {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessingStatus::NotStarted => "notStarted",
            ProcessingStatus::Running => "running",
            ProcessingStatus::Succeeded => "succeeded",
            ProcessingStatus::Failed => "failed",
        }
    }
}

/// `multiTenantOrganizationMemberTransitionDetails`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// `desiredState`.
    pub desired_state: MemberState,
    /// `desiredRole`.
    pub desired_role: Role,
    /// `status`.
    pub status: ProcessingStatus,
    /// `details`: why it failed.
    pub details: Option<crate::refusal::Message>,
}

/// One entry of the member list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberEntry {
    /// The listed tenant.
    pub tenant: TenantIdx,
    /// `role` as currently shown.
    pub role: Role,
    /// `state`.
    pub state: MemberState,
    /// `addedByTenantId`.
    pub added_by: TenantIdx,
    /// `addedDateTime`.
    pub added_at: SimTime,
    /// `joinedDateTime`.
    pub joined_at: Option<SimTime>,
    /// `transitionDetails`.
    pub transition: Option<Transition>,
    /// Active since the world was built (an MTO imported formed, [`crate::build`]): no join
    /// request of this simulation made it so.
    pub imported: bool,
}

/// The shared MTO.
#[derive(Clone, Debug)]
pub struct Mto {
    /// `displayName`.
    pub display_name: String,
    /// `description`.
    pub description: String,
    /// `createdDateTime`.
    pub created_at: SimTime,
    /// The creator tenant (MTO-5), which MTO-36's strict removal protects.
    pub creator: TenantIdx,
    /// The member list, in the order tenants were added.
    pub members: Vec<MemberEntry>,
    /// Deleted (MTO-38) or dissolved (SEED-3): no tenant is listed any more.
    pub deleted: bool,
}

impl Mto {
    /// The entry of `t`, if listed.
    pub fn entry(&self, t: TenantIdx) -> Option<&MemberEntry> {
        self.members.iter().find(|m| m.tenant == t)
    }
    /// The entry of `t`, mutably.
    pub fn entry_mut(&mut self, t: TenantIdx) -> Option<&mut MemberEntry> {
        self.members.iter_mut().find(|m| m.tenant == t)
    }
    /// Active tenants (MTO-5's "multitenant organization tenants").
    pub fn active(&self) -> impl Iterator<Item = &MemberEntry> {
        self.members.iter().filter(|m| m.state == MemberState::Active)
    }
    /// Number of active tenants.
    pub fn active_count(&self) -> usize {
        self.active().count()
    }
    /// Active owners other than `except`.
    pub fn other_active_owners(&self, except: TenantIdx) -> usize {
        self.active()
            .filter(|m| m.role == Role::Owner && m.tenant != except)
            .count()
    }
    /// Whether `t` is an active owner.
    pub fn is_active_owner(&self, t: TenantIdx) -> bool {
        self.entry(t)
            .is_some_and(|m| m.state == MemberState::Active && m.role == Role::Owner)
    }
}

impl crate::hash::Canonical for MemberEntry {
    fn canonical(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(
            out,
            ";{} {:?} {:?} by {} joined {} tr {:?}",
            self.tenant.0,
            self.role,
            self.state,
            self.added_by.0,
            self.joined_at.is_some(),
            self.transition.as_ref().map(|t| (
                t.desired_state,
                t.desired_role,
                t.status,
                t.details.is_some()
            )),
        );
    }
}

impl crate::hash::Canonical for Mto {
    fn canonical(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(
            out,
            "{:?} {:?} by {} deleted {}",
            self.display_name, self.description, self.creator.0, self.deleted
        );
        for e in &self.members {
            e.canonical(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(t: u16, role: Role, state: MemberState) -> MemberEntry {
        MemberEntry {
            tenant: TenantIdx(t),
            role,
            state,
            added_by: TenantIdx(0),
            added_at: SimTime(0),
            joined_at: None,
            transition: None,
            imported: false,
        }
    }

    #[test]
    fn counts_only_active_tenants() {
        let m = Mto {
            display_name: "X".into(),
            description: String::new(),
            created_at: SimTime(0),
            creator: TenantIdx(0),
            members: vec![
                entry(0, Role::Owner, MemberState::Active),
                entry(1, Role::Member, MemberState::Pending),
                entry(2, Role::Owner, MemberState::Removed),
                entry(3, Role::Owner, MemberState::Active),
            ],
            deleted: false,
        };
        assert_eq!(m.active_count(), 2);
        assert_eq!(m.other_active_owners(TenantIdx(0)), 1);
        assert!(m.is_active_owner(TenantIdx(3)));
        assert!(!m.is_active_owner(TenantIdx(2)), "removed is not active (MTO-41)");
        assert_eq!(Role::parse("owner"), Some(Role::Owner));
        assert_eq!(Role::parse("Owner"), None);
    }
}
