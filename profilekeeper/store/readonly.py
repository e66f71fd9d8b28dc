"""Reading the vault with ``sqlite3`` alone: the fast path behind ``profilekeeper remind``.

SQLAlchemy and SQLModel cost ~0.4–0.6 s to import, more than the whole reminder budget, so
this module reads the record tables with plain SQL (the column layout is the one
``migrations.py`` creates; tests/reminders/test_readonly.py reads records ``Vault`` wrote).
The file is opened read-only, so a reminder run can never change or upgrade a vault; a vault
with an older schema raises ``NeedsUpgrade`` and the caller opens it once with ``Vault``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from profilekeeper.errors import (
    CorruptedRecord,
    KeyReplaced,
    NotFound,
    UnsupportedVault,
    VaultLocked,
    VaultMissing,
)
from profilekeeper.model_core import Profile
from profilekeeper.store import damage, migrations, occasion_dates, vault_file
from profilekeeper.store.codec import codec_for
from profilekeeper.store.crypto import (
    AesGcmCipher,
    KdfParams,
    unwrap_data_key,
    verify_key_check,
)

T = TypeVar("T")


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


class Records(list[T]):
    """Records that opened; the ones that failed authentication are in ``corrupted``."""

    def __init__(self) -> None:
        super().__init__()
        self.corrupted: list[CorruptedRecord] = []


class ReadOnlyVault:
    """A vault opened read-only. ``unlock`` or ``unlock_with_data_key`` before ``load``."""

    def __init__(self, path: StrPath) -> None:
        if not os.path.isfile(path):
            raise VaultMissing("no vault at that path; create one with `profilekeeper init`")
        self.path = path
        try:
            self._conn = _read_only_connection(path)
            vault_file.identify(self._conn)
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
        except damage.DamagedVault:
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
        self._cipher: AesGcmCipher | None = None

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
        self._cipher = AesGcmCipher(data_key)

    def unlock_with_data_key(self, data_key: bytes) -> None:
        """Unlock with a remembered key; WrongPassphrase if it is not this vault's key."""
        verify_key_check(data_key, self._key_check, self.vault_id)
        self._cipher = AesGcmCipher(data_key)

    @property
    def is_unlocked(self) -> bool:
        return self._cipher is not None

    @property
    def cipher(self) -> AesGcmCipher:
        """The data key's cipher, for the one write remind makes (store/reminder_marks.py)."""
        if self._cipher is None:
            raise VaultLocked("the vault is locked")
        return self._cipher

    @property
    def key_check(self) -> bytes:
        return self._key_check

    def list(self, cls: type[T], **where: str | None) -> Records[T]:
        """Records of ``cls`` whose ``id`` or references equal the values given (None: unset).

        The same call as ``Vault.list``, so the app's screens read from either store.
        """
        self._check_columns(cls, where)
        # ``IS`` compares like ``=`` and also matches NULL to None.
        condition = " AND ".join(f"{column} IS ?" for column in where)
        return self._records(cls, condition, list(where.values()))

    def get(self, cls: type[T], record_id: str) -> T:
        """One record, as ``Vault.get``: NotFound if absent, CorruptedRecord if damaged."""
        records = self.list(cls, id=record_id)
        if records:  # found, even if a damaged page hides others
            return records[0]
        if records.corrupted:
            raise records.corrupted[0]
        raise NotFound(f"no {codec_for(cls).table} record with that id")
        return records[0]

    def profile(self) -> Profile:
        try:
            return self.get(Profile, "me")
        except NotFound:
            return Profile()

    def load(self, cls: type[T], **any_of: Collection[str]) -> Records[T]:
        """Records of ``cls``; damaged ones are reported in ``.corrupted``, not raised.

        ``any_of`` narrows the rows to those whose ``id`` or reference column holds one of the
        given values (``load(Gift, person_id=ids, occasion_id=other_ids)``: either matches), so
        only what is needed gets decrypted.
        """
        self._check_columns(cls, any_of)
        # One JSON parameter per column: no limit on how many values are passed.
        condition = " OR ".join(
            f"{column} IN (SELECT value FROM json_each(?))" for column in any_of
        )
        return self._records(cls, condition, [json.dumps(sorted(v)) for v in any_of.values()])

    def occasion_dates(self) -> occasion_dates.DateIndex | None:
        """Every occasion's date from the sealed index; None when it is out of date or damaged
        (then read every occasion)."""
        if self._cipher is None:
            raise VaultLocked("the vault is locked")
        row = damage.first_row(self._conn, f"SELECT sealed FROM {occasion_dates.TABLE}")
        return occasion_dates.open_index(row[0] if row else None, self._cipher)

    @staticmethod
    def _check_columns(cls: type[Any], columns: Collection[str]) -> None:
        codec = codec_for(cls)
        if unknown := set(columns) - {"id", *codec.refs}:
            raise ValueError(f"cannot filter {codec.table} by {sorted(unknown)}")

    def _records(self, cls: type[T], condition: str, params: Sequence[Any]) -> Records[T]:
        if self._cipher is None:
            raise VaultLocked("the vault is locked")
        codec = codec_for(cls)
        # Table and column names come from the model classes, never from input.
        columns = ("id", *codec.refs, "sealed")
        rows = damage.select(self._conn, codec.table, columns, condition, params)
        records: Records[T] = Records()
        for row in rows:
            try:
                records.append(codec.from_row(row, self._cipher))
            except CorruptedRecord as error:
                records.corrupted.append(error)
        if any(type(c) is CorruptedRecord for c in records.corrupted):
            # Not corrupted, maybe: another program rotated the key after this one unlocked.
            now = damage.first_row(self._conn, "SELECT key_check FROM vault_header")
            if now is not None and now[0] != self._key_check:
                raise KeyReplaced()
        if rows.damage:
            records.corrupted.append(rows.damage)
        return records
