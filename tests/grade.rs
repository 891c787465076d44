//! Grading: one test per lesson exercise, run against your code or the reference solutions.
//!
//! `cargo test` grades the exercises in `lessons/*/exercises/` (so it fails until you have done
//! them, each failure a hint). `cargo test --features solutions` runs the same tests against the
//! reference solutions in `lessons/*/solutions/`, which is what CI and the README's test command
//! do. `.ci/run` also checks that every test here fails on the starting code, so no exercise can
//! pass without being done.
//!
//! Each test drives the exercise through a real `Processor`, as a ChatKit client would, and
//! returns a [`Hint`] instead of panicking, so a failure reads as advice, not a backtrace.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use chatkit::agent::{Agent, DEFAULT_MODEL, Runner};
use chatkit::clock::FixedClock;
use chatkit::id_gen::SequentialIds;
use chatkit::protocol::{
    ItemKind, ThreadItem, ThreadItemUpdate, ThreadMetadata, ThreadStreamEvent, Timestamp,
    UserMessageItem,
};
use chatkit::provider::mock::{MockProvider, Script};
use chatkit::server::{ChatKitServer, EventStream, ProcessResult, Processor, Responder};
use chatkit::store::{MemoryStore, Store, UserContext};
use futures::StreamExt;

/// Compiles one exercise as module `$name`: the student's file from `exercises/`, or the
/// reference solution from `solutions/` with `--features solutions`. Starting code is allowed
/// its `todo!()` and unused bindings; `.ci/run` proves each grading test fails on it.
macro_rules! exercise {
    ($name:ident, solution: $solution:literal, exercise: $exercise:literal) => {
        #[cfg_attr(feature = "solutions", path = $solution)]
        #[cfg_attr(not(feature = "solutions"), path = $exercise)]
        #[allow(
            clippy::todo,
            dead_code,
            unreachable_pub,
            unused_variables,
            unused_mut,
            unreachable_code,
            unused_imports
        )]
        mod $name;
    };
}

exercise!(
    lesson01_ex1,
    solution: "../lessons/lesson01/solutions/ex1_stream_deltas.rs",
    exercise: "../lessons/lesson01/exercises/ex1_stream_deltas.rs"
);
exercise!(
    lesson01_ex2,
    solution: "../lessons/lesson01/solutions/ex2_thread_title.rs",
    exercise: "../lessons/lesson01/exercises/ex2_thread_title.rs"
);
exercise!(
    lesson01_ex3,
    solution: "../lessons/lesson01/solutions/ex3_progress.rs",
    exercise: "../lessons/lesson01/exercises/ex3_progress.rs"
);
exercise!(
    lesson02_ex1,
    solution: "../lessons/lesson02/solutions/ex1_function_tool.rs",
    exercise: "../lessons/lesson02/exercises/ex1_function_tool.rs"
);
exercise!(
    lesson02_ex2,
    solution: "../lessons/lesson02/solutions/ex2_tool_progress.rs",
    exercise: "../lessons/lesson02/exercises/ex2_tool_progress.rs"
);

exercise!(
    lesson02_ex3,
    solution: "../lessons/lesson02/solutions/ex3_output_guardrail.rs",
    exercise: "../lessons/lesson02/exercises/ex3_output_guardrail.rs"
);

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

/// A server whose `respond` is whatever the test plugs in.
struct Plugged<F>(F);

impl<F> ChatKitServer<UserContext> for Plugged<F>
where
    F: Fn(ThreadMetadata, Option<UserMessageItem>, Responder<UserContext>) -> EventStream
        + Send
        + Sync
        + 'static,
{
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        (self.0)(thread, input, out)
    }
}

/// Sends `threads.create` with `text` to a processor running `respond`; returns the events
/// the client received and the store, so tests can check what was saved.
async fn create_thread<F>(respond: F, text: &str) -> (Vec<ThreadStreamEvent>, MemoryStore)
where
    F: Fn(ThreadMetadata, Option<UserMessageItem>, Responder<UserContext>) -> EventStream
        + Send
        + Sync
        + 'static,
{
    let store = MemoryStore::new();
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let processor = Processor::builder(Plugged(respond), store.clone())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build();
    let body = serde_json::json!({
        "type": "threads.create",
        "params": {"input": {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}}
    });
    let result = processor
        .process(body.to_string().as_bytes(), UserContext::new("student"))
        .await;
    let Ok(ProcessResult::Stream(frames)) = result else {
        panic!("threads.create did not stream: {result:?}");
    };
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
    (events, store)
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

/// The events after `stream_options`: what the exercise's responder produced.
fn responder_events(events: &[ThreadStreamEvent]) -> &[ThreadStreamEvent] {
    let start = events
        .iter()
        .position(|event| matches!(event, ThreadStreamEvent::StreamOptions { .. }))
        .map_or(events.len(), |index| index + 1);
    &events[start..]
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

#[tokio::test]
async fn lesson01_ex1_stream_the_reply_as_deltas() -> Result<(), Hint> {
    let text = "streaming feels alive";
    let (events, _) = graded(
        "Start from the `added` event already in the file.",
        async move {
            create_thread(
                |_, _, out| lesson01_ex1::stream_reply(out, text.to_owned()),
                "hi",
            )
            .await
        },
    )
    .await?;
    let produced = responder_events(&events);
    let Some(ThreadStreamEvent::ThreadItemAdded { item }) = produced.first() else {
        return Err(Hint("the first event must be `thread.item.added`".into()));
    };
    let deltas: Vec<&str> = produced
        .iter()
        .filter_map(|event| match event {
            ThreadStreamEvent::ThreadItemUpdated {
                update: ThreadItemUpdate::ContentPartTextDelta { delta, .. },
                ..
            } => Some(delta.as_str()),
            _ => None,
        })
        .collect();
    expect(
        matches!(
            produced.get(1),
            Some(ThreadStreamEvent::ThreadItemUpdated {
                update: ThreadItemUpdate::ContentPartAdded {
                    content_index: 0,
                    ..
                },
                ..
            })
        ),
        "after `added`, send `assistant_message.content_part.added` for content index 0",
    )?;
    expect(
        deltas.len() == 3,
        format!(
            "send one text delta per word: expected 3, got {}",
            deltas.len()
        ),
    )?;
    expect(
        deltas.concat() == text,
        format!(
            "the deltas joined must give back {text:?}, got {:?}",
            deltas.concat()
        ),
    )?;
    let all_for_one_item = produced.iter().all(|event| match event {
        ThreadStreamEvent::ThreadItemUpdated { item_id, .. } => item_id == &item.id,
        ThreadStreamEvent::ThreadItemAdded { item: other }
        | ThreadStreamEvent::ThreadItemDone { item: other } => other.id == item.id,
        _ => true,
    });
    expect(
        all_for_one_item,
        "every event must name the same item id: make the item once",
    )?;
    let Some(ThreadStreamEvent::ThreadItemDone { item: done }) = produced.last() else {
        return Err(Hint(
            "end with `thread.item.done` carrying the finished message".into(),
        ));
    };
    expect(
        assistant_text(done).as_deref() == Some(text),
        "the finished message must hold the whole text",
    )
}

#[tokio::test]
async fn lesson01_ex2_set_the_thread_title_from_the_first_message() -> Result<(), Hint> {
    let long = "Plan a three-day walking trip through the Scottish Highlands in May";
    let (events, store) = graded(
        "Return `Some(out.thread_updated(..))` for an untitled thread.",
        async move {
            create_thread(
                |thread, input, out| {
                    let text = input
                        .as_ref()
                        .map(UserMessageItem::text)
                        .unwrap_or_default();
                    let title = lesson01_ex2::title_event(&out, &thread, &text);
                    async_stream::try_stream! {
                        if let Some(event) = title {
                            yield event;
                        }
                        yield out.assistant_message("Sounds lovely.");
                    }
                    .boxed()
                },
                long,
            )
            .await
        },
    )
    .await?;
    let titles: Vec<Option<String>> = events
        .iter()
        .filter_map(|event| match event {
            ThreadStreamEvent::ThreadUpdated { thread } => Some(thread.metadata.title.clone()),
            _ => None,
        })
        .collect();
    let expected = "Plan a three-day walking trip through th…";
    expect(
        titles.len() == 1,
        format!("send exactly one `thread.updated`, got {}", titles.len()),
    )?;
    expect(
        titles[0].as_deref() == Some(expected),
        format!(
            "cut the title to 40 characters and add `…`: expected {expected:?}, got {:?}",
            titles[0]
        ),
    )?;
    let saved = store
        .load_thread(&"thr_0001".into(), &UserContext::new("student"))
        .await
        .map_err(|error| Hint(format!("the thread should be stored: {error}")))?;
    expect(
        saved.title.as_deref() == Some(expected),
        "the new title must be saved (yield the event; the pipeline saves it)",
    )?;

    let responder = graded("An already titled thread keeps its title.", async move {
        let (events, _) = create_thread(
            |mut thread, _, out| {
                thread.title = Some("Mine".into());
                let event = lesson01_ex2::title_event(&out, &thread, "anything");
                let returned_none = event.is_none();
                async_stream::try_stream! {
                    yield out.assistant_message(returned_none.to_string());
                }
                .boxed()
            },
            "x",
        )
        .await;
        events
    })
    .await?;
    let kept = responder_events(&responder)
        .iter()
        .any(|event| match event {
            ThreadStreamEvent::ThreadItemDone { item } => {
                assistant_text(item).as_deref() == Some("true")
            }
            _ => false,
        });
    expect(kept, "return `None` when the thread already has a title")?;

    let blank = graded("An empty message gives the title `New chat`.", async move {
        let (events, _) = create_thread(
            |thread, _, out| {
                let title = lesson01_ex2::title_event(&out, &thread, "   ");
                async_stream::try_stream! {
                    if let Some(event) = title {
                        yield event;
                    }
                }
                .boxed()
            },
            "   ",
        )
        .await;
        events
    })
    .await?;
    let new_chat = blank.iter().any(|event| matches!(event, ThreadStreamEvent::ThreadUpdated { thread } if thread.metadata.title.as_deref() == Some("New chat")));
    expect(new_chat, "a blank message gives the title `New chat`")
}

#[tokio::test]
async fn lesson01_ex3_emit_a_progress_update_before_answering() -> Result<(), Hint> {
    let (events, store) = graded(
        "Yield a `ProgressUpdate`, then `out.assistant_message(text)`.",
        async move {
            create_thread(
                |_, _, out| lesson01_ex3::answer_with_progress(out, "Here you go.".to_owned()),
                "hi",
            )
            .await
        },
    )
    .await?;
    let produced = responder_events(&events);
    let Some(ThreadStreamEvent::ProgressUpdate { icon, text }) = produced.first() else {
        return Err(Hint(
            "the first event after `stream_options` must be a `progress_update`".into(),
        ));
    };
    expect(
        text == "Thinking…",
        format!("the progress text is `Thinking…`, got {text:?}"),
    )?;
    expect(
        icon.as_ref().map(ToString::to_string).as_deref() == Some("sparkle"),
        "the progress icon is `sparkle`",
    )?;
    let answered = matches!(produced.get(1), Some(ThreadStreamEvent::ThreadItemDone { item }) if assistant_text(item).as_deref() == Some("Here you go."));
    expect(
        answered && produced.len() == 2,
        "after the progress update, send the answer as one finished assistant message, and nothing else",
    )?;
    let stored = store
        .load_thread_items(
            &"thr_0001".into(),
            &chatkit::store::PageRequest::first(10, chatkit::protocol::Order::Asc),
            &UserContext::new("student"),
        )
        .await
        .map_err(|error| Hint(error.to_string()))?;
    expect(
        stored.data.len() == 2,
        "a progress update is never stored: only the user's message and the answer are",
    )
}

/// Runs `agent` through lesson 02's server against the mock model playing `script`: the events
/// the client received, and the bodies of the model requests.
async fn run_agent(
    agent: Agent<UserContext>,
    script: serde_json::Value,
    text: &str,
) -> (Vec<ThreadStreamEvent>, Vec<serde_json::Value>) {
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
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let processor = Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build();
    let body = chatkit::http::ask::create_thread_body(text);
    let result = processor
        .process(body.as_bytes(), UserContext::new("student"))
        .await;
    let Ok(ProcessResult::Stream(frames)) = result else {
        panic!("threads.create did not stream: {result:?}");
    };
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
    let requests = mock.requests().into_iter().map(|r| r.body).collect();
    (events, requests)
}

/// A model that calls `tool` with `arguments`, then answers `Done.`.
fn call_then_answer(tool: &str, arguments: serde_json::Value) -> serde_json::Value {
    serde_json::json!([
        {"output": [{"type": "function_call", "name": tool, "arguments": arguments}]},
        {"output": [{"type": "message", "text": "Done."}]}
    ])
}

#[tokio::test]
async fn lesson02_ex1_add_a_function_tool() -> Result<(), Hint> {
    let (_, requests) = graded(
        "Return `FunctionTool::new(\"celsius_to_fahrenheit\", …)`.",
        async move {
            let agent = lesson02_agent::agent(DEFAULT_MODEL).tool(lesson02_ex1::temperature_tool());
            let script =
                call_then_answer("celsius_to_fahrenheit", serde_json::json!({"celsius": 100}));
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
        "Call `ctx.progress(Some(icon), text).await` before returning.",
        async move {
            let agent = Agent::new("assistant").tool(lesson02_ex2::weather_tool());
            let script = call_then_answer("get_weather", serde_json::json!({"city": "Oslo"}));
            run_agent(agent, script, "Weather in Oslo?").await
        },
    )
    .await?;
    let progress = events
        .iter()
        .position(|event| matches!(event, ThreadStreamEvent::ProgressUpdate { .. }));
    let Some(at) = progress else {
        return Err(Hint(
            "no `progress_update` reached the client: send one from inside the tool".into(),
        ));
    };
    let ThreadStreamEvent::ProgressUpdate { icon, text } = &events[at] else {
        unreachable!("found above");
    };
    expect(
        text == "Looking up the weather in Oslo…",
        format!("the text is `Looking up the weather in {{city}}…`, got {text:?}"),
    )?;
    expect(
        icon.as_ref().map(ToString::to_string).as_deref() == Some("search"),
        "the icon is `search`",
    )?;
    let answer = events.iter().position(|event| matches!(event, ThreadStreamEvent::ThreadItemAdded { item } if matches!(item.kind, ItemKind::AssistantMessage(_))));
    expect(
        answer.is_some_and(|answer| at < answer),
        "the progress update must come while the tool runs, before the model's answer",
    )
}

/// A model that answers `text`.
fn answer(text: &str) -> serde_json::Value {
    serde_json::json!([{"output": [{"type": "message", "text": text}]}])
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
