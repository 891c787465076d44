//! Streaming a widget from successive states: the reference's two `stream_widget` tests and
//! its `diff_widget` table (`tests/test_widgets.py::test_diff`), plus what the pipeline keeps.

use chatkit::protocol::{ErrorCode, ItemKind, ThreadItemUpdate, ThreadStreamEvent, WidgetRoot};
use chatkit::server::{StreamError, diff_widget};
use futures::{StreamExt, stream};
use serde_json::{Value, json};

use crate::harness::{TestServer, create, items_list, json, processor, stream};

/// A widget from the JSON the reference's pydantic models dump.
fn widget(value: Value) -> WidgetRoot {
    serde_json::from_value(value).expect("a widget")
}

/// `Card(children=[Text(id="text", value=…)])`.
fn card_with_text(value: &str) -> WidgetRoot {
    widget(json!({"type": "Card", "children": [{"type": "Text", "id": "text", "value": value}]}))
}

/// Streams `states` as the answer to a new thread; the events after `stream_options`, and the
/// types of the items stored.
async fn stream_states(states: Vec<WidgetRoot>) -> (Vec<ThreadStreamEvent>, Vec<String>) {
    let server = TestServer::responding(move |_thread, _input, _ctx, out| {
        out.stream_widget(stream::iter(states.clone()), Some("copy".to_owned()))
    });
    let processor = processor(server);
    let streamed = stream(&processor, create("show me")).await;
    let start = streamed
        .events
        .iter()
        .position(|event| matches!(event, ThreadStreamEvent::StreamOptions { .. }))
        .expect("stream_options");
    let listed: Value = json(&processor, items_list(&streamed.thread_id())).await;
    let stored = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| item["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    (streamed.events[start + 1..].to_vec(), stored)
}

fn delta(event: &ThreadStreamEvent) -> Option<(&str, &str, bool)> {
    match event {
        ThreadStreamEvent::ThreadItemUpdated {
            update:
                ThreadItemUpdate::WidgetStreamingTextValueDelta {
                    component_id,
                    delta,
                    done,
                },
            ..
        } => Some((component_id.as_str(), delta.as_str(), *done)),
        _ => None,
    }
}

fn widget_of(event: &ThreadStreamEvent) -> Option<&WidgetRoot> {
    match event {
        ThreadStreamEvent::ThreadItemAdded { item }
        | ThreadStreamEvent::ThreadItemDone { item } => match &item.kind {
            ItemKind::Widget { widget, .. } => Some(widget),
            _ => None,
        },
        _ => None,
    }
}

#[tokio::test]
async fn returns_widget_item_generator() {
    let states = [0, 3, 6, 12].map(|end| card_with_text(&"Hello, world"[..end]));
    let (events, stored) = stream_states(states.to_vec()).await;
    assert_eq!(events.len(), 5, "{events:?}");
    assert!(matches!(
        events[0],
        ThreadStreamEvent::ThreadItemAdded { .. }
    ));
    assert_eq!(widget_of(&events[0]), Some(&card_with_text("")));
    // No `streaming` flag means each delta is marked done, as in the reference.
    assert_eq!(delta(&events[1]), Some(("text", "Hel", true)));
    assert_eq!(delta(&events[2]), Some(("text", "lo,", true)));
    assert_eq!(delta(&events[3]), Some(("text", " world", true)));
    assert!(matches!(
        events[4],
        ThreadStreamEvent::ThreadItemDone { .. }
    ));
    assert_eq!(widget_of(&events[4]), Some(&card_with_text("Hello, world")));
    assert_eq!(stored, ["widget", "user_message"], "newest first");
}

#[tokio::test]
async fn returns_widget_item_generator_full_replace() {
    let states = vec![card_with_text("Hello"), card_with_text("World")];
    let (events, _) = stream_states(states).await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(widget_of(&events[0]), Some(&card_with_text("Hello")));
    let ThreadStreamEvent::ThreadItemUpdated {
        update: ThreadItemUpdate::WidgetRootUpdated { widget },
        ..
    } = &events[1]
    else {
        panic!("a widget.root.updated, got {:?}", events[1]);
    };
    assert_eq!(widget, &card_with_text("World"));
    assert_eq!(widget_of(&events[2]), Some(&card_with_text("World")));
}

#[tokio::test]
async fn the_added_and_done_items_share_id_and_time() {
    let states = vec![card_with_text("a"), card_with_text("ab")];
    let (events, _) = stream_states(states).await;
    let (
        ThreadStreamEvent::ThreadItemAdded { item: added },
        ThreadStreamEvent::ThreadItemDone { item: done },
    ) = (&events[0], &events[2])
    else {
        panic!("added, update, done: {events:?}");
    };
    assert_eq!((&added.id, &added.created_at), (&done.id, &done.created_at));
}

/// One row of the reference's `test_diff`: the update types `before` → `after` gives.
fn diff_types(before: Value, after: Value) -> Vec<String> {
    let updates = diff_widget(&widget(before), &widget(after));
    updates
        .iter()
        .map(|update| {
            serde_json::to_value(update).expect("JSON")["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn text(id: Option<&str>, value: &str, streaming: Option<bool>) -> Value {
    let mut text = json!({"type": "Text", "value": value});
    if let Some(id) = id {
        text["id"] = json!(id);
    }
    if let Some(streaming) = streaming {
        text["streaming"] = json!(streaming);
    }
    text
}

fn card(children: Vec<Value>) -> Value {
    json!({"type": "Card", "children": children})
}

#[test]
fn diff_follows_the_reference_table() {
    let delta = ["widget.streaming_text.value_delta"];
    let replace = ["widget.root.updated"];
    let none: [&str; 0] = [];
    assert_eq!(diff_types(card(vec![]), card(vec![])), none);
    let streaming = |value| card(vec![text(Some("text"), value, Some(true))]);
    assert_eq!(
        diff_types(streaming("Hello"), streaming("Hello, world!")),
        delta
    );
    let finished = card(vec![text(Some("text"), "Hello, world!", Some(false))]);
    assert_eq!(diff_types(streaming("Hello"), finished), replace);
    let without_id = |value| card(vec![text(None, value, None)]);
    assert_eq!(
        diff_types(without_id("Hello"), without_id("world!")),
        replace
    );
}

#[test]
fn diff_works_on_dynamic_widgets_too() {
    // The reference's `DynamicWidgetRoot` rows: free-form `Card` roots.
    let root = |children: Vec<Value>| {
        let card = json!({"type": "Card", "children": children});
        WidgetRoot::Dynamic(Box::new(serde_json::from_value(card).expect("free-form")))
    };
    let types = |before: &WidgetRoot, after: &WidgetRoot| -> Vec<Value> {
        let updates = diff_widget(before, after);
        updates.iter().map(|u| json!(u)["type"].clone()).collect()
    };
    let streaming = |value| root(vec![text(Some("text"), value, Some(true))]);
    assert_eq!(
        types(&streaming("Hello"), &streaming("Hello, world!")),
        ["widget.streaming_text.value_delta"]
    );
    let finished = root(vec![text(Some("text"), "Hello, world!", Some(false))]);
    assert_eq!(
        types(&streaming("Hello"), &finished),
        ["widget.root.updated"]
    );
    let plain = |value| root(vec![text(None, value, None)]);
    assert_eq!(
        types(&plain("Hello"), &plain("world!")),
        ["widget.root.updated"]
    );
    assert_eq!(types(&root(vec![]), &root(vec![])), Vec::<Value>::new());
}

#[test]
fn a_streaming_delta_is_not_done_while_the_component_streams() {
    let before = card(vec![text(Some("text"), "Hello", Some(true))]);
    let after = card(vec![text(Some("text"), "Hello, world!", Some(true))]);
    let updates = diff_widget(&widget(before), &widget(after));
    assert_eq!(
        updates,
        [ThreadItemUpdate::WidgetStreamingTextValueDelta {
            component_id: "text".to_owned(),
            delta: ", world!".to_owned(),
            done: false,
        }]
    );
}

#[test]
fn only_the_texts_that_grew_get_a_delta() {
    let two = |first: &str, second: &str| {
        card(vec![
            text(Some("a"), first, Some(true)),
            text(Some("b"), second, Some(true)),
        ])
    };
    assert_eq!(
        diff_widget(&widget(two("abc", "y")), &widget(two("abcd", "y"))),
        [ThreadItemUpdate::WidgetStreamingTextValueDelta {
            component_id: "a".to_owned(),
            delta: "d".to_owned(),
            done: false,
        }]
    );
    let renamed = card(vec![
        text(Some("a"), "x", Some(true)),
        text(Some("c"), "y", Some(true)),
    ]);
    assert_eq!(
        diff_widget(&widget(two("x", "y")), &widget(renamed.clone())),
        [ThreadItemUpdate::WidgetRootUpdated {
            widget: widget(renamed)
        }],
        "a changed id is another component: the tree is replaced"
    );
}

#[tokio::test]
async fn no_state_sends_nothing_and_stores_nothing() {
    let (events, stored) = stream_states(Vec::new()).await;
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(stored, ["user_message"]);
}

#[tokio::test]
async fn a_failing_stream_keeps_nothing_of_the_widget() {
    let server = TestServer::responding(|_thread, _input, _ctx, out| {
        // The states stop coming because the work behind them failed.
        let widget = out.stream_widget(stream::iter(vec![card_with_text("Hello")]), None);
        let failure = stream::once(async { Err(StreamError::failed("the source failed")) });
        widget.take(1).chain(failure).boxed()
    });
    let processor = processor(server);
    let streamed = stream(&processor, create("show me")).await;
    let last = streamed.events.last().expect("events");
    assert!(
        matches!(last, ThreadStreamEvent::Error(error) if error.code == ErrorCode::StreamError)
    );
    let listed: Value = json(&processor, items_list(&streamed.thread_id())).await;
    assert_eq!(
        listed["data"].as_array().map(Vec::len),
        Some(1),
        "only the user's message"
    );
}
