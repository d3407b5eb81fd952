//! JSON lines: one object per engine event or runner entry, with a schema version (`run
//! --json`, `events.jsonl`).

use mtosim_engine::World;
use mtosim_scenario::trace::{Entry, Timed};
use serde_json::{json, Value};
use std::io::{self, Write};

/// Version of the JSON outputs' layout, written into every JSON line, `manifest.json` and the
/// what-if JSON.
pub const SCHEMA_VERSION: u32 = 1;

/// Every event as one JSON object per line, with a schema version.
pub fn events_jsonl(world: &World) -> String {
    let mut out = Vec::new();
    write_events_jsonl(world, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// [`events_jsonl`] written to `w` one line at a time (`events.jsonl`).
pub fn write_events_jsonl<W: Write + ?Sized>(world: &World, w: &mut W) -> io::Result<()> {
    for ev in world.events() {
        serde_json::to_writer(&mut *w, &event_json(world, ev))?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// One event as JSON: `schemaVersion`, `at`, `tenant`, `event`, `rules`, `text`.
pub fn event_json(world: &World, ev: &mtosim_engine::event::Event) -> Value {
    json!({
        "schemaVersion": SCHEMA_VERSION,
        "at": ev.at.to_string(),
        "tenant": world.name(ev.tenant),
        "tenantId": world.tenant(ev.tenant).spec.tenant_id.to_string(),
        "event": crate::narrate::kind_name(&ev.kind),
        "rules": ev.rules.iter().map(|r| r.0).collect::<Vec<_>>(),
        "text": crate::narrate::describe(world, ev),
    })
}

/// One trace entry as JSON: engine events as [`event_json`]; the runner's own entries as
/// `schemaVersion`, `at`, `event` (their kind) and `text`.
pub fn entry_json(world: &World, e: &Timed) -> Value {
    match &e.entry {
        Entry::Event(i) => event_json(world, &world.events()[*i]),
        other => json!({
            "schemaVersion": SCHEMA_VERSION,
            "at": e.at.to_string(),
            "event": other.kind_name(),
            "text": other.to_string(),
        }),
    }
}
