"""Output for scripts and people (#17 §4), through the real command line on a real vault file.

``-p/--parsable`` is read back with ``cut`` and ``awk`` in a shell; colour shows on a terminal
only; dates follow the user's locale in text and stay ISO for scripts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from profilekeeper.cli import gifts as gift_cli
from profilekeeper.cli import occasions as occasion_cli
from profilekeeper.cli import people as person_cli
from profilekeeper.cli import reminders as remind_cli
from profilekeeper.model import Gift, GiftStatus, Occasion, Person
from tests.conftest import PASSPHRASE, run_cli
from tests.reminders.conftest import TODAY

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
CLI = f"{sys.executable} -m profilekeeper"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def shell(pipeline: str, env: dict[str, str] | None = None) -> str:
    """``pipeline`` run by ``sh``, ``$PK`` being the real command line; its standard output."""
    done = subprocess.run(["sh", "-c", pipeline], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **UNLOCK, "PK": CLI, **(env or {})})  # fmt: skip
    assert done.returncode in (0, 1), done.stderr  # remind: 1 when something is due
    return done.stdout


@pytest.fixture
def awkward(vault, family):  # type: ignore[no-untyped-def]
    """The family, plus a person whose stored name holds a tab, a newline and an escape (as an
    older import could have left it), with a gift received."""
    odd = Person("Jo\tDoe\nJr\x1b[31m")
    with vault.transaction():
        vault.add(odd)
        vault.add(Occasion("birthday", 5, 12, 1990, person_id=odd.id))
        vault.add(Gift("Tea\tset", person_id=odd.id, status=GiftStatus.RECEIVED,
                       on=date(2026, 4, 1)))  # fmt: skip
    vault.close()
    return {**family, "odd": odd}


def test_each_record_is_one_line_of_the_documented_columns(awkward) -> None:
    remind = ["remind", "--today", TODAY.isoformat()]
    for argv, columns in ((["person", "list"], person_cli.COLUMNS),
                          (["occasion", "list"], occasion_cli.COLUMNS),
                          (["gift", "list"], gift_cli.COLUMNS),
                          (remind, remind_cli.COLUMNS)):  # fmt: skip
        parsable = run_cli(*argv, "-p", env=UNLOCK)
        as_json = run_cli(*argv, "--json", env=UNLOCK)
        records = json.loads(as_json.out)
        records = records["due"] if isinstance(records, dict) else records
        assert records and all(list(r) == list(columns) for r in records)  # the JSON's order
        lines = parsable.out.splitlines()
        assert len(lines) == len(records), argv  # one record a line: no header, no wrapping
        assert all(line.count("\t") == len(columns) - 1 for line in lines)
        assert "\x1b" not in parsable.out
        header = run_cli(*argv, "-p", "--header", env=UNLOCK).out.splitlines()
        assert header[0].split("\t") == list(columns) and header[1:] == lines


def test_parsable_output_through_cut_and_awk(awkward) -> None:
    names = shell('$PK person list -p | cut -f2').splitlines()
    assert names == ["Jo Doe Jr [31m", "Kim Ödegaard", "Lou", "Sam"]  # cleaned, one line each
    birthdays = shell("$PK person list -p | awk -F'\\t' '$2 == \"Sam\" { print $4 }'")
    assert birthdays == "1986-05-10\n"  # ISO, whatever the locale
    owed = shell("$PK gift list -p --header | "
                 "awk -F'\\t' 'NR > 1 && $4 == \"received\" && $8 == \"false\" { print $3 }'")
    assert owed == "Tea set\n"
    leads = shell("$PK occasion list -p | awk -F'\\t' '$3 == \"anniversary\" { print $6 }'")
    assert leads == "60\n"
    due = shell(f"$PK remind --today {TODAY.isoformat()} --days 60 -p | cut -f6,7,9")
    assert due.splitlines()[:2] == ["2026-05-10\t9\tSam turns 40",
                                    "2026-05-12\t11\tJo Doe Jr [31m turns 36"]  # fmt: skip
    ideas = shell(f"$PK remind --today {TODAY.isoformat()} -p | awk -F'\\t' '{{ print $11 }}'")
    assert ideas.splitlines()[0] == "Book;Scarf"  # a list in one field


def test_header_needs_parsable_and_json_excludes_parsable(vault, family) -> None:
    vault.close()
    for argv in (["remind", "--header"], ["person", "list", "--header"]):
        wrong = run_cli(*argv, env=UNLOCK)
        assert wrong.code == 2 and "--header goes with -p/--parsable" in wrong.err
    both = run_cli("gift", "list", "--json", "-p", env=UNLOCK)
    assert both.code == 2 and "not allowed with" in both.err


# -- colour ---------------------------------------------------------------------------------


def on_a_terminal(argv: list[str], env: dict[str, str]) -> str:
    """What ``profilekeeper ARGV`` writes to a real terminal (a pty on its standard output)."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "profilekeeper", *argv],
                  {**os.environ, **UNLOCK, **env})  # fmt: skip
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.waitpid(pid, 0)
    return output.decode()


def test_colour_on_a_terminal_only_and_never_from_data(awkward, monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    remind = ["remind", "--today", TODAY.isoformat(), "--days", "60"]
    always = run_cli(*remind, "--color=always", env=UNLOCK).out
    assert "\x1b[1mSam turns 40\x1b[0m" in always  # the headline in bold
    assert "\x1b[33mgift: ideas — Book, Scarf\x1b[0m" in always
    assert "\x1b" not in SGR.sub("", always)  # the name's own escape is printed as data
    for plain in (run_cli(*remind, env=UNLOCK).out,  # auto, into a pipe
                  run_cli(*remind, "--color=never", env=UNLOCK).out):  # fmt: skip
        assert "Sam turns 40" in plain and "\x1b" not in plain
    terminal = {"TERM": "xterm-256color"}
    assert "\x1b[1mSam turns 40" in on_a_terminal(remind, terminal)
    for quiet in ({**terminal, "NO_COLOR": "1"}, {"TERM": "dumb"}):
        text = on_a_terminal(remind, quiet)
        assert "Sam turns 40" in text and "\x1b[" not in text
    forced = on_a_terminal([*remind, "--color=always"], {**terminal, "NO_COLOR": "1"})
    assert "\x1b[1mSam turns 40" in forced  # the flag beats the environment (no-color.org)
    table = run_cli("person", "list", "--color=always", env=UNLOCK).out
    assert table.startswith("\x1b[1mNAME") and "\x1b" not in SGR.sub("", table)


# -- dates in the user's locale ---------------------------------------------------------------


@pytest.fixture(scope="session")
def german(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """LOCPATH holding de_DE.UTF-8, compiled from the system's locale sources."""
    if shutil.which("localedef") is None or not Path("/usr/share/i18n/locales/de_DE").exists():
        pytest.skip("needs localedef and glibc's locale sources (Debian: locales)")
    where = tmp_path_factory.mktemp("locales")
    subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", str(where / "de_DE.UTF-8")],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    return {"LOCPATH": str(where)}


def test_text_dates_follow_the_locale_scripts_get_iso(vault, family, german, monkeypatch) -> None:
    vault.close()
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        monkeypatch.delenv(name, raising=False)
    remind = ["remind", "--today", TODAY.isoformat()]
    for env in ({**german, "LC_TIME": "de_DE.UTF-8"}, {**german, "LANG": "de_DE.UTF-8"},
                {**german, "LC_ALL": "de_DE.UTF-8", "LC_TIME": "C.UTF-8"}):  # fmt: skip
        text = run_cli(*remind, env={**UNLOCK, **env}).out
        assert "So 10.05.2026" in text, env  # Sunday, German order
        assert "\t2026-05-10\t" in run_cli(*remind, "-p", env={**UNLOCK, **env}).out
        assert '"on": "2026-05-10"' in run_cli(*remind, "--json", env={**UNLOCK, **env}).out
        people = run_cli("person", "list", env={**UNLOCK, **env}).out
        assert "10.05.1986" in people and "--05-03" in people  # Lou's has no year
    c_locale = run_cli(*remind, env={**UNLOCK, "LC_TIME": "C.UTF-8"}).out
    assert "Sun 2026-05-10" in c_locale  # no locale chosen: ISO
    unknown = run_cli(*remind, env={**UNLOCK, "LC_TIME": "xx_XX.UTF-8"})
    assert unknown.code == 1 and "Sun 2026-05-10" in unknown.out  # not a crash
