"""People and their occasions, changed by the product's rules (as records.py changes the rest).

The same two steps as records.py: ``person_from`` / ``occasion_from`` take the values as typed;
``add_*`` / ``save_*`` / ``remove_*`` apply the rules between records (a name nobody else has,
one birthday and one anniversary a person, what becomes of a person's gifts) and write, each in
one write transaction (``vault.transaction()`` holds the write lock from its start), so what
they checked cannot change before they write. The vault only stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from profilekeeper.entered import entered
from profilekeeper.errors import Conflict, InvalidInput, NotFound
from profilekeeper.model import Gift, Occasion, Person
from profilekeeper.parsing import parse_lead_days, parse_money, parse_partial_date
from profilekeeper.services.typed import given, optional, parsed
from profilekeeper.validation import Refused

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

ONE_A_PERSON = {"birthday": "a birthday", "anniversary": "an anniversary"}
"""Occasion kinds a person has at most one of (and how a message names one)."""
GIFTS_ON_REMOVAL = ("refuse", "delete", "keep")
"""What removing a person does with their gift records (see ``remove_person_by_id``)."""


# -- people --------------------------------------------------------------------------------


def parse_sizes(text: str) -> dict[str, str]:
    """``shirt=M, shoes=42`` as ``{"shirt": "M", "shoes": "42"}``."""
    sizes: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise Refused("sizes", "write them like shirt=M, shoes=42", alone=True)
        sizes[key.strip()] = value.strip()
    return sizes


def sizes_text(sizes: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items())


def person_from(
    name: str | None = None, *, relationship: str | None = None, budget: str | None = None,
    currency: str | None = None, sizes: str | None = None, notes: str | None = None,
    lead: str | None = None, base: Person | None = None,
) -> Person:  # fmt: skip
    base = base or Person(name="")
    person = replace(
        base,
        name=given(name, base.name),
        relationship=given(relationship, base.relationship),
        budget=optional("budget", parse_money, budget, base.budget),
        currency=given(currency, base.currency).strip().upper(),
        sizes=base.sizes if sizes is None else parse_sizes(sizes),
        notes=given(notes, base.notes),
        lead_days=base.lead_days if lead is None else parsed("lead_days", parse_lead_days, lead),
    )
    return entered(person)


def find_person(vault: Vault, name: str) -> Person:
    """The person whose name matches ``name`` ignoring case and surrounding spaces."""
    wanted = name.strip().casefold()
    people = vault.list(Person)
    for person in people:
        if person.name.strip().casefold() == wanted:
            return person
    if people.corrupted:  # the one asked for may be among them: not "no person"
        raise people.corrupted[0]
    raise NotFound("no person by that name")


def find_person_id(vault: Vault, name: str | None) -> str | None:
    """The id of the person called ``name`` (None for the owner: no name)."""
    return None if name is None else find_person(vault, name).id


def _check_person_name(vault: Vault, person: Person) -> None:
    """A name is present, single-spaced, and nobody else's in any case (inside the caller's
    write transaction: a second writer waits at its start, then sees this one's name)."""
    person.name = " ".join(person.name.split())
    if not person.name:
        raise InvalidInput("a person needs a name")
    folded = person.name.casefold()
    if any(p.name.casefold() == folded and p.id != person.id for p in vault.list(Person)):
        raise Conflict("a person with that name exists already")


def add_person(vault: Vault, person: Person, occasions: Iterable[Occasion] = ()) -> Person:
    """Add ``person`` (a name not taken) with their ``occasions``, all or nothing."""
    with vault.transaction():
        _check_person_name(vault, person)
        vault.add(person)
        for occasion in occasions:
            add_occasion(vault, person.id, occasion)
    return person


def save_person(vault: Vault, person: Person) -> Person:
    """Save a person, new or changed, by the same name rule as ``add_person``."""
    with vault.transaction():
        _check_person_name(vault, person)
        return vault.save(person)


def remove_person(vault: Vault, name: str, gifts: str = "refuse") -> int:
    """Remove the person called ``name``; return how many gift records they had."""
    with vault.transaction():
        return remove_person_by_id(vault, find_person(vault, name).id, gifts)


def remove_person_by_id(vault: Vault, person_id: str, gifts: str = "refuse") -> int:
    """Remove a person with their interests and occasions; return how many gift records they
    had. ``gifts``: ``refuse`` (Conflict if there are any), ``delete`` them, or ``keep`` them
    tied to no one."""
    if gifts not in GIFTS_ON_REMOVAL:
        raise ValueError("gifts must be refuse, delete or keep")
    with vault.transaction():
        vault.get(Person, person_id)  # NotFound before anything changes
        theirs = vault.list(Gift, person_id=person_id)
        if theirs.corrupted and gifts == "keep":  # one that cannot be opened cannot be untied
            raise theirs.corrupted[0]
        count = len(theirs) + len(theirs.corrupted)
        if count and gifts == "refuse":
            raise Conflict("that person has gift records: choose to delete or keep them")
        if gifts == "keep":
            vault.save_all(replace(g, person_id=None, occasion_id=None) for g in theirs)
        else:  # unreadable ones too: they go by their reference, unopened
            vault.delete_where(Gift, person_id=person_id)
        vault.delete(Person, person_id)  # interests and occasions cascade
    return count


# -- occasions -----------------------------------------------------------------------------


def occasion_from(
    kind: str | None = None, when: str | None = None, *, lead: str | None = None,
    label: str | None = None, yearly: bool | None = None, base: Occasion | None = None,
) -> Occasion:  # fmt: skip
    """An occasion from its kind (any word: birthday, anniversary…), date (``YYYY-MM-DD`` or
    ``--MM-DD``) and lead days (``14,3``); not yet anyone's."""
    base = base or Occasion(kind="", month=1, day=1)
    if kind is not None:
        kind = kind.strip().lower()
        if not kind:
            raise InvalidInput("an occasion needs a kind, like birthday")
    month, day, year = (base.month, base.day, base.year) if when is None else \
        parsed("date", parse_partial_date, when)  # fmt: skip
    return entered(replace(
        base,
        kind=given(kind, base.kind),
        month=month, day=day, year=year,
        label=given(label, base.label),
        lead_days=base.lead_days if lead is None else parsed("lead_days", parse_lead_days, lead),
        yearly=base.yearly if yearly is None else yearly,
    ))  # fmt: skip


def _check_one_a_person(vault: Vault, occasion: Occasion) -> None:
    if occasion.kind in ONE_A_PERSON and occasion.person_id is not None and any(
        o.kind == occasion.kind and o.id != occasion.id
        for o in vault.list(Occasion, person_id=occasion.person_id)
    ):
        raise Conflict(f"that person has {ONE_A_PERSON[occasion.kind]} already; remove it first")


def add_occasion(vault: Vault, person_id: str, occasion: Occasion) -> Occasion:
    """Give the person ``occasion``: at most one birthday and one anniversary each."""
    occasion = replace(occasion, person_id=person_id)
    with vault.transaction():  # a second add meanwhile waits, then sees this one
        vault.get(Person, person_id)  # NotFound before anything changes
        _check_one_a_person(vault, occasion)
        return vault.add(occasion)


def save_occasion(vault: Vault, occasion: Occasion) -> Occasion:
    """Save an occasion, new or changed, by the same rule as ``add_occasion``."""
    with vault.transaction():
        _check_one_a_person(vault, occasion)
        return vault.save(occasion)


def occasions_of_kind(vault: Vault, person_id: str, kind: str) -> list[Occasion]:
    kind = kind.strip().lower()
    found = [o for o in vault.list(Occasion, person_id=person_id) if o.kind == kind]
    if not found:
        raise NotFound("that person has no occasion of that kind")
    return found


def set_person_lead(vault: Vault, name: str, lead: str) -> Person:
    """Give the person ``name`` default lead days (``14,3``; ``inherit``: none of their own)."""
    with vault.transaction():
        person = find_person(vault, name)
        return vault.save(person_from(lead=lead, base=person))


def set_occasion_lead(vault: Vault, name: str, kind: str, lead: str) -> list[Occasion]:
    """Set the lead days of the person's occasions of ``kind`` (``inherit``: their default)."""
    with vault.transaction():
        found = occasions_of_kind(vault, find_person(vault, name).id, kind)
        changed = [occasion_from(lead=lead, base=o) for o in found]
        vault.save_all(changed)
    return changed


def remove_occasions(vault: Vault, person_id: str, kind: str) -> int:
    """Remove the person's occasions of ``kind``; their gifts stay, untied from them."""
    with vault.transaction():
        found = occasions_of_kind(vault, person_id, kind)
        for occasion in found:
            remove_occasion(vault, occasion.id)
    return len(found)


def remove_occasion(vault: Vault, occasion_id: str) -> None:
    """Remove one occasion; gifts recorded for it stay, no longer tied to it."""
    with vault.transaction():
        gifts = vault.list(Gift, occasion_id=occasion_id)
        if gifts.corrupted:  # it could not be untied, and would stop the delete
            raise gifts.corrupted[0]
        vault.save_all(replace(g, occasion_id=None) for g in gifts)
        vault.delete(Occasion, occasion_id)
