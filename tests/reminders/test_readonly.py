"""The read-only fast path reads exactly what the full Vault wrote, and changes nothing."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from profilekeeper.errors import UnsupportedVault, VaultLocked, VaultMissing, WrongPassphrase
from profilekeeper.model import Gift, Occasion, Person, Profile
from profilekeeper.store import migrations
from profilekeeper.store.readonly import NeedsUpgrade, ReadOnlyVault
from tests.conftest import PASSPHRASE


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reads_what_the_vault_wrote(vault, vault_path, family):
    data_key = vault.data_key
    vault.close()
    before = _digest(vault_path)
    with ReadOnlyVault(vault_path) as ro:
        with pytest.raises(VaultLocked):
            ro.load(Person)
        ro.unlock_with_data_key(data_key)
        people = ro.load(Person)
        occasions = ro.load(Occasion)
        gifts = ro.load(Gift)
        assert ro.load(Profile)[0].id == "me"
    assert sorted(p.name for p in people) == ["Kim Ödegaard", "Lou", "Sam"]
    assert {o.id: o for o in occasions}[family["lou_bday"].id] == family["lou_bday"]
    assert len(gifts) == 3 and not (people.corrupted or occasions.corrupted or gifts.corrupted)
    assert _digest(vault_path) == before  # read-only: not a byte changed


def test_passphrase_and_wrong_keys(vault, vault_path, family):
    vault.close()
    with ReadOnlyVault(vault_path) as ro:
        with pytest.raises(WrongPassphrase):
            ro.unlock("not the passphrase")
        with pytest.raises(WrongPassphrase):
            ro.unlock_with_data_key(bytes(32))
        with pytest.raises(WrongPassphrase):
            ro.unlock_with_data_key(b"short")
        ro.unlock(PASSPHRASE)
        assert len(ro.load(Occasion)) == 3


def test_a_corrupted_record_is_reported_not_fatal(vault, vault_path, family):
    data_key = vault.data_key
    vault.close()
    with sqlite3.connect(vault_path) as conn:
        sealed = conn.execute(
            "SELECT sealed FROM occasions WHERE id = ?", (family["sam_bday"].id,)
        ).fetchone()[0]
        flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
        conn.execute(
            "UPDATE occasions SET sealed = ? WHERE id = ?", (flipped, family["sam_bday"].id)
        )
    conn.close()
    with ReadOnlyVault(vault_path) as ro:
        ro.unlock_with_data_key(data_key)
        occasions = ro.load(Occasion)
    assert len(occasions) == 2
    assert [c.record_id for c in occasions.corrupted] == [family["sam_bday"].id]
    assert "Sam" not in str(occasions.corrupted[0])


def test_schema_versions_are_checked(vault, vault_path):
    vault.close()
    with sqlite3.connect(vault_path) as conn:
        conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION + 1}")
    conn.close()
    with pytest.raises(UnsupportedVault, match="newer"):
        ReadOnlyVault(vault_path)
    with sqlite3.connect(vault_path) as conn:
        conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION - 1}")
    conn.close()
    with pytest.raises(NeedsUpgrade):
        ReadOnlyVault(vault_path)


def test_missing_and_foreign_files(tmp_path):
    with pytest.raises(VaultMissing):
        ReadOnlyVault(tmp_path / "nothing.sqlite3")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(UnsupportedVault):
        ReadOnlyVault(junk)


def test_reads_while_the_app_holds_the_vault_open(vault, vault_path, family):
    # The TUI may be running: its write-ahead log holds the newest records.
    vault.add(Person("Newcomer"))
    with ReadOnlyVault(vault_path) as ro:
        ro.unlock_with_data_key(vault.data_key)
        assert "Newcomer" in {p.name for p in ro.load(Person)}


def test_load_can_narrow_to_the_records_needed(vault, vault_path, family):
    data_key = vault.data_key
    vault.close()
    with ReadOnlyVault(vault_path) as ro:
        ro.unlock_with_data_key(data_key)
        assert {p.name for p in ro.load(Person, id={family["sam"].id})} == {"Sam"}
        assert ro.load(Person, id=set()) == []
        gifts = ro.load(Gift, person_id={family["kim"].id}, occasion_id={family["sam_bday"].id})
        assert sorted(g.title for g in gifts) == ["Book", "Vase"]  # either column matches
        with pytest.raises(ValueError):
            ro.load(Gift, title={"Book"})  # sealed fields cannot be filtered


def test_list_get_and_profile_answer_as_the_vault_does(vault, vault_path, family):
    """The app's screens read from either store, so the same calls give the same records."""
    from dataclasses import replace

    from profilekeeper.errors import CorruptedRecord, NotFound
    from profilekeeper.model import Interest

    vault.save(replace(vault.profile(), display_name="Ann"))
    vault.add(Interest("music", "Nina Simone"))  # the owner's: no person
    vault.add(Interest("books", "Tolkien", person_id=family["sam"].id))
    calls = [
        lambda store: store.list(Gift, person_id=family["sam"].id),
        lambda store: store.list(Gift, person_id=family["sam"].id, occasion_id=None),
        lambda store: store.list(Interest, person_id=None),
        lambda store: store.list(Occasion),
        lambda store: [store.get(Person, family["kim"].id)],
        lambda store: [store.profile()],
    ]
    expected = [sorted(map(repr, call(vault))) for call in calls]
    with ReadOnlyVault(vault_path) as ro:
        ro.unlock_with_data_key(vault.data_key)
        assert [sorted(map(repr, call(ro))) for call in calls] == expected
        assert [i.name for i in ro.list(Interest, person_id=None)] == ["Nina Simone"]
        assert ro.profile().display_name == "Ann"
        with pytest.raises(NotFound):
            ro.get(Person, "no-such-id")
        with pytest.raises(ValueError):
            ro.list(Gift, title="Book")

    sam_bday = family["sam_bday"].id
    with sqlite3.connect(vault_path) as conn:
        conn.execute("UPDATE occasions SET sealed = zeroblob(40) WHERE id = ?", (sam_bday,))
    conn.close()
    with ReadOnlyVault(vault_path) as ro:
        ro.unlock_with_data_key(vault.data_key)
        with pytest.raises(CorruptedRecord):
            ro.get(Occasion, sam_bday)


def test_any_file_name_opens(vault, vault_path, family, tmp_path):
    """The read-only open is a URI: "%", "?" and "#" in the path must not change which file."""
    data_key = vault.data_key
    vault.close()
    odd = tmp_path / "Ann's 100% ?#%41 vault" / "v.sqlite3"
    odd.parent.mkdir()
    odd.write_bytes(vault_path.read_bytes())
    with ReadOnlyVault(str(odd)) as ro:
        ro.unlock_with_data_key(data_key)
        assert len(ro.load(Occasion)) == 3
