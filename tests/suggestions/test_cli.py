"""``suggestions``, ``feedback`` and ``rule`` through ``main()`` on a real vault file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE, run_main

from profilekeeper.model import Retailer, Suggestion
from profilekeeper.store.vault import Vault

ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
pytestmark = pytest.mark.usefixtures("fast_kdf")


def ok(*args: str) -> str:
    result = run_main(*args, env=ENV)
    assert result.code == 0, result.err
    return result.out


def js(*args: str) -> Any:
    return json.loads(ok(*args, "--json"))


@pytest.fixture
def stored(vault_path: Path) -> Iterator[dict[str, Suggestion]]:
    """A vault with a city, a loved artist, Sam, and four suggestions from one shop."""
    ok("init")
    ok("profile", "set", "--city", "Lisbon")
    ok("interest", "add", "music", "Velvet Static", "--sentiment", "love")
    ok("person", "add", "Sam")
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        shop = vault.add(Retailer("Shop A", "https://a.example"))
        items = {s.title: s for s in (
            Suggestion(shop.id, "r1", "release", "Blue Nights", creators=["Velvet Static"],
                       category="music", details={"release_date": "2099-12-12"}),
            Suggestion(shop.id, "p1", "product", "Wool Socks", category="clothing",
                       tags=["wool"]),
            Suggestion(shop.id, "p2", "product", "Loud Record", creators=["Noise Co"],
                       category="music"),
            Suggestion(shop.id, "p3", "product", "Harry Potter", creators=["J. K. Rowling"],
                       category="books"),
        )}  # fmt: skip
        vault.add_all(items.values())
    yield items


def titles(rows: list[dict[str, Any]]) -> list[str]:
    return [r["title"] for r in rows]


def test_suggestions_show_each_with_its_reason(stored: dict[str, Suggestion]) -> None:
    rows = js("suggestions")
    assert titles(rows) == ["Blue Nights", "Wool Socks", "Loud Record", "Harry Potter"]
    first = rows[0]
    assert first["reason"] == "new album by Velvet Static, whom you love — out 12 Dec"
    assert first["creators"] == ["Velvet Static"] and first["kind"] == "release"
    assert first["shop"] == "Shop A" and first["id"] == stored["Blue Nights"].id
    assert js("suggestions", "--kind", "release") == [first]
    assert js("suggestions", "--person", "Sam") == []
    table = ok("suggestions")
    assert "Blue Nights" in table and "whom you love" in table


def test_a_rule_applies_at_once_and_can_be_removed(stored: dict[str, Suggestion]) -> None:
    assert ok("rule", "add", "hide", "category=clothing").startswith("Added rule ")
    assert ok("rule", "add", "hide", "category=Clothing").startswith("Updated rule ")
    ok("rule", "add", "bury", "creator=Noise Co", "--until", "2099-01-01")
    ok("rule", "add", "boost", "title=harry potter", "--person", "Sam", "--weight", "2")
    listed = js("rule", "list")
    assert [(r["action"], r["match"], r["person"]) for r in listed] == [
        ("bury", {"creator": "Noise Co"}, None), ("hide", {"category": "clothing"}, None),
        ("boost", {"title": "harry potter"}, "Sam"),
    ]
    assert "Wool Socks" not in titles(js("suggestions"))
    hidden = js("suggestions", "--hidden")
    assert [(r["title"], r["hidden_reason"]) for r in hidden] == [
        ("Wool Socks", "you blocked the category clothing")]
    assert hidden[0]["hidden_by"] == {"rule": listed[1]["id"]}
    assert titles(js("suggestions"))[-1] == "Loud Record"  # buried
    assert "Hidden: 1 (see them with --hidden)." in ok("suggestions")
    ok("rule", "remove", listed[1]["id"][:8])
    assert "Wool Socks" in titles(js("suggestions"))
    refused = run_main("rule", "add", "hide", "colour=red", env=ENV)
    assert refused.code == 2 and "a rule matches one of" in refused.err
    assert run_main("rule", "remove", "ffffffff", env=ENV).code == 4


def test_feedback_changes_the_profile_and_later_rankings(stored: dict[str, Suggestion],
                                                         vault_path: Path) -> None:  # fmt: skip
    ids = {t: s.id[:8] for t, s in stored.items()}
    assert titles(js("suggestions"))[1:] == ["Wool Socks", "Loud Record", "Harry Potter"]
    said = ok("feedback", ids["Harry Potter"], "like")
    assert said == "Noted: like. 1 interest(s) updated.\n"
    assert titles(js("suggestions"))[1] == "Harry Potter"  # learned: now above the others
    learned = [i for i in js("interest", "list") if i["source"] == "learned"]
    assert [(i["name"], i["sentiment"]) for i in learned] == [("J. K. Rowling", "like")]

    ok("feedback", ids["Loud Record"], "never_creator")
    assert "Loud Record" not in titles(js("suggestions"))
    assert ("Loud Record", "you never want Noise Co") in \
        [(r["title"], r["hidden_reason"]) for r in js("suggestions", "--hidden")]  # fmt: skip

    assert "Added 1 purchase." in ok("feedback", ids["Wool Socks"], "bought")
    assert js("purchase", "list")[0]["title"] == "Wool Socks"
    assert ("Wool Socks", "you bought it") in \
        [(r["title"], r["hidden_reason"]) for r in js("suggestions", "--hidden")]  # fmt: skip

    gift = ok("feedback", ids["Blue Nights"], "bought_as_gift", "--person", "Sam")
    assert "Added 1 gift." in gift and "interest" not in gift  # nothing learned for me
    assert [g["title"] for g in js("gift", "list", "--person", "Sam")] == ["Blue Nights"]
    refused = run_main("feedback", ids["Harry Potter"], "snooze", env=ENV)
    assert refused.code == 2 and "snooze needs a day" in refused.err
    ok("feedback", ids["Harry Potter"], "snooze", "--until", "2099-01-01")
    assert js("suggestions") == []
    assert run_main("feedback", "zzzz", "like", env=ENV).code == 4
