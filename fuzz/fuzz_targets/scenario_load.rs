//! The scenario loader (`mtosim_scenario::load::load_with`) on arbitrary bytes as a TOML file.
//!
//! The bytes go through what `load_path` does before loading (`read_source`: UTF-8 or a
//! diagnostic, a byte-order mark dropped), then `load_with` in strict and, when the file names
//! a CSV import, lenient mode. CSV imports never touch the disk: a path containing `missing`
//! fails to read, any other reads a small fixed export with one unusable row. A loaded world
//! must satisfy the model's invariants (it is a reachable state), and every diagnostic must
//! render.
//!
//! `users = { generate = N }` builds N users, up to 2,000,000 per tenant and 5,000,000 in all
//! by design; inputs asking for more than [`GENERATED_USERS_MAX`] users that the loader would
//! accept are skipped, so that an execution stays in milliseconds and far from libFuzzer's
//! memory limit (counts over the loader's caps still reach it and are refused).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtosim_engine::limits::USERS_PER_TENANT_MAX;
use mtosim_scenario::load::{load_with, LoadOptions};
use toml::de::{DeTable, DeValue};

const FILE: &str = "fuzz/scenario.toml";

/// Generated users one input may ask for in all.
const GENERATED_USERS_MAX: u64 = 20_000;

/// The "Download users" export every CSV import reads: two usable rows and one without `@`.
const CSV: &[u8] = b"\xEF\xBB\xBFuserPrincipalName,displayName,userType,accountEnabled,department,mail\r\n\
ann@contoso.com,Ann Lee,Member,True,Sales,ann@contoso.com\r\n\
\"bob@contoso.com\",\"Bob, Jr.\",Guest,FALSE,,\r\n\
no-at-sign,Broken,Member,True,Sales,\r\n";

fn read_file(rel: &str) -> std::io::Result<Vec<u8>> {
    if rel.contains("missing") {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "No such file or directory (os error 2)",
        ))
    } else {
        Ok(CSV.to_vec())
    }
}

/// Users the loader would generate for `text`, as far as TOML says (the loader's own parse).
fn generated_users(text: &str) -> u64 {
    let Ok(doc) = DeTable::parse(text) else {
        return 0;
    };
    let Some(tenants) = doc.get_ref().get("tenant") else {
        return 0;
    };
    let tables: Vec<&DeTable<'_>> = match tenants.get_ref() {
        DeValue::Table(t) => vec![t],
        DeValue::Array(a) => a
            .iter()
            .filter_map(|v| match v.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    let mut total = 0u64;
    for t in tables {
        let Some(DeValue::Table(users)) = t.get("users").map(|u| u.get_ref()) else {
            continue;
        };
        let Some(DeValue::Integer(n)) = users.get("generate").map(|g| g.get_ref()) else {
            continue;
        };
        if let Ok(n) = i64::from_str_radix(n.as_str(), n.radix()) {
            if n >= 0 && n as u64 <= USERS_PER_TENANT_MAX as u64 {
                total = total.saturating_add(n as u64);
            }
        }
    }
    total
}

fuzz_target!(|data: &[u8]| {
    let text = match mtosim_fuzz::scenario_text(FILE, data) {
        Ok(text) => text,
        Err(d) => {
            let _ = d.to_string();
            return;
        }
    };
    if generated_users(text) > GENERATED_USERS_MAX {
        return;
    }
    let modes: &[bool] = if text.contains("csv") {
        &[false, true]
    } else {
        &[false]
    };
    for &lenient in modes {
        let opts = LoadOptions {
            import: None,
            lenient,
            read_file: &read_file,
        };
        match load_with(FILE, text, &opts) {
            Ok((sc, problems)) => {
                assert!(
                    lenient || problems.is_empty(),
                    "a strict load succeeded with problems: {problems:?}"
                );
                if let Err(v) = mtosim_engine::invariants::check(&sc.world) {
                    panic!("a loaded world breaks an invariant: {v}");
                }
                for d in &problems {
                    let _ = d.to_string();
                }
            }
            Err(problems) => {
                assert!(!problems.is_empty(), "a refused load without a diagnostic");
                for d in &problems {
                    let _ = d.to_string();
                }
            }
        }
    }
});
