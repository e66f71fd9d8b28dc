"""``backup FILE`` and ``restore FILE``: one encrypted file, restored whole or not at all."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import FAST_KDF, PASSPHRASE, run_cli, run_main, store_every_record

from profilekeeper.model import Person
from profilekeeper.store import backup as backup_format
from profilekeeper.store.vault import Vault

MARKER = "Qv8BackupPlanted"
ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
pytestmark = pytest.mark.usefixtures("fast_kdf")


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """4 KiB chunks, so a small vault's backup has dozens of them."""
    monkeypatch.setattr(backup_format, "CHUNK", 4096)


def _vault_with_records(path: Path, people: int = 3) -> None:
    with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as vault:
        store_every_record(vault, MARKER)
        vault.add_all(Person(name=f"{MARKER}-p{n}") for n in range(people))


def _export(vault: Path) -> str:
    result = run_main("--vault", str(vault), "export", env=ENV)
    assert result.code == 0, result.err
    return result.out


def _backup(vault: Path, file: Path) -> None:
    result = run_main("--vault", str(vault), "backup", str(file), env=ENV)
    assert result.code == 0, result.err


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def test_round_trip_gives_the_same_vault_and_private_files(tmp_path: Path) -> None:
    source, file, copy = tmp_path / "a" / "v.db", tmp_path / "b.pkb", tmp_path / "c" / "v.db"
    _vault_with_records(source)
    _backup(source, file)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert file.read_bytes().startswith(b"PKBACKUP\x01")
    assert MARKER.encode() not in file.read_bytes()

    result = run_main("--vault", str(copy), "restore", str(file), env=ENV)
    assert result.code == 0, result.err
    assert "Restored the vault" in result.out and "a backup made 20" in result.out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert _export(copy) == _export(source)
    assert _leftovers(copy.parent) == [] and _leftovers(tmp_path) == []
    assert [p.name for p in copy.parent.iterdir()] == ["v.db"]  # no -wal, no journal


def test_restore_in_another_home_with_no_keyring_uses_the_passphrase(tmp_path: Path) -> None:
    """A vault remembered in a keyring here, restored on a machine with none: a real process,
    no D-Bus session, so the keyring is unusable and the passphrase is what opens it."""
    source, file = tmp_path / "v.db", tmp_path / "b.pkb"
    _vault_with_records(source)
    with Vault.open(source) as vault:
        vault.set_remembered(True)  # as `keyring remember` leaves it
    _backup(source, file)
    other = tmp_path / "elsewhere"
    other.mkdir()
    bare = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS", "PROFILEKEEPER"))}
    env = {**bare, "HOME": str(other), "XDG_DATA_HOME": str(other / "data"),
           "PYTHONPATH": os.pathsep.join(sys.path)}  # fmt: skip
    restored = other / "data" / "profilekeeper" / "vault.sqlite3"

    def pk(*argv: str, **kw: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "profilekeeper", *argv],
                              capture_output=True, text=True, env={**env, **kw}, timeout=60,
                              stdin=subprocess.DEVNULL)  # fmt: skip

    locked = pk("restore", str(file))  # no terminal, no passphrase: says how to give one
    assert locked.returncode == 3
    assert "no system keyring" in locked.stderr and "using the passphrase instead" in locked.stderr
    assert "--passphrase-stdin" in locked.stderr
    assert not restored.exists()
    done = pk("restore", str(file), PROFILEKEEPER_PASSPHRASE=PASSPHRASE)
    assert done.returncode == 0, done.stderr
    assert _export(restored) == _export(source)
    # No keyring here holds its key, so the restored vault no longer says one does: a command
    # asks for the passphrase without first trying (and warning about) the keyring.
    after = pk("person", "list")
    assert after.returncode == 3 and after.stderr.count("\n") == 1


def test_wrong_passphrase_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    source, file, target = tmp_path / "v.db", tmp_path / "b.pkb", tmp_path / "t.db"
    _vault_with_records(source)
    _backup(source, file)
    result = run_main("--vault", str(target), "restore", str(file),
                      env={"PROFILEKEEPER_PASSPHRASE": "not the one at all"})  # fmt: skip
    assert result.code == 3
    assert result.err == "profilekeeper: wrong passphrase\n"
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_backup_opens_with_the_passphrase_it_was_made_under(tmp_path: Path) -> None:
    source, file, target = tmp_path / "v.db", tmp_path / "b.pkb", tmp_path / "t.db"
    _vault_with_records(source)
    _backup(source, file)
    new = "a brand new passphrase"
    changed = run_main("--vault", str(source), "passwd", "--passphrase-stdin",
                       input=f"{PASSPHRASE}\n{new}\n")  # fmt: skip
    assert changed.code == 0, changed.err
    assert run_main("--vault", str(target), "restore", str(file),
                    env={"PROFILEKEEPER_PASSPHRASE": new}).code == 3  # fmt: skip
    assert run_main("--vault", str(target), "restore", str(file), env=ENV).code == 0


def _cuts(size: int, prefix: int, chunk: int, chunks: int) -> dict[str, int]:
    """Where to cut a backup of ``size`` bytes whose ``chunks`` start at ``prefix``."""
    sealed = chunk + 16
    return {
        "empty": 0,
        "in the magic": 5,
        "in the length": 11,
        "in the header": prefix // 2,
        "in the digest": prefix - 10,
        "before any chunk": prefix,
        "in the first chunk": prefix + 100,
        "at a chunk boundary": prefix + 3 * sealed,
        "in a middle chunk": prefix + 5 * sealed + 2000,
        "at the last boundary": prefix + (chunks - 1) * sealed,
        "in the last chunk": size - 20,
        "one byte short": size - 1,
    }


@pytest.mark.usefixtures("small_chunks")
def test_every_kind_of_truncation_is_refused_and_the_vault_untouched(tmp_path: Path) -> None:
    source, file = tmp_path / "v.db", tmp_path / "b.pkb"
    _vault_with_records(source)
    _backup(source, file)
    data = file.read_bytes()
    with file.open("rb") as stream:
        opened = backup_format.read_header(stream)
        prefix = stream.tell()
    assert opened.header.chunks > 10
    target = tmp_path / "t.db"
    _vault_with_records(target, people=1)
    before = target.read_bytes()
    for where, at in _cuts(len(data), prefix, 4096, opened.header.chunks).items():
        cut = tmp_path / "cut.pkb"
        cut.write_bytes(data[:at])
        result = run_main("--vault", str(target), "restore", "--replace", str(cut), env=ENV)
        expected = 2 if at < len(backup_format.MAGIC) else 5
        assert result.code == expected, (where, result.err)
        assert result.err.count("\n") == 1 and "Traceback" not in result.err, where
        if expected == 5:
            assert "the backup is damaged" in result.err and "nothing was restored" in result.err
        assert target.read_bytes() == before, where
        assert _leftovers(tmp_path) == [], where
    assert [p.name for p in tmp_path.iterdir() if "before-restore" in p.name] == []
    appended = tmp_path / "long.pkb"
    appended.write_bytes(data + b"\x00")
    result = run_main("--vault", str(target), "restore", "--replace", str(appended), env=ENV)
    assert result.code == 5 and "bytes after its end" in result.err


@pytest.mark.usefixtures("small_chunks")
def test_flipped_bytes_anywhere_are_refused(tmp_path: Path) -> None:
    """Every byte of the header and its digest, and a spread of bytes through the chunks."""
    source, file, target = tmp_path / "v.db", tmp_path / "b.pkb", tmp_path / "t.db"
    _vault_with_records(source)
    _backup(source, file)
    data = file.read_bytes()
    with file.open("rb") as stream:
        backup_format.read_header(stream)
        prefix = stream.tell()
    positions = [*range(prefix), *range(prefix, len(data), max(1, (len(data) - prefix) // 60)),
                 len(data) - 1]  # fmt: skip
    flipped = tmp_path / "flipped.pkb"
    codes: dict[int, int] = {}
    for at in positions:
        flipped.write_bytes(data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :])
        result = run_main("--vault", str(target), "restore", str(flipped), env=ENV)
        assert result.err.count("\n") == 1 and "Traceback" not in result.err, at
        codes[at] = result.code
    # The magic and the version: "not a backup" / "a newer profilekeeper" (2); anything else
    # is damage (5), found before a single byte of the vault is written.
    assert {at for at, code in codes.items() if code == 2} == set(range(9))
    assert {at for at, code in codes.items() if code == 5} == set(positions) - set(range(9))
    assert not target.exists() and _leftovers(tmp_path) == []


def test_foreign_files_are_refused_before_any_passphrase(tmp_path: Path) -> None:
    source, target = tmp_path / "v.db", tmp_path / "t.db"
    _vault_with_records(source)
    export = tmp_path / "export.json"
    export.write_text(_export(source))
    newer = tmp_path / "newer.pkb"
    _backup(source, newer)
    newer.write_bytes(newer.read_bytes()[:8] + b"\x02" + newer.read_bytes()[9:])
    random = tmp_path / "random.bin"
    random.write_bytes(os.urandom(5000))
    empty = tmp_path / "empty"
    empty.touch()
    crafted = []  # a header whose digest is right but that no backup would hold
    for n, body in enumerate((b"{}", b"[" * 60_000, b'{"size": -1}', b"\xff")):
        start = backup_format.MAGIC + bytes([1]) + len(body).to_bytes(4, "big") + body
        crafted.append(tmp_path / f"crafted-{n}.pkb")
        crafted[-1].write_bytes(start + hashlib.sha256(start).digest())
    for foreign in (export, source, random, empty, newer, *crafted):
        result = run_main("--vault", str(target), "restore", str(foreign))  # no passphrase
        assert result.code == 2, (foreign.name, result.err)
        message = "newer profilekeeper" if foreign is newer else "not a profilekeeper backup"
        assert message in result.err and result.err.count("\n") == 1
    assert run_main("--vault", str(target), "restore", str(tmp_path / "none")).code == 4
    assert run_main("--vault", str(target), "restore", str(tmp_path)).code == 2
    assert not target.exists()


def test_restore_over_an_existing_vault_needs_replace_and_keeps_the_old(tmp_path: Path) -> None:
    source, file, target = tmp_path / "v.db", tmp_path / "b.pkb", tmp_path / "t.db"
    _vault_with_records(source)
    _backup(source, file)
    _vault_with_records(target, people=1)
    old_export = _export(target)
    refused = run_main("--vault", str(target), "restore", str(file), env=ENV)
    assert refused.code == 2 and "--replace" in refused.err
    assert _export(target) == old_export

    for n, kept_name in enumerate(("t.db.before-restore", "t.db.before-restore-2")):
        result = run_main("--vault", str(target), "restore", "--replace", str(file), env=ENV)
        assert result.code == 0, result.err
        assert kept_name in result.err
        kept = tmp_path / kept_name
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert _export(kept) == (old_export if n == 0 else _export(source))
    assert _export(target) == _export(source)
    with closing(sqlite3.connect(target)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_restore_refuses_a_vault_open_in_another_program(tmp_path: Path) -> None:
    source, file, target = tmp_path / "v.db", tmp_path / "b.pkb", tmp_path / "t.db"
    _vault_with_records(source)
    _backup(source, file)
    _vault_with_records(target, people=1)
    with Vault.open(target) as app:  # as the app holds it: WAL, a live connection
        app.unlock(PASSPHRASE)
        app.add(Person(name="written while open"))
        result = run_main("--vault", str(target), "restore", "--replace", str(file), env=ENV)
        assert result.code == 2 and "open in another program" in result.err
        assert app.count(Person) == 3  # still its vault, still writable
        app.add(Person(name="and after"))
    assert "and after" in _export(target)
    assert _leftovers(tmp_path) == []


def test_a_backup_of_a_vault_open_elsewhere_holds_what_it_committed(tmp_path: Path) -> None:
    """The snapshot is one read transaction: what another program committed is in it (from its
    -wal), what it has not committed yet is not."""
    source, file, copy = tmp_path / "v.db", tmp_path / "b.pkb", tmp_path / "c.db"
    _vault_with_records(source, people=1)
    with Vault.open(source) as app:
        app.unlock(PASSPHRASE)
        app.add(Person(name="committed in the app"))
        assert (tmp_path / "v.db-wal").stat().st_size > 0
        with app.transaction():
            app.add(Person(name="not yet committed"))
            _backup(source, file)
    assert run_main("--vault", str(copy), "restore", str(file), env=ENV).code == 0
    restored = _export(copy)
    assert "committed in the app" in restored and "not yet committed" not in restored


def test_restore_over_a_damaged_vault_keeps_the_damaged_file(tmp_path: Path) -> None:
    source, file, target = tmp_path / "v.db", tmp_path / "b.pkb", tmp_path / "t.db"
    _vault_with_records(source)
    _backup(source, file)
    target.write_bytes(b"\x00" * 8192)
    result = run_main("--vault", str(target), "restore", "--replace", str(file), env=ENV)
    assert result.code == 0, result.err
    assert (tmp_path / "t.db.before-restore").read_bytes() == b"\x00" * 8192
    assert _export(target) == _export(source)


def test_backup_checks_its_path_first_and_replaces_a_file_whole(tmp_path: Path) -> None:
    source, file = tmp_path / "v.db", tmp_path / "b.pkb"
    _vault_with_records(source)
    refused = run_main("--vault", str(source), "backup", str(tmp_path))  # no passphrase asked
    assert refused.code == 2 and "not a regular file" in refused.err
    file.write_bytes(b"an older backup")
    os.chmod(file, 0o644)
    _backup(source, file)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert file.read_bytes().startswith(backup_format.MAGIC)
    assert _leftovers(tmp_path) == []


def _big_backup(tmp_path: Path, people: int) -> tuple[Path, Path, Path]:
    source, file, target = tmp_path / "v.db", tmp_path / "b.pkb", tmp_path / "t.db"
    _vault_with_records(source, people=people)
    _backup(source, file)
    _vault_with_records(target, people=1)
    return source, file, target


def test_a_restore_killed_midway_leaves_the_old_vault(tmp_path: Path) -> None:
    """SIGKILL a real restore once its temporary file exists, then later and later: the vault is
    always whole, the old one or the restored one, and the next restore clears what was left."""
    source, file, target = _big_backup(tmp_path, people=3000)
    old, new = _export(target), _export(source)
    env = {**os.environ, **ENV, "PYTHONPATH": os.pathsep.join(sys.path)}
    states = []
    for delay in (0.0, 0.0, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.3):
        proc = subprocess.Popen([sys.executable, "-m", "profilekeeper", "--vault", str(target),
                                 "restore", "--replace", str(file)], env=env,
                                stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 30
        while not _leftovers(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = _export(target)
        assert now in (old, new)
        with closing(sqlite3.connect(target)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        states.append((now == old, bool(_leftovers(tmp_path))))
        if now == new:  # start again from the old vault
            (tmp_path / "t.db").unlink()
            os.replace(next(tmp_path.glob("t.db.before-restore*")), target)
    assert (True, True) in states  # at least one kill came mid-way: old vault, a leftover
    for leftover in tmp_path.glob("*.tmp"):
        os.utime(leftover, (time.time() - 60, time.time() - 60))
    result = run_main("--vault", str(target), "restore", "--replace", str(file), env=ENV)
    assert result.code == 0, result.err
    assert _export(target) == new and _leftovers(tmp_path) == []


def test_a_real_process_backs_up_and_restores(tmp_path: Path) -> None:
    """The commands as a user runs them (the real Argon2 parameters)."""
    vault, file = tmp_path / "v.db", tmp_path / "b.pkb"
    common = ("--vault", str(vault))
    assert run_cli(*common, "init", env=ENV).code == 0
    assert run_cli(*common, "person", "add", "Sam", env=ENV).code == 0
    made = run_cli(*common, "backup", str(file), env=ENV)
    assert made.code == 0 and "Backed up the vault" in made.out, made.err
    vault.unlink()
    done = run_cli(*common, "restore", str(file), env=ENV)
    assert done.code == 0, done.err
    assert "Sam" in _export(vault)


@pytest.mark.keyring
def test_on_the_same_device_the_keyring_copy_restores_it(
    real_keyring: None, tmp_path: Path
) -> None:
    """Remembered here: backup and restore need no passphrase, and the restored vault is still
    remembered; a key rotated since the backup makes the copy stale and the passphrase opens it."""
    vault, file = tmp_path / "v.db", tmp_path / "b.pkb"
    common = ("--vault", str(vault))
    assert run_main(*common, "init", env=ENV).code == 0
    assert run_cli(*common, "keyring", "remember", env=ENV).code == 0
    assert run_cli(*common, "person", "add", "Sam").code == 0
    assert run_cli(*common, "backup", str(file)).code == 0  # unlocked from the keyring
    vault.unlink()
    done = run_cli(*common, "restore", str(file))
    assert done.code == 0, done.err
    listed = run_cli(*common, "person", "list")
    assert listed.code == 0 and "Sam" in listed.out and listed.err == ""
    assert run_cli(*common, "rotate-key", env=ENV).code == 0  # the keyring follows the new key
    stale = run_cli(*common, "restore", "--replace", str(file))
    assert stale.code == 3 and "out of date" in stale.err


@pytest.mark.keyring
def test_restoring_an_older_key_refreshes_the_keyring_copy(
    real_keyring: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup from before a rotate-key, restored on the same device: the keyring's copy (of
    the newer key) is replaced by the restored vault's, so the next command needs no
    passphrase; a restore that fails puts the copy it replaced back."""
    from profilekeeper.store import keys

    vault, file = tmp_path / "v.db", tmp_path / "b.pkb"
    common = ("--vault", str(vault))
    assert run_main(*common, "init", env=ENV).code == 0
    assert run_cli(*common, "keyring", "remember", env=ENV).code == 0
    assert run_cli(*common, "person", "add", "Sam").code == 0
    assert run_cli(*common, "backup", str(file)).code == 0
    with Vault.open(vault) as opened:
        vault_id, old_key = opened.vault_id, keys.recall(opened.vault_id)
    assert run_cli(*common, "rotate-key", env=ENV).code == 0
    new_key = keys.recall(vault_id)
    assert new_key not in (None, old_key)

    stored: list[bytes] = []
    remember = keys.remember
    monkeypatch.setattr(keys, "remember", lambda i, k: (stored.append(k), remember(i, k)))
    with Vault.open(vault) as app:  # open elsewhere: the restore is refused at the swap
        app.unlock(PASSPHRASE)
        app.add(Person(name="Written while open"))
        refused = run_main(*common, "restore", "--replace", str(file), env=ENV)
        assert refused.code == 2 and "open in another program" in refused.err
    assert stored == [old_key, new_key]  # refreshed, then put back: still the vault's key
    assert keys.recall(vault_id) == new_key
    assert run_cli(*common, "person", "list").code == 0

    done = run_cli(*common, "restore", "--replace", str(file), env=ENV)
    assert done.code == 0, done.err
    assert "key remembered on this device is now the restored vault's" in done.err
    assert keys.recall(vault_id) == old_key
    listed = run_cli(*common, "person", "list")  # no passphrase, no warning
    assert listed.code == 0 and "Sam" in listed.out and listed.err == "", listed.err
    with Vault.open(vault) as restored:
        assert restored.header.remembered
