"""Shops for the sharing tests: the reference server as a real uvicorn on 127.0.0.1 (with
terms of one's choosing), one that refuses every link with its own 409, and a vault with a
profile worth sharing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from profilekeeper.model import Interest, Occasion, Person, Profile, Sentiment
from profilekeeper.sync.catalog import load_catalog
from profilekeeper.sync.server import (
    DEFAULT_TERMS,
    RetailerStore,
    RunningServer,
    ServerSettings,
    create_app,
    make_engine,
)


def reference_shop(db: Path, *, port: int = 0, retention_days: int | None = None,
                   name: str = "Demo Retailer", wrap: Callable[[Any], Any] = lambda app: app,
                   ) -> RunningServer:  # fmt: skip
    """The reference server over the SQLite file ``db`` (the same file keeps its links across
    a restart on the same port); ``wrap`` may put an ASGI middleware around it."""
    terms = DEFAULT_TERMS if retention_days is None else \
        DEFAULT_TERMS.model_copy(update={"retention_days": retention_days})  # fmt: skip
    settings = ServerSettings(retailer_name=name, terms=terms)
    store = RetailerStore(make_engine(f"sqlite:///{db}"))
    return RunningServer(wrap(create_app(store, load_catalog(), settings)), port=port)


def links_in(db: Path) -> int:
    """How many links the reference server over ``db`` holds."""
    return RetailerStore(make_engine(f"sqlite:///{db}")).count_rows()["retail_links"]


def refusing_shop() -> RunningServer:
    """A shop whose discovery promises the default terms, and whose link route answers 409
    ``terms-not-met`` whatever it is asked."""
    app = FastAPI()

    @app.get("/.well-known/profilekeeper")
    def discovery() -> dict[str, Any]:
        return {
            "protocol": "profilekeeper-sync", "api_versions": ["1"], "base_path": "/v1",
            "retailer": {"id": "choosy-shop", "name": "Choosy Shop"},
            "slices_accepted": ["greeting"], "suggestion_kinds": ["product"],
            "terms": DEFAULT_TERMS.model_dump(mode="json"),
            "limits": {"max_request_bytes": 262144, "max_page_size": 200,
                       "requests_per_minute": 600},
            "honours_gpc": True,
        }  # fmt: skip

    @app.post("/v1/links")
    def links() -> JSONResponse:
        return JSONResponse(status_code=409, media_type="application/problem+json", content={
            "type": "urn:profilekeeper:problem:terms-not-met", "title": "Conflict",
            "status": 409, "detail": "we keep data for analytics",
            "unmet": ["we use data for analytics"],
        })  # fmt: skip

    return RunningServer(app)


def lying_shop() -> RunningServer:
    """A shop that takes every profile and then says it holds one slice more than it was sent."""
    app = FastAPI()
    held: dict[str, Any] = {}

    @app.get("/.well-known/profilekeeper")
    def discovery() -> dict[str, Any]:
        return {
            "protocol": "profilekeeper-sync", "api_versions": ["1"], "base_path": "/v1",
            "retailer": {"id": "lying-shop", "name": "Lying Shop"},
            "slices_accepted": ["greeting", "interests.*"], "suggestion_kinds": ["product"],
            "terms": DEFAULT_TERMS.model_dump(mode="json"),
            "limits": {"max_request_bytes": 262144, "max_page_size": 200,
                       "requests_per_minute": 600},
        }  # fmt: skip

    @app.post("/v1/links", status_code=201)
    def links() -> dict[str, Any]:
        return {"link_id": "lie1", "token": "t" * 43, "token_type": "bearer",
                "terms": DEFAULT_TERMS.model_dump(mode="json"), "gpc": True,
                "created_at": "2026-11-23T12:00:00Z"}  # fmt: skip

    def view() -> dict[str, Any]:
        return {"link_id": "lie1", "stored_at": "2026-11-23T12:00:00Z",
                "expires_at": "2027-02-21T12:00:00Z", **held}  # fmt: skip

    @app.put("/v1/links/lie1/profile")
    async def put(request: Request) -> dict[str, Any]:
        held.update(json.loads(await request.body()))
        answer = view()
        held["slices"] = {**held["slices"], "interests.extra": {"items": []}}
        return answer

    @app.get("/v1/links/lie1/profile")
    def get() -> dict[str, Any]:
        return view()

    return RunningServer(app)


def fill_profile(vault: Any, *, opted_in: bool | None = True) -> Person:
    """Robin in Lisbon, who loves Velvet Static and buys for Sam (crime novels, birthday next
    week)."""
    soon = datetime.now(UTC).date().toordinal() + 7
    when = datetime.fromordinal(soon).date()
    sam = Person(name="Sam Lee", relationship="friend")
    with vault.transaction():
        vault.save(Profile(display_name="Robin Doe", city="Lisbon", opted_in=opted_in))
        vault.add(sam)
        vault.add(Interest(category="music", name="Velvet Static", sentiment=Sentiment.LOVE))
        vault.add(Interest(category="books", name="crime", sentiment=Sentiment.LIKE))
        vault.add(Interest(category="books", name="crime", sentiment=Sentiment.LOVE,
                              person_id=sam.id))
        vault.add(Occasion(kind="birthday", month=when.month, day=when.day, person_id=sam.id))
    return sam


def held_with(server: RunningServer, link_id: str, token: str) -> httpx.Response:
    """``GET …/profile`` as the shop answers it, with a token of one's own choosing."""
    return httpx.get(f"{server.base_url}/v1/links/{link_id}/profile",
                     headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
