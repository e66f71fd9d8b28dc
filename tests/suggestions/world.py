"""A small shopper's world for the suggestion tests: one city, two shops, Sam with a budget and
a birthday, and helpers to make suggestions from those shops."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from profilekeeper.model import (
    Gift,
    Grant,
    Interest,
    Occasion,
    Person,
    Profile,
    Purchase,
    Retailer,
    Rule,
    Suggestion,
)
from profilekeeper.suggestions import Context, Result, build, run
from profilekeeper.sync.slices import person_ref

TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@dataclass
class World:
    profile: Profile = field(default_factory=lambda: Profile(display_name="Robin", city="Lisbon"))
    shop: Retailer = field(default_factory=lambda: Retailer("Shop A", "https://a.example"))
    other: Retailer = field(default_factory=lambda: Retailer("Shop B", "https://b.example"))
    sam: Person = field(default_factory=lambda: Person("Sam", budget=Decimal(30), currency="EUR"))
    interests: list[Interest] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    gifts: list[Gift] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)
    occasions: list[Occasion] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.occasions.append(Occasion("birthday", 12, 15, person_id=self.sam.id))

    def grants(self) -> list[Grant]:
        return [Grant(s.id, "people", since=NOW, person_id=self.sam.id)
                for s in (self.shop, self.other)]  # fmt: skip

    def context(self) -> Context:
        return build(profile=self.profile, interests=self.interests, rules=self.rules,
                     people=[self.sam], occasions=self.occasions, gifts=self.gifts,
                     purchases=self.purchases, shops=[self.shop, self.other],
                     grants=self.grants(), today=TODAY, now=NOW)  # fmt: skip

    def run(self, items: list[Suggestion]) -> Result:
        return run(items, self.context())

    def for_sam(self, shop: Retailer | None = None) -> str:
        return person_ref((shop or self.shop).ref_key, self.sam.id)

    def item(self, title: str, *, kind: str = "product", shop: Retailer | None = None,
             **kw: Any) -> Suggestion:  # fmt: skip
        shop = shop or self.shop
        return Suggestion(shop.id, kw.pop("remote_id", title), kind, title,
                          url=kw.pop("url", "https://a.example/x"), **kw)  # fmt: skip


def titles(ranked: list[Any]) -> list[str]:
    return [r.suggestion.title for r in ranked]


def hidden_why(result: Result) -> dict[str, str | None]:
    return {r.suggestion.title: r.hidden_reason for r in result.hidden}
