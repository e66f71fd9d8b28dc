"""A shop of our own that misbehaves on cue, for the client's tests: a small Starlette app.

By default it answers every route as a conforming v1 shop would. A test scripts the next
answers of a route (``shop.script("GET", "/v1/links/L/profile", slow(2), ok(...))``) and reads
back every request the shop received (method, path, headers, body).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

LINK = "0123456789abcdef0123456789abcdef"
TOKEN = "hostile-token-0123456789"
Responder = Callable[["HostileShop", Request], Awaitable[Response]]

TERMS = {"retention_days": 30, "purposes": ["recommendations"], "resale": False,
         "third_party_sharing": False, "privacy_policy_url": "https://hostile.example/privacy"}
DISCOVERY = {
    "protocol": "profilekeeper-sync", "api_versions": ["1"], "base_path": "/v1",
    "retailer": {"id": "hostile", "name": "Hostile Shop"},
    "slices_accepted": ["greeting", "interests.*"],
    "suggestion_kinds": ["product", "release", "event", "offer"], "features": ["feedback"],
    "terms": TERMS, "limits": {"requests_per_minute": 600},
}


def suggestion(id: str, **changes: Any) -> dict[str, Any]:  # noqa: A002 - the wire name
    return {"kind": "product", "id": id, "title": f"Item {id}", "creators": ["Ada Lumen"],
            "category": "books", "tags": ["crime"], "price": "9.99", "currency": "EUR",
            "url": f"https://hostile.example/items/{id}", "for": "self",
            "reason": "because you love crime", **changes}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class HostileShop:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        """Seconds every answer waits (for the benchmark's 100 ms shops)."""
        self.received: list[Received] = []
        self.streamed = 0
        """Bytes a ``huge`` answer actually handed to the server to send."""
        self._scripts: dict[tuple[str, str], deque[Responder]] = defaultdict(deque)
        self.app = Starlette(routes=[Route("/{path:path}", self._handle,
                                           methods=["GET", "PUT", "POST", "DELETE"])])

    def script(self, method: str, path: str, *answers: Responder) -> None:
        """The next answers to ``method path``, in order; then the default again."""
        self._scripts[(method, path)].extend(answers)

    def requests_to(self, method: str, path: str) -> list[Received]:
        return [r for r in self.received if (r.method, r.path) == (method, path)]

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        self.received.append(Received(request.method, request.url.path,
                                      dict(request.headers), body))
        if self.delay:
            await asyncio.sleep(self.delay)
        queue = self._scripts.get((request.method, request.url.path))
        responder = queue.popleft() if queue else _default
        return await responder(self, request)


async def _default(shop: HostileShop, request: Request) -> Response:
    path, method = request.url.path, request.method
    if path == "/.well-known/profilekeeper":
        return JSONResponse(DISCOVERY)
    if path == "/v1/links" and method == "POST":
        return JSONResponse({"link_id": LINK, "token": TOKEN, "token_type": "bearer",
                             "terms": TERMS, "gpc": True,
                             "created_at": "2026-12-03T09:00:00Z"}, status_code=201)
    if path == f"/v1/links/{LINK}/profile":
        return JSONResponse({"link_id": LINK, "slices": {}, "receipt": None,
                             "stored_at": None, "expires_at": None})
    if path == f"/v1/links/{LINK}/suggestions":
        return JSONResponse({"items": [suggestion("a"), suggestion("b")], "next_cursor": None})
    if path == f"/v1/links/{LINK}/feedback":
        return JSONResponse({"accepted": 1}, status_code=202)
    if path == f"/v1/links/{LINK}" and method == "DELETE":
        return Response(status_code=204)
    return problem(404, "no such route")


# --- Responders -----------------------------------------------------------------------------


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Responder:
    async def answer(_shop: HostileShop, _request: Request) -> Response:
        return JSONResponse(body, status_code=status, headers=headers)
    return answer


def raw(content: bytes, status: int = 200, headers: dict[str, str] | None = None,
        media_type: str = "application/json") -> Responder:
    async def answer(_shop: HostileShop, _request: Request) -> Response:
        return Response(content, status_code=status, headers=headers, media_type=media_type)
    return answer


def problem(status: int, detail: str, kind: str = "about:blank", **members: Any) -> Response:
    return JSONResponse({"type": kind, "title": "Error", "status": status, "detail": detail,
                         **members}, status_code=status, media_type="application/problem+json")


def failing(status: int, detail: str = "it broke", kind: str = "about:blank",
            headers: dict[str, str] | None = None, **members: Any) -> Responder:
    async def answer(_shop: HostileShop, _request: Request) -> Response:
        response = problem(status, detail, kind, **members)
        response.headers.update(headers or {})
        return response
    return answer


def slow(seconds: float, then: Responder | None = None) -> Responder:
    async def answer(shop: HostileShop, request: Request) -> Response:
        await asyncio.sleep(seconds)
        return await (then or _default)(shop, request)
    return answer


def dripping(chunks: int, every: float) -> Responder:
    """A valid start of JSON, one byte at a time: each read is quick, the whole never ends."""
    async def answer(_shop: HostileShop, _request: Request) -> Response:
        async def drip() -> AsyncIterator[bytes]:
            for _ in range(chunks):
                await asyncio.sleep(every)
                yield b" "
        return StreamingResponse(drip(), media_type="application/json")
    return answer


def huge(total: int, declared: bool = False) -> Responder:
    """``total`` bytes of a JSON string, streamed in 64 KiB chunks (or with Content-Length)."""
    chunk = b"x" * 65536

    async def answer(shop: HostileShop, _request: Request) -> Response:
        if declared:  # one body, its Content-Length said up front
            return Response(b" " * total, media_type="application/json")

        async def stream() -> AsyncIterator[bytes]:
            yield b'"'
            for _ in range(total // len(chunk)):
                await asyncio.sleep(0)  # room to notice the client hung up
                shop.streamed += len(chunk)
                yield chunk
            yield b'"'
        return StreamingResponse(stream(), media_type="application/json")
    return answer


def redirect(location: str, status: int = 307) -> Responder:
    async def answer(_shop: HostileShop, _request: Request) -> Response:
        return Response(status_code=status, headers={"Location": location})
    return answer
