"""Discovery, terms and links: who the retailer is, what it promises, and a shopper's link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from profilekeeper.sync.protocol._wire import (
    BASE_PATH,
    MAX_PAGE_SIZE,
    MAX_REQUEST_BYTES,
    Purpose,
    ShortText,
    Token,
    Word,
    _Request,
    _Response,
)


class RetailerInfo(_Response):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{0,62}$")]
    name: ShortText


class Terms(_Response):
    """What the retailer promises to do with what it is sent."""

    retention_days: Annotated[int, Field(ge=1, le=3650)]
    """Slices are deleted this many days after they were put, at the latest."""
    purposes: Annotated[list[Purpose], Field(min_length=1, max_length=20)]
    resale: bool
    """True if the retailer sells profile data."""
    third_party_sharing: bool
    """True if the retailer passes profile data to anyone else."""
    privacy_policy_url: Annotated[str, Field(pattern=r"^https?://[\x21-\x7e]+$",
                                             max_length=2000)]
    """Printable ASCII only: it is shown to the shopper."""


class Limits(_Response):
    max_request_bytes: Annotated[int, Field(ge=1, le=MAX_REQUEST_BYTES)] = MAX_REQUEST_BYTES
    max_page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = MAX_PAGE_SIZE
    requests_per_minute: Annotated[int, Field(ge=1)]
    """Per bearer token; above it the server answers 429 with ``Retry-After``."""


class Discovery(_Response):
    """``GET /.well-known/profilekeeper``: who the retailer is and what it promises."""

    protocol: Literal["profilekeeper-sync"] = "profilekeeper-sync"
    api_versions: Annotated[list[str], Field(min_length=1)]
    base_path: str = BASE_PATH
    retailer: RetailerInfo
    slices_accepted: list[str]
    """Slice names or families (``interests.*``, ``people.*``) the retailer will take."""
    suggestion_kinds: list[Word]
    """``product``, ``release``, ``event``, ``offer``; a kind the client lacks is skipped."""
    features: list[Word] = []
    """``feedback``; features the client does not know are ignored."""
    terms: Terms
    limits: Limits
    honours_gpc: bool = True
    """``Sec-GPC: 1`` on a request switches resale and third-party sharing off for its link."""


class RequiredTerms(_Request):
    """The least the shopper accepts; a retailer whose terms fall below it must refuse."""

    max_retention_days: Annotated[int, Field(ge=0, le=3650)]
    allowed_purposes: Annotated[list[Purpose], Field(max_length=20)]
    allow_resale: bool = False
    allow_third_party_sharing: bool = False


class LinkRequest(_Request):
    pseudonym: Token
    """What this retailer will know the shopper as; a different one for every retailer."""
    required_terms: RequiredTerms


class LinkCreated(_Response):
    link_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
    """Goes into every link route's path, so nothing that could change the path."""
    token: Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,1024}$")]
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
