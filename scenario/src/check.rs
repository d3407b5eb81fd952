//! `mtosim check`'s load: the verdict of [`crate::load::load_text_with`] without generating
//! the users of `users = { generate = N }` where it can be shown that generating them changes
//! nothing that loading reports, so that a file of millions of users is checked in the time its
//! text takes to read.
//!
//! Generated users are counted against `USERS_PER_TENANT_MAX` and `USERS_TOTAL_MAX` exactly
//! as generation counts them ([`mtosim_engine::build::Builder::count_users`]). The rest is
//! decided after a load without them:
//! - any problem: the file is loaded again with its users generated, and that load's problems
//!   are the answer (a reference to a generated user, or a "did you mean" among them, needs
//!   them);
//! - a string of the file that could be a generated user's UPN or mail (`given.surname` or
//!   `given.surname7` at a generating tenant's first domain): the same, since a step or a group
//!   may name that user, or an `add-user` step may take its UPN;
//! - `INTERNED_STRINGS_MAX`: generation interns its fixed tables (departments, titles, places,
//!   names, measured by generating no user), and per user at most one display name and one
//!   employee id. The count is an upper bound, not exact (which names a seed draws is only
//!   known by drawing them): when the strings already stored plus that bound could reach the
//!   cap, or the 4 GiB of text, the file is loaded again with its users generated.
//!
//! So `check` reports what loading with generated users reports, always; only how long it takes
//! depends on which case the file is.

use crate::diag::Diagnostic;
use crate::load::{load_text_deferring, load_text_with, Deferred, Importer};
use crate::model::Scenario;
use mtosim_engine::gen::{self, GenSpec};
use mtosim_engine::limits;
use mtosim_engine::strings::Interner;
use mtosim_engine::World;
use toml::de::{DeTable, DeValue};

/// Text bytes generation stores per user, at most: an employee id (`E` and up to seven digits)
/// and a display name (a given name and a surname of the generator's tables).
const GENERATED_BYTES_PER_USER: usize = 64;

/// Loads `text` as [`load_text_with`] does, and answers as it answers; users are generated
/// only when that could change the answer (see the module). The world of a scenario returned
/// may lack the generated users: it is for reporting the check, not for running.
pub fn check_text_with(
    file: &str,
    text: &str,
    lenient: bool,
    import: Option<Importer<'_>>,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut deferred = Deferred::new();
    if let Ok(loaded) = load_text_deferring(file, text, lenient, import, Some(&mut deferred)) {
        if deferred.is_empty()
            || (strings_fit(&loaded.0.world, &deferred) && !names_generated(&loaded.0.world, text, &deferred))
        {
            return Ok(loaded);
        }
    }
    load_text_with(file, text, lenient, import)
}

/// Whether the strings generation could add surely fit beside those of `world`.
fn strings_fit(world: &World, deferred: &Deferred) -> bool {
    let (mut strings, mut bytes) = (world.strings().len(), world.strings().bytes());
    for (_, spec) in deferred {
        let fixed = GenSpec {
            count: 0,
            ..spec.clone()
        };
        let mut tables = Interner::default();
        let _ = gen::generate(0, "t", "t.com", &fixed, &mut tables, None);
        strings = strings.saturating_add(tables.len() + 2 * spec.count);
        bytes = bytes.saturating_add(tables.bytes() + GENERATED_BYTES_PER_USER * spec.count);
    }
    strings < limits::INTERNED_STRINGS_MAX && bytes < u32::MAX as usize
}

/// Whether a string of the file (a key or a value, anywhere) could be the UPN or mail of a
/// user generation would make in one of the `deferred` tenants.
fn names_generated(world: &World, text: &str, deferred: &Deferred) -> bool {
    let Ok(doc) = DeTable::parse(text) else {
        return true;
    };
    let domains: Vec<String> = deferred
        .iter()
        .filter_map(|(t, _)| world.tenant(*t).spec.domains.first())
        .map(|d| format!("@{}", d.to_ascii_lowercase()))
        .collect();
    let mut found = false;
    each_string(doc.get_ref(), &mut |s| {
        found = found || domains.iter().any(|d| could_be_generated(s, d));
    });
    found
}

/// Calls `f` with every key and string value of `t`, nested ones included.
fn each_string(t: &DeTable<'_>, f: &mut impl FnMut(&str)) {
    for (k, v) in t.iter() {
        f(k.get_ref());
        each_value(v.get_ref(), f);
    }
}

fn each_value(v: &DeValue<'_>, f: &mut impl FnMut(&str)) {
    match v {
        DeValue::String(s) => f(s),
        DeValue::Array(a) => a.iter().for_each(|x| each_value(x.get_ref(), f)),
        DeValue::Table(t) => each_string(t, f),
        _ => {}
    }
}

/// Whether `s` holds, at `at` (`@domain`, lower case), a local part of the generated form:
/// letters, a dot, letters, then digits (any letter case; `s` may hold more around it).
fn could_be_generated(s: &str, at: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(at) {
        let end = from + i;
        let local: Vec<u8> = lower.as_bytes()[..end]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'.')
            .copied()
            .collect();
        // reversed: digits, letters, a dot, letters
        if local.contains(&b'.') {
            return true;
        }
        from = end + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_forms_are_recognised_at_the_domain() {
        let at = "@contoso.com";
        assert!(could_be_generated("adele.vance@contoso.com", at));
        assert!(could_be_generated("Adele.Vance7@CONTOSO.com", at));
        assert!(could_be_generated("users: a@b.c, adele.vance@contoso.com", at));
        assert!(!could_be_generated("ada@contoso.com", at));
        assert!(!could_be_generated("adele.vance@fabrikam.com", at));
        assert!(!could_be_generated("", at));
    }
}
