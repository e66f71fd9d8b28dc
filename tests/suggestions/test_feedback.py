"""What each verdict changes, as plain records (suggestions/feedback.py)."""

from __future__ import annotations

from datetime import date

import pytest

from profilekeeper.cli.suggestions import VERDICTS as CLI_VERDICTS
from profilekeeper.errors import InvalidInput
from profilekeeper.model import Interest, Sentiment, Source, SuggestionStatus
from profilekeeper.suggestions.feedback import MAX_WEIGHT, VERDICTS, judge
from profilekeeper.sync.protocol import VerdictItem
from tests.suggestions.world import TODAY, World


def test_the_cli_offers_every_verdict_and_the_shop_ones_are_the_protocols() -> None:
    assert CLI_VERDICTS == VERDICTS
    for verdict in VERDICTS[:5]:
        VerdictItem(suggestion_id="x", verdict=verdict)  # type: ignore[arg-type]


def test_learning_moves_a_learned_weight_and_leaves_entered_interests_alone() -> None:
    w = World()
    s = w.item("Record", creators=["Ada Lumen", "Bo"], category="Music")
    entered = Interest("music", "Bo", Sentiment.DISLIKE)
    first = judge(s, "like", person_id=None, theirs=[entered], today=TODAY)
    (learned,) = first.interests
    assert (learned.name, learned.category, learned.source, learned.weight) == \
        ("Ada Lumen", "music", Source.LEARNED, 1.0)  # fmt: skip
    theirs = [learned, entered]
    for _ in range(5):
        (learned,) = judge(s, "not_for_me", person_id=None, theirs=theirs,
                           today=TODAY).interests  # fmt: skip
        theirs = [learned, entered]
    assert learned.weight == -MAX_WEIGHT and learned.sentiment is Sentiment.DISLIKE


def test_a_gift_idea_teaches_the_persons_interests_not_the_shoppers() -> None:
    w = World()
    idea = w.item("Dragon Book", creators=["Ann Author"], for_ref=w.for_sam())
    (learned,) = judge(idea, "like", person_id=w.sam.id, theirs=[], today=TODAY).interests
    assert learned.person_id == w.sam.id
    bought = judge(idea, "bought", person_id=w.sam.id, theirs=[], today=TODAY)
    assert bought.purchase is not None and bought.purchase.gift_for == w.sam.id
    assert not bought.purchase.personalize


def test_never_snooze_dismiss_and_refusals() -> None:
    w = World()
    s = w.item("Loud", creators=["Noise Co"], category="music")
    liked = Interest("music", "noise co", Sentiment.LIKE, Source.LEARNED, weight=2.0)
    (never,) = judge(s, "never_creator", person_id=None, theirs=[liked], today=TODAY).interests
    assert (never.id, never.sentiment, never.source) == (liked.id, Sentiment.NEVER,
                                                         Source.ENTERED)  # fmt: skip
    snoozed = judge(s, "snooze", person_id=None, theirs=[], today=TODAY,
                    until=date(2026, 12, 10)).suggestion  # fmt: skip
    assert snoozed.status is SuggestionStatus.SNOOZED
    assert snoozed.details["snoozed_until"] == "2026-12-10"
    dismissed = judge(s, "dismiss", person_id=None, theirs=[], today=TODAY).suggestion
    assert dismissed.status is SuggestionStatus.DISMISSED and dismissed.verdict == "dismiss"
    for verdict, kw in (("meh", {}), ("snooze", {}), ("bought_as_gift", {})):
        with pytest.raises(InvalidInput):
            judge(s, verdict, person_id=None, theirs=[], today=TODAY, **kw)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="no creator"):
        judge(w.item("Anon"), "never_creator", person_id=None, theirs=[], today=TODAY)
