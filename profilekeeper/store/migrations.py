"""Schema versions as frozen SQL, applied in order; ``PRAGMA user_version`` holds the version.

Each step is written once and never edited: a vault made by any earlier release upgrades by
running the steps it has not seen, each in its own transaction. The SQLModel tables in
``tables.py`` must describe the schema these steps produce (tests/store/test_schema.py checks).
Only ``sqlite3`` is needed, so the fast read path can check the version without SQLAlchemy.
"""

from __future__ import annotations

import sqlite3

from profilekeeper.errors import UnsupportedVault


def _record_table(name: str, refs: str = "") -> str:
    """Every record table: a random id, coarse timestamps, clear references, one envelope."""
    return f"""
CREATE TABLE {name} (
    id TEXT NOT NULL PRIMARY KEY,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,{refs}
    sealed BLOB NOT NULL
);"""


_PERSON_REF = "\n    person_id TEXT REFERENCES people (id) ON DELETE CASCADE,"
_RETAILER_REF = "\n    retailer_id TEXT NOT NULL REFERENCES retailers (id) ON DELETE CASCADE,"

# Version 1: the header and the personal profile.
_V1 = f"""
CREATE TABLE vault_header (
    singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    vault_id TEXT NOT NULL,
    created INTEGER NOT NULL,
    kdf TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    key_check BLOB NOT NULL,
    key_generation INTEGER NOT NULL,
    remembered INTEGER NOT NULL DEFAULT 0
);
{_record_table("profile")}
{_record_table("people")}
{_record_table("interests", _PERSON_REF)}
CREATE INDEX ix_interests_person_id ON interests (person_id);
{_record_table("occasions", _PERSON_REF)}
CREATE INDEX ix_occasions_person_id ON occasions (person_id);
{_record_table("gifts", '''
    person_id TEXT REFERENCES people (id),
    occasion_id TEXT REFERENCES occasions (id),''')}
CREATE INDEX ix_gifts_person_id ON gifts (person_id);
CREATE INDEX ix_gifts_occasion_id ON gifts (occasion_id);
{_record_table("purchases")}
"""

# Version 2: sharing with retailers, and what they suggest back.
_V2 = f"""
{_record_table("retailers")}
{_record_table("grants", _RETAILER_REF)}
CREATE INDEX ix_grants_retailer_id ON grants (retailer_id);
{_record_table("share_records", '''
    retailer_id TEXT NOT NULL,''')}
CREATE INDEX ix_share_records_retailer_id ON share_records (retailer_id);
{_record_table("suggestions", _RETAILER_REF)}
CREATE INDEX ix_suggestions_retailer_id ON suggestions (retailer_id);
{_record_table("rules")}
"""

# Version 3: a sealed index of every occasion's date, so ``remind`` decrypts only the occasions
# that fall in its window. Any change to an occasion (or the key) empties it in the same
# transaction, whoever writes; the store reseals it before that transaction commits.
_V3 = """
CREATE TABLE occasion_dates (
    singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    sealed BLOB
);
INSERT INTO occasion_dates (singleton, sealed) VALUES (1, NULL);
""" + "".join(
    f"""
CREATE TRIGGER {name} AFTER {event} BEGIN
    UPDATE occasion_dates SET sealed = NULL WHERE sealed IS NOT NULL;
END;"""
    for name, event in (
        ("occasion_added", "INSERT ON occasions"),
        ("occasion_changed", "UPDATE ON occasions"),
        ("occasion_removed", "DELETE ON occasions"),
        ("data_key_changed", "UPDATE OF key_check ON vault_header"),
    )
)

STEPS: tuple[str, ...] = (_V1, _V2, _V3)
CURRENT_VERSION = len(STEPS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, *, target: int = CURRENT_VERSION) -> int:
    """Bring the schema up to ``target``; return the version it started from.

    ``conn`` must be a plain sqlite3 connection with no transaction open.
    """
    start = schema_version(conn)
    if start > CURRENT_VERSION:
        raise UnsupportedVault(
            f"this vault has schema version {start}, newer than this profilekeeper knows "
            f"({CURRENT_VERSION}); upgrade profilekeeper"
        )
    for version in range(start + 1, target + 1):
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{STEPS[version - 1]}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.rollback()
            raise
    return start


def references() -> dict[tuple[str, str], str]:
    """(table, column) → the table that column refers to, for every foreign key of the schema
    the steps make (read from SQLite itself, on a scratch database in memory)."""
    conn = sqlite3.connect(":memory:")
    try:
        migrate(conn)
        listed = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [name for (name,) in listed.fetchall()]
        return {(table, fk[3]): fk[2] for table in tables
                for fk in conn.execute(f"PRAGMA foreign_key_list({table})")}  # fmt: skip
    finally:
        conn.close()
