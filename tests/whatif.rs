//! What-if counting agrees with simulation: for every scenario, at many points of its
//! timeline, the forecast made from that state equals what a simulation settled from the same
//! state provisions, pair by pair.

use crate::scenarios::scenario_files;
use mtosim_engine::whatif;
use mtosim_engine::{Duration, TenantIdx};
use mtosim_scenario::{load as scenario, runner};

#[test]
fn forecasts_match_settled_simulations_at_every_step() {
    let mut compared = 0;
    for f in scenario_files() {
        let name = f.display().to_string();
        let (sc, _) = scenario::load_path(&name, false).unwrap_or_else(|d| panic!("{}", d[0]));
        let steps = sc.steps.len();
        let big = sc.world.tenants().iter().any(|t| t.dir.users().len() > 1_000);
        let stride = if big { 4 } else { 1 };
        for k in (0..=steps).step_by(stride) {
            let (sc, _) = scenario::load_path(&name, false).unwrap();
            let mut world = runner::run_steps(sc, k).world;
            let forecast = whatif::forecast(&world);
            if world.settle(Duration::days(60)).is_err() {
                continue; // nothing converges to compare with (a job retrying forever)
            }
            for s in 0..world.tenants().len() {
                for t in 0..world.tenants().len() {
                    if s == t {
                        continue;
                    }
                    let sim = world.synced_from(TenantIdx(t as u16), TenantIdx(s as u16));
                    assert_eq!(
                        forecast.after(s, t),
                        sim,
                        "{name} after step {k}: {} -> {}: forecast {:?}",
                        world.name(TenantIdx(s as u16)),
                        world.name(TenantIdx(t as u16)),
                        forecast.pairs.iter().find(|p| p.source == s && p.target == t)
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 500, "compared {compared} pairs");
}

/// What the forecast says failures do to each job (CTS-52..CTS-54) is what a run does: at every
/// step of every scenario, each job the forecast pauses has its escrows pruned and is paused two
/// days later, each it quarantines is in quarantine, and every job a run pauses over its
/// escrows or quarantines over an escrow threshold in those two days was forecast to.
#[test]
fn forecast_pauses_and_quarantines_are_what_a_run_does() {
    use mtosim_engine::sync::{JobStatus, QuarantineReason};
    use mtosim_engine::whatif::EscrowOutcome;
    let escrow_reason = |r: QuarantineReason| {
        !matches!(
            r,
            QuarantineReason::TooManyDeletes | QuarantineReason::EncounteredQuarantineException
        )
    };
    let (mut paused, mut quarantined) = (0, 0);
    for f in scenario_files() {
        let name = f.display().to_string();
        let (sc, _) = scenario::load_path(&name, false).unwrap_or_else(|d| panic!("{}", d[0]));
        // every step: the stops happen at one step each (cts-quarantine.toml's 6 and 17)
        for k in 0..=sc.steps.len() {
            let (sc, _) = scenario::load_path(&name, false).unwrap();
            let mut world = runner::run_steps(sc, k).world;
            let forecast = whatif::forecast(&world);
            if forecast.totals().failed == 0 {
                continue; // no failure forecast: the other property test checks that none occurs
            }
            let before: Vec<(bool, bool)> = world
                .configs()
                .iter()
                .map(|c| (c.job.escrows_pruned, c.job.quarantine.is_some()))
                .collect();
            let _ = world.settle(Duration::days(2));
            for (ci, cfg) in world.configs().iter().enumerate() {
                let (s, t) = (cfg.source.ix(), cfg.target.ix());
                let outcome = forecast
                    .pairs
                    .iter()
                    .filter(|p| p.source == s && p.target == t)
                    .flat_map(|p| p.escrows.iter())
                    .find(|e| e.config == cfg.name)
                    .map(|e| e.outcome);
                // (configurations the settle creates, such as an MTO's, were not there before)
                let (pruned, in_quarantine) = before.get(ci).copied().unwrap_or_default();
                let ran_paused = !pruned && cfg.job.escrows_pruned;
                let ran_quarantined =
                    !in_quarantine && cfg.job.quarantine.is_some_and(|q| escrow_reason(q.reason));
                let at = format!("{name} after step {k}: {}: forecast {outcome:?}", cfg.name);
                match outcome {
                    Some(EscrowOutcome::Paused(_)) => {
                        assert!(ran_paused && cfg.job.status == JobStatus::Paused, "{at}");
                        paused += 1;
                    }
                    Some(EscrowOutcome::Quarantined { .. }) => {
                        assert!(cfg.job.quarantine.is_some(), "{at}");
                        quarantined += 1;
                    }
                    _ => assert!(!ran_paused && !ran_quarantined, "{at}: the run stopped it"),
                }
            }
        }
    }
    assert!(
        paused > 0 && quarantined > 0,
        "paused {paused}, quarantined {quarantined}"
    );
}

/// `mtosim whatif` with its arguments: exit code, standard output.
fn whatif_cli(args: &[&str]) -> (i32, String) {
    let mut all = vec!["whatif"];
    all.extend_from_slice(args);
    let (code, out, err) = crate::cli::mtosim(&all);
    assert!(code != 0 || err.is_empty(), "{args:?}: {err}");
    (code, out)
}

const MESH_100_FULL: [&str; 8] = [
    "--tenants",
    "100",
    "--users",
    "300000",
    "--share",
    "0.01",
    "--topology",
    "mesh",
];

#[test]
fn a_100_tenant_mesh_is_summarised_in_one_screen_with_the_failure_first() {
    let (code, out) = whatif_cli(&MESH_100_FULL);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    // 19,909 lines before TABLE_PAIRS_MAX, 511 with it; a screen is about 24
    assert!(lines.len() <= 24, "{} lines:\n{out}", lines.len());
    // the thing that matters first: what would arrive, what can be created, what fails and why
    assert_eq!(
        lines[2],
        "Every creation fails: 29,700,000 accounts would arrive, 0 can be created, 29,700,000 fail."
    );
    assert!(
        lines[3].contains("29,700,000 fail with AzureActiveDirectoryQuotaLimitExceeded: quota full (CTS-61)")
    );
    assert!(
        lines[4].contains("100 tenants (tenant001 to tenant100) are full before any account arrives: 300,000 objects each of a 300,000 quota"),
        "{out}"
    );
    // per tenant, identical rows grouped
    assert!(out.contains(
        "  100 tenants (tenant001 to tenant100): 297,000 accounts would arrive, all fail: quota full (CTS-61); objects 300,000 now and after, quota 300,000; 3,000 P1 needed\n"
    ), "{out}");
    assert_eq!(out.matches("tenant050").count(), 0, "no row per tenant:\n{out}");
    // the distinct findings, with their counts
    assert!(out.contains("Findings (9,900, 1 distinct):\n  [CTS-61] 9,900 pairs: 3,000 accounts each would fail with AzureActiveDirectoryQuotaLimitExceeded"), "{out}");
    // 3,000 failures a job stay under the escrow thresholds: retried, not paused
    assert!(
        out.contains("9,900 jobs (CTS-52): 3,000 creations fail each, fewer than the 5,000 failures"),
        "{out}"
    );
    assert!(!out.contains("paused"), "{out}");
}

#[test]
fn time_and_member_lines_speak_only_of_accounts_that_will_exist() {
    let (_, none) = whatif_cli(&MESH_100_FULL);
    assert!(
        !none.contains("exists within") && !none.contains("is a Member"),
        "{none}"
    );
    let (_, all) = whatif_cli(&["--tenants", "3", "--users", "100", "--share", "0.5"]);
    assert!(all.contains("\nEvery account exists within "), "{all}");
    assert!(all.contains("every synced account is a Member"), "{all}");
    // 10 tenants of 290,000 users: 10,000 objects of room each, 9 x 29,000 would arrive
    let (_, some) = whatif_cli(&["--tenants", "10", "--users", "290000", "--share", "0.1"]);
    assert!(
        some.contains(
            "Some creations fail: 2,610,000 accounts would arrive, 100,000 can be created, 2,510,000 fail."
        ),
        "{some}"
    );
    assert!(
        some.contains("\nEvery account that can be created exists within "),
        "{some}"
    );
    assert!(some.contains("every synced account is a Member"), "{some}");
}

#[test]
fn failures_that_pause_the_jobs_are_said_as_run_narrates_them() {
    // 3 full tenants sharing 30,000 each: every initial cycle fails 30,000 of 30,000 objects
    let (_, out) = whatif_cli(&["--tenants", "3", "--users", "300000", "--share", "0.1"]);
    let head: String = out.lines().take(6).collect::<Vec<_>>().join("\n");
    assert!(
        head.contains("6 jobs (CTS-54): the initial cycle would have 30,000 failures of 30,000 objects each, over the escrow threshold (EncounteredEscrowProportionThreshold): escrows pruned and the job paused for the admin"),
        "{out}"
    );
    let (_, out) = whatif_cli(&["scenarios/cts-quarantine.toml", "--at", "6"]);
    assert!(
        out.contains("1 job (CTS-52): the next cycle would have 5,501 failures of 6,000 objects, over the escrow threshold: quarantine (EncounteredEscrowProportionThreshold), retried 6h, 12h and 1d after the first failure"),
        "{out}"
    );
    let (_, json) = whatif_cli(&["--tenants", "3", "--users", "300000", "--share", "0.1", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["pairs"][0]["escrows"][0]["outcome"], "paused");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["rule"] == "CTS-54"));
}

#[test]
fn p1_licences_count_the_shared_users_also_when_their_creations_fail() {
    let (_, out) = whatif_cli(&MESH_100_FULL);
    assert!(out.contains(
        "P1 licences (MTO-52): the shared users need 300,000 in their home tenants, 3,000 in each of 100 tenants, also those whose accounts cannot be created."
    ), "{out}");
    let (_, json) = whatif_cli(&[&MESH_100_FULL[..], &["--json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["p1Needed"] == 3000 && t["accountsIn"] == 0));
    // from a scenario: the 5,501 whose creation fails need one too
    let (_, out) = whatif_cli(&["scenarios/cts-quarantine.toml", "--at", "6"]);
    assert!(
        out.contains(
            "contoso: no account would arrive; objects 6,003 now and after, quota 300,000; 6,001 P1 needed"
        ),
        "{out}"
    );
}

#[test]
fn pairs_adds_the_capped_table_and_csv_and_json_keep_every_pair() {
    let (code, out) = whatif_cli(&[&MESH_100_FULL[..], &["--pairs"]].concat());
    assert_eq!(code, 0);
    let (_, summary) = whatif_cli(&MESH_100_FULL);
    assert!(out.starts_with(&summary), "--pairs adds to the summary");
    let rows = out
        .lines()
        .filter(|l| l.starts_with("tenant0") || l.starts_with("tenant1"))
        .count();
    assert_eq!(rows, mtosim_render::whatif::TABLE_PAIRS_MAX);
    assert!(out.contains("... and 9700 more pairs (TABLE_PAIRS_MAX); --csv or --json lists every pair"));
    let (_, csv) = whatif_cli(&[&MESH_100_FULL[..], &["--csv"]].concat());
    assert_eq!(csv.lines().count(), 1 + 9_900, "a header and every pair");
    let (_, json) = whatif_cli(&[&MESH_100_FULL[..], &["--json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["pairs"].as_array().unwrap().len(), 9_900);
    assert_eq!(v["findings"].as_array().unwrap().len(), 9_900);
    for clash in ["--json", "--csv"] {
        let (code, _) = whatif_cli(&["--tenants", "3", "--pairs", clash]);
        assert_eq!(code, 2, "--pairs with {clash}");
    }
}

#[test]
fn no_mto_drops_the_mto_caps_and_keeps_the_sync_rules() {
    let args = ["--tenants", "101", "--users", "3000", "--share", "1"];
    let (_, mto) = whatif_cli(&args);
    assert!(
        mto.contains("[MTO-46] an MTO with 101 active tenants exceeds the cap of 100"),
        "{mto}"
    );
    let (code, sync_only) = whatif_cli(&[&args[..], &["--no-mto"]].concat());
    assert_eq!(code, 0);
    assert!(
        !sync_only.contains("MTO-46") && !sync_only.contains("an MTO of"),
        "{sync_only}"
    );
    assert!(
        sync_only.contains("cross-tenant sync without an MTO"),
        "{sync_only}"
    );
    // the quota still holds: 3,000 own users + 100 x 3,000 synced accounts are 3,000 too many
    assert!(
        sync_only.contains("AzureActiveDirectoryQuotaLimitExceeded"),
        "{sync_only}"
    );
    assert!(
        sync_only.contains("People search: every synced account is a Member"),
        "{sync_only}"
    );
    // the preview's join cap on users is an MTO cap; its per-pair sync cap is not
    let preview = [
        "--tenants",
        "6",
        "--users",
        "150000",
        "--rules",
        "preview-2023",
        "--no-mto",
    ];
    let (_, out) = whatif_cli(&preview);
    assert!(!out.contains("[MTO-45]") && out.contains("[SEED-2]"), "{out}");
    let (code, _) = whatif_cli(&["scenarios/cts-full-mesh.toml", "--no-mto"]);
    assert_eq!(code, 2, "--no-mto is for the quick form");
    let (_, help) = whatif_cli(&["--help"]);
    assert!(
        help.contains("--no-mto") && help.contains("without a multitenant organization"),
        "{help}"
    );
    assert!(
        help.contains("[default: 1]"),
        "the --share default is shown: {help}"
    );
    let cap = mtosim_render::whatif::TABLE_PAIRS_MAX;
    assert!(
        help.contains(&format!("(at most {cap}, TABLE_PAIRS_MAX)")),
        "{help}"
    );
}

#[test]
fn the_summary_is_deterministic() {
    for args in [
        &MESH_100_FULL[..],
        &["scenarios/cts-full-mesh.toml", "--at", "12"],
    ] {
        assert_eq!(whatif_cli(args), whatif_cli(args), "{args:?}");
    }
}

/// `mtosim ARGS` with at most `kib` KiB of address space (`ulimit -v`): exit code, standard
/// output and standard error, standard output to `stdout` if given.
#[cfg(target_os = "linux")]
fn mtosim_within(kib: u64, args: &[&str], stdout: Option<std::fs::File>) -> (i32, String, String) {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_mtosim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if let Some(f) = stdout {
        cmd.stdout(f);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A 300-tenant mesh lists 89,700 pairs (20 MB of JSON; built in memory it took 590 MB) within
/// 200 MB of address space, and a 1,000-tenant mesh's 999,000 (430 MB) stop at the first write
/// error instead of after all of them.
#[cfg(target_os = "linux")]
#[test]
fn json_and_csv_are_written_pair_by_pair_in_memory_that_does_not_grow_with_them() {
    const KIB: u64 = 200_000;
    let mesh = |n: &'static str, how: &'static str| ["whatif", "--tenants", n, "--topology", "mesh", how];
    let (code, json, err) = mtosim_within(KIB, &mesh("300", "--json"), None);
    assert_eq!(code, 0, "{err}");
    assert!(
        json.len() > 20_000_000 && json.ends_with("}\n"),
        "{} bytes",
        json.len()
    );
    assert_eq!(json.matches("{\"source\":").count(), 300 * 299);
    assert_eq!(json.lines().count(), 1);
    let (code, csv, err) = mtosim_within(KIB, &mesh("300", "--csv"), None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(csv.lines().count(), 1 + 300 * 299);
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        for how in ["--json", "--csv"] {
            let (code, _, err) = mtosim_within(KIB, &mesh("1000", how), Some(full.try_clone().unwrap()));
            assert_eq!(code, 2, "{how}: {err}");
            assert!(err.contains("cannot write the output"), "{how}: {err}");
        }
    }
}

#[test]
fn quick_json_and_csv_are_the_listings_of_the_whole_forecast() {
    use mtosim_engine::whatif::{quick_with, Org, QuickParams, Topology};
    use mtosim_engine::{RuleSet, RuleSetKind};
    for (args, topology, org) in [
        (
            ["--tenants", "7", "--users", "300000", "--share", "0.1"],
            Topology::Mesh,
            Org::Mto,
        ),
        (
            ["--tenants", "5", "--users", "2000", "--share", "0.5"],
            Topology::Hub,
            Org::SyncOnly,
        ),
    ] {
        let topo = topology.name();
        let mut all = args.to_vec();
        all.extend(["--topology", topo]);
        if org == Org::SyncOnly {
            all.push("--no-mto");
        }
        let p = QuickParams {
            tenants: args[1].parse().unwrap(),
            users: args[3].parse().unwrap(),
            share: args[5].parse().unwrap(),
            topology,
            rules: RuleSet::new(RuleSetKind::Ga),
            object_quota: 300_000,
        };
        let whole = quick_with(&p, org);
        let mut json = Vec::new();
        mtosim_render::whatif::write_json(&mut json, &whole).unwrap();
        let mut csv = Vec::new();
        mtosim_render::whatif::write_csv(&mut csv, &whole).unwrap();
        let (code, out) = whatif_cli(&[&all[..], &["--json"]].concat());
        assert_eq!(code, 0);
        assert_eq!(out.as_bytes(), json, "{all:?} --json");
        let (code, out) = whatif_cli(&[&all[..], &["--csv"]].concat());
        assert_eq!(code, 0);
        assert_eq!(out.as_bytes(), csv, "{all:?} --csv");
    }
}

#[test]
fn sweep_steps_that_are_infinite_or_fractional_for_counts_exit_2_and_say_what_is_valid() {
    for (sweep, says) in [
        ("users=1000..2000:inf", "the step must be a finite number above 0, not inf; e.g. users=1000..2000:50"),
        ("tenants=2..4:inf", "the step must be a finite number above 0, not inf; e.g. tenants=2..4:1"),
        ("share=0..1:inf", "the step must be a finite number above 0, not inf; e.g. share=0..1:0.1"),
        ("tenants=2..5:0.5", "tenants are counted in whole numbers, so the step must be a whole number (1 or more), not 0.5; e.g. tenants=2..5:1"),
        ("users=1000.5..2000", "users are counted in whole numbers, and the start 1000.5 is not one"),
    ] {
        let (code, out, err) =
            crate::cli::mtosim(&["whatif", "--tenants", "3", "--topology", "mesh", "--sweep", sweep]);
        assert_eq!(code, 2, "{sweep}: {out}");
        assert!(out.is_empty(), "{sweep}: {out}");
        assert!(err.starts_with(&format!("error: --sweep {sweep}: ")), "{sweep}: {err}");
        assert!(err.contains(says), "{sweep}: {err}");
    }
    // a whole step over whole bounds: every row once, within the range
    let (code, out) = whatif_cli(&["--tenants", "3", "--sweep", "tenants=2..5:2"]);
    assert_eq!(code, 0);
    let firsts: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(firsts, ["2", "4"], "{out}");
}

#[test]
fn json_with_a_sweep_is_refused_not_answered_in_csv() {
    let (code, out, err) = crate::cli::mtosim(&[
        "whatif",
        "--topology",
        "mesh",
        "--sweep",
        "tenants=2..5",
        "--json",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("--json with --sweep tenants=2..5: a sweep prints CSV"),
        "{err}"
    );
    // --csv with a sweep is what a sweep prints anyway
    let (code, out) = whatif_cli(&["--topology", "mesh", "--sweep", "tenants=2..5", "--csv"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("tenants,accounts_per_tenant_max"), "{out}");
}

#[test]
fn a_scenario_a_per_run_cap_stopped_is_an_error_not_a_forecast() {
    // SIM-3: waiting past the last instant RFC 3339 can write stops the world at step 1
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("whatif");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("late.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"late\"\nstart = \"9999-12-30T00:00:00Z\"\n\n[[tenant]]\nname = \"a\"\n\n\
         [[tenant]]\nname = \"b\"\n\n[[step]]\nat = \"+1d\"\ndo = \"wait\"\nfor = \"3d\"\n\n\
         [[step]]\nat = \"+1h\"\ndo = \"settle\"\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    for how in [&[][..], &["--json"], &["--csv"], &["--at", "2"]] {
        let (code, out, err) = crate::cli::mtosim(&[&["whatif", f][..], how].concat());
        assert_eq!(code, 2, "{how:?}: {out}{err}");
        assert!(out.is_empty(), "{how:?}: no forecast: {out}");
        assert!(err.contains("late.toml:13: step 1: "), "{how:?}: {err}");
        assert!(err.contains("SIM_TIME_MAX"), "{how:?}: {err}");
        assert!(
            err.contains("--at 0 forecasts from before that step"),
            "{how:?}: {err}"
        );
    }
    // before the step that reaches the cap, the world is whole: a forecast
    let (code, out) = whatif_cli(&[f, "--at", "0"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("What-if under ga: 2 tenants"), "{out}");
}

#[test]
fn disabled_users_in_scope_are_counted_apart_from_what_arrives() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("whatif");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("disabled.toml");
    std::fs::write(&f, BODY).unwrap();
    let (code, out) = whatif_cli(&[f.to_str().unwrap(), "--at", "2"]);
    assert_eq!(code, 0);
    let verdict = out.lines().nth(2).unwrap();
    assert!(
        verdict.starts_with("Every account can be created: 450 accounts would arrive, 450 can be created, 50 users in scope skipped (never provisioned while disabled, CTS-24"),
        "{verdict}"
    );
}

const BODY: &str = r#"[scenario]
name = "Quota what-if"
start = "2025-05-01T00:00:00Z"

[[tenant]]
name = "contoso"
domains = ["contoso.com"]
users = { generate = 500, disabled = 0.1 }
p1_licenses = 1000
[[tenant.partner]]
tenant = "fabrikam"
auto_redeem_outbound = true

[[tenant]]
name = "fabrikam"
domains = ["fabrikam.com"]
users = { generate = 100 }
object_quota = 300000
[[tenant.partner]]
tenant = "contoso"
auto_redeem_inbound = true
sync_inbound = true

[[step]]
do = "create-sync"
tenant = "contoso"
target = "fabrikam"
name = "All to Fabrikam"
scope = "all"

[[step]]
do = "start-sync"
tenant = "contoso"
sync = "All to Fabrikam"

[[step]]
do = "settle"
max = "10m"
"#;
