"""The shopper's client for one shop: discovery, the link, the profile, suggestions, forget.

``ShopClient`` speaks protocol v1 over its own ``httpx.AsyncClient`` (see shop_http.py for
timeouts, TLS, redirects, retries, the size cap). It knows nothing of Textual or the vault:
callers give it the exact bytes to put and the refs they sent, and record what it answers.
Every failure is a ``ShopError`` whose ``outcome`` and one-line message say what happened.
Clients share no state, so several shops sync at once; ``gather_shops`` runs such calls.

    async with ShopClient("https://shop.example") as shop:
        discovery = await shop.discover()
        created = await shop.create_link(pseudonym, required)   # the client keeps the token
        view = await shop.put_profile(created.link_id, outgoing.body)
        batch = await shop.suggestions(created.link_id, known_refs=outgoing.refs.values())
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from profilekeeper.sync.protocol import (
    API_VERSION,
    BASE_PATH,
    DISCOVERY_PATH,
    MAX_PAGE_SIZE,
    MAX_SUGGESTION_PAGES,
    AnySuggestion,
    Discovery,
    Dropped,
    FeedbackAccepted,
    FeedbackRequest,
    LinkCreated,
    LinkRequest,
    ParsedPage,
    ProfileView,
    RequiredTerms,
    VerdictItem,
    parse_suggestions,
    unmet_terms,
)
from profilekeeper.sync.protocol._parsing import validation_reason
from profilekeeper.sync.sanitize import clean_text
from profilekeeper.sync.shop_errors import (
    AnswerTooLarge,
    InvalidAnswer,
    LinkGone,
    ShopError,
    ShopRefused,
    ShopUnreachable,
    TermsNotMet,
)
from profilekeeper.sync.shop_http import Answer, ShopHttp, refusal

__all__ = [
    "AnswerTooLarge",
    "InvalidAnswer",
    "LinkGone",
    "ShopClient",
    "ShopError",
    "ShopRefused",
    "ShopUnreachable",
    "SuggestionBatch",
    "TermsNotMet",
    "gather_shops",
]

_BASE_PATH = re.compile(r"/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")
_LINK_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_M = TypeVar("_M", bound=BaseModel)
_K = TypeVar("_K", bound=Hashable)
_T = TypeVar("_T")


@dataclass(frozen=True)
class SuggestionBatch:
    """Every page of one fetch, item by item."""

    items: list[AnySuggestion]
    """The suggestions kept, best first, their text cleaned."""
    dropped: list[Dropped]
    """Items left out and why; ``index`` counts items from the first page of the walk."""
    pages: int
    """Pages fetched, counting a walk started again after a stale cursor."""
    truncated: bool = field(default=False)
    """True when the page cap stopped the walk before the shop's last page."""


class ShopClient:
    """One shop, over its own HTTP client. Use ``async with``, or call ``aclose()``."""

    def __init__(self, base_url: str, *, token: str | None = None, base_path: str = BASE_PATH,
                 timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None,
                 retries: int = 2, backoff: float = 0.25, max_retry_after: float = 30.0,
                 ) -> None:
        """
        Args:
            base_url: The shop's address, ``https://host[:port]`` (``http://`` only to this
                machine).
            token: The link's bearer token, if there is a link already.
            base_path: Where version 1 lives (discovery's ``base_path``; ``discover`` sets it).
            timeout: Seconds for each attempt of each request, whole.
            transport: An httpx transport, for tests; None for the real network.
            retries: How many times a failed request may be repeated where that is safe.
            backoff: Seconds before the first repeat; doubling after.
            max_retry_after: The longest ``Retry-After`` waited out; above it a 429 fails.

        Raises:
            InvalidInput: ``base_url`` is not an address the client will use.
        """
        self.token = token
        self.base_path = _checked_base_path(base_path)
        self.page_size: int | None = None
        """Discovery's ``max_page_size``, once ``discover`` has run."""
        self._http = ShopHttp(base_url, timeout=timeout, retries=retries, backoff=backoff,
                              max_retry_after=max_retry_after, transport=transport)

    async def __aenter__(self) -> ShopClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def discover(self) -> Discovery:
        """The shop's discovery document, checked: version 1, a plain base path, limits.

        The retailer's name comes back cleaned; ``base_path`` and ``page_size`` are adopted.
        """
        answer = await self._http.request("GET", DISCOVERY_PATH)
        if answer.status != 200:
            raise refusal(answer, link_route=False)
        discovery = _parsed(answer, Discovery, "discovery")
        if API_VERSION not in discovery.api_versions:
            raise InvalidAnswer(f"the shop does not speak protocol version {API_VERSION}")
        if not _plain_path(discovery.base_path):
            raise InvalidAnswer("the shop's base_path is not a plain path")
        self.base_path = discovery.base_path
        self.page_size = discovery.limits.max_page_size
        name = clean_text(discovery.retailer.name, limit=200) or discovery.retailer.id
        return discovery.model_copy(
            update={"retailer": discovery.retailer.model_copy(update={"name": name})})

    async def create_link(self, pseudonym: str, required: RequiredTerms) -> LinkCreated:
        """Link ``pseudonym`` on terms no worse than ``required``; sent once, never repeated.

        The client keeps the new token for the link's routes.

        Raises:
            TermsNotMet: the shop refused the terms (409/422 ``terms-not-met``), or made the
                link on terms below ``required`` (the link is then forgotten at once).
        """
        body = LinkRequest(pseudonym=pseudonym, required_terms=required)
        answer = await self._http.request("POST", f"{self.base_path}/links", repeat=False,
                                          content=body.model_dump_json().encode())
        if answer.status in (409, 422) and _is_terms_refusal(answer):
            problem = answer.problem()
            unmet = _cleaned_lines(problem.get("unmet")) or _cleaned_lines([problem.get("detail")])
            raise TermsNotMet("the shop will not link on the shopper's minimum terms"
                              + (f": {'; '.join(unmet)}"[:300] if unmet else ""),
                              answer.status, answer.problem_type(), unmet)
        if answer.status not in (200, 201):
            raise refusal(answer, link_route=False)
        created = _parsed(answer, LinkCreated, "link creation")
        unmet = unmet_terms(created.terms, required)
        if unmet:
            # A link on worse terms than asked is not one to keep: take it back now.
            self.token = created.token
            with contextlib.suppress(ShopError):
                await self.forget(created.link_id)
            self.token = None
            raise TermsNotMet("the shop made the link on terms below the shopper's minimum: "
                              + "; ".join(unmet), answer.status, None, unmet)
        self.token = created.token
        return created

    async def put_profile(self, link_id: str, body: bytes) -> ProfileView:
        """Send exactly ``body`` as the link's whole profile; the shop's answer is what it holds.

        Raises:
            LinkGone: 404/410. ShopRefused, InvalidAnswer, ...: as for any request.
        """
        answer = await self._link_request("PUT", link_id, "/profile", content=body)
        return _parsed(self._ok(answer, 200), ProfileView, "the profile answer")

    async def get_profile(self, link_id: str) -> ProfileView:
        """What the shop says it holds for the link now."""
        answer = await self._link_request("GET", link_id, "/profile")
        return _parsed(self._ok(answer, 200), ProfileView, "the profile answer")

    async def suggestions(self, link_id: str, *, known_refs: Collection[str],
                          kind: str | None = None, limit: int | None = None) -> SuggestionBatch:
        """Every page of suggestions (up to ``MAX_SUGGESTION_PAGES``), read item by item.

        A stale cursor (409) starts the walk again, once.

        Args:
            link_id: The link.
            known_refs: The ``people.<ref>`` refs sent to this shop: ``for`` must be one (or
                ``self``), or the item is dropped.
            kind: Only this kind (``product``, ``release``, ``event``, ``offer``).
            limit: Items a page; discovery's ``max_page_size`` (or 200) when None.

        Raises:
            InvalidAnswer: a page that is not one, or cursors that go round in a loop.
        """
        refs = frozenset(known_refs)
        first: dict[str, Any] = {"limit": limit or self.page_size or MAX_PAGE_SIZE}
        if kind:
            first["kind"] = kind
        pages = 0
        for attempt in range(2):
            items: list[AnySuggestion] = []
            dropped: list[Dropped] = []
            cursors: set[str] = set()
            cursor: str | None = None
            stale = False
            for _number in range(MAX_SUGGESTION_PAGES):
                params = {**first, "cursor": cursor} if cursor else first
                answer = await self._link_request("GET", link_id, "/suggestions", params=params)
                if answer.status == 409 and cursor is not None and attempt == 0:
                    stale = True  # the list changed under the walk: start again, once
                    break
                pages += 1
                page = _page(self._ok(answer, 200), refs, {item.id for item in items})
                offset = len(items) + len(dropped)  # every item so far was kept or dropped
                items += page.items
                dropped += [Dropped(offset + d.index, d.reason) for d in page.dropped]
                cursor = page.next_cursor
                if cursor is None:
                    break
                if cursor in cursors:
                    raise InvalidAnswer("the shop's suggestion cursors go round in a loop")
                cursors.add(cursor)
            if not stale:
                return SuggestionBatch(items, dropped, pages, truncated=cursor is not None)
        raise AssertionError("unreachable: a second stale cursor is refused by _ok")

    async def feedback(self, link_id: str, verdicts: Sequence[VerdictItem]) -> FeedbackAccepted:
        """Send verdicts on suggestions (nothing is sent for none)."""
        if not verdicts:
            return FeedbackAccepted(accepted=0)
        body = FeedbackRequest(verdicts=list(verdicts)).model_dump_json().encode()
        answer = await self._link_request("POST", link_id, "/feedback", content=body)
        return _parsed(self._ok(answer, 200, 202), FeedbackAccepted, "the feedback answer")

    async def forget(self, link_id: str) -> None:
        """Ask the shop to forget the link; 404 and 410 mean it is gone already, so done."""
        answer = await self._link_request("DELETE", link_id, "")
        if answer.status not in (200, 202, 204, 404, 410):
            raise refusal(answer, link_route=True)

    async def _link_request(self, method: str, link_id: str, suffix: str, **kwargs: Any
                            ) -> Answer:
        if not _LINK_ID.fullmatch(link_id):
            raise ValueError("a link id is letters, digits, '-' and '_'")
        return await self._http.request(method, f"{self.base_path}/links/{link_id}{suffix}",
                                        token=self.token, **kwargs)

    @staticmethod
    def _ok(answer: Answer, *statuses: int) -> Answer:
        if answer.status not in statuses:
            raise refusal(answer, link_route=True)
        return answer


async def gather_shops(calls: Mapping[_K, Callable[[], Awaitable[_T]]], *, at_once: int = 10
                       ) -> dict[_K, _T | ShopError]:
    """Run one call per shop concurrently, at most ``at_once`` at a time.

    Returns:
        Each key's result, or the ``ShopError`` its call raised: one shop failing never stops
        the others. Any other exception is a bug and propagates.
    """
    gate = asyncio.Semaphore(at_once)

    async def one(call: Callable[[], Awaitable[_T]]) -> _T | ShopError:
        async with gate:
            try:
                return await call()
            except ShopError as error:
                return error

    results = await asyncio.gather(*(one(call) for call in calls.values()))
    return dict(zip(calls, results, strict=True))


def _parsed(answer: Answer, model: type[_M], what: str) -> _M:
    try:
        return model.model_validate(answer.json())
    except ValidationError as error:
        raise InvalidAnswer(f"{what} does not match the protocol: "
                            f"{validation_reason(error)}") from None


def _page(answer: Answer, refs: frozenset[str], seen: set[str]) -> ParsedPage:
    try:
        return parse_suggestions(answer.json(), known_refs=refs, seen=seen)
    except ValueError as error:  # the messages are the parser's own words, no shop text
        raise InvalidAnswer(f"the shop's suggestions: {error}") from None


def _is_terms_refusal(answer: Answer) -> bool:
    kind = answer.problem_type() or ""
    return kind.endswith("terms-not-met") or isinstance(answer.problem().get("unmet"), list)


def _cleaned_lines(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    lines = (clean_text(line, limit=200) for line in value[:10] if isinstance(line, str))
    return [line for line in lines if line]


def _plain_path(path: str) -> bool:
    return bool(_BASE_PATH.fullmatch(path)) and not {".", ".."} & set(path.split("/"))


def _checked_base_path(path: str) -> str:
    if not _plain_path(path):
        raise ValueError("base_path must be a plain path such as /v1")
    return path
