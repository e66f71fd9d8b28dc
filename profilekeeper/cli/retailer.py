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
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes sharing the port (default: 1); more than one "
                       "needs PostgreSQL. Rate limits and forgotten links hold across them")
    serve.add_argument("--requests-per-minute", type=int, default=600, metavar="N",
                       help="per link token, sustained; bursts of a sixth pass (default: 600)")
    serve.add_argument("--forwarded-allow-ips", metavar="IPS", default=None,
                       help="behind a load balancer: its addresses (comma-separated, or *), "
                       "whose X-Forwarded-For names the client for per-address limits")
    serve.set_defaults(handler=run_serve)

    check = verbs.add_parser(
        "check", parents=[common], help="check a retailer server against the protocol",
        description="Run every protocol rule against the server at URL; prints PASS/FAIL per "
        "rule and exits 1 if any rule fails. It creates links on the server and forgets them. "
        "A server that cannot be reached at all (connection refused, no such host, no answer, "
        "TLS not trusted) is one line saying why, and exit status 69.",
    )
    check.add_argument("url", help="the server's base URL, e.g. http://127.0.0.1:8750")
    check.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    check.set_defaults(handler=run_check)


def default_db_url() -> str:
    from profilekeeper.errors import InvalidInput
    from profilekeeper.store.paths import default_data_dir

    folder = default_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput("cannot make the data folder for the retailer database "
                           f"({error.strerror or type(error).__name__}); give --db") from None
    return f"sqlite:///{folder / 'retailer.sqlite3'}"


def run_serve(args: argparse.Namespace) -> int:
    from profilekeeper.errors import InvalidInput

    if not 0 <= args.port <= 65535:
        raise InvalidInput("--port is a TCP port: 0 to 65535")
    if not 1 <= args.workers <= 64:
        raise InvalidInput("--workers is 1 to 64")
    if not 1 <= args.requests_per_minute <= 1_000_000:
        raise InvalidInput("--requests-per-minute is 1 to 1000000")
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from profilekeeper.sync.catalog import load_catalog
    from profilekeeper.sync.server import (
        CATALOG_ENV,
        DB_ENV,
        RATE_ENV,
        ServerSettings,
        build_app,
        open_failure,
    )

    if args.catalog is not None:
        if not args.catalog.is_file():
            raise InvalidInput("the catalog file does not exist")
        try:
            load_catalog(args.catalog)
        except OSError as error:
            raise InvalidInput(f"cannot read the catalog file: {error.strerror}") from None
        except (ValueError, LookupError, TypeError, RecursionError):
            raise InvalidInput("that file is not a catalog (JSON shaped like the demo's)") from None
    db_url = args.db or os.environ.get(DB_ENV) or default_db_url()
    if args.workers > 1 and db_url.startswith("sqlite"):
        raise InvalidInput("--workers above 1 needs PostgreSQL (--db postgresql+psycopg://…): "
                           "SQLite takes one writer at a time")
    try:
        # Made here even for workers: the tables exist before they start, and a bad --db is
        # said once, plainly.
        app = build_app(db_url, args.catalog,
                        ServerSettings(requests_per_minute=args.requests_per_minute))
    except (SQLAlchemyError, ImportError) as error:
        raise InvalidInput(open_failure(db_url, error)) from None
    listener = _listen(args.host, args.port)
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"profilekeeper retailer: serving on http://{shown}:{port}", file=sys.stderr, flush=True)
    proxies = {} if args.forwarded_allow_ips is None else {
        "forwarded_allow_ips": args.forwarded_allow_ips}
    if args.workers == 1:
        config = uvicorn.Config(app, log_level="warning", access_log=False, **proxies)
        uvicorn.Server(config).run(sockets=[listener])
        return 0
    from uvicorn.supervisors import Multiprocess

    # Each worker builds its own app from the environment (it is started afresh, not forked).
    os.environ[DB_ENV] = db_url
    os.environ[RATE_ENV] = str(args.requests_per_minute)
    if args.catalog is not None:
        os.environ[CATALOG_ENV] = str(args.catalog.resolve())
    config = uvicorn.Config("profilekeeper.sync.server:app_from_environment", factory=True,
                            workers=args.workers, log_level="warning", access_log=False,
                            **proxies)
    Multiprocess(config, sockets=[listener]).run()
    return 0


def _listen(host: str, port: int) -> Any:
    """A socket bound to ``host``:``port``; an OSError becomes one line saying why."""
    import errno
    import socket

    from profilekeeper.errors import InvalidInput

    # IPPROTO_TCP said outright, or asyncio leaves Nagle on and responses wait ~40 ms.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:  # the port is taken, or the host is not this machine's
        listener.close()
        reason = error.strerror or type(error).__name__
        if error.errno in (errno.EACCES, errno.EPERM) and 0 < port < 1024:
            reason += " (ports below 1024 need privileges: pick a higher one)"
        raise InvalidInput(f"cannot listen on {host} port {port}: {reason}") from None
    return listener


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
