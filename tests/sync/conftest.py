"""Fixtures for the retailer side: real uvicorn servers on 127.0.0.1, driven with httpx."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from profilekeeper.sync.catalog import load_catalog
from profilekeeper.sync.server import (
    RetailerStore,
    RunningServer,
    ServerSettings,
    create_app,
    make_engine,
    run_in_thread,
)

OWN_TERMS = {
    "max_retention_days": 90,
    "allowed_purposes": ["recommendations", "gift_ideas", "offers"],
}


@pytest.fixture
def retailer(tmp_path: Path) -> Iterator[RunningServer]:
    """The reference server on a free port, over a fresh SQLite file."""
    with run_in_thread(f"sqlite:///{tmp_path / 'retailer.sqlite3'}") as server:
        yield server


@pytest.fixture
def http(retailer: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=retailer.base_url, timeout=10) as client:
        yield client


@contextlib.contextmanager
def serve_process(db_url: str, timeout: float = 30.0) -> Iterator[str]:
    """``python -m profilekeeper retailer serve --port 0 --db URL`` as a real process.

    Yields the URL it serves on once discovery answers; terminates it afterwards.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "profilekeeper", "retailer", "serve", "--port", "0",
         "--db", db_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:"), line + proc.stderr.read()
        # Keep reading, so a chatty server (tracebacks) never blocks on a full pipe.
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/.well-known/profilekeeper").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def serve(store: RetailerStore, settings: ServerSettings | None = None) -> RunningServer:
    """A reference app with chosen settings under a real uvicorn."""
    return RunningServer(create_app(store, load_catalog(), settings))


def sqlite_store(path: Path) -> RetailerStore:
    return RetailerStore(make_engine(f"sqlite:///{path}"))


def new_link(client: httpx.Client, **headers: str) -> tuple[str, dict[str, str]]:
    """Link a fresh pseudonym; returns the link id and its Authorization header."""
    response = client.post("/v1/links", headers=headers, json={
        "pseudonym": "test-" + secrets.token_hex(6), "required_terms": OWN_TERMS})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["link_id"], {"Authorization": f"Bearer {body['token']}"}


def profile_body(slices: dict[str, Any], receipt_id: str = "receipt-0001",
                 retention_days: int = 30, purpose: str = "recommendations") -> dict[str, Any]:
    return {
        "receipt": {
            "receipt_id": receipt_id,
            "slices": sorted(slices),
            "purpose": purpose,
            "retention_days": retention_days,
            "issued_at": "2026-11-01T09:30:00Z",
        },
        "slices": slices,
    }


MUSIC_FAN = {
    "greeting": {"first_name": "Robin"},
    "location.city": {"city": "Lisbon", "country": "PT"},
    "interests.music": {"items": [{"name": "Velvet Static", "sentiment": "love"},
                                  {"name": "jazz", "sentiment": "like"}]},
    "interests.books": {"items": [{"name": "crime", "sentiment": "love"}]},
}
