//! Named caps on every collection and loop the engine runs, so that no input can make it
//! allocate without bound or spin forever. Units come last in names.

/// Tenants in one simulated world (the MTO cap is a rule, this is an input bound).
pub const TENANTS_COUNT_MAX: usize = 1_000;
/// Users in one tenant's directory, generated, inline or imported.
pub const USERS_PER_TENANT_MAX: usize = 2_000_000;
/// Users in all tenants of one world together: about 1.5 GiB of directories, and the bound
/// that keeps a scenario of many full tenants from exhausting memory.
pub const USERS_TOTAL_MAX: usize = 5_000_000;
/// Groups in one tenant's directory.
pub const GROUPS_PER_TENANT_MAX: usize = 100_000;
/// Entries `World::start_recording` keeps (`mtosim serve --record`); later ones are dropped.
pub const RECORDED_MAX: usize = 1_000_000;
/// Named administrators of one tenant (MTO-53).
pub const ADMINS_PER_TENANT_MAX: usize = 1_000;
/// Cross-tenant synchronization configurations in one world.
pub const CONFIGS_COUNT_MAX: usize = 100_000;
/// Queued events processed by one `advance_to` or `settle` call.
pub const EVENTS_PER_ADVANCE_MAX: u64 = 50_000_000;

// Caps on the total work of one world over its whole life (loading and every step), so that
// a scenario inside every other cap still finishes in seconds. Reaching one stops the world
// with an error naming it ([`crate::World::limit`]); nothing after it runs.

/// Queued events (joins, removals, cycle starts and ends, purges) processed in all. Idle
/// sync cycles inside one wait are counted once (they change nothing, CTS-41).
pub const EVENTS_PER_RUN_MAX: u64 = 10_000_000;
/// Source objects evaluated by sync cycles in all (a 100-tenant, 3,000-user full mesh's
/// initial cycles evaluate 29.7 million; a full cycle over existing accounts costs about 1.5 us
/// an object, so this cap is reached in about a minute at worst).
pub const CYCLE_OBJECTS_PER_RUN_MAX: u64 = 40_000_000;
/// Dynamic membership rule evaluation units in all (each user against each dynamic group of
/// its tenant, at load and whenever the user changes; an evaluation counts 1 unit plus one per
/// `membership::RULE_CHARS_PER_UNIT` characters of the rule, so long `-match` rules reach it
/// sooner than short `-eq` ones).
pub const RULE_EVALUATIONS_PER_RUN_MAX: u64 = 100_000_000;
/// The latest simulated instant: 9999-12-31T23:59:59Z, the last one RFC 3339 (and so every
/// file mtosim writes and reads) can express.
pub const SIM_TIME_MAX: crate::time::SimTime = crate::time::SimTime(253_402_300_799);
/// A tenant's directory object quota, at most (Entra's default is 300,000; this keeps every
/// headroom computation inside a signed 64-bit integer).
pub const OBJECT_QUOTA_MAX: u64 = 1_000_000_000_000;
/// Provisioning-log records kept in all (when the log is recorded): about 250 bytes each, so
/// at most about 5 GiB.
pub const PROV_LOG_RECORDS_MAX: usize = 20_000_000;
/// Bytes of the provisioning log's own strings (values no user holds, such as `#EXT#` UPNs):
/// a value's offset fits 30 bits.
pub const PROV_LOG_TEXT_BYTES_MAX: usize = 1 << 30;
/// Distinct interned strings.
pub const INTERNED_STRINGS_MAX: usize = 20_000_000;
/// Characters in a userPrincipalName (Entra's limit: 64 before the `@`, 48 after).
pub const UPN_CHARS_MAX: usize = 113;
/// Length of a display name, description or other free text, in bytes.
pub const TEXT_LEN_MAX: usize = 4_096;
