"""The retailer database's engine: SQLite with WAL, or PostgreSQL that autocommits."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import StaticPool

IDLE_PING_SECONDS = 10.0
"""A pooled connection idle longer than this is pinged before use (a failover drops them)."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout for the server's threads."""
    if not url.startswith("sqlite"):
        # A host that drops packets would otherwise hang the first request for minutes.
        connect = {"connect_timeout": 10} if url.startswith("postgresql") else {}
        engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args=connect)
        _ping_when_idle(engine)
        return engine
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=StaticPool if in_memory else None,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection only after it sat idle: a ping on every checkout would be a
    round trip per statement, and a busy connection is known to be alive."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception:  # the pool drops it and tries another
            raise DisconnectionError() from None
