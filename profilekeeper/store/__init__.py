"""The vault: records in SQLite, sealed with AES-256-GCM under a passphrase-wrapped key.

Importing this package is cheap; ``Vault`` loads on first use, so the reminder fast path can
use ``store.crypto`` and ``store.readonly`` alone. The store runs on ``sqlite3``; the SQLModel
tables in ``tables.py`` describe its schema and only tests and tools import them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from profilekeeper.store.reader import Listing
    from profilekeeper.store.vault import Vault

__all__ = ["Listing", "Vault"]


def __getattr__(name: str) -> Any:
    if name == "Vault":
        from profilekeeper.store.vault import Vault

        return Vault
    if name == "Listing":
        from profilekeeper.store.reader import Listing

        return Listing
    raise AttributeError(name)
