//! The "Download users" CSV importer (`mtosim_scenario::csv_import::parse`) on arbitrary bytes,
//! and, when it reads the file, the same bytes imported by a scenario in strict and lenient
//! mode (`load_with`), so that every usable row also goes through the builder, a dynamic group's
//! rule and the model's invariants.
//!
//! Checked besides "no panic": every data row is either a user or a problem, kept (at most
//! `CSV_PROBLEMS_MAX`) or counted (the documented contract of `parse`); every diagnostic
//! renders; a strict load refuses a file with problems; a loaded world satisfies the
//! invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtosim_scenario::csv_import::{parse, CSV_PROBLEMS_MAX};
use mtosim_scenario::load::{load_with, LoadOptions};

const CSV_FILE: &str = "fuzz/users.csv";
const SCENARIO_FILE: &str = "fuzz/scenario.toml";

/// Imports the CSV into contoso, where an inline user may collide with a row, and puts the
/// imported users through a dynamic group's rule.
const SCENARIO: &str = r#"
[scenario]
name = "csv fuzz"
seed = 71

[[tenant]]
name = "contoso"
domains = ["contoso.com"]
users = { csv = "users.csv" }
[[tenant.user]]
upn = "ann@contoso.com"
department = "Sales"
[[tenant.group]]
name = "Sales in the US"
rule = '(user.department -eq "Sales" -and user.country -in ["US", "CA"]) -or user.mail -match "^a.*@contoso\.com$" -or user.accountEnabled -eq false -or user.userType -eq "Guest"'

[[tenant]]
name = "fabrikam"
"#;

fuzz_target!(|data: &[u8]| {
    let import = match parse(CSV_FILE, data) {
        Ok(import) => import,
        Err(d) => {
            let _ = d.to_string();
            return;
        }
    };
    assert_eq!(
        import.users.len() + import.problems.len() + import.problems_dropped,
        import.rows,
        "a data row is neither a user nor a problem"
    );
    assert!(
        import.problems.len() <= CSV_PROBLEMS_MAX,
        "{} row diagnostics kept, over CSV_PROBLEMS_MAX",
        import.problems.len()
    );
    for d in &import.problems {
        let _ = d.to_string();
    }
    let read_file = |_: &str| -> std::io::Result<Vec<u8>> { Ok(data.to_vec()) };
    for lenient in [false, true] {
        let opts = LoadOptions {
            import: None,
            lenient,
            read_file: &read_file,
        };
        match load_with(SCENARIO_FILE, SCENARIO, &opts) {
            Ok((sc, problems)) => {
                assert!(
                    lenient
                        || (problems.is_empty()
                            && import.problems.is_empty()
                            && import.problems_dropped == 0),
                    "a strict load succeeded with problems: {problems:?}"
                );
                if let Err(v) = mtosim_engine::invariants::check(&sc.world) {
                    panic!("a world loaded from a CSV breaks an invariant: {v}");
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
