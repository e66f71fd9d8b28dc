"""Suggestion cursors: where a walk is, and as of which hour its list was made.

The list is recommended as of an hour (so pages fetched a moment apart agree) and that hour
travels in the cursor: a walk that crosses the hour goes on over the same list instead of
going stale. A cursor goes stale (409) only when the profile, the feedback or the kind
changed, or when the walk began more than ``WALK_LIFETIME`` ago.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from profilekeeper.sync.server._problems import ProblemError

WALK_LIFETIME = timedelta(days=1)


def as_of(now: datetime) -> datetime:
    """The hour a walk beginning at ``now`` recommends as of."""
    return now.replace(minute=0, second=0, microsecond=0)


def list_version(*inputs: Any) -> str:
    """A short digest of everything the list depends on."""
    text = json.dumps(list(inputs), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(offset: int, hour: datetime, version: str) -> str:
    text = f"{offset}:{int(hour.timestamp()) // 3600}:{version}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, now: datetime, version_at: Callable[[datetime], str]
                  ) -> tuple[int, datetime]:
    """The offset and hour a cursor carries, if the list it walks is still the same.

    Raises:
        ProblemError: 422 for a cursor this server did not give, 409 for a stale one.
    """
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset_text, hours_text, version = text.split(":", 2)
        offset, hour = int(offset_text), datetime.fromtimestamp(int(hours_text) * 3600, UTC)
    except (ValueError, OverflowError, OSError, binascii.Error, UnicodeDecodeError):
        raise ProblemError(422, "bad-cursor", "the cursor is not one this server gave") from None
    if offset < 0 or not now - WALK_LIFETIME <= hour <= now or version != version_at(hour):
        raise ProblemError(409, "stale-cursor",
                           "the profile or suggestions changed; start again without a cursor")
    return offset, hour
