//! Runs one benchmark workload once, for peak-memory measurement:
//! `cargo build --release --example workload && /usr/bin/time -v target/release/examples/workload b1`.

#[path = "../benches/workloads.rs"]
#[allow(dead_code)]
mod workloads;
use std::time::Instant;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let t = Instant::now();
    let result = match which.as_str() {
        "b1" => workloads::b1_run(&workloads::b1_scenario(5, 100_000)),
        "b2" => {
            let mut w = workloads::mesh_world(2, 100_000, true);
            w.settle(mtosim_engine::Duration::days(60)).unwrap();
            workloads::b2_change_one_percent(&mut w);
            workloads::settle(w)
        }
        "b3" => workloads::settle(workloads::mesh_world(100, 3_000, true)),
        "b4" => workloads::b4(100, 300_000),
        "b5" => workloads::b5_run(&workloads::b5_scenario(1_000)) as u64,
        _ => {
            eprintln!("usage: workload b1|b2|b3|b4|b5");
            std::process::exit(2);
        }
    };
    eprintln!("{which}: {result} in {:.3} s", t.elapsed().as_secs_f64());
}
