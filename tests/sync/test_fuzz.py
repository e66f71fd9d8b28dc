"""Fuzz the reference server from its own OpenAPI document (#18 §5): every operation, positive
and negative cases. No input causes a 5xx; and on every data route the token is checked before
anything else, so a request that is not the link's own gets 401 (404/410 for a well-formed id
of a link that does not exist or was forgotten, as docs/protocol.md says), never a 422 about
its path, query or body.

Bounded: ``PROFILEKEEPER_FUZZ_EXAMPLES`` examples per operation (30 by default, so the run stays
well under a minute on 2 cores); benchmarks/guarantee_fuzz.py runs many more. Half the cases aim
at a real link with its real token, so the fuzzing reaches past auth.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from profilekeeper.sync.server import RunningServer, ServerSettings
from tests.sync.conftest import new_link, serve, sqlite_store

EXAMPLES = int(os.environ.get("PROFILEKEEPER_FUZZ_EXAMPLES", "30"))
CASES: Counter[str] = Counter()
"""Cases run, by test: read by benchmarks/guarantee_fuzz.py."""
WELL_FORMED = re.compile(r"[0-9a-f]{32}")
BAD_TOKENS = ({}, {"Authorization": "Bearer made-up-token"}, {"Authorization": "Basic eDp5"},
              {"Authorization": "Bearer"})  # fmt: skip


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "retailer.sqlite3"
    # Fuzzing makes hundreds of links from one address; that limit has its own test.
    settings = ServerSettings(link_creation_burst=100_000)
    with serve(sqlite_store(path), settings) as server:
        yield server


@pytest.fixture(scope="module")
def live_link(fuzzed_server: RunningServer) -> tuple[str, dict[str, str], dict[str, str]]:
    """A link (its id and own token, which no fuzzed case gets) and another link's token."""
    with httpx.Client(base_url=fuzzed_server.base_url) as http:
        link_id, own = new_link(http)
        _other, other_links_token = new_link(http)
    return link_id, own, other_links_token


@pytest.fixture(scope="module")
def api_schema(fuzzed_server: RunningServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed_server.base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")
fuzzing = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))  # fmt: skip


@schema.parametrize()
@fuzzing
def test_no_input_causes_a_server_error(case: schemathesis.Case,
                                        fuzzed_server: RunningServer) -> None:
    CASES["no_server_error"] += 1
    headers = {}
    if "link_id" in (case.path_parameters or {}) and hash(repr(case.body)) % 2 == 0:
        with httpx.Client(base_url=fuzzed_server.base_url) as http:
            link_id, headers = new_link(http)
        case.path_parameters["link_id"] = link_id
    case.call_and_validate(
        base_url=fuzzed_server.base_url,
        headers=headers,
        checks=[not_a_server_error, content_type_conformance, status_code_conformance,
                response_schema_conformance],
    )


@schema.include(path_regex=r"\{link_id\}").parametrize()
@fuzzing
def test_every_data_route_checks_the_token_before_the_input(
        case: schemathesis.Case, fuzzed_server: RunningServer,
        live_link: tuple[str, dict[str, str], dict[str, str]]) -> None:  # fmt: skip
    link_id, _own, other_links_token = live_link
    if hash(repr(case.body)) % 2 == 0:  # the live link, with the case's own query and body
        case.path_parameters["link_id"] = link_id
    asked = str(case.path_parameters.get("link_id", ""))
    case.headers = {k: v for k, v in (case.headers or {}).items()
                    if k.lower() != "authorization"}  # fmt: skip
    for headers in (*BAD_TOKENS, other_links_token):
        CASES["token_first"] += 1
        response = case.call(base_url=fuzzed_server.base_url, headers=headers)
        status = response.status_code
        # Not this operation at all: a method the route lacks (negative cases try TRACE), or
        # a malformed id that makes the path another route's (a "/" in it).
        elsewhere = status in (404, 405) and response.json().get("type") == "about:blank"
        # A live link or a malformed id: 401; a well-formed id of no link: 404.
        wanted = 401 if asked == link_id or not WELL_FORMED.fullmatch(asked) else 404
        assert status == wanted or elsewhere, (case.method, asked, status, response.text)

GARBAGE = [
    ("PUT", "/v1/links/{link}/profile", b"not json at all"),
    ("PUT", "/v1/links/{link}/profile", b'{"slices": 5}'),
    ("POST", "/v1/links/{link}/feedback", b"[{"),
    ("GET", "/v1/links/{link}/suggestions?limit=-5&kind=hologram&cursor=" + "x" * 300, None),
    ("GET", "/v1/links/NOT-HEX/profile", None),
    ("PUT", "/v1/links/zz/profile", b"{}"),
    ("DELETE", "/v1/links/" + "A" * 32, None),
    ("POST", "/v1/links/%00/feedback", b"garbage"),
]


@pytest.mark.parametrize(("method", "path", "body"), GARBAGE)
def test_garbage_without_the_token_is_401_not_422(
        method: str, path: str, body: bytes | None, fuzzed_server: RunningServer,
        live_link: tuple[str, dict[str, str], dict[str, str]]) -> None:  # fmt: skip
    link_id, own, other_links_token = live_link
    with httpx.Client(base_url=fuzzed_server.base_url) as http:
        for headers in (*BAD_TOKENS, other_links_token):
            response = http.request(method, path.format(link=link_id), content=body,
                                    headers={**headers, "Content-Type": "application/json"})
            assert response.status_code == 401, (headers, response.text)
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert "invalid-request" not in response.text
        if "{link}" in path:  # with the link's own token, the same input is judged on its merits
            response = http.request(method, path.format(link=link_id), content=body,
                                    headers={**own, "Content-Type": "application/json"})
            assert response.status_code == 422, response.text
