"""The sync protocol, version 1: every message a shopper's client and a retailer exchange.

These pydantic models are the contract. The reference server serves them as OpenAPI 3.1
(``docs/openapi.json``) and ``docs/protocol.md`` explains them in prose. Nothing here imports
textual, the vault or an HTTP library, so a retailer's own Python service can use it alone.

Routes (all JSON; errors ``application/problem+json``)::

    GET    /.well-known/profilekeeper        Discovery
    POST   /v1/links                         LinkRequest     -> LinkCreated (201) | 409 refusal
    PUT    /v1/links/{link_id}/profile       ProfilePut      -> ProfileView
    GET    /v1/links/{link_id}/profile                       -> ProfileView
    GET    /v1/links/{link_id}/suggestions   ?limit&cursor&kind -> SuggestionPage
    POST   /v1/links/{link_id}/feedback      FeedbackRequest -> FeedbackAccepted (202)
    DELETE /v1/links/{link_id}                               -> 204; afterwards 404 or 410
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

API_VERSION = "1"
BASE_PATH = "/v1"
DISCOVERY_PATH = "/.well-known/profilekeeper"
MAX_REQUEST_BYTES = 256 * 1024
"""No request body may be larger; servers answer 413 above it."""
MAX_PAGE_SIZE = 200
"""No suggestions page may hold more items; servers answer 422 to a larger ``limit``."""
DEFAULT_PAGE_SIZE = 50
PROBLEM_CONTENT_TYPE = "application/problem+json"

SuggestionKind = Literal["product", "release", "event", "offer"]
Sentiment = Literal["love", "like", "dislike", "never"]
Verdict = Literal["like", "not_for_me", "never_creator", "bought", "bought_as_gift"]
AgeBand = Literal[
    "0-2", "3-5", "6-9", "10-12", "13-17", "18-24", "25-34", "35-49", "50-64", "65+"
]  # fmt: skip

Token = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,128}$")]
"""Opaque identifiers chosen by one side: pseudonyms, receipt ids."""
Purpose = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
"""A use of the data, e.g. ``recommendations``, ``offers``, ``gift_ideas``, ``analytics``."""
PersonRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
"""A pseudonymous reference to someone the shopper buys for: never a real name."""
Money = Annotated[str, Field(pattern=r"^[0-9]{1,7}(\.[0-9]{1,2})?$", examples=["24.99"])]
"""A decimal amount as a string, so no float rounding sneaks in."""
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]

SLICE_NAME = re.compile(
    r"^(greeting|location\.city|purchases|occasions\.upcoming"
    r"|interests\.[a-z][a-z0-9_]{0,31}|people\.[a-z0-9][a-z0-9_-]{0,31})$"
)
"""Every slice name a client may send; ``interests.*`` and ``people.*`` are families."""
SLICE_FAMILIES = (
    "greeting", "interests.*", "location.city", "purchases", "people.*", "occasions.upcoming",
)  # fmt: skip


class _Wire(BaseModel):
    # Unknown fields are errors, so a typo never silently drops data the shopper meant to send.
    model_config = ConfigDict(extra="forbid")


# --- Discovery ------------------------------------------------------------------------------


class RetailerInfo(_Wire):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{0,62}$")]
    name: ShortText


class Terms(_Wire):
    """What the retailer promises to do with what it is sent."""

    retention_days: Annotated[int, Field(ge=1, le=3650)]
    """Slices are deleted this many days after they were put, at the latest."""
    purposes: Annotated[list[Purpose], Field(min_length=1, max_length=20)]
    resale: bool
    """True if the retailer sells profile data."""
    third_party_sharing: bool
    """True if the retailer passes profile data to anyone else."""
    privacy_policy_url: Annotated[str, Field(pattern=r"^https?://", max_length=2000)]


class Limits(_Wire):
    max_request_bytes: Annotated[int, Field(ge=1, le=MAX_REQUEST_BYTES)] = MAX_REQUEST_BYTES
    max_page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = MAX_PAGE_SIZE
    requests_per_minute: Annotated[int, Field(ge=1)]
    """Per bearer token; above it the server answers 429 with ``Retry-After``."""


class Discovery(_Wire):
    """``GET /.well-known/profilekeeper``: who the retailer is and what it promises."""

    protocol: Literal["profilekeeper-sync"] = "profilekeeper-sync"
    api_versions: Annotated[list[str], Field(min_length=1)]
    base_path: str = BASE_PATH
    retailer: RetailerInfo
    slices_accepted: list[str]
    """Slice names or families (``interests.*``, ``people.*``) the retailer will take."""
    suggestion_kinds: list[SuggestionKind]
    features: list[Literal["feedback"]] = []
    terms: Terms
    limits: Limits
    honours_gpc: bool = True
    """``Sec-GPC: 1`` on a request switches resale and third-party sharing off for its link."""


# --- Links ----------------------------------------------------------------------------------


class RequiredTerms(_Wire):
    """The least the shopper accepts; a retailer whose terms fall below it must refuse."""

    max_retention_days: Annotated[int, Field(ge=0, le=3650)]
    allowed_purposes: Annotated[list[Purpose], Field(max_length=20)]
    allow_resale: bool = False
    allow_third_party_sharing: bool = False


class LinkRequest(_Wire):
    pseudonym: Token
    """What this retailer will know the shopper as; a different one for every retailer."""
    required_terms: RequiredTerms


class LinkCreated(_Wire):
    link_id: str
    token: str
    """Bearer token for every route under the link; shown once, stored hashed by the server."""
    token_type: Literal["bearer"] = "bearer"
    terms: Terms
    """The terms that apply to this link (with ``Sec-GPC: 1``: no resale, no sharing)."""
    gpc: bool
    created_at: datetime


def unmet_terms(offered: Terms, required: RequiredTerms) -> list[str]:
    """Say, one reason per line, why ``offered`` falls below ``required``; empty if it does not.

    Args:
        offered: The retailer's terms (after any ``Sec-GPC`` adjustment).
        required: The shopper's minimum.
    """
    reasons = []
    if offered.retention_days > required.max_retention_days:
        reasons.append(
            f"retention of {offered.retention_days} days exceeds "
            f"the {required.max_retention_days} days allowed"
        )
    extra = sorted(set(offered.purposes) - set(required.allowed_purposes))
    if extra:
        reasons.append("purposes not allowed: " + ", ".join(extra))
    if offered.resale and not required.allow_resale:
        reasons.append("the retailer resells profile data")
    if offered.third_party_sharing and not required.allow_third_party_sharing:
        reasons.append("the retailer shares profile data with third parties")
    return reasons


def terms_under_gpc(terms: Terms) -> Terms:
    """The terms a link made with ``Sec-GPC: 1`` gets: no sale, no sharing."""
    return terms.model_copy(update={"resale": False, "third_party_sharing": False})


# --- Slices ---------------------------------------------------------------------------------


class GreetingSlice(_Wire):
    """``greeting``: first name only, the level left to a shopper who opted out."""

    first_name: Annotated[str, Field(min_length=1, max_length=40)]


class InterestItem(_Wire):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    """An artist, author, director, genre, title or tag, as the shopper wrote it."""
    sentiment: Sentiment
    """``never`` means: do not suggest anything by or about it at all."""


class InterestsSlice(_Wire):
    """``interests.<category>`` (music, films, books, ...): what the shopper likes and not."""

    items: Annotated[list[InterestItem], Field(max_length=500)]


class CitySlice(_Wire):
    """``location.city``: the city for concerts and events, no street, no postcode."""

    city: Annotated[str, Field(min_length=1, max_length=80)]
    country: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None


class PurchaseItem(_Wire):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    category: Annotated[str, Field(max_length=40)] = ""
    creators: Annotated[list[Annotated[str, Field(max_length=120)]], Field(max_length=20)] = []
    on: date | None = None


class PurchasesSlice(_Wire):
    """``purchases``: the shopper's own purchases; gifts and "don't personalize" ones left out."""

    items: Annotated[list[PurchaseItem], Field(max_length=1000)]


class PersonInterest(InterestItem):
    category: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class Budget(_Wire):
    amount: Money
    currency: Currency


class PersonSlice(_Wire):
    """``people.<ref>``: someone the shopper buys for, by pseudonymous ref; never a name."""

    relationship: Annotated[str, Field(max_length=40)] = ""
    age_band: AgeBand | None = None
    interests: Annotated[list[PersonInterest], Field(max_length=200)] = []
    budget: Budget | None = None


class UpcomingOccasion(_Wire):
    for_: Annotated[Literal["self"] | PersonRef, Field(alias="for")]
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", examples=["birthday"])]
    date: date
    """The next occurrence; never a birth year."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class UpcomingOccasionsSlice(_Wire):
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


def slice_model(name: str) -> type[_Wire]:
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


# --- Profile --------------------------------------------------------------------------------


class ConsentReceipt(_Wire):
    """The shopper's record of one share; the server stores it and echoes it back unchanged."""

    receipt_id: Token
    slices: Annotated[list[str], Field(max_length=200)]
    """Exactly the names of the slices in the same request."""
    purpose: Purpose
    retention_days: Annotated[int, Field(ge=1, le=3650)]
    issued_at: datetime


class ProfilePut(_Wire):
    """``PUT .../profile``: the complete set of slices; any slice not in it is deleted."""

    receipt: ConsentReceipt
    slices: Annotated[dict[str, SliceValue], Field(max_length=200)]

    @field_validator("slices", mode="before")
    @classmethod
    def _validate_each_slice_by_name(cls, value: Any) -> Any:
        # Several shapes look alike (``{"items": []}``); the name decides, not the shape.
        if not isinstance(value, dict):
            return value
        return {name: _slice_adapter(name).validate_python(raw) for name, raw in value.items()}


def _slice_adapter(name: str) -> TypeAdapter[Any]:
    return _ADAPTERS[slice_model(name)]


_ADAPTERS: dict[type[_Wire], TypeAdapter[Any]] = {
    model: TypeAdapter(model)
    for model in (
        GreetingSlice, InterestsSlice, CitySlice, PurchasesSlice, PersonSlice,
        UpcomingOccasionsSlice,
    )
}  # fmt: skip


class ProfileView(_Wire):
    """What the retailer holds for a link now: the slices, the receipt they came with, expiry."""

    link_id: str
    slices: dict[str, SliceValue]
    receipt: ConsentReceipt | None
    stored_at: datetime | None
    expires_at: datetime | None


# --- Suggestions ----------------------------------------------------------------------------


class _SuggestionBase(_Wire):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    id: Annotated[str, Field(min_length=1, max_length=200)]
    title: Annotated[str, Field(max_length=300)]
    creators: list[str] = []
    category: str
    tags: list[str] = []
    price: Money | None = None
    currency: Currency | None = None
    url: str
    for_: Annotated[str, Field(alias="for")] = "self"
    """``self``, or the ref of a ``people.<ref>`` slice the client sent (a gift idea)."""
    reason: Annotated[str, Field(max_length=500)]
    """One line saying why, e.g. "because you love Ada Lumen"."""


class ProductSuggestion(_SuggestionBase):
    kind: Literal["product"] = "product"


class ReleaseSuggestion(_SuggestionBase):
    kind: Literal["release"] = "release"
    release_date: date


class EventSuggestion(_SuggestionBase):
    kind: Literal["event"] = "event"
    city: str
    date: datetime
    venue: str = ""


class OfferSuggestion(_SuggestionBase):
    kind: Literal["offer"] = "offer"
    discount_percent: Annotated[int, Field(ge=1, le=100)]
    expires_at: datetime


Suggestion = Annotated[
    ProductSuggestion | ReleaseSuggestion | EventSuggestion | OfferSuggestion,
    Field(discriminator="kind"),
]


class SuggestionPage(_Wire):
    items: list[Suggestion]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; null on the last page."""


# --- Feedback -------------------------------------------------------------------------------


class VerdictItem(_Wire):
    suggestion_id: Annotated[str, Field(min_length=1, max_length=200)]
    verdict: Verdict


class FeedbackRequest(_Wire):
    verdicts: Annotated[list[VerdictItem], Field(min_length=1, max_length=MAX_PAGE_SIZE)]


class FeedbackAccepted(_Wire):
    accepted: int


# --- Errors ---------------------------------------------------------------------------------


class Problem(BaseModel):
    """RFC 9457 problem details, sent as ``application/problem+json`` with every error."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    unmet: list[str] | None = None
    """For a refused link: why the retailer's terms fall below the shopper's."""
