"""Step 2: one entry per item. The same item twice from one shop keeps the first; the same
kind, title words and creators for the same audience from several shops keeps the better price and
remembers every shop that offered it. The others are hidden, with the reason."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from profilekeeper.model import Suggestion
from profilekeeper.suggestions.lens import Features, Folded


@dataclass(slots=True)
class Entry:
    """A suggestion to filter and rank, and every shop that offered it (by id)."""

    suggestion: Suggestion
    features: Features
    sources: list[str] = field(default_factory=list)


def _better(new: Suggestion, old: Suggestion) -> bool:
    """A lower price in the same currency (any price beats none); else the first stays."""
    if new.price is None:
        return False
    if old.price is None:
        return True
    return new.currency == old.currency and new.price < old.price


def dedupe(items: Iterable[Suggestion], shop_names: Mapping[str, str]
           ) -> tuple[list[Entry], list[tuple[Suggestion, str]]]:  # fmt: skip
    """The entries kept in order, and the duplicates with why each was left out."""
    folded = Folded()
    items = list(items)
    kept, features, sources, repeated = dedupe_prepared(
        items, [Features(s, folded) for s in items], shop_names)
    return [Entry(*entry) for entry in zip(kept, features, sources, strict=True)], repeated


def dedupe_prepared(items: Sequence[Suggestion], features: Sequence[Features],
                    shop_names: Mapping[str, str]
                    ) -> tuple[list[Suggestion], list[Features], list[list[str]],
                               list[tuple[Suggestion, str]]]:  # fmt: skip
    """``dedupe`` of items and their features (prepare.py), as three lists: the items kept,
    their features and their sources; and the duplicates with why each was left out."""
    kept, sources, repeated = _by_place(items, features, shop_names)
    return ([items[i] for i in kept], [features[i] for i in kept], sources,
            [(items[i], why) for i, why in repeated])  # fmt: skip


class Deduped:
    """What dedupe made of one read's items, by their places in it, and the features and shop
    names it was made from."""

    __slots__ = ("features", "kept", "repeated", "shared", "shop_names")

    def __init__(self, features: list[Features], shop_names: Mapping[str, str],
                 kept: list[int], sources: list[list[str]],
                 repeated: list[tuple[int, str]]) -> None:  # fmt: skip
        self.features = features
        self.shop_names = dict(shop_names)
        self.kept = array("l", kept)
        """The places of the items kept."""
        self.shared = {at: tuple(shops) for at, shops in enumerate(sources) if len(shops) > 1}
        """The sources of the items kept that more than one shop offered, by place in kept."""
        self.repeated = repeated
        """The places of the others, with why each was left out."""


def dedupe_remembered(items: Sequence[Suggestion], features: list[Features],
                      shop_names: Mapping[str, str], last: Deduped | None
                      ) -> tuple[tuple[list[Suggestion], list[Features], list[list[str]],
                                       list[tuple[Suggestion, str]]], Deduped]:  # fmt: skip
    """``dedupe_prepared``, and what to remember of it. When ``features`` are the very
    objects of the ``last`` read's, in its order (each stands for an item's every field dedupe
    reads, prepare.py), and the shops' names are the same, dedupe comes out as it did."""
    if last is not None and last.shop_names == shop_names and last.features == features:
        kept_items = [items[i] for i in last.kept]
        sources = [[s.retailer_id] for s in kept_items]
        for at, shops in last.shared.items():
            sources[at] = list(shops)
        return (kept_items, [features[i] for i in last.kept], sources,
                [(items[i], why) for i, why in last.repeated]), last
    kept, sources, repeated = _by_place(items, features, shop_names)
    return ([items[i] for i in kept], [features[i] for i in kept], sources,
            [(items[i], why) for i, why in repeated]), \
        Deduped(features, shop_names, kept, sources, repeated)  # fmt: skip


def _by_place(items: Sequence[Suggestion], features: Sequence[Features],
              shop_names: Mapping[str, str]
              ) -> tuple[list[int], list[list[str]], list[tuple[int, str]]]:  # fmt: skip
    seen: set[str] = set()
    where: dict[str, int] = {}
    kept: list[int] = []
    sources: list[list[str]] = []
    repeated: list[tuple[int, str]] = []
    losers: list[tuple[int, int]] = []
    add, keep, source = seen.add, kept.append, sources.append
    if len(items) != len(features):
        raise ValueError("an item's features for each item")
    for n, f in enumerate(features):
        if (own := f.own) in seen:
            repeated.append((n, "the same item came twice from this shop"))
            continue
        add(own)
        at = where.setdefault(f.same, len(kept))
        if at == len(kept):  # the first with its kind, title words, creators and audience
            keep(n)
            source([f.shop])
            continue
        if f.shop not in sources[at]:
            sources[at].append(f.shop)
        if _better(items[n], items[kept[at]]):
            losers.append((kept[at], at))
            kept[at] = n
        else:
            losers.append((n, at))
    for n, at in losers:
        s, winner = items[n], items[kept[at]]
        shop = shop_names.get(winner.retailer_id, "another shop")
        why = "also offered by " + shop + (" at a better price" if _better(winner, s) else "")
        repeated.append((n, why if winner.retailer_id != s.retailer_id else
                         "the same item came twice from this shop"))
    return kept, sources, repeated
