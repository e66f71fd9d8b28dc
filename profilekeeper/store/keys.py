"""Keeping a copy of the data key in the OS keyring ("remember on this device").

Every way the keyring can be unusable — no backend at all (``NoKeyringError``), a locked
collection with no display to prompt on (``KeyringLocked``, ``InitError``), a D-Bus error —
becomes ``KeyringUnavailable`` with a plain sentence, and callers fall back to the passphrase.
``keyring`` is imported only here and only when needed: discovering its backend costs ~0.2 s.
"""

from __future__ import annotations

import base64
import binascii

from profilekeeper.errors import ProfileKeeperError

SERVICE = "profilekeeper"


class KeyringUnavailable(ProfileKeeperError):
    exit_code = 3


def _explain(error: Exception) -> str:
    import keyring.errors as ke

    if isinstance(error, ke.NoKeyringError):
        return "no system keyring is available on this machine"
    if isinstance(error, ke.KeyringLocked):
        return "the system keyring is locked"
    if isinstance(error, ke.InitError):
        return "the system keyring could not be opened"
    return "the system keyring did not answer"


def _keyring_errors() -> tuple[type[Exception], ...]:
    import keyring.errors as ke

    # secretstorage/jeepney raise their own errors (no D-Bus session, prompt dismissed) that the
    # keyring backend does not always wrap; they too mean "use the passphrase".
    extra: list[type[Exception]] = []
    try:
        import secretstorage.exceptions as se

        extra.append(se.SecretServiceNotAvailableException)
        extra.append(se.SecretStorageException)
    except ImportError:  # pragma: no cover - not on Linux
        pass
    return (ke.KeyringError, RuntimeError, OSError, *extra)


def remember(vault_id: str, data_key: bytes) -> None:
    import keyring

    try:
        keyring.set_password(SERVICE, vault_id, base64.b64encode(data_key).decode())
    except _keyring_errors() as error:
        raise KeyringUnavailable(_explain(error)) from None


def recall(vault_id: str) -> bytes | None:
    """The remembered data key, or None when there is none; KeyringUnavailable if unusable."""
    import keyring

    try:
        stored = keyring.get_password(SERVICE, vault_id)
    except _keyring_errors() as error:
        raise KeyringUnavailable(_explain(error)) from None
    if stored is None:
        return None
    try:
        return base64.b64decode(stored, validate=True)
    except binascii.Error:
        return None


def forget(vault_id: str) -> bool:
    """Delete the remembered key; False when there was none."""
    import keyring
    import keyring.errors as ke

    try:
        keyring.delete_password(SERVICE, vault_id)
    except ke.PasswordDeleteError:
        return False
    except _keyring_errors() as error:
        raise KeyringUnavailable(_explain(error)) from None
    return True


# -- shop tokens ---------------------------------------------------------------------------
# A linked shop's bearer token, beside the data key under the same service name. The entry's
# name says which vault and shop it belongs to (a vault id alone names the data key's entry,
# which fast_keyring finds by that exact name).


def _token_entry(vault_id: str, retailer_id: str) -> str:
    return f"{vault_id}/shop/{retailer_id}"


def remember_token(vault_id: str, retailer_id: str, token: str) -> None:
    import keyring

    try:
        keyring.set_password(SERVICE, _token_entry(vault_id, retailer_id), token)
    except _keyring_errors() as error:
        raise KeyringUnavailable(_explain(error)) from None


def recall_token(vault_id: str, retailer_id: str) -> str | None:
    """The shop's token, or None when there is none; KeyringUnavailable if unusable."""
    import keyring

    try:
        return keyring.get_password(SERVICE, _token_entry(vault_id, retailer_id))
    except _keyring_errors() as error:
        raise KeyringUnavailable(_explain(error)) from None


def forget_token(vault_id: str, retailer_id: str) -> bool:
    """Delete the shop's token; False when there was none."""
    import keyring
    import keyring.errors as ke

    try:
        keyring.delete_password(SERVICE, _token_entry(vault_id, retailer_id))
    except ke.PasswordDeleteError:
        return False
    except _keyring_errors() as error:
        raise KeyringUnavailable(_explain(error)) from None
    return True
