//! Administrator roles (MTO-53, XTAP-21, CTS-12, SIM-5): which built-in Microsoft Entra roles
//! let the acting administrator take each action, as Microsoft documents the least privileged
//! ones. Global Administrator can do everything ("access to all administrative features in
//! Microsoft Entra ID", permissions reference); a tenant without named administrators acts as
//! one, so scenarios that never name an admin behave as before.
//!
//! Sources: the Graph v1.0 pages of the multitenant organization APIs ("Security
//! Administrator is the least privileged role supported for this operation"); the cross-tenant
//! access policy pages ("Teams Administrator - excluding identity synchronization settings",
//! "Security Administrator"); cross-tenant-synchronization-configure.md, prerequisites (Hybrid
//! Identity Administrator to configure cross-tenant synchronization; Cloud Application
//! Administrator or Application Administrator to assign users and delete a configuration);
//! the Microsoft 365 admin center pages ("Sign in ... as a global administrator"); Microsoft
//! Entra's least-privileged-roles-by-task page (User Administrator, Groups Administrator,
//! Guest Inviter).

use crate::rules::RuleId;

/// A built-in Microsoft Entra role an administrator can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AdminRole {
    /// Global Administrator: everything.
    GlobalAdministrator,
    /// Security Administrator: multitenant organizations, cross-tenant access settings and
    /// their templates.
    SecurityAdministrator,
    /// Hybrid Identity Administrator: cross-tenant synchronization configurations and jobs.
    HybridIdentityAdministrator,
    /// Cloud Application Administrator: assignments, deleting a configuration.
    CloudApplicationAdministrator,
    /// Application Administrator: assignments, deleting a configuration.
    ApplicationAdministrator,
    /// Teams Administrator: partner configurations, except identity synchronization settings.
    TeamsAdministrator,
    /// User Administrator: users, group membership, invitations.
    UserAdministrator,
    /// Groups Administrator: groups and their members.
    GroupsAdministrator,
    /// Guest Inviter: invitations.
    GuestInviter,
}

impl AdminRole {
    /// Every role, in declaration order.
    pub const ALL: &'static [AdminRole] = &[
        AdminRole::GlobalAdministrator,
        AdminRole::SecurityAdministrator,
        AdminRole::HybridIdentityAdministrator,
        AdminRole::CloudApplicationAdministrator,
        AdminRole::ApplicationAdministrator,
        AdminRole::TeamsAdministrator,
        AdminRole::UserAdministrator,
        AdminRole::GroupsAdministrator,
        AdminRole::GuestInviter,
    ];

    /// The role's display name in Microsoft Entra.
    pub fn name(self) -> &'static str {
        match self {
            AdminRole::GlobalAdministrator => "Global Administrator",
            AdminRole::SecurityAdministrator => "Security Administrator",
            AdminRole::HybridIdentityAdministrator => "Hybrid Identity Administrator",
            AdminRole::CloudApplicationAdministrator => "Cloud Application Administrator",
            AdminRole::ApplicationAdministrator => "Application Administrator",
            AdminRole::TeamsAdministrator => "Teams Administrator",
            AdminRole::UserAdministrator => "User Administrator",
            AdminRole::GroupsAdministrator => "Groups Administrator",
            AdminRole::GuestInviter => "Guest Inviter",
        }
    }

    /// Parses a display name (case-insensitive).
    pub fn parse(s: &str) -> Option<AdminRole> {
        AdminRole::ALL
            .iter()
            .copied()
            .find(|r| r.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// A named administrator of a tenant and the roles assigned to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admin {
    /// The administrator's userPrincipalName.
    pub upn: String,
    /// Their roles, sorted.
    pub roles: Vec<AdminRole>,
}

impl Admin {
    /// Whether the admin holds a role that is enough for `need`.
    pub fn may(&self, need: &Need) -> bool {
        self.roles
            .iter()
            .any(|r| *r == AdminRole::GlobalAdministrator || need.roles.contains(r))
    }
}

/// What an action needs: the least privileged roles that are enough for it (Global
/// Administrator always is), and the rule that documents them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    /// Roles that are enough, besides Global Administrator.
    pub roles: &'static [AdminRole],
    /// The rule naming them.
    pub rule: RuleId,
}

/// The roles that are enough, in words: "Security Administrator or Global Administrator".
pub fn enough(need: &Need) -> String {
    let mut names: Vec<&str> = need.roles.iter().map(|r| r.name()).collect();
    names.push(AdminRole::GlobalAdministrator.name());
    match names.len() {
        1 => names[0].to_string(),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_their_display_names() {
        for r in AdminRole::ALL {
            assert_eq!(AdminRole::parse(r.name()), Some(*r));
        }
        assert_eq!(
            AdminRole::parse("security administrator"),
            Some(AdminRole::SecurityAdministrator)
        );
        assert_eq!(AdminRole::parse("Security Admin"), None);
        let n = Need {
            roles: &[
                AdminRole::CloudApplicationAdministrator,
                AdminRole::ApplicationAdministrator,
            ],
            rule: crate::rules::CTS_12,
        };
        assert_eq!(
            enough(&n),
            "Cloud Application Administrator, Application Administrator or Global Administrator"
        );
    }
}
