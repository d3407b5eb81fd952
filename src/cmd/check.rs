//! `mtosim check FILE`: load a scenario and say whether it is usable, without running it.

use crate::args::CheckArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;

/// Runs the command.
pub fn run(a: CheckArgs, out: &mut Out) -> Result<Exit, Error> {
    let sc = super::load(&a.file, a.lenient)?;
    let tenants = sc.world.tenants().len();
    let steps = sc.steps.len();
    out.line(&format!(
        "{}: ok: \"{}\", {tenants} tenant{}, {steps} step{}, rules {}",
        a.file,
        sc.name,
        if tenants == 1 { "" } else { "s" },
        if steps == 1 { "" } else { "s" },
        sc.world.rules().kind.name()
    ))?;
    Ok(Exit::Ok)
}
