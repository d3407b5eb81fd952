//! `mtosim explain ID`: one rule, its sources, its status in mtosim, scenarios and tests.

use crate::args::ExplainArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_engine::catalog;

/// Runs the command.
pub fn run(a: ExplainArgs, out: &mut Out) -> Result<Exit, Error> {
    let Some(r) = catalog::find(&a.rule) else {
        let ids: Vec<String> = catalog::all().into_iter().map(|r| r.id).collect();
        let hint =
            mtosim_scenario::diag::did_you_mean(&a.rule.to_ascii_uppercase(), ids.iter().map(String::as_str))
                .map(|s| format!(" Did you mean {s}?"))
                .unwrap_or_default();
        return Err(Error::Usage(format!(
            "unknown rule id \"{}\".{hint} `mtosim rules` lists them all.",
            a.rule
        )));
    };
    out.line(&format!("{} [{}]\n  {}\n", r.id, r.tag, r.title))?;
    out.line(&format!(
        "In mtosim: {}{}",
        r.status,
        if r.notes.is_empty() {
            String::new()
        } else {
            format!(". {}", r.notes)
        }
    ))?;
    if !r.sources.is_empty() {
        out.line("\nSources:")?;
        for s in &r.sources {
            let shown = match s.as_str() {
                "seed-article" => "the seed article, \"Exploring Multi-Tenant Organization\" (2023-08-30), a third-party preview write-up",
                "mtosim" => "mtosim itself (not a Microsoft rule)",
                other => other,
            };
            out.line(&format!("  {shown}"))?;
        }
    }
    if !r.scenarios.is_empty() {
        out.line(&format!(
            "\nScenarios that show it (in scenarios/): {}",
            r.scenarios.join(", ")
        ))?;
    }
    if !r.tests.is_empty() {
        out.line(&format!("Tests that pin it: {}", r.tests.join(", ")))?;
    }
    Ok(Exit::Ok)
}
