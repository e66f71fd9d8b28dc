"""ShopClient against a shop of our own that misbehaves: each a clear failure or a clean item."""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from profilekeeper import __version__
from profilekeeper.errors import InvalidInput
from profilekeeper.sync import MAX_RESPONSE_BYTES, RequiredTerms, VerdictItem
from profilekeeper.sync.client import (
    AnswerTooLarge,
    InvalidAnswer,
    LinkGone,
    ShopClient,
    ShopError,
    ShopRefused,
    ShopUnreachable,
    TermsNotMet,
    gather_shops,
)
from profilekeeper.sync.server import RunningServer
from tests.sync.hostile_shop import (
    DISCOVERY,
    LINK,
    TOKEN,
    HostileShop,
    dripping,
    failing,
    huge,
    ok,
    raw,
    redirect,
    slow,
    suggestion,
)

PROFILE = f"/v1/links/{LINK}/profile"
SUGGESTIONS = f"/v1/links/{LINK}/suggestions"
REQUIRED = RequiredTerms(max_retention_days=30, allowed_purposes=["recommendations"])
HOSTILE = "\x1b[2J\x1b]0;x\x07[red]Hi\u202e[/]\x00\x9b6n\r\n!"
"""Under 40 characters as sent: fits every limit, so only cleaning changes it."""


@pytest.fixture
def hostile() -> Iterator[tuple[HostileShop, str]]:
    shop = HostileShop()
    with RunningServer(shop.app) as server:
        yield shop, server.base_url


@pytest.fixture
async def client(hostile: tuple[HostileShop, str]) -> AsyncIterator[ShopClient]:
    async with ShopClient(hostile[1], token=TOKEN, timeout=2, backoff=0.01) as shop:
        yield shop


def assert_plain(error: ShopError) -> None:
    text = str(error)
    assert text and "\n" not in text and "\x1b" not in text and len(text) <= 400
    assert TOKEN not in text and LINK not in text


async def test_every_request_says_gpc_and_who_it_is(hostile: tuple[HostileShop, str],
                                                    client: ShopClient) -> None:
    shop, _url = hostile
    await client.discover()
    sent = b'{"receipt": {}, "slices": {}}  '
    await client.put_profile(LINK, sent)
    await client.get_profile(LINK)
    await client.suggestions(LINK, known_refs=())
    await client.forget(LINK)
    assert len(shop.received) == 5
    for request in shop.received:
        assert request.headers["sec-gpc"] == "1"
        assert request.headers["user-agent"] == f"profilekeeper/{__version__}"
    assert "authorization" not in shop.received[0].headers  # discovery needs no token
    assert {r.headers.get("authorization") for r in shop.received[1:]} == {f"Bearer {TOKEN}"}
    assert shop.requests_to("PUT", PROFILE)[0].body == sent  # exactly the bytes given


async def test_a_slow_shop_times_out(hostile: tuple[HostileShop, str]) -> None:
    shop, url = hostile
    shop.script("GET", PROFILE, slow(1.5), slow(1.5))
    async with ShopClient(url, token=TOKEN, timeout=0.3, retries=1, backoff=0.01) as client:
        started = time.monotonic()
        with pytest.raises(ShopUnreachable) as late:
            await client.get_profile(LINK)
        assert time.monotonic() - started < 1.2
        assert late.value.outcome == "unreachable" and "0.3 s" in str(late.value)
        # Dripping a byte at a time beats every read timeout, not the deadline on the whole.
        shop.script("GET", SUGGESTIONS, dripping(100, 0.05), dripping(100, 0.05))
        with pytest.raises(ShopUnreachable):
            await client.suggestions(LINK, known_refs=())
    assert len(shop.requests_to("GET", PROFILE)) == 2  # a GET is tried again, once here


class CountingTransport(httpx.AsyncBaseTransport):
    """The real network, counting the body bytes the client actually takes in."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.taken = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        inner_stream = response.stream
        assert isinstance(inner_stream, httpx.AsyncByteStream)
        counter = self

        class Counted(httpx.AsyncByteStream):
            async def __aiter__(self) -> AsyncIterator[bytes]:
                async for chunk in inner_stream:
                    counter.taken += len(chunk)
                    yield chunk

            async def aclose(self) -> None:
                await inner_stream.aclose()

        return httpx.Response(response.status_code, headers=response.headers,
                              stream=Counted(), extensions=response.extensions)


async def test_a_huge_answer_is_dropped_once_past_the_cap(
        hostile: tuple[HostileShop, str]) -> None:
    shop, url = hostile
    transport = CountingTransport()
    shop.script("GET", PROFILE, huge(64 * 1024 * 1024))
    async with ShopClient(url, token=TOKEN, transport=transport) as client:
        with pytest.raises(AnswerTooLarge) as large:
            await client.get_profile(LINK)
        assert large.value.outcome == "too_large"
        assert_plain(large.value)
        # Memory stays bounded: the client read a chunk past the cap, then hung up ...
        assert MAX_RESPONSE_BYTES < transport.taken <= MAX_RESPONSE_BYTES + 256 * 1024
        await asyncio.sleep(0.2)
        # ... and the shop stopped sending (what it handed over sat in socket buffers).
        assert shop.streamed < 16 * 1024 * 1024
        shop.script("GET", PROFILE, huge(MAX_RESPONSE_BYTES + 1, declared=True))
        taken = transport.taken
        with pytest.raises(AnswerTooLarge, match="not read"):
            await client.get_profile(LINK)
        assert transport.taken == taken  # a Content-Length over the cap: not a byte read


async def test_answers_that_are_not_json_or_not_the_protocol_are_invalid(
        hostile: tuple[HostileShop, str], client: ShopClient) -> None:
    shop, _url = hostile
    shop.script("GET", "/.well-known/profilekeeper", raw(b"{not json"),
                ok({**DISCOVERY, "terms": None}), ok({**DISCOVERY, "api_versions": ["2"]}),
                ok({**DISCOVERY, "base_path": "/v1/../admin"}), raw(b"[" * 100_000))
    for expected in ("not JSON", "discovery does not match the protocol: terms",
                     "version 1", "base_path", "not JSON"):
        with pytest.raises(InvalidAnswer, match=expected) as invalid:
            await client.discover()
        assert invalid.value.outcome == "invalid"
    shop.script("GET", PROFILE, ok([]))
    with pytest.raises(InvalidAnswer):
        await client.get_profile(LINK)
    shop.script("GET", SUGGESTIONS, ok({"items": "many", "next_cursor": None}))
    with pytest.raises(InvalidAnswer, match="not a suggestions page"):
        await client.suggestions(LINK, known_refs=())
    shop.script("GET", PROFILE, raw(gzip.compress(b"{}"), headers={"Content-Encoding": "gzip"}))
    with pytest.raises(InvalidAnswer, match="compressed"):
        await client.get_profile(LINK)


async def test_server_errors_are_retried_for_a_get_then_fail(
        hostile: tuple[HostileShop, str], client: ShopClient) -> None:
    shop, _url = hostile
    shop.script("GET", PROFILE, failing(500), failing(503))
    assert (await client.get_profile(LINK)).link_id == LINK  # the third try answered
    shop.script("GET", PROFILE, failing(500), failing(500), failing(500))
    with pytest.raises(ShopRefused) as broken:
        await client.get_profile(LINK)
    assert broken.value.status == 500 and len(shop.requests_to("GET", PROFILE)) == 6
    shop.script("POST", f"/v1/links/{LINK}/feedback", failing(500))
    with pytest.raises(ShopRefused):  # feedback is a POST: sent once, not repeated
        await client.feedback(LINK, [VerdictItem(suggestion_id="a", verdict="like")])
    assert len(shop.requests_to("POST", f"/v1/links/{LINK}/feedback")) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_link_creation_is_never_repeated(hostile: tuple[HostileShop, str],
                                               client: ShopClient, status: int) -> None:
    shop, _url = hostile
    shop.script("POST", "/v1/links", failing(status, headers={"Retry-After": "0"}))
    with pytest.raises(ShopRefused) as refused:
        await client.create_link("pseudonym-0001", REQUIRED)
    assert refused.value.status == status
    assert len(shop.requests_to("POST", "/v1/links")) == 1


async def test_too_many_requests_waits_out_retry_after(hostile: tuple[HostileShop, str],
                                                       client: ShopClient) -> None:
    shop, _url = hostile
    shop.script("GET", PROFILE, failing(429, "slow down", headers={"Retry-After": "1"}))
    started = time.monotonic()
    assert (await client.get_profile(LINK)).link_id == LINK
    assert time.monotonic() - started >= 0.9
    shop.script("GET", PROFILE, failing(429, headers={"Retry-After": "3600"}))
    started = time.monotonic()
    with pytest.raises(ShopRefused) as limited:  # an hour is past the cap: fail, do not wait
        await client.get_profile(LINK)
    assert limited.value.status == 429 and time.monotonic() - started < 0.5
    shop.script("POST", f"/v1/links/{LINK}/feedback",
                failing(429, headers={"Retry-After": "0"}))
    assert (await client.feedback(LINK, [VerdictItem(suggestion_id="a", verdict="like")])
            ).accepted == 1  # a 429 was not acted on, so even a POST may go again


async def test_redirects_only_within_the_shop(hostile: tuple[HostileShop, str],
                                              client: ShopClient) -> None:
    shop, url = hostile
    elsewhere = HostileShop()
    with RunningServer(elsewhere.app) as other:
        other_url = other.base_url.replace("127.0.0.1", "localhost")
        shop.script("GET", PROFILE, redirect(f"{other_url}{PROFILE}"))
        with pytest.raises(ShopRefused, match="another host") as refused:
            await client.get_profile(LINK)
        assert refused.value.status == 307
        shop.script("PUT", PROFILE, redirect(f"https://evil.example{PROFILE}", 308))
        with pytest.raises(ShopRefused, match="another host"):
            await client.put_profile(LINK, b"{}")
    assert elsewhere.received == []  # the token never went there
    shop.script("GET", PROFILE, redirect("/v1/moved", 302))
    shop.script("GET", "/v1/moved", ok({"link_id": LINK, "slices": {}, "receipt": None,
                                        "stored_at": None, "expires_at": None}))
    assert (await client.get_profile(LINK)).link_id == LINK  # same shop: followed
    assert shop.requests_to("GET", "/v1/moved")[0].headers["authorization"] == f"Bearer {TOKEN}"
    shop.script("PUT", PROFILE, redirect(f"{url}/v1/put-here", 303))
    with pytest.raises(ShopRefused, match="redirected a PUT"):
        await client.put_profile(LINK, b"{}")
    for _ in range(5):
        shop.script("GET", PROFILE, redirect(PROFILE))
    with pytest.raises(ShopRefused, match="more than 3"):
        await client.get_profile(LINK)


async def test_hostile_text_is_cleaned_and_bad_items_dropped(
        hostile: tuple[HostileShop, str], client: ShopClient) -> None:
    shop, _url = hostile
    shop.script("GET", "/.well-known/profilekeeper",
                ok({**DISCOVERY, "retailer": {"id": "hostile", "name": HOSTILE}}))
    assert (await client.discover()).retailer.name == "[red]Hi[/] !"
    event = {"kind": "event", "city": HOSTILE, "date": "2027-04-12T19:00:00Z",
             "venue": HOSTILE}
    shop.script("GET", SUGGESTIONS, ok({"items": [
        suggestion("a", **event, title=HOSTILE, creators=[HOSTILE], category=HOSTILE,
                   tags=[HOSTILE], reason=HOSTILE),
        suggestion("b", **{"for": "someone-never-sent"}),
        suggestion("c", url="http://hostile.example/items/c"),
        suggestion("d", kind="hologram"),
        suggestion("e", **{"for": "p1"}),
    ], "next_cursor": None}))
    batch = await client.suggestions(LINK, known_refs={"p1"})
    assert [s.id for s in batch.items] == ["a", "e"]
    first = batch.items[0]
    texts = [first.title, first.category, first.reason, *first.creators, *first.tags,
             getattr(first, "city"), getattr(first, "venue")]  # noqa: B009 - an event's
    assert texts == ["[red]Hi[/] !"] * 7  # markup left as text: shown as text, never parsed
    assert [(d.index, d.reason.split(":")[0]) for d in batch.dropped] == \
        [(1, "for"), (2, "url"), (3, "kind")]
    shop.script("GET", PROFILE, failing(418, HOSTILE * 20, kind=f"urn:x:{HOSTILE}"))
    with pytest.raises(ShopRefused) as refused:
        await client.get_profile(LINK)
    assert_plain(refused.value)
    shop.script("POST", "/v1/links", failing(409, HOSTILE, kind="urn:x:terms-not-met",
                                             unmet=[HOSTILE, 7, "ok"]))
    with pytest.raises(TermsNotMet) as unmet:
        await client.create_link("pseudonym-0001", REQUIRED)
    assert unmet.value.unmet == ["[red]Hi[/] !", "ok"]
    assert_plain(unmet.value)
    shop.script("POST", "/v1/links", failing(409, "we keep data a year",
                                             kind="urn:profilekeeper:problem:terms-not-met"))
    with pytest.raises(TermsNotMet) as only_detail:  # no unmet list: the detail says why
        await client.create_link("pseudonym-0001", REQUIRED)
    assert only_detail.value.unmet == ["we keep data a year"]


async def test_a_link_on_worse_terms_than_asked_is_taken_back(
        hostile: tuple[HostileShop, str]) -> None:
    shop, url = hostile
    async with ShopClient(url) as client:
        with pytest.raises(TermsNotMet, match="retention of 30 days"):
            await client.create_link("pseudonym-0001", RequiredTerms(
                max_retention_days=7, allowed_purposes=["recommendations"]))
        assert client.token is None
    assert shop.requests_to("DELETE", f"/v1/links/{LINK}")  # forgotten at once


async def test_link_routes_answering_404_or_410_mean_the_link_is_gone(
        hostile: tuple[HostileShop, str], client: ShopClient) -> None:
    shop, _url = hostile
    for status in (404, 410):
        shop.script("GET", SUGGESTIONS, failing(status))
        with pytest.raises(LinkGone) as gone:
            await client.suggestions(LINK, known_refs=())
        assert gone.value.status == status
        shop.script("DELETE", f"/v1/links/{LINK}", failing(status))
        await client.forget(LINK)  # done all the same


async def test_cursors_that_loop_and_the_page_cap(hostile: tuple[HostileShop, str],
                                                  client: ShopClient) -> None:
    shop, _url = hostile
    looping = {"items": [suggestion("a")], "next_cursor": "again"}
    shop.script("GET", SUGGESTIONS, ok(looping), ok(looping))
    with pytest.raises(InvalidAnswer, match="loop"):
        await client.suggestions(LINK, known_refs=())
    shop.script("GET", SUGGESTIONS, *(ok({"items": [suggestion(f"i{n}"), suggestion("i0")],
                                          "next_cursor": f"c{n}"}) for n in range(25)))
    batch = await client.suggestions(LINK, known_refs=())
    assert batch.pages == 20 and batch.truncated and len(batch.items) == 20
    assert [d.index for d in batch.dropped] == list(range(1, 40, 2))  # i0 again, each page
    assert {d.reason for d in batch.dropped} == {"id: the same id came twice"}


async def test_nothing_listening_and_addresses_refused() -> None:
    async with ShopClient("http://127.0.0.1:9", timeout=2, backoff=0.01) as client:
        with pytest.raises(ShopUnreachable, match="could not connect"):
            await client.discover()
    for address in ("http://shop.example", "ftp://127.0.0.1", "https://shop.example/api",
                    "https://user@shop.example", "not a url"):
        with pytest.raises(InvalidInput):
            ShopClient(address)


async def test_several_shops_sync_at_once() -> None:
    shops = [HostileShop(delay=0.3) for _ in range(4)]
    shops[3].script("GET", "/.well-known/profilekeeper", raw(b"nope"))
    servers = [RunningServer(shop.app) for shop in shops]
    try:
        async def sync(url: str) -> int:
            async with ShopClient(url, token=TOKEN) as client:
                await client.discover()
                return len((await client.suggestions(LINK, known_refs=())).items)

        started = time.monotonic()
        results = await gather_shops({n: (lambda u=s.base_url: sync(u))
                                      for n, s in enumerate(servers)})
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.stop()
    assert results[0] == results[1] == results[2] == 2
    assert isinstance(results[3], InvalidAnswer)  # one shop failing stops no other
    assert elapsed < 1.2  # four shops of two 0.3 s requests each: at once, not 2.4 s

