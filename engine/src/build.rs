//! Building a world before its timeline: the one door every importer (scenario files, CSV
//! downloads, Graph exports) uses. The builder enforces the named limits of
//! [`crate::limits`] and the validation rules (one UPN rule, [`crate::user::upn_problem`]),
//! and reports each problem as a [`BuildError`] that the importer places in its own input
//! (a line and column, a JSON path).

use crate::directory::ObjectKind;
use crate::gen::{self, GenSpec};
use crate::ids::{ConfigIdx, GroupIdx, Guid, MtoIdx, TenantIdx, UserIdx};
use crate::limits;
use crate::membership::MembershipRule;
use crate::mto::{MemberEntry, MemberState, Mto, Role};
use crate::rules::RuleSet;
use crate::state::{DelayMode, World};
use crate::tenant::{JoinRecord, Tenant, TenantSpec};
use crate::time::SimTime;
use crate::user::NewUser;
use crate::world::{PartnerPatch, TemplatesPatch};
use crate::xtap::merge;
use std::fmt;

/// Why a world could not be built as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// A named cap would be passed: its name, its value, and what was asked.
    Limit {
        /// The cap's name in [`crate::limits`].
        name: &'static str,
        /// Its value.
        max: usize,
        /// What it bounds, in words ("tenants in one world").
        what: &'static str,
        /// How many exist before this addition, when that helps.
        before: Option<usize>,
        /// How many this addition adds.
        more: usize,
    },
    /// Two tenants with one handle.
    DuplicateTenantName(String),
    /// Two tenants with one tenant id.
    DuplicateTenantId(Guid),
    /// A userPrincipalName that breaks the UPN rule: the UPN and why.
    InvalidUpn(String, String),
    /// A UPN already present in the directory (case-insensitive).
    DuplicateUpn(String),
    /// A user named as its own manager.
    SelfManager(String),
    /// A user on a domain the tenant has not verified (SIM-4).
    UnverifiedDomain(String),
    /// A per-run cap on total work was reached while building (SIM-3).
    WorkLimit(String),
    /// A group name already present in the directory.
    DuplicateGroup(String),
    /// A second mail contact with the same mail: why.
    DuplicateContact(String),
    /// A partner configuration of a tenant for itself.
    SelfPartner,
    /// A second partner configuration of the same tenant for the same partner.
    DuplicatePartner(String),
    /// A tenant named as its own Cloud Solution Provider.
    SelfCsp,
    /// An MTO to import with no tenant, or with no owner among its tenants.
    MtoWithoutOwner,
    /// A tenant that is already in an MTO.
    AlreadyInMto(String),
    /// A second account in one tenant for the same home user (CTS-26: one person, one
    /// account per tenant): the tenant and the home user's UPN.
    DuplicateAccount(String, String),
    /// An account in the tenant its home user lives in (CTS-20).
    SelfAccount,
    /// A configuration whose target is its own source (CTS-66).
    SelfConfig,
    /// A second configuration of one tenant with one name: the tenant and the name.
    DuplicateConfig(String, String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Limit {
                name: "TENANTS_COUNT_MAX",
                max,
                ..
            } => write!(
                f,
                "at most {max} tenants fit in one world (limits::TENANTS_COUNT_MAX)"
            ),
            BuildError::Limit {
                name,
                max,
                what,
                before: Some(before),
                more,
            } => write!(
                f,
                "more than {max} {what} ({name}); {before} exist before these {more}"
            ),
            BuildError::Limit { name, max, what, .. } => write!(f, "more than {max} {what} ({name})"),
            BuildError::DuplicateTenantName(n) => write!(f, "a tenant named \"{n}\" already exists"),
            BuildError::DuplicateTenantId(id) => write!(f, "tenant id {id} is used twice"),
            BuildError::InvalidUpn(upn, why) => {
                write!(f, "\"{upn}\" is not a userPrincipalName: it {why}")
            }
            BuildError::DuplicateUpn(upn) => write!(f, "a user with UPN {upn} already exists"),
            BuildError::UnverifiedDomain(why) => write!(f, "{why} (SIM-4)"),
            BuildError::WorkLimit(why) => write!(f, "{why} (SIM-3)"),
            BuildError::SelfManager(upn) => write!(
                f,
                "{upn} cannot be its own manager; name another user of the tenant"
            ),
            BuildError::DuplicateGroup(n) => write!(f, "a group named \"{n}\" already exists"),
            BuildError::DuplicateContact(why) => f.write_str(why),
            BuildError::SelfPartner => f.write_str("a tenant has no partner configuration for itself"),
            BuildError::DuplicatePartner(p) => write!(
                f,
                "a second partner configuration for {p}; a tenant has one per partner, so merge the two"
            ),
            BuildError::SelfCsp => f.write_str("a tenant cannot be its own Cloud Solution Provider"),
            BuildError::MtoWithoutOwner => {
                f.write_str("an MTO needs at least one active owner tenant (MTO-25)")
            }
            BuildError::DuplicateAccount(t, upn) => write!(
                f,
                "{t} already holds an account for {upn}; a person has one account per tenant (CTS-26)"
            ),
            BuildError::SelfAccount => {
                f.write_str("an account cannot live in its home user's own tenant (CTS-20)")
            }
            BuildError::SelfConfig => f.write_str(
                "a configuration syncs from one tenant to another, never to its own source (CTS-66)",
            ),
            BuildError::DuplicateConfig(t, n) => write!(
                f,
                "{t} has two configurations named \"{n}\"; mtosim names configurations by display name, so rename one"
            ),
            BuildError::AlreadyInMto(t) => {
                write!(
                    f,
                    "{t} is already in an MTO, and a tenant can be in only one (MTO-3)"
                )
            }
        }
    }
}

/// Builds a world: tenants, their directories, settings and (for imports) a formed MTO, all
/// before the first action.
pub struct Builder {
    world: World,
    /// Users in all tenants together.
    users_total: usize,
    /// The scenario names no start: an import moves it to the export's time.
    start_follows_import: bool,
}

impl Builder {
    /// An empty world under `rules`, starting at `start`.
    pub fn new(rules: RuleSet, seed: u64, start: SimTime, delays: DelayMode) -> Builder {
        Builder {
            world: World::new(rules, seed, start, delays),
            users_total: 0,
            start_follows_import: false,
        }
    }

    /// Lets an import move the world's start to the time its export shows
    /// ([`Builder::imported_up_to`]), for a scenario that names no start of its own.
    pub fn start_follows_import(&mut self) {
        self.start_follows_import = true;
    }

    /// An import's export shows the world as it was at `t`: a world whose start follows the
    /// import starts then, if that is later (call it before adding configurations, whose next
    /// cycles are timed from the start).
    pub fn imported_up_to(&mut self, t: SimTime) {
        if self.start_follows_import && t > self.world.now {
            self.world.now = t;
            self.world.start = t;
        }
    }

    /// The world built so far, for resolving names.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The finished world.
    pub fn finish(self) -> World {
        self.world
    }

    /// Adds a tenant with an empty directory.
    pub fn add_tenant(&mut self, spec: TenantSpec) -> Result<TenantIdx, BuildError> {
        let w = &mut self.world;
        if w.tenants.len() >= limits::TENANTS_COUNT_MAX {
            return Err(BuildError::Limit {
                name: "TENANTS_COUNT_MAX",
                max: limits::TENANTS_COUNT_MAX,
                what: "tenants in one world",
                before: None,
                more: 1,
            });
        }
        if w.tenant_by_name(&spec.name).is_some() {
            return Err(BuildError::DuplicateTenantName(spec.name));
        }
        if w.tenants.iter().any(|t| t.spec.tenant_id == spec.tenant_id) {
            return Err(BuildError::DuplicateTenantId(spec.tenant_id));
        }
        let name = spec.name.clone();
        w.tenants.push(Tenant::new(spec));
        let seed = w.seed;
        if let Some(t) = w.tenants.last_mut() {
            t.dir.set_identity(seed, &name);
        }
        Ok(TenantIdx(w.tenants.len() as u16 - 1))
    }

    /// Records that `csp` is the Cloud Solution Provider of `customer` (MTO-19).
    pub fn set_csp_of(&mut self, csp: TenantIdx, customer: TenantIdx) -> Result<(), BuildError> {
        if csp == customer {
            return Err(BuildError::SelfCsp);
        }
        let of = &mut self.world.tenants[csp.ix()].spec.csp_of;
        if !of.contains(&customer) {
            of.push(customer);
        }
        Ok(())
    }

    /// Whether every string so far fit the string table (INTERNED_STRINGS_MAX).
    fn strings_fit(&self, more: usize) -> Result<(), BuildError> {
        if self.world.strings.is_full() {
            return Err(BuildError::Limit {
                name: "INTERNED_STRINGS_MAX",
                max: limits::INTERNED_STRINGS_MAX,
                what: "distinct attribute values in all tenants together",
                before: Some(self.world.strings.len()),
                more,
            });
        }
        Ok(())
    }

    /// Whether `more` users fit into tenant `t` (USERS_PER_TENANT_MAX, USERS_TOTAL_MAX).
    pub fn check_room(&self, t: TenantIdx, more: usize) -> Result<(), BuildError> {
        let own = self.world.tenants[t.ix()].dir.users().len();
        if own + more > limits::USERS_PER_TENANT_MAX {
            return Err(BuildError::Limit {
                name: "USERS_PER_TENANT_MAX",
                max: limits::USERS_PER_TENANT_MAX,
                what: "users in one tenant",
                before: None,
                more,
            });
        }
        if self.users_total + more > limits::USERS_TOTAL_MAX {
            return Err(BuildError::Limit {
                name: "USERS_TOTAL_MAX",
                max: limits::USERS_TOTAL_MAX,
                what: "users in all tenants together",
                before: Some(self.users_total),
                more,
            });
        }
        Ok(())
    }

    /// Adds a user to tenant `t`: its UPN must follow the UPN rule and be new in the directory.
    pub fn add_user(&mut self, t: TenantIdx, user: &NewUser) -> Result<UserIdx, BuildError> {
        if let Some(why) = crate::user::upn_problem(&user.upn) {
            return Err(BuildError::InvalidUpn(user.upn.clone(), why));
        }
        if !user.upn.contains("#EXT#") {
            if let Some(why) = self.world.tenants[t.ix()].spec.domain_problem(&user.upn) {
                return Err(BuildError::UnverifiedDomain(why));
            }
        }
        self.check_room(t, 1)?;
        let built = user.build(&mut self.world.strings);
        self.strings_fit(1)?;
        let u = self.world.tenants[t.ix()]
            .dir
            .add_user(built)
            .map_err(|_| BuildError::DuplicateUpn(user.upn.clone()))?;
        self.users_total += 1;
        Ok(u)
    }

    /// Makes `manager` the manager of user `u` of tenant `t` (both of `t`; not `u` itself).
    pub fn set_manager(&mut self, t: TenantIdx, u: UserIdx, manager: UserIdx) -> Result<(), BuildError> {
        if u == manager {
            return Err(BuildError::SelfManager(
                self.world.tenants[t.ix()].dir.user(u).upn.to_string(),
            ));
        }
        self.world.tenants[t.ix()].dir.set_manager(u, Some(manager));
        Ok(())
    }

    /// Counts `count` users into tenant `t` as [`Self::generate_users`] does, with the same
    /// refusals at the caps, without generating them (`mtosim check`).
    pub fn count_users(&mut self, t: TenantIdx, count: usize) -> Result<(), BuildError> {
        self.check_room(t, count)?;
        self.users_total += count;
        Ok(())
    }

    /// Generates `spec.count` synthetic users into tenant `t`, on its first domain, avoiding the
    /// UPNs already there.
    pub fn generate_users(&mut self, t: TenantIdx, spec: &GenSpec) -> Result<(), BuildError> {
        self.count_users(t, spec.count)?;
        self.generate_counted(&[(t, spec.clone())]).map_err(|(_, e)| e)
    }

    /// Generates the users of several tenants, each already counted with
    /// [`Self::count_users`], as [`Self::generate_users`] would one tenant after another, with
    /// the same users and symbols, on both cores: the seeded draws and the directories of
    /// different tenants are independent, and only the interning runs in order. An error
    /// names the job (its index in `jobs`) whose strings did not fit.
    pub fn generate_counted(&mut self, jobs: &[(TenantIdx, GenSpec)]) -> Result<(), (usize, BuildError)> {
        let mut seen = vec![false; self.world.tenants.len()];
        if jobs
            .iter()
            .any(|(t, _)| std::mem::replace(&mut seen[t.ix()], true))
        {
            // one tenant twice: the second job must see the first one's users
            for (k, job) in jobs.iter().enumerate() {
                self.generate_counted(std::slice::from_ref(job))
                    .map_err(|(_, e)| (k, e))?;
            }
            return Ok(());
        }
        let w = &mut self.world;
        let seed = w.seed;
        let drawn = crate::par::map_each(jobs, |(t, spec)| {
            let tenant = &w.tenants[t.ix()];
            let dir = &tenant.dir;
            // an empty directory takes no UPN: spare the lookups
            let taken = |u: &str| dir.upn_taken(u);
            let taken: Option<&(dyn Fn(&str) -> bool + Sync)> = if dir.users().is_empty() {
                None
            } else {
                Some(&taken)
            };
            gen::draw(seed, tenant.name(), &tenant.spec.domains[0], spec, taken)
        });
        let mut vocabs = Vec::with_capacity(jobs.len());
        for (k, ((_, spec), d)) in jobs.iter().zip(&drawn).enumerate() {
            vocabs.push(gen::intern(d, spec, &mut w.strings));
            if w.strings.is_full() {
                return Err((k, self.strings_fit(spec.count).expect_err("the table is full")));
            }
        }
        let mut job_of = vec![None; w.tenants.len()];
        for (k, (t, _)) in jobs.iter().enumerate() {
            job_of[t.ix()] = Some(k);
        }
        let strings = &w.strings;
        crate::par::for_each_mut(&mut w.tenants, |i, tenant| {
            let Some(k) = job_of[i] else { return };
            let users = gen::build(&drawn[k], &vocabs[k], &tenant.spec.domains[0], strings);
            tenant
                .dir
                .add_users(users)
                .expect("generated UPNs avoid taken ones");
        });
        Ok(())
    }

    fn check_group_room(&self, t: TenantIdx) -> Result<(), BuildError> {
        if self.world.tenants[t.ix()].dir.groups().len() >= limits::GROUPS_PER_TENANT_MAX {
            return Err(BuildError::Limit {
                name: "GROUPS_PER_TENANT_MAX",
                max: limits::GROUPS_PER_TENANT_MAX,
                what: "groups in one tenant",
                before: None,
                more: 1,
            });
        }
        Ok(())
    }

    /// Adds a static group with its direct members to tenant `t`.
    pub fn add_group(
        &mut self,
        t: TenantIdx,
        name: &str,
        members: Vec<UserIdx>,
    ) -> Result<GroupIdx, BuildError> {
        self.check_group_room(t)?;
        self.world.tenants[t.ix()]
            .dir
            .add_group(name, members)
            .map_err(|_| BuildError::DuplicateGroup(name.to_string()))
    }

    /// Sets group `g`'s kind, role-assignability, nested member groups and description.
    pub fn set_group_shape(
        &mut self,
        t: TenantIdx,
        g: GroupIdx,
        kind: crate::directory::GroupKind,
        role_assignable: bool,
        nested: Vec<GroupIdx>,
        description: Option<String>,
    ) {
        let dir = &mut self.world.tenants[t.ix()].dir;
        dir.set_group_shape(g, kind, role_assignable, nested);
        if description.is_some() {
            dir.set_group_description(g, description.as_deref());
        }
    }

    /// Adds a dynamic group to tenant `t`; its members follow `rule` (CTS-15).
    pub fn add_dynamic_group(
        &mut self,
        t: TenantIdx,
        name: &str,
        rule: MembershipRule,
    ) -> Result<GroupIdx, BuildError> {
        self.check_group_room(t)?;
        let added = self.world.add_dynamic_group(t, name, rule);
        if let Some(hit) = self.world.limit() {
            return Err(BuildError::WorkLimit(hit.to_string()));
        }
        added.map_err(|_| BuildError::DuplicateGroup(name.to_string()))
    }

    /// Sets tenant `t`'s MTO templates: the values given, the rest at their defaults.
    pub fn set_templates(&mut self, t: TenantIdx, patch: TemplatesPatch) {
        let tpl = &mut self.world.tenants[t.ix()].templates;
        merge(&mut tpl.auto_redeem_inbound, patch.auto_redeem_inbound);
        merge(&mut tpl.auto_redeem_outbound, patch.auto_redeem_outbound);
        merge(&mut tpl.mfa_trust, patch.mfa_trust);
        merge(&mut tpl.sync_inbound, patch.sync_inbound);
        if let Some(l) = patch.application {
            tpl.partner_level = l;
            tpl.identity_level = l;
        }
    }

    /// Sets the `templateApplicationLevel` of tenant `t`'s partner configuration template and
    /// of its identity synchronization template, which an export may show apart.
    pub fn set_template_levels(
        &mut self,
        t: TenantIdx,
        partner: crate::xtap::AppLevel,
        identity: crate::xtap::AppLevel,
    ) {
        let tpl = &mut self.world.tenants[t.ix()].templates;
        tpl.partner_level = partner;
        tpl.identity_level = identity;
    }

    /// Adds a mail contact to tenant `t` (MTO-85).
    pub fn add_contact(&mut self, t: TenantIdx, display_name: &str, mail: &str) -> Result<(), BuildError> {
        let dir = &mut self.world.tenants[t.ix()].dir;
        if dir.contact_count() >= limits::GROUPS_PER_TENANT_MAX {
            return Err(BuildError::Limit {
                name: "GROUPS_PER_TENANT_MAX",
                max: limits::GROUPS_PER_TENANT_MAX,
                what: "contacts in one tenant (the group cap applies)",
                before: None,
                more: 1,
            });
        }
        dir.add_contact(display_name, mail)
            .map_err(BuildError::DuplicateContact)
    }

    /// Enables SMS sign-in for user `u` of tenant `t` (CTS-20: sync skips such users).
    pub fn set_sms_sign_in(&mut self, t: TenantIdx, u: UserIdx) {
        self.world.tenants[t.ix()].dir.set_sms_sign_in(u);
    }

    /// Sets tenant `t`'s default B2B collaboration inbound and outbound settings (XTAP-2); `None`
    /// keeps the documented default, allowed for all users and applications.
    pub fn set_default_b2b(
        &mut self,
        t: TenantIdx,
        inbound: Option<crate::xtap::B2bSetting>,
        outbound: Option<crate::xtap::B2bSetting>,
    ) {
        let d = &mut self.world.tenants[t.ix()].default_b2b;
        if let Some(i) = inbound {
            d.0 = i;
        }
        if let Some(o) = outbound {
            d.1 = o;
        }
    }

    /// Adds a named administrator with `roles` to tenant `t` (MTO-53, XTAP-21, CTS-12);
    /// returns its index for [`crate::World::apply_as`].
    pub fn add_admin(
        &mut self,
        t: TenantIdx,
        upn: &str,
        mut roles: Vec<crate::roles::AdminRole>,
    ) -> Result<usize, BuildError> {
        let tenant = &mut self.world.tenants[t.ix()];
        if tenant.admins.len() >= limits::ADMINS_PER_TENANT_MAX {
            return Err(BuildError::Limit {
                name: "ADMINS_PER_TENANT_MAX",
                max: limits::ADMINS_PER_TENANT_MAX,
                what: "administrators of one tenant",
                before: None,
                more: 1,
            });
        }
        if let Some(why) = tenant.spec.domain_problem(upn) {
            return Err(BuildError::UnverifiedDomain(why));
        }
        if tenant.admins.iter().any(|a| a.upn.eq_ignore_ascii_case(upn)) {
            return Err(BuildError::DuplicateUpn(upn.to_string()));
        }
        roles.sort_unstable();
        roles.dedup();
        tenant.admins.push(crate::roles::Admin {
            upn: upn.to_string(),
            roles,
        });
        Ok(tenant.admins.len() - 1)
    }

    /// Creates tenant `t`'s partner configuration for `partner` with the values given; a
    /// `sync_inbound` value creates its identity sync policy (XTAP-8).
    pub fn add_partner(
        &mut self,
        t: TenantIdx,
        partner: TenantIdx,
        patch: PartnerPatch,
    ) -> Result<(), BuildError> {
        if t == partner {
            return Err(BuildError::SelfPartner);
        }
        let name = self.world.name(partner).to_string();
        let partners = &mut self.world.tenants[t.ix()].partners;
        if partners.contains_key(&partner) {
            return Err(BuildError::DuplicatePartner(name));
        }
        let p = partners.entry(partner).or_default();
        p.auto_redeem_inbound = patch.auto_redeem_inbound;
        p.auto_redeem_outbound = patch.auto_redeem_outbound;
        p.mfa_trust = patch.mfa_trust;
        p.b2b_inbound = patch.b2b_inbound;
        p.b2b_outbound = patch.b2b_outbound;
        p.has_sync_policy = patch.sync_inbound.is_some() || patch.group_sync_inbound.is_some();
        p.sync_inbound = patch.sync_inbound;
        p.group_sync_inbound = patch.group_sync_inbound;
        p.cross_cloud_sync = patch.cross_cloud_sync.unwrap_or(false);
        Ok(())
    }

    /// Imports an MTO that is already formed: `tenants` are active in it with their roles, as
    /// if they had created or joined it before the timeline (an export of real tenants). The
    /// first owner listed is its creator. Every pair of active tenants is flagged
    /// `isInMultiTenantOrganization` in the partner configurations that exist.
    pub fn add_formed_mto(
        &mut self,
        display_name: &str,
        description: &str,
        created_at: SimTime,
        tenants: &[(TenantIdx, Role)],
    ) -> Result<MtoIdx, BuildError> {
        let Some(&(creator, _)) = tenants.iter().find(|(_, r)| *r == Role::Owner) else {
            return Err(BuildError::MtoWithoutOwner);
        };
        let members: Vec<ImportedMember> = tenants
            .iter()
            .map(|&(tenant, role)| ImportedMember {
                tenant,
                role,
                state: MemberState::Active,
                added_by: creator,
                added_at: created_at,
                joined_at: (tenant != creator).then_some(created_at),
                transition: None,
                local_id: None,
            })
            .collect();
        self.add_imported_mto(display_name, description, created_at, &members)
    }

    /// Imports an MTO as an export shows it: each listed tenant with its role, state (active
    /// or pending: a tenant added that has not joined, or whose join failed), who added it and
    /// when, when it joined, its transition details and its local id of the MTO (derived from
    /// the seed when `None`). The first active owner is its creator. Every pair of active
    /// tenants gets partner settings flagged `isInMultiTenantOrganization`, created
    /// unconfigured where missing, as a join creates them (MTO-56).
    pub fn add_imported_mto(
        &mut self,
        display_name: &str,
        description: &str,
        created_at: SimTime,
        members: &[ImportedMember],
    ) -> Result<MtoIdx, BuildError> {
        let active = |e: &&ImportedMember| e.state == MemberState::Active;
        let Some(creator) = members
            .iter()
            .filter(active)
            .find(|e| e.role == Role::Owner)
            .map(|e| e.tenant)
        else {
            return Err(BuildError::MtoWithoutOwner);
        };
        let w = &mut self.world;
        if let Some(e) = members.iter().find(|e| {
            w.tenants[e.tenant.ix()].mto.is_some()
                || w.mtos.iter().any(|m| !m.deleted && m.entry(e.tenant).is_some())
        }) {
            return Err(BuildError::AlreadyInMto(w.name(e.tenant).to_string()));
        }
        let m = MtoIdx(w.mtos.len() as u32);
        w.mtos.push(Mto {
            display_name: display_name.to_string(),
            description: description.to_string(),
            created_at,
            creator,
            members: members
                .iter()
                .map(|e| MemberEntry {
                    tenant: e.tenant,
                    role: e.role,
                    state: e.state,
                    added_by: e.added_by,
                    added_at: e.added_at,
                    joined_at: e.joined_at,
                    transition: e.transition.clone(),
                    imported: e.state == MemberState::Active,
                })
                .collect(),
            deleted: false,
        });
        let actives: Vec<TenantIdx> = members.iter().filter(active).map(|e| e.tenant).collect();
        for e in members.iter().filter(active) {
            let t = e.tenant;
            let local = e.local_id.unwrap_or_else(|| {
                Guid::derive(w.seed, &[b"mto-local", &m.0.to_le_bytes(), &t.0.to_le_bytes()])
            });
            let ten = &mut w.tenants[t.ix()];
            ten.mto = Some(m);
            ten.local_mto_id = Some(local);
            if t != creator {
                ten.join = JoinRecord {
                    added_by: Some(e.added_by),
                    member_state: Some(MemberState::Active),
                    role: Some(e.role),
                    transition: None,
                };
            }
            for &o in actives.iter().filter(|&&o| o != t) {
                let p = ten.partners.entry(o).or_default();
                p.in_mto = true;
                p.has_sync_policy = true;
            }
        }
        Ok(m)
    }

    /// Sets tenant `t`'s join request record as an export shows it (`addedByTenantId`,
    /// `memberState`, `role`, `transitionDetails`).
    pub fn set_join_record(&mut self, t: TenantIdx, join: JoinRecord) {
        self.world.tenants[t.ix()].join = join;
    }

    /// Sets the flags of tenant `t`'s partner configuration for `partner` that an export shows
    /// but no setting decides: `isInMultiTenantOrganization`, and whether the identity
    /// synchronization policy exists. Does nothing when there is no such configuration.
    pub fn set_partner_flags(&mut self, t: TenantIdx, partner: TenantIdx, in_mto: bool, sync_policy: bool) {
        if let Some(p) = self.world.tenants[t.ix()].partners.get_mut(&partner) {
            p.in_mto = in_mto;
            p.has_sync_policy = sync_policy;
        }
    }

    /// Gives object `i` of `kind` in tenant `t` the object id an export shows.
    pub fn set_object_id(&mut self, t: TenantIdx, kind: ObjectKind, i: u32, id: Guid) {
        self.world.tenants[t.ix()].dir.set_given_id(kind, i, id);
    }

    /// Gives user `u` of tenant `t` the `createdDateTime` an export shows.
    pub fn set_user_created(&mut self, t: TenantIdx, u: UserIdx, at: SimTime) {
        self.world.tenants[t.ix()].dir.set_user_created(u, at);
    }

    /// Gives tenant `t`'s singleton object `what` (`joinRequest`, `partnerTemplate`,
    /// `identityTemplate`) the id an export shows.
    pub fn set_singleton_id(&mut self, t: TenantIdx, what: &'static str, id: Guid) {
        self.world.tenants[t.ix()].given_singletons.insert(what, id);
    }

    /// Adds an account to tenant `t` standing for user `home_user` of tenant `home`, as an
    /// export shows it: it holds exactly the values given (no configuration wrote it here, so
    /// none derives them; a configuration created later matches it through the link, CTS-26).
    pub fn add_account(&mut self, t: TenantIdx, account: &ImportedAccount) -> Result<u32, BuildError> {
        use crate::directory::{account_flags, ExternalAccount, NO_CONFIG};
        let home = account.home;
        if home == t {
            return Err(BuildError::SelfAccount);
        }
        let home_users = self.world.tenants[home.ix()].dir.users().len();
        if self.world.tenants[t.ix()]
            .dir
            .account_of(home, account.home_user)
            .is_some()
        {
            let upn = self.world.tenants[home.ix()]
                .dir
                .user(account.home_user)
                .upn
                .to_string();
            return Err(BuildError::DuplicateAccount(self.world.name(t).to_string(), upn));
        }
        self.check_room(t, 1)?;
        let mut flags = account_flags::FROZEN;
        if account.enabled {
            flags |= account_flags::ENABLED;
        }
        if account.pending_acceptance {
            flags |= account_flags::PENDING_ACCEPTANCE;
        } else {
            flags |= account_flags::BY_SYNC;
        }
        let version = self.world.tenants[home.ix()].dir.user(account.home_user).version;
        let values: Vec<_> = account
            .values
            .iter()
            .map(|(a, v)| (*a, self.world.strings.intern(v)))
            .collect();
        self.strings_fit(1)?;
        let dir = &mut self.world.tenants[t.ix()].dir;
        let ai = dir.add_external(
            ExternalAccount {
                source_user: account.home_user,
                config: NO_CONFIG,
                source_tenant: home,
                user_type: account.user_type,
                flags,
                created_at: account.created,
                version,
            },
            home_users,
        );
        dir.set_account_values(ai, values);
        dir.set_upn_override(ai, &account.upn);
        let (show, extra) = (account.show_in_address_list, account.extra.clone());
        dir.update_account_extra(ai, |e| {
            e.show_in_address_list = show;
            e.values = extra;
        });
        dir.set_given_id(ObjectKind::Account, ai, account.id);
        self.users_total += 1;
        Ok(ai)
    }

    /// Adds a configuration as an export shows it, with its job in the state the export shows.
    /// A job that has finished a cycle continues with incremental cycles (the accounts it made
    /// are matched through their links, CTS-26); a scheduled job's next cycle is 40 minutes
    /// after its last (at once when that has passed), a quarantined one's at `nextAttempt`.
    /// What an export does not show (escrowed users, held deletions, the cycle in progress)
    /// starts empty.
    pub fn add_config(&mut self, c: ImportedConfig) -> Result<ConfigIdx, BuildError> {
        use crate::sync::{JobStatus, SyncConfig, CYCLE_INTERVAL};
        if c.source == c.target {
            return Err(BuildError::SelfConfig);
        }
        let w = &mut self.world;
        if w.config_by_name(c.source, &c.name).is_some() {
            return Err(BuildError::DuplicateConfig(w.name(c.source).to_string(), c.name));
        }
        if w.configs.len() >= limits::CONFIGS_COUNT_MAX {
            return Err(BuildError::Limit {
                name: "CONFIGS_COUNT_MAX",
                max: limits::CONFIGS_COUNT_MAX,
                what: "synchronization configurations",
                before: None,
                more: 1,
            });
        }
        let idx = ConfigIdx(w.configs.len() as u32);
        let mut cfg = SyncConfig::new(c.name, c.source, c.target, c.m365, c.created_at);
        cfg.scope_all = c.scope_all;
        let (mut users, mut groups) = (c.users, c.groups);
        users.sort_unstable();
        users.dedup();
        groups.sort_unstable();
        groups.dedup();
        cfg.users = users;
        cfg.groups = groups;
        cfg.filter = c.filter;
        if let Some((mappings, customized)) = c.mappings {
            cfg.schema = std::sync::Arc::new(crate::schema::Schema::new(mappings, customized));
        }
        cfg.delete_action = c.delete_action;
        cfg.delete_threshold = c.delete_threshold;
        cfg.provision_groups = c.provision_groups;
        cfg.automatic = c.automatic;
        cfg.cross_cloud = c.cross_cloud;
        cfg.given_ids = Some(Box::new(c.ids));
        let job = &mut cfg.job;
        job.status = c.status;
        job.scheduled = c.scheduled && c.automatic;
        job.quarantine = c.quarantine;
        job.last_finished_at = c.last_finished;
        job.initial_done = c.last_finished.is_some() && c.status != JobStatus::NotRun;
        job.imported_exports = c.exports;
        // the source's change log starts empty: an incremental cycle reads what changes from here
        job.watermark = w.tenants[c.source.ix()].dir.changes().len();
        let next = if !job.scheduled {
            None
        } else if let Some(q) = &job.quarantine {
            Some(q.next_attempt.unwrap_or(w.now).max(w.now))
        } else {
            Some(c.last_finished.map_or(w.now, |l| (l + CYCLE_INTERVAL).max(w.now)))
        };
        job.next_start = next;
        // the accounts synchronization made in the target for the source's users are this
        // configuration's (the export shows no owner; one configuration per pair, CTS-67); a
        // Guest it would not have written (no Guest mapping) is an invitation taken over, and
        // stays no configuration's (INV-6)
        let (source, target) = (cfg.source, cfg.target);
        let writes_guests = cfg.user_type() == crate::directory::UserType::Guest;
        let dir = &mut w.tenants[target.ix()].dir;
        let linked: Vec<u32> = dir.linked_accounts(source).collect();
        for ai in linked {
            let a = dir.account_mut(ai);
            let guest = a.user_type == crate::directory::UserType::Guest;
            if a.config == crate::directory::NO_CONFIG
                && a.flags & crate::directory::account_flags::BY_SYNC != 0
                && (writes_guests || !guest)
            {
                a.config = idx;
            }
        }
        // the groups it made in the target stand for the assigned groups of their name (an
        // export shows no link; CTS-63): the group pass updates them instead of making more
        if cfg.provision_groups {
            let names: Vec<(GroupIdx, Box<str>, u32)> = cfg
                .groups
                .iter()
                .map(|&g| {
                    let sg = &w.tenants[source.ix()].dir.groups()[g.ix()];
                    (g, sg.name.clone(), sg.version)
                })
                .collect();
            let dir = &mut w.tenants[target.ix()].dir;
            for i in 0..dir.synced_groups().len() {
                let s = &dir.synced_groups()[i];
                if s.deleted || s.config != crate::directory::NO_CONFIG || s.source != source {
                    continue;
                }
                let same: Vec<&(GroupIdx, Box<str>, u32)> =
                    names.iter().filter(|(_, n, _)| **n == *s.name).collect();
                if let [(g, _, version)] = same.as_slice() {
                    let taken = dir
                        .synced_groups()
                        .iter()
                        .any(|x| x.config == idx && x.source_group == *g);
                    if !taken {
                        let s = dir.synced_group_mut(i);
                        s.config = idx;
                        s.source_group = *g;
                        s.written_version = *version;
                    }
                }
            }
        }
        w.configs.push(cfg);
        if let Some(at) = next {
            w.schedule_cycle(idx, at);
        }
        Ok(idx)
    }

    /// Makes account `manager` the manager account `ai` of tenant `t` shows (CTS-37).
    pub fn set_account_manager(&mut self, t: TenantIdx, ai: u32, manager: u32) {
        self.world.tenants[t.ix()]
            .dir
            .update_account_extra(ai, |e| e.manager = Some(manager));
    }

    /// Adds a group that cross-tenant synchronization created in tenant `t` from a group of
    /// `source`, as an export shows it: its members are accounts of `t`. No configuration of
    /// this world created it, so no group pass changes it.
    pub fn add_synced_group(
        &mut self,
        t: TenantIdx,
        source: TenantIdx,
        name: &str,
        description: Option<&str>,
        mut members: Vec<u32>,
    ) -> Result<usize, BuildError> {
        self.check_group_room(t)?;
        members.sort_unstable();
        members.dedup();
        Ok(self.world.tenants[t.ix()]
            .dir
            .add_synced_group(crate::directory::SyncedGroup {
                name: name.into(),
                description: description.map(Into::into),
                config: crate::directory::NO_CONFIG,
                source,
                source_group: GroupIdx(u32::MAX),
                written_version: 0,
                members,
                deleted: false,
            }))
    }
}

/// One tenant of an MTO an export lists ([`Builder::add_imported_mto`]).
#[derive(Clone, Debug)]
pub struct ImportedMember {
    /// The tenant.
    pub tenant: TenantIdx,
    /// `role`.
    pub role: Role,
    /// `state`: active or pending.
    pub state: MemberState,
    /// `addedByTenantId`.
    pub added_by: TenantIdx,
    /// `addedDateTime`.
    pub added_at: SimTime,
    /// `joinedDateTime`.
    pub joined_at: Option<SimTime>,
    /// `transitionDetails`.
    pub transition: Option<crate::mto::Transition>,
    /// The tenant's local id of the MTO (`GET /tenantRelationships/multiTenantOrganization`).
    pub local_id: Option<Guid>,
}

/// A cross-tenant synchronization configuration an export shows: its service principal, job,
/// schema, app role assignments and saved credentials ([`Builder::add_config`]).
#[derive(Clone, Debug)]
pub struct ImportedConfig {
    /// The service principal's `displayName`.
    pub name: String,
    /// The tenant it syncs from.
    pub source: TenantIdx,
    /// The tenant it syncs to (`CompanyId`).
    pub target: TenantIdx,
    /// Made by the Microsoft 365 admin center (`MTO_Sync_<target tenant id>`, MTO-70).
    pub m365: bool,
    /// "Sync all users and groups" (`SyncAll`, CTS-14).
    pub scope_all: bool,
    /// Directly assigned users.
    pub users: Vec<UserIdx>,
    /// Assigned groups.
    pub groups: Vec<GroupIdx>,
    /// Scoping filters (CTS-16).
    pub filter: Option<crate::scoping::ScopingFilter>,
    /// The user mapping's attribute mappings, and whether the schema is customized; `None`
    /// keeps the defaults of `created_at`.
    pub mappings: Option<(Vec<crate::schema::AttributeMapping>, bool)>,
    /// When it was created (the schema's version date).
    pub created_at: SimTime,
    /// The Delete action (`flowTypes`, CTS-43).
    pub delete_action: bool,
    /// The accidental-deletion threshold (CTS-51).
    pub delete_threshold: Option<u32>,
    /// The group object mapping enabled (CTS-64).
    pub provision_groups: bool,
    /// Provisioning Mode Automatic: credentials were saved (CTS-75).
    pub automatic: bool,
    /// Across clouds (CTS-8).
    pub cross_cloud: bool,
    /// `status.code`.
    pub status: crate::sync::JobStatus,
    /// `schedule.state` Active.
    pub scheduled: bool,
    /// `status.quarantine`.
    pub quarantine: Option<crate::sync::Quarantine>,
    /// `status.lastExecution.timeEnded`.
    pub last_finished: Option<SimTime>,
    /// `status.lastExecution.countExported`.
    pub exports: u64,
    /// The ids the export gave.
    pub ids: crate::sync::ConfigIds,
}

/// An account an export shows in a tenant for a user of another tenant of the world
/// ([`Builder::add_account`]).
#[derive(Clone, Debug)]
pub struct ImportedAccount {
    /// Its object id.
    pub id: Guid,
    /// The home tenant.
    pub home: TenantIdx,
    /// The home user.
    pub home_user: UserIdx,
    /// `userPrincipalName`.
    pub upn: String,
    /// `userType`.
    pub user_type: crate::user::UserType,
    /// `accountEnabled`.
    pub enabled: bool,
    /// `externalUserState` PendingAcceptance: an invitation not yet redeemed.
    pub pending_acceptance: bool,
    /// `createdDateTime`.
    pub created: SimTime,
    /// Attribute values (`""` is null).
    pub values: Vec<(crate::user::Attr, String)>,
    /// Sparse properties.
    pub extra: Vec<(crate::extra::ExtraProp, Box<str>)>,
    /// `showInAddressList`.
    pub show_in_address_list: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSetKind;

    fn spec(name: &str) -> TenantSpec {
        TenantSpec::with_identity(
            name,
            name,
            Guid::derive(3, &[name.as_bytes()]),
            &format!("{name}.onmicrosoft.com"),
            vec![format!("{name}.com")],
        )
    }

    fn builder() -> (Builder, TenantIdx, TenantIdx) {
        let mut b = Builder::new(
            RuleSet::new(RuleSetKind::Ga),
            3,
            SimTime::DEFAULT_START,
            DelayMode::Max,
        );
        let a = b.add_tenant(spec("a")).unwrap();
        let c = b.add_tenant(spec("c")).unwrap();
        (b, a, c)
    }

    fn user(upn: &str) -> NewUser {
        NewUser {
            upn: upn.into(),
            attrs: Vec::new(),
            user_type: crate::user::UserType::Member,
            account_enabled: true,
            extra: Vec::new(),
        }
    }

    #[test]
    fn one_upn_rule_and_unique_upns() {
        let (mut b, a, _) = builder();
        b.add_user(a, &user("x@a.com")).unwrap();
        assert_eq!(
            b.add_user(a, &user("X@A.com")),
            Err(BuildError::DuplicateUpn("X@A.com".into()))
        );
        for bad in ["", "no-at", "two@@a.com", "a b@a.com", "@a.com", "x@a.com@b"] {
            assert!(
                matches!(b.add_user(a, &user(bad)), Err(BuildError::InvalidUpn(..))),
                "{bad:?} is refused"
            );
        }
        let long = format!("{}@a.com", "x".repeat(limits::UPN_CHARS_MAX));
        assert!(matches!(
            b.add_user(a, &user(&long)),
            Err(BuildError::InvalidUpn(..))
        ));
    }

    #[test]
    fn tenants_are_unique_by_name_and_id() {
        let (mut b, _, _) = builder();
        assert_eq!(
            b.add_tenant(spec("a")),
            Err(BuildError::DuplicateTenantName("a".into()))
        );
        let mut other = spec("z");
        other.tenant_id = spec("a").tenant_id;
        assert!(matches!(
            b.add_tenant(other),
            Err(BuildError::DuplicateTenantId(_))
        ));
    }

    #[test]
    fn partners_one_per_pair_and_no_self_relations() {
        let (mut b, a, c) = builder();
        b.add_partner(a, c, PartnerPatch::default()).unwrap();
        assert_eq!(
            b.add_partner(a, c, PartnerPatch::default()),
            Err(BuildError::DuplicatePartner("c".into()))
        );
        assert_eq!(
            b.add_partner(a, a, PartnerPatch::default()),
            Err(BuildError::SelfPartner)
        );
        assert_eq!(b.set_csp_of(a, a), Err(BuildError::SelfCsp));
        b.set_csp_of(a, c).unwrap();
        b.set_csp_of(a, c).unwrap();
        assert_eq!(b.world().tenant(a).spec.csp_of, vec![c]);
    }

    #[test]
    fn limits_are_named_errors() {
        let (b, a, _) = builder();
        let e = b.check_room(a, limits::USERS_PER_TENANT_MAX + 1).unwrap_err();
        assert!(e.to_string().contains("USERS_PER_TENANT_MAX"), "{e}");
        let e = b.check_room(a, limits::USERS_TOTAL_MAX + 1).unwrap_err();
        assert!(
            e.to_string().contains("USERS_PER_TENANT_MAX"),
            "the per-tenant cap comes first: {e}"
        );
    }

    #[test]
    fn inv_4_accepts_an_mto_imported_formed() {
        let (mut b, a, c) = builder();
        b.add_partner(a, c, PartnerPatch::default()).unwrap();
        b.add_partner(c, a, PartnerPatch::default()).unwrap();
        b.add_formed_mto(
            "Org",
            "",
            SimTime::DEFAULT_START,
            &[(a, Role::Owner), (c, Role::Member)],
        )
        .unwrap();
        let w = b.finish();
        assert_eq!(w.mto_view(c).active_tenants, 2);
        assert!(w.tenant(a).partners[&c].in_mto);
        assert_eq!(w.check_invariants(), Ok(()));
        let (mut b, a, c) = builder();
        assert_eq!(
            b.add_formed_mto(
                "Org",
                "",
                SimTime::DEFAULT_START,
                &[(a, Role::Member), (c, Role::Member)]
            ),
            Err(BuildError::MtoWithoutOwner)
        );
    }
}
