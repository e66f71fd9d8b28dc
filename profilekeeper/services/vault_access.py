"""The vault as a whole: open or create it, remember its key on this device or forget it,
change the passphrase, rotate the data key. The CLI's ``init``, ``passwd``, ``rotate-key`` and
``keyring`` commands and the app's start and Settings are the same use cases.

A ``keystore`` is where a data key may be remembered: the OS keyring (``store.keys``) unless a
caller passes a stand-in (the app's tests do).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from profilekeeper.store.keys import KeyringUnavailable

if TYPE_CHECKING:
    from pathlib import Path

    from profilekeeper.store.crypto import KdfParams
    from profilekeeper.store.vault import Vault

__all__ = [
    "KeyStore",
    "KeyringUnavailable",
    "Rotation",
    "change_passphrase",
    "create_vault",
    "forget_key",
    "key_remembered",
    "open_vault",
    "recall_key",
    "remember_key",
    "rotate_key",
]


class KeyStore(Protocol):
    """Where a data key may be remembered: ``profilekeeper.store.keys`` or a stand-in."""

    def remember(self, vault_id: str, data_key: bytes) -> None: ...
    def recall(self, vault_id: str) -> bytes | None: ...
    def forget(self, vault_id: str) -> bool: ...


def keystore_of(keystore: KeyStore | None) -> KeyStore:
    """``keystore``, or the system keyring (``store.keys``) when none is given."""
    if keystore is not None:
        return keystore
    from profilekeeper.store import keys

    return keys


def open_vault(path: Path) -> Vault:
    """Open the vault file (locked); a file that is not a vault is refused untouched."""
    from profilekeeper.store.vault import Vault

    return Vault.open(path)


def create_vault(path: Path, passphrase: str) -> Vault:
    """Make a new vault, unlocked. ``OSError`` when the folder cannot be made or written."""
    from profilekeeper.store.vault import Vault

    return Vault.create(path, passphrase)


def recall_key(vault: Vault, keystore: KeyStore | None = None) -> bytes | None:
    """The data key remembered on this device, if any; ``KeyringUnavailable`` without a keyring.

    The system keyring is asked the quick way first (D-Bus straight to the Secret Service, as
    ``remind`` does): importing ``keyring`` and finding its backend costs every command ~0.1 s.
    """
    if keystore is None:
        from profilekeeper.store import fast_keyring

        return fast_keyring.recall(vault.vault_id)
    return keystore.recall(vault.vault_id)


def key_remembered(vault: Vault, keystore: KeyStore | None = None) -> bool:
    """Whether this device's keyring holds a key for the vault (``KeyringUnavailable``)."""
    return recall_key(vault, keystore) is not None


def remember_key(vault: Vault, keystore: KeyStore | None = None) -> None:
    """Keep the (unlocked) vault's data key in the keyring, and note in the vault that it is
    there; ``KeyringUnavailable`` leaves the vault's note as it was."""
    keystore_of(keystore).remember(vault.vault_id, vault.data_key)
    vault.set_remembered(True)


def refresh_remembered(vault_id: str, data_key: bytes,
                       keystore: KeyStore | None = None) -> tuple[bool, bytes | None]:  # fmt: skip
    """Before ``data_key`` becomes the vault's again (a restore): whether this device remembers
    the vault's key, and, when its copy was of another key (rotated since) and is now replaced
    by ``data_key``, that other key (for ``put_back_remembered``); else None."""
    try:
        copy = keystore_of(keystore).recall(vault_id)
        if copy is None or copy == data_key:
            return copy is not None, None
        keystore_of(keystore).remember(vault_id, data_key)
    except KeyringUnavailable:  # no keyring here, or it would not take the new copy
        return False, None
    return True, copy


def put_back_remembered(vault_id: str, data_key: bytes, keystore: KeyStore | None = None) -> None:
    """Undo ``refresh_remembered`` (the restore failed): the copy it replaced goes back."""
    with contextlib.suppress(KeyringUnavailable):
        keystore_of(keystore).remember(vault_id, data_key)


def forget_key(vault: Vault, keystore: KeyStore | None = None) -> bool:
    """Delete the keyring copy; whether there was one. The vault's note is cleared even when the
    keyring fails, so commands ask for the passphrase rather than trust a copy."""
    try:
        return keystore_of(keystore).forget(vault.vault_id)
    finally:
        vault.set_remembered(False)


def change_passphrase(vault: Vault, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
    """Wrap the data key under ``new`` (``WrongPassphrase`` if ``old`` does not open it);
    records and keyring copies stay valid. The passphrase rules are checked by the caller's
    ``check_new_passphrase`` as it is typed."""
    vault.change_passphrase(old, new, kdf=kdf)


@dataclass(frozen=True)
class Rotation:
    """What a key rotation did: records re-encrypted, and the keyring copy's fate."""

    records: int
    keyring_updated: bool
    """The new key replaced a remembered one (False when none was remembered)."""
    keyring_error: KeyringUnavailable | None = None
    """The remembered copy could not be replaced: it is stale and the vault no longer says it
    is remembered."""


def rotate_key(
    vault: Vault,
    passphrase: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    keystore: KeyStore | None = None,
) -> Rotation:
    """Re-encrypt every record under a new data key, then refresh the keyring copy if the key
    was remembered: the old key in the keyring no longer opens anything."""
    if not vault.is_unlocked:  # the app's is; the CLI's was just opened
        vault.unlock(passphrase)
    total = 0

    def counted(done: int, of: int) -> None:
        nonlocal total
        total = of
        if progress is not None:
            progress(done, of)

    new_key = vault.rotate_key(passphrase, progress=counted)
    if not vault.header.remembered:
        return Rotation(total, keyring_updated=False)
    try:
        keystore_of(keystore).remember(vault.vault_id, new_key)
    except KeyringUnavailable as error:
        vault.set_remembered(False)
        return Rotation(total, keyring_updated=False, keyring_error=error)
    return Rotation(total, keyring_updated=True)
