"""Reading sealed records: the one set of queries both stores use.

``RecordStore`` (store/record_io.py, the read-write vault) and ``ReadOnlyVault``
(store/readonly.py, ``remind``'s fast path) are this reader over different connections: a pooled
read transaction or the write transaction in progress, or one read-only connection. Only
``sqlite3``, the codec and the standard library are imported: ``remind`` starts with this.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from profilekeeper.errors import CorruptedRecord, KeyReplaced, NotFound, VaultLocked
from profilekeeper.model_core import Profile
from profilekeeper.store import damage, occasion_dates
from profilekeeper.store.codec import Codec, codec_for
from profilekeeper.store.crypto import Cipher

T = TypeVar("T")


class Listing(list[T]):
    """Records that opened, plus the ones that failed authentication (kept out of the list)."""

    def __init__(self, items: Iterable[T] = (), corrupted: Iterable[CorruptedRecord] = ()):
        super().__init__(items)
        self.corrupted: list[CorruptedRecord] = list(corrupted)


def _filtered(codec: Codec[Any], columns: Collection[str]) -> None:
    if unknown := set(columns) - {"id", *codec.refs}:
        raise ValueError(f"cannot filter {codec.table} by {sorted(unknown)}")


class RecordReader:
    """``list``, ``load``, ``get`` and the rest, once a subclass gives connections and a key."""

    _cipher: Cipher | None = None

    def _reading(self) -> AbstractContextManager[sqlite3.Connection]:
        """A connection to read in (inside a transaction, or one whose reads need none)."""
        raise NotImplementedError

    @property
    def key_check(self) -> bytes:
        """The header's ``key_check`` for the key this object holds."""
        raise NotImplementedError

    @property
    def is_unlocked(self) -> bool:
        return self._cipher is not None

    @property
    def cipher(self) -> Cipher:
        if self._cipher is None:
            raise VaultLocked("the vault is locked")
        return self._cipher

    def list(self, cls: type[T], **where: Any) -> Listing[T]:
        """Every record of ``cls`` whose ``id`` or references equal the values given (None:
        unset). Records that fail authentication are reported in ``.corrupted``, not raised, so
        one damaged record never hides the rest."""
        codec = codec_for(cls)
        _filtered(codec, where)
        # ``IS`` compares like ``=`` and also matches NULL to None.
        condition = " AND ".join(f"{column} IS ?" for column in where)
        return self._records(codec, condition, list(where.values()))

    def load(self, cls: type[T], **any_of: Collection[str]) -> Listing[T]:
        """Records of ``cls``; damaged ones are reported in ``.corrupted``, not raised.

        ``any_of`` narrows the rows to those whose ``id`` or reference column holds one of the
        given values (``load(Gift, person_id=ids, occasion_id=other_ids)``: either matches), so
        only what is needed gets decrypted.
        """
        codec = codec_for(cls)
        _filtered(codec, any_of)
        # One JSON parameter per column: no limit on how many values are passed.
        condition = " OR ".join(f"{c} IN (SELECT value FROM json_each(?))" for c in any_of)
        return self._records(codec, condition, [json.dumps(sorted(v)) for v in any_of.values()])

    def get(self, cls: type[T], record_id: str) -> T:
        """One record: NotFound if absent, CorruptedRecord if damaged."""
        records = self.list(cls, id=record_id)
        if records:  # found, even if a damaged page hides others
            return records[0]
        if records.corrupted:
            raise records.corrupted[0]
        raise NotFound(f"no {codec_for(cls).table} record with that id")

    def profile(self) -> Profile:
        """The owner's profile (a blank one until it is first saved)."""
        try:
            return self.get(Profile, "me")
        except NotFound:
            return Profile()

    def occasion_dates(self) -> occasion_dates.DateIndex | None:
        """Every occasion's date from the sealed index; None when it is out of date or damaged
        (then read every occasion)."""
        cipher = self.cipher
        with self._reading() as conn:
            row = damage.first_row(conn, f"SELECT sealed FROM {occasion_dates.TABLE}")
        return occasion_dates.open_index(row[0] if row else None, cipher)

    def last_changed(self, cls: type[Any]) -> dict[str, int]:
        """When each record of ``cls`` was last written (Unix seconds), by id."""
        with self._reading() as conn:
            return dict(conn.execute(f"SELECT id, updated FROM {codec_for(cls).table}"))

    def count(self, cls: type[Any]) -> int:
        with self._reading() as conn:
            return int(conn.execute(f"SELECT count(*) FROM {codec_for(cls).table}").fetchone()[0])

    # -- shared by both stores ---------------------------------------------------------------

    @staticmethod
    def _rows(conn: sqlite3.Connection, codec: Codec[Any], condition: str,
              params: Sequence[Any]) -> damage.Rows:  # fmt: skip
        """``(id, *refs, sealed)`` rows, read around damaged pages (store/damage.py).

        Table and column names come from the model classes, never from input."""
        return damage.select(conn, codec.table, codec.columns, condition, params)

    def _records(self, codec: Codec[T], condition: str, params: Sequence[Any]) -> Listing[T]:
        cipher = self.cipher
        with self._reading() as conn:
            rows = self._rows(conn, codec, condition, params)
            records, corrupted = codec.open_rows(rows, cipher)
            if any(type(c) is CorruptedRecord for c in corrupted):
                self._check_still_the_key(conn)
        if rows.damage:  # some rows could not be read at all: said beside the corrupted ones
            corrupted.append(rows.damage)
        return Listing(records, corrupted)

    def _check_still_the_key(self, conn: sqlite3.Connection) -> None:
        """Records fail to open when another program rotated the key after this one unlocked
        (the app left open): then that is what to say, not "corrupted"."""
        now = damage.first_row(conn, "SELECT key_check FROM vault_header")
        if now is not None and now[0] != self.key_check:
            raise KeyReplaced()

