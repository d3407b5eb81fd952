//! Property test over every verb: random timelines that use every action the engine has
//! (MTO lifecycle, templates, partner settings, Microsoft 365 sharing, Entra sync
//! configurations and job control, users, groups, invitations) and every way time moves
//! (nothing, a wait, a settle), with random, often invalid, arguments. No reference model here:
//! refusals are legitimate outcomes, and what must hold is every named invariant after every
//! step (`mtosim_engine::invariants`, INV-1..12) and the same event log on a replay (INV-11).
//! `props.rs` holds the model-based tests.
//!
//! Cases: 10,000 in release builds (as `.ci/run` runs them), 100 in debug builds;
//! `PROPTEST_CASES` overrides both.

// `x % k == 0` beside `x % k == 1` and `x % k != 0` reads as the case split it is
#![allow(clippy::manual_is_multiple_of)]

use mtosim_engine::build::Builder;
use mtosim_engine::directory::{Attr, NewUser, UserType};
use mtosim_engine::mto::Role;
use mtosim_engine::scoping::ScopingFilter;
use mtosim_engine::sync::ResetScope;
use mtosim_engine::tenant::TenantSpec;
use mtosim_engine::world::{CreateSync, PartnerPatch, TemplatesPatch, UserRef};
use mtosim_engine::xtap::{Access, AppLevel};
use mtosim_engine::{
    Action, DelayMode, Duration, GroupIdx, Guid, RuleSet, RuleSetKind, SimTime, TenantIdx, UserIdx, Via,
    World,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

mod common;
use common::{cases, seed};

/// Number of distinct actions [`action`] builds.
const VERBS: u8 = 34;

/// One step: who acts, which verb, raw arguments (reduced modulo what exists), how time moves.
#[derive(Clone, Debug)]
struct Step {
    actor: usize,
    verb: u8,
    a: usize,
    b: usize,
    flag: bool,
    /// 0: no time passes; 1: wait `minutes`; 2: settle.
    time: u8,
    minutes: u16,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0..8usize,
        0..VERBS,
        0..64usize,
        0..64usize,
        any::<bool>(),
        0..3u8,
        0..3_000u16,
    )
        .prop_map(|(actor, verb, a, b, flag, time, minutes)| Step {
            actor,
            verb,
            a,
            b,
            flag,
            time,
            minutes,
        })
}

fn spec(i: usize) -> TenantSpec {
    let name = format!("t{i}");
    TenantSpec {
        tenant_id: Guid::derive(3, &[name.as_bytes()]),
        initial_domain: format!("{name}.onmicrosoft.com"),
        domains: vec![format!("{name}.com")],
        display_name: name.clone(),
        name,
        targeted_release: i % 2 == 0,
        p1_licenses: None,
        object_quota: if i == 1 { 12 } else { 300_000 },
        csp_of: Vec::new(),
        cloud: "commercial".into(),
        cloud_settings: Vec::new(),
        external_user_leave: true,
        m365_sync_manual: false,
        guest_invites_allowed: i != 3,
    }
}

fn user(upn: String, k: usize) -> NewUser {
    NewUser {
        extra: Vec::new(),
        upn,
        attrs: Vec::new(),
        user_type: if k % 5 == 4 {
            UserType::Guest
        } else {
            UserType::Member
        },
        account_enabled: k % 4 != 3,
    }
}

/// A world of `tenants` tenants with `users` users each and a static group `g`; with
/// `partners`, neighbours allow each other everything sync needs; with `mto`, tenant 0 has
/// formed an MTO with every other tenant (up to the cap) through `via`.
fn world(kind: RuleSetKind, tenants: usize, users: usize, partners: bool, mto: Option<Via>) -> World {
    let mut b = Builder::new(RuleSet::new(kind), 5, SimTime::DEFAULT_START, DelayMode::Random);
    for i in 0..tenants {
        let t = b.add_tenant(spec(i)).expect("tenant");
        let ids: Vec<UserIdx> = (0..users)
            .map(|k| b.add_user(t, &user(format!("u{k}@t{i}.com"), k)).expect("unique"))
            .collect();
        b.add_group(t, "g", ids.iter().copied().step_by(2).collect())
            .expect("group");
    }
    let mut w = b.finish();
    let ids: Vec<TenantIdx> = (0..tenants as u16).map(TenantIdx).collect();
    if partners {
        for &s in &ids {
            for t in [
                (s.0 as usize + 1) % tenants,
                (s.0 as usize + tenants - 1) % tenants,
            ] {
                let patch = PartnerPatch {
                    auto_redeem_inbound: Some(true),
                    auto_redeem_outbound: Some(true),
                    sync_inbound: Some(true),
                    ..PartnerPatch::default()
                };
                w.apply(
                    s,
                    Action::SetPartner {
                        partner: TenantIdx(t as u16),
                        patch,
                    },
                )
                .expect("partner settings");
            }
        }
    }
    if let Some(via) = mto {
        let display_name = "Setup".to_string();
        let description = String::new();
        if w.apply(
            ids[0],
            Action::CreateMto {
                display_name,
                description,
                via,
            },
        )
        .is_ok()
        {
            for &t in &ids[1..] {
                let add = Action::AddTenant {
                    target: t,
                    role: Role::Member,
                    via,
                };
                if w.apply(ids[0], add).is_ok() {
                    let _ = w.apply(
                        t,
                        Action::Join {
                            added_by: ids[0],
                            via,
                        },
                    );
                }
            }
            let _ = w.settle(Duration::days(1));
        }
    }
    w
}

/// Builds the action of `s` for the current world (arguments reduced modulo what exists).
fn action(w: &mut World, s: &Step) -> (TenantIdx, Action) {
    let n = w.tenants().len();
    // only tenants 0 and 1 create MTOs, and most actions name a neighbour: that keeps
    // random timelines inside one or two MTOs and a few partner pairs, where the rules bite
    let actor = TenantIdx(if s.verb == 0 { s.actor % 2 } else { s.actor % n } as u16);
    let offset = match s.a % 4 {
        0 => s.a,
        1 | 3 => 1,
        _ => n - 1,
    };
    let other = TenantIdx(((actor.0 as usize + offset) % n) as u16);
    let users = w.tenant(actor).dir.users().len().max(1);
    let u: UserRef = UserIdx((s.b % users) as u32).into();
    let via = if s.flag { Via::M365 } else { Via::Graph };
    let role = if s.b % 2 == 0 { Role::Member } else { Role::Owner };
    let g = GroupIdx(0);
    let sync = if s.b % 3 == 0 {
        format!("MTO_Sync_{}", w.tenant(other).spec.tenant_id)
    } else {
        format!("c{}", other.0)
    };
    let flag = Some(s.flag);
    let action = match s.verb {
        0 => Action::CreateMto {
            display_name: format!("Org {}", s.a),
            description: String::new(),
            via,
        },
        1 => Action::UpdateMto {
            display_name: Some(format!("Renamed {}", s.b)),
            description: None,
        },
        2 => Action::AddTenant {
            target: other,
            role,
            via,
        },
        3 => Action::SetRole { target: other, role },
        4 => Action::Join { added_by: other, via },
        5 => Action::ResetJoin,
        6 => Action::RemoveTenant { target: other },
        7 => Action::ShareUsers {
            groups: if s.flag { vec![g] } else { Vec::new() },
            users: vec![u],
        },
        8 => Action::UnshareUsers {
            groups: if s.flag { vec![g] } else { Vec::new() },
            users: vec![u],
        },
        9 => Action::SetPartner {
            partner: other,
            // mostly what sync needs on both sides, sometimes a random mix
            patch: if s.b % 3 != 0 {
                PartnerPatch {
                    auto_redeem_inbound: Some(true),
                    auto_redeem_outbound: Some(true),
                    sync_inbound: Some(true),
                    ..PartnerPatch::default()
                }
            } else {
                PartnerPatch {
                    auto_redeem_inbound: flag,
                    auto_redeem_outbound: Some(s.b % 4 != 0),
                    sync_inbound: Some(s.b % 5 != 0),
                    mfa_trust: flag,
                    b2b_inbound: (s.b % 7 == 0).then(|| {
                        mtosim_engine::xtap::B2bSetting::all(if s.flag {
                            Access::Allowed
                        } else {
                            Access::Blocked
                        })
                    }),
                    b2b_outbound: (s.b % 11 == 0)
                        .then(|| mtosim_engine::xtap::B2bSetting::all(Access::Blocked)),
                    group_sync_inbound: (s.b % 3 == 0).then_some(s.flag),
                    cross_cloud_sync: None,
                }
            },
        },
        10 if s.b % 5 == 0 => Action::DeleteSyncPolicy { partner: other },
        10 => Action::DeletePartner {
            partner: other,
            sync_policy_too: s.flag,
        },
        11 => Action::SetTemplates {
            patch: TemplatesPatch {
                auto_redeem_inbound: flag,
                auto_redeem_outbound: flag,
                mfa_trust: None,
                sync_inbound: Some(s.b % 2 == 0),
                application: Some(AppLevel((s.b % 4) as u8)),
            },
        },
        12 => Action::ResetTemplates,
        13 => Action::CreateSync(Box::new(CreateSync {
            target: other,
            name: format!("c{}", other.0),
            scope_all: s.flag,
            user_type: if s.b % 3 == 0 {
                UserType::Guest
            } else {
                UserType::Member
            },
            apply_always: s.b % 2 == 0,
            delete_action: s.b % 5 != 0,
            delete_threshold: (s.b % 4 == 0).then_some((s.b % 3) as u32),
            provision_groups: s.b % 5 == 1,
            cross_cloud: false,
            manual: false,
        })),
        14 => Action::Assign {
            sync,
            groups: if s.flag { vec![g] } else { Vec::new() },
            users: vec![u],
        },
        15 => Action::Unassign {
            sync,
            groups: if s.flag { vec![g] } else { Vec::new() },
            users: vec![u],
        },
        16 => {
            let clauses = [
                "department EQUALS 'Sales'",
                "accountEnabled IS TRUE",
                "userPrincipalName ENDS_WITH '.com'",
            ];
            let filter = (!s.flag).then(|| {
                ScopingFilter::parse(&[vec![clauses[s.b % clauses.len()].to_string()]])
                    .expect("a valid filter")
            });
            Action::SetScopingFilter {
                sync,
                filters: filter.is_some() as usize,
                filter,
            }
        }
        17 => Action::StartSync { sync },
        18 => Action::PauseSync { sync },
        19 => Action::RestartSync {
            sync,
            reset: if s.flag {
                ResetScope::portal()
            } else {
                ResetScope::parse("Full").expect("Full")
            },
        },
        20 => Action::AllowDeletes { sync },
        21 => Action::ProvisionOnDemand { sync, user: u },
        22 => Action::DeleteSync { sync },
        23 => {
            let k = w.tenant(actor).dir.users().len() + s.b;
            Action::AddUser(Box::new(user(format!("new{k}@t{}.com", actor.0), k)))
        }
        24 => {
            let v = if s.flag { "Sales" } else { "Research" };
            Action::UpdateUser {
                user: u,
                attrs: vec![(Attr::Department, v.to_string())],
                user_type: (s.b % 6 == 0).then_some(UserType::Guest),
                extra: vec![],
                upn: None,
                manager: None,
            }
        }
        25 => Action::SetEnabled {
            user: u,
            enabled: s.flag,
        },
        26 => {
            if s.flag {
                Action::DeleteUser { user: u }
            } else {
                Action::RestoreUser { user: u }
            }
        }
        28 => Action::SetGroupProvisioning {
            sync,
            enabled: s.flag,
        },
        29 => Action::SetScope { sync, all: s.flag },
        31 => Action::SetDefaultAccess {
            inbound: s
                .flag
                .then(|| mtosim_engine::xtap::B2bSetting::all(Access::Blocked)),
            outbound: None,
            reset: s.b % 2 == 0,
        },
        33 => Action::DeleteGroup {
            group: if s.flag {
                "g".to_string()
            } else {
                format!("new{}", s.a)
            },
        },
        32 => Action::CreateGroup {
            name: format!("new{}", s.a),
            description: None,
            kind: mtosim_engine::directory::GroupKind::Security,
            members: vec![u.clone()],
        },
        30 => Action::UpdateGroup {
            group: "g".to_string(),
            description: s.flag.then(|| format!("d{}", s.a)),
        },
        _ => {
            if s.b % 3 == 0 {
                Action::AddToGroup {
                    group: g,
                    users: vec![u],
                }
            } else if s.b % 3 == 1 {
                Action::RemoveFromGroup {
                    group: g,
                    users: vec![u],
                }
            } else {
                let home_users = w.tenant(other).dir.users().len().max(1);
                Action::InviteGuest {
                    home: other,
                    user: UserIdx((s.a % home_users) as u32).into(),
                    user_type: if s.flag { UserType::Member } else { UserType::Guest },
                    redeemed: s.b % 2 == 0,
                }
            }
        }
    };
    (actor, action)
}

/// The world a timeline starts from.
#[derive(Debug)]
struct Setup {
    kind: RuleSetKind,
    tenants: usize,
    users: usize,
    partners: bool,
    mto: Option<Via>,
}

/// Plays `steps`, checking every invariant after each; returns the world.
fn play(setup: &Setup, steps: &[Step]) -> Result<World, TestCaseError> {
    let mut w = world(setup.kind, setup.tenants, setup.users, setup.partners, setup.mto);
    for (i, s) in steps.iter().enumerate() {
        let (actor, a) = action(&mut w, s);
        let verb = a.kind();
        let _ = w.apply(actor, a); // a refusal is an outcome, not a failure
        match s.time {
            0 => {}
            1 => {
                let to = w.now() + Duration::mins(s.minutes as i64);
                w.advance_to(to);
            }
            _ => {
                let _ = w.settle(Duration::days(45));
            }
        }
        if let Err(v) = mtosim_engine::invariants::check(&w) {
            return Err(TestCaseError::fail(format!("after step {i} ({verb:?}): {v}")));
        }
    }
    Ok(w)
}

proptest! {
    #![proptest_config(Config {
        cases: cases(10_000, 100),
        rng_seed: seed(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/verbs.txt"))),
        .. Config::default()
    })]

    #[test]
    fn every_verb_in_random_timelines_keeps_every_invariant_and_replays(
        preview in any::<bool>(),
        tenants in 2..=8usize,
        users in 0..5usize,
        partners in any::<bool>(),
        mto in prop_oneof![Just(None), Just(Some(Via::Graph)), Just(Some(Via::M365))],
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let kind = if preview { RuleSetKind::Preview2023 } else { RuleSetKind::Ga };
        let setup = Setup { kind, tenants, users, partners, mto };
        let a = play(&setup, &steps)?;
        let b = play(&setup, &steps)?;
        prop_assert!(a.events() == b.events(), "INV-11 (SIM-1): a replay gave a different event log");
    }
}
