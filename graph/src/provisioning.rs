//! `provisioningObjectSummary`: one record of the provisioning log (CTS-62), in the shape of
//! Graph's v1.0 metadata (msgraph-metadata `clean_v10_metadata/cleanMetadata.xml`): no
//! property the entity type lacks, enum members spelled as the metadata spells them
//! (`stagedDelete`, where the resource page's prose says `stageddelete`).

use mtosim_engine::sync::{ProvAction, ProvStatus};
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
    /// `errorCategory` (`provisioningStatusErrorCategory`).
    pub error_category: &'static str,
    /// `reason`: what went wrong, in words (the code again when there is nothing more).
    pub reason: String,
}

/// `modifiedProperty`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    /// `displayName`: the target attribute.
    pub display_name: String,
    /// `oldValue`.
    pub old_value: Option<String>,
    /// `newValue`.
    pub new_value: Option<String>,
}

/// `provisioningStep`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningStep {
    /// `name`, e.g. `EntryImport`, `EntrySynchronizationAdd`, `EntryExportUpdate`.
    pub name: &'static str,
    /// `provisioningStepType`.
    pub provisioning_step_type: &'static str,
    /// `status` (`provisioningResult`).
    pub status: &'static str,
    /// `description`.
    pub description: String,
    /// `details` (an open type): the skip reason, when the step skipped the object.
    pub details: StepDetails,
}

/// `details` of a step.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StepDetails {
    /// Why the object was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<&'static str>,
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
    /// `provisioningSteps`.
    pub provisioning_steps: Vec<ProvisioningStep>,
    /// `modifiedProperties`.
    pub modified_properties: Vec<ModifiedProperty>,
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
    /// `tenantId`: the tenant whose log this is (the source).
    pub tenant_id: String,
}

impl ProvisioningObjectSummary {
    /// The record `p`.
    pub fn of(p: &ProvisioningObject<'_>) -> ProvisioningObjectSummary {
        let identity = |id: String, display: &str, upn: &str| Identity {
            id,
            display_name: display.to_string(),
            identity_type: "User",
            details: UpnDetails {
                user_principal_name: upn.to_string(),
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
                    error_category: "failure",
                    reason: p.detail.unwrap_or(p.reason).to_string(),
                }),
            },
            provisioning_steps: steps(p),
            modified_properties: p
                .modified
                .iter()
                .map(|m| ModifiedProperty {
                    display_name: m.name.to_string(),
                    old_value: m.old.map(str::to_string),
                    new_value: m.new.map(str::to_string),
                })
                .collect(),
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
            source_identity: identity(p.source.0.to_string(), p.source.1, p.source.2),
            target_identity: p
                .target
                .as_ref()
                .map(|(id, display, upn)| identity(id.to_string(), display, upn)),
            tenant_id: p.tenant_id.to_string(),
        }
    }
}

/// The steps of record `p`: the import, the synchronization decision (matching, or the skip
/// that ended it), and the export a decision led to.
fn steps(p: &ProvisioningObject<'_>) -> Vec<ProvisioningStep> {
    let user = format!("User '{}'", p.source.2);
    let step = |name, kind, status, description: String| ProvisioningStep {
        name,
        provisioning_step_type: kind,
        status,
        description,
        details: StepDetails::default(),
    };
    let mut out = vec![step(
        "EntryImport",
        "import",
        "success",
        format!("Retrieved {user} from Azure Active Directory"),
    )];
    let (sync, export, verb) = match p.action {
        ProvAction::Create => ("EntrySynchronizationAdd", "EntryExportAdd", "created"),
        ProvAction::Update => ("EntrySynchronizationUpdate", "EntryExportUpdate", "updated"),
        ProvAction::Disable => ("EntrySynchronizationUpdate", "EntryExportUpdate", "disabled"),
        ProvAction::Delete => ("EntrySynchronizationDelete", "EntryExportDelete", "deleted"),
        ProvAction::StagedDelete | ProvAction::Other if p.status == ProvStatus::Skipped => {
            let mut s = step(
                "EntrySynchronizationSkipped",
                "processing",
                "skipped",
                format!("{user} will be skipped: {}", p.reason),
            );
            s.details.skip_reason = Some(p.reason);
            out.push(s);
            return out;
        }
        ProvAction::StagedDelete | ProvAction::Other => {
            ("EntrySynchronizationUpdate", "EntryExportUpdate", "restored")
        }
    };
    out.push(step(
        sync,
        "matching",
        "success",
        format!("{user} will be {verb} in the target tenant"),
    ));
    let failed = p.status == ProvStatus::Failure;
    out.push(step(
        export,
        "export",
        if failed { "failure" } else { "success" },
        if failed {
            format!("Failed to export {user}: {}", p.reason)
        } else {
            format!("{user} was {verb} in the target tenant")
        },
    ));
    out
}
