//! The scenario contract as data: a loaded scenario (the world at the start of the timeline,
//! and its resolved steps), step kinds, checks and expectations. `load` builds it from a file;
//! the runner plays it.

use mtosim_engine::directory::{Attr, UserType};
use mtosim_engine::mto::Role;
use mtosim_engine::{Action, Duration, SimTime, TenantIdx, World};

/// When a step happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum At {
    /// After the current simulated time.
    Offset(Duration),
    /// At an absolute time.
    Absolute(SimTime),
}

impl At {
    /// The instant this names, seen from `now`.
    pub fn resolve(&self, now: SimTime) -> SimTime {
        match self {
            At::Offset(d) => now + *d,
            At::Absolute(t) => *t,
        }
    }
}

/// A step's `expect_error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectError {
    /// `true`: any rule.
    Any,
    /// Exactly this rule id.
    Rule(String),
}

/// A member-list state in a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateCheck {
    /// `pending`.
    Pending,
    /// `active`.
    Active,
    /// `removed`.
    Removed,
    /// `absent`: not listed.
    Absent,
}

/// One key of an `expect` step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// `group = { name, members, description }`: a group as the tenant sees it (members by
    /// userPrincipalName; `""` description checks for null).
    Group {
        name: String,
        members: Option<Vec<String>>,
        description: Option<String>,
    },
    /// `no_group = [names]`.
    NoGroup(String),
    /// `mto_members = N`: B2B users of this tenant that are MTO members (MTO-33).
    MtoMembers(u64),
    /// `mto = "active" | "inactive"`.
    Mto(bool),
    /// `mto_tenants = N`.
    MtoTenants(u64),
    /// `member = { tenant, role, state }`.
    Member {
        tenant: TenantIdx,
        role: Option<Role>,
        state: Option<StateCheck>,
    },
    /// `synced_from = { tenant, count }`.
    SyncedFrom { tenant: TenantIdx, count: u64 },
    /// `user = { upn, user_type, account_enabled, <Graph attribute> = "value" }`: the account
    /// as the tenant sees it (a synchronized account shows its source's values unless edited in
    /// the target, CTS-48; `""` checks for null).
    User {
        upn: String,
        user_type: Option<UserType>,
        account_enabled: Option<bool>,
        attrs: Vec<(Attr, String)>,
        /// The manager's userPrincipalName (`""`: no manager).
        manager: Option<String>,
        /// Sparse properties and directory extensions, with their values (none: null).
        extra: Vec<(mtosim_engine::extra::ExtraProp, Vec<String>)>,
    },
    /// `no_user = "upn"`.
    NoUser(String),
    /// `sync = { name, status }`.
    Sync { name: String, status: Option<String> },
    /// `join_request = { status, member_state, role, added_by }` (MTO-28); `status` is
    /// `none` (no transition), `notStarted`, `running` or `failed`.
    JoinRequest {
        status: Option<String>,
        member_state: Option<String>,
        role: Option<String>,
        added_by: Option<Option<TenantIdx>>,
    },
    /// `partner = { tenant, ... }`: effective values.
    Partner {
        tenant: TenantIdx,
        auto_redeem_inbound: Option<bool>,
        auto_redeem_outbound: Option<bool>,
        sync_inbound: Option<bool>,
        in_mto: Option<bool>,
    },
}

/// What a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// An administrator action.
    Action(Action),
    /// `wait`.
    Wait(Duration),
    /// `settle`.
    Settle(Duration),
    /// `expect`.
    Expect(Vec<Check>),
}

/// One resolved step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// 1-based position in the file.
    pub number: usize,
    /// Line of the step's `do` key.
    pub line: usize,
    /// The verb.
    pub verb: &'static str,
    /// The acting (or, for `expect`, viewing) tenant.
    pub tenant: Option<TenantIdx>,
    /// When.
    pub at: Option<At>,
    /// Expected refusal.
    pub expect_error: Option<ExpectError>,
    /// `as`: the acting administrator, an index into the tenant's admins (none: a Global
    /// Administrator).
    pub admin: Option<usize>,
    /// What.
    pub kind: StepKind,
}

/// A loaded scenario: the world at the start of the timeline, and the steps.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `[scenario] name`.
    pub name: String,
    /// The world before the first step.
    pub world: World,
    /// The timeline.
    pub steps: Vec<Step>,
}
