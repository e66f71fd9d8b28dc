"""What an item's own text gives, worked out once and remembered from one read to the next.

Sanitizing an item (step 1) and folding its text for matching and dedupe (``Features``, the
dedupe key) depend on the item alone: not on interests, rules, people or the day. A ``Memo``
keeps what each item gave, keyed by every field those read, so an item read again costs one
lookup and an item changed in any of them is worked out afresh. What the shopper's rules and
interests decide is remembered only beside a copy of every field of them (matching.py): a new
or changed never-interest or rule applies at the next read.

Items that needed cleaning are cleaned again at every read (the copy carries the record's
verdict and status of the moment); dropped items keep their reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from profilekeeper.model import Suggestion
from profilekeeper.suggestions.dedupe import Deduped
from profilekeeper.suggestions.lens import Features, Folded
from profilekeeper.suggestions.sanitize import fit_to_show

if TYPE_CHECKING:
    from profilekeeper.suggestions.matching import Matching


class Memo:
    """By record id, what an item gave at the last read (its features, or why it was
    dropped), with a hash of the text it had then and its price (a price's hash is no
    fingerprint: any two that differ by 2**61 - 1 share one): each read keeps only what it
    saw, so the memo never outgrows the vault's suggestions.

    Beside it, what the last read's dedupe made of those features (dedupe.py), and the lenses
    of the interests and rules it matched through (matching.py): each is used again only when
    what it was made from is the same."""

    __slots__ = ("__weakref__", "deduped", "known", "matching")

    def __init__(self) -> None:
        self.known: dict[str, Features | tuple[int, Decimal | None, str]] = {}
        """Features (with the hash of the text they were made from, and the price), or the
        hash, the price and why the item was dropped."""
        self.deduped: Deduped | None = None
        self.matching: Matching | None = None


def prepare(items: Iterable[Suggestion], memo: Memo | None = None
            ) -> tuple[list[Suggestion], list[Features], Counter[str]]:  # fmt: skip
    """The items fit to show and their features, in order; the drops by reason."""
    folded = Folded()
    kept: list[Suggestion] = []
    features: list[Features] = []
    dropped: Counter[str] = Counter()
    keep, feature = kept.append, features.append
    if memo is None:
        for s in items:
            fit = fit_to_show(s)
            if isinstance(fit, str):
                dropped[fit] += 1
            else:
                keep(fit)
                feature(Features(fit, folded))
        return kept, features, dropped
    known = memo.known
    seen: dict[str, Features | tuple[int, Decimal | None, str]] = {}
    for s in items:
        # Every field sanitize, Features and dedupe read, but the price (the place in the
        # details, whatever the kind: sanitize cleans it wherever it is); creators and tags
        # apart (None). Strings hash with a key secret to this process: a shop cannot make two
        # texts collide, and by chance it is one in 2**64.
        place = (d.get("city"), d.get("venue")) if (d := s.details) else None
        try:
            text = hash((s.retailer_id, s.remote_id, s.kind, s.title, s.category, s.reason,
                         s.url, s.currency, s.for_ref, s.person_id, place,
                         *s.creators, None, *s.tags))  # fmt: skip
        except TypeError:  # an unhashable detail: worked out at every read
            text = -1
        last = known.get(sid := s.id)
        if last is not None and text != -1:
            if isinstance(last, Features):
                if last.text == text and last.price == s.price:
                    seen[sid] = last
                    keep(s)
                    feature(last)
                    continue
            elif last[0] == text and last[1] == s.price:
                seen[sid] = last
                dropped[last[2]] += 1
                continue
        fit = fit_to_show(s)
        if isinstance(fit, str):
            seen[sid] = (text, s.price, fit)
            dropped[fit] += 1
            continue
        found = Features(fit, folded)
        keep(fit)
        feature(found)
        if fit is s:  # a cleaned copy is not remembered (see above)
            found.text = text
            seen[sid] = found
    memo.known = seen
    return kept, features, dropped
