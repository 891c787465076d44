"""An in-memory `Store` for the Python servers in this folder (the SDK ships none).

`conform_app.py` serves it as it is (random ids, the SDK's defaults); `record_transcripts.py`
and `record_agent_transcripts.py` subclass it with ids that count per kind, as the Rust
`SequentialIds` do. Everything is keyed by user first, so users never see each other's data,
and lists are ordered by `(created_at, id)` with the last element's id as the cursor, as
the Rust stores order them (protocol#store-pagination).
"""

from __future__ import annotations

from collections import defaultdict

from chatkit.store import NotFoundError, Store
from chatkit.types import Attachment, Page, ThreadItem, ThreadMetadata, UserMessageItem, UserMessageTextContent

# The request context: who is asking. A real app would verify a session here.
Context = dict[str, str]


class MemoryStore(Store[Context]):
    """Threads, items and attachments in dicts, keyed by `(user, id)`; reads return copies."""

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
        # The SDK may hand over a `Thread` with its items: keep the metadata only.
        self._threads[(context["user_id"], thread.id)] = ThreadMetadata(**thread.model_dump())

    async def load_threads(self, limit: int, after: str | None, order: str, context: Context) -> Page[ThreadMetadata]:
        mine = [t for (owner, _), t in self._threads.items() if owner == context["user_id"]]
        return page(mine, limit, after, order)

    async def load_thread_items(self, thread_id: str, after: str | None, limit: int, order: str, context: Context) -> Page[ThreadItem]:
        return page(self._items.get((context["user_id"], thread_id), []), limit, after, order)

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


def page(elements: list, limit: int, after: str | None, order: str) -> Page:
    """One page ordered by (created_at, id); an unknown cursor is NotFound.

    The paging rule of protocol#store-pagination, as the Rust stores apply it.
    """
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


def user_text(item: UserMessageItem | None) -> str:
    """The text parts of a user message joined by spaces, as the Rust lessons compute it."""
    if item is None:
        return ""
    return " ".join(part.text for part in item.content if isinstance(part, UserMessageTextContent))
