//! The event log: one structured record per thing that happened, each with the simulated
//! time, the tenant it happened in, and the rules behind it. Narration and JSON output are
//! rendered from these records outside the engine.

use crate::ids::{ConfigIdx, GroupIdx, MtoIdx, OpId, TenantIdx, UserIdx};
use crate::mto::Role;
use crate::refusal::Refusal;
use crate::rules::RuleId;
use crate::time::{Duration, SimTime};

pub use crate::sync::CycleStats;

/// How a removal request was classified (MTO-35's four cases, plus the preview's dissolve).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemovalCase {
    /// Case 1: an active member tenant leaves.
    MemberLeaves,
    /// Case 2: an active owner removes another tenant.
    OwnerRemovesOther,
    /// Case 3: an owner leaves while another active owner remains.
    OwnerLeavesOtherOwnerRemains,
    /// Case 4: the last active tenant (an owner) leaves, which deletes the MTO (MTO-38).
    LastTenantDeletesMto,
    /// Preview: the owner exits and the MTO dissolves (SEED-3).
    OwnerExitDissolves,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The tenant created an MTO and is its active owner.
    MtoCreated { mto: MtoIdx, name: String },
    /// An owner renamed or redescribed the MTO.
    MtoUpdated { name: String },
    /// An owner added a tenant; it is pending.
    TenantAdded { target: TenantIdx, role: Role },
    /// An owner changed a tenant's role (queued for a pending tenant, MTO-24).
    RoleChanged {
        target: TenantIdx,
        role: Role,
        queued: bool,
    },
    /// The tenant submitted its join request; it completes at `due`.
    JoinSubmitted {
        op: OpId,
        added_by: TenantIdx,
        due: SimTime,
    },
    /// The join completed; the tenant is active with `role`.
    JoinSucceeded { op: OpId, role: Role, active: usize },
    /// The join failed (MTO-30).
    JoinFailed { op: OpId, refusal: Refusal },
    /// A failed join request was reset (MTO-29).
    JoinReset,
    /// A removal was accepted; it completes at `due`.
    RemovalRequested {
        op: OpId,
        target: TenantIdx,
        case: RemovalCase,
        due: SimTime,
    },
    /// The tenant is no longer listed (MTO-40); nothing else was reverted (MTO-69, MTO-79).
    RemovalCompleted {
        op: OpId,
        target: TenantIdx,
        was_active: bool,
    },
    /// The MTO no longer exists.
    MtoDeleted { dropped_pending: usize },
    /// The Microsoft 365 admin center set this tenant's templates (MTO-67).
    TemplatesSetByM365,
    /// Partner settings toward `partner` were created unconfigured (MTO-34, MTO-56).
    PartnerCreated { partner: TenantIdx },
    /// Templates were applied to the settings toward `partner` (MTO-62, MTO-63), which now
    /// hold `values`.
    TemplatesApplied {
        partner: TenantIdx,
        new_partner: bool,
        values: PartnerValues,
    },
    /// `isInMultiTenantOrganization` changed for `partner` (MTO-57).
    InMtoFlag { partner: TenantIdx, value: bool },
    /// A sync configuration was created, stopped.
    SyncConfigCreated { config: ConfigIdx },
    /// A configuration's scope was set by "Share users" (MTO-74).
    SyncScopeSet {
        config: ConfigIdx,
        groups: usize,
        users: usize,
    },
    /// A configuration's job was started.
    SyncStarted { config: ConfigIdx },
    /// A cycle started; it finishes after `duration` (CTS-59).
    CycleStarted {
        config: ConfigIdx,
        initial: bool,
        objects: u64,
        duration: Duration,
    },
    /// A cycle finished with changes or failures (no-op cycles are not logged).
    CycleFinished {
        config: ConfigIdx,
        initial: bool,
        stats: CycleStats,
        /// Failures by error code (CTS-9, CTS-61, SEED-2).
        failures: Vec<(&'static str, u64)>,
        /// Skips worth explaining, by reason (CTS-20, CTS-21, CTS-24, CTS-43, CTS-45, CTS-47).
        skips: Vec<(&'static str, u64)>,
        /// The userType new accounts got (CTS-28).
        created_as: crate::user::UserType,
        /// What follows the cycle, narrated by the next event.
        then: CycleThen,
    },
    /// A configuration's Provisioning Mode was set (CTS-75).
    ProvisioningModeSet { config: ConfigIdx, automatic: bool },
    /// "Share users" set the scope of a Microsoft 365 configuration in Manual mode: it stays
    /// idle until its mode is switched to Automatic (SEED-5).
    ShareIdle { config: ConfigIdx },
    /// A configuration's group mapping was turned on or off (CTS-64).
    GroupProvisioningSet { config: ConfigIdx, enabled: bool },
    /// A configuration's scope changed (CTS-14); from all to assigned it needs a restart.
    ScopeSet {
        config: ConfigIdx,
        all: bool,
        needs_restart: bool,
    },
    /// A group's description changed: the tenant's own group, or a synced one edited in the
    /// target (CTS-65).
    GroupUpdated { name: String, synced: bool },
    /// An external user left the tenant by self-service (CTS-49): the account is soft-deleted
    /// and unlinked; `requeued` names the configuration that will evaluate the user again.
    AccountLeft {
        upn: String,
        requeued: Option<ConfigIdx>,
    },
    /// A B2B user's redemption was reset: the account is PendingAcceptance again (MTO-83).
    RedemptionReset { upn: String },
    /// The default configuration's B2B collaboration settings changed (XTAP-2).
    DefaultAccessSet { reset: bool },
    /// A partner configuration's identity sync policy was deleted (XTAP-8).
    SyncPolicyDeleted { partner: TenantIdx },
    /// The group pass after a cycle (CTS-63..65, XTAP-11).
    GroupsProvisioned {
        config: ConfigIdx,
        outcome: crate::groupsync::GroupOutcome,
    },
    /// A quarantined job's retry failed again (CTS-53).
    QuarantineRetry {
        config: ConfigIdx,
        attempt: u32,
        next: Option<SimTime>,
    },
    /// A cycle could not run because a CTS-5 prerequisite no longer holds.
    CycleBlocked { config: ConfigIdx, refusal: Refusal },
    /// A step was refused.
    Refused {
        action: crate::vocab::ActionKind,
        refusal: Refusal,
    },
    /// The join request's processing started (`running`, MTO-28).
    JoinRunning { op: OpId },
    /// Something is allowed but needs attention (licensing shortfalls, MTO-50..52).
    Warning(Warning),
    /// The tenant created or changed its partner configuration for `partner`.
    PartnerUpdated {
        partner: TenantIdx,
        created: bool,
        sync_policy_created: bool,
        values: PartnerValues,
    },
    /// The tenant deleted its identity sync policy (if any) and partner configuration (XTAP-9).
    PartnerDeleted {
        partner: TenantIdx,
        had_sync_policy: bool,
    },
    /// The tenant changed its MTO templates, which now hold `values`.
    TemplatesUpdated { values: TemplateValues },
    /// The tenant reset both templates to their defaults (MTO-64).
    TemplatesReset,
    /// A job entered quarantine (CTS-52, CTS-53).
    QuarantineEntered {
        config: ConfigIdx,
        reason: crate::sync::QuarantineReason,
        next: Option<SimTime>,
    },
    /// A job left quarantine after a successful retry or an admin action.
    QuarantineLeft { config: ConfigIdx },
    /// A quarantined job was disabled after 28 days (CTS-53).
    JobDisabled { config: ConfigIdx },
    /// The initial cycle hit the escrow threshold and pruned escrows; the job paused (CTS-54).
    EscrowsPruned { config: ConfigIdx, failed: u64 },
    /// Deletions and disables over the threshold were held (CTS-51).
    DeletesHeld {
        config: ConfigIdx,
        count: u64,
        threshold: u32,
    },
    /// Held deletions were released (allow-deletes or restart with ForceDeletes).
    DeletesReleased { config: ConfigIdx, count: u64 },
    /// A configuration was paused by an admin.
    SyncPaused { config: ConfigIdx },
    /// A configuration was restarted (CTS-57).
    SyncRestarted {
        config: ConfigIdx,
        reset: crate::sync::ResetScope,
    },
    /// A configuration was deleted; its accounts stay (CTS-50).
    SyncDeleted { config: ConfigIdx },
    /// A configuration's assignments changed.
    SyncAssigned {
        config: ConfigIdx,
        groups: usize,
        users: usize,
        scope_all: bool,
    },
    /// A configuration's scoping filters changed (CTS-19): the next cycle is an initial one.
    ScopingFilterSet { config: ConfigIdx, filters: usize },
    /// A configuration's attribute mapping for `target` was added or changed (`mapping`, in
    /// the portal's words) or deleted (`None`), CTS-19 and CTS-29: the next cycle is an
    /// initial one.
    MappingEdited {
        config: ConfigIdx,
        target: String,
        mapping: Option<String>,
    },
    /// On-demand provisioning of one user (CTS-58).
    OnDemand {
        config: ConfigIdx,
        user: UserIdx,
        outcome: OnDemandOutcome,
    },
    /// A directory change: user created, updated, disabled, deleted, restored; group changed.
    DirectoryChanged(DirChange),
    /// A B2B invitation created an external account (CTS-26, CTS-31).
    GuestInvited {
        home: TenantIdx,
        user: UserIdx,
        redeemed: bool,
    },
    /// The Microsoft 365 `MTO_Sync_*` configuration toward `target` was not created at a join
    /// because the world holds [`crate::limits::CONFIGS_COUNT_MAX`] configurations.
    MtoSyncNotCreated { target: TenantIdx },
    /// Soft-deleted synchronized accounts were purged 30 days after deletion (CTS-46).
    AccountsPurged { count: u64 },
}

/// A partner configuration's values, as an event records them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartnerValues {
    /// `automaticUserConsentSettings.inboundAllowed`.
    pub auto_redeem_inbound: Option<bool>,
    /// `automaticUserConsentSettings.outboundAllowed`.
    pub auto_redeem_outbound: Option<bool>,
    /// Whether the identity sync policy exists.
    pub sync_policy: bool,
    /// `identitySynchronization.userSyncInbound.isSyncAllowed`.
    pub sync_inbound: Option<bool>,
    /// `identitySynchronization.groupSyncInbound.isSyncAllowed` (XTAP-11).
    pub group_sync_inbound: Option<bool>,
}

impl From<&crate::xtap::PartnerConfig> for PartnerValues {
    fn from(p: &crate::xtap::PartnerConfig) -> PartnerValues {
        PartnerValues {
            auto_redeem_inbound: p.auto_redeem_inbound,
            auto_redeem_outbound: p.auto_redeem_outbound,
            sync_policy: p.has_sync_policy,
            sync_inbound: p.sync_inbound,
            group_sync_inbound: p.group_sync_inbound,
        }
    }
}

/// The MTO templates' values, as an event records them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemplateValues {
    /// Partner template `automaticUserConsentSettings.inboundAllowed`.
    pub auto_redeem_inbound: Option<bool>,
    /// Partner template `automaticUserConsentSettings.outboundAllowed`.
    pub auto_redeem_outbound: Option<bool>,
    /// Identity template `userSyncInbound.isSyncAllowed`.
    pub sync_inbound: Option<bool>,
    /// `templateApplicationLevel` of the partner template.
    pub level: crate::xtap::AppLevel,
}

/// Something allowed that needs attention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// The tenant has no Entra ID P1 licence, and every tenant of an MTO needs one (MTO-50,
    /// MTO-51).
    NoP1Licence { tenant: TenantIdx },
    /// More of the tenant's users are synchronized to other tenants than it has P1 licences
    /// (MTO-52, CTS-11).
    P1ShortForSync { synced: u64, licences: u64 },
    /// The source now has several configurations toward one target (CTS-67).
    SeveralConfigsPerPair { target: TenantIdx, count: usize },
}

/// What provisioning one user on demand did (CTS-58).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDemandOutcome {
    /// A second account was created because the first was deleted in the target (CTS-47).
    Duplicate,
    /// An account was created.
    Created,
    /// A soft-deleted account was restored.
    Restored,
    /// The account was updated.
    Updated,
    /// The account was soft-deleted: the user is out of scope.
    SoftDeleted,
    /// The export failed and is not retried.
    Failed,
    /// Nothing to change, or not in scope.
    Skipped,
}

/// A change to a tenant's directory, naming users by the UPN they had then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirChange {
    /// A user was created.
    UserCreated { upn: String },
    /// A user's attributes or `userType` changed.
    UserUpdated {
        upn: String,
        attrs: Vec<(crate::user::Attr, crate::strings::Sym)>,
        /// Sparse properties set: (name, values joined with ", "; empty when cleared).
        extra: Vec<(String, String)>,
        user_type: Option<crate::user::UserType>,
        /// The UPN before a rename.
        renamed_from: Option<String>,
        /// A new manager's UPN, or `Some(None)` when it was cleared.
        manager: Option<Option<String>>,
    },
    /// A target administrator edited a synchronized account (CTS-48).
    AccountEdited {
        upn: String,
        attrs: Vec<(crate::user::Attr, crate::strings::Sym)>,
        user_type: Option<crate::user::UserType>,
    },
    /// A user's sign-in was blocked or allowed.
    SignIn { upn: String, enabled: bool },
    /// A target administrator blocked or allowed a synchronized account's sign-in (CTS-48).
    AccountSignIn { upn: String, enabled: bool },
    /// A group was created.
    GroupCreated { name: String, members: usize },
    /// A group was deleted.
    GroupDeleted { name: String, members: usize },
    /// A user was soft-deleted.
    UserDeleted { upn: String },
    /// A target administrator deleted a synchronized account (CTS-47).
    AccountDeleted { upn: String },
    /// A user was restored.
    UserRestored { upn: String },
    /// A target administrator restored a synchronized account.
    AccountRestored { upn: String },
    /// Users were added to or removed from a static group.
    GroupMembers {
        group: GroupIdx,
        users: Vec<UserIdx>,
        added: bool,
    },
}

/// One record of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When.
    pub at: SimTime,
    /// In whose tenant (the acting or affected tenant).
    pub tenant: TenantIdx,
    /// What.
    pub kind: EventKind,
    /// Why: the rules behind it.
    pub rules: Vec<RuleId>,
}

/// What follows a finished cycle (the events after [`EventKind::CycleFinished`] tell it): its
/// failures are retried next cycle (CTS-55), its deletions are held (CTS-51), or its failures
/// were too many and the escrows are pruned (initial cycle) or the job goes into quarantine
/// (CTS-54).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleThen {
    /// Failures, if any, are escrowed and retried next cycle.
    Retry,
    /// Deletions and disables over the threshold are held.
    HoldDeletes,
    /// The initial cycle's escrows are pruned and the job paused.
    PruneEscrows,
    /// The job goes into quarantine.
    Quarantine,
}
