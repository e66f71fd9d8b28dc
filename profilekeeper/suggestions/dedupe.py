"""Step 2: one entry per item. The same item twice from one shop keeps the first; the same
kind, title words and creators for the same audience from several shops keeps the better price and
remembers every shop that offered it. The others are hidden, with the reason."""

from __future__ import annotations

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
    seen: set[tuple[str, str]] = set()
    where: dict[str, int] = {}
    kept: list[Suggestion] = []
    kept_features: list[Features] = []
    sources: list[list[str]] = []
    repeated: list[tuple[Suggestion, str]] = []
    losers: list[tuple[Suggestion, int]] = []
    for s, f in zip(items, features, strict=True):
        if f.own in seen:
            repeated.append((s, "the same item came twice from this shop"))
            continue
        seen.add(f.own)
        at = where.get(f.same)
        if at is None:
            where[f.same] = len(kept)
            kept.append(s)
            kept_features.append(f)
            sources.append([s.retailer_id])
            continue
        if s.retailer_id not in sources[at]:
            sources[at].append(s.retailer_id)
        if _better(s, kept[at]):
            losers.append((kept[at], at))
            kept[at], kept_features[at] = s, f
        else:
            losers.append((s, at))
    for s, at in losers:
        winner = kept[at]
        shop = shop_names.get(winner.retailer_id, "another shop")
        why = "also offered by " + shop + (" at a better price" if _better(winner, s) else "")
        repeated.append((s, why if winner.retailer_id != s.retailer_id else
                         "the same item came twice from this shop"))
    return kept, kept_features, sources, repeated
