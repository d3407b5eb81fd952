//! Rendering of `mtosim whatif`: the forecast as a text table, JSON or CSV, and sweeps over one
//! parameter of the quick form as a CSV and an SVG chart (plotters).

use mtosim_engine::sync::Idle;
use mtosim_engine::whatif::{Finding, Forecast, QuickParams};
use serde_json::json;
use std::fmt::Write;

fn dur(d: mtosim_engine::Duration) -> String {
    if d.0 == 0 {
        "now".into()
    } else {
        d.to_string()
    }
}

/// Why a configuration would do nothing, in words.
pub fn idle(why: &Idle) -> String {
    match why {
        Idle::Deleted => "deleted".into(),
        Idle::NotStarted => "not started or paused".into(),
        Idle::DeletesHeld => "deletions held by the threshold (CTS-51): waiting for allow-deletes".into(),
        Idle::Blocked(rule) => format!("blocked by a missing prerequisite ({rule})"),
    }
}

/// A finding in words.
pub fn finding(f: &Forecast, x: &Finding) -> String {
    let name = |i: usize| &f.tenants[i].name;
    match *x {
        Finding::OverTenantCap { active, cap, .. } => {
            format!("an MTO with {active} active tenants exceeds the cap of {cap}")
        }
        Finding::OverQuota { tenant } => {
            let t = &f.tenants[tenant];
            format!(
                "{} would need {} objects, {} over its quota of {}",
                t.name,
                t.objects_after,
                -t.headroom(),
                t.quota
            )
        }
        Finding::TooManyUsersAtJoin { tenant, max, .. } => format!(
            "{} has {} internal users, more than {max} allowed at join",
            name(tenant),
            f.tenants[tenant].internal_users
        ),
        Finding::P1Short { tenant } => {
            let t = &f.tenants[tenant];
            format!(
                "{} needs {} P1 licences for its synchronized users and has {}",
                t.name,
                t.p1_needed,
                t.p1_have.unwrap_or(0)
            )
        }
        Finding::Failures {
            source,
            target,
            code,
            count,
        } => format!(
            "{count} accounts from {} in {} would fail with {code}",
            name(source),
            name(target)
        ),
        Finding::Held {
            source,
            target,
            count,
        } => format!(
            "{count} deletions or disables from {} in {} would be held by the threshold",
            name(source),
            name(target)
        ),
    }
}

/// Pair rows and findings the text table shows, at most each; `--csv` and `--json` list all.
pub const TABLE_PAIRS_MAX: usize = 200;

/// The forecast as a text table a person can read.
pub fn table(f: &Forecast) -> String {
    let mut out = String::new();
    let w = f.tenants.iter().map(|t| t.name.len()).max().unwrap_or(6).max(6);
    let _ = writeln!(out, "What-if under {} (counted, nothing provisioned):\n", f.rules);
    let _ = writeln!(
        out,
        "{:<w$}  {:<w$}  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}  {:>8}  {:>8}  notes",
        "source", "target", "now", "after", "in scope", "create", "matched", "delete", "failed"
    );
    for p in f.pairs.iter().take(TABLE_PAIRS_MAX) {
        let failed: u64 = p.failures.iter().map(|x| x.1).sum();
        let mut notes: Vec<String> = p.failures.iter().map(|(c, n)| format!("{n} {c}")).collect();
        if p.restore > 0 {
            notes.push(format!("{} restored", p.restore));
        }
        if p.held > 0 {
            notes.push(format!("{} deletions held (CTS-51)", p.held));
        }
        if p.created_types.1 > 0 {
            notes.push(format!("{} created as Guest", p.created_types.1));
        }
        notes.extend(p.idle.iter().map(|(name, why)| format!("{name}: {}", idle(why))));
        let _ = writeln!(
            out,
            "{:<w$}  {:<w$}  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}  {:>8}  {:>8}  {}",
            f.tenants[p.source].name,
            f.tenants[p.target].name,
            p.now,
            p.after,
            p.in_scope,
            p.create,
            p.matched,
            p.delete,
            failed,
            notes.join("; ")
        );
    }
    if f.pairs.len() > TABLE_PAIRS_MAX {
        let _ = writeln!(
            out,
            "... and {} more pairs (TABLE_PAIRS_MAX); --csv or --json lists every pair",
            f.pairs.len() - TABLE_PAIRS_MAX
        );
    }
    let _ = writeln!(
        out,
        "\n{:<w$}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
        "tenant", "users", "accounts", "Members", "objects", "quota", "headroom", "P1 need"
    );
    for t in &f.tenants {
        let p1 = match t.p1_have {
            Some(have) => format!("{}/{have}", t.p1_needed),
            None => t.p1_needed.to_string(),
        };
        let _ = writeln!(
            out,
            "{:<w$}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
            t.name,
            t.internal_users,
            t.accounts_in,
            t.accounts_in_members,
            t.objects_after,
            t.quota,
            t.headroom(),
            p1
        );
    }
    if f.time_to_all.1 .0 == 0 {
        let _ = writeln!(out, "\nNothing left to provision: sync has converged.");
    } else {
        let _ = writeln!(
            out,
            "\nEvery account exists within {} to {} (cycles every 40 minutes, 0.01 to 0.08 minutes per object; CTS-41, CTS-59).",
            dur(f.time_to_all.0),
            dur(f.time_to_all.1)
        );
    }
    let guests: u64 = f
        .tenants
        .iter()
        .map(|t| t.accounts_in - t.accounts_in_members.min(t.accounts_in))
        .sum();
    if guests == 0 {
        let _ = writeln!(out, "Teams' MTO experience and people search: every synced account is a Member shown in the address list (MTO-76, MTO-77).");
    } else {
        let _ = writeln!(out, "Teams' MTO experience and people search: {guests} synced accounts are Guests and will not get them (MTO-77).");
    }
    if f.findings.is_empty() {
        let _ = writeln!(out, "No cap, quota or licence problem.");
    } else {
        let _ = writeln!(out, "Findings:");
        for x in f.findings.iter().take(TABLE_PAIRS_MAX) {
            let _ = writeln!(out, "  [{}] {}", x.rule(), finding(f, x));
        }
        if f.findings.len() > TABLE_PAIRS_MAX {
            let _ = writeln!(
                out,
                "  ... and {} more findings (TABLE_PAIRS_MAX); --json lists every one",
                f.findings.len() - TABLE_PAIRS_MAX
            );
        }
    }
    out
}

/// The forecast as one JSON document with a schema version.
pub fn to_json(f: &Forecast) -> serde_json::Value {
    json!({
        "schemaVersion": crate::jsonl::SCHEMA_VERSION,
        "rules": f.rules,
        "pairs": f.pairs.iter().map(|p| json!({
            "source": f.tenants[p.source].name,
            "target": f.tenants[p.target].name,
            "now": p.now,
            "after": p.after,
            "inScope": p.in_scope,
            "create": p.create,
            "matched": p.matched,
            "restore": p.restore,
            "delete": p.delete,
            "held": p.held,
            "createdMembers": p.created_types.0,
            "createdGuests": p.created_types.1,
            "failures": p.failures.iter().map(|(c, n)| json!({ "code": c, "count": n })).collect::<Vec<_>>(),
            "idle": p.idle.iter().map(|(name, why)| format!("{name}: {}", idle(why))).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "tenants": f.tenants.iter().map(|t| json!({
            "name": t.name,
            "internalUsers": t.internal_users,
            "accountsIn": t.accounts_in,
            "accountsInMembers": t.accounts_in_members,
            "objectsNow": t.objects_now,
            "objectsAfter": t.objects_after,
            "quota": t.quota,
            "headroom": t.headroom(),
            "p1Needed": t.p1_needed,
            "p1Licenses": t.p1_have,
        })).collect::<Vec<_>>(),
        "timeToAllSeconds": { "min": f.time_to_all.0 .0, "max": f.time_to_all.1 .0 },
        "findings": f.findings.iter().map(|x| json!({ "rule": x.rule().0, "text": finding(f, x) })).collect::<Vec<_>>(),
    })
}

/// The forecast's pairs as CSV.
pub fn to_csv(f: &Forecast) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "source", "target", "now", "after", "in_scope", "create", "matched", "restore", "delete", "held",
        "failed",
    ])
    .expect("in memory");
    for p in f.pairs.iter().take(TABLE_PAIRS_MAX) {
        let failed: u64 = p.failures.iter().map(|x| x.1).sum();
        let nums = [
            p.now, p.after, p.in_scope, p.create, p.matched, p.restore, p.delete, p.held, failed,
        ];
        let mut rec = vec![f.tenants[p.source].name.clone(), f.tenants[p.target].name.clone()];
        rec.extend(nums.iter().map(u64::to_string));
        w.write_record(&rec).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

/// The parameter a sweep varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepParam {
    /// Number of tenants.
    Tenants,
    /// Users per tenant.
    Users,
    /// Shared fraction.
    Share,
}

/// A sweep: `tenants=2..100`, `users=1000..300000:1000`, `share=0.1..1.0:0.1`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// What varies.
    pub param: SweepParam,
    /// The values, in order.
    pub values: Vec<f64>,
}

/// Points in one sweep, at most.
pub const SWEEP_POINTS_MAX: usize = 10_000;
/// Tenant pairs a whole sweep may count (the sum over its points), so that a sweep finishes in
/// seconds: a full mesh of n tenants has n x (n - 1) pairs.
pub const SWEEP_PAIRS_MAX: f64 = 20_000_000.0;

/// Tenants in the quick form: 2 (a pair) to [`mtosim_engine::limits::TENANTS_COUNT_MAX`], past the 100-tenant
/// cap so that sweeps show it.
pub fn check_quick_tenants(n: f64) -> Result<(), String> {
    let max = mtosim_engine::limits::TENANTS_COUNT_MAX;
    if !(2.0..=max as f64).contains(&n) {
        return Err(format!(
            "the quick what-if takes 2 to {max} tenants (TENANTS_COUNT_MAX), not {n}"
        ));
    }
    Ok(())
}

/// Users per tenant in the quick form: 0 to [`mtosim_engine::limits::USERS_PER_TENANT_MAX`].
pub fn check_quick_users(n: f64) -> Result<(), String> {
    let max = mtosim_engine::limits::USERS_PER_TENANT_MAX;
    if !(0.0..=max as f64).contains(&n) {
        return Err(format!(
            "the quick what-if takes 0 to {max} users per tenant (USERS_PER_TENANT_MAX), not {n}"
        ));
    }
    Ok(())
}

/// The shared fraction: 0 to 1.
pub fn check_share(x: f64) -> Result<(), String> {
    if !(0.0..=1.0).contains(&x) {
        return Err(format!("the shared fraction is between 0 and 1, not {x}"));
    }
    Ok(())
}

impl Sweep {
    /// Parses `NAME=FROM..TO[:STEP]`.
    pub fn parse(s: &str) -> Result<Sweep, String> {
        let bad = || {
            format!("\"{s}\" is not a sweep; write e.g. tenants=2..100, users=1000..300000:1000 or share=0.1..1:0.1")
        };
        let (name, range) = s.split_once('=').ok_or_else(bad)?;
        let param = match name {
            "tenants" => SweepParam::Tenants,
            "users" => SweepParam::Users,
            "share" => SweepParam::Share,
            _ => {
                return Err(format!(
                    "unknown sweep parameter \"{name}\"; use tenants, users or share"
                ))
            }
        };
        let (range, step) = match range.split_once(':') {
            Some((r, st)) => (r, Some(st.parse::<f64>().map_err(|_| bad())?)),
            None => (range, None),
        };
        let (from, to) = range.split_once("..").ok_or_else(bad)?;
        let (from, to): (f64, f64) = (from.parse().map_err(|_| bad())?, to.parse().map_err(|_| bad())?);
        let step = step.unwrap_or(match param {
            SweepParam::Share => 0.1,
            SweepParam::Tenants => 1.0,
            SweepParam::Users => ((to - from) / 20.0).max(1.0).round(),
        });
        if step.is_nan() || step <= 0.0 || to < from || !from.is_finite() || !to.is_finite() {
            return Err(bad());
        }
        match param {
            SweepParam::Tenants => check_quick_tenants(from)?,
            SweepParam::Users => check_quick_users(from)?,
            SweepParam::Share => check_share(from)?,
        }
        match param {
            SweepParam::Tenants => check_quick_tenants(to)?,
            SweepParam::Users => check_quick_users(to)?,
            SweepParam::Share => check_share(to)?,
        }
        // counted in floating point first: a tiny step must not wrap the count
        let points = ((to - from) / step).floor() + 1.0;
        if !points.is_finite() || points > SWEEP_POINTS_MAX as f64 {
            let shown = if points < 1e12 {
                format!("{points:.0}")
            } else {
                format!("{points:.1e}")
            };
            return Err(format!(
                "the sweep has {shown} points; at most {SWEEP_POINTS_MAX} (SWEEP_POINTS_MAX): use a larger step"
            ));
        }
        let n = points as usize;
        let values: Vec<f64> = (0..n).map(|i| from + step * i as f64).collect();
        Ok(Sweep { param, values })
    }
    /// The parameter's name.
    pub fn name(&self) -> &'static str {
        match self.param {
            SweepParam::Tenants => "tenants",
            SweepParam::Users => "users",
            SweepParam::Share => "share",
        }
    }
}

/// One row of a sweep: the value, and the busiest tenant's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    /// The parameter's value.
    pub value: f64,
    /// Synchronized accounts in the tenant that receives most.
    pub accounts_max: u64,
    /// Directory objects in that tenant.
    pub objects_max: u64,
    /// The smallest quota headroom over all tenants.
    pub headroom_min: i64,
    /// Creations that fail anywhere.
    pub failed: u64,
    /// Longest time until every account exists, in minutes.
    pub minutes_max: f64,
}

/// Whether the sweep over `base` stays within [`SWEEP_PAIRS_MAX`] tenant pairs in all.
pub fn check_sweep_work(base: &QuickParams, sw: &Sweep) -> Result<(), String> {
    let pairs: f64 = sw
        .values
        .iter()
        .map(|&v| {
            let n = match sw.param {
                SweepParam::Tenants => v.round(),
                _ => base.tenants as f64,
            };
            n * (n - 1.0)
        })
        .sum();
    if pairs > SWEEP_PAIRS_MAX {
        return Err(format!(
            "the sweep would count {pairs:.0} tenant pairs, over {SWEEP_PAIRS_MAX:.0} (SWEEP_PAIRS_MAX); use a larger step or fewer tenants"
        ));
    }
    Ok(())
}

/// Runs the quick form at every value of the sweep.
pub fn sweep(base: &QuickParams, sw: &Sweep) -> Vec<SweepRow> {
    sw.values
        .iter()
        .map(|&v| {
            let mut p = base.clone();
            match sw.param {
                SweepParam::Tenants => p.tenants = v.round() as u32,
                SweepParam::Users => p.users = v.round() as u64,
                SweepParam::Share => p.share = v,
            }
            let f = mtosim_engine::whatif::quick(&p);
            let busiest = f
                .tenants
                .iter()
                .max_by_key(|t| t.accounts_in)
                .cloned()
                .unwrap_or_default();
            SweepRow {
                value: v,
                accounts_max: busiest.accounts_in,
                objects_max: busiest.objects_after,
                headroom_min: f.tenants.iter().map(|t| t.headroom()).min().unwrap_or(0),
                failed: f.pairs.iter().flat_map(|p| p.failures.iter().map(|x| x.1)).sum(),
                minutes_max: f.time_to_all.1 .0 as f64 / 60.0,
            }
        })
        .collect()
}

/// A sweep as CSV.
pub fn sweep_csv(sw: &Sweep, rows: &[SweepRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        sw.name(),
        "accounts_per_tenant_max",
        "objects_max",
        "quota_headroom_min",
        "failed",
        "minutes_to_all_max",
    ])
    .expect("in memory");
    for r in rows {
        w.write_record([
            fmt_value(sw.param, r.value),
            r.accounts_max.to_string(),
            r.objects_max.to_string(),
            r.headroom_min.to_string(),
            r.failed.to_string(),
            format!("{:.1}", r.minutes_max),
        ])
        .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

fn fmt_value(p: SweepParam, v: f64) -> String {
    match p {
        SweepParam::Share => format!("{v:.2}"),
        _ => format!("{}", v.round() as i64),
    }
}

/// A sweep as an SVG line chart: accounts in the busiest tenant and the smallest quota headroom,
/// against the swept parameter.
pub fn sweep_svg(base: &QuickParams, sw: &Sweep, rows: &[SweepRow]) -> Result<String, String> {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let x0 = rows.first().map_or(0.0, |r| r.value);
        let x1 = rows.last().map_or(1.0, |r| r.value).max(x0 + f64::EPSILON);
        let y_max = rows
            .iter()
            .map(|r| (r.accounts_max as f64).max(r.headroom_min as f64))
            .fold(base.object_quota as f64, f64::max)
            * 1.05;
        let y_min = rows.iter().map(|r| r.headroom_min as f64).fold(0.0, f64::min) * 1.05;
        let caption = format!(
            "{} tenants x {} users, share {:.2}, {}, {}: sweep over {}",
            if sw.param == SweepParam::Tenants {
                "N".to_string()
            } else {
                base.tenants.to_string()
            },
            if sw.param == SweepParam::Users {
                "U".to_string()
            } else {
                base.users.to_string()
            },
            base.share,
            base.topology.name(),
            base.rules.kind.name(),
            sw.name()
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y_min..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(sw.name())
            .x_label_formatter(&|v| fmt_value(sw.param, *v))
            .y_desc("directory objects")
            .y_label_formatter(&|v| format!("{:.0}", v))
            .draw()
            .map_err(|e| e.to_string())?;
        let accounts: Vec<(f64, f64)> = rows.iter().map(|r| (r.value, r.accounts_max as f64)).collect();
        let headroom: Vec<(f64, f64)> = rows.iter().map(|r| (r.value, r.headroom_min as f64)).collect();
        chart
            .draw_series(LineSeries::new(accounts, &BLUE))
            .map_err(|e| e.to_string())?
            .label("synced accounts in the busiest tenant")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
        chart
            .draw_series(LineSeries::new(headroom, &RED))
            .map_err(|e| e.to_string())?
            .label("smallest quota headroom (objects left under the quota, CTS-61)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
        chart
            .draw_series(LineSeries::new(vec![(x0, 0.0), (x1, 0.0)], BLACK.mix(0.4)))
            .map_err(|e| e.to_string())?;
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtosim_engine::whatif::Topology;
    use mtosim_engine::{RuleSet, RuleSetKind};

    fn base() -> QuickParams {
        QuickParams {
            tenants: 10,
            users: 3_000,
            share: 1.0,
            topology: Topology::Mesh,
            rules: RuleSet::new(RuleSetKind::Ga),
            object_quota: 300_000,
        }
    }

    #[test]
    fn a_tiny_step_or_a_huge_sweep_is_refused_not_wrapped() {
        let e = Sweep::parse("share=0..1:1e-300").unwrap_err();
        assert!(e.contains("SWEEP_POINTS_MAX"), "{e}");
        let base = QuickParams {
            tenants: 2,
            users: 10,
            share: 1.0,
            topology: mtosim_engine::whatif::Topology::Mesh,
            rules: mtosim_engine::rules::RuleSet::new(mtosim_engine::rules::RuleSetKind::Ga),
            object_quota: 300_000,
        };
        let big = Sweep::parse("tenants=2..1000").unwrap();
        assert!(check_sweep_work(&base, &big)
            .unwrap_err()
            .contains("SWEEP_PAIRS_MAX"));
        assert!(check_sweep_work(&base, &Sweep::parse("tenants=2..100").unwrap()).is_ok());
    }

    #[test]
    fn sweeps_parse_and_refuse_nonsense() {
        let s = Sweep::parse("tenants=2..100").unwrap();
        assert_eq!(s.values.len(), 99);
        assert_eq!(Sweep::parse("share=0.1..1:0.1").unwrap().values.len(), 10);
        assert!(Sweep::parse("colour=1..2")
            .unwrap_err()
            .contains("unknown sweep parameter"));
        assert!(Sweep::parse("tenants=5..2").is_err());
        assert!(Sweep::parse("users=1..1000000:1")
            .unwrap_err()
            .contains("SWEEP_POINTS_MAX"));
        assert!(Sweep::parse("users=1..100000000:1000")
            .unwrap_err()
            .contains("USERS_PER_TENANT_MAX"));
        assert!(Sweep::parse("tenants=0..5")
            .unwrap_err()
            .contains("TENANTS_COUNT_MAX"));
        assert!(Sweep::parse("share=0..2")
            .unwrap_err()
            .contains("between 0 and 1"));
    }

    #[test]
    fn a_tenant_sweep_crosses_the_quota() {
        let sw = Sweep::parse("tenants=2..100:2").unwrap();
        let rows = sweep(&base(), &sw);
        assert!(rows.first().unwrap().headroom_min > 0);
        // 100 tenants x 3,000 users in a mesh: 297,000 accounts + 3,000 users = 300,000 objects
        let last = rows.last().unwrap();
        assert_eq!(last.accounts_max, 297_000);
        assert_eq!(last.headroom_min, 0);
        let csv = sweep_csv(&sw, &rows);
        assert!(csv.starts_with("tenants,accounts_per_tenant_max"));
        let svg = sweep_svg(&base(), &sw, &rows).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("smallest quota headroom"));
    }
}
