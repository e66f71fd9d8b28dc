"""Getting a passphrase and an unlocked vault, the same way for every command.

Order: ``--passphrase-stdin``, then ``PROFILEKEEPER_PASSPHRASE``, then a key remembered in the
OS keyring, then an interactive prompt. With none of these (a script, cron) the command fails
with exit status 3 and says how to supply one.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from profilekeeper.errors import InvalidInput, VaultLocked, WrongPassphrase

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

PASSPHRASE_ENV = "PROFILEKEEPER_PASSPHRASE"
NEW_PASSPHRASE_ENV = "PROFILEKEEPER_NEW_PASSPHRASE"
MIN_PASSPHRASE = 8


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
    if (given := current_passphrase(args)) is not None:
        return given
    if not _interactive():
        raise VaultLocked(
            "the vault is locked and there is no terminal to ask on: use --passphrase-stdin "
            f"or set {PASSPHRASE_ENV}"
        )
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
    if len(new) < MIN_PASSPHRASE:
        raise InvalidInput(f"choose a passphrase of at least {MIN_PASSPHRASE} characters")
    return new


def open_vault(args: argparse.Namespace) -> Vault:
    from profilekeeper.store.paths import resolve_vault_path
    from profilekeeper.store.vault import Vault

    return Vault.open(resolve_vault_path(args.vault))


def unlock_from_keyring(vault: Vault) -> bool:
    """Try the remembered key; say plainly why not when it cannot be used."""
    if not vault.header.remembered:
        return False
    from profilekeeper.store import keys

    try:
        data_key = keys.recall(vault.vault_id)
    except keys.KeyringUnavailable as error:
        warn(f"{error}; using the passphrase instead")
        return False
    if data_key is None:
        return False
    try:
        vault.unlock_with_data_key(data_key)
    except WrongPassphrase:
        warn("the key remembered in the keyring is out of date; using the passphrase instead")
        return False
    return True


def open_unlocked(args: argparse.Namespace) -> Vault:
    """Open the vault and unlock it (keyring, passphrase), or raise VaultLocked/WrongPassphrase."""
    vault = open_vault(args)
    try:
        given = current_passphrase(args)
        if given is not None:
            vault.unlock(given)
        elif not unlock_from_keyring(vault):
            _unlock_interactively(vault, args)
        return vault
    except BaseException:
        vault.close()
        raise


def _unlock_interactively(vault: Vault, args: argparse.Namespace) -> None:
    attempts = 3 if _interactive() else 1
    for attempt in range(attempts):
        try:
            vault.unlock(ask_current(args))
            return
        except WrongPassphrase:
            if attempt == attempts - 1:
                raise
            warn("wrong passphrase, try again")
