"""The reference server scaled out: rate limits and forgotten links hold across processes.

Two ``retailer serve`` processes on one PostgreSQL database stand for two hosts behind a load
balancer; ``--workers 2`` is the same on one host. Limits are per link token, kept in the
database: held in each process's memory they would let twice the burst through.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.conftest import run_cli
from tests.sync.conftest import MUSIC_FAN, new_link, profile_body
from tests.sync.pg_cluster import postgres_url
from tests.sync.serving import serving

__all__ = ["postgres_url"]  # a fixture: imported to be found
BURST = 10
"""What ``--requests-per-minute 60`` lets through at once (a sixth, at least 10)."""


def _requests_until_refused(clients: list[httpx.Client], link_id: str,
                            auth: dict[str, str]) -> int:
    """GET the profile round-robin over ``clients`` until one answers 429; how many passed."""
    for n in range(4 * BURST):
        answer = clients[n % len(clients)].get(f"/v1/links/{link_id}/profile", headers=auth)
        if answer.status_code == 429:
            assert int(answer.headers["retry-after"]) >= 1
            return n
        assert answer.status_code == 200, answer.text
    raise AssertionError("never limited")


def test_two_servers_on_one_database_share_limits_and_forgetting(postgres_url: str) -> None:
    limited = ("--db", postgres_url, "--requests-per-minute", "60")
    with serving(*limited) as (first_url, _), serving(*limited) as (second_url, _), \
            httpx.Client(base_url=first_url, timeout=10) as first, \
            httpx.Client(base_url=second_url, timeout=10) as second:
        link_id, auth = new_link(first)
        # One bucket for both: the burst, plus the odd request refilled meanwhile (1/s).
        passed = _requests_until_refused([first, second], link_id, auth)
        assert BURST <= passed < BURST + 5, passed
        assert second.get(f"/v1/links/{link_id}/profile", headers=auth).status_code == 429
        assert first.get(f"/v1/links/{link_id}/profile", headers=auth).status_code == 429

        # Forgotten through one, gone through the other; another link is untouched.
        other_id, other_auth = new_link(second)
        assert second.put(f"/v1/links/{other_id}/profile", headers=other_auth,
                          json=profile_body(MUSIC_FAN)).status_code == 200
        time.sleep(1.1)  # one request refilled, enough for the delete
        assert second.delete(f"/v1/links/{link_id}", headers=auth).status_code == 204
        for client in (first, second):
            for method, path in (("GET", "/profile"), ("GET", "/suggestions"), ("DELETE", "")):
                answer = client.request(method, f"/v1/links/{link_id}{path}", headers=auth)
                assert answer.status_code == 410, answer.text
        held = first.get(f"/v1/links/{other_id}/profile", headers=other_auth)
        assert held.status_code == 200 and held.json()["slices"] == MUSIC_FAN


def _workers(pid: int) -> list[int]:
    """The worker processes ``pid`` started (multiprocessing's, not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def test_workers_share_limits_and_forgetting(postgres_url: str) -> None:
    """``--workers 2``: two processes answer on one port, with one limit and one forget.

    Each request comes on a new connection, so the kernel hands them to both workers.
    """
    with serving("--db", postgres_url, "--workers", "2",
                 "--requests-per-minute", "60") as (url, proc):
        workers = _workers(proc.pid)
        assert len(workers) == 2, workers
        clients = [httpx.Client(base_url=url, timeout=10,
                                limits=httpx.Limits(max_keepalive_connections=0))]
        try:
            link_id, auth = new_link(clients[0])
            passed = _requests_until_refused(clients, link_id, auth)
            assert BURST <= passed < BURST + 5, passed
            time.sleep(1.1)
            assert clients[0].delete(f"/v1/links/{link_id}", headers=auth).status_code == 204
            statuses = {clients[0].get(f"/v1/links/{link_id}/profile", headers=auth).status_code
                        for _ in range(10)}
            assert statuses == {410}, statuses
        finally:
            clients[0].close()
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in workers):
            assert time.monotonic() < deadline, "a worker outlived the server"
            time.sleep(0.1)


def test_more_than_one_worker_on_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run_cli("retailer", "serve", "--port", "0", "--workers", "2",
                     "--db", f"sqlite:///{tmp_path / 'retailer.sqlite3'}")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "needs PostgreSQL" in result.err, result.err
