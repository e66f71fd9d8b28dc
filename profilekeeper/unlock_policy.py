"""Unlocking: one order, one set of messages and one passphrase rule for every front end.

Order: a passphrase given up front (``--passphrase-stdin``, ``PROFILEKEEPER_PASSPHRASE``), else
the key remembered on this device (asked only when the vault's header says some device
remembers it: a locked keyring may take seconds to say no), else the user, asked up to
``attempts`` times. With nobody to ask it is VaultLocked, saying how to supply a passphrase.

The front ends supply the edges as callbacks: how to recall the key (the full ``keyring``
lookup, or ``remind``'s fast D-Bus route), how to prompt (a terminal), how to warn (stderr).
The app unlocks in workers, so it uses the pieces (``unlock_with_remembered_key``, the
messages) rather than the loop.

``remind`` imports this module on its fast path, so it imports only ``errors``; the
``services`` package re-exports it as ``services.unlock`` (the package imports every use case,
which ``remind`` cannot afford).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from profilekeeper.errors import InvalidInput, VaultLocked, WrongPassphrase

PASSPHRASE_ENV = "PROFILEKEEPER_PASSPHRASE"
MIN_PASSPHRASE = 8
ATTEMPTS = 3
"""How many times a person at a terminal may type the passphrase before it gives up."""

STALE_KEY = "the key remembered in the keyring is out of date"
NOT_IN_KEYRING = "the key is not remembered in this keyring"
TRY_AGAIN = "wrong passphrase, try again"
NOBODY_TO_ASK = (
    "the vault is locked and there is no terminal to ask on: remember the key with "
    f"`profilekeeper keyring remember`, or use --passphrase-stdin or {PASSPHRASE_ENV}"
)
PASSPHRASE_NEEDED = (
    "the vault is locked and there is no terminal to ask on: use --passphrase-stdin "
    f"or set {PASSPHRASE_ENV}"
)
"""For what needs the passphrase itself (changing it, rotating the key): no keyring helps."""


class Lockable(Protocol):
    """Either store: the full ``Vault`` or the ``ReadOnlyVault`` of ``remind``."""

    def unlock(self, passphrase: str) -> None: ...
    def unlock_with_data_key(self, data_key: bytes) -> None: ...


def fallback(reason: str) -> str:
    """The warning when the remembered key cannot be used: why, and what happens instead."""
    return f"{reason}; using the passphrase instead"


def unlock_with_remembered_key(
    store: Lockable, recall: Callable[[], bytes | None]
) -> tuple[bytes | None, str]:
    """Unlock ``store`` with the key ``recall`` finds: (the key, "") when it worked, else
    (None, a warning saying plainly why not)."""
    # Here, not at the top: remind given a passphrase never needs it.
    from profilekeeper.store.keys import KeyringUnavailable

    try:
        key = recall()
    except KeyringUnavailable as error:
        return None, fallback(str(error))
    if key is None:
        return None, fallback(NOT_IN_KEYRING)
    try:
        store.unlock_with_data_key(key)
    except WrongPassphrase:
        return None, fallback(STALE_KEY)
    return key, ""


def unlock_store(
    store: Lockable,
    *,
    given: str | None,
    remembered: bool,
    recall: Callable[[], bytes | None],
    prompt: Callable[[], str] | None,
    warn: Callable[[str], None],
    attempts: int = ATTEMPTS,
) -> None:
    """Unlock ``store``: ``given``, else the remembered key (if ``remembered``), else ``prompt``.

    ``prompt`` is None when there is nobody to ask (no terminal): then VaultLocked. A wrong
    ``given`` passphrase, or the last of ``attempts`` wrong answers, raises WrongPassphrase.
    """
    if given is not None:
        store.unlock(given)
        return
    if remembered:
        key, why_not = unlock_with_remembered_key(store, recall)
        if key is not None:
            return
        warn(why_not)
    if prompt is None:
        raise VaultLocked(NOBODY_TO_ASK)
    for attempt in range(1, attempts + 1):
        try:
            store.unlock(prompt())
            return
        except WrongPassphrase:
            if attempt == attempts:
                raise
            warn(TRY_AGAIN)


def check_new_passphrase(new: str) -> str:
    """``new``, if it is long enough to become the vault's passphrase; else InvalidInput."""
    if len(new) < MIN_PASSPHRASE:
        raise InvalidInput(f"choose a passphrase of at least {MIN_PASSPHRASE} characters")
    return new


def passphrase_hint(passphrase: str) -> tuple[int, str]:
    """A rough strength score 0–4 and a plain hint; length matters most for passphrases."""
    if not passphrase:
        return 0, "Choose a passphrase: several words are easier to remember than symbols."
    if len(passphrase) < MIN_PASSPHRASE:
        return 0, f"Too short: use at least {MIN_PASSPHRASE} characters."
    kinds = sum(
        any(test(c) for c in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    words = len(passphrase.split())
    score = min(4, len(passphrase) // 8 + (kinds >= 3) + (words >= 3))
    hints = {
        1: "Weak: add another word or two.",
        2: "Fair: a longer phrase is stronger.",
        3: "Good.",
        4: "Strong.",
    }
    return score, hints.get(score, "Weak: add another word or two.")
