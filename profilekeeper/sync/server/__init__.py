"""The reference retailer server: protocol v1 over FastAPI, SQLModel storage, demo catalog.

Run it with ``profilekeeper retailer serve``, in-process with ``run_in_thread``, or mount the
app from ``build_app`` under any ASGI server.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from profilekeeper.sync.catalog import load_catalog
from profilekeeper.sync.server._app import DEFAULT_TERMS, ServerSettings, create_app
from profilekeeper.sync.server._running import RunningServer
from profilekeeper.sync.server._storage import RetailerStore, make_engine

__all__ = [
    "DEFAULT_TERMS",
    "RetailerStore",
    "RunningServer",
    "ServerSettings",
    "build_app",
    "create_app",
    "make_engine",
    "run_in_thread",
]


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
