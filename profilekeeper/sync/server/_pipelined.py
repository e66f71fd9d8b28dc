"""The link routes' statements on PostgreSQL, in as few round trips as they allow.

A round trip to the database costs more CPU (the kernel's, on both sides) than the statement
itself, so on psycopg 3 the store sends them pipelined on the driver's own connection (taken
from SQLAlchemy's pool, so its pings and limits still hold):

- every link route begins with one statement that checks the token and takes the rate (the
  rate is taken only if the token is the link's), and GET suggestions sends its two reads
  after it in the same round trip (their rows are dropped unless the token and rate pass);
- a profile put is one transaction of four statements in one round trip. The link's row is
  updated first, which locks it, and READ COMMITTED gives each later statement a fresh view,
  so puts and forgets on one link take turns as in RetailerStore._writing. Nothing is inserted
  for a link that is not there (forgotten meanwhile).

SQLAlchemy compiles the reads once for this dialect, so their SQL is the store's own.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.sql import Select

from profilekeeper.sync.server._tables import (
    LinkRow,
    ReceiptRow,
    SliceRow,
    rate_upsert,
)

_LINKS, _SLICES, _RECEIPTS = (
    LinkRow.__tablename__, SliceRow.__tablename__, ReceiptRow.__tablename__)
_LINK_COLUMNS = list(LinkRow.model_fields)


def _param(name: str) -> str:
    return f"%({name})s"


_ADMIT = f"""
WITH link AS (
  SELECT {", ".join(_LINK_COLUMNS)} FROM {_LINKS}
  WHERE token_hash = %(token_hash)s AND id = %(link_id)s
), taken AS (
  {rate_upsert("SELECT %(key)s, %(now)s + %(interval)s, TRUE FROM link", _param)}
)
SELECT link.*, taken.tat, taken.allowed FROM link CROSS JOIN taken
""".encode()
_BEGIN, _COMMIT = b"BEGIN ISOLATION LEVEL READ COMMITTED", b"COMMIT"
_PUT = tuple(statement.encode() for statement in (
    f"UPDATE {_LINKS} SET receipt_id = %(receipt_id)s WHERE id = %(link_id)s",
    f"DELETE FROM {_SLICES} WHERE link_id = %(link_id)s",
    f"""INSERT INTO {_SLICES} (link_id, name, value, stored_at, expires_at)
SELECT link.id, sent.key, sent.value, %(stored_at)s, %(expires_at)s
FROM {_LINKS} AS link CROSS JOIN json_each(%(slices)s::json) AS sent
WHERE link.id = %(link_id)s""",
    f"""INSERT INTO {_RECEIPTS} (link_id, receipt_id, body, received_at, expires_at)
SELECT id, %(receipt_id)s, %(body)s::json, %(stored_at)s, %(expires_at)s FROM {_LINKS}
WHERE id = %(link_id)s
ON CONFLICT (link_id, receipt_id) DO UPDATE SET body = EXCLUDED.body,
  received_at = EXCLUDED.received_at, expires_at = EXCLUDED.expires_at""",
))


@dataclass(frozen=True)
class Admitted:
    """The link's row (None: not this token's) and its rate step's outcome."""

    link: dict[str, Any] | None
    tat: float = 0.0
    allowed: bool = False


class Pipelined:
    """The store's hot statements on one PostgreSQL engine (psycopg 3)."""

    def __init__(self, engine: Engine, profile: Select[Any], feedback: Select[Any]) -> None:
        self.engine = engine
        self._profile = str(profile.compile(dialect=engine.dialect)).encode()
        self._feedback = str(feedback.compile(dialect=engine.dialect)).encode()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        pooled = self.engine.raw_connection()
        try:
            connection = pooled.driver_connection
            assert isinstance(connection, psycopg.Connection)
            yield connection
        except psycopg.OperationalError:  # the connection may be dead: never pool it again
            pooled.invalidate()
            raise
        finally:
            pooled.close()

    def admit(self, link_id: str, token_hash: str, rate: dict[str, Any],
              cutoff: int | None = None) -> tuple[Admitted, list[Any], list[Any]]:
        """The token checked and the rate taken; with ``cutoff``, the profile rows (as
        RetailerStore's profile query) and the feedback rows read too, in the same round
        trip. The rows read are empty unless the token was the link's."""
        with self._connection() as connection, connection.pipeline():
            admitted = connection.execute(
                _ADMIT, {**rate, "link_id": link_id, "token_hash": token_hash})
            if cutoff is not None:
                profile = connection.execute(self._profile, {"link_id": link_id,
                                                             "cutoff": cutoff})
                feedback = connection.execute(self._feedback, {"link_id": link_id})
            row = admitted.fetchone()
            if row is None:
                return Admitted(None), [], []
            *values, tat, allowed = row
            found = Admitted(dict(zip(_LINK_COLUMNS, values, strict=True)), tat, allowed)
            if cutoff is None or not allowed:
                return found, [], []
            return found, profile.fetchall(), feedback.fetchall()

    def reading(self, link_id: str, cutoff: int) -> tuple[list[Any], list[Any]]:
        """The profile rows and the feedback rows of the link, in one round trip."""
        with self._connection() as connection, connection.pipeline():
            profile = connection.execute(self._profile, {"link_id": link_id,
                                                         "cutoff": cutoff})
            feedback = connection.execute(self._feedback, {"link_id": link_id})
            return profile.fetchall(), feedback.fetchall()

    def replace_profile(self, link_id: str, receipt: dict[str, Any],
                        slices: dict[str, dict[str, Any]], stored_at: int, expires_at: int
                        ) -> bool:
        """RetailerStore.replace_profile's writes; False if the link is not there."""
        params = {"link_id": link_id, "receipt_id": receipt["receipt_id"],
                  "body": json.dumps(receipt), "slices": json.dumps(slices),
                  "stored_at": stored_at, "expires_at": expires_at}
        with self._connection() as connection, connection.pipeline():
            connection.execute(_BEGIN)
            update, *_rest = [connection.execute(statement, params) for statement in _PUT]
            connection.execute(_COMMIT)
        return bool(update.rowcount)
