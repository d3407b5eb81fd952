//! The layout's own rules (ARCHITECTURE.md, "Architecture invariants"): the engine depends on
//! no serialization, file-format or command-line crate, the crates depend on each other in one
//! direction only, and inside every crate no two modules import each other (directly or
//! through others).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `[dependencies]` names of a crate's manifest.
fn dependencies(krate: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(krate).join("Cargo.toml")).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc.get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_engine_depends_on_no_serde_toml_or_clap() {
    let deps = dependencies("engine");
    for banned in ["serde", "serde_json", "toml", "clap", "csv", "tokio"] {
        assert!(
            !deps.iter().any(|d| d == banned),
            "mtosim-engine must stay pure, but depends on {banned}"
        );
    }
}

#[test]
fn crates_depend_in_one_direction() {
    // each crate may use only the crates before it in this order
    let order = ["engine", "graph", "scenario", "render", "server", "."];
    let name = |dir: &str| match dir {
        "." => "mtosim".to_string(),
        d => format!("mtosim-{d}"),
    };
    for (i, dir) in order.iter().enumerate() {
        let deps = dependencies(dir);
        for later in &order[i + 1..] {
            assert!(
                !deps.contains(&name(later)),
                "{} depends on {}, which comes after it",
                name(dir),
                name(later)
            );
        }
    }
    assert!(
        !dependencies("scenario").contains(&"mtosim-graph".to_string()),
        "the scenario contract does not speak Graph JSON"
    );
    assert!(
        !dependencies("server").contains(&"mtosim-scenario".to_string()),
        "the server serves a world; loading scenarios is the CLI's (its tests may use it)"
    );
}

/// The top-level modules of a crate's `src/` and, for each, the top-level modules it names
/// through `crate::...` (comments, tests at the end of a file and `tests.rs` files left out).
fn module_edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") || p.file_name().unwrap() == "tests.rs" {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_str().unwrap();
            let module = first.trim_end_matches(".rs").to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            // code only: tests at the end of a file and comments (doc links are not imports)
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap()
                .lines()
                .map(|l| l.split("//").next().unwrap())
                .collect::<Vec<_>>()
                .join("\n");
            let code = code.as_str();
            let used = edges.entry(module.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + 7..];
                let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    group
                        .split(',')
                        .map(|s| s.trim().split("::").next().unwrap().trim())
                        .collect()
                } else {
                    vec![rest
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .next()
                        .unwrap()]
                };
                for n in names {
                    if !n.is_empty() && n != module && n.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                        used.insert(n.to_string());
                    }
                }
            }
        }
    }
    edges
}

/// A cycle in `edges`, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut c = path[at..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if edges.contains_key(m) {
                if let Some(c) = visit(m, edges, path, done) {
                    return Some(c);
                }
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn no_two_modules_import_each_other() {
    for krate in ["engine", "graph", "scenario", "render", "server", "."] {
        let edges = module_edges(&root().join(krate).join("src"));
        assert!(
            find_cycle(&edges).is_none(),
            "{krate}/src has an import cycle: {}",
            find_cycle(&edges).unwrap().join(" -> ")
        );
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut e: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    e.entry("a".into()).or_default().insert("b".into());
    e.entry("b".into()).or_default().insert("c".into());
    e.entry("c".into()).or_default();
    assert!(find_cycle(&e).is_none());
    e.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&e).unwrap(), ["a", "b", "c", "a"]);
}
