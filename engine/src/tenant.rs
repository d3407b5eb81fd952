//! A tenant: its identity, directory, cross-tenant access settings, MTO templates, and its
//! own view of the MTO it belongs to (local object id, MTO-2; join request record, MTO-28).

use crate::directory::Directory;
use crate::ids::{Guid, MtoIdx, TenantIdx};
use crate::mto::{MemberState, ProcessingStatus, Role};
use crate::time::SimTime;
use crate::xtap::{PartnerConfig, Templates};
use std::collections::BTreeMap;

/// What a scenario says about a tenant before the timeline starts.
#[derive(Clone, Debug)]
pub struct TenantSpec {
    /// Handle used in steps.
    pub name: String,
    /// Organization display name.
    pub display_name: String,
    /// Tenant id (GUID).
    pub tenant_id: Guid,
    /// Initial `*.onmicrosoft.com` domain.
    pub initial_domain: String,
    /// Verified domains (the first is used for generated users).
    pub domains: Vec<String>,
    /// Targeted release (MTO-49).
    pub targeted_release: bool,
    /// Entra ID P1 licences; `None` is unlimited.
    pub p1_licenses: Option<u64>,
    /// Directory object quota (CTS-61).
    pub object_quota: u64,
    /// Tenants this tenant is the CSP partner of (MTO-19).
    pub csp_of: Vec<TenantIdx>,
    /// The Microsoft cloud the tenant lives in (MTO-20, MTO-54): `commercial`, `gcc` (Microsoft
    /// 365 GCC on the commercial Entra cloud), `usgov` (Microsoft Azure Government: GCC High,
    /// DoD) or `china` (Microsoft Azure operated by 21Vianet).
    pub cloud: String,
    /// Other Microsoft clouds enabled in the tenant's Microsoft cloud settings (XTAP-18).
    pub cloud_settings: Vec<String>,
    /// Named option `m365_sync_mode = "manual"` (SEED-5): the `MTO_Sync_<this tenant's id>`
    /// configurations the Microsoft 365 admin center creates toward this tenant are saved in
    /// Provisioning Mode Manual, as the seed article saw "for certain tenants".
    pub m365_sync_manual: bool,
    /// External user leave settings: whether external users may remove themselves from the
    /// organization (`externalIdentitiesPolicy.allowExternalIdentitiesToLeave`, default true,
    /// CTS-49).
    pub external_user_leave: bool,
    /// Whether guest invitations are allowed; `false` is the most restrictive setting ("no
    /// one in the organization can invite guest users"), which fails CTS provisioning with
    /// `AzureActiveDirectoryForbidden` (CTS-9).
    pub guest_invites_allowed: bool,
}

/// The join request record (`multiTenantOrganizationJoinRequestRecord`, MTO-28).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JoinRecord {
    /// `addedByTenantId` (`None` renders as the zero GUID).
    pub added_by: Option<TenantIdx>,
    /// `memberState`.
    pub member_state: Option<MemberState>,
    /// `role`.
    pub role: Option<Role>,
    /// `transitionDetails.status` and `.details` (why it failed), with `desiredMemberState`
    /// always `active`.
    pub transition: Option<(ProcessingStatus, crate::refusal::Message)>,
}

/// One tenant of the world.
#[derive(Clone, Debug)]
pub struct Tenant {
    /// Identity and settings from the scenario.
    pub spec: TenantSpec,
    /// Users and groups, internal and external.
    pub dir: Directory,
    /// Partner configurations keyed by partner (ordered, for deterministic output).
    pub partners: BTreeMap<TenantIdx, PartnerConfig>,
    /// The two MTO policy templates.
    pub templates: Templates,
    /// The MTO this tenant created or joined (active or being removed).
    pub mto: Option<MtoIdx>,
    /// This tenant's local id of that MTO (MTO-2).
    pub local_mto_id: Option<Guid>,
    /// Ids of singleton objects (`joinRequest`, `partnerTemplate`, `identityTemplate`) an
    /// import gave, instead of the ones derived from the seed.
    pub given_singletons: BTreeMap<&'static str, Guid>,
    /// The join request record.
    pub join: JoinRecord,
    /// Created or joined through the Microsoft 365 admin center: gets `MTO_Sync_<id>`
    /// configurations at join events (MTO-70).
    pub m365_managed: bool,
    /// The time of the tenant's last MTO creation, for MTO-27's optional wait.
    pub created_mto_at: Option<SimTime>,
    /// Whether a P1 shortfall for synchronized users was already reported (MTO-52).
    pub p1_sync_warned: bool,
    /// The default configuration's `b2bCollaborationInbound` and `b2bCollaborationOutbound`
    /// (allowed for all users and applications unless the scenario says otherwise), which a
    /// partner configuration's null inherits (XTAP-2, XTAP-17).
    pub default_b2b: (crate::xtap::B2bSetting, crate::xtap::B2bSetting),
    /// What the Microsoft 365 admin center shares ("Share users"): groups and users, sorted
    /// (MTO-74).
    pub m365_shared: (Vec<crate::ids::GroupIdx>, Vec<crate::ids::UserIdx>),
    /// Named administrators and their roles (MTO-53, XTAP-21, CTS-12); a step that names none
    /// acts as a Global Administrator.
    pub admins: Vec<crate::roles::Admin>,
}

impl TenantSpec {
    /// A tenant with the given identity and the scenario format's defaults for everything
    /// else (no licence limit, a 300,000-object quota, the commercial cloud, guest invitations
    /// and self-service leave allowed): what an import knows of a tenant.
    pub fn with_identity(
        name: &str,
        display_name: &str,
        tenant_id: Guid,
        initial_domain: &str,
        domains: Vec<String>,
    ) -> TenantSpec {
        TenantSpec {
            name: name.to_string(),
            display_name: display_name.to_string(),
            tenant_id,
            initial_domain: initial_domain.to_string(),
            domains,
            targeted_release: false,
            p1_licenses: None,
            object_quota: 300_000,
            csp_of: Vec::new(),
            cloud: "commercial".into(),
            cloud_settings: Vec::new(),
            external_user_leave: true,
            m365_sync_manual: false,
            guest_invites_allowed: true,
        }
    }

    /// Why the tenant's directory refuses a user named `upn` for its domain, if it does: the
    /// domain after the `@` must be one of its verified domains or its initial one (SIM-4).
    pub fn domain_problem(&self, upn: &str) -> Option<String> {
        let domain = upn.rsplit_once('@').map_or("", |(_, d)| d);
        let ok = domain.eq_ignore_ascii_case(&self.initial_domain)
            || self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain));
        (!ok).then(|| {
            let mut all: Vec<&str> = self.domains.iter().map(String::as_str).collect();
            if !all.iter().any(|d| d.eq_ignore_ascii_case(&self.initial_domain)) {
                all.push(&self.initial_domain);
            }
            format!(
                "{upn}: the domain {domain} is not verified in tenant {}; a userPrincipalName on {} would be allowed",
                self.name,
                all.join(", ")
            )
        })
    }
}

impl Tenant {
    /// The B2B collaboration inbound setting this tenant applies to users of `partner`: its
    /// partner configuration's, or the default's where that is null (XTAP-2).
    pub fn b2b_inbound_for(&self, partner: TenantIdx) -> &crate::xtap::B2bSetting {
        self.partners
            .get(&partner)
            .and_then(|p| p.b2b_inbound.as_ref())
            .unwrap_or(&self.default_b2b.0)
    }

    /// The B2B collaboration outbound setting this tenant applies to its users toward
    /// `partner`, likewise.
    pub fn b2b_outbound_for(&self, partner: TenantIdx) -> &crate::xtap::B2bSetting {
        self.partners
            .get(&partner)
            .and_then(|p| p.b2b_outbound.as_ref())
            .unwrap_or(&self.default_b2b.1)
    }

    /// What synced account `ai` shows (see [`crate::account`]): written from `home` (its home
    /// tenant's directory) through `schema` (its configuration's mappings), with this tenant's
    /// own edits and stored values.
    pub fn account_shown<'a>(
        &'a self,
        ai: u32,
        home: &'a Directory,
        schema: Option<&'a crate::schema::Schema>,
        strings: &'a crate::strings::Interner,
    ) -> crate::account::Shown<'a> {
        let acc = &self.dir.externals()[ai as usize];
        crate::account::Shown::of(
            acc,
            schema,
            home.values_at(acc.source_user, acc.version),
            self.dir.account_edits(ai),
            strings,
        )
        .with_extra(self.dir.account_extra(ai))
    }

    /// The `#EXT#` userPrincipalName of synced account `ai` that shows `shown`: the one a
    /// mapping or rename stored, else derived from its UPN source and this tenant's initial
    /// domain (CTS-30).
    pub fn account_upn(&self, ai: u32, shown: &crate::account::Shown<'_>) -> String {
        self.dir.upn_override(ai).map_or_else(
            || crate::directory::ext_upn(shown.upn_source(), &self.spec.initial_domain),
            str::to_string,
        )
    }

    /// A tenant with an empty directory and no settings beyond the defaults.
    pub fn new(spec: TenantSpec) -> Tenant {
        Tenant {
            spec,
            dir: Directory::default(),
            partners: BTreeMap::new(),
            templates: Templates::default(),
            mto: None,
            local_mto_id: None,
            given_singletons: BTreeMap::new(),
            join: JoinRecord::default(),
            m365_managed: false,
            created_mto_at: None,
            p1_sync_warned: false,
            default_b2b: (
                crate::xtap::B2bSetting::all(crate::xtap::Access::Allowed),
                crate::xtap::B2bSetting::all(crate::xtap::Access::Allowed),
            ),
            m365_shared: (Vec::new(), Vec::new()),
            admins: Vec::new(),
        }
    }
    /// The handle.
    pub fn name(&self) -> &str {
        &self.spec.name
    }
}

impl crate::hash::Canonical for JoinRecord {
    fn canonical(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(
            out,
            "join {:?} {:?} {:?} {:?} {}",
            self.added_by.map(|a| a.0),
            self.member_state,
            self.role,
            self.transition.as_ref().map(|(st, _)| *st),
            self.transition.as_ref().is_some_and(|(_, d)| !d.0.is_empty()),
        );
    }
}
