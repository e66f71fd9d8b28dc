"""``remind --exec`` and ``notify.command``: once per lead point, sealed state, failures."""

from __future__ import annotations

import json
import shlex
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from profilekeeper import remind_hooks
from profilekeeper.model import Occasion, Person
from tests.conftest import PASSPHRASE, run_cli, run_main
from tests.reminders.conftest import TODAY

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
FIELDS = ("PERSON", "KIND", "DATE", "DAYS_LEFT", "LEAD", "NUMBER", "GIFT_STATUS", "HEADLINE")


@pytest.fixture
def hook(tmp_path: Path) -> tuple[str, Path]:
    """A hook command that logs one JSON line per call: its fields and its first argument."""
    log = tmp_path / "hook.log"
    script = tmp_path / "hook.py"
    script.write_text(
        "import json, os, sys\n"
        f"fields = {{k: os.environ['PROFILEKEEPER_' + k] for k in {FIELDS!r}}}\n"
        "fields['arg'] = sys.argv[1:]\n"
        f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(fields) + '\\n')\n"
    )
    import sys

    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} %s", log


def calls(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def remind_on(day: date, *extra: str) -> object:
    return run_cli("remind", "--today", day.isoformat(), *extra, env=UNLOCK)


def test_fires_once_per_lead_point_across_days(vault, family, hook):
    command, log = hook
    vault.close()
    fired_on = {}
    day = date(2026, 4, 20)
    while day <= date(2026, 5, 10):  # every day up to Sam's birthday on 10 May (leads 14, 3)
        before = len(calls(log))
        result = remind_on(day, "--exec", command)
        assert result.code in (0, 1), result.err
        if len(calls(log)) > before:
            fired_on[day] = calls(log)[-1]
        day += timedelta(days=1)
    assert sorted(fired_on) == [date(2026, 4, 26), date(2026, 5, 7)]
    first, second = fired_on[date(2026, 4, 26)], fired_on[date(2026, 5, 7)]
    assert first == {"PERSON": "Sam", "KIND": "birthday", "DATE": "2026-05-10",
                     "DAYS_LEFT": "14", "LEAD": "14", "NUMBER": "40", "GIFT_STATUS": "ideas",
                     "HEADLINE": "Sam turns 40",
                     "arg": ["Sam turns 40 in 14 days, on Sun 10 May (gift: ideas)"]}
    assert (second["DAYS_LEFT"], second["LEAD"]) == ("3", "3")
    # Lead 0 is an explicit reminder on the day: only then does the day itself fire.
    assert run_cli("occasion", "lead", "Sam", "birthday", "14,3,0", env=UNLOCK).code == 0
    remind_on(date(2026, 5, 10), "--exec", command)
    remind_on(date(2026, 5, 10), "--exec", command)
    assert [(c["LEAD"], c["arg"]) for c in calls(log)[2:]] == [
        ("0", ["Sam turns 40 today, on Sun 10 May (gift: ideas)"])]
    # Next year starts afresh.
    remind_on(date(2027, 4, 26), "--exec", command)
    assert "2027-05-10" in [c["DATE"] for c in calls(log)]


def test_a_missed_day_still_fires_the_point_it_passed_once(vault, family, hook):
    command, log = hook
    vault.close()
    remind_on(date(2026, 4, 20), "--exec", command)  # before the 14-day point: nothing
    assert calls(log) == []
    # The timer missed 26 April to 7 May: 14 and 3 days have both passed, one call for both.
    remind_on(date(2026, 5, 8), "--exec", command)
    remind_on(date(2026, 5, 9), "--exec", command)
    assert [(c["DAYS_LEFT"], c["LEAD"]) for c in calls(log)] == [("2", "3")]


def test_hook_state_is_sealed_in_the_vault_and_keeps_the_date_index(vault, vault_path, family,
                                                                     hook):
    from profilekeeper.store.vault import Vault

    command, log = hook
    vault.close()
    assert remind_on(TODAY, "--exec", command).code == 1
    assert len(calls(log)) == 1
    for path in vault_path.parent.glob(vault_path.name + "*"):  # the file, its WAL and so on
        raw = path.read_bytes()
        assert b"Sam" not in raw and b"notified" not in raw and b"birthday" not in raw
    with sqlite3.connect(vault_path) as conn:  # the index was put back: remind stays fast
        assert conn.execute("SELECT sealed IS NOT NULL FROM occasion_dates").fetchone() == (1,)
    conn.close()
    with Vault.open(vault_path) as reopened:
        reopened.unlock(PASSPHRASE)
        sam_bday = reopened.get(Occasion, family["sam_bday"].id)
        assert sam_bday.reminder_state == {"2026": {"notified": "14"}}
        lou = reopened.get(Occasion, family["lou_bday"].id)
        assert lou.reminder_state == {"2026": {"dismissed": "true"}}  # untouched


def test_the_app_s_change_made_meanwhile_is_kept(vault, vault_path, family, hook):
    """The state is merged into the occasion as it is when written, not as remind read it."""
    from profilekeeper import reminders
    from profilekeeper.store.vault import Vault

    command, _ = hook
    vault.close()
    with Vault.open(vault_path) as app:
        app.unlock(PASSPHRASE)
        sam_bday = app.get(Occasion, family["sam_bday"].id)
        app.save(reminders.snooze(sam_bday, 2027, date(2027, 5, 1)))  # another year's state
    assert remind_on(TODAY, "--exec", command).code == 1
    with Vault.open(vault_path) as app:
        app.unlock(PASSPHRASE)
        state = app.get(Occasion, family["sam_bday"].id).reminder_state
    assert state == {"2026": {"notified": "14"}, "2027": {"snoozed_until": "2027-05-01"}}


def test_a_failing_hook_is_reported_without_names_and_the_others_run(vault, kim_nags, tmp_path):
    log = tmp_path / "ran.log"
    command = f'[ "$PROFILEKEEPER_PERSON" = Sam ] && exit 7; echo "$PROFILEKEEPER_PERSON" >> {log}'
    vault.close()
    result = remind_on(TODAY, "--days", "60", "--exec", command)
    assert result.code == 1  # something is due: a failing hook does not change that
    assert result.err == ("profilekeeper: notification hook for due item 1 of 2 failed "
                          "(exit status 7); it is tried again on the next run\n")
    assert log.read_text() == "Kim Ödegaard\n"
    again = remind_on(TODAY, "--days", "60", "--exec", command)
    assert "item 1 of 2 failed" in again.err  # Sam's is tried again...
    assert log.read_text() == "Kim Ödegaard\n"  # ...Kim's, done, is not
    missing = remind_on(TODAY, "--days", "60", "--exec", "no-such-hook-here %s")
    assert "command not found (exit status 127)" in missing.err and "Sam" not in missing.err


@pytest.fixture
def kim_nags(vault, family):
    from dataclasses import replace

    from profilekeeper.model import Gift

    [vase] = [g for g in vault.list(Gift) if g.title == "Vase"]
    vault.save(replace(vase, on=None))
    return family


def test_a_hook_that_hangs_is_stopped(vault, family, monkeypatch):
    vault.close()
    monkeypatch.setattr(remind_hooks, "TIMEOUT", 0.3)
    result = run_main("remind", "--today", TODAY.isoformat(), "--exec", "sleep 30", env=UNLOCK)
    assert result.code == 1
    assert "failed (stopped after 0.3 s)" in result.err


def test_the_message_is_shell_quoted(vault, tmp_path):
    out, pwned = tmp_path / "out.txt", tmp_path / "pwned"
    tricky = vault.add(Person(f"O'Brien $(touch {pwned}); `touch {pwned}`"))
    vault.add(Occasion("birthday", 5, 3, person_id=tricky.id))
    vault.close()
    result = remind_on(TODAY, "--exec", f"printf '%%s|100%%%%' %s > {out}")
    assert result.code == 1, result.err
    assert out.read_text() == f"O'Brien $(touch {pwned}); `touch {pwned}`'s birthday in 2 days, " \
                              "on Sun 03 May (gift: no idea yet)|100%"
    assert not pwned.exists()


def test_json_stays_json_and_the_setting_is_used(vault, family, hook):
    command, log = hook
    vault.close()
    assert run_cli("profile", "set", "--notify-command", command, env=UNLOCK).code == 0
    assert "Notify:" in run_cli("profile", "show", env=UNLOCK).out
    quiet = remind_on(TODAY, "--no-exec")
    assert quiet.code == 1 and calls(log) == []
    result = remind_on(TODAY, "--json")  # the setting's hook, with nothing of it on stdout
    assert json.loads(result.out)["due"][0]["headline"] == "Sam turns 40"
    assert [c["PERSON"] for c in calls(log)] == ["Sam"]
    assert run_cli("profile", "set", "--notify-command", "", env=UNLOCK).code == 0
    assert remind_on(date(2026, 5, 8)).code == 1 and len(calls(log)) == 1  # removed


def test_exec_is_for_today_only(vault, family):
    vault.close()
    result = remind_on(TODAY, "tomorrow", "--exec", "true")
    assert result.code == 2 and "leave out START" in result.err


def test_hooks_untouched_vault_when_nothing_fires(vault, vault_path, family, hook):
    command, _ = hook
    vault.close()
    before = vault_path.stat().st_mtime_ns, vault_path.read_bytes()
    assert remind_on(date(2026, 4, 20), "--exec", command).code == 0
    assert (vault_path.stat().st_mtime_ns, vault_path.read_bytes()) == before


@pytest.mark.parametrize(
    ("command", "message", "expanded"),
    [
        ("notify-send %s", "Sam's day", "notify-send 'Sam'\"'\"'s day'"),
        ("echo 100%% %s", "x", "echo 100% x"),
        ("echo %%s", "x", "echo %s"),
        ("echo", "x", "echo"),
    ],
)
def test_expand(command, message, expanded):
    assert remind_hooks.expand(command, message) == expanded


def test_the_hook_never_sees_the_passphrase(vault, family, tmp_path):
    seen = tmp_path / "env.txt"
    vault.close()
    result = remind_on(TODAY, "--exec", f"env > {seen}")
    assert result.code == 1, result.err
    env = seen.read_text()
    assert "PROFILEKEEPER_PERSON=Sam" in env
    assert PASSPHRASE not in env and "PROFILEKEEPER_PASSPHRASE" not in env


def test_the_hook_path_imports_nothing_heavy(vault, family, tmp_path):
    """Running hooks and writing their state stays on remind's fast path."""
    import os
    import subprocess
    import sys

    vault.close()
    probe = (
        "import sys\n"
        "from profilekeeper.cli import main\n"
        f"code = main(['remind', '--today', '{TODAY.isoformat()}', '--exec', 'true'])\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env={**os.environ, **UNLOCK}, timeout=60)  # fmt: skip
    assert result.returncode == 1, result.stderr
    loaded = set(result.stderr.splitlines()[-1].split())
    assert "profilekeeper.store.reminder_marks" in loaded  # the state was written
    heavy = ("sqlalchemy", "sqlmodel", "textual", "httpx", "keyring")
    assert sorted(m for m in loaded if m.split(".")[0] in heavy) == []
    assert "profilekeeper.services" not in loaded


def test_the_marks_wait_out_another_writer(vault, vault_path, family, hook):
    """Another program holding the write lock for 6 s (rotate-key on a big vault) does not cost
    the marks: remind waits as the store does, where after 5 s it said 'the vault could not be
    written (database is locked)' and the hook fired again the next run."""
    import sqlite3
    import threading
    import time
    from contextlib import closing

    command, log = hook
    vault.close()
    holding = threading.Event()

    def hold() -> None:
        with closing(sqlite3.connect(vault_path, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            holding.set()
            time.sleep(6)
            db.execute("COMMIT")

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert holding.wait(10)
    result = run_main("remind", "--today", TODAY.isoformat(), "--exec", command, env=UNLOCK)
    holder.join()
    assert result.code == 1 and result.err == ""
    assert remind_on(TODAY, "--exec", command).code == 1
    assert len(calls(log)) == 1  # marked the first time: not fired again
