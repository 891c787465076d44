//! Several server instances on one PostgreSQL database, as real processes: what issue 20
//! promises of a deployment past one machine.
//!
//! * A thread runs one turn at a time across instances: while instance A streams a turn, a
//!   message sent to instance B for the same thread is `409 thread_busy` and stores nothing;
//!   once A's stream has ended, B takes the next message at once.
//! * An instance killed with SIGKILL mid-turn does not leave its thread locked: the lock is a
//!   session advisory lock, so the database frees it when the dead process's connection goes.
//! * A conversation that alternates between two instances gets exactly the answers one
//!   instance gives (ids and timestamps aside, which are random in the binaries).
//! * A load of concurrent creates over both instances, with one of them killed in the middle:
//!   every stream that ended is in the store, whole, through the survivor, and no thread holds
//!   half an answer.
//!
//! Each test starts its own instances (`--store postgres --port 0`, the address read from the
//! banner) and speaks HTTP to them. They share the test database's `chatkit` schema, so each
//! test speaks as a user of its own (random per run): no test sees another's threads, and
//! they can run in parallel with each other and with the rest of the suite. The threads are
//! left in the test database, under those users.
//!
//! The database comes from `CHATKIT_TEST_DATABASE_URL`. Without it these tests pass at once
//! and one line says how to run them; `.ci/run` always sets it, so CI never skips them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chatkit::http::ask::{add_user_message_body, create_thread_body};
use chatkit::protocol::ThreadId;
use chatkit::store::contract::test_database_url;
use futures::future::join_all;
use indexmap::IndexMap;
use serde_json::{Value, json};

/// A user no other test or run speaks as.
fn fresh_user(test: &str) -> String {
    format!("instances-{test}-{}", uuid::Uuid::new_v4().simple())
}

/// A request on its way to an instance.
type Request = reqwest::RequestBuilder;

/// One server process on the test database, killed (SIGKILL) when dropped, whatever the
/// test's outcome.
struct Instance {
    /// Its stdout stays piped and open, so the server never writes into a closed pipe.
    child: Child,
    /// The endpoint, from the banner.
    url: String,
}

impl Instance {
    /// Starts `binary` on a free port with the PostgreSQL store and the `extra` flags. Call
    /// [`Instance::wait_for_banner`] before using it.
    fn spawn(binary: &str, database_url: &str, extra: &[&str]) -> Instance {
        let child = Command::new(binary)
            .args(["--port", "0", "--store", "postgres", "--database-url"])
            .arg(database_url)
            .args(extra)
            // Errors only: a passing run prints nothing, a failing one shows the server's view.
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("{binary} starts: {error}"));
        Instance {
            child,
            url: String::new(),
        }
    }

    /// Reads the banner's first line, `NAME listening on URL (store: …)`, for the URL.
    fn wait_for_banner(&mut self) {
        let stdout = self.child.stdout.as_mut().expect("stdout is piped");
        let mut banner = String::new();
        BufReader::new(stdout)
            .read_line(&mut banner)
            .expect("stdout is readable");
        self.url = banner
            .split_once(" listening on ")
            .and_then(|(_, rest)| rest.split_once(" (store: PostgreSQL"))
            .map(|(url, _)| url.to_owned())
            .unwrap_or_else(|| panic!("not a banner: {banner:?} (did the server fail?)"));
    }

    /// Kills the process with SIGKILL (what `Child::kill` sends on Unix) and waits for it, so
    /// that when this returns the process is gone and the kernel has closed its sockets.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A POST of `body` to the endpoint, as `user`.
    fn post(&self, client: &reqwest::Client, user: &str, body: impl Into<String>) -> Request {
        client
            .post(&self.url)
            .header("x-user-id", user)
            .body(body.into())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts two instances of `binary` on one database and waits until both serve. Both start
/// before either is waited for, so their start-ups (and migrations, which take turns) overlap.
fn two_instances(binary: &str, database_url: &str, extra: &[&str]) -> (Instance, Instance) {
    let (mut a, mut b) = (
        Instance::spawn(binary, database_url, extra),
        Instance::spawn(binary, database_url, extra),
    );
    a.wait_for_banner();
    b.wait_for_banner();
    (a, b)
}

/// A client whose every request gives up after 15 s, so a hung server fails the test
/// instead of stalling the suite.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("a client")
}

/// An SSE answer read event by event: the JSON of each `data:` line (comments, such as
/// keep-alives, are skipped).
struct Sse {
    response: reqwest::Response,
    buffer: Vec<u8>,
}

impl Sse {
    /// `response`, which must be a `200 text/event-stream`.
    async fn of(response: reqwest::Response) -> Sse {
        let status = response.status();
        let streaming = response
            .headers()
            .get("content-type")
            .is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
        if status != 200 || !streaming {
            let body = response.text().await.unwrap_or_default();
            panic!("expected a stream, got {status}: {body}");
        }
        Sse {
            response,
            buffer: Vec::new(),
        }
    }

    /// The next event; `Ok(None)` at the end of the stream, `Err` if it was cut (the
    /// connection broke, or closed inside an event).
    async fn next(&mut self) -> Result<Option<Value>, String> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|pair| pair == b"\n\n") {
                let frame: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let frame = String::from_utf8(frame).expect("SSE is UTF-8");
                let data: String = frame
                    .lines()
                    .filter_map(|line| line.strip_prefix("data: "))
                    .collect();
                if data.is_empty() {
                    continue;
                }
                return Ok(Some(serde_json::from_str(&data).expect("an event is JSON")));
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => self.buffer.extend_from_slice(&chunk),
                Ok(None) if self.buffer.is_empty() => return Ok(None),
                Ok(None) => return Err("the stream ended inside an event".to_owned()),
                Err(error) => return Err(error.to_string()),
            }
        }
    }

    /// Reads up to and including the first event of type `kind`, and returns it.
    async fn until(&mut self, kind: &str) -> Value {
        loop {
            let event = self
                .next()
                .await
                .expect("the stream is readable")
                .unwrap_or_else(|| panic!("the stream ended before a {kind}"));
            if event["type"] == kind {
                return event;
            }
        }
    }

    /// Every remaining event, to the end of a stream that must end cleanly.
    async fn rest(&mut self) -> Vec<Value> {
        let mut events = Vec::new();
        while let Some(event) = self.next().await.expect("the stream ends cleanly") {
            events.push(event);
        }
        events
    }
}

/// Sends a request that answers with a stream.
async fn stream_answer(request: Request) -> Sse {
    Sse::of(request.send().await.expect("the server answers")).await
}

/// Sends a request that answers with JSON: its status and body.
async fn json_answer(request: Request) -> (u16, Value) {
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let body = response.json().await.expect("a JSON body");
    (status, body)
}

/// The request body of `kind` with `params`.
fn body(kind: &str, params: Value) -> String {
    json!({ "type": kind, "params": params }).to_string()
}

/// A thread's items, oldest first (more than any of these threads holds).
fn items_list(thread: &str) -> String {
    body(
        "items.list",
        json!({ "thread_id": thread, "order": "asc", "limit": 100 }),
    )
}

/// The text of an item: its content parts' texts, joined.
fn text(item: &Value) -> String {
    item["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|part| part["text"].as_str())
        .collect()
}

/// The 409 a streaming request on a thread whose turn is running gets.
fn thread_busy(thread: &str) -> Value {
    json!({"error": {
        "code": "thread_busy",
        "message": format!("Thread {thread} has a turn in progress; send again when it has ended"),
    }})
}

/// Lesson 03's pause between two steps, in ms: its turn (about 32 pauses) then lasts about
/// 3 s, which leaves the other instance ample time to be refused while it runs, and its
/// calendar lookup (10 pauses) stays well within its 5 s deadline.
const SLOW_TURN_DELAY_MS: &str = "100";

#[tokio::test]
async fn a_second_turn_on_a_thread_is_refused_on_another_instance_until_the_first_ends() {
    let Some(database) = test_database_url() else {
        return;
    };
    let (a, b) = two_instances(
        env!("CARGO_BIN_EXE_lesson03"),
        &database,
        &["--delay-ms", SLOW_TURN_DELAY_MS],
    );
    let (client, user) = (client(), fresh_user("busy"));

    let mut first =
        stream_answer(a.post(&client, &user, create_thread_body("Plan my Saturday"))).await;
    let created = first.until("thread.created").await;
    let thread = created["thread"]["id"]
        .as_str()
        .expect("a thread id")
        .to_owned();
    // The lock is taken before `thread.created` is written, so from here on A's turn holds it.
    let second = add_user_message_body(&ThreadId::new(thread.clone()), "And Sunday?");
    let (status, refusal) = json_answer(b.post(&client, &user, second.clone())).await;
    assert_eq!(
        (status, refusal),
        (409, thread_busy(&thread)),
        "B refuses a turn while A runs one"
    );
    let (status, during) = json_answer(b.post(&client, &user, items_list(&thread))).await;
    assert_eq!(status, 200, "{during}");
    let user_messages: Vec<String> = during["data"]
        .as_array()
        .expect("a page")
        .iter()
        .filter(|item| item["type"] == "user_message")
        .map(text)
        .collect();
    assert_eq!(
        user_messages,
        ["Plan my Saturday"],
        "the refusal stored nothing"
    );

    // A's turn ends untouched: the thread holds exactly the items its stream finished.
    let finished: Vec<Value> = first
        .rest()
        .await
        .into_iter()
        .filter(|event| event["type"] == "thread.item.done")
        .map(|event| event["item"]["id"].clone())
        .collect();
    let (status, after) = json_answer(b.post(&client, &user, items_list(&thread))).await;
    assert_eq!(status, 200, "{after}");
    let stored: Vec<Value> = after["data"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|item| item["id"].clone())
        .collect();
    assert_eq!(stored, finished, "the stored items are those of A's turn");
    assert_eq!(stored.len(), 3, "user message, workflow, answer: {after}");

    // The lock was released before A's stream closed: the very next try is accepted.
    let mut next = stream_answer(b.post(&client, &user, second)).await;
    let stored_message = next.until("thread.item.done").await;
    assert_eq!(text(&stored_message["item"]), "And Sunday?");
}

#[tokio::test]
async fn an_instance_killed_mid_turn_does_not_leave_its_thread_locked() {
    let Some(database) = test_database_url() else {
        return;
    };
    let (mut a, b) = two_instances(
        env!("CARGO_BIN_EXE_lesson03"),
        &database,
        &["--delay-ms", SLOW_TURN_DELAY_MS],
    );
    let (client, user) = (client(), fresh_user("killed"));

    let mut turn =
        stream_answer(a.post(&client, &user, create_thread_body("Plan my Saturday"))).await;
    let created = turn.until("thread.created").await;
    let thread = created["thread"]["id"]
        .as_str()
        .expect("a thread id")
        .to_owned();
    let second = add_user_message_body(&ThreadId::new(thread.clone()), "Are you there?");
    let (status, refusal) = json_answer(b.post(&client, &user, second.clone())).await;
    assert_eq!((status, refusal), (409, thread_busy(&thread)), "A holds it");

    a.kill();
    let killed = Instant::now();
    let deadline = killed + Duration::from_secs(5);
    let mut accepted = loop {
        let response = b
            .post(&client, &user, second.clone())
            .send()
            .await
            .expect("B answers");
        if response.status() == 200 {
            break Sse::of(response).await;
        }
        let status = response.status().as_u16();
        let refusal: Value = response.json().await.expect("a JSON error");
        assert_eq!((status, refusal), (409, thread_busy(&thread)));
        assert!(
            Instant::now() < deadline,
            "the thread was still locked 5 s after its instance died"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let unlocked_after = killed.elapsed();
    eprintln!("the thread of the killed instance was free after {unlocked_after:?}");
    let stored_message = accepted.until("thread.item.done").await;
    assert_eq!(text(&stored_message["item"]), "Are you there?");
}

/// Answers to a conversation, in order: each request's label and HTTP status, and its JSON
/// body or the events of its stream.
type Transcript = Vec<(&'static str, u16, Vec<Value>)>;

/// Plays the conversation of the two-instance test: each step goes to `a` or `b` as its
/// comment says (pass the same instance twice for the one-instance run).
async fn play_conversation(a: &Instance, b: &Instance, user: &str) -> Transcript {
    let client = client();
    let mut transcript: Transcript = Vec::new();
    let id = |value: &Value| value.as_str().expect("an id").to_owned();

    // A creates a thread; B adds a message to it; B creates a second thread, so that the
    // list has two pages.
    let mut created = stream_answer(a.post(&client, user, create_thread_body("Hello"))).await;
    let events = created.rest().await;
    let thread = id(&events[0]["thread"]["id"]);
    let first_message = id(&events[1]["item"]["id"]);
    transcript.push(("create on A", 200, events));
    let thread_id = ThreadId::new(thread.clone());
    let mut added =
        stream_answer(b.post(&client, user, add_user_message_body(&thread_id, "Again"))).await;
    transcript.push(("add_user_message on B", 200, added.rest().await));
    let mut other = stream_answer(b.post(&client, user, create_thread_body("Elsewhere"))).await;
    transcript.push(("create on B", 200, other.rest().await));

    // A pages the threads, one per page.
    let (status, page) =
        json_answer(a.post(&client, user, body("threads.list", json!({"limit": 1})))).await;
    let after = page["after"].clone();
    transcript.push(("threads.list on A", status, vec![page]));
    let params = json!({ "limit": 1, "after": after });
    let (status, page) = json_answer(a.post(&client, user, body("threads.list", params))).await;
    transcript.push(("threads.list after on A", status, vec![page]));

    // B retries the first message: its answer and everything after it are replaced.
    let params = json!({ "thread_id": thread, "item_id": first_message });
    let mut retried =
        stream_answer(b.post(&client, user, body("threads.retry_after_item", params))).await;
    transcript.push(("retry_after_item on B", 200, retried.rest().await));
    let (status, items) = json_answer(a.post(&client, user, items_list(&thread))).await;
    transcript.push(("items.list on A", status, vec![items]));

    // A deletes the thread; B no longer finds it, and lists only the other.
    let params = json!({ "thread_id": thread });
    let (status, deleted) =
        json_answer(a.post(&client, user, body("threads.delete", params.clone()))).await;
    transcript.push(("threads.delete on A", status, vec![deleted]));
    let (status, missing) =
        json_answer(b.post(&client, user, body("threads.get_by_id", params))).await;
    transcript.push(("threads.get_by_id on B", status, vec![missing]));
    let (status, list) = json_answer(b.post(&client, user, body("threads.list", json!({})))).await;
    transcript.push(("threads.list on B", status, vec![list]));
    transcript
}

/// The id prefixes the binaries generate (`chatkit::id_gen::IdKind`), each followed by `_`.
const ID_PREFIXES: [&str; 7] = ["thr_", "msg_", "tc_", "wf_", "tsk_", "atc_", "shcx_"];

/// `transcript` with every timestamp replaced by `<time>`, `user` by `<user>`, and every id,
/// wherever it occurs (lesson 01's answer quotes its thread's id), by `<id N>`, N counting
/// distinct ids in order of first appearance: two transcripts compare equal when they differ
/// only in the random ids, the clock and the user's name.
fn normalised(transcript: &Transcript, user: &str) -> String {
    let mut ids = IndexMap::new();
    let mut lines = Vec::new();
    for (label, status, values) in transcript {
        for value in values {
            let mut value = value.clone();
            normalise(&mut value, &mut ids);
            let line = format!("{label} {status}: {value}");
            lines.push(line.replace(user, "<user>"));
        }
    }
    lines.join("\n")
}

/// [`normalised`] for one value, in place.
fn normalise(value: &mut Value, ids: &mut IndexMap<String, String>) {
    match value {
        Value::String(text) => {
            if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
                *text = "<time>".to_owned();
            } else {
                *text = without_ids(text, ids);
            }
        }
        Value::Array(values) => values.iter_mut().for_each(|value| normalise(value, ids)),
        Value::Object(map) => map.values_mut().for_each(|value| normalise(value, ids)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `text` with each id in it replaced by its placeholder: a prefix at the start of a word,
/// followed by letters and digits.
fn without_ids(text: &str, ids: &mut IndexMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut at_word_start = true;
    while let Some(next) = rest.chars().next() {
        let prefix = ID_PREFIXES
            .iter()
            .find(|prefix| at_word_start && rest.starts_with(*prefix));
        if let Some(prefix) = prefix {
            let tail = &rest[prefix.len()..];
            let length = prefix.len()
                + tail
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(tail.len());
            let next_number = ids.len() + 1;
            let placeholder = ids
                .entry(rest[..length].to_owned())
                .or_insert_with(|| format!("<id {next_number}>"));
            out.push_str(placeholder);
            rest = &rest[length..];
            at_word_start = false;
            continue;
        }
        out.push(next);
        at_word_start = !(next.is_alphanumeric() || next == '_');
        rest = &rest[next.len_utf8()..];
    }
    out
}

#[tokio::test]
async fn a_conversation_alternating_between_two_instances_is_what_one_instance_gives() {
    let Some(database) = test_database_url() else {
        return;
    };
    let (a, b) = two_instances(env!("CARGO_BIN_EXE_lesson01"), &database, &[]);

    let users = (fresh_user("two"), fresh_user("one"));
    let alternating = play_conversation(&a, &b, &users.0).await;
    let alone = play_conversation(&a, &a, &users.1).await;

    // The users differ by name only, and lesson 01's answers quote the user.
    let alternating = normalised(&alternating, &users.0);
    let alone = normalised(&alone, &users.1);
    assert_eq!(alternating, alone);
    assert!(
        alternating.contains("threads.get_by_id on B 404"),
        "{alternating}"
    );
}

/// What one create of the load run saw.
struct Outcome {
    on_a: bool,
    message: String,
    /// From its `thread.created`, if that arrived.
    thread: Option<String>,
    /// The final assistant `thread.item.done`'s item, if the stream ended cleanly with it.
    answer: Option<Value>,
}

/// How long a slow create of the load run pauses between its deltas: 19 pauses make 3.8 s,
/// far longer than the rest of the run takes to reach the kill, so A's slow creates are cut
/// mid-answer (the test needs at least one).
const SLOW_DELAY_MS: u64 = 200;

/// A sender told once when the kill may come, as far as one create is concerned.
type Milestone = tokio::sync::mpsc::UnboundedSender<()>;

/// Sends one create and reads its stream as far as it goes. A create of A's has a
/// `milestone`: a fast one reaches it when its stream ends, a slow one at its first delta
/// (its answer is then under way), and either when it fails.
async fn load_one(
    client: reqwest::Client,
    url: String,
    user: String,
    mut outcome: Outcome,
    slow: bool,
    mut milestone: Option<Milestone>,
) -> Outcome {
    let mut reached = || {
        if let Some(milestone) = milestone.take() {
            let _ = milestone.send(());
        }
    };
    let request = client
        .post(&url)
        .header("x-user-id", &user)
        .body(create_thread_body(&outcome.message));
    let Ok(response) = request.send().await else {
        reached();
        return outcome;
    };
    let mut events = Sse::of(response).await;
    let mut last = None;
    loop {
        match events.next().await {
            Ok(Some(event)) => {
                if event["type"] == "thread.created" {
                    outcome.thread = event["thread"]["id"].as_str().map(str::to_owned);
                }
                if slow && event["type"] == "thread.item.updated" {
                    reached();
                }
                last = Some(event);
            }
            Ok(None) => {
                let done = last.filter(|event| {
                    event["type"] == "thread.item.done"
                        && event["item"]["type"] == "assistant_message"
                });
                outcome.answer = done.map(|event| event["item"].clone());
                break;
            }
            Err(_) => break,
        }
    }
    reached();
    outcome
}

/// Every thread of `user`, through `instance`, with its items oldest first.
async fn every_thread(instance: &Instance, user: &str) -> IndexMap<String, Vec<Value>> {
    let client = client();
    let mut threads = IndexMap::new();
    let mut after = Value::Null;
    loop {
        let params = json!({ "limit": 50, "order": "asc", "after": after });
        let (status, page) =
            json_answer(instance.post(&client, user, body("threads.list", params))).await;
        assert_eq!(status, 200, "{page}");
        for thread in page["data"].as_array().expect("a page") {
            let id = thread["id"].as_str().expect("an id").to_owned();
            let (status, items) = json_answer(instance.post(&client, user, items_list(&id))).await;
            assert_eq!(status, 200, "{items}");
            assert_eq!(items["has_more"], false, "{items}");
            threads.insert(id, items["data"].as_array().expect("a page").clone());
        }
        if page["has_more"] != true {
            return threads;
        }
        after = page["after"].clone();
    }
}

#[tokio::test]
async fn concurrent_creates_over_two_instances_survive_a_sigkill_of_one() {
    let Some(database) = test_database_url() else {
        return;
    };
    let (mut a, b) = two_instances(env!("CARGO_BIN_EXE_bench-server"), &database, &[]);
    let (client, user) = (client(), fresh_user("load"));

    // 100 creates, every other one on A; half of each instance's are fast (no pause), half
    // slow. A is killed once its fast ones have all ended and its slow ones are all mid-answer.
    const CREATES: usize = 100;
    let (milestone, mut milestones) = tokio::sync::mpsc::unbounded_channel();
    let creates = (0..CREATES).map(|n| {
        let on_a = n % 2 == 0;
        let slow = n % 4 >= 2;
        let delay = if slow { SLOW_DELAY_MS } else { 0 };
        let url = if on_a { &a.url } else { &b.url };
        let outcome = Outcome {
            on_a,
            message: format!("perf deltas=20 delay_ms={delay} create={n}"),
            thread: None,
            answer: None,
        };
        // Only A's creates decide when A dies.
        let milestone = on_a.then(|| milestone.clone());
        load_one(
            client.clone(),
            url.clone(),
            user.clone(),
            outcome,
            slow,
            milestone,
        )
    });
    let creates: Vec<_> = creates.collect();
    drop(milestone);
    let kill_a = async {
        for _ in 0..CREATES / 2 {
            milestones.recv().await.expect("every create on A reports");
        }
        a.kill();
    };
    let (outcomes, ()) = tokio::join!(join_all(creates), kill_a);

    let threads = every_thread(&b, &user).await;
    let finished: Vec<&Outcome> = outcomes.iter().filter(|o| o.answer.is_some()).collect();
    let finished_on_a = finished.iter().filter(|o| o.on_a).count();
    let cut = outcomes.len() - finished.len();
    let with_answer = threads.values().filter(|items| items.len() == 2).count();
    eprintln!(
        "{CREATES} creates: {} finished ({finished_on_a} on A, {} on B), {cut} cut by the kill; \
         {} threads found through B ({with_answer} with their answer, {} with the user's \
         message only)",
        finished.len(),
        finished.len() - finished_on_a,
        threads.len(),
        threads.len() - with_answer,
    );
    assert!(
        outcomes.iter().all(|o| o.on_a || o.answer.is_some()),
        "every stream of B ends"
    );
    assert!(finished_on_a > 0 && cut > 0, "A died mid-run");

    // Every answer is the same 20 words, as the finished streams show.
    let whole = text(finished[0].answer.as_ref().expect("finished"));
    assert_eq!(whole.split_whitespace().count(), 20, "{whole}");
    for outcome in &finished {
        let answer = outcome.answer.as_ref().expect("finished");
        let thread = outcome
            .thread
            .as_ref()
            .expect("a finished stream named its thread");
        let items = threads
            .get(thread)
            .unwrap_or_else(|| panic!("{thread} finished but is not in the store"));
        assert_eq!(items.len(), 2, "{thread}: {items:?}");
        assert_eq!(items[0]["type"], "user_message");
        assert_eq!(text(&items[0]), outcome.message);
        assert_eq!(&items[1], answer, "{thread}: the answer as it was streamed");
    }
    // No thread holds more than one turn, or half of one: a cut turn leaves the user's
    // message alone (the answer is stored at its `done`, in one write, or not at all).
    for (thread, items) in &threads {
        assert!(matches!(items.len(), 1 | 2), "{thread}: {items:?}");
        assert_eq!(items[0]["type"], "user_message", "{thread}: {items:?}");
        assert!(text(&items[0]).starts_with("perf "), "{thread}: {items:?}");
        if let Some(answer) = items.get(1) {
            assert_eq!(answer["type"], "assistant_message", "{thread}");
            assert_eq!(text(answer), whole, "{thread}: a whole answer");
        }
    }
}
