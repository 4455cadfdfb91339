//! The layer order of `binxml`'s files (see the module docs): each file imports only from
//! the files below it. Reads the `use super::…` and `crate::evtx::binxml::…` paths of every
//! file, comments left out; tests (`*_tests.rs`, `#[cfg(test)]` modules) may import
//! anything.

/// The files, top layer first: a file may import only from files after it.
const ORDER: [&str; 22] = [
    "deferred",
    "visit",
    "user_data",
    "system_ref",
    "fast_xml",
    "tree_xml",
    "inline_xml",
    "system_xml",
    "fast",
    "general",
    "expand",
    "direct",
    "tokens",
    "cache",
    "layout",
    "plan",
    "span",
    "parsed",
    "map",
    "text",
    "value_ref",
    "value",
];

/// The first path segment of every path in `code` that starts with `prefix`, braced groups
/// (`prefix{a::b, c}`) included.
fn segments(code: &str, prefix: &str, out: &mut Vec<String>) {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '*')
            .collect()
    };
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        // Only a path's start: not the tail of a longer path (`a::super::…`).
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (at, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        out.push(ident(&group[at..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(rest));
        }
    }
}

/// The `binxml` names a file's code refers to by path (modules, or items of `mod.rs`), up
/// to its tests (`#[cfg(test)]`: a test module's `super` is the file itself).
fn imports(source: &str) -> Vec<String> {
    let code: Vec<&str> = source
        .lines()
        .take_while(|line| !line.trim_start().starts_with("#[cfg(test)]"))
        .map(|line| line.find("//").map_or(line, |i| &line[..i]))
        .collect();
    let code = code.join("\n");
    let mut out = Vec::new();
    segments(&code, "super::", &mut out);
    segments(&code, "crate::evtx::binxml::", &mut out);
    out
}

/// The violations of the order in `files` (name, source): an import of a file above or
/// beside, of an item of `mod.rs`, or a file the order does not place.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let rank = |name: &str| ORDER.iter().position(|&n| n == name);
    let mut out = Vec::new();
    for (name, source) in files {
        let Some(own) = rank(name) else {
            out.push(format!("{name}.rs has no place in the layer order"));
            continue;
        };
        for import in imports(source) {
            match rank(&import) {
                Some(r) if r > own => {}
                _ => out.push(format!("{name}.rs imports `{import}`, not below it")),
            }
        }
    }
    out
}

#[test]
fn binxml_files_import_only_from_the_layers_below() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/evtx/binxml");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the binxml sources") {
        let path = entry.expect("a directory entry").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|x| x == "rs") && name != "mod" && !name.ends_with("_tests")
        {
            let source = std::fs::read_to_string(&path).expect("a source file");
            files.push((name.to_owned(), source));
        }
    }
    assert_eq!(files.len(), ORDER.len(), "{:?}", files.iter().map(|f| &f.0));
    let violations = violations(&files);
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_check_sees_upward_grouped_and_inline_imports() {
    let file = |name: &str, source: &str| (name.to_owned(), source.to_owned());
    let bad = [
        file("tokens", "use super::fast::Span;\n"),
        file("cache", "use super::{span::Shapes, general::General};\n"),
        file("plan", "fn f() { super::deferred::prove(); }\n"),
        file("value", "use crate::evtx::binxml::map::Mapper;\n"),
        file("deferred", "use super::ChunkDecoder;\n"),
        file("expand", "use super::expand::Expansion;\n"),
        file("newcomer", "\n"),
    ];
    for f in &bad {
        assert_eq!(violations(std::slice::from_ref(f)).len(), 1, "{}", f.0);
    }
    let good = [
        file(
            "fast",
            "use super::{cache::Template, span::{Span, spans_at}};\n",
        ),
        file(
            "tokens",
            "// use super::fast::Span;\nuse super::cache::Template;\n",
        ),
        file(
            "general",
            "/// [`x`](super::ChunkDecoder)\nuse super::tokens::peek;\n",
        ),
        file(
            "value",
            "fn f() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
    ];
    for f in &good {
        assert!(violations(std::slice::from_ref(f)).is_empty(), "{}", f.0);
    }
}
