"""Home's line on suggestions, computed in services (``suggestions_glance``) over a real vault:
counted through the pipeline, and the next new release or event is the shopper's own, to come."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from profilekeeper import services
from profilekeeper.model import Grant, Interest, Person, Retailer, Sentiment, Suggestion
from profilekeeper.sync.slices import person_ref

TODAY = date(2026, 3, 2)


def test_counts_what_is_shown_and_picks_the_soonest_to_come(vault) -> None:  # type: ignore[no-untyped-def]
    vault.save(replace(vault.profile(), city="Lisbon", opted_in=True))
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    vault.add(Interest("music", "Velvet Static", Sentiment.LOVE))
    vault.add(Interest("music", "Noise Co", Sentiment.NEVER))
    assert services.suggestions_glance(vault, TODAY) == services.SuggestionsGlance(0)
    sam = vault.add(Person("Sam"))
    vault.add(Grant(shop.id, "people", since=datetime(2026, 1, 1, tzinfo=UTC), person_id=sam.id))
    vault.add_all([
        Suggestion(shop.id, "1", "release", "Out already", creators=["Velvet Static"],
                   details={"release_date": "2026-02-20"}),  # new, but not to come
        Suggestion(shop.id, "2", "release", "Blue Nights", creators=["Velvet Static"],
                   details={"release_date": "2026-03-20"}),
        Suggestion(shop.id, "3", "release", "Loud", creators=["Noise Co"],
                   details={"release_date": "2026-03-03"}),  # hidden: never Noise Co
        Suggestion(shop.id, "4", "event", "Gig", details={"date": "2026-03-04", "city": "Oslo"}),
        Suggestion(shop.id, "5", "release", "For Sam", for_ref=person_ref(shop.ref_key, sam.id),
                   details={"release_date": "2026-03-05"}),  # sooner, but Sam's
    ])  # fmt: skip
    glance = services.suggestions_glance(vault, TODAY)
    assert glance.next_up is not None
    assert (glance.next_up.suggestion.title, glance.on) == ("Blue Nights", "2026-03-20")
    shown = services.suggestions.read(vault, today=TODAY).shown
    assert glance.new == 3 == len(shown)  # not Loud (never) nor the Oslo gig (not my city)
    assert {r.suggestion.title: r.person_id for r in shown} == {
        "Out already": None, "Blue Nights": None, "For Sam": sam.id}
