"""The reference server against a real PostgreSQL server, as ``retailer serve --db URL`` claims.

The throwaway cluster comes from tests/sync/pg_cluster.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from profilekeeper.sync.conformance import RULES, check_server
from profilekeeper.sync.server import RetailerStore, make_engine
from tests.conftest import run_cli
from tests.sync.conftest import MUSIC_FAN, new_link, profile_body, serve_process
from tests.sync.pg_cluster import postgres_url

__all__ = ["postgres_url"]  # a fixture: imported to be found


@pytest.fixture(scope="module")
def pg_server(postgres_url: str) -> Iterator[str]:
    """``profilekeeper retailer serve --db postgresql+psycopg://…`` as a real process."""
    with serve_process(postgres_url) as url:
        yield url


@pytest.fixture
def http(pg_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pg_server, timeout=10) as client:
        yield client


def test_discovery(http: httpx.Client) -> None:
    response = http.get("/.well-known/profilekeeper")
    assert response.status_code == 200
    assert response.json()["protocol"]


def test_link_put_page_and_forget(http: httpx.Client, postgres_url: str) -> None:
    link_id, auth = new_link(http)
    url = f"/v1/links/{link_id}/profile"
    put = http.put(url, json=profile_body(MUSIC_FAN), headers=auth)
    assert put.status_code == 200, put.text
    assert http.get(url, headers=auth).json()["slices"] == MUSIC_FAN

    # Full replacement: the slices left out are deleted, and the new receipt is the one held.
    smaller = {"greeting": MUSIC_FAN["greeting"], "location.city": MUSIC_FAN["location.city"]}
    put = http.put(url, json=profile_body(smaller, "receipt-0002"), headers=auth)
    assert put.status_code == 200, put.text
    held = http.get(url, headers=auth).json()
    assert held["slices"] == smaller
    assert held["receipt"]["receipt_id"] == "receipt-0002"
    http.put(url, json=profile_body(MUSIC_FAN, "receipt-0003"), headers=auth)

    suggestions = f"/v1/links/{link_id}/suggestions"
    everything = http.get(suggestions, params={"limit": 200}, headers=auth).json()["items"]
    walked, cursor = [], None
    while True:
        params = {"limit": 9, **({"cursor": cursor} if cursor else {})}
        page = http.get(suggestions, params=params, headers=auth)
        assert page.status_code == 200, page.text
        walked += [s["id"] for s in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert everything and walked[:len(everything)] == [s["id"] for s in everything]
    assert len(walked) == len(set(walked))

    top = everything[0]["id"]
    feedback = http.post(f"/v1/links/{link_id}/feedback", headers=auth,
                         json={"verdicts": [{"suggestion_id": top, "verdict": "not_for_me"},
                                            {"suggestion_id": "nul\x00id", "verdict": "like"}]})
    assert feedback.status_code == 202, feedback.text
    again = http.get(suggestions, params={"limit": 200}, headers=auth).json()["items"]
    assert top not in [s["id"] for s in again]

    assert http.delete(f"/v1/links/{link_id}", headers=auth).status_code == 204
    for method, path in (("GET", "/profile"), ("GET", "/suggestions"), ("DELETE", "")):
        assert http.request(method, f"/v1/links/{link_id}{path}",
                            headers=auth).status_code == 410
    counts = RetailerStore(make_engine(postgres_url)).count_rows()
    assert counts["retail_forgotten_links"] >= 1


def test_concurrent_puts_and_forget_never_fail(http: httpx.Client, pg_server: str) -> None:
    """PostgreSQL runs writers at once (SQLite queues them): same-link writes must not clash."""
    link_id, auth = new_link(http)
    url = f"{pg_server}/v1/links/{link_id}/profile"
    statuses: list[int] = []

    def put(n: int) -> None:
        with httpx.Client(timeout=20) as client:
            for i in range(6):
                body = profile_body(MUSIC_FAN, f"receipt-{n}-{i:04d}")
                statuses.append(client.put(url, json=body, headers=auth).status_code)

    threads = [threading.Thread(target=put, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) == {200}, statuses
    assert http.get(url, headers=auth).json()["slices"] == MUSIC_FAN

    def forget() -> None:
        with httpx.Client(timeout=20) as client:
            statuses.append(client.delete(f"{pg_server}/v1/links/{link_id}",
                                          headers=auth).status_code)

    statuses.clear()
    threads = [threading.Thread(target=forget) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 204 in statuses and set(statuses) <= {204, 410}, statuses


def test_nul_in_a_link_id_is_not_a_server_error(http: httpx.Client) -> None:
    assert http.get("/v1/links/ab%00cd/profile").status_code < 500


def test_times_past_2038_fit(postgres_url: str) -> None:
    """Times are integer seconds: PostgreSQL's 4-byte INTEGER would end in January 2038."""
    from datetime import UTC, datetime

    store = RetailerStore(make_engine(postgres_url))
    later = datetime(2040, 1, 1, tzinfo=UTC)
    link_id, _token = store.create_link("pseudonym-2040", {}, False, later)
    receipt = {"receipt_id": "receipt-2040"}
    store.replace_profile(link_id, receipt, {"greeting": {"first_name": "R"}}, later,
                          datetime(2041, 1, 1, tzinfo=UTC))
    assert store.profile(link_id, later).slices == {"greeting": {"first_name": "R"}}


def test_conformance_checker_passes(pg_server: str) -> None:
    results = check_server(pg_server)
    assert [r.rule for r in results] == [name for name, _what, _rule in RULES]
    assert {r.outcome for r in results} == {"pass"}, results
    command = run_cli("retailer", "check", pg_server)
    assert command.code == 0, command.out + command.err
    assert command.out.splitlines()[-1] == f"{len(RULES)} of {len(RULES)} rules passed"


def test_server_process_starts_fast_on_an_existing_schema(postgres_url: str) -> None:
    started = time.monotonic()
    with serve_process(postgres_url) as url:
        assert httpx.get(f"{url}/.well-known/profilekeeper").status_code == 200
    assert time.monotonic() - started < 20
