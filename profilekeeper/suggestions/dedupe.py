"""Step 2: one entry per item. The same item twice from one shop keeps the first; the same
kind, title words and creators for the same audience from several shops keeps the better price and
remembers every shop that offered it. The others are hidden, with the reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from profilekeeper.model import Suggestion
from profilekeeper.suggestions.lens import Features


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
    seen: set[tuple[str, str]] = set()
    where: dict[tuple[object, ...], int] = {}
    kept: list[Entry] = []
    repeated: list[tuple[Suggestion, str]] = []
    losers: list[tuple[Suggestion, int]] = []
    folded: dict[str, str] = {}
    for s in items:
        own = (s.retailer_id, s.remote_id)
        if own in seen:
            repeated.append((s, "the same item came twice from this shop"))
            continue
        seen.add(own)
        f = Features(s, folded)
        audience = None if s.for_ref == "self" else (s.person_id or f"{s.retailer_id}:{s.for_ref}")
        creators = f.creators
        key = (s.kind, f.title, audience,
               *(sorted(creators) if len(creators) > 1 else creators))  # fmt: skip
        at = where.get(key)
        if at is None:
            where[key] = len(kept)
            kept.append(Entry(s, f, [s.retailer_id]))
            continue
        entry = kept[at]
        if s.retailer_id not in entry.sources:
            entry.sources.append(s.retailer_id)
        if _better(s, entry.suggestion):
            losers.append((entry.suggestion, at))
            entry.suggestion, entry.features = s, f
        else:
            losers.append((s, at))
    for s, at in losers:
        winner = kept[at].suggestion
        shop = shop_names.get(winner.retailer_id, "another shop")
        why = "also offered by " + shop + (" at a better price" if _better(winner, s) else "")
        repeated.append((s, why if winner.retailer_id != s.retailer_id else
                         "the same item came twice from this shop"))
    return kept, repeated
