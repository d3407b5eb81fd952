//! The same run on one thread and on two gives the same bytes: the engine spreads generation,
//! hashing, cycle planning and a cycle's plain creates over rayon's threads, and puts every
//! result back in input order. Plain creates are written in bulk only when no provisioning log
//! is kept; with one kept they go one by one, and both ways give the same directories.

use crate::workloads::b1_scenario;
use mtosim_render::views;
use mtosim_scenario::{load, runner};

/// Every file of the run's `--out` export and its summary, as bytes, run on `threads` threads.
fn export_on(threads: usize, text: &str) -> Vec<(String, String)> {
    export_with(threads, text, true)
}

/// [`export_on`], with or without the provisioning log.
fn export_with(threads: usize, text: &str, log: bool) -> Vec<(String, String)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        let mut sc = load::load("threads.toml", text).expect("the scenario loads");
        sc.world.set_log_provisioning(log);
        let run = runner::run(sc);
        assert!(run.failures.is_empty(), "{:?}", run.failures);
        let mut files: Vec<(String, String)> = views::export(&run.world)
            .iter()
            .map(|f| (f.path().display().to_string(), f.contents()))
            .collect();
        let summary = mtosim_render::summary::tenants(&run.world).join("\n");
        files.push(("summary".into(), summary));
        files
    })
}

#[test]
fn one_thread_and_two_give_byte_identical_output() {
    // above the size from which the engine works on both cores
    let users = mtosim_engine::par::PAR_MIN + 1000;
    let text = b1_scenario(2, users);
    let one = export_on(1, &text);
    let two = export_on(2, &text);
    assert_eq!(one.len(), two.len());
    for ((p1, c1), (p2, c2)) in one.iter().zip(&two) {
        assert_eq!(p1, p2);
        assert!(c1 == c2, "{p1} differs between one thread and two");
    }
    let accounts = one.iter().filter(|(p, _)| p.ends_with("users.json")).count();
    assert_eq!(accounts, 2, "both tenants exported");
    assert!(one
        .iter()
        .any(|(_, c)| c.contains(&format!("{users} created so far"))));
}

#[test]
fn bulk_creates_give_the_directories_one_by_one_creates_give() {
    // disabled users and guests, so that creates write both enabled flags and some users are
    // skipped between them
    let users = mtosim_engine::par::PAR_MIN + 1000;
    let text = b1_scenario(2, users).replace(
        &format!("users = {{ generate = {users} }}"),
        &format!("users = {{ generate = {users}, disabled = 0.1, guests = 0.05 }}"),
    );
    let one_by_one = export_with(2, &text, true);
    for threads in [1, 2] {
        let bulk = export_with(threads, &text, false);
        let mut compared = 0;
        // the manifest lists the log's files too
        for (path, c) in bulk.iter().filter(|(p, _)| p != "manifest.json") {
            let (_, c1) = one_by_one
                .iter()
                .find(|(p, _)| p == path)
                .unwrap_or_else(|| panic!("{path} only without the log"));
            assert!(
                c == c1,
                "{path} differs between bulk and one-by-one creates ({threads} threads)"
            );
            compared += 1;
        }
        assert!(compared >= 4, "{compared} files compared");
    }
    let summary = &one_by_one.last().expect("a summary").1;
    assert!(summary.contains("synced-in accounts"), "{summary}");
}
