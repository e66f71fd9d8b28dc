"""The sealed date index is never stale: every way occasions change leaves it right or empty."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import FAST_KDF, PASSPHRASE, count_opens, run_cli, undo_schema_version_3

from profilekeeper.contacts import import_contacts
from profilekeeper.model import Gift, Occasion, Person
from profilekeeper.services import people
from profilekeeper.store import occasion_dates
from profilekeeper.store.crypto import AesGcmCipher
from profilekeeper.store.readonly import ReadOnlyVault
from profilekeeper.store.transfer import export_json, import_json
from profilekeeper.store.vault import Vault


def indexed(path: Path, data_key: bytes) -> dict[str, tuple[int, int, int | None, bool]] | None:
    """What the index says, read as ``remind`` reads it (None: empty or damaged)."""
    with ReadOnlyVault(path) as ro:
        ro.unlock_with_data_key(data_key)
        index = ro.occasion_dates()
    if index is None:
        return None
    assert index.unreadable == []
    return {d.id: (d.month, d.day, d.year, d.yearly) for d in index.dates}


def actual(vault: Vault) -> dict[str, tuple[int, int, int | None, bool]]:
    return {o.id: (o.month, o.day, o.year, o.yearly) for o in vault.list(Occasion)}


@pytest.fixture
def sam(vault: Vault) -> Person:
    sam = vault.add(Person(name="Sam"))
    vault.add(Occasion("birthday", 5, 10, 1986, person_id=sam.id))
    return sam


UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
VCARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kim\r\nBDAY:--0229\r\nEND:VCARD\r\n"

CHANGES: dict[str, Callable[[Vault, Person], object]] = {
    "add": lambda v, p: v.add(Occasion("anniversary", 6, 1, person_id=p.id)),
    "add_all": lambda v, p: v.add_all([Occasion("name day", 1, 2, person_id=p.id, yearly=False,
                                                 year=2030), Occasion("other", 12, 31)]),
    "save (new date)": lambda v, p: v.save(replace(v.list(Occasion)[0], month=7, day=4)),
    "save_all": lambda v, p: v.save_all([replace(o, year=None) for o in v.list(Occasion)]),
    "delete": lambda v, p: v.delete(Occasion, v.list(Occasion)[0].id),
    "delete_where": lambda v, p: v.delete_where(Occasion, person_id=p.id),
    "delete a person (cascade)": lambda v, p: v.delete(Person, p.id),
    "services' remove_occasion": lambda v, p: people.remove_occasion(v, v.list(Occasion)[0].id),
    "delete_all_records": lambda v, p: v.delete_all_records(),
    "import_json replace": lambda v, p: import_json(
        v, export_json(v).replace('"month":5', '"month":8').replace('"month": 5', '"month": 8'),
        replace=True),
    "import_contacts": lambda v, p: import_contacts(v, VCARD),
    "a transaction of several": lambda v, p: _several(v, p),
}


def _several(vault: Vault, person: Person) -> None:
    with vault.transaction():
        vault.add(Occasion("anniversary", 3, 3, person_id=person.id))
        vault.add(Gift("Scarf", person_id=person.id))
        vault.delete(Occasion, vault.list(Occasion)[0].id)


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_write_path_leaves_the_index_equal_to_the_occasions(vault, vault_path, sam, change):
    assert indexed(vault_path, vault.data_key) == actual(vault)  # sealed when Sam's was added
    CHANGES[change](vault, sam)
    assert indexed(vault_path, vault.data_key) == actual(vault)


def test_writes_that_touch_no_occasion_leave_it_as_it_was(vault, vault_path, sam):
    before = _sealed(vault_path)
    vault.add(Gift("Book", person_id=sam.id))
    vault.save(replace(sam, notes="likes tea"))
    vault.set_remembered(True)
    assert _sealed(vault_path) == before


def test_rotation_reseals_it_under_the_new_key(vault, vault_path, sam):
    old_key = vault.data_key
    new_key = vault.rotate_key(PASSPHRASE)
    assert indexed(vault_path, new_key) == actual(vault)
    assert occasion_dates.open_index(_sealed(vault_path), AesGcmCipher(old_key)) is None


def _sealed(path: Path) -> bytes | None:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT sealed FROM occasion_dates").fetchone()[0]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO occasions VALUES ('x', 1, 1, NULL, x'00')",
        "UPDATE occasions SET sealed = x'00'",
        "DELETE FROM occasions",
        "UPDATE vault_header SET key_check = x'00'",
    ],
)
def test_another_program_writing_empties_it(vault, vault_path, sam, statement):
    """The triggers are in the file: a write by any program, not only this store, empties it."""
    vault.close()
    with sqlite3.connect(vault_path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute(statement)
    db.close()
    assert _sealed(vault_path) is None


def test_a_damaged_index_reads_as_none_and_remind_reads_everything(vault, vault_path, sam):
    data_key = vault.data_key
    vault.close()
    sealed = _sealed(vault_path)
    assert sealed is not None
    with sqlite3.connect(vault_path) as db:
        db.execute("UPDATE occasion_dates SET sealed = ?", (sealed[:-1] + bytes([sealed[-1] ^ 1]),))
    db.close()
    assert indexed(vault_path, data_key) is None
    result = run_cli("remind", "--today", "2026-05-01", env=UNLOCK)
    assert result.code == 1 and "Sam turns 40" in result.out, result.err


def test_a_record_that_would_not_open_is_named_so_remind_still_reports_it(vault, vault_path, sam):
    [birthday] = vault.list(Occasion)
    with sqlite3.connect(vault_path) as db:
        db.execute("UPDATE occasions SET sealed = x'00' WHERE id = ?", (birthday.id,))
    db.close()
    vault.add(Occasion("anniversary", 5, 12, person_id=sam.id))  # reseals; the birthday won't open
    with ReadOnlyVault(vault_path) as ro:
        ro.unlock_with_data_key(vault.data_key)
        index = ro.occasion_dates()
    assert index is not None and index.unreadable == [birthday.id]
    vault.close()
    result = run_cli("remind", "--today", "2026-05-01", env=UNLOCK)
    assert result.code == 1 and "Sam's anniversary" in result.out  # due, one left out
    assert "1 record(s) could not be read" in result.err


def test_a_locked_write_leaves_it_empty_and_the_next_unlocked_write_reseals(vault, vault_path, sam):
    data_key = vault.data_key
    [birthday] = vault.list(Occasion)
    vault.lock()
    vault.delete(Occasion, birthday.id)  # deleting needs no key, so the index cannot be resealed
    assert _sealed(vault_path) is None
    vault.unlock_with_data_key(data_key)
    vault.add(Occasion("anniversary", 5, 20, person_id=sam.id))
    assert indexed(vault_path, data_key) == actual(vault)


def test_a_new_vault_gets_an_index_and_an_upgraded_one_gets_it_at_its_first_write(tmp_path):
    path = tmp_path / "v.sqlite3"
    with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as vault:
        assert indexed(path, vault.data_key) == {}
        vault.add(Occasion("birthday", 1, 1))
    as_version_2(path)
    with Vault.open(path) as vault:  # upgrades: the index starts empty
        vault.unlock(PASSPHRASE)
        assert _sealed(path) is None
        vault.add(Person(name="Ann"))
        assert indexed(path, vault.data_key) == actual(vault)


def as_version_2(path: Path) -> None:
    with sqlite3.connect(path) as db:
        undo_schema_version_3(db)
    db.close()


def test_remind_on_a_vault_from_the_previous_release_upgrades_it_and_reads_everything(
    vault, vault_path, sam
):
    vault.close()
    as_version_2(vault_path)
    result = run_cli("remind", "--today", "2026-05-01", env=UNLOCK)
    assert result.code == 1 and "Sam turns 40" in result.out, result.err
    with sqlite3.connect(vault_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    db.close()
    assert _sealed(vault_path) is None  # sealed by the next write, not by remind


# --- reading through it: both stores, the same answers -------------------------------------


@pytest.fixture
def crowd(vault: Vault) -> Vault:
    """120 people with two occasions each, gift ideas, a bought gift and an ownerless one."""
    from profilekeeper.demo import synthetic_people
    from profilekeeper.model import GiftStatus

    with vault.transaction():
        for records in synthetic_people(120, seed=7).values():
            vault.add_all(records)
        people = vault.list(Person)
        birthdays = {o.person_id: o for o in vault.list(Occasion) if o.kind == "birthday"}
        vault.add_all([Gift(f"Idea {i}", person_id=p.id) for i, p in enumerate(people[::3])])
        vault.add_all([Gift("Bought", person_id=p.id, occasion_id=birthdays[p.id].id,
                            status=GiftStatus.BOUGHT, on=date(2026, 1, 1)) for p in people[::7]])
        vault.add(Occasion("other", 6, 1, label="office party"))  # nobody's
    return vault


def test_both_stores_load_the_same_records_by_id_or_reference(crowd, vault_path):
    from profilekeeper.errors import CorruptedRecord

    people = crowd.list(Person)
    some = {p.id for p in people[:5]}
    gift = crowd.list(Gift)[0]
    with ReadOnlyVault(vault_path) as ro:
        ro.unlock_with_data_key(crowd.data_key)
        for store in (crowd, ro):
            assert sorted(p.id for p in store.load(Person, id=some)) == sorted(some)
            assert len(store.load(Person)) == len(people) and store.load(Person, id=set()) == []
            either = store.load(Gift, person_id=some, occasion_id={gift.occasion_id or "-"})
            assert {g.id for g in either} == {
                g.id for g in crowd.list(Gift) if g.person_id in some
                or (gift.occasion_id and g.occasion_id == gift.occasion_id)}
            with pytest.raises(ValueError):
                store.load(Gift, title={"Idea 1"})  # sealed fields cannot be filtered
    with sqlite3.connect(vault_path) as db:
        db.execute("UPDATE people SET sealed = x'00' WHERE id = ?", (people[0].id,))
    db.close()
    damaged = crowd.load(Person, id=some)
    assert len(damaged) == 4 and isinstance(damaged.corrupted[0], CorruptedRecord)


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2026, 6, 1), date(2026, 12, 20)])
def test_home_reads_only_the_window_and_shows_what_reading_everything_shows(
    crowd, vault_path, today
):
    from profilekeeper import services

    data_key = crowd.data_key
    with ReadOnlyVault(vault_path) as ro:
        ro.unlock_with_data_key(data_key)
        for store in (crowd, ro):
            opened = count_opens(store)
            with_index = services.home_view(store, today)
            decrypted = len(opened)
            empty_index(vault_path)
            assert store.occasion_dates() is None
            opened.clear()
            assert services.home_view(store, today) == with_index
            assert decrypted < len(opened) / 2  # the window's records, not everyone's
            crowd.save(crowd.profile())  # any write reseals an empty index: for the next store
            assert store.occasion_dates() is not None
    assert with_index.upcoming and with_index.due  # the check compared something


def empty_index(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE occasion_dates SET sealed = NULL")
    db.close()
