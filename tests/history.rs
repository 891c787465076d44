//! History: the Rust converter against the Python SDK's, on the fixtures
//! `reference/record_history.py` records (`fixtures/history/<case>.json`).
//!
//! For each case: read `items` as `Vec<ThreadItem>`, convert them (through a `MemoryStore` and
//! `thread_to_agent_input` for the 20-item window case), write the input items as the provider
//! client writes a request body, and compare with the reference's `input`: as JSON values, and
//! each text field (`text`, `arguments`, `output`, `image_url`) as exact strings, since the
//! quoting rules live in those texts. Cases where the reference raises compare the message.
//! One test per case, so a failure names the rule it broke.
//!
//! Then the budgeted window (`load_history_window`, protocol#history-budget), which has no
//! counterpart in the SDK: the fixtures read back through it, and its rule at every edge.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chatkit::agent::history::{
    ConvertError, DefaultConverter, HistoryBudget, HistoryWindow, MentionTag, ThreadItemConverter,
    input_item_tokens, input_text, input_tokens, load_history_window, python_json_dumps,
    thread_to_agent_input, user_text_message,
};
use chatkit::protocol::{Attachment, AttachmentKind, ThreadId, ThreadItem};
use chatkit::provider::InputItem;
use chatkit::store::{MemoryStore, Store, UserContext};
use serde_json::{Value, json};

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

// ---------------------------------------------------------------------------------------------
// The budgeted window (`load_history_window`): this crate's, checked at the edges of its rule
// ---------------------------------------------------------------------------------------------

/// Every fixture, read back through the window with a budget that holds it all (the reference's
/// 20 items for the last-20 case), converts exactly as the reference did: the window converts
/// with the server's converter and its hooks, and puts the quote on the newest message only.
#[tokio::test]
async fn every_fixture_converts_the_same_through_a_budgeted_window() {
    for case in CASES {
        let raw = std::fs::read_to_string(fixtures_dir().join(format!("{case}.json")))
            .expect("the fixture");
        let fixture: Value = serde_json::from_str(&raw).expect("JSON");
        let items: Vec<ThreadItem> =
            serde_json::from_value(fixture["items"].clone()).expect("the items parse");
        let converter: &dyn ThreadItemConverter = match fixture["converter"].as_str() {
            Some("mentions") => &MentionsConverter,
            _ => &DefaultConverter,
        };
        let budget = match fixture.get("history").and_then(Value::as_str) {
            Some("last_20") => HistoryBudget::items(20),
            _ => HistoryBudget::tokens(1_000_000),
        };
        let thread = Thread::from_items(&items).await;
        let result = thread.window_with(converter, budget).await;
        match (result, fixture.get("error")) {
            (Err(message), Some(expected)) => assert_eq!(Some(message.as_str()), expected.as_str()),
            (Ok(window), None) => {
                assert_eq!(
                    serde_json::to_value(&window.input).expect("JSON"),
                    fixture["input"],
                    "{case}"
                );
                if let Some(tokens) = window.tokens {
                    assert_eq!(tokens, input_tokens(&window.input), "{case}");
                }
            }
            (result, expected) => panic!("{case}: {result:?}, expected error {expected:?}"),
        }
    }
}

/// A thread in a `MemoryStore`, built one item at a time with ids `it_0001`, … and one second
/// between items.
struct Thread {
    store: MemoryStore,
    ctx: UserContext,
    id: ThreadId,
    added: usize,
}

impl Thread {
    fn new() -> Self {
        Thread {
            store: MemoryStore::new(),
            ctx: UserContext::new("user_1"),
            id: ThreadId::new("thr_window"),
            added: 0,
        }
    }

    async fn from_items(items: &[ThreadItem]) -> Self {
        let mut thread = Thread::new();
        if let Some(first) = items.first() {
            thread.id = first.thread_id.clone();
        }
        for item in items {
            thread.store_item(item).await;
        }
        thread
    }

    async fn store_item(&mut self, item: &ThreadItem) {
        self.store
            .add_thread_item(&self.id, item, &self.ctx)
            .await
            .expect("the item is stored");
        self.added += 1;
    }

    /// Adds an item of this kind (the JSON of a thread item without its id, thread and time);
    /// returns it.
    async fn add(&mut self, kind: Value) -> ThreadItem {
        let mut item = kind;
        item["id"] = json!(format!("it_{:04}", self.added + 1));
        item["thread_id"] = json!(self.id.as_str());
        item["created_at"] = json!(1_735_787_046 + self.added);
        let item: ThreadItem = serde_json::from_value(item).expect("a thread item");
        self.store_item(&item).await;
        item
    }

    async fn user(&mut self, text: &str) -> ThreadItem {
        self.add(
            json!({"type": "user_message", "content": [{"type": "input_text", "text": text}],
            "attachments": [], "inference_options": {}}),
        )
        .await
    }

    async fn assistant(&mut self, text: &str) -> ThreadItem {
        self.add(json!({"type": "assistant_message",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}))
            .await
    }

    async fn window_with(
        &self,
        converter: &dyn ThreadItemConverter,
        budget: HistoryBudget,
    ) -> Result<HistoryWindow, String> {
        load_history_window(&self.store, &self.id, &self.ctx, converter, budget)
            .await
            .map_err(|e| e.to_string())
    }

    async fn window(&self, budget: HistoryBudget) -> HistoryWindow {
        self.window_with(&DefaultConverter, budget)
            .await
            .expect("a window")
    }
}

/// What one thread item costs once converted, as the window counts it.
async fn cost(item: &ThreadItem) -> usize {
    let input = DefaultConverter
        .to_agent_input(std::slice::from_ref(item))
        .await
        .expect("converts");
    input_tokens(&input)
}

fn ids(items: &[ThreadItem]) -> Vec<String> {
    items.iter().map(|item| item.id.to_string()).collect()
}

/// A text of about `words` tokens.
fn long_text(words: usize) -> String {
    vec!["lorem"; words].join(" ")
}

#[tokio::test]
async fn the_window_pages_back_with_the_cursor_and_returns_the_newest_items_oldest_first() {
    let mut thread = Thread::new();
    let mut all = Vec::new();
    for i in 0..120 {
        all.push(if i % 2 == 0 {
            thread.user(&format!("Question {i}")).await
        } else {
            thread.assistant(&format!("Answer {i}")).await
        });
    }
    // 75 items take two pages of 50, newest first, with the cursor.
    let window = thread.window(HistoryBudget::items(75)).await;
    assert_eq!(ids(&window.items), ids(&all[45..]));
    assert_eq!(window.input.len(), 75);
    assert!(window.truncated);
    assert_eq!(window.tokens, None, "an item budget counts no tokens");
    let first = window.input[0]
        .as_message()
        .map(|(_, content)| content.text());
    assert_eq!(first.as_deref(), Some("Answer 45"));

    let whole = thread.window(HistoryBudget::items(120)).await;
    assert_eq!(ids(&whole.items), ids(&all));
    assert!(!whole.truncated);
    assert_eq!(thread.window(HistoryBudget::default()).await, whole);
}

#[tokio::test]
async fn a_token_budget_keeps_the_newest_items_that_fit_to_the_token() {
    let mut thread = Thread::new();
    let mut all = Vec::new();
    for i in 0..30 {
        all.push(if i % 2 == 0 {
            thread
                .user(&format!("Tell me about the number {i}, please."))
                .await
        } else {
            thread
                .assistant(&format!("The number {i} is a fine number."))
                .await
        });
    }
    let mut newest_7 = 0;
    for item in &all[23..] {
        newest_7 += cost(item).await;
    }
    let exact = thread.window(HistoryBudget::tokens(newest_7)).await;
    assert_eq!(ids(&exact.items), ids(&all[23..]));
    assert_eq!(exact.tokens, Some(newest_7));
    assert_eq!(exact.tokens, Some(input_tokens(&exact.input)));
    assert!(exact.truncated);

    // One token less and the oldest of the seven no longer fits.
    let short = thread.window(HistoryBudget::tokens(newest_7 - 1)).await;
    assert_eq!(ids(&short.items), ids(&all[24..]));
    assert!(short.tokens.is_some_and(|tokens| tokens < newest_7));
}

#[tokio::test]
async fn an_item_budget_and_a_token_budget_together_stop_at_whichever_is_spent_first() {
    let mut thread = Thread::new();
    let mut all = Vec::new();
    for i in 0..10 {
        all.push(thread.user(&format!("Message {i}")).await);
    }
    let plenty = HistoryBudget::tokens(10_000).and_items(4);
    assert_eq!(ids(&thread.window(plenty).await.items), ids(&all[6..]));
    let two_items_of_tokens = cost(&all[9]).await + cost(&all[8]).await;
    let tight = HistoryBudget::items(8).and_tokens(two_items_of_tokens);
    assert_eq!(ids(&thread.window(tight).await.items), ids(&all[8..]));
}

#[tokio::test]
async fn the_newest_user_message_is_kept_even_alone_over_the_budget() {
    let mut thread = Thread::new();
    thread.user("Hi").await;
    thread.assistant("Hello!").await;
    let newest = thread.user(&long_text(300)).await;
    let window = thread.window(HistoryBudget::tokens(50).and_items(0)).await;
    assert_eq!(ids(&window.items), ids(std::slice::from_ref(&newest)));
    assert!(window.tokens.is_some_and(|tokens| tokens > 300));
    assert!(window.truncated);
    // The same with an empty budget: what the model must answer is never cut.
    let nothing = thread.window(HistoryBudget::tokens(0)).await;
    assert_eq!(ids(&nothing.items), ids(&[newest]));
}

#[tokio::test]
async fn everything_after_the_newest_user_message_is_kept_with_it() {
    let mut thread = Thread::new();
    thread.user("Earlier question").await;
    let asked = thread.user("Which nodes are selected?").await;
    let call = thread
        .add(
            json!({"type": "client_tool_call", "status": "completed", "call_id": "call_1",
            "name": "get_selected_nodes", "arguments": {"project": "demo"},
            "output": {"nodes": ["a", "b"]}}),
        )
        .await;
    let end = thread.add(json!({"type": "end_of_turn"})).await;
    let window = thread.window(HistoryBudget::tokens(1).and_items(1)).await;
    assert_eq!(ids(&window.items), ids(&[asked, call, end]));
    assert!(window.truncated);
}

#[tokio::test]
async fn an_older_item_larger_than_the_whole_budget_ends_the_window() {
    let mut thread = Thread::new();
    thread.user("Short question").await;
    thread.assistant("Short answer").await;
    let huge = thread.assistant(&long_text(500)).await;
    let newest = thread.user("And now?").await;
    let budget = 200;
    assert!(cost(&huge).await > budget);
    // The two short items would fit, but the window is the thread's end: it stops at the
    // first item that does not fit rather than show the model an answer without its question.
    let window = thread.window(HistoryBudget::tokens(budget)).await;
    assert_eq!(ids(&window.items), ids(&[newest]));
    assert!(window.truncated);
}

#[tokio::test]
async fn a_thread_of_one_message_is_that_message_whatever_the_budget() {
    let mut thread = Thread::new();
    let only = thread.user("Hello there").await;
    for budget in [
        HistoryBudget::tokens(0),
        HistoryBudget::items(0),
        HistoryBudget::tokens(1_000),
        HistoryBudget::default(),
    ] {
        let window = thread.window(budget).await;
        assert_eq!(
            ids(&window.items),
            ids(std::slice::from_ref(&only)),
            "{budget:?}"
        );
        assert!(!window.truncated, "{budget:?}");
    }
    let empty = Thread::new().window(HistoryBudget::tokens(100)).await;
    assert_eq!(empty.items, []);
    assert_eq!(empty.tokens, Some(0));
    assert!(!empty.truncated);
}

/// The call and its output a completed client tool call converts to, and what each costs.
fn call_and_output(input: &[InputItem]) -> (usize, usize) {
    let costs: Vec<usize> = input.iter().map(input_item_tokens).collect();
    assert_eq!(costs.len(), 2, "a function_call and its output");
    (costs[0], costs[1])
}

#[tokio::test]
async fn a_client_tool_call_and_its_output_are_kept_or_left_out_together() {
    let mut thread = Thread::new();
    thread.user("Which nodes are selected?").await;
    let call = thread
        .add(
            json!({"type": "client_tool_call", "status": "completed", "call_id": "call_7",
            "name": "get_selected_nodes", "arguments": {"project": "demo"},
            "output": {"nodes": ["a", "b", "c", "d", "e", "f"]}}),
        )
        .await;
    let newest = thread.user("Thanks. And the first one?").await;
    let input = DefaultConverter
        .to_agent_input(std::slice::from_ref(&call))
        .await
        .expect("converts");
    let (call_cost, output_cost) = call_and_output(&input);
    let newest_cost = cost(&newest).await;

    // Room for the output alone: neither goes in.
    let without = thread
        .window(HistoryBudget::tokens(newest_cost + output_cost))
        .await;
    assert_eq!(ids(&without.items), ids(std::slice::from_ref(&newest)));
    assert!(without.truncated);
    // Room for both: both go in, the call before its output.
    let with = thread
        .window(HistoryBudget::tokens(newest_cost + call_cost + output_cost))
        .await;
    assert_eq!(ids(&with.items), ids(&[call, newest]));
    let kinds: Vec<Value> = with
        .input
        .iter()
        .map(|item| serde_json::to_value(item).expect("JSON")["type"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            json!("function_call"),
            json!("function_call_output"),
            json!("message")
        ]
    );
}

/// A converter that replays server tool calls an app stored as hidden context, one item for
/// the call and a later one for its output, so that a call and its output come from two
/// thread items.
struct ReplayingConverter;

#[async_trait]
impl ThreadItemConverter for ReplayingConverter {
    async fn hidden_context_to_input(
        &self,
        _item: &ThreadItem,
        content: &Value,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let call_id = content["call_id"].as_str().unwrap_or_default().to_owned();
        let item = match content["output"].as_str() {
            Some(output) => json!({"type": "function_call_output", "call_id": call_id,
                "output": output}),
            None => json!({"type": "function_call", "call_id": call_id,
                "name": content["name"], "arguments": content["arguments"]}),
        };
        Ok(vec![serde_json::from_value(item)?])
    }
}

#[tokio::test]
async fn a_call_and_its_output_written_from_two_items_stay_together() {
    let mut thread = Thread::new();
    thread.user("What is the weather in Paris?").await;
    let call = thread
        .add(
            json!({"type": "hidden_context_item", "content": {"call_id": "call_9",
            "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}),
        )
        .await;
    let output = thread
        .add(
            json!({"type": "hidden_context_item", "content": {"call_id": "call_9",
            "output": "Sunny, 21C in Paris"}}),
        )
        .await;
    let newest = thread.user("Should I take a coat?").await;
    let converted = ReplayingConverter
        .to_agent_input(&[call.clone(), output.clone()])
        .await
        .expect("converts");
    let (call_cost, output_cost) = call_and_output(&converted);
    let newest_cost = cost(&newest).await;

    let thread = &thread;
    let window = |tokens| async move {
        thread
            .window_with(
                &ReplayingConverter,
                HistoryBudget::tokens(tokens).and_items(3),
            )
            .await
            .expect("a window")
    };
    // The output fits and its call does not: both stay out.
    let without = window(newest_cost + output_cost).await;
    assert_eq!(ids(&without.items), ids(std::slice::from_ref(&newest)));
    // The item budget counts both items of the pair: three items leave room for the pair
    // and the newest message, not for the question before them.
    let with = window(10_000).await;
    assert_eq!(ids(&with.items), ids(&[call, output, newest]));
    assert_eq!(with.tokens, Some(newest_cost + call_cost + output_cost));
    assert!(with.truncated);
}

#[tokio::test]
async fn hidden_context_counts_like_any_item() {
    let mut thread = Thread::new();
    let question = thread.user("Plan my day").await;
    let answer = thread.assistant("Here is your plan.").await;
    let hidden = thread
        .add(json!({"type": "hidden_context_item", "content": long_text(80)}))
        .await;
    let newest = thread.user("Move lunch to 1pm").await;
    let (newest_cost, hidden_cost, answer_cost) = (
        cost(&newest).await,
        cost(&hidden).await,
        cost(&answer).await,
    );
    assert!(hidden_cost > 80);

    // Were the hidden note free, the answer would fit in this budget; it is not.
    let window = thread
        .window(HistoryBudget::tokens(
            newest_cost + answer_cost + hidden_cost - 1,
        ))
        .await;
    assert_eq!(ids(&window.items), ids(&[hidden.clone(), newest.clone()]));
    let text = window.input[0]
        .as_message()
        .map(|(_, content)| content.text());
    assert!(text.is_some_and(|text| text.contains("<HiddenContext>")));

    let all = thread.window(HistoryBudget::tokens(10_000)).await;
    assert_eq!(ids(&all.items), ids(&[question, answer, hidden, newest]));
}
