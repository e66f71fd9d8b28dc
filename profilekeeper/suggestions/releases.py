"""Which stored releases and events are due: ``remind``'s "tell me when new releases go on sale".

From the stored suggestions, offline: the shopper's own releases by a creator they love whose
release date falls within the window or came at most ``LISTED_AFTER_RELEASE`` days before it
(then no more: a release out for weeks is no news, dismissed or not), and events in the
shopper's city within the window.
What is hidden is the pipeline's decision (``run``), so a never-interest, a rule, a dismiss or
a snooze quiets an item here as on the Suggestions screen; this module only picks, from what
the pipeline shows, what is due. ``context`` builds what the pipeline reads for the shopper's
own items from a handful of tables (no people, occasions or gifts: none of them bears on those;
a gift idea is then hidden as meant for no one known, and is not listed anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from profilekeeper.model import Interest, Profile, Purchase, Retailer, Rule, Sentiment, Suggestion
from profilekeeper.suggestions.context import Context, build
from profilekeeper.suggestions.pipeline import run
from profilekeeper.suggestions.words import norm
from profilekeeper.sync.sanitize import clean_text

SHOP_NAME_LIMIT = 120
LISTED_AFTER_RELEASE = 14
"""Days after its release date that a release is still listed ("out now"), counted from the
window's first day: out on 1 May, it is listed up to a window starting 15 May."""

RELEASE, EVENT = "release", "event"
KINDS = frozenset({RELEASE, EVENT})
_DAY_KEY = {RELEASE: "release_date", EVENT: "date"}


@dataclass(frozen=True, slots=True)
class Coming:
    """One release or event to tell the shopper about."""

    suggestion_id: str
    kind: str
    """``release`` or ``event``."""
    title: str
    creators: tuple[str, ...]
    on: date
    """The release date, or the event's day."""
    days_until: int
    """From the window's first day; negative for a release already out."""
    shop: str
    """The shop's name as plain text (a shop's own name may come from its discovery)."""
    city: str
    url: str
    reason: str
    """The pipeline's reason: "new album by Velvet Static, whom you love — out 12 Dec"."""


def day_of(s: Suggestion) -> date | None:
    """A release's date or an event's day; None when it has none (or a malformed one)."""
    value = s.details.get(_DAY_KEY.get(s.kind, ""))
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def context(*, profile: Profile, interests: Iterable[Interest], rules: Iterable[Rule],
            purchases: Iterable[Purchase], shops: list[Retailer], today: date) -> Context:
    """What the pipeline reads to judge the shopper's own items (``interests``: the shopper's;
    a person's add nothing here)."""
    return build(profile=profile, interests=interests, rules=rules, purchases=purchases,
                 shops=shops, today=today)  # fmt: skip


def due(items: Iterable[Suggestion], ctx: Context, days: int) -> list[Coming]:
    """The releases and events due from ``ctx.today`` to ``days`` past it, soonest first.

    The pipeline runs over every stored item, as for the Suggestions screen (which copy of an
    item offered twice is shown depends on all of them), and hides what it hides; of what it
    shows, the shopper's own are listed: a release out by the window's end, and at most
    ``LISTED_AFTER_RELEASE`` days before its start, when one of its creators is an interest the
    shopper loves; an event within the window in the shopper's city (the pipeline keeps events
    of unknown city, and every event when no city is set).
    """
    start, end = ctx.today, ctx.today + timedelta(days=days)
    out_since = start - timedelta(days=LISTED_AFTER_RELEASE)
    loved = {norm(i.name) for i in ctx.interests.get(None, []) if i.sentiment is Sentiment.LOVE}
    found = []
    for ranked in run(items, ctx).shown:
        s = ranked.suggestion
        if s.kind not in KINDS or s.for_ref != "self" or (on := day_of(s)) is None or on > end:
            continue
        city = s.details.get("city")
        city = city if isinstance(city, str) else ""
        if s.kind == RELEASE and (on < out_since or not any(norm(c) in loved
                                                           for c in s.creators)):
            continue
        if s.kind == EVENT and (on < start or not ctx.city or norm(city) != ctx.city):
            continue
        found.append(Coming(
            s.id, s.kind, s.title, tuple(s.creators), on, (on - start).days,
            clean_text(ctx.shop_names.get(s.retailer_id, ""), limit=SHOP_NAME_LIMIT), city,
            s.url, ranked.reason,
        ))  # fmt: skip
    found.sort(key=lambda c: (c.on, c.kind, c.title))
    return found
