"""Records go in sealed and come back equal; the vault's own rules hold (the product's rules
about records: tests/services/)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FAST_KDF, PASSPHRASE, every_record, store_every_record
from hypothesis import given, settings
from hypothesis import strategies as st

from profilekeeper.errors import (
    CorruptedRecord,
    InvalidInput,
    VaultExists,
    VaultMissing,
)
from profilekeeper.model import (
    ENTITIES,
    Gift,
    Grant,
    Interest,
    Person,
    Retailer,
    Sentiment,
)
from profilekeeper.store.crypto import KdfParams
from profilekeeper.store.vault import Vault


def test_every_entity_round_trips_through_a_reopened_vault(vault, vault_path: Path) -> None:
    records = store_every_record(vault, "roundtrip")
    vault.close()

    with Vault.open(vault_path) as reopened:
        reopened.unlock(PASSPHRASE)
        for record in records:
            assert reopened.get(type(record), record.id) == record
        assert {cls for cls in ENTITIES} == {type(r) for r in records}


@settings(max_examples=40, deadline=None)
@given(
    name=st.text(min_size=1).filter(lambda s: " ".join(s.split())),
    notes=st.text(),
    sizes=st.dictionaries(st.text(), st.text(), max_size=3),
)
def test_any_text_round_trips(tmp_path_factory, name: str, notes: str, sizes: dict) -> None:
    path = tmp_path_factory.mktemp("prop") / "v.sqlite3"
    with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as vault:
        person = vault.add(Person(name=name, notes=notes, sizes=sizes))
        assert vault.get(Person, person.id) == person


def test_list_filters_by_reference(vault) -> None:
    sam, ann = Person(name="Sam"), Person(name="Ann")
    vault.add_all([sam, ann])
    vault.add_all([Interest("music", "jazz", person_id=sam.id), Interest("films", "noir")])
    assert [i.name for i in vault.list(Interest, person_id=sam.id)] == ["jazz"]
    assert [i.name for i in vault.list(Interest, person_id=None)] == ["noir"]
    with pytest.raises(ValueError):
        vault.list(Interest, name="jazz")  # sealed fields cannot be queried in SQL


def test_delete_where_takes_the_records_of_a_reference_unopened(vault, vault_path: Path) -> None:
    sam, kim = Person(name="Sam"), Person(name="Kim")
    vault.add_all([sam, kim])
    scarf = Gift("Scarf", person_id=sam.id)
    vault.add_all([scarf, Gift("Hat", person_id=sam.id), Gift("Book", person_id=kim.id),
                   Gift("Mine")])  # fmt: skip
    with sqlite3.connect(vault_path) as db:  # one of Sam's no longer opens: it goes all the same
        db.execute("UPDATE gifts SET sealed = x'00' WHERE id = ?", (scarf.id,))
    assert vault.delete_where(Gift, person_id=sam.id) == 2
    assert vault.delete_where(Gift, person_id=None) == 1  # None: the records with no person
    assert [g.title for g in vault.list(Gift)] == ["Book"]
    for where in ({}, {"title": "Book"}):
        with pytest.raises(ValueError):
            vault.delete_where(Gift, **where)


def test_a_failed_transaction_leaves_nothing_behind(vault) -> None:
    with pytest.raises(RuntimeError), vault.transaction():
        vault.add(Person(name="Half"))
        raise RuntimeError("interrupted")
    assert vault.count(Person) == 0


def test_create_refuses_an_existing_file_and_open_needs_one(vault_path: Path, tmp_path) -> None:
    vault_path.write_bytes(b"mine")
    with pytest.raises(VaultExists):
        Vault.create(vault_path, PASSPHRASE, kdf=FAST_KDF)
    assert vault_path.read_bytes() == b"mine"
    with pytest.raises(VaultMissing):
        Vault.open(tmp_path / "absent.sqlite3")


def test_create_leaves_no_half_made_vault_when_it_fails(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    with pytest.raises(InvalidInput):
        Vault.create(path, "", kdf=FAST_KDF)
    # Fails after the file and schema exist: Argon2 needs at least 8 KiB per lane.
    with pytest.raises(ValueError):
        Vault.create(path, PASSPHRASE, kdf=KdfParams(memory_kib=1, iterations=1, lanes=1))
    assert list(tmp_path.iterdir()) == []


def test_every_record_fixture_covers_every_table() -> None:
    assert {type(r) for r in every_record("x")} == set(ENTITIES)


def test_record_ids_are_32_random_hex_digits() -> None:
    import re

    from profilekeeper.model import new_id

    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert Person("Sam").id != Person("Sam").id


# -- rollback of one record: the limit docs/threat-model.md ("Rolling records back") states ---


def _sealed(path: Path, table: str, record_id: str) -> tuple[Any, ...]:
    with closing(sqlite3.connect(path)) as db:
        return tuple(db.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone())


def _put_back(path: Path, table: str, row: tuple[Any, ...]) -> None:
    """What someone with write access to the file can do: store an earlier row again."""
    marks = ", ".join("?" * len(row))
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", row)


def test_an_older_ciphertext_of_the_same_record_opens_so_a_change_can_be_undone(
    vault, vault_path: Path
) -> None:
    """Not detected: an opt-out, a "never", a revoked grant, a deletion, each undone."""
    retailer = vault.add(Retailer(name="Shop", base_url="https://shop.example"))
    grant = vault.add(Grant(retailer.id, "interests.music", since=datetime(2026, 1, 1, tzinfo=UTC)))
    vault.save(replace(vault.profile(), opted_in=True))
    band = vault.add(Interest("music", "Band", sentiment=Sentiment.LIKE))
    gone = vault.add(Interest("films", "Noir"))
    before = {(t, i): _sealed(vault_path, t, i) for t, i in
              [("profile", "me"), ("interests", band.id), ("interests", gone.id),
               ("grants", grant.id)]}  # fmt: skip
    vault.save(replace(vault.profile(), opted_in=False))  # greeting only from now on
    vault.save(replace(band, sentiment=Sentiment.NEVER))
    vault.save(replace(grant, revoked_at=datetime(2026, 2, 1, tzinfo=UTC)))
    vault.delete(Interest, gone.id)
    vault.close()
    for (table, _), row in before.items():
        _put_back(vault_path, table, row)
    with Vault.open(vault_path) as rolled_back:
        rolled_back.unlock(PASSPHRASE)
        assert rolled_back.profile().opted_in is True
        assert rolled_back.get(Interest, band.id).sentiment == Sentiment.LIKE
        assert rolled_back.get(Grant, grant.id).revoked_at is None
        assert rolled_back.get(Interest, gone.id) == gone  # back from the dead
        assert rolled_back.list(Interest).corrupted == []  # and nothing says so


def test_a_ciphertext_cannot_move_to_another_record_or_outlive_a_key_rotation(
    vault, vault_path: Path
) -> None:
    band = vault.add(Interest("music", "Band", sentiment=Sentiment.LIKE))
    other = vault.add(Interest("music", "Other", sentiment=Sentiment.NEVER))
    band_row = _sealed(vault_path, "interests", band.id)
    _put_back(vault_path, "interests", (other.id, *band_row[1:]))  # Band's envelope, Other's id
    with pytest.raises(CorruptedRecord):
        vault.get(Interest, other.id)
    vault.save(other)  # repaired
    vault.save(replace(band, sentiment=Sentiment.NEVER))
    vault.rotate_key(PASSPHRASE)
    _put_back(vault_path, "interests", band_row)  # sealed under the key before the rotation
    with pytest.raises(CorruptedRecord):
        vault.get(Interest, band.id)


def test_one_vault_object_serves_several_threads_at_once(vault) -> None:
    """The app reads from its UI thread while workers write: each transaction gets a
    connection of its own, and a thread's write transaction is its own."""
    import threading

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work(n: int) -> None:
        try:
            start.wait(10)
            for i in range(20):
                with vault.transaction():
                    vault.add(Person(name=f"T{n}-{i}"))
                    assert vault.count(Person) >= i + 1
                vault.list(Person)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    names = sorted(p.name for p in vault.list(Person))
    assert names == sorted(f"T{n}-{i}" for n in range(4) for i in range(20))
