"""Helpers for reminder tests: a vault with known occasions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from profilekeeper.model import (
    Gift,
    GiftStatus,
    Interest,
    Occasion,
    Person,
    Retailer,
    Rule,
    RuleAction,
    Sentiment,
    Suggestion,
)

TODAY = date(2026, 5, 1)
"""Every CLI test passes ``--today`` so results never depend on the calendar."""


@pytest.fixture
def family(vault: object) -> dict[str, object]:
    """Sam: birthday in 9 days, ideas. Kim: anniversary in 40 days, bought. Lou: dismissed."""
    sam, kim, lou = Person("Sam"), Person("Kim Ödegaard"), Person("Lou")
    sam_bday = Occasion("birthday", 5, 10, 1986, person_id=sam.id)
    kim_anniv = Occasion("anniversary", 6, 10, 2016, person_id=kim.id, lead_days=[60])
    lou_bday = Occasion("birthday", 5, 3, person_id=lou.id,
                        reminder_state={"2026": {"dismissed": "true"}})
    gifts = [Gift("Book", person_id=sam.id, occasion_id=sam_bday.id),
             Gift("Scarf", person_id=sam.id),
             Gift("Vase", person_id=kim.id, status=GiftStatus.BOUGHT, occasion_id=kim_anniv.id,
                  on=date(2026, 4, 20))]
    with vault.transaction():  # type: ignore[attr-defined]
        vault.add_all([sam, kim, lou])  # type: ignore[attr-defined]
        vault.add_all([sam_bday, kim_anniv, lou_bday])  # type: ignore[attr-defined]
        vault.add_all(gifts)  # type: ignore[attr-defined]
    return {"sam": sam, "kim": kim, "lou": lou, "sam_bday": sam_bday, "kim_anniv": kim_anniv,
            "lou_bday": lou_bday}


@pytest.fixture
def stocked(vault, family):  # type: ignore[no-untyped-def]
    """The family (Sam's birthday in 9 days), a shopper in Lisbon who loves Velvet Static and
    never wants Noise Co, and a shop's releases and events around TODAY (2026-05-01)."""
    vault.save(replace(vault.profile(), city="Lisbon"))
    shop = vault.add(Retailer("Shop \x1b[31mA[/]", "https://a.example"))
    vault.add(Interest("music", "Velvet Static", Sentiment.LOVE))
    vault.add(Interest("music", "Noise Co", Sentiment.NEVER))
    vault.add(Rule(RuleAction.HIDE, {"title": "Hidden Tracks"}))
    release = vault.add(Suggestion(
        shop.id, "1", "release", "Aurora [bold]Lines[/bold]", creators=["Velvet Static"],
        category="music", url="https://a.example/aurora", details={"release_date": "2026-05-12"}))
    vault.add_all([
        Suggestion(shop.id, "2", "event", "Velvet Static live", creators=["Velvet Static"],
                   category="music", details={"date": "2026-05-20", "city": "Lisbon"}),
        Suggestion(shop.id, "3", "event", "Oslo gig", category="music",
                   details={"date": "2026-05-05", "city": "Oslo"}),
        Suggestion(shop.id, "4", "release", "Loud", creators=["Noise Co", "Velvet Static"],
                   category="music", details={"release_date": "2026-05-03"}),
        Suggestion(shop.id, "5", "release", "Hidden Tracks", creators=["Velvet Static"],
                   category="music", details={"release_date": "2026-05-04"}),
        Suggestion(shop.id, "6", "release", "Far Off", creators=["Velvet Static"],
                   category="music", details={"release_date": "2026-08-01"}),
        Suggestion(shop.id, "7", "product", "Kite"),
    ])  # fmt: skip
    vault.close()
    return {**family, "release": release, "shop": shop}
