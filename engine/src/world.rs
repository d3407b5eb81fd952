//! The simulated world: tenants, MTOs and sync configurations on one simulated clock, driven
//! by [`Action`]s and by queued asynchronous completions (joins, removals, sync cycles).
//!
//! Shape: a transition system. [`World::apply`] either changes the state and returns, or
//! returns a [`Refusal`] and changes nothing but the log. Time moves only through
//! [`World::advance_to`] and [`World::settle`], which pop the queue in (time, sequence)
//! order, so the same actions and seed always give the same log.

use crate::event::{CycleStats, Event, EventKind, PartnerValues, RemovalCase, TemplateValues, Warning};
use crate::ids::{ConfigIdx, GroupIdx, Guid, MtoIdx, OpId, TenantIdx, UserIdx};
use crate::limits;
use crate::msg;
use crate::mto::{MemberEntry, MemberState, Mto, ProcessingStatus, Role, Transition};
use crate::refusal::{Message, Refusal, Setting};
use crate::rules::{self as r, RuleId, RuleSet, RuleSetKind};
use crate::sync::{self, JobStatus, Quarantine, QuarantineReason, RunningCycle, SyncConfig};
use crate::tenant::{JoinRecord, Tenant};
use crate::time::{Duration, SimTime};
use crate::xtap::merge;
use rand::Rng;
use std::cmp::Reverse;

pub use crate::action::Via;
pub use crate::action::{Action, ActionKind, CreateSync, Name, PartnerPatch, TemplatesPatch, UserRef};
use crate::state::Pending;
pub use crate::state::{DelayMode, MtoView, Op, OpKind, World};

impl World {
    /// The tenant at `t`, mutably (for unit tests' set-up; importers use [`crate::build`]).
    #[cfg(test)]
    pub(crate) fn tenant_mut(&mut self, t: TenantIdx) -> &mut Tenant {
        &mut self.tenants[t.ix()]
    }

    fn emit(&mut self, tenant: TenantIdx, kind: EventKind, rules: &[RuleId]) {
        self.log.push(Event {
            at: self.now,
            tenant,
            kind,
            rules: rules.to_vec(),
        });
    }

    /// Queues configuration `c`'s next cycle at `at` (the builder's imported jobs).
    pub(crate) fn schedule_cycle(&mut self, c: crate::ids::ConfigIdx, at: SimTime) {
        self.push(at, Pending::CycleStart(c));
    }

    fn push(&mut self, at: SimTime, p: Pending) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq, p)));
    }

    fn draw(&mut self, min: Duration, max: Duration) -> Duration {
        match self.delays {
            DelayMode::Max => max,
            DelayMode::Random => Duration(self.rng.random_range(min.0..=max.0.max(min.0))),
        }
    }

    // ----- views -------------------------------------------------------------------------

    // ----- actions -----------------------------------------------------------------------

    /// Performs `action` as tenant `actor`, by a Global Administrator. A refusal changes
    /// nothing but the log. Returns the asynchronous operation it started, if any.
    pub fn apply(&mut self, actor: TenantIdx, action: Action) -> Result<Option<OpId>, Refusal> {
        self.apply_as(actor, None, action)
    }

    /// Performs `action` as tenant `actor` by its named administrator `admin` (an index into
    /// the tenant's admins; `None`: a Global Administrator). An admin without a role that is
    /// enough for the action is refused with 403 Authorization_RequestDenied (MTO-53, XTAP-21,
    /// CTS-12, SIM-5).
    pub fn apply_as(
        &mut self,
        actor: TenantIdx,
        admin: Option<usize>,
        action: Action,
    ) -> Result<Option<OpId>, Refusal> {
        if let Some(l) = &self.limit {
            return Err(Refusal::new(r::SIM_3, format!("the simulation stopped: {l}")));
        }
        let kind = action.kind();
        let recording = self.recorded.is_some().then(|| (self.now, action.clone()));
        let res = self.apply_inner(actor, admin, kind, action);
        if let Some((at, action)) = recording {
            let refused = res.as_ref().err().map(|r| r.rule);
            self.record(crate::state::Recorded::Action {
                at,
                actor,
                admin,
                action,
                refused,
            });
        }
        res
    }

    fn apply_inner(
        &mut self,
        actor: TenantIdx,
        admin: Option<usize>,
        kind: ActionKind,
        action: Action,
    ) -> Result<Option<OpId>, Refusal> {
        if let Some(refusal) = admin.and_then(|a| self.role_refusal(actor, a, &action)) {
            self.emit(
                actor,
                EventKind::Refused {
                    action: kind,
                    refusal: refusal.clone(),
                },
                &[refusal.rule],
            );
            return Err(refusal);
        }
        let res = match action {
            Action::CreateMto {
                display_name,
                description,
                via,
            } => self.create_mto(actor, display_name, description, via),
            Action::UpdateMto {
                display_name,
                description,
            } => self.update_mto(actor, display_name, description),
            Action::AddTenant { target, role, via } => self.add_member(actor, target, role, via),
            Action::SetRole { target, role } => self.set_role(actor, target, role),
            Action::Join { added_by, via } => self.join(actor, added_by, via).map(Some),
            Action::ResetJoin => self.reset_join(actor),
            Action::RemoveTenant { target } => self.remove(actor, target).map(Some),
            Action::ShareUsers { groups, users } => self.share_users(actor, groups, users),
            Action::UnshareUsers { groups, users } => self.unshare_users(actor, groups, users),
            Action::SetPartner { partner, patch } => self.set_partner(actor, partner, patch),
            Action::DeletePartner {
                partner,
                sync_policy_too,
            } => self.delete_partner(actor, partner, sync_policy_too),
            Action::DeleteSyncPolicy { partner } => self.delete_sync_policy(actor, partner),
            Action::SetTemplates { patch } => self.set_templates(actor, patch),
            Action::ResetTemplates => {
                self.tenants[actor.ix()].templates = crate::xtap::Templates::default();
                self.emit(actor, EventKind::TemplatesReset, &[r::MTO_64]);
                Ok(None)
            }
            Action::CreateSync(c) => self.create_sync(actor, *c),
            Action::Assign { sync, groups, users } => self.assign(actor, &sync, groups, users, true),
            Action::Unassign { sync, groups, users } => self.assign(actor, &sync, groups, users, false),
            Action::SetScopingFilter {
                sync,
                filter,
                filters,
            } => self.set_scoping_filter(actor, &sync, filter, filters),
            Action::EditMapping {
                sync,
                target,
                mapping,
            } => self.edit_mapping(actor, &sync, target, mapping),
            Action::StartSync { sync } => self.start_sync(actor, &sync),
            Action::PauseSync { sync } => self.pause_sync(actor, &sync),
            Action::RestartSync { sync, reset } => self.restart_sync(actor, &sync, reset),
            Action::AllowDeletes { sync } => self.allow_deletes(actor, &sync),
            Action::ProvisionOnDemand { sync, user } => self.provision_on_demand(actor, &sync, user),
            Action::DeleteSync { sync } => self.delete_sync(actor, &sync),
            Action::AddUser(u) => {
                let user = u.build(&mut self.strings);
                self.add_user(actor, user)
            }
            Action::UpdateUser {
                user,
                attrs,
                user_type,
                extra,
                upn,
                manager,
            } => {
                let attrs = attrs.iter().map(|(a, v)| (*a, self.strings.intern(v))).collect();
                self.update_user(actor, user, attrs, extra, user_type, upn, manager)
            }
            Action::SetEnabled { user, enabled } => self.set_enabled(actor, user, enabled),
            Action::DeleteUser { user } => self.delete_user(actor, user),
            Action::RestoreUser { user } => self.restore_user(actor, user),
            Action::AddToGroup { group, users } => self.group_members(actor, group, users, true),
            Action::RemoveFromGroup { group, users } => self.group_members(actor, group, users, false),
            Action::InviteGuest {
                home,
                user,
                user_type,
                redeemed,
            } => self.invite_guest(actor, home, user, user_type, redeemed),
            Action::SetGroupProvisioning { sync, enabled } => {
                self.set_group_provisioning(actor, &sync, enabled)
            }
            Action::SetScope { sync, all } => self.set_scope(actor, &sync, all),
            Action::SetProvisioningMode { sync, automatic } => {
                self.set_provisioning_mode(actor, &sync, automatic)
            }
            Action::UpdateGroup { group, description } => self.update_group(actor, &group, description),
            Action::LeaveOrganization { user } => self.leave_organization(actor, user),
            Action::SetDefaultAccess {
                inbound,
                outbound,
                reset,
            } => {
                let d = &mut self.tenants[actor.ix()].default_b2b;
                if reset {
                    *d = (
                        crate::xtap::B2bSetting::all(crate::xtap::Access::Allowed),
                        crate::xtap::B2bSetting::all(crate::xtap::Access::Allowed),
                    );
                }
                if let Some(i) = inbound {
                    d.0 = i;
                }
                if let Some(o) = outbound {
                    d.1 = o;
                }
                self.emit(
                    actor,
                    EventKind::DefaultAccessSet { reset },
                    &[r::XTAP_2, r::XTAP_17],
                );
                Ok(None)
            }
            Action::CreateGroup {
                name,
                description,
                kind,
                members,
            } => self.create_group(actor, name, description, kind, members),
            Action::DeleteGroup { group } => self.delete_group(actor, &group),
            Action::ResetRedemption { user } => self.reset_redemption(actor, user),
        };
        let res = match res {
            Ok(op) => Ok(op),
            Err(refusal) => {
                self.emit(
                    actor,
                    EventKind::Refused {
                        action: kind,
                        refusal: refusal.clone(),
                    },
                    &[refusal.rule],
                );
                Err(refusal)
            }
        };
        // a deliberately broken rule is for the checkers under test to find, not for this
        debug_assert!(
            self.rules.fault.is_some() || self.check_invariants().is_ok(),
            "{:?}",
            self.check_invariants()
        );
        self.check_strings();
        res
    }

    /// Why admin `a` of tenant `actor` may not take `action`, if they may not.
    fn role_refusal(&self, actor: TenantIdx, a: usize, action: &Action) -> Option<Refusal> {
        let admin = self.tenants[actor.ix()].admins.get(a)?;
        let need = crate::action::needed(action);
        if admin.may(&need) {
            return None;
        }
        let has = if admin.roles.is_empty() {
            "no administrator role".to_string()
        } else {
            admin
                .roles
                .iter()
                .map(|r| r.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Some(Refusal::forbidden(
            need.rule,
            msg![
                format!(
                    "Insufficient privileges to complete the operation: {} holds {has} in {}, and ",
                    admin.upn,
                    self.name(actor)
                ),
                action.kind(),
                format!(
                    "{} needs {}; an administrator with one of those roles could do it.",
                    match action {
                        Action::SetPartner { .. }
                            if need.rule == r::XTAP_21
                                && !need.roles.contains(&crate::roles::AdminRole::TeamsAdministrator) =>
                            " of identity synchronization settings",
                        _ => "",
                    },
                    crate::roles::enough(&need)
                ),
            ],
        ))
    }

    fn active_owner_mto(&self, actor: TenantIdx, rule: RuleId, what: &str) -> Result<MtoIdx, Refusal> {
        match self.mto_view(actor).mto {
            Some(m) if self.mtos[m.ix()].is_active_owner(actor) => Ok(m),
            Some(_) => Err(Refusal::forbidden(
                rule,
                format!(
                    "{} is not an active owner of its MTO, and only owner tenants can {what}; an owner tenant could do it, or make {} an owner first.",
                    self.name(actor),
                    self.name(actor)
                ),
            )),
            None => Err(Refusal::forbidden(
                rule,
                msg![
                    format!(
                        "{} is not in any MTO, so it cannot {what}; it could create one first (",
                        self.name(actor)
                    ),
                    ActionKind::CreateMto,
                    ") or join one.",
                ],
            )),
        }
    }

    /// MTO-54: where multitenant organizations exist. Never in Microsoft Azure operated by
    /// 21Vianet; in the government clouds only with `national_cloud_mto` (the default, the newest
    /// reading); and on Azure Government not through Graph, whose multitenant organization APIs
    /// are global-service only.
    fn check_mto_cloud(&self, t: TenantIdx, via: Via) -> Result<(), Refusal> {
        let cloud = self.tenants[t.ix()].spec.cloud.as_str();
        let name = self.name(t);
        let refuse = |m: Message| Err(Refusal::bad_request(r::MTO_54, m));
        match cloud {
            "commercial" => Ok(()),
            "china" => refuse(msg![format!(
                "{name} is in Microsoft Azure operated by 21Vianet, where multitenant organizations aren't supported; a tenant of the commercial cloud could create one."
            )]),
            _ if !self.rules.national_cloud_mto => refuse(msg![format!(
                "{name} is in the {cloud} cloud, and with national_cloud_mto off multitenant organizations exist only in the commercial cloud; a commercial tenant could create one."
            )]),
            "usgov" if via == Via::Graph => refuse(msg![
                format!("{name} is in Microsoft Azure Government, where the multitenant organization APIs of Graph aren't available (global service only); it would be allowed through "),
                Via::M365,
                ".",
            ]),
            _ => Ok(()),
        }
    }

    fn check_targeted_release(&self, t: TenantIdx, via: Via) -> Result<(), Refusal> {
        if via == Via::M365
            && self.rules.targeted_release_required
            && !self.tenants[t.ix()].spec.targeted_release
        {
            return Err(Refusal::bad_request(
                r::MTO_49,
                msg![
                    format!(
                        "in the 2023 preview the Microsoft 365 admin center offers multitenant organizations only to tenants on Targeted release, and {} is not; it would be allowed with ",
                        self.name(t)
                    ),
                    Setting::TargetedRelease,
                    ", or through Graph (",
                    Via::Graph,
                    ").",
                ],
            ));
        }
        Ok(())
    }

    /// MTO-45: the Microsoft 365 admin center enforced the internal-user cap already at
    /// creation (Graph only at join).
    fn check_m365_user_cap(&self, t: TenantIdx) -> Result<(), Refusal> {
        let Some(max) = self.rules.internal_users_at_join_max else {
            return Ok(());
        };
        let n = self.tenants[t.ix()].dir.internal_user_count();
        if n > max {
            let rule = if self.rules.kind == RuleSetKind::Preview2023 {
                r::MTO_45
            } else {
                r::MTO_47
            };
            return Err(Refusal::with_code(
                rule,
                "Request_BadRequest",
                format!(
                    "{} has {n} internal users and the Microsoft 365 admin center enforces the cap of {max} per tenant when the MTO is set up; a tenant with at most {max} could take part (Graph would check only at join).",
                    self.name(t)
                ),
            ));
        }
        Ok(())
    }

    fn create_mto(
        &mut self,
        actor: TenantIdx,
        name: String,
        description: String,
        via: Via,
    ) -> Result<Option<OpId>, Refusal> {
        if let Some(m) = self.mto_view(actor).mto {
            if self.mtos[m.ix()].is_active_owner(actor) {
                // MTO-13 sim note: a create PUT from an active owner updates the MTO
                return self.update_mto(actor, Some(name), Some(description));
            }
            return Err(Refusal::bad_request(
                r::MTO_3,
                msg![
                    format!(
                        "{} already belongs to the MTO \"{}\" and a tenant can be in only one MTO at a time; it could create a new one after leaving (",
                        self.name(actor),
                        self.mtos[m.ix()].display_name
                    ),
                    ActionKind::RemoveTenant,
                    ").",
                ],
            ));
        }
        self.check_targeted_release(actor, via)?;
        self.check_mto_cloud(actor, via)?;
        if via == Via::M365 {
            self.check_m365_user_cap(actor)?;
        }
        if name.trim().is_empty() {
            return Err(Refusal::bad_request(
                r::MTO_8,
                "displayName is required to create an MTO; give display_name a non-empty value.",
            ));
        }
        let m = MtoIdx(self.mtos.len() as u32);
        self.mtos.push(Mto {
            display_name: name.clone(),
            description,
            created_at: self.now,
            creator: actor,
            members: vec![MemberEntry {
                tenant: actor,
                role: Role::Owner,
                state: MemberState::Active,
                added_by: actor,
                added_at: self.now,
                joined_at: None,
                transition: None,
                imported: false,
            }],
            deleted: false,
        });
        let local = Guid::derive(
            self.seed,
            &[b"mto-local", &m.0.to_le_bytes(), &actor.0.to_le_bytes()],
        );
        let t = &mut self.tenants[actor.ix()];
        t.mto = Some(m);
        t.local_mto_id = Some(local);
        t.created_mto_at = Some(self.now);
        self.emit(
            actor,
            EventKind::MtoCreated { mto: m, name },
            &[r::MTO_8, r::MTO_9],
        );
        if via == Via::M365 {
            self.set_m365(actor);
        }
        Ok(None)
    }

    fn set_m365(&mut self, t: TenantIdx) {
        let ten = &mut self.tenants[t.ix()];
        ten.m365_managed = true;
        ten.templates.set_by_m365();
        self.emit(t, EventKind::TemplatesSetByM365, &[r::MTO_67]);
    }

    fn update_mto(
        &mut self,
        actor: TenantIdx,
        name: Option<String>,
        description: Option<String>,
    ) -> Result<Option<OpId>, Refusal> {
        let m = self.active_owner_mto(actor, r::MTO_12, "update the MTO")?;
        let mto = &mut self.mtos[m.ix()];
        if let Some(n) = name {
            if n.trim().is_empty() {
                return Err(Refusal::bad_request(
                    r::MTO_8,
                    "displayName cannot be emptied; keep the current name or give a new non-empty one.",
                ));
            }
            mto.display_name = n;
        }
        if let Some(d) = description {
            mto.description = d;
        }
        let name = mto.display_name.clone();
        self.emit(actor, EventKind::MtoUpdated { name }, &[r::MTO_12]);
        Ok(None)
    }

    fn csp_related(&self, a: TenantIdx, b: TenantIdx) -> bool {
        self.tenants[a.ix()].spec.csp_of.contains(&b) || self.tenants[b.ix()].spec.csp_of.contains(&a)
    }

    fn add_member(
        &mut self,
        actor: TenantIdx,
        target: TenantIdx,
        role: Role,
        via: Via,
    ) -> Result<Option<OpId>, Refusal> {
        let m = self.active_owner_mto(actor, r::MTO_14, "add tenants")?;
        self.check_mto_cloud(actor, via)?;
        if self.mtos[m.ix()].entry(target).is_some() {
            return Err(Refusal::with_code(
                r::MTO_16,
                "Request_BadRequest",
                format!(
                    "Tenant is already being added in Multi-Tenant Organization. ({} is already listed; adding it again would be allowed only after its removal has completed, MTO-43.)",
                    self.name(target)
                ),
            ));
        }
        let cloud = &self.tenants[actor.ix()].spec.cloud;
        if *cloud != self.tenants[target.ix()].spec.cloud {
            return Err(Refusal::with_code(
                r::MTO_20,
                "Request_BadRequest",
                format!(
                    "{} is in the {} cloud and {} in the {} cloud, and an MTO's tenants must all be in the same cloud; a tenant of the {} cloud could be added.",
                    self.name(actor),
                    cloud,
                    self.name(target),
                    self.tenants[target.ix()].spec.cloud,
                    cloud
                ),
            ));
        }
        if self.rules.csp_pairs_forbidden {
            let mto = &self.mtos[m.ix()];
            if let Some(e) = mto.members.iter().find(|e| self.csp_related(e.tenant, target)) {
                return Err(Refusal::bad_request(
                    r::MTO_19,
                    format!(
                        "{} and {} are a Cloud Solution Provider and its customer, and an MTO may not be formed between them; tenants without a CSP relationship to the MTO's tenants could be added.",
                        self.name(e.tenant),
                        self.name(target)
                    ),
                ));
            }
        }
        if via == Via::M365 {
            self.check_targeted_release(actor, via)?;
            let listed = self.mtos[m.ix()]
                .members
                .iter()
                .filter(|e| e.state != MemberState::Removed)
                .count();
            if listed as u32 >= self.rules.active_tenants_max {
                return Err(Refusal::bad_request(
                    self.rules.tenant_cap_rule(),
                    msg![
                        format!(
                            "the Microsoft 365 admin center enforces the cap of {} tenants when tenants are added and {} are already listed; through Graph (",
                            self.rules.active_tenants_max, listed
                        ),
                        Via::Graph,
                        ") more pending tenants could be added (MTO-17), though joins past the cap fail.",
                    ],
                ));
            }
            self.check_m365_user_cap(target)?;
        }
        let now = self.now;
        self.mtos[m.ix()].members.push(MemberEntry {
            tenant: target,
            role: Role::Member,
            state: MemberState::Pending,
            added_by: actor,
            added_at: now,
            joined_at: None,
            transition: (role == Role::Owner).then_some(Transition {
                desired_state: MemberState::Active,
                desired_role: Role::Owner,
                status: ProcessingStatus::NotStarted,
                details: None,
            }),
            imported: false,
        });
        self.emit(
            actor,
            EventKind::TenantAdded { target, role },
            &[r::MTO_14, r::MTO_15, r::MTO_17],
        );
        Ok(None)
    }

    fn set_role(&mut self, actor: TenantIdx, target: TenantIdx, role: Role) -> Result<Option<OpId>, Refusal> {
        let m = self.active_owner_mto(actor, r::MTO_22, "change roles")?;
        let tname = self.name(target).to_string();
        let mto = &self.mtos[m.ix()];
        let Some(entry) = mto.entry(target) else {
            return Err(Refusal::bad_request(
                r::MTO_22,
                msg![
                    format!("{tname} is not listed in the MTO, so its role cannot change; add it first ("),
                    ActionKind::AddTenant,
                    ").",
                ],
            ));
        };
        match entry.state {
            MemberState::Removed => {
                return Err(Refusal::bad_request(r::MTO_40, format!("{tname} is being removed, so its role cannot change; it could be added again once the removal completes.")))
            }
            MemberState::Active if entry.role == Role::Owner && role == Role::Member && mto.other_active_owners(target) == 0 => {
                return Err(Refusal::bad_request(
                    r::MTO_25,
                    format!("{tname} is the only active owner and an MTO must always keep one; it could be demoted after another active tenant is made an owner."),
                ))
            }
            _ => {}
        }
        let mto = &mut self.mtos[m.ix()];
        let entry = mto.entry_mut(target).expect("checked above");
        let queued = entry.state == MemberState::Pending;
        if queued {
            let t = entry.transition.get_or_insert(Transition {
                desired_state: MemberState::Active,
                desired_role: role,
                status: ProcessingStatus::NotStarted,
                details: None,
            });
            t.desired_role = role;
        } else {
            entry.role = role;
        }
        self.emit(
            actor,
            EventKind::RoleChanged { target, role, queued },
            if queued {
                &[r::MTO_22, r::MTO_24]
            } else {
                &[r::MTO_22]
            },
        );
        Ok(None)
    }

    fn join(&mut self, actor: TenantIdx, added_by: TenantIdx, via: Via) -> Result<OpId, Refusal> {
        self.check_targeted_release(actor, via)?;
        self.check_mto_cloud(actor, via)?;
        match &self.tenants[actor.ix()].join.transition {
            Some((ProcessingStatus::NotStarted | ProcessingStatus::Running, _)) => {
                return Err(Refusal::bad_request(
                    r::MTO_28,
                    format!(
                        "{} already has a join request being processed; wait for it to succeed or fail.",
                        self.name(actor)
                    ),
                ))
            }
            Some((ProcessingStatus::Failed, _)) => {
                return Err(Refusal::bad_request(
                    r::MTO_29,
                    msg![
                        format!(
                            "{}'s last join request failed and must be reset first (",
                            self.name(actor)
                        ),
                        ActionKind::ResetJoin,
                        "); then a new join can be submitted.",
                    ],
                ))
            }
            _ => {}
        }
        // the MTO that lists the joiner as pending, added by `added_by` (latest first)
        let mto = (0..self.mtos.len()).rev().map(|i| MtoIdx(i as u32)).find(|m| {
            let x = &self.mtos[m.ix()];
            !x.deleted
                && x.entry(actor)
                    .is_some_and(|e| e.state == MemberState::Pending && e.added_by == added_by)
        });
        let max = match via {
            Via::Graph => self.rules.join_delay_max,
            Via::M365 => self.rules.join_delay_max_m365,
        };
        let delay = self.draw(self.rules.join_delay_min, max);
        let due = self.now + delay;
        let op = OpId(self.ops.len() as u32);
        self.ops.push(Op {
            kind: OpKind::Join,
            actor,
            subject: actor,
            mto,
            added_by: Some(added_by),
            via,
            submitted_at: self.now,
            case: None,
            outcome: None,
        });
        let preview = self.rules.kind == RuleSetKind::Preview2023;
        self.tenants[actor.ix()].join = JoinRecord {
            added_by: Some(added_by),
            member_state: Some(if preview {
                MemberState::Active
            } else {
                MemberState::Pending
            }),
            role: preview.then_some(Role::Member),
            transition: Some((ProcessingStatus::NotStarted, Message::default())),
        };
        if let Some(m) = mto {
            if let Some(e) = self.mtos[m.ix()].entry_mut(actor) {
                let desired_role = e.transition.as_ref().map_or(Role::Member, |t| t.desired_role);
                e.transition = Some(Transition {
                    desired_state: MemberState::Active,
                    desired_role,
                    status: ProcessingStatus::NotStarted,
                    details: None,
                });
            }
        }
        if via == Via::M365 {
            self.set_m365(actor);
        }
        self.async_pending += 1;
        self.push(
            self.now + self.rules.join_delay_min.min(delay),
            Pending::JoinRunning(op),
        );
        self.push(due, Pending::JoinDone(op));
        self.emit(
            actor,
            EventKind::JoinSubmitted { op, added_by, due },
            &[r::MTO_26, r::MTO_27, r::MTO_28],
        );
        Ok(op)
    }

    fn reset_join(&mut self, actor: TenantIdx) -> Result<Option<OpId>, Refusal> {
        match &self.tenants[actor.ix()].join.transition {
            Some((ProcessingStatus::Failed, _)) => {
                self.tenants[actor.ix()].join = JoinRecord::default();
                self.emit(actor, EventKind::JoinReset, &[r::MTO_29]);
                Ok(None)
            }
            _ => Err(Refusal::bad_request(r::MTO_29, format!("{} has no failed join request to reset; only a failed request is reset with the all-zero addedByTenantId.", self.name(actor)))),
        }
    }

    fn remove(&mut self, actor: TenantIdx, target: TenantIdx) -> Result<OpId, Refusal> {
        let an = self.name(actor).to_string();
        let tn = self.name(target).to_string();
        let Some(m) = self.mto_view(actor).mto else {
            return Err(Refusal::bad_request(r::MTO_35, format!("{an} is not an active tenant of any MTO, and every removal starts from an active tenant (a pending tenant declines by never joining, MTO-44).")));
        };
        let mto = &self.mtos[m.ix()];
        let Some(te) = mto.entry(target) else {
            return Err(Refusal::bad_request(
                r::MTO_35,
                format!("{tn} is not listed in {an}'s MTO, so there is nothing to remove."),
            ));
        };
        if te.state == MemberState::Removed {
            return Err(Refusal::bad_request(
                r::MTO_40,
                format!("{tn} is already being removed; the removal completes on its own."),
            ));
        }
        let Some(ae) = mto.entry(actor).filter(|e| e.state == MemberState::Active) else {
            return Err(Refusal::bad_request(
                r::MTO_35,
                format!("{an} is being removed already and cannot remove tenants."),
            ));
        };
        let others_active = mto.active().filter(|e| e.tenant != actor).count();
        let case = if target == actor {
            if ae.role == Role::Member {
                RemovalCase::MemberLeaves
            } else if mto.other_active_owners(actor) > 0 {
                RemovalCase::OwnerLeavesOtherOwnerRemains
            } else if others_active == 0 {
                RemovalCase::LastTenantDeletesMto
            } else if self.rules.owner_exit_dissolves {
                RemovalCase::OwnerExitDissolves
            } else {
                return Err(Refusal::bad_request(
                    r::MTO_37,
                    msg![
                        format!("{an} is the only active owner while {others_active} other tenant{} {} active, and an MTO must keep an active owner (MTO-25); {an} could leave after making another tenant an owner (", if others_active == 1 { "" } else { "s" }, if others_active == 1 { "is" } else { "are" }),
                        ActionKind::SetRole,
                        "), or once it is the last active tenant, which deletes the MTO.",
                    ],
                ));
            }
        } else {
            if ae.role != Role::Owner {
                return Err(Refusal::forbidden(r::MTO_35, format!("{an} is a member tenant and can only remove itself; an owner tenant could remove {tn}.")));
            }
            if self.rules.strict_removal {
                if te.role == Role::Owner {
                    return Err(Refusal::bad_request(r::MTO_36, format!("with strict_removal on, owner tenants cannot be removed by others; {tn} could leave itself, or be demoted first.")));
                }
                if target == mto.creator {
                    return Err(Refusal::bad_request(r::MTO_36, format!("with strict_removal on, the creator tenant {tn} can only remove itself, even after demotion.")));
                }
            }
            RemovalCase::OwnerRemovesOther
        };
        let delay = self.draw(self.rules.removal_delay_min, self.rules.removal_delay_max);
        let due = self.now + delay;
        let op = OpId(self.ops.len() as u32);
        self.ops.push(Op {
            kind: OpKind::Removal,
            actor,
            subject: target,
            mto: Some(m),
            added_by: None,
            via: Via::Graph,
            submitted_at: self.now,
            case: Some(case),
            outcome: None,
        });
        let whole = matches!(
            case,
            RemovalCase::LastTenantDeletesMto | RemovalCase::OwnerExitDissolves
        );
        let mto = &mut self.mtos[m.ix()];
        for e in mto.members.iter_mut() {
            if e.tenant == target || (whole && e.state == MemberState::Active) {
                // MTO-40's sample (a never-joined tenant) keeps state pending while queued;
                // active tenants show the transitional `removed` (MTO-41).
                if e.state == MemberState::Active {
                    e.state = MemberState::Removed;
                }
                e.transition = Some(Transition {
                    desired_state: MemberState::Removed,
                    desired_role: e.role,
                    status: ProcessingStatus::NotStarted,
                    details: None,
                });
            }
        }
        self.async_pending += 1;
        self.push(due, Pending::RemovalDone(op));
        let rules: &[RuleId] = match case {
            RemovalCase::MemberLeaves => &[r::MTO_35, r::MTO_42],
            RemovalCase::OwnerRemovesOther => &[r::MTO_35],
            RemovalCase::OwnerLeavesOtherOwnerRemains => &[r::MTO_35, r::MTO_25],
            RemovalCase::LastTenantDeletesMto => &[r::MTO_35, r::MTO_38],
            RemovalCase::OwnerExitDissolves => &[r::SEED_3],
        };
        self.emit(
            actor,
            EventKind::RemovalRequested {
                op,
                target,
                case,
                due,
            },
            rules,
        );
        Ok(op)
    }

    // ----- cross-tenant access settings -------------------------------------------------

    fn set_partner(
        &mut self,
        actor: TenantIdx,
        partner: TenantIdx,
        patch: PartnerPatch,
    ) -> Result<Option<OpId>, Refusal> {
        if actor == partner {
            return Err(Refusal::bad_request(
                r::XTAP_1,
                "a tenant has no partner configuration for itself; name another tenant as partner.",
            ));
        }
        let ten = &mut self.tenants[actor.ix()];
        let created = !ten.partners.contains_key(&partner);
        let p = ten.partners.entry(partner).or_default();
        let sync_policy_created =
            (patch.sync_inbound.is_some() || patch.group_sync_inbound.is_some()) && !p.has_sync_policy;
        merge(&mut p.auto_redeem_inbound, patch.auto_redeem_inbound);
        merge(&mut p.auto_redeem_outbound, patch.auto_redeem_outbound);
        merge(&mut p.mfa_trust, patch.mfa_trust);
        if let Some(b) = patch.b2b_inbound {
            p.b2b_inbound = Some(b);
        }
        if let Some(b) = patch.b2b_outbound {
            p.b2b_outbound = Some(b);
        }
        if let Some(v) = patch.sync_inbound {
            p.has_sync_policy = true;
            p.sync_inbound = Some(v);
        }
        if let Some(v) = patch.group_sync_inbound {
            p.has_sync_policy = true;
            p.group_sync_inbound = Some(v);
        }
        if let Some(v) = patch.cross_cloud_sync {
            p.cross_cloud_sync = v;
        }
        let values = PartnerValues::from(&*p);
        let mut rules = vec![r::XTAP_1, r::XTAP_2];
        if patch.sync_inbound.is_some() {
            rules.push(r::XTAP_8);
        }
        if patch.sync_inbound == Some(false) {
            rules.push(r::XTAP_10);
        }
        if patch.group_sync_inbound.is_some() {
            rules.push(r::XTAP_11);
        }
        self.emit(
            actor,
            EventKind::PartnerUpdated {
                partner,
                created,
                sync_policy_created,
                values,
            },
            &rules,
        );
        Ok(None)
    }

    /// Whether `a` and `b` are both active in the same MTO (MTO-56 then needs their settings).
    fn active_together(&self, a: TenantIdx, b: TenantIdx) -> bool {
        match (self.tenants[a.ix()].mto, self.tenants[b.ix()].mto) {
            (Some(m), Some(n)) if m == n => {
                let mto = &self.mtos[m.ix()];
                [a, b]
                    .iter()
                    .all(|t| mto.entry(*t).is_some_and(|e| e.state == MemberState::Active))
            }
            _ => false,
        }
    }

    /// MTO-56: the settings between two active tenants of one MTO stay.
    fn keep_mto_settings(&self, actor: TenantIdx, partner: TenantIdx, what: &str) -> Result<(), Refusal> {
        if !self.active_together(actor, partner) {
            return Ok(());
        }
        Err(Refusal::bad_request(
            r::MTO_56,
            msg![
                format!(
                    "{} and {} are both active in the same multitenant organization, and each active tenant must have cross-tenant access settings for all active tenants, so {what} cannot be deleted; it would be allowed once one of them has left the organization (",
                    self.name(actor),
                    self.name(partner)
                ),
                ActionKind::RemoveTenant,
                "), and its values can be changed instead (",
                ActionKind::SetPartner,
                ").",
            ],
        ))
    }

    fn delete_sync_policy(&mut self, actor: TenantIdx, partner: TenantIdx) -> Result<Option<OpId>, Refusal> {
        let has = self.tenants[actor.ix()]
            .partners
            .get(&partner)
            .is_some_and(|p| p.has_sync_policy);
        if !has {
            return Err(Refusal::with_code(
                r::XTAP_8,
                "Request_ResourceNotFound",
                msg![
                    format!(
                        "{} has no identity sync policy for {}, so there is nothing to delete; one exists once user or group sync inbound is set (",
                        self.name(actor),
                        self.name(partner)
                    ),
                    ActionKind::SetPartner,
                    ").",
                ],
            ));
        }
        self.keep_mto_settings(actor, partner, "the identity sync policy")?;
        let p = self.tenants[actor.ix()]
            .partners
            .get_mut(&partner)
            .expect("checked above");
        p.has_sync_policy = false;
        p.sync_inbound = None;
        p.group_sync_inbound = None;
        self.emit(actor, EventKind::SyncPolicyDeleted { partner }, &[r::XTAP_8]);
        Ok(None)
    }

    fn delete_partner(
        &mut self,
        actor: TenantIdx,
        partner: TenantIdx,
        sync_policy_too: bool,
    ) -> Result<Option<OpId>, Refusal> {
        if let Some(p) = self.tenants[actor.ix()].partners.get(&partner) {
            self.keep_mto_settings(actor, partner, "the partner configuration")?;
            if p.has_sync_policy && !sync_policy_too {
                return Err(Refusal::bad_request(
                    r::XTAP_9,
                    msg![
                        format!(
                            "{}'s partner configuration for {} still has an identity sync policy, and a configuration with one cannot be deleted until the policy is; it would be allowed after deleting the policy first (",
                            self.name(actor),
                            self.name(partner)
                        ),
                        ActionKind::DeleteSyncPolicy,
                        ").",
                    ],
                ));
            }
        }
        let Some(p) = self.tenants[actor.ix()].partners.remove(&partner) else {
            return Err(Refusal::with_code(
                r::XTAP_8,
                "Directory_ObjectNotFound",
                format!(
                    "{} has no partner configuration for {}, so there is nothing to delete.",
                    self.name(actor),
                    self.name(partner)
                ),
            ));
        };
        self.emit(
            actor,
            EventKind::PartnerDeleted {
                partner,
                had_sync_policy: p.has_sync_policy,
            },
            &[r::XTAP_9],
        );
        Ok(None)
    }

    fn set_templates(&mut self, actor: TenantIdx, patch: TemplatesPatch) -> Result<Option<OpId>, Refusal> {
        let t = &mut self.tenants[actor.ix()].templates;
        merge(&mut t.auto_redeem_inbound, patch.auto_redeem_inbound);
        merge(&mut t.auto_redeem_outbound, patch.auto_redeem_outbound);
        merge(&mut t.mfa_trust, patch.mfa_trust);
        merge(&mut t.sync_inbound, patch.sync_inbound);
        if let Some(l) = patch.application {
            t.partner_level = l;
            t.identity_level = l;
        }
        let values = TemplateValues {
            auto_redeem_inbound: t.auto_redeem_inbound,
            auto_redeem_outbound: t.auto_redeem_outbound,
            sync_inbound: t.sync_inbound,
            level: t.partner_level,
        };
        self.emit(
            actor,
            EventKind::TemplatesUpdated { values },
            &[r::MTO_58, r::MTO_61, r::MTO_62],
        );
        Ok(None)
    }

    // ----- time ----------------------------------------------------------------------------

    /// Processes every queued completion due at or before `t`, then sets the clock to `t`.
    /// A per-run cap stops the world where it was reached: the clock stays there.
    pub fn advance_to(&mut self, t: SimTime) {
        let t = self.clamp_time(t);
        if t > self.now {
            self.record(crate::state::Recorded::AdvanceTo(t));
        }
        let mut n = 0u64;
        self.idle_streak = 0;
        while let Some(Reverse((at, _, _))) = self.queue.peek() {
            if *at > t || self.limit.is_some() {
                break;
            }
            // every job went round once with nothing to do: count the rest of the wait's
            // idle cycles at once
            if self.idle_streak >= self.queue.len().max(1) {
                self.idle_streak = 0;
                if self.skip_idle_cycles(t) {
                    continue;
                }
            }
            if n >= limits::EVENTS_PER_ADVANCE_MAX {
                self.limit = Some(crate::state::LimitHit {
                    name: "EVENTS_PER_ADVANCE_MAX",
                    max: limits::EVENTS_PER_ADVANCE_MAX,
                    what: "one wait".to_string(),
                    at: self.now,
                });
                break;
            }
            if !self.spend(crate::state::WorkKind::Events, 1, || "queued events".to_string()) {
                break;
            }
            self.step_queue();
            n += 1;
        }
        if t > self.now && self.limit.is_none() {
            self.now = t;
        }
    }

    /// Advances until no join or removal is pending and every scheduled sync job has finished
    /// a cycle with no work, at most `max` of simulated time. Returns the settle time, or the
    /// time at which it gave up.
    pub fn settle(&mut self, max: Duration) -> Result<SimTime, SimTime> {
        self.record(crate::state::Recorded::Settle(max));
        let deadline = self.clamp_time(self.now + max);
        let mut n = 0u64;
        let mut unsettled = 0;
        loop {
            if self.is_settled_from(&mut unsettled) {
                return Ok(self.now);
            }
            let Some(Reverse((at, _, _))) = self.queue.peek() else {
                return Ok(self.now);
            };
            if *at > deadline {
                self.now = deadline;
                return Err(deadline);
            }
            if n >= limits::EVENTS_PER_ADVANCE_MAX && self.limit.is_none() {
                self.limit = Some(crate::state::LimitHit {
                    name: "EVENTS_PER_ADVANCE_MAX",
                    max: limits::EVENTS_PER_ADVANCE_MAX,
                    what: "one settle".to_string(),
                    at: self.now,
                });
            }
            if self.limit.is_some()
                || !self.spend(crate::state::WorkKind::Events, 1, || "queued events".to_string())
            {
                return Err(self.now);
            }
            self.step_queue();
            n += 1;
        }
    }

    /// How the tenant cap came about, for messages: documented, or set by a named option.
    fn cap_origin(&self) -> String {
        let documented = RuleSet::new(self.rules.kind).active_tenants_max;
        if documented == self.rules.active_tenants_max {
            format!("the cap under {}", self.rules.kind.name())
        } else {
            format!(
                "the cap of {} set by the named option max_active_tenants ({} documents {documented})",
                self.rules.active_tenants_max,
                self.rules.kind.name()
            )
        }
    }

    /// `t`, or the last instant the simulation can reach ([`limits::SIM_TIME_MAX`]): a later
    /// one stops the world there.
    fn clamp_time(&mut self, t: SimTime) -> SimTime {
        if t <= limits::SIM_TIME_MAX {
            return t;
        }
        if self.limit.is_none() {
            self.limit = Some(crate::state::LimitHit {
                name: "SIM_TIME_MAX",
                max: limits::SIM_TIME_MAX.0 as u64,
                what: format!(
                    "a wait ending {}s after 9999-12-31T23:59:59Z, the last instant RFC 3339 writes,",
                    t.0.saturating_sub(limits::SIM_TIME_MAX.0)
                ),
                at: self.now,
            });
        }
        limits::SIM_TIME_MAX
    }

    /// Stops the world when the string table overflowed (INTERNED_STRINGS_MAX).
    fn check_strings(&mut self) {
        if self.strings.is_full() && self.limit.is_none() {
            self.limit = Some(crate::state::LimitHit {
                name: "INTERNED_STRINGS_MAX",
                max: limits::INTERNED_STRINGS_MAX as u64,
                what: "distinct attribute values".to_string(),
                at: self.now,
            });
        }
    }

    fn step_queue(&mut self) {
        self.step_queue_inner();
        self.check_strings();
    }

    fn step_queue_inner(&mut self) {
        let Some(Reverse((at, _, p))) = self.queue.pop() else {
            return;
        };
        if at > self.now {
            self.now = at;
        }
        match p {
            Pending::JoinDone(op) => {
                self.async_pending -= 1;
                self.complete_join(op);
            }
            Pending::RemovalDone(op) => {
                self.async_pending -= 1;
                self.complete_removal(op);
            }
            Pending::JoinRunning(op) => {
                let j = self.ops[op.0 as usize].subject;
                if let Some((st @ ProcessingStatus::NotStarted, _)) =
                    self.tenants[j.ix()].join.transition.as_mut()
                {
                    *st = ProcessingStatus::Running;
                    if let Some(m) = self.ops[op.0 as usize].mto {
                        if let Some(t) = self.mtos[m.ix()].entry_mut(j).and_then(|e| e.transition.as_mut()) {
                            t.status = ProcessingStatus::Running;
                        }
                    }
                    self.emit(j, EventKind::JoinRunning { op }, &[r::MTO_28]);
                }
            }
            Pending::Purge(t, ai) => {
                let due = self.tenants[t.ix()].dir.account_deleted_at(ai);
                if due.is_some_and(|d| d + crate::sync::SOFT_DELETE_RETENTION <= self.now)
                    && self.tenants[t.ix()].dir.purge_external(ai)
                {
                    self.purge_batch(t);
                }
            }
            Pending::CycleStart(c) => self.cycle_start(c),
            Pending::CycleEnd(c) => self.cycle_end(c),
        }
        // a deliberately broken rule is for the checkers under test to find, not for this
        debug_assert!(
            self.rules.fault.is_some() || self.check_invariants().is_ok(),
            "{:?}",
            self.check_invariants()
        );
    }

    fn join_failure(&self, op: &Op) -> Option<Refusal> {
        let j = op.subject;
        let jn = self.name(j);
        if let Some(cur) = self.mto_view(j).mto {
            if Some(cur) != op.mto {
                return Some(Refusal::new(r::MTO_30, format!("{jn} already belongs to a different MTO (reason d; MTO-3); it could join after leaving that one.")));
            }
        }
        let adder = op.added_by.expect("joins name an adder");
        if let (Some(wait), Some(m)) = (self.rules.join_min_wait_after_create, op.mto) {
            let created = self.mtos[m.ix()].created_at;
            let submitted = op.submitted_at;
            if submitted - created < wait {
                return Some(Refusal::with_code(r::MTO_27, "Request_BadRequest", format!("{jn}'s join was submitted {} after the MTO was created, and the 2023 texts require at least {wait} (named option join_min_wait); a join submitted later would proceed.", submitted - created)));
            }
        }
        if op.mto.is_some_and(|m| self.mtos[m.ix()].deleted) {
            return Some(Refusal::new(r::MTO_30, format!("the MTO that listed {jn} was deleted before its join completed (reason a); the join would succeed in an MTO that still lists {jn} as pending.")));
        }
        let Some(m) = op.mto else {
            let where_ = match self.mto_view(adder).mto {
                Some(_) => format!("to {}'s MTO", self.name(adder)),
                None => format!("to an MTO: {} has none", self.name(adder)),
            };
            return Some(Refusal::new(r::MTO_30, format!("{jn} was never added {where_} (reason a); the join would succeed after an owner adds {jn} and the join names that owner.")));
        };
        let mto = &self.mtos[m.ix()];
        if mto.entry(j).is_none() {
            return Some(Refusal::new(r::MTO_30, format!("{jn} was never added to {}'s MTO (reason a); the join would succeed after an owner adds {jn} and the join names that owner.", self.name(adder))));
        }
        if mto.entry(j).is_some_and(|e| e.state != MemberState::Pending) {
            return Some(Refusal::new(r::MTO_30, format!("{jn} is no longer pending in the MTO (reason a); an owner would have to add it again (MTO-43).")));
        }
        if !mto.is_active_owner(adder) {
            return Some(Refusal::new(r::MTO_30, format!("{} is no longer an active owner of the MTO, so {jn} was not added by an owner (reason a); an owner could add it again.", self.name(adder))));
        }
        let cap = self.rules.active_tenants_max as usize;
        if mto.active_count() >= cap && self.rules.fault != Some(crate::rules::Fault::JoinPastCap) {
            return Some(Refusal::new(self.rules.tenant_cap_rule(), format!("the MTO already has {} active tenants, {} (MTO-30 reason c); the join would succeed after another tenant leaves, or with a higher cap by support request.", mto.active_count(), self.cap_origin())));
        }
        if let Some(max) = self.rules.internal_users_at_join_max {
            let rule = if self.rules.kind == RuleSetKind::Preview2023 {
                r::MTO_45
            } else {
                r::MTO_47
            };
            for t in [adder, j] {
                let n = self.tenants[t.ix()].dir.internal_user_count();
                if n > max {
                    return Some(Refusal::new(rule, format!("{} has {n} internal users, more than the {max} allowed per tenant at join{} (MTO-30 reason b); the join would succeed with at most {max}.", self.name(t), if RuleSet::new(self.rules.kind).internal_users_at_join_max == Some(max) { String::new() } else { " (set by the named option internal_users_max)".to_string() })));
                }
            }
        }
        None
    }

    fn complete_join(&mut self, op_id: OpId) {
        let op = self.ops[op_id.0 as usize].clone();
        let j = op.subject;
        if let Some(mut f) = self.join_failure(&op) {
            if f.rule != r::MTO_30 {
                f.also.push(r::MTO_30);
            }
            self.tenants[j.ix()].join = JoinRecord {
                added_by: op.added_by,
                member_state: Some(MemberState::Pending),
                role: None,
                transition: Some((ProcessingStatus::Failed, f.message.clone())),
            };
            if let Some(m) = op.mto {
                if let Some(e) = self.mtos[m.ix()].entry_mut(j) {
                    if let Some(t) = e.transition.as_mut() {
                        t.status = ProcessingStatus::Failed;
                        t.details = Some(f.message.clone());
                    }
                }
            }
            let mut rules = vec![r::MTO_30, r::MTO_28];
            if f.rule != r::MTO_30 {
                rules.insert(0, f.rule);
            }
            self.emit(
                j,
                EventKind::JoinFailed {
                    op: op_id,
                    refusal: f.clone(),
                },
                &rules,
            );
            self.ops[op_id.0 as usize].outcome = Some(Err(f));
            return;
        }
        let m = op.mto.expect("checked by join_failure");
        let preview = self.rules.kind == RuleSetKind::Preview2023;
        let now = self.now;
        let entry = self.mtos[m.ix()].entry_mut(j).expect("pending entry checked");
        let role = entry.transition.as_ref().map_or(entry.role, |t| t.desired_role);
        entry.role = role;
        entry.state = MemberState::Active;
        entry.joined_at = (!preview).then_some(now);
        entry.transition = None;
        let local = Guid::derive(self.seed, &[b"mto-local", &m.0.to_le_bytes(), &j.0.to_le_bytes()]);
        let ten = &mut self.tenants[j.ix()];
        ten.mto = Some(m);
        ten.local_mto_id = Some(local);
        ten.join = JoinRecord {
            added_by: op.added_by,
            member_state: Some(MemberState::Active),
            role: Some(role),
            transition: None,
        };
        let active = self.mtos[m.ix()].active_count();
        self.ops[op_id.0 as usize].outcome = Some(Ok(()));
        self.emit(
            j,
            EventKind::JoinSucceeded {
                op: op_id,
                role,
                active,
            },
            &[r::MTO_31, r::MTO_32],
        );
        self.check_p1_at_join(m);
        // MTO-34, MTO-56, MTO-62: partner settings for every new pair, then templates
        let others: Vec<TenantIdx> = self.mtos[m.ix()]
            .active()
            .map(|e| e.tenant)
            .filter(|&t| t != j)
            .collect();
        for &o in &others {
            self.partner_at_join(j, o);
        }
        for &o in &others {
            self.partner_at_join(o, j);
        }
        // MTO-70: MTO_Sync_<id> configurations, stopped, for Microsoft 365-managed tenants
        for &o in &others {
            if self.tenants[j.ix()].m365_managed {
                self.ensure_mto_sync(j, o);
            }
            if self.tenants[o.ix()].m365_managed {
                self.ensure_mto_sync(o, j);
            }
        }
    }

    /// MTO-50 (preview: P1 or higher in every MTO tenant) and MTO-51 (GA: at least one P1 per
    /// tenant): reported as warnings, since Entra does not block the join.
    fn check_p1_at_join(&mut self, m: MtoIdx) {
        let rule = if self.rules.kind == RuleSetKind::Preview2023 {
            r::MTO_50
        } else {
            r::MTO_51
        };
        let short: Vec<TenantIdx> = self.mtos[m.ix()]
            .active()
            .map(|e| e.tenant)
            .filter(|t| self.tenants[t.ix()].spec.p1_licenses == Some(0))
            .collect();
        for t in short {
            self.emit(t, EventKind::Warning(Warning::NoP1Licence { tenant: t }), &[rule]);
        }
    }

    /// `owner`'s settings toward `partner` at a join event: created unconfigured where
    /// missing (MTO-56), templates applied (MTO-62, MTO-63), MTO flag set (MTO-57).
    fn partner_at_join(&mut self, owner: TenantIdx, partner: TenantIdx) {
        let ten = &mut self.tenants[owner.ix()];
        let existed = ten.partners.contains_key(&partner);
        let p = ten.partners.entry(partner).or_default();
        let sync_new = !p.has_sync_policy;
        p.has_sync_policy = true;
        let templates = ten.templates.clone();
        let changed = templates.apply_at_join(p, !existed, sync_new);
        let flag_changed = !p.in_mto;
        p.in_mto = true;
        let values = PartnerValues::from(&*p);
        if !existed {
            self.emit(
                owner,
                EventKind::PartnerCreated { partner },
                &[r::MTO_34, r::MTO_56],
            );
        }
        if changed {
            self.emit(
                owner,
                EventKind::TemplatesApplied {
                    partner,
                    new_partner: !existed,
                    values,
                },
                &[r::MTO_62, r::MTO_63],
            );
        }
        if flag_changed {
            self.emit(owner, EventKind::InMtoFlag { partner, value: true }, &[r::MTO_57]);
        }
    }

    fn complete_removal(&mut self, op_id: OpId) {
        let op = self.ops[op_id.0 as usize].clone();
        let m = op.mto.expect("removals name their MTO");
        let whole = matches!(
            op.case,
            Some(RemovalCase::LastTenantDeletesMto | RemovalCase::OwnerExitDissolves)
        );
        let gone: Vec<TenantIdx> = self.mtos[m.ix()]
            .members
            .iter()
            .filter(|e| {
                e.tenant == op.subject
                    || whole
                        && e.transition
                            .as_ref()
                            .is_some_and(|t| t.desired_state == MemberState::Removed)
            })
            .map(|e| e.tenant)
            .collect();
        self.mtos[m.ix()].members.retain(|e| !gone.contains(&e.tenant));
        let remaining: Vec<TenantIdx> = self.mtos[m.ix()].active().map(|e| e.tenant).collect();
        for &g in &gone {
            let ten = &mut self.tenants[g.ix()];
            let was_active = ten.mto == Some(m);
            if was_active {
                ten.mto = None;
                ten.local_mto_id = None;
                ten.join = JoinRecord::default();
            }
            self.emit(
                g,
                EventKind::RemovalCompleted {
                    op: op_id,
                    target: g,
                    was_active,
                },
                &[r::MTO_40, r::MTO_69, r::MTO_79],
            );
            // MTO-57 sim note: the flag is cleared on both sides when removal completes
            let mut pairs: Vec<TenantIdx> = remaining.clone();
            pairs.extend(gone.iter().copied().filter(|&x| x != g));
            for &o in &pairs {
                self.clear_in_mto(g, o);
                self.clear_in_mto(o, g);
            }
        }
        self.ops[op_id.0 as usize].outcome = Some(Ok(()));
        // a second removal completing after the MTO went does not delete it again
        if remaining.is_empty() && !self.mtos[m.ix()].deleted {
            let dropped = self.mtos[m.ix()].members.len();
            self.mtos[m.ix()].members.clear();
            self.mtos[m.ix()].deleted = true;
            let mut rules = vec![if op.case == Some(RemovalCase::OwnerExitDissolves) {
                r::SEED_3
            } else {
                r::MTO_38
            }];
            if dropped > 0 {
                rules.push(r::MTO_39);
            }
            rules.push(r::MTO_82);
            self.emit(
                op.actor,
                EventKind::MtoDeleted {
                    dropped_pending: dropped,
                },
                &rules,
            );
        }
    }

    fn clear_in_mto(&mut self, owner: TenantIdx, partner: TenantIdx) {
        if let Some(p) = self.tenants[owner.ix()].partners.get_mut(&partner) {
            if p.in_mto {
                p.in_mto = false;
                self.emit(
                    owner,
                    EventKind::InMtoFlag {
                        partner,
                        value: false,
                    },
                    &[r::MTO_57],
                );
            }
        }
    }

    // ----- invariants --------------------------------------------------------------------
}

fn add_stats(total: &mut CycleStats, s: &CycleStats) {
    total.evaluated += s.evaluated;
    total.created += s.created;
    total.updated += s.updated;
    total.deleted += s.deleted;
    total.restored += s.restored;
    total.failed += s.failed;
    total.skipped += s.skipped;
}

/// Borrows two distinct tenants, the first shared and the second mutable.
fn two(v: &mut [Tenant], a: TenantIdx, b: TenantIdx) -> (&Tenant, &mut Tenant) {
    assert_ne!(a, b, "a configuration's source and target differ");
    if a.ix() < b.ix() {
        let (l, r) = v.split_at_mut(b.ix());
        (&l[a.ix()], &mut r[0])
    } else {
        let (l, r) = v.split_at_mut(a.ix());
        (&r[0], &mut l[b.ix()])
    }
}

mod directory_ops;
mod sync_ops;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_limits;
#[cfg(test)]
mod tests_values;
