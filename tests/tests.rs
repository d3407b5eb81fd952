//! Integration tests, compiled into one binary (one link step):
//! - `architecture`: crate dependencies in one direction, no module import cycles, a pure engine;
//! - `scenarios`: every file in `scenarios/` runs and holds all its checks, deterministically;
//! - `cli`: the `mtosim` binary's exit codes and diagnostics on good and bad input;
//! - `graph_json`: the `--out` export against golden files and Graph's shapes;
//! - `csdl`: every exported object against Graph's v1.0 metadata (names, types, enum members);
//! - `docs`: the rule index lists every rule and every test named after one; the repository
//!   stands alone (no link outside it, every relative link resolves); the scenario format
//!   documents every verb and key;
//! - `doctor`: the doctor library shows each finding; exit codes 0, 1 and 2;
//! - `html`: the HTML report from the command line: self-contained, deterministic, within its
//!   size budget, no file on bad input;
//! - `import`: every scenario's `--out` export imports back to the same views; bad exports
//!   exit 2 with file and JSON path;
//! - `explore`: `mtosim explore`'s pinned state counts, counterexamples, caps and exit codes;
//! - `record`: a session recorded by `mtosim serve --record` replays to the same `--out` views;
//! - `streaming`: `--out` streamed, failed writes leave nothing, no symlinks, write errors exit 2;
//! - `threads`: one thread and two give byte-identical `--out` exports;
//! - `workloads`: the benchmark workloads, run at a small scale.

mod architecture;
mod cli;
mod csdl;
mod docs;
mod doctor;
mod explore;
mod graph_json;
mod html;
mod import;
mod record;
mod scenarios;
mod streaming;
mod threads;
mod whatif;
mod workloads_small;

#[path = "../benches/workloads.rs"]
#[allow(dead_code)]
mod workloads;
