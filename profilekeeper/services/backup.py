"""Backing the vault up into one encrypted file (store/backup.py), and restoring it whole.

``make_backup`` seals a consistent snapshot of the vault file, taken in memory (SQLite's
serialize, inside one read transaction with the key table it is read with): no temporary
copy, plaintext or not, is ever written but the sealed one beside the backup's own path.

``restore`` never half-applies. The snapshot is decrypted into a private (0600) file beside the
vault, every chunk authenticated on the way; that file must then pass ``integrity_check``, be a
vault and open with the backup's key, before it is renamed into place in one step. The vault
that was there (``replace`` only) is kept as ``VAULT.before-restore`` (or ``-2``, ``-3`` …), and
held locked while it is swapped, so no other program writes into it meanwhile. A restore killed
at any moment leaves the old vault as it was (and at most a ``.VAULT.restore-….tmp``, removed
by the next restore).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from profilekeeper.errors import (
    Conflict,
    InvalidInput,
    KeyReplaced,
    NotFound,
    VaultExists,
    VaultLocked,
    WrongPassphrase,
)
from profilekeeper.services.vault_access import (
    keystore_of,
    put_back_remembered,
    refresh_remembered,
)
from profilekeeper.store import backup as backup_format
from profilekeeper.store.backup import (
    BackupHeader,
    DamagedBackup,
    Opened,
    open_chunks,
    read_header,
    seal,
)
from profilekeeper.store.crypto import KdfParams
from profilekeeper.store.paths import sidecar_paths
from profilekeeper.store.transfer import check_output_path

if TYPE_CHECKING:
    from profilekeeper.services.vault_access import KeyStore
    from profilekeeper.store.vault import Vault

__all__ = ["Backup", "DamagedBackup", "make_backup", "read_backup", "recall_backup_key",
           "restore_backup"]  # fmt: skip

Progress = Callable[[int, int], None]
IN_USE = ("the vault is open in another program (the app, a sync?): close it and run "
          "restore again; nothing was changed")  # fmt: skip
STALE_AFTER = 10.0
_BUSY, _LOCKED = 5, 6  # SQLite primary result codes


# -- backup ----------------------------------------------------------------------------------


def _snapshot(path: Path) -> tuple[bytes, sqlite3.Row]:
    """The vault file's bytes as of one moment, with its key table as of that same moment."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("BEGIN")  # one read transaction: the row and the pages agree
        row = conn.execute(
            "SELECT vault_id, kdf, wrapped_key, key_check, remembered FROM vault_header"
        ).fetchone()
        data = conn.serialize()
        conn.execute("COMMIT")
    finally:
        conn.close()
    return data, row


def make_backup(vault: Vault, path: str, progress: Progress | None = None) -> int:
    """Write an encrypted backup of the (unlocked) vault to ``path`` (0600, atomically: a file
    that was there is replaced only once the new one is whole); return its size in bytes.

    It opens with the vault's passphrase as it is now (``passwd`` later does not change that).
    """
    target = Path(path).expanduser()
    check_output_path(target)
    data, row = _snapshot(vault.path)
    header = BackupHeader(
        vault_id=row["vault_id"],
        kdf=KdfParams.from_json(json.loads(row["kdf"])),
        wrapped_key=row["wrapped_key"],
        key_check=row["key_check"],
        remembered=bool(row["remembered"]),
        size=len(data),
        chunk=backup_format.CHUNK,
    )
    opened = Opened(header, b"")
    try:
        opened.check_key(vault.data_key)
    except WrongPassphrase:  # a rotate-key came between the unlock and the snapshot
        raise KeyReplaced() from None
    pieces = seal(data, header, vault.data_key)
    return _write_private(target, pieces, header.chunks + 1, progress)


def _write_private(
    target: Path, pieces: Iterator[bytes], count: int, progress: Progress | None
) -> int:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise InvalidInput(f"cannot write {target}: {error.strerror}") from None
    written = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for done, piece in enumerate(pieces, start=1):
                handle.write(piece)
                written += len(piece)
                if progress:
                    progress(done, count)
            handle.flush()
            os.fsync(handle.fileno())
        check_output_path(target)  # again: the rename would remove whatever came meanwhile
        os.replace(tmp, target)
    except BaseException as error:
        tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise InvalidInput(f"cannot write {target}: {error.strerror}") from None
        raise
    return written


# -- restore ---------------------------------------------------------------------------------


@dataclass
class Backup:
    """A backup file whose header was read: locked until ``unlock`` or
    ``unlock_with_data_key`` (the unlock policy's ``Lockable``) finds its key."""

    path: Path
    opened: Opened
    data_key: bytes | None = None
    from_keyring: bool = False
    keyring_refreshed: bool = False
    """``restore`` replaced this device's keyring copy of an older key with the backup's."""

    @property
    def header(self) -> BackupHeader:
        return self.opened.header

    def unlock(self, passphrase: str) -> None:
        self.data_key = self.opened.unlock(passphrase)

    def unlock_with_data_key(self, data_key: bytes) -> None:
        self.opened.check_key(data_key)
        self.data_key, self.from_keyring = data_key, True


def read_backup(path: str) -> Backup:
    """The backup at ``path``, its header checked (before any passphrase is asked)."""
    where = Path(path).expanduser()
    try:
        with where.open("rb") as stream:
            return Backup(where, read_header(stream))
    except FileNotFoundError:
        raise NotFound("no such backup file") from None
    except IsADirectoryError:
        raise InvalidInput("that is a folder, not a backup file") from None
    except OSError as error:
        raise InvalidInput(f"cannot read that file: {error.strerror}") from None


def recall_backup_key(backup: Backup, keystore: KeyStore | None = None) -> bytes | None:
    """The data key this device's keyring remembers for the backed-up vault, if any."""
    return keystore_of(keystore).recall(backup.header.vault_id)


def restore_backup(
    backup: Backup,
    target: Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    keystore: KeyStore | None = None,
) -> Path | None:
    """Put the (unlocked) backup's vault at ``target``; return where the vault that was there is
    kept (None if there was none). VaultExists unless ``replace`` when one is there;
    DamagedBackup, and nothing changed, if any part of the backup fails to verify.

    The restored vault says its key is remembered only if this device's keyring holds a copy
    (on another machine it does not: commands then ask for the passphrase without a warning).
    A copy of another key (the key was rotated since the backup) is replaced by the backup's
    (``keyring_refreshed``), and put back should the restore fail, so the next command just
    works.
    """
    if backup.data_key is None:
        raise VaultLocked("the backup is locked")
    if target.exists() and not replace:
        raise VaultExists(exists_message(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _remove_stale(target)
        tmp = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as error:
        raise InvalidInput(f"cannot restore to {target}: {error.strerror}") from None
    stale: bytes | None = None
    try:
        _lock(fd)  # held to the end: a restore under way is not a leftover
        _decrypt_into(fd, backup, progress)
        remembered, stale = _keyring_here(backup, backup.data_key, keystore)
        _verify(tmp, backup.data_key, remembered=remembered)
        kept = _swap_in(tmp, target) if target.exists() else None
        if kept is None:
            _link_in(tmp, target)
        stale = None  # in place: the refreshed copy stays
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise  # the CLI says "no room" for these, wherever they come from
        raise InvalidInput(f"cannot restore to {target}: {error.strerror}") from None
    finally:
        if stale is not None:  # not restored after all: the copy it replaced goes back
            _put_back(backup, stale, keystore)
        os.close(fd)
        for leftover in (tmp, *sidecar_paths(tmp)):
            leftover.unlink(missing_ok=True)
    _fsync_directory(target.parent)
    return kept


def _keyring_here(backup: Backup, data_key: bytes,
                  keystore: KeyStore | None) -> tuple[bool, bytes | None]:  # fmt: skip
    """Whether the restored vault's key is remembered here, and the key a stale copy held."""
    if backup.from_keyring:  # its key came from this device's keyring
        return True, None
    remembered, stale = refresh_remembered(backup.header.vault_id, data_key, keystore)
    backup.keyring_refreshed = stale is not None
    return remembered, stale


def _put_back(backup: Backup, stale: bytes, keystore: KeyStore | None) -> None:
    backup.keyring_refreshed = False
    put_back_remembered(backup.header.vault_id, stale, keystore)


def exists_message(target: Path) -> str:
    return (f"a vault already exists at {target}: restore --replace puts the backup in its "
            f"place and keeps it as {target.name}.before-restore")  # fmt: skip


def _decrypt_into(fd: int, backup: Backup, progress: Progress | None) -> None:
    assert backup.data_key is not None
    total = backup.header.chunks
    with backup.path.open("rb") as stream:
        if read_header(stream).digest != backup.opened.digest:
            raise DamagedBackup("it changed while being restored")
        for done, piece in enumerate(open_chunks(stream, backup.opened, backup.data_key), 1):
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view) :]
            if progress:
                progress(done, total)
    os.fsync(fd)


def _verify(tmp: Path, data_key: bytes, *, remembered: bool) -> None:
    """The decrypted file is whole (integrity_check), a vault, opens with the key; then it is
    made a single file (rollback journal mode: nothing of it in a -wal to be left behind)."""
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError:
        ok = []
    finally:
        conn.close()
    if ok != [("ok",)]:
        raise DamagedBackup("the vault inside fails SQLite's integrity check")
    from profilekeeper.store.vault import Vault

    with Vault.open(tmp) as vault:  # also upgrades an older schema, as opening it would
        vault.unlock_with_data_key(data_key)
        vault.profile()
        if vault.header.remembered != remembered:
            vault.set_remembered(remembered)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def _link_in(tmp: Path, target: Path) -> None:
    try:
        os.link(tmp, target)  # never over a vault made meanwhile
    except FileExistsError:
        raise VaultExists(exists_message(target)) from None
    except OSError:  # no hard links on this file system
        if target.exists():
            raise VaultExists(exists_message(target)) from None
        os.rename(tmp, target)


def _kept_name(target: Path) -> Path:
    kept = target.with_name(f"{target.name}.before-restore")
    n = 1
    while kept.exists() or any(p.exists() for p in sidecar_paths(kept)):
        n += 1
        kept = target.with_name(f"{target.name}.before-restore-{n}")
    return kept


def _swap_in(tmp: Path, target: Path) -> Path:
    """Rename ``tmp`` over the vault at ``target``, keeping the old one under another name.

    The old vault is first taken out of WAL mode (its log written into it and removed: a -wal
    left beside the new file would be replayed into it), which SQLite allows only when no other
    connection has it open; then an exclusive lock keeps everyone out until the swap is done.
    """
    conn = sqlite3.connect(target, isolation_level=None, timeout=2.0)
    try:
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("BEGIN EXCLUSIVE")
            damaged = False
        except sqlite3.DatabaseError as error:
            if getattr(error, "sqlite_errorcode", 0) & 0xFF in (_BUSY, _LOCKED):
                raise Conflict(IN_USE) from None
            damaged = True  # not SQLite any more: nothing to lock, its sidecars go with it
        if not damaged and sidecar_paths(target)[0].exists():
            raise Conflict(IN_USE)  # still a -wal: someone has it open
        kept = _kept_name(target)
        try:
            os.link(target, kept)
        except FileExistsError:
            raise
        except OSError:  # no hard links here: a copy, taken under the exclusive lock
            shutil.copyfile(target, kept)
            os.chmod(kept, 0o600)
        if damaged:
            for old, new in zip(sidecar_paths(target), sidecar_paths(kept), strict=True):
                with contextlib.suppress(FileNotFoundError):
                    os.rename(old, new)
        os.replace(tmp, target)
    finally:
        conn.close()
    return kept


def _lock(fd: int) -> None:
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _remove_stale(target: Path) -> None:
    """Delete what a killed restore left beside ``target``: files no live restore holds."""
    try:
        import fcntl
    except ImportError:
        return
    for candidate in target.parent.glob(f".{target.name}.restore-*.tmp"):
        try:
            fd = os.open(candidate, os.O_RDONLY)
        except OSError:
            continue
        try:
            if time.time() - os.fstat(fd).st_mtime < STALE_AFTER:
                continue  # maybe just made, not yet locked
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue
        finally:
            os.close(fd)
        for leftover in (candidate, *sidecar_paths(candidate)):
            leftover.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
