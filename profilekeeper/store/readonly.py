"""Reading the vault with ``sqlite3`` alone: the fast path behind ``profilekeeper remind``.

It reads with the same queries as the read-write store (``RecordReader``, store/reader.py),
on a connection opened read-only: no pool, no transaction, nothing but ``sqlite3``. So a
reminder run can never change or upgrade a vault; a vault with an older schema raises
``NeedsUpgrade`` and the caller opens it once with ``Vault``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import AbstractContextManager, nullcontext

from profilekeeper.errors import UnsupportedVault, VaultMissing
from profilekeeper.store import damage, migrations, vault_file
from profilekeeper.store.crypto import (
    AesGcmCipher,
    KdfParams,
    unwrap_data_key,
    verify_key_check,
)
from profilekeeper.store.reader import RecordReader

StrPath = str | os.PathLike[str]


_read_only_connection = vault_file.read_only_connection


class ChangeWatch:
    """Tells, without decrypting anything, whether the vault file has changed.

    ``version()`` is SQLite's ``data_version``: it moves on every commit made by any other
    connection — the app's own store, or a CLI command run meanwhile — and stays put for reads.
    """

    def __init__(self, path: StrPath) -> None:
        self._conn = _read_only_connection(path)

    def version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


class NeedsUpgrade(UnsupportedVault):
    """The vault's schema is older than this profilekeeper's; a read-write open upgrades it."""


class ReadOnlyVault(RecordReader):
    """A vault opened read-only. ``unlock`` or ``unlock_with_data_key`` before ``load``.

    Its reads are ``RecordReader``'s, on one read-only connection (each query is its own
    read transaction), so both stores read the same rows the same way."""

    def __init__(self, path: StrPath) -> None:
        if not os.path.isfile(path):
            raise VaultMissing("no vault at that path; create one with `profilekeeper init`")
        self.path = path
        try:
            self._conn = _read_only_connection(path)
            vault_file.identify(self._conn, path)
            version = migrations.schema_version(self._conn)
            header = self._conn.execute(
                "SELECT vault_id, kdf, wrapped_key, key_check, remembered FROM vault_header"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            self.close()
            if damage.is_damage(error):
                raise damage.DamagedVault("its header cannot be read") from None
            vault_file.refuse_blank_first_page(path)
            raise UnsupportedVault(vault_file.NOT_A_VAULT) from None
        except UnsupportedVault:
            self.close()
            vault_file.refuse_blank_first_page(path)
            raise
        except (damage.DamagedVault, vault_file.VaultReadOnly):
            self.close()
            raise
        if version != migrations.CURRENT_VERSION:
            self.close()
            if version > migrations.CURRENT_VERSION:
                raise UnsupportedVault(
                    f"this vault has schema version {version}, newer than this profilekeeper "
                    f"knows ({migrations.CURRENT_VERSION}); upgrade profilekeeper"
                )
            raise NeedsUpgrade("this vault needs a schema upgrade")
        if header is None:
            self.close()
            raise UnsupportedVault("that vault has no header: it was never finished")
        self.vault_id: str = header[0]
        self._kdf_json: str = header[1]
        self._wrapped_key: bytes = header[2]
        self._key_check: bytes = header[3]
        self.remembered = bool(header[4])
        self._cipher = None

    def close(self) -> None:
        if conn := getattr(self, "_conn", None):
            conn.close()

    def __enter__(self) -> ReadOnlyVault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def unlock(self, passphrase: str) -> None:
        try:
            kdf = KdfParams.from_json(json.loads(self._kdf_json))
        except (ValueError, KeyError, TypeError):
            raise UnsupportedVault("the vault header is damaged") from None
        data_key = unwrap_data_key(self._wrapped_key, passphrase, kdf, self.vault_id)
        self._cipher = AesGcmCipher(damage.checked_key(data_key, self._key_check, self.vault_id))

    def unlock_with_data_key(self, data_key: bytes) -> None:
        """Unlock with a remembered key; WrongPassphrase if it is not this vault's key."""
        verify_key_check(data_key, self._key_check, self.vault_id)
        self._cipher = AesGcmCipher(data_key)

    @property
    def key_check(self) -> bytes:
        return self._key_check

    def _reading(self) -> AbstractContextManager[sqlite3.Connection]:
        return nullcontext(self._conn)
