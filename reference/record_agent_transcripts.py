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

A case may go on after `threads.create` (`then`): `threads.add_client_tool_output`, a hidden
context item put in the store between turns, `threads.add_user_message` (with a quote). Each
request's SSE bytes are appended to the same `.sse` file, in order, and every model request of
every turn goes to `.requests.json`. The server's `respond` builds the model input from the
thread's 20 newest items with `simple_to_agent_input`, as the SDK's docs do, so later turns
send the history.

Cases keep out the reference bugs the Rust side fixes (protocol#bridge-fixes): one function call
per client tool call, guardrails only on runs without function calls (whose `fc_` ids the
reference would also "remove"), and no timing artefacts. The server's `respond` catches a
guardrail's tripwire and shows its message, as the SDK's docs do; the input guardrail runs
before the model call (`run_in_parallel=False`), as the Rust runner's always do. The workflow helpers yield
(`settle()`) between calls, so each event is serialized before the next helper changes the
workflow (protocol#agent-workflows); a stream cut before `response.completed` is read through
`SettlingTransport`, so the partial output reaches chatkit before the Agents SDK's error (which
would otherwise drop it). Annotations streamed through
`annotation.added` crash chatkit 1.6.5 (the event carries the openai module's own annotation
class, which chatkit's `TypeAdapter` rejects, protocol#agent-annotations); the recorder hands chatkit
the annotation as a dict instead, as older openai clients delivered it, so the fixture shows
chatkit's intended mapping (the one its own unit tests check), not the crash.

Run with the SDK's venv:
    target/pyenv/bin/python reference/record_agent_transcripts.py [path/to/mock-provider]
It rewrites fixtures/agent_transcripts/ byte for byte on every run; CI checks that it does.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from datetime import timedelta
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
from agents import (Agent, GuardrailFunctionOutput, InputGuardrailTripwireTriggered, ModelSettings,
                    OutputGuardrailTripwireTriggered, RunContextWrapper, Runner, StopAtTools, function_tool,
                    input_guardrail, output_guardrail)
from agents import set_tracing_disabled
from agents.models.openai_responses import OpenAIResponsesModel
from openai import AsyncOpenAI

import chatkit.agents as sdk_agents
import chatkit.server as sdk_server
from chatkit.agents import AgentContext, ClientToolCall, simple_to_agent_input, stream_agent_response
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.types import (CustomSummary, CustomTask, ErrorEvent, HiddenContextItem, ProgressUpdateEvent,
                           ThreadMetadata,
                           ThreadStreamEvent, UserMessageItem, Workflow)
from chatkit.widgets import Card, Text, Title
from families import REPO_ROOT, sdk_version_problem
from mock_process import mock_binary, start_mock
from pydantic import BaseModel
from record_transcripts import START, CountingStore, SteppingClock, create

FIXTURES_DIR = REPO_ROOT / "fixtures" / "agent_transcripts"
INSTRUCTIONS = "You are a helpful assistant."


def message(text: str, deltas: list[str], annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "message", "text": text, "deltas": deltas, "annotations": annotations or []}


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function_call", "name": name, "arguments": arguments, "deltas": 2}


# Every annotation kind the mapper knows: a URL citation, a file citation, one with no filename
# (dropped), a container file citation, and a file path (dropped).
ANNOTATIONS = [
    {"type": "url_citation", "url": "https://example.com/sky", "title": "Why the sky is blue",
     "start_index": 0, "end_index": 19},
    {"type": "file_citation", "file_id": "file_1", "filename": "optics.pdf", "index": 19},
    {"type": "file_citation", "file_id": "file_2", "filename": "", "index": 19},
    {"type": "container_file_citation", "container_id": "cntr_1", "file_id": "file_3",
     "filename": "data.csv", "start_index": 20, "end_index": 33},
    {"type": "file_path", "file_id": "file_4", "index": 33},
]

CLIENT_OUTPUT = {"nodes": [{"id": "a"}, {"id": "b", "label": "café"}]}

# name -> (the user's message, the tools the agent has, the mock's script[, what follows])
CASES: dict[str, tuple[Any, ...]] = {
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
    "annotations": ("Why is the sky blue?", "none", [
        {"output": [message("Rayleigh scattering. See the data.",
                            ["Rayleigh", " scattering.", " See the data."], ANNOTATIONS)]},
    ]),
    "server_tool": ("What's the weather in Paris?", "weather", [
        {"output": [call("get_weather", {"city": "Paris"})]},
        {"output": [message("It is sunny and 21°C in Paris.", ["It is sunny", " and 21°C", " in Paris."])]},
    ]),
    "reasoning_tool_text": ("Search the docs for widgets", "search", [
        {"output": [{"type": "reasoning", "summary": ["I should search the docs."], "deltas": 2},
                    call("search_docs", {"query": "widgets"})]},
        {"output": [message("I found 2 results about widgets.", ["I found 2 results", " about widgets."])]},
    ]),
    "client_tool_output": ("What is selected?", "client", [
        {"output": [call("get_selected_nodes", {"project": "démo"})]},
        {"output": [message("You have 2 nodes selected: a and b.", ["You have 2 nodes", " selected: a and b."])]},
    ], [{"add_client_tool_output": CLIENT_OUTPUT}]),
    "history": ("What is selected?", "client", [
        {"output": [call("get_selected_nodes", {"project": "demo"})]},
        {"output": [message("You have 2 nodes selected: a and b.", ["You have 2 nodes", " selected: a and b."])]},
        {"output": [message("Node b is labelled café.", ["Node b", " is labelled café."])]},
    ], [{"add_client_tool_output": CLIENT_OUTPUT},
        {"add_hidden_context": "The user is on the project page."},
        {"add_user_message": "Tell me more about this", "quoted_text": "a and b"}]),
    "stream_cut": ("Hi there", "none", [
        {"output": [message("Partial answer.", ["Partial", " answer."])], "fail": "cut"},
    ]),
    "model_failure_mid_message": ("Hi there", "none", [
        {"output": [message("Partial answer that never ends", ["Partial", " answer", " that never ends"])
                    | {"stop_after_deltas": 2}], "fail": "error"},
    ]),
    "stream_cut_mid_message": ("Hi there", "none", [
        {"output": [message("Partial answer that never ends", ["Partial", " answer", " that never ends"])
                    | {"stop_after_deltas": 1}], "fail": "cut"},
    ]),
    "output_guardrail": ("Tell me the code", "guarded", [
        {"output": [message("The secret code is 1234.", ["The secret", " code", " is 1234."])]},
    ]),
    "input_guardrail": ("What is the admin password?", "guarded", [
        {"output": [message("Never sent.", ["Never", " sent."])]},
    ]),
    "widget_stream": ("Write a report on tides", "report", [
        {"output": [call("write_report", {"topic": "tides"})]},
        {"output": [message("Your report is ready.", ["Your report", " is ready."])]},
    ]),
    "workflow_widget": ("Plan a trip to Rome", "plan", [
        {"output": [call("plan_trip", {"city": "Rome"})]},
        {"output": [message("Your trip to Rome is planned.", ["Your trip", " to Rome is planned."])]},
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
async def get_weather(ctx: RunContextWrapper[AgentContext], city: str) -> str:
    """Get the weather for a city.

    Args:
        city: The city.
    """
    return f"Sunny, 21°C in {city}"


@function_tool
async def get_selected_nodes(ctx: RunContextWrapper[AgentContext], project: str) -> str:
    """Ask the client which nodes are selected.

    Args:
        project: The project to look in.
    """
    ctx.context.client_tool_call = ClientToolCall(name="get_selected_nodes", arguments={"project": project})
    return "asked the client"


async def settle() -> None:
    """Yields to the event loop until the queued helper events have been serialized.

    An event passes several tasks (the context's queue, the merged stream, the server's
    consumer) before it is written, so one `asyncio.sleep(0)` is not enough.
    """
    for _ in range(SETTLE_PASSES):
        await asyncio.sleep(0)


SETTLE_PASSES = 20


@function_tool
async def plan_trip(ctx: RunContextWrapper[AgentContext], city: str) -> str:
    """Plan a trip to a city.

    Args:
        city: The city to visit.
    """
    # `settle()` after each helper lets the consumer serialize its event before the next helper
    # changes the workflow: without it the reference sends an `added` that already shows the
    # final tasks and a second `done` (protocol#bridge-fixes), a bug the Rust side fixes
    # (README "Differences"). The fixture holds the intended behaviour.
    await ctx.context.start_workflow(Workflow(type="custom", tasks=[]))
    await settle()
    await ctx.context.add_workflow_task(CustomTask(title="Search flights", status_indicator="loading"))
    await settle()
    await ctx.context.update_workflow_task(CustomTask(title="Search flights", status_indicator="complete"), 0)
    await settle()
    await ctx.context.add_workflow_task(CustomTask(title="Book a hotel", content=f"Near the centre of {city}."))
    await settle()
    await ctx.context.end_workflow(summary=CustomSummary(title="Planned"))
    await settle()
    await ctx.context.stream_widget(Card(children=[Text(value=city)]), copy_text=city)
    await settle()
    return f"A trip to {city} is planned."


BLOCKED = "The assistant response was blocked."


@input_guardrail(run_in_parallel=False)
async def no_passwords(ctx: RunContextWrapper[AgentContext], agent: Agent[AgentContext],
                       input: str | list[Any]) -> GuardrailFunctionOutput:
    """Trips when the input mentions a password."""
    return GuardrailFunctionOutput(output_info=BLOCKED, tripwire_triggered="password" in json.dumps(input))


@output_guardrail
async def no_secrets(ctx: RunContextWrapper[AgentContext], agent: Agent[AgentContext],
                     output: str) -> GuardrailFunctionOutput:
    """Trips when the answer mentions a secret."""
    return GuardrailFunctionOutput(output_info=BLOCKED, tripwire_triggered="secret" in output)


REPORT = "Tides follow the Moon. Two highs a day."


def report_card(text: str, streaming: bool) -> Card:
    return Card(children=[Title(value="Report"), Text(id="body", value=text, streaming=streaming)])


async def report_states() -> AsyncIterator[Card]:
    """The report card as it is written: the body grows, then stops streaming."""
    for end in (0, 5, 23, len(REPORT)):
        yield report_card(REPORT[:end], streaming=True)
    yield report_card(REPORT, streaming=False)


@function_tool
async def write_report(ctx: RunContextWrapper[AgentContext], topic: str) -> str:
    """Write a short report.

    Args:
        topic: What the report is about.
    """
    await ctx.context.stream_widget(report_states(), copy_text=REPORT)
    return f"A report on {topic} is shown."


def make_agent(tools: str, client: AsyncOpenAI) -> Agent[AgentContext]:
    model = OpenAIResponsesModel(model="gpt-4.1-mini", openai_client=client)
    if tools == "search":
        return Agent(name="assistant", instructions=INSTRUCTIONS, model=model, tools=[search_docs])
    if tools == "plan":
        return Agent(name="assistant", instructions=INSTRUCTIONS, model=model, tools=[plan_trip])
    if tools == "report":
        return Agent(name="assistant", instructions=INSTRUCTIONS, model=model, tools=[write_report])
    if tools == "guarded":
        return Agent(name="assistant", instructions=INSTRUCTIONS, model=model,
                     input_guardrails=[no_passwords], output_guardrails=[no_secrets])
    if tools == "weather":
        return Agent(name="assistant", instructions=INSTRUCTIONS, model=model, tools=[get_weather])
    if tools == "client":
        return Agent(name="assistant", instructions=INSTRUCTIONS, model=model, tools=[get_selected_nodes],
                     tool_use_behavior=StopAtTools(stop_at_tool_names=["get_selected_nodes"]),
                     model_settings=ModelSettings())
    return Agent(name="assistant", instructions=INSTRUCTIONS, model=model)


class AgentServer(ChatKitServer[dict[str, str]]):
    """The docs' server: the thread's 20 newest items as input, the run through `stream_agent_response`."""

    def __init__(self, store: CountingStore, agent: Agent[AgentContext]) -> None:
        super().__init__(store)
        self.agent = agent

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None,
                      context: dict[str, str]) -> AsyncIterator[ThreadStreamEvent]:
        agent_context = AgentContext(thread=thread, store=self.store, request_context=context)
        page = await self.store.load_thread_items(thread.id, None, 20, "desc", context)
        items = await simple_to_agent_input(list(reversed(page.data)))
        result = Runner.run_streamed(self.agent, items, context=agent_context)
        try:
            async for event in stream_agent_response(agent_context, result):
                yield event
        except (InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered) as tripped:
            yield ErrorEvent(message=str(tripped.guardrail_result.output.output_info), allow_retry=False)


class SettlingStream(httpx.AsyncByteStream):
    """A response body that lets the event loop run (`settle()`) after each chunk it hands over."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self.inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            yield chunk
            await settle()

    async def aclose(self) -> None:
        await self.inner.aclose()


class SettlingTransport(httpx.AsyncHTTPTransport):
    """Gives the SDK's consumer time to take each chunk's events before the next chunk or the end.

    For a stream cut before `response.completed` (the mock's `fail: "cut"`): the Agents SDK
    queues each model event for `stream_events()` and, once the body ends without `completed`,
    stores `ModelBehaviorError("Model did not produce a final response!")`. Unlike the errors of
    `response.failed` and `error`, that one is not marked to drain the queue first, so
    `stream_events()` raises at once and drops the events still queued: with a fast local mock,
    the whole partial message. Which events survive is a race between the body's reads and the
    consumer (a timing artefact, like the workflow helpers'); letting the consumer run before
    the end keeps it out of the fixture, which then shows the error after the streamed outputs,
    as for the other mid-stream failures (protocol#agent-errors).

    An output guardrail's tripwire is stored the same way, as soon as the guardrail has run,
    and races the same queued events (with a fast mock, the message's `output_item.done`): the
    guarded cases read through this transport too, and show the message done, then removed
    (protocol#guardrails).
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        response.stream = SettlingStream(response.stream)
        return response


def start_scripted_mock(binary: Path, script: list[dict[str, Any]], workdir: Path) -> tuple[subprocess.Popen, str]:
    path = workdir / "script.json"
    path.write_text(json.dumps(script))
    return start_mock(binary, "--script", str(path))


async def _convert_annotation_as_dict(raw_annotation: object, converter: Any) -> Any:
    """chatkit's `_convert_annotation`, given the annotation as a dict (see the module doc)."""
    if isinstance(raw_annotation, BaseModel):
        raw_annotation = raw_annotation.model_dump()
    return await _CONVERT_ANNOTATION(raw_annotation, converter)


_CONVERT_ANNOTATION = sdk_agents._convert_annotation
sdk_agents._convert_annotation = _convert_annotation_as_dict


def add_client_tool_output(thread_id: str, result: Any) -> str:
    return json.dumps({"type": "threads.add_client_tool_output",
                       "params": {"thread_id": thread_id, "result": result}},
                      ensure_ascii=False, separators=(",", ":"))


def add_user_message(thread_id: str, text: str, quoted_text: str | None) -> str:
    user_input: dict[str, Any] = {"content": [{"type": "input_text", "text": text}], "attachments": []}
    if quoted_text is not None:
        user_input["quoted_text"] = quoted_text
    user_input["inference_options"] = {}
    return json.dumps({"type": "threads.add_user_message",
                       "params": {"thread_id": thread_id, "input": user_input}},
                      ensure_ascii=False, separators=(",", ":"))


async def stream_bytes(server: ChatKitServer, body: str) -> bytes:
    result = await server.process(body, {"user_id": "student"})
    assert isinstance(result, StreamingResult)
    return b"".join([chunk async for chunk in result])


async def follow_up(server: "AgentServer", store: CountingStore, thread_id: str, step: dict[str, Any]) -> bytes:
    """One step of a case's `then`: the SSE bytes it streams (none for a store write)."""
    context = {"user_id": "student"}
    if "add_client_tool_output" in step:
        return await stream_bytes(server, add_client_tool_output(thread_id, step["add_client_tool_output"]))
    if "add_user_message" in step:
        return await stream_bytes(server, add_user_message(thread_id, step["add_user_message"],
                                                           step.get("quoted_text")))
    if "add_hidden_context" in step:
        # Half a second after the newest item, so it sorts last without reading the clock.
        newest = (await store.load_thread_items(thread_id, None, 1, "desc", context)).data[0]
        item = HiddenContextItem(id="hcx_0001", thread_id=thread_id,
                                 created_at=newest.created_at + timedelta(milliseconds=500),
                                 content=step["add_hidden_context"])
        await store.add_thread_item(thread_id, item, context)
        return b""
    raise ValueError(f"unknown step {step}")


async def record_case(binary: Path, name: str) -> tuple[bytes, list[Any]]:
    text, tools, script, *rest = CASES[name]
    then = rest[0] if rest else []
    with tempfile.TemporaryDirectory() as workdir:
        mock, base_url = start_scripted_mock(binary, script, Path(workdir))
        try:
            requests: list[Any] = []

            async def capture(request: httpx.Request) -> None:
                requests.append(json.loads(request.content))

            cut = any(turn.get("fail") == "cut" for turn in script)
            transport = SettlingTransport() if cut or tools == "guarded" else None
            http = httpx.AsyncClient(event_hooks={"request": [capture]}, transport=transport)
            client = AsyncOpenAI(base_url=base_url, api_key="sk-mock", http_client=http, max_retries=0)
            clock = SteppingClock(START)
            sdk_server.datetime = clock  # threads, user messages, widgets
            sdk_agents.datetime = clock  # assistant messages, workflows, client tool calls
            store = CountingStore()
            server = AgentServer(store, make_agent(tools, client))
            sse = await stream_bytes(server, create(text))
            thread_id = json.loads(sse.split(b"\n", 1)[0][len(b"data: "):])["thread"]["id"]
            for step in then:
                sse += await follow_up(server, store, thread_id, step)
            await http.aclose()
            return sse, requests
        finally:
            mock.kill()
            mock.wait()


async def record_all(binary: Path) -> None:
    for name in CASES:
        sse, requests = await record_case(binary, name)
        text, tools, script, *rest = CASES[name]
        case: dict[str, Any] = {"input": text, "tools": tools, "script": script}
        if rest:
            case["then"] = rest[0]
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
    binary = mock_binary(sys.argv)
    if binary is None:
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
