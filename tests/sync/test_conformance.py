"""The conformance checker: passes the reference server, and catches each rule broken on purpose.

Every broken server is the reference server with one defect, served by a real uvicorn, so a
failing rule can only be that defect's doing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session

from profilekeeper.sync.catalog import load_catalog
from profilekeeper.sync.conformance import RULES, check_server
from profilekeeper.sync.server import (
    DEFAULT_TERMS,
    RetailerStore,
    RunningServer,
    ServerSettings,
    create_app,
    make_engine,
)
from profilekeeper.sync.server import _app as server_app
from profilekeeper.sync.server._limits import BodySizeLimit
from profilekeeper.sync.server._storage import LinkRow
from tests.conftest import run_cli
from tests.sync.conftest import serve_process

# --- One defect each ------------------------------------------------------------------------


class KeepsOmittedSlices(RetailerStore):
    def replace_profile(self, link_id: str, receipt: dict[str, Any],
                        slices: dict[str, dict[str, Any]], now: datetime, expires: datetime
                        ) -> None:
        kept = self.profile(link_id, now).slices
        super().replace_profile(link_id, receipt, {**kept, **slices}, now, expires)


class RewritesReceipts(RetailerStore):
    def replace_profile(self, link_id: str, receipt: dict[str, Any],
                        slices: dict[str, dict[str, Any]], now: datetime, expires: datetime
                        ) -> None:
        super().replace_profile(link_id, {**receipt, "retention_days": 3650}, slices, now,
                                expires)


class NoAuthentication(RetailerStore):
    def authenticate(self, link_id: str, token: str) -> LinkRow | None:
        with Session(self.engine) as session:
            row = session.get(LinkRow, link_id)
            if row is not None:
                session.expunge(row)
            return row


class ForgetsNothing(RetailerStore):
    def forget(self, link_id: str, now: datetime) -> None:
        pass


def without_size_limit(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not BodySizeLimit]
    return app


def plain_json_errors(app: Any) -> Any:
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        async def relabel(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (k, b"application/json" if v == b"application/problem+json" else v)
                    for k, v in message["headers"]]
            await send(message)
        await app(scope, receive, relabel)
    return wrapped


def ignores_limit(app: Any) -> Any:
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = b"&".join(p for p in scope["query_string"].split(b"&")
                              if not p.startswith(b"limit="))
            scope = {**scope, "query_string": query}
        await app(scope, receive, send)
    return wrapped


def old_discovery(app: Any) -> Any:
    """Answers discovery with only an API version the checker does not speak."""
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/.well-known/profilekeeper":
            await app(scope, receive, send)
            return
        parts: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await app(scope, receive, capture)
        body = json.dumps({**json.loads(b"".join(parts)), "api_versions": ["0.9"]}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    return wrapped


@pytest.fixture
def accepts_any_terms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_app, "unmet_terms", lambda offered, required: [])


@pytest.fixture
def ignores_gpc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_app, "_gpc", lambda request: False)


SELLING = ServerSettings(terms=DEFAULT_TERMS.model_copy(
    update={"resale": True, "third_party_sharing": True}))

Defect = tuple[type[RetailerStore], Callable[[FastAPI], Any], ServerSettings | None, str | None]
DEFECTS: dict[str, Defect] = {
    "discovery": (RetailerStore, old_discovery, None, None),
    "link-terms": (RetailerStore, lambda app: app, None, "accepts_any_terms"),
    "auth-required": (NoAuthentication, lambda app: app, None, None),
    "full-replacement": (KeepsOmittedSlices, lambda app: app, None, None),
    "consent-receipt": (RewritesReceipts, lambda app: app, None, None),
    "paging": (RetailerStore, ignores_limit, None, None),
    "size-limit": (RetailerStore, without_size_limit, None, None),
    "problem-json": (RetailerStore, plain_json_errors, None, None),
    "gpc": (RetailerStore, lambda app: app, SELLING, "ignores_gpc"),
    "forget-me": (ForgetsNothing, lambda app: app, None, None),
}


ALSO_FAILS = {"problem-json": {"link-terms", "size-limit"}}


def test_every_rule_has_a_broken_server() -> None:
    assert set(DEFECTS) == {name for name, _what, _rule in RULES}


@pytest.mark.parametrize("rule", sorted(DEFECTS))
def test_the_checker_catches_a_server_that_breaks(rule: str, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    store_class, wrap, settings, fixture = DEFECTS[rule]
    if fixture:
        request.getfixturevalue(fixture)
    store = store_class(make_engine(f"sqlite:///{tmp_path / 'broken.sqlite3'}"))
    app = wrap(create_app(store, load_catalog(), settings))
    with RunningServer(app) as server:
        results = {r.rule: r for r in check_server(server.base_url)}
    assert results[rule].outcome == "fail", results[rule]
    # No other rule fails, except those that also look at error documents.
    failed = {name for name, r in results.items() if r.outcome == "fail"}
    assert failed - {rule} <= ALSO_FAILS.get(rule, set()), failed


def test_a_conforming_server_that_sells_data_passes(tmp_path: Path) -> None:
    store = RetailerStore(make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}"))
    with RunningServer(create_app(store, load_catalog(), SELLING)) as server:
        results = check_server(server.base_url)
    assert {r.outcome for r in results} == {"pass"}, results


# --- Against the real command ---------------------------------------------------------------


@pytest.fixture
def served_process(tmp_path: Path) -> Iterator[str]:
    """``python -m profilekeeper retailer serve --port 0`` as a real process; yields its URL."""
    with serve_process(f"sqlite:///{tmp_path / 'retailer.sqlite3'}") as url:
        yield url


def test_check_command_passes_the_reference_server_process(served_process: str) -> None:
    result = run_cli("retailer", "check", served_process)
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    for name, _what, _rule in RULES:
        assert any(line.startswith("PASS") and f" {name} " in line for line in lines), name
    assert lines[-1] == f"{len(RULES)} of {len(RULES)} rules passed"


def test_check_command_exits_non_zero_on_a_failure(tmp_path: Path) -> None:
    store = ForgetsNothing(make_engine(f"sqlite:///{tmp_path / 'broken.sqlite3'}"))
    with RunningServer(create_app(store, load_catalog())) as server:
        result = run_cli("retailer", "check", server.base_url)
    assert result.code == 1
    assert any(line.startswith("FAIL") and " forget-me " in line
               for line in result.out.splitlines())
    assert "1 failed" in result.out


def test_check_command_fails_cleanly_when_nothing_listens() -> None:
    result = run_cli("retailer", "check", "http://127.0.0.1:9", "--timeout", "2")
    assert result.code == 1
    assert "FAIL" in result.out and "Traceback" not in result.err
