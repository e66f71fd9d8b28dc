"""``GET /healthz``: what a load balancer asks before sending a worker traffic."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
from sqlalchemy import create_engine

from profilekeeper.sync.server import RunningServer
from tests.sync.conftest import serve, sqlite_store


def test_healthy_while_the_database_answers(retailer: RunningServer) -> None:
    answer = httpx.get(f"{retailer.base_url}/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    spec = httpx.get(f"{retailer.base_url}/openapi.json").json()
    assert "/healthz" not in spec["paths"]  # not part of the protocol


def test_unavailable_when_the_database_is_not(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path / "retailer.sqlite3")
    with serve(store) as server:
        with socket.socket() as probe:  # a port with nothing behind it
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        store.engine = create_engine(f"postgresql+psycopg://shop@127.0.0.1:{port}/shop",
                                     connect_args={"connect_timeout": 2})
        answer = httpx.get(f"{server.base_url}/healthz", timeout=20)
        assert answer.status_code == 503
        assert answer.headers["content-type"].startswith("application/problem+json")
