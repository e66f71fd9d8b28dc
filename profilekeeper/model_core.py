"""The records ``profilekeeper remind`` reads: the owner's profile, people, occasions, gifts.

They are part of the model and ``profilekeeper.model`` re-exports them: import them from there.
They live apart only so the reminder fast path, which imports this module alone, does not pay
for defining every other record type (``dataclass()`` costs ~0.5 ms a class, ~6 ms in all).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar


def new_id() -> str:
    """A random record id: unguessable, so ids reveal neither order nor count.

    32 hex digits, as ``uuid4().hex`` gave, without importing uuid (~5 ms with ``platform``).
    """
    return os.urandom(16).hex()


class GiftStatus(StrEnum):
    IDEA = "idea"
    BOUGHT = "bought"
    GIVEN = "given"
    RECEIVED = "received"
    """A gift the owner was given by the person: never counted as bought or given."""


@dataclass(slots=True)
class Profile:
    """The vault owner. There is exactly one, with id ``me``."""

    TABLE: ClassVar[str] = "profile"
    CLEAR: ClassVar[tuple[str, ...]] = ()

    id: str = "me"
    display_name: str = ""
    city: str = ""
    opted_in: bool | None = None
    """None until the first-visit question is answered; False means greeting only."""
    shipping: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Person:
    """Someone the owner buys gifts for."""

    TABLE: ClassVar[str] = "people"
    CLEAR: ClassVar[tuple[str, ...]] = ()

    name: str
    relationship: str = ""
    sizes: dict[str, str] = field(default_factory=dict)
    budget: Decimal | None = None
    currency: str = ""
    notes: str = ""
    contact_uid: str = ""
    """The vCard UID this person was imported from, so a re-import updates instead of adding."""
    lead_days: list[int] | None = None
    """Days before their occasions to remind; None: the owner's default (lead_times.py)."""
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class Occasion:
    """A person's yearly date (birthday, anniversary…) or a one-off one, with its reminders."""

    TABLE: ClassVar[str] = "occasions"
    CLEAR: ClassVar[tuple[str, ...]] = ("person_id",)

    kind: str
    month: int
    day: int
    year: int | None = None
    person_id: str | None = None
    label: str = ""
    lead_days: list[int] | None = None
    """Days before to remind (0: on the day); None: inherited, see lead_times.py."""
    yearly: bool = True
    reminder_state: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per year (``"2026"``): ``dismissed``, ``snoozed_until`` (ISO date), ``bought``, and
    ``notified`` (the lead points a hook has fired for, ``"14,3"``)."""
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class Gift:
    """A gift idea, or a gift bought or given, for a person and maybe one of their occasions; or
    a gift received from the person, with whether the thank-you note is done."""

    TABLE: ClassVar[str] = "gifts"
    CLEAR: ClassVar[tuple[str, ...]] = ("person_id", "occasion_id")

    title: str
    person_id: str | None = None
    """None once the person was deleted and the gift kept."""
    occasion_id: str | None = None
    status: GiftStatus = GiftStatus.IDEA
    price: Decimal | None = None
    currency: str = ""
    retailer: str = ""
    url: str = ""
    on: date | None = None
    """When it was bought, given or received."""
    notes: str = ""
    thanked: bool = False
    """For a gift received: the thank-you is done (False for every other status)."""
    id: str = field(default_factory=new_id)
