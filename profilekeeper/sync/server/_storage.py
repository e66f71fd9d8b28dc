"""The reference retailer's own database: links, slices, receipts, feedback, forgotten links.

A database apart from any shopper's vault, with its own SQLModel registry so its tables never
mix with the vault's. SQLite file by default; PostgreSQL through ``postgresql+psycopg://``
URLs (tested against a real server). Times are stored as integer UTC seconds, in 8-byte
columns so they outlive 2038. Bearer tokens are stored as SHA-256 digests: they are 256 random
bits, so a slow password hash would add cost and no safety.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Engine, create_engine, delete, event, func
from sqlalchemy.orm import registry
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, Session, SQLModel, col, select

_registry = registry()


def _seconds_field(index: bool = False) -> Any:
    """UTC seconds: BIGINT, since PostgreSQL's INTEGER ends in January 2038."""
    return Field(sa_type=BigInteger, index=index)


def _storable(text: str) -> bool:
    """PostgreSQL text cannot hold NUL; no id this server makes contains one."""
    return "\x00" not in text


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


@dataclass(frozen=True)
class StoredProfile:
    slices: dict[str, dict[str, Any]]
    receipt: dict[str, Any] | None
    stored_at: int | None
    expires_at: int | None


def seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def moment(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_key(token_hash: str) -> str:
    """The rate key (retail_rates) of a link's token."""
    return "t:" + token_hash


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout for the server's threads."""
    if not url.startswith("sqlite"):
        # A host that drops packets would otherwise hang the first request for minutes.
        connect = {"connect_timeout": 10} if url.startswith("postgresql") else {}
        return create_engine(url, pool_pre_ping=True, connect_args=connect)
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=StaticPool if in_memory else None,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


class RetailerStore:
    """Every read and write of the reference server, one short transaction each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        _registry.metadata.create_all(engine)
        # SQLite takes one writer at a time and makes the others sleep and retry, which turns
        # into long tails under load; queueing writers here is cheaper. Other databases lock
        # rows themselves.
        self._write_lock = (
            threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._write_lock, Session(self.engine) as session:
            yield session

    @staticmethod
    def _locked_link(session: Session, link_id: str) -> LinkRow | None:
        """The link row, locked until commit where the database locks rows (PostgreSQL).

        Writers to one link then take turns: two puts cannot both delete the old slices and
        insert the same new keys, and nothing is written for a link being forgotten meanwhile.
        SQLite ignores the lock; there the write lock already queues every writer.
        """
        return session.exec(
            select(LinkRow).where(LinkRow.id == link_id).with_for_update()).first()

    def create_link(self, pseudonym: str, terms: dict[str, Any], gpc: bool, now: datetime
                    ) -> tuple[str, str]:
        """Make a link; returns its id and the bearer token (kept here only as a digest)."""
        link_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
        with self._writing() as session:
            session.add(LinkRow(id=link_id, token_hash=hash_token(token), pseudonym=pseudonym,
                                terms=terms, gpc=gpc, created_at=seconds(now)))
            session.commit()
        return link_id, token

    def link_state(self, link_id: str) -> str:
        """``live``, ``forgotten`` or ``missing``."""
        if not _storable(link_id):
            return "missing"
        with Session(self.engine) as session:
            if session.get(LinkRow, link_id) is not None:
                return "live"
            return "forgotten" if session.get(ForgottenLinkRow, link_id) else "missing"

    def authenticate(self, link_id: str, token: str) -> LinkRow | None:
        """The link if ``token`` is its bearer token, else None."""
        with Session(self.engine) as session:
            row = session.exec(
                select(LinkRow).where(LinkRow.token_hash == hash_token(token))
            ).first()
            if row is None or not secrets.compare_digest(row.id, link_id):
                return None
            session.expunge(row)
            return row

    def mark_gpc(self, link_id: str, terms: dict[str, Any]) -> None:
        with self._writing() as session:
            row = self._locked_link(session, link_id)
            if row is not None:
                row.gpc, row.terms = True, terms
                session.add(row)
                session.commit()

    def replace_profile(self, link_id: str, receipt: dict[str, Any],
                        slices: dict[str, dict[str, Any]], now: datetime, expires: datetime
                        ) -> None:
        """Make ``slices`` the link's whole profile: every other slice is deleted.

        Nothing is stored if the link has meanwhile been forgotten.
        """
        with self._writing() as session:
            link = self._locked_link(session, link_id)
            if link is None:
                return
            session.execute(delete(SliceRow).where(col(SliceRow.link_id) == link_id))
            for name, value in slices.items():
                session.add(SliceRow(link_id=link_id, name=name, value=value,
                                     stored_at=seconds(now), expires_at=seconds(expires)))
            session.merge(ReceiptRow(link_id=link_id, receipt_id=receipt["receipt_id"],
                                     body=receipt, received_at=seconds(now),
                                     expires_at=seconds(expires)))
            link.receipt_id = receipt["receipt_id"]
            session.add(link)
            session.commit()

    def profile(self, link_id: str, now: datetime) -> StoredProfile:
        """The link's slices and latest receipt still within retention.

        Reads never write: anything past retention is left out here and deleted by
        ``purge_expired``, which the server runs in the background.
        """
        cutoff = seconds(now)
        with Session(self.engine) as session:
            link = session.get(LinkRow, link_id)
            receipt = None
            if link is not None and link.receipt_id is not None:
                receipt = session.get(ReceiptRow, (link_id, link.receipt_id))
            if receipt is None or receipt.expires_at <= cutoff:
                return StoredProfile({}, None, None, None)
            rows = session.exec(
                select(SliceRow).where(SliceRow.link_id == link_id, SliceRow.expires_at > cutoff)
            ).all()
            return StoredProfile({row.name: row.value for row in rows}, receipt.body,
                                 receipt.received_at, receipt.expires_at)

    def add_feedback(self, link_id: str, verdicts: dict[str, str], now: datetime) -> None:
        """Record verdicts; ids no suggestion could have (NUL inside) are dropped."""
        with self._writing() as session:
            if self._locked_link(session, link_id) is None:
                return
            for suggestion_id, verdict in verdicts.items():
                if not _storable(suggestion_id):
                    continue
                session.merge(FeedbackRow(link_id=link_id, suggestion_id=suggestion_id,
                                          verdict=verdict, at=seconds(now)))
            session.commit()

    def feedback(self, link_id: str) -> dict[str, str]:
        with Session(self.engine) as session:
            rows = session.exec(select(FeedbackRow).where(FeedbackRow.link_id == link_id)).all()
            return {row.suggestion_id: row.verdict for row in rows}

    def forget(self, link_id: str, now: datetime) -> None:
        """Delete everything held for the link and remember only that it was forgotten."""
        with self._writing() as session:
            self._locked_link(session, link_id)
            session.execute(delete(SliceRow).where(col(SliceRow.link_id) == link_id))
            session.execute(delete(ReceiptRow).where(col(ReceiptRow.link_id) == link_id))
            session.execute(delete(FeedbackRow).where(col(FeedbackRow.link_id) == link_id))
            token_hash = session.exec(
                select(LinkRow.token_hash).where(LinkRow.id == link_id)).first()
            if token_hash is not None:
                session.execute(delete(RateRow).where(col(RateRow.key) == token_key(token_hash)))
            session.execute(delete(LinkRow).where(col(LinkRow.id) == link_id))
            session.merge(ForgottenLinkRow(id=link_id, forgotten_at=seconds(now)))
            session.commit()

    def purge_expired(self, now: datetime, link_id: str | None = None) -> int:
        """Delete slices and receipts past their retention; returns how many slices went."""
        cutoff = seconds(now)
        with self._writing() as session:
            slices = delete(SliceRow).where(col(SliceRow.expires_at) <= cutoff)
            receipts = delete(ReceiptRow).where(col(ReceiptRow.expires_at) <= cutoff)
            if link_id is not None:
                slices = slices.where(col(SliceRow.link_id) == link_id)
                receipts = receipts.where(col(ReceiptRow.link_id) == link_id)
            gone = session.execute(slices).rowcount  # type: ignore[attr-defined]
            session.execute(receipts)
            if link_id is None:  # a bucket that has refilled is the same as none
                session.execute(delete(RateRow).where(col(RateRow.tat) <= now.timestamp()))
            session.commit()
            return int(gone or 0)

    def count_rows(self) -> dict[str, int]:
        """Rows per table of shoppers' data, for tests and operators: never their contents."""
        with Session(self.engine) as session:
            tables: tuple[type[_Table], ...] = (
                LinkRow, ForgottenLinkRow, SliceRow, ReceiptRow, FeedbackRow)
            return {
                str(table.__tablename__): session.exec(
                    select(func.count()).select_from(table)).one()
                for table in tables
            }
