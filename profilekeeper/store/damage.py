"""Reading around damaged pages of the vault file, and saying what was lost.

A zeroed or overwritten page makes SQLite stop with "database disk image is malformed" at the
first row it cannot reach: one bad page of ``people`` would hide every person. ``select`` reads
a record table as the stores ask, and when SQLite reports damage it reads what it still can:

1. a plain scan of the table (``NOT INDEXED``), keeping the rows before the damaged page; when
   it gets to the end, only an index was damaged and nothing is lost;
2. each row the primary key's index still lists, fetched alone by rowid (rows on other pages
   of the table open; the index also says how many are lost);
3. if that index is damaged too, probing rowids past the damaged page.

The rows it got come back with a ``DamagedTable`` note, which the stores report beside the
records that failed authentication (exit status 5, as those). Only ``sqlite3`` is imported:
``remind``'s fast path uses it too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from profilekeeper.errors import CorruptedRecord, VaultError

_SQLITE_CORRUPT = 11  # not NOTADB (26): a file SQLite does not recognise is not ours
_PROBES = 4096
"""How many rowids past a damaged page to try, one by one, when no index lists them."""

_FROM_BACKUP = ("restore your last backup (`profilekeeper restore --replace BACKUP`) or export "
                "(`profilekeeper init`, then `profilekeeper import EXPORT.json`) into a new vault")
RESTORE = _FROM_BACKUP + " or save what is left with `profilekeeper export --skip-corrupted`"


class DamagedTable(CorruptedRecord):
    """Some of a table's pages cannot be read: the records on them are left out."""

    def __init__(self, table: str, lost: int | None = None) -> None:
        VaultError.__init__(
            self,
            f"the vault file is damaged (table {table}): some records could not be read; "
            + RESTORE,
        )
        self.table = table
        self.record_id = ""
        self.lost = lost
        """How many records are known to be lost (from the index), None if unknown."""


class DamagedVault(VaultError):
    """The parts of the file needed to open or unlock the vault cannot be read."""

    exit_code = CorruptedRecord.exit_code

    def __init__(self, what: str = "it cannot be opened") -> None:
        super().__init__(f"the vault file is damaged ({what}); {_FROM_BACKUP}")


class KeyTableChanged(DamagedVault):
    """The passphrase opens the wrapped key, but the header's key check does not name that key:
    the key table was changed (a bit flipped, or a check copied from another vault)."""

    def __init__(self) -> None:
        super().__init__("its key table was changed: the key check does not match the key")


def checked_key(data_key: bytes, key_check: bytes, vault_id: str) -> bytes:
    """``data_key`` (which the passphrase unwrapped), if the header's ``key_check`` names it;
    else KeyTableChanged. The keyring's key is held to the same check (``verify_key_check``):
    a changed key table is refused whichever way the vault is unlocked."""
    from profilekeeper.errors import WrongPassphrase
    from profilekeeper.store.crypto import verify_key_check  # cryptography: only to unlock

    try:
        verify_key_check(data_key, key_check, vault_id)
    except WrongPassphrase:
        raise KeyTableChanged() from None
    return data_key


def is_damage(error: BaseException) -> bool:
    """Whether ``error`` (sqlite3's) says the file is damaged, as opposed to busy, locked or
    full."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.DatabaseError) and (code or 0) & 0xFF == _SQLITE_CORRUPT


def first_row(db: sqlite3.Connection, sql: str) -> tuple[Any, ...] | None:
    """The first row of ``sql``; None if there is none or damage makes it unreadable (for the
    date index: a damaged one is an out-of-date one, and every occasion gets read instead)."""
    try:
        row: tuple[Any, ...] | None = db.execute(sql).fetchone()
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        return None
    return row


class Rows(list[tuple[Any, ...]]):
    """The rows read; ``damage`` says if some of the table's could not be."""

    damage: DamagedTable | None = None


def select(
    db: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    condition: str = "",
    params: Sequence[Any] = (),
) -> Rows:
    """``SELECT columns FROM table WHERE condition``, reading around damaged pages.

    ``table``, ``columns`` and ``condition`` come from the model classes, never from input.
    """
    where = f" WHERE {condition}" if condition else ""
    try:
        return Rows(db.execute(f"SELECT {', '.join(columns)} FROM {table}{where}", params))
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
    return _salvage(db, table, columns, condition, params)


def _salvage(
    db: sqlite3.Connection, table: str, columns: Sequence[str], condition: str,
    params: Sequence[Any],
) -> Rows:  # fmt: skip
    cols = ", ".join(("rowid", *columns))
    where = f" WHERE {condition}" if condition else ""
    found: dict[int, tuple[Any, ...]] = {}
    if _scan(db, f"SELECT {cols} FROM {table} NOT INDEXED{where}", params, found):
        return Rows(found.values())  # only an index was damaged: every row was read
    also = f" AND ({condition})" if condition else ""
    alone = f"SELECT {cols} FROM {table} WHERE rowid = ?{also}"
    listed: list[int] = []
    index_whole = _scan(
        db, f"SELECT rowid FROM {table} INDEXED BY sqlite_autoindex_{table}_1", (), None, listed
    )
    lost = 0
    for rowid in listed:
        if rowid not in found and not _scan(db, alone, (rowid, *params), found):
            lost += 1
    if not index_whole:
        _probe(db, table, columns, condition, params, found)
    rows = Rows(row for _, row in sorted(found.items()))
    rows.damage = DamagedTable(table, lost if index_whole else None)
    return rows


def _scan(
    db: sqlite3.Connection,
    sql: str,
    params: Sequence[Any],
    into: dict[int, tuple[Any, ...]] | None,
    rowids: list[int] | None = None,
) -> bool:
    """Collect rows (by rowid) until the end, True, or until damage stops it, False."""
    try:
        for rowid, *rest in db.execute(sql, params):
            if into is not None:
                into[rowid] = tuple(rest)
            if rowids is not None:
                rowids.append(rowid)
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        return False
    return True


def _probe(
    db: sqlite3.Connection, table: str, columns: Sequence[str], condition: str,
    params: Sequence[Any], found: dict[int, tuple[Any, ...]],
) -> None:  # fmt: skip
    """Scan on past each place a scan stopped, until one gets to the end.

    A scan stopped by damage also drops the last row it had read (the driver reads a row
    ahead), so after each stop rowids are looked up one at a time until one is readable, and
    the scan goes on from there. Every row is visited (the condition is a column, not a
    filter), so each scan starts after the last row reached, matching or not.
    """
    matches = f"({condition})" if condition else "1"
    select = f"SELECT rowid, {matches}, {', '.join(columns)} FROM {table} NOT INDEXED WHERE rowid"
    reached, misses = 0, 0
    while misses < _PROBES:
        try:
            for rowid, match, *rest in db.execute(f"{select} >= ?", (*params, reached + 1)):
                reached = rowid
                if match:
                    found[rowid] = tuple(rest)
            return
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
        while misses < _PROBES:
            reached += 1
            try:
                row = db.execute(f"{select} = ?", (*params, reached)).fetchone()
            except sqlite3.DatabaseError as error:
                if not is_damage(error):
                    raise
                misses += 1
                continue
            if row is not None and row[1]:
                found[reached] = tuple(row[2:])
            misses = 0
            break
