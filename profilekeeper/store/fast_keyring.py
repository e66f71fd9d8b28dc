"""Recalling the remembered data key cheaply, for ``profilekeeper remind``.

``import keyring`` plus its backend discovery costs ~0.23 s; asking the Secret Service through
``secretstorage`` directly costs ~0.06 s. The item is the one ``store.keys.remember`` writes
through keyring's SecretService backend, found by the attributes that backend sets:
``service`` = "profilekeeper" and ``username`` = the vault id. When that route fails (not
Linux, no D-Bus session, a locked collection, another backend chosen by
``PYTHON_KEYRING_BACKEND``) the full ``keyring`` lookup runs instead. Every failure means "not
remembered here", and ``recall`` says why in one plain sentence.
"""

from __future__ import annotations

import base64
import binascii
import os

from profilekeeper.store.keys import SERVICE, KeyringUnavailable


def _decode(stored: bytes | str) -> bytes | None:
    try:
        return base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):
        return None


def recall_via_secretstorage(vault_id: str) -> bytes | None:
    """The key from the Secret Service, or None if absent; raises if the service is unusable.

    Never prompts: a locked item raises instead, since ``remind`` runs unattended.
    """
    from contextlib import closing

    import secretstorage

    with closing(secretstorage.dbus_init()) as connection:
        items = secretstorage.search_items(
            connection, {"service": SERVICE, "username": vault_id}
        )
        for item in items:
            if item.is_locked():
                raise secretstorage.exceptions.LockedException("the keyring item is locked")
            return _decode(item.get_secret())
    return None


def _keyring_backend_forced() -> bool:
    chosen = os.environ.get("PYTHON_KEYRING_BACKEND", "")
    return bool(chosen) and "SecretService" not in chosen


def recall(vault_id: str) -> bytes | None:
    """The remembered data key; None when not remembered; KeyringUnavailable when unusable."""
    if not _keyring_backend_forced():
        try:
            if (found := recall_via_secretstorage(vault_id)) is not None:
                return found
        except Exception:  # noqa: BLE001 - any failure here just means "try keyring itself"
            pass
    from profilekeeper.store import keys

    return keys.recall(vault_id)


__all__ = ["KeyringUnavailable", "recall", "recall_via_secretstorage"]
