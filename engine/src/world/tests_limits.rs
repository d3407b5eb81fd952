//! Bounded work: per-run caps stop the world with their name, idle sync cycles cost nothing
//! however long the wait, and directories refuse userPrincipalNames Entra would refuse.

use super::tests::{assign, entra, start};
use super::*;

#[test]
fn cts_41_a_ten_year_wait_counts_idle_cycles_without_running_them() {
    let (mut w, ids, u) = entra(2, None);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    let before = w.work();
    let cycles = w.configs()[0].job.cycles;
    for _ in 0..50 {
        let t = w.now + Duration::days(3650);
        w.advance_to(t);
    }
    assert!(w.limit().is_none());
    let added = w.configs()[0].job.cycles - cycles;
    // one cycle every 40 minutes for 500 years (36 a day)
    assert!(
        (36 * 3650 * 50 - 2..=36 * 3650 * 50 + 2).contains(&added),
        "{added}"
    );
    assert!(
        w.work().events - before.events <= 50 * 4,
        "a few events per wait: {:?}",
        w.work()
    );
    // and the job still runs a real cycle after a change
    w.apply(
        ids[0],
        Action::UpdateUser {
            user: u[0].into(),
            attrs: vec![(crate::directory::Attr::Department, "Finance".into())],
            user_type: None,
            extra: vec![],
            upn: None,
            manager: None,
        },
    )
    .unwrap();
    let t = w.now + Duration::hours(1);
    w.advance_to(t);
    let ai = w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap();
    assert_eq!(
        w.shown(ids[1], ai).attr(crate::directory::Attr::Department),
        Some("Finance")
    );
}

#[test]
fn sim_3_reaching_a_per_run_cap_stops_the_world_where_it_is() {
    let (mut w, ids, u) = entra(2, None);
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.work.events = limits::EVENTS_PER_RUN_MAX;
    let before = w.now;
    let t = before + Duration::days(1);
    w.advance_to(t);
    let hit = w.limit().expect("the cap was reached").clone();
    assert_eq!(hit.name, "EVENTS_PER_RUN_MAX");
    assert_eq!(w.now, before, "the clock does not pretend the wait happened");
    let err = w
        .apply(ids[0], Action::PauseSync { sync: "c".into() })
        .unwrap_err();
    assert_eq!(err.rule, r::SIM_3);
    assert!(err.message.contains("EVENTS_PER_RUN_MAX"), "{}", err.message);
}

#[test]
fn sim_3_rule_evaluations_are_counted_and_capped() {
    let (mut w, ids, _) = entra(3, None);
    let rule = crate::membership::MembershipRule::parse(r#"user.department -eq "Sales""#).unwrap();
    w.add_dynamic_group(ids[0], "Sales", rule.clone()).unwrap();
    // 3 users, each evaluation 1 unit plus 1 per RULE_CHARS_PER_UNIT characters of the rule
    let per = 1 + r#"user.department -eq "Sales""#.len() / crate::membership::RULE_CHARS_PER_UNIT;
    assert_eq!(rule.cost(), per as u64);
    assert_eq!(w.work().rule_evaluations, 3 * per as u64);
    w.work.rule_evaluations = limits::RULE_EVALUATIONS_PER_RUN_MAX;
    assert!(w.add_dynamic_group(ids[0], "More", rule).is_err());
    assert_eq!(w.limit().unwrap().name, "RULE_EVALUATIONS_PER_RUN_MAX");
}

#[test]
fn sim_4_a_directory_refuses_upns_entra_refuses() {
    let (mut w, ids, _) = entra(1, None);
    let add = |w: &mut World, upn: &str| {
        w.apply(
            ids[0],
            Action::AddUser(Box::new(crate::directory::NewUser {
                upn: upn.into(),
                attrs: vec![],
                user_type: crate::directory::UserType::Member,
                account_enabled: true,
                extra: vec![],
            })),
        )
    };
    for bad in [
        "a\nb@a.com",
        "a\u{0}b@a.com",
        "\u{feff}ab@a.com",
        "zoë@a.com",
        "a b@a.com",
    ] {
        assert!(crate::user::upn_problem(bad).is_some(), "{bad:?}");
    }
    let err = add(&mut w, "x@elsewhere.com").unwrap_err();
    assert_eq!(err.rule, r::SIM_4);
    assert!(add(&mut w, "x@a.com").is_ok());
    assert!(
        add(&mut w, "y@a.onmicrosoft.com").is_ok(),
        "the initial domain is verified"
    );
}
