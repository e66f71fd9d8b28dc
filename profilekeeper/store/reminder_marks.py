"""Recording which lead points a notification hook fired for, from ``remind``'s fast path.

``remind`` reads through ``ReadOnlyVault`` (sqlite3, no SQLAlchemy); when a hook has fired it
writes the occasions' new ``reminder_state``, and for releases and events the profile's
``notify_marks.COMING_MARKS`` setting, the same light way, as ``Vault`` would: one write
transaction (BEGIN IMMEDIATE, so nothing changes between reading and writing), the key checked
still to be the vault's, each record re-read there (what the app changed meanwhile is kept)
and resealed under the same associated data, with the pragmas the store writes with
(``secure_delete``, so freed pages hold no old ciphertext). The triggers empty the occasion
date index on every update; the dates did not change, so the index read at the start of the
transaction is put back, still true.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from profilekeeper.errors import CorruptedRecord, KeyReplaced
from profilekeeper.model_core import Occasion, Profile
from profilekeeper.notify_marks import mark_coming
from profilekeeper.reminders import mark_notified
from profilekeeper.store import occasion_dates
from profilekeeper.store.codec import codec_for
from profilekeeper.store.crypto import Cipher
from profilekeeper.store.readonly import ReadOnlyVault
from profilekeeper.store.transactions import BUSY_TIMEOUT_MS

PRAGMAS = ("synchronous = FULL", "secure_delete = ON", "foreign_keys = ON",
           "temp_store = MEMORY", f"busy_timeout = {BUSY_TIMEOUT_MS}")  # fmt: skip
"""As store/transactions.py's (its WAL journal mode is the file's own, kept)."""


def record_notified(vault: ReadOnlyVault, fired: Iterable[tuple[str, int, Iterable[int]]],
                    coming: Iterable[tuple[str, date, Iterable[int]]] = (), *,
                    since: date | None = None) -> int:  # fmt: skip
    """Add each ``(occasion_id, year, points)`` to that occasion's notified points, and each
    ``(mark_key, day, points)`` to the profile's marks for releases and events (dropping those
    of days before ``since``, listed no more); how many records were written. KeyReplaced if
    the key changed; sqlite3.Error if the file is busy or cannot be written. A record gone or
    unreadable meanwhile is left alone."""
    cipher, codec = vault.cipher, codec_for(Occasion)
    coming = list(coming)
    conn = sqlite3.connect(vault.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        for pragma in PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("BEGIN IMMEDIATE")
        try:
            (key_check,) = conn.execute("SELECT key_check FROM vault_header").fetchone()
            if key_check != vault.key_check:
                raise KeyReplaced()
            (index,) = conn.execute(f"SELECT sealed FROM {occasion_dates.TABLE}").fetchone()
            written = 0
            for occasion_id, year, points in fired:
                row = conn.execute("SELECT id, person_id, sealed FROM occasions WHERE id = ?",
                                   (occasion_id,)).fetchone()  # fmt: skip
                if row is None:
                    continue
                try:
                    occasion = codec.from_row(row, cipher)
                except CorruptedRecord:
                    continue
                sealed = codec.to_row(mark_notified(occasion, year, points), cipher)["sealed"]
                conn.execute("UPDATE occasions SET sealed = ?, updated = ? WHERE id = ?",
                             (sealed, int(time.time()), occasion_id))  # fmt: skip
                written += 1
            if coming:
                written += _mark_coming(conn, cipher, coming, since or date.min)
            conn.execute(f"UPDATE {occasion_dates.TABLE} SET sealed = ?", (index,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return written
    finally:
        conn.close()


def _mark_coming(conn: sqlite3.Connection, cipher: Cipher,
                 coming: list[tuple[str, date, Iterable[int]]], since: date) -> int:  # fmt: skip
    """The profile, re-read and resealed with ``coming`` marked; 1, or 0 if it is gone or
    unreadable."""
    codec = codec_for(Profile)
    row = conn.execute("SELECT id, sealed FROM profile WHERE id = 'me'").fetchone()  # the owner
    if row is None:
        return 0
    try:
        profile = codec.from_row(row, cipher)
    except CorruptedRecord:
        return 0
    marked = replace(profile, settings=mark_coming(profile.settings, coming, since))
    conn.execute("UPDATE profile SET sealed = ?, updated = ? WHERE id = ?",
                 (codec.to_row(marked, cipher)["sealed"], int(time.time()), profile.id))
    return 1
