"""Limits the protocol states and the server enforces: body size and per-token request rate."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from profilekeeper.sync.protocol import MAX_REQUEST_BYTES, PROBLEM_CONTENT_TYPE

DRAIN_LIMIT = 4 * 1024 * 1024
"""Bodies larger than this are not read to the end: the connection is closed instead."""
MAX_BUCKETS = 10_000
"""Above this many keys, buckets that have refilled are dropped, so memory stays bounded."""
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


class RateLimiter:
    """A token bucket per key (a token's digest): ``per_minute`` sustained, bursts allowed."""

    def __init__(self, per_minute: int, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(10, per_minute // 6))
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take one request; returns 0 if allowed, else the seconds to wait."""
        with self._lock:
            now = self.clock()
            if len(self._buckets) >= MAX_BUCKETS:
                self._drop_full_buckets(now)
            level, then = self._buckets.get(key, (self.capacity, now))
            level = min(self.capacity, level + (now - then) * self.rate)
            if level >= 1:
                self._buckets[key] = (level - 1, now)
                return 0.0
            self._buckets[key] = (level, now)
            return (1 - level) / self.rate

    def _drop_full_buckets(self, now: float) -> None:
        # A bucket that has refilled is the same as no bucket: forgetting it changes nothing.
        full = [key for key, (level, then) in self._buckets.items()
                if level + (now - then) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)

    def forget(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)
