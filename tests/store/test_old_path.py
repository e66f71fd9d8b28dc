"""The sqlite3 store reads what the SQLAlchemy store wrote, and answers as it did.

data/old_path_vault.sqlite3 was written, damaged and read back by the store before it ran on
sqlite3 alone (data/make_old_path_vault.py says how); data/old_path_expected.json holds that
store's answers. Both doors of today's store, read-write and read-only, must give the same:
the same records, in the same order, the damaged ones reported the same way.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import PASSPHRASE

from profilekeeper.model import Person
from profilekeeper.store.readonly import ReadOnlyVault
from profilekeeper.store.vault import Vault
from tests.store.data.make_old_path_vault import answers

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "old_path_expected.json").read_text())


@pytest.fixture
def old_vault(tmp_path: Path) -> Path:
    path = tmp_path / "vault.sqlite3"
    shutil.copy(DATA / "old_path_vault.sqlite3", path)
    return path


def test_the_fixture_holds_what_the_comparison_needs() -> None:
    """Every table has records, and each kind of damage is in it, so the match below means
    something."""
    tables = [v for v in EXPECTED.values() if isinstance(v, dict) and "records" in v]
    assert len(tables) == 11 and all(t["records"] for t in tables)
    kinds = {c[0] for t in tables for c in t["corrupted"]}
    assert kinds == {"CorruptedRecord", "DamagedRecord"}
    assert EXPECTED["load_gifts"]["ids"] and EXPECTED["occasion_dates"]


def test_the_read_write_store_answers_as_the_old_one(old_vault: Path) -> None:
    with Vault.open(old_vault) as vault:
        vault.unlock(PASSPHRASE)
        assert answers(vault) == EXPECTED


def test_the_read_only_store_answers_as_the_old_one(old_vault: Path) -> None:
    with ReadOnlyVault(old_vault) as vault:
        vault.unlock(PASSPHRASE)
        assert answers(vault) == EXPECTED  # type: ignore[arg-type]


def test_get_reports_a_damaged_record_as_the_listing_does(old_vault: Path) -> None:
    damaged = {c[2]: c[0] for c in EXPECTED["people"]["corrupted"]}
    with Vault.open(old_vault) as vault, ReadOnlyVault(old_vault) as readonly:
        vault.unlock(PASSPHRASE)
        readonly.unlock(PASSPHRASE)
        for store in (vault, readonly):
            for record_id, kind in damaged.items():
                with pytest.raises(Exception) as raised:
                    store.get(Person, record_id)
                assert type(raised.value).__name__ == kind


def test_records_written_now_are_read_back_by_both_doors_alike(old_vault: Path) -> None:
    with Vault.open(old_vault) as vault:
        vault.unlock(PASSPHRASE)
        vault.add_all(Person(f"New {i}") for i in range(50))
        listed = vault.list(Person)
    with ReadOnlyVault(old_vault) as readonly:
        readonly.unlock(PASSPHRASE)
        again = readonly.list(Person)
    assert again == listed and len(listed) == 39 + 50
    assert [c.record_id for c in again.corrupted] == [c.record_id for c in listed.corrupted]
