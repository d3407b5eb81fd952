//! The names of things the model does, shared by actions, events and refusals: the kinds of
//! administrator action and the admin surfaces that perform them.

/// Which admin surface performs an MTO action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// Microsoft Graph: only what the call does happens.
    Graph,
    /// The Microsoft 365 admin center: templates and `MTO_Sync_*` configurations too (MTO-67,
    /// MTO-70).
    M365,
}

/// What kind of action an [`crate::action::Action`] is, without its arguments: how surfaces name actions
/// (a scenario verb, a Graph request) and how refusals hint at the action that would be needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionKind {
    /// Create an MTO.
    CreateMto,
    /// Rename or redescribe the MTO.
    UpdateMto,
    /// Add a tenant to the MTO.
    AddTenant,
    /// Change a tenant's role.
    SetRole,
    /// Submit a join request.
    Join,
    /// Reset a failed join request.
    ResetJoin,
    /// Remove a tenant, leave, or delete the MTO.
    RemoveTenant,
    /// Microsoft 365 "Share users".
    ShareUsers,
    /// Microsoft 365 "Edit shared users" (remove from the scope).
    UnshareUsers,
    /// Create or update a partner configuration.
    SetPartner,
    /// Delete a partner configuration.
    DeletePartner,
    /// Delete a partner configuration's identity sync policy.
    DeleteSyncPolicy,
    /// Update the MTO templates.
    SetTemplates,
    /// Reset the MTO templates.
    ResetTemplates,
    /// Create a cross-tenant sync configuration.
    CreateSync,
    /// Assign users or groups to a configuration.
    Assign,
    /// Remove users or groups from a configuration.
    Unassign,
    /// Replace a configuration's scoping filters.
    SetScopingFilter,
    /// Add or change an attribute mapping.
    SetMapping,
    /// Delete an attribute mapping.
    DeleteMapping,
    /// Start provisioning.
    StartSync,
    /// Pause provisioning.
    PauseSync,
    /// Restart provisioning.
    RestartSync,
    /// Release held deletions.
    AllowDeletes,
    /// Provision one user on demand.
    ProvisionOnDemand,
    /// Delete a configuration.
    DeleteSync,
    /// Create a user.
    AddUser,
    /// Change a user's attributes.
    UpdateUser,
    /// Block sign-in.
    DisableUser,
    /// Allow sign-in.
    EnableUser,
    /// Delete a user.
    DeleteUser,
    /// Restore a deleted user.
    RestoreUser,
    /// Add users to a group.
    AddToGroup,
    /// Remove users from a group.
    RemoveFromGroup,
    /// Invite a B2B user.
    InviteGuest,
    /// Turn group provisioning on or off.
    SetGroupProvisioning,
    /// Change a configuration's scope.
    SetScope,
    /// Set a configuration's provisioning mode.
    SetProvisioningMode,
    /// Change a group's description.
    UpdateGroup,
    /// An external user leaves the organization.
    LeaveOrganization,
    /// Reset a B2B user's redemption status.
    ResetRedemption,
    /// Update the default cross-tenant access settings.
    SetDefaultAccess,
    /// Create a group.
    CreateGroup,
    /// Delete a group.
    DeleteGroup,
}

impl ActionKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [ActionKind] = &[
        ActionKind::CreateMto,
        ActionKind::UpdateMto,
        ActionKind::AddTenant,
        ActionKind::SetRole,
        ActionKind::Join,
        ActionKind::ResetJoin,
        ActionKind::RemoveTenant,
        ActionKind::ShareUsers,
        ActionKind::UnshareUsers,
        ActionKind::SetPartner,
        ActionKind::DeletePartner,
        ActionKind::DeleteSyncPolicy,
        ActionKind::SetTemplates,
        ActionKind::ResetTemplates,
        ActionKind::CreateSync,
        ActionKind::Assign,
        ActionKind::Unassign,
        ActionKind::SetScopingFilter,
        ActionKind::SetMapping,
        ActionKind::DeleteMapping,
        ActionKind::StartSync,
        ActionKind::PauseSync,
        ActionKind::RestartSync,
        ActionKind::AllowDeletes,
        ActionKind::ProvisionOnDemand,
        ActionKind::DeleteSync,
        ActionKind::AddUser,
        ActionKind::UpdateUser,
        ActionKind::DisableUser,
        ActionKind::EnableUser,
        ActionKind::DeleteUser,
        ActionKind::RestoreUser,
        ActionKind::AddToGroup,
        ActionKind::RemoveFromGroup,
        ActionKind::InviteGuest,
        ActionKind::SetGroupProvisioning,
        ActionKind::SetScope,
        ActionKind::SetProvisioningMode,
        ActionKind::UpdateGroup,
        ActionKind::LeaveOrganization,
        ActionKind::ResetRedemption,
        ActionKind::SetDefaultAccess,
        ActionKind::CreateGroup,
        ActionKind::DeleteGroup,
    ];
}
