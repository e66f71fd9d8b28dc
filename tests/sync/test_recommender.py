"""The reference recommender on the shipped demo catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from profilekeeper.sync import ProfilePut
from profilekeeper.sync.catalog import CatalogItem, load_catalog
from profilekeeper.sync.recommender import recommend
from tests.sync.conftest import profile_body

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog() -> list[CatalogItem]:
    return load_catalog(today=TODAY)


def slices(raw: dict[str, Any]) -> dict[str, Any]:
    return ProfilePut.model_validate(profile_body(raw)).slices


def interests(category: str, **sentiments: str) -> dict[str, Any]:
    return {f"interests.{category}": {"items": [
        {"name": name.replace("_", " "), "sentiment": s} for name, s in sentiments.items()]}}


def ids(suggestions: list[Any], for_: str = "self") -> list[str]:
    return [s.id for s in suggestions if s.for_ == for_]


def test_the_demo_catalog_is_big_and_varied(catalog: list[CatalogItem]) -> None:
    assert len(catalog) >= 400
    assert {i.kind for i in catalog} == {"product", "release", "event", "offer"}
    assert {"books", "music", "films", "concerts", "screenings"} <= {i.category for i in catalog}
    assert len({i.city for i in catalog if i.kind == "event"}) >= 12
    assert len({i.id for i in catalog}) == len(catalog)


def test_love_outranks_like(catalog: list[CatalogItem]) -> None:
    got = recommend(catalog, slices(interests("books", crime="love", poetry="like")), NOW)
    first_crime = next(i for i, s in enumerate(got) if "crime" in s.tags)
    first_poetry_only = next(i for i, s in enumerate(got)
                             if "poetry" in s.tags and "crime" not in s.tags)
    assert first_crime < first_poetry_only
    assert got[first_crime].reason.endswith("because you love crime")


def test_a_dislike_pulls_an_item_down_and_never_removes_it(catalog: list[CatalogItem]) -> None:
    base = ids(recommend(catalog, slices(interests("books", crime="love")), NOW))
    both = [i for i in base if "history" in next(c.tags for c in catalog if c.id == i)]
    assert both
    disliked = ids(recommend(
        catalog, slices(interests("books", crime="love", history="dislike")), NOW))
    # Still there (love outweighs a dislike), but lower than before, each one.
    for item_id in both:
        assert disliked.index(item_id) > base.index(item_id)
    never = recommend(catalog, slices(interests("books", crime="love", history="never")), NOW)
    assert never and not any("history" in s.tags for s in never)


def test_concerts_only_in_the_shared_city(catalog: list[CatalogItem]) -> None:
    artist = next(i.creators[0] for i in catalog if i.kind == "event" and i.city == "Lisbon")
    fan = interests("music", **{artist.replace(" ", "_"): "love"})
    nowhere = recommend(catalog, slices(fan), NOW)
    assert not [s for s in nowhere if s.kind == "event"]
    in_lisbon = recommend(catalog, slices({**fan, "location.city": {"city": "lisbon"}}), NOW)
    events = [s for s in in_lisbon if s.kind == "event"]
    assert events and all(s.city == "Lisbon" and s.date > NOW for s in events)
    assert f"you love {artist}" in events[0].reason


def test_screenings_are_events_too_only_in_the_shared_city(catalog: list[CatalogItem]) -> None:
    fan = interests("films", science_fiction="love")
    nowhere = recommend(catalog, slices(fan), NOW)
    assert not [s for s in nowhere if s.kind == "event"]
    cities = {i.city for i in catalog if i.category == "screenings" and "science fiction" in i.tags}
    assert "Lisbon" in cities and len(cities) >= 3
    for city in cities:
        got = recommend(catalog, slices({**fan, "location.city": {"city": city}}), NOW)
        screenings = [s for s in got if s.category == "screenings"]
        assert screenings and {s.kind for s in screenings} == {"event"}
        assert {s.city for s in got if s.kind == "event"} == {city}
        assert all(s.reason.startswith((f"screening in {city} on ", f"premiere in {city} on "))
                   and s.reason.endswith("because you love science fiction")
                   for s in screenings)  # fmt: skip


def test_the_shipped_catalog_is_what_its_generator_writes(tmp_path: Path) -> None:
    tools = Path(__file__).resolve().parents[2] / "tools"
    out = tmp_path / "catalog.json"
    subprocess.run([sys.executable, tools / "make_demo_catalog.py", out], check=True,
                   capture_output=True)  # fmt: skip
    shipped = tools.parent / "profilekeeper/sync/data/catalog.json"
    assert out.read_bytes() == shipped.read_bytes()


def test_new_releases_by_followed_creators_come_first(catalog: list[CatalogItem]) -> None:
    release = next(i for i in catalog if i.kind == "release" and i.release_date
                   and i.release_date >= TODAY)
    creator = release.creators[0]
    got = recommend(catalog, slices(interests(release.category,
                                              **{creator.replace(" ", "_"): "like"})), NOW)
    top = got[0]
    assert top.kind == "release" and creator in top.creators
    assert top.reason.startswith(f"new release by {creator}, whom you like")


def test_gift_ideas_stay_within_budget_and_age_and_rise_near_the_occasion(
    catalog: list[CatalogItem],
) -> None:
    person = {"people.nephew": {
        "relationship": "nephew", "age_band": "6-9",
        "interests": [{"category": "books", "name": "picture book", "sentiment": "love"}],
        "budget": {"amount": "15.00", "currency": "EUR"}}}
    soon = {"occasions.upcoming": {"items": [
        {"for": "nephew", "kind": "birthday", "date": (TODAY + timedelta(days=5)).isoformat()}]}}
    plain = recommend(catalog, slices(person), NOW)
    gifts = [s for s in plain if s.for_ == "nephew"]
    assert gifts
    by_id = {i.id: i for i in catalog}
    for gift in gifts:
        item = by_id[gift.id.split(".for.")[0]]
        assert item.price is not None and item.price <= 15
        assert "6-9" in item.age_bands and item.kind != "event"
        assert gift.id.endswith(".for.nephew")
    with_birthday = recommend(catalog, slices({**person, **soon}), NOW)
    gift = next(s for s in with_birthday if s.for_ == "nephew")
    assert gift.reason.startswith("for nephew's birthday on 2026-11-28, within 15.00 EUR")
    rank = [s.for_ for s in with_birthday].index("nephew")
    assert rank <= [s.for_ for s in plain].index("nephew")


def test_purchases_are_not_suggested_again_and_feedback_is_heeded(
    catalog: list[CatalogItem],
) -> None:
    fan = interests("books", crime="love")
    first = recommend(catalog, slices(fan), NOW)
    bought = next(i for i in catalog if i.id == first[0].id)
    after = recommend(catalog, slices({**fan, "purchases": {"items": [
        {"title": bought.title, "category": bought.category}]}}), NOW)
    assert bought.title not in [s.title for s in after]
    second = first[1]
    dismissed = recommend(catalog, slices(fan), NOW, {second.id: "not_for_me"})
    assert second.id not in ids(dismissed)
    blocked = recommend(catalog, slices(fan), NOW, {second.id: "never_creator"})
    assert not set(second.creators) & {c for s in blocked for c in s.creators}


def test_greeting_only_gets_popular_items_said_plainly(catalog: list[CatalogItem]) -> None:
    got = recommend(catalog, slices({"greeting": {"first_name": "Robin"}}), NOW)
    assert got and all("popular at this shop" in s.reason for s in got)
    assert not [s for s in got if s.kind == "event"]


def test_expired_offers_and_past_events_never_appear(catalog: list[CatalogItem]) -> None:
    later = NOW + timedelta(days=45)
    got = recommend(catalog, slices({**interests("music", jazz="love", folk="love"),
                                     "location.city": {"city": "Berlin"}}), later)
    assert all(s.expires_at > later for s in got if s.kind == "offer")
    assert all(s.date > later for s in got if s.kind == "event")


def test_the_same_inputs_give_the_same_order(catalog: list[CatalogItem]) -> None:
    profile = slices(interests("films", documentary="love", drama="like"))
    assert ids(recommend(catalog, profile, NOW)) == ids(recommend(catalog, profile, NOW))


@pytest.mark.parametrize("change", [{"url": "http://shop.example/x"}, {"tags": ["t" * 41]},
                                    {"kind": "hologram"}])
def test_a_catalog_the_protocol_would_not_let_a_shop_send_is_refused_on_loading(
        tmp_path: Path, change: dict[str, Any]) -> None:
    item = {"id": "bk-1", "kind": "product", "category": "books", "title": "A Book",
            "url": "https://shop.example/bk-1"}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"items": [item]}))
    assert load_catalog(path)[0].id == "bk-1"
    path.write_text(json.dumps({"items": [{**item, **change}]}))
    with pytest.raises((ValueError, LookupError)):
        load_catalog(path)
