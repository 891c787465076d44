"""Checks the Rust mock model provider against the official clients.

The mock (`cargo run --bin mock-provider`) claims to speak the full Responses API streaming
wire (protocol#responses-order). This script proves it with the two clients ChatKit apps use:

1. the `openai` Python client with strict response validation
   (`_strict_response_validation=True`), which raises on any event missing a required field
   and on any malformed payload, and
2. the Agents SDK's `Runner.run_streamed`, which turns the events into a run, calls the tool
   and makes the second request itself.

For a text turn, a reasoning turn and a tool-call turn it asserts that every event parses into
the client's typed event classes (none unknown), that `sequence_number` counts from 0, and that
the run ends with the expected output. Each check gets a fresh mock process, so that request
numbering (and so the ids) starts at 1.

Then `previous_response_id` (protocol#previous-response), against the toy model (no script):
the client chains two responses, the second sending only a tool's output, and the toy model's
answer names the tool it can only know from the first; an unknown id is the API's 400; and the
Agents SDK chains a run with a tool call to an earlier run.

Usage: python reference/check_mock_provider.py [PATH_TO_MOCK_PROVIDER_BINARY]
       (default: `cargo run --quiet --bin mock-provider --`)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

from openai import AsyncOpenAI, BadRequestError
from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

from agents import Agent, Runner, function_tool, set_tracing_disabled
from agents.models.openai_responses import OpenAIResponsesModel

REPO_ROOT = Path(__file__).resolve().parent.parent
MODEL = "gpt-4.1-mini"

TEXT = [{"output": [{"type": "message", "text": "Hello! How can I help you today?",
                     "deltas": ["Hello!", " How can I", " help you", " today?"]}]}]
REASONING = [{"output": [
    {"type": "reasoning", "summary": ["The user greets me.", "A short answer will do."], "deltas": 3},
    {"type": "message", "text": "Hi! Nice to meet you."},
]}]
TOOL = [
    {"output": [{"type": "function_call", "name": "get_weather",
                 "arguments": {"city": "Paris"}, "deltas": 3}]},
    {"output": [{"type": "message", "text": "It is sunny and 21°C in Paris.",
                 "deltas": ["It is sunny", " and 21°C", " in Paris."]}]},
]


@contextlib.contextmanager
def mock_provider(command: list[str], script: list[dict[str, Any]] | None) -> Iterator[str]:
    """Starts the mock on a free port with `script` (or its toy model); yields its base URL."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(script, file)
    script_args = ["--script", file.name] if script is not None else []
    process = subprocess.Popen(
        [*command, "--port", "0", *script_args],
        stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on " not in line:
            raise RuntimeError(f"the mock provider did not start: {line!r}")
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)
        Path(file.name).unlink()


def strict_client(base_url: str) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=base_url, api_key="sk-mock", _strict_response_validation=True)


async def raw_events(base_url: str, text: str | list[dict[str, Any]],
                     tools: list[dict[str, Any]], **options: Any) -> list[Any]:
    """One streamed request through the official client; every event, typed."""
    client = strict_client(base_url)
    stream = await client.responses.create(model=MODEL, input=text, tools=tools, stream=True,
                                           **options)
    events = [event async for event in stream]
    adapter = TypeAdapter(ResponseStreamEvent)
    for number, event in enumerate(events):
        # Re-validate each event strictly against the union of known events: an unknown
        # type or a missing field raises here.
        adapter.validate_python(event.model_dump(mode="json", exclude_unset=True), strict=False)
        assert event.sequence_number == number, (event.type, event.sequence_number, number)
    assert events[0].type == "response.created", events[0].type
    assert events[-1].type == "response.completed", events[-1].type
    return events


WEATHER_TOOL = {"type": "function", "name": "get_weather", "strict": True,
                "description": "Get the current weather for a city.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                               "required": ["city"], "additionalProperties": False}}


@function_tool
def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"Sunny, 21C in {city}"


async def agent_run(base_url: str, text: str, with_tool: bool,
                    previous_response_id: str | None = None) -> tuple[Any, list[str], Any]:
    """A whole Agents SDK run; the final output, the raw event types seen and the id of its
    last response."""
    model = OpenAIResponsesModel(model=MODEL, openai_client=strict_client(base_url))
    agent = Agent(name="Assistant", instructions="You are a helpful assistant.", model=model,
                  tools=[get_weather] if with_tool else [])
    result = Runner.run_streamed(agent, text, previous_response_id=previous_response_id)
    seen = []
    async for event in result.stream_events():
        if event.type == "raw_response_event":
            seen.append(event.data.type)
        else:
            seen.append(getattr(event, "name", event.type))
    return result.final_output, seen, result.last_response_id


async def unknown_previous_response(base_url: str) -> Any:
    """The error the official client raises for an id the mock never produced."""
    try:
        await strict_client(base_url).responses.create(
            model=MODEL, input="Hi", previous_response_id="resp_nope")
    except BadRequestError as error:
        return error
    raise AssertionError("an unknown previous_response_id was accepted")


def check(name: str, condition: bool, detail: Any) -> None:
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    print(f"ok  {name}")


async def main(command: list[str]) -> None:
    set_tracing_disabled(True)

    with mock_provider(command, TEXT) as url:
        events = await raw_events(url, "Hi there", [])
    final = events[-1].response
    check("client: text turn", final.output_text == "Hello! How can I help you today?"
          and final.id == "resp_mock_001" and final.usage is not None, final)
    with mock_provider(command, TEXT) as url:
        output, _, _ = await agent_run(url, "Hi there", with_tool=False)
    check("agents: text turn", output == "Hello! How can I help you today?", output)

    with mock_provider(command, REASONING) as url:
        events = await raw_events(url, "Hello", [])
    summary = [e.delta for e in events if e.type == "response.reasoning_summary_text.delta"]
    final = events[-1].response
    check("client: reasoning turn", len(summary) == 6
          and "".join(summary[:3]) == "The user greets me."
          and final.output[0].type == "reasoning" and final.output[0].id == "rs_mock_001_0"
          and final.output_text == "Hi! Nice to meet you.", (summary, final))
    with mock_provider(command, REASONING) as url:
        output, seen, _ = await agent_run(url, "Hello", with_tool=False)
    check("agents: reasoning turn", output == "Hi! Nice to meet you."
          and "response.reasoning_summary_text.delta" in seen, (output, seen))

    with mock_provider(command, TOOL) as url:
        events = await raw_events(url, "What's the weather in Paris?", [WEATHER_TOOL])
    call = events[-1].response.output[0]
    check("client: tool-call turn", call.type == "function_call" and call.name == "get_weather"
          and call.arguments == '{"city":"Paris"}' and call.call_id == "call_mock_001_0"
          and call.id == "fc_mock_001_0", call)
    with mock_provider(command, TOOL) as url:
        output, seen, _ = await agent_run(url, "What's the weather in Paris?", with_tool=True)
    check("agents: tool-call turn", output == "It is sunny and 21°C in Paris."
          and "tool_called" in seen and "tool_output" in seen, (output, seen))

    # previous_response_id, with the toy model, which answers from the input it is given.
    with mock_provider(command, None) as url:
        first = (await raw_events(url, "What's the weather in Paris?", [WEATHER_TOOL]))[-1].response
        call = first.output[0]
        only_the_output = [{"type": "function_call_output", "call_id": call.call_id,
                            "output": "Sunny, 21C"}]
        events = await raw_events(url, only_the_output, [WEATHER_TOOL],
                                  previous_response_id=first.id)
        error = await unknown_previous_response(url)
    second = events[-1].response
    check("client: chained responses", first.id == "resp_mock_001"
          and second.previous_response_id == "resp_mock_001"
          and second.output_text == "Here is what get_weather returned: Sunny, 21C",
          (first, second))
    check("client: unknown previous response", error.status_code == 400
          and error.body == {"message": "Previous response with id 'resp_nope' not found.",
                             "type": "invalid_request_error", "param": "previous_response_id",
                             "code": "previous_response_not_found"}, (error, error.body))
    with mock_provider(command, None) as url:
        _, _, first_id = await agent_run(url, "Hello", with_tool=False)
        output, seen, last_id = await agent_run(url, "What's the weather in Paris?",
                                                with_tool=True, previous_response_id=first_id)
    check("agents: chained run", first_id == "resp_mock_001" and last_id == "resp_mock_003"
          and output == "Here is what get_weather returned: Sunny, 21C in Paris"
          and "tool_output" in seen, (first_id, last_id, output))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        mock_command = [sys.argv[1]]
    else:
        mock_command = ["cargo", "run", "--quiet", "--bin", "mock-provider", "--"]
    asyncio.run(main(mock_command))
    print("the official openai client and the Agents SDK accept the Rust mock provider")
