"""The command line as a script would use it, on real vault files.

Most tests run ``main()`` in this process (``run_main``) with the fast test KDF; the few marked
"a real process" run ``python -m profilekeeper``, whose exits and streams are the script's own.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import PASSPHRASE, run_cli, run_main

ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}

pytestmark = pytest.mark.usefixtures("fast_kdf")


def cli_ok(*args: str, **kw: object) -> str:
    result = run_main(*args, env=ENV, **kw)  # type: ignore[arg-type]
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.out


@pytest.fixture
def initialized(vault_path: Path) -> Path:
    cli_ok("init")
    return vault_path


def test_people_with_dates_interests_gifts_and_purchases(initialized: Path) -> None:
    cli_ok(
        "person",
        "add",
        "Sam Lee",
        "--relationship",
        "friend",
        "--birthday",
        "--03-15",
        "--anniversary",
        "2015-06-01",
        "--budget",
        "30",
        "--currency",
        "eur",
    )
    cli_ok("person", "add", "Åsa Öberg", "--birthday", "1990-02-28")
    cli_ok("occasion", "add", "sam lee", "graduation", "--0701", "--lead", "30,7", "--once")
    cli_ok("interest", "add", "music", "Nina Simone", "--sentiment", "love")
    cli_ok("interest", "add", "books", "Tolkien", "--person", "Sam Lee")
    cli_ok("interest", "add", "music", "nina simone", "--sentiment", "never")  # updates, no dup
    cli_ok(
        "gift",
        "add",
        "Sam Lee",
        "Poetry book",
        "--status",
        "bought",
        "--price",
        "12,50",
        "--occasion",
        "birthday",
        "--date",
        "2026-03-01",
    )
    cli_ok("purchase", "add", "Wizard novel", "--gift-for", "Sam Lee")
    cli_ok("purchase", "add", "Socks", "--no-personalize")

    people = json.loads(cli_ok("person", "list", "--json"))
    assert [(p["name"], p["birthday"], p["anniversary"], p["budget"]) for p in people] == [
        ("Sam Lee", "--03-15", "2015-06-01", "30"),
        ("Åsa Öberg", "1990-02-28", None, None),
    ]
    interests = json.loads(cli_ok("interest", "list", "--json"))
    assert sorted((i["person"] or "", i["name"], i["sentiment"]) for i in interests) == [
        ("", "Nina Simone", "never"),
        ("Sam Lee", "Tolkien", "like"),
    ]
    occasions = json.loads(cli_ok("occasion", "list", "--person", "Sam Lee", "--json"))
    assert {(o["kind"], o["date"], tuple(o["lead_days"]), o["yearly"]) for o in occasions} == {
        ("birthday", "--03-15", (14, 3), True),
        ("anniversary", "2015-06-01", (14, 3), True),
        ("graduation", "--07-01", (30, 7), False),
    }
    gifts = json.loads(cli_ok("gift", "list", "--json"))
    assert [(g["title"], g["status"], g["price"], g["on"]) for g in gifts] == [
        ("Poetry book", "bought", "12.50", "2026-03-01")
    ]
    purchases = {p["title"]: p for p in json.loads(cli_ok("purchase", "list", "--json"))}
    assert purchases["Wizard novel"]["gift_for"] == "Sam Lee"
    assert purchases["Wizard novel"]["personalize"] is False
    assert purchases["Socks"]["personalize"] is False and purchases["Socks"]["gift_for"] is None
    assert "Åsa Öberg" in cli_ok("person", "list")


def test_person_remove_asks_what_to_do_with_gifts(initialized: Path) -> None:
    cli_ok("person", "add", "Sam")
    cli_ok("gift", "add", "Sam", "Scarf")
    refused = run_main("person", "remove", "Sam", env=ENV)
    assert refused.code == 2 and "gift" in refused.err
    cli_ok("person", "remove", "Sam", "--keep-gifts")
    assert json.loads(cli_ok("person", "list", "--json")) == []
    assert [g["person"] for g in json.loads(cli_ok("gift", "list", "--json"))] == [None]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("person", "add", "Sam", "--birthday", "2023-02-29"), 2, "does not exist"),
        (("person", "add", "Sam", "--birthday", "15/03/1990"), 2, "YYYY-MM-DD"),
        (("person", "add", "   "), 2, "needs a name"),
        (("person", "add", "Dup"), 2, "exists already"),
        (("person", "add", "Sam", "--budget", "lots"), 2, "amounts"),
        # Values the calendar export, remind or person list could not use afterwards:
        (("person", "add", "Sam", "--birthday", "9999-12-31"), 2, "years run from 1 to 9000"),
        (("person", "add", "Sam", "--birthday", "2999-01-01"), 2, "cannot be after this year"),
        (("person", "add", "Sam", "--budget", "1e400"), 2, "amounts are at most"),
        (("person", "add", "Sam", "--currency", "euros"), 2, "three letters"),
        (("person", "add", "S" * 201), 2, "at most 200 characters"),
        (("gift", "add", "Dup", "Scarf", "--price", "NaN"), 2, "amounts"),
        (("gift", "add", "Dup", "Scarf", "--date", "9999-12-31"), 2, "years run"),
        (("occasion", "add", "Dup", "party", "9999-12-31", "--once"), 2, "years run"),
        (("occasion", "add", "Dup", "birthday", "--13-01"), 2, "does not exist"),
        (("occasion", "add", "Dup", "name-day", "2020-05-05", "--lead", "a,b"), 2, "lead times"),
        (("occasion", "add", "Nobody", "birthday", "2020-05-05"), 4, "no person"),
        (("gift", "add", "Dup", "Scarf", "--occasion", "wedding"), 4, "no occasion"),
        (("gift", "add", "Dup", "Scarf", "--status", "lost"), 2, "invalid choice"),
        (("interest", "add", "music", "x", "--person", "Nobody"), 4, "no person"),
        (("person", "remove", "Nobody"), 4, "no person"),
        (("import", "/nonexistent/file.json"), 4, "no such file"),
        (("frobnicate",), 2, "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_a_status(initialized: Path, args, code, words) -> None:
    if args[:3] != ("person", "add", "Sam"):
        cli_ok("person", "add", "Dup")
    result = run_main(*args, env=ENV)
    assert result.code == code, result.err
    assert words in result.err
    assert "Traceback" not in result.err
    # One line says what was wrong (argparse puts its usage summary above it).
    assert result.err.strip().splitlines()[-1].startswith("profilekeeper")
    assert words in result.err.strip().splitlines()[-1]


def test_error_messages_do_not_echo_personal_data(initialized: Path) -> None:
    result = run_main("gift", "add", "Secret Santa Person", "Diamond ring", env=ENV)
    assert result.code == 4
    assert "Secret Santa" not in result.err and "Diamond" not in result.err


def test_wrong_passphrase_exits_3_then_the_right_one_works(initialized: Path) -> None:
    result = run_main("person", "list", env={"PROFILEKEEPER_PASSPHRASE": "wrong one"})
    assert result.code == 3 and "wrong passphrase" in result.err
    assert run_main("person", "list", env=ENV).code == 0


def test_passphrase_from_stdin_and_locked_without_one(initialized: Path) -> None:
    # A real process: its standard input is a pipe, not a terminal, as in a script.
    assert run_cli("person", "add", "Sam", "--passphrase-stdin", input=PASSPHRASE + "\n").code == 0
    locked = run_cli("person", "list")  # no terminal, no passphrase, nothing remembered
    assert locked.code == 3 and "--passphrase-stdin" in locked.err
    empty = run_cli("person", "list", "--passphrase-stdin", input="")
    assert empty.code == 2 and "line 1" in empty.err


def test_missing_vault_is_exit_4_and_init_twice_is_refused(vault_path: Path) -> None:
    missing = run_main("person", "list", env=ENV)
    assert missing.code == 4 and "profilekeeper init" in missing.err
    cli_ok("init")
    again = run_main("init", env=ENV)
    assert again.code == 2 and "already exists" in again.err


def test_the_real_script_creates_vaults_with_the_default_argon2(vault_path: Path) -> None:
    """A real process: the fast test KDF the other tests use in-process never reaches it."""
    created = run_cli("init", env=ENV)
    assert created.code == 0, created.err
    with sqlite3.connect(vault_path) as db:
        kdf = json.loads(db.execute("SELECT kdf FROM vault_header").fetchone()[0])
    assert kdf["memory_kib"] >= 64 * 1024 and kdf["iterations"] >= 3 and kdf["lanes"] >= 4


def test_in_process_vaults_use_the_fast_test_kdf(initialized: Path) -> None:
    with sqlite3.connect(initialized) as db:
        kdf = json.loads(db.execute("SELECT kdf FROM vault_header").fetchone()[0])
    assert kdf["memory_kib"] < 64 * 1024  # the fixture works: init here takes milliseconds


def test_init_refuses_a_short_passphrase(vault_path: Path) -> None:
    result = run_main("init", env={"PROFILEKEEPER_PASSPHRASE": "short"})
    assert result.code == 2 and "at least 8" in result.err
    assert not vault_path.exists()


def test_passwd_then_rotate_key_keep_records_and_retire_the_old_passphrase(
    initialized: Path,
) -> None:
    cli_ok("person", "add", "Sam", "--birthday", "1980-01-02")
    new = "brand new passphrase"
    changed = run_main("passwd", "--passphrase-stdin", input=f"{PASSPHRASE}\n{new}\n")
    assert changed.code == 0, changed.err
    assert run_main("person", "list", env=ENV).code == 3
    rotated = run_main("rotate-key", env={"PROFILEKEEPER_PASSPHRASE": new})
    assert rotated.code == 0 and "Re-encrypted" in rotated.out
    people = json.loads(
        run_main("person", "list", "--json", env={"PROFILEKEEPER_PASSPHRASE": new}).out
    )
    assert [(p["name"], p["birthday"]) for p in people] == [("Sam", "1980-01-02")]


def test_export_import_round_trip_through_the_cli(initialized: Path, tmp_path: Path) -> None:
    cli_ok("person", "add", "Sam", "--birthday", "--12-24")
    cli_ok("gift", "add", "Sam", "Sled", "--price", "80")
    cli_ok("profile", "set", "--name", "Ann", "--city", "Tampere", "--opt-out")
    first = tmp_path / "first.json"
    result = run_main("export", "-o", str(first), env=ENV)
    assert result.code == 0 and "plaintext" in result.err

    other = ["--vault", str(tmp_path / "other.sqlite3")]
    cli_ok("init", *other)
    cli_ok("import", str(first), *other)
    second = cli_ok("export", *other)
    assert second == first.read_text()
    assert json.loads(cli_ok("profile", "show", "--json", *other))["opted_in"] is False


def test_options_work_before_and_after_the_command(initialized: Path, tmp_path: Path) -> None:
    other = str(tmp_path / "elsewhere.sqlite3")
    cli_ok("--vault", other, "init")
    cli_ok("person", "add", "Sam", "--vault", other)
    assert "Sam" in cli_ok("--vault", other, "person", "list")
    assert "Sam" not in cli_ok("person", "list")


def test_control_characters_in_stored_text_are_not_sent_to_the_terminal(initialized) -> None:
    from profilekeeper.model import Occasion, Person
    from profilekeeper.store.vault import Vault

    refused = run_main("person", "add", "Evil\x1b[2J\x07Name", env=ENV)
    assert refused.code == 2 and "control characters" in refused.err  # not let in any more
    with Vault.open(initialized) as vault:  # but an older release stored such names
        vault.unlock(PASSPHRASE)
        evil = vault.add(Person("Evil\x1b[2J\x07Name"))
        vault.add(Occasion("birthday", 3, 10, person_id=evil.id))
    listed = cli_ok("person", "list")
    assert "\x1b" not in listed and "\x07" not in listed and "Evil" in listed
    due = run_main("remind", "--today", "2026-03-01", "--days", "30", env=ENV)
    assert due.code == 1, due.err  # something is due: the birthday, its name made harmless
    assert "\x1b" not in due.out and "\x07" not in due.out and "Evil" in due.out


# --- only the named command's parser is built --------------------------------------------


def _registered(modules: tuple[str, ...]) -> dict[str, str]:
    import argparse

    from profilekeeper.cli import build_parser

    sub = next(
        a for a in build_parser(modules)._actions if isinstance(a, argparse._SubParsersAction)
    )
    return dict.fromkeys(sub.choices, modules[0])


def test_the_command_table_matches_what_the_modules_register() -> None:
    from profilekeeper.cli import COMMAND_MODULES, COMMANDS

    registered: dict[str, str] = {}
    for module in COMMAND_MODULES:
        registered.update(_registered((module,)))
    assert registered == COMMANDS  # a new command cannot be left out of the table
    assert set(_registered(COMMAND_MODULES)) == set(COMMANDS)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["remind", "--days", "3"], "remind"),
        (["--vault", "remind", "person", "list"], "person"),  # a vault file named "remind"
        (["--vault=x.sqlite3", "--passphrase-stdin", "gift", "add"], "gift"),
        (["--help", "remind"], None),
        (["--version"], None),
        (["--vau", "x", "remind"], None),  # an abbreviation: the full parser decides
        (["frobnicate"], None),
        ([], ""),  # the app: no command's parser is built
        (["--vault", "x.sqlite3"], ""),
    ],
)
def test_the_named_command_is_found_only_when_it_is_plain(argv, command) -> None:
    from profilekeeper.cli import _named_command

    assert _named_command(argv) == command


def test_help_and_errors_read_as_with_the_full_parser() -> None:
    # Real processes: the exit statuses are the script's, argparse's SystemExit included.
    full = run_cli("--help")
    assert full.code == 0 and "remind" in full.out and "import-contacts" in full.out
    assert "retailer" in full.out and "rotate-key" in full.out  # every module's commands
    remind_help = run_cli("remind", "--help")
    assert remind_help.code == 0 and "--days N" in remind_help.out
    assert remind_help.out.startswith("usage: profilekeeper remind")
    version = run_cli("--version")
    assert version.code == 0 and version.out.startswith("profilekeeper ")
    bad = run_cli("remind", "--days", "soon")
    assert bad.code == 2 and "profilekeeper remind: error: argument --days" in bad.err


def test_a_narrow_parser_gives_the_same_help_as_the_full_one() -> None:
    import argparse
    import contextlib
    import io

    from profilekeeper.cli import COMMANDS, build_parser

    def help_text(parser: argparse.ArgumentParser, argv: list[str]) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
            parser.parse_args(argv)
        return out.getvalue()

    for argv in (["remind", "-h"], ["reminder", "snooze", "-h"], ["person", "add", "-h"]):
        narrow = build_parser((COMMANDS[argv[0]],))
        assert help_text(narrow, argv) == help_text(build_parser(), argv)


def test_help_is_wrapped_to_the_terminal_width() -> None:
    def widest(columns: str) -> int:
        result = run_main("remind", "--help", env={"COLUMNS": columns})
        assert result.code == 0
        return max(len(line) for line in result.out.splitlines())

    assert widest("40") < 60 < 80 < widest("200")
