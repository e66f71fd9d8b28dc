"""Changing records the way every front end must: the rules live here, not in a screen or a
command.

Two steps per record, so a command can refuse a bad value before it asks for the passphrase:
``*_from`` takes the values as typed (text from argv or a form's inputs; None for "not given",
which keeps the ``base`` record's value) and parses, validates and normalises them into a record
(validation.py's rules, nothing read from the vault); ``add_*`` / ``save_*`` apply the rules
between records (one birthday a person, one interest of a name) and save, in one write
transaction, so what they checked cannot change before they write.

Messages are the rule alone, as the CLI prints them; a value that does not parse raises
``Unparsed``, which also names the field, for a form to show it beside the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from profilekeeper.errors import Conflict, InvalidInput, NotFound
from profilekeeper.model import (
    Gift,
    GiftStatus,
    Interest,
    Occasion,
    Person,
    Profile,
    Purchase,
    Sentiment,
)
from profilekeeper.services.typed import (
    Unparsed,
    choice,
    day,
    given,
    money,
    optional,
    parsed,
)
from profilekeeper.validation import (
    entered,
    parse_lead_days,
    parse_money,
    parse_partial_date,
)

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

ONE_A_PERSON = {"birthday": "a birthday", "anniversary": "an anniversary"}
"""Occasion kinds a person has at most one of (and how a message names one)."""
LEAP_DAYS = ("feb28", "mar1")


# -- people --------------------------------------------------------------------------------


def parse_sizes(text: str) -> dict[str, str]:
    """``shirt=M, shoes=42`` as ``{"shirt": "M", "shoes": "42"}``."""
    sizes: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise Unparsed("sizes", "write them like shirt=M, shoes=42")
        sizes[key.strip()] = value.strip()
    return sizes


def sizes_text(sizes: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items())


def person_from(
    name: str | None = None, *, relationship: str | None = None, budget: str | None = None,
    currency: str | None = None, sizes: str | None = None, notes: str | None = None,
    base: Person | None = None,
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
    )
    return entered(person)


def add_person(vault: Vault, person: Person, occasions: Iterable[Occasion] = ()) -> Person:
    """Add ``person`` (a name not taken) with their ``occasions``, all or nothing."""
    with vault.transaction():
        vault.add_person(person)
        for occasion in occasions:
            add_occasion(vault, person.id, occasion)
    return person


def save_person(vault: Vault, person: Person) -> Person:
    return vault.save_person(person)


def remove_person(vault: Vault, name: str, gifts: str = "refuse") -> int:
    """Remove the person called ``name``; return how many gift records they had."""
    with vault.transaction():
        return remove_person_by_id(vault, vault.find_person(name).id, gifts)


def remove_person_by_id(vault: Vault, person_id: str, gifts: str = "refuse") -> int:
    """Remove a person with their interests and occasions; return how many gift records they
    had. ``gifts``: ``refuse`` (Conflict if there are any), ``delete`` them, or ``keep`` them
    tied to no one."""
    return vault.remove_person(person_id, gifts=gifts)


def find_person_id(vault: Vault, name: str | None) -> str | None:
    """The id of the person called ``name`` (None for the owner: no name)."""
    return None if name is None else vault.find_person(name).id


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


def remove_occasions(vault: Vault, person_id: str, kind: str) -> int:
    """Remove the person's occasions of ``kind``; their gifts stay, untied from them."""
    with vault.transaction():
        found = occasions_of_kind(vault, person_id, kind)
        for occasion in found:
            remove_occasion(vault, occasion.id)
    return len(found)


def remove_occasion(vault: Vault, occasion_id: str) -> None:
    """Remove one occasion; gifts recorded for it stay, no longer tied to it."""
    vault.remove_occasion(occasion_id)


# -- interests -----------------------------------------------------------------------------


def _interest_key(category: str, name: str) -> tuple[str, str]:
    """What makes two interests one: the category and name, ignoring case and spacing."""
    return " ".join(category.split()).lower(), " ".join(name.split()).casefold()


def interest_from(
    category: str | None = None, name: str | None = None, *, sentiment: str | None = None,
    base: Interest | None = None,
) -> Interest:  # fmt: skip
    base = base or Interest(category="", name="")
    category = " ".join(given(category, base.category).split()).lower()
    name = " ".join(given(name, base.name).split())
    if not category or not name:
        raise InvalidInput("an interest needs a category and a name")
    return entered(replace(base, category=category, name=name,
                           sentiment=choice("sentiment", Sentiment, sentiment, base.sentiment)))


def add_interest(vault: Vault, interest: Interest, person_id: str | None) -> tuple[Interest, bool]:
    """Add an interest of the person's (None: the owner's), or change the sentiment of the one
    they have of that category and name; return it, and whether it is new."""
    return _merge_interest(vault, replace(interest, person_id=person_id))


def save_interest(vault: Vault, interest: Interest) -> Interest:
    """Save a changed interest; renamed onto another of theirs, the two become one."""
    return _merge_interest(vault, interest)[0]


def _merge_interest(vault: Vault, interest: Interest) -> tuple[Interest, bool]:
    key = _interest_key(interest.category, interest.name)
    with vault.transaction():
        theirs = vault.interests_of(interest.person_id)
        same = [i for i in theirs
                if i.id != interest.id and _interest_key(i.category, i.name) == key]  # fmt: skip
        if not same:
            return vault.save(interest), True
        if any(i.id == interest.id for i in theirs):
            vault.delete(Interest, interest.id)  # an edit made it a copy of another: one stays
        return vault.save(replace(same[0], sentiment=interest.sentiment)), False


def remove_interest(vault: Vault, category: str, name: str, person_id: str | None) -> int:
    key = _interest_key(category, name)
    with vault.transaction():
        found = [i for i in vault.interests_of(person_id)
                 if _interest_key(i.category, i.name) == key]  # fmt: skip
        if not found:
            raise NotFound("no such interest")
        for interest in found:
            vault.delete(Interest, interest.id)
    return len(found)


def remove_interest_by_id(vault: Vault, interest_id: str) -> int:
    """Remove the interest with that id as ``remove_interest`` removes it by its category and
    name (with any copy of it the person has: they are one); return how many went."""
    with vault.transaction():
        interest = vault.get(Interest, interest_id)  # NotFound before anything changes
        return remove_interest(vault, interest.category, interest.name, interest.person_id)


# -- gifts and purchases -------------------------------------------------------------------


def gift_from(
    title: str | None = None, *, status: str | None = None, price: str | None = None,
    currency: str | None = None, retailer: str | None = None, on: str | None = None,
    base: Gift | None = None,
) -> Gift:  # fmt: skip
    base = base or Gift(title="")
    return entered(replace(
        base,
        title=given(title, base.title),
        status=choice("status", GiftStatus, status, base.status),
        price=money("price", price, base.price),
        currency=given(currency, base.currency).strip().upper(),
        retailer=given(retailer, base.retailer),
        on=day(on, base.on),
    ))  # fmt: skip


def add_gift(vault: Vault, gift: Gift, person_id: str, occasion_kind: str | None = None) -> Gift:
    """Record a gift for the person, for their occasion of ``occasion_kind`` if given."""
    with vault.transaction():
        occasion_id = gift.occasion_id
        if occasion_kind:
            occasion_id = occasions_of_kind(vault, person_id, occasion_kind)[0].id
        return vault.save(replace(gift, person_id=person_id, occasion_id=occasion_id))


def save_gift(vault: Vault, gift: Gift) -> Gift:
    return vault.save(gift)


def remove_gift(vault: Vault, gift_id: str) -> None:
    """Remove one gift record (NotFound if there is none with that id)."""
    vault.delete(Gift, gift_id)


def purchase_from(
    title: str | None = None, *, on: str | None = None, price: str | None = None,
    currency: str | None = None, retailer: str | None = None, category: str | None = None,
    base: Purchase | None = None,
) -> Purchase:  # fmt: skip
    """A purchase of the owner's; its category is kept lower-case (``books``, ``music``)."""
    base = base or Purchase(title="")
    return entered(replace(
        base,
        title=given(title, base.title),
        on=day(on, base.on),
        price=money("price", price, base.price),
        currency=given(currency, base.currency).strip().upper(),
        retailer=given(retailer, base.retailer),
        category=given(category, base.category).lower(),
    ))  # fmt: skip


def add_purchase(
    vault: Vault, purchase: Purchase, *, gift_for: str | None = None, personalize: bool = True
) -> Purchase:
    """Record a purchase; one that was a gift (for ``gift_for``) never personalizes."""
    return vault.add(replace(purchase, gift_for=gift_for,
                             personalize=personalize and gift_for is None))


def save_purchase(vault: Vault, purchase: Purchase) -> Purchase:
    return vault.save(purchase)


def remove_purchase(vault: Vault, purchase_id: str) -> None:
    """Remove one purchase (NotFound if there is none with that id)."""
    vault.delete(Purchase, purchase_id)


def mark_purchase_as_gift(vault: Vault, purchase_id: str, person_id: str | None) -> Purchase:
    """Record that a purchase was a gift (or undo it with None); gifts never personalize."""
    purchase = vault.get(Purchase, purchase_id)
    return vault.save(replace(purchase, gift_for=person_id))


def toggle_personalize(vault: Vault, purchase_id: str) -> Purchase:
    purchase = vault.get(Purchase, purchase_id)
    return vault.save(replace(purchase, personalize=not purchase.personalize))


# -- the owner's profile -------------------------------------------------------------------


def set_profile(
    vault: Vault, *, name: str | None = None, city: str | None = None,
    opted_in: bool | None = None, leap_day: str | None = None, address: str | None = None,
    delivery: str | None = None,
) -> Profile:  # fmt: skip
    """Change the given parts of the owner's profile (None leaves a part as it is)."""
    if leap_day is not None and leap_day not in LEAP_DAYS:
        raise Unparsed("leap_day", f"leap day is one of {', '.join(LEAP_DAYS)}")
    with vault.transaction():
        profile = vault.profile()
        shipping = dict(profile.shipping)
        for key, value in (("address", address), ("preference", delivery)):
            if value is not None:
                shipping[key] = value
        settings = profile.settings if leap_day is None else \
            {**profile.settings, "leap_day": leap_day}  # fmt: skip
        changed = replace(
            profile,
            display_name=given(name, profile.display_name),
            city=given(city, profile.city),
            opted_in=profile.opted_in if opted_in is None else opted_in,
            shipping={k: v for k, v in shipping.items() if v.strip()},
            settings=settings,
        )
        return vault.save(entered(changed))
