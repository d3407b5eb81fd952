//! Cross-tenant access policy resources: the two MTO templates and the partner configurations
//! with their identity synchronization policies.

use crate::odata::{context, Collection};
use mtosim_engine::view::PartnerObject;
use mtosim_engine::xtap::Access;
use mtosim_engine::{TenantIdx, World};
use serde::Serialize;

/// `crossTenantAccessPolicyInboundTrust`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundTrust {
    /// `isMfaAccepted`.
    pub is_mfa_accepted: bool,
    /// `isCompliantDeviceAccepted`.
    pub is_compliant_device_accepted: bool,
    /// `isHybridAzureADJoinedDeviceAccepted`.
    #[serde(rename = "isHybridAzureADJoinedDeviceAccepted")]
    pub is_hybrid_azure_ad_joined_device_accepted: bool,
}

impl InboundTrust {
    /// The trust settings when MFA trust is set (the device claims are not modelled: false).
    pub fn of(mfa: Option<bool>) -> Option<InboundTrust> {
        mfa.map(|v| InboundTrust {
            is_mfa_accepted: v,
            is_compliant_device_accepted: false,
            is_hybrid_azure_ad_joined_device_accepted: false,
        })
    }
}

/// `inboundCrossTenantAccessPolicyAutomaticUserConsentSettings`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticUserConsentSettings {
    /// `inboundAllowed`.
    pub inbound_allowed: Option<bool>,
    /// `outboundAllowed`.
    pub outbound_allowed: Option<bool>,
}

/// `crossTenantAccessPolicyTarget`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// `target`: `AllUsers`, `AllApplications`, `Office365`, or an object or application id.
    pub target: String,
    /// `targetType`: `user`, `group` or `application`.
    pub target_type: &'static str,
}

/// `crossTenantAccessPolicyTargetConfiguration`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetConfiguration {
    /// `accessType`: `allowed` or `blocked`.
    pub access_type: &'static str,
    /// `targets`.
    pub targets: Vec<Target>,
}

/// `crossTenantAccessPolicyB2BSetting`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct B2bSetting {
    /// `usersAndGroups`.
    pub users_and_groups: TargetConfiguration,
    /// `applications`.
    pub applications: TargetConfiguration,
}

impl B2bSetting {
    /// The Graph shape of a B2B collaboration setting.
    pub fn of(b: Option<mtosim_engine::view::B2bObject>) -> Option<B2bSetting> {
        let access = |a: Access| match a {
            Access::Allowed => "allowed",
            Access::Blocked => "blocked",
        };
        let targets = |v: Vec<(String, &'static str)>| {
            v.into_iter()
                .map(|(target, target_type)| Target { target, target_type })
                .collect()
        };
        b.map(|b| B2bSetting {
            users_and_groups: TargetConfiguration {
                access_type: access(b.users_access),
                targets: targets(b.users),
            },
            applications: TargetConfiguration {
                access_type: access(b.apps_access),
                targets: targets(b.apps),
            },
        })
    }
}

/// `multiTenantOrganizationPartnerConfigurationTemplate`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerTemplate {
    /// `@odata.context`.
    #[serde(rename = "@odata.context")]
    pub context: String,
    /// `id`.
    pub id: String,
    /// `templateApplicationLevel`.
    pub template_application_level: &'static str,
    /// `inboundTrust`.
    pub inbound_trust: Option<InboundTrust>,
    /// `b2bCollaborationInbound` (not modelled in the template: null).
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    /// `b2bCollaborationOutbound`.
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    /// `b2bDirectConnectInbound`.
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    /// `b2bDirectConnectOutbound`.
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    /// `automaticUserConsentSettings`.
    pub automatic_user_consent_settings: AutomaticUserConsentSettings,
}

impl PartnerTemplate {
    /// Tenant `t`'s partner configuration template.
    pub fn of(world: &World, t: TenantIdx) -> PartnerTemplate {
        let tp = world.view(t).partner_template();
        PartnerTemplate {
            context: context(
                world,
                "policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration/$entity",
            ),
            id: tp.id.to_string(),
            template_application_level: tp.level.graph_value(),
            inbound_trust: InboundTrust::of(tp.mfa_trust),
            b2b_collaboration_inbound: None,
            b2b_collaboration_outbound: None,
            b2b_direct_connect_inbound: None,
            b2b_direct_connect_outbound: None,
            automatic_user_consent_settings: AutomaticUserConsentSettings {
                inbound_allowed: tp.auto_redeem_inbound,
                outbound_allowed: tp.auto_redeem_outbound,
            },
        }
    }
}

/// `crossTenantIdentitySyncPolicyPartner`'s `userSyncInbound`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSyncInbound {
    /// `isSyncAllowed`.
    pub is_sync_allowed: Option<bool>,
}

/// `multiTenantOrganizationIdentitySyncPolicyTemplate`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityTemplate {
    /// `@odata.context`.
    #[serde(rename = "@odata.context")]
    pub context: String,
    /// `id`.
    pub id: String,
    /// `templateApplicationLevel`.
    pub template_application_level: &'static str,
    /// `userSyncInbound`.
    pub user_sync_inbound: UserSyncInbound,
}

impl IdentityTemplate {
    /// Tenant `t`'s identity synchronization template.
    pub fn of(world: &World, t: TenantIdx) -> IdentityTemplate {
        let tp = world.view(t).identity_template();
        IdentityTemplate {
            context: context(
                world,
                "policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization/$entity",
            ),
            id: tp.id.to_string(),
            template_application_level: tp.level.graph_value(),
            user_sync_inbound: UserSyncInbound {
                is_sync_allowed: tp.sync_inbound,
            },
        }
    }
}

/// `crossTenantIdentitySyncPolicyPartner`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySynchronization {
    /// `tenantId`.
    pub tenant_id: String,
    /// `displayName`.
    pub display_name: String,
    /// `userSyncInbound`.
    pub user_sync_inbound: UserSyncInbound,
}

/// `crossTenantAccessPolicyConfigurationPartner`, with `identitySynchronization` expanded.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Partner {
    /// `tenantId`.
    pub tenant_id: String,
    /// `isServiceProvider`.
    pub is_service_provider: bool,
    /// `isInMultiTenantOrganization`.
    pub is_in_multi_tenant_organization: bool,
    /// `inboundTrust`.
    pub inbound_trust: Option<InboundTrust>,
    /// `b2bCollaborationInbound`.
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    /// `b2bCollaborationOutbound`.
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    /// `b2bDirectConnectInbound` (not modelled: null).
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    /// `b2bDirectConnectOutbound` (not modelled: null).
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    /// `automaticUserConsentSettings`.
    pub automatic_user_consent_settings: AutomaticUserConsentSettings,
    /// `identitySynchronization`.
    pub identity_synchronization: Option<IdentitySynchronization>,
}

impl From<PartnerObject<'_>> for Partner {
    fn from(p: PartnerObject<'_>) -> Partner {
        Partner {
            tenant_id: p.tenant_id.to_string(),
            is_service_provider: p.is_service_provider,
            is_in_multi_tenant_organization: p.in_mto,
            inbound_trust: InboundTrust::of(p.mfa_trust),
            b2b_collaboration_inbound: B2bSetting::of(p.b2b_inbound),
            b2b_collaboration_outbound: B2bSetting::of(p.b2b_outbound),
            b2b_direct_connect_inbound: None,
            b2b_direct_connect_outbound: None,
            automatic_user_consent_settings: AutomaticUserConsentSettings {
                inbound_allowed: p.auto_redeem_inbound,
                outbound_allowed: p.auto_redeem_outbound,
            },
            identity_synchronization: p.identity_sync.map(|s| IdentitySynchronization {
                tenant_id: s.tenant_id.to_string(),
                display_name: s.display_name.to_string(),
                user_sync_inbound: UserSyncInbound {
                    is_sync_allowed: s.sync_inbound,
                },
            }),
        }
    }
}

/// `GET /policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization` as `t`
/// sees it.
pub fn partners(world: &World, t: TenantIdx) -> Collection<Partner> {
    Collection {
        context: context(
            world,
            "policies/crossTenantAccessPolicy/partners(identitySynchronization())",
        ),
        value: world.view(t).partners().map(Partner::from).collect(),
    }
}
