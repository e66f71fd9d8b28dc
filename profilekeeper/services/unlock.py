"""Unlocking and passphrases: one order, one set of messages, one length rule for every front end.

The policy itself lives in ``profilekeeper.unlock_policy``, a plain module outside this package:
``remind`` uses it on its fast path, and importing ``profilekeeper.services`` imports every use
case (SQLAlchemy among them). Everyone else takes it from here.
"""

from __future__ import annotations

from profilekeeper.unlock_policy import (
    ATTEMPTS,
    MIN_PASSPHRASE,
    NOBODY_TO_ASK,
    TRY_AGAIN,
    Lockable,
    check_new_passphrase,
    passphrase_hint,
    unlock_store,
    unlock_with_remembered_key,
)

__all__ = [
    "ATTEMPTS",
    "MIN_PASSPHRASE",
    "NOBODY_TO_ASK",
    "TRY_AGAIN",
    "Lockable",
    "check_new_passphrase",
    "passphrase_hint",
    "unlock_store",
    "unlock_with_remembered_key",
]
