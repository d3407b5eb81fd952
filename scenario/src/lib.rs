//! # mtosim-scenario
//!
//! The scenario contract: the TOML file format (every key and verb, parsed with positions so
//! that every problem is a [`diag::Diagnostic`] with line and column), "Download users" CSV
//! imports, the runner that plays a scenario on the engine and reports a typed trace, the
//! checks of `expect` steps, and `explore`'s counterexamples written back as scenarios.
//!
//! It must not: render output for people or pipelines (that is `mtosim-render`), speak Graph
//! JSON (`mtosim-graph`), or decide what the engine decides.
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
//! let sc = mtosim_scenario::load::load("example.toml", text).unwrap();
//! let (run, trace) = mtosim_scenario::runner::run_collect(sc);
//! assert!(run.ok());
//! assert_eq!(run.checks_passed, 1);
//! assert_eq!(trace.iter().filter(|e| e.entry.kind_name() == "step").count(), 2);
//! ```

pub mod check;
pub mod checks;
mod checks_load;
pub mod csv_import;
pub mod diag;
pub mod explore;
pub mod load;
pub mod model;
pub mod record;
mod refs;
pub mod runner;
pub mod toml_read;
pub mod trace;
mod values;
pub mod verbs;
pub mod words;
