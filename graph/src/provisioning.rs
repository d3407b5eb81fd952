//! `provisioningObjectSummary`: one record of the provisioning log (CTS-62).

use mtosim_engine::sync::ProvStatus;
use mtosim_engine::view::ProvisioningObject;
use serde::Serialize;

/// `provisionedIdentity` and `provisioningServicePrincipal`-like references.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// `id`.
    pub id: String,
    /// `displayName`.
    pub display_name: String,
    /// `identityType`.
    pub identity_type: &'static str,
    /// `details`: the UPN.
    pub details: UpnDetails,
}

/// `details` of an identity.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpnDetails {
    /// `userPrincipalName`.
    pub user_principal_name: String,
}

/// `provisioningErrorInfo`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInformation {
    /// `errorCode`.
    pub error_code: &'static str,
    /// `reason`.
    pub reason: &'static str,
}

/// `provisioningStatusInfo`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusInfo {
    /// `status`.
    pub status: &'static str,
    /// `errorInformation`.
    pub error_information: Option<ErrorInformation>,
}

/// `initiator`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Initiator {
    /// `displayName`.
    pub display_name: &'static str,
    /// `initiatorType`.
    pub initiator_type: &'static str,
}

/// A display name only.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Named {
    /// `displayName`.
    pub display_name: String,
}

/// `provisioningSystem` of the target, with its tenant.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetSystem {
    /// `displayName`.
    pub display_name: &'static str,
    /// `details`.
    pub details: TenantDetails,
}

/// `details` naming a tenant.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantDetails {
    /// `tenantId`.
    pub tenant_id: String,
}

/// `provisioningObjectSummary`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningObjectSummary {
    /// `id`.
    pub id: String,
    /// `activityDateTime`.
    pub activity_date_time: String,
    /// `cycleId`.
    pub cycle_id: String,
    /// `changeId`.
    pub change_id: String,
    /// `jobId`.
    pub job_id: String,
    /// `provisioningAction`.
    pub provisioning_action: &'static str,
    /// `provisioningStatusInfo`.
    pub provisioning_status_info: StatusInfo,
    /// The skip reason or error code of the record.
    pub status_reason: Option<&'static str>,
    /// `initiatedBy`.
    pub initiated_by: Initiator,
    /// `servicePrincipal`.
    pub service_principal: Named,
    /// `sourceSystem`.
    pub source_system: Named,
    /// `targetSystem`.
    pub target_system: TargetSystem,
    /// `sourceIdentity`.
    pub source_identity: Identity,
    /// `targetIdentity`.
    pub target_identity: Option<Identity>,
}

impl ProvisioningObjectSummary {
    /// The record `p`.
    pub fn of(p: &ProvisioningObject<'_>) -> ProvisioningObjectSummary {
        let identity = |id: String, display: &str, upn: String| Identity {
            id,
            display_name: display.to_string(),
            identity_type: "User",
            details: UpnDetails {
                user_principal_name: upn,
            },
        };
        ProvisioningObjectSummary {
            id: p.id.to_string(),
            activity_date_time: p.at.to_string(),
            cycle_id: p.cycle_id.clone(),
            change_id: p.change_id.to_string(),
            job_id: p.job_id.clone(),
            provisioning_action: p.action.as_str(),
            provisioning_status_info: StatusInfo {
                status: p.status.as_str(),
                error_information: (p.status == ProvStatus::Failure).then_some(ErrorInformation {
                    error_code: p.reason,
                    reason: p.reason,
                }),
            },
            status_reason: (!p.reason.is_empty()).then_some(p.reason),
            initiated_by: Initiator {
                display_name: "Azure AD Provisioning Service",
                initiator_type: "system",
            },
            service_principal: Named {
                display_name: p.config_name.to_string(),
            },
            source_system: Named {
                display_name: "Azure Active Directory".to_string(),
            },
            target_system: TargetSystem {
                display_name: "Azure Active Directory (target tenant)",
                details: TenantDetails {
                    tenant_id: p.target_tenant_id.to_string(),
                },
            },
            source_identity: identity(p.source.0.to_string(), p.source.1, p.source.2.to_string()),
            target_identity: p
                .target
                .as_ref()
                .map(|(id, display, upn)| identity(id.to_string(), display, upn.clone())),
        }
    }
}
