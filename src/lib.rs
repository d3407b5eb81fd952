//! # mtosim
//!
//! The command-line side of mtosim: scenario files in, narrated runs out. The model itself
//! lives in the `mtosim-engine` crate, which does no I/O; this crate reads files, resolves
//! names, drives the engine and renders what happened.
//!
//! ```
//! let text = r#"
//! [scenario]
//! name = "two tenants"
//! [[tenant]]
//! name = "contoso"
//! [[step]]
//! do = "create-mto"
//! tenant = "contoso"
//! display_name = "Contoso Group"
//! [[step]]
//! do = "expect"
//! tenant = "contoso"
//! mto = "active"
//! "#;
//! let sc = mtosim::scenario::load("example.toml", text).unwrap();
//! let run = mtosim::runner::run(sc);
//! assert_eq!(run.exit_code(), 0);
//! assert!(run.lines.iter().any(|l| l.contains("created the multitenant organization \"Contoso Group\"")));
//! ```

pub mod catalog;
pub mod csv_import;
pub mod diag;
pub mod explore;
pub mod export;
pub mod narrate;
pub mod runner;
pub mod scenario;
pub mod summary;
pub mod toml_read;
pub mod whatif_cli;
pub mod workloads;
