"""The reference server's recommender: plain scoring over the catalog, no learning.

Love counts more than like; dislikes pull an item down; ``never`` removes it. Events (concerts,
film screenings and premieres) are suggested only in the shared city; releases by followed
creators (loved or liked) get a boost; gift ideas for each ``people.<ref>`` slice stay within
that person's budget and age band and rise as one of their upcoming occasions comes near.
Deterministic for the same inputs, so cursor paging over a recomputed list is stable.

Only items sharing a key (creator, tag, title) with a positive taste can score above zero, so
an ``IndexedCatalog``, made once when the server starts, lists items by key and the scoring
looks at those alone; a plain list is indexed on each call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter

from profilekeeper.sync.catalog import CatalogItem
from profilekeeper.sync.protocol import (
    CitySlice,
    InterestItem,
    InterestsSlice,
    PersonSlice,
    PurchasesSlice,
    Suggestion,
    UpcomingOccasionsSlice,
)

WEIGHTS = {"love": 3.0, "like": 1.0, "dislike": -2.0}
RELEASE_WINDOW = (timedelta(days=-45), timedelta(days=60))
MAX_SUGGESTIONS = 600
GIFTS_PER_PERSON = 40
_SUGGESTION = TypeAdapter(Suggestion)


@dataclass
class Taste:
    """Interests by lower-cased name: a weight, or in ``never`` if not to be suggested at all."""

    weights: dict[str, float] = field(default_factory=dict)
    sentiments: dict[str, str] = field(default_factory=dict)
    never: set[str] = field(default_factory=set)

    def add(self, items: Iterable[InterestItem]) -> None:
        for item in items:
            key = item.name.strip().lower()
            if item.sentiment == "never":
                self.never.add(key)
            else:
                self.weights[key] = WEIGHTS[item.sentiment]
                self.sentiments[key] = item.sentiment

    def __bool__(self) -> bool:
        return bool(self.weights or self.never)


class IndexedCatalog(tuple[CatalogItem, ...]):
    """A catalog, where each lower-cased match key occurs in it, and how each item spells it."""

    by_key: dict[str, tuple[int, ...]]
    _spelled: dict[int, dict[str, str]]

    def __new__(cls, items: Iterable[CatalogItem]) -> IndexedCatalog:
        self = super().__new__(cls, items)
        positions: dict[str, list[int]] = {}
        for position, item in enumerate(self):
            for key, _factor in item.match_keys:
                found = positions.setdefault(key, [])
                if not found or found[-1] != position:
                    found.append(position)
        self.by_key = {key: tuple(found) for key, found in positions.items()}
        # By the item itself (ids may repeat in a catalog file); the first spelling wins.
        self._spelled = {id(item): {name.lower(): name for name in reversed(
            (*item.creators, *item.tags))} for item in self}
        return self

    def spelled(self, item: CatalogItem, key: str) -> str:
        """How ``item`` writes the creator or tag ``key`` (lower-cased); else ``key``."""
        return self._spelled[id(item)].get(key, key)

    def matching(self, taste: Taste) -> list[CatalogItem]:
        """The items, in catalog order, with a key that ``taste`` weighs above zero."""
        positions: set[int] = set()
        for key, weight in taste.weights.items():
            if weight > 0:
                positions.update(self.by_key.get(key, ()))
        return [self[position] for position in sorted(positions)]


@dataclass(frozen=True)
class Ranked:
    """A suggestion as ranked, before it is made a protocol model (``to_wire``): a page needs
    only its own items made."""

    score: float
    item: CatalogItem
    for_: str
    """``self``, or the ref of the person it is a gift idea for."""
    reason: str

    @property
    def id(self) -> str:
        return self.item.id if self.for_ == "self" else f"{self.item.id}.for.{self.for_}"

    @property
    def kind(self) -> str:
        return self.item.kind


def recommend(
    catalog: Sequence[CatalogItem],
    slices: Mapping[str, Any],
    now: datetime,
    feedback: Mapping[str, str] | None = None,
) -> list[Any]:
    """Rank catalog items for one link's slices.

    Args:
        catalog: The retailer's items.
        slices: Slice name to its validated protocol model, as stored for the link.
        now: The present (aware); events, offers and occasions are judged against it.
        feedback: Suggestion id to verdict, as the client sent it.

    Returns:
        Protocol suggestion models, best first, at most ``MAX_SUGGESTIONS``.
    """
    return [to_wire(ranked) for ranked in rank(catalog, slices, now, feedback)]


def rank(
    catalog: Sequence[CatalogItem],
    slices: Mapping[str, Any],
    now: datetime,
    feedback: Mapping[str, str] | None = None,
) -> list[Ranked]:
    """What ``recommend`` returns, in the same order, each not yet made a protocol model."""
    feedback = dict(feedback or {})
    indexed = catalog if isinstance(catalog, IndexedCatalog) else IndexedCatalog(catalog)
    by_id = {item.id: item for item in indexed} if feedback else {}
    taste = Taste()
    for name, value in slices.items():
        if name.startswith("interests.") and isinstance(value, InterestsSlice):
            taste.add(value.items)
    owned: set[str] = set()
    purchases = slices.get("purchases")
    if isinstance(purchases, PurchasesSlice):
        owned = {p.title.strip().lower() for p in purchases.items}
        for creator in {c.strip().lower() for p in purchases.items for c in p.creators}:
            taste.weights.setdefault(creator, 0.5)
            taste.sentiments.setdefault(creator, "bought from")
    skipped = {sid for sid, verdict in feedback.items() if verdict != "like"}
    for sid, verdict in feedback.items():
        item = by_id.get(sid.split(".for.", 1)[0])
        if item and verdict == "never_creator":
            taste.never.update(c.lower() for c in item.creators)
        elif item and verdict == "like":
            for creator in item.creators:
                key = creator.lower()
                taste.weights[key] = taste.weights.get(key, 0.0) + 1.0
                taste.sentiments.setdefault(key, "like")
    city_slice = slices.get("location.city")
    city = city_slice.city.strip().lower() if isinstance(city_slice, CitySlice) else ""

    scored = _for_self(indexed, indexed.matching(taste) if taste else indexed, taste, city,
                       owned, now)
    occasions = slices.get("occasions.upcoming")
    for name, value in sorted(slices.items()):
        if name.startswith("people.") and isinstance(value, PersonSlice):
            ref = name.split(".", 1)[1]
            occasion = _next_occasion(occasions, ref, now.date())
            scored.extend(_gifts(indexed, ref, value, occasion, now)[:GIFTS_PER_PERSON])
    if skipped:
        scored = [s for s in scored if s.id not in skipped]
    scored.sort(key=lambda s: (-s.score, s.id))
    return scored[:MAX_SUGGESTIONS]


def _for_self(
    catalog: IndexedCatalog, items: Sequence[CatalogItem], taste: Taste, city: str,
    owned: set[str], now: datetime,
) -> list[Ranked]:
    """Scored items for the shopper; ``items`` may leave out any that cannot score above 0."""
    results = []
    for item in items:
        if not _available(item, now) or (owned and item.title.lower() in owned):
            continue
        if item.kind == "event" and (not city or item.city.lower() != city):
            continue
        match = _match(catalog, item, taste)
        if match is None:
            continue
        score, because = match
        if not taste:
            # Nothing shared but perhaps a greeting: popular items, said plainly.
            score, because = item.popularity / 100, "popular at this shop"
        elif score <= 0:
            continue
        score, because = _kind_bonus(item, taste, score, because, now)
        results.append(Ranked(score, item, "self", because))
    return results


def _gifts(
    catalog: IndexedCatalog,
    ref: str,
    person: PersonSlice,
    occasion: tuple[str, date] | None,
    now: datetime,
) -> list[Ranked]:
    taste = Taste()
    taste.add(person.interests)
    budget = person.budget
    results = []
    for item in catalog.matching(taste):
        if item.kind == "event" or not _available(item, now):
            continue
        if budget is not None and not _within(item, budget.amount, budget.currency):
            continue
        if person.age_band and item.age_bands and person.age_band not in item.age_bands:
            continue
        match = _match(catalog, item, taste)
        if match is None or match[0] <= 0:
            continue
        score, because = match
        parts = [f"gift idea for {ref}"]
        if occasion:
            kind, when = occasion
            days = (when - now.date()).days
            score += 3.0 * max(0.0, 1 - days / 60)
            parts = [f"for {ref}'s {kind} on {when.isoformat()}"]
        if budget is not None:
            parts.append(f"within {budget.amount} {budget.currency}")
        parts.append(because.replace("you ", "they "))
        results.append(Ranked(score, item, ref, ", ".join(parts)))
    results.sort(key=lambda s: (-s.score, s.item.id))
    return results


def _match(catalog: IndexedCatalog, item: CatalogItem, taste: Taste
           ) -> tuple[float, str] | None:  # fmt: skip
    """Score ``item`` against ``taste``; None if it touches a ``never``."""
    score = 0.0
    best, best_weight = "", 0.0
    for name, factor in item.match_keys:
        if name in taste.never:
            return None
        weight = taste.weights.get(name)
        if weight is None:
            continue
        score += weight * factor
        if weight * factor > best_weight:
            best, best_weight = name, weight * factor
    if not best:
        return score, ""
    return score, f"because you {taste.sentiments[best]} {catalog.spelled(item, best)}"


def _kind_bonus(
    item: CatalogItem, taste: Taste, score: float, because: str, now: datetime
) -> tuple[float, str]:
    if item.kind == "release" and item.release_date is not None:
        followed = [c for c in item.creators if taste.weights.get(c.lower(), 0) >= 1]
        when = "out since" if item.release_date <= now.date() else "out on"
        if followed:
            sentiment = taste.sentiments[followed[0].lower()]
            return score + 3.0, (
                f"new release by {followed[0]}, whom you {sentiment} "
                f"({when} {item.release_date.isoformat()})"
            )
    if item.kind == "event" and item.starts_at is not None:
        when = item.starts_at.date().isoformat()
        return score + 1.0, f"{_event_words(item)} {item.city} on {when}; {because}"
    if item.kind == "offer" and item.expires_at is not None:
        return score + item.discount_percent / 25, (
            f"{item.discount_percent}% off until {item.expires_at.date().isoformat()}; {because}"
        )
    return score, because


def _event_words(item: CatalogItem) -> str:
    """How an event's reason begins: "live in" a concert, "screening in" a film…"""
    if "premiere" in item.tags:
        return "premiere in"
    return {"concerts": "live in", "screenings": "screening in"}.get(item.category, "in")


def _available(item: CatalogItem, now: datetime) -> bool:
    if item.kind == "event":
        return item.starts_at is not None and item.starts_at > now
    if item.kind == "offer":
        return item.expires_at is not None and item.expires_at > now
    if item.kind == "release" and item.release_date is not None:
        age = now.date() - item.release_date
        return RELEASE_WINDOW[0] <= -age <= RELEASE_WINDOW[1]
    return True


def _within(item: CatalogItem, amount: str, currency: str) -> bool:
    return item.price is not None and item.currency == currency and item.price <= Decimal(amount)


def _next_occasion(
    occasions: object, ref: str, today: date
) -> tuple[str, date] | None:
    if not isinstance(occasions, UpcomingOccasionsSlice):
        return None
    dates = sorted(
        (o.date, o.kind) for o in occasions.items
        if o.for_ == ref and 0 <= (o.date - today).days <= occasions.horizon_days
    )
    return (dates[0][1], dates[0][0]) if dates else None


def to_wire(scored: Ranked) -> Any:
    """The protocol model of a ranked suggestion (validated: it must fit the protocol)."""
    item = scored.item
    body: dict[str, Any] = {
        "id": scored.id,
        "kind": item.kind,
        "title": item.title,
        "creators": list(item.creators),
        "category": item.category,
        "tags": list(item.tags),
        "price": str(item.price) if item.price is not None else None,
        "currency": item.currency,
        "url": item.url,
        "for": scored.for_,
        "reason": scored.reason or "suggested by this shop",
    }
    if item.kind == "release":
        body["release_date"] = item.release_date
    elif item.kind == "event":
        body.update(city=item.city, date=item.starts_at, venue=item.venue)
    elif item.kind == "offer":
        body.update(discount_percent=item.discount_percent, expires_at=item.expires_at)
    return _SUGGESTION.validate_python(body)
