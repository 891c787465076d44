//! `threads.add_structured_input`: recording the answers, replacing the item, resuming.

use async_stream::try_stream;
use chatkit::protocol::structured_input::StructuredInputOption;
use chatkit::protocol::{
    ItemId, ItemKind, StructuredInput, StructuredInputAnswer, StructuredInputKind,
    StructuredInputStatus, ThreadItem, ThreadStreamEvent,
};
use chatkit::server::Processor;
use chatkit::store::UserContext;
use futures::StreamExt;
use serde_json::{Value, json};

use crate::harness::{
    Streamed, TestServer, assistant_message, create, ctx, item, processor, request, stream,
};

/// A single-choice question with the given options.
fn multiple_choice(id: &str, question: &str, options: &[&str]) -> StructuredInput {
    StructuredInput {
        id: id.to_owned(),
        question: question.to_owned(),
        answer: None,
        kind: StructuredInputKind::MultipleChoice {
            options: options
                .iter()
                .map(|value| StructuredInputOption {
                    value: (*value).to_owned(),
                })
                .collect(),
            multiple: false,
        },
    }
}

/// A free-text question.
fn freeform(id: &str, question: &str) -> StructuredInput {
    StructuredInput {
        id: id.to_owned(),
        question: question.to_owned(),
        answer: None,
        kind: StructuredInputKind::Freeform { description: None },
    }
}

/// "Which subject is this lesson for?" with Math and Science.
fn subject() -> StructuredInput {
    multiple_choice(
        "subject",
        "Which subject is this lesson for?",
        &["Math", "Science"],
    )
}

/// "Anything else to know?"
fn details() -> StructuredInput {
    freeform("details", "Anything else to know?")
}

/// A server that asks `questions` as item `si_1` in answer to a user message, and says
/// "Thanks, continuing now." once the answers are in (`respond` with no input).
fn asking(questions: fn() -> Vec<StructuredInput>) -> TestServer {
    TestServer::responding(move |thread, input, _ctx, out| {
        try_stream! {
            if input.is_some() {
                let form = ItemKind::StructuredInput {
                    status: StructuredInputStatus::Pending,
                    inputs: questions(),
                };
                yield ThreadStreamEvent::ThreadItemDone { item: item(&out, &thread, "si_1", form) };
            } else {
                yield ThreadStreamEvent::ThreadItemDone {
                    item: assistant_message(
                        &out,
                        &thread,
                        "msg_after_structured_input",
                        "Thanks, continuing now.",
                    ),
                };
            }
        }
        .boxed()
    })
}

/// Creates a thread (which asks the questions), then submits `answers` for `si_1`.
async fn answer(processor: &Processor<UserContext>, answers: Value) -> (Streamed, ThreadItem) {
    let thread_id = stream(processor, create("Plan a lesson")).await.thread_id();
    let streamed = stream(
        processor,
        request(
            "threads.add_structured_input",
            json!({
                "thread_id": thread_id,
                "item_id": "si_1",
                "input": { "status": "answered", "answers": answers }
            }),
        ),
    )
    .await;
    let stored = processor
        .store()
        .load_item(&thread_id, &ItemId::new("si_1"), &ctx())
        .await
        .expect("the structured input is stored");
    (streamed, stored)
}

/// The item of the `thread.item.replaced` event.
fn replaced(streamed: &Streamed) -> &ThreadItem {
    streamed
        .events
        .iter()
        .find_map(|event| match event {
            ThreadStreamEvent::ThreadItemReplaced { item } => Some(item),
            _ => None,
        })
        .expect("a thread.item.replaced event")
}

/// The status of a structured-input item and the answer of each question.
fn answers(item: &ThreadItem) -> (StructuredInputStatus, Vec<Option<StructuredInputAnswer>>) {
    match &item.kind {
        ItemKind::StructuredInput { status, inputs } => (
            *status,
            inputs.iter().map(|input| input.answer.clone()).collect(),
        ),
        other => panic!("not a structured input: {other:?}"),
    }
}

fn given(values: &[&str]) -> Option<StructuredInputAnswer> {
    Some(StructuredInputAnswer {
        values: values.iter().map(|value| (*value).to_owned()).collect(),
        skipped: false,
    })
}

fn skipped() -> Option<StructuredInputAnswer> {
    Some(StructuredInputAnswer {
        values: Vec::new(),
        skipped: true,
    })
}

#[tokio::test]
async fn add_structured_input_replaces_item_with_custom_answer_and_resumes_response() {
    let processor = processor(asking(|| vec![subject(), details()]));

    // "Private class" is none of the options: custom answers are allowed.
    let (streamed, stored) = answer(
        &processor,
        json!({
            "subject": { "values": ["Private class"] },
            "details": { "values": ["Please include group work."] }
        }),
    )
    .await;

    let item = replaced(&streamed);
    assert_eq!(
        answers(item),
        (
            StructuredInputStatus::Answered,
            vec![
                given(&["Private class"]),
                given(&["Please include group work."])
            ]
        )
    );
    assert_eq!(&stored, item);
    assert!(
        streamed
            .done_items()
            .iter()
            .any(|item| item.id == "msg_after_structured_input")
    );
    crate::snapshot!(
        "add_structured_input_replaces_item_with_custom_answer_and_resumes_response",
        streamed.sse
    );
}

#[tokio::test]
async fn add_structured_input_treats_omitted_answers_as_skipped() {
    let processor = processor(asking(|| vec![subject(), details()]));

    let (streamed, _) = answer(&processor, json!({ "subject": { "values": ["Math"] } })).await;

    let (_, recorded) = answers(replaced(&streamed));
    assert_eq!(recorded, [given(&["Math"]), skipped()]);
}

#[tokio::test]
async fn add_structured_input_ignores_unknown_answer_ids() {
    let processor = processor(asking(|| vec![details()]));

    let (streamed, _) = answer(
        &processor,
        json!({
            "details": { "values": ["Please include group work."] },
            "unknown": { "values": ["ignored"] }
        }),
    )
    .await;

    let (_, recorded) = answers(replaced(&streamed));
    assert_eq!(recorded, [given(&["Please include group work."])]);
}

#[tokio::test]
async fn add_structured_input_truncates_extra_single_choice_values() {
    let processor = processor(asking(|| vec![subject()]));

    let (streamed, stored) = answer(
        &processor,
        json!({ "subject": { "values": ["Math", "Science"] } }),
    )
    .await;

    let recorded = answers(replaced(&streamed));
    assert_eq!(
        recorded,
        (StructuredInputStatus::Answered, vec![given(&["Math"])])
    );
    assert_eq!(answers(&stored), recorded);
}
