"""The lenses of one set of interests and rules, and how a ``Memo`` keeps them between reads.

Building a ``Lens`` files 500 interests and 200 rules for each of 50 people; matching an item
through it is a few lookups, and what it makes of an item (``Lens.weigh``) is remembered on
the item's features. Both hold for as long as the interests, the rules in force and the shops
are what they were: the memo keeps the lenses with a copy of every field of those (``key``),
compared, field by field, at every read. So a new never-interest or rule, or one changed in
place, is matched afresh at the very next read; unchanged, nothing is built again.

A read that takes lenses from the memo matches through the interest and rule records of the
read that built them (equal in every field); ``fresh`` gives this read's record for one of
those, which is what an item says hid it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from itertools import chain
from operator import attrgetter

from profilekeeper.model import Interest, Rule, Sentiment
from profilekeeper.suggestions.lens import Coarse, Lens, is_coarse

_INTEREST = attrgetter(*(f.name for f in fields(Interest)))
_RULE = attrgetter(*(f.name for f in fields(Rule)))

Key = tuple[object, ...]


def key(interests: Mapping[str | None, list[Interest]], rules: Iterable[Rule],
        shop_ids: Mapping[str, frozenset[str]]) -> Key:  # fmt: skip
    """Every field of every interest (by whom for) and rule, and the shops' names: a copy,
    so a record changed in place after this read no longer equals it."""
    return (tuple((whom, tuple(map(_INTEREST, them))) for whom, them in interests.items()),
            tuple((_RULE(r), tuple(r.match.items())) for r in rules),
            tuple(shop_ids.items()))  # fmt: skip


class Matching:
    """The lenses for one key, each built the first time an audience is asked for."""

    __slots__ = ("everyone", "interests", "key", "lenses", "rules", "shop_ids")

    def __init__(self, key: Key, interests: Mapping[str | None, list[Interest]],
                 rules: list[Rule], shop_ids: Mapping[str, frozenset[str]]) -> None:  # fmt: skip
        self.key = key
        self.interests = interests
        self.rules = rules
        self.shop_ids = shop_ids
        self.lenses: dict[str | None, Lens] = {}
        self.everyone: Coarse | None = None
        """The coarse rules for everyone: one, shared by every lens."""

    def lens(self, person_id: str | None) -> Lens:
        """The owner's lens (None), or the person's: their interests, rules for everyone and
        for them, and the owner's never-interests (never shown to the owner, whoever for)."""
        if (found := self.lenses.get(person_id)) is not None:
            return found
        own = self.interests.get(None, [])
        interests = own if person_id is None else [
            *self.interests.get(person_id, []),
            *(i for i in own if i.sentiment is Sentiment.NEVER),
        ]  # fmt: skip
        if self.everyone is None:
            self.everyone = Coarse([r for r in self.rules if r.person_id is None and is_coarse(r)],
                                   self.shop_ids)  # fmt: skip
        rules = [r for r in self.rules if (r.person_id is None and not is_coarse(r))
                 or (r.person_id is not None and r.person_id == person_id)]  # fmt: skip
        made = self.lenses[person_id] = Lens(interests, rules, self.shop_ids, [self.everyone])
        return made

    def records(self) -> Iterator[Interest | Rule]:
        return records(self.interests, self.rules)


def records(interests: Mapping[str | None, list[Interest]], rules: Iterable[Rule]
            ) -> Iterator[Interest | Rule]:  # fmt: skip
    """Every interest and rule, in the order ``key`` has them."""
    yield from chain.from_iterable(interests.values())
    yield from rules
