//! `mtosim doctor`'s report: each finding of [`mtosim_engine::doctor`] as its rule id, the
//! tenants it concerns, the problem, what the documented call would get, and the fix, in
//! Graph's words (settings as Graph properties, through `mtosim-graph`); as text, or as JSON
//! for pipelines. Then every tenant's quota headroom, and what the input did not hold, so
//! could not be checked.

use mtosim_engine::doctor::{Finding, Report};
use mtosim_engine::sync::{QuarantineReason, TEST_CONNECTION_CODE, TEST_CONNECTION_OUTER};
use mtosim_engine::{TenantIdx, World};
use serde_json::{json, Value};

/// One finding in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The rule id.
    pub rule: String,
    /// The tenants, `a -> b` for a direction, `a, b` for a pair.
    pub tenants: String,
    /// What is wrong.
    pub problem: String,
    /// What the documented call (or event) would get.
    pub call: String,
    /// What would fix it.
    pub fix: String,
}

fn name(w: &World, t: TenantIdx) -> &str {
    w.name(t)
}

/// A finding in words.
pub fn line(w: &World, r: &Report, f: &Finding) -> Line {
    let rule = f.rule().to_string();
    let arrow = |s: TenantIdx, t: TenantIdx| format!("{} -> {}", name(w, s), name(w, t));
    let (tenants, problem, call, fix) = match f {
        Finding::TestConnection {
            source,
            target,
            config,
            error,
            missing,
        } => {
            // "(Missing: a)" or "(Missing, 2 settings: 1) a; 2) b)": the settings, as the fix
            let missing = mtosim_graph::words::message(missing);
            let fix = missing
                .split_once(": ")
                .map_or(missing.as_str(), |(_, rest)| rest)
                .trim_end()
                .strip_suffix(')')
                .unwrap_or(&missing)
                .to_string();
            let what = match config {
                Some(c) => format!("configuration {c}: its test connection fails"),
                None => format!(
                    "{} allows user sync inbound from {}, but a configuration's test connection would fail",
                    name(w, *target),
                    name(w, *source)
                ),
            };
            (
                arrow(*source, *target),
                what,
                format!(
                    "Test connection (POST /servicePrincipals/{{id}}/synchronization/jobs/{{jobId}}/validateCredentials) answers {TEST_CONNECTION_CODE}: {TEST_CONNECTION_OUTER} {error}"
                ),
                fix,
            )
        }
        Finding::MissingPartner {
            tenant,
            partner,
            configuration_exists,
        } => {
            let (p, t) = (name(w, *partner), name(w, *tenant));
            let id = w.tenant(*partner).spec.tenant_id;
            if *configuration_exists {
                (
                    format!("{t}, {p}"),
                    format!("{t} and {p} are active in one MTO, but {t}'s partner configuration for {p} has no identity synchronization policy"),
                    format!("GET /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization in {t} finds none"),
                    format!("in {t}, PUT /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization (every active tenant keeps settings for every other)"),
                )
            } else {
                (
                    format!("{t}, {p}"),
                    format!("{t} and {p} are active in one MTO, but {t} has no partner configuration for {p}"),
                    format!("GET /policies/crossTenantAccessPolicy/partners/{id} in {t} finds none"),
                    format!("in {t}, POST /policies/crossTenantAccessPolicy/partners for {id}, then PUT its identitySynchronization"),
                )
            }
        }
        Finding::TemplateOverwrite {
            tenant,
            partner,
            joiner,
        } => {
            let (t, p, j) = (name(w, *tenant), name(w, *partner), name(w, *joiner));
            (
                format!("{t} -> {p}"),
                format!("when {j}'s join completes, {t}'s MTO templates will overwrite {t}'s existing settings for {p}"),
                format!("the join applies {t}'s templates to existing partners (templateApplicationLevel includes existingPartners); only non-null template values are written"),
                format!("before the join completes, in {t}: PATCH /policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration (and multiTenantOrganizationIdentitySynchronization) to the values wanted, or templateApplicationLevel to newPartners"),
            )
        }
        Finding::Quarantined {
            source,
            target,
            config,
            quarantine,
        } => {
            let fix = match quarantine.reason {
                QuarantineReason::TooManyDeletes => "review the held deletions in the provisioning logs, then allow them (POST .../restart with resetScope ForceDeletes) or raise the accidental-deletion threshold (CTS-51)",
                QuarantineReason::EncounteredQuarantineException => "fix what every call fails on (the test connection names it), then POST .../synchronization/jobs/{jobId}/restart",
                _ => "fix the failing objects (the provisioning logs name their errors), then POST .../synchronization/jobs/{jobId}/restart with resetScope QuarantineState",
            };
            (
                arrow(*source, *target),
                format!("configuration {config} is in quarantine: {}", quarantine.reason.as_str()),
                format!(
                    "GET /servicePrincipals/{{id}}/synchronization/jobs/{{jobId}} shows status.code Quarantine, quarantine.reason {}, seriesCount {}{}",
                    quarantine.reason.as_str(),
                    quarantine.series_count,
                    quarantine.next_attempt.map_or_else(String::new, |t| format!(", nextAttempt {t}"))
                ),
                fix.to_string(),
            )
        }
        Finding::WouldDeprovision { source, target, count } => (
            arrow(*source, *target),
            format!(
                "running the configurations to the end would soft-delete {count} account{} in {} whose users are no longer in scope",
                if *count == 1 { "" } else { "s" },
                name(w, *target)
            ),
            format!("the provisioning logs of {} would show {count} Delete actions", name(w, *source)),
            "check the scope (assignments, scoping filters) before starting; with accidental-deletion prevention the threshold holds large batches (CTS-51)".to_string(),
        ),
        Finding::Forecast(x) => (
            String::new(),
            crate::whatif::finding(&r.forecast, x),
            "the what-if forecast of every configuration running until nothing changes (stopped ones as if started)".to_string(),
            forecast_fix(x).to_string(),
        ),
    };
    Line {
        rule,
        tenants,
        problem,
        call,
        fix,
    }
}

/// What would fix a forecast finding.
fn forecast_fix(x: &mtosim_engine::whatif::Finding) -> &'static str {
    use mtosim_engine::whatif::Finding as F;
    match x {
        F::OverQuota { .. } => "narrow the scope, or ask Microsoft support to raise the target's directory quota",
        F::Failures { code, .. } if code.contains("Quota") => {
            "narrow the scope, or ask Microsoft support to raise the target's directory quota"
        }
        F::Failures { .. } => "`mtosim explain` the rule for what each failure needs",
        F::Held { .. } => "review the deletions, then allow them (restart with resetScope ForceDeletes) or raise the threshold",
        F::JobStops { .. } => "fix the failing objects before starting, or the job stops after its first cycle",
        F::P1Short { .. } => "buy or assign Entra ID P1 licences for the users sync shares",
        F::OverTenantCap { .. } | F::TooManyUsersAtJoin { .. } => "stay within the documented cap",
    }
}

/// The report as text: one block per finding, the headroom table, and what was not checked.
pub fn text(w: &World, r: &Report, not_checked: &[String]) -> String {
    let mut out = String::new();
    for f in &r.findings {
        let l = line(w, r, f);
        let who = if l.tenants.is_empty() {
            String::new()
        } else {
            format!("{}: ", l.tenants)
        };
        out.push_str(&format!("{} {who}{}\n", l.rule, l.problem));
        out.push_str(&format!("    would get: {}\n", l.call));
        if !l.fix.is_empty() {
            out.push_str(&format!("    fix: {}\n", l.fix));
        }
    }
    out.push_str(
        "Quota headroom (directory objects now -> after every configuration converged, of the quota):\n",
    );
    for h in &r.headroom {
        out.push_str(&format!(
            "    {}: {} -> {} of {} ({} left)\n",
            name(w, h.tenant),
            h.now,
            h.after,
            h.quota,
            h.quota as i64 - h.after as i64
        ));
    }
    for n in not_checked {
        out.push_str(&format!("Not checked: {n}\n"));
    }
    out.push_str(&match r.findings.len() {
        0 => "Result: no problem found.\n".to_string(),
        1 => "Result: 1 problem.\n".to_string(),
        n => format!("Result: {n} problems.\n"),
    });
    out
}

/// The report as one JSON object.
pub fn json(w: &World, r: &Report, not_checked: &[String]) -> Value {
    json!({
        "schemaVersion": crate::jsonl::SCHEMA_VERSION,
        "findings": r.findings.iter().map(|f| {
            let l = line(w, r, f);
            json!({"rule": l.rule, "tenants": l.tenants, "problem": l.problem, "call": l.call, "fix": l.fix})
        }).collect::<Vec<_>>(),
        "headroom": r.headroom.iter().map(|h| json!({
            "tenant": name(w, h.tenant), "now": h.now, "after": h.after, "quota": h.quota,
        })).collect::<Vec<_>>(),
        "notChecked": not_checked,
    })
}
