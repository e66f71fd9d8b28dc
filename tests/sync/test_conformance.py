"""The conformance checker: passes the reference server, and catches each rule broken on purpose.

Every broken server is the reference server with one defect, served by a real uvicorn, so a
failing rule can only be that defect's doing.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy import Engine, delete
from sqlmodel import Session, col
from starlette.middleware import Middleware

from profilekeeper.sync import protocol
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
from profilekeeper.sync.server._problems import ProblemError, problem_response
from profilekeeper.sync.server._storage import (
    ForgottenLinkRow,
    LinkRow,
    StoredProfile,
    hash_token,
)
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


class ResurrectsOnWrite(RetailerStore):
    """Forgets the link but not its token, and a later write with it upserts the link back.

    Reads and a second DELETE after forgetting still answer 410, as ``forget-me`` wants.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.forgotten: dict[str, LinkRow] = {}

    def _gone(self, link_id: str) -> None:
        if self.link_state(link_id) != "live":
            raise ProblemError(410, "link-forgotten", "this link was forgotten")

    def authenticate(self, link_id: str, token: str) -> LinkRow | None:
        kept = self.forgotten.get(link_id)
        if kept is not None and kept.token_hash == hash_token(token):
            return kept
        return super().authenticate(link_id, token)

    def forget(self, link_id: str, now: datetime) -> None:
        self._gone(link_id)
        with Session(self.engine) as session:
            row = session.get(LinkRow, link_id)
            assert row is not None
            self.forgotten[link_id] = LinkRow.model_validate(row.model_dump())
        super().forget(link_id, now)

    def profile(self, link_id: str, now: datetime) -> StoredProfile:
        self._gone(link_id)
        return super().profile(link_id, now)

    def _upsert_link(self, link_id: str) -> None:
        kept = self.forgotten.pop(link_id, None)
        if kept is not None:
            with Session(self.engine) as session:
                session.add(LinkRow.model_validate(kept.model_dump()))
                session.execute(delete(ForgottenLinkRow).where(
                    col(ForgottenLinkRow.id) == link_id))
                session.commit()

    def replace_profile(self, link_id: str, receipt: dict[str, Any],
                        slices: dict[str, dict[str, Any]], now: datetime, expires: datetime
                        ) -> None:
        self._upsert_link(link_id)
        super().replace_profile(link_id, receipt, slices, now, expires)

    def add_feedback(self, link_id: str, verdicts: dict[str, str], now: datetime) -> None:
        self._upsert_link(link_id)
        super().add_feedback(link_id, verdicts, now)


class IgnoresReceiptRetention(RetailerStore):
    """Keeps every profile for its own retention, whatever shorter time the receipt agreed."""

    def replace_profile(self, link_id: str, receipt: dict[str, Any],
                        slices: dict[str, dict[str, Any]], now: datetime, expires: datetime
                        ) -> None:
        super().replace_profile(link_id, receipt, slices, now,
                                now + timedelta(days=DEFAULT_TERMS.retention_days))


def accepts_any_terms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_app, "unmet_terms", lambda offered, required: [])


def accepts_any_retention(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuses links over purposes, resale and sharing, never over how long it keeps data."""
    real = server_app.unmet_terms
    monkeypatch.setattr(server_app, "unmet_terms", lambda offered, required: real(
        offered, required.model_copy(update={"max_retention_days": 3650})))


def ignores_gpc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_app, "_gpc", lambda request: False)


def cursor_past_30(move: Callable[[int], int | None]) -> Callable[[pytest.MonkeyPatch], None]:
    """Cursors right for the first 30 items; beyond, ``move`` decides the offset (None: end)."""
    def patch(monkeypatch: pytest.MonkeyPatch) -> None:
        real = server_app.encode_cursor

        def encode(offset: int, hour: datetime, version: str) -> str | None:
            moved = move(offset) if offset >= 30 else offset
            return None if moved is None else real(moved, hour, version)

        monkeypatch.setattr(server_app, "encode_cursor", encode)
    return patch


def _known_members_only(value: Any, names_are_data: bool = False) -> Any:
    if isinstance(value, dict):
        return {key: _known_members_only(item, key == "slices") for key, item in value.items()
                if names_are_data or key in PROTOCOL_MEMBERS}
    if isinstance(value, list):
        return [_known_members_only(item) for item in value]
    return value


PROTOCOL_MEMBERS = {name for model in vars(protocol).values()
                    if isinstance(model, type) and issubclass(model, BaseModel)
                    for field_name, field in model.model_fields.items()
                    for name in (field_name, field.alias) if name}


class DropsUnknownMembers:
    """Lenient parsing: members the protocol lacks are silently dropped from request bodies."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("PUT", "POST"):
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        with contextlib.suppress(ValueError):
            body = json.dumps(_known_members_only(json.loads(body))).encode()
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": headers}, replay, send)


def drops_unknown_members(app: FastAPI) -> FastAPI:
    app.user_middleware.append(Middleware(DropsUnknownMembers))  # inside the size limit
    return app


def echoes_what_was_sent(app: FastAPI) -> FastAPI:
    """FastAPI's habit: each validation error carries the input it rejected."""
    async def invalid(_request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": str(e["msg"]), "type": e["type"],
                   "input": jsonable_encoder(e.get("input"))} for e in error.errors()]
        return problem_response(422, "the request does not match the protocol",
                                "invalid-request", errors=errors)
    app.exception_handlers[RequestValidationError] = invalid
    return app


class LimitExceptFeedback(BodySizeLimit):
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/feedback"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def no_size_limit_on_feedback(app: FastAPI) -> FastAPI:
    app.user_middleware = [Middleware(LimitExceptFeedback) if m.cls is BodySizeLimit else m
                           for m in app.user_middleware]
    return app


SELLING = ServerSettings(terms=DEFAULT_TERMS.model_copy(
    update={"resale": True, "third_party_sharing": True}))


@dataclass(frozen=True)
class Defect:
    """The reference server with one thing wrong, and the rule that must catch it."""

    rule: str
    store: type[RetailerStore] = RetailerStore
    wrap: Callable[[FastAPI], Any] = lambda app: app
    settings: ServerSettings | None = None
    patch: Callable[[pytest.MonkeyPatch], None] | None = None


DEFECTS: dict[str, Defect] = {
    "old-discovery": Defect("discovery", wrap=old_discovery),
    "accepts-any-terms": Defect("link-terms", patch=accepts_any_terms),
    "no-authentication": Defect("auth-required", NoAuthentication),
    "keeps-omitted-slices": Defect("full-replacement", KeepsOmittedSlices),
    "rewrites-receipts": Defect("consent-receipt", RewritesReceipts),
    "ignores-receipt-retention": Defect("retention", IgnoresReceiptRetention),
    "accepts-any-retention": Defect("retention", patch=accepts_any_retention),
    "ignores-limit": Defect("paging", wrap=ignores_limit),
    "repeats-past-30": Defect("paging-to-the-end", patch=cursor_past_30(lambda n: n - 3)),
    "skips-past-30": Defect("paging-to-the-end", patch=cursor_past_30(lambda n: n + 5)),
    "loops-past-30": Defect("paging-to-the-end", patch=cursor_past_30(lambda n: 27)),
    "ends-at-30": Defect("paging-to-the-end", patch=cursor_past_30(lambda n: None)),
    "no-size-limit": Defect("size-limit", wrap=without_size_limit),
    "no-size-limit-on-feedback": Defect("size-limit", wrap=no_size_limit_on_feedback),
    "drops-unknown-members": Defect("unknown-members", wrap=drops_unknown_members),
    "plain-json-errors": Defect("problem-json", wrap=plain_json_errors),
    "echoes-what-was-sent": Defect("no-echo", wrap=echoes_what_was_sent),
    "ignores-gpc": Defect("gpc", settings=SELLING, patch=ignores_gpc),
    "forgets-nothing": Defect("forget-me", ForgetsNothing),
    "resurrects-on-write": Defect("forget-is-final", ResurrectsOnWrite),
}


ALSO_FAILS = {
    # Rules that also look at error documents, or at the terms, or at forgetting.
    "plain-json-errors": {"link-terms", "size-limit", "retention", "unknown-members",
                          "forget-is-final"},
    "accepts-any-terms": {"retention"},
    "forgets-nothing": {"forget-is-final"},
}


def test_every_rule_has_a_broken_server() -> None:
    assert {defect.rule for defect in DEFECTS.values()} == {name for name, _what, _rule in RULES}


def test_every_rule_is_in_the_protocol_document() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
    documented = re.findall(r"^\| `([a-z-]+)` \|", text.split("## The conformance checker")[1],
                            re.MULTILINE)
    assert documented == [name for name, _what, _rule in RULES]


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_the_checker_catches_a_server_that_breaks(name: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    defect = DEFECTS[name]
    if defect.patch:
        defect.patch(monkeypatch)
    store = defect.store(make_engine(f"sqlite:///{tmp_path / 'broken.sqlite3'}"))
    app = defect.wrap(create_app(store, load_catalog(), defect.settings))
    with RunningServer(app) as server:
        results = {r.rule: r for r in check_server(server.base_url)}
    caught = results[defect.rule]
    assert caught.outcome == "fail", caught
    # Caught by what the rule checks, not by the server falling over.
    assert not caught.detail.startswith(("HTTP error", "unexpected answer")), caught
    failed = {rule for rule, r in results.items() if r.outcome == "fail"}
    assert failed - {defect.rule} <= ALSO_FAILS.get(name, set()), failed


def profiles_as_lists(app: Any) -> Any:
    """Answers every GET of a profile with a JSON list instead of an object."""
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" \
                or not scope["path"].endswith("/profile"):
            await app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"[]"})
    return wrapped


def test_answers_of_the_wrong_shape_fail_rules_without_crashing_the_checker(
        tmp_path: Path) -> None:
    store = RetailerStore(make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}"))
    with RunningServer(profiles_as_lists(create_app(store, load_catalog()))) as server:
        results = {r.rule: r for r in check_server(server.base_url)}
    assert list(results) == [name for name, _what, _rule in RULES]
    assert results["full-replacement"].outcome == "fail"
    assert results["full-replacement"].detail.startswith("unexpected answer")


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
    store = ResurrectsOnWrite(make_engine(f"sqlite:///{tmp_path / 'broken.sqlite3'}"))
    with RunningServer(create_app(store, load_catalog())) as server:
        result = run_cli("retailer", "check", server.base_url)
    assert result.code == 1
    assert any(line.startswith("FAIL") and " forget-is-final " in line
               for line in result.out.splitlines())
    assert "1 failed" in result.out


def test_check_command_fails_cleanly_when_nothing_listens() -> None:
    """One line, not a FAIL per rule, and 69 (unavailable), not 1 (a rule failed): more in
    tests/cli/test_retailer_check.py."""
    result = run_cli("retailer", "check", "http://127.0.0.1:9", "--timeout", "2")
    assert result.code == 69
    assert result.out == "" and result.err == (
        "profilekeeper: cannot reach http://127.0.0.1:9: connection refused\n")
