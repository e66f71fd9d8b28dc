"""``retailer serve`` says what went wrong in one line, through the real CLI in a process.

Port in use, a port it may not bind, a folder that does not exist or cannot be written, a
database it cannot reach or a URL it cannot read: exit status 2 and one line on standard error,
never "internal error", never a traceback, never the URL (it may hold a password).
Running as root, the tests drop the capability that lets root past the check
(``setpriv --bounding-set``), so they test what a shop's service account meets.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.pg_cluster import postgres_url

__all__ = ["postgres_url"]  # a fixture: imported to be found


def _serve(*args: str, drop: str = "", env: dict[str, str] | None = None) -> tuple[int, str]:
    """``retailer serve ARGS``; as root without capability ``drop``. Returns (status, stderr)."""
    prefix = ["setpriv", "--bounding-set", drop] if drop and os.geteuid() == 0 else []
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "profilekeeper", "retailer", "serve", *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    return proc.returncode, proc.stderr


def _one_line(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("profilekeeper: "), err
    assert "internal error" not in err and "Traceback" not in err
    for word in words:
        assert word in err, err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = _serve("--port", str(port), "--db", "sqlite://")
    _one_line(code, err, f"port {port}", "Address already in use")


def test_a_privileged_port_is_permission_denied() -> None:
    if os.geteuid() != 0:
        start = int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
        if start <= 80:
            pytest.skip("this machine lets anyone bind port 80")
    code, err = _serve("--port", "80", "--db", "sqlite://", drop="-net_bind_service")
    _one_line(code, err, "port 80", "Permission denied", "below 1024")


def test_no_such_folder_for_the_sqlite_file(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "retailer.sqlite3"
    code, err = _serve("--port", "0", "--db", f"sqlite:///{missing}")
    _one_line(code, err, "no such folder for the SQLite file")
    assert str(tmp_path) not in err


def test_an_unwritable_folder_for_the_sqlite_file(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    code, err = _serve("--port", "0", "--db", f"sqlite:///{folder / 'r.sqlite3'}",
                       drop="-dac_override,-dac_read_search")
    _one_line(code, err, "permission denied")


def test_an_unwritable_data_folder_without_db(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    code, err = _serve("--port", "0", drop="-dac_override,-dac_read_search",
                       env={"XDG_DATA_HOME": str(folder / "data"),
                            "PROFILEKEEPER_RETAILER_DB": ""})
    _one_line(code, err, "cannot make the data folder", "Permission denied", "--db")


def test_an_unreadable_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text('{"items": []}')
    catalog.chmod(0)
    code, err = _serve("--port", "0", "--db", "sqlite://", "--catalog", str(catalog),
                       drop="-dac_override,-dac_read_search")
    _one_line(code, err, "cannot read the catalog file", "Permission denied")


@pytest.mark.parametrize(("url", "words"), [
    ("not a url", "is not a database URL"),
    ("mysqlish://host/db", "does not speak"),
])
def test_a_database_url_it_cannot_read(url: str, words: str) -> None:
    code, err = _serve("--port", "0", "--db", url)
    _one_line(code, err, words)


def test_an_unreachable_database() -> None:
    url = f"postgresql+psycopg://shop:s3cret-pw@127.0.0.1:{_free_port()}/shop"
    code, err = _serve("--port", "0", "--db", url)
    _one_line(code, err, "PostgreSQL", "connection refused")
    assert "s3cret-pw" not in err and "shop" not in err


def test_a_missing_database_and_a_refused_login(postgres_url: str) -> None:
    code, err = _serve("--port", "0", "--db", postgres_url.rsplit("/", 1)[0] + "/nosuchdb")
    _one_line(code, err, "no such database")
    assert "nosuchdb" not in err
    code, err = _serve("--port", "0", "--db", postgres_url.replace("postgres@", "nobody-here@"))
    _one_line(code, err, "login was refused")
