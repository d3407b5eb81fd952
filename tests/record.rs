//! `mtosim serve --record`: a session written back as steps replays to the same world, its
//! `--out` views byte for byte; and, through the binary, `POST /mtosim/record` writes a file
//! that `mtosim run` plays.

use mtosim_engine::directory::{Attr, NewUser, UserType};
use mtosim_engine::mto::Role;
use mtosim_engine::world::{CreateSync, PartnerPatch, UserRef};
use mtosim_engine::{Action, Duration, TenantIdx, Via, World};
use mtosim_render::views;
use mtosim_scenario::{load, record, runner};

const SCENARIO: &str = r#"
[scenario]
name = "recorded session"
start = "2024-03-01T09:00:00Z"

[[tenant]]
name = "contoso"
[[tenant.user]]
upn = "ada@contoso.onmicrosoft.com"
department = "Sales"
[[tenant.group]]
name = "Sales"
members = ["ada@contoso.onmicrosoft.com"]

[[tenant]]
name = "fabrikam"
[[tenant.admin]]
upn = "helpdesk@fabrikam.onmicrosoft.com"
roles = ["User Administrator"]

[[step]]
do = "create-mto"
tenant = "contoso"
display_name = "Contoso Group"
"#;

fn session(w: &mut World) {
    let (c, f) = (TenantIdx(0), TenantIdx(1));
    let sales = w.tenant(c).dir.group_by_name("Sales").unwrap();
    let ok = |r: Result<Option<mtosim_engine::OpId>, mtosim_engine::Refusal>| {
        r.unwrap_or_else(|e| panic!("{e:?}"));
    };
    ok(w.apply(
        c,
        Action::AddTenant {
            target: f,
            role: Role::Member,
            via: Via::Graph,
        },
    ));
    let t = w.now() + Duration::hours(1);
    w.advance_to(t);
    // the helpdesk cannot join: refused, and recorded with its rule
    let join = Action::Join {
        added_by: c,
        via: Via::Graph,
    };
    assert!(w.apply_as(f, Some(0), join.clone()).is_err());
    ok(w.apply(f, join));
    let _ = w.settle(Duration::days(1));
    ok(w.apply(
        f,
        Action::SetPartner {
            partner: c,
            patch: PartnerPatch {
                sync_inbound: Some(true),
                auto_redeem_inbound: Some(true),
                ..PartnerPatch::default()
            },
        },
    ));
    ok(w.apply(
        c,
        Action::SetPartner {
            partner: f,
            patch: PartnerPatch {
                auto_redeem_outbound: Some(true),
                ..PartnerPatch::default()
            },
        },
    ));
    ok(w.apply(
        c,
        Action::CreateSync(Box::new(CreateSync {
            target: f,
            name: "to fabrikam".into(),
            scope_all: false,
            user_type: UserType::Member,
            apply_always: false,
            delete_action: true,
            delete_threshold: None,
            provision_groups: false,
            cross_cloud: false,
            manual: false,
        })),
    ));
    ok(w.apply(
        c,
        Action::Assign {
            sync: "to fabrikam".into(),
            groups: vec![sales],
            users: vec![],
        },
    ));
    ok(w.apply(
        c,
        Action::StartSync {
            sync: "to fabrikam".into(),
        },
    ));
    let t = w.now() + Duration::mins(50);
    w.advance_to(t);
    ok(w.apply(
        c,
        Action::AddUser(Box::new(NewUser {
            upn: "grace@contoso.onmicrosoft.com".into(),
            attrs: vec![(Attr::DisplayName, "Grace \"G\" Hopper".into())],
            user_type: UserType::Member,
            account_enabled: true,
            extra: Vec::new(),
        })),
    ));
    let grace = w
        .tenant(c)
        .dir
        .user_by_upn("grace@contoso.onmicrosoft.com")
        .unwrap();
    ok(w.apply(
        c,
        Action::AddToGroup {
            group: sales,
            users: vec![UserRef::Idx(grace)],
        },
    ));
    let t = w.now() + Duration::hours(3);
    w.advance_to(t);
}

#[test]
fn a_recorded_session_replays_to_the_same_views() {
    let sc = load::load("session.toml", SCENARIO).expect("the scenario loads");
    let own = sc.steps.len();
    let mut w = runner::run(sc).world;
    w.start_recording();
    session(&mut w);
    assert!(w.recorded().len() > 10, "{:?}", w.recorded());
    let steps = record::steps_toml(&w, w.recorded()).expect("every entry can be written");
    let text = format!("{SCENARIO}\n# recorded\n{steps}");
    let sc = load::load("replay.toml", &text).unwrap_or_else(|d| panic!("{d:?}\n{text}"));
    assert_eq!(sc.steps.len(), own + w.recorded().len());
    let run = runner::run(sc);
    assert!(run.ok(), "{:?}\n{text}", run.failures);
    assert!(text.contains("expect_error = \"MTO-53\""), "{text}");
    assert!(
        w.tenant(TenantIdx(1)).dir.source_tenants().next().is_some(),
        "the session synced users"
    );
    let (a, b) = (views::files(&w), views::files(&run.world));
    assert_eq!(a.len(), b.len());
    for ((pa, ta), (pb, tb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ta == tb, "{} differs after the replay\n{text}", pa.display());
    }
    assert_eq!(w.now(), run.world.now());
}

/// One HTTP/1.1 request to the served Graph: the status and the body.
fn http(url: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = url.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[cfg(unix)]
#[test]
fn serve_record_writes_the_session_on_request_and_at_exit() {
    use std::process::{Command, Stdio};
    let dir = std::env::temp_dir().join(format!("mtosim-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (file, ready, rec) = (
        dir.join("s.toml"),
        dir.join("ready.json"),
        dir.join("session.toml"),
    );
    std::fs::write(&file, SCENARIO).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtosim"))
        .arg("serve")
        .arg(&file)
        .args(["--listen", "127.0.0.1:0", "--ready-file"])
        .arg(&ready)
        .arg("--record")
        .arg(&rec)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = 0;
    while !ready.exists() {
        assert!(waited < 300, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&ready).unwrap()).unwrap();
    let url = r["url"].as_str().unwrap();
    let op = r["operatorToken"].as_str().unwrap();
    let contoso = r["tenants"][0]["token"].as_str().unwrap();
    let (st, body) = http(
        url,
        "PATCH",
        "/v1.0/tenantRelationships/multiTenantOrganization",
        contoso,
        r#"{"description": "recorded"}"#,
    );
    assert!(st < 300, "{st} {body}");
    let (st, body) = http(url, "POST", "/mtosim/clock/advance", op, r#"{"by": "PT2H"}"#);
    assert_eq!(st, 200, "{body}");
    let (st, body) = http(url, "POST", "/mtosim/record", op, "");
    assert_eq!(st, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["steps"], 2, "{body}");
    let text = std::fs::read_to_string(&rec).unwrap();
    assert!(text.starts_with(SCENARIO), "{text}");
    assert!(
        text.contains("do = \"update-mto\"") && text.contains("for = \"2h\""),
        "{text}"
    );
    // a tenant's token may not write the session
    let (st, _) = http(url, "POST", "/mtosim/record", contoso, "");
    assert_eq!(st, 403);
    let (st, _) = http(url, "POST", "/mtosim/settle", op, r#"{"max": "PT1H"}"#);
    assert_eq!(st, 200);
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(&rec).unwrap();
    assert!(
        text.contains("do = \"settle\""),
        "at exit the settle is written too: {text}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_mtosim"))
        .arg("run")
        .arg(&rec)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
