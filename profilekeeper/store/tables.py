"""The vault's tables as SQLModel classes: the schema's description, for tests and tools.

They describe what ``migrations.py`` creates (tests/store/test_schema.py keeps the two, and the
SQL the store writes, in step). The store itself runs on ``sqlite3`` and never imports this.
Every record table holds an id, timestamps, clear references and one sealed envelope; the
record's fields live in ``profilekeeper.model`` and are sealed by ``codec``.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class VaultHeader(SQLModel, table=True):
    __tablename__ = "vault_header"

    singleton: int = Field(default=1, primary_key=True)
    vault_id: str
    created: int
    kdf: str
    wrapped_key: bytes
    key_check: bytes
    key_generation: int
    remembered: int = 0


class OccasionDates(SQLModel, table=True):
    """The sealed date index (``store/occasion_dates.py``); NULL while out of date."""

    __tablename__ = "occasion_dates"

    singleton: int = Field(default=1, primary_key=True)
    sealed: bytes | None = None


class _Record(SQLModel):
    id: str = Field(primary_key=True)
    created: int
    updated: int
    sealed: bytes


class ProfileRow(_Record, table=True):
    __tablename__ = "profile"


class PersonRow(_Record, table=True):
    __tablename__ = "people"


class InterestRow(_Record, table=True):
    __tablename__ = "interests"
    person_id: str | None = Field(default=None, foreign_key="people.id", index=True)


class OccasionRow(_Record, table=True):
    __tablename__ = "occasions"
    person_id: str | None = Field(default=None, foreign_key="people.id", index=True)


class GiftRow(_Record, table=True):
    __tablename__ = "gifts"
    person_id: str | None = Field(default=None, foreign_key="people.id", index=True)
    occasion_id: str | None = Field(default=None, foreign_key="occasions.id", index=True)


class PurchaseRow(_Record, table=True):
    __tablename__ = "purchases"


class RetailerRow(_Record, table=True):
    __tablename__ = "retailers"


class GrantRow(_Record, table=True):
    __tablename__ = "grants"
    retailer_id: str = Field(foreign_key="retailers.id", index=True)


class ShareRecordRow(_Record, table=True):
    __tablename__ = "share_records"
    retailer_id: str = Field(index=True)


class SuggestionRow(_Record, table=True):
    __tablename__ = "suggestions"
    retailer_id: str = Field(foreign_key="retailers.id", index=True)


class RuleRow(_Record, table=True):
    __tablename__ = "rules"


ROW_TABLES: dict[str, type[_Record]] = {
    cls.__tablename__: cls
    for cls in (
        ProfileRow, PersonRow, InterestRow, OccasionRow, GiftRow, PurchaseRow,
        RetailerRow, GrantRow, ShareRecordRow, SuggestionRow, RuleRow,
    )  # fmt: skip
}
"""Table name → row class, for every record table."""
