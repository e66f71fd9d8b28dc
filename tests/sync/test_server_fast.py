"""The fast door (_fast.py) answers exactly as FastAPI's routes do.

Each case sends one request the fast door takes and its twin that only FastAPI takes (a
lower-case ``bearer``, a charset on the content type, a query member the route ignores), on
a server with a stopped clock, and asserts the same status, headers and JSON.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from profilekeeper.sync.server import ServerSettings, _fast
from tests.sync.conftest import MUSIC_FAN, new_link, profile_body, serve, sqlite_store

NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
GIFTS = {**MUSIC_FAN, "people.p1": {"relationship": "niece", "age_band": "6-9", "interests": [
    {"category": "books", "name": "picture book", "sentiment": "love"}],
    "budget": {"amount": "25.00", "currency": "EUR"}}}


@pytest.fixture
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The routes the fast door answered (or refused with a problem), in order."""
    calls: list[str] = []
    for name in ("_put", "_page"):
        real = getattr(_fast.FastRoutes, name)

        def counted(self: Any, *args: Any, _real: Any = real, _name: str = name) -> bytes:
            calls.append(_name)
            return bytes(_real(self, *args))

        monkeypatch.setattr(_fast.FastRoutes, name, counted)
    return calls


@contextlib.contextmanager
def _client(tmp_path: Path, requests_per_minute: int) -> Iterator[httpx.Client]:
    settings = ServerSettings(clock=lambda: NOW, requests_per_minute=requests_per_minute)
    with serve(sqlite_store(tmp_path / "retailer.sqlite3"), settings) as server, \
            httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http


@pytest.fixture
def client(tmp_path: Path) -> Iterator[httpx.Client]:
    with _client(tmp_path, 6000) as http:
        yield http


def _same(fast: httpx.Response, slow: httpx.Response) -> None:
    assert fast.status_code == slow.status_code, (fast.text, slow.text)
    for header in ("content-type", "retry-after", "www-authenticate"):
        assert fast.headers.get(header) == slow.headers.get(header), header
    assert fast.json() == slow.json()


def _lower(auth: dict[str, str]) -> dict[str, str]:
    return {"Authorization": auth["Authorization"].replace("Bearer ", "bearer ")}


def test_put_profile_answers_as_fastapi_does(client: httpx.Client,
                                            fast_calls: list[str]) -> None:
    link_id, auth = new_link(client)
    path = f"/v1/links/{link_id}/profile"
    body = json.dumps(profile_body(GIFTS)).encode()
    fast = client.put(path, headers={**auth, "Content-Type": "application/json"}, content=body)
    slow = client.put(path, content=body, headers={
        **auth, "Content-Type": "application/json; charset=utf-8"})
    assert fast.status_code == 200 and fast_calls == ["_put"]
    _same(fast, slow)
    assert fast.json()["slices"] == GIFTS

    # A route's own refusal, and a token refused, from either door.
    mismatch = profile_body(GIFTS)
    mismatch["receipt"]["slices"] = ["greeting"]
    for sent, headers in ((mismatch, auth), (profile_body(GIFTS), {
            "Authorization": "Bearer not-this-links-token"})):
        fast = client.put(path, headers=headers, json=sent)
        slow = client.put(path, headers=_lower(headers), json=sent)
        assert fast.status_code in (401, 422)
        _same(fast, slow)
    assert fast_calls == ["_put", "_put", "_put"]


def test_suggestions_answer_as_fastapi_does(client: httpx.Client,
                                            fast_calls: list[str]) -> None:
    link_id, auth = new_link(client)
    assert client.put(f"/v1/links/{link_id}/profile", headers=auth,
                      json=profile_body(GIFTS)).status_code == 200
    fast_calls.clear()
    path = f"/v1/links/{link_id}/suggestions"
    for query in ({}, {"limit": "3"}, {"limit": "200"}, {"kind": "release", "limit": "2"}):
        fast = client.get(path, headers=auth, params=query)
        assert fast.status_code == 200 and fast.json()["items"], query
        _same(fast, client.get(path, headers=auth, params={**query, "unasked": "1"}))
    walked = client.get(path, headers=auth, params={"limit": "2"}).json()
    fast = client.get(path, headers=auth, params={"cursor": walked["next_cursor"]})
    _same(fast, client.get(path, headers=_lower(auth), params={"cursor": walked["next_cursor"]}))
    assert fast_calls == ["_page"] * 6

    # A bad cursor is the route's own 422; a query FastAPI refuses is never the fast door's.
    for query in ({"cursor": "bm90LW91cnM"}, {"limit": "0"}, {"limit": "201"},
                  {"kind": "concert"}):
        fast = client.get(path, headers=auth, params=query)
        assert fast.status_code == 422
        _same(fast, client.get(path, headers=_lower(auth), params=query))
    assert fast_calls == ["_page"] * 7


def test_the_rate_limit_is_one_bucket_for_both_doors(tmp_path: Path,
                                                     fast_calls: list[str]) -> None:
    with _client(tmp_path, 60) as client:
        link_id, auth = new_link(client)
        path = f"/v1/links/{link_id}/suggestions"
        answers = [client.get(path, headers=auth if n % 2 else _lower(auth)) for n in range(12)]
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 2  # a burst of 10
    _same(answers[-1], answers[-2])
    assert len(fast_calls) == 6
