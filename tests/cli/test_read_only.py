"""A read-only vault file, or a vault in a read-only folder, through the real CLI in a process.

Commands that only read still work wherever SQLite can read the vault; a write says in one
line what is read-only (exit 2), changes nothing and is never "internal error" nor "not a
profilekeeper vault". Running as root, the tests drop the capabilities that let root write
anyway (``setpriv --bounding-set``), so they test what a user meets.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from conftest import FAST_KDF, PASSPHRASE

from profilekeeper.model import Person
from profilekeeper.store.vault import Vault

DROP = "-dac_override,-dac_read_search,-fowner"


def pk(vault: Path, *argv: str) -> tuple[int, str, str]:
    """``profilekeeper ARGV --vault VAULT`` as a user who may not write what is read-only."""
    prefix = ["setpriv", "--bounding-set", DROP] if os.geteuid() == 0 else []
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "profilekeeper", *argv, "--vault", str(vault)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, "PROFILEKEEPER_PASSPHRASE": PASSPHRASE,
             "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    path = tmp_path / "folder" / "vault.sqlite3"
    with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as made:
        made.add_all([Person(name="Ann Aalto"), Person(name="Bo Berg")])
    return path


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    modes = {p: p.stat().st_mode for p in paths}
    try:
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        yield
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(result: tuple[int, str, str], *words: str) -> None:
    code, out, err = result
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("profilekeeper: "), err
    for bad in ("internal error", "Traceback", "not a profilekeeper vault"):
        assert bad not in err, err
    for word in words:
        assert word in err, err


def reads(vault: Path) -> None:
    code, out, err = pk(vault, "person", "list")
    assert code == 0 and "Ann Aalto" in out and "Bo Berg" in out and err == "", err
    code, out, err = pk(vault, "remind")
    assert code == 0, err


def test_a_read_only_file_reads_and_refuses_writes_in_one_line(vault: Path) -> None:
    before = digest(vault)
    with read_only(vault):
        reads(vault)
        writes = (("person", "add", "Cy Chen"), ("rotate-key",), ("person", "remove", "Bo Berg"))
        for write in writes:
            refused(pk(vault, *write), f"the vault file is read-only: {vault}",
                    "nothing was changed")  # fmt: skip
        reads(vault)
    assert digest(vault) == before


def test_a_read_only_folder_reads_the_vault_as_it_is(vault: Path) -> None:
    before = digest(vault)
    with read_only(vault.parent):
        reads(vault)
        code, out, _ = pk(vault, "export")
        assert code == 0 and "Bo Berg" in out
        refused(pk(vault, "person", "add", "Cy Chen"),
                f"the vault's folder is read-only: {vault.parent}")  # fmt: skip
    assert digest(vault) == before
    assert sorted(p.name for p in vault.parent.iterdir()) == [vault.name]  # no sidecar made


def test_a_read_only_file_in_a_read_only_folder(vault: Path) -> None:
    with read_only(vault, vault.parent):
        reads(vault)
        refused(pk(vault, "person", "add", "Cy Chen"), "read-only")


def test_a_read_only_folder_with_changes_in_the_log_says_so(vault: Path) -> None:
    """A writer killed with its changes in the -wal: they cannot be read without a -shm, which
    SQLite cannot make in a read-only folder. One line saying so, never "not a vault"."""
    killed = subprocess.run([sys.executable, "-c", (
        "import os, signal, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1])\n"
        "db.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "db.execute('UPDATE vault_header SET remembered = remembered')\n"
        "db.commit()\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"), str(vault)], check=False)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL
    Path(f"{vault}-shm").unlink()
    assert Path(f"{vault}-wal").exists()
    with read_only(vault.parent, Path(f"{vault}-wal")):
        for command in (("person", "list"), ("remind",), ("person", "add", "Cy Chen")):
            refused(pk(vault, *command), f"the vault's folder is read-only ({vault.parent})",
                    "-shm", "make the folder writable")  # fmt: skip
    reads(vault)  # the folder writable again: every change is there


def test_a_vault_out_of_wal_mode_read_only(vault: Path) -> None:
    """A restored vault is a single file (rollback journal): read-only, the store's switch to
    WAL cannot be made, and it is read as it is."""
    with closing(sqlite3.connect(vault)) as db:
        assert db.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    with read_only(vault):
        reads(vault)
        refused(pk(vault, "person", "add", "Cy Chen"), "the vault file is read-only")
