"""Request rates kept in the retailer's database, so a limit holds across workers and hosts.

Each key (a token's digest, or a client address's) has one row holding its theoretical
arrival time (GCRA, the token bucket in one number): a request is let through when that time
is at most ``tolerance`` ahead of now, and pushes it one interval further. One upsert decides
and records, so two workers cannot both take the last request. Times are wall-clock seconds:
hosts sharing a database keep their clocks in step (NTP), as they must for retention anyway.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from sqlalchemy import text

from profilekeeper.sync.server._storage import RateRow, RetailerStore, token_key

__all__ = ["RateLimiter", "address_key", "token_key"]

_TABLE = RateRow.__tablename__
_ACQUIRE = text(f"""
INSERT INTO {_TABLE} (key, tat, allowed) VALUES (:key, :now + :interval, TRUE)
ON CONFLICT (key) DO UPDATE SET
  allowed = {_TABLE}.tat - :tolerance <= :now,
  tat = CASE
    WHEN {_TABLE}.tat - :tolerance > :now THEN {_TABLE}.tat
    WHEN {_TABLE}.tat > :now THEN {_TABLE}.tat + :interval
    ELSE :now + :interval
  END
RETURNING tat, allowed
""")


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

    def acquire(self, key: str) -> float:
        """Take one request; returns 0 if allowed, else the seconds to wait."""
        now = self.clock()
        tat, allowed = self.store.take_rate(_ACQUIRE, {
            "key": key, "now": now, "interval": self.interval, "tolerance": self.tolerance})
        return 0.0 if allowed else max(0.0, tat - self.tolerance - now)
