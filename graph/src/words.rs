//! Graph's words for what the engine says in domain terms: a refusal's hints (the action,
//! setting or admin surface that would have allowed it) named as the Graph requests and
//! properties a Graph client uses, never as scenario verbs or keys.

use mtosim_engine::action::{ActionKind, Via};
use mtosim_engine::refusal::{Hint, Message, Setting};

const MTO: &str = "/tenantRelationships/multiTenantOrganization";
const JOBS: &str = "/servicePrincipals/{id}/synchronization/jobs";
const PARTNERS: &str = "/policies/crossTenantAccessPolicy/partners";
const TEMPLATES: &str = "/policies/crossTenantAccessPolicy/templates";

/// The Graph request that performs actions of kind `a`.
pub fn request(a: ActionKind) -> String {
    use ActionKind::*;
    match a {
        CreateMto => format!("PUT {MTO}"),
        UpdateMto => format!("PATCH {MTO}"),
        AddTenant => format!("POST {MTO}/tenants"),
        SetRole => format!("PATCH {MTO}/tenants/{{tenantId}}"),
        Join => format!("PATCH {MTO}/joinRequest"),
        ResetJoin => {
            format!("PATCH {MTO}/joinRequest with addedByTenantId 00000000-0000-0000-0000-000000000000")
        }
        RemoveTenant => format!("DELETE {MTO}/tenants/{{tenantId}}"),
        ShareUsers => "Share users in the Microsoft 365 admin center".to_string(),
        UnshareUsers => "Edit shared users in the Microsoft 365 admin center".to_string(),
        SetPartner => format!("PATCH {PARTNERS}/{{tenantId}}"),
        DeletePartner => format!("DELETE {PARTNERS}/{{tenantId}}"),
        DeleteSyncPolicy => format!("DELETE {PARTNERS}/{{tenantId}}/identitySynchronization"),
        SetTemplates => format!("PATCH {TEMPLATES}/multiTenantOrganizationPartnerConfiguration"),
        ResetTemplates => {
            format!("POST {TEMPLATES}/multiTenantOrganizationPartnerConfiguration/resetToDefaultSettings")
        }
        CreateSync => {
            "POST /applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate".to_string()
        }
        Assign => "POST /servicePrincipals/{id}/appRoleAssignedTo".to_string(),
        Unassign => "DELETE /servicePrincipals/{id}/appRoleAssignedTo/{id}".to_string(),
        SetScopingFilter | SetMapping | DeleteMapping => format!("PUT {JOBS}/{{jobId}}/schema"),
        StartSync => format!("POST {JOBS}/{{jobId}}/start"),
        PauseSync => format!("POST {JOBS}/{{jobId}}/pause"),
        RestartSync => format!("POST {JOBS}/{{jobId}}/restart"),
        AllowDeletes => {
            format!("POST {JOBS}/{{jobId}}/restart with criteria.resetScope ForceDeletes")
        }
        ProvisionOnDemand => format!("POST {JOBS}/{{jobId}}/provisionOnDemand"),
        DeleteSync => "DELETE /servicePrincipals/{id}".to_string(),
        AddUser => "POST /users".to_string(),
        UpdateUser => "PATCH /users/{id}".to_string(),
        DisableUser => "PATCH /users/{id} with accountEnabled false".to_string(),
        EnableUser => "PATCH /users/{id} with accountEnabled true".to_string(),
        DeleteUser => "DELETE /users/{id}".to_string(),
        RestoreUser => "POST /directory/deletedItems/{id}/restore".to_string(),
        AddToGroup => "POST /groups/{id}/members/$ref".to_string(),
        RemoveFromGroup => "DELETE /groups/{id}/members/{id}/$ref".to_string(),
        InviteGuest => "POST /invitations".to_string(),
        SetGroupProvisioning | SetScope => format!("PUT {JOBS}/{{jobId}}/schema"),
        SetProvisioningMode => format!(
            "POST {JOBS}/{{jobId}}/validateCredentials, then PUT /servicePrincipals/{{id}}/synchronization/secrets"
        ),
        UpdateGroup => "PATCH /groups/{id}".to_string(),
        LeaveOrganization => "Leave organization (My Account, Organizations)".to_string(),
        ResetRedemption => "POST /invitations with resetRedemption true".to_string(),
        SetDefaultAccess => "PATCH /policies/crossTenantAccessPolicy/default".to_string(),
        CreateGroup => "POST /groups".to_string(),
        DeleteGroup => "DELETE /groups/{id}".to_string(),
    }
}

/// A hint in Graph's words: a request, a property with its value, or an admin surface.
pub fn hint(h: &Hint) -> String {
    match h {
        Hint::Action(a) => request(*a),
        Hint::Setting(s) => match s {
            Setting::TargetedRelease => "Targeted release (Microsoft 365 admin center, release preferences)",
            Setting::GuestInvitesEveryone => "authorizationPolicy allowInvitesFrom everyone",
            Setting::B2bInboundAllowed => "b2bCollaborationInbound accessType allowed",
            Setting::AutoRedeemOutbound => "automaticUserConsentSettings.outboundAllowed = true",
            Setting::SyncAndRedeemInbound => "identitySynchronization.userSyncInbound.isSyncAllowed = true and automaticUserConsentSettings.inboundAllowed = true",
            Setting::ScopeAll => "the scope \"Sync all users and groups\"",
            Setting::ScopeAssigned => "the scope \"Sync only assigned users and groups\"",
            Setting::GroupSyncInbound => "identitySynchronization.groupSyncInbound.isSyncAllowed = true",
            Setting::ExternalUserLeave => "externalIdentitiesPolicy.allowExternalIdentitiesToLeave = true",
        }
        .to_string(),
        Hint::Surface(Via::Graph) => "the Graph API".to_string(),
        Hint::Surface(Via::M365) => "the Microsoft 365 admin center".to_string(),
    }
}

/// A sentence in Graph's words.
pub fn message(m: &Message) -> String {
    m.render(hint)
}
