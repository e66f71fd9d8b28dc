"""Frozen migration steps, SQLModel tables and the domain model agree; old vaults upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import PASSPHRASE, run_cli, undo_schema_version_3

from profilekeeper.errors import UnsupportedVault
from profilekeeper.model import ENTITIES, Gift, Person, Rule, RuleAction
from profilekeeper.store import key_header, migrations
from profilekeeper.store.codec import codec_for
from profilekeeper.store.tables import ROW_TABLES, OccasionDates, VaultHeader
from profilekeeper.store.vault import Vault


def _schema(db: sqlite3.Connection) -> dict[str, dict[str, tuple[bool, bool]]]:
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        t: {
            c[1]: (bool(c[3]) or bool(c[5]), bool(c[5]))
            for c in db.execute(f"PRAGMA table_info({t})")
        }
        for t in tables
    }


def _triggers(db: sqlite3.Connection) -> set[tuple[str, str]]:
    return set(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))


def _fresh(target: int = migrations.CURRENT_VERSION) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    migrations.migrate(db, target=target)
    return db


def test_sqlmodel_tables_describe_the_migrated_schema() -> None:
    migrated = _schema(_fresh())
    # Only the vault's own tables: other SQLModel users (the retailer server) may share metadata.
    vault_tables = {
        t.name: t
        for t in (
            VaultHeader.__table__,
            OccasionDates.__table__,
            *(r.__table__ for r in ROW_TABLES.values()),
        )
    }
    described = {
        name: {c.name: (not c.nullable, c.primary_key) for c in table.columns}
        for name, table in vault_tables.items()
    }
    assert described == migrated
    for name, table in vault_tables.items():
        fks = {(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys}
        db_fks = {(r[3], r[2]) for r in _fresh().execute(f"PRAGMA foreign_key_list({name})")}
        assert fks == db_fks, name


def test_every_entity_has_a_table_with_its_reference_columns() -> None:
    for cls in ENTITIES:
        codec = codec_for(cls)
        columns = set(ROW_TABLES[codec.table].__table__.columns.keys())
        assert columns == {"id", "created", "updated", "sealed", *codec.refs}, cls


def test_the_sql_the_store_writes_names_the_described_columns() -> None:
    """The store writes by hand-written SQL (no SQLAlchemy at run time): its column lists are
    the tables' (the record tables' are the codec's, checked above)."""
    header = set(VaultHeader.__table__.columns.keys())
    assert header == {"singleton", *key_header.COLUMNS}
    described = {
        (table, fk.parent.name): fk.column.table.name
        for table, row in ROW_TABLES.items()
        for fk in row.__table__.foreign_keys
    }
    assert migrations.references() == described  # what export checks references with
    assert described[("gifts", "occasion_id")] == "occasions"


def _make_version_1_vault(path: Path) -> Person:
    """A vault as the first release left it: version 1, no sharing tables yet."""
    with Vault.create(path, PASSPHRASE) as vault:
        sam = vault.add(Person(name="Sam"))
        vault.add(Gift("Scarf", person_id=sam.id))
    with sqlite3.connect(path) as db:
        undo_schema_version_3(db)
        for table in ("suggestions", "share_records", "grants", "retailers", "rules"):
            db.execute(f"DROP TABLE {table}")
        db.execute("PRAGMA user_version = 1")
    with sqlite3.connect(path) as db:
        assert _schema(db) == _schema(_fresh(target=1))
    return sam


def test_a_version_1_vault_upgrades_and_keeps_its_records(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    sam = _make_version_1_vault(path)

    with Vault.open(path) as vault:
        vault.unlock(PASSPHRASE)
        assert vault.get(Person, sam.id) == sam
        assert [g.title for g in vault.list(Gift)] == ["Scarf"]
        vault.add(Rule(action=RuleAction.HIDE, match={"category": "socks"}))  # new in version 2
    with sqlite3.connect(path) as db:
        assert migrations.schema_version(db) == migrations.CURRENT_VERSION == 3
        assert _schema(db) == _schema(_fresh())
        assert _triggers(db) == _triggers(_fresh()) != set()


def test_the_cli_upgrades_an_old_vault_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _make_version_1_vault(path)
    result = run_cli(
        "person",
        "list",
        "--json",
        "--vault",
        str(path),
        env={"PROFILEKEEPER_PASSPHRASE": PASSPHRASE},
    )
    assert result.code == 0 and '"name": "Sam"' in result.out


def test_a_vault_from_a_newer_release_is_refused_untouched(vault, vault_path: Path) -> None:
    vault.close()
    with sqlite3.connect(vault_path) as db:
        db.execute("PRAGMA user_version = 99")
    before = vault_path.read_bytes()
    with pytest.raises(UnsupportedVault, match="newer"):
        Vault.open(vault_path)
    assert vault_path.read_bytes() == before


def test_a_file_that_is_not_a_vault_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n" * 100)
    result = run_cli("person", "list", "--vault", str(path))
    assert result.code == 2
    assert "not a profilekeeper vault" in result.err and "Traceback" not in result.err
