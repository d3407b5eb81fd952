//! What a tenant's administrator can read: every object of one tenant as that tenant sees it,
//! with a stable object id derived from the scenario seed. Every surface (checks, exports, the
//! Graph server, reports) reads tenants through these views, so that what a tenant sees is
//! computed in one place.
//!
//! A view borrows the world; nothing here changes it.

use crate::directory::{account_flags, Attr, User, UserType};
use crate::ids::{Guid, TenantIdx, UserIdx};
use crate::strings::Sym;
use crate::time::SimTime;
use crate::World;

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
    values: &'w User,
    edits: Option<&'w [(Attr, Sym)]>,
    world: &'w World,
}

impl<'w> UserObject<'w> {
    /// The value of attribute `a`, `None` for null. A synchronized account shows a target-side
    /// edit (CTS-48), else its home user's value.
    pub fn attr(&self, a: Attr) -> Option<&'w str> {
        let edited = self
            .edits
            .and_then(|e| e.iter().find(|(x, _)| *x == a))
            .map(|(_, v)| *v);
        let text = match edited {
            Some(v) => self.world.strings.resolve(v),
            None => self.values.text(a, &self.world.strings),
        };
        (!text.is_empty()).then_some(text)
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
        Guid::derive(self.seed, &[b"user", self.name(t).as_bytes(), &u.0.to_le_bytes()])
    }

    /// The object id of external account `ai` of tenant `t`.
    pub fn account_id(&self, t: TenantIdx, ai: u32) -> Guid {
        Guid::derive(
            self.seed,
            &[b"account", self.name(t).as_bytes(), &ai.to_le_bytes()],
        )
    }

    /// The object id of one of tenant `t`'s singleton objects (`joinRequest`,
    /// `partnerTemplate`, `identityTemplate`).
    pub fn singleton_id(&self, t: TenantIdx, what: &str) -> Guid {
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
            created: w.start,
            origin: if user.external {
                UserOrigin::ImportedExternal
            } else {
                UserOrigin::Internal
            },
            values: user,
            edits: None,
            world: w,
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
            values: &w.tenant(a.source_tenant).dir.users()[a.source_user.ix()],
            edits: dir.account_edits(ai),
            world: w,
        }
    }

    /// Every user object that is not deleted: the tenant's own users first, in creation
    /// order, then the accounts standing for other tenants' users.
    pub fn users(&self) -> impl Iterator<Item = UserObject<'w>> + 'w {
        let me = *self;
        let dir = &self.world.tenant(self.tenant).dir;
        let own = (0..dir.users().len())
            .filter(move |&i| dir.users()[i].deleted_at.is_none())
            .map(move |i| me.internal(UserIdx(i as u32)));
        let accounts = (0..dir.externals().len())
            .filter(move |&ai| {
                let a = &dir.externals()[ai];
                !a.is_soft_deleted() && !a.is_purged()
            })
            .map(move |ai| me.account(ai as u32));
        own.chain(accounts)
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
