"""Hostile input at the command line: one clear line and a documented status, never a crash.

Every input here ended in "internal error" before issue #20 (20 kinds reachable from a shell;
the issue counted 13), or was mishandled without one: ``export -o`` renamed over a FIFO, a
device or a symlink (as root, over /dev/null itself), ``retailer check not-a-url`` exited 1 as
if rules had failed, an import of /dev/zero or a sparse gigabyte was read whole. Two cases were
one clear line already and stay as guards (marked). Most run ``main()`` in-process, against a
vault with the fast KDF; what only a real process has (argv bytes, the terminal's encodings)
runs ``python -m profilekeeper``.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import FAST_KDF, PASSPHRASE

from profilekeeper.cli import main
from profilekeeper.errors import INTERNAL_ERROR, InvalidInput, ProfileKeeperError, VaultError
from profilekeeper.model import Occasion, Person

BAD = "\udcff"
"""What Python makes of the byte 0xff in argv or the environment: a lone surrogate."""


@pytest.fixture
def sam(vault_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A closed vault (fast KDF) holding Sam and his birthday; the passphrase in the env."""
    from profilekeeper.store.vault import Vault

    with Vault.create(vault_path, PASSPHRASE, kdf=FAST_KDF) as vault:
        person = vault.add(Person("Sam"))
        vault.add(Occasion("birthday", 5, 10, 1986, person_id=person.id))
    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", PASSPHRASE)
    yield vault_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def assert_one_clear_line(code: int, err: str, status: int, says: str = "") -> None:
    assert code == status, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("profilekeeper: ") and says in err
    assert "internal error" not in err and "Traceback" not in err


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- every hostile input found, as (name, argv, status, words of the message) --------------
# {tmp} is a scratch folder; {file} names a file written there first (see FILES).

FILES: dict[str, Callable[[], bytes]] = {
    "deep.json": lambda: nested(100_000).encode(),
    "deep-objects.json": lambda: ('{"a":' * 100_000 + "1" + "}" * 100_000).encode(),
    "deep-990.json": lambda: nested(990).encode(),  # parses, then overflowed the stack
    "long-number.json": lambda: b'{"format": ' + b"1" * 5000 + b"}",
    "surrogate.json": lambda: json.dumps(
        {"format": "profilekeeper-export", "version": 1,
         "records": {"people": [{"id": "p1", "name": BAD}]}}  # fmt: skip
    ).encode(),
    "binary.json": lambda: b"\x00\xff\xfe" * 100,
}

CASES = [
    # Bytes that are not UTF-8 in an argument: surrogates no record can be sealed with.
    ("name not UTF-8", ["person", "add", BAD], 2, "name argument is not valid UTF-8"),
    ("relationship not UTF-8", ["person", "add", "Al", "--relationship", BAD], 2, "UTF-8"),
    ("interest not UTF-8", ["interest", "add", "music", "x" + BAD], 2, "UTF-8"),
    ("occasion kind not UTF-8", ["occasion", "add", "Sam", BAD, "2026-01-01"], 2, "kind"),
    ("gift title not UTF-8", ["gift", "add", "Sam", BAD], 2, "title argument"),
    ("purchase category not UTF-8", ["purchase", "add", "p", "--category", BAD], 2, "UTF-8"),
    ("city not UTF-8", ["profile", "set", "--city", BAD], 2, "city argument"),
    ("NUL in-process", ["person", "add", "a\x00b"], 2, "NUL"),
    # Dates out of the calendar's reach.
    ("remind --days 1e9", ["remind", "--days", "1000000000"], 2, "--days reaches beyond"),
    ("remind --days 1e22", ["remind", "--days", "1" + "0" * 22], 2, "--days"),
    ("remind --today 9999-12-31", ["remind", "--today", "9999-12-31"], 2, "--today"),
    ("remind --today 0001-01-01", ["remind", "--today", "0001-01-01"], 2, "--today"),
    ("remind --today late --days", ["remind", "--today", "9998-01-01", "--days", "999"], 2,
     "--today with --days"),  # fmt: skip
    ("dismiss --today 9999-12-31",
     ["reminder", "dismiss", "Sam", "birthday", "--today", "9999-12-31"], 2, "--today"),
    # Paths that cannot be written or read.
    ("export -o a directory", ["export", "-o", "{tmp}"], 2, "not a regular file"),
    ("export -o in a missing folder", ["export", "-o", "{tmp}/none/x.json"], 2, "cannot write"),
    ("ics -o a directory", ["export", "--format", "ics", "-o", "{tmp}"], 2, "not a regular"),
    ("ics -o under a file", ["export", "--format", "ics", "-o", "{file:binary.json}/x"], 2,
     "Not a directory"),  # fmt: skip
    ("import a directory", ["import", "{tmp}"], 2, "Is a directory"),
    ("import binary", ["import", "{file:binary.json}"], 2, "UTF-8"),  # one line before, too
    ("import deep arrays", ["import", "{file:deep.json}"], 2, "nests more than 32"),
    ("import deep objects", ["import", "{file:deep-objects.json}"], 2, "nests more than 32"),
    ("import 990 deep", ["import", "{file:deep-990.json}"], 2, "nests more than 32"),
    ("import 5000 digits", ["import", "{file:long-number.json}"], 2, "not JSON"),
    ("import a \\udcff escape", ["import", "{file:surrogate.json}"], 2, "not valid Unicode"),
    ("--vault ''", ["person", "list", "--vault", ""], 2, "--vault needs a path"),
    ("init under a file", ["init", "--vault", "{file:binary.json}/vault.sqlite3"], 2,
     "cannot create a vault at"),  # fmt: skip
    # The retailer commands.
    ("serve --port 99999", ["retailer", "serve", "--port", "99999"], 2, "--port"),
    ("serve --port -1", ["retailer", "serve", "--port", "-1"], 2, "--port"),
    ("serve --host not mine", ["retailer", "serve", "--host", "192.0.2.1", "--port", "0"], 2,
     "cannot listen on 192.0.2.1"),  # fmt: skip
    ("serve --catalog binary", ["retailer", "serve", "--catalog", "{file:binary.json}"], 2,
     "not a catalog"),  # fmt: skip
    ("serve --db not a URL", ["retailer", "serve", "--db", "not-a-url"], 2,
     "is not a database URL"),  # fmt: skip
    ("serve --db in no folder", ["retailer", "serve", "--db", "sqlite:////nonexistent/r.db"],
     2, "no such folder for the SQLite file"),  # fmt: skip
    ("check not-a-url", ["retailer", "check", "not-a-url"], 2, "give the server's URL"),
    ("check half an IPv6 URL", ["retailer", "check", "http://[::1"], 2, "URL"),
    ("check URL not UTF-8", ["retailer", "check", "http://" + BAD], 2, "url argument"),
    ("check --timeout 1e999", ["retailer", "check", "http://127.0.0.1:9", "--timeout", "1e999"],
     2, "--timeout"),  # fmt: skip
    ("check --timeout nan", ["retailer", "check", "http://127.0.0.1:9", "--timeout", "nan"],
     2, "--timeout"),  # fmt: skip
]


@pytest.mark.parametrize(("argv", "status", "says"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_hostile_argument(
    sam: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    argv: list[str], status: int, says: str,
) -> None:  # fmt: skip
    for name, content in FILES.items():
        if any(f"{{file:{name}}}" in arg for arg in argv):
            (tmp_path / name).write_bytes(content())
    argv = [
        arg.replace("{tmp}", str(tmp_path)).replace("{file:", f"{tmp_path}/").replace("}", "")
        if "{" in arg else arg
        for arg in argv
    ]  # fmt: skip
    assert_one_clear_line(*run(capsys, *argv), status, says)
    assert list(tmp_path.glob(".*.tmp")) == []


@pytest.mark.parametrize(("env", "command"), [
    ("PROFILEKEEPER_PASSPHRASE", ["person", "list"]),
    ("PROFILEKEEPER_PASSPHRASE", ["remind"]),
    ("PROFILEKEEPER_NEW_PASSPHRASE", ["passwd"]),
])  # fmt: skip
def test_passphrase_in_the_environment_not_utf8(
    sam: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    env: str, command: list[str],
) -> None:  # fmt: skip
    monkeypatch.setenv(env, "pass" + BAD + "word")
    assert_one_clear_line(*run(capsys, *command), 2, f"the passphrase in {env} is not valid")


@pytest.mark.parametrize("command", [["person", "list"], ["remind"]])
def test_passphrase_on_stdin_not_utf8(
    sam: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:  # fmt: skip
    import io

    monkeypatch.delenv("PROFILEKEEPER_PASSPHRASE")
    monkeypatch.setattr("sys.stdin", io.StringIO(BAD + "\n"))
    code, err = run(capsys, *command, "--passphrase-stdin")
    assert_one_clear_line(code, err, 2, "on line 1 of standard input is not valid UTF-8")


@pytest.mark.parametrize(("command", "status"), [
    (["person", "list", "--passphrase-stdin"], 2),  # "expected a passphrase on line 1"
    (["person", "list"], 3),  # locked, nobody to ask
    (["remind"], 3),
])  # fmt: skip
def test_stdin_closed(
    sam: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    command: list[str], status: int,
) -> None:  # fmt: skip
    """``<&-`` (some schedulers start jobs so): Python's sys.stdin is None."""
    monkeypatch.delenv("PROFILEKEEPER_PASSPHRASE")
    monkeypatch.setattr("sys.stdin", None)
    assert_one_clear_line(*run(capsys, *command), status)


def test_a_taken_port(sam: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, err = run(capsys, "retailer", "serve", "--port", port)
    assert_one_clear_line(code, err, 2, f"cannot listen on 127.0.0.1 port {port}")


def test_a_sparse_gigabyte_is_refused_without_reading_it(
    sam: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(2**30)
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        if self == huge:
            real_read = handle.read
            handle.read = lambda n=-1: reads.append(n) or real_read(n)  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    assert_one_clear_line(*run(capsys, "import", str(huge)), 2, "larger than 32 MiB")
    assert reads == []


def test_a_pipe_larger_than_the_cap_is_refused_at_the_cap(
    sam: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipe has no size to ask: it is read up to the cap (``import <(…)``, /dev/zero)."""
    assert_one_clear_line(*run(capsys, "import", "/dev/zero"), 2, "larger than 32 MiB")


# --- what only a real process shows ----------------------------------------------------------


def process(*argv: str | bytes, stdin: bytes = b"", **env: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "profilekeeper", *argv],
        input=stdin, capture_output=True, env={**os.environ, **env}, timeout=60,
    )  # fmt: skip
    return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode()


def test_argv_bytes_that_are_not_utf8(sam: Path) -> None:
    code, out, err = process(b"person", b"add", b"Sam\xff")
    assert_one_clear_line(code, err, 2, "the name argument is not valid UTF-8 text")
    assert out == ""


@pytest.mark.parametrize("stdio", ["utf-8:strict", "utf-8:surrogateescape"])
def test_stdin_bytes_that_are_not_utf8(sam: Path, stdio: str) -> None:
    code, _out, err = process(
        "person", "list", "--passphrase-stdin", stdin=b"\xff\n",
        PROFILEKEEPER_PASSPHRASE="", PYTHONIOENCODING=stdio,
    )  # fmt: skip
    assert_one_clear_line(code, err, 2, "not valid UTF-8 text")


def test_a_file_name_in_other_bytes_printed_to_a_strict_stdout(tmp_path: Path) -> None:
    """A vault file name need not be UTF-8; Python's stdout in a UTF-8 locale is strict."""
    path = os.fsencode(tmp_path) + b"/\xffvault.sqlite3"
    code, out, err = process(
        "init", "--vault", path, PROFILEKEEPER_PASSPHRASE=PASSPHRASE,
        PYTHONIOENCODING="utf-8:strict",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("Created a vault at ") and os.path.exists(path)


def test_a_name_a_latin1_terminal_cannot_show(sam: Path) -> None:
    code, _out, err = process("person", "add", "Zoë 李")
    assert code == 0, err
    code, out, err = process("person", "list", PYTHONIOENCODING="latin-1:strict")
    assert (code, err) == (0, "")
    assert "Zo\ufffd \\u674e" in out  # ë in Latin-1 (not UTF-8), 李 escaped


# --- internal errors: their own status, the type only ----------------------------------------


def test_an_internal_error_exits_70_and_names_only_the_type(
    sam: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("Sam's secret birthday")

    monkeypatch.setattr("profilekeeper.store.vault.Vault.list", broken)
    code, err = run(capsys, "person", "list")
    assert code == INTERNAL_ERROR == 70
    assert err == (
        "profilekeeper: internal error (RuntimeError); run with PROFILEKEEPER_DEBUG=1 for details\n"
    )


def test_an_error_raised_outside_the_handler_is_internal_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the parser is inside the guard: Python's own exit for a traceback is 1."""

    def broken(*_args: object) -> None:
        raise ImportError("no such module")

    monkeypatch.setattr("profilekeeper.cli.build_parser", broken)
    code, err = run(capsys, "person", "list")
    assert code == INTERNAL_ERROR and "internal error (ImportError)" in err


def every_error_class() -> list[type[ProfileKeeperError]]:
    import importlib
    import pkgutil

    import profilekeeper

    for module in pkgutil.walk_packages(profilekeeper.__path__, "profilekeeper."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, pending = [], [ProfileKeeperError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_no_error_exits_1_or_0() -> None:
    """1 is remind's "something is due": an error class with no status of its own is a bug."""
    assert ProfileKeeperError.exit_code == VaultError.exit_code == INTERNAL_ERROR
    statuses = {cls.__qualname__: cls.exit_code for cls in every_error_class()}
    assert len(statuses) > 10
    assert {name for name, code in statuses.items() if code in (0, 1)} == set()


def test_help_documents_the_internal_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "70 internal error" in " ".join(capsys.readouterr().out.split())


# --- export -o: only ever a regular file, replaced whole, 0600 -------------------------------


def device_node(tmp_path: Path) -> Path:
    """A character device to aim at. As root, one of our own (1, 3: a null device) in tmp_path:
    the old code renamed over whatever the path named, and /dev/null is the machine's."""
    if os.geteuid() != 0:
        return Path("/dev/null")  # nobody else may rename over it
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return node


def target(kind: str, tmp_path: Path) -> Path:
    if kind == "directory":
        (path := tmp_path / "folder").mkdir()
    elif kind == "fifo":
        os.mkfifo(path := tmp_path / "fifo")
    elif kind == "device":
        path = device_node(tmp_path)
    elif kind == "symlink to a device":
        (path := tmp_path / "link").symlink_to(device_node(tmp_path))
    else:  # "symlink to a file": refused too, rather than broken or followed
        (tmp_path / "real.json").write_text("mine")
        (path := tmp_path / "link").symlink_to(tmp_path / "real.json")
    return path


def file_type(path: Path) -> int:
    return stat.S_IFMT(os.lstat(path).st_mode)


@pytest.mark.parametrize("fmt", ["json", "ics"])
@pytest.mark.parametrize(
    "kind", ["directory", "fifo", "device", "symlink to a device", "symlink to a file"]
)
def test_export_refuses_anything_but_a_regular_file(
    sam: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, fmt: str
) -> None:
    path = target(kind, tmp_path)
    before = file_type(path)
    code, err = run(capsys, "export", "--format", fmt, "-o", str(path))
    assert_one_clear_line(code, err, 2, f"refusing to write over {path}")
    assert file_type(path) == before
    assert list(path.parent.glob(".*.tmp")) == []
    if kind == "symlink to a file":
        assert (tmp_path / "real.json").read_text() == "mine"


@pytest.mark.parametrize("fmt", ["json", "ics"])
def test_export_over_a_0644_file_leaves_it_0600(  # a guard: the rename already did this
    sam: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    path = tmp_path / f"export.{fmt}"
    path.write_text("old")
    path.chmod(0o644)
    assert main(["export", "--format", fmt, "-o", str(path)]) == 0, capsys.readouterr().err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() != "old"
    assert ("Sam" in path.read_text()) and list(tmp_path.glob(".*.tmp")) == []


@pytest.mark.parametrize("fmt", ["json", "ics"])
def test_an_error_mid_write_keeps_the_old_file_and_no_temporary(
    sam: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, fmt: str,
) -> None:  # fmt: skip
    """The disk fills while the export is written (fsync is where the OS would say so)."""
    path = tmp_path / f"export.{fmt}"
    path.write_text("old")

    real_fsync = os.fsync

    def full(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr("profilekeeper.store.transfer.os.fsync", full)
    code, err = run(capsys, "export", "--format", fmt, "-o", str(path))
    assert_one_clear_line(code, err, 2, "No space left on device")
    assert path.read_text() == "old"
    assert list(tmp_path.glob(".*")) == []


def test_the_apps_export_is_refused_the_same_way(sam: Path, tmp_path: Path) -> None:
    """services.export_json_file / export_ics_file (the app's Settings) write through the same
    function."""
    from profilekeeper import services
    from profilekeeper.store.vault import Vault

    fifo = target("fifo", tmp_path)
    with Vault.open(sam) as vault:
        vault.unlock(PASSPHRASE)
        for export in (services.export_json_file, services.export_ics_file):
            with pytest.raises(InvalidInput, match="not a regular file"):
                export(vault, str(fifo))
    assert file_type(fifo) == stat.S_IFIFO


@pytest.mark.parametrize(
    "argv", [["person", "list"], ["export", "--format", "json"], ["export", "-o", "-"]]
)
def test_output_to_a_full_device_is_one_clear_line(
    sam: Path, argv: list[str], tmp_path: Path
) -> None:
    """``> /dev/full``: a few bytes fail at the last flush (Python's own exits 120), a whole
    export fails mid-write."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "profilekeeper", *argv],
            stdout=full, stderr=subprocess.PIPE, env=dict(os.environ), timeout=60, cwd=tmp_path,
        )  # fmt: skip
    err = done.stderr.decode()
    plaintext_warning = [line for line in err.splitlines() if "plaintext" not in line]
    assert_one_clear_line(done.returncode, "\n".join(plaintext_warning) + "\n", 2,
                          "No space left on device")  # fmt: skip


def test_export_to_dash_is_standard_output_for_json_too(
    sam: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export", "-o", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "profilekeeper-export"
    assert not (tmp_path / "-").exists()  # it used to write a file named "-"
