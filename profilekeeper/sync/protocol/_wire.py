"""What every message stands on: constants, shared field types, strict and lenient bases."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

API_VERSION = "1"
BASE_PATH = "/v1"
DISCOVERY_PATH = "/.well-known/profilekeeper"
MAX_REQUEST_BYTES = 256 * 1024
"""No request body may be larger; servers answer 413 above it."""
MAX_PAGE_SIZE = 200
"""No suggestions page may hold more items; servers answer 422 to a larger ``limit``."""
DEFAULT_PAGE_SIZE = 50
PROBLEM_CONTENT_TYPE = "application/problem+json"
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
"""The client stops reading any answer (discovery, a profile, a page) past this many bytes."""
MAX_SUGGESTION_PAGES = 20
"""The client follows ``next_cursor`` at most this many pages in one fetch."""

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
Word = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
"""A lower-case name from a list that may grow (features, suggestion kinds)."""


class _Request(BaseModel):
    # Unknown fields are errors, so a typo never silently drops data the shopper meant to send.
    model_config = ConfigDict(extra="forbid")


class _Response(BaseModel):
    # Version 1 only ever gains optional members in answers: a client ignores what it lacks.
    model_config = ConfigDict(extra="ignore")


class Problem(BaseModel):
    """RFC 9457 problem details, sent as ``application/problem+json`` with every error."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    unmet: list[str] | None = None
    """For a refused link: why the retailer's terms fall below the shopper's."""
