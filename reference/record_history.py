"""Record how the Python SDK turns stored thread items into model input.

A ChatKit server answers a turn by loading the thread's recent items and converting them into
the `input` of a Responses API request (`chatkit/agents.py`: `ThreadItemConverter`,
`simple_to_agent_input`; protocol#history). The Rust converter (`src/agent/history/`) must
give the same input, byte for byte in every text. This script records what the reference gives,
one case per file: `fixtures/history/<case>.json`, read by `tests/history.rs`.

Each fixture is an object with these keys, in this order:

* `converter`: `"default"` (the SDK's `ThreadItemConverter()`, what `simple_to_agent_input`
  uses) or `"mentions"` (a subclass implementing the hooks the SDK leaves to apps: tags,
  attachments and non-string hidden context; `tests/history.rs` implements the same hooks);
* `history` (only in the window case): `"last_20"`, meaning `input` is the conversion of the 20
  newest items, loaded newest first and reversed, as the SDK's docs build a turn's history;
* `items`: the thread items as the SDK dumps them (`by_alias`, `exclude_none`, JSON mode);
* `input` (the converter's output *as the Agents SDK sends it* in the request body: the script
  runs the items through `Runner.run_streamed` against a transport that captures the request),
  or `error` (the message of the exception the converter raises instead).

What the converter is given: the items **as a store hands them back**, parsed from the JSON in
`items`, not the objects built here. The difference shows in widget texts: a widget built in
Python and never stored renders with `type` moved last and unset defaults left out, while a
parsed one renders as stored. A Rust store only ever has the stored form, so that is the form
both sides convert here.

Deterministic: fixed ids and times, no network (the model "server" is an in-process
`httpx.MockTransport`), and the output directory is rewritten byte for byte on every run; CI
checks that it does.

Run with the SDK's venv:  target/pyenv/bin/python reference/record_history.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx2 as httpx
from openai import AsyncOpenAI
from pydantic import TypeAdapter

from agents import Agent, Runner, set_tracing_disabled
from agents.models.openai_responses import OpenAIResponsesModel
from chatkit.agents import ThreadItemConverter
from chatkit.types import Attachment, HiddenContextItem, ThreadItem, UserMessageTagContent
from families import REPO_ROOT, sdk_version_problem

HISTORY_DIR = REPO_ROOT / "fixtures" / "history"
THREAD_ID = "thr_history"
START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
# The docs' window: a turn sees the 20 newest items.
HISTORY_LIMIT = 20

ITEMS = TypeAdapter(list[ThreadItem])


# ---------------------------------------------------------------------------
# The "mentions" converter: the hooks an app must write itself
# ---------------------------------------------------------------------------


class MentionsConverter(ThreadItemConverter):
    """Implements the three hooks whose SDK defaults raise NotImplementedError.

    `tests/history.rs` implements exactly these texts in Rust, so the fixtures check that the
    hooks are called where and as often as the SDK calls them.
    """

    async def tag_to_message_content(self, tag: UserMessageTagContent):
        group = tag.group or "none"
        return {"type": "input_text", "text": f"{tag.text} is entity {tag.id} (group: {group})"}

    async def attachment_to_message_content(self, attachment: Attachment):
        if attachment.type == "image":
            return {"type": "input_image", "detail": "auto", "image_url": str(attachment.preview_url)}
        return {"type": "input_text", "text": f"Attached file {attachment.name} ({attachment.mime_type})"}

    async def hidden_context_to_input(self, item: HiddenContextItem):
        # Python's json.dumps, so the Rust side needs its `python_json_dumps` here too.
        text = "Hidden JSON context: " + json.dumps(item.content)
        return {"role": "user", "type": "message", "content": [{"type": "input_text", "text": text}]}


CONVERTERS = {"default": ThreadItemConverter(), "mentions": MentionsConverter()}


# ---------------------------------------------------------------------------
# Item builders: plain dicts, validated later exactly as a store reads them
# ---------------------------------------------------------------------------


class Thread:
    """Hands out item ids and one-second-apart times, in creation order."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, prefix: str, kind: str, **fields: Any) -> dict[str, Any]:
        n = len(self.items) + 1
        item = {
            "id": f"{prefix}_{n:04d}",
            "thread_id": THREAD_ID,
            "created_at": (START + timedelta(seconds=n)).isoformat(),
            "type": kind,
            **fields,
        }
        self.items.append(item)
        return item

    def user(self, *content: Any, quoted_text: str | None = None, attachments: list | None = None):
        parts = [{"type": "input_text", "text": c} if isinstance(c, str) else c for c in content]
        fields: dict[str, Any] = {"content": parts, "attachments": attachments or [], "inference_options": {}}
        if quoted_text is not None:
            fields["quoted_text"] = quoted_text
        return self.add("msg", "user_message", **fields)

    def assistant(self, *texts: str, annotations: list | None = None):
        content = [{"type": "output_text", "text": t, "annotations": []} for t in texts]
        if annotations and content:
            content[0]["annotations"] = annotations
        return self.add("msg", "assistant_message", content=content)

    def client_tool_call(self, name: str, arguments: dict, output: Any = None, *, completed: bool = True):
        n = len(self.items) + 1
        fields: dict[str, Any] = {
            "status": "completed" if completed else "pending",
            "call_id": f"call_{n:04d}",
            "name": name,
            "arguments": arguments,
        }
        if completed:
            fields["output"] = output
        return self.add("tc", "client_tool_call", **fields)


def tag(id: str, text: str, group: str | None = None) -> dict[str, Any]:
    part = {"type": "input_tag", "id": id, "text": text, "data": {}, "interactive": False}
    if group is not None:
        part["group"] = group
    return part


def custom_task(title: str | None = None, content: str | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {"type": "custom"}
    if title is not None:
        task["title"] = title
    if content is not None:
        task["content"] = content
    return task


def question(id: str, text: str, answer: dict | None = None, *, freeform: bool = False) -> dict:
    q: dict[str, Any] = {"id": id, "question": text}
    if answer is not None:
        q["answer"] = answer
    if freeform:
        q["type"] = "freeform"
    else:
        q.update(type="multiple_choice", options=[{"value": "A"}, {"value": "B"}])
    return q


# Strings that exercise json.dumps: non-ASCII, a non-BMP emoji (a surrogate pair in
# `\uXXXX` form), quotes, backslashes, control characters, DEL and U+2028.
TRICKY = 'café 👋 日本 "quoted" back\\slash\nline\ttab \x01 \x7f \u2028'

# Python's float repr rules: ".0" on whole floats, exponents from 1e16 up and below 1e-4.
NUMBERS = {
    "whole": 1.0,
    "negative_zero": -0.0,
    "big_fixed": 1e15,
    "big": 1e16,
    "small_fixed": 0.0001,
    "small": 0.00001,
    "tiny": 1.5e-7,
    "huge": 1.7976931348623157e308,
    "third": 1 / 3,
    "max_u64": 2**64 - 1,
    "min_i64": -(2**63),
}


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------


def case_user_text() -> Thread:
    t = Thread()
    t.user("Hi there")
    return t


def case_user_parts_joined() -> Thread:
    # Parts are joined with no separator; the text is kept raw (no escaping).
    t = Thread()
    t.user("First part, ", "second part. ", TRICKY)
    return t


def case_empty_messages() -> Thread:
    t = Thread()
    t.user()
    t.assistant()
    t.user("")
    return t


def case_conversation() -> Thread:
    t = Thread()
    t.user("What's the weather in Paris?")
    t.assistant("It is sunny and 21°C in Paris.")
    t.user("And tomorrow?")
    return t


def case_assistant_annotations_dropped() -> Thread:
    t = Thread()
    t.user("Sources?")
    t.assistant(
        "See the docs.",
        "Second part.",
        annotations=[
            {"type": "annotation", "source": {"type": "url", "title": "Docs", "url": "https://example.com/docs"}, "index": 3}
        ],
    )
    return t


def case_quoted_text_last() -> Thread:
    t = Thread()
    t.assistant("Option one is cheap.\nOption two is fast.")
    t.user("Tell me more", quoted_text="Option two is fast.")
    return t


def case_quoted_text_not_last() -> Thread:
    # The quote only reaches the model while its message is the last item.
    t = Thread()
    t.user("Tell me more", quoted_text="Option two is fast.")
    t.assistant("Option two uses a cache.")
    return t


def case_client_tool_calls() -> Thread:
    t = Thread()
    t.user("What is selected?")
    t.client_tool_call("get_selected_nodes", {"project": "demo"}, {"nodes": [{"id": "a"}, {"id": "b"}]})
    t.client_tool_call(
        "annotate",
        {"text": TRICKY, "nested": {"list": [1, 2.5, None, True, False, {}, []], "empty": {}}, "numbers": NUMBERS},
        {"ok": True, "echo": "naïve 🚀", "none": None},
    )
    t.client_tool_call("no_output", {}, None)
    t.client_tool_call("string_output", {"q": "x"}, "plain text with \"quotes\" and é")
    t.client_tool_call("list_output", {"unicode_key_é": 1}, [1, "two", [3]])
    t.client_tool_call("still_pending", {"a": 1}, completed=False)
    return t


def case_client_tool_call_pending() -> Thread:
    t = Thread()
    t.user("Where am I?")
    t.client_tool_call("get_location", {}, completed=False)
    return t


def case_hidden_context() -> Thread:
    t = Thread()
    t.add("hcx", "hidden_context_item", content="The user is on the pricing page.\nPlan: pro")
    t.user("How much is it?")
    t.add("hcx", "hidden_context_item", content="")
    return t


def case_sdk_hidden_context() -> Thread:
    t = Thread()
    t.user("Write a long essay")
    t.assistant("Once upon")
    t.add("shcx", "sdk_hidden_context", content="The user cancelled the stream. Stop responding to the prior request.")
    t.user("Never mind")
    return t


def case_workflows() -> Thread:
    t = Thread()
    t.user("Plan my trip")
    t.add(
        "wf",
        "workflow",
        workflow={
            "type": "custom",
            "tasks": [
                custom_task("Searched flights", "Found 3 options"),
                custom_task(title="Booked hotel"),
                custom_task(content="Checked the weather"),
                custom_task(),
                custom_task("", ""),
                {"type": "thought", "content": "Thinking about dates"},
                {"type": "web_search", "title": "Searching", "queries": ["rome hotels"], "sources": []},
                {"type": "file", "title": "Read files", "sources": []},
                {"type": "image", "title": "Drawing"},
            ],
            "summary": {"title": "Planned"},
            "expanded": False,
        },
    )
    t.add(
        "wf",
        "workflow",
        workflow={"type": "reasoning", "tasks": [{"type": "thought", "content": "Hmm"}], "summary": {"duration": 3}},
    )
    t.add("wf", "workflow", workflow={"type": "custom", "tasks": []})
    t.assistant("Done.")
    return t


def case_tasks() -> Thread:
    t = Thread()
    t.user("Go")
    t.add("tsk", "task", task=custom_task("Exported", "report.pdf ✓"))
    t.add("tsk", "task", task=custom_task(content="Only content"))
    t.add("tsk", "task", task=custom_task())
    t.add("tsk", "task", task={"type": "thought", "title": "Thinking", "content": "Hidden"})
    t.add("tsk", "task", task={"type": "web_search", "queries": ["q"], "sources": []})
    return t


def case_widgets() -> Thread:
    t = Thread()
    t.user("Show me the trip")
    t.add(
        "wid",
        "widget",
        widget={
            "type": "Card",
            "size": "md",
            "padding": 2,
            "children": [
                {"type": "Text", "value": "Trip to Rome ✈", "size": "lg", "weight": "semibold"},
                {
                    "type": "Row",
                    "gap": 2,
                    "children": [
                        {"type": "Badge", "label": "3 nights"},
                        {
                            "type": "Button",
                            "key": "book",
                            "label": "Book",
                            "onClickAction": {"type": "book", "payload": {"trip": 7, "city": "Roma"}},
                        },
                    ],
                },
                {"type": "Markdown", "value": "**Note:** \"quotes\" and \\ backslash"},
            ],
        },
        copy_text="Trip to Rome",
    )
    t.add(
        "wid",
        "widget",
        widget={"type": "ListView", "children": [{"type": "ListViewItem", "children": [{"type": "Text", "value": "One"}]}]},
    )
    return t


def case_generated_images() -> Thread:
    t = Thread()
    t.user("Draw a cat")
    t.add("img", "generated_image")
    t.add("img", "generated_image", image={"id": "img_1", "url": "https://example.com/cat.png"})
    return t


def case_structured_input() -> Thread:
    t = Thread()
    t.user("Help me choose")
    t.add(
        "si",
        "structured_input",
        status="answered",
        inputs=[
            question("q1", "Which subjects?", {"values": ["Math", "Art", "Café ☕"], "skipped": False}),
            question("q2", "Budget?", {"values": [], "skipped": True}, freeform=True),
            question("q3", "Anything else?", freeform=True),
            question("q4", "Empty answer?", {"values": [], "skipped": False}),
        ],
    )
    t.add("si", "structured_input", status="skipped", inputs=[question("q1", "Colour?", {"values": [], "skipped": True})])
    t.add("si", "structured_input", status="pending", inputs=[question("q1", "Size?")])
    t.add("si", "structured_input", status="answered", inputs=[])
    return t


def case_end_of_turn() -> Thread:
    t = Thread()
    t.user("Hi")
    t.assistant("Hello!")
    t.add("eot", "end_of_turn")
    return t


def case_mentions() -> Thread:
    # The ordering example of protocol#history: user text + attachment parts, then the quote,
    # then one @-mention message with one part per distinct tag text.
    t = Thread()
    t.assistant("Alice and Bob are on the team.")
    t.user(
        "Ping ",
        tag("u1", "Alice", group="people"),
        " and ",
        tag("u1", "Alice", group="people"),
        " and ",
        tag("u2", "Bob"),
        quoted_text="Alice and Bob",
        attachments=[
            {"id": "atc_0001", "name": "notes.txt", "mime_type": "text/plain", "type": "file"},
            {
                "id": "atc_0002",
                "name": "cat.png",
                "mime_type": "image/png",
                "type": "image",
                "preview_url": "https://example.com/cat.png",
            },
        ],
    )
    return t


def case_mentions_hidden_json() -> Thread:
    t = Thread()
    t.add("hcx", "hidden_context_item", content={"page": "pricing", "plan": "pro ✓", "seats": [1, 2.0]})
    t.add("hcx", "hidden_context_item", content="plain text still works through the override")
    t.user("Earlier: ", tag("p1", "Pricing"), quoted_text="not last, dropped")
    t.assistant("Noted.")
    return t


def case_error_tag_default() -> Thread:
    t = Thread()
    t.user("Ping ", tag("u1", "Alice"))
    return t


def case_error_attachment_default() -> Thread:
    t = Thread()
    t.user("See file", attachments=[{"id": "atc_0001", "name": "a.txt", "mime_type": "text/plain", "type": "file"}])
    return t


def case_error_hidden_context_json() -> Thread:
    t = Thread()
    t.add("hcx", "hidden_context_item", content={"page": "pricing"})
    return t


def case_everything_last_20() -> Thread:
    # 24 items; the window keeps the 20 newest, so the first user message (and its quote),
    # the first tool call and the first question and answer fall out. The last user message
    # loses its quote too: "last" is the last item of the list, here a pending tool call
    # (which itself gives nothing), exactly as in the reference.
    t = Thread()
    t.user("Start", quoted_text="dropped: not last")
    t.client_tool_call("get_selected_nodes", {"project": "demo"}, {"nodes": []})
    for i in range(1, 7):
        t.user(f"Question {i}")
        t.assistant(f"Answer {i}")
    t.add("tsk", "task", task=custom_task("Task", "done"))
    t.add("wid", "widget", widget={"type": "Card", "children": [{"type": "Text", "value": "Hi"}]})
    t.add("hcx", "hidden_context_item", content="ctx")
    t.add("shcx", "sdk_hidden_context", content="sdk ctx")
    t.add("img", "generated_image", image={"id": "img_1", "url": "https://example.com/a.png"})
    t.add("si", "structured_input", status="answered", inputs=[question("q1", "Pick", {"values": ["A"], "skipped": False})])
    t.client_tool_call("get_location", {"precise": True}, {"city": "Zürich"})
    t.add("eot", "end_of_turn")
    t.user("Last question", quoted_text="Answer 6")
    t.client_tool_call("pending_tool", {}, completed=False)
    return t


# name -> (builder, converter, history window)
CASES: dict[str, tuple[Any, str, str | None]] = {
    "user_text": (case_user_text, "default", None),
    "user_parts_joined": (case_user_parts_joined, "default", None),
    "empty_messages": (case_empty_messages, "default", None),
    "conversation": (case_conversation, "default", None),
    "assistant_annotations_dropped": (case_assistant_annotations_dropped, "default", None),
    "quoted_text_last": (case_quoted_text_last, "default", None),
    "quoted_text_not_last": (case_quoted_text_not_last, "default", None),
    "client_tool_calls": (case_client_tool_calls, "default", None),
    "client_tool_call_pending": (case_client_tool_call_pending, "default", None),
    "hidden_context": (case_hidden_context, "default", None),
    "sdk_hidden_context": (case_sdk_hidden_context, "default", None),
    "workflows": (case_workflows, "default", None),
    "tasks": (case_tasks, "default", None),
    "widgets": (case_widgets, "default", None),
    "generated_images": (case_generated_images, "default", None),
    "structured_input": (case_structured_input, "default", None),
    "end_of_turn": (case_end_of_turn, "default", None),
    "mentions": (case_mentions, "mentions", None),
    "mentions_hidden_json": (case_mentions_hidden_json, "mentions", None),
    "error_tag_default": (case_error_tag_default, "default", None),
    "error_attachment_default": (case_error_attachment_default, "default", None),
    "error_hidden_context_json": (case_error_hidden_context_json, "default", None),
    "everything_last_20": (case_everything_last_20, "default", "last_20"),
}


# ---------------------------------------------------------------------------
# Running the reference
# ---------------------------------------------------------------------------


async def sent_input(input_items: list[Any]) -> list[Any]:
    """What the Agents SDK puts in the request body's `input` for these input items."""
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        done = {"type": "response.completed", "response": {"id": "resp_1", "output": []}}
        payload = f"data: {json.dumps(done)}\n\n".encode()
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=payload)

    client = AsyncOpenAI(
        base_url="http://model.invalid/v1",
        api_key="sk-mock",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    agent = Agent(name="History", model=OpenAIResponsesModel(model="gpt-4.1-mini", openai_client=client))
    result = Runner.run_streamed(agent, input_items)
    async for _ in result.stream_events():
        pass
    await client.close()
    return bodies[0]["input"]


def window(items: list[Any], history: str | None) -> list[Any]:
    """The items a turn sees. `last_20` is the docs' `load_thread_items(limit=20,
    order="desc")` followed by `reversed(...)`."""
    if history is None:
        return items
    assert history == "last_20"
    newest_first = sorted(items, key=lambda i: (i.created_at, i.id), reverse=True)[:HISTORY_LIMIT]
    return list(reversed(newest_first))


async def record(name: str) -> bytes:
    build, converter_name, history = CASES[name]
    # Validate then re-read the dump: the converter sees what a store gives back.
    dumped = ITEMS.dump_python(ITEMS.validate_python(build().items), mode="json", by_alias=True, exclude_none=True)
    items = ITEMS.validate_json(json.dumps(dumped))
    fixture: dict[str, Any] = {"converter": converter_name}
    if history is not None:
        fixture["history"] = history
    fixture["items"] = dumped
    try:
        converted = await CONVERTERS[converter_name].to_agent_input(window(items, history))
    except NotImplementedError as error:
        fixture["error"] = str(error)
    else:
        fixture["input"] = await sent_input(converted)
    return (json.dumps(fixture, indent=2, ensure_ascii=False) + "\n").encode()


async def main() -> int:
    problem = sdk_version_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    set_tracing_disabled(True)
    HISTORY_DIR.mkdir(parents=True, exist_ok=True)
    # Only this script's files live here: drop stale cases so a renamed case is noticed.
    for stale in HISTORY_DIR.glob("*.json"):
        if stale.stem not in CASES:
            stale.unlink()
    for name in CASES:
        (HISTORY_DIR / f"{name}.json").write_bytes(await record(name))
        print(f"fixtures/history/{name}.json")
    return 0


if __name__ == "__main__":
    # The named widget classes are deprecated; nothing here uses them, but pydantic may warn.
    warnings.simplefilter("ignore", DeprecationWarning)
    sys.exit(asyncio.run(main()))
