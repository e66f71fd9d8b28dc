"""The reference retailer's own database: links, slices, receipts, feedback, forgotten links.

A database apart from any shopper's vault (tables in _tables.py). SQLite file by default;
PostgreSQL through ``postgresql+psycopg://`` URLs (tested against a real server). Bearer
tokens are stored as SHA-256 digests: they are 256 random bits, so a slow password hash would
add cost and no safety.

Every call is a few Core statements, no ORM objects: round trips are what a request costs on
PostgreSQL. There, connections autocommit, so a read or a one-statement write is one round
trip, and only writes of several statements open a transaction. On psycopg 3 the link routes'
own calls (``admit``, ``reading``, ``replace_profile``) are pipelined instead (_pipelined.py):
one round trip each. Elsewhere they are the other methods in turn, so a subclass that changes
those (tests/sync/test_conformance.py) changes them too.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from profilekeeper.sync.server._engine import make_engine
from profilekeeper.sync.server._tables import (
    FeedbackRow,
    ForgottenLinkRow,
    LinkRow,
    RateRow,
    ReceiptRow,
    SliceRow,
    metadata,
    rate_upsert,
    table,
)

__all__ = [
    "Admission", "FeedbackRow", "ForgottenLinkRow", "LinkRow", "RateRow", "ReceiptRow",
    "RetailerStore", "SliceRow", "StoredProfile", "hash_token", "make_engine", "moment",
    "seconds", "token_key",
]

_links, _forgotten = table(LinkRow), table(ForgottenLinkRow)
_slices, _receipts, _feedback, _rates = (
    table(SliceRow), table(ReceiptRow), table(FeedbackRow), table(RateRow))
_LINK_COLUMNS = [_links.c[name] for name in LinkRow.model_fields]
# The statements of every request, built once: building one costs more than running it.
_AUTHENTICATE = select(*_LINK_COLUMNS).where(_links.c.token_hash == bindparam("token_hash"))
_PROFILE = (
    select(_receipts.c.body, _receipts.c.received_at, _receipts.c.expires_at,
           _slices.c.name, _slices.c.value)
    .select_from(_links)
    .join(_receipts, and_(_receipts.c.link_id == _links.c.id,
                          _receipts.c.receipt_id == _links.c.receipt_id))
    .outerjoin(_slices, and_(_slices.c.link_id == _links.c.id,
                             _slices.c.expires_at > bindparam("cutoff")))
    .where(_links.c.id == bindparam("link_id"), _receipts.c.expires_at > bindparam("cutoff"))
)
_FEEDBACK = select(_feedback.c.suggestion_id, _feedback.c.verdict).where(
    _feedback.c.link_id == bindparam("link_id"))
_SET_RECEIPT = update(_links).where(_links.c.id == bindparam("link_id")).values(
    receipt_id=bindparam("new_receipt_id"))
_DELETE_SLICES = delete(_slices).where(_slices.c.link_id == bindparam("link_id"))
_INSERT_SLICES = _slices.insert()
_TAKE_RATE = text(rate_upsert("VALUES (:key, :now + :interval, TRUE)", lambda name: f":{name}"))


@dataclass(frozen=True)
class StoredProfile:
    slices: dict[str, dict[str, Any]]
    receipt: dict[str, Any] | None
    stored_at: int | None
    expires_at: int | None


@dataclass(frozen=True)
class Admission:
    """A link route's first step: the link if the token is its own, the rate step's outcome,
    and, if asked for, what the link holds (profile and feedback) as of ``read_at``."""

    link: LinkRow | None
    rate: dict[str, Any]
    tat: float = 0.0
    allowed: bool = False
    held: tuple[StoredProfile, dict[str, str]] | None = None
    read_at: datetime | None = None


def seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def moment(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_key(token_hash: str) -> str:
    """The rate key (retail_rates) of a link's token."""
    return "t:" + token_hash


def _storable(text: str) -> bool:
    """PostgreSQL text cannot hold NUL; no id this server makes contains one."""
    return "\x00" not in text


class RetailerStore:
    """Every read and write of the reference server, one short transaction each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)
        self._sqlite = engine.dialect.name == "sqlite"
        self._insert = sqlite.insert if self._sqlite else postgresql.insert
        upsert = self._insert(_receipts)
        self._upsert_receipt = upsert.on_conflict_do_update(
            index_elements=[_receipts.c.link_id, _receipts.c.receipt_id],
            set_={"body": upsert.excluded.body, "received_at": upsert.excluded.received_at,
                  "expires_at": upsert.excluded.expires_at})
        # SQLite takes one writer at a time and makes the others sleep and retry, which turns
        # into long tails under load; queueing writers here is cheaper. Other databases lock
        # rows themselves.
        self._write_lock = (
            threading.Lock() if self._sqlite else contextlib.nullcontext()
        )
        self._pipelined = None
        if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
            from profilekeeper.sync.server._pipelined import Pipelined

            self._pipelined = Pipelined(engine, _PROFILE, _FEEDBACK)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A transaction (on PostgreSQL, where connections autocommit, a real one)."""
        with self._write_lock, self.engine.connect() as connection:
            if not self._sqlite:
                connection.execution_options(isolation_level="READ COMMITTED")
            with connection.begin():
                yield connection

    @contextlib.contextmanager
    def _one_write(self) -> Iterator[Connection]:
        """For a single statement: on PostgreSQL it commits itself, in one round trip."""
        with self._write_lock, self.engine.begin() as connection:
            yield connection

    @staticmethod
    def _lock_link(connection: Connection, link_id: str) -> str | None:
        """The link's token digest, its row locked until commit (PostgreSQL) — or None.

        Writers to one link then take turns: two puts cannot both delete the old slices and
        insert the same new keys, and nothing is written for a link being forgotten meanwhile.
        SQLite ignores the lock; there the write lock already queues every writer.
        """
        found = connection.execute(select(_links.c.token_hash).where(
            _links.c.id == link_id).with_for_update()).scalar()
        return None if found is None else str(found)

    def ping(self) -> bool:
        """Whether the database answers a trivial query now."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def create_link(self, pseudonym: str, terms: dict[str, Any], gpc: bool, now: datetime
                    ) -> tuple[str, str]:
        """Make a link; returns its id and the bearer token (kept here only as a digest)."""
        link_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
        with self._one_write() as connection:
            connection.execute(_links.insert().values(
                id=link_id, token_hash=hash_token(token), pseudonym=pseudonym, terms=terms,
                gpc=gpc, created_at=seconds(now)))
        return link_id, token

    def link_state(self, link_id: str) -> str:
        """``live``, ``forgotten`` or ``missing``."""
        if not _storable(link_id):
            return "missing"
        with self.engine.connect() as connection:
            if connection.execute(select(_links.c.id).where(_links.c.id == link_id)).first():
                return "live"
            forgotten = connection.execute(
                select(_forgotten.c.id).where(_forgotten.c.id == link_id)).first()
            return "forgotten" if forgotten else "missing"

    def authenticate(self, link_id: str, token: str) -> LinkRow | None:
        """The link if ``token`` is its bearer token, else None."""
        with self.engine.connect() as connection:
            row = connection.execute(_AUTHENTICATE, {"token_hash": hash_token(token)}).first()
        if row is None or not secrets.compare_digest(row.id, link_id):
            return None
        return LinkRow(**row._asdict())

    def admit(self, link_id: str, token: str, rate: Callable[[str], dict[str, Any]],
              read_at: datetime | None = None) -> Admission:
        """``authenticate``, then (if it is the link's token) ``take_rate`` with the parameters
        ``rate`` gives for the token's key, then (if let through, and ``read_at`` is given)
        ``reading``. On psycopg, one round trip."""
        token_hash = hash_token(token)
        params = rate(token_key(token_hash))
        if self._pipelined is None or not _storable(link_id):
            link = self.authenticate(link_id, token)
            if link is None:
                return Admission(None, params)
            tat, allowed = self.take_rate(params)
            held = self.reading(link_id, read_at) if read_at and allowed else None
            return Admission(link, params, tat, allowed, held, read_at)
        cutoff = None if read_at is None else seconds(read_at)
        found, profile, feedback = self._pipelined.admit(link_id, token_hash, params, cutoff)
        if found.link is None:
            return Admission(None, params)
        held = (_stored(profile), _verdicts(feedback)) if cutoff and found.allowed else None
        return Admission(LinkRow(**found.link), params, found.tat, found.allowed, held, read_at)

    def reading(self, link_id: str, now: datetime) -> tuple[StoredProfile, dict[str, str]]:
        """``profile`` and ``feedback`` (on psycopg, in one round trip)."""
        if self._pipelined is None:
            return self.profile(link_id, now), self.feedback(link_id)
        profile, feedback = self._pipelined.reading(link_id, seconds(now))
        return _stored(profile), _verdicts(feedback)

    def mark_gpc(self, link_id: str, terms: dict[str, Any]) -> None:
        with self._one_write() as connection:
            connection.execute(update(_links).where(_links.c.id == link_id).values(
                gpc=True, terms=terms))

    def replace_profile(self, link_id: str, receipt: dict[str, Any],
                        slices: dict[str, dict[str, Any]], now: datetime, expires: datetime
                        ) -> StoredProfile | None:
        """Make ``slices`` the link's whole profile: every other slice is deleted.

        Returns what ``profile(link_id, now)`` would now read, or None if nothing was stored
        because the link has meanwhile been forgotten.
        """
        stored_at, expires_at = seconds(now), seconds(expires)
        write = self._replace_profile if self._pipelined is None \
            else self._pipelined.replace_profile  # fmt: skip
        if not write(link_id, receipt, slices, stored_at, expires_at):
            return None
        if expires_at <= stored_at:  # already past retention: a read finds nothing
            return StoredProfile({}, None, None, None)
        return StoredProfile(dict(slices), receipt, stored_at, expires_at)

    def _replace_profile(self, link_id: str, receipt: dict[str, Any],
                         slices: dict[str, dict[str, Any]], stored_at: int, expires_at: int
                         ) -> bool:
        with self._writing() as connection:
            # Updating the link first locks it (PostgreSQL) and says whether it is still there.
            ids = {"link_id": link_id, "receipt_id": receipt["receipt_id"]}
            if not connection.execute(_SET_RECEIPT, {
                    "link_id": link_id, "new_receipt_id": receipt["receipt_id"]}).rowcount:
                return False
            connection.execute(_DELETE_SLICES, {"link_id": link_id})
            if slices:  # executemany: one statement whatever the number of slices
                connection.execute(_INSERT_SLICES, [
                    {"link_id": link_id, "name": name, "value": value, "stored_at": stored_at,
                     "expires_at": expires_at} for name, value in slices.items()])
            connection.execute(self._upsert_receipt, {
                **ids, "body": receipt, "received_at": stored_at, "expires_at": expires_at})
        return True

    def profile(self, link_id: str, now: datetime) -> StoredProfile:
        """The link's slices and latest receipt still within retention, in one query.

        Reads never write: anything past retention is left out here and deleted by
        ``purge_expired``, which the server runs in the background.
        """
        with self.engine.connect() as connection:
            rows = connection.execute(_PROFILE, {"link_id": link_id,
                                                 "cutoff": seconds(now)}).all()
        return _stored(rows)

    def add_feedback(self, link_id: str, verdicts: dict[str, str], now: datetime) -> None:
        """Record verdicts; ids no suggestion could have (NUL inside) are dropped."""
        rows = [{"link_id": link_id, "suggestion_id": suggestion_id, "verdict": verdict,
                 "at": seconds(now)}
                for suggestion_id, verdict in verdicts.items() if _storable(suggestion_id)]
        with self._writing() as connection:
            if self._lock_link(connection, link_id) is None or not rows:
                return
            upsert = self._insert(_feedback).values(rows)
            connection.execute(upsert.on_conflict_do_update(
                index_elements=[_feedback.c.link_id, _feedback.c.suggestion_id],
                set_={"verdict": upsert.excluded.verdict, "at": upsert.excluded.at}))

    def feedback(self, link_id: str) -> dict[str, str]:
        with self.engine.connect() as connection:
            rows = connection.execute(_FEEDBACK, {"link_id": link_id}).all()
        return _verdicts(rows)

    def forget(self, link_id: str, now: datetime) -> None:
        """Delete everything held for the link and remember only that it was forgotten."""
        with self._writing() as connection:
            token_hash = self._lock_link(connection, link_id)
            for held in (_slices, _receipts, _feedback):
                connection.execute(delete(held).where(held.c.link_id == link_id))
            if token_hash is not None:
                connection.execute(delete(_rates).where(_rates.c.key == token_key(token_hash)))
            connection.execute(delete(_links).where(_links.c.id == link_id))
            upsert = self._insert(_forgotten).values(id=link_id, forgotten_at=seconds(now))
            connection.execute(upsert.on_conflict_do_update(
                index_elements=[_forgotten.c.id],
                set_={"forgotten_at": upsert.excluded.forgotten_at}))

    def take_rate(self, params: dict[str, Any]) -> tuple[float, bool]:
        """Take a rate step (see _rates.py) in the one statement it is: ``tat``, ``allowed``."""
        with self._one_write() as connection:
            tat, allowed = connection.execute(_TAKE_RATE, params).one()
        return float(tat), bool(allowed)

    def purge_expired(self, now: datetime, link_id: str | None = None) -> int:
        """Delete slices and receipts past their retention; returns how many slices went."""
        cutoff = seconds(now)
        with self._writing() as connection:
            slices = delete(_slices).where(_slices.c.expires_at <= cutoff)
            receipts = delete(_receipts).where(_receipts.c.expires_at <= cutoff)
            if link_id is not None:
                slices = slices.where(_slices.c.link_id == link_id)
                receipts = receipts.where(_receipts.c.link_id == link_id)
            gone = connection.execute(slices).rowcount
            connection.execute(receipts)
            if link_id is None:  # a bucket that has refilled is the same as none
                connection.execute(delete(_rates).where(_rates.c.tat <= now.timestamp()))
            return int(gone or 0)

    def count_rows(self) -> dict[str, int]:
        """Rows per table of shoppers' data, for tests and operators: never their contents."""
        with self.engine.connect() as connection:
            return {
                str(held.name): int(connection.execute(
                    select(func.count()).select_from(held)).scalar() or 0)
                for held in (_links, _forgotten, _slices, _receipts, _feedback)
            }


def _stored(rows: Any) -> StoredProfile:
    """The profile query's rows (body, received_at, expires_at, name, value) as one profile."""
    if not rows:
        return StoredProfile({}, None, None, None)
    body, received_at, expires_at = rows[0][:3]
    return StoredProfile({name: value for *_, name, value in rows if name is not None},
                         body, received_at, expires_at)


def _verdicts(rows: Any) -> dict[str, str]:
    """The feedback query's rows (suggestion_id, verdict) by suggestion."""
    return {suggestion_id: verdict for suggestion_id, verdict in rows}
