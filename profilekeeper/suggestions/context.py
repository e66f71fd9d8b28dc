"""Everything the pipeline reads besides the suggestions, prepared once per read.

Plain records in (the profile, interests, rules, people, occasions, gifts, purchases, shops,
grants), lookups out: a ``Lens`` per audience, the titles each audience already has, each
person's budget and next occasion, and the refs each shop was sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from profilekeeper.model import (
    Gift,
    GiftStatus,
    Grant,
    Interest,
    Occasion,
    Person,
    Profile,
    Purchase,
    Retailer,
    Rule,
)
from profilekeeper.reminders import headline, occurs_on
from profilekeeper.suggestions.lens import Folded, Lens
from profilekeeper.suggestions.matching import Matching, key, records
from profilekeeper.suggestions.prepare import Memo
from profilekeeper.suggestions.rules import in_force
from profilekeeper.suggestions.words import norm, words
from profilekeeper.sync.refs import person_ref
from profilekeeper.sync.sanitize import clean_text

SHOP_NAME = 80
"""A shop's name is shown cut to this, as services/shops.py cleans one when a shop is added."""


def shop_name(shop: Retailer) -> str:
    """The shop's name as shown: plain, one line (a vault from an import or an older release
    may hold any text), spaces folded."""
    return " ".join(clean_text(shop.name, limit=SHOP_NAME).split())


@dataclass(frozen=True, slots=True)
class NextOccasion:
    on: date
    days: int
    what: str
    """``Sam's birthday``, ``Sam turns 40``."""


@dataclass(slots=True)
class Context:
    today: date
    city: str
    """The shopper's city, folded ("" when not set: events anywhere are kept)."""
    city_name: str
    shop_names: dict[str, str]
    people: dict[str, Person]
    refs: dict[str, dict[str, str]]
    """Shop id → {ref sent to that shop: person id}."""
    owned: frozenset[tuple[str, ...]]
    """The titles (as ``words``) of the shopper's own purchases."""
    given: dict[str, frozenset[tuple[str, ...]]]
    """Person id → the titles (as ``words``) bought for, given to or received from them."""
    next_occasion: dict[str, NextOccasion]
    interests: dict[str | None, list[Interest]]
    rules: list[Rule]
    shop_ids: dict[str, frozenset[str]]
    """A shop's folded name (or id) → the ids it names, for ``shop`` rules."""
    folded: Folded = field(default_factory=Folded)
    """Shop text already folded (cities), for this read."""
    fresh: dict[int, Interest | Rule] = field(default_factory=dict)
    """When the lenses are the memo's (``remembered``): by id(), this read's record for each
    interest and rule they match through. Empty: they match through this read's records."""
    _matching: Matching | None = None

    def lens(self, person_id: str | None) -> Lens:
        """The owner's lens (None), or the person's (see ``Matching.lens``)."""
        return self.matching().lens(person_id)

    def matching(self) -> Matching:
        if self._matching is None:
            self._matching = Matching((), self.interests, self.rules, self.shop_ids)
        return self._matching

    def remembered(self, memo: Memo) -> Matching:
        """The memo's lenses when they were made from interests, rules and shops equal in
        every field to this read's; else new ones, which the memo keeps for the next read."""
        now = key(self.interests, self.rules, self.shop_ids)
        kept = memo.matching
        if isinstance(kept, Matching) and kept.key == now:
            this_read = records(self.interests, self.rules)
            self.fresh = {id(then): record for then, record in zip(kept.records(), this_read,
                                                                   strict=True)}  # fmt: skip
            self._matching = kept
        else:
            self.fresh = {}
            self._matching = memo.matching = Matching(now, self.interests, self.rules,
                                                      self.shop_ids)  # fmt: skip
        return self._matching


def build(
    *, profile: Profile, interests: Iterable[Interest] = (), rules: Iterable[Rule] = (),
    people: Iterable[Person] = (), occasions: Iterable[Occasion] = (), gifts: Iterable[Gift] = (),
    purchases: Iterable[Purchase] = (), shops: Sequence[Retailer] = (),
    grants: Iterable[Grant] = (), today: date, now: datetime | None = None,
) -> Context:  # fmt: skip
    people_by_id = {p.id: p for p in people}
    by_person: dict[str | None, list[Interest]] = {}
    for i in interests:
        by_person.setdefault(i.person_id, []).append(i)
    given: dict[str, set[tuple[str, ...]]] = {}
    for g in gifts:
        if g.person_id is not None and g.status is not GiftStatus.IDEA:
            given.setdefault(g.person_id, set()).add(words(g.title))
    owned = set()
    for p in purchases:
        if p.gift_for is None:
            owned.add(words(p.title))
        else:
            given.setdefault(p.gift_for, set()).add(words(p.title))
    shop_ids: dict[str, set[str]] = {}
    for s in shops:
        shop_ids.setdefault(norm(s.name), set()).add(s.id)
        shop_ids.setdefault(s.id, set()).add(s.id)
    return Context(
        today=today, city=norm(profile.city), city_name=profile.city,
        shop_names={s.id: shop_name(s) for s in shops}, people=people_by_id,
        refs=_refs_sent(shops, grants, people_by_id, now),
        owned=frozenset(owned), given={k: frozenset(v) for k, v in given.items()},
        next_occasion=_next_occasions(occasions, people_by_id, today),
        interests=by_person, rules=[r for r in rules if in_force(r, today)],
        shop_ids={k: frozenset(v) for k, v in shop_ids.items()},
    )  # fmt: skip


def _refs_sent(shops: Sequence[Retailer], grants: Iterable[Grant], people: dict[str, Person],
               now: datetime | None) -> dict[str, dict[str, str]]:  # fmt: skip
    """The ``people.<ref>`` refs each shop holds: one per person granted to it, in force."""
    keys = {s.id: s.ref_key for s in shops if s.ref_key}
    refs: dict[str, dict[str, str]] = {s.id: {} for s in shops}
    for g in grants:
        if g.person_id is None or g.person_id not in people or g.retailer_id not in keys \
                or g.revoked_at is not None \
                or (now is not None and g.until is not None and g.until <= now):
            continue
        refs[g.retailer_id][person_ref(keys[g.retailer_id], g.person_id)] = g.person_id
    return refs


def _next_occasions(occasions: Iterable[Occasion], people: dict[str, Person],
                    today: date) -> dict[str, NextOccasion]:  # fmt: skip
    found: dict[str, NextOccasion] = {}
    for o in occasions:
        if o.person_id is None or (person := people.get(o.person_id)) is None:
            continue
        on = occurs_on(o, today)
        if on is None or ((seen := found.get(o.person_id)) and seen.on <= on):
            continue
        what = headline(person.name, o.kind, o.label, None)
        found[o.person_id] = NextOccasion(on, (on - today).days, what)
    return found

