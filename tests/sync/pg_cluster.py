"""A throwaway PostgreSQL cluster for the retailer server's tests.

It is made with the local PostgreSQL binaries in a temporary directory, on a free port on
127.0.0.1, and removed afterwards. Without the binaries the tests using it are skipped,
unless ``PROFILEKEEPER_REQUIRE_POSTGRES`` is set (CI sets it), when they fail instead. The
driver is psycopg 3 (``psycopg[binary]``); the server needs the apt package ``postgresql``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_ENV = "PROFILEKEEPER_REQUIRE_POSTGRES"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason}, and {REQUIRE_ENV} is set", pytrace=False)
    pytest.skip(reason)


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL cluster for this module; yields its SQLAlchemy URL."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        _unavailable("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
    assert bin_dir is not None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg driver is not installed")
    # PostgreSQL refuses to run as root: as root, run it as ``nobody`` in a directory it owns.
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="pk-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "nobody", "--"]
        base.chmod(0o755)
        shutil.chown(base, "nobody", "nogroup")
    data, port = base / "data", _free_port()

    def run(*argv: str) -> None:
        result = subprocess.run([*as_user, *argv], capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=60, cwd=base)
        assert result.returncode == 0, result.stdout + result.stderr

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync", "--no-instructions")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
            "-t", "30", "-o",
            f"-k {base} -h 127.0.0.1 -p {port} -c fsync=off -c full_page_writes=off",
            "start")
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


