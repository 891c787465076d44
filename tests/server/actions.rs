//! The hooks besides `respond`: widget actions (streamed and sync) and feedback.

use async_stream::try_stream;
use chatkit::protocol::request::FeedbackKind;
use chatkit::protocol::widget::{Card, Text};
use chatkit::protocol::{
    Action, ItemId, ItemKind, SyncCustomActionResponse, ThreadId, ThreadItem, ThreadItemUpdate,
    ThreadMetadata, ThreadStreamEvent, UserMessageItem, WidgetRoot,
};
use chatkit::server::{EventStream, Responder, StreamError};
use chatkit::store::UserContext;
use futures::StreamExt;
use serde_json::json;

use crate::harness::{
    Calls, TestServer, assistant_message, create, ctx, item, json, json_body, processor, request,
    stream,
};

/// `Card(children=[Text(key="text_1", value="test")])` as item `widget_1`: the responder of
/// the action tests.
fn show_widget(
    thread: ThreadMetadata,
    _input: Option<UserMessageItem>,
    _ctx: UserContext,
    out: Responder<UserContext>,
) -> EventStream {
    try_stream! {
        let text = Text { key: Some("text_1".to_owned()), ..Text::new("test") };
        let widget = ItemKind::Widget {
            widget: Card::new(vec![text.into()]).into(),
            copy_text: None,
        };
        yield ThreadStreamEvent::ThreadItemDone { item: item(&out, &thread, "widget_1", widget) };
    }
    .boxed()
}

/// `Card(children=[Text(value="Email sent!")])`, what both action hooks show afterwards.
fn email_sent() -> WidgetRoot {
    Card::new(vec![Text::new("Email sent!").into()]).into()
}

/// The item of the first `thread.item.done` whose item is a widget.
fn widget_done(events: &[ThreadStreamEvent]) -> ThreadItem {
    events
        .iter()
        .find_map(|event| match event {
            ThreadStreamEvent::ThreadItemDone { item }
                if matches!(item.kind, ItemKind::Widget { .. }) =>
            {
                Some(item.clone())
            }
            _ => None,
        })
        .expect("a widget item is done")
}

#[tokio::test]
async fn calls_action() {
    let actions: Calls<(Action, Option<ThreadItem>)> = Calls::default();
    let seen = actions.clone();
    let server = TestServer::responding(show_widget).on_action(
        move |_thread, action, sender, _ctx, _out| {
            seen.push((action, sender.clone()));
            try_stream! {
                let sender = sender.ok_or_else(|| StreamError::failed("no sender widget"))?;
                yield ThreadStreamEvent::ThreadItemUpdated {
                    item_id: sender.id,
                    update: ThreadItemUpdate::WidgetRootUpdated { widget: email_sent() },
                };
            }
            .boxed()
        },
    );
    let processor = processor(server);
    let created = stream(&processor, create("Show widget")).await;
    let widget_item = widget_done(&created.events);

    let streamed = stream(
        &processor,
        request(
            "threads.custom_action",
            json!({
                "thread_id": created.thread_id(),
                "item_id": widget_item.id,
                "action": { "type": "create_user", "payload": { "user_id": "123" } }
            }),
        ),
    )
    .await;

    let create_user = Action::new("create_user").with_payload(json!({ "user_id": "123" }));
    assert_eq!(actions.all(), [(create_user, Some(widget_item))]);
    assert_eq!(streamed.types(), ["stream_options", "thread.item.updated"]);
    assert!(matches!(
        &streamed.events[1],
        ThreadStreamEvent::ThreadItemUpdated {
            update: ThreadItemUpdate::WidgetRootUpdated { widget },
            ..
        } if *widget == email_sent()
    ));
    crate::snapshot!("calls_action", streamed.sse);
}

#[tokio::test]
async fn calls_action_sync() {
    let actions: Calls<(Action, Option<ThreadItem>)> = Calls::default();
    let seen = actions.clone();
    let server =
        TestServer::responding(show_widget).on_sync_action(move |_thread, action, sender, _ctx| {
            seen.push((action, sender.clone()));
            let updated_item = sender.map(|sender| ThreadItem {
                kind: ItemKind::Widget {
                    widget: email_sent(),
                    copy_text: None,
                },
                ..sender
            });
            SyncCustomActionResponse { updated_item }
        });
    let processor = processor(server);
    let created = stream(&processor, create("Show widget")).await;
    let widget_item = widget_done(&created.events);

    let response: SyncCustomActionResponse = json(
        &processor,
        request(
            "threads.sync_custom_action",
            json!({
                "thread_id": created.thread_id(),
                "item_id": widget_item.id,
                "action": { "type": "create_user", "payload": { "user_id": "123" } }
            }),
        ),
    )
    .await;

    let create_user = Action::new("create_user").with_payload(json!({ "user_id": "123" }));
    assert_eq!(actions.all(), [(create_user, Some(widget_item.clone()))]);
    let expected = ThreadItem {
        kind: ItemKind::Widget {
            widget: email_sent(),
            copy_text: None,
        },
        ..widget_item.clone()
    };
    assert_eq!(response.updated_item, Some(expected));
    // The sync action persists nothing: saving the updated item is the integration's call.
    let stored = processor
        .store()
        .load_item(&created.thread_id(), &widget_item.id, &ctx())
        .await
        .expect("the widget is stored");
    assert_eq!(stored, widget_item);
}

#[tokio::test]
async fn add_feedback() {
    let calls: Calls<(ThreadId, Vec<ItemId>, FeedbackKind)> = Calls::default();
    let seen = calls.clone();
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "assistant_msg_1", "Feedback received!"),
            };
            let text = Text { key: Some("text".to_owned()), ..Text::new("Widget content") };
            let widget = ItemKind::Widget {
                widget: Card::new(vec![text.into()]).into(),
                copy_text: None,
            };
            yield ThreadStreamEvent::ThreadItemDone { item: item(&out, &thread, "widget_1", widget) };
        }
        .boxed()
    })
    .on_feedback(move |thread_id, item_ids, kind, _ctx| seen.push((thread_id, item_ids, kind)));
    let processor = processor(server);
    let thread_id = stream(&processor, create("Test feedback"))
        .await
        .thread_id();

    for (item_id, kind) in [("assistant_msg_1", "positive"), ("widget_1", "negative")] {
        let body = json_body(
            &processor,
            request(
                "items.feedback",
                json!({ "thread_id": thread_id, "item_ids": [item_id], "kind": kind }),
            ),
        )
        .await;
        assert_eq!(&body[..], b"{}");
    }

    assert_eq!(
        calls.all(),
        [
            (
                thread_id.clone(),
                vec![ItemId::new("assistant_msg_1")],
                FeedbackKind::Positive
            ),
            (
                thread_id.clone(),
                vec![ItemId::new("widget_1")],
                FeedbackKind::Negative
            ),
        ]
    );
}
