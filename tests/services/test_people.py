"""People and their occasions (services/people.py): the rules the vault used to hold.

The two front ends that call these are tested in test_records.py; two writers at once, in
tests/store/test_races.py.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from profilekeeper.errors import Conflict, CorruptedRecord, InvalidInput, NotFound
from profilekeeper.model import Gift, Interest, Occasion, Person
from profilekeeper.services import people


def test_person_names_must_be_present_and_unique(vault) -> None:
    people.add_person(vault, Person(name="  Sam   Lee "))
    assert people.find_person(vault, "sam lee").name == "Sam Lee"
    with pytest.raises(Conflict):
        people.add_person(vault, Person(name="SAM LEE"))
    with pytest.raises(InvalidInput):
        people.add_person(vault, Person(name="   "))
    with pytest.raises(NotFound):
        people.find_person(vault, "Nobody")


def test_a_person_saved_keeps_their_name_theirs_alone(vault) -> None:
    sam, kim = (people.add_person(vault, Person(name=n)) for n in ("Sam", "Kim"))
    assert people.save_person(vault, replace(sam, name=" SAM  ")).name == "SAM"  # their own
    with pytest.raises(Conflict):
        people.save_person(vault, replace(kim, name="sam"))
    assert sorted(p.name for p in vault.list(Person)) == ["Kim", "SAM"]


@pytest.mark.parametrize("gifts", ["delete", "keep"])
def test_removing_a_person_handles_their_gifts_as_asked(vault, gifts: str) -> None:
    sam = vault.add(Person(name="Sam"))
    birthday = vault.add(Occasion("birthday", 3, 15, person_id=sam.id))
    vault.add(Interest("music", "jazz", person_id=sam.id))
    gift = vault.add(Gift("Record player", person_id=sam.id, occasion_id=birthday.id))

    with pytest.raises(Conflict):
        people.remove_person_by_id(vault, sam.id)  # refuses by default while gifts exist
    assert vault.count(Person) == 1

    assert people.remove_person_by_id(vault, sam.id, gifts=gifts) == 1
    assert vault.count(Person) == vault.count(Occasion) == vault.count(Interest) == 0
    remaining = vault.list(Gift)
    if gifts == "keep":
        assert remaining == [replace(gift, person_id=None, occasion_id=None)]
    else:
        assert remaining == []


def test_a_gift_that_does_not_open_can_be_deleted_with_its_person_but_not_kept(
    vault, vault_path: Path
) -> None:
    sam = vault.add(Person(name="Sam"))
    good, bad = (vault.add(Gift(t, person_id=sam.id)) for t in ("Scarf", "Hat"))
    with sqlite3.connect(vault_path) as db:
        db.execute("UPDATE gifts SET sealed = x'00' WHERE id = ?", (bad.id,))
    with pytest.raises(CorruptedRecord):
        people.remove_person_by_id(vault, sam.id, "keep")
    assert vault.count(Person) == 1 and vault.list(Gift) == [good]  # nothing changed
    assert people.remove_person_by_id(vault, sam.id, "delete") == 2  # the unreadable one too
    assert vault.count(Person) == vault.count(Gift) == 0
    with pytest.raises(ValueError):
        people.remove_person_by_id(vault, sam.id, "forget")


def test_removing_an_occasion_keeps_its_gifts(vault) -> None:
    sam = vault.add(Person(name="Sam"))
    birthday = vault.add(Occasion("birthday", 3, 15, person_id=sam.id))
    gift = vault.add(Gift("Scarf", person_id=sam.id, occasion_id=birthday.id))
    people.remove_occasion(vault, birthday.id)
    assert vault.list(Gift) == [replace(gift, occasion_id=None)]
