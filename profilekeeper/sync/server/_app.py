"""The reference retailer's HTTP routes: protocol version 1 over FastAPI.

Request order on a link route: the bearer token is looked up first, before the path, query and
body are judged (_auth.py); if it is not this link's, a forgotten link answers 410, an unknown
one 404, a live one (or a malformed id) 401. Then the token's rate (429), then the route itself.
"""


import asyncio
import contextlib
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from profilekeeper.sync.catalog import CatalogItem
from profilekeeper.sync.protocol import (
    API_VERSION,
    BASE_PATH,
    DEFAULT_PAGE_SIZE,
    DISCOVERY_PATH,
    MAX_PAGE_SIZE,
    PROBLEM_CONTENT_TYPE,
    SLICE_FAMILIES,
    ConsentReceipt,
    Discovery,
    FeedbackAccepted,
    FeedbackRequest,
    Limits,
    LinkCreated,
    LinkRequest,
    Problem,
    ProfilePut,
    ProfileView,
    RetailerInfo,
    SuggestionKind,
    SuggestionPage,
    Terms,
    slice_accepted,
    slice_model,
    terms_under_gpc,
    unmet_terms,
)
from profilekeeper.sync.recommender import IndexedCatalog, recommend
from profilekeeper.sync.server._auth import authenticated, check_token_first
from profilekeeper.sync.server._cursors import (
    as_of,
    decode_cursor,
    encode_cursor,
    list_version,
)
from profilekeeper.sync.server._limits import BodySizeLimit
from profilekeeper.sync.server._problems import ProblemError, install_problem_handlers
from profilekeeper.sync.server._rates import RateLimiter, address_key, token_key
from profilekeeper.sync.server._storage import LinkRow, RetailerStore, StoredProfile, moment

LINK_ID = r"^[0-9a-f]{32}$"
DEFAULT_TERMS = Terms(
    retention_days=90,
    purposes=["recommendations", "gift_ideas", "offers"],
    resale=False,
    third_party_sharing=False,
    privacy_policy_url="https://demo-retailer.invalid/privacy",
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServerSettings:
    """How a reference server presents itself and what it promises."""

    retailer_id: str = "demo-retailer"
    retailer_name: str = "Demo Retailer (profilekeeper reference server)"
    terms: Terms = field(default_factory=lambda: DEFAULT_TERMS.model_copy())
    slices_accepted: list[str] = field(default_factory=lambda: list(SLICE_FAMILIES))
    requests_per_minute: int = 600
    """Per bearer token, sustained; bursts of a sixth of it (at least 10) pass at once."""
    purge_interval_seconds: float = 60.0
    """How often expired slices are deleted in the background; reads never return them."""
    clock: Callable[[], datetime] = _utcnow
    worker_threads: int = 4
    """Threads running routes at once (FastAPI's default is 40)."""
    link_creations_per_minute: int = 60
    """Per client address: link creation needs no token, so it is limited by address."""
    link_creation_burst: int = 300


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": _WHY[code]} for code in codes}


_WHY = {
    400: "The body is not readable JSON",
    401: "No bearer token, or not this link's token",
    404: "No such link",
    409: "Terms cannot be met, or the cursor is stale",
    410: "The link was forgotten",
    413: "Request body over the limit",
    422: "The request does not match the protocol",
    429: "Over the rate limit (per token, or per address for link creation); see Retry-After",
}
_LINK_PROBLEMS = (401, 404, 410, 422, 429)


def create_app(
    store: RetailerStore,
    catalog: Sequence[CatalogItem],
    settings: ServerSettings | None = None,
) -> FastAPI:
    """Build the reference retailer as an ASGI app.

    Args:
        store: Where links, slices and receipts live.
        catalog: What the recommender chooses from.
        settings: Identity, terms and limits (defaults: the demo retailer).
    """
    settings = settings or ServerSettings()
    catalog = IndexedCatalog(catalog)  # once, not per request
    # In the database, so the limits hold however many workers and hosts serve it.
    limiter = RateLimiter(store, settings.requests_per_minute)
    link_limiter = RateLimiter(store, settings.link_creations_per_minute,
                               burst=settings.link_creation_burst)
    pages = _PageCache()
    bearer = HTTPBearer(auto_error=False, description="The token returned by link creation")

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Routes are CPU and SQLite bound: a few threads beat forty fighting over the GIL.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        task = asyncio.create_task(_purge_forever(store, settings))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="profilekeeper sync protocol",
        version=API_VERSION,
        summary="What a shop's API offers a shopper who keeps their own profile.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    check_token_first(app, store)
    app.add_middleware(BodySizeLimit)

    def current_link(
        request: Request,
        link_id: Annotated[str, Path(pattern=LINK_ID)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> LinkRow:
        link = authenticated(store, link_id, credentials.credentials if credentials else None)
        wait = limiter.acquire(token_key(link.token_hash))
        if wait:
            raise ProblemError(429, "rate-limited", "too many requests for this token",
                               headers={"Retry-After": str(max(1, round(wait)))})
        if _gpc(request) and not link.gpc:
            link.terms = terms_under_gpc(Terms.model_validate(link.terms)).model_dump()
            link.gpc = True
            store.mark_gpc(link.id, link.terms)
        return link

    Link = Annotated[LinkRow, Depends(current_link)]

    @app.get(DISCOVERY_PATH, response_model=Discovery, tags=["discovery"])
    def discovery() -> Discovery:
        """Who the retailer is, what it accepts and sends, and its terms."""
        return Discovery(
            api_versions=[API_VERSION],
            retailer=RetailerInfo(id=settings.retailer_id, name=settings.retailer_name),
            slices_accepted=settings.slices_accepted,
            suggestion_kinds=["product", "release", "event", "offer"],
            features=["feedback"],
            terms=settings.terms,
            limits=Limits(requests_per_minute=settings.requests_per_minute),
        )

    @app.get("/.well-known/gpc.json", include_in_schema=False)
    def gpc_support() -> dict[str, Any]:
        # The Global Privacy Control spec's own well-known resource.
        return {"gpc": True, "lastUpdate": "2026-11-23"}

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        # For load balancers: 200 only while the database answers (503 otherwise).
        if not store.ping():
            raise ProblemError(503, "database-unavailable", "the database does not answer")
        return {"status": "ok"}

    @app.post(f"{BASE_PATH}/links", status_code=201, response_model=LinkCreated, tags=["links"],
              responses=_problems(400, 409, 413, 422, 429))
    def create_link(body: LinkRequest, request: Request) -> LinkCreated:
        """Link a shopper's pseudonym; refused with 409 when the terms fall below theirs."""
        wait = link_limiter.acquire(address_key(request.client.host if request.client else ""))
        if wait:
            raise ProblemError(429, "rate-limited", "too many links created from this address",
                               headers={"Retry-After": str(max(1, round(wait)))})
        gpc = _gpc(request)
        terms = terms_under_gpc(settings.terms) if gpc else settings.terms
        unmet = unmet_terms(terms, body.required_terms)
        if unmet:
            raise ProblemError(409, "terms-not-met", "; ".join(unmet), unmet=unmet)
        now = settings.clock()
        link_id, token = store.create_link(body.pseudonym, terms.model_dump(), gpc, now)
        return LinkCreated(link_id=link_id, token=token, terms=terms, gpc=gpc, created_at=now)

    @app.put(f"{BASE_PATH}/links/{{link_id}}/profile", response_model=ProfileView,
             tags=["profile"], responses=_problems(*_LINK_PROBLEMS, 400, 413))
    def put_profile(body: ProfilePut, link: Link) -> ProfileView:
        """Replace the link's whole profile; a slice left out is deleted."""
        names = set(body.slices)
        if set(body.receipt.slices) != names:
            raise ProblemError(422, "receipt-mismatch",
                               "the receipt must list exactly the slices sent")
        # Which slices is not said: their names are the shopper's (``people.<ref>``).
        if any(not slice_accepted(name, settings.slices_accepted) for name in names):
            raise ProblemError(422, "slice-not-accepted",
                               "a slice sent is not among slices_accepted in discovery")
        terms = Terms.model_validate(link.terms)
        if body.receipt.purpose not in terms.purposes:
            raise ProblemError(422, "purpose-not-offered",
                               "the receipt's purpose is not one of this link's purposes")
        now = settings.clock()
        days = min(body.receipt.retention_days, terms.retention_days)
        stored = store.replace_profile(
            link.id,
            body.receipt.model_dump(mode="json"),
            {name: value.model_dump(mode="json") for name, value in body.slices.items()},
            now,
            now + timedelta(days=days),
        )
        return _profile_view(store, link.id, now, stored)

    @app.get(f"{BASE_PATH}/links/{{link_id}}/profile", response_model=ProfileView,
             tags=["profile"], responses=_problems(*_LINK_PROBLEMS))
    def get_profile(link: Link) -> ProfileView:
        """What the retailer holds for this link right now."""
        return _profile_view(store, link.id, settings.clock())

    @app.get(f"{BASE_PATH}/links/{{link_id}}/suggestions", response_model=SuggestionPage,
             tags=["suggestions"], responses=_problems(*_LINK_PROBLEMS, 409))
    def get_suggestions(
        link: Link,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        kind: SuggestionKind | None = None,
    ) -> SuggestionPage:
        """Suggestions for the link's current profile, best first, a page at a time."""
        now = settings.clock()
        stored = store.profile(link.id, now)
        feedback = store.feedback(link.id)

        def version_at(hour: datetime) -> str:
            return list_version(stored.receipt, stored.stored_at, feedback, kind, hour)

        # Recommended as of the hour the walk began, which the cursor carries along.
        offset, hour = decode_cursor(cursor, now, version_at) if cursor else (0, as_of(now))
        version = version_at(hour)

        def build() -> list[Any]:
            slices = _validated_slices(stored.slices)
            items = recommend(catalog, slices, hour, feedback)
            return [s for s in items if kind is None or s.kind == kind]

        items = pages.get((link.id, version), build)
        page = items[offset:offset + limit]
        more = offset + limit < len(items)
        cursor = encode_cursor(offset + limit, hour, version) if more else None
        return SuggestionPage(items=page, next_cursor=cursor)

    @app.post(f"{BASE_PATH}/links/{{link_id}}/feedback", status_code=202,
              response_model=FeedbackAccepted, tags=["suggestions"],
              responses=_problems(*_LINK_PROBLEMS, 400, 413))
    def post_feedback(body: FeedbackRequest, link: Link) -> FeedbackAccepted:
        """Verdicts on suggestions; later suggestions take them into account."""
        verdicts: dict[str, str] = {v.suggestion_id: v.verdict for v in body.verdicts}
        store.add_feedback(link.id, verdicts, settings.clock())
        return FeedbackAccepted(accepted=len(verdicts))

    @app.delete(f"{BASE_PATH}/links/{{link_id}}", status_code=204, response_class=Response,
                tags=["links"], responses=_problems(*_LINK_PROBLEMS))
    def forget_link(link: Link) -> Response:
        """Forget me: delete everything held for this link; it answers 410 from then on."""
        store.forget(link.id, settings.clock())
        return Response(status_code=204)

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _gpc(request: Request) -> bool:
    return request.headers.get("sec-gpc", "").strip() == "1"


def _validated_slices(raw: dict[str, dict[str, Any]]) -> dict[str, Any]:
    slices = {}
    for name, value in raw.items():
        with contextlib.suppress(ValueError):
            slices[name] = slice_model(name).model_validate(value)
    return slices


def _profile_view(store: RetailerStore, link_id: str, now: datetime,
                  stored: StoredProfile | None = None) -> ProfileView:
    """What the store holds for the link; ``stored`` if a write just said so (no re-read)."""
    stored = stored or store.profile(link_id, now)
    return ProfileView(
        link_id=link_id,
        slices=_validated_slices(stored.slices),
        receipt=ConsentReceipt.model_validate(stored.receipt) if stored.receipt else None,
        stored_at=moment(stored.stored_at),
        expires_at=moment(stored.expires_at),
    )


class _PageCache:
    """Recent suggestion lists by (link, version), so paging does not re-run the recommender."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._lists: OrderedDict[tuple[str, str], list[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], build: Callable[[], list[Any]]) -> list[Any]:
        with self._lock:
            if key in self._lists:
                self._lists.move_to_end(key)
                return self._lists[key]
        items = build()
        with self._lock:
            self._lists[key] = items
            while len(self._lists) > self.size:
                self._lists.popitem(last=False)
        return items


async def _purge_forever(store: RetailerStore, settings: ServerSettings) -> None:
    while True:
        await asyncio.to_thread(store.purge_expired, settings.clock())
        await asyncio.sleep(settings.purge_interval_seconds)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error typed as ``application/problem+json``."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                         description=_DESCRIPTION, routes=app.routes)
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema["paths"].values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "422" in responses:
                responses["422"]["description"] = _WHY[422]
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    response["content"] = problem
    for unused in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(unused, None)
    app.openapi_schema = schema
    return schema


_DESCRIPTION = (
    "Version 1 of the profilekeeper sync protocol, as served by the reference retailer. "
    "Errors are application/problem+json. Request bodies are limited to 256 KiB and pages "
    "to 200 items. `Sec-GPC: 1` turns resale and third-party sharing off for the link. "
    "See docs/protocol.md."
)


