//! Behaviour tests of the world's transitions, named after the rules they pin.

use super::*;
use crate::directory::{User, UserType, ATTR_COUNT};
use crate::strings::Sym;
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
        guest_invites_allowed: true,
    }
}

fn world(kind: RuleSetKind, names: &[&str]) -> (World, Vec<TenantIdx>) {
    let mut w = World::new(RuleSet::new(kind), 1, SimTime::DEFAULT_START, DelayMode::Max);
    let ids = names.iter().map(|n| w.add_tenant(spec(n)).unwrap()).collect();
    (w, ids)
}

fn add_users(w: &mut World, t: TenantIdx, n: usize) -> Vec<UserIdx> {
    let domain = w.tenant(t).spec.domains[0].clone();
    (0..n)
        .map(|i| {
            w.tenant_mut(t)
                .dir
                .add_user(User {
                    upn: format!("user{i}@{domain}").into(),
                    attrs: [Sym::NONE; ATTR_COUNT],
                    user_type: UserType::Member,
                    account_enabled: true,
                    external: false,
                    deleted_at: None,
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
            action: "remove-tenant",
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
    let t = w.settle(Duration::days(1)).unwrap();
    for &target in &ids[1..] {
        assert_eq!(w.synced_from(target, ids[0]), 2);
        let upn = format!("user0_a.com#EXT#@{}", w.tenant(target).spec.initial_domain);
        let ai = w.external_by_upn(target, &upn).expect("CTS-30 UPN");
        assert_eq!(
            w.tenant(target).dir.externals[ai as usize].user_type,
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
    assert_eq!(w.tenant(ids[1]).dir.externals.len(), 2, "soft-deleted, not gone");
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
    assert_eq!(w.tenant(ids[1]).dir.externals.len(), 2, "restored, not recreated");
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
        let mut w = World::new(
            RuleSet::new(RuleSetKind::Ga),
            42,
            SimTime::DEFAULT_START,
            DelayMode::Random,
        );
        let ids: Vec<TenantIdx> = ["a", "b", "c"]
            .iter()
            .map(|n| w.add_tenant(spec(n)).unwrap())
            .collect();
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
    w.tenant_mut(ids[0]).dir.users[u[1].ix()].user_type = UserType::Guest;
    w.tenant_mut(ids[0]).dir.users[u[2].ix()].external = true;
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
    w.tenant_mut(ids[0]).dir.users[u[1].ix()].account_enabled = false;
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
    w.tenant_mut(ids[0]).dir.users[u[0].ix()].account_enabled = false;
    w.tenant_mut(ids[0]).dir.changes.push(u[0]);
    w.settle(Duration::days(1)).unwrap();
    let ai = w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap();
    let acc = w.tenant(ids[1]).dir.externals[ai as usize];
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
    w.tenant_mut(ids[0]).dir.users[u[0].ix()].user_type = UserType::Guest;
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
