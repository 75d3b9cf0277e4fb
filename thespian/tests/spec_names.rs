//! The book's "Spec names" page (book/src/reference/spec-names.md) stays honest: every Rust
//! name it lists exists in the source, every spec name it does not mark "not yet" is found by
//! rustdoc search (it is the Rust name, or a `#[doc(alias)]` of one), and every chapter it
//! links to exists.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The text of every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut String) {
    let mut entries: Vec<_> =
        fs::read_dir(dir).expect("a source folder").map(|e| e.expect("an entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&fs::read_to_string(&path).expect("a source file"));
            out.push('\n');
        }
    }
}

/// The strings of every `#[doc(alias = "..")]` and `#[doc(alias("..", ..))]` in `source`.
fn aliases(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (start, _) in source.match_indices("#[doc(alias") {
        let rest = &source[start + "#[doc(alias".len()..];
        let end = rest.find(")]").expect("a closed doc(alias) attribute");
        for (i, part) in rest[..end].split('"').enumerate() {
            if i % 2 == 1 {
                found.insert(part.to_string());
            }
        }
    }
    found
}

/// The `code spans` of a piece of Markdown.
fn code_spans(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `word` occurs in `text` as a whole identifier.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// The item a Rust code span names: `ActorContext::my_address` → `my_address`,
/// `#[troupe(max_count = ..)]` → `troupe`, `system_update("x", n)` → `system_update`.
fn named_item(span: &str) -> &str {
    let span = span.trim_start_matches("#[");
    let end = span.find(['(', ' ', '=', ']', '?']).unwrap_or(span.len());
    let path = &span[..end];
    path.rsplit(['.', ':']).next().unwrap_or(path)
}

struct Row {
    line: usize,
    spec: String,
    rust: String,
}

fn rows(page: &str) -> Vec<Row> {
    page.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| spec name"))
        .map(|(i, l)| {
            let cells: Vec<&str> = l.split(" | ").collect();
            assert!(cells.len() >= 3, "line {}: a row of three cells: {l}", i + 1);
            Row { line: i + 1, spec: cells[0].trim_start_matches('|').to_string(), rust: cells[1].to_string() }
        })
        .collect()
}

fn page() -> String {
    fs::read_to_string(workspace().join("book/src/reference/spec-names.md")).expect("the spec names page")
}

fn source() -> String {
    let mut all = String::new();
    sources(&workspace().join("thespian/src"), &mut all);
    sources(&workspace().join("thespian-macros/src"), &mut all);
    all
}

#[test]
fn spec_names_page_lists_only_rust_names_that_exist() {
    let (page, source) = (page(), source());
    let rows = rows(&page);
    assert!(rows.len() > 100, "the page lists the spec's names: {} rows", rows.len());
    for row in &rows {
        for span in code_spans(&row.rust) {
            if let Some(key) = span.strip_prefix('"') {
                let key = &key[..key.find('"').expect("a closed string")];
                assert!(source.contains(&format!("\"{key}\"")), "line {}: no string {key:?} in the source", row.line);
            } else {
                let item = named_item(span);
                assert!(has_word(&source, item), "line {}: `{span}`: no `{item}` in the source", row.line);
            }
        }
    }
}

#[test]
fn spec_names_page_every_implemented_spec_name_is_found_by_rustdoc_search() {
    let (page, source) = (page(), source());
    let aliases = aliases(&source);
    for row in rows(&page) {
        if row.rust.contains("not yet") {
            continue;
        }
        let rust = code_spans(&row.rust).join(" ");
        for spec in code_spans(&row.spec) {
            let spec = spec.trim_end_matches("_TYPE");
            if spec.contains(' ') {
                continue; // a capability key, a string rather than an item
            }
            assert!(
                aliases.contains(spec) || has_word(&rust, spec),
                "line {}: `{spec}` is neither the Rust name ({rust}) nor a #[doc(alias)] in the source",
                row.line
            );
        }
    }
}

#[test]
fn spec_names_page_links_only_to_chapters_that_exist() {
    let page = page();
    let dir = workspace().join("book/src/reference");
    for (i, _) in page.match_indices("](") {
        let target = &page[i + 2..];
        let target = &target[..target.find(')').expect("a closed link")];
        let file = target.split('#').next().unwrap_or(target);
        if !file.is_empty() && !file.starts_with("http") {
            assert!(dir.join(file).is_file(), "a link to {target}, which is not a chapter");
        }
    }
}
