//! Directory changes inside the world: users created, edited, disabled, deleted and restored,
//! static group membership, and B2B invitations. Every change to an internal user lands in the
//! tenant's change log, which incremental sync cycles read (CTS-41). Changes made in a target
//! tenant to an external account are target-side edits: sync never reads them (CTS-47, CTS-48).

use super::*;
use crate::directory::{account_flags, Attr, ExternalAccount, User, UserType, NO_CONFIG};
use crate::event::DirChange;
use crate::msg;
use crate::refusal::Setting;
use crate::strings::Sym;

/// What a [`UserRef`] names once resolved in a tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// An internal (or imported external) user of the tenant's own directory.
    Internal(UserIdx),
    /// An external account standing for a user of another tenant.
    External(u32),
}

impl World {
    /// Resolves a user of tenant `t`'s own directory.
    pub(super) fn resolve_user(&self, t: TenantIdx, r: &UserRef) -> Result<UserIdx, Refusal> {
        match r {
            UserRef::Idx(u) if u.ix() < self.tenants[t.ix()].dir.users().len() => Ok(*u),
            UserRef::Idx(u) => Err(Refusal::new(
                r::SIM_1,
                format!(
                    "{} has no user number {} (it has {}); an action can name only an existing user.",
                    self.name(t),
                    u.0,
                    self.tenants[t.ix()].dir.users().len()
                ),
            )),
            UserRef::Upn(upn) => self.tenants[t.ix()].dir.user_by_upn(upn).ok_or_else(|| {
                Refusal::new(
                    r::SIM_1,
                    msg![
                        format!(
                            "{} has no user {upn} at this point; it would be allowed once the user exists (",
                            self.name(t)
                        ),
                        ActionKind::AddUser,
                        ").",
                    ],
                )
            }),
        }
    }

    /// Resolves several users of tenant `t`, sorted and unique.
    pub(super) fn resolve_users(&self, t: TenantIdx, refs: &[UserRef]) -> Result<Vec<UserIdx>, Refusal> {
        let mut v = refs
            .iter()
            .map(|r| self.resolve_user(t, r))
            .collect::<Result<Vec<_>, _>>()?;
        v.sort_unstable();
        v.dedup();
        Ok(v)
    }

    /// Resolves a user or an external account of tenant `t` (an `#EXT#` UPN names the latter).
    pub(super) fn resolve_any(&self, t: TenantIdx, r: &UserRef) -> Result<Target, Refusal> {
        if let UserRef::Upn(upn) = r {
            if upn.contains("#EXT#") {
                if let Some(ai) = self.external_by_upn(t, upn) {
                    return Ok(Target::External(ai));
                }
                if let Some(u) = self.tenants[t.ix()].dir.user_by_upn(upn) {
                    return Ok(Target::Internal(u));
                }
                return Err(Refusal::new(
                    r::SIM_1,
                    format!(
                        "{} has no account {upn} at this point; it would be allowed once sync or an invitation has created it.",
                        self.name(t)
                    ),
                ));
            }
        }
        self.resolve_user(t, r).map(Target::Internal)
    }

    pub(super) fn add_user(&mut self, actor: TenantIdx, user: User) -> Result<Option<OpId>, Refusal> {
        if self.tenants[actor.ix()].dir.users().len() >= limits::USERS_PER_TENANT_MAX {
            return Err(Refusal::bad_request(
                r::SIM_1,
                format!(
                    "{} already holds {} users, the simulator's cap (USERS_PER_TENANT_MAX).",
                    self.name(actor),
                    limits::USERS_PER_TENANT_MAX
                ),
            ));
        }
        let upn = user.upn.clone();
        if !user.external {
            if let Some(why) = self.tenants[actor.ix()].spec.domain_problem(&upn) {
                return Err(Refusal::bad_request(r::SIM_4, format!("{why}.")));
            }
        }
        let u = self.tenants[actor.ix()].dir.add_user(user).map_err(|e| {
            Refusal::bad_request(
                r::SIM_1,
                format!("{e}; UPNs are unique in a directory, so choose another one."),
            )
        })?;
        self.refresh_dynamic(actor, u);
        self.emit(
            actor,
            EventKind::DirectoryChanged(DirChange::UserCreated { upn: upn.into() }),
            &[r::CTS_41],
        );
        Ok(None)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn update_user(
        &mut self,
        actor: TenantIdx,
        user: UserRef,
        attrs: Vec<(Attr, Sym)>,
        extra: Vec<(crate::extra::ExtraProp, Vec<String>)>,
        user_type: Option<UserType>,
        new_upn: Option<String>,
        manager: Option<Option<UserRef>>,
    ) -> Result<Option<OpId>, Refusal> {
        match self.resolve_any(actor, &user)? {
            Target::Internal(u) => {
                let manager = match manager {
                    None => None,
                    Some(None) => Some(None),
                    Some(Some(m)) => {
                        let m = self.resolve_user(actor, &m)?;
                        if m == u {
                            return Err(Refusal::bad_request(
                                r::SIM_1,
                                "a user cannot be its own manager; another user of the tenant would be allowed.",
                            ));
                        }
                        Some(Some(m))
                    }
                };
                if let Some(n) = &new_upn {
                    if let Some(why) = crate::user::upn_problem(n) {
                        return Err(Refusal::bad_request(
                            r::SIM_1,
                            format!("\"{n}\" is not a userPrincipalName: it {why}; a UPN of the form alias@domain would be allowed."),
                        ));
                    }
                    if let Some(why) = self.tenants[actor.ix()].spec.domain_problem(n) {
                        return Err(Refusal::bad_request(r::SIM_4, format!("{why}.")));
                    }
                }
                let dir = &mut self.tenants[actor.ix()].dir;
                let renamed_from = match &new_upn {
                    Some(n) if *dir.user(u).upn != **n => {
                        let old = dir.user(u).upn.to_string();
                        dir.rename_user(u, n).map_err(|e| {
                            Refusal::bad_request(
                                r::SIM_1,
                                format!("{e}; UPNs are unique in a directory, so a UPN no other user has would be allowed."),
                            )
                        })?;
                        Some(old)
                    }
                    _ => None,
                };
                dir.update_user(u, &attrs, &extra, user_type);
                if let Some(m) = manager {
                    dir.set_manager(u, m);
                }
                let manager = manager.map(|m| m.map(|m| dir.user(m).upn.to_string()));
                let upn = dir.users()[u.ix()].upn.clone();
                self.refresh_dynamic(actor, u);
                self.emit(
                    actor,
                    EventKind::DirectoryChanged(DirChange::UserUpdated {
                        upn: upn.into(),
                        attrs,
                        extra: extra.iter().map(|(p, v)| (p.name(), v.join(", "))).collect(),
                        user_type,
                        renamed_from,
                        manager,
                    }),
                    &[r::CTS_41],
                );
            }
            Target::External(ai) => {
                let dir = &mut self.tenants[actor.ix()].dir;
                for &(a, v) in &attrs {
                    dir.edit_account(ai, a, v);
                }
                if let Some(ut) = user_type {
                    dir.account_mut(ai).user_type = ut;
                }
                let upn = self.external_upn(actor, ai);
                self.emit(
                    actor,
                    EventKind::DirectoryChanged(DirChange::AccountEdited {
                        upn,
                        attrs,
                        user_type,
                    }),
                    &[r::CTS_48],
                );
            }
        }
        Ok(None)
    }

    pub(super) fn set_enabled(
        &mut self,
        actor: TenantIdx,
        user: UserRef,
        enabled: bool,
    ) -> Result<Option<OpId>, Refusal> {
        match self.resolve_any(actor, &user)? {
            Target::Internal(u) => {
                let dir = &mut self.tenants[actor.ix()].dir;
                dir.set_enabled(u, enabled);
                let upn = dir.users()[u.ix()].upn.clone();
                self.refresh_dynamic(actor, u);
                self.emit(
                    actor,
                    EventKind::DirectoryChanged(DirChange::SignIn {
                        upn: upn.into(),
                        enabled,
                    }),
                    &[r::CTS_44],
                );
            }
            Target::External(ai) => {
                let a = self.tenants[actor.ix()].dir.account_mut(ai);
                if a.is_enabled() != enabled {
                    a.flags ^= account_flags::ENABLED;
                }
                let upn = self.external_upn(actor, ai);
                self.emit(
                    actor,
                    EventKind::DirectoryChanged(DirChange::AccountSignIn { upn, enabled }),
                    &[r::CTS_48],
                );
            }
        }
        Ok(None)
    }

    pub(super) fn delete_user(&mut self, actor: TenantIdx, user: UserRef) -> Result<Option<OpId>, Refusal> {
        let now = self.now;
        match self.resolve_any(actor, &user)? {
            Target::Internal(u) => {
                let dir = &mut self.tenants[actor.ix()].dir;
                if dir.users()[u.ix()].deleted_at.is_some() {
                    return Err(Refusal::bad_request(
                        r::SIM_1,
                        msg![
                            format!("{} is already deleted; ", dir.users()[u.ix()].upn),
                            ActionKind::RestoreUser,
                            " brings it back within 30 days.",
                        ],
                    ));
                }
                dir.set_deleted(u, Some(now));
                let upn = dir.users()[u.ix()].upn.clone();
                self.refresh_dynamic(actor, u);
                self.emit(
                    actor,
                    EventKind::DirectoryChanged(DirChange::UserDeleted { upn: upn.into() }),
                    &[r::CTS_42, r::CTS_46],
                );
            }
            Target::External(ai) => {
                let dir = &mut self.tenants[actor.ix()].dir;
                if dir.externals()[ai as usize].is_soft_deleted() {
                    return Err(Refusal::bad_request(
                        r::SIM_1,
                        msg![
                            "that account is already deleted; ",
                            ActionKind::RestoreUser,
                            " brings it back within 30 days.",
                        ],
                    ));
                }
                dir.soft_delete_account(ai, now, false);
                self.push(
                    now + crate::sync::SOFT_DELETE_RETENTION,
                    Pending::Purge(actor, ai),
                );
                let upn = self.external_upn(actor, ai);
                self.emit(
                    actor,
                    EventKind::DirectoryChanged(DirChange::AccountDeleted { upn }),
                    &[r::CTS_47],
                );
            }
        }
        Ok(None)
    }

    pub(super) fn restore_user(&mut self, actor: TenantIdx, user: UserRef) -> Result<Option<OpId>, Refusal> {
        let now = self.now;
        match self.resolve_any(actor, &user)? {
            Target::Internal(u) => {
                let dir = &mut self.tenants[actor.ix()].dir;
                let Some(at) = dir.users()[u.ix()].deleted_at.get() else {
                    return Err(Refusal::bad_request(
                        r::SIM_1,
                        format!(
                            "{} is not deleted, so there is nothing to restore.",
                            dir.users()[u.ix()].upn
                        ),
                    ));
                };
                if now - at > crate::sync::SOFT_DELETE_RETENTION {
                    return Err(Refusal::bad_request(
                        r::CTS_46,
                        format!("{} was deleted more than 30 days ago and is gone for good; a restore within 30 days would have worked.", dir.users()[u.ix()].upn),
                    ));
                }
                dir.set_deleted(u, None);
                let upn = dir.users()[u.ix()].upn.clone();
                self.refresh_dynamic(actor, u);
                self.emit(
                    actor,
                    EventKind::DirectoryChanged(DirChange::UserRestored { upn: upn.into() }),
                    &[r::CTS_46],
                );
            }
            Target::External(ai) => {
                let dir = &mut self.tenants[actor.ix()].dir;
                let a = &dir.externals()[ai as usize];
                if !a.is_soft_deleted() || a.is_purged() {
                    return Err(Refusal::bad_request(r::CTS_46, "that account is not soft-deleted (or was purged after 30 days), so it cannot be restored."));
                }
                dir.restore_account(ai);
                let upn = self.external_upn(actor, ai);
                self.emit(
                    actor,
                    EventKind::DirectoryChanged(DirChange::AccountRestored { upn }),
                    &[r::CTS_47],
                );
            }
        }
        Ok(None)
    }

    pub(super) fn group_members(
        &mut self,
        actor: TenantIdx,
        group: GroupIdx,
        users: Vec<UserRef>,
        add: bool,
    ) -> Result<Option<OpId>, Refusal> {
        let users = self.resolve_users(actor, &users)?;
        let dir = &mut self.tenants[actor.ix()].dir;
        if dir.groups()[group.ix()].rule.is_some() {
            return Err(Refusal::bad_request(
                r::CTS_15,
                format!("\"{}\" is a dynamic group whose members come from its rule; change the users' attributes instead, or use a static group.", dir.groups()[group.ix()].name),
            ));
        }
        let mut members = dir.groups()[group.ix()].members.clone();
        if add {
            members.extend_from_slice(&users);
        } else {
            members.retain(|m| !users.contains(m));
        }
        dir.set_members(group, members);
        self.emit(
            actor,
            EventKind::DirectoryChanged(DirChange::GroupMembers {
                group,
                users,
                added: add,
            }),
            &[r::CTS_15],
        );
        Ok(None)
    }

    /// Sets a group's description: the tenant's own group by name first (a source-side change
    /// its synced copies pick up, CTS-65), else a group cross-tenant synchronization created
    /// here (a target-side edit that lasts until the source group changes, CTS-65).
    pub(super) fn update_group(
        &mut self,
        actor: TenantIdx,
        name: &str,
        description: Option<String>,
    ) -> Result<Option<OpId>, Refusal> {
        let dir = &mut self.tenants[actor.ix()].dir;
        let synced = if let Some(g) = dir.group_by_name(name) {
            dir.set_group_description(g, description.as_deref());
            false
        } else if let Some(i) = dir.synced_group_by_name(name) {
            dir.synced_group_mut(i).description = description.map(Into::into);
            true
        } else {
            return Err(Refusal::with_code(
                r::SIM_1,
                "Request_ResourceNotFound",
                format!(
                    "{} has no group named \"{name}\" at this point; it would be allowed once the group exists (a synced group exists after the cycle that creates it).",
                    self.name(actor)
                ),
            ));
        };
        let rules: &[RuleId] = if synced { &[r::CTS_65] } else { &[] };
        self.emit(
            actor,
            EventKind::GroupUpdated {
                name: name.to_string(),
                synced,
            },
            rules,
        );
        Ok(None)
    }

    /// Creates a static group of the acting tenant (Graph `POST /groups`); a name already taken
    /// is refused, since scenarios and checks find groups by name.
    pub(super) fn create_group(
        &mut self,
        actor: TenantIdx,
        name: String,
        description: Option<String>,
        kind: crate::directory::GroupKind,
        members: Vec<UserRef>,
    ) -> Result<Option<OpId>, Refusal> {
        let members = self.resolve_users(actor, &members)?;
        if name.trim().is_empty() {
            return Err(Refusal::bad_request(
                r::SIM_1,
                "a group needs a displayName; one that is not empty would be allowed.",
            ));
        }
        let tenant_name = self.name(actor).to_string();
        let dir = &mut self.tenants[actor.ix()].dir;
        if dir.groups().len() >= crate::limits::GROUPS_PER_TENANT_MAX {
            return Err(Refusal::bad_request(
                r::SIM_1,
                format!("{tenant_name} already has {} groups, the simulator's cap (GROUPS_PER_TENANT_MAX); fewer groups would be allowed.", crate::limits::GROUPS_PER_TENANT_MAX),
            ));
        }
        let g = dir.add_group(&name, members.clone()).map_err(|why| {
            Refusal::with_code(
                r::SIM_1,
                "Request_MultipleObjectsWithSameKeyValue",
                format!(
                    "{why} in {tenant_name}; mtosim finds groups by name, so another name would be allowed."
                ),
            )
        })?;
        dir.set_group_shape(g, kind, false, Vec::new());
        if description.is_some() {
            dir.set_group_description(g, description.as_deref());
        }
        self.emit(
            actor,
            EventKind::DirectoryChanged(DirChange::GroupCreated {
                name,
                members: members.len(),
            }),
            &[r::CTS_15],
        );
        Ok(None)
    }

    /// Deletes a group of the acting tenant (CTS-15, CTS-42): it leaves every configuration's
    /// assignments and the shared scope, so members in scope only through it are deprovisioned
    /// at the next cycle, and its synced copies are deleted with the next group pass (CTS-63).
    /// Deletion is permanent (Entra restores only Microsoft 365 groups; mtosim restores none).
    pub(super) fn delete_group(&mut self, actor: TenantIdx, name: &str) -> Result<Option<OpId>, Refusal> {
        let Some(g) = self.tenants[actor.ix()].dir.group_by_name(name) else {
            return Err(Refusal::with_code(
                r::SIM_1,
                "Request_ResourceNotFound",
                format!(
                    "{} has no group named \"{name}\"; an existing group could be deleted.",
                    self.name(actor)
                ),
            ));
        };
        let members = self.tenants[actor.ix()].dir.groups()[g.ix()].members.clone();
        for cfg in self
            .configs
            .iter_mut()
            .filter(|c| c.source == actor && !c.deleted)
        {
            if cfg.groups.contains(&g) {
                cfg.groups.retain(|&x| x != g);
                cfg.job.pending.extend_from_slice(&members);
            }
        }
        self.tenants[actor.ix()].m365_shared.0.retain(|&x| x != g);
        self.tenants[actor.ix()].dir.delete_group(g);
        self.emit(
            actor,
            EventKind::DirectoryChanged(DirChange::GroupDeleted {
                name: name.to_string(),
                members: members.len(),
            }),
            &[r::CTS_15, r::CTS_42],
        );
        Ok(None)
    }

    /// CTS-49: an external user leaves by self-service (allowed by the tenant's external user
    /// leave settings): the account is soft-deleted and unlinked, and the configuration that
    /// provisioned it evaluates the home user again, so a user still in scope is provisioned
    /// again, as a new account (restoring is not supported), at the next cycle.
    pub(super) fn leave_organization(
        &mut self,
        actor: TenantIdx,
        user: UserRef,
    ) -> Result<Option<OpId>, Refusal> {
        let ai = match self.resolve_any(actor, &user)? {
            Target::External(ai) => ai,
            Target::Internal(_) => {
                return Err(Refusal::bad_request(
                    r::CTS_49,
                    "only external users can leave an organization by self-service; an internal user is deleted by an administrator instead.",
                ))
            }
        };
        if !self.tenants[actor.ix()].spec.external_user_leave {
            return Err(Refusal::forbidden(
                r::CTS_49,
                msg![
                    format!("{}'s external user leave settings don't let external users remove themselves; it would be allowed with ", self.name(actor)),
                    Setting::ExternalUserLeave,
                    ".",
                ],
            ));
        }
        let now = self.now;
        let dir = &mut self.tenants[actor.ix()].dir;
        if dir.externals()[ai as usize].is_soft_deleted() {
            return Err(Refusal::bad_request(
                r::SIM_1,
                "that account is already deleted, so it cannot leave.",
            ));
        }
        let a = dir.externals()[ai as usize];
        dir.soft_delete_account(ai, now, false);
        dir.unlink_account(ai);
        self.push(
            now + crate::sync::SOFT_DELETE_RETENTION,
            Pending::Purge(actor, ai),
        );
        let requeued = self
            .configs
            .get(a.config.ix())
            .filter(|c| a.config != crate::directory::NO_CONFIG && !c.deleted)
            .map(|_| a.config);
        if let Some(c) = requeued {
            self.configs[c.ix()].job.pending.push(a.source_user);
        }
        let upn = self.external_upn(actor, ai);
        self.emit(actor, EventKind::AccountLeft { upn, requeued }, &[r::CTS_49]);
        Ok(None)
    }

    /// MTO-83: resetting a redeemed B2B user's redemption is disabled while the tenant is in a
    /// multitenant organization; otherwise the account is PendingAcceptance again.
    pub(super) fn reset_redemption(
        &mut self,
        actor: TenantIdx,
        user: UserRef,
    ) -> Result<Option<OpId>, Refusal> {
        let Target::External(ai) = self.resolve_any(actor, &user)? else {
            return Err(Refusal::bad_request(
                r::MTO_83,
                "only a B2B (external) user has a redemption status to reset; name an external account.",
            ));
        };
        let a = &self.tenants[actor.ix()].dir.externals()[ai as usize];
        if a.is_soft_deleted() {
            return Err(Refusal::bad_request(
                r::SIM_1,
                "that account is deleted; restore it first.",
            ));
        }
        let redeemed = a.flags & crate::directory::account_flags::PENDING_ACCEPTANCE == 0;
        if redeemed && self.tenants[actor.ix()].mto.is_some() {
            return Err(Refusal::bad_request(
                r::MTO_83,
                msg![
                    format!(
                        "as part of a multitenant organization, reset redemption for an already redeemed B2B user is disabled in {}; it would be allowed after it leaves the organization (",
                        self.name(actor)
                    ),
                    ActionKind::RemoveTenant,
                    ").",
                ],
            ));
        }
        self.tenants[actor.ix()].dir.set_pending_acceptance(ai, true);
        let upn = self.external_upn(actor, ai);
        self.emit(actor, EventKind::RedemptionReset { upn }, &[r::MTO_83]);
        Ok(None)
    }

    pub(super) fn invite_guest(
        &mut self,
        actor: TenantIdx,
        home: TenantIdx,
        user: UserRef,
        user_type: UserType,
        redeemed: bool,
    ) -> Result<Option<OpId>, Refusal> {
        if home == actor {
            return Err(Refusal::bad_request(
                r::CTS_26,
                "a tenant cannot invite its own user as a guest; invite a user of another tenant.",
            ));
        }
        let u = self.resolve_user(home, &user)?;
        let me = &self.tenants[actor.ix()];
        if !me.spec.guest_invites_allowed {
            return Err(Refusal::with_code(
                r::CTS_9,
                "AzureActiveDirectoryForbidden",
                msg![
                    format!("Guest invitations not allowed for your company. Contact your company administrator for more details. ({} allows no one to invite guests; it would be allowed with ", self.name(actor)),
                    Setting::GuestInvitesEveryone,
                    ".)",
                ],
            ));
        }
        // the documented invitation errors of cross-tenant access settings (B2B troubleshooting)
        if !me.b2b_inbound_for(home).admits(u, &self.tenants[home.ix()].dir) {
            return Err(Refusal::bad_request(
                r::XTAP_17,
                msg![
                    format!("This invitation is blocked by cross-tenant access settings in your organization. Your administrator must configure cross-tenant access settings to allow this invitation. ({}'s B2B collaboration inbound settings for {} leave this user out; it would be allowed with ", self.name(actor), self.name(home)),
                    Setting::B2bInboundAllowed,
                    ".)",
                ],
            ));
        }
        if !self.tenants[home.ix()]
            .b2b_outbound_for(actor)
            .admits(u, &self.tenants[home.ix()].dir)
        {
            return Err(Refusal::bad_request(
                r::XTAP_17,
                format!("This invitation is blocked by cross-tenant access settings. Admins in both your organization and the invited user's organization must configure cross-tenant access settings to allow the invitation. ({}'s B2B collaboration outbound settings for {} leave this user out; it would be allowed once they include the user.)", self.name(home), self.name(actor)),
            ));
        }
        if let Some(ai) = me.dir.account_of(home, u) {
            if !me.dir.externals()[ai as usize].is_soft_deleted() {
                return Err(Refusal::bad_request(
                    r::CTS_26,
                    format!(
                        "{} already has an account for {} (one person, one account); invite someone else.",
                        self.name(actor),
                        self.external_upn(actor, ai)
                    ),
                ));
            }
        }
        let src = &self.tenants[home.ix()].dir.users()[u.ix()];
        let invited_as = match src.text(Attr::Mail, &self.strings) {
            "" => src.upn.to_string(),
            m => m.to_string(),
        };
        let display = src.display_name(&self.strings).to_string();
        let users_in_home = self.tenants[home.ix()].dir.users().len();
        let version = self.tenants[home.ix()].dir.user(u).version;
        // an invitation writes the invited user's display name and address, nothing else
        // (POST /invitations: invitedUserDisplayName, invitedUserEmailAddress)
        let values = vec![
            (Attr::DisplayName, self.strings.intern(&display)),
            (Attr::Mail, self.strings.intern(&invited_as)),
        ];
        let domain = self.tenants[actor.ix()].spec.initial_domain.clone();
        let now = self.now;
        let dir = &mut self.tenants[actor.ix()].dir;
        let flags = account_flags::ENABLED
            | if redeemed {
                0
            } else {
                account_flags::PENDING_ACCEPTANCE
            };
        let ai = dir.add_external(
            ExternalAccount {
                source_user: u,
                config: NO_CONFIG,
                source_tenant: home,
                user_type,
                flags,
                created_at: now,
                version,
            },
            users_in_home,
        );
        dir.set_account_values(ai, values);
        if !redeemed {
            // CTS-31: the UPN of an unredeemed invitation comes from the invited address
            dir.set_upn_override(ai, &crate::directory::ext_upn(&invited_as, &domain));
        }
        let rules: &[RuleId] = if redeemed {
            &[r::CTS_26]
        } else {
            &[r::CTS_26, r::CTS_31]
        };
        self.emit(
            actor,
            EventKind::GuestInvited {
                home,
                user: u,
                redeemed,
            },
            rules,
        );
        Ok(None)
    }

    /// Creates a dynamic group whose members are every non-deleted user matching `rule`
    /// (membership is re-evaluated whenever a user changes, CTS-15).
    pub fn add_dynamic_group(
        &mut self,
        t: TenantIdx,
        name: &str,
        rule: crate::membership::MembershipRule,
    ) -> Result<GroupIdx, String> {
        let users = self.tenants[t.ix()].dir.users().len() as u64;
        let tenant = self.name(t).to_string();
        let units = users.saturating_mul(rule.cost());
        if !self.spend(crate::state::WorkKind::RuleEvaluations, units, || {
            format!("evaluating the rule of dynamic group \"{name}\" over {users} users of {tenant}")
        }) {
            return Err(self.limit.as_ref().map(|l| l.to_string()).unwrap_or_default());
        }
        let members: Vec<UserIdx> = {
            let dir = &self.tenants[t.ix()].dir;
            (0..dir.users().len() as u32)
                .map(UserIdx)
                .filter(|u| {
                    let user = &dir.users()[u.ix()];
                    user.deleted_at.is_none()
                        && rule.matches(&crate::directory::SourceUser {
                            now: self.now.0,
                            ..crate::directory::SourceUser::new(dir, *u, &self.strings)
                        })
                })
                .collect()
        };
        self.tenants[t.ix()].dir.add_dynamic_group(name, members, rule)
    }

    /// Re-evaluates every dynamic group of `t` for user `u` after it changed.
    pub(super) fn refresh_dynamic(&mut self, t: TenantIdx, u: UserIdx) {
        let units = self.tenants[t.ix()].dir.dynamic_cost();
        if units == 0 {
            return;
        }
        let n = self.tenants[t.ix()].dir.dynamic_groups();
        let name = self.name(t).to_string();
        if !self.spend(crate::state::WorkKind::RuleEvaluations, units, || {
            format!("re-evaluating {n} dynamic groups of {name} for a changed user")
        }) {
            return;
        }
        self.tenants[t.ix()]
            .dir
            .refresh_dynamic(u, &self.strings, self.now);
    }
}
