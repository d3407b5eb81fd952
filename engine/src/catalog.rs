//! The rule catalogue behind `mtosim rules` and `mtosim explain`: every rule id with its tag,
//! a one-sentence paraphrase and its sources (`docs/rule-sources.tsv`), and mtosim's status,
//! notes, tests and scenarios for it (`docs/rules.md`). Both files are compiled in, so the
//! binary explains rules without the repository beside it.

const SOURCES_TSV: &str = include_str!("../../docs/rule-sources.tsv");
const RULES_MD: &str = include_str!("../../docs/rules.md");

/// Everything known about one rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleInfo {
    /// `MTO-37`, `CTS-30`, `XTAP-5`, `SEED-3`, `SIM-1`.
    pub id: String,
    /// The reference's tag: `BOTH`, `GA`, `PREVIEW`, `doc`, `infer`, ...
    pub tag: String,
    /// What the rule says, in one sentence.
    pub title: String,
    /// Where it is documented.
    pub sources: Vec<String>,
    /// modelled, named option, design decision, not applicable, later.
    pub status: String,
    /// How mtosim models it.
    pub notes: String,
    /// Tests that pin it.
    pub tests: Vec<String>,
    /// Scenarios in `scenarios/` whose narration cites it.
    pub scenarios: Vec<String>,
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split(',')
        .map(|s| s.trim().trim_matches('`').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Every rule, in catalogue order (MTO, XTAP, CTS, SEED, SIM).
pub fn all() -> Vec<RuleInfo> {
    let mut out: Vec<RuleInfo> = Vec::new();
    for line in SOURCES_TSV.lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(id), Some(tag), Some(title)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let sources = cols
            .next()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        out.push(RuleInfo {
            id: id.to_string(),
            tag: tag.to_string(),
            title: title.to_string(),
            sources,
            ..RuleInfo::default()
        });
    }
    // docs/rules.md tables: the MTO table has tags and a rule column before status; the
    // CTS/XTAP table has no tag column; the SEED and SIM tables are shorter.
    for line in RULES_MD.lines() {
        let Some(body) = line.strip_prefix("| ") else {
            continue;
        };
        let cells: Vec<&str> = body.trim_end_matches('|').split(" | ").map(str::trim).collect();
        let id = cells[0];
        let Some(info) = out.iter_mut().find(|r| r.id == id) else {
            continue;
        };
        let (status, notes, tests, scenarios) = match (id.split('-').next(), cells.len()) {
            (Some("MTO"), 7) => (cells[3], cells[4], cells[5], cells[6]),
            (Some("CTS" | "XTAP"), 6) => (cells[2], cells[3], cells[4], cells[5]),
            (Some("SEED"), 5) => (cells[2], "", cells[3], cells[4]),
            (Some("SIM"), 4) => ("modelled", "", cells[2], cells[3]),
            _ => continue,
        };
        info.status = status.to_string();
        info.notes = notes.replace("\\|", "|");
        info.tests = split_list(tests);
        info.scenarios = split_list(scenarios);
    }
    out
}

/// The rule `id` (case-insensitive), if catalogued.
pub fn find(id: &str) -> Option<RuleInfo> {
    all().into_iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// Whether a rule applies under a rule set: GA-only rules are left out of `preview-2023`, and
/// preview-only ones out of `ga`; SEED claims belong to the preview.
pub fn applies(info: &RuleInfo, set: crate::RuleSetKind) -> bool {
    use crate::RuleSetKind::*;
    let tag = info.tag.to_ascii_uppercase();
    match set {
        Ga => !(tag == "PREVIEW" || info.id.starts_with("SEED")),
        Preview2023 => tag != "GA",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_of_both_references_is_catalogued_with_sources() {
        let all = all();
        for prefix in ["MTO-", "CTS-", "XTAP-"] {
            assert!(
                all.iter().filter(|r| r.id.starts_with(prefix)).count() >= 21,
                "{prefix}"
            );
        }
        let r = find("mto-37").unwrap();
        assert!(!r.title.is_empty() && !r.sources.is_empty(), "{r:?}");
        assert_eq!(r.status, "modelled");
        assert!(r.scenarios.iter().any(|s| s == "ga-removal-cases.toml"), "{r:?}");
        assert!(find("CTS-30")
            .unwrap()
            .tests
            .iter()
            .any(|t| t.starts_with("cts_30")));
    }

    #[test]
    fn rule_sets_filter_tags() {
        let seed = find("SEED-3").unwrap();
        assert!(applies(&seed, crate::RuleSetKind::Preview2023));
        assert!(!applies(&seed, crate::RuleSetKind::Ga));
        let ga_only = all().into_iter().find(|r| r.tag == "GA").unwrap();
        assert!(!applies(&ga_only, crate::RuleSetKind::Preview2023));
    }
}
