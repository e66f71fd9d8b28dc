"""Which stored releases and events ``remind`` lists, with known answers (suggestions/releases.py).

A release by a creator the shopper loves, out by the window's end; an event in the shopper's
city within the window; and nothing the pipeline hides (never-interests, rules, verdicts).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilekeeper.model import (
    Interest,
    Profile,
    Rule,
    RuleAction,
    Sentiment,
    Suggestion,
    SuggestionStatus,
)
from profilekeeper.suggestions import run
from profilekeeper.suggestions.releases import Coming, context, due
from profilekeeper.suggestions.words import norm
from tests.suggestions.test_properties import (
    SHOPS,
    WORLD,
    _matches_never,
    interests,
    rules,
    suggestions,
)
from tests.suggestions.world import TODAY, World

LOVED = "Velvet Static"


def world(**kw: object) -> World:
    w = World(**kw)  # type: ignore[arg-type]
    w.interests += [Interest("music", LOVED, Sentiment.LOVE), Interest("music", "Mild Band")]
    return w


def release(w: World, title: str, on: str, *creators: str, snoozed_until: str = "",
            **kw: object) -> Suggestion:  # fmt: skip
    details = {"release_date": on, **({"snoozed_until": snoozed_until} if snoozed_until else {})}
    return w.item(title, kind="release", category="music", creators=list(creators or [LOVED]),
                  details=details, **kw)  # fmt: skip


def event(w: World, title: str, on: str, city: str | None = "Lisbon", *,
          category: str = "music", **kw: object) -> Suggestion:  # fmt: skip
    details = {"date": on} if city is None else {"date": on, "city": city}
    return w.item(title, kind="event", category=category, details=details, **kw)


def listed(w: World, items: list[Suggestion], days: int = 30) -> list[Coming]:
    return due(items, w.context(), days)


def test_releases_by_a_loved_creator_out_by_the_end_of_the_window() -> None:
    w = world()
    items = [
        release(w, "Aurora Lines", "2026-12-12"),
        release(w, "Old Friends", "2026-11-20"),  # out already: its date has come
        release(w, "Far Off", "2027-02-01"),  # past the window's end
        release(w, "Just Liked", "2026-12-05", "Mild Band"),  # liked, not loved
        release(w, "No Date", ""),
        release(w, "For Sam", "2026-12-06", for_ref=w.for_sam()),  # a gift idea, not mine
    ]
    got = listed(w, items)
    assert [(c.title, c.on, c.days_until) for c in got] == [
        ("Old Friends", date(2026, 11, 20), -13), ("Aurora Lines", date(2026, 12, 12), 9)]
    assert got[1].reason == "new album by Velvet Static, whom you love — out 12 Dec"
    assert got[0].reason == "new album by Velvet Static, whom you love — out now"
    assert (got[1].kind, got[1].shop, got[1].creators) == ("release", "Shop A", (LOVED,))
    assert [c.title for c in listed(w, items, days=90)][-1] == "Far Off"


def test_events_in_the_shoppers_city_within_the_window() -> None:
    w = world()
    items = [
        event(w, "Velvet Static live", "2026-12-20", creators=[LOVED]),
        event(w, "Premiere: Tides", "2026-12-08", category="films"),
        event(w, "Oslo gig", "2026-12-10", city="Oslo"),
        event(w, "Yesterday's gig", "2026-12-02"),
        event(w, "Next year's gig", "2027-03-01"),
        event(w, "Somewhere", "2026-12-11", city=None),  # the pipeline keeps it; remind does not
    ]
    got = listed(w, items)
    assert [(c.title, c.reason) for c in got] == [
        ("Premiere: Tides", "screening in Lisbon on 8 Dec"),
        ("Velvet Static live", "concert in Lisbon on 20 Dec — Velvet Static, whom you love"),
    ]
    assert got[0].city == "Lisbon" and got[0].days_until == 5


def test_no_city_set_lists_no_events() -> None:
    w = world(profile=Profile(display_name="Robin"))
    assert listed(w, [event(w, "Gig", "2026-12-20"), release(w, "A", "2026-12-12")]) \
        and [c.kind for c in listed(w, [event(w, "Gig", "2026-12-20")])] == []  # fmt: skip


def test_what_the_pipeline_hides_is_not_listed() -> None:
    w = world()
    w.interests.append(Interest("music", "Noise Co", Sentiment.NEVER))
    w.rules.append(Rule(RuleAction.HIDE, {"shop": "Shop B"}))
    items = [
        release(w, "Shown", "2026-12-12"),
        release(w, "Split", "2026-12-12", LOVED, "Noise Co"),  # a never-creator on it
        release(w, "From B", "2026-12-12", shop=w.other),
        release(w, "Dismissed", "2026-12-12", status=SuggestionStatus.DISMISSED),
        release(w, "Not for me", "2026-12-12", verdict="not_for_me"),
        release(w, "Snoozed", "2026-12-12", verdict="snooze", status=SuggestionStatus.SNOOZED,
                snoozed_until="2026-12-10"),
        event(w, "Hidden gig", "2026-12-20", creators=["Noise Co"]),
    ]
    got = listed(w, items)
    assert [c.title for c in got] == ["Shown"]
    hidden = {r.suggestion.title for r in run(items, w.context()).hidden}
    assert hidden == {i.title for i in items} - {"Shown"}  # each for the pipeline's reason


def test_a_snooze_that_ended_lists_it_again_and_the_window_starts_where_told() -> None:
    w = world()
    snoozed = release(w, "Back", "2026-12-12", verdict="snooze", snoozed_until="2026-12-05")
    assert listed(w, [snoozed]) == []
    w_later = world()
    ctx = w_later.context()
    ctx.today = date(2026, 12, 6)  # remind's START: the snooze has ended
    got = due([snoozed], ctx, 6)
    assert [(c.title, c.days_until) for c in got] == [("Back", 6)]


def test_the_context_from_the_shoppers_own_tables_judges_as_the_full_one() -> None:
    w = world()
    w.rules.append(Rule(RuleAction.HIDE, {"title": "Hide Me"}))
    w.interests.append(Interest("music", LOVED, Sentiment.NEVER, person_id=w.sam.id))  # Sam's
    items = [release(w, "Hide Me", "2026-12-12"), release(w, "Keep Me", "2026-12-12")]
    own = context(profile=w.profile, interests=[i for i in w.interests if i.person_id is None],
                  rules=w.rules, purchases=w.purchases, shops=[w.shop, w.other], today=TODAY)
    assert due(items, own, 30) == due(items, w.context(), 30)
    assert [c.title for c in due(items, own, 30)] == ["Keep Me"]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(suggestions(), max_size=25), st.lists(interests, max_size=6),
       st.lists(rules, max_size=5), st.integers(0, 90))  # fmt: skip
def test_what_remind_lists_is_shown_by_the_pipeline_and_due(
    items: list[Suggestion], mine: list[Interest], my_rules: list[Rule], days: int
) -> None:
    """Whatever the items, interests and rules: the few tables remind reads judge as the full
    context does, and each listed item is one the pipeline shows,
    the shopper's own, by a loved creator (a release) or in the city (an event), within the
    window (a release may be out already), never matching a never-interest; soonest first."""
    # Every other item the shopper's own, by a loved creator (else few would be listed).
    mine = [*mine, Interest("music", LOVED, Sentiment.LOVE)]
    items = [s if n % 2 else replace(s, for_ref="self", creators=[*s.creators, LOVED])
             for n, s in enumerate(items)]  # fmt: skip
    w = World(sam=WORLD.sam, shop=WORLD.shop, other=WORLD.other, interests=mine, rules=my_rules)
    ctx = w.context()
    shown = {r.suggestion.id: r.suggestion for r in run(items, ctx).shown}
    loved = {norm(i.name) for i in mine if i.sentiment is Sentiment.LOVE}
    never = [i for i in mine if i.sentiment is Sentiment.NEVER]
    got = due(items, ctx, days)
    own = context(profile=w.profile, interests=[i for i in mine if i.person_id is None],
                  rules=my_rules, purchases=[], shops=SHOPS, today=TODAY)
    assert due(items, own, days) == got  # remind's few tables judge as the full context does
    assert [c.on for c in got] == sorted(c.on for c in got)
    end = date.fromordinal(TODAY.toordinal() + days)
    for c in got:
        s = shown[c.suggestion_id]
        assert s.for_ref == "self" and not _matches_never(s, never)
        assert c.on <= end and c.reason
        if c.kind == "release":
            assert loved & {norm(x) for x in s.creators}
        else:
            assert c.kind == "event" and norm(c.city) == "lisbon" and c.on >= TODAY
