//! `multiTenantOrganization`, its member list (`multiTenantOrganizationMember`) and the join
//! request record (`multiTenantOrganizationJoinRequestRecord`).

use crate::odata::{context, Collection};
use mtosim_engine::mto::Transition;
use mtosim_engine::{RuleSetKind, TenantIdx, World};
use serde::Serialize;

/// `multiTenantOrganization`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiTenantOrganization {
    /// `@odata.context`.
    #[serde(rename = "@odata.context")]
    pub context: String,
    /// `id`: the tenant's local id of the MTO; absent outside any MTO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `createdDateTime`.
    pub created_date_time: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `state`: `active` or `inactive` (absent from the 2023 beta resource, MTO-11).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
}

impl MultiTenantOrganization {
    /// The MTO as tenant `t` sees it.
    pub fn of(world: &World, t: TenantIdx) -> MultiTenantOrganization {
        let ga = world.rules().kind == RuleSetKind::Ga;
        let ctx = context(world, "tenantRelationships/multiTenantOrganization/$entity");
        match world.view(t).mto() {
            Some(m) => MultiTenantOrganization {
                context: ctx,
                id: Some(m.id.to_string()),
                created_date_time: Some(m.created.to_string()),
                display_name: Some(m.display_name.to_string()),
                description: Some(m.description.to_string()),
                state: ga.then_some("active"),
            },
            None => MultiTenantOrganization {
                context: ctx,
                id: None,
                created_date_time: None,
                display_name: None,
                description: None,
                state: ga.then_some("inactive"),
            },
        }
    }
}

/// `multiTenantOrganizationMemberTransitionDetails`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberTransitionDetails {
    /// `desiredState`.
    pub desired_state: &'static str,
    /// `desiredRole`.
    pub desired_role: &'static str,
    /// `status`.
    pub status: &'static str,
    /// `details`.
    pub details: Option<String>,
}

impl From<&Transition> for MemberTransitionDetails {
    fn from(t: &Transition) -> Self {
        MemberTransitionDetails {
            desired_state: t.desired_state.as_str(),
            desired_role: t.desired_role.as_str(),
            status: t.status.as_str(),
            details: t.details.as_ref().map(crate::words::message),
        }
    }
}

/// `multiTenantOrganizationMember`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// `id` (directoryObject): the member's tenant id, which also keys it in
    /// `/multiTenantOrganization/tenants/{tenantId}`.
    pub id: String,
    /// `tenantId`.
    pub tenant_id: String,
    /// `displayName`.
    pub display_name: String,
    /// `addedDateTime`.
    pub added_date_time: String,
    /// `joinedDateTime`.
    pub joined_date_time: Option<String>,
    /// `addedByTenantId`.
    pub added_by_tenant_id: String,
    /// `role`: `owner` or `member`.
    pub role: &'static str,
    /// `state`: `pending`, `active` or `removed`.
    pub state: &'static str,
    /// `transitionDetails`.
    pub transition_details: Option<MemberTransitionDetails>,
}

/// `GET .../multiTenantOrganization/tenants` as `t` sees it.
pub fn members(world: &World, t: TenantIdx) -> Collection<Member> {
    Collection {
        context: context(world, "tenantRelationships/multiTenantOrganization/tenants"),
        value: world
            .view(t)
            .members()
            .into_iter()
            .map(|m| Member {
                id: m.tenant_id.to_string(),
                tenant_id: m.tenant_id.to_string(),
                display_name: m.display_name.to_string(),
                added_date_time: m.added.to_string(),
                joined_date_time: m.joined.map(|j| j.to_string()),
                added_by_tenant_id: m.added_by.to_string(),
                role: m.role.as_str(),
                state: m.state.as_str(),
                transition_details: m.transition.map(MemberTransitionDetails::from),
            })
            .collect(),
    }
}

/// `multiTenantOrganizationJoinRequestTransitionDetails`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequestTransitionDetails {
    /// `desiredMemberState`: always `active`.
    pub desired_member_state: &'static str,
    /// `status`: `notStarted`, `running` or `failed`.
    pub status: &'static str,
    /// `details`.
    pub details: String,
}

/// `multiTenantOrganizationJoinRequestRecord`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    /// `@odata.context`.
    #[serde(rename = "@odata.context")]
    pub context: String,
    /// `id`.
    pub id: String,
    /// `addedByTenantId`.
    pub added_by_tenant_id: String,
    /// `memberState`.
    pub member_state: Option<&'static str>,
    /// `role`.
    pub role: Option<&'static str>,
    /// `transitionDetails`.
    pub transition_details: Option<JoinRequestTransitionDetails>,
}

impl JoinRequest {
    /// Tenant `t`'s join request record.
    pub fn of(world: &World, t: TenantIdx) -> JoinRequest {
        let j = world.view(t).join_request();
        JoinRequest {
            context: context(
                world,
                "tenantRelationships/multiTenantOrganization/joinRequest/$entity",
            ),
            id: j.id.to_string(),
            added_by_tenant_id: j.added_by.to_string(),
            member_state: j.member_state.map(|s| s.as_str()),
            role: j.role.map(|r| r.as_str()),
            transition_details: j
                .transition
                .map(|(status, details)| JoinRequestTransitionDetails {
                    desired_member_state: "active",
                    status: status.as_str(),
                    details: crate::words::message(details),
                }),
        }
    }
}
