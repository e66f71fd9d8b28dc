"""Getting a passphrase and an unlocked vault, the same way for every command.

Order (``profilekeeper.unlock_policy`` decides it, and what is said on the way):
``--passphrase-stdin``, then ``PROFILEKEEPER_PASSPHRASE``, then a key remembered in the OS
keyring, then an interactive prompt. With none of these (a script, cron) the command fails
with exit status 3 and says how to supply one. This module supplies the terminal's edges.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from profilekeeper.errors import InvalidInput, VaultLocked
from profilekeeper.unlock_policy import (
    PASSPHRASE_ENV,
    PASSPHRASE_NEEDED,
    Lockable,
    check_new_passphrase,
    unlock_store,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from profilekeeper.store.vault import Vault

NEW_PASSPHRASE_ENV = "PROFILEKEEPER_NEW_PASSPHRASE"


def warn(message: str) -> None:
    print(f"profilekeeper: {message}", file=sys.stderr)


def _text(passphrase: str, where: str) -> str:
    """``passphrase``, if it is valid text: bytes that are not UTF-8 reach Python as lone
    surrogates, and no key can be derived from those."""
    if not passphrase.isascii():
        try:
            passphrase.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(f"the passphrase {where} is not valid UTF-8 text") from None
    return passphrase


def stdin_line(args: argparse.Namespace, index: int) -> str:
    """Line ``index`` of standard input (read once, so several passphrases can be piped)."""
    lines: list[str] | None = getattr(args, "_stdin_lines", None)
    if lines is None:
        try:
            text = sys.stdin.read() if sys.stdin is not None else ""  # None: closed (<&-)
            lines = args._stdin_lines = text.splitlines()
        except UnicodeDecodeError:
            raise InvalidInput("standard input is not valid UTF-8 text") from None
    if index >= len(lines) or not lines[index]:
        raise InvalidInput(f"expected a passphrase on line {index + 1} of standard input")
    return _text(lines[index], f"on line {index + 1} of standard input")


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _prompt(label: str) -> str:
    try:
        import getpass  # here: remind at login unlocks from the keyring and never asks

        return _text(getpass.getpass(f"{label}: "), "typed")
    except EOFError:
        raise VaultLocked("no passphrase was entered") from None
    except UnicodeDecodeError:
        raise InvalidInput("the passphrase typed is not valid UTF-8 text") from None


def current_passphrase(args: argparse.Namespace, *, line: int = 0) -> str | None:
    """The passphrase given by flag or environment, or None if neither was used."""
    if args.passphrase_stdin:
        return stdin_line(args, line)
    given = os.environ.get(PASSPHRASE_ENV) or None
    return given and _text(given, f"in {PASSPHRASE_ENV}")


def ask_current(args: argparse.Namespace, label: str = "Passphrase") -> str:
    """The passphrase itself (to change it, or rotate the key): given, else asked."""
    if (given := current_passphrase(args)) is not None:
        return given
    if not _interactive():
        raise VaultLocked(PASSPHRASE_NEEDED)
    return _prompt(label)


def ask_new(args: argparse.Namespace, *, line: int = 0, env: str = PASSPHRASE_ENV) -> str:
    """A new passphrase: from stdin line ``line``, ``env``, or asked twice at the terminal."""
    if args.passphrase_stdin:
        new = stdin_line(args, line)
    elif os.environ.get(env):
        new = _text(os.environ[env], f"in {env}")
    elif _interactive():
        new = _prompt("New passphrase")
        if _prompt("Repeat the new passphrase") != new:
            raise InvalidInput("the two passphrases differ")
    else:
        raise InvalidInput(f"no new passphrase given: use --passphrase-stdin or set {env}")
    return check_new_passphrase(new)


def open_vault(args: argparse.Namespace) -> Vault:
    from profilekeeper.services import open_vault as open_file
    from profilekeeper.store.paths import resolve_vault_path

    return open_file(resolve_vault_path(args.vault))


def unlock(
    store: Lockable,
    args: argparse.Namespace,
    *,
    remembered: bool,
    recall: Callable[[], bytes | None],
) -> None:
    """Unlock either store by the policy, with this terminal (if any) to ask on."""
    unlock_store(
        store,
        given=current_passphrase(args),
        remembered=remembered,
        recall=recall,
        prompt=(lambda: _prompt("Passphrase")) if _interactive() else None,
        warn=warn,
    )


def open_unlocked(args: argparse.Namespace) -> Vault:
    """Open the vault and unlock it (passphrase, keyring, prompt), or raise VaultLocked or
    WrongPassphrase."""
    from profilekeeper.services import recall_key

    vault = open_vault(args)
    try:
        unlock(vault, args, remembered=vault.header.remembered,
               recall=lambda: recall_key(vault))
        return vault
    except BaseException:
        vault.close()
        raise
