//! The C headers and the exports agree: every function `ffi/include/*.h` declares
//! (`WINAPI Name(` or `EVNTAPI Name(`) is exported by the library, and every export is
//! declared in a header, so C needs no local prototype (the examples have none).

use std::collections::BTreeSet;
use std::path::Path;

/// The names declared as `<marker>Name(`.
fn names_after(text: &str, marker: &str) -> BTreeSet<String> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            rest[name.len()..].starts_with('(').then_some(name)
        })
        .collect()
}

fn files(dir: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    texts.sort();
    texts
}

#[test]
fn every_export_is_declared_and_every_declaration_exported() {
    let mut declared = BTreeSet::new();
    for text in files("include") {
        for marker in ["WINAPI ", "EVNTAPI "] {
            declared.extend(names_after(&text, marker));
        }
    }
    let mut exported = BTreeSet::new();
    for text in files("src") {
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("pub unsafe extern \"system\" fn ") {
                exported.insert(
                    rest.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>(),
                );
            }
        }
    }
    assert!(exported.len() > 80, "{exported:?}");
    let undeclared: Vec<_> = exported.difference(&declared).collect();
    let missing: Vec<_> = declared.difference(&exported).collect();
    assert!(
        undeclared.is_empty(),
        "exports no header declares: {undeclared:?}"
    );
    assert!(missing.is_empty(), "declared but not exported: {missing:?}");
}
