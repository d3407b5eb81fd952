//! The end-of-run summary: one block per tenant with its MTO view, directory counts and
//! outbound sync configurations (with what is still failing or held), as text and as JSON,
//! and the result line, which never says a bare "ok" over objects that failed.

use crate::narrate;
use mtosim_engine::sync::{JobStatus, SyncConfig};
use mtosim_engine::{TenantIdx, World};
use serde_json::{json, Value};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The tenant's MTO in words.
fn mto_words(world: &World, ti: TenantIdx) -> String {
    let view = world.mto_view(ti);
    match view.mto {
        Some(m) => {
            let e = world.mtos()[m.ix()].entry(ti).expect("a tenant's MTO lists it");
            format!(
                "{} of \"{}\" ({}, {} active tenant{})",
                e.role.as_str(),
                world.mtos()[m.ix()].display_name,
                e.state.as_str(),
                view.active_tenants,
                if view.active_tenants == 1 { "" } else { "s" }
            )
        }
        None => match world.listed_mto(ti) {
            Some(m) => format!("pending in \"{}\"", world.mtos()[m.ix()].display_name),
            None => "not in an MTO".into(),
        },
    }
}

/// A job's status in words.
fn status_words(c: &SyncConfig) -> String {
    match (c.job.status, c.job.cycles, c.job.running.is_some()) {
        (JobStatus::Paused, 0, _) => "Paused (never started)".to_string(),
        (JobStatus::NotRun, _, true) => "NotRun (first cycle in progress)".to_string(),
        (JobStatus::Quarantine, _, _) => format!(
            "Quarantine ({})",
            c.job.quarantine.map_or("", |q| q.reason.as_str())
        ),
        (st, _, _) => st.as_str().to_string(),
    }
}

/// Internal users (not deleted) of a tenant.
fn internal_users(world: &World, ti: TenantIdx) -> usize {
    world
        .tenant(ti)
        .dir
        .users()
        .iter()
        .filter(|u| !u.external && u.deleted_at.is_none())
        .count()
}

/// Soft-deleted synced accounts of a tenant, not yet purged.
fn soft_deleted(world: &World, ti: TenantIdx) -> usize {
    world
        .tenant(ti)
        .dir
        .externals()
        .iter()
        .filter(|a| a.is_soft_deleted() && !a.is_purged())
        .count()
}

/// The live configurations whose source is the tenant.
fn outbound(world: &World, ti: TenantIdx) -> impl Iterator<Item = &SyncConfig> {
    world
        .configs()
        .iter()
        .filter(move |c| c.source == ti && !c.deleted)
}

/// Objects of one configuration that failed and are not in the target: those escrowed for
/// retry (CTS-55), or, once the initial cycle pruned its escrows and paused the job (CTS-54),
/// those that failed in that cycle.
fn failing(c: &SyncConfig) -> usize {
    if c.job.escrows_pruned {
        c.job.last.map_or(0, |l| l.failed as usize)
    } else {
        c.job.escrows.len()
    }
}

/// Objects failing (escrowed for retry, CTS-55, or pruned, CTS-54) and deletions held (CTS-51)
/// over every live configuration.
pub fn outstanding(world: &World) -> (usize, usize) {
    world
        .configs()
        .iter()
        .filter(|c| !c.deleted)
        .fold((0, 0), |(f, h), c| (f + failing(c), h + c.job.staged.len()))
}

/// The result line of a run whose checks all held: "ok" only when nothing is failing or held.
pub fn result_ok(world: &World, checks: usize) -> String {
    let held = plural(checks, "check", "checks");
    match outstanding(world) {
        (0, 0) => format!("Result: ok, {held} held."),
        (failing, deletions) => {
            let mut what = Vec::new();
            if failing > 0 {
                what.push(format!(
                    "{} failing (not in the target: see the sync lines above)",
                    plural(failing, "object", "objects")
                ));
            }
            if deletions > 0 {
                what.push(format!("{} held", plural(deletions, "deletion", "deletions")));
            }
            format!("Result: ok, {held} held, with {}.", what.join(" and "))
        }
    }
}

/// Summary lines for every tenant.
pub fn tenants(world: &World) -> Vec<String> {
    let mut out = vec![format!("Tenants at {}:", narrate::time(world.now()))];
    // each tenant's block counts its accounts (millions in a large run): on both cores, in
    // tenant order
    let ids: Vec<TenantIdx> = (0..world.tenants().len()).map(|i| TenantIdx(i as u16)).collect();
    let blocks = mtosim_engine::par::map_each(&ids, |&ti| tenant_block(world, ti));
    out.extend(blocks.into_iter().flatten());
    out
}

/// One tenant's summary lines.
fn tenant_block(world: &World, ti: TenantIdx) -> Vec<String> {
    let mut out = Vec::new();
    let t = world.tenant(ti);
    out.push(format!(
        "  {} ({}, {}): {}",
        t.name(),
        t.spec.display_name,
        t.spec.tenant_id,
        mto_words(world, ti)
    ));
    let internal = internal_users(world, ti);
    let synced: Vec<String> = t
        .dir
        .source_tenants()
        .map(|s| format!("{} from {}", world.synced_from(ti, s), world.name(s)))
        .collect();
    let soft = soft_deleted(world, ti);
    out.push(format!(
        "    directory: {}, {}{}; synced-in accounts: {}{}",
        plural(internal, "internal user", "internal users"),
        plural(t.dir.groups().len(), "group", "groups"),
        match live_synced_groups(t) {
            0 => String::new(),
            n => format!(" and {} synced in", plural(n, "group", "groups")),
        },
        if synced.is_empty() {
            "none".into()
        } else {
            synced.join(", ")
        },
        if soft > 0 {
            format!(" ({soft} soft-deleted)")
        } else {
            String::new()
        }
    ));
    for c in outbound(world, ti) {
        let mut line = format!(
            "    sync {} -> {}: {}, {} run, {} created so far",
            c.name,
            world.name(c.target),
            status_words(c),
            plural(c.job.cycles as usize, "cycle", "cycles"),
            c.job.totals.created
        );
        match failing(c) {
            0 => {}
            n if c.job.escrows_pruned => line.push_str(&format!(
                ", {n} failed in the initial cycle (escrows pruned, the job paused: CTS-54)"
            )),
            n => line.push_str(&format!(", {n} failing (escrowed for retry: CTS-55)")),
        }
        if !c.job.staged.is_empty() {
            line.push_str(&format!(
                ", {} held until allow-deletes",
                plural(c.job.staged.len(), "deletion", "deletions")
            ));
        }
        out.push(line);
    }
    out
}

/// The summary as one JSON object (`run --json`'s `summary` line): every tenant with its MTO,
/// directory counts and outbound configurations.
pub fn tenants_json(world: &World) -> Value {
    let tenants: Vec<Value> = world
        .tenants()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let ti = TenantIdx(i as u16);
            let view = world.mto_view(ti);
            let mto = view.mto.map(|m| {
                let e = world.mtos()[m.ix()].entry(ti).expect("a tenant's MTO lists it");
                json!({
                    "displayName": world.mtos()[m.ix()].display_name,
                    "role": e.role.as_str(),
                    "state": e.state.as_str(),
                    "activeTenants": view.active_tenants,
                })
            });
            json!({
                "name": t.name(),
                "displayName": t.spec.display_name,
                "tenantId": t.spec.tenant_id.to_string(),
                "mto": mto,
                "mtoText": mto_words(world, ti),
                "internalUsers": internal_users(world, ti),
                "groups": t.dir.groups().len(),
                "syncedGroups": live_synced_groups(t),
                "syncedIn": t.dir.source_tenants().map(|s| json!({
                    "from": world.name(s),
                    "accounts": world.synced_from(ti, s),
                })).collect::<Vec<_>>(),
                "softDeleted": soft_deleted(world, ti),
                "sync": outbound(world, ti).map(|c| json!({
                    "name": c.name,
                    "target": world.name(c.target),
                    "status": c.job.status.as_str(),
                    "statusText": status_words(c),
                    "cycles": c.job.cycles,
                    "created": c.job.totals.created,
                    "failing": failing(c),
                    "escrowsPruned": c.job.escrows_pruned,
                    "deletionsHeld": c.job.staged.len(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let (failing, held) = outstanding(world);
    json!({
        "schemaVersion": crate::jsonl::SCHEMA_VERSION,
        "at": world.now().to_string(),
        "event": "summary",
        "tenants": tenants,
        "failing": failing,
        "deletionsHeld": held,
    })
}

/// Groups cross-tenant synchronization created in tenant `t` that still exist (CTS-63).
fn live_synced_groups(t: &mtosim_engine::tenant::Tenant) -> usize {
    t.dir.synced_groups().iter().filter(|g| !g.deleted).count()
}
