//! The book's code listings resolve: every `{{#include path:anchor}}` in `book/src` names a file
//! that exists and an anchor in it with at least one line.
//!
//! mdBook renders a misspelt anchor as an empty listing without a warning, so a renamed anchor
//! would silently blank a chapter's code. This test is the check.

use std::fs;
use std::path::{Path, PathBuf};

/// One `{{#include …}}` found in a chapter.
#[derive(Debug)]
struct Include {
    chapter: PathBuf,
    file: PathBuf,
    anchor: Option<String>,
}

fn includes_in(chapter: &Path) -> Vec<Include> {
    let text = fs::read_to_string(chapter).expect("chapter is readable");
    let mut found = Vec::new();
    for (at, marker) in text.match_indices("{{#include ") {
        let rest = &text[at + marker.len()..];
        let target = rest
            .split("}}")
            .next()
            .expect("an include ends with }}")
            .trim();
        let (path, anchor) = match target.rsplit_once(':') {
            Some((path, anchor)) => (path, Some(anchor.to_owned())),
            None => (target, None),
        };
        let dir = chapter.parent().expect("chapters live in a folder");
        found.push(Include {
            chapter: chapter.to_owned(),
            file: dir.join(path),
            anchor,
        });
    }
    found
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, if both markers exist.
fn anchored_lines(source: &str, anchor: &str) -> Option<usize> {
    let start = format!("ANCHOR: {anchor}");
    let end = format!("ANCHOR_END: {anchor}");
    let lines: Vec<&str> = source.lines().collect();
    let first = lines
        .iter()
        .position(|line| line.trim_end().ends_with(&start))?;
    let last = lines
        .iter()
        .position(|line| line.trim_end().ends_with(&end))?;
    (last > first).then(|| last - first - 1)
}

#[test]
fn every_book_include_names_an_existing_non_empty_anchor() {
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src");
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in fs::read_dir(&book).expect("book/src exists") {
        let chapter = entry.expect("readable entry").path();
        if chapter.extension().is_some_and(|ext| ext == "md") {
            for include in includes_in(&chapter) {
                checked += 1;
                let Ok(source) = fs::read_to_string(&include.file) else {
                    problems.push(format!(
                        "{}: {} not found",
                        include.chapter.display(),
                        include.file.display()
                    ));
                    continue;
                };
                if let Some(anchor) = &include.anchor
                    && !matches!(anchored_lines(&source, anchor), Some(lines) if lines > 0)
                {
                    problems.push(format!(
                        "{}: {} has no non-empty anchor `{anchor}`",
                        include.chapter.display(),
                        include.file.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 0, "no includes found in book/src");
}
