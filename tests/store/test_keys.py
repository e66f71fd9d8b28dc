"""Passphrases: wrong ones fail cleanly; change and rotation keep every record readable."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FAST_KDF, PASSPHRASE, store_every_record

from profilekeeper.errors import Conflict, KeyReplaced, WrongPassphrase
from profilekeeper.model import Person
from profilekeeper.services import people
from profilekeeper.store.crypto import KdfParams
from profilekeeper.store.key_header import KeyChanged
from profilekeeper.store.vault import Vault

NEW = "a different passphrase"


def _contents(vault: Vault, records: list) -> list:
    return [vault.get(type(r), r.id) for r in records]


def test_wrong_passphrase_then_right_one(vault, vault_path: Path) -> None:
    vault.close()
    with Vault.open(vault_path) as reopened:
        with pytest.raises(WrongPassphrase):
            reopened.unlock("not it")
        assert not reopened.is_unlocked
        reopened.unlock(PASSPHRASE)
        assert reopened.is_unlocked


def test_passphrase_change_rewraps_without_touching_records(vault, vault_path: Path) -> None:
    records = store_every_record(vault, "pw")
    sealed_before = _sealed(vault_path)
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not it", NEW)
    vault.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)
    vault.close()
    assert _sealed(vault_path) == sealed_before
    with Vault.open(vault_path) as reopened:
        with pytest.raises(WrongPassphrase):
            reopened.unlock(PASSPHRASE)
        reopened.unlock(NEW)
        assert _contents(reopened, records) == records


def test_rotation_re_encrypts_everything_under_a_new_key(vault, vault_path: Path) -> None:
    records = store_every_record(vault, "rot")
    old_key, sealed_before = vault.data_key, _sealed(vault_path)
    seen: list[tuple[int, int]] = []
    new_key = vault.rotate_key(PASSPHRASE, progress=lambda d, t: seen.append((d, t)))
    assert new_key != old_key and vault.data_key == new_key
    assert seen[-1][0] == seen[-1][1] == len(records)
    sealed_after = _sealed(vault_path)
    assert sealed_after.keys() == sealed_before.keys()
    assert all(sealed_after[k] != sealed_before[k] for k in sealed_before)
    vault.close()
    with Vault.open(vault_path) as reopened:
        with pytest.raises(WrongPassphrase):
            reopened.unlock_with_data_key(old_key)  # a stale keyring copy is refused
        reopened.unlock(PASSPHRASE)
        assert reopened.header.key_generation == 2
        assert _contents(reopened, records) == records


def test_kdf_parameters_are_in_the_header_and_default_to_at_least_64mib_3_passes(
    vault_path: Path,
) -> None:
    Vault.create(vault_path, PASSPHRASE).close()
    with sqlite3.connect(vault_path) as db:
        kdf = json.loads(db.execute("SELECT kdf FROM vault_header").fetchone()[0])
    assert kdf["algorithm"] == "argon2id"
    assert kdf["memory_kib"] >= 64 * 1024 and kdf["iterations"] >= 3
    assert KdfParams.from_json(kdf).salt != KdfParams().salt  # random per vault


def test_passphrase_is_normalized_so_composed_and_decomposed_forms_match(tmp_path) -> None:
    composed, decomposed = "caf\u00e9 au lait", "cafe\u0301 au lait"
    Vault.create(tmp_path / "v", composed, kdf=FAST_KDF).close()
    with Vault.open(tmp_path / "v") as vault:
        vault.unlock(decomposed)


def _sealed(path: Path) -> dict[tuple[str, str], bytes]:
    tables = [
        "profile",
        "people",
        "interests",
        "occasions",
        "gifts",
        "purchases",
        "retailers",
        "grants",
        "share_records",
        "suggestions",
        "rules",
    ]
    with sqlite3.connect(path) as db:
        return {(t, i): s for t in tables for i, s in db.execute(f"SELECT id, sealed FROM {t}")}


# -- one key header, several programs (the races themselves: tests/store/test_races.py) -------


def _other_program(path: Path) -> Vault:
    other = Vault.open(path)
    other.unlock(PASSPHRASE)
    return other


def test_passwd_takes_a_new_key_generation_and_a_vault_left_open_goes_by_it(
    vault, vault_path: Path
) -> None:
    with _other_program(vault_path) as other:
        other.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)
        assert other.header.key_generation == 2
    # Left open since before: its passphrase is the vault's current one, not the one it had.
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase(PASSPHRASE, "a third passphrase", kdf=FAST_KDF)
    with pytest.raises(WrongPassphrase):
        vault.rotate_key(PASSPHRASE)
    vault.change_passphrase(NEW, "a third passphrase", kdf=FAST_KDF)
    vault.close()
    with Vault.open(vault_path) as reopened:
        assert reopened.header.key_generation == 3
        reopened.unlock("a third passphrase")


def test_a_vault_held_open_across_another_programs_rotation_writes_nothing_until_unlocked(
    vault, vault_path: Path
) -> None:
    sam = vault.add(Person(name="Sam"))
    with _other_program(vault_path) as other:
        other.rotate_key(PASSPHRASE)
    with pytest.raises(KeyChanged, match="unlock the vault again"):
        vault.add(Person(name="Ann"))
    with pytest.raises(KeyChanged):
        vault.save(replace(sam, notes="changed"))
    with pytest.raises(KeyChanged):
        vault.set_remembered(True)  # the key it would have remembered opens nothing now
    with pytest.raises(KeyChanged):
        vault.rotate_key(PASSPHRASE)  # it would re-encrypt from a key no record is under
    with pytest.raises(KeyReplaced, match="unlock the vault again"):
        vault.list(Person)  # not "record people/… is corrupted": the key is the story
    with pytest.raises(KeyReplaced):
        vault.get(Person, sam.id)
    vault.unlock(PASSPHRASE)  # reads the header as it is now
    vault.add(Person(name="Ann"))
    vault.set_remembered(True)
    vault.close()
    with Vault.open(vault_path) as reopened:
        reopened.unlock(PASSPHRASE)
        people = reopened.list(Person)
        assert sorted(p.name for p in people) == ["Ann", "Sam"] and people.corrupted == []
        assert reopened.header.remembered


def test_forgetting_the_keyring_copy_needs_no_current_key(vault, vault_path: Path) -> None:
    vault.set_remembered(True)
    with _other_program(vault_path) as other:
        other.rotate_key(PASSPHRASE)
    vault.set_remembered(False)
    assert not vault.header.remembered
    with pytest.raises(KeyChanged):  # its header is still that of the key it holds
        vault.add(Person(name="Ann"))


def test_readers_take_no_lock_and_a_second_writer_waits_then_sees_the_first(
    vault, vault_path: Path
) -> None:
    other, failed = _other_program(vault_path), []

    def add_the_same_name() -> None:
        try:
            people.add_person(other, Person(name="ann"))
        except Conflict as error:
            failed.append(error)

    with vault.transaction():
        people.add_person(vault, Person(name="Ann"))  # the write lock is held from here on
        started = time.monotonic()
        assert other.list(Person) == []  # the committed state, at once
        assert time.monotonic() - started < 1
        second = threading.Thread(target=add_the_same_name)
        second.start()
        second.join(0.3)
        assert second.is_alive()  # waiting at BEGIN IMMEDIATE, before its name check
    second.join(5)
    other.close()
    assert len(failed) == 1 and [p.name for p in vault.list(Person)] == ["Ann"]


def test_an_older_header_put_back_revives_the_old_passphrase_until_the_key_is_rotated(
    vault, vault_path: Path
) -> None:
    """The limit docs/threat-model.md states: passwd alone does not retire the old passphrase
    for someone who kept the old header and can write the file."""
    records = store_every_record(vault, "hdr")
    with sqlite3.connect(vault_path) as db:
        old_header = db.execute("SELECT * FROM vault_header").fetchone()
    vault.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)
    vault.close()
    _put_back_header(vault_path, old_header)
    with Vault.open(vault_path) as rolled_back:
        rolled_back.unlock(PASSPHRASE)
        assert _contents(rolled_back, records) == records
        rolled_back.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)  # the owner's next try:
        rolled_back.rotate_key(NEW)  # this time with a rotation
    _put_back_header(vault_path, old_header)
    with Vault.open(vault_path) as rolled_back:
        rolled_back.unlock(PASSPHRASE)  # the old key, which no record is under any more
        assert all(rolled_back.list(type(r)).corrupted for r in records)


def _put_back_header(path: Path, row: tuple[object, ...]) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(f"INSERT OR REPLACE INTO vault_header VALUES ({', '.join('?' * len(row))})", row)


def test_a_reader_opened_before_another_programs_rotation_says_unlock_again(
    vault, vault_path: Path
) -> None:
    from profilekeeper.store.readonly import ReadOnlyVault

    vault.add(Person(name="Sam"))
    with ReadOnlyVault(vault_path) as reader:
        reader.unlock_with_data_key(vault.data_key)
        assert [p.name for p in reader.list(Person)] == ["Sam"]
        with _other_program(vault_path) as other:
            other.rotate_key(PASSPHRASE)
        with pytest.raises(KeyReplaced, match="unlock the vault again"):
            reader.list(Person)
    with ReadOnlyVault(vault_path) as reader:  # a damaged record is still just that
        reader.unlock(PASSPHRASE)
        with closing(sqlite3.connect(vault_path)) as db, db:
            db.execute("UPDATE people SET sealed = x'00'")
        assert [c.table for c in reader.list(Person).corrupted] == ["people"]
