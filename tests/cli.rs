//! The lesson scaffold (`chatkit::http::cli`) as a user meets it: the binaries built on it,
//! started as processes, with `--ask` and serving on a port.
//!
//! `bench-server` shows the banner and its `curl` at work; its responder streams lorem words
//! (`PERF_DELTAS` of them), so the answers are predictable without a model. The lessons show
//! that a student's one command works as the chapters say, store file included.

use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};

use chatkit::http::ask::create_thread_body;
use chatkit::http::cli::{EXAMPLE_USER_HEADER, curl_command};

/// `bench-server` with these flags, with the default log filter and three deltas per answer.
fn bench_server(flags: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bench-server"));
    command
        .args(flags)
        .env_remove("RUST_LOG")
        .env("PERF_DELTAS", "3")
        .env("PERF_DELAY_MS", "0");
    command
}

/// A child process that is killed when the test ends, whatever its outcome.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    lines
        .next()
        .expect("the banner has another line")
        .expect("stdout is readable")
}

#[test]
fn ask_prints_one_readable_answer_on_stdout_and_exits() {
    let output = bench_server(&["--ask", "hi"])
        .output()
        .expect("bench-server runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.len() == 3 && lines[0].starts_with("thread thr_") && lines[0].ends_with(" created"),
        "{stdout}"
    );
    assert_eq!(lines[1..], ["you: hi", "assistant: lorem ipsum dolor "]);
    // Only warnings are logged with --ask, and there are none.
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[tokio::test]
async fn served_it_prints_its_address_and_a_curl_whose_request_streams_an_answer() {
    let mut child = bench_server(&["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("bench-server starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let _running = Running(child);
    let mut lines = BufReader::new(stdout).lines();

    let first = next_line(&mut lines);
    let url = first
        .strip_prefix("bench-server listening on ")
        .and_then(|rest| rest.strip_suffix(" (store: memory)"))
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/chatkit"),
        "{url}"
    );
    next_line(&mut lines);
    assert_eq!(next_line(&mut lines), "");
    assert_eq!(next_line(&mut lines), curl_command(&url, "hi"));

    // What the curl sends: that body, that header.
    let (name, value) = EXAMPLE_USER_HEADER.split_once(": ").expect("name: value");
    let response = reqwest::Client::new()
        .post(&url)
        .header(name, value)
        .body(create_thread_body("hi"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("a body");
    assert!(
        body.starts_with(r#"data: {"type":"thread.created""#),
        "{body}"
    );
    assert!(body.contains(r#""delta":"dolor ""#), "{body}");
}

/// Runs a lesson binary with these flags in `dir`, with the default log filter, to its end.
fn lesson(binary: &str, dir: &Path, flags: &[&str]) -> Output {
    let output = Command::new(binary)
        .args(flags)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("OPENAI_API_KEY")
        .output()
        .expect("the lesson runs");
    assert!(output.status.success(), "{output:?}");
    output
}

#[test]
fn lesson01_asks_as_the_chapter_shows_and_keeps_threads_in_a_file_named_after_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let output = lesson(env!("CARGO_BIN_EXE_lesson01"), dir.path(), &["--ask", "hi"]);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let thread = stdout
        .strip_prefix("thread ")
        .and_then(|rest| rest.split_once(" created\n"))
        .map(|(thread, _)| thread)
        .unwrap_or_else(|| panic!("no thread line: {stdout}"));
    assert_eq!(
        stdout,
        format!(
            "thread {thread} created\nyou: hi\n\
             assistant: Hello student! This is thread {thread}. You said: hi\n"
        )
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert!(dir.path().join("chatkit-lesson01.sqlite3").exists());
}

#[test]
fn lesson02_asks_the_mock_model_with_the_memory_store_and_writes_no_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let flags = ["--store", "memory", "--ask", "What can you do?"];
    let output = lesson(env!("CARGO_BIN_EXE_lesson02"), dir.path(), &flags);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[1], "you: What can you do?");
    assert!(
        lines[2].starts_with("assistant: Good question!"),
        "{stdout}"
    );
    let files = std::fs::read_dir(dir.path()).expect("readable").count();
    assert_eq!(files, 0, "--store memory must not create a file");
}

#[test]
fn an_exercise_the_lesson_does_not_have_is_a_usage_error_listing_the_valid_ones() {
    for binary in [
        env!("CARGO_BIN_EXE_lesson01"),
        env!("CARGO_BIN_EXE_lesson02"),
    ] {
        let output = Command::new(binary)
            .args(["--store", "memory", "--exercise", "4", "--ask", "hi"])
            .env_remove("OPENAI_API_KEY")
            .output()
            .expect("the lesson runs");
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("invalid value '4' for '--exercise <N>'"),
            "{stderr}"
        );
        assert!(stderr.contains("[possible values: 1, 2, 3]"), "{stderr}");
        assert!(output.stdout.is_empty(), "nothing is served");
    }
}

/// `--exercise N` serves exercise N's code in the lesson's binary. Only the reference
/// solutions have a known answer (your own exercise is graded by `tests/grade.rs`).
#[cfg(feature = "solutions")]
#[test]
fn exercise_n_serves_the_code_of_exercise_n() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let flags = ["--store", "memory", "--exercise", "1", "--ask", "hi"];
    let output = lesson(env!("CARGO_BIN_EXE_lesson01"), dir.path(), &flags);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(
        stdout.lines().nth(2),
        Some("assistant: student said: hi"),
        "{stdout}"
    );
    let flags = ["--store", "memory", "--exercise", "2"];
    let ask = ["--ask", "What's the forecast for Oslo?"];
    let output = lesson(
        env!("CARGO_BIN_EXE_lesson02"),
        dir.path(),
        &[&flags[..], &ask[..]].concat(),
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        stdout.contains("… Looking up the forecast for Oslo…"),
        "{stdout}"
    );
}

/// `--ask --cancel-after N` as the lesson 03 chapter runs it: the connection is dropped after
/// the first progress update (the fourth event), while the calendar lookup still runs, and
/// the store is printed once the turn is over. A plan keeps the user's message and the hidden
/// note; a deletion, which cannot be cancelled, runs on unseen and keeps its whole answer.
#[test]
fn lesson03_cancel_after_shows_what_the_store_keeps_once_the_turn_is_over() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let run = |message: &str| {
        let flags = [
            "--store",
            "memory",
            "--delay-ms",
            "50",
            "--cancel-after",
            "4",
        ];
        let output = lesson(
            env!("CARGO_BIN_EXE_lesson03"),
            dir.path(),
            &[&flags[..], &["--ask", message][..]].concat(),
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "");
        let stdout = String::from_utf8(output.stdout).expect("UTF-8");
        // `thread thr_… created` names the thread; the rest is the same on every run.
        let thread = stdout
            .strip_prefix("thread ")
            .and_then(|rest| rest.split_once(" created\n"))
            .map(|(thread, _)| thread.to_owned())
            .unwrap_or_else(|| panic!("no thread line: {stdout}"));
        stdout.replace(&thread, "thr_X")
    };
    let cut = "thread thr_X created\n";
    assert_eq!(
        run("Plan my day"),
        format!(
            "{cut}you: Plan my day\n… Checking your calendar…\n\
             -- connection dropped after 4 events; waiting for the turn to end --\n\
             stored for thr_X:\n  you: Plan my day\n  (hidden) {}\n",
            chatkit::server::CANCELLED_NOTE
        )
    );
    assert_eq!(
        run("delete my day"),
        format!(
            "{cut}you: delete my day\n… Checking your calendar…\n\
             -- connection dropped after 4 events; waiting for the turn to end --\n\
             stored for thr_X:\n  you: delete my day\n  workflow: Cleared 3 blocks (3 tasks)\n\
             \x20 assistant: Done: your morning, afternoon and evening are clear. Deleting cannot \
             be undone, so this answer is finished and stored even if you leave.\n"
        )
    );
}

/// Lesson 03's `--exercise 2` with the reference solution: the answer cut after its first
/// word is kept marked as stopped.
#[cfg(feature = "solutions")]
#[test]
fn lesson03_exercise_2_keeps_the_cut_answer_marked_as_stopped() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let flags = ["--store", "memory", "--exercise", "2"];
    let ask = ["--ask", "hi", "--cancel-after", "6"];
    let output = lesson(
        env!("CARGO_BIN_EXE_lesson03"),
        dir.path(),
        &[&flags[..], &ask[..]].concat(),
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        stdout.contains("\n  assistant: Hel (stopped)\n"),
        "{stdout}"
    );
}

/// Lesson 04 as its chapter runs it: a note in a new thread (kept in
/// `chatkit-lesson04.sqlite3`), the question in the same thread with `--thread`, and
/// `--show-input` printing the request the model received, the first note in it; with a tiny
/// budget, the note is out of the window.
#[test]
fn lesson04_continues_a_thread_and_shows_the_model_request() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let binary = env!("CARGO_BIN_EXE_lesson04");
    let note = "Remember that I take tea without sugar.";
    let output = lesson(binary, dir.path(), &["--ask", note]);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let thread = stdout
        .strip_prefix("thread ")
        .and_then(|rest| rest.split_once(" created\n"))
        .map(|(thread, _)| thread.to_owned())
        .unwrap_or_else(|| panic!("no thread line: {stdout}"));
    assert!(dir.path().join("chatkit-lesson04.sqlite3").exists());
    let question = "What did I ask you to remember?";
    let ask = |budget: &str| {
        let flags = [
            "--max-tokens",
            budget,
            "--thread",
            &thread,
            "--ask",
            question,
            "--show-input",
        ];
        let output = lesson(binary, dir.path(), &flags);
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let remembered = ask("2000");
    assert!(
        remembered
            .contains("assistant: You asked me to remember: \"that I take tea without sugar\".")
            && remembered.contains("── model request 1: previous_response_id none")
            && remembered.contains("sent 3 items")
            && remembered.contains(note),
        "{remembered}"
    );
    let forgotten = ask("20");
    assert!(
        forgotten.contains("assistant: You haven't asked me to remember anything yet.")
            && !forgotten.contains(note),
        "{forgotten}"
    );
}
