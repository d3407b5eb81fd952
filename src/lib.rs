//! # mtosim
//!
//! The command-line side of mtosim: scenario files in, narrated runs out. The model itself
//! lives in the `mtosim-engine` crate, which does no I/O; this crate reads files, resolves
//! names, drives the engine and renders what happened.

pub mod diag;
pub mod narrate;
pub mod runner;
pub mod scenario;
pub mod summary;
pub mod toml_read;
