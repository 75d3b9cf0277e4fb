//! The book quotes compile errors from the trybuild `.stderr` files: every line of a quote must
//! be printed by the compiler today, in the same order (a quote may leave out the compiler's
//! lists of other types and its notes about internals), so a reworded message cannot leave
//! the book behind.

use std::fs;
use std::path::{Path, PathBuf};

/// Every markdown file under `dir`.
fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

/// Whether every line of `quote` appears in `printed`, in order.
fn is_excerpt(quote: &str, printed: &str) -> bool {
    let mut printed = printed.lines();
    quote.trim_end().lines().all(|line| printed.any(|p| p == line))
}

/// The ```text blocks of a page.
fn text_blocks(page: &str) -> Vec<&str> {
    page.split("```text\n").skip(1).filter_map(|rest| rest.split("```").next()).collect()
}

#[test]
fn book_quotes_of_compile_errors_match_the_stderr_files() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = Vec::new();
    markdown_files(&crate_dir.join("../book/src"), &mut pages);
    assert!(!pages.is_empty(), "the book's pages were not found");
    let mut checked = 0;
    let mut stale = Vec::new();
    for page in &pages {
        let text = fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        for block in text_blocks(&text) {
            let Some(case) = block.split("--> ").nth(1).and_then(|rest| rest.split(".rs:").next()) else {
                continue;
            };
            if !case.starts_with("tests/fail/") {
                continue;
            }
            let stderr_path = crate_dir.join(format!("{case}.stderr"));
            let stderr = fs::read_to_string(&stderr_path)
                .unwrap_or_else(|e| panic!("{} quotes {case}, which has no .stderr: {e}", page.display()));
            checked += 1;
            if !is_excerpt(block, &stderr) {
                stale.push(format!("{} quotes {case}.stderr", page.display()));
            }
        }
    }
    assert!(checked > 20, "only {checked} quotes found: the pattern no longer matches the book");
    assert!(stale.is_empty(), "quotes that differ from what the compiler prints:\n{}", stale.join("\n"));
}
