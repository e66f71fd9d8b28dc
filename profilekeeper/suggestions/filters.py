"""Step 3: the hard filters. Each takes one item and says, in plain words, why it is hidden —
or None. (Never-interests and rules are matched through the audience's ``Lens``; their
reasons are here too.)

Shop text that goes into a reason (a city, a shop's name) is plain text: whoever shows a
reason shows it as text, never as markup.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from profilekeeper.model import Interest, Person, Suggestion, SuggestionStatus
from profilekeeper.suggestions.context import Context

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_VERDICTS = {
    "not_for_me": "you said it is not for you",
    "bought": "you bought it",
    "bought_as_gift": "you bought it as a gift",
    "dismiss": "you dismissed it",
}


def day_text(iso: str) -> str:
    """``2026-12-12…`` → ``12 Dec`` (English month names whatever the locale)."""
    return f"{int(iso[8:10])} {MONTHS[int(iso[5:7]) - 1]}"


def judged(s: Suggestion, today: date) -> str | None:
    """The shopper's own word on it: dismissed, not for them, bought, snoozed."""
    if s.verdict is None and s.status is not SuggestionStatus.DISMISSED:
        return None
    if s.verdict == "snooze" or s.status is SuggestionStatus.SNOOZED:
        until = s.details.get("snoozed_until")
        if isinstance(until, str) and until >= today.isoformat():
            return f"snoozed until {day_text(until)}"
        return None
    if s.status is SuggestionStatus.DISMISSED:
        return _VERDICTS["dismiss"]
    return _VERDICTS.get(s.verdict or "")


def past(s: Suggestion, today: str) -> str | None:
    """An event that has taken place, an offer that has ended (``today`` is an ISO date)."""
    if s.kind == "event":
        when = s.details.get("date")
        if isinstance(when, str) and when[:10] < today:
            return f"the event was on {day_text(when)}"
    elif s.kind == "offer":
        ends = s.details.get("expires_at")
        if isinstance(ends, str) and ends[:10] < today:
            return f"the offer ended on {day_text(ends)}"
    return None


def elsewhere(s: Suggestion, ctx: Context) -> str | None:
    """An event outside the shopper's city (any city when the shopper has not set one)."""
    if s.kind != "event" or not ctx.city:
        return None
    city = s.details.get("city")
    if isinstance(city, str) and ctx.folded[city] != ctx.city:
        return f"an event in {city}, not in {ctx.city_name}"
    return None


UNKNOWN_REF = "meant for someone you never shared with this shop"


def audience(s: Suggestion, ctx: Context) -> tuple[str | None, str | None]:
    """Who the item is for (None: the shopper), or why it cannot be shown: a ``for`` ref that
    is not one this shopper sent to that shop."""
    if s.for_ref == "self":
        return None, None
    person_id = ctx.refs.get(s.retailer_id, {}).get(s.for_ref)
    return (person_id, None) if person_id is not None else (None, UNKNOWN_REF)


def had(title: tuple[str, ...], person_id: str | None, ctx: Context) -> str | None:
    """Already bought by the shopper (``title`` as ``words``), or already a gift between the
    shopper and the person the idea is for (bought for, given to or received from them)."""
    if person_id is None:
        return "you already bought it" if title in ctx.owned else None
    if title in ctx.given.get(person_id, ()):
        return f"already bought for, given to or received from {ctx.people[person_id].name}"
    return None


def over_budget(s: Suggestion, person: Person) -> str | None:
    """A gift idea that costs more than the person's budget (in the same currency)."""
    if person.budget is None or s.price is None or s.price <= person.budget:
        return None
    if person.currency and s.currency and person.currency != s.currency:
        return None  # not comparable: no reason to hide
    return f"over {person.name}'s budget of {money(person.budget, person.currency)}"


def money(amount: Decimal, currency: str) -> str:
    """``30 EUR``, ``12.5 EUR``: no trailing zeros."""
    text = f"{amount:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {currency}".strip()


def never_reason(interest: Interest, person: Person | None) -> str:
    """Why a never-interest hides an item: the shopper's own, or the person's."""
    if interest.person_id is None:
        return f"you never want {interest.name}"
    return f"{person.name if person else 'they'} never wants {interest.name}"
