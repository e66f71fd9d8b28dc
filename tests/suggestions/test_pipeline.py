"""Each step of the pipeline with known answers: what is hidden and why, the order, the words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from profilekeeper.model import (
    Gift,
    GiftStatus,
    Interest,
    Occasion,
    Purchase,
    Rule,
    RuleAction,
    Sentiment,
    Source,
    SuggestionStatus,
)
from profilekeeper.suggestions import Result
from profilekeeper.suggestions.dedupe import dedupe
from profilekeeper.suggestions.sanitize import sanitize
from tests.suggestions.world import TODAY, World, hidden_why, titles


def test_sanitize_cleans_text_and_drops_unfit_items_with_their_reason() -> None:
    w = World()
    dirty = w.item("\x1b[31mRed\x1b[0m \u202eAlbum\n", creators=[" Ada ", "", "\x07"],
                   tags=["a\tb"], reason="[bold]x[/bold]")  # fmt: skip
    clean = w.item("Plain", creators=["Ada"])
    kept, dropped = sanitize([
        dirty, clean, w.item("bad url", url="javascript:alert(1)"),
        w.item("ftp", url="ftp://a.example/x"), w.item("\x1b[0m"), w.item("k", kind="coupon"),
    ])  # fmt: skip
    assert [s.title for s in kept] == ["Red Album", "Plain"]
    assert kept[0].creators == ["Ada"] and kept[0].tags == ["a b"]
    assert kept[0].reason == "[bold]x[/bold]"  # markup stays text: shown as text, never markup
    assert kept[1] is clean  # nothing to clean: not copied
    assert dropped == {"url: not an http(s) address": 2, "title: empty once cleaned": 1,
                       "kind: not one the protocol knows": 1}  # fmt: skip


def test_sanitize_caps_lengths() -> None:
    w = World()
    (s,), _ = sanitize([w.item("t" * 400, creators=["c" * 200] * 30, tags=["x" * 50])])
    assert len(s.title) == 300 and len(s.creators) == 20 and len(s.creators[0]) == 120
    assert s.tags == ["x" * 40]


def test_dedupe_keeps_the_better_price_and_every_source() -> None:
    w = World()
    a = w.item("Blue Nights", creators=["Velvet Static"], price=Decimal(20), currency="EUR")
    b = w.item("blue  nights!", creators=["velvet static"], price=Decimal(15), currency="EUR",
               shop=w.other)  # fmt: skip
    again = w.item("Blue Nights", creators=["Velvet Static"])  # same remote id, same shop
    kept, repeated = dedupe([a, b, again], {w.shop.id: "Shop A", w.other.id: "Shop B"})
    assert len(kept) == 1 and kept[0].suggestion is b
    assert kept[0].sources == [w.shop.id, w.other.id]
    assert [(s is again, why) for s, why in repeated] == [
        (True, "the same item came twice from this shop"),
        (False, "also offered by Shop B at a better price"),
    ]


def test_each_hard_filter_hides_with_its_reason() -> None:
    w = World()
    w.interests += [Interest("music", "Noise Co", Sentiment.NEVER),
                    Interest("books", "horror", Sentiment.NEVER)]  # fmt: skip
    w.rules += [Rule(RuleAction.HIDE, {"category": "socks"}),
                Rule(RuleAction.HIDE, {"shop": "Shop B"}),
                Rule(RuleAction.HIDE, {"creator": "Loud Band", "price": ">20"})]  # fmt: skip
    w.purchases.append(Purchase("Owned Thing"))
    w.gifts.append(Gift("Scarf", person_id=w.sam.id, status=GiftStatus.GIVEN))
    w.gifts.append(Gift("Mug", person_id=w.sam.id, status=GiftStatus.RECEIVED))  # from Sam
    sam = w.for_sam()
    snoozed = w.item("Snoozed", verdict="snooze", status=SuggestionStatus.SNOOZED,
                     details={"snoozed_until": "2026-12-10"})  # fmt: skip
    result = w.run([
        w.item("By never", creators=["Noise Co"]),
        w.item("Horror Nights"),                     # a never-interest in a title's words
        w.item("Tagged", tags=["Horror"]),
        w.item("Wool", category="socks"),
        w.item("From B", shop=w.other),
        w.item("Loud", creators=["Loud Band"], price=Decimal(25)),
        w.item("Owned thing"),
        w.item("Scarf", for_ref=sam),
        w.item("Mug", for_ref=sam),
        w.item("Pricey", for_ref=sam, price=Decimal(45), currency="EUR"),
        w.item("Old gig", kind="event", details={"city": "Lisbon",
                                                 "date": "2026-11-20T20:00:00Z"}),
        w.item("Ended", kind="offer", details={"discount_percent": 10,
                                               "expires_at": "2026-12-01T00:00:00Z"}),
        w.item("Far gig", kind="event", details={"city": "Porto", "date": "2026-12-20T20:00:00Z"}),
        snoozed,
        w.item("Dismissed", status=SuggestionStatus.DISMISSED, verdict="dismiss"),
        w.item("Nope", verdict="not_for_me"),
        w.item("Stranger", for_ref="0" * 26),
        w.item("Cheap loud", creators=["Loud Band"], price=Decimal(10)),  # the rule's price fails
    ])  # fmt: skip
    assert hidden_why(result) == {
        "By never": "you never want Noise Co",
        "Horror Nights": "you never want horror",
        "Tagged": "you never want horror",
        "Wool": "you blocked the category socks",
        "From B": "you blocked the shop Shop B",
        "Loud": "your rule: hide where creator is Loud Band and price >20",
        "Owned thing": "you already bought it",
        "Scarf": "already bought for, given to or received from Sam",
        "Mug": "already bought for, given to or received from Sam",
        "Pricey": "over Sam's budget of 30 EUR",
        "Old gig": "the event was on 20 Nov",
        "Ended": "the offer ended on 1 Dec",
        "Far gig": "an event in Porto, not in Lisbon",
        "Snoozed": "snoozed until 10 Dec",
        "Dismissed": "you dismissed it",
        "Nope": "you said it is not for you",
        "Stranger": "meant for someone you never shared with this shop",
    }
    assert titles(result.shown) == ["Cheap loud"]
    by = {r.suggestion.title: r.hidden_by for r in result.hidden}
    assert by["By never"] is w.interests[0] and by["Wool"] is w.rules[0]


def test_a_snooze_ends_and_a_rule_ends_after_its_day() -> None:
    w = World()
    w.rules.append(Rule(RuleAction.HIDE, {"title": "wool"}, until=date(2026, 12, 2)))
    result = w.run([w.item("Wool hat"),
                    w.item("Back", verdict="snooze", details={"snoozed_until": "2026-12-02"})])
    assert titles(result.shown) == ["Wool hat", "Back"]


def test_ranking_love_over_like_dislike_down_learned_and_rules() -> None:
    w = World()
    w.interests += [
        Interest("music", "Velvet Static", Sentiment.LOVE),
        Interest("music", "Ada Lumen", Sentiment.LIKE),
        Interest("music", "Grey Drone", Sentiment.DISLIKE),
        Interest("music", "Learned Act", Sentiment.LIKE, Source.LEARNED, weight=2.0),
    ]
    w.rules += [Rule(RuleAction.BURY, {"tag": "vinyl"}), Rule(RuleAction.BOOST, {"kind": "offer"},
                                                                   weight=0.25)]
    result = w.run([
        w.item("Plain"),
        w.item("Dull", creators=["Grey Drone"]),
        w.item("Liked", creators=["Ada Lumen"]),
        w.item("Loved", creators=["Velvet Static"]),
        w.item("Loved vinyl", creators=["Velvet Static"], tags=["vinyl"]),
        w.item("Learned", creators=["Learned Act"]),
        w.item("Deal", kind="offer", details={"discount_percent": 20,
                                              "expires_at": "2026-12-24T00:00:00Z"}),
    ])  # fmt: skip
    assert [(r.suggestion.title, r.score) for r in result.shown] == [
        ("Loved", 3.0), ("Learned", 2.0), ("Liked", 1.0), ("Loved vinyl", 1.0), ("Deal", 0.5),
        ("Plain", 0.0), ("Dull", -2.0),
    ]


def test_gift_ideas_rise_as_the_occasion_nears() -> None:
    w = World()
    near = World(sam=w.sam, shop=w.shop, other=w.other)
    near.occasions[:] = [Occasion("birthday", 12, 9, person_id=w.sam.id)]  # in 6 days
    w.occasions[:] = [Occasion("birthday", 1, 20, person_id=w.sam.id)]  # in 48 days
    item = [w.item("Book", for_ref=w.for_sam())]
    (soon,), (later,) = near.run(item).shown, w.run(item).shown
    assert soon.score == 1.8 and round(later.score, 2) == 0.4
    assert soon.reason == "for Sam's birthday in 6 days"


def test_reasons_in_the_shoppers_terms() -> None:
    w = World()
    w.interests += [Interest("music", "Velvet Static", Sentiment.LOVE),
                    Interest("books", "dragons", Sentiment.LIKE, person_id=w.sam.id)]
    w.rules.append(Rule(RuleAction.BOOST, {"category": "tea"}))
    result = w.run([
        w.item("Blue Nights", kind="release", creators=["Velvet Static"], category="music",
               details={"release_date": "2026-12-12"}),
        w.item("Live", kind="event", category="music",
               details={"city": "lisbon", "date": "2026-12-20T21:00:00Z"}),
        w.item("Dragons of Old", for_ref=w.for_sam(), price=Decimal(25), currency="EUR"),
        w.item("Sale", kind="offer", creators=["Velvet Static"],
               details={"discount_percent": 30, "expires_at": "2026-12-24T00:00:00Z"}),
        w.item("Green tea", category="tea"),
        w.item("Anything"),
    ])  # fmt: skip
    assert {r.suggestion.title: r.reason for r in result.shown} == {
        "Blue Nights": "new album by Velvet Static, whom you love — out 12 Dec",
        "Live": "concert in lisbon on 20 Dec",
        "Dragons of Old": "for Sam's birthday in 12 days, under 30 EUR — Sam likes dragons",
        "Sale": "30% off until 24 Dec — Velvet Static, whom you love",
        "Green tea": "your rule ranks up category is tea",
        "Anything": "suggested by Shop A",
    }


def test_a_gift_for_a_child_does_not_lean_the_shoppers_own_suggestions() -> None:
    """Harry Potter bought as a gift for a child: the shopper's own list stays as it was."""
    from profilekeeper.suggestions.feedback import judge

    w = World()
    w.interests.append(Interest("books", "crime", Sentiment.LOVE))
    hp = w.item("Harry Potter", creators=["J. K. Rowling"], category="books", tags=["children"],
                for_ref=w.for_sam())  # fmt: skip
    own = [w.item("Crime Novel", category="books", tags=["crime"]),
           w.item("Kids Book", creators=["J. K. Rowling"], category="books",
                  tags=["children"]),
           w.item("Picture Book", category="books", tags=["children"])]  # fmt: skip
    before = [(r.suggestion.title, r.score, r.reason) for r in w.run(own).shown]
    changes = judge(hp, "bought_as_gift", person_id=w.sam.id, theirs=[], today=TODAY)
    assert changes.interests == [] and changes.purchase is None
    assert changes.gift is not None and changes.gift.person_id == w.sam.id
    w.gifts.append(changes.gift)
    after = [(r.suggestion.title, r.score, r.reason) for r in w.run(own).shown]
    assert after == before
    assert hidden_why(w.run([hp])) == {
        "Harry Potter": "already bought for, given to or received from Sam"}


def test_the_memo_works_out_afresh_an_item_changed_in_any_field_it_reads() -> None:
    """Each change below alters the outcome (the escape in a city, what is shown: cleaned);
    read with the memo of the read before, the item comes out as a read from scratch says
    (the record id stays the same)."""
    from dataclasses import replace

    from profilekeeper.suggestions import run
    from profilekeeper.suggestions.prepare import Memo

    w = World()
    w.interests += [Interest("music", "Ada", Sentiment.LOVE), Interest("x", "jazz", Sentiment.LIKE)]
    w.rules += [Rule(RuleAction.BURY, {"price": ">30"}), Rule(RuleAction.HIDE, {"title": "wool"}),
                Rule(RuleAction.BOOST, {"category": "tea"}),
                Rule(RuleAction.HIDE, {"shop": "Shop B"})]  # fmt: skip
    base = w.item("Plain", price=Decimal(10), kind="event", reason="r",
                  details={"city": "Lisbon", "date": "2026-12-20T20:00:00Z"})  # fmt: skip
    changes: list[dict[str, object]] = [
        {"title": "Wool hat"}, {"title": "\x1b[31mRed"}, {"creators": ["Ada"]}, {"tags": ["jazz"]},
        {"category": "tea"}, {"kind": "junk"}, {"price": Decimal(50)}, {"url": "javascript:x"},
        {"for_ref": w.for_sam()}, {"details": {"city": "Porto", "date": "2026-12-20T20:00:00Z"}},
        escaped := {"details": {"city": "\x1b]8;;x\x1b\\Lisbon", "date": "2026-12-20T20:00:00Z"}},
        {"retailer_id": w.other.id}, {"reason": "\x07"},
    ]  # fmt: skip

    def outcome(result: Result) -> list[tuple[object, ...]]:
        return [(r.suggestion.title, r.suggestion.reason, r.suggestion.details.get("city"),
                 r.score, r.reason, r.hidden_reason)
                for r in result.shown + result.hidden] + [result.dropped]  # fmt: skip

    for change in changes:
        memo = Memo()
        first = outcome(run([base], w.context(), memo))
        changed = replace(base, **change)  # type: ignore[arg-type]
        fresh = outcome(run([changed], w.context()))
        assert fresh != first or change is escaped, change
        for _ in range(2):  # and once more, with what this read remembered
            again = run([changed], w.context(), memo)
            assert outcome(again) == fresh, change
            assert [r.suggestion for r in again.shown + again.hidden] == sanitize([changed])[0]
