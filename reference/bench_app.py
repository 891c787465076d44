"""The benchmark contract on the Python SDK: the reference side of BENCHMARKS.md.

This is the server `cargo run --release --bin bench -- --against-python` measures the Rust
`bench-server` against. Both answer `POST /chatkit` and stream, for every message, one
assistant message made of N lorem-word deltas:

    thread.item.added   an empty assistant message
    thread.item.updated x N   assistant_message.content_part.text_delta, "lorem ", "ipsum ", ...
    thread.item.done    the same message with the full text

N comes from PERF_DELTAS (default 20), the pause between two deltas from PERF_DELAY_MS
(default 0), and a user message whose text starts with "perf" overrides both for that
request ("perf deltas=100 delay_ms=50"; a malformed value keeps the default). A
threads.create stream is N + 5 events: 25 at N = 20.

The stack is what a production deployment of the SDK runs: the SDK's own ChatKitServer and
process(), FastAPI, uvicorn with uvloop and httptools, one worker, no access log. The store
is an in-memory one written below, as lean as a dict allows (no copies, no sorting), so the
figures measure the SDK and not a slow store. The user is the x-user-id header ("bench"
when absent). Versions are pinned in reference/setup-venv.sh.

--cache-type-adapter is the best Python can do: chatkit 1.6.5 builds a new pydantic
TypeAdapter for the whole request union on every request (ChatKitServer.process,
`TypeAdapter[ChatKitReq](ChatKitReq).validate_json(request)`), milliseconds of CPU each.
The flag swaps the `TypeAdapter` name inside chatkit.server for a factory that builds each
adapter once and hands the same one back; nothing else changes.

Run:  PY=$(bash reference/setup-venv.sh | tail -n1)
      $PY reference/bench_app.py --port 8001 [--cache-type-adapter]
It prints "listening on http://127.0.0.1:PORT/chatkit" once the socket is bound (--port 0
picks a free port), which is the line the harness waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import chatkit.server as sdk_server
import uvicorn
from chatkit.server import ChatKitServer
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    Attachment,
    Page,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    UserMessageTextContent,
)
from fastapi import FastAPI
from fastapi_app import chatkit_app
from pydantic import TypeAdapter

LOREM = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua enim"
).split()

Context = dict[str, Any]


# ---- The contract ------------------------------------------------------------------------


def env_number(name: str, default: int) -> int:
    """A whole number from the environment; a value that is not one stops the server."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {value!r}")


def perf_settings(text: str, deltas: int, delay_ms: int) -> tuple[int, int]:
    """The defaults, overridden by a "perf deltas=... delay_ms=..." message."""
    if not text.startswith("perf"):
        return deltas, delay_ms
    for option in text[len("perf"):].split():
        key, _, value = option.partition("=")
        if not value.isdigit():
            continue
        if key == "deltas":
            deltas = int(value)
        elif key == "delay_ms":
            delay_ms = int(value)
    return deltas, delay_ms


def first_text(item: UserMessageItem | None) -> str:
    """The text of the first text part of the user's message, or ""."""
    if item is None:
        return ""
    return next((p.text for p in item.content if isinstance(p, UserMessageTextContent)), "")


class PerfServer(ChatKitServer[Context]):
    """The responder of the contract: N lorem-word deltas of one assistant message."""

    def __init__(self, store: Store[Context]) -> None:
        super().__init__(store)
        self.deltas = env_number("PERF_DELTAS", 20)
        self.delay_ms = env_number("PERF_DELAY_MS", 0)

    async def respond(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: Context,
    ) -> AsyncIterator[ThreadStreamEvent]:
        deltas, delay_ms = perf_settings(first_text(input_user_message), self.deltas, self.delay_ms)
        item = AssistantMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=datetime.now(),
            content=[],
        )
        yield ThreadItemAddedEvent(item=item)
        words = []
        for index in range(deltas):
            # The pause sits between deltas: a held stream shows one delta, then idles.
            if index > 0 and delay_ms > 0:
                await asyncio.sleep(delay_ms / 1000)
            delta = LOREM[index % len(LOREM)] + " "
            words.append(delta)
            yield ThreadItemUpdatedEvent(
                item_id=item.id,
                update=AssistantMessageContentPartTextDelta(content_index=0, delta=delta),
            )
        done = item.model_copy(update={"content": [AssistantMessageContent(text="".join(words))]})
        yield ThreadItemDoneEvent(item=done)


# ---- The store ---------------------------------------------------------------------------


class DictStore(Store[Context]):
    """Threads and items per user in dicts and lists, kept in creation order.

    Threads are listed from an insertion-ordered dict and items appended as they come, so
    no call sorts or copies. Only what the benchmark touches is implemented; attachments
    are refused.
    """

    def __init__(self) -> None:
        self.threads: dict[str, dict[str, ThreadMetadata]] = {}
        self.items: dict[tuple[str, str], list[ThreadItem]] = {}

    def _threads(self, context: Context) -> dict[str, ThreadMetadata]:
        return self.threads.setdefault(context["user_id"], {})

    def _items(self, thread_id: str, context: Context) -> list[ThreadItem]:
        return self.items.setdefault((context["user_id"], thread_id), [])

    async def load_thread(self, thread_id: str, context: Context) -> ThreadMetadata:
        thread = self._threads(context).get(thread_id)
        if thread is None:
            raise NotFoundError(f"Thread {thread_id} not found")
        return thread

    async def save_thread(self, thread: ThreadMetadata, context: Context) -> None:
        self._threads(context)[thread.id] = thread

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: Context
    ) -> Page[ThreadMetadata]:
        return page_of(list(self._threads(context).values()), limit, after, order)

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: Context
    ) -> Page[ThreadItem]:
        return page_of(self._items(thread_id, context), limit, after, order)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Context) -> None:
        self._items(thread_id, context).append(item)

    async def save_item(self, thread_id: str, item: ThreadItem, context: Context) -> None:
        items = self._items(thread_id, context)
        items[:] = [i for i in items if i.id != item.id] + [item]

    async def load_item(self, thread_id: str, item_id: str, context: Context) -> ThreadItem:
        for item in self._items(thread_id, context):
            if item.id == item_id:
                return item
        raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")

    async def delete_thread(self, thread_id: str, context: Context) -> None:
        self._threads(context).pop(thread_id, None)
        self.items.pop((context["user_id"], thread_id), None)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Context) -> None:
        items = self._items(thread_id, context)
        items[:] = [i for i in items if i.id != item_id]

    async def save_attachment(self, attachment: Attachment, context: Context) -> None:
        raise NotImplementedError("the benchmark uses no attachments")

    async def load_attachment(self, attachment_id: str, context: Context) -> Attachment:
        raise NotFoundError(f"File {attachment_id} not found")

    async def delete_attachment(self, attachment_id: str, context: Context) -> None:
        raise NotImplementedError("the benchmark uses no attachments")


def page_of(elements: list, limit: int, after: str | None, order: str) -> Page:
    """One page of elements kept in creation order; the cursor is an element id."""
    ordered = elements[::-1] if order == "desc" else elements
    start = 0
    if after is not None:
        start = next((i + 1 for i, e in enumerate(ordered) if e.id == after), len(ordered))
    data = ordered[start : start + limit]
    has_more = start + limit < len(ordered)
    return Page(data=data, has_more=has_more, after=data[-1].id if has_more and data else None)


# ---- The cached TypeAdapter (opt-in) -----------------------------------------------------


class CachedTypeAdapters:
    """Stands in for pydantic's `TypeAdapter` name inside chatkit.server.

    The SDK writes `TypeAdapter[ChatKitReq](ChatKitReq)`: subscripting returns this object
    again, and calling it returns the adapter built the first time for that type.
    """

    def __init__(self) -> None:
        self._adapters: dict[int, TypeAdapter] = {}

    def __getitem__(self, _type: Any) -> CachedTypeAdapters:
        return self

    def __call__(self, type_: Any) -> TypeAdapter:
        # Keyed by identity: the request union is one module-level object, and an
        # Annotated union is not always hashable.
        adapter = self._adapters.get(id(type_))
        if adapter is None:
            adapter = self._adapters[id(type_)] = TypeAdapter(type_)
        return adapter


def cache_type_adapters() -> None:
    """Makes chatkit.server build each TypeAdapter once instead of once per request."""
    sdk_server.TypeAdapter = CachedTypeAdapters()


# ---- The app -----------------------------------------------------------------------------


def make_app() -> FastAPI:
    """POST /chatkit through the SDK's process(), as in the SDK's FastAPI examples."""
    return chatkit_app(PerfServer(DictStore()), default_user="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    parser.add_argument(
        "--cache-type-adapter",
        action="store_true",
        help="build the request TypeAdapter once, not per request",
    )
    args = parser.parse_args()
    if args.cache_type_adapter:
        cache_type_adapters()

    # Bind first, so the printed port is the real one even with --port 0.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}/chatkit", flush=True)

    config = uvicorn.Config(
        make_app(),
        loop="uvloop",
        http="httptools",
        workers=1,
        access_log=False,
        log_level="warning",
        backlog=4096,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
