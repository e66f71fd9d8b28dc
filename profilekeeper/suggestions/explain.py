"""Step 5: why an item is shown, in the shopper's own terms.

"new album by Velvet Static, whom you love — out 12 Dec", "for Sam's birthday in 12 days, under
30 EUR", "concert in Lisbon on 20 Dec". Plain text only: names and cities come from shops, so
whoever shows a reason shows it as text, never as markup.
"""

from __future__ import annotations

from profilekeeper.model import Interest, Person, Rule, Sentiment, Source, Suggestion
from profilekeeper.suggestions.context import NextOccasion
from profilekeeper.suggestions.filters import day_text, money
from profilekeeper.suggestions.rules import describe
from profilekeeper.suggestions.words import norm

_RELEASE = {"music": "album", "films": "film", "books": "book", "games": "game"}
_EVENT = {"music": "concert", "films": "screening", "sports": "match"}


def _feeling(interest: Interest, person: Person | None) -> str:
    """``love`` / ``like`` / ``liked`` (learned), as the verb for the interest's owner."""
    if interest.source is Source.LEARNED:
        return "liked things like"
    verb = "love" if interest.sentiment is Sentiment.LOVE else "like"
    return verb if person is None else f"{verb}s"


def _affinity(s: Suggestion, interest: Interest | None, person: Person | None) -> str:
    """``Velvet Static, whom you love`` for a creator; ``you love jazz`` for anything else."""
    if interest is None:
        return ""
    who = "you" if person is None else person.name
    feeling = _feeling(interest, person)
    name = norm(interest.name)
    creator = None if interest.source is Source.LEARNED else \
        next((c for c in s.creators if norm(c) == name), None)  # fmt: skip
    if creator is not None:
        whom = "whom you" if person is None else f"whom {who}"
        return f"{creator}, {whom} {feeling}"
    return f"{who} {feeling} {interest.name}"


def _creator_part(s: Suggestion, liked: str) -> str:
    if liked and "whom" in liked:
        return f" by {liked}"
    by = f" by {s.creators[0]}" if s.creators else ""
    return f"{by} ({liked})" if liked else by


def explain(s: Suggestion, *, today: str, liked: Interest | None = None,
            person: Person | None = None, occasion: NextOccasion | None = None,
            boosted: Rule | None = None, shop: str = "") -> str:  # fmt: skip
    """The item's reason; ``liked`` is the interest that pulls on it most, ``boosted`` a rule
    that ranked it up, ``occasion`` the next occasion of the ``person`` it is for."""
    affinity = _affinity(s, liked, person)
    if person is not None:
        return _gift(s, person, occasion, affinity)
    d = s.details
    if s.kind == "release" and isinstance(when := d.get("release_date"), str):
        noun = _RELEASE.get(norm(s.category), "release")
        out = "out now" if when[:10] <= today else f"out {day_text(when)}"
        return f"new {noun}{_creator_part(s, affinity)} — {out}"
    if s.kind == "event" and isinstance(when := d.get("date"), str):
        noun = _EVENT.get(norm(s.category), "event")
        city = d.get("city") if isinstance(d.get("city"), str) else ""
        where = f" in {city}" if city else ""
        text = f"{noun}{where} on {day_text(when)}"
        return f"{text} — {affinity}" if affinity else text
    if s.kind == "offer" and isinstance(ends := d.get("expires_at"), str):
        text = f"{d.get('discount_percent', '?')}% off until {day_text(ends)}"
        return f"{text} — {affinity}" if affinity else text
    if affinity:
        return f"because {affinity}" if "whom" not in affinity else f"by {affinity}"
    if boosted is not None:
        return f"your rule ranks up {describe(boosted)}"
    return f"suggested by {shop}" if shop else "suggested by a shop"


def _gift(s: Suggestion, person: Person, occasion: NextOccasion | None, affinity: str) -> str:
    if occasion is None:
        text = f"a gift idea for {person.name}"
    else:
        when = {0: "today", 1: "tomorrow"}.get(occasion.days, f"in {occasion.days} days")
        text = f"for {occasion.what} {when}"
    if person.budget is not None and s.price is not None and s.price <= person.budget:
        text += f", under {money(person.budget, person.currency or s.currency)}"
    return f"{text} — {affinity}" if affinity else text
