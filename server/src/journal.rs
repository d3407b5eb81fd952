//! `--state DIR`: the journal of accepted writes. Every request that changed the world (a
//! method other than GET answered with a 2xx status, by a tenant or the operator) is appended
//! to `DIR/journal.jsonl` and flushed to the disk before its response is sent, so a `kill -9` at
//! any moment loses no acknowledged write. A restart with the same scenario and `--state`
//! replays the journal through the same dispatcher onto the same starting world; the engine is
//! deterministic, so it reaches the same world. The first line records the scenario's name, seed
//! and tenants: a journal made from another scenario is refused.
//!
//! Each line is one JSON object: `{"caller", "method", "path", "query", "body", "at"}` (`at`:
//! the simulated time the write was applied at, which a replay moves the clock to first; `caller` is
//! `operator` or a tenant's name; `body` the request body as text, requests with a body that is
//! not UTF-8 are never accepted, since every write takes JSON).

use crate::auth::{Caller, Tokens};
use mtosim_engine::World;
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// The journal file's name inside the state directory.
pub const JOURNAL_FILE: &str = "journal.jsonl";

/// Lines a journal may hold (a larger one is refused at start, JOURNAL_LINES_MAX).
pub const JOURNAL_LINES_MAX: usize = 1_000_000;

/// One accepted write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// `operator`, or the calling tenant's name.
    pub caller: String,
    /// The HTTP method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The query string.
    pub query: String,
    /// The body, as text.
    pub body: String,
    /// The simulated time when it arrived, before it was applied (`--speed` moves the clock
    /// between requests, so a replay moves it there first).
    pub at: mtosim_engine::SimTime,
}

/// The open journal, appended to after every accepted write.
pub struct Journal {
    file: std::fs::File,
    path: PathBuf,
}

/// What identifies the starting world a journal belongs to.
fn header(world: &World, scenario: &str) -> Value {
    json!({
        "mtosimJournal": 1,
        "scenario": scenario,
        "seed": world.seed(),
        "tenants": world.tenant_ids().map(|t| world.tenant(t).spec.tenant_id.to_string()).collect::<Vec<_>>(),
    })
}

impl Journal {
    /// Opens (creating) `dir`'s journal for the world `world` starts from (`scenario` is its
    /// name): the entries to replay, and the journal to append to. A journal of another world,
    /// a line that is not an entry, or one over the caps is an error naming the file and line.
    pub fn open(dir: &Path, world: &World, scenario: &str) -> Result<(Journal, Vec<Entry>), String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("{}: cannot create the state directory: {e}", dir.display()))?;
        let path = dir.join(JOURNAL_FILE);
        let want = header(world, scenario);
        let mut entries = Vec::new();
        if path.exists() {
            let f = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
                let at = format!("{}:{}", path.display(), i + 1);
                let line = line.map_err(|e| format!("{at}: {e}"))?;
                if line.trim().is_empty() {
                    continue;
                }
                if i >= JOURNAL_LINES_MAX {
                    return Err(format!(
                        "{at}: the journal holds more than {JOURNAL_LINES_MAX} lines (JOURNAL_LINES_MAX)"
                    ));
                }
                let v: Value = serde_json::from_str(&line).map_err(|e| format!("{at}: not JSON: {e}"))?;
                if i == 0 {
                    if v != want {
                        return Err(format!(
                            "{at}: this journal was written for another starting world ({v}); serve the same scenario, or use another --state directory"
                        ));
                    }
                    continue;
                }
                let s = |k: &str| -> Result<String, String> {
                    v[k].as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("{at}: $.{k} must be a string"))
                };
                let at = mtosim_engine::SimTime::parse_rfc3339(&s("at")?)
                    .map_err(|e| format!("{at}: $.at: {e}"))?;
                entries.push(Entry {
                    caller: s("caller")?,
                    method: s("method")?,
                    path: s("path")?,
                    query: s("query")?,
                    body: s("body")?,
                    at,
                });
            }
        }
        let fresh = !path.exists() || std::fs::metadata(&path).map(|m| m.len() == 0).unwrap_or(true);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if fresh {
            writeln!(file, "{want}")
                .and_then(|_| file.sync_data())
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok((Journal { file, path }, entries))
    }

    /// Appends `e` and flushes it to the disk.
    pub fn append(&mut self, e: &Entry) -> Result<(), String> {
        let line = json!({
            "caller": e.caller,
            "method": e.method,
            "path": e.path,
            "query": e.query,
            "body": e.body,
            "at": e.at.to_string(),
        });
        writeln!(self.file, "{line}")
            .and_then(|_| self.file.sync_data())
            .map_err(|err| format!("{}: {err}", self.path.display()))
    }
}

/// The caller of a request as the journal names it, if it may write.
pub fn caller_name(world: &World, c: Caller) -> Option<String> {
    match c {
        Caller::Operator => Some("operator".to_string()),
        Caller::Tenant(t) => Some(world.name(t).to_string()),
        Caller::Missing | Caller::Unknown => None,
    }
}

/// The `Authorization` header that makes `caller` the caller with `tokens`.
pub fn authorization(world: &World, tokens: &Tokens, caller: &str) -> Option<String> {
    if caller == "operator" {
        return Some(format!("Bearer {}", tokens.operator));
    }
    let t = world.tenant_ids().find(|&t| world.name(t) == caller)?;
    Some(format!("Bearer {}", tokens.tenants[t.ix()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_reopens_with_its_entries_and_refuses_another_world() {
        let dir = std::env::temp_dir().join(format!("mtosim-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let b = mtosim_engine::build::Builder::new(
            mtosim_engine::RuleSet::new(mtosim_engine::RuleSetKind::Ga),
            3,
            mtosim_engine::SimTime::DEFAULT_START,
            mtosim_engine::DelayMode::Max,
        );
        let w = b.finish();
        let (mut j, e) = Journal::open(&dir, &w, "s").unwrap();
        assert!(e.is_empty());
        let entry = Entry {
            caller: "operator".into(),
            method: "POST".into(),
            path: "/mtosim/settle".into(),
            query: String::new(),
            body: "{}".into(),
            at: mtosim_engine::SimTime::DEFAULT_START,
        };
        j.append(&entry).unwrap();
        drop(j);
        let (_, e) = Journal::open(&dir, &w, "s").unwrap();
        assert_eq!(e, vec![entry]);
        let err = Journal::open(&dir, &w, "another").err().unwrap();
        assert!(err.contains("another starting world"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
