"""Record lesson 04 (history) from its Python twin: the SDK's `ThreadItemConverter` and the
Agents SDK against the Rust mock provider's toy model (`mock-provider`, no script).

The same three turns on one thread (a note, a second note, "what did I ask you to
remember?") run in both memory modes of `lessons/lesson04/memory.rs`:

* `window`: each turn loads the thread, newest first, reverses it and converts it with
  `ThreadItemConverter().to_agent_input`; the new message is already stored, so it is not
  added again. The conversation is far below the lesson's 2,000-token budget, so the Rust
  window is the whole thread too (the SDK has no budgeted loader: README "Differences").
* `previous_response`: the first turn sends the thread; each later turn passes the id kept in
  `thread.metadata["previous_response_id"]` to `Runner.run_streamed` and sends only the newest
  item, the user's message; after the run the metadata takes `result.last_response_id`, which
  the SDK saves and announces with `thread.updated`.

It writes `fixtures/transcripts/lesson04_<mode>.sse` (the three streams, in order) and
`lesson04_<mode>.requests.json` (every Responses request body, captured by an httpx hook).
`tests/lessons.rs` runs the Rust lesson on the same requests and requires the same bytes and
the same request bodies. Ids and time are injected as in `record_transcripts.py`.

Run with the SDK's venv:
    target/pyenv/bin/python reference/record_lesson04.py [path/to/mock-provider]
It rewrites its fixtures byte for byte on every run; CI checks that it does.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
from agents import Agent, Runner, set_tracing_disabled
from agents.models.openai_responses import OpenAIResponsesModel
from openai import AsyncOpenAI

import chatkit.agents as sdk_agents
import chatkit.server as sdk_server
from chatkit.agents import AgentContext, ThreadItemConverter, stream_agent_response
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.types import ThreadMetadata, ThreadStreamEvent, UserMessageItem
from families import sdk_version_problem
from mock_process import mock_binary, start_mock
from record_transcripts import START, TRANSCRIPTS_DIR, CountingStore, SteppingClock, add_user_message, create

# lessons/lesson04/memory.rs, `agent()`.
INSTRUCTIONS = ("You keep the notes the user asks you to remember and answer questions about them "
                "from the conversation. If a note is not in the conversation, say so.")
MESSAGES = ["Remember that my sister's birthday is May 3.", "Remember that I take tea without sugar.",
            "What did I ask you to remember?"]
PREVIOUS_RESPONSE_ID = "previous_response_id"


class Lesson04Server(ChatKitServer[dict[str, str]]):
    """lessons/lesson04/memory.rs in Python: the thread as the model's only memory."""

    def __init__(self, store: CountingStore, agent: Agent[AgentContext], chain: bool) -> None:
        super().__init__(store)
        self.agent = agent
        self.chain = chain

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None,
                      context: dict[str, str]) -> AsyncIterator[ThreadStreamEvent]:
        previous = thread.metadata.get(PREVIOUS_RESPONSE_ID) if self.chain else None
        # Chained, only the newest item (the user's message) is new to the model.
        limit = 1 if previous else 1000
        page = await self.store.load_thread_items(thread.id, None, limit, "desc", context)
        items = await ThreadItemConverter().to_agent_input(list(reversed(page.data)))
        agent_context = AgentContext(thread=thread, store=self.store, request_context=context)
        result = Runner.run_streamed(self.agent, items, context=agent_context, previous_response_id=previous)
        async for event in stream_agent_response(agent_context, result):
            yield event
        if self.chain:
            thread.metadata[PREVIOUS_RESPONSE_ID] = result.last_response_id


async def record_mode(binary: Path, chain: bool) -> tuple[bytes, list[Any]]:
    mock, base_url = start_mock(binary)
    try:
        requests: list[Any] = []

        async def capture(request: httpx.Request) -> None:
            requests.append(json.loads(request.content))

        http = httpx.AsyncClient(event_hooks={"request": [capture]})
        client = AsyncOpenAI(base_url=base_url, api_key="sk-mock", http_client=http, max_retries=0)
        clock = SteppingClock(START)
        sdk_server.datetime = clock
        sdk_agents.datetime = clock
        model = OpenAIResponsesModel(model="gpt-4.1-mini", openai_client=client)
        agent = Agent(name="memory", instructions=INSTRUCTIONS, model=model)
        server = Lesson04Server(CountingStore(), agent, chain)
        sse = b""
        for n, text in enumerate(MESSAGES):
            body = create(text) if n == 0 else add_user_message("thr_0001", text)
            result = await server.process(body, {"user_id": "student"})
            assert isinstance(result, StreamingResult)
            sse += b"".join([chunk async for chunk in result])
        await http.aclose()
        return sse, requests
    finally:
        mock.kill()
        mock.wait()


def main() -> int:
    problem = sdk_version_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    binary = mock_binary(sys.argv)
    if binary is None:
        return 2
    set_tracing_disabled(True)
    for mode, chain in (("window", False), ("previous_response", True)):
        sse, requests = asyncio.run(record_mode(binary, chain))
        (TRANSCRIPTS_DIR / f"lesson04_{mode}.sse").write_bytes(sse)
        body = json.dumps(requests, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (TRANSCRIPTS_DIR / f"lesson04_{mode}.requests.json").write_text(body, encoding="utf-8")
        print(f"lesson04_{mode}: {len(sse)} bytes, {len(requests)} model requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
