"""Properties of the pipeline over random suggestions, interests and rules (hypothesis)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilekeeper.model import Interest, Retailer, Rule, RuleAction, Sentiment, Suggestion
from profilekeeper.suggestions import Result, run
from profilekeeper.suggestions.prepare import Memo
from profilekeeper.suggestions.sanitize import sanitize
from profilekeeper.suggestions.words import has_run, norm, words
from tests.suggestions.world import World

NAMES = ["Velvet Static", "Ada Lumen", "jazz", "horror", "Harry Potter", "socks", "vinyl"]
_text = st.one_of(st.sampled_from(NAMES), st.text(max_size=12),
                  st.sampled_from(["\x1b[1m", "\u202e", " ", "[bold]", "\x00"]))  # fmt: skip
WORLD = World()
WORLD_DAY_MIN, WORLD_DAY_MAX = date(2026, 11, 1), date(2027, 2, 1)
SHOPS = [WORLD.shop, WORLD.other]


@st.composite
def suggestions(draw: st.DrawFn) -> Suggestion:
    shop = draw(st.sampled_from(SHOPS))
    kind = draw(st.sampled_from(["product", "release", "event", "offer", "junk"]))
    day = draw(st.dates(min_value=WORLD_DAY_MIN, max_value=WORLD_DAY_MAX)).isoformat()
    details = {"release": {"release_date": day},
               "event": {"city": draw(st.sampled_from(["Lisbon", "Porto"])), "date": day},
               "offer": {"discount_percent": 10, "expires_at": day}}.get(kind, {})  # fmt: skip
    title = " ".join(draw(st.lists(_text, min_size=1, max_size=3)))
    return Suggestion(
        shop.id, draw(st.sampled_from(["a", "b", "c", "d", "e", "f"])), kind, title,
        creators=draw(st.lists(_text, max_size=2)), category=draw(_text),
        tags=draw(st.lists(_text, max_size=2)),
        price=draw(st.none() | st.integers(0, 100).map(Decimal)), currency="EUR",
        url=draw(st.sampled_from(["https://a.example/x", "", "javascript:x"])),
        for_ref=draw(st.sampled_from(["self", WORLD.for_sam(shop), "0" * 26])),
        details=details,
    )  # fmt: skip


interests = st.builds(Interest, st.just("music"), st.sampled_from(NAMES),
                      st.sampled_from(list(Sentiment)))  # fmt: skip
rules = st.builds(
    Rule, st.sampled_from(list(RuleAction)),
    st.dictionaries(st.sampled_from(["creator", "tag", "title", "category", "kind", "shop"]),
                    st.sampled_from([*NAMES, "offer", "Shop B"]), min_size=1, max_size=2)
    | st.sampled_from([{"price": ">30"}, {"price": "<=10", "kind": "event"}]),
)  # fmt: skip


def _key(s: Suggestion) -> tuple[object, ...]:
    return s.retailer_id, s.remote_id, s.kind, s.title, tuple(s.creators), s.for_ref


def _matches_never(s: Suggestion, never: list[Interest]) -> bool:
    title = words(s.title)
    for i in never:
        name = norm(i.name)
        run_ = words(i.name)
        if name in map(norm, s.creators) or name in map(norm, s.tags) \
                or name == norm(s.category) or (run_ and has_run(title, run_)):
            return True
    return False


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(suggestions(), max_size=25), st.lists(interests, max_size=6),
       st.lists(rules, max_size=5))  # fmt: skip
def test_every_sanitized_item_is_shown_or_hidden_with_a_reason(
    items: list[Suggestion], mine: list[Interest], my_rules: list[Rule]
) -> None:
    w = World(sam=WORLD.sam, shop=WORLD.shop, other=WORLD.other, interests=mine, rules=my_rules)
    result = run(items, w.context())
    clean, dropped = sanitize(items)
    out = [r.suggestion for r in result.shown + result.hidden]
    assert Counter(map(_key, out)) == Counter(map(_key, clean))
    assert sum(dropped.values()) == len(items) - len(clean)
    assert all(r.hidden_reason for r in result.hidden)
    assert all(r.reason and r.hidden_reason is None for r in result.shown)
    never = [i for i in mine if i.sentiment is Sentiment.NEVER]
    assert not any(_matches_never(r.suggestion, never) for r in result.shown)
    scores = [r.score for r in result.shown]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(suggestions(), max_size=20), rules)
def test_a_rule_added_after_the_sync_applies_without_one(items: list[Suggestion],
                                                         rule: Rule) -> None:  # fmt: skip
    w = World(sam=WORLD.sam, shop=WORLD.shop, other=WORLD.other)
    before = run(items, w.context())
    w.rules.append(rule)
    after = run(items, w.context())  # the same stored items: nothing fetched again
    # By record id: two copies of one item from one shop share every field but the id, and
    # the copy dedupe left out stays out as a duplicate when a rule hides the one it kept.
    shown_before = Counter(r.suggestion.id for r in before.shown)
    shown_after = Counter(r.suggestion.id for r in after.shown)
    if rule.action is RuleAction.HIDE:
        assert shown_after <= shown_before
        gone = shown_before - shown_after
        assert all(r.hidden_by is rule for r in after.hidden if r.suggestion.id in gone)
        assert gone == Counter(r.suggestion.id for r in after.hidden if r.hidden_by is rule)
    else:
        assert shown_after == shown_before  # boost and bury move items, never hide them


def _outcome(result: Result) -> tuple[object, ...]:
    return ([(r.suggestion.id, r.suggestion.title, r.score, r.reason, r.sources)
             for r in result.shown],
            sorted((r.suggestion.id, r.suggestion.title, r.hidden_reason or "")
                   for r in result.hidden), result.dropped)  # fmt: skip


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(suggestions(), max_size=20), st.data(), st.lists(interests, max_size=4),
       st.lists(rules, max_size=3))  # fmt: skip
def test_a_read_with_the_memo_is_a_read_from_scratch(
    items: list[Suggestion], data: st.DataObject, mine: list[Interest], my_rules: list[Rule]
) -> None:
    """What the memo keeps from one read never changes the next: items changed in between
    (any field the pipeline reads, the record id kept), a rule or never-interest added."""
    w = World(sam=WORLD.sam, shop=WORLD.shop, other=WORLD.other)
    memo = Memo()
    assert _outcome(run(items, w.context(), memo)) == _outcome(run(items, w.context()))
    again = [replace(s, **data.draw(st.fixed_dictionaries({}, optional={
        "title": _text, "creators": st.lists(_text, max_size=2),
        "tags": st.lists(_text, max_size=2),
        "category": _text, "kind": st.sampled_from(["product", "event", "junk"]),
        "price": st.none() | st.integers(0, 100).map(Decimal),
        "url": st.sampled_from(["https://a.example/y", "javascript:y"]),
        "for_ref": st.sampled_from(["self", WORLD.for_sam(s_shop(s))]),
        "remote_id": st.sampled_from(["a", "z"]),
    }))) for s in items]  # fmt: skip
    w.interests, w.rules = mine, [*my_rules, Rule(RuleAction.BURY, {"price": ">30"})]
    assert _outcome(run(again, w.context(), memo)) == _outcome(run(again, w.context()))


def s_shop(s: Suggestion) -> Retailer:
    return WORLD.shop if s.retailer_id == WORLD.shop.id else WORLD.other
