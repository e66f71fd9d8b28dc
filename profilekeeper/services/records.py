"""Changing records the way every front end must: the rules live here, not in a screen or a
command (people and their occasions: services/people.py).

Two steps per record, so a command can refuse a bad value before it asks for the passphrase:
``*_from`` takes the values as typed (text from argv or a form's inputs; None for "not given",
which keeps the ``base`` record's value) and parses, validates and normalises them into a record
(validation.py's rules, nothing read from the vault); ``add_*`` / ``save_*`` apply the rules
between records (one interest of a name) and save, in one write
transaction, so what they checked cannot change before they write.

Messages are the rule alone, as the CLI prints them; a value that does not parse raises
validation's ``Refused`` with the rule alone, naming the field for a form to show it beside.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from profilekeeper.entered import entered
from profilekeeper.errors import InvalidInput, NotFound
from profilekeeper.model import Gift, GiftStatus, Interest, Profile, Purchase, Sentiment
from profilekeeper.services.people import occasions_of_kind
from profilekeeper.services.typed import choice, day, given, money
from profilekeeper.validation import Refused

if TYPE_CHECKING:
    from profilekeeper.store.record_io import Listing
    from profilekeeper.store.vault import Vault

LEAP_DAYS = ("feb28", "mar1")


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


def interests_of(vault: Vault, person_id: str | None) -> Listing[Interest]:
    """The person's interests (None: the owner's)."""
    return vault.list(Interest, person_id=person_id)


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
        theirs = interests_of(vault, interest.person_id)
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
        found = [i for i in interests_of(vault, person_id)
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
    thanked: bool | None = None, base: Gift | None = None,
) -> Gift:  # fmt: skip
    """A gift; ``thanked`` (kept from ``base`` when None) belongs to a gift received only: a
    gift no longer received drops it."""
    base = base or Gift(title="")
    kind = choice("status", GiftStatus, status, base.status)
    if thanked and kind != GiftStatus.RECEIVED:
        raise Refused("thanked", "only a gift received is thanked for", alone=True)
    return entered(replace(
        base,
        title=given(title, base.title),
        status=kind,
        price=money("price", price, base.price),
        currency=given(currency, base.currency).strip().upper(),
        retailer=given(retailer, base.retailer),
        on=day(on, base.on),
        thanked=(base.thanked if thanked is None else thanked) and kind == GiftStatus.RECEIVED,
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


def set_thanked(vault: Vault, gift_id: str, thanked: bool = True) -> Gift:
    """Mark the gift received with that id thanked for (or not, with False)."""
    with vault.transaction():
        gift = vault.get(Gift, gift_id)
        return vault.save(gift_from(thanked=thanked, base=gift))


def thank_for(vault: Vault, person_id: str, title: str, thanked: bool = True) -> list[Gift]:
    """Mark the gifts received from the person under ``title`` (ignoring case and spacing)
    thanked for, or not; NotFound when they gave none of that title."""
    wanted = " ".join(title.split()).casefold()
    with vault.transaction():
        found = [g for g in vault.list(Gift, person_id=person_id)
                 if g.status == GiftStatus.RECEIVED and g.title.casefold() == wanted]  # fmt: skip
        if not found:
            raise NotFound("no gift of that title received from them")
        changed = [replace(g, thanked=thanked) for g in found]
        vault.save_all(changed)
    return changed


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
        raise Refused("leap_day", f"leap day is one of {', '.join(LEAP_DAYS)}", alone=True)
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
