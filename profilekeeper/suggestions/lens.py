"""What one audience's suggestions are matched against: the shopper's own, or one person's.

Built once per read from the interests and rules, so matching an item costs a few dictionary
lookups, not a pass over 500 interests and 200 rules:

- every interest, and every rule with a creator, tag or title in it, is filed under the values
  that can trigger it; an item collects the ``Hit``s filed under its creators, tags, category
  and title words (a rule then checks the rest of its fields);
- the other rules (on shop, kind, category and price only) give the same answer for every
  item with the same shop, kind and category and a price in the same band between their price
  limits, so that answer is worked out once for each such band, the first time one is seen.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from sys import intern

from profilekeeper.model import Interest, Rule, RuleAction, Sentiment, Source, Suggestion
from profilekeeper.suggestions.rules import price_holds, price_test
from profilekeeper.suggestions.words import has_run, norm, words

NEVER, AFFINITY, RULE, HIDE = 0, 1, 2, 3
"""What a ``Hit`` is: a never-interest, another interest, a rule that moves, a rule that hides."""
POINTS = {Sentiment.LOVE: 3.0, Sentiment.LIKE: 1.0, Sentiment.DISLIKE: -2.0}
"""An entered interest's pull on an item it matches; a learned one pulls by its weight."""
RULE_POINTS = 2.0
"""A boost (or bury) rule of weight 1 counts as much as two liked interests."""
_FINE = ("creator", "tag", "title")
"""Fields with many values: a rule with one of them is filed under it."""


class Folded(dict[str, str]):
    """Names already folded (creators, tags and categories repeat from item to item): one for
    a whole read, so each distinct name is folded once."""

    __slots__ = ()

    def __missing__(self, name: str) -> str:
        done = self[name] = norm(name)
        return done


class Features:
    """What an item is matched on, its text folded once (``folded``: see ``Folded``), and the
    keys dedupe finds it by: ``own``, the shop and the shop's id for it; ``same``, its kind,
    title words and creators for its audience (a string: Python keeps its hash)."""

    __slots__ = ("category", "creators", "kind", "own", "price", "same", "shop", "tags",
                 "text", "title", "weighed")  # fmt: skip

    def __init__(self, s: Suggestion, folded: Folded) -> None:
        fold = folded.__getitem__
        self.creators = creators = tuple(map(fold, s.creators))
        self.tags = tuple(map(fold, s.tags))
        self.category = fold(s.category)
        self.title = title = tuple(map(intern, words(s.title)))  # one copy of each word
        self.kind = s.kind
        self.shop = s.retailer_id
        self.price = s.price
        # Parts joined by "\0", in which none can be (sanitizing strips it; a ref is ASCII):
        # so two items have the same key only when they have the same parts.
        audience = "" if s.for_ref == "self" else (
            s.person_id or f"{s.retailer_id}:{s.for_ref.replace(chr(0), chr(0xFFFD))}")
        self.same = "\0".join((s.kind, audience, " ".join(title),
                               *(sorted(creators) if len(creators) > 1 else creators)))
        self.own = f"{len(s.retailer_id)}:{s.retailer_id}{s.remote_id}"  # one way to part it
        self.text = -1
        """The hash of the item's text it was made from (prepare.py; -1: none)."""
        self.weighed: Weighed | None = None
        """What a lens made of it (``Lens.weigh``), remembered with the lens."""


Check = Callable[[Features], bool]
Weighed = tuple["Lens", "Interest | Rule | None", float, "Interest | None", "Rule | None"]
"""What a lens makes of an item: the lens; the never-interest or rule that hides it (None:
shown), the points its interests and rules give it, the interest that pulls on it most and
the first rule that ranks it up."""


class Hit:
    """An interest or rule that may apply to an item; a rule checks all of its fields."""

    __slots__ = ("checks", "interest", "kind", "points", "rule")

    def __init__(self, kind: int, points: float = 0.0, interest: Interest | None = None,
                 rule: Rule | None = None, checks: tuple[Check, ...] = ()) -> None:
        self.kind = kind
        self.points = points
        self.interest = interest
        self.rule = rule
        self.checks = checks

    def holds(self, f: Features) -> bool:
        return all(check(f) for check in self.checks)


class Effect:
    """What some rules together do to an item: hide it (the first hiding rule), or move it."""

    __slots__ = ("boosted", "hide", "points")

    def __init__(self, hide: Rule | None = None, points: float = 0.0,
                 boosted: Rule | None = None) -> None:  # fmt: skip
        self.hide = hide
        self.points = points
        self.boosted = boosted
        """The first rule that ranks it up (what the reason names)."""

    @staticmethod
    def of(hits: Iterable[Hit]) -> Effect:
        effect = Effect()
        for hit in hits:
            assert hit.rule is not None
            if hit.rule.action is RuleAction.HIDE:
                effect.hide = effect.hide or hit.rule
            else:
                effect.points += hit.points
                if hit.points > 0 and effect.boosted is None:
                    effect.boosted = hit.rule
        return effect

    @staticmethod
    def combined(effects: Sequence[Effect]) -> Effect:
        both = Effect()
        for e in effects:
            both.hide = both.hide or e.hide
            both.points += e.points
            both.boosted = both.boosted or e.boosted
        return both


NO_EFFECT = Effect()
_NONE: tuple[Hit, ...] = ()


def _check(field: str, value: str, shop_ids: Mapping[str, frozenset[str]]) -> Check:
    """One field of a rule as a test of an item's features."""
    if field == "price":
        op, amount = price_test(value)
        return lambda f: price_holds(op, amount, f.price)
    if field == "title":
        run = words(value)
        return lambda f: has_run(f.title, run)
    if field == "shop":
        ids = shop_ids.get(norm(value), frozenset({value}))
        return lambda f: f.shop in ids
    folded = norm(value)
    if field == "creator":
        return lambda f: folded in f.creators
    if field == "tag":
        return lambda f: folded in f.tags
    if field == "category":
        return lambda f: folded == f.category
    return lambda f: folded == f.kind


class Coarse:
    """Rules on shop, kind, category and price alone.

    Their answer for an item depends only on its shop, kind, category and on which band its
    price is in: below the lowest price limit of all these rules, at it, between it and the
    next, at that, and so on. Each (shop, kind, category) gets, once, the rules whose other
    fields hold and a table of their effect for every band.
    """

    def __init__(self, rules: Iterable[Rule], shop_ids: Mapping[str, frozenset[str]]) -> None:
        parsed = []
        for rule in rules:
            others = tuple(_check(f, v, shop_ids) for f, v in rule.match.items() if f != "price")
            op, limit = price_test(rule.match["price"]) if "price" in rule.match \
                else ("", Decimal(0))  # fmt: skip
            parsed.append((_rule_hit(rule, shop_ids), others, op, limit))
        self._limits = sorted({limit for _, _, op, limit in parsed if op})
        at = {limit: i for i, limit in enumerate(self._limits)}
        self._rules = [(hit, others, op, at.get(limit, 0)) for hit, others, op, limit in parsed]
        self._tables: dict[tuple[str, str, str], tuple[list[Effect], Effect]] = {}
        self._bands: dict[Decimal, int] = {}

    def effect(self, f: Features) -> Effect:
        if not self._rules:
            return NO_EFFECT
        table = self._tables.get((f.shop, f.kind, f.category)) or self._table(f)
        price = f.price
        if price is None:
            return table[1]
        band = self._bands.get(price)
        if band is None:  # prices repeat: each one's band is looked up once
            limits = self._limits
            at = bisect_left(limits, price)
            band = self._bands[price] = \
                2 * at + 1 if at < len(limits) and limits[at] == price else 2 * at  # fmt: skip
        return table[0][band]

    def _table(self, f: Features) -> tuple[list[Effect], Effect]:
        holding = [(hit, op, i) for hit, others, op, i in self._rules
                   if all(check(f) for check in others)]  # fmt: skip
        size = 2 * len(self._limits) + 1
        points = [0.0] * (size + 1)  # differences: a rule adds from its first band on
        hide: list[Rule | None] = [None] * size
        boosted: list[Rule | None] = [None] * size
        for hit, op, i in reversed(holding):  # so the first rule is written last, and wins
            first, last = _SPANS[op](i, size)
            if hit.points:
                points[first] += hit.points
                points[last + 1] -= hit.points
            if hit.points > 0:
                boosted[first:last + 1] = [hit.rule] * (last + 1 - first)
            elif hit.rule is not None and hit.rule.action is RuleAction.HIDE:
                hide[first:last + 1] = [hit.rule] * (last + 1 - first)
        bands, total = [], 0.0
        for band in range(size):
            total += points[band]
            bands.append(Effect(hide[band], total, boosted[band]))
        no_price = Effect.of(hit for hit, op, _ in holding if not op)
        made = self._tables[(f.shop, f.kind, f.category)] = (bands, no_price)
        return made


_SPANS: dict[str, Callable[[int, int], tuple[int, int]]] = {
    # The bands a price limit at index i lets through: band 2i is below limit i, 2i + 1 at it.
    "": lambda i, size: (0, size - 1),
    "<": lambda i, size: (0, 2 * i),
    "<=": lambda i, size: (0, 2 * i + 1),
    ">": lambda i, size: (2 * i + 2, size - 1),
    ">=": lambda i, size: (2 * i + 1, size - 1),
}


def _rule_hit(rule: Rule, shop_ids: Mapping[str, frozenset[str]], filed: str = "") -> Hit:
    """The rule as a ``Hit``; ``filed``: the field it is found by, which needs no check."""
    sign = {RuleAction.BOOST: 1.0, RuleAction.BURY: -1.0}.get(rule.action, 0.0)
    checks = tuple(_check(f, v, shop_ids) for f, v in rule.match.items() if f != filed)
    return Hit(HIDE if rule.action is RuleAction.HIDE else RULE, sign * RULE_POINTS * rule.weight,
               rule=rule, checks=checks)  # fmt: skip


def is_coarse(rule: Rule) -> bool:
    """A rule with no creator, tag or title in it."""
    return not any(f in rule.match for f in _FINE)


class Lens:
    """Interests and rules filed under what triggers them."""

    __slots__ = ("by_category", "by_creator", "by_tag", "by_word", "coarse", "effect",
                 "rules_filed")  # fmt: skip

    def __init__(self, interests: Iterable[Interest], rules: Iterable[Rule],
                 shop_ids: Mapping[str, frozenset[str]], coarse: Sequence[Coarse] = ()
                 ) -> None:  # fmt: skip
        """``rules`` with a creator, tag or title are filed here; the others are answered by
        ``coarse`` (shared between lenses) and a ``Coarse`` of the lens's own."""
        self.by_creator: dict[str, list[Hit]] = {}
        self.by_tag: dict[str, list[Hit]] = {}
        self.by_category: dict[str, list[Hit]] = {}
        self.by_word: dict[str, list[tuple[tuple[str, ...] | None, Hit]]] = {}
        """Names and titles by their first word, with the words they go on with (None: one
        word)."""
        own_coarse: list[Rule] = []
        self.rules_filed = False
        for interest in interests:
            self._add_interest(interest)
        for rule in rules:
            fine = next((f for f in _FINE if f in rule.match), None)
            if fine is None:
                own_coarse.append(rule)
                continue
            hit = _rule_hit(rule, shop_ids, fine)
            self.rules_filed = self.rules_filed or bool(hit.checks)
            if fine == "title":
                self._add_title(words(rule.match["title"]), hit)
            else:
                index = self.by_creator if fine == "creator" else self.by_tag
                index.setdefault(norm(rule.match[fine]), []).append(hit)
        self.coarse = [*coarse, Coarse(own_coarse, shop_ids)] if own_coarse else list(coarse)
        self.effect: Callable[[Features], Effect] = \
            self.coarse[0].effect if len(self.coarse) == 1 else self._combined  # fmt: skip
        """What the rules on shop, kind, category and price do to an item."""

    def _add_interest(self, interest: Interest) -> None:
        """A never-interest hides what it matches; any other pulls on its score. Its name is
        matched against creators, tags, the category and the title's words."""
        if interest.sentiment is Sentiment.NEVER:
            hit = Hit(NEVER, interest=interest)
        elif interest.source is Source.LEARNED:
            hit = Hit(AFFINITY, interest.weight, interest)
        else:
            hit = Hit(AFFINITY, POINTS[interest.sentiment] + interest.weight, interest)
        name = norm(interest.name)
        for index in (self.by_creator, self.by_tag, self.by_category):
            index.setdefault(name, []).append(hit)
        if run := words(interest.name):
            self._add_title(run, hit)

    def _add_title(self, run: tuple[str, ...], hit: Hit) -> None:
        self.by_word.setdefault(run[0], []).append((run if len(run) > 1 else None, hit))

    def hits(self, f: Features) -> Sequence[Hit]:
        """Every interest that matches ``f`` and every filed rule that holds for it, once."""
        found: list[Hit] = []
        extend = found.extend
        by = self.by_creator
        for c in f.creators:
            if c in by:
                extend(by[c])
        by = self.by_tag
        for t in f.tags:
            if t in by:
                extend(by[t])
        if f.category in self.by_category:
            extend(self.by_category[f.category])
        title = f.title
        by_word = self.by_word
        for w in title:
            if w in by_word:
                for run, hit in by_word[w]:
                    if run is None or has_run(title, run):
                        found.append(hit)
        if not found:
            return _NONE
        if len(found) > 1:
            found = list(dict.fromkeys(found))
        if self.rules_filed:  # some filed rule has more fields than the one it is filed by
            return [h for h in found if not h.checks or h.holds(f)]
        return found

    def weigh(self, f: Features) -> Weighed:
        """What this lens makes of ``f``: the same for as long as the lens and ``f`` live."""
        if (done := f.weighed) is not None and done[0] is self:
            return done
        score = 0.0
        liked: Interest | None = None
        liked_points = 0.0
        boosted: Rule | None = None
        hide: Interest | Rule | None = None
        for hit in self.hits(f):
            kind = hit.kind
            if kind == NEVER:
                hide = hit.interest
                break
            if kind == HIDE:
                hide = hide or hit.rule  # a never-interest, if any, says why first
                continue
            points = hit.points
            if kind == AFFINITY:
                if points > liked_points:
                    liked, liked_points = hit.interest, points
            elif points > 0:
                boosted = hit.rule
            score += points
        if hide is None:
            effect = self.effect(f)
            hide = effect.hide
            score += effect.points
            boosted = boosted or effect.boosted
        done = f.weighed = (self, hide, score, liked, boosted)  # one store: threads see all
        return done

    def _combined(self, f: Features) -> Effect:
        return Effect.combined([c.effect(f) for c in self.coarse])
