"""``profilekeeper retailer serve`` and ``profilekeeper retailer check URL``: the retailer side.

Only the standard library at import time; the server and the checker load when run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    retailer = sub.add_parser(
        "retailer", parents=[common],
        help="run the reference retailer server, or check a retailer's API",
        description="The retailer side of the sync protocol: a reference server to run or "
        "read, and a conformance checker for any server.",
    )
    verbs = retailer.add_subparsers(dest="retailer_command", metavar="ACTION", required=True)

    serve = verbs.add_parser(
        "serve", parents=[common], help="run the reference retailer server",
        description="Serve sync protocol v1 with the demo catalog (or yours) until Ctrl-C.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8750, help="TCP port (default: 8750; 0: any)")
    serve.add_argument("--db", metavar="URL", default=None,
                       help="SQLAlchemy database URL, e.g. postgresql+psycopg://host/db "
                       "(default: a SQLite file in the data directory)")
    serve.add_argument("--catalog", metavar="FILE", type=Path, default=None,
                       help="catalog JSON file (default: the shipped demo catalog)")
    serve.set_defaults(handler=run_serve)

    check = verbs.add_parser(
        "check", parents=[common], help="check a retailer server against the protocol",
        description="Run every protocol rule against the server at URL; prints PASS/FAIL per "
        "rule and exits 1 if any rule fails. It creates links on the server and forgets them.",
    )
    check.add_argument("url", help="the server's base URL, e.g. http://127.0.0.1:8750")
    check.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    check.set_defaults(handler=run_check)


def default_db_url() -> str:
    from profilekeeper.store.paths import default_data_dir

    folder = default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'retailer.sqlite3'}"


def run_serve(args: argparse.Namespace) -> int:
    from profilekeeper.errors import InvalidInput

    if not 0 <= args.port <= 65535:
        raise InvalidInput("--port is a TCP port: 0 to 65535")
    import socket

    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from profilekeeper.sync.catalog import load_catalog
    from profilekeeper.sync.server import build_app

    if args.catalog is not None:
        if not args.catalog.is_file():
            raise InvalidInput("the catalog file does not exist")
        try:
            load_catalog(args.catalog)
        except (OSError, ValueError, LookupError, TypeError, RecursionError):
            raise InvalidInput("that file is not a catalog (JSON shaped like the demo's)") from None
    db_url = args.db or os.environ.get("PROFILEKEEPER_RETAILER_DB") or default_db_url()
    try:
        app = build_app(db_url, args.catalog)
    except (SQLAlchemyError, ImportError) as error:  # the URL is not echoed: it may hold a password
        raise InvalidInput(f"cannot open the retailer database ({type(error).__name__})") from None
    # Bind first, so ``--port 0`` can say which port it got.
    # IPPROTO_TCP said outright, or asyncio leaves Nagle on and responses wait ~40 ms.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((args.host, args.port))
    except OSError as error:  # the port is taken, or the host is not this machine's
        listener.close()
        reason = error.strerror or type(error).__name__
        raise InvalidInput(f"cannot listen on {args.host} port {args.port}: {reason}") from None
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"profilekeeper retailer: serving on http://{shown}:{port}", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listener])
    return 0


def _is_base_url(text: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def run_check(args: argparse.Namespace) -> int:
    from profilekeeper.errors import InvalidInput

    # Refused here, or every rule would "fail" (exit 1) on what is a typing mistake.
    if not _is_base_url(args.url):
        raise InvalidInput("give the server's URL, like http://127.0.0.1:8750")
    if not 0 < args.timeout <= 3600:  # also refuses nan
        raise InvalidInput("--timeout is more than 0 and at most 3600 seconds")
    from profilekeeper.sync.conformance import RULES, check_server

    results = check_server(args.url, timeout=args.timeout)
    width = max(len(name) for name, _what, _rule in RULES)
    for result in results:
        print(f"{result.outcome.upper():4}  {result.rule:<{width}}  {result.detail}")
    failed = sum(result.outcome == "fail" for result in results)
    print(f"{len(results) - failed} of {len(results)} rules passed" +
          (f", {failed} failed" if failed else ""))
    return 1 if failed else 0
