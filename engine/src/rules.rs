//! Rule identifiers, the two rule sets, and the named options where the documentation is
//! silent or contradicts itself.
//!
//! Every refusal, failure and narrated event carries one or more [`RuleId`]s: MTO-n
//! (multitenant organizations), CTS-n and XTAP-n (cross-tenant synchronization and access
//! settings), `SEED-n` for the claims of the seed article that no Microsoft page makes, and
//! `SIM-n` for the simulator's own. `docs/rules.md` indexes them; `mtosim explain RULE` prints
//! one with its Microsoft sources (`docs/rule-sources.tsv`).

use crate::time::Duration;
use std::fmt;

/// A stable rule identifier such as `MTO-37` or `CTS-30`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub &'static str);

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

macro_rules! rule_ids {
    ($($name:ident = $text:literal;)*) => {
        $(#[doc = concat!("Rule `", $text, "`.")] pub const $name: RuleId = RuleId($text);)*
        /// Every rule id the engine cites, in declaration order.
        pub const CITED: &[RuleId] = &[$($name),*];
    };
}

rule_ids! {
    MTO_2 = "MTO-2"; MTO_3 = "MTO-3"; MTO_8 = "MTO-8"; MTO_9 = "MTO-9"; MTO_12 = "MTO-12";
    MTO_13 = "MTO-13"; MTO_14 = "MTO-14"; MTO_15 = "MTO-15"; MTO_16 = "MTO-16"; MTO_17 = "MTO-17";
    MTO_19 = "MTO-19"; MTO_22 = "MTO-22"; MTO_24 = "MTO-24"; MTO_25 = "MTO-25"; MTO_26 = "MTO-26";
    MTO_27 = "MTO-27"; MTO_28 = "MTO-28"; MTO_29 = "MTO-29"; MTO_30 = "MTO-30"; MTO_31 = "MTO-31";
    MTO_32 = "MTO-32"; MTO_34 = "MTO-34"; MTO_35 = "MTO-35"; MTO_36 = "MTO-36"; MTO_37 = "MTO-37";
    MTO_38 = "MTO-38"; MTO_39 = "MTO-39"; MTO_40 = "MTO-40"; MTO_42 = "MTO-42"; MTO_43 = "MTO-43";
    MTO_45 = "MTO-45"; MTO_46 = "MTO-46"; MTO_47 = "MTO-47"; MTO_49 = "MTO-49"; MTO_56 = "MTO-56";
    MTO_57 = "MTO-57"; MTO_62 = "MTO-62"; MTO_63 = "MTO-63"; MTO_67 = "MTO-67"; MTO_69 = "MTO-69";
    MTO_70 = "MTO-70"; MTO_74 = "MTO-74"; MTO_79 = "MTO-79"; MTO_82 = "MTO-82";
    CTS_4 = "CTS-4"; CTS_5 = "CTS-5"; CTS_6 = "CTS-6"; CTS_14 = "CTS-14"; CTS_15 = "CTS-15";
    CTS_20 = "CTS-20"; CTS_22 = "CTS-22"; CTS_24 = "CTS-24"; CTS_26 = "CTS-26"; CTS_28 = "CTS-28";
    CTS_30 = "CTS-30"; CTS_40 = "CTS-40"; CTS_41 = "CTS-41"; CTS_42 = "CTS-42"; CTS_44 = "CTS-44";
    CTS_46 = "CTS-46"; CTS_56 = "CTS-56"; CTS_59 = "CTS-59"; CTS_61 = "CTS-61";
    XTAP_2 = "XTAP-2"; XTAP_3 = "XTAP-3"; XTAP_5 = "XTAP-5"; XTAP_7 = "XTAP-7";
    SEED_1 = "SEED-1"; SEED_2 = "SEED-2"; SEED_3 = "SEED-3"; SEED_4 = "SEED-4";
    MTO_10 = "MTO-10"; MTO_11 = "MTO-11"; MTO_18 = "MTO-18"; MTO_20 = "MTO-20"; MTO_21 = "MTO-21";
    MTO_41 = "MTO-41"; MTO_44 = "MTO-44"; MTO_50 = "MTO-50"; MTO_51 = "MTO-51"; MTO_52 = "MTO-52";
    MTO_58 = "MTO-58"; MTO_61 = "MTO-61"; MTO_64 = "MTO-64"; MTO_65 = "MTO-65"; MTO_66 = "MTO-66";
    MTO_68 = "MTO-68"; MTO_73 = "MTO-73"; MTO_81 = "MTO-81"; MTO_86 = "MTO-86"; MTO_87 = "MTO-87"; MTO_88 = "MTO-88";
    MTO_90 = "MTO-90"; CTS_11 = "CTS-11"; CTS_43 = "CTS-43"; CTS_47 = "CTS-47"; CTS_55 = "CTS-55";
    CTS_2 = "CTS-2"; CTS_9 = "CTS-9"; CTS_16 = "CTS-16"; CTS_17 = "CTS-17"; CTS_18 = "CTS-18";
    CTS_19 = "CTS-19"; CTS_21 = "CTS-21"; CTS_31 = "CTS-31"; CTS_32 = "CTS-32"; CTS_34 = "CTS-34"; CTS_45 = "CTS-45";
    CTS_48 = "CTS-48"; CTS_50 = "CTS-50"; CTS_51 = "CTS-51"; CTS_52 = "CTS-52"; CTS_53 = "CTS-53";
    CTS_54 = "CTS-54"; CTS_57 = "CTS-57"; CTS_58 = "CTS-58"; CTS_62 = "CTS-62"; CTS_67 = "CTS-67";
    CTS_73 = "CTS-73"; CTS_66 = "CTS-66"; XTAP_17 = "XTAP-17";
    SIM_1 = "SIM-1"; SIM_2 = "SIM-2"; SIM_3 = "SIM-3"; SIM_4 = "SIM-4";
    CTS_27 = "CTS-27"; CTS_29 = "CTS-29"; CTS_33 = "CTS-33"; CTS_36 = "CTS-36"; CTS_37 = "CTS-37";
    CTS_75 = "CTS-75"; SEED_5 = "SEED-5"; SEED_6 = "SEED-6";
    MTO_53 = "MTO-53"; MTO_83 = "MTO-83"; CTS_49 = "CTS-49"; MTO_33 = "MTO-33"; MTO_85 = "MTO-85"; MTO_54 = "MTO-54"; CTS_8 = "CTS-8"; CTS_13 = "CTS-13"; XTAP_18 = "XTAP-18"; XTAP_21 = "XTAP-21"; CTS_12 = "CTS-12"; SIM_5 = "SIM-5";
    CTS_63 = "CTS-63"; CTS_64 = "CTS-64"; CTS_65 = "CTS-65"; XTAP_11 = "XTAP-11";
    XTAP_1 = "XTAP-1"; XTAP_8 = "XTAP-8"; XTAP_9 = "XTAP-9"; XTAP_10 = "XTAP-10"; XTAP_20 = "XTAP-20";
}

/// Which documented behaviour the world follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetKind {
    /// Today's documented behaviour (general availability, April 2024 onward).
    Ga,
    /// The 2023 preview as the seed article describes it.
    Preview2023,
}

impl RuleSetKind {
    /// The name used in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            RuleSetKind::Ga => "ga",
            RuleSetKind::Preview2023 => "preview-2023",
        }
    }
    /// Parses `ga` or `preview-2023`.
    pub fn parse(s: &str) -> Option<RuleSetKind> {
        match s {
            "ga" => Some(RuleSetKind::Ga),
            "preview-2023" => Some(RuleSetKind::Preview2023),
            _ => None,
        }
    }
}

/// The limits, delays and named options of one rule set. Build it with [`RuleSet::new`] and
/// override single fields where a scenario asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSet {
    /// The documented behaviour this set starts from.
    pub kind: RuleSetKind,
    /// Active tenants per MTO, counting owners; checked when a join completes (MTO-45, MTO-46).
    pub active_tenants_max: u32,
    /// Internal users per tenant, checked for the owner and the joiner at join (MTO-45, MTO-47).
    /// `None`: not enforced (the GA default, since GA limit tables no longer name a number).
    pub internal_users_at_join_max: Option<u64>,
    /// Longest time a join takes to complete (MTO-27): 2 h in GA, 4 h in the preview.
    pub join_delay_max: Duration,
    /// Longest time a join through the Microsoft 365 admin center takes (MTO-27): its docs say
    /// up to 4 h in both eras.
    pub join_delay_max_m365: Duration,
    /// Shortest time a join takes when delays are drawn at random.
    pub join_delay_min: Duration,
    /// Longest time a removal takes (MTO-40): up to 2 h in both (the longest documented; GA's
    /// how-to says "a few minutes", which is where random delays start).
    pub removal_delay_max: Duration,
    /// Shortest time a removal takes when delays are drawn at random.
    pub removal_delay_min: Duration,
    /// Microsoft 365 admin center flows need targeted release (MTO-49, SEED-4).
    pub targeted_release_required: bool,
    /// The MTO dissolves when its (last active) owner exits (SEED-3), instead of MTO-37's refusal.
    pub owner_exit_dissolves: bool,
    /// No MTO between a CSP and its customer tenants (MTO-19, GA only).
    pub csp_pairs_forbidden: bool,
    /// Users synchronized from one tenant to another (SEED-2, preview only).
    pub pair_synced_users_max: Option<u64>,
    /// Named option `strict_removal` (MTO-36): owners cannot be removed by others and the
    /// creator can only remove itself. Off by default: Graph's MTO-35 is the reference.
    pub strict_removal: bool,
    /// Named option `join_min_wait` (MTO-27): a join submitted sooner than this after the MTO
    /// was created fails. The 2023 texts asked for 2 hours; off by default in both sets.
    pub join_min_wait_after_create: Option<Duration>,
    /// Named option `sync_internal_guests` (CTS-21): internal guests are eligible for sync.
    /// Off by default, following the overview and known issues.
    pub sync_internal_guests: bool,
    /// Named option `b2b_inbound_blocks_sync` (XTAP-17, OQ-3): a target whose partner
    /// configuration blocks B2B collaboration inbound fails every provisioning from that
    /// source. On by default: a simulator must not allow what Entra may forbid.
    pub b2b_inbound_blocks_sync: bool,
    /// Named option `one_config_per_pair` (CTS-67): refuse a second configuration for the same
    /// source and target. On in GA, as the newest overview says ("only one sync instance can
    /// exist between a source and a target", cross-tenant-synchronization-overview.md @
    /// 0136e7d5); off in the preview, whose pages allowed several (allowed with a warning).
    pub one_config_per_pair: bool,
    /// Named option `national_cloud_mto` (MTO-54): multitenant organizations within the
    /// Microsoft 365 government clouds (GCC on the commercial cloud; GCC High and DoD on Azure
    /// Government), same cloud only, as the newest known-issues revision and the Microsoft 365
    /// FAQ say. Off: only the commercial cloud, as older revisions listed.
    pub national_cloud_mto: bool,
    /// Named option `contacts_collide` (MTO-85, CTS-32): provisioning a user whose mail a mail
    /// contact of the target holds fails (InvitationCreationFailureAmbiguousUser, the proxy
    /// address conflict); off, the account is created beside the contact, a duplicate in
    /// searches. On by default: the known issues say provisioning "might collide".
    pub contacts_collide: bool,
    /// Named option `m365_keeps_tenant_edits` (MTO-74, SEED-6): "Share users" and "Edit shared
    /// users" add or remove only the groups and users named, keeping assignments an admin made
    /// to one `MTO_Sync` configuration in the Entra admin center. Off by default: the console
    /// gives every `MTO_Sync` configuration its one shared scope ("Edit shared users rewrites
    /// the scope of every configuration"), so such per-tenant assignments are overwritten.
    /// Scoping filters and mappings are not part of the shared scope and are kept either way.
    pub m365_keeps_tenant_edits: bool,
    /// A deliberately broken rule, for tests that the invariant checks, the property tests
    /// and `mtosim explore` catch it. No scenario file can set it.
    pub fault: Option<Fault>,
}

/// Deliberately broken rules (see [`RuleSet::fault`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Joins succeed past the tenant cap (breaks MTO-30 reason c, caught as INV-3).
    JoinPastCap,
}

impl RuleSet {
    /// The defaults of a rule set, as documented.
    pub fn new(kind: RuleSetKind) -> RuleSet {
        match kind {
            RuleSetKind::Ga => RuleSet {
                kind,
                active_tenants_max: 100,
                internal_users_at_join_max: None,
                join_delay_max: Duration::hours(2),
                join_delay_max_m365: Duration::hours(4),
                join_delay_min: Duration::mins(5),
                // the longest documented: the Graph beta page for removing a tenant ("you must
                // wait for up to 2 hours"); the configure-with-Graph how-to says "a few minutes",
                // the shortest a random draw takes; the v1.0 page gives no time (MTO-40)
                removal_delay_max: Duration::hours(2),
                removal_delay_min: Duration::mins(2),
                targeted_release_required: false,
                owner_exit_dissolves: false,
                csp_pairs_forbidden: true,
                pair_synced_users_max: None,
                strict_removal: false,
                join_min_wait_after_create: None,
                sync_internal_guests: false,
                b2b_inbound_blocks_sync: true,
                one_config_per_pair: true,
                national_cloud_mto: true,
                contacts_collide: true,
                m365_keeps_tenant_edits: false,
                fault: None,
            },
            RuleSetKind::Preview2023 => RuleSet {
                kind,
                active_tenants_max: 5,
                internal_users_at_join_max: Some(100_000),
                join_delay_max: Duration::hours(4),
                join_delay_max_m365: Duration::hours(4),
                join_delay_min: Duration::mins(5),
                removal_delay_max: Duration::hours(2),
                removal_delay_min: Duration::mins(5),
                targeted_release_required: true,
                owner_exit_dissolves: true,
                csp_pairs_forbidden: false,
                pair_synced_users_max: Some(100_000),
                strict_removal: false,
                join_min_wait_after_create: None,
                sync_internal_guests: false,
                b2b_inbound_blocks_sync: true,
                one_config_per_pair: false,
                national_cloud_mto: true,
                contacts_collide: true,
                m365_keeps_tenant_edits: false,
                fault: None,
            },
        }
    }

    /// The rule that sets the tenant cap under this rule set.
    pub fn tenant_cap_rule(&self) -> RuleId {
        match self.kind {
            RuleSetKind::Ga => MTO_46,
            RuleSetKind::Preview2023 => MTO_45,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_sets_differ_where_documented() {
        let ga = RuleSet::new(RuleSetKind::Ga);
        let pv = RuleSet::new(RuleSetKind::Preview2023);
        assert_eq!((ga.active_tenants_max, pv.active_tenants_max), (100, 5));
        assert_eq!(ga.join_delay_max, Duration::hours(2));
        assert_eq!(pv.join_delay_max, Duration::hours(4));
        assert!(pv.owner_exit_dissolves && !ga.owner_exit_dissolves);
        assert!(ga.csp_pairs_forbidden && !pv.csp_pairs_forbidden);
        assert_eq!(pv.pair_synced_users_max, Some(100_000));
        assert!(!ga.strict_removal && !pv.strict_removal, "MTO-36 is opt-in");
    }

    #[test]
    fn cited_rule_ids_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for r in CITED {
            assert!(seen.insert(r.0), "duplicate {r}");
            let (prefix, n) = r.0.rsplit_once('-').unwrap();
            assert!(["MTO", "CTS", "XTAP", "SEED", "SIM"].contains(&prefix), "{r}");
            assert!(n.parse::<u32>().is_ok(), "{r}");
        }
        assert_eq!(RuleSetKind::parse("ga"), Some(RuleSetKind::Ga));
        assert_eq!(RuleSetKind::parse("preview-2023").unwrap().name(), "preview-2023");
        assert_eq!(RuleSetKind::parse("preview"), None);
    }
}
