"""Sharing with shops, end to end: a real vault file and the reference server as a real
uvicorn on 127.0.0.1. Connect, grant, preview, share, sync, revoke, forget, and the shops that
refuse or are down. Tokens go to whatever keyring this process has (the suite runs under a
private gnome-keyring; without one they are kept in the vault: both are the product's paths).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sharing_shops import (
    fill_profile,
    held_with,
    links_in,
    lying_shop,
    reference_shop,
    refusing_shop,
)

from profilekeeper import services
from profilekeeper.errors import Conflict, InvalidInput, NotFound
from profilekeeper.model import (
    Activity,
    Grant,
    Outcome,
    ReceiptStatus,
    Retailer,
    ShareRecord,
    ShopStatus,
    Suggestion,
)
from profilekeeper.services.shops import shop_token
from profilekeeper.sync.client import ShopUnreachable
from profilekeeper.sync.server import RunningServer


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[RunningServer]:
    with reference_shop(tmp_path / "shop.sqlite3") as server:
        yield server


@pytest.fixture
def linked(vault: Any, shop: RunningServer) -> Retailer:
    """Robin's vault, linked to the reference shop; nothing granted."""
    fill_profile(vault)
    return asyncio.run(services.connect_shop(vault, shop.base_url)).shop


def log(vault: Any, action: Activity) -> list[ShareRecord]:
    return [r for r in services.activity_log(vault) if r.action is action]


def held(vault: Any, shop: Retailer) -> dict[str, Any]:
    view = asyncio.run(services.what_shop_holds(vault, shop))
    return view.model_dump(mode="json", exclude_none=True)


def grant_the_usual(vault: Any, shop: Retailer) -> None:
    now = services.now_utc()
    for name in ("greeting", "interests.music", "location.city", "people.Sam Lee"):
        services.grant_slice(vault, shop, name, now=now)


def test_connect_links_under_a_pseudonym_and_grants_nothing(vault: Any, linked: Retailer,
                                                            shop: RunningServer) -> None:
    stored = vault.get(Retailer, linked.id)
    assert stored.link_id and stored.shop_id == "demo-retailer" and stored.gpc
    assert stored.terms["retention_days"] == 90 and stored.terms["resale"] is False
    assert stored.discovery["retailer"]["id"] == "demo-retailer" and stored.linked_at
    assert shop_token(vault, stored)  # in the keyring, or sealed in the vault without one
    assert (stored.token == "") is stored.token_in_keyring
    assert vault.list(Grant) == []
    [connect] = log(vault, Activity.CONNECT)
    assert connect.outcome is Outcome.OK and connect.retailer_id == linked.id
    assert held(vault, linked)["slices"] == {}  # nothing leaves before a grant and a share

    with pytest.raises(Conflict):  # the same shop twice
        asyncio.run(services.connect_shop(vault, shop.base_url + "/", name="Again"))


def test_the_shop_holds_exactly_the_preview_bytes(vault: Any, linked: Retailer) -> None:
    grant_the_usual(vault, linked)
    now = services.now_utc()
    out = services.preview(vault, linked, now=now)
    [sam] = out.refs.values()
    assert out.slices == ("greeting", "interests.music", "location.city", f"people.{sam}")

    [shared] = asyncio.run(services.share(vault, linked, now=now))
    assert shared.outcome is Outcome.OK and shared.echo_matches is True
    assert shared.payload.encode() == out.body  # what was sent is what the preview showed
    sent = json.loads(out.body)
    holds = held(vault, linked)
    assert holds["slices"] == sent["slices"] and holds["receipt"] == sent["receipt"]

    assert shared.receipt_status is ReceiptStatus.ACTIVE
    receipt = shared.receipt
    assert receipt["consentReceiptID"] == shared.receipt_id == sent["receipt"]["receipt_id"]
    assert receipt["piiPrincipalId"] == linked.pseudonym
    assert receipt["piiControllers"][0]["piiControllerId"] == "demo-retailer"
    assert receipt["policyUrl"].startswith("https://")
    assert receipt["third_party_disclosure"] is False and receipt["slices"] == list(out.slices)
    assert receipt["retention_days"] == shared.retention_days == out.retention_days
    for value in ("Robin Doe", "Lisbon", "Velvet Static", "Sam Lee"):
        assert value not in shared.reason


def test_opting_out_reduces_every_shop_to_the_greeting(vault: Any, linked: Retailer) -> None:
    grant_the_usual(vault, linked)
    from profilekeeper.services import set_profile

    set_profile(vault, opted_in=False)
    out = services.preview(vault, linked, now=services.now_utc())
    assert out.slices == ("greeting",)
    assert json.loads(out.body)["slices"] == {"greeting": {"first_name": "Robin"}}
    assert {w.slice for w in out.withheld} >= {"interests.music", "location.city"}


def test_sync_stores_suggestions_and_keeps_the_owners_verdicts(vault: Any,
                                                               linked: Retailer) -> None:
    grant_the_usual(vault, linked)
    [report] = asyncio.run(services.sync_shops(vault))
    assert report.ok, [r.reason for r in report.records]
    assert [r.action for r in report.records] == [Activity.SHARE, Activity.FETCH]
    first = vault.list(Suggestion, retailer_id=linked.id)
    assert first and all(s.retailer_id == linked.id for s in first)
    assert any(s.person_id is not None for s in first)  # a gift idea for Sam, by his ref

    liked = first[0]
    liked.verdict = "like"
    vault.save(liked)
    asyncio.run(services.sync_shops(vault))
    again = vault.list(Suggestion, retailer_id=linked.id)
    assert vault.get(Suggestion, liked.id).verdict == "like"
    assert [s.remote_id for s in again].count(liked.remote_id) == 1
    assert {s.id for s in again if s.verdict is None}.isdisjoint(s.id for s in first)
    statuses = [r.receipt_status for r in log(vault, Activity.SHARE)]
    assert statuses == [ReceiptStatus.SUPERSEDED, ReceiptStatus.ACTIVE]


def test_revoking_a_slice_tells_the_shop_at_once(vault: Any, linked: Retailer) -> None:
    grant_the_usual(vault, linked)
    asyncio.run(services.share(vault, linked))
    assert "interests.music" in held(vault, linked)["slices"]

    done = asyncio.run(services.revoke(vault, linked, "interests.music"))
    assert done.outcome is Outcome.OK and "interests.music" not in done.slices
    assert "interests.music" not in held(vault, linked)["slices"]
    assert "location.city" in held(vault, linked)["slices"]
    with pytest.raises(NotFound):  # not granted any more
        asyncio.run(services.revoke(vault, linked, "interests.music"))


def test_forget_then_the_link_is_gone_and_so_is_the_token(vault: Any, linked: Retailer,
                                                          shop: RunningServer) -> None:
    grant_the_usual(vault, linked)
    asyncio.run(services.sync_shops(vault))
    token = shop_token(vault, vault.get(Retailer, linked.id))

    done = asyncio.run(services.forget_shop(vault, linked))
    assert done.outcome is Outcome.OK
    assert held_with(shop, linked.link_id, token).status_code == 410
    assert vault.list(Retailer) == [] and vault.list(Grant) == []
    assert vault.list(Suggestion) == []
    from profilekeeper.store import keys

    # (With no keyring here the token was only ever in the record, now deleted.)
    with contextlib.suppress(keys.KeyringUnavailable):
        assert keys.recall_token(vault.vault_id, linked.id) is None
    assert {r.receipt_status for r in log(vault, Activity.SHARE)} == {ReceiptStatus.WITHDRAWN}
    assert log(vault, Activity.FORGET)[-1].shop_name == linked.name  # the log outlives it


def test_a_shop_below_the_minimum_terms_is_refused_here(vault: Any, tmp_path: Path) -> None:
    with reference_shop(tmp_path / "greedy.sqlite3", retention_days=365) as greedy, \
            pytest.raises(services.TermsRefused) as refused:  # fmt: skip
        asyncio.run(services.connect_shop(vault, greedy.base_url))
    assert not refused.value.by_shop
    assert refused.value.reasons == ["retention of 365 days exceeds the 90 days allowed"]
    assert vault.list(Retailer) == []
    [connect] = log(vault, Activity.CONNECT)
    assert connect.outcome is Outcome.REFUSED and "365 days" in connect.reason

    # The owner may accept longer retention; then it links.
    terms = services.minimum_terms_from(400, base=services.minimum_terms(vault))
    services.set_minimum_terms(vault, terms)
    with reference_shop(tmp_path / "greedy.sqlite3", retention_days=365) as greedy:
        assert asyncio.run(services.connect_shop(vault, greedy.base_url)).shop.link_id


def test_the_shops_own_refusal_is_recorded(vault: Any) -> None:
    with refusing_shop() as choosy, pytest.raises(services.TermsRefused) as refused:
        asyncio.run(services.connect_shop(vault, choosy.base_url))
    assert refused.value.by_shop and refused.value.reasons == ["we use data for analytics"]
    [connect] = log(vault, Activity.CONNECT)
    assert (connect.outcome, connect.shop_name) == (Outcome.REFUSED, "Choosy Shop")
    assert vault.list(Retailer) == []


def test_a_shop_that_is_down_fails_plainly_and_its_forget_waits(vault: Any,
                                                                tmp_path: Path) -> None:
    fill_profile(vault)
    db = tmp_path / "flaky.sqlite3"
    with reference_shop(db) as flaky:
        linked = asyncio.run(services.connect_shop(vault, flaky.base_url)).shop
        port = int(flaky.base_url.rsplit(":", 1)[1])
        token = shop_token(vault, linked)
    grant_the_usual(vault, linked)
    with pytest.raises(ShopUnreachable):  # connecting to it now fails, and says so in the log
        asyncio.run(services.connect_shop(vault, f"http://localhost:{port}", name="Again"))
    assert log(vault, Activity.CONNECT)[-1].outcome is Outcome.UNREACHABLE

    [report] = asyncio.run(services.sync_shops(vault))  # the shop is down
    assert not report.ok
    [failed] = report.records
    assert (failed.action, failed.outcome) == (Activity.SHARE, Outcome.UNREACHABLE)
    assert failed.reason and failed.receipt_status is None
    revoked = asyncio.run(services.revoke(vault, linked, "location.city"))
    assert revoked.outcome is Outcome.UNREACHABLE  # said, not hidden

    pending = asyncio.run(services.forget_shop(vault, linked))
    assert pending.outcome is Outcome.UNREACHABLE and "next sync" in pending.reason
    linked = vault.get(Retailer, linked.id)
    assert linked.status is ShopStatus.FORGET_PENDING
    assert vault.list(Grant) == []  # nothing more will be sent to it
    with pytest.raises(Conflict):
        services.grant_slice(vault, linked, "greeting", now=services.now_utc())

    with reference_shop(db, port=port) as back:
        [report] = asyncio.run(services.sync_shops(vault))
        assert report.ok and [r.action for r in report.records] == [Activity.FORGET]
        assert held_with(back, linked.link_id, token).status_code == 410
    assert vault.list(Retailer) == []


def test_grants_name_slices_the_owner_has_and_the_shop_takes(vault: Any,
                                                             linked: Retailer) -> None:
    now = services.now_utc()
    with pytest.raises(NotFound):
        services.grant_slice(vault, linked, "interests.films", now=now)  # no films yet
    with pytest.raises(NotFound):
        services.grant_slice(vault, linked, "people.Nobody", now=now)
    until = services.parse_until("2099-01-31", now)
    grant = services.grant_slice(vault, linked, "people", person="sam lee", until=until, now=now)
    assert grant.slice == "people" and grant.person_id and grant.until == until
    again = services.grant_slice(vault, linked, "people.Sam Lee", now=now)  # ends it later
    assert again.id == grant.id and again.until is None
    assert len(services.grants_of(vault, linked, now=now)) == 1
    with pytest.raises(InvalidInput):
        services.parse_until("2001-01-01", now)

    soon = services.grant_slice(vault, linked, "location.city", now=now,
                                until=services.parse_until((now + timedelta(days=2))
                                                           .date().isoformat(), now))
    later = now + timedelta(days=5)
    assert soon.id not in {g.id for g in services.grants_of(vault, linked, now=later)}
    out = services.preview(vault, linked, now=now)
    assert out.retention_days <= 3  # no longer than the earliest grant expiry


def test_minimum_terms_are_kept_in_the_settings(vault: Any) -> None:
    assert services.minimum_terms(vault) == services.MinimumTerms(
        90, ("recommendations", "gift_ideas", "offers"))
    services.set_minimum_terms(vault, services.minimum_terms_from(30, ["Recommendations"]))
    assert services.minimum_terms(vault) == services.MinimumTerms(30, ("recommendations",))
    for bad in ((0, None), (None, []), (None, ["no resale"])):
        with pytest.raises(InvalidInput):
            services.minimum_terms_from(*bad)
    assert "Sec-GPC: 1" in services.GPC_NOTE


def test_receipts_expire_after_their_retention(vault: Any, linked: Retailer) -> None:
    asyncio.run(services.share(vault, linked))
    [shared] = log(vault, Activity.SHARE)
    later = datetime.now(UTC) + timedelta(days=shared.retention_days + 1)
    assert services.expire_receipts(vault, linked.id, later) == 1
    assert log(vault, Activity.SHARE)[0].receipt_status is ReceiptStatus.EXPIRED


def test_shops_sync_at_once_and_one_down_holds_up_no_other(vault: Any, tmp_path: Path) -> None:
    fill_profile(vault)
    with reference_shop(tmp_path / "a.sqlite3", name="Shop A") as a, \
            reference_shop(tmp_path / "b.sqlite3", name="Shop B") as b:  # fmt: skip
        first = asyncio.run(services.connect_shop(vault, a.base_url)).shop
        second = asyncio.run(services.connect_shop(vault, b.base_url)).shop
        b.stop()
        for shop in (first, second):
            services.grant_slice(vault, shop, "interests.music", now=services.now_utc())
        seen: list[tuple[str, str]] = []
        reports = asyncio.run(services.sync_shops(
            vault, progress=lambda shop, what: seen.append((shop.name, what))))
    assert [(r.shop.name, r.ok) for r in reports] == [("Shop A", True), ("Shop B", False)]
    assert ("Shop A", "fetching suggestions") in seen and ("Shop B", "sharing") in seen
    assert vault.list(Suggestion, retailer_id=first.id)
    assert first.pseudonym != second.pseudonym and first.ref_key != second.ref_key


def test_sync_talks_to_at_most_so_many_shops_at_once(vault: Any, tmp_path: Path) -> None:
    busy, most = 0, 0

    def counted(app: Any) -> Any:  # every PUT stays open a while, so the talks overlap
        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            nonlocal busy, most
            if scope["type"] != "http" or scope["method"] != "PUT":
                return await app(scope, receive, send)
            busy += 1
            most = max(most, busy)
            try:
                await asyncio.sleep(0.5)
                await app(scope, receive, send)
            finally:
                busy -= 1
        return asgi

    fill_profile(vault)
    with contextlib.ExitStack() as servers:
        for n in range(3):
            running = servers.enter_context(reference_shop(
                tmp_path / f"{n}.sqlite3", name=f"Shop {n}", wrap=counted))
            shop = asyncio.run(services.connect_shop(vault, running.base_url)).shop
            services.grant_slice(vault, shop, "interests.music", now=services.now_utc())
        reports = asyncio.run(services.sync_shops(vault, at_once=2))
    assert [r.ok for r in reports] == [True, True, True]
    assert most == 2  # three shops, two at a time: never three, and not one after another


def test_a_shop_whose_copy_differs_from_what_was_sent_is_flagged(vault: Any) -> None:
    fill_profile(vault)
    with lying_shop() as liar:
        shop = asyncio.run(services.connect_shop(vault, liar.base_url)).shop
        services.grant_slice(vault, shop, "interests.music", now=services.now_utc())
        [shared] = asyncio.run(services.share(vault, shop))
    assert shared.echo_matches is False and shared.outcome is Outcome.INVALID
    assert "other than what was sent" in shared.reason
    assert "interests.extra" in shared.response and "interests.extra" not in shared.payload


def test_verdicts_go_to_a_shop_only_when_allowed_and_only_once(vault: Any,
                                                               linked: Retailer) -> None:
    grant_the_usual(vault, linked)
    asyncio.run(services.sync_shops(vault))
    [judged, *_] = [s for s in vault.list(Suggestion, retailer_id=linked.id) if s.creators]
    judged.verdict = "never_creator"
    vault.save(judged)
    asyncio.run(services.sync_shops(vault))
    assert log(vault, Activity.FEEDBACK) == []  # not allowed: the verdict stays here

    services.allow_feedback(vault, linked, True)
    [report] = asyncio.run(services.sync_shops(vault))
    assert [r.action for r in report.records] == [Activity.SHARE, Activity.FEEDBACK,
                                                  Activity.FETCH]
    [sent] = log(vault, Activity.FEEDBACK)
    assert sent.outcome is Outcome.OK and "1 accepted" in sent.reason
    assert json.loads(sent.payload) == {"verdicts": [
        {"suggestion_id": judged.remote_id, "verdict": "never_creator"}]}
    fresh = [s for s in vault.list(Suggestion, retailer_id=linked.id) if s.id != judged.id]
    assert not any(set(s.creators) & set(judged.creators) for s in fresh)  # the shop heard it

    asyncio.run(services.sync_shops(vault))
    assert len(log(vault, Activity.FEEDBACK)) == 1  # sent once


def test_a_share_reads_only_the_granted_people_and_sends_what_reading_everyone_would(
    vault: Any, linked: Retailer,
) -> None:
    from profilekeeper.model import Interest, Occasion, Person, Sentiment
    from profilekeeper.services.grants import receipt_id, source_of
    from profilekeeper.sync.payload import build_profile_put
    from tests.conftest import count_opens

    now = services.now_utc()
    soon = (now + timedelta(days=5)).date()
    others = [Person(name=f"Other {n}", relationship="friend") for n in range(30)]
    with vault.transaction():
        for person in others:
            vault.add(person)
            vault.add(Interest(category="books", name=f"other-{person.id}", person_id=person.id,
                               sentiment=Sentiment.LOVE))
            vault.add(Occasion(kind="birthday", month=soon.month, day=soon.day,
                               person_id=person.id))
    grant_the_usual(vault, linked)
    services.grant_slice(vault, linked, "people", person=others[0].name, now=now)
    services.grant_slice(vault, linked, "occasions.upcoming", now=now)
    grants = vault.list(Grant, retailer_id=linked.id)

    opened = count_opens(vault)
    sent = services.preview(vault, linked, now=now)
    people_opened = sum(aad.startswith(b"pk1|people|") for aad in opened)
    everyone = build_profile_put(source_of(vault), linked, grants, now=now,
                                 receipt_id=receipt_id(linked, now))
    assert sent.body == everyone.body and sent.withheld == everyone.withheld
    assert b"other-" + others[0].id.encode() in sent.body
    assert b"other-" + others[1].id.encode() not in sent.body
    granted = {g.person_id for g in grants if g.person_id}
    assert people_opened == len(granted) < len(others)  # the others were never decrypted


def test_a_look_shows_the_terms_and_links_nothing(vault: Any, tmp_path: Path) -> None:
    with reference_shop(tmp_path / "shop.sqlite3", name="Demo \x1b[31mRetailer") as shop:
        look = asyncio.run(services.look_at_shop(vault, shop.base_url + "/"))
    assert (look.url, look.name, look.unmet) == (shop.base_url, "Demo Retailer", [])
    assert look.terms[0] == "Keeps what you share at most 90 days"
    assert "Sells it: no; passes it to others: no" in look.terms  # under Sec-GPC: 1
    assert "Global Privacy Control: honoured, it says" in look.terms
    assert "greeting" in look.slices
    assert links_in(tmp_path / "shop.sqlite3") == 0
    assert vault.list(Retailer) == [] and vault.list(ShareRecord) == []  # nothing written


def test_a_look_at_a_shop_below_the_minimum_gives_the_reasons(vault: Any, tmp_path: Path) -> None:
    with reference_shop(tmp_path / "greedy.sqlite3", retention_days=365) as greedy:
        look = asyncio.run(services.look_at_shop(vault, greedy.base_url))
        assert look.unmet == ["retention of 365 days exceeds the 90 days allowed"]
        assert look.terms[0] == "Keeps what you share at most 365 days"
        with pytest.raises(services.TermsRefused) as refused:  # connect says the same
            asyncio.run(services.connect_shop(vault, greedy.base_url))
    assert refused.value.reasons == look.unmet
    assert links_in(tmp_path / "greedy.sqlite3") == 0


def test_a_look_fails_as_a_connect_does(vault: Any, linked: Retailer, tmp_path: Path) -> None:
    with pytest.raises(Conflict, match="connected already"):
        asyncio.run(services.look_at_shop(vault, linked.base_url))
    with pytest.raises(InvalidInput):
        asyncio.run(services.look_at_shop(vault, "ftp://shop.example"))
    with reference_shop(tmp_path / "gone.sqlite3") as gone:
        url = gone.base_url
    with pytest.raises(ShopUnreachable):
        asyncio.run(services.look_at_shop(vault, url))
    assert [r.action for r in vault.list(ShareRecord)] == [Activity.CONNECT]  # only the link
