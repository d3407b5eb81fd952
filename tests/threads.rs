//! The same run on one thread and on two gives the same bytes: the engine spreads generation,
//! hashing and cycle planning over rayon's threads, and puts every result back in input order.

use crate::workloads::b1_scenario;
use mtosim_render::views;
use mtosim_scenario::{load, runner};

/// Every file of the run's `--out` export and its summary, as bytes, run on `threads` threads.
fn export_on(threads: usize, text: &str) -> Vec<(String, String)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        let mut sc = load::load("threads.toml", text).expect("the scenario loads");
        sc.world.set_log_provisioning(true);
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
