//! `mtosim check FILE`: load a scenario and say whether it is usable, without running it (nor
//! generating its users where that changes nothing, `mtosim_scenario::check`).

use crate::args::CheckArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;

/// Runs the command.
pub fn run(a: CheckArgs, out: &mut Out) -> Result<Exit, Error> {
    let text = mtosim_scenario::load::read_source(&a.file).map_err(Error::Diagnostics)?;
    let (sc, skipped) = mtosim_scenario::check::check_text_with(
        &a.file,
        &text,
        a.lenient,
        Some(&crate::import_fs::loader_import),
    )
    .map_err(Error::Diagnostics)?;
    crate::exit::print_diags(&skipped, true);
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
