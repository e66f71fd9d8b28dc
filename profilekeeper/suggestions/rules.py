"""The shopper's rules over suggestions: which fields a rule may match, and how.

A rule's ``match`` maps fields to values, and every one must hold:

- ``creator``, ``category``, ``tag``, ``kind``: the same, ignoring case and spacing;
- ``title``: the value's words appear in the title, one after another (``harry potter``);
- ``shop``: the shop's name (or id) as the shopper knows it;
- ``price``: a comparison, ``<30``, ``<=30``, ``>100``, ``>=100`` (an item with no price fails).

Actions: ``hide`` (hidden, with the rule as its reason), ``boost`` and ``bury`` (ranked up or
down by the rule's weight). A rule with ``until`` holds through that day; ``person_id`` limits it
to gift ideas for that person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from profilekeeper.errors import InvalidInput
from profilekeeper.model import Rule
from profilekeeper.suggestions.words import norm, words

FIELDS = ("creator", "category", "tag", "title", "shop", "kind", "price")
_PRICE = re.compile(r"(<=|>=|<|>)\s*(\d+(?:[.,]\d{1,2})?)")
_OPS = {"<": Decimal.__lt__, "<=": Decimal.__le__, ">": Decimal.__gt__, ">=": Decimal.__ge__}
_KINDS = ("product", "release", "event", "offer")


def check_match(match: Mapping[str, str]) -> dict[str, str]:
    """``match`` as a rule stores it (values' spacing folded), or InvalidInput saying why."""
    if not match:
        raise InvalidInput("a rule needs at least one field to match")
    checked: dict[str, str] = {}
    for name, value in match.items():
        value = " ".join(value.split())
        if name not in FIELDS:
            raise InvalidInput(f"a rule matches one of: {', '.join(FIELDS)}")
        if not value:
            raise InvalidInput(f"the rule's {name} needs a value")
        if name == "price" and not _PRICE.fullmatch(value):
            raise InvalidInput("a price is matched like <30, <=30, >100 or >=100")
        if name == "kind" and value.casefold() not in _KINDS:
            raise InvalidInput(f"a kind is one of: {', '.join(_KINDS)}")
        if name == "title" and not words(value):
            raise InvalidInput("the rule's title needs a word")
        checked[name] = value
    return checked


def in_force(rule: Rule, today: date) -> bool:
    return rule.until is None or rule.until >= today


def price_test(value: str) -> tuple[str, Decimal]:
    """The comparison a ``price`` value says: ``("<", Decimal("30"))``."""
    found = _PRICE.fullmatch(value.strip())
    if found is None:
        raise InvalidInput("a price is matched like <30, <=30, >100 or >=100")
    op, amount = found.groups()
    try:
        return op, Decimal(amount.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise InvalidInput("a price is matched like <30") from None


def price_holds(op: str, amount: Decimal, price: Decimal | None) -> bool:
    return price is not None and _OPS[op](price, amount)


def describe(rule: Rule) -> str:
    """The rule's condition in plain words: ``creator is Velvet Static and price >30``."""
    parts = []
    for name, value in rule.match.items():
        if name == "price":
            parts.append(f"price {value}")
        elif name == "title":
            parts.append(f"title has {value!r}")
        else:
            parts.append(f"{name} is {value}")
    return " and ".join(parts)


def hidden_reason(rule: Rule) -> str:
    """Why an item this rule hides is hidden, as the shopper set it."""
    if len(rule.match) == 1 and (name := next(iter(rule.match))) in ("category", "shop"):
        return f"you blocked the {name} {rule.match[name]}"
    return f"your rule: hide where {describe(rule)}"


def key(rule: Rule) -> tuple[str, tuple[tuple[str, str], ...], str | None]:
    """What makes two rules the same rule (the action, the match, the scope)."""
    return str(rule.action), tuple(sorted((k, norm(v)) for k, v in rule.match.items())), \
        rule.person_id  # fmt: skip
