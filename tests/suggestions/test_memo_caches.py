"""What a ``Memo`` keeps besides each item's text (suggestions/matching.py, dedupe.py): the
lenses of the interests and rules, what each lens made of each item, and dedupe's outcome. Kept
while what they were made from is the same, made afresh at the very next read when it is not:
a never-interest or rule added, removed or changed in place, a shop renamed, an item changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilekeeper.model import Interest, Rule, RuleAction, Sentiment, Suggestion
from profilekeeper.suggestions import Result, run
from profilekeeper.suggestions.prepare import Memo
from profilekeeper.suggestions.sanitize import sanitize
from profilekeeper.suggestions.words import words
from tests.suggestions.world import World


def _outcome(result: Result) -> tuple[object, ...]:
    return ([(r.suggestion.id, r.score, r.reason, r.sources) for r in result.shown],
            [(r.suggestion.id, r.hidden_reason, r.hidden_by) for r in result.hidden],
            result.dropped)  # fmt: skip


def _items(w: World) -> list[Suggestion]:
    return [
        w.item("Blue Nights", creators=["Velvet Static"], category="music", tags=["vinyl"],
               price=Decimal(20), currency="EUR"),
        w.item("blue nights", creators=["Velvet Static"], category="music",
               price=Decimal(15), currency="EUR", shop=w.other),
        w.item("Wool Socks", category="clothing", tags=["socks"], price=Decimal(8)),
        w.item("Kite", category="toys", price=Decimal(25), for_ref=w.for_sam()),
        w.item("Horror Nights", category="films", tags=["horror"], price=Decimal(40)),
        w.item("Horror Mask", category="toys", tags=["horror"], price=Decimal(20),
               for_ref=w.for_sam()),
    ]  # fmt: skip


def _check_every_change(change: Callable[[World], object]) -> None:
    """A read with the memo, a change, a read with that memo: as a read from scratch."""
    w = World(interests=[Interest("music", "Velvet Static", Sentiment.LOVE),
                         Interest("films", "horror", Sentiment.LIKE)],
              rules=[Rule(RuleAction.BURY, {"price": ">30"}),
                     Rule(RuleAction.BOOST, {"tag": "socks"})])  # fmt: skip
    items = _items(w)
    memo = Memo()
    first = run(items, w.context(), memo)
    assert _outcome(first) == _outcome(run(items, w.context()))
    change(w)
    after, fresh = run(items, w.context(), memo), run(items, w.context())
    assert _outcome(after) == _outcome(fresh)
    assert _outcome(after) != _outcome(first), "the change should change what is shown"
    assert _outcome(run(items, w.context(), memo)) == _outcome(fresh)  # and once more


def test_a_never_interest_added_applies_at_the_next_read_with_the_memo() -> None:
    _check_every_change(lambda w: w.interests.append(Interest("x", "socks", Sentiment.NEVER)))


def test_an_interest_changed_in_place_applies_at_the_next_read_with_the_memo() -> None:
    def never(w: World) -> None:
        w.interests[1].sentiment = Sentiment.NEVER  # the same record, now a never

    def renamed(w: World) -> None:
        w.interests[0].name = "Ada Lumen"

    def for_sam(w: World) -> None:
        w.interests[1].person_id = w.sam.id

    for change in (never, renamed, for_sam):
        _check_every_change(change)


def test_a_rule_added_removed_or_changed_in_place_applies_at_the_next_read() -> None:
    def hide(w: World) -> None:
        w.rules.append(Rule(RuleAction.HIDE, {"category": "toys"}))

    def removed(w: World) -> None:
        del w.rules[1]

    def match_changed(w: World) -> None:
        w.rules[0].match["price"] = ">10"  # the same rule, the same dict

    def action_changed(w: World) -> None:
        w.rules[1].action = RuleAction.HIDE

    def weight_changed(w: World) -> None:
        w.rules[1].weight = 5.0

    for change in (hide, removed, match_changed, action_changed, weight_changed):
        _check_every_change(change)


def test_a_shop_renamed_applies_to_shop_rules_and_dedupe_reasons() -> None:
    def renamed(w: World) -> None:
        w.rules.append(Rule(RuleAction.HIDE, {"shop": "Toy Palace"}))
        w.shop.name = "Toy Palace"

    _check_every_change(renamed)

    def other_renamed(w: World) -> None:  # only the reason of the duplicate it kept changes
        w.other.name = "Shop C"

    _check_every_change(other_renamed)


def test_unchanged_the_memo_lends_its_lenses_and_dedupe_and_the_records_are_this_reads() -> None:
    w = World(rules=[Rule(RuleAction.HIDE, {"tag": "socks"})])
    memo = Memo()
    stored = _items(w)
    run(stored, w.context(), memo)
    lenses, deduped = memo.matching, memo.deduped
    assert lenses is not None and deduped is not None
    # A new read: new records, equal in every field (as a vault read hands them over).
    w.rules = [replace(r, match=dict(r.match)) for r in w.rules]
    items = [replace(s) for s in stored]
    after = run(items, w.context(), memo)
    assert memo.matching is lenses and memo.deduped is deduped
    (socks,) = [r for r in after.hidden if r.suggestion.title == "Wool Socks"]
    assert socks.hidden_by is w.rules[0]  # what to undo: this read's record, not the memo's
    assert {id(r.suggestion) for r in after.shown + after.hidden} <= set(map(id, items))
    assert _outcome(after) == _outcome(run(items, w.context()))


def test_the_sources_of_a_read_are_its_own() -> None:
    w = World()
    memo = Memo()
    stored = _items(w)
    first = run(stored, w.context(), memo)
    (both,) = [r for r in first.shown if len(r.sources) == 2]
    both.sources.append("changed by whoever holds the result")
    again = run(stored, w.context(), memo)
    assert memo.deduped is not None and again.shown[0].sources is not both.sources
    assert [len(r.sources) for r in again.shown if r.suggestion.title.lower() == "blue nights"] \
        == [2]  # fmt: skip


_WORD = re.compile(r"\w+")


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(), max_size=30)
       | st.lists(st.sampled_from(["Blue", "NIGHT", "ß", "_", "x_y", "Ⅻ", "٣", "\u00a0", "\t",
                                   " ", "-", "é", "e\u0301", "ﬁ", "İ", "🎵"]),
                  max_size=8).map("".join))  # fmt: skip
def test_words_are_the_word_pattern_over_the_folded_text(text: str) -> None:
    assert words(text) == tuple(_WORD.findall(text.casefold()))


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_read_after_any_change_in_place_is_a_read_from_scratch(data: st.DataObject) -> None:
    names = ["Velvet Static", "horror", "socks", "Kite", "nights", "music"]
    w = World(interests=[Interest("x", n, s) for n, s in data.draw(st.lists(
                  st.tuples(st.sampled_from(names), st.sampled_from(list(Sentiment))),
                  max_size=4))],
              rules=[Rule(a, m) for a, m in data.draw(st.lists(st.tuples(
                  st.sampled_from(list(RuleAction)),
                  st.fixed_dictionaries({}, optional={
                      "tag": st.sampled_from(["socks", "vinyl", "horror"]),
                      "title": st.sampled_from(["nights", "wool socks"]),
                      "category": st.sampled_from(["music", "toys"]),
                      "price": st.sampled_from([">10", "<=20"])}).filter(bool)),
                  max_size=3))])  # fmt: skip
    items = _items(w)
    memo = Memo()
    run(items, w.context(), memo)
    for _ in range(2):
        for interest in w.interests:
            interest.sentiment = data.draw(st.sampled_from(list(Sentiment)))
            interest.person_id = data.draw(st.sampled_from([None, w.sam.id]))
        for rule in w.rules:
            rule.action = data.draw(st.sampled_from(list(RuleAction)))
            if data.draw(st.booleans()):
                rule.match["price"] = data.draw(st.sampled_from([">10", "<30"]))
        if data.draw(st.booleans()):
            w.rules.append(Rule(RuleAction.HIDE, {"creator": "Velvet Static"}))
        assert _outcome(run(items, w.context(), memo)) == _outcome(run(items, w.context()))


def test_a_place_changed_in_any_kind_of_item_is_worked_out_afresh() -> None:
    """Sanitizing reads a place in the details (city, venue) whatever the kind: the memo keeps
    an item's outcome only while its place is the same too."""
    w = World()
    for kind in ("product", "release", "event", "offer"):
        base = w.item(f"Plain {kind}", kind=kind, details={"city": "Lisbon", "venue": "Hall"})
        memo = Memo()
        run([base], w.context(), memo)
        for place in ({"city": "\x1b]8;;x\x1b\\Lisbon", "venue": "Hall"},
                      {"city": "Lisbon", "venue": "\u202eHall"}):  # fmt: skip
            changed = replace(base, details=place)
            again = run([changed], w.context(), memo)
            assert [r.suggestion for r in again.shown + again.hidden] == \
                sanitize([changed])[0], (kind, place)  # fmt: skip
