//! Grading: one test per lesson exercise, run against your code or the reference solutions.
//!
//! `cargo test --test grade lesson01` grades lesson 01's exercises in `lessons/lesson01/exercises/`
//! (and `lesson02` lesson 02's): it fails until you have done them, each failure a hint. Plain
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

use chatkit::agent::{Agent, DEFAULT_MODEL, Runner};
use chatkit::clock::FixedClock;
use chatkit::http::ask::create_thread_body;
use chatkit::id_gen::SequentialIds;
use chatkit::protocol::{ItemKind, ThreadId, ThreadItem, ThreadStreamEvent, Timestamp};
use chatkit::provider::mock::{MockProvider, Script};
use chatkit::server::{ChatKitServer, ProcessResult, Processor};
use chatkit::store::{MemoryStore, UserContext};
use futures::StreamExt;
use serde_json::{Value, json};

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
