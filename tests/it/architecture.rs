//! ARCHITECTURE.md's code map against the tree: every path it names exists, and every source
//! file under `src/`, `ffi/src/` and `cli/src/` is named in it.
//!
//! The map's conventions: a code block after the `## Code map` heading, one entry per line,
//! the path first, then its description. A path ending in `/` names a directory as a whole;
//! a `*` in its last component names the files of its directory that match (`*.man`).

use std::path::{Path, PathBuf};

/// The roots whose every file the map must name.
const SOURCE_ROOTS: [&str; 3] = ["src", "ffi/src", "cli/src"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The paths of the code map, in order, with their line numbers in ARCHITECTURE.md.
fn map_paths() -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut lines = text.lines().enumerate();
    lines
        .by_ref()
        .find(|(_, l)| l.trim() == "## Code map")
        .expect("ARCHITECTURE.md has a `## Code map` section");
    lines
        .by_ref()
        .find(|(_, l)| l.starts_with("```"))
        .expect("the code map is a code block");
    let mut paths = Vec::new();
    for (n, line) in lines {
        if line.starts_with("```") {
            return paths;
        }
        if let Some(path) = line.split_whitespace().next() {
            paths.push((n + 1, path.to_owned()));
        }
    }
    panic!("the code map's code block is not closed");
}

/// Whether `name` matches `pattern`, whose only wildcard is `*` (any run of characters).
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| matches(tail, &rest[i..]))
        }
    }
}

/// The files a glob entry names (its `*` only in the last component).
fn glob(entry: &str) -> Vec<PathBuf> {
    let (dir, pattern) = entry.rsplit_once('/').unwrap_or(("", entry));
    assert!(
        !dir.contains('*'),
        "{entry}: a `*` only in the last component"
    );
    let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.path().is_file())
        .filter(|e| matches(pattern, &e.file_name().to_string_lossy()))
        .map(|e| Path::new(dir).join(e.file_name()))
        .collect()
}

/// Every file under `dir` (relative to the project root), recursively.
fn files_under(dir: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(root().join(dir)).unwrap().flatten() {
        let path = format!("{dir}/{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_path_of_the_code_map_exists() {
    let paths = map_paths();
    assert!(
        paths.len() > 100,
        "{} entries: the map was not read",
        paths.len()
    );
    let mut missing = Vec::new();
    for (line, path) in &paths {
        let exists = if path.contains('*') {
            !glob(path).is_empty()
        } else if let Some(dir) = path.strip_suffix('/') {
            root().join(dir).is_dir()
        } else {
            root().join(path).is_file()
        };
        if !exists {
            missing.push(format!("ARCHITECTURE.md:{line}: {path}"));
        }
    }
    assert!(
        missing.is_empty(),
        "code map entries with nothing behind them:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_source_file_is_in_the_code_map() {
    let paths: Vec<String> = map_paths().into_iter().map(|(_, p)| p).collect();
    let named = |file: &str| {
        paths.iter().any(|p| {
            p == file
                || (p.ends_with('/') && file.starts_with(p.as_str()))
                || (p.contains('*') && glob(p).iter().any(|g| g == Path::new(file)))
        })
    };
    let mut files = Vec::new();
    for dir in SOURCE_ROOTS {
        files_under(dir, &mut files);
    }
    assert!(files.iter().any(|f| f == "src/lib.rs"), "{files:?}");
    files.sort();
    let unnamed: Vec<&String> = files.iter().filter(|f| !named(f)).collect();
    assert!(
        unnamed.is_empty(),
        "source files ARCHITECTURE.md's code map does not name (add a row saying what each owns):\n{}",
        unnamed.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_glob_matcher_matches_as_the_map_means() {
    assert!(matches("*.man", "security.man"));
    assert!(!matches("*.man", "security.man.bak"));
    assert!(matches("*.c", "a.c") && !matches("*.c", "a.h"));
    assert!(matches("exact.rs", "exact.rs") && !matches("exact.rs", "exact.rss"));
}
