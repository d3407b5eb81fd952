//! Cross-tenant synchronization (CTS-n): configurations, their jobs, and the provisioning
//! cycle that turns in-scope source users into external accounts in the target.
//!
//! A cycle is evaluated against the state at the moment it finishes, on a candidate set fixed
//! when it starts: every in-scope user plus every linked account for an initial cycle (CTS-40),
//! only the source's changes since the watermark for an incremental one (CTS-41), so an
//! incremental cycle costs what changed, not what exists. Evaluation is two-phase: every
//! candidate is first *planned* (create, update, restore, soft delete, skip or fail), then the
//! accidental-deletion threshold is checked against the planned deletions and disables
//! (CTS-51), then the plan is applied.

use crate::directory::SourceUser;
use crate::directory::{account_flags, Attr, ExternalAccount, User, UserType, NO_ACCOUNT};
use crate::ids::{ConfigIdx, GroupIdx, Guid, TenantIdx, UserIdx};
use crate::msg;
use crate::refusal::{Message, Refusal, Setting};
use crate::rules::{self, RuleId, RuleSet};
use crate::schema::{MappingSource, SchemaAttr};
use crate::strings::Sym;
use crate::tenant::Tenant;
use crate::time::{Duration, SimTime};

/// The fixed cadence at which cycles start (CTS-41).
pub const CYCLE_INTERVAL: Duration = Duration::mins(40);
/// Soft-deleted accounts are purged after this (CTS-46, MTO-81).
pub const SOFT_DELETE_RETENTION: Duration = Duration::days(30);
/// Slowest documented initial-cycle rate, 0.08 minutes per object (CTS-59), in milliseconds.
pub const OBJECT_MS_MAX: i64 = 4_800;
/// Fastest documented rate, 0.01 minutes per object (CTS-59), in milliseconds.
pub const OBJECT_MS_MIN: i64 = 600;
/// Default accidental-deletion threshold when it is enabled without a number (CTS-51).
pub const DELETE_THRESHOLD_DEFAULT: u32 = 500;
/// Escrow evaluation starts at this many failures in a cycle (CTS-52).
pub const ESCROW_EVALUATION_MIN: u64 = 5_000;
/// Quarantine when more than this many non-reference failures pile up (CTS-52).
pub const ESCROW_TOTAL_MAX: u64 = 40_000;
/// Quarantine when failures pass this absolute cap (CTS-52).
pub const ESCROW_BASE_MAX: u64 = 60_000;
/// Quarantine when more than this percentage of a cycle's objects fail (CTS-52).
pub const ESCROW_PROPORTION_MAX_PCT: u64 = 40;
/// A quarantined job is disabled after this (CTS-53: "more than four weeks").
pub const QUARANTINE_GIVE_UP: Duration = Duration::days(28);

/// Counters of one finished sync cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CycleStats {
    /// Objects evaluated.
    pub evaluated: u64,
    /// Accounts created.
    pub created: u64,
    /// Accounts updated (enabled flag or userType).
    pub updated: u64,
    /// Accounts soft-deleted (CTS-42).
    pub deleted: u64,
    /// Accounts restored (CTS-46).
    pub restored: u64,
    /// Objects that failed and were escrowed for retry.
    pub failed: u64,
    /// Objects skipped (out of scope, disabled never-provisioned, ...).
    pub skipped: u64,
}

impl CycleStats {
    /// Exports written to the target: what makes a cycle "have work".
    pub fn exports(&self) -> u64 {
        self.created + self.updated + self.deleted + self.restored
    }
}

/// `status.code` of a job (CTS-56).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// `Paused`: created, or paused by an admin (CTS-4).
    Paused,
    /// `NotRun`: started, no cycle finished yet.
    NotRun,
    /// `Active`.
    Active,
    /// `Quarantine`.
    Quarantine,
}

impl JobStatus {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Paused => "Paused",
            JobStatus::NotRun => "NotRun",
            JobStatus::Active => "Active",
            JobStatus::Quarantine => "Quarantine",
        }
    }
}

/// `synchronizationQuarantine.reason` (CTS-52).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuarantineReason {
    /// More than 40,000 non-reference failures.
    EncounteredTotalEscrowThreshold,
    /// More than 40 % of a cycle's objects failed.
    EncounteredEscrowProportionThreshold,
    /// More than 60,000 failures in all.
    EncounteredBaseEscrowThreshold,
    /// Every call fails (the policy check, as with invalid credentials).
    EncounteredQuarantineException,
    /// The accidental-deletion threshold was passed (CTS-51).
    TooManyDeletes,
}

impl QuarantineReason {
    /// The Graph value.
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineReason::EncounteredTotalEscrowThreshold => "EncounteredTotalEscrowThreshold",
            QuarantineReason::EncounteredEscrowProportionThreshold => "EncounteredEscrowProportionThreshold",
            QuarantineReason::EncounteredBaseEscrowThreshold => "EncounteredBaseEscrowThreshold",
            QuarantineReason::EncounteredQuarantineException => "EncounteredQuarantineException",
            QuarantineReason::TooManyDeletes => "TooManyDeletes",
        }
    }
    /// Parses a Graph value.
    pub fn parse(s: &str) -> Option<QuarantineReason> {
        [
            QuarantineReason::EncounteredTotalEscrowThreshold,
            QuarantineReason::EncounteredEscrowProportionThreshold,
            QuarantineReason::EncounteredBaseEscrowThreshold,
            QuarantineReason::EncounteredQuarantineException,
            QuarantineReason::TooManyDeletes,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// `synchronizationQuarantine` (CTS-53).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quarantine {
    /// Why.
    pub reason: QuarantineReason,
    /// `seriesBegan`: the first failure of this series.
    pub series_began: SimTime,
    /// `currentBegan`: the latest failure.
    pub current_began: SimTime,
    /// `nextAttempt`, when retries are automatic (not for TooManyDeletes).
    pub next_attempt: Option<SimTime>,
    /// `seriesCount`: failed attempts in the series.
    pub series_count: u32,
}

impl Quarantine {
    /// The retry after the `n`-th failed attempt: +6 h, +12 h, +24 h after the series began,
    /// then every 24 h (CTS-53).
    pub fn retry_after(series_began: SimTime, n: u32) -> SimTime {
        match n {
            0 | 1 => series_began + Duration::hours(6),
            2 => series_began + Duration::hours(12),
            k => series_began + Duration::hours(24 * (k as i64 - 2)),
        }
    }
}

/// A cycle in progress.
#[derive(Clone, Debug)]
pub struct RunningCycle {
    /// Whether it is an initial (full) cycle.
    pub initial: bool,
    /// When it started.
    pub started_at: SimTime,
    /// The objects it evaluates, sorted and unique.
    pub candidates: Vec<UserIdx>,
    /// The source change log position it will have read up to.
    pub watermark: usize,
}

/// `restartCriteria.resetScope` flags (CTS-57).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResetScope {
    /// `Watermark`: the next cycle is an initial one.
    pub watermark: bool,
    /// `Escrows`: drop failed objects waiting for retry.
    pub escrows: bool,
    /// `QuarantineState`: leave quarantine.
    pub quarantine: bool,
    /// `ConnectorDataStore`: forget the statistics to date.
    pub connector_data_store: bool,
    /// `Full`: all of the above, and break source-target links.
    pub full: bool,
    /// `ForceDeletes`: apply deletions held by the threshold.
    pub force_deletes: bool,
}

impl ResetScope {
    /// The portal's "Restart provisioning" (empty scope): Watermark, Escrows, QuarantineState.
    pub fn portal() -> ResetScope {
        ResetScope {
            watermark: true,
            escrows: true,
            quarantine: true,
            ..ResetScope::default()
        }
    }
    /// Graph's `resetScope` members this scope holds, as a comma list (`None` when empty).
    pub fn graph_value(&self) -> String {
        let r = self;
        let mut v = Vec::new();
        for (on, name) in [
            (r.full, "Full"),
            (r.watermark && !r.full, "Watermark"),
            (r.escrows && !r.full, "Escrows"),
            (r.quarantine && !r.full, "QuarantineState"),
            (r.connector_data_store && !r.full, "ConnectorDataStore"),
            (r.force_deletes, "ForceDeletes"),
        ] {
            if on {
                v.push(name);
            }
        }
        if v.is_empty() {
            "None".into()
        } else {
            v.join(", ")
        }
    }

    /// Parses a comma list such as `"Full"` or `"Watermark, Escrows"`; `""` is the portal's.
    pub fn parse(s: &str) -> Result<ResetScope, String> {
        if s.trim().is_empty() {
            return Ok(ResetScope::portal());
        }
        let mut r = ResetScope::default();
        for part in s.split(',').map(str::trim) {
            match part {
                "None" => {}
                "ConnectorDataStore" => r.connector_data_store = true,
                "Escrows" => r.escrows = true,
                "Watermark" => r.watermark = true,
                "QuarantineState" => r.quarantine = true,
                "Full" => {
                    r = ResetScope {
                        full: true,
                        force_deletes: r.force_deletes,
                        ..ResetScope::portal()
                    };
                    r.connector_data_store = true;
                }
                "ForceDeletes" => r.force_deletes = true,
                other => {
                    return Err(format!(
                        "unknown reset scope \"{other}\"; use None, ConnectorDataStore, Escrows, Watermark, QuarantineState, Full or ForceDeletes (CTS-57)"
                    ))
                }
            }
        }
        if r.full {
            r.watermark = true;
            r.escrows = true;
            r.quarantine = true;
        }
        Ok(r)
    }
}

/// The synchronization job of a configuration.
#[derive(Clone, Debug)]
pub struct Job {
    /// `status.code`.
    pub status: JobStatus,
    /// Whether the schedule is active (started).
    pub scheduled: bool,
    /// Whether an initial cycle has completed since the last (re)start.
    pub initial_done: bool,
    /// Next cycle start, when scheduled.
    pub next_start: Option<SimTime>,
    /// The cycle in progress.
    pub running: Option<RunningCycle>,
    /// Position in the source's change log already read.
    pub watermark: usize,
    /// Users whose scope changed through an assignment change, to evaluate next cycle.
    pub pending: Vec<UserIdx>,
    /// Users whose export failed, retried next cycle (CTS-55).
    pub escrows: Vec<UserIdx>,
    /// Deletions and disables held by the accidental-deletion threshold (CTS-51).
    pub staged: Vec<UserIdx>,
    /// Apply held deletions at the next cycle (allow-deletes, restart with ForceDeletes).
    pub force_deletes: bool,
    /// `status.quarantine`.
    pub quarantine: Option<Quarantine>,
    /// `status.escrowsPruned` (CTS-54).
    pub escrows_pruned: bool,
    /// Stats of the last finished cycle.
    pub last: Option<CycleStats>,
    /// When the last cycle finished.
    pub last_finished_at: Option<SimTime>,
    /// Failures by code of the last narrated cycle: a retry that fails the same way again is
    /// counted but not narrated.
    pub last_failures: Vec<(&'static str, u64)>,
    /// Cycles finished.
    pub cycles: u64,
    /// Totals across cycles ("statistics to date", CTS-60).
    pub totals: CycleStats,
    /// "Share users" asked to turn provisioning on while the configuration was in Manual mode:
    /// it starts when the mode becomes Automatic (SEED-5).
    pub waiting_for_mode: bool,
    /// The scope changed from all to assigned since the last initial cycle: out-of-scope
    /// accounts of unchanged users stay until a restart (CTS-14).
    pub scope_narrowed: bool,
    /// Exports an imported job had written before this world began (the export's
    /// `countExported`): counted in what the job shows, attributed to no kind of change.
    pub imported_exports: u64,
}

impl Default for Job {
    fn default() -> Self {
        Job {
            status: JobStatus::Paused,
            scheduled: false,
            initial_done: false,
            next_start: None,
            running: None,
            watermark: 0,
            pending: Vec::new(),
            escrows: Vec::new(),
            staged: Vec::new(),
            force_deletes: false,
            quarantine: None,
            escrows_pruned: false,
            last: None,
            last_finished_at: None,
            last_failures: Vec::new(),
            cycles: 0,
            totals: CycleStats::default(),
            scope_narrowed: false,
            waiting_for_mode: false,
            imported_exports: 0,
        }
    }
}

/// The object ids an export gave a configuration's service principal, application, app role,
/// job and app role assignments (derived from the seed when a configuration has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIds {
    /// The service principal's `id`.
    pub service_principal: Guid,
    /// Its `appId`.
    pub app: Guid,
    /// The `id` of its `msiam_access` app role.
    pub app_role: Guid,
    /// The job's `id`.
    pub job: String,
    /// Per principal (user or group object id), the `id` of its app role assignment (a
    /// string in Graph, not always a GUID).
    pub assignments: Vec<(Guid, String)>,
}

/// A configuration from `source` to `target`.
#[derive(Clone, Debug)]
pub struct SyncConfig {
    /// Name shown in the source tenant, e.g. `MTO_Sync_<targetTenantId>`.
    pub name: String,
    /// The tenant users come from.
    pub source: TenantIdx,
    /// The tenant accounts are created in.
    pub target: TenantIdx,
    /// Created by the Microsoft 365 admin center (MTO-70).
    pub m365: bool,
    /// Deleted (CTS-50): kept as a tombstone so indexes stay stable.
    pub deleted: bool,
    /// "Sync all users and groups" (CTS-14).
    pub scope_all: bool,
    /// Assigned groups, sorted.
    pub groups: Vec<GroupIdx>,
    /// Directly assigned users, sorted.
    pub users: Vec<UserIdx>,
    /// Scoping filters (CTS-16); `None` passes everyone.
    pub filter: Option<crate::scoping::ScopingFilter>,
    /// The attribute mappings (CTS-27, CTS-29); shared until an administrator edits them.
    pub schema: std::sync::Arc<crate::schema::Schema>,
    /// When the configuration was created (its default mappings depend on it).
    pub created_at: SimTime,
    /// Whether the Delete target-object action is enabled (CTS-43).
    pub delete_action: bool,
    /// The accidental-deletion threshold, if prevention is on (CTS-51).
    pub delete_threshold: Option<u32>,
    /// The "Provision Microsoft Entra ID Groups" mapping is enabled (CTS-64; off by default).
    pub provision_groups: bool,
    /// Provisioning Mode Automatic: the admin credentials (the cross-tenant synchronization
    /// policy) passed the test connection and were saved (CTS-75). Manual: provisioning cannot
    /// be turned on.
    pub automatic: bool,
    /// Created with "Setup cross-tenant synchronization across Microsoft clouds" (CTS-8): no
    /// manager references and no groups cross clouds (CTS-33, CTS-63).
    pub cross_cloud: bool,
    /// The last group pass found group sync inbound not allowed (XTAP-11; narrated once).
    pub groups_blocked: bool,
    /// Assigned groups the group pass skipped, and why (each narrated once).
    pub groups_skipped: Vec<(GroupIdx, crate::groupsync::GroupSkip)>,
    /// The job.
    pub job: Job,
    /// The ids an export gave (imported configurations only).
    pub given_ids: Option<Box<ConfigIds>>,
}

impl SyncConfig {
    /// A stopped configuration created at `created` with the defaults of the spec
    /// (`assigned`, the default mappings, delete action on, no threshold).
    pub fn new(
        name: String,
        source: TenantIdx,
        target: TenantIdx,
        m365: bool,
        created: SimTime,
    ) -> SyncConfig {
        SyncConfig {
            name,
            source,
            target,
            m365,
            deleted: false,
            scope_all: false,
            groups: Vec::new(),
            users: Vec::new(),
            filter: None,
            schema: std::sync::Arc::new(crate::schema::Schema::default_for(created)),
            created_at: created,
            delete_action: true,
            delete_threshold: None,
            provision_groups: false,
            automatic: true,
            cross_cloud: false,
            groups_blocked: false,
            groups_skipped: Vec::new(),
            job: Job::default(),
            given_ids: None,
        }
    }

    /// The `userType` new accounts get: the constant of the userType mapping (CTS-28;
    /// Member when there is none).
    pub fn user_type(&self) -> UserType {
        match self.schema.mapping(&crate::schema::SchemaAttr::UserType) {
            Some(m) => match &m.source {
                crate::schema::MappingSource::Constant(c) => UserType::parse(c).unwrap_or(UserType::Member),
                _ => UserType::Member,
            },
            None => UserType::Member,
        }
    }

    /// Whether the userType mapping applies always (else only on creation, CTS-28).
    pub fn user_type_always(&self) -> bool {
        self.schema
            .mapping(&crate::schema::SchemaAttr::UserType)
            .is_some_and(|m| m.flow == crate::schema::FlowType::Always)
    }

    /// Sets the userType mapping's constant and when it applies (`create-sync`'s `user_type`
    /// and `apply`).
    pub fn set_user_type_mapping(&mut self, ut: UserType, always: bool) {
        use crate::schema::{AttributeMapping, FlowType, MappingSource, SchemaAttr};
        let schema = std::sync::Arc::make_mut(&mut self.schema);
        let flow = if always {
            FlowType::Always
        } else {
            FlowType::ObjectAddOnly
        };
        let m = AttributeMapping {
            target: SchemaAttr::UserType,
            source: MappingSource::Constant(ut.as_str().to_string()),
            default_value: None,
            flow,
            matching_priority: 0,
        };
        // create-sync's own choice, not an edit of the schema
        let customized = schema.customized;
        schema.set_mapping(m);
        schema.customized = customized;
    }

    /// Whether `u` is assigned: scope all, directly assigned, or a direct member of an
    /// assigned group (CTS-14, CTS-15). Costs a binary search per assigned group.
    pub fn is_assigned(&self, source: &Tenant, u: UserIdx) -> bool {
        self.scope_all
            || self.users.binary_search(&u).is_ok()
            || self
                .groups
                .iter()
                .any(|g| source.dir.groups()[g.ix()].members.binary_search(&u).is_ok())
    }

    /// Whether some internal user is assigned: CTS-5's fourth prerequisite.
    pub fn has_assigned_internal_user(&self, source: &Tenant) -> bool {
        let ok = |u: &UserIdx| source.dir.users()[u.ix()].is_internal_member();
        if self.scope_all {
            return source.dir.users().iter().any(|u| u.is_internal_member());
        }
        self.users.iter().any(ok)
            || self
                .groups
                .iter()
                .any(|g| source.dir.groups()[g.ix()].members.iter().any(ok))
    }

    /// N of CTS-59: assigned users + groups + group members (or every user for scope all).
    pub fn initial_object_count(&self, source: &Tenant) -> u64 {
        if self.scope_all {
            return (source.dir.users().len() + source.dir.groups().len()) as u64;
        }
        let members: usize = self
            .groups
            .iter()
            .map(|g| source.dir.groups()[g.ix()].members.len())
            .sum();
        (self.users.len() + self.groups.len() + members) as u64
    }
}

/// The outer message of every CTS-6 test-connection failure.
pub const TEST_CONNECTION_OUTER: &str = "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account.";
/// CTS-6's error code.
pub const TEST_CONNECTION_CODE: &str = "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure";

/// Checks the policies CTS-5 requires, giving the test-connection error of CTS-6 and naming
/// which setting on which tenant is missing.
pub fn check_prerequisites(
    source: &Tenant,
    s: TenantIdx,
    target: &Tenant,
    t: TenantIdx,
) -> Result<(), Refusal> {
    match prerequisite_gap(source, s, target, t) {
        None => Ok(()),
        Some((error, missing)) => Err(Refusal::with_code(
            rules::CTS_6,
            TEST_CONNECTION_CODE,
            Message::from(format!("{TEST_CONNECTION_OUTER} {error} ")).then(missing),
        )),
    }
}

/// The test connection's cloud checks (CTS-8, CTS-13, XTAP-18): `cross_cloud` is the
/// configuration's "Setup cross-tenant synchronization across Microsoft clouds" checkbox.
pub fn check_clouds(
    source: &Tenant,
    s: TenantIdx,
    target: &Tenant,
    cross_cloud: bool,
) -> Result<(), Refusal> {
    let (sc, tc) = (source.spec.cloud.as_str(), target.spec.cloud.as_str());
    fn entra(c: &str) -> &str {
        if c == "gcc" {
            "commercial"
        } else {
            c
        }
    }
    if entra(sc) == entra(tc) {
        if sc == "china" {
            return Err(Refusal::bad_request(
                rules::CTS_13,
                format!(
                    "cross-tenant synchronization isn't supported within Microsoft Azure operated by 21Vianet, where {} and {} are; it would be allowed between tenants of the commercial or Azure Government clouds.",
                    source.name(),
                    target.name()
                ),
            ));
        }
        return Ok(());
    }
    let id = target.spec.tenant_id;
    if !cross_cloud {
        return Err(Refusal::with_code(
            rules::CTS_8,
            "ExternalTenantNotFound",
            format!(
                "This tenant was not found by the authentication authority of the current cloud: {id}. The authentication authority is https://login.microsoftonline.com/{id}. ({} is in the {sc} cloud and {} in the {tc} cloud: a configuration created with \"Setup cross-tenant synchronization across Microsoft clouds\" would reach it.)",
                source.name(),
                target.name()
            ),
        ));
    }
    for (who, other) in [(source, tc), (target, sc)] {
        if !who.spec.cloud_settings.iter().any(|c| entra(c) == entra(other)) {
            return Err(Refusal::bad_request(
                rules::XTAP_18,
                format!(
                    "{} has not enabled the {other} cloud in its Microsoft cloud settings, and cross-cloud synchronization needs both tenants to enable each other's cloud; it would be allowed once it does.",
                    who.name()
                ),
            ));
        }
    }
    if !target.partners.get(&s).is_some_and(|p| p.cross_cloud_sync) {
        return Err(Refusal::with_code(
            rules::CTS_8,
            "AzureActiveDirectoryTokenExpired",
            format!(
                "The identity of the calling application could not be established. ({} has not selected the cross-cloud synchronization checkbox for {} in its Microsoft cloud settings; it would be allowed once it does.)",
                target.name(),
                source.name()
            ),
        ));
    }
    Ok(())
}

/// The escrow threshold a cycle with `failed` failures of `evaluated` objects passes, if any:
/// the rule a run applies when a cycle ends (CTS-52), and what-if forecasts with.
pub fn escrow_threshold(failed: u64, evaluated: u64) -> Option<QuarantineReason> {
    if failed < ESCROW_EVALUATION_MIN {
        None
    } else if failed > ESCROW_BASE_MAX {
        Some(QuarantineReason::EncounteredBaseEscrowThreshold)
    } else if failed > ESCROW_TOTAL_MAX {
        Some(QuarantineReason::EncounteredTotalEscrowThreshold)
    } else if failed.saturating_mul(100) > evaluated.saturating_mul(ESCROW_PROPORTION_MAX_PCT) {
        Some(QuarantineReason::EncounteredEscrowProportionThreshold)
    } else {
        None
    }
}

/// The CTS-5 prerequisites that do not hold, if any: the documented error text of CTS-6 for the
/// first side that fails (the source's outbound check runs first, as the test connection's
/// does), and `(Missing: ...)` naming every missing setting of both sides at once, each with the
/// tenant and what would make it pass.
pub fn prerequisite_gap(
    source: &Tenant,
    s: TenantIdx,
    target: &Tenant,
    t: TenantIdx,
) -> Option<(&'static str, Message)> {
    const OUTBOUND: &str = "The source tenant has not enabled automatic user consent with the target tenant. Please enable the outbound cross-tenant access policy for automatic user consent in the source tenant. aka.ms/TroubleshootingCrossTenantSyncPolicyCheck";
    const INBOUND: &str = "The target tenant has not enabled inbound synchronization with this tenant. Please request the target tenant admin to enable the inbound synchronization on their cross-tenant access policy. Learn more: aka.ms/TroubleshootingCrossTenantSyncPolicyCheck";
    let (s_name, t_name) = (source.name(), target.name());
    let mut error = None;
    let mut gaps: Vec<Message> = Vec::new();
    let out_ok = source
        .partners
        .get(&t)
        .is_some_and(|p| p.eff_auto_redeem_outbound());
    if !out_ok {
        let why = match source.partners.get(&t) {
            None => format!("{s_name} has no partner configuration for {t_name}, and the default never allows automatic redemption (XTAP-3)"),
            Some(_) => format!("{s_name}'s partner configuration for {t_name} has automatic redemption outbound off (null inherits the default, false)"),
        };
        error = Some(OUTBOUND);
        gaps.push(msg![
            format!("{why}; it would pass once {s_name} sets "),
            Setting::AutoRedeemOutbound,
            format!(" for {t_name} (CTS-5 item 3)"),
        ]);
    }
    let p = target.partners.get(&s);
    let sync_ok = p.is_some_and(|p| p.eff_sync_inbound());
    let redeem_ok = p.is_some_and(|p| p.eff_auto_redeem_inbound());
    if !(sync_ok && redeem_ok) {
        let missing = match (p, sync_ok, redeem_ok) {
            (None, _, _) => format!(
                "{t_name} has no partner configuration for {s_name} (so no identity sync policy, and automatic redemption inbound is off)"
            ),
            (Some(_), false, false) => format!(
                "{t_name}'s partner configuration for {s_name} allows neither user sync inbound nor automatic redemption inbound"
            ),
            (Some(p), false, true) if !p.has_sync_policy => format!(
                "{t_name}'s partner configuration for {s_name} has no identity sync policy, so user sync inbound is not allowed (XTAP-7)"
            ),
            (Some(_), false, true) => format!(
                "{t_name}'s partner configuration for {s_name} has user sync inbound (isSyncAllowed) off"
            ),
            _ => format!("{t_name}'s partner configuration for {s_name} has automatic redemption inbound off"),
        };
        error.get_or_insert(INBOUND);
        gaps.push(msg![
            format!("{missing}; it would pass once {t_name} sets "),
            Setting::SyncAndRedeemInbound,
            format!(" for {s_name} (CTS-5 items 1 and 2)"),
        ]);
    }
    let error = error?;
    let n = gaps.len();
    let mut out = Message::from(if n == 1 {
        "(Missing: ".to_string()
    } else {
        format!("(Missing, {n} settings: ")
    });
    for (k, g) in gaps.into_iter().enumerate() {
        if n > 1 {
            out = out.then(Message::from(format!("{}) ", k + 1)));
        }
        out = out.then(g);
        out = out.then(Message::from(if k + 1 == n { ".)" } else { "; " }.to_string()));
    }
    Some((error, out))
}

/// Candidates of an initial cycle: every assigned user plus every user linked by this
/// configuration (so that those out of scope are deprovisioned), sorted and unique.
pub fn initial_candidates(
    cfg: &SyncConfig,
    cfg_idx: ConfigIdx,
    source: &Tenant,
    target: &Tenant,
) -> Vec<UserIdx> {
    let mut c: Vec<UserIdx> = if cfg.scope_all {
        (0..source.dir.users().len() as u32).map(UserIdx).collect()
    } else {
        let mut v = cfg.users.clone();
        for g in &cfg.groups {
            v.extend_from_slice(&source.dir.groups()[g.ix()].members);
        }
        v
    };
    // users this configuration provisioned, found through the per-source link table rather than
    // a scan of every account in the target (which would make a mesh quadratic)
    for ai in target.dir.linked_accounts(cfg.source) {
        let acc = &target.dir.externals()[ai as usize];
        if acc.config == cfg_idx && !acc.is_purged() {
            c.push(acc.source_user);
        }
    }
    c.sort_unstable();
    c.dedup();
    c
}

/// Named options and switches that shape a cycle.
#[derive(Clone, Copy, Debug, Default)]
pub struct CycleMode {
    /// The world's seed: expressions' `Guid()` and `RandomString()` draw from it.
    pub seed: u64,
    /// An initial (full) cycle: also rewrites invitation UPNs (CTS-31).
    pub full: bool,
    /// Record one provisioning-log entry per object (CTS-62).
    pub log: bool,
    /// Provisioning on demand (CTS-58): after a target-side delete it creates a duplicate
    /// account (CTS-47).
    pub on_demand: bool,
}

pub use crate::provlog::{Modified, ProvAction, ProvRecord, ProvStatus, RecordedAccount};

/// What one cycle did.
#[derive(Clone, Debug, Default)]
pub struct CycleOutcome {
    /// Counters.
    pub stats: CycleStats,
    /// Accounts soft-deleted by this cycle (the caller schedules their purge).
    pub soft_deleted: Vec<u32>,
    /// Deletions and disables held by the threshold (CTS-51), if it tripped.
    pub staged: Vec<UserIdx>,
    /// The provisioning log the cycle appends to (the world's, moved in for the cycle and back
    /// after it), when logging.
    pub(crate) records: crate::provlog::ProvLog,
    /// Failures by error code, in first-seen order.
    pub failures: Vec<(&'static str, u64)>,
    /// Skips worth explaining, by reason (see [`skip_rule`]), in first-seen order.
    pub skips: Vec<(&'static str, u64)>,
    /// Users whose write failed because an expression failed, with why (the first
    /// [`EXPRESSION_ERRORS_KEPT`]).
    pub expression_errors: Vec<(UserIdx, crate::account::WriteError)>,
}

/// The rule behind a skip reason worth narrating (`None` for routine ones: not in scope,
/// nothing to change).
pub fn skip_rule(reason: &str) -> Option<crate::rules::RuleId> {
    match reason {
        "ExternalUser" => Some(rules::CTS_20),
        "InternalGuest" => Some(rules::CTS_21),
        "SmsSignIn" => Some(rules::CTS_20),
        "DisabledNeverProvisioned" => Some(rules::CTS_24),
        "DeleteActionDisabled" => Some(rules::CTS_43),
        "DisabledBeforeRemoval" => Some(rules::CTS_45),
        "DeletedInTarget" => Some(rules::CTS_47),
        _ => None,
    }
}

/// How many expression failures a cycle keeps with their messages (the rest are counted).
pub const EXPRESSION_ERRORS_KEPT: usize = 5;

impl CycleOutcome {
    fn keep_expression_error(&mut self, u: UserIdx, e: crate::account::WriteError) {
        if self.expression_errors.len() < EXPRESSION_ERRORS_KEPT {
            self.expression_errors.push((u, e));
        }
    }

    fn fail(&mut self, code: &'static str) {
        self.stats.failed += 1;
        count(&mut self.failures, code);
    }
}

/// Adds one to `code`'s tally, in first-seen order.
fn count(tally: &mut Vec<(&'static str, u64)>, code: &'static str) {
    match tally.iter_mut().find(|(c, _)| *c == code) {
        Some((_, n)) => *n += 1,
        None => tally.push((code, 1)),
    }
}

/// The rule behind a per-object failure code.
pub fn failure_rule(code: &str) -> crate::rules::RuleId {
    match code {
        "AzureActiveDirectoryQuotaLimitExceeded" => rules::CTS_61,
        "SyncedUsersPerTenantPairLimitExceeded" => rules::SEED_2,
        "InvitationCreationFailure" => rules::XTAP_17,
        "AzureDirectoryB2BManagementPolicyCheckFailure" => rules::CTS_5,
        "ExpressionEvaluationFailure" => rules::CTS_29,
        _ => rules::CTS_9,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    Create,
    /// Restore a soft-deleted account, then update it.
    Restore(u32),
    /// Update an existing account (matched or linked).
    Update(u32),
    SoftDelete(u32),
    Skip(&'static str),
    Fail(&'static str),
}

/// Target-side state that decides a per-object failure (CTS-9, CTS-61, SEED-2).
struct Gate<'a> {
    rules: &'a RuleSet,
    quota: u64,
}

/// Evaluates and applies one cycle's candidates.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_cycle(
    configs: &mut [SyncConfig],
    cfg_idx: ConfigIdx,
    source: &Tenant,
    target: &mut Tenant,
    strings: &mut crate::strings::Interner,
    candidates: &[UserIdx],
    now: SimTime,
    rules: &RuleSet,
    mode: CycleMode,
    log_into: crate::provlog::ProvLog,
) -> CycleOutcome {
    let (before, rest) = configs.split_at_mut(cfg_idx.ix());
    let (cfg, after) = rest.split_first_mut().expect("the cycle's configuration exists");
    let others = Others { before, after };
    let gate = Gate {
        rules,
        quota: target.spec.object_quota,
    };
    let mut out = CycleOutcome {
        records: log_into,
        ..CycleOutcome::default()
    };
    // CTS-51: deletions and disables planned in this cycle count against the threshold
    // with each plan, what the apply phase reads of the user for a plain create (reading the
    // user again there was a cache miss per account: 44 % of the apply phase of B1)
    let plans: Vec<(UserIdx, Plan, bool, u32, bool)> = {
        let (cfg, target, strings): (&SyncConfig, &Tenant, &crate::strings::Interner) =
            (cfg, target, strings);
        let pair = Pair::of(source, target, cfg);
        let plan_one = |&u: &UserIdx| {
            let p = plan(
                cfg,
                cfg_idx,
                source,
                target,
                strings,
                u,
                rules,
                mode.on_demand,
                pair,
            );
            let user = &source.dir.users()[u.ix()];
            let deleting = match p {
                Plan::SoftDelete(_) => true,
                Plan::Update(ai) => target.dir.externals()[ai as usize].is_enabled() && !user.account_enabled,
                _ => false,
            };
            (u, p, deleting, user.version, user.account_enabled)
        };
        // planning reads only: on both cores for large cycles, in candidate order either way
        crate::par::map_ordered(candidates, plan_one)
    };
    let creates = plans.iter().filter(|p| matches!(p.1, Plan::Create)).count();
    target.dir.reserve_externals(creates);
    let planned_deletes = plans.iter().filter(|p| p.2).count() as u64;
    let hold =
        matches!(cfg.delete_threshold, Some(n) if !cfg.job.force_deletes && planned_deletes > n as u64);
    cfg.job.force_deletes = false;
    let mut escrows = Vec::new();
    let mut pair_count: Option<u64> = None;
    let source_users = source.dir.users().len();
    // accounts this cycle wrote, for the reference-resolution pass (CTS-37): (user, account,
    // its record, whether it was written without a change)
    let mut written_accounts: Vec<(UserIdx, u32, Option<usize>, bool)> = Vec::new();
    let log = Log {
        mode,
        at: now,
        config: cfg_idx,
        cycle: if mode.on_demand {
            0
        } else {
            u32::try_from(cfg.job.cycles + 1).unwrap_or(u32::MAX)
        },
        schema: cfg.schema.clone(),
    };
    // what a record reads of the world (the target account's names as they are after the write)
    macro_rules! env {
        () => {
            Env {
                source,
                target: &*target,
                strings: &*strings,
                others: &others,
            }
        };
    }
    // looked up once per cycle, not once per account
    let user_type = cfg.user_type();
    // only users with a manager need the reference-resolution pass
    // the manager attribute isn't synchronized across clouds (CTS-33)
    let resolving = cfg.schema.maps_manager() && !cfg.cross_cloud;
    let own_default = OwnDefault::of(&cfg.schema, strings);
    let plain = !cfg.schema.stores_attrs() && !cfg.schema.writes_extras();
    // the record a create makes for user `u` at `version`, enabled as its mappings wrote
    let source_tenant = cfg.source;
    let new_account = |u: UserIdx, version: u32, own: &OwnValues| ExternalAccount {
        source_user: u,
        config: cfg_idx,
        source_tenant,
        user_type,
        flags: if own.enabled.unwrap_or(true) {
            account_flags::ENABLED
        } else {
            0
        } | account_flags::BY_SYNC,
        created_at: now,
        version,
    };
    // Creates that write only the defaults, when neither the quota nor the pair cap can stop
    // one of them (CTS-61, SEED-2) and no record is kept, are written together on both
    // cores before the loop, at the indexes the loop would have given them (creates append
    // in plan order, and nothing else in the loop appends).
    let bulk = match &own_default {
        Some(d) if plain && !mode.log && creates > 0 => {
            let quota_ok = target.dir.object_count() + creates as u64 <= gate.quota;
            let pair_ok = match rules.pair_synced_users_max {
                None => true,
                // the pair count is taken at the first create: only when nothing comes first
                Some(max) => {
                    creates == plans.len()
                        && target.dir.active_accounts_from(cfg.source) + creates as u64 <= max
                }
            };
            (quota_ok && pair_ok).then(|| {
                let positions: Vec<u32> = (0..plans.len() as u32)
                    .filter(|&k| matches!(plans[k as usize].1, Plan::Create))
                    .collect();
                let first = target.dir.externals().len() as u32;
                let account = |k: &u32| {
                    let (u, _, _, version, enabled) = plans[*k as usize];
                    new_account(u, version, &d.for_create(enabled))
                };
                target.dir.add_externals(&positions, account, source_users);
                first
            })
        }
        _ => None,
    };
    let mut next_bulk = bulk.unwrap_or(0);
    for (u, p, deleting, version, enabled) in plans {
        out.stats.evaluated += 1;
        let user = &source.dir.users()[u.ix()];
        if hold && deleting {
            out.staged.push(u);
            let ai = target.dir.account_of(cfg.source, u).unwrap_or(NO_ACCOUNT);
            log.record(
                &mut out,
                env!(),
                u,
                version,
                ai,
                ProvAction::StagedDelete,
                ProvStatus::Skipped,
                "StagedAction",
                Vec::new(),
            );
            continue;
        }
        // quota and per-pair cap depend on what this cycle already created (CTS-61, SEED-2)
        let p = match p {
            Plan::Create => create_gate(&gate, target, cfg, &mut pair_count).map_or(Plan::Create, Plan::Fail),
            other => other,
        };
        match p {
            Plan::Create if bulk.is_some() => {
                out.stats.created += 1;
                if resolving && user.manager.is_some() {
                    written_accounts.push((u, next_bulk, None, false));
                }
                next_bulk += 1;
            }
            Plan::Skip(reason) => {
                out.stats.skipped += 1;
                if skip_rule(reason).is_some() {
                    count(&mut out.skips, reason);
                }
                let ai = target.dir.account_of(cfg.source, u).unwrap_or(NO_ACCOUNT);
                log.record(
                    &mut out,
                    env!(),
                    u,
                    version,
                    ai,
                    ProvAction::Other,
                    ProvStatus::Skipped,
                    reason,
                    Vec::new(),
                );
            }
            Plan::Fail(code) => {
                out.fail(code);
                escrows.push(u);
                log.record(
                    &mut out,
                    env!(),
                    u,
                    version,
                    NO_ACCOUNT,
                    ProvAction::Create,
                    ProvStatus::Failure,
                    code,
                    Vec::new(),
                );
            }
            Plan::Create => {
                let written = match &own_default {
                    // the defaults: nothing to evaluate or store, everything derives when shown
                    Some(d) if plain => Ok((crate::account::Written::default(), d.for_create(enabled), None)),
                    _ => {
                        let values = source.dir.values_at(u, version);
                        let ctx = write_ctx(mode, now, cfg_idx, u, version);
                        crate::account::write(&cfg.schema, values, strings, ctx).and_then(|w| {
                            let own = match &own_default {
                                Some(d) => d.for_create(enabled),
                                None => own_values(&cfg.schema, values, strings, ctx)?,
                            };
                            let extras = if cfg.schema.writes_extras() {
                                Some(crate::account::write_extras(
                                    &cfg.schema,
                                    values,
                                    &[],
                                    strings,
                                    ctx,
                                    true,
                                )?)
                            } else {
                                None
                            };
                            Ok((w, own, extras))
                        })
                    }
                };
                let (written, own, extras) = match written {
                    Ok(w) => w,
                    Err(e) => {
                        expression_failed(
                            &mut out,
                            &log,
                            env!(),
                            &mut escrows,
                            u,
                            version,
                            NO_ACCOUNT,
                            ProvAction::Create,
                            e,
                        );
                        continue;
                    }
                };
                let acc = new_account(u, version, &own);
                let ai = target.dir.add_external(acc, source_users);
                if !written.stored.is_empty() {
                    target.dir.set_account_values(ai, written.stored);
                }
                if let UpnWrite::Value(v) = &own.upn {
                    let domain = &target.spec.initial_domain;
                    let upn = crate::directory::ext_upn(v, domain);
                    let values = source.dir.values_at(u, version);
                    let shown = crate::account::Shown::of(&acc, Some(&cfg.schema), values, None, strings);
                    if upn != crate::directory::ext_upn(shown.upn_source(), domain) {
                        target.dir.set_upn_override(ai, &upn);
                    }
                }
                if own.gal_stored {
                    target
                        .dir
                        .update_account_extra(ai, |e| e.show_in_address_list = own.gal);
                }
                if let Some(extras) = extras.filter(|x| !x.values.is_empty()) {
                    target.dir.update_account_extra(ai, |e| e.values = extras.values);
                }
                out.stats.created += 1;
                if resolving && user.manager.is_some() {
                    written_accounts.push((u, ai, mode.log.then_some(out.records.len()), false));
                }
                let modified = if mode.log {
                    let values = source.dir.values_at(u, version);
                    created_properties(&acc, &cfg.schema, values, target, ai, strings)
                } else {
                    Vec::new()
                };
                log.record(
                    &mut out,
                    env!(),
                    u,
                    version,
                    ai,
                    ProvAction::Create,
                    ProvStatus::Success,
                    "",
                    modified,
                );
            }
            Plan::Restore(ai) => {
                target.dir.restore_account(ai);
                let ctx = write_ctx(mode, now, cfg_idx, u, version);
                match update_account(
                    cfg, cfg_idx, &others, source, u, target, ai, mode.full, strings, ctx, mode.log,
                ) {
                    Ok(mut modified) => {
                        modified.insert(0, Modified::new("IsSoftDeleted", Some("True"), Some("False")));
                        out.stats.restored += 1;
                        if resolving && user.manager.is_some() {
                            written_accounts.push((u, ai, mode.log.then_some(out.records.len()), false));
                        }
                        log.record(
                            &mut out,
                            env!(),
                            u,
                            version,
                            ai,
                            ProvAction::Other,
                            ProvStatus::Success,
                            "Restored",
                            modified,
                        );
                    }
                    Err(e) => expression_failed(
                        &mut out,
                        &log,
                        env!(),
                        &mut escrows,
                        u,
                        version,
                        ai,
                        ProvAction::Update,
                        e,
                    ),
                }
            }
            Plan::Update(ai) => {
                let disabling = target.dir.externals()[ai as usize].is_enabled() && !user.account_enabled;
                let ctx = write_ctx(mode, now, cfg_idx, u, version);
                match update_account(
                    cfg, cfg_idx, &others, source, u, target, ai, mode.full, strings, ctx, mode.log,
                ) {
                    Ok(modified) if !modified.is_empty() => {
                        out.stats.updated += 1;
                        if resolving && user.manager.is_some() {
                            written_accounts.push((u, ai, mode.log.then_some(out.records.len()), false));
                        }
                        let action = if disabling {
                            ProvAction::Disable
                        } else {
                            ProvAction::Update
                        };
                        log.record(
                            &mut out,
                            env!(),
                            u,
                            version,
                            ai,
                            action,
                            ProvStatus::Success,
                            "",
                            modified,
                        );
                    }
                    Ok(modified) => {
                        out.stats.skipped += 1;
                        if resolving && user.manager.is_some() {
                            written_accounts.push((u, ai, mode.log.then_some(out.records.len()), true));
                        }
                        log.record(
                            &mut out,
                            env!(),
                            u,
                            version,
                            ai,
                            ProvAction::Other,
                            ProvStatus::Skipped,
                            "RedundantExport",
                            modified,
                        );
                    }
                    Err(e) => expression_failed(
                        &mut out,
                        &log,
                        env!(),
                        &mut escrows,
                        u,
                        version,
                        ai,
                        ProvAction::Update,
                        e,
                    ),
                }
            }
            Plan::SoftDelete(ai) => {
                target.dir.soft_delete_account(ai, now, true); // CTS-42
                out.soft_deleted.push(ai);
                out.stats.deleted += 1;
                let modified = vec![Modified::new("IsSoftDeleted", Some("False"), Some("True"))];
                log.record(
                    &mut out,
                    env!(),
                    u,
                    version,
                    ai,
                    ProvAction::Delete,
                    ProvStatus::Success,
                    "",
                    modified,
                );
            }
        }
    }
    if resolving {
        resolve_managers(
            cfg,
            source,
            target,
            strings,
            rules,
            mode.seed,
            &written_accounts,
            &mut out,
        );
    }
    cfg.job.escrows = escrows;
    out
}

/// The reference-resolution step (CTS-37, CTS-40): each account this cycle wrote gets its home
/// user's manager as the account standing for that manager here, when both are in scope. A
/// manager removed in the source, or out of scope, leaves the reference as it is.
#[allow(clippy::too_many_arguments)]
fn resolve_managers(
    cfg: &SyncConfig,
    source: &Tenant,
    target: &mut Tenant,
    strings: &crate::strings::Interner,
    rules: &RuleSet,
    seed: u64,
    written: &[(UserIdx, u32, Option<usize>, bool)],
    out: &mut CycleOutcome,
) {
    let name = target.name().to_string();
    let id = |ai: u32| {
        crate::ids::Guid::derive(seed, &[b"account", name.as_bytes(), &ai.to_le_bytes()]).to_string()
    };
    for &(u, ai, rec, redundant) in written {
        let Some(m) = source.dir.user(u).manager else {
            continue;
        };
        let mu = source.dir.user(m);
        let in_scope =
            eligible(mu, rules) && cfg.is_assigned(source, m) && scoping_passes(cfg, source, m, strings);
        let Some(mai) = target
            .dir
            .account_of(cfg.source, m)
            .filter(|&x| in_scope && !target.dir.externals()[x as usize].is_soft_deleted())
        else {
            continue;
        };
        let old = target.dir.account_extra(ai).and_then(|e| e.manager);
        if old == Some(mai) {
            continue;
        }
        target.dir.update_account_extra(ai, |e| e.manager = Some(mai));
        if redundant {
            out.stats.skipped -= 1;
            out.stats.updated += 1;
        }
        if let Some(i) = rec {
            if redundant {
                out.records
                    .set_outcome(i, ProvAction::Update, ProvStatus::Success, "");
            }
            let m = Modified {
                name: "manager".into(),
                old: old.map(|o| id(o).into()),
                new: Some(id(mai).into()),
            };
            out.records.add_modified(i, &m, strings);
        }
    }
}

/// The seeded stream and clock of one write of source user `u` at `version`.
fn write_ctx(
    mode: CycleMode,
    now: SimTime,
    c: ConfigIdx,
    u: UserIdx,
    version: u32,
) -> crate::account::WriteCtx {
    let key = crate::hash::mix64(
        mode.seed ^ crate::hash::mix64(((c.0 as u64) << 32) | u.0 as u64) ^ version as u64,
    );
    crate::account::WriteCtx { now, key }
}

/// Records an update that failed because an expression failed for the user (CTS-29).
#[allow(clippy::too_many_arguments)]
fn expression_failed(
    out: &mut CycleOutcome,
    log: &Log,
    env: Env<'_>,
    escrows: &mut Vec<UserIdx>,
    u: UserIdx,
    version: u32,
    ai: u32,
    action: ProvAction,
    e: crate::account::WriteError,
) {
    let code = "ExpressionEvaluationFailure";
    out.fail(code);
    let detail = format!("the expression mapped to {} failed: {}", e.target, e.message);
    out.keep_expression_error(u, e);
    escrows.push(u);
    log.record_with(
        out,
        env,
        (u, version, ai),
        (action, ProvStatus::Failure, code),
        Vec::new(),
        Some(detail.into()),
    );
}

/// What the mappings of the values an account holds itself (not attribute values) give for
/// one write: the userPrincipalName source value, showInAddressList, accountEnabled.
struct OwnValues {
    /// What the userPrincipalName mapping writes.
    upn: UpnWrite,
    /// What the showInAddressList mapping gives.
    gal: Option<bool>,
    /// Whether the account stores showInAddressList (an expression gives it) rather than
    /// showing what the mapping derives.
    gal_stored: bool,
    /// What the accountEnabled mapping gives.
    enabled: Option<bool>,
}

/// The values an account holds itself, under mappings that derive them all when shown
/// ([`Schema::own_values_custom`](crate::schema::Schema::own_values_custom) false), worked out
/// once per cycle.
struct OwnDefault {
    /// accountEnabled: the source's (a direct mapping), a constant, or unmapped.
    enabled: Option<Option<bool>>,
    /// showInAddressList's constant, if it is one.
    gal: Option<bool>,
}

impl OwnDefault {
    fn of(schema: &crate::schema::Schema, strings: &crate::strings::Interner) -> Option<OwnDefault> {
        if schema.own_values_custom() {
            return None;
        }
        let flag = |t: SchemaAttr| -> Option<Option<bool>> {
            match schema.mapping(&t).map(|m| &m.source) {
                Some(MappingSource::Attribute(SchemaAttr::AccountEnabled))
                    if t == SchemaAttr::AccountEnabled =>
                {
                    None
                }
                Some(MappingSource::Constant(c)) => Some(Some(c.eq_ignore_ascii_case("true"))),
                Some(MappingSource::Attribute(_)) => None,
                _ => Some(None),
            }
        };
        let _ = strings;
        Some(OwnDefault {
            enabled: flag(SchemaAttr::AccountEnabled),
            gal: flag(SchemaAttr::ShowInAddressList).flatten(),
        })
    }

    /// What a create writes, for a source user whose `accountEnabled` is `enabled`.
    fn for_create(&self, enabled: bool) -> OwnValues {
        OwnValues {
            upn: UpnWrite::Derived,
            gal: self.gal,
            gal_stored: false,
            enabled: self.enabled.unwrap_or(Some(enabled)),
        }
    }
}

/// What a write does to the account's userPrincipalName.
enum UpnWrite {
    /// The direct default mapping: the CTS-30 form of the source UPN, derived when shown.
    Derived,
    /// The CTS-30 form of this value (a constant, another attribute, an expression).
    Value(String),
    /// Nothing: the mapping gave null, or there is none (the account keeps its UPN).
    Keep,
}

fn own_values(
    schema: &crate::schema::Schema,
    values: crate::directory::Values<'_>,
    strings: &crate::strings::Interner,
    ctx: crate::account::WriteCtx,
) -> Result<OwnValues, crate::account::WriteError> {
    if !schema.own_values_custom() {
        // the defaults: every value derives from the source when shown
        return Ok(OwnValues {
            upn: UpnWrite::Derived,
            gal: crate::account::derive_flag(schema, &SchemaAttr::ShowInAddressList, values, strings),
            gal_stored: false,
            enabled: crate::account::derive_flag(schema, &SchemaAttr::AccountEnabled, values, strings),
        });
    }
    let get = |t: SchemaAttr| -> Result<Option<String>, crate::account::WriteError> {
        match schema.mapping(&t) {
            Some(m) => crate::account::evaluate(m, values, strings, ctx),
            None => Ok(None),
        }
    };
    // an empty UPN or flag cannot be written: it keeps the account's value, as null does
    let flag = |v: Option<String>| {
        v.filter(|v| !v.is_empty())
            .map(|v| v.eq_ignore_ascii_case("true"))
    };
    Ok(OwnValues {
        upn: get(SchemaAttr::UserPrincipalName)?
            .filter(|v| !v.is_empty())
            .map_or(UpnWrite::Keep, UpnWrite::Value),
        gal: flag(get(SchemaAttr::ShowInAddressList)?),
        gal_stored: schema
            .mapping(&SchemaAttr::ShowInAddressList)
            .is_some_and(|m| matches!(m.source, MappingSource::Expression(_))),
        enabled: flag(get(SchemaAttr::AccountEnabled)?),
    })
}

/// Where a cycle's records go, and what they share.
struct Log {
    mode: CycleMode,
    at: SimTime,
    config: ConfigIdx,
    /// The cycle's number (`cycleId`), 0 on demand.
    cycle: u32,
    /// The mappings, for Redact (its values show as `[Redact]` in the log).
    schema: std::sync::Arc<crate::schema::Schema>,
}

/// What a record reads of the world while the cycle runs.
#[derive(Clone, Copy)]
struct Env<'a> {
    source: &'a Tenant,
    target: &'a Tenant,
    strings: &'a crate::strings::Interner,
    others: &'a Others<'a>,
}

impl Log {
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn record(
        &self,
        out: &mut CycleOutcome,
        env: Env<'_>,
        user: UserIdx,
        version: u32,
        account: u32,
        action: ProvAction,
        status: ProvStatus,
        reason: &'static str,
        modified: Vec<Modified>,
    ) {
        if self.mode.log {
            self.record_with(
                out,
                env,
                (user, version, account),
                (action, status, reason),
                modified,
                None,
            );
        }
    }

    /// Keeps one record, with the target account's names as they are now (CTS-62: a log tells
    /// what happened then).
    fn record_with(
        &self,
        out: &mut CycleOutcome,
        env: Env<'_>,
        (user, version, account): (UserIdx, u32, u32),
        (action, status, reason): (ProvAction, ProvStatus, &'static str),
        mut modified: Vec<Modified>,
        detail: Option<Box<str>>,
    ) {
        if !self.mode.log {
            return;
        }
        // Redact: "replaces the attribute value with the string literal "[Redact]" in the
        // provisioning logs" (functions-for-customizing-application-data.md)
        for m in &mut modified {
            let redacts = crate::schema::SchemaAttr::parse(&m.name)
                .and_then(|t| self.schema.mapping(&t))
                .is_some_and(
                    |x| matches!(&x.source, crate::schema::MappingSource::Expression(e) if e.redacts()),
                );
            if redacts {
                m.old = m.old.as_ref().map(|_| "[Redact]".into());
                m.new = m.new.as_ref().map(|_| "[Redact]".into());
            }
        }
        let target = (account != NO_ACCOUNT).then(|| self.names(env, account));
        out.records.keep(
            &ProvRecord {
                at: self.at,
                config: self.config,
                cycle: self.cycle,
                user,
                version,
                account,
                target,
                modified,
                action,
                status,
                reason,
                detail,
            },
            env.strings,
        );
    }

    /// Account `ai`'s display name (its UPN when it has none) and UPN as the target shows them.
    fn names(&self, env: Env<'_>, ai: u32) -> RecordedAccount {
        let dir = &env.target.dir;
        let acc = &dir.externals()[ai as usize];
        let other;
        let schema = if acc.config == self.config {
            Some(&*self.schema)
        } else {
            other = env.others.config(acc.config).map(|c| c.schema.clone());
            other.as_deref()
        };
        let shown = env.target.account_shown(ai, &env.source.dir, schema, env.strings);
        let upn = env.target.account_upn(ai, &shown);
        RecordedAccount {
            account: ai,
            display_name: shown.attr(crate::user::Attr::DisplayName).unwrap_or(&upn).into(),
            upn: upn.into(),
        }
    }
}

/// The properties a create wrote: every value the new account shows, in schema order.
fn created_properties(
    acc: &ExternalAccount,
    schema: &crate::schema::Schema,
    values: crate::directory::Values<'_>,
    target: &Tenant,
    ai: u32,
    strings: &crate::strings::Interner,
) -> Vec<Modified> {
    let shown = crate::account::Shown::of(acc, Some(schema), values, target.dir.account_edits(ai), strings)
        .with_extra(target.dir.account_extra(ai));
    let mut out = vec![
        Modified::new(
            "accountEnabled",
            None,
            Some(if acc.is_enabled() { "True" } else { "False" }),
        ),
        Modified::new("userPrincipalName", None, Some(&target.account_upn(ai, &shown))),
        Modified::new("userType", None, Some(acc.user_type.as_str())),
    ];
    for &a in crate::user::Attr::ALL {
        if let Some(v) = shown.attr(a) {
            out.push(Modified::new(a.schema_name(), None, Some(v)));
        }
    }
    if let Some(v) = shown.show_in_address_list() {
        out.push(Modified::new(
            "showInAddressList",
            None,
            Some(if v { "True" } else { "False" }),
        ));
    }
    out
}

/// Whether a new account may be created now: CTS-61's quota, SEED-2's per-pair cap.
fn create_gate(
    gate: &Gate<'_>,
    target: &Tenant,
    cfg: &SyncConfig,
    pair_count: &mut Option<u64>,
) -> Option<&'static str> {
    if target.dir.object_count() >= gate.quota {
        return Some("AzureActiveDirectoryQuotaLimitExceeded");
    }
    if let Some(max) = gate.rules.pair_synced_users_max {
        let n = *pair_count.get_or_insert_with(|| target.dir.active_accounts_from(cfg.source));
        if n >= max {
            return Some("SyncedUsersPerTenantPairLimitExceeded");
        }
        *pair_count = Some(n + 1);
    }
    None
}

/// Decides what to do with source user `u` (the plan phase).
#[allow(clippy::too_many_arguments)]
fn plan(
    cfg: &SyncConfig,
    cfg_idx: ConfigIdx,
    source: &Tenant,
    target: &Tenant,
    strings: &crate::strings::Interner,
    u: UserIdx,
    rules: &RuleSet,
    on_demand: bool,
    pair: Pair<'_>,
) -> Plan {
    let user = &source.dir.users()[u.ix()];
    // users with SMS sign-in fail the built-in "Filter external users" clause (CTS-20)
    let sms = source.dir.has_sms_sign_in(u);
    let in_scope = eligible(user, rules)
        && !sms
        && cfg.is_assigned(source, u)
        && scoping_passes(cfg, source, u, strings);
    let acc = target.dir.account_of(cfg.source, u);
    match (in_scope, acc) {
        (true, None) => {
            if !user.account_enabled {
                return Plan::Skip("DisabledNeverProvisioned"); // CTS-24
            }
            if let Some(code) = target_refuses(source, target, strings, u, user, rules, pair) {
                return Plan::Fail(code);
            }
            Plan::Create
        }
        (true, Some(ai)) => {
            let a = &target.dir.externals()[ai as usize];
            if a.is_soft_deleted() {
                if a.flags & account_flags::SYNC_DELETED == 0 {
                    if on_demand {
                        return Plan::Create; // CTS-47: on demand makes a duplicate
                    }
                    return Plan::Skip("DeletedInTarget"); // CTS-47
                }
                return Plan::Restore(ai); // CTS-46
            }
            Plan::Update(ai)
        }
        (false, Some(ai)) => {
            let a = &target.dir.externals()[ai as usize];
            if a.config != cfg_idx || a.is_soft_deleted() {
                return Plan::Skip("NotEffectivelyEntitled");
            }
            if !cfg.delete_action {
                return Plan::Skip("DeleteActionDisabled"); // CTS-43
            }
            if !user.account_enabled && !a.is_enabled() && user.deleted_at.is_none() {
                return Plan::Skip("DisabledBeforeRemoval"); // CTS-45
            }
            Plan::SoftDelete(ai)
        }
        (false, None) if user.external => Plan::Skip("ExternalUser"), // CTS-20, CTS-22
        (false, None) if sms && cfg.is_assigned(source, u) => Plan::Skip("SmsSignIn"), // CTS-20
        (false, None)
            if user.user_type == UserType::Guest
                && !rules.sync_internal_guests
                && user.deleted_at.is_none() =>
        {
            Plan::Skip("InternalGuest") // CTS-21
        }
        (false, None) => Plan::Skip("NotEffectivelyEntitled"),
    }
}

/// What the per-user refusals read of a configuration's source and target, looked up once
/// per cycle, not once per user: the B2B collaboration settings in force (XTAP-2, XTAP-17),
/// and whether the source's first domain (generated users' mail) is one of the target's.
#[derive(Clone, Copy)]
struct Pair<'a> {
    /// The target's inbound setting for the source.
    inbound: &'a crate::xtap::B2bSetting,
    /// The source's outbound setting for the target.
    outbound: &'a crate::xtap::B2bSetting,
    /// The source's first domain, when it has no `@`, and whether the target has it.
    first_domain: Option<(&'a str, bool)>,
}

impl<'a> Pair<'a> {
    fn of(source: &'a Tenant, target: &'a Tenant, cfg: &SyncConfig) -> Pair<'a> {
        let first_domain = source.spec.domains.first().filter(|d| !d.contains('@')).map(|d| {
            let own = d.eq_ignore_ascii_case(&target.spec.initial_domain)
                || target.spec.domains.iter().any(|t| t.eq_ignore_ascii_case(d));
            (d.as_str(), own)
        });
        Pair {
            inbound: target.b2b_inbound_for(cfg.source),
            outbound: source.b2b_outbound_for(cfg.target),
            first_domain,
        }
    }

    /// Whether the domain of mail `m` is one of `target`'s: read from the cycle's answer for
    /// the source's first domain when `m` is on it (byte for byte), else compared.
    fn own_domain(&self, m: &str, target: &Tenant) -> bool {
        if let Some((d, own)) = self.first_domain {
            let (a, d) = (m.as_bytes(), d.as_bytes());
            if a.len() > d.len() && a.ends_with(d) && a[a.len() - d.len() - 1] == b'@' {
                return own;
            }
        }
        domain_is(m, &target.spec.initial_domain) || target.spec.domains.iter().any(|d| domain_is(m, d))
    }
}

/// Per-object refusals in the target (CTS-9, CTS-32, XTAP-17).
#[allow(clippy::too_many_arguments)]
fn target_refuses(
    source: &Tenant,
    target: &Tenant,
    strings: &crate::strings::Interner,
    u: UserIdx,
    user: &User,
    rules: &RuleSet,
    pair: Pair<'_>,
) -> Option<&'static str> {
    if !target.spec.guest_invites_allowed {
        return Some("AzureActiveDirectoryForbidden");
    }
    // B2B collaboration settings that leave the user out: the target's inbound for the source,
    // or the source's outbound for the target, each its partner configuration's or, where that
    // is null, the default's (XTAP-2, XTAP-17)
    if rules.b2b_inbound_blocks_sync
        && !(pair.inbound.admits(u, &source.dir) && pair.outbound.admits(u, &source.dir))
    {
        return Some("InvitationCreationFailure");
    }
    // a proxy address (the source mail) of the invited user matches an internal target user's
    // mail, or the UPN of one, which only an address on the target's own domains can (CTS-9);
    // or a mail contact's (MTO-85, CTS-32)
    let mail = user.attr(Attr::Mail);
    // a source mail on a domain the source has not verified: the external user's creation
    // fails (CTS-25; no code is documented: the invalid-property-value failure of CTS-9)
    // (a marker mail is the UPN itself, whose domain the directory verified: SIM-4)
    if !mail.is_none() && !mail.is_marker() {
        let m = user.text(Attr::Mail, strings);
        if m.contains('@') && source.spec.domain_problem(m).is_some() {
            return Some("InvitationCreationFailureInvalidPropertyValue");
        }
    }
    if rules.contacts_collide
        && !mail.is_none()
        && target.dir.contact_count() > 0
        && target.dir.has_contact(user.text(Attr::Mail, strings))
    {
        return Some("InvitationCreationFailureAmbiguousUser");
    }
    if !mail.is_none() {
        let m = user.text(Attr::Mail, strings);
        // a marker value has no symbol of its own: look its text up only when some target
        // user has a mail at all
        let mail = if !target.dir.has_mail_index() {
            Sym::NONE
        } else if mail.is_marker() {
            strings.get(m).unwrap_or(Sym::NONE)
        } else {
            mail
        };
        let own = pair.own_domain(m, target);
        if target.dir.user_by_mail(mail).is_some() || own && target.dir.user_by_upn(m).is_some() {
            return Some("InvitationCreationFailureAmbiguousUser");
        }
    }
    // an imported B2B user already holds the UPN this account would get (CTS-30, CTS-32)
    if target.dir.ext_form_users() > 0 {
        let upn = crate::directory::ext_upn(&user.upn, &target.spec.initial_domain);
        if target.dir.user_by_upn(&upn).is_some() {
            return Some("InvitationCreationFailureAmbiguousUser");
        }
    }
    None
}

/// Whether the domain of `addr` (what follows its last `@`, empty without one) is `domain`,
/// ignoring ASCII case; without searching `addr` for its `@` (that search was 6 % of B1).
fn domain_is(addr: &str, domain: &str) -> bool {
    let (a, d) = (addr.as_bytes(), domain.as_bytes());
    if a.len() > d.len() && a[a.len() - d.len() - 1] == b'@' {
        // `addr` ends in `@` and `domain`: that `@` is its last unless `domain` has one
        return a[a.len() - d.len()..].eq_ignore_ascii_case(d) && !d.contains(&b'@');
    }
    // a domain after the last `@` that equals `domain` would end `addr` after an `@`
    d.is_empty() && !a.contains(&b'@')
}

/// The configurations other than the one running a cycle, for the schemas accounts were
/// written with.
struct Others<'a> {
    before: &'a [SyncConfig],
    after: &'a [SyncConfig],
}

impl Others<'_> {
    /// Configuration `c`, unless it is the running one.
    fn config(&self, c: ConfigIdx) -> Option<&SyncConfig> {
        let i = c.ix();
        match i.cmp(&self.before.len()) {
            std::cmp::Ordering::Less => self.before.get(i),
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => self.after.get(i - self.before.len() - 1),
        }
    }

    fn schema(
        &self,
        c: ConfigIdx,
        running: (ConfigIdx, &SyncConfig),
    ) -> Option<std::sync::Arc<crate::schema::Schema>> {
        if c == running.0 {
            return Some(running.1.schema.clone());
        }
        let i = c.ix();
        let cfg = if i < self.before.len() {
            self.before.get(i)
        } else {
            self.after.get(i - self.before.len() - 1)
        };
        cfg.map(|c| c.schema.clone())
    }
}

/// Writes the source's state into account `ai` through the configuration's mappings: the
/// values a cycle writes (the home user's current version, CTS-27; null keeps the old value,
/// CTS-34; creation-only mappings keep theirs), the enabled flag (CTS-44), userType when its
/// mapping applies always (CTS-28), and the source's values over any target-side edit
/// (CTS-48). A full cycle also rewrites an invitation's UPN (CTS-31). Returns whether the
/// account changed.
#[allow(clippy::too_many_arguments)]
fn update_account(
    cfg: &SyncConfig,
    cfg_idx: ConfigIdx,
    others: &Others<'_>,
    source: &Tenant,
    u: UserIdx,
    target: &mut Tenant,
    ai: u32,
    full: bool,
    strings: &mut crate::strings::Interner,
    ctx: crate::account::WriteCtx,
    detail: bool,
) -> Result<Vec<Modified>, crate::account::WriteError> {
    // without a provisioning log only whether something changed matters: no value strings
    let md = |name: &'static str, old: Option<&str>, new: Option<&str>| {
        if detail {
            Modified::new(name, old, new)
        } else {
            Modified::new(name, None, None)
        }
    };
    let user = source.dir.user(u);
    let acc = target.dir.externals()[ai as usize];
    let old_schema = others.schema(acc.config, (cfg_idx, cfg));
    let domain = &target.spec.initial_domain;
    let current = source.dir.values_at(u, user.version);
    let own = own_values(&cfg.schema, current, strings, ctx)?;
    let (old_gal, old_upn_src, written) = {
        let shown = crate::account::Shown::of(
            &acc,
            old_schema.as_deref(),
            source.dir.values_at(u, acc.version),
            target.dir.account_edits(ai),
            strings,
        )
        .with_extra(target.dir.account_extra(ai));
        let new_src = crate::account::Shown::of(
            &ExternalAccount { flags: 0, ..acc },
            Some(&cfg.schema),
            current,
            None,
            strings,
        )
        .upn_source();
        // what the account's UPN derived from before; kept only when it differs from now
        let old_src = shown.upn_source();
        (
            shown.show_in_address_list(),
            (old_src != new_src).then(|| old_src.to_string()),
            crate::account::write_over(&cfg.schema, current, &shown, strings, ctx, detail)?,
        )
    };
    let extras = if cfg.schema.writes_extras() {
        let old_extras = target
            .dir
            .account_extra(ai)
            .map_or(&[][..], |e| e.values.as_slice());
        crate::account::write_extras(&cfg.schema, current, old_extras, strings, ctx, false)?
    } else {
        crate::account::ExtrasWritten::default()
    };
    let mut modified: Vec<Modified> = written
        .modified
        .iter()
        .map(|(a, old, new)| md(a.schema_name(), old.as_deref(), new.as_deref()))
        .chain(
            extras
                .modified
                .iter()
                .map(|(n, old, new)| Modified::new(n.clone(), old.as_deref(), new.as_deref())),
        )
        .collect();
    let stored = written
        .stored
        .iter()
        .map(|(a, v)| (*a, strings.intern(v)))
        .collect();
    target.dir.set_account_values(ai, stored);
    if cfg.schema.writes_extras() {
        target.dir.update_account_extra(ai, |e| e.values = extras.values);
    }
    let bool_text = |b: bool| if b { "True" } else { "False" };
    // showInAddressList: derived from a direct or constant mapping, else kept as last written
    // (an expression's result, or the value from before the mapping changed), CTS-29
    let derived_gal =
        crate::account::derive_flag(&cfg.schema, &SchemaAttr::ShowInAddressList, current, strings);
    let new_gal = own.gal.or(old_gal);
    target.dir.update_account_extra(ai, |e| {
        e.show_in_address_list = if derived_gal.is_some() && !own.gal_stored {
            None
        } else {
            new_gal
        }
    });
    if let (Some(new), Some(old)) = (new_gal, old_gal) {
        if new != old {
            modified.push(md(
                "showInAddressList",
                Some(bool_text(old)),
                Some(bool_text(new)),
            ));
        }
    }
    let a = target.dir.account_mut(ai);
    a.config = cfg_idx;
    a.version = user.version;
    a.flags &= !account_flags::FROZEN;
    if let Some(want) = own.enabled.filter(|&w| w != a.is_enabled()) {
        a.flags ^= account_flags::ENABLED;
        modified.push(md(
            "accountEnabled",
            Some(bool_text(!want)),
            Some(bool_text(want)),
        ));
    }
    if cfg.user_type_always() && a.user_type != cfg.user_type() {
        modified.push(md(
            "userType",
            Some(a.user_type.as_str()),
            Some(cfg.user_type().as_str()),
        ));
        a.user_type = cfg.user_type();
    }
    // CTS sync redeems an invitation automatically; its UPN follows on full cycles only (CTS-31)
    let pending = a.flags & account_flags::PENDING_ACCEPTANCE != 0;
    if pending && full {
        a.flags &= !account_flags::PENDING_ACCEPTANCE;
        modified.push(Modified::new(
            "externalUserState",
            Some("PendingAcceptance"),
            Some("Accepted"),
        ));
    }
    if !pending || full {
        // what the mapping writes, in the CTS-30 form; a null result keeps the UPN (CTS-34)
        let strings: &crate::strings::Interner = strings;
        let shown_new = crate::account::Shown::of(
            &ExternalAccount { flags: 0, ..acc },
            Some(&cfg.schema),
            current,
            None,
            strings,
        );
        let new_src = shown_new.upn_source();
        let old_src = old_upn_src.as_deref().unwrap_or(new_src);
        let ext = |s: &str| crate::directory::ext_upn(s, domain);
        match (&own.upn, target.dir.upn_override(ai)) {
            // the common case: both derived from the source, compared before any formatting
            (UpnWrite::Derived, None) => {
                if old_upn_src.is_some() {
                    modified.push(md("userPrincipalName", Some(&ext(old_src)), Some(&ext(new_src))));
                }
            }
            (write, over) => {
                let old_upn = over.map_or_else(|| ext(old_src), str::to_string);
                let derived = ext(shown_new.upn_source());
                let new_upn = match write {
                    UpnWrite::Derived => derived.clone(),
                    UpnWrite::Value(v) => ext(v),
                    UpnWrite::Keep => old_upn.clone(),
                };
                if new_upn == derived {
                    target.dir.clear_upn_override(ai);
                } else {
                    target.dir.set_upn_override(ai, &new_upn);
                }
                if new_upn != old_upn {
                    modified.push(md("userPrincipalName", Some(&old_upn), Some(&new_upn)));
                }
            }
        }
    }
    Ok(modified)
}

/// Only internal members that are not soft-deleted are eligible (CTS-20, CTS-22); internal
/// guests too with the named option `sync_internal_guests` (CTS-21).
#[inline]
pub fn eligible(u: &User, rules: &RuleSet) -> bool {
    !u.external && u.deleted_at.is_none() && (u.user_type == UserType::Member || rules.sync_internal_guests)
}

/// How long a cycle over `objects` takes at `ms_per_object` (CTS-59).
pub fn cycle_duration(objects: u64, ms_per_object: i64) -> Duration {
    let ms = (objects as i64).saturating_mul(ms_per_object);
    Duration((ms + 999) / 1000)
}

fn scoping_passes(cfg: &SyncConfig, source: &Tenant, u: UserIdx, strings: &crate::strings::Interner) -> bool {
    cfg.filter
        .as_ref()
        .is_none_or(|f| f.passes(&SourceUser::new(&source.dir, u, strings)))
}

/// Why a configuration would do nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idle {
    /// It was deleted.
    Deleted,
    /// It was never started, or is paused.
    NotStarted,
    /// Its deletions are held by the threshold until released (CTS-51).
    DeletesHeld,
    /// A prerequisite is missing; the rule names it.
    Blocked(RuleId),
}

/// What one configuration would do if it ran until nothing changes, counted from its scope and
/// the current state without provisioning anything (the counting side of `mtosim whatif`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigForecast {
    /// Users in scope (assigned, eligible, passing the filters).
    pub in_scope: u64,
    /// In scope and already linked to an account this configuration provisioned.
    pub existing: u64,
    /// In scope and linked to an account something else made (an invitation, another
    /// configuration): sync takes it over instead of creating one (CTS-26).
    pub matched: u64,
    /// Accounts to create.
    pub to_create: u64,
    /// Soft-deleted accounts to restore (CTS-46).
    pub to_restore: u64,
    /// Accounts to soft-delete (CTS-42).
    pub to_delete: u64,
    /// Deletions and disables the threshold would hold (CTS-51).
    pub held: u64,
    /// Accounts out of scope since a change from all to assigned that stay until a restart,
    /// since no incremental cycle reads their unchanged users (CTS-14).
    pub kept_until_restart: u64,
    /// Creations that would fail, by error code (CTS-9, CTS-61, SEED-2).
    pub failures: Vec<(&'static str, u64)>,
    /// New accounts of each userType: (Member, Guest).
    pub created_types: (u64, u64),
    /// Objects the initial (or next) cycle would evaluate (CTS-59's N).
    pub objects: u64,
    /// Why nothing would happen: deleted, paused, held by the threshold, or a missing
    /// prerequisite.
    pub idle: Option<Idle>,
}

/// Counts what `cfg` would do (see [`ConfigForecast`]). `objects_added` and `created` carry
/// what earlier configurations toward the same target already claimed, so that the quota and
/// "one person, one account" hold across configurations.
#[allow(clippy::too_many_arguments)]
pub fn forecast_config(
    cfg: &SyncConfig,
    cfg_idx: ConfigIdx,
    source: &Tenant,
    s: TenantIdx,
    target: &Tenant,
    t: TenantIdx,
    strings: &crate::strings::Interner,
    rules: &RuleSet,
    objects_added: &mut u64,
    created: &mut std::collections::BTreeSet<UserIdx>,
) -> ConfigForecast {
    let mut f = ConfigForecast::default();
    if cfg.deleted {
        f.idle = Some(Idle::Deleted);
        return f;
    }
    if !cfg.job.scheduled {
        f.idle = Some(Idle::NotStarted);
        return f;
    }
    if cfg
        .job
        .quarantine
        .is_some_and(|q| q.reason == QuarantineReason::TooManyDeletes)
    {
        f.idle = Some(Idle::DeletesHeld);
        return f;
    }
    if let Err(r) = check_prerequisites(source, s, target, t) {
        f.idle = Some(Idle::Blocked(r.rule));
        return f;
    }
    let candidates = initial_candidates(cfg, cfg_idx, source, target);
    f.objects = if cfg.job.initial_done {
        0
    } else {
        cfg.initial_object_count(source)
    };
    let pair_now = rules
        .pair_synced_users_max
        .map(|_| target.dir.active_accounts_from(s));
    let mut deletes: Vec<bool> = Vec::new(); // true: a soft delete, false: a disable
                                             // after a change from all to assigned, incremental cycles delete only users they read
                                             // (the changed ones): the rest keep their accounts until a restart (CTS-14)
    let read_next: Option<Vec<UserIdx>> = (cfg.job.scope_narrowed && cfg.job.initial_done).then(|| {
        let changes = source.dir.changes();
        let mut v = changes[cfg.job.watermark.min(changes.len())..].to_vec();
        v.extend_from_slice(&cfg.job.pending);
        v.extend_from_slice(&cfg.job.escrows);
        v.sort_unstable();
        v.dedup();
        v
    });
    let pair = Pair::of(source, target, cfg);
    for u in candidates {
        let user = &source.dir.users()[u.ix()];
        if eligible(user, rules)
            && !source.dir.has_sms_sign_in(u)
            && cfg.is_assigned(source, u)
            && scoping_passes(cfg, source, u, strings)
        {
            f.in_scope += 1;
        }
        match plan(cfg, cfg_idx, source, target, strings, u, rules, false, pair) {
            Plan::Create if created.contains(&u) => f.existing += 1,
            Plan::Create => {
                let quota_full = target.dir.object_count() + *objects_added >= target.spec.object_quota;
                let pair_full = match (rules.pair_synced_users_max, pair_now) {
                    (Some(max), Some(n)) => n + created.len() as u64 >= max,
                    _ => false,
                };
                let code = if quota_full {
                    Some("AzureActiveDirectoryQuotaLimitExceeded")
                } else if pair_full {
                    Some("SyncedUsersPerTenantPairLimitExceeded")
                } else {
                    None
                };
                match code {
                    Some(code) => count(&mut f.failures, code),
                    None => {
                        f.to_create += 1;
                        *objects_added += 1;
                        created.insert(u);
                        match cfg.user_type() {
                            UserType::Member => f.created_types.0 += 1,
                            UserType::Guest => f.created_types.1 += 1,
                        }
                    }
                }
            }
            Plan::Fail(code) => count(&mut f.failures, code),
            Plan::Restore(_) => f.to_restore += 1,
            Plan::Update(ai) => {
                let a = &target.dir.externals()[ai as usize];
                if a.config == cfg_idx {
                    f.existing += 1;
                } else {
                    f.matched += 1;
                }
                if a.is_enabled() && !user.account_enabled {
                    deletes.push(false);
                }
            }
            Plan::SoftDelete(_) if read_next.as_ref().is_some_and(|v| v.binary_search(&u).is_err()) => {
                f.kept_until_restart += 1;
            }
            Plan::SoftDelete(_) => {
                f.to_delete += 1;
                deletes.push(true);
            }
            Plan::Skip(_) => {}
        }
    }
    if let Some(n) = cfg.delete_threshold {
        if !cfg.job.force_deletes && deletes.len() as u64 > n as u64 {
            f.held = deletes.len() as u64;
            f.to_delete = 0;
        }
    }
    f
}

impl crate::hash::Canonical for SyncConfig {
    fn canonical(&self, out: &mut String) {
        use std::fmt::Write;
        let j = &self.job;
        let _ = write!(
            out,
            "{} {}>{} m365 {} del {} all {} {:?} {:?} filter {} {:?} always {} da {} th {:?} job {:?} sch {} init {} run {} pend {} esc {} staged {} fd {} q {} idle {}",
            self.name,
            self.source.0,
            self.target.0,
            self.m365,
            self.deleted,
            self.scope_all,
            self.groups.iter().map(|g| g.ix()).collect::<Vec<_>>(),
            self.users.iter().map(|u| u.ix()).collect::<Vec<_>>(),
            self.filter.is_some(),
            self.user_type(),
            self.user_type_always(),
            self.delete_action,
            self.delete_threshold,
            j.status,
            j.scheduled,
            j.initial_done,
            j.running.is_some(),
            j.pending.len(),
            j.escrows.len(),
            j.staged.len(),
            j.force_deletes,
            j.quarantine.is_some(),
            j.last.is_some_and(|l| l.exports() == 0),
        );
        if self.schema.customized {
            let _ = write!(out, " schema {:?}", self.schema.mappings());
        }
        if self.provision_groups {
            out.push_str(" groups");
        }
        if !self.automatic {
            out.push_str(" manual");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::domain_is;

    #[test]
    fn domain_is_reads_what_follows_the_last_at() {
        let slow = |a: &str, d: &str| a.rsplit_once('@').map_or("", |(_, x)| x).eq_ignore_ascii_case(d);
        let addrs = [
            "a@t.com",
            "a@T.Com",
            "a@b@t.com",
            "t.com",
            "a@",
            "",
            "@t.com",
            "x@at.com",
            "a@t.com@",
        ];
        let domains = ["t.com", "T.COM", "", "b@t.com", "at.com", "com"];
        for a in addrs {
            for d in domains {
                assert_eq!(domain_is(a, d), slow(a, d), "{a:?} {d:?}");
            }
        }
        assert!(domain_is("a@T.com", "t.COM"));
        assert!(!domain_is("a@x.t.com", "t.com"));
    }
}
