//! Behaviour tests of the world's transitions, named after the rules they pin.

use super::*;
use crate::build::Builder;
use crate::directory::{User, UserType, ATTR_COUNT};
use crate::strings::Sym;
use crate::tenant::TenantSpec;
use crate::world::{CreateSync, PartnerPatch};
use crate::xtap::PartnerConfig;

fn spec(name: &str) -> TenantSpec {
    TenantSpec {
        name: name.into(),
        display_name: name.into(),
        tenant_id: Guid::derive(1, &[name.as_bytes()]),
        initial_domain: format!("{name}.onmicrosoft.com"),
        domains: vec![format!("{name}.com")],
        targeted_release: true,
        p1_licenses: None,
        object_quota: 300_000,
        csp_of: Vec::new(),
        cloud: "commercial".into(),
        cloud_settings: Vec::new(),
        external_user_leave: true,
        m365_sync_manual: false,
        guest_invites_allowed: true,
    }
}

fn world(kind: RuleSetKind, names: &[&str]) -> (World, Vec<TenantIdx>) {
    let mut b = Builder::new(RuleSet::new(kind), 1, SimTime::DEFAULT_START, DelayMode::Max);
    let ids = names.iter().map(|n| b.add_tenant(spec(n)).unwrap()).collect();
    (b.finish(), ids)
}

fn add_users(w: &mut World, t: TenantIdx, n: usize) -> Vec<UserIdx> {
    let domain = w.tenant(t).spec.domains[0].clone();
    (0..n)
        .map(|i| {
            w.tenant_mut(t)
                .dir
                .add_user(User {
                    extra: None,
                    upn: format!("user{i}@{domain}").into(),
                    attrs: [Sym::NONE; ATTR_COUNT],
                    user_type: UserType::Member,
                    account_enabled: true,
                    external: false,
                    deleted_at: crate::user::DeletedAt::NONE,
                    manager: None,
                    version: 0,
                })
                .unwrap()
        })
        .collect()
}

fn refs(u: &[UserIdx]) -> Vec<UserRef> {
    u.iter().map(|&x| x.into()).collect()
}

fn create(w: &mut World, t: TenantIdx, via: Via) {
    w.apply(
        t,
        Action::CreateMto {
            display_name: "Org".into(),
            description: String::new(),
            via,
        },
    )
    .unwrap();
}

fn add(w: &mut World, by: TenantIdx, t: TenantIdx) {
    w.apply(
        by,
        Action::AddTenant {
            target: t,
            role: Role::Member,
            via: Via::Graph,
        },
    )
    .unwrap();
}

fn join(w: &mut World, t: TenantIdx, by: TenantIdx, via: Via) -> OpId {
    w.apply(t, Action::Join { added_by: by, via }).unwrap().unwrap()
}

/// Creates an MTO owned by ids[0] with every other tenant joined (through `via`), settled.
fn formed(kind: RuleSetKind, names: &[&str], via: Via) -> (World, Vec<TenantIdx>) {
    let (mut w, ids) = world(kind, names);
    create(&mut w, ids[0], via);
    for &t in &ids[1..] {
        w.apply(
            ids[0],
            Action::AddTenant {
                target: t,
                role: Role::Member,
                via,
            },
        )
        .unwrap();
        join(&mut w, t, ids[0], via);
    }
    w.settle(Duration::days(1)).unwrap();
    (w, ids)
}

fn leave(w: &mut World, t: TenantIdx) -> Result<Option<OpId>, Refusal> {
    w.apply(t, Action::RemoveTenant { target: t })
}

#[test]
fn mto_9_creator_is_an_active_owner_at_once() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a"]);
    create(&mut w, ids[0], Via::Graph);
    let m = w.mto_view(ids[0]).mto.unwrap();
    let e = w.mtos[m.ix()].entry(ids[0]).unwrap();
    assert_eq!(
        (e.role, e.state, e.added_by, e.joined_at),
        (Role::Owner, MemberState::Active, ids[0], None)
    );
    assert_eq!(w.mto_view(ids[0]).active_tenants, 1);
    assert!(w.tenant(ids[0]).local_mto_id.is_some(), "MTO-2 local id");
}

#[test]
fn mto_3_a_tenant_in_an_mto_cannot_create_another() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::Graph);
    let err = w
        .apply(
            ids[1],
            Action::CreateMto {
                display_name: "X".into(),
                description: String::new(),
                via: Via::Graph,
            },
        )
        .unwrap_err();
    assert_eq!(err.rule, r::MTO_3);
}

#[test]
fn mto_16_adding_a_listed_tenant_is_request_bad_request() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b"]);
    create(&mut w, ids[0], Via::Graph);
    add(&mut w, ids[0], ids[1]);
    let err = w
        .apply(
            ids[0],
            Action::AddTenant {
                target: ids[1],
                role: Role::Member,
                via: Via::Graph,
            },
        )
        .unwrap_err();
    assert_eq!((err.rule, err.code), (r::MTO_16, Some("Request_BadRequest")));
    assert!(err
        .message
        .to_string()
        .starts_with("Tenant is already being added in Multi-Tenant Organization."));
}

#[test]
fn mto_14_only_owners_add_tenants() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b", "c"], Via::Graph);
    let (mut w2, _) = world(RuleSetKind::Ga, &["x"]);
    let err = w
        .apply(
            ids[1],
            Action::AddTenant {
                target: ids[2],
                role: Role::Member,
                via: Via::Graph,
            },
        )
        .unwrap_err();
    assert_eq!(err.rule, r::MTO_14);
    let err = w2
        .apply(
            TenantIdx(0),
            Action::AddTenant {
                target: TenantIdx(0),
                role: Role::Member,
                via: Via::Graph,
            },
        )
        .unwrap_err();
    assert!(err.message.contains("not in any MTO"), "{err}");
}

#[test]
fn mto_35_case_1_a_member_leaves() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::Graph);
    leave(&mut w, ids[1]).unwrap();
    let m = w.mto_view(ids[0]).mto.unwrap();
    assert_eq!(
        w.mtos[m.ix()].entry(ids[1]).unwrap().state,
        MemberState::Removed,
        "MTO-41 transitional"
    );
    assert_eq!(
        w.mto_view(ids[0]).active_tenants,
        1,
        "a removed tenant is not active"
    );
    w.settle(Duration::days(1)).unwrap();
    assert!(w.mtos[m.ix()].entry(ids[1]).is_none(), "MTO-40: absent once done");
    assert_eq!(w.mto_view(ids[1]).mto, None);
    assert_eq!(w.tenant(ids[1]).join, JoinRecord::default());
}

#[test]
fn mto_35_case_2_an_owner_removes_any_other_tenant_pending_or_active() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b", "c"], Via::Graph);
    w.apply(
        ids[0],
        Action::SetRole {
            target: ids[1],
            role: Role::Owner,
        },
    )
    .unwrap();
    w.apply(ids[0], Action::RemoveTenant { target: ids[1] }).unwrap();
    let (mut w2, ids2) = world(RuleSetKind::Ga, &["a", "b"]);
    create(&mut w2, ids2[0], Via::Graph);
    add(&mut w2, ids2[0], ids2[1]);
    w2.apply(ids2[0], Action::RemoveTenant { target: ids2[1] })
        .unwrap();
    let m = w2.mto_view(ids2[0]).mto.unwrap();
    let e = w2.mtos[m.ix()].entry(ids2[1]).unwrap();
    assert_eq!(
        e.state,
        MemberState::Pending,
        "MTO-40's sample keeps pending while queued"
    );
    assert_eq!(e.transition.as_ref().unwrap().desired_state, MemberState::Removed);
    w.settle(Duration::days(1)).unwrap();
    w2.settle(Duration::days(1)).unwrap();
    assert!(w2.mtos[m.ix()].entry(ids2[1]).is_none());
}

#[test]
fn mto_35_a_member_cannot_remove_another_tenant() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b", "c"], Via::Graph);
    let err = w
        .apply(ids[1], Action::RemoveTenant { target: ids[2] })
        .unwrap_err();
    assert_eq!(err.rule, r::MTO_35);
    assert!(err.message.contains("can only remove itself"));
}

#[test]
fn mto_35_case_3_an_owner_leaves_while_another_owner_remains() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b", "c"], Via::Graph);
    w.apply(
        ids[0],
        Action::SetRole {
            target: ids[1],
            role: Role::Owner,
        },
    )
    .unwrap();
    leave(&mut w, ids[0]).unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.mto_view(ids[1]).active_tenants, 2);
    assert!(w.mtos[w.mto_view(ids[1]).mto.unwrap().ix()].is_active_owner(ids[1]));
}

#[test]
fn mto_37_the_only_owner_cannot_leave_while_others_are_active_in_ga() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::Graph);
    let err = leave(&mut w, ids[0]).unwrap_err();
    assert_eq!(err.rule, r::MTO_37);
    assert!(err
        .message
        .contains("could leave after making another tenant an owner"));
    assert!(matches!(
        w.events().last().unwrap().kind,
        EventKind::Refused {
            action: ActionKind::RemoveTenant,
            ..
        }
    ));
}

#[test]
fn mto_38_39_the_last_active_tenant_deletes_the_mto_and_pending_entries_go_with_it() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b"]);
    create(&mut w, ids[0], Via::Graph);
    add(&mut w, ids[0], ids[1]);
    leave(&mut w, ids[0]).unwrap();
    w.settle(Duration::days(1)).unwrap();
    let m = MtoIdx(0);
    assert!(w.mtos[m.ix()].deleted && w.mtos[m.ix()].members.is_empty());
    assert_eq!(w.mto_view(ids[0]).mto, None);
    assert!(matches!(
        w.events().last().unwrap().kind,
        EventKind::MtoDeleted { dropped_pending: 1 }
    ));
    assert!(w.events().last().unwrap().rules.contains(&r::MTO_39));
}

#[test]
fn seed_3_in_the_preview_the_owner_exit_dissolves_the_mto() {
    let (mut w, ids) = formed(RuleSetKind::Preview2023, &["a", "b", "c"], Via::Graph);
    leave(&mut w, ids[0]).unwrap();
    w.settle(Duration::days(1)).unwrap();
    for &t in &ids {
        assert_eq!(w.mto_view(t).mto, None);
    }
    assert!(w.events().last().unwrap().rules.contains(&r::SEED_3));
}

#[test]
fn mto_36_strict_removal_protects_owners_and_the_creator() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b", "c"], Via::Graph);
    w.rules.strict_removal = true;
    w.apply(
        ids[0],
        Action::SetRole {
            target: ids[1],
            role: Role::Owner,
        },
    )
    .unwrap();
    assert_eq!(
        w.apply(ids[0], Action::RemoveTenant { target: ids[1] })
            .unwrap_err()
            .rule,
        r::MTO_36
    );
    w.apply(
        ids[1],
        Action::SetRole {
            target: ids[0],
            role: Role::Member,
        },
    )
    .unwrap();
    assert_eq!(
        w.apply(ids[1], Action::RemoveTenant { target: ids[0] })
            .unwrap_err()
            .rule,
        r::MTO_36
    );
    w.apply(ids[0], Action::RemoveTenant { target: ids[0] }).unwrap();
    w.apply(ids[1], Action::RemoveTenant { target: ids[2] }).unwrap();
}

#[test]
fn mto_30_a_a_join_naming_the_wrong_adder_fails_and_mto_29_resets_it() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b", "c"]);
    create(&mut w, ids[0], Via::Graph);
    add(&mut w, ids[0], ids[1]);
    let op = join(&mut w, ids[1], ids[2], Via::Graph);
    assert_eq!(
        w.tenant(ids[1]).join.transition.as_ref().unwrap().0,
        ProcessingStatus::NotStarted
    );
    w.settle(Duration::days(1)).unwrap();
    let f = w.op(op).outcome.clone().unwrap().unwrap_err();
    assert_eq!(f.rule, r::MTO_30);
    assert_eq!(
        w.tenant(ids[1]).join.transition.as_ref().unwrap().0,
        ProcessingStatus::Failed
    );
    assert_eq!(w.tenant(ids[1]).join.member_state, Some(MemberState::Pending));
    assert_eq!(
        w.apply(
            ids[1],
            Action::Join {
                added_by: ids[0],
                via: Via::Graph
            }
        )
        .unwrap_err()
        .rule,
        r::MTO_29
    );
    w.apply(ids[1], Action::ResetJoin).unwrap();
    assert_eq!(w.tenant(ids[1]).join, JoinRecord::default());
    let op = join(&mut w, ids[1], ids[0], Via::Graph);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.op(op).outcome, Some(Ok(())));
}

#[test]
fn mto_45_the_preview_caps_active_tenants_at_five_at_join() {
    let (mut w, ids) = world(RuleSetKind::Preview2023, &["a", "b", "c", "d", "e", "f"]);
    create(&mut w, ids[0], Via::Graph);
    for &t in &ids[1..] {
        add(&mut w, ids[0], t); // MTO-17: pending beyond the cap is fine
    }
    let ops: Vec<OpId> = ids[1..]
        .iter()
        .map(|&t| join(&mut w, t, ids[0], Via::Graph))
        .collect();
    w.settle(Duration::days(1)).unwrap();
    let failed: Vec<&Refusal> = ops
        .iter()
        .filter_map(|&o| w.op(o).outcome.as_ref().unwrap().as_ref().err())
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].rule, r::MTO_45);
    assert!(failed[0].cites("MTO-30"));
    assert_eq!(w.mto_view(ids[0]).active_tenants, 5);
}

#[test]
fn mto_30_a_a_tenant_never_added_is_told_so() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b", "c"]);
    create(&mut w, ids[0], Via::Graph);
    // c joins naming a, which has an MTO but never added c
    let op = join(&mut w, ids[2], ids[0], Via::Graph);
    w.settle(Duration::days(1)).unwrap();
    let f = w.op(op).outcome.clone().unwrap().unwrap_err();
    assert_eq!(f.rule, r::MTO_30);
    let text = f.message.render(|_| String::new());
    assert!(text.contains("c was never added to a's MTO"), "{text}");
    assert!(!text.contains("no longer pending"), "{text}");
    // b joins naming c, which has no MTO at all
    let op = join(&mut w, ids[1], ids[2], Via::Graph);
    w.settle(Duration::days(1)).unwrap();
    let text = w
        .op(op)
        .outcome
        .clone()
        .unwrap()
        .unwrap_err()
        .message
        .render(|_| String::new());
    assert!(text.contains("b was never added to an MTO: c has none"), "{text}");
}

#[test]
fn mto_30_b_internal_user_cap_is_checked_for_owner_and_joiner() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b"]);
    w.rules.internal_users_at_join_max = Some(3);
    add_users(&mut w, ids[1], 4);
    create(&mut w, ids[0], Via::Graph);
    add(&mut w, ids[0], ids[1]);
    let op = join(&mut w, ids[1], ids[0], Via::Graph);
    w.settle(Duration::days(1)).unwrap();
    let f = w.op(op).outcome.clone().unwrap().unwrap_err();
    assert_eq!(f.rule, r::MTO_47);
    assert!(f.message.contains("4 internal users"));
}

#[test]
fn mto_30_d_a_tenant_in_another_mto_cannot_join() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b", "c"]);
    create(&mut w, ids[0], Via::Graph);
    create(&mut w, ids[2], Via::Graph);
    add(&mut w, ids[0], ids[2]); // MTO-18: the add is accepted
    let op = join(&mut w, ids[2], ids[0], Via::Graph);
    w.settle(Duration::days(1)).unwrap();
    let f = w.op(op).outcome.clone().unwrap().unwrap_err();
    assert!(f.message.contains("reason d"), "{f}");
}

#[test]
fn mto_24_a_role_set_on_a_pending_tenant_applies_when_it_joins() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b"]);
    create(&mut w, ids[0], Via::Graph);
    add(&mut w, ids[0], ids[1]);
    w.apply(
        ids[0],
        Action::SetRole {
            target: ids[1],
            role: Role::Owner,
        },
    )
    .unwrap();
    let m = w.mto_view(ids[0]).mto.unwrap();
    let e = w.mtos[m.ix()].entry(ids[1]).unwrap();
    assert_eq!(
        (e.role, e.transition.as_ref().unwrap().desired_role),
        (Role::Member, Role::Owner)
    );
    join(&mut w, ids[1], ids[0], Via::Graph);
    w.settle(Duration::days(1)).unwrap();
    assert!(w.mtos[m.ix()].is_active_owner(ids[1]));
    assert_eq!(w.tenant(ids[1]).join.role, Some(Role::Owner));
}

#[test]
fn mto_25_the_last_active_owner_cannot_be_demoted() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::Graph);
    assert_eq!(
        w.apply(
            ids[0],
            Action::SetRole {
                target: ids[0],
                role: Role::Member
            }
        )
        .unwrap_err()
        .rule,
        r::MTO_25
    );
}

#[test]
fn mto_49_preview_m365_needs_targeted_release_but_graph_does_not() {
    let (mut w, ids) = world(RuleSetKind::Preview2023, &["a"]);
    w.tenant_mut(ids[0]).spec.targeted_release = false;
    let err = w
        .apply(
            ids[0],
            Action::CreateMto {
                display_name: "X".into(),
                description: String::new(),
                via: Via::M365,
            },
        )
        .unwrap_err();
    assert_eq!(err.rule, r::MTO_49);
    create(&mut w, ids[0], Via::Graph);
}

#[test]
fn mto_19_no_mto_between_a_csp_and_its_customer_in_ga_only() {
    for (kind, refused) in [(RuleSetKind::Ga, true), (RuleSetKind::Preview2023, false)] {
        let (mut w, ids) = world(kind, &["csp", "customer"]);
        w.tenant_mut(ids[0]).spec.csp_of.push(ids[1]);
        create(&mut w, ids[0], Via::Graph);
        let res = w.apply(
            ids[0],
            Action::AddTenant {
                target: ids[1],
                role: Role::Member,
                via: Via::Graph,
            },
        );
        assert_eq!(res.is_err(), refused, "{kind:?}");
        if refused {
            assert_eq!(res.unwrap_err().rule, r::MTO_19);
        }
    }
}

#[test]
fn mto_43_a_removed_tenant_can_be_added_and_join_again() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::Graph);
    leave(&mut w, ids[1]).unwrap();
    assert_eq!(
        w.apply(
            ids[0],
            Action::AddTenant {
                target: ids[1],
                role: Role::Member,
                via: Via::Graph
            }
        )
        .unwrap_err()
        .rule,
        r::MTO_16
    );
    w.settle(Duration::days(1)).unwrap();
    add(&mut w, ids[0], ids[1]);
    join(&mut w, ids[1], ids[0], Via::Graph);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.mto_view(ids[1]).active_tenants, 2);
}

#[test]
fn mto_56_57_partner_settings_exist_pairwise_and_the_flag_follows_membership() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b", "c"], Via::Graph);
    for &x in &ids {
        for &y in &ids {
            if x != y {
                let p = &w.tenant(x).partners[&y];
                assert!(p.in_mto && p.has_sync_policy, "{x:?}->{y:?}");
                assert!(
                    !p.eff_auto_redeem_inbound(),
                    "Graph flow with unconfigured templates changes nothing"
                );
            }
        }
    }
    leave(&mut w, ids[2]).unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert!(!w.tenant(ids[0]).partners[&ids[2]].in_mto);
    assert!(!w.tenant(ids[2]).partners[&ids[1]].in_mto);
    assert!(w.tenant(ids[0]).partners[&ids[1]].in_mto);
}

#[test]
fn mto_62_templates_apply_at_join_to_new_and_existing_partners_by_level() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b"]);
    w.tenant_mut(ids[0]).templates.set_by_m365();
    w.tenant_mut(ids[1]).templates.sync_inbound = Some(true);
    w.tenant_mut(ids[1]).templates.identity_level = crate::xtap::AppLevel::NEW;
    w.tenant_mut(ids[1]).partners.insert(
        ids[0],
        PartnerConfig {
            has_sync_policy: true,
            sync_inbound: Some(false),
            ..Default::default()
        },
    );
    create(&mut w, ids[0], Via::Graph);
    add(&mut w, ids[0], ids[1]);
    join(&mut w, ids[1], ids[0], Via::Graph);
    w.settle(Duration::days(1)).unwrap();
    assert!(w.tenant(ids[0]).partners[&ids[1]].eff_auto_redeem_outbound());
    assert_eq!(
        w.tenant(ids[1]).partners[&ids[0]].sync_inbound,
        Some(false),
        "existing policy, newPartners-only template"
    );
}

#[test]
fn mto_70_74_share_users_provisions_members_with_ext_upns_in_every_other_tenant() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b", "c"], Via::M365);
    let users = add_users(&mut w, ids[0], 3);
    assert_eq!(
        w.configs.iter().filter(|c| c.source == ids[0]).count(),
        2,
        "MTO-70 at join"
    );
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&users[..2]),
        },
    )
    .unwrap();
    // the settle loop's search from the last unsettled configuration agrees with is_settled
    let agrees = |w: &World| {
        (0..w.configs.len() + 2).all(|from| {
            let mut at = from;
            let settled = w.is_settled_from(&mut at);
            settled == w.is_settled() && (settled || !w.config_settled(ConfigIdx(at as u32)))
        })
    };
    assert!(!w.is_settled() && agrees(&w));
    let t = w.settle(Duration::days(1)).unwrap();
    assert!(agrees(&w));
    for &target in &ids[1..] {
        assert_eq!(w.synced_from(target, ids[0]), 2);
        let upn = format!("user0_a.com#EXT#@{}", w.tenant(target).spec.initial_domain);
        let ai = w.external_by_upn(target, &upn).expect("CTS-30 UPN");
        assert_eq!(
            w.tenant(target).dir.externals()[ai as usize].user_type,
            UserType::Member
        );
        assert_eq!(w.external_upn(target, ai), upn);
    }
    assert_eq!(w.synced_from(ids[1], ids[2]), 0);
    assert!(t > SimTime::DEFAULT_START);
    assert!(w.is_settled());
}

#[test]
fn cts_6_share_users_is_refused_when_the_policies_are_missing() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::Graph);
    let users = add_users(&mut w, ids[0], 1);
    let err = w
        .apply(
            ids[0],
            Action::ShareUsers {
                groups: vec![],
                users: refs(&users),
            },
        )
        .unwrap_err();
    assert_eq!(
        (err.rule, err.code),
        (
            r::CTS_6,
            Some("AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure")
        )
    );
    assert!(err
        .message
        .contains("The source tenant has not enabled automatic user consent"));
    // every missing setting of both sides at once, in plain words
    let text = err.message.render(|_| "SETTING".to_string());
    assert!(
        text.contains(
            "(Missing, 2 settings: 1) a's partner configuration for b has automatic redemption outbound off"
        ),
        "{text}"
    );
    assert!(text.contains("2) b's partner configuration for a "), "{text}");
    assert!(
        !text.contains("partner configuration for b has no partner configuration"),
        "{text}"
    );
    w.tenant_mut(ids[0])
        .partners
        .get_mut(&ids[1])
        .unwrap()
        .auto_redeem_outbound = Some(true);
    let users = vec![UserIdx(0)];
    let err = w
        .apply(
            ids[0],
            Action::ShareUsers {
                groups: vec![],
                users: refs(&users),
            },
        )
        .unwrap_err();
    assert!(err
        .message
        .contains("The target tenant has not enabled inbound synchronization"));
}

#[test]
fn cts_42_unsharing_soft_deletes_and_cts_46_sharing_again_restores() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::M365);
    let users = add_users(&mut w, ids[0], 2);
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&users),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    w.apply(
        ids[0],
        Action::UnshareUsers {
            groups: vec![],
            users: refs(&[users[0]]),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 1);
    assert_eq!(
        w.tenant(ids[1]).dir.externals().len(),
        2,
        "soft-deleted, not gone"
    );
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&[users[0]]),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 2);
    assert_eq!(
        w.tenant(ids[1]).dir.externals().len(),
        2,
        "restored, not recreated"
    );
}

#[test]
fn cts_59_initial_cycle_takes_0_08_minutes_per_object_at_max_delays() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::M365);
    let users = add_users(&mut w, ids[0], 1000);
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&users),
        },
    )
    .unwrap();
    let started = w.now;
    w.advance_to(started + Duration::mins(79));
    assert_eq!(w.synced_from(ids[1], ids[0]), 0, "1000 objects x 4.8 s = 80 min");
    w.advance_to(started + Duration::mins(80));
    assert_eq!(w.synced_from(ids[1], ids[0]), 1000);
}

#[test]
fn mto_79_leaving_keeps_sync_running_and_users_in_place() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::M365);
    let users = add_users(&mut w, ids[0], 2);
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&users),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    leave(&mut w, ids[1]).unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 2);
    assert!(w.configs.iter().any(|c| c.source == ids[0] && c.job.scheduled));
}

#[test]
fn the_same_actions_and_seed_give_the_same_log_with_random_delays() {
    let run = || {
        let mut b = Builder::new(
            RuleSet::new(RuleSetKind::Ga),
            42,
            SimTime::DEFAULT_START,
            DelayMode::Random,
        );
        let ids: Vec<TenantIdx> = ["a", "b", "c"]
            .iter()
            .map(|n| b.add_tenant(spec(n)).unwrap())
            .collect();
        let mut w = b.finish();
        let users = add_users(&mut w, ids[0], 50);
        create(&mut w, ids[0], Via::M365);
        for &t in &ids[1..] {
            w.apply(
                ids[0],
                Action::AddTenant {
                    target: t,
                    role: Role::Member,
                    via: Via::M365,
                },
            )
            .unwrap();
            join(&mut w, t, ids[0], Via::M365);
        }
        w.settle(Duration::days(1)).unwrap();
        w.apply(
            ids[0],
            Action::ShareUsers {
                groups: vec![],
                users: refs(&users),
            },
        )
        .unwrap();
        w.settle(Duration::days(1)).unwrap();
        w.events().to_vec()
    };
    let a = run();
    assert_eq!(a, run());
    assert!(a.len() > 10);
}

fn shared_world(kind: RuleSetKind, users: usize) -> (World, Vec<TenantIdx>, Vec<UserIdx>) {
    let (mut w, ids) = formed(kind, &["a", "b"], Via::M365);
    let u = add_users(&mut w, ids[0], users);
    (w, ids, u)
}

#[test]
fn cts_20_cts_21_only_internal_members_are_synced() {
    let (mut w, ids, u) = shared_world(RuleSetKind::Ga, 3);
    w.tenant_mut(ids[0]).dir.set_user_type(u[1], UserType::Guest);
    w.tenant_mut(ids[0]).dir.user_mut(u[2]).external = true;
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&u),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 1);
    assert!(w.tenant(ids[1]).dir.account_of(ids[0], u[0]).is_some());
}

#[test]
fn cts_24_disabled_users_are_not_provisioned_but_cts_44_disabling_later_is_an_update() {
    let (mut w, ids, u) = shared_world(RuleSetKind::Ga, 2);
    w.tenant_mut(ids[0]).dir.set_enabled(u[1], false);
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&u),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 1);
    w.tenant_mut(ids[0]).dir.set_enabled(u[0], false);
    w.settle(Duration::days(1)).unwrap();
    let ai = w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap();
    let acc = w.tenant(ids[1]).dir.externals()[ai as usize];
    assert!(!acc.is_enabled() && !acc.is_soft_deleted());
}

#[test]
fn cts_61_the_target_object_quota_stops_creation_and_escrows_the_rest() {
    let (mut w, ids, u) = shared_world(RuleSetKind::Ga, 10);
    w.tenant_mut(ids[1]).spec.object_quota = 4;
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&u),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 4);
    let job = &w.configs.iter().find(|c| c.source == ids[0]).unwrap().job;
    assert_eq!(job.escrows.len(), 6, "CTS-55: failures are retried");
    assert!(w.events().iter().any(|e| e.rules.contains(&r::CTS_61)));
}

#[test]
fn seed_2_the_preview_caps_users_synced_from_one_tenant_to_another() {
    let (mut w, ids, u) = shared_world(RuleSetKind::Preview2023, 10);
    w.rules.pair_synced_users_max = Some(7);
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![],
            users: refs(&u),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 7);
    assert!(w.events().iter().any(|e| e.rules.contains(&r::SEED_2)));
}

#[test]
fn cts_14_cts_15_group_scope_is_direct_members_only() {
    let (mut w, ids, u) = shared_world(RuleSetKind::Ga, 4);
    let g = w
        .tenant_mut(ids[0])
        .dir
        .add_group("Sales", vec![u[0], u[2]])
        .unwrap();
    w.apply(
        ids[0],
        Action::ShareUsers {
            groups: vec![g],
            users: vec![],
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 2);
    assert!(w.tenant(ids[1]).dir.account_of(ids[0], u[1]).is_none());
}

#[test]
fn cts_5_sharing_needs_an_assigned_internal_user() {
    let (mut w, ids, u) = shared_world(RuleSetKind::Ga, 1);
    w.tenant_mut(ids[0]).dir.set_user_type(u[0], UserType::Guest);
    let err = w
        .apply(
            ids[0],
            Action::ShareUsers {
                groups: vec![],
                users: refs(&u),
            },
        )
        .unwrap_err();
    assert_eq!(err.rule, r::CTS_5);
}

// ----- cross-tenant synchronization through Entra configurations ---------------------------

/// Two tenants whose policies allow a→b sync, with `n` users in a and a configuration "c" that
/// is created but not started.
pub(super) fn entra(n: usize, threshold: Option<u32>) -> (World, Vec<TenantIdx>, Vec<UserIdx>) {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b"]);
    let u = add_users(&mut w, ids[0], n);
    w.apply(
        ids[0],
        Action::SetPartner {
            partner: ids[1],
            patch: PartnerPatch {
                auto_redeem_outbound: Some(true),
                ..Default::default()
            },
        },
    )
    .unwrap();
    w.apply(
        ids[1],
        Action::SetPartner {
            partner: ids[0],
            patch: PartnerPatch {
                auto_redeem_inbound: Some(true),
                sync_inbound: Some(true),
                ..Default::default()
            },
        },
    )
    .unwrap();
    w.apply(
        ids[0],
        Action::CreateSync(Box::new(CreateSync {
            target: ids[1],
            name: "c".into(),
            scope_all: false,
            user_type: UserType::Member,
            apply_always: false,
            delete_action: true,
            delete_threshold: threshold,
            provision_groups: false,
            cross_cloud: false,
            manual: false,
        })),
    )
    .unwrap();
    (w, ids, u)
}

pub(super) fn assign(w: &mut World, t: TenantIdx, users: &[UserIdx]) {
    w.apply(
        t,
        Action::Assign {
            sync: "c".into(),
            groups: vec![],
            users: refs(users),
        },
    )
    .unwrap();
}

pub(super) fn start(w: &mut World, t: TenantIdx) {
    w.apply(t, Action::StartSync { sync: "c".into() }).unwrap();
}

fn job(w: &World) -> &crate::sync::Job {
    &w.configs
        .iter()
        .find(|c| c.name == "c" && !c.deleted)
        .unwrap()
        .job
}

#[test]
fn cts_4_a_new_configuration_is_paused_then_not_run_then_active() {
    let (mut w, ids, u) = entra(2, None);
    assert_eq!(job(&w).status, JobStatus::Paused);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    assert_eq!(job(&w).status, JobStatus::NotRun);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(job(&w).status, JobStatus::Active);
    assert_eq!(w.synced_from(ids[1], ids[0]), 2);
}

#[test]
fn cts_51_deletions_over_the_threshold_are_held_until_allowed() {
    let (mut w, ids, u) = entra(8, Some(3));
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    w.apply(
        ids[0],
        Action::Unassign {
            sync: "c".into(),
            groups: vec![],
            users: refs(&u[..4]),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        w.synced_from(ids[1], ids[0]),
        8,
        "4 deletions > threshold 3: none applied"
    );
    assert_eq!(job(&w).staged.len(), 4);
    assert_eq!(
        job(&w).quarantine.unwrap().reason,
        QuarantineReason::TooManyDeletes
    );
    w.apply(ids[0], Action::AllowDeletes { sync: "c".into() })
        .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 4);
    assert!(job(&w).quarantine.is_none());
    // under the threshold nothing is held
    w.apply(
        ids[0],
        Action::Unassign {
            sync: "c".into(),
            groups: vec![],
            users: refs(&u[4..6]),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 2);
}

#[test]
fn cts_52_53_mass_failures_quarantine_with_the_retry_schedule() {
    let (mut w, ids, u) = entra(6_000, None);
    w.tenant_mut(ids[1]).spec.object_quota = 100;
    assign(&mut w, ids[0], &u[..1]);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    assign(&mut w, ids[0], &u);
    w.advance_to(w.now + Duration::hours(9));
    let q = job(&w).quarantine.expect("quarantined");
    assert_eq!(q.reason, QuarantineReason::EncounteredEscrowProportionThreshold);
    assert_eq!(q.next_attempt, Some(q.series_began + Duration::hours(6)));
    assert_eq!(
        crate::sync::Quarantine::retry_after(q.series_began, 2),
        q.series_began + Duration::hours(12)
    );
    assert_eq!(
        crate::sync::Quarantine::retry_after(q.series_began, 3),
        q.series_began + Duration::hours(24)
    );
    assert_eq!(
        crate::sync::Quarantine::retry_after(q.series_began, 4),
        q.series_began + Duration::hours(48)
    );
    // left alone, it gives up after 28 days (CTS-53)
    w.advance_to(w.now + Duration::days(30));
    assert!(!job(&w).scheduled);
    assert!(w
        .events()
        .iter()
        .any(|e| matches!(e.kind, EventKind::JobDisabled { .. })));
}

#[test]
fn cts_54_the_initial_cycle_prunes_escrows_instead_of_quarantine() {
    let (mut w, ids, u) = entra(6_000, None);
    w.tenant_mut(ids[1]).spec.object_quota = 100;
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.advance_to(w.now + Duration::hours(9));
    let j = job(&w);
    assert!(j.escrows_pruned && j.escrows.is_empty() && !j.scheduled);
    assert!(j.quarantine.is_none());
    assert_eq!(j.status, JobStatus::Paused);
}

#[test]
fn xtap_10_turning_inbound_sync_off_quarantines_the_job_and_keeps_users() {
    let (mut w, ids, u) = entra(3, None);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    w.apply(
        ids[1],
        Action::SetPartner {
            partner: ids[0],
            patch: PartnerPatch {
                sync_inbound: Some(false),
                ..Default::default()
            },
        },
    )
    .unwrap();
    w.apply(
        ids[0],
        Action::Unassign {
            sync: "c".into(),
            groups: vec![],
            users: refs(&u),
        },
    )
    .unwrap();
    w.advance_to(w.now + Duration::hours(1));
    assert_eq!(
        job(&w).quarantine.unwrap().reason,
        QuarantineReason::EncounteredQuarantineException
    );
    assert_eq!(
        w.synced_from(ids[1], ids[0]),
        3,
        "nothing deprovisioned while sync is off"
    );
}

#[test]
fn cts_43_with_the_delete_action_off_nothing_is_soft_deleted() {
    let (mut w, ids, u) = entra(3, None);
    w.configs
        .iter_mut()
        .find(|c| c.name == "c")
        .unwrap()
        .delete_action = false;
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    w.apply(
        ids[0],
        Action::Unassign {
            sync: "c".into(),
            groups: vec![],
            users: refs(&u),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 3);
}

#[test]
fn cts_47_48_target_side_deletes_stay_and_edits_last_until_the_source_changes() {
    let (mut w, ids, u) = entra(2, None);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    let upn0 = w.external_upn(ids[1], w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap());
    let upn1 = w.external_upn(ids[1], w.tenant(ids[1]).dir.account_of(ids[0], u[1]).unwrap());
    w.apply(
        ids[1],
        Action::DeleteUser {
            user: UserRef::Upn(upn0.clone()),
        },
    )
    .unwrap();
    w.apply(
        ids[1],
        Action::SetEnabled {
            user: UserRef::Upn(upn1.clone()),
            enabled: false,
        },
    )
    .unwrap();
    w.apply(
        ids[0],
        Action::UpdateUser {
            user: u[0].into(),
            attrs: vec![],
            user_type: None,
            extra: vec![],
            upn: None,
            manager: None,
        },
    )
    .unwrap();
    w.tenant_mut(ids[0]).dir.log_change(u[0]);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        w.external_by_upn(ids[1], &upn0)
            .map(|a| w.tenant(ids[1]).dir.externals()[a as usize].is_soft_deleted()),
        Some(true),
        "CTS-47: not restored"
    );
    let a1 = w.external_by_upn(ids[1], &upn1).unwrap();
    assert!(
        !w.tenant(ids[1]).dir.externals()[a1 as usize].is_enabled(),
        "CTS-48: the edit persists"
    );
    w.apply(
        ids[0],
        Action::UpdateUser {
            user: u[1].into(),
            attrs: vec![(crate::directory::Attr::JobTitle, "Designer".into())],
            user_type: None,
            extra: vec![],
            upn: None,
            manager: None,
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert!(
        w.tenant(ids[1]).dir.externals()[a1 as usize].is_enabled(),
        "CTS-48: overwritten after a source change"
    );
}

#[test]
fn cts_58_on_demand_provisions_at_once_and_cannot_find_disabled_users() {
    let (mut w, ids, u) = entra(2, None);
    assign(&mut w, ids[0], &u);
    w.tenant_mut(ids[0]).dir.set_enabled(u[1], false);
    w.apply(
        ids[0],
        Action::ProvisionOnDemand {
            sync: "c".into(),
            user: u[0].into(),
        },
    )
    .unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 1, "no cycle needed");
    let err = w
        .apply(
            ids[0],
            Action::ProvisionOnDemand {
                sync: "c".into(),
                user: u[1].into(),
            },
        )
        .unwrap_err();
    assert_eq!(err.rule, r::CTS_58);
}

#[test]
fn cts_26_31_matching_keeps_one_account_and_pending_upns_change_on_full_cycles_only() {
    let (mut w, ids, u) = entra(2, None);
    w.apply(
        ids[1],
        Action::InviteGuest {
            home: ids[0],
            user: u[0].into(),
            user_type: UserType::Guest,
            redeemed: false,
        },
    )
    .unwrap();
    let inv = w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap();
    let inv_upn = w.external_upn(ids[1], inv);
    assign(&mut w, ids[0], &u[1..]);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    assign(&mut w, ids[0], &u[..1]);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        w.tenant(ids[1]).dir.account_of(ids[0], u[0]),
        Some(inv),
        "CTS-26: matched, not duplicated"
    );
    assert_eq!(
        w.external_upn(ids[1], inv),
        inv_upn,
        "CTS-31: incremental cycles keep the invitation UPN"
    );
    w.apply(
        ids[0],
        Action::RestartSync {
            sync: "c".into(),
            reset: crate::sync::ResetScope::portal(),
        },
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.external_upn(ids[1], inv), "user0_a.com#EXT#@b.onmicrosoft.com");
    assert_eq!(
        w.tenant(ids[1]).dir.externals()[inv as usize].user_type,
        UserType::Guest,
        "CTS-28: on-create mapping"
    );
}

#[test]
fn cts_9_conflicts_and_forbidden_invitations_fail_per_object() {
    let (mut w, ids, u) = entra(2, None);
    // an internal user of b has a's first user's mail address as its own mail
    let mail = w.strings.intern("shared@a.com");
    w.tenant_mut(ids[0])
        .dir
        .set_attr(u[0], crate::directory::Attr::Mail, mail);
    let mut attrs = [Sym::NONE; ATTR_COUNT];
    attrs[crate::directory::Attr::Mail as usize] = mail;
    w.tenant_mut(ids[1])
        .dir
        .add_user(User {
            extra: None,
            upn: "shared@b.com".into(),
            attrs,
            user_type: UserType::Member,
            account_enabled: true,
            external: false,
            deleted_at: crate::user::DeletedAt::NONE,
            manager: None,
            version: 0,
        })
        .unwrap();
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 1);
    let fin = w.events().iter().find_map(|e| match &e.kind {
        EventKind::CycleFinished { failures, .. } if !failures.is_empty() => Some(failures.clone()),
        _ => None,
    });
    assert_eq!(fin, Some(vec![("InvitationCreationFailureAmbiguousUser", 1)]));
    let (mut w2, ids2, u2) = entra(1, None);
    w2.tenant_mut(ids2[1]).spec.guest_invites_allowed = false;
    assign(&mut w2, ids2[0], &u2);
    start(&mut w2, ids2[0]);
    w2.settle(Duration::days(1)).unwrap();
    assert_eq!(w2.synced_from(ids2[1], ids2[0]), 0);
    assert!(w2.events().iter().any(|e| e.rules.contains(&r::CTS_9)));
}

#[test]
fn xtap_17_a_target_blocking_b2b_inbound_fails_provisioning_unless_the_option_is_off() {
    for (option, expect) in [(true, 0), (false, 1)] {
        let (mut w, ids, u) = entra(1, None);
        w.rules.b2b_inbound_blocks_sync = option;
        w.apply(
            ids[1],
            Action::SetPartner {
                partner: ids[0],
                patch: PartnerPatch {
                    b2b_inbound: Some(crate::xtap::B2bSetting::all(crate::xtap::Access::Blocked)),
                    ..Default::default()
                },
            },
        )
        .unwrap();
        assign(&mut w, ids[0], &u);
        start(&mut w, ids[0]);
        w.settle(Duration::days(1)).unwrap();
        assert_eq!(w.synced_from(ids[1], ids[0]), expect, "option {option}");
    }
}

#[test]
fn cts_67_a_second_configuration_for_a_pair_warns_or_is_refused_by_option() {
    let (mut w, ids, _) = entra(1, None);
    let spec = |name: &str| CreateSync {
        target: ids[1],
        name: name.into(),
        scope_all: true,
        user_type: UserType::Member,
        apply_always: false,
        delete_action: true,
        delete_threshold: None,
        provision_groups: false,
        cross_cloud: false,
        manual: false,
    };
    // GA: "only one sync instance can exist between a source and a target"
    assert!(w.rules.one_config_per_pair);
    let e = w
        .apply(ids[0], Action::CreateSync(Box::new(spec("second"))))
        .unwrap_err();
    assert_eq!(e.rule, r::CTS_67);
    assert!(e.message.contains("only one sync instance"), "{e}");
    // the option's other reading: allowed, with a warning
    w.rules.one_config_per_pair = false;
    w.apply(ids[0], Action::CreateSync(Box::new(spec("third"))))
        .unwrap();
    assert!(matches!(
        w.events().last().unwrap().kind,
        EventKind::Warning { .. }
    ));
    assert!(!RuleSet::new(RuleSetKind::Preview2023).one_config_per_pair);
}

#[test]
fn cts_19_saving_a_scoping_filter_starts_a_new_initial_cycle() {
    let (mut w, ids, u) = entra(4, None);
    let dept = w.strings.intern("Sales");
    w.tenant_mut(ids[0])
        .dir
        .set_attr(u[0], crate::directory::Attr::Department, dept);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 4);
    let f = crate::scoping::ScopingFilter::parse(&[vec!["department EQUALS Sales".to_string()]]).unwrap();
    w.apply(
        ids[0],
        Action::SetScopingFilter {
            sync: "c".into(),
            filter: Some(f),
            filters: 1,
        },
    )
    .unwrap();
    assert!(!job(&w).initial_done);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 1);
}

#[test]
fn cts_50_deleting_the_configuration_keeps_the_accounts() {
    let (mut w, ids, u) = entra(2, None);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    w.apply(ids[0], Action::DeleteSync { sync: "c".into() }).unwrap();
    w.apply(ids[0], Action::DeleteUser { user: u[0].into() }).unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 2);
    assert_eq!(
        w.apply(ids[0], Action::StartSync { sync: "c".into() })
            .unwrap_err()
            .rule,
        r::SIM_1
    );
}

#[test]
fn cts_62_the_provisioning_log_records_each_object() {
    let (mut w, ids, u) = entra(3, None);
    w.log_provisioning = true;
    assign(&mut w, ids[0], &u[..2]);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    let creates = w
        .provisioning_log()
        .filter(|r| {
            r.action == crate::sync::ProvAction::Create && r.status == crate::sync::ProvStatus::Success
        })
        .count();
    assert_eq!(creates, 2);
    assert!(w.provisioning_log().all(|r| r.cycle >= 1));
}

#[test]
fn mto_45_inv_3_a_join_past_the_cap_behind_the_fault_switch_is_caught() {
    let (mut w, ids) = world(RuleSetKind::Preview2023, &["a", "b", "c", "d", "e", "f"]);
    w.rules.fault = Some(crate::rules::Fault::JoinPastCap);
    create(&mut w, ids[0], Via::Graph);
    for &t in &ids[1..] {
        add(&mut w, ids[0], t);
        join(&mut w, t, ids[0], Via::Graph);
    }
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.mto_view(ids[0]).active_tenants, 6);
    let v = crate::invariants::check(&w).unwrap_err();
    assert_eq!(v.invariant, crate::invariants::TENANT_CAP);
    assert!(v.to_string().contains("INV-3"), "{v}");
}

#[test]
fn mto_25_inv_2_and_mto_26_inv_4_tampered_states_are_caught() {
    let (mut w, ids) = formed(RuleSetKind::Ga, &["a", "b"], Via::Graph);
    assert_eq!(crate::invariants::check(&w), Ok(()));
    let mut no_owner = w.clone();
    for e in &mut no_owner.mtos[0].members {
        e.role = Role::Member;
    }
    assert_eq!(
        crate::invariants::check(&no_owner).unwrap_err().invariant,
        crate::invariants::ACTIVE_OWNER
    );
    let mut blind = w.clone();
    blind.tenants[ids[1].ix()].mto = None;
    assert_eq!(
        crate::invariants::check(&blind).unwrap_err().invariant,
        crate::invariants::VIEWS_AGREE
    );
    // active without a successful join of its own
    w.ops.retain(|o| o.kind != OpKind::Join);
    assert_eq!(
        crate::invariants::check(&w).unwrap_err().invariant,
        crate::invariants::OWN_JOIN
    );
}

#[test]
fn cts_30_inv_6_to_8_tampered_accounts_are_caught() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b"]);
    add_users(&mut w, ids[0], 3);
    let patch = PartnerPatch {
        auto_redeem_inbound: Some(true),
        auto_redeem_outbound: Some(true),
        sync_inbound: Some(true),
        ..Default::default()
    };
    w.apply(
        ids[0],
        Action::SetPartner {
            partner: ids[1],
            patch: patch.clone(),
        },
    )
    .unwrap();
    w.apply(
        ids[1],
        Action::SetPartner {
            partner: ids[0],
            patch,
        },
    )
    .unwrap();
    let cs = CreateSync {
        target: ids[1],
        name: "s".into(),
        scope_all: true,
        user_type: UserType::Member,
        apply_always: false,
        delete_action: true,
        delete_threshold: None,
        provision_groups: false,
        cross_cloud: false,
        manual: false,
    };
    w.apply(ids[0], Action::CreateSync(Box::new(cs))).unwrap();
    w.apply(ids[0], Action::StartSync { sync: "s".into() }).unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 3);
    assert_eq!(crate::invariants::check(&w), Ok(()));
    let inv = |w: &World| crate::invariants::check(w).unwrap_err().invariant;
    // a synced Guest without a Guest mapping
    let mut guest = w.clone();
    guest.tenants[1].dir.account_mut(0).user_type = UserType::Guest;
    assert_eq!(inv(&guest), crate::invariants::ACCOUNT_SHAPE);
    // a second live account for the same person
    let mut twice = w.clone();
    let dup = twice.tenants[1].dir.externals()[0];
    twice.tenants[1].dir.push_external_raw(dup);
    assert_eq!(inv(&twice), crate::invariants::ONE_ACCOUNT);
    // an account in its home tenant
    let mut home = w.clone();
    home.tenants[1].dir.account_mut(0).source_tenant = ids[1];
    assert_eq!(inv(&home), crate::invariants::NOT_ONWARD);
    // more synchronized accounts from one source than the preview's per-pair cap
    let mut capped = w.clone();
    capped.rules.pair_synced_users_max = Some(2);
    assert_eq!(inv(&capped), crate::invariants::PAIR_CAP);
    // a settled running configuration that lost an account it should hold
    let mut lost = w.clone();
    let t = lost.tenants[1].dir.source_table_mut(ids[0], 3);
    t[2] = crate::directory::NO_ACCOUNT;
    lost.tenants[1].dir.account_mut(2).flags |= crate::directory::account_flags::PURGED;
    assert!(lost.is_settled());
    assert_eq!(inv(&lost), crate::invariants::SETTLED_SCOPE);
}

#[test]
fn configs_count_max_refuses_one_configuration_too_many() {
    let (mut w, ids, _) = entra(1, None);
    w.rules.one_config_per_pair = false;
    let filler = w.configs[0].clone();
    w.configs
        .extend(std::iter::repeat_n(filler, limits::CONFIGS_COUNT_MAX - 1));
    let more = CreateSync {
        target: ids[1],
        name: "one too many".into(),
        scope_all: true,
        user_type: UserType::Member,
        apply_always: false,
        delete_action: true,
        delete_threshold: None,
        provision_groups: false,
        cross_cloud: false,
        manual: false,
    };
    let r = w.apply(ids[0], Action::CreateSync(Box::new(more))).unwrap_err();
    assert_eq!(r.rule, r::SIM_1);
    assert!(r.message.contains("CONFIGS_COUNT_MAX"), "{}", r.message);
    assert_eq!(w.configs.len(), limits::CONFIGS_COUNT_MAX);
}

#[test]
fn mto_53_xtap_21_a_step_as_an_admin_without_the_role_is_refused_with_403_and_changes_nothing() {
    use crate::roles::AdminRole;
    let mut b = Builder::new(
        RuleSet::new(RuleSetKind::Ga),
        1,
        SimTime::DEFAULT_START,
        DelayMode::Max,
    );
    let a = b.add_tenant(spec("a")).unwrap();
    let p = b.add_tenant(spec("p")).unwrap();
    let teams = b
        .add_admin(a, "teams@a.com", vec![AdminRole::TeamsAdministrator])
        .unwrap();
    let sec = b
        .add_admin(a, "sec@a.com", vec![AdminRole::SecurityAdministrator])
        .unwrap();
    assert!(
        b.add_admin(a, "x@elsewhere.com", vec![]).is_err(),
        "SIM-4: an unverified domain"
    );
    let mut w = b.finish();
    let create = |via| Action::CreateMto {
        display_name: "A".into(),
        description: String::new(),
        via,
    };
    let e = w.apply_as(a, Some(teams), create(Via::Graph)).unwrap_err();
    assert_eq!((e.rule, e.code), (r::MTO_53, Some("Authorization_RequestDenied")));
    assert!(
        e.message
            .contains("Security Administrator or Global Administrator"),
        "{e}"
    );
    assert!(w.mto_view(a).mto.is_none(), "a refusal changes nothing");
    // the Microsoft 365 admin center takes a Global Administrator
    assert!(w.apply_as(a, Some(sec), create(Via::M365)).is_err());
    w.apply_as(a, Some(sec), create(Via::Graph)).unwrap();
    let sync = |v| Action::SetPartner {
        partner: p,
        patch: PartnerPatch {
            sync_inbound: Some(v),
            ..PartnerPatch::default()
        },
    };
    let e = w.apply_as(a, Some(teams), sync(true)).unwrap_err();
    assert_eq!(e.rule, r::XTAP_21);
    assert!(e.message.contains("identity synchronization settings"), "{e}");
    let trust = Action::SetPartner {
        partner: p,
        patch: PartnerPatch {
            mfa_trust: Some(true),
            ..PartnerPatch::default()
        },
    };
    w.apply_as(a, Some(teams), trust).unwrap();
    // without a named admin the step acts as a Global Administrator
    w.apply(a, sync(true)).unwrap();
}

#[test]
fn cts_49_a_user_who_leaves_is_provisioned_again_as_a_new_account() {
    let (mut w, ids, u) = entra(2, None);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    let first = w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap();
    let upn = w.external_upn(ids[1], first);
    w.apply(
        ids[1],
        Action::LeaveOrganization {
            user: UserRef::Upn(upn.clone()),
        },
    )
    .unwrap();
    assert!(w.tenant(ids[1]).dir.externals()[first as usize].is_soft_deleted());
    assert_eq!(w.synced_from(ids[1], ids[0]), 1);
    w.advance_to(w.now() + Duration::mins(45));
    let second = w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap();
    assert_ne!(first, second, "a new account, not a restore");
    assert_eq!(w.synced_from(ids[1], ids[0]), 2);
    // the tenant's external user leave settings can forbid it
    w.tenant_mut(ids[1]).spec.external_user_leave = false;
    let upn = w.external_upn(ids[1], second);
    let e = w
        .apply(
            ids[1],
            Action::LeaveOrganization {
                user: UserRef::Upn(upn),
            },
        )
        .unwrap_err();
    assert_eq!(e.rule, r::CTS_49);
}

#[test]
fn cts_8_cts_13_mto_54_clouds_decide_what_the_test_connection_and_an_mto_allow() {
    let (mut w, ids, _) = entra(1, None);
    w.tenant_mut(ids[1]).spec.cloud = "usgov".into();
    let spec = |name: &str, cross_cloud| CreateSync {
        target: ids[1],
        name: name.into(),
        scope_all: false,
        user_type: UserType::Member,
        apply_always: false,
        delete_action: true,
        delete_threshold: None,
        provision_groups: false,
        cross_cloud,
        manual: false,
    };
    w.rules.one_config_per_pair = false;
    let e = w
        .apply(ids[0], Action::CreateSync(Box::new(spec("x", false))))
        .unwrap_err();
    assert_eq!((e.rule, e.code), (r::CTS_8, Some("ExternalTenantNotFound")));
    let e = w
        .apply(ids[0], Action::CreateSync(Box::new(spec("x", true))))
        .unwrap_err();
    assert_eq!(e.rule, r::XTAP_18, "{e}");
    w.tenant_mut(ids[0]).spec.cloud_settings = vec!["usgov".into()];
    w.tenant_mut(ids[1]).spec.cloud_settings = vec!["commercial".into()];
    let e = w
        .apply(ids[0], Action::CreateSync(Box::new(spec("x", true))))
        .unwrap_err();
    assert_eq!(e.code, Some("AzureActiveDirectoryTokenExpired"));
    w.tenant_mut(ids[1])
        .partners
        .get_mut(&ids[0])
        .unwrap()
        .cross_cloud_sync = true;
    w.apply(ids[0], Action::CreateSync(Box::new(spec("x", true))))
        .unwrap();
    // an MTO: not through Graph on Azure Government, never in 21Vianet
    let create = |via| Action::CreateMto {
        display_name: "G".into(),
        description: String::new(),
        via,
    };
    assert_eq!(w.apply(ids[1], create(Via::Graph)).unwrap_err().rule, r::MTO_54);
    w.tenant_mut(ids[0]).spec.cloud = "china".into();
    assert_eq!(w.apply(ids[0], create(Via::M365)).unwrap_err().rule, r::MTO_54);
    w.rules.national_cloud_mto = false;
    assert_eq!(w.apply(ids[1], create(Via::M365)).unwrap_err().rule, r::MTO_54);
    w.rules.national_cloud_mto = true;
    w.apply(ids[1], create(Via::M365)).unwrap();
}

#[test]
fn cts_75_seed_5_provisioning_waits_for_automatic_mode() {
    let (mut w, ids, u) = entra(1, None);
    w.rules.one_config_per_pair = false;
    let spec = CreateSync {
        target: ids[1],
        name: "m".into(),
        scope_all: false,
        user_type: UserType::Member,
        apply_always: false,
        delete_action: true,
        delete_threshold: None,
        provision_groups: false,
        cross_cloud: false,
        manual: true,
    };
    w.apply(ids[0], Action::CreateSync(Box::new(spec))).unwrap();
    let e = w
        .apply(ids[0], Action::StartSync { sync: "m".into() })
        .unwrap_err();
    assert_eq!(e.rule, r::CTS_75);
    assert!(e.message.contains("Provisioning Mode Manual"), "{e}");
    // Automatic runs the test connection: without the target's inbound sync it fails (CTS-6)
    w.tenant_mut(ids[1])
        .partners
        .get_mut(&ids[0])
        .unwrap()
        .sync_inbound = Some(false);
    let set = |automatic| Action::SetProvisioningMode {
        sync: "m".into(),
        automatic,
    };
    assert_eq!(w.apply(ids[0], set(true)).unwrap_err().rule, r::CTS_6);
    w.tenant_mut(ids[1])
        .partners
        .get_mut(&ids[0])
        .unwrap()
        .sync_inbound = Some(true);
    w.apply(ids[0], set(true)).unwrap();
    w.apply(
        ids[0],
        Action::Assign {
            sync: "m".into(),
            groups: vec![],
            users: refs(&u),
        },
    )
    .unwrap();
    w.apply(ids[0], Action::StartSync { sync: "m".into() }).unwrap();
    // back to Manual only while provisioning is off
    assert_eq!(w.apply(ids[0], set(false)).unwrap_err().rule, r::CTS_75);
}

#[test]
fn recording_keeps_actions_with_their_outcome_and_merges_clock_moves() {
    let (mut w, ids) = world(RuleSetKind::Ga, &["a", "b"]);
    w.apply(ids[0], Action::ResetJoin).ok();
    assert!(
        w.recorded().is_empty(),
        "nothing is recorded before recording starts"
    );
    w.start_recording();
    let create = Action::CreateMto {
        display_name: "A".into(),
        description: String::new(),
        via: Via::Graph,
    };
    w.apply(ids[0], create.clone()).unwrap();
    let e = w
        .apply(
            ids[0],
            Action::SetRole {
                target: ids[1],
                role: crate::mto::Role::Owner,
            },
        )
        .unwrap_err();
    let t = w.now();
    w.advance_to(t + Duration::mins(5));
    w.advance_to(t + Duration::mins(9));
    w.settle(Duration::hours(1)).unwrap();
    let r = w.recorded();
    assert_eq!(r.len(), 4, "{r:?}");
    assert!(
        matches!(&r[0], crate::state::Recorded::Action { action, refused: None, .. } if *action == create)
    );
    assert!(matches!(&r[1], crate::state::Recorded::Action { refused: Some(rule), .. } if *rule == e.rule));
    assert_eq!(r[2], crate::state::Recorded::AdvanceTo(t + Duration::mins(9)));
    assert_eq!(r[3], crate::state::Recorded::Settle(Duration::hours(1)));
}

#[test]
fn cts_15_cts_42_deleting_an_assigned_group_deprovisions_its_members() {
    let (mut w, ids, u) = entra(3, None);
    let g = w.tenant_mut(ids[0]).dir.add_group("team", u.clone()).unwrap();
    w.apply(
        ids[0],
        Action::Assign {
            sync: "c".into(),
            groups: vec![g],
            users: vec![],
        },
    )
    .unwrap();
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), 3);
    w.apply(ids[0], Action::DeleteGroup { group: "team".into() })
        .unwrap();
    assert!(w.tenant(ids[0]).dir.group_by_name("team").is_none());
    assert!(w.configs[0].groups.is_empty());
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        w.synced_from(ids[1], ids[0]),
        0,
        "members in scope only through it leave"
    );
    let e = w
        .apply(ids[0], Action::DeleteGroup { group: "team".into() })
        .unwrap_err();
    assert_eq!(e.rule, r::SIM_1);
}

#[test]
fn the_user_id_index_finds_users_and_accounts_and_follows_the_directory() {
    use crate::view::UserIdIndex;
    let (mut w, ids, u) = entra(2, None);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    let (source, target) = (ids[0], ids[1]);
    let mut index = UserIdIndex::build(&w, target);
    // every object of the target's view, its own users and the synced accounts, by its id
    let all: Vec<_> = w.view(target).users().collect();
    assert!(all
        .iter()
        .any(|x| matches!(x.origin, crate::view::UserOrigin::Account { .. })));
    for x in &all {
        let found = w.view(target).user_by_id(&index, x.id).expect("found by its id");
        assert_eq!((found.id, &found.upn), (x.id, &x.upn));
    }
    // an id of another tenant's user is not the target's
    let foreign = w.user_id(source, u[0]);
    assert!(w.view(target).user_by_id(&index, foreign).is_none());
    // a new user: the index is stale until refreshed
    let new = add_users(&mut w, target, 1)[0];
    assert!(!index.fresh(&w, target));
    index.refresh(&w, target);
    assert!(index.fresh(&w, target));
    let id = w.user_id(target, new);
    assert_eq!(w.view(target).user_by_id(&index, id).map(|x| x.id), Some(id));
    // users_from(n) is users() without its first n, with no user deleted (the own users
    // passed over by position) and, below, with one
    let from = |w: &World, n: usize| -> Vec<Guid> { w.view(target).users_from(n).map(|x| x.id).collect() };
    let listed: Vec<Guid> = w.view(target).users().map(|x| x.id).collect();
    assert_eq!(w.tenant(target).dir.deleted_users(), 0);
    for n in 0..=listed.len() + 1 {
        assert_eq!(
            from(&w, n),
            listed.iter().skip(n).copied().collect::<Vec<_>>(),
            "{n}"
        );
    }
    // a deleted user is not found, though it keeps its slot
    let upn = w.tenant(target).dir.user(new).upn.to_string();
    w.apply(
        target,
        Action::DeleteUser {
            user: UserRef::Upn(upn),
        },
    )
    .unwrap();
    assert!(index.fresh(&w, target));
    assert!(w.view(target).user_by_id(&index, id).is_none());
    assert_eq!(w.tenant(target).dir.deleted_users(), 1);
    let listed: Vec<Guid> = listed.into_iter().filter(|&x| x != id).collect();
    for n in 0..=listed.len() + 1 {
        assert_eq!(
            from(&w, n),
            listed.iter().skip(n).copied().collect::<Vec<_>>(),
            "{n}"
        );
    }
}
