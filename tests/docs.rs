//! The rule index (`docs/rules.md`) lists every MTO rule of the reference, every rule id the
//! engine cites, and every test named after a rule.

use std::path::Path;

fn read(rel: &str) -> Option<String> {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).ok()
}

fn rows(doc: &str) -> Vec<&str> {
    doc.lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .collect()
}

/// Where the workspace's Rust sources live: every crate's `src/` and `tests/`.
const SOURCE_DIRS: &[&str] = &[
    "engine/src",
    "engine/tests",
    "graph/src",
    "scenario/src",
    "render/src",
    "src",
    "tests",
    "benches",
];

/// The text of every `.rs` file below `dir`.
fn rs_files(dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(std::fs::read_to_string(p).unwrap());
        }
    }
}

#[test]
fn every_mto_rule_of_the_reference_has_a_row() {
    let doc = read("docs/rules.md").unwrap();
    let rows = rows(&doc);
    // shared/ sits beside the checkout in sessions and CI
    let Some(reference) = read("../shared/reference/mto-rules.md") else {
        return;
    };
    let mut n = 0;
    for line in reference.lines() {
        if let Some(rest) = line.strip_prefix("**MTO-") {
            let id = format!("MTO-{}", rest.split("**").next().unwrap());
            assert!(rows.contains(&id.as_str()), "docs/rules.md has no row for {id}");
            n += 1;
        }
    }
    assert!(n >= 91, "read {n} MTO rules from the reference");
}

#[test]
fn every_cited_rule_has_a_row() {
    let doc = read("docs/rules.md").unwrap();
    let rows = rows(&doc);
    for r in mtosim_engine::rules::CITED {
        assert!(
            rows.contains(&r.0),
            "docs/rules.md has no row for {r}, which the engine cites"
        );
    }
}

#[test]
fn every_test_named_after_a_rule_is_listed() {
    let doc = read("docs/rules.md").unwrap();
    let mut files: Vec<String> = Vec::new();
    for dir in SOURCE_DIRS {
        rs_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    }
    for text in files {
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("fn ") else {
                continue;
            };
            let name = rest.split('(').next().unwrap();
            let named = ["mto_", "cts_", "xtap_", "seed_"]
                .iter()
                .any(|p| name.starts_with(p) && name[p.len()..].starts_with(|c: char| c.is_ascii_digit()));
            if named && line.contains("()") {
                assert!(
                    doc.contains(&format!("`{name}`")),
                    "docs/rules.md does not list the test {name}"
                );
            }
        }
    }
}

#[test]
fn every_cts_and_xtap_rule_of_the_reference_has_a_row() {
    let doc = read("docs/rules.md").unwrap();
    let rows = rows(&doc);
    let Some(reference) = read("../shared/reference/cts-rules.md") else {
        return;
    };
    let mut n = 0;
    for line in reference.lines() {
        for prefix in ["**CTS-", "**XTAP-"] {
            if let Some(rest) = line.strip_prefix(prefix) {
                let id = format!("{}{}", &prefix[2..], rest.split("**").next().unwrap());
                assert!(rows.contains(&id.as_str()), "docs/rules.md has no row for {id}");
                n += 1;
            }
        }
    }
    assert!(n >= 95, "read {n} CTS and XTAP rules from the reference");
}
