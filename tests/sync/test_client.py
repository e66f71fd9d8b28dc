"""ShopClient against the reference server, a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from profilekeeper.sync import ProfilePut, RequiredTerms, VerdictItem
from profilekeeper.sync.client import LinkGone, ShopClient, ShopRefused, TermsNotMet
from profilekeeper.sync.server import RunningServer
from tests.sync.conftest import MUSIC_FAN, OWN_TERMS, profile_body

PERSON = {"people.p1": {"relationship": "niece", "age_band": "6-9",
                        "interests": [{"category": "books", "name": "picture book",
                                       "sentiment": "love"}],
                        "budget": {"amount": "25.00", "currency": "EUR"}},
          "occasions.upcoming": {"items": [{"for": "p1", "kind": "birthday",
                                            "date": "2026-12-20"}]}}


def body_of(slices: dict[str, Any], receipt_id: str = "receipt-0001") -> bytes:
    # Key order and spacing of our own choosing: the shop must hold these values exactly.
    return json.dumps(profile_body(slices, receipt_id), indent=1).encode()


@pytest.fixture
async def shop(retailer: RunningServer) -> AsyncIterator[ShopClient]:
    async with ShopClient(retailer.base_url, timeout=10) as client:
        await client.discover()
        yield client


async def linked(shop: ShopClient, slices: dict[str, Any] = MUSIC_FAN) -> str:
    created = await shop.create_link("client-test-0001", RequiredTerms(**OWN_TERMS))
    await shop.put_profile(created.link_id, body_of(slices))
    return created.link_id


async def test_discover_link_put_get_forget(retailer: RunningServer) -> None:
    async with ShopClient(retailer.base_url) as shop:
        discovery = await shop.discover()
        assert discovery.api_versions == ["1"] and shop.base_path == "/v1"
        assert shop.page_size == 200
        created = await shop.create_link("client-test-0001", RequiredTerms(**OWN_TERMS))
        assert created.gpc and not created.terms.resale  # Sec-GPC: 1 was sent
        assert shop.token == created.token
        slices = {**MUSIC_FAN, **PERSON}
        sent = body_of(slices)
        put = await shop.put_profile(created.link_id, sent)
        held = await shop.get_profile(created.link_id)
        # The same values as sent, read the same way (defaults filled in, times normalised).
        expected = ProfilePut.model_validate_json(sent).model_dump(mode="json")
        for view in (put, held):
            echoed = view.model_dump(mode="json")
            assert (echoed["slices"], echoed["receipt"]) == \
                (expected["slices"], expected["receipt"])
            assert echoed["slices"]["occasions.upcoming"]["items"][0]["for"] == "p1"
        await shop.forget(created.link_id)
        with pytest.raises(LinkGone) as gone:
            await shop.get_profile(created.link_id)
        assert gone.value.status == 410 and gone.value.outcome == "refused"
        assert created.link_id not in str(gone.value) and created.token not in str(gone.value)
        await shop.forget(created.link_id)  # 410: already done


async def test_suggestions_over_small_pages_equal_one_big_page(shop: ShopClient) -> None:
    link_id = await linked(shop, {**MUSIC_FAN, **PERSON})
    whole = await shop.suggestions(link_id, known_refs={"p1"})
    paged = await shop.suggestions(link_id, known_refs={"p1"}, limit=7)
    assert len(whole.items) > 30 and whole.pages == 1 and not whole.dropped
    assert [s.id for s in paged.items] == [s.id for s in whole.items]
    assert paged.pages == -(-len(whole.items) // 7) and not paged.truncated
    assert {s.for_ for s in whole.items} == {"self", "p1"}  # gift ideas kept: p1 was sent
    unsent = await shop.suggestions(link_id, known_refs=set())
    assert {s.for_ for s in unsent.items} == {"self"}
    assert {d.reason for d in unsent.dropped} == {"for: not a ref this shopper sent to this shop"}
    events = await shop.suggestions(link_id, known_refs={"p1"}, kind="event")
    assert events.items and {s.kind for s in events.items} == {"event"}


class ChangesProfileMidWalk(httpx.AsyncBaseTransport):
    """The real network, but the profile changes before each of the first ``times`` cursors."""

    def __init__(self, base_url: str, times: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.base_url = base_url
        self.times = times
        self.changes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "cursor" in request.url.params and self.changes < self.times:
            self.changes += 1
            put = httpx.Request("PUT", request.url.copy_with(
                path=request.url.path.replace("/suggestions", "/profile"), query=None),
                headers={"Authorization": request.headers["authorization"],
                         "Content-Type": "application/json"},
                content=body_of(MUSIC_FAN, f"receipt-change-{self.changes}"))
            changed = await self.inner.handle_async_request(put)
            await changed.aread()
            assert changed.status_code == 200
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("changes", [1, 2])
async def test_a_stale_cursor_starts_the_walk_again_once(retailer: RunningServer,
                                                         changes: int) -> None:
    transport = ChangesProfileMidWalk(retailer.base_url, changes)
    async with ShopClient(retailer.base_url, transport=transport) as shop:
        link_id = await linked(shop)
        whole = await shop.suggestions(link_id, known_refs=())
        if changes == 1:
            batch = await shop.suggestions(link_id, known_refs=(), limit=10)
            assert [s.id for s in batch.items] == [s.id for s in whole.items]
            assert batch.pages == 1 + -(-len(whole.items) // 10)  # one page, then all again
        else:
            with pytest.raises(ShopRefused) as stale:
                await shop.suggestions(link_id, known_refs=(), limit=10)
            assert stale.value.status == 409 and "stale-cursor" in str(stale.value)
    assert transport.changes == changes


async def test_feedback_is_taken_into_account(shop: ShopClient) -> None:
    link_id = await linked(shop)
    first = (await shop.suggestions(link_id, known_refs=())).items[:2]
    accepted = await shop.feedback(link_id, [
        VerdictItem(suggestion_id=item.id, verdict="not_for_me") for item in first])
    assert accepted.accepted == 2
    after = await shop.suggestions(link_id, known_refs=())
    assert not {item.id for item in first} & {item.id for item in after.items}
    assert (await shop.feedback(link_id, [])).accepted == 0


async def test_terms_below_the_shoppers_are_refused_with_the_shops_reasons(
        shop: ShopClient) -> None:
    with pytest.raises(TermsNotMet) as refused:
        await shop.create_link("client-test-0002", RequiredTerms(
            max_retention_days=10, allowed_purposes=["recommendations"]))
    assert refused.value.status == 409 and refused.value.outcome == "refused"
    assert refused.value.unmet == ["retention of 90 days exceeds the 10 days allowed",
                                   "purposes not allowed: gift_ideas, offers"]
    assert shop.token is None


async def test_another_links_token_is_refused_not_gone(shop: ShopClient) -> None:
    link_id = await linked(shop)
    shop.token = "not-the-token-of-this-link"
    with pytest.raises(ShopRefused) as refused:
        await shop.get_profile(link_id)
    assert refused.value.status == 401 and not isinstance(refused.value, LinkGone)
