//! The source tree's shape, checked by `cargo test` (so by CI): imports between the library's
//! modules run one way, and no source file grows past 700 lines of code.
//!
//! **Modules and files.** Every `.rs` file reached from `src/lib.rs` through `mod` declarations
//! (`#[path]` honoured) is one node, named by its path (`src/engine/results/mod.rs`). Inline
//! `mod x { … }` blocks belong to their file.
//!
//! **Edges.** A file imports another when it names an item of it by a path: a `use` (any tree,
//! `self`, `as`, `*`) or a path in code beginning with `crate::`, `super::` or `self::`
//! (`$crate::` too). Paths are resolved as rustc does: from the file's module (or inline
//! module), through child modules by name, to the deepest module the path reaches. Then:
//! 1. A re-export (`pub use`, `pub(crate) use`, `pub(super) use`) is a route, not an import:
//!    a path that reaches an item through re-exports is resolved on to the module that
//!    defines the item (named re-exports, and globs whose module defines the name). So
//!    `use super::EventRef`, reaching `engine/mod.rs`'s `pub use results::EventRef`, is an
//!    import of the file that defines `EventRef`.
//! 2. A module's edges into its own subtree do not count: a parent declares its children
//!    (`mod`), re-exports them and uses them; that is the facade's direction. Every other
//!    edge counts: child to ancestor, sibling to sibling, across subtrees.
//! 3. A `mod` declaration is not an import, and paths to external crates (`std::`,
//!    `parking_lot::`) are not followed.
//!
//! **Rule 1: no cycle.** The graph of these edges has no cycle. Each strongly connected set
//! of files is reported with every edge inside it and the line that makes it, so that all
//! cycles are seen at once. A set wholly inside a folder of [`TOLERATED_CYCLES`] is tolerated;
//! an entry that matches no set fails too, so an entry goes when its cycle is broken.
//!
//! **Rule 2: no file over 700 lines of code.** Every `.rs` file under `src/`, reached or not,
//! counts its lines of code: lines on which a token lies (a line inside a multi-line string
//! counts; blank lines and lines holding only comments, doc comments included, do not).
//!
//! The reader is a small Rust lexer (comments, strings, raw strings, chars and lifetimes),
//! not a parser: enough for paths, `use` trees, `mod` and item names.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The most lines of code a source file may hold.
const MAX_LINES_OF_CODE: usize = 700;

/// Cycles tolerated for now: a strongly connected set wholly inside the folder is allowed.
/// None today; an entry that matches no cycle fails the check, so none outlives its cycle.
const TOLERATED_CYCLES: &[&str] = &[];

#[test]
fn no_import_cycle_among_src_modules() {
    let tree = Tree::read(&src_files());
    // Shown with --nocapture: what the tolerated folders still hold.
    eprint!("{}", tree.cycle_report(&[]));
    let report = tree.cycle_report(TOLERATED_CYCLES);
    assert!(report.is_empty(), "{report}");
}

#[test]
fn no_src_file_over_700_lines_of_code() {
    let mut over = Vec::new();
    for (path, text) in src_files() {
        let lines = lines_of_code(&text);
        if lines > MAX_LINES_OF_CODE {
            over.push(format!("{path}: {lines} lines of code"));
        }
    }
    assert!(
        over.is_empty(),
        "files over {MAX_LINES_OF_CODE} lines of code (split them by responsibility):\n{}",
        over.join("\n")
    );
}

/// The checker itself: the circles it must catch, the directions it must allow.
#[test]
fn the_cycle_check_catches_circles_and_allows_facades() {
    let files = |list: &[(&str, &str)]| -> BTreeMap<String, String> {
        list.iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect()
    };
    // A parent re-exporting and using its children, children using the parent: no cycle.
    let facade = files(&[
        ("src/lib.rs", "mod engine; pub use engine::{Engine, Item};"),
        (
            "src/engine/mod.rs",
            "mod a; mod b; pub use a::Item; pub struct Engine(b::B); fn f() { a::g(); }",
        ),
        (
            "src/engine/a.rs",
            "use super::Engine; pub struct Item; pub fn g() {}",
        ),
        (
            "src/engine/b.rs",
            "use super::Item; pub struct B; #[cfg(test)] mod tests { use super::*; }",
        ),
    ]);
    let tree = Tree::read(&facade);
    assert_eq!(tree.cycle_report(&[]), "");
    // Siblings through the parent's re-export, and a path in code: both directions seen.
    let circle = files(&[
        ("src/lib.rs", "mod engine;"),
        (
            "src/engine/mod.rs",
            "mod a; mod b; pub use a::A; pub(crate) use b::B;",
        ),
        (
            "src/engine/a.rs",
            "pub struct A; fn f() { let _ = crate::engine::B; }",
        ),
        (
            "src/engine/b.rs",
            "use super::A; // use super::nothing;\npub struct B;",
        ),
    ]);
    let report = Tree::read(&circle).cycle_report(&[]);
    assert!(
        report.contains("src/engine/a.rs -> src/engine/b.rs"),
        "{report}"
    );
    assert!(
        report.contains("src/engine/b.rs -> src/engine/a.rs"),
        "{report}"
    );
    // A tolerated folder hides its own cycle only, and a stale entry is reported.
    assert_eq!(Tree::read(&circle).cycle_report(&["src/engine/"]), "");
    let stale = Tree::read(&facade).cycle_report(&["src/engine/"]);
    assert!(stale.contains("matches no cycle"), "{stale}");
    // `#[path]` children, nested `super`, `self` in a use tree, a string holding a path.
    let nested = files(&[
        ("src/lib.rs", "mod x; mod y;"),
        (
            "src/x.rs",
            "#[path = \"x_tests.rs\"] mod tests; pub fn f() {}",
        ),
        ("src/x_tests.rs", "use super::super::y::{self, Z};"),
        (
            "src/y.rs",
            "pub struct Z; const S: &str = \"crate::x::f\"; fn g() { crate::x::f() }",
        ),
    ]);
    let tree = Tree::read(&nested);
    let edges: Vec<(&str, &str)> = tree
        .edges()
        .iter()
        .flat_map(|(from, to)| to.keys().map(move |to| (*from, *to)))
        .collect();
    assert_eq!(
        edges,
        [("src/x_tests.rs", "src/y.rs"), ("src/y.rs", "src/x.rs")]
    );
    assert_eq!(
        lines_of_code("// c\n\n/* a\n b */ fn f() {\n  \"x\n\n y\"\n}\n"),
        5
    );
}

/// Every `.rs` file under `src/`, by its path from the crate root (`src/…`).
fn src_files() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let rel = path.strip_prefix(root).unwrap();
                out.insert(slashed(rel), text);
            }
        }
    }
    out
}

fn slashed(path: &Path) -> String {
    let parts: Vec<_> = path.iter().map(|p| p.to_string_lossy()).collect();
    parts.join("/")
}

/// Lines on which some token lies.
fn lines_of_code(text: &str) -> usize {
    let mut lines = BTreeSet::new();
    for token in lex(text) {
        lines.extend(token.line..=token.end_line);
    }
    lines.len()
}

// ---------------------------------------------------------------------------------------
// The lexer.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Punct(char),
    Str(String),
    /// Numbers, chars, lifetimes: present for line counting only.
    Other,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
    end_line: usize,
}

fn lex(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let ident_start = |ch: char| ch == '_' || ch.is_alphabetic();
    let ident_char = |ch: char| ch == '_' || ch.is_alphanumeric();
    // Skips a string body from just after its opening quote; `hashes` > 0 for raw strings.
    let string_end = |mut i: usize, raw: Option<usize>, line: &mut usize| -> usize {
        while i < c.len() {
            match c[i] {
                '\n' => *line += 1,
                '\\' if raw.is_none() => {
                    if c.get(i + 1) == Some(&'\n') {
                        *line += 1;
                    }
                    i += 1;
                }
                '"' => {
                    let hashes = raw.unwrap_or(0);
                    if (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
                        return i + 1 + hashes;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        i
    };
    while i < c.len() {
        let start_line = line;
        let ch = c[i];
        let next = c.get(i + 1).copied();
        let push = |out: &mut Vec<Token>, tok: Tok, end_line: usize| {
            out.push(Token {
                tok,
                line: start_line,
                end_line,
            })
        };
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            let end = string_end(i + 1, None, &mut line);
            push(
                &mut out,
                Tok::Str(c[i + 1..end.saturating_sub(1).max(i + 1)].iter().collect()),
                line,
            );
            i = end;
        } else if matches!(ch, 'r' | 'b' | 'c') && raw_string_start(&c, i).is_some() {
            let (body, raw) = raw_string_start(&c, i).unwrap();
            let end = string_end(body, raw, &mut line);
            let close = end.saturating_sub(1 + raw.unwrap_or(0)).max(body);
            push(&mut out, Tok::Str(c[body..close].iter().collect()), line);
            i = end;
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{1F600}') or a lifetime or label ('a).
            if next == Some('\\') {
                // Past the quote, the backslash and the escaped char (which may be a quote).
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < c.len() && ident_char(c[i]) {
                    i += 1;
                }
            }
            push(&mut out, Tok::Other, line);
        } else if ch == 'r' && next == Some('#') && c.get(i + 2).is_some_and(|&x| ident_start(x)) {
            let s = i + 2;
            i = s;
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            push(&mut out, Tok::Ident(c[s..i].iter().collect()), line);
        } else if ident_start(ch) {
            let s = i;
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            push(&mut out, Tok::Ident(c[s..i].iter().collect()), line);
        } else if ch.is_ascii_digit() {
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            push(&mut out, Tok::Other, line);
        } else if ch == ':' && next == Some(':') {
            i += 2;
            push(&mut out, Tok::Sep, line);
        } else {
            i += 1;
            push(&mut out, Tok::Punct(ch), line);
        }
    }
    out
}

/// At a `b"`, `c"`, `r"`, `r#"`, `br#"`…: the index of the body and, for raw strings, the
/// number of hashes. A byte char (`b'x'`) is a char.
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, Option<usize>)> {
    let mut j = i;
    if matches!(c[j], 'b' | 'c') {
        j += 1;
        if c.get(j) == Some(&'"') {
            return Some((j + 1, None));
        }
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (c.get(j) == Some(&'"')).then_some((j + 1, Some(hashes)))
}

// ---------------------------------------------------------------------------------------
// The module tree and its imports.

type ModPath = Vec<String>;

/// A path a file names, with the module it is named in (a file's or an inline module's).
#[derive(Clone, Debug)]
struct Named {
    scope: ModPath,
    segments: Vec<String>,
    line: usize,
}

/// What one module (file or inline) declares and re-exports.
#[derive(Default, Debug)]
struct Module {
    file: String,
    children: HashSet<String>,
    items: HashSet<String>,
    /// Re-exported name -> the path it names (absolute).
    reexports: HashMap<String, ModPath>,
    globs: Vec<ModPath>,
}

/// What lexing one file found.
#[derive(Default)]
struct Scan {
    /// `mod name;` as (scope, name, #[path]).
    declared: Vec<(ModPath, String, Option<String>)>,
    inline: Vec<ModPath>,
    items: Vec<(ModPath, String)>,
    /// `pub use` trees: (scope, path, name or None for a glob).
    reexports: Vec<(ModPath, Vec<String>, Option<String>)>,
    named: Vec<Named>,
}

struct Tree {
    modules: HashMap<ModPath, Module>,
    /// Each file's module path.
    files: BTreeMap<String, ModPath>,
    named: BTreeMap<String, Vec<Named>>,
}

impl Tree {
    /// The module tree from `src/lib.rs`, reading `sources` (path -> text).
    fn read(sources: &BTreeMap<String, String>) -> Tree {
        let mut tree = Tree {
            modules: HashMap::new(),
            files: BTreeMap::new(),
            named: BTreeMap::new(),
        };
        // (file, module path, directory of its children)
        let mut queue =
            VecDeque::from([("src/lib.rs".to_owned(), ModPath::new(), "src".to_owned())]);
        while let Some((file, path, dir)) = queue.pop_front() {
            let text = sources
                .get(&file)
                .unwrap_or_else(|| panic!("{file} is declared but not found"));
            let scan = scan(&lex(text));
            let file_dir = parent_dir(&file);
            let modules = &mut tree.modules;
            module_entry(modules, &path, &[], &file);
            for scope in &scan.inline {
                let (name, parent) = scope.split_last().unwrap();
                module_entry(modules, &path, parent, &file)
                    .children
                    .insert(name.clone());
                module_entry(modules, &path, scope, &file);
            }
            for (scope, name) in &scan.items {
                module_entry(modules, &path, scope, &file)
                    .items
                    .insert(name.clone());
            }
            for (scope, name, attr) in &scan.declared {
                module_entry(modules, &path, scope, &file)
                    .children
                    .insert(name.clone());
                let child_path: ModPath = path.iter().chain(scope).chain([name]).cloned().collect();
                let (child_file, child_dir) = match attr {
                    Some(p) if scope.is_empty() => {
                        let f = format!("{file_dir}/{p}");
                        let d = parent_dir(&f);
                        (f, d)
                    }
                    _ => {
                        let base = std::iter::once(dir.clone())
                            .chain(scope.iter().cloned())
                            .chain([name.clone()])
                            .collect::<Vec<_>>()
                            .join("/");
                        if sources.contains_key(&format!("{base}.rs")) {
                            (format!("{base}.rs"), base)
                        } else {
                            (format!("{base}/mod.rs"), base)
                        }
                    }
                };
                // A `#[path]` out of `src/` (the tests' shared support, compiled into the
                // library's unit tests only) is not one of the library's files.
                if child_file.contains("/../") {
                    continue;
                }
                queue.push_back((child_file, child_path, child_dir));
            }
            tree.files.insert(file.clone(), path.clone());
            let mut named = scan.named;
            for n in &mut named {
                n.scope = path.iter().chain(&n.scope).cloned().collect();
            }
            tree.named.insert(file.clone(), named);
            for (scope, segments, name) in scan.reexports {
                let full: ModPath = path.iter().chain(&scope).cloned().collect();
                let Some(target) = tree.absolute(&full, &segments) else {
                    continue;
                };
                let module = tree.modules.get_mut(&full).unwrap();
                match name {
                    Some(name) => {
                        module.reexports.insert(name, target);
                    }
                    None => module.globs.push(target),
                }
            }
        }
        tree
    }

    /// `segments` named in module `scope`, as an absolute path; None for external crates and
    /// names that are not modules of the crate.
    fn absolute(&self, scope: &ModPath, segments: &[String]) -> Option<ModPath> {
        let (first, rest) = segments.split_first()?;
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" | "super" => {
                let mut base = scope.clone();
                let mut rest = segments;
                while let Some((s, tail)) = rest.split_first() {
                    match s.as_str() {
                        "self" => {}
                        "super" => {
                            base.pop()?;
                        }
                        _ => break,
                    }
                    rest = tail;
                }
                Some(base.into_iter().chain(rest.iter().cloned()).collect())
            }
            _ => {
                let module = self.modules.get(scope)?;
                module
                    .children
                    .contains(first)
                    .then(|| scope.iter().chain(segments).cloned().collect())
            }
        }
    }

    /// The file that defines what `path` names, following re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> Option<&str> {
        let mut current = ModPath::new();
        for (k, segment) in path.iter().enumerate() {
            let mut deeper = current.clone();
            deeper.push(segment.clone());
            if self.modules.contains_key(&deeper) {
                current = deeper;
                continue;
            }
            let module = self.modules.get(&current)?;
            let rest = &path[k + 1..];
            if depth < 16 {
                if let Some(target) = module.reexports.get(segment) {
                    let full: ModPath = target.iter().chain(rest).cloned().collect();
                    return self.resolve(&full, depth + 1);
                }
                if !module.items.contains(segment) {
                    for glob in &module.globs {
                        let Some(g) = self.modules.get(glob) else {
                            continue;
                        };
                        if g.items.contains(segment)
                            || g.children.contains(segment)
                            || g.reexports.contains_key(segment)
                        {
                            let full: ModPath = glob.iter().chain(&path[k..]).cloned().collect();
                            return self.resolve(&full, depth + 1);
                        }
                    }
                }
            }
            break;
        }
        self.modules.get(&current).map(|m| m.file.as_str())
    }

    /// file -> (file it imports -> the first line and path that import it)
    fn edges(&self) -> BTreeMap<&str, BTreeMap<&str, String>> {
        let mut edges: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
        for (file, named) in &self.named {
            let own = &self.files[file];
            for n in named {
                let Some(path) = self.absolute(&n.scope, &n.segments) else {
                    continue;
                };
                let Some(target) = self.resolve(&path, 0) else {
                    continue;
                };
                // Rule 2: a module's edges into its own subtree (itself included) do not count.
                if self.files[target].starts_with(own) {
                    continue;
                }
                edges
                    .entry(file.as_str())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| format!("line {}: {}", n.line, n.segments.join("::")));
            }
        }
        edges
    }

    /// Every strongly connected set of files with more than one file, outside the tolerated
    /// folders, with its edges; and every tolerated folder that matches none. Empty if none.
    fn cycle_report(&self, tolerated: &[&str]) -> String {
        let edges = self.edges();
        let nodes: Vec<&str> = self.files.keys().map(String::as_str).collect();
        let mut used = vec![false; tolerated.len()];
        let mut report = String::new();
        for set in strongly_connected(&nodes, &edges) {
            if let Some(k) = tolerated
                .iter()
                .position(|dir| set.iter().all(|f| f.starts_with(dir)))
            {
                used[k] = true;
                continue;
            }
            let _ = writeln!(report, "import cycle among {} files:", set.len());
            for from in &set {
                for (to, why) in &edges[from] {
                    if set.contains(to) {
                        let _ = writeln!(report, "  {from} -> {to} ({why})");
                    }
                }
            }
        }
        for (dir, used) in tolerated.iter().zip(used) {
            if !used {
                let _ = writeln!(
                    report,
                    "tolerated cycle folder {dir} matches no cycle: remove it"
                );
            }
        }
        report
    }
}

/// Tarjan's strongly connected components with more than one node, each sorted.
fn strongly_connected<'a>(
    nodes: &[&'a str],
    edges: &BTreeMap<&'a str, BTreeMap<&'a str, String>>,
) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: HashMap<&'a str, usize>,
        low: HashMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: HashSet<&'a str>,
        out: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(
        v: &'a str,
        edges: &BTreeMap<&'a str, BTreeMap<&'a str, String>>,
        s: &mut State<'a>,
    ) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in edges.get(v).into_iter().flat_map(|m| m.keys()) {
            if !s.index.contains_key(w) {
                visit(w, edges, s);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut set = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                set.push(w);
                if w == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort_unstable();
                s.out.push(set);
            }
        }
    }
    let mut state = State {
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: HashSet::new(),
        out: Vec::new(),
    };
    for &v in nodes {
        if !state.index.contains_key(v) {
            visit(v, edges, &mut state);
        }
    }
    state.out.sort();
    state.out
}

/// The module `scope` inside file module `path`, made on first use.
fn module_entry<'a>(
    modules: &'a mut HashMap<ModPath, Module>,
    path: &ModPath,
    scope: &[String],
    file: &str,
) -> &'a mut Module {
    let full: ModPath = path.iter().chain(scope).cloned().collect();
    modules.entry(full).or_insert_with(|| Module {
        file: file.to_owned(),
        ..Module::default()
    })
}

fn parent_dir(file: &str) -> String {
    slashed(PathBuf::from(file).parent().unwrap())
}

/// What a file's tokens declare and name.
fn scan(tokens: &[Token]) -> Scan {
    let mut out = Scan::default();
    let ident = |i: usize| match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    let is = |i: usize, tok: Tok| tokens.get(i).map(|t| &t.tok) == Some(&tok);
    // (brace depth inside the module, its name)
    let mut scopes: Vec<(usize, String)> = Vec::new();
    let mut depth = 0;
    let mut path_attr: Option<String> = None;
    let mut i = 0;
    while i < tokens.len() {
        let scope: ModPath = scopes.iter().map(|(_, n)| n.clone()).collect();
        let at_module_level = scopes.last().map_or(0, |s| s.0) == depth;
        match &tokens[i].tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                if scopes.last().is_some_and(|s| s.0 == depth) {
                    scopes.pop();
                }
                depth -= 1;
            }
            Tok::Punct('#') if is(i + 1, Tok::Punct('[')) && ident(i + 2) == Some("path") => {
                if let Some(Tok::Str(p)) = tokens.get(i + 4).map(|t| &t.tok) {
                    path_attr = Some(p.clone());
                }
            }
            Tok::Ident(kw) if kw == "mod" && ident(i + 1).is_some() => {
                let name = ident(i + 1).unwrap().to_owned();
                if is(i + 2, Tok::Punct(';')) {
                    out.declared.push((scope, name, path_attr.take()));
                    i += 3;
                    continue;
                } else if is(i + 2, Tok::Punct('{')) {
                    depth += 1;
                    scopes.push((depth, name));
                    out.inline
                        .push(scopes.iter().map(|(_, n)| n.clone()).collect());
                    path_attr = None;
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(kw) if kw == "use" => {
                let line = tokens[i].line;
                let public = is_public(tokens, i);
                let mut trees = Vec::new();
                i += 1;
                use_tree(tokens, &mut i, Vec::new(), &mut trees);
                for (segments, name) in trees {
                    if public {
                        out.reexports.push((scope.clone(), segments.clone(), name));
                    }
                    // A re-export is a route (rule 1): its own path is not an import.
                    if !public {
                        out.named.push(Named {
                            scope: scope.clone(),
                            segments,
                            line,
                        });
                    }
                }
                continue;
            }
            Tok::Ident(kw)
                if matches!(kw.as_str(), "crate" | "super" | "self") && is(i + 1, Tok::Sep) =>
            {
                let line = tokens[i].line;
                let mut segments = vec![kw.clone()];
                let mut j = i + 1;
                while is(j, Tok::Sep) {
                    match ident(j + 1) {
                        Some(s) => segments.push(s.to_owned()),
                        None => break,
                    }
                    j += 2;
                }
                out.named.push(Named {
                    scope,
                    segments,
                    line,
                });
                i = j;
                continue;
            }
            Tok::Ident(kw)
                if at_module_level
                    && matches!(
                        kw.as_str(),
                        "struct" | "enum" | "fn" | "const" | "static" | "trait" | "type" | "union"
                    ) =>
            {
                if let Some(name) = ident(i + 1).filter(|n| !matches!(*n, "fn" | "mut")) {
                    out.items.push((scope, name.to_owned()));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// True if the `use` at `i` is `pub`, `pub(crate)`, `pub(super)` or `pub(in …)`.
fn is_public(tokens: &[Token], i: usize) -> bool {
    let mut k = i;
    if k > 0 && tokens[k - 1].tok == Tok::Punct(')') {
        while k > 0 && tokens[k - 1].tok != Tok::Punct('(') {
            k -= 1;
        }
        k = k.saturating_sub(1);
    }
    k > 0 && tokens[k - 1].tok == Tok::Ident("pub".to_owned())
}

/// Reads one use tree at `*i` (after `use`, or inside braces), appending (path, name)
/// pairs: the name is the alias or the last segment, None for a glob. Stops after the
/// tree (at `,`, `}` or past `;`).
fn use_tree(
    tokens: &[Token],
    i: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    let mut segments = prefix;
    while let Some(token) = tokens.get(*i) {
        match &token.tok {
            Tok::Sep => *i += 1,
            Tok::Ident(s) => {
                segments.push(s.clone());
                *i += 1;
                if tokens.get(*i).map(|t| &t.tok) == Some(&Tok::Sep) {
                    continue;
                }
                let mut name = None;
                if tokens.get(*i).map(|t| &t.tok) == Some(&Tok::Ident("as".to_owned())) {
                    if let Some(Tok::Ident(alias)) = tokens.get(*i + 1).map(|t| &t.tok) {
                        name = Some(alias.clone());
                    }
                    *i += 2;
                }
                // `a::b::{self}` names `a::b`.
                if segments.len() > 1 && segments.last().is_some_and(|s| s == "self") {
                    segments.pop();
                }
                let name = name.or_else(|| segments.last().cloned());
                out.push((segments, name));
                break;
            }
            Tok::Punct('*') => {
                *i += 1;
                out.push((segments, None));
                break;
            }
            Tok::Punct('{') => {
                *i += 1;
                while let Some(t) = tokens.get(*i) {
                    match t.tok {
                        Tok::Punct('}') => {
                            *i += 1;
                            break;
                        }
                        Tok::Punct(',') => *i += 1,
                        _ => {
                            let before = *i;
                            use_tree(tokens, i, segments.clone(), out);
                            if *i == before {
                                *i += 1;
                            }
                        }
                    }
                }
                break;
            }
            _ => break,
        }
    }
    if tokens.get(*i).map(|t| &t.tok) == Some(&Tok::Punct(';')) {
        *i += 1;
    }
}
