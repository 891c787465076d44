//! What the pipeline does with each event a responder yields: the exact order sent, and what
//! `done`, `replaced` and `removed` leave in the store.

use async_stream::try_stream;
use chatkit::protocol::widget::{Card, Text};
use chatkit::protocol::{
    ClientToolCall, ClientToolCallStatus, ErrorCode, ItemId, ItemKind, Page, Task, TaskKind,
    TaskStatusIndicator, ThreadItem, ThreadItemUpdate, ThreadMetadata, ThreadStreamEvent,
    WidgetRoot, Workflow, WorkflowKind,
};
use chatkit::server::{Responder, StreamError};
use chatkit::store::UserContext;
use futures::StreamExt;
use serde_json::json;

use crate::harness::{
    Calls, TestServer, assistant_message, create, ctx, first_text, item, items_list, json,
    processor, request, stream, transcript, user_message,
};

/// `Card(children=[Text(value=…)])`.
fn card_with_text(value: &str) -> WidgetRoot {
    Card::new(vec![Text::new(value).into()]).into()
}

/// The widget item `widget_to_replace`, showing `text`.
fn widget_to_replace(
    out: &Responder<UserContext>,
    thread: &ThreadMetadata,
    text: &str,
) -> ThreadItem {
    let kind = ItemKind::Widget {
        widget: card_with_text(text),
        copy_text: None,
    };
    item(out, thread, "widget_to_replace", kind)
}

#[tokio::test]
async fn workflow_task_not_duplicated_on_done_event() {
    // The reference's regression: applying `workflow.task.added` to the pending copy must not
    // change the item the responder still holds, or `done` would carry the task twice. Here
    // the pending copy is a clone by construction; the test pins the outcome anyway.
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            let workflow = Workflow {
                kind: WorkflowKind::Custom,
                tasks: Vec::new(),
                summary: None,
                expanded: false,
            };
            let mut workflow_item =
                item(&out, &thread, "workflow-item", ItemKind::Workflow { workflow });
            yield ThreadStreamEvent::ThreadItemAdded { item: workflow_item.clone() };

            let task = Task {
                status_indicator: TaskStatusIndicator::None,
                kind: TaskKind::Custom {
                    title: Some("foo".to_owned()),
                    icon: None,
                    content: Some("bar".to_owned()),
                },
            };
            yield ThreadStreamEvent::ThreadItemUpdated {
                item_id: workflow_item.id.clone(),
                update: ThreadItemUpdate::WorkflowTaskAdded { task_index: 0, task: task.clone() },
            };

            if let ItemKind::Workflow { workflow } = &mut workflow_item.kind {
                workflow.tasks.push(task);
            }
            yield ThreadStreamEvent::ThreadItemDone { item: workflow_item };
        }
        .boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Hello")).await;

    let task_titles = |item: &ThreadItem| match &item.kind {
        ItemKind::Workflow { workflow } => workflow
            .tasks
            .iter()
            .map(|task| match &task.kind {
                TaskKind::Custom { title, .. } => title.clone(),
                _ => None,
            })
            .collect::<Vec<_>>(),
        other => panic!("not a workflow: {other:?}"),
    };
    let done = streamed.done_items()[1];
    assert_eq!(task_titles(done), [Some("foo".to_owned())]);
    let stored = processor
        .store()
        .load_item(&streamed.thread_id(), &done.id, &ctx())
        .await
        .expect("the workflow is stored");
    assert_eq!(task_titles(&stored), [Some("foo".to_owned())]);
    crate::snapshot!("workflow_task_not_duplicated_on_done_event", streamed.sse);
}

#[tokio::test]
async fn respond_with_tool_call() {
    let inputs: Calls<Option<ThreadItem>> = Calls::default();
    let seen = inputs.clone();
    let server = TestServer::responding(move |thread, input, _ctx, out| {
        seen.push(input.clone().map(ThreadItem::from));
        try_stream! {
            if input.is_some() {
                let call = ClientToolCall {
                    status: ClientToolCallStatus::Pending,
                    call_id: "tool_call_1".to_owned(),
                    name: "tool_call_1".to_owned(),
                    arguments: json!({ "arg1": "val1", "arg2": false })
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    output: None,
                };
                yield ThreadStreamEvent::ThreadItemDone {
                    item: item(&out, &thread, "msg_1", ItemKind::ClientToolCall(call)),
                };
            } else {
                yield ThreadStreamEvent::ThreadItemDone {
                    item: assistant_message(&out, &thread, "msg_2", "Glad the tool call succeeded!"),
                };
            }
        }
        .boxed()
    });
    let processor = processor(server);

    let created = stream(&processor, create("Hello, world!")).await;
    assert_eq!(
        created.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.done"
        ]
    );
    let ItemKind::ClientToolCall(call) = &created.done_items()[1].kind else {
        panic!("the responder's item is the client tool call");
    };
    assert_eq!(call.name, "tool_call_1");
    assert_eq!(call.call_id, "tool_call_1");
    assert_eq!(
        serde_json::Value::Object(call.arguments.clone()),
        json!({ "arg1": "val1", "arg2": false })
    );

    let thread_id = created.thread_id();
    let answered = stream(
        &processor,
        request(
            "threads.add_client_tool_output",
            json!({ "thread_id": thread_id, "result": { "text": "Wow!" } }),
        ),
    )
    .await;
    assert_eq!(answered.types(), ["stream_options", "thread.item.done"]);
    assert!(matches!(
        answered.done_items()[0].kind,
        ItemKind::AssistantMessage(_)
    ));
    // The tool output reaches `respond` through the stored call, not as an input message.
    assert!(inputs.all()[1].is_none());
    let stored_call = processor
        .store()
        .load_item(&thread_id, &ItemId::new("msg_1"), &ctx())
        .await
        .expect("the call is stored");
    assert!(matches!(
        &stored_call.kind,
        ItemKind::ClientToolCall(call)
            if call.status == ClientToolCallStatus::Completed
                && call.output == Some(json!({ "text": "Wow!" }))
    ));
    crate::snapshot!(
        "respond_with_tool_call",
        transcript(&[
            ("threads.create", &created),
            ("threads.add_client_tool_output", &answered)
        ])
    );
}

#[tokio::test]
async fn respond_with_tool_status() {
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ProgressUpdate { icon: None, text: "Tool status".to_owned() };
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "msg_4", "Hello, world!"),
            };
        }
        .boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Hello, world!")).await;

    assert_eq!(
        streamed.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "progress_update",
            "thread.item.done"
        ]
    );
    crate::snapshot!("respond_with_tool_status", streamed.sse);
}

#[tokio::test]
async fn thread_item_removed_event_removes_item() {
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: user_message(&out, &thread, "msg_to_remove", "To be removed"),
            };
            yield ThreadStreamEvent::ThreadItemRemoved { item_id: ItemId::new("msg_to_remove") };
        }
        .boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Trigger removal")).await;

    assert!(streamed.events.iter().any(|event| matches!(
        event,
        ThreadStreamEvent::ThreadItemRemoved { item_id } if item_id == "msg_to_remove"
    )));
    let listed: Page<ThreadItem> = json(&processor, items_list(&streamed.thread_id())).await;
    assert!(listed.data.iter().all(|item| item.id != "msg_to_remove"));
    crate::snapshot!("thread_item_removed_event_removes_item", streamed.sse);
}

#[tokio::test]
async fn raising_in_responder_yields_error_event() {
    let server = TestServer::responding(|_thread, _input, _ctx, _out| {
        futures::stream::iter([Err(StreamError::failed("Test error"))]).boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Test error")).await;

    // The error is the last event: the stream ends right after it.
    let Some(ThreadStreamEvent::Error(error)) = streamed.events.last() else {
        panic!("expected an error event last, got {:?}", streamed.types());
    };
    assert_eq!(error.code, ErrorCode::StreamError);
    assert!(error.allow_retry);
    // The detail ("Test error") stays in the server's logs.
    assert_eq!(error.message, None);
    crate::snapshot!("raising_in_responder_yields_error_event", streamed.sse);
}

#[tokio::test]
async fn thread_item_replaced_event_replaces_item() {
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: user_message(&out, &thread, "msg_to_replace", "Original content"),
            };
            // Same id, another kind: `save_item` replaces whatever the id held.
            yield ThreadStreamEvent::ThreadItemReplaced {
                item: assistant_message(
                    &out,
                    &thread,
                    "msg_to_replace",
                    "This is the replacement content",
                ),
            };
        }
        .boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Trigger replacement")).await;

    assert!(streamed.events.iter().any(|event| matches!(
        event,
        ThreadStreamEvent::ThreadItemReplaced { item } if item.id == "msg_to_replace"
    )));
    let listed: Page<ThreadItem> = json(&processor, items_list(&streamed.thread_id())).await;
    let replaced = listed
        .data
        .iter()
        .find(|item| item.id == "msg_to_replace")
        .expect("the item is still listed");
    assert!(matches!(replaced.kind, ItemKind::AssistantMessage(_)));
    assert_eq!(first_text(replaced), "This is the replacement content");
    crate::snapshot!("thread_item_replaced_event_replaces_item", streamed.sse);
}

#[tokio::test]
async fn thread_item_replaced_event_with_widget() {
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: widget_to_replace(&out, &thread, "Original widget content"),
            };
            yield ThreadStreamEvent::ThreadItemReplaced {
                item: widget_to_replace(&out, &thread, "Replaced widget content"),
            };
        }
        .boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Trigger widget replacement")).await;

    let replacement = streamed
        .events
        .iter()
        .find_map(|event| match event {
            ThreadStreamEvent::ThreadItemReplaced { item } => Some(item),
            _ => None,
        })
        .expect("a thread.item.replaced event");
    let replaced_widget = ItemKind::Widget {
        widget: card_with_text("Replaced widget content"),
        copy_text: None,
    };
    assert_eq!(replacement.kind, replaced_widget);
    let listed: Page<ThreadItem> = json(&processor, items_list(&streamed.thread_id())).await;
    let stored_widget = listed
        .data
        .iter()
        .find(|item| item.id == "widget_to_replace")
        .expect("the widget is listed");
    assert_eq!(stored_widget.kind, replaced_widget);
    crate::snapshot!("thread_item_replaced_event_with_widget", streamed.sse);
}
