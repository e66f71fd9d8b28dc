"""The server's catalog index leaves out only items that could not be suggested anyway.

``IndexedCatalog.matching`` is what lets the recommender score a few dozen items instead of the
whole catalog per request; these tests hold it to the full scan it replaces.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from profilekeeper.sync.catalog import CatalogItem, load_catalog
from profilekeeper.sync.protocol import InterestItem
from profilekeeper.sync.recommender import IndexedCatalog, Taste, _for_self, _match

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SENTIMENTS = ("love", "like", "dislike", "never")


@pytest.fixture(scope="module")
def catalog() -> IndexedCatalog:
    return IndexedCatalog(load_catalog(today=date(2026, 11, 23)))


def _tastes(catalog: IndexedCatalog, count: int) -> list[Taste]:
    """Tastes over the catalog's own words (creators, tags, titles) and a few it lacks."""
    words = sorted(catalog.by_key) + ["no such band", "nothing at all"]
    chosen = random.Random(19)
    tastes = []
    for _ in range(count):
        taste = Taste()
        taste.add(InterestItem(name=chosen.choice(words), sentiment=chosen.choice(SENTIMENTS))
                  for _ in range(chosen.randint(1, 8)))
        tastes.append(taste)
    return tastes


def test_what_matching_leaves_out_never_scores(catalog: IndexedCatalog) -> None:
    for taste in _tastes(catalog, 300):
        kept = {item.id for item in catalog.matching(taste)}
        for item in catalog:
            if item.id not in kept:
                match = _match(catalog, item, taste)
                assert match is None or match[0] <= 0, (item.id, taste)


def test_scoring_the_matches_is_scoring_everything(catalog: IndexedCatalog) -> None:
    full: list[CatalogItem] = list(catalog)
    for city in ("lisbon", ""):
        for taste in _tastes(catalog, 200):
            assert _for_self(catalog, catalog.matching(taste), taste, city, set(), NOW) == \
                _for_self(catalog, full, taste, city, set(), NOW)


def test_items_are_listed_once_per_key_in_catalog_order(catalog: IndexedCatalog) -> None:
    for key, positions in catalog.by_key.items():
        assert list(positions) == sorted(set(positions)), key
        assert all(key in dict(catalog[p].match_keys) for p in positions)


def test_reasons_name_a_creator_or_tag_as_the_item_spells_it(catalog: IndexedCatalog) -> None:
    for item in catalog:
        for name in (*item.creators, *item.tags):
            first = next(n for n in (*item.creators, *item.tags) if n.lower() == name.lower())
            assert catalog.spelled(item, name.lower()) == first
        assert catalog.spelled(item, "not one of its words") == "not one of its words"
