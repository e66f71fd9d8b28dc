"""The domain: plain dataclasses for everything a vault holds.

No storage, no UI, no HTTP here. The store seals every field except ``id`` and the fields named
in a class's ``CLEAR`` tuple (references between records), so those are the only values an
attacker holding the vault file can read; see docs/threat-model.md. ``Profile``, ``Person``,
``Occasion`` and ``Gift`` are defined in ``model_core`` (so ``remind`` defines only those) and
re-exported here: import every record from this module. The rules for the values they hold,
and the parsers for what people type, are in ``profilekeeper.validation`` and
``profilekeeper.parsing``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from profilekeeper.model_core import Gift as Gift
from profilekeeper.model_core import GiftStatus as GiftStatus
from profilekeeper.model_core import Occasion as Occasion
from profilekeeper.model_core import Person as Person
from profilekeeper.model_core import Profile as Profile
from profilekeeper.model_core import new_id as new_id
from profilekeeper.parsing import PartialDate as PartialDate
from profilekeeper.parsing import parse_lead_days as parse_lead_days
from profilekeeper.parsing import parse_money as parse_money
from profilekeeper.parsing import parse_partial_date as parse_partial_date


class Sentiment(StrEnum):
    LOVE = "love"
    LIKE = "like"
    DISLIKE = "dislike"
    NEVER = "never"


class Source(StrEnum):
    ENTERED = "entered"
    LEARNED = "learned"


class SuggestionStatus(StrEnum):
    NEW = "new"
    SHOWN = "shown"
    HIDDEN = "hidden"
    DISMISSED = "dismissed"
    SNOOZED = "snoozed"
    """Quiet until ``details["snoozed_until"]`` (an ISO date); shown again after it."""


class RuleAction(StrEnum):
    HIDE = "hide"
    BOOST = "boost"
    """Ranked higher, by ``weight``."""
    BURY = "bury"
    """Still shown, ranked lower by ``weight``."""


INTEREST_CATEGORIES = (
    "music", "artists", "genres", "films", "books", "authors", "hobbies", "brands", "food",
    "games", "sports", "travel", "other",
)  # fmt: skip
"""Suggested categories; any non-empty category is accepted."""


@dataclass(slots=True)
class Interest:
    """Something the owner (or one of their people) loves, likes, dislikes or never wants."""

    TABLE: ClassVar[str] = "interests"
    CLEAR: ClassVar[tuple[str, ...]] = ("person_id",)

    category: str
    name: str
    sentiment: Sentiment = Sentiment.LIKE
    source: Source = Source.ENTERED
    person_id: str | None = None
    """None for the owner's own interests."""
    weight: float = 0.0
    """Learned from feedback; 0 for entered interests."""
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class Purchase:
    """The owner's own purchase history (simple personalization the owner can see and manage)."""

    TABLE: ClassVar[str] = "purchases"
    CLEAR: ClassVar[tuple[str, ...]] = ()

    title: str
    on: date | None = None
    price: Decimal | None = None
    currency: str = ""
    retailer: str = ""
    category: str = ""
    creators: list[str] = field(default_factory=list)
    """Authors, artists, directors: what the ``purchases`` slice carries besides the title."""
    gift_for: str | None = None
    """Person id when this was a gift: it then says nothing about the owner's own taste."""
    personalize: bool = True
    """False: "don't use for personalization" (the one-off purchase problem)."""
    id: str = field(default_factory=new_id)


class ShopStatus(StrEnum):
    CONNECTED = "connected"
    FORGET_PENDING = "forget_pending"
    """Forgotten here; the shop has not confirmed yet, so the next sync asks again."""


class Activity(StrEnum):
    """What an activity record (``ShareRecord``) was: one exchange with a shop."""

    CONNECT = "connect"
    SHARE = "share"
    FETCH = "fetch"
    FEEDBACK = "feedback"
    FORGET = "forget"


class Outcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"
    """The shop (or the shopper's own minimum terms) said no."""
    UNREACHABLE = "unreachable"
    INVALID = "invalid"
    """The shop answered something that is not the protocol."""
    TOO_LARGE = "too_large"


class ReceiptStatus(StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    """A later share replaced it (every PUT is a full replacement)."""
    WITHDRAWN = "withdrawn"
    """The shop was forgotten."""
    EXPIRED = "expired"


def _secret() -> str:
    return os.urandom(32).hex()


@dataclass(slots=True)
class Retailer:
    """A shop linked through the sync protocol."""

    TABLE: ClassVar[str] = "retailers"
    CLEAR: ClassVar[tuple[str, ...]] = ()

    name: str
    base_url: str
    pseudonym: str = field(default_factory=new_id)
    """What this retailer knows the owner as; different for every retailer."""
    link_id: str = ""
    token: str = ""
    """Fallback copy of the bearer token for machines with no keyring ("" when it is there)."""
    token_in_keyring: bool = False
    terms: dict[str, Any] = field(default_factory=dict)
    """The terms of the link as the shop answered them (``LinkCreated.terms``): the agreement."""
    gpc: bool = False
    """``LinkCreated.gpc``: the shop confirmed Global Privacy Control for this link."""
    linked_at: datetime | None = None
    """``LinkCreated.created_at``."""
    shop_id: str = ""
    """The shop's own id (``retailer.id`` in its discovery document)."""
    discovery: dict[str, Any] = field(default_factory=dict)
    """The discovery document as last read: slices accepted, features, limits, terms."""
    ref_key: str = field(default_factory=_secret)
    """This shop's secret for ``people.<ref>`` refs, so two shops never get the same ref."""
    status: ShopStatus = ShopStatus.CONNECTED
    feedback_allowed: bool = False
    """Verdicts on suggestions are sent to this shop only when the owner allowed it."""
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class Grant:
    """One slice of the profile that a retailer may receive, from ``since`` until revoked.

    ``slice`` is the wire name (``interests.music``, ``location.city``…), except for a person:
    ``slice`` is ``people`` and ``person_id`` says who; the wire ref is derived per shop.
    """

    TABLE: ClassVar[str] = "grants"
    CLEAR: ClassVar[tuple[str, ...]] = ("retailer_id",)

    retailer_id: str
    slice: str
    since: datetime
    until: datetime | None = None
    revoked_at: datetime | None = None
    person_id: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class ShareRecord:
    """One exchange with a shop (the activity log): connect, share, fetch, feedback, forget.

    For a share it also keeps the exact bytes sent, the shop's echo and the consent receipt.
    ``retailer_id`` is not a reference that must resolve: the record outlives a forgotten shop,
    so ``shop_name`` keeps what to call it.
    """

    TABLE: ClassVar[str] = "share_records"
    CLEAR: ClassVar[tuple[str, ...]] = ("retailer_id",)

    retailer_id: str
    sent_at: datetime
    action: Activity = Activity.SHARE
    shop_name: str = ""
    outcome: Outcome = Outcome.OK
    reason: str = ""
    """Plain words for what happened: never a profile value, never unsanitized shop text."""
    slices: list[str] = field(default_factory=list)
    purpose: str = ""
    retention_days: int = 0
    receipt_id: str = ""
    receipt: dict[str, Any] = field(default_factory=dict)
    """The local consent receipt (Kantara-shaped superset of the protocol's receipt)."""
    receipt_status: ReceiptStatus | None = None
    payload: str = ""
    """The exact body sent, as text."""
    response: str = ""
    """The shop's answer (for a share: its echo of what it now holds)."""
    echo_matches: bool | None = None
    """After a share: does ``GET …/profile`` hold exactly what was sent? None: not checked."""
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class Suggestion:
    """Something a retailer suggested, and what the owner made of it."""

    TABLE: ClassVar[str] = "suggestions"
    CLEAR: ClassVar[tuple[str, ...]] = ("retailer_id",)

    retailer_id: str
    remote_id: str
    kind: str
    title: str
    creators: list[str] = field(default_factory=list)
    category: str = ""
    tags: list[str] = field(default_factory=list)
    price: Decimal | None = None
    currency: str = ""
    url: str = ""
    for_ref: str = "self"
    person_id: str | None = None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    """Kind-specific fields: event city and date, offer discount and expiry."""
    received_at: datetime | None = None
    status: SuggestionStatus = SuggestionStatus.NEW
    verdict: str | None = None
    hidden_reason: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class Rule:
    """A filter or boost the owner set for suggestions."""

    TABLE: ClassVar[str] = "rules"
    CLEAR: ClassVar[tuple[str, ...]] = ()

    action: RuleAction
    match: dict[str, str] = field(default_factory=dict)
    """Field → value, every one must hold, e.g. ``{"creator": "…"}``, ``{"category": "books"}``
    or ``{"price": ">50"}`` (fields and how they match: ``profilekeeper.suggestions.rules``)."""
    weight: float = 1.0
    person_id: str | None = None
    """Only for suggestions for this person (gift ideas); None: for everyone."""
    note: str = ""
    until: date | None = None
    """The last day the rule holds; None: until removed."""
    id: str = field(default_factory=new_id)


ENTITIES: tuple[type[Any], ...] = (
    Profile, Person, Interest, Occasion, Gift, Purchase,
    Retailer, Grant, ShareRecord, Suggestion, Rule,
)  # fmt: skip
"""Every stored record type, parents before children (the order export and import use)."""
