"""What the Sharing and Activity screens are given (services/sharing_views.py): real vault."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from profilekeeper.model import Grant, ShareRecord
from profilekeeper.services.sharing_views import (
    Cell,
    accepts,
    activity_view,
    sharing_grid,
    terms_line,
)
from tests.tui.sharing_data import AT, HOSTILE_NAME, fill_sharing, shop


@dataclass(frozen=True)
class Choice:
    slice: str
    person_id: str | None
    label: str
    description: str


CHOICES = [Choice("greeting", None, "Greeting", "first name"),
           Choice("interests.music", None, "Music", "what you love in music"),
           Choice("people", "p-1", "Sam", "Sam, without the name")]


def test_grid_shows_grants_in_force_their_end_and_what_a_shop_accepts(vault) -> None:
    accepting = shop("Accepts all", 5, discovery={"slices_accepted": ["greeting", "interests.*",
                                                                     "people.*"]})
    picky = shop("Greeting only", 6, discovery={"slices_accepted": ["greeting"]})
    vault.add_all([accepting, picky])
    later = AT + timedelta(days=30)
    vault.add_all([
        Grant(retailer_id=accepting.id, slice="greeting", since=AT),
        Grant(retailer_id=accepting.id, slice="people", person_id="p-1", since=AT, until=later),
        Grant(retailer_id=accepting.id, slice="interests.music", since=AT, revoked_at=AT),
        Grant(retailer_id=picky.id, slice="greeting", since=AT, until=AT),  # ended
    ])
    grid = sharing_grid(vault, CHOICES, AT + timedelta(hours=1))
    assert [s.name for s in grid.shops] == ["Accepts all", "Greeting only"]
    cells = {row.key: row.cells for row in grid.rows}
    assert cells["greeting:"] == {accepting.id: Cell(True), picky.id: Cell(False)}
    assert cells["interests.music:"][accepting.id] == Cell(False)  # revoked
    assert cells["interests.music:"][picky.id] == Cell(False, accepted=False)
    assert cells["people:p-1"][accepting.id] == Cell(True, until=later)


def test_accepted_slices_and_families() -> None:
    discovery = {"slices_accepted": ["greeting", "interests.*", "people.*"]}
    assert accepts(discovery, "interests.films") and accepts(discovery, "people")
    assert not accepts(discovery, "location.city") and not accepts({}, "greeting")


def test_terms_in_a_few_words() -> None:
    assert terms_line({"retention_days": 30, "purposes": ["recommendations", "offers"],
                       "resale": False}) == "keeps 30 days · recommendations, offers"
    assert "resells" in terms_line({"retention_days": 1, "resale": True})
    assert terms_line({}) == "terms unknown"


def test_activity_log_newest_first_with_every_shop_it_names(vault) -> None:
    fill_sharing(vault)
    vault.add(ShareRecord(retailer_id="gone", sent_at=AT - timedelta(days=9), shop_name="Gone"))
    log = activity_view(vault)
    assert [r.id for r in log.records][:3] == ["rec-3", "rec-2", "rec-1"]
    assert log.shops == [("shop-2", HOSTILE_NAME), ("shop-1", "Books & Records"),
                         ("gone", "Gone")]  # by name ("[" before letters)
    assert [r.id for r in log.of_shop("shop-1")] == ["rec-2", "rec-1"]
    assert log.of_shop(None) == log.records
