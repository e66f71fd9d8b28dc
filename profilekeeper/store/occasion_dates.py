"""A sealed index of every occasion's date: how ``remind`` knows which few occasions to decrypt.

One envelope for the whole vault, in the one row of the ``occasion_dates`` table, holding
``{"dates": [[id, month, day, year, yearly], …], "unreadable": [id, …]}``. Triggers empty it
whenever an occasion or the data key changes, whoever writes (migrations.py, version 3), and
``Vault`` reseals it before such a transaction commits; so an index that is there is never
stale. Empty or damaged, it is None to readers, who then decrypt every occasion instead.
``occasions_near`` is that read, for either store.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import NamedTuple, Protocol, TypeVar

from profilekeeper.model_core import Occasion
from profilekeeper.store.codec import record_aad
from profilekeeper.store.crypto import Cipher, InvalidTag

TABLE = "occasion_dates"
_AAD = record_aad(TABLE, "1", ())


class OccasionDate(NamedTuple):
    id: str
    month: int
    day: int
    year: int | None
    yearly: bool


class DateIndex(NamedTuple):
    dates: list[OccasionDate]
    unreadable: list[str]
    """Occasions whose record would not open when the index was sealed: readers load them, so
    they are reported as corrupted just as when every occasion is read."""


def seal(occasions: Iterable[Occasion], unreadable: Iterable[str], cipher: Cipher) -> bytes:
    dates = [[o.id, o.month, o.day, o.year, o.yearly] for o in occasions]
    payload = {"dates": dates, "unreadable": list(unreadable)}
    return cipher.seal(json.dumps(payload, separators=(",", ":")).encode(), _AAD)


def open_index(sealed: bytes | None, cipher: Cipher) -> DateIndex | None:
    """The index in ``sealed``, or None if it is empty (out of date) or does not open."""
    if sealed is None:
        return None
    try:
        payload = json.loads(cipher.open(sealed, _AAD))
        return DateIndex(
            [OccasionDate(*entry) for entry in payload["dates"]], list(payload["unreadable"])
        )
    except (InvalidTag, ValueError, TypeError, KeyError):
        return None


Loaded = TypeVar("Loaded", bound=Sequence[Occasion], covariant=True)


class _Reader(Protocol[Loaded]):
    def occasion_dates(self) -> DateIndex | None: ...
    def load(self, cls: type[Occasion], **any_of: Collection[str]) -> Loaded: ...


def occasions_near(
    reader: _Reader[Loaded], today: date, days: int, *, leap_day: str = "feb28"
) -> Loaded:
    """Every occasion falling in ``[today, today + days]``, decrypting only those when the
    index is there (and every occasion when it is not: callers filter by date anyway)."""
    from profilekeeper.reminders import within

    if (index := reader.occasion_dates()) is None:
        return reader.load(Occasion)
    named = within(index.dates, today, days, leap_day=leap_day)
    return reader.load(Occasion, id={*named, *index.unreadable})
