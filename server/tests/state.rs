//! `--state DIR` (in-process): accepted writes are journaled before they are answered, and a
//! server started again with the same scenario and directory replays them to the same world,
//! clock included; a journal of another scenario is refused. `--speed` moves the clock.

mod common;

use common::{get, tenant as token, with_json, TUTORIAL};
use mtosim_server::{Config, Running};
use serde_json::json;
use std::path::{Path, PathBuf};

const MTO: &str = "/v1.0/tenantRelationships/multiTenantOrganization";

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mtosim-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn serve(state: &Path, scenario_name: &str, speed: u32) -> std::io::Result<Running> {
    let config = Config {
        state: Some((state.to_path_buf(), scenario_name.to_string())),
        speed,
        ..Config::default()
    };
    common::start(common::world("tutorial.toml", TUTORIAL), config)
}

#[test]
fn a_restart_with_the_same_state_resumes_every_acknowledged_write() {
    let d = dir("resume");
    let s = serve(&d, "tutorial", 0).unwrap();
    let (_, cairo) = token(&s, "cairo");
    let (berlin_id, berlin) = token(&s, "berlin");
    let r = with_json(s.url(), "PUT", MTO, &cairo, &json!({"displayName": "Cairo"}));
    assert_eq!(r.status, 201, "{}", r.body);
    let r = with_json(
        s.url(),
        "POST",
        &format!("{MTO}/tenants"),
        &cairo,
        &json!({"tenantId": berlin_id, "role": "member"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let cairo_id = token(&s, "cairo").0;
    let r = with_json(
        s.url(),
        "PATCH",
        &format!("{MTO}/joinRequest"),
        &berlin,
        &json!({"addedByTenantId": cairo_id}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = with_json(
        s.url(),
        "POST",
        "/mtosim/clock/advance",
        s.operator_token(),
        &json!({"by": "PT2H"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let now = r.json()["now"].clone();
    // a refused write is not journaled
    let r = with_json(s.url(), "PUT", MTO, &berlin, &json!({"displayName": "Berlin"}));
    assert!(r.status >= 400, "{}", r.body);
    s.stop().unwrap();
    let lines = std::fs::read_to_string(d.join("journal.jsonl")).unwrap();
    assert_eq!(
        lines.lines().count(),
        1 + 4,
        "a header and four accepted writes:\n{lines}"
    );

    // new tokens, same world
    let s = serve(&d, "tutorial", 0).unwrap();
    let (_, berlin) = token(&s, "berlin");
    let clock = get(s.url(), "/mtosim/clock", s.operator_token()).json();
    assert_eq!(clock["now"], now);
    let list = get(s.url(), &format!("{MTO}/tenants"), &berlin).json();
    let states: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["active", "active"], "{list}");
    s.stop().unwrap();

    // another scenario's journal is refused
    let e = serve(&d, "another scenario", 0).err().unwrap();
    assert!(e.to_string().contains("another starting world"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn speed_moves_the_simulated_clock_between_requests() {
    let d = dir("speed");
    let s = serve(&d, "tutorial", 3600).unwrap();
    let t0 = get(s.url(), "/mtosim/clock", s.operator_token()).json()["now"]
        .as_str()
        .unwrap()
        .to_string();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let t1 = get(s.url(), "/mtosim/clock", s.operator_token()).json()["now"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(t1 > t0, "the clock moved: {t0} -> {t1}");
    s.stop().unwrap();
    let _ = std::fs::remove_dir_all(&d);
}
