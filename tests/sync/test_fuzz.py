"""Fuzz the reference server from its own OpenAPI document: no input may cause a 5xx.

Bounded: a few dozen examples per operation, so the run stays well under a minute on 2 cores.
Half the cases aim at a real link with its real token, so the fuzzing reaches past auth.
"""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "retailer.sqlite3"
    # Fuzzing makes hundreds of links from one address; that limit has its own test.
    settings = ServerSettings(link_creation_burst=100_000)
    with serve(sqlite_store(path), settings) as server:
        yield server


@pytest.fixture(scope="module")
def api_schema(fuzzed_server: RunningServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed_server.base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case: schemathesis.Case,
                                        fuzzed_server: RunningServer) -> None:
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
