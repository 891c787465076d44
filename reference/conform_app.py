"""The conformance checker's reference target: a ChatKit server on the Python SDK itself.

`chatkit-conform check` must not fail the SDK it describes, so CI starts this app and runs
the whole suite against it (`reference/ci-conform.sh`), requiring zero errors. It is the
smallest honest SDK server: `openai-chatkit` 1.6.5 (`ChatKitServer.process`), FastAPI and
uvicorn as the SDK's docs show them, the in-memory store of `memory_store.py` (the SDK ships none),
the user taken from the `x-user-id` header (`student` when absent), and a `respond()` that
streams a short assistant message as `thread.item.added`, a content part, a few text deltas,
the part's `done` and the item's `done`, the way a model-backed server does.

Everything about it is the SDK's default behaviour on purpose, including its quirks (a bare
500 for a malformed body, protocol#quirk-status-500): the checker reports those as warnings.

Run it by hand:

    PY=$(bash reference/setup-venv.sh | tail -n1)
    "$PY" reference/conform_app.py --port 8010
    cargo run --bin chatkit-conform -- check --url http://127.0.0.1:8010/chatkit
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from datetime import datetime

import uvicorn
from chatkit.server import ChatKitServer
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)
from fastapi import FastAPI
from fastapi_app import chatkit_app
from memory_store import Context, MemoryStore, user_text

class ConformServer(ChatKitServer[Context]):
    """Answers every message with a short assistant message streamed in a few deltas."""

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: Context) -> AsyncIterator[ThreadStreamEvent]:
        words = user_text(input_user_message) or "(no text)"
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
