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
