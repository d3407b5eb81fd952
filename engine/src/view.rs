//! What a tenant's administrator can read: every object of one tenant as that tenant sees it,
//! with a stable object id derived from the scenario seed (or the id and creation time an
//! import kept, [`crate::build::Builder::set_object_id`]). Every surface (checks, exports, the
//! Graph server, reports) reads tenants through these views, so that what a tenant sees is
//! computed in one place.
//!
//! A view borrows the world; nothing here changes it.

use crate::account::Shown;
use crate::directory::{account_flags, Attr, ObjectKind, User, UserType};
use crate::ids::{ConfigIdx, Guid, TenantIdx, UserIdx};
use crate::mto::{MemberState, ProcessingStatus, Role, Transition};
use crate::refusal::Message;
use crate::sync::{CycleStats, JobStatus, ProvAction, ProvStatus, Quarantine};
use crate::time::SimTime;
use crate::xtap::{Access, AppLevel};
use crate::World;
use rustc_hash::FxHashMap as HashMap;

/// The objects tenant `tenant` can read.
#[derive(Clone, Copy)]
pub struct TenantView<'w> {
    world: &'w World,
    tenant: TenantIdx,
}

/// Where a user object comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserOrigin {
    /// A user created in this tenant.
    Internal,
    /// A B2B user created in this tenant with an `#EXT#` UPN whose home tenant is not
    /// simulated (an imported external user).
    ImportedExternal,
    /// An account standing for a user of another simulated tenant, made by cross-tenant
    /// synchronization or an invitation.
    Account {
        /// The home tenant.
        home: TenantIdx,
        /// An invitation not yet redeemed (`externalUserState` PendingAcceptance, CTS-31).
        pending_acceptance: bool,
    },
}

/// One user object of a tenant, as `GET /users/{id}` would show it.
#[derive(Clone, Debug)]
pub struct UserObject<'w> {
    /// The object id.
    pub id: Guid,
    /// `userPrincipalName`.
    pub upn: String,
    /// `userType`.
    pub user_type: UserType,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// `createdDateTime`.
    pub created: SimTime,
    /// Internal user, imported external user, or account of another tenant's user.
    pub origin: UserOrigin,
    /// `showInAddressList`, when a mapping wrote it.
    pub show_in_address_list: Option<bool>,
    /// `manager`: its object id and userPrincipalName (for an account, the reference a cycle
    /// resolved, CTS-37).
    pub manager: Option<(Guid, String)>,
    values: Values<'w>,
}

/// Where a user object's attribute values come from.
#[derive(Clone, Copy, Debug)]
enum Values<'w> {
    /// A user of the tenant's own directory.
    Own(&'w User, &'w crate::strings::Interner),
    /// An account: what its mapping wrote.
    Account(Shown<'w>),
}

impl<'w> UserObject<'w> {
    /// The sparse properties that have a value (see [`crate::extra`]), in the order set.
    pub fn extras(&self) -> Vec<(&'w crate::extra::ExtraProp, Vec<&'w str>)> {
        match self.values {
            Values::Own(u, _) => u.extra.as_deref().map_or_else(Vec::new, |e| {
                e.iter()
                    .map(|(p, v)| (p, v.iter().map(|x| &**x).collect()))
                    .collect()
            }),
            Values::Account(shown) => shown
                .extra_values()
                .iter()
                .map(|(p, v)| (p, vec![&**v]))
                .collect(),
        }
    }

    /// The value of attribute `a`, `None` for null. A synchronized account shows a target-side
    /// edit (CTS-48), else its home user's value.
    pub fn attr(&self, a: Attr) -> Option<&'w str> {
        match self.values {
            Values::Own(u, strings) => {
                let t = u.text(a, strings);
                (!t.is_empty()).then_some(t)
            }
            Values::Account(shown) => shown.attr(a),
        }
    }
}

impl World {
    /// What tenant `t` can read.
    pub fn view(&self, t: TenantIdx) -> TenantView<'_> {
        TenantView {
            world: self,
            tenant: t,
        }
    }

    /// The object id of user `u` of tenant `t`.
    pub fn user_id(&self, t: TenantIdx, u: UserIdx) -> Guid {
        self.tenant(t).dir.user_object_id(u)
    }

    /// The object id of external account `ai` of tenant `t`.
    pub fn account_id(&self, t: TenantIdx, ai: u32) -> Guid {
        if let Some(id) = self.tenant(t).dir.given_id(ObjectKind::Account, ai) {
            return id;
        }
        Guid::derive(
            self.seed,
            &[b"account", self.name(t).as_bytes(), &ai.to_le_bytes()],
        )
    }

    /// The object id of one of tenant `t`'s singleton objects (`joinRequest`,
    /// `partnerTemplate`, `identityTemplate`).
    pub fn singleton_id(&self, t: TenantIdx, what: &str) -> Guid {
        if let Some(&id) = self.tenant(t).given_singletons.get(what) {
            return id;
        }
        Guid::derive(
            self.seed,
            &[b"graph-id", what.as_bytes(), self.name(t).as_bytes()],
        )
    }
}

impl<'w> TenantView<'w> {
    /// The viewing tenant.
    pub fn tenant(&self) -> TenantIdx {
        self.tenant
    }

    fn internal(&self, u: UserIdx) -> UserObject<'w> {
        let w = self.world;
        let user = &w.tenant(self.tenant).dir.users()[u.ix()];
        UserObject {
            id: w.user_id(self.tenant, u),
            upn: user.upn.to_string(),
            user_type: user.user_type,
            account_enabled: user.account_enabled,
            created: w.tenant(self.tenant).dir.user_created(u).unwrap_or(w.start),
            origin: if user.external {
                UserOrigin::ImportedExternal
            } else {
                UserOrigin::Internal
            },
            show_in_address_list: None,
            manager: user.manager.map(|m| {
                (
                    w.user_id(self.tenant, m),
                    w.tenant(self.tenant).dir.user(m).upn.to_string(),
                )
            }),
            values: Values::Own(user, &w.strings),
        }
    }

    fn account(&self, ai: u32) -> UserObject<'w> {
        let w = self.world;
        let dir = &w.tenant(self.tenant).dir;
        let a = &dir.externals()[ai as usize];
        UserObject {
            id: w.account_id(self.tenant, ai),
            upn: w.external_upn(self.tenant, ai),
            user_type: a.user_type,
            account_enabled: a.is_enabled(),
            created: a.created_at,
            origin: UserOrigin::Account {
                home: a.source_tenant,
                pending_acceptance: a.flags & account_flags::PENDING_ACCEPTANCE != 0,
            },
            show_in_address_list: w.shown(self.tenant, ai).show_in_address_list(),
            manager: w
                .shown(self.tenant, ai)
                .manager()
                .map(|m| (w.account_id(self.tenant, m), w.external_upn(self.tenant, m))),
            values: Values::Account(w.shown(self.tenant, ai)),
        }
    }

    /// MTO-33: how many of the tenant's B2B users are multitenant organization members: accounts
    /// of userType Member whose home tenant is active in the same MTO as this tenant (B2B
    /// guests are unaffected). Graph has no per-user property for it; it follows from the two.
    pub fn mto_members(&self) -> usize {
        let w = self.world;
        let Some(m) = w.mto_view(self.tenant).mto else {
            return 0;
        };
        let mto = &w.mtos[m.ix()];
        let active = |t: TenantIdx| {
            mto.entry(t)
                .is_some_and(|e| e.state == crate::mto::MemberState::Active)
        };
        if !active(self.tenant) {
            return 0;
        }
        self.users()
            .filter(|u| u.user_type == UserType::Member)
            .filter(|u| matches!(u.origin, UserOrigin::Account { home, .. } if active(home)))
            .count()
    }

    /// Every user object that is not deleted: the tenant's own users first, in creation
    /// order, then the accounts standing for other tenants' users.
    pub fn users(&self) -> impl Iterator<Item = UserObject<'w>> + 'w {
        self.users_from(0)
    }

    /// [`Self::users`] without its first `skip` objects, which are passed over without being
    /// built (a page deep into a large directory costs its own objects only).
    pub fn users_from(&self, skip: usize) -> impl Iterator<Item = UserObject<'w>> + 'w {
        let me = *self;
        let dir = &self.world.tenant(self.tenant).dir;
        // with no own user deleted, the first `skip` own users are passed over without a scan
        let own = if dir.deleted_users() == 0 {
            skip.min(dir.users().len())
        } else {
            0
        };
        self.user_slots(own).skip(skip - own).map(move |slot| match slot {
            UserSlot::Own(u) => me.internal(u),
            UserSlot::Account(ai) => me.account(ai),
        })
    }

    /// Where each user object of [`Self::users`] is kept, in the same order, from the own
    /// user at index `first` on.
    fn user_slots(&self, first: usize) -> impl Iterator<Item = UserSlot> + 'w {
        let dir = &self.world.tenant(self.tenant).dir;
        let own = (first..dir.users().len())
            .filter(move |&i| dir.users()[i].deleted_at.is_none())
            .map(|i| UserSlot::Own(UserIdx(i as u32)));
        let accounts = (0..dir.externals().len())
            .filter(move |&ai| {
                let a = &dir.externals()[ai];
                !a.is_soft_deleted() && !a.is_purged()
            })
            .map(|ai| UserSlot::Account(ai as u32));
        own.chain(accounts)
    }

    /// The user object (not deleted) whose object id is `id`, found through `index` (built for
    /// this tenant by [`UserIdIndex::build`] and still [`UserIdIndex::fresh`]).
    pub fn user_by_id(&self, index: &UserIdIndex, id: Guid) -> Option<UserObject<'w>> {
        debug_assert!(index.fresh(self.world, self.tenant));
        let dir = &self.world.tenant(self.tenant).dir;
        match *index.ids.get(&id)? {
            UserSlot::Own(u) => dir.users()[u.ix()].deleted_at.is_none().then(|| self.internal(u)),
            UserSlot::Account(ai) => {
                let a = &dir.externals()[ai as usize];
                (!a.is_soft_deleted() && !a.is_purged()).then(|| self.account(ai))
            }
        }
    }

    /// The tenant's own user `u` as a user object, unless it is deleted.
    pub fn own_user(&self, u: UserIdx) -> Option<UserObject<'w>> {
        let dir = &self.world.tenant(self.tenant).dir;
        dir.users()
            .get(u.ix())
            .is_some_and(|x| x.deleted_at.is_none())
            .then(|| self.internal(u))
    }

    /// The active (not deleted) user object with this UPN, if any: an `#EXT#` account of
    /// another tenant's user, or one of the tenant's own users.
    pub fn user_by_upn(&self, upn: &str) -> Option<UserObject<'w>> {
        let w = self.world;
        if let Some(ai) = w.external_by_upn(self.tenant, upn) {
            let a = &w.tenant(self.tenant).dir.externals()[ai as usize];
            return (!a.is_soft_deleted()).then(|| self.account(ai));
        }
        let dir = &w.tenant(self.tenant).dir;
        let u = dir.user_by_upn(upn)?;
        dir.users()[u.ix()].deleted_at.is_none().then(|| self.internal(u))
    }
}

/// `multiTenantOrganization` as a tenant in it sees it (MTO-2, MTO-11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MtoObject<'w> {
    /// The tenant's local id of the MTO (MTO-2).
    pub id: Guid,
    /// `createdDateTime`.
    pub created: SimTime,
    /// `displayName`.
    pub display_name: &'w str,
    /// `description`.
    pub description: &'w str,
}

/// One entry of the member list (`multiTenantOrganizationMember`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberObject<'w> {
    /// `tenantId`.
    pub tenant_id: Guid,
    /// `displayName`: the member tenant's organization name.
    pub display_name: &'w str,
    /// `addedDateTime`.
    pub added: SimTime,
    /// `joinedDateTime`.
    pub joined: Option<SimTime>,
    /// `addedByTenantId`.
    pub added_by: Guid,
    /// `role`.
    pub role: Role,
    /// `state`.
    pub state: MemberState,
    /// `transitionDetails`.
    pub transition: Option<&'w Transition>,
}

/// `multiTenantOrganizationJoinRequestRecord` (MTO-28).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequestObject<'w> {
    /// The object id.
    pub id: Guid,
    /// `addedByTenantId` (the all-zero GUID when none, MTO-29).
    pub added_by: Guid,
    /// `memberState`.
    pub member_state: Option<MemberState>,
    /// `role`.
    pub role: Option<Role>,
    /// `transitionDetails.status` and `.details`, why it failed (`desiredMemberState` is
    /// always active).
    pub transition: Option<(ProcessingStatus, &'w Message)>,
}

/// `multiTenantOrganizationPartnerConfigurationTemplate` (MTO-59).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerTemplateObject {
    /// The object id.
    pub id: Guid,
    /// `templateApplicationLevel`.
    pub level: AppLevel,
    /// `inboundTrust.isMfaAccepted` (`None`: no inbound trust set).
    pub mfa_trust: Option<bool>,
    /// `automaticUserConsentSettings.inboundAllowed`.
    pub auto_redeem_inbound: Option<bool>,
    /// `automaticUserConsentSettings.outboundAllowed`.
    pub auto_redeem_outbound: Option<bool>,
}

/// `multiTenantOrganizationIdentitySyncPolicyTemplate` (MTO-60).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityTemplateObject {
    /// The object id.
    pub id: Guid,
    /// `templateApplicationLevel`.
    pub level: AppLevel,
    /// `userSyncInbound.isSyncAllowed`.
    pub sync_inbound: Option<bool>,
}

/// `crossTenantAccessPolicyConfigurationPartner` with its identity sync policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerObject<'w> {
    /// The partner.
    pub partner: TenantIdx,
    /// `tenantId`.
    pub tenant_id: Guid,
    /// `isServiceProvider`: the partner is this tenant's Cloud Solution Provider.
    pub is_service_provider: bool,
    /// `isInMultiTenantOrganization` (MTO-57).
    pub in_mto: bool,
    /// `inboundTrust.isMfaAccepted` (`None`: no inbound trust set).
    pub mfa_trust: Option<bool>,
    /// `b2bCollaborationInbound` (`None`: inherited).
    pub b2b_inbound: Option<B2bObject>,
    /// `b2bCollaborationOutbound` (`None`: inherited).
    pub b2b_outbound: Option<B2bObject>,
    /// `automaticUserConsentSettings.inboundAllowed`.
    pub auto_redeem_inbound: Option<bool>,
    /// `automaticUserConsentSettings.outboundAllowed`.
    pub auto_redeem_outbound: Option<bool>,
    /// `identitySynchronization`, if the policy exists.
    pub identity_sync: Option<IdentitySyncObject<'w>>,
}

/// `crossTenantAccessPolicyB2BSetting`: access types and targets, each target as Graph names it
/// (`AllUsers`, `AllApplications`, `Office365`, or an object or application id) with its
/// `targetType` (`user`, `group`, `application`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct B2bObject {
    /// `usersAndGroups.accessType`.
    pub users_access: Access,
    /// `usersAndGroups.targets`.
    pub users: Vec<(String, &'static str)>,
    /// `applications.accessType`.
    pub apps_access: Access,
    /// `applications.targets`.
    pub apps: Vec<(String, &'static str)>,
}

impl B2bObject {
    /// `b` with its user and group targets named by their object ids in tenant `of`.
    pub fn of(w: &World, of: TenantIdx, b: &crate::xtap::B2bSetting) -> B2bObject {
        use crate::xtap::{AppTarget, UserTarget};
        B2bObject {
            users_access: b.users_access,
            users: b
                .users
                .iter()
                .map(|t| match *t {
                    UserTarget::AllUsers => ("AllUsers".to_string(), "user"),
                    UserTarget::User(u) => (w.user_id(of, u).to_string(), "user"),
                    UserTarget::Group(g) => (w.group_id(of, g).to_string(), "group"),
                })
                .collect(),
            apps_access: b.apps_access,
            apps: b
                .apps
                .iter()
                .map(|t| match t {
                    AppTarget::AllApplications => ("AllApplications".to_string(), "application"),
                    AppTarget::Office365 => ("Office365".to_string(), "application"),
                    AppTarget::App(id) => (id.clone(), "application"),
                })
                .collect(),
        }
    }
}

/// `crossTenantIdentitySyncPolicyPartner`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentitySyncObject<'w> {
    /// `tenantId`.
    pub tenant_id: Guid,
    /// `displayName`: the partner's organization name.
    pub display_name: &'w str,
    /// `userSyncInbound.isSyncAllowed`.
    pub sync_inbound: Option<bool>,
    /// `groupSyncInbound.isSyncAllowed` (Graph's beta; XTAP-11).
    pub group_sync_inbound: Option<bool>,
}

/// A group of a tenant: its own, or one cross-tenant synchronization created (CTS-63).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupObject<'w> {
    /// The object id.
    pub id: Guid,
    /// `displayName`.
    pub display_name: &'w str,
    /// `description`.
    pub description: Option<&'w str>,
    /// Whether its members follow a membership rule (`groupTypes` DynamicMembership).
    pub dynamic: bool,
    /// `membershipRule`, in its canonical form.
    pub membership_rule: Option<String>,
    /// `groupTypes` Unified, `mailEnabled`, `securityEnabled`.
    pub kind: crate::directory::GroupKind,
    /// `isAssignableToRole`.
    pub role_assignable: bool,
    /// Direct members' object ids (users, then member groups), in directory order.
    pub members: Vec<Guid>,
    /// The userPrincipalNames of its user members, as this tenant shows them.
    pub member_upns: Vec<String>,
    /// Created by cross-tenant synchronization.
    pub synced: bool,
}

/// A sync configuration's job (`synchronizationJob`) as its source tenant sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncJobObject<'w> {
    /// The configuration.
    pub config: ConfigIdx,
    /// The job id, `Azure2Azure.<32 hex digits>`.
    pub id: String,
    /// The configuration's (service principal's) display name.
    pub name: &'w str,
    /// The target tenant.
    pub target: TenantIdx,
    /// `status.code`.
    pub status: JobStatus,
    /// Whether the schedule is active (`schedule.state` Active).
    pub scheduled: bool,
    /// `status.quarantine`, if in quarantine.
    pub quarantine: Option<Quarantine>,
    /// When the last cycle finished.
    pub last_finished: Option<SimTime>,
    /// Cycles finished, and the counters to date (CTS-60).
    pub cycles: u64,
    /// Counters to date.
    pub totals: CycleStats,
    /// Exports to date, those of an imported job's history included.
    pub exports: u64,
}

/// One provisioning-log record (`provisioningObjectSummary`, CTS-62) of a configuration whose
/// source is the viewing tenant, with everything it names resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisioningObject<'w> {
    /// The record's id.
    pub id: Guid,
    /// `changeId`.
    pub change_id: Guid,
    /// `activityDateTime`.
    pub at: SimTime,
    /// `jobId`.
    pub job_id: String,
    /// `cycleId`: `<jobId>-<n>`, or `ondemand`.
    pub cycle_id: String,
    /// The configuration's name (`servicePrincipal.displayName`).
    pub config_name: &'w str,
    /// The target tenant's id.
    pub target_tenant_id: Guid,
    /// The source tenant's id (the tenant whose log this is).
    pub tenant_id: Guid,
    /// `provisioningAction`.
    pub action: ProvAction,
    /// `provisioningStatusInfo.status`.
    pub status: ProvStatus,
    /// The error code or skip reason, if any.
    pub reason: &'static str,
    /// More about a failure than its code, if there is more to say.
    pub detail: Option<&'w str>,
    /// The source user: id, display name (its UPN when it had none) and UPN, as they were then.
    pub source: (Guid, &'w str, &'w str),
    /// The target account, when there is one: id, display name and UPN, as they were then.
    pub target: Option<(Guid, &'w str, &'w str)>,
    /// `modifiedProperties`: what a create or update wrote.
    pub modified: Vec<crate::provlog::ModifiedRef<'w>>,
}

impl World {
    /// The job id of configuration `c` (`Azure2Azure.` and 32 hex digits, stable for its name
    /// and source).
    pub fn job_id(&self, c: ConfigIdx) -> String {
        let cfg = &self.configs[c.ix()];
        if let Some(ids) = &cfg.given_ids {
            return ids.job.clone();
        }
        format!(
            "Azure2Azure.{}",
            Guid::derive(
                self.seed,
                &[b"job", cfg.name.as_bytes(), self.name(cfg.source).as_bytes()]
            )
            .simple()
        )
    }

    /// The object id of the `i`th group cross-tenant synchronization created in tenant `t`.
    pub fn synced_group_id(&self, t: TenantIdx, i: usize) -> Guid {
        if let Some(id) = self.tenant(t).dir.given_id(ObjectKind::SyncedGroup, i as u32) {
            return id;
        }
        Guid::derive(
            self.seed(),
            &[
                b"synced-group",
                self.name(t).as_bytes(),
                &(i as u64).to_le_bytes(),
            ],
        )
    }

    /// The object id of group `g` of tenant `t`.
    pub fn group_id(&self, t: TenantIdx, g: crate::ids::GroupIdx) -> Guid {
        self.tenant(t).dir.group_object_id(g)
    }
}

impl<'w> TenantView<'w> {
    /// The MTO the tenant is in, if any (a tenant outside any MTO reads state `inactive`).
    pub fn mto(&self) -> Option<MtoObject<'w>> {
        let w = self.world;
        let m = w.mto_view(self.tenant).mto?;
        let mto = w.mto(m);
        Some(MtoObject {
            id: w.tenant(self.tenant).local_mto_id?,
            created: mto.created_at,
            display_name: &mto.display_name,
            description: &mto.description,
        })
    }

    /// The member list the tenant can read: its own MTO's, or the one listing it as pending.
    pub fn members(&self) -> Vec<MemberObject<'w>> {
        let w = self.world;
        let tid = |t: TenantIdx| w.tenant(t).spec.tenant_id;
        w.listed_mto(self.tenant)
            .map(|m| {
                w.mto(m)
                    .members
                    .iter()
                    .map(|e| MemberObject {
                        tenant_id: tid(e.tenant),
                        display_name: &w.tenant(e.tenant).spec.display_name,
                        added: e.added_at,
                        joined: e.joined_at,
                        added_by: tid(e.added_by),
                        role: e.role,
                        state: e.state,
                        transition: e.transition.as_ref(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The join request record.
    pub fn join_request(&self) -> JoinRequestObject<'w> {
        let w = self.world;
        let j = &w.tenant(self.tenant).join;
        JoinRequestObject {
            id: w.singleton_id(self.tenant, "joinRequest"),
            added_by: j.added_by.map_or(Guid::ZERO, |a| w.tenant(a).spec.tenant_id),
            member_state: j.member_state,
            role: j.role,
            transition: j.transition.as_ref().map(|(s, d)| (*s, d)),
        }
    }

    /// The partner configuration template.
    pub fn partner_template(&self) -> PartnerTemplateObject {
        let w = self.world;
        let tp = &w.tenant(self.tenant).templates;
        PartnerTemplateObject {
            id: w.singleton_id(self.tenant, "partnerTemplate"),
            level: tp.partner_level,
            mfa_trust: tp.mfa_trust,
            auto_redeem_inbound: tp.auto_redeem_inbound,
            auto_redeem_outbound: tp.auto_redeem_outbound,
        }
    }

    /// The identity synchronization template.
    pub fn identity_template(&self) -> IdentityTemplateObject {
        let w = self.world;
        let tp = &w.tenant(self.tenant).templates;
        IdentityTemplateObject {
            id: w.singleton_id(self.tenant, "identityTemplate"),
            level: tp.identity_level,
            sync_inbound: tp.sync_inbound,
        }
    }

    /// The partner configurations, by partner.
    pub fn partners(&self) -> impl Iterator<Item = PartnerObject<'w>> + 'w {
        let w = self.world;
        let me = self.tenant;
        w.tenant(me).partners.iter().map(move |(&o, p)| {
            let other = w.tenant(o);
            PartnerObject {
                partner: o,
                tenant_id: other.spec.tenant_id,
                is_service_provider: other.spec.csp_of.contains(&me),
                in_mto: p.in_mto,
                mfa_trust: p.mfa_trust,
                b2b_inbound: p.b2b_inbound.as_ref().map(|b| B2bObject::of(w, o, b)),
                b2b_outbound: p.b2b_outbound.as_ref().map(|b| B2bObject::of(w, me, b)),
                auto_redeem_inbound: p.auto_redeem_inbound,
                auto_redeem_outbound: p.auto_redeem_outbound,
                identity_sync: p.has_sync_policy.then(|| IdentitySyncObject {
                    tenant_id: other.spec.tenant_id,
                    display_name: &other.spec.display_name,
                    sync_inbound: p.sync_inbound,
                    group_sync_inbound: p.group_sync_inbound,
                }),
            }
        })
    }

    /// The tenant's groups: its own, then the live ones cross-tenant synchronization created.
    pub fn groups(&self) -> impl Iterator<Item = GroupObject<'w>> + 'w {
        let w = self.world;
        let t = self.tenant;
        let dir = &w.tenant(t).dir;
        let own = dir
            .groups()
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.deleted)
            .map(move |(i, g)| GroupObject {
                id: w.group_id(t, crate::ids::GroupIdx(i as u32)),
                display_name: &g.name,
                description: g.description.as_deref(),
                dynamic: g.rule.is_some(),
                membership_rule: g.rule.as_ref().map(|r| r.to_string()),
                kind: g.kind,
                role_assignable: g.role_assignable,
                members: g
                    .members
                    .iter()
                    .map(|&u| w.user_id(t, u))
                    .chain(g.member_groups.iter().map(|&n| w.group_id(t, n)))
                    .collect(),
                member_upns: g.members.iter().map(|&u| dir.user(u).upn.to_string()).collect(),
                synced: false,
            });
        let synced = dir
            .synced_groups()
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.deleted)
            .map(move |(i, g)| GroupObject {
                id: w.synced_group_id(t, i),
                display_name: &g.name,
                description: g.description.as_deref(),
                dynamic: false,
                membership_rule: None,
                kind: crate::directory::GroupKind::Security,
                role_assignable: false,
                members: g.members.iter().map(|&ai| w.account_id(t, ai)).collect(),
                member_upns: g.members.iter().map(|&ai| w.external_upn(t, ai)).collect(),
                synced: true,
            });
        own.chain(synced)
    }

    /// The group named `name` (the tenant's own first, then synced ones).
    pub fn group_by_name(&self, name: &str) -> Option<GroupObject<'w>> {
        self.groups().find(|g| g.display_name == name)
    }

    /// The jobs of the live configurations whose source is the tenant.
    pub fn sync_jobs(&self) -> impl Iterator<Item = SyncJobObject<'w>> + 'w {
        let w = self.world;
        let t = self.tenant;
        w.configs()
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.source == t && !c.deleted)
            .map(move |(i, c)| SyncJobObject {
                config: ConfigIdx(i as u32),
                id: w.job_id(ConfigIdx(i as u32)),
                name: &c.name,
                target: c.target,
                status: c.job.status,
                scheduled: c.job.scheduled,
                quarantine: c.job.quarantine,
                last_finished: c.job.last_finished_at,
                cycles: c.job.cycles,
                totals: c.job.totals,
                exports: c.job.totals.exports() + c.job.imported_exports,
            })
    }

    /// The provisioning log of the configurations whose source is the tenant (recorded only
    /// when the world logs provisioning), in order.
    pub fn provisioning(&self) -> impl Iterator<Item = ProvisioningObject<'w>> + 'w {
        let w = self.world;
        let t = self.tenant;
        // choose the tenant's records by their configuration before decoding any
        (0..w.prov_log.len())
            .filter(move |&i| w.config(w.prov_log.config_of(i)).source == t)
            .map(move |i| {
                let rec = w.prov_log.get(i, &w.strings);
                let cfg = w.config(rec.config);
                let then = w.tenant(t).dir.values_at(rec.user, rec.version);
                let display = match then.text(Attr::DisplayName, &w.strings) {
                    "" => then.upn,
                    d => d,
                };
                let job_id = w.job_id(rec.config);
                let k = (i as u64).to_le_bytes();
                ProvisioningObject {
                    id: Guid::derive(w.seed, &[b"prov", &k]),
                    change_id: Guid::derive(w.seed, &[b"change", &k]),
                    at: rec.at,
                    cycle_id: if rec.cycle == 0 {
                        "ondemand".to_string()
                    } else {
                        format!("{job_id}-{}", rec.cycle)
                    },
                    job_id,
                    config_name: &cfg.name,
                    target_tenant_id: w.tenant(cfg.target).spec.tenant_id,
                    tenant_id: w.tenant(t).spec.tenant_id,
                    action: rec.action,
                    status: rec.status,
                    reason: rec.reason,
                    detail: rec.detail,
                    source: (w.user_id(t, rec.user), display, then.upn),
                    target: rec.target.map(|a| {
                        (
                            Guid::derive(
                                w.seed,
                                &[
                                    b"account",
                                    w.name(cfg.target).as_bytes(),
                                    &rec.account.to_le_bytes(),
                                ],
                            ),
                            a.0,
                            a.1,
                        )
                    }),
                    modified: rec.modified,
                }
            })
    }
}

/// Where a user object is kept: an own user, or an external account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UserSlot {
    Own(UserIdx),
    Account(u32),
}

/// The object ids of one tenant's users and accounts, for lookups by id in constant time
/// (Graph's `GET /users/{id}`). Directories only grow (deleted users keep their slot) and ids
/// never change after a world is built, so an index stays right until the tenant gains a user
/// or an account: [`UserIdIndex::fresh`] says whether it still is, [`UserIdIndex::refresh`]
/// adds what is new.
#[derive(Clone, Debug, Default)]
pub struct UserIdIndex {
    /// The directory's (users, accounts) when it was built.
    stamp: (usize, usize),
    ids: HashMap<Guid, UserSlot>,
}

impl UserIdIndex {
    /// The index of tenant `t`'s users and accounts, deleted ones included (a lookup checks).
    pub fn build(world: &World, t: TenantIdx) -> UserIdIndex {
        let dir = &world.tenant(t).dir;
        let mut index = UserIdIndex::default();
        index.ids.reserve(dir.users().len() + dir.externals().len());
        index.refresh(world, t);
        index
    }

    /// Brings the index up to date with tenant `t`, adding the users and accounts created since
    /// it was built (directories only grow, so nothing else changes).
    pub fn refresh(&mut self, world: &World, t: TenantIdx) {
        let (users, accounts) = self.stamp;
        let dir = &world.tenant(t).dir;
        for i in users..dir.users().len() {
            let u = UserIdx(i as u32);
            self.ids.insert(world.user_id(t, u), UserSlot::Own(u));
        }
        for ai in accounts..dir.externals().len() {
            let ai = ai as u32;
            self.ids.insert(world.account_id(t, ai), UserSlot::Account(ai));
        }
        self.stamp = Self::stamp(world, t);
    }

    /// Whether the index still covers every user and account of tenant `t`.
    pub fn fresh(&self, world: &World, t: TenantIdx) -> bool {
        self.stamp == Self::stamp(world, t)
    }

    fn stamp(world: &World, t: TenantIdx) -> (usize, usize) {
        let dir = &world.tenant(t).dir;
        (dir.users().len(), dir.externals().len())
    }
}
