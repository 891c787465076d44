"""Record what the Python SDK's `stream_agent_response` sends for scripted agent runs.

For each case, an Agents SDK agent runs inside a Python ChatKit server against the **Rust**
mock provider (`mock-provider --script`), and this writes

* `fixtures/agent_transcripts/<case>.sse`: the SSE bytes of the `threads.create` stream;
* `fixtures/agent_transcripts/<case>.requests.json`: the Responses request bodies the agent
  sent, captured on the client side (an httpx request hook), one per model call;
* `fixtures/agent_transcripts/<case>.case.json`: the case itself (the user's message, which
  tools the agent has, the mock's script), so the Rust test replays exactly what ran here.

`tests/bridge.rs` runs the same script, agent and request through the Rust pipeline and
asserts equal bytes. Ids and time are injected as in `record_transcripts.py` (a store whose
ids count per kind, a clock stepping one second per reading), and the clock is patched into
both `chatkit.server` and `chatkit.agents`, the two modules that call `datetime.now()`. The
mock's own ids (`msg_mock_001_0`, `fc_mock_001_0`, ...) are deterministic already.

Cases keep out the reference bugs the Rust side fixes (model-side.md §5): no annotations
streamed through `annotation.added`, no workflow helpers, one function call per client tool
call, no guardrails.

Run with the SDK's venv:
    target/pyenv/bin/python reference/record_agent_transcripts.py [path/to/mock-provider]
It rewrites fixtures/agent_transcripts/ byte for byte on every run; CI checks that it does.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
from agents import Agent, ModelSettings, RunContextWrapper, Runner, StopAtTools, function_tool
from agents import set_tracing_disabled
from agents.models.openai_responses import OpenAIResponsesModel
from openai import AsyncOpenAI

import chatkit.agents as sdk_agents
import chatkit.server as sdk_server
from chatkit.agents import AgentContext, ClientToolCall, simple_to_agent_input, stream_agent_response
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.types import ProgressUpdateEvent, ThreadMetadata, ThreadStreamEvent, UserMessageItem
from families import REPO_ROOT, sdk_version_problem
from record_transcripts import START, CountingStore, SteppingClock, create

FIXTURES_DIR = REPO_ROOT / "fixtures" / "agent_transcripts"
INSTRUCTIONS = "You are a helpful assistant."


def message(text: str, deltas: list[str]) -> dict[str, Any]:
    return {"type": "message", "text": text, "deltas": deltas, "annotations": []}


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function_call", "name": name, "arguments": arguments, "deltas": 2}


# name -> (the user's message, the tools the agent has, the mock's script)
CASES: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "text": ("Hi there", "none", [
        {"output": [message("Hello! How can I help you today?",
                            ["Hello!", " How can I", " help you", " today?"])]},
    ]),
    "two_messages": ("Tell me two things", "none", [
        {"output": [message("First thing.", ["First", " thing."]),
                    message("Second thing.", ["Second", " thing."])]},
    ]),
    "reasoning_text": ("Why is the sky blue?", "none", [
        {"output": [{"type": "reasoning", "summary": ["Thinking about light scattering."], "deltas": 3},
                    message("Rayleigh scattering.", ["Rayleigh", " scattering."])]},
    ]),
    "tool_progress": ("Search the docs for widgets", "search", [
        {"output": [call("search_docs", {"query": "widgets"})]},
        {"output": [message("I found 2 results about widgets.", ["I found 2 results", " about widgets."])]},
    ]),
    "client_tool": ("What is selected?", "client", [
        {"output": [call("get_selected_nodes", {"project": "demo"})]},
    ]),
    "model_failure": ("Hi there", "none", [
        {"output": [message("Partial answer.", ["Partial", " answer."])], "fail": "response.failed"},
    ]),
}


@function_tool
async def search_docs(ctx: RunContextWrapper[AgentContext], query: str) -> str:
    """Search the documentation.

    Args:
        query: What to search for.
    """
    await ctx.context.stream(ProgressUpdateEvent(icon="search", text="Searching docs..."))
    await ctx.context.stream(ProgressUpdateEvent(icon="check", text="Found 2 results"))
    return f"2 results for {query}"


@function_tool
async def get_selected_nodes(ctx: RunContextWrapper[AgentContext], project: str) -> str:
    """Ask the client which nodes are selected.

    Args:
        project: The project to look in.
    """
    ctx.context.client_tool_call = ClientToolCall(name="get_selected_nodes", arguments={"project": project})
    return "asked the client"


def make_agent(tools: str, client: AsyncOpenAI) -> Agent[AgentContext]:
    model = OpenAIResponsesModel(model="gpt-4.1-mini", openai_client=client)
    if tools == "search":
        return Agent(name="assistant", instructions=INSTRUCTIONS, model=model, tools=[search_docs])
    if tools == "client":
        return Agent(name="assistant", instructions=INSTRUCTIONS, model=model, tools=[get_selected_nodes],
                     tool_use_behavior=StopAtTools(stop_at_tool_names=["get_selected_nodes"]),
                     model_settings=ModelSettings())
    return Agent(name="assistant", instructions=INSTRUCTIONS, model=model)


class AgentServer(ChatKitServer[dict[str, str]]):
    """The docs' server: the user message as input, the run through `stream_agent_response`."""

    def __init__(self, store: CountingStore, agent: Agent[AgentContext]) -> None:
        super().__init__(store)
        self.agent = agent

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None,
                      context: dict[str, str]) -> AsyncIterator[ThreadStreamEvent]:
        agent_context = AgentContext(thread=thread, store=self.store, request_context=context)
        items = await simple_to_agent_input(input_user_message) if input_user_message else []
        result = Runner.run_streamed(self.agent, items, context=agent_context)
        async for event in stream_agent_response(agent_context, result):
            yield event


def start_mock(binary: Path, script: list[dict[str, Any]], workdir: Path) -> tuple[subprocess.Popen, str]:
    path = workdir / "script.json"
    path.write_text(json.dumps(script))
    mock = subprocess.Popen([str(binary), "--port", "0", "--script", str(path)],
                            stdout=subprocess.PIPE, text=True)
    assert mock.stdout is not None
    line = mock.stdout.readline()
    prefix = "mock provider listening on "
    if not line.startswith(prefix):
        mock.kill()
        raise RuntimeError(f"the mock did not start: {line!r}")
    return mock, line[len(prefix):].strip()


async def record_case(binary: Path, name: str) -> tuple[bytes, list[Any]]:
    text, tools, script = CASES[name]
    with tempfile.TemporaryDirectory() as workdir:
        mock, base_url = start_mock(binary, script, Path(workdir))
        try:
            requests: list[Any] = []

            async def capture(request: httpx.Request) -> None:
                requests.append(json.loads(request.content))

            http = httpx.AsyncClient(event_hooks={"request": [capture]})
            client = AsyncOpenAI(base_url=base_url, api_key="sk-mock", http_client=http, max_retries=0)
            clock = SteppingClock(START)
            sdk_server.datetime = clock  # threads, user messages, widgets
            sdk_agents.datetime = clock  # assistant messages, workflows, client tool calls
            server = AgentServer(CountingStore(), make_agent(tools, client))
            result = await server.process(create(text), {"user_id": "student"})
            assert isinstance(result, StreamingResult)
            sse = b"".join([chunk async for chunk in result])
            await http.aclose()
            return sse, requests
        finally:
            mock.kill()
            mock.wait()


async def record_all(binary: Path) -> None:
    for name in CASES:
        sse, requests = await record_case(binary, name)
        text, tools, script = CASES[name]
        case = {"input": text, "tools": tools, "script": script}
        (FIXTURES_DIR / f"{name}.case.json").write_text(json.dumps(case, indent=2) + "\n")
        (FIXTURES_DIR / f"{name}.sse").write_bytes(sse)
        body = json.dumps(requests, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (FIXTURES_DIR / f"{name}.requests.json").write_text(body, encoding="utf-8")
        print(f"{name}: {len(sse)} bytes, {len(requests)} model requests")


def main() -> int:
    problem = sdk_version_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    default = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target")) / "debug" / "mock-provider"
    binary = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not binary.exists():
        print(f"{binary} not found; run `cargo build --bin mock-provider` first", file=sys.stderr)
        return 2
    set_tracing_disabled(True)
    FIXTURES_DIR.mkdir(parents=True, exist_ok=True)
    for stale in FIXTURES_DIR.glob("*.*"):
        if stale.name.endswith((".sse", ".requests.json", ".case.json")):
            stale.unlink()
    asyncio.run(record_all(binary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
