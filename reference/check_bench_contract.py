"""Check that the two bench servers stream the same thing, so the benchmark compares like with like.

`BENCHMARKS.md` compares the Rust `bench-server` with `reference/bench_app.py` (the Python SDK)
on one contract: a create stream of `thread.created`, the user's message, `stream_options`, an
empty assistant message, N lorem-word deltas and the finished message. This starts both servers
on free loopback ports, sends each the same requests (the default 20 deltas, and a `perf
deltas=5` override), and compares the streams event by event after one normalisation: the ids
(random on both sides) become `<id1>`, `<id2>`, … in order of appearance, and every
`created_at` becomes `<time>` (the SDK writes naive local times, Rust UTC with `Z`). Anything
else that differs, a field, its order, a delta, fails the check.

Run with the SDK's venv:
    target/pyenv/bin/python reference/check_bench_contract.py path/to/bench-server
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from families import REPO_ROOT

ID = re.compile(r'"((?:thr|msg|cti|wf|tsk|atc)_[0-9a-f]{8})"')
CREATED_AT = re.compile(r'"created_at":"[^"]*"')
PREFIX = "listening on "


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    """Starts a server whose first line says `listening on URL` once bound (the Rust banner has
    words before and after it); its process and URL."""
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert server.stdout is not None
    line = server.stdout.readline()
    _, found, rest = line.partition(PREFIX)
    if not found or not rest.split():
        server.kill()
        raise RuntimeError(f"{command[0]} did not start: {line!r}")
    url = rest.split()[0]
    wait_until_accepting(url)
    return server, url


def wait_until_accepting(url: str) -> None:
    """Waits up to 30 s for connections: the Python app prints its port when it binds, before
    uvicorn listens."""
    address = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection((address.hostname, address.port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def create_stream(url: str, text: str) -> list[str]:
    """The `data:` payloads of a `threads.create` with one text message."""
    body = {"type": "threads.create", "params": {"input": {
        "content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}}}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        sse = response.read().decode()
    return [line[len("data: "):] for line in sse.split("\n") if line.startswith("data: ")]


def normalised(events: list[str]) -> list[str]:
    """The events with ids numbered by first appearance and every `created_at` blanked."""
    seen: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return '"' + seen.setdefault(match.group(1), f"<id{len(seen) + 1}>") + '"'

    return [CREATED_AT.sub('"created_at":"<time>"', ID.sub(number, event)) for event in events]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rust, rust_url = start([sys.argv[1], "--port", "0"])
    python, python_url = start([sys.executable, str(Path(__file__).with_name("bench_app.py")), "--port", "0"])
    failures = 0
    try:
        for text in ("hello", "perf deltas=5"):
            ours, theirs = normalised(create_stream(rust_url, text)), normalised(create_stream(python_url, text))
            if ours == theirs:
                print(f"{text!r}: {len(ours)} events, identical once ids and times are normalised")
                continue
            failures += 1
            print(f"{text!r}: the streams differ ({len(ours)} Rust events, {len(theirs)} Python events)")
            for index, (a, b) in enumerate(zip(ours, theirs)):
                if a != b:
                    print(f"  first difference at event {index}:\n    rust:   {a}\n    python: {b}")
                    break
    finally:
        for server in (rust, python):
            server.kill()
            server.wait()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
