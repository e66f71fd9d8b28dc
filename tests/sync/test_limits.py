"""The per-key rate limiter, kept in the database, on a clock the test controls."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from profilekeeper.sync.server import RetailerStore, make_engine
from profilekeeper.sync.server._rates import RateLimiter


def _store(tmp_path: Path) -> RetailerStore:
    return RetailerStore(make_engine(f"sqlite:///{tmp_path / 'retailer.sqlite3'}"))


def test_a_bucket_allows_a_burst_then_refills_at_the_rate(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    limiter = RateLimiter(_store(tmp_path), per_minute=60, burst=3, clock=lambda: now[0])
    assert [limiter.acquire("t") for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire("t") == 1.0
    assert limiter.acquire("t") == 1.0  # a refused request takes nothing
    assert limiter.acquire("other") == 0  # every key has its own bucket
    now[0] += 1.0
    assert limiter.acquire("t") == 0
    assert limiter.acquire("t") > 0
    now[0] += 60.0  # long idle: back to a full burst, no more
    assert [limiter.acquire("t") for _ in range(4)] == [0, 0, 0, 1.0]


def test_two_limiters_on_one_database_share_the_bucket(tmp_path: Path) -> None:
    """What two workers (or hosts) see: one limit, not one each."""
    now = [1_800_000_000.0]
    first = RateLimiter(_store(tmp_path), per_minute=60, burst=2, clock=lambda: now[0])
    second = RateLimiter(_store(tmp_path), per_minute=60, burst=2, clock=lambda: now[0])
    assert first.acquire("t") == 0
    assert second.acquire("t") == 0
    assert first.acquire("t") > 0 and second.acquire("t") > 0


def test_refilled_buckets_are_purged(tmp_path: Path) -> None:
    store = _store(tmp_path)
    now = [1_800_000_000.0]
    limiter = RateLimiter(store, per_minute=60, burst=2, clock=lambda: now[0])
    for n in range(10):
        limiter.acquire(f"token-{n}")
    now[0] += 5.0  # all refilled
    limiter.acquire("busy")
    store.purge_expired(datetime.fromtimestamp(now[0], UTC))
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT key FROM retail_rates")).scalars().all() == [
            "busy"]
