"""The vault's records as the protocol's slices: what each slice holds, and nothing more.

Plain Python over model records (no vault, no HTTP): the caller loads a ``ProfileSource`` and
``profilekeeper.sync.payload.build_profile_put`` decides which slices leave, for which shop.

What each slice takes (docs/protocol.md, "Slices"):

- ``greeting``: the first word of the display name, nothing else.
- ``interests.<slug>``: the owner's own interests of one category, all four sentiments; the
  category slugged to the wire pattern (``wire_text.category_slug``), alike ones merged.
- ``location.city``: the city only (the profile holds no country).
- ``purchases``: the owner's own purchases; never a gift (``gift_for``) nor one marked "don't
  use for personalization"; title, category, creators, ISO date.
- ``people.<ref>``: relationship, age band (from a birthday with a year), that person's
  interests, budget with its currency. Never a name, notes, sizes or contact uid. The ref is
  ``person_ref(shop.ref_key, person.id)``: an HMAC, so two shops cannot join their refs.
- ``occasions.upcoming``: next occurrences within the horizon, for ``self`` and the people
  sent; the date is the next occurrence (29 February as ``reminders`` places it), never a year
  of birth. A kind is typed freely ("Sam's party"), so only common ones go by name
  (``OCCASION_KINDS``), any other as ``other``.

A value that does not fit the wire model is left out of its slice, never fatal for the rest,
and noted in ``Withheld`` with a reason that names the kind of value, never the value itself.
What the owner can grant, in plain words, is ``slice_choices.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from profilekeeper.model import Interest, Occasion, Person, Profile, Purchase
from profilekeeper.reminders import leap_day_setting, next_occurrence, occurs_on
from profilekeeper.sync.protocol import (
    AgeBand,
    Budget,
    CitySlice,
    GreetingSlice,
    InterestItem,
    InterestsSlice,
    PersonInterest,
    PersonSlice,
    PurchaseItem,
    PurchasesSlice,
    UpcomingOccasion,
    UpcomingOccasionsSlice,
)
from profilekeeper.sync.refs import REF_LENGTH as REF_LENGTH
from profilekeeper.sync.refs import person_ref as person_ref
from profilekeeper.sync.wire_text import OCCASION_KINDS as OCCASION_KINDS
from profilekeeper.sync.wire_text import category_slug as category_slug
from profilekeeper.sync.wire_text import clean as clean
from profilekeeper.sync.wire_text import occasion_kind

PEOPLE = "people"
"""A person's grant is ``Grant(slice="people", person_id=…)``; the wire name has the ref."""
FIXED_SLICES = ("greeting", "location.city", "purchases", "occasions.upcoming")
SENTIMENTS = ("never", "love", "like", "dislike")
"""Sentiments, in the order a capped slice keeps them: ``never`` is the shop's hard stop."""
MAX_INTERESTS, MAX_PERSON_INTERESTS, MAX_PURCHASES, MAX_UPCOMING = 500, 200, 1000, 200

_AGE_BANDS: tuple[tuple[int, AgeBand], ...] = (
    (2, "0-2"), (5, "3-5"), (9, "6-9"), (12, "10-12"), (17, "13-17"), (24, "18-24"),
    (34, "25-34"), (49, "35-49"), (64, "50-64"),
)  # fmt: skip
_MONEY = re.compile(r"^[0-9]{1,7}(\.[0-9]{1,2})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class ProfileSource:
    """The records slices are built from (the caller loads them)."""

    profile: Profile
    people: Sequence[Person] = ()
    interests: Sequence[Interest] = ()
    occasions: Sequence[Occasion] = ()
    purchases: Sequence[Purchase] = ()


@dataclass(frozen=True)
class Withheld:
    """A granted slice, or part of one, not sent, and why (never the value itself)."""

    slice: str
    reason: str
    person_id: str | None = None


class Notes:
    """Collects what was left out: whole slices, and values counted per slice and reason."""

    def __init__(self) -> None:
        self._whole: list[Withheld] = []
        self._parts: dict[tuple[str, str | None, str, str], int] = {}

    def withhold(self, name: str, reason: str, person_id: str | None = None) -> None:
        """The whole slice ``name`` is not sent."""
        self._whole.append(Withheld(name, reason, person_id))

    def left_out(self, name: str, what: str, why: str, person_id: str | None = None) -> None:
        """One ``what`` (e.g. "interest") of slice ``name`` is not sent, because ``why``."""
        key = (name, person_id, what, why)
        self._parts[key] = self._parts.get(key, 0) + 1

    def withheld(self) -> tuple[Withheld, ...]:
        parts = (Withheld(name, f"{n} {what}{'s' * (n != 1)} left out: {why}", person_id)
                 for (name, person_id, what, why), n in self._parts.items())  # fmt: skip
        return (*self._whole, *parts)


def age_band(age: int) -> AgeBand | None:
    """The protocol's band for ``age`` in whole years; None for a negative age."""
    if age < 0:
        return None
    return next((band for top, band in _AGE_BANDS if age <= top), "65+")


def age_on(today: date, month: int, day: int, year: int, *, leap_day: str = "feb28") -> int:
    """Whole years on ``today`` of someone born ``year-month-day`` (29 Feb as ``reminders``)."""
    birthday = next_occurrence(month, day, today, leap_day=leap_day)
    had_it = birthday == today or birthday.year > today.year
    return today.year - year - (0 if had_it else 1)


def greeting_slice(profile: Profile, notes: Notes) -> GreetingSlice | None:
    first = clean(profile.display_name).split(" ", 1)[0]
    if not first:
        notes.withhold("greeting", "the profile has no display name")
        return None
    if len(first) > 40:
        notes.withhold("greeting", "the first name is longer than 40 characters")
        return None
    return GreetingSlice(first_name=first)


def city_slice(profile: Profile, notes: Notes) -> CitySlice | None:
    city = clean(profile.city)
    if not city:
        notes.withhold("location.city", "the profile has no city")
        return None
    if len(city) > 80:
        notes.withhold("location.city", "the city is longer than 80 characters")
        return None
    return CitySlice(city=city)


def _sentiment(interest: Interest) -> str | None:
    value = str(getattr(interest.sentiment, "value", interest.sentiment))
    return value if value in SENTIMENTS else None


def _interest_items(
    interests: Iterable[Interest], wire: str, cap: int, notes: Notes, person_id: str | None
) -> list[tuple[str, str, str]]:
    """(slug, name, sentiment) of ``interests`` that fit, deduplicated, capped, in order."""
    found: dict[tuple[str, str, str], None] = {}
    for interest in interests:
        name, sentiment = clean(interest.name), _sentiment(interest)
        if not name or sentiment is None:
            notes.left_out(wire, "interest", "no name or an unknown sentiment", person_id)
        elif len(name) > 120:
            notes.left_out(wire, "interest", "name longer than 120 characters", person_id)
        else:
            found[(category_slug(interest.category), name, sentiment)] = None
    items = sorted(found, key=lambda i: (SENTIMENTS.index(i[2]), i[1].casefold(), i))
    if len(items) > cap:
        for _ in items[cap:]:
            notes.left_out(wire, "interest", f"more than {cap} in one slice", person_id)
    return items[:cap]


def interest_slices(interests: Iterable[Interest], notes: Notes) -> dict[str, InterestsSlice]:
    """The owner's own interests (``person_id`` None), one slice per slugged category."""
    by_slice: dict[str, list[Interest]] = {}
    for interest in interests:
        if interest.person_id is None:
            by_slice.setdefault(f"interests.{category_slug(interest.category)}", []).append(
                interest
            )
    return {
        name: InterestsSlice(items=[
            InterestItem(name=n, sentiment=s)
            for _, n, s in _interest_items(group, name, MAX_INTERESTS, notes, None)
        ])
        for name, group in by_slice.items()
    }  # fmt: skip


def purchases_slice(purchases: Iterable[Purchase], notes: Notes) -> PurchasesSlice:
    """The owner's own purchases: never a gift, never one marked "don't use", newest first."""
    items = []
    for purchase in purchases:
        if purchase.gift_for is not None or purchase.personalize is not True:
            continue
        title = clean(purchase.title)
        if not title or len(title) > 200:
            notes.left_out("purchases", "purchase", "no title or one longer than 200 characters")
            continue
        category = clean(purchase.category)
        if len(category) > 40:
            notes.left_out("purchases", "category", "longer than 40 characters")
            category = ""
        creators = [clean(c) for c in purchase.creators if clean(c)]
        if any(len(c) > 120 for c in creators) or len(creators) > 20:
            notes.left_out("purchases", "creator list", "over 20 names or 120 characters")
            creators = [c for c in creators if len(c) <= 120][:20]
        items.append(PurchaseItem(title=title, category=category, creators=creators,
                                  on=purchase.on))  # fmt: skip
    items.sort(key=lambda i: (-(i.on or date.min).toordinal(), i.title, i.category, i.creators))
    for _ in items[MAX_PURCHASES:]:
        notes.left_out("purchases", "purchase", f"more than {MAX_PURCHASES} in one slice")
    return PurchasesSlice(items=items[:MAX_PURCHASES])


def _budget(person: Person, wire: str, notes: Notes) -> Budget | None:
    if person.budget is None:
        return None
    currency = clean(person.currency).upper()
    try:
        amount = Decimal(person.budget)
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            amount = amount.quantize(Decimal("0.01"))
        text = f"{amount:f}"
    except (InvalidOperation, TypeError, ValueError):
        text = ""
    if not _MONEY.match(text):
        notes.left_out(wire, "budget", "not an amount the protocol can carry", person.id)
    elif not _CURRENCY.match(currency):
        notes.left_out(wire, "budget", "no three-letter currency", person.id)
    else:
        return Budget(amount=text, currency=currency)
    return None


def birth_date(person_id: str, occasions: Iterable[Occasion]) -> tuple[int, int, int] | None:
    """(year, month, day) of the person's birthday with a year, if any (the earliest)."""
    born = [(o.year, o.month, o.day) for o in occasions
            if o.person_id == person_id and o.year is not None
            and o.kind.casefold() == "birthday"]  # fmt: skip
    return min(born) if born else None


def person_slice(
    person: Person,
    wire: str,
    interests: Iterable[Interest],
    occasions: Iterable[Occasion],
    today: date,
    notes: Notes,
    *,
    leap_day: str = "feb28",
) -> PersonSlice:
    """What ``people.<ref>`` says of ``person``: never a name, notes, sizes or contact uid.

    ``interests`` and ``occasions`` may hold other people's too: only ``person``'s are read.
    """
    relationship = clean(person.relationship)
    if len(relationship) > 40:
        notes.left_out(wire, "relationship", "longer than 40 characters", person.id)
        relationship = ""
    band = None
    born = birth_date(person.id, occasions)
    if born is not None:
        try:
            band = age_band(age_on(today, born[1], born[2], born[0], leap_day=leap_day))
        except ValueError:  # a month or day no calendar has
            band = None
        if band is None:
            notes.left_out(wire, "age band", "the birthday is not a past date", person.id)
    theirs = (i for i in interests if i.person_id == person.id)
    return PersonSlice(
        relationship=relationship,
        age_band=band,
        interests=[PersonInterest(category=c, name=n, sentiment=s)
                   for c, n, s in _interest_items(theirs, wire, MAX_PERSON_INTERESTS, notes,
                                                  person.id)],
        budget=_budget(person, wire, notes),
    )  # fmt: skip


def upcoming_occasions(
    occasions: Iterable[Occasion],
    refs: Mapping[str | None, str],
    today: date,
    horizon_days: int,
    notes: Notes,
    *,
    leap_day: str = "feb28",
) -> UpcomingOccasionsSlice:
    """Next occurrences in ``[today, today + horizon_days]`` of the occasions of ``refs``' keys.

    ``refs`` maps a person id to the ref sent for them, and None (the owner) to ``self``;
    anyone else's occasions are not looked at.
    """
    last = today + timedelta(days=horizon_days)
    found: set[tuple[date, str, str]] = set()
    for occasion in occasions:
        ref = refs.get(occasion.person_id)
        if ref is None:
            continue
        try:
            on = occurs_on(occasion, today, leap_day=leap_day)
        except (TypeError, ValueError, OverflowError):
            notes.left_out("occasions.upcoming", "occasion", "not a calendar date")
            continue
        if on is not None and on <= last:
            found.add((on, ref, occasion_kind(occasion.kind)))
    items = sorted(found)
    for _ in items[MAX_UPCOMING:]:
        notes.left_out("occasions.upcoming", "date", f"more than {MAX_UPCOMING} in one slice")
    return UpcomingOccasionsSlice(
        horizon_days=horizon_days,
        items=[UpcomingOccasion(for_=r, kind=k, date=d) for d, r, k in items[:MAX_UPCOMING]],
    )


def leap_day_of(profile: Profile) -> str:
    """Where the owner's settings put 29 February in common years."""
    return leap_day_setting(profile.settings)


def by_person(
    records: Iterable[Any], only: Collection[str | None] | None = None
) -> dict[str | None, list[Any]]:
    """Records (interests, occasions) grouped by ``person_id``, of ``only`` those if given."""
    grouped: dict[str | None, list[Any]] = {}
    for record in records:
        if only is None or record.person_id in only:
            grouped.setdefault(record.person_id, []).append(record)
    return grouped
