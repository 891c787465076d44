"""Record lesson 06 (auth) from its Python twin: a `ChatKitServer` whose context is built from a
verified bearer token only, and the Agents SDK against the Rust mock provider's toy model
(`mock-provider`, no script), as `record_lesson04.py` drives it.

The twin mirrors `lessons/lesson06/`:

* every request carries `Authorization: Bearer <JWT>`; the twin checks it before it reads the
  body, with its own HS256 verifier written with the standard library (`hmac`, `hashlib`,
  `base64`, `json`; no PyJWT): the header's `alg` must be HS256, the signature must verify with
  `chatkit::auth::DEVELOPMENT_SECRET`, `aud` must be `chatkit`, `iss` `chatkit-dev`, and the
  injected clock must be before `exp`. A refused token is the Rust router's 401
  `{"error":{"code":"unauthorized","message":…}}`, with the messages of `src/auth/mod.rs`;
* the context (`Principal`) holds the verified `sub`, `tenant` (`personal` without the claim)
  and `roles`; the store files threads under the owner key `"{len(tenant)}:{tenant}:{user}"`;
* a `viewer` sending anything but `threads.get_by_id`, `threads.list` or `items.list` is a 403
  `forbidden` ("the role viewer may not send <type>"), before the store is touched;
* another user's thread is the store's `NotFoundError`, sent as the 404 `not_found`;
* the agent's instructions name the user and tenant, filled in from the context on each run;
* the converter renders an attachment as an `input_image` (with `detail: auto`) or an
  `input_file`, its bytes inline as a data URL, as `DiskAttachments::to_message_content` does.

The attachment: alice's `attachments.create` of a 1x1 PNG answers a record with the upload
descriptor `PUT http://127.0.0.1:8000/chatkit/attachments/atc_0001/upload` (the twin's
`Uploads`, an `AttachmentStore`); the bytes go there (the twin's own upload route, which
checks the token and the record's owner); then `threads.add_user_message` names it and the
model request carries it as an `input_image` data URL. The id `atc_0001` comes from the store's
counter; the Rust `DiskAttachments` draws a random one, which the Rust test replaces with it.

Tokens are minted here (HS256, the development secret) with `iat` = START (2025-01-02T03:04:05Z)
and `exp` = iat + 3600; the verifier reads its own clock fixed at START. The Rust test mints
the same claims with `chatkit::auth::mint_hs256` and verifies them with a `FixedClock` at START
of its own (not the processor's, whose readings stamp the items).

It writes `fixtures/transcripts/lesson06_<step>.{sse,json}`: the streams, and the JSON bodies of
the other requests, errors included (the status is in the step's name and checked by the Rust
test), and `lesson06.requests.json`, every Responses request body of the run (the two creates and the
message with the picture).
Ids and time are injected as in `record_transcripts.py`.

Run with the SDK's venv:
    target/pyenv/bin/python reference/record_lesson06.py [path/to/mock-provider]
It rewrites its fixtures byte for byte on every run; CI checks that it does.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict

import httpx2 as httpx
from agents import Agent, RunContextWrapper, Runner, set_tracing_disabled
from agents.models.openai_responses import OpenAIResponsesModel
from openai import AsyncOpenAI

import chatkit.agents as sdk_agents
import chatkit.server as sdk_server
from chatkit.agents import AgentContext, ThreadItemConverter, stream_agent_response
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.store import AttachmentStore, NotFoundError
from chatkit.types import (
    Attachment,
    AttachmentCreateParams,
    AttachmentUploadDescriptor,
    FileAttachment,
    ImageAttachment,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)
from families import sdk_version_problem
from mock_process import mock_binary, start_mock
from record_transcripts import START, TRANSCRIPTS_DIR, CountingStore, SteppingClock, _json_string, create

# chatkit::auth::DEVELOPMENT_SECRET, DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEFAULT_TENANT.
SECRET = b"chatkit-rs development secret: never use in production"
AUDIENCE = "chatkit"
ISSUER = "chatkit-dev"
DEFAULT_TENANT = "personal"
# lessons/lesson06/assistant.rs, `agent()`.
INSTRUCTIONS = ("You are a helpful assistant. The user's name is {user}; they work in {tenant}. "
                "Describe any attached file briefly.")
READ_ONLY = ("threads.get_by_id", "threads.list", "items.list")
LIFETIME = 3600
# lessons/lesson06/main.rs: the upload URLs name the server's own address (port 8000 here).
PUBLIC_URL = "http://127.0.0.1:8000/chatkit"
# A 1x1 PNG: the attachment of the conversation (the Rust upload route checks its magic number).
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


class Principal(TypedDict):
    """chatkit::auth::Principal: the verified caller; `user_id` is the store's owner key."""

    user_id: str
    user: str
    tenant: str
    roles: list[str]


class Refused(Exception):
    """A request answered with a JSON error: the status, the code and the message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> bytes:
        # src/http/error.rs: `{"error":{"code":…,"message":…}}`, compact, code first.
        error = {"error": {"code": self.code, "message": self.message}}
        return json.dumps(error, separators=(",", ":"), ensure_ascii=False).encode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def mint(sub: str, roles: list[str] | None = None, iat: datetime = START) -> str:
    """An HS256 token for `sub` (no tenant claim), issued at `iat`, valid for an hour."""
    issued = int(iat.timestamp())
    claims: dict[str, Any] = {"sub": sub}
    if roles:
        claims["roles"] = roles
    claims.update(exp=issued + LIFETIME, iat=issued, aud=AUDIENCE, iss=ISSUER)
    header = _b64url(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def unauthorized(message: str) -> Refused:
    return Refused(401, "unauthorized", message)


def verify(headers: dict[str, str], now: datetime) -> Principal:
    """The principal of the request's bearer token (src/auth: `bearer_token`, `JwtVerifier`)."""
    value = headers.get("authorization")
    if value is None:
        raise unauthorized("no bearer token: send `Authorization: Bearer <token>`")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        raise unauthorized("the Authorization header does not use the Bearer scheme")
    parts = token.split(".")
    if not token or any(c.isspace() for c in token) or len(parts) != 3:
        raise unauthorized("the bearer token is not a well-formed JWT")
    try:
        header, claims = (json.loads(_unb64url(part)) for part in parts[:2])
        signature = _unb64url(parts[2])
    except ValueError:
        raise unauthorized("the bearer token is not a well-formed JWT") from None
    if header.get("alg") != "HS256":
        raise unauthorized("the token is signed with an algorithm this server does not accept")
    expected = hmac.new(SECRET, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise unauthorized("the token's signature does not verify")
    for claim in ("sub", "exp", "aud", "iss"):
        if claim not in claims:
            raise unauthorized(f"the token has no `{claim}` claim")
    if now.timestamp() >= claims["exp"]:
        raise unauthorized("the token has expired")
    if claims["aud"] != AUDIENCE:
        raise unauthorized("the token is meant for another audience")
    if claims["iss"] != ISSUER:
        raise unauthorized("the token comes from an issuer this server does not trust")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise unauthorized("the token's `sub` claim is not valid")
    tenant = claims.get("tenant", DEFAULT_TENANT)
    user = claims["sub"]
    return Principal(user_id=f"{len(tenant)}:{tenant}:{user}", user=user, tenant=tenant,
                     roles=list(claims.get("roles", [])))


def can_write(principal: Principal) -> bool:
    roles = principal["roles"]
    return not ("viewer" in roles and "member" not in roles and "admin" not in roles)


class WithAttachments(ThreadItemConverter):
    """lessons/lesson06/assistant.rs's converter: each attachment's bytes inline."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    async def attachment_to_message_content(self, attachment: Attachment) -> Any:
        data = base64.b64encode(self.files[attachment.id]).decode()
        url = f"data:{attachment.mime_type};base64,{data}"
        if isinstance(attachment, ImageAttachment):
            return {"type": "input_image", "detail": "auto", "image_url": url}
        return {"type": "input_file", "filename": attachment.name, "file_data": url}


class Uploads(AttachmentStore[Principal]):
    """`chatkit::attachments::DiskAttachments`' records, the bytes kept in a dict: an image gets
    its preview URL, every attachment a `PUT` upload URL under PUBLIC_URL. The id comes from
    the store's counter (`atc_0001`): the Rust test puts it in place of its random one."""

    def __init__(self, store: CountingStore, files: dict[str, bytes]) -> None:
        self.store = store
        self.files = files

    async def create_attachment(self, input: AttachmentCreateParams, context: Principal) -> Attachment:
        id = self.store._next_id("atc")
        upload = AttachmentUploadDescriptor(url=f"{PUBLIC_URL}/attachments/{id}/upload", method="PUT", headers={})
        if input.mime_type.startswith("image/"):
            return ImageAttachment(id=id, name=input.name, mime_type=input.mime_type, upload_descriptor=upload,
                                   preview_url=f"{PUBLIC_URL}/attachments/{id}/content")
        return FileAttachment(id=id, name=input.name, mime_type=input.mime_type, upload_descriptor=upload)

    async def delete_attachment(self, attachment_id: str, context: Principal) -> None:
        self.files.pop(attachment_id, None)

    async def upload(self, attachment_id: str, data: bytes, context: Principal) -> None:
        """`PUT …/attachments/{id}/upload`: the caller's own record only (else 404); the record
        loses its upload descriptor once the bytes are in."""
        try:
            attachment = await self.store.load_attachment(attachment_id, context)
        except NotFoundError as error:
            raise Refused(404, "not_found", str(error)) from None
        self.files[attachment_id] = data
        attachment.upload_descriptor = None
        await self.store.save_attachment(attachment, context)


def instructions(wrapper: RunContextWrapper[AgentContext], agent: Agent[AgentContext]) -> str:
    caller: Principal = wrapper.context.request_context
    return INSTRUCTIONS.format(user=caller["user"], tenant=caller["tenant"])


class Lesson06Server(ChatKitServer[Principal]):
    """lessons/lesson06/assistant.rs in Python: the agent over the caller's whole thread."""

    def __init__(self, store: CountingStore, agent: Agent[AgentContext], converter: WithAttachments,
                 uploads: Uploads) -> None:
        super().__init__(store, uploads)
        self.agent = agent
        self.converter = converter

    async def respond(self, thread: ThreadMetadata, input_user_message: UserMessageItem | None,
                      context: Principal) -> AsyncIterator[ThreadStreamEvent]:
        page = await self.store.load_thread_items(thread.id, None, 1000, "asc", context)
        items = await self.converter.to_agent_input(page.data)
        agent_context = AgentContext(thread=thread, store=self.store, request_context=context)
        result = Runner.run_streamed(self.agent, items, context=agent_context)
        async for event in stream_agent_response(agent_context, result):
            yield event


async def handle(server: Lesson06Server, headers: dict[str, str], body: str) -> tuple[int, bytes]:
    """The twin's HTTP layer: the token, then the role, then the SDK; errors as the router's."""
    try:
        principal = verify(headers, START)
        kind = json.loads(body)["type"]
        if kind not in READ_ONLY and not can_write(principal):
            raise Refused(403, "forbidden", f"the role viewer may not send {kind}")
        try:
            result = await server.process(body, principal)
        except NotFoundError as error:
            raise Refused(404, "not_found", str(error)) from None
    except Refused as refused:
        return refused.status, refused.body()
    if isinstance(result, StreamingResult):
        return 200, b"".join([chunk async for chunk in result])
    return 200, result.json


async def handle_upload(server: Lesson06Server, headers: dict[str, str], attachment_id: str,
                        data: bytes) -> int:
    """The twin's upload route: the token, then the caller's own record."""
    try:
        principal = verify(headers, START)
        await server.attachment_store.upload(attachment_id, data, principal)
    except Refused as refused:
        return refused.status
    return 200


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


LIST = '{"type":"threads.list","params":{}}'


def steps() -> list[tuple[str, int, dict[str, str], str]]:
    """(transcript, status, headers, body), in order; `tests/lessons.rs` sends the same."""
    alice, bob, carol = bearer(mint("alice")), bearer(mint("bob")), bearer(mint("carol", ["viewer"]))
    return [
        ("create_alice.sse", 200, alice, create("Hello")),
        ("create_bob.sse", 200, bob, create("Hi there")),
        ("other_user_404.json", 404, bob, '{"type":"threads.get_by_id","params":{"thread_id":"thr_0001"}}'),
        ("no_token_401.json", 401, {}, create("Hello")),
        ("viewer_403.json", 403, carol, create("Hello")),
        ("list_alice.json", 200, alice, LIST),
        ("list_bob.json", 200, bob, LIST),
        ("attachment_create.json", 200, alice, ATTACHMENT_CREATE),
        ("attachment_message.sse", 200, alice, ATTACHMENT_MESSAGE),
    ]


ATTACHMENT_CREATE = ('{"type":"attachments.create","params":{"name":"dot.png","size":%d,"mime_type":"image/png"}}'
                     % len(PNG))
# Sent after the upload of atc_0001's bytes.
ATTACHMENT_MESSAGE = ('{"type":"threads.add_user_message","params":{"thread_id":"thr_0001","input":{"content":'
                      '[{"type":"input_text","text":%s}],"attachments":["atc_0001"],"inference_options":{}}}}'
                      % _json_string("What is in this picture?"))


async def record(binary: Path) -> tuple[dict[str, bytes], list[Any]]:
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
        agent = Agent(name="assistant", instructions=instructions, model=model)
        store, files = CountingStore(), {}
        server = Lesson06Server(store, agent, WithAttachments(files), Uploads(store, files))
        transcripts = {}
        for name, status, headers, body in steps():
            if name == "attachment_message.sse":
                uploaded = await handle_upload(server, headers, "atc_0001", PNG)
                assert uploaded == 200, f"the upload: {uploaded}"
            got, answer = await handle(server, headers, body)
            assert got == status, f"{name}: {got} {answer!r}"
            transcripts[f"lesson06_{name}"] = answer
        await http.aclose()
        return transcripts, requests
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
    transcripts, requests = asyncio.run(record(binary))
    for name, transcript in transcripts.items():
        (TRANSCRIPTS_DIR / name).write_bytes(transcript)
        print(f"{name}: {len(transcript)} bytes")
    body = json.dumps(requests, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (TRANSCRIPTS_DIR / "lesson06.requests.json").write_text(body, encoding="utf-8")
    print(f"lesson06.requests.json: {len(requests)} model requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
