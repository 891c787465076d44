//! The lesson scaffold (`chatkit::http::cli`) as a user meets it: a binary built on it, started
//! as a process, once with `--ask` and once serving on a port.
//!
//! `bench-server` stands for every binary on the scaffold here; its responder streams lorem
//! words (`PERF_DELTAS` of them), so the answers are predictable without a model.

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

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
