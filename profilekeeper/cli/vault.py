"""``init``, ``passwd``, ``rotate-key`` and ``keyring remember|forget|status``.

``passwd``, ``rotate-key`` and ``keyring remember`` change the key header only if nothing else
changed it since they read it; else they change nothing and exit with status 2 (KeyChanged,
store/key_header.py), saying to run them again.
"""

from __future__ import annotations

import argparse
from typing import Any

from profilekeeper.cli._unlock import (
    NEW_PASSPHRASE_ENV,
    ask_current,
    ask_new,
    open_unlocked,
    open_vault,
    warn,
)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "init",
        parents=[common],
        help="create a new vault",
        description="Create a new encrypted vault. The passphrase is asked twice at the "
        "terminal, or read from --passphrase-stdin / PROFILEKEEPER_PASSPHRASE.",
    )
    p.add_argument(
        "--remember",
        action="store_true",
        help="also keep the key in this device's keyring, so commands unlock without asking",
    )
    p.set_defaults(handler=init)

    p = sub.add_parser(
        "passwd",
        parents=[common],
        help="change the passphrase",
        description="Change the passphrase. With --passphrase-stdin, line 1 is the current "
        f"passphrase and line 2 the new one; or set PROFILEKEEPER_PASSPHRASE and "
        f"{NEW_PASSPHRASE_ENV}. Records are not re-encrypted (see rotate-key). If another "
        "passwd or rotate-key changes the key meanwhile, this one changes nothing and exits "
        "with status 2: run it again.",
    )
    p.set_defaults(handler=passwd)

    p = sub.add_parser(
        "rotate-key",
        parents=[common],
        help="re-encrypt every record under a new data key",
        description="Make a new data key and re-encrypt every record with it, in one "
        "transaction. Needs the passphrase; a remembered keyring copy is updated. If another "
        "passwd or rotate-key changes the key meanwhile, this one changes nothing and exits "
        "with status 2: run it again.",
    )
    p.set_defaults(handler=rotate_key)

    p = sub.add_parser("keyring", parents=[common], help="remember the key on this device, or not")
    ks = p.add_subparsers(dest="keyring_action", metavar="ACTION", required=True)
    ks.add_parser(
        "remember", parents=[common], help="keep the data key in the OS keyring"
    ).set_defaults(handler=keyring_remember)
    ks.add_parser(
        "forget", parents=[common], help="delete the keyring copy; ask for the passphrase again"
    ).set_defaults(handler=keyring_forget)
    ks.add_parser(
        "status", parents=[common], help="say whether the key is remembered here"
    ).set_defaults(handler=keyring_status)


def init(args: argparse.Namespace) -> int:
    from profilekeeper.services import create_vault
    from profilekeeper.store.paths import resolve_vault_path

    path = resolve_vault_path(args.vault)
    if path.exists():
        from profilekeeper.errors import VaultExists

        raise VaultExists(f"a vault already exists at {path}")
    passphrase = ask_new(args)
    try:
        vault = create_vault(path, passphrase)
    except OSError as error:  # a folder that cannot be made or written, a file in the way
        from profilekeeper.errors import InvalidInput

        raise InvalidInput(f"cannot create a vault at {path}: {error.strerror}") from None
    with vault:
        print(f"Created a vault at {path}")
        if args.remember:
            from profilekeeper.services import KeyringUnavailable

            try:
                _remember(vault)
            except KeyringUnavailable as error:
                warn(f"{error}: the key was not remembered; commands will ask for the passphrase")
    return 0


def passwd(args: argparse.Namespace) -> int:
    from profilekeeper.services import change_passphrase

    with open_vault(args) as vault:
        old = ask_current(args, "Current passphrase")
        vault.unlock(old)  # a wrong passphrase is said before the new one is asked
        new = ask_new(args, line=1, env=NEW_PASSPHRASE_ENV)
        change_passphrase(vault, old, new)
    print("Passphrase changed.")
    return 0


def rotate_key(args: argparse.Namespace) -> int:
    from profilekeeper.services import rotate_key as rotate

    with open_vault(args) as vault:
        done = rotate(vault, ask_current(args))
    print(f"Re-encrypted {done.records} records under a new data key.")
    if done.keyring_updated:
        print("Updated the key remembered in the keyring.")
    elif done.keyring_error is not None:
        warn(f"{done.keyring_error}: the keyring copy is now stale; "
             "commands will ask for the passphrase")
    return 0


def _remember(vault: Any) -> None:
    from profilekeeper.services import remember_key

    remember_key(vault)
    print("Remembered the key in this device's keyring: commands will unlock without asking.")


def keyring_remember(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        _remember(vault)
    return 0


def keyring_forget(args: argparse.Namespace) -> int:
    from profilekeeper.services import forget_key

    with open_vault(args) as vault:
        had = forget_key(vault)
    print("Forgot the key on this device." if had else "The key was not remembered on this device.")
    return 0


def keyring_status(args: argparse.Namespace) -> int:
    from profilekeeper.services import KeyringUnavailable, key_remembered

    with open_vault(args) as vault:
        try:
            stored = key_remembered(vault)
        except KeyringUnavailable as error:
            print(f"Not remembered: {error}.")
            return 0
    print("Remembered on this device." if stored else "Not remembered on this device.")
    return 0
