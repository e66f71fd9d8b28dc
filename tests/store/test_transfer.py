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
    ann = vault.add_person(Person(name="Ann"))
    snapshot = export_json(vault)
    ann.notes = "changed"
    vault.save(ann)
    vault.add_person(Person(name="Bo"))

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
    vault.add_person(Person(name="Ann"))
    before = export_json(vault)
    with pytest.raises(InvalidInput):
        import_json(vault, text, replace=True)
    assert export_json(vault) == before
