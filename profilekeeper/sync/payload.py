"""The one function that builds what a shop is sent: ``build_profile_put``.

Profile data leaves only through here. A slice is sent when all of these hold:

- the owner granted it to this shop (``Grant.retailer_id == shop.id``), the grant has started
  (``since <= now``), has not ended (``until`` unset or after ``now``) and is not revoked;
- the shop accepts it (``slices_accepted`` in ``shop.discovery``, names or ``family.*``);
- the owner opted in to personalization: ``Profile.opted_in is True``. Opted out (False) *and
  not yet answered (None)* both mean ``greeting`` at most, whatever the grants say: nothing but
  a first name leaves before the owner said yes;
- its value fits the protocol (see ``slices``): what does not fit is left out, and said so in
  ``OutgoingProfile.withheld``, with reasons that never quote a value;
- it fits the request: at most 200 slices (``ProfilePut``'s cap) and the shop's
  ``max_request_bytes``; past either, people with the soonest dates are kept first.

The receipt: ``purpose`` when the shop's terms offer it, else the first the shop offers of
``recommendations``, ``gift_ideas``, ``offers``, else the shop's first; ``retention_days`` is the
shop's, cut to the whole days left before the earliest expiry among the grants of the slices
sent (at least 1). ``body`` is the exact UTF-8 JSON that is sent: keys sorted, no spaces, so the
same profile gives the same bytes and ``ProfilePut.model_validate_json(body) == put``.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from profilekeeper.model import Grant, Retailer
from profilekeeper.sync.protocol import (
    MAX_REQUEST_BYTES,
    SLICE_NAME,
    ConsentReceipt,
    InterestsSlice,
    ProfilePut,
    slice_accepted,
)
from profilekeeper.sync.slices import (
    PEOPLE,
    Notes,
    ProfileSource,
    Withheld,
    by_person,
    city_slice,
    greeting_slice,
    interest_slices,
    leap_day_of,
    person_ref,
    person_slice,
    purchases_slice,
    upcoming_occasions,
)

PREFERRED_PURPOSES = ("recommendations", "gift_ideas", "offers")
MAX_SLICES = 200
"""``ProfilePut`` holds at most this many slices (and its receipt as many names)."""
UPCOMING = "occasions.upcoming"
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ORDER = {"greeting": 0, "location.city": 1, "purchases": 3, UPCOMING: 4}  # interests: 2


@dataclass(frozen=True)
class OutgoingProfile:
    """A share ready to send, and what it leaves out."""

    body: bytes
    """Exactly the bytes the PUT sends."""
    put: ProfilePut
    slices: tuple[str, ...]
    """Wire names sent, sorted (as in the receipt)."""
    refs: dict[str, str]
    """Person id → the ref sent to this shop, for people sent (to check suggestions' ``for``)."""
    retention_days: int
    withheld: tuple[Withheld, ...]
    """Granted but not sent, wholly or in part, and why."""


def _dump(value: BaseModel) -> str:
    return json.dumps(value.model_dump(mode="json", exclude_none=True), sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)  # fmt: skip


def _terms(shop: Retailer) -> dict[str, Any]:
    terms = shop.terms or shop.discovery.get("terms")
    return terms if isinstance(terms, dict) else {}


def choose_purpose(shop: Retailer, wanted: str | None = None) -> str:
    """The receipt's purpose for ``shop`` (see the module doc).

    Raises:
        ValueError: the shop's terms offer no purpose (it is not linked).
    """
    offered = [p for p in _terms(shop).get("purposes") or [] if isinstance(p, str)
               and _PURPOSE.match(p)]  # fmt: skip
    for purpose in (wanted, *PREFERRED_PURPOSES, *offered):
        if purpose in offered:
            return purpose
    raise ValueError("the shop's terms offer no purpose")


def _shop_retention(shop: Retailer) -> int:
    days = _terms(shop).get("retention_days")
    if type(days) is not int or not 1 <= days <= 3650:
        raise ValueError("the shop's terms state no retention")
    return days


def _max_bytes(shop: Retailer) -> int:
    limits = shop.discovery.get("limits")
    cap = limits.get("max_request_bytes") if isinstance(limits, dict) else None
    return cap if type(cap) is int and 1 <= cap <= MAX_REQUEST_BYTES else MAX_REQUEST_BYTES


def _live_grants(
    shop: Retailer, grants: Sequence[Grant], now: datetime, notes: Notes
) -> dict[tuple[str, str | None], datetime | None]:
    """(slice, person id) → when its grant ends (None: never), for this shop's live grants."""
    live: dict[tuple[str, str | None], datetime | None] = {}
    ended: dict[tuple[str, str | None], str] = {}
    for grant in grants:
        key = (grant.slice, grant.person_id if grant.slice == PEOPLE else None)
        if grant.retailer_id != shop.id or grant.revoked_at is not None:
            continue
        if grant.until is not None and grant.until <= now:
            ended[key] = "the grant has expired"
        elif grant.since > now:
            ended[key] = "the grant has not started yet"
        elif key not in live or live[key] is not None:
            old = live.get(key)
            live[key] = None if grant.until is None else max(grant.until, old or grant.until)
    for key, reason in ended.items():
        if key not in live:
            notes.withhold(key[0], reason, key[1])
    return live


Wanted = dict[str, tuple[str | None, datetime | None]]
"""Wire name → (person id for a ``people.<ref>``, when its grant ends)."""


def _wanted(source: ProfileSource, shop: Retailer, grants: Sequence[Grant], now: datetime,
            notes: Notes) -> Wanted:  # fmt: skip
    """The slices live grants allow, the shop accepts and the owner's opt-in lets through."""
    accepted = [s for s in shop.discovery.get("slices_accepted") or [] if isinstance(s, str)]
    known, opted_in = {p.id for p in source.people}, source.profile.opted_in
    wanted: Wanted = {}
    for (granted, person_id), until in _live_grants(shop, grants, now, notes).items():
        name = granted
        if granted == PEOPLE:
            if person_id not in known:
                notes.withhold(granted, "the person is no longer in the vault", person_id)
                continue
            name = f"people.{person_ref(shop.ref_key, person_id)}"
        elif not SLICE_NAME.match(granted) or granted.startswith("people."):
            notes.withhold(granted[:80], "not a slice of protocol version 1")
            continue
        if name != "greeting" and opted_in is not True:
            why = "not yet answered" if opted_in is None else "off"
            notes.withhold(name, f"personalization is {why}: greeting only", person_id)
        elif not slice_accepted(name, accepted):
            notes.withhold(name, "this shop does not accept it", person_id)
        else:
            wanted[name] = (person_id, until)
    return wanted


def _fit(values: dict[str, str], wanted: Wanted, soonest: dict[str, str], limit: int,
         notes: Notes) -> list[str]:  # fmt: skip
    """The names of ``values`` (their JSON) that fit 200 slices and ``limit`` bytes, sorted.

    In order: the owner's slices, then people by their soonest date (then ref).
    """

    def rank(name: str) -> tuple[int, str, str]:
        if name.startswith("people."):
            return 5, soonest.get(name[7:], "9999"), name
        return _ORDER.get(name, 2), "", name

    budget = limit - 400  # the receipt (ids ≤ 128 characters), braces, the body's own keys
    kept: list[str] = []
    for name in sorted(values, key=rank):
        # The name twice (slices, receipt), the value, a colon and two commas.
        cost = 2 * len(json.dumps(name, ensure_ascii=False).encode()) + len(
            values[name].encode()) + 3  # fmt: skip
        if len(kept) >= MAX_SLICES:
            notes.withhold(name, f"a share holds at most {MAX_SLICES} slices", wanted[name][0])
        elif cost > budget:
            notes.withhold(name, "the share would pass the shop's size limit", wanted[name][0])
        else:
            kept.append(name)
            budget -= cost
    return sorted(kept)


def build_profile_put(
    source: ProfileSource,
    shop: Retailer,
    grants: Sequence[Grant],
    *,
    now: datetime,
    purpose: str | None = None,
    receipt_id: str | None = None,
    horizon_days: int = 60,
) -> OutgoingProfile:
    """The ``ProfilePut`` for ``shop`` now, its exact bytes and what it leaves out.

    ``now`` must be timezone-aware; dates (ages, upcoming occasions) are taken on
    ``now.date()``, so pass it in the owner's timezone. ``grants`` may hold other shops'.
    ``source`` may hold only the people granted (and the owner's own interests and dates):
    nothing else is read, so a caller with a big vault need not decrypt the rest.

    Raises:
        ValueError: ``now`` is naive, ``horizon_days`` is outside 1–366, or the shop's terms
            (``shop.terms``, else its discovery's) state no purpose or retention.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not 1 <= horizon_days <= 366:
        raise ValueError("horizon_days must be between 1 and 366")
    chosen, shop_days = choose_purpose(shop, purpose), _shop_retention(shop)
    notes, profile = Notes(), source.profile
    today, leap_day = now.date(), leap_day_of(profile)
    wanted = _wanted(source, shop, grants, now, notes)
    people = {p.id: p for p in source.people}
    ids = {None, *(person_id for person_id, _ in wanted.values())}  # the owner and the granted
    interests_of, occasions_of = by_person(source.interests, ids), by_person(source.occasions, ids)
    interests = interest_slices(interests_of.get(None, ()), notes) if any(
        n.startswith("interests.") for n in wanted) else {}  # fmt: skip

    def upcoming(refs: dict[str, str], notes: Notes) -> BaseModel:
        """``occasions.upcoming`` for the owner (``self``) and the people of ``refs``."""
        to: dict[str | None, str] = {None: "self"}
        to.update(refs)
        mine = [o for pid in to for o in occasions_of.get(pid, ())]
        return upcoming_occasions(mine, to, today, horizon_days, notes, leap_day=leap_day)

    values: dict[str, BaseModel] = {}
    for name, (person_id, _) in wanted.items():
        value: BaseModel | None = None
        if name == "greeting":
            value = greeting_slice(profile, notes)
        elif name == "location.city":
            value = city_slice(profile, notes)
        elif name == "purchases":
            value = purchases_slice(source.purchases, notes)
        elif name.startswith("interests."):
            value = interests.get(name) or InterestsSlice(items=[])
        elif person_id is not None:
            value = person_slice(people[person_id], name, interests_of.get(person_id, ()),
                                 occasions_of.get(person_id, ()), today, notes,
                                 leap_day=leap_day)  # fmt: skip
        elif name == UPCOMING:  # with every person granted: who is kept depends on it
            every = {p: n[7:] for n, (p, _) in wanted.items() if p is not None}
            value = upcoming(every, Notes())  # what it leaves out is noted on the last build
        if value is not None:
            values[name] = value
    soonest: dict[str, str] = {}
    for item in getattr(values.get(UPCOMING), "items", ()):
        soonest.setdefault(item.for_, item.date.isoformat())

    parts = {name: _dump(value) for name, value in values.items()}
    names = _fit(parts, wanted, soonest, _max_bytes(shop), notes)
    refs = {pid: n[7:] for n in names if (pid := wanted[n][0]) is not None}
    if UPCOMING in names:  # only the people kept, now
        values[UPCOMING] = upcoming(refs, notes)
        parts[UPCOMING] = _dump(values[UPCOMING])

    ends = [until for n in names if (until := wanted[n][1]) is not None]
    days = shop_days
    if ends:
        days = min(shop_days, max(1, int((min(ends) - now).total_seconds() // 86400)))
    receipt = ConsentReceipt(
        receipt_id=receipt_id or secrets.token_urlsafe(18),
        slices=names,
        purpose=chosen,
        retention_days=days,
        issued_at=now.astimezone(UTC).replace(microsecond=0),
    )
    # The same bytes json.dumps(sort_keys=True, compact) gives for the whole, from the parts.
    inner = ",".join(f"{json.dumps(n, ensure_ascii=False)}:{parts[n]}" for n in names)
    return OutgoingProfile(
        body=f'{{"receipt":{_dump(receipt)},"slices":{{{inner}}}}}'.encode(),
        put=ProfilePut(receipt=receipt, slices={n: values[n] for n in names}),
        slices=tuple(names),
        refs=refs,
        retention_days=days,
        withheld=notes.withheld(),
    )
