//! The end-of-run summary: one block per tenant with its MTO view, directory counts and
//! outbound sync configurations.

use crate::narrate;
use mtosim_engine::{TenantIdx, World};

/// Summary lines for every tenant.
pub fn tenants(world: &World) -> Vec<String> {
    let mut out = vec![format!("Tenants at {}:", narrate::time(world.now()))];
    for (i, t) in world.tenants().iter().enumerate() {
        let ti = TenantIdx(i as u16);
        let view = world.mto_view(ti);
        let mto = match view.mto {
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
        };
        out.push(format!(
            "  {} ({}, {}): {}",
            t.name(),
            t.spec.display_name,
            t.spec.tenant_id,
            mto
        ));
        let internal = t
            .dir
            .users()
            .iter()
            .filter(|u| !u.external && u.deleted_at.is_none())
            .count();
        let mut synced: Vec<String> = Vec::new();
        for s in t.dir.source_tenants() {
            let n = world.synced_from(ti, s);
            synced.push(format!("{n} from {}", world.name(s)));
        }
        let soft = t
            .dir
            .externals()
            .iter()
            .filter(|a| a.is_soft_deleted() && !a.is_purged())
            .count();
        out.push(format!(
            "    directory: {internal} internal user{}, {} group{}; synced-in accounts: {}{}",
            if internal == 1 { "" } else { "s" },
            t.dir.groups().len(),
            if t.dir.groups().len() == 1 { "" } else { "s" },
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
        for c in world.configs().iter().filter(|c| c.source == ti && !c.deleted) {
            out.push(format!(
                "    sync {} -> {}: {}, {} cycle{} run, {} created so far",
                c.name,
                world.name(c.target),
                match (c.job.status, c.job.cycles, c.job.running.is_some()) {
                    (mtosim_engine::sync::JobStatus::Paused, 0, _) => "Paused (never started)".to_string(),
                    (mtosim_engine::sync::JobStatus::NotRun, _, true) =>
                        "NotRun (first cycle in progress)".to_string(),
                    (mtosim_engine::sync::JobStatus::Quarantine, _, _) => format!(
                        "Quarantine ({})",
                        c.job.quarantine.map_or("", |q| q.reason.as_str())
                    ),
                    (st, _, _) => st.as_str().to_string(),
                },
                c.job.cycles,
                if c.job.cycles == 1 { "" } else { "s" },
                c.job.totals.created
            ));
        }
    }
    out
}
