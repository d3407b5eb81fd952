//! `group` objects as `GET /groups?$expand=members($select=id,userPrincipalName)` returns them:
//! a tenant's own groups and the static security groups cross-tenant synchronization created in
//! it (CTS-63). Property names and types are those of the `group` entity type in Graph's v1.0
//! metadata (msgraph-metadata `clean_v10_metadata/cleanMetadata.xml`): `groupTypes`
//! Collection(Edm.String), `mailEnabled`, `securityEnabled` and `isAssignableToRole`
//! Edm.Boolean, `membershipRule` and `membershipRuleProcessingState` Edm.String.

use mtosim_engine::directory::GroupKind;
use mtosim_engine::view::GroupObject;
use mtosim_engine::{TenantIdx, World};
use serde::Serialize;

/// A member in `$expand=members`: a `directoryObject` with its type.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    /// `@odata.type`.
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    /// `id`.
    pub id: String,
    /// `userPrincipalName` (users only).
    #[serde(rename = "userPrincipalName", skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
}

/// One `group`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// `id`.
    pub id: String,
    /// `displayName`.
    pub display_name: String,
    /// `description`.
    pub description: Option<String>,
    /// `groupTypes`: `Unified` for Microsoft 365 groups, `DynamicMembership` for dynamic ones.
    pub group_types: Vec<&'static str>,
    /// `mailEnabled`.
    pub mail_enabled: bool,
    /// `securityEnabled`.
    pub security_enabled: bool,
    /// `isAssignableToRole`.
    pub is_assignable_to_role: bool,
    /// `membershipRule`: a dynamic group's rule, in its canonical form; else null.
    pub membership_rule: Option<String>,
    /// `membershipRuleProcessingState`: `On` for dynamic groups, else null.
    pub membership_rule_processing_state: Option<&'static str>,
    /// `members` (expanded).
    pub members: Vec<Member>,
}

impl Group {
    /// The Graph shape of `g`, as tenant `t` sees it.
    pub fn of(world: &World, t: TenantIdx, g: &GroupObject<'_>) -> Group {
        let mut group_types = Vec::new();
        if g.kind == GroupKind::Microsoft365 {
            group_types.push("Unified");
        }
        if g.dynamic {
            group_types.push("DynamicMembership");
        }
        let users = g.member_upns.len();
        let members = g
            .members
            .iter()
            .enumerate()
            .map(|(i, id)| Member {
                odata_type: if i < users {
                    "#microsoft.graph.user"
                } else {
                    "#microsoft.graph.group"
                },
                id: id.to_string(),
                user_principal_name: g.member_upns.get(i).cloned(),
            })
            .collect();
        let _ = (world, t);
        Group {
            id: g.id.to_string(),
            display_name: g.display_name.to_string(),
            description: g.description.map(str::to_string),
            group_types,
            mail_enabled: g.kind.mail_enabled(),
            security_enabled: g.kind.security_enabled(),
            is_assignable_to_role: g.role_assignable,
            membership_rule: g.membership_rule.clone(),
            membership_rule_processing_state: g.dynamic.then_some("On"),
            members,
        }
    }
}

#[cfg(test)]
mod tests {
    /// The `group` properties this module writes, with their types in Graph's v1.0 metadata
    /// (copied from `<EntityType Name="group">` of cleanMetadata.xml, msgraph-metadata @ f54f11b6).
    const CSDL: &[(&str, &str)] = &[
        ("id", "Edm.String"),
        ("displayName", "Edm.String"),
        ("description", "Edm.String"),
        ("groupTypes", "Collection(Edm.String)"),
        ("mailEnabled", "Edm.Boolean"),
        ("securityEnabled", "Edm.Boolean"),
        ("isAssignableToRole", "Edm.Boolean"),
        ("membershipRule", "Edm.String"),
        ("membershipRuleProcessingState", "Edm.String"),
        ("members", "Collection(graph.directoryObject)"),
    ];

    #[test]
    fn cts_63_a_synced_group_has_graphs_property_names_and_types() {
        let g = super::Group {
            id: "0".into(),
            display_name: "Falcon".into(),
            description: None,
            group_types: vec![],
            mail_enabled: false,
            security_enabled: true,
            is_assignable_to_role: false,
            membership_rule: None,
            membership_rule_processing_state: None,
            members: vec![],
        };
        let v = serde_json::to_value(&g).unwrap();
        for (k, val) in v.as_object().unwrap() {
            let (_, ty) = CSDL
                .iter()
                .find(|(n, _)| n == k)
                .unwrap_or_else(|| panic!("{k} is not a property of group"));
            let ok = match *ty {
                "Edm.String" => val.is_string() || val.is_null(),
                "Edm.Boolean" => val.is_boolean(),
                _ => val.is_array(),
            };
            assert!(ok, "{k} = {val} is not {ty}");
        }
    }
}
