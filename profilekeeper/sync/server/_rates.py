"""Request rates kept in the retailer's database, so a limit holds across workers and hosts.

Each key (a token's digest, or a client address's) has one row holding its theoretical
arrival time (GCRA, the token bucket in one number): a request is let through when that time
is at most ``tolerance`` ahead of now, and pushes it one interval further. One upsert decides
and records (``rate_upsert`` in _tables.py), so two workers cannot both take the last request;
on a link route it is the same statement that checks the token (``RetailerStore.admit``).
Times are wall-clock seconds: hosts sharing a database keep their clocks in step (NTP), as
they must for retention anyway.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from profilekeeper.sync.server._storage import RetailerStore, token_key

__all__ = ["RateLimiter", "address_key", "token_key"]


def address_key(address: str) -> str:
    """The key of a client address: a digest, so the table never lists addresses in clear."""
    return "a:" + hashlib.sha256(address.encode()).hexdigest()


class RateLimiter:
    """``per_minute`` sustained per key, bursts of ``burst`` (default a sixth, at least 10)."""

    def __init__(self, store: RetailerStore, per_minute: int, burst: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.interval = 60.0 / per_minute
        capacity = burst if burst is not None else max(10, per_minute // 6)
        self.tolerance = (capacity - 1) * self.interval
        self.clock = clock

    def params(self, key: str) -> dict[str, Any]:
        """The parameters of one request's rate step for ``key``, as of now."""
        return {"key": key, "now": self.clock(), "interval": self.interval,
                "tolerance": self.tolerance}

    def wait(self, params: dict[str, Any], tat: float, allowed: bool) -> float:
        """0 if the step with ``params`` let the request through, else the seconds to wait."""
        return 0.0 if allowed else max(0.0, tat - self.tolerance - params["now"])

    def acquire(self, key: str) -> float:
        """Take one request; returns 0 if allowed, else the seconds to wait."""
        params = self.params(key)
        return self.wait(params, *self.store.take_rate(params))
