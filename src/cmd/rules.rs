//! `mtosim rules`: the rule catalogue, one line per rule.

use crate::args::{RulesArgs, SetArg};
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_engine::{catalog, RuleSetKind};

/// The engine's rule set of a `--set` value.
pub fn kind(s: SetArg) -> RuleSetKind {
    match s {
        SetArg::Ga => RuleSetKind::Ga,
        SetArg::Preview2023 => RuleSetKind::Preview2023,
    }
}

/// Runs the command.
pub fn run(a: RulesArgs, out: &mut Out) -> Result<Exit, Error> {
    let set = a.set.map(kind);
    out.line(&format!(
        "{:<8} {:<8} {:<16} {}",
        "RULE", "TAG", "STATUS", "WHAT IT SAYS"
    ))?;
    for r in catalog::all()
        .iter()
        .filter(|r| set.is_none_or(|k| catalog::applies(r, k)))
    {
        let status = if r.status.is_empty() { "-" } else { &r.status };
        out.line(&format!("{:<8} {:<8} {:<16} {}", r.id, r.tag, status, r.title))?;
    }
    out.line(
        "\nTags: MTO rules say when a rule holds (BOTH, GA, PREVIEW) or how sure the docs are (AMBIGUOUS, SILENT, INFERRED, 3P);\nCTS and XTAP rules say doc (stated), infer, conflict or silent; SEED rules are the seed article's preview claims;\nSIM is the simulator's own. `mtosim explain ID` tells more.",
    )?;
    Ok(Exit::Ok)
}
