"""The demo meets its catalog on any day of the year (#16 §6): the reference recommender over
the demo vault's payload exactly as the demo grants it (``build_profile_put``), on days when
different people have a birthday coming and some have had theirs (age bands move)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import cast

import pytest

from profilekeeper import demo
from profilekeeper.model import Grant, Interest, Occasion, Person, Profile, Purchase, Retailer
from profilekeeper.sync.catalog import load_catalog
from profilekeeper.sync.payload import build_profile_put
from profilekeeper.sync.protocol import SLICE_FAMILIES
from profilekeeper.sync.recommender import recommend
from profilekeeper.sync.server import DEFAULT_TERMS
from profilekeeper.sync.slices import ProfileSource


@pytest.mark.parametrize("today", [date(2026, 12, 3), date(2027, 2, 27), date(2027, 5, 1),
                                   date(2027, 8, 20), date(2028, 2, 29)])
def test_the_demo_shows_its_release_events_gifts_and_an_item_to_hide(today: date) -> None:
    now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=10)
    records = demo.demo_records(today)
    people = cast(list[Person], records[Person])
    shop = Retailer(name=demo.DEMO_RETAILER_NAME, base_url="http://127.0.0.1:1",
                    terms=DEFAULT_TERMS.model_dump(mode="json"),
                    discovery={"slices_accepted": list(SLICE_FAMILIES)})  # fmt: skip
    since = now - timedelta(minutes=1)
    gifted = {p.id for p in people if p.name in demo.DEMO_GIFTEES}
    grants = [Grant(shop.id, name, since=since) for name in demo.DEMO_GRANTS]
    grants += [Grant(shop.id, "people", since=since, person_id=pid) for pid in sorted(gifted)]
    source = ProfileSource(demo.demo_profile(Profile()), people,
                           cast(list[Interest], records[Interest]),
                           cast(list[Occasion], records[Occasion]),
                           cast(list[Purchase], records[Purchase]))  # fmt: skip
    out = build_profile_put(source, shop, grants, now=now)
    assert not out.withheld and len(out.refs) == len(gifted)
    got = recommend(load_catalog(today=today), out.put.slices, now)

    mine = [s for s in got if s.for_ == "self"]
    assert any(s.kind == "release" and "Northern Lights Trio" in s.creators
               and s.release_date > today for s in mine)  # fmt: skip
    events = [s for s in mine if s.kind == "event"]
    assert {s.city for s in events} == {"Lisbon"}
    assert {"concerts", "screenings"} <= {s.category for s in events}
    assert any("FastFashion Co" in s.creators for s in mine)

    person_of = {ref: pid for pid, ref in out.refs.items()}
    budget = {p.id: p.budget for p in people}
    ideas = {person_of[s.for_] for s in got if s.for_ != "self"}
    assert len(ideas) >= 9 and ideas <= gifted
    assert all(Decimal(s.price) <= budget[person_of[s.for_]] for s in got if s.for_ != "self")
