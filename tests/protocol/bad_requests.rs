//! Bad requests: each body in `fixtures/bad_requests.json` gets the typed error it names.
//!
//! The table says, per case, which [`ProtocolError`] variant we return and which field it names,
//! and whether the Python SDK rejects or accepts the same body. `reference/check_bad_requests.py`
//! checks that last column against the real SDK in CI, so where the columns disagree (a case
//! we reject and the SDK accepts) the difference is proven, not asserted.

use std::fs;
use std::path::Path;

use chatkit::protocol::{ProtocolError, Request};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    body: String,
    /// The `ProtocolError` variant we return, or `null` when the body is accepted.
    error: Option<String>,
    field: Option<String>,
}

fn cases() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad_requests.json");
    let text = fs::read_to_string(&path).expect("fixtures/bad_requests.json is readable");
    serde_json::from_str(&text).expect("the table is a list of cases")
}

fn variant_name(error: &ProtocolError) -> &'static str {
    match error {
        ProtocolError::MalformedJson(_) => "MalformedJson",
        ProtocolError::NotAnObject => "NotAnObject",
        ProtocolError::UnknownRequestType(_) => "UnknownRequestType",
        ProtocolError::MissingField { .. } => "MissingField",
        ProtocolError::InvalidField { .. } => "InvalidField",
    }
}

/// What the decoder did with one body, in the table's terms.
fn outcome(body: &str) -> (Option<String>, Option<String>) {
    match Request::from_slice(body.as_bytes()) {
        Ok(_) => (None, None),
        Err(error) => (
            Some(variant_name(&error).to_owned()),
            error.field().map(str::to_owned),
        ),
    }
}

#[test]
fn every_bad_request_gets_the_typed_error_naming_its_field() {
    let mut wrong = Vec::new();
    for case in cases() {
        let got = outcome(&case.body);
        let expected = (case.error.clone(), case.field.clone());
        if got != expected {
            wrong.push(format!("{}: expected {expected:?}, got {got:?}", case.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn error_messages_name_the_field_and_hide_serde_positions() {
    let body = br#"{"type":"threads.update","params":{"thread_id":"thr_1","title":null}}"#;
    let error = Request::from_slice(body).expect_err("a null title is rejected");
    assert_eq!(
        error.to_string(),
        "invalid field `params.title`: invalid type: null, expected a string"
    );
}

#[test]
fn a_missing_tool_output_result_reads_as_null() {
    let body = br#"{"type":"threads.add_client_tool_output","params":{"thread_id":"thr_1"}}"#;
    let request = Request::from_slice(body).expect("accepted");
    assert_eq!(
        chatkit::protocol::to_wire_json(&request).expect("serializable"),
        r#"{"metadata":{},"type":"threads.add_client_tool_output","params":{"thread_id":"thr_1"}}"#
    );
}
