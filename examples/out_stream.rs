//! Measures the `--out` export of a large run: B1's shape (every tenant's generated users synced
//! to every other tenant, benches/workloads.rs) with the provisioning log on, as `run --out`
//! records it.
//!
//! ```text
//! cargo build --release --example out_stream
//! target/release/examples/out_stream scenario 5 50000 > /tmp/mesh-5x50k.toml   # for `mtosim run`
//! /usr/bin/time -v target/release/examples/out_stream render 5 50000 /tmp/views  # or no DIR: a sink
//! target/release/examples/out_stream lifecycle 20000 > /tmp/b5.toml  # B5's many events, for `run --json`
//! ```
//!
//! `render` prints the seconds, the bytes rendered, MB/s and the peak resident set size after the
//! run and after rendering, so that what the export adds to the run's memory shows.

#[path = "../benches/workloads.rs"]
#[allow(dead_code)]
mod workloads;

use std::io::{BufWriter, Write};
use std::time::Instant;

/// Peak resident set size so far, in MiB (Linux; 0 elsewhere).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Counts the bytes written through it.
struct Counting<W> {
    w: W,
    n: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.w.write(buf)?;
        self.n += n as u64;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.w.write_all(buf)?;
        self.n += buf.len() as u64;
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

fn usage() -> ! {
    eprintln!("usage: out_stream scenario|render TENANTS USERS [DIR] | out_stream lifecycle STEPS");
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> usize {
        args.get(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| usage())
    };
    if args.first().is_some_and(|a| a == "lifecycle") {
        print!("{}", workloads::b5_scenario(num(1)));
        return;
    }
    let (tenants, users) = (num(1), num(2));
    let text = workloads::b1_scenario(tenants, users);
    match args.first().map_or("", String::as_str) {
        "scenario" => print!("{text}"),
        "render" => {
            let t = Instant::now();
            let mut sc = mtosim_scenario::load::load("out_stream.toml", &text).expect("the scenario loads");
            sc.world.set_log_provisioning(true);
            let run = mtosim_scenario::runner::run(sc);
            let ran = t.elapsed().as_secs_f64();
            let after_run = peak_rss_mib();
            let t = Instant::now();
            let dir = args.get(3).map(std::path::PathBuf::from);
            let mut bytes = 0;
            for f in mtosim_render::views::export(&run.world) {
                let sink: Box<dyn Write> = match &dir {
                    Some(d) => {
                        let p = d.join(f.path());
                        std::fs::create_dir_all(p.parent().expect("below DIR")).expect("a directory");
                        Box::new(std::fs::File::create(&p).expect("a file"))
                    }
                    None => Box::new(std::io::sink()),
                };
                let mut w = Counting {
                    w: BufWriter::with_capacity(256 * 1024, sink),
                    n: 0,
                };
                f.write_to(&mut w).expect("written");
                w.flush().expect("flushed");
                bytes += w.n;
            }
            let rendered = t.elapsed().as_secs_f64();
            eprintln!(
                "run {ran:.2} s, peak {after_run:.0} MiB; export {:.1} MB in {rendered:.2} s ({:.0} MB/s), peak {:.0} MiB",
                bytes as f64 / 1e6,
                bytes as f64 / 1e6 / rendered,
                peak_rss_mib()
            );
        }
        _ => usage(),
    }
}
