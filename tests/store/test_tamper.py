"""A flipped byte or a moved ciphertext is reported for that record; the rest still loads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import PASSPHRASE, run_cli

from profilekeeper.errors import CorruptedRecord
from profilekeeper.model import Gift, Person
from profilekeeper.store.vault import Vault


def _flip_byte(path: Path, table: str, record_id: str, offset: int = -5) -> None:
    with sqlite3.connect(path) as db:
        (sealed,) = db.execute(f"SELECT sealed FROM {table} WHERE id = ?", (record_id,)).fetchone()
        damaged = bytearray(sealed)
        damaged[offset] ^= 0x01
        db.execute(f"UPDATE {table} SET sealed = ? WHERE id = ?", (bytes(damaged), record_id))


def _reopen(path: Path) -> Vault:
    vault = Vault.open(path)
    vault.unlock(PASSPHRASE)
    return vault


@pytest.mark.parametrize("offset", [0, 5, 20, -1])  # version byte, nonce, ciphertext, tag
def test_a_flipped_byte_marks_only_that_record(vault, vault_path: Path, offset: int) -> None:
    people = [vault.add(Person(name=n)) for n in ("Ann", "Bo", "Cy")]
    vault.close()
    _flip_byte(vault_path, "people", people[1].id, offset)

    with _reopen(vault_path) as reopened:
        listing = reopened.list(Person)
        assert sorted(p.name for p in listing) == ["Ann", "Cy"]
        assert [(e.table, e.record_id) for e in listing.corrupted] == [("people", people[1].id)]
        with pytest.raises(CorruptedRecord) as raised:
            reopened.get(Person, people[1].id)
        assert "Bo" not in str(raised.value)


def test_a_ciphertext_copied_into_another_row_does_not_open(vault, vault_path: Path) -> None:
    ann, bo = vault.add(Person(name="Ann")), vault.add(Person(name="Bo"))
    vault.close()
    with sqlite3.connect(vault_path) as db:
        (sealed,) = db.execute("SELECT sealed FROM people WHERE id = ?", (ann.id,)).fetchone()
        db.execute("UPDATE people SET sealed = ? WHERE id = ?", (sealed, bo.id))

    with _reopen(vault_path) as reopened:
        listing = reopened.list(Person)
        assert [p.name for p in listing] == ["Ann"]  # Ann's data never shows up under Bo's id
        assert [e.record_id for e in listing.corrupted] == [bo.id]


def test_a_gift_re_pointed_at_another_person_does_not_open(vault, vault_path: Path) -> None:
    ann, bo = vault.add(Person(name="Ann")), vault.add(Person(name="Bo"))
    gift = vault.add(Gift("Secret gift", person_id=ann.id))
    vault.close()
    with sqlite3.connect(vault_path) as db:
        db.execute("UPDATE gifts SET person_id = ? WHERE id = ?", (bo.id, gift.id))

    with _reopen(vault_path) as reopened:
        assert reopened.list(Gift, person_id=bo.id).corrupted[0].record_id == gift.id


def test_rotation_refuses_and_changes_nothing_when_a_record_is_corrupted(
    vault, vault_path: Path
) -> None:
    vault.add(Person(name="Ann"))
    bo = vault.add(Person(name="Bo"))
    key_before = vault.data_key
    vault.close()
    _flip_byte(vault_path, "people", bo.id)
    with _reopen(vault_path) as reopened, pytest.raises(CorruptedRecord):
        reopened.rotate_key(PASSPHRASE)
    with Vault.open(vault_path) as again:
        again.unlock(PASSPHRASE)
        assert again.data_key == key_before
        assert [p.name for p in again.list(Person)] == ["Ann"]


def test_cli_reports_corruption_with_exit_5_and_lists_the_rest(vault_path: Path) -> None:
    env = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
    assert run_cli("init", env=env).code == 0
    for name in ("Ann Aalto", "Bo Berg", "Cy Chen"):
        assert run_cli("person", "add", name, env=env).code == 0
    with sqlite3.connect(vault_path) as db:
        ids = [r[0] for r in db.execute("SELECT id FROM people")]
    _flip_byte(vault_path, "people", ids[0])

    result = run_cli("person", "list", env=env)
    assert result.code == 5
    assert result.out.count("\n") == 3  # header + the two intact people
    assert "corrupted" in result.err and ids[0] in result.err
    assert "Traceback" not in result.err


def _flip_key_check(path: Path, offset: int) -> None:
    with sqlite3.connect(path) as db:
        (check,) = db.execute("SELECT key_check FROM vault_header").fetchone()
        damaged = bytearray(check)
        damaged[offset] ^= 1 << (offset % 8)
        db.execute("UPDATE vault_header SET key_check = ?", (bytes(damaged),))


@pytest.mark.parametrize("offset", [0, 12, -1])  # nonce, sealed check, tag
def test_a_changed_key_check_is_refused_by_the_passphrase_too(
    vault, vault_path: Path, offset: int
) -> None:
    """The keyring's key is refused when the key check does not name it; the passphrase, which
    unwraps the right key, is refused the same way: no unlock of a changed key table."""
    from profilekeeper.errors import WrongPassphrase
    from profilekeeper.store.damage import KeyTableChanged
    from profilekeeper.store.readonly import ReadOnlyVault

    vault.add(Person(name="Ann"))
    data_key = vault.data_key
    vault.close()
    _flip_key_check(vault_path, offset)
    for store in (Vault.open(vault_path), ReadOnlyVault(vault_path)):  # both doors
        with store:
            with pytest.raises(KeyTableChanged) as raised:
                store.unlock(PASSPHRASE)
            assert raised.value.exit_code == 5 and "key table was changed" in str(raised.value)
            assert not store.is_unlocked
            with pytest.raises(WrongPassphrase):
                store.unlock_with_data_key(data_key)
            assert not store.is_unlocked
    with Vault.open(vault_path) as again, pytest.raises(WrongPassphrase):
        again.unlock("not the passphrase")  # a wrong passphrase is still just that


def test_cli_refuses_a_changed_key_check_with_exit_5(vault_path: Path) -> None:
    env = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
    assert run_cli("init", env=env).code == 0
    assert run_cli("person", "add", "Ann Aalto", env=env).code == 0
    _flip_key_check(vault_path, 20)
    for command in (("person", "list"), ("remind",), ("person", "add", "Bo"), ("rotate-key",)):
        result = run_cli(*command, env=env)
        assert result.code == 5, (command, result.err)
        assert result.err.count("\n") == 1 and result.err.startswith("profilekeeper: the vault")
        assert "key table was changed" in result.err and "restore" in result.err
        assert "Traceback" not in result.err and "Ann" not in result.out
