"""The checker follows the protocol's promise: answers may gain optional members."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from profilekeeper.sync.catalog import load_catalog
from profilekeeper.sync.conformance import check_server
from profilekeeper.sync.server import RetailerStore, RunningServer, create_app, make_engine


def _with_extras(value: Any, names_are_data: bool = False) -> Any:
    """Every object gains members; a map keyed by slice names gains no false slice."""
    if isinstance(value, dict):
        extended = {key: _with_extras(item, key == "slices") for key, item in value.items()}
        return extended if names_are_data else {**extended, "x_added": {"since": "v1.1"}}
    if isinstance(value, list):
        return [_with_extras(item) for item in value]
    return value


class AddsMembers:
    """ASGI middleware: every JSON answer comes back with members the protocol lacks."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rewritten = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body = b""

        async def capture(message: dict[str, Any]) -> None:
            nonlocal body
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            headers = dict(start["headers"])
            if headers.get(b"content-type", b"").split(b";")[0].endswith(b"json") and body:
                body = json.dumps(_with_extras(json.loads(body))).encode()
                self.rewritten += 1
            headers[b"content-length"] = str(len(body)).encode()
            await send({**start, "headers": list(headers.items())})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def test_a_server_adding_unknown_members_to_its_answers_passes(tmp_path: Path) -> None:
    store = RetailerStore(make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}"))
    app = AddsMembers(create_app(store, load_catalog()))
    with RunningServer(app) as server:
        results = check_server(server.base_url)
    assert {r.outcome for r in results} == {"pass"}, [r for r in results if r.outcome != "pass"]
    assert app.rewritten > 50  # the members really were added, to many answers
