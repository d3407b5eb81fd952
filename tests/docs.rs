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

/// The repository's files, relative to its root: what git tracks, plus new files it does not
/// ignore (so that a file about to be added is checked too). Outside a git checkout, every file
/// below the root but build output and hidden directories.
fn repository_files() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = std::process::Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root)
        .output();
    if let Some(out) = git.ok().filter(|o| o.status.success()) {
        let mut files: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        files.sort();
        files.dedup();
        return files;
    }
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut files = Vec::new();
    walk(root, root, &mut files);
    files.sort();
    files
}

/// The targets of the inline links `[text](target)` of a markdown text, with their line numbers:
/// fenced code blocks and code spans hold no links.
fn markdown_links(text: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    let mut fenced = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // the text outside code spans
        let prose: String = line
            .split('`')
            .enumerate()
            .filter(|(k, _)| k % 2 == 0)
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
            .join(" ");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            let target = after[..end].split_whitespace().next().unwrap_or("");
            links.push((i + 1, target.trim_matches(['<', '>']).to_string()));
            rest = &after[end..];
        }
    }
    links
}

#[test]
fn the_repository_stands_alone() {
    // a clone has no team folder beside it: nothing may send the reader there
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = repository_files();
    assert!(
        files.iter().any(|f| f == "README.md"),
        "listed no files: {files:?}"
    );
    let mut found = Vec::new();
    for f in &files {
        let text_file = [".md", ".rs", ".toml", ".py", ".sh"]
            .iter()
            .any(|e| f.ends_with(e));
        let allowed =
            ["tests/docs.rs", "tests/scenarios.rs"].contains(&f.as_str()) || f.starts_with("docs/gen/");
        if !text_file || allowed {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(f)) else {
            continue; // deleted in the work tree, or not UTF-8
        };
        for (i, line) in text.lines().enumerate() {
            if ["../shared", "spec/scenario-format.md"]
                .iter()
                .any(|s| line.contains(s))
            {
                found.push(format!("{f}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "these lines point outside the repository (the scenario format is docs/scenario-format.md, \
         rules are docs/rules.md and `mtosim explain RULE`):\n{}",
        found.join("\n")
    );

    // every relative link of the documentation leads to a file of the repository
    let mut docs: Vec<String> = [
        "README.md",
        "ARCHITECTURE.md",
        "scenarios/README.md",
        "fuzz/README.md",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    docs.extend(
        files
            .iter()
            .filter(|f| f.starts_with("docs/") && f.ends_with(".md") && !f[5..].contains('/'))
            .cloned(),
    );
    let mut broken = Vec::new();
    for doc in &docs {
        let Some(text) = read(doc) else {
            broken.push(format!("{doc}: missing"));
            continue;
        };
        let dir = Path::new(doc).parent().unwrap();
        for (line, target) in markdown_links(&text) {
            let path = target.split('#').next().unwrap();
            if path.is_empty()
                || ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|p| target.starts_with(p))
            {
                continue;
            }
            if !root.join(dir).join(path).exists() {
                broken.push(format!("{doc}:{line}: ]({target}) leads nowhere"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_scenario_format_documents_every_verb_and_key() {
    let doc = read("docs/scenario-format.md").unwrap();
    for v in mtosim_scenario::verbs::VERBS {
        assert!(
            doc.contains(&format!("`{}`", v.name)),
            "docs/scenario-format.md does not document the verb {}",
            v.name
        );
        for k in v.keys {
            assert!(
                doc.contains(&format!("`{k}`")) || doc.contains(&format!("\n{k} = ")),
                "docs/scenario-format.md does not document the key {k} of {}",
                v.name
            );
        }
    }
}

#[test]
fn seed_walkthrough_is_the_format_example_unchanged() {
    let doc = read("docs/scenario-format.md").unwrap();
    let start = doc
        .find("## Example: the seed article's walkthrough")
        .expect("docs/scenario-format.md ends with the seed walkthrough");
    let body = &doc[start..];
    let from = body.find("```toml\n").unwrap() + 8;
    let to = from + body[from..].find("```").unwrap();
    assert_eq!(
        read("scenarios/seed-walkthrough.toml").unwrap(),
        &body[from..to],
        "docs/scenario-format.md's example and scenarios/seed-walkthrough.toml differ"
    );
}
