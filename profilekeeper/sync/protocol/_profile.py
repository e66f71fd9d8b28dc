"""Slices, the consent receipt, and the profile a shopper puts and reads back.

Slices and receipts are request shapes: strict, an unknown member is an error. When a server
echoes them in a ``ProfileView`` they are read leniently, as every answer is.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter, field_validator

from profilekeeper.sync.protocol._wire import (
    AgeBand,
    Currency,
    Money,
    PersonRef,
    Purpose,
    Sentiment,
    Token,
    _Request,
    _Response,
)

SLICE_NAME = re.compile(
    r"^(greeting|location\.city|purchases|occasions\.upcoming"
    r"|interests\.[a-z][a-z0-9_]{0,31}|people\.[a-z0-9][a-z0-9_-]{0,31})$"
)
"""Every slice name a client may send; ``interests.*`` and ``people.*`` are families."""
SLICE_FAMILIES = (
    "greeting", "interests.*", "location.city", "purchases", "people.*", "occasions.upcoming",
)  # fmt: skip


class GreetingSlice(_Request):
    """``greeting``: first name only, the level left to a shopper who opted out."""

    first_name: Annotated[str, Field(min_length=1, max_length=40)]


class InterestItem(_Request):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    """An artist, author, director, genre, title or tag, as the shopper wrote it."""
    sentiment: Sentiment
    """``never`` means: do not suggest anything by or about it at all."""


class InterestsSlice(_Request):
    """``interests.<category>`` (music, films, books, ...): what the shopper likes and not."""

    items: Annotated[list[InterestItem], Field(max_length=500)]


class CitySlice(_Request):
    """``location.city``: the city for concerts and events, no street, no postcode."""

    city: Annotated[str, Field(min_length=1, max_length=80)]
    country: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None


class PurchaseItem(_Request):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    category: Annotated[str, Field(max_length=40)] = ""
    creators: Annotated[list[Annotated[str, Field(max_length=120)]], Field(max_length=20)] = []
    on: date | None = None


class PurchasesSlice(_Request):
    """``purchases``: the shopper's own purchases; gifts and "don't personalize" ones left out."""

    items: Annotated[list[PurchaseItem], Field(max_length=1000)]


class PersonInterest(InterestItem):
    category: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class Budget(_Request):
    amount: Money
    currency: Currency


class PersonSlice(_Request):
    """``people.<ref>``: someone the shopper buys for, by pseudonymous ref; never a name."""

    relationship: Annotated[str, Field(max_length=40)] = ""
    age_band: AgeBand | None = None
    interests: Annotated[list[PersonInterest], Field(max_length=200)] = []
    budget: Budget | None = None


class UpcomingOccasion(_Request):
    for_: Annotated[Literal["self"] | PersonRef, Field(alias="for")]
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", examples=["birthday"])]
    date: date
    """The next occurrence; never a birth year."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class UpcomingOccasionsSlice(_Request):
    """``occasions.upcoming``: dates in the next ``horizon_days`` days."""

    horizon_days: Annotated[int, Field(ge=1, le=366)] = 60
    items: Annotated[list[UpcomingOccasion], Field(max_length=200)]


SliceValue = (
    GreetingSlice
    | InterestsSlice
    | CitySlice
    | PurchasesSlice
    | PersonSlice
    | UpcomingOccasionsSlice
)


def slice_model(name: str) -> type[_Request]:
    """The model a slice called ``name`` must match.

    Raises:
        ValueError: ``name`` is not a slice of protocol version 1.
    """
    if not SLICE_NAME.match(name):
        raise ValueError(f"unknown slice name {name[:60]!r}")
    family = name.split(".", 1)[0]
    if name == "greeting":
        return GreetingSlice
    if name == "location.city":
        return CitySlice
    if name == "purchases":
        return PurchasesSlice
    if name == "occasions.upcoming":
        return UpcomingOccasionsSlice
    return InterestsSlice if family == "interests" else PersonSlice


def slice_accepted(name: str, accepted: list[str]) -> bool:
    """True if ``name`` is listed in ``accepted``, directly or through its ``family.*``."""
    return name in accepted or f"{name.split('.', 1)[0]}.*" in accepted


class ConsentReceipt(_Request):
    """The shopper's record of one share; the server stores it and echoes it back unchanged."""

    receipt_id: Token
    slices: Annotated[list[str], Field(max_length=200)]
    """Exactly the names of the slices in the same request."""
    purpose: Purpose
    retention_days: Annotated[int, Field(ge=1, le=3650)]
    issued_at: datetime


def _slices_by_name(value: Any, *, lenient: bool) -> Any:
    # Several shapes look alike (``{"items": []}``); the name decides, not the shape.
    if not isinstance(value, dict):
        return value
    return {name: _ADAPTERS[slice_model(name)].validate_python(
                raw, extra="ignore" if lenient else None)
            for name, raw in value.items()}


class ProfilePut(_Request):
    """``PUT .../profile``: the complete set of slices; any slice not in it is deleted."""

    receipt: ConsentReceipt
    slices: Annotated[dict[str, SliceValue], Field(max_length=200)]

    @field_validator("slices", mode="before")
    @classmethod
    def _validate_each_slice_by_name(cls, value: Any) -> Any:
        return _slices_by_name(value, lenient=False)


_ADAPTERS: dict[type[_Request], TypeAdapter[Any]] = {
    model: TypeAdapter(model)
    for model in (
        GreetingSlice, InterestsSlice, CitySlice, PurchasesSlice, PersonSlice,
        UpcomingOccasionsSlice,
    )
}  # fmt: skip


class ProfileView(_Response):
    """What the retailer holds for a link now: the slices, the receipt they came with, expiry."""

    link_id: str
    slices: dict[str, SliceValue]
    receipt: ConsentReceipt | None
    stored_at: datetime | None
    expires_at: datetime | None

    @field_validator("slices", mode="before")
    @classmethod
    def _read_each_slice_by_name(cls, value: Any) -> Any:
        return _slices_by_name(value, lenient=True)

    @field_validator("receipt", mode="before")
    @classmethod
    def _read_receipt_leniently(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return ConsentReceipt.model_validate(value, extra="ignore")
        return value
