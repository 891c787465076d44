"""The SDK's documented FastAPI endpoint, shared by the servers in this folder.

`conform_app.py` (the conformance checker's reference) and `bench_app.py` (the benchmark's
Python side) both serve a `ChatKitServer` exactly as the SDK's docs do: one POST route that
hands the raw body and a context to `process()`, and answers with SSE or JSON. The user comes
from the `x-user-id` header, as in the Rust lessons.
"""

from __future__ import annotations

from typing import Any

from chatkit.server import ChatKitServer, StreamingResult
from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse


def chatkit_app(server: ChatKitServer[Any], default_user: str) -> FastAPI:
    """`POST /chatkit` through `server.process()`; `default_user` when `x-user-id` is absent."""
    app = FastAPI()

    @app.post("/chatkit")
    async def chatkit_endpoint(request: Request) -> Response:
        context = {"user_id": request.headers.get("x-user-id", default_user)}
        result = await server.process(await request.body(), context)
        if isinstance(result, StreamingResult):
            return StreamingResponse(result, media_type="text/event-stream")
        return Response(content=result.json, media_type="application/json")

    return app
