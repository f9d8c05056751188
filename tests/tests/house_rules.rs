//! The code's own rules, checked on every run so that they hold without anyone
//! remembering them: files short enough to read (a `.rs` at most 450 lines, a `.slint`
//! at most 300), no import circle between the files of a crate, and screens that decide
//! what to show by enums and booleans, never by comparing texts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MOST_RS_LINES: usize = 450;
const MOST_SLINT_LINES: usize = 300;
/// The crates' source folders, from the workspace's root.
const CRATES: &[&str] =
    &["protocol/src", "content/src", "agent/src", "kiosk/src", "fleet/src", "tests/src", "bench/src"];

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Every file under `dir` whose name ends in `ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn files_are_short_enough_to_read() {
    let root = root();
    let mut long = Vec::new();
    let mut checked = 0;
    let folders = CRATES.iter().map(|c| root.join(c)).chain(
        ["agent/tests", "kiosk/tests", "tests/tests", "fleet/tests", "fuzz/bodies"].iter().map(|d| root.join(d)),
    );
    for dir in folders.filter(|d| d.is_dir()) {
        for file in files(&dir, "rs") {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            checked += 1;
            if lines > MOST_RS_LINES {
                long.push(format!("{} has {lines} lines", file.strip_prefix(&root).unwrap().display()));
            }
        }
    }
    for file in files(&root.join("kiosk/ui"), "slint") {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        checked += 1;
        if lines > MOST_SLINT_LINES {
            long.push(format!("{} has {lines} lines", file.strip_prefix(&root).unwrap().display()));
        }
    }
    assert!(checked > 100, "only {checked} files found: is the root right?");
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}

#[test]
fn screens_never_compare_texts() {
    let mut found = Vec::new();
    for file in files(&root().join("kiosk/ui"), "slint") {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if ["== \"", "!= \"", "\" ==", "\" !="].iter().any(|p| code.contains(p)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "use an enum or a boolean of the globals instead:\n{}", found.join("\n"));
}

/// The module path of each file of a crate: `a/b.rs` and `a/b/mod.rs` are `["a", "b"]`;
/// `lib.rs` and `main.rs` are the root, `[]`. Binaries under `bin/` are left out.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut table = BTreeMap::new();
    for file in files(src, "rs") {
        let rel = file.strip_prefix(src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if parts.first().is_some_and(|p| p == "bin") {
            continue;
        }
        if parts.last().is_some_and(|p| ["mod", "lib", "main"].contains(&p.as_str())) {
            parts.pop();
        }
        table.insert(parts, file);
    }
    table
}

/// The paths named after `crate::` and `super::` in `text` (comments left out), as
/// module paths from the crate's root; `parent` is the module `super` means.
fn named_paths(text: &str, parent: &[String]) -> Vec<Vec<String>> {
    let code: String = text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    let mut out = Vec::new();
    for (word, base) in [("crate::", Vec::new()), ("super::", parent.to_vec())] {
        for (at, _) in code.match_indices(word) {
            // Only a whole word: not `my_crate::`.
            if code[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[at + word.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inside = &group[..group.find('}').unwrap_or(group.len())];
                for item in inside.split(',') {
                    out.push(base.iter().cloned().chain(idents(item.trim())).collect());
                }
            } else {
                out.push(base.iter().cloned().chain(idents(rest)).collect());
            }
        }
    }
    out
}

/// `a::b::C as D…` → `["a", "b", "C"]`.
fn idents(path: &str) -> Vec<String> {
    let end = path.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(path.len());
    path[..end].split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Which files each file of the crate at `src` uses.
fn uses(src: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let table = modules(src);
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (module, file) in &table {
        edges.entry(file.clone()).or_default();
        // The root declares and re-exports its children: that is not a use.
        if module.is_empty() {
            continue;
        }
        let parent = &module[..module.len() - 1];
        let text = std::fs::read_to_string(file).unwrap();
        for path in named_paths(&text, parent) {
            let target = (1..=path.len()).rev().find_map(|n| table.get_key_value(&path[..n]));
            if let Some((target_module, target)) = target
                && target != file
                // A module naming its own children is not a use either.
                && !target_module.starts_with(module)
            {
                edges.get_mut(file).unwrap().insert(target.clone());
            }
        }
    }
    edges
}

/// The strongly connected groups of two files or more (Tarjan's algorithm).
fn circles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a PathBuf) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in &self.edges[v] {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let at = self.stack.iter().position(|x| *x == v).unwrap();
                let group: Vec<PathBuf> = self.stack.drain(at..).cloned().collect();
                if group.len() > 1 {
                    self.out.push(group);
                }
            }
        }
    }
    let mut walk = Walk { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), out: Vec::new() };
    for v in edges.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.out
}

#[test]
fn no_file_of_a_crate_imports_itself_round_a_circle() {
    let root = root();
    let mut found = Vec::new();
    for krate in CRATES {
        let edges = uses(&root.join(krate));
        assert!(edges.len() > 1 || *krate == "bench/src", "{krate}: no files read");
        for group in circles(&edges) {
            let names: Vec<String> =
                group.iter().map(|f| f.strip_prefix(&root).unwrap().display().to_string()).collect();
            found.push(names.join(" → "));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

/// The check itself finds a circle when there is one, and none in a one-way chain.
#[test]
fn the_circle_check_sees_a_circle() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("lib.rs", "mod a; mod b; mod c;\npub use crate::a::A;\n");
    write("a.rs", "use crate::b::B;\npub struct A;\n");
    write("b.rs", "use crate::{c::C, a};\npub struct B;\n");
    write("c.rs", "// use crate::a; is only a comment\npub struct C;\n");
    let edges = uses(dir.path());
    let circles = circles(&edges);
    assert_eq!(circles.len(), 1, "{edges:?}");
    assert_eq!(circles[0].len(), 2);
    write("b.rs", "use crate::c::C;\npub struct B;\n");
    assert!(self::circles(&uses(dir.path())).is_empty());
}
