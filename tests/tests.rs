//! Integration tests, compiled into one binary (one link step):
//! - `scenarios`: every file in `scenarios/` runs and holds all its checks, deterministically;
//! - `cli`: the `mtosim` binary's exit codes and diagnostics on good and bad input.

mod cli;
mod scenarios;
