"""The per-token rate limiter, on a clock the test controls."""

from __future__ import annotations

import pytest

from profilekeeper.sync.server import _limits
from profilekeeper.sync.server._limits import RateLimiter


def test_a_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=3, clock=lambda: now[0])
    assert [limiter.acquire("t") for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire("t") == 1.0
    assert limiter.acquire("other") == 0  # every key has its own bucket
    now[0] += 1.0
    assert limiter.acquire("t") == 0
    assert limiter.acquire("t") > 0


def test_refilled_buckets_are_dropped_when_there_are_too_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_limits, "MAX_BUCKETS", 10)
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    for n in range(10):
        limiter.acquire(f"token-{n}")
    now[0] += 5.0  # all refilled
    limiter.acquire("busy")
    assert len(limiter) == 1
