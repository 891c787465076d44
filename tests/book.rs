//! The book holds together: its listings resolve, its links land, and every citation of the
//! protocol appendix in the repository names a section that exists.
//!
//! * Every `{{#include path:anchor}}` in `book/src` names a file that exists and an anchor in it
//!   with at least one line (or, for `path:N`, a line N that is not blank). mdBook renders a misspelt anchor as an empty listing without a
//!   warning, so a renamed anchor would silently blank a chapter's code.
//! * Every citation `protocol#<anchor>` (in `src/`, `tests/`, `lessons/`, `reference/`,
//!   `examples/`, `benches/`, `.ci/`, the book and the README) names a heading anchor
//!   `{#anchor}` of the appendix in `book/src/protocol/`, and the appendix's index lists every
//!   anchor. A finding of `chatkit-conform` cites the same way, so a reader can always look the
//!   rule up.
//! * Every relative link between the book's pages lands on a page, and on an anchor of it when
//!   it names one in the appendix.
//! * No file of the repository refers to documents outside it: a reader of the crate cannot
//!   open them.
//! * The Responses stream the appendix shows is what the mock provider writes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chatkit::provider::events::ResponsesRequest;
use chatkit::provider::mock::Script;
use chatkit::provider::mock::wire::render;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, recursively, skipping build output (also npm's `node_modules` and
/// Vite's `dist`), git and Python caches.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(
                name,
                "target" | ".git" | "__pycache__" | "node_modules" | "dist"
            ) {
                found.extend(files_under(&path));
            }
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// The chapters of the book: every `.md` under `book/src`.
fn chapters() -> Vec<PathBuf> {
    files_under(&root().join("book/src"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect()
}

fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Includes
// ---------------------------------------------------------------------------------------------

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

/// Whether `line` holds the marker `marker` (such as `ANCHOR: name`) as mdBook reads it: the
/// name is not the start of a longer one. A marker may end a comment line (`// ANCHOR: name`)
/// or sit inside one (`<!-- ANCHOR: name -->` in markdown).
fn has_marker(line: &str, marker: &str) -> bool {
    line.match_indices(marker).any(|(at, _)| {
        !line[at + marker.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, if both markers exist.
fn anchored_lines(source: &str, anchor: &str) -> Option<usize> {
    let start = format!("ANCHOR: {anchor}");
    let end = format!("ANCHOR_END: {anchor}");
    let lines: Vec<&str> = source.lines().collect();
    let first = lines.iter().position(|line| has_marker(line, &start))?;
    let last = lines.iter().position(|line| has_marker(line, &end))?;
    (last > first).then(|| last - first - 1)
}

#[test]
fn every_book_include_names_an_existing_non_empty_anchor() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for chapter in chapters() {
        for include in includes_in(&chapter) {
            checked += 1;
            let Ok(source) = fs::read_to_string(&include.file) else {
                problems.push(format!(
                    "{}: {} not found",
                    shown(&include.chapter),
                    include.file.display()
                ));
                continue;
            };
            let lines = match &include.anchor {
                // `file:N` is mdBook's include of line N alone (a snapshot's body line, say).
                Some(line) if line.parse::<usize>().is_ok() => {
                    let number: usize = line.parse().expect("checked");
                    let text = source.lines().nth(number.saturating_sub(1)).unwrap_or("");
                    Some(usize::from(!text.trim().is_empty()))
                }
                Some(anchor) => anchored_lines(&source, anchor),
                None => Some(source.lines().count()),
            };
            if !matches!(lines, Some(lines) if lines > 0) {
                problems.push(format!(
                    "{}: {} has no non-empty anchor `{}`",
                    shown(&include.chapter),
                    include.file.display(),
                    include.anchor.as_deref().unwrap_or("(whole file)")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 0, "no includes found in book/src");
}

// ---------------------------------------------------------------------------------------------
// The appendix's anchors and the citations of them
// ---------------------------------------------------------------------------------------------

/// The form every citation takes: this prefix, then a heading anchor of the appendix. (Written
/// in two pieces so that this line is not itself a citation.)
const CITATION: &str = concat!("protocol", "#");

/// The heading anchors `{#name}` of one page, in order.
fn heading_anchors(page: &str) -> Vec<String> {
    let mut anchors = Vec::new();
    let mut in_code = false;
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if in_code || !line.starts_with('#') {
            continue;
        }
        if let Some(open) = line.rfind("{#")
            && let Some(name) = line[open + 2..].trim_end().strip_suffix('}')
        {
            anchors.push(name.to_owned());
        }
    }
    anchors
}

/// Every anchor of the appendix, with the page (relative to `book/src/protocol`) defining it.
/// An anchor defined twice is reported in `problems`.
fn appendix_anchors(problems: &mut Vec<String>) -> BTreeMap<String, String> {
    let mut anchors = BTreeMap::new();
    for page in files_under(&root().join("book/src/protocol")) {
        let text = fs::read_to_string(&page).expect("appendix page is readable");
        let name = page
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        for anchor in heading_anchors(&text) {
            if let Some(first) = anchors.insert(anchor.clone(), name.clone()) {
                problems.push(format!(
                    "anchor `{anchor}` is defined in both {first} and {name}"
                ));
            }
        }
    }
    anchors
}

/// One citation `protocol#<anchor>` found in a file.
#[derive(Debug)]
struct Citation {
    file: PathBuf,
    line: usize,
    anchor: String,
}

fn is_anchor_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

/// The citations in `text`: `protocol#` not glued to a longer word, then the anchor. The bare
/// prefix with no anchor after it (as in `protocol#<anchor>`) describes the form and is skipped.
fn citations_in(file: &Path, text: &str) -> Vec<Citation> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for (at, _) in line.match_indices(CITATION) {
            let glued = line[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '/' || c == '.');
            if glued {
                continue;
            }
            let anchor: String = line[at + CITATION.len()..]
                .chars()
                .take_while(|&c| is_anchor_char(c))
                .collect();
            let anchor = anchor.trim_end_matches('-');
            if !anchor.is_empty() {
                found.push(Citation {
                    file: file.to_owned(),
                    line: number + 1,
                    anchor: anchor.to_owned(),
                });
            }
        }
    }
    found
}

/// Where citations may be written: the code, the tests, the lessons, the reference scripts, the
/// book and the top-level documents.
fn citing_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = Vec::new();
    for dir in [
        "src",
        "tests",
        "lessons",
        "reference",
        "examples",
        "benches",
        ".ci",
        "book",
    ] {
        files.extend(files_under(&root.join(dir)));
    }
    files.extend(["README.md", "BENCHMARKS.md"].map(|name| root.join(name)));
    files
}

/// The citations that name no section, as `file:line: reason`.
fn unresolved(citations: &[Citation], anchors: &BTreeMap<String, String>) -> Vec<String> {
    citations
        .iter()
        .filter(|citation| !anchors.contains_key(&citation.anchor))
        .map(|citation| {
            format!(
                "{}:{}: `{CITATION}{}` names no section of book/src/protocol/",
                shown(&citation.file),
                citation.line,
                citation.anchor
            )
        })
        .collect()
}

#[test]
fn every_citation_names_a_section_of_the_protocol_appendix() {
    let mut problems = Vec::new();
    let anchors = appendix_anchors(&mut problems);
    assert!(
        anchors.len() > 50,
        "the appendix defines only {} anchors",
        anchors.len()
    );
    let mut citations = Vec::new();
    for file in citing_files() {
        if let Ok(text) = fs::read_to_string(&file) {
            citations.extend(citations_in(&file, &text));
        }
    }
    problems.extend(unresolved(&citations, &anchors));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The code and the checker cite the appendix; if none is found, the scan is broken.
    let in_code = citations
        .iter()
        .filter(|citation| citation.file.starts_with(root().join("src")))
        .count();
    assert!(in_code > 100, "only {in_code} citations found in src/");
}

#[test]
fn a_citation_of_a_missing_section_is_caught() {
    // The check above must be able to fail: a citation of an anchor nobody defined, written
    // the way a comment would, is reported with its file and line.
    let mut problems = Vec::new();
    let anchors = appendix_anchors(&mut problems);
    let comment = format!("// see {CITATION}no-such-section, and {CITATION}stream-events\n");
    let citations = citations_in(Path::new("src/example.rs"), &comment);
    assert_eq!(citations.len(), 2);
    let reported = unresolved(&citations, &anchors);
    assert_eq!(
        reported,
        [format!(
            "src/example.rs:1: `{CITATION}no-such-section` names no section of book/src/protocol/"
        )]
    );
}

#[test]
fn the_appendix_index_lists_every_anchor_with_a_link_to_its_page() {
    let mut problems = Vec::new();
    let anchors = appendix_anchors(&mut problems);
    let index = fs::read_to_string(root().join("book/src/protocol/index.md"))
        .expect("the appendix has an index");
    for (anchor, page) in &anchors {
        let row = format!("[{CITATION}{anchor}]({page}#{anchor})");
        if !index.contains(&row) {
            problems.push(format!("index.md does not list `{row}`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Links between pages
// ---------------------------------------------------------------------------------------------

/// The targets of the markdown links `](target)` in `text`, outside code.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if in_code {
            continue;
        }
        for (at, marker) in line.match_indices("](") {
            let rest = &line[at + marker.len()..];
            if let Some(end) = rest.find(')') {
                targets.push(rest[..end].to_owned());
            }
        }
    }
    targets
}

#[test]
fn every_link_between_the_books_pages_lands() {
    let mut problems = Vec::new();
    let anchors = appendix_anchors(&mut problems);
    let appendix = root().join("book/src/protocol");
    for chapter in chapters() {
        let text = fs::read_to_string(&chapter).expect("chapter is readable");
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let page = if path.is_empty() {
                chapter.clone()
            } else {
                chapter.parent().expect("a folder").join(path)
            };
            if !page.is_file() {
                problems.push(format!("{}: link to missing {target}", shown(&chapter)));
                continue;
            }
            // Only the appendix's anchors are explicit, so only those can be checked here.
            if let Some(anchor) = anchor
                && page.starts_with(&appendix)
            {
                let name = page.file_name().expect("a file").to_string_lossy();
                if anchors.get(anchor).map(String::as_str) != Some(&*name) {
                    problems.push(format!(
                        "{}: link to {target}, which has no anchor `{anchor}`",
                        shown(&chapter)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Nothing outside the repository
// ---------------------------------------------------------------------------------------------

#[test]
fn no_file_refers_to_documents_outside_the_repository() {
    // Built from pieces, so that this file does not name them itself.
    let mut banned: Vec<String> = [
        "chatkit-protocol",
        "model-side",
        "course-notes",
        "style",
        "dependencies",
        "lessons",
    ]
    .iter()
    .map(|name| format!("{name}.md"))
    .collect();
    banned.push(format!("..{}shared", '/'));
    banned.push(format!("/work{}shared", '/'));
    banned.push(format!("protocol {}", "notes"));
    // The old citation form: a section number such as 5.2 after a section sign.
    let section_sign = '\u{a7}'.to_string();

    let mut problems = Vec::new();
    let root = root();
    for file in files_under(&root) {
        let Ok(text) = fs::read_to_string(&file) else {
            continue; // not text
        };
        let lower = text.to_lowercase();
        for name in &banned {
            if lower.contains(name.as_str()) {
                problems.push(format!("{}: mentions {name}", shown(&file)));
            }
        }
        if !file.starts_with(root.join("fixtures")) && text.contains(&section_sign) {
            problems.push(format!(
                "{}: a section-sign citation; cite `{CITATION}anchor` instead",
                shown(&file)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The Responses stream shown in the appendix
// ---------------------------------------------------------------------------------------------

/// `fixtures/responses/<case>.sse` is the mock provider's answer to each model request of an
/// agent transcript case: the requests the Python SDK sent (`<case>.requests.json`) and the
/// case's script. The appendix includes it to show the Responses wire; set `CHATKIT_BLESS=1`
/// to rewrite it after a deliberate change to the mock.
#[test]
fn the_responses_streams_shown_in_the_book_are_the_mocks() {
    let root = root();
    for case in ["server_tool"] {
        let recorded = root.join("fixtures/agent_transcripts");
        let spec: Value = serde_json::from_str(
            &fs::read_to_string(recorded.join(format!("{case}.case.json"))).expect("case file"),
        )
        .expect("case JSON");
        let script = Script::from_json(&spec["script"].to_string()).expect("a script");
        let requests: Vec<ResponsesRequest> = serde_json::from_str(
            &fs::read_to_string(recorded.join(format!("{case}.requests.json")))
                .expect("requests file"),
        )
        .expect("recorded Responses requests");
        let mut wire = String::new();
        for (index, request) in requests.iter().enumerate() {
            let n = index + 1; // the mock numbers requests from 1
            // No tag: the fixed ids of the recorded transcripts.
            for frame in render(n, "", request, &script.turn(n)) {
                wire.push_str(&frame.to_sse());
            }
        }
        let path = root.join(format!("fixtures/responses/{case}.sse"));
        if std::env::var_os("CHATKIT_BLESS").is_some() {
            fs::create_dir_all(path.parent().expect("a folder")).expect("fixtures/responses");
            fs::write(&path, &wire).expect("written");
        }
        let on_disk = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == wire,
            "{} differs from what the mock writes; run with CHATKIT_BLESS=1 to rewrite it",
            shown(&path)
        );
    }
}
