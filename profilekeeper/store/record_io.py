"""Records sealed under the data key, in one SQLite file: transactions and generic record I/O.

``RecordStore`` is what ``Vault`` (store/vault.py: opening the file, unlocking, key changes)
stores records with. It knows no product rule (those are services/'), only records by type and
id. It reads with the queries ``ReadOnlyVault`` uses too (store/reader.py) and writes with plain
SQL through ``sqlite3``, a list of records in one ``executemany``; every record is sealed by
``codec`` with the data key before it reaches SQLite. No SQLAlchemy: the SQLModel tables
(store/tables.py) describe the schema, and the tests keep them in step with what this writes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from profilekeeper.errors import NotFound, VaultLocked
from profilekeeper.model import ENTITIES, Occasion
from profilekeeper.store import damage, key_header, occasion_dates
from profilekeeper.store.codec import Codec, codec_for
from profilekeeper.store.crypto import Cipher
from profilekeeper.store.key_header import Header
from profilekeeper.store.reader import Listing, RecordReader
from profilekeeper.store.transactions import Database

__all__ = ["CipherFactory", "Listing", "RecordStore"]

T = TypeVar("T")
CipherFactory = Callable[[bytes], Cipher]


def _now() -> int:
    return int(time.time())


class _Statements:
    """The SQL that writes one record type, built once from its codec."""

    def __init__(self, codec: Codec[Any]) -> None:
        columns = ("id", *codec.refs, "created", "updated", "sealed")
        insert = f"INSERT INTO {codec.table} ({', '.join(columns)}) " \
                 f"VALUES ({', '.join('?' * len(columns))})"  # fmt: skip
        self.insert = insert
        # Insert or replace by id, keeping when it was first created.
        changed = ", ".join(f"{c} = excluded.{c}" for c in (*codec.refs, "updated", "sealed"))
        self.upsert = f"{insert} ON CONFLICT (id) DO UPDATE SET {changed}"


_STATEMENTS: dict[str, _Statements] = {}


class RecordStore(RecordReader):
    """Records in an open vault file, once a data key is set (``Vault`` sets it)."""

    def __init__(self, path: Path, db: Database, cipher_factory: CipherFactory) -> None:
        self.path = path
        self._db = db
        self._cipher_factory = cipher_factory
        self._cipher: Cipher | None = None
        self._data_key: bytes | None = None
        self._local = threading.local()
        # The header of the key this object holds (or will unlock): replaced only together
        # with the key, so writers can tell when the vault's key is no longer theirs.
        self.header: Header = key_header.read_now(db)

    def _set_key(self, data_key: bytes, header: Header | None = None) -> None:
        self._data_key = data_key
        self._cipher = self._cipher_factory(data_key)
        if header is not None:
            self.header = header

    def lock(self) -> None:
        self._cipher = None
        self._data_key = None

    @property
    def data_key(self) -> bytes:
        if self._data_key is None:
            raise VaultLocked("the vault is locked")
        return self._data_key

    @property
    def key_check(self) -> bytes:
        return self.header.key_check

    @property
    def database(self) -> Database:
        """The file's connections (for checks of its pragmas)."""
        return self._db

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: everything inside commits together or not at all. It holds the write
        lock from its start, so what it reads cannot change before it writes, and raises
        KeyChanged, writing nothing, if another program rotated the key this object holds."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._begin(write=True) as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The open write transaction's connection, or a read transaction (no lock taken)."""
        if (conn := getattr(self._local, "conn", None)) is not None:
            yield conn
        else:
            with self._begin() as conn:
                yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.transaction():
            yield self._local.conn

    @contextmanager
    def _begin(
        self, cipher: Cipher | None = None, *, write: bool = False, check_key: bool = True
    ) -> Iterator[sqlite3.Connection]:
        """A transaction that, if it wrote, reseals the occasion date index before committing.

        ``write`` takes the write lock first, then (``check_key``) checks the key is still the
        vault's; ``cipher`` is the key the records are under once it commits (a rotation's new one).
        """
        with self._db.transaction(write=write) as conn:
            changes = conn.total_changes  # counts rows written by statements and triggers
            if write and check_key and self._cipher is not None:
                key_header.check_key(conn, self.header.key_check)
            yield conn
            if conn.total_changes != changes:
                self._reseal_dates(conn, cipher or self._cipher)

    def _reseal_dates(self, conn: sqlite3.Connection, cipher: Cipher | None) -> None:
        """Rebuild the date index if a write emptied it (see store/occasion_dates.py)."""
        emptied = conn.execute(f"SELECT sealed IS NULL FROM {occasion_dates.TABLE}").fetchone()
        if cipher is None or emptied is None or emptied[0] != 1:  # locked: it stays empty (safe)
            return
        codec = codec_for(Occasion)
        rows = self._fetch(conn, Occasion, {})
        occasions, corrupted = codec.open_rows(rows, cipher)
        unreadable = [c.record_id for c in corrupted]
        sealed = occasion_dates.seal(occasions, unreadable, cipher)
        conn.execute(f"UPDATE {occasion_dates.TABLE} SET sealed = ?", (sealed,))

    def _fetch(
        self, conn: sqlite3.Connection, cls: type[Any], where: dict[str, Any]
    ) -> damage.Rows:
        """``(id, *refs, sealed)`` rows whose columns equal ``where`` (None: unset), for a
        rotation and the date index, read in the given transaction."""
        condition = " AND ".join(f"{column} IS ?" for column in where)
        return self._rows(conn, codec_for(cls), condition, list(where.values()))

    # -- writing records -------------------------------------------------------------------

    def _sealed(self, records: list[Any]) -> tuple[_Statements, list[tuple[Any, ...]]]:
        """Statements and sealed parameter rows: inside a write transaction, which checked
        the key is current."""
        codec = codec_for(type(records[0]))
        statements = _STATEMENTS.get(codec.table)
        if statements is None:
            statements = _STATEMENTS[codec.table] = _Statements(codec)
        return statements, codec.to_params(records, self.cipher, _now())

    def add(self, record: T) -> T:
        self.add_all([record])
        return record

    def add_all(self, records: Iterable[Any]) -> None:
        """Insert new records of one type in one statement."""
        if not (records := list(records)):
            return
        with self._write() as conn:
            statements, params = self._sealed(records)
            conn.executemany(statements.insert, params)

    def save(self, record: T) -> T:
        """Insert or replace one record (by id)."""
        self.save_all([record])
        return record

    def save_all(self, records: Iterable[Any]) -> None:
        if not (records := list(records)):
            return
        with self._write() as conn:
            statements, params = self._sealed(records)
            conn.executemany(statements.upsert, params)

    def delete(self, cls: type[Any], record_id: str) -> None:
        table = codec_for(cls).table
        with self._write() as conn:
            if conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,)).rowcount == 0:
                raise NotFound(f"no {table} record with that id")

    def delete_where(self, cls: type[Any], **where: str | None) -> int:
        """Delete the records of ``cls`` whose references equal ``where``, unopened (damaged
        ones too); return how many went."""
        codec = codec_for(cls)
        if not where or set(where) - set(codec.refs):
            raise ValueError(f"{cls.__name__} rows can only be deleted by their references")
        condition = " AND ".join(f"{column} IS ?" for column in where)  # None: unset
        with self._write() as conn:
            sql = f"DELETE FROM {codec.table} WHERE {condition}"
            return int(conn.execute(sql, list(where.values())).rowcount)

    def delete_all_records(self) -> None:
        """Empty every record table; the header and the key stay."""
        with self._write() as conn:
            for cls in reversed(ENTITIES):
                conn.execute(f"DELETE FROM {codec_for(cls).table}")

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file and truncate it (after rotation)."""
        with self._db.connection() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
