"""Who takes SQLite's write lock, and when: reads never, writes at BEGIN.

Python's ``sqlite3`` (legacy transaction control, Python < 3.16) opens a transaction only at
the first INSERT/UPDATE/DELETE, so a "check, then write" reads outside any transaction and a
second process can write in between. SQLAlchemy's documented recipe for pysqlite takes BEGIN
over: the driver's own is switched off (``isolation_level = None``) and the engine's "begin"
event emits ours. Read transactions get a plain (deferred) ``BEGIN``, which takes no lock in WAL
mode; write transactions get ``BEGIN IMMEDIATE``, which takes the write lock before their first
read, so what they check cannot change before they write. A second writer waits for it
(``busy_timeout``) and then sees the first one's rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError

from profilekeeper.errors import VaultBusy

_WRITE = "profilekeeper_write"
"""Execution option marking a connection whose next transaction is a write transaction."""


def _no_driver_begin(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # sqlite3 still commits and rolls back as asked


def _begin(conn: Connection) -> None:
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE)
                             else "BEGIN")  # fmt: skip
    except DBAPIError as error:  # still locked once the busy timeout ran out
        if getattr(error.orig, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY:
            raise VaultBusy() from None
        raise


def take_over_begin(engine: Engine) -> None:
    """Make every transaction on ``engine`` begin with our BEGIN (call once, at creation)."""
    event.listen(engine, "connect", _no_driver_begin)
    event.listen(engine, "begin", _begin)


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """A transaction that commits when the block ends and rolls back if it raises.

    ``write=True`` holds the write lock from the start (``BEGIN IMMEDIATE``). A read
    transaction ends in ROLLBACK, as it has nothing to commit: after a read stopped by a damaged
    page, SQLite refuses to COMMIT it ("database disk image is malformed").
    """
    with engine.connect() as conn:
        if write:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn
            return
        read = conn.begin()
        try:
            yield conn
        finally:
            read.rollback()
