"""Reading a page of suggestions item by item: a bad item is dropped with its reason, not fatal.

A shop's answer is untrusted. Each item must match its kind's model (the limits on what a shop
may send are the models' bounds), name only ``self`` or a ref this shopper sent to that shop
in ``for``, and have a plain id; what survives has its text cleaned by ``clean_text``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from pydantic import ValidationError

from profilekeeper.sync.protocol._suggestions import (
    MAX_CATEGORY,
    MAX_CITY,
    MAX_CREATOR,
    MAX_CURSOR,
    MAX_ID,
    MAX_REASON,
    MAX_TAG,
    MAX_TITLE,
    MAX_VENUE,
    SUGGESTION_MODELS,
    AnySuggestion,
)
from profilekeeper.sync.protocol._wire import MAX_PAGE_SIZE
from profilekeeper.sync.sanitize import clean_text

_CURSOR = re.compile(rf"[\x21-\x7e]{{1,{MAX_CURSOR}}}")
_TEXT_LIMITS = {"title": MAX_TITLE, "category": MAX_CATEGORY, "reason": MAX_REASON,
                "city": MAX_CITY, "venue": MAX_VENUE}
_LOC_PART = re.compile(r"[a-z_]{1,40}")


@dataclass(frozen=True)
class Dropped:
    """An item left out of a page: its position and why, in the client's own words."""

    index: int
    reason: str


@dataclass(frozen=True)
class ParsedPage:
    items: list[AnySuggestion]
    """The items kept, in the shop's order, their text cleaned."""
    next_cursor: str | None
    dropped: list[Dropped] = field(default_factory=list)


class _Drop(Exception):
    pass


def parse_suggestions(page: object, *, known_refs: Collection[str],
                      seen: Collection[str] = ()) -> ParsedPage:
    """Read one decoded page of suggestions, keeping every item that is sound.

    Args:
        page: The page as decoded JSON.
        known_refs: The ``people.<ref>`` refs this shopper sent to this shop.
        seen: Ids kept from earlier pages of the same walk: they are not kept twice.

    Raises:
        ValueError: ``page`` is not a page at all: not an object with ``items`` and
            ``next_cursor``, more than ``MAX_PAGE_SIZE`` items, or a cursor that is not
            printable ASCII of at most 1,000 characters.
    """
    if not isinstance(page, dict) or not isinstance(page.get("items"), list) \
            or "next_cursor" not in page:
        raise ValueError("not a suggestions page (an object with items and next_cursor)")
    raw_items: list[object] = page["items"]
    if len(raw_items) > MAX_PAGE_SIZE:
        raise ValueError(f"a page of more than {MAX_PAGE_SIZE} items")
    cursor = page["next_cursor"]
    if cursor is not None and not (isinstance(cursor, str) and _CURSOR.fullmatch(cursor)):
        raise ValueError("next_cursor is not printable ASCII of at most 1000 characters")
    items: list[AnySuggestion] = []
    dropped: list[Dropped] = []
    kept = set(seen)
    for index, raw in enumerate(raw_items):
        try:
            item = _item(raw, known_refs)
            if item.id in kept:
                raise _Drop("id: the same id came twice")
        except _Drop as why:
            dropped.append(Dropped(index, str(why)))
            continue
        kept.add(item.id)
        items.append(item)
    return ParsedPage(items, cursor, dropped)


def _item(raw: object, known_refs: Collection[str]) -> AnySuggestion:
    if not isinstance(raw, dict):
        raise _Drop("not an object")
    kind = raw.get("kind")
    model = SUGGESTION_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise _Drop("kind: missing or not one this client knows")
    try:
        item: AnySuggestion = model.model_validate(raw)  # type: ignore[assignment]
    except ValidationError as error:
        raise _Drop(validation_reason(error)) from None
    if item.for_ != "self" and item.for_ not in known_refs:
        raise _Drop("for: not a ref this shopper sent to this shop")
    if clean_text(item.id, limit=MAX_ID) != item.id:
        raise _Drop("id: control characters or spaces around it")
    update: dict[str, object] = {
        name: clean_text(getattr(item, name), limit=limit)
        for name, limit in _TEXT_LIMITS.items() if hasattr(item, name)
    }
    update["creators"] = _clean_list(item.creators, MAX_CREATOR)
    update["tags"] = _clean_list(item.tags, MAX_TAG)
    return item.model_copy(update=update)


def _clean_list(values: list[str], limit: int) -> list[str]:
    cleaned = (clean_text(value, limit=limit) for value in values)
    return [value for value in cleaned if value]


def validation_reason(error: ValidationError) -> str:
    """Where and how a value failed its model, in the model's own names: never the value."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]
                     if isinstance(part, int) or _LOC_PART.fullmatch(str(part)))
    return f"{where or 'item'}: {first['type'].replace('_', ' ')}"
