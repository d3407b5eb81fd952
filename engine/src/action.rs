//! The vocabulary of administrator actions: every [`Action`] a tenant's admin can take, its
//! [`ActionKind`], and the names actions create or refer to. The transitions that perform them
//! live in [`crate::world`].

use crate::ids::{GroupIdx, TenantIdx, UserIdx};
use crate::mto::Role;

pub use crate::vocab::{ActionKind, Via};

/// An administrator action in one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Create an MTO (MTO-8).
    CreateMto {
        display_name: String,
        description: String,
        via: Via,
    },
    /// Rename or redescribe the MTO (MTO-12).
    UpdateMto {
        display_name: Option<String>,
        description: Option<String>,
    },
    /// Add a tenant, pending (MTO-14).
    AddTenant { target: TenantIdx, role: Role, via: Via },
    /// Change a tenant's role (MTO-22, MTO-24).
    SetRole { target: TenantIdx, role: Role },
    /// Submit a join request (MTO-26).
    Join { added_by: TenantIdx, via: Via },
    /// Reset a failed join request (MTO-29).
    ResetJoin,
    /// Remove a tenant, leave, or delete the MTO (MTO-35).
    RemoveTenant { target: TenantIdx },
    /// Microsoft 365 "Share users" (MTO-74).
    ShareUsers {
        groups: Vec<GroupIdx>,
        users: Vec<UserRef>,
    },
    /// Remove users or groups from the shared scope.
    UnshareUsers {
        groups: Vec<GroupIdx>,
        users: Vec<UserRef>,
    },
    /// Create or update the acting tenant's partner configuration (XTAP-1, XTAP-8).
    SetPartner { partner: TenantIdx, patch: PartnerPatch },
    /// Delete it (XTAP-9): with `sync_policy_too`, its identity sync policy first (two calls, as
    /// an administrator does); without, one `DELETE` of the partner, refused while the policy
    /// exists.
    DeletePartner {
        partner: TenantIdx,
        sync_policy_too: bool,
    },
    /// Delete only the partner configuration's identity sync policy (XTAP-8).
    DeleteSyncPolicy { partner: TenantIdx },
    /// Update the acting tenant's MTO templates (MTO-58..61).
    SetTemplates { patch: TemplatesPatch },
    /// Reset both templates (MTO-64).
    ResetTemplates,
    /// Create an Entra admin center sync configuration toward `target`, stopped; saving runs
    /// the test connection (CTS-5, CTS-6).
    CreateSync(Box<CreateSync>),
    /// Add groups or users to a configuration's assignments.
    Assign {
        sync: String,
        groups: Vec<GroupIdx>,
        users: Vec<UserRef>,
    },
    /// Remove groups or users from a configuration's assignments.
    Unassign {
        sync: String,
        groups: Vec<GroupIdx>,
        users: Vec<UserRef>,
    },
    /// Replace a configuration's scoping filters (CTS-16..19).
    SetScopingFilter {
        sync: String,
        filter: Option<crate::scoping::ScopingFilter>,
        filters: usize,
    },
    /// Add or change (`mapping: Some`) or delete (`None`) the mapping of one target attribute
    /// in a configuration's user rule (CTS-26, CTS-29).
    EditMapping {
        sync: String,
        target: crate::schema::SchemaAttr,
        mapping: Option<crate::schema::AttributeMapping>,
    },
    /// Start provisioning (CTS-4, CTS-56).
    StartSync { sync: String },
    /// Pause provisioning; the running cycle finishes.
    PauseSync { sync: String },
    /// Restart with reset scopes (CTS-57).
    RestartSync {
        sync: String,
        reset: crate::sync::ResetScope,
    },
    /// Release deletions held by the accidental-deletion threshold (CTS-51).
    AllowDeletes { sync: String },
    /// Provision one user now (CTS-58).
    ProvisionOnDemand { sync: String, user: UserRef },
    /// Delete the configuration; synced accounts stay (CTS-50).
    DeleteSync { sync: String },
    /// Create an internal user.
    AddUser(Box<crate::directory::NewUser>),
    /// Change a user's attributes; on an external account, a target-side edit (CTS-48).
    UpdateUser {
        user: UserRef,
        attrs: Vec<(crate::directory::Attr, String)>,
        user_type: Option<crate::directory::UserType>,
        /// Sparse properties to set (no values: clear).
        extra: Vec<(crate::extra::ExtraProp, Vec<String>)>,
        /// A new `userPrincipalName` (a rename); internal users only.
        upn: Option<String>,
        /// A new `manager` (`Some(None)` clears it); internal users only.
        manager: Option<Option<UserRef>>,
    },
    /// Block or allow sign-in (`accountEnabled`); on an external account, a target-side edit.
    SetEnabled { user: UserRef, enabled: bool },
    /// Soft-delete a user; on an external account, a target-side delete (CTS-47).
    DeleteUser { user: UserRef },
    /// Restore a soft-deleted user within 30 days.
    RestoreUser { user: UserRef },
    /// Add users to a static group.
    AddToGroup { group: GroupIdx, users: Vec<UserRef> },
    /// Remove users from a static group.
    RemoveFromGroup { group: GroupIdx, users: Vec<UserRef> },
    /// Turn the configuration's "Provision Microsoft Entra ID Groups" mapping on or off (CTS-64).
    SetGroupProvisioning { sync: String, enabled: bool },
    /// Set the Provisioning Mode (CTS-75): Automatic runs the test connection and saves the
    /// credentials (Graph: `validateCredentials`, then `PUT synchronization/secrets`).
    SetProvisioningMode { sync: String, automatic: bool },
    /// Change a configuration's scope: all users and groups, or only assigned ones (CTS-14).
    SetScope { sync: String, all: bool },
    /// Change a group's description: the tenant's own group (a source-side change), or a
    /// group cross-tenant synchronization created here (a target-side edit, CTS-65).
    UpdateGroup {
        group: String,
        description: Option<String>,
    },
    /// Update the default configuration's B2B collaboration settings (XTAP-2): `None` leaves
    /// one unchanged; `reset` first restores the system default (allowed for all).
    SetDefaultAccess {
        inbound: Option<crate::xtap::B2bSetting>,
        outbound: Option<crate::xtap::B2bSetting>,
        reset: bool,
    },
    /// Delete a group of the acting tenant (Graph `DELETE /groups/{id}`).
    DeleteGroup { group: String },
    /// Create a static group with direct members (Graph `POST /groups`).
    CreateGroup {
        name: String,
        description: Option<String>,
        kind: crate::directory::GroupKind,
        members: Vec<UserRef>,
    },
    /// An external user leaves the acting (resource) tenant by self-service (CTS-49).
    LeaveOrganization { user: UserRef },
    /// Reset a B2B user's redemption status (MTO-83).
    ResetRedemption { user: UserRef },
    /// Invite a user of another tenant as a B2B user (CTS-26, CTS-31).
    InviteGuest {
        home: TenantIdx,
        user: UserRef,
        user_type: crate::directory::UserType,
        redeemed: bool,
    },
}

/// A user named in an action: an index into the acting (or named) tenant's directory, or a
/// userPrincipalName resolved when the action runs (for users created during the timeline and
/// for external `#EXT#` accounts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRef {
    /// A known user.
    Idx(UserIdx),
    /// A UPN to look up.
    Upn(String),
}

impl From<UserIdx> for UserRef {
    fn from(u: UserIdx) -> UserRef {
        UserRef::Idx(u)
    }
}

/// The settings of `create-sync`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateSync {
    /// The target tenant.
    pub target: TenantIdx,
    /// The configuration's name.
    pub name: String,
    /// "Sync all users and groups" (CTS-14).
    pub scope_all: bool,
    /// The constant userType mapping (CTS-28).
    pub user_type: crate::directory::UserType,
    /// Whether the userType mapping applies always.
    pub apply_always: bool,
    /// The Delete target-object action (CTS-43).
    pub delete_action: bool,
    /// The accidental-deletion threshold (CTS-51).
    pub delete_threshold: Option<u32>,
    /// The "Provision Microsoft Entra ID Groups" mapping enabled (CTS-64).
    pub provision_groups: bool,
    /// "Setup cross-tenant synchronization across Microsoft clouds" (CTS-8).
    pub cross_cloud: bool,
    /// Saved in Provisioning Mode Manual: no test connection yet (CTS-75).
    pub manual: bool,
}

/// Values to write into a partner configuration; `None` leaves a value unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartnerPatch {
    /// `automaticUserConsentSettings.inboundAllowed`.
    pub auto_redeem_inbound: Option<bool>,
    /// `automaticUserConsentSettings.outboundAllowed`.
    pub auto_redeem_outbound: Option<bool>,
    /// `identitySynchronization.userSyncInbound.isSyncAllowed` (creates the policy).
    pub sync_inbound: Option<bool>,
    /// `identitySynchronization.groupSyncInbound.isSyncAllowed` (creates the policy, XTAP-11).
    pub group_sync_inbound: Option<bool>,
    /// The cross-cloud synchronization checkbox of Microsoft cloud settings (XTAP-18).
    pub cross_cloud_sync: Option<bool>,
    /// `inboundTrust.isMfaAccepted`.
    pub mfa_trust: Option<bool>,
    /// `b2bCollaborationInbound`.
    pub b2b_inbound: Option<crate::xtap::B2bSetting>,
    /// `b2bCollaborationOutbound`.
    pub b2b_outbound: Option<crate::xtap::B2bSetting>,
}

/// Values to write into the MTO templates; `None` leaves a value unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplatesPatch {
    /// Partner template `automaticUserConsentSettings.inboundAllowed`.
    pub auto_redeem_inbound: Option<bool>,
    /// Partner template `automaticUserConsentSettings.outboundAllowed`.
    pub auto_redeem_outbound: Option<bool>,
    /// Partner template `inboundTrust.isMfaAccepted`.
    pub mfa_trust: Option<bool>,
    /// Identity template `userSyncInbound.isSyncAllowed`.
    pub sync_inbound: Option<bool>,
    /// `templateApplicationLevel` of both templates.
    pub application: Option<crate::xtap::AppLevel>,
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::CreateMto { .. } => ActionKind::CreateMto,
            Action::UpdateMto { .. } => ActionKind::UpdateMto,
            Action::AddTenant { .. } => ActionKind::AddTenant,
            Action::SetRole { .. } => ActionKind::SetRole,
            Action::Join { .. } => ActionKind::Join,
            Action::ResetJoin => ActionKind::ResetJoin,
            Action::RemoveTenant { .. } => ActionKind::RemoveTenant,
            Action::ShareUsers { .. } => ActionKind::ShareUsers,
            Action::UnshareUsers { .. } => ActionKind::UnshareUsers,
            Action::SetPartner { .. } => ActionKind::SetPartner,
            Action::DeletePartner { .. } => ActionKind::DeletePartner,
            Action::DeleteSyncPolicy { .. } => ActionKind::DeleteSyncPolicy,
            Action::SetTemplates { .. } => ActionKind::SetTemplates,
            Action::ResetTemplates => ActionKind::ResetTemplates,
            Action::CreateSync(_) => ActionKind::CreateSync,
            Action::Assign { .. } => ActionKind::Assign,
            Action::Unassign { .. } => ActionKind::Unassign,
            Action::SetScopingFilter { .. } => ActionKind::SetScopingFilter,
            Action::EditMapping { mapping: Some(_), .. } => ActionKind::SetMapping,
            Action::EditMapping { mapping: None, .. } => ActionKind::DeleteMapping,
            Action::StartSync { .. } => ActionKind::StartSync,
            Action::PauseSync { .. } => ActionKind::PauseSync,
            Action::RestartSync { .. } => ActionKind::RestartSync,
            Action::AllowDeletes { .. } => ActionKind::AllowDeletes,
            Action::ProvisionOnDemand { .. } => ActionKind::ProvisionOnDemand,
            Action::DeleteSync { .. } => ActionKind::DeleteSync,
            Action::AddUser(_) => ActionKind::AddUser,
            Action::UpdateUser { .. } => ActionKind::UpdateUser,
            Action::SetEnabled { enabled: false, .. } => ActionKind::DisableUser,
            Action::SetEnabled { enabled: true, .. } => ActionKind::EnableUser,
            Action::DeleteUser { .. } => ActionKind::DeleteUser,
            Action::RestoreUser { .. } => ActionKind::RestoreUser,
            Action::AddToGroup { .. } => ActionKind::AddToGroup,
            Action::RemoveFromGroup { .. } => ActionKind::RemoveFromGroup,
            Action::InviteGuest { .. } => ActionKind::InviteGuest,
            Action::SetGroupProvisioning { .. } => ActionKind::SetGroupProvisioning,
            Action::SetScope { .. } => ActionKind::SetScope,
            Action::SetProvisioningMode { .. } => ActionKind::SetProvisioningMode,
            Action::UpdateGroup { .. } => ActionKind::UpdateGroup,
            Action::LeaveOrganization { .. } => ActionKind::LeaveOrganization,
            Action::SetDefaultAccess { .. } => ActionKind::SetDefaultAccess,
            Action::CreateGroup { .. } => ActionKind::CreateGroup,
            Action::DeleteGroup { .. } => ActionKind::DeleteGroup,
            Action::ResetRedemption { .. } => ActionKind::ResetRedemption,
        }
    }
}

/// A name that an action creates during a timeline, or refers to: a user of a tenant (by its
/// lowercased UPN) or a sync configuration of a tenant (by name). A timeline must create a
/// name before it refers to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Name {
    /// A user, by lowercased userPrincipalName.
    User(TenantIdx, String),
    /// A sync configuration, by name.
    Config(TenantIdx, String),
}

impl Action {
    /// The name this action, performed by `actor`, creates: a user (`AddUser`) or an Entra
    /// configuration (`CreateSync`).
    pub fn creates(&self, actor: TenantIdx) -> Option<Name> {
        match self {
            Action::AddUser(u) => Some(Name::User(actor, u.upn.to_ascii_lowercase())),
            Action::CreateSync(cs) => Some(Name::Config(actor, cs.name.clone())),
            _ => None,
        }
    }

    /// The names created during a timeline that this action, performed by `actor`, refers
    /// to: users named by UPN (not `#EXT#` accounts, which sync or invitations make) and
    /// configurations other than the Microsoft 365 `MTO_Sync_` ones.
    pub fn refers_to(&self, actor: TenantIdx) -> Vec<Name> {
        let mut out = Vec::new();
        let mut user = |home: TenantIdx, u: &UserRef| {
            if let UserRef::Upn(upn) = u {
                if !upn.contains("#EXT#") {
                    out.push(Name::User(home, upn.to_ascii_lowercase()));
                }
            }
        };
        let mut sync_name: Option<&String> = None;
        match self {
            Action::UpdateUser { user: u, .. } => user(actor, u),
            Action::ShareUsers { users, .. }
            | Action::UnshareUsers { users, .. }
            | Action::AddToGroup { users, .. }
            | Action::RemoveFromGroup { users, .. } => users.iter().for_each(|u| user(actor, u)),
            Action::Assign { sync, users, .. } | Action::Unassign { sync, users, .. } => {
                users.iter().for_each(|u| user(actor, u));
                sync_name = Some(sync);
            }
            Action::ProvisionOnDemand { sync, user: u } => {
                user(actor, u);
                sync_name = Some(sync);
            }
            Action::SetEnabled { user: u, .. }
            | Action::DeleteUser { user: u }
            | Action::RestoreUser { user: u } => user(actor, u),
            Action::InviteGuest { home, user: u, .. } => user(*home, u),
            Action::SetScopingFilter { sync, .. }
            | Action::EditMapping { sync, .. }
            | Action::StartSync { sync }
            | Action::PauseSync { sync }
            | Action::RestartSync { sync, .. }
            | Action::AllowDeletes { sync }
            | Action::DeleteSync { sync } => sync_name = Some(sync),
            _ => {}
        }
        if let Some(n) = sync_name.filter(|n| !n.starts_with("MTO_Sync_")) {
            out.push(Name::Config(actor, n.clone()));
        }
        out
    }
}

use crate::roles::AdminRole::{self, *};
use crate::rules::{self as r, RuleId};

const fn need(roles: &'static [AdminRole], rule: RuleId) -> crate::roles::Need {
    crate::roles::Need { roles, rule }
}

/// The roles that let an administrator take `action` (MTO-53, XTAP-21, CTS-12, SIM-5; see
/// [`crate::roles`] for the sources).
pub fn needed(action: &Action) -> crate::roles::Need {
    const MTO: crate::roles::Need = need(&[SecurityAdministrator], r::MTO_53);
    // the Microsoft 365 admin center flows: "Sign in ... as a global administrator"
    const M365: crate::roles::Need = need(&[], r::MTO_53);
    const XTAP: crate::roles::Need = need(&[SecurityAdministrator], r::XTAP_21);
    const XTAP_TEAMS: crate::roles::Need = need(&[SecurityAdministrator, TeamsAdministrator], r::XTAP_21);
    const CTS_CONFIG: crate::roles::Need = need(&[HybridIdentityAdministrator], r::CTS_12);
    const CTS_ASSIGN: crate::roles::Need = need(
        &[
            CloudApplicationAdministrator,
            ApplicationAdministrator,
            HybridIdentityAdministrator,
        ],
        r::CTS_12,
    );
    const CTS_DELETE: crate::roles::Need = need(
        &[CloudApplicationAdministrator, ApplicationAdministrator],
        r::CTS_12,
    );
    const USERS: crate::roles::Need = need(&[UserAdministrator], r::SIM_5);
    const GROUPS: crate::roles::Need = need(&[GroupsAdministrator, UserAdministrator], r::SIM_5);
    const INVITE: crate::roles::Need = need(&[GuestInviter, UserAdministrator], r::SIM_5);
    match action {
        Action::CreateMto { via: Via::M365, .. }
        | Action::AddTenant { via: Via::M365, .. }
        | Action::Join { via: Via::M365, .. }
        | Action::ShareUsers { .. }
        | Action::UnshareUsers { .. } => M365,
        Action::CreateMto { .. }
        | Action::UpdateMto { .. }
        | Action::AddTenant { .. }
        | Action::SetRole { .. }
        | Action::Join { .. }
        | Action::ResetJoin
        | Action::RemoveTenant { .. } => MTO,
        // Teams Administrator may update partner configurations, except identity
        // synchronization settings
        Action::SetPartner { patch, .. }
            if patch.sync_inbound.is_none() && patch.group_sync_inbound.is_none() =>
        {
            XTAP_TEAMS
        }
        Action::SetPartner { .. }
        | Action::DeletePartner { .. }
        | Action::DeleteSyncPolicy { .. }
        | Action::SetDefaultAccess { .. } => XTAP,
        Action::SetTemplates { .. } | Action::ResetTemplates => need(&[SecurityAdministrator], r::MTO_53),
        Action::CreateSync(_)
        | Action::SetScopingFilter { .. }
        | Action::EditMapping { .. }
        | Action::StartSync { .. }
        | Action::PauseSync { .. }
        | Action::RestartSync { .. }
        | Action::AllowDeletes { .. }
        | Action::ProvisionOnDemand { .. }
        | Action::SetGroupProvisioning { .. }
        | Action::SetProvisioningMode { .. }
        | Action::SetScope { .. } => CTS_CONFIG,
        Action::Assign { .. } | Action::Unassign { .. } => CTS_ASSIGN,
        Action::DeleteSync { .. } => CTS_DELETE,
        Action::AddUser(_)
        | Action::UpdateUser { .. }
        | Action::SetEnabled { .. }
        | Action::DeleteUser { .. }
        | Action::RestoreUser { .. } => USERS,
        Action::AddToGroup { .. }
        | Action::RemoveFromGroup { .. }
        | Action::UpdateGroup { .. }
        | Action::CreateGroup { .. }
        | Action::DeleteGroup { .. } => GROUPS,
        Action::InviteGuest { .. } | Action::ResetRedemption { .. } => INVITE,
        // the external user acts, not an administrator
        Action::LeaveOrganization { .. } => need(AdminRole::ALL, r::CTS_49),
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;
    use crate::ids::TenantIdx;
    use crate::roles::{enough, Admin, AdminRole};

    #[test]
    fn xtap_21_teams_administrator_may_not_touch_identity_synchronization() {
        let teams = Admin {
            upn: "t@x".into(),
            roles: vec![AdminRole::TeamsAdministrator],
        };
        let trust = Action::SetPartner {
            partner: TenantIdx(1),
            patch: PartnerPatch {
                mfa_trust: Some(true),
                ..PartnerPatch::default()
            },
        };
        let sync = Action::SetPartner {
            partner: TenantIdx(1),
            patch: PartnerPatch {
                sync_inbound: Some(true),
                ..PartnerPatch::default()
            },
        };
        assert!(teams.may(&needed(&trust)));
        assert!(!teams.may(&needed(&sync)));
        assert!(!teams.may(&needed(&Action::DeletePartner {
            sync_policy_too: true,
            partner: TenantIdx(1)
        })));
        assert_eq!(
            enough(&needed(&sync)),
            "Security Administrator or Global Administrator"
        );
    }

    #[test]
    fn mto_53_global_administrator_can_do_everything_and_m365_flows_need_it() {
        let ga = Admin {
            upn: "g@x".into(),
            roles: vec![AdminRole::GlobalAdministrator],
        };
        let sec = Admin {
            upn: "s@x".into(),
            roles: vec![AdminRole::SecurityAdministrator],
        };
        let share = Action::ShareUsers {
            groups: vec![],
            users: vec![],
        };
        assert!(ga.may(&needed(&share)));
        assert!(!sec.may(&needed(&share)));
        assert_eq!(enough(&needed(&share)), "Global Administrator");
        assert!(sec.may(&needed(&Action::ResetJoin)));
    }
}
