"""What went wrong opening the retailer database, in one line an operator can act on.

The URL is never echoed (it may hold a password), nor is the driver's own message, which can
name users and hosts: only the kind of failure, which is enough to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

KNOWN = "like sqlite:///path/retailer.sqlite3 or postgresql+psycopg://user@host/db"
_SQLSTATES = {
    "28P01": "the login was refused (user or password)",
    "28000": "the login was refused (no such role, or not allowed from here)",
    "3D000": "no such database on that server",
    "42501": "not allowed to create the server's tables",
    "53300": "too many connections",
    "57P03": "the server is starting up or shutting down",
}
_WORDS = {  # libpq's words, first match wins; sqlstates are not set on connecting
    "password authentication failed": _SQLSTATES["28P01"],
    "no pg_hba.conf entry": _SQLSTATES["28000"],
    r'role "[^"]*" does not exist': _SQLSTATES["28000"],
    r'database "[^"]*" does not exist': _SQLSTATES["3D000"],
    "too many": _SQLSTATES["53300"],
    "the database system is": _SQLSTATES["57P03"],
    "connection refused": "connection refused (is it running, on that port?)",
    "timeout expired": "no answer in time (host, port or firewall?)",
    "timed out": "no answer in time (host, port or firewall?)",
    "could not translate host name": "no such host",
    "failed to resolve host": "no such host",
    "name or service not known": "no such host",
    "no route to host": "no route to that host",
    "network is unreachable": "the network is unreachable",
    "ssl": "the TLS handshake failed (sslmode, certificates?)",
}


def open_failure(url: str, error: BaseException) -> str:
    """A one-line reason why the database at ``url`` could not be opened."""
    if isinstance(error, NoSuchModuleError):  # an ArgumentError too: asked first
        return f"--db names a kind of database this server does not speak; use one {KNOWN}"
    if isinstance(error, ArgumentError):
        return f"--db is not a database URL {KNOWN}"
    if isinstance(error, ImportError):
        return "the PostgreSQL driver is missing: install profilekeeper[postgres] (psycopg)"
    if url.startswith("sqlite"):
        return "cannot open the SQLite database: " + _sqlite_reason(url, error)
    return "cannot use the PostgreSQL database: " + _server_reason(error)


def _sqlite_reason(url: str, error: BaseException) -> str:
    try:
        database = make_url(url).database
    except ArgumentError:  # pragma: no cover - the engine was made from it
        database = None
    if not database:
        return "it could not be made"
    folder = Path(database).expanduser().absolute().parent
    if not folder.is_dir():
        return "no such folder for the SQLite file"
    target = Path(database).expanduser()
    if target.is_dir():
        return "that path is a folder, not a file"
    text = str(getattr(error, "orig", error)).lower()  # SQLite's own words hold no data
    if "not a database" in text:
        return "that file is not a SQLite database"
    if "readonly" in text or "unable to open" in text:
        return "permission denied (the file and its folder must be writable)"
    return type(getattr(error, "orig", error)).__name__


def _server_reason(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _SQLSTATES:
        return _SQLSTATES[sqlstate]
    text = str(orig).lower()
    for words, reason in _WORDS.items():
        if re.search(words, text):
            return reason
    if isinstance(error, SQLAlchemyError):
        return f"the server could not be reached or refused ({type(orig).__name__})"
    return type(error).__name__
