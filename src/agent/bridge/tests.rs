//! The mapper on hand-made run events; each reference bug handled differently has a test named
//! for it.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::*;
use crate::clock::FixedClock;
use crate::id_gen::{IdGenerator, SequentialIds};
use crate::protocol::{TaskKind, WidgetRoot};
use crate::store::{MemoryStore, UserContext};

fn mapper() -> ResponseMapper<UserContext> {
    let ids = Arc::new(SequentialIds::new());
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let out = Responder::new(
        ThreadId::new("thr_0001"),
        Arc::new(move |kind| ItemId::new(ids.generate(kind))),
        Arc::new(FixedClock::at(start)),
        Arc::new(MemoryStore::new()),
        UserContext::new("alice"),
    );
    ResponseMapper::new(out)
}

fn model(event: Value) -> RunEvent {
    RunEvent::Model(serde_json::from_value(event).expect("a Responses event"))
}

/// Every event as its wire JSON, one line each.
fn run(mapper: &mut ResponseMapper<UserContext>, events: Vec<RunEvent>) -> Vec<String> {
    events
        .into_iter()
        .flat_map(|event| mapper.on_event(event))
        .map(|event| serde_json::to_string(&event).expect("serializes"))
        .collect()
}

fn message_added(id: &str) -> RunEvent {
    model(json!({"type":"response.output_item.added","output_index":0,
        "item":{"id":id,"type":"message","role":"assistant","status":"in_progress","content":[]}}))
}

fn message_done(id: &str, text: &str, annotations: Value) -> RunEvent {
    model(json!({"type":"response.output_item.done","output_index":0,
        "item":{"id":id,"type":"message","role":"assistant","status":"completed",
        "content":[{"type":"output_text","text":text,"annotations":annotations,"logprobs":[]}]}}))
}

fn reasoning_added(id: &str) -> RunEvent {
    model(json!({"type":"response.output_item.added","output_index":0,
        "item":{"id":id,"type":"reasoning","summary":[]}}))
}

fn summary_delta(id: &str, index: u32, delta: &str) -> RunEvent {
    model(
        json!({"type":"response.reasoning_summary_text.delta","item_id":id,"output_index":0,
        "summary_index":index,"delta":delta}),
    )
}

fn summary_done(id: &str, index: u32, text: &str) -> RunEvent {
    model(
        json!({"type":"response.reasoning_summary_text.done","item_id":id,"output_index":0,
        "summary_index":index,"text":text}),
    )
}

fn function_call(id: &str, call_id: &str) -> FunctionCall {
    FunctionCall {
        id: Some(id.to_owned()),
        call_id: call_id.to_owned(),
        name: "get_selected_nodes".to_owned(),
        arguments: "{}".to_owned(),
        status: Some("completed".to_owned()),
    }
}

fn custom_task(title: &str) -> Task {
    Task {
        status_indicator: Default::default(),
        kind: TaskKind::Custom {
            title: Some(title.to_owned()),
            icon: None,
            content: None,
        },
    }
}

fn widget() -> WidgetRoot {
    serde_json::from_value(json!({"type":"Card","children":[{"type":"Text","value":"Rome"}]}))
        .expect("a widget")
}

#[test]
fn a_message_reuses_the_model_id_and_keeps_the_delta_boundaries() {
    let mut mapper = mapper();
    let lines = run(
        &mut mapper,
        vec![
            message_added("msg_mock_001_0"),
            model(
                json!({"type":"response.content_part.added","item_id":"msg_mock_001_0",
                "output_index":0,"content_index":0,
                "part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}),
            ),
            model(
                json!({"type":"response.output_text.delta","item_id":"msg_mock_001_0",
                "content_index":0,"delta":"Hel"}),
            ),
            model(
                json!({"type":"response.output_text.delta","item_id":"msg_mock_001_0",
                "content_index":0,"delta":"lo"}),
            ),
            model(
                json!({"type":"response.output_text.done","item_id":"msg_mock_001_0",
                "content_index":0,"text":"Hello"}),
            ),
            model(
                json!({"type":"response.content_part.done","item_id":"msg_mock_001_0",
                "content_index":0,"part":{"type":"output_text","text":"Hello","annotations":[]}}),
            ),
            message_done("msg_mock_001_0", "Hello", json!([])),
        ],
    );
    assert_eq!(
        lines,
        [
            r#"{"type":"thread.item.added","item":{"id":"msg_mock_001_0","thread_id":"thr_0001","created_at":"2025-01-02T03:04:05Z","type":"assistant_message","content":[]}}"#,
            r#"{"type":"thread.item.updated","item_id":"msg_mock_001_0","update":{"type":"assistant_message.content_part.added","content_index":0,"content":{"annotations":[],"text":"","type":"output_text"}}}"#,
            r#"{"type":"thread.item.updated","item_id":"msg_mock_001_0","update":{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":"Hel"}}"#,
            r#"{"type":"thread.item.updated","item_id":"msg_mock_001_0","update":{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":"lo"}}"#,
            r#"{"type":"thread.item.updated","item_id":"msg_mock_001_0","update":{"type":"assistant_message.content_part.done","content_index":0,"content":{"annotations":[],"text":"Hello","type":"output_text"}}}"#,
            r#"{"type":"thread.item.done","item":{"id":"msg_mock_001_0","thread_id":"thr_0001","created_at":"2025-01-02T03:04:06Z","type":"assistant_message","content":[{"annotations":[],"text":"Hello","type":"output_text"}]}}"#,
        ]
    );
}

#[test]
fn annotations_convert_and_the_unconvertible_are_dropped() {
    let annotations = json!([
        {"type":"url_citation","url":"https://a.example","title":"A","start_index":0,"end_index":5},
        {"type":"file_citation","file_id":"f1","filename":"notes.md","index":3},
        {"type":"file_citation","file_id":"f2","filename":"","index":4},
        {"type":"container_file_citation","container_id":"c","file_id":"f3","filename":"out.csv","start_index":1,"end_index":2},
        {"type":"file_path","file_id":"f4","index":1}
    ]);
    let mut mapper = mapper();
    let lines = run(
        &mut mapper,
        vec![message_done("msg_1", "Hello", annotations)],
    );
    assert_eq!(
        lines,
        [
            r#"{"type":"thread.item.done","item":{"id":"msg_1","thread_id":"thr_0001","created_at":"2025-01-02T03:04:05Z","type":"assistant_message","content":[{"annotations":[{"type":"annotation","source":{"title":"A","type":"url","url":"https://a.example"},"index":5},{"type":"annotation","source":{"title":"notes.md","type":"file","filename":"notes.md"},"index":3},{"type":"annotation","source":{"title":"out.csv","type":"file","filename":"out.csv"},"index":2}],"text":"Hello","type":"output_text"}]}}"#
        ]
    );
}

/// Reference bug (protocol#agent-annotations): chatkit 1.6.5 fails the turn with `stream.error` on
/// every `output_text.annotation.added` from openai 3.54.0. Here it maps, indexed by converted
/// annotations per part.
#[test]
fn annotation_added_maps_instead_of_failing_the_turn() {
    let added = |index: u32, annotation: Value| {
        model(
            json!({"type":"response.output_text.annotation.added","item_id":"msg_1",
            "output_index":0,"content_index":0,"annotation_index":index,"annotation":annotation}),
        )
    };
    let mut mapper = mapper();
    let lines = run(
        &mut mapper,
        vec![
            added(
                0,
                json!({"type":"url_citation","url":"https://a.example","title":"A","start_index":0,"end_index":5}),
            ),
            added(
                1,
                json!({"type":"file_citation","file_id":"f2","filename":"","index":4}),
            ),
            added(
                2,
                json!({"type":"file_citation","file_id":"f1","filename":"notes.md","index":3}),
            ),
        ],
    );
    assert_eq!(
        lines,
        [
            r#"{"type":"thread.item.updated","item_id":"msg_1","update":{"type":"assistant_message.content_part.annotation_added","content_index":0,"annotation_index":0,"annotation":{"type":"annotation","source":{"title":"A","type":"url","url":"https://a.example"},"index":5}}}"#,
            r#"{"type":"thread.item.updated","item_id":"msg_1","update":{"type":"assistant_message.content_part.annotation_added","content_index":0,"annotation_index":1,"annotation":{"type":"annotation","source":{"title":"notes.md","type":"file","filename":"notes.md"},"index":3}}}"#,
        ]
    );
}

#[test]
fn reasoning_streams_the_first_thought_and_ends_with_a_duration() {
    let mut mapper = mapper();
    let lines = run(
        &mut mapper,
        vec![
            reasoning_added("rs_1"),
            summary_delta("rs_1", 0, "Thinking"),
            summary_delta("rs_1", 0, " about"),
            summary_done("rs_1", 0, "Thinking about"),
            summary_delta("rs_1", 1, "ignored"),
            summary_done("rs_1", 1, "Second thought"),
            message_added("msg_1"),
        ],
    );
    assert_eq!(
        lines,
        [
            r#"{"type":"thread.item.added","item":{"id":"wf_0001","thread_id":"thr_0001","created_at":"2025-01-02T03:04:05Z","type":"workflow","workflow":{"type":"reasoning","tasks":[],"expanded":false}}}"#,
            r#"{"type":"thread.item.updated","item_id":"wf_0001","update":{"type":"workflow.task.added","task_index":0,"task":{"status_indicator":"none","type":"thought","content":"Thinking"}}}"#,
            r#"{"type":"thread.item.updated","item_id":"wf_0001","update":{"type":"workflow.task.updated","task_index":0,"task":{"status_indicator":"none","type":"thought","content":"Thinking about"}}}"#,
            r#"{"type":"thread.item.updated","item_id":"wf_0001","update":{"type":"workflow.task.updated","task_index":0,"task":{"status_indicator":"none","type":"thought","content":"Thinking about"}}}"#,
            r#"{"type":"thread.item.updated","item_id":"wf_0001","update":{"type":"workflow.task.added","task_index":1,"task":{"status_indicator":"none","type":"thought","content":"Second thought"}}}"#,
            r#"{"type":"thread.item.done","item":{"id":"wf_0001","thread_id":"thr_0001","created_at":"2025-01-02T03:04:05Z","type":"workflow","workflow":{"type":"reasoning","tasks":[{"status_indicator":"none","type":"thought","content":"Thinking about"},{"status_indicator":"none","type":"thought","content":"Second thought"}],"summary":{"duration":1},"expanded":false}}}"#,
            r#"{"type":"thread.item.added","item":{"id":"msg_1","thread_id":"thr_0001","created_at":"2025-01-02T03:04:07Z","type":"assistant_message","content":[]}}"#,
        ]
    );
}

#[test]
fn server_tool_calls_are_invisible() {
    let mut mapper = mapper();
    let call = function_call("fc_1", "call_1");
    let lines = run(
        &mut mapper,
        vec![
            model(json!({"type":"response.output_item.added","output_index":0,
                "item":{"id":"fc_1","type":"function_call","call_id":"call_1","name":"f","arguments":""}})),
            model(
                json!({"type":"response.function_call_arguments.delta","item_id":"fc_1","delta":"{}"}),
            ),
            RunEvent::ToolCalled(call),
            RunEvent::ToolOutput {
                call_id: "call_1".to_owned(),
                output: "ok".to_owned(),
            },
        ],
    );
    assert!(lines.is_empty(), "{lines:?}");
    assert!(mapper.finish().is_empty());
}

/// Reference bug (protocol#client-tools): the pending client tool call takes the ids of the run's
/// *last* function call. Here it takes those of the call whose tool asked for it.
#[test]
fn a_client_tool_call_takes_the_ids_of_the_call_that_asked_for_it() {
    let mut mapper = mapper();
    let mut arguments = Map::new();
    arguments.insert("project".to_owned(), json!("demo"));
    run(
        &mut mapper,
        vec![
            RunEvent::ToolCalled(function_call("fc_asker", "call_asker")),
            RunEvent::ToolCalled(function_call("fc_later", "call_later")),
            RunEvent::ClientToolCall {
                call: ClientToolCall {
                    name: "get_selected_nodes".to_owned(),
                    arguments,
                },
                requested_by: function_call("fc_asker", "call_asker"),
            },
        ],
    );
    let end: Vec<String> = mapper
        .finish()
        .iter()
        .map(|event| serde_json::to_string(event).expect("serializes"))
        .collect();
    assert_eq!(
        end,
        [
            r#"{"type":"thread.item.done","item":{"id":"fc_asker","thread_id":"thr_0001","created_at":"2025-01-02T03:04:05Z","type":"client_tool_call","status":"pending","call_id":"call_asker","name":"get_selected_nodes","arguments":{"project":"demo"}}}"#
        ]
    );
}

/// Reference bug (protocol#agent-workflows): helpers called without yielding send a workflow
/// `added` that already shows its final tasks, and a second `done` for it. Here each request
/// is handled when it was made: the workflow is added with one task and done once.
#[test]
fn workflow_helpers_give_one_added_with_the_tasks_so_far_and_one_done() {
    let mut mapper = mapper();
    let lines = run(
        &mut mapper,
        vec![
            RunEvent::Tool(ToolEvent::AddWorkflowTask(custom_task("Search"))),
            RunEvent::Tool(ToolEvent::AddWorkflowTask(custom_task("Plan"))),
            RunEvent::Tool(ToolEvent::EndWorkflow {
                summary: Some(WorkflowSummary::Custom {
                    title: "Planned".to_owned(),
                    icon: None,
                }),
                expanded: false,
            }),
            RunEvent::Tool(ToolEvent::Widget {
                widget: widget(),
                copy_text: None,
            }),
        ],
    );
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(lines[0].starts_with(r#"{"type":"thread.item.added","item":{"id":"wf_0001""#));
    assert!(
        lines[0]
            .contains(r#""tasks":[{"status_indicator":"none","type":"custom","title":"Search"}]"#)
    );
    assert!(lines[1].contains(r#""type":"workflow.task.added","task_index":1"#));
    assert!(lines[2].starts_with(r#"{"type":"thread.item.done","item":{"id":"wf_0001""#));
    assert!(lines[2].contains(r#""summary":{"title":"Planned"}"#));
    assert!(lines[3].starts_with(r#"{"type":"thread.item.done","item":{"id":"msg_0001""#));
    let workflow_dones = lines
        .iter()
        .filter(|line| line.starts_with(r#"{"type":"thread.item.done","item":{"id":"wf_"#))
        .count();
    assert_eq!(workflow_dones, 1);
}

#[test]
fn a_widget_ends_the_open_workflow_first() {
    let mut mapper = mapper();
    let lines = run(
        &mut mapper,
        vec![
            RunEvent::Tool(ToolEvent::AddWorkflowTask(custom_task("Search"))),
            RunEvent::Tool(ToolEvent::Widget {
                widget: widget(),
                copy_text: None,
            }),
        ],
    );
    // The widget is stamped (03:04:06) before the workflow's end is read (03:04:07).
    assert!(
        lines[1].contains(r#""summary":{"duration":2}"#),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(r#""created_at":"2025-01-02T03:04:06Z","type":"widget""#));
}

/// Reference bug (protocol#guardrails): a guardrail tripwire removes every id the run produced,
/// the `fc_…` ids of server tool calls the client never saw included, in random set order.
/// Here only the items the client saw are removed, in the order it saw them.
#[test]
fn abort_removes_only_the_items_the_client_saw_in_order() {
    let mut mapper = mapper();
    run(
        &mut mapper,
        vec![
            reasoning_added("rs_1"),
            RunEvent::ToolCalled(function_call("fc_1", "call_1")),
            message_added("msg_1"),
            message_done("msg_1", "Hi", json!([])),
        ],
    );
    let removed: Vec<String> = mapper
        .abort()
        .iter()
        .map(|event| serde_json::to_string(event).expect("serializes"))
        .collect();
    assert_eq!(
        removed,
        [
            r#"{"type":"thread.item.removed","item_id":"wf_0001"}"#,
            r#"{"type":"thread.item.removed","item_id":"msg_1"}"#,
        ]
    );
}

/// Reference bug (protocol#agent-workflows): a workflow open when the run ends is stored with no
/// event, continued by the next run and ended there with a `done` that stores it twice. Here
/// the run's end saves it with a `done`, and the run that continues it ends it with
/// `thread.item.replaced`.
#[test]
fn an_open_workflow_is_saved_once_and_a_continued_one_is_replaced() {
    let mut first = mapper();
    run(
        &mut first,
        vec![
            reasoning_added("rs_1"),
            summary_done("rs_1", 0, "Need the selection"),
        ],
    );
    let end = first.finish();
    let [ThreadStreamEvent::ThreadItemDone { item }] = end.as_slice() else {
        panic!("expected one done: {end:?}");
    };
    let client_call = ThreadItem {
        id: ItemId::new("fc_1"),
        thread_id: ThreadId::new("thr_0001"),
        created_at: item.created_at,
        kind: ItemKind::ClientToolCall(ClientToolCallItem {
            status: ClientToolCallStatus::Completed,
            call_id: "call_1".to_owned(),
            name: "get_selected_nodes".to_owned(),
            arguments: Map::new(),
            output: Some(json!({})),
        }),
    };
    let mut second = mapper().continuing(&[client_call, item.clone()]);
    let events = second.on_event(message_added("msg_2"));
    let ThreadStreamEvent::ThreadItemReplaced { item: ended } = &events[0] else {
        panic!("expected replaced: {events:?}");
    };
    assert_eq!(ended.id, item.id);
    let ItemKind::Workflow { workflow } = &ended.kind else {
        panic!("not a workflow");
    };
    assert!(workflow.summary.is_some());
    assert!(matches!(
        events[1],
        ThreadStreamEvent::ThreadItemAdded { .. }
    ));
}

#[test]
fn a_tool_event_passes_through_in_order() {
    let mut mapper = mapper();
    let lines = run(
        &mut mapper,
        vec![RunEvent::Tool(ToolEvent::Stream(Box::new(
            ThreadStreamEvent::ProgressUpdate {
                icon: None,
                text: "Searching docs...".to_owned(),
            },
        )))],
    );
    assert_eq!(
        lines,
        [r#"{"type":"progress_update","text":"Searching docs..."}"#]
    );
}

#[test]
fn reasoning_is_ignored_while_a_custom_workflow_is_open_except_for_done() {
    let mut mapper = mapper();
    let lines = run(
        &mut mapper,
        vec![
            RunEvent::Tool(ToolEvent::AddWorkflowTask(custom_task("Search"))),
            reasoning_added("rs_1"),
            summary_delta("rs_1", 0, "Hmm"),
            summary_done("rs_1", 0, "Hmm."),
        ],
    );
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[1].contains(r#""type":"workflow.task.added","task_index":1"#));
}

#[test]
fn a_widget_still_streaming_when_the_run_ends_is_saved_with_its_last_state() {
    let mut mapper = mapper();
    let started = RunEvent::Tool(ToolEvent::WidgetStarted {
        widget: widget(),
        copy_text: None,
    });
    let lines = run(&mut mapper, vec![started]);
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].contains(r#""type":"thread.item.added""#),
        "{lines:?}"
    );
    let finished: Vec<String> = mapper
        .finish()
        .iter()
        .map(|event| serde_json::to_string(event).expect("serializes"))
        .collect();
    assert_eq!(finished.len(), 1, "{finished:?}");
    assert!(finished[0].starts_with(r#"{"type":"thread.item.done","item":{"id":"msg_0001""#));
}

#[test]
fn a_provider_id_used_twice_in_one_run_gives_the_second_item_a_fresh_id() {
    let mut mapper = mapper();
    let mut ids = Vec::new();
    for event in [
        message_added("msg_1"),
        message_done("msg_1", "First.", json!([])),
        message_added("msg_1"),
        message_done("msg_1", "Second.", json!([])),
    ] {
        // What `stream_agent_response` does before each event; the store is empty, so only
        // the run's own reuse can take an id.
        assert!(mapper.new_provider_id(&event).is_none() || ids.is_empty());
        for out in mapper.on_event(event) {
            if let ThreadStreamEvent::ThreadItemDone { item } = out {
                ids.push(item.id.to_string());
            }
        }
    }
    assert_eq!(ids, ["msg_1", "msg_0001"]);
}

#[test]
fn a_replaced_provider_id_maps_every_later_event_of_that_item() {
    let mut mapper = mapper();
    let added = message_added("msg_taken");
    let (provider_id, kind) = mapper
        .new_provider_id(&added)
        .expect("a new message brings its provider id");
    // As if the store already held `msg_taken`.
    mapper.replace_provider_id(provider_id, kind);
    let delta = model(
        json!({"type":"response.output_text.delta","item_id":"msg_taken",
        "output_index":0,"content_index":0,"delta":"Hi"}),
    );
    let lines = run(
        &mut mapper,
        vec![added, delta, message_done("msg_taken", "Hi", json!([]))],
    );
    assert!(
        lines.iter().all(|line| !line.contains("msg_taken")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().all(|line| line.contains("msg_0001")),
        "{lines:#?}"
    );
}
