"""The shopper's rules over suggestions: add, list, remove (what they mean:
``profilekeeper.suggestions.rules``). A rule takes effect on the next read of the suggestions,
with no sync: the pipeline runs over what is stored."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from profilekeeper.entered import entered
from profilekeeper.errors import InvalidInput, NotFound
from profilekeeper.model import Rule, RuleAction
from profilekeeper.services.typed import choice, day
from profilekeeper.suggestions.rules import check_match, key

if TYPE_CHECKING:
    from collections.abc import Sequence

    from profilekeeper.store.vault import Vault


def parse_match(pairs: Sequence[str]) -> dict[str, str]:
    """``["creator=Velvet Static", "price=>30"]`` as a rule's match."""
    match: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise InvalidInput("a match is written FIELD=VALUE, e.g. creator=\"Velvet Static\"")
        match[name.strip().lower()] = value
    return check_match(match)


def rule_from(action: str, match: Sequence[str], *, weight: str | None = None,
              until: str | None = None, note: str = "") -> Rule:  # fmt: skip
    """A rule as typed, checked before the vault is opened."""
    try:
        strength = 1.0 if weight is None else float(weight)
    except ValueError:
        raise InvalidInput("a weight is a number, like 2 or 0.5") from None
    if not 0 < strength <= 10:
        raise InvalidInput("a weight is more than 0 and at most 10")
    rule = Rule(choice("action", RuleAction, action, RuleAction.HIDE), parse_match(match),
                weight=strength, note=note, until=day(until, None))  # fmt: skip
    return entered(rule)


def rules(vault: Vault) -> list[Rule]:
    """Every rule, for everyone first, then by action and match."""
    return sorted(vault.list(Rule), key=lambda r: (r.person_id is not None, *map(str, key(r))))


def add_rule(vault: Vault, rule: Rule, person_id: str | None = None) -> tuple[Rule, bool]:
    """Add the rule (for ``person_id`` only, if given); the same rule again updates its weight,
    note and end instead. Returns it, and whether it is new."""
    rule = replace(rule, person_id=person_id)
    with vault.transaction():
        same = [r for r in vault.list(Rule) if key(r) == key(rule)]
        if same:
            return vault.save(replace(same[0], weight=rule.weight, note=rule.note,
                                      until=rule.until)), False  # fmt: skip
        return vault.save(rule), True


def find_rule(vault: Vault, text: str) -> Rule:
    """The rule whose id is ``text`` or starts with it (at least 4 characters)."""
    text = text.strip().lower()
    found = [r for r in vault.list(Rule)
             if r.id == text or (len(text) >= 4 and r.id.startswith(text))]  # fmt: skip
    if len(found) > 1:
        raise InvalidInput("more than one rule starts with that: give more of its id")
    if not found:
        raise NotFound("no such rule: see `profilekeeper rule list`")
    return found[0]


def remove_rule(vault: Vault, text: str) -> Rule:
    with vault.transaction():
        rule = find_rule(vault, text)
        vault.delete(Rule, rule.id)
    return rule
