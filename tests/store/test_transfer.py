"""JSON export is complete and exact; import is all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FAST_KDF, PASSPHRASE, store_every_record

from profilekeeper.errors import InvalidInput
from profilekeeper.model import ENTITIES, Person
from profilekeeper.store.transfer import export_json, import_json
from profilekeeper.store.vault import Vault


def test_export_import_export_is_byte_identical(vault, tmp_path: Path) -> None:
    store_every_record(vault, "export")
    first = export_json(vault)
    with Vault.create(tmp_path / "copy.sqlite3", PASSPHRASE, kdf=FAST_KDF) as copy:
        counts = import_json(copy, first)
        assert sum(counts.values()) == sum(vault.count(cls) for cls in ENTITIES)
        assert export_json(copy) == first
    data = json.loads(first)
    assert {t for t, rows in data["records"].items() if rows} == {c.TABLE for c in ENTITIES}


def test_import_merges_by_id_and_replace_empties_first(vault) -> None:
    ann = vault.add(Person(name="Ann"))
    snapshot = export_json(vault)
    ann.notes = "changed"
    vault.save(ann)
    vault.add(Person(name="Bo"))

    import_json(vault, snapshot)
    assert sorted(p.name for p in vault.list(Person)) == ["Ann", "Bo"]
    assert vault.get(Person, ann.id).notes == ""
    import_json(vault, snapshot, replace=True)
    assert [p.name for p in vault.list(Person)] == ["Ann"]


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "something-else"}',
        '{"format": "profilekeeper-export", "version": 99, "records": {}}',
        '{"format": "profilekeeper-export", "version": 1, "records": {"people": [{"x": 1}]}}',
        '{"format": "profilekeeper-export", "version": 1, "records": '
        '{"gifts": [{"id": "g", "title": "t", "person_id": "nobody"}]}}',
    ],
)
def test_bad_imports_are_refused_and_change_nothing(vault, text: str) -> None:
    vault.add(Person(name="Ann"))
    before = export_json(vault)
    with pytest.raises(InvalidInput):
        import_json(vault, text, replace=True)
    assert export_json(vault) == before


OCCASION = {"id": "o1", "kind": "birthday", "month": 5, "day": 10, "person_id": None}
GOOD = {"people": {"id": "a0", "name": "Bo"}, "gifts": {"id": "a0", "title": "Bo"},
        "occasions": {"id": "a0", "kind": "anniversary", "month": 1, "day": 2}}  # fmt: skip
"""A usable record before the bad one: it must not be imported either."""


@pytest.mark.parametrize(
    ("table", "record", "field"),
    [
        ("people", {"id": "p1", "name": None}, "name"),
        ("people", {"id": "p1", "name": "   "}, "name"),
        ("people", {"id": "p1", "name": "Zed", "budget": "NaN"}, "budget"),
        ("people", {"id": "p1", "name": "Zed", "budget": "1e400"}, "budget"),
        ("occasions", {**OCCASION, "month": "13"}, "month"),
        ("occasions", {**OCCASION, "month": 13}, "month"),
        ("occasions", {**OCCASION, "day": 0}, "day"),
        ("occasions", {**OCCASION, "month": 2, "day": 30}, "day"),
        ("occasions", {**OCCASION, "year": 9999}, "year"),
        ("occasions", {**OCCASION, "lead_days": "x"}, "lead days"),
        ("occasions", {**OCCASION, "lead_days": [1, 100000]}, "lead days"),
        ("occasions", {**OCCASION, "reminder_state": {"2026": []}}, "reminder state"),
        ("gifts", {"id": "g1", "title": "Zed", "price": "NaN"}, "price"),
        ("gifts", {"id": "g1", "title": "Zed", "status": "lost"}, "status"),
        ("gifts", {"id": "g1", "title": "Zed", "on": "2026-02-30"}, "on"),
    ],
)
def test_an_import_with_an_unusable_value_names_where_it_is_and_changes_nothing(
    vault, table, record, field
) -> None:
    vault.add(Person(name="Ann"))
    before = export_json(vault)
    text = json.dumps({"format": "profilekeeper-export", "version": 1,
                       "records": {table: [GOOD[table], record]}})  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        import_json(vault, text)
    message = str(refused.value)
    assert f"the export's {table} record 2 (id {record['id']})" in message
    assert f": {field}:" in message
    assert "Zed" not in message and "NaN" not in message and "1e400" not in message
    assert export_json(vault) == before  # nothing changed, not even the good record


def test_an_id_that_is_not_shaped_like_one_is_not_echoed(vault) -> None:
    text = json.dumps({"format": "profilekeeper-export", "version": 1,
                       "records": {"people": [{"id": "Zed Secret", "name": None}]}})  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        import_json(vault, text)
    assert "the export's people record 1 cannot be used: name" in str(refused.value)
    assert "Zed" not in str(refused.value)
