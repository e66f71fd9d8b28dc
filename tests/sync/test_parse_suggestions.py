"""Answers are read leniently and item by item; requests stay strict; shop text is cleaned."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from profilekeeper.sync import (
    MAX_PAGE_SIZE,
    Discovery,
    EventSuggestion,
    LinkRequest,
    ProfilePut,
    ProfileView,
    parse_suggestions,
)
from profilekeeper.sync.sanitize import clean_text
from tests.sync.conftest import MUSIC_FAN, OWN_TERMS, profile_body

HOSTILE = "\x1b[31m\x1b]0;x\x07[bold]Shop\u202e[/bold]\x00\x9b2J\r\nnext"
"""Under 40 characters as sent, so it fits every limit and only cleaning can change it."""


def item(**changes: Any) -> dict[str, Any]:
    return {"kind": "event", "id": "cn-0411", "title": "The Glass Garden",
            "creators": ["Velvet Static"], "category": "concerts", "tags": ["soul"],
            "price": "69.00", "currency": "EUR", "url": "https://shop.example/items/cn-0411",
            "for": "self", "reason": "because you love Velvet Static", "city": "Lisbon",
            "date": "2027-04-12T19:00:00Z", "venue": "Old Theatre", **changes}


def page(*items: dict[str, Any], cursor: str | None = None) -> dict[str, Any]:
    return {"items": list(items), "next_cursor": cursor}


def test_clean_text_leaves_one_plain_line() -> None:
    assert clean_text(HOSTILE, limit=100) == "[bold]Shop[/bold] next"
    assert clean_text("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", limit=50) == "click"
    assert clean_text("a\u2066b\u2069c\u200fd\ufeff", limit=50) == "abcd"
    assert clean_text("x" * 500, limit=300) == "x" * 300
    assert clean_text("plain text, kept", limit=50) == "plain text, kept"


def test_a_bad_item_is_dropped_with_its_reason_and_the_rest_kept() -> None:
    parsed = parse_suggestions(page(
        item(id="a"),
        item(id="b", kind="hologram"),                          # a kind this client lacks
        item(id="c", **{"for": "p9"}),                           # a ref never sent
        item(id="d", url="http://shop.example/d"),               # not https
        item(id="e", tags=["t"] * 21),                           # too many tags
        item(id="f", creators=["x" * 121]),                      # a creator too long
        item(id="g", title="t" * 301),
        item(id="h", category="c" * 41),
        item(id="i", city="c" * 81),
        item(id="j", venue="v" * 121),
        item(id="k", reason="r" * 501),
        item(id="l", url="https://shop.example/" + "u" * 2000),
        item(id="m\x1b[2J"),                                     # an id that is not plain
        item(id="a"),                                            # the same id again
        "not an object",
        item(id="n", **{"for": "p1"}, url="http://127.0.0.1:8750/n"),  # a sent ref, local http
        cursor="next-1",
    ), known_refs={"p1"})
    assert [s.id for s in parsed.items] == ["a", "n"]
    assert parsed.next_cursor == "next-1"
    assert [d.index for d in parsed.dropped] == list(range(1, 15))
    reasons = {d.index: d.reason for d in parsed.dropped}
    assert reasons[1].startswith("kind:") and reasons[2].startswith("for:")
    assert reasons[3].startswith("url:") and reasons[4].startswith("tags:")
    assert reasons[5].startswith("creators.0:") and reasons[13].startswith("id:")
    assert "hologram" not in reasons[1]  # reasons are the client's words, never the shop's


def test_an_unknown_member_in_an_item_is_ignored() -> None:
    parsed = parse_suggestions(page(item(sponsored=True, extra={"deep": [1]})), known_refs=())
    assert isinstance(parsed.items[0], EventSuggestion) and not parsed.dropped


def test_every_text_field_is_cleaned() -> None:
    parsed = parse_suggestions(page(item(
        title=HOSTILE, creators=[HOSTILE, "\x1b[0m"], category=HOSTILE, tags=[HOSTILE],
        reason=HOSTILE, city=HOSTILE, venue=HOSTILE)), known_refs=())
    suggestion = parsed.items[0]
    assert isinstance(suggestion, EventSuggestion)
    clean = "[bold]Shop[/bold] next"
    assert (suggestion.title, suggestion.category, suggestion.reason, suggestion.city,
            suggestion.venue) == (clean,) * 5
    assert suggestion.creators == [clean] and suggestion.tags == [clean]  # empty ones go


@pytest.mark.parametrize("bad", [
    [], "page", {"items": []}, {"items": {}, "next_cursor": None},
    page(*[item(id=str(n)) for n in range(MAX_PAGE_SIZE + 1)]),
    page(cursor="with space"), page(cursor="c" * 1001), {"items": [], "next_cursor": 3},
])
def test_what_is_not_a_page_at_all_is_refused_whole(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_suggestions(bad, known_refs=())


def test_answers_ignore_unknown_members_at_any_depth() -> None:
    discovery = {
        "protocol": "profilekeeper-sync", "api_versions": ["1", "2"], "x-new": 1,
        "retailer": {"id": "shop", "name": "Shop", "logo": "x"},
        "slices_accepted": ["greeting"], "suggestion_kinds": ["product", "bundle"],
        "features": ["feedback", "webhooks"],
        "terms": {"retention_days": 30, "purposes": ["recommendations"], "resale": False,
                  "third_party_sharing": False, "privacy_policy_url": "https://s.example/p",
                  "dpo": "someone"},
        "limits": {"requests_per_minute": 60, "burst": 10},
    }
    assert Discovery.model_validate(discovery).features == ["feedback", "webhooks"]
    body = profile_body(copy.deepcopy(MUSIC_FAN))
    body["receipt"]["signature"] = "abc"
    body["slices"]["greeting"]["nickname"] = "R"
    view = ProfileView.model_validate({"link_id": "l1", "slices": body["slices"],
                                       "receipt": body["receipt"], "stored_at": None,
                                       "expires_at": None, "x": 1})
    assert set(view.slices) == set(MUSIC_FAN) and view.receipt is not None


def test_requests_still_refuse_unknown_members_at_any_depth() -> None:
    body = profile_body(copy.deepcopy(MUSIC_FAN))
    body["slices"]["interests.music"]["items"][0]["weight"] = 3
    with pytest.raises(ValidationError):
        ProfilePut.model_validate(body)
    with pytest.raises(ValidationError):
        LinkRequest.model_validate({"pseudonym": "abcdefgh1",
                                    "required_terms": {**OWN_TERMS, "typo": True}})


def test_an_id_kept_from_an_earlier_page_is_not_kept_twice() -> None:
    parsed = parse_suggestions(page(item(id="a"), item(id="b")), known_refs=(), seen={"a"})
    assert [s.id for s in parsed.items] == ["b"]
    assert parsed.dropped[0].index == 0 and parsed.dropped[0].reason == "id: the same id came twice"
