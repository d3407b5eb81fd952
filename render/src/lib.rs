//! # mtosim-render
//!
//! Everything mtosim shows people and pipelines, built from the typed trace of a run
//! (`mtosim-scenario`'s entries), the engine's events and views, and what-if forecasts:
//! narration lines and their colours, the end-of-run summary, JSON lines, the what-if tables,
//! CSV and charts, the `--out` views (Graph JSON through `mtosim-graph`), and the self-contained
//! HTML report of a run, a what-if or a counterexample (`html`).
//!
//! It must not: decide anything (it renders what the engine and the runner decided), read or
//! write files (it returns text; the CLI writes), or parse its own output back.

pub mod doctor;
pub mod html;
pub mod jsonl;
pub mod narrate;
pub mod summary;
pub mod views;
pub mod whatif;
