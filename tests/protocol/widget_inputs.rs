//! Untidy widget inputs: Rust reads them the way the Python SDK reads them.
//!
//! The corpus (`corpus.rs`) proves we *write* what the SDK writes, but its payloads are SDK
//! output and therefore already tidy. Real widgets arrive untidy: props in any order, `1` for
//! a float, `"true"` for a bool, nulls everywhere, nodes that do not validate and fall back to
//! free-form. Each `fixtures/widget_inputs/<case>.json` holds one such input, exactly as
//! `json.dumps` wrote it, and what `openai-chatkit` 1.6.5 made of it: its output bytes, or
//! `null` when it rejected the input. The cases and the pydantic rule each group exercises are
//! in `reference/widget_inputs.py`; `reference/gen_widget_inputs.py` writes the files, and CI
//! fails if a rerun changes one.
//!
//! For every case we parse the input as a [`WidgetRoot`], write it back with
//! `serde_json::to_string`, and compare bytes with the SDK's output; a rejected input must
//! fail to parse. Two deliberate differences (README, "Differences from the Python SDK") are
//! handled in the open, each by a test of its own, rather than by loosening the comparison:
//!
//! * Unknown props on typed components: pydantic drops them, we keep them. The cases name
//!   every such prop with the prefix [`MARKER`]; the comparison removes marked keys from the
//!   Rust output only, and `unknown_props_on_typed_components_are_kept_by_rust` checks that
//!   they were there to remove.
//! * An integer beyond the signed 64-bit range in a typed prop: the one case,
//!   [`BEYOND_SIGNED_64_BITS`], is left out of the comparison and its exact Rust output is
//!   asserted by `an_integer_beyond_signed_64_bits_keeps_the_node_free_form`.

use std::fs;
use std::path::{Path, PathBuf};

use chatkit::protocol::WidgetRoot;
use serde::Deserialize;
use serde_json::Value;

/// The prefix of unknown props that pydantic drops and Rust keeps (`MARKER` in
/// `reference/widget_inputs.py`; the generator guarantees the SDK output never holds one).
const MARKER: &str = "x_extra_";

/// The case with an integer beyond `i64` in `Box.gap`, whose output differs on purpose.
const BEYOND_SIGNED_64_BITS: &str = "box_gap_beyond_signed_64_bits";

/// One fixture file. Both fields are JSON text held in a string, so the input's key order and
/// number forms, and the SDK's exact bytes, survive the trip through this file.
#[derive(Debug, Deserialize)]
struct Fixture {
    input: String,
    sdk: Option<String>,
}

/// A fixture and the case name its file is called by.
#[derive(Debug)]
struct Case {
    name: String,
    fixture: Fixture,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/widget_inputs")
}

/// Every case, sorted by name so failure reports are stable.
fn cases() -> Vec<Case> {
    let dir = fixtures_dir();
    let entries = fs::read_dir(&dir).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; run reference/gen_widget_inputs.py",
            dir.display()
        )
    });
    let mut cases: Vec<Case> = entries
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| read_case(&path))
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn read_case(path: &Path) -> Case {
    let text =
        fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let fixture = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{}: not a fixture: {error}", path.display()));
    let name = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .expect("fixture names are UTF-8")
        .to_owned();
    Case { name, fixture }
}

/// What Rust makes of an input: its output bytes, or the parse error.
fn read_as_rust(input: &str) -> Result<String, String> {
    let root: WidgetRoot = serde_json::from_str(input).map_err(|error| error.to_string())?;
    Ok(serde_json::to_string(&root).expect("a widget always serializes"))
}

/// `json` without the [`MARKER`] props, for comparing with the SDK, which drops them.
///
/// Removing them means a trip through `serde_json::Value`; `preserve_order` keeps the key
/// order, but the trip must not change any other byte, or the comparison after it would be
/// meaningless, so that is checked first.
fn without_marked_props(json: &str) -> String {
    if !json.contains(MARKER) {
        return json.to_owned();
    }
    let mut value: Value = serde_json::from_str(json).expect("Rust output is JSON");
    assert_eq!(
        value.to_string(),
        json,
        "a Value round trip changes this output, so marked props cannot be removed from it"
    );
    remove_marked_keys(&mut value);
    value.to_string()
}

fn remove_marked_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !key.starts_with(MARKER));
            map.values_mut().for_each(remove_marked_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_marked_keys),
        _ => {}
    }
}

/// The marked keys at any depth of `value`, sorted.
fn marked_keys(value: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    collect_marked_keys(value, &mut keys);
    keys.sort();
    keys
}

fn collect_marked_keys(value: &Value, keys: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            keys.extend(map.keys().filter(|key| key.starts_with(MARKER)).cloned());
            map.values()
                .for_each(|child| collect_marked_keys(child, keys));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|child| collect_marked_keys(child, keys)),
        _ => {}
    }
}

/// `None` when Rust agrees with the SDK on `case`, else a report of how they differ.
fn mismatch(case: &Case) -> Option<String> {
    let Fixture { input, sdk } = &case.fixture;
    let name = &case.name;
    match (sdk, read_as_rust(input)) {
        (None, Err(_)) => None,
        (None, Ok(rust)) => Some(format!(
            "{name}: the SDK rejects it, Rust accepts it\n  input: {input}\n  rust:  {rust}"
        )),
        (Some(sdk), Err(error)) => Some(format!(
            "{name}: Rust rejects it ({error}), the SDK accepts it\n  input: {input}\n  sdk:   {sdk}"
        )),
        (Some(sdk), Ok(rust)) => {
            let rust = without_marked_props(&rust);
            (rust != *sdk).then(|| {
                let at = first_difference(sdk, &rust);
                format!("{name}: differs at byte {at}\n  input: {input}\n  sdk:   {sdk}\n  rust:  {rust}")
            })
        }
    }
}

fn first_difference(left: &str, right: &str) -> usize {
    left.bytes()
        .zip(right.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| left.len().min(right.len()))
}

#[test]
fn untidy_widget_inputs_read_as_the_sdk_reads_them() {
    let cases = cases();
    let (mut accepted, mut rejected) = (0, 0);
    let mut failures = Vec::new();
    // That case differs on purpose; its own test below pins it down.
    for case in cases
        .iter()
        .filter(|case| case.name != BEYOND_SIGNED_64_BITS)
    {
        match case.fixture.sdk {
            Some(_) => accepted += 1,
            None => rejected += 1,
        }
        failures.extend(mismatch(case));
    }
    assert!(
        failures.is_empty(),
        "{} of {} untidy inputs differ from the SDK:\n\n{}",
        failures.len(),
        accepted + rejected,
        failures.join("\n\n")
    );
    // A floor, so an empty or half-written fixture directory cannot pass unnoticed.
    assert!(
        accepted > 200 && rejected > 5,
        "only {accepted} accepted and {rejected} rejected cases; run reference/gen_widget_inputs.py"
    );
}

#[test]
fn unknown_props_on_typed_components_are_kept_by_rust() {
    let mut checked = 0;
    for case in cases().iter().filter(|case| case.fixture.sdk.is_some()) {
        let input: Value = serde_json::from_str(&case.fixture.input).expect("inputs are JSON");
        let wanted = marked_keys(&input);
        if wanted.is_empty() {
            continue;
        }
        let rust = read_as_rust(&case.fixture.input)
            .unwrap_or_else(|error| panic!("{}: Rust rejects it: {error}", case.name));
        let kept = marked_keys(&serde_json::from_str(&rust).expect("Rust output is JSON"));
        assert_eq!(
            kept, wanted,
            "{}: Rust lost an unknown prop\n  rust: {rust}",
            case.name
        );
        checked += 1;
    }
    // `widget_inputs.py` puts one on every typed component (24) and on both typed roots.
    assert!(checked >= 26, "only {checked} cases carry marked props");

    // Where a kept prop goes: after the declared props, whatever its input position.
    let input = r#"{"type":"Card","children":[{"x_extra_hint":"new","type":"Text","value":"x"}]}"#;
    assert_eq!(
        read_as_rust(input).as_deref(),
        Ok(r#"{"type":"Card","children":[{"type":"Text","value":"x","x_extra_hint":"new"}]}"#)
    );
}

#[test]
fn an_integer_beyond_signed_64_bits_keeps_the_node_free_form() {
    // Pydantic's ints are unbounded, so the SDK types this Box and writes its layout props
    // first (`gap` before `type`). A typed prop here is an `i64`, so the Box stays free-form:
    // the number is kept exactly (a free-form value holds it as a `u64`), but a free-form
    // node writes `type` first.
    let case = cases()
        .into_iter()
        .find(|case| case.name == BEYOND_SIGNED_64_BITS)
        .expect("the beyond-i64 case exists");
    let rust = read_as_rust(&case.fixture.input).expect("Rust reads it");
    assert_eq!(
        rust,
        r#"{"type":"Card","children":[{"type":"Box","gap":12345678901234567890}]}"#
    );
    let sdk = case.fixture.sdk.expect("the SDK accepts it");
    assert_ne!(
        rust, sdk,
        "Rust now matches the SDK: drop this case from the exceptions"
    );
    // Nothing but the key order differs: with `preserve_order`, `Value`'s equality ignores
    // the order of object keys.
    let as_value = |json: &str| serde_json::from_str::<Value>(json).expect("JSON");
    assert_eq!(as_value(&rust), as_value(&sdk));
}
