"""``profilekeeper retailer serve ARGS`` as a real process, for the server's own CLI tests."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx


@contextlib.contextmanager
def serving(*args: str, timeout: float = 30.0) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start ``retailer serve --port 0 ARGS``; yields its URL once discovery answers, and the
    process; terminates it afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "profilekeeper", "retailer", "serve", "--port", "0", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:"), line + proc.stderr.read()
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/.well-known/profilekeeper").status_code == 200:
                    break
            assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
