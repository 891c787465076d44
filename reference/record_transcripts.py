"""Record what the Python SDK's own server sends for each lesson's conversation.

Every lesson binary has a Rust test (`tests/lessons.rs`) that runs the lesson's server
in-process and compares its output, byte for byte, with a transcript recorded here from
`openai-chatkit` 1.6.5 running a Python server that answers the same way. A transcript is
what a client receives: the SSE bytes of a streaming request (`.sse`) or the JSON body of
another request (`.json`), in `fixtures/transcripts/<lesson>_<step>.<ext>`.

To make two servers in two languages produce the same bytes, everything that varies is
injected, exactly as the Rust side injects it:

* ids come from a store that counts per kind (`thr_0001`, `msg_0001`, `msg_0002`, ...),
  which is what the Rust `SequentialIds` generator does;
* time comes from a clock that starts at 2025-01-02T03:04:05Z and moves one second per
  reading (the Rust `FixedClock`). The SDK calls `datetime.now()` inline, so the script
  replaces the `datetime` name inside `chatkit.server` with that clock; its values are
  timezone-aware UTC, which pydantic writes in the same form as the Rust `Timestamp`.

Run with the SDK's venv:  target/pyenv/bin/python reference/record_transcripts.py
It rewrites fixtures/transcripts/ byte for byte on every run; CI checks that it does.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import chatkit.server as sdk_server
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    Attachment,
    Page,
    ThreadItem,
    ThreadItemDoneEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    UserMessageTextContent,
)
from families import REPO_ROOT, sdk_version_problem

TRANSCRIPTS_DIR = REPO_ROOT / "fixtures" / "transcripts"
START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

Context = dict[str, str]


class SteppingClock:
    """Stands in for `datetime` inside chatkit.server: each `now()` is one second later."""

    def __init__(self, start: datetime) -> None:
        self._next = start

    def now(self, tz: Any = None) -> datetime:
        reading = self._next
        self._next = reading + timedelta(seconds=1)
        return reading


class CountingStore(Store[Context]):
    """An in-memory store whose ids count per kind, like the Rust `SequentialIds`.

    It keeps only what a lesson transcript needs: threads and items per user, ordered by
    `(created_at, id)` as the Rust stores order them.
    """

    def __init__(self) -> None:
        self._counters: dict[str, int] = defaultdict(int)
        self._threads: dict[tuple[str, str], ThreadMetadata] = {}
        self._items: dict[tuple[str, str], list[ThreadItem]] = defaultdict(list)

    def _next_id(self, prefix: str) -> str:
        self._counters[prefix] += 1
        return f"{prefix}_{self._counters[prefix]:04d}"

    def generate_thread_id(self, context: Context) -> str:
        return self._next_id("thr")

    def generate_item_id(self, item_type, thread, context) -> str:
        prefixes = {"message": "msg", "tool_call": "tc", "workflow": "wf", "task": "tsk",
                    "sdk_hidden_context": "shcx", "attachment": "atc", "thread": "thr"}
        return self._next_id(prefixes[item_type])

    async def load_thread(self, thread_id: str, context: Context) -> ThreadMetadata:
        key = (context["user_id"], thread_id)
        if key not in self._threads:
            raise NotFoundError(f"Thread {thread_id} not found")
        return self._threads[key].model_copy(deep=True)

    async def save_thread(self, thread: ThreadMetadata, context: Context) -> None:
        stored = ThreadMetadata(**thread.model_dump())
        self._threads[(context["user_id"], thread.id)] = stored

    async def load_threads(self, limit: int, after: str | None, order: str, context: Context) -> Page[ThreadMetadata]:
        mine = [t for (owner, _), t in self._threads.items() if owner == context["user_id"]]
        return _page(mine, limit, after, order)

    async def load_thread_items(self, thread_id: str, after: str | None, limit: int, order: str, context: Context) -> Page[ThreadItem]:
        return _page(self._items[(context["user_id"], thread_id)], limit, after, order)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Context) -> None:
        self._items[(context["user_id"], thread_id)].append(item.model_copy(deep=True))

    async def save_item(self, thread_id: str, item: ThreadItem, context: Context) -> None:
        items = self._items[(context["user_id"], thread_id)]
        items[:] = [i for i in items if i.id != item.id] + [item.model_copy(deep=True)]

    async def load_item(self, thread_id: str, item_id: str, context: Context) -> ThreadItem:
        for item in self._items[(context["user_id"], thread_id)]:
            if item.id == item_id:
                return item
        raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")

    async def delete_thread(self, thread_id: str, context: Context) -> None:
        self._threads.pop((context["user_id"], thread_id), None)
        self._items.pop((context["user_id"], thread_id), None)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Context) -> None:
        items = self._items[(context["user_id"], thread_id)]
        items[:] = [i for i in items if i.id != item_id]

    async def save_attachment(self, attachment: Attachment, context: Context) -> None:
        raise NotImplementedError("the lesson transcripts use no attachments")

    async def load_attachment(self, attachment_id: str, context: Context) -> Attachment:
        raise NotFoundError(f"File {attachment_id} not found")

    async def delete_attachment(self, attachment_id: str, context: Context) -> None:
        raise NotImplementedError("the lesson transcripts use no attachments")


def _page(elements: list, limit: int, after: str | None, order: str) -> Page:
    """One page, ordered by (created_at, id), the cursor being an element id."""
    ordered = sorted(elements, key=lambda e: (e.created_at, e.id), reverse=order == "desc")
    start = 0
    if after is not None:
        start = next(i for i, e in enumerate(ordered) if e.id == after) + 1
    rest = ordered[start:]
    data = rest[:limit]
    has_more = len(rest) > limit
    return Page(data=data, has_more=has_more, after=data[-1].id if has_more and data else None)


def user_text(item: UserMessageItem | None) -> str:
    """The text parts of a user message joined by spaces, as the Rust lessons compute it."""
    if item is None:
        return ""
    return " ".join(part.text for part in item.content if isinstance(part, UserMessageTextContent))


class Lesson01Server(ChatKitServer[Context]):
    """lessons/lesson01/echo.rs in Python: one finished assistant message, no model."""

    def __init__(self, store: CountingStore, clock: SteppingClock) -> None:
        super().__init__(store)
        self.clock = clock

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: Context) -> AsyncIterator[ThreadStreamEvent]:
        reply = f"Hello {context['user_id']}! This is thread {thread.id}. You said: {user_text(input_user_message)}"
        yield ThreadItemDoneEvent(item=AssistantMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=self.clock.now(),
            content=[AssistantMessageContent(text=reply)],
        ))


def create(text: str) -> str:
    return ('{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":%s}],'
            '"attachments":[],"inference_options":{}}}}') % _json_string(text)


def add_user_message(thread_id: str, text: str) -> str:
    return ('{"type":"threads.add_user_message","params":{"thread_id":"%s","input":{"content":'
            '[{"type":"input_text","text":%s}],"attachments":[],"inference_options":{}}}}') % (thread_id, _json_string(text))


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# Each lesson: the server it runs, and its requests in order, each with the transcript name.
LESSONS: dict[str, tuple[Callable[[CountingStore, SteppingClock], ChatKitServer], list[tuple[str, str]]]] = {
    "lesson01": (Lesson01Server, [
        ("create", create("hi")),
        ("add_user_message", add_user_message("thr_0001", "how are you?")),
        ("get_by_id", '{"type":"threads.get_by_id","params":{"thread_id":"thr_0001"}}'),
        ("list", '{"type":"threads.list","params":{}}'),
    ]),
}


async def record(lesson: str) -> dict[str, bytes]:
    """Runs one lesson's requests against a fresh server and returns name -> transcript."""
    factory, requests = LESSONS[lesson]
    clock = SteppingClock(START)
    sdk_server.datetime = clock  # the SDK stamps threads and messages with datetime.now()
    server = factory(CountingStore(), clock)
    context = {"user_id": "student"}
    transcripts = {}
    for step, body in requests:
        result = await server.process(body, context)
        if isinstance(result, StreamingResult):
            transcripts[f"{lesson}_{step}.sse"] = b"".join([chunk async for chunk in result])
        else:
            transcripts[f"{lesson}_{step}.json"] = result.json
    return transcripts


def main() -> int:
    problem = sdk_version_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    TRANSCRIPTS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in TRANSCRIPTS_DIR.glob("*.*"):
        if stale.suffix in (".sse", ".json"):
            stale.unlink()
    for lesson in LESSONS:
        for name, transcript in asyncio.run(record(lesson)).items():
            (TRANSCRIPTS_DIR / name).write_bytes(transcript)
            print(f"{name}: {len(transcript)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
