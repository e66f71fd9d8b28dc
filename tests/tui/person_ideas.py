"""Gift ideas from a shop for one person, and the Person screen opened on someone: the setup the
Person screen's tests (ideas, suggestions, thank-you notes) share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from textual.pilot import Pilot

from profilekeeper.model import Grant, Occasion, Person, Retailer, Suggestion
from profilekeeper.screens.person import PersonScreen
from profilekeeper.sync.slices import person_ref
from tests.tui.test_flows import settle


def sam_with_ideas(
    vault: Any, shop_name: str, ideas: Sequence[tuple[str, str, int, str]]
) -> tuple[Person, list[Suggestion]]:
    """Sam (birthday on 14 Mar, budget 30 EUR), granted to one shop named ``shop_name``, with
    its gift ideas for him: (its id at the shop, title, price, currency) each."""
    shop = vault.add(Retailer(shop_name, "https://a.example"))
    sam = vault.add(Person("Sam", budget=Decimal(30), currency="EUR"))
    vault.add(Occasion("birthday", 3, 14, person_id=sam.id))
    vault.add(Grant(shop.id, "people", since=datetime(2026, 1, 1, tzinfo=UTC), person_id=sam.id))
    ref = person_ref(shop.ref_key, sam.id)
    items = [Suggestion(shop.id, remote_id, "product", title, price=Decimal(price),
                        currency=currency, for_ref=ref)
             for remote_id, title, price, currency in ideas]  # fmt: skip
    vault.add_all(items)
    return sam, items


@asynccontextmanager
async def person_screen(
    app: Any, person_id: str, size: tuple[int, int]
) -> AsyncIterator[Pilot[None]]:
    """``app`` running, Home shown, then the Person screen of ``person_id`` on top."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.push_screen(PersonScreen(person_id))
        await settle(pilot)
        yield pilot
