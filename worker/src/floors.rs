//! The worker's architecture, checked: four floors, imports only downwards, and no handler
//! importing another. Read from the sources, so a stray `use` fails `make test`.
//!
//! 4. `handlers::*`: HTTP in, HTTP out.
//! 3. `services::*`: what handlers call.
//! 2. `objects::*`, `payments`, `mail`, `ports`: Durable Object clients, the payment gateway,
//!    the e-mail provider, and the `commerce` service's ports over them.
//! 1. `config`, `error`, `platform`, `respond`: settings, the error type, request and response
//!    helpers.
//!
//! `lib.rs` (the entry: route, then dispatch to a handler) sits above them all.

use std::collections::BTreeMap;
use std::path::Path;

fn floor(module: &str) -> u8 {
    match module.split("::").next().unwrap_or("") {
        "handlers" => 4,
        "services" => 3,
        "objects" | "payments" | "mail" | "ports" => 2,
        "config" | "error" | "platform" | "respond" => 1,
        other => panic!("module {other} has no floor: add it to floors.rs"),
    }
}

/// Module path → the modules it imports (`crate::a::b` → `a::b`, first two segments).
fn imports() -> BTreeMap<String, Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&src).expect("under src");
            let module = rel
                .with_extension("")
                .to_string_lossy()
                .replace('/', "::")
                .trim_end_matches("::mod")
                .to_owned();
            if module == "lib" || module == "floors" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            let mut used: Vec<String> = text
                .match_indices("crate::")
                .map(|(i, _)| {
                    text[i + 7..]
                        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .next()
                        .unwrap_or("")
                        .split("::")
                        .take(2)
                        .collect::<Vec<_>>()
                        .join("::")
                })
                .collect();
            used.sort();
            used.dedup();
            out.insert(module, used);
        }
    }
    out
}

#[test]
fn imports_only_go_down_a_floor_or_along_it_and_handlers_stand_alone() {
    let graph = imports();
    assert!(graph.contains_key("handlers::cart"), "{graph:?}");
    let mut problems = Vec::new();
    for (module, used) in &graph {
        for target in used {
            let (from, to) = (floor(module), floor(target));
            if to > from {
                problems.push(format!(
                    "{module} (floor {from}) imports {target} (floor {to})"
                ));
            }
            if from == 4 && to == 4 && !target.starts_with(module.as_str()) {
                problems.push(format!("handler {module} imports handler {target}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_bottom_floor_has_no_cycles() {
    let graph = imports();
    let bottom: Vec<&String> = graph.keys().filter(|m| floor(m) == 1).collect();
    // Depth-first: a module reachable from itself is a cycle.
    fn reaches(
        graph: &BTreeMap<String, Vec<String>>,
        from: &str,
        to: &str,
        seen: &mut Vec<String>,
    ) -> bool {
        for next in graph.get(from).into_iter().flatten() {
            let next = next.split("::").next().unwrap_or("");
            if next == to {
                return true;
            }
            if !seen.iter().any(|s| s == next) {
                seen.push(next.to_owned());
                if reaches(graph, next, to, seen) {
                    return true;
                }
            }
        }
        false
    }
    for m in bottom {
        assert!(
            !reaches(&graph, m, m, &mut Vec::new()),
            "{m} imports itself through others"
        );
    }
}
