"""The store's pipelined PostgreSQL paths (_pipelined.py) do what its plain paths do.

Each test runs the same calls on a SQLite store (the statements in turn) and on a real
PostgreSQL one (one round trip each), and compares, or holds PostgreSQL to what only it can
get wrong: writers at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from profilekeeper.sync.server import RetailerStore, make_engine
from profilekeeper.sync.server._rates import RateLimiter
from tests.sync.conftest import MUSIC_FAN
from tests.sync.pg_cluster import postgres_url

__all__ = ["postgres_url"]  # a fixture: imported to be found
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TERMS = {"purposes": ["recommendations"], "retention_days": 90}


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RetailerStore]:
    if request.param == "sqlite":
        yield RetailerStore(make_engine(f"sqlite:///{tmp_path / 'retailer.sqlite3'}"))
        return
    engine = make_engine(request.getfixturevalue("postgres_url"))
    yield RetailerStore(engine)
    engine.dispose()


def _receipt(receipt_id: str, slices: dict[str, Any]) -> dict[str, Any]:
    return {"receipt_id": receipt_id, "slices": sorted(slices), "purpose": "recommendations",
            "retention_days": 30, "issued_at": "2026-11-20T11:00:00Z"}


def _put(store: RetailerStore, link_id: str, receipt_id: str, slices: dict[str, Any]) -> Any:
    return store.replace_profile(link_id, _receipt(receipt_id, slices), slices, NOW,
                                 NOW + timedelta(days=30))


def test_admit_checks_the_token_takes_the_rate_and_reads(store: RetailerStore) -> None:
    link_id, token = store.create_link("pseudonym-admit", TERMS, False, NOW)
    other_id, other_token = store.create_link("pseudonym-other", TERMS, False, NOW)
    limiter = RateLimiter(store, per_minute=60, burst=3, clock=lambda: 1_800_000_000.0)
    stored = _put(store, link_id, "receipt-0001", MUSIC_FAN)
    store.add_feedback(link_id, {"b-1": "not_for_me"}, NOW)

    admitted = store.admit(link_id, token, limiter.params, read_at=NOW)
    assert admitted.link is not None and admitted.link.id == link_id
    assert admitted.link.terms == TERMS and admitted.allowed
    assert admitted.held == (stored, {"b-1": "not_for_me"}) == store.reading(link_id, NOW)
    assert store.profile(link_id, NOW) == stored
    assert store.admit(link_id, token, limiter.params).held is None  # not asked to read

    # Another link's token, or a made-up one: no link, and no rate taken for either.
    for wrong_id, wrong_token in ((link_id, other_token), (other_id, token),
                                  (link_id, "not-a-token-at-all")):
        refused = store.admit(wrong_id, wrong_token, limiter.params, read_at=NOW)
        assert refused.link is None and refused.held is None
    assert [store.admit(other_id, other_token, limiter.params).allowed
            for _ in range(4)] == [True, True, True, False]

    # Over the rate: refused, nothing read, and a refused request takes nothing.
    assert store.admit(link_id, token, limiter.params).allowed  # the third of the burst
    limited = store.admit(link_id, token, limiter.params, read_at=NOW)
    assert not limited.allowed and limited.held is None
    assert limiter.wait(limited.rate, limited.tat, limited.allowed) == 1.0


def test_a_put_replaces_the_profile_and_a_forgotten_link_takes_none(
        store: RetailerStore) -> None:
    link_id, _token = store.create_link("pseudonym-puts", TERMS, False, NOW)
    _put(store, link_id, "receipt-0001", MUSIC_FAN)
    smaller = {"greeting": MUSIC_FAN["greeting"]}
    assert _put(store, link_id, "receipt-0002", smaller) == store.profile(link_id, NOW)
    held = store.profile(link_id, NOW)
    assert held.slices == smaller and held.receipt == _receipt("receipt-0002", smaller)
    assert _put(store, link_id, "receipt-0003", {}).slices == {}
    assert store.profile(link_id, NOW).slices == {}

    store.forget(link_id, NOW)
    before = store.count_rows()
    assert _put(store, link_id, "receipt-0004", MUSIC_FAN) is None
    assert store.count_rows() == before  # nothing written for a forgotten link
    assert store.reading(link_id, NOW) == (store.profile(link_id, NOW), {})


def test_puts_at_once_leave_one_whole_profile(postgres_url: str) -> None:
    """Writers to one link take turns: the profile held is one put's, slices and receipt."""
    store = RetailerStore(make_engine(postgres_url))
    link_id, _token = store.create_link("pseudonym-races", TERMS, False, NOW)
    names = sorted(MUSIC_FAN)
    shapes = [{name: MUSIC_FAN[name] for name in names[n:] + names[:n - 1]}
              for n in range(len(names))]
    failures: list[BaseException] = []

    def put(n: int) -> None:
        try:
            for i in range(15):
                _put(store, link_id, f"receipt-{n}-{i:04d}", shapes[(n + i) % len(shapes)])
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=put, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    held = store.profile(link_id, NOW)
    assert held.slices in shapes
    assert held.receipt is not None and held.receipt["slices"] == sorted(held.slices)
    store.engine.dispose()
