"""The pipeline, run over the stored suggestions every time they are read: sanitize → dedupe →
hard filters → score → explain. A new never-interest or rule takes effect at once, offline.

Every sanitized item comes out either shown (with a reason) or hidden (with the reason it is
hidden, and what hid it so that can be undone); items that fail sanitizing are counted.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter

from profilekeeper.model import Interest, Rule, Suggestion, SuggestionStatus
from profilekeeper.suggestions.context import Context
from profilekeeper.suggestions.dedupe import dedupe_prepared
from profilekeeper.suggestions.explain import explain
from profilekeeper.suggestions.filters import (
    audience,
    elsewhere,
    had,
    judged,
    never_reason,
    over_budget,
    past,
)
from profilekeeper.suggestions.lens import AFFINITY, HIDE, NEVER
from profilekeeper.suggestions.prepare import Memo, prepare
from profilekeeper.suggestions.rules import hidden_reason

OCCASION_WINDOW = 60
"""Days before a person's occasion in which their gift ideas rise, the nearer the higher."""
OCCASION_POINTS = 2.0
_DATED = frozenset({"event", "offer"})


@dataclass(slots=True)
class Ranked:
    """One suggestion as the shopper sees it."""

    suggestion: Suggestion
    person_id: str | None
    """Whom it is for (None: the shopper)."""
    sources: list[str]
    """Every shop (by id) that offered it."""
    score: float = 0.0
    reason: str = ""
    """Why it is shown (empty when hidden)."""
    hidden_reason: str | None = None
    hidden_by: Interest | Rule | None = None
    """The never-interest or rule that hid it: what to undo to show it again."""


@dataclass(slots=True)
class Result:
    shown: list[Ranked] = field(default_factory=list)
    """Best first."""
    hidden: list[Ranked] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    """Items that failed sanitizing, by reason."""
    unreadable: tuple[object, ...] = ()
    """Stored items that could not be opened (``services.views.Unreadable``), for the screen's
    marked rows: the reader fills it in, the pipeline never sees them."""


@contextmanager
def _no_collections() -> Iterator[None]:
    """A read makes a few small objects per suggestion, none in a cycle; collections while
    they are made re-walk every stored record and triple the time (bench_suggestions)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run(items: Iterable[Suggestion], ctx: Context, memo: Memo | None = None) -> Result:
    """Every item shown (best first, each with its reason) or hidden (with why); ``memo``
    remembers, for the next read, what each item's own text gave (prepare.py)."""
    with _no_collections():
        return _run(items, ctx, memo)


def _run(items: Iterable[Suggestion], ctx: Context, memo: Memo | None) -> Result:
    clean, features, dropped = prepare(items, memo)
    kept, kept_features, sources, repeated = dedupe_prepared(clean, features, ctx.shop_names)
    result = Result(dropped=dropped)
    shown, hidden = result.shown, result.hidden
    for s, repeat in repeated:
        hidden.append(Ranked(s, None if s.for_ref == "self" else s.person_id,
                             [s.retailer_id], hidden_reason=repeat))  # fmt: skip
    show, hide_ = shown.append, hidden.append
    today, day = ctx.today.isoformat(), ctx.today
    people, shop_names, next_occasion = ctx.people, ctx.shop_names, ctx.next_occasion
    own_lens, owned, new = ctx.lens(None), ctx.owned, SuggestionStatus.NEW
    why_hidden: dict[tuple[int, str | None], str] = {}
    """The reason a never-interest or rule gives, by (its id(), whom for): one string each."""
    for s, f, shops in zip(kept, kept_features, sources, strict=True):
        # The filters, the common case first (for the shopper, no verdict, no date to pass).
        why = judged(s, day) if s.verdict is not None or s.status is not new else None
        if s.for_ref == "self":
            person_id = person = None
            lens = own_lens
            if why is None and f.title in owned:
                why = had(f.title, None, ctx)
        else:
            person_id, unknown = audience(s, ctx)
            person = people[person_id] if person_id is not None else None
            lens = ctx.lens(person_id)
            why = why or unknown or had(f.title, person_id, ctx) or \
                (over_budget(s, person) if person is not None else None)  # fmt: skip
        if why is None and s.kind in _DATED:
            why = past(s, today) or elsewhere(s, ctx)
        if why is not None:
            hide_(Ranked(s, person_id, shops, 0.0, "", why))
            continue
        score = 0.0
        liked: Interest | None = None
        liked_points = 0.0
        boosted: Rule | None = None
        hide: Interest | Rule | None = None
        for hit in lens.hits(f):
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
            effect = lens.effect(f)
            hide = effect.hide
            score += effect.points
            boosted = boosted or effect.boosted
        if hide is not None:
            said = why_hidden.get((id(hide), person_id))
            if said is None:
                said = why_hidden[(id(hide), person_id)] = never_reason(hide, person) \
                    if isinstance(hide, Interest) else hidden_reason(hide)  # fmt: skip
            hide_(Ranked(s, person_id, shops, 0.0, "", said, hide))
            continue
        occasion = next_occasion.get(person_id) if person_id is not None else None
        if occasion is not None and occasion.days <= OCCASION_WINDOW:
            score += OCCASION_POINTS * (1 - occasion.days / OCCASION_WINDOW)
        show(Ranked(s, person_id, shops, score,
                    explain(s, today=today, liked=liked, person=person, occasion=occasion,
                            boosted=boosted, shop=shop_names.get(s.retailer_id, ""))))
    shown.sort(key=attrgetter("score"), reverse=True)  # stable: the shops' order breaks ties
    return result
