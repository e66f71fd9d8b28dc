"""PUT profile and GET suggestions without FastAPI's layers, when the request is plainly right.

These two are what a shopper's app calls most, and FastAPI's dependency solving, validation
and serialization cost more than the work itself. A request is answered here only when all
that FastAPI would judge is beyond doubt: the method and path, an ``Authorization: Bearer``
header with a token of the kind link creation gives, and for a PUT a body sent as
``application/json`` that is a valid ``ProfilePut`` (parsed and validated as FastAPI does), for
a GET a query of at most one each of ``limit`` (1 to 200), ``cursor`` and ``kind``. Anything
else goes on to FastAPI as it came (the body replayed), whose answers are the protocol's own:
400, 422 with its locations, and the token judged before either (_auth.py). Past that point
both doors call the same ``admit``, ``store_profile`` and ``suggestions`` (_app.py), in one
worker thread here, and a problem is rendered by the same ``problem_response``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial
from typing import Any, get_args
from urllib.parse import parse_qsl

import anyio.to_thread
from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request

from profilekeeper.sync.protocol import (
    BASE_PATH,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ProfilePut,
    ProfileView,
    SuggestionKind,
    SuggestionPage,
)
from profilekeeper.sync.server._limits import ASGIApp, Message, Receive, Scope, Send
from profilekeeper.sync.server._problems import ProblemError, problem_response
from profilekeeper.sync.server._storage import Admission, LinkRow

_ROUTE = re.compile(rf"{re.escape(BASE_PATH)}/links/([0-9a-f]{{32}})/(profile|suggestions)")
_METHODS = {"profile": "PUT", "suggestions": "GET"}
_BEARER = re.compile(rb"Bearer ([A-Za-z0-9_-]{1,128})")
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
_KINDS = frozenset(get_args(SuggestionKind))
_MAX_CURSOR = 200
"""As the GET route's ``Query(max_length=200)``."""
_VIEW = TypeAdapter(ProfileView)
_PAGE = TypeAdapter(SuggestionPage)
_JSON_HEADERS = (b"content-type", b"application/json")

Admit = Callable[[Request, str, str | None, bool], Admission]
Suggestions = Callable[[LinkRow, int, str | None, Any, Admission], SuggestionPage]


class FastRoutes:
    """ASGI middleware answering plainly well-formed PUT profile and GET suggestions."""

    def __init__(self, app: ASGIApp, admit: Admit,
                 store_profile: Callable[[ProfilePut, LinkRow], ProfileView],
                 suggestions: Suggestions) -> None:
        self.app = app
        self.admit = admit
        self.store_profile = store_profile
        self.suggestions = suggestions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _route(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        link_id, token, route = found
        request = Request(scope)
        work: Callable[[], bytes]
        if route == "suggestions":
            query = _query(scope.get("query_string", b""))
            if query is None:
                await self.app(scope, receive, send)
                return
            work = partial(self._page, request, link_id, token, *query)
        else:
            body = await _body(receive)
            put = _profile_put(scope, body)
            if put is None:
                await self.app(scope, _replay(body, receive), send)
                return
            work = partial(self._put, request, link_id, token, put)
        try:
            content = await anyio.to_thread.run_sync(work)
        except ProblemError as problem:
            await problem_response(problem.status, problem.detail, problem.code,
                                   problem.headers, **problem.extensions)(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            _JSON_HEADERS, (b"content-length", str(len(content)).encode())]})
        await send({"type": "http.response.body", "body": content})

    def _put(self, request: Request, link_id: str, token: str, body: ProfilePut) -> bytes:
        link = self.admit(request, link_id, token, False).link
        assert link is not None  # admit refuses otherwise
        return _VIEW.dump_json(self.store_profile(body, link), by_alias=True)

    def _page(self, request: Request, link_id: str, token: str, limit: int,
              cursor: str | None, kind: str | None) -> bytes:
        # The profile and feedback are read in the same round trip as the token.
        admission = self.admit(request, link_id, token, True)
        assert admission.link is not None  # admit refuses otherwise
        page = self.suggestions(admission.link, limit, cursor, kind, admission)
        return _PAGE.dump_json(page, by_alias=True)


def _route(scope: Scope) -> tuple[str, str, str] | None:
    """The link id, token and route of a request this module may answer, else None."""
    if scope["type"] != "http" or scope.get("root_path"):
        return None
    matched = _ROUTE.fullmatch(scope["path"])
    if matched is None or scope["method"] != _METHODS[matched[2]]:
        return None
    for name, value in scope["headers"]:
        if name == b"authorization":  # the first one, as FastAPI reads it
            token = _BEARER.fullmatch(value)
            return (matched[1], token[1].decode(), matched[2]) if token else None
    return None


def _query(raw: bytes) -> tuple[int, str | None, str | None] | None:
    """``limit``, ``cursor`` and ``kind`` if the query is plainly valid, else None."""
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)  # as Starlette
    except ValueError:
        return None
    found = dict(pairs)
    if len(found) != len(pairs) or not found.keys() <= {"limit", "cursor", "kind"}:
        return None
    limit = found.get("limit", str(DEFAULT_PAGE_SIZE))
    cursor, kind = found.get("cursor"), found.get("kind")
    if not _LIMIT.fullmatch(limit) or int(limit) > MAX_PAGE_SIZE:
        return None
    if (cursor is not None and len(cursor) > _MAX_CURSOR) or (
            kind is not None and kind not in _KINDS):
        return None
    return int(limit), cursor, kind


async def _body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _profile_put(scope: Scope, body: bytes) -> ProfilePut | None:
    """The body as FastAPI would read it (``json.loads``, then validation), if it is one."""
    for name, value in scope["headers"]:
        if name == b"content-type":  # the first one, as FastAPI reads it
            if value.lower() != b"application/json":
                return None
            break
    else:
        return None
    try:
        return ProfilePut.model_validate(json.loads(body))
    except (ValueError, ValidationError, RecursionError):
        return None
