"""The reference retailer's tables: links, slices, receipts, feedback, forgotten links, rates.

Its own SQLModel registry, so its tables never mix with the vault's. Times are integer UTC
seconds, in 8-byte columns so they outlive 2038.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Table
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

_registry = registry()


def _seconds_field(index: bool = False) -> Any:
    """UTC seconds: BIGINT, since PostgreSQL's INTEGER ends in January 2038."""
    return Field(sa_type=BigInteger, index=index)


class _Table(SQLModel, registry=_registry):
    pass


class LinkRow(_Table, table=True):
    __tablename__ = "retail_links"

    id: str = Field(primary_key=True)
    token_hash: str = Field(index=True, unique=True)
    pseudonym: str = Field(index=True)
    terms: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    gpc: bool = False
    created_at: int = _seconds_field()
    receipt_id: str | None = None
    """The receipt of the latest put: older receipts stay until they expire, for the record."""


class ForgottenLinkRow(_Table, table=True):
    """Only the random link id and when: enough to answer 410 instead of 404."""

    __tablename__ = "retail_forgotten_links"

    id: str = Field(primary_key=True)
    forgotten_at: int = _seconds_field()


class SliceRow(_Table, table=True):
    __tablename__ = "retail_slices"

    link_id: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    value: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    stored_at: int = _seconds_field()
    expires_at: int = _seconds_field(index=True)


class ReceiptRow(_Table, table=True):
    __tablename__ = "retail_receipts"

    link_id: str = Field(primary_key=True)
    receipt_id: str = Field(primary_key=True)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: int = _seconds_field(index=True)
    expires_at: int = _seconds_field()


class FeedbackRow(_Table, table=True):
    __tablename__ = "retail_feedback"

    link_id: str = Field(primary_key=True)
    suggestion_id: str = Field(primary_key=True)
    verdict: str
    at: int = _seconds_field()


class RateRow(_Table, table=True):
    """A request rate (see _rates.py): a digest of a token or an address, never either."""

    __tablename__ = "retail_rates"

    key: str = Field(primary_key=True)
    tat: float = Field(index=True)
    """When the key's bucket is full again, in UTC seconds; before that it is being used."""
    allowed: bool = True
    """Whether the latest request was let through."""


def rate_upsert(source: str, param: Callable[[str], str]) -> str:
    """The rate step of _rates.py on ``retail_rates`` as SQL (PostgreSQL and SQLite alike).

    ``source`` gives the row of a key seen first: ``VALUES (key, now + interval, TRUE)`` or a
    SELECT of the same; ``param(name)`` writes the placeholder of ``now``, ``interval`` and
    ``tolerance`` in the driver's style. Returns the key's ``tat`` and ``allowed``.
    """
    rates, now, interval, tolerance = (
        RateRow.__tablename__, param("now"), param("interval"), param("tolerance"))
    return f"""INSERT INTO {rates} (key, tat, allowed) {source}
ON CONFLICT (key) DO UPDATE SET
  allowed = {rates}.tat - {tolerance} <= {now},
  tat = CASE
    WHEN {rates}.tat - {tolerance} > {now} THEN {rates}.tat
    WHEN {rates}.tat > {now} THEN {rates}.tat + {interval}
    ELSE {now} + {interval}
  END
RETURNING tat, allowed"""


def table(model: type[_Table]) -> Table:
    """The Core table of a model, for statements that need no ORM objects."""
    found = model.__table__  # type: ignore[attr-defined]
    assert isinstance(found, Table)
    return found


metadata = _registry.metadata
