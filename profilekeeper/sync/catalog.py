"""A retailer's catalog as the reference recommender sees it, and the demo catalog it ships.

The demo file stores dates relative to today (``in_days``, ``release_in_days``,
``expires_in_days``); ``load_catalog`` makes them absolute, so the demo never goes stale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from profilekeeper.sync.protocol._suggestions import SUGGESTION_MODELS

DEMO_CATALOG = "data/catalog.json"


@dataclass(frozen=True, slots=True)
class CatalogItem:
    id: str
    kind: str
    """``product``, ``release``, ``event`` or ``offer``."""
    category: str
    title: str
    url: str
    creators: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    price: Decimal | None = None
    currency: str | None = None
    age_bands: frozenset[str] = field(default_factory=frozenset)
    popularity: int = 0
    release_date: date | None = None
    city: str = ""
    venue: str = ""
    starts_at: datetime | None = None
    discount_percent: int = 0
    expires_at: datetime | None = None
    match_keys: tuple[tuple[str, float], ...] = field(init=False, repr=False, compare=False)
    """Lower-cased creators (counting double), tags and title, worked out once."""

    def __post_init__(self) -> None:
        keys = [*((c.lower(), 2.0) for c in self.creators), *((t.lower(), 1.0) for t in self.tags),
                (self.title.lower(), 1.0)]
        object.__setattr__(self, "match_keys", tuple(keys))


def load_catalog(path: Path | None = None, today: date | None = None) -> list[CatalogItem]:
    """Read a catalog file (the demo catalog when ``path`` is None).

    Args:
        path: A JSON file ``{"items": [...]}`` shaped like the demo catalog.
        today: The day relative dates count from (default: today, UTC).
    """
    if path is None:
        text = resources.files("profilekeeper.sync").joinpath(DEMO_CATALOG).read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    today = today or datetime.now(UTC).date()
    return [_checked(_item(raw, today)) for raw in json.loads(text)["items"]]


def _checked(item: CatalogItem) -> CatalogItem:
    """``item``, if the protocol lets a shop send it (``https`` url, lengths): found at loading,
    not as a 500 on the first page of suggestions.

    Raises:
        ValueError: it breaks a limit on suggestions. KeyError: an unknown kind.
    """
    SUGGESTION_MODELS[item.kind].model_validate({
        "id": item.id, "title": item.title, "creators": item.creators,
        "category": item.category, "tags": item.tags, "url": item.url, "reason": "-",
        "release_date": item.release_date, "city": item.city, "date": item.starts_at,
        "venue": item.venue, "discount_percent": item.discount_percent,
        "expires_at": item.expires_at,
    })
    return item


def _item(raw: dict[str, Any], today: date) -> CatalogItem:
    starts_at = None
    if "in_days" in raw:
        starts_at = datetime.combine(
            today + timedelta(days=int(raw["in_days"])), time(int(raw.get("hour", 20))), UTC
        )
    expires_at = None
    if "expires_in_days" in raw:
        expires_at = datetime.combine(
            today + timedelta(days=int(raw["expires_in_days"])), time(23, 59), UTC
        )
    release = None
    if "release_in_days" in raw:
        release = today + timedelta(days=int(raw["release_in_days"]))
    return CatalogItem(
        id=raw["id"],
        kind=raw["kind"],
        category=raw["category"],
        title=raw["title"],
        url=raw["url"],
        creators=tuple(raw.get("creators", ())),
        tags=tuple(raw.get("tags", ())),
        price=Decimal(raw["price"]) if raw.get("price") else None,
        currency=raw.get("currency"),
        age_bands=frozenset(raw.get("age_bands", ())),
        popularity=int(raw.get("popularity", 0)),
        release_date=release,
        city=raw.get("city", ""),
        venue=raw.get("venue", ""),
        starts_at=starts_at,
        discount_percent=int(raw.get("discount_percent", 0)),
        expires_at=expires_at,
    )
