"""Recalling the remembered data key cheaply, for ``profilekeeper remind``.

``import keyring`` plus its backend discovery costs ~0.23 s, and ``secretstorage`` ~0.06 s
(most of it importing ``cryptography``'s OpenSSL backend and a 1024-bit Diffie-Hellman exchange
in pure Python). This module asks the Secret Service over D-Bus with ``jeepney`` (which
secretstorage itself uses) in three calls: OpenSession, SearchItems, GetSecrets.

It finds the item ``store.keys.remember`` wrote through keyring's SecretService backend by the
attributes that backend sets: ``service`` = "profilekeeper", ``username`` = the vault id.

The session uses the spec's ``plain`` algorithm: the secret crosses the user's own session-bus
socket unencrypted. Whoever can watch that bus runs as this user and could ask the Secret
Service for the item directly, so the transport encryption would not stop them.

When this route fails (no D-Bus session, no Secret Service, a locked item, another backend
chosen by ``PYTHON_KEYRING_BACKEND``, not Linux) the full ``keyring`` lookup runs instead.
Every failure means "not remembered here", and ``recall`` says why in one plain sentence.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from profilekeeper.store.keys import SERVICE, KeyringUnavailable

_BUS_NAME = "org.freedesktop.secrets"
_TIMEOUT = 5.0


class _Locked(Exception):
    """The item exists but is locked; unlocking needs a prompt, which keyring may show."""


def recall_via_secret_service(vault_id: str) -> bytes | None:
    """The key from the Secret Service, or None if absent; raises if the service is unusable.

    Never prompts: a locked item raises, and the caller falls back to ``keyring``.
    """
    from jeepney import DBusAddress, new_method_call  # type: ignore[import-untyped]
    from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]
    from jeepney.wrappers import unwrap_msg  # type: ignore[import-untyped]

    service = DBusAddress(
        "/org/freedesktop/secrets", bus_name=_BUS_NAME, interface="org.freedesktop.Secret.Service"
    )
    with open_dbus_connection(bus="SESSION") as conn:

        def call(method: str, signature: str, *body: object) -> Any:
            message = new_method_call(service, method, signature, body)
            return unwrap_msg(conn.send_and_get_reply(message, timeout=_TIMEOUT))

        _, session = call("OpenSession", "sv", "plain", ("s", ""))
        unlocked, locked = call("SearchItems", "a{ss}", {"service": SERVICE, "username": vault_id})
        if not unlocked:
            if locked:
                raise _Locked()
            return None
        (secrets,) = call("GetSecrets", "aoo", list(unlocked)[:1], session)
        _session, _params, value, _content_type = secrets[unlocked[0]]
    return _decode(bytes(value))


def _decode(stored: bytes) -> bytes | None:
    try:
        return base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):
        return None


def _keyring_backend_forced() -> bool:
    chosen = os.environ.get("PYTHON_KEYRING_BACKEND", "")
    return bool(chosen) and "SecretService" not in chosen


def recall(vault_id: str) -> bytes | None:
    """The remembered data key; None when not remembered; KeyringUnavailable when unusable."""
    if not _keyring_backend_forced():
        try:
            if (found := recall_via_secret_service(vault_id)) is not None:
                return found
        except Exception:  # noqa: BLE001 - any failure here just means "try keyring itself"
            pass
    from profilekeeper.store import keys

    return keys.recall(vault_id)


__all__ = ["KeyringUnavailable", "recall", "recall_via_secret_service"]
