"""The vault: one SQLite file holding the encrypted profile.

    vault = Vault.open(path)          # locked: the schema is readable, no record is
    vault.unlock(passphrase)          # or vault.unlock_with_data_key(key_from_keyring)
    vault.add(Person(name="Sam"))
    for person in vault.list(Person): ...

This module opens and creates the file and holds its key: unlocking, passphrase change, key
rotation, the keyring flag. Reading and writing records is ``RecordStore``'s
(store/record_io.py); the product's rules about them are services/'.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from profilekeeper.errors import InvalidInput, KeyReplaced, UnsupportedVault
from profilekeeper.model import Profile
from profilekeeper.store import damage, key_header, migrations, vault_file
from profilekeeper.store.crypto import (
    AesGcmCipher,
    KdfParams,
    make_key_check,
    new_data_key,
    verify_key_check,
    wrap_data_key,
)
from profilekeeper.store.key_header import Header
from profilekeeper.store.record_io import CipherFactory, RecordStore
from profilekeeper.store.transactions import Database


class Vault(RecordStore):
    """An open vault file. Not unlocked until ``unlock`` or ``unlock_with_data_key`` succeeds."""

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
        cipher_factory: CipherFactory = AesGcmCipher,
    ) -> Vault:
        """Make a new, unlocked vault at ``path`` (created 0600); VaultExists if one is there."""
        if not passphrase:
            raise InvalidInput("the passphrase must not be empty")
        kdf = kdf or KdfParams()
        data_key = new_data_key()

        def build(tmp: Path) -> None:  # in a file beside ``path``, linked there once whole
            import uuid  # here: opening a vault need not pay for it

            db = Database(tmp)
            try:
                _migrate(db)
                vault_id = uuid.uuid4().hex
                with db.transaction(write=True) as conn:
                    conn.execute(f"PRAGMA application_id = {vault_file.APPLICATION_ID}")
                    key_header.insert(conn, Header(
                        vault_id=vault_id, created=int(time.time()), kdf=kdf,
                        wrapped_key=wrap_data_key(data_key, passphrase, kdf, vault_id),
                        key_check=make_key_check(data_key, vault_id), key_generation=1,
                        remembered=False))  # fmt: skip
                vault = cls(tmp, db, cipher_factory)
                vault._set_key(data_key)
                vault.save(Profile())
                vault.checkpoint()  # everything in the file itself: its -wal is not linked
            finally:
                db.close()

        vault_file.create_atomically(path, build)
        vault = cls.open(path, cipher_factory=cipher_factory)
        vault._set_key(data_key)
        return vault

    @classmethod
    def open(cls, path: Path, *, cipher_factory: CipherFactory = AesGcmCipher) -> Vault:
        """Open an existing vault, upgrading its schema if it is older; it stays locked.

        A file that is not a vault is refused before anything is written to it.
        """
        vault_file.require_vault(path)
        db = Database(path)
        try:
            _migrate(db)
            return cls(path, db, cipher_factory)
        except sqlite3.DatabaseError as error:
            db.close()
            if damage.is_damage(error):  # it is a vault (see require_vault): a damaged one
                raise damage.DamagedVault("its header or schema cannot be read") from None
            if isinstance(error, sqlite3.OperationalError):  # busy, read-only, cannot open
                raise
            raise UnsupportedVault(vault_file.NOT_A_VAULT) from None
        except BaseException:
            db.close()
            raise

    def unlock(self, passphrase: str) -> None:
        header = key_header.read_now(self._db)  # as it is now, if another program rotated
        self._set_key(key_header.unwrap(header, passphrase), header)

    def unlock_with_data_key(self, data_key: bytes) -> None:
        """Unlock with a remembered data key; WrongPassphrase if it is not this vault's key."""
        header = key_header.read_now(self._db)
        verify_key_check(data_key, header.key_check, header.vault_id)
        self._set_key(data_key, header)

    def close(self) -> None:
        self.lock()
        self._db.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def vault_id(self) -> str:
        return self.header.vault_id

    # -- keys (the header's own rules: store/key_header.py) ---------------------------------

    def _header_now(self) -> Header:
        """The header a key change starts from: as it is now (another program may have changed
        the passphrase), but KeyChanged if it no longer names the key this object holds."""
        header = key_header.read_now(self._db)
        if self._cipher is not None and header.key_check != self.header.key_check:
            raise KeyReplaced(key_header.KEY_REPLACED)
        return header

    def verify_passphrase(self, passphrase: str) -> None:
        """Raise WrongPassphrase unless ``passphrase`` unwraps this vault's data key."""
        key_header.unwrap(self.header, passphrase)

    def change_passphrase(self, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
        """Re-wrap the data key under ``new``; records are untouched, keyring copies stay valid.
        KeyChanged, and nothing changed, if another passwd or rotate-key came first."""
        if not new:
            raise InvalidInput("the new passphrase must not be empty")
        self.header = key_header.change_passphrase(
            self._db, self._header_now(), old, new, kdf or KdfParams()
        )

    def rotate_key(
        self, passphrase: str, *, progress: Callable[[int, int], None] | None = None
    ) -> bytes:
        """Re-encrypt every record under a new data key in one transaction; return the new key.

        Raises CorruptedRecord (and changes nothing) if any record fails to open, KeyChanged if
        another passwd or rotate-key came first. A keyring copy of the old key no longer works
        afterwards: the caller should remember the new one.
        """
        rotation = key_header.Rotation(self._header_now(), passphrase, KdfParams(), self.cipher,
                                       self._cipher_factory)  # fmt: skip
        # The write lock before the first read: no writer can add a row under the old key
        # between reading the records and replacing the header.
        with self._begin(rotation.new_cipher, write=True, check_key=False) as conn:
            header = rotation.run(conn, self._fetch, progress)
        self._set_key(rotation.new_key, header)
        self.checkpoint()
        return rotation.new_key

    def set_remembered(self, remembered: bool) -> None:
        """Record whether a keyring copy exists, so commands skip the keyring when there is none
        (KeyChanged if ``remembered`` and the key this object holds is no longer the vault's)."""
        self.header = key_header.set_remembered(self._db, self.header, remembered)


def _migrate(db: Database) -> None:
    with db.connection() as conn:
        migrations.migrate(conn)
