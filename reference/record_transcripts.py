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
import logging
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypedDict

import chatkit.server as sdk_server
from chatkit.errors import CustomStreamError
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ClientEffectEvent,
    ClosedStatus,
    CustomSummary,
    CustomTask,
    ProgressUpdateEvent,
    StreamOptions,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)
from families import REPO_ROOT, sdk_version_problem
from memory_store import Context, MemoryStore, user_text

TRANSCRIPTS_DIR = REPO_ROOT / "fixtures" / "transcripts"
START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)



class SteppingClock:
    """Stands in for `datetime` inside chatkit.server: each `now()` is one second later."""

    def __init__(self, start: datetime) -> None:
        self._next = start

    def now(self, tz: Any = None) -> datetime:
        reading = self._next
        self._next = reading + timedelta(seconds=1)
        return reading


class CountingStore(MemoryStore):
    """The shared in-memory store, with ids that count per kind, like the Rust `SequentialIds`."""

    def __init__(self) -> None:
        super().__init__()
        self._counters: dict[str, int] = defaultdict(int)

    def _next_id(self, prefix: str) -> str:
        self._counters[prefix] += 1
        return f"{prefix}_{self._counters[prefix]:04d}"

    def generate_thread_id(self, context: Context) -> str:
        return self._next_id("thr")

    def generate_item_id(self, item_type, thread, context) -> str:
        prefixes = {"message": "msg", "tool_call": "tc", "workflow": "wf", "task": "tsk",
                    "sdk_hidden_context": "shcx", "attachment": "atc", "thread": "thr"}
        return self._next_id(prefixes[item_type])


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


class Lesson03Server(ChatKitServer[Context]):
    """lessons/lesson03/planner.rs in Python: the day planner's turn, event for event.

    The recording runs with no pause (`--delay-ms 0`), so the calendar answers at once and no
    "still checking" tick is sent, on either side.
    """

    PLAN = ("Planned",
            "Here is your day: focused work in the morning, errands and a walk in the "
            "afternoon, and a free evening.",
            "plan_ready")
    CLEAR = ("Cleared",
             "Done: your morning, afternoon and evening are clear. Deleting cannot be undone, "
             "so this answer is finished and stored even if you leave.",
             "calendar_changed")
    BLOCKS = ("Morning", "Afternoon", "Evening")

    def __init__(self, store: CountingStore, clock: SteppingClock) -> None:
        super().__init__(store)
        self.clock = clock

    def get_stream_options(self, thread: ThreadMetadata, context: Context) -> StreamOptions:
        # The SDK's hook sees no input, so the recorder puts the message's first word in the
        # context, as a Python server's HTTP layer would have to (the Rust hook gets the input).
        return StreamOptions(allow_cancel=context.get("first_word") != "delete")

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: Context) -> AsyncIterator[ThreadStreamEvent]:
        words = user_text(input_user_message).split()
        first_word = words[0].lower() if words else ""
        verb, answer, effect = self.CLEAR if first_word == "delete" else self.PLAN

        yield ProgressUpdateEvent(icon="calendar", text="Checking your calendar…")

        workflow = Workflow(type="custom", tasks=[], expanded=False)
        flow_id = self.store.generate_item_id("workflow", thread, context)
        flow_time = self.clock.now()
        yield ThreadItemAddedEvent(item=WorkflowItem(
            id=flow_id, thread_id=thread.id, created_at=flow_time, workflow=workflow.model_copy(deep=True)))
        for index, title in enumerate(self.BLOCKS):
            yield ThreadItemUpdatedEvent(item_id=flow_id, update=WorkflowTaskAdded(
                task_index=index, task=CustomTask(title=title, status_indicator="loading")))
            task = CustomTask(title=title, content=verb, status_indicator="complete")
            workflow.tasks.append(task)
            yield ThreadItemUpdatedEvent(item_id=flow_id, update=WorkflowTaskUpdated(
                task_index=index, task=task))
        workflow.summary = CustomSummary(title=f"{verb} {len(self.BLOCKS)} blocks", icon="calendar")
        yield ThreadItemDoneEvent(item=WorkflowItem(
            id=flow_id, thread_id=thread.id, created_at=flow_time, workflow=workflow))

        message_id = self.store.generate_item_id("message", thread, context)
        message_time = self.clock.now()
        yield ThreadItemAddedEvent(item=AssistantMessageItem(
            id=message_id, thread_id=thread.id, created_at=message_time, content=[]))
        yield ThreadItemUpdatedEvent(item_id=message_id, update=AssistantMessageContentPartAdded(
            content_index=0, content=AssistantMessageContent(text="")))
        for sent, delta in enumerate(_split_after_spaces(answer)):
            if sent == 3 and first_word == "busy":
                raise CustomStreamError("The calendar is busy. Try again in a moment.", allow_retry=True)
            if sent == 3 and first_word == "crash":
                raise RuntimeError("`crash …` asked for a failure")
            yield ThreadItemUpdatedEvent(item_id=message_id, update=AssistantMessageContentPartTextDelta(
                content_index=0, delta=delta))
        yield ThreadItemUpdatedEvent(item_id=message_id, update=AssistantMessageContentPartDone(
            content_index=0, content=AssistantMessageContent(text=answer)))
        yield ThreadItemDoneEvent(item=AssistantMessageItem(
            id=message_id, thread_id=thread.id, created_at=message_time,
            content=[AssistantMessageContent(text=answer)]))

        yield ClientEffectEvent(name=effect, data={"blocks": len(self.BLOCKS)})


def _split_after_spaces(text: str) -> list[str]:
    """The text cut after each space, spaces kept: Rust's `split_inclusive(' ')`."""
    parts, start = [], 0
    for index, char in enumerate(text):
        if char == " ":
            parts.append(text[start:index + 1])
            start = index + 1
    if start < len(text):
        parts.append(text[start:])
    return parts


class AppContext(TypedDict):
    """lessons/lesson05/context.rs's `AppContext`: who is asking, and in which language.

    The SDK hands it to `respond` and to every store call; the store scopes by its `user_id`
    (a dict key, as `MemoryStore` reads it).
    """

    user_id: str
    language: str


LANGUAGES = ("en", "fr", "de", "es")  # the first is the fallback


def context_from_headers(headers: dict[str, str]) -> AppContext:
    """The context of one request: `x-user-id` (or `student`), and the first tag of
    `Accept-Language` whose primary subtag the assistant speaks (or English); weights ignored."""
    return AppContext(user_id=headers.get("x-user-id", "student"),
                      language=first_spoken_language(headers.get("accept-language", "")))


def first_spoken_language(accept_language: str) -> str:
    for entry in accept_language.split(","):
        primary = entry.split(";")[0].strip().split("-")[0]
        for spoken in LANGUAGES:
            if spoken.lower() == primary.lower():
                return spoken
    return LANGUAGES[0]


class Lesson05Server(ChatKitServer[AppContext]):
    """lessons/lesson05/context.rs in Python: a greeting in the context's language; `/close`
    says farewell and closes the thread.

    Closing changes the thread the handler was given: the SDK notices after the handler's next
    step (here the end of its stream, so after the farewell, where the Rust responder yields
    it), saves the thread and sends `thread.updated`. A `ThreadUpdatedEvent` yielded by the
    handler would reach the client only, not the store.
    """

    GREETINGS = {"fr": "Bonjour {user} ! Vous avez dit : {words}",
                 "de": "Hallo {user}! Du hast gesagt: {words}",
                 "es": "¡Hola {user}! Dijiste: {words}",
                 "en": "Hello {user}! You said: {words}"}
    FAREWELLS = {"fr": "Cette conversation est close. Commencez-en une nouvelle quand vous voulez.",
                 "de": "Dieses Gespräch ist beendet. Beginne jederzeit ein neues.",
                 "es": "Esta conversación está cerrada. Empieza otra cuando quieras.",
                 "en": "This conversation is closed. Start a new one any time."}

    def __init__(self, store: CountingStore, clock: SteppingClock) -> None:
        super().__init__(store)
        self.clock = clock

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: AppContext) -> AsyncIterator[ThreadStreamEvent]:
        words = user_text(input_user_message)
        closing = words.strip() == "/close"
        if closing:
            reply = self.FAREWELLS[context["language"]]
        else:
            reply = self.GREETINGS[context["language"]].format(user=context["user_id"], words=words)
        yield ThreadItemDoneEvent(item=AssistantMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=self.clock.now(),
            content=[AssistantMessageContent(text=reply)],
        ))
        if closing:
            thread.status = ClosedStatus(reason=f"Closed by {context['user_id']} with /close")


def create(text: str) -> str:
    return ('{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":%s}],'
            '"attachments":[],"inference_options":{}}}}') % _json_string(text)


def add_user_message(thread_id: str, text: str) -> str:
    return ('{"type":"threads.add_user_message","params":{"thread_id":"%s","input":{"content":'
            '[{"type":"input_text","text":%s}],"attachments":[],"inference_options":{}}}}') % (thread_id, _json_string(text))


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# alice's headers in lesson05 (header names in lower case, as HTTP servers hand them over).
ALICE = {"x-user-id": "alice", "accept-language": "fr-CH, fr;q=0.9, en;q=0.8"}

# Each lesson: the server it runs, and its requests in order, each with the transcript name
# (and, from lesson05 on, the request's headers).
LESSONS: dict[str, tuple[Callable[[CountingStore, SteppingClock], ChatKitServer], list[tuple[str, str] | tuple[str, str, dict[str, str]]]]] = {
    "lesson01": (Lesson01Server, [
        ("create", create("hi")),
        ("add_user_message", add_user_message("thr_0001", "how are you?")),
        ("get_by_id", '{"type":"threads.get_by_id","params":{"thread_id":"thr_0001"}}'),
        ("list", '{"type":"threads.list","params":{}}'),
    ]),
    # The day planner: a whole turn, a custom error and a failure mid-message (what stays
    # stored shows in `get_by_id`), and a turn the client cannot cancel.
    "lesson03": (Lesson03Server, [
        ("create", create("Plan my day")),
        ("busy", add_user_message("thr_0001", "busy tomorrow?")),
        ("crash", add_user_message("thr_0001", "crash please")),
        ("delete", add_user_message("thr_0001", "delete everything")),
        ("get_by_id", '{"type":"threads.get_by_id","params":{"thread_id":"thr_0001"}}'),
    ]),
    # The app's own context, from each request's headers (the third element): alice in French,
    # bob in English, alice closes her thread, each user lists only their own threads. Last, a
    # message to the closed thread: the SDK answers it (the Rust lesson refuses it, a 409).
    "lesson05": (Lesson05Server, [
        ("create_fr", create("Bonjour"), ALICE),
        ("create_en", create("Hello"), {"x-user-id": "bob"}),
        ("close", add_user_message("thr_0001", "/close"), ALICE),
        ("get_closed", '{"type":"threads.get_by_id","params":{"thread_id":"thr_0001"}}', ALICE),
        ("list_alice", '{"type":"threads.list","params":{}}', ALICE),
        ("list_bob", '{"type":"threads.list","params":{}}', {"x-user-id": "bob"}),
        ("after_close_sdk", add_user_message("thr_0001", "Hello?"), ALICE),
    ]),
}


def context_for(body: str, headers: dict[str, str] | None = None) -> Context | AppContext:
    """The request context. With headers (lesson05), the app's own, built from them; without,
    the user `student` and the message's first word (lower-cased), which lesson03's
    `get_stream_options` needs and the SDK does not hand it."""
    if headers is not None:
        return context_from_headers(headers)
    request = json.loads(body)
    content = request["params"].get("input", {}).get("content", [])
    words = " ".join(part["text"] for part in content if part.get("type") == "input_text").split()
    return {"user_id": "student", "first_word": words[0].lower() if words else ""}


async def record(lesson: str) -> dict[str, bytes]:
    """Runs one lesson's requests against a fresh server and returns name -> transcript."""
    factory, requests = LESSONS[lesson]
    clock = SteppingClock(START)
    sdk_server.datetime = clock  # the SDK stamps threads and messages with datetime.now()
    server = factory(CountingStore(), clock)
    transcripts = {}
    for step, body, *headers in requests:
        result = await server.process(body, context_for(body, *headers))
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
    # lesson03's `crash` step fails on purpose; the SDK logs its traceback at ERROR. Anything
    # worse still shows.
    logging.getLogger("chatkit").setLevel(logging.CRITICAL)
    TRANSCRIPTS_DIR.mkdir(parents=True, exist_ok=True)
    # Only the transcripts of the lessons recorded here: other recorders write beside them
    # (record_lesson04.py).
    for stale in TRANSCRIPTS_DIR.glob("*.*"):
        if stale.suffix in (".sse", ".json") and stale.name.split("_", 1)[0] in LESSONS:
            stale.unlink()
    for lesson in LESSONS:
        for name, transcript in asyncio.run(record(lesson)).items():
            (TRANSCRIPTS_DIR / name).write_bytes(transcript)
            print(f"{name}: {len(transcript)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
