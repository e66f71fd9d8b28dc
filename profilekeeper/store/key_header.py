"""The key header: the one row saying which data key the records are under, and how to get it.

    vault_id, created     fixed at init
    kdf, wrapped_key      the data key wrapped under the passphrase (``passwd`` replaces them)
    key_check             a value sealed under the data key: names the key (``rotate-key``)
    key_generation        +1 whenever the key or its wrapping changes
    remembered            whether some device keeps a keyring copy of the key

Two programs may change it at once (``passwd`` from a terminal, ``rotate-key`` from cron). Had
the slower one simply written its row, it could put the old data key back over a rotation,
and nothing would open any more. So every change is a compare-and-swap inside a write
transaction (BEGIN IMMEDIATE): it re-reads the row and goes ahead only if the key is still the
one the change started from; else it raises ``KeyChanged`` and changes nothing. The slow
Argon2 derivation happens before that transaction, so the write lock is held for milliseconds.

Writers of records check ``key_check`` the same way (``check_key``) in their own write
transaction, so nothing is sealed under a key the vault no longer uses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from profilekeeper.errors import KeyChanged, KeyReplaced, UnsupportedVault
from profilekeeper.model import ENTITIES
from profilekeeper.store.codec import codec_for
from profilekeeper.store.crypto import (
    Cipher,
    KdfParams,
    make_key_check,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from profilekeeper.store.damage import Rows, checked_key
from profilekeeper.store.transactions import Database

TABLE = "vault_header"
COLUMNS = ("vault_id", "created", "kdf", "wrapped_key", "key_check", "key_generation",
           "remembered")  # fmt: skip
Fetch = Callable[[sqlite3.Connection, type[Any], dict[str, Any]], Rows]
"""``Vault._fetch``: a table's ``(id, *refs, sealed)`` rows, read in the given connection."""
Progress = Callable[[int, int], None]

HEADER_CHANGED = (
    "the vault's key changed while this command ran (another passwd or rotate-key?); "
    "nothing was changed: run it again"
)
KEY_REPLACED = (
    "the vault's key was changed by another program; nothing was written: unlock the vault "
    "again (or run the command again)"
)


@dataclass(frozen=True, slots=True)
class Header:
    vault_id: str
    created: int
    kdf: KdfParams
    wrapped_key: bytes
    key_check: bytes
    key_generation: int
    remembered: bool

    def same_key_as(self, other: Header) -> bool:
        """Nothing about the key has changed between ``other`` and this one."""
        return (self.key_generation, self.wrapped_key, self.key_check) == (
            other.key_generation, other.wrapped_key, other.key_check)  # fmt: skip


def dump_kdf(kdf: KdfParams) -> str:
    return json.dumps(kdf.to_json(), sort_keys=True)


def insert(conn: sqlite3.Connection, header: Header) -> None:
    """The header of a new vault."""
    values = (header.vault_id, header.created, dump_kdf(header.kdf), header.wrapped_key,
              header.key_check, header.key_generation, int(header.remembered))  # fmt: skip
    conn.execute(f"INSERT INTO {TABLE} (singleton, {', '.join(COLUMNS)}) "
                 f"VALUES (1, {', '.join('?' * len(COLUMNS))})", values)  # fmt: skip


def read(conn: sqlite3.Connection) -> Header:
    row = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE}").fetchone()
    if row is None:
        raise UnsupportedVault("that vault has no header: it was never finished")
    vault_id, created, kdf_json, wrapped_key, key_check, key_generation, remembered = row
    try:
        kdf = KdfParams.from_json(json.loads(kdf_json))
    except (ValueError, KeyError, TypeError):
        raise UnsupportedVault("the vault header is damaged") from None
    return Header(vault_id=vault_id, created=created, kdf=kdf, wrapped_key=wrapped_key,
                  key_check=key_check, key_generation=key_generation,
                  remembered=bool(remembered))  # fmt: skip


def read_now(db: Database) -> Header:
    with db.transaction(write=False) as conn:
        return read(conn)


def unwrap(header: Header, passphrase: str) -> bytes:
    """The data key ``header`` wraps; WrongPassphrase if ``passphrase`` does not unwrap it,
    KeyTableChanged (exit 5, as any tampering) if the key check does not name that key."""
    data_key = unwrap_data_key(header.wrapped_key, passphrase, header.kdf, header.vault_id)
    return checked_key(data_key, header.key_check, header.vault_id)


def expect(conn: sqlite3.Connection, start: Header) -> Header:
    """The header as it is inside the caller's write transaction; KeyChanged unless its key is
    still the one ``start`` describes."""
    now = read(conn)
    if not now.same_key_as(start):
        raise KeyChanged(HEADER_CHANGED)
    return now


def check_key(conn: sqlite3.Connection, key_check: bytes) -> None:
    """KeyChanged unless the records are still under the key ``key_check`` names.

    Called by every record writer first thing in its write transaction: the lock it holds
    keeps a rotation out until it commits, so what it seals stays readable.
    """
    row = conn.execute(f"SELECT key_check FROM {TABLE}").fetchone()
    if row is None or row[0] != key_check:
        raise KeyReplaced(KEY_REPLACED)


def write(conn: sqlite3.Connection, current: Header, **changes: Any) -> Header:
    """Store ``changes`` over ``current`` (the row as read in this transaction); return the new
    header. A change of the key or of its wrapping takes the next key generation."""
    new = replace(current, **changes)
    values = {name: getattr(new, name) for name in changes}
    if new.wrapped_key != current.wrapped_key or new.key_check != current.key_check:
        new = replace(new, key_generation=current.key_generation + 1)
        values["key_generation"] = new.key_generation
    if "kdf" in values:
        values["kdf"] = dump_kdf(new.kdf)
    if "remembered" in values:
        values["remembered"] = int(new.remembered)
    if unknown := set(values) - set(COLUMNS):  # column names go into the SQL: only known ones
        raise ValueError(f"no header field {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(f"UPDATE {TABLE} SET {assignments}", list(values.values()))
    return new


def change_passphrase(db: Database, start: Header, old: str, new: str, kdf: KdfParams) -> Header:
    """Re-wrap the data key of ``start`` under ``new``: KeyChanged if the key header changed
    since ``start`` was read (another passwd or rotate-key), WrongPassphrase if ``old`` is not
    the passphrase."""
    data_key = unwrap(start, old)
    wrapped = wrap_data_key(data_key, new, kdf, start.vault_id)  # slow: before the write lock
    with db.transaction(write=True) as conn:
        return write(conn, expect(conn, start), kdf=kdf, wrapped_key=wrapped)


def set_remembered(db: Database, held: Header, remembered: bool) -> Header:
    """Record whether a keyring copy of the key ``held`` describes exists.

    Saying one exists needs that key to still be the vault's (KeyChanged if a rotation came
    in between); saying none exists is always safe. Returns ``held`` with the flag changed,
    never a newer header: a vault object's header must stay the one of the key it holds.
    """
    with db.transaction(write=True) as conn:
        now = read(conn)
        if remembered and now.key_check != held.key_check:
            raise KeyChanged(HEADER_CHANGED)
        write(conn, now, remembered=remembered)
    return replace(held, remembered=remembered)


class Rotation:
    """A new data key for every record and the header, made in two steps: the slow wrapping
    now, then ``run`` inside the caller's write transaction."""

    def __init__(self, start: Header, passphrase: str, kdf: KdfParams, old_cipher: Cipher,
                 cipher_factory: Callable[[bytes], Cipher]) -> None:  # fmt: skip
        unwrap(start, passphrase)  # WrongPassphrase before any work
        self.start, self.kdf, self.old_cipher = start, kdf, old_cipher
        self.new_key = new_data_key()
        self.new_cipher = cipher_factory(self.new_key)
        self.wrapped = wrap_data_key(self.new_key, passphrase, kdf, start.vault_id)

    def run(self, conn: sqlite3.Connection, fetch: Fetch, progress: Progress | None) -> Header:
        """Reseal every record and replace the header; KeyChanged if it changed since
        ``start``, CorruptedRecord if a record does not open (the caller rolls back)."""
        current = expect(conn, self.start)
        tables = [(cls, fetch(conn, cls, {})) for cls in ENTITIES]
        total, done = sum(len(rows) for _, rows in tables), 0
        for cls, rows in tables:
            codec = codec_for(cls)
            # Every record opened (and checked) under the old key, sealed under the new one;
            # one that does not open, or a page that cannot be read, stops it all.
            records, corrupted = codec.open_rows(rows, self.old_cipher)
            if corrupted:
                raise corrupted[0]
            if rows.damage:
                raise rows.damage
            sealed = [params[-1] for params in codec.to_params(records, self.new_cipher, 0)]
            conn.executemany(f"UPDATE {codec.table} SET sealed = ? WHERE id = ?",
                             zip(sealed, (row[0] for row in rows), strict=True))  # fmt: skip
            done += len(rows)
            if progress:
                progress(done, total)
        return write(
            conn,
            current,
            kdf=self.kdf,
            wrapped_key=self.wrapped,
            key_check=make_key_check(self.new_key, self.start.vault_id),
        )
