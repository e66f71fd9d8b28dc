"""Step 6, the loop back: what a verdict on a suggestion changes in the profile.

Plain functions over records; the service saves what they return. A verdict is about the
audience the item was for: the shopper's own suggestion teaches the shopper's interests, a gift
idea for Sam teaches Sam's. So a gift never feeds the shopper's own taste.

- ``like`` / ``not_for_me``: a learned interest in each creator (none: the category) moves up or
  down by one step (shown as "learned"); an interest the shopper entered is left as entered;
- ``never_creator``: each creator becomes a never-interest (an entered one changes sentiment);
- ``bought``: a purchase in the shopper's history, and a step up like ``like``;
- ``bought_as_gift``: a gift record (bought) for the person; nothing learned for the shopper;
- ``snooze`` (until a day) and ``dismiss``: local only, the item is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from profilekeeper.errors import InvalidInput
from profilekeeper.model import (
    Gift,
    GiftStatus,
    Interest,
    Purchase,
    Sentiment,
    Source,
    Suggestion,
    SuggestionStatus,
)
from profilekeeper.suggestions.words import norm

SHOP_VERDICTS = ("like", "not_for_me", "never_creator", "bought", "bought_as_gift")
"""The protocol's verdicts: these may be sent to a shop that allows feedback."""
LOCAL_VERDICTS = ("snooze", "dismiss")
VERDICTS = SHOP_VERDICTS + LOCAL_VERDICTS
STEP = 1.0
"""How far one verdict moves a learned weight."""
MAX_WEIGHT = 3.0
"""As far as learning goes either way: as much as an entered love."""


@dataclass(slots=True)
class Changes:
    """What a verdict changes: records to save."""

    suggestion: Suggestion
    interests: list[Interest] = field(default_factory=list)
    purchase: Purchase | None = None
    gift: Gift | None = None


def _names(s: Suggestion) -> list[str]:
    return list(s.creators) or ([s.category] if s.category else [])


def _learn(s: Suggestion, theirs: list[Interest], person_id: str | None,
           step: float) -> list[Interest]:  # fmt: skip
    by_name = {norm(i.name): i for i in theirs}
    changed = []
    for name in _names(s):
        found = by_name.get(norm(name))
        if found is not None and found.source is not Source.LEARNED:
            continue  # what the shopper entered stays as entered
        weight = max(-MAX_WEIGHT, min(MAX_WEIGHT, (found.weight if found else 0.0) + step))
        sentiment = Sentiment.LIKE if weight >= 0 else Sentiment.DISLIKE
        if found is None:
            found = Interest(norm(s.category) or "other", name, sentiment, Source.LEARNED,
                             person_id, weight)  # fmt: skip
        else:
            found = replace(found, weight=weight, sentiment=sentiment)
        changed.append(found)
    return changed


def _never(s: Suggestion, theirs: list[Interest], person_id: str | None) -> list[Interest]:
    if not s.creators:
        raise InvalidInput("this suggestion names no creator to never see again")
    by_name = {norm(i.name): i for i in theirs}
    changed = []
    for name in s.creators:
        found = by_name.get(norm(name))
        changed.append(Interest(norm(s.category) or "other", name, Sentiment.NEVER,
                                person_id=person_id) if found is None else
                       replace(found, sentiment=Sentiment.NEVER, source=Source.ENTERED,
                               weight=0.0))  # fmt: skip
    return changed


def judge(s: Suggestion, verdict: str, *, person_id: str | None, theirs: list[Interest],
          today: date, shop_name: str = "", gift_for: str | None = None,
          until: date | None = None) -> Changes:  # fmt: skip
    """What ``verdict`` on ``s`` changes.

    Args:
        person_id: Whom ``s`` is for (None: the shopper).
        theirs: That audience's interests as they are.
        gift_for: For ``bought_as_gift``: the person (default ``person_id``).
        until: For ``snooze``: the last quiet day.

    Raises:
        InvalidInput: not a verdict; a gift with no person; a snooze with no day;
            ``never_creator`` on an item with no creator.
    """
    if verdict not in VERDICTS:
        raise InvalidInput(f"a verdict is one of: {', '.join(VERDICTS)}")
    judged = replace(s, verdict=verdict, status=SuggestionStatus.SHOWN)
    if verdict == "snooze":
        if until is None or until < today:
            raise InvalidInput("snooze needs a day from today on")
        return Changes(replace(judged, status=SuggestionStatus.SNOOZED,
                               details={**s.details, "snoozed_until": until.isoformat()}))
    if verdict == "dismiss":
        return Changes(replace(judged, status=SuggestionStatus.DISMISSED))
    if verdict == "like":
        return Changes(judged, _learn(s, theirs, person_id, STEP))
    if verdict == "not_for_me":
        return Changes(judged, _learn(s, theirs, person_id, -STEP))
    if verdict == "never_creator":
        return Changes(judged, _never(s, theirs, person_id))
    if verdict == "bought":
        purchase = Purchase(s.title, on=today, price=s.price, currency=s.currency,
                            retailer=shop_name, category=norm(s.category),
                            creators=list(s.creators), gift_for=person_id,
                            personalize=person_id is None)  # fmt: skip
        return Changes(judged, _learn(s, theirs, person_id, STEP), purchase=purchase)
    person = gift_for or person_id
    if person is None:
        raise InvalidInput("bought as a gift for whom? name the person")
    gift = Gift(s.title, person_id=person, status=GiftStatus.BOUGHT, price=s.price,
                currency=s.currency, retailer=shop_name, url=s.url, on=today)  # fmt: skip
    return Changes(judged, gift=gift)
