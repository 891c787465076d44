//! History: the Rust converter against the Python SDK's, on the fixtures
//! `reference/record_history.py` records (`fixtures/history/<case>.json`).
//!
//! For each case: read `items` as `Vec<ThreadItem>`, convert them (through a `MemoryStore` and
//! `thread_to_agent_input` for the 20-item window case), write the input items as the provider
//! client writes a request body, and compare with the reference's `input`: as JSON values, and
//! each text field (`text`, `arguments`, `output`, `image_url`) as exact strings, since the
//! quoting rules live in those texts. Cases where the reference raises compare the message.
//! One test per case, so a failure names the rule it broke.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chatkit::agent::history::{
    ConvertError, DefaultConverter, MentionTag, ThreadItemConverter, input_text, python_json_dumps,
    thread_to_agent_input, user_text_message,
};
use chatkit::protocol::{Attachment, AttachmentKind, ThreadId, ThreadItem};
use chatkit::provider::InputItem;
use chatkit::store::{MemoryStore, Store, UserContext};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The "mentions" converter: the same hooks as `MentionsConverter` in record_history.py
// ---------------------------------------------------------------------------------------------

struct MentionsConverter;

#[async_trait]
impl ThreadItemConverter for MentionsConverter {
    async fn tag_to_message_content(&self, tag: MentionTag<'_>) -> Result<Value, ConvertError> {
        let group = tag.group.unwrap_or("none");
        Ok(input_text(format!(
            "{} is entity {} (group: {group})",
            tag.text, tag.id
        )))
    }

    async fn attachment_to_message_content(
        &self,
        attachment: &Attachment,
    ) -> Result<Value, ConvertError> {
        Ok(match &attachment.kind {
            AttachmentKind::Image { preview_url } => serde_json::json!(
                {"type": "input_image", "detail": "auto", "image_url": preview_url.as_str()}
            ),
            AttachmentKind::File => input_text(format!(
                "Attached file {} ({})",
                attachment.name, attachment.mime_type
            )),
        })
    }

    async fn hidden_context_to_input(
        &self,
        _item: &ThreadItem,
        content: &Value,
    ) -> Result<Vec<InputItem>, ConvertError> {
        Ok(vec![user_text_message(format!(
            "Hidden JSON context: {}",
            python_json_dumps(content)
        ))])
    }
}

// ---------------------------------------------------------------------------------------------
// Running one fixture
// ---------------------------------------------------------------------------------------------

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/history")
}

/// Converts the fixture's items the way the fixture says the reference did.
async fn convert(fixture: &Value) -> Result<Vec<InputItem>, String> {
    let items: Vec<ThreadItem> =
        serde_json::from_value(fixture["items"].clone()).expect("the items parse");
    let converter: &dyn ThreadItemConverter = match fixture["converter"].as_str() {
        Some("default") => &DefaultConverter,
        Some("mentions") => &MentionsConverter,
        other => panic!("unknown converter {other:?}"),
    };
    match fixture.get("history").and_then(Value::as_str) {
        None => converter
            .to_agent_input(&items)
            .await
            .map_err(|e| e.to_string()),
        Some("last_20") => {
            let store = MemoryStore::new();
            let ctx = UserContext::new("user_1");
            let thread_id: ThreadId = items[0].thread_id.clone();
            for item in &items {
                store
                    .add_thread_item(&thread_id, item, &ctx)
                    .await
                    .expect("the item is stored");
            }
            thread_to_agent_input(&store, &thread_id, &ctx, converter)
                .await
                .map_err(|e| e.to_string())
        }
        Some(other) => panic!("unknown history window {other:?}"),
    }
}

/// Every string under a text-bearing key, with its JSON path.
fn texts(value: &Value, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let path = format!("{path}.{key}");
                match value {
                    Value::String(s)
                        if matches!(
                            key.as_str(),
                            "text" | "arguments" | "output" | "image_url"
                        ) =>
                    {
                        out.push((path, s.clone()));
                    }
                    _ => texts(value, path, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                texts(item, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON")
}

async fn check(case: &str) {
    let path = fixtures_dir().join(format!("{case}.json"));
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&raw).expect("the fixture is JSON");
    let result = convert(&fixture).await;

    if let Some(expected) = fixture.get("error") {
        match result {
            Err(message) => assert_eq!(message, expected.as_str().expect("a message"), "{case}"),
            Ok(input) => panic!(
                "{case}: the reference raises {expected}, we converted to\n{}",
                pretty(&serde_json::to_value(&input).expect("JSON"))
            ),
        }
        return;
    }

    let input = result.unwrap_or_else(|e| panic!("{case}: conversion failed: {e}"));
    // The provider client sends the request with reqwest's `.json(…)`, i.e. serde_json.
    let actual = serde_json::to_value(&input).expect("the input serializes");
    let expected = &fixture["input"];

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    texts(&actual, "input".into(), &mut ours);
    texts(expected, "input".into(), &mut theirs);
    for ((path, ours), (their_path, theirs)) in ours.iter().zip(&theirs) {
        assert_eq!(
            path, their_path,
            "{case}: the texts are in different places"
        );
        assert!(
            ours == theirs,
            "{case}: {path} differs\n  ours:   {ours:?}\n  theirs: {theirs:?}"
        );
    }
    assert_eq!(
        actual,
        *expected,
        "{case}: input items differ\n--- ours ---\n{}\n--- reference ---\n{}",
        pretty(&actual),
        pretty(expected)
    );
}

// ---------------------------------------------------------------------------------------------
// One test per case
// ---------------------------------------------------------------------------------------------

macro_rules! fixture_tests {
    ($($case:ident),* $(,)?) => {
        const CASES: &[&str] = &[$(stringify!($case)),*];
        $(
            #[tokio::test]
            async fn $case() {
                check(stringify!($case)).await;
            }
        )*
    };
}

fixture_tests!(
    user_text,
    user_parts_joined,
    empty_messages,
    conversation,
    assistant_annotations_dropped,
    quoted_text_last,
    quoted_text_not_last,
    client_tool_calls,
    client_tool_call_pending,
    hidden_context,
    sdk_hidden_context,
    workflows,
    tasks,
    widgets,
    generated_images,
    structured_input,
    end_of_turn,
    mentions,
    mentions_hidden_json,
    error_tag_default,
    error_attachment_default,
    error_hidden_context_json,
    everything_last_20,
);

#[test]
fn every_fixture_has_a_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/history exists")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            path.file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut tested: Vec<String> = CASES.iter().map(|c| (*c).to_owned()).collect();
    tested.sort();
    assert_eq!(on_disk, tested);
}

/// The client tool call texts are Python's `json.dumps`, not serde_json's compact form: the
/// difference is the whole point of `python_json_dumps`, so pin it on the reference's bytes.
#[tokio::test]
async fn client_tool_call_arguments_are_python_json_dumps() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures_dir().join("client_tool_calls.json")).expect("fixture"),
    )
    .expect("JSON");
    let arguments = fixture["input"][1]["arguments"]
        .as_str()
        .expect("arguments");
    assert_eq!(arguments, r#"{"project": "demo"}"#);
    let echo = fixture["input"][4]["output"].as_str().expect("output");
    assert_eq!(
        echo,
        r#"{"ok": true, "echo": "na\u00efve \ud83d\ude80", "none": null}"#
    );
}
