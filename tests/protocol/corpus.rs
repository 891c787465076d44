//! The reference corpus: payloads the Python SDK wrote, read and written back by Rust.
//!
//! `fixtures/protocol/manifest.json` lists every case the generator wrote, family by family.
//! The tests check the list against the directory (a deleted or stray file fails), round-trip
//! every case, and check that every variant of the tagged enums has a payload, so a new variant
//! cannot be added without proof that it matches the reference.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use chatkit::protocol::attachment::AttachmentKind;
use chatkit::protocol::item::ItemKind;
use chatkit::protocol::structured_input::StructuredInputKind;
use chatkit::protocol::workflow::TaskKind;
use chatkit::protocol::{RequestOp, Source, ThreadItemUpdate, ThreadStatus, ThreadStreamEvent};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::families::round_trip;

/// `fixtures/protocol/`, where the generator writes.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/protocol")
}

/// Family → case names, as `reference/gen_corpus.py` recorded them.
fn manifest() -> BTreeMap<String, Vec<String>> {
    let path = corpus_dir().join("manifest.json");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}; run reference/gen_corpus.py", path.display()));
    serde_json::from_str(&text).expect("manifest.json maps families to case lists")
}

fn case_path(family: &str, case: &str) -> PathBuf {
    corpus_dir().join(family).join(format!("{case}.json"))
}

fn read_case(family: &str, case: &str) -> Vec<u8> {
    let path = case_path(family, case);
    fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn corpus_directory_holds_exactly_the_manifest() {
    let manifest = manifest();
    let listed: BTreeSet<PathBuf> = manifest
        .iter()
        .flat_map(|(family, cases)| cases.iter().map(|case| case_path(family, case)))
        .collect();
    let mut on_disk = BTreeSet::new();
    for family in fs::read_dir(corpus_dir()).expect("fixtures/protocol exists") {
        let family = family.expect("readable entry").path();
        if family.is_dir() {
            for case in fs::read_dir(&family).expect("readable family directory") {
                on_disk.insert(case.expect("readable entry").path());
            }
        }
    }
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    assert!(
        missing.is_empty() && unlisted.is_empty(),
        "corpus and manifest disagree (run reference/gen_corpus.py)\nmissing: {missing:#?}\nnot in manifest: {unlisted:#?}"
    );
    assert!(
        listed.len() > 100,
        "the corpus has only {} cases",
        listed.len()
    );
}

#[test]
fn every_corpus_payload_round_trips_byte_for_byte() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (family, cases) in manifest() {
        for case in cases {
            let payload = read_case(&family, &case);
            let expected = String::from_utf8(payload.clone()).expect("corpus files are UTF-8");
            match round_trip(&family, &payload) {
                Ok(written) if written == expected => checked += 1,
                Ok(written) => failures.push(format!(
                    "{family}/{case}: differs at byte {}\n  python: {expected}\n  rust:   {written}",
                    first_difference(&expected, &written)
                )),
                Err(error) => failures.push(format!("{family}/{case}: {error}\n  python: {expected}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} payloads differ:\n\n{}",
        failures.len(),
        failures.len() + checked,
        failures.join("\n\n")
    );
}

fn first_difference(left: &str, right: &str) -> usize {
    left.bytes()
        .zip(right.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| left.len().min(right.len()))
}

/// The wire names of a tagged enum's variants, as serde itself lists them.
///
/// Deserializing an unknown tag makes serde answer "unknown variant `…`, expected one of `a`,
/// `b`, …", built from the enum definition. Reading the list from there means it cannot drift
/// from the code the way a hand-kept list could.
fn variant_names<T: DeserializeOwned + std::fmt::Debug>(probe: Value) -> Vec<String> {
    let error = serde_json::from_value::<T>(probe).expect_err("the probe tag is unknown");
    let message = error.to_string();
    // serde words it "expected `a`", "expected `a` or `b`" or "expected one of `a`, `b`, `c`".
    let (_, list) = message
        .split_once("expected ")
        .unwrap_or_else(|| panic!("serde did not list the variants: {message}"));
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

const PROBE: &str = "\u{1}probe";

/// Every variant of every tagged enum, with the family and JSON pointer where its tag appears.
fn variant_tables() -> Vec<(&'static str, &'static str, Vec<String>)> {
    let tagged = json!({ "type": PROBE });
    vec![
        (
            "request",
            "/type",
            variant_names::<RequestOp>(json!({ "type": PROBE, "params": {} })),
        ),
        (
            "event",
            "/type",
            variant_names::<ThreadStreamEvent>(tagged.clone()),
        ),
        (
            "update",
            "/type",
            variant_names::<ThreadItemUpdate>(tagged.clone()),
        ),
        ("item", "/type", variant_names::<ItemKind>(tagged.clone())),
        ("task", "/type", variant_names::<TaskKind>(tagged.clone())),
        ("source", "/type", variant_names::<Source>(tagged.clone())),
        (
            "attachment",
            "/type",
            variant_names::<AttachmentKind>(tagged.clone()),
        ),
        (
            "structured_input",
            "/type",
            variant_names::<StructuredInputKind>(tagged.clone()),
        ),
        (
            "thread",
            "/status/type",
            variant_names::<ThreadStatus>(tagged),
        ),
    ]
}

#[test]
fn every_variant_has_a_corpus_payload() {
    let manifest = manifest();
    let mut uncovered = Vec::new();
    for (family, pointer, variants) in variant_tables() {
        let seen: BTreeSet<String> = manifest
            .get(family)
            .into_iter()
            .flatten()
            .filter_map(|case| {
                let payload: Value = serde_json::from_slice(&read_case(family, case)).ok()?;
                payload.pointer(pointer)?.as_str().map(str::to_owned)
            })
            .collect();
        for variant in variants {
            if !seen.contains(&variant) {
                uncovered.push(format!("{family}: {variant}"));
            }
        }
    }
    assert!(
        uncovered.is_empty(),
        "variants with no corpus payload: {uncovered:#?}"
    );
}

#[test]
fn variant_tables_count_what_the_protocol_defines() {
    let counts: BTreeMap<&str, usize> = variant_tables()
        .into_iter()
        .map(|(family, pointer, variants)| {
            let key = if pointer == "/type" {
                family
            } else {
                "thread status"
            };
            (key, variants.len())
        })
        .collect();
    let expected = BTreeMap::from([
        ("request", 16),
        ("event", 12),
        ("update", 10),
        ("item", 11),
        ("task", 5),
        ("source", 3),
        ("attachment", 2),
        ("structured_input", 2),
        ("thread status", 3),
    ]);
    assert_eq!(counts, expected);
}
