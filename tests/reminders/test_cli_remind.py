"""``profilekeeper remind`` as a real process: exit statuses, output, JSON, locked vaults."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from profilekeeper.model import Gift
from tests.conftest import PASSPHRASE, run_cli
from tests.reminders.conftest import TODAY

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
HEAVY = ("sqlalchemy", "sqlmodel", "textual", "httpx", "keyring")


def remind(*extra: str, env: dict[str, str] | None = None):
    return run_cli("remind", "--today", TODAY.isoformat(), *extra, env=env)


@pytest.fixture
def kim_nags(vault, family):
    """Kim's Vase without its date: it shows as bought, but nothing says for which year, so
    Kim's anniversary still nags (a dated one would quiet it)."""
    [vase] = [g for g in vault.list(Gift) if g.title == "Vase"]
    vault.save(replace(vase, on=None))
    return family


def test_something_due_exits_1_and_lists_soonest_first(vault, kim_nags):
    vault.close()
    result = remind("--days", "60", env=UNLOCK)
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    assert len(lines) == 2  # Lou's birthday is dismissed for 2026
    assert "Sam turns 40" in lines[0] and "in 9 days" in lines[0]
    assert "gift: ideas — Book, Scarf" in lines[0]
    assert "Kim Ödegaard's 10th anniversary" in lines[1] and "gift: bought" in lines[1]
    assert "Traceback" not in result.err


def test_nothing_due_exits_0(vault, family):
    vault.close()
    result = remind("--days", "5", env=UNLOCK)  # Sam is 9 days away
    assert (result.code, result.out.strip()) == (0, "Nothing due in the next 5 days.")
    quiet = remind("--days", "5", "--quiet", env=UNLOCK)
    assert (quiet.code, quiet.out) == (0, "")


def test_json_schema(vault, kim_nags):
    family = kim_nags
    vault.close()
    result = remind("--days", "60", "--json", env=UNLOCK)
    assert result.code == 1
    payload = json.loads(result.out)
    assert set(payload) == {"days", "due", "coming", "corrupted"}
    assert (payload["days"], payload["corrupted"]) == (60, 0)
    first = payload["due"][0]
    assert first == {
        "occasion_id": family["sam_bday"].id,
        "person_id": family["sam"].id,
        "person_name": "Sam",
        "kind": "birthday",
        "label": "",
        "on": "2026-05-10",
        "days_until": 9,
        "number": 40,
        "headline": "Sam turns 40",
        "gift_status": "ideas",
        "top_ideas": ["Book", "Scarf"],
        "snoozed_until": None,
        # A release's or an event's fields (remind's records share one shape), empty here.
        "suggestion_id": None, "title": None, "creators": [], "shop": None, "city": None,
        "url": None,
    }
    assert payload["coming"] == []  # the family's vault holds no suggestion
    assert [d["days_until"] for d in payload["due"]] == [9, 40]
    empty = json.loads(remind("--days", "1", "--json", env=UNLOCK).out)
    assert empty["due"] == []


def test_a_gift_bought_for_the_occasion_quiets_it_for_that_year_only(vault, family):
    vault.close()
    # Kim's Vase, bought on 2026-04-20 for the anniversary on 2026-06-10.
    result = remind("--days", "60", "--json", env=UNLOCK)
    assert result.code == 1, result.err
    assert [d["headline"] for d in json.loads(result.out)["due"]] == ["Sam turns 40"]
    next_year = run_cli("remind", "--today", "2027-05-01", "--days", "60", "--json", env=UNLOCK)
    kim = [d for d in json.loads(next_year.out)["due"] if d["person_name"] == "Kim Ödegaard"]
    assert [(d["headline"], d["gift_status"]) for d in kim] == [
        ("Kim Ödegaard's 11th anniversary", "no idea yet")
    ]  # last year's Vase does not count


def test_passphrase_from_stdin(vault, family):
    vault.close()
    result = run_cli(
        "remind", "--today", TODAY.isoformat(), "--passphrase-stdin", input=PASSPHRASE + "\n"
    )
    assert result.code == 1, result.err


@pytest.mark.nokeyring
@pytest.mark.parametrize("remembered", [False, True])
def test_locked_in_a_non_interactive_shell_exits_3_without_traceback(vault, family, remembered):
    if remembered:
        vault.set_remembered(True)  # header says remembered, but this keyring holds nothing
    vault.close()
    # A bus that does not exist: the keyring is unreachable, deterministically.
    result = remind(env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"})
    assert result.code == 3
    assert "Traceback" not in result.err and result.out == ""
    assert "locked" in result.err and "--passphrase-stdin" in result.err
    if remembered:
        assert "no system keyring is available on this machine" in result.err


def test_a_keyring_backend_chosen_by_the_user_is_respected(vault, family):
    vault.set_remembered(True)
    vault.close()
    # PYTHON_KEYRING_BACKEND skips the Secret Service shortcut and asks keyring itself.
    result = remind(env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.code == 3 and "Traceback" not in result.err
    assert "no system keyring is available on this machine" in result.err


def test_wrong_passphrase_exits_3(vault, family):
    vault.close()
    result = remind(env={"PROFILEKEEPER_PASSPHRASE": "wrong one"})
    assert result.code == 3 and "wrong passphrase" in result.err and "Traceback" not in result.err


def test_missing_vault_and_bad_options(tmp_path):
    missing = run_cli("remind", "--vault", str(tmp_path / "none.sqlite3"), env=UNLOCK)
    assert missing.code == 4 and "Traceback" not in missing.err
    assert run_cli("remind", "--today", "tomorrow", env=UNLOCK).code == 2
    assert run_cli("remind", "--days", "-1", env=UNLOCK).code == 2


def test_corrupted_record_is_reported_and_the_rest_still_shown(vault, vault_path, family):
    import sqlite3

    vault.close()
    with sqlite3.connect(vault_path) as conn:
        conn.execute("UPDATE occasions SET sealed = x'00' WHERE id = ?", (family["kim_anniv"].id,))
    conn.close()
    result = remind("--days", "60", env=UNLOCK)
    assert result.code == 1  # something is due: a script reacting to 1 still hears of Sam
    assert "Sam turns 40" in result.out and "Kim" not in result.out
    assert "1 record(s) could not be read" in result.err
    with sqlite3.connect(vault_path) as conn:
        conn.execute("UPDATE occasions SET sealed = x'00'")
    conn.close()
    result = remind("--days", "60", env=UNLOCK)
    assert result.code == 5  # nothing readable is due, but what was left out may have been
    assert "record(s) could not be read" in result.err


def test_notify_says_plainly_when_there_is_no_notifier(vault, family, tmp_path):
    vault.close()
    result = remind("--days", "60", "--notify", env={**UNLOCK, "PATH": str(tmp_path)})
    assert result.code == 1
    assert "no desktop notifier found" in result.err


def test_notify_calls_notify_send(vault, kim_nags, tmp_path):
    vault.close()
    log = tmp_path / "notified.txt"
    fake = tmp_path / "notify-send"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
    fake.chmod(0o755)
    result = remind("--days", "60", "--notify", env={**UNLOCK, "PATH": str(tmp_path)})
    assert result.code == 1, result.err
    sent = log.read_text()
    assert "2 gift reminders" in sent and "Sam turns 40" in sent


@pytest.mark.parametrize("where", ["PROFILEKEEPER_VAULT", "the default place"])
def test_remind_imports_nothing_heavy(vault, family, vault_path, monkeypatch, where):
    """The fast path must stay off SQLAlchemy, SQLModel, Textual, httpx and keyring. (Without
    --occasions-only it also reads the stored suggestions: tests/reminders/test_remind_releases.py
    checks that path.)"""
    import os

    vault.close()
    if where == "the default place":  # $XDG_DATA_HOME/profilekeeper, found without platformdirs
        default = Path(os.environ["XDG_DATA_HOME"], "profilekeeper", "vault.sqlite3")
        default.parent.mkdir()
        vault_path.rename(default)
        monkeypatch.delenv("PROFILEKEEPER_VAULT")
    probe = (
        "import sys\n"
        "from profilekeeper.cli import main\n"
        f"code = main(['remind', '--today', '{TODAY.isoformat()}', '--days', '60', "
        "'--occasions-only'])\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, **UNLOCK},
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    loaded = set(result.stderr.splitlines()[-1].split())
    assert "profilekeeper.store.readonly" in loaded  # the probe did take the fast path
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == []
    assert "platformdirs" not in loaded and "pathlib" not in loaded  # ~13 ms at each login
    # Only the records it reads are defined (model_core), not every record type (~6 ms).
    assert "profilekeeper.model_core" in loaded and "profilekeeper.model" not in loaded


def test_asks_for_the_passphrase_at_a_terminal(vault, family):
    import os
    import pty

    vault.close()
    argv = [sys.executable, "-m", "profilekeeper", "remind", "--today", TODAY.isoformat()]
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal on stdin, as in a login shell
        os.execve(argv[0], argv, dict(os.environ))
    output = b""
    while b"Passphrase" not in output:
        output += os.read(fd, 1024)
    os.write(fd, PASSPHRASE.encode() + b"\n")
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1
    assert b"Sam turns 40" in output and PASSPHRASE.encode() not in output


def test_reminder_actions_quiet_this_year_only(vault, kim_nags):
    vault.close()
    days = ("--days", "60")
    assert "Sam turns 40" in remind(*days, env=UNLOCK).out
    done = run_cli(
        "reminder", "bought", "sam", "birthday", "--today", TODAY.isoformat(), env=UNLOCK
    )
    assert done.code == 0, done.err
    assert "Sam turns 40 on 2026-05-10" in done.out
    after = remind(*days, env=UNLOCK)
    assert "Sam" not in after.out and after.code == 1  # Kim's anniversary still nags
    next_year = run_cli("remind", "--today", "2027-05-01", "--days", "30", env=UNLOCK)
    assert "Sam turns 41" in next_year.out

    snoozed = run_cli(
        "reminder",
        "snooze",
        "Kim Ödegaard",
        "anniversary",
        "--until",
        "2026-06-01",
        "--today",
        TODAY.isoformat(),
        env=UNLOCK,
    )
    assert snoozed.code == 0, snoozed.err
    assert remind(*days, env=UNLOCK).code == 0  # both quiet now
    woken = run_cli("remind", "--today", "2026-06-01", "--json", env=UNLOCK)
    assert [d["headline"] for d in json.loads(woken.out)["due"]] == [
        "Kim Ödegaard's 10th anniversary"
    ]

    dismissed = run_cli(
        "reminder", "dismiss", "Kim Ödegaard", "anniversary", "--today", "2026-06-01", env=UNLOCK
    )
    assert dismissed.code == 0
    assert run_cli("remind", "--today", "2026-06-01", env=UNLOCK).code == 0


def test_reminder_action_errors(vault, family):
    vault.close()
    today = ("--today", TODAY.isoformat())
    assert run_cli("reminder", "dismiss", "Nobody", "birthday", *today, env=UNLOCK).code == 4
    assert run_cli("reminder", "dismiss", "Sam", "wedding", *today, env=UNLOCK).code == 4
    past = run_cli(
        "reminder", "snooze", "Sam", "birthday", "--until", "2026-04-01", *today, env=UNLOCK
    )
    assert past.code == 2 and "Traceback" not in past.err


def test_remind_leaves_the_garbage_collector_as_it_found_it(vault, family, monkeypatch, capsys):
    import gc

    from profilekeeper.cli import main

    vault.close()
    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", PASSPHRASE)
    today = ["remind", "--today", TODAY.isoformat()]
    assert gc.isenabled()
    assert main(today) == 1 and "Sam turns 40" in capsys.readouterr().out
    assert gc.isenabled()
    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", "wrong one")
    assert main(today) == 3 and gc.isenabled()  # after a failure too
    gc.disable()
    try:
        main(today)
        assert not gc.isenabled()  # the caller's choice stands
    finally:
        gc.enable()


def test_the_leap_day_setting_moves_29_february_everywhere(vault, vault_path, tmp_path):
    """``profile set --leap-day mar1``: remind, the calendar and the app all use 1 March."""
    import os
    import stat

    from icalendar import Calendar

    from profilekeeper import services
    from profilekeeper.model import Occasion, Person

    leapling = vault.add(Person("Leo"))
    vault.add(Occasion("birthday", 2, 29, 2000, person_id=leapling.id))
    vault.close()

    def when(*extra: str) -> str:
        result = run_cli("remind", "--today", "2027-02-20", "--days", "14", "--json",
                         *extra, env=UNLOCK)
        assert result.code == 1, result.err
        return json.loads(result.out)["due"][0]["on"]

    assert when() == "2027-02-28"
    assert run_cli("profile", "set", "--leap-day", "mar1", env=UNLOCK).code == 0
    assert "1 March" in run_cli("profile", "show", env=UNLOCK).out
    assert when() == "2027-03-01"
    assert run_cli("profile", "set", "--leap-day", "feb30", env=UNLOCK).code == 2

    ics = tmp_path / "gifts.ics"
    assert run_cli("export", "--format", "ics", "-o", str(ics), env=UNLOCK).code == 0
    [event] = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert event["RRULE"]["BYYEARDAY"] == [60]  # the 60th day: 1 March in common years

    from profilekeeper.store.vault import Vault

    with Vault.open(vault_path) as reopened:
        reopened.unlock(PASSPHRASE)
        view = services.home_view(reopened, date(2027, 2, 20))
        assert [d.on for d in view.upcoming] == [date(2027, 3, 1)]
        [row] = [r for r in services.people_rows(reopened, date(2027, 2, 20)) if r.next_date]
        assert row.next_date == date(2027, 3, 1)
        app_ics = tmp_path / "from-the-app.ics"
        services.export_ics_file(reopened, str(app_ics))
    assert app_ics.read_bytes() == ics.read_bytes()  # the app's export is the CLI's
    assert stat.S_IMODE(os.stat(app_ics).st_mode) == 0o600  # names and dates: owner only


@pytest.mark.parametrize(
    "breaks",
    ["profilekeeper.reminders.due", "profilekeeper.cli.reminders.describe"],
    ids=["before anything is known", "after something due was found"],
)
def test_an_internal_error_exits_70_never_1(vault, kim_nags, monkeypatch, capsys, breaks):
    """1 is "something is due": a script reading it buys presents. A crash must not say so."""
    from profilekeeper.cli import main

    vault.close()

    def broken(*_args, **_kwargs):
        raise RuntimeError("Sam turns 40 on 2026-05-10")  # record contents, never to be shown

    monkeypatch.setattr(breaks, broken)
    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", PASSPHRASE)
    code = main(["remind", "--today", TODAY.isoformat(), "--days", "60"])
    out, err = capsys.readouterr()
    assert code == 70
    assert err == (
        "profilekeeper: internal error (RuntimeError); run with PROFILEKEEPER_DEBUG=1 for details\n"
    )
    assert "Sam" not in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--days", "1000000000"], "--days reaches beyond the calendar"),
        (["--today", "9999-12-31"], "--today reaches beyond the calendar"),
        (["--today", "0001-01-01"], "--today reaches beyond the calendar"),
    ],
)
def test_a_window_past_the_calendar_is_bad_input(vault, family, args, says):
    vault.close()
    result = run_cli("remind", *args, env=UNLOCK)
    assert (result.code, result.err) == (2, f"profilekeeper: {says} (years 1 to 9999)\n")


def test_help_and_docs_give_every_status():
    help_text = run_cli("remind", "--help").out
    assert "70: internal error" in " ".join(help_text.split())
    docs = (Path(__file__).parents[2] / "docs" / "reminders.md").read_text()
    assert "**70**" in docs
