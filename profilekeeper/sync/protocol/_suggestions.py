"""Suggestions, their pages, and feedback on them.

The bounds on every member are limits on what a shop may send (docs/protocol.md, "Limits on
suggestions"): the client drops an item that breaks one and keeps the rest of the page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from profilekeeper.sync.protocol._wire import (
    MAX_PAGE_SIZE,
    Currency,
    Money,
    PersonRef,
    Verdict,
    _Request,
    _Response,
)
from profilekeeper.sync.suggestion_limits import MAX_CATEGORY as MAX_CATEGORY
from profilekeeper.sync.suggestion_limits import MAX_CITY as MAX_CITY
from profilekeeper.sync.suggestion_limits import MAX_CREATOR as MAX_CREATOR
from profilekeeper.sync.suggestion_limits import MAX_CREATORS as MAX_CREATORS
from profilekeeper.sync.suggestion_limits import MAX_CURSOR as MAX_CURSOR
from profilekeeper.sync.suggestion_limits import MAX_ID as MAX_ID
from profilekeeper.sync.suggestion_limits import MAX_REASON as MAX_REASON
from profilekeeper.sync.suggestion_limits import MAX_TAG as MAX_TAG
from profilekeeper.sync.suggestion_limits import MAX_TAGS as MAX_TAGS
from profilekeeper.sync.suggestion_limits import MAX_TITLE as MAX_TITLE
from profilekeeper.sync.suggestion_limits import MAX_URL as MAX_URL
from profilekeeper.sync.suggestion_limits import MAX_VENUE as MAX_VENUE

SUGGESTION_URL = (
    r"^(https://[A-Za-z0-9.-]+(:[0-9]{1,5})?"
    r"|http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?)(/[\x21-\x7e]*)?$"
)
"""``https://`` only (``http://`` just to this machine, for tests); printable ASCII, no user."""


Creator = Annotated[str, Field(max_length=MAX_CREATOR)]
Tag = Annotated[str, Field(max_length=MAX_TAG)]


class _SuggestionBase(_Response):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)

    id: Annotated[str, Field(min_length=1, max_length=MAX_ID)]
    title: Annotated[str, Field(max_length=MAX_TITLE)]
    creators: Annotated[list[Creator], Field(max_length=MAX_CREATORS)] = []
    category: Annotated[str, Field(max_length=MAX_CATEGORY)]
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] = []
    price: Money | None = None
    currency: Currency | None = None
    url: Annotated[str, Field(pattern=SUGGESTION_URL, max_length=MAX_URL)]
    for_: Annotated[Literal["self"] | PersonRef, Field(alias="for")] = "self"
    """``self``, or the ref of a ``people.<ref>`` slice the client sent (a gift idea)."""
    reason: Annotated[str, Field(max_length=MAX_REASON)]
    """One line saying why, e.g. "because you love Ada Lumen"."""


class ProductSuggestion(_SuggestionBase):
    kind: Literal["product"] = "product"


class ReleaseSuggestion(_SuggestionBase):
    kind: Literal["release"] = "release"
    release_date: date


class EventSuggestion(_SuggestionBase):
    kind: Literal["event"] = "event"
    city: Annotated[str, Field(max_length=MAX_CITY)]
    date: datetime
    venue: Annotated[str, Field(max_length=MAX_VENUE)] = ""


class OfferSuggestion(_SuggestionBase):
    kind: Literal["offer"] = "offer"
    discount_percent: Annotated[int, Field(ge=1, le=100)]
    expires_at: datetime


Suggestion = Annotated[
    ProductSuggestion | ReleaseSuggestion | EventSuggestion | OfferSuggestion,
    Field(discriminator="kind"),
]
AnySuggestion = ProductSuggestion | ReleaseSuggestion | EventSuggestion | OfferSuggestion
SUGGESTION_MODELS: dict[str, type[_SuggestionBase]] = {
    "product": ProductSuggestion, "release": ReleaseSuggestion, "event": EventSuggestion,
    "offer": OfferSuggestion,
}  # fmt: skip


class SuggestionPage(_Response):
    """A whole page, every item valid; the client reads pages item by item instead."""

    items: Annotated[list[Suggestion], Field(max_length=MAX_PAGE_SIZE)]
    next_cursor: Annotated[str | None, Field(pattern=r"^[\x21-\x7e]+$", max_length=MAX_CURSOR)]
    """Pass as ``cursor`` for the next page; null on the last page."""


class VerdictItem(_Request):
    suggestion_id: Annotated[str, Field(min_length=1, max_length=MAX_ID)]
    verdict: Verdict


class FeedbackRequest(_Request):
    verdicts: Annotated[list[VerdictItem], Field(min_length=1, max_length=MAX_PAGE_SIZE)]


class FeedbackAccepted(_Response):
    accepted: int
