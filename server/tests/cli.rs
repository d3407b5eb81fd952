//! `mtosim serve` as a user runs it: the built binary refuses a non-loopback address without
//! `--allow-remote` (exit 2), refuses a bad `--listen` (exit 2), and on a free loopback port
//! writes the ready file, then answers with the tokens it names.
//!
//! The binary belongs to the root package, so Cargo does not build it for this crate's tests:
//! [`mtosim`] builds it (a no-op when `cargo test --workspace` already has) into the same
//! target directory and profile as this test, or takes `MTOSIM_BIN` when set.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The `mtosim` binary, built once per test run.
fn mtosim() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("MTOSIM_BIN") {
            return PathBuf::from(p);
        }
        // this test runs as <target>/<profile>/deps/cli-<hash>
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
        let profile = profile_dir.file_name().unwrap().to_string_lossy().into_owned();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .current_dir(root())
            .args(["build", "--quiet", "-p", "mtosim", "--bin", "mtosim"])
            .env("CARGO_TARGET_DIR", profile_dir.parent().unwrap());
        match profile.as_str() {
            "debug" => {}
            "release" => {
                build.arg("--release");
            }
            other => {
                build.args(["--profile", other]);
            }
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "cargo build -p mtosim failed");
        profile_dir.join(format!("mtosim{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Runs `mtosim ARGS` to its end: (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(mtosim())
        .current_dir(root())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("mtosim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_non_loopback_address_is_refused_without_allow_remote() {
    let (code, out, err) = run(&[
        "serve",
        "scenarios/seed-walkthrough-ga.toml",
        "--listen",
        "0.0.0.0:0",
    ]);
    assert_eq!(code, 2, "stdout: {out}\nstderr: {err}");
    assert!(
        err.contains("not a loopback address") && err.contains("--allow-remote"),
        "{err}"
    );
    assert!(out.is_empty(), "nothing served: {out}");
}

#[test]
fn a_bad_listen_address_or_file_is_exit_2() {
    let (code, _, err) = run(&[
        "serve",
        "scenarios/seed-walkthrough-ga.toml",
        "--listen",
        "nowhere",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ADDR:PORT"), "{err}");
    let (code, _, err) = run(&["serve", "no-such-scenario.toml", "--listen", "127.0.0.1:0"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_ready_file_appears_once_listening_and_its_tokens_work() {
    let dir = std::env::temp_dir().join(format!("mtosim-serve-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("tutorial.toml");
    // one step, which runs before the server starts
    let steps = "\n[[step]]\ndo = \"create-mto\"\ntenant = \"cairo\"\ndisplay_name = \"Cairo\"\n";
    std::fs::write(&scenario, format!("{}{steps}", common::TUTORIAL)).unwrap();
    let ready = dir.join("ready.json");
    let _ = std::fs::remove_file(&ready);
    let mut child = Command::new(mtosim())
        .current_dir(root())
        .arg("serve")
        .arg(&scenario)
        .args(["--listen", "127.0.0.1:0", "--ready-file"])
        .arg(&ready)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mtosim serve starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        if let Ok(t) = std::fs::read_to_string(&ready) {
            break Some(t);
        }
        if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let result = std::panic::catch_unwind(|| {
        let text = text.expect("the ready file is written");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let url = v["url"].as_str().unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "{v}");
        let names: Vec<&str> = v["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["cairo", "berlin", "athens", "denver"]);
        for t in v["tenants"].as_array().unwrap() {
            for k in ["tenantId", "domain", "token"] {
                assert!(t[k].is_string(), "{k}: {t}");
            }
        }
        // the scenario's start (its step takes no time)
        let clock = common::get(url, "/mtosim/clock", v["operatorToken"].as_str().unwrap());
        assert_eq!(clock.status, 200, "{}", clock.body);
        assert_eq!(clock.json()["now"], "2024-06-03T09:00:00Z");
        let cairo = v["tenants"][0]["token"].as_str().unwrap();
        let r = common::get(url, "/v1.0/tenantRelationships/multiTenantOrganization", cairo);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["displayName"], "Cairo", "the step ran: {}", r.body);
    });
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!(
            "stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        std::panic::resume_unwind(e);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("operator token: "), "{stdout}");
    assert!(stdout.contains("cairo") && stdout.contains("denver"), "{stdout}");
}

/// Starts `mtosim serve FILE --state STATE` on a free port; returns the child and the ready
/// file's JSON.
fn serve_with_state(scenario: &Path, state: &Path, ready: &Path) -> (std::process::Child, serde_json::Value) {
    let _ = std::fs::remove_file(ready);
    let mut child = Command::new(mtosim())
        .current_dir(root())
        .arg("serve")
        .arg(scenario)
        .args(["--listen", "127.0.0.1:0", "--state"])
        .arg(state)
        .arg("--ready-file")
        .arg(ready)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mtosim serve starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(t) = std::fs::read_to_string(ready) {
            return (child, serde_json::from_str(&t).unwrap());
        }
        if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("no ready file: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn kill_9_loses_no_acknowledged_write() {
    let dir = std::env::temp_dir().join(format!("mtosim-serve-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("tutorial.toml");
    std::fs::write(&scenario, common::TUTORIAL).unwrap();
    let (state, ready) = (dir.join("state"), dir.join("ready.json"));
    let (mut child, v) = serve_with_state(&scenario, &state, &ready);
    let url = v["url"].as_str().unwrap().to_string();
    let cairo = v["tenants"][0]["token"].as_str().unwrap().to_string();
    let r = common::with_json(
        &url,
        "PUT",
        "/v1.0/tenantRelationships/multiTenantOrganization",
        &cairo,
        &serde_json::json!({"displayName": "Survives"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    let _ = child.wait();
    let (mut child, v) = serve_with_state(&scenario, &state, &ready);
    let url = v["url"].as_str().unwrap().to_string();
    let cairo = v["tenants"][0]["token"].as_str().unwrap().to_string();
    let r = common::get(&url, "/v1.0/tenantRelationships/multiTenantOrganization", &cairo);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(r.json()["displayName"], "Survives", "{}", r.body);
}
