"""Records sealed under the data key, in one SQLite file: transactions and generic record I/O.

``RecordStore`` is what ``Vault`` (store/vault.py: opening the file, unlocking, key changes)
stores records with. It knows no product rule (those are services/'), only records by type and
id. Reads and writes go through SQLAlchemy Core statements, or the driver itself, so that lists
of thousands cost one statement, not thousands of ORM objects; every record is sealed by
``codec`` with the data key before it reaches SQLite.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from profilekeeper.errors import CorruptedRecord, KeyReplaced, NotFound, VaultLocked
from profilekeeper.model import ENTITIES, Occasion, Profile
from profilekeeper.store import damage, key_header, occasion_dates, transactions
from profilekeeper.store.codec import Codec, codec_for
from profilekeeper.store.crypto import Cipher
from profilekeeper.store.key_header import Header
from profilekeeper.store.tables import ROW_TABLES

T = TypeVar("T")
CipherFactory = Callable[[bytes], Cipher]


class Listing(list[T]):
    """Records that opened, plus the ones that failed authentication (kept out of the list)."""

    def __init__(self, items: Iterable[T] = (), corrupted: Iterable[CorruptedRecord] = ()):
        super().__init__(items)
        self.corrupted: list[CorruptedRecord] = list(corrupted)


def _now() -> int:
    return int(time.time())


class RecordStore:
    """Records in an open vault file, once a data key is set (``Vault`` sets it)."""

    def __init__(self, path: Path, engine: Engine, cipher_factory: CipherFactory) -> None:
        self.path = path
        self._engine = engine
        self._cipher_factory = cipher_factory
        self._cipher: Cipher | None = None
        self._data_key: bytes | None = None
        self._local = threading.local()
        # The header of the key this object holds (or will unlock): replaced only together
        # with the key, so writers can tell when the vault's key is no longer theirs.
        self.header: Header = key_header.read_now(engine)

    def _set_key(self, data_key: bytes, header: Header | None = None) -> None:
        self._data_key = data_key
        self._cipher = self._cipher_factory(data_key)
        if header is not None:
            self.header = header

    def lock(self) -> None:
        self._cipher = None
        self._data_key = None

    @property
    def is_unlocked(self) -> bool:
        return self._cipher is not None

    @property
    def data_key(self) -> bytes:
        if self._data_key is None:
            raise VaultLocked("the vault is locked")
        return self._data_key

    @property
    def cipher(self) -> Cipher:
        if self._cipher is None:
            raise VaultLocked("the vault is locked")
        return self._cipher

    @property
    def engine(self) -> Engine:
        return self._engine

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
    def _conn(self) -> Iterator[Connection]:
        """The open write transaction's connection, or a read transaction (no lock taken)."""
        if (conn := getattr(self._local, "conn", None)) is not None:
            yield conn
        else:
            with self._begin() as conn:
                yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.transaction():
            yield self._local.conn

    @contextmanager
    def _begin(
        self, cipher: Cipher | None = None, *, write: bool = False, check_key: bool = True
    ) -> Iterator[Connection]:
        """A transaction that, if it wrote, reseals the occasion date index before committing.

        ``write`` takes the write lock first, then (``check_key``) checks the key is still the
        vault's; ``cipher`` is the key the records are under once it commits (a rotation's new one).
        """
        with transactions.transaction(self._engine, write=write) as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            changes = driver.total_changes  # counts rows written by statements and triggers
            if write and check_key and self._cipher is not None:
                key_header.check_key(conn, self.header.key_check)
            yield conn
            if driver.total_changes != changes:
                self._reseal_dates(conn, cipher or self._cipher)

    def _reseal_dates(self, conn: Connection, cipher: Cipher | None) -> None:
        """Rebuild the date index if a write emptied it (see store/occasion_dates.py)."""
        emptied = conn.exec_driver_sql(f"SELECT sealed IS NULL FROM {occasion_dates.TABLE}")
        if cipher is None or emptied.scalar() != 1:  # locked: it stays empty, which is safe
            return
        codec = codec_for(Occasion)
        occasions, unreadable = [], []
        for row in self._fetch(conn, Occasion, {}):
            try:
                occasions.append(codec.from_row(row, cipher))
            except CorruptedRecord:
                unreadable.append(row[0])
        sealed = occasion_dates.seal(occasions, unreadable, cipher)
        conn.exec_driver_sql(f"UPDATE {occasion_dates.TABLE} SET sealed = ?", (sealed,))

    # -- generic records -------------------------------------------------------------------

    @staticmethod
    def _table(codec: Codec[Any]) -> Any:
        return ROW_TABLES[codec.table].__table__  # type: ignore[attr-defined]

    def _rows(self, records: list[T]) -> tuple[Any, list[dict[str, Any]]]:
        """Seal ``records``: inside a write transaction, which checked the key is current."""
        codec = codec_for(type(records[0]))
        cipher, now = self.cipher, _now()
        rows = [codec.to_row(r, cipher) for r in records]
        for row in rows:
            row["created"] = row["updated"] = now
        return self._table(codec), rows

    def add(self, record: T) -> T:
        self.add_all([record])
        return record

    def add_all(self, records: Iterable[T]) -> None:
        """Insert new records of one type in one statement."""
        if not (records := list(records)):
            return
        with self._write() as conn:
            table, rows = self._rows(records)
            # The Core statement, compiled once, run through the driver's executemany: per-row
            # parameter processing in SQLAlchemy would cost more than sealing the rows.
            stmt = table.insert().compile(dialect=self._engine.dialect, column_keys=list(rows[0]))
            order = stmt.positiontup or []
            conn.exec_driver_sql(str(stmt), [tuple(row[c] for c in order) for row in rows])

    def save(self, record: T) -> T:
        """Insert or replace one record (by id)."""
        self.save_all([record])
        return record

    def save_all(self, records: Iterable[T]) -> None:
        if not (records := list(records)):
            return
        with self._write() as conn:
            table, rows = self._rows(records)
            stmt = sqlite_insert(table)
            stmt = stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={c: stmt.excluded[c] for c in rows[0] if c not in ("id", "created")},
            )
            conn.execute(stmt, rows)

    def _fetch(self, conn: Connection, cls: type[Any], where: dict[str, Any]) -> damage.Rows:
        """``(id, *refs, sealed)`` tuples whose columns equal ``where`` (None: unset)."""
        codec = codec_for(cls)
        if set(where) - {"id", *codec.refs}:
            raise ValueError(f"{cls.__name__} rows can only be filtered by id or references")
        # ``IS`` compares like ``=`` and also matches NULL to None.
        condition = " AND ".join(f"{column} IS ?" for column in where)
        return self._read(conn, codec, condition, list(where.values()))

    @staticmethod
    def _read(conn: Connection, codec: Codec[Any], condition: str, params: Any) -> damage.Rows:
        """At driver level: thousands of rows skip SQLAlchemy's per-row processing."""
        columns = ("id", *codec.refs, "sealed")
        return damage.select(_driver(conn), codec.table, columns, condition, params)

    def list(self, cls: type[T], **where: Any) -> Listing[T]:
        """Every record of ``cls`` (optionally where a reference equals a value).

        Records that fail authentication are reported in ``.corrupted``, not raised, so one
        damaged record never hides the rest.
        """
        with self._conn() as conn:
            return self._open(cls, self._fetch(conn, cls, where))

    def load(self, cls: type[T], **any_of: Collection[str]) -> Listing[T]:
        """Records of ``cls`` whose ``id`` or a reference is one of the values given, as
        ``ReadOnlyVault.load``: only what is needed gets decrypted."""
        codec = codec_for(cls)
        if set(any_of) - {"id", *codec.refs}:
            raise ValueError(f"{cls.__name__} rows can only be filtered by id or references")
        # One JSON parameter per column: no limit on how many values are passed.
        condition = " OR ".join(f"{c} IN (SELECT value FROM json_each(?))" for c in any_of)
        params = [json.dumps(sorted(v)) for v in any_of.values()]
        with self._conn() as conn:
            return self._open(cls, self._read(conn, codec, condition, params))

    def occasion_dates(self) -> occasion_dates.DateIndex | None:
        """The sealed date index, as ``ReadOnlyVault.occasion_dates``."""
        with self._conn() as conn:
            row = damage.first_row(_driver(conn), f"SELECT sealed FROM {occasion_dates.TABLE}")
        return occasion_dates.open_index(row[0] if row else None, self.cipher)

    def _open(self, cls: type[T], rows: damage.Rows) -> Listing[T]:
        codec, cipher = codec_for(cls), self.cipher
        items: list[T] = []
        corrupted: list[CorruptedRecord] = []
        for row in rows:
            try:
                items.append(codec.from_row(row, cipher))
            except CorruptedRecord as error:
                corrupted.append(error)
        if any(type(c) is CorruptedRecord for c in corrupted):
            self._check_still_the_key()
        if rows.damage:  # some rows could not be read at all: said beside the corrupted ones
            corrupted.append(rows.damage)
        return Listing(items, corrupted)

    def _check_still_the_key(self) -> None:
        """Records fail to open when another program rotated the key after this one unlocked
        (the app left open): then that is what to say, not "corrupted"."""
        if key_header.read_now(self._engine).key_check != self.header.key_check:
            raise KeyReplaced()

    def get(self, cls: type[T], record_id: str) -> T:
        with self._conn() as conn:
            rows = self._fetch(conn, cls, {"id": record_id})
        if not rows:
            raise rows.damage or NotFound(f"no {codec_for(cls).table} record with that id")
        try:
            return codec_for(cls).from_row(rows[0], self.cipher)
        except CorruptedRecord as error:
            if type(error) is CorruptedRecord:
                self._check_still_the_key()
            raise

    def last_changed(self, cls: type[Any]) -> dict[str, int]:
        """When each record of ``cls`` was last written (Unix seconds), by id."""
        table = self._table(codec_for(cls))
        with self._conn() as conn:
            return {rid: at for rid, at in conn.execute(select(table.c.id, table.c.updated))}

    def count(self, cls: type[Any]) -> int:
        table = self._table(codec_for(cls))
        with self._conn() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    def delete(self, cls: type[Any], record_id: str) -> None:
        table = self._table(codec_for(cls))
        with self._write() as conn:
            if conn.execute(delete(table).where(table.c.id == record_id)).rowcount == 0:
                raise NotFound(f"no {codec_for(cls).table} record with that id")

    def delete_where(self, cls: type[Any], **where: str | None) -> int:
        """Delete the records of ``cls`` whose references equal ``where``, unopened (damaged
        ones too); return how many went."""
        codec = codec_for(cls)
        if not where or set(where) - set(codec.refs):
            raise ValueError(f"{cls.__name__} rows can only be deleted by their references")
        table = self._table(codec)
        with self._write() as conn:
            stmt = delete(table).where(*(table.c[c] == v for c, v in where.items()))
            return int(conn.execute(stmt).rowcount)

    def delete_all_records(self) -> None:
        """Empty every record table; the header and the key stay."""
        with self._write() as conn:
            for cls in reversed(ENTITIES):
                conn.execute(delete(self._table(codec_for(cls))))

    def profile(self) -> Profile:
        """The owner's profile (a blank one until it is first saved)."""
        try:
            return self.get(Profile, "me")
        except NotFound:
            return Profile()

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file and truncate it (after rotation)."""
        with self._engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _driver(conn: Connection) -> sqlite3.Connection:
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver
