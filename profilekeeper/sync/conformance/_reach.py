"""Before the rules: can the server be reached at all?

Unreachable, every rule would fail on the same missing connection, and the checker would print
fifteen FAIL lines that say nothing about the protocol. One request first (the discovery
document, which the first rule reads anyway) tells the two apart: no connection, no answer in
time or TLS not trusted is one ``ShopUnreachable`` saying why in plain words (exit 69, not the
1 of "a rule failed"); any answer at all, even an error status, lets the rules judge it.
"""

from __future__ import annotations

import errno
import socket
import ssl

import httpx

from profilekeeper.sync.conformance._harness import printable
from profilekeeper.sync.protocol import DISCOVERY_PATH
from profilekeeper.sync.shop_errors import ShopUnreachable

_BY_ERRNO = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "the connection was reset",
    errno.EHOSTUNREACH: "no route to the host",
    errno.ENETUNREACH: "the network is unreachable",
    errno.ETIMEDOUT: "the connection timed out",
}


def check_reachable(client: httpx.Client, base_url: str, timeout: float) -> None:
    """Return if the server at ``base_url`` answers anything; else ``ShopUnreachable``:
    ``cannot reach URL: connection refused`` (or no such host, no answer within N s, ...)."""
    try:
        client.get(DISCOVERY_PATH).close()
    except httpx.TransportError as error:
        raise ShopUnreachable(f"cannot reach {printable(base_url, 300)}: "
                              f"{why(error, timeout)}") from None  # fmt: skip


def why(error: httpx.TransportError, timeout: float) -> str:
    """Plain words for a request that got no answer, from the errors that caused it."""
    if isinstance(error, httpx.TimeoutException):
        return f"no answer within {timeout:g} s"
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return "its TLS certificate is not trusted"
        if isinstance(seen, ssl.SSLError):
            return "the TLS handshake failed"
        if isinstance(seen, socket.gaierror):
            return "no such host (its name does not resolve)"
        if isinstance(seen, OSError) and seen.errno in _BY_ERRNO:
            return _BY_ERRNO[seen.errno]
        seen = seen.__cause__ or seen.__context__
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    return f"the connection failed ({type(error).__name__})"
