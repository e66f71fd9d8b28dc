"""Only a profilekeeper vault is opened, and ``init`` leaves a whole vault or none.

Before: any SQLite file given as the vault got profilekeeper's tables and WAL mode on the
first command, and an ``init`` killed midway left a file that every command rejected.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from profilekeeper.errors import UnsupportedVault, VaultExists
from profilekeeper.model import Person
from profilekeeper.store import vault_file
from profilekeeper.store.readonly import ReadOnlyVault
from profilekeeper.store.vault import Vault
from tests.conftest import FAST_KDF, PASSPHRASE, run_cli, undo_schema_version_3

NOT_A_VAULT = "that file is not a profilekeeper vault"


def snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    """The file's bytes, its mtime and what else is in its folder: all must stay as they were."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent))


def foreign_database(path: Path) -> Path:
    """Another program's SQLite file: a table with rows, in rollback-journal mode."""
    with closing(sqlite3.connect(path)) as db, db:
        assert db.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        db.executemany("INSERT INTO invoices (amount) VALUES (?)", [(i * 1.5,) for i in range(50)])
    return path


FOREIGN = {
    "another program's database": foreign_database,
    "an empty file": lambda p: (p.write_bytes(b""), p)[1],
    "a text file": lambda p: (p.write_text("just some notes\n"), p)[1],
    "SQLite with user_version 1 but no vault_header": lambda p: _sql(p, "PRAGMA user_version=1"),
    "SQLite with a vault_header but user_version 0": lambda p: _sql(
        p, "CREATE TABLE vault_header (singleton INTEGER)"
    ),
    "another application id": lambda p: _sql(
        p, "CREATE TABLE vault_header (x); PRAGMA user_version = 3; PRAGMA application_id = 7"
    ),
}


def _sql(path: Path, script: str) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.executescript(script)
    return path


@pytest.mark.parametrize("make", FOREIGN.values(), ids=FOREIGN.keys())
def test_a_file_that_is_not_a_vault_is_refused_untouched(tmp_path: Path, make) -> None:
    path = make(tmp_path / "other.db")
    before = snapshot(path)
    with pytest.raises(UnsupportedVault, match=NOT_A_VAULT):
        Vault.open(path)
    with pytest.raises(UnsupportedVault, match=NOT_A_VAULT):
        ReadOnlyVault(path)
    time.sleep(0.01)  # so a write would show in the mtime
    assert snapshot(path) == before


@pytest.mark.parametrize("command", [["person", "list"], ["remind"], ["gift", "list"]])
def test_the_cli_refuses_a_foreign_database_and_leaves_it_alone(
    tmp_path: Path, command: list[str]
) -> None:
    path = foreign_database(tmp_path / "accounts.sqlite")
    before = snapshot(path)
    result = run_cli(*command, "--vault", str(path), env={"PROFILEKEEPER_PASSPHRASE": PASSPHRASE})
    assert (result.code, result.err) == (2, f"profilekeeper: {NOT_A_VAULT}\n")
    assert snapshot(path) == before
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["invoices"]


def test_a_new_vault_says_what_it_is(vault, vault_path: Path) -> None:
    vault.close()
    with closing(sqlite3.connect(vault_path)) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == vault_file.APPLICATION_ID
    assert [n for n in os.listdir(vault_path.parent) if "vault" in n] == [vault_path.name]


@pytest.mark.parametrize("older", ["version 3", "version 2"])
def test_vaults_from_earlier_releases_still_open(vault, vault_path: Path, older: str) -> None:
    vault.add(Person(name="Sam"))
    vault.close()
    with closing(sqlite3.connect(vault_path)) as db, db:
        db.execute("PRAGMA application_id = 0")  # as every release before this one left it
        if older == "version 2":
            undo_schema_version_3(db)
    with Vault.open(vault_path) as reopened:
        reopened.unlock(PASSPHRASE)
        assert [p.name for p in reopened.list(Person)] == ["Sam"]
    with ReadOnlyVault(vault_path) as reader:
        reader.unlock(PASSPHRASE)
        assert [p.name for p in reader.list(Person)] == ["Sam"]


def test_create_never_replaces_a_vault_made_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "vault.sqlite3"

    def build(tmp: Path) -> None:
        with closing(sqlite3.connect(tmp)) as db:
            db.execute("CREATE TABLE t (x)")
        target.write_bytes(b"the other init's vault")  # another init finished first

    with pytest.raises(VaultExists):
        vault_file.create_atomically(target, build)
    assert target.read_bytes() == b"the other init's vault"
    assert os.listdir(tmp_path) == [target.name]


def test_a_killed_inits_leftover_is_cleaned_but_a_live_one_is_not(tmp_path: Path) -> None:
    target = tmp_path / "vault.sqlite3"
    stale = tmp_path / ".vault.sqlite3.init-dead.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 60, time.time() - 60))
    live = tmp_path / ".vault.sqlite3.init-live.tmp"
    live.write_bytes(b"being built")
    os.utime(live, (time.time() - 60, time.time() - 60))
    import fcntl

    with open(live, "rb") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)  # as a running init holds its own
        Vault.create(target, PASSPHRASE, kdf=FAST_KDF).close()
    assert sorted(os.listdir(tmp_path)) == [live.name, target.name]


CHILD = """
import sys, time
from pathlib import Path
from profilekeeper.store.vault import Vault
from tests.conftest import FAST_KDF
print("ready", flush=True)
start = time.perf_counter()
Vault.create(Path(sys.argv[1]), "correct horse battery", kdf=FAST_KDF).close()
print(time.perf_counter() - start, flush=True)
"""


def _start_init(target: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def test_an_init_killed_at_any_moment_leaves_a_whole_vault_or_none(tmp_path: Path) -> None:
    calibration = _start_init(tmp_path / "calibrate.sqlite3")
    took = float(calibration.communicate(timeout=60)[0])
    rng = random.Random(20)
    outcomes = {"no vault": 0, "whole vault": 0}
    for trial in range(24):
        target = tmp_path / f"t{trial}" / "vault.sqlite3"
        target.parent.mkdir()
        child = _start_init(target)
        time.sleep(rng.uniform(0, took * 1.3))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if target.exists():
            outcomes["whole vault"] += 1
            with Vault.open(target) as vault:
                vault.unlock(PASSPHRASE)
                assert vault.list(Person) == [] and vault.profile().id == "me"
        else:
            outcomes["no vault"] += 1
            Vault.create(target, PASSPHRASE, kdf=FAST_KDF).close()  # init succeeds
    assert sum(outcomes.values()) == 24
    print(outcomes, f"create took {took:.3f} s")
