"""The read-only store for ``remind``'s fast path: open it, and recall its key the fast way.

Like ``unlock_policy``, a plain module the front ends call because the ``services`` package
(which imports every use case, SQLAlchemy with them) is more than ``remind`` can afford: this
module imports the read-only store and the D-Bus keyring route only when called, and the full
store only in the rare case that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable
    from datetime import date

    from profilekeeper.store.readonly import ReadOnlyVault


def open_read_only(path: str | os.PathLike[str]) -> ReadOnlyVault:
    """The vault at ``path``, read-only (locked). An older schema is upgraded by the full store
    first (rare: the first run after an upgrade), then read the fast way."""
    from profilekeeper.store.readonly import NeedsUpgrade, ReadOnlyVault

    try:
        return ReadOnlyVault(path)
    except NeedsUpgrade:
        from pathlib import Path

        from profilekeeper.store.vault import Vault

        Vault.open(Path(path)).close()
        return ReadOnlyVault(path)


def recall_key_fast(vault_id: str) -> bytes | None:
    """The key remembered on this device, asked over D-Bus without importing ``keyring``
    (which it falls back to when that route does not answer)."""
    from profilekeeper.store import fast_keyring

    return fast_keyring.recall(vault_id)


def record_notified(vault: ReadOnlyVault, fired: Iterable[tuple[str, int, Iterable[int]]],
                    coming: Iterable[tuple[str, date, Iterable[int]]] = (), *,
                    since: date | None = None) -> str:  # fmt: skip
    """Record the points hooks fired for, occasions' and releases' and events' (``since``: see
    store/reminder_marks.py); "" when done, else why not, in words fit for stderr (no record's
    contents)."""
    import sqlite3

    from profilekeeper.errors import KeyReplaced
    from profilekeeper.store.reminder_marks import record_notified as write

    try:
        write(vault, fired, coming, since=since)
    except KeyReplaced:
        return "the vault's key was changed meanwhile"
    except sqlite3.Error as error:
        return f"the vault could not be written ({error})"
    return ""
