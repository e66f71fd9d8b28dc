"""``retailer check URL`` on a server it cannot reach says so in one line and exits 69, before
any rule runs (it printed fifteen FAIL lines, one per rule, exit 1); a server that answers at
all, even with errors, is judged rule by rule as before. Through the real CLI process."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from profilekeeper.sync.conformance import RULES
from profilekeeper.sync.shop_errors import EX_UNAVAILABLE
from tests.conftest import CliResult, run_cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one_line(result: CliResult, says: str) -> None:
    code, out, err = result.code, result.out, result.err
    assert code == EX_UNAVAILABLE, (code, out, err)
    assert out == "" and "FAIL" not in err
    assert err.splitlines() == [f"profilekeeper: {says}"]


def test_connection_refused_is_one_line() -> None:
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    one_line(run_cli("retailer", "check", url), f"cannot reach {url}: connection refused")


def test_no_such_host_is_one_line() -> None:
    url = "http://no-such-host.invalid"  # .invalid never resolves (RFC 6761)
    one_line(run_cli("retailer", "check", url),
             f"cannot reach {url}: no such host (its name does not resolve)")


@pytest.fixture
def silent() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_no_answer_in_time_is_one_line(silent: str) -> None:
    one_line(run_cli("retailer", "check", silent, "--timeout", "0.5"),
             f"cannot reach {silent}: no answer within 0.5 s")


class _NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def not_a_shop() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_answers_is_judged_rule_by_rule(not_a_shop: str) -> None:
    result = run_cli("retailer", "check", not_a_shop, "--timeout", "5")
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    assert len(lines) == len(RULES) + 1 and lines[0].startswith("FAIL  discovery")
    assert lines[-1].startswith("0 of ")
