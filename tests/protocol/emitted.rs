//! Rust-built payloads for the reverse check: does the Python SDK read what we write, and write
//! back the very same bytes?
//!
//! The test below builds one conversation's worth of protocol values with the Rust
//! constructors, covering every event, update, item and request kind, and writes each value to
//! `<target>/tmp/protocol-emitted/<family>/<case>.json`. `reference/check_emitted.py` (run by
//! `.ci/run` after the tests) validates each file with the SDK's `TypeAdapter` and dumps it
//! again the way the SDK's server does; any byte that differs fails CI. This test itself only
//! checks that it wrote what it meant to; the comparison happens on the Python side.

use std::fs;
use std::path::PathBuf;

use chatkit::protocol::assistant::OutputTextType;
use chatkit::protocol::attachment::AttachmentKind;
use chatkit::protocol::request::{
    AttachmentsCreateParams, AttachmentsDeleteParams, FeedbackKind, InputTranscribeParams,
    ItemsFeedbackParams, ItemsListParams, ThreadsAddClientToolOutputParams,
    ThreadsAddStructuredInputParams, ThreadsAddUserMessageParams, ThreadsCreateParams,
    ThreadsCustomActionParams, ThreadsDeleteParams, ThreadsGetByIdParams, ThreadsListParams,
    ThreadsRetryAfterItemParams, ThreadsUpdateParams,
};
use chatkit::protocol::structured_input::{StructuredInputOption, SubmissionStatus};
use chatkit::protocol::*;
use chrono::{TimeZone, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// Writes payloads into the folder the Python check reads.
struct Emitter {
    root: PathBuf,
    written: usize,
}

impl Emitter {
    fn new() -> Self {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("protocol-emitted");
        // Start clean so payloads from an older build cannot linger and pass unnoticed.
        if root.exists() {
            fs::remove_dir_all(&root).expect("old emitted payloads can be removed");
        }
        Emitter { root, written: 0 }
    }

    fn wire<T: Serialize>(&mut self, family: &str, case: &str, value: &T) {
        let json = to_wire_json(value).expect("protocol values serialize");
        self.write(family, case, json);
    }

    fn store<T: Serialize>(&mut self, family: &str, case: &str, value: &T) {
        let json = to_store_json(value).expect("protocol values serialize");
        self.write(family, case, json);
    }

    fn write(&mut self, family: &str, case: &str, json: String) {
        let dir = self.root.join(family);
        fs::create_dir_all(&dir).expect("emitted folder can be created");
        fs::write(dir.join(format!("{case}.json")), json).expect("payload can be written");
        self.written += 1;
    }
}

/// Parses a literal, for the few values (icons, widgets, actions) built from JSON in this test.
fn from_json<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("test literal is valid")
}

fn at(seconds: u32, micros: u32) -> Timestamp {
    let base = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, seconds).single();
    let base = base.expect("valid date") + chrono::Duration::microseconds(i64::from(micros));
    Timestamp::from_datetime(base)
}

fn item(id: &str, seconds: u32, kind: ItemKind) -> ThreadItem {
    ThreadItem {
        id: ItemId::new(id),
        thread_id: ThreadId::new("thr_0001"),
        created_at: at(seconds, 0),
        kind,
    }
}

fn text_with_edges() -> String {
    "Héllo 👋 日本 \u{2028}line\u{2029}para \"quoted\"\nnext\ttab \u{1} ctrl".to_owned()
}

fn attachments() -> (Attachment, Attachment) {
    let mut metadata = Map::new();
    metadata.insert("storage_key".into(), json!("s3://bucket/a.txt"));
    metadata.insert("nothing".into(), Value::Null);
    let file = Attachment {
        id: AttachmentId::new("atc_0001"),
        name: "notes.txt".into(),
        mime_type: "text/plain".into(),
        upload_descriptor: None,
        thread_id: Some(ThreadId::new("thr_0001")),
        metadata: Some(metadata),
        kind: AttachmentKind::File,
    };
    let image = Attachment {
        id: AttachmentId::new("atc_0002"),
        name: "cat.png".into(),
        mime_type: "image/png".into(),
        upload_descriptor: Some(UploadDescriptor {
            url: "https://uploads.example.com/put/atc_0002"
                .parse()
                .expect("valid url"),
            method: UploadMethod::Put,
            headers: [("x-upload-key".to_owned(), "k1".to_owned())]
                .into_iter()
                .collect(),
        }),
        thread_id: None,
        metadata: None,
        kind: AttachmentKind::Image {
            preview_url: "https://cdn.example.com/p/atc_0002"
                .parse()
                .expect("valid url"),
        },
    };
    (file, image)
}

/// URLs as a user might type them; both sides must normalise them the same way.
fn messy_urls(mut image: Attachment) -> Attachment {
    let descriptor = image
        .upload_descriptor
        .as_mut()
        .expect("the image has a descriptor");
    descriptor.url = "HTTPS://Up.Example.COM:443".parse().expect("valid url");
    image.kind = AttachmentKind::Image {
        preview_url: "https://cdn.example.com/a b/é?q=1 2"
            .parse()
            .expect("valid url"),
    };
    image
}

fn sources() -> Vec<Source> {
    let url = UrlSource {
        base: SourceBase {
            description: Some("A page".into()),
            timestamp: Some("2025-01-02".into()),
            group: Some("web".into()),
            ..SourceBase::titled("Example")
        },
        kind: Default::default(),
        url: "https://example.com/a?b=c".into(),
        attribution: Some("Example Inc.".into()),
    };
    let file = FileSource {
        base: SourceBase::titled("Notes"),
        kind: Default::default(),
        filename: "notes.pdf".into(),
    };
    let entity = EntitySource {
        base: SourceBase::titled("Ada Lovelace"),
        kind: Default::default(),
        id: "person_1".into(),
        icon: Some(from_json(json!("profile"))),
        label: Some("Person".into()),
        inline_label: Some("Ada".into()),
        interactive: true,
        data: from_json(json!({"team": "engines", "manager": null})),
    };
    vec![Source::Url(url), Source::File(file), Source::Entity(entity)]
}

fn annotated_content() -> AssistantMessageContent {
    let annotations = sources()
        .into_iter()
        .enumerate()
        .map(|(index, source)| Annotation {
            kind: Default::default(),
            source,
            index: (index > 0).then_some(index as u64 * 3),
        })
        .collect();
    AssistantMessageContent {
        annotations,
        text: text_with_edges(),
        kind: OutputTextType,
    }
}

fn tasks() -> Vec<Task> {
    let url_source = match &sources()[0] {
        Source::Url(source) => source.clone(),
        _ => unreachable!("the first source is a URL"),
    };
    let file_source = match &sources()[1] {
        Source::File(source) => source.clone(),
        _ => unreachable!("the second source is a file"),
    };
    let kinds = [
        (
            TaskStatusIndicator::None,
            TaskKind::Custom {
                title: Some("Plan".into()),
                icon: Some(from_json(json!("lucide:map"))),
                content: Some("**step**".into()),
            },
        ),
        (
            TaskStatusIndicator::Loading,
            TaskKind::WebSearch {
                title: None,
                title_query: Some("cats".into()),
                queries: vec!["cats".into(), "kittens".into()],
                sources: vec![url_source],
            },
        ),
        (
            TaskStatusIndicator::Complete,
            TaskKind::Thought {
                title: Some("Thinking".into()),
                content: "Hmm.".into(),
            },
        ),
        (
            TaskStatusIndicator::None,
            TaskKind::File {
                title: None,
                sources: vec![file_source],
            },
        ),
        (TaskStatusIndicator::None, TaskKind::Image { title: None }),
    ];
    kinds
        .into_iter()
        .map(|(status_indicator, kind)| Task {
            status_indicator,
            kind,
        })
        .collect()
}

fn widget() -> WidgetRoot {
    from_json(json!({
        "type": "Card",
        "children": [
            {"type": "Text", "id": "answer", "value": "Hel", "streaming": true},
            {"type": "Button", "label": "Save", "onClickAction": {"type": "save", "payload": {"id": 1}}}
        ]
    }))
}

fn items() -> Vec<(&'static str, ThreadItem)> {
    let (file, image) = attachments();
    let user = UserMessage {
        content: vec![
            UserMessageContent::text(text_with_edges()),
            UserMessageContent::Tag {
                id: "u1".into(),
                text: "@Ada".into(),
                data: from_json(json!({"n": null})),
                group: Some("people".into()),
                interactive: true,
            },
        ],
        attachments: vec![file, image],
        quoted_text: Some("earlier words".into()),
        inference_options: InferenceOptions {
            tool_choice: Some(ToolChoice {
                id: "search".into(),
            }),
            model: Some("gpt-x".into()),
        },
    };
    let questions = vec![
        StructuredInput {
            id: "subject".into(),
            question: "Which?".into(),
            answer: Some(StructuredInputAnswer {
                values: vec!["Math".into()],
                skipped: false,
            }),
            kind: StructuredInputKind::MultipleChoice {
                options: vec![StructuredInputOption {
                    value: "Math".into(),
                }],
                multiple: false,
            },
        },
        StructuredInput {
            id: "details".into(),
            question: "Else?".into(),
            answer: None,
            kind: StructuredInputKind::Freeform {
                description: Some("optional".into()),
            },
        },
    ];
    let workflow = Workflow {
        kind: WorkflowKind::Reasoning,
        tasks: vec![Task::thought("first"), Task::thought("second")],
        summary: Some(WorkflowSummary::Duration { duration: 3 }),
        expanded: false,
    };
    let custom_workflow = Workflow {
        kind: WorkflowKind::Custom,
        tasks: tasks(),
        summary: Some(WorkflowSummary::Custom {
            title: "Did things".into(),
            icon: Some(from_json(json!("check"))),
        }),
        expanded: true,
    };
    let mut listed = vec![
        (
            "user_message_full",
            item("msg_0001", 5, ItemKind::UserMessage(user)),
        ),
        (
            "assistant_message_annotated",
            item(
                "msg_0002",
                6,
                ItemKind::AssistantMessage(AssistantMessage {
                    content: vec![annotated_content(), AssistantMessageContent::text("")],
                }),
            ),
        ),
        (
            "client_tool_call_pending",
            item(
                "tc_0001",
                7,
                ItemKind::ClientToolCall(ClientToolCall {
                    status: ClientToolCallStatus::Pending,
                    call_id: "call_1".into(),
                    name: "get_location".into(),
                    arguments: from_json(json!({"precise": true, "hint": null})),
                    output: None,
                }),
            ),
        ),
        (
            "client_tool_call_completed",
            item(
                "tc_0002",
                8,
                ItemKind::ClientToolCall(ClientToolCall {
                    status: ClientToolCallStatus::Completed,
                    call_id: "call_2".into(),
                    name: "get_location".into(),
                    arguments: Map::new(),
                    output: Some(json!({"city": "Paris", "zip": null})),
                }),
            ),
        ),
        (
            "widget",
            item(
                "msg_0003",
                9,
                ItemKind::Widget {
                    widget: widget(),
                    copy_text: Some("Hel".into()),
                },
            ),
        ),
        (
            "generated_image_pending",
            item("img_0001", 10, ItemKind::GeneratedImage { image: None }),
        ),
        (
            "generated_image",
            item(
                "img_0002",
                11,
                ItemKind::GeneratedImage {
                    image: Some(GeneratedImage {
                        id: "img_2".into(),
                        url: "https://img.example.com/2.png".into(),
                    }),
                },
            ),
        ),
        (
            "structured_input",
            item(
                "si_0001",
                12,
                ItemKind::StructuredInput {
                    status: StructuredInputStatus::Answered,
                    inputs: questions,
                },
            ),
        ),
        (
            "workflow_reasoning",
            item("wf_0001", 13, ItemKind::Workflow { workflow }),
        ),
        (
            "workflow_custom",
            item(
                "wf_0002",
                14,
                ItemKind::Workflow {
                    workflow: custom_workflow,
                },
            ),
        ),
        ("end_of_turn", item("msg_0004", 15, ItemKind::EndOfTurn)),
        (
            "hidden_context",
            item(
                "hc_0001",
                16,
                ItemKind::HiddenContext {
                    content: json!({"note": "for the model", "none": null}),
                },
            ),
        ),
        (
            "sdk_hidden_context",
            item(
                "shcx_0001",
                17,
                ItemKind::SdkHiddenContext {
                    content: "The user cancelled the stream. Stop responding to the prior request."
                        .into(),
                },
            ),
        ),
    ];
    let task_cases = [
        ("task_custom", "tsk_0001"),
        ("task_web_search", "tsk_0002"),
        ("task_thought", "tsk_0003"),
        ("task_file", "tsk_0004"),
        ("task_image", "tsk_0005"),
    ];
    for (second, ((case, id), task)) in (20..).zip(task_cases.into_iter().zip(tasks())) {
        listed.push((case, item(id, second, ItemKind::Task { task })));
    }
    listed
}

fn thread_metadata() -> ThreadMetadata {
    let mut metadata = ThreadMetadata::new("thr_0001", at(1, 250_000));
    metadata.title = Some("Trip to Paris".into());
    metadata.allowed_image_domains = Some(vec!["img.example.com".into()]);
    metadata.metadata = from_json(json!({"owner": "user_1", "tags": [null]}));
    metadata
}

fn updates() -> Vec<(&'static str, ThreadItemUpdate)> {
    let annotation = annotated_content().annotations.remove(2);
    vec![
        (
            "content_part_added",
            ThreadItemUpdate::ContentPartAdded {
                content_index: 0,
                content: AssistantMessageContent::text(""),
            },
        ),
        (
            "text_delta",
            ThreadItemUpdate::ContentPartTextDelta {
                content_index: 0,
                delta: text_with_edges(),
            },
        ),
        (
            "annotation_added",
            ThreadItemUpdate::ContentPartAnnotationAdded {
                content_index: 0,
                annotation_index: 1,
                annotation,
            },
        ),
        (
            "content_part_done",
            ThreadItemUpdate::ContentPartDone {
                content_index: 0,
                content: annotated_content(),
            },
        ),
        (
            "widget_text_delta",
            ThreadItemUpdate::WidgetStreamingTextValueDelta {
                component_id: "answer".into(),
                delta: "lo".into(),
                done: false,
            },
        ),
        (
            "widget_component_updated",
            ThreadItemUpdate::WidgetComponentUpdated {
                component_id: "answer".into(),
                component: from_json(json!({"type": "Text", "value": "Hello", "id": "answer"})),
            },
        ),
        (
            "widget_root_updated",
            ThreadItemUpdate::WidgetRootUpdated { widget: widget() },
        ),
        (
            "workflow_task_added",
            ThreadItemUpdate::WorkflowTaskAdded {
                task_index: 0,
                task: Task::thought("first"),
            },
        ),
        (
            "workflow_task_updated",
            ThreadItemUpdate::WorkflowTaskUpdated {
                task_index: 1,
                task: tasks().remove(1),
            },
        ),
        (
            "generated_image_progress",
            ThreadItemUpdate::GeneratedImageUpdated {
                image: GeneratedImage {
                    id: "img_1".into(),
                    url: "https://img.example.com/1.png".into(),
                },
                progress: Some(0.25),
            },
        ),
        (
            "generated_image_finished",
            ThreadItemUpdate::GeneratedImageUpdated {
                image: GeneratedImage {
                    id: "img_1".into(),
                    url: "https://img.example.com/1.png".into(),
                },
                progress: Some(1.0),
            },
        ),
    ]
}

fn events() -> Vec<(&'static str, ThreadStreamEvent)> {
    let new_thread = Thread::for_client(&ThreadMetadata::new("thr_0001", at(1, 0)), Page::empty());
    let mut locked = thread_metadata();
    locked.status = ThreadStatus::Locked {
        reason: Some("Read only".into()),
    };
    let user_item = items().remove(0).1;
    let assistant_item = items().remove(1).1;
    vec![
        (
            "thread_created",
            ThreadStreamEvent::ThreadCreated { thread: new_thread },
        ),
        (
            "thread_updated_locked",
            ThreadStreamEvent::ThreadUpdated {
                thread: Thread::for_client(&locked, Page::empty()),
            },
        ),
        (
            "item_added",
            ThreadStreamEvent::ThreadItemAdded {
                item: item(
                    "msg_0009",
                    30,
                    ItemKind::AssistantMessage(AssistantMessage {
                        content: Vec::new(),
                    }),
                ),
            },
        ),
        (
            "item_updated",
            ThreadStreamEvent::ThreadItemUpdated {
                item_id: ItemId::new("msg_0009"),
                update: updates().remove(1).1,
            },
        ),
        (
            "item_done_user",
            ThreadStreamEvent::ThreadItemDone { item: user_item },
        ),
        (
            "item_removed",
            ThreadStreamEvent::ThreadItemRemoved {
                item_id: ItemId::new("msg_0009"),
            },
        ),
        (
            "item_replaced",
            ThreadStreamEvent::ThreadItemReplaced {
                item: assistant_item,
            },
        ),
        (
            "stream_options",
            ThreadStreamEvent::StreamOptions {
                stream_options: StreamOptions { allow_cancel: true },
            },
        ),
        (
            "progress_update_icon",
            ThreadStreamEvent::ProgressUpdate {
                icon: Some(from_json(json!("search"))),
                text: "Searching…".into(),
            },
        ),
        (
            "progress_update_plain",
            ThreadStreamEvent::ProgressUpdate {
                icon: None,
                text: "Working".into(),
            },
        ),
        (
            "client_effect",
            ThreadStreamEvent::ClientEffect {
                name: "confetti".into(),
                data: from_json(json!({"count": 3, "colour": null})),
            },
        ),
        (
            "client_effect_no_data",
            ThreadStreamEvent::ClientEffect {
                name: "refresh".into(),
                data: Map::new(),
            },
        ),
        (
            "error_custom",
            ThreadStreamEvent::Error(ErrorEvent::custom("Quota exceeded", true)),
        ),
        (
            "error_stream",
            ThreadStreamEvent::Error(ErrorEvent::coded(ErrorCode::StreamError)),
        ),
        (
            "notice_info",
            ThreadStreamEvent::Notice {
                level: NoticeLevel::Info,
                message: "FYI".into(),
                title: None,
            },
        ),
        (
            "notice_danger",
            ThreadStreamEvent::Notice {
                level: NoticeLevel::Danger,
                message: "You've reached your limit. [Upgrade](https://example.com)".into(),
                title: Some("Limit".into()),
            },
        ),
    ]
}

fn requests() -> Vec<(&'static str, Request)> {
    let input = UserMessageInput {
        content: vec![UserMessageContent::text("hi")],
        attachments: vec![AttachmentId::new("atc_0001")],
        quoted_text: Some("earlier".into()),
        inference_options: InferenceOptions {
            tool_choice: None,
            model: Some("gpt-x".into()),
        },
    };
    let submission = StructuredInputSubmission {
        status: SubmissionStatus::Answered,
        answers: [(
            "subject".to_owned(),
            StructuredInputAnswer {
                values: vec!["Math".into()],
                skipped: false,
            },
        )]
        .into_iter()
        .collect(),
    };
    let action: Action = from_json(json!({"type": "save", "payload": {"id": 1, "note": null}}));
    let thread_id = || ThreadId::new("thr_0001");
    let ops = vec![
        (
            "threads_create",
            RequestOp::ThreadsCreate(ThreadsCreateParams {
                input: input.clone(),
            }),
        ),
        (
            "threads_add_user_message",
            RequestOp::ThreadsAddUserMessage(ThreadsAddUserMessageParams {
                input,
                thread_id: thread_id(),
            }),
        ),
        (
            "threads_add_client_tool_output",
            RequestOp::ThreadsAddClientToolOutput(ThreadsAddClientToolOutputParams {
                thread_id: thread_id(),
                result: json!({"city": "Paris"}),
            }),
        ),
        (
            "threads_add_structured_input",
            RequestOp::ThreadsAddStructuredInput(ThreadsAddStructuredInputParams {
                thread_id: thread_id(),
                item_id: ItemId::new("si_0001"),
                input: submission,
            }),
        ),
        (
            "threads_retry_after_item",
            RequestOp::ThreadsRetryAfterItem(ThreadsRetryAfterItemParams {
                thread_id: thread_id(),
                item_id: ItemId::new("msg_0001"),
            }),
        ),
        (
            "threads_custom_action",
            RequestOp::ThreadsCustomAction(ThreadsCustomActionParams {
                thread_id: thread_id(),
                item_id: Some(ItemId::new("msg_0003")),
                action: action.clone(),
            }),
        ),
        (
            "threads_sync_custom_action",
            RequestOp::ThreadsSyncCustomAction(ThreadsCustomActionParams {
                thread_id: thread_id(),
                item_id: None,
                action,
            }),
        ),
        (
            "threads_get_by_id",
            RequestOp::ThreadsGetById(ThreadsGetByIdParams {
                thread_id: thread_id(),
            }),
        ),
        (
            "threads_list",
            RequestOp::ThreadsList(ThreadsListParams {
                limit: Some(5),
                order: Order::Asc,
                after: Some(thread_id()),
            }),
        ),
        (
            "threads_list_defaults",
            RequestOp::ThreadsList(ThreadsListParams::default()),
        ),
        (
            "items_list",
            RequestOp::ItemsList(ItemsListParams {
                thread_id: thread_id(),
                limit: None,
                order: Order::Desc,
                after: Some(ItemId::new("msg_0002")),
            }),
        ),
        (
            "items_feedback",
            RequestOp::ItemsFeedback(ItemsFeedbackParams {
                thread_id: thread_id(),
                item_ids: vec![ItemId::new("msg_0002")],
                kind: FeedbackKind::Negative,
            }),
        ),
        (
            "attachments_create",
            RequestOp::AttachmentsCreate(AttachmentsCreateParams {
                name: "cat.png".into(),
                size: 1024,
                mime_type: "image/png".into(),
            }),
        ),
        (
            "attachments_delete",
            RequestOp::AttachmentsDelete(AttachmentsDeleteParams {
                attachment_id: AttachmentId::new("atc_0001"),
            }),
        ),
        (
            "threads_update",
            RequestOp::ThreadsUpdate(ThreadsUpdateParams {
                thread_id: thread_id(),
                title: String::new(),
            }),
        ),
        (
            "threads_delete",
            RequestOp::ThreadsDelete(ThreadsDeleteParams {
                thread_id: thread_id(),
            }),
        ),
        (
            "input_transcribe",
            RequestOp::InputTranscribe(InputTranscribeParams {
                audio_base64: "AAAA".into(),
                mime_type: "audio/webm;codecs=opus".into(),
            }),
        ),
    ];
    let mut requests: Vec<_> = ops
        .into_iter()
        .map(|(case, op)| (case, Request::new(op)))
        .collect();
    let mut with_metadata = Request::new(RequestOp::ThreadsDelete(ThreadsDeleteParams {
        thread_id: thread_id(),
    }));
    with_metadata.metadata = from_json(json!({"client": "web", "n": null}));
    requests.push(("threads_delete_with_metadata", with_metadata));
    requests
}

#[test]
fn rust_built_payloads_are_written_for_the_python_check() {
    let mut out = Emitter::new();
    for (case, item) in items() {
        out.wire("item", case, &item);
        out.store("stored_item", case, &item);
    }
    for (case, update) in updates() {
        out.wire("update", case, &update);
    }
    for (case, event) in events() {
        out.wire("event", case, &event);
    }
    for (case, request) in requests() {
        out.wire("request", case, &request);
    }
    let (file, image) = attachments();
    out.wire("attachment", "file_with_metadata", &file);
    out.store("stored_attachment", "file_with_metadata", &file);
    out.wire("attachment", "image_with_upload", &image);
    out.wire(
        "attachment",
        "image_with_urls_to_normalise",
        &messy_urls(image),
    );
    out.wire("thread_metadata", "full", &thread_metadata());
    let page = Page {
        data: items().into_iter().map(|(_, item)| item).take(3).collect(),
        has_more: true,
        after: Some("tc_0001".into()),
    };
    out.wire("page_items", "has_more", &page);
    out.wire(
        "thread",
        "with_items",
        &Thread::for_client(&thread_metadata(), page),
    );
    out.wire(
        "page_threads",
        "one",
        &Page {
            data: vec![Thread::for_client(&thread_metadata(), Page::empty())],
            has_more: false,
            after: None,
        },
    );
    out.wire(
        "sync_custom_action_response",
        "empty",
        &SyncCustomActionResponse::default(),
    );
    out.wire(
        "transcription_result",
        "text",
        &TranscriptionResult {
            text: text_with_edges(),
        },
    );
    assert_eq!(
        out.written, 91,
        "emitted payload count changed; update the expected count"
    );
}
