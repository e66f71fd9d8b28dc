"""The reference retailer server: protocol v1 over FastAPI, SQLModel storage, demo catalog.

Run it with ``profilekeeper retailer serve [--workers N]``, in-process with ``run_in_thread``,
mount the app from ``build_app`` under any ASGI server, or let one import it in each worker:
``uvicorn --factory profilekeeper.sync.server:app_from_environment`` (docs/retailer-deploy.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from profilekeeper.sync.catalog import load_catalog
from profilekeeper.sync.server._app import DEFAULT_TERMS, ServerSettings, create_app
from profilekeeper.sync.server._opening import open_failure
from profilekeeper.sync.server._running import RunningServer
from profilekeeper.sync.server._storage import RetailerStore, make_engine

__all__ = [
    "CATALOG_ENV",
    "DB_ENV",
    "RATE_ENV",
    "DEFAULT_TERMS",
    "RetailerStore",
    "RunningServer",
    "ServerSettings",
    "app_from_environment",
    "build_app",
    "create_app",
    "make_engine",
    "open_failure",
    "run_in_thread",
]

DB_ENV = "PROFILEKEEPER_RETAILER_DB"
"""The database URL ``app_from_environment`` (and ``retailer serve`` without --db) uses."""
CATALOG_ENV = "PROFILEKEEPER_RETAILER_CATALOG"
"""A catalog JSON file for ``app_from_environment``; unset: the demo catalog."""
RATE_ENV = "PROFILEKEEPER_RETAILER_REQUESTS_PER_MINUTE"
"""Per link token, for ``app_from_environment``; unset: ServerSettings' default."""


def build_app(db_url: str, catalog: Path | None = None,
              settings: ServerSettings | None = None) -> FastAPI:
    """The reference server as an ASGI app over the database at ``db_url``.

    Args:
        db_url: A SQLAlchemy URL: ``sqlite:///path/retailer.sqlite3`` or
            ``postgresql+psycopg://user@host/db`` (with that driver installed).
        catalog: A catalog JSON file; None for the demo catalog.
        settings: Identity, terms and limits; None for the demo retailer's.
    """
    store = RetailerStore(make_engine(db_url))
    return create_app(store, load_catalog(catalog), settings)


def app_from_environment() -> FastAPI:
    """The reference server configured from the environment, for ASGI servers that import
    the app in each worker process: ``$PROFILEKEEPER_RETAILER_DB`` (required) and
    ``$PROFILEKEEPER_RETAILER_CATALOG`` and ``$PROFILEKEEPER_RETAILER_REQUESTS_PER_MINUTE``
    (optional)."""
    catalog = os.environ.get(CATALOG_ENV)
    settings = ServerSettings()
    if os.environ.get(RATE_ENV):
        settings.requests_per_minute = int(os.environ[RATE_ENV])
    return build_app(os.environ[DB_ENV], Path(catalog) if catalog else None, settings)


def run_in_thread(db_url: str, catalog: Path | None = None, host: str = "127.0.0.1",
                  port: int = 0) -> RunningServer:
    """Start the reference server under uvicorn on a background thread and wait until it answers.

    Used by ``profilekeeper demo`` (a local demo retailer) and by tests. The interface is stable.

    Args:
        db_url: The retailer's own database (not a vault), e.g. ``sqlite:///retailer.sqlite3``.
        catalog: A catalog JSON file; None for the demo catalog.
        host: Interface to listen on; keep the default loopback for demos and tests.
        port: TCP port; 0 picks a free one.

    Returns:
        The running server: ``.base_url`` (e.g. ``http://127.0.0.1:41234``) and ``.stop()``;
        it is also a context manager.
    """
    return RunningServer(build_app(db_url, catalog), host, port)
