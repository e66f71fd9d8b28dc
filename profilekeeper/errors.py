"""Errors raised by the vault and the domain, each with the CLI exit status it maps to.

Messages never carry personal data: they name the kind of record and, at most, its id.
Every ProfileKeeperError subclass in the package is in this tree, with its exit status; the
ones defined in another module name it (tests/test_errors_tree.py keeps the tree true).

    ProfileKeeperError      (70) raised bare, it is a bug: every real error is a subclass below
    ├── InvalidInput         (2) a value the user gave cannot be used
    │   └── Refused          (2) one field's value cannot be used, or does not parse (validation.py)
    ├── Conflict             (2) e.g. a person with that name exists already
    │   ├── KeyChanged       (2) another program changed the key header meanwhile: run again
    │   │   └── KeyReplaced  (2) this program's key was replaced: unlock again
    │   ├── VaultBusy        (2) another program kept the vault locked for writing too long
    │   └── TermsRefused     (2) a shop's terms fall below the owner's minimum (services/shops.py)
    ├── NotFound             (4) no record matches
    ├── KeyringUnavailable   (3) no usable system keyring (store/keys.py)
    ├── ShopError           (69) a request to a shop failed; .outcome (sync/shop_errors.py)
    │   ├── ShopUnreachable (69) no connection, TLS not trusted, timeout (sync/shop_errors.py)
    │   ├── ShopRefused     (69) an error status, a redirect not followed (sync/shop_errors.py)
    │   │   ├── TermsNotMet (69) its terms fall below the shopper's (sync/shop_errors.py)
    │   │   └── LinkGone    (69) 404/410 on a link route (sync/shop_errors.py)
    │   ├── InvalidAnswer   (76) not JSON, not the protocol's shape (sync/shop_errors.py)
    │   └── AnswerTooLarge  (76) over the client's size cap (sync/shop_errors.py)
    └── VaultError          (70) likewise
        ├── VaultMissing     (4) no vault at the path
        ├── VaultExists      (2) init over an existing vault
        ├── VaultLocked      (3) no key available (no passphrase, no keyring copy)
        │   └── WrongPassphrase (3)
        ├── UnsupportedVault (2) written by a newer profilekeeper, or not a vault at all
        │   └── NeedsUpgrade (2) an older schema: open it read-write (store/readonly.py)
        ├── VaultReadOnly    (2) the file or its folder cannot be written (store/vault_file.py)
        ├── DamagedVault     (5) the pages needed to open it cannot be read (store/damage.py)
        │   └── KeyTableChanged (5) the key check names another key (store/damage.py)
        ├── DamagedBackup    (5) a backup cut short, changed or extended (store/backup.py)
        └── CorruptedRecord  (5) a record failed authentication
            ├── DamagedRecord (5) authentic, but holds a value no reader can use
            └── DamagedTable (5) some of a table's pages cannot be read (store/damage.py)
"""

from __future__ import annotations

__all__ = [
    "INTERNAL_ERROR",
    "Conflict",
    "CorruptedRecord",
    "DamagedRecord",
    "InvalidInput",
    "KeyChanged",
    "KeyReplaced",
    "NotFound",
    "ProfileKeeperError",
    "UnsupportedVault",
    "VaultBusy",
    "VaultError",
    "VaultExists",
    "VaultLocked",
    "VaultMissing",
    "WrongPassphrase",
]

INTERNAL_ERROR = 70
"""The exit status of an unexpected exception (EX_SOFTWARE in sysexits.h). Not 1: that is
``remind``'s "something is due" (and ``retailer check``'s "a rule failed"), so a script that
buys presents on 1 must never see it for a crash."""


class ProfileKeeperError(Exception):
    exit_code = INTERNAL_ERROR


class InvalidInput(ProfileKeeperError):
    exit_code = 2


class Conflict(ProfileKeeperError):
    exit_code = 2


class KeyChanged(Conflict):
    """The key header changed under a command (another passwd or rotate-key): it changed
    nothing, and running it again works on the new header."""


class VaultBusy(Conflict):
    """Another program held the vault's write lock for longer than a writer waits (the
    store's busy timeout): nothing was changed, and running it again works once it is done."""

    def __init__(self) -> None:
        super().__init__("the vault is busy: another program kept it locked for writing too "
                         "long; nothing was changed: run it again")


class KeyReplaced(KeyChanged):
    """Another program rotated the data key after this one unlocked: what it holds opens
    nothing any more. It wrote nothing; unlocking again gets the new key."""

    def __init__(self, message: str = "the vault's key was changed by another program "
                 "(rotate-key?): unlock the vault again") -> None:  # fmt: skip
        super().__init__(message)


class NotFound(ProfileKeeperError):
    exit_code = 4


class VaultError(ProfileKeeperError):
    exit_code = INTERNAL_ERROR


class VaultMissing(VaultError):
    exit_code = 4


class VaultExists(VaultError):
    exit_code = 2


class VaultLocked(VaultError):
    exit_code = 3


class WrongPassphrase(VaultLocked):
    exit_code = 3


class UnsupportedVault(VaultError):
    exit_code = 2


class CorruptedRecord(VaultError):
    """A stored record failed authentication: flipped bytes, or a ciphertext moved between rows."""

    exit_code = 5
    why = "is corrupted (it failed authentication)"

    def __init__(self, table: str, record_id: str) -> None:
        super().__init__(f"record {table}/{record_id} {self.why}")
        self.table = table
        self.record_id = record_id


class DamagedRecord(CorruptedRecord):
    """A record that opened but holds a value this version cannot use (a month 13, a name that
    is not text): written by an older release or by hand. Readers report it like a corrupted
    one and show the rest; see profilekeeper/validation.py."""

    why = "holds a value this version cannot use"
    field = ""
    """The field at fault, for debugging (the message names none)."""
