"""What the link routes answer with: profile views, and suggestion lists kept for paging."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from profilekeeper.sync.protocol import ConsentReceipt, ProfileView, slice_model
from profilekeeper.sync.recommender import Ranked, to_wire
from profilekeeper.sync.server._storage import RetailerStore, StoredProfile, moment


def validated_slices(raw: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The stored slices as protocol models; any that no longer validate are left out."""
    slices = {}
    for name, value in raw.items():
        with contextlib.suppress(ValueError):
            slices[name] = slice_model(name).model_validate(value)
    return slices


def profile_view(store: RetailerStore, link_id: str, now: datetime,
                 stored: StoredProfile | None = None) -> ProfileView:
    """What the store holds for the link; ``stored`` if a write just said so (no re-read)."""
    stored = stored or store.profile(link_id, now)
    return ProfileView(
        link_id=link_id,
        slices=validated_slices(stored.slices),
        receipt=ConsentReceipt.model_validate(stored.receipt) if stored.receipt else None,
        stored_at=moment(stored.stored_at),
        expires_at=moment(stored.expires_at),
    )


class SuggestionList:
    """A ranked list, each item made a protocol model only when a page first holds it."""

    def __init__(self, ranked: list[Ranked]) -> None:
        self._ranked = ranked
        self._wire: list[Any] = []

    def __len__(self) -> int:
        return len(self._ranked)

    def page(self, offset: int, limit: int) -> list[Any]:
        end = min(offset + limit, len(self._ranked))
        # Made in order up to the page's end: pages are walked from the first.
        self._wire.extend(to_wire(ranked) for ranked in self._ranked[len(self._wire):end])
        return self._wire[offset:end]


class PageCache:
    """Recent suggestion lists by (link, version), so paging does not re-run the recommender.

    Small on purpose: enough for the walks under way on one worker (a list that falls out is
    made again, the same, from the hour its cursor carries), while every list held is a few
    hundred objects the garbage collector walks; at 512 lists its full collections took tens
    of milliseconds each, every few hundred requests.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._lists: OrderedDict[tuple[str, str], SuggestionList] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], build: Callable[[], SuggestionList]) -> SuggestionList:
        with self._lock:
            if key in self._lists:
                self._lists.move_to_end(key)
                return self._lists[key]
        items = build()
        with self._lock:
            self._lists[key] = items
            while len(self._lists) > self.size:
                self._lists.popitem(last=False)
        return items
