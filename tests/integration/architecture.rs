//! The shape of the house, checked: no import circles among the library's modules, no stage
//! importing a later stage (collect → normalize → diff/evaluate → report → evidence, commands on
//! top), `src/lib.rs` a module list, and no source file over 1,000 lines.
//!
//! Reads `src/` as text: every `crate::`, `super::` and `self::` path (in `use` trees and in
//! code) is resolved to the module file that defines it, following `pub use` re-exports. `mod`
//! declarations and re-exports themselves are not dependencies, nor is a module's use of the
//! modules it is declared in (a `mod.rs` facade sharing helpers with its children: one unit);
//! `#[cfg(test)]` code is left out (tests may reach anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's stage; a module may import only modules of its own or an earlier
/// stage. Stage 0 is the foundation every stage may use.
const STAGES: &[(&str, u8)] = &[
    // Foundation: plain helpers with no knowledge of Clerk's data flow.
    ("path", 0),
    ("duration", 0),
    ("diag", 0),
    ("fsx", 0),
    ("exit", 0),
    ("jsonx", 0),
    // The recording layout and endpoint table the collector fills and normalize reads.
    ("recording", 1),
    // Collect: HTTP to Clerk.
    ("clerk", 2),
    // Normalize: raw responses into the snapshot model.
    ("snapshot", 3),
    // Diff and evaluate, side by side.
    ("diff", 4),
    ("policy", 4),
    // The accepted-baseline lifecycle (diff of two snapshots, hash chain).
    ("baseline", 5),
    ("remedy", 5),
    ("report", 6),
    ("evidence", 7),
    // Inputs that only the commands resolve.
    ("cli", 8),
    ("config", 8),
    ("secrets", 8),
    // The top: the commands, the crate root, and the fuzzing harness.
    ("commands", 9),
    ("", 9),
    ("fuzzing", 9),
];

const MAX_LINES: usize = 1000;
const MAX_LIB_LINES: usize = 150;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library source file (not the binary's: main.rs and the modules it declares) by module
/// path (`policy::eval`; the crate root is "").
fn library_files() -> BTreeMap<String, PathBuf> {
    let root = src();
    let main = std::fs::read_to_string(root.join("main.rs")).unwrap_or_default();
    let binary_only: BTreeSet<String> = main
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod "))
        .map(|m| m.trim_end_matches(';').trim().to_owned())
        .collect();
    let mut files = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(&root).expect("under src/");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let last = parts.pop().expect("a file name");
            match last.as_str() {
                "main.rs" if parts.is_empty() => continue,
                "lib.rs" if parts.is_empty() => {}
                "mod.rs" => {}
                other => parts.push(other.trim_end_matches(".rs").to_owned()),
            }
            if parts.len() == 1 && binary_only.contains(&parts[0]) {
                continue;
            }
            files.insert(parts.join("::"), path);
        }
    }
    files
}

/// The text that is compiled outside tests: comments and the `#[cfg(test)]` tail removed.
fn product_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string (a URL) is not a comment; good enough for paths.
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `use` trees (`a::{b, c::{d, e}}`) into full paths.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree).trim();
        return vec![path.trim_end_matches("::self").to_owned()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let close = tree.rfind('}').filter(|c| *c > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| {
            expand(p).into_iter().map(|s| {
                if s == "self" {
                    prefix.to_owned()
                } else {
                    format!("{prefix}::{s}")
                }
            })
        })
        .collect()
}

/// The `use` statements of a file: (is a `pub use`, expanded paths).
fn uses(code: &str) -> Vec<(bool, Vec<String>)> {
    let re = regex::Regex::new(r"(?ms)^\s*(pub(?:\([a-z]+\))?\s+)?use\s+([^;]+);").expect("regex");
    re.captures_iter(code)
        .map(|c| {
            let public = c.get(1).is_some_and(|m| m.as_str().trim() == "pub");
            (public, expand(&c[2]))
        })
        .collect()
}

/// A path as written in module `module`, made absolute (crate-relative segments). A path that
/// starts with the name of one of `module`'s child modules (`use eval::Finding;` in a `mod.rs`) is
/// relative to it; any other (an external crate, a local name) is not the crate's.
fn absolute(module: &str, path: &str, files: &BTreeMap<String, PathBuf>) -> Option<Vec<String>> {
    let mut here: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_owned).collect()
    };
    let mut segs = path.split("::").map(str::trim).peekable();
    match segs.peek().copied() {
        Some("crate") => {
            segs.next();
            here.clear();
        }
        Some("super") => {
            while segs.peek() == Some(&"super") {
                segs.next();
                here.pop();
            }
        }
        Some("self") => {
            segs.next();
        }
        Some(first) => {
            let child = if module.is_empty() {
                first.to_owned()
            } else {
                format!("{module}::{first}")
            };
            if !files.contains_key(&child) {
                return None;
            }
        }
        None => return None,
    }
    here.extend(segs.map(str::to_owned));
    Some(here)
}

struct Crate {
    files: BTreeMap<String, PathBuf>,
    /// (module, name) → the absolute path it re-exports.
    reexports: BTreeMap<(String, String), Vec<String>>,
}

impl Crate {
    /// The module file that defines the item at `path`.
    fn resolve(&self, path: &[String], depth: u8) -> Option<String> {
        let mut best = None;
        for n in (0..=path.len()).rev() {
            let m = path[..n].join("::");
            if self.files.contains_key(&m) {
                best = Some((m, n));
                break;
            }
        }
        let (module, n) = best?;
        if let Some(name) = path.get(n)
            && depth < 8
            && let Some(target) = self.reexports.get(&(module.clone(), name.clone()))
        {
            let mut full = target.clone();
            full.extend(path[n + 1..].iter().cloned());
            return self.resolve(&full, depth + 1).or(Some(module));
        }
        Some(module)
    }
}

/// module → the modules it depends on.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = library_files();
    let code: BTreeMap<String, String> = files
        .iter()
        .map(|(m, p)| {
            let text = std::fs::read_to_string(p).expect("a readable source file");
            (m.clone(), product_code(&text))
        })
        .collect();
    let mut reexports = BTreeMap::new();
    for (m, text) in &code {
        for (public, paths) in uses(text) {
            for p in paths.iter().filter(|_| public) {
                if let Some(abs) = absolute(m, p, &files)
                    && let Some(name) = abs.last()
                {
                    reexports.insert((m.clone(), name.clone()), abs.clone());
                }
            }
        }
    }
    let krate = Crate { files, reexports };
    let path_re =
        regex::Regex::new(r"\b(?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+").expect("regex");
    let use_re =
        regex::Regex::new(r"(?ms)^\s*(?:pub(?:\([a-z]+\))?\s+)?use\s+[^;]+;").expect("regex");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &code {
        let deps = graph.entry(m.clone()).or_default();
        let mut paths: Vec<String> = Vec::new();
        for (public, expanded) in uses(text) {
            if !public {
                paths.extend(expanded);
            }
        }
        let rest = use_re.replace_all(text, "");
        paths.extend(path_re.find_iter(&rest).map(|p| p.as_str().to_owned()));
        for p in paths {
            let Some(abs) = absolute(m, &p, &krate.files) else {
                continue;
            };
            if let Some(target) = krate.resolve(&abs, 0)
                && target != *m
                && (target.is_empty() || !m.starts_with(&format!("{target}::")))
            {
                deps.insert(target);
            }
        }
    }
    graph
}

fn stage(module: &str) -> Option<u8> {
    let top = module.split("::").next().unwrap_or("");
    STAGES.iter().find(|(m, _)| *m == top).map(|(_, s)| *s)
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn the_reader_sees_the_dependencies_the_code_has() {
    // Pins the reader itself, so that the checks below cannot pass by reading nothing.
    let g = graph();
    let deps = |m: &str| g.get(m).cloned().unwrap_or_default();
    assert!(
        deps("commands::plan").contains("diff"),
        "{:?}",
        deps("commands::plan")
    );
    assert!(
        deps("commands::plan").contains("policy::load"),
        "{:?}",
        deps("commands::plan")
    );
    assert!(
        deps("commands::plan").contains("policy::eval"),
        "crate::policy::Finding is policy::eval's, through `pub use eval::…` in policy/mod.rs: {:?}",
        deps("commands::plan")
    );
    assert!(g.len() > 40, "only {} modules read", g.len());
    assert_eq!(
        expand("crate::a::{b, c::{d, self}, e as f}"),
        [
            "crate::a::b",
            "crate::a::c::d",
            "crate::a::c",
            "crate::a::e"
        ]
    );
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let found = cycles(&graph());
    assert!(found.is_empty(), "import circles: {found:#?}");
}

#[test]
fn no_stage_imports_a_later_stage() {
    let g = graph();
    let mut wrong = Vec::new();
    for (m, deps) in &g {
        let Some(from) = stage(m) else {
            wrong.push(format!(
                "{m}: not in STAGES (tests/integration/architecture.rs)"
            ));
            continue;
        };
        for d in deps {
            match stage(d) {
                Some(to) if to > from => {
                    wrong.push(format!("{m} (stage {from}) imports {d} (stage {to})"));
                }
                Some(_) => {}
                None => wrong.push(format!("{d}: not in STAGES")),
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn lib_rs_is_a_module_list_and_no_file_is_over_a_thousand_lines() {
    let mut long = Vec::new();
    let mut stack = vec![src()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().and_then(|e| e.to_str()) == Some("rs") {
                let lines = std::fs::read_to_string(&path)
                    .expect("a readable source file")
                    .lines()
                    .count();
                if lines > MAX_LINES {
                    long.push(format!("{}: {lines} lines", path.display()));
                }
            }
        }
    }
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:#?}");
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    assert!(
        lib.lines().count() <= MAX_LIB_LINES,
        "src/lib.rs has {} lines",
        lib.lines().count()
    );
}
