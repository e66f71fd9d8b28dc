"""The reference retailer's HTTP routes: protocol version 1 over FastAPI.

Request order on a link route: the bearer token is looked up first, before the path, query and
body are judged (_auth.py); if it is not this link's, a forgotten link answers 410, an unknown
one 404, a live one (or a malformed id) 401. Then the token's rate (429), then the route itself.

The two routes a shopper's app calls most, PUT profile and GET suggestions, are answered by
_fast.py in front of FastAPI when the request is plainly well formed; it calls the same
``admit``, ``store_profile`` and ``suggestions`` as the routes here, which answer the rest.
"""


import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from profilekeeper.sync.catalog import CatalogItem
from profilekeeper.sync.protocol import (
    API_VERSION,
    BASE_PATH,
    DEFAULT_PAGE_SIZE,
    DISCOVERY_PATH,
    MAX_PAGE_SIZE,
    SLICE_FAMILIES,
    Discovery,
    FeedbackAccepted,
    FeedbackRequest,
    Limits,
    LinkCreated,
    LinkRequest,
    ProfilePut,
    ProfileView,
    RetailerInfo,
    SuggestionKind,
    SuggestionPage,
    Terms,
    slice_accepted,
    terms_under_gpc,
    unmet_terms,
)
from profilekeeper.sync.recommender import IndexedCatalog, rank
from profilekeeper.sync.server._auth import check_token_first, refusal, well_formed
from profilekeeper.sync.server._cursors import (
    as_of,
    decode_cursor,
    encode_cursor,
    list_version,
)
from profilekeeper.sync.server._fast import FastRoutes
from profilekeeper.sync.server._limits import BodySizeLimit
from profilekeeper.sync.server._openapi import LINK_PROBLEMS, openapi, problems
from profilekeeper.sync.server._pages import (
    PageCache,
    SuggestionList,
    profile_view,
    validated_slices,
)
from profilekeeper.sync.server._problems import ProblemError, install_problem_handlers
from profilekeeper.sync.server._rates import RateLimiter, address_key
from profilekeeper.sync.server._storage import Admission, LinkRow, RetailerStore

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
    pages = PageCache()
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

    def admit(request: Request, link_id: str, token: str | None,
              read: bool = False) -> Admission:
        """The start of every link route: the token (401/404/410), its rate (429), GPC; with
        ``read``, what the link holds, read in the same step."""
        if not token or not well_formed(link_id):
            raise refusal(store, link_id)
        admission = store.admit(link_id, token, limiter.params,
                                settings.clock() if read else None)
        link = admission.link
        if link is None:
            raise refusal(store, link_id)
        wait = limiter.wait(admission.rate, admission.tat, admission.allowed)
        if wait:
            raise ProblemError(429, "rate-limited", "too many requests for this token",
                               headers={"Retry-After": str(max(1, round(wait)))})
        if _gpc(request) and not link.gpc:
            link.terms = terms_under_gpc(Terms.model_validate(link.terms)).model_dump()
            link.gpc = True
            store.mark_gpc(link.id, link.terms)
        return admission

    def store_profile(body: ProfilePut, link: LinkRow) -> ProfileView:
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
        return profile_view(store, link.id, now, stored)

    def suggestions(link: LinkRow, limit: int, cursor: str | None, kind: SuggestionKind | None,
                    admission: Admission | None = None) -> SuggestionPage:
        """A page; ``admission`` may hold what the link holds, read as it was admitted."""
        if admission is not None and admission.held and admission.read_at:
            now, (stored, feedback) = admission.read_at, admission.held
        else:
            now = settings.clock()
            stored, feedback = store.reading(link.id, now)

        def version_at(hour: datetime) -> str:
            return list_version(stored.receipt, stored.stored_at, feedback, kind, hour)

        # Recommended as of the hour the walk began, which the cursor carries along.
        offset, hour = decode_cursor(cursor, now, version_at) if cursor else (0, as_of(now))
        version = version_at(hour)

        def build() -> SuggestionList:
            ranked = rank(catalog, validated_slices(stored.slices), hour, feedback)
            return SuggestionList([s for s in ranked if kind is None or s.kind == kind])

        items = pages.get((link.id, version), build)
        page = items.page(offset, limit)
        more = offset + limit < len(items)
        next_cursor = encode_cursor(offset + limit, hour, version) if more else None
        return SuggestionPage(items=page, next_cursor=next_cursor)

    app.add_middleware(FastRoutes, admit=admit, store_profile=store_profile,
                       suggestions=suggestions)
    app.add_middleware(BodySizeLimit)  # added last, so it is outside FastRoutes

    def current_link(
        request: Request,
        link_id: Annotated[str, Path(pattern=LINK_ID)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> LinkRow:
        token = credentials.credentials if credentials else None
        link = admit(request, link_id, token).link
        assert link is not None  # admit refuses otherwise
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
              responses=problems(400, 409, 413, 422, 429))
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
             tags=["profile"], responses=problems(*LINK_PROBLEMS, 400, 413))
    def put_profile(body: ProfilePut, link: Link) -> ProfileView:
        """Replace the link's whole profile; a slice left out is deleted."""
        return store_profile(body, link)

    @app.get(f"{BASE_PATH}/links/{{link_id}}/profile", response_model=ProfileView,
             tags=["profile"], responses=problems(*LINK_PROBLEMS))
    def get_profile(link: Link) -> ProfileView:
        """What the retailer holds for this link right now."""
        return profile_view(store, link.id, settings.clock())

    @app.get(f"{BASE_PATH}/links/{{link_id}}/suggestions", response_model=SuggestionPage,
             tags=["suggestions"], responses=problems(*LINK_PROBLEMS, 409))
    def get_suggestions(
        link: Link,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        kind: SuggestionKind | None = None,
    ) -> SuggestionPage:
        """Suggestions for the link's current profile, best first, a page at a time."""
        return suggestions(link, limit, cursor, kind)

    @app.post(f"{BASE_PATH}/links/{{link_id}}/feedback", status_code=202,
              response_model=FeedbackAccepted, tags=["suggestions"],
              responses=problems(*LINK_PROBLEMS, 400, 413))
    def post_feedback(body: FeedbackRequest, link: Link) -> FeedbackAccepted:
        """Verdicts on suggestions; later suggestions take them into account."""
        verdicts: dict[str, str] = {v.suggestion_id: v.verdict for v in body.verdicts}
        store.add_feedback(link.id, verdicts, settings.clock())
        return FeedbackAccepted(accepted=len(verdicts))

    @app.delete(f"{BASE_PATH}/links/{{link_id}}", status_code=204, response_class=Response,
                tags=["links"], responses=problems(*LINK_PROBLEMS))
    def forget_link(link: Link) -> Response:
        """Forget me: delete everything held for this link; it answers 410 from then on."""
        store.forget(link.id, settings.clock())
        return Response(status_code=204)

    app.openapi = lambda: openapi(app)  # type: ignore[method-assign]
    return app


def _gpc(request: Request) -> bool:
    return request.headers.get("sec-gpc", "").strip() == "1"


async def _purge_forever(store: RetailerStore, settings: ServerSettings) -> None:
    while True:
        await asyncio.to_thread(store.purge_expired, settings.clock())
        await asyncio.sleep(settings.purge_interval_seconds)
