"""Record lesson 07 (the web client) from its Python twin: the lesson's scripted server (no
model), behind lesson 06's bearer-token check, written with openai-chatkit 1.6.5.

The twin mirrors `lessons/lesson07/showcase.rs` and `round_trips.rs`, with no pause between
words (`--delay-ms 0`). A word of the message picks the answer (the first that matches, in
this order, lower-cased):

* `plan`: a `progress_update`, a workflow whose three tasks are added (loading) then updated
  (complete), done with a summary, then a text;
* `widget` or `lunch`: a widget item (a card with three buttons), done at once; the button's
  `threads.custom_action` (`choose`, its place in the payload) replaces the same item with a
  list view of the booking (`reset` brings the card back);
* `time`: a pending `client_tool_call` of `get_local_time`, the turn's last event; after
  `threads.add_client_tool_output`, a text quoting the output's `time`;
* `confetti`: a text, then a `client_effect` `confetti` with `{"pieces": 100}`;
* `fail`: the first time in a thread, a text then a custom error with `allow_retry`; its
  `threads.retry_after_item` succeeds with another text;
* `long`: a long text; anything else: `You said: …`, word by word.

The first message of a thread names it: its first 40 characters are the title, sent as
`thread.updated` before anything else of the turn (the twin saves a titled copy and sends the
event itself, as the Rust `Responder::thread_updated` asks the pipeline to).

One order the twin keeps from the Rust code: a text's message id and time are drawn when the
answer is put together, before the events before it run (the plan's workflow comes after its
text's message in id and time), as `showcase::text` draws them when called.

Authentication is lesson 06's (`record_lesson06.py`: the HS256 check with the development
secret, the `Principal` context, the JSON errors); every request here carries alice's token.

It writes `fixtures/transcripts/lesson07_<step>.{sse,json}`: one thread per conversation
(`echo`, `plan`, `widget`, `client_tool`, `effect`, `retry`), then the history (`threads.list`
and two `threads.get_by_id`). Ids and time are injected as in `record_transcripts.py`.

Run with the SDK's venv:
    target/pyenv/bin/python reference/record_lesson07.py
It rewrites its fixtures byte for byte on every run; CI checks that it does.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

from pydantic import TypeAdapter

import chatkit.server as sdk_server
from chatkit.errors import CustomStreamError
from chatkit.server import ChatKitServer
from chatkit.types import (
    Action,
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ClientEffectEvent,
    ClientToolCallItem,
    CustomSummary,
    CustomTask,
    ProgressUpdateEvent,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    ThreadUpdatedEvent,
    UserMessageItem,
    WidgetItem,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)
from chatkit.widgets import WidgetRoot
from families import sdk_version_problem
from memory_store import user_text
from record_lesson06 import Principal, bearer, handle, mint
from record_transcripts import START, TRANSCRIPTS_DIR, CountingStore, SteppingClock, _split_after_spaces, create

# lessons/lesson07/round_trips.rs: CLIENT_TOOL and PLACES.
CLIENT_TOOL = "get_local_time"
PLACES = (("Noodle bar", "lucide:soup"), ("Salad place", "lucide:salad"), ("Pizza corner", "lucide:pizza"))
# lessons/lesson07/showcase.rs: LONG.
LONG = ("Once upon a time a small server streamed a story to a page, one word at a "
        "time, so that a reader could watch it grow and stop it whenever they liked. ")
WIDGET = TypeAdapter(WidgetRoot)


def card() -> dict[str, Any]:
    """round_trips.rs `card()`: the lunch card, as the JSON the page draws."""
    buttons = [{"type": "Button", "label": place, "iconStart": icon, "style": "secondary",
                "onClickAction": {"type": "choose", "payload": {"place": place}}} for place, icon in PLACES]
    return {"type": "Card", "children": [
        {"type": "Row", "gap": 2, "children": [
            {"type": "Icon", "name": "lucide:utensils"},
            {"type": "Title", "value": "Where to for lunch?"},
            {"type": "Badge", "label": "3 places", "color": "info"},
        ]},
        {"type": "Caption", "value": "All within a five-minute walk."},
        {"type": "Image", "src": "/lunch.svg", "alt": "A plate", "height": 96},
        {"type": "Divider"},
        {"type": "Text", "value": "Pick one and I will book a table."},
        {"type": "Row", "gap": 2, "children": buttons},
    ]}


def booked(place: str) -> dict[str, Any]:
    """round_trips.rs `booked()`: the card after a choice."""
    return {"type": "ListView", "children": [
        {"type": "ListViewItem", "children": [
            {"type": "Icon", "name": "check-circle-filled", "color": "success"},
            {"type": "Text", "value": f"Table booked at {place}, 12:30"},
            {"type": "Badge", "label": "booked", "color": "success"},
        ]},
        {"type": "ListViewItem", "children": [
            {"type": "Button", "label": "Change my mind", "style": "secondary", "onClickAction": {"type": "reset"}},
        ]},
    ]}


class Lesson07Server(ChatKitServer[Principal]):
    """lessons/lesson07/showcase.rs in Python, with no delay."""

    def __init__(self, store: CountingStore, clock: SteppingClock) -> None:
        super().__init__(store)
        self.clock = clock
        # Threads whose `fail` already failed once: the retry then succeeds.
        self.failed: set[str] = set()

    def text(self, thread: ThreadMetadata, context: Principal, answer: str) -> AsyncIterator[ThreadStreamEvent]:
        """showcase.rs `text()`: the message's id and time drawn now, its events when read."""
        message_id = self.store.generate_item_id("message", thread, context)
        created_at = self.clock.now()

        async def events() -> AsyncIterator[ThreadStreamEvent]:
            yield ThreadItemAddedEvent(item=AssistantMessageItem(
                id=message_id, thread_id=thread.id, created_at=created_at, content=[]))
            yield ThreadItemUpdatedEvent(item_id=message_id, update=AssistantMessageContentPartAdded(
                content_index=0, content=AssistantMessageContent(text="")))
            for delta in _split_after_spaces(answer):
                yield ThreadItemUpdatedEvent(item_id=message_id, update=AssistantMessageContentPartTextDelta(
                    content_index=0, delta=delta))
            yield ThreadItemUpdatedEvent(item_id=message_id, update=AssistantMessageContentPartDone(
                content_index=0, content=AssistantMessageContent(text=answer)))
            yield ThreadItemDoneEvent(item=AssistantMessageItem(
                id=message_id, thread_id=thread.id, created_at=created_at,
                content=[AssistantMessageContent(text=answer)]))

        return events()

    async def plan(self, thread: ThreadMetadata, context: Principal) -> AsyncIterator[ThreadStreamEvent]:
        """showcase.rs `plan()`: everything drawn as it is read."""
        yield ProgressUpdateEvent(icon="calendar", text="Reading your calendar…")
        workflow = Workflow(type="custom", tasks=[], expanded=True)
        flow_id = self.store.generate_item_id("workflow", thread, context)
        flow_time = self.clock.now()
        yield ThreadItemAddedEvent(item=WorkflowItem(
            id=flow_id, thread_id=thread.id, created_at=flow_time, workflow=workflow.model_copy(deep=True)))
        for index, title in enumerate(("Morning: deep work", "Noon: lunch", "Afternoon: a walk")):
            yield ThreadItemUpdatedEvent(item_id=flow_id, update=WorkflowTaskAdded(
                task_index=index, task=CustomTask(title=title, status_indicator="loading")))
            done = CustomTask(title=title, status_indicator="complete")
            workflow.tasks.append(done)
            yield ThreadItemUpdatedEvent(item_id=flow_id, update=WorkflowTaskUpdated(task_index=index, task=done))
        workflow.summary = CustomSummary(title="Planned 3 blocks")
        yield ThreadItemDoneEvent(item=WorkflowItem(
            id=flow_id, thread_id=thread.id, created_at=flow_time, workflow=workflow))

    def lunch_card(self, thread: ThreadMetadata, context: Principal) -> ThreadStreamEvent:
        """round_trips.rs `lunch_card()`: the widget item, done at once."""
        item = WidgetItem(id=self.store.generate_item_id("message", thread, context), thread_id=thread.id,
                          created_at=self.clock.now(), widget=WIDGET.validate_python(card()),
                          copy_text="Where to for lunch?")
        return ThreadItemDoneEvent(item=item)

    def ask_the_page_for_the_time(self, thread: ThreadMetadata, context: Principal) -> ThreadStreamEvent:
        """round_trips.rs `ask_the_page_for_the_time()`: a pending call, done at once."""
        call_id = f"call_{self.store.generate_item_id('tool_call', thread, context)}"
        item = ClientToolCallItem(id=self.store.generate_item_id("tool_call", thread, context),
                                  thread_id=thread.id, created_at=self.clock.now(), status="pending",
                                  call_id=call_id, name=CLIENT_TOOL, arguments={})
        return ThreadItemDoneEvent(item=item)

    async def after_tool(self, thread: ThreadMetadata, context: Principal) -> AsyncIterator[ThreadStreamEvent]:
        """round_trips.rs `after_tool()`: the newest client tool call's output, quoted."""
        page = await self.store.load_thread_items(thread.id, None, 20, "desc", context)
        output = next((item.output for item in page.data if isinstance(item, ClientToolCallItem)), None)
        time = output.get("time") if isinstance(output, dict) else None
        if not isinstance(time, str):
            time = "unknown (the page sent no time)"
        async for event in self.text(thread, context, f"On your machine it is {time}."):
            yield event

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None,
                      context: Principal) -> AsyncIterator[ThreadStreamEvent]:
        if input_user_message is None:
            async for event in self.after_tool(thread, context):
                yield event
            return
        said = user_text(input_user_message)
        words = said.lower()
        parts: list[Any] = []
        if thread.title is None:
            # A titled copy, saved and announced here: `thread` itself stays as the SDK gave it,
            # so its pipeline sends no second `thread.updated`.
            titled = thread.model_copy(update={"title": said[:40]})
            await self.store.save_thread(titled, context=context)
            parts.append(ThreadUpdatedEvent(thread=self._to_thread_response(titled)))
        if "plan" in words:
            parts.append(self.plan(thread, context))
            parts.append(self.text(thread, context, "Your day is planned: deep work, lunch, then a walk."))
        elif "widget" in words or "lunch" in words:
            parts.append(self.lunch_card(thread, context))
        elif "time" in words:
            parts.append(self.ask_the_page_for_the_time(thread, context))
        elif "confetti" in words:
            parts.append(self.text(thread, context, "Confetti for the page around the chat!"))
            parts.append(ClientEffectEvent(name="confetti", data={"pieces": 100}))
        elif "fail" in words:
            if thread.id not in self.failed:
                self.failed.add(thread.id)
                parts.append(self.text(thread, context, "Let me look that up…"))
                parts.append(CustomStreamError("The lookup failed. Press Retry.", allow_retry=True))
            else:
                parts.append(self.text(thread, context, "Found it on the second try."))
        elif "long" in words:
            parts.append(self.text(thread, context, LONG * 6))
        else:
            parts.append(self.text(thread, context, f"You said: {said}"))
        for part in parts:
            if isinstance(part, Exception):
                raise part
            if hasattr(part, "__aiter__"):
                async for event in part:
                    yield event
            else:
                yield part

    async def action(self, thread: ThreadMetadata, action: Action[str, Any], sender: WidgetItem | None,
                     context: Principal) -> AsyncIterator[ThreadStreamEvent]:
        """round_trips.rs `on_action()`: the sender replaced by the same item with a new tree."""
        if sender is None:
            raise CustomStreamError("This button has lost its widget.", allow_retry=False)
        payload = action.payload if isinstance(action.payload, dict) else {}
        place = payload.get("place")
        if action.type == "choose" and isinstance(place, str):
            tree = booked(place)
        elif action.type == "reset":
            tree = card()
        else:
            raise CustomStreamError(f"This widget has no action {action.type!r}.", allow_retry=False)
        yield ThreadItemReplacedEvent(item=sender.model_copy(
            update={"widget": WIDGET.validate_python(tree), "copy_text": None}))


THREAD = '{"type":"threads.get_by_id","params":{"thread_id":"%s"}}'
# The widget's item (thr_0003's second message) and the first button's action.
CUSTOM_ACTION = ('{"type":"threads.custom_action","params":{"thread_id":"thr_0003","item_id":"msg_0006",'
                 '"action":{"type":"choose","payload":{"place":"Noodle bar"}}}}')
# What the page's `get_local_time` answers, fixed.
CLIENT_TOOL_OUTPUT = ('{"type":"threads.add_client_tool_output","params":{"thread_id":"thr_0004",'
                      '"result":{"time":"12:34:56"}}}')
# The retry of thr_0006's user message.
RETRY = '{"type":"threads.retry_after_item","params":{"thread_id":"thr_0006","item_id":"msg_0011"}}'


def steps() -> list[tuple[str, str]]:
    """(transcript, body), in order, all with alice's token; `tests/lessons.rs` sends the same."""
    return [
        ("echo.sse", create("hello there")),
        ("plan.sse", create("plan my day")),
        ("widget.sse", create("lunch")),
        ("widget_action.sse", CUSTOM_ACTION),
        ("client_tool.sse", create("what time is it?")),
        ("client_tool_output.sse", CLIENT_TOOL_OUTPUT),
        ("effect.sse", create("confetti")),
        ("retry_fail.sse", create("fail")),
        ("retry.sse", RETRY),
        ("history_list.json", '{"type":"threads.list","params":{}}'),
        ("history_widget.json", THREAD % "thr_0003"),
        ("history_retry.json", THREAD % "thr_0006"),
    ]


async def record() -> dict[str, bytes]:
    clock = SteppingClock(START)
    sdk_server.datetime = clock
    server = Lesson07Server(CountingStore(), clock)
    alice = bearer(mint("alice"))
    transcripts = {}
    for name, body in steps():
        status, answer = await handle(server, alice, body)
        assert status == 200, f"{name}: {status} {answer!r}"
        transcripts[f"lesson07_{name}"] = answer
    return transcripts


def main() -> int:
    problem = sdk_version_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    transcripts = asyncio.run(record())
    for name, transcript in transcripts.items():
        (TRANSCRIPTS_DIR / name).write_bytes(transcript)
        print(f"{name}: {len(transcript)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
