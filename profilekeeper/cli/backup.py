"""``backup FILE`` (one encrypted file) and ``restore FILE`` (whole, or not at all)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from profilekeeper.cli._unlock import open_unlocked, unlock


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "backup",
        parents=[common],
        help="write an encrypted backup of the whole vault to FILE",
        description="Write the whole vault, encrypted and authenticated, to FILE (mode 0600; "
        "an existing file is replaced only once the new one is complete). It opens with the "
        "vault's passphrase as it is now, on any machine: keep that passphrase (a later "
        "passwd does not change the backup's).",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=backup)

    p = sub.add_parser(
        "restore",
        parents=[common],
        help="restore the vault from an encrypted backup",
        description="Restore the vault from a backup made with `profilekeeper backup`. It "
        "needs the passphrase the vault had when the backup was made (or the key remembered "
        "in this device's keyring; on another machine, the passphrase). Every part of the "
        "backup is checked before anything changes: a damaged, cut short or foreign file is "
        "refused and the current vault stays as it is.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--replace",
        action="store_true",
        help="restore over an existing vault, which is kept beside it as VAULT.before-restore",
    )
    p.set_defaults(handler=restore)


def backup(args: argparse.Namespace) -> int:
    from profilekeeper.services import check_export_path, make_backup

    check_export_path(args.file)  # before the passphrase is asked
    with open_unlocked(args) as vault:
        size = make_backup(vault, args.file, progress=_progress("Backing up"))
    print(f"Backed up the vault to {args.file} ({_size(size)}, encrypted).")
    return 0


def restore(args: argparse.Namespace) -> int:
    from profilekeeper.errors import VaultExists
    from profilekeeper.services import read_backup, recall_backup_key, restore_backup
    from profilekeeper.services.backup import exists_message
    from profilekeeper.store.paths import resolve_vault_path

    target = resolve_vault_path(args.vault)
    found = read_backup(args.file)  # a foreign or damaged file is said before any passphrase
    if target.exists() and not args.replace:
        raise VaultExists(exists_message(target))
    unlock(found, args, remembered=found.header.remembered,
           recall=lambda: recall_backup_key(found))  # fmt: skip
    kept = restore_backup(found, target, replace=args.replace, progress=_progress("Restoring"))
    made = datetime.fromtimestamp(found.header.made, UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Restored the vault from {args.file} (a backup made {made}).")
    if found.keyring_refreshed:
        print("The key remembered on this device is now the restored vault's.", file=sys.stderr)
    if kept is not None:
        print(f"The vault that was there is kept as {kept}.", file=sys.stderr)
    return 0


def _progress(label: str) -> Callable[[int, int], None] | None:
    """A percentage on the terminal's stderr for backups of more than a few MiB; else None."""
    if sys.stderr is None or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total > 4:
            end = "\n" if done == total else ""
            print(f"\r{label}… {done * 100 // total}%", end=end, file=sys.stderr, flush=True)

    return show


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{max(1, round(n / 1024))} KiB"
