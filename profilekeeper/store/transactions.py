"""The read-write vault's SQLite connections, and who takes the write lock, and when: reads
never, writes at BEGIN.

Python's ``sqlite3`` (legacy transaction control, Python < 3.16) opens a transaction only at
the first INSERT/UPDATE/DELETE, so a "check, then write" would read outside any transaction and
a second process could write in between. So the driver's own BEGIN is switched off
(``isolation_level=None``) and every transaction begins with ours: read transactions with a
plain (deferred) ``BEGIN``, which takes no lock in WAL mode; write transactions with ``BEGIN
IMMEDIATE``, which takes the write lock before their first read, so what they check cannot
change before they write. A second writer waits for it (``busy_timeout``) and then sees the first
one's rows. Only ``sqlite3`` is imported: opening, reading and writing a vault need nothing more.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from profilekeeper.errors import VaultBusy
from profilekeeper.store import vault_file

BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another's write lock: rotating or importing tens of thousands
of records holds it for seconds, and a cron job had better wait than fail."""
PRAGMAS = (
    # WAL for crash safety; secure_delete so freed pages are zeroed, not left readable;
    # temp_store=MEMORY so sorts and temp tables never spill to a temp file.
    "journal_mode = WAL",
    "synchronous = FULL",
    "secure_delete = ON",
    "foreign_keys = ON",
    "temp_store = MEMORY",
)
_KEEP_IDLE = 4
"""Connections kept open for the next transaction (the app reads from more than one thread)."""


class Database:
    """Connections to one vault file, each with the store's pragmas, reused between
    transactions; a connection serves one transaction at a time, in any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if vault_file.frozen(self.path):  # a read-only folder and no log: read it as it is
            conn = vault_file.read_only_connection(self.path)
            conn.isolation_level = None
        else:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            for pragma in (*PRAGMAS, f"busy_timeout = {BUSY_TIMEOUT_MS}"):
                try:
                    conn.execute(f"PRAGMA {pragma}")
                except sqlite3.OperationalError as error:  # WAL on a read-only file: read it
                    if not vault_file.is_read_only(error):  # as it is; writes say why not
                        raise
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of the pool, outside any transaction (for pragmas and migrations)."""
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        finally:
            if conn.in_transaction:  # a COMMIT that failed: nothing of it may leak into reuse
                conn.rollback()
            with self._lock:
                keep = len(self._idle) < _KEEP_IDLE
                if keep:
                    self._idle.append(conn)
            if not keep:
                conn.close()

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """A transaction that commits when the block ends and rolls back if it raises.

        ``write=True`` holds the write lock from the start (``BEGIN IMMEDIATE``). A read
        transaction ends in ROLLBACK, as it has nothing to commit: after a read stopped by a
        damaged page, SQLite refuses to COMMIT it ("database disk image is malformed").
        """
        with self.connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.OperationalError as error:  # still locked once the wait ran out
                if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
                    raise VaultBusy() from None
                if vault_file.is_read_only(error):
                    raise vault_file.read_only(self.path) from None
                raise
            try:
                yield conn
            except BaseException as error:
                if conn.in_transaction:  # some errors (a full disk) have rolled it back already
                    conn.execute("ROLLBACK")
                if vault_file.is_read_only(error):  # the file or its folder: one line, not a bug
                    raise vault_file.read_only(self.path) from None
                raise
            conn.execute("COMMIT" if write else "ROLLBACK")

    def close(self) -> None:
        """Close the idle connections (a later transaction opens new ones)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
