//! Cross-tenant access settings (XTAP-n): partner configurations with their identity
//! synchronization policy, and the two MTO policy templates (MTO-58..65).
//!
//! A `None` property is Graph's `null`: it inherits the default configuration (XTAP-2). The
//! default configuration's automatic-redemption flags are always `false` (XTAP-3) and it has no
//! identity-sync policy (XTAP-7), so inherited values are `false`.

/// Graph `templateApplicationLevel` flags (MTO-61).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppLevel(pub u8);

impl AppLevel {
    /// `none`: the template is switched off.
    pub const NONE: AppLevel = AppLevel(0);
    /// `newPartners`: partners whose settings were just created at join.
    pub const NEW: AppLevel = AppLevel(1);
    /// `existingPartners`: partners that already had partner-specific settings.
    pub const EXISTING: AppLevel = AppLevel(2);
    /// The documented default, `newPartners,existingPartners`.
    pub const DEFAULT: AppLevel = AppLevel(3);

    /// Whether `other`'s flags are all set.
    pub fn contains(self, other: AppLevel) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Parses one flag name; `""` and `none` switch the template off (MTO-65).
    pub fn parse_flag(s: &str) -> Option<AppLevel> {
        match s {
            "newPartners" => Some(AppLevel::NEW),
            "existingPartners" => Some(AppLevel::EXISTING),
            "none" | "" => Some(AppLevel::NONE),
            _ => None,
        }
    }

    /// The Graph rendering, e.g. `newPartners,existingPartners`.
    pub fn graph_value(self) -> &'static str {
        match self.0 {
            0 => "none",
            1 => "newPartners",
            2 => "existingPartners",
            _ => "newPartners,existingPartners",
        }
    }
}

/// A B2B setting's `accessType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `allowed`.
    Allowed,
    /// `blocked`.
    Blocked,
}

/// A `crossTenantAccessPolicyTarget` of `usersAndGroups`: for inbound settings users and groups
/// of the partner tenant, for outbound ones the tenant's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum UserTarget {
    /// `AllUsers`.
    AllUsers,
    /// One user.
    User(crate::ids::UserIdx),
    /// The direct members of one group.
    Group(crate::ids::GroupIdx),
}

/// A `crossTenantAccessPolicyTarget` of `applications`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AppTarget {
    /// `AllApplications`.
    AllApplications,
    /// `Office365`.
    Office365,
    /// One application, by its application id.
    App(String),
}

/// `crossTenantAccessPolicyB2BSetting` of B2B collaboration: who may collaborate
/// (`usersAndGroups`) and with which applications (`applications`), each allowed or blocked for
/// its targets (XTAP-17).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct B2bSetting {
    /// `usersAndGroups.accessType`.
    pub users_access: Access,
    /// `usersAndGroups.targets`.
    pub users: Vec<UserTarget>,
    /// `applications.accessType`.
    pub apps_access: Access,
    /// `applications.targets`.
    pub apps: Vec<AppTarget>,
}

impl B2bSetting {
    /// All users and all applications, allowed or blocked: the default configuration's value is
    /// allowed.
    pub fn all(access: Access) -> B2bSetting {
        B2bSetting {
            users_access: access,
            users: vec![UserTarget::AllUsers],
            apps_access: access,
            apps: vec![AppTarget::AllApplications],
        }
    }

    /// Whether user `u` (with its direct group memberships read from `dir`, the directory the
    /// targets name) may take part in B2B collaboration under this setting: named by a target
    /// of an `allowed` setting, or by none of a `blocked` one. Applications do not decide it:
    /// they restrict what a collaborator can sign in to, not whether the account exists.
    pub fn admits(&self, u: crate::ids::UserIdx, dir: &crate::directory::Directory) -> bool {
        let named = self.users.iter().any(|t| match *t {
            UserTarget::AllUsers => true,
            UserTarget::User(x) => x == u,
            UserTarget::Group(g) => dir
                .groups()
                .get(g.ix())
                .is_some_and(|g| g.members.binary_search(&u).is_ok()),
        });
        named == (self.users_access == Access::Allowed)
    }
}

/// One tenant's partner configuration for another tenant, plus that partner's
/// identity-synchronization policy (`crossTenantIdentitySyncPolicyPartner`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartnerConfig {
    /// `automaticUserConsentSettings.inboundAllowed`.
    pub auto_redeem_inbound: Option<bool>,
    /// `automaticUserConsentSettings.outboundAllowed`.
    pub auto_redeem_outbound: Option<bool>,
    /// `inboundTrust.isMfaAccepted`.
    pub mfa_trust: Option<bool>,
    /// `b2bCollaborationInbound` (`None`: inherits the default configuration's).
    pub b2b_inbound: Option<B2bSetting>,
    /// `b2bCollaborationOutbound` (`None`: inherits the default configuration's).
    pub b2b_outbound: Option<B2bSetting>,
    /// Whether the identity-sync policy object exists.
    pub has_sync_policy: bool,
    /// `identitySynchronization.userSyncInbound.isSyncAllowed`.
    pub sync_inbound: Option<bool>,
    /// `identitySynchronization.groupSyncInbound.isSyncAllowed` (beta, XTAP-11): the portal's
    /// "Allow group synchronization into this tenant".
    pub group_sync_inbound: Option<bool>,
    /// `isInMultiTenantOrganization` (MTO-57).
    pub in_mto: bool,
    /// The Microsoft cloud settings' cross-cloud synchronization checkbox for this partner, in
    /// a target (XTAP-18, CTS-8).
    pub cross_cloud_sync: bool,
}

impl PartnerConfig {
    /// Effective inbound automatic redemption (null inherits the default `false`, XTAP-3).
    pub fn eff_auto_redeem_inbound(&self) -> bool {
        self.auto_redeem_inbound.unwrap_or(false)
    }
    /// Effective outbound automatic redemption.
    pub fn eff_auto_redeem_outbound(&self) -> bool {
        self.auto_redeem_outbound.unwrap_or(false)
    }
    /// Effective inbound user sync (no policy or null: not allowed, XTAP-7).
    pub fn eff_sync_inbound(&self) -> bool {
        self.has_sync_policy && self.sync_inbound.unwrap_or(false)
    }
    /// Effective inbound group sync (no policy or null: not allowed, XTAP-11).
    pub fn eff_group_sync_inbound(&self) -> bool {
        self.has_sync_policy && self.group_sync_inbound.unwrap_or(false)
    }
}

/// The MTO partner configuration template (MTO-59) and identity sync template (MTO-60).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Templates {
    /// Partner template `automaticUserConsentSettings.inboundAllowed`.
    pub auto_redeem_inbound: Option<bool>,
    /// Partner template `automaticUserConsentSettings.outboundAllowed`.
    pub auto_redeem_outbound: Option<bool>,
    /// Partner template `inboundTrust.isMfaAccepted`.
    pub mfa_trust: Option<bool>,
    /// Partner template `templateApplicationLevel`.
    pub partner_level: AppLevel,
    /// Identity template `userSyncInbound.isSyncAllowed`.
    pub sync_inbound: Option<bool>,
    /// Identity template `templateApplicationLevel`.
    pub identity_level: AppLevel,
}

impl Default for Templates {
    /// The unconfigured (and reset, MTO-64) state: every value null, level the default.
    fn default() -> Self {
        Templates {
            auto_redeem_inbound: None,
            auto_redeem_outbound: None,
            mfa_trust: None,
            partner_level: AppLevel::DEFAULT,
            sync_inbound: None,
            identity_level: AppLevel::DEFAULT,
        }
    }
}

impl Templates {
    /// What the Microsoft 365 admin center's create and join flows set (MTO-67).
    pub fn set_by_m365(&mut self) {
        self.auto_redeem_inbound = Some(true);
        self.auto_redeem_outbound = Some(true);
        self.sync_inbound = Some(true);
    }

    /// Applies both templates to `partner` at a join event (MTO-62, MTO-63): `was_new` says
    /// whether the partner-specific settings were just created (newPartners) or already
    /// existed (existingPartners); only non-null template values are written. Returns whether
    /// anything was written.
    pub fn apply_at_join(&self, partner: &mut PartnerConfig, was_new: bool, sync_was_new: bool) -> bool {
        let before = partner.clone();
        let level = |l: AppLevel, new: bool| l.contains(if new { AppLevel::NEW } else { AppLevel::EXISTING });
        if level(self.partner_level, was_new) {
            merge(&mut partner.auto_redeem_inbound, self.auto_redeem_inbound);
            merge(&mut partner.auto_redeem_outbound, self.auto_redeem_outbound);
            merge(&mut partner.mfa_trust, self.mfa_trust);
        }
        if level(self.identity_level, sync_was_new) {
            merge(&mut partner.sync_inbound, self.sync_inbound);
        }
        *partner != before
    }
}

/// Writes `src` into `dst` when it is set: Graph's PATCH and MTO-63's non-null merge.
pub(crate) fn merge<T>(dst: &mut Option<T>, src: Option<T>) {
    if src.is_some() {
        *dst = src;
    }
}

impl crate::hash::Canonical for PartnerConfig {
    fn canonical(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{self:?}");
    }
}

impl crate::hash::Canonical for Templates {
    fn canonical(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{self:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xtap_3_null_inherits_false() {
        let p = PartnerConfig::default();
        assert!(!p.eff_auto_redeem_inbound() && !p.eff_auto_redeem_outbound());
        assert!(!p.eff_sync_inbound());
        let q = PartnerConfig {
            sync_inbound: Some(true),
            ..Default::default()
        };
        assert!(!q.eff_sync_inbound(), "XTAP-7: no policy object, no sync");
    }

    #[test]
    fn mto_63_only_non_null_template_values_are_written() {
        let t = Templates {
            auto_redeem_inbound: Some(true),
            ..Templates::default()
        };
        let mut p = PartnerConfig {
            auto_redeem_outbound: Some(false),
            has_sync_policy: true,
            sync_inbound: Some(true),
            ..Default::default()
        };
        assert!(t.apply_at_join(&mut p, false, false));
        assert_eq!(p.auto_redeem_inbound, Some(true));
        assert_eq!(p.auto_redeem_outbound, Some(false), "null template leaves value");
        assert_eq!(p.sync_inbound, Some(true));
    }

    #[test]
    fn mto_61_application_levels_select_new_or_existing_partners() {
        let mut t = Templates::default();
        t.set_by_m365();
        t.partner_level = AppLevel::NEW;
        t.identity_level = AppLevel::EXISTING;
        let mut existing = PartnerConfig::default();
        t.apply_at_join(&mut existing, false, false);
        assert_eq!(
            existing.auto_redeem_inbound, None,
            "partner template is newPartners only"
        );
        assert_eq!(existing.sync_inbound, Some(true));
        let mut fresh = PartnerConfig::default();
        t.apply_at_join(&mut fresh, true, true);
        assert_eq!(fresh.auto_redeem_inbound, Some(true));
        assert_eq!(
            fresh.sync_inbound, None,
            "identity template is existingPartners only"
        );
        t.partner_level = AppLevel::NONE;
        let mut off = PartnerConfig::default();
        assert!(
            !t.apply_at_join(&mut off, true, true),
            "MTO-65: none switches it off"
        );
        assert_eq!(off, PartnerConfig::default());
    }

    #[test]
    fn app_level_parses_and_renders() {
        assert_eq!(AppLevel::parse_flag("newPartners"), Some(AppLevel::NEW));
        assert_eq!(AppLevel::parse_flag(""), Some(AppLevel::NONE));
        assert_eq!(AppLevel::parse_flag("all"), None);
        assert_eq!(AppLevel::DEFAULT.graph_value(), "newPartners,existingPartners");
        assert!(AppLevel::DEFAULT.contains(AppLevel::NEW));
        assert!(!AppLevel::NONE.contains(AppLevel::NEW));
    }
}
