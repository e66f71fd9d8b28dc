"""The vault as a file: is this one ours, and making a new one so that it is whole or absent.

``require_vault`` decides from a read-only look, before anything could write: a SQLite file is
a profilekeeper vault if its header carries ``APPLICATION_ID`` (every vault made since it was
introduced) or, for vaults from earlier releases (application id 0), if it has a schema version
and a ``vault_header`` table. Anything else (another program's database, an empty file, not
SQLite at all) is refused untouched: no table created, no journal mode switched, no sidecar.

``create_atomically`` builds a new vault in a temporary file beside the target and links it
into place only once it is complete and on disk, so an ``init`` killed at any moment leaves
either no vault or a whole one (and at most a stale ``.NAME.init-XXXX.tmp``, removed by the
next ``init``). Only ``os`` and ``sqlite3`` are imported: ``remind``'s fast path uses it too.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from profilekeeper.errors import UnsupportedVault, VaultError, VaultExists, VaultMissing
from profilekeeper.store.damage import DamagedVault, is_damage

if TYPE_CHECKING:
    from pathlib import Path

APPLICATION_ID = 0x506B5631  # "PkV1" in SQLite's header (offset 68), set on every new vault
SQLITE_MAGIC = b"SQLite format 3\x00"
NOT_A_VAULT = "that file is not a profilekeeper vault"
STALE_AFTER = 10.0
"""Seconds after which an unlocked temporary file is another ``init``'s leftover, not its work."""

StrPath = str | os.PathLike[str]
_READONLY, _CANTOPEN = 8, 14  # SQLite primary result codes (READONLY_DIRECTORY is 8 too)


class VaultReadOnly(VaultError):
    """The vault file, or the folder it is in, cannot be written by this user."""

    exit_code = 2


def is_read_only(error: BaseException) -> bool:
    """Whether ``error`` (sqlite3's) says the file or its folder may not be written."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.OperationalError) and (code or 0) & 0xFF == _READONLY


def read_only(path: StrPath) -> VaultReadOnly:
    """What to say when a write was refused because ``path`` or its folder is read-only."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(path, os.W_OK):
        return VaultReadOnly(f"the vault file is read-only: {path}; nothing was changed "
                             "(make it writable to change the vault)")  # fmt: skip
    if not os.access(folder, os.W_OK):
        return VaultReadOnly(f"the vault's folder is read-only: {folder} (SQLite writes a "
                             "journal beside the vault); nothing was changed")  # fmt: skip
    return VaultReadOnly(f"the vault file cannot be written: {path}; nothing was changed")


def _folder_read_only(path: StrPath | None) -> VaultReadOnly:
    """A vault in WAL mode with changes in its log (VAULT-wal) can be read only with the log's
    index (VAULT-shm) beside it, which SQLite makes when it is not there: in a read-only
    folder it cannot (with no log, a ``frozen`` vault is read as it is)."""
    where = f" ({os.path.dirname(os.path.abspath(path))})" if path is not None else ""
    return VaultReadOnly(f"the vault's folder is read-only{where}: SQLite must write the "
                         "-shm file of the vault's log (its -wal file) there to read it; make "
                         "the folder writable, or copy the vault to a folder that is")  # fmt: skip


def read_only_connection(path: StrPath) -> sqlite3.Connection:
    """A connection that cannot write the file, nor create a journal beside it (on a
    ``frozen`` vault, one that reads it as it is on disk)."""
    # A URI file name: SQLite decodes %HH in it, and "?" and "#" would end it.
    name = os.path.realpath(path)
    for char, escaped in (("%", "%25"), ("?", "%3F"), ("#", "%23")):
        name = name.replace(char, escaped)
    mode = "ro&immutable=1" if frozen(path) else "ro"
    # The app opens it in a worker and reads from its UI thread: a read-only connection in
    # SQLite's serialized mode is safe to share.
    return sqlite3.connect(f"file:{name}?mode={mode}", uri=True, check_same_thread=False)


def frozen(path: StrPath) -> bool:
    """Whether the vault can only be read as it is on disk: its folder is read-only (SQLite
    cannot make the -shm a WAL-mode vault is read with) and no -wal holds changes (none can
    come: a writer would have to make one there). Such a vault is read ``immutable``."""
    folder = os.path.dirname(os.path.abspath(path))
    return not os.access(folder, os.W_OK) and not os.path.exists(f"{path}-wal")


def identify(conn: sqlite3.Connection, path: StrPath | None = None) -> None:
    """Raise UnsupportedVault unless ``conn`` is on a profilekeeper vault (any schema version);
    VaultReadOnly if it cannot be read for want of writing beside it."""
    try:
        (application_id,) = conn.execute("PRAGMA application_id").fetchone()
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        has_header = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vault_header'"
        ).fetchone()
    except sqlite3.DatabaseError as error:
        if is_damage(error):  # a SQLite file whose schema cannot be read: say so, not "foreign"
            raise DamagedVault() from None
        if getattr(error, "sqlite_errorcode", 0) & 0xFF in (_READONLY, _CANTOPEN):  # no -shm
            raise _folder_read_only(path) from None
        raise UnsupportedVault(NOT_A_VAULT) from None
    if application_id == APPLICATION_ID:
        return
    if application_id != 0 or version < 1 or has_header is None:
        raise UnsupportedVault(NOT_A_VAULT)


def require_vault(path: StrPath) -> None:
    """VaultMissing if nothing is at ``path``; UnsupportedVault unless it is a vault. Reads only.

    SQLite reads the file's header, not open(): closing any descriptor of a file drops every
    POSIX lock this process holds on it, SQLite's among them. The app opens the vault twice;
    the next command to exit then took itself for the vault's last user and deleted the
    write-ahead log that the app went on writing to, and those writes were lost.
    """
    if not os.path.isfile(path):
        raise VaultMissing("no vault at that path; create one with `profilekeeper init`")
    if not os.access(path, os.R_OK):
        raise UnsupportedVault("that vault file cannot be read")
    if os.path.getsize(path) == 0:  # which SQLite would happily adopt
        raise UnsupportedVault(NOT_A_VAULT)
    try:
        conn = read_only_connection(path)
        try:
            identify(conn, path)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        refuse_blank_first_page(path)  # refused, it may be read with open(): no lock to keep
        raise UnsupportedVault(NOT_A_VAULT) from None
    except UnsupportedVault:
        refuse_blank_first_page(path)
        raise


def refuse_blank_first_page(path: StrPath, magic: bytes | None = None) -> None:
    """DamagedVault if the file starts with a page of zeros: a damaged vault (a zeroed page,
    a torn copy) more likely than someone else's file."""
    try:
        if magic is None:
            with open(path, "rb") as handle:
                magic = handle.read(len(SQLITE_MAGIC))
        blank = magic == bytes(len(SQLITE_MAGIC)) and os.path.getsize(path) >= 4096
    except OSError:
        return
    if blank:
        raise DamagedVault("its first page is blank")


# -- making a new vault ----------------------------------------------------------------------


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.init-"


def create_atomically(target: Path, build: Callable[[Path], None]) -> None:
    """Run ``build(tmp)`` on a new 0600 file beside ``target``, then put it at ``target``.

    VaultExists if ``target`` exists, before or by the end (a vault made meanwhile is never
    replaced). ``build`` must leave ``tmp`` complete and closed, with no write-ahead log.
    """
    directory = target.parent
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if target.exists():
        raise VaultExists("a vault already exists at that path")
    _remove_stale_temp_files(target)
    tmp = directory / f"{_temp_prefix(target)}{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        _lock(fd)  # held until the end: tells other inits this file is still being built
        build(tmp)
        os.fsync(fd)
        _link_into_place(tmp, target)
    finally:
        os.close(fd)
        for leftover in (tmp, *_sidecars(tmp)):
            leftover.unlink(missing_ok=True)
    _fsync_directory(directory)


def _link_into_place(tmp: Path, target: Path) -> None:
    try:
        os.link(tmp, target)  # fails if target exists: never clobbers a vault made meanwhile
    except FileExistsError:
        raise VaultExists("a vault already exists at that path") from None
    except OSError:
        # No hard links here (some network or FAT file systems): rename, after one more look.
        if target.exists():
            raise VaultExists("a vault already exists at that path") from None
        os.rename(tmp, target)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]


def _lock(fd: int) -> None:
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _remove_stale_temp_files(target: Path) -> None:
    """Delete what a killed ``init`` left: temporary files no live ``init`` holds locked."""
    try:
        import fcntl
    except ImportError:  # no flock: leave them, they are never read
        return
    now = time.time()
    for candidate in target.parent.glob(f"{_temp_prefix(target)}*.tmp"):
        try:
            fd = os.open(candidate, os.O_RDONLY)
        except OSError:
            continue
        try:
            if now - os.fstat(fd).st_mtime < STALE_AFTER:
                continue  # maybe just created, not yet locked
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # another init is building it
        finally:
            os.close(fd)
        for leftover in (candidate, *_sidecars(candidate)):
            leftover.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    """Make the new name durable, not only the file's contents."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some platforms cannot fsync a directory
    finally:
        os.close(fd)
