//! Grading: one test per lesson exercise, run against your code or the reference solutions.
//!
//! `cargo test --test grade lesson01` grades lesson 01's exercises in `lessons/lesson01/exercises/`
//! (`lesson02` lesson 02's, and so on): it fails until you have done them, each failure a hint. Plain
//! `cargo test` runs these with everything else. `--features solutions` runs the same tests
//! against the reference solutions in `lessons/*/solutions/`, which is what CI and the README's
//! test command do. `.ci/run` also checks that every test here fails on the starting code, so no
//! exercise can pass without being done.
//!
//! Each test drives the exercise through a real `Processor`, as a ChatKit client would, and
//! returns a [`Hint`] instead of panicking, so a failure reads as advice, not a backtrace.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chatkit::agent::{Agent, DEFAULT_MODEL, Runner};
use chatkit::auth::{Claims, JwtVerifier, Principal, bearer_token, mint_hs256};
use chatkit::client::{ClientToolHandler, ThreadState};
use chatkit::clock::FixedClock;
use chatkit::http::ask::create_thread_body;
use chatkit::http::{self, ContextBuilder};
use chatkit::id_gen::SequentialIds;
use chatkit::protocol::{
    ClientToolCall, ClientToolCallStatus, ItemKind, Order, Task, TaskKind, TaskStatusIndicator,
    ThreadId, ThreadItem, ThreadItemUpdate, ThreadStatus, ThreadStreamEvent, Timestamp, Workflow,
    WorkflowKind, WorkflowSummary,
};
use chatkit::provider::mock::{MockProvider, Script};
use chatkit::server::{ChatKitServer, ProcessError, ProcessResult, Processor};
use chatkit::store::{MemoryStore, PageRequest, Store, StoreContext, UserContext};
use futures::StreamExt;
use serde_json::{Value, json};
use tower::ServiceExt;

// Each exercise, compiled from your file in `exercises/` (or the solution, with `--features
// solutions`) by the macro the lesson binaries use for `--exercise N`.
chatkit::exercise!(
    lesson01_ex1,
    exercise: "../lessons/lesson01/exercises/ex1_say_it_back.rs",
    solution: "../lessons/lesson01/solutions/ex1_say_it_back.rs"
);
chatkit::exercise!(
    lesson01_ex2,
    exercise: "../lessons/lesson01/exercises/ex2_thread_title.rs",
    solution: "../lessons/lesson01/solutions/ex2_thread_title.rs"
);
chatkit::exercise!(
    lesson01_ex3,
    exercise: "../lessons/lesson01/exercises/ex3_count_messages.rs",
    solution: "../lessons/lesson01/solutions/ex3_count_messages.rs"
);
chatkit::exercise!(
    lesson02_ex1,
    exercise: "../lessons/lesson02/exercises/ex1_function_tool.rs",
    solution: "../lessons/lesson02/solutions/ex1_function_tool.rs"
);
chatkit::exercise!(
    lesson02_ex2,
    exercise: "../lessons/lesson02/exercises/ex2_tool_progress.rs",
    solution: "../lessons/lesson02/solutions/ex2_tool_progress.rs"
);
chatkit::exercise!(
    lesson02_ex3,
    exercise: "../lessons/lesson02/exercises/ex3_output_guardrail.rs",
    solution: "../lessons/lesson02/solutions/ex3_output_guardrail.rs"
);

chatkit::exercise!(
    lesson03_ex1,
    exercise: "../lessons/lesson03/exercises/ex1_packing_workflow.rs",
    solution: "../lessons/lesson03/solutions/ex1_packing_workflow.rs"
);
chatkit::exercise!(
    lesson03_ex2,
    exercise: "../lessons/lesson03/exercises/ex2_keep_stopped.rs",
    solution: "../lessons/lesson03/solutions/ex2_keep_stopped.rs"
);
chatkit::exercise!(
    lesson03_ex3,
    exercise: "../lessons/lesson03/exercises/ex3_retry_later.rs",
    solution: "../lessons/lesson03/solutions/ex3_retry_later.rs"
);
chatkit::exercise!(
    lesson03_ex4,
    exercise: "../lessons/lesson03/exercises/ex4_progress_ticks.rs",
    solution: "../lessons/lesson03/solutions/ex4_progress_ticks.rs"
);

chatkit::exercise!(
    lesson04_ex1,
    exercise: "../lessons/lesson04/exercises/ex1_send_once.rs",
    solution: "../lessons/lesson04/solutions/ex1_send_once.rs"
);
chatkit::exercise!(
    lesson04_ex2,
    exercise: "../lessons/lesson04/exercises/ex2_task_ref.rs",
    solution: "../lessons/lesson04/solutions/ex2_task_ref.rs"
);
chatkit::exercise!(
    lesson04_ex3,
    exercise: "../lessons/lesson04/exercises/ex3_page_back.rs",
    solution: "../lessons/lesson04/solutions/ex3_page_back.rs"
);

chatkit::exercise!(
    lesson04_ex4,
    exercise: "../lessons/lesson04/exercises/ex4_hidden_note.rs",
    solution: "../lessons/lesson04/solutions/ex4_hidden_note.rs"
);

chatkit::exercise!(
    lesson05_ex1,
    exercise: "../lessons/lesson05/exercises/ex1_preferred_language.rs",
    solution: "../lessons/lesson05/solutions/ex1_preferred_language.rs"
);
chatkit::exercise!(
    lesson05_ex2,
    exercise: "../lessons/lesson05/exercises/ex2_message_limit.rs",
    solution: "../lessons/lesson05/solutions/ex2_message_limit.rs"
);
chatkit::exercise!(
    lesson05_ex3,
    exercise: "../lessons/lesson05/exercises/ex3_tenant_scope.rs",
    solution: "../lessons/lesson05/solutions/ex3_tenant_scope.rs"
);

chatkit::exercise!(
    lesson06_ex1,
    exercise: "../lessons/lesson06/exercises/ex1_verify_token.rs",
    solution: "../lessons/lesson06/solutions/ex1_verify_token.rs"
);
chatkit::exercise!(
    lesson06_ex2,
    exercise: "../lessons/lesson06/exercises/ex2_spoofed_user.rs",
    solution: "../lessons/lesson06/solutions/ex2_spoofed_user.rs"
);
chatkit::exercise!(
    lesson06_ex3,
    exercise: "../lessons/lesson06/exercises/ex3_role_table.rs",
    solution: "../lessons/lesson06/solutions/ex3_role_table.rs"
);
chatkit::exercise!(
    lesson06_ex4,
    exercise: "../lessons/lesson06/exercises/ex4_owned_files.rs",
    solution: "../lessons/lesson06/solutions/ex4_owned_files.rs"
);
chatkit::exercise!(
    lesson07_ex1,
    exercise: "../lessons/lesson07/exercises/ex1_fold_text.rs",
    solution: "../lessons/lesson07/solutions/ex1_fold_text.rs"
);
chatkit::exercise!(
    lesson07_ex2,
    exercise: "../lessons/lesson07/exercises/ex2_client_tool.rs",
    solution: "../lessons/lesson07/solutions/ex2_client_tool.rs"
);
chatkit::exercise!(
    lesson07_ex3,
    exercise: "../lessons/lesson07/exercises/ex3_page_context.rs",
    solution: "../lessons/lesson07/solutions/ex3_page_context.rs"
);
chatkit::exercise!(
    lesson07_ex4,
    exercise: "../lessons/lesson07/exercises/ex4_thread_pages.rs",
    solution: "../lessons/lesson07/solutions/ex4_thread_pages.rs"
);

// Lesson 07's scripted server, which the page and its exercises talk to.
#[path = "../lessons/lesson07"]
#[allow(dead_code, unreachable_pub)]
mod lesson07 {
    pub(crate) mod round_trips;
    pub(crate) mod showcase;
}

/// Lesson 04's server, which runs exercise 2's converter.
#[path = "../lessons/lesson04/memory.rs"]
#[allow(dead_code)]
mod lesson04_memory;

/// Lesson 02's server, which the lesson02 exercises' tools run in.
#[path = "../lessons/lesson02/agent.rs"]
#[allow(dead_code)]
mod lesson02_agent;

/// A grading failure: what to look at next. Printed by the test harness as `Error: …`.
struct Hint(String);

impl fmt::Debug for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n\n    hint: {}\n", self.0)
    }
}

/// Fails the grade with `hint` unless `condition` holds.
fn expect(condition: bool, hint: impl Into<String>) -> Result<(), Hint> {
    if condition {
        Ok(())
    } else {
        Err(Hint(hint.into()))
    }
}

/// Runs a grading scenario; a panic inside the exercise (such as `todo!()`) becomes `hint`.
async fn graded<T>(
    hint: &str,
    scenario: impl Future<Output = T> + Send + 'static,
) -> Result<T, Hint>
where
    T: Send + 'static,
{
    tokio::spawn(scenario).await.map_err(|_| {
        Hint(format!(
            "the exercise panicked (is there still a `todo!()`?). {hint}"
        ))
    })
}

/// The processor every grading test runs: the exercise's server over a fresh memory store,
/// with injected ids (`thr_0001`, `msg_0001`, …) and a fixed clock, so each run is the same.
fn processor(server: impl ChatKitServer<UserContext>) -> Processor<UserContext> {
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build()
}

/// Sends one request for `user`, as the HTTP endpoint would: the events of a streamed answer
/// (empty for a JSON one), or the JSON body (`Value::Null` for a stream).
async fn send(
    processor: &Processor<UserContext>,
    user: &str,
    body: &str,
) -> Result<(Vec<ThreadStreamEvent>, Value), Hint> {
    let result = processor
        .process(body.as_bytes(), UserContext::new(user))
        .await;
    match result {
        Ok(ProcessResult::Stream(frames)) => {
            let frames: Vec<_> = frames.collect().await;
            let events = frames
                .iter()
                .map(|frame| {
                    let json = frame
                        .strip_prefix(b"data: ")
                        .and_then(|rest| rest.strip_suffix(b"\n\n"));
                    serde_json::from_slice(json.expect("an SSE frame")).expect("a stream event")
                })
                .collect();
            Ok((events, Value::Null))
        }
        Ok(ProcessResult::Json(bytes)) => {
            let json = serde_json::from_slice(&bytes).expect("a JSON answer");
            Ok((Vec::new(), json))
        }
        Err(error) => Err(Hint(format!(
            "the request {body} failed before its answer started: {error} \
             (a `todo!()` outside the `try_stream!`?)"
        ))),
    }
}

/// Sends a streaming request for `user`: the events the client received.
async fn stream(
    processor: &Processor<UserContext>,
    user: &str,
    body: &str,
) -> Result<Vec<ThreadStreamEvent>, Hint> {
    Ok(send(processor, user, body).await?.0)
}

/// Sends a JSON request for `user`: its answer.
async fn json(processor: &Processor<UserContext>, user: &str, body: Value) -> Result<Value, Hint> {
    Ok(send(processor, user, &body.to_string()).await?.1)
}

/// `threads.add_user_message` with `text` to `thread`.
fn add_user_message(thread: &ThreadId, text: &str) -> String {
    json!({
        "type": "threads.add_user_message",
        "params": {"thread_id": thread, "input": {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}}
    })
    .to_string()
}

/// The id of the thread a `threads.create` stream made.
fn created_thread(events: &[ThreadStreamEvent]) -> ThreadId {
    events
        .iter()
        .find_map(|event| match event {
            ThreadStreamEvent::ThreadCreated { thread } => Some(thread.metadata.id.clone()),
            _ => None,
        })
        .expect("threads.create starts with thread.created")
}

/// The events after `stream_options`: what the exercise's responder produced, unless it
/// failed (an `error` event: a `todo!()` left, or a `?` that failed).
fn responder_events(events: &[ThreadStreamEvent]) -> Result<&[ThreadStreamEvent], Hint> {
    let start = events
        .iter()
        .position(|event| matches!(event, ThreadStreamEvent::StreamOptions { .. }))
        .map_or(events.len(), |index| index + 1);
    let produced = &events[start..];
    match produced.iter().find_map(|event| match event {
        ThreadStreamEvent::Error(error) => Some(error),
        _ => None,
    }) {
        Some(_) => Err(Hint(
            "the stream ended with an `error` event instead of your answer: is there still a \
             `todo!()` in `respond()`, or did a `?` fail? (the panic, if any, is printed above)"
                .into(),
        )),
        None => Ok(produced),
    }
}

fn assistant_text(item: &ThreadItem) -> Option<String> {
    match &item.kind {
        ItemKind::AssistantMessage(message) => Some(
            message
                .content
                .iter()
                .map(|part| part.text.as_str())
                .collect(),
        ),
        _ => None,
    }
}

/// The texts of the assistant messages among `events`.
fn answers(events: &[ThreadStreamEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match event {
            ThreadStreamEvent::ThreadItemDone { item } => assistant_text(item),
            _ => None,
        })
        .collect()
}

/// The titles of the `thread.updated` events among `events`.
fn titles(events: &[ThreadStreamEvent]) -> Vec<Option<String>> {
    events
        .iter()
        .filter_map(|event| match event {
            ThreadStreamEvent::ThreadUpdated { thread } => Some(thread.metadata.title.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn lesson01_ex1_answer_with_who_asked_and_what_they_said() -> Result<(), Hint> {
    let processor = processor(lesson01_ex1::SayItBack);
    for (user, text) in [("alice", "hi"), ("bob", "good morning")] {
        let events = stream(&processor, user, &create_thread_body(text)).await?;
        let answers = answers(responder_events(&events)?);
        let expected = format!("{user} said: {text}");
        expect(
            answers == [expected.as_str()],
            format!(
                "when {user} writes {text:?}, answer with one assistant message {expected:?} \
                 (`out.assistant_message`, `ctx.user_id`, `UserMessageItem::text`); got {answers:?}"
            ),
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn lesson01_ex2_title_a_new_thread_after_its_first_message() -> Result<(), Hint> {
    let processor = processor(lesson01_ex2::Titled);
    let first = "Plan a trip to Oslo";
    let events = stream(&processor, "alice", &create_thread_body(first)).await?;
    let produced = responder_events(&events)?;
    expect(
        titles(produced) == [Some(first.to_owned())],
        format!(
            "a new thread gets one `thread.updated` whose title is the first message, {first:?} \
             (`out.thread_updated`); got the titles {:?}",
            titles(produced)
        ),
    )?;
    expect(
        matches!(
            produced.first(),
            Some(ThreadStreamEvent::ThreadUpdated { .. })
        ),
        "yield `thread.updated` before the answer",
    )?;
    let thread = created_thread(&events);
    let get = json!({"type": "threads.get_by_id", "params": {"thread_id": thread}});

    let events = stream(
        &processor,
        "alice",
        &add_user_message(&thread, "And Bergen?"),
    )
    .await?;
    let produced = responder_events(&events)?;
    expect(
        titles(produced).is_empty(),
        "the second message must not retitle the thread: only a thread with no title gets one \
         (`thread.title` is `None`)",
    )?;
    let saved = json(&processor, "alice", get.clone()).await?;
    expect(
        saved["title"] == first,
        format!(
            "the saved title must stay {first:?}, got {}",
            saved["title"]
        ),
    )?;

    let rename =
        json!({"type": "threads.update", "params": {"thread_id": thread, "title": "Holiday"}});
    json(&processor, "alice", rename).await?;
    let events = stream(&processor, "alice", &add_user_message(&thread, "Thanks")).await?;
    expect(
        titles(responder_events(&events)?).is_empty(),
        "a title the user chose (`threads.update`) must not be overwritten",
    )?;
    let saved = json(&processor, "alice", get).await?;
    expect(
        saved["title"] == "Holiday",
        format!(
            "the user's title `Holiday` must stay, got {}",
            saved["title"]
        ),
    )
}

#[tokio::test]
async fn lesson01_ex3_count_the_users_messages_in_the_store() -> Result<(), Hint> {
    let processor = processor(lesson01_ex3::Counter);
    let answer = |n: usize| format!("That was message {n} of yours in this thread.");

    let events = stream(&processor, "alice", &create_thread_body("one")).await?;
    let got = answers(responder_events(&events)?);
    expect(
        got == [answer(1)],
        format!(
            "the first message of a thread is message 1: the processor saved it before \
             `respond()` ran. Expected {:?}, got {got:?}",
            answer(1)
        ),
    )?;
    let thread = created_thread(&events);
    for (n, text) in [(2, "two"), (3, "three")] {
        let events = stream(&processor, "alice", &add_user_message(&thread, text)).await?;
        let got = answers(responder_events(&events)?);
        expect(
            got == [answer(n)],
            format!(
                "message {n}: expected {:?}, got {got:?} (count only the items whose kind is \
                 `ItemKind::UserMessage`: the assistant's answers are items too)",
                answer(n)
            ),
        )?;
    }
    let events = stream(&processor, "alice", &create_thread_body("again")).await?;
    let got = answers(responder_events(&events)?);
    expect(
        got == [answer(1)],
        format!("a new thread starts again at 1 (load *this* thread's items), got {got:?}"),
    )
}

/// Runs `agent` through lesson 02's server against the mock model playing `script`: the events
/// the client received, and the bodies of the model requests.
async fn run_agent(
    agent: Agent<UserContext>,
    script: Value,
    text: &str,
) -> (Vec<ThreadStreamEvent>, Vec<Value>) {
    let script = Script::from_json(&script.to_string()).expect("a script");
    let mock = MockProvider::builder()
        .script(script)
        .start()
        .await
        .expect("the mock starts");
    let server = lesson02_agent::AgentServer {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(agent),
    };
    let processor = processor(server);
    let events = stream(&processor, "student", &create_thread_body(text))
        .await
        .expect("threads.create streams");
    let requests = mock.requests().into_iter().map(|r| r.body).collect();
    (events, requests)
}

/// A model that calls `tool` with `arguments`, then answers `Done.`.
fn call_then_answer(tool: &str, arguments: Value) -> Value {
    json!([
        {"output": [{"type": "function_call", "name": tool, "arguments": arguments}]},
        {"output": [{"type": "message", "text": "Done."}]}
    ])
}

#[tokio::test]
async fn lesson02_ex1_add_a_function_tool() -> Result<(), Hint> {
    let (_, requests) = graded(
        "Return `FunctionTool::new(\"celsius_to_fahrenheit\", …)` from `temperature_tool`.",
        async move {
            let agent = lesson02_agent::agent(DEFAULT_MODEL).tool(lesson02_ex1::temperature_tool());
            let script = call_then_answer("celsius_to_fahrenheit", json!({"celsius": 100}));
            run_agent(agent, script, "How warm is 100 degrees Celsius?").await
        },
    )
    .await?;
    let tools = requests[0]["tools"].as_array().cloned().unwrap_or_default();
    let tool = tools
        .iter()
        .find(|tool| tool["name"] == "celsius_to_fahrenheit");
    let Some(tool) = tool else {
        return Err(Hint(
            "the model is not offered a tool named `celsius_to_fahrenheit`".into(),
        ));
    };
    expect(
        tool["description"] == "Convert a temperature from Celsius to Fahrenheit.",
        format!(
            "the description is `Convert a temperature from Celsius to Fahrenheit.`, got {}",
            tool["description"]
        ),
    )?;
    expect(
        tool["parameters"]["properties"]["celsius"]["type"] == "number",
        "the tool takes `ConvertArgs` (one number, `celsius`)",
    )?;
    expect(
        requests.len() == 2,
        "the model should be called again with the tool's output (did the tool fail?)",
    )?;
    let output = requests[1]["input"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|item| item["type"] == "function_call_output")
        .map(|item| item["output"].as_str().unwrap_or_default().to_owned());
    expect(
        output.as_deref() == Some("100°C is 212°F"),
        format!("for 100 the tool returns `100°C is 212°F`, got {output:?}"),
    )
}

#[tokio::test]
async fn lesson02_ex2_stream_progress_from_a_tool() -> Result<(), Hint> {
    let (events, _) = graded(
        "Call `ctx.progress(Some(IconName::Search), text).await` before returning.",
        async move {
            let agent = Agent::new("assistant").tool(lesson02_ex2::forecast_tool());
            let script = call_then_answer("get_forecast", json!({"city": "Oslo"}));
            run_agent(agent, script, "What's the forecast for Oslo?").await
        },
    )
    .await?;
    let progress = events
        .iter()
        .enumerate()
        .find_map(|(at, event)| match event {
            ThreadStreamEvent::ProgressUpdate { icon, text } => Some((at, icon, text)),
            _ => None,
        });
    let Some((at, icon, text)) = progress else {
        return Err(Hint(
            "no `progress_update` reached the client: send one from inside the tool with \
             `ctx.progress(…).await` (is there still a `todo!()` in the tool?)"
                .into(),
        ));
    };
    expect(
        text == "Looking up the forecast for Oslo…",
        format!("the text is `Looking up the forecast for {{city}}…`, got {text:?}"),
    )?;
    expect(
        icon.as_ref().map(ToString::to_string).as_deref() == Some("search"),
        format!("the icon is `IconName::Search`, got {icon:?}"),
    )?;
    let answer = events.iter().position(|event| matches!(event, ThreadStreamEvent::ThreadItemAdded { item } if matches!(item.kind, ItemKind::AssistantMessage(_))));
    expect(
        answer.is_some_and(|answer| at < answer),
        "the progress update must come while the tool runs, before the model's answer \
         (did the tool return its forecast?)",
    )
}

/// A model that answers `text`.
fn answer(text: &str) -> Value {
    json!([{"output": [{"type": "message", "text": text}]}])
}

#[tokio::test]
async fn lesson02_ex3_block_an_answer_with_an_output_guardrail() -> Result<(), Hint> {
    let hint = "Write `check_answer` and `with_spoiler_guard`.";
    let (blocked, _) = graded(hint, async move {
        let agent = lesson02_ex3::with_spoiler_guard(Agent::new("assistant"));
        run_agent(
            agent,
            answer("The ENDING is a surprise."),
            "How does it end?",
        )
        .await
    })
    .await?;
    let error = blocked.iter().find_map(|event| match event {
        ThreadStreamEvent::Error(error) => Some(error),
        _ => None,
    });
    let Some(error) = error else {
        return Err(Hint(
            "an answer mentioning `ENDING` must be blocked: no `error` event reached the client \
             (is the guardrail added to the agent?)"
                .into(),
        ));
    };
    expect(
        error.message.as_deref() == Some("No spoilers, please."),
        format!(
            "the tripwire's message is `No spoilers, please.`, got {:?} (a panic in \
             `check_answer`, such as a `todo!()`, shows as a stream error)",
            error.message
        ),
    )?;
    expect(
        blocked
            .iter()
            .any(|event| matches!(event, ThreadStreamEvent::ThreadItemRemoved { .. })),
        "the blocked answer is removed from the chat (`thread.item.removed`)",
    )?;
    let (passed, _) = graded(hint, async move {
        let agent = lesson02_ex3::with_spoiler_guard(Agent::new("assistant"));
        run_agent(agent, answer("It is a good book."), "Is it good?").await
    })
    .await?;
    expect(
        !passed
            .iter()
            .any(|event| matches!(event, ThreadStreamEvent::Error(_))),
        "an answer that does not mention the ending must pass the guardrail",
    )
}

/// The items the store holds for `thread`, oldest first, hidden ones included.
async fn stored(
    processor: &Processor<UserContext>,
    user: &str,
    thread: &ThreadId,
) -> Vec<ThreadItem> {
    let page = PageRequest::first(100, Order::Asc);
    let ctx = UserContext::new(user);
    processor
        .store()
        .load_thread_items(thread, &page, &ctx)
        .await
        .expect("the store answers")
        .data
}

/// The kind of each item, as the wire names it (`user_message`, …).
fn kinds(items: &[ThreadItem]) -> Vec<String> {
    items
        .iter()
        .map(|item| {
            let json = serde_json::to_value(item).expect("an item serializes");
            json["type"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

/// A custom task titled `title`, as exercise 1 packs it.
fn packing_task(title: &str, status_indicator: TaskStatusIndicator) -> Task {
    let kind = TaskKind::Custom {
        title: Some(title.to_owned()),
        icon: None,
        content: None,
    };
    Task {
        status_indicator,
        kind,
    }
}

#[tokio::test]
async fn lesson03_ex1_show_the_packing_as_a_workflow() -> Result<(), Hint> {
    let processor = processor(lesson03_ex1::Packing);
    let events = stream(&processor, "alice", &create_thread_body("Pack my bag")).await?;
    let produced = responder_events(&events)?;
    let Some(ThreadStreamEvent::ThreadItemAdded { item: added }) = produced.first() else {
        return Err(Hint(format!(
            "the answer starts with `thread.item.added` for a new workflow, got {:?}",
            produced.first()
        )));
    };
    let empty = Workflow {
        kind: WorkflowKind::Custom,
        tasks: Vec::new(),
        summary: None,
        expanded: false,
    };
    expect(
        added.kind == (ItemKind::Workflow { workflow: empty }),
        format!(
            "the added item is a `custom` workflow with no tasks, no summary, not expanded \
             (`out.item(IdKind::Workflow, ItemKind::Workflow {{ workflow }})`), got {:?}",
            added.kind
        ),
    )?;
    let updates: Vec<&ThreadItemUpdate> = produced[1..]
        .iter()
        .map_while(|event| match event {
            ThreadStreamEvent::ThreadItemUpdated { item_id, update } if *item_id == added.id => {
                Some(update)
            }
            _ => None,
        })
        .collect();
    let mut expected = Vec::new();
    for (task_index, thing) in lesson03_ex1::PACKING.into_iter().enumerate() {
        let task = packing_task(thing, TaskStatusIndicator::Loading);
        expected.push(ThreadItemUpdate::WorkflowTaskAdded { task_index, task });
        let task = packing_task(thing, TaskStatusIndicator::Complete);
        expected.push(ThreadItemUpdate::WorkflowTaskUpdated { task_index, task });
    }
    let expected_refs: Vec<&ThreadItemUpdate> = expected.iter().collect();
    expect(
        updates == expected_refs,
        format!(
            "after the `added`, each thing of `PACKING` in order: a `WorkflowTaskAdded` (a custom \
             task titled with it, `TaskStatusIndicator::Loading`), then a `WorkflowTaskUpdated` \
             (the same task, `Complete`), each a `thread.item.updated` naming the workflow's id. \
             Expected {expected:?}, got {updates:?}"
        ),
    )?;
    let done = produced.get(1 + updates.len());
    let tasks = lesson03_ex1::PACKING
        .map(|thing| packing_task(thing, TaskStatusIndicator::Complete))
        .to_vec();
    let summary = WorkflowSummary::Custom {
        title: "Packed 3 things".to_owned(),
        icon: None,
    };
    let finished = Workflow {
        kind: WorkflowKind::Custom,
        tasks,
        summary: Some(summary),
        expanded: false,
    };
    let expected_done = ThreadItem {
        kind: ItemKind::Workflow { workflow: finished },
        ..added.clone()
    };
    expect(
        matches!(done, Some(ThreadStreamEvent::ThreadItemDone { item }) if *item == expected_done),
        format!(
            "then `thread.item.done` with the same id and time as the `added`, the three \
             complete tasks and the summary `WorkflowSummary::Custom {{ title: \"Packed 3 \
             things\", icon: None }}`; got {done:?}"
        ),
    )?;
    expect(
        answers(produced) == ["Packed. Have a good trip!"],
        "the answer `Packed. Have a good trip!` comes last, as in the starting code",
    )?;
    let items = stored(&processor, "alice", &created_thread(&events)).await;
    expect(
        kinds(&items) == ["user_message", "workflow", "assistant_message"],
        format!(
            "the store keeps what was done: the message, the workflow, the answer; got {:?}",
            kinds(&items)
        ),
    )
}

/// Starts a thread with `text` and drops the stream after `frames` frames, as a client that
/// goes away; returns the store's items for the thread once the turn is over.
async fn cut_after(
    processor: Processor<UserContext>,
    text: &str,
    frames: usize,
) -> Result<Vec<ThreadItem>, Hint> {
    let result = processor
        .process(
            create_thread_body(text).as_bytes(),
            UserContext::new("student"),
        )
        .await;
    let Ok(ProcessResult::Stream(stream)) = result else {
        return Err(Hint(format!(
            "`threads.create` must stream, got {result:?}"
        )));
    };
    let turn = stream.turn();
    // `take` drops the stream after `frames` frames: the pipeline sees the client leave.
    stream.take(frames).for_each(|_| async {}).await;
    turn.finished().await;
    Ok(stored(&processor, "student", &ThreadId::new("thr_0001")).await)
}

// Paused time: `Stoppable` waits a second before each word, which here takes no time at all,
// and nothing moves while the test reads.
#[tokio::test(start_paused = true)]
async fn lesson03_ex2_mark_an_answer_the_user_stopped() -> Result<(), Hint> {
    let hint = "Write `handle_stream_cancelled` for `Stoppable`.";
    // thread.created, the user's message, stream_options, added, the part, the first word.
    let items = graded(hint, cut_after(processor(lesson03_ex2::Stoppable), "hi", 6)).await??;
    let texts: Vec<Option<String>> = items.iter().map(assistant_text).collect();
    expect(
        kinds(&items) == ["user_message", "assistant_message", "sdk_hidden_context"],
        format!(
            "after a cut in the middle of `Hel…`, the store holds the user's message, the \
             partial answer and the hidden note (`persist_pending_on_cancel` adds it); got \
             {:?}. Is there still a `todo!()` in `handle_stream_cancelled`? (its panic is \
             printed above)",
            kinds(&items)
        ),
    )?;
    expect(
        texts[1].as_deref() == Some("Hel (stopped)"),
        format!(
            "the partial answer is kept with ` (stopped)` appended to its text, `Hel (stopped)`; \
             got {:?}",
            texts[1]
        ),
    )?;
    // Cut before the first word: the message has no text yet.
    let items = graded(hint, cut_after(processor(lesson03_ex2::Stoppable), "hi", 5)).await??;
    expect(
        kinds(&items) == ["user_message", "sdk_hidden_context"],
        format!(
            "a message with no text yet stays out of the store (` (stopped)` alone is not an \
             answer): only the user's message and the note, got {:?}",
            kinds(&items)
        ),
    )
}

#[tokio::test]
async fn lesson03_ex3_end_with_an_error_the_user_may_retry() -> Result<(), Hint> {
    let processor = processor(lesson03_ex3::Forecast);
    let events = stream(&processor, "alice", &create_thread_body("Atlantis")).await?;
    let start = events
        .iter()
        .position(|event| matches!(event, ThreadStreamEvent::StreamOptions { .. }))
        .map_or(0, |at| at + 1);
    let produced = &events[start..];
    let expected = "The weather service is down (no station in Atlantis). Try again in a moment.";
    match produced {
        [
            ThreadStreamEvent::ThreadItemDone { .. },
            ThreadStreamEvent::Error(error),
        ] => {
            expect(
                error.message.as_deref() == Some(expected),
                format!(
                    "the error is a custom one (`StreamError::custom`) whose message is \
                     {expected:?}; got code {:?} and message {:?} (a `todo!()` or \
                     `StreamError::failed` shows as `stream.error` with no message)",
                    error.code, error.message
                ),
            )?;
            expect(
                error.allow_retry,
                "the service may be back in a moment: `allow_retry` is `true`",
            )?;
        }
        _ => {
            return Err(Hint(format!(
                "for `Atlantis`, the first message, then one `error` event and nothing after it \
                 (`?` on the custom error ends the stream); got {produced:?}"
            )));
        }
    }
    let items = stored(&processor, "alice", &created_thread(&events)).await;
    let texts: Vec<Option<String>> = items.iter().map(assistant_text).collect();
    expect(
        texts == [None, Some("Checking the sky over Atlantis.".to_owned())],
        format!(
            "the store keeps what was done before the error: the user's message and the first \
             answer; got {texts:?}"
        ),
    )?;
    let events = stream(&processor, "alice", &create_thread_body("Paris")).await?;
    let got = answers(responder_events(&events)?);
    expect(
        got == ["Checking the sky over Paris.", "Sunny over Paris."],
        format!("for a city the service knows, both answers and no error; got {got:?}"),
    )
}

// Paused time: the 0.9 s report and the 200 ms ticks run in no time, always the same way.
#[tokio::test(start_paused = true)]
async fn lesson03_ex4_tell_the_user_how_long_they_have_waited() -> Result<(), Hint> {
    let events = graded(
        "Race `build_report()` against a ticker in `Report::respond`.",
        async move {
            let processor = processor(lesson03_ex4::Report);
            stream(&processor, "alice", &create_thread_body("my report")).await
        },
    )
    .await??;
    let produced = responder_events(&events)?;
    let progress: Vec<(bool, &str)> = produced
        .iter()
        .filter_map(|event| match event {
            ThreadStreamEvent::ProgressUpdate { icon, text } => {
                Some((icon.is_none(), text.as_str()))
            }
            _ => None,
        })
        .collect();
    let expected = [200, 400, 600, 800].map(|ms| (true, format!("Working… {ms} ms")));
    let expected: Vec<(bool, &str)> = expected
        .iter()
        .map(|(no_icon, text)| (*no_icon, text.as_str()))
        .collect();
    expect(
        progress == expected,
        format!(
            "a 0.9 s report gets four progress updates with no icon, one every 200 ms from \
             the first 200 ms on, none once it is ready: {expected:?}; got {progress:?}"
        ),
    )?;
    expect(
        matches!(
            produced.last(),
            Some(ThreadStreamEvent::ThreadItemDone { .. })
        ) && answers(produced) == ["Your report is ready."],
        "the report, `Your report is ready.`, comes last, after the progress updates",
    )
}

// ---- Lesson 04 -------------------------------------------------------------------------------

/// The texts of a model request's `input`, one per message, as the request carried them.
fn request_texts(request: &Value) -> Vec<String> {
    let items = request["input"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|item| match &item["content"] {
            // A message's content is a string or a list of parts.
            Value::String(text) => text.clone(),
            parts => parts
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|part| part["text"].as_str())
                .collect(),
        })
        .collect()
}

#[tokio::test]
async fn lesson04_ex1_send_the_new_message_once() -> Result<(), Hint> {
    let mock = MockProvider::start().await.expect("the mock starts");
    let processor = processor(lesson04_ex1::Repeating {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(lesson04_memory::agent(DEFAULT_MODEL)),
    });
    let note = "Remember that I like tea.";
    let question = "What did I ask you to remember?";
    let events = stream(&processor, "alice", &create_thread_body(note)).await?;
    let thread = created_thread(&events);
    stream(&processor, "alice", &add_user_message(&thread, question)).await?;
    let requests = mock.requests();
    let Some(last) = requests.get(1) else {
        return Err(Hint(format!(
            "two turns make two model requests; got {}",
            requests.len()
        )));
    };
    let texts = request_texts(&last.body);
    let times = texts.iter().filter(|text| *text == question).count();
    expect(
        times == 1,
        format!(
            "the second model request holds the new message {times} times: the processor stored \
             it before calling `respond()`, so the window already ends with it ({texts:?})"
        ),
    )?;
    expect(
        texts.len() == 3 && texts[0] == note && texts[2] == question,
        format!(
            "the request is the thread, oldest first: the note, its answer, the question; got {texts:?}"
        ),
    )
}

#[tokio::test]
async fn lesson04_ex2_a_tag_reaches_the_model_as_a_task_ref() -> Result<(), Hint> {
    let mock = MockProvider::start().await.expect("the mock starts");
    let budget = chatkit::agent::history::HistoryBudget::tokens(2_000);
    let processor = processor(lesson04_memory::MemoryServer {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(lesson04_memory::agent(DEFAULT_MODEL)),
        memory: lesson04_memory::Memory::Window(budget),
        converter: Arc::new(lesson04_ex2::TaskRefs),
    });
    let body = json!({"type": "threads.create", "params": {"input": {"content": [
        {"type": "input_text", "text": "When is "},
        {"type": "input_tag", "id": "task_42", "text": "Fix the boiler", "data": {}, "interactive": false},
        {"type": "input_text", "text": " due?"}
    ], "attachments": [], "inference_options": {}}}});
    graded(
        "Write `tag_to_message_content` with `input_text(format!(…))`.",
        async move { stream(&processor, "alice", &body.to_string()).await },
    )
    .await??;
    let requests = mock.requests();
    let Some(request) = requests.first() else {
        return Err(Hint(
            "the turn never reached the model: converting the message failed (a `todo!()` in \
             the hook, or the default's \"not implemented\")"
                .to_owned(),
        ));
    };
    let texts = request_texts(&request.body).concat();
    let expected = "<TASK_REF id=task_42>Fix the boiler</TASK_REF>";
    expect(
        texts.contains(expected),
        format!("the model gets the tag as {expected:?}; its input was {texts:?}"),
    )
}

#[tokio::test]
async fn lesson04_ex3_page_back_to_the_newest_items() -> Result<(), Hint> {
    use chatkit::protocol::{
        InferenceOptions, ItemId, ThreadMetadata, UserMessage, UserMessageContent,
    };
    let processor = processor(lesson04_ex3::Recap);
    let store = Arc::clone(processor.store());
    let user = UserContext::new("alice");
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let thread = ThreadMetadata::new("thr_fifty", start);
    store
        .save_thread(&thread, &user)
        .await
        .expect("save the thread");
    for n in 1..=50 {
        let item = ThreadItem {
            id: ItemId::new(format!("msg_{n:03}")),
            thread_id: thread.id.clone(),
            created_at: Timestamp::from_datetime(
                start.as_datetime() + chrono::Duration::seconds(n),
            ),
            kind: ItemKind::UserMessage(UserMessage {
                content: vec![UserMessageContent::text(format!("note {n}"))],
                attachments: Vec::new(),
                quoted_text: None,
                inference_options: InferenceOptions::default(),
            }),
        };
        store
            .add_thread_item(&thread.id, &item, &user)
            .await
            .expect("add an item");
    }
    for (max_items, first) in [(23, 28), (10, 41), (80, 1)] {
        let (store, id, user) = (Arc::clone(&store), thread.id.clone(), user.clone());
        let items = graded(
            "Read pages with `store.load_thread_items` and the `after` cursor.",
            async move { lesson04_ex3::recent_items(store.as_ref(), &id, &user, max_items).await },
        )
        .await?
        .map_err(|error| Hint(format!("the store refused a page: {error}")))?;
        let ids: Vec<&str> = items.iter().map(|item| item.id.as_str()).collect();
        let expected: Vec<String> = (first..=50).map(|n| format!("msg_{n:03}")).collect();
        expect(
            ids == expected,
            format!(
                "the newest {max_items} of 50 items, oldest first, are msg_{first:03} to msg_050; \
                 got {ids:?}"
            ),
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn lesson04_ex4_the_model_gets_a_note_the_client_never_sees() -> Result<(), Hint> {
    let mock = MockProvider::start().await.expect("the mock starts");
    let processor = processor(lesson04_ex4::Localised {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(lesson04_memory::agent(DEFAULT_MODEL)),
    });
    let note = lesson04_ex4::NOTE;
    let events = stream(&processor, "alice", &create_thread_body("What time is it?")).await?;
    let thread = created_thread(&events);
    let requests = mock.requests();
    let Some(request) = requests.first() else {
        return Err(Hint(
            "the turn never reached the model: is there still a `todo!()` before the run?"
                .to_owned(),
        ));
    };
    let texts = request_texts(&request.body).concat();
    expect(
        texts.contains(note),
        format!(
            "the model receives the note: store the hidden item (yield its `ThreadItemDone`) \
             before loading the window; the request held {texts:?}"
        ),
    )?;
    let page = PageRequest::first(10, Order::Asc);
    let stored = processor
        .store()
        .load_thread_items(&thread, &page, &UserContext::new("alice"))
        .await
        .expect("the thread's items");
    let kept = stored
        .data
        .iter()
        .any(|item| matches!(&item.kind, ItemKind::HiddenContext { content } if content == note));
    expect(
        kept,
        "the note is stored as a hidden context item (`ItemKind::HiddenContext`), not as a \
         message the user would see",
    )?;
    // The mock model may repeat what it read; what must never reach the client is the item.
    let hidden = "hidden_context_item";
    let streamed = serde_json::to_string(&events).expect("events serialize");
    expect(
        !streamed.contains(hidden),
        "the stream never carries the note's item: a hidden context item, stored with \
         `ThreadItemDone`, which the pipeline keeps from the client",
    )?;
    let listed = json(
        &processor,
        "alice",
        json!({"type": "items.list", "params": {"thread_id": thread}}),
    )
    .await?;
    expect(
        !listed.to_string().contains(hidden),
        format!("`items.list` never shows the hidden item: {listed}"),
    )
}

// ---- Lesson 05 ---------------------------------------------------------------------------------

/// The router of a lesson 05 exercise: `server` over a fresh memory store, with the exercise's
/// own context type built by `context`, and the same injected ids and clock as `processor`.
fn router_with_context<C: StoreContext + Clone + 'static>(
    server: impl ChatKitServer<C>,
    context: impl ContextBuilder<C>,
) -> axum::Router {
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let processor = Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build();
    http::router(processor, context)
}

/// POSTs `body` to `router` with `headers`, as a client would: the status and the body.
async fn post_with_headers(
    router: &axum::Router,
    headers: &[(&str, &str)],
    body: String,
) -> (u16, String) {
    let mut request = axum::http::Request::post("/chatkit");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(axum::body::Body::from(body))
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
    let text = String::from_utf8_lossy(&bytes.expect("a body")).into_owned();
    (status, text)
}

#[tokio::test]
async fn lesson05_ex1_answer_in_the_language_the_user_prefers_most() -> Result<(), Hint> {
    let cases = [
        (
            "fr;q=0.3, de-AT;q=0.8, ja",
            "Hallo, ana.",
            "the heaviest spoken language wins",
        ),
        (
            "ES, fr",
            "Hola, ana.",
            "equal weights (1 when absent): the first listed wins",
        ),
        (
            "fr;q=0.5, es;q=0.5",
            "Bonjour, ana.",
            "equal weights: the first listed wins",
        ),
        (
            "fr;q=0, de;q=0.1",
            "Hallo, ana.",
            "`q=0` means \"not this language\"",
        ),
        (
            "*, ja",
            "Hello, ana.",
            "`*` and unknown languages count for nothing: English",
        ),
        ("", "Hello, ana.", "an empty header: English"),
    ];
    let router = router_with_context(lesson05_ex1::Greeter, lesson05_ex1::visitor_from_headers);
    for (accept_language, greeting, rule) in cases {
        let router = router.clone();
        let headers = [("x-user-id", "ana"), ("accept-language", accept_language)];
        let (status, body) = graded(
            "Write `preferred_language`: it runs in the context builder, for every request.",
            async move { post_with_headers(&router, &headers, create_thread_body("hi")).await },
        )
        .await?;
        expect(
            status == 200 && body.contains(&format!("\"text\":\"{greeting}\"")),
            format!(
                "with `Accept-Language: {accept_language}` the answer is `{greeting}` ({rule}); \
                 got {status}: {body} (a 500 means the context builder panicked: is there \
                 still a `todo!()`?)"
            ),
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn lesson05_ex2_close_the_thread_after_three_messages() -> Result<(), Hint> {
    let processor = Arc::new(processor(lesson05_ex2::Limited));
    let mut thread = None;
    for (n, text) in [(1, "one"), (2, "two"), (3, "three")] {
        let body = match &thread {
            None => create_thread_body(text),
            Some(thread) => add_user_message(thread, text),
        };
        let events = stream(&processor, "alice", &body).await?;
        thread.get_or_insert_with(|| created_thread(&events));
        let produced = responder_events(&events)?;
        let got = answers(produced);
        expect(
            got == [format!("Message {n} of 3.")],
            format!("message {n} is answered `Message {n} of 3.`, got {got:?}"),
        )?;
        let closed = produced.iter().any(|event| {
            matches!(event, ThreadStreamEvent::ThreadUpdated { thread }
            if thread.metadata.status == ThreadStatus::Closed {
                reason: Some(lesson05_ex2::LIMIT_REASON.to_owned()),
            })
        });
        expect(
            closed == (n == 3),
            format!(
                "the thread is closed (a `thread.updated` with `ThreadStatus::Closed` and \
                 `LIMIT_REASON`) with the third answer and not before; after message {n}: {}",
                if closed { "closed" } else { "not closed" }
            ),
        )?;
    }
    let thread = thread.expect("a thread was created");
    let refused = processor
        .process(
            add_user_message(&thread, "four").as_bytes(),
            UserContext::new("alice"),
        )
        .await;
    expect(
        matches!(refused, Err(ProcessError::ThreadNotOpen { .. })),
        "a fourth message is refused (409 thread_closed): yield the `thread.updated` so the \
         pipeline saves the closed status",
    )?;
    let items = processor
        .store()
        .load_thread_items(
            &thread,
            &PageRequest::first(100, Order::Asc),
            &UserContext::new("alice"),
        )
        .await
        .expect("the thread's items");
    expect(
        items.data.len() == 6,
        format!(
            "three messages and three answers are stored, got {} items",
            items.data.len()
        ),
    )
}

#[tokio::test]
async fn lesson05_ex3_keep_two_tenants_users_of_the_same_name_apart() -> Result<(), Hint> {
    let router = router_with_context(lesson05_ex3::Echo, lesson05_ex3::tenant_user_from_headers);
    let outcome = graded(
        "Write `TenantUser::new`: the context builder calls it for every request.",
        async move {
            let acme = [("x-tenant-id", "acme"), ("x-user-id", "alice")];
            let globex = [("x-tenant-id", "globex"), ("x-user-id", "alice")];
            let (_, created) = post_with_headers(&router, &acme, create_thread_body("hi")).await;
            let thread = json!("thr_0001");
            let requests = [
                (
                    "threads.get_by_id",
                    json!({"type": "threads.get_by_id", "params": {"thread_id": thread}}),
                ),
                (
                    "items.list",
                    json!({"type": "items.list", "params": {"thread_id": thread}}),
                ),
                (
                    "threads.add_user_message",
                    serde_json::from_str(&add_user_message(&ThreadId::new("thr_0001"), "mine now"))
                        .expect("JSON"),
                ),
                (
                    "threads.delete",
                    json!({"type": "threads.delete", "params": {"thread_id": thread}}),
                ),
            ];
            let mut statuses = Vec::new();
            for (name, body) in requests {
                statuses.push((
                    name,
                    post_with_headers(&router, &globex, body.to_string())
                        .await
                        .0,
                ));
            }
            let own = json!({"type": "threads.get_by_id", "params": {"thread_id": thread}});
            let (own_status, _) = post_with_headers(&router, &acme, own.to_string()).await;
            // Two pairs that a plain `tenant:user` join would both turn into `a:b:c`.
            let first = [("x-tenant-id", "a:b"), ("x-user-id", "c")];
            let second = [("x-tenant-id", "a"), ("x-user-id", "b:c")];
            post_with_headers(&router, &first, create_thread_body("secret")).await;
            let other = json!({"type": "threads.get_by_id", "params": {"thread_id": "thr_0002"}});
            let (forged, _) = post_with_headers(&router, &second, other.to_string()).await;
            (created, statuses, own_status, forged)
        },
    )
    .await?;
    let (created, statuses, own_status, forged) = outcome;
    expect(
        created.contains("alice of acme said: hi"),
        format!(
            "alice of acme creates a thread; got {created} (a 500 means the context builder \
             panicked: is there still a `todo!()`?)"
        ),
    )?;
    for (name, status) in statuses {
        expect(
            status == 404,
            format!(
                "`{name}` on acme's thread as alice of globex must be a 404, got {status}: \
                 the owner key must name the tenant as well as the user"
            ),
        )?;
    }
    expect(
        own_status == 200,
        format!("alice of acme still reads her own thread, got {own_status}"),
    )?;
    expect(
        forged == 404,
        "user `b:c` of tenant `a` reads the thread of user `c` of tenant `a:b`: a plain \
         `tenant:user` join gives both `a:b:c`. Start the key with the tenant's length",
    )
}

// ---- Lesson 06 ---------------------------------------------------------------------------------

/// The secret the lesson 06 grading tokens are signed with (HS256 wants 32 bytes or more).
const LESSON06_SECRET: &[u8] = b"lesson06 grading secret: 32 bytes or more";

/// The instant every lesson 06 grading token is minted at and every verifier's clock shows.
fn lesson06_now() -> Timestamp {
    Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date")
}

/// A verifier of [`LESSON06_SECRET`] tokens whose clock stands at [`lesson06_now`].
fn lesson06_verifier() -> JwtVerifier {
    JwtVerifier::hs256(LESSON06_SECRET)
        .expect("a long enough secret")
        .clock(Arc::new(FixedClock::at(lesson06_now())))
}

/// Claims for `sub` in `tenant` with `roles`, minted at [`lesson06_now`], valid for an hour.
fn lesson06_claims(sub: &str, tenant: Option<&str>, roles: &[&str]) -> Claims {
    Claims::for_user(
        sub,
        tenant.map(str::to_owned),
        roles.iter().map(|role| (*role).to_owned()).collect(),
        lesson06_now().as_datetime().timestamp(),
        Duration::from_secs(3600),
    )
}

/// `Authorization: Bearer …` for `claims` signed with `secret`.
fn bearer_for(secret: &[u8], claims: &Claims) -> String {
    format!("Bearer {}", mint_hs256(secret, claims).expect("a token"))
}

/// `Authorization: Bearer …` for `sub` in `tenant` with `roles`, signed with the right secret.
fn bearer(sub: &str, tenant: Option<&str>, roles: &[&str]) -> String {
    bearer_for(LESSON06_SECRET, &lesson06_claims(sub, tenant, roles))
}

/// A `GET` of `uri` on `router` with `headers`: the status and the body.
async fn get_with_headers(
    router: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut request = axum::http::Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(axum::body::Body::empty()).expect("a request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
    (
        status,
        String::from_utf8_lossy(&bytes.expect("a body")).into_owned(),
    )
}

#[tokio::test]
async fn lesson06_ex1_refuse_every_token_that_does_not_verify() -> Result<(), Hint> {
    let clock = Arc::new(FixedClock::at(lesson06_now()));
    let router = router_with_context(
        lesson06_ex1::Greeter,
        lesson06_ex1::TokenCheck::new(LESSON06_SECRET, clock),
    );
    let expired = {
        let mut claims = lesson06_claims("alice", None, &[]);
        // Issued two hours before the clock's time, for one hour.
        claims.exp = lesson06_now().as_datetime().timestamp() - 3600;
        bearer_for(LESSON06_SECRET, &claims)
    };
    let elsewhere = {
        let mut claims = lesson06_claims("alice", None, &[]);
        claims.aud = "billing".to_owned();
        bearer_for(LESSON06_SECRET, &claims)
    };
    let forged = bearer_for(
        b"someone else's secret, also 32 bytes long",
        &lesson06_claims("alice", None, &[]),
    );
    let refused = [
        ("no Authorization header at all", None),
        ("a token signed with another secret", Some(forged)),
        ("a token that expired an hour ago", Some(expired)),
        ("a token minted for the audience `billing`", Some(elsewhere)),
    ];
    for (case, token) in refused {
        let router = router.clone();
        let (status, body) = graded(
            "Write `verify_token`: the context builder calls it for every request with a token.",
            async move {
                let headers: Vec<(&str, &str)> = token
                    .as_deref()
                    .map(|token| vec![("authorization", token)])
                    .unwrap_or_default();
                post_with_headers(&router, &headers, create_thread_body("hi")).await
            },
        )
        .await?;
        expect(
            status == 401,
            format!(
                "{case} must be refused with a 401 before anything runs; got {status}: {body} (a 500 means the exercise panicked: is there still a `todo!()`?)"
            ),
        )?;
    }
    let good = bearer("alice", None, &[]);
    let (status, body) = graded("Write `verify_token`.", async move {
        post_with_headers(
            &router,
            &[("authorization", good.as_str())],
            create_thread_body("hi"),
        )
        .await
    })
    .await?;
    expect(
        status == 200 && body.contains("Hello, alice."),
        format!(
            "alice's good token (signed with the secret, for `chatkit` by `chatkit-dev`, valid \
             for an hour from the injected clock's time) is accepted and answered `Hello, \
             alice.`; got {status}: {body}. A 401 here often means `exp` was compared with the \
             system clock (the library's `validate_exp`) instead of `now`"
        ),
    )
}

#[tokio::test]
async fn lesson06_ex2_the_thread_is_the_tokens_user() -> Result<(), Hint> {
    let router = router_with_context(
        lesson06_ex2::Greeter,
        lesson06_ex2::SpoofProof::new(lesson06_verifier()),
    );
    let outcome = graded(
        "Write `SpoofProof::caller`: the context builder calls it for every request.",
        async move {
            let alice = bearer("alice", None, &[]);
            let bob = bearer("bob", None, &[]);
            let mut create: Value = serde_json::from_str(&create_thread_body("hi")).expect("JSON");
            create["metadata"] = json!({"user_id": "bob"});
            let spoofed = [("authorization", alice.as_str()), ("x-user-id", "bob")];
            let created = post_with_headers(&router, &spoofed, create.to_string()).await;
            let list = json!({"type": "threads.list", "params": {}}).to_string();
            let bobs =
                post_with_headers(&router, &[("authorization", bob.as_str())], list.clone()).await;
            let alices =
                post_with_headers(&router, &[("authorization", alice.as_str())], list.clone())
                    .await;
            let header_only = post_with_headers(&router, &[("x-user-id", "alice")], list).await;
            (created, bobs, alices, header_only)
        },
    )
    .await?;
    let ((status, created), (_, bobs), (_, alices), (header_only, _)) = outcome;
    expect(
        status == 200 && created.contains("Hello, alice."),
        format!(
            "alice's token with `x-user-id: bob` and `metadata.user_id: \"bob\"` is alice: \
             answered `Hello, alice.`; got {status}: {created} (a 500 means `caller` panicked: is \
             there still a `todo!()`?)"
        ),
    )?;
    expect(
        !bobs.contains("thr_0001"),
        format!(
            "the thread alice created is not bob's: bob's own token lists nothing, got {bobs}. \
             Neither `x-user-id` nor the body's metadata may name the user"
        ),
    )?;
    expect(
        alices.contains("thr_0001"),
        format!("the thread is alice's: her token lists it, got {alices}"),
    )?;
    expect(
        header_only == 401,
        format!(
            "`x-user-id: alice` without a token is a 401 (a header proves nothing), got \
             {header_only}"
        ),
    )
}

/// One request body of each of the 16 request types, as `src/auth/principal.rs`'s tests pick
/// them (the first fixture of each type, by file name), its `thread_id` set to `thread`: the
/// type, whether it only reads, and the body.
fn one_request_of_each_type(thread: &str) -> Vec<(&'static str, bool, Value)> {
    let directory =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/protocol/request");
    let mut paths: Vec<_> = std::fs::read_dir(directory)
        .expect("the request fixtures")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    paths.sort();
    let mut by_type = std::collections::BTreeMap::new();
    for path in paths {
        let bytes = std::fs::read(&path).expect("a fixture");
        let op = chatkit::protocol::Request::from_slice(&bytes)
            .expect("a valid request")
            .op;
        let mut body: Value = serde_json::from_slice(&bytes).expect("JSON");
        if body["params"].get("thread_id").is_some() {
            body["params"]["thread_id"] = json!(thread);
        }
        by_type
            .entry(op.type_name())
            .or_insert((op.is_read_only(), body));
    }
    assert_eq!(by_type.len(), 16, "every request type has a fixture");
    by_type
        .into_iter()
        .map(|(name, (read_only, body))| (name, read_only, body))
        .collect()
}

#[tokio::test]
async fn lesson06_ex3_viewers_read_editors_do_not_delete_owners_do_anything() -> Result<(), Hint> {
    let router = router_with_context(
        lesson06_ex3::Echo,
        lesson06_ex3::Members::new(lesson06_verifier()),
    );
    let outcome = graded(
        "Write `Member::authorize`: the processor asks it about every request.",
        async move {
            let owner = bearer("olga", Some("acme"), &["owner"]);
            let editor = bearer("ed", Some("acme"), &["editor"]);
            let viewer = bearer("vic", Some("acme"), &["viewer"]);
            let (created, _) = post_with_headers(
                &router,
                &[("authorization", owner.as_str())],
                create_thread_body("the team's thread"),
            )
            .await;
            // What the team's store holds, as the owner reads it.
            let snapshot = || async {
                let get = json!({"type": "threads.get_by_id", "params": {"thread_id": "thr_0001"}});
                let list = json!({"type": "threads.list", "params": {}});
                let auth = [("authorization", owner.as_str())];
                let thread = post_with_headers(&router, &auth, get.to_string()).await;
                let threads = post_with_headers(&router, &auth, list.to_string()).await;
                format!("{thread:?} {threads:?}")
            };
            // (who, request type, may it only read, status, body, store changed?)
            let mut seen = Vec::new();
            for (who, token) in [
                ("a viewer", &viewer),
                ("an editor", &editor),
                ("the owner", &owner),
            ] {
                for (name, read_only, body) in one_request_of_each_type("thr_0001") {
                    let before = snapshot().await;
                    let (status, answer) = post_with_headers(
                        &router,
                        &[("authorization", token.as_str())],
                        body.to_string(),
                    )
                    .await;
                    let changed = status == 403 && snapshot().await != before;
                    seen.push((who, name, read_only, status, answer, changed));
                }
            }
            (created, seen)
        },
    )
    .await?;
    let (created, seen) = outcome;
    expect(
        created == 200,
        format!(
            "the owner creates the team's thread, got {created} (a 500 means `authorize` \
             panicked: is there still a `todo!()`?)"
        ),
    )?;
    for (who, name, read_only, status, answer, changed) in seen {
        let refused = match who {
            "a viewer" => !read_only,
            "an editor" => name == "threads.delete",
            _ => false,
        };
        if refused {
            expect(
                status == 403 && answer.contains("\"forbidden\""),
                format!(
                    "{who} sending `{name}` gets `403 forbidden` (viewer: reads only; \
                     editor: anything but `threads.delete`); got {status}: {answer}"
                ),
            )?;
            expect(
                !changed,
                format!("a refused `{name}` from {who} leaves the store as it was"),
            )?;
        } else {
            expect(
                status != 403,
                format!(
                    "{who} may send `{name}` (viewer: reads only; editor: anything but \
                     `threads.delete`; owner: anything); got 403: {answer}"
                ),
            )?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn lesson06_ex4_another_users_file_is_not_found() -> Result<(), Hint> {
    let router = lesson06_ex4::app(MemoryStore::new(), lesson06_verifier());
    let outcome = graded(
        "Write `OwnedFiles::name_of`: the route `GET /chatkit/files/{id}/name` calls it.",
        async move {
            let alice = bearer("alice", None, &[]);
            let bob = bearer("bob", None, &[]);
            let other_alice = bearer("alice", Some("globex"), &[]);
            let create = json!({"type": "attachments.create", "params": {
                "name": "alice-plans.pdf", "size": 12, "mime_type": "application/pdf"}});
            let created = post_with_headers(
                &router,
                &[("authorization", alice.as_str())],
                create.to_string(),
            )
            .await;
            let mut answers = Vec::new();
            for (who, token, id) in [
                ("alice, its owner,", &alice, "atc_0001"),
                ("bob", &bob, "atc_0001"),
                ("alice of the tenant globex", &other_alice, "atc_0001"),
                ("alice, for an id nobody created,", &alice, "atc_0099"),
            ] {
                let uri = format!("/chatkit/files/{id}/name");
                let auth = [("authorization", token.as_str())];
                answers.push((who, get_with_headers(&router, &uri, &auth).await));
            }
            (created, answers)
        },
    )
    .await?;
    let ((status, created), answers) = outcome;
    expect(
        status == 200 && created.contains("atc_0001"),
        format!("alice creates the file atc_0001, got {status}: {created}"),
    )?;
    for (who, (status, body)) in answers {
        if who.starts_with("alice, its owner") {
            expect(
                status == 200 && body == "alice-plans.pdf",
                format!("{who} reads its name `alice-plans.pdf`; got {status}: {body}"),
            )?;
            continue;
        }
        expect(
            status != 403,
            format!(
                "{who} gets a 404, not a 403: \"forbidden\" tells a stranger the id exists; \
                 got {body}"
            ),
        )?;
        expect(
            status == 404 && !body.contains("alice-plans"),
            format!(
                "{who} asking for alice's file gets `404 not_found`, as for an id nobody \
                 created (compare the record's owner with `caller.user_id()`, which names the \
                 tenant too); got {status}: {body}"
            ),
        )?;
    }
    Ok(())
}

// ---- Lesson 07 ---------------------------------------------------------------------------------

/// Lesson 07's server with no pause between words, over a fresh memory store.
fn lesson07_processor() -> Processor<Principal> {
    let server = lesson07::showcase::Showcase {
        delay: Duration::ZERO,
        failed: std::sync::Mutex::default(),
    };
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build()
}

/// Sends one request to lesson 07's processor as `caller`: the events, or the JSON answer.
async fn lesson07_send(
    processor: &Processor<Principal>,
    caller: &Principal,
    body: &str,
) -> (Vec<ThreadStreamEvent>, Value) {
    let result = processor.process(body.as_bytes(), caller.clone()).await;
    match result.expect("lesson 07's server answers") {
        ProcessResult::Stream(frames) => {
            let frames: Vec<_> = frames.collect().await;
            let events = frames
                .iter()
                .map(|frame| {
                    let json = frame
                        .strip_prefix(b"data: ")
                        .and_then(|rest| rest.strip_suffix(b"\n\n"));
                    serde_json::from_slice(json.expect("an SSE frame")).expect("a stream event")
                })
                .collect();
            (events, Value::Null)
        }
        ProcessResult::Json(bytes) => (
            Vec::new(),
            serde_json::from_slice(&bytes).expect("a JSON answer"),
        ),
    }
}

/// The assistant messages `state` shows: id, text, and whether it is done.
fn shown_texts(state: &ThreadState) -> Vec<(String, String, bool)> {
    state
        .items
        .iter()
        .filter_map(|item| {
            let text = assistant_text(item)?;
            Some((item.id.to_string(), text, !state.pending.contains(&item.id)))
        })
        .collect()
}

/// The same of the exercise's view.
fn your_texts(view: &lesson07_ex1::TextView) -> Vec<(String, String, bool)> {
    view.messages
        .iter()
        .map(|shown| (shown.id.to_string(), shown.text(), shown.done))
        .collect()
}

#[tokio::test]
async fn lesson07_ex1_grow_the_text_as_the_page_does() -> Result<(), Hint> {
    let processor = lesson07_processor();
    let alice = Principal::from_claims(lesson06_claims("alice", None, &[]));
    let (first, _) = lesson07_send(
        &processor,
        &alice,
        &create_thread_body("hello brave new world"),
    )
    .await;
    let thread = created_thread(&first);
    let (second, _) = lesson07_send(
        &processor,
        &alice,
        &add_user_message(&thread, "plan my day"),
    )
    .await;
    let mut events: Vec<ThreadStreamEvent> = first.into_iter().chain(second).collect();
    // The page also removes what the server removes.
    let first_answer = events.iter().find_map(|event| match event {
        ThreadStreamEvent::ThreadItemDone { item } if assistant_text(item).is_some() => {
            Some(item.id.clone())
        }
        _ => None,
    });
    let removed = first_answer.expect("lesson 07 answers with a message");
    events.push(ThreadStreamEvent::ThreadItemRemoved {
        item_id: removed.clone(),
    });
    let folded = events.clone();
    let views = graded(
        "Write `TextView::apply` in lessons/lesson07/exercises/ex1_fold_text.rs.",
        async move {
            let mut view = lesson07_ex1::TextView::default();
            let mut views = Vec::new();
            for event in &folded {
                view.apply(event);
                views.push(view.clone());
            }
            views
        },
    )
    .await?;
    let mut state = ThreadState::new();
    for (index, (event, view)) in events.iter().zip(&views).enumerate() {
        state.apply(event).expect("lesson 07's events fold");
        let expected = shown_texts(&state);
        let yours = your_texts(view);
        let event = serde_json::to_string(event).expect("an event serializes");
        expect(
            yours == expected,
            format!(
                "after event {index}, {event}, the page shows (id, text, done) {expected:?}; \
                 your view shows {yours:?} (added shows the message, not done; a delta appends \
                 to part `content_index`; done puts the final message in its place; removed \
                 takes it away)"
            ),
        )?;
        // Before the removal, what is done is what the server stored.
        if index + 2 == events.len() {
            let get = json!({"type": "threads.get_by_id", "params": {"thread_id": thread}});
            let (_, stored) = lesson07_send(&processor, &alice, &get.to_string()).await;
            let items: Vec<ThreadItem> =
                serde_json::from_value(stored["items"]["data"].clone()).expect("stored items");
            let stored: Vec<String> = items.iter().filter_map(assistant_text).collect();
            let done: Vec<String> = yours
                .into_iter()
                .filter(|(_, _, done)| *done)
                .map(|(_, text, _)| text)
                .collect();
            expect(
                done == stored,
                format!(
                    "at the end of the streams, the done messages are what `threads.get_by_id` \
                     returns: {stored:?}; yours are {done:?}"
                ),
            )?;
        }
    }
    Ok(())
}

/// Serves lesson 07's server on a loopback port, lesson 06's grading tokens accepted: its
/// endpoint's URL and the signal that stops it.
async fn serve_lesson07(
    context: impl ContextBuilder<Principal>,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let server = lesson07::showcase::Showcase {
        delay: Duration::ZERO,
        failed: std::sync::Mutex::default(),
    };
    let processor = Processor::builder(server, MemoryStore::new()).build();
    let app = http::router(processor, context);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!(
        "http://{}/chatkit",
        listener.local_addr().expect("an address")
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(http::serve(listener, app, async {
        let _ = stopped.await;
    }));
    (url, stop)
}

/// A token for `sub` that lesson 06's grading verifier accepts.
fn lesson07_token(sub: &str) -> String {
    mint_hs256(LESSON06_SECRET, &lesson06_claims(sub, None, &[])).expect("a token")
}

#[tokio::test]
async fn lesson07_ex2_answer_the_client_tool_from_rust() -> Result<(), Hint> {
    use lesson07_ex2::LocalClock;
    let (url, _stop) = serve_lesson07(lesson06_verifier()).await;
    let token = lesson07_token("alice");
    let clock = LocalClock {
        time: "12:30".to_owned(),
    };
    let outcome = graded(
        "Write `LocalClock::call` and `ask` in lessons/lesson07/exercises/ex2_client_tool.rs.",
        async move {
            let unknown = ClientToolCall {
                status: ClientToolCallStatus::Pending,
                call_id: "call_1".to_owned(),
                name: "get_location".to_owned(),
                arguments: serde_json::Map::new(),
                output: None,
            };
            let unknown = clock.call(&unknown);
            let chat = tokio::time::timeout(
                Duration::from_secs(20),
                lesson07_ex2::ask(&url, &token, clock, "what time is it?"),
            )
            .await;
            let chat = match chat {
                Err(_) => return Err("`ask` did not finish within 20 seconds".to_owned()),
                Ok(Err(error)) => return Err(format!("`ask` failed: {error}")),
                Ok(Ok(chat)) => chat,
            };
            let thread_id = chat.thread_id().cloned().ok_or("no thread was created")?;
            let stored = chat
                .client()
                .get_thread(&thread_id)
                .await
                .map_err(|error| format!("reading the thread back failed: {error}"))?;
            Ok((unknown, chat.state().clone(), stored))
        },
    )
    .await?;
    let (unknown, state, stored) = outcome.map_err(|why| {
        Hint(format!(
            "{why} (a Client for the URL with `authorization: Bearer <token>`, a Conversation \
             with `on_client_tool(clock)`, `send_text`)"
        ))
    })?;
    expect(
        unknown.get("error").is_some_and(Value::is_string),
        format!(
            "a tool the page does not know still gets an answer, {{\"error\": \"…\"}}, or the \
             turn waits forever; `get_location` got {unknown}"
        ),
    )?;
    let calls: Vec<&ClientToolCall> = stored
        .items
        .data
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::ClientToolCall(call) => Some(call),
            _ => None,
        })
        .collect();
    expect(
        calls.len() == 1
            && calls[0].status == ClientToolCallStatus::Completed
            && calls[0].output == Some(json!({"time": "12:30"})),
        format!(
            "the server stores one `get_local_time` call, completed with your output \
             {{\"time\": \"12:30\"}}; it has {calls:?} (the Conversation needs the handler: \
             `on_client_tool(clock)`)"
        ),
    )?;
    let said: Vec<String> = state.done_items().filter_map(assistant_text).collect();
    expect(
        said.last().map(String::as_str) == Some("On your machine it is 12:30."),
        format!(
            "after the tool's output, the server's next turn says \"On your machine it is \
             12:30.\"; the conversation shows {said:?}"
        ),
    )
}

#[tokio::test]
async fn lesson07_ex3_read_the_page_context_from_a_header() -> Result<(), Hint> {
    let router = router_with_context(
        lesson07_ex3::Guide,
        lesson07_ex3::WithPage::new(lesson06_verifier()),
    );
    let auth = format!("Bearer {}", lesson07_token("alice"));
    let create = create_thread_body("Where am I?");
    let mut in_metadata: Value = serde_json::from_str(&create).expect("a request");
    in_metadata["params"]["input"]["metadata"] = json!({"route": "/invoices"});
    let cases = vec![
        (Some(r#"{"route":"/invoices"}"#), create.clone()),
        (None, in_metadata.to_string()),
        (Some("/invoices"), create.clone()),
        (Some(r#"{"route":5}"#), create.clone()),
    ];
    let answers = graded(
        "Write `page_context` in lessons/lesson07/exercises/ex3_page_context.rs.",
        async move {
            let mut answers = Vec::new();
            for (page, body) in cases {
                let mut headers = vec![
                    ("authorization", auth.as_str()),
                    ("content-type", "application/json"),
                ];
                if let Some(page) = page {
                    headers.push(("x-page-context", page));
                }
                answers.push((page, post_with_headers(&router, &headers, body).await));
            }
            answers
        },
    )
    .await?;
    let (_, (status, body)) = &answers[0];
    expect(
        *status == 200 && body.contains("You are on /invoices."),
        format!(
            "with `x-page-context: {{\"route\":\"/invoices\"}}` the server says \"You are on \
             /invoices.\"; got {status}: {body}{}",
            if *status == 500 {
                " (a 500: the context builder panicked; is there still a `todo!()`?)"
            } else {
                ""
            }
        ),
    )?;
    let (_, (status, body)) = &answers[1];
    expect(
        *status == 200 && body.contains("I do not know which page you are on."),
        format!(
            "without the header there is no page context (`Ok(None)`), and `params.input.\
             metadata` is not part of the protocol: dropped while decoding, it never reaches \
             the context; got {status}: {body}"
        ),
    )?;
    for (page, (status, body)) in &answers[2..] {
        expect(
            *status == 400,
            format!(
                "`x-page-context: {}` is not JSON with a string `route`: a 400 \
                 (`HttpError::new(StatusCode::BAD_REQUEST, \"bad_page_context\", …)`) tells the \
                 page it is broken; got {status}: {body}",
                page.unwrap_or_default()
            ),
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn lesson07_ex4_page_through_the_threads() -> Result<(), Hint> {
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    let verifier = lesson06_verifier();
    let counting = move |parts: &axum::http::request::Parts| {
        counted.fetch_add(1, Ordering::SeqCst);
        let token = bearer_token(parts)?;
        Ok::<_, http::HttpError>(Principal::from_claims(verifier.verify(token)?))
    };
    let (url, _stop) = serve_lesson07(counting).await;
    let client = chatkit::client::Client::new(&url)
        .expect("a URL")
        .try_header(
            "authorization",
            &format!("Bearer {}", lesson07_token("alice")),
        )
        .expect("a header");
    let names = ["one", "two", "three", "four", "five"];
    for name in names {
        let mut stream = client
            .create_thread(chatkit::client::text_input(name))
            .await
            .expect("a thread");
        while let Some(event) = stream.next_event().await {
            event.expect("an event");
        }
    }
    let listed: Vec<Option<String>> = client
        .all_threads(100, Order::Desc)
        .await
        .expect("the threads")
        .into_iter()
        .map(|thread| thread.metadata.title)
        .collect();
    let before = requests.load(Ordering::SeqCst);
    let titles = graded(
        "Write `all_titles` in lessons/lesson07/exercises/ex4_thread_pages.rs.",
        async move {
            tokio::time::timeout(
                Duration::from_secs(20),
                lesson07_ex4::all_titles(&client, 2),
            )
            .await
        },
    )
    .await?;
    let sent = requests.load(Ordering::SeqCst) - before;
    let titles = match titles {
        Err(_) => {
            return Err(Hint(format!(
                "`all_titles` did not finish in 20 seconds after {sent} requests: send each \
                 page's `after` back, and stop when `has_more` is false"
            )));
        }
        Ok(Err(error)) => return Err(Hint(format!("`all_titles` failed: {error}"))),
        Ok(Ok(titles)) => titles,
    };
    expect(
        titles == listed,
        format!("the five titles, newest first, are {listed:?}; you returned {titles:?}"),
    )?;
    expect(
        sent == 3,
        format!(
            "five threads two at a time is three requests (2, 2 and 1 threads, `limit: 2`); \
             you sent {sent}"
        ),
    )
}
