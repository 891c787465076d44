"""The conformance checker's reference target: a ChatKit server on the Python SDK itself.

`chatkit-conform check` must not fail the SDK it describes, so CI starts this app and runs
the whole suite against it (`reference/ci-conform.sh`), requiring zero errors. It is the
smallest honest SDK server: `openai-chatkit` 1.6.5 (`ChatKitServer.process`), FastAPI and
uvicorn as the SDK's docs show them, an in-memory store written here (the SDK ships none),
the user taken from the `x-user-id` header (`student` when absent), and a `respond()` that
streams a short assistant message as `thread.item.added`, a content part, a few text deltas,
the part's `done` and the item's `done`, the way a model-backed server does.

Everything about it is the SDK's default behaviour on purpose, including its quirks (a bare
500 for a malformed body, §8.1 of the protocol notes): the checker reports those as warnings.

Run it by hand:

    PY=$(bash reference/setup-venv.sh | tail -n1)
    "$PY" reference/conform_app.py --port 8010
    cargo run --bin chatkit-conform -- check --url http://127.0.0.1:8010/chatkit
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime

import uvicorn
from chatkit.server import ChatKitServer
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
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

# The request context: who is asking. A real app would verify a session here.
Context = dict[str, str]


class MemoryStore(Store[Context]):
    """Threads, items and attachments in dicts, keyed by user first so users never mix.

    Lists are ordered by `(created_at, id)` and the cursor is the id of the last element
    returned, as the protocol's §6.2 describes the reference stores.
    """

    def __init__(self) -> None:
        self._threads: dict[tuple[str, str], ThreadMetadata] = {}
        self._items: dict[tuple[str, str], list[ThreadItem]] = defaultdict(list)
        self._attachments: dict[tuple[str, str], Attachment] = {}

    async def load_thread(self, thread_id: str, context: Context) -> ThreadMetadata:
        key = (context["user_id"], thread_id)
        if key not in self._threads:
            raise NotFoundError(f"Thread {thread_id} not found")
        return self._threads[key].model_copy(deep=True)

    async def save_thread(self, thread: ThreadMetadata, context: Context) -> None:
        self._threads[(context["user_id"], thread.id)] = thread.model_copy(deep=True)

    async def load_threads(self, limit: int, after: str | None, order: str, context: Context) -> Page[ThreadMetadata]:
        mine = [t for (owner, _), t in self._threads.items() if owner == context["user_id"]]
        return _page(mine, limit, after, order)

    async def load_thread_items(self, thread_id: str, after: str | None, limit: int, order: str, context: Context) -> Page[ThreadItem]:
        return _page(self._items.get((context["user_id"], thread_id), []), limit, after, order)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Context) -> None:
        self._items[(context["user_id"], thread_id)].append(item.model_copy(deep=True))

    async def save_item(self, thread_id: str, item: ThreadItem, context: Context) -> None:
        items = self._items[(context["user_id"], thread_id)]
        items[:] = [i for i in items if i.id != item.id] + [item.model_copy(deep=True)]

    async def load_item(self, thread_id: str, item_id: str, context: Context) -> ThreadItem:
        for item in self._items.get((context["user_id"], thread_id), []):
            if item.id == item_id:
                return item.model_copy(deep=True)
        raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")

    async def delete_thread(self, thread_id: str, context: Context) -> None:
        self._threads.pop((context["user_id"], thread_id), None)
        self._items.pop((context["user_id"], thread_id), None)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Context) -> None:
        items = self._items.get((context["user_id"], thread_id), [])
        items[:] = [i for i in items if i.id != item_id]

    async def save_attachment(self, attachment: Attachment, context: Context) -> None:
        self._attachments[(context["user_id"], attachment.id)] = attachment.model_copy(deep=True)

    async def load_attachment(self, attachment_id: str, context: Context) -> Attachment:
        key = (context["user_id"], attachment_id)
        if key not in self._attachments:
            raise NotFoundError(f"File {attachment_id} not found")
        return self._attachments[key].model_copy(deep=True)

    async def delete_attachment(self, attachment_id: str, context: Context) -> None:
        self._attachments.pop((context["user_id"], attachment_id), None)


def _page(elements: list, limit: int, after: str | None, order: str) -> Page:
    """One page ordered by (created_at, id); an unknown cursor is NotFound, as for items in §6.2."""
    ordered = sorted(elements, key=lambda e: (e.created_at, e.id), reverse=order == "desc")
    start = 0
    if after is not None:
        ids = [e.id for e in ordered]
        if after not in ids:
            raise NotFoundError(f"Cursor {after} not found")
        start = ids.index(after) + 1
    rest = ordered[start:]
    data = rest[:limit]
    has_more = len(rest) > limit
    return Page(data=data, has_more=has_more, after=data[-1].id if has_more and data else None)


class ConformServer(ChatKitServer[Context]):
    """Answers every message with a short assistant message streamed in a few deltas."""

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: Context) -> AsyncIterator[ThreadStreamEvent]:
        words = _user_text(input_user_message) or "(no text)"
        deltas = ["Hello ", f"{context['user_id']}, ", "you said: ", words]
        item = AssistantMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=datetime.now(),
            content=[],
        )
        yield ThreadItemAddedEvent(item=item)
        empty = AssistantMessageContent(text="")
        yield ThreadItemUpdatedEvent(item_id=item.id, update=AssistantMessageContentPartAdded(content_index=0, content=empty))
        for delta in deltas:
            yield ThreadItemUpdatedEvent(item_id=item.id, update=AssistantMessageContentPartTextDelta(content_index=0, delta=delta))
        final = AssistantMessageContent(text="".join(deltas))
        yield ThreadItemUpdatedEvent(item_id=item.id, update=AssistantMessageContentPartDone(content_index=0, content=final))
        yield ThreadItemDoneEvent(item=item.model_copy(update={"content": [final]}))


def _user_text(item: UserMessageItem | None) -> str:
    if item is None:
        return ""
    return " ".join(part.text for part in item.content if isinstance(part, UserMessageTextContent))


def make_app() -> FastAPI:
    """The FastAPI app of the SDK's docs: one POST route that hands the raw body to `process`."""
    return chatkit_app(ConformServer(MemoryStore()), default_user="student")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    args = parser.parse_args()
    uvicorn.run(make_app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
