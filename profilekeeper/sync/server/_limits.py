"""The request body size limit the protocol states (request rates: _rates.py)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from profilekeeper.sync.protocol import MAX_REQUEST_BYTES, PROBLEM_CONTENT_TYPE

DRAIN_LIMIT = 4 * 1024 * 1024
"""Bodies larger than this are not read to the end: the connection is closed instead."""
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimit:
    """Answer 413 to any request body over ``limit`` bytes, declared or streamed.

    Pure ASGI (no BaseHTTPMiddleware) so the check costs nothing on small requests. The body is
    read before the app runs, which is fine at 256 KiB.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            more = message.get("more_body", False)
            if size > self.limit:
                await self._refuse(receive, send, more)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, receive: Receive, send: Send, more: bool = True) -> None:
        # Read (and drop) a moderately oversized body first: answering while the client is
        # still sending makes many clients see a reset instead of the 413.
        drained = 0
        while more and drained < DRAIN_LIMIT:
            message = await receive()
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            more = message.get("more_body", False)
        body = json.dumps({
            "type": "urn:profilekeeper:problem:request-too-large",
            "title": "Request too large",
            "status": 413,
            "detail": f"request bodies are limited to {self.limit} bytes",
        }).encode()
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": body})
