//! What a synced account shows over time (CTS-29, CTS-34, CTS-41, CTS-48, CTS-50, CTS-62):
//! the values its mapping wrote at the last cycle that processed it, never a live view of the
//! source. Tests named after the rules they pin.

use super::tests::{assign, entra, start};
use super::*;
use crate::directory::Attr;
use crate::sync::{ProvAction, ProvStatus};

fn set_department(w: &mut World, t: TenantIdx, u: UserIdx, value: &str) {
    w.apply(
        t,
        Action::UpdateUser {
            user: u.into(),
            attrs: vec![(Attr::Department, value.into())],
            user_type: None,
            extra: vec![],
            upn: None,
            manager: None,
        },
    )
    .unwrap();
}

fn rename(w: &mut World, t: TenantIdx, u: UserIdx, upn: &str) {
    w.apply(
        t,
        Action::UpdateUser {
            user: u.into(),
            attrs: vec![],
            user_type: None,
            extra: vec![],
            upn: Some(upn.into()),
            manager: None,
        },
    )
    .unwrap();
}

/// The department account of `u` (synced from `from` into `to`) shows.
fn shown_department(w: &World, to: TenantIdx, from: TenantIdx, u: UserIdx) -> Option<String> {
    let ai = w.tenant(to).dir.account_of(from, u).expect("an account");
    w.shown(to, ai).attr(Attr::Department).map(str::to_string)
}

/// A synced world: `n` users of tenant a, all assigned, after the initial cycle.
fn synced(n: usize) -> (World, Vec<TenantIdx>, Vec<UserIdx>) {
    let (mut w, ids, u) = entra(n, None);
    w.log_provisioning = true;
    for &x in &u {
        set_department(&mut w, ids[0], x, "Sales");
    }
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.synced_from(ids[1], ids[0]), n as u64);
    (w, ids, u)
}

#[test]
fn cts_41_a_source_change_shows_in_the_target_only_after_the_next_cycle() {
    let (mut w, ids, u) = synced(1);
    set_department(&mut w, ids[0], u[0], "Finance");
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Sales"),
        "an account is an object of its own: nothing changes before a cycle"
    );
    let later = w.now + Duration::mins(41);
    w.advance_to(later);
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Finance")
    );
}

#[test]
fn cts_56_a_paused_job_writes_nothing_until_it_runs_again() {
    let (mut w, ids, u) = synced(1);
    w.apply(ids[0], Action::PauseSync { sync: "c".into() }).unwrap();
    set_department(&mut w, ids[0], u[0], "Finance");
    w.settle(Duration::days(2)).unwrap();
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Sales")
    );
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Finance")
    );
}

#[test]
fn cts_50_after_the_configuration_is_deleted_accounts_keep_the_values_last_written() {
    let (mut w, ids, u) = synced(1);
    w.apply(ids[0], Action::DeleteSync { sync: "c".into() }).unwrap();
    set_department(&mut w, ids[0], u[0], "Finance");
    w.settle(Duration::days(2)).unwrap();
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Sales")
    );
}

#[test]
fn cts_34_a_null_source_value_leaves_the_target_value() {
    let (mut w, ids, u) = synced(1);
    set_department(&mut w, ids[0], u[0], "");
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Sales")
    );
    set_department(&mut w, ids[0], u[0], "Legal");
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Legal")
    );
}

#[test]
fn cts_30_a_rename_in_the_source_renames_the_account_at_the_next_cycle() {
    let (mut w, ids, u) = synced(1);
    let ai = w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap();
    let before = w.external_upn(ids[1], ai);
    assert_eq!(before, "user0_a.com#EXT#@b.onmicrosoft.com");
    rename(&mut w, ids[0], u[0], "ada@a.com");
    assert_eq!(w.external_upn(ids[1], ai), before, "not before a cycle");
    assert_eq!(w.external_by_upn(ids[1], &before), Some(ai));
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(w.external_upn(ids[1], ai), "ada_a.com#EXT#@b.onmicrosoft.com");
    assert_eq!(
        w.external_by_upn(ids[1], "ada_a.com#EXT#@b.onmicrosoft.com"),
        Some(ai)
    );
}

#[test]
fn cts_62_records_keep_the_names_and_values_of_their_time() {
    let (mut w, ids, u) = synced(1);
    rename(&mut w, ids[0], u[0], "ada@a.com");
    set_department(&mut w, ids[0], u[0], "Finance");
    w.settle(Duration::days(1)).unwrap();
    let log: Vec<_> = w.provisioning_log().collect();
    let create = log
        .iter()
        .find(|r| r.action == ProvAction::Create && r.status == ProvStatus::Success)
        .unwrap();
    let update = log.iter().find(|r| r.action == ProvAction::Update).unwrap();
    let upn = |r: &crate::provlog::ProvRecordRef| r.target.unwrap().1.to_string();
    assert_eq!(upn(create), "user0_a.com#EXT#@b.onmicrosoft.com");
    assert_eq!(upn(update), "ada_a.com#EXT#@b.onmicrosoft.com");
    assert_eq!(
        w.tenant(ids[0]).dir.values_at(create.user, create.version).upn,
        "user0@a.com"
    );
    let value = |r: &crate::provlog::ProvRecordRef, name: &str| {
        r.modified
            .iter()
            .find(|m| m.name == name)
            .map(|m| (m.old.map(str::to_string), m.new.map(str::to_string)))
    };
    assert_eq!(value(create, "department"), Some((None, Some("Sales".into()))));
    assert_eq!(
        value(update, "department"),
        Some((Some("Sales".into()), Some("Finance".into())))
    );
    assert_eq!(
        value(update, "userPrincipalName"),
        Some((
            Some("user0_a.com#EXT#@b.onmicrosoft.com".into()),
            Some("ada_a.com#EXT#@b.onmicrosoft.com".into())
        ))
    );
    assert_eq!(value(update, "givenName"), None, "only what changed");
}

fn set_mapping(w: &mut World, t: TenantIdx, m: crate::schema::AttributeMapping) -> Result<(), Refusal> {
    w.apply(
        t,
        Action::EditMapping {
            sync: "c".into(),
            target: m.target.clone(),
            mapping: Some(m),
        },
    )
    .map(|_| ())
}

fn mapping(target: &str, source: crate::schema::MappingSource) -> crate::schema::AttributeMapping {
    crate::schema::AttributeMapping {
        target: crate::schema::SchemaAttr::parse(target).unwrap(),
        source,
        default_value: None,
        flow: crate::schema::FlowType::Always,
        matching_priority: 0,
    }
}

fn expression(text: &str) -> crate::schema::MappingSource {
    crate::schema::MappingSource::Expression(std::sync::Arc::new(crate::expr::Expr::parse(text).unwrap()))
}

fn shown(w: &World, to: TenantIdx, from: TenantIdx, u: UserIdx, a: Attr) -> Option<String> {
    let ai = w.tenant(to).dir.account_of(from, u).expect("an account");
    w.shown(to, ai).attr(a).map(str::to_string)
}

#[test]
fn cts_26_the_matching_attribute_cannot_change_schema_invalid() {
    let (mut w, ids, _) = synced(1);
    let m = mapping(
        "alternativeSecurityIds",
        crate::schema::MappingSource::Attribute(crate::schema::SchemaAttr::Attr(Attr::Mail)),
    );
    let err = set_mapping(&mut w, ids[0], m).unwrap_err();
    assert_eq!(
        (err.rule, err.code),
        (crate::rules::CTS_26, Some("schemaInvalid"))
    );
    let mut m = mapping(
        "mail",
        crate::schema::MappingSource::Attribute(crate::schema::SchemaAttr::Attr(Attr::Mail)),
    );
    m.matching_priority = 2;
    assert_eq!(
        set_mapping(&mut w, ids[0], m).unwrap_err().code,
        Some("schemaInvalid")
    );
}

#[test]
fn cts_19_cts_29_a_new_mapping_applies_from_the_next_cycle_to_every_account() {
    let (mut w, ids, u) = synced(2);
    set_mapping(
        &mut w,
        ids[0],
        mapping(
            "companyName",
            expression(r#"Join(" - ", "Contoso", [department])"#),
        ),
    )
    .unwrap();
    set_mapping(
        &mut w,
        ids[0],
        mapping(
            "department",
            crate::schema::MappingSource::Constant("Shared".into()),
        ),
    )
    .unwrap();
    assert_eq!(
        shown(&w, ids[1], ids[0], u[0], Attr::CompanyName),
        None,
        "nothing before a cycle"
    );
    assert_eq!(
        shown(&w, ids[1], ids[0], u[0], Attr::Department).as_deref(),
        Some("Sales"),
        "kept until written"
    );
    w.settle(Duration::days(1)).unwrap();
    for &x in &u {
        // the edit restarted evaluation (CTS-19): unchanged users were written too
        assert_eq!(
            shown(&w, ids[1], ids[0], x, Attr::CompanyName).as_deref(),
            Some("Contoso - Sales")
        );
        assert_eq!(
            shown(&w, ids[1], ids[0], x, Attr::Department).as_deref(),
            Some("Shared")
        );
    }
}

#[test]
fn cts_29_apply_on_create_writes_once_and_default_if_null_only_at_creation() {
    let (mut w, ids, u) = entra(2, None);
    let mut once = mapping(
        "jobTitle",
        crate::schema::MappingSource::Attribute(crate::schema::SchemaAttr::Attr(Attr::JobTitle)),
    );
    once.flow = crate::schema::FlowType::ObjectAddOnly;
    w.apply(
        ids[0],
        Action::EditMapping {
            sync: "c".into(),
            target: once.target.clone(),
            mapping: Some(once),
        },
    )
    .unwrap();
    let mut dflt = mapping(
        "city",
        crate::schema::MappingSource::Attribute(crate::schema::SchemaAttr::Attr(Attr::City)),
    );
    dflt.default_value = Some("Unknown".into());
    w.apply(
        ids[0],
        Action::EditMapping {
            sync: "c".into(),
            target: dflt.target.clone(),
            mapping: Some(dflt),
        },
    )
    .unwrap();
    let set = |w: &mut World, u: UserIdx, a: Attr, v: &str| {
        w.apply(
            ids[0],
            Action::UpdateUser {
                user: u.into(),
                attrs: vec![(a, v.into())],
                user_type: None,
                extra: vec![],
                upn: None,
                manager: None,
            },
        )
        .unwrap();
    };
    set(&mut w, u[0], Attr::JobTitle, "Intern");
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown(&w, ids[1], ids[0], u[0], Attr::JobTitle).as_deref(),
        Some("Intern")
    );
    assert_eq!(
        shown(&w, ids[1], ids[0], u[0], Attr::City).as_deref(),
        Some("Unknown"),
        "null at creation"
    );
    set(&mut w, u[0], Attr::JobTitle, "Engineer");
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown(&w, ids[1], ids[0], u[0], Attr::JobTitle).as_deref(),
        Some("Intern"),
        "only during creation"
    );
    set(&mut w, u[0], Attr::City, "Oslo");
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown(&w, ids[1], ids[0], u[0], Attr::City).as_deref(),
        Some("Oslo")
    );
}

#[test]
fn cts_29_deleting_a_mapping_keeps_the_value_it_wrote() {
    let (mut w, ids, u) = synced(1);
    w.apply(
        ids[0],
        Action::EditMapping {
            sync: "c".into(),
            target: crate::schema::SchemaAttr::Attr(Attr::Department),
            mapping: None,
        },
    )
    .unwrap();
    set_department(&mut w, ids[0], u[0], "Finance");
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Sales")
    );
}

#[test]
fn cts_29_a_failing_expression_fails_the_export_and_escrows_the_user() {
    let (mut w, ids, u) = entra(2, None);
    w.log_provisioning = true;
    // a hire date that does not match the input format fails FormatDateTime
    set_mapping(
        &mut w,
        ids[0],
        mapping(
            "jobTitle",
            expression(r#"FormatDateTime([department], , "yyyyMMdd", "yyyy")"#),
        ),
    )
    .unwrap();
    set_department(&mut w, ids[0], u[0], "soon");
    set_department(&mut w, ids[0], u[1], "20240601");
    assign(&mut w, ids[0], &u);
    start(&mut w, ids[0]);
    w.settle(Duration::hours(1)).unwrap();
    assert!(
        w.tenant(ids[1]).dir.account_of(ids[0], u[0]).is_none(),
        "the export failed"
    );
    assert_eq!(
        shown(&w, ids[1], ids[0], u[1], Attr::JobTitle).as_deref(),
        Some("2024")
    );
    let failed = w
        .provisioning_log()
        .find(|r| r.user == u[0] && r.status == ProvStatus::Failure)
        .expect("a failure record");
    assert_eq!(failed.reason, "ExpressionEvaluationFailure");
    assert!(job_escrows(&w).contains(&u[0]), "retried later (CTS-55)");
}

fn job_escrows(w: &World) -> Vec<UserIdx> {
    w.configs()
        .iter()
        .find(|c| c.name == "c")
        .unwrap()
        .job
        .escrows
        .clone()
}

#[test]
fn cts_36_a_directory_extension_is_written_and_shown() {
    let (mut w, ids, u) = synced(1);
    let ext = "extension_c272a57b722d4eb29bfe327874ae79cb_CostCenter";
    set_mapping(
        &mut w,
        ids[0],
        mapping(ext, expression(r#"Append("CC-", [department])"#)),
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    let ai = w.tenant(ids[1]).dir.account_of(ids[0], u[0]).unwrap();
    let values = w.shown(ids[1], ai).extra_values().to_vec();
    assert_eq!(values.len(), 1);
    assert_eq!((values[0].0.name(), &*values[0].1), (ext.to_string(), "CC-Sales"));
}

#[test]
fn cts_29_an_empty_result_clears_the_attribute_and_null_keeps_it() {
    let (mut w, ids, u) = synced(1);
    // IIF on a null department is null (keeps); on Sales it gives "" (clears)
    set_mapping(
        &mut w,
        ids[0],
        mapping(
            "department",
            expression(r#"IIF([department]="Sales", "", [department])"#),
        ),
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]),
        None,
        "an empty string flows and clears"
    );
    set_department(&mut w, ids[0], u[0], "Legal");
    w.settle(Duration::days(1)).unwrap();
    assert_eq!(
        shown_department(&w, ids[1], ids[0], u[0]).as_deref(),
        Some("Legal")
    );
}

#[test]
fn cts_62_redacted_values_show_as_redact_in_the_log() {
    let (mut w, ids, _) = synced(1);
    set_mapping(
        &mut w,
        ids[0],
        mapping("employeeId", expression(r#"Redact("secret-value")"#)),
    )
    .unwrap();
    w.settle(Duration::days(1)).unwrap();
    let m = w
        .provisioning_log()
        .flat_map(|r| r.modified)
        .find(|m| m.name == "employeeId")
        .expect("the write is logged");
    assert_eq!(m.new, Some("[Redact]"));
    let ai = w.tenant(ids[1]).dir.account_of(ids[0], UserIdx(0)).unwrap();
    assert_eq!(
        w.shown(ids[1], ai).attr(Attr::EmployeeId),
        Some("secret-value"),
        "the account holds the value"
    );
}

#[test]
fn cts_29_deleting_a_mapping_that_does_not_exist_is_refused() {
    let (mut w, ids, _) = synced(1);
    let err = w
        .apply(
            ids[0],
            Action::EditMapping {
                sync: "c".into(),
                target: crate::schema::SchemaAttr::Attr(Attr::CompanyName),
                mapping: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.rule, crate::rules::CTS_29);
}
