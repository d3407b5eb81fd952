//! Rendering of `mtosim whatif`: the forecast as a text table, JSON or CSV, and sweeps over one
//! parameter of the quick form as a CSV and an SVG chart (plotters). JSON and CSV are written to
//! a writer pair by pair and finding by finding, the quick form's generated as they are written
//! ([`write_quick_json`], [`write_quick_csv`]): nothing the size of the listing is held.

use mtosim_engine::sync::{self, Idle};
use mtosim_engine::whatif::{
    EscrowOutcome, Finding, Forecast, PairForecast, QuickForm, QuickParams, TenantForecast, Totals,
};
use mtosim_engine::RuleId;
use serde_json::json;
use std::borrow::Borrow;
use std::fmt::Write;
use std::io;

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
    finding_in(&f.tenants, x)
}

/// A finding in words, its tenants named from `tenants`.
fn finding_in(tenants: &[TenantForecast], x: &Finding) -> String {
    let name = |i: usize| &tenants[i].name;
    match *x {
        Finding::OverTenantCap { active, cap, .. } => {
            format!(
                "an MTO with {} active tenants exceeds the cap of {}",
                num(active as u64),
                num(cap.into())
            )
        }
        Finding::OverQuota { tenant } => {
            let t = &tenants[tenant];
            format!(
                "{} would need {} objects, {} over its quota of {}",
                t.name,
                num(t.objects_after),
                num(t.headroom().unsigned_abs()),
                num(t.quota)
            )
        }
        Finding::TooManyUsersAtJoin { tenant, max, .. } => format!(
            "{} has {} internal users, more than {} allowed at join",
            name(tenant),
            num(tenants[tenant].internal_users),
            num(max)
        ),
        Finding::P1Short { tenant } => {
            let t = &tenants[tenant];
            format!(
                "{} needs {} P1 licences for the users sync shares and has {}",
                t.name,
                num(t.p1_needed),
                num(t.p1_have.unwrap_or(0))
            )
        }
        Finding::Failures {
            source,
            target,
            code,
            count,
        } => format!(
            "{} accounts from {} in {} would fail with {code}",
            num(count),
            name(source),
            name(target)
        ),
        Finding::Held {
            source,
            target,
            count,
        } => format!(
            "{} deletions or disables from {} in {} would be held by the threshold",
            num(count),
            name(source),
            name(target)
        ),
        Finding::JobStops {
            source,
            target,
            ref config,
            failed,
            evaluated,
            outcome,
        } => {
            let job = if config.is_empty() {
                format!("the job from {} to {}", name(source), name(target))
            } else {
                format!("{config} ({} to {})", name(source), name(target))
            };
            format!("{job}: {}", escrow_words(outcome, failed, evaluated, 1))
        }
    }
}

/// What failed creations do to a job, in words; with `jobs` > 1 the numbers are those of each
/// job of a group.
fn escrow_words(outcome: EscrowOutcome, failed: u64, evaluated: u64, jobs: u64) -> String {
    let each = if jobs > 1 { " each" } else { "" };
    let (failed, evaluated) = (num(failed), num(evaluated));
    match outcome {
        EscrowOutcome::Retried => format!(
            "{failed} creations fail{each}, fewer than the {} failures in a cycle at which escrow \
             thresholds apply: they are escrowed and retried every cycle, and {}",
            num(sync::ESCROW_EVALUATION_MIN),
            if jobs > 1 {
                "the jobs keep running"
            } else {
                "the job keeps running"
            }
        ),
        EscrowOutcome::Paused(reason) => format!(
            "the initial cycle would have {failed} failures of {evaluated} objects{each}, over the escrow \
             threshold ({}): escrows pruned and the job paused for the admin",
            reason.as_str()
        ),
        EscrowOutcome::Quarantined { reason, at_retry } => format!(
            "{}{failed} failures of {evaluated} objects{each}, over the escrow threshold: quarantine ({}), \
             retried {} and disabled after {}",
            if at_retry {
                "the first retry of its escrows would have ".to_string()
            } else {
                "the next cycle would have ".to_string()
            },
            reason.as_str(),
            retry_schedule(),
            sync::QUARANTINE_GIVE_UP
        ),
    }
}

/// CTS-53's retry schedule, from the engine's: "6h, 12h and 24h after the first failure, then
/// every 24h".
fn retry_schedule() -> String {
    use mtosim_engine::SimTime;
    let at = |n: u32| sync::Quarantine::retry_after(SimTime(0), n) - SimTime(0);
    let step = mtosim_engine::Duration(at(4).0 - at(3).0);
    format!(
        "{}, {} and {} after the first failure, then every {step}",
        at(1),
        at(2),
        at(3)
    )
}

/// A count with thousands separators: 29,700,000.
pub fn num(n: u64) -> String {
    let digits = n.to_string();
    let first = match digits.len() % 3 {
        0 => 3.min(digits.len()),
        r => r,
    };
    let mut out = digits[..first].to_string();
    for group in digits.as_bytes()[first..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).expect("ASCII digits"));
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", num(n), if n == 1 { one } else { many })
}

/// Tenants, pairs or configurations by name, at most three of them: "tenant001 to tenant100"
/// for `ranges` whose indexes run without a gap, else "a, b, c and 97 more".
fn names(items: &[usize], ranges: bool, name: impl Fn(usize) -> String) -> String {
    match items {
        [] => String::new(),
        [a] => name(*a),
        [a, b] => format!("{} and {}", name(*a), name(*b)),
        _ if ranges && items.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("{} to {}", name(items[0]), name(items[items.len() - 1]))
        }
        [a, b, c] => format!("{}, {} and {}", name(*a), name(*b), name(*c)),
        _ => format!(
            "{}, {}, {} and {} more",
            name(items[0]),
            name(items[1]),
            name(items[2]),
            num(items.len() as u64 - 3)
        ),
    }
}

/// Groups of identical keys, in the order each first appears, with the items of each.
fn group<K: Ord + Clone>(items: impl Iterator<Item = (usize, K)>) -> Vec<(K, Vec<usize>)> {
    let mut groups: Vec<(K, Vec<usize>)> = Vec::new();
    let mut index: std::collections::BTreeMap<K, usize> = std::collections::BTreeMap::new();
    for (i, k) in items {
        match index.get(&k) {
            Some(&g) => groups[g].1.push(i),
            None => {
                index.insert(k.clone(), groups.len());
                groups.push((k, vec![i]));
            }
        }
    }
    groups
}

/// A failure code in a few words, with its rule.
fn failure_words(code: &str) -> String {
    let rule = sync::failure_rule(code);
    match code {
        "AzureActiveDirectoryQuotaLimitExceeded" => format!("quota full ({rule})"),
        "SyncedUsersPerTenantPairLimitExceeded" => format!("over the per-pair cap ({rule})"),
        _ => format!("{code} ({rule})"),
    }
}

fn failures_words(failures: &[(&'static str, u64)]) -> String {
    match failures {
        [(code, _)] => failure_words(code),
        _ => failures
            .iter()
            .map(|(code, n)| format!("{} {}", num(*n), failure_words(code)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Groups of findings, tenants and jobs the summary shows at most each; `--pairs`, `--csv` and
/// `--json` show the rest.
pub const SUMMARY_GROUPS_MAX: usize = 20;

/// What arrives in tenant `t` and what happens to it, without the tenant's name: identical
/// lines group.
fn tenant_line(f: &Forecast, t: usize, x: &Totals) -> String {
    let ten = &f.tenants[t];
    let mut parts: Vec<String> = Vec::new();
    {
        let mut a = arrive_words(x);
        if x.existing > 0 {
            let _ = write!(a, ", {}", exist_words(x));
        }
        let fails = &x.failures;
        let untouched = x.existing == 0 && x.matched == 0 && x.restore == 0;
        if x.failed > 0 && x.create == 0 && untouched && x.failed == x.in_scope {
            let _ = write!(a, ", all fail: {}", failures_words(fails));
        } else if x.failed > 0 {
            let _ = write!(
                a,
                ", {} can be created, {} fail: {}",
                num(x.create),
                num(x.failed),
                failures_words(fails)
            );
        } else if x.create > 0 && untouched && x.create == x.in_scope {
            let _ = write!(a, ", all can be created");
        } else if x.create > 0 {
            let _ = write!(a, ", {} can be created", num(x.create));
        }
        for (n, what) in [
            (x.restore, "restored"),
            (x.matched, "taken over (CTS-26)"),
            (x.delete, "deleted"),
            (x.held, "deletions held (CTS-51)"),
            (x.created_guests, "created as Guest"),
        ] {
            if n > 0 {
                let _ = write!(a, ", {} {what}", num(n));
            }
        }
        if x.now > 0 && (x.now != x.after || x.now != x.existing) {
            let _ = write!(
                a,
                " ({} now, {} after)",
                plural(x.now, "synced account", "synced accounts"),
                num(x.after)
            );
        }
        parts.push(a);
    }
    let mut o = if ten.objects_now == ten.objects_after {
        format!("objects {} now and after", num(ten.objects_now))
    } else {
        format!(
            "objects {} now, {} after",
            num(ten.objects_now),
            num(ten.objects_after)
        )
    };
    let _ = write!(o, ", quota {}", num(ten.quota));
    if ten.headroom() < 0 {
        let _ = write!(o, " ({} over)", num(ten.headroom().unsigned_abs()));
    }
    parts.push(o);
    match ten.p1_have {
        _ if ten.p1_needed == 0 => {}
        Some(have) => parts.push(format!("{} P1 needed, {} owned", num(ten.p1_needed), num(have))),
        None => parts.push(format!("{} P1 needed", num(ten.p1_needed))),
    }
    parts.join("; ")
}

/// A finding without the tenants it names (identical ones group, their numbers per item), with
/// its rule and the kind of thing it names: tenants, pairs or jobs.
fn finding_key(f: &Forecast, x: &Finding) -> (RuleId, String, &'static str) {
    let rule = x.rule();
    let key = match *x {
        Finding::OverTenantCap { .. } => return (rule, finding(f, x), ""),
        Finding::OverQuota { tenant } => {
            let t = &f.tenants[tenant];
            format!(
                "would need {} objects each, {} over the quota of {}",
                num(t.objects_after),
                num(t.headroom().unsigned_abs()),
                num(t.quota)
            )
        }
        Finding::TooManyUsersAtJoin { tenant, max, .. } => format!(
            "have {} internal users each, more than {} allowed at join",
            num(f.tenants[tenant].internal_users),
            num(max)
        ),
        Finding::P1Short { tenant } => {
            let t = &f.tenants[tenant];
            format!(
                "need {} P1 licences each for the users sync shares and have {}",
                num(t.p1_needed),
                num(t.p1_have.unwrap_or(0))
            )
        }
        Finding::Failures { code, count, .. } => {
            format!("{} accounts each would fail with {code}", num(count))
        }
        Finding::Held { count, .. } => format!(
            "{} deletions or disables each would be held by the threshold",
            num(count)
        ),
        Finding::JobStops {
            failed,
            evaluated,
            outcome,
            ..
        } => return (rule, escrow_words(outcome, failed, evaluated, 2), "jobs"),
    };
    let what = match x {
        Finding::OverQuota { .. } | Finding::TooManyUsersAtJoin { .. } | Finding::P1Short { .. } => "tenants",
        _ => "pairs",
    };
    (rule, key, what)
}

fn finding_tenant(x: &Finding) -> Option<usize> {
    match *x {
        Finding::OverQuota { tenant }
        | Finding::TooManyUsersAtJoin { tenant, .. }
        | Finding::P1Short { tenant } => Some(tenant),
        _ => None,
    }
}

fn finding_subject(f: &Forecast, x: &Finding) -> String {
    let name = |i: usize| f.tenants[i].name.clone();
    match *x {
        Finding::OverQuota { tenant }
        | Finding::TooManyUsersAtJoin { tenant, .. }
        | Finding::P1Short { tenant } => name(tenant),
        Finding::Failures { source, target, .. } | Finding::Held { source, target, .. } => {
            format!("from {} in {}", name(source), name(target))
        }
        Finding::JobStops { source, target, .. } => format!("{} to {}", name(source), name(target)),
        Finding::OverTenantCap { .. } => String::new(),
    }
}

/// Users in scope that no account stands for and none will: skipped (disabled users are never
/// provisioned, CTS-24; external users are no sync source, CTS-20; internal guests, CTS-21).
fn skipped(x: &Totals) -> u64 {
    x.in_scope
        .saturating_sub(x.existing + x.create + x.failed + x.matched + x.restore)
}

/// "N accounts would arrive" (users in scope that are provisioned), or "in scope" when nothing
/// new would.
fn arrive_words(x: &Totals) -> String {
    let arriving = x.in_scope - skipped(x);
    if arriving == 0 {
        "no account would arrive".into()
    } else if x.create + x.failed + x.restore + x.matched == 0 {
        format!("{} in scope", plural(arriving, "account", "accounts"))
    } else {
        format!("{} would arrive", plural(arriving, "account", "accounts"))
    }
}

fn exist_words(x: &Totals) -> String {
    match x.existing {
        n if n == x.in_scope && n > 1 => "all exist".into(),
        1 => "1 exists".into(),
        n => format!("{} exist", num(n)),
    }
}

/// The verdict on creations, the first line of a summary.
fn verdict(x: &Totals) -> String {
    let arrive = arrive_words(x);
    let mut rest = Vec::new();
    if x.existing > 0 {
        rest.push(exist_words(x));
    }
    if x.create > 0 || x.failed > 0 {
        rest.push(format!("{} can be created", num(x.create)));
    }
    if x.failed > 0 {
        rest.push(format!("{} fail", num(x.failed)));
    }
    for (n, what) in [
        (
            skipped(x),
            "users in scope skipped (never provisioned while disabled, CTS-24; external users and internal guests, CTS-20, CTS-21)",
        ),
        (x.restore, "restored"),
        (x.matched, "taken over (CTS-26)"),
        (x.delete, "deleted"),
        (x.held, "deletions held (CTS-51)"),
    ] {
        if n > 0 {
            rest.push(format!("{} {what}", num(n)));
        }
    }
    let head = if x.failed > 0 && x.create + x.restore == 0 {
        "Every creation fails"
    } else if x.failed > 0 {
        "Some creations fail"
    } else if x.create + x.restore > 0 {
        "Every account can be created"
    } else if x.delete + x.held + x.matched > 0 {
        "Nothing to create"
    } else if x.in_scope == 0 && x.now == 0 {
        return "No account would arrive: no running configuration has users in scope.".into();
    } else {
        "Nothing to create"
    };
    if x.failed == 0 && x.create == x.in_scope && x.existing + x.matched + x.restore == 0 {
        rest.clear();
    }
    if rest.is_empty() {
        format!("{head}: {arrive}.")
    } else {
        format!("{head}: {arrive}, {}.", rest.join(", "))
    }
}

/// The forecast as a summary a person reads in one screen: what would arrive, what can be
/// created, what fails and why, what that does to the jobs, the P1 licences, per tenant (grouped
/// when identical), and the distinct findings with counts.
pub fn summary(f: &Forecast) -> String {
    let mut out = String::new();
    let x = f.totals();
    let org = match f.mtos.as_slice() {
        [] => "cross-tenant sync without an MTO".to_string(),
        [n] => format!("an MTO of {} active tenants", num(*n as u64)),
        v => format!("{} MTOs", v.len()),
    };
    let _ = writeln!(
        out,
        "What-if under {}: {}, {}, {} (counted, nothing provisioned).\n",
        f.rules,
        plural(f.tenants.len() as u64, "tenant", "tenants"),
        plural(f.pairs.len() as u64, "source-target pair", "source-target pairs"),
        org
    );
    let _ = writeln!(out, "{}", verdict(&x));
    for &(code, n) in &x.failures {
        let _ = writeln!(out, "  {} fail with {code}: {}", num(n), failure_words(code));
    }
    // tenants whose quota is reached before anything arrives (CTS-61)
    let by_target = f.totals_by_target();
    let full: Vec<usize> = (0..f.tenants.len())
        .filter(|&i| f.tenants[i].objects_now >= f.tenants[i].quota && by_target[i].failed > 0)
        .collect();
    if !full.is_empty() {
        let groups = group(
            full.iter()
                .map(|&i| (i, (f.tenants[i].objects_now, f.tenants[i].quota))),
        );
        for ((now, quota), items) in groups.iter().take(SUMMARY_GROUPS_MAX) {
            let who = match items.len() {
                1 => format!("{} is", f.tenants[items[0]].name),
                n => format!(
                    "{} tenants ({}) are",
                    num(n as u64),
                    names(items, true, |i| f.tenants[i].name.clone())
                ),
            };
            let _ = writeln!(
                out,
                "  {who} full before any account arrives: {} objects{} of a {} quota",
                num(*now),
                if items.len() > 1 { " each" } else { "" },
                num(*quota)
            );
        }
    }
    // what the failures do to the jobs (CTS-52..CTS-54), as a run narrates it
    let jobs: Vec<(usize, &mtosim_engine::whatif::EscrowForecast)> = f
        .pairs
        .iter()
        .flat_map(|p| p.escrows.iter())
        .enumerate()
        .collect();
    let groups = group(jobs.iter().map(|(i, e)| {
        (
            *i,
            (
                escrow_words(e.outcome, e.failed, e.evaluated, 2),
                e.outcome.rule(),
            ),
        )
    }));
    for (_, items) in groups.iter().take(SUMMARY_GROUPS_MAX) {
        let (n, e) = (items.len() as u64, jobs[items[0]].1);
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            plural(n, "job", "jobs"),
            e.outcome.rule(),
            escrow_words(e.outcome, e.failed, e.evaluated, n)
        );
    }
    if groups.len() > SUMMARY_GROUPS_MAX {
        let _ = writeln!(
            out,
            "  ... and {} more kinds of job (SUMMARY_GROUPS_MAX)",
            groups.len() - SUMMARY_GROUPS_MAX
        );
    }
    // configurations that would do nothing
    let idle: Vec<(String, String)> = f
        .pairs
        .iter()
        .flat_map(|p| p.idle.iter().map(|(name, why)| (name.clone(), idle(why))))
        .collect();
    let groups = group(idle.iter().enumerate().map(|(i, (_, why))| (i, why.clone())));
    for (why, items) in groups.iter().take(SUMMARY_GROUPS_MAX) {
        let _ = writeln!(
            out,
            "  {} {} nothing: {why} ({})",
            plural(items.len() as u64, "configuration", "configurations"),
            if items.len() == 1 { "does" } else { "do" },
            names(items, false, |i| idle[i].0.clone())
        );
    }
    // P1 licences for the users sync shares, created or not (MTO-52)
    let p1: u64 = f.tenants.iter().map(|t| t.p1_needed).sum();
    if p1 > 0 {
        let sharing: Vec<usize> = (0..f.tenants.len())
            .filter(|&i| f.tenants[i].p1_needed > 0)
            .collect();
        let same = sharing
            .iter()
            .all(|&i| f.tenants[i].p1_needed == f.tenants[sharing[0]].p1_needed);
        let per = if sharing.len() > 1 && same {
            format!(
                ", {} in each of {} tenants",
                num(f.tenants[sharing[0]].p1_needed),
                num(sharing.len() as u64)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "P1 licences (MTO-52): the shared users need {} in their home tenants{per}{}.",
            num(p1),
            if x.failed > 0 {
                ", also those whose accounts cannot be created"
            } else {
                ""
            }
        );
    }
    // per tenant, identical lines grouped
    let _ = writeln!(out, "\nPer tenant:");
    let groups = group((0..f.tenants.len()).map(|i| (i, tenant_line(f, i, &by_target[i]))));
    for (line, items) in groups.iter().take(SUMMARY_GROUPS_MAX) {
        let label = if items.len() == 1 {
            f.tenants[items[0]].name.clone()
        } else {
            format!(
                "{} ({})",
                plural(items.len() as u64, "tenant", "tenants"),
                names(items, true, |i| f.tenants[i].name.clone())
            )
        };
        let _ = writeln!(out, "  {label}: {line}");
    }
    if groups.len() > SUMMARY_GROUPS_MAX {
        let rest: usize = groups[SUMMARY_GROUPS_MAX..].iter().map(|g| g.1.len()).sum();
        let _ = writeln!(
            out,
            "  ... and {} more (SUMMARY_GROUPS_MAX); --json lists every tenant",
            plural(rest as u64, "tenant", "tenants")
        );
    }
    // time and the Members of accounts that will exist
    let _ = writeln!(out);
    if x.create + x.restore > 0 && f.time_to_all.1 .0 > 0 {
        let _ = writeln!(
            out,
            "{} within {} to {} (cycles every {}, {:.2} to {:.2} minutes per object; CTS-41, CTS-59).",
            if x.failed > 0 {
                "Every account that can be created exists"
            } else {
                "Every account exists"
            },
            dur(f.time_to_all.0),
            dur(f.time_to_all.1),
            sync::CYCLE_INTERVAL,
            sync::OBJECT_MS_MIN as f64 / 60_000.0,
            sync::OBJECT_MS_MAX as f64 / 60_000.0
        );
    } else if x.failed == 0 && f.time_to_all.1 .0 == 0 {
        let _ = writeln!(out, "Nothing left to provision: sync has converged.");
    } else if f.time_to_all.1 .0 > 0 {
        let _ = writeln!(
            out,
            "The changes are made within {} to {} (CTS-41, CTS-59).",
            dur(f.time_to_all.0),
            dur(f.time_to_all.1)
        );
    }
    let after: u64 = f.tenants.iter().map(|t| t.accounts_in).sum();
    if after > 0 {
        let guests: u64 = f
            .tenants
            .iter()
            .map(|t| t.accounts_in - t.accounts_in_members.min(t.accounts_in))
            .sum();
        let what = if f.mtos.is_empty() {
            "People search"
        } else {
            "Teams' MTO experience and people search"
        };
        if guests == 0 {
            let _ = writeln!(
                out,
                "{what}: every synced account is a Member shown in the address list (MTO-76, MTO-77)."
            );
        } else {
            let _ = writeln!(
                out,
                "{what}: {} synced accounts are Guests and will not get them (MTO-77).",
                num(guests)
            );
        }
    }
    // the distinct findings, with counts
    // (paused and quarantined jobs are told above, with the failures)
    let shown: Vec<usize> = (0..f.findings.len())
        .filter(|&i| !matches!(f.findings[i], Finding::JobStops { .. }))
        .collect();
    if shown.is_empty() {
        let _ = writeln!(out, "No cap, quota or licence problem.");
    } else {
        let groups = group(shown.iter().map(|&i| (i, finding_key(f, &f.findings[i]))));
        let _ = writeln!(
            out,
            "Findings ({}, {} distinct):",
            num(shown.len() as u64),
            num(groups.len() as u64)
        );
        for ((rule, key, what), items) in groups.iter().take(SUMMARY_GROUPS_MAX) {
            if items.len() == 1 {
                let _ = writeln!(out, "  [{rule}] {}", finding(f, &f.findings[items[0]]));
            } else if *what == "tenants" {
                let tenants: Vec<usize> = items
                    .iter()
                    .filter_map(|&i| finding_tenant(&f.findings[i]))
                    .collect();
                let _ = writeln!(
                    out,
                    "  [{rule}] {} ({}) {key}",
                    plural(tenants.len() as u64, "tenant", "tenants"),
                    names(&tenants, true, |i| f.tenants[i].name.clone())
                );
            } else {
                let _ = writeln!(
                    out,
                    "  [{rule}] {} {what}: {key} ({})",
                    num(items.len() as u64),
                    names(items, false, |i| finding_subject(f, &f.findings[i]))
                );
            }
        }
        if groups.len() > SUMMARY_GROUPS_MAX {
            let _ = writeln!(
                out,
                "  ... and {} more kinds of finding (SUMMARY_GROUPS_MAX); --json lists every one",
                groups.len() - SUMMARY_GROUPS_MAX
            );
        }
    }
    let _ = writeln!(
        out,
        "\n--pairs adds the pair table (at most {TABLE_PAIRS_MAX} pairs, TABLE_PAIRS_MAX); --csv or --json lists every pair and finding."
    );
    out
}

/// Pair rows the `--pairs` table shows, at most; `--csv` and `--json` list all.
pub const TABLE_PAIRS_MAX: usize = 200;

/// The pair table `--pairs` adds to the summary: one row per source -> target pair, at most
/// [`TABLE_PAIRS_MAX`] of them.
pub fn pair_table(f: &Forecast) -> String {
    let mut out = String::new();
    let w = f.tenants.iter().map(|t| t.name.len()).max().unwrap_or(6).max(6);
    let _ = writeln!(
        out,
        "{:<w$}  {:<w$}  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}  {:>8}  {:>8}  notes",
        "source", "target", "now", "after", "in scope", "create", "matched", "delete", "failed"
    );
    for p in f.pairs.iter().take(TABLE_PAIRS_MAX) {
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
        notes.extend(p.escrows.iter().filter(|e| e.outcome.stops()).map(|e| {
            let what = match e.outcome {
                EscrowOutcome::Paused(_) => "paused",
                _ => "quarantined",
            };
            let name = if e.config.is_empty() { "job" } else { &e.config };
            format!("{name}: {what} ({})", e.outcome.rule())
        }));
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
            p.failed(),
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
    out
}

/// What a JSON or CSV listing of a forecast holds besides its pairs and findings.
struct Head<'a> {
    rules: &'a str,
    mtos: &'a [usize],
    tenants: &'a [TenantForecast],
    time_to_all: (mtosim_engine::Duration, mtosim_engine::Duration),
}

impl<'a> Head<'a> {
    fn of(f: &'a Forecast) -> Head<'a> {
        Head {
            rules: &f.rules,
            mtos: &f.mtos,
            tenants: &f.tenants,
            time_to_all: f.time_to_all,
        }
    }
    fn of_quick(q: &'a QuickForm) -> Head<'a> {
        Head {
            rules: &q.rules,
            mtos: &q.mtos,
            tenants: &q.tenants,
            time_to_all: q.time_to_all,
        }
    }
}

/// The forecast as one JSON document with a schema version, on one line, written to `w` pair by
/// pair and finding by finding.
pub fn write_json(w: &mut impl io::Write, f: &Forecast) -> io::Result<()> {
    json_to(w, &Head::of(f), &f.pairs, &f.findings)
}

/// The quick form as [`write_json`] writes its forecast ([`mtosim_engine::whatif::quick_with`]),
/// each pair and finding generated, written and dropped: memory stays in the number of tenants.
pub fn write_quick_json(w: &mut impl io::Write, q: &QuickForm) -> io::Result<()> {
    json_to(w, &Head::of_quick(q), q.pairs(), q.findings())
}

/// Writes `value` as compact JSON.
fn put(w: &mut impl io::Write, value: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer(&mut *w, value).map_err(io::Error::from)
}

/// Writes `n` as JSON.
fn put_num(w: &mut impl io::Write, n: u64) -> io::Result<()> {
    serde_json::to_writer(&mut *w, &n).map_err(io::Error::from)
}

/// Writes `,"key":` (the key needs no escape).
fn put_key(w: &mut impl io::Write, key: &str) -> io::Result<()> {
    w.write_all(b",\"")?;
    w.write_all(key.as_bytes())?;
    w.write_all(b"\":")
}

/// Writes `s` as a JSON string.
fn put_str(w: &mut impl io::Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *w, s).map_err(io::Error::from)
}

/// Writes `,"key":[`, then each item as `item` writes it, comma-separated, then `]`.
fn json_array<T, W: io::Write>(
    w: &mut W,
    key: &str,
    items: impl IntoIterator<Item = T>,
    mut item: impl FnMut(&mut W, T) -> io::Result<()>,
) -> io::Result<()> {
    put_key(w, key)?;
    w.write_all(b"[")?;
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        item(w, x)?;
    }
    w.write_all(b"]")
}

/// The document, its keys in the order it has always had. The pairs and findings (all but a
/// few hundred bytes of a large one) are written field by field, as `serde_json` writes the
/// same values, so that none is built in memory; the test module holds the document as it was
/// built before, in memory, and compares.
fn json_to<P: Borrow<PairForecast>, X: Borrow<Finding>, W: io::Write>(
    w: &mut W,
    head: &Head,
    pairs: impl IntoIterator<Item = P>,
    findings: impl IntoIterator<Item = X>,
) -> io::Result<()> {
    let tenants = head.tenants;
    w.write_all(b"{\"schemaVersion\":")?;
    put(w, &json!(crate::jsonl::SCHEMA_VERSION))?;
    w.write_all(b",\"rules\":")?;
    put(w, &json!(head.rules))?;
    w.write_all(b",\"mtoActiveTenants\":")?;
    put(w, &json!(head.mtos))?;
    json_array(w, "pairs", pairs, |w, p| pair_json(w, tenants, p.borrow()))?;
    json_array(w, "tenants", tenants, |w, t| put(w, &tenant_json(t)))?;
    w.write_all(b",\"timeToAllSeconds\":")?;
    put(
        w,
        &json!({ "min": head.time_to_all.0 .0, "max": head.time_to_all.1 .0 }),
    )?;
    json_array(w, "findings", findings, |w, x| {
        let x = x.borrow();
        w.write_all(b"{\"rule\":")?;
        put_str(w, x.rule().0)?;
        put_key(w, "text")?;
        put_str(w, &finding_in(tenants, x))?;
        w.write_all(b"}")
    })?;
    w.write_all(b"}\n")
}

/// One pair as a JSON object.
fn pair_json<W: io::Write>(w: &mut W, tenants: &[TenantForecast], p: &PairForecast) -> io::Result<()> {
    w.write_all(b"{\"source\":")?;
    put_str(w, &tenants[p.source].name)?;
    put_key(w, "target")?;
    put_str(w, &tenants[p.target].name)?;
    for (key, n) in [
        ("now", p.now),
        ("after", p.after),
        ("inScope", p.in_scope),
        ("existing", p.existing),
        ("create", p.create),
        ("matched", p.matched),
        ("restore", p.restore),
        ("delete", p.delete),
        ("held", p.held),
        ("createdMembers", p.created_types.0),
        ("createdGuests", p.created_types.1),
    ] {
        put_key(w, key)?;
        put_num(w, n)?;
    }
    json_array(w, "failures", &p.failures, |w, (code, n)| {
        w.write_all(b"{\"code\":")?;
        put_str(w, code)?;
        put_key(w, "count")?;
        put_num(w, *n)?;
        w.write_all(b"}")
    })?;
    json_array(w, "idle", &p.idle, |w, (name, why)| {
        put_str(w, &format!("{name}: {}", idle(why)))
    })?;
    json_array(w, "escrows", &p.escrows, |w, e| {
        w.write_all(b"{\"config\":")?;
        put_str(w, &e.config)?;
        put_key(w, "failed")?;
        put_num(w, e.failed)?;
        put_key(w, "evaluated")?;
        put_num(w, e.evaluated)?;
        put_key(w, "initialCycle")?;
        w.write_all(if e.initial { b"true" } else { b"false" })?;
        put_key(w, "outcome")?;
        put_str(
            w,
            match e.outcome {
                EscrowOutcome::Retried => "retried",
                EscrowOutcome::Paused(_) => "paused",
                EscrowOutcome::Quarantined { .. } => "quarantine",
            },
        )?;
        put_key(w, "reason")?;
        match e.outcome {
            EscrowOutcome::Retried => w.write_all(b"null")?,
            EscrowOutcome::Paused(r) | EscrowOutcome::Quarantined { reason: r, .. } => {
                put_str(w, r.as_str())?
            }
        }
        put_key(w, "rule")?;
        put_str(w, e.outcome.rule().0)?;
        w.write_all(b"}")
    })?;
    w.write_all(b"}")
}

fn tenant_json(t: &TenantForecast) -> serde_json::Value {
    json!({
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
    })
}

/// The forecast's pairs as CSV, every one of them, written to `w` row by row.
pub fn write_csv(w: &mut impl io::Write, f: &Forecast) -> io::Result<()> {
    csv_to(w, &f.tenants, &f.pairs)
}

/// The quick form's pairs as [`write_csv`] writes its forecast's, each generated, written and
/// dropped.
pub fn write_quick_csv(w: &mut impl io::Write, q: &QuickForm) -> io::Result<()> {
    csv_to(w, &q.tenants, q.pairs())
}

/// A CSV writer's error as the I/O error it is (the records written are all well formed).
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn csv_to<P: Borrow<PairForecast>>(
    w: &mut impl io::Write,
    tenants: &[TenantForecast],
    pairs: impl IntoIterator<Item = P>,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(w);
    w.write_record([
        "source", "target", "now", "after", "in_scope", "create", "matched", "restore", "delete", "held",
        "failed",
    ])
    .map_err(csv_io)?;
    for p in pairs {
        let p = p.borrow();
        let failed = p.failed();
        let nums = [
            p.now, p.after, p.in_scope, p.create, p.matched, p.restore, p.delete, p.held, failed,
        ];
        w.write_field(&tenants[p.source].name).map_err(csv_io)?;
        w.write_field(&tenants[p.target].name).map_err(csv_io)?;
        for n in nums {
            w.write_field(n.to_string()).map_err(csv_io)?;
        }
        w.write_record(None::<&[u8]>).map_err(csv_io)?;
    }
    w.flush()
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
    /// Parses `NAME=FROM..TO[:STEP]`. The step is a finite number above 0; tenants and users
    /// take whole numbers, so their bounds and step are whole. Messages do not repeat the sweep:
    /// the caller names it (`--sweep tenants=2..5:0.5: ...`).
    pub fn parse(s: &str) -> Result<Sweep, String> {
        let bad = || {
            "not a sweep; write e.g. tenants=2..100, users=1000..300000:1000 or share=0.1..1:0.1".to_string()
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
        if to < from || !from.is_finite() || !to.is_finite() {
            return Err(bad());
        }
        let whole = param != SweepParam::Share;
        // what a valid sweep over the same range looks like
        let example = |step: &str| {
            if whole {
                let a = from.ceil();
                format!("{name}={a}..{}:{step}", to.floor().max(a))
            } else {
                format!("{name}={from}..{to}:{step}")
            }
        };
        if whole {
            for (what, v) in [("start", from), ("end", to)] {
                if v.fract() != 0.0 {
                    return Err(format!(
                        "{name} are counted in whole numbers, and the {what} {v} is not one; e.g. {}",
                        example("1")
                    ));
                }
            }
        }
        let default = match param {
            SweepParam::Share => 0.1,
            SweepParam::Tenants => 1.0,
            SweepParam::Users => ((to - from) / 20.0).max(1.0).round(),
        };
        let step = step.unwrap_or(default);
        if !step.is_finite() || step <= 0.0 {
            return Err(format!(
                "the step must be a finite number above 0, not {step}; e.g. {}",
                example(&default.to_string())
            ));
        }
        if whole && step.fract() != 0.0 {
            return Err(format!(
                "{name} are counted in whole numbers, so the step must be a whole number (1 or more), not {step}; e.g. {}",
                example(&step.ceil().to_string())
            ));
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
            // the pairs are counted as they are generated, none kept
            let f = QuickForm::new(&p, mtosim_engine::whatif::Org::Mto);
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
                failed: f.pairs().map(|p| p.failed()).sum(),
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

    /// The document as it was built before it was streamed: a `serde_json::Value`, in memory.
    fn in_memory_json(f: &Forecast) -> serde_json::Value {
        json!({
            "schemaVersion": crate::jsonl::SCHEMA_VERSION,
            "rules": f.rules,
            "mtoActiveTenants": f.mtos,
            "pairs": f.pairs.iter().map(|p| json!({
                "source": f.tenants[p.source].name,
                "target": f.tenants[p.target].name,
                "now": p.now,
                "after": p.after,
                "inScope": p.in_scope,
                "existing": p.existing,
                "create": p.create,
                "matched": p.matched,
                "restore": p.restore,
                "delete": p.delete,
                "held": p.held,
                "createdMembers": p.created_types.0,
                "createdGuests": p.created_types.1,
                "failures": p.failures.iter().map(|(c, n)| json!({ "code": c, "count": n })).collect::<Vec<_>>(),
                "idle": p.idle.iter().map(|(name, why)| format!("{name}: {}", idle(why))).collect::<Vec<_>>(),
                "escrows": p.escrows.iter().map(|e| json!({
                    "config": e.config,
                    "failed": e.failed,
                    "evaluated": e.evaluated,
                    "initialCycle": e.initial,
                    "outcome": match e.outcome {
                        EscrowOutcome::Retried => "retried",
                        EscrowOutcome::Paused(_) => "paused",
                        EscrowOutcome::Quarantined { .. } => "quarantine",
                    },
                    "reason": match e.outcome {
                        EscrowOutcome::Retried => None,
                        EscrowOutcome::Paused(r) | EscrowOutcome::Quarantined { reason: r, .. } => Some(r.as_str()),
                    },
                    "rule": e.outcome.rule().0,
                })).collect::<Vec<_>>(),
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

    /// The CSV as it was built before it was streamed, in memory.
    fn in_memory_csv(f: &Forecast) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "source", "target", "now", "after", "in_scope", "create", "matched", "restore", "delete", "held",
            "failed",
        ])
        .expect("in memory");
        for p in &f.pairs {
            let failed = p.failed();
            let nums = [
                p.now, p.after, p.in_scope, p.create, p.matched, p.restore, p.delete, p.held, failed,
            ];
            let mut rec = vec![f.tenants[p.source].name.clone(), f.tenants[p.target].name.clone()];
            rec.extend(nums.iter().map(u64::to_string));
            w.write_record(&rec).expect("in memory");
        }
        String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
    }

    fn streamed(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut v = Vec::new();
        write(&mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    /// Both listings of `f`, streamed, against the documents built in memory.
    fn assert_streamed_as_built(f: &Forecast, what: &str) {
        assert_eq!(
            streamed(|w| write_json(w, f)),
            format!("{}\n", in_memory_json(f)),
            "{what}: JSON"
        );
        assert_eq!(streamed(|w| write_csv(w, f)), in_memory_csv(f), "{what}: CSV");
    }

    /// A forecast with every kind of pair note, finding and awkward name a listing escapes.
    fn every_kind() -> Forecast {
        use mtosim_engine::sync::QuarantineReason as Q;
        use mtosim_engine::whatif::{EscrowForecast, PairForecast, TenantForecast};
        let tenant = |name: &str, quota: u64, p1: Option<u64>| TenantForecast {
            name: name.to_string(),
            internal_users: 7,
            objects_now: 10,
            objects_after: 12,
            quota,
            accounts_in: 2,
            accounts_in_members: 1,
            p1_needed: 5,
            p1_have: p1,
        };
        let escrow = |outcome| EscrowForecast {
            config: "Sync \"A\", ünïcode\tand\nnewline".to_string(),
            failed: 6_000,
            evaluated: 9_000,
            initial: matches!(outcome, EscrowOutcome::Paused(_)),
            outcome,
        };
        let pair = PairForecast {
            source: 0,
            target: 1,
            now: 1,
            after: 2,
            in_scope: 3,
            existing: 4,
            create: 5,
            matched: 6,
            restore: 7,
            delete: 8,
            held: 9,
            failures: vec![
                ("AzureActiveDirectoryQuotaLimitExceeded", 10),
                ("SyncedUsersPerTenantPairLimitExceeded", 11),
            ],
            created_types: (12, 13),
            idle: vec![
                ("gone".into(), Idle::Deleted),
                ("off".into(), Idle::NotStarted),
                ("held".into(), Idle::DeletesHeld),
                ("blocked".into(), Idle::Blocked(mtosim_engine::rules::CTS_61)),
            ],
            escrows: vec![
                escrow(EscrowOutcome::Retried),
                escrow(EscrowOutcome::Paused(Q::EncounteredEscrowProportionThreshold)),
                escrow(EscrowOutcome::Quarantined {
                    reason: Q::EncounteredTotalEscrowThreshold,
                    at_retry: true,
                }),
            ],
        };
        Forecast {
            rules: "preview-2023".into(),
            tenants: vec![
                tenant("quo\"te, com,ma", 11, Some(4)),
                tenant("zoë\u{1f600}\\back", 300_000, None),
                tenant("ctl\u{1}\r", 0, Some(9)),
            ],
            pairs: vec![
                pair.clone(),
                PairForecast {
                    source: 2,
                    target: 0,
                    idle: Vec::new(),
                    escrows: Vec::new(),
                    failures: Vec::new(),
                    ..pair.clone()
                },
            ],
            time_to_all: (mtosim_engine::Duration(61), mtosim_engine::Duration(3_601)),
            findings: vec![
                Finding::OverTenantCap {
                    rule: mtosim_engine::rules::MTO_46,
                    active: 101,
                    cap: 100,
                },
                Finding::OverQuota { tenant: 0 },
                Finding::TooManyUsersAtJoin {
                    rule: mtosim_engine::rules::MTO_47,
                    tenant: 1,
                    max: 3,
                },
                Finding::P1Short { tenant: 0 },
                Finding::Failures {
                    source: 0,
                    target: 1,
                    code: "AzureActiveDirectoryQuotaLimitExceeded",
                    count: 10,
                },
                Finding::Held {
                    source: 0,
                    target: 1,
                    count: 9,
                },
                Finding::JobStops {
                    source: 0,
                    target: 1,
                    config: String::new(),
                    failed: 6_000,
                    evaluated: 9_000,
                    outcome: EscrowOutcome::Paused(Q::EncounteredEscrowProportionThreshold),
                },
            ],
            mtos: vec![101, 3],
        }
    }

    #[test]
    fn streamed_listings_are_byte_for_byte_the_documents_built_in_memory() {
        assert_streamed_as_built(&every_kind(), "every kind");
        assert_streamed_as_built(&Forecast::default(), "empty");
        // from scenarios: configurations that are idle, retried, paused or in quarantine
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        assert!(files.len() > 10, "{}", dir.display());
        for file in files {
            let name = file.display().to_string();
            let (sc, _) = mtosim_scenario::load::load_path(&name, false).unwrap();
            let steps = sc.steps.len();
            for at in [steps / 3, steps] {
                let (sc, _) = mtosim_scenario::load::load_path(&name, false).unwrap();
                let world = mtosim_scenario::runner::run_steps(sc, at).world;
                let f = mtosim_engine::whatif::forecast(&world);
                assert_streamed_as_built(&f, &format!("{name} after step {at}"));
            }
        }
    }

    #[test]
    fn quick_listings_generated_pair_by_pair_are_those_of_the_kept_forecast() {
        use mtosim_engine::whatif::{quick_with, Org};
        for topology in [Topology::Mesh, Topology::Hub, Topology::Spoke] {
            for (tenants, users, share, kind) in [
                (2, 1_000, 1.0, RuleSetKind::Ga),
                (12, 3_000, 1.0, RuleSetKind::Ga),
                (5, 300_000, 0.1, RuleSetKind::Ga),
                (5, 300_000, 0.01, RuleSetKind::Ga),
                (6, 150_000, 1.0, RuleSetKind::Preview2023),
                (3, 0, 0.0, RuleSetKind::Ga),
            ] {
                for org in [Org::Mto, Org::SyncOnly] {
                    let p = QuickParams {
                        tenants,
                        users,
                        share,
                        topology,
                        rules: RuleSet::new(kind),
                        object_quota: 300_000,
                    };
                    let what = format!("{tenants} x {users} x {share} {topology:?} {kind:?} {org:?}");
                    let kept = quick_with(&p, org);
                    let q = QuickForm::new(&p, org);
                    assert_eq!(
                        streamed(|w| write_quick_json(w, &q)),
                        format!("{}\n", in_memory_json(&kept)),
                        "{what}"
                    );
                    assert_eq!(
                        streamed(|w| write_quick_csv(w, &q)),
                        in_memory_csv(&kept),
                        "{what}"
                    );
                }
            }
        }
    }

    /// A writer that fails once `room` bytes are written, and counts the writes tried after.
    struct Full {
        room: usize,
        tried_after: usize,
    }

    impl io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                self.tried_after += 1;
                return Err(io::Error::other("full"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_ends_a_listing_at_once() {
        let q = QuickForm::new(
            &QuickParams {
                tenants: 40,
                ..base()
            },
            mtosim_engine::whatif::Org::Mto,
        );
        type Listing = fn(&mut Full, &QuickForm) -> io::Result<()>;
        for (what, write) in [
            ("json", write_quick_json as Listing),
            ("csv", write_quick_csv as Listing),
        ] {
            let mut w = Full {
                room: 1_000,
                tried_after: 0,
            };
            assert!(write(&mut w, &q).is_err(), "{what}");
            // (a CSV writer tries its buffer once more when it is dropped)
            assert!(
                (1..=2).contains(&w.tried_after),
                "{what}: {} writes tried after the error",
                w.tried_after
            );
        }
    }

    #[test]
    fn counts_and_names_read_as_a_person_writes_them() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1_000), "1,000");
        assert_eq!(num(29_700_000), "29,700,000");
        let n = |i: usize| format!("t{i}");
        assert_eq!(names(&[1], true, n), "t1");
        assert_eq!(names(&[1, 2], true, n), "t1 and t2");
        assert_eq!(names(&[1, 2, 3, 4], true, n), "t1 to t4");
        assert_eq!(names(&[1, 2, 3, 4], false, n), "t1, t2, t3 and 1 more");
        assert_eq!(names(&[1, 3, 5], true, n), "t1, t3 and t5");
    }

    #[test]
    fn identical_tenants_group_and_the_hub_stands_apart() {
        let p = QuickParams {
            topology: Topology::Hub,
            ..base()
        };
        let out = summary(&mtosim_engine::whatif::quick(&p));
        assert!(out.contains("\n  hub: no account would arrive; objects 3,000 now and after, quota 300,000; 3,000 P1 needed\n"), "{out}");
        assert!(out.contains("\n  9 tenants (tenant002 to tenant010): 3,000 accounts would arrive, all can be created; objects 3,000 now, 6,000 after, quota 300,000\n"), "{out}");
        assert!(
            out.contains("Every account can be created: 27,000 accounts would arrive.\n"),
            "{out}"
        );
        assert!(out.contains("\nEvery account exists within "), "{out}");
        assert!(out.contains("No cap, quota or licence problem."), "{out}");
    }

    #[test]
    fn a_summary_of_failures_leads_with_them_and_claims_nothing_for_accounts_never_made() {
        let p = QuickParams {
            tenants: 4,
            users: 300_000,
            share: 0.1,
            ..base()
        };
        let f = mtosim_engine::whatif::quick(&p);
        let out = summary(&f);
        let first: Vec<&str> = out.lines().skip(2).take(4).collect();
        assert!(
            first[0].starts_with(
                "Every creation fails: 360,000 accounts would arrive, 0 can be created, 360,000 fail."
            ),
            "{out}"
        );
        assert!(
            first[1].contains("AzureActiveDirectoryQuotaLimitExceeded: quota full (CTS-61)"),
            "{out}"
        );
        assert!(
            first[2].contains("4 tenants (tenant001 to tenant004) are full before any account arrives"),
            "{out}"
        );
        assert!(
            first[3].contains("12 jobs (CTS-54)") && first[3].contains("escrows pruned and the job paused"),
            "{out}"
        );
        assert!(
            !out.contains("exists within") && !out.contains("is a Member"),
            "{out}"
        );
        // the pause is told with the failures, not again among the findings
        assert_eq!(out.matches("escrows pruned").count(), 1, "{out}");
        assert!(
            f.findings.iter().any(|x| x.rule().0 == "CTS-54"),
            "the model keeps it"
        );
    }

    #[test]
    fn csv_lists_every_pair_past_the_table_cap() {
        let p = QuickParams {
            tenants: 20,
            ..base()
        };
        let f = mtosim_engine::whatif::quick(&p);
        assert!(f.pairs.len() > TABLE_PAIRS_MAX);
        assert_eq!(streamed(|w| write_csv(w, &f)).lines().count(), 1 + f.pairs.len());
        assert_eq!(pair_table(&f).lines().count(), 1 + TABLE_PAIRS_MAX + 1);
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
    fn sweep_steps_are_finite_above_zero_and_whole_for_counts() {
        for (sweep, says) in [
            ("users=1000..2000:inf", "the step must be a finite number above 0, not inf; e.g. users=1000..2000:50"),
            ("tenants=2..4:inf", "the step must be a finite number above 0, not inf; e.g. tenants=2..4:1"),
            ("share=0..1:inf", "the step must be a finite number above 0, not inf; e.g. share=0..1:0.1"),
            ("share=0..1:NaN", "not NaN"),
            ("share=0..1:-0.1", "not -0.1"),
            ("share=0..1:0", "not 0"),
            (
                "tenants=2..5:0.5",
                "tenants are counted in whole numbers, so the step must be a whole number (1 or more), not 0.5; e.g. tenants=2..5:1",
            ),
            ("users=0..10:2.5", "e.g. users=0..10:3"),
            (
                "tenants=2.5..5",
                "tenants are counted in whole numbers, and the start 2.5 is not one; e.g. tenants=3..5:1",
            ),
            ("users=0..10.5:1", "the end 10.5 is not one"),
        ] {
            let e = Sweep::parse(sweep).unwrap_err();
            assert!(e.contains(says), "{sweep}: {e}");
        }
        // every value a valid sweep takes is in its range, once
        for sweep in [
            "tenants=2..5",
            "tenants=2..4:100",
            "users=1000..2000:300",
            "share=0..1:0.25",
            "share=0.5..0.5",
        ] {
            let sw = Sweep::parse(sweep).unwrap();
            let shown: Vec<String> = sw.values.iter().map(|&v| fmt_value(sw.param, v)).collect();
            let mut distinct = shown.clone();
            distinct.dedup();
            assert_eq!(shown, distinct, "{sweep}");
            assert!(
                sw.values.iter().all(|v| v.is_finite()),
                "{sweep}: {:?}",
                sw.values
            );
        }
        assert_eq!(Sweep::parse("tenants=2..4:100").unwrap().values, vec![2.0]);
        assert_eq!(
            Sweep::parse("users=1000..2000:300").unwrap().values,
            vec![1000.0, 1300.0, 1600.0, 1900.0]
        );
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
